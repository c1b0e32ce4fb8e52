# Windowed calls and the zero-overhead loop, which xtensa-lx106-elf-as cannot assemble (the
# lx106 has neither option): specemu as assembles this for dc233c, and specemu disas shows
# the instructions written. tests/asm_objects.rs checks it.
	.text
	.begin no-transform
	.global	main
	.align	4
main:
	entry	a1, 32
	movi	a10, 5
	call8	sum
	loop	a10, 1f
	addi	a2, a2, 1
1:	retw

	.align	4
sum:
	entry	a1, 48
	movi	a2, 0
	loopnez	a2, 2f
	add	a2, a2, a3
2:	callx8	a8
	retw.n
	.end no-transform
