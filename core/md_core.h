/* SPDX-License-Identifier: MIT */
/*
 * md_core.h - one instance of the system under test: the frame table, the
 * buddy zone, the epoch domain, the mapping index and the slab cache.
 *
 * Instances are independent (no globals), so the deterministic engine can run
 * every program on a fresh one.  The struct is public for the inline fast
 * paths; fields are owned by the module named beside them.
 *
 * Lock ordering, the one table (outermost first; a thread holding a lock
 * takes only locks below it, never one above):
 *
 *   contig_lock          md_migrate.c   one contiguous allocation at a time
 *     descriptor lock    md_desc.h      (folio_lock) split, migration, isolation,
 *                                       index insert/remove; taken only with a
 *                                       reference held; one at a time, except a
 *                                       migration destination born locked
 *       pool->lock       md_zpool.c     zpdesc isolation/migration and pool ops
 *       index_lock       md_index.c     slot stores (md_split.c, md_migrate.c)
 *         big_lock       md_walk.c      core_lock=global only: frame-word stores
 *       pcp->lock        md_pcp.c       a thread's frame cache: its owner and
 *                                       remote drains (contig, under contig_lock)
 *         zone_lock      md_buddy.c     buddy bitmaps and block words: a leaf
 *   slab_lock            md_slab.c      the slab cache: nothing under it
 *   dcache->lock         md_dcache.c    desc_free=typesafe's caches: a leaf, taken
 *                                       under any of the above (a pthread mutex:
 *                                       the allocator's, no race point)
 *   reg_lock             md_epoch.c     thread registration: nothing under it
 *
 * Walkers take no lock to find a descriptor (load, try-get, reload); the
 * quiescent checker takes none at all (md_check.h).
 */
#ifndef MD_CORE_H
#define MD_CORE_H

#include <stdbool.h>
#include <stdint.h>

#include <ck_epoch.h>

#include "md_atomic.h"
#include "md_dcache.h"
#include "md_desc.h"
#include "md_pcp.h"

#define MD_PAYLOAD_WORDS   8u /* a frame's "contents": 64 bytes */
#define MD_MAX_ORDER_LIMIT 20u
#define MD_MAX_THREADS	   256u

struct md_core_config {
	uint64_t nr_frames;	  /* multiple of 1 << max_order */
	unsigned max_order;	  /* largest buddy block order, <= MD_MAX_ORDER_LIMIT */
	unsigned pageblock_order; /* migratetype granule, <= max_order */
	unsigned movable_pct;	  /* share of pageblocks that start movable, 0..100 */
	unsigned nr_mappings;	  /* mapping-index: mappings ... */
	unsigned mapping_slots;	  /* ... of this many indices each */
	unsigned zs_handles;	  /* handles of the zpdesc pool */
	unsigned mutant;	  /* enum md_mutant_id active in this instance */
	/*
	 * Freed descriptors are kept, flags and refcount poisoned, until the core
	 * is destroyed: a use after free reads the same bytes in every replay
	 * (in a build without ASan, whose own quarantine does this and reports
	 * it).  Only for one OS thread and short runs: the deterministic engine.
	 */
	unsigned quarantine;
	unsigned desc_free;    /* enum md_desc_free */
	unsigned frame_layout; /* enum md_frame_layout */
	unsigned dcache_objs;  /* typesafe: objects per cache page, 0 as many as fit */
	unsigned pcp_high;     /* frames a thread's cache list keeps, 0..MD_PCP_MAX; 0: no caches */
	unsigned pcp_batch;    /* frames a refill or spill moves, 1..pcp_high */
	unsigned dcache_batch; /* typesafe: descriptors a thread's list moves at a time, 0..1024 */
};

/*
 * A thread's epoch record and its frame cache, allocated together by
 * md_thread_init(): both live as long as the core, so a remote drain may
 * reach any cache a record has.
 */
struct md_record {
	struct ck_epoch_record rec; /* first: records[] point here */
	struct md_pcp pcp;
	struct md_dcache_cpu dcc[MD_T__COUNT]; /* desc_free=typesafe: its free descriptors */
	/*
	 * Descriptor accounting for the checker, per record so that threads
	 * do not share a counter's line: allocated and retired by the owner,
	 * freed by whoever runs the record's callbacks (the owner, or a drain
	 * at quiescence).  Plain: the checker sums them at quiescence.
	 */
	uint64_t desc_allocated, desc_retired, desc_freed;
};

static inline struct md_record *md_record(struct ck_epoch_record *r)
{
	return (struct md_record *)(void *)r;
}

static inline struct md_pcp *md_record_pcp(struct ck_epoch_record *r)
{
	return &md_record(r)->pcp;
}

struct md_core {
	struct md_core_config cfg;
	uint64_t nr_frames;
	void *tables;	     /* the one block the tables below point into (md_core.c) */
	struct md_frames fr; /* frame words (md_frame.h) */
	uint64_t (*payload)[MD_PAYLOAD_WORDS]; /* frame contents */

	/* buddy (md_buddy.c), all under zone_lock */
	struct md_spinlock zone_lock;
	uint64_t *free_map[MD_MAX_ORDER_LIMIT + 1]; /* bit i: block i of that order is free */
	uint64_t nr_free[MD_MAX_ORDER_LIMIT + 1];   /* free blocks per order */
	uint8_t *pb_mt;				    /* migratetype per pageblock */
	uint32_t next_serial; /* descriptor serials, handed to threads MD_SERIAL_BATCH at a time */

