// SPDX-License-Identifier: MIT
/*
 * md_check.c - the quiescent invariant checker.
 *
 * Runs with no thread in the core, so it reads everything plainly and takes
 * no locks.  It trusts nothing it checks: a descriptor pointer is only
 * dereferenced after the frame word that holds it was seen (a garbage word
 * would be a bug the sanitizers report).
 *
 * Order: buddy bitmaps mark free frames; the frame walk marks owned frames
 * and checks each descriptor once at its head frame; then the index, the
 * slab partial list and the epoch accounting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md_buddy.h"
#include "md_check.h"
#include "md_folio.h"
#include "md_index.h"
#include "md_slab.h"
#include "md_zpool.h"

enum { OWN_NONE, OWN_FREE, OWN_DESC, OWN_PCP };

struct walk {
	struct md_core *c;
	struct md_report *r;
	md_expect_refs_fn *refs;
	void *arg;
	uint8_t *own;
	uint64_t nr_free, nr_owned, nr_live, nr_pcp;
	uint64_t zs_pages, zs_objs;
	uint64_t slabs, slab_objs;
};

static const char *const v_names[] = {
#define MD_V_NAME(id, name, doc) name,
    MD_VIOLATIONS(MD_V_NAME)
#undef MD_V_NAME
};

const char *md_violation_name(unsigned kind)
{
	return kind < MD_V__COUNT ? v_names[kind] : "?";
}

static void report(struct walk *w, unsigned kind, uint64_t pfn, const void *d, uint64_t exp,
		   uint64_t found)
{
	struct md_report *r = w->r;

	if (r->n < MD_REPORT_MAX)
		r->v[r->n] = (struct md_violation){kind, pfn, d, exp, found};
	r->n++;
}

int md_violation_format(const struct md_violation *v, char *buf, size_t len)
{
	return snprintf(buf, len, "%s: frame %lld desc %p expected %#llx found %#llx",
			md_violation_name(v->kind), v->pfn == UINT64_MAX ? -1LL : (long long)v->pfn,
			v->desc, (unsigned long long)v->expected, (unsigned long long)v->found);
}

unsigned md_report_count(const struct md_report *r, unsigned kind)
{
	unsigned n = 0, lim = r->n < MD_REPORT_MAX ? r->n : MD_REPORT_MAX;

	for (unsigned i = 0; i < lim; i++)
		n += r->v[i].kind == kind;
	return n;
}

/* One free block: mark its frames, check its words. */
static void check_free_block(struct walk *w, unsigned k, uint64_t pfn)
{
	struct md_core *c = w->c;

	if (md_frame_peek(&c->fr, pfn) != md_word_buddy(k))
		report(w, MD_V_BUDDY_WORD, pfn, NULL, md_word_buddy(k), md_frame_peek(&c->fr, pfn));
	for (uint64_t i = 0; i < ((uint64_t)1 << k); i++) {
		if (w->own[pfn + i] != OWN_NONE)
			report(w, MD_V_FRAME_TWICE, pfn + i, NULL, OWN_NONE, w->own[pfn + i]);
		w->own[pfn + i] = OWN_FREE;
		if (i && md_frame_peek(&c->fr, pfn + i) != MD_T_NONE)
			report(w, MD_V_BUDDY_WORD, pfn + i, NULL, MD_T_NONE,
			       md_frame_peek(&c->fr, pfn + i));
	}
	w->nr_free += (uint64_t)1 << k;
}

static void check_buddy(struct walk *w)
{
	struct md_core *c = w->c;

	for (unsigned k = 0; k <= c->cfg.max_order; k++) {
		uint64_t nbits = c->nr_frames >> k, count = 0;

		for (uint64_t i = 0; i < nbits; i++) {
			if (!md_buddy_test(c, k, i))
				continue;
			count++;
			check_free_block(w, k, i << k);
		}
		if (count != c->nr_free[k])
			report(w, MD_V_NR_FREE, UINT64_MAX, NULL, count, c->nr_free[k]);
	}
}

