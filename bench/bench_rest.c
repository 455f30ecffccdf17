/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Replacing a whole peer set of N peers (default 10,000) in one REST request, beside references
 * measured in the same run:
 *   - engine API:  the same peers added with wr_device_add_peer() & co. directly (the floor);
 *   - UAPI set:    the same peers as one wg "set=1" request with replace_peers (wr_uapi_handle);
 *   - REST handle: PUT /v1/interfaces/wg0/peers through wr_rest_handle() (JSON parse, checks,
 *                  apply; no HTTP);
 *   - REST HTTP:   the same request from a forked client over the unix socket, the server polled
 *                  by this process (what `curl --unix-socket` would see), timed by the client.
 * Each on an interface that has a private key (so every new peer costs its static-static DH),
 * in three situations: into an empty interface, the same set again (every peer updated in place),
 * and a disjoint set (N removed, N added). Medians of the rounds in milliseconds (for an even
 * number of rounds, the mean of the middle two), twice: wall clock (for HTTP, as the client saw
 * it), and this process's CPU time, i.e. the control core's cost (for HTTP: the server's side,
 * polling included), which a busy shared machine disturbs less. Under each table, the result: each
 * way's time over the engine API's in the same round and situation, and the REST handler's over
 * the UAPI's, the median over the rounds (a ratio within a round, where the machine was alike for
 * both; n/a where the reference took no measurable time).
 *
 * Usage: bench_rest [peers, default 10000] [rounds, default 3] (--help)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wr_base64.h"
#include "wr_crypto.h"
#include "wr_rest.h"
#include "wr_uapi.h"

#include "../tests/unit/null_host.h"

struct bpeer {
	uint8_t pub[32];
	uint8_t ip4[4], ip6[16];
	struct wr_endpoint ep;
};

static char sock[128];

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t
d_wall(void *ctx)
{
	return 1700000000ULL * 1000000000ULL;
}

static struct wr_device *
new_dev(void)
{
	static const struct wr_device_ops ops = {
		.send = null_send, .deliver = null_deliver, .wall_time_ns = d_wall
	};
	struct wr_device *dev = wr_device_create(&ops, NULL);
	uint8_t priv[32];

	memset(priv, 0x42, sizeof(priv));
	wr_device_set_private_key(dev, priv);
	return dev;
}

/* Peers @p base .. @p base + n - 1: public keys (any 32 bytes serve), prefixes, endpoints. */
static struct bpeer *
make_peers(unsigned base, size_t n)
{
	struct bpeer *p = calloc(n, sizeof(*p));

	for (size_t i = 0; p != NULL && i < n; i++) {
		unsigned id = base + (unsigned)i;

		wr_blake2s(p[i].pub, 32, &id, sizeof(id), NULL, 0);
		p[i].ip4[0] = 10;
		p[i].ip4[1] = (uint8_t)(id >> 16);
		p[i].ip4[2] = (uint8_t)(id >> 8);
		p[i].ip4[3] = (uint8_t)id;
		p[i].ip6[0] = 0x20;
		p[i].ip6[1] = 0x01;
		p[i].ip6[2] = 0x0d;
		p[i].ip6[3] = 0xb8;
		p[i].ip6[4] = (uint8_t)(id >> 24);
		p[i].ip6[5] = (uint8_t)(id >> 16);
		p[i].ip6[6] = (uint8_t)(id >> 8);
		p[i].ip6[7] = (uint8_t)id;
		p[i].ep.in4.sin_family = AF_INET;
		p[i].ep.in4.sin_port = htons((uint16_t)(1024 + id % 60000));
		p[i].ep.in4.sin_addr.s_addr =
			htonl(0xc6336400u | (id % 254 + 1)); /* 198.51.100.x */
	}
	return p;
}

static char *
json_body(const struct bpeer *p, size_t n)
{
	size_t cap = 64 + n * 200, len = 0;
	char *s = p != NULL ? malloc(cap) : NULL;

	if (s == NULL)
		return NULL;
	len += (size_t)snprintf(s, cap, "{\"peers\":[");
	for (size_t i = 0; i < n; i++) {
		char key[WR_BASE64_KEY_LEN + 1], a4[16], a6[48], ep[16];

		wr_base64_key_encode(key, p[i].pub);
		inet_ntop(AF_INET, p[i].ip4, a4, sizeof(a4));
		inet_ntop(AF_INET6, p[i].ip6, a6, sizeof(a6));
		inet_ntop(AF_INET, &p[i].ep.in4.sin_addr, ep, sizeof(ep));
		len += (size_t)snprintf(s + len, cap - len,
			"%s{\"public_key\":\"%s\",\"endpoint\":\"%s:%u\",\"allowed_ips\":[\"%s/"
			"32\","
			"\"%s/64\"],\"persistent_keepalive\":25}",
			i ? "," : "", key, ep, ntohs(p[i].ep.in4.sin_port), a4, a6);
	}
	snprintf(s + len, cap - len, "]}");
	return s;
}

