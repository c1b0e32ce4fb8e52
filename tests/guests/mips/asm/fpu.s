# COP1 (option fpu): every format of every floating-point instruction of isa-specs/mips/fpu.isa:
# arithmetic, compares (all 16 conditions, with and without a condition code), conversions and
# roundings, paired-single operations, conditional moves, GPR moves, control registers, the
# bc1 branches, loads/stores including the indexed COP1X forms, and the multiply-add family.
# `.set fp=64` allows the 64-bit-FPU instructions (long and paired-single formats).
	.set	noreorder
	.set	noat
	.set	fp=64
	.text
	.globl	fpu
fpu:
	add.s	$f0, $f2, $f4
	sub.s	$f0, $f2, $f4
	mul.s	$f0, $f2, $f4
	div.s	$f0, $f2, $f4
	abs.s	$f6, $f8
	mov.s	$f6, $f8
	neg.s	$f6, $f8
	sqrt.s	$f6, $f8
	recip.s	$f6, $f8
	rsqrt.s	$f6, $f8
	madd.s	$f10, $f12, $f14, $f16
	msub.s	$f10, $f12, $f14, $f16
	nmadd.s	$f10, $f12, $f14, $f16
	nmsub.s	$f10, $f12, $f14, $f16
	add.d	$f0, $f2, $f4
	sub.d	$f0, $f2, $f4
	mul.d	$f0, $f2, $f4
	div.d	$f0, $f2, $f4
	abs.d	$f6, $f8
	mov.d	$f6, $f8
	neg.d	$f6, $f8
	sqrt.d	$f6, $f8
	recip.d	$f6, $f8
	rsqrt.d	$f6, $f8
	madd.d	$f10, $f12, $f14, $f16
	msub.d	$f10, $f12, $f14, $f16
	nmadd.d	$f10, $f12, $f14, $f16
	nmsub.d	$f10, $f12, $f14, $f16
	add.ps	$f0, $f2, $f4
	sub.ps	$f0, $f2, $f4
	mul.ps	$f0, $f2, $f4
	abs.ps	$f6, $f8
	mov.ps	$f6, $f8
	neg.ps	$f6, $f8
	madd.ps	$f10, $f12, $f14, $f16
	msub.ps	$f10, $f12, $f14, $f16
	nmadd.ps	$f10, $f12, $f14, $f16
	nmsub.ps	$f10, $f12, $f14, $f16
	c.f.s	$f0, $f30
	c.f.s	$fcc0, $f2, $f4
	c.un.s	$f2, $f28
	c.un.s	$fcc1, $f2, $f4
	c.eq.s	$f4, $f26
	c.eq.s	$fcc2, $f2, $f4
	c.ueq.s	$f6, $f24
	c.ueq.s	$fcc3, $f2, $f4
	c.olt.s	$f8, $f22
	c.olt.s	$fcc4, $f2, $f4
	c.ult.s	$f10, $f20
	c.ult.s	$fcc5, $f2, $f4
	c.ole.s	$f12, $f18
	c.ole.s	$fcc6, $f2, $f4
	c.ule.s	$f14, $f16
	c.ule.s	$fcc7, $f2, $f4
	c.sf.s	$f16, $f14
	c.sf.s	$fcc0, $f2, $f4
	c.ngle.s	$f18, $f12
	c.ngle.s	$fcc1, $f2, $f4
	c.seq.s	$f20, $f10
	c.seq.s	$fcc2, $f2, $f4
	c.ngl.s	$f22, $f8
	c.ngl.s	$fcc3, $f2, $f4
	c.lt.s	$f24, $f6
	c.lt.s	$fcc4, $f2, $f4
	c.nge.s	$f26, $f4
	c.nge.s	$fcc5, $f2, $f4
	c.le.s	$f28, $f2
	c.le.s	$fcc6, $f2, $f4
	c.ngt.s	$f30, $f0
	c.ngt.s	$fcc7, $f2, $f4
	c.f.d	$f0, $f30
	c.f.d	$fcc0, $f2, $f4
	c.un.d	$f2, $f28
	c.un.d	$fcc1, $f2, $f4
	c.eq.d	$f4, $f26
	c.eq.d	$fcc2, $f2, $f4
	c.ueq.d	$f6, $f24
	c.ueq.d	$fcc3, $f2, $f4
	c.olt.d	$f8, $f22
	c.olt.d	$fcc4, $f2, $f4
	c.ult.d	$f10, $f20
	c.ult.d	$fcc5, $f2, $f4
	c.ole.d	$f12, $f18
	c.ole.d	$fcc6, $f2, $f4
	c.ule.d	$f14, $f16
	c.ule.d	$fcc7, $f2, $f4
	c.sf.d	$f16, $f14
	c.sf.d	$fcc0, $f2, $f4
	c.ngle.d	$f18, $f12
	c.ngle.d	$fcc1, $f2, $f4
	c.seq.d	$f20, $f10
	c.seq.d	$fcc2, $f2, $f4
	c.ngl.d	$f22, $f8
	c.ngl.d	$fcc3, $f2, $f4
	c.lt.d	$f24, $f6
	c.lt.d	$fcc4, $f2, $f4
	c.nge.d	$f26, $f4
	c.nge.d	$fcc5, $f2, $f4
	c.le.d	$f28, $f2
	c.le.d	$fcc6, $f2, $f4
	c.ngt.d	$f30, $f0
	c.ngt.d	$fcc7, $f2, $f4
	c.f.ps	$f0, $f30
	c.f.ps	$fcc0, $f2, $f4
	c.un.ps	$f2, $f28
	c.un.ps	$fcc2, $f2, $f4
	c.eq.ps	$f4, $f26
	c.eq.ps	$fcc4, $f2, $f4
	c.ueq.ps	$f6, $f24
	c.ueq.ps	$fcc6, $f2, $f4
	c.olt.ps	$f8, $f22
	c.olt.ps	$fcc0, $f2, $f4
	c.ult.ps	$f10, $f20
	c.ult.ps	$fcc2, $f2, $f4
	c.ole.ps	$f12, $f18
	c.ole.ps	$fcc4, $f2, $f4
	c.ule.ps	$f14, $f16
	c.ule.ps	$fcc6, $f2, $f4
	c.sf.ps	$f16, $f14
	c.sf.ps	$fcc0, $f2, $f4
	c.ngle.ps	$f18, $f12
	c.ngle.ps	$fcc2, $f2, $f4
	c.seq.ps	$f20, $f10
	c.seq.ps	$fcc4, $f2, $f4
	c.ngl.ps	$f22, $f8
	c.ngl.ps	$fcc6, $f2, $f4
	c.lt.ps	$f24, $f6
	c.lt.ps	$fcc0, $f2, $f4
	c.nge.ps	$f26, $f4
	c.nge.ps	$fcc2, $f2, $f4
	c.le.ps	$f28, $f2
	c.le.ps	$fcc4, $f2, $f4
	c.ngt.ps	$f30, $f0
	c.ngt.ps	$fcc6, $f2, $f4
	cvt.s.d	$f18, $f20
	cvt.s.w	$f18, $f20
	cvt.s.l	$f18, $f20
	cvt.d.s	$f18, $f20
	cvt.d.w	$f18, $f20
	cvt.d.l	$f18, $f20
	cvt.w.s	$f18, $f20
	cvt.w.d	$f18, $f20
	cvt.l.s	$f18, $f20
	cvt.l.d	$f18, $f20
	round.l.s	$f22, $f24
	round.l.d	$f22, $f24
	round.w.s	$f22, $f24
	round.w.d	$f22, $f24
	trunc.l.s	$f22, $f24
	trunc.l.d	$f22, $f24
	trunc.w.s	$f22, $f24
	trunc.w.d	$f22, $f24
	ceil.l.s	$f22, $f24
	ceil.l.d	$f22, $f24
	ceil.w.s	$f22, $f24
	ceil.w.d	$f22, $f24
	floor.l.s	$f22, $f24
	floor.l.d	$f22, $f24
	floor.w.s	$f22, $f24
	floor.w.d	$f22, $f24
	cvt.ps.s	$f0, $f2, $f4
	cvt.s.pl	$f6, $f8
	cvt.s.pu	$f6, $f8
	pll.ps	$f10, $f12, $f14
	plu.ps	$f10, $f12, $f14
	pul.ps	$f10, $f12, $f14
	puu.ps	$f10, $f12, $f14
	alnv.ps	$f16, $f18, $f20, $5
	movf.s	$f0, $f2, $fcc0
	movt.s	$f4, $f6, $fcc7
	movz.s	$f8, $f10, $3
	movn.s	$f12, $f14, $4
	movf.d	$f0, $f2, $fcc0
	movt.d	$f4, $f6, $fcc7
	movz.d	$f8, $f10, $3
	movn.d	$f12, $f14, $4
	movf.ps	$f0, $f2, $fcc0
	movt.ps	$f4, $f6, $fcc6
	movz.ps	$f8, $f10, $3
	movn.ps	$f12, $f14, $4
	movf	$1, $2, $fcc0
	movf	$3, $4, $fcc5
	movt	$5, $6, $fcc1
	movt	$7, $8, $fcc7
	mfc1	$1, $f0
	mtc1	$2, $f31
	mfhc1	$3, $f2
	mthc1	$4, $f30
	mtc1	$0, $f12
	cfc1	$5, $0
	cfc1	$5, $25
	cfc1	$5, $26
	cfc1	$5, $28
	cfc1	$5, $31
	cfc1	$5, $1
	ctc1	$6, $31
	ctc1	$6, $25
	ctc1	$6, $26
	ctc1	$6, $28
	ctc1	$6, $30
1:	bc1f	1b
	nop
	bc1t	2f
	nop
	bc1fl	1b
	nop
	bc1tl	2f
	nop
	bc1f	$fcc1, 1b
	nop
	bc1t	$fcc7, 2f
	nop
	bc1fl	$fcc2, 1b
	nop
	bc1tl	$fcc6, 2f
	nop
2:	lwc1	$f0, 4($2)
	swc1	$f1, -4($3)
	ldc1	$f2, 8($4)
	sdc1	$f4, -32768($5)
	lwxc1	$f6, $1($2)
	ldxc1	$f8, $3($4)
	luxc1	$f10, $5($6)
	swxc1	$f12, $7($8)
	sdxc1	$f14, $9($10)
	suxc1	$f16, $11($12)
	prefx	4, $13($14)
	prefx	0x1f, $0($15)
	nop
