//! The Linux o32 ABI of MIPS (both byte orders), as tables for `user::syscall`: system-call
//! numbers (4000 + n, from the kernel's unistd_o32.h), errno and signal numbers, flag bits,
//! ioctl numbers and structure layouts (`struct stat64`, `statfs64`, `flock`, `sigaction`,
//! `stack_t`, `termios`, the SysV IPC `*id64_ds`); and the register convention: arguments in
//! a0..a3 then the stack at sp+16, results in v0 (and v1) with a3 = 0, or errno in v0 with
//! a3 = 1.

use super::mips::CpuState;
use crate::user::abi::{
    FlockLayout, IpcLayout, LinuxAbi, SigactionLayout, StackLayout, StatLayout, StatfsLayout, TermiosAbi, F, NONE,
};

const A0: usize = 4;
const V0: usize = 2;
const V1: usize = 3;
const A3: usize = 7;
const SP: usize = 29;

/// Register numbers the loader and signal code need.
pub const REG_SP: usize = SP;
pub const REG_RA: usize = 31;
pub const REG_T9: usize = 25;
pub const REG_A0: usize = A0;
pub const REG_V0: usize = V0;
pub const REG_A3: usize = A3;

/// o32 system calls: (number, name) in number order.
#[rustfmt::skip]
pub static SYSCALLS: &[(u32, &str)] = &[
    (4000, "syscall"), (4001, "exit"), (4002, "fork"), (4003, "read"), (4004, "write"), (4005, "open"),
    (4006, "close"), (4007, "waitpid"), (4008, "creat"), (4009, "link"), (4010, "unlink"), (4011, "execve"),
    (4012, "chdir"), (4013, "time"), (4014, "mknod"), (4015, "chmod"), (4016, "lchown"), (4017, "break"),
    (4018, "unused18"), (4019, "lseek"), (4020, "getpid"), (4021, "mount"), (4022, "umount"), (4023, "setuid"),
    (4024, "getuid"), (4025, "stime"), (4026, "ptrace"), (4027, "alarm"), (4028, "unused28"), (4029, "pause"),
    (4030, "utime"), (4031, "stty"), (4032, "gtty"), (4033, "access"), (4034, "nice"), (4035, "ftime"),
    (4036, "sync"), (4037, "kill"), (4038, "rename"), (4039, "mkdir"), (4040, "rmdir"), (4041, "dup"),
    (4042, "pipe"), (4043, "times"), (4044, "prof"), (4045, "brk"), (4046, "setgid"), (4047, "getgid"),
    (4048, "signal"), (4049, "geteuid"), (4050, "getegid"), (4051, "acct"), (4052, "umount2"), (4053, "lock"),
    (4054, "ioctl"), (4055, "fcntl"), (4056, "mpx"), (4057, "setpgid"), (4058, "ulimit"), (4059, "unused59"),
    (4060, "umask"), (4061, "chroot"), (4062, "ustat"), (4063, "dup2"), (4064, "getppid"), (4065, "getpgrp"),
    (4066, "setsid"), (4067, "sigaction"), (4068, "sgetmask"), (4069, "ssetmask"), (4070, "setreuid"),
    (4071, "setregid"), (4072, "sigsuspend"), (4073, "sigpending"), (4074, "sethostname"), (4075, "setrlimit"),
    (4076, "getrlimit"), (4077, "getrusage"), (4078, "gettimeofday"), (4079, "settimeofday"), (4080, "getgroups"),
    (4081, "setgroups"), (4082, "reserved82"), (4083, "symlink"), (4084, "unused84"), (4085, "readlink"),
    (4086, "uselib"), (4087, "swapon"), (4088, "reboot"), (4089, "readdir"), (4090, "mmap"), (4091, "munmap"),
    (4092, "truncate"), (4093, "ftruncate"), (4094, "fchmod"), (4095, "fchown"), (4096, "getpriority"),
    (4097, "setpriority"), (4098, "profil"), (4099, "statfs"), (4100, "fstatfs"), (4101, "ioperm"),
    (4102, "socketcall"), (4103, "syslog"), (4104, "setitimer"), (4105, "getitimer"), (4106, "stat"),
    (4107, "lstat"), (4108, "fstat"), (4109, "unused109"), (4110, "iopl"), (4111, "vhangup"), (4112, "idle"),
    (4113, "vm86"), (4114, "wait4"), (4115, "swapoff"), (4116, "sysinfo"), (4117, "ipc"), (4118, "fsync"),
    (4119, "sigreturn"), (4120, "clone"), (4121, "setdomainname"), (4122, "uname"), (4123, "modify_ldt"),
    (4124, "adjtimex"), (4125, "mprotect"), (4126, "sigprocmask"), (4127, "create_module"), (4128, "init_module"),
    (4129, "delete_module"), (4130, "get_kernel_syms"), (4131, "quotactl"), (4132, "getpgid"), (4133, "fchdir"),
    (4134, "bdflush"), (4135, "sysfs"), (4136, "personality"), (4137, "afs_syscall"), (4138, "setfsuid"),
    (4139, "setfsgid"), (4140, "_llseek"), (4141, "getdents"), (4142, "_newselect"), (4143, "flock"),
    (4144, "msync"), (4145, "readv"), (4146, "writev"), (4147, "cacheflush"), (4148, "cachectl"), (4149, "sysmips"),
    (4150, "unused150"), (4151, "getsid"), (4152, "fdatasync"), (4153, "_sysctl"), (4154, "mlock"),
    (4155, "munlock"), (4156, "mlockall"), (4157, "munlockall"), (4158, "sched_setparam"), (4159, "sched_getparam"),
    (4160, "sched_setscheduler"), (4161, "sched_getscheduler"), (4162, "sched_yield"),
    (4163, "sched_get_priority_max"), (4164, "sched_get_priority_min"), (4165, "sched_rr_get_interval"),
    (4166, "nanosleep"), (4167, "mremap"), (4168, "accept"), (4169, "bind"), (4170, "connect"),
    (4171, "getpeername"), (4172, "getsockname"), (4173, "getsockopt"), (4174, "listen"), (4175, "recv"),
    (4176, "recvfrom"), (4177, "recvmsg"), (4178, "send"), (4179, "sendmsg"), (4180, "sendto"), (4181, "setsockopt"),
    (4182, "shutdown"), (4183, "socket"), (4184, "socketpair"), (4185, "setresuid"), (4186, "getresuid"),
    (4187, "query_module"), (4188, "poll"), (4189, "nfsservctl"), (4190, "setresgid"), (4191, "getresgid"),
    (4192, "prctl"), (4193, "rt_sigreturn"), (4194, "rt_sigaction"), (4195, "rt_sigprocmask"),
    (4196, "rt_sigpending"), (4197, "rt_sigtimedwait"), (4198, "rt_sigqueueinfo"), (4199, "rt_sigsuspend"),
    (4200, "pread64"), (4201, "pwrite64"), (4202, "chown"), (4203, "getcwd"), (4204, "capget"), (4205, "capset"),
    (4206, "sigaltstack"), (4207, "sendfile"), (4208, "getpmsg"), (4209, "putpmsg"), (4210, "mmap2"),
    (4211, "truncate64"), (4212, "ftruncate64"), (4213, "stat64"), (4214, "lstat64"), (4215, "fstat64"),
    (4216, "pivot_root"), (4217, "mincore"), (4218, "madvise"), (4219, "getdents64"), (4220, "fcntl64"),
    (4221, "reserved221"), (4222, "gettid"), (4223, "readahead"), (4224, "setxattr"), (4225, "lsetxattr"),
    (4226, "fsetxattr"), (4227, "getxattr"), (4228, "lgetxattr"), (4229, "fgetxattr"), (4230, "listxattr"),
    (4231, "llistxattr"), (4232, "flistxattr"), (4233, "removexattr"), (4234, "lremovexattr"),
    (4235, "fremovexattr"), (4236, "tkill"), (4237, "sendfile64"), (4238, "futex"), (4239, "sched_setaffinity"),
    (4240, "sched_getaffinity"), (4241, "io_setup"), (4242, "io_destroy"), (4243, "io_getevents"),
    (4244, "io_submit"), (4245, "io_cancel"), (4246, "exit_group"), (4247, "lookup_dcookie"), (4248, "epoll_create"),
    (4249, "epoll_ctl"), (4250, "epoll_wait"), (4251, "remap_file_pages"), (4252, "set_tid_address"),
    (4253, "restart_syscall"), (4254, "fadvise64"), (4255, "statfs64"), (4256, "fstatfs64"), (4257, "timer_create"),
    (4258, "timer_settime"), (4259, "timer_gettime"), (4260, "timer_getoverrun"), (4261, "timer_delete"),
    (4262, "clock_settime"), (4263, "clock_gettime"), (4264, "clock_getres"), (4265, "clock_nanosleep"),
    (4266, "tgkill"), (4267, "utimes"), (4268, "mbind"), (4269, "get_mempolicy"), (4270, "set_mempolicy"),
    (4271, "mq_open"), (4272, "mq_unlink"), (4273, "mq_timedsend"), (4274, "mq_timedreceive"), (4275, "mq_notify"),
    (4276, "mq_getsetattr"), (4277, "vserver"), (4278, "waitid"), (4280, "add_key"), (4281, "request_key"),
    (4282, "keyctl"), (4283, "set_thread_area"), (4284, "inotify_init"), (4285, "inotify_add_watch"),
    (4286, "inotify_rm_watch"), (4287, "migrate_pages"), (4288, "openat"), (4289, "mkdirat"), (4290, "mknodat"),
    (4291, "fchownat"), (4292, "futimesat"), (4293, "fstatat64"), (4294, "unlinkat"), (4295, "renameat"),
    (4296, "linkat"), (4297, "symlinkat"), (4298, "readlinkat"), (4299, "fchmodat"), (4300, "faccessat"),
    (4301, "pselect6"), (4302, "ppoll"), (4303, "unshare"), (4304, "splice"), (4305, "sync_file_range"),
    (4306, "tee"), (4307, "vmsplice"), (4308, "move_pages"), (4309, "set_robust_list"), (4310, "get_robust_list"),
    (4311, "kexec_load"), (4312, "getcpu"), (4313, "epoll_pwait"), (4314, "ioprio_set"), (4315, "ioprio_get"),
    (4316, "utimensat"), (4317, "signalfd"), (4318, "timerfd"), (4319, "eventfd"), (4320, "fallocate"),
    (4321, "timerfd_create"), (4322, "timerfd_gettime"), (4323, "timerfd_settime"), (4324, "signalfd4"),
    (4325, "eventfd2"), (4326, "epoll_create1"), (4327, "dup3"), (4328, "pipe2"), (4329, "inotify_init1"),
    (4330, "preadv"), (4331, "pwritev"), (4332, "rt_tgsigqueueinfo"), (4333, "perf_event_open"), (4334, "accept4"),
    (4335, "recvmmsg"), (4336, "fanotify_init"), (4337, "fanotify_mark"), (4338, "prlimit64"),
    (4339, "name_to_handle_at"), (4340, "open_by_handle_at"), (4341, "clock_adjtime"), (4342, "syncfs"),
    (4343, "sendmmsg"), (4344, "setns"), (4345, "process_vm_readv"), (4346, "process_vm_writev"), (4347, "kcmp"),
    (4348, "finit_module"), (4349, "sched_setattr"), (4350, "sched_getattr"), (4351, "renameat2"), (4352, "seccomp"),
    (4353, "getrandom"), (4354, "memfd_create"), (4355, "bpf"), (4356, "execveat"), (4357, "userfaultfd"),
    (4358, "membarrier"), (4359, "mlock2"), (4360, "copy_file_range"), (4361, "preadv2"), (4362, "pwritev2"),
    (4363, "pkey_mprotect"), (4364, "pkey_alloc"), (4365, "pkey_free"), (4366, "statx"), (4367, "rseq"),
    (4368, "io_pgetevents"), (4393, "semget"), (4394, "semctl"), (4395, "shmget"), (4396, "shmctl"), (4397, "shmat"),
    (4398, "shmdt"), (4399, "msgget"), (4400, "msgsnd"), (4401, "msgrcv"), (4402, "msgctl"),
    (4403, "clock_gettime64"), (4404, "clock_settime64"), (4405, "clock_adjtime64"), (4406, "clock_getres_time64"),
    (4407, "clock_nanosleep_time64"), (4408, "timer_gettime64"), (4409, "timer_settime64"),
    (4410, "timerfd_gettime64"), (4411, "timerfd_settime64"), (4412, "utimensat_time64"), (4413, "pselect6_time64"),
    (4414, "ppoll_time64"), (4416, "io_pgetevents_time64"), (4417, "recvmmsg_time64"), (4418, "mq_timedsend_time64"),
    (4419, "mq_timedreceive_time64"), (4420, "semtimedop_time64"), (4421, "rt_sigtimedwait_time64"),
    (4422, "futex_time64"), (4423, "sched_rr_get_interval_time64"), (4424, "pidfd_send_signal"),
    (4425, "io_uring_setup"), (4426, "io_uring_enter"), (4427, "io_uring_register"), (4428, "open_tree"),
    (4429, "move_mount"), (4430, "fsopen"), (4431, "fsconfig"), (4432, "fsmount"), (4433, "fspick"),
    (4434, "pidfd_open"), (4435, "clone3"), (4436, "close_range"), (4437, "openat2"), (4438, "pidfd_getfd"),
    (4439, "faccessat2"), (4440, "process_madvise"), (4441, "epoll_pwait2"), (4442, "mount_setattr"),
    (4443, "quotactl_fd"), (4444, "landlock_create_ruleset"), (4445, "landlock_add_rule"),
    (4446, "landlock_restrict_self"), (4448, "process_mrelease"), (4449, "futex_waitv"),
    (4450, "set_mempolicy_home_node"),
];

