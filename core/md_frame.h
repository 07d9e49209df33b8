/* SPDX-License-Identifier: MIT */
/*
 * md_frame.h - the frame table: what a frame's word says (page->memdesc)
 * and how it is stored, in one word per frame or in two.
 *
 * This is the only place that knows how a frame word is encoded and laid
 * out.  Everyone else reads and writes the *logical* word below through
 * md_frame_load() and friends, whatever the layout (md_core_config's
 * frame_layout):
 *
 *   one: the logical word is the frame's one word.
 *   two: an allocator word (the tag, and a free block's order: never a
 *        pointer) and a descriptor word (the descriptor's address, 0 when
 *        none), as in the two-word memdesc proposal.  The logical word is
 *        their combination.  Writers publish the descriptor word, then the
 *        allocator word (both release), and clear in the reverse order.  A
 *        reader loads the allocator word, the descriptor word, then the
 *        allocator word again: the pair is taken only if that word did not
 *        change and the descriptor word was not 0 (the seqcount rule, with
 *        the allocator word as the count; the kernel's compound_head()
 *        tail-bit race is the model).  The descriptor may still belong to a
 *        frame state between the two reads of the allocator word: walkers
 *        revalidate the whole pair after their try-get, as they revalidate
 *        the one word.
 *
 * The logical word:
 *   bits 63..4: pointer to a 16-byte aligned descriptor   (tag FOLIO/SLAB/ZPDESC)
 *   bits  3..0: type tag
 *
 *   tag BUDDY: head of a free buddy block; bits 9..4 hold the block's order
 *   tag PCP:   a free frame held in a thread's frame cache (md_pcp.h)
 *   tag NONE:  no descriptor: a free frame inside a block, or a frame that
 *              the allocator has handed out but nobody has published yet
 */
#ifndef MD_FRAME_H
#define MD_FRAME_H

#include <stdbool.h>
#include <stdint.h>

#include "md_atomic.h"
#include "md_mutant.h"

enum md_type {
	MD_T_NONE = 0,
	MD_T_BUDDY = 1,
	MD_T_FOLIO = 2,
	MD_T_SLAB = 3,
	MD_T_ZPDESC = 4,
	MD_T_PCP = 5, /* a free frame in a thread's frame cache (md_pcp.h) */
	MD_T__COUNT
};

#define MD_TAG_BITS   4u
#define MD_TAG_MASK   ((uint64_t)0xf)
#define MD_DESC_ALIGN 16u

static inline unsigned md_word_type(uint64_t w)
{
	return (unsigned)(w & MD_TAG_MASK);
}

/** md_word_is_desc() - does the word point to a descriptor? */
static inline bool md_word_is_desc(uint64_t w)
{
	unsigned ty = md_word_type(w);

	return ty == MD_T_FOLIO || ty == MD_T_SLAB || ty == MD_T_ZPDESC;
}

static inline void *md_word_desc(uint64_t w)
{
	return (void *)(uintptr_t)(w & ~MD_TAG_MASK);
}

static inline uint64_t md_word_make(const void *desc, unsigned type)
{
	return (uint64_t)(uintptr_t)desc | type;
}

static inline uint64_t md_word_buddy(unsigned order)
{
	return ((uint64_t)order << MD_TAG_BITS) | MD_T_BUDDY;
}

static inline unsigned md_word_buddy_order(uint64_t w)
{
	return (unsigned)((w >> MD_TAG_BITS) & 0x3f);
}

const char *md_type_name(unsigned type);

/* ---- the table ---- */

/* How a core stores its frame words (md_core_config.frame_layout). */
enum md_frame_layout { MD_FRAME_LAYOUT_ONE, MD_FRAME_LAYOUT_TWO };

struct md_frames {
	uint64_t *word; /* one: the logical word; two: the allocator word */
	uint64_t *desc; /* two: the descriptor word; NULL in the one-word layout */
};

/* Two words: what the descriptor word of logical word @w holds (its address, untagged). */
static inline uint64_t md_frame_desc_word(uint64_t w)
{
	return w & ~MD_TAG_MASK;
}

static inline uint64_t md_frame_ld(struct md_thread *t, unsigned rp, const uint64_t *p,
				   bool acquire)
{
	return acquire ? md_load_acquire64(t, rp, p) : md_load_relaxed64(t, rp, p);
}

/* Two words: a consistent pair (see above), retried while a writer is between its stores. */
static inline uint64_t md_frame_load2(struct md_thread *t, unsigned rp, const struct md_frames *fr,
				      uint64_t pfn, bool acquire)
{
	for (;;) {
		/* acquire: pairs with md_frame_publish()'s release of the allocator word */
		uint64_t a = md_frame_ld(t, rp, &fr->word[pfn], acquire), p;

		if (!md_word_is_desc(a))
			return a;
		/* acquire: pairs with the release of the descriptor word */
		p = md_frame_ld(t, rp, &fr->desc[pfn], acquire);
		/*
		 * MUTANT frame_two_torn: correct code reads the allocator word
		 * again and refuses a descriptor word of 0; without it a frame
		 * freed between the two loads reads as a descriptor at address 0
		 * (or the tag of one owner with the address of the next).
		 */
		if (md_mutant(t, FRAME_TWO_TORN))
			return p | md_word_type(a);
		if (p != 0 && md_load_relaxed64(t, rp, &fr->word[pfn]) == a)
			return p | md_word_type(a);
		md_race_spin(t, rp);
	}
}

