/* SPDX-License-Identifier: MIT */
/*
 * stress.h - `mdt stress`: a target's ops (the registry in its target file)
 * by weight on real threads for a duration (run.c), or short generated
 * programs on real threads, each on a fresh instance, with a schedule
 * search for an exact reproducer of a failing one (rounds.c).  The engine's
 * real-thread executor (harness/md_rexec.h) runs the threads; this command
 * owns the options (stress.c) and the reports (report.c).
 */
#ifndef MD_STRESS_H
#define MD_STRESS_H

#include <stdint.h>

#include "md_chaos.h"
#include "md_rexec.h"
#include "md_watchdog.h"
#include "../cli/md_json.h"

#define STRESS_MAX_WORKERS 64
#define STRESS_MAX_BG	   9 /* background threads: up to 8 compactors and a migrator */

struct stress_opts {
	uint64_t duration_ms, threads, frames, seed, stall_ms;
	uint64_t check_every_ms, stutter_ms, compactors, rounds, search_ms, chaos_sleep_us;
	const char *json, *mutant, *mix, *chaos_at, *chaos_kinds, *artifacts, *target;
	double chaos;
	int list_ops, selftest_hang;
	int argc;
	char **argv;
};

/* One run's configuration, resolved from the options, and what it found. */
struct stress {
	struct stress_opts o;
	const struct md_target *tg;
	unsigned mutant, mutant_given; /* --mutant on the command line (not MDT_MUTANT) */
	unsigned *weights;	       /* per op code: the mix */
	struct md_chaos_cfg chaos;
	struct md_outfile json;
	int json_open;
	char rerun[2048]; /* the command that reruns this run, a line */
	/* results */
	int interrupted; /* SIGINT or SIGTERM stopped it */
	double secs;
	uint64_t checkpoints, stalls;
	unsigned nfailures, violations;
	char failure[512];
	uint64_t *ops; /* per op code */
	uint64_t stats[MD_ST__COUNT];
	struct md_metric metrics[16]; /* the instance's size figures at the end, references held */
	unsigned nmetrics;
};

/* run.c */
int stress_run(struct stress *s);

/* rounds.c */
int stress_rounds(struct stress *s);

/* report.c */
void stress_progress(struct stress *s, struct md_rexec *x, uint64_t elapsed_ms, int tty);
void stress_summary(struct stress *s);
void stress_stall_report(struct stress *s, struct md_rexec *x, const struct md_watchdog *w);
const char *stress_op_name(const struct stress *s, unsigned code);
void stress_make_rerun(struct stress *s);
void stress_print_rerun(const struct stress *s);
int stress_write_json(struct stress *s);

/**
 * md_stress_main() - `mdt stress [options]`.
 * Return: exit code: 0 clean, 1 failure found, 2 usage, 3 environment, 4 stall.
 */
int md_stress_main(int argc, char **argv);

#endif
