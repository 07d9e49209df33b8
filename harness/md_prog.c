// SPDX-License-Identifier: MIT
/*
 * md_prog.c - program encodings.
 *
 * Invariant of a valid program: 1 <= nthreads <= MD_PROG_MAX_THREADS; every
 * op's thread < nthreads, code < table->nops, arguments within the op's
 * ranges (0 when unused); nsched <= MD_PROG_MAX_SCHED.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "md_prog.h"

int md_prog_validate(const struct md_prog *p, const struct md_op_table *t)
{
	if (p->nthreads < 1 || p->nthreads > MD_PROG_MAX_THREADS || p->nops > MD_PROG_MAX_OPS ||
	    p->nsched > MD_PROG_MAX_SCHED || t->nops > MD_PROG_MAX_CODES)
		return -1;
	for (unsigned i = 0; i < p->nops; i++) {
		const struct md_op *o = &p->op[i];
		const struct md_op_desc *d;

		if (o->thread >= p->nthreads || o->code >= t->nops)
			return -1;
		d = &t->op[o->code];
		if (o->a > (d->arg[0] ? d->max[0] : 0) || o->b > (d->arg[1] ? d->max[1] : 0))
			return -1;
	}
	return 0;
}

static uint8_t at(const uint8_t *buf, size_t len, size_t i)
{
	return i < len ? buf[i] : 0;
}

static uint32_t wrap(uint8_t v, const char *name, uint8_t max)
{
	return name ? v % (max + 1u) : 0;
}

void md_prog_decode(struct md_prog *p, const struct md_op_table *t, const uint8_t *buf, size_t len)
{
	size_t off;

	memset(p, 0, sizeof(*p));
	p->nthreads = 1 + at(buf, len, 0) % MD_PROG_MAX_THREADS;
	p->nops = at(buf, len, 1) % (MD_PROG_MAX_OPS + 1);
	for (unsigned i = 0; i < p->nops; i++) {
		uint8_t b0 = at(buf, len, 2 + 3 * (size_t)i);
		struct md_op *o = &p->op[i];
		const struct md_op_desc *d;

		o->thread = (uint8_t)((b0 >> 5) % p->nthreads);
		o->code = (uint8_t)((b0 & 31) % t->nops);
		d = &t->op[o->code];
		o->a = wrap(at(buf, len, 3 + 3 * (size_t)i), d->arg[0], d->max[0]);
		o->b = wrap(at(buf, len, 4 + 3 * (size_t)i), d->arg[1], d->max[1]);
	}
	off = 2 + 3 * (size_t)p->nops;
	if (off < len) {
		p->nsched = len - off < MD_PROG_MAX_SCHED ? len - off : MD_PROG_MAX_SCHED;
		memcpy(p->sched, buf + off, p->nsched);
	}
}

size_t md_prog_encode(const struct md_prog *p, uint8_t *buf, size_t cap)
{
	size_t n = 2 + 3 * (size_t)p->nops + p->nsched;

	if (n > cap)
		return 0;
	buf[0] = (uint8_t)(p->nthreads - 1);
	buf[1] = (uint8_t)p->nops;
	for (unsigned i = 0; i < p->nops; i++) {
		buf[2 + 3 * i] = (uint8_t)(p->op[i].thread << 5 | p->op[i].code);
		buf[3 + 3 * i] = (uint8_t)p->op[i].a; /* <= max <= 255 in a valid program */
		buf[4 + 3 * i] = (uint8_t)p->op[i].b;
	}
	memcpy(buf + 2 + 3 * (size_t)p->nops, p->sched, p->nsched);
	return n;
}

void md_prog_op_format(const struct md_op *o, const struct md_op_table *t, char *buf, size_t len)
{
	const struct md_op_desc *d = &t->op[o->code];
	int n = snprintf(buf, len, "%s", d->name);

	if (d->arg[0] && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " %s=%u", d->arg[0], o->a);
	if (d->arg[1] && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " %s=%u", d->arg[1], o->b);
}

void md_prog_print(const struct md_prog *p, const struct md_op_table *t, FILE *f)
{
	fprintf(f, "threads %u\n", p->nthreads);
	for (unsigned th = 0; th < p->nthreads; th++) {
		fprintf(f, "thread %u\n", th);
		for (unsigned i = 0; i < p->nops; i++) {
			const struct md_op *o = &p->op[i];
			char line[96];

			if (o->thread != th)
				continue;
			md_prog_op_format(o, t, line, sizeof(line));
			fprintf(f, "  %s\n", line);
		}
	}
	if (p->nsched) {
		fprintf(f, "schedule");
		for (size_t i = 0; i < p->nsched; i++)
			fprintf(f, " %u", p->sched[i]);
		fputc('\n', f);
	}
}

/* ---- the text parser: a cursor over one line ---- */

struct cur {
	const char *line, *p;
	unsigned lineno;
	char *err;
	size_t errlen;
};

