# Core ALU, shift, multiply and NSA instructions of lx106.
# Assembled by tests/conformance_objdump.rs with xtensa-lx106-elf-as and compared with
# xtensa-lx106-elf-objdump -d. `no-transform` keeps every instruction as written.
	.text
	.begin no-transform
	add	a0, a1, a2
	add	a15, a14, a13
	add	a3, a3, a3
	add	a7, a8, a9
	sub	a0, a1, a2
	sub	a15, a14, a13
	sub	a3, a3, a3
	sub	a7, a8, a9
	addx2	a0, a1, a2
	addx2	a15, a14, a13
	addx2	a3, a3, a3
	addx2	a7, a8, a9
	addx4	a0, a1, a2
	addx4	a15, a14, a13
	addx4	a3, a3, a3
	addx4	a7, a8, a9
	addx8	a0, a1, a2
	addx8	a15, a14, a13
	addx8	a3, a3, a3
	addx8	a7, a8, a9
	subx2	a0, a1, a2
	subx2	a15, a14, a13
	subx2	a3, a3, a3
	subx2	a7, a8, a9
	subx4	a0, a1, a2
	subx4	a15, a14, a13
	subx4	a3, a3, a3
	subx4	a7, a8, a9
	subx8	a0, a1, a2
	subx8	a15, a14, a13
	subx8	a3, a3, a3
	subx8	a7, a8, a9
	and	a0, a1, a2
	and	a15, a14, a13
	and	a3, a3, a3
	and	a7, a8, a9
	or	a0, a1, a2
	or	a15, a14, a13
	or	a3, a3, a3
	or	a7, a8, a9
	xor	a0, a1, a2
	xor	a15, a14, a13
	xor	a3, a3, a3
	xor	a7, a8, a9
	moveqz	a0, a1, a2
	moveqz	a15, a14, a13
	moveqz	a3, a3, a3
	moveqz	a7, a8, a9
	movnez	a0, a1, a2
	movnez	a15, a14, a13
	movnez	a3, a3, a3
	movnez	a7, a8, a9
	movltz	a0, a1, a2
	movltz	a15, a14, a13
	movltz	a3, a3, a3
	movltz	a7, a8, a9
	movgez	a0, a1, a2
	movgez	a15, a14, a13
	movgez	a3, a3, a3
	movgez	a7, a8, a9
	src	a0, a1, a2
	src	a15, a14, a13
	src	a3, a3, a3
	src	a7, a8, a9
	mull	a0, a1, a2
	mull	a15, a14, a13
	mull	a3, a3, a3
	mull	a7, a8, a9
	mul16u	a0, a1, a2
	mul16u	a15, a14, a13
	mul16u	a3, a3, a3
	mul16u	a7, a8, a9
	mul16s	a0, a1, a2
	mul16s	a15, a14, a13
	mul16s	a3, a3, a3
	mul16s	a7, a8, a9
	neg	a0, a1
	neg	a15, a2
	neg	a6, a6
	abs	a0, a1
	abs	a15, a2
	abs	a6, a6
	srl	a0, a1
	srl	a15, a2
	srl	a6, a6
	sra	a0, a1
	sra	a15, a2
	sra	a6, a6
	sll	a0, a1
	sll	a15, a2
	sll	a6, a6
	nsa	a0, a1
	nsa	a15, a2
	nsa	a6, a6
	nsau	a0, a1
	nsau	a15, a2
	nsau	a6, a6
	addi	a2, a3, -128
	addi	a2, a3, -1
	addi	a2, a3, 0
	addi	a2, a3, 1
	addi	a2, a3, 127
	addmi	a4, a5, -32768
	addmi	a4, a5, -256
	addmi	a4, a5, 0
	addmi	a4, a5, 256
	addmi	a4, a5, 512
	addmi	a4, a5, 32512
	movi	a6, -2048
	movi	a6, -257
	movi	a6, -256
	movi	a6, -255
	movi	a6, -1
	movi	a6, 0
	movi	a6, 1
	movi	a6, 255
	movi	a6, 256
	movi	a6, 2047
	slli	a2, a3, 1
	slli	a2, a3, 2
	slli	a2, a3, 15
	slli	a2, a3, 16
	slli	a2, a3, 31
	srai	a2, a3, 0
	srai	a2, a3, 1
	srai	a2, a3, 15
	srai	a2, a3, 16
	srai	a2, a3, 31
	srli	a2, a3, 0
	srli	a2, a3, 1
	srli	a2, a3, 15
	extui	a2, a3, 0, 1
	extui	a2, a3, 0, 16
	extui	a2, a3, 5, 8
	extui	a2, a3, 16, 16
	extui	a2, a3, 31, 1
	extui	a2, a3, 17, 15
	ssr	a5
	ssl	a5
	ssa8l	a5
	ssa8b	a5
	ssai	0
	ssai	1
	ssai	16
	ssai	31
	.end no-transform
