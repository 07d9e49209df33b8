// SPDX-License-Identifier: MIT
/*
 * afl_mutator.c - the structure-aware mutator (harness/md_mutate.h) as an
 * AFL++ custom mutator library: AFL_CUSTOM_MUTATOR_LIBRARY=libmdt_afl_mutator.so.
 * Every child is a valid program; AFL++'s own havoc still runs too
 * (AFL_CUSTOM_MUTATOR_ONLY unset), since the decoder is total.  Raw inputs
 * are programs of the campaign's target (MDT_FUZZ_TARGET, `mdt fuzz
 * --target`; unset: the core), as the fuzz target reads them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "md_mutate.h"
#include "md_repro.h"

struct mdt_afl {
	uint64_t rng;
	const struct md_target *tg; /* what a raw input is a program of */
	struct md_repro r, b;
	struct md_prog c;
	uint8_t out[MD_REPRO_MAX];
};

void *afl_custom_init(void *afl, unsigned int seed);
size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf,
		       uint8_t *add_buf, size_t add_buf_size, size_t max_size);
void afl_custom_deinit(void *data);

void *afl_custom_init(void *afl, unsigned int seed)
{
	struct mdt_afl *m = calloc(1, sizeof(*m));

	(void)afl;
	if (m == NULL)
		return NULL;
	m->rng = seed;
	/* an unknown name: the fuzz target refuses it at its first input */
	m->tg = md_target_find(getenv("MDT_FUZZ_TARGET"));
	return m;
}

/* One mutation of @buf; with a second input, sometimes a crossover with it. */
size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf,
		       uint8_t *add_buf, size_t add_buf_size, size_t max_size)
{
	struct mdt_afl *m = data;
	char err[160];
	size_t cap = max_size < sizeof(m->out) ? max_size : sizeof(m->out), n;

	*out_buf = buf;
	if (md_repro_decode_as(&m->r, buf, buf_size, 0, m->tg, err, sizeof(err)))
		return buf_size; /* not ours to change: AFL++'s havoc will */
	if (add_buf && (m->rng & 7) == 0 &&
	    md_repro_decode_as(&m->b, add_buf, add_buf_size, 0, m->tg, err, sizeof(err)) == 0 &&
	    m->b.tg == m->r.tg) {
		md_crossover(&m->c, &m->r.p, &m->b.p, &m->rng);
		m->r.p = m->c;
	} else {
		md_mutate(&m->r.p, m->r.tg->ops, &m->rng);
	}
	if ((n = md_repro_encode_input(&m->r, m->tg, m->out, cap)) == 0)
		return buf_size;
	*out_buf = m->out;
	return n;
}

void afl_custom_deinit(void *data)
{
	free(data);
}
