/* String processing and sorting: byte loads/stores (lb/lbu/sb), strlen/
 * strcmp/strtol/snprintf from libc, character classification, in-place
 * reversal, a hand-written quicksort + insertion sort on int32 and qsort()
 * with comparator callbacks (indirect calls through jalr). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "guest.h"

static const char text[] =
    "The quick brown fox jumps over the lazy dog; 42 foxes, -17 dogs and "
    "0x1F cats were counted in 2024 by 3 very patient observers.";

static void reverse(char *s, size_t n)
{
    for (size_t i = 0, j = n ? n - 1 : 0; i < j; i++, j--) {
        char t = s[i];
        s[i] = s[j];
        s[j] = t;
    }
}

static uint32_t fold(uint32_t h, const char *s)
{
    while (*s)
        h = h * 31u + (unsigned char)*s++;
    return h;
}

uint32_t test_strings(void)
{
    char buf[256], word[32];
    uint32_t h = g_seed;
    size_t n = strlen(text);
    memcpy(buf, text, n + 1);

    /* Count classes and rot13 the letters. */
    unsigned up = 0, dig = 0, sp = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (isupper(c)) up++;
        if (isdigit(c)) dig++;
        if (isspace(c)) sp++;
        if (isalpha(c)) {
            char base = islower(c) ? 'a' : 'A';
            buf[i] = (char)(base + (c - base + 13) % 26);
        }
    }
    h = fold(h, buf) ^ (up << 16 | dig << 8 | sp);

    /* Split into words, reverse each, parse numbers with strtol. */
    long total = 0;
    const char *p = text;
    while (*p) {
        while (*p && !isalnum((unsigned char)*p) && *p != '-') p++;
        size_t len = 0;
        while (p[len] && (isalnum((unsigned char)p[len]) || p[len] == '-') && len < sizeof word - 1)
            len++;
        if (!len) break;
        memcpy(word, p, len);
        word[len] = 0;
        char *end;
        long v = strtol(word, &end, 0);
        if (*end == 0) total += v;
        reverse(word, len);
        h = fold(h, word);
        p += len;
    }
    int m = snprintf(buf, sizeof buf, "%ld|%5.2s|%-4d|%x|%o|%c", total, "abcdef", -7, 48879u, 8u, 'Z');
    h = fold(h, buf) + (uint32_t)m;
    h ^= (uint32_t)(strcmp("apple", "apricot") < 0) << 3;
    h ^= (uint32_t)(strchr(text, 'z') - text) << 12;
    h ^= (uint32_t)(strstr(text, "cats") - text) << 20;
    return h;
}

static void insertion_sort(int32_t *a, int n)
{
    for (int i = 1; i < n; i++) {
        int32_t v = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

static void quick_sort(int32_t *a, int lo, int hi)
{
    while (hi - lo > 8) {
        int32_t pivot = a[lo + (hi - lo) / 2];
        int i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i <= j) {
                int32_t t = a[i]; a[i] = a[j]; a[j] = t;
                i++; j--;
            }
        }
        if (j - lo < hi - i) { quick_sort(a, lo, j); lo = i; }
        else { quick_sort(a, i, hi); hi = j; }
    }
    insertion_sort(a + lo, hi - lo + 1);
}

static int cmp_u16_desc(const void *a, const void *b)
{
    uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
    return (x < y) - (x > y);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

uint32_t test_sorting(void)
{
    enum { N = 200 };
    int32_t a[N];
    uint16_t b[N];
    uint32_t x = g_seed, h = 0;
    for (int i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        a[i] = (int32_t)x >> 7;
        b[i] = (uint16_t)(x >> 16);
    }
    quick_sort(a, 0, N - 1);
    qsort(b, N, sizeof b[0], cmp_u16_desc);
    for (int i = 0; i < N; i++) {
        if (i && (a[i - 1] > a[i] || b[i - 1] < b[i])) return 0xdead;
        h = h * 33u ^ (uint32_t)a[i] ^ b[i];
    }
    const char *names[] = {"mips", "xtensa", "arm", "riscv", "x86", "sparc", "m68k", "ppc"};
    qsort(names, 8, sizeof names[0], cmp_str);
    for (int i = 0; i < 8; i++) h = fold(h, names[i]);
    return h;
}
