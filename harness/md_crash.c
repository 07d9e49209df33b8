// SPDX-License-Identifier: MIT
/*
 * md_crash.c - death callback and fatal-signal handlers.
 *
 * Under a sanitizer its own handlers own SIGSEGV/SIGBUS/SIGFPE/SIGILL (they
 * print the report, then die through the death callback), so only SIGABRT,
 * which they leave alone, gets a handler of ours there.  Without one, every
 * fatal signal does.
 */
#include <errno.h>
#include <fcntl.h>
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

extern char **environ;

#define SELF "/proc/self/exe"

/* The child's side of md_crash_spawn(): stdout to @fd, stderr away, exec. */
static void spawn_child(char *const argv[], int fd)
{
	long nul = syscall(SYS_openat, AT_FDCWD, "/dev/null", O_WRONLY);

	syscall(SYS_dup3, fd, 1, 0);
	if (nul >= 0)
		syscall(SYS_dup3, (int)nul, 2, 0);
	syscall(SYS_execve, SELF, argv, environ);
	syscall(SYS_exit_group, 127);
}

/* Read @fd to its end: the first @cap - 1 bytes into @out, the rest dropped. */
static void spawn_read(int fd, char *out, size_t cap)
{
	char scratch[256];
	size_t n = 0;
	long r;

	for (;;) {
		int full = n + 1 >= cap;

		r = syscall(SYS_read, fd, full ? scratch : out + n,
			    full ? sizeof(scratch) : cap - 1 - n);
		if (r == 0 || (r < 0 && errno != EINTR))
			break;
		if (r > 0 && !full)
			n += (size_t)r;
	}
	out[n] = '\0';
}

int md_crash_spawn(char *const argv[], char *out, size_t cap)
{
	int fds[2], status;
	long pid;

	if (cap > 0)
		out[0] = '\0';
	if (cap == 0 || syscall(SYS_pipe2, fds, O_CLOEXEC) < 0)
		return -1;
	/* fork() without the C library's or a sanitizer's handlers */
	pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		spawn_child(argv, fds[1]);
	syscall(SYS_close, fds[1]);
	if (pid > 0)
		spawn_read(fds[0], out, cap);
	syscall(SYS_close, fds[0]);
	if (pid < 0)
		return -1;
	while (syscall(SYS_wait4, pid, &status, 0, NULL) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

void md_crash_exec(char *const argv[])
{
	syscall(SYS_execve, SELF, argv, environ);
}
