/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Configuration parser and the file system, and scale: load_file, a relative PrivateKeyFile and
 * its permissions, ControlTokenFile (where it is, what of it is the token, what it may be), the
 * config/ examples, and a file with 10,000 peers.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wr_base64.h"
#include "wr_config.h"

#include "config_test.h"

/* ---- files: PrivateKeyFile, load_file, the config/ examples ---- */

static char tmpdir[] = "/tmp/test_config.XXXXXX";

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f)) {
		printf("FAIL: cannot write %s\n", path);
		failures++;
		return;
	}
	chmod(path, mode);
}

static void
test_files(void)
{
	struct wr_config_error err;
	struct wr_config *cfg;
	char conf[128], keyf[128];
	int rc;

	printf("config: load_file, relative PrivateKeyFile, its permissions\n");
	if (!mkdtemp(tmpdir)) {
		printf("FAIL: mkdtemp\n");
		failures++;
		return;
	}
	snprintf(conf, sizeof(conf), "%s/gw.conf", tmpdir);
	snprintf(keyf, sizeof(keyf), "%s/wg0.key", tmpdir);
	write_file(keyf, PRIV2 "\n", 0600);
	write_file(conf,
		PORT_WAN "[Interface wg0]\nPrivateKeyFile = wg0.key\nListenPort = 1\nPort = wan\n",
		0600);
	rc = wr_config_load_file(conf, &cfg, &err);
	CHECK(rc == 0, "load_file: %d %s", rc, err.message);
	if (!rc) {
		CHECK(key_is(cfg->interfaces[0].private_key, PRIV2) &&
				key_is(cfg->interfaces[0].public_key, PUB2),
			"key read from a file next to the configuration");
		CHECK(cfg->n_warnings == 0 && !strcmp(cfg->source, conf), "no warnings, source");
		wr_config_free(cfg);
	}

	chmod(keyf, 0644);
	rc = wr_config_load_file(conf, &cfg, &err);
	CHECK(rc == 0, "load_file: %d %s", rc, err.message);
	if (!rc) {
		CHECK(cfg->n_warnings == 1 &&
				has_warning(cfg, 5,
					"PrivateKeyFile: 'wg0.key' is readable by group "
					"or others"),
			"a world-readable key file warns");
		CHECK(!strncmp(cfg->warnings[0].message, conf, strlen(conf)),
			"the warning names the file: %s", cfg->warnings[0].message);
		wr_config_free(cfg);
	}

	write_file(keyf, "not a key\n", 0600);
	rc = wr_config_load_file(conf, &cfg, &err);
	CHECK(rc == -EINVAL && err.line == 5 && strstr(err.message, "does not hold a key") &&
			!strstr(err.message, "not a key\n"),
		"a key file without a key: %d %s", rc, err.message);

	unlink(keyf);
	rc = wr_config_load_file(conf, &cfg, &err);
	CHECK(rc == -EINVAL && err.line == 5 && strstr(err.message, "No such file"),
		"a missing key file: %d %s", rc, err.message);
	unlink(conf);

	rc = wr_config_load_file(conf, &cfg, &err);
	CHECK(rc == -ENOENT && !cfg && err.line == 0 && !strncmp(err.message, conf, strlen(conf)),
		"a missing configuration: %d %s", rc, err.message);
	rc = wr_config_load_file(tmpdir, &cfg, &err);
	CHECK(rc == -EINVAL && strstr(err.message, "not a regular file"), "a directory: %d %s", rc,
		err.message);
	rmdir(tmpdir);
}

