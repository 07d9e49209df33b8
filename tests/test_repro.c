// SPDX-License-Identifier: MIT
/*
 * Unit tests: a fuzzer's input form (md_repro_encode_input(), what both
 * custom mutators write): raw for a program of the campaign's target, with
 * a trailer otherwise, and read back as that target's program.  The bug it
 * guards: AFL++'s mutator decoded a `mdt fuzz --target ck_ring` campaign's
 * raw inputs as core programs and wrote them back as such.
 */
#include "md_explore.h"
#include "md_repro.h"
#include "tap.h"

static int same_prog(const struct md_prog *x, const struct md_prog *y)
{
	return x->nthreads == y->nthreads && x->nops == y->nops &&
	       memcmp(x->op, y->op, sizeof(x->op[0]) * x->nops) == 0;
}

/* Encode a program of @tg (mutant @mutant) for a campaign on @raw_tg, decode as it would. */
static int round_trip(const struct md_target *tg, unsigned mutant, const struct md_target *raw_tg,
		      uint64_t *rng, unsigned *format)
{
	static struct md_repro r, back;
	static uint8_t buf[MD_REPRO_MAX];
	char err[160];
	size_t n;

	memset(&r, 0, sizeof(r));
	r.tg = tg;
	r.mutant = mutant;
	md_explore_gen(&r.p, tg->ops, NULL, 3, 4, rng);
	n = md_repro_encode_input(&r, raw_tg, buf, sizeof(buf));
	if (n == 0 || md_repro_decode_as(&back, buf, n, 0, raw_tg, err, sizeof(err)))
		return 0;
	*format = back.format;
	return back.tg == tg && back.mutant == mutant && same_prog(&r.p, &back.p);
}

static void test_input_form(uint64_t seed)
{
	const struct md_target *ring = md_target_find("ck_ring");
	unsigned bad[4] = {0}, fmt[4] = {0};
	uint64_t rng = seed;

	for (int i = 0; i < 200; i++) {
		bad[0] += !round_trip(&md_target_core, 0, NULL, &rng, &fmt[0]) || fmt[0] != MD_REPRO_RAW;
		bad[1] += !round_trip(ring, 0, ring, &rng, &fmt[1]) || fmt[1] != MD_REPRO_RAW;
		bad[2] += !round_trip(ring, 0, NULL, &rng, &fmt[2]) || fmt[2] != MD_REPRO_V2;
		bad[3] += !round_trip(&md_target_core, 0, ring, &rng, &fmt[3]) || fmt[3] != MD_REPRO_V2;
	}
	ok(bad[0] == 0, "a core program in a core campaign: raw, read back as itself (%u bad)", bad[0]);
	ok(bad[1] == 0, "a ck_ring program in a --target ck_ring campaign: raw, read back as a "
			"ck_ring program (%u bad)",
	   bad[1]);
	ok(bad[2] == 0, "a ck_ring program in a core campaign: with its trailer (%u bad)", bad[2]);
	ok(bad[3] == 0, "a core program in a ck_ring campaign: with its trailer (%u bad)", bad[3]);
}

static void test_fit(void)
{
	static struct md_repro r;
	static uint8_t buf[MD_REPRO_MAX];
	uint64_t rng = 1;

	r.tg = &md_target_core;
	md_explore_gen(&r.p, r.tg->ops, NULL, 2, 5, &rng);
	r.p.nsched = 100;
	ok(md_repro_encode_input(&r, NULL, buf, 2 + 3 * 10 - 1) == 0,
	   "no room for the ops: nothing written");
	ok(md_repro_encode_input(&r, NULL, buf, 2 + 3 * 10 + 7) == 2 + 3 * 10 + 7 && r.p.nsched == 7,
	   "the schedule is cut to fit");
}

int main(int argc, char **argv)
{
	uint64_t seed = tap_init(argc, argv);

	ok(md_target_find("ck_ring") != NULL, "the ck_ring target is built");
	test_input_form(seed);
	test_fit();
	return tap_done();
}
