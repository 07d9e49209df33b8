// SPDX-License-Identifier: MIT
/*
 * replay_main.c - the plain driver: `fuzz_sched FILE|DIR...` runs each
 * input once through LLVMFuzzerTestOneInput, without a fuzzing engine (a
 * failing input aborts, as under the engine).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "md_fuzz.h"

static int run_file(const char *path)
{
	static uint8_t buf[1 << 20];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL) {
		perror(path);
		return 2;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	printf("%s: ok\n", path);
	return 0;
}

static int run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];
	int ret = 0;

	if (d == NULL) {
		perror(dir);
		return 2;
	}
	while ((e = readdir(d)) != NULL && ret == 0) {
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			ret = run_file(path);
	}
	closedir(d);
	return ret;
}

int main(int argc, char **argv)
{
	struct stat st;
	int ret = 0;

	LLVMFuzzerInitialize(&argc, &argv);
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR... (runs each input once)\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc && ret == 0; i++)
		ret = stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode) ? run_dir(argv[i])
								     : run_file(argv[i]);
	return ret;
}
