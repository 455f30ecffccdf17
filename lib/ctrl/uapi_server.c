/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The UAPI unix socket: non-blocking, serviced from the control loop. Each connection has its
 * own input and output buffers so that a slow or stuck client never blocks the loop; requests
 * are answered one at a time per connection (the next is not read while a reply is pending).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "wr_crypto.h"
#include "wr_uapi.h"

/* read at most this much per connection per poll, so one client cannot hog the loop */
#define READ_BUDGET (1u << 20)
#define LISTEN_TAG UINT64_MAX

struct conn {
	int fd; /* -1: free slot */
	char *in;
	size_t in_len, in_cap;
	size_t scan;  /* bytes of in already searched for the end of the request */
	size_t lines; /* newlines in in[0, scan) */
	char *out;
	size_t out_len, out_off;
	uint64_t last_active;
	uint32_t events; /* what epoll watches for */
	bool eof;
	bool draining; /* answered E2BIG: write the reply, drop the input until EOF */
};

struct wr_uapi_server {
	struct wr_uapi *u;
	struct wr_uapi_server_config cfg;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t st_dev;
	ino_t st_ino;
	int lfd, epfd;
	struct conn *conns;
	unsigned nconns;
	struct wr_uapi_server_stats stats;
};

static bool
valid_ifname(const char *n)
{
	size_t len = strlen(n);

	if (len == 0 || len >= 16 || strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (n[i] == '/' || (unsigned char)n[i] <= 0x20 || (unsigned char)n[i] >= 0x7f)
			return false;
	return true;
}

/* A socket file at @p path: 0 when it is stale (removed), -EADDRINUSE when someone answers. */
static int
clear_stale(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, ret;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	strcpy(sa.sun_path, path);
	ret = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	/* EAGAIN: a live listener with a full backlog */
	if (ret == 0 || errno == EAGAIN || errno == EINPROGRESS)
		ret = -EADDRINUSE;
	else if (errno == ECONNREFUSED)
		ret = unlink(path) < 0 && errno != ENOENT ? -errno : 0;
	else
		ret = -errno;
	close(fd);
	return ret;
}

static void
conn_close(struct wr_uapi_server *s, struct conn *c)
{
	if (c->fd < 0)
		return;
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	/* a set request carries private and preshared keys */
	if (c->in) {
		wr_wipe(c->in, c->in_cap);
		free(c->in);
	}
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	s->nconns--;
}

/*
 * Watch for the socket taking more of a reply (@p want_out), else for input; a draining
 * connection reads all the time, or a client blocked in its write would never read the reply.
 */
static int
conn_watch(struct wr_uapi_server *s, struct conn *c, bool want_out)
{
	struct epoll_event ev = {
		.events = want_out ? EPOLLOUT : EPOLLIN,
		.data.u64 = (uint64_t)(c - s->conns),
	};

	if (c->draining)
		ev.events |= EPOLLIN;
	if (c->events == ev.events)
		return 0;
	if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
		return -errno;
	c->events = ev.events;
	return 0;
}

static void
accept_all(struct wr_uapi_server *s, uint64_t now)
{
	for (;;) {
		int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct epoll_event ev = { .events = EPOLLIN };
		struct conn *c = NULL, *drainer = NULL;

		if (fd < 0)
			return; /* EAGAIN, or a transient error: try again next poll */
		for (unsigned i = 0; i < s->cfg.max_clients; i++) {
			if (s->conns[i].fd < 0) {
				c = &s->conns[i];
				break;
			}
			if (s->conns[i].draining && !s->conns[i].out)
				drainer = &s->conns[i];
		}
		/* a refused client has its answer: it waits on nothing a new one should wait for */
		if (!c && drainer) {
			conn_close(s, drainer);
			c = drainer;
		}
		ev.data.u64 = c ? (uint64_t)(c - s->conns) : 0;
		if (!c || epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			s->stats.refused++;
			continue;
		}
		memset(c, 0, sizeof(*c));
		c->fd = fd;
		c->events = EPOLLIN;
		c->last_active = now;
		s->nconns++;
		s->stats.accepted++;
	}
}

/* Read what is available. Returns false when the connection was closed. */
static bool
conn_read(struct wr_uapi_server *s, struct conn *c, uint64_t now)
{
	size_t budget = READ_BUDGET;

	while (!c->eof && budget > 0) {
		ssize_t n;

		if (c->in_len == c->in_cap) {
			/* one byte over the bound is enough to know a request is too long */
			size_t cap = c->in_cap ? c->in_cap * 2 : 4096;
			char *p;

			if (cap > s->cfg.max_request + 1)
				cap = s->cfg.max_request + 1;
			if (c->in_cap >= cap)
				break; /* full: conn_serve() answers what is complete, or closes */
			/* not realloc: the old buffer may hold keys and must be wiped */
			p = malloc(cap);
			if (!p) {
				conn_close(s, c);
				return false;
			}
			if (c->in) {
				memcpy(p, c->in, c->in_len);
				wr_wipe(c->in, c->in_cap);
				free(c->in);
			}
			c->in = p;
			c->in_cap = cap;
		}
		n = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			conn_close(s, c);
			return false;
		}
		if (n == 0) {
			c->eof = true;
			break;
		}
		c->in_len += (size_t)n;
		budget = (size_t)n < budget ? budget - (size_t)n : 0;
		c->last_active = now;
	}
	return true;
}

