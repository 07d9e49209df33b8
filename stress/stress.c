// SPDX-License-Identifier: MIT
/*
 * stress.c - `mdt stress`: real threads, a weighted op mix, postconditions
 * per op, the quiescent checker at the end.
 *
 * Ownership: each worker owns the folios it allocated (one reference each,
 * in held[]) and its slab objects; everything else it touches it reaches
 * like a kernel walker, from a frame number or an index slot, with the
 * core's lookup protocols.  The checker's expected refcounts come from the
 * held[] arrays.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "md_rand.h"
#include "md_buddy.h"
#include "md_check.h"
#include "md_epoch.h"
#include "md_index.h"
#include "md_migrate.h"
#include "md_slab.h"
#include "md_walk.h"
#include "md_zpool.h"
#include "../cli/md_opt.h"
#include "rounds.h"
#include "stress.h"

/* X(ID, "name", default weight, function) */
#define STRESS_OPS(X)                                                                              \
	X(ALLOC, "alloc", 8, op_alloc)                                                             \
	X(PUT, "put", 7, op_put)                                                                   \
	X(WRITE, "write", 8, op_write)                                                             \
	X(LOOKUP, "lookup", 25, op_lookup)                                                         \
	X(LOCKFRAME, "lockframe", 12, op_lockframe)                                                \
	X(GUP_READ, "gup_read", 10, op_gup_read)                                                   \
	X(FILE_ALLOC, "file_alloc", 8, op_file_alloc)                                              \
	X(INDEX_INSERT, "index_insert", 4, op_index_insert)                                        \
	X(INDEX_LOOKUP, "index_lookup", 12, op_index_lookup)                                       \
	X(INDEX_WRITE, "index_write", 6, op_index_write)                                           \
	X(INDEX_REMOVE, "index_remove", 5, op_index_remove)                                        \
	X(SLAB_ALLOC, "slab_alloc", 5, op_slab_alloc)                                              \
	X(SLAB_FREE, "slab_free", 5, op_slab_free)                                                 \
	X(SPLIT, "split", 4, op_split)                                                             \
	X(MIGRATE, "migrate", 8, op_migrate)                                                       \
	X(COMPACT, "compact", 1, op_compact)                                                       \
	X(CONTIG, "contig", 1, op_contig)                                                          \
	X(PIN, "pin", 3, op_pin)                                                                   \
	X(UNPIN, "unpin", 3, op_unpin)                                                             \
	X(ZS_ALLOC, "zs_alloc", 5, op_zs_alloc)                                                    \
	X(ZS_FREE, "zs_free", 5, op_zs_free)                                                       \
	X(ZS_RW, "zs_rw", 6, op_zs_rw)                                                             \
	X(SELFTEST_HANG, "selftest_hang", 0, op_selftest_hang)

enum op_id {
#define OP_ENUM(id, name, w, fn) OP_##id,
	STRESS_OPS(OP_ENUM)
#undef OP_ENUM
	    OP__COUNT
};

static const char *const op_names[] = {
#define OP_NAME(id, name, w, fn) name,
    STRESS_OPS(OP_NAME)
#undef OP_NAME
};

static const unsigned op_default_weights[] = {
#define OP_W(id, name, w, fn) w,
    STRESS_OPS(OP_W)
#undef OP_W
};

#define HELD_MAX    32
#define OBJS_MAX    32
#define PINS_MAX    4
#define ZS_MAX	    32
#define MAX_WORKERS 64
#define MAX_BG	    9 /* background threads: up to 8 compactors and a migrator */

struct stress;

struct worker {
	struct md_thread t;
	struct stress *s;
	pthread_t th;
	uint64_t rng;
	struct md_folio *held[HELD_MAX];
	unsigned nheld;
	uint64_t objs[OBJS_MAX];
	unsigned nobjs;
	struct md_folio *pins[PINS_MAX];
	unsigned npins;
	uint32_t zs[ZS_MAX];
	unsigned nzs;
	struct md_compact_stats compact;
	uint64_t chaos_rng, chaos_cut; /* a race point delays when rnd < chaos_cut */
	uint64_t progress;	       /* ops completed (ck_pr): the watchdog reads it */
	int done;		       /* the worker has returned (ck_pr) */
	int is_parked;		       /* paused by the reporter: not a stall (ck_pr) */
	uint64_t retries;	       /* published every 32 ops for the live line (ck_pr) */
	unsigned cur_op;	       /* op in flight (ck_pr) */
	int fixed_op;		       /* background thread: its one op (else -1: the mix) */
	unsigned pace_us;	       /* background thread: pause between its ops */
	uint64_t ops[OP__COUNT];       /* written by the worker (ck_pr), read by the reporter */
	uint64_t stats[MD_ST__COUNT];  /* copied at exit */
};

struct stress_opts {
	uint64_t duration_ms, threads, frames, seed;
	const char *json, *mutant, *mix, *chaos_at;
	double chaos; /* probability of a delay at each race point */
	uint64_t chaos_sleep_us;
	uint64_t stall_ms;
	uint64_t check_every_ms, stutter_ms, compactors, rounds, search_ms;
	const char *chaos_kinds, *artifacts;
	int argc;
	char **argv;
	int mutant_given; /* --mutant on the command line (not MDT_MUTANT) */
	int list_ops;
};

struct stress {
	struct stress_opts o;
	struct md_core *c;
	struct worker *w;
	unsigned nw;
	int stop; /* ck_pr: set by the reporter or the first failure */
	pthread_mutex_t fail_lock;
	char failure[512]; /* first failure, under fail_lock */
	unsigned nfailures;
	unsigned mutant;
	unsigned weights[OP__COUNT];	/* the op mix: defaults or --mix */
	uint8_t chaos_rp[MD_RP__COUNT]; /* race points where chaos applies */
	unsigned chaos_kinds;		/* CHAOS_* bits */
	/* pausing the workers (checkpoints, stutter): all under park_lock */
	pthread_mutex_t park_lock;
	pthread_cond_t park_cond;
	int pause;	 /* also read without the lock as a hint (ck_pr) */
	unsigned parked; /* workers waiting for resume, or finished */
	uint64_t checkpoints, stalls;
	struct md_footprint fp; /* at the end of the run, references held (fp.frames 0: none) */
};

enum { CHAOS_YIELD = 1, CHAOS_SPIN = 2, CHAOS_SLEEP = 4, CHAOS_ALL = 7 };

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

