# What specemu as must do beyond single instructions: sections, labels and numeric local
# labels, %hi/%lo pairs, data words that hold addresses, jumps and calls within the file,
# alignment and strings. tests/asm_objects.rs assembles it with specemu as and with GNU as,
# links both with GNU ld and compares .text and .data byte for byte.
	.set	noreorder
	.set	nomacro
	.text
	.globl	start
	.ent	start
start:
	lui	$4, %hi(message)
	addiu	$4, $4, %lo(message)
	lui	$5, %hi(table+8)
	lw	$5, %lo(table+8)($5)
	jal	count
	nop
	beq	$2, $0, 1f
	addiu	$3, $0, 3
	j	start
	nop
1:	bnez	$3, 1b
	addiu	$3, $3, -1
	b	2f
	nop
	.align	3
2:	jr	$31
	nop
	.end	start

	.ent	count
count:					# the length of the string at $4
	move	$2, $0
3:	lbu	$6, 0($4)
	beqz	$6, 4f
	addiu	$4, $4, 1
	b	3b
	addiu	$2, $2, 1
4:	jr	$31
	nop
	.end	count

	.data
	.align	2
table:	.word	start, count, 4b, table, 0x12345678
	.half	-2, 0xbeef
	.byte	1, 2, 'a', 0x7f
message:
	.asciz	"hello, \"world\"\n"
	.ascii	"\101\x42C"
	.align	2
	.space	6, 0x55
	.align	2
size = . - table
	.word	size, message - table
