/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the configuration parser's tests share (test_config.c: base64 and valid files;
 * test_config_errors.c: invalid files; test_config_files.c: files, the config/ examples and
 * scale): keys made with wg, configuration fragments, and the helpers that load a text and check
 * what came out. Header-only; it brings wr_test.h's CHECK.
 */
#ifndef CONFIG_TEST_H
#define CONFIG_TEST_H

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "wr_base64.h"
#include "wr_config.h"
#include "wr_crypto.h"

#include "wr_test.h"

/* Made with wg genkey / wg pubkey / wg genpsk: they also check our X25519 and base64 against wg. */
#define PRIV1 "KDEJ/eXkJ3GU4HFJnNuKls1qHKLMEtyiFwokw0kkL0A="
#define PUB1 "u3EUiHrnqJhDPpz+vTz2vbEfEYuyQ2LaawCuI3wIXCY="
#define PRIV2 "oB9FUi6m0qxMS1miMncminEy2iUlmKS3gN4GDgINKFY="
#define PUB2 "xTmFGSGPWZ/a20+zf2XZmZQMRczYVQ+W9XrEAFYfQl0="
#define PUB3 "SxEgEd04OYm/LkRhRVKkodYueBqqkBFDS1KnGDoHZF4="
#define PUB4 "Z+o11EpcLu+P/EUqiGjFrZaG3IaelukoxjaPMUCR3Qw="
#define PSK "sq2HcvyJoW2/x2i0xUiGKy8WZb9fa2zl18K9M/1FKs4="

#define PORT_WAN "[Port wan]\nDevice = net_null0\nAddress = 192.0.2.1/24\n"
#define IFACE "[Interface wg0]\nPrivateKey = " PRIV1 "\nListenPort = 51820\nPort = wan\n"
#define PEER2 "[Peer]\nPublicKey = " PUB2 "\n"

/* The key @p b64 (a test constant) decoded into @p key; a failure to decode is a failure. */
static inline void
key_of(uint8_t key[WR_KEY_LEN], const char *b64)
{
	if (wr_base64_key_decode(key, b64, strlen(b64)))
		printf("FAIL: test key %s does not decode\n", b64), failures++;
}

/* Whether @p key is the base64 key @p b64. */
static inline bool
key_is(const uint8_t key[WR_KEY_LEN], const char *b64)
{
	uint8_t want[WR_KEY_LEN];

	key_of(want, b64);
	return !memcmp(key, want, WR_KEY_LEN);
}

/* Whether the 16 bytes at @p addr hold @p text of @p family, zero-padded. */
static inline bool
addr_is(int family, const uint8_t *addr, const char *text)
{
	uint8_t want[16] = { 0 };

	if (inet_pton(family, text, want) != 1)
		return false;
	return !memcmp(addr, want, 16);
}

/* Whether @p p is @p addr/@p cidr (the family is taken from @p addr). */
static inline bool
prefix_is(const struct wr_config_prefix *p, const char *addr, unsigned int cidr)
{
	int family = strchr(addr, ':') ? AF_INET6 : AF_INET;

	return p->family == family && p->cidr == cidr && addr_is(family, p->addr, addr);
}

/* @p text parsed as file @p name; NULL (and a failure counted) if it does not load. */
static inline struct wr_config *
load_ok(const char *name, const char *text)
{
	struct wr_config_error err;
	struct wr_config *cfg = (void *)1;
	int rc = wr_config_load_string(text, strlen(text), name, &cfg, &err);

	CHECK(rc == 0 && cfg, "%s: loads: %d %s", name, rc, err.message);
	return rc ? NULL : cfg;
}

/* Whether @p cfg has a warning on @p line whose message contains @p part. */
static inline bool
has_warning(const struct wr_config *cfg, unsigned int line, const char *part)
{
	size_t i;

	for (i = 0; i < cfg->n_warnings; i++)
		if (cfg->warnings[i].line == line && strstr(cfg->warnings[i].message, part))
			return true;
	return false;
}

/*
 * That @p text (@p len bytes) fails to load with the error on @p line naming @p part, and that
 * the message echoes no secret; @p what names the case in failures.
 */
static inline void
expect_error(const char *text, size_t len, unsigned int line, const char *part, const char *what)
{
	static const char *const secrets[] = { PRIV1, PRIV2, PSK };
	struct wr_config_error err;
	struct wr_config *cfg = (void *)1;
	char prefix[64];
	size_t s;
	int rc;

	memset(&err, 0x55, sizeof(err));
	rc = wr_config_load_string(text, len, "bad.conf", &cfg, &err);
	CHECK(rc == -EINVAL && cfg == NULL, "%s: rc %d, cfg %p", what, rc, (void *)cfg);
	if (rc == 0)
		wr_config_free(cfg);
	if (line)
		snprintf(prefix, sizeof(prefix), "bad.conf:%u: ", line);
	else
		snprintf(prefix, sizeof(prefix), "bad.conf: ");
	CHECK(err.line == line && !strncmp(err.message, prefix, strlen(prefix)) &&
			strstr(err.message, part),
		"%s: want line %u '%s', got line %u '%s'", what, line, part, err.line, err.message);
	for (s = 0; s < sizeof(secrets) / sizeof(secrets[0]); s++) {
		char head[21];

		/* Any 20 characters of a key would be a leak; the head is where echoes start. */
		snprintf(head, sizeof(head), "%s", secrets[s]);
		CHECK(!strstr(err.message, head), "%s: message echoes a secret: %s", what,
			err.message);
	}
}

/*
 * A test's main(): line-buffered stdout (a sanitizer report ends the process: keep what was
 * printed before it), the crypto library started, then the @p n functions of @p tests in order.
 * Returns the exit status, after printing the counters.
 */
static inline int
config_test_main(void (*const tests[])(void), size_t n)
{
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (wr_crypto_init()) {
		printf("FAIL: wr_crypto_init\n");
		return 1;
	}
	for (i = 0; i < n; i++)
		tests[i]();
	printf("%u checks, %u failures\n", checks, failures);
	return failures ? 1 : 0;
}

#endif /* CONFIG_TEST_H */
