// SPDX-License-Identifier: MIT
/*
 * core.c - the descriptor core as an engine target: the one registry
 * of the core's operations, for every driver.
 *
 * Programs (explore, the fuzzers, stress --rounds) run on the small instance
 * (16 frames, one 16-slot mapping) so that a handful of ops collide; stress
 * runs the same ops by weight on a large one (--frames, four mappings,
 * handle slots for every worker).  Ops name folios through shared handle
 * slots (a slot holds one reference), long-term pins through pin slots (a
 * pin each), zpool objects and slab objects through object slots (a handle
 * each).  An op borrows a slot's content by taking it out (an atomic
 * exchange) and puts it back when done (a CAS from empty), so a concurrent
 * op on the same slot finds it empty instead of racing on the reference:
 * correct on fibers and on real threads alike.  Walkers start from a raw
 * frame number or index, like the kernel's pfn walkers and page cache
 * lookups.  Every argument is reduced modulo its domain in the instance.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md_buddy.h"
#include "md_check.h"
#include "md_epoch.h"
#include "md_index.h"
#include "md_migrate.h"
#include "md_slab.h"
#include "md_target.h"
#include "md_walk.h"
#include "md_zpool.h"

/* The small instance (programs) */
#define FRAMES	  16
#define MAX_ORDER 3
#define SLOTS	  8
#define PINS	  2
#define ZSLOTS	  4
#define OSLOTS	  4
#define INDICES	  16
#define MAX_KIDS  64 /* splits go up to order 6, the large instance's max_order */
/*
 * Movable folios come from the highest free max-order block, bottom up, so
 * generated frame arguments favour that block (HOT), where the live folios
 * are.
 */
#define HOT (FRAMES - (1u << MAX_ORDER))

/*
 * X(ID, "name", "arg0", max0, hot0, "arg1", max1, default weight, function,
 *   "what it does and checks")
 * Codes are positions: append new ops at the end, so that programs keep
 * their meaning.
 */
