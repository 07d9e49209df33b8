/* SPDX-License-Identifier: MIT */
/*
 * md_prog.h - operation programs: 1..8 logical threads, each a list of ops,
 * plus the schedule bytes that drive the scheduler.
 *
 * The op set belongs to a target (struct md_op_table: names, argument
 * ranges, default weights); the program model is generic.  Two encodings:
 *  - binary (the fuzz input): byte 0 threads, byte 1 op count, 3 bytes per
 *    op (thread << 5 | opcode, a, b), the rest schedule bytes.  Every byte
 *    string decodes (values wrap into range; missing bytes read as 0), and a
 *    byte past the header changes one op or one decision.
 *  - text (.mdt): "thread N" headers, one op per line ("lookup frame=17"),
 *    # comments, "schedule 0 1 1 ..." for the decisions.
 * Text -> binary -> text round-trips exactly for a validated program.
 */
#ifndef MD_PROG_H
#define MD_PROG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MD_PROG_MAX_THREADS 8u
#define MD_PROG_MAX_OPS	    64u /* in the whole program */
#define MD_PROG_MAX_SCHED   4096u
#define MD_PROG_MAX_CODES   32u

/*
 * One op of a target's registry.  In a program an argument ranges over
 * 0..max[i] (it fits the binary encoding's byte); on real threads (stress)
 * arguments are drawn over all 32 bits, and the target reduces each modulo
 * its domain in the instance (a frame number modulo the frames, ...), which
 * leaves a program's small values unchanged.
 */
struct md_op_desc {
	const char *name;
	const char *arg[2]; /* argument names, NULL when unused */
	uint8_t max[2];	    /* in a program, an argument ranges over 0..max[i] */
	uint8_t hot[2];	    /* generators draw from hot[i]..max[i] 3 times in 4 (0: uniform) */
	uint16_t weight;    /* default weight in a random mix (stress); 0: only when named */
	const char *doc;    /* what it does and checks, for --list-ops */
};

struct md_op_table {
	unsigned nops;
	const struct md_op_desc *op;
};

struct md_op {
	uint8_t thread, code;
	uint32_t a, b; /* arguments: <= the desc's max in a program, any value on real threads */
};

struct md_prog {
	unsigned nthreads, nops;
	struct md_op op[MD_PROG_MAX_OPS]; /* in program order; each names its thread */
	size_t nsched;
	uint8_t sched[MD_PROG_MAX_SCHED];
};

/** md_prog_validate() - 0 when every field is in range for @t; -1 otherwise. */
int md_prog_validate(const struct md_prog *p, const struct md_op_table *t);

/** md_prog_decode() - total decoder: any @len bytes (even 0) give a valid program. */
void md_prog_decode(struct md_prog *p, const struct md_op_table *t, const uint8_t *buf, size_t len);

/** md_prog_encode() - the binary form; returns its length (<= @cap) or 0 if @cap is too small. */
size_t md_prog_encode(const struct md_prog *p, uint8_t *buf, size_t cap);

/** md_prog_op_format() - one op as its text line ("gup frame=3"). */
void md_prog_op_format(const struct md_op *o, const struct md_op_table *t, char *buf, size_t len);

/** md_prog_print() - the text form. */
void md_prog_print(const struct md_prog *p, const struct md_op_table *t, FILE *f);

/**
 * md_prog_parse() - read the text form.
 * Return: 0; -1 with "line L, column C: what" in @err.
 */
int md_prog_parse(struct md_prog *p, const struct md_op_table *t, const char *text, char *err,
		  size_t errlen);

#endif
