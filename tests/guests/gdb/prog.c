/* The gdb stub's user-mode guest (tests/gdb_stub.rs): a call with known arguments, a store
 * to a global that a watchpoint catches, an initialized table to read, a double, and a
 * loop that ends when `release` is set (by the debugger) when run with an argument. */
#include <stdio.h>
int counter = 5;
int table[4] = {0x11223344, 0x55667788, 0x99aabbcc, 0xddeeff00};
double dval = 2.5;
volatile int release;
int add(int a, int b) {
    int s = a + b;
    counter = s;
    return s;
}
int main(int argc, char **argv) {
    int x = add(3, 4);
    for (int i = 0; i < 3; i++)
        x += add(i, 10);
    counter = x * 2;
    if (argc > 1)
        while (!release)
            counter++;
    printf("x=%d counter=%d %g\n", x, counter, dval);
    return 0;
}
