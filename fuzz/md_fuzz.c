// SPDX-License-Identifier: MIT
/*
 * md_fuzz.c - shared by the fuzz targets.
 *
 * The interleaving counters live in __libfuzzer_extra_counters, which
 * libFuzzer reads as coverage: a new (race point left, race point resumed)
 * pair at a context switch is progress even when the code coverage is not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md_fuzz.h"
#include "md_mutant.h"
#include "md_sched.h"

__attribute__((section("__libfuzzer_extra_counters"),
	       used)) static uint8_t md_fuzz_pairs[MD_RP_MAX * MD_RP_MAX];

static const struct md_target *only;

const struct md_target *md_fuzz_target(void)
{
	return only;
}

unsigned md_fuzz_init(void)
{
	static int done;
	static unsigned mutant;
	const char *name = getenv("MDT_MUTANT"), *pairs = getenv("MDT_FUZZ_PAIRS");
	const char *tg = getenv("MDT_FUZZ_TARGET");
	int m;

	if (done)
		return mutant;
	done = 1;
	if (tg && *tg && (only = md_target_find(tg)) == NULL) {
		fprintf(stderr, "fuzz: MDT_FUZZ_TARGET='%s' is not a target (%s)\n", tg,
			md_target_names());
		exit(2);
	}
	m = md_bug_lookup(name);
	if (m < 0 || !md_bug_available((unsigned)m)) {
		fprintf(stderr, "fuzz: MDT_MUTANT='%s' is %s\n", name,
			m < 0 ? "unknown" : "not compiled into this build");
		exit(2);
	}
	mutant = (unsigned)m;
	if (pairs == NULL || strcmp(pairs, "0") != 0)
		md_sched_coverage(md_fuzz_pairs, sizeof(md_fuzz_pairs));
	return mutant;
}

/* Every target: the mutant and the interleaving counters, before the first input. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	md_fuzz_init();
	return 0;
}

void md_fuzz_fail(const struct md_exec_result *res)
{
	fprintf(stderr, "FAIL %s at step %llu: %s\n", md_fail_kind_name(res->fail.kind),
		(unsigned long long)res->fail.step, res->fail.msg);
	fflush(NULL);
	abort();
}
