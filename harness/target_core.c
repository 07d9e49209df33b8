// SPDX-License-Identifier: MIT
/*
 * target_core.c - the descriptor core as an engine target.
 *
 * A small instance (16 frames, one 16-slot mapping) so that a handful of ops
 * collide.  Programs name folios through 8 shared handle slots; a slot holds
 * one reference.  Long-term pins live in 2 pin slots (each holds a pin) and
 * zpool objects in 4 object slots (each holds a handle).  An op borrows a slot's folio by taking it
 * out of the slot (an atomic exchange) and puts it back when done, so a concurrent op on the same
 * slot finds it empty instead of racing on the reference.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md_check.h"
#include "md_epoch.h"
#include "md_index.h"
#include "md_migrate.h"
#include "md_target.h"
#include "md_walk.h"
#include "md_zpool.h"

#define SLOTS	  8
#define PINS	  2
#define ZSLOTS	  4
#define FRAMES	  16
#define MAX_ORDER 3

struct inst {
	struct md_core *c;
	unsigned n;
	struct md_thread t[MD_PROG_MAX_THREADS];
	struct md_folio *slot[SLOTS];
	struct md_folio *pin[PINS];
	uint32_t zs[ZSLOTS]; /* zpool handle + 1; 0 is empty */
	uint64_t stamp[MD_PROG_MAX_THREADS];
};

/*
 * Movable folios come from the highest free max-order block, bottom up, so
 * generated frame arguments favour that block (HOT), where the live folios
 * are.
 */
#define HOT (FRAMES - (1u << MAX_ORDER))
/* X(ID, "name", "arg0", max0, "arg1", max1) */
#define CORE_OPS(X)                                                                                \
	X(ALLOC, "alloc", "slot", SLOTS - 1, "order", 2)                                           \
	X(PUT, "put", "slot", SLOTS - 1, NULL, 0)                                                  \
	X(WRITE, "write", "slot", SLOTS - 1, NULL, 0)                                              \
	X(FILE, "file", "index", 15, "order", 2)                                                   \
	X(SPLIT, "split", "slot", SLOTS - 1, NULL, 0)                                              \
	X(SPLIT_AT, "split_at", "frame", FRAMES - 1, NULL, 0)                                      \
	X(LOOKUP, "lookup", "frame", FRAMES - 1, NULL, 0)                                          \
	X(LOCKFRAME, "lockframe", "frame", FRAMES - 1, NULL, 0)                                    \
	X(GUP, "gup", "frame", FRAMES - 1, NULL, 0)                                                \
	X(INDEX_LOOKUP, "index_lookup", "index", 15, NULL, 0)                                      \
	X(TRUNCATE, "truncate", "index", 15, NULL, 0)                                              \
	X(MIGRATE, "migrate", "frame", FRAMES - 1, NULL, 0)                                        \
	X(COMPACT, "compact", NULL, 0, NULL, 0)                                                    \
	X(PIN, "pin", "frame", FRAMES - 1, "pslot", PINS - 1)                                      \
	X(UNPIN, "unpin", "pslot", PINS - 1, NULL, 0)                                              \
	X(CONTIG, "contig", "slot", SLOTS - 1, "order", MAX_ORDER)                                 \
	X(ZS_ALLOC, "zs_alloc", "zslot", ZSLOTS - 1, NULL, 0)                                      \
	X(ZS_FREE, "zs_free", "zslot", ZSLOTS - 1, NULL, 0)                                        \
	X(ZS_RW, "zs_rw", "zslot", ZSLOTS - 1, NULL, 0)

enum {
#define OP_ENUM(id, name, a0, m0, a1, m1) OP_##id,
	CORE_OPS(OP_ENUM)
#undef OP_ENUM
	    OP__COUNT
};

static const struct md_op_desc core_op_desc[] = {
#define OP_DESC(id, name, a0, m0, a1, m1)                                                          \
	{name, {a0, a1}, {m0, m1}, {(m0) == FRAMES - 1 ? HOT : 0, 0}},
    CORE_OPS(OP_DESC)
#undef OP_DESC
};

