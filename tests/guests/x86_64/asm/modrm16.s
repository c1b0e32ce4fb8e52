# 16-bit code: ModRM forms of 16-bit addressing, 32-bit addressing through 0x67, and 32-bit
# operands through 0x66. (The conformance tests assemble it as --64 and --32, where both
# tools decode the bytes in that mode; the 16-bit decoding is checked with objdump -Mi8086.)
	.text
	.code16
	.globl	modrm16
modrm16:
	mov	(%bx,%si), %ax
	mov	0x10(%bx,%si), %cx
	mov	-0x10(%bx,%si), %dl
	mov	0x1234(%bx,%si), %ebx
	mov	-0x8000(%bx,%si), %si
	add	%ax, (%bx,%si)
	mov	(%bx,%di), %ax
	mov	0x10(%bx,%di), %cx
	mov	-0x10(%bx,%di), %dl
	mov	0x1234(%bx,%di), %ebx
	mov	-0x8000(%bx,%di), %si
	add	%ax, (%bx,%di)
	mov	(%bp,%si), %ax
	mov	0x10(%bp,%si), %cx
	mov	-0x10(%bp,%si), %dl
	mov	0x1234(%bp,%si), %ebx
	mov	-0x8000(%bp,%si), %si
	add	%ax, (%bp,%si)
	mov	(%bp,%di), %ax
	mov	0x10(%bp,%di), %cx
	mov	-0x10(%bp,%di), %dl
	mov	0x1234(%bp,%di), %ebx
	mov	-0x8000(%bp,%di), %si
	add	%ax, (%bp,%di)
	mov	(%si), %ax
	mov	0x10(%si), %cx
	mov	-0x10(%si), %dl
	mov	0x1234(%si), %ebx
	mov	-0x8000(%si), %si
	add	%ax, (%si)
	mov	(%di), %ax
	mov	0x10(%di), %cx
	mov	-0x10(%di), %dl
	mov	0x1234(%di), %ebx
	mov	-0x8000(%di), %si
	add	%ax, (%di)
	mov	(%bx), %ax
	mov	0x10(%bx), %cx
	mov	-0x10(%bx), %dl
	mov	0x1234(%bx), %ebx
	mov	-0x8000(%bx), %si
	add	%ax, (%bx)
	mov	0(%bp), %ax
	mov	0x7f(%bp), %ax
	mov	0x1234, %ax
	mov	%ax, 0x1234
	mov	0x1234, %al
	mov	(%eax), %ax
	mov	0x10(%esp), %ax
	mov	(%eax,%ebx,4), %cx
	mov	0x10(%ebp,%esi,2), %eax
	mov	%es:(%bx), %ax
	mov	%cs:(%bx,%si), %ax
	mov	%ss:0x10(%bp), %ax
	mov	%fs:(%di), %ax
	mov	%gs:0x10, %ax
	ret