/// Host errno → o32 errno where they differ (1..34 are the same everywhere).
#[rustfmt::skip]
static ERRNO: &[(i32, i32)] = &[
    (libc::EDEADLK, 45), (libc::ENAMETOOLONG, 78), (libc::ENOLCK, 46), (libc::ENOSYS, 89), (libc::ENOTEMPTY, 93),
    (libc::ELOOP, 90), (libc::ENOMSG, 35), (libc::EIDRM, 36), (libc::ECHRNG, 37), (libc::EL2NSYNC, 38),
    (libc::EL3HLT, 39), (libc::EL3RST, 40), (libc::ELNRNG, 41), (libc::EUNATCH, 42), (libc::ENOCSI, 43),
    (libc::EL2HLT, 44), (libc::EBADE, 50), (libc::EBADR, 51), (libc::EXFULL, 52), (libc::ENOANO, 53),
    (libc::EBADRQC, 54), (libc::EBADSLT, 55), (libc::EMULTIHOP, 74), (libc::EBADMSG, 77), (libc::EOVERFLOW, 79),
    (libc::ENOTUNIQ, 80), (libc::EBADFD, 81), (libc::EREMCHG, 82), (libc::ELIBACC, 83), (libc::ELIBBAD, 84),
    (libc::ELIBSCN, 85), (libc::ELIBMAX, 86), (libc::ELIBEXEC, 87), (libc::EILSEQ, 88), (libc::ERESTART, 91),
    (libc::ESTRPIPE, 92), (libc::EUSERS, 94), (libc::ENOTSOCK, 95), (libc::EDESTADDRREQ, 96), (libc::EMSGSIZE, 97),
    (libc::EPROTOTYPE, 98), (libc::ENOPROTOOPT, 99), (libc::EPROTONOSUPPORT, 120), (libc::ESOCKTNOSUPPORT, 121),
    (libc::EOPNOTSUPP, 122), (libc::EPFNOSUPPORT, 123), (libc::EAFNOSUPPORT, 124), (libc::EADDRINUSE, 125),
    (libc::EADDRNOTAVAIL, 126), (libc::ENETDOWN, 127), (libc::ENETUNREACH, 128), (libc::ENETRESET, 129),
    (libc::ECONNABORTED, 130), (libc::ECONNRESET, 131), (libc::ENOBUFS, 132), (libc::EISCONN, 133),
    (libc::ENOTCONN, 134), (libc::ESHUTDOWN, 143), (libc::ETOOMANYREFS, 144), (libc::ETIMEDOUT, 145),
    (libc::ECONNREFUSED, 146), (libc::EHOSTDOWN, 147), (libc::EHOSTUNREACH, 148), (libc::EALREADY, 149),
    (libc::EINPROGRESS, 150), (libc::ESTALE, 151), (libc::EUCLEAN, 135), (libc::ENOTNAM, 137), (libc::ENAVAIL, 138),
    (libc::EISNAM, 139), (libc::EREMOTEIO, 140), (libc::EDQUOT, 1133), (libc::ENOMEDIUM, 159),
    (libc::EMEDIUMTYPE, 160), (libc::ECANCELED, 158), (libc::ENOKEY, 161), (libc::EKEYEXPIRED, 162),
    (libc::EKEYREVOKED, 163), (libc::EKEYREJECTED, 164), (libc::EOWNERDEAD, 165), (libc::ENOTRECOVERABLE, 166),
    (libc::ERFKILL, 167), (libc::EHWPOISON, 168),
];

