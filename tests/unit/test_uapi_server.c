/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The UAPI unix socket server in a temporary directory: partial and pipelined requests, several
 * clients, a client that never reads a large reply, request size and line bounds, unknown
 * operations, EOF inside a request, idle timeout, too many clients, stale and live socket files,
 * a regular file in the way, the socket's mode, and its removal on close.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "wr_crypto.h"
#include "wr_uapi.h"
#include "uapi_harness.h"

/* ---- the server ---- */

static char tmpdir[64];

static int
connect_to(const char *ifname)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s.sock", tmpdir, ifname);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		printf("connect %s: %s\n", sa.sun_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

static void
send_str(int fd, const char *s)
{
	size_t len = strlen(s), off = 0;

	while (off < len) {
		ssize_t n = write(fd, s + off, len - off);

		if (n < 0) {
			if (errno == EAGAIN)
				continue;
			return;
		}
		off += (size_t)n;
	}
}

/*
 * Poll the server and read @p fd until @p nreplies replies ("...errno=N\n\n") arrived, or EOF.
 * Returns the malloc'd text; *@p eof tells whether the server closed the connection.
 */
static char *
read_replies(struct wr_uapi_server *s, int fd, unsigned nreplies, uint64_t now, bool *eof)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);

	*eof = false;
	buf[0] = '\0';
	for (unsigned iter = 0; iter < 200000; iter++) {
		unsigned got = 0;
		ssize_t n;

		wr_uapi_server_poll(s, now);
		for (;;) {
			if (len + 4096 + 1 > cap)
				buf = realloc(buf, cap *= 2);
			n = read(fd, buf + len, cap - len - 1);
			if (n <= 0)
				break;
			len += (size_t)n;
		}
		buf[len] = '\0';
		if (n == 0 || (n < 0 && errno != EAGAIN)) {
			*eof = true;
			return buf;
		}
		for (char *p = buf; (p = strstr(p, "errno=")); p++) {
			char *e = strstr(p, "\n\n");

			if (e)
				got++;
		}
		if (got >= nreplies)
			return buf;
	}
	return buf;
}

/* True when the server closed @p fd's connection (after polling it a few times). */
static bool
closed_by_server(struct wr_uapi_server *s, int fd, uint64_t now)
{
	bool eof;
	char *r = read_replies(s, fd, 1000, now, &eof);

	free(r);
	return eof;
}