static void
test_examples(void)
{
	static const char *const names[] = { "site-to-site.conf", "remote-access.conf" };
	const char *root = getenv("MESON_SOURCE_ROOT");
	char dir[512], path[600];
	size_t i;

	/* Meson sets MESON_SOURCE_ROOT for tests; otherwise go from this file's own path. */
	if (root) {
		snprintf(dir, sizeof(dir), "%s/config", root);
	} else {
		char *slash;

		snprintf(dir, sizeof(dir), "%s", __FILE__);
		slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
		else
			snprintf(dir, sizeof(dir), ".");
		strncat(dir, "/../../config", sizeof(dir) - strlen(dir) - 1);
	}
	/* Run by hand from the source root, __FILE__ (relative to the build root) misleads. */
	snprintf(path, sizeof(path), "%s/%s", dir, names[0]);
	if (access(path, R_OK))
		snprintf(dir, sizeof(dir), "config");
	printf("config: the examples in %s parse without warnings\n", dir);
	for (i = 0; i < 2; i++) {
		struct wr_config_error err;
		struct wr_config *cfg;
		size_t j, peers = 0;
		int rc;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		rc = wr_config_load_file(path, &cfg, &err);
		CHECK(rc == 0, "%s: %d %s", names[i], rc, err.message);
		if (rc)
			continue;
		for (j = 0; j < cfg->n_interfaces; j++)
			peers += cfg->interfaces[j].n_peers;
		CHECK(cfg->n_warnings == 0 && cfg->n_interfaces >= 1 && peers >= 1,
			"%s: %zu warnings, %zu interfaces, %zu peers", names[i], cfg->n_warnings,
			cfg->n_interfaces, peers);
		for (j = 0; j < cfg->n_warnings; j++)
			printf("  %s\n", cfg->warnings[j].message);
		wr_config_free(cfg);
	}
}

/* ---- ControlTokenFile ---- */

static void
write_bytes(const char *path, const char *data, size_t len, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		printf("FAIL: cannot write %s\n", path);
		failures++;
		return;
	}
	chmod(path, mode);
}

/* The token @p conf loads with, or NULL with @p err set; the caller frees *@p cfg. */
static const char *
load_token(const char *conf, struct wr_config **cfg, struct wr_config_error *err)
{
	int rc = wr_config_load_file(conf, cfg, err);

	return rc ? NULL : (*cfg)->control_token;
}