	/* mapping index (md_index.c): slots written under index_lock, read lock-free */
	struct md_spinlock index_lock;
	uint64_t *index_slots;
	uint8_t *mapping_dead; /* per mapping, under index_lock: destroyed, takes no inserts */

	/* slab cache (md_slab.c), under slab_lock */
	struct md_spinlock slab_lock;
	struct md_slab *slab_partial;
	uint64_t slab_nr;
	uint64_t slab_objs; /* objects allocated */
	uint32_t slab_dead; /* destroyed: allocation fails until it is created again */

	/* contiguous allocation (md_migrate.c): one at a time */
	struct md_spinlock contig_lock;

	/* zsmalloc-like pool (md_zpool.c) */
	struct md_zpool *zpool;

	/* global-lock baseline (core_lock=global) */
	struct md_spinlock big_lock;

	/* epoch domain (md_epoch.c) */
	ck_epoch_t epoch;
	struct md_spinlock reg_lock;
	uint32_t nr_records;
	struct ck_epoch_record *records[MD_MAX_THREADS]; /* each a struct md_record */
	uint8_t rec_idle[MD_MAX_THREADS]; /* given up with frees pending: drained at quiescence */

	/* md_core_bug(): assertions the core found broken during a run (VM_BUG_ON) */
	uint64_t bugs;
	const char *bug_msg; /* the first one; written once by whoever counted 0 -> 1 */
	uint64_t bug_pfn;

	void **quar; /* cfg.quarantine: the allocations freed so far */
	uint64_t nquar, quar_cap;

	/* desc_free=typesafe: a cache per descriptor type (md_dcache.h) */
	struct md_dcache dcache[MD_T__COUNT];
};

/*
 * The designs an instance can be, by name: the frame layout ("one": one word
 * per frame) and how descriptors are freed ("epoch": each after a grace
 * period; "typesafe": reused at once from type-safe caches).  Index 0 is the
 * default; targets/core.c offers each as the target view "core:NAME".
 */
#define MD_CORE_NDESIGNS 4u
extern const char *const md_core_designs[MD_CORE_NDESIGNS];

/** md_core_config_design() - set @cfg's design fields to design @v (< MD_CORE_NDESIGNS). */
void md_core_config_design(struct md_core_config *cfg, unsigned v);

/** md_core_design_lookup() - the index of design @name, or -1. */
int md_core_design_lookup(const char *name);

/**
 * md_core_desc_counts() - descriptors allocated, retired and freed so far,
 * over every thread's record: quiescence only (the checker).
 */
void md_core_desc_counts(const struct md_core *c, uint64_t *allocated, uint64_t *retired,
			 uint64_t *freed);

/** md_thread_pcp() - @t's frame cache, beside its record; NULL when the core has none. */
static inline struct md_pcp *md_thread_pcp(struct md_thread *t)
{
	return t->core->cfg.pcp_high ? md_record_pcp(t->rec) : NULL;
}

/** md_thread_dcc() - @t's own free descriptors of @type, beside its record (desc_free=typesafe). */
static inline struct md_dcache_cpu *md_thread_dcc(struct md_thread *t, unsigned type)
{
	return &md_record(t->rec)->dcc[type];
}

/** md_core_typesafe() - are @c's descriptors reused at once (desc_free=typesafe)? */
static inline bool md_core_typesafe(const struct md_core *c)
{
	return c->cfg.desc_free == MD_DESC_FREE_TYPESAFE;
}

/**
 * md_core_config_default() - 4096 frames, max order 6, pageblocks of 16, 75%
 * movable; frame caches of 32 frames a list, moved 8 at a time; typesafe
 * descriptor lists of up to 32 a thread, moved 16 at a time.
 */
void md_core_config_default(struct md_core_config *cfg);

/**
 * md_core_create() - build a fresh instance: every frame free in max-order blocks.
 * Return: 0; -EINVAL for a bad config; -ENOMEM.
 */
int md_core_create(const struct md_core_config *cfg, struct md_core **out);

/**
 * md_core_destroy() - free the instance and every descriptor still live.
 * Call at quiescence, after md_thread_fini() of every thread.
 */
void md_core_destroy(struct md_core *c);

/**
 * md_core_bug() - the core caught one of its own assertions failing
 * (VM_BUG_ON_FOLIO): count it and keep the first message.  The run goes on;
 * the quiescent checker reports it, drivers treat it as a failure.
 */
void md_core_bug(struct md_thread *t, const struct md_desc *d, const char *msg);

/**
 * md_payload_value() - the value word @j of frame @i (relative to the owner's
 * first frame) holds after its owner wrote @stamp.  Distinct per frame and
 * word so a misplaced copy is caught, not only a missing one; depends on
 * stamp + i only, so a split child covering frame i of its parent keeps the
 * data in place with stamp + i, and a migration copies it unchanged.
 */
static inline uint64_t md_payload_value(uint64_t stamp, uint64_t i, unsigned j)
{
	uint64_t x = (stamp + i) * 0x9e3779b97f4a7c15ull + j + 1;

	x ^= x >> 31;
	return x * 0xbf58476d1ce4e5b9ull;
}

#endif
