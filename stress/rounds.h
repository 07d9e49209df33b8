/* SPDX-License-Identifier: MIT */
/*
 * rounds.h - `mdt stress --rounds`: fresh short programs on real threads.
 */
#ifndef MD_ROUNDS_H
#define MD_ROUNDS_H

#include <stddef.h>
#include <stdint.h>

struct md_prog;

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

/**
 * md_rounds_run_one() - one round: @p on a fresh core instance, a real
 * thread per logical thread (uses @cfg's mutant, chaos, seed, stall).
 * Return: 0 clean, 1 failed (@msg says how), MD_EXIT_STALL (threads left
 * stuck, reported), MD_EXIT_ENV.
 */
int md_rounds_run_one(const struct md_rounds_cfg *cfg, const struct md_prog *p, char *msg,
		      size_t len);

#endif
