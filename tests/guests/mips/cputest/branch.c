/* Branches and jumps with their delay slots: for each condition, taken and not taken, the
 * result says whether the delay slot ran (bit 0) and whether the fall-through path ran
 * (bit 1); likely branches annul the slot when not taken; linking forms check $ra. */
#include "cputest.h"

static const int32_t BV[] = {-5, -1, 0, 1, 7};

#define B2(NAME, INSN)                                                                   \
    static uint32_t NAME(int32_t a, int32_t b)                                          \
    {                                                                                    \
        uint32_t r;                                                                      \
        __asm__ volatile(".set push\n\t.set noreorder\n\tmove %0,$0\n\t" INSN " %1,%2,1f\n\t" \
                         "ori %0,%0,1\n\tori %0,%0,2\n1:\n\t.set pop"                    \
                         : "=&r"(r)                                                      \
                         : "r"(a), "r"(b));                                              \
        return r;                                                                        \
    }
#define B1(NAME, INSN)                                                                   \
    static uint32_t NAME(int32_t a, int32_t b)                                          \
    {                                                                                    \
        uint32_t r;                                                                      \
        (void)b;                                                                         \
        __asm__ volatile(".set push\n\t.set noreorder\n\tmove %0,$0\n\t" INSN " %1,1f\n\t" \
                         "ori %0,%0,1\n\tori %0,%0,2\n1:\n\t.set pop"                    \
                         : "=&r"(r)                                                      \
                         : "r"(a));                                                      \
        return r;                                                                        \
    }
/* Linking forms: bit 2 says $ra held the address after the delay slot. */
#define BAL(NAME, INSN)                                                                  \
    static uint32_t NAME(int32_t a, int32_t b)                                          \
    {                                                                                    \
        uint32_t r, ra, exp;                                                             \
        (void)b;                                                                         \
        __asm__ volatile(".set push\n\t.set noreorder\n\tmove %0,$0\n\tmove $31,$0\n\t"  \
                         INSN " %3,1f\n\tori %0,%0,1\n2:\n\tori %0,%0,2\n1:\n\t"          \
                         "move %1,$31\n\tla %2,2b\n\t.set pop"                           \
                         : "=&r"(r), "=&r"(ra), "=&r"(exp)                               \
                         : "r"(a)                                                        \
                         : "$31");                                                       \
        return r | (ra == exp ? 4 : 0) | (ra == 0 ? 8 : 0);                              \
    }
B2(b_beq, "beq")
B2(b_bne, "bne")
B2(b_beql, "beql")
B2(b_bnel, "bnel")
B1(b_blez, "blez")
B1(b_bgtz, "bgtz")
B1(b_bltz, "bltz")
B1(b_bgez, "bgez")
B1(b_blezl, "blezl")
B1(b_bgtzl, "bgtzl")
B1(b_bltzl, "bltzl")
B1(b_bgezl, "bgezl")
BAL(b_bltzal, "bltzal")
BAL(b_bgezal, "bgezal")
BAL(b_bltzall, "bltzall")
BAL(b_bgezall, "bgezall")

static void br(const char *name, uint32_t (*f)(int32_t, int32_t), int two)
{
    for (int i = 0; i < N(BV); i++)
        for (int j = 0; j < (two ? N(BV) : 1); j++) {
            out_s(name);
            out_s(" ");
            out_x32((uint32_t)BV[i]);
            if (two) {
                out_s(" ");
                out_x32((uint32_t)BV[j]);
            }
            out_s(" -> ");
            out_x32(f(BV[i], BV[j]));
            out_nl();
        }
}

/* bc1f/bc1t (and likely forms) on each condition code, set through FCCR. */
#define BC1(INSN, CC)                                                                    \
    __asm__ volatile(".set push\n\t.set noreorder\n\tmove %0,$0\n\t" INSN " $fcc" #CC ",1f\n\t" \
                     "ori %0,%0,1\n\tori %0,%0,2\n1:\n\t.set pop"                        \
                     : "=&r"(r));
#define BC1ALL(CC)                                                                       \
    case CC:                                                                             \
        if (k == 0) {                                                                    \
            BC1("bc1f", CC)                                                              \
        } else if (k == 1) {                                                             \
            BC1("bc1t", CC)                                                              \
        } else if (k == 2) {                                                             \
            BC1("bc1fl", CC)                                                             \
        } else {                                                                         \
            BC1("bc1tl", CC)                                                             \
        }                                                                                \
        break;

static void bc1(void)
{
    static const char *const names[4] = {"bc1f", "bc1t", "bc1fl", "bc1tl"};
    for (int k = 0; k < 4; k++)
        for (int cc = 0; cc < 8; cc++)
            for (int v = 0; v < 2; v++) {
                uint32_t r = 0, fccr = (uint32_t)v << cc;
                __asm__ volatile("ctc1 %0,$25" : : "r"(fccr));
                switch (cc) {
                    BC1ALL(0) BC1ALL(1) BC1ALL(2) BC1ALL(3) BC1ALL(4) BC1ALL(5) BC1ALL(6) BC1ALL(7)
                }
                out_s(names[k]);
                out_s(" fcc");
                out_d(cc);
                out_s("=");
                out_d(v);
                out_s(" -> ");
                out_x32(r);
                out_nl();
            }
    __asm__ volatile("ctc1 $0,$25");
}

