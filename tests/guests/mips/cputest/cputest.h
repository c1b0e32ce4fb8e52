/* specemu MIPS CPU test: shared declarations. Every test prints one line per case,
 * "<insn> <operands in hex> -> <results in hex>", through a small buffered writer (no stdio:
 * fast under an interpreter and byte-for-byte stable). */
#ifndef CPUTEST_H
#define CPUTEST_H

#include <stdint.h>

void out_s(const char *s);
void out_x32(uint32_t v);
void out_x64(uint64_t v);
void out_d(int v);
void out_nl(void);
void out_flush(void);

void test_int(void);
void test_branch(void);
void test_mem(void);
void test_fpu(void);
void test_fpu_ps(void);
int run_trap(const char *name);

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

#endif