__attribute__((format(printf, 2, 3))) static int fail(struct worker *w, const char *fmt, ...)
{
	struct stress *s = w->s;
	va_list ap;

	pthread_mutex_lock(&s->fail_lock);
	if (s->nfailures++ == 0) {
		int n = snprintf(s->failure, sizeof(s->failure), "t%u %s: ", w->t.id,
				 md_race_point_name(w->t.last_rp));

		va_start(ap, fmt);
		vsnprintf(s->failure + n, sizeof(s->failure) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&s->fail_lock);
	ck_pr_store_int(&s->stop, 1);
	return -1;
}

/* The @r-th enabled kind of delay (the kinds are never all off). */
static unsigned chaos_kind(unsigned kinds, uint64_t r)
{
	unsigned n = (unsigned)__builtin_popcount(kinds), k = (unsigned)(r % n);

	for (unsigned bit = 1;; bit <<= 1)
		if ((kinds & bit) && k-- == 0)
			return bit;
}

static void chaos_delay(struct worker *w, unsigned kind)
{
	switch (kind) {
	case CHAOS_YIELD:
		sched_yield();
		break;
	case CHAOS_SPIN:
		for (unsigned i = 0; i < 200; i++)
			ck_pr_stall();
		break;
	default: /* another thread finishes a split, a grace period */
		usleep((useconds_t)w->s->o.chaos_sleep_us);
		break;
	}
}

/*
 * Chaos: at a race point, with the configured probability, give the other
 * threads a window: yield the CPU or spin a little.  Spin loops always yield,
 * so a thread waiting for a preempted lock holder lets it run.
 */
static void chaos_hook(struct md_thread *t, unsigned rp, unsigned flags)
{
	struct worker *w = t->rp_arg;
	uint64_t r;

	if (flags & MD_RPF_SPIN) {
		sched_yield();
		return;
	}
	if (!w->s->chaos_rp[rp])
		return;
	r = md_rand(&w->chaos_rng);
	if (r >= w->chaos_cut)
		return;
	chaos_delay(w, chaos_kind(w->s->chaos_kinds, r));
}

/* ---- the ops: each returns 0, or -1 after fail() ---- */

static int op_alloc(struct worker *w)
{
	struct md_folio *f;
	unsigned order = (unsigned)(md_rand(&w->rng) % 4);

	if (w->nheld == HELD_MAX)
		return 0;
	if (md_folio_alloc(&w->t, order, md_rand(&w->rng) % 8 ? MD_MT_MOVABLE : MD_MT_UNMOVABLE,
			   &f))
		return 0; /* -ENOMEM is a legal outcome */
	w->held[w->nheld++] = f;
	return 0;
}

static struct md_folio *pick_held(struct worker *w, unsigned *slot)
{
	if (w->nheld == 0)
		return NULL;
	*slot = (unsigned)(md_rand(&w->rng) % w->nheld);
	return w->held[*slot];
}

static int op_put(struct worker *w)
{
	unsigned k;
	struct md_folio *f = pick_held(w, &k);

	if (f == NULL)
		return 0;
	w->held[k] = w->held[--w->nheld];
	md_folio_put(&w->t, f);
	return 0;
}

static int op_write(struct worker *w)
{
	unsigned k;
	struct md_folio *f = pick_held(w, &k);
	int ret = 0;

	if (f == NULL)
		return 0;
	md_folio_lock(&w->t, f);
	if (md_folio_verify(&w->t, f, NULL))
		ret = fail(w, "write: folio %p (frame %" PRIu64 ") lost its data before the write",
			   (void *)f, f->d.pfn);
	md_folio_write(&w->t, f, md_rand(&w->rng));
	md_folio_unlock(&w->t, f);
	return ret;
}

static int op_lookup(struct worker *w)
{
	uint64_t pfn = md_rand(&w->rng) % w->s->c->nr_frames;
	struct md_desc *d;
	int ret = 0;

	if (md_lookup_frame(&w->t, pfn, &d))
		return 0;
	if (!md_desc_covers(d, pfn))
		ret = fail(w,
			   "lookup(frame %" PRIu64 ") returned a descriptor covering %" PRIu64
			   "..%" PRIu64,
			   pfn, d->pfn, d->pfn + md_desc_nr(d) - 1);
	md_desc_put(&w->t, d);
	return ret;
}

static int op_lockframe(struct worker *w)
{
	uint64_t pfn = md_rand(&w->rng) % w->s->c->nr_frames;
	struct md_desc *d;
	int ret = 0;

	if (md_lock_frame(&w->t, pfn, &d))
		return 0;
	if (ck_pr_load_64(md_frame_word(w->s->c, pfn)) != md_word_make(d, d->type))
		ret = fail(
		    w, "lock_frame(frame %" PRIu64 "): the locked descriptor does not own it", pfn);
	else if (md_desc_verify(&w->t, d))
		ret = fail(w, "lock_frame(frame %" PRIu64 "): %s data is not its owner's", pfn,
			   md_type_name(d->type));
	md_desc_unlock(&w->t, d);
	md_desc_put(&w->t, d);
	return ret;
}

static void pick_slot(struct worker *w, unsigned *m, uint64_t *idx)
{
	*m = (unsigned)(md_rand(&w->rng) % w->s->c->cfg.nr_mappings);
	*idx = md_rand(&w->rng) % w->s->c->cfg.mapping_slots;
}

static int op_index_insert(struct worker *w)
{
	unsigned k, m;
	uint64_t idx;
	struct md_folio *f = pick_held(w, &k);

	if (f == NULL)
		return 0;
	pick_slot(w, &m, &idx);
	idx &= ~(md_desc_nr(md_folio_desc(f)) - 1); /* natural alignment */
	md_folio_lock(&w->t, f);
	md_index_insert(&w->t, f, m, idx); /* -EEXIST / -EBUSY are legal outcomes */
	md_folio_unlock(&w->t, f);
	return 0;
}

/*
 * filemap_get_folio(): a lock-free lookup, then the lock.  Truncation may
 * take the folio out of the index after the lookup, but while we hold our
 * reference nothing can split or move it: if it is still in this mapping it
 * must cover the index we looked up.
 */
static int op_index_lookup(struct worker *w)
{
	unsigned m;
	uint64_t idx;
	struct md_folio *f;
	int ret = 0;

	pick_slot(w, &m, &idx);
	if (md_index_lookup(&w->t, m, idx, &f))
		return 0;
	md_folio_lock(&w->t, f);
	if (f->mapping == m + 1 && idx - f->index >= md_desc_nr(md_folio_desc(f)))
		ret = fail(w,
			   "index_lookup(%u, %" PRIu64 ") returned the folio at index %u..%" PRIu64,
			   m, idx, f->index, f->index + md_desc_nr(md_folio_desc(f)) - 1);
	else if (md_folio_verify(&w->t, f, NULL))
		ret =
		    fail(w, "index_lookup(%u, %" PRIu64 "): folio data is not its owner's", m, idx);
	md_folio_unlock(&w->t, f);
	md_folio_put(&w->t, f);
	return ret;
}

static int op_index_remove(struct worker *w)
{
	unsigned m;
	uint64_t idx;
	struct md_folio *f;

	pick_slot(w, &m, &idx);
	if (md_index_lock(&w->t, m, idx, &f))
		return 0;
	md_index_remove(&w->t, f);
	md_folio_unlock(&w->t, f);
	md_folio_put(&w->t, f);
	return 0;
}

static int op_slab_alloc(struct worker *w)
{
	if (w->nobjs == OBJS_MAX || md_slab_obj_alloc(&w->t, &w->objs[w->nobjs]))
		return 0;
	w->nobjs++;
	return 0;
}

static int op_slab_free(struct worker *w)
{
	unsigned k;
	uint64_t h;

	if (w->nobjs == 0)
		return 0;
	k = (unsigned)(md_rand(&w->rng) % w->nobjs);
	h = w->objs[k];
	w->objs[k] = w->objs[--w->nobjs];
	if (md_slab_obj_verify(&w->t, h))
		return fail(w, "slab object %" PRIu64 " lost its contents", h);
	if (md_slab_obj_free(&w->t, h))
		return fail(w, "slab object %" PRIu64 " could not be freed", h);
	return 0;
}

/* GUP-fast: reference by frame, read the payload without the lock. */
static int op_gup_read(struct worker *w)
{
	uint64_t pfn = md_rand(&w->rng) % w->s->c->nr_frames;
	struct md_desc *d;
	int ret = 0;

	if (md_lookup_frame(&w->t, pfn, &d))
		return 0;
	if (md_desc_folio(d) && md_folio_read_lockless(&w->t, md_desc_folio(d)))
		ret = fail(w, "gup_read(frame %" PRIu64 "): a consistent snapshot of foreign data",
			   pfn);
	md_desc_put(&w->t, d);
	return ret;
}

/* A page-cache folio: inserted in the index, which keeps the only reference. */
static int op_file_alloc(struct worker *w)
{
	struct md_folio *f;
	unsigned m;
	uint64_t idx;

	if (md_folio_alloc(&w->t, (unsigned)(md_rand(&w->rng) % 3), MD_MT_MOVABLE, &f))
		return 0;
	pick_slot(w, &m, &idx);
	idx &= ~(md_desc_nr(md_folio_desc(f)) - 1);
	md_folio_lock(&w->t, f);
	md_index_insert(&w->t, f, m, idx);
	md_folio_unlock(&w->t, f);
	md_folio_put(&w->t, f); /* freed here if the insert failed */
	return 0;
}

static int op_index_write(struct worker *w)
{
	unsigned m;
	uint64_t idx;
	struct md_folio *f;
	int ret = 0;

	pick_slot(w, &m, &idx);
	if (md_index_lock(&w->t, m, idx, &f))
		return 0;
	if (md_folio_verify(&w->t, f, NULL))
		ret =
		    fail(w, "index_write(%u, %" PRIu64 "): folio data is not its owner's", m, idx);
	md_folio_write(&w->t, f, md_rand(&w->rng));
	md_folio_unlock(&w->t, f);
	md_folio_put(&w->t, f);
	return ret;
}

/* Split one of our own large folios; keep the children we have room for. */
static int split_held(struct worker *w)
{
	struct md_folio *kids[1u << 6], *f;
	unsigned k, n;
	int ret;

	f = pick_held(w, &k);
	if (f == NULL || f->d.order == 0 || f->d.mt != MD_MT_MOVABLE)
		return 0;
	n = 1u << f->d.order;
	md_folio_lock(&w->t, f);
	if (md_folio_split(&w->t, f, kids)) {
		md_folio_unlock(&w->t, f);
		return 0; /* -EAGAIN / -EBUSY: someone else holds it */
	}
	ret = md_folio_verify(&w->t, kids[0], NULL)
		  ? fail(w, "split: first child's data is not the parent's")
		  : 0;
	md_folio_unlock(&w->t, kids[0]);
	w->held[k] = kids[0];
	for (unsigned i = 1; i < n; i++) {
		if (w->nheld < HELD_MAX)
			w->held[w->nheld++] = kids[i];
		else
			md_folio_put(&w->t, kids[i]);
	}
	return ret;
}

/*
 * Split whatever large folio owns a random frame (deferred split /
 * khugepaged style): succeeds only on page-cache folios nobody else holds,
 * which is what walkers race with.
 */
static int split_any(struct worker *w)
{
	uint64_t pfn = md_rand(&w->rng) % w->s->c->nr_frames;
	struct md_folio *kids[1u << 6], *f;
	struct md_desc *d;
	unsigned n;
	int ret = 0;

	if (md_lock_frame(&w->t, pfn, &d))
		return 0;
	f = md_desc_folio(d);
	n = 1u << d->order;
	if (f == NULL || n == 1 || d->mt != MD_MT_MOVABLE || md_folio_split(&w->t, f, kids)) {
		md_desc_unlock(&w->t, d);
		md_desc_put(&w->t, d);
		return 0;
	}
	if (md_folio_verify(&w->t, f, NULL))
		ret =
		    fail(w, "split of frame %" PRIu64 ": the head's data is not the parent's", pfn);
	md_desc_unlock(&w->t, d);
	for (unsigned i = 0; i < n; i++)
		md_folio_put(&w->t, kids[i]); /* the index, if any, keeps them */
	return ret;
}

static int op_split(struct worker *w)
{
	return md_rand(&w->rng) & 1 ? split_held(w) : split_any(w);
}

static int op_migrate(struct worker *w)
{
	md_migrate_frame(&w->t, md_rand(&w->rng) % w->s->c->nr_frames);
	return 0; /* -EAGAIN, -EBUSY, -ENOENT: legal outcomes, counted by the core */
}

static int op_compact(struct worker *w)
{
	md_compact(&w->t, md_rand(&w->rng) % (w->s->c->nr_frames / 2), 8, &w->compact);
	return 0;
}

static int op_contig(struct worker *w)
{
	struct md_folio *f;

	if (w->nheld == HELD_MAX ||
	    md_contig_alloc(&w->t, 4 + (unsigned)(md_rand(&w->rng) % 3), &f))
		return 0;
	w->held[w->nheld++] = f;
	return 0;
}

static int op_pin(struct worker *w)
{
	uint64_t pfn = md_rand(&w->rng) % w->s->c->nr_frames;
	struct md_folio *f;
	int ret = 0;

	if (w->npins == PINS_MAX || md_folio_pin(&w->t, pfn, &f))
		return 0;
	if (md_folio_read_lockless(&w->t, f))
		ret = fail(w, "pin(frame %" PRIu64 "): pinned data is not its owner's", pfn);
	w->pins[w->npins++] = f;
	return ret;
}

static int op_unpin(struct worker *w)
{
	unsigned k;
	struct md_folio *f;
	int ret = 0;

	if (w->npins == 0)
		return 0;
	k = (unsigned)(md_rand(&w->rng) % w->npins);
	f = w->pins[k];
	w->pins[k] = w->pins[--w->npins];
	/* a long-term pin keeps the folio where it is: nothing may migrate it */
	if (ck_pr_load_64(md_frame_word(w->s->c, f->d.pfn)) != md_word_make(f, MD_T_FOLIO))
		ret = fail(w, "unpin: the pinned folio no longer owns frame %" PRIu64, f->d.pfn);
	else if (md_folio_read_lockless(&w->t, f))
		ret = fail(w, "unpin: pinned folio at frame %" PRIu64 " lost its data", f->d.pfn);
	md_folio_unpin(&w->t, f);
	return ret;
}

static int op_zs_alloc(struct worker *w)
{
	if (w->nzs == ZS_MAX || md_zs_alloc(&w->t, &w->zs[w->nzs]))
		return 0;
	w->nzs++;
	return 0;
}

static int op_zs_free(struct worker *w)
{
	unsigned k;
	uint32_t h;

	if (w->nzs == 0)
		return 0;
	k = (unsigned)(md_rand(&w->rng) % w->nzs);
	h = w->zs[k];
	w->zs[k] = w->zs[--w->nzs];
	if (md_zs_verify(&w->t, h) || md_zs_free(&w->t, h))
		return fail(w, "zs_free: object %u lost or already gone", h);
	return 0;
}

static int op_zs_rw(struct worker *w)
{
	uint32_t h;

	if (w->nzs == 0)
		return 0;
	h = w->zs[md_rand(&w->rng) % w->nzs];
	if (md_zs_verify(&w->t, h))
		return fail(w, "zs_rw: object %u does not hold what was written", h);
	md_zs_write(&w->t, h, md_rand(&w->rng));
	return 0;
}

/*
 * The watchdog's self-test: an op that never finishes, as a lost wakeup or a
 * leaked lock bit would.  Weight 0: it runs only when --mix names it.
 */
static int op_selftest_hang(struct worker *w)
{
	(void)w;
	for (;;)
		sleep(1);
}

static int (*const op_fns[OP__COUNT])(struct worker *) = {
#define OP_FN(id, name, w, fn) fn,
    STRESS_OPS(OP_FN)
#undef OP_FN
};

static unsigned pick_op(struct worker *w, unsigned total)
{
	const unsigned *wt = w->s->weights;
	uint64_t r = md_rand(&w->rng) % total;
	unsigned i = 0;

	while (r >= wt[i])
		r -= wt[i++];
	return i;
}

/*
 * Wait while the reporter has the workers paused (a checkpoint, a stutter
 * pause).  Outside any epoch section and holding no lock: the checker may
 * read this worker's held[] until it resumes; park_lock orders both ways.
 */
static void park(struct worker *w)
{
	struct stress *s = w->s;

	pthread_mutex_lock(&s->park_lock);
	s->parked++;
	ck_pr_store_int(&w->is_parked, 1);
	pthread_cond_broadcast(&s->park_cond);
	while (s->pause && !ck_pr_load_int(&s->stop))
		pthread_cond_wait(&s->park_cond, &s->park_lock);
	ck_pr_store_int(&w->is_parked, 0);
	s->parked--;
	pthread_mutex_unlock(&s->park_lock);
}

/* The live line's retry count: the core's counters are the worker's own (plain). */
static void publish_retries(struct worker *w)
{
	const uint64_t *st = w->t.stats;

	ck_pr_store_64(&w->retries, st[MD_ST_TRYGET_ZERO] + st[MD_ST_REVALIDATE] +
					st[MD_ST_LOCK_RECHECK] + st[MD_ST_EAGAIN]);
}

/* A finished worker counts as parked for good. */
static void leave(struct worker *w)
{
	struct stress *s = w->s;

	pthread_mutex_lock(&s->park_lock);
	s->parked++;
	ck_pr_store_int(&w->done, 1);
	pthread_cond_broadcast(&s->park_cond);
	pthread_mutex_unlock(&s->park_lock);
}

static void *worker_main(void *p)
{
	struct worker *w = p;
	struct stress *s = w->s;
	unsigned total = 0;
	uint64_t n = 0;

	for (unsigned i = 0; i < OP__COUNT; i++)
		total += s->weights[i];
	while (!ck_pr_load_int(&s->stop)) {
		unsigned op = w->fixed_op >= 0 ? (unsigned)w->fixed_op : pick_op(w, total);

		if (ck_pr_load_int(&s->pause))
			park(w);
		ck_pr_store_uint(&w->cur_op, op);
		if (op_fns[op](w))
			break;
		ck_pr_store_64(&w->progress, n + 1);
		ck_pr_store_64(&w->ops[op], w->ops[op] + 1);
		if (++n % 32 == 0) {
			md_epoch_poll(&w->t);
			publish_retries(w);
		}
		if (w->pace_us)
			usleep(w->pace_us);
	}
	memcpy(w->stats, w->t.stats, sizeof(w->stats));
	md_epoch_barrier(&w->t);
	leave(w);
	return NULL;
}

/* ---- the checker's view of what the workers hold ---- */

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

struct held_set {
	uintptr_t *refs, *pins; /* sorted, with repeats: one entry per reference or pin */
	size_t nrefs, npins;
};

static uint32_t count_of(const uintptr_t *a, size_t n, uintptr_t key)
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
	struct held_set *h = arg;

	e->pins = count_of(h->pins, h->npins, (uintptr_t)d);
	e->refs = count_of(h->refs, h->nrefs, (uintptr_t)d) + e->pins; /* a pin holds a reference */
}

