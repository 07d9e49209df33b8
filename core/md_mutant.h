/* SPDX-License-Identifier: MIT */
/*
 * md_mutant.h - seeded bugs, switchable at run time.
 *
 * Each row is a small re-creation of a race that happened in the kernel's
 * memory-management code.  A site tests md_mutant(t, ID); with the mutants
 * meson option off the test is the constant 0 and the mutant code is dead.
 * Adding one is one row here plus the site.
 */
#ifndef MD_MUTANT_H
#define MD_MUTANT_H

#include "md_config.h"
#include "md_thread.h"

/*
 * X(ID, "name", "target", detector, "what it breaks", "kernel commit or report it models")
 * The target is the engine target whose code the bug is seeded in.
 * The detector is what must catch it: the oracles (postconditions, the
 * quiescent checker, md_core_bug), TSan / ASan in their builds, or the
 * fault itself (signal: the engine's fault handler in every build, or a
 * sanitizer's report of the bad access just before it).
 */
#define MD_MUTANTS(X)                                                                              \
	X(TRYGET_PLAIN_INC, "tryget_plain_inc", "core", MD_DET_ASAN,                               \
	  "try-get is a plain increment, not add-unless-zero",                                     \
	  "fa2690af573d (page_ref_add_unless vs frozen pages)")                                    \
	X(GUP_NO_RECHECK, "gup_no_recheck", "core", MD_DET_ORACLE,                                 \
	  "lookup by frame takes a reference but skips the reload check",                          \
	  "c24d37322548 mm/gup: fix try_grab_compound_head() race with split_huge_page()")         \
	X(LOCK_NO_RECHECK, "lock_no_recheck", "core", MD_DET_ORACLE,                               \
	  "lock by frame does not recheck membership after locking",                               \
	  "__filemap_get_folio(FGP_LOCK) folio->mapping recheck")                                  \
	X(UNLOCK_RELAXED, "unlock_relaxed", "core", MD_DET_TSAN,                                   \
	  "descriptor unlock has no release ordering",                                             \
	  "folio_unlock()'s release semantics (clear_bit_unlock)")                                 \
	X(INDEX_NO_RECHECK, "index_no_recheck", "core", MD_DET_ORACLE,                             \
	  "mapping-index lookup does not reload the entry after try-get",                          \
	  "filemap_get_entry()'s xas_reload()")                                                    \
	X(FREE_NO_GRACE, "free_no_grace", "core", MD_DET_ASAN,                                     \
	  "a descriptor is freed at once instead of after an epoch grace period",                  \
	  "SLAB_TYPESAFE_BY_RCU / call_rcu() lifetime of memdescs")                                \
	X(SPLIT_PUBLISH_EARLY, "split_publish_early", "core", MD_DET_ORACLE,                       \
	  "split publishes the new descriptors before they are built and the old one frozen",      \
	  "folio_split() vs folio_try_get(), 2026")                                                \
	X(MIGRATE_NO_FREEZE, "migrate_no_freeze", "core", MD_DET_ASAN,                             \
	  "migration copies without freezing the refcount at the expected value",                  \
	  "folio_migrate_mapping()'s folio_ref_freeze(expected_count)")                            \
	X(MIGRATE_SWITCH_BEFORE_COPY, "migrate_switch_before_copy", "core", MD_DET_ORACLE,         \
	  "frame words and index switch to the destination before the copy completes",             \
	  "__migrate_folio(): folio_mc_copy() before folio_migrate_mapping()")                     \
	X(TRYLOCK_BEFORE_REF, "trylock_before_ref", "core", MD_DET_ASAN,                           \
	  "compaction trylocks a descriptor before it holds a reference",                          \
	  "9df41314390b mm/compaction: do page isolation first in compaction")                     \
	X(ISOLATED_FLAG_NONATOMIC, "isolated_flag_nonatomic", "core", MD_DET_TSAN,                 \
	  "the isolated flag is cleared by a non-atomic RMW of the word holding the lock bit",     \
	  "356ea3865687 (non-atomic __ClearPageIsolated vs lock_page)")                            \
	X(ISOLATE_TWICE, "isolate_twice", "core", MD_DET_ORACLE,                                   \
	  "isolation does not check the isolated flag",                                            \
	  "0eb2df2b5629's class: a page isolated twice")                                           \
	X(ZS_FREE_VS_MIGRATE, "zs_free_vs_migrate", "core", MD_DET_TSAN,                           \
	  "zpdesc free does not exclude a concurrent page migration",                              \
	  "zsmalloc: fix races between asynchronous zspage free and page migration")               \
	X(BUDDY_CHECK_UNLOCKED, "buddy_check_unlocked", "core", MD_DET_ORACLE,                     \
	  "the free scanner takes a frame it saw free without the zone lock",                      \
	  "isolate_freepages_block(): PageBuddy() rechecked under zone->lock")                     \
	X(CONTIG_IGNORE_PIN, "contig_ignore_pin", "core", MD_DET_ORACLE,                           \
	  "contiguous allocation migrates a long-term pinned descriptor",                          \
	  "FOLL_LONGTERM pins vs alloc_contig_range() / CMA")                                      \
	X(GUP_NO_SEQCHECK, "gup_no_seqcheck", "core", MD_DET_ORACLE,                               \
	  "the lockless reader does not retry on its seqcount: a torn read passes",                \
	  "57efa1fe5957 mm/gup: prevent gup_fast from racing with COW during fork")                \
	X(SLAB_DESTROY_UNLOCKED, "slab_destroy_unlocked", "core", MD_DET_ORACLE,                   \
	  "slab cache destroy checks for objects, drops its lock, then takes the slabs",           \
	  "kmem_cache_destroy() vs a concurrent kmem_cache_alloc(): slab_mutex held throughout")   \
	X(ZS_DESTROY_NO_DRAIN, "zs_destroy_no_drain", "core", MD_DET_ASAN,                         \
	  "zpool destroy frees the pool while a migration of one of its pages is in flight",       \
	  "701d678599d0 mm/zsmalloc.c: fix race condition in zs_destroy_pool")                     \
	X(ZS_PUT_IN_DESTRUCTOR, "zs_put_in_destructor", "core", MD_DET_ASAN,                       \
	  "a zpdesc's epoch destructor drops its pool reference: the last one frees the pool at "  \
	  "once",                                                                                  \
	  "found by mdt explore on the correct code; the rule: an RCU callback dropping the last " \
	  "reference defers the free again")                                                       \
	X(INDEX_REINSERT, "index_reinsert", "core", MD_DET_ORACLE,                                 \
	  "a truncated folio may be added to the index again",                                     \
	  "found by mdt explore: __filemap_get_folio()'s folio_contains() assertion relies on a "  \
	  "truncated folio never returning")                                                       \
	X(FRAME_TWO_TORN, "frame_two_torn", "core:two-epoch", MD_DET_SIGNAL,                       \
	  "a two-word frame read takes the allocator word's tag and the descriptor word "          \
	  "unchecked",                                                                             \
	  "1d798ca3f164 mm: make compound_head() robust (PageTail and first_page in two words)")   \
	X(FRAME_TWO_RECHECK_DESC, "frame_two_recheck_desc", "core:two-typesafe", MD_DET_ORACLE,    \
	  "a two-word recheck reads only the descriptor word, not the allocator word",             \
	  "found by mdt bench detect on this project's own code (2026-12-02)")                     \
	X(DCACHE_LINK_OVER_COUNT, "dcache_link_over_count", "core:one-typesafe", MD_DET_ORACLE,    \
	  "the descriptor cache links free objects through their refcount word",                   \
	  "kmem_cache_create_rcu()'s freeptr_offset (struct file under SLAB_TYPESAFE_BY_RCU, "     \
	  "2024)")                                                                                 \
	X(PCP_DRAIN_UNLOCKED, "pcp_drain_unlocked", "core", MD_DET_ORACLE,                         \
	  "draining every thread's frame cache empties other threads' lists without their lock",   \
	  "drain_all_pages() vs the owner's rmqueue_pcplist(): \"mm/page_alloc: protect PCP "      \
	  "lists with a spinlock\" (2022)")                                                        \
	X(PCP_TAG_AFTER_UNLOCK, "pcp_tag_after_unlock", "core", MD_DET_ORACLE,                     \
	  "a frame freed to a thread's cache is marked as cached after the cache lock is dropped", \
	  "free_unref_page() vs a remote drain_all_pages(): a page's pcp state is set under "      \
	  "pcp->lock")

