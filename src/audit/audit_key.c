/*
 * audit_key.c — the checkpoint signing key in a file outside the database.
 *
 * The format is in audit.h. Secrets are wiped from the stack after use; a key
 * file that group or others can read is refused, like ssh does, because the
 * key is what makes a rewritten log detectable.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit_impl.h"
#include "base/buf.h"

#define KEY_FILE_MAX 4096
#define SEED_BYTES crypto_sign_SEEDBYTES
#define PK_BYTES crypto_sign_PUBLICKEYBYTES

static bool fail(char **error_r, char *msg)
{
	if (error_r)
		*error_r = msg;
	else
		free(msg);
	return false;
}

static bool write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		data += n;
		len -= (size_t)n;
	}
	return true;
}

bool audit_key_generate(const char *path, unsigned char *public_key_r, char **error_r)
{
	if (error_r)
		*error_r = NULL;
	if (sodium_init() < 0)
		return fail(error_r, xstrdup("libsodium cannot start"));
	unsigned char seed[SEED_BYTES], pk[PK_BYTES], sk[crypto_sign_SECRETKEYBYTES];
	char seed_hex[2 * SEED_BYTES + 1], pk_hex[2 * PK_BYTES + 1], text[512];
	randombytes_buf(seed, sizeof seed);
	crypto_sign_seed_keypair(pk, sk, seed);
	audit_hex(seed, sizeof seed, seed_hex);
	audit_hex(pk, sizeof pk, pk_hex);
	int len = snprintf(text, sizeof text,
	                   "# kadam processing-log signing key (Ed25519). Keep it outside the database,\n"
	                   "# readable only by the account that signs checkpoints. Verifying needs only\n"
	                   "# the public line: kadam audit verify --public-key FILE.\n"
	                   "public: %s\n"
	                   "seed: %s\n",
	                   pk_hex, seed_hex);
	sodium_memzero(seed, sizeof seed);
	sodium_memzero(sk, sizeof sk);
	sodium_memzero(seed_hex, sizeof seed_hex);
	bool ok = false;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		fail(error_r, xasprintf("%s: cannot create the key file: %s%s", path, strerror(errno),
		                        errno == EEXIST ? " (a key file is never overwritten)" : ""));
	} else if (!write_all(fd, text, (size_t)len) || fsync(fd) != 0) {
		fail(error_r, xasprintf("%s: cannot write the key file: %s", path, strerror(errno)));
		unlink(path);
	} else {
		ok = true;
	}
	if (fd >= 0 && close(fd) != 0 && ok) {
		fail(error_r, xasprintf("%s: cannot write the key file: %s", path, strerror(errno)));
		unlink(path);
		ok = false;
	}
	sodium_memzero(text, sizeof text);
	if (ok && public_key_r)
		memcpy(public_key_r, pk, sizeof pk);
	return ok;
}

/* Reads a small text file into buf (NUL-terminated, at most KEY_FILE_MAX bytes). */
static bool read_small(const char *path, bool secret, char buf[KEY_FILE_MAX + 1], char **error_r)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(error_r, xasprintf("%s: cannot open: %s", path, strerror(errno)));
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail(error_r, xasprintf("%s: not a regular file", path));
	}
	if (secret && (st.st_mode & 077)) {
		close(fd);
		return fail(error_r, xasprintf("%s: the key file can be read by others (mode %03o); "
		                               "chmod 600 it",
		                               path, (unsigned)(st.st_mode & 0777)));
	}
	size_t len = 0;
	for (;;) {
		ssize_t n = read(fd, buf + len, KEY_FILE_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			return fail(error_r, xasprintf("%s: read error: %s", path, strerror(errno)));
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > KEY_FILE_MAX) {
			close(fd);
			return fail(error_r, xasprintf("%s: larger than %d bytes: not a key file", path, KEY_FILE_MAX));
		}
	}
	close(fd);
	buf[len] = '\0';
	if (memchr(buf, '\0', len))
		return fail(error_r, xasprintf("%s: not a text file", path));
	return true;
}

/* The value of "name: HEX" or a bare HEX line (name NULL), trimmed, or NULL. */
static const char *line_value(char *line, const char *name)
{
	line += strspn(line, " \t");
	size_t end = strlen(line);
	while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t' || line[end - 1] == '\r'))
		line[--end] = '\0';
	if (!name)
		return line;
	size_t n = strlen(name);
	if (strncmp(line, name, n) != 0 || line[n] != ':')
		return NULL;
	return line + n + 1 + strspn(line + n + 1, " \t");
}

bool audit_key_load(const char *path, unsigned char secret_key_r[crypto_sign_SECRETKEYBYTES], char **error_r)
{
	if (error_r)
		*error_r = NULL;
	if (sodium_init() < 0)
		return fail(error_r, xstrdup("libsodium cannot start"));
	char text[KEY_FILE_MAX + 1];
	if (!read_small(path, true, text, error_r))
		return false;
	unsigned char seed[SEED_BYTES], stated_pk[PK_BYTES], pk[PK_BYTES];
	bool have_seed = false, have_pk = false, bad = false;
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *v;
		if ((v = line_value(line, "seed"))) {
			have_seed = audit_unhex(v, strlen(v), seed, sizeof seed);
			bad |= !have_seed;
		} else if ((v = line_value(line, "public"))) {
			have_pk = audit_unhex(v, strlen(v), stated_pk, sizeof stated_pk);
			bad |= !have_pk;
		}
	}
	sodium_memzero(text, sizeof text);
	bool ok = false;
	if (bad || !have_seed) {
		fail(error_r, xasprintf("%s: not a kadam audit key file (it needs a line \"seed: \" and 64 hex "
		                        "digits; make one with kadam audit keygen)",
		                        path));
	} else {
		crypto_sign_seed_keypair(pk, secret_key_r, seed);
		if (have_pk && sodium_memcmp(pk, stated_pk, sizeof pk) != 0)
			fail(error_r, xasprintf("%s: its public line does not belong to its seed", path));
		else
			ok = true;
	}
	sodium_memzero(seed, sizeof seed);
	if (!ok)
		sodium_memzero(secret_key_r, crypto_sign_SECRETKEYBYTES);
	return ok;
}

bool audit_public_key_load(const char *path, unsigned char public_key_r[crypto_sign_PUBLICKEYBYTES],
                           char **error_r)
{
	if (error_r)
		*error_r = NULL;
	char text[KEY_FILE_MAX + 1];
	if (!read_small(path, false, text, error_r))
		return false;
	char *save = NULL;
	bool ok = false;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *v = line_value(line, NULL);
		if (*v == '\0' || *v == '#')
			continue;
		const char *pk = line_value(line, "public");
		if (!pk)
			pk = v;
		ok = audit_unhex(pk, strlen(pk), public_key_r, PK_BYTES);
		break;
	}
	sodium_memzero(text, sizeof text); /* it may have been a key file */
	if (!ok)
		return fail(error_r, xasprintf("%s: not a public key (expected 64 hex digits, or a line "
		                               "\"public: \" and 64 hex digits)",
		                               path));
	return true;
}
