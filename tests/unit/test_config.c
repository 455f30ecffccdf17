/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Configuration parser and base64: RFC 4648 vectors and strict rejects, key round trips,
 * table-driven valid files (checked field by field) and invalid files (each asserting the exact
 * line and a key part of the message, and that no message echoes a secret), PrivateKeyFile,
 * the config/ examples, and a file with 10,000 peers.
 *
 * Expected error lines are not counted by hand: the offending line of each invalid case carries
 * a trailing "# <-" comment (comments are invisible to the parser) and the test finds it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

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

static const char *const secrets[] = { PRIV1, PRIV2, PSK };

#define PORT_WAN "[Port wan]\nDevice = net_null0\nAddress = 192.0.2.1/24\n"
#define IFACE "[Interface wg0]\nPrivateKey = " PRIV1 "\nListenPort = 51820\nPort = wan\n"
#define PEER2 "[Peer]\nPublicKey = " PUB2 "\n"

static void
key_of(uint8_t key[WR_KEY_LEN], const char *b64)
{
	if (wr_base64_key_decode(key, b64, strlen(b64)))
		printf("FAIL: test key %s does not decode\n", b64), failures++;
}

static bool
key_is(const uint8_t key[WR_KEY_LEN], const char *b64)
{
	uint8_t want[WR_KEY_LEN];

	key_of(want, b64);
	return !memcmp(key, want, WR_KEY_LEN);
}

static bool
addr_is(int family, const uint8_t *addr, const char *text)
{
	uint8_t want[16] = { 0 };

	if (inet_pton(family, text, want) != 1)
		return false;
	return !memcmp(addr, want, 16);
}

static bool
prefix_is(const struct wr_config_prefix *p, const char *addr, unsigned int cidr)
{
	int family = strchr(addr, ':') ? AF_INET6 : AF_INET;

	return p->family == family && p->cidr == cidr && addr_is(family, p->addr, addr);
}

/* ---- base64 ---- */

struct b64_vector {
	const char *raw;
	size_t len;
	const char *std;
	const char *url_nopad;
};

static const struct b64_vector b64_vectors[] = {
	/* RFC 4648 section 10 */
	{ "", 0, "", "" },
	{ "f", 1, "Zg==", "Zg" },
	{ "fo", 2, "Zm8=", "Zm8" },
	{ "foo", 3, "Zm9v", "Zm9v" },
	{ "foob", 4, "Zm9vYg==", "Zm9vYg" },
	{ "fooba", 5, "Zm9vYmE=", "Zm9vYmE" },
	{ "foobar", 6, "Zm9vYmFy", "Zm9vYmFy" },
	/* the two characters the alphabets differ in */
	{ "\xfb\xff", 2, "+/8=", "-_8" },
	{ "\xff\xef\xbe", 3, "/+++", "_---" },
};

struct b64_reject {
	const char *in;
	unsigned int flags;
	const char *why;
};

static const struct b64_reject b64_rejects[] = {
	{ "Zg=", 0, "padded input not a multiple of 4" },
	{ "Zh==", 0, "non-zero trailing bits (1 byte)" },
	{ "Zm9=", 0, "non-zero trailing bits (2 bytes)" },
	{ "Z===", 0, "three padding characters" },
	{ "====", 0, "only padding" },
	{ "Zg==Zg==", 0, "padding in the middle" },
	{ "Zm 9", 0, "a space" },
	{ "Zm9v\n", 0, "a newline" },
	{ "Zm*v", 0, "a character outside the alphabet" },
	{ "-_8=", 0, "URL-safe characters in standard base64" },
	{ "+/8=", WR_BASE64_URL, "standard characters in URL-safe base64" },
	{ "Zg==", WR_BASE64_NOPAD, "padding when none is allowed" },
	{ "Z", WR_BASE64_NOPAD, "a lone final character" },
	{ "Zh", WR_BASE64_NOPAD, "non-zero trailing bits, unpadded" },
};

static void
test_base64_vectors(void)
{
	size_t i;

	printf("base64: RFC 4648 vectors, standard and URL-safe unpadded, both ways\n");
	for (i = 0; i < sizeof(b64_vectors) / sizeof(b64_vectors[0]); i++) {
		const struct b64_vector *v = &b64_vectors[i];
		unsigned int url = WR_BASE64_URL | WR_BASE64_NOPAD;
		char enc[32];
		uint8_t dec[32];
		int n;

		n = wr_base64_encode(enc, sizeof(enc), v->raw, v->len, 0);
		CHECK(n == (int)strlen(v->std) && !strcmp(enc, v->std), "encode #%zu: '%s'", i,
			enc);
		n = wr_base64_encode(enc, sizeof(enc), v->raw, v->len, url);
		CHECK(n == (int)strlen(v->url_nopad) && !strcmp(enc, v->url_nopad),
			"url encode #%zu: '%s'", i, enc);
		n = wr_base64_decode(dec, sizeof(dec), v->std, strlen(v->std), 0);
		CHECK(n == (int)v->len && !memcmp(dec, v->raw, v->len), "decode #%zu: %d", i, n);
		n = wr_base64_decode(dec, sizeof(dec), v->url_nopad, strlen(v->url_nopad), url);
		CHECK(n == (int)v->len && !memcmp(dec, v->raw, v->len), "url decode #%zu: %d", i,
			n);
		if (v->len) {
			n = wr_base64_encode(enc, strlen(v->std), v->raw, v->len, 0);
			CHECK(n == -ENOSPC, "encode #%zu without room for the NUL: %d", i, n);
			n = wr_base64_decode(dec, v->len - 1, v->std, strlen(v->std), 0);
			CHECK(n == -ENOSPC, "decode #%zu into too small a buffer: %d", i, n);
		}
	}
	for (i = 0; i < sizeof(b64_rejects) / sizeof(b64_rejects[0]); i++) {
		const struct b64_reject *r = &b64_rejects[i];
		uint8_t dec[32];
		int n = wr_base64_decode(dec, sizeof(dec), r->in, strlen(r->in), r->flags);

		CHECK(n == -EINVAL, "decode rejects %s ('%s'): got %d", r->why, r->in, n);
	}
}

