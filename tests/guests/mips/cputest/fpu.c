/* FPU (COP1) instructions on edge-case operands: zeros of both signs, denormals, infinities,
 * quiet and signalling NaNs (legacy encoding: the top fraction bit set means signalling),
 * the largest and smallest normals, values that round differently in each mode, overflow and
 * underflow. Each case sets FCSR to the rounding mode (flags, cause and enables clear), runs
 * one instruction and prints the result bits and FCSR. The register model (FR) is printed
 * first: with FR=0 the odd single registers are the high halves of the even doubles. L-format
 * operations need FR=1 (UNPREDICTABLE with FR=0, where QEMU raises Reserved Instruction), so
 * they are built only into -mfp64 programs. */
#include "cputest.h"

#if __mips_fpr == 64
#define FR1 1
#else
#define FR1 0
#endif

static const uint32_t SV[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3fc00000, 0x40490fdb, 0x3eaaaaab,
    0x00000001, 0x807fffff, 0x00800000, 0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000,
    0x7fbfffff, 0xff800001, 0x7fc00000, 0x4effffff, 0xcf000000, 0x3f000000, 0x40200000,
    0xc0200000, 0x4b800001, 0x0c000000,
};
static const uint64_t DV[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
    0x3ff8000000000000ull, 0x400921fb54442d18ull, 0x3fd5555555555555ull, 0x0000000000000001ull,
    0x800fffffffffffffull, 0x0010000000000000ull, 0x7fefffffffffffffull, 0xffefffffffffffffull,
    0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff7ffffffffffffull, 0xfff0000000000001ull,
    0x7ff8000000000000ull, 0x41dfffffffe00000ull, 0xc1e0000000200000ull, 0x3fe0000000000000ull,
    0x4004000000000000ull, 0xc004000000000000ull, 0x43e0000000000000ull, 0x3ff0000000000001ull,
    0x36a0000000000000ull, 0x3690000000000000ull, 0x47efffffe0000000ull, 0x2000000000000000ull,
};
/* Subsets for the three-operand and compare tests (all classes, fewer values). */
static const uint32_t SV3[] = {0x00000000, 0x80000000, 0x3fc00000, 0x3eaaaaab, 0x00800001, 0x7f7fffff,
                               0xff800000, 0x7fbfffff, 0x7fc00000};
static const uint64_t DV3[] = {0x0000000000000000ull, 0x8000000000000000ull, 0x3ff8000000000000ull,
                               0x3fd5555555555555ull, 0x0010000000000001ull, 0x7fefffffffffffffull,
                               0xfff0000000000000ull, 0x7ff7ffffffffffffull, 0x7ff8000000000000ull};
static const uint32_t WV[] = {0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 0x01000001, 0x075bcd15, 0xfeffffff};
__attribute__((unused)) static const uint64_t LV[] = {0, 1, 0xffffffffffffffffull, 0x7fffffffffffffffull, 0x8000000000000000ull,
                              0x0020000000000001ull, 0x0000000001000001ull, 0xffdfffffffffffffull};

static uint32_t fcsr(void)
{
    uint32_t r;
    __asm__ volatile("cfc1 %0,$31" : "=r"(r));
    return r;
}
static void set_fcsr(uint32_t v)
{
    __asm__ volatile("ctc1 %0,$31" : : "r"(v));
}

static void head(const char *name, int rm)
{
    out_s(name);
    if (rm >= 0) {
        out_s(" rm=");
        out_d(rm);
    }
}
static void tail32(uint32_t r)
{
    uint32_t f = fcsr();
    out_s(" -> ");
    out_x32(r);
    out_s(" fcsr=");
    out_x32(f);
    out_nl();
}
static void tail64(uint64_t r)
{
    uint32_t f = fcsr();
    out_s(" -> ");
    out_x64(r);
    out_s(" fcsr=");
    out_x32(f);
    out_nl();
}
static void arg32(uint32_t a)
{
    out_s(" ");
    out_x32(a);
}
static void arg64(uint64_t a)
{
    out_s(" ");
    out_x64(a);
}

