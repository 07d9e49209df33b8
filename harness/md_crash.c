// SPDX-License-Identifier: MIT
/*
 * md_crash.c - death callback and fatal-signal handlers.
 *
 * Under a sanitizer its own handlers own SIGSEGV/SIGBUS/SIGFPE/SIGILL (they
 * print the report, then die through the death callback), so only SIGABRT,
 * which they leave alone, gets a handler of ours there.  Without one, every
 * fatal signal does.
 */
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../sanitizers/md_asan.h"
#include "../sanitizers/md_tsan.h"
#include "md_crash.h"

#if defined(MD_ASAN) || defined(MD_TSAN)
#define MD_SANITIZED 1
#include <sanitizer/common_interface_defs.h>
#endif

static md_crash_fn *volatile crash_fn;
static void *volatile crash_arg;
static int installed;

static void run_fn(const char *why)
{
	md_crash_fn *fn = crash_fn;

	crash_fn = NULL; /* once: a crash inside @fn must not recurse */
	if (fn)
		fn(why, crash_arg);
}

#ifdef MD_SANITIZED
static void on_death(void)
{
	/* inside TSan's report: a second one from the callback would deadlock */
	md_tsan_ignore_begin();
	run_fn("sanitizer report");
}
#endif

static const char *sig_name(int sig)
{
	switch (sig) {
	case SIGSEGV:
		return "SIGSEGV";
	case SIGBUS:
		return "SIGBUS";
	case SIGFPE:
		return "SIGFPE";
	case SIGILL:
		return "SIGILL";
	default:
		return "SIGABRT";
	}
}

static void on_signal(int sig)
{
	run_fn(sig_name(sig));
	signal(sig, SIG_DFL); /* die as we would have: the parent or shell sees the signal */
	raise(sig);
}

static void install(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void install_all(void)
{
	static char altstack[64 * 1024];
	stack_t ss = {.ss_sp = altstack, .ss_size = sizeof(altstack)};

	sigaltstack(&ss, NULL);
	install(SIGABRT);
#ifdef MD_SANITIZED
	__sanitizer_set_death_callback(on_death);
#else
	install(SIGSEGV);
	install(SIGBUS);
	install(SIGFPE);
	install(SIGILL);
#endif
	installed = 1;
}

void md_crash_arm(md_crash_fn *fn, void *arg)
{
	if (!installed)
		install_all();
	crash_arg = arg;
	crash_fn = fn;
}

void md_crash_disarm(void)
{
	crash_fn = NULL;
}

void md_crash_cat(char *buf, size_t cap, size_t *off, const char *s)
{
	while (*s && *off + 1 < cap)
		buf[(*off)++] = *s++;
	if (*off < cap)
		buf[*off] = '\0';
}

void md_crash_cat_u(char *buf, size_t cap, size_t *off, uint64_t v)
{
	char d[24];
	int n = 0;

	do
		d[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n > 0 && *off + 1 < cap)
		buf[(*off)++] = d[--n];
	if (*off < cap)
		buf[*off] = '\0';
}

void md_crash_say(const char *s)
{
	size_t n = strlen(s);

	while (n > 0) {
		ssize_t w = write(1, s, n);

		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

void md_exit_now(int code)
{
	syscall(SYS_exit_group, code);
	_exit(code);
}
