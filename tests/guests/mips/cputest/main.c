/* specemu MIPS CPU test (in the spirit of QEMU's tests/test-i386): runs the user-mode
 * instructions of MIPS32 Release 2 and its FPU on edge-case operands and prints every result,
 * so that the output under specemu can be compared line by line with qemu-user's.
 *
 *   cputest            integer, branch, memory and FPU tests (S, D, W; L when FR=1)
 *   cputest ps         paired-single tests, checked against the same operations in S format
 *                      (qemu-user's MIPS32 CPUs have no paired single)
 *   cputest trap NAME  one trapping instruction: the process must die with its signal
 */
#include "cputest.h"
#include <string.h>
#include <unistd.h>

static char buf[1 << 16];
static int len;

void out_flush(void)
{
    int off = 0;
    while (off < len) {
        int n = write(1, buf + off, len - off);
        if (n <= 0)
            break;
        off += n;
    }
    len = 0;
}

void out_s(const char *s)
{
    while (*s) {
        if (len == (int)sizeof(buf))
            out_flush();
        buf[len++] = *s++;
    }
}

void out_x32(uint32_t v)
{
    char t[9];
    for (int i = 7; i >= 0; i--, v >>= 4)
        t[i] = "0123456789abcdef"[v & 15];
    t[8] = 0;
    out_s(t);
}

void out_x64(uint64_t v)
{
    out_x32((uint32_t)(v >> 32));
    out_x32((uint32_t)v);
}

void out_d(int v)
{
    char t[12];
    int i = 11;
    unsigned u = v < 0 ? -(unsigned)v : (unsigned)v;
    t[i] = 0;
    do {
        t[--i] = '0' + u % 10;
        u /= 10;
    } while (u);
    if (v < 0)
        t[--i] = '-';
    out_s(t + i);
}

void out_nl(void)
{
    out_s("\n");
    if (len > (int)sizeof(buf) - 256)
        out_flush();
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "trap") == 0)
        return run_trap(argv[2]);
    if (argc >= 2 && strcmp(argv[1], "ps") == 0) {
        test_fpu_ps();
        out_flush();
        return 0;
    }
    test_int();
    test_branch();
    test_mem();
    test_fpu();
    out_s("end\n");
    out_flush();
    return 0;
}