/* Doubles go in and out through mtc1/mthc1 and mfc1/mfhc1, which address the same 64 bits
 * in both register models (even registers only). */
#define LD_D(REG, V) "mtc1 %L" #V "," REG "\n\tmthc1 %M" #V "," REG "\n\t"
#define ST_D(REG, V) "mfc1 %L" #V "," REG "\n\tmfhc1 %M" #V "," REG

/* ---------------------------------------------------------------- single */
#define S2(NAME, INSN)                                                                   \
    static uint32_t NAME(uint32_t a, uint32_t b)                                        \
    {                                                                                    \
        uint32_t r;                                                                      \
        __asm__ volatile("mtc1 %1,$f2\n\tmtc1 %2,$f4\n\t" INSN " $f6,$f2,$f4\n\tmfc1 %0,$f6" \
                         : "=r"(r) : "r"(a), "r"(b) : "$f2", "$f4", "$f6");              \
        return r;                                                                        \
    }
#define S1(NAME, INSN)                                                                   \
    static uint32_t NAME(uint32_t a)                                                    \
    {                                                                                    \
        uint32_t r;                                                                      \
        __asm__ volatile("mtc1 %1,$f2\n\t" INSN " $f6,$f2\n\tmfc1 %0,$f6"                 \
                         : "=r"(r) : "r"(a) : "$f2", "$f6");                             \
        return r;                                                                        \
    }
#define S3(NAME, INSN)                                                                   \
    static uint32_t NAME(uint32_t a, uint32_t b, uint32_t c)                            \
    {                                                                                    \
        uint32_t r;                                                                      \
        __asm__ volatile("mtc1 %1,$f2\n\tmtc1 %2,$f4\n\tmtc1 %3,$f8\n\t" INSN " $f6,$f8,$f2,$f4\n\t" \
                         "mfc1 %0,$f6"                                                   \
                         : "=r"(r) : "r"(a), "r"(b), "r"(c) : "$f2", "$f4", "$f6", "$f8"); \
        return r;                                                                        \
    }
/* ---------------------------------------------------------------- double */
#define D2(NAME, INSN)                                                                   \
    static uint64_t NAME(uint64_t a, uint64_t b)                                        \
    {                                                                                    \
        uint64_t r;                                                                      \
        __asm__ volatile(LD_D("$f2", 1) LD_D("$f4", 2) INSN " $f6,$f2,$f4\n\t" ST_D("$f6", 0) \
                         : "=&r"(r) : "r"(a), "r"(b) : "$f2", "$f4", "$f6");             \
        return r;                                                                        \
    }
#define D1(NAME, INSN)                                                                   \
    static uint64_t NAME(uint64_t a)                                                    \
    {                                                                                    \
        uint64_t r;                                                                      \
        __asm__ volatile(LD_D("$f2", 1) INSN " $f6,$f2\n\t" ST_D("$f6", 0)               \
                         : "=&r"(r) : "r"(a) : "$f2", "$f6");                            \
        return r;                                                                        \
    }
#define D3(NAME, INSN)                                                                   \
    static uint64_t NAME(uint64_t a, uint64_t b, uint64_t c)                            \
    {                                                                                    \
        uint64_t r;                                                                      \
        __asm__ volatile(LD_D("$f2", 1) LD_D("$f4", 2) LD_D("$f8", 3) INSN " $f6,$f8,$f2,$f4\n\t" \
                         ST_D("$f6", 0)                                                  \
                         : "=&r"(r) : "r"(a), "r"(b), "r"(c) : "$f2", "$f4", "$f6", "$f8"); \
        return r;                                                                        \
    }
/* Conversions between a 32-bit and a 64-bit register. */
#define C_SD(NAME, INSN) /* 32-bit source, 64-bit result */                              \
    static uint64_t NAME(uint32_t a)                                                    \
    {                                                                                    \
        uint64_t r;                                                                      \
        __asm__ volatile("mtc1 %1,$f2\n\t" INSN " $f6,$f2\n\t" ST_D("$f6", 0)            \
                         : "=&r"(r) : "r"(a) : "$f2", "$f6");                            \
        return r;                                                                        \
    }
