/* SPDX-License-Identifier: MIT */
/*
 * md_ctx.h - the bare context switch under the fiber scheduler.
 *
 * On x86-64 a dozen instructions save the callee-saved registers and the
 * FPU control words on the current stack and swap stack pointers: no
 * system call (glibc's swapcontext makes one, sigprocmask, per switch) and
 * no sanitizer interceptor (ASan's swapcontext interceptor clears the
 * shadow of the whole target stack per switch).  Elsewhere it is ucontext.
 * The sanitizers learn of switches from the scheduler's fiber annotations.
 */
#ifndef MD_CTX_H
#define MD_CTX_H

#include <stddef.h>

#if defined(__x86_64__)
struct md_ctx {
	void *sp; /* the saved stack pointer; registers are on that stack */
};
#else
#include <ucontext.h>
struct md_ctx {
	ucontext_t uc;
};
#endif

/**
 * md_ctx_make() - @c will start @fn(@arg) on @stack (@size bytes) when
 * first switched to.  @fn must never return (switch away for good instead).
 * Return: 0, or -1 when the platform's context cannot be made.
 */
int md_ctx_make(struct md_ctx *c, void *stack, size_t size, void (*fn)(void *), void *arg);

/** md_ctx_switch() - save the running context in @from and resume @to. */
void md_ctx_switch(struct md_ctx *from, struct md_ctx *to);

#endif
