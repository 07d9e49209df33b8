// SPDX-License-Identifier: MIT
/* Unit tests: the slab cache (md_slab.h), alone and with threads allocating and freeing. */
#include <errno.h>

#include "md_buddy.h"
#include "md_slab.h"
#include "testutil.h"

static void test_single(void)
{
	struct tcore tc;
	struct md_report r;
	uint64_t h[3 * MD_SLAB_OBJS];
	int bad = 0;

	tcore_init(&tc, 1024, 0);
	for (unsigned i = 0; i < 3 * MD_SLAB_OBJS; i++)
		bad += md_slab_obj_alloc(&tc.t, &h[i]) != 0;
	ok(!bad && tc.c->slab_nr == 3, "%u objects fill exactly 3 slabs", 3 * MD_SLAB_OBJS);
	ok(md_pageblock_mt(&tc.t, h[0] / MD_SLAB_OBJS) == MD_MT_UNMOVABLE,
	   "slabs live in unmovable pageblocks");
	for (unsigned i = 0; i < 3 * MD_SLAB_OBJS; i++)
		bad += md_slab_obj_verify(&tc.t, h[i]) != 0;
	ok(!bad, "every object verifies");
	ok(tcheck(&tc, NULL, NULL, &r) == 0, "checker clean with full slabs");
	ok(md_slab_obj_free(&tc.t, h[0]) == 0, "free an object");
	ok(md_slab_obj_free(&tc.t, h[0]) == -EINVAL, "double free is -EINVAL");
	ok(md_slab_obj_verify(&tc.t, h[0]) == -EINVAL, "a freed object does not verify");
	ok(md_slab_obj_free(&tc.t, (uint64_t)tc.c->nr_frames * MD_SLAB_OBJS) == -EINVAL,
	   "an out-of-range handle is -EINVAL");
	for (unsigned i = 1; i < 3 * MD_SLAB_OBJS; i++)
		bad += md_slab_obj_free(&tc.t, h[i]) != 0;
	ok(!bad && tc.c->slab_nr == 1, "freeing all objects frees all slabs but one (%llu left)",
	   (unsigned long long)tc.c->slab_nr);
	ok(tcheck(&tc, NULL, NULL, &r) == 0, "checker clean after freeing");
	tcore_fini(&tc);
}

struct sl_arg {
	struct md_core *c;
	unsigned id;
	uint64_t seed, bad;
};

static void *sl_thread(void *p)
{
	struct sl_arg *a = p;
	struct md_thread t;
	uint64_t h[64], rng = a->seed;
	unsigned n = 0;

	md_thread_init(&t, a->c, a->id);
	for (unsigned i = 0; i < 50000; i++) {
		if (n < 64 && (n == 0 || tap_rand(&rng) & 1)) {
			if (md_slab_obj_alloc(&t, &h[n]) == 0)
				n++;
			continue;
		}
		unsigned k = (unsigned)(tap_rand(&rng) % n);

		a->bad += md_slab_obj_verify(&t, h[k]) != 0 || md_slab_obj_free(&t, h[k]) != 0;
		h[k] = h[--n];
	}
	while (n)
		a->bad += md_slab_obj_free(&t, h[--n]) != 0;
	md_thread_fini(&t);
	return NULL;
}

static void test_threads(uint64_t seed)
{
	struct tcore tc;
	struct sl_arg a[3];
	struct tpool p;
	struct md_report r;

	tcore_init(&tc, 1024, 0);
	for (unsigned i = 0; i < 3; i++)
		a[i] = (struct sl_arg){tc.c, i + 1, seed + i, 0};
	tpool_run(&p, 3, sl_thread, a, sizeof(a[0]));
	ok(a[0].bad + a[1].bad + a[2].bad == 0, "3 threads: every object verified and freed once");
	ok(tcheck(&tc, NULL, NULL, &r) == 0 && tc.c->slab_nr == 1,
	   "checker clean; one empty slab kept");
	tcore_fini(&tc);
}

int main(int argc, char **argv)
{
	uint64_t seed = tap_init(argc, argv);

	test_single();
	test_threads(seed);
	return tap_done();
}
