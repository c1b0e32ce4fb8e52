/* lx106 guest "intalgo": integer algorithms. Sieve of Eratosthenes (byte
 * arrays, loops), gcd/lcm and 64-bit modular exponentiation (calls into the
 * __udivdi3/__umoddi3/__muldi3/__umulsidi3 helpers), integer square root,
 * bit reversal and population count (shifts, masks, extui), CRC-16, 64-bit
 * Fibonacci (add with carry via saltu/bltu), libc qsort/bsearch with
 * comparator callbacks (callx0), and printf of the results. Exits 0 when the
 * built-in self checks pass, 1 otherwise. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile uint32_t seed = 20240607u;

static uint32_t gcd(uint32_t a, uint32_t b)
{
    while (b) {
        uint32_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static uint64_t mulmod(uint64_t a, uint64_t b, uint64_t m)
{
    uint64_t r = 0;
    a %= m;
    while (b) {
        if (b & 1) r = (r + a) % m;
        a = (a << 1) % m;
        b >>= 1;
    }
    return r;
}

static uint64_t powmod(uint64_t b, uint64_t e, uint64_t m)
{
    uint64_t r = 1 % m;
    for (b %= m; e; e >>= 1, b = mulmod(b, b, m))
        if (e & 1) r = mulmod(r, b, m);
    return r;
}

static uint32_t isqrt(uint32_t n)
{
    uint32_t r = 0, bit = 1u << 30;
    while (bit > n) bit >>= 2;
    while (bit) {
        if (n >= r + bit) {
            n -= r + bit;
            r = (r >> 1) + bit;
        } else {
            r >>= 1;
        }
        bit >>= 2;
    }
    return r;
}

static uint32_t bitrev(uint32_t x)
{
    x = (x & 0x55555555u) << 1 | ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) << 2 | ((x >> 2) & 0x33333333u);
    x = (x & 0x0f0f0f0fu) << 4 | ((x >> 4) & 0x0f0f0f0fu);
    return x << 24 | (x & 0xff00u) << 8 | ((x >> 8) & 0xff00u) | x >> 24;
}

static unsigned popcount(uint32_t x)
{
    unsigned n = 0;
    for (; x; x &= x - 1) n++;
    return n;
}

static uint16_t crc16_ccitt(const uint8_t *p, size_t n)
{
    uint16_t c = 0xffff;
    while (n--) {
        c ^= (uint16_t)(*p++ << 8);
        for (int k = 0; k < 8; k++)
            c = (uint16_t)(c & 0x8000 ? (c << 1) ^ 0x1021 : c << 1);
    }
    return c;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

int main(void)
{
    static uint8_t composite[2000];
    static int32_t vals[64];
    int ok = 1;
    uint32_t primes = 0, psum = 0;

    for (uint32_t i = 2; i < sizeof composite; i++) {
        if (composite[i]) continue;
        primes++;
        psum += i;
        for (uint32_t j = i * i; j < sizeof composite; j += i) composite[j] = 1;
    }
    printf("primes<2000: %" PRIu32 " sum %" PRIu32 "\n", primes, psum);
    ok &= primes == 303;

    uint32_t g = gcd(seed * 6u, 1071u * 462u), l = 1071u / gcd(1071u, 462u) * 462u;
    printf("gcd %" PRIu32 " lcm %" PRIu32 "\n", g, l);
    ok &= l == 23562;

    uint64_t m = 1000000007ull * 3ull, pm = powmod(seed, 65537u, m);
    printf("powmod %08" PRIx32 "%08" PRIx32 "\n", (uint32_t)(pm >> 32), (uint32_t)pm);
    ok &= powmod(2, 10, 1000) == 24;

    uint64_t a = 0, b = 1;
    for (int i = 0; i < 90; i++) {
        uint64_t t = a + b;
        a = b;
        b = t;
    }
    printf("fib90 %08" PRIx32 "%08" PRIx32 " q %" PRIu32 " r %" PRIu32 "\n", (uint32_t)(a >> 32),
           (uint32_t)a, (uint32_t)(a / 1000000007u), (uint32_t)(a % 1000000007u));
    ok &= a == 2880067194370816120ull;

    int64_t s = -(int64_t)a / 12345 * 7 % 1000000009;
    printf("signed64 %" PRId32 " mul %08" PRIx32 "\n", (int32_t)s, (uint32_t)((uint64_t)seed * seed >> 16));

    uint32_t x = seed;
    for (int i = 0; i < 64; i++) {
        x = x * 1664525u + 1013904223u;
        vals[i] = (int32_t)(x ^ bitrev(x)) / 3;
    }
    qsort(vals, 64, sizeof vals[0], cmp_i32);
    for (int i = 1; i < 64; i++) ok &= vals[i - 1] <= vals[i];
    int32_t key = vals[37];
    int32_t *found = bsearch(&key, vals, 64, sizeof vals[0], cmp_i32);
    ok &= found && *found == key;
    printf("sorted min %" PRId32 " max %" PRId32 " isqrt %" PRIu32 " pop %u rev %08" PRIx32 "\n",
           vals[0], vals[63], isqrt((uint32_t)vals[63]), popcount(seed), bitrev(seed));
    ok &= isqrt(1000000) == 1000 && bitrev(1) == 0x80000000u;

    const char *msg = "123456789";
    uint16_t crc = crc16_ccitt((const uint8_t *)msg, strlen(msg));
    printf("crc16 %04x\n", crc);
    ok &= crc == 0x29b1;

    printf("%s\n", ok ? "intalgo ok" : "intalgo FAILED");
    return ok ? 0 : 1;
}