/* Jumps: j, jal, jr, jalr (and the .hb forms) always take; the slot runs. */
static void jumps(void)
{
    uint32_t r, ra, exp;
    __asm__ volatile(".set push\n\t.set noreorder\n\tmove %0,$0\n\tj 1f\n\tori %0,%0,1\n\tori %0,%0,2\n1:\n\t.set pop"
                     : "=&r"(r));
    out_s("j -> ");
    out_x32(r);
    out_nl();
    __asm__ volatile(".set push\n\t.set noreorder\n\tmove %0,$0\n\tjal 1f\n\tori %0,%0,1\n2:\n\tori %0,%0,2\n1:\n\t"
                     "move %1,$31\n\tla %2,2b\n\t.set pop"
                     : "=&r"(r), "=&r"(ra), "=&r"(exp)
                     :
                     : "$31");
    out_s("jal -> ");
    out_x32(r | (ra == exp ? 4 : 0));
    out_nl();
    __asm__ volatile(".set push\n\t.set noreorder\n\tmove %0,$0\n\tla $25,1f\n\tjr $25\n\tori %0,%0,1\n\tori %0,%0,2\n1:\n\t.set pop"
                     : "=&r"(r)
                     :
                     : "$25");
    out_s("jr -> ");
    out_x32(r);
    out_nl();
    __asm__ volatile(".set push\n\t.set noreorder\n\tmove %0,$0\n\tla $25,1f\n\tjr.hb $25\n\tori %0,%0,1\n\tori %0,%0,2\n1:\n\t.set pop"
                     : "=&r"(r)
                     :
                     : "$25");
    out_s("jr.hb -> ");
    out_x32(r);
    out_nl();
    __asm__ volatile(".set push\n\t.set noreorder\n\tmove %0,$0\n\tla $25,1f\n\tjalr $25\n\tori %0,%0,1\n2:\n\tori %0,%0,2\n1:\n\t"
                     "move %1,$31\n\tla %2,2b\n\t.set pop"
                     : "=&r"(r), "=&r"(ra), "=&r"(exp)
                     :
                     : "$25", "$31");
    out_s("jalr -> ");
    out_x32(r | (ra == exp ? 4 : 0));
    out_nl();
    __asm__ volatile(".set push\n\t.set noreorder\n\tmove %0,$0\n\tla $25,1f\n\tjalr $24,$25\n\tori %0,%0,1\n2:\n\tori %0,%0,2\n1:\n\t"
                     "move %1,$24\n\tla %2,2b\n\t.set pop"
                     : "=&r"(r), "=&r"(ra), "=&r"(exp)
                     :
                     : "$24", "$25");
    out_s("jalr rd=$24 -> ");
    out_x32(r | (ra == exp ? 4 : 0));
    out_nl();
    __asm__ volatile(".set push\n\t.set noreorder\n\tmove %0,$0\n\tla $25,1f\n\tjalr.hb $25\n\tori %0,%0,1\n2:\n\tori %0,%0,2\n1:\n\t"
                     "move %1,$31\n\tla %2,2b\n\t.set pop"
                     : "=&r"(r), "=&r"(ra), "=&r"(exp)
                     :
                     : "$25", "$31");
    out_s("jalr.hb -> ");
    out_x32(r | (ra == exp ? 4 : 0));
    out_nl();
    /* A branch in a loop: the delay slot of a taken backward branch runs every time. */
    uint32_t n = 0, cnt = 5;
    __asm__ volatile(".set push\n\t.set noreorder\n1:\n\taddiu %1,%1,-1\n\tbnez %1,1b\n\taddiu %0,%0,1\n\t.set pop"
                     : "+r"(n), "+r"(cnt));
    out_s("loop bnez 5 -> ");
    out_x32(n);
    out_nl();
}

void test_branch(void)
{
    br("beq", b_beq, 1);
    br("bne", b_bne, 1);
    br("beql", b_beql, 1);
    br("bnel", b_bnel, 1);
    br("blez", b_blez, 0);
    br("bgtz", b_bgtz, 0);
    br("bltz", b_bltz, 0);
    br("bgez", b_bgez, 0);
    br("blezl", b_blezl, 0);
    br("bgtzl", b_bgtzl, 0);
    br("bltzl", b_bltzl, 0);
    br("bgezl", b_bgezl, 0);
    br("bltzal", b_bltzal, 0);
    br("bgezal", b_bgezal, 0);
    br("bltzall", b_bltzall, 0);
    br("bgezall", b_bgezall, 0);
    bc1();
    jumps();
}
