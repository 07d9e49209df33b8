// SPDX-License-Identifier: MIT
/*
 * md_names.c - names for the registries (race points, counters, types,
 * mutants): the text form traces, reports and the CLI print.
 */
#include <string.h>

#include "md_frame.h"
#include "md_mutant.h"
#include "md_race.h"
#include "md_stats.h"

static const char *const rp_names[] = {
#define MD_RP_NAME(id, name) name,
    MD_RACE_POINTS(MD_RP_NAME)
#undef MD_RP_NAME
};

const char *md_race_point_name(unsigned rp)
{
	return rp < MD_RP__COUNT ? rp_names[rp] : "?";
}

static const char *const stat_names[] = {
#define MD_STAT_NAME(id, name, doc) name,
    MD_STATS(MD_STAT_NAME)
#undef MD_STAT_NAME
};

const char *md_stat_name(unsigned id)
{
	return id < MD_ST__COUNT ? stat_names[id] : "?";
}

const char *md_type_name(unsigned type)
{
	static const char *const names[MD_T__COUNT] = {"none", "buddy",	 "folio",
						       "slab", "zpdesc", "pcp"};

	return type < MD_T__COUNT ? names[type] : "?";
}

/* clang-format off */
const struct md_mutant_info md_core_mutants[MD_MUT__COUNT] = {
	{"none", NULL, MD_DET_ORACLE, "the correct code", ""},
#define MD_MUT_ROW(id, name, target, det, what, ref) {name, target, det, what, ref},
	MD_MUTANTS(MD_MUT_ROW)
#undef MD_MUT_ROW
};
/* clang-format on */

const struct md_mutant_info *md_mutant_info(unsigned id)
{
	return id > 0 && id < MD_MUT__COUNT ? &md_core_mutants[id] : NULL;
}

int md_mutant_lookup(const char *name)
{
	if (name == NULL || *name == '\0')
		return MD_MUT_NONE;
	for (unsigned i = 0; i < MD_MUT__COUNT; i++)
		if (strcmp(name, md_core_mutants[i].name) == 0)
			return (int)i;
	return -1;
}

int md_mutants_compiled(void)
{
	return MD_MUTANTS_ON;
}

const char *md_detector_name(unsigned det)
{
	static const char *const names[] = {"oracle", "tsan", "asan", "signal"};

	return det < sizeof(names) / sizeof(names[0]) ? names[det] : "?";
}
