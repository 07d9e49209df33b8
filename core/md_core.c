// SPDX-License-Identifier: MIT
/*
 * md_core.c - creating and destroying core instances.
 *
 * Invariant at creation: every frame is free, in blocks of max_order; the
 * first (100 - movable_pct)% of pageblocks are unmovable, the rest movable.
 * Destroy runs at quiescence: no thread is registered any more, so plain
 * accesses are safe here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "md_core.h"
#include "md_zpool.h"

void md_core_config_default(struct md_core_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->nr_frames = 4096;
	cfg->max_order = 6;
	cfg->pageblock_order = 4;
	cfg->movable_pct = 75;
	cfg->nr_mappings = 4;
	cfg->mapping_slots = 256;
	cfg->zs_handles = 1024;
	cfg->pcp_high = 32;
	cfg->pcp_batch = 8;
	cfg->dcache_batch = 16;
}

const char *const md_core_designs[MD_CORE_NDESIGNS] = {"one-epoch", "one-typesafe", "two-epoch",
						       "two-typesafe"};

void md_core_config_design(struct md_core_config *cfg, unsigned v)
{
	cfg->desc_free = v & 1 ? MD_DESC_FREE_TYPESAFE : MD_DESC_FREE_EPOCH;
	cfg->frame_layout = v & 2 ? MD_FRAME_LAYOUT_TWO : MD_FRAME_LAYOUT_ONE;
}

int md_core_design_lookup(const char *name)
{
	for (unsigned v = 0; v < MD_CORE_NDESIGNS; v++)
		if (strcmp(name, md_core_designs[v]) == 0)
			return (int)v;
	return -1;
}

static int config_check(const struct md_core_config *cfg)
{
	if (cfg->max_order > MD_MAX_ORDER_LIMIT || cfg->pageblock_order > cfg->max_order)
		return -EINVAL;
	if (cfg->nr_frames == 0 || cfg->nr_frames > ((uint64_t)1 << 40) ||
	    cfg->nr_frames % ((uint64_t)1 << cfg->max_order))
		return -EINVAL;
	if (cfg->movable_pct > 100 || cfg->nr_mappings == 0 || cfg->nr_mappings > MD_MAPPING_MAX ||
	    cfg->mapping_slots == 0)
		return -EINVAL;
	if ((uint64_t)cfg->nr_mappings * cfg->mapping_slots > ((uint64_t)1 << 30))
		return -EINVAL;
	if (cfg->zs_handles == 0 || cfg->zs_handles > (1u << 30))
		return -EINVAL;
	if (cfg->dcache_batch > 1024)
		return -EINVAL;
	if (cfg->pcp_high > MD_PCP_MAX ||
	    (cfg->pcp_high && (cfg->pcp_batch == 0 || cfg->pcp_batch > cfg->pcp_high)) ||
	    (cfg->pcp_high && cfg->nr_frames > UINT32_MAX))
		return -EINVAL;
	if (cfg->mutant >= MD_MUT__COUNT || cfg->desc_free > MD_DESC_FREE_TYPESAFE ||
	    cfg->frame_layout > MD_FRAME_LAYOUT_TWO)
		return -EINVAL;
	return 0;
}

/* The next table of @bytes at *@off in the block at @base (NULL: only counting), line-aligned. */
static void *take(char *base, size_t *off, size_t bytes)
{
	void *p = base ? base + *off : NULL;

	*off += (bytes + 63) & ~(size_t)63;
	return p;
}

/* Point every table into @base (NULL: only count).  Return: the bytes they take. */
static size_t lay_tables(struct md_core *c, char *base)
{
	const struct md_core_config *cfg = &c->cfg;
	size_t off = 0;

	c->fr.word = take(base, &off, c->nr_frames * sizeof(uint64_t));
	if (cfg->frame_layout == MD_FRAME_LAYOUT_TWO)
		c->fr.desc = take(base, &off, c->nr_frames * sizeof(uint64_t));
	c->payload = take(base, &off, c->nr_frames * sizeof(*c->payload));
	c->pb_mt = take(base, &off, c->nr_frames >> cfg->pageblock_order);
	c->index_slots =
	    take(base, &off, (size_t)cfg->nr_mappings * cfg->mapping_slots * sizeof(uint64_t));
	c->mapping_dead = take(base, &off, cfg->nr_mappings);
	for (unsigned k = 0; k <= cfg->max_order; k++)
		c->free_map[k] = take(base, &off, ((c->nr_frames >> k) + 63) / 64 * sizeof(uint64_t));
	return off;
}

/*
 * The frame table, payload, zone bitmaps and index in one zeroed block:
 * one allocation where there were a dozen, which the deterministic engine
 * pays for every run (and ASan more than once each).
 */