static void
test_base64_keys(void)
{
	char std[WR_BASE64_KEY_LEN + 1], url[WR_BASE64URL_KEY_LEN + 1], bad[64];
	uint8_t key[WR_KEY_LEN], back[WR_KEY_LEN];
	unsigned int i;
	size_t j;

	printf("base64: 1000 random keys round trip (standard 44, URL-safe 43 and 44)\n");
	for (i = 0; i < 1000; i++) {
		wr_random(key, sizeof(key));
		if (i == 0)
			memset(key, 0, sizeof(key));
		if (i == 1)
			memset(key, 0xff, sizeof(key));
		wr_base64_key_encode(std, key);
		CHECK(strlen(std) == 44 && std[43] == '=' && std[42] != '=', "key %u: '%s'", i,
			std);
		CHECK(!wr_base64_key_decode(back, std, strlen(std)) && !memcmp(key, back, 32),
			"key %u: standard round trip", i);
		wr_base64url_key_encode(url, key);
		CHECK(strlen(url) == 43 && !strpbrk(url, "+/="), "key %u: url '%s'", i, url);
		CHECK(!wr_base64url_key_decode(back, url, strlen(url)) && !memcmp(key, back, 32),
			"key %u: URL-safe round trip", i);
		/* The URL-safe decoder also takes the padded spelling. */
		snprintf(bad, sizeof(bad), "%s=", url);
		CHECK(!wr_base64url_key_decode(back, bad, 44) && !memcmp(key, back, 32),
			"key %u: URL-safe padded", i);
		for (j = 0; j < 43; j++)
			if (std[j] == '+' || std[j] == '/')
				break;
		if (j < 43)
			CHECK(wr_base64url_key_decode(back, std, 44) == -EINVAL,
				"key %u: URL-safe decoder refuses '+' or '/'", i);
	}

	printf("base64: key decoder refuses wrong length, characters, padding, trailing bits\n");
	key_of(key, PUB1);
	wr_base64_key_encode(std, key);
	CHECK(!strcmp(std, PUB1), "encode of a wg key: '%s'", std);
	{
		struct {
			const char *why;
			size_t len;
			int pos; /* replace this character with ch (-1: none) */
			char ch;
		} cases[] = {
			{ "43 characters", 43, -1, 0 },
			{ "empty", 0, -1, 0 },
			{ "bad character", 44, 10, '*' },
			{ "space", 44, 0, ' ' },
			{ "URL-safe character", 44, 5, '-' },
			{ "padding in the middle", 44, 20, '=' },
			{ "two padding characters", 44, 42, '=' },
			{ "no padding", 44, 43, 'A' },
			/* the last data character carries 2 unused bits: 'Y' + 1 sets one */
			{ "non-zero trailing bits", 44, 42, 0 },
		};

		for (j = 0; j < sizeof(cases) / sizeof(cases[0]); j++) {
			memcpy(bad, std, 45);
			if (cases[j].pos >= 0)
				bad[cases[j].pos] = cases[j].ch ? cases[j].ch : (char)(bad[42] + 1);
			memset(back, 0xaa, sizeof(back));
			CHECK(wr_base64_key_decode(back, bad, cases[j].len) == -EINVAL,
				"key decoder refuses %s", cases[j].why);
			CHECK(!memcmp(back, (uint8_t[32]){ 0 }, 32), "refused key is zeroed (%s)",
				cases[j].why);
		}
		memcpy(bad, std, 45);
		bad[44] = '=';
		CHECK(wr_base64_key_decode(back, bad, 45) == -EINVAL, "key decoder refuses 45");
		CHECK(wr_base64url_key_decode(back, std, 42) == -EINVAL, "url decoder refuses 42");
	}
}

/* ---- configuration files ---- */

static struct wr_config *
load_ok(const char *name, const char *text)
{
	struct wr_config_error err;
	struct wr_config *cfg = (void *)1;
	int rc = wr_config_load_string(text, strlen(text), name, &cfg, &err);

	CHECK(rc == 0 && cfg, "%s: loads: %d %s", name, rc, err.message);
	return rc ? NULL : cfg;
}

static bool
has_warning(const struct wr_config *cfg, unsigned int line, const char *part)
{
	size_t i;

	for (i = 0; i < cfg->n_warnings; i++)
		if (cfg->warnings[i].line == line && strstr(cfg->warnings[i].message, part))
			return true;
	return false;
}

