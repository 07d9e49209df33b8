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

/*
 * Payload accesses.  A folio's frames are written by its lock holder (or by
 * whoever owns them before publication) and read by lock holders and by
 * lockless seqcount readers:
 *  - stores while lockless readers may look (md_folio_write):
 *    md_data_store64, one race point per frame, so a reader can be
 *    scheduled in the middle of a write;
 *  - stores to frames nobody can see yet (md_folio_fill: before
 *    publication): plain, no race point; a stale reader that sees them
 *    anyway is a seeded bug, which TSan then reports as a race;
 *  - loads under the lock (md_folio_verify): plain, a race point per frame:
 *    TSan checks the lock discipline;
 *  - lockless loads (read_once): md_data_load64, a race point per frame.
 */
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

	ret = md_desc_alloc(t, MD_T_FOLIO, order, mt, &d);
	if (ret)
		return ret;
	f = md_desc_folio(d);
	f->stamp = d->serial;
	md_folio_fill(t, f); /* the frames are ours alone until published */
	md_desc_publish(t, d);
	*out = f;
	return 0;
}

/* Frame @i of @f gets the data of @stamp, word by word, readers may look. */
static void frame_write(struct md_thread *t, struct md_folio *f, uint64_t i, uint64_t stamp)
{
	uint64_t *w = t->core->payload[f->d.pfn + i];

	md_race_point(t, MD_RP_PAYLOAD_WRITE);
	for (unsigned j = 0; j < MD_PAYLOAD_WORDS; j++)
		md_data_store64(&w[j], md_payload_value(stamp, i, j));
}

/*
 * The seqcount write side: odd before the data changes, even after.  The
 * odd store is ordered before the data by the store fence (pairs with
 * read_once()'s load fence before its seq reload); the even store is a
 * release after the data (pairs with read_once()'s acquire of seq).
 */
void md_folio_write(struct md_thread *t, struct md_folio *f, uint64_t stamp)
{
	uint32_t seq = f->seq; /* plain: only lock holders write seq */

	md_store_relaxed32(t, MD_RP_PAYLOAD_WRITE, &f->seq, seq + 1);
	ck_pr_fence_store();
	md_data_store64(&f->stamp, stamp);
	for (uint64_t i = 0; i < md_desc_nr(md_folio_desc(f)); i++)
		frame_write(t, f, i, stamp);
	md_store_release32(t, MD_RP_PAYLOAD_WRITE, &f->seq, seq + 2);
}

/* Under @f's lock: does frame @i hold the data of @f's stamp?  Plain loads (see above). */
static bool frame_intact(struct md_thread *t, struct md_folio *f, uint64_t i)
{
	const uint64_t *w = t->core->payload[f->d.pfn + i];

	md_race_point(t, MD_RP_PAYLOAD_READ);
	for (unsigned j = 0; j < MD_PAYLOAD_WORDS; j++)
		if (w[j] != md_payload_value(f->stamp, i, j))
			return false;
	return true;
}

int md_folio_verify(struct md_thread *t, struct md_folio *f, uint64_t *bad_pfn)
{
	struct md_desc *d = md_folio_desc(f);

	for (uint64_t i = 0; i < md_desc_nr(d); i++) {
		if (frame_intact(t, f, i))
			continue;
		if (bad_pfn)
			*bad_pfn = d->pfn + i;
		return -EIO;
	}
	return 0;
}

/* Lockless: does frame @i hold the data of @stamp (as far as this racy read sees)? */
static bool frame_read(struct md_thread *t, struct md_folio *f, uint64_t i, uint64_t stamp)
{
	const uint64_t *w = t->core->payload[f->d.pfn + i];
	bool ok = true;

	md_race_point(t, MD_RP_PAYLOAD_READ);
	for (unsigned j = 0; j < MD_PAYLOAD_WORDS; j++)
		ok &= md_data_load64(&w[j]) == md_payload_value(stamp, i, j);
	return ok;
}

/* One seqcount-validated pass: 1 consistent and intact, 0 torn, -EIO consistent but wrong. */
static int read_once(struct md_thread *t, struct md_folio *f)
{
	/* acquire: pairs with md_folio_write()'s release of the even count */
	uint32_t s1 = md_load_acquire32(t, MD_RP_PAYLOAD_READ, &f->seq);
	/*
	 * MUTANT gup_no_seqcheck: correct code retries while a writer is
	 * inside (odd count) and when the count moved under the read; without
	 * it the reader keeps a snapshot torn between two writes.
	 */
	bool check = !md_mutant(t, GUP_NO_SEQCHECK);
	uint64_t stamp;
	bool ok = true;

	if ((s1 & 1) && check)
		return 0;
	stamp = md_data_load64(&f->stamp);
	for (uint64_t i = 0; i < md_desc_nr(md_folio_desc(f)); i++)
		ok &= frame_read(t, f, i, stamp);
	ck_pr_fence_load(); /* the data loads before the reload: pairs with the writer's fence */
	if (md_load_relaxed32(t, MD_RP_PAYLOAD_READ, &f->seq) != s1 && check)
		return 0;
	return ok ? 1 : -EIO;
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
