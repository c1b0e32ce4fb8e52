# x86-64 nops in every form objdump distinguishes (90, xchg %ax,%ax, pause, the 0f 1f
# multi-byte nops with their data16/cs padding, the 0f 18-1f hint space, endbr64), and
# common instructions outside the subset that must decode to keep step.
	.text
	.code64
	.globl	misc
misc:
	nop
	xchg	%ax, %ax
	pause
	.byte	0x66, 0x66, 0x90		# data16 xchg %ax,%ax
	nopl	(%rax)
	nopl	0x0(%rax)
	nopl	0x0(%rax,%rax,1)
	nopw	0x0(%rax,%rax,1)
	nopl	0x0(%rax)
	.byte	0x0f, 0x1f, 0x80, 0, 0, 0, 0	# nopl 0x0(%rax)
	.byte	0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0	# nopl 0x0(%rax,%rax,1)
	.byte	0x66, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0
	.byte	0x66, 0x2e, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0
	.byte	0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0
	.byte	0x66, 0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0
	.byte	0x66, 0x66, 0x66, 0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0
	.byte	0x2e, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0	# cs nopl
	.byte	0x48, 0x0f, 0x1f, 0x00		# nopq (%rax)
	.byte	0x0f, 0x1f, 0xc0		# nop %eax
	.byte	0x66, 0x0f, 0x1f, 0xc0		# nop %ax
	.byte	0x0f, 0x1f, 0x48, 0x00		# nopl 0x0(%rax) (reg 1)
	.byte	0x0f, 0x19, 0x00		# nopl (%rax)
	.byte	0x0f, 0x1e, 0xc0		# nop %eax
	.byte	0x0f, 0x1e, 0xfa		# nop %edx
	.byte	0x0f, 0x18, 0x20		# nopl (%rax)
	prefetchnta (%rax)
	prefetcht0 0x40(%rdi)
	prefetcht1 (%rsi)
	prefetcht2 (%rdx)
	prefetchw (%rax)
	endbr64
	endbr32
# outside the subset, for decoding to stay in step
	rep stosb
	rep stosl
	rep stosq
	rep movsb
	rep movsq
	movsb
	stosw
	lodsl
	scasb
	repnz scasb
	repz cmpsb
	cld
	std
	cpuid
	rdtsc
	ud2
	bswap	%eax
	bswap	%r9
	bt	%eax, %ecx
	bts	$3, %rax
	btr	%rcx, (%rax)
	btl	$5, (%rax)
	bsf	%eax, %ecx
	bsr	(%rax), %rdx
	tzcnt	%eax, %ecx
	lzcnt	%rax, %rdx
	popcnt	%ecx, %edx
	shld	$3, %eax, %ecx
	shrd	%cl, %rax, (%rbx)
	movbe	(%rax), %eax
	movbe	%rcx, (%rdx)
	pxor	%xmm0, %xmm0
	movdqa	(%rax), %xmm1
	movdqu	%xmm2, (%rbx)
	movaps	%xmm3, 0x10(%rsp)
	movups	(%rsi), %xmm8
	pcmpeqb	%xmm1, %xmm0
	pmovmskb %xmm0, %eax
	paddb	%xmm9, %xmm10
	pshufd	$0x1b, %xmm0, %xmm1
	pslldq	$4, %xmm2
	psrldq	$1, %xmm3
	palignr	$15, %xmm1, %xmm2
	pcmpistri $0x1a, %xmm1, %xmm0
	pshufb	%xmm1, %xmm0
	punpcklbw %xmm1, %xmm0
	movss	(%rax), %xmm0
	movsd	%xmm1, (%rax)
	cvtsi2sd %eax, %xmm0
	cvtsi2sdq %rax, %xmm1
	cvttsd2si %xmm0, %eax
	ucomisd	%xmm1, %xmm0
	vpcmpeqb (%rdi), %ymm0, %ymm1
	vpmovmskb %ymm1, %eax
	vzeroupper
	vmovdqu	(%rsi), %ymm0
	vmovdqu64 0x40(%rsi), %zmm1
	vpminub	%ymm18, %ymm19, %ymm19{%k1}{z}
	kmovd	%k0, %eax
	vpalignr $3, %ymm1, %ymm2, %ymm3
	sarx	%edx, %eax, %eax
	fldt	0x8(%rsp)
	fstp	%st(0)
	fnstsw	%ax
	sfence
	lfence
	mfence
	xgetbv
	xtest
	fwait
	ret
