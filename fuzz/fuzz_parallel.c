// SPDX-License-Identifier: MIT
/*
 * fuzz_parallel.c - the input is a program (the schedule bytes are
 * ignored), run on real threads on a fresh core, for TSan campaigns: the
 * interleaving is the machine's, so an input may fail only sometimes;
 * `mdt repro FILE --search T` turns such a find into an exact replay.
 */
#include <stdio.h>
#include <stdlib.h>

#include "md_fuzz.h"
#include "md_target.h"
#include "../stress/rounds.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct md_prog p;
	struct md_rounds_cfg cfg = {.seed = size, .stall_ms = 10000, .mutant = md_fuzz_init()};
	char msg[256];
	int r;

	md_prog_decode(&p, md_target_core.ops, data, size);
	r = md_rounds_run_one(&cfg, &p, msg, sizeof(msg));
	if (r == 0)
		return 0;
	fprintf(stderr, "FAIL %s\n", r == 1 ? msg : "stall (threads stuck)");
	abort();
}
