/* SPDX-License-Identifier: MIT */
/*
 * rounds.h - `mdt stress --rounds`: fresh short programs on real threads.
 */
#ifndef MD_ROUNDS_H
#define MD_ROUNDS_H

#include <stdint.h>

struct md_rounds_cfg {
	uint64_t seed, rounds, duration_ms, threads, stall_ms, search_ms;
	unsigned mutant;
	double chaos;
	const char *artifacts;
};

/**
 * md_stress_rounds() - run up to @cfg->rounds rounds (or until the duration
 * ends), each a generated program on a fresh core target instance, one real
 * thread per logical thread (at most 8).  A failing round's program is
 * written to @cfg->artifacts and searched for an exact reproducer.
 * Return: 0 clean, MD_EXIT_FAIL, MD_EXIT_STALL (threads left stuck),
 * MD_EXIT_ENV.
 */
int md_stress_rounds(const struct md_rounds_cfg *cfg);

#endif
