// SPDX-License-Identifier: MIT
/*
 * md_walk.c - lookup and lock by frame number.
 *
 * Invariant the walkers establish: a returned descriptor covered @pfn at the
 * reload (lookup) or still covers it under its lock (lock by frame).  Their
 * retry loops end their epoch section before retrying, so a walker never
 * holds up a grace period while it spins.
 *
 * Locks (ordering: md_core.h): only the descriptor lock, after the reference.
 */
#include <errno.h>

#include "md_epoch.h"
#include "md_folio.h"
#include "md_slab.h"
#include "md_walk.h"
#include "md_zpool.h"

enum { TRY_OK, TRY_NONE, TRY_RETRY };

/*
 * One attempt of the lock-free lookup protocol; in an epoch section.  With
 * @reload false the caller revalidates later itself (under the lock).
 */
static int lookup_once(struct md_thread *t, uint64_t pfn, bool reload, struct md_desc **out)
{
	struct md_frames *fr = &t->core->fr;
	/* acquire: pairs with md_desc_publish()'s release of the word */
	uint64_t w = md_frame_load(t, MD_RP_LOOKUP_LOAD, fr, pfn);
	struct md_desc *d;

	if (!md_word_is_desc(w))
		return TRY_NONE;
	d = md_word_desc(w);
	if (!md_ref_tryget(t, d, MD_RP_LOOKUP_TRYGET))
		return TRY_RETRY;
	/*
	 * MUTANT gup_no_recheck: correct code reloads the word; without it a
	 * folio that was split between the load and the try-get is returned
	 * for a frame it no longer covers.
	 */
	if (reload && !md_mutant(t, GUP_NO_RECHECK) &&
	    !md_frame_recheck(t, MD_RP_LOOKUP_RELOAD, fr, pfn, w)) {
		t->stats[MD_ST_REVALIDATE]++;
		md_desc_put(t, d);
		return TRY_RETRY;
	}
	*out = d;
	return TRY_OK;
}

/* The global-lock baseline: one spinlock serialises readers and publishers. */
static int lookup_once_global(struct md_thread *t, uint64_t pfn, struct md_desc **out)
{
	struct md_core *c = t->core;
	int ret = TRY_NONE;
	uint64_t w;

	md_spin_lock(t, MD_RP_GLOBAL_LOCK, &c->big_lock);
	w = md_frame_load_relaxed(t, MD_RP_LOOKUP_LOAD, &c->fr, pfn);
	if (md_word_is_desc(w)) {
		*out = md_word_desc(w);
		ret = md_ref_tryget(t, *out, MD_RP_LOOKUP_TRYGET) ? TRY_OK : TRY_RETRY;
	}
	md_spin_unlock(t, MD_RP_GLOBAL_LOCK, &c->big_lock);
	return ret;
}

static int lookup(struct md_thread *t, uint64_t pfn, bool reload, struct md_desc **out)
{
	int r;

	if (pfn >= t->core->nr_frames)
		return -EINVAL;
	for (;;) {
		md_epoch_begin(t);
		r = MD_CORE_LOCK_GLOBAL ? lookup_once_global(t, pfn, out)
					: lookup_once(t, pfn, reload, out);
		md_epoch_end(t);
		if (r != TRY_RETRY)
			return r == TRY_OK ? 0 : -ENOENT;
		md_race_spin(t, MD_RP_LOOKUP_LOAD);
	}
}

int md_lookup_frame(struct md_thread *t, uint64_t pfn, struct md_desc **out)
{
	return lookup(t, pfn, true, out);
}

/* Does @d still own @pfn?  Under @d's lock the answer cannot change. */
static bool still_owns(struct md_thread *t, struct md_desc *d, uint64_t pfn)
{
	/* under @d's lock, with a reference, the answer is stable */
	return md_frame_recheck(t, MD_RP_LOCKF_RECHECK, &t->core->fr, pfn,
				md_word_make(d, d->type));
}

int md_lock_frame(struct md_thread *t, uint64_t pfn, struct md_desc **out)
{
	struct md_desc *d;
	int ret;

	for (;;) {
		/* no reload here: the recheck under the lock subsumes it */
		ret = lookup(t, pfn, false, &d);
		if (ret)
			return ret;
		md_race_point(t, MD_RP_LOCKF_LOCK);
		md_desc_lock(t, d);
		/*
		 * MUTANT lock_no_recheck: correct code rechecks membership here;
		 * without it the caller may work on a frame its lock no longer
		 * covers.
		 */
		if (md_mutant(t, LOCK_NO_RECHECK) || still_owns(t, d, pfn)) {
			*out = d;
			return 0;
		}
		t->stats[MD_ST_LOCK_RECHECK]++;
		md_desc_unlock(t, d);
		md_desc_put(t, d);
	}
}

int md_desc_verify(struct md_thread *t, struct md_desc *d)
{
	switch (d->type) {
	case MD_T_FOLIO:
		return md_folio_verify(t, md_desc_folio(d), NULL);
	case MD_T_SLAB:
		return md_slab_verify(t, md_desc_slab(d));
	case MD_T_ZPDESC:
		return md_zpdesc_verify(t, md_desc_zpdesc(d));
	}
	return -EIO; /* a descriptor of no known type */
}
