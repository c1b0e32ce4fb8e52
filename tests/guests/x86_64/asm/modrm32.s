# i386 addressing: every ModRM/SIB/displacement form in 32-bit mode, 16-bit addressing through
# the 0x67 prefix, absolute addresses, segment overrides.
	.text
	.code32
	.globl	modrm32
modrm32:
	.irp	r, %eax,%ecx,%edx,%ebx,%esp,%ebp,%esi,%edi
	mov	(\r), %eax
	mov	0x7f(\r), %ecx
	mov	-0x80(\r), %edx
	mov	0x12345678(\r), %ebx
	mov	%si, -0x12345678(\r)
	mov	%dh, 0x10(\r)
	.endr
	.irp	i, %eax,%ecx,%edx,%ebx,%ebp,%esi,%edi
	.irp	s, 1,2,4,8
	lea	(%eax,\i,\s), %eax
	.endr
	lea	0x10(%esp,\i,2), %ecx
	lea	-0x1000(%ebp,\i,8), %edi
	lea	0x10(,\i,4), %eax
	.endr
	mov	0x1234, %eax
	mov	0xfffffff0, %ecx
	mov	%eax, 0x1234
	mov	0x1234, %al
	mov	%ax, 0x1234
	.byte	0x8b, 0x04, 0x25, 0xf8, 0xff, 0xff, 0xff	# mov -0x8(,%eiz,1),%eax
	.byte	0x8b, 0x04, 0x20			# mov (%eax,%eiz,1),%eax
	.byte	0x8b, 0x04, 0x60			# mov (%eax,%eiz,2),%eax
# ---- 16-bit addressing (0x67)
	mov	(%bx,%si), %eax
	mov	0x10(%bx,%si), %ecx
	mov	-0x10(%bx,%si), %dx
	mov	0x1234(%bx,%si), %ebx
	mov	(%bx,%di), %eax
	mov	0x10(%bx,%di), %ecx
	mov	-0x10(%bx,%di), %dx
	mov	0x1234(%bx,%di), %ebx
	mov	(%bp,%si), %eax
	mov	0x10(%bp,%si), %ecx
	mov	-0x10(%bp,%si), %dx
	mov	0x1234(%bp,%si), %ebx
	mov	(%bp,%di), %eax
	mov	0x10(%bp,%di), %ecx
	mov	-0x10(%bp,%di), %dx
	mov	0x1234(%bp,%di), %ebx
	mov	(%si), %eax
	mov	0x10(%si), %ecx
	mov	-0x10(%si), %dx
	mov	0x1234(%si), %ebx
	mov	(%di), %eax
	mov	0x10(%di), %ecx
	mov	-0x10(%di), %dx
	mov	0x1234(%di), %ebx
	mov	(%bx), %eax
	mov	0x10(%bx), %ecx
	mov	-0x10(%bx), %dx
	mov	0x1234(%bx), %ebx
	mov	0(%bp), %eax
	mov	-0x1000(%bp), %eax
	addr16 mov 0x1234, %eax
	.byte	0x67, 0x8b, 0x06, 0x34, 0x12		# mov 0x1234,%eax (16-bit absolute)
# ---- segment overrides (printed in the operand in 32-bit mode)
	mov	%es:(%eax), %eax
	mov	%cs:0x10(%ebx), %eax
	mov	%ss:(%esp), %eax
	mov	%ds:(%ebp), %eax
	mov	%fs:0x0, %eax
	mov	%gs:0x14, %eax
	mov	%fs:(%bx,%si), %eax
	ret
