# i386 (32-bit mode) forms of the subset that differ from 64-bit mode: one-byte inc/dec,
# push/pop of es/cs/ss/ds, the 82 group-1 alias, absolute moffs, 16-bit operands and branch
# targets through 0x66 (callw, jmpw, retw, leavew, pushw), int/into, cwtl/cltd.
	.text
	.code32
	.globl	insn32
insn32:
	.irp	r, %eax,%ecx,%edx,%ebx,%esp,%ebp,%esi,%edi
	inc	\r
	dec	\r
	push	\r
	pop	\r
	.endr
	inc	%ax
	dec	%di
	push	%ax
	pop	%bx
	push	%es
	push	%cs
	push	%ss
	push	%ds
	pop	%es
	pop	%ss
	pop	%ds
	push	%fs
	pop	%gs
	pushw	%ds
	pushl	(%eax)
	pushw	(%eax)
	popl	0x10(%ebp)
	push	$0x10
	push	$-1
	push	$0x12345678
	pushw	$0x1234
	pushw	$-2
	.byte	0x82, 0xc0, 0x01		# add $0x1,%al (82)
	.byte	0x82, 0x38, 0x01		# cmpb $0x1,(%eax) (82)
	mov	0x1234, %eax
	mov	0x1234, %al
	mov	0x1234, %ax
	mov	%eax, 0x1234
	mov	%fs:0x1234, %eax
	.byte	0x67, 0xa1, 0x34, 0x12		# addr16 mov 0x1234,%eax
	movzbl	%al, %eax
	movzwl	(%eax), %ecx
	movsbw	%cl, %dx
	movswl	%ax, %eax
	lea	0x10(%eax,%ebx,4), %ecx
	lea	(%bx,%si), %ax
	add	$0x12345678, %eax
	addl	$1, (%eax)
	subw	$0x1234, (%ebx)
	cmpb	$0x7f, 0x10(%esp)
	imul	$0x10, %ecx, %eax
	imul	$-3, %cx, %ax
	mull	(%eax)
	idivw	(%eax)
	shl	%eax
	sarl	$3, (%eax)
	rolw	%cl, (%eax)
	neg	%ecx
	notb	(%eax)
	cbtw
	cwtl
	cwtd
	cltd
	call	insn32
	call	*%eax
	call	*(%eax)
	callw	*(%eax)
	.byte	0x66, 0xe8, 0, 0		# callw
	.byte	0x66, 0xe9, 0, 0		# jmpw
	.byte	0x66, 0x0f, 0x84, 0, 0		# je (rel16)
	jmp	*%ecx
	jmp	*0x10(%ebx)
	je	insn32
	jne	1f
	.fill	200, 1, 0x90
1:	sete	%al
	cmovge	(%eax), %ecx
	ret
	ret	$4
	retw
	leave
	leavew
	.byte	0x66, 0x90			# xchg %ax,%ax
	nop
	nopl	(%eax)
	nopw	0x0(%eax,%eax,1)
	.byte	0x2e, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0	# nopl %cs:0x0(%eax,%eax,1)
	int	$0x80
	int3
	into
	hlt
	jecxz	1b
	.byte	0x67, 0xe3, 0xfe		# jcxz
	ret
