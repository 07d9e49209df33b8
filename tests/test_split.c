// SPDX-License-Identifier: MIT
/*
 * Unit tests: splitting (md_folio_split), and the races of walkers with it.
 */
#include <errno.h>

#include "md_index.h"
#include "md_walk.h"
#include "testutil.h"

static void expect_caller_refs(void *arg, const struct md_desc *d, struct md_expect *e)
{
	e->refs = 1; /* the test holds one reference on every live folio */
}

static void test_basic(void)
{
	struct tcore tc;
	struct md_report r;
	struct md_folio *f, *kids[4], *x;
	int bad = 0;

	tcore_init(&tc, 1024, 0);
	md_folio_alloc(&tc.t, 2, MD_MT_MOVABLE, &f);
	md_folio_lock(&tc.t, f);
	md_folio_write(&tc.t, f, 12345);
	md_index_insert(&tc.t, f, 0, 8);
	ok(md_folio_split(&tc.t, f, kids) == 0, "split an order-2 folio in the index");
	ok(kids[0] == f && f->d.order == 0 && md_desc_is_locked(&tc.t, &f->d),
	   "the head survives as the first child, order 0, still locked");
	md_folio_unlock(&tc.t, f);
	for (unsigned i = 0; i < 4; i++) {
		md_folio_lock(&tc.t, kids[i]);
		bad += kids[i]->d.pfn != f->d.pfn + i || md_folio_verify(&tc.t, kids[i], NULL) != 0;
		md_folio_unlock(&tc.t, kids[i]);
		bad += md_index_lookup(&tc.t, 0, 8 + i, &x) != 0 || x != kids[i];
		md_folio_put(&tc.t, x);
		bad += md_ref_count(&tc.t, &kids[i]->d) != 2;
	}
	ok(!bad, "each child owns its frame, keeps the parent's data, sits in its index slot, "
		 "and holds 2 references (caller + index)");
	ok(tcheck(&tc, expect_caller_refs, NULL, &r) == 0, "checker clean after the split");
	for (unsigned i = 0; i < 4; i++) {
		md_folio_lock(&tc.t, kids[i]);
		md_index_remove(&tc.t, kids[i]);
		md_folio_unlock(&tc.t, kids[i]);
		md_folio_put(&tc.t, kids[i]);
	}
	ok(tcheck(&tc, NULL, NULL, &r) == 0 && tall_freed(tc.c), "all four freed");
	tcore_fini(&tc);
}

static void test_refused(void)
{
	struct tcore tc;
	struct md_folio *f, *kids[4], *p;

	tcore_init(&tc, 1024, 0);
	md_folio_alloc(&tc.t, 2, MD_MT_MOVABLE, &f);
	md_folio_get(&tc.t, f); /* a walker's reference */
	md_folio_lock(&tc.t, f);
	ok(md_folio_split(&tc.t, f, kids) == -EAGAIN && f->d.order == 2 &&
	       md_ref_count(&tc.t, &f->d) == 2,
	   "an extra reference makes split fail with -EAGAIN and change nothing");
	md_folio_unlock(&tc.t, f);
	md_folio_put(&tc.t, f);
	md_folio_pin(&tc.t, f->d.pfn + 1, &p);
	md_folio_lock(&tc.t, f);
	ok(md_folio_split(&tc.t, f, kids) == -EBUSY, "a pinned folio is not split (-EBUSY)");
	md_folio_unlock(&tc.t, f);
	md_folio_unpin(&tc.t, p);
	md_folio_lock(&tc.t, f);
	ok(md_folio_split(&tc.t, f, kids) == 0, "after unpin the split succeeds");
	md_folio_unlock(&tc.t, f);
	for (unsigned i = 0; i < 4; i++)
		md_folio_put(&tc.t, kids[i]);
	md_folio_alloc(&tc.t, 0, MD_MT_MOVABLE, &f);
	md_folio_lock(&tc.t, f);
	ok(md_folio_split(&tc.t, f, kids) == -EINVAL, "order 0 cannot be split");
	md_folio_unlock(&tc.t, f);
	md_folio_put(&tc.t, f);
	tcore_fini(&tc);
}

/* The race fixture: the folio P of order 2 that T2 splits while T1 is mid-lookup. */
struct race {
	struct tcore tc;
	struct md_thread t2;
	struct md_folio *p, *kids[4];
	int split_ret;
};

static void race_init(struct race *x, int indexed)
{
	tcore_init(&x->tc, 1024, 0);
	x->split_ret = -1; /* the split never ran (the interleaving did not fire) */
	md_thread_init(&x->t2, x->tc.c, 1);
	md_folio_alloc(&x->t2, 2, MD_MT_MOVABLE, &x->p);
	md_folio_lock(&x->t2, x->p);
	if (indexed)
		md_index_insert(&x->t2, x->p, 0, 8);
}

static void t2_split(void *arg)
{
	struct race *x = arg;

	x->split_ret = md_folio_split(&x->t2, x->p, x->kids);
	if (x->split_ret == 0)
		md_folio_unlock(&x->t2, x->kids[0]);
}

