# The other file of reloc-64.s: write_out(buf %rsi, len %edx) to standard output.
    .text
    .globl write_out
write_out:
    mov $1, %edi
    mov $1, %eax
    syscall
    ret