#define CORE_OPS(X)                                                                                \
	X(ALLOC, "alloc", "slot", SLOTS - 1, 0, "order", 2, 8, op_alloc,                           \
	  "allocate a movable folio into an empty slot")                                           \
	X(PUT, "put", "slot", SLOTS - 1, 0, NULL, 0, 7, op_put, "drop a slot's folio")             \
	X(WRITE, "write", "slot", SLOTS - 1, 0, NULL, 0, 8, op_write,                              \
	  "lock a slot's folio, check its data is its own, write new data")                        \
	X(FILE, "file", "index", INDICES - 1, 0, "order", 2, 8, op_file,                           \
	  "a page-cache folio: allocate, insert at an index, keep only the index's reference")     \
	X(SPLIT, "split", "slot", SLOTS - 1, 0, NULL, 0, 2, op_split,                              \
	  "split a slot's large folio; the head keeps the slot")                                   \
	X(SPLIT_AT, "split_at", "frame", FRAMES - 1, HOT, NULL, 0, 2, op_split_at,                 \
	  "lock whatever folio owns a frame and split it (deferred split); check the head's data") \
	X(LOOKUP, "lookup", "frame", FRAMES - 1, HOT, NULL, 0, 25, op_lookup,                      \
	  "reference by frame (load, try-get, reload); check it covers the frame")                 \
	X(LOCKFRAME, "lockframe", "frame", FRAMES - 1, HOT, NULL, 0, 12, op_lockframe,             \
	  "lock by frame (reference, lock, recheck); check it owns the frame and its data")        \
	X(GUP, "gup", "frame", FRAMES - 1, HOT, NULL, 0, 10, op_gup,                               \
	  "GUP-fast: reference by frame, seqcount-validated lockless read of the data")            \
	X(INDEX_LOOKUP, "index_lookup", "index", INDICES - 1, 0, NULL, 0, 12, op_index_lookup,     \
	  "lock-free index lookup, then the lock; check the folio covers the index, its data")     \
	X(TRUNCATE, "truncate", "index", INDICES - 1, 0, NULL, 0, 5, op_truncate,                  \
	  "lock the folio at an index and take it out of the index")                               \
	X(MIGRATE, "migrate", "frame", FRAMES - 1, HOT, NULL, 0, 8, op_migrate,                    \
	  "isolate and migrate whatever owns a frame to new frames")                               \
	X(COMPACT, "compact", "frame", FRAMES / 2 - 1, 0, NULL, 0, 1, op_compact,                  \
	  "a compaction pass from a frame: migrate movable descriptors to the top")                \
	X(PIN, "pin", "frame", FRAMES - 1, HOT, "pslot", PINS - 1, 3, op_pin,                      \
	  "long-term pin of the folio owning a frame; check its data")                             \
	X(UNPIN, "unpin", "pslot", PINS - 1, 0, NULL, 0, 3, op_unpin,                              \
	  "check the pinned folio never moved and kept its data; unpin")                           \
	X(CONTIG, "contig", "slot", SLOTS - 1, 0, "order", MAX_ORDER, 1, op_contig,                \
	  "contiguous allocation: evacuate a range, fail cleanly on a pin")                        \
	X(ZS_ALLOC, "zs_alloc", "zslot", ZSLOTS - 1, 0, NULL, 0, 5, op_zs_alloc,                   \
	  "allocate a zpool object")                                                               \
	X(ZS_FREE, "zs_free", "zslot", ZSLOTS - 1, 0, NULL, 0, 5, op_zs_free,                      \
	  "check a zpool object's contents and free it")                                           \
	X(ZS_RW, "zs_rw", "zslot", ZSLOTS - 1, 0, NULL, 0, 6, op_zs_rw,                            \
	  "check a zpool object's contents and write new ones")                                    \
	X(INDEX_INSERT, "index_insert", "slot", SLOTS - 1, 0, "index", INDICES - 1, 4,             \
	  op_index_insert, "lock a slot's folio and insert it in the index")                       \
	X(INDEX_WRITE, "index_write", "index", INDICES - 1, 0, NULL, 0, 6, op_index_write,         \
	  "lock the folio at an index (lookup, lock, recheck), check its data, write new data")    \
	X(SLAB_ALLOC, "slab_alloc", "oslot", OSLOTS - 1, 0, NULL, 0, 5, op_slab_alloc,             \
	  "allocate a slab object")                                                                \
	X(SLAB_FREE, "slab_free", "oslot", OSLOTS - 1, 0, NULL, 0, 5, op_slab_free,                \
	  "check a slab object's contents and free it")                                            \
	X(REREGISTER, "reregister", NULL, 0, 0, NULL, 0, 1, op_reregister,                         \
	  "the thread gives up its epoch record and takes one again (offline, online)")            \
	X(MAPPING_DESTROY, "mapping_destroy", "index", INDICES - 1, 0, NULL, 0, 1,                 \
	  op_mapping_destroy, "evict the mapping holding an index: no inserts, truncate all")      \
	X(MAPPING_CREATE, "mapping_create", "index", INDICES - 1, 0, NULL, 0, 1,                   \
	  op_mapping_create, "the mapping holding an index takes inserts again")                   \
	X(SLAB_DESTROY, "slab_destroy", NULL, 0, 0, NULL, 0, 1, op_slab_destroy,                   \
	  "destroy the slab cache (refused while it holds objects)")                               \
	X(SLAB_CREATE, "slab_create", NULL, 0, 0, NULL, 0, 1, op_slab_create,                      \
	  "create the slab cache again")                                                           \
	X(ZPOOL_DESTROY, "zpool_destroy", NULL, 0, 0, NULL, 0, 1, op_zpool_destroy,                \
	  "destroy the zpool (refused while it holds objects), its pages still migrating")         \
	X(ZPOOL_CREATE, "zpool_create", NULL, 0, 0, NULL, 0, 1, op_zpool_create,                   \
	  "create a zpool when there is none")                                                     \
	X(PCP_DRAIN, "pcp_drain", NULL, 0, 0, NULL, 0, 1, op_pcp_drain,                            \
	  "the thread gives its frame cache back to the buddy (drain_local_pages)")                \
	X(PCP_DRAIN_ALL, "pcp_drain_all", NULL, 0, 0, NULL, 0, 1, op_pcp_drain_all,                \
	  "every thread's frame cache goes back to the buddy (drain_all_pages)")

enum {
#define OP_ENUM(id, name, a0, m0, h0, a1, m1, w, fn, doc) OP_##id,
	CORE_OPS(OP_ENUM)
#undef OP_ENUM
	    OP__COUNT
};

static const struct md_op_desc core_op_desc[] = {
#define OP_DESC(id, name, a0, m0, h0, a1, m1, w, fn, doc)                                          \
	{name, {a0, a1}, {m0, m1}, {h0, 0}, w, doc},
    CORE_OPS(OP_DESC)
#undef OP_DESC
};

static const struct md_op_table core_table = {OP__COUNT, core_op_desc};

