# x86-64 shifts and rotates: rol, ror, rcl, rcr, shl, shr, sar (and sal) by 1, by %cl and by
# an immediate, at every operand size, on registers and memory.
	.text
	.code64
	.globl	shift
shift:
	.irp	op, rol,ror,rcl,rcr,shl,shr,sar,sal
	\op	%al
	\op	%r8b
	\op	%ax
	\op	%eax
	\op	%rax
	\op	%cl, %bl
	\op	%cl, %bx
	\op	%cl, %ebx
	\op	%cl, %r12
	\op	$3, %dl
	\op	$3, %dx
	\op	$0x1f, %edx
	\op	$0x3f, %rdx
	\op\()b	(%rax)
	\op\()w	0x10(%rax)
	\op\()l	(%rax,%rbx,4)
	\op\()q	-0x8(%rbp)
	\op\()b	%cl, (%rax)
	\op\()l	%cl, (%rax)
	\op\()q	%cl, 0x8(%rsp)
	\op\()b	$2, (%rax)
	\op\()w	$2, (%rax)
	\op\()l	$2, (%rax)
	\op\()q	$2, (%rax)
	.endr
	.byte	0xd1, 0xf0			# /6 (sal alias): shl %eax
	.byte	0xc1, 0x30, 0x02		# shll $0x2,(%rax)
	ret
