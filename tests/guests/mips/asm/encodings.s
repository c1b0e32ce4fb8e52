# Encodings the assembler will not write from mnemonics but objdump disassembles in a
# particular way: non-canonical register fields, out-of-range bit fields, reserved selects and
# the generic coprocessor operations. Each word is commented with what objdump prints.
	.set	noreorder
	.set	noat
	.text
	.globl	encodings
encodings:
	.word	0x703f3021	# clo a2 or ra,at        (rd != rt, both non-zero)
	.word	0x70260021	# clo a2,at              (rd = 0: names rt)
	.word	0x70203021	# clo a2,at              (rt = 0: names rd)
	.word	0x70a43020	# clz a2 or a0,a1
	.word	0x7c4b8504	# ins t3,v0,0x14,0xfffffffd   (msb < lsb)
	.word	0x7c4bffc0	# ext t3,v0,0x1f,0x20         (lsb + size > 32)
	.word	0x00000140	# pause
	.word	0x000000c0	# ehb
	.word	0x00000040	# ssnop
	.word	0x00000100	# sll zero,zero,0x4
	.word	0x0000000f	# sync
	.word	0x0000008f	# sync 0x2
	.word	0x03200409	# jalr.hb zero,t9
	.word	0x0320f809	# jalr t9
	.word	0x03e00408	# jr.hb ra
	.word	0x460b9bc6	# c1 0xb9bc6 (mov.s with ft != 0)
	.word	0x46a00000	# c1 0xa00000 (unassigned COP1 format 0x15 function 0)
	.word	0x42000058	# c0 0x58
	.word	0x42000160	# wait 0x5
	.word	0x48651234	# mfhc2 a1,0x1234 (bits 10:3 not zero)
	.word	0x48e51807	# mthc2 a1,$3,7
	.word	0x48651000	# mfhc2 a1,$2
	.word	0x4085c807	# mtc0 a1,c0_perfcnt,7
	.word	0x4005b801	# mfc0 a1,c0_tracecontrol
	.word	0x4005c801	# mfc0 a1,c0_perfcnt,1
	.word	0x7c03e83b	# rdhwr v1,$29
	.word	0x00200148	# .word 0x200148 (jr with a hint of 5)
	.word	0x00000021	# move zero,zero
	.word	0x00621021	# addu v0,v1,v0
	.word	0x00000000	# nop
