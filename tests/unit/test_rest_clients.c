/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The REST server's clients and access: the server runs in this process on a temporary unix
 * socket and a loopback TCP port with a token, as in test_rest.c. A slow client (byte by byte,
 * stuck mid-headers) must not block curl clients served concurrently; over TCP, requests
 * without the right bearer token are refused; the token is wiped from the server's memory once
 * checked; a unix socket that cannot be opened is optional only when asked and with TCP.
 * Every answer is checked against docs/openapi.json. Skips (77) without curl.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "rest_harness.h"
#include "rest_host.h"
#include "wr_crypto.h"

/* ---- clients by hand: slow and concurrent ---- */

struct slow_arg {
	int go; /* read end: the parent says "go on" */
	const char *req;
};

/* A client process's end: the whole response read, its status line's start printed, exit 0 */
static void __attribute__((noreturn))
client_finish(int fd)
{
	char resp[4096] = "";
	ssize_t got, tot = 0;

	while ((got = read(fd, resp + tot, sizeof(resp) - 1 - (size_t)tot)) > 0)
		tot += got;
	resp[tot] = '\0';
	printf("%.12s\n", resp);
	fflush(stdout);
	_exit(0);
}

/* Sends half of its request, says so, waits for the parent, then the rest byte by byte. */
static void
slow_client(void *p)
{
	struct slow_arg *a = p;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t n = strlen(a->req), half = n / 2;
	char c;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	strcpy(sun.sun_path, sock);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		_exit(2);
	for (size_t i = 0; i < half; i++) {
		if (write(fd, a->req + i, 1) != 1)
			_exit(3);
		usleep(2000);
	}
	printf("half\n");
	fflush(stdout);
	if (read(a->go, &c, 1) != 1)
		_exit(4);
	for (size_t i = half; i < n; i++) {
		if (write(fd, a->req + i, 1) != 1)
			_exit(5);
		usleep(2000);
	}
	client_finish(fd);
}

static void
test_slow_and_concurrent(void)
{
	struct key slowk, ks[8];
	char req[1024], body[256], paths[8][256], bodies[8][256];
	struct proc slow, conc[16], *ps[16];
	int go[2];
	struct res r;

	make_key(&slowk, 700);
	snprintf(body, sizeof(body), "{\"allowed_ips\": [\"172.16.0.1/32\"]}");
	snprintf(req, sizeof(req),
		"PUT /v1/interfaces/wg1/peers/%s HTTP/1.1\r\nHost: localhost\r\n"
		"Content-Type: application/json\r\nContent-Length: %zu\r\nConnection: "
		"close\r\n\r\n%s",
		slowk.url, strlen(body), body);
	if (pipe(go) < 0)
		abort();
	struct slow_arg sa = { go[0], req };
	struct proc *sp = &slow;

	proc_spawn(&slow, NULL, slow_client, &sa);
	close(go[0]);
	CHECK(pump(&sp, 1, "half"), "the slow client started");

	/* while it is stuck mid-headers, others are served, several at once */
	for (int i = 0; i < 8; i++) {
		make_key(&ks[i], 800 + (unsigned)i);
		snprintf(paths[i], sizeof(paths[i]), "http://localhost/v1/interfaces/wg1/peers/%s",
			ks[i].url);
		snprintf(
			bodies[i], sizeof(bodies[i]), "{\"allowed_ips\": [\"172.17.%d.0/24\"]}", i);
	}
	for (int i = 0; i < 16; i++) {
		const char *argv[20] = { "curl", "-sS", "--max-time", "30", "-o", "/dev/null", "-w",
			"%{http_code}", "--unix-socket", sock };
		int n = 10;

		if (i < 8) {
			argv[n++] = "-X";
			argv[n++] = "PUT";
			argv[n++] = "-H";
			argv[n++] = "Content-Type: application/json";
			argv[n++] = "--data";
			argv[n++] = bodies[i];
			argv[n++] = paths[i];
		} else {
			argv[n++] = "http://localhost/v1/interfaces/wg1";
		}
		argv[n] = NULL;
		proc_spawn(&conc[i], (char *const *)argv, NULL, NULL);
		ps[i] = &conc[i];
	}
	CHECK(pump(ps, 16, NULL), "concurrent clients finished while a slow one is pending");
	for (int i = 0; i < 16; i++) {
		CHECK(conc[i].out && !strcmp(conc[i].out, i < 8 ? "201" : "200"), "client %d: %s",
			i, conc[i].out ? conc[i].out : "(nothing)");
		free(conc[i].out);
	}
	for (int i = 0; i < 8; i++)
		CHECK(wr_device_lookup_peer(wg1.dev, ks[i].pub), "peer %d", i);
	CHECK(!slow.done, "the slow client is still waiting");

	if (write(go[1], "g", 1) != 1)
		abort();
	close(go[1]);
	CHECK(pump(&sp, 1, NULL), "the slow client finished");
	CHECK(slow.out && strstr(slow.out, "HTTP/1.1 201"), "slow client answered: %s",
		slow.out ? slow.out : "");
	CHECK(wr_device_lookup_peer(wg1.dev, slowk.pub), "slow client's peer");
	free(slow.out);
	request(&r, "GET", "/v1/interfaces/wg1/peers", NULL);
	CHECK(json_array_size(json_object_get(r.json, "peers")) == 9, "9 peers");
	res_free(&r);
}

