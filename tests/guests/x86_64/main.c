/* x86-64 guest driver: feeds pseudo-random operands (xorshift64) through the
 * ops.c functions, calls them directly and through a function-pointer table
 * (call *reg / call *mem), hashes the results, a recursive helper (call/ret,
 * stack frames), string switch results and printf output. Exits 0. */
#include <stdio.h>
#include <string.h>
#include "ops.h"

static volatile uint64_t seed = 0x9e3779b97f4a7c15ull;

static uint64_t next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h;
}

static unsigned gcd(unsigned a, unsigned b) { return b ? gcd(b, a % b) : a; }

typedef int64_t (*op64_fn)(int64_t, int64_t);
static int64_t wrap_mulhi(int64_t a, int64_t b) { return (int64_t)mulhi64((uint64_t)a, (uint64_t)b); }
static int64_t wrap_min(int64_t a, int64_t b) { return min32((int32_t)a, (int32_t)b); }
static int64_t wrap_max(int64_t a, int64_t b) { return max32((int32_t)a, (int32_t)b); }
static const op64_fn table[] = {ops64, imulhi64, wrap_mulhi, wrap_min, wrap_max};

int main(void)
{
    uint64_t s = seed, h = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t a = next(&s), b = next(&s);
        if (i % 7 == 0) b &= 0xff; /* small divisors too */
        h = mix(h, (uint64_t)(uint8_t)ops8((int8_t)a, (int8_t)b));
        h = mix(h, ops8u((uint8_t)a, (uint8_t)b));
        h = mix(h, (uint64_t)(uint16_t)ops16((int16_t)a, (int16_t)b));
        h = mix(h, ops16u((uint16_t)a, (uint16_t)b));
        h = mix(h, (uint64_t)(uint32_t)ops32((int32_t)a, (int32_t)b));
        h = mix(h, ops32u((uint32_t)a, (uint32_t)b));
        h = mix(h, (uint64_t)ops64((int64_t)a, (int64_t)b));
        h = mix(h, ops64u(a, b));
        h = mix(h, (uint64_t)table[i % 5]((int64_t)a, (int64_t)b));
        h = mix(h, minu64(a, b) ^ (uint64_t)abs64((int64_t)a));
        h = mix(h, (uint64_t)(uint16_t)clamp16((int32_t)(a >> 44) - 500000));
        h = mix(h, flags((int64_t)a, (int64_t)b, (uint32_t)a, (uint32_t)b));
        h = mix(h, (uint64_t)extend((int8_t)a, (uint8_t)b, (int16_t)(a >> 8), (uint16_t)(b >> 8),
                                   (int32_t)(a >> 16), (uint32_t)(b >> 16)));
        h = mix(h, bits(a & (i & 1 ? ~0ull : 0xffff0000ull), (uint32_t)b));
        h = mix(h, strlen(classify((int)(a % 10) == 9 ? 100 : (int)(a % 10))));
    }
    h = mix(h, gcd((unsigned)seed | 1u, 1071u * 462u));
    printf("checksum %016llx\n", (unsigned long long)h);
    printf("%s %s %s\n", classify(3), classify(1000), classify(-1));
    return 0;
}
