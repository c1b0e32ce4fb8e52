# MIPS32 Release 2 integer instructions: every ALU, shift, multiply/divide, branch, jump, load,
# store and trap instruction of isa-specs/mips, with the aliases objdump prints (move, li, negu,
# neg, nop, ssnop, ehb, pause, b, bal, beqz, bnez, beqzl, bnezl). Assembled for both byte
# orders by the conformance tests and compared with objdump line by line.
	.set	noreorder
	.set	noat
	.text
	.globl	integer
integer:
# ---- register-register arithmetic and logic
	add	$1, $2, $3
	add	$31, $0, $31
	addu	$4, $5, $6
	addu	$4, $5, $0		# move
	addu	$4, $0, $5
	sub	$7, $8, $9
	sub	$7, $0, $9		# neg
	subu	$10, $11, $12
	subu	$10, $0, $12		# negu
	and	$13, $14, $15
	or	$16, $17, $18
	or	$16, $17, $0		# move
	or	$16, $0, $17
	xor	$19, $20, $21
	nor	$22, $23, $24
	nor	$22, $23, $0
	slt	$25, $26, $27
	sltu	$28, $29, $30
	movz	$1, $2, $3
	movn	$4, $5, $6
# ---- immediates
	addi	$1, $2, -32768
	addi	$1, $2, 32767
	addiu	$3, $4, -1
	addiu	$3, $0, 1234		# li (decimal)
	addiu	$3, $0, -1234
	slti	$5, $6, -100
	sltiu	$7, $8, 100
	sltiu	$7, $8, -1
	andi	$9, $10, 0xffff
	andi	$9, $10, 0
	ori	$11, $12, 0x8000
	ori	$11, $0, 0x1234		# li (hex)
	xori	$13, $14, 0x5a5a
	lui	$15, 0xffff
	lui	$15, 0
# ---- count leading ones/zeros, bit fields, byte swaps
	clz	$1, $2
	clo	$3, $4
	ext	$5, $6, 0, 1
	ext	$5, $6, 3, 5
	ext	$5, $6, 0, 32
	ext	$5, $6, 31, 1
	ins	$7, $8, 0, 1
	ins	$7, $8, 8, 8
	ins	$7, $8, 0, 32
	ins	$7, $8, 31, 1
	wsbh	$9, $10
	seb	$11, $12
	seh	$13, $14
# ---- shifts and rotates
	sll	$0, $0, 0		# nop
	ssnop
	ehb
	pause
	sll	$0, $0, 7
	sll	$1, $2, 31
	sll	$1, $0, 4
	srl	$3, $4, 1
	sra	$5, $6, 16
	rotr	$7, $8, 7
	sllv	$9, $10, $11
	srlv	$12, $13, $14
	srav	$15, $16, $17
	rotrv	$18, $19, $20
# ---- multiply and divide
	mult	$1, $2
	multu	$3, $4
	div	$0, $5, $6
	divu	$0, $7, $8
	mfhi	$9
	mthi	$10
	mflo	$11
	mtlo	$12
	madd	$13, $14
	maddu	$15, $16
	msub	$17, $18
	msubu	$19, $20
	mul	$21, $22, $23
# ---- branches (local labels: offsets resolved by the assembler)
1:	beq	$0, $0, 1b		# b
	nop
	beq	$1, $0, 1b		# beqz
	nop
	beq	$0, $1, 2f
	nop
	beq	$1, $2, 2f
	nop
	bne	$3, $0, 1b		# bnez
	nop
	bne	$3, $4, 2f
	nop
	blez	$5, 1b
	nop
	bgtz	$6, 2f
	nop
	beql	$0, $0, 1b
	nop
	beql	$7, $0, 1b		# beqzl
	nop
	beql	$7, $8, 2f
	nop
	bnel	$9, $0, 1b		# bnezl
	nop
	bnel	$9, $10, 2f
	nop
	blezl	$11, 1b
	nop
	bgtzl	$12, 2f
	nop
2:	bltz	$13, 1b
	nop
	bgez	$14, 2b
	nop
	bgez	$0, 2b			# b
	nop
	bltzl	$15, 1b
	nop
	bgezl	$16, 3f
	nop
	bltzal	$17, 2b
	nop
	bltzal	$0, 3f
	nop
	bgezal	$18, 2b
	nop
	bgezal	$0, 3f			# bal
	nop
	bltzall	$19, 2b
	nop
	bgezall	$20, 3f
	nop
	bgezall	$0, 3f
	nop
# ---- jumps
3:	j	integer
	nop
	jal	integer
	nop
	jalx	integer
	nop
	jr	$31
	nop
	jr.hb	$25
	nop
	jalr	$25
	nop
	jalr	$2, $25
	nop
	jalr	$0, $25
	nop
	jalr.hb	$25
	nop
	jalr.hb	$3, $25
	nop
# ---- loads and stores
	lb	$1, -32768($2)
	lbu	$3, 32767($4)
	lh	$5, 2($6)
	lhu	$7, -2($8)
	lw	$9, 0($29)
	lwl	$10, 3($11)
	lwr	$10, 0($11)
	sb	$12, 1($13)
	sh	$14, 2($15)
	sw	$16, -4($29)
	swl	$17, 7($18)
	swr	$17, 4($18)
	ll	$19, 0($20)
	sc	$19, 0($20)
	pref	0, 0($21)
	pref	4, 64($21)
	pref	30, -8($21)
# ---- traps
	syscall
	syscall	0x5
	syscall	0xfffff
	break
	break	7
	break	7, 5
	break	0x3ff, 0x3ff
	teq	$1, $2
	teq	$1, $0, 7
	tne	$3, $4, 0x3ff
	tge	$5, $6
	tge	$5, $6, 1
	tgeu	$7, $8, 2
	tlt	$9, $10, 3
	tltu	$11, $12
	teqi	$13, -3
	tnei	$14, 3
	tgei	$15, -32768
	tgeiu	$16, 32767
	tlti	$17, 0
	tltiu	$18, -1
	nop
