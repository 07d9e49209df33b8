// SPDX-License-Identifier: MIT
/* Unit tests: frame words, descriptor conversions, refcount and lock (md_frame.h, md_desc.h). */
#include "md_folio.h"
#include "md_slab.h"
#include "testutil.h"

static void test_word(void)
{
	static struct md_folio f;
	uint64_t w = md_word_make(&f, MD_T_FOLIO);

	ok(md_word_type(w) == MD_T_FOLIO && md_word_desc(w) == &f,
	   "word round-trips pointer and tag");
	ok(md_word_is_desc(w) && !md_word_is_desc(md_word_buddy(3)) && !md_word_is_desc(MD_T_NONE),
	   "only descriptor tags count as descriptors");
	ok(md_word_buddy_order(md_word_buddy(11)) == 11, "buddy word carries the order");
	ok(sizeof(uint64_t) == 8 && _Alignof(struct md_folio) == MD_DESC_ALIGN &&
	       _Alignof(struct md_slab) == MD_DESC_ALIGN &&
	       _Alignof(struct md_zpdesc) == MD_DESC_ALIGN,
	   "frame word is 8 bytes and descriptors are %u-byte aligned", MD_DESC_ALIGN);
}

static void test_conversions(void)
{
	struct tcore tc;
	struct md_folio *f;
	uint64_t h;
	struct md_desc *d;

	tcore_init(&tc, 1024, 0);
	ok(md_folio_alloc(&tc.t, 2, MD_MT_MOVABLE, &f) == 0, "allocate an order-2 folio");
	d = md_folio_desc(f);
	ok(md_desc_folio(d) == f && md_desc_slab(d) == NULL && md_desc_zpdesc(d) == NULL,
	   "folio converts to folio only");
	ok(md_slab_obj_alloc(&tc.t, &h) == 0, "allocate a slab object");
	d = md_word_desc(md_frame_peek(&tc.c->fr, h / MD_SLAB_OBJS));
	ok(md_desc_slab(d) != NULL && md_desc_folio(d) == NULL, "slab converts to slab only");
	ok(md_desc_folio(NULL) == NULL, "NULL converts to NULL");
	md_slab_obj_free(&tc.t, h);
	md_folio_put(&tc.t, f);
	tcore_fini(&tc);
}

static void test_refcount(void)
{
	struct tcore tc;
	struct md_folio *f;
	struct md_desc *d;
	uint64_t allocated, retired, freed;

	tcore_init(&tc, 1024, 0);
	md_folio_alloc(&tc.t, 0, MD_MT_MOVABLE, &f);
	d = md_folio_desc(f);
	ok(md_ref_count(&tc.t, d) == 1, "a new folio holds one reference");
	md_folio_get(&tc.t, f);
	ok(md_ref_tryget(&tc.t, d, MD_RP_LOOKUP_TRYGET) && md_ref_count(&tc.t, d) == 3,
	   "get and try-get add references");
	ok(!md_ref_freeze(&tc.t, d, 2), "freeze at the wrong count fails");
	ok(md_ref_count(&tc.t, d) == 3, "a failed freeze changes nothing");
	ok(md_ref_freeze(&tc.t, d, 3) && md_ref_count(&tc.t, d) == 0,
	   "freeze at the right count zeroes");
	ok(!md_ref_tryget(&tc.t, d, MD_RP_LOOKUP_TRYGET), "try-get fails while frozen");
	ok(tc.t.stats[MD_ST_TRYGET_ZERO] == 1 && tc.t.stats[MD_ST_EAGAIN] == 1,
	   "tryget_zero and eagain counted once each");
	md_ref_unfreeze(&tc.t, d, 3);
	ok(md_ref_tryget(&tc.t, d, MD_RP_LOOKUP_TRYGET) && md_ref_count(&tc.t, d) == 4,
	   "try-get works after unfreeze");
	ok(!md_ref_put_test(&tc.t, d) && !md_ref_put_test(&tc.t, d) && !md_ref_put_test(&tc.t, d),
	   "puts above one are not the last");
	md_core_desc_counts(tc.c, &allocated, &retired, &freed);
	ok(retired == 0, "nothing retired while referenced");
	md_folio_put(&tc.t, f);
	md_core_desc_counts(tc.c, &allocated, &retired, &freed);
	ok(retired == 1, "the last put retires the descriptor");
	md_epoch_barrier(&tc.t);
	md_core_desc_counts(tc.c, &allocated, &retired, &freed);
	ok(freed == 1, "the barrier frees it");
	tcore_fini(&tc);
}

static void test_lock(void)
{
	struct tcore tc;
	struct md_folio *f;

	tcore_init(&tc, 1024, 0);
	md_folio_alloc(&tc.t, 0, MD_MT_MOVABLE, &f);
	ok(md_folio_trylock(&tc.t, f), "trylock on an unlocked folio succeeds");
	ok(!md_folio_trylock(&tc.t, f), "trylock on a locked folio fails");
	ok(md_desc_is_locked(&tc.t, md_folio_desc(f)), "lock bit is set");
	ck_pr_or_32(&f->d.flags, MD_DF_ISOLATED);
	md_folio_unlock(&tc.t, f);
	ok(!md_desc_is_locked(&tc.t, md_folio_desc(f)) && (f->d.flags & MD_DF_ISOLATED),
	   "unlock clears only the lock bit");
	ck_pr_and_32(&f->d.flags, ~(uint32_t)MD_DF_ISOLATED);
	md_folio_put(&tc.t, f);
	tcore_fini(&tc);
}

/* Two threads hammer try-get/put while a third freezes and unfreezes. */
struct rc_arg {
	struct md_core *c;
	struct md_desc *d;
	unsigned id;
	uint64_t iters, got, froze;
};

static void *rc_worker(void *p)
{
	struct rc_arg *a = p;
	struct md_thread t;

	md_thread_init(&t, a->c, a->id);
	for (uint64_t i = 0; i < a->iters; i++) {
		if (a->id == 0) {
			/* the owner's reference is 1; freeze succeeds only when alone */
			if (md_ref_freeze(&t, a->d, 1)) {
				a->froze++;
				md_ref_unfreeze(&t, a->d, 1);
			}
		} else if (md_ref_tryget(&t, a->d, MD_RP_LOOKUP_TRYGET)) {
			a->got++;
			md_ref_put_test(&t, a->d);
		}
	}
	md_thread_fini(&t);
	return NULL;
}

static void test_refcount_mt(void)
{
	struct tcore tc;
	struct md_folio *f;
	struct rc_arg args[3];
	struct tpool p;

	tcore_init(&tc, 1024, 0);
	md_folio_alloc(&tc.t, 0, MD_MT_MOVABLE, &f);
	for (unsigned i = 0; i < 3; i++)
		args[i] = (struct rc_arg){tc.c, md_folio_desc(f), i, 200000, 0, 0};
	tpool_run(&p, 3, rc_worker, args, sizeof(args[0]));
	ok(md_ref_count(&tc.t, md_folio_desc(f)) == 1,
	   "after %llu freezes and %llu try-gets the count is back to 1",
	   (unsigned long long)args[0].froze, (unsigned long long)(args[1].got + args[2].got));
	md_folio_put(&tc.t, f);
	tcore_fini(&tc);
}

int main(int argc, char **argv)
{
	tap_init(argc, argv);
	test_word();
	test_conversions();
	test_refcount();
	test_lock();
	test_refcount_mt();
	return tap_done();
}
