# Code density (16-bit) instructions.
# Assembled by tests/conformance_objdump.rs with xtensa-lx106-elf-as and compared with
# xtensa-lx106-elf-objdump -d. `no-transform` keeps every instruction as written.
	.text
	.begin no-transform
	add.n	a0, a1, a2
	add.n	a15, a0, a9
	addi.n	a3, a4, -1
	addi.n	a3, a4, 1
	addi.n	a3, a4, 7
	addi.n	a3, a4, 15
	movi.n	a5, -32
	movi.n	a5, -1
	movi.n	a5, 0
	movi.n	a5, 1
	movi.n	a5, 63
	movi.n	a5, 95
	mov.n	a6, a7
	mov.n	a15, a0
	nop.n
	ill.n
	break.n	0
	break.n	15
	.end no-transform