static int alloc_tables(struct md_core *c)
{
	c->tables = calloc(1, lay_tables(c, NULL));
	if (c->tables == NULL)
		return -ENOMEM;
	lay_tables(c, c->tables);
	return 0;
}

static void init_free(struct md_core *c)
{
	unsigned k = c->cfg.max_order;
	uint64_t npb = c->nr_frames >> c->cfg.pageblock_order;
	uint64_t unmovable = npb * (100 - c->cfg.movable_pct) / 100;

	for (uint64_t i = 0; i < c->nr_frames >> k; i++) {
		c->free_map[k][i / 64] |= (uint64_t)1 << (i % 64);
		md_frame_poke(&c->fr, i << k, md_word_buddy(k));
	}
	c->nr_free[k] = c->nr_frames >> k;
	for (uint64_t pb = 0; pb < npb; pb++)
		c->pb_mt[pb] = pb < unmovable ? MD_MT_UNMOVABLE : MD_MT_MOVABLE;
}

/* desc_free=typesafe: a cache for each descriptor type. */
static int init_caches(struct md_core *c)
{
	static const unsigned types[] = {MD_T_FOLIO, MD_T_SLAB, MD_T_ZPDESC};
	int ret = 0;

	for (unsigned i = 0; md_core_typesafe(c) && ret == 0 && i < 3; i++)
		ret = md_dcache_init(&c->dcache[types[i]], c, md_desc_size(types[i]),
				     c->cfg.dcache_objs, c->cfg.dcache_batch);
	return ret;
}

int md_core_create(const struct md_core_config *cfg, struct md_core **out)
{
	struct md_core *c;
	int ret;

	ret = config_check(cfg);
	if (ret)
		return ret;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	c->cfg = *cfg;
	c->nr_frames = cfg->nr_frames;
	ret = alloc_tables(c);
	if (ret)
		goto err;
	init_free(c);
	ret = init_caches(c);
	if (ret)
		goto err;
	ret = md_zpool_init(c);
	if (ret)
		goto err;
	ck_epoch_init(&c->epoch);
	*out = c;
	return 0;
err:
	md_core_destroy(c);
	return ret;
}

/*
 * Free every descriptor a frame word still points to, once: collect them at
 * their head frame first, free after, so no frame word is read through a
 * descriptor already freed.
 */
static void free_live(struct md_core *c)
{
	struct md_desc **live;
	uint64_t n = 0;

	if (c->fr.word == NULL)
		return;
	live = calloc(c->nr_frames, sizeof(*live));
	if (live == NULL)
		return; /* leak rather than risk a double free */
	for (uint64_t pfn = 0; pfn < c->nr_frames; pfn++) {
		uint64_t w = md_frame_peek(&c->fr, pfn);
		struct md_desc *d = md_word_desc(w);

		if (md_word_is_desc(w) && d->pfn == pfn)
			live[n++] = d;
	}
	while (n) {
		struct md_desc *d = live[--n];

		if (d->type == MD_T_ZPDESC)
			md_zpdesc_retire(NULL, md_desc_zpdesc(d)); /* its pool reference */
		if (!md_core_typesafe(c))
			free(md_desc_hdr(d)); /* typesafe: its cache page goes below */
	}
	free(live);
}

void md_core_destroy(struct md_core *c)
{
	if (c == NULL)
		return;
	if (c->fr.word)
		md_epoch_drain_idle(c); /* their frees still pending */
	free_live(c);
	for (uint32_t i = 0; i < c->nr_records; i++)
		free(c->records[i]);
	free(c->tables);
	md_zpool_fini(c);
	for (unsigned k = 0; k < MD_T__COUNT; k++)
		md_dcache_fini(&c->dcache[k]);
	for (uint64_t i = 0; i < c->nquar; i++)
		free(c->quar[i]);
	free(c->quar);
	free(c);
}

void md_core_desc_counts(const struct md_core *c, uint64_t *allocated, uint64_t *retired,
			 uint64_t *freed)
{
	*allocated = *retired = *freed = 0;
	for (uint32_t i = 0; i < c->nr_records; i++) {
		const struct md_record *r = md_record(c->records[i]);

		*allocated += r->desc_allocated;
		*retired += r->desc_retired;
		*freed += r->desc_freed;
	}
}

void md_core_bug(struct md_thread *t, const struct md_desc *d, const char *msg)
{
	struct md_core *c = t->core;

	/* the oracle's bookkeeping, not the code under test: no race point */
	if (ck_pr_faa_64(&c->bugs, 1) != 0)
		return;
	ck_pr_store_64(&c->bug_pfn, d ? d->pfn : UINT64_MAX);
	ck_pr_store_ptr(&c->bug_msg, msg);
}
