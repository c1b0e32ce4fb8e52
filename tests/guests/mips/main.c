/* MIPS guest driver: runs every test, prints one "name checksum" line per
 * test plus a combined checksum, exits 0. Exercises calls through a table of
 * function pointers, printf (glibc, statically linked) and the exit path. */
#include <stdio.h>
#include "guest.h"

volatile uint32_t g_seed = 0x1234567u;

struct test {
    const char *name;
    uint32_t (*fn)(void);
};

static const struct test tests[] = {
    {"strings", test_strings},   {"sorting", test_sorting},
    {"crc32", test_crc32},       {"mix_hash", test_mix_hash},
    {"arith64", test_arith64},   {"bitfields", test_bitfields},
    {"switch", test_switch},     {"recursion", test_recursion},
    {"funcptr", test_funcptr},   {"float", test_float},
    {"double", test_double},
};

int main(void)
{
    uint32_t all = 0;
    for (unsigned i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        uint32_t v = tests[i].fn();
        printf("%-10s %08x\n", tests[i].name, (unsigned)v);
        all = (all << 5 | all >> 27) ^ v;
    }
    printf("%-10s %08x\n", "all", (unsigned)all);
    return 0;
}