static struct md_expect expected(struct walk *w, struct md_desc *d)
{
	struct md_expect e = {0, 0};
	struct md_folio *f = md_desc_folio(d);

	if (w->refs)
		w->refs(w->arg, d, &e);
	if (f != NULL && f->mapping != 0)
		e.refs++; /* the index's reference */
	if (d->type == MD_T_SLAB || d->type == MD_T_ZPDESC)
		e.refs++; /* the slab cache's or the pool's reference */
	return e;
}

static void check_folio(struct walk *w, struct md_folio *f)
{
	struct md_core *c = w->c;
	struct md_desc *d = md_folio_desc(f);
	uint64_t *slot;

	for (uint64_t i = 0; i < md_desc_nr(d); i++)
		for (unsigned j = 0; j < MD_PAYLOAD_WORDS; j++)
			if (c->payload[d->pfn + i][j] != md_payload_value(f->stamp, i, j)) {
				report(w, MD_V_PAYLOAD, d->pfn + i, d,
				       md_payload_value(f->stamp, i, j), c->payload[d->pfn + i][j]);
				j = MD_PAYLOAD_WORDS;
			}
	if (f->mapping == 0)
		return;
	slot = md_index_slot(c, f->mapping - 1, f->index);
	for (uint64_t i = 0; i < md_desc_nr(d); i++)
		if (slot == NULL || f->index + i >= c->cfg.mapping_slots ||
		    slot[i] != md_word_make(f, MD_T_FOLIO))
			report(w, MD_V_INDEX, f->index + i, d, md_word_make(f, MD_T_FOLIO),
			       slot && f->index + i < c->cfg.mapping_slots ? slot[i] : 0);
}

static void check_slab(struct walk *w, struct md_slab *s)
{
	struct md_core *c = w->c;

	w->slabs++;
	w->slab_objs += (uint64_t)__builtin_popcount(s->used);
	for (unsigned slot = 0; slot < MD_SLAB_OBJS; slot++)
		if ((s->used & (1u << slot)) &&
		    c->payload[s->d.pfn][slot] != md_slab_obj_value(s, slot))
			report(w, MD_V_PAYLOAD, s->d.pfn, s, md_slab_obj_value(s, slot),
			       c->payload[s->d.pfn][slot]);
	bool has_room = s->used != (1u << MD_SLAB_OBJS) - 1;

	/* on the partial list exactly when it has a free slot */
	if (s->used >= (1u << MD_SLAB_OBJS) || has_room != (s->on_partial != 0))
		report(w, MD_V_SLAB, s->d.pfn, s, has_room, s->on_partial);
}

/*
 * A live zpdesc belongs to the current pool (a destroyed pool's pages are all
 * released by quiescence); its objects are where the handle table says, and
 * intact.
 */
static void check_zpdesc(struct walk *w, struct md_zpdesc *z)
{
	struct md_core *c = w->c;
	struct md_zpool *p = c->zpool;

	w->zs_pages++;
	if (p == NULL || z->pool != p) {
		report(w, MD_V_ZPOOL, z->d.pfn, z, (uint64_t)(uintptr_t)p,
		       (uint64_t)(uintptr_t)z->pool);
		return;
	}
	if (z->dead || z->isolated || (z->used != 0xff) != (z->on_partial != 0))
		report(w, MD_V_ZPOOL, z->d.pfn, z, z->used, (uint64_t)z->dead << 8 | z->isolated);
	for (unsigned s = 0; s < MD_ZS_SLOTS; s++) {
		uint32_t h = z->handle[s];

		if (!(z->used & (1u << s)))
			continue;
		w->zs_objs++;
		if (h >= p->nr_handles || p->loc[h] != z->d.pfn * MD_ZS_SLOTS + s + 1)
			report(w, MD_V_ZPOOL, z->d.pfn, z, z->d.pfn * MD_ZS_SLOTS + s + 1,
			       h < p->nr_handles ? p->loc[h] : h);
		else if (c->payload[z->d.pfn][s] != md_zs_value(p->stamp[h], h))
			report(w, MD_V_PAYLOAD, z->d.pfn, z, md_zs_value(p->stamp[h], h),
			       c->payload[z->d.pfn][s]);
	}
}