/// Host signal → MIPS signal.
#[rustfmt::skip]
static SIGNALS: &[(i32, i32)] = &[
    (libc::SIGHUP, 1), (libc::SIGINT, 2), (libc::SIGQUIT, 3), (libc::SIGILL, 4), (libc::SIGTRAP, 5),
    (libc::SIGABRT, 6), (libc::SIGFPE, 8), (libc::SIGKILL, 9), (libc::SIGBUS, 10), (libc::SIGSEGV, 11),
    (libc::SIGSYS, 12), (libc::SIGPIPE, 13), (libc::SIGALRM, 14), (libc::SIGTERM, 15), (libc::SIGUSR1, 16),
    (libc::SIGUSR2, 17), (libc::SIGCHLD, 18), (libc::SIGPWR, 19), (libc::SIGWINCH, 20), (libc::SIGURG, 21),
    (libc::SIGIO, 22), (libc::SIGSTOP, 23), (libc::SIGTSTP, 24), (libc::SIGCONT, 25), (libc::SIGTTIN, 26),
    (libc::SIGTTOU, 27), (libc::SIGVTALRM, 28), (libc::SIGPROF, 29), (libc::SIGXCPU, 30), (libc::SIGXFSZ, 31),
];

/// o32 open(2) flag bits → host bits (O_ACCMODE is the same).
static OPEN_FLAGS: &[(u32, i32)] = &[
    (0x0008, libc::O_APPEND),
    (0x0010, libc::O_DSYNC),
    (0x0080, libc::O_NONBLOCK),
    (0x0100, libc::O_CREAT),
    (0x0200, libc::O_TRUNC),
    (0x0400, libc::O_EXCL),
    (0x0800, libc::O_NOCTTY),
    (0x1000, libc::O_ASYNC),
    (0x2000, libc::O_LARGEFILE),
    (0x4010, libc::O_SYNC),
    (0x8000, libc::O_DIRECT),
    (0x10000, libc::O_DIRECTORY),
    (0x20000, libc::O_NOFOLLOW),
    (0x40000, libc::O_NOATIME),
    (0x80000, libc::O_CLOEXEC),
    (0x200000, libc::O_PATH),
    (0x410000, libc::O_TMPFILE),
];

