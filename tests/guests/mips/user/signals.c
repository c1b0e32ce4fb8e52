/* Signal delivery under user-mode emulation: a SIGSEGV handler (SA_SIGINFO, si_addr,
 * return through siglongjmp), SIGFPE from integer division by zero (trap code 7), a
 * handler run on an alternate stack, SIGUSR1 sent to ourselves while blocked (pending
 * until unblocked), SIGALRM interrupting pause(), and handler return through the
 * sigreturn trampoline with registers intact. With the argument "die", ends with an
 * unhandled SIGSEGV so the caller can check the exit status. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static sigjmp_buf env;
static volatile void *fault_addr;
static volatile int got_signo, got_code, usr1_count, alrm_count, on_alt;
static char altstack[65536];

static void on_segv(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    got_signo = sig;
    got_code = si->si_code;
    fault_addr = si->si_addr;
    siglongjmp(env, 1);
}

static void on_fpe(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    got_signo = sig;
    got_code = si->si_code;
    siglongjmp(env, 2);
}

static void on_usr1(int sig) {
    char here;
    (void)sig;
    usr1_count++;
    on_alt = &here >= altstack && &here < altstack + sizeof altstack;
}

static void on_alrm(int sig) {
    (void)sig;
    alrm_count++;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "die") == 0) {
        printf("about to fault\n");
        fflush(stdout);
        *(volatile int *)16 = 1;
        return 0;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, 0);
    if (sigsetjmp(env, 1) == 0) {
        *(volatile int *)0x1234 = 5;
        printf("no fault?\n");
    } else {
        printf("SIGSEGV: signo=%d code=%d addr=%p\n", got_signo, got_code, fault_addr);
    }
    /* Again: the handler must still be installed and the mask restored by siglongjmp. */
    if (sigsetjmp(env, 1) == 0) {
        volatile int x = *(volatile int *)0x10;
        printf("no fault? %d\n", x);
    } else {
        printf("SIGSEGV again: addr=%p\n", fault_addr);
    }

    sa.sa_sigaction = on_fpe;
    sigaction(SIGFPE, &sa, 0);
    volatile int zero = 0, ten = 10;
    if (sigsetjmp(env, 1) == 0) {
        printf("no trap? %d\n", ten / zero);
    } else {
        printf("SIGFPE: signo=%d code=%d\n", got_signo, got_code);
    }

    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    sigaltstack(&ss, 0);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR1, &sa, 0);
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, &old);
    kill(getpid(), SIGUSR1);
    sigset_t pend;
    sigpending(&pend);
    printf("blocked: count=%d pending=%d\n", usr1_count, sigismember(&pend, SIGUSR1));
    sigprocmask(SIG_SETMASK, &old, 0);
    printf("unblocked: count=%d on_altstack=%d\n", usr1_count, on_alt);

    signal(SIGALRM, on_alrm);
    alarm(1);
    pause();
    printf("alarm: count=%d\n", alrm_count);

    /* Registers survive a handler: a computation around a raise(). */
    volatile double d = 1.5;
    long acc = 0;
    for (int i = 0; i < 5; i++) {
        acc += i * 3;
        raise(SIGUSR1);
        d *= 2;
    }
    printf("after raises: acc=%ld d=%.1f count=%d\n", acc, d, usr1_count);
    return 0;
}
