# specemu as against GNU as on i386 (tests/asm_objects.rs): references to labels in other
# sections and in another file (extern-32.s), of every kind GNU as relocates (REL: the
# addend is in the instruction). Linked with extern-32.s, the program writes three lines
# and exits with status 0.
    .text
    .globl _start
_start:
    leal (%esi,%edi), %ebp          # GNU as's spellings: no scale, size suffixes,
    sall $3, %ebp                   # condition aliases, sal, rep bsf (tzcnt)
    setnae %al
    cmovnl %ebp, %esi
    rep bsfl %ebp, %edi
    jz 4f
4:  mov $msg, %ecx                  # R_386_32 .data
    mov len, %edx                   # R_386_32 (moffs)
    call write_out                  # R_386_PC32 write_out, -4 in place
    mov $msg2, %ecx
    mov len2, %ebx
    mov %ebx, %edx
    call write_out
    mov $table, %ebx
    mov 4(%ebx), %ecx
    mov 8(%ebx), %edx
    call write_out
    movl $3, counter                # R_386_32 at byte 2, the imm32 after it
    addl $1, counter
    cmpl $4, counter+0
    jne 1f
    cmpl $0x5a5a, counter+4
    jne 1f
    jmp finish                      # R_386_PC32 .text.exit, -4 in place
1:  mov $1, %ebx
    mov $1, %eax
    int $0x80

    .section .text.exit,"ax"
finish:
    xor %ebx, %ebx
    mov $1, %eax
    int $0x80

    .data
msg:    .ascii "relocations: absolute\n"
len:    .long . - msg
msg2:   .ascii "relocations: moffs\n"
len2:   .long len2 - msg2
msg3:   .ascii "relocations: data\n"
        .balign 4
table:  .long 0, msg3, 18
counter: .long 0
        .long 0x5a5a