static int held_build(struct stress *s, struct held_set *h)
{
	memset(h, 0, sizeof(*h));
	h->refs = calloc((size_t)s->nw * HELD_MAX + 1, sizeof(*h->refs));
	h->pins = calloc((size_t)s->nw * PINS_MAX + 1, sizeof(*h->pins));
	if (h->refs == NULL || h->pins == NULL)
		return -1;
	for (unsigned i = 0; i < s->nw; i++) {
		for (unsigned k = 0; k < s->w[i].nheld; k++)
			h->refs[h->nrefs++] = (uintptr_t)md_folio_desc(s->w[i].held[k]);
		for (unsigned k = 0; k < s->w[i].npins; k++)
			h->pins[h->npins++] = (uintptr_t)md_folio_desc(s->w[i].pins[k]);
	}
	qsort(h->refs, h->nrefs, sizeof(*h->refs), cmp_ptr);
	qsort(h->pins, h->npins, sizeof(*h->pins), cmp_ptr);
	return 0;
}

static void held_free(struct held_set *h)
{
	free(h->refs);
	free(h->pins);
}

static void print_report(const char *when, const struct md_report *r, unsigned n)
{
	char line[256];

	printf("check (%s): %s\n", when, n ? "VIOLATIONS" : "clean");
	for (unsigned i = 0; i < n && i < MD_REPORT_MAX; i++) {
		md_violation_format(&r->v[i], line, sizeof(line));
		printf("  %s\n", line);
	}
	if (n > MD_REPORT_MAX)
		printf("  ... %u more\n", n - MD_REPORT_MAX);
}