static void
test_tcp_token(void)
{
	static const char *const good[] = { "-H", "Authorization: Bearer " TOKEN, NULL };
	static const char *const wrong[] = { "-H", "Authorization: Bearer " TOKEN "x", NULL };
	static const char *const basic[] = { "-H", "Authorization: Basic dXNlcjpwYXNz", NULL };
	char url[128], purl[256];
	struct res r;
	struct key k;

	make_key(&k, 950);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/v1/status", wr_rest_tcp_port(rest));
	snprintf(purl, sizeof(purl), "http://127.0.0.1:%u/v1/interfaces/wg0/peers/%s",
		wr_rest_tcp_port(rest), k.url);
	CHECK(wr_rest_tcp_port(rest) != 0, "a TCP port");
	request_ex(&r, "GET", url, NULL, NULL, NULL);
	CHECK(is_error(&r, 401, "unauthorized", NULL), "no token");
	res_free(&r);
	request_ex(&r, "GET", url, NULL, NULL, wrong);
	CHECK(is_error(&r, 401, "unauthorized", NULL), "wrong token");
	res_free(&r);
	request_ex(&r, "GET", url, NULL, NULL, basic);
	CHECK(is_error(&r, 401, "unauthorized", NULL), "basic auth");
	res_free(&r);
	request_ex(&r, "PUT", purl, "{}", NULL, NULL);
	CHECK(is_error(&r, 401, "unauthorized", NULL) && !wr_device_lookup_peer(wg0.dev, k.pub),
		"no write without a token");
	res_free(&r);
	request_ex(&r, "GET", url, NULL, NULL, good);
	CHECK(r.status == 200, "token: %d", r.status);
	res_free(&r);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/metrics", wr_rest_tcp_port(rest));
	request_ex(&r, "GET", url, NULL, NULL, NULL);
	CHECK(r.status == 401, "metrics need the token too");
	res_free(&r);
	request_ex(&r, "GET", url, NULL, NULL, good);
	CHECK(r.status == 200, "metrics with the token");
	res_free(&r);
}

/*
 * A unix socket that cannot be opened (its path is a regular file): with unix_optional and a TCP
 * address the server runs on TCP alone and says why; without either it is an error.
 */
static void
test_unix_optional(void)
{
	static const char *const good[] = { "-H", "Authorization: Bearer " TOKEN, NULL };
	struct wr_rest_config cfg = { .unix_path = "plain",
		.tcp_address = "127.0.0.1:0",
		.token = TOKEN,
		.max_body = MAX_BODY };
	struct wr_rest *main_rest = rest, *tcp_only = NULL;
	char url[128];
	struct res r;
	FILE *f = fopen("plain", "w");

	CHECK(f && fclose(f) == 0, "a regular file where the socket would go");
	CHECK(wr_rest_create(&tcp_only, &cfg, NULL, NULL) == -EEXIST && !tcp_only,
		"the socket is required by default");
	cfg.unix_optional = true;
	cfg.tcp_address = NULL;
	CHECK(wr_rest_create(&tcp_only, &cfg, NULL, NULL) == -EEXIST && !tcp_only,
		"unix_optional without TCP: still required");
	cfg.tcp_address = "127.0.0.1:0";
	CHECK(wr_rest_create(&tcp_only, &cfg, NULL, NULL) == 0 && tcp_only, "TCP alone");
	if (!tcp_only)
		goto out;
	CHECK(wr_rest_unix_error(tcp_only) == -EEXIST, "why there is no socket: %d",
		wr_rest_unix_error(tcp_only));
	CHECK(wr_rest_unix_error(main_rest) == 0, "the other server has its socket");
	CHECK(wr_rest_tcp_port(tcp_only) != 0, "a TCP port");
	rest = tcp_only; /* what pump() serves */
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/v1/status", wr_rest_tcp_port(tcp_only));
	request_ex(&r, "GET", url, NULL, NULL, good);
	CHECK(r.status == 200, "TCP answers without the socket: %d", r.status);
	res_free(&r);
	rest = main_rest;
	wr_rest_destroy(tcp_only);
	f = fopen("plain", "r");
	CHECK(f != NULL, "the regular file is left alone");
	if (f)
		fclose(f);
	/* a TCP listener that cannot be had is the error, socket or not */
	cfg.tcp_address = "192.0.2.1:1";
	tcp_only = NULL;
	CHECK(wr_rest_create(&tcp_only, &cfg, NULL, NULL) == -EADDRNOTAVAIL && !tcp_only,
		"an address that is not the host's");
out:
	unlink("plain");
}

/* A marker the client sends beside its token, to tell that the server has read its headers */
#define PROBE "probe-5e1f0c2a9b"