static void
test_server(void)
{
	struct wr_uapi_server_config cfg = { .dir = tmpdir,
		.max_request = 4096,
		.max_lines = 20,
		.max_clients = 3,
		.idle_timeout = 10 * WR_NSEC_PER_SEC };
	struct wr_uapi_server *s = NULL, *s2 = NULL;
	struct wr_uapi_server_stats st;
	struct host h;
	char path[128], *r, *want;
	struct stat sb;
	bool eof;
	int a, b, c, d, ret;

	printf("uapi_server: server\n");
	host_init(&h);
	snprintf(path, sizeof(path), "%s/wrt0.sock", tmpdir);

	CHECK(wr_uapi_server_open(&s, "a/b", h.u, &cfg) == -EINVAL, "slash name");
	CHECK(wr_uapi_server_open(&s, "", h.u, &cfg) == -EINVAL, "empty name");
	CHECK(wr_uapi_server_open(&s, "0123456789abcdef", h.u, &cfg) == -EINVAL, "long name");
	CHECK(wr_uapi_server_open(&s, "..", h.u, &cfg) == -EINVAL, "dot-dot name");

	ret = wr_uapi_server_open(&s, "wrt0", h.u, &cfg);
	CHECK(ret == 0 && s, "open: %d", ret);
	if (!s)
		goto out;
	CHECK(lstat(path, &sb) == 0 && S_ISSOCK(sb.st_mode) && (sb.st_mode & 07777) == 0600,
		"socket mode %o", sb.st_mode);
	CHECK(wr_uapi_server_open(&s2, "wrt0", h.u, &cfg) == -EADDRINUSE, "live socket replaced");

	/* a request in three pieces, polled in between */
	a = connect_to("wrt0");
	send_str(a, "ge");
	wr_uapi_server_poll(s, 0);
	send_str(a, "t=1\n");
	wr_uapi_server_poll(s, 0);
	send_str(a, "\n");
	r = read_replies(s, a, 1, 0, &eof);
	CHECK(strcmp(r, "listen_port=51820\nerrno=0\n\n") == 0, "split get: %s", r);
	free(r);

	/* pipelined: a set and a get in one write, answered in order on one connection */
	want = fmt("set=1\npublic_key=%s\nallowed_ip=10.0.0.0/8\n\nget=1\n\n", khex(1, false));
	send_str(a, want);
	free(want);
	r = read_replies(s, a, 2, 0, &eof);
	CHECK(strncmp(r, "errno=0\n\nlisten_port=51820\npublic_key=", 38) == 0 &&
			strstr(r, "allowed_ip=10.0.0.0/8\nerrno=0\n\n"),
		"pipelined: %s", r);
	free(r);

	/* an invalid set over the socket: negative errno, nothing applied */
	send_str(a, "set=1\npublic_key=00\n\n");
	r = read_replies(s, a, 1, 0, &eof);
	CHECK(strcmp(r, "errno=-22\n\n") == 0 && wr_device_peer_count(h.dev) == 1, "bad set: %s",
		r);
	free(r);

	/* two clients: one half-way through a set, the other served meanwhile */
	b = connect_to("wrt0");
	want = fmt("set=1\npublic_key=%s\n", khex(2, false));
	send_str(b, want);
	free(want);
	wr_uapi_server_poll(s, 0);
	send_str(a, "get=1\n\n");
	r = read_replies(s, a, 1, 0, &eof);
	CHECK(strstr(r, "errno=0\n\n") && !strstr(r, khex(2, false)), "interleaved get: %s", r);
	free(r);
	send_str(b, "allowed_ip=10.2.0.0/16\n\n");
	r = read_replies(s, b, 1, 0, &eof);
	CHECK(strcmp(r, "errno=0\n\n") == 0 && peer_n(&h, 2), "interleaved set: %s", r);
	free(r);

	/* max_clients = 3: a fourth connection is closed at once */
	c = connect_to("wrt0");
	d = connect_to("wrt0");
	CHECK(closed_by_server(s, d, 0), "fourth client kept");
	close(d);

	/* a request over max_request, or with too many lines, closes the connection */
	{
		char big[5000];

		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		memcpy(big, "set=1\nfoo=", 10);
		send_str(c, big);
		CHECK(closed_by_server(s, c, 0), "oversized request kept");
		close(c);
		c = connect_to("wrt0");
		send_str(c, "set=1\n");
		for (int i = 0; i < 25; i++)
			send_str(c, "fwmark=0\n");
		CHECK(closed_by_server(s, c, 0), "too many lines kept");
		close(c);
	}

	/* not a get or set: closed without a reply */
	c = connect_to("wrt0");
	send_str(c, "hello=1\n");
	CHECK(closed_by_server(s, c, 0), "unknown op kept");
	close(c);

	/* EOF inside a request: closed, nothing applied */
	c = connect_to("wrt0");
	want = fmt("set=1\npublic_key=%s\n", khex(3, false));
	send_str(c, want);
	free(want);
	shutdown(c, SHUT_WR);
	CHECK(closed_by_server(s, c, 0) && !peer_n(&h, 3), "EOF inside a request");
	close(c);

	/* idle connections are closed once the clock passes the limit */
	c = connect_to("wrt0");
	wr_uapi_server_poll(s, 1 * WR_NSEC_PER_SEC);
	send_str(c, "get");
	wr_uapi_server_poll(s, 5 * WR_NSEC_PER_SEC);
	CHECK(!closed_by_server(s, c, 12 * WR_NSEC_PER_SEC), "closed while making progress");
	CHECK(closed_by_server(s, c, 30 * WR_NSEC_PER_SEC), "idle client kept");
	close(c);
	close(b);
	close(a);

	wr_uapi_server_get_stats(s, &st);
	CHECK(st.refused == 1 && st.oversized == 2 && st.protocol == 2 && st.timeouts >= 1,
		"stats refused %llu oversized %llu protocol %llu timeouts %llu",
		(unsigned long long)st.refused, (unsigned long long)st.oversized,
		(unsigned long long)st.protocol, (unsigned long long)st.timeouts);

	wr_uapi_server_close(s);
	s = NULL;
	CHECK(lstat(path, &sb) < 0 && errno == ENOENT, "socket file left behind");

	/* a stale socket file (nobody listening) is replaced */
	{
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);

		strcpy(sa.sun_path, path);
		CHECK(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "bind stale");
		close(fd);
		CHECK(wr_uapi_server_open(&s, "wrt0", h.u, &cfg) == 0, "stale socket not replaced");
		wr_uapi_server_close(s);
		s = NULL;
	}
	/* a regular file is not ours to remove */
	{
		int fd = open(path, O_CREAT | O_WRONLY, 0600);

		close(fd);
		CHECK(wr_uapi_server_open(&s, "wrt0", h.u, &cfg) == -EEXIST,
			"regular file replaced");
		CHECK(lstat(path, &sb) == 0 && S_ISREG(sb.st_mode), "regular file removed");
		unlink(path);
	}