static unsigned run_check(struct stress *s, const char *when, md_expect_refs_fn *fn, void *arg)
{
	struct md_report r;
	unsigned n = md_check_quiescent(s->c, fn, arg, &r);

	print_report(when, &r, n);
	return n;
}

/* Release everything the workers hold and truncate the index, from @t. */
static void drain(struct stress *s, struct md_thread *t)
{
	struct md_core *c = s->c;
	struct md_folio *f;

	for (unsigned i = 0; i < s->nw; i++) {
		struct worker *w = &s->w[i];

		for (unsigned k = 0; k < w->npins; k++)
			md_folio_unpin(t, w->pins[k]);
		for (unsigned k = 0; k < w->nheld; k++)
			md_folio_put(t, w->held[k]);
		for (unsigned k = 0; k < w->nobjs; k++)
			md_slab_obj_free(t, w->objs[k]);
		for (unsigned k = 0; k < w->nzs; k++)
			md_zs_free(t, w->zs[k]);
		w->npins = w->nheld = w->nobjs = w->nzs = 0;
	}
	for (unsigned m = 0; m < c->cfg.nr_mappings; m++)
		for (uint64_t i = 0; i < c->cfg.mapping_slots; i++)
			if (md_index_lock(t, m, i, &f) == 0) {
				md_index_remove(t, f);
				md_folio_unlock(t, f);
				md_folio_put(t, f);
			}
	md_epoch_barrier(t);
}

static void print_footprint(struct stress *s)
{
	struct md_footprint fp;
	double meta;

	md_core_footprint(s->c, &fp);
	s->fp = fp;
	meta = (double)(fp.word_bytes + fp.desc_bytes + fp.zone_bytes) / (double)fp.frames;
	printf("\nmetadata: %.2f B/frame (word %zu B, descriptors %.2f B/frame over %" PRIu64
	       " owned frames = %.2f B per owned frame, zone %.2f B/frame); "
	       "%" PRIu64 " folios, %" PRIu64 " slabs\n",
	       meta, sizeof(uint64_t), (double)fp.desc_bytes / (double)fp.frames, fp.owned_frames,
	       fp.owned_frames ? (double)fp.desc_bytes / (double)fp.owned_frames : 0.0,
	       (double)fp.zone_bytes / (double)fp.frames, fp.descs[MD_T_FOLIO],
	       fp.descs[MD_T_SLAB]);
}

/* The final checks; returns the number of violations. */
static unsigned final_checks(struct stress *s)
{
	struct held_set h;
	struct md_thread t;
	unsigned n;

	if (held_build(s, &h) || md_thread_init(&t, s->c, s->nw)) {
		fprintf(stderr, "mdt stress: out of memory for the final check\n");
		held_free(&h);
		return 1;
	}
	md_epoch_barrier(&t);
	print_footprint(s);
	n = run_check(s, "end of run, references held", held_refs, &h);
	held_free(&h);
	drain(s, &t);
	n += run_check(s, "after releasing everything", NULL, NULL);
	/* the slab cache keeps one empty slab; everything else must be free */
	if (md_buddy_nr_free_frames(&t) + s->c->slab_nr != s->c->nr_frames) {
		printf("  frames still owned after releasing everything: %" PRIu64 "\n",
		       s->c->nr_frames - md_buddy_nr_free_frames(&t));
		n++;
	}
	md_thread_fini(&t);
	return n;
}