#define C_DS(NAME, INSN) /* 64-bit source, 32-bit result */                              \
    static uint32_t NAME(uint64_t a)                                                    \
    {                                                                                    \
        uint32_t r;                                                                      \
        __asm__ volatile(LD_D("$f2", 1) INSN " $f6,$f2\n\tmfc1 %0,$f6"                    \
                         : "=&r"(r) : "r"(a) : "$f2", "$f6");                            \
        return r;                                                                        \
    }

S2(add_s, "add.s")
S2(sub_s, "sub.s")
S2(mul_s, "mul.s")
S2(div_s, "div.s")
S1(sqrt_s, "sqrt.s")
S1(abs_s, "abs.s")
S1(neg_s, "neg.s")
S1(mov_s, "mov.s")
S1(recip_s, "recip.s")
S1(rsqrt_s, "rsqrt.s")
S3(madd_s, "madd.s")
S3(msub_s, "msub.s")
S3(nmadd_s, "nmadd.s")
S3(nmsub_s, "nmsub.s")
S1(cvt_w_s, "cvt.w.s")
S1(round_w_s, "round.w.s")
S1(trunc_w_s, "trunc.w.s")
S1(ceil_w_s, "ceil.w.s")
S1(floor_w_s, "floor.w.s")
S1(cvt_s_w, "cvt.s.w")
D2(add_d, "add.d")
D2(sub_d, "sub.d")
D2(mul_d, "mul.d")
D2(div_d, "div.d")
D1(sqrt_d, "sqrt.d")
D1(abs_d, "abs.d")
D1(neg_d, "neg.d")
D1(mov_d, "mov.d")
D3(madd_d, "madd.d")
D3(msub_d, "msub.d")
D3(nmadd_d, "nmadd.d")
D3(nmsub_d, "nmsub.d")
C_SD(cvt_d_s, "cvt.d.s")
C_SD(cvt_d_w, "cvt.d.w")
C_DS(cvt_s_d, "cvt.s.d")
C_DS(cvt_w_d, "cvt.w.d")
C_DS(round_w_d, "round.w.d")
C_DS(trunc_w_d, "trunc.w.d")
C_DS(ceil_w_d, "ceil.w.d")
C_DS(floor_w_d, "floor.w.d")
#if FR1
D1(recip_d, "recip.d")
D1(rsqrt_d, "rsqrt.d")
C_SD(cvt_l_s, "cvt.l.s")
C_SD(round_l_s, "round.l.s")
C_SD(trunc_l_s, "trunc.l.s")
C_SD(ceil_l_s, "ceil.l.s")
C_SD(floor_l_s, "floor.l.s")
D1(cvt_l_d, "cvt.l.d")
D1(round_l_d, "round.l.d")
D1(trunc_l_d, "trunc.l.d")
D1(ceil_l_d, "ceil.l.d")
D1(floor_l_d, "floor.l.d")
D1(cvt_d_l, "cvt.d.l")
C_DS(cvt_s_l, "cvt.s.l")
#endif