/* Every allocated handle points at a live zpdesc slot that points back. */
static void check_zpool(struct walk *w)
{
	struct md_core *c = w->c;
	struct md_zpool *p = c->zpool;
	uint64_t n = 0;

	if (p == NULL)
		return; /* destroyed: its pages must be gone (check_zpdesc) */
	for (uint32_t h = 0; h < p->nr_handles; h++) {
		uint64_t loc = p->loc[h], word;
		struct md_zpdesc *z;

		if (loc == 0)
			continue;
		n++;
		word = (loc - 1) / MD_ZS_SLOTS < c->nr_frames
			   ? md_frame_peek(&c->fr, (loc - 1) / MD_ZS_SLOTS)
			   : 0;
		z = md_word_type(word) == MD_T_ZPDESC ? md_word_desc(word) : NULL;
		if (z == NULL || !(z->used & (1u << ((loc - 1) % MD_ZS_SLOTS))) ||
		    z->handle[(loc - 1) % MD_ZS_SLOTS] != h)
			report(w, MD_V_ZPOOL, (loc - 1) / MD_ZS_SLOTS, z, h, word);
	}
	if (n != w->zs_objs || n != p->nr_objs || w->zs_pages != p->nr_pages)
		report(w, MD_V_ZPOOL, UINT64_MAX, NULL, n, w->zs_objs);
}

/* Checks made once per descriptor, at its head frame. */
static void check_desc(struct walk *w, struct md_desc *d)
{
	struct md_core *c = w->c;
	uint64_t word = md_word_make(d, d->type);
	struct md_expect e = expected(w, d);

	w->nr_live++;
	for (uint64_t i = 1; i < md_desc_nr(d); i++)
		if (d->pfn + i >= c->nr_frames || md_frame_peek(&c->fr, d->pfn + i) != word)
			report(w, MD_V_DESC_HOLE, d->pfn + i, d, word,
			       d->pfn + i < c->nr_frames ? md_frame_peek(&c->fr, d->pfn + i) : 0);
	if (d->refcount != e.refs)
		report(w, MD_V_REFCOUNT, d->pfn, d, e.refs, d->refcount);
	if (md_desc_folio(d) && md_desc_folio(d)->pincount != e.pins)
		report(w, MD_V_PINS, d->pfn, d, e.pins, md_desc_folio(d)->pincount);
	if (d->flags & MD_DF_LOCKED)
		report(w, MD_V_LOCKED, d->pfn, d, 0, d->flags);
	if (d->flags & MD_DF_ISOLATED)
		report(w, MD_V_ISOLATED, d->pfn, d, 0, d->flags);
	if (md_desc_folio(d))
		check_folio(w, md_desc_folio(d));
	else if (md_desc_slab(d))
		check_slab(w, md_desc_slab(d));
	else if (md_desc_zpdesc(d))
		check_zpdesc(w, md_desc_zpdesc(d));
}

/* Was @d allocated by @c?  (A stray pointer is caught here, not followed further.) */
static bool owned_by(struct md_core *c, struct md_desc *d)
{
	return md_core_typesafe(c) ? md_dcache_core(d) == c : md_desc_hdr(d)->core == c;
}

