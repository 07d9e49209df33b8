// SPDX-License-Identifier: MIT
/*
 * md_finder.c - where a driver's findings go: every failure becomes a
 * reproducer file before its report line is printed, including a failure
 * that kills the process (the finder is armed around every run).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "md_cmd.h"
#include "md_crash.h"
#include "md_exit.h"
#include "md_intr.h"
#include "md_opt.h"

/*
 * @fd's program @p with the schedule @res took, encoded into @buf; @exact 0:
 * in bytes mode (see bytes_mode_replays()).  Signal-safe.
 */
static size_t finding_encode(const struct md_finder *fd, const struct md_prog *p,
			     const struct md_exec_result *res, int exact, uint8_t *buf, size_t cap)
{
	static struct md_repro r;

	r.tg = fd->tg;
	r.mutant = fd->mutant;
	r.exact = exact;
	r.expect = res->fail.kind;
	strcpy(r.san, md_repro_sanitizer());
	r.p = *p;
	r.p.nsched = res->ntrace < MD_PROG_MAX_SCHED ? res->ntrace : MD_PROG_MAX_SCHED;
	memcpy(r.p.sched, res->trace, r.p.nsched);
	return md_repro_encode(&r, buf, cap);
}

static void finding_stem(const struct md_finder *fd, char *stem, size_t cap)
{
	size_t off = 0;

	md_crash_cat(stem, cap, &off, fd->kind);
	md_crash_cat(stem, cap, &off, "-");
	md_crash_cat_u(stem, cap, &off, fd->seed);
	md_crash_cat(stem, cap, &off, "-");
	md_crash_cat_u(stem, cap, &off, fd->run);
}

static int finding_write(const struct md_finder *fd, const struct md_prog *p,
			 const struct md_exec_result *res, int exact, char *path, size_t plen)
{
	static uint8_t buf[MD_REPRO_MAX];
	char stem[96];
	size_t n = finding_encode(fd, p, res, exact, buf, sizeof(buf));

	finding_stem(fd, stem, sizeof(stem));
	if (n == 0) {
		errno = EOVERFLOW;
		return -1;
	}
	return md_repro_create(fd->dir, stem, buf, n, path, plen);
}

static struct md_finder *armed;

/* The FAIL line of @res, as a command prints it after "PATH: " or before " (run N)". */
static void crash_fail(char *buf, size_t cap, size_t *off, const struct md_exec_result *res)
{
	md_crash_cat(buf, cap, off, "FAIL crash at step ");
	md_crash_cat_u(buf, cap, off, res->fail.step);
}

/*
 * Replay @path in a fresh process (`mdt repro PATH`): does it fail as @res
 * did?  Its line goes into @got.  Signal-safe.
 */
static int crash_repeats(const char *path, const struct md_exec_result *res, char *got, size_t cap)
{
	static char out[4096], want[768];
	char *argv[] = {"mdt", "repro", (char *)path, NULL};
	size_t off = 0;
	int status = md_crash_spawn(argv, out, sizeof(out));
	char *line = strstr(out, path);

	md_crash_cat(want, sizeof(want), &off, path);
	md_crash_cat(want, sizeof(want), &off, ": ");
	crash_fail(want, sizeof(want), &off, res);
	md_crash_cat(want, sizeof(want), &off, ": ");
	md_crash_cat(want, sizeof(want), &off, res->fail.msg);
	md_crash_cat(want, sizeof(want), &off, "\n");
	off = 0;
	md_crash_cat(got, cap, &off, line ? line : status < 0 ? "(could not start)" : "(no line)");
	if ((line = strchr(got, '\n')) != NULL)
		*line = '\0';
	return status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == MD_EXIT_FAIL &&
	       strstr(out, want) != NULL;
}

/* @path's crash did not repeat in a fresh process: drop it and go on in one. */
static void crash_resume(const struct md_exec_result *res, const char *path, const char *got)
{
	static char line[1536];
	size_t off = 0;

	unlink(path);
	md_crash_cat(line, sizeof(line), &off, "note: run ");
	md_crash_cat_u(line, sizeof(line), &off, armed->run);
	md_crash_cat(line, sizeof(line), &off, " crashed (");
	md_crash_cat(line, sizeof(line), &off, res->fail.msg);
	md_crash_cat(line, sizeof(line), &off, ") but a fresh process replaying it gave \"");
	md_crash_cat(line, sizeof(line), &off, got);
	md_crash_cat(line, sizeof(line), &off,
		     "\": not kept (it depends on what this process ran before, as a "
		     "sanitizer's report can); going on in a fresh process\n");
	md_crash_say(line);
	armed->resume(armed, armed->resume_arg);
	md_crash_say("mdt: cannot start a fresh process to go on\n");
	md_exit_now(MD_EXIT_ENV);
}