static void s2(const char *name, uint32_t (*f)(uint32_t, uint32_t))
{
    for (int rm = 0; rm < 4; rm++)
        for (int i = 0; i < N(SV); i++)
            for (int j = 0; j < N(SV); j++) {
                head(name, rm);
                arg32(SV[i]);
                arg32(SV[j]);
                set_fcsr(rm);
                tail32(f(SV[i], SV[j]));
            }
}
static void d2(const char *name, uint64_t (*f)(uint64_t, uint64_t))
{
    for (int rm = 0; rm < 4; rm++)
        for (int i = 0; i < N(DV); i++)
            for (int j = 0; j < N(DV); j++) {
                head(name, rm);
                arg64(DV[i]);
                arg64(DV[j]);
                set_fcsr(rm);
                tail64(f(DV[i], DV[j]));
            }
}
static void s1(const char *name, uint32_t (*f)(uint32_t), const uint32_t *v, int n)
{
    for (int rm = 0; rm < 4; rm++)
        for (int i = 0; i < n; i++) {
            head(name, rm);
            arg32(v[i]);
            set_fcsr(rm);
            tail32(f(v[i]));
        }
}
static void d1(const char *name, uint64_t (*f)(uint64_t), const uint64_t *v, int n)
{
    for (int rm = 0; rm < 4; rm++)
        for (int i = 0; i < n; i++) {
            head(name, rm);
            arg64(v[i]);
            set_fcsr(rm);
            tail64(f(v[i]));
        }
}
static void sd(const char *name, uint64_t (*f)(uint32_t), const uint32_t *v, int n)
{
    for (int rm = 0; rm < 4; rm++)
        for (int i = 0; i < n; i++) {
            head(name, rm);
            arg32(v[i]);
            set_fcsr(rm);
            tail64(f(v[i]));
        }
}
static void ds(const char *name, uint32_t (*f)(uint64_t), const uint64_t *v, int n)
{
    for (int rm = 0; rm < 4; rm++)
        for (int i = 0; i < n; i++) {
            head(name, rm);
            arg64(v[i]);
            set_fcsr(rm);
            tail32(f(v[i]));
        }
}
static void s3(const char *name, uint32_t (*f)(uint32_t, uint32_t, uint32_t))
{
    for (int rm = 0; rm < 1; rm++) /* rounding modes: madd_rounding() */
        for (int i = 0; i < N(SV3); i++)
            for (int j = 0; j < N(SV3); j++)
                for (int k = 0; k < N(SV3); k++) {
                    head(name, rm);
                    arg32(SV3[i]);
                    arg32(SV3[j]);
                    arg32(SV3[k]);
                    set_fcsr(rm);
                    tail32(f(SV3[i], SV3[j], SV3[k]));
                }
}
static void d3(const char *name, uint64_t (*f)(uint64_t, uint64_t, uint64_t))
{
    for (int rm = 0; rm < 1; rm++)
        for (int i = 0; i < N(DV3); i++)
            for (int j = 0; j < N(DV3); j++)
                for (int k = 0; k < N(DV3); k++) {
                    head(name, rm);
                    arg64(DV3[i]);
                    arg64(DV3[j]);
                    arg64(DV3[k]);
                    set_fcsr(rm);
                    tail64(f(DV3[i], DV3[j], DV3[k]));
                }
}

/* Rounding-mode-sensitive three-operand cases: products that round, then sums near ties. */
static void madd_rounding(void)
{
    static const uint32_t a[] = {0x3f800001, 0x3eaaaaab, 0x4b7fffff, 0x00400000};
    static const uint32_t c[] = {0x3f800000, 0xbf800000, 0x34000000, 0x80000001};
    for (int rm = 0; rm < 4; rm++)
        for (int i = 0; i < N(a); i++)
            for (int k = 0; k < N(c); k++) {
                head("madd.s", rm);
                arg32(a[i]);
                arg32(a[i]);
                arg32(c[k]);
                set_fcsr(rm);
                tail32(madd_s(a[i], a[i], c[k]));
                head("nmsub.s", rm);
                arg32(a[i]);
                arg32(a[i]);
                arg32(c[k]);
                set_fcsr(rm);
                tail32(nmsub_s(a[i], a[i], c[k]));
            }
}

/* ---------------------------------------------------------------- compares */
#define CMP_CASE(FMT, COND, NAME)                                                        \
    case COND:                                                                           \
        __asm__ volatile("c." NAME "." FMT " $f2,$f4" : : : "memory");                   \
        break;
