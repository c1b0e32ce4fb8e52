/* specemu's C benchmark: integer arithmetic, memory sweeps, function calls, CRC-32 and a
 * small floating-point matrix multiply. Each section prints a checksum, so that a run under
 * an emulator can be compared byte for byte with the native build.
 *
 * Built by bench/run.sh with `mipsel-linux-gnu-gcc -O2 -static` for the guest and `gcc -O2`
 * for the host (both with -ffp-contract=off so that no fused multiply-add changes the
 * floating-point results). Usage: cbench [SCALE] (default 3; the work grows linearly).
 * Sized to take about 1-3 s under qemu-mipsel (QEMU 7.2) at the default scale. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keep the compiler from folding whole sections away. */
static volatile uint32_t sink;

/* Integer arithmetic: a mix of multiply, divide, shifts, rotates and data-dependent branches. */
static uint32_t bench_int(unsigned iters) {
    uint32_t a = 12345, b = 67890, c = 0xdeadbeef;
    uint64_t wide = 1;
    for (unsigned i = 1; i <= iters; i++) {
        a = a * 1103515245u + 12345u;
        b ^= (a >> 7) | (a << 25);
        c += (b % (i | 1)) + (a / ((i & 0xff) + 1));
        if (c & 0x10)
            c = (c << 3) ^ (c >> 5);
        else
            c -= b >> 11;
        wide = wide * 6364136223846793005ull + c;
        c ^= (uint32_t)(wide >> 33);
    }
    return a ^ b ^ c;
}

/* Memory: fill, strided and sequential sweeps, a memcpy-like copy and a byte histogram over a
 * 4 MiB array (larger than most caches' L2, and many guest pages). */
#define MEM_WORDS (1u << 20)
static uint32_t mem_a[MEM_WORDS], mem_b[MEM_WORDS];

static uint32_t bench_mem(unsigned rounds) {
    uint32_t sum = 0;
    for (unsigned i = 0; i < MEM_WORDS; i++)
        mem_a[i] = i * 2654435761u;
    for (unsigned r = 0; r < rounds; r++) {
        /* word-at-a-time copy loop (memcpy-like) */
        for (unsigned i = 0; i < MEM_WORDS; i++)
            mem_b[i] = mem_a[i] + r;
        /* strided read-modify-write */
        for (unsigned s = 0; s < 16; s++)
            for (unsigned i = s; i < MEM_WORDS; i += 16)
                mem_a[i] ^= mem_b[i] >> (s + 1);
        /* byte histogram */
        uint32_t hist[256] = {0};
        const uint8_t *bytes = (const uint8_t *)mem_b;
        for (unsigned i = 0; i < MEM_WORDS * 4; i += 3)
            hist[bytes[i]]++;
        for (unsigned i = 0; i < 256; i++)
            sum = sum * 31 + hist[i];
        /* libc memcpy and memmove */
        memcpy(mem_b, mem_a, sizeof mem_a / 2);
        memmove(mem_b + 1, mem_b, sizeof mem_b / 2);
        sum += mem_b[r * 977 % MEM_WORDS] + mem_b[MEM_WORDS / 2];
    }
    return sum;
}

/* Function calls: naive Fibonacci and Ackermann (deep recursion). */
static unsigned fib(unsigned n) {
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static unsigned ack(unsigned m, unsigned n) {
    if (m == 0)
        return n + 1;
    if (n == 0)
        return ack(m - 1, 1);
    return ack(m - 1, ack(m, n - 1));
}

/* CRC-32 (IEEE 802.3, reflected, table-driven) over a pseudo-random buffer. */
static uint32_t crc_table[256];

static uint32_t bench_crc(unsigned rounds) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
    static uint8_t buf[1 << 18];
    uint32_t x = 2463534242u;
    for (unsigned i = 0; i < sizeof buf; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = (uint8_t)x;
    }
    uint32_t crc = 0;
    for (unsigned r = 0; r < rounds; r++) {
        uint32_t c = ~crc;
        for (unsigned i = 0; i < sizeof buf; i++)
            c = crc_table[(c ^ buf[i]) & 0xff] ^ (c >> 8);
        crc = ~c;
        buf[r % sizeof buf] ^= (uint8_t)crc;
    }
    return crc;
}

/* Floating point: double-precision matrix multiply C = A*B, then a few element-wise steps
 * (divide, compare) so every FP unit the guest has is exercised. */
#define N 96
static double fa[N][N], fb[N][N], fc[N][N];

static double bench_fp(unsigned rounds) {
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            fa[i][j] = (double)((i * 7 + j * 3) % 17) / 8.0 - 1.0;
            fb[i][j] = (double)((i * 5 + j * 11) % 13) / 4.0 + 0.125;
        }
    double total = 0;
    for (unsigned r = 0; r < rounds; r++) {
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                double s = 0;
                for (int k = 0; k < N; k++)
                    s += fa[i][k] * fb[k][j];
                fc[i][j] = s;
            }
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                double v = fc[i][j] / (1.0 + (double)(i + j + r));
                fa[i][j] = v > 4.0 ? v * 0.25 : v < -4.0 ? -v * 0.5 : v + 0.01;
                total += v;
            }
    }
    return total;
}

int main(int argc, char **argv) {
    unsigned scale = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 3;
    if (scale == 0)
        scale = 1;
    uint32_t i = bench_int(12000000u * scale);
    printf("int     %08x\n", (unsigned)i);
    uint32_t m = bench_mem(18 * scale);
    printf("memory  %08x\n", (unsigned)m);
    unsigned f = 0;
    for (unsigned k = 0; k < scale; k++)
        f += fib(31) + ack(2, 2500 + k);
    printf("calls   %u\n", f);
    uint32_t c = bench_crc(150 * scale);
    printf("crc32   %08x\n", (unsigned)c);
    double d = bench_fp(8 * scale);
    printf("fp      %.17g\n", d);
    sink = i ^ m ^ f ^ c;
    return 0;
}
