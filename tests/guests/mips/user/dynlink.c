/* A dynamically linked program (libc.so.6 and libm.so.6 through ld.so.1 from the -L
 * sysroot): stdio with floats, malloc/realloc growth (mmap for the large block), qsort with
 * a callback, string functions, environment and a file written, mapped and read back. */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int cmp(const void *a, const void *b) {
    return *(const int *)a - *(const int *)b;
}

int main(int argc, char **argv) {
    (void)argv;
    printf("argc=%d sqrt2=%.6f exp1=%.9g pow=%.3f\n", argc, sqrt(2.0), exp(1.0), pow(1.5, 7.25));
    int n = 1000, *v = malloc(n * sizeof *v);
    for (int i = 0; i < n; i++) v[i] = (i * 7919) % 1009;
    qsort(v, n, sizeof *v, cmp);
    printf("sorted: %d %d %d\n", v[0], v[n / 2], v[n - 1]);
    char *big = malloc(1 << 20);
    memset(big, 'x', 1 << 20);
    big = realloc(big, 4 << 20);
    big[(4 << 20) - 1] = 0;
    printf("big: %zu\n", strlen(big));
    free(big);
    free(v);
    const char *path = "dynlink.tmp";
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    const char msg[] = "mapped file contents";
    write(fd, msg, sizeof msg);
    char *m = mmap(0, 4096, PROT_READ, MAP_SHARED, fd, 0);
    printf("mmap: %s\n", m == MAP_FAILED ? "failed" : m);
    munmap(m, 4096);
    close(fd);
    unlink(path);
    char buf[64];
    snprintf(buf, sizeof buf, "%s|%5.2f|%-4d|", "fmt", 3.14159, 7);
    puts(buf);
    return 3;
}
