/* /proc/self/maps as a program sees it: the line holding main is executable and names this
 * program's file; a local variable lies in [stack]; a small malloc block from brk lies in
 * [heap]; an anonymous mmap shows its permissions, splits into three lines when its middle
 * page is mprotected and is gone after munmap; a file mapping names the file and its
 * offset. Prints facts, not addresses, so the native build under the host kernel (the
 * oracle) prints the same lines. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct line {
    unsigned long lo, hi, off;
    char perms[5];
    char name[256];
};

static struct line lines[512];
static int nlines;

static void load(void) {
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f) {
        printf("cannot open /proc/self/maps\n");
        exit(1);
    }
    char buf[512];
    nlines = 0;
    while (fgets(buf, sizeof buf, f) && nlines < 512) {
        struct line *l = &lines[nlines];
        l->name[0] = 0;
        unsigned dmaj, dmin;
        unsigned long ino;
        if (sscanf(buf, "%lx-%lx %4s %lx %x:%x %lu %255s", &l->lo, &l->hi, l->perms, &l->off, &dmaj, &dmin, &ino,
                   l->name) >= 7)
            nlines++;
    }
    fclose(f);
}

static struct line *find(const void *p) {
    unsigned long a = (unsigned long)p;
    for (int i = 0; i < nlines; i++)
        if (lines[i].lo <= a && a < lines[i].hi)
            return &lines[i];
    return NULL;
}

static void show(const char *what, const void *p) {
    struct line *l = find(p);
    if (!l) {
        printf("%s: not mapped\n", what);
        return;
    }
    const char *base = strrchr(l->name, '/');
    printf("%s: %s %s\n", what, l->perms, base ? base + 1 : l->name);
}

static int count_in(const char *lo, const char *hi) {
    int n = 0;
    for (int i = 0; i < nlines; i++)
        if (lines[i].hi > (unsigned long)lo && lines[i].lo < (unsigned long)hi)
            n++;
    return n;
}

int main(int argc, char **argv) {
    (void)argc;
    int local = 1;
    char *small = malloc(64);
    load();
    /* This program's own name, whatever directory it was built in. */
    const char *self = strrchr(argv[0], '/');
    self = self ? self + 1 : argv[0];
    struct line *m = find((void *)main);
    printf("main: %s %s\n", m ? m->perms : "none", m && strstr(m->name, self) ? "this program" : "another file");
    show("local", &local);
    show("malloc", small);

    long pg = sysconf(_SC_PAGESIZE);
    char *a = mmap(NULL, 3 * pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    load();
    show("mmap", a);
    printf("mmap lines: %d\n", count_in(a, a + 3 * pg));
    mprotect(a + pg, pg, PROT_READ | PROT_WRITE);
    load();
    printf("after mprotect: %d lines\n", count_in(a, a + 3 * pg));
    show("first page", a);
    show("middle page", a + pg);
    show("last page", a + 2 * pg);
    munmap(a, 3 * pg);
    load();
    show("after munmap", a);

    /* A file mapping at an offset of one page. */
    char path[] = "/tmp/specemu-maps-XXXXXX";
    int fd = mkstemp(path);
    char *page = calloc(1, 2 * pg);
    memset(page + pg, 'x', pg);
    if (write(fd, page, 2 * pg) != 2 * pg)
        printf("write failed\n");
    char *f = mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fd, pg);
    load();
    struct line *fl = find(f);
    printf("file map: %s %s offset %lu pages, reads %c\n", fl ? fl->perms : "none",
           fl && strcmp(fl->name, path) == 0 ? "names the file" : "does not name the file",
           fl ? fl->off / pg : 0, f[0]);
    munmap(f, pg);
    close(fd);
    unlink(path);
    return 0;
}
