// SPDX-License-Identifier: MIT
/*
 * md_index.c - the mapping index.
 *
 * Invariants: a folio f with f->mapping = m + 1 occupies exactly the slots
 * [f->index, f->index + nr) of mapping m, each holding md_word_make(f,
 * FOLIO), and holds one reference for the index; f->mapping == 0 means f is
 * in no slot.  A folio enters the index at most once (f->truncated).  f->mapping/index change under
 * f's lock and index_lock.  A destroyed mapping (mapping_dead, under index_lock) is empty once its
 * destroy returns and stays empty until it is created again.
 *
 * Locks (ordering: md_core.h): index_lock, under the folio lock.
 */
#include <errno.h>

#include "md_epoch.h"
#include "md_index.h"

uint64_t *md_index_slot(struct md_core *c, unsigned mapping, uint64_t index)
{
	if (mapping >= c->cfg.nr_mappings || index >= c->cfg.mapping_slots)
		return NULL;
	return &c->index_slots[(uint64_t)mapping * c->cfg.mapping_slots + index];
}

/* Under index_lock: no slot of the range changes meanwhile. */
static bool range_free(struct md_thread *t, uint64_t *slot, uint64_t nr)
{
	for (uint64_t i = 0; i < nr; i++)
		if (md_load_relaxed64(t, MD_RP_INDEX_LOAD, &slot[i]) != 0)
			return false;
	return true;
}

int md_index_insert(struct md_thread *t, struct md_folio *f, unsigned mapping, uint64_t index)
{
	struct md_core *c = t->core;
	uint64_t nr = md_desc_nr(md_folio_desc(f));
	uint64_t *slot = md_index_slot(c, mapping, index);
	int ret = 0;

	if (slot == NULL || index % nr || index + nr > c->cfg.mapping_slots)
		return -EINVAL;
	/*
	 * MUTANT index_reinsert: correct code adds a folio once, as the kernel
	 * never re-adds a truncated folio (it is freed); a lookup that found
	 * @f before the truncation and locks it after relies on that: if @f is
	 * in this mapping, it is where it was found.
	 */
	if (f->mapping != 0 || (f->truncated && !md_mutant(t, INDEX_REINSERT)))
		return -EBUSY;
	md_spin_lock(t, MD_RP_INDEX_STORE, &c->index_lock);
	if (c->mapping_dead[mapping]) {
		ret = -ENOENT;
		goto out;
	}
	if (!range_free(t, slot, nr)) {
		ret = -EEXIST;
		goto out;
	}
	f->mapping = (uint16_t)(mapping + 1);
	f->index = (uint32_t)index;
	md_folio_get(t, f);
	/* release: f->mapping/index before the slot; pairs with lookup_once()'s acquire */
	for (uint64_t i = 0; i < nr; i++)
		md_store_release64(t, MD_RP_INDEX_STORE, &slot[i], md_word_make(f, MD_T_FOLIO));
out:
	md_spin_unlock(t, MD_RP_INDEX_STORE, &c->index_lock);
	return ret;
}

int md_index_remove(struct md_thread *t, struct md_folio *f)
{
	struct md_core *c = t->core;
	uint64_t nr = md_desc_nr(md_folio_desc(f));
	uint64_t *slot;

	if (f->mapping == 0)
		return -ENOENT;
	slot = md_index_slot(c, f->mapping - 1, f->index);
	md_spin_lock(t, MD_RP_INDEX_STORE, &c->index_lock);
	for (uint64_t i = 0; i < nr; i++)
		md_store_relaxed64(t, MD_RP_INDEX_STORE, &slot[i], 0);
	f->mapping = 0;
	f->index = 0;
	f->truncated = 1;
	md_spin_unlock(t, MD_RP_INDEX_STORE, &c->index_lock);
	/* The caller's own reference keeps @f alive: this is never the last put. */
	md_folio_put(t, f);
	return 0;
}