static void
check_issue_example(const struct wr_config *cfg)
{
	const struct wr_config_port *wan = &cfg->ports[0], *lan = &cfg->ports[1];
	const struct wr_config_interface *wg0;
	const struct wr_config_peer *peer;

	CHECK(cfg->control_lcore == 0 && cfg->n_workers == 1 && cfg->workers[0] == 1,
		"lcores: control %u, %zu workers", cfg->control_lcore, cfg->n_workers);
	CHECK(wr_config_is_worker(cfg, 1) && !wr_config_is_worker(cfg, 0) &&
			!wr_config_is_worker(cfg, 2) && !wr_config_is_worker(cfg, 5000),
		"worker bitmap");
	CHECK(!strcmp(cfg->control_socket, "/run/wirerate/ctrl.sock"), "control socket '%s'",
		cfg->control_socket);
	CHECK(cfg->control_address == NULL && cfg->control_token_file == NULL,
		"no TCP control listener by default");
	CHECK(cfg->n_ports == 2 && cfg->n_interfaces == 1 && cfg->n_warnings == 0,
		"%zu ports, %zu interfaces, %zu warnings", cfg->n_ports, cfg->n_interfaces,
		cfg->n_warnings);
	if (cfg->n_ports != 2 || cfg->n_interfaces != 1)
		return;
	CHECK(!strcmp(wan->name, "wan") && !strcmp(wan->device, "net_af_packet0,iface=veth0"),
		"wan: '%s' '%s'", wan->name, wan->device);
	CHECK(wan->n_addrs == 2 && prefix_is(&wan->addrs[0], "192.0.2.1", 24) &&
			prefix_is(&wan->addrs[1], "2001:db8:1::1", 64),
		"wan addresses (host bits of an Address are kept)");
	CHECK(wan->n_routes == 2 && prefix_is(&wan->routes[0].dst, "0.0.0.0", 0) &&
			wan->routes[0].has_gateway &&
			addr_is(AF_INET, wan->routes[0].gateway, "192.0.2.254") &&
			prefix_is(&wan->routes[1].dst, "::", 0) &&
			addr_is(AF_INET6, wan->routes[1].gateway, "2001:db8:1::fe"),
		"wan routes");
	CHECK(!strcmp(lan->name, "lan") && lan->n_addrs == 1 &&
			prefix_is(&lan->addrs[0], "203.0.113.1", 24) && lan->n_routes == 0,
		"lan");
	CHECK(wr_config_find_port(cfg, "lan") == lan && !wr_config_find_port(cfg, "dmz"),
		"find_port");
	wg0 = wr_config_find_interface(cfg, "wg0");
	CHECK(wg0 == &cfg->interfaces[0] && !wr_config_find_interface(cfg, "wg1"),
		"find_interface");
	CHECK(wg0->listen_port == 51820 && wg0->port == 0 && wg0->mtu == 1420 &&
			wg0->n_addrs == 1 && prefix_is(&wg0->addrs[0], "198.51.100.1", 24),
		"wg0: port %u on %zu, mtu %u", wg0->listen_port, wg0->port, wg0->mtu);
	CHECK(key_is(wg0->private_key, PRIV1), "wg0 private key");
	CHECK(key_is(wg0->public_key, PUB1), "wg0 public key derived as wg pubkey does");
	CHECK(wg0->n_peers == 1, "wg0: %zu peers", wg0->n_peers);
	if (wg0->n_peers != 1)
		return;
	peer = &wg0->peers[0];
	CHECK(key_is(peer->public_key, PUB2) && peer->has_preshared_key &&
			key_is(peer->preshared_key, PSK),
		"peer keys");
	CHECK(peer->endpoint.family == AF_INET && peer->endpoint.port == 51820 &&
			addr_is(AF_INET, peer->endpoint.addr, "192.0.2.2"),
		"peer endpoint");
	CHECK(peer->n_allowed_ips == 3 && prefix_is(&peer->allowed_ips[0], "198.51.100.2", 32) &&
			prefix_is(&peer->allowed_ips[1], "10.20.0.0", 16) &&
			prefix_is(&peer->allowed_ips[2], "2001:db8:20::", 48),
		"peer AllowedIPs");
	CHECK(peer->persistent_keepalive == 25 && peer->line == 22, "keepalive %u, line %u",
		peer->persistent_keepalive, peer->line);
}

static const char issue_example[] = "[Gateway]\n"
				    "Control = 0                  # the control lcore\n"
				    "Workers = 1                  # worker lcores\n"
				    "ControlSocket = /run/wirerate/ctrl.sock\n"
				    "\n"
				    "[Port wan]\n"
				    "Device = net_af_packet0,iface=veth0\n"
				    "Address = 192.0.2.1/24, 2001:db8:1::1/64\n"
				    "Route = 0.0.0.0/0 via 192.0.2.254\n"
				    "Route = ::/0 via 2001:db8:1::fe\n"
				    "\n"
				    "[Port lan]\n"
				    "Device = net_af_packet1,iface=veth1\n"
				    "Address = 203.0.113.1/24\n"
				    "\n"
				    "[Interface wg0]\n"
				    "PrivateKey = " PRIV1 "\n"
				    "ListenPort = 51820\n"
				    "Port = wan\n"
				    "Address = 198.51.100.1/24\n"
				    "MTU = 1420\n"
				    "[Peer]\n"
				    "PublicKey = " PUB2 "\n"
				    "PresharedKey = " PSK "\n"
				    "Endpoint = 192.0.2.2:51820\n"
				    "AllowedIPs = 198.51.100.2/32, 10.20.0.0/16, 2001:db8:20::/48\n"
				    "PersistentKeepalive = 25\n";

