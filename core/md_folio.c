// SPDX-License-Identifier: MIT
/*
 * md_folio.c - folio allocation, payload, lockless reads, pins.
 *
 * Invariants: f->stamp and the payload of f's frames change only under f's
 * lock, together, inside an odd f->seq; at quiescence payload ==
 * md_payload_value(stamp, i, j) for every frame i and word j of every live
 * folio, and seq is even.  pincount counts pins, each of which also holds a
 * reference; migration and split refuse pinned folios.
 */
#include <errno.h>

#include "md_folio.h"
#include "md_walk.h"

void md_folio_fill(struct md_thread *t, struct md_folio *f)
{
	struct md_core *c = t->core;
	struct md_desc *d = md_folio_desc(f);

	for (uint64_t i = 0; i < md_desc_nr(d); i++)
		for (unsigned j = 0; j < MD_PAYLOAD_WORDS; j++)
			c->payload[d->pfn + i][j] = md_payload_value(f->stamp, i, j);
}

int md_folio_alloc(struct md_thread *t, unsigned order, unsigned mt, struct md_folio **out)
{
	struct md_desc *d;
	struct md_folio *f;
	int ret;

	ret = md_desc_alloc(t, MD_T_FOLIO, order, mt, sizeof(*f), &d);
	if (ret)
		return ret;
	f = md_desc_folio(d);
	f->stamp = d->serial;
	md_folio_fill(t, f); /* the frames are ours alone until published */
	md_desc_publish(t, d);
	*out = f;
	return 0;
}

/*
 * The seqcount write side: odd before the data changes, even after.  The
 * first store is ordered before the data by the store fence; the second is a
 * release after it (pairs with the acquire loads in md_folio_read_lockless()).
 */
void md_folio_write(struct md_thread *t, struct md_folio *f, uint64_t stamp)
{
	uint32_t seq = f->seq; /* only lock holders write seq */

	md_store_relaxed32(t, MD_RP_PAYLOAD_WRITE, &f->seq, seq + 1);
	ck_pr_fence_store();
	ck_pr_store_64(&f->stamp, stamp);
	md_folio_fill(t, f);
	md_store_release32(t, MD_RP_PAYLOAD_WRITE, &f->seq, seq + 2);
}

int md_folio_verify(struct md_thread *t, struct md_folio *f, uint64_t *bad_pfn)
{
	struct md_core *c = t->core;
	struct md_desc *d = md_folio_desc(f);

	md_race_point(t, MD_RP_PAYLOAD_READ);
	for (uint64_t i = 0; i < md_desc_nr(d); i++) {
		for (unsigned j = 0; j < MD_PAYLOAD_WORDS; j++) {
			if (c->payload[d->pfn + i][j] == md_payload_value(f->stamp, i, j))
				continue;
			if (bad_pfn)
				*bad_pfn = d->pfn + i;
			return -EIO;
		}
	}
	return 0;
}

/* One seqcount-validated pass: 1 consistent and intact, 0 torn, -EIO consistent but wrong. */
static int read_once(struct md_thread *t, struct md_folio *f)
{
	struct md_core *c = t->core;
	struct md_desc *d = md_folio_desc(f);
	uint32_t s1 = md_load_acquire32(t, MD_RP_PAYLOAD_READ, &f->seq);
	uint64_t stamp;
	int bad = 0;

	if (s1 & 1)
		return 0;
	stamp = ck_pr_load_64(&f->stamp);
	for (uint64_t i = 0; i < md_desc_nr(d); i++)
		for (unsigned j = 0; j < MD_PAYLOAD_WORDS; j++)
			bad |= ck_pr_load_64(&c->payload[d->pfn + i][j]) !=
			       md_payload_value(stamp, i, j);
	ck_pr_fence_load(); /* the data loads complete before the seq reload */
	if (md_load_relaxed32(t, MD_RP_PAYLOAD_READ, &f->seq) != s1)
		return 0;
	return bad ? -EIO : 1;
}

int md_folio_read_lockless(struct md_thread *t, struct md_folio *f)
{
	int r;

	while ((r = read_once(t, f)) == 0)
		md_race_spin(t, MD_RP_PAYLOAD_READ);
	return r < 0 ? r : 0;
}

int md_folio_pin(struct md_thread *t, uint64_t pfn, struct md_folio **out)
{
	struct md_desc *d;
	int ret = md_lookup_frame(t, pfn, &d);

	if (ret)
		return ret;
	if (md_desc_folio(d) == NULL) {
		md_desc_put(t, d);
		return -EINVAL;
	}
	/* the reference taken by the lookup becomes the pin's */
	md_faa_relaxed32(t, MD_RP_REF_GET, &md_desc_folio(d)->pincount, 1);
	*out = md_desc_folio(d);
	return 0;
}

void md_folio_unpin(struct md_thread *t, struct md_folio *f)
{
	md_faa_relaxed32(t, MD_RP_REF_PUT, &f->pincount, (uint32_t)-1);
	md_folio_put(t, f);
}
