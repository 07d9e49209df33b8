// SPDX-License-Identifier: MIT
/* md_opt.c - option-table parsing for the mdt subcommands. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md_config.h"
#include "md_opt.h"

const char *md_build_variant(void)
{
	const char *v = getenv("MDT_VARIANT");

	if (v && *v)
		return v;
	if (strstr(MD_SANITIZE, "thread"))
		return "tsan";
	if (strstr(MD_SANITIZE, "address"))
		return "asan";
	if (strstr(MD_SANITIZE, "undefined"))
		return "ubsan";
	return MD_RACE_POINTS_ON ? "debug" : "release";
}

/* Append @s to @buf at *@off, single-quoted if the shell would split or expand it. */
static void append_word(char *buf, size_t len, size_t *off, const char *s)
{
	bool plain = *s != '\0' && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					     "0123456789_./=,:@%+-") == strlen(s);

	if (*off >= len)
		return;
	if (plain) {
		*off += (size_t)snprintf(buf + *off, len - *off, " %s", s);
		return;
	}
	*off += (size_t)snprintf(buf + *off, len - *off, " '");
	for (; *s && *off < len; s++)
		*off += (size_t)snprintf(buf + *off, len - *off, *s == '\'' ? "'\\''" : "%c", *s);
	if (*off < len)
		*off += (size_t)snprintf(buf + *off, len - *off, "'");
}

char *md_opt_rerun(char *buf, size_t len, int argc, char **argv, uint64_t seed, const char *extra)
{
	size_t off = (size_t)snprintf(buf, len, "./mdt --build %s", md_build_variant());
	char num[32];

	for (int i = 0; i < argc; i++) {
		if (i > 0 && strncmp(argv[i], "--seed", 6) == 0 &&
		    (argv[i][6] == '\0' || argv[i][6] == '=')) {
			i += argv[i][6] == '\0'; /* its value too */
			continue;
		}
		append_word(buf, len, &off, argv[i]);
	}
	snprintf(num, sizeof(num), "%" PRIu64, seed);
	append_word(buf, len, &off, "--seed");
	append_word(buf, len, &off, num);
	if (*extra && off < len)
		snprintf(buf + off, len - off, " %s", extra);
	return buf;
}

int md_parse_duration(const char *s, uint64_t *ms)
{
	char *end;
	double v;
	double mult = 1000;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || !(v >= 0) || v > 1e15) /* also NaN and infinities */
		return -1;
	if (strcmp(end, "ms") == 0)
		mult = 1;
	else if (strcmp(end, "s") == 0 || *end == '\0')
		mult = 1000;
	else if (strcmp(end, "m") == 0)
		mult = 60000;
	else if (strcmp(end, "h") == 0)
		mult = 3600000;
	else
		return -1;
	if (v * mult > 1e15)
		return -1;
	*ms = (uint64_t)(v * mult + 0.5);
	return 0;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (*s == '-' || *s == '\0')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return (errno || *end) ? -1 : 0;
}

static int set_value(const char *prog, const struct md_opt *o, const char *val)
{
	uint64_t v;
	double p;
	char *end;

	switch (o->type) {
	case MD_OPT_STR:
		*(const char **)o->ptr = val;
		return 0;
	case MD_OPT_PROB:
		errno = 0;
		p = strtod(val, &end);
		if (end == val || *end || errno || !(p >= 0 && p <= 1))
			goto bad;
		*(double *)o->ptr = p;
		return 0;
	case MD_OPT_DURATION:
		if (md_parse_duration(val, &v))
			goto bad;
		break;
	default:
		if (parse_u64(val, &v))
			goto bad;
		break;
	}
	if (v < o->min || v > o->max)
		goto bad;
	*(uint64_t *)o->ptr = v;
	return 0;
bad:
	if (o->type == MD_OPT_DURATION)
		fprintf(stderr,
			"%s: bad value '%s' for --%s (a duration like 500ms, 10s, 2m, 1h; "
			"%" PRIu64 "ms..%" PRIu64 "ms)\n",
			prog, val, o->name, o->min, o->max);
	else if (o->type == MD_OPT_PROB)
		fprintf(stderr, "%s: bad value '%s' for --%s (a probability in [0, 1])\n", prog,
			val, o->name);
	else
		fprintf(stderr,
			"%s: bad value '%s' for --%s (an integer in %" PRIu64 "..%" PRIu64 ")\n",
			prog, val, o->name, o->min, o->max);
	return MD_EXIT_USAGE;
}

