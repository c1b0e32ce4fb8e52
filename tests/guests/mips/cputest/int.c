/* Integer instructions: ALU (register and immediate forms), shifts and rotates, multiply and
 * divide with HI/LO, count leading ones/zeros, ext/ins, seb/seh/wsbh, conditional moves
 * (on a GPR and on an FP condition code), set-on-less-than, traps that do not fire, rdhwr,
 * sync/pref/synci. */
#include "cputest.h"

static const uint32_t V[] = {
    0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 0x12345678, 0xfedcba98, 31, 32, 0x0000ffff, 0xffff8000,
};

/* ---------------------------------------------------------------- three-register ALU */
#define R3(NAME, INSN)                                                                   \
    static uint32_t NAME(uint32_t a, uint32_t b)                                        \
    {                                                                                    \
        uint32_t r;                                                                      \
        __asm__ volatile(INSN " %0,%1,%2" : "=r"(r) : "r"(a), "r"(b));                   \
        return r;                                                                        \
    }
R3(op_addu, "addu")
R3(op_subu, "subu")
R3(op_and, "and")
R3(op_or, "or")
R3(op_xor, "xor")
R3(op_nor, "nor")
R3(op_slt, "slt")
R3(op_sltu, "sltu")
R3(op_mul, "mul")
R3(op_sllv, "sllv")
R3(op_srlv, "srlv")
R3(op_srav, "srav")
R3(op_rotrv, "rotrv")

/* add/sub trap on signed overflow: only operands that do not overflow here. */
R3(op_add, "add")
R3(op_sub, "sub")

static int add_ovf(uint32_t a, uint32_t b)
{
    uint32_t r = a + b;
    return ((a ^ r) & (b ^ r)) >> 31;
}
static int sub_ovf(uint32_t a, uint32_t b)
{
    uint32_t r = a - b;
    return ((a ^ b) & (a ^ r)) >> 31;
}

static void r3(const char *name, uint32_t (*f)(uint32_t, uint32_t), int kind)
{
    for (int i = 0; i < N(V); i++)
        for (int j = 0; j < N(V); j++) {
            uint32_t a = V[i], b = V[j];
            if ((kind == 1 && add_ovf(a, b)) || (kind == 2 && sub_ovf(a, b)))
                continue;
            out_s(name);
            out_s(" ");
            out_x32(a);
            out_s(" ");
            out_x32(b);
            out_s(" -> ");
            out_x32(f(a, b));
            out_nl();
        }
}

/* ---------------------------------------------------------------- immediates */
#define RI(NAME, INSN, IMM)                                                              \
    static uint32_t NAME(uint32_t a)                                                    \
    {                                                                                    \
        uint32_t r;                                                                      \
        __asm__ volatile(INSN " %0,%1,%2" : "=r"(r) : "r"(a), "i"(IMM));                 \
        return r;                                                                        \
    }
