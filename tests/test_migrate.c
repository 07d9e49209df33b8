// SPDX-License-Identifier: MIT
/*
 * Unit tests: isolation, migration, compaction, contiguous allocation and
 * pins (md_migrate.h), and the races of walkers with them.
 */
#include <errno.h>

#include "md_buddy.h"
#include "md_index.h"
#include "md_migrate.h"
#include "md_walk.h"
#include "testutil.h"

/* A page-cache folio at index @idx (mapping idx / 256): the index holds the only reference. */
static struct md_folio *file_folio(struct md_thread *t, unsigned order, uint64_t idx,
				   uint64_t stamp)
{
	struct md_folio *f;

	if (md_folio_alloc(t, order, MD_MT_MOVABLE, &f))
		return NULL;
	md_folio_lock(t, f);
	md_folio_write(t, f, stamp);
	md_index_insert(t, f, (unsigned)(idx / 256), idx % 256);
	md_folio_unlock(t, f);
	md_folio_put(t, f);
	return f;
}

static int index_intact(struct md_thread *t, uint64_t idx, struct md_folio **where)
{
	struct md_folio *f;
	int ret;

	if (md_index_lock(t, (unsigned)(idx / 256), idx % 256, &f))
		return -ENOENT;
	ret = md_folio_verify(t, f, NULL);
	if (where)
		*where = f;
	md_folio_unlock(t, f);
	md_folio_put(t, f);
	return ret;
}

static void test_migrate_basic(void)
{
	struct tcore tc;
	struct md_report r;
	struct md_folio *f, *g = NULL;
	struct md_desc *d;
	uint64_t old;

	tcore_init(&tc, 1024, 0);
	f = file_folio(&tc.t, 1, 4, 777);
	old = f->d.pfn;
	ok(md_migrate_frame(&tc.t, old + 1) == 0,
	   "migrate an order-1 page-cache folio by its frame");
	ok(index_intact(&tc.t, 5, &g) == 0 && g != f && g->d.pfn != old,
	   "the index now names a new folio on other frames, data intact");
	ok(md_lookup_frame(&tc.t, old, &d) == -ENOENT, "the old frames are free");
	ok(tc.t.stats[MD_ST_MIGRATED] == 1, "one migration counted");
	ok(tcheck(&tc, NULL, NULL, &r) == 0, "checker clean");
	tcore_fini(&tc);
}

static void test_migrate_refused(void)
{
	struct tcore tc;
	struct md_report r;
	struct md_folio *f, *p, *u;
	struct md_desc *d;

	tcore_init(&tc, 1024, 0);
	f = file_folio(&tc.t, 0, 1, 1);
	md_folio_get(&tc.t, f); /* a walker's reference */
	ok(md_migrate_frame(&tc.t, f->d.pfn) == -EAGAIN, "an extra reference: -EAGAIN");
	ok(!(f->d.flags & MD_DF_ISOLATED) && md_ref_count(&tc.t, &f->d) == 2,
	   "put back: not isolated, count unchanged");
	md_folio_put(&tc.t, f);
	md_folio_pin(&tc.t, f->d.pfn, &p);
	ok(md_migrate_frame(&tc.t, f->d.pfn) == -EBUSY, "a pinned folio does not move (-EBUSY)");
	ok(p->d.pfn == f->d.pfn && md_folio_read_lockless(&tc.t, p) == 0, "pinned data in place");
	md_folio_unpin(&tc.t, p);
	md_folio_alloc(&tc.t, 0, MD_MT_UNMOVABLE, &u);
	ok(md_migrate_frame(&tc.t, u->d.pfn) == -EINVAL, "an unmovable folio has no movable ops");
	md_folio_put(&tc.t, u);
	ok(md_lookup_frame(&tc.t, f->d.pfn, &d) == 0 && md_isolate(&tc.t, d) == 0, "isolate once");
	md_ref_get(&tc.t, d);
	ok(md_isolate(&tc.t, d) == -EBUSY, "isolating twice is -EBUSY");
	md_desc_put(&tc.t, d);
	md_putback(&tc.t, d);
	ok(tcheck(&tc, NULL, NULL, &r) == 0, "checker clean");
	tcore_fini(&tc);
}

/* T2 migrates the folio named by @arg (a frame number). */
struct mig {
	struct md_thread t2;
	uint64_t pfn;
	int ret;
};

static void t2_migrate(void *arg)
{
	struct mig *m = arg;

	m->ret = md_migrate_frame(&m->t2, m->pfn);
}

/*
 * Regression: index lookup vs migration.
 *  1. T1 md_index_lookup(0, 3) loads the slot: folio P.
 *  2. T2 migrates P: P is frozen at 0 for good, the slot now names Q.
 *  3. T1's try-get of P fails (tryget_zero); T1 retries and loads Q.
 *  4. T1 returns Q, with P's data.
 */
