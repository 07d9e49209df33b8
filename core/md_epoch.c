// SPDX-License-Identifier: MIT
/*
 * md_epoch.c - epoch reclamation of descriptors.
 *
 * Invariants:
 *  - A descriptor reaches md_desc_destroy() exactly once, and only after a
 *    grace period that began after the last frame word / index slot pointing
 *    to it was cleared (the caller of md_epoch_retire() guarantees the
 *    clearing; ck_epoch guarantees the grace period).
 *  - Records are registered once and live as long as the core: ck_epoch keeps
 *    them on its global list after unregister.
 *
 * Locks (ordering: md_core.h): reg_lock serialises registration; records[]
 * grows append-only and nr_records is published with release after the slot
 * is filled.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "md_core.h"
#include "md_epoch.h"
#include "md_zpool.h"

#define MD_EPOCH_BATCH 64u /* pending frees that make md_epoch_retire() poll */

/*
 * The grace period is computed in uninstrumented libck.so, so declare its
 * edge: every reader's md_epoch_end() released on its record; acquiring on
 * all records orders every such section before the free.  Per record, not
 * one global object: a thread that never ends its section is never synced.
 */
void md_epoch_tsan_grace(struct md_core *c)
{
#ifdef MD_TSAN
	/* the destructor has no thread context to pass a race point with */
	uint32_t n = ck_pr_load_32(&c->nr_records);

	ck_pr_fence_acquire(); /* pairs with md_thread_init()'s publication */
	md_tsan_acquire(&c->nr_records);
	for (uint32_t i = 0; i < n; i++)
		md_tsan_acquire(c->records[i]);
#else
	(void)c;
#endif
}

#ifndef MD_ASAN
/* Append @mem to the quarantine list.  Return: false when it cannot grow. */
static bool quar_push(struct md_core *c, void *mem)
{
	void **q;

	if (c->nquar == c->quar_cap) {
		q = realloc(c->quar, (c->quar_cap * 2 + 16) * sizeof(*q));
		if (q == NULL)
			return false;
		c->quar = q;
		c->quar_cap = c->quar_cap * 2 + 16;
	}
	c->quar[c->nquar++] = mem;
	return true;
}
#endif

/*
 * cfg.quarantine: keep @mem (@size bytes) until md_core_destroy(), @plen
 * bytes at @poison overwritten where the allocator would write its
 * free-list pointer: a reader that reaches it through a stale pointer finds
 * a garbage refcount and lock bit, as after a real free, but the same bytes
 * in every replay (the allocator's pointers differ from process to
 * process).  Return: true if kept.
 */
static bool quarantine(struct md_core *c, void *mem, size_t size, void *poison, size_t plen)
{
#ifdef MD_ASAN
	(void)c, (void)mem, (void)size, (void)poison, (void)plen;
	return false; /* ASan's own quarantine keeps it, and reports the access */
#else
	bool kept;

	if (!c->cfg.quarantine)
		return false;
	/*
	 * The list is the engine's bookkeeping, not code under test, pushed by
	 * whichever fiber ran the callback (one OS thread, no edge between
	 * fibers): TSan must not judge it.
	 */
	md_tsan_ignore_begin();
	kept = quar_push(c, mem);
	md_tsan_ignore_end();
	if (!kept)
		return false;
	md_tsan_free(mem, size); /* TSan: a reader racing with this free is reported */
	/* the caller's free: no reader may touch @mem any more, none synchronizes */
	memset(poison, 0x6b, plen);
	return true;
#endif
}

void md_epoch_free_mem(struct md_core *c, void *mem, size_t size)
{
	if (!quarantine(c, mem, size, mem, size))
		free(mem);
}

static void md_desc_destroy(ck_epoch_entry_t *e)
{
	struct md_desc_hdr *h = (struct md_desc_hdr *)e;
	struct md_desc *d = (struct md_desc *)(h + 1);
	struct md_core *c = h->core;

	md_epoch_tsan_grace(c);
	h->rec->desc_freed++; /* run by the record's owner or at quiescence (md_core.h) */
	if (d->type == MD_T_ZPDESC && md_mutant(&c->cfg, ZS_PUT_IN_DESTRUCTOR))
		md_zpdesc_retire(NULL, md_desc_zpdesc(d));
	if (!quarantine(c, h, sizeof(*h) + md_desc_size(d->type), d, offsetof(struct md_desc, pfn)))
		free(h);
}

void md_epoch_retire(struct md_thread *t, struct md_desc *d)
{
	unsigned backlog;

	md_race_point(t, MD_RP_EPOCH_RETIRE);
	t->stats[MD_ST_DESC_RETIRE]++;
	md_record(t->rec)->desc_retired++; /* the owner's accounting (md_core.h) */
	md_desc_hdr(d)->rec = md_record(t->rec);
	/*
	 * MUTANT zs_put_in_destructor: correct code drops a zpdesc's pool
	 * reference here, so the pool's own grace period starts now; dropped
	 * in md_desc_destroy(), the last reference frees the pool at once,
	 * under a section that began after this retire and loaded the pool.
	 */
	if (d->type == MD_T_ZPDESC && !md_mutant(t, ZS_PUT_IN_DESTRUCTOR))
		md_zpdesc_retire(t, md_desc_zpdesc(d));
	if (md_mutant(t, FREE_NO_GRACE)) {
		/*
		 * MUTANT free_no_grace: correct code defers the free until every
		 * section that may have loaded @d has ended; freeing now lets a
		 * walker's try-get or revalidation touch freed memory.
		 */
		md_desc_destroy(&md_desc_hdr(d)->rcu);
		return;
	}
	ck_epoch_call(t->rec, &md_desc_hdr(d)->rcu, md_desc_destroy);
	backlog = t->rec->n_pending;
	if (backlog > t->stats[MD_ST_EPOCH_BACKLOG_HWM])
		t->stats[MD_ST_EPOCH_BACKLOG_HWM] = backlog;
	/*
	 * Frees in batches: a thread that only allocates and frees (no driver
	 * polling between its ops) would otherwise never run its callbacks,
	 * and its memory would grow without end.  ck_epoch_poll() never blocks
	 * and may run inside a read section: it frees only what every section,
	 * ours too, has left behind.
	 */
	if (backlog >= MD_EPOCH_BATCH)
		ck_epoch_poll(t->rec);
}

