# x86-64 data movement: mov in every form (r/m,reg; reg,r/m; imm to r/m; imm to register;
# movabs with 64-bit immediates and absolute addresses; segment, control and debug
# registers), movzx, movsx, movsxd, lea, and SSE movd/movq.
	.text
	.code64
	.globl	move
move:
	mov	%al, %bl
	mov	%ah, %bh
	mov	%spl, %r8b
	mov	%ax, %bx
	mov	%eax, %ebx
	mov	%rax, %rbx
	mov	%r8, %r15
	{load} mov %ecx, %edx
	{store} mov %ecx, %edx
	mov	%cl, (%rax)
	mov	%cx, 0x10(%rax)
	mov	%ecx, (%rax,%rbx,4)
	mov	%rcx, -0x8(%rbp)
	mov	(%rax), %dl
	mov	0x10(%rax), %dx
	mov	(%rax,%rbx,4), %edx
	mov	-0x8(%rbp), %rdx
	mov	$0x12, %al
	mov	$0x12, %ah
	mov	$0x12, %r9b
	mov	$0x1234, %ax
	mov	$0x12345678, %eax
	mov	$0x12345678, %r10d
	mov	$-1, %rax
	mov	$0x7fffffff, %rcx
	movabs	$0x123456789abcdef0, %rax
	movabs	$0x1, %r11
	.byte	0x48, 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff	# mov $-1,%rax (c7)
	.byte	0xc6, 0xc0, 0x12			# mov $0x12,%al (c6)
	movb	$0x12, (%rax)
	movw	$0x1234, (%rax)
	movl	$0x12345678, 0x10(%rax)
	movq	$-1, (%rax,%rcx,8)
	movq	$0x7fffffff, -0x8(%rbp)
	movabs	0x123456789abcdef0, %al
	movabs	0x123456789abcdef0, %ax
	movabs	0x123456789abcdef0, %eax
	movabs	0x123456789abcdef0, %rax
	movabs	%al, 0x1000
	movabs	%eax, 0x1000
	movabs	%rax, 0x1000
	.byte	0x64, 0x48, 0xa1, 0, 0x10, 0, 0, 0, 0, 0, 0	# movabs %fs:0x1000,%rax
	.byte	0x67, 0xa1, 0, 0x10, 0, 0	# addr32 mov 0x1000,%eax
	mov	%ds, %eax
	mov	%es, %ax
	mov	%fs, %rax
	mov	%gs, (%rax)
	mov	%eax, %ds
	mov	%ax, %es
	mov	%rax, %fs
	mov	(%rax), %gs
	mov	%cr0, %rax
	mov	%rax, %cr3
	mov	%cr8, %rax
	mov	%db7, %rcx
	mov	%rcx, %db0
# zero and sign extension
	movzbw	%al, %ax
	movzbl	%al, %eax
	movzbl	%ah, %eax
	movzbl	%sil, %r8d
	movzbq	%al, %rax
	movzbl	(%rax), %eax
	movzbq	0x10(%rax), %r9
	movzwl	%ax, %eax
	movzwq	%r10w, %rax
	movzwl	(%rax), %ecx
	.byte	0x66, 0x0f, 0xb7, 0xc0		# movzww %ax,%ax
	movsbw	%al, %ax
	movsbl	%al, %eax
	movsbq	%dil, %rax
	movsbl	(%rax), %eax
	movswl	%ax, %eax
	movswq	%ax, %rax
	movswq	(%rax), %r12
	movslq	%eax, %rax
	movslq	%r8d, %r9
	movslq	(%rax), %rcx
	movslq	0x10(%rax,%rbx,4), %rdx
	.byte	0x63, 0xc7			# movsxd %edi,%eax
	.byte	0x66, 0x63, 0xc7		# movsxd %edi,%ax
# lea
	lea	(%rax), %rax
	lea	0x10(%rax,%rbx,2), %ecx
	lea	-0x8(%rbp), %r8
	lea	0x1000(,%rax,8), %rdx
	lea	(%eax), %ax
	lea	move(%rip), %rax
# SSE movd/movq
	movq	%rax, %xmm0
	movq	%xmm1, %rdx
	movq	%r9, %xmm10
	movq	%xmm11, %r12
	movd	%eax, %xmm0
	movd	%xmm0, %eax
	movd	(%rax), %xmm2
	movd	%xmm3, (%rbx)
	movq	(%rax), %xmm0
	movq	%xmm0, (%rax)
	movq	%xmm1, %xmm2
	movq	0x18(%rsp), %xmm4
	ret
