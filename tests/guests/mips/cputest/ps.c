/* `cputest ps`: paired-single instructions (FR=1). qemu-user's MIPS32 CPUs have no paired
 * single, so each result is checked here against the same operation done in S format on
 * each half (whose results the main test compares with qemu-user): the PS result must be the
 * two S results side by side and FCSR must hold the union of their causes. Prints one line
 * per operation with the number of cases and mismatches, and every mismatch. */
#include "cputest.h"

#if __mips_fpr == 64
static const uint32_t PV[] = {0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3eaaaaab, 0x00000001,
                              0x00800000, 0x7f7fffff, 0xff800000, 0x7fbfffff, 0x7fc00000, 0x4effffff};

static uint32_t fcsr(void) { uint32_t r; __asm__ volatile("cfc1 %0,$31" : "=r"(r)); return r; }
static void set_fcsr(uint32_t v) { __asm__ volatile("ctc1 %0,$31" : : "r"(v)); }
#define LD_D(REG, V) "mtc1 %L" #V "," REG "\n\tmthc1 %M" #V "," REG "\n\t"
#define ST_D(REG, V) "mfc1 %L" #V "," REG "\n\tmfhc1 %M" #V "," REG

#define OPS(NAME, SINSN, PINSN, K)                                                       \
    static uint32_t s_##NAME(uint32_t a, uint32_t b, uint32_t c) {                      \
        uint32_t r; (void)b; (void)c;                                                    \
        __asm__ volatile("mtc1 %1,$f2\n\tmtc1 %2,$f4\n\tmtc1 %3,$f8\n\t" SINSN "\n\tmfc1 %0,$f6" \
                         : "=r"(r) : "r"(a), "r"(b), "r"(c) : "$f2", "$f4", "$f6", "$f8"); \
        return r; }                                                                      \
    static uint64_t p_##NAME(uint64_t a, uint64_t b, uint64_t c) {                      \
        uint64_t r; (void)b; (void)c;                                                    \
        __asm__ volatile(LD_D("$f2", 1) LD_D("$f4", 2) LD_D("$f8", 3) PINSN "\n\t" ST_D("$f6", 0) \
                         : "=&r"(r) : "r"(a), "r"(b), "r"(c) : "$f2", "$f4", "$f6", "$f8"); \
        return r; }
OPS(add, "add.s $f6,$f2,$f4", "add.ps $f6,$f2,$f4", 2)
OPS(sub, "sub.s $f6,$f2,$f4", "sub.ps $f6,$f2,$f4", 2)
OPS(mul, "mul.s $f6,$f2,$f4", "mul.ps $f6,$f2,$f4", 2)
OPS(abs, "abs.s $f6,$f2", "abs.ps $f6,$f2", 1)
OPS(neg, "neg.s $f6,$f2", "neg.ps $f6,$f2", 1)
OPS(mov, "mov.s $f6,$f2", "mov.ps $f6,$f2", 1)
OPS(madd, "madd.s $f6,$f8,$f2,$f4", "madd.ps $f6,$f8,$f2,$f4", 3)
OPS(msub, "msub.s $f6,$f8,$f2,$f4", "msub.ps $f6,$f8,$f2,$f4", 3)
OPS(nmadd, "nmadd.s $f6,$f8,$f2,$f4", "nmadd.ps $f6,$f8,$f2,$f4", 3)
OPS(nmsub, "nmsub.s $f6,$f8,$f2,$f4", "nmsub.ps $f6,$f8,$f2,$f4", 3)

typedef uint32_t (*sfn)(uint32_t, uint32_t, uint32_t);
typedef uint64_t (*pfn)(uint64_t, uint64_t, uint64_t);

static void check(const char *name, sfn s, pfn p, int arity)
{
    int n = 0, bad = 0;
    for (int rm = 0; rm < 4; rm++)
        for (int i = 0; i < N(PV); i++)
            for (int j = 0; j < N(PV); j++)
                for (int k = 0; k < (arity == 3 ? 3 : 1); k++) {
                    /* halves: lo from (i, j, k), hi from rotated operands */
                    uint32_t al = PV[i], bl = PV[j], cl = PV[(i + j + k) % N(PV)];
                    uint32_t ah = PV[j], bh = PV[(i + k) % N(PV)], ch = PV[k * 5 % N(PV)];
                    set_fcsr(rm);
                    uint32_t rl = s(al, bl, cl);
                    uint32_t fl = fcsr();
                    set_fcsr(rm);
                    uint32_t rh = s(ah, bh, ch);
                    uint32_t fh = fcsr();
                    set_fcsr(rm);
                    uint64_t r = p((uint64_t)ah << 32 | al, (uint64_t)bh << 32 | bl, (uint64_t)ch << 32 | cl);
                    uint32_t f = fcsr();
                    uint64_t want = (uint64_t)rh << 32 | rl;
                    uint32_t wantf = fl | fh;
                    n++;
                    if (r != want || f != wantf) {
                        bad++;
                        out_s("  mismatch ");
                        out_s(name);
                        out_s(" rm=");
                        out_d(rm);
                        out_s(" ");
                        out_x64((uint64_t)ah << 32 | al);
                        out_s(" ");
                        out_x64((uint64_t)bh << 32 | bl);
                        out_s(" -> ");
                        out_x64(r);
                        out_s(" fcsr=");
                        out_x32(f);
                        out_s(" want ");
                        out_x64(want);
                        out_s(" fcsr=");
                        out_x32(wantf);
                        out_nl();
                    }
                }
    out_s(name);
    out_s(": ");
    out_d(n);
    out_s(" cases, ");
    out_d(bad);
    out_s(" mismatches");
    out_nl();
}

