/* Synchronous exceptions in kernel mode: syscall, break, trap, reserved instruction,
 * integer overflow, unaligned loads and stores (AdEL/AdES with BadVAddr), an unaligned
 * instruction fetch, an exception in a branch delay slot (Cause.BD, EPC at the branch),
 * bus errors for unassigned physical memory, kuseg under Status.ERL, and ll/sc across an
 * exception (eret clears the link bit). Each line shows ExcCode, BD, EPC and BadVAddr. */
#include "lib.h"

static u32 ret_to_ra(struct frame *f)
{
    return f->r[31];
}

int main(void)
{
    puts_("exceptions: start\n");

    exc_reset();
    __asm__ volatile("syscall 0x12");
    print_exc("syscall");

    exc_reset();
    __asm__ volatile("break 7");
    print_exc("break");

    exc_reset();
    __asm__ volatile("teq $0, $0, 5");
    print_exc("teq");

    exc_reset();
    __asm__ volatile("li $t0, -1\n\ttgei $t0, -2" ::: "t0");
    print_exc("tgei");

    exc_reset();
    __asm__ volatile("li $t0, 1\n\ttne $t0, $t0" ::: "t0");
    print_exc("tne (not taken)");

    exc_reset();
    __asm__ volatile(".word 0xec000000"); /* opcode 0x3b: reserved before Release 6 */
    print_exc("reserved instruction");

    exc_reset();
    {
        s32 r = 0;
        __asm__ volatile("li $t0, 0x7fffffff\n\tli %0, 5\n\tadd %0, $t0, $t0" : "+r"(r) : : "t0");
        print_exc("add overflow");
        puts_("  destination unchanged: ");
        puts_(r == 5 ? "yes\n" : "no\n");
    }

    exc_reset();
    {
        u32 v;
        __asm__ volatile("li $t0, 0x80002001\n\tlw %0, 0($t0)" : "=r"(v) : : "t0");
        print_exc("lw unaligned");
    }

    exc_reset();
    {
        u32 v;
        __asm__ volatile("li $t0, 0x80002003\n\tlhu %0, 0($t0)" : "=r"(v) : : "t0");
        print_exc("lhu unaligned");
    }

    exc_reset();
    __asm__ volatile("li $t0, 0x80002002\n\tsw $zero, 0($t0)" ::: "t0", "memory");
    print_exc("sw unaligned");

    exc_reset();
    __asm__ volatile("li $t0, 0x80002001\n\tsh $zero, 0($t0)" ::: "t0", "memory");
    print_exc("sh unaligned");

    exc_reset();
    on_exception = ret_to_ra;
    __asm__ volatile("la $t0, main\n\taddiu $t0, $t0, 2\n\tjalr $t0\n\tnop" ::: "t0", "ra", "memory");
    on_exception = 0;
    print_exc("fetch unaligned");

    exc_reset();
    __asm__ volatile(".set noreorder\n\tli $t0, 0x80002001\n\tb 1f\n\tlw $t1, 0($t0)\n1:\n\t.set reorder" ::: "t0", "t1");
    print_exc("lw in delay slot");

    exc_reset();
    __asm__ volatile(".set noreorder\n\tli $t0, 0x80002001\n\tbeq $zero, $t0, 1f\n\tsw $zero, 0($t0)\n1:\n\t.set reorder" ::: "t0", "memory");
    print_exc("sw in delay slot (branch not taken)");

    exc_reset();
    {
        u32 v;
        __asm__ volatile("li $t0, 0xb0000000\n\tlw %0, 0($t0)" : "=r"(v) : : "t0");
        print_exc("load from unassigned memory");
    }

    exc_reset();
    __asm__ volatile("li $t0, 0xb0000000\n\tsw $zero, 0($t0)" ::: "t0", "memory");
    print_exc("store to unassigned memory");

    exc_reset();
    on_exception = ret_to_ra;
    __asm__ volatile("li $t0, 0xb0000000\n\tjalr $t0\n\tnop" ::: "t0", "ra", "memory");
    on_exception = 0;
    print_exc("fetch from unassigned memory");

    exc_reset();
    {
        u32 st = mfc0(12, 0);
        u32 a, b;
        mtc0(12, 0, st | C0_STATUS_ERL);
        a = REG32(0x00001000u);
        b = REG32(0x80001000u);
        mtc0(12, 0, st);
        puts_("kuseg unmapped under ERL: ");
        puts_(a == b && last_exc.count == 0 ? "yes\n" : "no\n");
    }

    exc_reset();
    {
        volatile u32 cell = 5;
        u32 ok;
        __asm__ volatile("ll $t0, 0(%1)\n\tsyscall\n\taddiu $t0, $t0, 1\n\tsc $t0, 0(%1)\n\tmove %0, $t0"
                         : "=r"(ok) : "r"(&cell) : "t0", "memory");
        print_exc("syscall between ll and sc");
        puts_("  sc after eret succeeded: ");
        puts_(ok ? "yes\n" : "no\n");
        __asm__ volatile("ll $t0, 0(%1)\n\taddiu $t0, $t0, 1\n\tsc $t0, 0(%1)\n\tmove %0, $t0"
                         : "=r"(ok) : "r"(&cell) : "t0", "memory");
        puts_("  sc without exception succeeded: ");
        puts_(ok ? "yes\n" : "no\n");
    }

    puts_("status after all: ");
    put_hex(mfc0(12, 0));
    puts_("\nexceptions: done\n");
    return 0;
}
