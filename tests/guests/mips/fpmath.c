/* Floating point (COP1): single and double add/sub/mul/div/sqrt/abs/neg,
 * compares and FP branches (c.cond.fmt + bc1t/bc1f), int<->fp conversions
 * (cvt.*, trunc.w.*), moves between GPRs and FPRs (mtc1/mfc1/mthc1), FP loads
 * and stores (lwc1/ldc1/swc1/sdc1), plus libm floor/fmod/ldexp/frexp.
 * Only exactly-rounded operations are used, so output is host-independent. */
#include <math.h>
#include "guest.h"

static uint32_t bits_f(float f)
{
    union { float f; uint32_t u; } v = {f};
    return v.u;
}

static uint32_t bits_d(double d)
{
    union { double d; uint64_t u; } v = {d};
    return (uint32_t)v.u ^ (uint32_t)(v.u >> 32);
}

uint32_t test_float(void)
{
    float acc = (float)(g_seed & 0xffff) / 65536.0f, m[4][4], r[4][4];
    uint32_t h = 0;
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            m[i][j] = (float)(i * 4 + j) * 0.25f - acc;
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) {
            float s = 0.0f;
            for (int k = 0; k < 4; k++) s += m[i][k] * m[k][j];
            r[i][j] = s;
        }
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) {
            float v = r[i][j];
            h = h * 31u + bits_f(v);
            if (v < 0.0f) v = -v;
            h += (uint32_t)(int32_t)(sqrtf(v) * 100.0f);
            h ^= v > 3.5f ? 1u : v == 0.0f ? 2u : 4u;
        }
    return h;
}

uint32_t test_double(void)
{
    double x = 1.0 + (double)(g_seed % 1000) / 1000.0, y = 2.0;
    uint32_t h = 0;
    /* Newton iteration for sqrt(x) compared with the hardware sqrt. */
    for (int i = 0; i < 8; i++) y = 0.5 * (y + x / y);
    h ^= bits_d(y) ^ bits_d(sqrt(x)) << 1;
    /* Horner polynomial, mixed int/double conversions. */
    double p = 0.0;
    static const double coef[] = {1.0, -0.5, 0.125, -0.0625, 3.25, -7.75};
    for (int i = 0; i < 6; i++) p = p * x + coef[i];
    h = h * 17u + bits_d(p);
    int64_t big = (int64_t)(p * 1e12);
    h ^= (uint32_t)big ^ (uint32_t)(big >> 32);
    h ^= (uint32_t)(int32_t)floor(-p * 1000.0) + (uint32_t)(unsigned)fabs(p * 77.0);
    int e;
    double f = frexp(p * 12345.678, &e);
    h = h * 13u + bits_d(f) + (uint32_t)e + bits_d(ldexp(f, -e + 3));
    h ^= bits_d(fmod(1e6 * x, 7.5));
    double q = (double)(uint32_t)h / 3.0;
    h += (uint32_t)q + (q > 1e9) + (q != q);
    float narrowed = (float)(x / 3.0);
    h ^= bits_f(narrowed) ^ bits_d((double)narrowed * -2.0);
    return h;
}