static void compares(void)
{
    int n = 0, bad = 0;
    for (int i = 0; i < N(PV); i++)
        for (int j = 0; j < N(PV); j++) {
            uint32_t al = PV[i], bl = PV[j], ah = PV[j], bh = PV[(i * 7 + 3) % N(PV)];
            uint32_t fs, fp, fl, fh;
            /* c.ult: quiet; c.nge: signalling */
            set_fcsr(0);
            __asm__ volatile("mtc1 %0,$f2\n\tmtc1 %1,$f4\n\tc.ult.s $fcc2,$f2,$f4" : : "r"(al), "r"(bl) : "$f2", "$f4");
            fl = fcsr();
            set_fcsr(0);
            __asm__ volatile("mtc1 %0,$f2\n\tmtc1 %1,$f4\n\tc.ult.s $fcc3,$f2,$f4" : : "r"(ah), "r"(bh) : "$f2", "$f4");
            fh = fcsr();
            fs = fl | fh;
            set_fcsr(0);
            uint64_t a = (uint64_t)ah << 32 | al, b = (uint64_t)bh << 32 | bl;
            __asm__ volatile(LD_D("$f2", 0) LD_D("$f4", 1) "c.ult.ps $fcc2,$f2,$f4" : : "r"(a), "r"(b) : "$f2", "$f4");
            fp = fcsr();
            n++;
            if (fp != fs) {
                bad++;
                out_s("  mismatch c.ult.ps ");
                out_x64(a);
                out_s(" ");
                out_x64(b);
                out_s(" fcsr=");
                out_x32(fp);
                out_s(" want ");
                out_x32(fs);
                out_nl();
            }
        }
    out_s("c.ult.ps: ");
    out_d(n);
    out_s(" cases, ");
    out_d(bad);
    out_s(" mismatches");
    out_nl();
}

static void moves(void)
{
    uint64_t a = 0x1111111122222222ull, b = 0x3333333344444444ull, r;
    uint32_t lo, hi;
#define PM(LABEL, INSN)                                                                  \
    __asm__ volatile(LD_D("$f2", 1) LD_D("$f4", 2) INSN "\n\t" ST_D("$f6", 0)             \
                     : "=&r"(r) : "r"(a), "r"(b) : "$8", "$f2", "$f4", "$f6");             \
    out_s(LABEL " -> ");                                                                 \
    out_x64(r);                                                                          \
    out_nl();
    PM("pll.ps", "pll.ps $f6,$f2,$f4")
    PM("plu.ps", "plu.ps $f6,$f2,$f4")
    PM("pul.ps", "pul.ps $f6,$f2,$f4")
    PM("puu.ps", "puu.ps $f6,$f2,$f4")
    PM("cvt.ps.s", "cvt.ps.s $f6,$f2,$f4")
    PM("alnv.ps 0", "li $8,0\n\talnv.ps $f6,$f2,$f4,$8")
    PM("alnv.ps 4", "li $8,4\n\talnv.ps $f6,$f2,$f4,$8")
    __asm__ volatile(LD_D("$f2", 2) "cvt.s.pl $f6,$f2\n\tmfc1 %0,$f6\n\tcvt.s.pu $f6,$f2\n\tmfc1 %1,$f6"
                     : "=&r"(lo), "=&r"(hi) : "r"(a) : "$f2", "$f6");
    out_s("cvt.s.pl/cvt.s.pu -> ");
    out_x32(lo);
    out_s(" ");
    out_x32(hi);
    out_nl();
}

void test_fpu_ps(void)
{
    moves();
    check("add.ps", s_add, p_add, 2);
    check("sub.ps", s_sub, p_sub, 2);
    check("mul.ps", s_mul, p_mul, 2);
    check("abs.ps", s_abs, p_abs, 1);
    check("neg.ps", s_neg, p_neg, 1);
    check("mov.ps", s_mov, p_mov, 1);
    check("madd.ps", s_madd, p_madd, 3);
    check("msub.ps", s_msub, p_msub, 3);
    check("nmadd.ps", s_nmadd, p_nmadd, 3);
    check("nmsub.ps", s_nmsub, p_nmsub, 3);
    compares();
}
#else
void test_fpu_ps(void)
{
    out_s("paired single needs FR=1 (build with -mfp64)\n");
}
#endif
