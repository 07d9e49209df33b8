/* SPDX-License-Identifier: MIT */
/*
 * md_cmd.h - the engine's commands, built on the engine library: explore
 * (generate and mutate programs, explore schedules, keep every failure as a
 * reproducer), repro (replay exactly, or search schedules for one), explain
 * (a failure as a timeline), minimize (smaller reproducer, same failure
 * kind), compile and decompile; the finder that writes reproducers.  They
 * print, write files and return process exit codes (md_exit.h).
 *
 * Reproducer files are md_repro.h's format.
 */
#ifndef MD_CMD_H
#define MD_CMD_H

#include <stdint.h>

#include "md_exec.h"
#include "md_repro.h"

int md_explore_main(int argc, char **argv);
int md_repro_main(int argc, char **argv);
int md_explain_main(int argc, char **argv);
int md_minimize_main(int argc, char **argv);
int md_compile_main(int argc, char **argv);
int md_decompile_main(int argc, char **argv);

/**
 * md_cmd_load() - read @path for command @cmd ("mdt repro") as a reproducer:
 * a file with no trailer (damaged, or a raw fuzzer input) is refused unless
 * @raw or a campaign wrote it (crash-*); a raw input is a program of the
 * --target the command was given (default core).
 * Return: 0; -1 with one line on stderr saying why.
 */
int md_cmd_load(const char *cmd, const char *path, struct md_repro *r, int raw);

/**
 * md_repro_search() - explore schedules of @r's program with @mutant (random
 * and PCT, change points over @steps) for up to @ms; the first failure is
 * written to @dir as an exact reproducer and its repro line printed.
 * Return: MD_EXIT_FAIL when found, MD_EXIT_OK when not, MD_EXIT_ENV when it
 * cannot be written.  @path only labels the output.
 */
int md_repro_search(const char *path, struct md_repro *r, unsigned mutant, uint64_t ms,
		    const char *dir, uint64_t steps);

/* Where a driver's findings go; set before each run so a crash can be kept too. */
struct md_finder {
	const char *dir;    /* artifacts directory */
	const char *kind;   /* file name stem: "explore", "search" */
	uint64_t seed, run; /* name the file: KIND-SEED-RUN.bin */
	const struct md_target *tg;
	unsigned mutant;
	const char *tmp; /* a partial output the command writes: removed if the process dies */
	/*
	 * A crash that a fresh process replaying it does not repeat: @resume
	 * replaces the process with one that goes on from the next run (it
	 * returns only if it could not); NULL: the file is kept, with a note.
	 */
	void (*resume)(const struct md_finder *fd, void *arg);
	void *resume_arg;
};

/**
 * md_finder_arm() - if the process dies during a run, write the run in
 * progress as a reproducer, replay it in a fresh process, and if that
 * fails the same way print the FAIL and repro lines and _exit(1).  If it
 * does not (a sanitizer's report can depend on everything the process ran
 * before), remove the file, say so and call @fd->resume.
 */
void md_finder_arm(struct md_finder *fd);

/**
 * md_finder_keep() - write program @p with the schedule @res took as a new
 * reproducer and print "repro: ./mdt --build V repro PATH".
 * Return: 0 with the file in @path; -1 with errno set (message printed).
 */
int md_finder_keep(const struct md_finder *fd, const struct md_prog *p,
		   const struct md_exec_result *res, char *path, size_t plen);

#endif