static void test_index_vs_migrate(void)
{
	struct tcore tc;
	struct md_report r;
	struct mig m;
	struct interleave il = {MD_RP_INDEX_TRYGET, 0, t2_migrate, &m, 0};
	struct md_folio *p, *q = NULL;

	if (!need_race_points("index lookup vs migrate"))
		return;
	tcore_init(&tc, 1024, 0);
	md_thread_init(&m.t2, tc.c, 1);
	p = file_folio(&tc.t, 0, 3, 99);
	m.pfn = p->d.pfn;
	interleave_at(&tc.t, &il);
	ok(md_index_lookup(&tc.t, 0, 3, &q) == 0 && il.fired && m.ret == 0,
	   "T2's migration ran between T1's load and try-get");
	interleave_off(&tc.t);
	ok(q != NULL && q != p && tc.t.stats[MD_ST_TRYGET_ZERO] == 1,
	   "T1's try-get of the frozen source failed once; it returned the destination");
	md_folio_lock(&tc.t, q);
	ok(md_folio_verify(&tc.t, q, NULL) == 0 && q->stamp == 99, "with the data intact");
	md_folio_unlock(&tc.t, q);
	md_folio_put(&tc.t, q);
	md_epoch_barrier(&m.t2);
	ok(tcheck(&tc, NULL, NULL, &r) == 0, "checker clean");
	md_thread_fini(&m.t2);
	tcore_fini(&tc);
}

/*
 * Regression: lookup by frame vs migration.
 *  1. T1 md_lookup_frame(pfn) loads the word: P.
 *  2. T2 migrates P away: the frame is freed.
 *  3. T1's try-get of P fails; T1 reloads the word: no descriptor.
 *  4. T1 returns -ENOENT, holding nothing.
 */
static void test_lookup_vs_migrate(void)
{
	struct tcore tc;
	struct md_report r;
	struct mig m;
	struct interleave il = {MD_RP_LOOKUP_TRYGET, 0, t2_migrate, &m, 0};
	struct md_desc *d;

	if (!need_race_points("lookup vs migrate"))
		return;
	tcore_init(&tc, 1024, 0);
	md_thread_init(&m.t2, tc.c, 1);
	m.pfn = file_folio(&tc.t, 0, 3, 99)->d.pfn;
	interleave_at(&tc.t, &il);
	ok(md_lookup_frame(&tc.t, m.pfn, &d) == -ENOENT && il.fired && m.ret == 0,
	   "the frame T1 was looking at was emptied by the migration: -ENOENT");
	interleave_off(&tc.t);
	ok(index_intact(&tc.t, 3, NULL) == 0, "the folio lives on at its index");
	md_epoch_barrier(&m.t2);
	ok(tcheck(&tc, NULL, NULL, &r) == 0, "checker clean");
	md_thread_fini(&m.t2);
	tcore_fini(&tc);
}

static void test_compact(void)
{
	struct tcore tc;
	struct md_report r;
	struct md_compact_stats st = {0};
	struct md_folio *junk[256];
	int bad = 0;
	unsigned n = 0;

	tcore_init(&tc, 1024, 0);
	/* fill the movable area, then free every other folio: fragmented */
	while (n < 256 && md_folio_alloc(&tc.t, 0, MD_MT_MOVABLE, &junk[n]) == 0)
		n++;
	for (unsigned i = 0; i < 64; i++)
		file_folio(&tc.t, 0, i, 1000 + i);
	for (unsigned i = 0; i < n; i++)
		md_folio_put(&tc.t, junk[i]);
	md_compact(&tc.t, 0, 1000, &st);
	ok(st.migrated > 0, "compaction migrated %llu, isolated %llu, failed %llu",
	   (unsigned long long)st.migrated, (unsigned long long)st.isolated,
	   (unsigned long long)st.failed);
	for (unsigned i = 0; i < 64; i++)
		bad += index_intact(&tc.t, i, NULL) != 0;
	ok(!bad, "every page-cache folio is intact at its index");
	ok(tcheck(&tc, NULL, NULL, &r) == 0, "checker clean");
	tcore_fini(&tc);
}

static void expect_pins(void *arg, const struct md_desc *d, struct md_expect *e)
{
	struct md_folio **pins = arg;

	for (unsigned i = 0; i < 8; i++)
		if (d == &pins[i]->d)
			e->refs = e->pins = 1;
}

