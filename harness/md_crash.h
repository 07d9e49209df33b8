/* SPDX-License-Identifier: MIT */
/*
 * md_crash.h - a last word before the process dies.
 *
 * A failure the oracles do not see first kills the process: a sanitizer
 * report (halt_on_error), a signal (SIGSEGV in a release build, abort()).
 * The drivers must still leave a reproducer behind, so md_crash installs
 * the sanitizers' death callback and handlers for fatal signals (on an
 * alternate stack: a fiber's stack may be what overflowed) and calls the
 * armed function first.  What that function does must be async-signal-safe
 * in practice: no malloc, no stdio locks; write(2) and plain memory.
 */
#ifndef MD_CRASH_H
#define MD_CRASH_H

#include <stddef.h>
#include <stdint.h>

/* @why: "SIGSEGV", "SIGABRT", ... or "sanitizer report" */
typedef void md_crash_fn(const char *why, void *arg);

/**
 * md_crash_arm() - call @fn(why, @arg) if the process is about to die.
 * Installs the handlers on first use; later calls only swap the function.
 * After @fn returns the process dies as it would have (the signal's default
 * action, or the sanitizer's exit code); @fn may _exit() instead.
 */
void md_crash_arm(md_crash_fn *fn, void *arg);

/** md_crash_disarm() - no function is called any more. */
void md_crash_disarm(void);

/**
 * md_exit_now() - leave at once with @code: no exit hooks, no leak check, and
 * no sanitizer finalization (TSan's would sleep for, or trip over, threads
 * and fibers that are stuck or abandoned).  Flush stdio first.
 */
__attribute__((noreturn)) void md_exit_now(int code);

/** md_crash_cat() - append @s to the string @buf (size @cap) at *@off; signal-safe. */
void md_crash_cat(char *buf, size_t cap, size_t *off, const char *s);

/** md_crash_cat_u() - append @v in decimal; signal-safe. */
void md_crash_cat_u(char *buf, size_t cap, size_t *off, uint64_t v);

/** md_crash_say() - write @s to stdout with write(2); signal-safe. */
void md_crash_say(const char *s);

/**
 * md_crash_spawn() - run this program (/proc/self/exe) with @argv in a new
 * process, its stdout into @out (up to @cap - 1 bytes, NUL-terminated; the
 * rest is read and dropped), its stderr to /dev/null, and wait for it.
 * Raw system calls only: signal-safe, and no sanitizer interceptor runs
 * (TSan's fork() takes the locks a report that is dying still holds).
 * Return: its wait status; -1 when it could not be started.
 */
int md_crash_spawn(char *const argv[], char *out, size_t cap);

/**
 * md_crash_exec() - replace this process with this program run with @argv
 * (the environment unchanged); signal-safe.  Returns only if that failed.
 */
void md_crash_exec(char *const argv[]);

#endif
