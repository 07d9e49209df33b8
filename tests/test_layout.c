// SPDX-License-Identifier: MIT
/*
 * Unit tests: frame_layout=two, the frame table's two words per frame
 * (md_frame.h): what each word holds, the logical word readers get, and the
 * checker's view of a pair that disagrees.
 */
#include "md_check.h"
#include "md_folio.h"
#include "testutil.h"

/* frame_layout=two (design two-epoch) */
static void two_init(struct tcore *tc)
{
	tcore_init_design(tc, 1024, 0, (unsigned)md_core_design_lookup("two-epoch"), 0);
}

static void test_words(void)
{
	struct tcore tc;
	struct md_folio *f;
	struct md_frames *fr;
	uint64_t pfn;

	two_init(&tc);
	fr = &tc.c->fr;
	md_folio_alloc(&tc.t, 1, MD_MT_MOVABLE, &f);
	pfn = f->d.pfn;
	ok(fr->word[pfn + 1] == MD_T_FOLIO && fr->desc[pfn + 1] == (uint64_t)(uintptr_t)f,
	   "published: the allocator word holds the tag, the descriptor word the address");
	ok(md_frame_load(&tc.t, MD_RP_LOOKUP_LOAD, fr, pfn + 1) == md_word_make(f, MD_T_FOLIO),
	   "a reader gets the logical word, as in the one-word layout");
	md_folio_put(&tc.t, f);
	ok(fr->desc[pfn] == 0 && fr->desc[pfn + 1] == 0 && !md_word_is_desc(fr->word[pfn]),
	   "released: both words cleared");
	tcore_fini(&tc);
}

static void test_check(void)
{
	struct tcore tc;
	struct md_report r;
	struct md_footprint fp;

	two_init(&tc);
	tc.c->fr.desc[5] = 0x1000; /* a free frame with a descriptor address */
	ok(tcheck(&tc, NULL, NULL, &r) == 1 && md_report_count(&r, MD_V_DESC_WORD) == 1,
	   "a descriptor word under an allocator word without a descriptor tag: desc_word");
	tc.c->fr.desc[5] = 0;
	ok(tcheck(&tc, NULL, NULL, &r) == 0, "restored: clean");
	md_core_footprint(tc.c, &fp);
	ok(fp.word_bytes == 16 * 1024, "the table costs 16 bytes a frame (%" PRIu64 " for 1024)",
	   fp.word_bytes);
	tcore_fini(&tc);
}

int main(int argc, char **argv)
{
	tap_init(argc, argv);
	test_words();
	test_check();
	return tap_done();
}