static int add_operand(const char *prog, const char *a, const char **pos, int maxpos, int *npos)
{
	if (npos && *npos < maxpos) {
		pos[(*npos)++] = a;
		return 0;
	}
	fprintf(stderr, "%s: unexpected argument '%s' (try --help)\n", prog, a);
	return -1;
}

static const struct md_opt *find(const struct md_opt *opts, const char *name, size_t len)
{
	for (const struct md_opt *o = opts; o->name; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

int md_opt_parse(const char *prog, const struct md_opt *opts, int argc, char **argv)
{
	return md_opt_parse_args(prog, opts, argc, argv, NULL, 0, NULL);
}

int md_opt_parse_args(const char *prog, const struct md_opt *opts, int argc, char **argv,
		      const char **pos, int maxpos, int *npos)
{
	if (npos)
		*npos = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *eq, *val;
		const struct md_opt *o;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			md_opt_usage(stdout, prog, opts);
			return -1;
		}
		if (strcmp(a, "--") == 0) { /* the end of options: the rest are operands */
			while (++i < argc)
				if (add_operand(prog, argv[i], pos, maxpos, npos))
					return MD_EXIT_USAGE;
			return 0;
		}
		if (a[0] == '-' && a[1] != '-' && a[1] && !a[2]) {
			a += 1; /* -o: a one-letter option */
		} else if (strncmp(a, "--", 2) == 0) {
			a += 2;
		} else {
			if (add_operand(prog, a, pos, maxpos, npos))
				return MD_EXIT_USAGE;
			continue;
		}
		eq = strchr(a, '=');
		o = find(opts, a, eq ? (size_t)(eq - a) : strlen(a));
		if (o == NULL) {
			fprintf(stderr, "%s: unknown option '%s' (try --help)\n", prog, argv[i]);
			return MD_EXIT_USAGE;
		}
		if (o->type == MD_OPT_FLAG) {
			if (eq) {
				fprintf(stderr, "%s: --%s takes no value\n", prog, o->name);
				return MD_EXIT_USAGE;
			}
			*(int *)o->ptr = 1;
			continue;
		}
		if (eq) {
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			fprintf(stderr, "%s: --%s needs a value\n", prog, o->name);
			return MD_EXIT_USAGE;
		}
		if (set_value(prog, o, val))
			return MD_EXIT_USAGE;
	}
	return 0;
}

int md_opt_given(int argc, char **argv, const char *name)
{
	size_t n = strlen(name);

	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "--", 2) == 0 && strncmp(argv[i] + 2, name, n) == 0 &&
		    (argv[i][2 + n] == '\0' || argv[i][2 + n] == '='))
			return 1;
	return 0;
}

void md_opt_usage(FILE *f, const char *prog, const struct md_opt *opts)
{
	fprintf(f, "usage: %s [options]\n", prog);
	for (const struct md_opt *o = opts; o->name; o++) {
		const char *arg = o->type == MD_OPT_FLAG       ? ""
				  : o->type == MD_OPT_DURATION ? " T"
				  : o->type == MD_OPT_STR      ? " S"
				  : o->type == MD_OPT_PROB     ? " P"
							       : " N";
		fprintf(f, "  %s%s%-*s %s\n", o->name[1] ? "--" : "-", o->name,
			(int)(20 - strlen(o->name)), arg, o->help);
	}
}