static void
check_syntax(const struct wr_config *cfg)
{
	const struct wr_config_interface *ifc = &cfg->interfaces[0];
	const struct wr_config_peer *peer;

	CHECK(cfg->n_interfaces == 1 && ifc->n_peers == 2, "shape");
	if (cfg->n_interfaces != 1 || ifc->n_peers != 2)
		return;
	CHECK(ifc->listen_port == 51821 && ifc->n_addrs == 2 &&
			prefix_is(&ifc->addrs[0], "198.51.100.1", 24) &&
			prefix_is(&ifc->addrs[1], "2001:db8:100::1", 64),
		"interface: repeated Address lines accumulate");
	peer = &ifc->peers[0];
	CHECK(peer->n_allowed_ips == 4 && prefix_is(&peer->allowed_ips[0], "10.1.0.0", 16) &&
			prefix_is(&peer->allowed_ips[1], "10.2.0.0", 16) &&
			prefix_is(&peer->allowed_ips[2], "10.3.0.0", 16) &&
			prefix_is(&peer->allowed_ips[3], "192.0.2.7", 32),
		"repeated AllowedIPs lines accumulate in order; a bare address is a /32");
	CHECK(!peer->has_preshared_key && peer->endpoint.family == 0 &&
			peer->persistent_keepalive == 0,
		"optional peer keys default to unset");
	peer = &ifc->peers[1];
	CHECK(peer->endpoint.family == AF_INET6 && peer->endpoint.port == 443 &&
			addr_is(AF_INET6, peer->endpoint.addr, "2001:db8::2"),
		"[v6]:port endpoint");
	CHECK(peer->persistent_keepalive == 0, "PersistentKeepalive = OFF");
	CHECK(cfg->n_warnings == 0, "no warnings: %zu", cfg->n_warnings);
}

static const char syntax_example[] = "# case, spacing, comments, CRLF\r\n"
				     "[PORT wan]\r\n"
				     "  device=net_null0   \r\n"
				     "Address=192.0.2.1/24\r\n"
				     "\r\n"
				     "  [ interface   wg0 ]  # trailing comment\r\n"
				     "privatekey\t=\t" PRIV1 "\r\n"
				     "LISTENPORT = 51821\r\n"
				     "port = wan\r\n"
				     "address = 198.51.100.1/24\r\n"
				     "ADDRESS = 2001:db8:100::1/64\r\n"
				     "[peer]\r\n"
				     "PublicKey=" PUB2 "#comment right after\r\n"
				     "AllowedIPs = 10.1.0.0/16 ,10.2.0.0/16\r\n"
				     "allowedips=10.3.0.0/16 ,  192.0.2.7\r\n"
				     "[Peer]\r\n"
				     "PublicKey = " PUB3 "\r\n"
				     "Endpoint = [2001:db8::2]:443\r\n"
				     "PersistentKeepalive = OFF\r\n"
				     "\r\n"
				     "# no newline at the end\r\n"
				     "";

static void
check_warnings(const struct wr_config *cfg)
{
	const struct wr_config_peer *peer = &cfg->interfaces[0].peers[0];
	const struct wr_config_route *r = &cfg->ports[0].routes[0];
	size_t i;

	CHECK(cfg->n_warnings == 7, "%zu warnings", cfg->n_warnings);
	CHECK(has_warning(cfg, 3, "Route: '10.9.9.9/8' has host bits set; using 10.0.0.0/8"),
		"route host bits warning");
	CHECK(prefix_is(&r->dst, "10.0.0.0", 8) && !r->has_gateway, "route masked, on-link");
	CHECK(has_warning(cfg, 9, "DNS: a wg-quick key") && has_warning(cfg, 10, "PostUp") &&
			has_warning(cfg, 11, "PostUp"),
		"ignored wg-quick keys warn, with their lines");
	CHECK(has_warning(cfg, 7,
		      "Port: [Port wan] has no Address, so [Interface wg0] can receive "
		      "nothing"),
		"an interface on a port without addresses warns");
	CHECK(has_warning(cfg, 14,
		      "AllowedIPs: '2001:db8:20::1/48' has host bits set; using 2001:db8:20::/48"),
		"AllowedIPs host bits warning");
	CHECK(peer->n_allowed_ips == 2 && prefix_is(&peer->allowed_ips[0], "10.20.0.0", 16) &&
			prefix_is(&peer->allowed_ips[1], "2001:db8:20::", 48),
		"AllowedIPs masked");
	for (i = 0; i < cfg->n_warnings; i++)
		CHECK(!strncmp(cfg->warnings[i].message, "warn.conf:", 10), "warning prefix: %s",
			cfg->warnings[i].message);
	for (i = 1; i < cfg->n_warnings; i++)
		CHECK(cfg->warnings[i - 1].line <= cfg->warnings[i].line,
			"warnings in file order: line %u before %u", cfg->warnings[i - 1].line,
			cfg->warnings[i].line);
}

static const char warnings_example[] = "[Port wan]\n"
				       "Device = net_null0\n"
				       "Route = 10.9.9.9/8\n"
				       "[Interface wg0]\n"
				       "PrivateKey = " PRIV1 "\n"
				       "ListenPort = 51820\n"
				       "Port = wan\n"
				       "Table = off\n"
				       "DNS = 192.0.2.53\n"
				       "PostUp = echo up\n"
				       "PostUp = echo again\n"
				       "[Peer]\n"
				       "PublicKey = " PUB2 "\n"
				       "AllowedIPs = 10.20.0.0/16, 2001:db8:20::1/48\n";

