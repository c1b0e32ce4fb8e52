/* The gdb stub's signal guest (tests/gdb_stub.rs): SIGUSR1 to a handler, then, with an
 * argument, a store through a null pointer (SIGSEGV). */
#include <stdio.h>
#include <signal.h>
#include <unistd.h>
volatile int hits;
int reader(void) { return hits + 1; }
void handler(int s) { hits += 100; }
int main(int argc, char **argv) {
    signal(SIGUSR1, handler);
    hits = reader();
    raise(SIGUSR1);
    printf("hits=%d\n", hits);
    if (argc > 1) {
        volatile int *p = 0;
        *p = 1;
    }
    return 3;
}
