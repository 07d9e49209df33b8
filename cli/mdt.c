// SPDX-License-Identifier: MIT
/*
 * mdt.c - the mdt command line: one table of subcommands over stress/,
 * harness/ and bench/.  Exit codes: 0 ok, 1 failure found, 2 usage,
 * 3 environment, 4 stall.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "md_config.h"
#include "md_mutant.h"
#include "md_opt.h"
#include "../harness/md_crash.h"
#include "../harness/md_explore.h"
#include "../stress/stress.h"

static int cmd_mutants(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--names") == 0) {
		/* machine-readable: name and detector */
		for (unsigned i = 1; i < MD_MUT__COUNT; i++)
			printf("%s %s\n", md_mutant_info(i)->name,
			       md_detector_name(md_mutant_info(i)->detector));
		return MD_EXIT_OK;
	}
	if (argc > 1) {
		fprintf(stderr, "mdt mutants: unexpected argument '%s' (only --names)\n", argv[1]);
		return MD_EXIT_USAGE;
	}
	printf("seeded bugs (%s in this build):\n",
	       md_mutants_compiled() ? "compiled in" : "NOT compiled in");
	for (unsigned i = 1; i < MD_MUT__COUNT; i++) {
		const struct md_mutant_info *m = md_mutant_info(i);

		printf("  %-26s %s\n  %-26s   detector: %s; models: %s\n", m->name, m->what, "",
		       md_detector_name(m->detector), m->ref);
	}
	return MD_EXIT_OK;
}

static int cmd_version(int argc, char **argv)
{
	printf("mdt %s (buildtype %s, sanitize %s, race points %s, mutants %s, core lock %s)\n",
	       MD_VERSION, MD_BUILDTYPE, MD_SANITIZE, MD_RACE_POINTS_ON ? "on" : "off",
	       MD_MUTANTS_ON ? "on" : "off", MD_CORE_LOCK_GLOBAL ? "global" : "lockfree");
	return MD_EXIT_OK;
}

static int cmd_help(int argc, char **argv);

/* X(name, function, one-line help) */
#define MDT_COMMANDS(X)                                                                            \
	X("stress", md_stress_main, "real threads hammer the core; checks at the end")             \
	X("explore", md_explore_main, "deterministic schedules of generated programs")             \
	X("repro", md_repro_main, "replay reproducers exactly (--mutant NAME|none, --search T)")   \
	X("explain", md_explain_main, "a reproducer as its program and a per-thread timeline")     \
	X("minimize", md_minimize_main, "a smaller reproducer with the same failure kind")         \
	X("compile", md_compile_main, "text reproducer (.mdt) to binary")                          \
	X("decompile", md_decompile_main, "binary reproducer to text")                             \
	X("mutants", cmd_mutants, "list the seeded bugs (--mutant NAME switches one on)")          \
	X("version", cmd_version, "print the build configuration")                                 \
	X("help", cmd_help, "this list")

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} commands[] = {
#define CMD_ROW(name, fn, help) {name, fn, help},
    MDT_COMMANDS(CMD_ROW)
#undef CMD_ROW
};

static int cmd_help(int argc, char **argv)
{
	printf("usage: ./mdt [--build VARIANT] COMMAND [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("  %-10s %s\n", commands[i].name, commands[i].help);
	printf("  %-10s %s\n", "test", "run the test suites over release, tsan, asan (./mdt only)");
	printf("  %-10s %s\n", "fuzz", "a libFuzzer or AFL++ campaign with triage (./mdt only)");
	printf("  %-10s %s\n", "bench", "detect, throughput, footprint, exec, smoke (./mdt only)");
	printf("\n`./mdt COMMAND --help` shows a command's options.\n");
	return MD_EXIT_OK;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "help";
	int ret;

	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(cmd, commands[i].name) != 0)
			continue;
		ret = commands[i].fn(argc > 1 ? argc - 1 : 1, argc > 1 ? argv + 1 : argv);
		fflush(NULL);
		/*
		 * After a detected failure the core's state is suspect, so it is
		 * not torn down; leave without the leak checker's exit hooks so
		 * the exit code stays "failure found".
		 */
		if (ret == MD_EXIT_FAIL || ret == MD_EXIT_STALL)
			md_exit_now(ret);
		return ret;
	}
	fprintf(stderr, "mdt: unknown command '%s' (try: mdt help)\n", cmd);
	return MD_EXIT_USAGE;
}
