# x86-64 integer arithmetic and logic: add, or, adc, sbb, and, sub, xor, cmp in every form
# (r/m,reg; reg,r/m; accumulator,imm; group 1 with imm8, imm8 sign-extended, imm16/32), at
# every operand size, with and without REX; test, inc, dec, neg, not; xchg, cmpxchg, xadd
# and lock prefixes.
	.text
	.code64
	.globl	alu
alu:
	.irp	op, add,or,adc,sbb,and,sub,xor,cmp
	\op	%al, %bl
	\op	%ah, (%rax)
	\op	(%rbx), %ch
	\op	%r9b, %sil
	\op	%ax, %bx
	\op	%eax, %ebx
	\op	%rax, %rbx
	\op	%r8, (%r9)
	\op	(%rcx), %r10d
	\op	0x10(%rsp), %dx
	{load} \op %ecx, %edx
	{store} \op %ecx, %edx
	\op	$0x7f, %al
	\op	$0x1234, %ax
	\op	$0x12345678, %eax
	\op	$-0x12345678, %rax
	\op	$0x12, %bl
	\op	$0x12, %r11b
	\op	$-1, %bx
	\op	$0x1234, %bx
	\op	$0x7f, %ebx
	\op	$-0x80, %r12d
	\op	$0x12345678, %ecx
	\op	$-2, %rdx
	\op	$0x12345678, %r15
	\op	$-0x7fffffff, %rsi
	\op\()b	$0x12, (%rax)
	\op\()w	$0x12, 0x10(%rax)
	\op\()w	$0x1234, (%rax,%rbx,2)
	\op\()l	$-1, (%rdi)
	\op\()l	$0x12345678, -0x8(%rbp)
	\op\()q	$0x7f, (%r8)
	\op\()q	$-0x12345678, 0x8(%rsp)
	.endr
# test
	test	%al, %bl
	test	%ah, (%rcx)
	test	%ax, %bx
	test	%eax, (%rdx)
	test	%r8, %r9
	test	$0x12, %al
	test	$0x1234, %ax
	test	$0x12345678, %eax
	test	$-1, %rax
	test	$0x12, %bl
	test	$0x12, %sil
	test	$0x1234, %cx
	test	$0x12345678, %ecx
	test	$-0x10, %r10
	testb	$0x80, (%rax)
	testw	$0x8000, 0x10(%rax)
	testl	$0x1, (%rax,%rcx,4)
	testq	$-0x1000, (%r12)
	.byte	0xf6, 0xc9, 0x01		# test $0x1,%cl (f6 /1)
	.byte	0xf7, 0x08, 0x01, 0, 0, 0	# testl $0x1,(%rax) (f7 /1)
# inc, dec, neg, not at every size
	.irp	op, inc,dec,neg,not
	\op	%al
	\op	%ah
	\op	%r8b
	\op	%ax
	\op	%ecx
	\op	%r13d
	\op	%rdx
	\op	%r15
	\op\()b	(%rax)
	\op\()w	0x10(%rbx)
	\op\()l	(%rcx,%rdx,8)
	\op\()q	-0x8(%rbp)
	.endr
# xchg, cmpxchg, xadd; lock
	xchg	%ax, %ax
	xchg	%eax, %ecx
	xchg	%rdx, %rax
	xchg	%r8, %rax
	xchg	%ax, %bx
	xchg	%bl, %cl
	xchg	%eax, (%rdi)
	xchg	%r9, (%rsi)
	cmpxchg	%edx, (%rdi)
	cmpxchg	%r10, 0x8(%rbx)
	cmpxchg	%cl, (%rax)
	xadd	%eax, (%rbx)
	xadd	%r8w, %ax
	lock cmpxchg %edx, (%rdi)
	lock xadd %rax, (%rbx)
	lock addl $0x1, (%rax)
	lock subq $0x1, 0x8(%rbx)
	lock orl $0x10, 0x308(%rax)
	lock incl 0x10(%r8)
	lock decq (%rax)
	lock andb $0x7f, (%rcx)
	lock add %eax, (%rdx)
	lock xchg %eax, (%rdi)
	lock negl (%rax)
	lock notq (%rax)
	ret