static char *
uapi_body(const struct bpeer *p, size_t n, size_t *len)
{
	size_t cap = 64 + n * 300, l = 0;
	char *s = p != NULL ? malloc(cap) : NULL;

	if (s == NULL)
		return NULL;
	l += (size_t)snprintf(s, cap, "set=1\nreplace_peers=true\n");
	for (size_t i = 0; i < n; i++) {
		char a4[16], a6[48], ep[16];

		l += (size_t)snprintf(s + l, cap - l, "public_key=");
		for (int k = 0; k < 32; k++)
			l += (size_t)snprintf(s + l, cap - l, "%02x", p[i].pub[k]);
		inet_ntop(AF_INET, p[i].ip4, a4, sizeof(a4));
		inet_ntop(AF_INET6, p[i].ip6, a6, sizeof(a6));
		inet_ntop(AF_INET, &p[i].ep.in4.sin_addr, ep, sizeof(ep));
		l += (size_t)snprintf(s + l, cap - l,
			"\nendpoint=%s:%u\npersistent_keepalive_interval=25\nreplace_allowed_ips="
			"true\n"
			"allowed_ip=%s/32\nallowed_ip=%s/64\n",
			ep, ntohs(p[i].ep.in4.sin_port), a4, a6);
	}
	l += (size_t)snprintf(s + l, cap - l, "\n");
	*len = l;
	return s;
}

/* The floor: what the REST and UAPI paths do in the end, without parsing or checking. */
static void
engine_apply(struct wr_device *dev, const struct bpeer *p, size_t n, uint64_t now)
{
	for (size_t i = 0; i < n; i++) {
		struct wr_peer *peer = wr_device_lookup_peer(dev, p[i].pub);

		if (!peer)
			peer = wr_device_add_peer(dev, p[i].pub, NULL);
		wr_peer_set_endpoint(peer, &p[i].ep);
		wr_peer_set_keepalive(peer, 25, now);
		wr_peer_clear_allowedips(peer);
		wr_peer_add_allowedip(peer, AF_INET, p[i].ip4, 32);
		wr_peer_add_allowedip(peer, AF_INET6, p[i].ip6, 64);
	}
}

static int
first(void *ctx, struct wr_peer *peer)
{
	*(struct wr_peer **)ctx = peer;
	return 1;
}

/* Engine API for a whole replacement: remove the peers not in the set, then apply it. */
static void
engine_replace(struct wr_device *dev, const struct bpeer *p, size_t n, bool disjoint, uint64_t now)
{
	if (disjoint)
		while (wr_device_peer_count(dev) > 0) {
			struct wr_peer *peer = NULL;

			wr_device_foreach_peer(dev, first, &peer);
			wr_device_remove_peer(dev, peer);
		}
	engine_apply(dev, p, n, now);
}

