// SPDX-License-Identifier: MIT
/* Unit tests: buddy allocator (md_buddy.h). */
#include <errno.h>

#include "md_buddy.h"
#include "testutil.h"

static void test_exhaust_and_merge(uint64_t seed)
{
	struct tcore tc;
	struct md_report r;
	uint64_t pfns[4096], rng = seed;
	unsigned n = 0;

	tcore_init(&tc, 1024, 0);
	while (md_buddy_alloc(&tc.t, 0, (unsigned)(tap_rand(&rng) & 1), &pfns[n]) == 0)
		n++;
	ok(n == 1024, "order-0 allocations exhaust exactly the 1024 frames (%u)", n);
	ok(md_buddy_nr_free_frames(&tc.t) == 0, "no free frames left");
	/* free in a random order: merging must rebuild max-order blocks */
	for (unsigned i = n; i > 1; i--) {
		unsigned j = (unsigned)(tap_rand(&rng) % i);
		uint64_t tmp = pfns[j];

		pfns[j] = pfns[i - 1];
		pfns[i - 1] = tmp;
	}
	for (unsigned i = 0; i < n; i++)
		md_buddy_free(&tc.t, pfns[i], 0);
	md_pcp_drain(&tc.t); /* the last ones freed wait in the thread's frame cache */
	ok(tc.c->nr_free[tc.c->cfg.max_order] == 1024u >> tc.c->cfg.max_order,
	   "random-order frees merge back into %u max-order blocks (%llu)",
	   1024u >> tc.c->cfg.max_order, (unsigned long long)tc.c->nr_free[tc.c->cfg.max_order]);
	ok(tcheck(&tc, NULL, NULL, &r) == 0, "checker clean after merge");
	tcore_fini(&tc);
}

static void test_orders(void)
{
	struct tcore tc;
	struct md_report r;
	uint64_t pfn[7];
	int bad = 0;

	tcore_init(&tc, 1024, 0);
	for (unsigned k = 0; k <= 6; k++) {
		if (md_buddy_alloc(&tc.t, k, MD_MT_MOVABLE, &pfn[k]) || pfn[k] % (1u << k))
			bad++;
	}
	ok(!bad, "every order 0..6 allocates a naturally aligned block");
	ok(md_buddy_alloc(&tc.t, 7, MD_MT_MOVABLE, &pfn[0]) == -EINVAL,
	   "order above max is -EINVAL");
	ok(md_buddy_nr_free_frames(&tc.t) + md_pcp_frames(tc.c) == 1024 - 127,
	   "free count (buddy and frame cache) is 1024 - 127");
	for (unsigned k = 0; k <= 6; k++)
		md_buddy_free(&tc.t, pfn[k], k);
	ok(md_buddy_nr_free_frames(&tc.t) + md_pcp_frames(tc.c) == 1024, "all frames free again");
	ok(tcheck(&tc, NULL, NULL, &r) == 0, "checker clean");
	tcore_fini(&tc);
}

static void test_migratetype(void)
{
	struct tcore tc;
	uint64_t pfn;
	unsigned pbo;

	tcore_init(&tc, 1024, 0);
	pbo = tc.c->cfg.pageblock_order;
	ok(md_buddy_alloc(&tc.t, 0, MD_MT_UNMOVABLE, &pfn) == 0 &&
	       md_pageblock_mt(&tc.t, pfn) == MD_MT_UNMOVABLE,
	   "unmovable allocation lands in an unmovable pageblock (pfn %llu)",
	   (unsigned long long)pfn);
	md_buddy_free(&tc.t, pfn, 0);
	ok(md_buddy_alloc(&tc.t, 0, MD_MT_MOVABLE, &pfn) == 0 &&
	       md_pageblock_mt(&tc.t, pfn) == MD_MT_MOVABLE,
	   "movable allocation lands in a movable pageblock (pfn %llu)", (unsigned long long)pfn);
	md_buddy_free(&tc.t, pfn, 0);
	ok(md_pageblock_mt(&tc.t, 0) == MD_MT_UNMOVABLE &&
	       md_pageblock_mt(&tc.t, 1023) == MD_MT_MOVABLE,
	   "low pageblocks start unmovable, high ones movable (pageblock order %u)", pbo);
	tcore_fini(&tc);
}

static void test_take(void)
{
	struct tcore tc;
	struct md_report r;
	uint64_t pfn;

	tcore_init(&tc, 1024, 0);
	ok(md_buddy_take(&tc.t, 100, 2) == 0, "take frames 100..103 out of a free block");
	ok(md_buddy_take(&tc.t, 100, 0) == -EBUSY, "taking a taken frame is -EBUSY");
	ok(md_buddy_take(&tc.t, 101, 1) == -EINVAL, "misaligned take is -EINVAL");
	ok(md_buddy_nr_free_frames(&tc.t) == 1020, "1020 frames stay free");
	md_buddy_free(&tc.t, 100, 2);
	ok(md_buddy_alloc(&tc.t, 6, MD_MT_MOVABLE, &pfn) == 0, "max-order block available again");
	md_buddy_free(&tc.t, pfn, 6);
	ok(tcheck(&tc, NULL, NULL, &r) == 0, "checker clean");
	tcore_fini(&tc);
}

int main(int argc, char **argv)
{
	uint64_t seed = tap_init(argc, argv);

	test_exhaust_and_merge(seed);
	test_orders();
	test_migratetype();
	test_take();
	return tap_done();
}
