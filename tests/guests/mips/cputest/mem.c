/* Loads and stores: every size and sign, the unaligned lwl/lwr/swl/swr at every byte offset,
 * ll/sc (success, and failure after the link is broken). */
#include "cputest.h"

static uint32_t mem[4] __attribute__((aligned(16)));

static void fill(void)
{
    mem[0] = 0x80c1e2f3;
    mem[1] = 0x04152637;
    mem[2] = 0x8899aabb;
    mem[3] = 0xccddeeff;
}

#define LD(INSN, OFF)                                                                    \
    do {                                                                                 \
        uint32_t r;                                                                      \
        __asm__ volatile(INSN " %0," #OFF "(%1)" : "=r"(r) : "r"(mem), "m"(mem));        \
        out_s(INSN " " #OFF " -> ");                                                     \
        out_x32(r);                                                                      \
        out_nl();                                                                        \
    } while (0)
#define LWLR(INSN, OFF)                                                                  \
    do {                                                                                 \
        uint32_t r = 0x11223344;                                                         \
        __asm__ volatile(INSN " %0," #OFF "(%1)" : "+r"(r) : "r"(mem), "m"(mem));        \
        out_s(INSN " " #OFF " -> ");                                                     \
        out_x32(r);                                                                      \
        out_nl();                                                                        \
    } while (0)
#define ST(INSN, OFF)                                                                    \
    do {                                                                                 \
        fill();                                                                          \
        __asm__ volatile(INSN " %1," #OFF "(%0)" : : "r"(mem), "r"(0xa1b2c3d4) : "memory"); \
        out_s(INSN " " #OFF " -> ");                                                     \
        out_x32(mem[0]);                                                                 \
        out_s(" ");                                                                      \
        out_x32(mem[1]);                                                                 \
        out_s(" ");                                                                      \
        out_x32(mem[2]);                                                                 \
        out_nl();                                                                        \
    } while (0)

void test_mem(void)
{
    fill();
    LD("lb", 0); LD("lb", 1); LD("lb", 2); LD("lb", 3);
    LD("lbu", 0); LD("lbu", 1); LD("lbu", 2); LD("lbu", 3);
    LD("lh", 0); LD("lh", 2); LD("lh", 8);
    LD("lhu", 0); LD("lhu", 2); LD("lhu", 8);
    LD("lw", 0); LD("lw", 4); LD("lw", 8);
    LWLR("lwl", 4); LWLR("lwl", 5); LWLR("lwl", 6); LWLR("lwl", 7);
    LWLR("lwr", 4); LWLR("lwr", 5); LWLR("lwr", 6); LWLR("lwr", 7);
    ST("sb", 4); ST("sb", 5); ST("sb", 6); ST("sb", 7);
    ST("sh", 4); ST("sh", 6);
    ST("sw", 4);
    ST("swl", 4); ST("swl", 5); ST("swl", 6); ST("swl", 7);
    ST("swr", 4); ST("swr", 5); ST("swr", 6); ST("swr", 7);
    /* An unaligned word through the usual lwl/lwr (and swl/swr) pair. */
    fill();
    uint32_t u;
    __asm__ volatile("ulw %0,5(%1)" : "=&r"(u) : "r"(mem), "m"(mem));
    out_s("ulw 5 -> ");
    out_x32(u);
    out_nl();
    __asm__ volatile("usw %1,9(%0)" : : "r"(mem), "r"(0xdeadbeef) : "memory");
    out_s("usw 9 -> ");
    out_x32(mem[2]);
    out_s(" ");
    out_x32(mem[3]);
    out_nl();
    /* ll/sc: the first sc succeeds, a second one without ll fails. */
    fill();
    uint32_t v, ok1, ok2;
    __asm__ volatile("ll %0,0(%3)\n\taddiu %1,%0,1\n\tsc %1,0(%3)\n\tli %2,7\n\tsc %2,0(%3)"
                     : "=&r"(v), "=&r"(ok1), "=&r"(ok2)
                     : "r"(&mem[1])
                     : "memory");
    out_s("ll/sc -> ");
    out_x32(v);
    out_s(" sc1=");
    out_x32(ok1);
    out_s(" sc2=");
    out_x32(ok2);
    out_s(" mem=");
    out_x32(mem[1]);
    out_nl();
}
