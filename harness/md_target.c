// SPDX-License-Identifier: MIT
/*
 * md_target.c - the target registry.
 */
#include <string.h>

#include "md_target.h"

static const struct md_target *const targets[] = {
#define MD_TARGET_ROW(sym) &sym,
    MD_TARGETS(MD_TARGET_ROW)
#undef MD_TARGET_ROW
};

const struct md_target *md_target_find(const char *name)
{
	if (name == NULL)
		return &md_target_core;
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		if (strcmp(targets[i]->name, name) == 0)
			return targets[i];
	return NULL;
}

const char *md_target_names(void)
{
	static char buf[128];

	if (buf[0] == '\0')
		for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
			strcat(buf, i ? ", " : "");
			strcat(buf, targets[i]->name);
		}
	return buf;
}