/* PUT over the unix socket from a forked client; returns the client's time in ns (0: failed). */
static uint64_t
http_put(struct wr_rest *rest, const char *body)
{
	int out[2];
	pid_t pid;
	char buf[256] = "";
	size_t got = 0;

	if (pipe(out) < 0)
		return 0;
	pid = fork();
	if (pid == 0) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		char hdr[256], resp[4096];
		size_t len = strlen(body), off = 0;
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		uint64_t t0;
		ssize_t n, tot = 0;

		strcpy(sun.sun_path, sock);
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
			_exit(1);
		t0 = mono_ns();
		snprintf(hdr, sizeof(hdr),
			"PUT /v1/interfaces/wg0/peers HTTP/1.1\r\nHost: localhost\r\n"
			"Content-Type: application/json\r\nContent-Length: %zu\r\n"
			"Connection: close\r\n\r\n",
			len);
		if (write(fd, hdr, strlen(hdr)) < 0)
			_exit(1);
		while (off < len && (n = write(fd, body + off, len - off)) > 0)
			off += (size_t)n;
		while ((n = read(fd, resp + tot, sizeof(resp) - 1 - (size_t)tot)) > 0)
			tot += n;
		resp[tot] = '\0';
		dprintf(out[1], "%d %llu\n", strncmp(resp, "HTTP/1.1 200", 12) == 0,
			(unsigned long long)(mono_ns() - t0));
		_exit(0);
	}
	close(out[1]);
	for (;;) {
		struct pollfd pf[2] = { { .fd = wr_rest_fd(rest), .events = POLLIN },
			{ .fd = out[0], .events = POLLIN } };
		ssize_t n;

		int t = wr_rest_timeout_ms(rest);

		/* MHD may hold work it has not reported on the fd: it says so with a 0 timeout */
		poll(pf, 2, t < 0 || t > 5 ? 5 : t);
		wr_rest_poll(rest, mono_ns());
		if (pf[1].revents) {
			n = read(out[0], buf + got, sizeof(buf) - 1 - got);
			if (n <= 0)
				break;
			got += (size_t)n;
		}
	}
	close(out[0]);
	waitpid(pid, NULL, 0);
	buf[got] = '\0';
	{
		int ok = 0;
		unsigned long long ns = 0;

		if (sscanf(buf, "%d %llu", &ok, &ns) != 2 || !ok)
			return 0;
		return ns;
	}
}

static uint64_t
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double
median_ms(uint64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	return (n % 2 ? (double)v[n / 2] : ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2) / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of the per-round ratios @p v[r] / @p ref[r] over the rounds with ref[r] > 0; -1 if
 * none has. */
static double
median_ratio(const uint64_t *v, const uint64_t *ref, int rounds)
{
	double q[64];
	int n = 0;

	for (int r = 0; r < rounds; r++)
		if (ref[r] > 0)
			q[n++] = (double)v[r] / (double)ref[r];
	if (n == 0)
		return -1;
	qsort(q, (size_t)n, sizeof(*q), cmp_double);
	return n % 2 ? q[n / 2] : (q[n / 2 - 1] + q[n / 2]) / 2;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: bench_rest [PEERS [ROUNDS]]\n\n"
		   "Replace a whole set of PEERS peers (default 10000, at most 1000000) in one REST\n"
		   "request, ROUNDS times (default 3, at most 64), beside the same peers through the\n"
		   "engine API and one UAPI set request: into an empty interface, the same set again,\n"
		   "a disjoint set. Prints medians in milliseconds, wall clock and CPU time, and\n"
		   "the ratios: each way over the engine API, REST over UAPI, per round\n"
		   "(median of the rounds).\n");
}

/* A whole decimal number in [1, max] from @p s, or 0. */
static unsigned long
parse_count(const char *s, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < 1 || v > max)
		return 0;
	return v;
}

enum { EMPTY, SAME, DISJOINT, NSIT };
enum { ENGINE, UAPI, HANDLE, HTTP, NWAY };

static int
run(size_t n, int rounds);

int
main(int argc, char **argv)
{
	unsigned long n = 10000, rounds = 3;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc > 3 || (argc > 1 && (n = parse_count(argv[1], 1000000)) == 0) ||
		(argc > 2 && (rounds = parse_count(argv[2], 64)) == 0)) {
		fprintf(stderr, "bench_rest: bad arguments\n");
		usage(stderr);
		return 2;
	}
	return run(n, (int)rounds);
}