static const struct md_op_table core_table = {OP__COUNT, core_op_desc};

static void *core_create(unsigned nthreads, unsigned mutant)
{
	struct md_core_config cfg;
	struct inst *x = calloc(1, sizeof(*x));

	if (x == NULL)
		return NULL;
	md_core_config_default(&cfg);
	cfg.nr_frames = FRAMES;
	cfg.max_order = MAX_ORDER;
	cfg.pageblock_order = 2;
	cfg.movable_pct = 75;
	cfg.nr_mappings = 1;
	cfg.mapping_slots = 16;
	cfg.zs_handles = 16;
	cfg.mutant = mutant;
	if (md_core_create(&cfg, &x->c))
		goto err;
	x->n = nthreads;
	for (unsigned i = 0; i < nthreads; i++)
		if (md_thread_init(&x->t[i], x->c, i))
			goto err;
	return x;
err:
	md_core_destroy(x->c);
	free(x);
	return NULL;
}

static struct md_thread *core_thread(void *inst, unsigned i)
{
	return &((struct inst *)inst)->t[i];
}

/*
 * Borrow the folio in @slot (NULL if empty); give it back with slot_put().
 * A slot hands a folio from one logical thread to another, so it is a
 * release/acquire pair (declared to TSan like every ck_pr access).  Take is
 * an exchange and put a CAS from empty, so the target is also correct on
 * real threads (stress --rounds); neither has a race point, so schedules
 * are the same as with plain accesses.
 */
static struct md_folio *take(struct md_folio **sp)
{
	struct md_folio *f = ck_pr_fas_ptr(sp, NULL); /* one taker, also on real threads */

	ck_pr_fence_acquire(); /* pairs with give()'s release */
	md_tsan_acquire(sp);
	return f;
}

/* Return: true if @f is in the slot; false if somebody refilled it meanwhile. */
static bool give(struct md_folio **sp, struct md_folio *f)
{
	md_tsan_release(sp);
	ck_pr_fence_release(); /* the folio's setup before it is visible in the slot */
	return ck_pr_cas_ptr(sp, NULL, f);
}

static struct md_folio *slot_take(struct inst *x, unsigned slot)
{
	return take(&x->slot[slot]);
}

static void slot_put(struct inst *x, struct md_thread *t, unsigned slot, struct md_folio *f)
{
	if (!give(&x->slot[slot], f))
		md_folio_put(t, f);
}

/* zpool object slots: the same hand-off for a handle (stored + 1) */
static uint32_t zs_take(struct inst *x, unsigned zslot)
{
	uint32_t h = ck_pr_fas_32(&x->zs[zslot], 0);

	ck_pr_fence_acquire(); /* pairs with zs_give()'s release */
	md_tsan_acquire(&x->zs[zslot]);
	return h;
}

static bool zs_give(struct inst *x, unsigned zslot, uint32_t h)
{
	md_tsan_release(&x->zs[zslot]);
	ck_pr_fence_release(); /* the object's contents before the handle is visible */
	return ck_pr_cas_32(&x->zs[zslot], 0, h);
}

#define FAIL(...) (snprintf(msg, len, __VA_ARGS__), 1)

static int op_alloc(struct inst *x, struct md_thread *t, const struct md_op *o, char *msg,
		    size_t len)
{
	struct md_folio *f;

	if (ck_pr_load_ptr(&x->slot[o->a]) != NULL || md_folio_alloc(t, o->b, MD_MT_MOVABLE, &f))
		return 0;
	slot_put(x, t, o->a, f);
	return 0;
}

static int op_put(struct inst *x, struct md_thread *t, const struct md_op *o, char *msg, size_t len)
{
	struct md_folio *f = slot_take(x, o->a);

	if (f)
		md_folio_put(t, f);
	return 0;
}

