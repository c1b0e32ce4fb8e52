/* Bare-metal entry for the lx106 guests (CALL0 ABI): sets the stack pointer
 * (a1), zeroes .bss, calls main(0, 0) and exits through semihosting
 * (guest_exit -> simcall with a2 = 1 (SYS_exit), a3 = status). Exercises
 * l32r (movi of a symbol), s32i, addi, bgeu, j, call0 and simcall. */
    .text
    .literal_position
    .align  4
    .global _start
    .type   _start, @function
_start:
    movi    a1, __stack
    movi    a2, __bss_start
    movi    a3, __bss_end
    movi    a4, 0
1:  bgeu    a2, a3, 2f
    s32i    a4, a2, 0
    addi    a2, a2, 4
    j       1b
2:  movi    a2, 0                   /* argc */
    movi    a3, 0                   /* argv */
    call0   main
    call0   guest_exit              /* a2 = main's return value */
3:  j       3b                      /* not reached */
    .size   _start, . - _start
