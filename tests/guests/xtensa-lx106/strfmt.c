/* lx106 guest "strfmt": string handling and formatted output, mostly through
 * picolibc: snprintf/printf with width, precision, flags and bases,
 * strtol/strtoul with bases 0/2/16/36, strtok_r, strchr/strrchr/strstr/
 * strspn/strcspn, memmove/memset/memcmp, toupper/tolower, plus a hand-written
 * word-frequency table sorted with qsort. Exercises byte loads/stores
 * (l8ui/s8i, unaligned copies), loops over strings and varargs calls.
 * Exits 0 when the self checks pass, 1 otherwise. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char corpus[] =
    "the cat sat on the mat and the dog sat on the log while a bird sang "
    "on the wire and the cat watched the bird and the dog watched the cat";

struct word {
    char text[12];
    int count;
};

static int by_count_then_text(const void *pa, const void *pb)
{
    const struct word *a = pa, *b = pb;
    if (a->count != b->count) return b->count - a->count;
    return strcmp(a->text, b->text);
}

static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u;
    while (*s) h = (h ^ (uint8_t)*s++) * 16777619u;
    return h;
}

int main(void)
{
    char buf[200], copy[sizeof corpus];
    struct word words[32];
    int nwords = 0, ok = 1;
    uint32_t h = 0;

    /* Word frequencies via strtok_r on a copy. */
    memcpy(copy, corpus, sizeof corpus);
    char *save = NULL;
    for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        int i = 0;
        while (i < nwords && strcmp(words[i].text, w) != 0) i++;
        if (i == nwords) {
            strncpy(words[i].text, w, sizeof words[i].text - 1);
            words[i].text[sizeof words[i].text - 1] = 0;
            words[i].count = 0;
            nwords++;
        }
        words[i].count++;
    }
    qsort(words, (size_t)nwords, sizeof words[0], by_count_then_text);
    for (int i = 0; i < 5; i++) printf("%-8s|%3d|%-3x|\n", words[i].text, words[i].count, words[i].count * 17);
    ok &= nwords == 14 && strcmp(words[0].text, "the") == 0 && words[0].count == 9;

    /* Number parsing in several bases. */
    static const char *const nums[] = {"0x7fff", "-0777", "1011", "zz", "  +42abc", "2147483647"};
    static const int bases[] = {0, 0, 2, 36, 10, 10};
    for (int i = 0; i < 6; i++) {
        char *end;
        long v = strtol(nums[i], &end, bases[i]);
        unsigned long u = strtoul(nums[i], NULL, bases[i]);
        /* long is 32-bit here: keep values in range, print u as uint32_t */
        printf("strtol(%s,%d) = %ld rest '%s' u=%" PRIu32 "\n", nums[i], bases[i], v, end, (uint32_t)u);
        h = h * 31u + (uint32_t)v + (uint32_t)(end - nums[i]);
    }
    ok &= strtol("-0x10", NULL, 16) == -16 && strtoul("777", NULL, 8) == 511;

    /* Formatting with flags, widths, precision. */
    int n = snprintf(buf, sizeof buf, "[%5d|%-5d|%05d|%+d|% d|%x|%X|%#x|%#o|%.3d|%c|%.4s|%8.3s|%%]",
                     42, -42, 42, 7, 7, 0xbeefu, 0xbeefu, 255u, 8u, 5, 'q', "truncated", "abcdef");
    printf("%s n=%d\n", buf, n);
    ok &= n == (int)strlen(buf);
    h ^= hash(buf);

    /* Case conversion, searching and memory moves. */
    size_t len = strlen(corpus);
    memcpy(copy, corpus, len + 1);
    for (size_t i = 0; i < len; i += 4) copy[i] = (char)toupper((unsigned char)copy[i]);
    memmove(copy + 3, copy, 40);
    memset(copy + 50, '#', 7);
    printf("%.70s\n", copy);
    h ^= hash(copy);
    const char *cat = strstr(corpus, "cat watched"), *last_t = strrchr(corpus, 't');
    printf("cat@%d last_t@%d spn=%u cspn=%u chr=%d cmp=%d\n", (int)(cat - corpus),
           (int)(last_t - corpus), (unsigned)strspn(corpus, "the "),
           (unsigned)strcspn(corpus, "xyz"), (int)(strchr(corpus, 'w') - corpus),
           memcmp("abcd", "abce", 4) < 0);
    char lower[16];
    snprintf(lower, sizeof lower, "%s", "MiXeD CaSe");
    for (char *p = lower; *p; p++) *p = (char)(isupper((unsigned char)*p) ? tolower((unsigned char)*p) : toupper((unsigned char)*p));
    ok &= strcmp(lower, "mIxEd cAsE") == 0;

    printf("hash %08" PRIx32 "\n%s\n", h, ok ? "strfmt ok" : "strfmt FAILED");
    return ok ? 0 : 1;
}