/* The global-lock baseline: readers serialise on the writers' lock. */
static int lookup_once_global(struct md_thread *t, uint64_t *slot, struct md_folio **out)
{
	struct md_core *c = t->core;
	uint64_t w;
	int ret = -ENOENT;

	md_spin_lock(t, MD_RP_GLOBAL_LOCK, &c->index_lock);
	w = md_load_relaxed64(t, MD_RP_INDEX_LOAD, slot);
	if (w != 0) {
		*out = md_desc_folio(md_word_desc(w));
		ret = md_ref_tryget(t, md_word_desc(w), MD_RP_INDEX_TRYGET) ? 0 : -EAGAIN;
	}
	md_spin_unlock(t, MD_RP_GLOBAL_LOCK, &c->index_lock);
	return ret;
}

static int lookup_once(struct md_thread *t, uint64_t *slot, struct md_folio **out)
{
	/* acquire: pairs with the release stores of insert, split and migration */
	uint64_t w = md_load_acquire64(t, MD_RP_INDEX_LOAD, slot);
	struct md_desc *d;

	if (w == 0)
		return -ENOENT;
	d = md_word_desc(w);
	if (!md_ref_tryget(t, d, MD_RP_INDEX_TRYGET))
		return -EAGAIN;
	/*
	 * MUTANT index_no_recheck: correct code reloads the slot (xas_reload);
	 * without it a folio removed or replaced after the load is returned.
	 */
	if (!md_mutant(t, INDEX_NO_RECHECK) &&
	    md_load_acquire64(t, MD_RP_INDEX_RELOAD, slot) != w) {
		t->stats[MD_ST_REVALIDATE]++;
		md_desc_put(t, d);
		return -EAGAIN;
	}
	*out = md_desc_folio(d);
	return 0;
}

int md_index_lookup(struct md_thread *t, unsigned mapping, uint64_t index, struct md_folio **out)
{
	uint64_t *slot = md_index_slot(t->core, mapping, index);
	int ret;

	if (slot == NULL)
		return -EINVAL;
	for (;;) {
		md_epoch_begin(t);
		ret = MD_CORE_LOCK_GLOBAL ? lookup_once_global(t, slot, out)
					  : lookup_once(t, slot, out);
		md_epoch_end(t);
		if (ret != -EAGAIN)
			return ret;
		md_race_spin(t, MD_RP_INDEX_LOAD);
	}
}

int md_index_lock(struct md_thread *t, unsigned mapping, uint64_t index, struct md_folio **out)
{
	struct md_folio *f;
	int ret;

	for (;;) {
		ret = md_index_lookup(t, mapping, index, &f);
		if (ret)
			return ret;
		md_folio_lock(t, f);
		if (f->mapping == mapping + 1 && index - f->index < md_desc_nr(md_folio_desc(f))) {
			*out = f;
			return 0;
		}
		t->stats[MD_ST_LOCK_RECHECK]++;
		md_folio_unlock(t, f);
		md_folio_put(t, f);
	}
}

/* Set @mapping's dead flag to @dead under index_lock; 0, or @busy if it already was. */
static int set_dead(struct md_thread *t, unsigned mapping, uint8_t dead, int busy)
{
	struct md_core *c = t->core;
	int ret = 0;

	if (mapping >= c->cfg.nr_mappings)
		return -EINVAL;
	md_spin_lock(t, MD_RP_INDEX_STORE, &c->index_lock);
	if (c->mapping_dead[mapping] == dead)
		ret = busy;
	c->mapping_dead[mapping] = dead;
	md_spin_unlock(t, MD_RP_INDEX_STORE, &c->index_lock);
	return ret;
}

int md_index_destroy(struct md_thread *t, unsigned mapping)
{
	struct md_folio *f;
	int ret = set_dead(t, mapping, 1, -ENOENT);

	if (ret)
		return ret;
	/* no insert lands any more: truncate what is there, slot by slot */
	for (uint64_t i = 0; i < t->core->cfg.mapping_slots; i++) {
		if (md_index_lock(t, mapping, i, &f))
			continue;
		md_index_remove(t, f);
		md_folio_unlock(t, f);
		md_folio_put(t, f);
	}
	return 0;
}

int md_index_create(struct md_thread *t, unsigned mapping)
{
	return set_dead(t, mapping, 0, -EEXIST);
}