static void
check_lcores(const struct wr_config *cfg)
{
	static const unsigned int want[] = { 1, 2, 3, 5, 64, 1023 };
	size_t i;

	CHECK(cfg->control_lcore == 4 && cfg->n_workers == 6, "control %u, %zu workers",
		cfg->control_lcore, cfg->n_workers);
	for (i = 0; i < 6 && i < cfg->n_workers; i++)
		CHECK(cfg->workers[i] == want[i] && wr_config_is_worker(cfg, want[i]),
			"worker %zu: %u", i, cfg->workers[i]);
	CHECK(cfg->worker_mask[0] == 0x2e && cfg->worker_mask[1] == 1 &&
			cfg->worker_mask[15] == 1ull << 63,
		"worker bitmap");
	CHECK(!strcmp(cfg->control_socket, "/tmp/wr.sock"), "ControlSocket");
	CHECK(cfg->control_address && !strcmp(cfg->control_address, "[2001:db8::1]:8080"),
		"ControlAddress");
	CHECK(cfg->control_token_file && !strcmp(cfg->control_token_file, "/etc/wr/token"),
		"ControlTokenFile");
	CHECK(cfg->n_interfaces == 0, "a gateway may start without interfaces");
}

static const char lcores_example[] = "[Gateway]\nWorkers = 1-3, 5,64-64 ,1023\nControl = 4\n"
				     "ControlSocket = /tmp/wr.sock\n"
				     "ControlAddress = [2001:db8::1]:8080\n"
				     "ControlTokenFile = /etc/wr/token\n" PORT_WAN;

static void
check_multi(const struct wr_config *cfg)
{
	const struct wr_config_interface *a, *b;

	CHECK(cfg->n_interfaces == 2 && cfg->n_ports == 2, "shape");
	if (cfg->n_interfaces != 2 || cfg->n_ports != 2)
		return;
	a = &cfg->interfaces[0];
	b = &cfg->interfaces[1];
	CHECK(a->port == 1 && !strcmp(cfg->ports[a->port].name, "lan"),
		"Port may name a [Port] defined further down");
	CHECK(b->port == 0 && a->listen_port == b->listen_port,
		"one ListenPort on two different ports");
	CHECK(a->n_peers == 1 && b->n_peers == 1 &&
			!memcmp(a->peers[0].public_key, b->peers[0].public_key, 32),
		"one peer key in two interfaces");
	CHECK(a->mtu == 1280 && b->mtu == 576, "MTU 1280 with IPv6, 576 without");
	CHECK(key_is(b->public_key, PUB2), "second interface's derived key");
	CHECK(cfg->n_warnings == 1 && has_warning(cfg, 4, "[Port lan] has no Address"),
		"port without addresses warns once, on the Port line");
}

static const char multi_example[] = "[Interface wg0]\n"
				    "PrivateKey = " PRIV1 "\n"
				    "ListenPort = 51820\n"
				    "Port = lan\n"
				    "MTU = 1280\n"
				    "[Peer]\n"
				    "PublicKey = " PUB3 "\n"
				    "AllowedIPs = 2001:db8::/32\n" PORT_WAN "[Port lan]\n"
				    "Device = 0000:01:00.0\n"
				    "[Interface wg1]\n"
				    "PrivateKey = " PRIV2 "\n"
				    "ListenPort = 51820\n"
				    "Port = wan\n"
				    "MTU = 576\n"
				    "[Peer]\n"
				    "PublicKey = " PUB3 "\n"
				    "AllowedIPs = 10.0.0.0/8\n";

static void
check_dup_aips(const struct wr_config *cfg)
{
	CHECK(cfg->n_warnings == 4, "%zu warnings", cfg->n_warnings);
	CHECK(has_warning(cfg, 14,
		      "AllowedIPs: 10.1.0.0/16 is also claimed by the [Peer] on line 8; this peer "
		      "takes it"),
		"two peers claim one prefix");
	CHECK(has_warning(cfg, 10, "AllowedIPs: 10.2.0.0/16 is listed twice for this peer"),
		"one peer lists a prefix twice");
	CHECK(has_warning(
		      cfg, 15, "AllowedIPs: 2001:db8::/32 is also claimed by the [Peer] on line 8"),
		"after masking, 2001:db8::1/32 is the same prefix");
	CHECK(cfg->n_interfaces == 2 && cfg->interfaces[1].n_peers == 1,
		"another interface may claim it again, silently");
}

static const char dup_aips_example[] = PORT_WAN IFACE /* lines 1-7 */
	"[Peer]\n"
	"PublicKey = " PUB2 "\n"
	"AllowedIPs = 10.1.0.0/16, 10.2.0.0/16, 10.2.0.0/16, 2001:db8::/32\n"
	"[Peer]\n"
	"PublicKey = " PUB3 "\n"
	"AllowedIPs = 10.3.0.0/16\n"
	"AllowedIPs = 10.1.0.0/16\n"
	"AllowedIPs = 2001:db8::1/32\n"
	"[Interface wg1]\n"
	"PrivateKey = " PRIV2 "\n"
	"ListenPort = 51821\n"
	"Port = wan\n"
	"[Peer]\n"
	"PublicKey = " PUB3 "\n"
	"AllowedIPs = 10.1.0.0/16\n";

struct valid_case {
	const char *name;
	const char *text;
	void (*check)(const struct wr_config *cfg);
};

