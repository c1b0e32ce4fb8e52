# x86-64 stack instructions: push and pop of registers (with and without REX, 16-bit with
# 0x66), memory, immediates and segment registers; pushf/popf; leave; enter.
	.text
	.code64
	.globl	stack
stack:
	.irp	r, %rax,%rcx,%rdx,%rbx,%rsp,%rbp,%rsi,%rdi,%r8,%r9,%r10,%r11,%r12,%r13,%r14,%r15
	push	\r
	pop	\r
	.endr
	push	%ax
	pop	%r9w
	push	(%rax)
	push	0x10(%rbp)
	push	(%rax,%rbx,8)
	pushw	(%rax)
	pop	(%rax)
	pop	-0x8(%rbp)
	popw	0x10(%rax)
	.byte	0xff, 0xf0			# push %rax (ff /6)
	.byte	0x8f, 0xc0			# pop %rax (8f /0)
	push	$0x10
	push	$-1
	push	$0x12345678
	push	$-0x12345678
	pushw	$0x10
	pushw	$0x1234
	push	%fs
	push	%gs
	pop	%fs
	pop	%gs
	pushw	%fs
	pushf
	popf
	pushfw
	leave
	leavew
	enter	$0x10, $0
	enter	$0x100, $3
	ret