static int op_write(struct inst *x, struct md_thread *t, const struct md_op *o, char *msg,
		    size_t len)
{
	struct md_folio *f = slot_take(x, o->a);
	int ret = 0;

	if (f == NULL)
		return 0;
	md_folio_lock(t, f);
	if (md_folio_verify(t, f, NULL))
		ret = FAIL("write: the folio in slot %u lost its data", o->a);
	md_folio_write(t, f, (uint64_t)(t->id + 1) << 40 | ++x->stamp[t->id]); /* per thread */
	md_folio_unlock(t, f);
	slot_put(x, t, o->a, f);
	return ret;
}

static int op_file(struct inst *x, struct md_thread *t, const struct md_op *o, char *msg,
		   size_t len)
{
	struct md_folio *f;

	if (md_folio_alloc(t, o->b, MD_MT_MOVABLE, &f))
		return 0;
	md_folio_lock(t, f);
	md_index_insert(t, f, 0, o->a & ~((1u << o->b) - 1));
	md_folio_unlock(t, f);
	md_folio_put(t, f);
	return 0;
}

static void put_children(struct md_thread *t, struct md_folio **kids, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		md_folio_put(t, kids[i]);
}

static int op_split(struct inst *x, struct md_thread *t, const struct md_op *o, char *msg,
		    size_t len)
{
	struct md_folio *kids[8], *f = slot_take(x, o->a);
	unsigned n;

	if (f == NULL)
		return 0;
	n = 1u << f->d.order;
	md_folio_lock(t, f);
	if (n > 1 && md_folio_split(t, f, kids) == 0)
		put_children(t, kids, n);
	md_folio_unlock(t, f);
	slot_put(x, t, o->a, f);
	return 0;
}

static int op_split_at(struct inst *x, struct md_thread *t, const struct md_op *o, char *msg,
		       size_t len)
{
	struct md_folio *kids[8], *f;
	struct md_desc *d;
	unsigned n;
	int ret = 0;

	if (md_lock_frame(t, o->a, &d))
		return 0;
	f = md_desc_folio(d);
	n = 1u << d->order;
	if (f && n > 1 && d->mt == MD_MT_MOVABLE && md_folio_split(t, f, kids) == 0) {
		if (md_folio_verify(t, f, NULL))
			ret = FAIL("split_at(%u): the head's data is not the parent's", o->a);
		put_children(t, kids, n);
	}
	md_desc_unlock(t, d);
	md_desc_put(t, d);
	return ret;
}

static int op_lookup(struct inst *x, struct md_thread *t, const struct md_op *o, char *msg,
		     size_t len)
{
	struct md_desc *d;
	int ret = 0;

	if (md_lookup_frame(t, o->a, &d))
		return 0;
	if (!md_desc_covers(d, o->a))
		ret = FAIL("lookup(%u) returned a descriptor covering %" PRIu64 "..%" PRIu64, o->a,
			   d->pfn, d->pfn + md_desc_nr(d) - 1);
	md_desc_put(t, d);
	return ret;
}

static int op_lockframe(struct inst *x, struct md_thread *t, const struct md_op *o, char *msg,
			size_t len)
{
	struct md_desc *d;
	int ret = 0;

	if (md_lock_frame(t, o->a, &d))
		return 0;
	if (md_load_relaxed64(t, MD_RP_LOCKF_RECHECK, md_frame_word(x->c, o->a)) !=
	    md_word_make(d, d->type))
		ret = FAIL("lockframe(%u): the locked descriptor does not own it", o->a);
	else if (md_desc_verify(t, d))
		ret = FAIL("lockframe(%u): data is not its owner's", o->a);
	md_desc_unlock(t, d);
	md_desc_put(t, d);
	return ret;
}

static int op_gup(struct inst *x, struct md_thread *t, const struct md_op *o, char *msg, size_t len)
{
	struct md_desc *d;
	int ret = 0;

	if (md_lookup_frame(t, o->a, &d))
		return 0;
	if (md_desc_folio(d) && md_folio_read_lockless(t, md_desc_folio(d)))
		ret = FAIL("gup(%u): a consistent snapshot of foreign data", o->a);
	md_desc_put(t, d);
	return ret;
}

