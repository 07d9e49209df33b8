/* SPDX-License-Identifier: MIT */
/*
 * tap.h - a minimal TAP producer for the unit tests.
 *
 * Every test binary prints its seed ("# seed: N") and accepts --seed N (or
 * MDT_SEED) so a failure replays.  ok() is for the main thread only.
 */
#ifndef MD_TAP_H
#define MD_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "md_rand.h"

static int tap_n, tap_failed;
static uint64_t tap_seed_value;
static const char *tap_argv0 = "test";

__attribute__((format(printf, 4, 5))) static int tap_ok(int pass, const char *file, int line,
							const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%sok %d - ", pass ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass) {
		tap_failed++;
		printf("# failed at %s:%d; replay: %s --seed %" PRIu64 "\n", file, line, tap_argv0,
		       tap_seed_value);
	}
	fflush(stdout);
	return pass;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

/* tap_init() - parse --seed; print it.  Returns the seed. */
static inline uint64_t tap_init(int argc, char **argv)
{
	const char *env = getenv("MDT_SEED");

	tap_argv0 = argv[0];
	tap_seed_value = (uint64_t)time(NULL) ^ ((uint64_t)clock() << 20);
	if (env && *env)
		tap_seed_value = strtoull(env, NULL, 0);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
			tap_seed_value = strtoull(argv[++i], NULL, 0);
		} else {
			fprintf(stderr, "%s: unknown option '%s' (usage: %s [--seed N])\n", argv[0],
				argv[i], argv[0]);
			exit(2);
		}
	}
	printf("# seed: %" PRIu64 "\n", tap_seed_value);
	return tap_seed_value;
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

/* tests' random numbers, reproducible from the seed: the tree's generator */
static inline uint64_t tap_rand(uint64_t *s)
{
	return md_rand(s);
}

#endif
