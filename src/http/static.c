#include "http/static.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
	const char *ext;
	const char *type;
} types[] = {
	{".html", "text/html; charset=utf-8"},
	{".js", "text/javascript; charset=utf-8"},
	{".mjs", "text/javascript; charset=utf-8"},
	{".css", "text/css; charset=utf-8"},
	{".json", "application/json"},
	{".map", "application/json"},
	{".webmanifest", "application/manifest+json"},
	{".svg", "image/svg+xml"},
	{".png", "image/png"},
	{".jpg", "image/jpeg"},
	{".ico", "image/vnd.microsoft.icon"},
	{".woff2", "font/woff2"},
	{".txt", "text/plain; charset=utf-8"},
};

const char *static_content_type(const char *name)
{
	const char *dot = strrchr(name, '.');
	if (dot && !strchr(dot, '/'))
		for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
			if (strcasecmp(dot, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}

/* True when every segment is a plain name: no "", ".", "..", or hidden files. */
static bool safe_path(const char *path)
{
	if (path[0] != '/' || strlen(path) > 1024)
		return false;
	const char *s = path + 1;
	while (*s) {
		const char *end = strchrnul(s, '/');
		if (end == s || s[0] == '.')
			return false;
		for (const char *c = s; c < end; c++)
			if ((unsigned char)*c < 0x20 || *c == '\\')
				return false;
		s = *end ? end + 1 : end;
	}
	return true;
}

/* Opens a regular file under dir; returns the fd or -1. */
static int open_file(const char *dir, const char *rel, struct stat *st)
{
	char *full = xasprintf("%s/%s", dir, rel);
	int fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	free(full);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		return -1;
	}
	return fd;
}

static void send_file(struct http_request *req, struct http_response *resp, int fd,
                      const struct stat *st, const char *name, bool immutable)
{
	char etag[64];
	snprintf(etag, sizeof etag, "\"%" PRIx64 "-%" PRIx64 "\"", (uint64_t)st->st_size,
	         (uint64_t)st->st_mtim.tv_sec * 1000000000u + (uint64_t)st->st_mtim.tv_nsec);
	http_response_header(resp, "ETag", etag);
	http_response_header(resp, "Cache-Control",
	                     immutable ? "public, max-age=31536000, immutable" : "no-cache");
	resp->content_type = static_content_type(name);
	const char *inm = http_request_header(req, "If-None-Match");
	if (inm && strcmp(inm, etag) == 0) {
		close(fd);
		resp->status = 304;
		return;
	}
	resp->status = 200;
	resp->file_fd = fd;
	resp->file_size = (uint64_t)st->st_size;
}

void static_serve(const char *ui_dir, struct http_request *req, struct http_response *resp)
{
	const char *path = req->path;
	if (!safe_path(path) && strcmp(path, "/") != 0) {
		http_problem(resp, req, 404, "not-found", "Not found", "No such page.", NULL);
		return;
	}
	struct stat st;
	if (strcmp(path, "/") != 0) {
		int fd = open_file(ui_dir, path + 1, &st);
		if (fd >= 0) {
			/* Vite puts content-hashed files under /assets/: they never change. */
			send_file(req, resp, fd, &st, path, strncmp(path, "/assets/", 8) == 0);
			return;
		}
		const char *last = strrchr(path, '/');
		if (strchr(last, '.')) {
			http_problem(resp, req, 404, "not-found", "Not found", "No such file.", NULL);
			return;
		}
	}
	/* "/" and client-side routes: the UI's entry page. */
	int fd = open_file(ui_dir, "index.html", &st);
	if (fd < 0) {
		http_problem(resp, req, 503, "ui-not-built", "The browser UI is not available",
		             "index.html was not found in the UI folder; run `make build` or set ui_dir.",
		             NULL);
		return;
	}
	send_file(req, resp, fd, &st, "index.html", false);
}
