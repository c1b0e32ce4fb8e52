/* The gdb stub's system-mode guest (tests/gdb_stub.rs), built with tests/guests/mips-system's
 * start code, library and link script at -O0 -g: a call with known arguments, a store to a
 * global that a watchpoint catches, an initialized table, and a loop that spins while the
 * debugger has set wait_for_debugger and not yet release. Exits (UHI) with status 7. */
#include "lib.h"

volatile u32 counter = 5;
u32 table[4] = {0x11223344, 0x55667788, 0x99aabbcc, 0xddeeff00};
volatile u32 wait_for_debugger;
volatile u32 release;

u32 add(u32 a, u32 b)
{
    u32 s = a + b;
    counter = s;
    return s;
}

int main(void)
{
    u32 x = add(3, 4);
    for (u32 i = 0; i < 3; i++)
        x += add(i, 10);
    counter = x * 2;
    while (wait_for_debugger && !release)
        counter++;
    puts_("x=");
    put_dec(x);
    puts_("\n");
    return 7;
}
