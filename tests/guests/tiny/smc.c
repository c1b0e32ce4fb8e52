/* Self-modifying code (freestanding): a function is called, its immediate operand is patched
 * in place, and it is called again, also from a loop that patches and reruns it each time.
 * The program prints what each call returned. Built for mipsel, mips and x86-64 with a
 * writable text segment (-Wl,-N); the x86-64 build run natively is the oracle. */

#if defined(__mips__)
static long sys3(long n, long a, long b, long c) {
    register long v0 __asm__("$2") = n;
    register long a0 __asm__("$4") = a;
    register long a1 __asm__("$5") = b;
    register long a2 __asm__("$6") = c;
    register long a3 __asm__("$7");
    __asm__ volatile("syscall" : "+r"(v0), "=r"(a3) : "r"(a0), "r"(a1), "r"(a2)
                     : "$1", "$3", "$8", "$9", "$10", "$11", "$12", "$13", "$14", "$15",
                       "$24", "$25", "hi", "lo", "memory");
    return v0;
}
#define SYS_WRITE 4004
#define SYS_EXIT 4001
/* value(): `addiu $2,$0,IMM; jr $ra; nop`: the immediate is the low 16 bits of word 0. */
__asm__(".text\n.globl value\n.set noreorder\nvalue:\n  addiu $2,$0,1\n  jr $31\n  nop\n.set reorder\n");
static void patch(unsigned imm) {
    extern unsigned value_words[] __asm__("value");
    value_words[0] = (value_words[0] & 0xffff0000u) | (imm & 0xffff);
    /* A real MIPS needs the caches synchronised; the emulator must notice the store alone. */
}
#elif defined(__x86_64__)
static long sys3(long n, long a, long b, long c) {
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}
#define SYS_WRITE 1
#define SYS_EXIT 60
/* value(): `mov $IMM,%eax; ret`: the immediate is the 4 bytes after the b8 opcode. */
__asm__(".text\n.globl value\nvalue:\n  movl $1,%eax\n  ret\n");
static void patch(unsigned imm) {
    extern unsigned char value_bytes[] __asm__("value");
    value_bytes[1] = imm & 0xff;
    value_bytes[2] = (imm >> 8) & 0xff;
    value_bytes[3] = 0;
    value_bytes[4] = 0;
}
#endif

int value(void);

static void put_num(unsigned v) {
    char buf[12];
    int n = 0;
    do {
        buf[10 - n++] = '0' + v % 10;
        v /= 10;
    } while (v);
    buf[11] = '\n';
    sys3(SYS_WRITE, 1, (long)&buf[11 - n], n + 1);
}

void __attribute__((noreturn, used)) guest_main(void) {
    put_num(value());
    patch(2);
    put_num(value());
    unsigned sum = 0;
    for (unsigned i = 10; i < 20; i++) {
        patch(i);
        sum = sum * 3 + value();
    }
    put_num(sum);
    sys3(SYS_EXIT, 0, 0, 0);
    for (;;) {
    }
}

#if defined(__mips__)
__asm__(".globl __start\n.set noreorder\n__start:\n  addiu $sp,$sp,-32\n  jal guest_main\n  nop\n");
#elif defined(__x86_64__)
__asm__(".globl _start\n_start:\n  andq $-16,%rsp\n  call guest_main\n  hlt\n");
#endif
