// SPDX-License-Identifier: MIT
/*
 * md_ctx.c - context switch (see md_ctx.h).
 *
 * x86-64 SysV frame that md_ctx_switch() leaves on a suspended stack, from
 * the saved stack pointer up: mxcsr (4 bytes), x87 control word (2), pad
 * (10), r15, r14, r13, r12, rbx, rbp, return address.  A new context is
 * such a frame whose return address is md_ctx_start, which calls r12(r13).
 */
#include <stdint.h>
#include <string.h>

#include "md_ctx.h"

#if defined(__x86_64__)

__asm__(".text\n"
	".globl md_ctx_switch\n"
	".type md_ctx_switch,@function\n"
	"md_ctx_switch:\n"
	"	pushq %rbp\n"
	"	pushq %rbx\n"
	"	pushq %r12\n"
	"	pushq %r13\n"
	"	pushq %r14\n"
	"	pushq %r15\n"
	"	subq $16, %rsp\n"
	"	stmxcsr (%rsp)\n"
	"	fnstcw 4(%rsp)\n"
	"	movq %rsp, (%rdi)\n"
	"	movq (%rsi), %rsp\n"
	"	ldmxcsr (%rsp)\n"
	"	fldcw 4(%rsp)\n"
	"	addq $16, %rsp\n"
	"	popq %r15\n"
	"	popq %r14\n"
	"	popq %r13\n"
	"	popq %r12\n"
	"	popq %rbx\n"
	"	popq %rbp\n"
	"	ret\n"
	".size md_ctx_switch, .-md_ctx_switch\n"
	".type md_ctx_start,@function\n"
	"md_ctx_start:\n"
	"	movq %r13, %rdi\n"
	"	callq *%r12\n"
	"	ud2\n"
	".size md_ctx_start, .-md_ctx_start\n");

void md_ctx_start(void);

int md_ctx_make(struct md_ctx *c, void *stack, size_t size, void (*fn)(void *), void *arg)
{
	uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)15;
	uint64_t *sp = (uint64_t *)(top - 88); /* after the switch's ret: rsp = top - 16 */
	uint32_t mxcsr = 0x1f80;	       /* the ABI's initial control words */
	uint16_t fpcw = 0x037f;

	memset(sp, 0, 88);
	memcpy(&sp[0], &mxcsr, sizeof(mxcsr));
	memcpy((char *)&sp[0] + 4, &fpcw, sizeof(fpcw));
	sp[4] = (uint64_t)(uintptr_t)arg; /* r13 */
	sp[5] = (uint64_t)(uintptr_t)fn;  /* r12 */
	sp[8] = (uint64_t)(uintptr_t)md_ctx_start;
	c->sp = sp;
	return 0;
}

#else

static void start(unsigned fhi, unsigned flo, unsigned ahi, unsigned alo)
{
	void (*fn)(void *) = (void (*)(void *))(((uintptr_t)fhi << 32) | flo);

	fn((void *)(((uintptr_t)ahi << 32) | alo));
}

int md_ctx_make(struct md_ctx *c, void *stack, size_t size, void (*fn)(void *), void *arg)
{
	uintptr_t f = (uintptr_t)fn, a = (uintptr_t)arg;

	if (getcontext(&c->uc))
		return -1;
	c->uc.uc_stack.ss_sp = stack;
	c->uc.uc_stack.ss_size = size;
	c->uc.uc_link = NULL;
	makecontext(&c->uc, (void (*)(void))start, 4, (unsigned)(f >> 32), (unsigned)f,
		    (unsigned)(a >> 32), (unsigned)a);
	return 0;
}

void md_ctx_switch(struct md_ctx *from, struct md_ctx *to)
{
	swapcontext(&from->uc, &to->uc);
}

#endif
