// SPDX-License-Identifier: MIT
/*
 * fuzz_decode.c - robustness and round trips of the encodings: any bytes
 * decode to a valid program; its text parses back to the same program
 * (ops grouped by thread, as the text writes them); its binary form
 * decodes back exactly; the bytes read as text either parse to a valid
 * program or give an error naming a line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md_fuzz.h"
#include "md_target.h"

static __attribute__((noreturn)) void broken(const char *what, const char *detail)
{
	fprintf(stderr, "FAIL decode: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	abort();
}

/* Ops stably grouped by thread: the order the text form writes. */
static void by_thread(struct md_prog *p)
{
	static struct md_prog q;
	unsigned n = 0;

	q = *p;
	for (unsigned th = 0; th < p->nthreads; th++)
		for (unsigned i = 0; i < q.nops; i++)
			if (q.op[i].thread == th)
				p->op[n++] = q.op[i];
}

static void text_roundtrip(struct md_prog *p, const struct md_op_table *t)
{
	static char text[64 * 1024], err[200];
	static struct md_prog q;
	FILE *f = fmemopen(text, sizeof(text), "w");

	if (f == NULL)
		return;
	md_prog_print(p, t, f);
	fclose(f);
	if (md_prog_parse(&q, t, text, err, sizeof(err)))
		broken("the printed text does not parse", err);
	by_thread(p);
	if (memcmp(&q, p, sizeof(q)) != 0)
		broken("text -> program is not the program", NULL);
}

static void binary_roundtrip(const struct md_prog *p, const struct md_op_table *t)
{
	static uint8_t buf[2 + 3 * MD_PROG_MAX_OPS + MD_PROG_MAX_SCHED];
	static struct md_prog q;
	size_t n = md_prog_encode(p, buf, sizeof(buf));

	md_prog_decode(&q, t, buf, n);
	if (n == 0 || memcmp(&q, p, sizeof(q)) != 0)
		broken("encode -> decode is not the program", NULL);
}

static void parse_raw(const uint8_t *data, size_t size, const struct md_op_table *t)
{
	static char text[64 * 1024], err[200];
	static struct md_prog q;

	if (size >= sizeof(text))
		size = sizeof(text) - 1;
	memcpy(text, data, size);
	text[size] = '\0';
	if (md_prog_parse(&q, t, text, err, sizeof(err)) == 0) {
		if (md_prog_validate(&q, t))
			broken("the parser accepted an invalid program", NULL);
	} else if (strncmp(err, "line ", 5) != 0) {
		broken("a parse error without its line", err);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct md_prog p;
	const struct md_op_table *t = md_target_core.ops;

	md_prog_decode(&p, t, data, size);
	if (md_prog_validate(&p, t))
		broken("the decoder produced an invalid program", NULL);
	binary_roundtrip(&p, t);
	text_roundtrip(&p, t);
	parse_raw(data, size, t);
	return 0;
}
