/*
 * Does QEMU TCG raise #NM (CR0.TS=1) for FXSAVE, FXRSTOR, XSAVE, XSAVEOPT,
 * XRSTOR and an SSE instruction? The SDM says all of them must.
 * A multiboot (32-bit protected mode) test; rig/qemu-nm/run.sh runs it.
 */
	.section .multiboot, "a"
	.align 4
	.long 0x1BADB002
	.long 0
	.long -0x1BADB002

	.text
	.code32
	.global _start
_start:
	mov $stack_top, %esp
	/* IDT: vectors 6 (#UD) and 7 (#NM) */
	mov %cs, %ax
	mov $nm_handler, %ebx
	mov $7, %edi
	call set_gate
	mov $ud_handler, %ebx
	mov $6, %edi
	call set_gate
	lidt idtr
	/* CR4.OSFXSR | CR4.OSXSAVE, XCR0 = x87 | SSE */
	mov %cr4, %eax
	or $((1 << 9) | (1 << 18)), %eax
	mov %eax, %cr4
	xor %ecx, %ecx
	xor %edx, %edx
	mov $3, %eax
	xsetbv
	/* CR0: MP on, EM off, TS off; a valid XSAVE image for XRSTOR */
	mov %cr0, %eax
	or $2, %eax
	and $~0xc, %eax
	mov %eax, %cr0
	mov $3, %eax
	xor %edx, %edx
	xsave xbuf
	fxsave fbuf

#define TEST(name, insn...)		\
	mov $name, %esi;		\
	call arm;			\
	mov $3, %eax;			\
	xor %edx, %edx;			\
	insn;				\
	call report

	TEST(s_movaps, movaps %xmm0, %xmm1)
	TEST(s_fxsave, fxsave fbuf)
	TEST(s_fxrstor, fxrstor fbuf)
	TEST(s_xsave, xsave xbuf)
	TEST(s_xsaveopt, xsaveopt xbuf)
	TEST(s_xrstor, xrstor xbuf)
	mov $s_done, %esi
	call puts
	/* isa-debug-exit */
	mov $0xf4, %dx
	mov $0, %al
	out %al, %dx
1:	hlt
	jmp 1b

/* gate for vector %edi -> handler %ebx, selector %ax */
set_gate:
	lea idt(,%edi,8), %edi
	mov %bx, (%edi)
	mov %ax, 2(%edi)
	movw $0x8e00, 4(%edi)
	shr $16, %ebx
	mov %bx, 6(%edi)
	ret

/* set CR0.TS, clear the flags */
arm:
	movl $0, nm_seen
	movl $0, ud_seen
	mov %cr0, %eax
	or $8, %eax
	mov %eax, %cr0
	ret

/* print "NAME: #NM" or "NAME: no #NM" */
report:
	call puts
	cmpl $0, ud_seen
	jne 2f
	mov $s_nm, %esi
	cmpl $0, nm_seen
	jne 1f
	mov $s_nonm, %esi
1:	call puts
	ret
2:	mov $s_ud, %esi
	call puts
	ret

nm_handler:
	movl $1, nm_seen
	clts
	iret

ud_handler:
	movl $1, ud_seen
	addl $7, (%esp)	/* skip: all tested insns with an abs32 operand are 7 bytes */
	iret

puts:
	mov $0x3f8, %dx
1:	lodsb
	test %al, %al
	jz 2f
	out %al, %dx
	jmp 1b
2:	ret

	.data
	.align 8
idtr:	.word 256 * 8 - 1
	.long idt
nm_seen: .long 0
ud_seen: .long 0
s_movaps:	.asciz "movaps (SSE):"
s_fxsave:	.asciz "fxsave:"
s_fxrstor:	.asciz "fxrstor:"
s_xsave:	.asciz "xsave:"
s_xsaveopt:	.asciz "xsaveopt:"
s_xrstor:	.asciz "xrstor:"
s_nm:		.asciz " #NM raised\n"
s_nonm:		.asciz " NO #NM (CR0.TS ignored)\n"
s_ud:		.asciz " #UD\n"
s_done:		.asciz "done\n"

	.bss
	.align 4096
idt:	.space 256 * 8
	.align 64
xbuf:	.space 4096
	.align 16
fbuf:	.space 512
	.space 8192
stack_top:
