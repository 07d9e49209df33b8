// SPDX-License-Identifier: MIT
/*
 * Unit tests: program encodings (harness/md_prog.h): the decoder is total,
 * binary and text round-trip, one flipped byte changes one op or one
 * decision, and text errors name their line and column.
 */
#include "md_prog.h"
#include "tap.h"

static const struct md_op_desc ops[] = {
    {"alloc", {"slot", "order"}, {7, 3}, {0, 0}, 1, NULL},
    {"put", {"slot", NULL}, {7, 0}, {0, 0}, 1, NULL},
    {"lookup", {"frame", NULL}, {63, 0}, {48, 0}, 1, NULL},
    {"compact", {NULL, NULL}, {0, 0}, {0, 0}, 1, NULL},
};
static const struct md_op_table table = {4, ops};

static int same(const struct md_prog *x, const struct md_prog *y)
{
	return x->nthreads == y->nthreads && x->nops == y->nops && x->nsched == y->nsched &&
	       memcmp(x->op, y->op, sizeof(x->op[0]) * x->nops) == 0 &&
	       memcmp(x->sched, y->sched, x->nsched) == 0;
}

/* Canonical order: ops grouped by thread, as the text form lists them. */
static void canon(struct md_prog *p)
{
	struct md_op tmp[MD_PROG_MAX_OPS];
	unsigned n = 0;

	for (unsigned th = 0; th < p->nthreads; th++)
		for (unsigned i = 0; i < p->nops; i++)
			if (p->op[i].thread == th)
				tmp[n++] = p->op[i];
	memcpy(p->op, tmp, sizeof(tmp[0]) * n);
}

static void test_total_and_roundtrip(uint64_t seed)
{
	static uint8_t buf[512], enc[MD_PROG_MAX_SCHED + 256];
	static struct md_prog p, q, r;
	static char text[16384], err[128];
	uint64_t rng = seed;
	unsigned bad_valid = 0, bad_bin = 0, bad_text = 0;

	for (unsigned n = 0; n < 10000; n++) {
		size_t len = (size_t)(tap_rand(&rng) % sizeof(buf));
		FILE *f;

		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)tap_rand(&rng);
		md_prog_decode(&p, &table, buf, n == 0 ? 0 : len);
		bad_valid += md_prog_validate(&p, &table) != 0;
		md_prog_decode(&q, &table, enc, md_prog_encode(&p, enc, sizeof(enc)));
		bad_bin += !same(&p, &q);
		canon(&p);
		f = fmemopen(text, sizeof(text), "w");
		md_prog_print(&p, &table, f);
		fclose(f);
		bad_text += md_prog_parse(&r, &table, text, err, sizeof(err)) != 0 || !same(&p, &r);
	}
	ok(bad_valid == 0,
	   "10000 random byte strings (and the empty one) decode to valid programs");
	ok(bad_bin == 0, "binary -> program -> binary -> program is the identity");
	ok(bad_text == 0, "program -> text -> program is the identity");
}

static void test_stability(uint64_t seed)
{
	uint8_t buf[200], flip[200];
	struct md_prog p, q;
	uint64_t rng = seed ^ 0xabcdef;
	unsigned worst = 0;

	for (unsigned n = 0; n < 2000; n++) {
		unsigned diff = 0;
		size_t k;

		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (uint8_t)tap_rand(&rng);
		memcpy(flip, buf, sizeof(buf));
		k = 2 + tap_rand(&rng) % (sizeof(buf) - 2); /* past the two header bytes */
		flip[k] ^= (uint8_t)(1 + tap_rand(&rng) % 255);
		md_prog_decode(&p, &table, buf, sizeof(buf));
		md_prog_decode(&q, &table, flip, sizeof(flip));
		for (unsigned i = 0; i < p.nops; i++)
			diff += memcmp(&p.op[i], &q.op[i], sizeof(p.op[i])) != 0;
		for (size_t i = 0; i < p.nsched; i++)
			diff += p.sched[i] != q.sched[i];
		if (diff > worst)
			worst = diff;
	}
	ok(worst <= 1, "a flipped byte past the header changes at most one op or decision (%u)",
	   worst);
}

static void test_errors(void)
{
	struct md_prog p;
	char err[128];

	ok(md_prog_parse(&p, &table, "threads 2\nthread 0\n  lookp frame=3\n", err, sizeof(err)) &&
	       strcmp(err, "line 3, column 3: unknown op") == 0,
	   "unknown op: '%s'", err);
	ok(md_prog_parse(&p, &table, "threads 1\nthread 0\n  alloc slot=9 order=1\n", err,
			 sizeof(err)) &&
	       strcmp(err, "line 3, column 14: number out of range") == 0,
	   "argument out of range: '%s'", err);
	ok(md_prog_parse(&p, &table, "threads 1\nthread 3\n", err, sizeof(err)) &&
	       strstr(err, "line 2,") != NULL,
	   "thread beyond 'threads': '%s'", err);
	ok(md_prog_parse(&p, &table,
			 "# only a comment\n\nthreads 1\nthread 0\n  compact # x\n"
			 "schedule 0 0 1\n",
			 err, sizeof(err)) == 0 &&
	       p.nops == 1 && p.nsched == 3,
	   "comments, blank lines and a schedule parse");
}

int main(int argc, char **argv)
{
	uint64_t seed = tap_init(argc, argv);

	test_total_and_roundtrip(seed);
	test_stability(seed);
	test_errors();
	return tap_done();
}
