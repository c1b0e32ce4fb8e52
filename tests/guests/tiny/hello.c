/* A freestanding guest (no libc): prints a greeting and a CRC-32 of it through Linux
 * system calls, then exits with status 0. Built for mipsel, mips and x86-64 by build.sh;
 * the binaries in tests/guests/bin are small enough to check in. */

#if defined(__mips__)
/* o32: v0 = number, a0..a2 = arguments, a3 != 0 on error. */
static long sys3(long n, long a, long b, long c) {
    register long v0 __asm__("$2") = n;
    register long a0 __asm__("$4") = a;
    register long a1 __asm__("$5") = b;
    register long a2 __asm__("$6") = c;
    register long a3 __asm__("$7");
    __asm__ volatile("syscall" : "+r"(v0), "=r"(a3) : "r"(a0), "r"(a1), "r"(a2)
                     : "$1", "$3", "$8", "$9", "$10", "$11", "$12", "$13", "$14", "$15",
                       "$24", "$25", "hi", "lo", "memory");
    return v0;
}
#define SYS_WRITE 4004
#define SYS_EXIT 4001
#elif defined(__x86_64__)
static long sys3(long n, long a, long b, long c) {
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}
#define SYS_WRITE 1
#define SYS_EXIT 60
#else
#error "unsupported architecture"
#endif

static unsigned crc32(const char *p, unsigned long n) {
    unsigned c = 0xffffffffu;
    for (unsigned long i = 0; i < n; i++) {
        c ^= (unsigned char)p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & -(c & 1));
    }
    return ~c;
}

static unsigned long len(const char *s) {
    unsigned long n = 0;
    while (s[n])
        n++;
    return n;
}

static void put_hex(unsigned v) {
    char buf[11] = "0x";
    for (int i = 0; i < 8; i++)
        buf[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 15];
    buf[10] = '\n';
    sys3(SYS_WRITE, 1, (long)buf, 11);
}

void __attribute__((noreturn, used)) guest_main(void) {
    static const char msg[] = "Hello from a specemu guest\n";
    sys3(SYS_WRITE, 1, (long)msg, (long)len(msg));
    put_hex(crc32(msg, len(msg)));
    sys3(SYS_EXIT, 0, 0, 0);
    for (;;) {
    }
}

#if defined(__mips__)
/* Entry: set up $gp is unnecessary without PIC; keep the stack aligned and call main. */
__asm__(".globl __start\n.set noreorder\n__start:\n  addiu $sp,$sp,-32\n  jal guest_main\n  nop\n");
#elif defined(__x86_64__)
__asm__(".globl _start\n_start:\n  andq $-16,%rsp\n  call guest_main\n  hlt\n");
#endif
