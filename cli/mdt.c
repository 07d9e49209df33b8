// SPDX-License-Identifier: MIT
/*
 * mdt.c - the mdt command line: one table of subcommands over stress/,
 * harness/ and bench/.  Exit codes: 0 ok, 1 failure found, 2 usage,
 * 3 environment, 4 stall.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "md_config.h"
#include "md_mutant.h"
#include "md_opt.h"
#include "../harness/md_crash.h"
#include "md_cmd.h"
#include "../stress/stress.h"

static int cmd_mutants(int argc, char **argv)
{
	int names = 0;
	const struct md_opt opts[] = {
	    {"names", MD_OPT_FLAG, 0, 0, &names, "one line each: name and detector"},
	    {NULL, 0, 0, 0, NULL, NULL},
	};
	int ret = md_opt_parse("mdt mutants", opts, argc, argv);

	if (ret)
		return ret < 0 ? MD_EXIT_OK : ret;
	if (names) { /* machine-readable: name, detector, target */
		for (unsigned i = 1; i < md_bug_count(); i++)
			printf("%s %s %s\n", md_bug_name(i),
			       md_detector_name(md_bug_info(i)->detector), md_bug_target(i)->name);
		return MD_EXIT_OK;
	}
	printf("seeded bugs (the core's %s in this build, the other targets' always):\n",
	       md_mutants_compiled() ? "compiled in" : "NOT compiled in");
	for (unsigned i = 1; i < md_bug_count(); i++) {
		const struct md_mutant_info *m = md_bug_info(i);

		printf("  %-26s %s\n  %-26s   target %s, detector: %s; models: %s\n", m->name,
		       m->what, "", md_bug_target(i)->name, md_detector_name(m->detector), m->ref);
	}
	return MD_EXIT_OK;
}

/* The targets of this build (targets/): name, ops, race points, seeded bugs. */
static int cmd_targets(int argc, char **argv)
{
	int names = 0;
	const struct md_opt opts[] = {
	    {"names", MD_OPT_FLAG, 0, 0, &names, "names only, one a line (for scripts)"},
	    {NULL, 0, 0, 0, NULL, NULL},
	};
	int ret = md_opt_parse("mdt targets", opts, argc, argv);
	char list[] = MD_TARGET_NAMES;

	if (ret)
		return ret < 0 ? MD_EXIT_OK : ret;
	for (char *save = NULL, *n = strtok_r(list, ", ", &save); n;
	     n = strtok_r(NULL, ", ", &save)) {
		const struct md_target *tg = md_target_find(n);
		unsigned bugs = 0;

		for (unsigned i = 1; i < md_bug_count(); i++)
			bugs += md_target_base(md_bug_target(i)) == tg;
		if (names)
			printf("%s\n", n);
		else
			printf("  %-18s %2u ops, %2u race points of its own, %2u seeded bugs\n", n,
			       tg->ops->nops,
			       tg == &md_target_core ? MD_RP__COUNT - 1 : tg->nrace_points, bugs);
		for (unsigned v = 0; !names && v < tg->ndesigns; v++)
			printf(v ? "    %s:%s\n" : "    %s:%s (the default: the plain name)\n", n,
			       tg->designs[v]);
	}
	return MD_EXIT_OK;
}

static int cmd_version(int argc, char **argv)
{
	const struct md_opt opts[] = {{NULL, 0, 0, 0, NULL, NULL}};
	int ret = md_opt_parse("mdt version", opts, argc, argv);

	if (ret)
		return ret < 0 ? MD_EXIT_OK : ret;
	printf("mdt %s (buildtype %s, sanitize %s, race points %s, mutants %s, core lock %s)\n",
	       MD_VERSION, MD_BUILDTYPE, MD_SANITIZE, MD_RACE_POINTS_ON ? "on" : "off",
	       MD_MUTANTS_ON ? "on" : "off", MD_CORE_LOCK_GLOBAL ? "global" : "lockfree");
	return MD_EXIT_OK;
}