struct inst {
	struct md_core *c;
	unsigned n;	     /* threads */
	struct md_thread *t; /* [n] */
	uint64_t *stamp;     /* [n]: what each thread wrote last */
	/*
	 * Slots, 0 when empty: folios (a reference each), pinned folios (a pin
	 * each), zpool and slab handles + 1 (the object each).
	 */
	uint64_t *slot, *pin, *zs, *obj;
	uint64_t *held; /* [nslots + npins]: core_quiesce's sorted copies of slot, pin */
	unsigned nslots, npins, nzs, nobjs;
	int released; /* release() ran: the empty state is checked */
};
/* inst_alloc() puts the threads right after the instance */
_Static_assert(sizeof(struct inst) % _Alignof(struct md_thread) == 0, "md_thread after inst");

/* ---- scale ---- */

static void small_config(struct md_core_config *cfg)
{
	cfg->nr_frames = FRAMES;
	cfg->max_order = MAX_ORDER;
	cfg->pageblock_order = 2;
	cfg->nr_mappings = 1;
	cfg->mapping_slots = INDICES;
	cfg->zs_handles = 16;
	cfg->dcache_objs = 4; /* typesafe: small pages, so programs empty and free some */
	cfg->pcp_high = 2;    /* frame caches that hold a few of the 16 frames */
	cfg->pcp_batch = 1;
	cfg->dcache_batch = 0; /* no descriptors kept per thread: pages of 4 empty and go */
}

/* Stress: @frames, the default mappings of an eighth of them each. */
static void large_config(struct md_core_config *cfg, uint64_t frames)
{
	cfg->nr_frames = frames;
	cfg->mapping_slots = (unsigned)(frames / 8 < 64 ? 64 : frames / 8);
}

/*
 * The instance, its threads and slots in one zeroed block (the engine
 * creates an instance for every run): the small instance's few slots, or
 * 32 of each kind (4 pins) per thread.
 */
static struct inst *inst_alloc(unsigned n, uint64_t size)
{
	unsigned nslots = size ? 32 * n : SLOTS, npins = size ? 4 * n : PINS;
	unsigned nzs = size ? 32 * n : ZSLOTS, nobjs = size ? 32 * n : OSLOTS;
	size_t words = n + 2 * (nslots + npins) + nzs + nobjs;
	struct inst *x = calloc(1, sizeof(*x) + n * sizeof(*x->t) + words * sizeof(uint64_t));

	if (x == NULL)
		return NULL;
	*x = (struct inst){.n = n, .nslots = nslots, .npins = npins, .nzs = nzs, .nobjs = nobjs};
	x->t = (struct md_thread *)(x + 1);
	x->stamp = (uint64_t *)(x->t + n);
	x->slot = x->stamp + n;
	x->pin = x->slot + nslots;
	x->zs = x->pin + npins;
	x->obj = x->zs + nzs;
	x->held = x->obj + nobjs;
	return x;
}

static void inst_free(struct inst *x)
{
	md_core_destroy(x->c);
	free(x); /* and the threads and slots after it */
}

static void *core_create(const struct md_target_cfg *tc)
{
	struct md_core_config cfg;
	struct inst *x = inst_alloc(tc->nthreads, tc->size);

	if (x == NULL)
		return NULL;
	md_core_config_default(&cfg);
	if (tc->size)
		large_config(&cfg, tc->size);
	else
		small_config(&cfg);
	cfg.mutant = tc->mutant;
	cfg.quarantine = (unsigned)tc->replay;
	md_core_config_design(&cfg, tc->design);
	if (md_core_create(&cfg, &x->c))
		goto err;
	for (unsigned i = 0; i < tc->nthreads; i++)
		if (md_thread_init(&x->t[i], x->c, i))
			goto err;
	return x;
err:
	inst_free(x);
	return NULL;
}

static struct md_thread *core_thread(void *inst, unsigned i)
{
	return &((struct inst *)inst)->t[i];
}

/* ---- arguments: each reduced modulo its domain in the instance ---- */

static uint64_t frame_arg(const struct inst *x, uint32_t a)
{
	return a % x->c->nr_frames;
}

/* An index over all mappings: mapping @a / slots, index @a % slots, aligned to @order. */
static void index_arg(const struct inst *x, uint32_t a, unsigned order, unsigned *m, uint64_t *idx)
{
	uint64_t per = x->c->cfg.mapping_slots, i = a % (per * x->c->cfg.nr_mappings);

	*m = (unsigned)(i / per);
	*idx = i % per & ~(((uint64_t)1 << order) - 1);
}

/* ---- slots ---- */

/*
 * Borrow what @sp holds (0 if empty); give it back with give().  A slot hands
 * an object from one logical thread to another, so take is an exchange with
 * acquire and give a CAS from empty with release.  The slots are the
 * program's handles, not the code under test: they pass no race point (the
 * schedules are those of the program's ops), and they are declared to TSan
 * like every ck_pr access.
 */
