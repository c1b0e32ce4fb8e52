/* Processes under user-mode emulation: fork + pipe, execve of this same program (with a
 * different argv[0] and arguments), wait4 status of an exit code and of a death by SIGUSR1
 * (MIPS signal number 16), vfork + _exit, and posix_spawn-style exec failure (ENOENT). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "child") == 0) {
        printf("exec'd child: argv0=%s argc=%d last=%s\n", argv[0], argc, argv[argc - 1]);
        return 42;
    }
    int fds[2];
    if (pipe(fds) != 0) return 1;
    pid_t p = fork();
    if (p == 0) {
        close(fds[0]);
        const char msg[] = "hello through a pipe";
        write(fds[1], msg, sizeof msg);
        _exit(3);
    }
    close(fds[1]);
    char buf[64] = {0};
    ssize_t n = read(fds[0], buf, sizeof buf);
    int st;
    waitpid(p, &st, 0);
    printf("pipe: %zd '%s', child exit=%d\n", n, buf, WEXITSTATUS(st));

    fflush(stdout);
    p = fork();
    if (p == 0) {
        char *args[] = {"renamed", "child", "x", "y", 0};
        execv("/proc/self/exe", args);
        perror("execv");
        _exit(99);
    }
    waitpid(p, &st, 0);
    printf("exec: exited=%d status=%d\n", WIFEXITED(st), WEXITSTATUS(st));

    p = fork();
    if (p == 0) {
        kill(getpid(), SIGUSR1);
        _exit(0);
    }
    waitpid(p, &st, 0);
    printf("killed: signaled=%d by_sigusr1=%d\n", WIFSIGNALED(st), WTERMSIG(st) == SIGUSR1);

    p = vfork();
    if (p == 0) _exit(5);
    waitpid(p, &st, 0);
    printf("vfork: status=%d\n", WEXITSTATUS(st));

    p = fork();
    if (p == 0) {
        char *args[] = {"nope", 0};
        execv("/nonexistent/program", args);
        _exit(errno == ENOENT ? 7 : 8);
    }
    waitpid(p, &st, 0);
    printf("exec failure: status=%d\n", WEXITSTATUS(st));
    return 0;
}
