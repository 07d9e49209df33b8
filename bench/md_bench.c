// SPDX-License-Identifier: MIT
/*
 * md_bench.c - core throughput and metadata footprint, one JSON line per
 * measurement (bench/bench.py runs it and draws the tables).
 *
 *   md_bench throughput --kind K --threads N [--time T] [--frames F] [--seed S]
 *   md_bench footprint --mix orderN|large [--frames F]
 *   both take --design DESIGN (md_core_designs: one-epoch, two-typesafe, ...)
 *
 * Throughput kinds: lookup (md_lookup_frame + put), lockframe (lock by frame,
 * unlock, put), index_lookup (mapping-index lookup + put), alloc_put (an
 * order-0 folio allocated and freed), and floor: the raw lookup protocol on
 * a bare array -- load the word, add-unless-zero on the refcount, reload,
 * put -- with the same ck_pr atomics and no epoch, race point or core: the
 * floor the lock-free lookup is measured against.  The pool is filled to
 * three quarters with folios of order 0..3 before the clock starts; each
 * thread walks random frames from its own md_rand stream.
 *
 * Footprint mixes fill the pool with order-0 folios or with max-order
 * folios until allocation fails, then report md_core_footprint().
 * The default stress mix's footprint comes from `mdt stress --json`.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ck_pr.h>

#include "cli/md_opt.h"
#include "md_check.h"
#include "md_core.h"
#include "md_epoch.h"
#include "md_folio.h"
#include "md_index.h"
#include "md_rand.h"
#include "md_walk.h"

#define MAX_THREADS 64
#define MAX_HELD    (1u << 20)

enum kind { K_LOOKUP, K_LOCKFRAME, K_INDEX_LOOKUP, K_ALLOC_PUT, K_FLOOR, K__COUNT };
static const char *const kind_names[K__COUNT] = {"lookup", "lockframe", "index_lookup", "alloc_put",
						 "floor"};

struct bench {
	uint64_t threads, frames, time_ms, seed;
	enum kind kind;
	int design; /* md_core_designs index */
	struct md_core *c;
	struct md_folio **held;
	unsigned nheld;
	struct floor_desc *floor;
	uint64_t *floor_words;
	unsigned stop; /* ck_pr: set by the main thread when the time is up */
};