/*
 * Whether @p needle is anywhere in this process's writable memory: heap, stacks, libmicrohttpd's
 * connection pools (not ASan's shadow, terabytes never written). Read through /proc/self/mem,
 * which skips what is not mapped; the buffer is wiped after each piece, so that it never holds
 * a match of its own. The needles are literals, in read-only memory.
 */
static bool
in_memory(const char *needle)
{
	const size_t chunk = 1u << 20, nlen = strlen(needle);
	FILE *maps = fopen("/proc/self/maps", "r");
	int mem = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
	char *buf = malloc(chunk + nlen);
	bool found = false;
	char line[512];

	while (maps && mem >= 0 && buf && !found && fgets(line, sizeof(line), maps)) {
		unsigned long lo, hi, off;
		char perms[5];

		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) != 3 || strncmp(perms, "rw", 2) ||
			hi - lo > (1ul << 30))
			continue;
		for (off = lo; off < hi && !found; off += chunk) {
			size_t n = hi - off < chunk + nlen - 1 ? hi - off : chunk + nlen - 1;
			ssize_t got = pread(mem, buf, n, (off_t)off);

			found = got > 0 && memmem(buf, (size_t)got, needle, nlen);
			wr_wipe(buf, n);
		}
	}
	free(buf);
	if (mem >= 0)
		close(mem);
	if (maps)
		fclose(maps);
	return found;
}

struct auth_arg {
	int go; /* read end: the parent says "go on" */
	uint16_t port;
	const char *url_key;
};

/*
 * Sends a request with the token and half its body, says so, waits, then sends the rest. The
 * request is made here, in the child: the parent never holds "Bearer TOKEN" in writable memory.
 */
static void
auth_client(void *p)
{
	struct auth_arg *a = p;
	struct sockaddr_in sin = { .sin_family = AF_INET,
		.sin_port = htons(a->port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	static const char body[] = "{\"allowed_ips\": [\"198.51.100.77/32\"]}";
	char req[1024], c;
	size_t n, half;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		_exit(2);
	n = (size_t)snprintf(req, sizeof(req),
		"PUT /v1/interfaces/wg1/peers/%s HTTP/1.1\r\nHost: localhost\r\n"
		"Authorization: Bearer " TOKEN "\r\nX-Probe: " PROBE "\r\n"
		"Content-Type: application/json\r\nContent-Length: %zu\r\nConnection: "
		"close\r\n\r\n",
		a->url_key, sizeof(body) - 1);
	half = (sizeof(body) - 1) / 2;
	if (write(fd, req, n) != (ssize_t)n || write(fd, body, half) != (ssize_t)half)
		_exit(3);
	printf("half\n");
	fflush(stdout);
	if (read(a->go, &c, 1) != 1)
		_exit(4);
	if (write(fd, body + half, sizeof(body) - 1 - half) != (ssize_t)(sizeof(body) - 1 - half))
		_exit(5);
	client_finish(fd);
}

/*
 * The bearer token is not left in libmicrohttpd's connection memory once it has been checked,
 * though the request goes on (its body still to come); the request is answered as usual.
 */
static void
test_token_wiped(void)
{
	struct proc client, *cp = &client;
	struct key k;
	int go[2], i;
	bool probe = false;

	make_key(&k, 960);
	if (pipe(go) < 0)
		abort();
	struct auth_arg aa = { go[0], wr_rest_tcp_port(rest), k.url };

	CHECK(!in_memory("Bearer " TOKEN), "no token in memory before the request");
	proc_spawn(&client, NULL, auth_client, &aa);
	close(go[0]);
	CHECK(pump(&cp, 1, "half"), "the client sent its headers");
	/* until the server has read them (the probe beside the token), and a little more */
	for (i = 0; i < 200 && !probe; i++) {
		wr_rest_poll(rest, now_ns());
		probe = in_memory(PROBE);
		if (!probe)
			usleep(10000);
	}
	for (i = 0; i < 5; i++) {
		wr_rest_poll(rest, now_ns());
		usleep(10000);
	}
	CHECK(probe, "the server read the headers (the scan sees its memory)");
	CHECK(!in_memory("Bearer " TOKEN), "the token is wiped once checked");
	if (write(go[1], "g", 1) != 1)
		abort();
	close(go[1]);
	CHECK(pump(&cp, 1, NULL), "the client finished");
	CHECK(client.out && strstr(client.out, "HTTP/1.1 201"), "answered: %s",
		client.out ? client.out : "");
	CHECK(wr_device_lookup_peer(wg1.dev, k.pub), "the request did its work");
	free(client.out);
}

int
main(int argc, char **argv)
{
	struct key own;
	int rc;

	setvbuf(stdout, NULL, _IONBF, 0);
	rc = host_start(argv[0], &own);
	if (rc >= 0)
		return rc;

	test_slow_and_concurrent();
	test_tcp_token();
	test_token_wiped();
	test_unix_optional();

	host_stop();
	printf("%u checks, %u failures\n", checks, failures);
	return failures ? 1 : 0;
}