/* Write what the socket takes. Returns false when the connection was closed. */
static bool
conn_write(struct wr_uapi_server *s, struct conn *c, uint64_t now)
{
	while (c->out && c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return conn_watch(s, c, true) == 0 || (conn_close(s, c), false);
			conn_close(s, c);
			return false;
		}
		c->out_off += (size_t)n;
		c->last_active = now;
	}
	free(c->out);
	c->out = NULL;
	c->out_len = c->out_off = 0;
	/* the refusal is all it gets: the client reads it, then EOF */
	if (c->draining)
		shutdown(c->fd, SHUT_WR);
	if (conn_watch(s, c, false) < 0) {
		conn_close(s, c);
		return false;
	}
	return true;
}

/*
 * Read and drop what a refused client still sends, however much: wg sends its whole request
 * before it reads the reply. No bound but READ_BUDGET a poll: a client that never stops gives
 * its slot away (accept_all()).
 */
static bool
conn_drain(struct wr_uapi_server *s, struct conn *c, uint64_t now)
{
	size_t budget = READ_BUDGET;

	while (budget > 0) {
		ssize_t n = read(c->fd, c->in, c->in_cap);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return true;
		if (n <= 0) {
			conn_close(s, c);
			return false;
		}
		wr_wipe(c->in, (size_t)n);
		c->last_active = now;
		budget = (size_t)n < budget ? budget - (size_t)n : 0;
	}
	return true;
}

/*
 * A request over the bounds: answer E2BIG and drain (conn_drain()). Only one whose first line is
 * a get or set gets an answer: one without a line in max_request bytes is neither.
 */
static void
conn_refuse(struct wr_uapi_server *s, struct conn *c, uint64_t now)
{
	char *resp;
	size_t resp_len;
	bool set;

	if (c->lines == 0) {
		s->stats.protocol++;
		conn_close(s, c);
		return;
	}
	/* the first line was checked when its newline came (conn_serve()) */
	set = memcmp(c->in, "set=1", 5) == 0;
	s->stats.oversized++;
	wr_wipe(c->in, c->in_cap);
	c->in_len = c->scan = c->lines = 0;
	if (wr_uapi_refuse_oversized(
		    s->u, set, s->cfg.max_request, s->cfg.max_lines, &resp, &resp_len) < 0) {
		conn_close(s, c);
		return;
	}
	c->draining = true;
	c->out = resp;
	c->out_len = resp_len;
	c->out_off = 0;
	if (conn_write(s, c, now))
		conn_drain(s, c, now);
}