/**
 * md_frame_load() - frame @pfn's logical word.  Acquire: pairs with
 * md_frame_publish(), so the descriptor it names is seen fully built.
 * @rp names the reader's race point (each load in the table passes it).
 */
static inline uint64_t md_frame_load(struct md_thread *t, unsigned rp, const struct md_frames *fr,
				     uint64_t pfn)
{
	if (fr->desc == NULL)
		return md_load_acquire64(t, rp, &fr->word[pfn]);
	return md_frame_load2(t, rp, fr, pfn, true);
}

/**
 * md_frame_recheck() - does frame @pfn still name the descriptor of @w, a
 * word md_frame_load() gave?  For a walker that holds a reference on it: a
 * reference keeps its frames from changing owner (split, migration and
 * release freeze or drop the count first), so the frame's state now is the
 * answer.  One word: one load.  Two words: the allocator word, then the
 * descriptor word, because a descriptor reused under desc_free=typesafe gets
 * its count before its words are published, so a stale walker can hold a
 * reference while the descriptor word names it and the allocator word does
 * not yet.  Acquire: pairs with md_frame_publish(), like the first load.
 */
static inline bool md_frame_recheck(struct md_thread *t, unsigned rp, const struct md_frames *fr,
				    uint64_t pfn, uint64_t w)
{
	if (fr->desc == NULL)
		return md_load_acquire64(t, rp, &fr->word[pfn]) == w;
	/*
	 * MUTANT frame_two_recheck_desc: correct code rechecks both words; the
	 * descriptor word alone says yes halfway through a publication.
	 */
	if (!md_mutant(t, FRAME_TWO_RECHECK_DESC) &&
	    md_load_acquire64(t, rp, &fr->word[pfn]) != md_word_type(w))
		return false;
	return md_load_acquire64(t, rp, &fr->desc[pfn]) == md_frame_desc_word(w);
}

/**
 * md_frame_load_relaxed() - md_frame_load() without the acquire: for a
 * recheck whose ordering comes from elsewhere (a lock), and for oracles,
 * which must not add edges that would hide a race from TSan.
 */
static inline uint64_t md_frame_load_relaxed(struct md_thread *t, unsigned rp,
					     const struct md_frames *fr, uint64_t pfn)
{
	if (fr->desc == NULL)
		return md_load_relaxed64(t, rp, &fr->word[pfn]);
	return md_frame_load2(t, rp, fr, pfn, false);
}

/**
 * md_frame_publish() - make frame @pfn's logical word @w, a descriptor's.
 * Release: the descriptor's fields and payload before the word (two words:
 * the descriptor word first, then the allocator word).
 */
static inline void md_frame_publish(struct md_thread *t, unsigned rp, struct md_frames *fr,
				    uint64_t pfn, uint64_t w)
{
	if (fr->desc == NULL) {
		md_store_release64(t, rp, &fr->word[pfn], w);
		return;
	}
	md_store_release64(t, rp, &fr->desc[pfn], md_frame_desc_word(w));
	md_store_release64(t, rp, &fr->word[pfn], md_word_type(w));
}

/**
 * md_frame_clear() - frame @pfn no longer names a descriptor (MD_T_NONE).
 * Relaxed: md_desc.c's unpublish says why that is enough.  Two words: the
 * allocator word first, so a reader that saw the descriptor word go 0 also
 * sees its first read of the allocator word change.
 */
static inline void md_frame_clear(struct md_thread *t, unsigned rp, struct md_frames *fr,
				  uint64_t pfn)
{
	md_store_relaxed64(t, rp, &fr->word[pfn], MD_T_NONE);
	if (fr->desc)
		md_store_relaxed64(t, rp, &fr->desc[pfn], 0);
}

/**
 * md_frame_set_free() - the buddy allocator's word for frame @pfn (a
 * BUDDY head or NONE; never a descriptor), release: pairs with the scanners'
 * acquire.  Only the allocator word: the descriptor word is already 0.
 */
static inline void md_frame_set_free(struct md_thread *t, unsigned rp, struct md_frames *fr,
				     uint64_t pfn, uint64_t w)
{
	md_store_release64(t, rp, &fr->word[pfn], w);
}

/** md_frame_peek() - the logical word with plain loads: quiescence only (checker, teardown). */
static inline uint64_t md_frame_peek(const struct md_frames *fr, uint64_t pfn)
{
	uint64_t a = fr->word[pfn];

	if (fr->desc == NULL || !md_word_is_desc(a))
		return a;
	return fr->desc[pfn] | md_word_type(a);
}

/** md_frame_poke() - set the logical word with plain stores: creation and tests only. */
static inline void md_frame_poke(struct md_frames *fr, uint64_t pfn, uint64_t w)
{
	if (fr->desc == NULL) {
		fr->word[pfn] = w;
		return;
	}
	fr->word[pfn] = md_word_is_desc(w) ? md_word_type(w) : w;
	fr->desc[pfn] = md_word_is_desc(w) ? md_frame_desc_word(w) : 0;
}

/** md_frame_bytes() - bytes the table takes per frame: 8 or 16. */
static inline unsigned md_frame_bytes(const struct md_frames *fr)
{
	return fr->desc ? 16u : 8u;
}

#endif