/* The process is dying mid-run: keep the run if it replays, say so, leave with "failure found". */
static void finder_crash(const char *why, void *arg)
{
	static struct md_exec_result res;
	static char line[768], path[512], got[512];
	const struct md_prog *p = md_exec_live(&res, why);
	size_t off = 0;
	int repeats;

	(void)arg;
	if (p == NULL || armed == NULL)
		return;
	if (armed->tmp)
		unlink(armed->tmp);
	if (finding_write(armed, p, &res, 1, path, sizeof(path))) {
		md_crash_say("mdt: cannot write the reproducer\n");
		md_exit_now(MD_EXIT_ENV);
	}
	repeats = crash_repeats(path, &res, got, sizeof(got));
	/* Ctrl-C reached the replaying process too: stop here, the file kept */
	if (!repeats && armed->resume && !md_intr_pending())
		crash_resume(&res, path, got);
	md_crash_cat(line, sizeof(line), &off, "\n");
	crash_fail(line, sizeof(line), &off, &res);
	md_crash_cat(line, sizeof(line), &off, " (run ");
	md_crash_cat_u(line, sizeof(line), &off, armed->run);
	md_crash_cat(line, sizeof(line), &off, "): ");
	md_crash_cat(line, sizeof(line), &off, res.fail.msg);
	md_crash_cat(line, sizeof(line), &off, "\n");
	if (!repeats) {
		md_crash_cat(line, sizeof(line), &off,
			     "note: a fresh process replaying it gave \"");
		md_crash_cat(line, sizeof(line), &off, got);
		md_crash_cat(line, sizeof(line), &off, "\"\n");
	}
	md_crash_say(line);
	off = 0;
	md_crash_cat(line, sizeof(line), &off, "repro: ./mdt --build ");
	md_crash_cat(line, sizeof(line), &off, md_build_variant());
	md_crash_cat(line, sizeof(line), &off, " repro ");
	md_crash_cat(line, sizeof(line), &off, path);
	md_crash_cat(line, sizeof(line), &off, "\n");
	md_crash_say(line);
	md_exit_now(MD_EXIT_FAIL);
}

void md_finder_arm(struct md_finder *fd)
{
	armed = fd;
	md_crash_arm(finder_crash, NULL);
}

/*
 * A run longer than a reproducer's schedule (a livelock runs to the step
 * budget) cannot be replayed strictly: the file holds its first
 * MD_PROG_MAX_SCHED decisions.  In bytes mode those decisions are followed
 * by the scheduler's fixed order, deterministically; when that run fails the
 * same way, the file is kept in bytes mode and replays identically.
 * Return: 1 when @res's run is to be kept in bytes mode.
 */
static int bytes_mode_replays(const struct md_finder *fd, const struct md_prog *p,
			      const struct md_exec_result *res)
{
	static struct md_exec_result again;
	struct md_sched_source src = {
	    .strategy = MD_SCHED_BYTES, .bytes = res->trace, .len = MD_PROG_MAX_SCHED};

	if (res->ntrace <= MD_PROG_MAX_SCHED)
		return 0;
	return md_exec_isolated(fd->tg, p, &src, fd->mutant, MD_EXEC_BUDGET, &again) ==
	       res->fail.kind;
}

int md_finder_keep(const struct md_finder *fd, const struct md_prog *p,
		   const struct md_exec_result *res, char *path, size_t plen)
{
	int bytes = bytes_mode_replays(fd, p, res);

	if (res->ntrace > MD_PROG_MAX_SCHED)
		printf("note: %zu scheduling decisions, a reproducer holds %u: %s\n", res->ntrace,
		       MD_PROG_MAX_SCHED,
		       bytes ? "kept in bytes mode (then the scheduler's fixed order), which "
			       "fails the same way"
			     : "its replay will diverge where the kept schedule ends");
	if (finding_write(fd, p, res, !bytes, path, plen)) {
		int e = errno;

		fprintf(stderr, "mdt: cannot write a reproducer in '%s': %s\n", fd->dir,
			strerror(e));
		errno = e;
		return -1;
	}
	printf("repro: ./mdt --build %s repro %s\n", md_build_variant(), path);
	return 0;
}
