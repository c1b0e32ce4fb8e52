# x86-64 addressing: every ModRM/SIB/displacement form in 64-bit mode, 32-bit addressing
# through the 0x67 prefix, %rip/%eip-relative operands, segment overrides, REX registers.
# Assembled by the conformance tests (as --64 and as --32; the code is 64-bit either way
# through .code64) and compared with objdump line by line.
	.text
	.code64
	.globl	modrm64
modrm64:
# ---- no SIB: (base), disp8(base), disp32(base), for every base register
	.irp	r, %rax,%rcx,%rdx,%rbx,%rsp,%rbp,%rsi,%rdi,%r8,%r9,%r10,%r11,%r12,%r13,%r14,%r15
	mov	(\r), %eax
	mov	0x7f(\r), %ecx
	mov	-0x80(\r), %edx
	mov	0x12345678(\r), %r9
	mov	-0x12345678(\r), %r10d
	mov	%r11w, 0x10(\r)
	mov	%sil, -0x10(\r)
	.endr
	{disp8} mov 0(%rax), %eax
	{disp32} mov 0(%rax), %eax
	{disp32} mov 8(%rbp), %eax
# ---- SIB: base + index * scale, every index register and scale
	.irp	i, %rax,%rcx,%rdx,%rbx,%rbp,%rsi,%rdi,%r8,%r9,%r10,%r11,%r12,%r13,%r14,%r15
	.irp	s, 1,2,4,8
	lea	(%rax,\i,\s), %rax
	.endr
	lea	0x10(%rsp,\i,2), %r8
	lea	-0x1000(%r13,\i,8), %r15
	lea	(%rbp,\i,4), %rcx
	lea	(%r13,\i,1), %rcx
	.endr
# ---- SIB without base (disp32 + index), without index, riz forms
	lea	0x10(,%rcx,4), %rax
	lea	-0x10(,%r9,8), %rax
	lea	0(,%rax,1), %rax
	mov	0x1234, %eax
	mov	0xfffffffffffffff0, %rax
	mov	(%rsp), %eax
	mov	(%r12), %eax
	mov	0x8(%rsp), %eax
	.byte	0x8b, 0x04, 0x20		# mov (%rax,%riz,1),%eax
	.byte	0x8b, 0x44, 0x20, 0x08		# mov 0x8(%rax,%riz,1),%eax
	.byte	0x8b, 0x04, 0x60		# mov (%rax,%riz,2),%eax
	.byte	0x8b, 0x04, 0x64		# mov (%rsp,%riz,2),%eax
	.byte	0x41, 0x8b, 0x04, 0x20		# mov (%r8,%riz,1),%eax
	.byte	0x8b, 0x04, 0x65, 0, 0, 0, 0	# mov 0x0(,%riz,2),%eax
	.byte	0x8b, 0x84, 0xa0, 0, 1, 0, 0	# mov 0x100(%rax,%riz,4),%eax
# ---- %rip-relative (targets inside this section)
	mov	data1(%rip), %eax
	mov	%rax, data1(%rip)
	lea	data1(%rip), %rdi
	lea	modrm64(%rip), %rsi
	addl	$1, data1(%rip)
	cmpb	$0x7f, data1(%rip)
	movq	$-1, data1(%rip)
	jmp	*data1(%rip)
	call	*data1(%rip)
	push	data1(%rip)
	incl	data1(%rip)
# ---- 32-bit addressing (0x67 prefix)
	mov	(%eax), %eax
	mov	(%r12d), %eax
	mov	0x10(%esp), %eax
	mov	-0x10(%ebp), %ecx
	mov	0x12345678(%r13d), %r8
	mov	(%eax,%ebx,4), %eax
	mov	0x10(%r8d,%r9d,8), %eax
	lea	0x10(,%ecx,2), %eax
	.byte	0x67, 0x8b, 0x05, 0x10, 0, 0, 0	# mov 0x10(%eip),%eax
	.byte	0x67, 0x8b, 0x04, 0x25, 0xf8, 0xff, 0xff, 0xff	# mov 0xfffffff8(,%eiz,1),%eax
	.byte	0x67, 0x8b, 0x44, 0x20, 0x08	# mov 0x8(%eax,%eiz,1),%eax
# ---- segment overrides
	mov	%fs:0x28, %rax
	mov	%gs:0x10, %eax
	mov	%fs:(%rax), %eax
	mov	%gs:0x8(%rbx,%rcx,4), %rdx
	mov	%fs:data1(%rip), %eax
	movq	$0, %fs:0x10
	.byte	0x64, 0x48, 0x8b, 0x04, 0x25, 0, 0, 0, 0	# mov %fs:0x0,%rax
# ---- byte registers with and without REX
	mov	%al, %ah
	mov	%bh, %cl
	mov	%spl, %bpl
	mov	%sil, %dil
	mov	%r8b, %r15b
	mov	%ah, (%rax)
	mov	(%r9), %dil
	ret
data1:	.quad	0