static uint64_t take(uint64_t *sp)
{
	uint64_t v;

	md_tsan_rmw64(sp);
	v = ck_pr_fas_64(sp, 0);
	ck_pr_fence_acquire(); /* pairs with give()'s release */
	md_tsan_acquire(sp);
	return v;
}

/* Return: true if @v is in the slot; false if somebody refilled it meanwhile. */
static bool give(uint64_t *sp, uint64_t v)
{
	md_tsan_rmw64(sp);
	md_tsan_release(sp);
	ck_pr_fence_release(); /* the object's setup before it is visible in the slot */
	return ck_pr_cas_64(sp, 0, v);
}

/* A hint only (give() decides): do not allocate for a slot that is full. */
static bool slot_full(const uint64_t *sp)
{
	md_tsan_read64(sp);
	return ck_pr_load_64(sp) != 0;
}

static uint64_t *slot_at(struct inst *x, uint32_t a)
{
	return &x->slot[a % x->nslots];
}

static struct md_folio *take_folio(uint64_t *sp)
{
	return (struct md_folio *)(uintptr_t)take(sp);
}

/* Put @f back in its slot, or drop it when the slot was refilled meanwhile. */
static void slot_put(struct md_thread *t, uint64_t *sp, struct md_folio *f)
{
	if (!give(sp, (uint64_t)(uintptr_t)f))
		md_folio_put(t, f);
}

#define FAIL(...) (snprintf(msg, len, __VA_ARGS__), 1)
#define OP_ARGS	  struct inst *x, struct md_thread *t, const struct md_op *o, char *msg, size_t len

/* ---- folios held in slots ---- */

static int op_alloc(OP_ARGS)
{
	uint64_t *sp = slot_at(x, o->a);
	struct md_folio *f;

	if (slot_full(sp) || md_folio_alloc(t, o->b % 3, MD_MT_MOVABLE, &f))
		return 0; /* -ENOMEM is a legal outcome */
	slot_put(t, sp, f);
	return 0;
}

static int op_put(OP_ARGS)
{
	struct md_folio *f = take_folio(slot_at(x, o->a));

	if (f)
		md_folio_put(t, f);
	return 0;
}

static uint64_t next_stamp(struct inst *x, struct md_thread *t)
{
	return (uint64_t)(t->id + 1) << 40 | ++x->stamp[t->id]; /* per thread: no sharing */
}

static int op_write(OP_ARGS)
{
	uint64_t *sp = slot_at(x, o->a);
	struct md_folio *f = take_folio(sp);
	int ret = 0;

	if (f == NULL)
		return 0;
	md_folio_lock(t, f);
	if (md_folio_verify(t, f, NULL))
		ret = FAIL("write: the folio in slot %u lost its data", o->a % x->nslots);
	md_folio_write(t, f, next_stamp(x, t));
	md_folio_unlock(t, f);
	slot_put(t, sp, f);
	return ret;
}

static void put_children(struct md_thread *t, struct md_folio **kids, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		md_folio_put(t, kids[i]);
}

static int op_split(OP_ARGS)
{
	struct md_folio *kids[MAX_KIDS], *f;
	uint64_t *sp = slot_at(x, o->a);
	unsigned n;

	if ((f = take_folio(sp)) == NULL)
		return 0;
	n = 1u << f->d.order;
	md_folio_lock(t, f);
	if (n > 1 && n <= MAX_KIDS && md_folio_split(t, f, kids) == 0)
		put_children(t, kids, n);
	md_folio_unlock(t, f);
	slot_put(t, sp, f);
	return 0;
}

static int op_contig(OP_ARGS)
{
	uint64_t *sp = slot_at(x, o->a);
	struct md_folio *f;

	if (slot_full(sp) || md_contig_alloc(t, o->b % (x->c->cfg.max_order + 1), &f))
		return 0;
	slot_put(t, sp, f);
	return 0;
}

/* ---- walkers: from a frame number ---- */

static int op_split_at(OP_ARGS)
{
	struct md_folio *kids[MAX_KIDS], *f;
	uint64_t pfn = frame_arg(x, o->a);
	struct md_desc *d;
	unsigned n;
	int ret = 0;

	if (md_lock_frame(t, pfn, &d))
		return 0;
	f = md_desc_folio(d);
	n = 1u << d->order;
	if (f && n > 1 && n <= MAX_KIDS && d->mt == MD_MT_MOVABLE &&
	    md_folio_split(t, f, kids) == 0) {
		if (md_folio_verify(t, f, NULL))
			ret =
			    FAIL("split_at(%" PRIu64 "): the head's data is not the parent's", pfn);
		put_children(t, kids, n);
	}
	md_desc_unlock(t, d);
	md_desc_put(t, d);
	return ret;
}