static FCNTL_CMDS: &[(u32, i32)] = &[(24, libc::F_SETOWN), (23, libc::F_GETOWN)];

static RLIMITS: &[(u32, i32)] = &[
    (0, libc::RLIMIT_CPU as i32),
    (1, libc::RLIMIT_FSIZE as i32),
    (2, libc::RLIMIT_DATA as i32),
    (3, libc::RLIMIT_STACK as i32),
    (4, libc::RLIMIT_CORE as i32),
    (5, libc::RLIMIT_NOFILE as i32),
    (6, libc::RLIMIT_AS as i32),
    (7, libc::RLIMIT_RSS as i32),
    (8, libc::RLIMIT_NPROC as i32),
    (9, libc::RLIMIT_MEMLOCK as i32),
    (10, libc::RLIMIT_LOCKS as i32),
    (11, libc::RLIMIT_SIGPENDING as i32),
    (12, libc::RLIMIT_MSGQUEUE as i32),
    (13, libc::RLIMIT_NICE as i32),
    (14, libc::RLIMIT_RTPRIO as i32),
    (15, libc::RLIMIT_RTTIME as i32),
];

/// Control characters: (MIPS index, host index).
static TERMIOS_CC: &[(usize, usize)] = &[
    (0, libc::VINTR),
    (1, libc::VQUIT),
    (2, libc::VERASE),
    (3, libc::VKILL),
    (4, libc::VMIN),
    (5, libc::VTIME),
    (6, libc::VEOL2),
    (7, libc::VSWTC),
    (8, libc::VSTART),
    (9, libc::VSTOP),
    (10, libc::VSUSP),
    (12, libc::VREPRINT),
    (13, libc::VDISCARD),
    (14, libc::VWERASE),
    (15, libc::VLNEXT),
    (16, libc::VEOF),
    (17, libc::VEOL),
];