/*
 * Answer the complete requests in the input, one at a time while replies leave at once.
 * Returns the number answered; closes the connection on a request that is not a get or set,
 * answers one over the bounds E2BIG (conn_refuse()).
 */
static int
conn_serve(struct wr_uapi_server *s, struct conn *c, uint64_t now)
{
	int answered = 0;

	while (c->fd >= 0 && !c->out) {
		size_t end = 0;
		bool found = false;
		char *resp;
		size_t resp_len;
		int ret;

		/* the end of a request is its first blank line: "\n\n" */
		for (; c->scan < c->in_len; c->scan++) {
			if (c->in[c->scan] != '\n')
				continue;
			c->lines++;
			if (c->lines == 1 &&
				!(c->scan == 5 && (memcmp(c->in, "get=1", 5) == 0 ||
							  memcmp(c->in, "set=1", 5) == 0))) {
				/* not a get or set: drop it as soon as the first line says so */
				s->stats.protocol++;
				conn_close(s, c);
				return answered;
			}
			if (c->scan > 0 && c->in[c->scan - 1] == '\n') {
				end = ++c->scan;
				found = true;
				break;
			}
		}
		if (!found) {
			if (c->in_len > s->cfg.max_request || c->lines > s->cfg.max_lines) {
				conn_refuse(s, c, now);
			} else if (c->eof) {
				if (c->in_len > 0)
					s->stats.protocol++;
				conn_close(s, c);
			}
			return answered;
		}
		if (end > s->cfg.max_request || c->lines > s->cfg.max_lines) {
			conn_refuse(s, c, now);
			return answered;
		}

		ret = wr_uapi_handle(s->u, c->in, end, &resp, &resp_len, now);
		wr_wipe(c->in, end);
		memmove(c->in, c->in + end, c->in_len - end);
		c->in_len -= end;
		wr_wipe(c->in + c->in_len, end);
		c->scan = 0;
		c->lines = 0;
		if (ret < 0) {
			if (ret == -EPROTO)
				s->stats.protocol++;
			conn_close(s, c);
			return answered;
		}
		answered++;
		c->out = resp;
		c->out_len = resp_len;
		c->out_off = 0;
		if (!conn_write(s, c, now))
			return answered;
	}
	return answered;
}

void
wr_uapi_server_config_for_peers(struct wr_uapi_server_config *cfg, size_t max_peers)
{
	size_t bytes = WR_UAPI_MAX_REQUEST_CAP, lines = WR_UAPI_MAX_LINES_CAP;

	/* the device's own lines (private_key, listen_port, ...) fit in what the minimum leaves */
	if (max_peers < WR_UAPI_MAX_REQUEST_CAP / WR_UAPI_PEER_BYTES)
		bytes = max_peers * WR_UAPI_PEER_BYTES;
	if (max_peers < WR_UAPI_MAX_LINES_CAP / WR_UAPI_PEER_LINES)
		lines = max_peers * WR_UAPI_PEER_LINES;
	cfg->max_request = bytes > WR_UAPI_MAX_REQUEST ? bytes : WR_UAPI_MAX_REQUEST;
	cfg->max_lines = lines > WR_UAPI_MAX_LINES ? lines : WR_UAPI_MAX_LINES;
}