static int op_lookup(OP_ARGS)
{
	uint64_t pfn = frame_arg(x, o->a);
	struct md_desc *d;
	int ret = 0;

	if (md_lookup_frame(t, pfn, &d))
		return 0;
	if (!md_desc_covers(d, pfn))
		ret =
		    FAIL("lookup(%" PRIu64 ") returned a descriptor covering %" PRIu64 "..%" PRIu64,
			 pfn, d->pfn, d->pfn + md_desc_nr(d) - 1);
	md_desc_put(t, d);
	return ret;
}

static int op_lockframe(OP_ARGS)
{
	uint64_t pfn = frame_arg(x, o->a);
	struct md_desc *d;
	int ret = 0;

	if (md_lock_frame(t, pfn, &d))
		return 0;
	if (md_frame_load_relaxed(t, MD_RP_LOCKF_RECHECK, &x->c->fr, pfn) !=
	    md_word_make(d, d->type))
		ret = FAIL("lockframe(%" PRIu64 "): the locked descriptor does not own it", pfn);
	else if (md_desc_verify(t, d))
		ret = FAIL("lockframe(%" PRIu64 "): data is not its owner's", pfn);
	md_desc_unlock(t, d);
	md_desc_put(t, d);
	return ret;
}

static int op_gup(OP_ARGS)
{
	uint64_t pfn = frame_arg(x, o->a);
	struct md_desc *d;
	int ret = 0;

	if (md_lookup_frame(t, pfn, &d))
		return 0;
	if (md_desc_folio(d) && md_folio_read_lockless(t, md_desc_folio(d)))
		ret = FAIL("gup(%" PRIu64 "): a consistent snapshot of foreign data", pfn);
	md_desc_put(t, d);
	return ret;
}

static int op_migrate(OP_ARGS)
{
	md_migrate_frame(t, frame_arg(x, o->a));
	return 0; /* -EAGAIN, -EBUSY, -ENOENT: legal outcomes, counted by the core */
}

static int op_compact(OP_ARGS)
{
	struct md_compact_stats st = {0};

	md_compact(t, o->a % (x->c->nr_frames / 2), 4, &st); /* from the lower half */
	return 0;
}

/*
 * A long-term pin (FOLL_LONGTERM): while it is held the folio must stay where
 * it is, whatever compaction or contiguous allocation want.
 */
static int op_pin(OP_ARGS)
{
	uint64_t *sp = &x->pin[o->b % x->npins], pfn = frame_arg(x, o->a);
	struct md_folio *f;
	int ret = 0;

	if (slot_full(sp) || md_folio_pin(t, pfn, &f))
		return 0;
	if (md_folio_read_lockless(t, f))
		ret = FAIL("pin(%" PRIu64 "): pinned data is not its owner's", pfn);
	if (!give(sp, (uint64_t)(uintptr_t)f))
		md_folio_unpin(t, f);
	return ret;
}

static int op_unpin(OP_ARGS)
{
	struct md_folio *f = take_folio(&x->pin[o->a % x->npins]);
	int ret = 0;

	if (f == NULL)
		return 0;
	if (md_frame_load_relaxed(t, MD_RP_LOOKUP_LOAD, &x->c->fr, f->d.pfn) !=
	    md_word_make(f, MD_T_FOLIO))
		ret = FAIL("unpin: the pinned folio no longer owns frame %" PRIu64, f->d.pfn);
	else if (md_folio_read_lockless(t, f))
		ret = FAIL("unpin: the pinned folio at frame %" PRIu64 " lost its data", f->d.pfn);
	md_folio_unpin(t, f);
	return ret;
}

/* ---- the mapping index ---- */

static int op_file(OP_ARGS)
{
	unsigned order = o->b % 3, m;
	struct md_folio *f;
	uint64_t idx;

	if (md_folio_alloc(t, order, MD_MT_MOVABLE, &f))
		return 0;
	index_arg(x, o->a, order, &m, &idx);
	md_folio_lock(t, f);
	md_index_insert(t, f, m, idx); /* -EEXIST is a legal outcome */
	md_folio_unlock(t, f);
	md_folio_put(t, f); /* freed here if the insert failed */
	return 0;
}

static int op_index_insert(OP_ARGS)
{
	uint64_t *sp = slot_at(x, o->a), idx;
	struct md_folio *f = take_folio(sp);
	unsigned m;

	if (f == NULL)
		return 0;
	index_arg(x, o->b, f->d.order, &m, &idx);
	md_folio_lock(t, f);
	md_index_insert(t, f, m, idx); /* -EEXIST / -EBUSY are legal outcomes */
	md_folio_unlock(t, f);
	slot_put(t, sp, f);
	return 0;
}

