// SPDX-License-Identifier: MIT
/*
 * fuzz_parallel.c - the input is a program (the schedule bytes are
 * ignored), run on real threads on a fresh instance by the engine's
 * real-thread executor, for TSan campaigns: the interleaving is the
 * machine's, so an input may fail only sometimes; `mdt repro FILE --search
 * T` turns such a find into an exact replay.
 */
#include <stdio.h>
#include <stdlib.h>

#include "md_fuzz.h"
#include "md_rexec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct md_prog p;
	unsigned mutant = md_fuzz_init();
	enum md_rexec_verdict v;
	char msg[256];

	md_prog_decode(&p, md_target_core.ops, data, size);
	v = md_rexec_run_prog(&md_target_core, &p, mutant, NULL, size, 10000, msg, sizeof(msg));
	if (v == MD_REXEC_CLEAN)
		return 0;
	fprintf(stderr, "FAIL %s\n", v == MD_REXEC_ERROR ? "cannot run (out of memory?)" : msg);
	abort();
}
