/* SPDX-License-Identifier: MIT */
/*
 * md_check.h - the quiescent invariant checker (the end-state oracle).
 *
 * At quiescence (no op in flight, every thread's epoch barrier done): every
 * frame is free in exactly one buddy block or one thread's frame cache, or
 * owned by exactly one live descriptor that covers it; free + cached +
 * owned = total; every refcount equals the references still held; no
 * descriptor locked or isolated; every payload is what its owner last wrote; the index and its folios agree; every retired
 * descriptor was freed; nothing leaked.
 */
#ifndef MD_CHECK_H
#define MD_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "md_core.h"

/* X(ID, "name", "meaning") */
#define MD_VIOLATIONS(X)                                                                           \
	X(FRAME_LOST, "frame_lost", "frame neither free nor owned by a descriptor")                \
	X(FRAME_TWICE, "frame_twice", "frame in two free blocks, or both free and owned")          \
	X(FRAME_FOREIGN, "frame_foreign", "frame word names a descriptor that does not cover it")  \
	X(BUDDY_WORD, "buddy_word", "free block head/tail word disagrees with the bitmap")         \
	X(DESC_WORD, "desc_word", "two-word layout: descriptor word and allocator word disagree")  \
	X(NR_FREE, "nr_free", "per-order free count disagrees with the bitmap")                    \
	X(PCP, "pcp",                                                                              \
	  "a frame cache list and the PCP frame words disagree, or a list is over its high mark")  \
	X(FRAME_COUNT, "frame_count", "free + cached + owned frames != total frames")              \
	X(DESC_HOLE, "desc_hole", "a frame of a descriptor's range does not point to it")          \
	X(REFCOUNT, "refcount", "refcount differs from the references still held")                 \
	X(LOCKED, "locked", "descriptor still locked")                                             \
	X(ISOLATED, "isolated", "descriptor still isolated")                                       \
	X(PAYLOAD, "payload", "frame contents differ from what the owner last wrote")              \
	X(SLAB, "slab", "slab object or partial list inconsistent")                                \
	X(PINS, "pins", "pin count differs from the pins still held")                              \
	X(ZPOOL, "zpool", "zpdesc pool handle table, pages or objects inconsistent")               \
	X(INDEX, "index", "index slots and folio mapping/index disagree")                          \
	X(RETIRE, "retire", "retired descriptors not all freed after the barrier")                 \
	X(LEAK, "leak", "allocated - freed descriptors != descriptors reachable from frames")      \
	X(BUG, "bug", "the core caught a broken assertion during the run (md_core_bug)")

enum md_violation_kind {
#define MD_V_ENUM(id, name, doc) MD_V_##id,
	MD_VIOLATIONS(MD_V_ENUM)
#undef MD_V_ENUM
	    MD_V__COUNT
};

struct md_violation {
	unsigned kind;	  /* enum md_violation_kind */
	uint64_t pfn;	  /* frame (or index slot for MD_V_INDEX), UINT64_MAX if none */
	const void *desc; /* descriptor involved, or NULL */
	uint64_t expected;
	uint64_t found;
};

#define MD_REPORT_MAX 64u

struct md_report {
	unsigned n; /* violations found (may exceed MD_REPORT_MAX) */
	struct md_violation v[MD_REPORT_MAX];
};

struct md_expect {
	uint32_t refs; /* references the program holds, pins included */
	uint32_t pins; /* pins the program holds (folios) */
};

/*
 * What the program itself holds on @d: fill @e (zeroed by the caller).  Not
 * counted there: the index's reference and a slab cache's or pool's, which
 * the checker derives.
 */
typedef void md_expect_refs_fn(void *arg, const struct md_desc *d, struct md_expect *e);

/**
 * md_check_quiescent() - check every invariant of @c, filling @r.
 * @refs: what the program holds per descriptor; NULL means nothing.
 * No locks are taken: call only at quiescence.
 * Return: the number of violations (0 = clean).
 */
unsigned md_check_quiescent(struct md_core *c, md_expect_refs_fn *refs, void *arg,
			    struct md_report *r);

struct md_footprint {
	uint64_t frames, owned_frames, free_frames;
	uint64_t descs[MD_T__COUNT]; /* live descriptors per type */
	uint64_t desc_bytes;	     /* their struct sizes */
	uint64_t word_bytes;	     /* frame words */
	uint64_t zone_bytes;	     /* buddy bitmaps + pageblock types */
};

/**
 * md_core_footprint() - metadata the core spends on @c's frames right now:
 * frame words, live descriptors (struct sizes, no allocator overhead) and
 * the zone's bitmaps.  Quiescence only; no locks.
 */
void md_core_footprint(struct md_core *c, struct md_footprint *fp);

/** md_violation_name() - "frame_lost" etc.; "?" if out of range. */
const char *md_violation_name(unsigned kind);

/**
 * md_violation_format() - one line: kind, frame, descriptor, expected/found.
 * Return: as snprintf.
 */
int md_violation_format(const struct md_violation *v, char *buf, size_t len);

/** md_report_count() - how many of @r's recorded violations are of @kind. */
unsigned md_report_count(const struct md_report *r, unsigned kind);

#endif
