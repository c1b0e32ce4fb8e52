/* The FPU and coprocessor usability: with Status.CU1 clear every COP1 instruction raises
 * CoprocessorUnusable with Cause.CE = 1; with CU1 set the FPU works (FIR, arithmetic,
 * FCSR); an enabled IEEE exception raises FloatingPoint (15); lwc2 (COP2) raises CE = 2; CU1 and
 * CU2 writability shows which coprocessors the CPU has. */
#include "lib.h"

int main(void)
{
    u32 v;
    puts_("fpu: start\n");

    exc_reset();
    __asm__ volatile("mfc1 %0, $f0" : "=r"(v));
    print_exc("mfc1 with CU1=0");
    exc_reset();
    __asm__ volatile("add.s $f0, $f2, $f4");
    print_exc("add.s with CU1=0");
    exc_reset();
    __asm__ volatile("lwc1 $f0, 0(%0)" : : "r"(&v));
    print_exc("lwc1 with CU1=0");
    exc_reset();
    __asm__ volatile("cfc1 %0, $31" : "=r"(v));
    print_exc("cfc1 with CU1=0");

    mtc0(12, 0, C0_STATUS_CU1 | 0x40000000u);
    put_kv("status with CU1 and CU2 written", mfc0(12, 0));

    __asm__ volatile("cfc1 %0, $0" : "=r"(v));
    put_kv("fir", v);
    __asm__ volatile("cfc1 %0, $31" : "=r"(v));
    put_kv("fcsr", v);
    {
        u32 a = 0x3fc00000u, b = 0x40100000u, r; /* 1.5f, 2.25f */
        __asm__ volatile("mtc1 %1, $f2\n\tmtc1 %2, $f4\n\tadd.s $f0, $f2, $f4\n\tmfc1 %0, $f0"
                         : "=r"(r) : "r"(a), "r"(b));
        put_kv("1.5 + 2.25", r);
        __asm__ volatile("mtc1 %1, $f2\n\tmtc1 %2, $f4\n\tdiv.s $f0, $f2, $f4\n\tmfc1 %0, $f0"
                         : "=r"(r) : "r"(a), "r"(b));
        put_kv("1.5 / 2.25", r);
        __asm__ volatile("cfc1 %0, $31" : "=r"(v));
        put_kv("fcsr after inexact divide", v);
    }

    /* Invalid operation enabled: sqrt(-1) raises FloatingPoint. */
    exc_reset();
    {
        u32 m1 = 0xbf800000u;
        __asm__ volatile("ctc1 %0, $31" : : "r"(0x00000800u)); /* Enables.V */
        __asm__ volatile("mtc1 %0, $f2\n\tsqrt.s $f0, $f2" : : "r"(m1));
        print_exc("sqrt(-1) with invalid enabled");
        __asm__ volatile("cfc1 %0, $31" : "=r"(v));
        put_kv("  fcsr", v);
        __asm__ volatile("ctc1 $zero, $31");
    }

    exc_reset();
    __asm__ volatile("lwc2 $0, 0(%0)" : : "r"(&v));
    print_exc("lwc2");

    mtc0(12, 0, 0);
    puts_("fpu: done\n");
    return 0;
}
