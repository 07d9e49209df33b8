/* SPDX-License-Identifier: MIT */
/*
 * md_stats.h - per-thread event counters of the core.
 *
 * Counters live in struct md_thread (no sharing, no atomics) and are summed
 * by whoever reports them.  The first group are retry reasons: each marks a
 * race window that was actually hit.  Adding one is one row.
 */
#ifndef MD_STATS_H
#define MD_STATS_H

#include <stdint.h>

/* X(id, "name", "what it counts") */
#define MD_STATS(X)                                                                                \
	X(TRYGET_ZERO, "tryget_zero", "try-get saw a zero (frozen or dying) refcount; retried")    \
	X(REVALIDATE, "revalidate", "word or slot changed after try-get; reference dropped")       \
	X(LOCK_RECHECK, "lock_recheck", "locked descriptor no longer owned the frame; retried")    \
	X(EAGAIN, "eagain", "refcount freeze found unexpected references")                         \
	X(LOCK_CONTENDED, "lock_contended", "descriptor lock was held by someone else")            \
	X(SPLIT, "split", "folios split")                                                          \
	X(MIGRATED, "migrated", "descriptors migrated (folio and zpdesc)")                         \
	X(MIGRATE_FAIL, "migrate_fail", "migrations that failed and were put back")                \
	X(ISOLATE_FAIL, "isolate_fail", "isolations refused (locked, already isolated, dying)")    \
	X(COMPACT_PASS, "compact_pass", "compaction passes")                                       \
	X(CONTIG, "contig", "contiguous allocations that succeeded")                               \
	X(CONTIG_BUSY, "contig_busy", "contiguous allocations that failed cleanly (-EBUSY)")       \
	X(DESC_ALLOC, "desc_alloc", "descriptors allocated")                                       \
	X(DESC_RETIRE, "desc_retire", "descriptors handed to epoch reclamation")                   \
	X(EPOCH_BACKLOG_HWM, "epoch_backlog_hwm", "high-water mark of this thread's pending frees")

enum md_stat {
#define MD_STAT_ENUM(id, name, doc) MD_ST_##id,
	MD_STATS(MD_STAT_ENUM)
#undef MD_STAT_ENUM
	    MD_ST__COUNT
};

/** md_stat_name() - short name of a counter ("tryget_zero"); "?" if out of range. */
const char *md_stat_name(unsigned id);

#endif