/* ---- reporting ---- */

static void totals(struct stress *s, uint64_t *ops, uint64_t *all)
{
	*all = 0;
	for (unsigned k = 0; k < OP__COUNT; k++) {
		ops[k] = 0;
		for (unsigned i = 0; i < s->nw; i++)
			ops[k] += ck_pr_load_64(&s->w[i].ops[k]);
		*all += ops[k];
	}
}

static void progress(struct stress *s, uint64_t elapsed, uint64_t *last_all, uint64_t *last_t,
		     int tty)
{
	uint64_t ops[OP__COUNT], all, dt = elapsed - *last_t, retries = 0;

	totals(s, ops, &all);
	for (unsigned i = 0; i < s->nw; i++)
		retries += ck_pr_load_64(&s->w[i].retries);
	printf("%s[%5.1fs/%.0fs] %10" PRIu64 " ops %9.0f ops/s  failures %u  checkpoints %" PRIu64
	       "  retries %" PRIu64 "%s",
	       tty ? "\r" : "", (double)elapsed / 1000, (double)s->o.duration_ms / 1000, all,
	       dt ? (double)(all - *last_all) * 1000.0 / (double)dt : 0.0,
	       ck_pr_load_uint(&s->nfailures), ck_pr_load_64(&s->checkpoints), retries,
	       tty ? "   " : "\n");
	fflush(stdout);
	*last_all = all;
	*last_t = elapsed;
}

/* The workers' core counters: summed, except the high-water mark (max). */
static void stat_totals(struct stress *s, uint64_t *st)
{
	memset(st, 0, sizeof(uint64_t) * MD_ST__COUNT);
	for (unsigned i = 0; i < s->nw; i++)
		for (unsigned k = 0; k < MD_ST__COUNT; k++)
			st[k] = k == MD_ST_EPOCH_BACKLOG_HWM
				    ? (s->w[i].stats[k] > st[k] ? s->w[i].stats[k] : st[k])
				    : st[k] + s->w[i].stats[k];
}

static void summary(struct stress *s, double secs)
{
	uint64_t ops[OP__COUNT], all, st[MD_ST__COUNT];

	totals(s, ops, &all);
	stat_totals(s, st);
	printf("\n%-16s %12s %12s\n", "op", "count", "ops/s");
	for (unsigned k = 0; k < OP__COUNT; k++)
		printf("%-16s %12" PRIu64 " %12.0f\n", op_names[k], ops[k], (double)ops[k] / secs);
	printf("%-16s %12" PRIu64 " %12.0f\n", "total", all, (double)all / secs);
	printf("\n%-18s %12s %12s\n", "event", "count", "per s");
	for (unsigned k = 0; k < MD_ST__COUNT; k++)
		if (k == MD_ST_EPOCH_BACKLOG_HWM)
			printf("%-18s %12" PRIu64 " %12s\n", md_stat_name(k), st[k], "-");
		else
			printf("%-18s %12" PRIu64 " %12.1f\n", md_stat_name(k), st[k],
			       (double)st[k] / secs);
}

/* metadata per frame at the end of the run (zeros when the run stopped early) */
static void write_json_footprint(FILE *f, const struct md_footprint *fp)
{
	uint64_t bytes = fp->word_bytes + fp->desc_bytes + fp->zone_bytes;

	fprintf(f,
		"  \"footprint\": {\"frames\": %" PRIu64 ", \"owned_frames\": %" PRIu64
		", \"folios\": %" PRIu64 ", \"slabs\": %" PRIu64 ", \"zpdescs\": %" PRIu64
		", \"word_bytes\": %" PRIu64 ", \"desc_bytes\": %" PRIu64
		", \"zone_bytes\": %" PRIu64 ", \"bytes_per_frame\": %.2f}\n",
		fp->frames, fp->owned_frames, fp->descs[MD_T_FOLIO], fp->descs[MD_T_SLAB],
		fp->descs[MD_T_ZPDESC], fp->word_bytes, fp->desc_bytes, fp->zone_bytes,
		fp->frames ? (double)bytes / (double)fp->frames : 0.0);
}

static int write_json(struct stress *s, FILE *f, double secs, unsigned violations)
{
	uint64_t ops[OP__COUNT], all, st[MD_ST__COUNT];

	totals(s, ops, &all);
	stat_totals(s, st);
	fprintf(f,
		"{\n  \"seed\": %" PRIu64 ",\n  \"threads\": %" PRIu64
		",\n  \"compactors\": %" PRIu64 ",\n  \"duration_s\": %.3f,\n",
		s->o.seed, s->o.threads, s->o.compactors, secs);
	fprintf(f, "  \"variant\": \"%s\",\n  \"frames\": %" PRIu64 ",\n  \"mutant\": \"%s\",\n",
		md_build_variant(), s->o.frames,
		s->mutant ? md_mutant_info(s->mutant)->name : "none");
	fprintf(f, "  \"ops_total\": %" PRIu64 ",\n  \"ops\": {", all);
	for (unsigned k = 0; k < OP__COUNT; k++)
		fprintf(f, "%s\"%s\": %" PRIu64, k ? ", " : "", op_names[k], ops[k]);
	fprintf(f,
		"},\n  \"retries\": {\"tryget_zero\": %" PRIu64 ", \"revalidate\": %" PRIu64
		", \"lock_recheck\": %" PRIu64 ", \"eagain\": %" PRIu64 "},\n",
		st[MD_ST_TRYGET_ZERO], st[MD_ST_REVALIDATE], st[MD_ST_LOCK_RECHECK],
		st[MD_ST_EAGAIN]);
	fprintf(f, "  \"events\": {");
	for (unsigned k = 0; k < MD_ST__COUNT; k++)
		fprintf(f, "%s\"%s\": %" PRIu64, k ? ", " : "", md_stat_name(k), st[k]);
	fprintf(f, "},\n");
	fprintf(f, "  \"checkpoints\": %" PRIu64 ",\n  \"violations\": %u,\n  \"failures\": [",
		s->checkpoints, violations);
	if (s->nfailures) {
		fputc('"', f);
		for (const char *p = s->failure; *p; p++)
			fprintf(f, (*p == '"' || *p == '\\') ? "\\%c" : "%c", *p);
		fputc('"', f);
	}
	fprintf(f, "],\n  \"stalls\": %" PRIu64 ",\n", s->stalls);
	write_json_footprint(f, &s->fp);
	fprintf(f, "}\n");
	return fclose(f) == 0 ? 0 : -1;
}

/* ---- setup ---- */

