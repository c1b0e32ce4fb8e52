/* Interrupts: the Count/Compare timer (Cause.TI and IP7), software interrupts (IP0/IP1),
 * masking by Status.IM/IE/EXL, the interrupt vector with Cause.IV, `wait` woken by the
 * timer, and Cause.DC stopping Count. Timing-dependent values (Count, the EPC of an
 * asynchronous interrupt) are not printed, only what the architecture guarantees.
 * QEMU's Count follows host time: if the host stalls between reading Count and writing
 * Compare, Count may already be past Compare, so every wait re-arms the timer when Count got
 * far beyond Compare without the event. */
#include "lib.h"

/* Arm Compare `delta` ticks ahead; returns the Compare value. */
static u32 arm(u32 delta)
{
    u32 cmp = mfc0(9, 0) + delta;
    mtc0(11, 0, cmp);
    return cmp;
}

/* Count is well past `cmp` (the event was missed). */
static int overtaken(u32 cmp)
{
    return (s32)(mfc0(9, 0) - cmp) > 200000;
}

static volatile u32 ticks;
static volatile u32 seen_cause;

static u32 on_irq(struct frame *f)
{
    u32 cause = mfc0(13, 0);
    seen_cause = cause;
    if (EXCCODE(cause) == 0) {
        if (cause & 0x8000u) {          /* IP7: the timer */
            ticks++;
            mtc0(11, 0, mfc0(11, 0));   /* acknowledge: rewriting Compare clears TI */
        }
        if (cause & 0x0300u)            /* software interrupts: clear them */
            mtc0(13, 0, cause & ~0x0300u);
    }
    return f->epc;                      /* interrupts resume at EPC */
}

static void print_cause(const char *what, u32 cause)
{
    puts_(what);
    puts_(": exccode=");
    put_dec((s32)EXCCODE(cause));
    puts_(" ip=");
    put_hex((cause >> 8) & 0xff);
    puts_(" ti=");
    put_dec((s32)((cause >> 30) & 1));
    puts_(" vector=");
    put_dec((s32)last_exc.vector);
    puts_("\n");
}

int main(void)
{
    puts_("timer: start\n");
    on_exception = on_irq;

    u32 c0 = mfc0(9, 0);
    for (volatile int i = 0; i < 1000; i++)
        ;
    u32 c1 = mfc0(9, 0);
    puts_("count advances: ");
    puts_(c1 != c0 ? "yes\n" : "no\n");

    /* Compare reached with interrupts masked: TI and IP7 become visible in Cause. */
    for (;;) {
        u32 cmp = arm(2000);
        while (!(mfc0(13, 0) & 0x40000000u) && !overtaken(cmp))
            ;
        if (mfc0(13, 0) & 0x40000000u)
            break;
    }
    print_cause("timer pending, masked", mfc0(13, 0) & ~0x80000000u);
    mtc0(11, 0, 0);
    puts_("ti after writing compare: ");
    put_dec((s32)((mfc0(13, 0) >> 30) & 1));
    puts_("\n");

    /* Timer interrupt taken. */
    exc_reset();
    mtc0(12, 0, 0x8000u | C0_STATUS_IE);
    while (ticks == 0) {
        u32 cmp = arm(2000);
        while (ticks == 0 && !overtaken(cmp))
            ;
    }
    mtc0(12, 0, 0);
    print_cause("timer interrupt", seen_cause);
    puts_("status in handler had exl: ");
    put_dec((s32)((last_exc.status >> 1) & 1));
    puts_("\n");

    /* Software interrupt 0: taken right after the mtc0 that raises it. */
    exc_reset();
    mtc0(12, 0, 0x0100u | C0_STATUS_IE);
    mtc0(13, 0, 0x0100u);
    __asm__ volatile("nop");
    mtc0(12, 0, 0);
    print_cause("software interrupt 0", seen_cause);
    puts_("  count=");
    put_dec((s32)last_exc.count);
    puts_("\n");

    /* Masked by IM: stays pending, taken once unmasked. */
    exc_reset();
    mtc0(12, 0, C0_STATUS_IE);
    mtc0(13, 0, 0x0200u);
    puts_("software interrupt 1 masked, taken: ");
    put_dec((s32)last_exc.count);
    puts_("\n");
    mtc0(12, 0, 0x0200u | C0_STATUS_IE);
    __asm__ volatile("nop");
    mtc0(12, 0, 0);
    print_cause("software interrupt 1 unmasked", seen_cause);

    /* Cause.IV: the interrupt vector at +0x200. */
    exc_reset();
    mtc0(13, 0, 0x00800000u);
    mtc0(12, 0, 0x0100u | C0_STATUS_IE);
    mtc0(13, 0, 0x00800100u);
    __asm__ volatile("nop");
    mtc0(12, 0, 0);
    print_cause("software interrupt with IV", seen_cause);
    mtc0(13, 0, 0);

    /* wait until the timer interrupt. */
    exc_reset();
    ticks = 0;
    arm(600000); /* 100 ms of QEMU's mipssim Count: ample time to reach the wait */
    mtc0(12, 0, 0x8000u | C0_STATUS_IE);
    __asm__ volatile("wait");
    mtc0(12, 0, 0);
    puts_("woke from wait by the timer: ");
    puts_(ticks == 1 ? "yes\n" : "no\n");

    /* Cause.DC stops Count. */
    mtc0(13, 0, 0x08000000u);
    c0 = mfc0(9, 0);
    for (volatile int i = 0; i < 1000; i++)
        ;
    c1 = mfc0(9, 0);
    mtc0(13, 0, 0);
    puts_("count stopped by DC: ");
    puts_(c1 == c0 ? "yes\n" : "no\n");
    for (volatile int i = 0; i < 1000; i++)
        ;
    puts_("count runs again: ");
    puts_(mfc0(9, 0) != c1 ? "yes\n" : "no\n");

    puts_("timer: done\n");
    return 0;
}