/*
 * filemap_get_folio(): a lock-free lookup, then the lock.  Truncation may
 * take the folio out of the index after the lookup, but while we hold our
 * reference nothing can split or move it: if it is still in this mapping it
 * must cover the index we looked up.
 */
static int op_index_lookup(OP_ARGS)
{
	struct md_folio *f;
	unsigned m;
	uint64_t idx;
	int ret = 0;

	index_arg(x, o->a, 0, &m, &idx);
	if (md_index_lookup(t, m, idx, &f))
		return 0;
	md_folio_lock(t, f);
	if (f->mapping == m + 1 && idx - f->index >= md_desc_nr(&f->d))
		ret = FAIL("index_lookup(%" PRIu64 ") returned the folio at index %u..%" PRIu64,
			   idx, f->index, f->index + md_desc_nr(&f->d) - 1);
	else if (md_folio_verify(t, f, NULL))
		ret = FAIL("index_lookup(%" PRIu64 "): data is not its owner's", idx);
	md_folio_unlock(t, f);
	md_folio_put(t, f);
	return ret;
}

static int op_index_write(OP_ARGS)
{
	struct md_folio *f;
	unsigned m;
	uint64_t idx;
	int ret = 0;

	index_arg(x, o->a, 0, &m, &idx);
	if (md_index_lock(t, m, idx, &f))
		return 0;
	if (md_folio_verify(t, f, NULL))
		ret = FAIL("index_write(%" PRIu64 "): data is not its owner's", idx);
	md_folio_write(t, f, next_stamp(x, t));
	md_folio_unlock(t, f);
	md_folio_put(t, f);
	return ret;
}

static int op_truncate(OP_ARGS)
{
	struct md_folio *f;
	unsigned m;
	uint64_t idx;

	index_arg(x, o->a, 0, &m, &idx);
	if (md_index_lock(t, m, idx, &f))
		return 0;
	md_index_remove(t, f);
	md_folio_unlock(t, f);
	md_folio_put(t, f);
	return 0;
}

/* ---- zpool and slab objects in object slots (handle + 1) ---- */

static int op_zs_alloc(OP_ARGS)
{
	uint64_t *sp = &x->zs[o->a % x->nzs];
	uint32_t h;

	if (slot_full(sp) || md_zs_alloc(t, &h))
		return 0; /* -ENOSPC is a legal outcome */
	if (!give(sp, (uint64_t)h + 1))
		md_zs_free(t, h);
	return 0;
}

static int op_zs_free(OP_ARGS)
{
	uint64_t h = take(&x->zs[o->a % x->nzs]);

	if (h == 0)
		return 0;
	if (md_zs_verify(t, (uint32_t)h - 1) || md_zs_free(t, (uint32_t)h - 1))
		return FAIL("zs_free(%u): object %u lost or already gone", o->a % x->nzs,
			    (unsigned)h - 1);
	return 0;
}

static int op_zs_rw(OP_ARGS)
{
	uint64_t *sp = &x->zs[o->a % x->nzs], h = take(sp);
	int ret = 0;

	if (h == 0)
		return 0;
	if (md_zs_verify(t, (uint32_t)h - 1))
		ret = FAIL("zs_rw(%u): object %u does not hold what was written", o->a % x->nzs,
			   (unsigned)h - 1);
	md_zs_write(t, (uint32_t)h - 1, next_stamp(x, t));
	if (!give(sp, h))
		md_zs_free(t, (uint32_t)h - 1);
	return ret;
}

static int op_slab_alloc(OP_ARGS)
{
	uint64_t *sp = &x->obj[o->a % x->nobjs], h;

	if (slot_full(sp) || md_slab_obj_alloc(t, &h))
		return 0; /* -ENOMEM is a legal outcome */
	if (!give(sp, h + 1))
		md_slab_obj_free(t, h);
	return 0;
}

static int op_slab_free(OP_ARGS)
{
	uint64_t h = take(&x->obj[o->a % x->nobjs]);

	if (h == 0)
		return 0;
	if (md_slab_obj_verify(t, h - 1))
		return FAIL("slab_free(%u): object %" PRIu64 " lost its contents", o->a % x->nobjs,
			    h - 1);
	if (md_slab_obj_free(t, h - 1))
		return FAIL("slab_free(%u): object %" PRIu64 " could not be freed", o->a % x->nobjs,
			    h - 1);
	return 0;
}

