// SPDX-License-Identifier: MIT
/*
 * md_repro.c - reproducer files.
 *
 * Invariant: a file this module writes decodes back to the same target,
 * mutant, replay mode and program; it is created with O_EXCL, so a finding
 * never overwrites another.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "md_config.h"
#include "md_crash.h"
#include "md_exec.h"
#include "md_mutant.h"
#include "md_repro.h"

#define TRAILER_V1 "MDT1"
#define TRAILER_V2 "MDT2"

/* CRC-32 (IEEE 802.3, reflected), bit by bit: reproducers are small.  Signal-safe. */
static uint32_t crc32(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = c >> 1 ^ (0xedb88320u & (0u - (c & 1)));
	}
	return ~c;
}

const char *md_repro_sanitizer(void)
{
	if (strstr(MD_SANITIZE, "thread"))
		return "thread";
	if (strstr(MD_SANITIZE, "address"))
		return "address";
	return strstr(MD_SANITIZE, "undefined") ? "undefined" : "none";
}

static size_t put(uint8_t *buf, size_t off, size_t cap, const char *s)
{
	size_t n = strlen(s);

	if (off + n > cap)
		return cap + 1;
	memcpy(buf + off, s, n);
	return off + n;
}

size_t md_repro_encode(const struct md_repro *r, uint8_t *buf, size_t cap)
{
	const struct md_mutant_info *m = md_bug_info(r->mutant);
	size_t n = md_prog_encode(&r->p, buf, cap), t;
	uint32_t crc;

	if (n == 0)
		return 0;
	t = put(buf, n, cap, "target=");
	t = put(buf, t, cap, r->tg->name);
	t = put(buf, t, cap, " mutant=");
	t = put(buf, t, cap, m ? m->name : "none");
	if (!r->exact)
		t = put(buf, t, cap, " replay=bytes");
	if (r->expect != MD_FAIL_NONE) {
		t = put(buf, t, cap, " expect=");
		t = put(buf, t, cap, md_fail_kind_name(r->expect));
	}
	if (r->san[0]) {
		t = put(buf, t, cap, " san=");
		t = put(buf, t, cap, r->san);
	}
	if (t + 9 > cap || t - n > 255)
		return 0;
	buf[t] = (uint8_t)(t - n);
	memcpy(buf + t + 1, TRAILER_V2, 4);
	crc = crc32(buf, t + 5);
	for (int k = 0; k < 4; k++)
		buf[t + 5 + k] = (uint8_t)(crc >> (8 * k));
	return t + 9;
}

/* One "key=value" of the trailer into @r. */
static int trailer_kv(struct md_repro *r, const char *kv, char *err, size_t elen)
{
	int m;

	if (strncmp(kv, "target=", 7) == 0) {
		r->tg = md_target_find(kv + 7);
		if (r->tg == NULL)
			goto unknown;
	} else if (strncmp(kv, "mutant=", 7) == 0) {
		m = md_bug_lookup(kv + 7);
		if (m < 0)
			goto unknown;
		r->mutant = (unsigned)m;
	} else if (strcmp(kv, "replay=bytes") == 0) {
		r->exact = 0;
	} else if (strncmp(kv, "expect=", 7) == 0) {
		r->expect = md_fail_kind_lookup(kv + 7);
	} else if (strncmp(kv, "san=", 4) == 0) {
		snprintf(r->san, sizeof(r->san), "%s", kv + 4);
	} /* other keys: from a newer mdt; ignored */
	return 0;
unknown:
	snprintf(err, elen, "unknown %s in the trailer", kv);
	return -1;
}

static int parse_trailer(struct md_repro *r, const uint8_t *t, size_t n, char *err, size_t elen)
{
	char s[256], *save = NULL;

	memcpy(s, t, n);
	s[n] = '\0';
	for (char *kv = strtok_r(s, " ", &save); kv; kv = strtok_r(NULL, " ", &save))
		if (trailer_kv(r, kv, err, elen))
			return -1;
	return 0;
}

/* The trailer's length if @buf ends in one of @magic (@extra bytes after it), else 0. */
static size_t trailer_at(const uint8_t *buf, size_t len, const char *magic, size_t extra)
{
	if (len < 5 + extra || memcmp(buf + len - 4 - extra, magic, 4) != 0 ||
	    buf[len - 5 - extra] + 5u + extra > len)
		return 0;
	return (size_t)buf[len - 5 - extra] + 5 + extra;
}

