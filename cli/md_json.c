// SPDX-License-Identifier: MIT
/*
 * md_json.c - the JSON writer and output files of the mdt commands.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "md_json.h"

static void quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++)
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	fputc('"', f);
}

/* The separator before a member, and its key. */
static void member(struct md_json *j, const char *key)
{
	if (!j->first[j->depth])
		fputs(", ", j->f);
	j->first[j->depth] = false;
	if (key) {
		quoted(j->f, key);
		fputs(": ", j->f);
	}
}

static void open_container(struct md_json *j, const char *key, char open, char close)
{
	if (j->depth > 0)
		member(j, key);
	fputc(open, j->f);
	if (j->depth < MD_JSON_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
	j->close[j->depth] = close;
}

void md_json_begin(struct md_json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	open_container(j, NULL, '{', '}');
}

void md_json_close(struct md_json *j)
{
	if (j->depth == 0)
		return;
	fputc(j->close[j->depth], j->f);
	j->depth--;
}

void md_json_end(struct md_json *j)
{
	while (j->depth)
		md_json_close(j);
	fputc('\n', j->f);
}

void md_json_obj(struct md_json *j, const char *key)
{
	open_container(j, key, '{', '}');
}

void md_json_arr(struct md_json *j, const char *key)
{
	open_container(j, key, '[', ']');
}

void md_json_u64(struct md_json *j, const char *key, uint64_t v)
{
	member(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void md_json_f64(struct md_json *j, const char *key, double v, int prec)
{
	member(j, key);
	if (v != v || v - v != 0) /* NaN and infinities are not JSON */
		fputs("null", j->f);
	else
		fprintf(j->f, "%.*f", prec, v);
}

void md_json_str(struct md_json *j, const char *key, const char *s)
{
	member(j, key);
	quoted(j->f, s);
}

/*
 * @path exists and is no regular file: a directory is refused, the rest
 * written in place.  A FIFO whose reader is still starting gets 5 s to open
 * its end (polled: a FIFO nobody reads is ENXIO, never a hang); then the
 * writes block as they do on any pipe.
 */
static int open_special(struct md_outfile *o, const struct stat *st)
{
	int fd = -1;

	if (S_ISDIR(st->st_mode)) {
		errno = EISDIR;
		return -1;
	}
	o->tmp[0] = '\0';
	for (int i = 0; i < 100; i++) {
		fd = open(o->path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0 || errno != ENXIO || !S_ISFIFO(st->st_mode))
			break;
		usleep(50000);
	}
	if (fd >= 0)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

int md_outfile_open(struct md_outfile *o, const char *path)
{
	struct stat st;
	int fd;

	if (snprintf(o->path, sizeof(o->path), "%s", path) >= (int)sizeof(o->path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		fd = open_special(o, &st);
	} else {
		snprintf(o->tmp, sizeof(o->tmp), "%s.tmp-%ld", path, (long)getpid());
		fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	}
	if (fd < 0)
		return -1;
	o->f = fdopen(fd, "w");
	if (o->f == NULL) {
		int e = errno;

		close(fd);
		if (o->tmp[0])
			unlink(o->tmp);
		errno = e;
		return -1;
	}
	return 0;
}

int md_outfile_commit(struct md_outfile *o)
{
	int direct = o->tmp[0] == '\0';
	/* fsync: a regular file's data is on disk before it replaces the old one */
	int bad = fflush(o->f) != 0 || ferror(o->f) || (!direct && fsync(fileno(o->f)) != 0);
	int e = errno;

	bad |= fclose(o->f) != 0;
	o->f = NULL;
	if (!bad && (direct || rename(o->tmp, o->path) == 0))
		return 0;
	if (!bad)
		e = errno;
	if (!direct)
		unlink(o->tmp);
	errno = e ? e : EIO;
	return -1;
}

void md_outfile_discard(struct md_outfile *o)
{
	if (o->f == NULL)
		return;
	fclose(o->f);
	o->f = NULL;
	if (o->tmp[0])
		unlink(o->tmp);
}
