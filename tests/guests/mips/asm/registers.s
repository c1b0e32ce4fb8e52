# Every register name table objdump uses: all 32 x 8 CP0 (register, select) pairs, the 32
# rdhwr hardware registers, the 32 FPU control registers (cfc1/ctc1) and every GPR and FPR.
	.set	noreorder
	.set	noat
	.text
	.globl	registers
registers:
	mfc0	$0, $0, 0
	mfc0	$0, $0, 1
	mfc0	$0, $0, 2
	mfc0	$0, $0, 3
	mfc0	$0, $0, 4
	mfc0	$0, $0, 5
	mfc0	$0, $0, 6
	mfc0	$0, $0, 7
	mfc0	$1, $1, 0
	mfc0	$1, $1, 1
	mfc0	$1, $1, 2
	mfc0	$1, $1, 3
	mfc0	$1, $1, 4
	mfc0	$1, $1, 5
	mfc0	$1, $1, 6
	mfc0	$1, $1, 7
	mfc0	$2, $2, 0
	mfc0	$2, $2, 1
	mfc0	$2, $2, 2
	mfc0	$2, $2, 3
	mfc0	$2, $2, 4
	mfc0	$2, $2, 5
	mfc0	$2, $2, 6
	mfc0	$2, $2, 7
	mfc0	$3, $3, 0
	mfc0	$3, $3, 1
	mfc0	$3, $3, 2
	mfc0	$3, $3, 3
	mfc0	$3, $3, 4
	mfc0	$3, $3, 5
	mfc0	$3, $3, 6
	mfc0	$3, $3, 7
	mfc0	$4, $4, 0
	mfc0	$4, $4, 1
	mfc0	$4, $4, 2
	mfc0	$4, $4, 3
	mfc0	$4, $4, 4
	mfc0	$4, $4, 5
	mfc0	$4, $4, 6
	mfc0	$4, $4, 7
	mfc0	$5, $5, 0
	mfc0	$5, $5, 1
	mfc0	$5, $5, 2
	mfc0	$5, $5, 3
	mfc0	$5, $5, 4
	mfc0	$5, $5, 5
	mfc0	$5, $5, 6
	mfc0	$5, $5, 7
	mfc0	$6, $6, 0
	mfc0	$6, $6, 1
	mfc0	$6, $6, 2
	mfc0	$6, $6, 3
	mfc0	$6, $6, 4
	mfc0	$6, $6, 5
	mfc0	$6, $6, 6
	mfc0	$6, $6, 7
	mfc0	$7, $7, 0
	mfc0	$7, $7, 1
	mfc0	$7, $7, 2
	mfc0	$7, $7, 3
	mfc0	$7, $7, 4
	mfc0	$7, $7, 5
	mfc0	$7, $7, 6
	mfc0	$7, $7, 7
	mfc0	$8, $8, 0
	mfc0	$8, $8, 1
	mfc0	$8, $8, 2
	mfc0	$8, $8, 3
	mfc0	$8, $8, 4
	mfc0	$8, $8, 5
	mfc0	$8, $8, 6
	mfc0	$8, $8, 7
	mfc0	$9, $9, 0
	mfc0	$9, $9, 1
	mfc0	$9, $9, 2
	mfc0	$9, $9, 3
	mfc0	$9, $9, 4
	mfc0	$9, $9, 5
	mfc0	$9, $9, 6
	mfc0	$9, $9, 7
	mfc0	$10, $10, 0
	mfc0	$10, $10, 1
	mfc0	$10, $10, 2
	mfc0	$10, $10, 3
	mfc0	$10, $10, 4
	mfc0	$10, $10, 5
	mfc0	$10, $10, 6
	mfc0	$10, $10, 7
	mfc0	$11, $11, 0
	mfc0	$11, $11, 1
	mfc0	$11, $11, 2
	mfc0	$11, $11, 3
	mfc0	$11, $11, 4
	mfc0	$11, $11, 5
	mfc0	$11, $11, 6
	mfc0	$11, $11, 7
	mfc0	$12, $12, 0
	mfc0	$12, $12, 1
	mfc0	$12, $12, 2
	mfc0	$12, $12, 3
	mfc0	$12, $12, 4
	mfc0	$12, $12, 5
	mfc0	$12, $12, 6
	mfc0	$12, $12, 7
	mfc0	$13, $13, 0
	mfc0	$13, $13, 1
	mfc0	$13, $13, 2
	mfc0	$13, $13, 3
	mfc0	$13, $13, 4
	mfc0	$13, $13, 5
	mfc0	$13, $13, 6
	mfc0	$13, $13, 7
	mfc0	$14, $14, 0
	mfc0	$14, $14, 1
	mfc0	$14, $14, 2
	mfc0	$14, $14, 3
	mfc0	$14, $14, 4
	mfc0	$14, $14, 5
	mfc0	$14, $14, 6
	mfc0	$14, $14, 7
	mfc0	$15, $15, 0
	mfc0	$15, $15, 1
	mfc0	$15, $15, 2
	mfc0	$15, $15, 3
	mfc0	$15, $15, 4
	mfc0	$15, $15, 5
	mfc0	$15, $15, 6
	mfc0	$15, $15, 7
	mfc0	$16, $16, 0
	mfc0	$16, $16, 1
	mfc0	$16, $16, 2
	mfc0	$16, $16, 3
	mfc0	$16, $16, 4
	mfc0	$16, $16, 5
	mfc0	$16, $16, 6
	mfc0	$16, $16, 7
	mfc0	$17, $17, 0
	mfc0	$17, $17, 1
	mfc0	$17, $17, 2
	mfc0	$17, $17, 3
	mfc0	$17, $17, 4
	mfc0	$17, $17, 5
	mfc0	$17, $17, 6
	mfc0	$17, $17, 7
	mfc0	$18, $18, 0
	mfc0	$18, $18, 1
	mfc0	$18, $18, 2
	mfc0	$18, $18, 3
	mfc0	$18, $18, 4
	mfc0	$18, $18, 5
	mfc0	$18, $18, 6
	mfc0	$18, $18, 7
	mfc0	$19, $19, 0
	mfc0	$19, $19, 1
	mfc0	$19, $19, 2
	mfc0	$19, $19, 3
	mfc0	$19, $19, 4
	mfc0	$19, $19, 5
	mfc0	$19, $19, 6
	mfc0	$19, $19, 7
	mfc0	$20, $20, 0
	mfc0	$20, $20, 1
	mfc0	$20, $20, 2
	mfc0	$20, $20, 3
	mfc0	$20, $20, 4
	mfc0	$20, $20, 5
	mfc0	$20, $20, 6
	mfc0	$20, $20, 7
	mfc0	$21, $21, 0
	mfc0	$21, $21, 1
	mfc0	$21, $21, 2
	mfc0	$21, $21, 3
	mfc0	$21, $21, 4
	mfc0	$21, $21, 5
	mfc0	$21, $21, 6
	mfc0	$21, $21, 7
	mfc0	$22, $22, 0
	mfc0	$22, $22, 1
	mfc0	$22, $22, 2
	mfc0	$22, $22, 3
	mfc0	$22, $22, 4
	mfc0	$22, $22, 5
	mfc0	$22, $22, 6
	mfc0	$22, $22, 7
	mfc0	$23, $23, 0
	mfc0	$23, $23, 1
	mfc0	$23, $23, 2
	mfc0	$23, $23, 3
	mfc0	$23, $23, 4
	mfc0	$23, $23, 5
	mfc0	$23, $23, 6
	mfc0	$23, $23, 7
	mfc0	$24, $24, 0
	mfc0	$24, $24, 1
	mfc0	$24, $24, 2
	mfc0	$24, $24, 3
	mfc0	$24, $24, 4
	mfc0	$24, $24, 5
	mfc0	$24, $24, 6
	mfc0	$24, $24, 7
	mfc0	$25, $25, 0
	mfc0	$25, $25, 1
	mfc0	$25, $25, 2
	mfc0	$25, $25, 3
	mfc0	$25, $25, 4
	mfc0	$25, $25, 5
	mfc0	$25, $25, 6
	mfc0	$25, $25, 7
	mfc0	$26, $26, 0
	mfc0	$26, $26, 1
	mfc0	$26, $26, 2
	mfc0	$26, $26, 3
	mfc0	$26, $26, 4
	mfc0	$26, $26, 5
	mfc0	$26, $26, 6
	mfc0	$26, $26, 7
	mfc0	$27, $27, 0
	mfc0	$27, $27, 1
	mfc0	$27, $27, 2
	mfc0	$27, $27, 3
	mfc0	$27, $27, 4
	mfc0	$27, $27, 5
	mfc0	$27, $27, 6
	mfc0	$27, $27, 7
	mfc0	$28, $28, 0
	mfc0	$28, $28, 1
	mfc0	$28, $28, 2
	mfc0	$28, $28, 3
	mfc0	$28, $28, 4
	mfc0	$28, $28, 5
	mfc0	$28, $28, 6
	mfc0	$28, $28, 7
	mfc0	$29, $29, 0
	mfc0	$29, $29, 1
	mfc0	$29, $29, 2
	mfc0	$29, $29, 3
	mfc0	$29, $29, 4
	mfc0	$29, $29, 5
	mfc0	$29, $29, 6
	mfc0	$29, $29, 7
	mfc0	$30, $30, 0
	mfc0	$30, $30, 1
	mfc0	$30, $30, 2
	mfc0	$30, $30, 3
	mfc0	$30, $30, 4
	mfc0	$30, $30, 5
	mfc0	$30, $30, 6
	mfc0	$30, $30, 7
	mfc0	$31, $31, 0
	mfc0	$31, $31, 1
	mfc0	$31, $31, 2
	mfc0	$31, $31, 3
	mfc0	$31, $31, 4
	mfc0	$31, $31, 5
	mfc0	$31, $31, 6
	mfc0	$31, $31, 7
	rdhwr	$0, $0
	rdhwr	$1, $1
	rdhwr	$2, $2
	rdhwr	$3, $3
	rdhwr	$4, $4
	rdhwr	$5, $5
	rdhwr	$6, $6
	rdhwr	$7, $7
	rdhwr	$8, $8
	rdhwr	$9, $9
	rdhwr	$10, $10
	rdhwr	$11, $11
	rdhwr	$12, $12
	rdhwr	$13, $13
	rdhwr	$14, $14
	rdhwr	$15, $15
	rdhwr	$16, $16
	rdhwr	$17, $17
	rdhwr	$18, $18
	rdhwr	$19, $19
	rdhwr	$20, $20
	rdhwr	$21, $21
	rdhwr	$22, $22
	rdhwr	$23, $23
	rdhwr	$24, $24
	rdhwr	$25, $25
	rdhwr	$26, $26
	rdhwr	$27, $27
	rdhwr	$28, $28
	rdhwr	$29, $29
	rdhwr	$30, $30
	rdhwr	$31, $31
	cfc1	$0, $0
	ctc1	$0, $0
	cfc1	$1, $1
	ctc1	$1, $1
	cfc1	$2, $2
	ctc1	$2, $2
	cfc1	$3, $3
	ctc1	$3, $3
	cfc1	$4, $4
	ctc1	$4, $4
	cfc1	$5, $5
	ctc1	$5, $5
	cfc1	$6, $6
	ctc1	$6, $6
	cfc1	$7, $7
	ctc1	$7, $7
	cfc1	$8, $8
	ctc1	$8, $8
	cfc1	$9, $9
	ctc1	$9, $9
	cfc1	$10, $10
	ctc1	$10, $10
	cfc1	$11, $11
	ctc1	$11, $11
	cfc1	$12, $12
	ctc1	$12, $12
	cfc1	$13, $13
	ctc1	$13, $13
	cfc1	$14, $14
	ctc1	$14, $14
	cfc1	$15, $15
	ctc1	$15, $15
	cfc1	$16, $16
	ctc1	$16, $16
	cfc1	$17, $17
	ctc1	$17, $17
	cfc1	$18, $18
	ctc1	$18, $18
	cfc1	$19, $19
	ctc1	$19, $19
	cfc1	$20, $20
	ctc1	$20, $20
	cfc1	$21, $21
	ctc1	$21, $21
	cfc1	$22, $22
	ctc1	$22, $22
	cfc1	$23, $23
	ctc1	$23, $23
	cfc1	$24, $24
	ctc1	$24, $24
	cfc1	$25, $25
	ctc1	$25, $25
	cfc1	$26, $26
	ctc1	$26, $26
	cfc1	$27, $27
	ctc1	$27, $27
	cfc1	$28, $28
	ctc1	$28, $28
	cfc1	$29, $29
	ctc1	$29, $29
	cfc1	$30, $30
	ctc1	$30, $30
	cfc1	$31, $31
	ctc1	$31, $31
	addu	$0, $1, $2
	addu	$1, $2, $3
	addu	$2, $3, $4
	addu	$3, $4, $5
	addu	$4, $5, $6
	addu	$5, $6, $7
	addu	$6, $7, $8
	addu	$7, $8, $9
	addu	$8, $9, $10
	addu	$9, $10, $11
	addu	$10, $11, $12
	addu	$11, $12, $13
	addu	$12, $13, $14
	addu	$13, $14, $15
	addu	$14, $15, $16
	addu	$15, $16, $17
	addu	$16, $17, $18
	addu	$17, $18, $19
	addu	$18, $19, $20
	addu	$19, $20, $21
	addu	$20, $21, $22
	addu	$21, $22, $23
	addu	$22, $23, $24
	addu	$23, $24, $25
	addu	$24, $25, $26
	addu	$25, $26, $27
	addu	$26, $27, $28
	addu	$27, $28, $29
	addu	$28, $29, $30
	addu	$29, $30, $31
	addu	$30, $31, $0
	addu	$31, $0, $1
	mov.s	$f0, $f31
	mov.s	$f1, $f30
	mov.s	$f2, $f29
	mov.s	$f3, $f28
	mov.s	$f4, $f27
	mov.s	$f5, $f26
	mov.s	$f6, $f25
	mov.s	$f7, $f24
	mov.s	$f8, $f23
	mov.s	$f9, $f22
	mov.s	$f10, $f21
	mov.s	$f11, $f20
	mov.s	$f12, $f19
	mov.s	$f13, $f18
	mov.s	$f14, $f17
	mov.s	$f15, $f16
	mov.s	$f16, $f15
	mov.s	$f17, $f14
	mov.s	$f18, $f13
	mov.s	$f19, $f12
	mov.s	$f20, $f11
	mov.s	$f21, $f10
	mov.s	$f22, $f9
	mov.s	$f23, $f8
	mov.s	$f24, $f7
	mov.s	$f25, $f6
	mov.s	$f26, $f5
	mov.s	$f27, $f4
	mov.s	$f28, $f3
	mov.s	$f29, $f2
	mov.s	$f30, $f1
	mov.s	$f31, $f0
	nop
