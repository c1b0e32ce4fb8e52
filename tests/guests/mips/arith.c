/* Integer arithmetic: 64-bit mul/div/mod/shifts (mult/multu/mfhi/mflo, calls
 * to __divdi3/__udivdi3/__moddi3, sltu carry chains), bitfield structs
 * (ext/ins on r2), dense switch tables (jr through a jump table), recursion
 * and function pointer dispatch. */
#include "guest.h"

uint32_t test_arith64(void)
{
    uint64_t u = (uint64_t)g_seed << 29 | 0x9e37u;
    int64_t s = -(int64_t)u / 3;
    uint32_t h = 0;
    for (int i = 1; i < 40; i++) {
        u = u * 6364136223846793005ull + 1442695040888963407ull;
        s = (int64_t)((uint64_t)s * (uint64_t)-7 + (u >> 40)); /* no signed overflow */
        uint64_t q = u / (uint64_t)(i * 977 + 3);
        int64_t sq = s / (int64_t)(i - 20 ? (i - 20) * 5 : 1);
        uint64_t r = u % 1000003u;
        int64_t sr = s % -12345;
        uint64_t sh = (u << (i & 63)) ^ (u >> (63 - i)) ^ (uint64_t)(s >> (i % 50));
        uint64_t wide = (uint64_t)(uint32_t)u * (uint32_t)(u >> 32);
        int64_t swide = (int64_t)(int32_t)s * (int32_t)(s >> 32);
        h = (h << 3 | h >> 29) ^ (uint32_t)q ^ (uint32_t)(q >> 32) ^ (uint32_t)sq ^
            (uint32_t)r ^ (uint32_t)sr ^ (uint32_t)(sh >> 7) ^ (uint32_t)(wide >> 32) ^
            (uint32_t)swide ^ (uint32_t)(s < 0) ^ (uint32_t)(u > (uint64_t)s) << 1;
    }
    /* 32-bit mul/div/mod signed and unsigned. */
    int32_t a = (int32_t)g_seed - 77777777;
    uint32_t b = g_seed * 2654435761u;
    h ^= (uint32_t)(a / 7) ^ (uint32_t)(a % 13) ^ b / 11u ^ b % 10007u;
    h ^= (uint32_t)((int64_t)a * a >> 32);
    return h;
}

struct packet {
    unsigned version : 3;
    unsigned kind : 5;
    signed delta : 7;
    unsigned long_flag : 1;
    unsigned length : 16;
};

uint32_t test_bitfields(void)
{
    struct packet p[16];
    uint32_t x = g_seed, h = 0;
    for (int i = 0; i < 16; i++) {
        x = x * 69069u + 1u;
        p[i].version = x >> 3;
        p[i].kind = x >> 9;
        p[i].delta = (int)(x >> 20) - 64;
        p[i].long_flag = x >> 31;
        p[i].length = (uint16_t)(x >> 5);
    }
    for (int i = 0; i < 16; i++) {
        p[i].kind += p[(i + 1) & 15].version;
        p[i].delta -= 3;
        h = h * 131u + p[i].version + p[i].kind * 7u + (uint32_t)p[i].delta +
            p[i].long_flag * 1000u + p[i].length;
    }
    return h;
}

static uint32_t opcode(unsigned op, uint32_t a, uint32_t b)
{
    switch (op) {
    case 0: return a + b;
    case 1: return a - b;
    case 2: return a & b;
    case 3: return a | b;
    case 4: return a ^ b;
    case 5: return a << (b & 31);
    case 6: return a >> (b & 31);
    case 7: return (uint32_t)((int32_t)a >> (b & 31));
    case 8: return a * b;
    case 9: return b ? a / b : 0;
    case 10: return (int32_t)a < (int32_t)b;
    case 11: return a < b;
    case 12: return ~(a | b);
    default: return a;
    }
}

uint32_t test_switch(void)
{
    uint32_t acc = g_seed, x = 7;
    for (int i = 0; i < 300; i++) {
        x = x * 1664525u + 1013904223u;
        acc = opcode((x >> 24) % 15, acc, x | 1);
    }
    return acc;
}

static uint32_t ackermann(uint32_t m, uint32_t n)
{
    if (m == 0) return n + 1;
    if (n == 0) return ackermann(m - 1, 1);
    return ackermann(m - 1, ackermann(m, n - 1));
}

static uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static void hanoi(int n, int from, int to, int via, uint32_t *h)
{
    if (!n) return;
    hanoi(n - 1, from, via, to, h);
    *h = *h * 3u + (uint32_t)(from * 4 + to);
    hanoi(n - 1, via, to, from, h);
}

uint32_t test_recursion(void)
{
    uint32_t h = ackermann(2, 3 + (g_seed & 1)) ^ fib(18 + (g_seed & 3)) << 4;
    hanoi(10, 1, 3, 2, &h);
    return h;
}

typedef uint32_t (*binop)(uint32_t, uint32_t);
static uint32_t f_add(uint32_t a, uint32_t b) { return a + b; }
static uint32_t f_rotl(uint32_t a, uint32_t b) { b &= 31; return b ? a << b | a >> (32 - b) : a; }
static uint32_t f_mulhi(uint32_t a, uint32_t b) { return (uint32_t)((uint64_t)a * b >> 32); }
static uint32_t f_clz(uint32_t a, uint32_t b) { return (uint32_t)(a ? __builtin_clz(a) : 32) + b; }
static const binop ops[] = {f_add, f_rotl, f_mulhi, f_clz};

uint32_t test_funcptr(void)
{
    uint32_t acc = g_seed;
    binop table[8];
    for (int i = 0; i < 8; i++) table[i] = ops[(i * 3) & 3];
    for (uint32_t i = 0; i < 100; i++)
        acc = table[(acc ^ i) & 7](acc, i * 0x01000193u) ^ i;
    return acc;
}
