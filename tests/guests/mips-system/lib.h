/* Shared support of the bare-metal MIPS system tests: UART output (the mipssim board's 16550
 * at physical 0x1fd003f8), number printing, CP0 access, and the exception record that
 * start.S's handlers fill through exc_entry(). Output is text only, so that specemu's and
 * QEMU's serial output can be compared byte for byte. */
#ifndef LIB_H
#define LIB_H

typedef unsigned int u32;
typedef int s32;
typedef unsigned char u8;

#define UART_BASE 0xbfd003f8u /* kseg1 (uncached) view of physical 0x1fd003f8 */
#define REG8(a) (*(volatile u8 *)(a))
#define REG32(a) (*(volatile u32 *)(a))

#define mfc0(reg, sel) ({ u32 v_; __asm__ volatile("mfc0 %0, $" #reg ", " #sel : "=r"(v_)); v_; })
#define mtc0(reg, sel, v) __asm__ volatile("mtc0 %z0, $" #reg ", " #sel "\n\tehb" : : "Jr"((u32)(v)) : "memory")

#define C0_INDEX 0
#define C0_STATUS_IE 0x1u
#define C0_STATUS_EXL 0x2u
#define C0_STATUS_ERL 0x4u
#define C0_STATUS_UM 0x10u
#define C0_STATUS_BEV 0x400000u
#define C0_STATUS_CU1 0x20000000u
#define C0_STATUS_CU0 0x10000000u

struct frame {
    u32 r[32];
    u32 hi, lo, epc;
};

/* What the last exception looked like. */
struct exc_record {
    u32 count;     /* exceptions taken so far */
    u32 vector;    /* 0 refill, 1 general, 2 interrupt vector */
    u32 cause, epc, badvaddr, status, context, entryhi;
};
extern volatile struct exc_record last_exc;

/* The test's handler: called after the record is filled. Returns the new EPC (or 0 to
 * skip the faulting instruction: EPC + 4, or the branch + 8 when Cause.BD is set). */
extern u32 (*on_exception)(struct frame *f);

void uart_putc(char c);
void puts_(const char *s);
void put_hex(u32 v);           /* 0x%08x */
void put_dec(s32 v);
void put_kv(const char *k, u32 v); /* "k=0x........\n" */
void print_exc(const char *what);  /* one line: what, ExcCode, BD, EPC offset, BadVAddr */
u32 uhi_call(u32 op, u32 a0, u32 a1, u32 a2);
void exc_reset(void);
extern u32 boot_a0; /* $a0 when _start ran (UHI boot: -1) */

#define EXCCODE(c) (((c) >> 2) & 0x1f)

#endif
