# 16-bit code (.code16): the subset's forms in 16-bit mode, where 0x66 selects 32-bit
# operands (pushl, calll, retl, leavel) and 0x67 32-bit addressing. The conformance tests
# assemble it as --64 and --32 (both tools then decode the bytes in that mode); its 16-bit
# decoding is checked against objdump -Mi8086.
	.text
	.code16
	.globl	insn16
insn16:
	.irp	r, %ax,%cx,%dx,%bx,%sp,%bp,%si,%di
	inc	\r
	dec	\r
	push	\r
	pop	\r
	.endr
	inc	%eax
	push	%ecx
	pop	%edx
	mov	%ax, %bx
	mov	%eax, %ebx
	mov	$0x1234, %ax
	mov	$0x12345678, %eax
	mov	$0x12, %ah
	mov	0x1234, %ax
	mov	%al, 0x1234
	movw	$0x1234, (%bx)
	movl	$0x12345678, 0x10(%bp)
	movzbw	%al, %ax
	movzbl	(%si), %eax
	movsbw	%al, %cx
	lea	0x10(%bx,%di), %ax
	lea	(%eax,%ebx,2), %eax
	add	$0x10, %ax
	add	$0x1234, %ax
	add	$0x12345678, %eax
	addw	$1, (%bx)
	addl	$-1, (%bx,%si)
	sub	%cx, (%di)
	xor	%eax, %eax
	cmpb	$0x10, (%bp)
	test	$0x1234, %ax
	test	%eax, %ebx
	incw	(%bx)
	decl	0x10(%si)
	neg	%ax
	notl	(%di)
	mul	%cx
	imul	%ecx, %eax
	imul	$0x10, %ax, %ax
	divw	(%bx)
	idivl	(%bx)
	shl	%ax
	shr	%cl, %eax
	sar	$3, %dx
	rol	$1, %al
	ror	%cl, (%bx)
	push	$0x10
	push	$0x1234
	pushl	$0x12345678
	pushw	(%bx)
	pushl	(%bx)
	pop	(%bx)
	popl	(%bx)
	push	%ds
	pop	%es
	pushl	%fs
	call	insn16
	calll	insn16
	call	*%ax
	call	*(%bx)
	calll	*(%bx)
	jmp	insn16
	jmp	1f
	jmp	*%ax
	je	insn16
	jne	1f
1:	setne	%al
	cmove	%ax, %bx
	ret
	ret	$2
	retl
	leave
	leavel
	cbtw
	cwtl
	cwtd
	cltd
	nop
	xchg	%eax, %eax
	nopw	(%bx)
	nopl	(%bx)
	int	$0x10
	int3
	hlt
	ret
