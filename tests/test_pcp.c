// SPDX-License-Identifier: MIT
/* Unit tests: per-thread frame caches (md_pcp.h). */
#include <errno.h>

#include "md_buddy.h"
#include "md_pcp.h"
#include "testutil.h"

static uint64_t free_frames(struct tcore *tc)
{
	return md_buddy_nr_free_frames(&tc->t) + md_pcp_frames(tc->c);
}

/* A refill brings a batch; a freed frame waits in the cache, tagged, and comes back first. */
static void test_roundtrip(void)
{
	struct tcore tc;
	struct md_report r;
	uint64_t pfn, again;
	unsigned batch;

	tcore_init(&tc, 1024, 0);
	batch = tc.c->cfg.pcp_batch;
	ok(md_buddy_alloc(&tc.t, 0, MD_MT_MOVABLE, &pfn) == 0, "order-0 allocation");
	ok(md_pcp_frames(tc.c) == batch - 1, "the refill left %u frames cached (%llu)", batch - 1,
	   (unsigned long long)md_pcp_frames(tc.c));
	md_buddy_free(&tc.t, pfn, 0);
	ok(md_frame_peek(&tc.c->fr, pfn) == MD_T_PCP, "a freed frame is tagged PCP");
	ok(md_pcp_frames(tc.c) == batch, "and cached");
	ok(tcheck(&tc, NULL, NULL, &r) == 0, "checker clean with frames cached");
	ok(md_buddy_alloc(&tc.t, 0, MD_MT_MOVABLE, &again) == 0 && again == pfn,
	   "the last frame freed is the next one allocated");
	ok(md_frame_peek(&tc.c->fr, pfn) == MD_T_NONE, "an allocated frame's word is NONE");
	md_buddy_free(&tc.t, again, 0);
	tcore_fini(&tc);
}

/* Past pcp_high a batch goes back: a list never holds more than pcp_high frames. */
static void test_spill(void)
{
	struct tcore tc;
	struct md_report r;
	uint64_t pfn[128];
	unsigned n = 100, high, cached;

	tcore_init(&tc, 1024, 0);
	high = tc.c->cfg.pcp_high;
	for (unsigned i = 0; i < n; i++)
		if (md_buddy_alloc(&tc.t, 0, MD_MT_MOVABLE, &pfn[i]))
			n = i;
	for (unsigned i = 0; i < n; i++)
		md_buddy_free(&tc.t, pfn[i], 0);
	cached = md_thread_pcp(&tc.t)->count[MD_MT_MOVABLE];
	ok(cached <= high, "%u frames freed, %u cached (high %u)", n, cached, high);
	ok(free_frames(&tc) == 1024, "buddy + cache hold every frame");
	ok(tcheck(&tc, NULL, NULL, &r) == 0, "checker clean");
	md_pcp_drain(&tc.t);
	ok(md_pcp_frames(tc.c) == 0 && tc.c->nr_free[tc.c->cfg.max_order] == 1024u >> 6,
	   "a drain merges them back into max-order blocks");
	tcore_fini(&tc);
}

/* A frame freed into an isolated pageblock goes to the buddy, where contig can take it. */
static void test_isolated_bypass(void)
{
	struct tcore tc;
	uint64_t pfn;
	uint64_t before;

	tcore_init(&tc, 1024, 0);
	ok(md_buddy_alloc(&tc.t, 0, MD_MT_MOVABLE, &pfn) == 0, "order-0 allocation");
	before = md_pcp_frames(tc.c);
	md_pageblock_set_mt(&tc.t, pfn, MD_MT_ISOLATE);
	md_buddy_free(&tc.t, pfn, 0);
	ok(md_pcp_frames(tc.c) == before, "not cached");
	ok(md_buddy_take(&tc.t, pfn, 0) == 0, "the buddy has it");
	md_pageblock_set_mt(&tc.t, pfn, MD_MT_MOVABLE);
	md_buddy_free(&tc.t, pfn, 0);
	tcore_fini(&tc);
}

