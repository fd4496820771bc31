/* Test helpers: temporary folders and files, descriptors counted. The
 * includer includes cmocka.h first. */
#ifndef DLG_TEST_HELPERS_H
#define DLG_TEST_HELPERS_H

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What a shell command prints, without its trailing newlines (malloc'd). */
static inline char *command_output(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	char *out = NULL, chunk[512];
	size_t n, size = 0;

	while (p && (n = fread(chunk, 1, sizeof(chunk), p)) > 0) {
		if (!(out = realloc(out, size + n + 1)))
			abort();
		memcpy(out + size, chunk, n);
		size += n;
	}
	if (p)
		pclose(p);
	if (!out && !(out = malloc(1)))
		abort();
	while (size && out[size - 1] == '\n')
		size--;
	out[size] = '\0';
	return out;
}

static inline char *tmpdir_new(void)
{
	char tmpl[] = "/tmp/delegit-test-XXXXXX";
	char *d = mkdtemp(tmpl);

	return d ? strdup(d) : NULL;
}

static inline int rm_rf__one(const char *path, const struct stat *st,
			     int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* Remove a folder tmpdir_new made, and all in it (links not followed). */
static inline void rm_rf(const char *path)
{
	if (!path || strncmp(path, "/tmp/delegit-test-", 18))
		return;
	if (nftw(path, rm_rf__one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "cannot remove %s\n", path);
}

static inline char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (len)
		*len = 0;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

/* Make each folder of path's but its last part (mkdir -p of its dirname). */
static inline int mkdir_parents(char *path)
{
	char *p;

	for (p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(path, 0777) != 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

static inline void spit(const char *dir, const char *rel, const char *text)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if (mkdir_parents(path) != 0)
		return;
	f = fopen(path, "wb");
	fputs(text, f);
	fclose(f);
}

/* How many descriptors this process has open. */
static inline int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

#endif