static void
test_token_file(void)
{
	static const struct {
		const char *data;
		size_t len;
		const char *token; /* NULL: refused with this message */
		const char *why;
	} cases[] = {
#define BYTES(s) s, sizeof(s) - 1
		{ BYTES("tok-1\n"), "tok-1", NULL },
		{ BYTES("tok-2\r\nsecond line\n"), "tok-2", NULL },
		{ BYTES("tok-3\rsecond line"), "tok-3", NULL },
		{ BYTES("tok-4"), "tok-4", NULL },
		{ BYTES(" tok 5 \t\n"), " tok 5", NULL },
		{ BYTES("\n"), NULL, "no token in its first line" },
		{ BYTES(""), NULL, "no token in its first line" },
		{ BYTES(" \t\ntok\n"), NULL, "no token in its first line" },
		{ BYTES("tok\0en\n"), NULL, "a NUL byte in its first line" },
#undef BYTES
	};
	char dir[] = "/tmp/test_config_tok.XXXXXX", conf[128], tok[128], cwd[4096];
	char long_line[WR_CONFIG_TOKEN_MAX + 3];
	struct wr_config_error err;
	struct wr_config *cfg;
	const char *t;
	size_t i;

	printf("config: ControlTokenFile: next to the configuration, its first line, a regular "
	       "file\n");
	if (!mkdtemp(dir) || !getcwd(cwd, sizeof(cwd))) {
		printf("FAIL: mkdtemp\n");
		failures++;
		return;
	}
	/* a FIFO must not hang the parser: stop the test rather than wait forever */
	alarm(60);
	snprintf(conf, sizeof(conf), "%s/gw.conf", dir);
	snprintf(tok, sizeof(tok), "%s/token", dir);
	write_file(conf,
		"[Gateway]\nControlAddress = [2001:db8::1]:8080\nControlTokenFile = "
		"token\n" PORT_WAN,
		0600);
	/* relative to the configuration's directory, wherever the gateway runs from */
	CHECK(chdir("/") == 0, "chdir");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		write_bytes(tok, cases[i].data, cases[i].len, 0600);
		t = load_token(conf, &cfg, &err);
		if (cases[i].token) {
			CHECK(t && !strcmp(t, cases[i].token), "token %zu: '%s' %s", i, t ? t : "",
				t ? "" : err.message);
			if (t) {
				CHECK(!strcmp(cfg->control_token_file, tok) &&
						!strcmp(cfg->control_address,
							"[2001:db8::1]:8080") &&
						cfg->n_warnings == 0,
					"token %zu: the path '%s', no warnings", i,
					cfg->control_token_file);
				wr_config_free(cfg);
			}
		} else {
			CHECK(!t && err.line == 3 && !strncmp(err.message, conf, strlen(conf)) &&
					strstr(err.message, tok) &&
					strstr(err.message, cases[i].why),
				"token %zu: want line 3 '%s', got line %u '%s'", i, cases[i].why,
				err.line, err.message);
		}
	}

	/* the longest first line taken, whatever ends it; one more is refused, not cut */
	memset(long_line, 'k', WR_CONFIG_TOKEN_MAX);
	memcpy(long_line + WR_CONFIG_TOKEN_MAX, "\r\n", 2);
	write_bytes(tok, long_line, WR_CONFIG_TOKEN_MAX + 2, 0600);
	t = load_token(conf, &cfg, &err);
	CHECK(t && strlen(t) == WR_CONFIG_TOKEN_MAX && t[0] == 'k', "a %d-character token",
		WR_CONFIG_TOKEN_MAX);
	if (t)
		wr_config_free(cfg);
	write_bytes(tok, long_line, WR_CONFIG_TOKEN_MAX, 0600);
	t = load_token(conf, &cfg, &err);
	CHECK(t && strlen(t) == WR_CONFIG_TOKEN_MAX, "a %d-character token without a line end",
		WR_CONFIG_TOKEN_MAX);
	if (t)
		wr_config_free(cfg);
	long_line[WR_CONFIG_TOKEN_MAX] = 'k';
	long_line[WR_CONFIG_TOKEN_MAX + 1] = '\n';
	write_bytes(tok, long_line, WR_CONFIG_TOKEN_MAX + 2, 0600);
	t = load_token(conf, &cfg, &err);
	CHECK(!t && err.line == 3 &&
			strstr(err.message, "its first line is longer than 511 characters") &&
			!strstr(err.message, "kkkkkkkk"),
		"a first line of 512: %s", err.message);

	/* others may read it: it loads, with a warning on its line */
	write_file(tok, "tok-6\n", 0644);
	t = load_token(conf, &cfg, &err);
	CHECK(t && !strcmp(t, "tok-6"), "a readable token: %s", t ? "" : err.message);
	if (t) {
		CHECK(cfg->n_warnings == 1 && has_warning(cfg, 3, "ControlTokenFile: '") &&
				has_warning(
					cfg, 3, "' is readable by group or others (chmod 600 it)"),
			"a world-readable token file warns");
		wr_config_free(cfg);
	}

	/* not a regular file: refused without a wait (a FIFO with no writer, a device) */
	unlink(tok);
	CHECK(mkfifo(tok, 0600) == 0, "mkfifo");
	t = load_token(conf, &cfg, &err);
	CHECK(!t && err.line == 3 && strstr(err.message, "not a regular file"), "a FIFO: %s",
		err.message);
	unlink(tok);
	CHECK(mkdir(tok, 0700) == 0, "mkdir");
	t = load_token(conf, &cfg, &err);
	CHECK(!t && err.line == 3 && strstr(err.message, "not a regular file"), "a directory: %s",
		err.message);
	rmdir(tok);
	t = load_token(conf, &cfg, &err);
	CHECK(!t && err.line == 3 && strstr(err.message, "No such file or directory"),
		"a missing token file: %s", err.message);

	/* without ControlAddress nobody needs the token: not read, need not exist */
	write_file(conf, "[Gateway]\nControlTokenFile = token\n" PORT_WAN, 0600);
	CHECK(wr_config_load_file(conf, &cfg, &err) == 0, "no ControlAddress: %s", err.message);
	if (!err.message[0]) {
		CHECK(!cfg->control_token && !strcmp(cfg->control_token_file, tok),
			"a token file without ControlAddress is not read");
		wr_config_free(cfg);
	}
	alarm(0);
	unlink(conf);
	rmdir(dir);
	CHECK(chdir(cwd) == 0, "chdir back");
}

/* ---- scale ---- */

#define MANY 10000

/* A distinct, reproducible key per peer (X25519 accepts any 32 bytes as a public key). */
static void
peer_key(uint8_t key[WR_KEY_LEN], unsigned int i)
{
	uint64_t x = 0x9e3779b97f4a7c15ull * (i + 1);
	unsigned int j;

	for (j = 0; j < WR_KEY_LEN; j++) {
		x ^= x >> 29;
		x *= 0xbf58476d1ce4e5b9ull;
		key[j] = (uint8_t)(x >> 56);
	}
}