struct worker {
	struct bench *b;
	unsigned id;
	uint64_t ops;
	int failed; /* no md_thread: the measurement is void */
	pthread_t tid;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the floor: the lookup protocol on a bare array ---- */

struct floor_desc {
	uint32_t ref;
	uint32_t pad;
};

static int floor_setup(struct bench *b)
{
	b->floor = calloc(b->frames, sizeof(*b->floor));
	b->floor_words = calloc(b->frames, sizeof(*b->floor_words));
	if (!b->floor || !b->floor_words)
		return -ENOMEM;
	/* the same occupancy as the core: three frames in four have an owner */
	for (uint64_t i = 0; i < b->frames; i++) {
		b->floor[i].ref = 1;
		if (i % 4 != 3)
			b->floor_words[i] = (uint64_t)(uintptr_t)&b->floor[i];
	}
	return 0;
}

/* add-unless-zero, as md_ref_tryget() */
static int floor_tryget(struct floor_desc *d)
{
	uint32_t r = ck_pr_load_32(&d->ref);

	while (r != 0)
		if (ck_pr_cas_32_value(&d->ref, r, r + 1, &r))
			return 1;
	return 0;
}

static void floor_lookup(struct bench *b, uint64_t pfn)
{
	struct floor_desc *d;
	uint64_t w;

	for (;;) {
		w = ck_pr_load_64(&b->floor_words[pfn]);
		ck_pr_fence_acquire(); /* the descriptor is read after the word */
		d = (struct floor_desc *)(uintptr_t)w;
		if (d == NULL)
			return;
		if (!floor_tryget(d))
			continue;
		if (ck_pr_load_64(&b->floor_words[pfn]) == w) /* revalidate */
			break;
		ck_pr_dec_32(&d->ref);
	}
	ck_pr_dec_32(&d->ref); /* put */
}

/* ---- the core: fill, then one op per kind ---- */

static int fill(struct bench *b, struct md_thread *t)
{
	uint64_t target = b->frames * 3 / 4, used = 0;
	uint64_t rng = b->seed;
	struct md_folio *f;

	b->held = calloc(MAX_HELD, sizeof(*b->held));
	if (!b->held)
		return -ENOMEM;
	while (used < target && b->nheld < MAX_HELD) {
		unsigned order = (unsigned)(md_rand(&rng) % 4);

		if (md_folio_alloc(t, order, MD_MT_MOVABLE, &f))
			continue;
		if (b->nheld < b->c->cfg.mapping_slots)
			md_index_insert(t, f, 0, b->nheld);
		b->held[b->nheld++] = f;
		used += 1u << order;
	}
	return 0;
}

static void core_op(struct bench *b, struct md_thread *t, uint64_t r)
{
	struct md_desc *d;
	struct md_folio *f;

	switch (b->kind) {
	case K_LOOKUP:
		if (md_lookup_frame(t, r % b->frames, &d) == 0)
			md_desc_put(t, d);
		break;
	case K_LOCKFRAME:
		if (md_lock_frame(t, r % b->frames, &d) == 0) {
			md_desc_unlock(t, d);
			md_desc_put(t, d);
		}
		break;
	case K_INDEX_LOOKUP:
		if (md_index_lookup(t, 0, r % b->c->cfg.mapping_slots, &f) == 0)
			md_folio_put(t, f);
		break;
	case K_ALLOC_PUT:
		if (md_folio_alloc(t, 0, MD_MT_MOVABLE, &f) == 0)
			md_folio_put(t, f);
		break;
	default:
		break;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct bench *b = w->b;
	struct md_thread t;
	uint64_t rng = b->seed * 1000003u + w->id, n = 0;

	if (b->kind != K_FLOOR && md_thread_init(&t, b->c, w->id + 1)) {
		w->failed = 1;
		return NULL;
	}
	while (!ck_pr_load_uint(&b->stop)) {
		for (unsigned i = 0; i < 1024; i++, n++) {
			if (b->kind == K_FLOOR)
				floor_lookup(b, md_rand(&rng) % b->frames);
			else
				core_op(b, &t, md_rand(&rng));
		}
	}
	w->ops = n;
	if (b->kind != K_FLOOR)
		md_thread_fini(&t);
	return NULL;
}

static int setup(struct bench *b, struct md_thread *t)
{
	struct md_core_config cfg;
	int ret;

	if (b->kind == K_FLOOR)
		return floor_setup(b);
	md_core_config_default(&cfg);
	md_core_config_design(&cfg, (unsigned)b->design);
	cfg.nr_frames = b->frames;
	cfg.mapping_slots = (unsigned)(b->frames / 4);
	ret = md_core_create(&cfg, &b->c);
	if (ret)
		return ret;
	ret = md_thread_init(t, b->c, 0);
	if (ret) {
		md_core_destroy(b->c);
		b->c = NULL; /* teardown() finds no thread to finish */
		return ret;
	}
	return fill(b, t);
}

static void teardown(struct bench *b, struct md_thread *t)
{
	if (b->c) {
		for (unsigned i = 0; i < b->nheld; i++)
			md_folio_put(t, b->held[i]);
		md_epoch_barrier(t);
		md_thread_fini(t);
		md_core_destroy(b->c);
	}
	free(b->held);
	free(b->floor);
	free(b->floor_words);
}

static int run_throughput(struct bench *b)
{
	struct worker w[MAX_THREADS];
	struct md_thread t;
	uint64_t ops = 0;
	double t0, secs;
	unsigned n = 0;
	int ret = setup(b, &t);

	if (ret)
		goto out;
	t0 = now_s();
	for (; n < b->threads; n++) {
		w[n] = (struct worker){.b = b, .id = n};
		ret = -pthread_create(&w[n].tid, NULL, worker_main, &w[n]);
		if (ret)
			break;
	}
	if (ret == 0)
		nanosleep(&(struct timespec){.tv_sec = (time_t)(b->time_ms / 1000),
					     .tv_nsec = (long)(b->time_ms % 1000) * 1000000},
			  NULL);
	ck_pr_store_uint(&b->stop, 1);
	for (unsigned i = 0; i < n; i++) {
		pthread_join(w[i].tid, NULL);
		ops += w[i].ops;
		if (w[i].failed)
			ret = -ENOMEM;
	}
	if (ret)
		goto out;
	secs = now_s() - t0;
	printf("{\"bench\": \"throughput\", \"kind\": \"%s\", \"design\": \"%s\", "
	       "\"core_lock\": \"%s\", \"threads\": %" PRIu64 ", \"frames\": %" PRIu64
	       ", \"seconds\": %.3f, "
	       "\"ops\": %" PRIu64 ", \"ops_per_s\": %.0f}\n",
	       kind_names[b->kind], md_core_designs[b->design],
	       b->kind == K_FLOOR    ? "none"
	       : MD_CORE_LOCK_GLOBAL ? "global"
				     : "lockfree",
	       b->threads, b->frames, secs, ops, (double)ops / secs);
out:
	teardown(b, &t);
	if (ret)
		fprintf(stderr, "md_bench: cannot run the measurement: %s\n", strerror(-ret));
	return ret ? MD_EXIT_ENV : MD_EXIT_OK;
}

/* ---- footprint ---- */

/* --mix: "orderN" (N <= @max) or "large" (@max).  Return: 0, or -1. */
static int footprint_order(const char *mix, unsigned max, unsigned *order)
{
	char *end;
	unsigned long n;

	if (strcmp(mix, "large") == 0) {
		*order = max;
		return 0;
	}
	if (strncmp(mix, "order", 5) != 0 || mix[5] < '0' || mix[5] > '9')
		return -1;
	n = strtoul(mix + 5, &end, 10);
	if (*end != '\0' || n > max)
		return -1;
	*order = (unsigned)n;
	return 0;
}

static int run_footprint(struct bench *b, const char *mix)
{
	struct md_core_config cfg;
	struct md_footprint fp;
	struct md_thread t;
	unsigned order;
	int ret;

	md_core_config_default(&cfg);
	md_core_config_design(&cfg, (unsigned)b->design);
	cfg.nr_frames = b->frames;
	if (footprint_order(mix, cfg.max_order, &order)) {
		fprintf(stderr, "md_bench: --mix '%s': order0..order%u or large\n", mix,
			cfg.max_order);
		return MD_EXIT_USAGE;
	}
	ret = md_core_create(&cfg, &b->c);
	if (ret == 0)
		ret = md_thread_init(&t, b->c, 0);
	if (ret) {
		fprintf(stderr, "md_bench: cannot create the core: %s\n", strerror(-ret));
		return MD_EXIT_ENV;
	}
	b->held = calloc(b->frames, sizeof(*b->held));
	while (b->held && b->nheld < b->frames &&
	       md_folio_alloc(&t, order, MD_MT_MOVABLE, &b->held[b->nheld]) == 0)
		b->nheld++;
	md_core_footprint(b->c, &fp);
	printf("{\"bench\": \"footprint\", \"design\": \"%s\", \"mix\": \"%s\", \"order\": %u, "
	       "\"frames\": %" PRIu64 ", \"owned_frames\": %" PRIu64 ", \"folios\": %" PRIu64
	       ", \"word_bytes\": %" PRIu64 ", \"desc_bytes\": %" PRIu64
	       ", \"zone_bytes\": %" PRIu64
	       ", \"bytes_per_frame\": %.2f, \"folio_struct_bytes\": %zu}\n",
	       md_core_designs[b->design], mix, order, fp.frames, fp.owned_frames,
	       fp.descs[MD_T_FOLIO], fp.word_bytes, fp.desc_bytes, fp.zone_bytes,
	       (double)(fp.word_bytes + fp.desc_bytes + fp.zone_bytes) / (double)fp.frames,
	       sizeof(struct md_folio));
	teardown(b, &t);
	return MD_EXIT_OK;
}

static int parse_kind(const char *s, enum kind *k)
{
	for (unsigned i = 0; i < K__COUNT; i++)
		if (strcmp(s, kind_names[i]) == 0) {
			*k = (enum kind)i;
			return 0;
		}
	fprintf(
	    stderr,
	    "md_bench: unknown --kind '%s' (lookup, lockframe, index_lookup, alloc_put, floor)\n",
	    s);
	return MD_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	struct bench b = {.threads = 1, .frames = 65536, .time_ms = 1000, .seed = 1};
	const char *kind = "lookup", *mix = NULL, *design = md_core_designs[0], *pos[1];
	int npos = 0, ret;
	const struct md_opt opts[] = {
	    {"kind", MD_OPT_STR, 0, 0, &kind,
	     "throughput: lookup, lockframe, index_lookup, alloc_put, floor"},
	    {"threads", MD_OPT_U64, 1, MAX_THREADS, &b.threads, "threads (default 1)"},
	    {"time", MD_OPT_DURATION, 10, 3600000, &b.time_ms, "measuring time (default 1s)"},
	    {"frames", MD_OPT_U64, 64, (uint64_t)1 << 24, &b.frames,
	     "pool frames, a multiple of 64 (default 65536)"},
	    {"seed", MD_OPT_U64, 0, UINT64_MAX, &b.seed, "random seed (default 1)"},
	    {"mix", MD_OPT_STR, 0, 0, &mix,
	     "footprint: orderN (every frame in folios of order N) or large (max order)"},
	    {"design", MD_OPT_STR, 0, 0, &design,
	     "the core's design, as `mdt targets` lists them after core: (default one-epoch)"},
	    {NULL, 0, 0, 0, NULL, NULL},
	};

	ret = md_opt_parse_args("md_bench", opts, argc, argv, pos, 1, &npos);
	if (ret)
		return ret < 0 ? MD_EXIT_OK : ret;
	b.design = md_core_design_lookup(design);
	if (b.design < 0) {
		fprintf(stderr, "md_bench: unknown --design '%s' (see --help)\n", design);
		return MD_EXIT_USAGE;
	}
	if (npos == 1 && strcmp(pos[0], "throughput") == 0) {
		ret = parse_kind(kind, &b.kind);
		return ret ? ret : run_throughput(&b);
	}
	if (npos == 1 && strcmp(pos[0], "footprint") == 0 && mix)
		return run_footprint(&b, mix);
	fprintf(stderr,
		"usage: md_bench throughput --kind K [--threads N] [--time T] [--frames F]\n"
		"       md_bench footprint --mix orderN|large [--frames F]\n");
	return MD_EXIT_USAGE;
}
