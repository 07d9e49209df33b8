/* SPDX-License-Identifier: MIT */
/*
 * md_exit.h - the exit codes of every mdt command and script: one table, a
 * leaf header (it includes nothing).  The README repeats it.
 */
#ifndef MD_EXIT_H
#define MD_EXIT_H

/*
 * The exit codes of every mdt command and script, the one table (the README
 * repeats it): 0 clean; 1 a failure found; 2 usage, or input that is bad or
 * damaged; 3 the environment (a file that cannot be written, a build or a
 * sanitizer runtime that cannot start); 4 a stall (the watchdog); 130
 * interrupted (SIGINT, SIGTERM).  Sanitizer reports exit with the codes in
 * sanitizers/NAME.options: 66 TSan, 67 ASan (and UBSan beside it), 68 UBSan alone.
 */
enum {
	MD_EXIT_OK = 0,
	MD_EXIT_FAIL = 1,
	MD_EXIT_USAGE = 2,
	MD_EXIT_ENV = 3,
	MD_EXIT_STALL = 4,
	MD_EXIT_TSAN = 66,
	MD_EXIT_ASAN = 67,
	MD_EXIT_UBSAN = 68,
	MD_EXIT_INTR = 130,
};

#endif
