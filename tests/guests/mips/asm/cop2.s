# Coprocessor 2 encodings (decoded for disassembly; the core has no COP2): loads/stores,
# moves with and without select, control moves, bc2 branches with condition codes, c2.
	.set	noreorder
	.set	noat
	.text
	.globl	cop2
cop2:
	lwc2	$1, 4($2)
	ldc2	$3, -8($4)
	swc2	$5, 32767($6)
	sdc2	$7, -32768($8)
	mfc2	$1, $2
	mfc2	$1, $2, 7
	mtc2	$3, $4
	mtc2	$3, $4, 1
	mfhc2	$5, $6
	mthc2	$7, $8
	cfc2	$9, $10
	ctc2	$11, $12
1:	bc2f	1b
	nop
	bc2t	1b
	nop
	bc2fl	1b
	nop
	bc2tl	1b
	nop
	bc2f	$cc1, 1b
	nop
	bc2t	$cc7, 1b
	nop
	bc2fl	$cc3, 1b
	nop
	bc2tl	$cc4, 1b
	nop
	c2	0x1234
	c2	0x1ffffff
	nop