static void check_frame(struct walk *w, uint64_t pfn)
{
	struct md_core *c = w->c;
	uint64_t word = md_frame_peek(&c->fr, pfn);
	struct md_desc *d;

	/* two words: a descriptor word exactly where the allocator word has a descriptor tag */
	if (c->fr.desc && md_word_is_desc(c->fr.word[pfn]) != (c->fr.desc[pfn] != 0))
		report(w, MD_V_DESC_WORD, pfn, NULL, c->fr.word[pfn], c->fr.desc[pfn]);

	if (!md_word_is_desc(word)) {
		/* Free and cached frames' words were checked with their block or list. */
		if (md_word_type(word) == MD_T_PCP && w->own[pfn] != OWN_PCP)
			report(w, MD_V_PCP, pfn, NULL, OWN_PCP, w->own[pfn]);
		else if (w->own[pfn] == OWN_NONE)
			report(w, MD_V_FRAME_LOST, pfn, NULL, 0, word);
		return;
	}
	d = md_word_desc(word);
	if (w->own[pfn] != OWN_NONE)
		report(w, MD_V_FRAME_TWICE, pfn, d, w->own[pfn], OWN_DESC);
	w->own[pfn] = OWN_DESC;
	w->nr_owned++;
	if (!owned_by(c, d) || d->type != md_word_type(word) || !md_desc_covers(d, pfn)) {
		report(w, MD_V_FRAME_FOREIGN, pfn, d, pfn, d->pfn);
		return;
	}
	if (d->pfn == pfn)
		check_desc(w, d);
	else if (md_frame_peek(&c->fr, d->pfn) != word)
		report(w, MD_V_DESC_HOLE, d->pfn, d, word, md_frame_peek(&c->fr, d->pfn));
}

/* Frame @pfn, on a cache list: in no other list or block, word PCP. */
static void check_cached(struct walk *w, uint64_t pfn)
{
	struct md_core *c = w->c;

	if (pfn >= c->nr_frames) {
		report(w, MD_V_PCP, pfn, NULL, c->nr_frames, pfn);
		return;
	}
	if (w->own[pfn] != OWN_NONE)
		report(w, MD_V_FRAME_TWICE, pfn, NULL, w->own[pfn], OWN_PCP);
	else if (md_frame_peek(&c->fr, pfn) != MD_T_PCP)
		report(w, MD_V_PCP, pfn, NULL, MD_T_PCP, md_frame_peek(&c->fr, pfn));
	w->own[pfn] = OWN_PCP;
	w->nr_pcp++;
}

/* Every thread's frame cache (md_pcp.h), those of records given up too. */
static void check_pcp(struct walk *w)
{
	struct md_core *c = w->c;

	for (uint32_t i = 0; c->cfg.pcp_high && i < c->nr_records; i++) {
		struct md_pcp *p = md_record_pcp(c->records[i]);

		for (unsigned m = 0; m < MD_PCP_LISTS; m++) {
			if (p->count[m] > c->cfg.pcp_high) {
				report(w, MD_V_PCP, UINT64_MAX, NULL, c->cfg.pcp_high, p->count[m]);
				continue;
			}
			for (unsigned j = 0; j < p->count[m]; j++)
				check_cached(w, p->pfn[m][j]);
		}
	}
}

/* Every non-empty slot names a live folio that agrees about its place. */
static void check_index(struct walk *w)
{
	struct md_core *c = w->c;
	uint64_t n = (uint64_t)c->cfg.nr_mappings * c->cfg.mapping_slots;

	for (uint64_t s = 0; s < n; s++) {
		uint64_t word = c->index_slots[s];
		struct md_folio *f;
		unsigned m = (unsigned)(s / c->cfg.mapping_slots);
		uint64_t idx = s % c->cfg.mapping_slots;

		if (word == 0)
			continue;
		f = md_desc_folio(md_word_type(word) == MD_T_FOLIO ? md_word_desc(word) : NULL);
		/* a destroyed mapping holds nothing */
		if (f == NULL || md_frame_peek(&c->fr, f->d.pfn) != word || f->mapping != m + 1 ||
		    idx - f->index >= md_desc_nr(&f->d) || c->mapping_dead[m])
			report(w, MD_V_INDEX, s, f, 0, word);
	}
}

