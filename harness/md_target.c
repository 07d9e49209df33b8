// SPDX-License-Identifier: MIT
/*
 * md_target.c - the target registry: the targets of targets/ (MD_TARGETS),
 * their seeded bugs and their race points, each in one id space.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md_ck.h"
#include "md_target.h"

static const struct md_target *const targets[] = {
#define MD_TARGET_ROW(sym) &sym,
    MD_TARGETS(MD_TARGET_ROW)
#undef MD_TARGET_ROW
};

#define NTARGETS (sizeof(targets) / sizeof(targets[0]))

#define MAX_VIEWS 16u  /* designs of all targets together, beyond the defaults */
#define MAX_BUGS  256u /* seeded bugs of all targets together */

/* Where each target's bugs and race points start in the shared id spaces; the designs' views. */
static struct {
	unsigned bug_base[NTARGETS], rp_base[NTARGETS];
	unsigned nbugs, nrps; /* ids 0..n-1 */
	struct md_target view[MAX_VIEWS];
	char view_name[MAX_VIEWS][64];
	unsigned nviews;
	char view_list[MAX_VIEWS * 64];
	const struct md_target *bug_tg[MAX_BUGS]; /* md_bug_target(), resolved once */
} reg;
static pthread_once_t reg_once = PTHREAD_ONCE_INIT;

/* A view of @tg for each design but the default: "NAME:DESIGN". */
static void views_init(const struct md_target *tg)
{
	for (unsigned v = 1; v < tg->ndesigns; v++) {
		struct md_target *w = &reg.view[reg.nviews];
		size_t len = strlen(reg.view_list);

		if (reg.nviews == MAX_VIEWS) {
			fprintf(stderr, "mdt: the targets declare more than %u designs\n",
				MAX_VIEWS);
			abort(); /* a build defect, not an input */
		}
		*w = *tg;
		snprintf(reg.view_name[reg.nviews], sizeof(reg.view_name[0]), "%s:%s", tg->name,
			 tg->designs[v]);
		w->name = reg.view_name[reg.nviews++];
		w->design = v;
		w->base = tg;
		snprintf(reg.view_list + len, sizeof(reg.view_list) - len, "%s%s", len ? ", " : "",
			 w->name);
	}
}

/* Bug @id of targets[@i]: the view its row names ("core:one-typesafe"), else the target. */
static const struct md_target *bug_target_of(size_t i, unsigned id)
{
	const char *name = targets[i]->bugs[id - reg.bug_base[i] - 1].target;

	for (unsigned v = 0; name && v < reg.nviews; v++)
		if (reg.view[v].base == targets[i] && strcmp(reg.view[v].name, name) == 0)
			return &reg.view[v];
	return targets[i];
}

static void reg_init(void)
{
	reg.nbugs = 1; /* 0 is the correct code */
	reg.nrps = MD_RP_ENGINE__COUNT;
	for (size_t i = 0; i < NTARGETS; i++) {
		reg.bug_base[i] = reg.nbugs - 1; /* bug k of the target is base + k */
		reg.nbugs += targets[i]->nbugs;
		reg.rp_base[i] = reg.nrps;
		reg.nrps += targets[i]->nrace_points;
		views_init(targets[i]);
	}
	if (reg.nrps > MD_RP_MAX) {
		fprintf(stderr,
			"mdt: the targets declare %u race points, more than MD_RP_MAX (%u)\n",
			reg.nrps, MD_RP_MAX);
		abort(); /* a build defect, not an input */
	}
	if (reg.nbugs > MAX_BUGS) {
		fprintf(stderr, "mdt: the targets declare %u seeded bugs, more than %u\n",
			reg.nbugs - 1, MAX_BUGS - 1);
		abort(); /* a build defect, not an input */
	}
	for (size_t i = 0; i < NTARGETS; i++)
		for (unsigned id = reg.bug_base[i] + 1; id <= reg.bug_base[i] + targets[i]->nbugs;
		     id++)
			reg.bug_tg[id] = bug_target_of(i, id);
}

static void reg_ready(void)
{
	pthread_once(&reg_once, reg_init);
}

static size_t target_index(const struct md_target *tg)
{
	size_t i = 0;

	tg = md_target_base(tg);
	while (i < NTARGETS && targets[i] != tg)
		i++;
	return i;
}

static char names_all[sizeof(MD_TARGET_NAMES) + sizeof(reg.view_list) + 2];

static void names_init(void)
{
	reg_ready();
	snprintf(names_all, sizeof(names_all), "%s%s%s", MD_TARGET_NAMES,
		 reg.view_list[0] ? ", " : "", reg.view_list);
}

