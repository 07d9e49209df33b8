// SPDX-License-Identifier: MIT
/*
 * md_folio.c - folio allocation and payload.
 *
 * Invariants: f->stamp and the payload of f's frames change only under f's
 * lock, together; at quiescence payload == md_payload_value(stamp, i, j) for
 * every frame i and word j of every live folio.
 */
#include <errno.h>

#include "md_folio.h"

static void fill(struct md_core *c, struct md_folio *f)
{
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
	fill(t->core, f); /* the frames are ours alone until published */
	md_desc_publish(t, d);
	*out = f;
	return 0;
}

void md_folio_write(struct md_thread *t, struct md_folio *f, uint64_t stamp)
{
	md_race_point(t, MD_RP_PAYLOAD_WRITE);
	f->stamp = stamp;
	fill(t->core, f);
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