#define RI5(P, INSN, I0, I1, I2, I3, I4)                                                 \
    RI(P##0, INSN, I0) RI(P##1, INSN, I1) RI(P##2, INSN, I2) RI(P##3, INSN, I3) RI(P##4, INSN, I4)
RI5(addiu_, "addiu", 0, 1, -1, 32767, -32768)
RI5(slti_, "slti", 0, 1, -1, 32767, -32768)
RI5(sltiu_, "sltiu", 0, 1, -1, 32767, -32768)
RI5(andi_, "andi", 0, 1, 0xffff, 0x8000, 0x1234)
RI5(ori_, "ori", 0, 1, 0xffff, 0x8000, 0x1234)
RI5(xori_, "xori", 0, 1, 0xffff, 0x8000, 0x1234)
RI5(sll_, "sll", 0, 1, 4, 16, 31)
RI5(srl_, "srl", 0, 1, 4, 16, 31)
RI5(sra_, "sra", 0, 1, 4, 16, 31)
RI5(rotr_, "rotr", 0, 1, 4, 16, 31)
RI5(addi_, "addi", 0, 1, -1, 32767, -32768)

static void ri(const char *name, uint32_t (*const f[5])(uint32_t), const int imm[5], int trap_add)
{
    for (int k = 0; k < 5; k++)
        for (int i = 0; i < N(V); i++) {
            if (trap_add && add_ovf(V[i], (uint32_t)imm[k]))
                continue;
            out_s(name);
            out_s(" ");
            out_x32(V[i]);
            out_s(" ");
            out_x32((uint32_t)imm[k]);
            out_s(" -> ");
            out_x32(f[k](V[i]));
            out_nl();
        }
}
#define RUN_RI(NAME, P, I0, I1, I2, I3, I4, T)                                           \
    do {                                                                                 \
        static uint32_t (*const f[5])(uint32_t) = {P##0, P##1, P##2, P##3, P##4};        \
        static const int imm[5] = {I0, I1, I2, I3, I4};                                  \
        ri(NAME, f, imm, T);                                                             \
    } while (0)

#define LUI(IMM)                                                                         \
    do {                                                                                 \
        uint32_t r;                                                                      \
        __asm__ volatile("lui %0,%1" : "=r"(r) : "i"(IMM));                              \
        out_s("lui " #IMM " -> ");                                                       \
        out_x32(r);                                                                      \
        out_nl();                                                                        \
    } while (0)

/* ---------------------------------------------------------------- HI/LO */
#define MD(NAME, INSN)                                                                   \
    static void NAME(uint32_t a, uint32_t b, uint32_t *hi, uint32_t *lo)                \
    {                                                                                    \
        __asm__ volatile("mthi %2\n\tmtlo %3\n\t" INSN " %4,%5\n\tmfhi %0\n\tmflo %1"   \
                         : "=&r"(*hi), "=&r"(*lo)                                         \
                         : "r"(*hi), "r"(*lo), "r"(a), "r"(b)                             \
                         : "hi", "lo");                                                   \
    }
MD(md_mult, "mult")
MD(md_multu, "multu")
MD(md_div, "div $0,")
MD(md_divu, "divu $0,")
MD(md_madd, "madd")
MD(md_maddu, "maddu")
MD(md_msub, "msub")
MD(md_msubu, "msubu")

static void md(const char *name, void (*f)(uint32_t, uint32_t, uint32_t *, uint32_t *), int is_div)
{
    for (int i = 0; i < N(V); i++)
        for (int j = 0; j < N(V); j++) {
            uint32_t hi = 0x01234567 ^ V[j], lo = 0x89abcdef ^ V[i];
            if (is_div && V[j] == 0)
                continue; /* UNPREDICTABLE */
            out_s(name);
            out_s(" ");
            out_x32(V[i]);
            out_s(" ");
            out_x32(V[j]);
            out_s(" hi=");
            out_x32(hi);
            out_s(" lo=");
            out_x32(lo);
            f(V[i], V[j], &hi, &lo);
            out_s(" -> hi=");
            out_x32(hi);
            out_s(" lo=");
            out_x32(lo);
            out_nl();
        }
}

/* ---------------------------------------------------------------- one-operand */
#define R1(NAME, INSN)                                                                   \
    static uint32_t NAME(uint32_t a)                                                    \
    {                                                                                    \
        uint32_t r;                                                                      \
        __asm__ volatile(INSN : "=r"(r) : "r"(a));                                       \
        return r;                                                                        \
    }
R1(op_clo, "clo %0,%1")
R1(op_clz, "clz %0,%1")
R1(op_seb, "seb %0,%1")
R1(op_seh, "seh %0,%1")
R1(op_wsbh, "wsbh %0,%1")

static void r1(const char *name, uint32_t (*f)(uint32_t))
{
    static const uint32_t W[] = {0, 1, 0xffffffff, 0x80000000, 0x7fffffff, 0x00ff00ff, 0x0000ff80,
                                 0x00008000, 0xfff0f0f0, 0x12345678};
    for (int i = 0; i < N(W); i++) {
        out_s(name);
        out_s(" ");
        out_x32(W[i]);
        out_s(" -> ");
        out_x32(f(W[i]));
        out_nl();
    }
}

#define EXT(POS, SIZE)                                                                   \
    do {                                                                                 \
        for (int i = 0; i < N(V); i++) {                                                 \
            uint32_t r;                                                                  \
            __asm__ volatile("ext %0,%1,%2,%3" : "=r"(r) : "r"(V[i]), "i"(POS), "i"(SIZE)); \
            out_s("ext " #POS " " #SIZE " ");                                            \
            out_x32(V[i]);                                                               \
            out_s(" -> ");                                                               \
            out_x32(r);                                                                  \
            out_nl();                                                                    \
        }                                                                                \
    } while (0)
#define INS(POS, SIZE)                                                                   \
    do {                                                                                 \
        for (int i = 0; i < N(V); i++) {                                                 \
            uint32_t r = 0xa5a5a5a5;                                                     \
            __asm__ volatile("ins %0,%1,%2,%3" : "+r"(r) : "r"(V[i]), "i"(POS), "i"(SIZE)); \
            out_s("ins " #POS " " #SIZE " a5a5a5a5 ");                                   \
            out_x32(V[i]);                                                               \
            out_s(" -> ");                                                               \
            out_x32(r);                                                                  \
            out_nl();                                                                    \
        }                                                                                \
    } while (0)

/* ---------------------------------------------------------------- conditional moves */
static void cmov(void)
{
    static const uint32_t C[] = {0, 1, 0x80000000};
    for (int i = 0; i < N(C); i++) {
        uint32_t rn = 0x11111111, rz = 0x11111111;
        __asm__ volatile("movn %0,%1,%2" : "+r"(rn) : "r"(0x22222222), "r"(C[i]));
        __asm__ volatile("movz %0,%1,%2" : "+r"(rz) : "r"(0x22222222), "r"(C[i]));
        out_s("movn/movz ");
        out_x32(C[i]);
        out_s(" -> ");
        out_x32(rn);
        out_s(" ");
        out_x32(rz);
        out_nl();
    }
    /* movf/movt on each condition code (set through FCCR). */
    for (int cc = 0; cc < 8; cc++)
        for (int v = 0; v < 2; v++) {
            uint32_t rf = 0x11111111, rt = 0x11111111, fccr = (uint32_t)v << cc;
            __asm__ volatile("ctc1 %0,$25" : : "r"(fccr));
#define MOVC(CC)                                                                         \
    case CC:                                                                             \
        __asm__ volatile("movf %0,%2,$fcc" #CC "\n\tmovt %1,%2,$fcc" #CC                   \
                         : "+r"(rf), "+r"(rt)                                            \
                         : "r"(0x22222222));                                             \
        break;
            switch (cc) {
                MOVC(0) MOVC(1) MOVC(2) MOVC(3) MOVC(4) MOVC(5) MOVC(6) MOVC(7)
            }
            out_s("movf/movt fcc");
            out_d(cc);
            out_s("=");
            out_d(v);
            out_s(" -> ");
            out_x32(rf);
            out_s(" ");
            out_x32(rt);
            out_nl();
        }
    __asm__ volatile("ctc1 $0,$25");
}

/* ---------------------------------------------------------------- traps that do not fire */
static void traps_not_taken(void)
{
    /* Each pair of operands makes its trap condition false; the trapping cases run one at a
     * time as `cputest trap NAME`. */
    __asm__ volatile("teq %0,%1" : : "r"(1), "r"(2));
    __asm__ volatile("tne %0,%1" : : "r"(2), "r"(2));
    __asm__ volatile("tge %0,%1" : : "r"(-1), "r"(0));
    __asm__ volatile("tgeu %0,%1" : : "r"(1), "r"(-1));
    __asm__ volatile("tlt %0,%1" : : "r"(0), "r"(-1));
    __asm__ volatile("tltu %0,%1" : : "r"(-1), "r"(1));
    __asm__ volatile("teqi %0,5" : : "r"(4));
    __asm__ volatile("tnei %0,5" : : "r"(5));
    __asm__ volatile("tgei %0,-3" : : "r"(-4));
    __asm__ volatile("tgeiu %0,-3" : : "r"(7));
    __asm__ volatile("tlti %0,-3" : : "r"(-3));
    __asm__ volatile("tltiu %0,7" : : "r"(-1));
    out_s("traps not taken: ok");
    out_nl();
}

static __thread int tls_var = 42;

static void misc(void)
{
    uint32_t r29, r0, r1;
    __asm__ volatile(".set push\n\t.set mips32r2\n\trdhwr %0,$29\n\trdhwr %1,$0\n\trdhwr %2,$1\n\t.set pop"
                     : "=r"(r29), "=r"(r0), "=r"(r1));
    out_s("rdhwr $29 - &tls_var -> ");
    out_x32(r29 - (uint32_t)(uintptr_t)&tls_var);
    out_s(" tls_var=");
    out_d(tls_var);
    out_s(" $0 -> ");
    out_x32(r0);
    out_s(" $1 -> ");
    out_x32(r1);
    out_nl();
    static uint32_t word = 0x5a5a5a5a;
    __asm__ volatile("sync\n\tsync 0x10\n\tpref 0,0(%0)\n\tpref 4,4(%0)\n\tsynci 0(%1)"
                     :
                     : "r"(&word), "r"(&misc)
                     : "memory");
    out_s("sync/pref/synci: ok ");
    out_x32(word);
    out_nl();
}

void test_int(void)
{
    r3("addu", op_addu, 0);
    r3("add", op_add, 1);
    r3("subu", op_subu, 0);
    r3("sub", op_sub, 2);
    r3("and", op_and, 0);
    r3("or", op_or, 0);
    r3("xor", op_xor, 0);
    r3("nor", op_nor, 0);
    r3("slt", op_slt, 0);
    r3("sltu", op_sltu, 0);
    r3("mul", op_mul, 0);
    r3("sllv", op_sllv, 0);
    r3("srlv", op_srlv, 0);
    r3("srav", op_srav, 0);
    r3("rotrv", op_rotrv, 0);
    RUN_RI("addiu", addiu_, 0, 1, -1, 32767, -32768, 0);
    RUN_RI("addi", addi_, 0, 1, -1, 32767, -32768, 1);
    RUN_RI("slti", slti_, 0, 1, -1, 32767, -32768, 0);
    RUN_RI("sltiu", sltiu_, 0, 1, -1, 32767, -32768, 0);
    RUN_RI("andi", andi_, 0, 1, 0xffff, 0x8000, 0x1234, 0);
    RUN_RI("ori", ori_, 0, 1, 0xffff, 0x8000, 0x1234, 0);
    RUN_RI("xori", xori_, 0, 1, 0xffff, 0x8000, 0x1234, 0);
    RUN_RI("sll", sll_, 0, 1, 4, 16, 31, 0);
    RUN_RI("srl", srl_, 0, 1, 4, 16, 31, 0);
    RUN_RI("sra", sra_, 0, 1, 4, 16, 31, 0);
    RUN_RI("rotr", rotr_, 0, 1, 4, 16, 31, 0);
    LUI(0);
    LUI(1);
    LUI(0x8000);
    LUI(0xffff);
    md("mult", md_mult, 0);
    md("multu", md_multu, 0);
    md("div", md_div, 1);
    md("divu", md_divu, 1);
    md("madd", md_madd, 0);
    md("maddu", md_maddu, 0);
    md("msub", md_msub, 0);
    md("msubu", md_msubu, 0);
    r1("clo", op_clo);
    r1("clz", op_clz);
    r1("seb", op_seb);
    r1("seh", op_seh);
    r1("wsbh", op_wsbh);
    EXT(0, 1);
    EXT(0, 32);
    EXT(4, 8);
    EXT(31, 1);
    EXT(16, 16);
    EXT(3, 29);
    INS(0, 1);
    INS(0, 32);
    INS(4, 8);
    INS(31, 1);
    INS(16, 16);
    INS(3, 29);
    cmov();
    traps_not_taken();
    misc();
}