static const struct valid_case valid_cases[] = {
	{ "issue.conf", issue_example, check_issue_example },
	{ "syntax.conf", syntax_example, check_syntax },
	{ "warn.conf", warnings_example, check_warnings },
	{ "lcores.conf", lcores_example, check_lcores },
	{ "multi.conf", multi_example, check_multi },
	{ "dup-aips.conf", dup_aips_example, check_dup_aips },
};

static void
test_valid(void)
{
	size_t i, j;

	printf("config: valid files parse to the expected struct\n");
	for (i = 0; i < sizeof(valid_cases) / sizeof(valid_cases[0]); i++) {
		struct wr_config *cfg = load_ok(valid_cases[i].name, valid_cases[i].text);

		if (!cfg)
			continue;
		CHECK(!strcmp(cfg->source, valid_cases[i].name), "source name");
		for (j = 0; j < cfg->n_warnings; j++)
			printf("  warning: %s\n", cfg->warnings[j].message);
		valid_cases[i].check(cfg);
		wr_config_free(cfg);
	}
}

struct invalid_case {
	const char *text;
	const char *part; /* expected in the message after "bad.conf:LINE: " */
};

/* The offending line ends in "# <-"; no marker means an error about the whole file (line 0). */
static const struct invalid_case invalid_cases[] = {
	/* lines and sections */
	{ PORT_WAN IFACE PEER2 "AllowedIPs = 10.0.0.0/33 # <-\n",
		"AllowedIPs: '10.0.0.0/33': prefix length out of range" },
	{ PORT_WAN "Hello # <-\n", "expected 'Key = Value' or a [Section]" },
	{ "ListenPort = 1 # <-\n" PORT_WAN, "ListenPort: outside of any section" },
	{ "Frobnicate = 1 # <-\n" PORT_WAN, "Frobnicate: outside of any section" },
	{ PORT_WAN "[Bogus] # <-\n", "[Bogus]: unknown section" },
	{ PORT_WAN "[Port wan # <-\n", "a section header ends with ']'" },
	{ PORT_WAN "[Port] # <-\n", "[Port]: needs a name" },
	{ PORT_WAN "[Interface] # <-\n", "[Interface]: needs a name" },
	{ PORT_WAN "[Port bad/name] # <-\n", "[Port bad/name]: a name is 1..31" },
	{ PORT_WAN "[Port a234567890123456789012345678901x] # <-\n", "a name is 1..31" },
	{ PORT_WAN "[Port a b] # <-\n", "[Port a b]: a name is" },
	{ PORT_WAN IFACE "[Peer x] # <-\n", "[Peer]: takes no name" },
	{ "[Gateway]\n[Gateway] # <-\n" PORT_WAN,
		"[Gateway]: duplicate section (first on line 1)" },
	{ PORT_WAN "[Port wan] # <-\nDevice = x\n",
		"[Port wan]: duplicate section (first on line 1)" },
	{ PORT_WAN IFACE "[Interface wg0] # <-\n", "[Interface wg0]: duplicate section (first on" },
	{ PORT_WAN "[Peer] # <-\nPublicKey = " PUB2 "\n", "[Peer] before any [Interface]" },
	{ PORT_WAN IFACE "Foo = 1 # <-\n", "Foo: unknown key in [Interface]" },
	{ PORT_WAN IFACE PEER2 "DNS = 192.0.2.53 # <-\n", "DNS: unknown key in [Peer]" },
	{ PORT_WAN "ListenPort = 1 # <-\n", "ListenPort: unknown key in [Port]" },
	{ "[Gateway]\nDevice = x # <-\n" PORT_WAN, "Device: unknown key in [Gateway]" },
	{ PORT_WAN IFACE "MTU = # <-\n", "MTU: empty value" },
	{ PORT_WAN IFACE "listenport = 2 # <-\n",
		"ListenPort: given twice in this section (first on line 6)" },
	{ "[Port wan]\nDevice = x\n" IFACE "Address = 198.51.100.1/24\n" PEER2
	  "AllowedIPs = 10.0.0.1/32\x01 # <-\n",
		"AllowedIPs: '10.0.0.1/32\x01': invalid prefix length" },
	{ "", "no [Port] section" },
	{ "# nothing\n[Gateway]\nControl = 0\n", "no [Port] section" },
	/* required keys, reported on the section header */
	{ "[Port wan] # <-\nAddress = 192.0.2.1/24\n", "[Port wan]: missing Device" },
	{ PORT_WAN "[Interface wg0] # <-\nListenPort = 1\nPort = wan\n",
		"[Interface wg0]: missing PrivateKey (or PrivateKeyFile)" },
	{ PORT_WAN "[Interface wg0] # <-\nPrivateKey = " PRIV1 "\nPort = wan\n" PEER2,
		"[Interface wg0]: missing ListenPort" },
	{ PORT_WAN "[Interface wg0] # <-\nPrivateKey = " PRIV1 "\nListenPort = 1\n",
		"[Interface wg0]: missing Port" },
	{ PORT_WAN IFACE PEER2 "[Peer] # <-\nAllowedIPs = 10.0.0.0/8\n",
		"[Peer]: missing PublicKey" },
	{ PORT_WAN IFACE "[Peer] # <-\n", "[Peer]: missing PublicKey" },
	/* cross references */
	{ PORT_WAN "[Interface wg0]\nPrivateKey = " PRIV1 "\nListenPort = 1\nPort = lan # <-\n",
		"Port: 'lan': no such [Port] section" },
	{ PORT_WAN IFACE "[Interface wg1]\nPrivateKey = " PRIV2
			 "\nListenPort = 51820 # <-\nPort = wan\n",
		"ListenPort: 51820 is already used by [Interface wg0] on port wan" },
	{ PORT_WAN IFACE PEER2 "[Peer]\nPublicKey = " PUB3 "\n[Peer]\nPublicKey = " PUB2 " # <-\n",
		"PublicKey: same key as the [Peer] on line 8" },
	{ PORT_WAN IFACE "[Peer]\nPublicKey = " PUB1 " # <-\n",
		"PublicKey: this is [Interface wg0]'s own public key" },
	/* keys: the message must not echo them */
	{ PORT_WAN "[Interface wg0]\nPrivateKey = " PUB2 "x # <-\n",
		"PrivateKey: not a key (expected 44 characters of base64" },
	{ PORT_WAN
		"[Interface wg0]\nPrivateKey = KDEJ/eXkJ3GU4HFJnNuKls1qHKLMEtyiFwokw0kkL0B= # <-\n",
		"PrivateKey: not a key" },
	{ PORT_WAN "[Interface wg0]\nPrivateKey " PRIV1 " # <-\n", "not a valid key name" },
	{ PORT_WAN IFACE PEER2 "PresharedKey = " PUB3 "A # <-\n", "PresharedKey: not a key" },
	{ PORT_WAN IFACE "[Peer]\nPublicKey = u3EUiHrnqJhDPpz+vTz2vbEfEYuyQ2LaawCuI3wIXCY # <-\n",
		"PublicKey: not a key" },
	{ PORT_WAN "[Interface wg0]\nPrivateKey = " PRIV1 "\nPrivateKeyFile = /k # <-\n",
		"PrivateKeyFile: PrivateKey is also given (line 5)" },
	{ PORT_WAN "[Interface wg0]\nPrivateKeyFile = /nonexistent/wg0.key # <-\n",
		"PrivateKeyFile: '/nonexistent/wg0.key': No such file or directory" },
	{ PORT_WAN "[Interface wg0]\nPrivateKeyFile = / # <-\n",
		"PrivateKeyFile: '/': not a regular file" },
	/* values */
	{ PORT_WAN IFACE "Address = 192.0.2.300/24 # <-\n",
		"Address: '192.0.2.300/24': invalid IP address" },
	{ PORT_WAN IFACE "Address = 198.51.100.1/24,,198.51.100.2/24 # <-\n",
		"Address: empty list item" },
	{ PORT_WAN IFACE "Address = 2001:db8::1/129 # <-\n",
		"Address: '2001:db8::1/129': prefix length out of range" },
	{ PORT_WAN IFACE "Address = 198.51.100.1/ # <-\n",
		"Address: '198.51.100.1/': invalid prefix length" },
	{ PORT_WAN IFACE PEER2 "AllowedIPs = 10.0.0.0/-1 # <-\n", "invalid prefix length" },
	{ PORT_WAN IFACE PEER2 "AllowedIPs = 10.0.0.0/8, example.com # <-\n",
		"AllowedIPs: 'example.com': invalid IP address" },
	{ "[Port wan]\nDevice = x\nRoute = 10.0.0.0/8 via # <-\n",
		"Route: '10.0.0.0/8 via': expected DESTINATION/CIDR [via GATEWAY]" },
	{ "[Port wan]\nDevice = x\nRoute = 10.0.0.0/8 through 192.0.2.1 # <-\n",
		"expected DESTINATION/CIDR" },
	{ "[Port wan]\nDevice = x\nRoute = 10.0.0.0/8 via 192.0.2.1 x # <-\n",
		"expected DESTINATION/CIDR" },
	{ "[Port wan]\nDevice = x\nRoute = 10.0.0.0/8 via 2001:db8::1 # <-\n",
		"of different families" },
	{ "[Port wan]\nDevice = x\nRoute = 10.0.0.0/8 via gw.example # <-\n",
		"invalid gateway address" },
	{ "[Port wan]\nDevice = x\nRoute = 10.0.0.0/40 # <-\n",
		"Route: '10.0.0.0/40': prefix length out of range" },
	{ PORT_WAN "[Interface wg0]\nListenPort = 0 # <-\n",
		"ListenPort: '0': expected a UDP port (1..65535)" },
	{ PORT_WAN "[Interface wg0]\nListenPort = 65536 # <-\n",
		"ListenPort: '65536': expected a UDP port" },
	{ PORT_WAN "[Interface wg0]\nListenPort = 99999999999999999999999 # <-\n",
		"expected a UDP port" },
	{ PORT_WAN "[Interface wg0]\nListenPort = +1 # <-\n",
		"ListenPort: '+1': expected a UDP port" },
	{ PORT_WAN IFACE "MTU = 575 # <-\n", "MTU: '575': out of range (576..9000)" },
	{ PORT_WAN IFACE "MTU = 9001 # <-\n", "MTU: '9001': out of range (576..9000)" },
	{ PORT_WAN IFACE "MTU = 1279 # <-\n" PEER2 "AllowedIPs = 10.0.0.0/8, 2001:db8::/32\n",
		"MTU: 1279 is below 1280, the minimum for IPv6 in the tunnel" },
	{ PORT_WAN IFACE "MTU = 1000 # <-\nAddress = 2001:db8::1/64\n", "MTU: 1000 is below 1280" },
	{ PORT_WAN IFACE PEER2 "Endpoint = vpn.example.com:51820 # <-\n",
		"Endpoint: 'vpn.example.com:51820': invalid IP address (host names are not "
		"supported)" },
	{ PORT_WAN IFACE PEER2 "Endpoint = 2001:db8::1:51820 # <-\n",
		"an IPv6 endpoint is written [address]:port" },
	{ PORT_WAN IFACE PEER2 "Endpoint = [2001:db8::1]51820 # <-\n", "expected [IPv6]:port" },
	{ PORT_WAN IFACE PEER2 "Endpoint = 192.0.2.1 # <-\n",
		"Endpoint: '192.0.2.1': expected address:port" },
	{ PORT_WAN IFACE PEER2 "Endpoint = 192.0.2.1:0 # <-\n", "port out of range (1..65535)" },
	{ PORT_WAN IFACE PEER2 "Endpoint = 192.0.2.1:65536 # <-\n", "port out of range" },
	{ PORT_WAN IFACE PEER2 "PersistentKeepalive = 65536 # <-\n",
		"PersistentKeepalive: '65536': expected seconds (0..65535) or off" },
	{ PORT_WAN IFACE PEER2 "PersistentKeepalive = sometimes # <-\n", "expected seconds" },
	{ "[Gateway]\nWorkers = 3-1 # <-\n" PORT_WAN, "Workers: '3-1': range runs backwards" },
	{ "[Gateway]\nWorkers = 1-3,2 # <-\n" PORT_WAN,
		"Workers: '1-3,2': an lcore is listed twice" },
	{ "[Gateway]\nWorkers = 1,,2 # <-\n" PORT_WAN, "expected an lcore list such as 1-3,5" },
	{ "[Gateway]\nWorkers = one # <-\n" PORT_WAN, "expected an lcore list such as 1-3,5" },
	{ "[Gateway]\nWorkers = 1-1024 # <-\n" PORT_WAN, "lcore id out of range (0..1023)" },
	{ "[Gateway]\nControl = 1024 # <-\n" PORT_WAN,
		"Control: '1024': expected an lcore id (0..1023)" },
	{ "[Gateway]\nControl = 1 # <-\n" PORT_WAN, "Control: lcore 1 is also a worker" },
	{ "[Gateway]\nControlAddress = 192.0.2.1:8080 # <-\n" PORT_WAN,
		"ControlAddress: needs ControlTokenFile" },
	{ "[Gateway]\nControlAddress = 192.0.2.1 # <-\n" PORT_WAN,
		"ControlAddress: '192.0.2.1': expected ADDRESS:PORT or [ADDRESS]:PORT" },
	{ "[Gateway]\nControlAddress = localhost:80 # <-\n" PORT_WAN, "expected ADDRESS:PORT" },
	{ "[Gateway]\nControlAddress = 2001:db8::1:80 # <-\n" PORT_WAN, "expected ADDRESS:PORT" },
	{ "[Gateway]\nControlAddress = 192.0.2.1:65536 # <-\n" PORT_WAN, "expected ADDRESS:PORT" },
	{ "[Gateway]\nControl = 2\nWorkers = 1-3 # <-\n" PORT_WAN,
		"Workers: includes the control lcore 2" },
	{ "[Gateway]\nWorkers = 0-3\nControl = 2 # <-\n" PORT_WAN,
		"Control: lcore 2 is also a worker" },
	{ "[Gateway]\nControlSocket = "
	  "/run/"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaa # <-\n" PORT_WAN,
		"ControlSocket: path longer than 107 characters" },
};