/// c_lflag bits that differ: (MIPS, host).
static TERMIOS_LFLAG: &[(u32, u32)] = &[(0x00100, libc::IEXTEN), (0x02000, libc::FLUSHO), (0x08000, libc::TOSTOP)];

static SOCK_TYPES: &[(u32, i32)] = &[(1, libc::SOCK_DGRAM), (2, libc::SOCK_STREAM), (3, libc::SOCK_RAW)];

static SO_OPTS: &[(u32, i32)] = &[
    (0x0004, libc::SO_REUSEADDR),
    (0x0008, libc::SO_KEEPALIVE),
    (0x0020, libc::SO_BROADCAST),
    (0x0080, libc::SO_LINGER),
    (0x1001, libc::SO_SNDBUF),
    (0x1002, libc::SO_RCVBUF),
    (0x1007, libc::SO_ERROR),
    (0x1008, libc::SO_TYPE),
];

static POLL_BITS: &[(u32, i16)] = &[(0x0004, libc::POLLOUT), (0x0100, libc::POLLWRBAND)];

/// The o32 ABI for the given byte order (only the IPC time fields depend on it).
pub fn o32(big_endian: bool) -> LinuxAbi {
    // msqid64_ds and semid64_ds split times into low and high words whose order follows
    // the byte order; shmid64_ds has 16-bit high parts at the end.
    let (lo, _hi) = if big_endian { (4, 0) } else { (0, 4) };
    LinuxAbi {
        name: "o32",
        big_endian,
        platform: if big_endian { "mips" } else { "mipsel" },
        uname_machine: "mips",
        hwcap: 0,
        stack_top: 0x7fff_0000,
        addr_bits: 32,
        word: 4,
        syscalls: SYSCALLS,
        errno: ERRNO,
        signals: SIGNALS,
        sigrtmin: 32,
        nsig: 128,
        sigset_bytes: 16,
        open_flags: OPEN_FLAGS,
        map_shared: 0x1,
        map_private: 0x2,
        map_fixed: 0x10,
        map_anonymous: 0x800,
        map_fixed_noreplace: 0x100000,
        sa_siginfo: 0x0000_0008,
        sa_restart: 0x1000_0000,
        sa_nodefer: 0x4000_0000,
        sa_resethand: 0x8000_0000,
        sa_onstack: 0x0800_0000,
        sa_nocldstop: 0x0000_0001,
        sa_nocldwait: 0x0001_0000,
        sigaction: SigactionLayout { size: 24, flags: F(0, 4), handler: F(4, 4), restorer: NONE, mask: F(8, 16) },
        stack: StackLayout { size: 12, sp: F(0, 4), size_: F(4, 4), flags: F(8, 4) },
        ss_onstack: 1,
        ss_disable: 2,
        sig_block: 1,
        sig_unblock: 2,
        sig_setmask: 3,
        stat64: StatLayout {
            size: 104,
            dev: F(0, 4),
            ino: F(16, 8),
            mode: F(24, 4),
            nlink: F(28, 4),
            uid: F(32, 4),
            gid: F(36, 4),
            rdev: F(40, 4),
            size_: F(56, 8),
            atime: F(64, 4),
            atime_nsec: F(68, 4),
            mtime: F(72, 4),
            mtime_nsec: F(76, 4),
            ctime: F(80, 4),
            ctime_nsec: F(84, 4),
            blksize: F(88, 4),
            blocks: F(96, 8),
        },
        statfs64: StatfsLayout {
            size: 96,
            type_: F(0, 4),
            bsize: F(4, 4),
            frsize: F(8, 4),
            blocks: F(16, 8),
            bfree: F(24, 8),
            files: F(32, 8),
            ffree: F(40, 8),
            bavail: F(48, 8),
            fsid0: F(56, 4),
            fsid1: F(60, 4),
            namelen: F(64, 4),
            flags: F(68, 4),
        },
        flock: FlockLayout { size: 36, type_: F(0, 2), whence: F(2, 2), start: F(4, 4), len: F(8, 4), pid: F(16, 4) },
        flock64: FlockLayout {
            size: 32,
            type_: F(0, 2),
            whence: F(2, 2),
            start: F(8, 8),
            len: F(16, 8),
            pid: F(24, 4),
        },
        fcntl_cmds: FCNTL_CMDS,
        f_getlk: 14,
        f_setlk: 6,
        f_setlkw: 7,
        f_getlk64: 33,
        f_setlk64: 34,
        f_setlkw64: 35,
        rlimits: RLIMITS,
        termios: TermiosAbi {
            tcgets: 0x540d,
            tcsets: 0x540e,
            tcsetsw: 0x540f,
            tcsetsf: 0x5410,
            tcgeta: 0x5401,
            tcsbrk: 0x5405,
            tcxonc: 0x5406,
            tcflsh: 0x5407,
            tiocgwinsz: 0x4008_7468,
            tiocswinsz: 0x8008_7467,
            tiocgpgrp: 0x4004_7477,
            tiocspgrp: 0x8004_7476,
            tiocsctty: 0x5480,
            tiocnotty: 0x5471,
            tiocgsid: 0x7416,
            tiocoutq: 0x7472,
            fionread: 0x467f,
            fionbio: 0x667e,
            fioclex: 0x6601,
            fionclex: 0x6602,
            fioasync: 0x667d,
            size: 40,
            iflag: F(0, 4),
            oflag: F(4, 4),
            cflag: F(8, 4),
            lflag: F(12, 4),
            line: F(16, 1),
            cc_off: 17,
            ncc: 23,
            cc: TERMIOS_CC,
            lflag_bits: TERMIOS_LFLAG,
        },
        ipc: IpcLayout {
            perm_key: F(0, 4),
            perm_uid: F(4, 4),
            perm_gid: F(8, 4),
            perm_cuid: F(12, 4),
            perm_cgid: F(16, 4),
            perm_mode: F(20, 4),
            perm_seq: F(24, 2),
            msqid_size: 88,
            msg_stime: F(36 + lo, 4),
            msg_rtime: F(44 + lo, 4),
            msg_ctime: F(52 + lo, 4),
            msg_cbytes: F(60, 4),
            msg_qnum: F(64, 4),
            msg_qbytes: F(68, 4),
            msg_lspid: F(72, 4),
            msg_lrpid: F(76, 4),
            shmid_size: 72,
            shm_segsz: F(36, 4),
            shm_atime: F(40, 4),
            shm_dtime: F(44, 4),
            shm_ctime: F(48, 4),
            shm_cpid: F(52, 4),
            shm_lpid: F(56, 4),
            shm_nattch: F(60, 4),
            semid_size: 56,
            sem_otime: F(36, 4),
            sem_ctime: F(40, 4),
            sem_nsems: F(44, 4),
        },
        sock_types: SOCK_TYPES,
        sol_socket: 0xffff,
        so_opts: SO_OPTS,
        poll_bits: POLL_BITS,
        si_code_off: 4,
        si_errno_off: 8,
        rlim32_infinity: 0x7fff_ffff,
    }
}

