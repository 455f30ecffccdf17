/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The stock `wg` tool (wireguard-tools) against our UAPI server: `wg show dump`, `wg set`,
 * `wg setconf`, `wg syncconf`, `wg showconf`, `wg show`, each checked against the device; what
 * `wg showconf` wrote set again keeps the private key it could not show; a request over the
 * server's bounds makes `wg` say so (it is not killed by SIGPIPE).
 * One thread: while a `wg` child runs, this process polls the server and drains the child's
 * output, so the device is only ever touched from here. The socket is the real one,
 * /var/run/wireguard/wruapi<pid>.sock (wg looks nowhere else), so this needs root; it exits 77
 * (skipped) without root or without `wg`.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "wr_base64.h"
#include "wr_crypto.h"
#include "wr_uapi.h"

#include "wr_test.h"
#include "null_host.h"

extern char **environ;

static struct wr_device *dev;
static struct wr_uapi *uapi;
static struct wr_uapi_server *server;
static char ifname[16];
static uint16_t listen_port = 51820;
static unsigned changes;

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * WR_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static uint64_t
d_wall(void *ctx)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * WR_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static uint16_t
h_get_port(void *ctx)
{
	return listen_port;
}

static int
h_set_port(void *ctx, uint16_t port)
{
	if (port == 1)
		return -EADDRINUSE;
	listen_port = port;
	return 0;
}

static void
h_changed(void *ctx, const struct wr_uapi_changes *c)
{
	changes++;
}

/* Key pair number @p n, its base64 public and private keys (static storage, 8 slots). */
static const char *
b64(unsigned n, bool private_key)
{
	static char bufs[8][WR_BASE64_KEY_LEN + 1];
	static unsigned next;
	uint8_t priv[WR_KEY_LEN], pub[WR_KEY_LEN];
	char *b = bufs[next++ % 8];

	for (unsigned i = 0; i < WR_KEY_LEN; i++)
		priv[i] = (uint8_t)(n * 53 + i * 7 + 3);
	priv[1] ^= (uint8_t)(n >> 8); /* distinct keys past 256 */
	wr_x25519_public(pub, priv);
	wr_base64_key_encode(b, private_key ? priv : pub);
	wr_wipe(priv, sizeof(priv));
	return b;
}

static struct wr_peer *
peer_n(unsigned n)
{
	uint8_t pub[WR_KEY_LEN];

	if (wr_base64_key_decode(pub, b64(n, false), WR_BASE64_KEY_LEN) < 0)
		return NULL;
	return wr_device_lookup_peer(dev, pub);
}

struct aip_list {
	char s[512];
};

static int
aip_cat(void *ctx, int family, const uint8_t *addr, uint8_t cidr)
{
	struct aip_list *l = ctx;
	char a[64];

	inet_ntop(family, addr, a, sizeof(a));
	snprintf(l->s + strlen(l->s), sizeof(l->s) - strlen(l->s), "%s%s/%u", l->s[0] ? "," : "", a,
		cidr);
	return 0;
}

static const char *
aips(struct wr_peer *p)
{
	static struct aip_list l;

	l.s[0] = '\0';
	if (p)
		wr_peer_foreach_allowedip(p, aip_cat, &l);
	return l.s;
}

static const char *
endpoint(struct wr_peer *p)
{
	static char s[80];
	struct wr_endpoint ep;
	char a[64];

	s[0] = '\0';
	if (!p)
		return s;
	wr_peer_get_endpoint(p, &ep);
	if (ep.sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &ep.in4.sin_addr, a, sizeof(a));
		snprintf(s, sizeof(s), "%s:%u", a, ntohs(ep.in4.sin_port));
	} else if (ep.sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &ep.in6.sin6_addr, a, sizeof(a));
		snprintf(s, sizeof(s), "[%s]:%u", a, ntohs(ep.in6.sin6_port));
	}
	return s;
}

/*
 * Run `wg ARGS...` (NULL-terminated), serving the UAPI socket until it exits. Returns its exit
 * status (-1 when it did not run or was killed) and its stdout+stderr in *@p out (malloc'd).
 */