/* ---- lifecycles: while other threads run ops on what is created and destroyed ---- */

static int op_reregister(OP_ARGS)
{
	md_thread_reregister(t); /* -ENOSPC: the thread keeps its record, a legal outcome */
	return 0;
}

static int op_mapping_destroy(OP_ARGS)
{
	unsigned m;
	uint64_t idx;

	index_arg(x, o->a, 0, &m, &idx);
	md_index_destroy(t, m); /* -ENOENT: already destroyed */
	return 0;
}

static int op_mapping_create(OP_ARGS)
{
	unsigned m;
	uint64_t idx;

	index_arg(x, o->a, 0, &m, &idx);
	md_index_create(t, m);
	return 0;
}

static int op_slab_destroy(OP_ARGS)
{
	md_slab_destroy(t); /* -EBUSY while objects live */
	return 0;
}

static int op_slab_create(OP_ARGS)
{
	md_slab_create(t);
	return 0;
}

static int op_zpool_destroy(OP_ARGS)
{
	md_zpool_destroy(t); /* -EBUSY while objects live */
	return 0;
}

static int op_zpool_create(OP_ARGS)
{
	md_zpool_create(t);
	return 0;
}

static int op_pcp_drain(OP_ARGS)
{
	md_pcp_drain(t);
	return 0;
}

static int op_pcp_drain_all(OP_ARGS)
{
	md_pcp_drain_all(t);
	return 0;
}

static int (*const core_fns[OP__COUNT])(OP_ARGS) = {
#define OP_FN(id, name, a0, m0, h0, a1, m1, w, fn, doc) fn,
    CORE_OPS(OP_FN)
#undef OP_FN
};

static int core_run_op(void *inst, unsigned i, const struct md_op *op, char *msg, size_t len)
{
	struct inst *x = inst;

	return core_fns[op->code](x, &x->t[i], op, msg, len);
}

static void core_between(void *inst, unsigned i)
{
	md_epoch_poll(&((struct inst *)inst)->t[i]); /* run the frees whose grace period passed */
}

/* ---- the invariants ---- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * What the program holds: the folio slots and the pins, sorted, with
 * repeats; and how many of them the checker found on a live descriptor.
 */
struct held {
	uint64_t *refs, *pins;
	size_t nrefs, npins, found;
};

static size_t collect(uint64_t *out, const uint64_t *slots, unsigned n)
{
	size_t k = 0;

	for (unsigned i = 0; i < n; i++)
		if (slots[i])
			out[k++] = slots[i];
	qsort(out, k, sizeof(*out), cmp_u64);
	return k;
}

