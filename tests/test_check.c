// SPDX-License-Identifier: MIT
/*
 * Unit tests: the quiescent checker (md_check.h).  Each case builds a clean
 * state, corrupts it the way one bug would, and requires the checker to
 * report exactly the expected kinds of violation (a corrupted frame word
 * breaks two views at once, e.g. a lost frame also breaks the frame count),
 * and at the expected frame.
 */
#include "md_buddy.h"
#include "md_folio.h"
#include "md_index.h"
#include "md_slab.h"
#include "testutil.h"

#define K(x) (1u << MD_V_##x)

static unsigned kinds(const struct md_report *r)
{
	unsigned m = 0;

	for (unsigned i = 0; i < r->n && i < MD_REPORT_MAX; i++)
		m |= 1u << r->v[i].kind;
	return m;
}

static int has_pfn(const struct md_report *r, unsigned kind, uint64_t pfn)
{
	for (unsigned i = 0; i < r->n && i < MD_REPORT_MAX; i++)
		if (r->v[i].kind == kind && r->v[i].pfn == pfn)
			return 1;
	return 0;
}

struct fx {
	struct tcore tc;
	struct md_folio *f; /* order-2 folio, held by the test (1 ref) */
	uint64_t h;	    /* a slab object */
	struct md_report r;
};

static void fx_refs(void *arg, const struct md_desc *d, struct md_expect *e)
{
	struct fx *x = arg;

	e->refs = d == &x->f->d ? 1 : 0;
}

static void fx_init(struct fx *x)
{
	tcore_init(&x->tc, 1024, 0);
	md_folio_alloc(&x->tc.t, 2, MD_MT_MOVABLE, &x->f);
	md_slab_obj_alloc(&x->tc.t, &x->h);
}

static unsigned fx_check(struct fx *x)
{
	tcheck(&x->tc, fx_refs, x, &x->r);
	return kinds(&x->r);
}

/* A test that corrupts frame words restores nothing: destroy copes with any words. */
static void fx_fini(struct fx *x)
{
	tcore_fini(&x->tc);
}

static void test_clean(void)
{
	struct fx x;

	fx_init(&x);
	ok(fx_check(&x) == 0 && x.r.n == 0, "clean state: no violation");
	fx_fini(&x);
}

static void test_refcount(void)
{
	struct fx x;

	fx_init(&x);
	md_folio_get(&x.tc.t, x.f); /* a reference nobody accounts for */
	ok(fx_check(&x) == K(REFCOUNT) && has_pfn(&x.r, MD_V_REFCOUNT, x.f->d.pfn),
	   "leaked reference: refcount at the folio");
	ok(x.r.v[0].expected == 1 && x.r.v[0].found == 2, "report says expected 1, found 2");
	md_folio_put(&x.tc.t, x.f);
	fx_fini(&x);
}

static void test_locked_isolated(void)
{
	struct fx x;

	fx_init(&x);
	md_folio_lock(&x.tc.t, x.f);
	ok(fx_check(&x) == K(LOCKED), "lock left held: locked");
	md_folio_unlock(&x.tc.t, x.f);
	ck_pr_or_32(&x.f->d.flags, MD_DF_ISOLATED);
	ok(fx_check(&x) == K(ISOLATED), "isolation left set: isolated");
	fx_fini(&x);
}

static void test_payload(void)
{
	struct fx x;

	fx_init(&x);
	x.tc.c->payload[x.f->d.pfn + 3][5] ^= 1;
	ok(fx_check(&x) == K(PAYLOAD) && has_pfn(&x.r, MD_V_PAYLOAD, x.f->d.pfn + 3),
	   "one flipped bit in a folio frame: payload at that frame");
	x.tc.c->payload[x.f->d.pfn + 3][5] ^= 1;
	x.tc.c->payload[x.h / MD_SLAB_OBJS][x.h % MD_SLAB_OBJS]++;
	ok(fx_check(&x) == K(PAYLOAD) && has_pfn(&x.r, MD_V_PAYLOAD, x.h / MD_SLAB_OBJS),
	   "a slab object overwritten: payload at the slab frame");
	fx_fini(&x);
}

static void test_lost(void)
{
	struct fx x;
	uint64_t pfn;

	fx_init(&x);
	md_buddy_alloc(&x.tc.t, 0, MD_MT_MOVABLE, &pfn); /* taken, never published or freed */
	ok(fx_check(&x) == (K(FRAME_LOST) | K(FRAME_COUNT)) && has_pfn(&x.r, MD_V_FRAME_LOST, pfn),
	   "frame taken and dropped: frame_lost at it, frame_count off by one");
	fx_fini(&x);
}