static void race_fini(struct race *x)
{
	struct md_report r;

	interleave_off(&x->tc.t);
	for (unsigned i = 0; i < 4 && x->split_ret == 0; i++) {
		md_folio_lock(&x->t2, x->kids[i]);
		md_index_remove(&x->t2, x->kids[i]);
		md_folio_unlock(&x->t2, x->kids[i]);
		md_folio_put(&x->t2, x->kids[i]);
	}
	md_epoch_barrier(&x->t2); /* T2 retired what it freed */
	ok(tcheck(&x->tc, NULL, NULL, &r) == 0, "checker clean after the race");
	md_thread_fini(&x->t2);
	tcore_fini(&x->tc);
}

/*
 * Regression: lookup by frame vs split (GUP vs split_huge_page, c24d37322548).
 *  1. T1 md_lookup_frame(base + 3) loads the word: the order-2 folio P.
 *  2. T2 splits P: P shrinks to order 0 at base, children take base+1..3.
 *  3. T1 try-gets P: it succeeds, P is live; T1 reloads the word: child 3.
 *  4. T1 must drop P and retry, returning child 3, never P.
 */
static void test_lookup_vs_split(void)
{
	struct race x;
	struct interleave il = {MD_RP_LOOKUP_TRYGET, 0, t2_split, &x, 0};
	struct md_desc *d = NULL;
	uint64_t pfn;

	if (!need_race_points("lookup vs split"))
		return;
	race_init(&x, 0);
	pfn = x.p->d.pfn + 3;
	interleave_at(&x.tc.t, &il);
	ok(md_lookup_frame(&x.tc.t, pfn, &d) == 0 && il.fired && x.split_ret == 0,
	   "T2's split ran between T1's load and try-get");
	ok(d != NULL && md_desc_covers(d, pfn) && d == &x.kids[3]->d,
	   "T1's lookup returned child 3, which covers the frame");
	ok(x.tc.t.stats[MD_ST_REVALIDATE] == 1, "the reload caught the change once");
	if (d)
		md_desc_put(&x.tc.t, d);
	race_fini(&x);
}

/*
 * Regression: lock by frame vs split (lock_page() + recheck).
 *  1. T1 md_lock_frame(base + 2) loads the word: P.
 *  2. T2 splits P.
 *  3. T1 try-gets P (live, order 0 now) and takes P's lock.
 *  4. T1's recheck under the lock sees child 2: unlock, put, retry, return child 2 locked.
 */
static void test_lockframe_vs_split(void)
{
	struct race x;
	struct interleave il = {MD_RP_LOOKUP_TRYGET, 0, t2_split, &x, 0};
	struct md_desc *d = NULL;
	uint64_t pfn;

	if (!need_race_points("lock by frame vs split"))
		return;
	race_init(&x, 0);
	pfn = x.p->d.pfn + 2;
	interleave_at(&x.tc.t, &il);
	ok(md_lock_frame(&x.tc.t, pfn, &d) == 0 && il.fired,
	   "T2's split ran inside T1's lock_frame");
	ok(d != NULL && d == &x.kids[2]->d && md_desc_is_locked(&x.tc.t, d) &&
	       md_desc_verify(&x.tc.t, d) == 0,
	   "T1 holds child 2 locked, with the data of frame 2");
	ok(x.tc.t.stats[MD_ST_LOCK_RECHECK] == 1, "the recheck under the lock caught it once");
	if (d) {
		md_desc_unlock(&x.tc.t, d);
		md_desc_put(&x.tc.t, d);
	}
	race_fini(&x);
}

/*
 * Regression: index lookup vs split (filemap_get_entry()'s xas_reload()).
 *  1. T1 md_index_lookup(0, 10) loads the slot: P (order 2 at index 8).
 *  2. T2 splits P: slot 10 now holds child 2.
 *  3. T1 try-gets P (live), reloads the slot: child 2: put, retry.
 *  4. T1 returns child 2, whose index is 10.
 */
static void test_index_vs_split(void)
{
	struct race x;
	struct interleave il = {MD_RP_INDEX_TRYGET, 0, t2_split, &x, 0};
	struct md_folio *f = NULL;

	if (!need_race_points("index lookup vs split"))
		return;
	race_init(&x, 1);
	interleave_at(&x.tc.t, &il);
	ok(md_index_lookup(&x.tc.t, 0, 10, &f) == 0 && il.fired,
	   "T2's split ran inside T1's lookup");
	ok(f == x.kids[2], "T1 got child 2, the folio now at index 10");
	ok(x.tc.t.stats[MD_ST_REVALIDATE] == 1, "the slot reload caught the change once");
	if (f)
		md_folio_put(&x.tc.t, f);
	race_fini(&x);
}

int main(int argc, char **argv)
{
	tap_init(argc, argv);
	test_basic();
	test_refused();
	test_lookup_vs_split();
	test_lockframe_vs_split();
	test_index_vs_split();
	return tap_done();
}