static int parse(struct stress *s, int argc, char **argv)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	const char *seed = NULL;
	const struct md_opt opts[] = {
	    {"duration", MD_OPT_DURATION, 1, 1000ull * 3600 * 24 * 7, &s->o.duration_ms,
	     "run time: 500ms, 30s, 2m, 1h (default 30s)"},
	    {"threads", MD_OPT_U64, 1, MAX_WORKERS, &s->o.threads,
	     "worker threads (default: CPUs, at least 2)"},
	    {"frames", MD_OPT_U64, 64, (uint64_t)1 << 24, &s->o.frames,
	     "frames in the pool, a multiple of 64 (default 256: small pools collide more)"},
	    {"seed", MD_OPT_STR, 0, 0, &seed,
	     "random seed (default: from the clock; always printed)"},
	    {"mutant", MD_OPT_STR, 0, 0, &s->o.mutant, "seeded bug to switch on (see mdt mutants)"},
	    {"json", MD_OPT_STR, 0, 0, &s->o.json, "write the summary as JSON to this file"},
	    {"mix", MD_OPT_STR, 0, 0, &s->o.mix,
	     "op weights, e.g. lookup=40,split=5: only the listed ops run (see --list-ops)"},
	    {"list-ops", MD_OPT_FLAG, 0, 0, &s->o.list_ops,
	     "list the ops and their default weights"},
	    {"stall", MD_OPT_DURATION, 100, 1000ull * 3600, &s->o.stall_ms,
	     "a worker without progress this long is a stall: report, exit 4 (default 10s)"},
	    {"chaos-sleep", MD_OPT_U64, 1, 1000000, &s->o.chaos_sleep_us,
	     "microseconds a chaos sleep lasts (default 20)"},
	    {"chaos-at", MD_OPT_STR, 0, 0, &s->o.chaos_at,
	     "race points where chaos applies, e.g. lookup.tryget,split.build (default: all)"},
	    {"chaos", MD_OPT_PROB, 0, 0, &s->o.chaos,
	     "probability of a delay (yield, spin or a 20us sleep) at each race point (default 0)"},
	    {"chaos-kinds", MD_OPT_STR, 0, 0, &s->o.chaos_kinds,
	     "which delays chaos uses: yield,spin,sleep (default all three)"},
	    {"check-every", MD_OPT_DURATION, 10, 1000ull * 3600, &s->o.check_every_ms,
	     "pause all workers this often and run the full invariant check (default off)"},
	    {"stutter", MD_OPT_DURATION, 10, 1000ull * 3600, &s->o.stutter_ms,
	     "alternate load and pause phases of this length (default off)"},
	    {"compactors", MD_OPT_U64, 0, MAX_BG - 1, &s->o.compactors,
	     "background compactor threads, plus one migrator when > 0 (default 1)"},
	    {"rounds", MD_OPT_U64, 1, UINT64_MAX, &s->o.rounds,
	     "instead: up to N short generated programs, each on a fresh core (see README)"},
	    {"search-time", MD_OPT_DURATION, 1, 1000ull * 3600, &s->o.search_ms,
	     "rounds: how long to search a failing round's schedules (default 10s)"},
	    {"artifacts", MD_OPT_STR, 0, 0, &s->o.artifacts,
	     "rounds: where failing programs and reproducers go (default artifacts/)"},
	    {NULL, 0, 0, 0, NULL, NULL},
	};
	int ret;

	s->o.duration_ms = 30000;
	s->o.threads = ncpu < 2 ? 2 : (uint64_t)ncpu;
	s->o.frames = 256;
	s->o.chaos_sleep_us = 20;
	s->o.stall_ms = 10000;
	s->o.compactors = 1;
	s->o.search_ms = 10000;
	s->o.artifacts = "artifacts";
	s->o.argc = argc;
	s->o.argv = argv;
	s->o.seed = (uint64_t)time(NULL) * 2654435761u ^ (uint64_t)getpid();
	ret = md_opt_parse("mdt stress", opts, argc, argv);
	if (ret)
		return ret < 0 ? -1 : ret;
	if (seed) {
		char *end;

		errno = 0;
		s->o.seed = strtoull(seed, &end, 0);
		if (errno || *end || *seed == '\0' || *seed == '-') {
			fprintf(stderr,
				"mdt stress: bad value '%s' for --seed (an unsigned integer)\n",
				seed);
			return MD_EXIT_USAGE;
		}
	}
	if (s->o.chaos > 0 && !MD_RACE_POINTS_ON) {
		fprintf(stderr, "mdt stress: --chaos needs race points; this build has none "
				"(-Drace_points=false): use --build debug, tsan or asan\n");
		return MD_EXIT_USAGE;
	}
	if (s->o.frames % 64) {
		fprintf(stderr, "mdt stress: --frames must be a multiple of 64 (got %" PRIu64 ")\n",
			s->o.frames);
		return MD_EXIT_USAGE;
	}
	return 0;
}

/* --mix name=weight,...: only the listed ops run. */
static int parse_mix(struct stress *s)
{
	char buf[512], *save = NULL, *tok;
	unsigned total = 0;

	memcpy(s->weights, op_default_weights, sizeof(s->weights));
	if (s->o.mix == NULL)
		return 0;
	if (strlen(s->o.mix) >= sizeof(buf))
		goto bad;
	strcpy(buf, s->o.mix);
	memset(s->weights, 0, sizeof(s->weights));
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '='), *end;
		unsigned long w;
		unsigned k;

		if (eq == NULL)
			goto bad;
		*eq = '\0';
		for (k = 0; k < OP__COUNT && strcmp(op_names[k], tok) != 0; k++)
			;
		w = strtoul(eq + 1, &end, 10);
		if (k == OP__COUNT) {
			fprintf(stderr, "mdt stress: unknown op '%s' in --mix (see --list-ops)\n",
				tok);
			return MD_EXIT_USAGE;
		}
		if (*end || eq[1] == '\0' || w > 1000)
			goto bad;
		s->weights[k] = (unsigned)w;
		total += (unsigned)w;
	}
	if (total > 0)
		return 0;
bad:
	fprintf(stderr,
		"mdt stress: bad --mix '%s' (want name=weight,..., weights 0..1000, "
		"not all 0)\n",
		s->o.mix);
	return MD_EXIT_USAGE;
}

/* --chaos-kinds yield,spin,sleep */
static int parse_chaos_kinds(struct stress *s)
{
	static const char *const names[] = {"yield", "spin", "sleep"};
	char buf[64], *save = NULL, *tok;

	s->chaos_kinds = s->o.chaos_kinds ? 0 : CHAOS_ALL;
	if (s->o.chaos_kinds == NULL)
		return 0;
	if (strlen(s->o.chaos_kinds) >= sizeof(buf))
		goto bad;
	strcpy(buf, s->o.chaos_kinds);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned k = 0;

		while (k < 3 && strcmp(names[k], tok) != 0)
			k++;
		if (k == 3)
			goto bad;
		s->chaos_kinds |= 1u << k;
	}
	if (s->chaos_kinds)
		return 0;
bad:
	fprintf(stderr, "mdt stress: bad --chaos-kinds '%s' (some of yield,spin,sleep)\n",
		s->o.chaos_kinds);
	return MD_EXIT_USAGE;
}

/* --chaos-at: race point names; without it chaos applies everywhere. */
static int parse_chaos_at(struct stress *s)
{
	char buf[512], *save = NULL, *tok;

	memset(s->chaos_rp, s->o.chaos_at == NULL, sizeof(s->chaos_rp));
	if (s->o.chaos_at == NULL)
		return 0;
	if (strlen(s->o.chaos_at) >= sizeof(buf)) {
		fprintf(stderr, "mdt stress: --chaos-at is too long\n");
		return MD_EXIT_USAGE;
	}
	strcpy(buf, s->o.chaos_at);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned rp;

		for (rp = 0; rp < MD_RP__COUNT && strcmp(md_race_point_name(rp), tok) != 0; rp++)
			;
		if (rp == MD_RP__COUNT) {
			fprintf(stderr, "mdt stress: unknown race point '%s' in --chaos-at\n", tok);
			return MD_EXIT_USAGE;
		}
		s->chaos_rp[rp] = 1;
	}
	return 0;
}

static void list_ops(void)
{
	printf("%-16s %s\n", "op", "default weight");
	for (unsigned k = 0; k < OP__COUNT; k++)
		printf("%-16s %u\n", op_names[k], op_default_weights[k]);
}

