// SPDX-License-Identifier: MIT
/*
 * Unit tests: the zsmalloc-like pool (md_zpool.h): objects by handle, page
 * migration through zpdesc's movable operations, and reads racing with it.
 */
#include <errno.h>

#include "md_migrate.h"
#include "md_walk.h"
#include "md_zpool.h"
#include "testutil.h"

static uint64_t page_of(struct md_core *c, uint32_t h)
{
	return (c->zpool->loc[h] - 1) / MD_ZS_SLOTS;
}

static void test_basic(void)
{
	struct tcore tc;
	struct md_report r;
	uint32_t h[20];
	uint64_t pfn;
	int bad = 0;

	tcore_init(&tc, 1024, 0);
	for (unsigned i = 0; i < 20; i++)
		bad += md_zs_alloc(&tc.t, &h[i]) != 0;
	ok(!bad && tc.c->zpool->nr_pages == 3, "20 objects on 3 zpdesc pages");
	for (unsigned i = 0; i < 20; i++)
		bad += md_zs_write(&tc.t, h[i], 100 + i) != 0 || md_zs_verify(&tc.t, h[i]) != 0;
	ok(!bad, "write and read back every object");
	pfn = page_of(tc.c, h[0]);
	ok(md_migrate_frame(&tc.t, pfn) == 0 && page_of(tc.c, h[0]) != pfn,
	   "migrate the first page: its handles now point elsewhere");
	for (unsigned i = 0; i < 20; i++)
		bad += md_zs_verify(&tc.t, h[i]) != 0;
	ok(!bad, "every handle still reads its object");
	ok(tcheck(&tc, NULL, NULL, &r) == 0, "checker clean");
	ok(md_zs_free(&tc.t, h[3]) == 0 && md_zs_free(&tc.t, h[3]) == -EINVAL,
	   "double free is -EINVAL");
	ok(md_zs_verify(&tc.t, h[3]) == -EINVAL, "a freed handle does not verify");
	for (unsigned i = 0; i < 20; i++)
		if (i != 3)
			bad += md_zs_free(&tc.t, h[i]) != 0;
	ok(!bad && tc.c->zpool->nr_pages == 0, "freeing everything releases every page");
	ok(tcheck(&tc, NULL, NULL, &r) == 0 && tall_freed(tc.c),
	   "checker clean, no descriptor left");
	tcore_fini(&tc);
}

/*
 * Regression: zpdesc free vs migration (zsmalloc's async free vs page
 * migration).
 *  1. T2 isolates a zpdesc page Z holding one object.
 *  2. T1 frees that object: Z is empty but isolated, so T1 must not release it.
 *  3. T2's migration finds Z empty and fails (-EAGAIN); T2 puts Z back.
 *  4. The putback releases Z: freed once, nothing leaked.
 */
static void test_free_vs_isolation(void)
{
	struct tcore tc;
	struct md_report r;
	struct md_desc *z, *nd;
	uint32_t h;

	tcore_init(&tc, 1024, 0);
	md_zs_alloc(&tc.t, &h);
	ok(md_lookup_frame(&tc.t, page_of(tc.c, h), &z) == 0 && md_isolate(&tc.t, z) == 0,
	   "T2 isolated the page");
	ok(md_zs_free(&tc.t, h) == 0 && tc.c->zpool->nr_pages == 1,
	   "T1 freed its last object; the isolated page stays");
	ok(md_migrate(&tc.t, z, MD_PFN_ANY, &nd) == -EAGAIN,
	   "T2's migration of the empty page fails");
	md_putback(&tc.t, z);
	ok(tc.c->zpool->nr_pages == 0, "the putback released it");
	ok(tcheck(&tc, NULL, NULL, &r) == 0 && tall_freed(tc.c),
	   "checker clean, freed exactly once");
	tcore_fini(&tc);
}

struct zr_arg {
	struct md_core *c;
	unsigned id;
	uint64_t seed, bad, migrated;
	int *users_left;
	struct zr_arg *others; /* the migrator's record */
};

static void *zr_user(struct zr_arg *a)
{
	struct md_thread t;
	uint64_t rng = a->seed;
	uint32_t h[32];
	unsigned n = 0;

	md_thread_init(&t, a->c, a->id);
	/* run until the migrator has moved pages under us: an event, not a time */
	for (unsigned i = 0; i < 30000 || ck_pr_load_64(&a->others->migrated) < 200; i++) {
		uint64_t r = tap_rand(&rng);

		if (n < 32 && (n == 0 || r % 3 == 0)) {
			n += md_zs_alloc(&t, &h[n]) == 0;
		} else if (r % 3 == 1) {
			a->bad += md_zs_verify(&t, h[--n]) != 0 || md_zs_free(&t, h[n]) != 0;
		} else {
			uint32_t k = h[r % n];

			a->bad += md_zs_verify(&t, k) != 0 || md_zs_write(&t, k, r) != 0;
		}
	}
	while (n)
		a->bad += md_zs_free(&t, h[--n]) != 0;
	ck_pr_dec_int(a->users_left);
	md_thread_fini(&t);
	return NULL;
}

static void *zr_migrator(struct zr_arg *a)
{
	struct md_thread t;
	uint64_t rng = a->seed;

	md_thread_init(&t, a->c, a->id);
	while (ck_pr_load_int(a->users_left) > 0)
		if (md_migrate_frame(&t, tap_rand(&rng) % a->c->nr_frames) == 0)
			ck_pr_store_64(&a->migrated, a->migrated + 1);
	md_thread_fini(&t);
	return NULL;
}

static void *zr_thread(void *p)
{
	struct zr_arg *a = p;

	return a->id == 0 ? zr_migrator(a) : zr_user(a);
}

static void test_read_vs_migrate(uint64_t seed)
{
	struct tcore tc;
	struct md_report r;
	struct zr_arg a[3];
	struct tpool p;
	int users = 2;

	tcore_init(&tc, 256, 0);
	for (unsigned i = 0; i < 3; i++)
		a[i] = (struct zr_arg){tc.c, i, seed + i, 0, 0, &users, &a[0]};
	tpool_run(&p, 3, zr_thread, a, sizeof(a[0]));
	ok(a[0].migrated >= 200, "the migrator moved %llu zpdesc pages",
	   (unsigned long long)a[0].migrated);
	ok(a[1].bad + a[2].bad == 0, "every read, write and free found its object");
	ok(tcheck(&tc, NULL, NULL, &r) == 0 && tc.c->zpool->nr_pages == 0,
	   "checker clean, pool empty");
	tcore_fini(&tc);
}

int main(int argc, char **argv)
{
	uint64_t seed = tap_init(argc, argv);

	test_basic();
	test_free_vs_isolation();
	test_read_vs_migrate(seed);
	return tap_done();
}
