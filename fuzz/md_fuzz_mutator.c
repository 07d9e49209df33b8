// SPDX-License-Identifier: MIT
/*
 * md_fuzz_mutator.c - libFuzzer's custom mutator and crossover over
 * programs (harness/md_mutate.h): every child is a valid program.  One
 * mutation in four is libFuzzer's own byte-level one (its comparison
 * tricks still reach the schedule bytes; the decoder is total).
 */
#include <string.h>

#include "md_fuzz.h"
#include "md_mutate.h"
#include "md_repro.h"

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *d1, size_t s1, const uint8_t *d2, size_t s2,
				 uint8_t *out, size_t max_out, unsigned int seed);

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
	static struct md_repro r;
	uint64_t rng = seed;
	char err[160];
	size_t n;

	if (seed % 4 == 0 ||
	    md_repro_decode_as(&r, data, size, 0, md_fuzz_target(), err, sizeof(err)))
		return LLVMFuzzerMutate(data, size, max_size);
	md_mutate(&r.p, r.tg->ops, &rng);
	n = md_repro_encode_input(&r, md_fuzz_target(), data, max_size);
	return n ? n : LLVMFuzzerMutate(data, size, max_size);
}

size_t LLVMFuzzerCustomCrossOver(const uint8_t *d1, size_t s1, const uint8_t *d2, size_t s2,
				 uint8_t *out, size_t max_out, unsigned int seed)
{
	static struct md_repro a, b;
	static struct md_prog c;
	uint64_t rng = seed;
	char err[160];

	if (md_repro_decode_as(&a, d1, s1, 0, md_fuzz_target(), err, sizeof(err)) ||
	    md_repro_decode_as(&b, d2, s2, 0, md_fuzz_target(), err, sizeof(err)) || a.tg != b.tg)
		return 0;
	md_crossover(&c, &a.p, &b.p, &rng); /* @out must not alias its inputs */
	a.p = c;
	return md_repro_encode_input(&a, md_fuzz_target(), out, max_out);
}
