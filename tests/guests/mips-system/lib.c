/* Support code of the bare-metal MIPS system tests: see lib.h. */
#include "lib.h"

volatile struct exc_record last_exc;
u32 (*on_exception)(struct frame *f);

void uart_putc(char c)
{
    while (!(REG8(UART_BASE + 5) & 0x20)) /* LSR.THRE */
        ;
    REG8(UART_BASE + 0) = (u8)c;
}

void puts_(const char *s)
{
    while (*s) {
        if (*s == '\n')
            uart_putc('\r');
        uart_putc(*s++);
    }
}

void put_hex(u32 v)
{
    static const char digits[] = "0123456789abcdef";
    puts_("0x");
    for (int i = 28; i >= 0; i -= 4)
        uart_putc(digits[(v >> i) & 0xf]);
}

void put_dec(s32 v)
{
    char buf[12];
    int n = 0;
    u32 u = v < 0 ? -(u32)v : (u32)v;
    if (v < 0)
        uart_putc('-');
    do {
        buf[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    while (n)
        uart_putc(buf[--n]);
}

void put_kv(const char *k, u32 v)
{
    puts_(k);
    puts_("=");
    put_hex(v);
    puts_("\n");
}

void exc_reset(void)
{
    last_exc.count = 0;
    last_exc.cause = 0;
    last_exc.epc = 0;
    last_exc.badvaddr = 0;
    last_exc.vector = 0xff;
}

void print_exc(const char *what)
{
    puts_(what);
    puts_(": count=");
    put_dec((s32)last_exc.count);
    puts_(" vector=");
    put_dec((s32)last_exc.vector);
    puts_(" exccode=");
    put_dec((s32)EXCCODE(last_exc.cause));
    puts_(" bd=");
    put_dec((s32)(last_exc.cause >> 31));
    puts_(" ce=");
    put_dec((s32)((last_exc.cause >> 28) & 3));
    puts_(" epc=");
    put_hex(last_exc.epc);
    puts_(" badvaddr=");
    put_hex(last_exc.badvaddr);
    puts_("\n");
}

void exc_entry(struct frame *f, u32 vector);
void exc_entry(struct frame *f, u32 vector)
{
    last_exc.count++;
    last_exc.vector = vector;
    last_exc.cause = mfc0(13, 0);
    last_exc.epc = f->epc;
    last_exc.badvaddr = mfc0(8, 0);
    last_exc.status = mfc0(12, 0);
    last_exc.context = mfc0(4, 0);
    last_exc.entryhi = mfc0(10, 0);
    u32 next = on_exception ? on_exception(f) : 0;
    if (next == 0)
        next = (last_exc.cause >> 31) ? f->epc + 8 : f->epc + 4;
    f->epc = next;
}
