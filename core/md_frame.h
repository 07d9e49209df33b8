/* SPDX-License-Identifier: MIT */
/*
 * md_frame.h - the layout of the one word per frame (page->memdesc).
 *
 * This is the only place that knows how a frame word is encoded, so a
 * two-word variant (allocator word + descriptor word) stays cheap to try.
 *
 *   bits 63..4: pointer to a 16-byte aligned descriptor   (tag FOLIO/SLAB/ZPDESC)
 *   bits  3..0: type tag
 *
 *   tag BUDDY: head of a free buddy block; bits 9..4 hold the block's order
 *   tag NONE:  no descriptor: a free frame inside a block, or a frame that
 *              the allocator has handed out but nobody has published yet
 */
#ifndef MD_FRAME_H
#define MD_FRAME_H

#include <stdbool.h>
#include <stdint.h>

enum md_type {
	MD_T_NONE = 0,
	MD_T_BUDDY = 1,
	MD_T_FOLIO = 2,
	MD_T_SLAB = 3,
	MD_T_ZPDESC = 4,
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

#endif