/// System-call number and its eight arguments (a0..a3, then sp+16.. on the stack).
pub fn syscall_args(cpu: &CpuState, mem: &crate::user::mem::GuestMem, big_endian: bool) -> (u32, [u64; 8]) {
    let n = cpu.gpr[V0];
    let sp = cpu.gpr[SP] as u64;
    let stack = |k: u64| mem.load_quiet(sp + 16 + 4 * k, 4, big_endian).unwrap_or(0);
    (
        n,
        [
            cpu.gpr[A0] as u64,
            cpu.gpr[A0 + 1] as u64,
            cpu.gpr[A0 + 2] as u64,
            cpu.gpr[A0 + 3] as u64,
            stack(0),
            stack(1),
            stack(2),
            stack(3),
        ],
    )
}

/// Store a system call's result: a value, or a positive guest errno.
pub fn set_result(cpu: &mut CpuState, r: Result<u64, i32>) {
    match r {
        Ok(v) => {
            cpu.gpr[V0] = v as u32;
            cpu.gpr[A3] = 0;
        }
        Err(e) => {
            cpu.gpr[V0] = e as u32;
            cpu.gpr[A3] = 1;
        }
    }
}

/// Store a two-register result (o32 `pipe` returns its fds in v0 and v1).
pub fn set_result2(cpu: &mut CpuState, v0: u64, v1: u64) {
    cpu.gpr[V0] = v0 as u32;
    cpu.gpr[V1] = v1 as u32;
    cpu.gpr[A3] = 0;
}

/// 64-bit system-call arguments are passed in aligned register pairs (a0/a1 or a2/a3, then
/// stack slots), high word first in big-endian; `lo_hi` gives the two 32-bit halves as
/// passed, in register order.
pub fn pair(big_endian: bool, first: u64, second: u64) -> u64 {
    if big_endian {
        (first << 32) | (second & 0xffff_ffff)
    } else {
        (second << 32) | (first & 0xffff_ffff)
    }
}
