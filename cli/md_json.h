/* SPDX-License-Identifier: MIT */
/*
 * md_json.h - the one JSON writer of the mdt commands, and their output
 * files: written to a temporary file beside the target and renamed over it
 * at the end, so an interrupted or failed run never leaves a truncated file
 * and never destroys the previous one.
 */
#ifndef MD_JSON_H
#define MD_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define MD_JSON_DEPTH 8

struct md_json {
	FILE *f;
	unsigned depth;
	bool first[MD_JSON_DEPTH + 1]; /* no member written yet at that depth */
	char close[MD_JSON_DEPTH + 1]; /* '}' or ']' for the container open there */
};

/** md_json_begin() - start the top-level object on @f. */
void md_json_begin(struct md_json *j, FILE *f);

/** md_json_end() - close the top-level object (and a newline). */
void md_json_end(struct md_json *j);

/* Members of the current object: "key": value.  A NULL key is an array element. */
void md_json_u64(struct md_json *j, const char *key, uint64_t v);
void md_json_f64(struct md_json *j, const char *key, double v, int prec);
void md_json_str(struct md_json *j, const char *key, const char *s);
void md_json_obj(struct md_json *j, const char *key); /* opens {, close with md_json_close */
void md_json_arr(struct md_json *j, const char *key); /* opens [, close with md_json_close */
void md_json_close(struct md_json *j);

struct md_outfile {
	FILE *f;
	char path[512], tmp[544]; /* tmp "": writing to @path itself (a device, a FIFO) */
};

/**
 * md_outfile_open() - a new temporary file beside @path for writing, so that
 * a bad path is found before any work and a file there is replaced whole or
 * not at all.  When @path is something other than a regular file (a
 * device such as /dev/stdout or /dev/null, a FIFO), it is written directly:
 * never renamed over.  A directory is EISDIR.  Return: 0, or -1 with errno.
 */
int md_outfile_open(struct md_outfile *o, const char *path);

/**
 * md_outfile_commit() - flush, close and rename the temporary file over the
 * path.  Return: 0, or -1 with errno (the temporary file is removed).
 */
int md_outfile_commit(struct md_outfile *o);

/** md_outfile_discard() - close and remove the temporary file. */
void md_outfile_discard(struct md_outfile *o);

#endif
