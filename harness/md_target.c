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

#define NTARGETS (sizeof(targets) / sizeof(targets[0]))

const struct md_target *md_target_find(const char *name)
{
	if (name == NULL)
		return &md_target_core;
	for (size_t i = 0; i < NTARGETS; i++)
		if (strcmp(targets[i]->name, name) == 0)
			return targets[i];
	return NULL;
}

const char *md_target_names(void)
{
	static char buf[512];
	size_t off = 0;

	if (buf[0] != '\0')
		return buf;
	for (size_t i = 0; i < NTARGETS; i++) {
		size_t n = strlen(targets[i]->name);

		if (off + n + 3 > sizeof(buf))
			break; /* a long list is cut, never overrun */
		memcpy(buf + off, i ? ", " : "", i ? 2 : 0);
		off += i ? 2 : 0;
		memcpy(buf + off, targets[i]->name, n + 1);
		off += n;
	}
	return buf;
}

int md_target_op(const struct md_target *tg, const char *name)
{
	for (unsigned k = 0; k < tg->ops->nops; k++)
		if (strcmp(tg->ops->op[k].name, name) == 0)
			return (int)k;
	return -1;
}
