/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Configuration parser and base64, what parses: RFC 4648 vectors and strict rejects, key round
 * trips, and table-driven valid files checked field by field. Invalid files are in
 * test_config_errors.c; PrivateKeyFile, the config/ examples and scale in test_config_files.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wr_base64.h"
#include "wr_config.h"

#include "config_test.h"

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

/* ---- valid configuration files ---- */

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
	CHECK(cfg->max_peers == WR_CONFIG_MAX_PEERS_DEFAULT, "max peers %zu", cfg->max_peers);
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
	CHECK(cfg->max_peers == 200000, "max peers %zu", cfg->max_peers);
	for (i = 0; i < 6 && i < cfg->n_workers; i++)
		CHECK(cfg->workers[i] == want[i] && wr_config_is_worker(cfg, want[i]),
			"worker %zu: %u", i, cfg->workers[i]);
	CHECK(cfg->worker_mask[0] == 0x2e && cfg->worker_mask[1] == 1 &&
			cfg->worker_mask[15] == 1ull << 63,
		"worker bitmap");
	CHECK(!strcmp(cfg->control_socket, "/tmp/wr.sock"), "ControlSocket");
	/* without ControlAddress the token is not read (test_config_files.c reads some) */
	CHECK(!cfg->control_address && cfg->control_token_file &&
			!strcmp(cfg->control_token_file, "/etc/wr/token") && !cfg->control_token,
		"ControlTokenFile alone");
	CHECK(cfg->n_interfaces == 0, "a gateway may start without interfaces");
}

static const char lcores_example[] = "[Gateway]\nWorkers = 1-3, 5,64-64 ,1023\nControl = 4\n"
				     "ControlSocket = /tmp/wr.sock\n"
				     "ControlTokenFile = /etc/wr/token\n"
				     "MaxPeers = 200000\n" PORT_WAN;

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
	CHECK(a->udp_checksum && !b->udp_checksum, "UDPChecksum = on; auto by default");
	CHECK(key_is(b->public_key, PUB2), "second interface's derived key");
	CHECK(cfg->n_warnings == 1 && has_warning(cfg, 4, "[Port lan] has no Address"),
		"port without addresses warns once, on the Port line");
}

static const char multi_example[] = "[Interface wg0]\n"
				    "PrivateKey = " PRIV1 "\n"
				    "ListenPort = 51820\n"
				    "Port = lan\n"
				    "MTU = 1280\n"
				    "udpchecksum = On\n"
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

int
main(void)
{
	static void (*const tests[])(void) = { test_base64_vectors, test_base64_keys, test_valid };

	return config_test_main(tests, sizeof(tests) / sizeof(tests[0]));
}
