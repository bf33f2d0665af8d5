/* SPDX-License-Identifier: Apache-2.0 */
/*
 * replay_main.c - run a fuzz target over files (the seed corpus) without
 * libFuzzer, under gcc, so `make check` replays every corpus input.
 * Prints one "ok - " line per directory or file given, and "not ok - "
 * for one that is missing, unreadable or holds no input (an empty corpus
 * replays nothing and must not pass).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)n); /* aborts on a broken invariant */
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		int files = 0, bad = 0;

		if (stat(argv[i], &st) != 0) {
			printf("not ok - %s: no corpus here\n", argv[i]);
			rc = 1;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			DIR *d = opendir(argv[i]);
			struct dirent *de;
			char p[4096];

			while (d && (de = readdir(d))) {
				if (de->d_name[0] == '.')
					continue;
				snprintf(p, sizeof p, "%s/%s", argv[i], de->d_name);
				if (run_file(p) == 0)
					files++;
				else
					bad++;
			}
			if (d)
				closedir(d);
			else
				bad++;
		} else if (run_file(argv[i]) == 0) {
			files++;
		} else {
			bad++;
		}
		if (bad || files == 0) {
			printf("not ok - %s: replayed %d inputs, %d unreadable\n", argv[i], files, bad);
			rc = 1;
		} else {
			printf("ok - replayed %d inputs from %s\n", files, argv[i]);
		}
	}
	return rc;
}