static void check_slab_list(struct walk *w)
{
	struct md_core *c = w->c;
	uint64_t n = 0;

	for (struct md_slab *s = c->slab_partial; s != NULL && n <= c->nr_frames; s = s->next, n++)
		if (!s->on_partial || md_frame_peek(&c->fr, s->d.pfn) != md_word_make(s, MD_T_SLAB))
			report(w, MD_V_SLAB, s->d.pfn, s, 1, s->on_partial);
	if (n > c->nr_frames)
		report(w, MD_V_SLAB, UINT64_MAX, NULL, c->nr_frames, n);
	/* every allocated object is on a live slab; a destroyed cache has none */
	if (w->slab_objs != c->slab_objs)
		report(w, MD_V_SLAB, UINT64_MAX, NULL, c->slab_objs, w->slab_objs);
	if (c->slab_dead && w->slabs)
		report(w, MD_V_SLAB, UINT64_MAX, NULL, 0, w->slabs);
}

static void check_accounting(struct walk *w)
{
	struct md_core *c = w->c;
	uint64_t allocated, retired, freed;

	md_core_desc_counts(c, &allocated, &retired, &freed);
	if (w->nr_free + w->nr_pcp + w->nr_owned != c->nr_frames)
		report(w, MD_V_FRAME_COUNT, UINT64_MAX, NULL, c->nr_frames,
		       w->nr_free + w->nr_pcp + w->nr_owned);
	if (retired != freed)
		report(w, MD_V_RETIRE, UINT64_MAX, NULL, retired, freed);
	if (allocated - freed != w->nr_live)
		report(w, MD_V_LEAK, UINT64_MAX, NULL, w->nr_live, allocated - freed);
	if (c->bugs)
		report(w, MD_V_BUG, c->bug_pfn, NULL, 0, c->bugs);
}

unsigned md_check_quiescent(struct md_core *c, md_expect_refs_fn *refs, void *arg,
			    struct md_report *r)
{
	struct walk w = {.c = c, .r = r, .refs = refs, .arg = arg};

	r->n = 0;
	w.own = calloc(c->nr_frames, 1);
	if (w.own == NULL) {
		fprintf(stderr, "md_check: out of memory\n");
		abort();
	}
	check_buddy(&w);
	check_pcp(&w);
	for (uint64_t pfn = 0; pfn < c->nr_frames; pfn++)
		check_frame(&w, pfn);
	check_index(&w);
	check_slab_list(&w);
	check_zpool(&w);
	check_accounting(&w);
	free(w.own);
	return r->n;
}

void md_core_footprint(struct md_core *c, struct md_footprint *fp)
{
	memset(fp, 0, sizeof(*fp));
	fp->frames = c->nr_frames;
	fp->word_bytes = c->nr_frames * md_frame_bytes(&c->fr);
	for (unsigned k = 0; k <= c->cfg.max_order; k++)
		fp->zone_bytes += ((c->nr_frames >> k) + 63) / 64 * 8;
	fp->zone_bytes += c->nr_frames >> c->cfg.pageblock_order;
	for (uint64_t pfn = 0; pfn < c->nr_frames; pfn++) {
		uint64_t w = md_frame_peek(&c->fr, pfn);
		struct md_desc *d = md_word_desc(w);

		if (!md_word_is_desc(w))
			continue;
		fp->owned_frames++;
		if (d->pfn != pfn)
			continue;
		fp->descs[d->type]++;
		if (!md_core_typesafe(c)) /* each with its epoch header */
			fp->desc_bytes += sizeof(struct md_desc_hdr) + md_desc_size(d->type);
	}
	for (unsigned k = 0; md_core_typesafe(c) && k < MD_T__COUNT; k++)
		fp->desc_bytes += md_dcache_bytes(&c->dcache[k]); /* pages, free objects too */
	fp->free_frames = c->nr_frames - fp->owned_frames;
}
