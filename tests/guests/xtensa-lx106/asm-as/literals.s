# Literals, calls and data for specemu as: .literal with numbers and addresses (R_XTENSA_32
# in .literal), l32r, call0 and jumps within the file, data words holding addresses.
# tests/asm_objects.rs assembles it with specemu as and with xtensa-lx106-elf-as, links both
# with GNU ld and compares .literal, .text and .data byte for byte.
	.text
	.begin no-transform
	.literal_position
	.literal .Lmsg, message
	.literal .Lbig, 0x12345678
	.literal .Lfn, count
	.global	start
	.align	4
start:
	l32r	a2, .Lmsg
	l32r	a3, .Lbig
	call0	count
	l32r	a4, .Lfn
	callx0	a4
	beqz	a2, 1f
	movi	a5, 3
2:	addi	a5, a5, -1
	bnez	a5, 2b
1:	j	start
	.align	4
count:
	movi	a2, 0
3:	l8ui	a6, a3, 0
	beqz	a6, 4f
	addi	a3, a3, 1
	addi	a2, a2, 1
	j	3b
4:	ret
	.end no-transform

	.data
	.align	4
table:	.word	start, count, table + 4
	.short	-2
	.byte	1, 2
message:
	.asciz	"hello"