static void test_contig(void)
{
	struct tcore tc;
	struct md_report r;
	struct md_folio *big, *pins[8];
	int bad = 0;

	tcore_init(&tc, 1024, 0);
	for (unsigned i = 0; i < 200; i++)
		file_folio(&tc.t, 0, i, 5000 + i);
	ok(md_contig_alloc(&tc.t, 6, &big) == 0 && big->d.order == 6 && big->d.pfn % 64 == 0,
	   "allocate 64 contiguous frames, migrating occupants out");
	for (unsigned i = 0; i < 200; i++)
		bad += index_intact(&tc.t, i, NULL) != 0;
	ok(!bad, "every migrated occupant is intact");
	md_folio_put(&tc.t, big);
	ok(tcheck(&tc, NULL, NULL, &r) == 0, "checker clean");
	tcore_fini(&tc);

	/*
	 * Contiguous allocation vs pins: movable allocations fill from the top,
	 * so 512 order-0 folios cover all 8 candidate 64-frame ranges
	 * (512..1023); a pin in each must make md_contig_alloc() fail cleanly.
	 */
	tcore_init(&tc, 1024, 0);
	for (unsigned i = 0; i < 512; i++)
		bad += file_folio(&tc.t, 0, i, 9000 + i) == NULL;
	for (uint64_t base = 512; base < 1024; base += 64)
		bad += md_folio_pin(&tc.t, base, &pins[(base - 512) / 64]) != 0;
	ok(!bad, "512 page-cache folios, one pinned in each candidate range");
	ok(md_contig_alloc(&tc.t, 6, &big) == -EBUSY, "contig fails with -EBUSY");
	for (unsigned i = 0; i < 512; i++)
		bad += index_intact(&tc.t, i, NULL) != 0;
	for (unsigned i = 0; i < 8; i++)
		bad +=
		    pins[i]->d.pfn != 512 + 64 * i || md_folio_read_lockless(&tc.t, pins[i]) != 0;
	ok(!bad, "nothing lost, pinned folios unmoved and intact");
	ok(tcheck(&tc, expect_pins, pins, &r) == 0, "checker clean, pins balanced");
	for (unsigned i = 0; i < 8; i++)
		md_folio_unpin(&tc.t, pins[i]);
	ok(md_contig_alloc(&tc.t, 6, &big) == 0, "unpinned, the same allocation succeeds");
	md_folio_put(&tc.t, big);
	ok(tcheck(&tc, NULL, NULL, &r) == 0, "checker clean");
	tcore_fini(&tc);
}

/* Owners allocate, write, free page-cache folios while a compactor runs. */
struct cf_arg {
	struct md_core *c;
	unsigned id;
	uint64_t seed, bad, migrated;
	int *owners_left;
	struct cf_arg *compactor;
};

static void *cf_owner(void *p)
{
	struct cf_arg *a = p;
	struct md_thread t;
	uint64_t rng = a->seed;
	struct md_folio *f;

	md_thread_init(&t, a->c, a->id);
	/* run until the compactor has moved folios under us: an event, not a time */
	for (unsigned i = 0; i < 20000 || ck_pr_load_64(&a->compactor->migrated) < 200; i++) {
		uint64_t idx = (a->id - 1) * 128 + tap_rand(&rng) % 128; /* a private range */

		if (md_index_lock(&t, (unsigned)(idx / 256), idx % 256, &f) == 0) {
			a->bad += md_folio_verify(&t, f, NULL) != 0;
			if (tap_rand(&rng) & 1)
				md_index_remove(
				    &t, f); /* truncate: frees it once the compactor lets go */
			else
				md_folio_write(&t, f, tap_rand(&rng));
			md_folio_unlock(&t, f);
			md_folio_put(&t, f);
		} else {
			file_folio(&t, (unsigned)(tap_rand(&rng) % 2), idx & ~1ull, tap_rand(&rng));
		}
		if (i % 64 == 0)
			md_epoch_poll(&t);
	}
	ck_pr_dec_int(a->owners_left);
	md_thread_fini(&t);
	return NULL;
}

static void *cf_compactor(void *p)
{
	struct cf_arg *a = p;
	struct md_thread t;
	struct md_compact_stats st = {0};

	md_thread_init(&t, a->c, a->id);
	while (ck_pr_load_int(a->owners_left) > 0) {
		md_compact(&t, 0, 16, &st);
		ck_pr_store_64(&a->migrated, st.migrated);
	}
	md_thread_fini(&t);
	return NULL;
}

static void *cf_thread(void *p)
{
	struct cf_arg *a = p;

	return a->id == 0 ? cf_compactor(p) : cf_owner(p);
}

static void test_compact_vs_free(uint64_t seed)
{
	struct tcore tc;
	struct md_report r;
	struct cf_arg a[3];
	struct tpool p;
	int owners = 2;

	tcore_init(&tc, 1024, 0);
	for (unsigned i = 0; i < 3; i++)
		a[i] = (struct cf_arg){tc.c, i, seed + i, 0, 0, &owners, &a[0]};
	tpool_run(&p, 3, cf_thread, a, sizeof(a[0]));
	ok(a[0].migrated >= 200, "the compactor migrated %llu folios under the owners' feet",
	   (unsigned long long)a[0].migrated);
	ok(a[1].bad + a[2].bad == 0, "owners always found their data intact");
	ok(tcheck(&tc, NULL, NULL, &r) == 0, "checker clean");
	tcore_fini(&tc);
}

int main(int argc, char **argv)
{
	uint64_t seed = tap_init(argc, argv);

	test_migrate_basic();
	test_migrate_refused();
	test_index_vs_migrate();
	test_lookup_vs_migrate();
	test_compact();
	test_contig();
	test_compact_vs_free(seed);
	return tap_done();
}
