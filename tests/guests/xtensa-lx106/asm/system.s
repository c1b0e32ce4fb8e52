# Synchronization, exception, interrupt, debug, TLB and special-register instructions of lx106.
# Assembled by tests/conformance_objdump.rs with xtensa-lx106-elf-as and compared with
# xtensa-lx106-elf-objdump -d. `no-transform` keeps every instruction as written.
	.text
	.begin no-transform
	ill
	nop
	isync
	rsync
	esync
	dsync
	memw
	extw
	excw
	syscall
	simcall
	rfe
	rfde
	rfi	2
	rfi	3
	rfdo	0
	rfdo	1
	rfdd
	waiti	0
	waiti	15
	rsil	a2, 0
	rsil	a3, 15
	break	0, 0
	break	15, 1
	break	1, 15
	witlb	a2, a3
	wdtlb	a2, a3
	ritlb0	a2, a3
	ritlb1	a2, a3
	rdtlb0	a2, a3
	rdtlb1	a2, a3
	pitlb	a2, a3
	pdtlb	a2, a3
	iitlb	a4
	idtlb	a5
	rsr.sar	a3
	wsr.sar	a4
	xsr.sar	a5
	rsr.litbase	a6
	wsr.litbase	a7
	xsr.litbase	a8
	wsr.mmid	a9
	rsr.ibreakenable	a10
	wsr.ibreakenable	a11
	xsr.ibreakenable	a12
	rsr.ddr	a13
	wsr.ddr	a14
	xsr.ddr	a15
	rsr.ibreaka0	a0
	wsr.ibreaka0	a1
	xsr.ibreaka0	a2
	rsr.dbreaka0	a3
	wsr.dbreaka0	a4
	xsr.dbreaka0	a5
	rsr.dbreakc0	a6
	wsr.dbreakc0	a7
	xsr.dbreakc0	a8
	rsr.epc1	a9
	wsr.epc1	a10
	xsr.epc1	a11
	rsr.epc2	a12
	wsr.epc2	a13
	xsr.epc2	a14
	rsr.epc3	a15
	wsr.epc3	a0
	xsr.epc3	a1
	rsr.depc	a2
	wsr.depc	a3
	xsr.depc	a4
	rsr.eps2	a5
	wsr.eps2	a6
	xsr.eps2	a7
	rsr.eps3	a8
	wsr.eps3	a9
	xsr.eps3	a10
	rsr.excsave1	a11
	wsr.excsave1	a12
	xsr.excsave1	a13
	rsr.excsave2	a14
	wsr.excsave2	a15
	xsr.excsave2	a0
	rsr.excsave3	a1
	wsr.excsave3	a2
	xsr.excsave3	a3
	rsr.interrupt	a4
	wsr.intset	a5
	wsr.intclear	a6
	rsr.intenable	a7
	wsr.intenable	a8
	xsr.intenable	a9
	rsr.ps	a10
	wsr.ps	a11
	xsr.ps	a12
	rsr.vecbase	a13
	wsr.vecbase	a14
	xsr.vecbase	a15
	rsr.exccause	a0
	wsr.exccause	a1
	xsr.exccause	a2
	rsr.debugcause	a3
	wsr.debugcause	a4
	xsr.debugcause	a5
	rsr.ccount	a6
	wsr.ccount	a7
	xsr.ccount	a8
	rsr.prid	a9
	rsr.icount	a10
	wsr.icount	a11
	xsr.icount	a12
	rsr.icountlevel	a13
	wsr.icountlevel	a14
	xsr.icountlevel	a15
	rsr.excvaddr	a0
	wsr.excvaddr	a1
	xsr.excvaddr	a2
	rsr.ccompare0	a3
	wsr.ccompare0	a4
	xsr.ccompare0	a5
	rsr	a2, 176
	wsr	a3, 176
	rsr	a4, 208
	.end no-transform
