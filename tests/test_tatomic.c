// SPDX-License-Identifier: MIT
/*
 * Unit tests: the targets' atomics (harness/md_tatomic.h): each access
 * passes its race point before it runs (a hook that changes the word at the
 * point sees the access act on the changed word), reports what it did to
 * explain, and does what its C11 builtin does, for every width and sign.
 */
#include "md_tatomic.h"
#include "tap.h"

static struct {
	unsigned points, last_rp, values, kind;
	uint64_t v[3];
	uint32_t *poke; /* the hook writes poke_value here at the race point */
	uint32_t poke_value;
} seen;

static void hook(struct md_thread *t, unsigned rp, unsigned flags)
{
	(void)t;
	(void)flags;
	seen.points++;
	seen.last_rp = rp;
	if (seen.poke)
		*seen.poke = seen.poke_value; /* "another thread ran here" */
}

static void value(struct md_thread *t, unsigned kind, uint64_t a, uint64_t b, uint64_t c)
{
	(void)t;
	seen.values++;
	seen.kind = kind;
	seen.v[0] = a, seen.v[1] = b, seen.v[2] = c;
}

static struct md_thread th = {.rp_hook = hook, .rv_hook = value};

static void test_point_before_access(void)
{
	uint32_t x = 1, expected = 1;
	bool ok;

	seen.poke = &x, seen.poke_value = 7;
	ok = md_ta_cas_u32(&th, 42, &x, &expected, 2, __ATOMIC_ACQ_REL);
	seen.poke = NULL;
	ok(!ok && expected == 7 && x == 7 && seen.last_rp == 42,
	   "cas: the race point runs first, so a write there makes the CAS fail and report it "
	   "(found %u)",
	   expected);
	ok(seen.kind == MD_RV_CAS && seen.v[0] == 1 && seen.v[1] == 2 && seen.v[2] == 7,
	   "... and explain hears expected 1, new 2, found 7");
}

#define CHECK_TYPE(S, T)                                                                           \
	do {                                                                                       \
		T w = (T)5, e = (T)5;                                                              \
		unsigned p0 = seen.points, v0 = seen.values;                                       \
		int good = md_ta_load_##S(&th, 1, &w, __ATOMIC_ACQUIRE) == (T)5;                   \
		md_ta_store_##S(&th, 1, &w, (T)-3, __ATOMIC_RELEASE);                              \
		good &= w == (T)-3 && md_ta_xchg_##S(&th, 1, &w, (T)9, __ATOMIC_SEQ_CST) == (T)-3; \
		good &=                                                                            \
		    md_ta_fetch_add_##S(&th, 1, &w, (T)2, __ATOMIC_RELAXED) == (T)9 && w == (T)11; \
		good &= md_ta_fetch_sub_##S(&th, 1, &w, (T)1, __ATOMIC_RELAXED) == (T)11;          \
		good &= md_ta_fetch_and_##S(&th, 1, &w, (T)6, __ATOMIC_RELAXED) == (T)10;          \
		good &= md_ta_fetch_or_##S(&th, 1, &w, (T)1, __ATOMIC_RELAXED) == (T)2;            \
		good &=                                                                            \
		    md_ta_fetch_xor_##S(&th, 1, &w, (T)3, __ATOMIC_RELAXED) == (T)3 && w == (T)0;  \
		good &= !md_ta_cas_##S(&th, 1, &w, &e, (T)1, __ATOMIC_ACQUIRE) && e == (T)0;       \
		good &= md_ta_cas_##S(&th, 1, &w, &e, (T)1, __ATOMIC_RELEASE) && w == (T)1;        \
		ok(good &&seen.points - p0 == 10 && seen.values - v0 == 10,                        \
		   #S ": load, store, xchg, five fetch-ops, cas both ways: results right, 10 "     \
		      "race points, 10 values");                                                   \
	} while (0)

static void test_types(void)
{
	CHECK_TYPE(u8, uint8_t);
	CHECK_TYPE(u16, uint16_t);
	CHECK_TYPE(u32, uint32_t);
	CHECK_TYPE(u64, uint64_t);
	CHECK_TYPE(i8, int8_t);
	CHECK_TYPE(i16, int16_t);
	CHECK_TYPE(i32, int32_t);
	CHECK_TYPE(i64, int64_t);
}

static void test_ptr_and_sign(void)
{
	static int a, b;
	void *p = &a, *e = &a;
	int8_t s = -1;

	ok(md_ta_cas_ptr(&th, 3, &p, &e, &b, __ATOMIC_ACQ_REL) && p == &b &&
	       md_ta_xchg_ptr(&th, 3, &p, &a, __ATOMIC_SEQ_CST) == &b &&
	       md_ta_load_ptr(&th, 3, &p, __ATOMIC_ACQUIRE) == &a,
	   "ptr: cas, xchg, load");
	(void)md_ta_load_i8(&th, 4, &s, __ATOMIC_RELAXED);
	ok(seen.kind == MD_RV_LOAD && seen.v[0] == 0xff,
	   "a signed byte's -1 reaches explain as 0xff, its width (got %#llx)",
	   (unsigned long long)seen.v[0]);
}

int main(int argc, char **argv)
{
	tap_init(argc, argv);
	if (!MD_RACE_POINTS_ON) {
		printf("1..0 # SKIP race points are compiled out of this build\n");
		return 0;
	}
	test_point_before_access();
	test_types();
	test_ptr_and_sign();
	return tap_done();
}