static uint32_t count_of(const uint64_t *a, size_t n, uint64_t key)
{
	size_t lo = 0, hi = n, first;

	while (lo < hi) { /* lower bound */
		size_t mid = (lo + hi) / 2;

		if (a[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	while (lo < n && a[lo] == key)
		lo++;
	return (uint32_t)(lo - first);
}

static void held_refs(void *arg, const struct md_desc *d, struct md_expect *e)
{
	struct held *h = arg;
	uint64_t key = (uint64_t)(uintptr_t)md_desc_folio((struct md_desc *)d);

	if (key == 0)
		return; /* the program holds folios only */
	e->pins = count_of(h->pins, h->npins, key);
	e->refs = count_of(h->refs, h->nrefs, key) + e->pins; /* a pin holds a reference */
	h->found += e->refs;
}

/* Kind and frame only: pointers differ from run to run, replays must not. */
static int violation_msg(const struct md_report *r, char *msg, size_t len)
{
	if (r->v[0].pfn == UINT64_MAX)
		return FAIL("invariant: %s (%u violations)", md_violation_name(r->v[0].kind), r->n);
	return FAIL("invariant: %s at frame %" PRIu64 " (%u violations)",
		    md_violation_name(r->v[0].kind), r->v[0].pfn, r->n);
}

/* After release(): every frame is free again but the slab cache's one empty slab. */
static int check_empty(struct inst *x, char *msg, size_t len)
{
	uint64_t owned = x->c->nr_frames - md_buddy_nr_free_frames(&x->t[0]) - md_pcp_frames(x->c);

	if (owned == x->c->slab_nr)
		return 0;
	return FAIL("invariant: %" PRIu64 " frames still owned after releasing everything",
		    owned - x->c->slab_nr);
}

static int core_quiesce(void *inst, char *msg, size_t len)
{
	static struct md_report r;
	struct inst *x = inst;
	struct held h = {x->held, x->held + x->nslots, 0, 0, 0};
	unsigned n;

	for (unsigned i = 0; i < x->n; i++)
		md_epoch_barrier(&x->t[i]);
	md_epoch_drain_idle(x->c); /* records threads gave up with frees pending */
	h.nrefs = collect(h.refs, x->slot, x->nslots);
	h.npins = collect(h.pins, x->pin, x->npins);
	n = md_check_quiescent(x->c, held_refs, &h, &r);
	if (n)
		return violation_msg(&r, msg, len);
	/* a reference the program holds on a descriptor no frame names: it was freed */
	if (h.found != h.nrefs + h.npins)
		return FAIL("invariant: held (%zu references on descriptors no frame names)",
			    h.nrefs + h.npins - h.found);
	return x->released ? check_empty(x, msg, len) : 0;
}

static void release_slots(struct md_thread *t, uint64_t *slots, unsigned n,
			  void (*drop)(struct md_thread *, uint64_t))
{
	for (unsigned i = 0; i < n; i++)
		if (slots[i])
			drop(t, slots[i]);
	memset(slots, 0, n * sizeof(*slots));
}

static void drop_folio(struct md_thread *t, uint64_t v)
{
	md_folio_put(t, (struct md_folio *)(uintptr_t)v);
}

static void drop_pin(struct md_thread *t, uint64_t v)
{
	md_folio_unpin(t, (struct md_folio *)(uintptr_t)v);
}

static void drop_zs(struct md_thread *t, uint64_t v)
{
	md_zs_free(t, (uint32_t)v - 1);
}

static void drop_obj(struct md_thread *t, uint64_t v)
{
	md_slab_obj_free(t, v - 1);
}

/* Everything the program holds goes back, and the index is truncated, from thread 0. */
static void core_release(void *inst)
{
	struct inst *x = inst;
	struct md_thread *t = &x->t[0];
	uint64_t slots = (uint64_t)x->c->cfg.nr_mappings * x->c->cfg.mapping_slots;
	struct md_folio *f;

	release_slots(t, x->pin, x->npins, drop_pin);
	release_slots(t, x->slot, x->nslots, drop_folio);
	release_slots(t, x->zs, x->nzs, drop_zs);
	release_slots(t, x->obj, x->nobjs, drop_obj);
	for (uint64_t s = 0; s < slots; s++)
		if (md_index_lock(t, (unsigned)(s / x->c->cfg.mapping_slots),
				  s % x->c->cfg.mapping_slots, &f) == 0) {
			md_index_remove(t, f);
			md_folio_unlock(t, f);
			md_folio_put(t, f);
		}
	x->released = 1;
}

/* The metadata the core spends on its frames now (md_core_footprint). */
static unsigned core_metrics(void *inst, struct md_metric *m, unsigned max)
{
	struct md_footprint fp;
	unsigned n = 0;

	md_core_footprint(((struct inst *)inst)->c, &fp);
#define METRIC(name, v, prec)                                                                      \
	if (n < max)                                                                               \
		m[n++] = (struct md_metric){name, (double)(v), prec};
	METRIC("frames", fp.frames, 0)
	METRIC("owned_frames", fp.owned_frames, 0)
	METRIC("folios", fp.descs[MD_T_FOLIO], 0)
	METRIC("slabs", fp.descs[MD_T_SLAB], 0)
	METRIC("zpdescs", fp.descs[MD_T_ZPDESC], 0)
	METRIC("word_bytes", fp.word_bytes, 0)
	METRIC("desc_bytes", fp.desc_bytes, 0)
	METRIC("zone_bytes", fp.zone_bytes, 0)
	METRIC("bytes_per_frame",
	       (double)(fp.word_bytes + fp.desc_bytes + fp.zone_bytes) / (double)fp.frames, 2)
#undef METRIC
	return n;
}

/*
 * Nothing needs releasing first: md_core_destroy() frees every descriptor a
 * frame word names, the pool and the slab cache with the core.
 */
static void core_destroy(void *inst, int clean)
{
	struct inst *x = inst;

	if (!clean)
		return; /* threads stopped mid-op hold locks and references, or the state is corrupt
			 */
	for (unsigned i = 0; i < x->n; i++)
		md_thread_fini(&x->t[i]);
	inst_free(x);
}

const struct md_target md_target_core = {
    .name = "core",
    .designs = md_core_designs,
    .ndesigns = MD_CORE_NDESIGNS,
    .bugs = md_core_mutants + 1,
    .nbugs = MD_MUT__COUNT - 1,
    .ops = &core_table,
    .create = core_create,
    .thread = core_thread,
    .run_op = core_run_op,
    .between = core_between,
    .quiesce = core_quiesce,
    .release = core_release,
    .metrics = core_metrics,
    .destroy = core_destroy,
};
