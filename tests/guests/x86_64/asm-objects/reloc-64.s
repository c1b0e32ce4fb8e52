# specemu as against GNU as on x86-64 (tests/asm_objects.rs): references to labels in
# other sections and in another file (extern-64.s), of every kind GNU as relocates. Linked
# with extern-64.s, the program writes three lines and exits with status 0.
    .text
    .globl _start
_start:
    jmp 2f                          # a label 130 bytes on: rel32, as GNU as sizes it
    .space 130, 0x90
2:  jmp 3f                          # a near one: rel8
    nop
3:  leal (%rsi,%rdi), %r8d          # GNU as's spellings: no scale, size suffixes,
    sall $2, %r8d                   # condition aliases, sal, rep bsf (tzcnt)
    sarl %cl, %r8d
    setz %r9b
    cmovnge %r8d, %r9d
    rep bsfq %r8, %r9
    jnb 4f
4:  lea msg(%rip), %rsi             # R_X86_64_PC32 .data-4
    mov len, %edx                   # R_X86_64_32S (SIB, no base)
    call write_out                  # R_X86_64_PLT32 write_out-4
    mov $msg2, %esi                 # R_X86_64_32
    movq $len2, %rax                # R_X86_64_32S (imm32 sign-extended)
    mov (%rax), %edx
    call write_out@PLT
    movabs $table, %rbx             # R_X86_64_64
    mov 8(%rbx), %rsi
    mov 16(%rbx), %edx
    call write_out
    addl $1, counter(%rip)          # R_X86_64_PC32 .data-5 (an imm8 follows the field)
    cmpl $1, counter+0(%rip)
    jne 1f
    lea counter+4(%rip), %rax       # a label's offset: .data+4-4
    cmpl $0x5a5a, (%rax)
    jne 1f
    jmp finish                      # R_X86_64_PC32 .text.exit-4
1:  mov $1, %edi
    mov $60, %eax
    syscall

    .section .text.exit,"ax"
finish:
    xor %edi, %edi
    mov $60, %eax
    syscall

    .data
msg:    .ascii "relocations: rip-relative\n"
len:    .long . - msg
msg2:   .ascii "relocations: absolute\n"
len2:   .long len2 - msg2
msg3:   .ascii "relocations: data\n"
        .balign 8
table:  .quad 0, msg3, 18
counter: .long 0
        .long 0x5a5a