out:
	wr_uapi_server_close(s);
	host_fini(&h);
}

/* Two pipelined requests, each under max_request, together over it: both are answered. */
static void
test_server_pipelined_bound(void)
{
	struct wr_uapi_server_config cfg = { .dir = tmpdir, .max_request = 4096 };
	struct wr_uapi_server *s = NULL;
	struct host h;
	char *req, *r;
	size_t len = 0;
	bool eof;
	int fd;

	printf("uapi_server: pipelined requests over the bound together\n");
	host_init(&h);
	if (wr_uapi_server_open(&s, "wrt2", h.u, &cfg) != 0) {
		CHECK(false, "open");
		host_fini(&h);
		return;
	}
	req = malloc(16384);
	for (unsigned k = 0; k < 2; k++) {
		len += (size_t)sprintf(req + len, "set=1\n");
		for (unsigned i = 0; i < 40; i++)
			len += (size_t)sprintf(
				req + len, "public_key=%s\nremove=true\n", khex(100 + i, false));
		len += (size_t)sprintf(req + len, "\n");
	}
	CHECK(len > 2 * 3500 && len / 2 < 4096, "request sizes %zu", len);
	fd = connect_to("wrt2");
	send_str(fd, req);
	r = read_replies(s, fd, 2, 0, &eof);
	CHECK(strcmp(r, "errno=0\n\nerrno=0\n\n") == 0 && !eof, "replies: %s", r);
	free(r);
	free(req);
	close(fd);
	wr_uapi_server_close(s);
	host_fini(&h);
}

/* A client that never reads a large reply stalls only itself. */
static void
test_server_slow_client(void)
{
	struct wr_uapi_server_config cfg = { .dir = tmpdir };
	struct wr_uapi_server *s = NULL;
	struct host h;
	char *full, *r;
	bool eof;
	int slow, fast;

	printf("uapi_server: server: a client that does not read\n");
	host_init(&h);
	for (unsigned i = 0; i < 3000; i++) {
		uint8_t pub[WR_KEY_LEN] = { 0 };
		struct wr_peer *p;
		uint8_t a4[4] = { 10, (uint8_t)(i >> 8), (uint8_t)i, 0 };

		memcpy(pub, &i, sizeof(i));
		pub[31] = 0x42;
		p = wr_device_add_peer(h.dev, pub, NULL);
		if (p)
			wr_peer_add_allowedip(p, AF_INET, a4, 24);
	}
	if (wr_uapi_server_open(&s, "wrt1", h.u, &cfg) != 0) {
		CHECK(false, "open");
		host_fini(&h);
		return;
	}
	CHECK(call(&h, "get=1\n\n", &full) == 0 && strlen(full) > 600000, "big get %zu",
		full ? strlen(full) : 0);

	slow = connect_to("wrt1");
	send_str(slow, "get=1\n\n");
	for (int i = 0; i < 50; i++)
		wr_uapi_server_poll(s, 0);
	fast = connect_to("wrt1");
	send_str(fast, "get=1\n\n");
	r = read_replies(s, fast, 1, 0, &eof);
	CHECK(full && strcmp(r, full) == 0, "fast client reply (%zu bytes)", strlen(r));
	free(r);
	r = read_replies(s, slow, 1, 0, &eof);
	CHECK(full && strcmp(r, full) == 0, "slow client reply (%zu bytes)", strlen(r));
	free(r);
	free(full);
	close(slow);
	close(fast);
	wr_uapi_server_close(s);
	host_fini(&h);
}

int
main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/wr_uapi_test.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_server();
	test_server_pipelined_bound();
	test_server_slow_client();
	rmdir(tmpdir);
	printf("uapi_server: %u checks, %u failures\n", checks, failures);
	return failures ? 1 : 0;
}
