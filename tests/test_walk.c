// SPDX-License-Identifier: MIT
/*
 * Unit tests: lookup and lock by frame (md_walk.h), alone and racing with
 * free: churn threads allocate, write and free folios while walkers look up
 * random frames, lock them and verify what they read.
 */
#include <errno.h>

#include "md_buddy.h"
#include "md_folio.h"
#include "md_walk.h"
#include "testutil.h"

static void test_single(void)
{
	struct tcore tc;
	struct md_folio *f;
	struct md_desc *d;
	uint64_t base;

	tcore_init(&tc, 1024, 0);
	md_folio_alloc(&tc.t, 2, MD_MT_MOVABLE, &f);
	base = f->d.pfn;
	ok(md_lookup_frame(&tc.t, base + 3, &d) == 0 && d == md_folio_desc(f),
	   "lookup of a folio's last frame finds the folio");
	ok(md_ref_count(&tc.t, d) == 2, "lookup took a reference");
	md_desc_put(&tc.t, d);
	ok(md_lock_frame(&tc.t, base + 1, &d) == 0 && md_desc_is_locked(&tc.t, d),
	   "lock by frame returns the folio locked");
	ok(md_desc_verify(&tc.t, d) == 0, "payload verifies under the lock");
	md_desc_unlock(&tc.t, d);
	md_desc_put(&tc.t, d);
	ok(md_lookup_frame(&tc.t, tc.c->nr_frames, &d) == -EINVAL, "out-of-range frame is -EINVAL");
	md_folio_put(&tc.t, f);
	ok(md_lookup_frame(&tc.t, base, &d) == -ENOENT, "a freed frame has no descriptor");
	tcore_fini(&tc);
}

#define HELD 16

struct walk_arg {
	struct md_core *c;
	unsigned id, churn;
	uint64_t seed, iters;
	uint64_t found, bad, retries;
	int *churners_left;  /* walkers run until every churner is done */
	uint64_t *found_all; /* all walkers' finds (ck_pr): churners run until WALKER_FINDS */
};

#define WALKER_FINDS 1000

static void churn(struct md_thread *t, struct walk_arg *a)
{
	struct md_folio *held[HELD] = {0};
	uint64_t rng = a->seed;

	/* the walkers overlap the churn by construction: it lasts until they found enough */
	for (uint64_t i = 0; i < a->iters || ck_pr_load_64(a->found_all) < WALKER_FINDS; i++) {
		unsigned k = (unsigned)(tap_rand(&rng) % HELD);
		struct md_folio *f;

		if (held[k] != NULL) {
			md_folio_put(t, held[k]);
			held[k] = NULL;
		} else if (md_folio_alloc(t, (unsigned)(tap_rand(&rng) % 3), MD_MT_MOVABLE, &f) ==
			   0) {
			md_folio_lock(t, f);
			md_folio_write(t, f, tap_rand(&rng));
			md_folio_unlock(t, f);
			held[k] = f;
		}
		if (i % 64 == 0)
			md_epoch_poll(t);
	}
	for (unsigned k = 0; k < HELD; k++)
		if (held[k])
			md_folio_put(t, held[k]);
}

static void walk(struct md_thread *t, struct walk_arg *a)
{
	uint64_t rng = a->seed;
	struct md_desc *d;

	for (uint64_t i = 0; ck_pr_load_int(a->churners_left) > 0; i++) {
		uint64_t pfn = tap_rand(&rng) % a->c->nr_frames;

		if (i & 1) {
			if (md_lookup_frame(t, pfn, &d))
				continue;
			a->found++;
			ck_pr_inc_64(a->found_all);
			a->bad += !md_desc_covers(d, pfn); /* postcondition of lookup */
			md_desc_put(t, d);
			continue;
		}
		if (md_lock_frame(t, pfn, &d))
			continue;
		a->found++;
		ck_pr_inc_64(a->found_all);
		a->bad += md_desc_verify(t, d) != 0; /* a read sees the current owner's data */
		md_desc_unlock(t, d);
		md_desc_put(t, d);
	}
}

static void *walk_thread(void *p)
{
	struct walk_arg *a = p;
	struct md_thread t;

	md_thread_init(&t, a->c, a->id);
	if (a->churn) {
		churn(&t, a);
		ck_pr_dec_int(a->churners_left);
	} else {
		walk(&t, a);
	}
	a->retries =
	    t.stats[MD_ST_TRYGET_ZERO] + t.stats[MD_ST_REVALIDATE] + t.stats[MD_ST_LOCK_RECHECK];
	md_thread_fini(&t);
	return NULL;
}

static void test_lookup_vs_free(uint64_t seed)
{
	struct walk_arg a[4];
	struct tcore tc;
	struct tpool p;
	struct md_report r;
	uint64_t found = 0, bad = 0;
	int churners_left = 2;
	uint64_t found_all = 0;

	tcore_init(&tc, 512, 0);
	if (tc.c->cfg.mutant)
		printf("# mutant: %s\n", md_mutant_info(tc.c->cfg.mutant)->name);
	for (unsigned i = 0; i < 4; i++)
		a[i] = (struct walk_arg){tc.c, i + 1, i < 2, seed + i,	     100000,
					 0,    0,     0,     &churners_left, &found_all};
	tpool_run(&p, 4, walk_thread, a, sizeof(a[0]));
	for (unsigned i = 2; i < 4; i++) {
		found += a[i].found;
		bad += a[i].bad;
	}
	ok(found >= WALKER_FINDS, "walkers found %llu live descriptors", (unsigned long long)found);
	ok(bad == 0,
	   "no walker saw a descriptor that does not own its frame or holds foreign data "
	   "(%llu bad, %llu retries)",
	   (unsigned long long)bad, (unsigned long long)(a[2].retries + a[3].retries));
	ok(tcheck(&tc, NULL, NULL, &r) == 0, "checker clean: everything freed, nothing lost");
	ok(md_buddy_nr_free_frames(&tc.t) == tc.c->nr_frames, "all frames free at the end");
	tcore_fini(&tc);
}

int main(int argc, char **argv)
{
	uint64_t seed = tap_init(argc, argv);

	test_single();
	test_lookup_vs_free(seed);
	return tap_done();
}
