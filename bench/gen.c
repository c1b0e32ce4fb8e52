/* Deterministic input generator for bench/run.sh (fixed seed; same bytes on every host).
 *
 *   gen random BYTES   pseudo-random bytes (xorshift64*)
 *   gen text BYTES     compressible text: lines of words drawn from a small vocabulary
 *   gen numbers LINES  one signed decimal integer per line (for sort -n)
 *
 * Output goes to stdout. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state = 0x9e3779b97f4a7c15ull;

static uint64_t next(void) {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545f4914f6cdd1dull;
}

/* Pseudo-words built from syllables: word i of a 4096-word vocabulary. */
static const char *const syll[] = {
    "ka", "re", "mi", "to", "su", "ne", "la", "po", "vi", "de", "an", "or", "is", "un",
    "el", "ta", "gor", "ven", "sha", "tri", "blo", "qua", "st", "in", "er", "on", "at",
    "ex", "pre", "com", "ly", "ing",
};

static size_t make_word(char *dst, unsigned i) {
    size_t n = 0;
    unsigned parts = 1 + i % 3 + (i >> 11);
    for (unsigned k = 0; k < parts; k++) {
        const char *s = syll[(i >> (5 * k % 12)) % 32 ^ k];
        size_t l = strlen(s);
        memcpy(dst + n, s, l);
        n += l;
    }
    return n;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: gen random|text|numbers COUNT\n");
        return 2;
    }
    unsigned long long n = strtoull(argv[2], NULL, 10);
    static char buf[1 << 16];
    size_t len = 0;
    if (strcmp(argv[1], "random") == 0) {
        while (n > 0) {
            uint64_t v = next();
            size_t k = n < 8 ? (size_t)n : 8;
            memcpy(buf + len, &v, k); /* little-endian hosts only; run.sh runs on x86-64 */
            len += k;
            n -= k;
            if (len > sizeof buf - 8) {
                fwrite(buf, 1, len, stdout);
                len = 0;
            }
        }
    } else if (strcmp(argv[1], "text") == 0) {
        unsigned long long out = 0;
        unsigned col = 0;
        while (out < n) {
            uint64_t r = next();
            /* skewed: index = product of two uniform draws, so small indices dominate */
            unsigned i = (unsigned)((r & 4095) * ((r >> 32) & 4095) >> 12);
            char w[32];
            size_t wl = make_word(w, i);
            char sep = ' ';
            col += (unsigned)wl + 1;
            if (col > 60 + (r >> 58)) {
                sep = '\n';
                col = 0;
            }
            if ((r >> 20) % 97 == 0) { /* an occasional number */
                len += (size_t)snprintf(buf + len, 32, "%u ", (unsigned)(r >> 40) % 100000);
            }
            memcpy(buf + len, w, wl);
            len += wl;
            buf[len++] = sep;
            if (len > sizeof buf - 64) {
                size_t k = out + len > n ? (size_t)(n - out) : len;
                fwrite(buf, 1, k, stdout);
                out += k;
                len = 0;
            }
        }
    } else if (strcmp(argv[1], "numbers") == 0) {
        for (unsigned long long i = 0; i < n; i++) {
            uint64_t r = next();
            long v = (long)(r % 2000000000ull) - 1000000000l;
            if (r >> 62 == 0)
                v /= 1000; /* some short numbers, some negative */
            len += (size_t)snprintf(buf + len, 32, "%ld\n", v);
            if (len > sizeof buf - 64) {
                fwrite(buf, 1, len, stdout);
                len = 0;
            }
        }
    } else {
        fprintf(stderr, "gen: unknown kind %s\n", argv[1]);
        return 2;
    }
    if (len > 0 && strcmp(argv[1], "text") != 0)
        fwrite(buf, 1, len, stdout);
    return ferror(stdout) ? 1 : 0;
}
