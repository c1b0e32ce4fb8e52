/* UHI semihosting (sdbbp 1, operation in $25): $a0 = -1 at entry, open of the stdio names,
 * write and plog to the console (QEMU's goes to stderr), errors with errno in $v1, argc,
 * and exit with a status (this program exits with 3). */
#include "lib.h"

extern u32 boot_a0;
static u32 errno_v1;

static u32 uhi2(u32 op, u32 a0, u32 a1, u32 a2)
{
    register u32 t9 __asm__("$25") = op;
    register u32 r4 __asm__("$4") = a0;
    register u32 r5 __asm__("$5") = a1;
    register u32 r6 __asm__("$6") = a2;
    register u32 v0 __asm__("$2");
    register u32 v1 __asm__("$3") = 0x1234;
    __asm__ volatile("sdbbp 1" : "=r"(v0), "+r"(v1) : "r"(t9), "r"(r4), "r"(r5), "r"(r6) : "memory");
    errno_v1 = v1;
    return v0;
}

int main(void)
{
    static const char msg[] = "uhi: hello on the console\n";
    puts_("uhi: start\n");
    puts_("a0 at entry: ");
    put_hex(boot_a0);
    puts_("\n");
    u32 fd = uhi2(2, (u32)"/dev/stdout", 1, 0);
    put_kv("open /dev/stdout", fd);
    put_kv("open /dev/stderr", uhi2(2, (u32)"/dev/stderr", 1, 0));
    put_kv("write", uhi2(5, fd, (u32)msg, sizeof msg - 1));
    put_kv("  v1", errno_v1);
    put_kv("plog", uhi2(13, (u32)"uhi: plog %d\n", 42, 0));
    put_kv("open missing file", uhi2(2, (u32)"/nonexistent/specemu-uhi-test", 0, 0));
    put_kv("  errno", errno_v1);
    put_kv("close bad fd", uhi2(3, 77, 0, 0));
    put_kv("  errno", errno_v1);
    put_kv("argc", uhi2(9, 0, 0, 0));
    puts_("uhi: exiting with 3\n");
    uhi2(1, 3, 0, 0);
    puts_("not reached\n");
    return 0;
}
