/* The software-managed TLB: tlbwi/tlbwr/tlbp/tlbr, the refill exception (vector +0x000)
 * with BadVAddr, Context.BadVPN2 and EntryHi.VPN2, TLB invalid (V=0, general vector), TLB
 * modified (D=0), ASIDs and the G bit, a 16 KiB page, a refill handler that fills the TLB
 * and retries, and user mode running from a mapped page (address error on kseg0,
 * coprocessor unusable for CP0 and CP1, syscall back to the kernel). */
#include "lib.h"

#define PFN(pa) (((pa) >> 12) << 6)
#define LO_V 0x2u
#define LO_D 0x4u
#define LO_G 0x1u
#define LO_C 0x18u /* cacheable, noncoherent (3) */

static void tlb_write(u32 index, u32 hi, u32 mask, u32 lo0, u32 lo1)
{
    mtc0(0, 0, index);
    mtc0(10, 0, hi);
    mtc0(5, 0, mask);
    mtc0(2, 0, lo0);
    mtc0(3, 0, lo1);
    __asm__ volatile("tlbwi\n\tehb" ::: "memory");
}

static void print_tlb_exc(const char *what)
{
    print_exc(what);
    puts_("  context=");
    put_hex(last_exc.context);
    puts_(" entryhi=");
    put_hex(last_exc.entryhi);
    puts_("\n");
}

static u32 refill_fill(struct frame *f)
{
    if (last_exc.vector == 0) {
        /* Map the faulting pair to physical 0x00300000/0x00301000, then retry. */
        mtc0(2, 0, PFN(0x00300000u) | LO_C | LO_D | LO_V);
        mtc0(3, 0, PFN(0x00301000u) | LO_C | LO_D | LO_V);
        mtc0(5, 0, 0);
        __asm__ volatile("tlbwr\n\tehb" ::: "memory");
        return f->epc;
    }
    return 0;
}

extern char user_code[], user_code_end[];
static u32 kernel_sp, kernel_resume;

static u32 user_exc(struct frame *f)
{
    if (EXCCODE(last_exc.cause) == 8) {
        /* Back to kernel mode at kernel_resume. */
        mtc0(12, 0, mfc0(12, 0) & ~0x18u);
        f->r[29] = kernel_sp;
        return kernel_resume;
    }
    print_exc("  user");
    return 0;
}