static uint32_t stored_crc(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The program's length in @buf and the trailer's format; -1 when a v2 checksum is wrong. */
static long split_trailer(struct md_repro *r, const uint8_t *buf, size_t len, size_t *tl)
{
	if ((*tl = trailer_at(buf, len, TRAILER_V2, 4)) != 0) {
		if (crc32(buf, len - 4) != stored_crc(buf + len - 4))
			return -1;
		r->format = MD_REPRO_V2;
		return (long)(len - *tl);
	}
	if ((*tl = trailer_at(buf, len, TRAILER_V1, 0)) != 0) {
		r->format = MD_REPRO_V1;
		return (long)(len - *tl);
	}
	r->format = MD_REPRO_RAW;
	return (long)len;
}

int md_repro_decode(struct md_repro *r, const uint8_t *buf, size_t len, int strict, char *err,
		    size_t elen)
{
	return md_repro_decode_as(r, buf, len, strict, NULL, err, elen);
}

int md_repro_decode_as(struct md_repro *r, const uint8_t *buf, size_t len, int strict,
		       const struct md_target *raw_tg, char *err, size_t elen)
{
	size_t tl;
	long n;

	memset(r, 0, sizeof(*r));
	r->tg = raw_tg ? raw_tg : &md_target_core; /* a trailer names its own */
	r->exact = 1;
	n = split_trailer(r, buf, len, &tl);
	if (n < 0 && strict) {
		snprintf(err, elen, "damaged reproducer: its checksum does not match");
		return -1;
	}
	if (n < 0) { /* a fuzzer's mutation hit the trailer: the bytes are a raw input */
		r->format = MD_REPRO_RAW;
		n = (long)len;
	}
	if (r->format == MD_REPRO_RAW)
		r->exact = 0;
	else if (parse_trailer(r, buf + n, tl - (r->format == MD_REPRO_V2 ? 9 : 5), err, elen))
		return -1;
	len = (size_t)n;
	if (!md_bug_fits(r->mutant, r->tg)) {
		snprintf(err, elen, "the trailer's mutant %s is not seeded in target %s",
			 md_bug_name(r->mutant), r->tg->name);
		return -1;
	}
	md_prog_decode(&r->p, r->tg->ops, buf, len);
	return 0;
}

static int is_text(const char *path)
{
	size_t n = strlen(path);

	return n >= 4 && strcmp(path + n - 4, ".mdt") == 0;
}

/*
 * The whole of the regular file @path, at most @cap bytes.  Opened without
 * blocking and checked before any read: a FIFO, a device or a directory is
 * refused (ENOTREG below), never read.
 * Return: the length, or -1 with errno (EFBIG: larger than @cap).
 */
#define ENOTREG 4242 /* not an errno: a file that is not a regular one */
static long read_all(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	size_t n = 0;
	ssize_t k = 0;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (size_t)st.st_size > cap) {
		int e = fstat(fd, &st) ? errno : !S_ISREG(st.st_mode) ? ENOTREG : EFBIG;

		close(fd);
		errno = e;
		return -1;
	}
	while (n < cap && (k = read(fd, buf + n, cap - n)) > 0)
		n += (size_t)k;
	close(fd);
	if (k < 0 || n == cap)
		return errno = k < 0 ? errno : EFBIG, -1;
	return (long)n;
}

static const char *const directives[] = {"target", "mutant", "replay", "expect", "sanitizer"};

/* Which directive @kw is (a bit), 0 if none: each may be given once. */
static unsigned directive_bit(const char *kw)
{
	for (unsigned i = 0; i < sizeof(directives) / sizeof(directives[0]); i++)
		if (strcmp(kw, directives[i]) == 0)
			return 1u << i;
	return 0;
}

/*
 * "target X" / "mutant X" / "replay M" ...: take it, and blank the line for
 * md_prog_parse.  @seen: the directives taken so far; a second one is an
 * error (which of two targets would the file replay?).
 */
static int directive(struct md_repro *r, char *line, unsigned *seen, char *err, size_t elen)
{
	char kw[16], val[64];
	unsigned bit;
	int m;

	if (sscanf(line, "%15s %63s", kw, val) != 2 || (bit = directive_bit(kw)) == 0)
		return 0;
	if (*seen & bit)
		return snprintf(err, elen, "'%s' is given twice", kw), -1;
	*seen |= bit;
	if (strcmp(kw, "target") == 0) {
		if ((r->tg = md_target_find(val)) == NULL)
			return snprintf(err, elen, "unknown target '%s'", val), -1;
	} else if (strcmp(kw, "mutant") == 0) {
		if ((m = md_bug_lookup(val)) < 0)
			return snprintf(err, elen, "unknown mutant '%s'", val), -1;
		r->mutant = (unsigned)m;
	} else if (strcmp(kw, "replay") == 0) {
		if (strcmp(val, "exact") && strcmp(val, "bytes"))
			return snprintf(err, elen, "replay is 'exact' or 'bytes', not '%s'", val),
			       -1;
		r->exact = strcmp(val, "exact") == 0;
	} else if (strcmp(kw, "expect") == 0) {
		if ((r->expect = md_fail_kind_lookup(val)) == MD_FAIL_NONE)
			return snprintf(err, elen, "unknown failure kind '%s'", val), -1;
	} else {
		snprintf(r->san, sizeof(r->san), "%s", val);
	}
	line[0] = '#'; /* keeps line and column numbers for the parser's errors */
	return 0;
}

