/* Minimal picolibc "host" layer for the lx106 guests: stdout/stderr streams
 * that buffer a line and write it with semihosting simcall (a2 = 4 SYS_write,
 * a3 = fd, a4 = buffer, a5 = length), and guest_exit/_exit which flush and
 * stop with simcall (a2 = 1 SYS_exit, a3 = status). Exercises inline asm with
 * register variables, byte stores and an indirect call from libc's stdio. */
#include <stdio.h>
#include <stdint.h>

#define SYS_exit 1
#define SYS_write 4

static int simcall(int nr, int a, int b, int c)
{
    register int a2 __asm__("a2") = nr;
    register int a3 __asm__("a3") = a;
    register int a4 __asm__("a4") = b;
    register int a5 __asm__("a5") = c;
    __asm__ volatile("simcall" : "+r"(a2), "+r"(a3) : "r"(a4), "r"(a5) : "memory");
    return a2;
}

static char line[128];
static unsigned used;

static int out_flush(FILE *f)
{
    (void)f;
    if (used)
        simcall(SYS_write, 1, (int)(uintptr_t)line, (int)used);
    used = 0;
    return 0;
}

static int out_put(char c, FILE *f)
{
    line[used++] = c;
    if (c == '\n' || used == sizeof line)
        out_flush(f);
    return (unsigned char)c;
}

static FILE guest_stdout = FDEV_SETUP_STREAM(out_put, NULL, out_flush, _FDEV_SETUP_WRITE);
FILE *const stdout = &guest_stdout;
FILE *const stderr = &guest_stdout;

__attribute__((noreturn)) void guest_exit(int status)
{
    out_flush(stdout);
    for (;;)
        simcall(SYS_exit, status, 0, 0);
}

__attribute__((noreturn)) void _exit(int status)
{
    guest_exit(status);
}