static int
run_wg(char **out, ...)
{
	const char *argv[32] = { "wg" };
	posix_spawn_file_actions_t fa;
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	uint64_t deadline = mono_ns() + 20 * WR_NSEC_PER_SEC;
	bool pipe_open = true;
	int p[2], status = -1, argc = 1;
	pid_t pid;
	va_list ap;

	va_start(ap, out);
	while (argc < 31 && (argv[argc] = va_arg(ap, const char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	buf[0] = '\0';
	*out = buf;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_adddup2(&fa, p[1], 2);
	if (posix_spawnp(&pid, "wg", &fa, NULL, (char *const *)argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		close(p[0]);
		close(p[1]);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);

	for (;;) {
		struct pollfd pf[2] = {
			{ .fd = wr_uapi_server_fd(server), .events = POLLIN },
			{ .fd = pipe_open ? p[0] : -1, .events = POLLIN },
		};

		poll(pf, 2, 10);
		wr_uapi_server_poll(server, mono_ns());
		while (pipe_open) {
			ssize_t n;

			if (len + 1024 + 1 > cap)
				buf = *out = realloc(buf, cap *= 2);
			n = read(p[0], buf + len, cap - len - 1);
			if (n > 0) {
				len += (size_t)n;
				buf[len] = '\0';
				continue;
			}
			if (n == 0 || errno != EAGAIN)
				pipe_open = false;
			break;
		}
		if (!pipe_open && waitpid(pid, &status, WNOHANG) == pid)
			break;
		if (mono_ns() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			status = -1;
			break;
		}
	}
	close(p[0]);
	if (status != -1)
		status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	return status;
}

/* The line of `wg show dump` output @p dump that starts with @p key, or "" (static storage). */
static const char *
dump_line(const char *dump, const char *key)
{
	static char line[1024];
	const char *p = dump;

	line[0] = '\0';
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (strncmp(p, key, strlen(key)) == 0 && n < sizeof(line)) {
			memcpy(line, p, n);
			line[n] = '\0';
			return line;
		}
		p = nl ? nl + 1 : NULL;
	}
	return line;
}

static size_t
count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static bool
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return false;
	fputs(text, f);
	return fclose(f) == 0;
}

static void
test_show_dump(void)
{
	char *out, want[1024];
	int st;

	printf("uapi_wg: wg show dump\n");
	st = run_wg(&out, "show", ifname, "dump", NULL);
	CHECK(st == 0, "wg show dump: %d %s", st, out);
	/* no private key is returned, so wg knows neither of our keys */
	snprintf(want, sizeof(want), "(none)\t(none)\t51820\toff\n");
	CHECK(strncmp(out, want, strlen(want)) == 0, "interface line: %s", out);
	CHECK(count_lines(out) == 3, "lines: %s", out);
	snprintf(want, sizeof(want),
		"%s\t(none)\t192.0.2.1:51820\t10.0.1.0/24,2001:db8:1::/48\t0\t0\t0\t25",
		b64(1, false));
	CHECK(strcmp(dump_line(out, b64(1, false)), want) == 0, "peer 1: %s",
		dump_line(out, b64(1, false)));
	snprintf(want, sizeof(want), "%s\t(none)\t[2001:db8::2]:4500\t(none)\t0\t0\t0\toff",
		b64(2, false));
	CHECK(strcmp(dump_line(out, b64(2, false)), want) == 0, "peer 2: %s",
		dump_line(out, b64(2, false)));
	CHECK(!strstr(out, b64(0, true)) && !strstr(out, b64(9, true)), "a secret was returned");
	free(out);

	st = run_wg(&out, "show", "interfaces", NULL);
	CHECK(st == 0 && strstr(out, ifname), "wg show interfaces: %s", out);
	free(out);
}

static void
test_set(void)
{
	char *out, keyfile[64];
	uint8_t pub[WR_KEY_LEN];
	char pubs[WR_BASE64_KEY_LEN + 1];
	int st;

	printf("uapi_wg: wg set\n");
	st = run_wg(&out, "set", ifname, "listen-port", "51999", "peer", b64(3, false),
		"allowed-ips", "10.0.3.0/24,2001:db8:3::/48", "endpoint", "198.51.100.3:3333",
		"persistent-keepalive", "15", "peer", b64(2, false), "remove", NULL);
	CHECK(st == 0, "wg set: %d %s", st, out);
	free(out);
	CHECK(listen_port == 51999, "listen port %u", listen_port);
	CHECK(peer_n(3) && strcmp(aips(peer_n(3)), "10.0.3.0/24,2001:db8:3::/48") == 0,
		"peer 3 allowed ips: %s", aips(peer_n(3)));
	CHECK(strcmp(endpoint(peer_n(3)), "198.51.100.3:3333") == 0, "peer 3 endpoint %s",
		endpoint(peer_n(3)));
	CHECK(peer_n(3) && wr_peer_get_keepalive(peer_n(3)) == 15, "peer 3 keepalive");
	CHECK(!peer_n(2) && peer_n(1), "peer 2 not removed");

	/* a private key from a file */
	snprintf(keyfile, sizeof(keyfile), "/tmp/%s.key", ifname);
	CHECK(write_file(keyfile, b64(4, true)), "key file");
	chmod(keyfile, 0600);
	st = run_wg(&out, "set", ifname, "private-key", keyfile, NULL);
	CHECK(st == 0, "wg set private-key: %d %s", st, out);
	free(out);
	unlink(keyfile);
	CHECK(wr_device_get_public_key(dev, pub), "no key");
	wr_base64_key_encode(pubs, pub);
	CHECK(strcmp(pubs, b64(4, false)) == 0, "device key not set");

	/* a fwmark is ignored, as the configuration file ignores FwMark */
	changes = 0;
	st = run_wg(&out, "set", ifname, "fwmark", "7", NULL);
	CHECK(st == 0 && changes == 0, "fwmark 7: %d %s", st, out);
	free(out);

	/* refusals come back as errors and change nothing */
	st = run_wg(&out, "set", ifname, "listen-port", "1", "peer", b64(5, false), "allowed-ips",
		"10.0.5.0/24", NULL);
	CHECK(st != 0 && strstr(out, "Address already in use"), "port 1: %d %s", st, out);
	free(out);
	CHECK(!peer_n(5) && listen_port == 51999 && changes == 0, "refused set changed things");
}

static void
test_setconf_syncconf(void)
{
	char *out, path[64], text[2048];
	int st;

	printf("uapi_wg: wg setconf, wg syncconf, wg showconf\n");
	snprintf(path, sizeof(path), "/tmp/%s.conf", ifname);
	snprintf(text, sizeof(text),
		"[Interface]\nPrivateKey = %s\nListenPort = 51830\n\n"
		"[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.4.0/24\nEndpoint = 203.0.113.4:4444\n\n"
		"[Peer]\nPublicKey = %s\nPresharedKey = %s\nAllowedIPs = 10.0.1.0/25\n"
		"PersistentKeepalive = 5\n",
		b64(6, true), b64(4, false), b64(1, false), b64(9, true));
	CHECK(write_file(path, text), "conf file");
	chmod(path, 0600);
	/* PrivateKey comes first: peer 4 (our key until now) is an ordinary peer again */
	st = run_wg(&out, "setconf", ifname, path, NULL);
	CHECK(st == 0, "setconf: %d %s", st, out);
	free(out);
	CHECK(listen_port == 51830, "port %u", listen_port);
	CHECK(wr_device_peer_count(dev) == 2 && peer_n(4) && peer_n(1) && !peer_n(3),
		"setconf peers: %zu", wr_device_peer_count(dev));
	CHECK(strcmp(aips(peer_n(1)), "10.0.1.0/25") == 0, "peer 1 aips %s", aips(peer_n(1)));
	CHECK(strcmp(endpoint(peer_n(4)), "203.0.113.4:4444") == 0, "peer 4 endpoint");

	/* syncconf: peer 4 goes, peer 5 comes, peer 1 changes */
	snprintf(text, sizeof(text),
		"[Interface]\nPrivateKey = %s\nListenPort = 51830\n\n"
		"[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.1.0/24, 2001:db8:1::/48\n\n"
		"[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.5.0/24\nEndpoint = [2001:db8::5]:5555\n",
		b64(6, true), b64(1, false), b64(5, false));
	CHECK(write_file(path, text), "conf file");
	st = run_wg(&out, "syncconf", ifname, path, NULL);
	CHECK(st == 0, "syncconf: %d %s", st, out);
	free(out);
	CHECK(wr_device_peer_count(dev) == 2 && peer_n(1) && peer_n(5) && !peer_n(4),
		"syncconf peers: %zu", wr_device_peer_count(dev));
	CHECK(strcmp(aips(peer_n(1)), "10.0.1.0/24,2001:db8:1::/48") == 0, "peer 1 aips %s",
		aips(peer_n(1)));
	/* newer wg also resets peer 1's keepalive to 0 here; 1.0.20210914 does not: not checked */
	CHECK(strcmp(endpoint(peer_n(5)), "[2001:db8::5]:5555") == 0, "peer 5 endpoint %s",
		endpoint(peer_n(5)));
	unlink(path);

	st = run_wg(&out, "showconf", ifname, NULL);
	CHECK(st == 0, "showconf: %d %s", st, out);
	CHECK(!strstr(out, "PrivateKey") && !strstr(out, "PresharedKey") &&
			!strstr(out, b64(6, true)) && !strstr(out, b64(9, true)),
		"showconf returned a secret: %s", out);
	CHECK(strstr(out, "[Interface]\nListenPort = 51830\n"), "showconf interface: %s", out);
	snprintf(text, sizeof(text),
		"[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.5.0/24\n"
		"Endpoint = [2001:db8::5]:5555\n",
		b64(5, false));
	CHECK(strstr(out, text), "showconf peer 5: %s", out);
	snprintf(text, sizeof(text),
		"[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.1.0/24, "
		"2001:db8:1::/48\n",
		b64(1, false));
	CHECK(strstr(out, text), "showconf peer 1: %s", out);
	free(out);

	st = run_wg(&out, "show", ifname, NULL);
	CHECK(st == 0 && strstr(out, "listening port: 51830") && strstr(out, b64(5, false)) &&
			!strstr(out, "private key"),
		"wg show: %d %s", st, out);
	free(out);
}

/* The public key of the device, base64, or "(none)" (static storage) */
static const char *
own_key(void)
{
	static char s[WR_BASE64_KEY_LEN + 1];
	uint8_t pub[WR_KEY_LEN];

	if (!wr_device_get_public_key(dev, pub))
		return "(none)";
	wr_base64_key_encode(s, pub);
	return s;
}

/*
 * `wg showconf IF > f; wg setconf IF f` (or syncconf): the file has no PrivateKey (the gateway
 * never returns it), wg sends a private key of zeros, and the device keeps its key. A file from
 * a wg-quick host (FwMark, no ListenPort) changes neither. `wg set IF private-key /dev/null`
 * still clears the key.
 */
static void
test_showconf_round_trip(void)
{
	char *out, *conf, path[64], text[1024];
	int st;

	printf("uapi_wg: wg showconf, then setconf and syncconf of it\n");
	CHECK(strcmp(own_key(), b64(6, false)) == 0, "start: key %s", own_key());
	st = run_wg(&conf, "showconf", ifname, NULL);
	CHECK(st == 0 && !strstr(conf, "PrivateKey"), "showconf: %d %s", st, conf);
	snprintf(path, sizeof(path), "/tmp/%s.conf", ifname);
	CHECK(write_file(path, conf), "conf file");
	st = run_wg(&out, "setconf", ifname, path, NULL);
	CHECK(st == 0, "setconf: %d %s", st, out);
	free(out);
	CHECK(strcmp(own_key(), b64(6, false)) == 0, "setconf of showconf: key %s", own_key());
	CHECK(wr_device_peer_count(dev) == 2 && peer_n(1) && peer_n(5) && listen_port == 51830,
		"setconf of showconf: %zu peers, port %u", wr_device_peer_count(dev), listen_port);
	st = run_wg(&out, "syncconf", ifname, path, NULL);
	CHECK(st == 0, "syncconf: %d %s", st, out);
	free(out);
	CHECK(strcmp(own_key(), b64(6, false)) == 0, "syncconf of showconf: key %s", own_key());
	free(conf);

	/* from a wg-quick host: FwMark (ignored), no ListenPort (the port stays) */
	snprintf(text, sizeof(text),
		"[Interface]\nFwMark = 0xca6c\n\n"
		"[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.7.0/24\n",
		b64(7, false));
	CHECK(write_file(path, text), "conf file");
	st = run_wg(&out, "setconf", ifname, path, NULL);
	CHECK(st == 0, "setconf with FwMark, no ListenPort: %d %s", st, out);
	free(out);
	CHECK(listen_port == 51830 && wr_device_peer_count(dev) == 1 && peer_n(7) &&
			strcmp(own_key(), b64(6, false)) == 0,
		"port %u, %zu peers, key %s", listen_port, wr_device_peer_count(dev), own_key());
	unlink(path);

	st = run_wg(&out, "set", ifname, "private-key", "/dev/null", NULL);
	CHECK(st == 0 && strcmp(own_key(), "(none)") == 0, "private-key /dev/null: %d %s %s", st,
		out, own_key());
	free(out);
}

/* `wg setconf` of @p n peers (a /48 each) through a file at @p path: refused with E2BIG */
static void
setconf_refused(const char *name, const char *path, char *text, size_t cap, unsigned int n,
	const char *what)
{
	size_t len = (size_t)snprintf(text, cap, "[Interface]\nListenPort = 51850\n");
	char *out;
	int ret;

	for (unsigned i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len,
			"[Peer]\nPublicKey = %s\nAllowedIPs = 2001:db8:%x::/48\n",
			b64(2000 + i, false), 0x100 + i);
	CHECK(write_file(path, text), "conf file");
	ret = run_wg(&out, "setconf", name, path, NULL);
	CHECK(ret == 1 && strstr(out, "Argument list too long"), "%s: exit %d, '%s'", what, ret,
		out);
	free(out);
}

/*
 * A setconf over the server's bounds: wg writes its whole request before it reads the reply; the
 * server answers E2BIG and drops the rest, and wg says so instead of dying of SIGPIPE. Once over
 * the byte bound (the request much larger than a socket buffer), once over the line bound (all
 * of it read). The device is unchanged; the interface still answers.
 */
static void
test_oversized(void)
{
	struct wr_uapi_server_config cfg = { .max_request = 64 << 10, .max_lines = 200 };
	struct wr_uapi_server *big = server;
	struct wr_uapi_server_stats st;
	char *out, path[64], *text, name[16];
	size_t cap = 1 << 20, peers = wr_device_peer_count(dev);
	int ret;

	printf("uapi_wg: wg setconf over the server's bounds\n");
	snprintf(name, sizeof(name), "wrbig%d", (int)getpid() % 1000000);
	ret = wr_uapi_server_open(&server, name, uapi, &cfg);
	CHECK(ret == 0, "second server: %s", strerror(-ret));
	if (ret != 0) {
		server = big;
		return;
	}
	text = malloc(cap);
	snprintf(path, sizeof(path), "/tmp/%s.conf", name);

	/* about 400 KiB, twice what a unix socket buffers */
	setconf_refused(name, path, text, cap, 4000, "bytes");
	/* 100 peers, 300 lines, 10 KiB: all read, then refused */
	setconf_refused(name, path, text, cap, 100, "lines");
	unlink(path);
	free(text);

	CHECK(wr_device_peer_count(dev) == peers && listen_port != 51850,
		"a refused set changed the device: %zu peers, port %u", wr_device_peer_count(dev),
		listen_port);
	ret = run_wg(&out, "show", name, "dump", NULL);
	CHECK(ret == 0 && count_lines(out) == 1 + peers, "still served: %d %s", ret, out);
	free(out);
	wr_uapi_server_get_stats(server, &st);
	CHECK(st.oversized == 2, "oversized %llu", (unsigned long long)st.oversized);
	wr_uapi_server_close(server);
	server = big;
}

/* A configuration of 1000 peers (about 100 KiB on the socket, read over several polls). */
static void
test_many_peers(void)
{
	char *out, path[64], *text, *line;
	size_t len = 0, cap = 1 << 20;
	unsigned lines = 0, good = 0;
	int st;

	printf("uapi_wg: wg setconf with 1000 peers\n");
	text = malloc(cap);
	len += (size_t)snprintf(text, cap, "[Interface]\nListenPort = 51840\n");
	for (unsigned i = 0; i < 1000; i++)
		len += (size_t)snprintf(text + len, cap - len,
			"[Peer]\nPublicKey = %s\nAllowedIPs = 10.%u.%u.0/24\n"
			"Endpoint = 198.51.100.%u:%u\n",
			b64(1000 + i, false), 100 + i / 256, i % 256, 1 + i % 200, 10000 + i);
	snprintf(path, sizeof(path), "/tmp/%s.conf", ifname);
	CHECK(write_file(path, text), "conf file");
	st = run_wg(&out, "setconf", ifname, path, NULL);
	CHECK(st == 0, "setconf: %d %s", st, out);
	free(out);
	unlink(path);
	CHECK(wr_device_peer_count(dev) == 1000, "peers %zu", wr_device_peer_count(dev));

	st = run_wg(&out, "show", ifname, "dump", NULL);
	CHECK(st == 0, "dump: %d", st);
	for (line = out; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		char want[96];
		unsigned i;

		lines++;
		/* peer lines name the key; find which peer by its allowed IPs and check the rest */
		if (sscanf(line, "%*s\t(none)\t198.51.100.%*u:%u\t", &i) == 1 && i >= 10000 &&
			i < 11000) {
			i -= 10000;
			snprintf(want, sizeof(want),
				"%s\t(none)\t198.51.100.%u:%u\t10.%u.%u.0/24\t",
				b64(1000 + i, false), 1 + i % 200, 10000 + i, 100 + i / 256,
				i % 256);
			good += strncmp(line, want, strlen(want)) == 0;
		}
	}
	CHECK(lines == 1001 && good == 1000, "dump: %u lines, %u peers as configured", lines, good);
	free(out);
	free(text);
}

static int
find_wg(void)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (!path)
		path = "/usr/bin:/bin";
	while (*path) {
		const char *c = strchr(path, ':');
		size_t n = c ? (size_t)(c - path) : strlen(path);

		snprintf(buf, sizeof(buf), "%.*s/wg", (int)n, path);
		if (access(buf, X_OK) == 0)
			return 0;
		path += n + (c ? 1 : 0);
	}
	return -1;
}

int
main(void)
{
	static const struct wr_device_ops dops = {
		.send = null_send, .deliver = null_deliver, .wall_time_ns = d_wall
	};
	static const struct wr_uapi_ops uops = {
		.get_listen_port = h_get_port, .set_listen_port = h_set_port, .changed = h_changed
	};
	uint8_t priv[WR_KEY_LEN], pub[WR_KEY_LEN], psk[WR_KEY_LEN];
	struct wr_peer *p;
	struct wr_endpoint ep = { 0 };
	int ret;

	if (geteuid() != 0 || find_wg() < 0) {
		printf("uapi_wg: skipped (needs root and wg)\n");
		return 77;
	}
	snprintf(ifname, sizeof(ifname), "wruapi%d", (int)getpid() % 1000000);
	dev = wr_device_create(&dops, NULL);
	uapi = dev ? wr_uapi_create(dev, &uops, NULL) : NULL;
	if (!uapi) {
		printf("setup failed\n");
		return 1;
	}
	wr_base64_key_decode(priv, b64(0, true), WR_BASE64_KEY_LEN);
	wr_device_set_private_key(dev, priv);
	wr_wipe(priv, sizeof(priv));

	/* peer 1: psk, v4 endpoint, two prefixes, keepalive; peer 2: v6 endpoint only */
	wr_base64_key_decode(pub, b64(1, false), WR_BASE64_KEY_LEN);
	wr_base64_key_decode(psk, b64(9, true), WR_BASE64_KEY_LEN);
	p = wr_device_add_peer(dev, pub, psk);
	ep.in4.sin_family = AF_INET;
	ep.in4.sin_port = htons(51820);
	inet_pton(AF_INET, "192.0.2.1", &ep.in4.sin_addr);
	wr_peer_set_endpoint(p, &ep);
	inet_pton(AF_INET, "10.0.1.0", priv);
	wr_peer_add_allowedip(p, AF_INET, priv, 24);
	inet_pton(AF_INET6, "2001:db8:1::", priv);
	wr_peer_add_allowedip(p, AF_INET6, priv, 48);
	wr_peer_set_keepalive(p, 25, mono_ns());
	wr_base64_key_decode(pub, b64(2, false), WR_BASE64_KEY_LEN);
	p = wr_device_add_peer(dev, pub, NULL);
	memset(&ep, 0, sizeof(ep));
	ep.in6.sin6_family = AF_INET6;
	ep.in6.sin6_port = htons(4500);
	inet_pton(AF_INET6, "2001:db8::2", &ep.in6.sin6_addr);
	wr_peer_set_endpoint(p, &ep);

	ret = wr_uapi_server_open(&server, ifname, uapi, NULL);
	if (ret < 0) {
		printf("wr_uapi_server_open(%s): %s\n", ifname, strerror(-ret));
		return 1;
	}
	test_show_dump();
	test_set();
	test_setconf_syncconf();
	test_showconf_round_trip();
	test_oversized();
	test_many_peers();

	wr_uapi_server_close(server);
	wr_uapi_destroy(uapi);
	wr_device_destroy(dev);
	printf("uapi_wg: %u checks, %u failures\n", checks, failures);
	return failures ? 1 : 0;
}
