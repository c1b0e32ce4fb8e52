# Loads, stores and L32R.
# Assembled by tests/conformance_objdump.rs with xtensa-lx106-elf-as and compared with
# xtensa-lx106-elf-objdump -d. `no-transform` keeps every instruction as written.
	.text
	.begin no-transform
	l8ui	a2, a3, 0
	l8ui	a2, a3, 1
	l8ui	a2, a3, 63
	l8ui	a2, a3, 64
	l8ui	a2, a3, 127
	l8ui	a2, a3, 128
	l8ui	a2, a3, 255
	l16ui	a2, a3, 0
	l16ui	a2, a3, 2
	l16ui	a2, a3, 126
	l16ui	a2, a3, 128
	l16ui	a2, a3, 254
	l16ui	a2, a3, 256
	l16ui	a2, a3, 510
	l16si	a2, a3, 0
	l16si	a2, a3, 2
	l16si	a2, a3, 126
	l16si	a2, a3, 128
	l16si	a2, a3, 254
	l16si	a2, a3, 256
	l16si	a2, a3, 510
	l32i	a2, a3, 0
	l32i	a2, a3, 4
	l32i	a2, a3, 252
	l32i	a2, a3, 256
	l32i	a2, a3, 508
	l32i	a2, a3, 512
	l32i	a2, a3, 1020
	s8i	a2, a3, 0
	s8i	a2, a3, 1
	s8i	a2, a3, 63
	s8i	a2, a3, 64
	s8i	a2, a3, 127
	s8i	a2, a3, 128
	s8i	a2, a3, 255
	s16i	a2, a3, 0
	s16i	a2, a3, 2
	s16i	a2, a3, 126
	s16i	a2, a3, 128
	s16i	a2, a3, 254
	s16i	a2, a3, 256
	s16i	a2, a3, 510
	s32i	a2, a3, 0
	s32i	a2, a3, 4
	s32i	a2, a3, 252
	s32i	a2, a3, 256
	s32i	a2, a3, 508
	s32i	a2, a3, 512
	s32i	a2, a3, 1020
	l32i.n	a4, a5, 0
	s32i.n	a4, a5, 0
	l32i.n	a4, a5, 4
	s32i.n	a4, a5, 4
	l32i.n	a4, a5, 60
	s32i.n	a4, a5, 60
	.literal_position
	.literal .Llit1, 0x12345678
	l32r	a2, .Llit1
	l32r	a15, .Llit1
	.end no-transform
