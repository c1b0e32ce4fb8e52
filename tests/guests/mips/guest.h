/* Shared declarations for the MIPS guest program (prog-be / prog-le).
 * Exercises nothing by itself; every test returns a 32-bit checksum that
 * main.c prints, so the output is identical on any correct 32-bit or 64-bit
 * host (the sources only use fixed-width types where width matters). */
#ifndef GUEST_H
#define GUEST_H
#include <stdint.h>

/* Inputs come through volatile globals so the compiler cannot fold tests. */
extern volatile uint32_t g_seed;

uint32_t test_strings(void);
uint32_t test_sorting(void);
uint32_t test_crc32(void);
uint32_t test_mix_hash(void);
uint32_t test_arith64(void);
uint32_t test_bitfields(void);
uint32_t test_switch(void);
uint32_t test_recursion(void);
uint32_t test_funcptr(void);
uint32_t test_float(void);
uint32_t test_double(void);

#endif