int main(void)
{
    u32 hi, lo0, lo1, mask, v;
    puts_("tlb: start\n");
    mtc0(4, 0, 0x80c00000u); /* Context.PTEBase */
    for (u32 i = 0; i < 16; i++)
        tlb_write(i, 0x80000000u + (i << 13), 0, 0, 0); /* kseg0 VPNs never match */

    /* ASID 1: 0x00400000 -> 0x00100000 (dirty), 0x00401000 -> 0x00101000 (clean). */
    REG32(0x80100010u) = 0x11223344u;
    REG32(0x80101010u) = 0x55667788u;
    tlb_write(0, 0x00400001u, 0, PFN(0x00100000u) | LO_C | LO_D | LO_V, PFN(0x00101000u) | LO_C | LO_V);
    mtc0(10, 0, 1);
    put_kv("read even page", REG32(0x00400010u));
    put_kv("read odd page", REG32(0x00401010u));
    REG32(0x00400014u) = 0xa5a5a5a5u;
    put_kv("write through mapping seen in kseg0", REG32(0x80100014u));

    exc_reset();
    REG32(0x00401014u) = 1;
    print_tlb_exc("store to clean page");

    exc_reset();
    v = REG32(0x00800004u);
    print_tlb_exc("load unmapped");

    exc_reset();
    REG32(0x00802008u) = 1;
    print_tlb_exc("store unmapped");

    /* V=0 on the odd page: TLB invalid through the general vector. */
    tlb_write(1, 0x00600001u, 0, PFN(0x00110000u) | LO_C | LO_D | LO_V, 0);
    exc_reset();
    v = REG32(0x00601000u);
    print_tlb_exc("load invalid");
    exc_reset();
    REG32(0x00601000u) = 1;
    print_tlb_exc("store invalid");

    /* Another ASID: the ASID-1 entry no longer matches; a global one does. */
    mtc0(10, 0, 2);
    exc_reset();
    v = REG32(0x00400010u);
    print_tlb_exc("load with other asid");
    tlb_write(2, 0x00a00002u, 0, PFN(0x00100000u) | LO_C | LO_V | LO_G, PFN(0x00101000u) | LO_C | LO_V | LO_G);
    mtc0(10, 0, 7);
    put_kv("global entry from asid 7", REG32(0x00a00010u));

    /* tlbp / tlbr. */
    mtc0(10, 0, 0x00401001u);
    __asm__ volatile("tlbp\n\tehb");
    put_kv("tlbp hit index", mfc0(0, 0));
    mtc0(10, 0, 0x00c00001u);
    __asm__ volatile("tlbp\n\tehb");
    put_kv("tlbp miss index", mfc0(0, 0));
    mtc0(0, 0, 2);
    __asm__ volatile("tlbr\n\tehb");
    hi = mfc0(10, 0);
    mask = mfc0(5, 0);
    lo0 = mfc0(2, 0);
    lo1 = mfc0(3, 0);
    put_kv("tlbr entryhi", hi);
    put_kv("tlbr pagemask", mask);
    put_kv("tlbr entrylo0", lo0);
    put_kv("tlbr entrylo1", lo1);

    /* A 16 KiB page pair. */
    REG32(0x80205010u) = 0xfeedc0deu;
    tlb_write(3, 0x01000001u, 0x6000u, PFN(0x00200000u) | LO_C | LO_D | LO_V, PFN(0x00204000u) | LO_C | LO_D | LO_V);
    mtc0(10, 0, 1);
    put_kv("16k page read", REG32(0x01005010u));

    /* tlbwr lands in [Wired, 15]. */
    mtc0(6, 0, 10);
    mtc0(10, 0, 0x02000001u);
    mtc0(5, 0, 0);
    mtc0(2, 0, PFN(0x00100000u) | LO_C | LO_V);
    mtc0(3, 0, 0);
    __asm__ volatile("tlbwr\n\tehb");
    __asm__ volatile("tlbp\n\tehb");
    v = mfc0(0, 0);
    puts_("tlbwr index in [wired, 15]: ");
    puts_(v >= 10 && v <= 15 ? "yes\n" : "no\n");
    mtc0(10, 0, 1);
    put_kv("read through tlbwr entry", REG32(0x02000010u));
    mtc0(6, 0, 0);

    /* A refill handler that fills the TLB and retries. */
    REG32(0x80300020u) = 0x0badf00du;
    exc_reset();
    on_exception = refill_fill;
    v = REG32(0x03000020u);
    on_exception = 0;
    put_kv("after refill handler", v);
    puts_("  refills taken: ");
    put_dec((s32)last_exc.count);
    puts_("\n");

    /* User mode from a mapped page. */
    u32 upa = ((u32)user_code) & 0x1fffffffu;
    tlb_write(4, 0x00700001u, 0, PFN(upa) | LO_C | LO_V, PFN(upa + 0x1000u) | LO_C | LO_V);
    mtc0(10, 0, 1);
    on_exception = user_exc;
    __asm__ volatile("la $t0, 1f\n\tsw $t0, %0\n\tsw $sp, %1\n\t"
                     "li $t0, 0x00700000\n\tmtc0 $t0, $14\n\t"
                     "mfc0 $t0, $12\n\tori $t0, $t0, 0x12\n\tmtc0 $t0, $12\n\tehb\n\t"
                     "li $a0, 0x80000000\n\teret\n"
                     "1:"
                     : "=m"(kernel_resume), "=m"(kernel_sp) : : "t0", "a0", "memory");
    on_exception = 0;
    puts_("back in kernel mode, status=");
    put_hex(mfc0(12, 0));
    puts_("\n");
    (void)v;
    puts_("tlb: done\n");
    return 0;
}

/* Position-independent user code, on its own page: runs at 0x00700000. */
__asm__(".section .text.user, \"ax\"\n"
        ".balign 4096\n"
        ".set noreorder\n"
        ".globl user_code\n"
        "user_code:\n"
        "  mfc0 $t0, $12\n"      /* CpU, unit 0 */
        "  lw $t0, 0($a0)\n"     /* AdEL: kseg0 from user mode */
        "  mfc1 $t0, $f0\n"      /* CpU, unit 1 */
        "  sw $t0, 0($a0)\n"     /* AdES */
        "  syscall\n"
        "  nop\n"
        ".globl user_code_end\n"
        "user_code_end:\n"
        ".set reorder\n"
        ".previous\n");