int
wr_uapi_server_open(struct wr_uapi_server **out, const char *ifname, struct wr_uapi *u,
	const struct wr_uapi_server_config *cfg)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = LISTEN_TAG };
	struct wr_uapi_server *s;
	struct stat st;
	int ret, n;

	*out = NULL;
	if (!ifname || !u || !valid_ifname(ifname))
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->u = u;
	s->lfd = s->epfd = -1;
	if (cfg)
		s->cfg = *cfg;
	if (!s->cfg.dir)
		s->cfg.dir = WR_UAPI_SOCKET_DIR;
	if (!s->cfg.max_request)
		s->cfg.max_request = WR_UAPI_MAX_REQUEST;
	if (!s->cfg.max_lines)
		s->cfg.max_lines = WR_UAPI_MAX_LINES;
	if (!s->cfg.max_clients)
		s->cfg.max_clients = WR_UAPI_MAX_CLIENTS;
	if (!s->cfg.idle_timeout)
		s->cfg.idle_timeout = WR_UAPI_IDLE_TIMEOUT;
	s->cfg.dir = NULL; /* not kept: the caller's string */

	n = snprintf(s->path, sizeof(s->path), "%s/%s.sock",
		cfg && cfg->dir ? cfg->dir : WR_UAPI_SOCKET_DIR, ifname);
	if (n < 0 || (size_t)n >= sizeof(s->path)) {
		ret = -ENAMETOOLONG;
		goto err_free;
	}
	s->conns = calloc(s->cfg.max_clients, sizeof(*s->conns));
	if (!s->conns) {
		ret = -ENOMEM;
		goto err_free;
	}
	for (unsigned i = 0; i < s->cfg.max_clients; i++)
		s->conns[i].fd = -1;

	if (mkdir(cfg && cfg->dir ? cfg->dir : WR_UAPI_SOCKET_DIR, 0755) < 0 && errno != EEXIST) {
		ret = -errno;
		goto err_free;
	}
	ret = clear_stale(s->path);
	if (ret < 0)
		goto err_free;

	s->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->lfd < 0) {
		ret = -errno;
		goto err_free;
	}
	strcpy(sa.sun_path, s->path);
	if (bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		goto err_close;
	}
	/* before listen(): nobody can connect while the mode is still the umask's */
	if (chmod(s->path, 0600) < 0 || lstat(s->path, &st) < 0) {
		ret = -errno;
		goto err_unlink;
	}
	s->st_dev = st.st_dev;
	s->st_ino = st.st_ino;
	if (listen(s->lfd, 16) < 0) {
		ret = -errno;
		goto err_unlink;
	}
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0 || epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->lfd, &ev) < 0) {
		ret = -errno;
		goto err_epoll;
	}
	*out = s;
	return 0;

err_epoll:
	if (s->epfd >= 0)
		close(s->epfd);
err_unlink:
	unlink(s->path);
err_close:
	close(s->lfd);
err_free:
	free(s->conns);
	free(s);
	return ret;
}

int
wr_uapi_server_fd(const struct wr_uapi_server *s)
{
	return s->epfd;
}

int
wr_uapi_server_poll(struct wr_uapi_server *s, uint64_t now)
{
	struct epoll_event evs[32];
	int answered = 0, n;

	n = epoll_wait(s->epfd, evs, 32, 0);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		struct conn *c;

		if (evs[i].data.u64 == LISTEN_TAG) {
			accept_all(s, now);
			continue;
		}
		c = &s->conns[evs[i].data.u64];
		if (c->fd < 0)
			continue;
		if (c->draining) {
			if (!c->out || conn_write(s, c, now))
				conn_drain(s, c, now);
			continue;
		}
		if (c->out) {
			if (!conn_write(s, c, now))
				continue;
		} else if (!conn_read(s, c, now)) {
			continue;
		}
		answered += conn_serve(s, c, now);
	}
	for (unsigned i = 0; i < s->cfg.max_clients; i++) {
		struct conn *c = &s->conns[i];

		if (c->fd >= 0 && now > c->last_active &&
			now - c->last_active > s->cfg.idle_timeout) {
			s->stats.timeouts++;
			conn_close(s, c);
		}
	}
	return answered;
}

void
wr_uapi_server_get_stats(const struct wr_uapi_server *s, struct wr_uapi_server_stats *st)
{
	*st = s->stats;
}

void
wr_uapi_server_close(struct wr_uapi_server *s)
{
	struct stat st;

	if (!s)
		return;
	for (unsigned i = 0; i < s->cfg.max_clients; i++)
		conn_close(s, &s->conns[i]);
	/* only our own file: a later server may have replaced it */
	if (lstat(s->path, &st) == 0 && st.st_dev == s->st_dev && st.st_ino == s->st_ino)
		unlink(s->path);
	close(s->lfd);
	close(s->epfd);
	free(s->conns);
	free(s);
}