static int load_text(struct md_repro *r, char *text, size_t len, char *err, size_t elen)
{
	char msg[200];
	unsigned seen = 0;

	if (memchr(text, '\0', len)) {
		snprintf(err, elen,
			 "binary content in a .mdt (text) file: a binary reproducer is "
			 "named .bin");
		return -1;
	}
	r->format = MD_REPRO_TEXT;
	r->exact = 1;
	for (char *line = text; line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		line += strspn(line, " \t");
		if (directive(r, line, &seen, msg, sizeof(msg))) {
			snprintf(err, elen, "%s", msg);
			return -1;
		}
	}
	if (md_prog_parse(&r->p, r->tg->ops, text, msg, sizeof(msg))) {
		snprintf(err, elen, "%s", msg);
		return -1;
	}
	return 0;
}

int md_repro_load(const char *path, struct md_repro *r, int strict, const struct md_target *raw_tg,
		  char *err, size_t elen)
{
	static char buf[64 * 1024];
	char msg[200];
	long n = read_all(path, buf, sizeof(buf) - 1);
	int ret;

	if (n < 0) {
		snprintf(err, elen, "%s: %s", path,
			 errno == EFBIG	    ? "too large for a reproducer"
			 : errno == ENOTREG ? "not a regular file"
					    : strerror(errno));
		return -1;
	}
	memset(r, 0, sizeof(*r));
	r->tg = &md_target_core;
	buf[n] = '\0';
	if (is_text(path))
		ret = load_text(r, buf, (size_t)n, msg, sizeof(msg));
	else
		ret = md_repro_decode_as(r, (uint8_t *)buf, (size_t)n, strict, raw_tg, msg,
					 sizeof(msg));
	if (ret)
		snprintf(err, elen, "%s: %s", path, msg);
	return ret;
}

void md_repro_print(const struct md_repro *r, FILE *f)
{
	const struct md_mutant_info *m = md_bug_info(r->mutant);

	fprintf(f, "target %s\nmutant %s\nreplay %s\n", r->tg->name, m ? m->name : "none",
		r->exact ? "exact" : "bytes");
	if (r->expect != MD_FAIL_NONE)
		fprintf(f, "expect %s\n", md_fail_kind_name(r->expect));
	if (r->san[0])
		fprintf(f, "sanitizer %s\n", r->san);
	md_prog_print(&r->p, r->tg->ops, f);
}

int md_repro_write(const char *path, const uint8_t *buf, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	ssize_t w;

	if (fd < 0)
		return -1;
	w = write(fd, buf, n);
	if (w != (ssize_t)n) {
		int e = w < 0 ? errno : ENOSPC;

		close(fd);
		unlink(path); /* a truncated reproducer would replay something else */
		errno = e;
		return -1;
	}
	return close(fd);
}

/* @dir/@stem[-k].bin into @path, without stdio. */
static int make_name(char *path, size_t plen, const char *dir, const char *stem, unsigned k)
{
	size_t off = 0;

	md_crash_cat(path, plen, &off, dir);
	md_crash_cat(path, plen, &off, "/");
	md_crash_cat(path, plen, &off, stem);
	if (k) {
		md_crash_cat(path, plen, &off, "-");
		md_crash_cat_u(path, plen, &off, k);
	}
	md_crash_cat(path, plen, &off, ".bin");
	return off + 1 < plen ? 0 : -1;
}

int md_repro_mkdir(const char *dir)
{
	char p[512];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(p)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(p, dir, n + 1);
	for (char *s = p + 1; *s; s++) { /* the parents first, like mkdir -p */
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return mkdir(p, 0777) && errno != EEXIST ? -1 : 0;
}

int md_repro_create(const char *dir, const char *stem, const uint8_t *buf, size_t n, char *path,
		    size_t plen)
{
	if (md_repro_mkdir(dir))
		return -1;
	for (unsigned k = 0; k < 1000; k++) {
		if (make_name(path, plen, dir, stem, k)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (md_repro_write(path, buf, n) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

struct md_sched_source md_repro_source(const struct md_repro *r)
{
	return (struct md_sched_source){.strategy = r->exact ? MD_SCHED_REPLAY : MD_SCHED_BYTES,
					.bytes = r->p.sched,
					.len = r->p.nsched};
}

size_t md_repro_encode_input(struct md_repro *r, const struct md_target *raw_tg, uint8_t *out,
			     size_t cap)
{
	int raw = r->tg == (raw_tg ? raw_tg : &md_target_core) && r->mutant == 0;
	size_t head = 2 + 3 * (size_t)r->p.nops + (raw ? 0 : 96);

	if (head > cap)
		return 0;
	if (head + r->p.nsched > cap)
		r->p.nsched = cap - head;
	if (raw)
		return md_prog_encode(&r->p, out, cap);
	r->exact = 0;
	return md_repro_encode(r, out, cap);
}