static int
run(size_t n, int rounds)
{
	static const char *const sit_name[NSIT] = { "into an empty interface",
		"same set again (in place)", "disjoint set (N out, N in)" };
	static const char *const way_name[NWAY] = { "engine API (reference)", "UAPI set",
		"REST handle (no HTTP)", "REST over unix socket" };
	struct bpeer *a = make_peers(0, n), *b = make_peers(1u << 24, n);
	char *ja = json_body(a, n), *jb = json_body(b, n);
	size_t ua_len, ub_len;
	char *ua = uapi_body(a, n, &ua_len), *ub = uapi_body(b, n, &ub_len);
	uint64_t(*t)[NWAY][NSIT] = calloc((size_t)rounds, sizeof(*t));
	uint64_t(*c)[NWAY][NSIT] = calloc((size_t)rounds, sizeof(*c));
	struct wr_rest_config cfg = { .unix_path = sock, .max_body = 64u << 20 };
	struct wr_rest *rest;
	int ret;

	if (!a || !b || !ja || !jb || !ua || !ub || !t || !c) {
		fprintf(stderr, "bench_rest: out of memory\n");
		return 1;
	}
	snprintf(sock, sizeof(sock), "/tmp/wr-bench-rest-%d.sock", (int)getpid());
	ret = wr_rest_create(&rest, &cfg, NULL, NULL);
	if (ret < 0) {
		fprintf(stderr, "wr_rest_create: %s\n", strerror(-ret));
		return 1;
	}
	printf("bench_rest: %zu peers (2 prefixes, endpoint, keepalive each), %d rounds; JSON body "
	       "%zu bytes, UAPI body %zu bytes\n",
		n, rounds, strlen(ja), ua_len);

	for (int r = 0; r < rounds; r++) {
		for (int w = 0; w < NWAY; w++) {
			struct wr_device *dev = new_dev();
			struct wr_uapi *u = wr_uapi_create(dev, NULL, NULL);

			wr_rest_add_interface(rest, "wg0", dev, NULL, NULL);
			for (int s = 0; s < NSIT; s++) {
				const char *j = s == DISJOINT ? jb : ja;
				const char *ub_ = s == DISJOINT ? ub : ua;
				size_t ul = s == DISJOINT ? ub_len : ua_len;
				uint64_t c0 = cpu_ns(), t0 = mono_ns(), now = t0;
				unsigned int status = 0;
				char *resp = NULL;
				size_t rl;

				switch (w) {
				case ENGINE:
					engine_replace(
						dev, s == DISJOINT ? b : a, n, s == DISJOINT, now);
					status = 200;
					break;
				case UAPI:
					wr_uapi_handle(u, ub_, ul, &resp, &rl, now);
					status = resp && !strcmp(resp, "errno=0\n\n") ? 200 : 500;
					break;
				case HANDLE:
					wr_rest_handle(rest, "PUT", "/v1/interfaces/wg0/peers", j,
						strlen(j), &status, &resp, &rl, now);
					break;
				case HTTP:
					t0 = 0;
					status = (t[r][w][s] = http_put(rest, j)) ? 200 : 500;
					break;
				}
				if (t0)
					t[r][w][s] = mono_ns() - t0;
				c[r][w][s] = cpu_ns() - c0;
				free(resp);
				if (status != 200 || wr_device_peer_count(dev) != n) {
					fprintf(stderr, "%s, %s: failed (status %u, %zu peers)\n",
						way_name[w], sit_name[s], status,
						wr_device_peer_count(dev));
					return 1;
				}
			}
			wr_rest_remove_interface(rest, "wg0");
			wr_uapi_destroy(u);
			wr_device_destroy(dev);
		}
	}

	for (int table = 0; table < 2; table++) {
		printf("\n%-28s", table ? "median ms, CPU (server)" : "median ms, wall clock");
		for (int s = 0; s < NSIT; s++)
			printf(" | %-26s", sit_name[s]);
		printf("\n");
		for (int w = 0; w < NWAY; w++) {
			printf("%-28s", way_name[w]);
			for (int s = 0; s < NSIT; s++) {
				uint64_t v[64];

				for (int r = 0; r < rounds; r++)
					v[r] = table ? c[r][w][s] : t[r][w][s];
				printf(" | %26.1f", median_ms(v, rounds));
			}
			printf("\n");
		}
		printf("ratio to the engine API, and REST to UAPI\n");
		for (int w = UAPI; w <= NWAY; w++) {
			/* the last row: the REST handler against the UAPI, the two parsers */
			int num = w < NWAY ? w : HANDLE, den = w < NWAY ? ENGINE : UAPI;

			printf("  %-26s", w < NWAY ? way_name[w] : "REST handle / UAPI set");
			for (int s = 0; s < NSIT; s++) {
				uint64_t v[64], ref[64];
				double q;

				for (int r = 0; r < rounds; r++) {
					v[r] = table ? c[r][num][s] : t[r][num][s];
					ref[r] = table ? c[r][den][s] : t[r][den][s];
				}
				q = median_ratio(v, ref, rounds);
				if (q < 0)
					printf(" | %26s", "n/a");
				else
					printf(" | %26.2f", q);
			}
			printf("\n");
		}
	}
	wr_rest_destroy(rest);
	free(t);
	free(c);
	free(a);
	free(b);
	free(ja);
	free(jb);
	free(ua);
	free(ub);
	return 0;
}
