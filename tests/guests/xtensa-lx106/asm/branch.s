# Branches, jumps and calls.
# Assembled by tests/conformance_objdump.rs with xtensa-lx106-elf-as and compared with
# xtensa-lx106-elf-objdump -d. `no-transform` keeps every instruction as written.
	.text
	.begin no-transform
1:	nop.n
	beq	a2, a3, 1b
	beq	a15, a0, 2f
	bne	a2, a3, 1b
	bne	a15, a0, 2f
	blt	a2, a3, 1b
	blt	a15, a0, 2f
	bge	a2, a3, 1b
	bge	a15, a0, 2f
	bltu	a2, a3, 1b
	bltu	a15, a0, 2f
	bgeu	a2, a3, 1b
	bgeu	a15, a0, 2f
2:	nop.n
1:	nop.n
	bany	a2, a3, 1b
	bany	a15, a0, 2f
	bnone	a2, a3, 1b
	bnone	a15, a0, 2f
	ball	a2, a3, 1b
	ball	a15, a0, 2f
	bnall	a2, a3, 1b
	bnall	a15, a0, 2f
	bbc	a2, a3, 1b
	bbc	a15, a0, 2f
	bbs	a2, a3, 1b
	bbs	a15, a0, 2f
2:	nop.n
1:	nop.n
	bbci	a4, 0, 2f
	bbci	a4, 1, 1b
	bbci	a4, 15, 1b
	bbci	a4, 16, 2f
	bbci	a4, 31, 1b
2:	nop.n
1:	nop.n
	bbsi	a4, 0, 2f
	bbsi	a4, 1, 1b
	bbsi	a4, 15, 1b
	bbsi	a4, 16, 2f
	bbsi	a4, 31, 1b
2:	nop.n
1:	nop.n
	beqi	a5, -1, 1b
	beqi	a5, 1, 2f
	beqi	a5, 8, 1b
	beqi	a5, 10, 2f
	beqi	a5, 12, 1b
	beqi	a5, 16, 2f
	beqi	a5, 32, 1b
	beqi	a5, 64, 2f
	beqi	a5, 128, 1b
	beqi	a5, 256, 2f
2:	nop.n
1:	nop.n
	bnei	a5, -1, 1b
	bnei	a5, 1, 2f
	bnei	a5, 8, 1b
	bnei	a5, 10, 2f
	bnei	a5, 12, 1b
	bnei	a5, 16, 2f
	bnei	a5, 32, 1b
	bnei	a5, 64, 2f
	bnei	a5, 128, 1b
	bnei	a5, 256, 2f
2:	nop.n
1:	nop.n
	blti	a5, -1, 1b
	blti	a5, 1, 2f
	blti	a5, 8, 1b
	blti	a5, 10, 2f
	blti	a5, 12, 1b
	blti	a5, 16, 2f
	blti	a5, 32, 1b
	blti	a5, 64, 2f
	blti	a5, 128, 1b
	blti	a5, 256, 2f
2:	nop.n
1:	nop.n
	bgei	a5, -1, 1b
	bgei	a5, 1, 2f
	bgei	a5, 8, 1b
	bgei	a5, 10, 2f
	bgei	a5, 12, 1b
	bgei	a5, 16, 2f
	bgei	a5, 32, 1b
	bgei	a5, 64, 2f
	bgei	a5, 128, 1b
	bgei	a5, 256, 2f
2:	nop.n
1:	nop.n
	bltui	a6, 32768, 1b
	bltui	a6, 65536, 2f
	bltui	a6, 2, 1b
	bltui	a6, 8, 2f
	bltui	a6, 10, 1b
	bltui	a6, 12, 2f
	bltui	a6, 16, 1b
	bltui	a6, 32, 2f
	bltui	a6, 64, 1b
	bltui	a6, 128, 2f
	bltui	a6, 256, 1b
2:	nop.n
1:	nop.n
	bgeui	a6, 32768, 1b
	bgeui	a6, 65536, 2f
	bgeui	a6, 2, 1b
	bgeui	a6, 8, 2f
	bgeui	a6, 10, 1b
	bgeui	a6, 12, 2f
	bgeui	a6, 16, 1b
	bgeui	a6, 32, 2f
	bgeui	a6, 64, 1b
	bgeui	a6, 128, 2f
	bgeui	a6, 256, 1b
2:	nop.n
1:	nop.n
	beqz	a7, 1b
	beqz	a8, 2f
	bnez	a7, 1b
	bnez	a8, 2f
	bltz	a7, 1b
	bltz	a8, 2f
	bgez	a7, 1b
	bgez	a8, 2f
	beqz.n	a2, 2f
	bnez.n	a9, 2f
	j	1b
	j	2f
	jx	a3
	callx0	a4
	ret
	ret.n
2:	nop.n
	.align 4
	call0	3f
	nop
	.align 4
3:	nop.n
	j	3b
	.end no-transform
