/* SPDX-License-Identifier: MIT */
/*
 * md_opt.h - option tables for the mdt subcommands (stress-ng style: each
 * option has a type, a range and a one-line help; a bad value is one clear
 * line and exit code 2).
 */
#ifndef MD_OPT_H
#define MD_OPT_H

#include <stdint.h>
#include <stdio.h>

#include "md_exit.h"

enum md_opt_type {
	MD_OPT_U64,	 /* uint64_t, within [min, max] */
	MD_OPT_DURATION, /* uint64_t milliseconds; "500ms", "10s", "2m", "1h"; bare number = s */
	MD_OPT_STR,	 /* const char * */
	MD_OPT_FLAG,	 /* int set to 1 */
	MD_OPT_PROB,	 /* double in [0, 1] */
};

struct md_opt {
	const char *name; /* without the leading "--" */
	enum md_opt_type type;
	uint64_t min, max; /* U64: value range; DURATION: ms range */
	void *ptr;
	const char *help;
};

/**
 * md_opt_parse() - parse argv[1..] against @opts (terminated by a NULL name).
 * Return: 0 parsed; MD_EXIT_USAGE after printing one line to stderr; -1 when
 * --help was given (usage printed to stdout).
 */
int md_opt_parse(const char *prog, const struct md_opt *opts, int argc, char **argv);

/**
 * md_opt_parse_args() - md_opt_parse() that also takes up to @maxpos
 * operands (arguments not starting with '-') into @pos, counted in @npos.
 * "-x" is the option named "x".
 */
int md_opt_parse_args(const char *prog, const struct md_opt *opts, int argc, char **argv,
		      const char **pos, int maxpos, int *npos);

/**
 * md_opt_given() - was option @name (no "--") on the command line that
 * md_opt_parse() accepted?  Return: true if so.
 */
int md_opt_given(int argc, char **argv, const char *name);

/** md_opt_usage() - print the option table. */
void md_opt_usage(FILE *f, const char *prog, const struct md_opt *opts);

/**
 * md_build_variant() - the ./mdt variant this binary belongs to, for the
 * commands failures print: MDT_VARIANT (set by ./mdt), else derived from the
 * build configuration (tsan, asan, release, debug).
 */
const char *md_build_variant(void);

/**
 * md_opt_rerun() - the command line that reruns this one: "./mdt --build
 * VARIANT" and @argv (argv[0] the command name), shell-quoted, with any
 * --seed replaced by "--seed @seed", then @extra (may be "").  Truncated to
 * @len.  Return: @buf.
 */
char *md_opt_rerun(char *buf, size_t len, int argc, char **argv, uint64_t seed, const char *extra);

/** md_parse_duration() - "10s" etc. to milliseconds.  Return: 0 or -1. */
int md_parse_duration(const char *s, uint64_t *ms);

#endif
