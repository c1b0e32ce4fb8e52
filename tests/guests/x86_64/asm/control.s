# x86-64 control transfer: call, jmp (rel8, rel32, indirect through registers and memory),
# ret (with and without an immediate, with rep/bnd prefixes), far forms, every jcc (rel8 and
# rel32), setcc, cmovcc, jrcxz/loop, int, int3, int1, syscall, hlt.
	.text
	.code64
	.globl	control
control:
	call	control
	call	1f
1:	call	*%rax
	call	*%r11
	call	*(%rax)
	call	*0x10(%rbx,%rcx,8)
	call	*control(%rip)
	jmp	1b
	jmp	2f
	.fill	200, 1, 0x90
2:	jmp	*%rax
	jmp	*%r15
	jmp	*(%rax)
	jmp	*0x8(%rsp)
	notrack jmp *%rax
	notrack call *%rdx
	bnd jmp 2b
	bnd call 2b
	bnd ret
	repz ret
	.byte	0x66, 0xe8, 0, 0		# callw
	.byte	0x66, 0xe9, 0, 0		# jmpw
	.byte	0x66, 0xc3			# retw
	.byte	0x66, 0xff, 0xd0		# call *%ax
	.byte	0x66, 0xff, 0x10		# callw *(%rax)
	.byte	0x67, 0xe8, 0, 0, 0, 0		# addr32 call
	lcall	*(%rax)
	ljmp	*(%rbx)
	ret
	ret	$0x10
	.byte	0xcb			# lret
	.byte	0xca, 8, 0		# lret $0x8
3:	.irp	cc, o,no,b,ae,e,ne,be,a,s,ns,p,np,l,ge,le,g
	j\cc	3b
	j\cc	4f
	.endr
	.fill	200, 1, 0x90
4:	.irp	cc, o,no,b,ae,e,ne,be,a,s,ns,p,np,l,ge,le,g
	set\cc	%al
	set\cc	%sil
	set\cc	%ah
	set\cc	(%rax)
	cmov\cc	%ecx, %eax
	cmov\cc	(%rax), %r8
	cmov\cc	%cx, %dx
	.endr
5:	jrcxz	5b
	jecxz	5b
	loop	5b
	loope	5b
	loopne	5b
	int	$0x80
	int	$3
	int3
	int1
	syscall
	sysenter
	hlt
	ret