static unsigned int
marked_line(const char *text)
{
	const char *mark = strstr(text, "# <-");
	unsigned int line = 1;

	if (!mark)
		return 0;
	for (; text < mark; text++)
		line += *text == '\n';
	return line;
}

static void
expect_error(const char *text, size_t len, unsigned int line, const char *part, const char *what)
{
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

static void
test_invalid(void)
{
	size_t i;

	printf("config: %zu invalid files fail with the right line and message\n",
		sizeof(invalid_cases) / sizeof(invalid_cases[0]));
	for (i = 0; i < sizeof(invalid_cases) / sizeof(invalid_cases[0]); i++) {
		char what[32];

		snprintf(what, sizeof(what), "invalid case %zu", i);
		expect_error(invalid_cases[i].text, strlen(invalid_cases[i].text),
			marked_line(invalid_cases[i].text), invalid_cases[i].part, what);
	}

	printf("config: a NUL byte is an error, not the end of the text\n");
	{
		static const char text[] = PORT_WAN "Address = 192.0.2.1/24\0junk\n";

		expect_error(text, sizeof(text) - 1, 4, "NUL byte in the text", "NUL");
	}

	printf("config: a NULL error pointer is allowed\n");
	{
		struct wr_config *cfg = (void *)1;
		int rc = wr_config_load_string("[Bogus]\n", 8, NULL, &cfg, NULL);

		CHECK(rc == -EINVAL && !cfg, "rc %d", rc);
	}
}

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
	/* A sanitizer report ends the process: keep what was printed before it. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (wr_crypto_init()) {
		printf("FAIL: wr_crypto_init\n");
		return 1;
	}
	test_base64_vectors();
	test_base64_keys();
	test_valid();
	test_invalid();
	test_files();
	test_examples();
	test_many_peers();
	printf("%u checks, %u failures\n", checks, failures);
	return failures ? 1 : 0;
}
