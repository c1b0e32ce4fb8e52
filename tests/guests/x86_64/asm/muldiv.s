# x86-64 multiply, divide and accumulator sign extension: mul, imul (1-, 2- and 3-operand),
# div, idiv at every operand size; cbw/cwde/cdqe and cwd/cdq/cqo.
	.text
	.code64
	.globl	muldiv
muldiv:
	.irp	op, mul,imul,div,idiv
	\op	%cl
	\op	%ah
	\op	%r8b
	\op	%cx
	\op	%ecx
	\op	%r9d
	\op	%rcx
	\op	%r15
	\op\()b	(%rax)
	\op\()w	0x10(%rax)
	\op\()l	(%rax,%rbx,4)
	\op\()q	-0x8(%rbp)
	.endr
	imul	%cx, %ax
	imul	%ecx, %eax
	imul	%r8, %rax
	imul	(%rax), %edx
	imul	0x10(%rbx), %r10
	imul	$0x10, %ecx, %eax
	imul	$-0x10, %rcx, %rax
	imul	$0x1000, %ecx, %eax
	imul	$-0x12345678, %r8, %r9
	imul	$0x1234, %cx, %ax
	imul	$-2, %cx, %ax
	imul	$0x10, (%rax), %eax
	imul	$0x12345678, 0x8(%rsp), %rdx
	imul	$5, %eax
	cbtw
	cwtl
	cltq
	cwtd
	cltd
	cqto
	ret
