/* x86-64 integer operations at every operand size: add/sub/and/or/xor/neg/not
 * on int8/16/32/64 (8/16-bit registers, 0x66 and REX.W prefixes), mul/imul
 * (one-, two- and three-operand forms), div/idiv (cqo/cdq/cwd), shifts
 * (shl/shr/sar by immediate and by %cl), rotate idioms (rol/ror), sign and
 * zero extension (movsx/movzx/movsxd/cbw/cwde/cdqe), setcc and cmov (branchless
 * min/max/abs), bit scans (bsf/bsr/lzcnt fallbacks, popcount) and bswap.
 * Every function is noinline so each shows up as its own symbol. */
#include <stdint.h>
#include "ops.h"

#define NOINLINE __attribute__((noinline))

NOINLINE int8_t ops8(int8_t a, int8_t b)
{
    int8_t r = (int8_t)(a + b);
    r = (int8_t)(r ^ (a & b));
    r = (int8_t)(r - (a | 3));
    r = (int8_t)(r * b);
    if (b) r = (int8_t)(r + a / b + a % b);
    return (int8_t)(r >> 2);
}

NOINLINE uint8_t ops8u(uint8_t a, uint8_t b)
{
    uint8_t r = (uint8_t)(a * b + (uint8_t)(a >> 3));
    if (b) r = (uint8_t)(r ^ a / b ^ a % b);
    return (uint8_t)(r << 1 | r >> 7); /* rolb */
}

NOINLINE int16_t ops16(int16_t a, int16_t b)
{
    int16_t r = (int16_t)(a * b - (a ^ 0x1234));
    if (b) r = (int16_t)(r + a / b - a % b);
    return (int16_t)((r >> 3) ^ (int16_t)~r);
}

NOINLINE uint16_t ops16u(uint16_t a, uint16_t b)
{
    uint16_t r = (uint16_t)(a + b * 3u);
    if (b) r = (uint16_t)(r ^ a / b ^ a % b);
    return (uint16_t)(r << 5 | r >> 11); /* rolw */
}

NOINLINE int32_t ops32(int32_t a, int32_t b)
{
    int32_t r = (int32_t)((uint32_t)a * (uint32_t)b + (uint32_t)a * 10u);
    if (b && !(a == INT32_MIN && b == -1)) r ^= a / b + a % b;
    return r >> (b & 31);
}

NOINLINE uint32_t ops32u(uint32_t a, uint32_t b)
{
    uint32_t r = a * b + (a << 7) - (b >> 3);
    if (b) r ^= a / b + a % b;
    return r << (a & 31) | r >> (-a & 31); /* rol by %cl */
}

NOINLINE int64_t ops64(int64_t a, int64_t b)
{
    int64_t r = (int64_t)((uint64_t)a * (uint64_t)b - (uint64_t)a * 100u);
    if (b && !(a == INT64_MIN && b == -1)) r = (int64_t)((uint64_t)r + (uint64_t)(a / b) - (uint64_t)(a % b));
    return r >> (b & 63);
}

NOINLINE uint64_t ops64u(uint64_t a, uint64_t b)
{
    uint64_t r = a * b ^ (a + 0x123456789abcdefull);
    if (b) r += a / b ^ a % b;
    r = r >> 13 | r << 51; /* ror by immediate */
    return r >> (b & 63) | r << (-b & 63);
}

NOINLINE uint64_t mulhi64(uint64_t a, uint64_t b)
{
    return (uint64_t)(((unsigned __int128)a * b) >> 64); /* mul, rdx:rax */
}

NOINLINE int64_t imulhi64(int64_t a, int64_t b)
{
    return (int64_t)(((__int128)a * b) >> 64); /* one-operand imul */
}

NOINLINE int32_t min32(int32_t a, int32_t b) { return a < b ? a : b; }
NOINLINE int32_t max32(int32_t a, int32_t b) { return a > b ? a : b; }
NOINLINE uint64_t minu64(uint64_t a, uint64_t b) { return a < b ? a : b; }
NOINLINE int64_t abs64(int64_t a) { return a < 0 ? -(uint64_t)a : (uint64_t)a; }
NOINLINE int16_t clamp16(int32_t v) { return (int16_t)(v < -32768 ? -32768 : v > 32767 ? 32767 : v); }

NOINLINE uint32_t flags(int64_t a, int64_t b, uint32_t ua, uint32_t ub)
{
    /* Each comparison becomes a setcc. */
    return (uint32_t)(a < b) | (uint32_t)(a <= b) << 1 | (uint32_t)(a == b) << 2 |
           (uint32_t)(ua > ub) << 3 | (uint32_t)(ua >= ub) << 4 |
           (uint32_t)((int8_t)a > (int8_t)b) << 5 | (uint32_t)(a != 0) << 6 |
           (uint32_t)((ua & ub) == 0) << 7;
}

NOINLINE int64_t extend(int8_t c, uint8_t uc, int16_t s, uint16_t us, int32_t i, uint32_t ui)
{
    int64_t r = c;   /* movsbq */
    r += uc;         /* movzbl */
    r ^= s;          /* movswq */
    r += us;         /* movzwl */
    r ^= i;          /* movslq */
    r += ui;         /* mov %e, %e (implicit zero extension) */
    return r;
}

NOINLINE uint32_t bits(uint64_t x, uint32_t y)
{
    uint32_t r = (uint32_t)__builtin_popcountll(x);
    if (x) r += (uint32_t)__builtin_ctzll(x) * 3u + (uint32_t)__builtin_clzll(x) * 5u;
    if (y) r ^= (uint32_t)__builtin_ctz(y) | (uint32_t)__builtin_clz(y) << 8;
    return r ^ __builtin_bswap32(y) ^ (uint32_t)__builtin_bswap64(x);
}

NOINLINE const char *classify(int op)
{
    switch (op) { /* dense: jump table */
    case 0: return "zero";
    case 1: return "one";
    case 2: return "two";
    case 3: return "three";
    case 4: return "four";
    case 5: return "five";
    case 6: return "six";
    case 7: return "seven";
    case 100: return "hundred";
    case 1000: return "thousand";
    default: return "many";
    }
}
