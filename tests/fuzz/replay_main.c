/*
 * replay_main.c — runs a fuzz target over every file of a stored corpus, so
 * that `make test` replays what the fuzzer found without needing clang.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		return 1;
	}
	struct buf b = {0};
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	/* A copy of exactly the input's size, so sanitizers see any overread. */
	uint8_t *data = xmalloc(b.len);
	if (b.len)
		memcpy(data, b.data, b.len);
	LLVMFuzzerTestOneInput(data, b.len);
	free(data);
	buf_free(&b);
	return 0;
}

int main(int argc, char **argv)
{
	int files = 0, failures = 0;
	for (int i = 1; i < argc; i++) {
		DIR *d = opendir(argv[i]);
		if (!d) {
			failures += replay_file(argv[i]);
			files++;
			continue;
		}
		struct dirent *e;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			char *path = xasprintf("%s/%s", argv[i], e->d_name);
			failures += replay_file(path);
			files++;
			free(path);
		}
		closedir(d);
	}
	printf("replayed %d inputs\n", files);
	return failures || files == 0 ? 1 : 0;
}
