# MIPS32 Release 2 privileged and system instructions: CP0 moves with every select (named and
# unnamed registers), di/ei, rdpgpr/wrpgpr, TLB maintenance, eret, deret, wait, sdbbp, cache,
# synci, sync with every named stype, rdhwr, and the generic c0 operation.
	.set	noreorder
	.set	noat
	.text
	.globl	system
system:
	mfc0	$1, $0
	mfc0	$1, $1, 1
	mfc0	$1, $12
	mfc0	$1, $12, 0
	mfc0	$1, $12, 1
	mfc0	$1, $12, 2
	mfc0	$1, $12, 3
	mfc0	$1, $12, 4
	mfc0	$1, $13
	mfc0	$1, $14
	mfc0	$1, $15, 1
	mfc0	$1, $16, 0
	mfc0	$1, $16, 1
	mfc0	$1, $16, 2
	mfc0	$1, $16, 3
	mfc0	$1, $16, 7
	mfc0	$1, $18, 3
	mfc0	$1, $19, 7
	mfc0	$1, $21
	mfc0	$1, $22, 1
	mfc0	$1, $23
	mfc0	$1, $25, 2
	mfc0	$1, $27, 1
	mfc0	$1, $28, 1
	mfc0	$1, $29, 7
	mfc0	$1, $30
	mfc0	$1, $31
	mfc0	$1, $31, 7
	mtc0	$2, $4, 2
	mtc0	$2, $9
	mtc0	$2, $9, 7
	mtc0	$2, $11
	mtc0	$2, $12
	mtc0	$2, $14
	mtc0	$2, $26
	di
	di	$3
	ei
	ei	$4
	rdpgpr	$5, $6
	wrpgpr	$7, $8
	tlbr
	tlbwi
	tlbwr
	tlbp
	eret
	deret
	wait
	wait	0x12
	c0	0x1234
	sdbbp
	sdbbp	5
	sdbbp	0xfffff
	cache	0x14, 8($2)
	cache	0, -4($3)
	cache	0x1f, 0($4)
	synci	0($5)
	synci	-64($6)
	sync
	sync	1
	sync	4
	sync	6
	sync	0x10
	sync	0x11
	sync	0x12
	sync	0x13
	sync	0x1f
	rdhwr	$3, $0
	rdhwr	$3, $1
	rdhwr	$3, $2
	rdhwr	$3, $3
	rdhwr	$3, $4
	rdhwr	$3, $29
	rdhwr	$3, $31
	nop
