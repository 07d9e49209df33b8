/* SPDX-License-Identifier: MIT */
/*
 * md_repro.h - reproducer files: one format for explore's findings, the
 * fuzzers' crash files and the corpus.
 *
 * Binary (*.bin and anything not named *.mdt): a program in md_prog's
 * binary encoding, then a trailer
 *	"target=core mutant=gup_no_recheck" [length byte] "MDT2" [CRC-32, 4 bytes LE]
 * (plus " replay=bytes" when the schedule bytes are not a recorded trace,
 * " expect=KIND" naming the failure kind the recording ended with and
 * " san=NAME" the sanitizer of the build it was recorded in).  The CRC-32
 * covers every byte before it, so a truncated file or a flipped byte is
 * found: a file that ends in no trailer is a raw fuzzer input (or damage),
 * replayed only when the caller says so.  Version 1 files ("MDT1", no CRC)
 * are still read.  A raw input's target is the core, its mutant none, and
 * its schedule bytes are replayed in bytes mode.
 *
 * Text (*.mdt): "target NAME", "mutant NAME", "replay exact|bytes",
 * "expect KIND" and "sanitizer NAME" lines, then md_prog's text form.
 * Binary -> text -> binary is exact.
 */
#ifndef MD_REPRO_H
#define MD_REPRO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "md_prog.h"
#include "md_sched.h"
#include "md_target.h"

#define MD_REPRO_MAX (2u + 3u * MD_PROG_MAX_OPS + MD_PROG_MAX_SCHED + 96u)

enum md_repro_format {
	MD_REPRO_RAW, /* no trailer: a fuzzer's input, or a damaged file */
	MD_REPRO_V1,  /* "MDT1": no checksum */
	MD_REPRO_V2,  /* "MDT2" and a CRC-32 */
	MD_REPRO_TEXT,
};

struct md_repro {
	const struct md_target *tg;
	unsigned mutant; /* enum md_mutant_id */
	int exact;	 /* the schedule is a recorded trace: replay it strictly */
	unsigned expect; /* enum md_fail_kind the recording ended with; MD_FAIL_NONE: not said */
	char san[12];	 /* the sanitizer of the recording build ("thread", ...); "": not said */
	unsigned format; /* enum md_repro_format, as read */
	struct md_prog p;
};

/**
 * md_repro_encode() - @r in the binary form; no allocation, signal-safe.
 * Return: its length, or 0 if @cap is too small.
 */
size_t md_repro_encode(const struct md_repro *r, uint8_t *buf, size_t cap);

/**
 * md_repro_decode() - split @len bytes into program and trailer.  @strict
 * (files a user replays): a trailer whose checksum does not match is an
 * error; else (fuzz inputs, which mutations damage) it is a raw input.
 * Return: 0 (r->format says whether a trailer was found); -1 with the reason
 * in @err (a damaged trailer when strict, an unknown target or mutant).
 */
int md_repro_decode(struct md_repro *r, const uint8_t *buf, size_t len, int strict, char *err,
		    size_t elen);

/**
 * md_repro_decode_as() - md_repro_decode(), but bytes with no trailer are a
 * program of @raw_tg (NULL: the core), as a campaign that fuzzes one target
 * (`mdt fuzz --target`) ran them.
 */
int md_repro_decode_as(struct md_repro *r, const uint8_t *buf, size_t len, int strict,
		       const struct md_target *raw_tg, char *err, size_t elen);

/**
 * md_repro_encode_input() - @r as a fuzzer's input, its schedule cut to fit
 * @cap: raw (no trailer) when it is a program of @raw_tg (NULL: the core)
 * with no mutant of its own, as a campaign on that target reads raw bytes
 * (its MDT_MUTANT applies; inputs stay short); else with the trailer naming
 * its target, in bytes mode.  No allocation.
 * Return: its length, or 0 if @cap is too small for the ops.
 */
size_t md_repro_encode_input(struct md_repro *r, const struct md_target *raw_tg, uint8_t *out,
			     size_t cap);

/** md_repro_sanitizer() - this build's sanitizer as a reproducer records it ("none", ...). */
const char *md_repro_sanitizer(void);

/**
 * md_repro_load() - read @path (*.mdt: text, else binary, decoded as
 * md_repro_decode() with @strict): a regular file only (a directory, a FIFO
 * or a device is refused, never read).  A fuzzer's input is loaded with
 * @strict 0, so it is replayed as the fuzzer read it; a raw one as a program
 * of @raw_tg (NULL: the core).
 * Return: 0; -1 with "PATH: reason" in @err (unreadable, not a regular
 * file, too large, damaged, a parse error with line and column).
 */
int md_repro_load(const char *path, struct md_repro *r, int strict, const struct md_target *raw_tg,
		  char *err, size_t elen);

/** md_repro_print() - the text form. */
void md_repro_print(const struct md_repro *r, FILE *f);

/**
 * md_repro_create() - write @n bytes to a new file; never replaces one.
 * @dir: created if missing; @stem: the name without ".bin".  When the name
 * is taken, "-1", "-2", ... are appended.  Signal-safe (no stdio).
 * Return: 0 with the name in @path; -1 with errno set.
 */
int md_repro_create(const char *dir, const char *stem, const uint8_t *buf, size_t n, char *path,
		    size_t plen);

/** md_repro_mkdir() - create @dir and its parents.  Return: 0, or -1 with errno set. */
int md_repro_mkdir(const char *dir);

/**
 * md_repro_write() - write @n bytes to exactly @path (O_EXCL: an existing
 * file is an error, EEXIST).  Return: 0, or -1 with errno set.
 */
int md_repro_write(const char *path, const uint8_t *buf, size_t n);

/** md_repro_source() - the schedule source that replays @r. */
struct md_sched_source md_repro_source(const struct md_repro *r);

#endif
