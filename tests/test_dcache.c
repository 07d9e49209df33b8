// SPDX-License-Identifier: MIT
/*
 * Unit tests: desc_free=typesafe, the type-safe descriptor caches
 * (md_dcache.h) and the descriptor rules that go with them (md_desc.c).
 */
#include "md_check.h"
#include "md_epoch.h"
#include "md_folio.h"
#include "testutil.h"

/* desc_free=typesafe (design one-typesafe), @objs objects a cache page (0: as many as fit) */
static void typesafe_init(struct tcore *tc, unsigned objs)
{
	tcore_init_design(tc, 1024, 0, (unsigned)md_core_design_lookup("one-typesafe"), objs);
}

static void test_sizes(void)
{
	ok(sizeof(struct md_desc) == 24 && sizeof(struct md_folio) == 48,
	   "a descriptor header is 24 bytes, a folio 48 (%zu, %zu)", sizeof(struct md_desc),
	   sizeof(struct md_folio));
	ok(sizeof(struct md_desc_hdr) == 32, "desc_free=epoch's header before each is 32 bytes");
}

/* A freed folio's object comes back at once, for another frame, its count 0 until publication. */
static void test_reuse(void)
{
	struct tcore tc;
	struct md_folio *f, *g;
	struct md_desc *d;

	typesafe_init(&tc, 0);
	md_folio_alloc(&tc.t, 0, MD_MT_MOVABLE, &f);
	d = md_folio_desc(f);
	md_folio_put(&tc.t, f);
	ok(md_ref_count(&tc.t, d) == 0 && d->born_ref == MD_BORN_FREE,
	   "a freed object keeps a count of 0 and is marked free");
	ok(!md_ref_tryget(&tc.t, d, MD_RP_LOOKUP_TRYGET), "a stale try-get fails on it");
	d = md_desc_new(&tc.t, MD_T_FOLIO, 5, 0, MD_MT_MOVABLE, 1, 0);
	ok(d == md_folio_desc(f), "the next folio reuses the same object, no grace period");
	ok(md_ref_count(&tc.t, d) == 0 && !md_ref_tryget(&tc.t, d, MD_RP_LOOKUP_TRYGET),
	   "built but unpublished: its count is still 0, a stale try-get still fails");
	md_desc_discard(&tc.t, d);
	md_folio_alloc(&tc.t, 0, MD_MT_MOVABLE, &g);
	ok(g == f && md_ref_count(&tc.t, md_folio_desc(g)) == 1,
	   "published: the count it was built with");
	md_folio_put(&tc.t, g);
	tcore_fini(&tc);
}

static unsigned check(struct tcore *tc)
{
	struct md_report r;

	return tcheck(tc, NULL, NULL, &r);
}

/* Pages of 2 objects: the third folio takes a second page; emptied, it goes after a grace period.
 */
static void test_pages(void)
{
	struct tcore tc;
	struct md_folio *f[4];
	struct md_footprint fp;

	typesafe_init(&tc, 2);
	for (int i = 0; i < 4; i++)
		md_folio_alloc(&tc.t, 0, MD_MT_MOVABLE, &f[i]);
	md_core_footprint(tc.c, &fp);
	ok(tc.c->dcache[MD_T_FOLIO].pages == 2 && fp.desc_bytes == 2 * MD_DCACHE_PAGE,
	   "4 folios in 2 pages; the footprint counts the pages (%" PRIu64 " bytes)",
	   fp.desc_bytes);
	for (int i = 0; i < 4; i++)
		md_folio_put(&tc.t, f[i]);
	ok(tc.c->dcache[MD_T_FOLIO].pages == 2 && md_thread_dcc(&tc.t, MD_T_FOLIO)->n == 4,
	   "freed: on the thread's own list, the pages untouched");
	md_dcache_flush(&tc.t, &tc.c->dcache[MD_T_FOLIO], md_thread_dcc(&tc.t, MD_T_FOLIO));
	ok(tc.c->dcache[MD_T_FOLIO].pages == 1 && md_epoch_backlog(&tc.t) == 1,
	   "flushed, both empty: one kept as the spare, one waits for a grace period");
	ok(check(&tc) == 0 && md_epoch_backlog(&tc.t) == 0,
	   "after the barrier: clean, nothing pending");
	tcore_fini(&tc);
}

/* A thread keeps up to 2 * batch free objects; past that a batch goes back to the pages. */
static void test_thread_list(void)
{
	struct tcore tc;
	struct md_folio *f[40];
	struct md_dcache_cpu *cpu;
	unsigned batch;

	typesafe_init(&tc, 0);
	cpu = md_thread_dcc(&tc.t, MD_T_FOLIO);
	batch = tc.c->dcache[MD_T_FOLIO].batch;
	for (int i = 0; i < 40; i++)
		md_folio_alloc(&tc.t, 0, MD_MT_MOVABLE, &f[i]);
	ok(cpu->n < batch, "allocations take a batch of %u at a time (%u left)", batch, cpu->n);
	for (int i = 0; i < 40; i++)
		md_folio_put(&tc.t, f[i]);
	ok(cpu->n > batch && cpu->n <= 2 * batch, "40 freed: the thread keeps %u (2 x %u at most)",
	   cpu->n, batch);
	md_folio_alloc(&tc.t, 0, MD_MT_MOVABLE, &f[0]);
	ok(md_folio_desc(f[0]) != NULL && f[0] == f[39], "the last one freed comes back first");
	md_folio_put(&tc.t, f[0]);
	ok(check(&tc) == 0, "checker clean");
	tcore_fini(&tc);
}

/* The checker and the core's own assertion see what the cache hides from ASan. */
static void test_double_free(void)
{
	struct tcore tc;
	struct md_folio *f;
	struct md_report r;

	typesafe_init(&tc, 0);
	md_folio_alloc(&tc.t, 0, MD_MT_MOVABLE, &f);
	md_folio_put(&tc.t, f);
	md_desc_free(&tc.t, md_folio_desc(f));
	ok(tcheck(&tc, NULL, NULL, &r) == 1 && md_report_count(&r, MD_V_BUG) == 1,
	   "a descriptor freed twice: the core's assertion, reported as bug");
	tcore_fini(&tc);
}

int main(int argc, char **argv)
{
	tap_init(argc, argv);
	test_thread_list();
	test_sizes();
	test_reuse();
	test_pages();
	test_double_free();
	return tap_done();
}
