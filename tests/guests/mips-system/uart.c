/* The mipssim board's 16550 UART at physical 0x1fd003f8: register reset values, the
 * divisor latch, the scratch register, FIFO mode in IIR, loopback, and its interrupt on
 * CPU interrupt 4 (Cause.IP4) for "transmitter empty" and "data received". */
#include "lib.h"

#define U(r) REG8(UART_BASE + (r))

static volatile u32 irqs, iir_seen, cause_seen;

static u32 on_irq(struct frame *f)
{
    cause_seen = mfc0(13, 0);
    iir_seen = U(2);
    if ((iir_seen & 0x0f) == 0x04)
        (void)U(0);
    U(1) = 0; /* IER: no more interrupts */
    irqs++;
    return f->epc;
}

static void show(const char *k, u32 v)
{
    puts_(k);
    puts_("=");
    put_hex(v);
    puts_("\n");
}

int main(void)
{
    puts_("uart: start\n");
    show("ier", U(1));
    show("iir", U(2));
    show("lcr", U(3));
    show("mcr", U(4));
    show("lsr", U(5));
    show("msr", U(6) & 0xf0);
    show("scr", U(7));
    /* Nothing is printed while DLAB is set (THR is the divisor latch then). */
    U(3) = 0x80;
    u32 dll = U(0), dlm = U(1);
    U(0) = 0x01;
    U(1) = 0x00;
    u32 dll2 = U(0);
    U(3) = 0x00;
    show("dll", dll);
    show("dlm", dlm);
    show("dll written", dll2);
    U(3) = 0x03;
    show("lcr 8n1", U(3));
    U(7) = 0x5a;
    show("scr written", U(7));
    show("isa hole at port 0x2f8", REG8(0xbfd002f8u));

    U(2) = 0x07;
    show("iir with fifo", U(2));
    U(2) = 0x00;
    show("iir without fifo", U(2));

    /* Loopback: what is sent comes back; the modem outputs drive the inputs. Nothing is
     * printed in loopback (it would come back too). */
    U(4) = 0x10 | 0x0b;
    U(0) = 'L';
    u32 lsr1 = U(5), rbr = U(0), lsr2 = U(5), msr = U(6) & 0xf0;
    U(4) = 0x08;
    show("lsr after loopback send", lsr1);
    show("rbr", rbr);
    show("lsr after read", lsr2);
    show("msr in loopback", msr);

    /* Received-data interrupt through IP4 (still in loopback). */
    on_exception = on_irq;
    U(4) = 0x10 | 0x08;
    mtc0(12, 0, 0x1000u | C0_STATUS_IE);
    U(1) = 0x01;
    U(0) = 'R';
    for (volatile int i = 0; i < 100 && !irqs; i++)
        ;
    mtc0(12, 0, 0);
    U(4) = 0x08;
    show("rx interrupts", irqs);
    show("  iir", iir_seen);
    show("  cause ip", (cause_seen >> 8) & 0xff);

    /* Transmitter-empty interrupt. */
    irqs = 0;
    mtc0(12, 0, 0x1000u | C0_STATUS_IE);
    U(1) = 0x02;
    for (volatile int i = 0; i < 100 && !irqs; i++)
        ;
    mtc0(12, 0, 0);
    show("tx interrupts", irqs);
    show("  iir", iir_seen);
    show("  cause ip", (cause_seen >> 8) & 0xff);
    show("cause ip after", (mfc0(13, 0) >> 8) & 0xff);
    on_exception = 0;
    puts_("uart: done\n");
    return 0;
}