static int resolve_mutant(struct stress *s)
{
	int m;

	s->o.mutant_given = s->o.mutant != NULL;
	if (s->o.mutant == NULL)
		s->o.mutant = getenv("MDT_MUTANT");
	m = md_mutant_lookup(s->o.mutant);
	if (m < 0) {
		fprintf(stderr, "mdt stress: unknown mutant '%s' (see: mdt mutants)\n",
			s->o.mutant);
		return MD_EXIT_USAGE;
	}
	if (m > 0 && !md_mutants_compiled()) {
		fprintf(stderr, "mdt stress: this build has no mutants compiled in "
				"(-Dmutants=false); use --build debug, tsan or asan\n");
		return MD_EXIT_USAGE;
	}
	s->mutant = (unsigned)m;
	return 0;
}

/*
 * Workers past --threads run in the background like the kernel's: the
 * compactors a compaction pass every 10 ms (kcompactd), the migrator one
 * frame every millisecond (NUMA balancing, memory hotplug).
 */
static void background_role(struct stress *s, struct worker *w, unsigned i)
{
	w->fixed_op = -1;
	if (i < s->o.threads)
		return;
	if (i + 1 < s->nw) {
		w->fixed_op = OP_COMPACT;
		w->pace_us = 10000;
	} else {
		w->fixed_op = OP_MIGRATE;
		w->pace_us = 1000;
	}
}

static int start(struct stress *s)
{
	struct md_core_config cfg;

	md_core_config_default(&cfg);
	cfg.nr_frames = s->o.frames;
	cfg.mutant = s->mutant;
	cfg.mapping_slots = (unsigned)(s->o.frames / 8 < 64 ? 64 : s->o.frames / 8);
	if (md_core_create(&cfg, &s->c))
		return MD_EXIT_ENV;
	s->nw = (unsigned)(s->o.threads + (s->o.compactors ? s->o.compactors + 1 : 0));
	s->w = calloc(s->nw, sizeof(*s->w));
	if (s->w == NULL)
		return MD_EXIT_ENV;
	for (unsigned i = 0; i < s->nw; i++) {
		struct worker *w = &s->w[i];

		w->s = s;
		background_role(s, w, i);
		w->rng = s->o.seed * 0x9e3779b97f4a7c15ull + i + 1;
		w->chaos_rng = w->rng ^ 0x5deece66dull;
		if (md_thread_init(&w->t, s->c, i))
			return MD_EXIT_ENV;
		if (s->o.chaos > 0) {
			w->chaos_cut = (uint64_t)(s->o.chaos * 18446744073709551615.0);
			w->t.rp_hook = chaos_hook;
			w->t.rp_arg = w;
		}
	}
	for (unsigned i = 0; i < s->nw; i++)
		if (pthread_create(&s->w[i].th, NULL, worker_main, &s->w[i]))
			return MD_EXIT_ENV;
	return 0;
}

/*
 * The watchdog: a worker whose op count has not moved for --stall is stuck
 * (a lost lock bit, a livelock).  Report where every worker stands.
 * Return: 1 on a stall.
 */
static int watchdog(struct stress *s, uint64_t now, uint64_t *seen, uint64_t *since)
{
	int stalled = 0;

	for (unsigned i = 0; i < s->nw; i++) {
		uint64_t p = ck_pr_load_64(&s->w[i].progress);

		if (p != seen[i] || since[i] == 0 || ck_pr_load_int(&s->w[i].is_parked)) {
			seen[i] = p;
			since[i] = now;
		} else if (now - since[i] >= s->o.stall_ms) {
			stalled = 1;
		}
	}
	if (!stalled)
		return 0;
	s->stalls++;
	printf("\nSTALL: a worker made no progress for %.1fs\n", (double)s->o.stall_ms / 1000);
	for (unsigned i = 0; i < s->nw; i++)
		printf("  t%u: op %s, last race point %s, %" PRIu64 " ops done, idle %.1fs\n", i,
		       op_names[ck_pr_load_uint(&s->w[i].cur_op)],
		       md_race_point_name(ck_pr_load_uint(&s->w[i].t.last_rp)), seen[i],
		       (double)(now - since[i]) / 1000);
	return 1;
}

struct watch {
	uint64_t seen[MAX_WORKERS + MAX_BG], since[MAX_WORKERS + MAX_BG];
};

/*
 * Park every worker (they finish their op first).
 * Return: 0 all parked; 1 the run stopped meanwhile; MD_EXIT_STALL.
 */
static int pause_all(struct stress *s, struct watch *wd)
{
	int ret = 0;

	pthread_mutex_lock(&s->park_lock);
	ck_pr_store_int(&s->pause, 1);
	while (s->parked < s->nw && ret == 0) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 20000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&s->park_cond, &s->park_lock, &ts);
		if (ck_pr_load_int(&s->stop))
			ret = 1;
		else if (watchdog(s, now_ms(), wd->seen, wd->since))
			ret = MD_EXIT_STALL;
	}
	pthread_mutex_unlock(&s->park_lock);
	return ret;
}

static void resume_all(struct stress *s)
{
	pthread_mutex_lock(&s->park_lock);
	ck_pr_store_int(&s->pause, 0);
	pthread_cond_broadcast(&s->park_cond);
	pthread_mutex_unlock(&s->park_lock);
}

/* All workers parked: the quiescent check with what they hold; a violation ends the run. */
static void checkpoint_check(struct stress *s)
{
	static struct md_report r;
	struct held_set h;
	char when[64];
	unsigned n;

	/*
	 * The workers are parked (park_lock handed their state over): finish
	 * their deferred frees on their behalf, so the retire accounting is
	 * quiescent too.
	 */
	for (unsigned i = 0; i < s->nw; i++)
		if (!ck_pr_load_int(&s->w[i].done))
			md_epoch_barrier(&s->w[i].t);
	if (held_build(s, &h)) {
		held_free(&h);
		return;
	}
	snprintf(when, sizeof(when), "checkpoint %" PRIu64, s->checkpoints + 1);
	ck_pr_store_64(&s->checkpoints, s->checkpoints + 1);
	n = md_check_quiescent(s->c, held_refs, &h, &r);
	held_free(&h);
	if (n == 0)
		return;
	printf("\n");
	print_report(when, &r, n);
	pthread_mutex_lock(&s->fail_lock);
	if (s->nfailures++ == 0)
		snprintf(s->failure, sizeof(s->failure), "%s: %u invariant violations", when, n);
	pthread_mutex_unlock(&s->fail_lock);
	ck_pr_store_int(&s->stop, 1);
}

/* --check-every: pause, check, resume (already paused by stutter: just check). */
static int checkpoint(struct stress *s, struct watch *wd, int paused)
{
	int r = paused ? 0 : pause_all(s, wd);

	if (r == 0)
		checkpoint_check(s);
	if (!paused)
		resume_all(s);
	return r == MD_EXIT_STALL ? r : 0;
}

/* --stutter: flip between running and paused. */
static int stutter(struct stress *s, struct watch *wd, int *paused)
{
	if (*paused) {
		resume_all(s);
		*paused = 0;
		return 0;
	}
	*paused = 1;
	return pause_all(s, wd) == MD_EXIT_STALL ? MD_EXIT_STALL : 0;
}

struct clock {
	uint64_t t0, next_check, next_stutter, last_print, last_all, last_t;
	int tty, stuttering;
};

