/* Start code and exception vectors of the bare-metal MIPS system tests.
 *
 * _start runs in kernel mode straight from -kernel (the CPU is as reset left it: Status.BEV
 * and ERL set). It leaves BEV and ERL, sets up the stack and gp, clears .bss, calls main()
 * and hands main's return value to UHI exit (semihosting).
 *
 * Every exception saves the general registers in a struct frame (lib.h) on the stack and
 * calls exc_entry(frame, vector) in C; the C side may change frame->epc (and any register)
 * before the eret. vector: 0 = TLB refill (0x000), 1 = general (0x180), 2 = interrupt (0x200). */
    .set noreorder
    .set noat

    .section .vectors, "ax"
    .org 0x000
refill_vector:
    j       save_and_call
    li      $k1, 0
    .org 0x180
general_vector:
    j       save_and_call
    li      $k1, 1
    .org 0x200
irq_vector:
    j       save_and_call
    li      $k1, 2

    .section .text.start, "ax"
    .globl  _start
    .ent    _start
_start:
    move    $s0, $a0            /* $a0 at entry (UHI: -1), for entry_a0 */
    mtc0    $zero, $12          /* Status: kernel, BEV=0, ERL=0, EXL=0, IE=0 */
    ehb
    la      $sp, _stack_top
    la      $gp, _gp
    la      $t0, _bss_start
    la      $t1, _bss_end
1:  beq     $t0, $t1, 2f
    nop
    sw      $zero, 0($t0)
    b       1b
    addiu   $t0, $t0, 4
2:  la      $t0, boot_a0
    sw      $s0, 0($t0)
    jal     main
    nop
    move    $a0, $v0
    li      $t9, 1              /* UHI_exit */
    sdbbp   1
3:  b       3b
    nop
    .end    _start

/* k1 = vector number. Frame: 32 registers, hi, lo, epc (35 words), 8-byte aligned. */
    .globl  save_and_call
save_and_call:
    move    $k0, $sp
    addiu   $sp, $sp, -(36*4 + 16)
    sw      $k0, 29*4+16($sp)
    sw      $1, 1*4+16($sp)
    sw      $2, 2*4+16($sp)
    sw      $3, 3*4+16($sp)
    sw      $4, 4*4+16($sp)
    sw      $5, 5*4+16($sp)
    sw      $6, 6*4+16($sp)
    sw      $7, 7*4+16($sp)
    sw      $8, 8*4+16($sp)
    sw      $9, 9*4+16($sp)
    sw      $10, 10*4+16($sp)
    sw      $11, 11*4+16($sp)
    sw      $12, 12*4+16($sp)
    sw      $13, 13*4+16($sp)
    sw      $14, 14*4+16($sp)
    sw      $15, 15*4+16($sp)
    sw      $16, 16*4+16($sp)
    sw      $17, 17*4+16($sp)
    sw      $18, 18*4+16($sp)
    sw      $19, 19*4+16($sp)
    sw      $20, 20*4+16($sp)
    sw      $21, 21*4+16($sp)
    sw      $22, 22*4+16($sp)
    sw      $23, 23*4+16($sp)
    sw      $24, 24*4+16($sp)
    sw      $25, 25*4+16($sp)
    sw      $28, 28*4+16($sp)
    sw      $30, 30*4+16($sp)
    sw      $31, 31*4+16($sp)
    mfhi    $t0
    sw      $t0, 32*4+16($sp)
    mflo    $t0
    sw      $t0, 33*4+16($sp)
    mfc0    $t0, $14
    sw      $t0, 34*4+16($sp)
    la      $gp, _gp
    addiu   $a0, $sp, 16
    jal     exc_entry
    move    $a1, $k1
    lw      $t0, 34*4+16($sp)
    mtc0    $t0, $14
    lw      $t0, 32*4+16($sp)
    mthi    $t0
    lw      $t0, 33*4+16($sp)
    mtlo    $t0
    lw      $1, 1*4+16($sp)
    lw      $2, 2*4+16($sp)
    lw      $3, 3*4+16($sp)
    lw      $4, 4*4+16($sp)
    lw      $5, 5*4+16($sp)
    lw      $6, 6*4+16($sp)
    lw      $7, 7*4+16($sp)
    lw      $8, 8*4+16($sp)
    lw      $9, 9*4+16($sp)
    lw      $10, 10*4+16($sp)
    lw      $11, 11*4+16($sp)
    lw      $12, 12*4+16($sp)
    lw      $13, 13*4+16($sp)
    lw      $14, 14*4+16($sp)
    lw      $15, 15*4+16($sp)
    lw      $16, 16*4+16($sp)
    lw      $17, 17*4+16($sp)
    lw      $18, 18*4+16($sp)
    lw      $19, 19*4+16($sp)
    lw      $20, 20*4+16($sp)
    lw      $21, 21*4+16($sp)
    lw      $22, 22*4+16($sp)
    lw      $23, 23*4+16($sp)
    lw      $24, 24*4+16($sp)
    lw      $25, 25*4+16($sp)
    lw      $28, 28*4+16($sp)
    lw      $30, 30*4+16($sp)
    lw      $31, 31*4+16($sp)
    lw      $sp, 29*4+16($sp)
    ehb
    eret
    nop

    .data
    .globl  boot_a0
boot_a0:
    .word   0
    .text

/* uhi(op, a0, a1, a2): a UHI call (sdbbp 1 with the operation in t9); returns v0. */
    .globl  uhi_call
uhi_call:
    move    $t9, $a0
    move    $a0, $a1
    move    $a1, $a2
    move    $a2, $a3
    sdbbp   1
    jr      $ra
    nop
