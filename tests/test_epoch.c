// SPDX-License-Identifier: MIT
/*
 * Unit tests: epoch reclamation (md_epoch.h).  A descriptor retired while
 * another thread is inside a read section must not be freed until that
 * section ends, however often the retiring thread polls.
 */
#include <errno.h>
#include <unistd.h>

#include "md_folio.h"
#include "testutil.h"

struct reader {
	struct md_core *c;
	int phase; /* 1: in section, 2: asked to leave, 3: left */
};

static void *reader_thread(void *p)
{
	struct reader *r = p;
	struct md_thread t;

	md_thread_init(&t, r->c, 1);
	md_epoch_begin(&t);
	ck_pr_store_int(&r->phase, 1);
	while (ck_pr_load_int(&r->phase) != 2)
		usleep(100);
	md_epoch_end(&t);
	ck_pr_store_int(&r->phase, 3);
	md_thread_fini(&t);
	return NULL;
}

static void test_grace(void)
{
	struct tcore tc;
	struct reader r;
	struct md_folio *f;
	pthread_t th;
	uint64_t freed;

	tcore_init(&tc, 1024, 0);
	if (md_core_typesafe(
		tc.c)) { /* test_dcache checks its caches' pages wait for a grace period */
		tap_ok(1, __FILE__, __LINE__, "# SKIP descriptors are not freed one by one here");
		tcore_fini(&tc);
		return;
	}
	r = (struct reader){tc.c, 0};
	pthread_create(&th, NULL, reader_thread, &r);
	while (ck_pr_load_int(&r.phase) != 1)
		usleep(100);
	md_folio_alloc(&tc.t, 0, MD_MT_MOVABLE, &f);
	md_folio_put(&tc.t, f);
	/* this thread's record counts its own retires and frees; the reader's is its own */
	ok(md_record(tc.t.rec)->desc_retired == 1, "last put retires the descriptor");
	for (int i = 0; i < 100; i++)
		md_epoch_poll(&tc.t);
	freed = md_record(tc.t.rec)->desc_freed;
	ok(freed == 0, "100 polls free nothing while a reader's section is open");
	ok(md_epoch_backlog(&tc.t) == 1, "one free pending");
	ck_pr_store_int(&r.phase, 2);
	pthread_join(th, NULL);
	md_epoch_barrier(&tc.t);
	ok(md_record(tc.t.rec)->desc_freed == 1 && md_epoch_backlog(&tc.t) == 0,
	   "after the reader left, the barrier frees it");
	tcore_fini(&tc);
}

static void test_thread_limit(void)
{
	struct tcore tc;
	static struct md_thread t[MD_MAX_THREADS];
	int ret = 0;
	unsigned n = 0;

	tcore_init(&tc, 1024, 0); /* registers one */
	while (n < MD_MAX_THREADS && (ret = md_thread_init(&t[n], tc.c, n + 1)) == 0)
		n++;
	ok(n == MD_MAX_THREADS - 1 && ret == -ENOSPC,
	   "registration stops at %u threads with -ENOSPC", MD_MAX_THREADS);
	while (n)
		md_thread_fini(&t[--n]);
	tcore_fini(&tc);
}

int main(int argc, char **argv)
{
	tap_init(argc, argv);
	test_grace();
	test_thread_limit();
	return tap_done();
}