/* Another thread's cache: emptied by drain_all, used before the allocator gives up. */
static void test_remote(void)
{
	struct tcore tc;
	struct md_thread t2;
	struct md_report r;
	uint64_t pfn, n = 0;

	tcore_init(&tc, 1024, 0);
	ok(md_thread_init(&t2, tc.c, 1) == 0, "a second thread");
	ok(md_buddy_alloc(&t2, 0, MD_MT_MOVABLE, &pfn) == 0, "it allocates");
	md_buddy_free(&t2, pfn, 0);
	ok(md_thread_pcp(&t2)->count[MD_MT_MOVABLE] == tc.c->cfg.pcp_batch, "and caches %u frames",
	   tc.c->cfg.pcp_batch);
	md_pcp_drain_all(&tc.t);
	ok(md_pcp_frames(tc.c) == 0, "drain_all empties the other thread's cache");
	ok(md_buddy_alloc(&t2, 0, MD_MT_MOVABLE, &pfn) == 0, "it allocates again");
	md_buddy_free(&t2, pfn, 0);
	while (md_buddy_alloc(&tc.t, 0, MD_MT_UNMOVABLE, &pfn) == 0)
		n++;
	ok(n == 1024, "this thread still gets every frame, the other's cached ones too (%llu)",
	   (unsigned long long)n);
	ok(md_buddy_alloc(&tc.t, 0, MD_MT_MOVABLE, &pfn) == -ENOMEM, "then -ENOMEM");
	for (pfn = 0; pfn < 1024; pfn++)
		md_buddy_free(&tc.t, pfn, 0);
	md_thread_fini(&t2);
	ok(tcheck(&tc, NULL, NULL, &r) == 0, "checker clean after a thread went away");
	tcore_fini(&tc);
}

/* The checker's side of the invariant: cached frames are accounted for, and only they. */
static void test_checker(void)
{
	struct tcore tc;
	struct md_report r;
	struct md_pcp *p;
	uint32_t *list;
	uint64_t pfn, other;

	tcore_init(&tc, 1024, 0);
	p = md_thread_pcp(&tc.t);
	list = p->pfn[MD_MT_MOVABLE];
	md_buddy_alloc(&tc.t, 0, MD_MT_MOVABLE, &pfn);
	md_buddy_alloc(&tc.t, 0, MD_MT_MOVABLE, &other);
	md_buddy_free(&tc.t, pfn, 0);
	md_frame_poke(&tc.c->fr, other, MD_T_PCP); /* tagged, on no list */
	ok(tcheck(&tc, NULL, NULL, &r) >= 1 && r.v[0].kind == MD_V_PCP,
	   "a PCP word on a frame in no cache is reported (%s)", md_violation_name(r.v[0].kind));
	md_frame_poke(&tc.c->fr, other, MD_T_NONE);
	list[p->count[MD_MT_MOVABLE]++] = (uint32_t)other;
	ok(tcheck(&tc, NULL, NULL, &r) >= 1 && r.v[0].kind == MD_V_PCP,
	   "a listed frame whose word is not PCP is reported");
	list[p->count[MD_MT_MOVABLE] - 1] = (uint32_t)pfn;
	ok(tcheck(&tc, NULL, NULL, &r) >= 1 && r.v[0].kind == MD_V_FRAME_TWICE,
	   "a frame listed twice is reported");
	p->count[MD_MT_MOVABLE]--;
	md_frame_poke(&tc.c->fr, other, MD_T_PCP);
	list[p->count[MD_MT_MOVABLE]++] = (uint32_t)other;
	ok(tcheck(&tc, NULL, NULL, &r) == 0, "clean once the frame is on the list");
	tcore_fini(&tc);
}

int main(int argc, char **argv)
{
	tap_init(argc, argv); /* no randomness: the seed is printed for the record */
	test_roundtrip();
	test_spill();
	test_isolated_bypass();
	test_remote();
	test_checker();
	return tap_done();
}