static void test_twice(void)
{
	struct fx x;
	struct md_core *c;
	uint64_t pfn;

	fx_init(&x);
	c = x.tc.c;
	pfn = x.f->d.pfn;
	/* the folio's first frame also appears as a free order-0 block */
	c->free_map[0][pfn / 64] |= (uint64_t)1 << (pfn % 64);
	c->nr_free[0]++;
	ok(fx_check(&x) == (K(FRAME_TWICE) | K(BUDDY_WORD) | K(FRAME_COUNT)) &&
	       has_pfn(&x.r, MD_V_FRAME_TWICE, pfn),
	   "owned frame also on a free list: frame_twice (+ its word is not a buddy head)");
	c->free_map[0][pfn / 64] &= ~((uint64_t)1 << (pfn % 64));
	c->nr_free[0]--;
	fx_fini(&x);
}

static void test_foreign_and_hole(void)
{
	struct fx x;
	struct md_folio *g;
	struct md_frames *fr;
	uint64_t pfn;

	fx_init(&x);
	md_folio_alloc(&x.tc.t, 0, MD_MT_MOVABLE, &g);
	fr = &x.tc.c->fr;
	pfn = x.f->d.pfn + 1;
	md_frame_poke(fr, pfn, md_word_make(g, MD_T_FOLIO)); /* f's second frame claims to be g's */
	ok(fx_check(&x) == (K(FRAME_FOREIGN) | K(DESC_HOLE) | K(REFCOUNT)) &&
	       has_pfn(&x.r, MD_V_FRAME_FOREIGN, x.f->d.pfn + 1) &&
	       has_pfn(&x.r, MD_V_DESC_HOLE, x.f->d.pfn + 1),
	   "frame word pointing at another folio: frame_foreign and desc_hole at that frame");
	md_frame_poke(fr, pfn, md_word_make(x.f, MD_T_FOLIO));
	md_folio_put(&x.tc.t, g);
	ok(fx_check(&x) == 0, "restored: clean");
	fx_fini(&x);
}

static void test_buddy_words(void)
{
	struct fx x;
	struct md_core *c;
	uint64_t head = 0;

	fx_init(&x);
	c = x.tc.c;
	while (!md_buddy_test(c, 6, head >> 6)) /* a free max-order block */
		head += 64;
	md_frame_poke(&c->fr, head, md_word_buddy(3));
	ok(fx_check(&x) == K(BUDDY_WORD) && has_pfn(&x.r, MD_V_BUDDY_WORD, head),
	   "free head with the wrong order: buddy_word");
	md_frame_poke(&c->fr, head, md_word_buddy(6));
	c->nr_free[5]++;
	ok(fx_check(&x) == K(NR_FREE), "free count off: nr_free");
	fx_fini(&x);
}

static void test_index(void)
{
	struct fx x;
	uint64_t *slot;

	fx_init(&x);
	slot = md_index_slot(x.tc.c, 2, 40);
	*slot = md_word_make(x.f, MD_T_FOLIO); /* the folio believes it is in no index */
	ok(fx_check(&x) == K(INDEX) && has_pfn(&x.r, MD_V_INDEX, 2ull * 256 + 40),
	   "stale index slot: index");
	*slot = 0;
	fx_fini(&x);
}

static void test_slab_list(void)
{
	struct fx x;
	struct md_slab *s;

	fx_init(&x);
	s = md_desc_slab(md_word_desc(md_frame_peek(&x.tc.c->fr, x.h / MD_SLAB_OBJS)));
	s->on_partial = 0; /* still linked, not full */
	ok(fx_check(&x) == K(SLAB), "slab with room but marked off the partial list: slab");
	s->on_partial = 1;
	fx_fini(&x);
}

static void test_accounting(void)
{
	struct fx x;
	struct md_desc *d;

	fx_init(&x);
	md_record(x.tc.t.rec)->desc_retired++;
	ok(fx_check(&x) == K(RETIRE), "retired but never freed: retire");
	md_record(x.tc.t.rec)->desc_retired--;
	md_desc_alloc(&x.tc.t, MD_T_FOLIO, 0, MD_MT_MOVABLE, &d);
	ok(fx_check(&x) == (K(LEAK) | K(FRAME_LOST) | K(FRAME_COUNT)),
	   "descriptor allocated, never published: leak (+ its frame is lost)");
	md_buddy_free(&x.tc.t, d->pfn, 0);
	md_desc_discard(&x.tc.t, d);
	ok(fx_check(&x) == 0, "its frame given back and the descriptor discarded: clean");
	fx_fini(&x);
}

int main(int argc, char **argv)
{
	tap_init(argc, argv);
	test_clean();
	test_refcount();
	test_locked_isolated();
	test_payload();
	test_lost();
	test_twice();
	test_foreign_and_hole();
	test_buddy_words();
	test_index();
	test_slab_list();
	test_accounting();
	return tap_done();
}