/* One tick of the reporter.  Return: 0 go on, 1 done, MD_EXIT_STALL. */
static int tick(struct stress *s, struct watch *wd, struct clock *k)
{
	uint64_t el = now_ms() - k->t0;
	int r = 0;

	if (el >= s->o.duration_ms || ck_pr_load_int(&s->stop))
		return 1;
	if (!k->stuttering && watchdog(s, now_ms(), wd->seen, wd->since))
		return MD_EXIT_STALL;
	if (el >= k->next_check) {
		r = checkpoint(s, wd, k->stuttering);
		k->next_check = el + s->o.check_every_ms;
	}
	if (r == 0 && el >= k->next_stutter) {
		r = stutter(s, wd, &k->stuttering);
		k->next_stutter = el + s->o.stutter_ms;
	}
	if (el - k->last_print >= (k->tty ? 500u : 5000u)) {
		progress(s, el, &k->last_all, &k->last_t, k->tty);
		k->last_print = el;
	}
	return r;
}

/* Return: 0, or MD_EXIT_STALL (the workers are left running: they are stuck). */
static int run(struct stress *s, double *secs)
{
	static struct watch wd;
	struct clock k = {.t0 = now_ms(), .tty = isatty(STDOUT_FILENO)};
	uint64_t *seen = wd.seen, *since = wd.since;
	int r;

	k.next_check = s->o.check_every_ms ? s->o.check_every_ms : UINT64_MAX;
	k.next_stutter = s->o.stutter_ms ? s->o.stutter_ms : UINT64_MAX;
	while ((r = tick(s, &wd, &k)) == 0)
		usleep(20000);
	if (r == MD_EXIT_STALL)
		return r;
	ck_pr_store_int(&s->stop, 1);
	resume_all(s); /* parked workers see stop */
	/* a stuck worker never sees stop: keep watching while they wind down */
	for (unsigned i = 0; i < s->nw; i++) {
		while (!ck_pr_load_int(&s->w[i].done)) {
			if (watchdog(s, now_ms(), seen, since))
				return MD_EXIT_STALL;
			usleep(1000);
		}
		pthread_join(s->w[i].th, NULL);
	}
	*secs = (double)(now_ms() - k.t0) / 1000;
	progress(s, now_ms() - k.t0, &k.last_all, &k.last_t, k.tty);
	if (k.tty)
		printf("\n");
	return 0;
}

/* The command line that reruns this run: the same options, the seed made explicit. */
static void print_rerun(struct stress *s)
{
	printf("rerun: ./mdt --build %s stress", md_build_variant());
	for (int i = 1; i < s->o.argc; i++) {
		if (strncmp(s->o.argv[i], "--seed", 6) == 0) {
			i += strchr(s->o.argv[i], '=') == NULL; /* skip its value too */
			continue;
		}
		printf(" %s", s->o.argv[i]);
	}
	printf(" --seed %" PRIu64 "%s%s\n", s->o.seed,
	       s->mutant && !s->o.mutant_given ? " --mutant " : "",
	       s->mutant && !s->o.mutant_given ? md_mutant_info(s->mutant)->name : "");
}

static void teardown(struct stress *s)
{
	for (unsigned i = 0; s->w && i < s->nw; i++)
		md_thread_fini(&s->w[i].t);
	md_core_destroy(s->c);
	free(s->w);
}

/* --rounds: the engine's programs on real threads, a fresh core each round. */
static int stress_rounds(struct stress *s)
{
	struct md_rounds_cfg cfg = {.seed = s->o.seed,
				    .rounds = s->o.rounds,
				    .duration_ms = s->o.duration_ms,
				    .threads = s->o.threads,
				    .stall_ms = s->o.stall_ms,
				    .search_ms = s->o.search_ms,
				    .mutant = s->mutant,
				    .chaos = s->o.chaos,
				    .artifacts = s->o.artifacts};
	int ret;

	printf("mdt stress: seed %" PRIu64 ", rounds: up to %" PRIu64 " in %.1fs, %" PRIu64
	       " threads%s%s\n",
	       s->o.seed, s->o.rounds, (double)s->o.duration_ms / 1000, s->o.threads,
	       s->mutant ? ", mutant " : "", s->mutant ? md_mutant_info(s->mutant)->name : "");
	fflush(stdout);
	ret = md_stress_rounds(&cfg);
	if (ret == MD_EXIT_FAIL || ret == MD_EXIT_STALL)
		print_rerun(s);
	printf("mdt stress: %s\n", ret == MD_EXIT_OK	  ? "PASS"
				   : ret == MD_EXIT_STALL ? "STALL"
				   : ret == MD_EXIT_FAIL  ? "FAIL"
							  : "ERROR");
	return ret;
}

int md_stress_main(int argc, char **argv)
{
	struct stress s = {.fail_lock = PTHREAD_MUTEX_INITIALIZER,
			   .park_lock = PTHREAD_MUTEX_INITIALIZER,
			   .park_cond = PTHREAD_COND_INITIALIZER};
	FILE *json = NULL;
	unsigned violations = 0;
	double secs = 0;
	int ret;

	ret = parse(&s, argc, argv);
	if (ret)
		return ret < 0 ? MD_EXIT_OK : ret;
	if (s.o.list_ops) {
		list_ops();
		return MD_EXIT_OK;
	}
	ret = parse_mix(&s);
	if (ret == 0)
		ret = parse_chaos_at(&s);
	if (ret == 0)
		ret = parse_chaos_kinds(&s);
	if (ret)
		return ret;
	ret = resolve_mutant(&s);
	if (ret)
		return ret;
	if (s.o.rounds)
		return stress_rounds(&s);
	if (s.o.json && (json = fopen(s.o.json, "w")) == NULL) {
		fprintf(stderr, "mdt stress: cannot write --json file '%s': %s\n", s.o.json,
			strerror(errno));
		return MD_EXIT_ENV;
	}
	printf("mdt stress: seed %" PRIu64 ", %" PRIu64 " threads + %" PRIu64
	       " compactors%s, %" PRIu64 " frames, %.1fs%s%s\n",
	       s.o.seed, s.o.threads, s.o.compactors, s.o.compactors ? " + 1 migrator" : "",
	       s.o.frames, (double)s.o.duration_ms / 1000, s.mutant ? ", mutant " : "",
	       s.mutant ? md_mutant_info(s.mutant)->name : "");
	fflush(stdout);
	ret = start(&s);
	if (ret) {
		fprintf(stderr, "mdt stress: cannot set up the core (out of memory?)\n");
		goto out;
	}
	if (run(&s, &secs) == MD_EXIT_STALL) {
		if (json)
			write_json(&s, json, (double)s.o.duration_ms / 1000, 0);
		print_rerun(&s);
		printf("mdt stress: STALL\n");
		return MD_EXIT_STALL; /* stuck workers: no summary, no teardown */
	}
	summary(&s, secs);
	if (s.nfailures) {
		printf("\nFAIL: %s (%u failure%s)\n", s.failure, s.nfailures,
		       s.nfailures > 1 ? "s" : "");
	} else {
		violations = final_checks(&s);
	}
	ret = s.nfailures || violations ? MD_EXIT_FAIL : MD_EXIT_OK;
	if (json && write_json(&s, json, secs, violations)) {
		fprintf(stderr, "mdt stress: writing '%s' failed: %s\n", s.o.json, strerror(errno));
		if (ret == MD_EXIT_OK)
			ret = MD_EXIT_ENV;
	}
	json = NULL;
	if (ret == MD_EXIT_FAIL)
		print_rerun(&s);
	printf("mdt stress: %s\n", ret == MD_EXIT_OK ? "PASS" : "FAIL");
out:
	if (json)
		fclose(json);
	if (!s.nfailures)
		teardown(&s);
	return ret;
}