#define CMP_ALL(FMT)                                                                     \
    CMP_CASE(FMT, 0, "f") CMP_CASE(FMT, 1, "un") CMP_CASE(FMT, 2, "eq") CMP_CASE(FMT, 3, "ueq") \
    CMP_CASE(FMT, 4, "olt") CMP_CASE(FMT, 5, "ult") CMP_CASE(FMT, 6, "ole") CMP_CASE(FMT, 7, "ule") \
    CMP_CASE(FMT, 8, "sf") CMP_CASE(FMT, 9, "ngle") CMP_CASE(FMT, 10, "seq") CMP_CASE(FMT, 11, "ngl") \
    CMP_CASE(FMT, 12, "lt") CMP_CASE(FMT, 13, "nge") CMP_CASE(FMT, 14, "le") CMP_CASE(FMT, 15, "ngt")

static void cmp(void)
{
    for (int cond = 0; cond < 16; cond++)
        for (int i = 0; i < N(SV3); i++)
            for (int j = 0; j < N(SV3); j++) {
                out_s("c.");
                out_d(cond);
                out_s(".s");
                arg32(SV3[i]);
                arg32(SV3[j]);
                __asm__ volatile("mtc1 %0,$f2\n\tmtc1 %1,$f4" : : "r"(SV3[i]), "r"(SV3[j]) : "$f2", "$f4");
                set_fcsr(0x00800000); /* fcc0 set beforehand: the compare must clear it */
                switch (cond) {
                    CMP_ALL("s")
                }
                tail32(0);
            }
    for (int cond = 0; cond < 16; cond++)
        for (int i = 0; i < N(DV3); i++)
            for (int j = 0; j < N(DV3); j++) {
                out_s("c.");
                out_d(cond);
                out_s(".d");
                arg64(DV3[i]);
                arg64(DV3[j]);
                __asm__ volatile(LD_D("$f2", 0) LD_D("$f4", 1) "" : : "r"(DV3[i]), "r"(DV3[j]) : "$f2", "$f4");
                set_fcsr(0x00800000);
                switch (cond) {
                    CMP_ALL("d")
                }
                tail32(0);
            }
    /* Other condition codes: c.eq.s into $fcc1..7 leaves the rest alone. */
    for (int v = 0; v < 2; v++) {
        __asm__ volatile("mtc1 %0,$f2\n\tmtc1 %1,$f4" : : "r"(0x3f800000), "r"(v ? 0x3f800000 : 0) : "$f2", "$f4");
        set_fcsr(v ? 0 : 0xfe800000);
        __asm__ volatile("c.eq.s $fcc1,$f2,$f4\n\tc.eq.s $fcc3,$f2,$f4\n\tc.eq.s $fcc7,$f2,$f4\n\t"
                         "c.eq.s $fcc4,$f2,$f4");
        out_s("c.eq.s fcc1,3,4,7 equal=");
        out_d(v);
        tail32(0);
    }
}

/* ---------------------------------------------------------------- moves, loads, stores */
static uint64_t fbuf[4] __attribute__((aligned(16)));