/* "NAME:" + the default design of NAME, or NULL. */
static const struct md_target *default_view(const char *name)
{
	for (size_t i = 0; i < NTARGETS; i++) {
		size_t n = strlen(targets[i]->name);

		if (targets[i]->ndesigns && strncmp(name, targets[i]->name, n) == 0 &&
		    name[n] == ':' && strcmp(name + n + 1, targets[i]->designs[0]) == 0)
			return targets[i];
	}
	return NULL;
}

const struct md_target *md_target_find(const char *name)
{
	if (name == NULL)
		return &md_target_core;
	reg_ready();
	for (size_t i = 0; i < NTARGETS; i++)
		if (strcmp(targets[i]->name, name) == 0)
			return targets[i];
	for (unsigned v = 0; v < reg.nviews; v++)
		if (strcmp(reg.view[v].name, name) == 0)
			return &reg.view[v];
	return default_view(name);
}

const char *md_target_names(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, names_init);
	return names_all;
}

int md_target_op(const struct md_target *tg, const char *name)
{
	for (unsigned k = 0; k < tg->ops->nops; k++)
		if (strcmp(tg->ops->op[k].name, name) == 0)
			return (int)k;
	return -1;
}

void *md_target_create(const struct md_target *tg, unsigned nthreads, unsigned bug, uint64_t size,
		       int replay)
{
	size_t i = target_index(tg);
	struct md_target_cfg cfg = {.nthreads = nthreads, .size = size, .replay = replay};

	reg_ready();
	if (i == NTARGETS)
		return NULL;
	cfg.rp_base = reg.rp_base[i];
	cfg.design = tg->design;
	cfg.mutant = md_bug_fits(bug, tg) && bug ? bug - reg.bug_base[i] : 0;
	return tg->create(&cfg);
}

int md_target_run_op(const struct md_target *tg, void *inst, unsigned i, const struct md_op *op,
		     char *msg, size_t len)
{
	int ret;

	md_ck_enter(tg->thread(inst, i)); /* hosted ck code's race points are thread @i's */
	ret = tg->run_op(inst, i, op, msg, len);
	md_ck_enter(NULL); /* none outside an op: the instance may go away */
	return ret;
}

/* The target bug @id is seeded in, as an index (NTARGETS: none). */
static size_t bug_owner(unsigned id)
{
	reg_ready();
	if (id == 0 || id >= reg.nbugs)
		return NTARGETS;
	for (size_t i = NTARGETS; i-- > 0;)
		if (id > reg.bug_base[i] && targets[i]->nbugs)
			return i;
	return NTARGETS;
}

const struct md_mutant_info *md_bug_info(unsigned id)
{
	size_t i = bug_owner(id);

	return i == NTARGETS ? NULL : &targets[i]->bugs[id - reg.bug_base[i] - 1];
}

const char *md_bug_name(unsigned id)
{
	const struct md_mutant_info *m = md_bug_info(id);

	return m ? m->name : "none";
}

const struct md_target *md_bug_target(unsigned id)
{
	reg_ready();
	return id > 0 && id < reg.nbugs ? reg.bug_tg[id] : NULL;
}

unsigned md_bug_count(void)
{
	reg_ready();
	return reg.nbugs;
}

int md_bug_lookup(const char *name)
{
	if (name == NULL || *name == '\0' || strcmp(name, "none") == 0)
		return 0;
	for (unsigned id = 1; id < md_bug_count(); id++)
		if (strcmp(md_bug_info(id)->name, name) == 0)
			return (int)id;
	return -1;
}

int md_bug_fits(unsigned id, const struct md_target *tg)
{
	const struct md_target *bt = md_bug_target(id);

	/* a bug of a target runs in each of its designs; one seeded in a design, there only */
	return id == 0 || (bt && (bt == tg || (bt->base == NULL && md_target_base(tg) == bt)));
}

int md_bug_available(unsigned id)
{
	const struct md_target *tg = md_bug_target(id);

	return tg == NULL || md_target_base(tg) != &md_target_core || md_mutants_compiled();
}

const char *md_rp_name(unsigned rp)
{
	reg_ready();
	if (rp < MD_RP__COUNT)
		return md_race_point_name(rp);
	if (rp < MD_RP_ENGINE__COUNT)
		return md_ck_rp_names[rp - MD_RP__COUNT];
	for (size_t i = NTARGETS; rp < reg.nrps && i-- > 0;)
		if (rp >= reg.rp_base[i] && targets[i]->nrace_points)
			return targets[i]->race_points[rp - reg.rp_base[i]];
	return "?";
}

unsigned md_rp_count(void)
{
	reg_ready();
	return reg.nrps;
}

int md_rp_find(const char *name)
{
	for (unsigned rp = 0; rp < md_rp_count(); rp++)
		if (strcmp(md_rp_name(rp), name) == 0)
			return (int)rp;
	return -1;
}
