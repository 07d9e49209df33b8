// SPDX-License-Identifier: MIT
/*
 * md_san_defaults.c - sanitizers/<name>.options as the runtimes' defaults.
 *
 * Each sanitizer runtime calls its weak hook once at start-up, before it
 * parses *SAN_OPTIONS (which still win), so a binary run by hand, outside
 * ./mdt and its env.sh, also halts at the first report with the project's
 * exit codes: a report never ends in a silent PASS.  In a build without the
 * sanitizer the function is never called.
 */
#include "md_san_options.h"

const char *__tsan_default_options(void);
const char *__asan_default_options(void);
const char *__ubsan_default_options(void);
const char *__lsan_default_options(void);

const char *__tsan_default_options(void)
{
	return MD_TSAN_OPTIONS;
}

const char *__asan_default_options(void)
{
	return MD_ASAN_OPTIONS;
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define MD_UBSAN_BESIDE 1
#endif
#endif

/*
 * Beside ASan or TSan, UBSan reports with their exit code; alone, with
 * MD_EXIT_UBSAN (cli/md_exit.h): its own default, 1, would read as "failure
 * found".  ubsan.options cannot say it: the TSan runtime parses it too.
 */
const char *__ubsan_default_options(void)
{
#ifdef MD_UBSAN_BESIDE
	return MD_UBSAN_OPTIONS;
#else
	return MD_UBSAN_OPTIONS ":exitcode=68";
#endif
}

const char *__lsan_default_options(void)
{
	return MD_LSAN_OPTIONS;
}
