// SPDX-License-Identifier: MIT
/*
 * Unit tests: the mapping index (md_index.h), alone and with lock-free
 * lookups racing with insertion and removal (truncation).
 */
#include <errno.h>

#include "md_index.h"
#include "testutil.h"

static void test_single(void)
{
	struct tcore tc;
	struct md_folio *f, *g, *x;
	struct md_report r;

	tcore_init(&tc, 1024, 0);
	md_folio_alloc(&tc.t, 2, MD_MT_MOVABLE, &f);
	md_folio_alloc(&tc.t, 0, MD_MT_MOVABLE, &g);
	md_folio_lock(&tc.t, f);
	ok(md_index_insert(&tc.t, f, 1, 6) == -EINVAL, "misaligned insert is -EINVAL");
	ok(md_index_insert(&tc.t, f, 1, 8) == 0, "insert an order-2 folio at index 8");
	ok(md_index_insert(&tc.t, f, 1, 16) == -EBUSY, "a folio goes in the index once");
	md_folio_unlock(&tc.t, f);
	ok(md_ref_count(&tc.t, md_folio_desc(f)) == 2, "the index holds a reference");
	md_folio_lock(&tc.t, g);
	ok(md_index_insert(&tc.t, g, 1, 10) == -EEXIST, "insert over an occupied slot is -EEXIST");
	md_folio_unlock(&tc.t, g);
	ok(md_index_lookup(&tc.t, 1, 11, &x) == 0 && x == f, "lookup inside the range finds it");
	md_folio_put(&tc.t, x);
	ok(md_index_lookup(&tc.t, 1, 12, &x) == -ENOENT, "lookup past the range is -ENOENT");
	ok(md_index_lookup(&tc.t, 99, 0, &x) == -EINVAL, "unknown mapping is -EINVAL");
	ok(tcheck(&tc, NULL, NULL, &r) == 2 && md_report_count(&r, MD_V_REFCOUNT) == 2,
	   "checker sees exactly the two references the test holds as unexpected");
	md_folio_lock(&tc.t, f);
	ok(md_index_remove(&tc.t, f) == 0 && md_index_remove(&tc.t, f) == -ENOENT,
	   "remove once; twice is -ENOENT");
	ok(md_index_insert(&tc.t, f, 1, 16) == -EBUSY,
	   "a truncated folio never returns to the index");
	md_folio_unlock(&tc.t, f);
	md_folio_put(&tc.t, f);
	md_folio_put(&tc.t, g);
	ok(tcheck(&tc, NULL, NULL, &r) == 0, "checker clean after remove and put");
	tcore_fini(&tc);
}

#define SLOTS 64

struct ix_arg {
	struct md_core *c;
	unsigned id, role; /* 0 inserter, 1 remover, 2 reader */
	uint64_t seed, iters, hits, bad;
	int *writers_left;  /* readers run until both writers are done */
	uint64_t *hits_all; /* all readers' hits (ck_pr): writers run until there are READER_HITS */
};

#define READER_HITS 1000

/* Insert fresh folios at random free slots; the index keeps the only reference. */
static void inserter(struct md_thread *t, struct ix_arg *a, uint64_t *rng)
{
	struct md_folio *f;

	if (md_folio_alloc(t, 0, MD_MT_MOVABLE, &f))
		return;
	md_folio_lock(t, f);
	md_folio_write(t, f, tap_rand(rng));
	md_index_insert(t, f, 0, tap_rand(rng) % SLOTS);
	md_folio_unlock(t, f);
	md_folio_put(t, f);
}

/* Truncate: lock the folio at a slot, recheck, remove. */
static void remover(struct md_thread *t, struct ix_arg *a, uint64_t *rng)
{
	struct md_folio *f;

	if (md_index_lock(t, 0, tap_rand(rng) % SLOTS, &f))
		return;
	md_index_remove(t, f);
	md_folio_unlock(t, f);
	md_folio_put(t, f);
}

static void reader(struct md_thread *t, struct ix_arg *a, uint64_t *rng)
{
	uint64_t idx = tap_rand(rng) % SLOTS;
	struct md_folio *f;

	if (md_index_lock(t, 0, idx, &f))
		return;
	a->hits++;
	ck_pr_inc_64(a->hits_all);
	a->bad += f->mapping != 1 || f->index != idx || md_folio_verify(t, f, NULL) != 0;
	md_folio_unlock(t, f);
	md_folio_put(t, f);
}

static void *ix_thread(void *p)
{
	struct ix_arg *a = p;
	struct md_thread t;
	uint64_t rng = a->seed;

	md_thread_init(&t, a->c, a->id);
	/*
	 * Writers stop after their iterations and once the readers have found
	 * READER_HITS folios, however the threads were scheduled: the readers
	 * overlap the writers by construction, not by timing.
	 */
	for (uint64_t i = 0; a->role < 2 ? i < a->iters || ck_pr_load_64(a->hits_all) < READER_HITS
					 : ck_pr_load_int(a->writers_left) > 0;
	     i++) {
		if (a->role == 0)
			inserter(&t, a, &rng);
		else if (a->role == 1)
			remover(&t, a, &rng);
		else
			reader(&t, a, &rng);
		if (i % 64 == 0)
			md_epoch_poll(&t);
	}
	if (a->role < 2)
		ck_pr_dec_int(a->writers_left);
	md_thread_fini(&t);
	return NULL;
}

static void drain(struct tcore *tc)
{
	struct md_folio *f;

	for (uint64_t i = 0; i < SLOTS; i++) {
		if (md_index_lock(&tc->t, 0, i, &f))
			continue;
		md_index_remove(&tc->t, f);
		md_folio_unlock(&tc->t, f);
		md_folio_put(&tc->t, f);
	}
}

static void test_lookup_vs_remove(uint64_t seed)
{
	struct ix_arg a[4];
	struct tcore tc;
	struct tpool p;
	struct md_report r;
	int writers_left = 2;
	uint64_t hits_all = 0, allocated, retired, freed;

	tcore_init(&tc, 1024, 0);
	for (unsigned i = 0; i < 4; i++)
		a[i] = (struct ix_arg){tc.c, i + 1, i < 2 ? i : 2, seed + i, 100000,
				       0,    0,	    &writers_left, &hits_all};
	tpool_run(&p, 4, ix_thread, a, sizeof(a[0]));
	ok(a[2].hits + a[3].hits >= READER_HITS, "readers found %llu folios",
	   (unsigned long long)(a[2].hits + a[3].hits));
	ok(a[2].bad + a[3].bad == 0, "every locked lookup saw its own index and intact data");
	ok(tcheck(&tc, NULL, NULL, &r) == 0, "checker clean with the index populated");
	drain(&tc);
	md_core_desc_counts(tc.c, &allocated, &retired, &freed);
	ok(tcheck(&tc, NULL, NULL, &r) == 0 && tall_freed(tc.c),
	   "after truncating everything all %llu descriptors were freed",
	   (unsigned long long)allocated);
	tcore_fini(&tc);
}

int main(int argc, char **argv)
{
	uint64_t seed = tap_init(argc, argv);

	test_single();
	test_lookup_vs_remove(seed);
	return tap_done();
}