static int perr(struct cur *c, const char *what)
{
	snprintf(c->err, c->errlen, "line %u, column %u: %s", c->lineno,
		 (unsigned)(c->p - c->line) + 1, what);
	return -1;
}

static void skip_ws(struct cur *c)
{
	while (*c->p == ' ' || *c->p == '\t')
		c->p++;
}

static size_t word(struct cur *c, char *out, size_t cap)
{
	size_t n = 0;

	skip_ws(c);
	while (c->p[n] && !isspace((unsigned char)c->p[n]) && c->p[n] != '=' && c->p[n] != '#') {
		if (n + 1 < cap)
			out[n] = c->p[n];
		n++;
	}
	out[n < cap ? n : cap - 1] = '\0';
	return n;
}

static int number(struct cur *c, unsigned max, unsigned *v)
{
	char *end;
	unsigned long x;

	skip_ws(c);
	if (!isdigit((unsigned char)*c->p))
		return perr(c, "expected a number");
	x = strtoul(c->p, &end, 10);
	if (x > max)
		return perr(c, "number out of range");
	c->p = end;
	*v = (unsigned)x;
	return 0;
}

static int at_end(struct cur *c)
{
	skip_ws(c);
	return *c->p == '\0' || *c->p == '#';
}

/* "name=value" for the op's argument @i. */
static int op_arg(struct cur *c, const struct md_op_desc *d, unsigned i, uint32_t *v)
{
	char name[32];
	unsigned x;
	size_t n;

	*v = 0;
	if (d->arg[i] == NULL)
		return 0;
	n = word(c, name, sizeof(name));
	if (n == 0 || strcmp(name, d->arg[i]) != 0)
		return perr(c, "expected the op's next argument");
	c->p += n;
	if (*c->p != '=')
		return perr(c, "expected '='");
	c->p++;
	if (number(c, d->max[i], &x))
		return -1;
	*v = x;
	return 0;
}

static int parse_op(struct md_prog *p, const struct md_op_table *t, struct cur *c, unsigned th)
{
	char name[32];
	size_t n = word(c, name, sizeof(name));
	struct md_op *o;
	unsigned code;

	for (code = 0; code < t->nops && strcmp(t->op[code].name, name) != 0; code++)
		;
	if (code == t->nops)
		return perr(c, "unknown op");
	if (p->nops == MD_PROG_MAX_OPS)
		return perr(c, "too many ops");
	c->p += n;
	o = &p->op[p->nops];
	o->thread = (uint8_t)th;
	o->code = (uint8_t)code;
	if (op_arg(c, &t->op[code], 0, &o->a) || op_arg(c, &t->op[code], 1, &o->b))
		return -1;
	if (!at_end(c))
		return perr(c, "unexpected text after the op");
	p->nops++;
	return 0;
}

static int parse_sched(struct md_prog *p, struct cur *c)
{
	unsigned v;

	while (!at_end(c)) {
		if (p->nsched == MD_PROG_MAX_SCHED)
			return perr(c, "schedule too long");
		if (number(c, 255, &v))
			return -1;
		p->sched[p->nsched++] = (uint8_t)v;
	}
	return 0;
}

static int parse_line(struct md_prog *p, const struct md_op_table *t, struct cur *c, int *th)
{
	char kw[32];
	unsigned v;
	size_t n;

	if (at_end(c))
		return 0;
	n = word(c, kw, sizeof(kw));
	if (strcmp(kw, "threads") == 0 || strcmp(kw, "thread") == 0) {
		int all = kw[6] == 's';

		c->p += n;
		if (number(c, all ? MD_PROG_MAX_THREADS : (p->nthreads ? p->nthreads - 1 : 0), &v))
			return -1;
		if (all && v == 0)
			return perr(c, "a program has at least one thread");
		if (all)
			p->nthreads = v;
		else
			*th = (int)v;
		return at_end(c) ? 0 : perr(c, "unexpected text");
	}
	if (strcmp(kw, "schedule") == 0) {
		c->p += n;
		return parse_sched(p, c);
	}
	if (*th < 0)
		return perr(c, "an op before any 'thread N' line");
	return parse_op(p, t, c, (unsigned)*th);
}

int md_prog_parse(struct md_prog *p, const struct md_op_table *t, const char *text, char *err,
		  size_t errlen)
{
	struct cur c = {.err = err, .errlen = errlen};
	char *copy = strdup(text), *line, *next;
	int th = -1, ret = 0;

	memset(p, 0, sizeof(*p));
	if (copy == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (line = copy; *line && ret == 0; line = next) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		c.lineno++;
		c.line = c.p = line;
		ret = parse_line(p, t, &c, &th);
	}
	free(copy);
	if (ret)
		return -1;
	if (p->nthreads == 0) {
		snprintf(err, errlen, "line %u, column 1: missing 'threads N'", c.lineno + 1);
		return -1;
	}
	return md_prog_validate(p, t) ? (snprintf(err, errlen, "invalid program"), -1) : 0;
}
