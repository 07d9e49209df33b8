/* SPDX-License-Identifier: MIT */
/*
 * md_fuzz.h - what the fuzz targets share: the libFuzzer entry points, the
 * seeded bug from MDT_MUTANT, the interleaving-coverage counters, and the
 * report a failing input prints before it aborts (the engine keeps the
 * input; `mdt repro FILE --mutant M` replays it).
 */
#ifndef MD_FUZZ_H
#define MD_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "md_exec.h"
#include "md_target.h"

#define MD_FUZZ_BUDGET 100000 /* race points per input: past it, a livelock */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/**
 * md_fuzz_init() - once per process: the mutant (MDT_MUTANT; exits 2 on an
 * unknown name), the target (MDT_FUZZ_TARGET, see md_fuzz_target()) and,
 * unless MDT_FUZZ_PAIRS=0, the interleaving counters.
 * Return: the mutant id.
 */
unsigned md_fuzz_init(void);

/**
 * md_fuzz_target() - the one target a campaign fuzzes (`mdt fuzz --target`,
 * MDT_FUZZ_TARGET), or NULL for all: raw inputs run on it, inputs whose
 * trailer names another target are not inputs of the campaign.
 */
const struct md_target *md_fuzz_target(void);

/** md_fuzz_fail() - print "FAIL <kind> at step <n>: <message>" and abort(). */
__attribute__((noreturn)) void md_fuzz_fail(const struct md_exec_result *res);

#endif