static int op_index_lookup(struct inst *x, struct md_thread *t, const struct md_op *o, char *msg,
			   size_t len)
{
	struct md_folio *f;
	int ret = 0;

	if (md_index_lookup(t, 0, o->a, &f))
		return 0;
	md_folio_lock(t, f);
	/* truncation may remove it after the lookup; nothing may move or split it */
	if (f->mapping == 1 && o->a - f->index >= md_desc_nr(&f->d))
		ret = FAIL("index_lookup(%u) returned the folio at index %u..%" PRIu64, o->a,
			   f->index, f->index + md_desc_nr(&f->d) - 1);
	else if (md_folio_verify(t, f, NULL))
		ret = FAIL("index_lookup(%u): data is not its owner's", o->a);
	md_folio_unlock(t, f);
	md_folio_put(t, f);
	return ret;
}

static int op_truncate(struct inst *x, struct md_thread *t, const struct md_op *o, char *msg,
		       size_t len)
{
	struct md_folio *f;

	if (md_index_lock(t, 0, o->a, &f))
		return 0;
	md_index_remove(t, f);
	md_folio_unlock(t, f);
	md_folio_put(t, f);
	return 0;
}

static int op_migrate(struct inst *x, struct md_thread *t, const struct md_op *o, char *msg,
		      size_t len)
{
	md_migrate_frame(t, o->a);
	return 0;
}

static int op_compact(struct inst *x, struct md_thread *t, const struct md_op *o, char *msg,
		      size_t len)
{
	struct md_compact_stats st = {0};

	md_compact(t, 0, 4, &st);
	return 0;
}

/*
 * A long-term pin (FOLL_LONGTERM): while it is held the folio must stay where
 * it is, whatever compaction or contiguous allocation want.
 */
static int op_pin(struct inst *x, struct md_thread *t, const struct md_op *o, char *msg, size_t len)
{
	struct md_folio *f;
	int ret = 0;

	if (ck_pr_load_ptr(&x->pin[o->b]) != NULL || md_folio_pin(t, o->a, &f))
		return 0;
	if (md_folio_read_lockless(t, f))
		ret = FAIL("pin(%u): pinned data is not its owner's", o->a);
	if (!give(&x->pin[o->b], f))
		md_folio_unpin(t, f);
	return ret;
}

static int op_unpin(struct inst *x, struct md_thread *t, const struct md_op *o, char *msg,
		    size_t len)
{
	struct md_folio *f = take(&x->pin[o->a]);
	int ret = 0;

	if (f == NULL)
		return 0;
	if (md_load_relaxed64(t, MD_RP_LOOKUP_LOAD, md_frame_word(x->c, f->d.pfn)) !=
	    md_word_make(f, MD_T_FOLIO))
		ret = FAIL("unpin: the pinned folio no longer owns frame %" PRIu64, f->d.pfn);
	else if (md_folio_read_lockless(t, f))
		ret = FAIL("unpin: the pinned folio at frame %" PRIu64 " lost its data", f->d.pfn);
	md_folio_unpin(t, f);
	return ret;
}

static int op_contig(struct inst *x, struct md_thread *t, const struct md_op *o, char *msg,
		     size_t len)
{
	struct md_folio *f;

	if (ck_pr_load_ptr(&x->slot[o->a]) != NULL || md_contig_alloc(t, o->b, &f))
		return 0;
	slot_put(x, t, o->a, f);
	return 0;
}

static int op_zs_alloc(struct inst *x, struct md_thread *t, const struct md_op *o, char *msg,
		       size_t len)
{
	uint32_t h;

	if (ck_pr_load_32(&x->zs[o->a]) != 0 || md_zs_alloc(t, &h))
		return 0;
	if (!zs_give(x, o->a, h + 1))
		md_zs_free(t, h);
	return 0;
}

