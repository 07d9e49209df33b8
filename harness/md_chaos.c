// SPDX-License-Identifier: MIT
/*
 * md_chaos.c - delays at race points for real threads.
 */
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <ck_pr.h>

#include "md_chaos.h"
#include "md_rand.h"
#include "md_reach.h"

void md_chaos_default(struct md_chaos_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->kinds = MD_CHAOS_ALL;
	cfg->sleep_us = 20;
	memset(cfg->at, 1, sizeof(cfg->at));
}

/* The @r-th enabled kind of delay (the kinds are never all off). */
static unsigned pick_kind(unsigned kinds, uint64_t r)
{
	unsigned n = (unsigned)__builtin_popcount(kinds), k = (unsigned)(r % n);

	for (unsigned bit = 1;; bit <<= 1)
		if ((kinds & bit) && k-- == 0)
			return bit;
}

static void delay(const struct md_chaos_cfg *cfg, unsigned kind)
{
	switch (kind) {
	case MD_CHAOS_YIELD:
		sched_yield();
		break;
	case MD_CHAOS_SPIN:
		for (unsigned i = 0; i < 200; i++)
			ck_pr_stall();
		break;
	default: /* another thread finishes a split, a grace period */
		usleep(cfg->sleep_us);
		break;
	}
}

static void chaos_hook(struct md_thread *t, unsigned rp, unsigned flags)
{
	struct md_chaos *c = t->rp_arg;
	uint64_t r;

	md_reach_rp(rp);
	if (flags & MD_RPF_SPIN) {
		sched_yield();
		return;
	}
	if (c->cut == 0 || !c->cfg->at[rp])
		return;
	r = md_rand(&c->rng);
	if (r < c->cut)
		delay(c->cfg, pick_kind(c->cfg->kinds, r));
}

void md_chaos_attach(struct md_chaos *c, const struct md_chaos_cfg *cfg, struct md_thread *t,
		     uint64_t seed)
{
	c->cfg = cfg;
	c->rng = seed ^ 0x5deece66dull;
	c->cut = cfg->p >= 1.0 ? UINT64_MAX : (uint64_t)(cfg->p * 18446744073709551615.0);
	t->rp_hook = chaos_hook;
	t->rp_arg = c;
}

int md_chaos_parse_kinds(struct md_chaos_cfg *cfg, const char *s)
{
	static const char *const names[] = {"yield", "spin", "sleep"};
	char buf[64], *save = NULL, *tok;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	cfg->kinds = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned k = 0;

		while (k < 3 && strcmp(names[k], tok) != 0)
			k++;
		if (k == 3)
			return -1;
		cfg->kinds |= 1u << k;
	}
	return cfg->kinds ? 0 : -1;
}

static int rp_lookup(const char *name)
{
	for (unsigned rp = 0; rp < md_rp_count(); rp++)
		if (strcmp(md_rp_name(rp), name) == 0)
			return (int)rp;
	return -1;
}

int md_chaos_parse_at(struct md_chaos_cfg *cfg, const char *s, char *bad, size_t blen)
{
	char buf[1024], *save = NULL, *tok;

	if (strlen(s) >= sizeof(buf)) {
		snprintf(bad, blen, "(the list is too long)");
		return -1;
	}
	strcpy(buf, s);
	memset(cfg->at, 0, sizeof(cfg->at));
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int rp = rp_lookup(tok);

		if (rp < 0) {
			snprintf(bad, blen, "%s", tok);
			return -1;
		}
		cfg->at[rp] = 1;
	}
	return 0;
}