static void moves(void)
{
    uint32_t lo, hi, x;
#if __mips_fpr == 0
    /* FPXX code runs in either register model and must not tell them apart (the kernel
     * chooses: Linux takes FR=0 before Release 6, qemu-user 7.2 takes FR=1). */
    (void)lo;
    (void)hi;
    (void)x;
    out_s("register model: fpxx (either)");
    out_nl();
#else
    /* Register model: write $f0 and $f1 as singles, read the double $f0's halves. Raw words:
     * odd single registers are rejected by the FPXX assembler. */
    __asm__ volatile("li $8,0x11111111\n\tli $9,0x22222222\n\tmtc1 $0,$f0\n\tmthc1 $0,$f0\n\t"
                     ".word 0x44880000\n\t" /* mtc1 $8,$f0 */
                     ".word 0x44890800\n\t" /* mtc1 $9,$f1 */
                     ".word 0x44020000\n\t" /* mfc1 $2,$f0 */
                     ".word 0x44630000\n\t" /* mfhc1 $3,$f0 */
                     ".word 0x44040800\n\t" /* mfc1 $4,$f1 */
                     "move %0,$2\n\tmove %1,$3\n\tmove %2,$4"
                     : "=r"(lo), "=r"(hi), "=r"(x)
                     :
                     : "$2", "$3", "$4", "$8", "$9", "$f0", "$f2");
    out_s("register model: fr=");
    out_d(hi == 0x22222222 ? 0 : 1);
    out_s(" f0=");
    out_x32(lo);
    out_s(" f0.hi=");
    out_x32(hi);
    out_s(" f1=");
    out_x32(x);
    out_nl();
#endif
    /* mov/movz/movn/movf/movt for S and D. */
    for (int c = 0; c < 2; c++) {
        uint32_t rs;
        uint64_t rd;
        uint32_t sel = c ? 5 : 0;
        set_fcsr(c ? 0x00800000 : 0);
        __asm__ volatile("li $8,0x11111111\n\tmtc1 $8,$f6\n\tli $8,0x22222222\n\tmtc1 $8,$f2\n\t"
                         "movz.s $f6,$f2,%1\n\tmfc1 %0,$f6"
                         : "=r"(rs) : "r"(sel) : "$8", "$f2", "$f6");
        out_s("movz.s ");
        out_d(sel);
        out_s(" -> ");
        out_x32(rs);
        __asm__ volatile("li $8,0x11111111\n\tmtc1 $8,$f6\n\tli $8,0x22222222\n\tmtc1 $8,$f2\n\t"
                         "movn.s $f6,$f2,%1\n\tmfc1 %0,$f6"
                         : "=r"(rs) : "r"(sel) : "$8", "$f2", "$f6");
        out_s(" movn.s -> ");
        out_x32(rs);
        __asm__ volatile("li $8,0x11111111\n\tmtc1 $8,$f6\n\tli $8,0x22222222\n\tmtc1 $8,$f2\n\t"
                         "movf.s $f6,$f2,$fcc0\n\tmfc1 %0,$f6"
                         : "=r"(rs) : : "$8", "$f2", "$f6");
        out_s(" movf.s -> ");
        out_x32(rs);
        __asm__ volatile("li $8,0x11111111\n\tmtc1 $8,$f6\n\tli $8,0x22222222\n\tmtc1 $8,$f2\n\t"
                         "movt.s $f6,$f2,$fcc0\n\tmfc1 %0,$f6"
                         : "=r"(rs) : : "$8", "$f2", "$f6");
        out_s(" movt.s -> ");
        out_x32(rs);
        out_nl();
        uint64_t a = 0x1111111133333333ull, b = 0x2222222244444444ull;
#define MOVD(INSN, SEL)                                                                  \
    __asm__ volatile(LD_D("$f6", 1) LD_D("$f2", 2) INSN "\n\t" ST_D("$f6", 0)             \
                     : "=&r"(rd) : "r"(a), "r"(b), "r"(SEL) : "$f2", "$f6");              \
    out_s(" " INSN " -> ");                                                              \
    out_x64(rd);
        out_s("fcc0=");
        out_d(c);
        MOVD("movz.d $f6,$f2,%3", sel)
        MOVD("movn.d $f6,$f2,%3", sel)
        MOVD("movf.d $f6,$f2,$fcc0", sel)
        MOVD("movt.d $f6,$f2,$fcc0", sel)
        MOVD("mov.d $f6,$f2", sel)
        out_nl();
    }
    set_fcsr(0);
    /* Loads and stores, plain and indexed. */
    fbuf[0] = 0x0123456789abcdefull;
    fbuf[1] = 0xfedcba9876543210ull;
    uint32_t w0, w1;
    uint64_t d0;
    __asm__ volatile("lwc1 $f2,4(%2)\n\tmfc1 %0,$f2\n\tldc1 $f4,8(%2)\n\t" ST_D("$f4", 1) "\n\t"
                     "swc1 $f2,16(%2)\n\tsdc1 $f4,24(%2)"
                     : "=&r"(w0), "=&r"(d0) : "r"(fbuf) : "$f2", "$f4", "memory");
    out_s("lwc1/ldc1/swc1/sdc1 -> ");
    out_x32(w0);
    out_s(" ");
    out_x64(d0);
    out_s(" ");
    out_x64(fbuf[2]);
    out_s(" ");
    out_x64(fbuf[3]);
    out_nl();
    uint32_t idx = 8;
    __asm__ volatile("lwxc1 $f2,%3(%2)\n\tmfc1 %0,$f2\n\tldxc1 $f4,%3(%2)\n\t" ST_D("$f4", 1) "\n\t"
                     "addiu $8,%3,4\n\tswxc1 $f2,$8(%2)\n\taddiu $8,%3,16\n\tsdxc1 $f4,$8(%2)\n\t"
                     "prefx 0,%3(%2)"
                     : "=&r"(w1), "=&r"(d0) : "r"(fbuf), "r"(idx) : "$8", "$f2", "$f4", "memory");
    out_s("lwxc1/ldxc1/swxc1/sdxc1/prefx -> ");
    out_x32(w1);
    out_s(" ");
    out_x64(d0);
    out_s(" ");
    out_x64(fbuf[1]);
    out_s(" ");
    out_x64(fbuf[3]);
    out_nl();
#if FR1
    fbuf[0] = 0x0123456789abcdefull;
    fbuf[1] = 0xfedcba9876543210ull;
    idx = 13; /* luxc1/suxc1 ignore the low three address bits */
    __asm__ volatile("luxc1 $f4,%2(%1)\n\t" ST_D("$f4", 0) "\n\tsuxc1 $f4,%2(%1)"
                     : "=&r"(d0) : "r"(fbuf), "r"(idx) : "$f4", "memory");
    out_s("luxc1/suxc1 -> ");
    out_x64(d0);
    out_s(" ");
    out_x64(fbuf[1]);
    out_nl();
#endif
    /* FCSR through its aliases: FCCR (25), FEXR (26), FENR (28). */
    static const uint32_t wr[] = {0xffffffff, 0x0003f07c, 0x01000f83, 0xfe800000, 0x00000003};
    for (int i = 0; i < N(wr); i++) {
        uint32_t fccr, fexr, fenr, all;
        set_fcsr(wr[i] & 0xfe81f07f); /* no E cause and no enables: no exception */
        __asm__ volatile("cfc1 %0,$25\n\tcfc1 %1,$26\n\tcfc1 %2,$28\n\tcfc1 %3,$31"
                         : "=r"(fccr), "=r"(fexr), "=r"(fenr), "=r"(all));
        out_s("ctc1 $31 ");
        out_x32(wr[i] & 0xfe81f07f);
        out_s(" -> fccr=");
        out_x32(fccr);
        out_s(" fexr=");
        out_x32(fexr);
        out_s(" fenr=");
        out_x32(fenr);
        out_s(" fcsr=");
        out_x32(all);
        out_nl();
    }
    for (int i = 0; i < N(wr); i++) {
        uint32_t v = wr[i];
        set_fcsr(0);
        __asm__ volatile("ctc1 %0,$25" : : "r"(v & 0xff));
        out_s("ctc1 $25 ");
        out_x32(v & 0xff);
        tail32(0);
        set_fcsr(0);
        __asm__ volatile("ctc1 %0,$26" : : "r"(v & 0x0003f07c & ~0x20000u));
        out_s("ctc1 $26 ");
        out_x32(v & 0x0003f07c & ~0x20000u);
        tail32(0);
        set_fcsr(0);
        __asm__ volatile("ctc1 %0,$28" : : "r"(v & 0x00000f87));
        out_s("ctc1 $28 ");
        out_x32(v & 0x00000f87);
        tail32(0);
    }
    set_fcsr(0);
}