void md_epoch_defer(struct md_thread *t, ck_epoch_entry_t *e, ck_epoch_cb_t *fn)
{
	md_race_point(t, MD_RP_EPOCH_RETIRE);
	ck_epoch_call(t->rec, e, fn);
}

void md_epoch_poll(struct md_thread *t)
{
	ck_epoch_poll(t->rec);
}

void md_epoch_barrier(struct md_thread *t)
{
	ck_epoch_barrier(t->rec);
}

unsigned md_epoch_backlog(struct md_thread *t)
{
	return t->rec->n_pending;
}

#define REC_BYTES                                                                                  \
	((sizeof(struct md_record) + CK_MD_CACHELINE - 1) & ~(size_t)(CK_MD_CACHELINE - 1))

/*
 * Under reg_lock: a free record for @t (one given up earlier, or a new one).
 * Return: the record, or NULL with *@err set.
 */
static struct ck_epoch_record *take_record(struct md_thread *t, int *err)
{
	struct md_core *c = t->core;
	struct ck_epoch_record *rec = ck_epoch_recycle(&c->epoch, t);

	if (rec)
		return rec;
	if (c->nr_records >= MD_MAX_THREADS) {
		*err = -ENOSPC;
		return NULL;
	}
	/* with the thread's frame cache (struct md_record), a whole number of lines */
	rec = aligned_alloc(CK_MD_CACHELINE, REC_BYTES);
	if (rec == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	memset(rec, 0, REC_BYTES);
	ck_epoch_register(&c->epoch, rec, t);
	c->records[c->nr_records] = rec;
	/* publishes records[n] before the count: pairs with md_epoch_tsan_grace() */
	md_tsan_release(&c->nr_records);
	ck_pr_fence_store();
	/* read only by the TSan annotation above, which cannot pass a race point */
	ck_pr_store_32(&c->nr_records, c->nr_records + 1);
	return rec;
}

static void reg_lock(struct md_thread *t)
{
	md_spin_lock(t, MD_RP_EPOCH_REGISTER, &t->core->reg_lock);
}

static void reg_unlock(struct md_thread *t)
{
	md_spin_unlock(t, MD_RP_EPOCH_REGISTER, &t->core->reg_lock);
}

int md_thread_init(struct md_thread *t, struct md_core *c, unsigned id)
{
	int ret = 0;

	memset(t, 0, sizeof(*t));
	t->core = c;
	t->id = id;
	t->mutant = c->cfg.mutant;
	reg_lock(t);
	t->rec = take_record(t, &ret); /* its frame cache is empty: a given-up one was drained */
	reg_unlock(t);
	return ret;
}

/* Under reg_lock: ck_epoch's unregister drops pending callbacks, so only an empty record goes. */
static void give_up(struct md_core *c, struct ck_epoch_record *rec)
{
	if (rec->n_pending == 0) { /* its owner reads its own count */
		ck_epoch_unregister(rec);
		return;
	}
	for (uint32_t i = 0; i < c->nr_records; i++)
		if (c->records[i] == rec)
			c->rec_idle[i] = 1;
}

/*
 * A thread going away gives back what it keeps for itself: its cached
 * frames (page_alloc_cpu_dead) and its free descriptors.
 */
static void give_back(struct md_thread *t)
{
	struct md_core *c = t->core;

	md_pcp_drain(t);
	for (unsigned k = 0; md_core_typesafe(c) && k < MD_T__COUNT; k++)
		if (c->dcache[k].core)
			md_dcache_flush(t, &c->dcache[k], md_thread_dcc(t, k));
}

int md_thread_reregister(struct md_thread *t)
{
	struct ck_epoch_record *rec;
	int ret = 0;

	give_back(t);
	reg_lock(t);
	rec = take_record(t, &ret);
	if (rec) {
		give_up(t->core, t->rec);
		t->rec = rec;
	}
	reg_unlock(t);
	return ret;
}

void md_epoch_drain_idle(struct md_core *c)
{
	for (uint32_t i = 0; i < c->nr_records; i++) {
		if (!c->rec_idle[i])
			continue;
		ck_epoch_barrier(c->records[i]);
		ck_epoch_unregister(c->records[i]);
		c->rec_idle[i] = 0;
	}
}

void md_thread_fini(struct md_thread *t)
{
	if (t->rec == NULL)
		return;
	give_back(t);
	ck_epoch_barrier(t->rec);
	ck_epoch_unregister(t->rec);
	t->rec = NULL;
}
