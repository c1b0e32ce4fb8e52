/* `cputest trap NAME`: run one instruction that must raise an exception. Linux delivers a
 * signal (SIGTRAP for traps and break codes other than 6 and 7, SIGFPE for `break 7`, integer overflow and enabled FP
 * exceptions, SIGILL for a branch in a delay slot); with no handler installed the process dies of it, which the harness checks.
 * The line printed before says which case ran; "no trap" after it is a failure. */
#include "cputest.h"
#include <string.h>

static void fp_enable(uint32_t fcsr) { __asm__ volatile("ctc1 %0,$31" : : "r"(fcsr)); }
static void fp_div(uint32_t a, uint32_t b)
{
    __asm__ volatile("mtc1 %0,$f2\n\tmtc1 %1,$f4\n\tdiv.s $f6,$f2,$f4" : : "r"(a), "r"(b) : "$f2", "$f4", "$f6");
}
static void fp_mul(uint32_t a, uint32_t b)
{
    __asm__ volatile("mtc1 %0,$f2\n\tmtc1 %1,$f4\n\tmul.s $f6,$f2,$f4" : : "r"(a), "r"(b) : "$f2", "$f4", "$f6");
}

int run_trap(const char *name)
{
    out_s("trap ");
    out_s(name);
    out_nl();
    out_flush();
    int one = 1, two = 2, m1 = -1;
    uint32_t big = 0x7fffffff, r;
    if (!strcmp(name, "teq")) __asm__ volatile("teq %0,%1" : : "r"(one), "r"(one));
    else if (!strcmp(name, "tne")) __asm__ volatile("tne %0,%1" : : "r"(one), "r"(two));
    else if (!strcmp(name, "tge")) __asm__ volatile("tge %0,%1" : : "r"(one), "r"(m1));
    else if (!strcmp(name, "tgeu")) __asm__ volatile("tgeu %0,%1" : : "r"(m1), "r"(one));
    else if (!strcmp(name, "tlt")) __asm__ volatile("tlt %0,%1" : : "r"(m1), "r"(one));
    else if (!strcmp(name, "tltu")) __asm__ volatile("tltu %0,%1" : : "r"(one), "r"(m1));
    else if (!strcmp(name, "teqi")) __asm__ volatile("teqi %0,1" : : "r"(one));
    else if (!strcmp(name, "tnei")) __asm__ volatile("tnei %0,2" : : "r"(one));
    else if (!strcmp(name, "tgei")) __asm__ volatile("tgei %0,-1" : : "r"(one));
    else if (!strcmp(name, "tgeiu")) __asm__ volatile("tgeiu %0,1" : : "r"(m1));
    else if (!strcmp(name, "tlti")) __asm__ volatile("tlti %0,2" : : "r"(one));
    else if (!strcmp(name, "tltiu")) __asm__ volatile("tltiu %0,-1" : : "r"(one));
    else if (!strcmp(name, "break")) __asm__ volatile("break 7");
    else if (!strcmp(name, "add")) __asm__ volatile("add %0,%1,%2" : "=r"(r) : "r"(big), "r"(one));
    else if (!strcmp(name, "addi")) __asm__ volatile("addi %0,%1,1" : "=r"(r) : "r"(big));
    else if (!strcmp(name, "sub")) __asm__ volatile("sub %0,%1,%2" : "=r"(r) : "r"(0x80000000), "r"(one));
    else if (!strcmp(name, "fpe-v")) { fp_enable(0x800); fp_div(0, 0); }
    else if (!strcmp(name, "fpe-z")) { fp_enable(0x400); fp_div(0x3f800000, 0); }
    else if (!strcmp(name, "fpe-o")) { fp_enable(0x200); fp_mul(0x7f7fffff, 0x40000000); }
    else if (!strcmp(name, "fpe-u")) { fp_enable(0x100); fp_mul(0x00800001, 0x3eaaaaab); }
    else if (!strcmp(name, "fpe-i")) { fp_enable(0x080); fp_div(0x3f800000, 0x40400000); }
    else if (!strcmp(name, "fpe-ctc1")) fp_enable(0x00010800); /* cause V with V enabled */
    else if (!strcmp(name, "fpe-ctc1-e")) fp_enable(0x00020000); /* cause E: always taken */
    /* A branch in a branch's delay slot: UNPREDICTABLE in the manual; QEMU raises Reserved
     * Instruction (SIGILL). Both branches go to the same place, so "no trap" is printed if
     * the second branch runs as a plain instruction. */
    else if (!strcmp(name, "branch-in-slot"))
        __asm__ volatile(".set push\n\t.set noreorder\n\tb 1f\n\tb 1f\n\tnop\n1:\n\t.set pop");
    else { out_s("unknown trap case\n"); out_flush(); return 2; }
    out_s("no trap\n");
    out_flush();
    return 1;
}