void test_fpu(void)
{
    moves();
    s2("add.s", add_s);
    s2("sub.s", sub_s);
    s2("mul.s", mul_s);
    s2("div.s", div_s);
    s1("sqrt.s", sqrt_s, SV, N(SV));
    s1("abs.s", abs_s, SV, N(SV));
    s1("neg.s", neg_s, SV, N(SV));
    s1("mov.s", mov_s, SV, N(SV));
    s1("recip.s", recip_s, SV, N(SV));
    s1("rsqrt.s", rsqrt_s, SV, N(SV));
    s3("madd.s", madd_s);
    s3("msub.s", msub_s);
    s3("nmadd.s", nmadd_s);
    s3("nmsub.s", nmsub_s);
    madd_rounding();
    s1("cvt.w.s", cvt_w_s, SV, N(SV));
    s1("round.w.s", round_w_s, SV, N(SV));
    s1("trunc.w.s", trunc_w_s, SV, N(SV));
    s1("ceil.w.s", ceil_w_s, SV, N(SV));
    s1("floor.w.s", floor_w_s, SV, N(SV));
    s1("cvt.s.w", cvt_s_w, WV, N(WV));
    sd("cvt.d.s", cvt_d_s, SV, N(SV));
    sd("cvt.d.w", cvt_d_w, WV, N(WV));
    d2("add.d", add_d);
    d2("sub.d", sub_d);
    d2("mul.d", mul_d);
    d2("div.d", div_d);
    d1("sqrt.d", sqrt_d, DV, N(DV));
    d1("abs.d", abs_d, DV, N(DV));
    d1("neg.d", neg_d, DV, N(DV));
    d1("mov.d", mov_d, DV, N(DV));
    d3("madd.d", madd_d);
    d3("msub.d", msub_d);
    d3("nmadd.d", nmadd_d);
    d3("nmsub.d", nmsub_d);
    ds("cvt.s.d", cvt_s_d, DV, N(DV));
    ds("cvt.w.d", cvt_w_d, DV, N(DV));
    ds("round.w.d", round_w_d, DV, N(DV));
    ds("trunc.w.d", trunc_w_d, DV, N(DV));
    ds("ceil.w.d", ceil_w_d, DV, N(DV));
    ds("floor.w.d", floor_w_d, DV, N(DV));
#if FR1
    d1("recip.d", recip_d, DV, N(DV));
    d1("rsqrt.d", rsqrt_d, DV, N(DV));
    sd("cvt.l.s", cvt_l_s, SV, N(SV));
    sd("round.l.s", round_l_s, SV, N(SV));
    sd("trunc.l.s", trunc_l_s, SV, N(SV));
    sd("ceil.l.s", ceil_l_s, SV, N(SV));
    sd("floor.l.s", floor_l_s, SV, N(SV));
    d1("cvt.l.d", cvt_l_d, DV, N(DV));
    d1("round.l.d", round_l_d, DV, N(DV));
    d1("trunc.l.d", trunc_l_d, DV, N(DV));
    d1("ceil.l.d", ceil_l_d, DV, N(DV));
    d1("floor.l.d", floor_l_d, DV, N(DV));
    d1("cvt.d.l", cvt_d_l, LV, N(LV));
    ds("cvt.s.l", cvt_s_l, LV, N(LV));
#else
    out_s("L format, recip.d, rsqrt.d: not built (FR=0)\n");
#endif
    cmp();
    /* Flush to zero (FCSR.FS): denormal operands and tiny results. */
    static const uint32_t fs_a[] = {0x00000001, 0x807fffff, 0x00800000, 0x3f800000};
    for (int rm = 0; rm < 4; rm++)
        for (int i = 0; i < N(fs_a); i++)
            for (int j = 0; j < N(fs_a); j++) {
                head("fs add.s", rm);
                arg32(fs_a[i]);
                arg32(fs_a[j]);
                set_fcsr(0x01000000 | rm);
                tail32(add_s(fs_a[i], fs_a[j]));
                head("fs mul.s", rm);
                arg32(fs_a[i]);
                arg32(0x3f000000);
                set_fcsr(0x01000000 | rm);
                tail32(mul_s(fs_a[i], 0x3f000000));
            }
    set_fcsr(0);
}