static int op_zs_free(struct inst *x, struct md_thread *t, const struct md_op *o, char *msg,
		      size_t len)
{
	uint32_t h = zs_take(x, o->a);

	if (h == 0)
		return 0;
	if (md_zs_verify(t, h - 1) || md_zs_free(t, h - 1))
		return FAIL("zs_free(%u): object %u lost or already gone", o->a, h - 1);
	return 0;
}

static int op_zs_rw(struct inst *x, struct md_thread *t, const struct md_op *o, char *msg,
		    size_t len)
{
	uint32_t h = zs_take(x, o->a);
	int ret = 0;

	if (h == 0)
		return 0;
	if (md_zs_verify(t, h - 1))
		ret = FAIL("zs_rw(%u): object %u does not hold what was written", o->a, h - 1);
	md_zs_write(t, h - 1, (uint64_t)(t->id + 1) << 40 | ++x->stamp[t->id]);
	if (!zs_give(x, o->a, h))
		md_zs_free(t, h - 1);
	return ret;
}

static int (*const core_fns[OP__COUNT])(struct inst *, struct md_thread *, const struct md_op *,
					char *, size_t) = {
    op_alloc,	  op_put,    op_write,	      op_file,	   op_split,   op_split_at, op_lookup,
    op_lockframe, op_gup,    op_index_lookup, op_truncate, op_migrate, op_compact,  op_pin,
    op_unpin,	  op_contig, op_zs_alloc,     op_zs_free,  op_zs_rw,
};

static int core_run_op(void *inst, unsigned i, const struct md_op *op, char *msg, size_t len)
{
	struct inst *x = inst;
	int ret = core_fns[op->code](x, &x->t[i], op, msg, len);

	md_epoch_poll(&x->t[i]);
	return ret;
}

static void slot_refs(void *arg, const struct md_desc *d, struct md_expect *e)
{
	struct inst *x = arg;

	for (unsigned s = 0; s < SLOTS; s++)
		e->refs += x->slot[s] && &x->slot[s]->d == d;
	for (unsigned s = 0; s < PINS; s++)
		e->pins += x->pin[s] && &x->pin[s]->d == d;
	e->refs += e->pins; /* a pin holds a reference */
}

static int core_quiesce(void *inst, char *msg, size_t len)
{
	struct inst *x = inst;
	struct md_report r;

	for (unsigned i = 0; i < x->n; i++)
		md_epoch_barrier(&x->t[i]);
	if (md_check_quiescent(x->c, slot_refs, x, &r) == 0)
		return 0;
	/* kind and frame only: pointers differ from run to run, replays must not */
	if (r.v[0].pfn == UINT64_MAX)
		return FAIL("invariant: %s (%u violations)", md_violation_name(r.v[0].kind), r.n);
	return FAIL("invariant: %s at frame %" PRIu64 " (%u violations)",
		    md_violation_name(r.v[0].kind), r.v[0].pfn, r.n);
}

static void core_destroy(void *inst, int clean)
{
	struct inst *x = inst;

	if (!clean)
		return; /* threads stopped mid-op hold locks and references: leave it */
	for (unsigned s = 0; s < SLOTS; s++)
		if (x->slot[s])
			md_folio_put(&x->t[0], x->slot[s]);
	for (unsigned s = 0; s < PINS; s++)
		if (x->pin[s])
			md_folio_unpin(&x->t[0], x->pin[s]);
	for (unsigned s = 0; s < ZSLOTS; s++)
		if (x->zs[s])
			md_zs_free(&x->t[0], x->zs[s] - 1);
	for (unsigned i = 0; i < x->n; i++)
		md_thread_fini(&x->t[i]);
	md_core_destroy(x->c);
	free(x);
}

const struct md_target md_target_core = {
    .name = "core",
    .ops = &core_table,
    .create = core_create,
    .thread = core_thread,
    .run_op = core_run_op,
    .quiesce = core_quiesce,
    .destroy = core_destroy,
};