static char *
many_peers(unsigned int dup_of, size_t *len)
{
	size_t cap = 200 + (size_t)MANY * 160, n;
	char *text = malloc(cap);
	unsigned int i;

	if (!text)
		return NULL;
	n = (size_t)snprintf(text, cap, PORT_WAN IFACE "Address = 10.0.0.1/8\n");
	for (i = 0; i < MANY; i++) {
		char b64[WR_BASE64_KEY_LEN + 1];
		uint8_t key[WR_KEY_LEN];

		peer_key(key, i == MANY - 1 && dup_of != UINT32_MAX ? dup_of : i);
		wr_base64_key_encode(b64, key);
		n += (size_t)snprintf(text + n, cap - n,
			"[Peer]\nPublicKey = %s\nAllowedIPs = 10.%u.%u.0/24, 2001:db8:%x::/48\n",
			b64, i >> 8, i & 255, i);
	}
	*len = n;
	return text;
}

static void
test_many_peers(void)
{
	struct wr_config_error err;
	struct wr_config *cfg;
	unsigned int i, bad = 0;
	char want[64];
	size_t len;
	char *text;
	int rc;

	printf("config: %u peers in one interface\n", MANY);
	text = many_peers(UINT32_MAX, &len);
	if (!text) {
		printf("FAIL: out of memory\n");
		failures++;
		return;
	}
	rc = wr_config_load_string(text, len, "many.conf", &cfg, &err);
	free(text);
	CHECK(rc == 0, "load: %d %s", rc, err.message);
	if (rc)
		return;
	CHECK(cfg->interfaces[0].n_peers == MANY, "%zu peers", cfg->interfaces[0].n_peers);
	for (i = 0; i < MANY && i < cfg->interfaces[0].n_peers; i++) {
		const struct wr_config_peer *p = &cfg->interfaces[0].peers[i];
		uint8_t key[WR_KEY_LEN], v4[4] = { 10, (uint8_t)(i >> 8), (uint8_t)i, 0 };
		uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, (uint8_t)(i >> 8), (uint8_t)i };

		peer_key(key, i);
		if (memcmp(p->public_key, key, 32) || p->n_allowed_ips != 2 ||
			p->allowed_ips[0].cidr != 24 || memcmp(p->allowed_ips[0].addr, v4, 4) ||
			p->allowed_ips[1].cidr != 48 || memcmp(p->allowed_ips[1].addr, v6, 16) ||
			p->line != 9 + 3 * i)
			bad++;
	}
	CHECK(bad == 0, "%u peers differ from what was written", bad);
	CHECK(cfg->n_warnings == 0, "%zu warnings", cfg->n_warnings);
	wr_config_free(cfg);

	printf("config: one prefix claimed twice among %u peers is found\n", MANY);
	text = many_peers(UINT32_MAX, &len);
	if (!text)
		return;
	/* The last peer (its AllowedIPs on line 9 + 3 MANY) also claims peer 4321's v6 prefix. */
	len += (size_t)snprintf(text + len, 64, "AllowedIPs = 2001:db8:%x::/48\n", 4321);
	rc = wr_config_load_string(text, len, "many.conf", &cfg, &err);
	free(text);
	CHECK(rc == 0, "load: %d %s", rc, err.message);
	if (rc)
		return;
	snprintf(want, sizeof(want), "is also claimed by the [Peer] on line %u", 9 + 3 * 4321);
	CHECK(cfg->n_warnings == 1 && has_warning(cfg, 9 + 3 * MANY, want),
		"%zu warnings, want '%s'", cfg->n_warnings, want);
	wr_config_free(cfg);

	printf("config: the same key twice among %u peers is found\n", MANY);
	text = many_peers(4321, &len);
	if (!text)
		return;
	/* Peer i's header is on line 9 + 3 i, its PublicKey on the next. */
	snprintf(want, sizeof(want), "PublicKey: same key as the [Peer] on line %u", 9 + 3 * 4321);
	expect_error(text, len, 9 + 3 * (MANY - 1) + 1, want, "duplicate among many");
	free(text);
}

int
main(void)
{
	static void (*const tests[])(void) = {
		test_files,
		test_token_file,
		test_examples,
		test_many_peers,
	};

	return config_test_main(tests, sizeof(tests) / sizeof(tests[0]));
}