enum md_mutant_id {
	MD_MUT_NONE = 0,
#define MD_MUT_ENUM(id, name, target, det, what, ref) MD_MUT_##id,
	MD_MUTANTS(MD_MUT_ENUM)
#undef MD_MUT_ENUM
	    MD_MUT__COUNT
};

#if MD_MUTANTS_ON
#define md_mutant(t, ID) __builtin_expect((t)->mutant == MD_MUT_##ID, 0)
#else
#define md_mutant(t, ID) 0
#endif

enum md_detector { MD_DET_ORACLE, MD_DET_TSAN, MD_DET_ASAN, MD_DET_SIGNAL };

struct md_mutant_info {
	const char *name;
	const char *target; /* the engine target it is seeded in */
	unsigned detector;  /* enum md_detector */
	const char *what;
	const char *ref;
};

/** md_detector_name() - "oracle", "tsan", "asan", "signal". */
const char *md_detector_name(unsigned det);

/* The core's rows, [0] being "none": the core target's seeded bugs (targets/core.c). */
extern const struct md_mutant_info md_core_mutants[MD_MUT__COUNT];

/** md_mutant_info() - registry row for @id (1..MD_MUT__COUNT-1), or NULL. */
const struct md_mutant_info *md_mutant_info(unsigned id);

/**
 * md_mutant_lookup() - id for @name; "none" and "" give MD_MUT_NONE.
 * Return: id, or -1 for an unknown name.
 */
int md_mutant_lookup(const char *name);

/** md_mutants_compiled() - true when the mutants meson option is on. */
int md_mutants_compiled(void);

#endif