static int cmd_help(int argc, char **argv);

/* A value for `eval` in a POSIX shell: single-quoted, a quote as '\''. */
static void shell_word(const char *s)
{
	putchar('\'');
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*s);
	putchar('\'');
}

static void shell_assign(const char *name, const char *value)
{
	printf("%s=", name);
	shell_word(value);
	putchar('\n');
}

/*
 * `mdt fuzz`'s options, parsed by the one option parser for its script
 * (fuzz/campaign.sh): checked, then printed as shell assignments to eval,
 * and what follows "--" as the script's new positional parameters (raw
 * libFuzzer or afl-fuzz flags).
 */
static int cmd_fuzz_opts(int argc, char **argv)
{
	const char *mutant = getenv("MDT_MUTANT"), *out = "", *engine = "libfuzzer", *pos[2];
	const char *system = "", *sync_dir = "", *name = "main", *foreign = "";
	int secondary = 0;
	const struct md_target *tg = NULL;
	uint64_t time_ms = 600000, jobs = 1;
	const struct md_opt opts[] = {
	    {"time", MD_OPT_DURATION, 1000, 1000ull * 3600 * 24 * 30, &time_ms,
	     "how long the campaign runs (default 10m; 1s..30 days)"},
	    {"jobs", MD_OPT_U64, 1, 256, &jobs, "parallel fuzzers (libFuzzer -fork; AFL++ -S)"},
	    {"mutant", MD_OPT_STR, 0, 0, &mutant, "seeded bug to switch on (see mdt mutants)"},
	    {"out", MD_OPT_STR, 0, 0, &out, "the work directory (default fuzz-out/TARGET-DATE)"},
	    {"engine", MD_OPT_STR, 0, 0, &engine, "libfuzzer or afl (default libfuzzer)"},
	    {"target", MD_OPT_STR, 0, 0, &system,
	     "fuzz one system under test: " MD_TARGET_NAMES " (default: all)"},
	    {"sync-dir", MD_OPT_STR, 0, 0, &sync_dir,
	     "AFL++: the sync directory, shareable between machines (default OUT/afl)"},
	    {"name", MD_OPT_STR, 0, 0, &name,
	     "AFL++: this machine's instance name, unique across machines (default main)"},
	    {"secondary", MD_OPT_FLAG, 0, 0, &secondary,
	     "AFL++: secondaries only (-S), joining a main that runs on another machine"},
	    {"foreign", MD_OPT_STR, 0, 0, &foreign,
	     "AFL++: other machines' queue directories to import from (-F; DIR:DIR...)"},
	    {NULL, 0, 0, 0, NULL, NULL},
	};
	int ret, n, m, end = argc;
	char secs[32];

	for (int i = 1; i < argc; i++) /* "--": the rest goes to the fuzzer untouched */
		if (strcmp(argv[i], "--") == 0) {
			end = i;
			break;
		}
	ret = md_opt_parse_args("mdt fuzz TARGET", opts, end, argv, pos, 2, &n);
	if (ret)
		return ret < 0 ? MD_EXIT_OK : ret;
	if (n != 1 || (strcmp(pos[0], "fuzz_sched") && strcmp(pos[0], "fuzz_decode") &&
		       strcmp(pos[0], "fuzz_parallel"))) {
		fprintf(stderr,
			"mdt fuzz: name one target: fuzz_sched, fuzz_decode or fuzz_parallel\n");
		return MD_EXIT_USAGE;
	}
	if (strcmp(engine, "libfuzzer") && strcmp(engine, "afl")) {
		fprintf(stderr, "mdt fuzz: bad --engine '%s' (libfuzzer or afl)\n", engine);
		return MD_EXIT_USAGE;
	}
	if ((m = md_bug_lookup(mutant)) < 0 || !md_bug_available((unsigned)m)) {
		fprintf(stderr, "mdt fuzz: %s mutant '%s' (see: mdt mutants)\n",
			m < 0 ? "unknown" : "this build has no", mutant);
		return MD_EXIT_USAGE;
	}
	if (*system && (tg = md_target_find(system)) == NULL) {
		fprintf(stderr, "mdt fuzz: unknown --target '%s' (targets: %s)\n", system,
			md_target_names());
		return MD_EXIT_USAGE;
	}
	if (tg && !md_bug_fits((unsigned)m, tg)) {
		fprintf(stderr, "mdt fuzz: mutant '%s' is seeded in target %s, not %s\n", mutant,
			md_bug_target((unsigned)m)->name, system);
		return MD_EXIT_USAGE;
	}
	if (strcmp(engine, "afl") && (*sync_dir || strcmp(name, "main") || secondary || *foreign)) {
		fprintf(stderr, "mdt fuzz: --sync-dir, --name, --secondary and --foreign are "
				"AFL++'s (add --engine afl)\n");
		return MD_EXIT_USAGE;
	}
	if (secondary && *foreign) {
		fprintf(stderr, "mdt fuzz: --foreign needs a main instance here (AFL++ -F is the "
				"main's), not --secondary\n");
		return MD_EXIT_USAGE;
	}
	if (!*name ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
		strlen(name)) {
		fprintf(stderr, "mdt fuzz: --name '%s': letters, digits, '_' and '-' only\n", name);
		return MD_EXIT_USAGE;
	}
	snprintf(secs, sizeof(secs), "%llu", (unsigned long long)((time_ms + 999) / 1000));
	shell_assign("SYSTEM", system);
	shell_assign("TARGET", pos[0]);
	shell_assign("SECS", secs);
	snprintf(secs, sizeof(secs), "%llu", (unsigned long long)jobs);
	shell_assign("JOBS", secs);
	shell_assign("MUTANT", m ? md_bug_name((unsigned)m) : "");
	shell_assign("OUT", out);
	shell_assign("ENGINE", engine);
	shell_assign("SYNC_DIR", sync_dir);
	shell_assign("AFL_NAME", name);
	shell_assign("AFL_ROLE", secondary ? "secondary" : "main");
	shell_assign("FOREIGN", foreign);
	fputs("set --", stdout);
	for (int i = end + 1; i < argc; i++) {
		putchar(' ');
		shell_word(argv[i]);
	}
	putchar('\n');
	return MD_EXIT_OK;
}

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
	X("targets", cmd_targets, "list the targets (--target NAME; one file each in targets/)")   \
	X("version", cmd_version, "print the build configuration")                                 \
	X("fuzz-opts", cmd_fuzz_opts, "(internal) mdt fuzz's options, checked, for its script")    \
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
	(void)argc;
	(void)argv;
	printf("usage: ./mdt [--build VARIANT] COMMAND [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("  %-10s %s\n", commands[i].name, commands[i].help);
	printf("  %-10s %s\n", "test",
	       "run the test suites over release, debug, tsan, asan, fuzz (./mdt only)");
	printf("  %-10s %s\n", "fuzz", "a libFuzzer or AFL++ campaign with triage (./mdt only)");
	printf(
	    "  %-10s %s\n", "bench",
	    "detect, strategies, throughput, footprint, exec, reach, hitrate, smoke (./mdt only)");
	printf("\n`./mdt COMMAND --help` shows a command's options.\n");
	return MD_EXIT_OK;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "help";
	int ret;

	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
		cmd = "help";
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(cmd, commands[i].name) != 0)
			continue;
		ret = commands[i].fn(argc > 1 ? argc - 1 : 1, argc > 1 ? argv + 1 : argv);
		/* output that did not reach its file (a full disk, a closed pipe) is no success */
		if (fflush(stdout) || ferror(stdout)) {
			fprintf(stderr, "mdt: cannot write the output: %s\n", strerror(errno));
			if (ret == MD_EXIT_OK)
				ret = MD_EXIT_ENV;
		}
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
