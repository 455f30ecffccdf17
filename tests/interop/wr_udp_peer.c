/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wr_udp_peer: the protocol engine (wr_device.h) over one plain UDP socket, for interop tests
 * against wireguard-go. There is no TUN device: inner packets the engine delivers are inspected
 * here; ICMP and ICMPv6 echo requests to our tunnel addresses are answered by building the reply
 * in this program, and it can send echo requests of its own (--ping). Everything that happens is
 * printed on stdout, one "event key=value..." line each, for the test scripts to check.
 *
 * --time-scale N runs the engine's monotonic clock N times faster than real time, so that the
 * protocol's own constants (REKEY_AFTER_TIME etc.) elapse in seconds; the wall clock handed to
 * the engine for TAI64N timestamps stays the real one, as the peer checks those against its own.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "wr_base64.h"
#include "wr_crypto.h"
#include "wr_device.h"

#define MAX_ADDRS 8
#define MAX_PENDING 64
#define PKT_MAX 2048
#define PING_PAYLOAD 56

static const char *const drop_names[WR_DROP_COUNT] = { "NONE",
#define DROP_NAME_(name, text) #name,
	WR_DROP_REASONS(DROP_NAME_)
#undef DROP_NAME_
};

struct tun_addr {
	int family;
	uint8_t addr[16];
};

struct pending {
	size_t len;
	uint8_t buf[PKT_MAX];
};

struct udp_peer {
	struct wr_device *dev;
	struct wr_peer *peer;
	int fd;
	int sock_family;
	double time_scale;
	uint64_t mono0;

	struct tun_addr addrs[MAX_ADDRS];
	unsigned int n_addrs;

	struct tun_addr ping_dst;
	bool pinging;
	unsigned int ping_count; /* 0: until the end */
	unsigned int ping_sent;
	unsigned int ping_replies;
	uint64_t ping_interval_ns; /* real time */
	uint64_t next_ping;        /* real monotonic ns */
	uint16_t ping_id;

	bool under_load;

	unsigned int exit_handshakes;
	unsigned int exit_replies;
	unsigned int exit_echoes;
	unsigned int echoes_answered;
	uint64_t handshakes;

	/* replies built inside ops->deliver, sent once wr_device_receive() returned: a callback
	 * must not call back into the device */
	struct pending pending[MAX_PENDING];
	unsigned int n_pending;
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	stop = sig;
}

static uint64_t
clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * WR_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* The engine's clock: real monotonic time since start, stretched by --time-scale. */
static uint64_t
engine_now(const struct udp_peer *up)
{
	uint64_t real = clock_ns(CLOCK_MONOTONIC) - up->mono0;

	return up->mono0 + (uint64_t)((double)real * up->time_scale);
}

static const char *
addr_str(int family, const void *addr, char *buf, size_t len)
{
	if (!inet_ntop(family, addr, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

static void
print_key(const char *what, const uint8_t key[WR_KEY_LEN])
{
	char b64[WR_BASE64_KEY_LEN + 1];

	wr_base64_key_encode(b64, key);
	printf("%s %s\n", what, b64);
}

/* ---- checksums (RFC 1071) ---- */

static uint32_t
csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t
csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void
put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static uint16_t
get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* ICMPv6 checksum: over the pseudo-header (RFC 8200 section 8.1) and the message. */
static uint16_t
icmp6_csum(const uint8_t *ip6, const uint8_t *icmp, size_t len)
{
	uint8_t tail[8] = { 0 };
	uint32_t sum;

	sum = csum_add(0, ip6 + 8, 32); /* source and destination */
	tail[0] = (uint8_t)(len >> 24);
	tail[1] = (uint8_t)(len >> 16);
	tail[2] = (uint8_t)(len >> 8);
	tail[3] = (uint8_t)len;
	tail[7] = IPPROTO_ICMPV6;
	sum = csum_add(sum, tail, sizeof(tail));
	return csum_fold(csum_add(sum, icmp, len));
}

/* ---- inner packets ---- */

static bool
is_our_addr(const struct udp_peer *up, int family, const uint8_t *addr)
{
	unsigned int i;

	if (!up->n_addrs)
		return true;
	for (i = 0; i < up->n_addrs; i++) {
		if (up->addrs[i].family == family &&
			!memcmp(up->addrs[i].addr, addr, family == AF_INET ? 4 : 16))
			return true;
	}
	return false;
}

static const struct tun_addr *
our_addr(const struct udp_peer *up, int family)
{
	unsigned int i;

	for (i = 0; i < up->n_addrs; i++)
		if (up->addrs[i].family == family)
			return &up->addrs[i];
	return NULL;
}

static struct pending *
pending_slot(struct udp_peer *up)
{
	if (up->n_pending == MAX_PENDING) {
		printf("warning pending-replies-full\n");
		return NULL;
	}
	return &up->pending[up->n_pending++];
}

/* An IPv4 echo request (already checked: ICMP, type 8, to us) becomes our echo reply. */
static void
answer_echo4(struct udp_peer *up, const uint8_t *pkt, size_t len, size_t ihl)
{
	struct pending *p = pending_slot(up);
	uint8_t *r, tmp[4];

	if (!p)
		return;
	memcpy(p->buf, pkt, len);
	p->len = len;
	r = p->buf;
	memcpy(tmp, r + 12, 4);
	memcpy(r + 12, r + 16, 4);
	memcpy(r + 16, tmp, 4);
	r[8] = 64; /* TTL */
	r[10] = r[11] = 0;
	put_be16(r + 10, csum_fold(csum_add(0, r, ihl)));
	r[ihl] = 0; /* echo reply */
	r[ihl + 2] = r[ihl + 3] = 0;
	put_be16(r + ihl + 2, csum_fold(csum_add(0, r + ihl, len - ihl)));
}

static void
answer_echo6(struct udp_peer *up, const uint8_t *pkt, size_t len)
{
	struct pending *p = pending_slot(up);
	uint8_t *r, tmp[16];

	if (!p)
		return;
	memcpy(p->buf, pkt, len);
	p->len = len;
	r = p->buf;
	memcpy(tmp, r + 8, 16);
	memcpy(r + 8, r + 24, 16);
	memcpy(r + 24, tmp, 16);
	r[7] = 64;   /* hop limit */
	r[40] = 129; /* echo reply */
	r[42] = r[43] = 0;
	put_be16(r + 42, icmp6_csum(r, r + 40, len - 40));
}

static void
handle_inner4(struct udp_peer *up, const uint8_t *pkt, size_t len)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	size_t ihl, tot;
	const uint8_t *icmp;

	if (len < 20 || (ihl = (size_t)(pkt[0] & 0xf) * 4) < 20 || ihl > len) {
		printf("rx-packet bad-ipv4 len=%zu\n", len);
		return;
	}
	tot = get_be16(pkt + 2);
	if (tot < ihl || tot > len) {
		printf("rx-packet bad-ipv4-length len=%zu total=%zu\n", len, tot);
		return;
	}
	len = tot; /* drop WireGuard's padding */
	addr_str(AF_INET, pkt + 12, s, sizeof(s));
	addr_str(AF_INET, pkt + 16, d, sizeof(d));
	printf("rx-packet family=4 src=%s dst=%s proto=%u len=%zu\n", s, d, pkt[9], len);
	if (pkt[9] != IPPROTO_ICMP || len - ihl < 8)
		return;
	icmp = pkt + ihl;
	if (csum_fold(csum_add(0, icmp, len - ihl)) != 0) {
		printf("rx-icmp bad-checksum family=4 src=%s\n", s);
		return;
	}
	if (icmp[0] == 8 && is_our_addr(up, AF_INET, pkt + 16)) {
		printf("echo-request family=4 src=%s dst=%s id=%u seq=%u\n", s, d,
			get_be16(icmp + 4), get_be16(icmp + 6));
		answer_echo4(up, pkt, len, ihl);
	} else if (icmp[0] == 0 && get_be16(icmp + 4) == up->ping_id) {
		up->ping_replies++;
		printf("ping-reply family=4 src=%s seq=%u replies=%u\n", s, get_be16(icmp + 6),
			up->ping_replies);
	}
}

static void
handle_inner6(struct udp_peer *up, const uint8_t *pkt, size_t len)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	size_t plen;
	const uint8_t *icmp;

	if (len < 40) {
		printf("rx-packet bad-ipv6 len=%zu\n", len);
		return;
	}
	plen = get_be16(pkt + 4);
	if (40 + plen > len) {
		printf("rx-packet bad-ipv6-length len=%zu payload=%zu\n", len, plen);
		return;
	}
	len = 40 + plen;
	addr_str(AF_INET6, pkt + 8, s, sizeof(s));
	addr_str(AF_INET6, pkt + 24, d, sizeof(d));
	printf("rx-packet family=6 src=%s dst=%s proto=%u len=%zu\n", s, d, pkt[6], len);
	/* no extension headers are expected from ping */
	if (pkt[6] != IPPROTO_ICMPV6 || plen < 8)
		return;
	icmp = pkt + 40;
	if (icmp6_csum(pkt, icmp, plen) != 0) {
		printf("rx-icmp bad-checksum family=6 src=%s\n", s);
		return;
	}
	if (icmp[0] == 128 && is_our_addr(up, AF_INET6, pkt + 24)) {
		printf("echo-request family=6 src=%s dst=%s id=%u seq=%u\n", s, d,
			get_be16(icmp + 4), get_be16(icmp + 6));
		answer_echo6(up, pkt, len);
	} else if (icmp[0] == 129 && get_be16(icmp + 4) == up->ping_id) {
		up->ping_replies++;
		printf("ping-reply family=6 src=%s seq=%u replies=%u\n", s, get_be16(icmp + 6),
			up->ping_replies);
	}
}

/* Build our own echo request to --ping's address. */
static size_t
build_ping(const struct udp_peer *up, uint8_t *buf, uint16_t seq)
{
	const struct tun_addr *src = our_addr(up, up->ping_dst.family);
	uint8_t *icmp;
	size_t i, len;

	if (up->ping_dst.family == AF_INET) {
		len = 20 + 8 + PING_PAYLOAD;
		memset(buf, 0, len);
		buf[0] = 0x45;
		put_be16(buf + 2, (uint16_t)len);
		put_be16(buf + 4, seq); /* identification */
		buf[6] = 0x40;          /* DF */
		buf[8] = 64;
		buf[9] = IPPROTO_ICMP;
		memcpy(buf + 12, src->addr, 4);
		memcpy(buf + 16, up->ping_dst.addr, 4);
		put_be16(buf + 10, csum_fold(csum_add(0, buf, 20)));
		icmp = buf + 20;
		icmp[0] = 8;
	} else {
		len = 40 + 8 + PING_PAYLOAD;
		memset(buf, 0, len);
		buf[0] = 0x60;
		put_be16(buf + 4, 8 + PING_PAYLOAD);
		buf[6] = IPPROTO_ICMPV6;
		buf[7] = 64;
		memcpy(buf + 8, src->addr, 16);
		memcpy(buf + 24, up->ping_dst.addr, 16);
		icmp = buf + 40;
		icmp[0] = 128;
	}
	put_be16(icmp + 4, up->ping_id);
	put_be16(icmp + 6, seq);
	for (i = 0; i < PING_PAYLOAD; i++)
		icmp[8 + i] = (uint8_t)i;
	if (up->ping_dst.family == AF_INET)
		put_be16(icmp + 2, csum_fold(csum_add(0, icmp, 8 + PING_PAYLOAD)));
	else
		put_be16(icmp + 2, icmp6_csum(buf, icmp, 8 + PING_PAYLOAD));
	return len;
}

/* ---- engine callbacks ---- */

/* The socket may be an IPv6 one taking IPv4 too: map IPv4 endpoints into it. */
static socklen_t
to_sockaddr(const struct udp_peer *up, const struct wr_endpoint *ep, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (ep->sa.sa_family == AF_INET && up->sock_family == AF_INET6) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = ep->in4.sin_port;
		s6->sin6_addr.s6_addr[10] = 0xff;
		s6->sin6_addr.s6_addr[11] = 0xff;
		memcpy(&s6->sin6_addr.s6_addr[12], &ep->in4.sin_addr, 4);
		return sizeof(*s6);
	}
	if (ep->sa.sa_family == AF_INET) {
		memcpy(ss, &ep->in4, sizeof(ep->in4));
		return sizeof(ep->in4);
	}
	memcpy(ss, &ep->in6, sizeof(ep->in6));
	return sizeof(ep->in6);
}

static void
from_sockaddr(const struct sockaddr_storage *ss, struct wr_endpoint *ep)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

	memset(ep, 0, sizeof(*ep));
	if (ss->ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		ep->in4.sin_family = AF_INET;
		ep->in4.sin_port = s6->sin6_port;
		memcpy(&ep->in4.sin_addr, &s6->sin6_addr.s6_addr[12], 4);
	} else if (ss->ss_family == AF_INET6) {
		ep->in6 = *s6;
	} else {
		ep->in4 = *(const struct sockaddr_in *)ss;
	}
}

static void
op_send(void *ctx, const struct wr_endpoint *to, const void *buf, size_t len)
{
	struct udp_peer *up = ctx;
	struct sockaddr_storage ss;
	socklen_t sl = to_sockaddr(up, to, &ss);
	uint32_t type = len >= 4 ? ((const uint8_t *)buf)[0] : 0;

	if (sendto(up->fd, buf, len, 0, (struct sockaddr *)&ss, sl) < 0)
		printf("tx-error type=%u errno=%d %s\n", type, errno, strerror(errno));
	else if (type != WR_MSG_DATA)
		printf("tx-message type=%u len=%zu\n", type, len);
	else if (len == WR_MSG_DATA_MIN_LEN)
		printf("tx-keepalive\n");
}

static void
op_deliver(void *ctx, struct wr_peer *peer, const void *ippkt, size_t len)
{
	struct udp_peer *up = ctx;
	const uint8_t *pkt = ippkt;

	if (len >= 1 && pkt[0] >> 4 == 4)
		handle_inner4(up, pkt, len);
	else if (len >= 1 && pkt[0] >> 4 == 6)
		handle_inner6(up, pkt, len);
	else
		printf("rx-packet unknown-version len=%zu\n", len);
}

static uint64_t
op_wall_time_ns(void *ctx)
{
	return clock_ns(CLOCK_REALTIME);
}

static void
op_keypair_installed(void *ctx, struct wr_peer *peer, const struct wr_keypair_info *kp)
{
	/* indices and roles only: the keys stay secret */
	printf("keypair-installed local-index=%08x remote-index=%08x initiator=%d confirmed=%d\n",
		kp->local_index, kp->remote_index, kp->initiator, kp->confirmed);
}

static void
op_keypair_removed(void *ctx, struct wr_peer *peer, uint32_t local_index)
{
	printf("keypair-removed local-index=%08x\n", local_index);
}

static void
op_handshake_completed(void *ctx, struct wr_peer *peer)
{
	struct udp_peer *up = ctx;

	up->handshakes++;
	printf("handshake-complete n=%" PRIu64 "\n", up->handshakes);
	if (up->handshakes > 1)
		printf("rekey n=%" PRIu64 "\n", up->handshakes - 1);
}

/* ---- command line ---- */

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: wr_udp_peer --private-key KEY --peer-public-key KEY [options]\n"
		"\n"
		"Runs the wirerate protocol engine over a plain UDP socket with one peer,\n"
		"answers ICMP and ICMPv6 echo requests that arrive through the tunnel, and\n"
		"prints events on stdout. KEY is a base64 key (44 characters, as `wg genkey`\n"
		"writes) or a file holding one. Private and preshared keys are never printed.\n"
		"\n"
		"  -k, --private-key KEY      our static private key\n"
		"  -p, --peer-public-key KEY  the peer's static public key\n"
		"  -s, --preshared-key KEY    the preshared key (default: none)\n"
		"  -l, --listen [ADDR:]PORT   UDP address to bind (default: port 51820, all\n"
		"                             addresses; [V6ADDR]:PORT for IPv6)\n"
		"  -e, --endpoint ADDR:PORT   the peer's endpoint ([V6ADDR]:PORT for IPv6)\n"
		"  -a, --allowed-ips LIST     the peer's AllowedIPs, comma separated CIDRs\n"
		"  -A, --address ADDR         a tunnel address of ours: echo requests to it\n"
		"                             are answered, pings come from it (repeatable;\n"
		"                             none: answer every echo request)\n"
		"  -i, --initiate             start a handshake at once\n"
		"  -K, --keepalive SECS       persistent keepalive interval (engine time)\n"
		"  -P, --ping ADDR            send echo requests to ADDR through the tunnel\n"
		"  -c, --ping-count N         stop pinging after N requests (default: never)\n"
		"  -I, --ping-interval MS     real milliseconds between requests (default 200)\n"
		"  -t, --time-scale X         run the engine's clock X times faster (tests\n"
		"                             only; default 1; protocol constants unchanged)\n"
		"  -m, --mtu N                inner MTU (default %u)\n"
		"  -L, --under-load           report a full handshake queue before every packet:\n"
		"                             handshakes without a valid mac2 get a cookie reply\n"
		"      --exit-handshakes N    exit 0 once N handshakes completed\n"
		"      --exit-replies N       exit 0 once N ping replies arrived\n"
		"      --exit-echoes N        exit 0 once N echo requests were answered\n"
		"  -d, --duration SECS        exit after SECS real seconds: with 0 if no\n"
		"                             --exit-* was given, else with 3 (not met)\n"
		"  -h, --help                 this text\n"
		"\n"
		"Events, one line each: listening, public-key, time-scale, handshake-complete\n"
		"n=N, rekey n=N, keypair-installed, keypair-removed, tx-message type=T,\n"
		"rx-message type=T, tx-keepalive, rx-keepalive, rx-packet, echo-request,\n"
		"echo-reply-sent, ping-sent, ping-reply, drop reason=R, stats, exit code=C.\n",
		WR_DEFAULT_MTU);
}

/* A key given inline (44 characters of base64) or as a file holding one. */
static int
read_key(const char *arg, uint8_t key[WR_KEY_LEN], const char *what)
{
	char buf[128];
	size_t n;
	FILE *f;
	int ret;

	if (strlen(arg) == WR_BASE64_KEY_LEN && !wr_base64_key_decode(key, arg, WR_BASE64_KEY_LEN))
		return 0;
	f = fopen(arg, "r");
	if (!f) {
		/* don't echo arg: it may be a mistyped private key */
		fprintf(stderr, "%s: neither a base64 key nor a readable file\n", what);
		return -1;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		n--;
	ret = wr_base64_key_decode(key, buf, n);
	wr_wipe(buf, sizeof(buf));
	if (ret) {
		fprintf(stderr, "%s: file %s does not hold a base64 key\n", what, arg);
		return -1;
	}
	return 0;
}

static int
parse_addr(const char *s, struct tun_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->addr) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, s, a->addr) == 1)
		a->family = AF_INET6;
	else
		return -1;
	return 0;
}

/* "ADDR:PORT", "[V6]:PORT", or (when @p allow_bare_port) "PORT". */
static int
parse_endpoint(const char *s, struct wr_endpoint *ep, bool allow_bare_port)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon, *port_s;
	char *end;
	unsigned long port;
	struct tun_addr a;
	size_t hl;

	memset(ep, 0, sizeof(*ep));
	if (s[0] == '[') {
		colon = strstr(s, "]:");
		if (!colon)
			return -1;
		hl = (size_t)(colon - s - 1);
		port_s = colon + 2;
		s++;
	} else {
		colon = strrchr(s, ':');
		if (!colon) {
			if (!allow_bare_port)
				return -1;
			hl = 0;
			port_s = s;
		} else {
			hl = (size_t)(colon - s);
			port_s = colon + 1;
		}
	}
	port = strtoul(port_s, &end, 10);
	if (*end || !*port_s || port > 65535 || (!allow_bare_port && !port))
		return -1;
	if (!hl)
		return (int)port; /* bare port: family stays 0 */
	if (hl >= sizeof(host))
		return -1;
	memcpy(host, s, hl);
	host[hl] = 0;
	if (parse_addr(host, &a))
		return -1;
	if (a.family == AF_INET) {
		ep->in4.sin_family = AF_INET;
		ep->in4.sin_port = htons((uint16_t)port);
		memcpy(&ep->in4.sin_addr, a.addr, 4);
	} else {
		ep->in6.sin6_family = AF_INET6;
		ep->in6.sin6_port = htons((uint16_t)port);
		memcpy(&ep->in6.sin6_addr, a.addr, 16);
	}
	return (int)port;
}

static int
add_allowed_ips(struct wr_peer *peer, const char *list)
{
	char *copy = strdup(list), *save = NULL, *tok, *slash, *end;
	struct tun_addr a;
	unsigned long cidr;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		slash = strchr(tok, '/');
		if (slash)
			*slash = 0;
		if (parse_addr(tok, &a)) {
			fprintf(stderr, "bad allowed IP %s\n", tok);
			ret = -EINVAL;
			break;
		}
		cidr = a.family == AF_INET ? 32 : 128;
		if (slash) {
			cidr = strtoul(slash + 1, &end, 10);
			if (*end || !slash[1] || cidr > (a.family == AF_INET ? 32u : 128u)) {
				fprintf(stderr, "bad prefix length in allowed IP %s\n", tok);
				ret = -EINVAL;
				break;
			}
		}
		ret = wr_peer_add_allowedip(peer, a.family, a.addr, (uint8_t)cidr);
		if (ret) {
			fprintf(stderr, "wr_peer_add_allowedip %s/%lu: %s\n", tok, cidr,
				strerror(-ret));
			break;
		}
	}
	free(copy);
	return ret;
}

static int
open_socket(struct udp_peer *up, const char *listen_arg)
{
	struct wr_endpoint ep;
	struct sockaddr_storage ss;
	socklen_t sl;
	int port, off = 0;

	port = parse_endpoint(listen_arg, &ep, true);
	if (port < 0) {
		fprintf(stderr, "bad --listen %s\n", listen_arg);
		return -1;
	}
	if (!ep.sa.sa_family) {
		/* all addresses: one IPv6 socket taking IPv4 as mapped addresses */
		ep.in6.sin6_family = AF_INET6;
		ep.in6.sin6_port = htons((uint16_t)port);
		ep.in6.sin6_addr = in6addr_any;
	}
	up->sock_family = ep.sa.sa_family;
	up->fd = socket(up->sock_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (up->fd < 0) {
		perror("socket");
		return -1;
	}
	if (up->sock_family == AF_INET6)
		setsockopt(up->fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	memset(&ss, 0, sizeof(ss));
	if (up->sock_family == AF_INET) {
		memcpy(&ss, &ep.in4, sizeof(ep.in4));
		sl = sizeof(ep.in4);
	} else {
		memcpy(&ss, &ep.in6, sizeof(ep.in6));
		sl = sizeof(ep.in6);
	}
	if (bind(up->fd, (struct sockaddr *)&ss, sl)) {
		perror("bind");
		return -1;
	}
	sl = sizeof(ss);
	getsockname(up->fd, (struct sockaddr *)&ss, &sl);
	printf("listening port=%u\n", ntohs(((struct sockaddr_in *)&ss)->sin_port));
	return 0;
}

/* ---- main loop ---- */

static void
flush_pending(struct udp_peer *up, uint64_t now)
{
	enum wr_drop_reason r;
	unsigned int i;

	for (i = 0; i < up->n_pending; i++) {
		r = wr_device_send(up->dev, up->pending[i].buf, up->pending[i].len, now);
		if (r == WR_DROP_NONE) {
			up->echoes_answered++;
			printf("echo-reply-sent len=%zu answered=%u\n", up->pending[i].len,
				up->echoes_answered);
		} else {
			printf("drop reason=%s where=echo-reply\n", drop_names[r]);
		}
	}
	up->n_pending = 0;
}

static void
receive_one(struct udp_peer *up)
{
	uint8_t buf[PKT_MAX + 64];
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct wr_endpoint from;
	enum wr_drop_reason r;
	ssize_t n;
	uint64_t now;

	n = recvfrom(up->fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&ss, &sl);
	if (n < 0)
		return;
	from_sockaddr(&ss, &from);
	now = engine_now(up);
	/* a full handshake queue, as a busy gateway would report it: handshakes need a cookie */
	if (up->under_load)
		wr_device_set_load(up->dev, 1, 1, now);
	if (n >= 4 && buf[0] != WR_MSG_DATA)
		printf("rx-message type=%u len=%zd\n", buf[0], n);
	else if (n == WR_MSG_DATA_MIN_LEN)
		printf("rx-keepalive\n");
	r = wr_device_receive(up->dev, &from, buf, (size_t)n, now);
	if (r != WR_DROP_NONE)
		printf("drop reason=%s where=receive type=%u len=%zd\n", drop_names[r],
			n ? buf[0] : 0, n);
	flush_pending(up, now);
}

static void
maybe_ping(struct udp_peer *up)
{
	uint8_t buf[PKT_MAX];
	enum wr_drop_reason r;
	uint64_t real = clock_ns(CLOCK_MONOTONIC);
	size_t len;

	if (!up->pinging || real < up->next_ping)
		return;
	if (up->ping_count && up->ping_sent >= up->ping_count) {
		up->pinging = false;
		return;
	}
	up->next_ping = real + up->ping_interval_ns;
	len = build_ping(up, buf, (uint16_t)++up->ping_sent);
	r = wr_device_send(up->dev, buf, len, engine_now(up));
	if (r == WR_DROP_NONE)
		printf("ping-sent seq=%u\n", up->ping_sent);
	else
		printf("drop reason=%s where=ping seq=%u\n", drop_names[r], up->ping_sent);
}

static bool
exit_condition_met(const struct udp_peer *up)
{
	if (up->exit_handshakes && up->handshakes >= up->exit_handshakes)
		return true;
	if (up->exit_replies && up->ping_replies >= up->exit_replies)
		return true;
	if (up->exit_echoes && up->echoes_answered >= up->exit_echoes)
		return true;
	return false;
}

static int
run(struct udp_peer *up, double duration_s)
{
	uint64_t real0 = clock_ns(CLOCK_MONOTONIC), deadline, now, real, wait_ns;
	bool has_exit = up->exit_handshakes || up->exit_replies || up->exit_echoes;
	struct pollfd pfd = { .fd = up->fd, .events = POLLIN };
	int timeout_ms;

	while (!stop) {
		if (exit_condition_met(up))
			return 0;
		real = clock_ns(CLOCK_MONOTONIC);
		if (duration_s > 0 && real - real0 >= (uint64_t)(duration_s * 1e9))
			return has_exit ? 3 : 0;
		now = engine_now(up);
		if (wr_device_next_deadline(up->dev) <= now)
			wr_device_tick(up->dev, now);
		maybe_ping(up);
		deadline = wr_device_next_deadline(up->dev);
		if (deadline < now)
			deadline = now;
		/* sleep until the engine's next deadline (in real time), the next ping, or at
		 * most 100 ms so that --duration and the exit conditions are seen */
		wait_ns = 100 * 1000 * 1000;
		if (deadline != UINT64_MAX &&
			(double)(deadline - now) / up->time_scale < (double)wait_ns)
			wait_ns = (uint64_t)((double)(deadline - now) / up->time_scale);
		if (up->pinging && up->next_ping > real && up->next_ping - real < wait_ns)
			wait_ns = up->next_ping - real;
		timeout_ms = (int)((wait_ns + 999999) / 1000000);
		fflush(stdout);
		if (poll(&pfd, 1, timeout_ms) > 0 && (pfd.revents & POLLIN))
			receive_one(up);
	}
	return 0;
}

static void
print_stats(struct udp_peer *up)
{
	struct wr_peer_stats st;
	unsigned int r;

	wr_peer_get_stats(up->peer, &st);
	printf("stats rx-bytes=%" PRIu64 " tx-bytes=%" PRIu64 " rx-packets=%" PRIu64
	       " tx-packets=%" PRIu64 " handshakes=%" PRIu64 " handshake-attempts=%" PRIu64
	       " ping-sent=%u ping-replies=%u echoes-answered=%u\n",
		st.rx_bytes, st.tx_bytes, st.rx_packets, st.tx_packets, st.handshakes,
		st.handshake_attempts, up->ping_sent, up->ping_replies, up->echoes_answered);
	for (r = 1; r < WR_DROP_COUNT; r++) {
		uint64_t n = wr_device_drop_count(up->dev, r);

		if (n)
			printf("stats drop reason=%s count=%" PRIu64 "\n", drop_names[r], n);
	}
}

enum {
	OPT_EXIT_HANDSHAKES = 0x100,
	OPT_EXIT_REPLIES,
	OPT_EXIT_ECHOES,
};

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "private-key", required_argument, NULL, 'k' },
		{ "peer-public-key", required_argument, NULL, 'p' },
		{ "preshared-key", required_argument, NULL, 's' },
		{ "listen", required_argument, NULL, 'l' },
		{ "endpoint", required_argument, NULL, 'e' },
		{ "allowed-ips", required_argument, NULL, 'a' },
		{ "address", required_argument, NULL, 'A' },
		{ "initiate", no_argument, NULL, 'i' },
		{ "keepalive", required_argument, NULL, 'K' },
		{ "ping", required_argument, NULL, 'P' },
		{ "ping-count", required_argument, NULL, 'c' },
		{ "ping-interval", required_argument, NULL, 'I' },
		{ "time-scale", required_argument, NULL, 't' },
		{ "mtu", required_argument, NULL, 'm' },
		{ "under-load", no_argument, NULL, 'L' },
		{ "duration", required_argument, NULL, 'd' },
		{ "exit-handshakes", required_argument, NULL, OPT_EXIT_HANDSHAKES },
		{ "exit-replies", required_argument, NULL, OPT_EXIT_REPLIES },
		{ "exit-echoes", required_argument, NULL, OPT_EXIT_ECHOES },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct wr_device_ops ops = {
		.send = op_send,
		.deliver = op_deliver,
		.wall_time_ns = op_wall_time_ns,
		.keypair_installed = op_keypair_installed,
		.keypair_removed = op_keypair_removed,
		.handshake_completed = op_handshake_completed,
	};
	static struct udp_peer up_storage;
	struct udp_peer *up = &up_storage;
	uint8_t priv[WR_KEY_LEN], pub[WR_KEY_LEN], psk[WR_KEY_LEN];
	const char *priv_arg = NULL, *pub_arg = NULL, *psk_arg = NULL, *listen_arg = "51820";
	const char *endpoint_arg = NULL, *allowed_arg = NULL;
	bool initiate = false, have_psk = false;
	unsigned long keepalive = 0, mtu = 0, ping_interval_ms = 200;
	double duration = 0;
	struct wr_endpoint ep;
	struct sigaction sa;
	int opt, ret = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	up->fd = -1;
	up->time_scale = 1.0;
	while ((opt = getopt_long(argc, argv, "k:p:s:l:e:a:A:iK:P:c:I:t:m:Ld:h", longopts, NULL)) !=
		-1) {
		switch (opt) {
		case 'k':
			priv_arg = optarg;
			break;
		case 'p':
			pub_arg = optarg;
			break;
		case 's':
			psk_arg = optarg;
			break;
		case 'l':
			listen_arg = optarg;
			break;
		case 'e':
			endpoint_arg = optarg;
			break;
		case 'a':
			allowed_arg = optarg;
			break;
		case 'A':
			if (up->n_addrs == MAX_ADDRS ||
				parse_addr(optarg, &up->addrs[up->n_addrs])) {
				fprintf(stderr, "bad or too many --address %s\n", optarg);
				return 2;
			}
			up->n_addrs++;
			break;
		case 'i':
			initiate = true;
			break;
		case 'K':
			keepalive = strtoul(optarg, NULL, 10);
			break;
		case 'P':
			if (parse_addr(optarg, &up->ping_dst)) {
				fprintf(stderr, "bad --ping %s\n", optarg);
				return 2;
			}
			up->pinging = true;
			break;
		case 'c':
			up->ping_count = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'I':
			ping_interval_ms = strtoul(optarg, NULL, 10);
			break;
		case 't':
			up->time_scale = strtod(optarg, NULL);
			if (!(up->time_scale >= 1.0 && up->time_scale <= 1000.0)) {
				fprintf(stderr, "--time-scale must be within 1..1000\n");
				return 2;
			}
			break;
		case 'm':
			mtu = strtoul(optarg, NULL, 10);
			break;
		case 'L':
			up->under_load = true;
			break;
		case 'd':
			duration = strtod(optarg, NULL);
			break;
		case OPT_EXIT_HANDSHAKES:
			up->exit_handshakes = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case OPT_EXIT_REPLIES:
			up->exit_replies = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case OPT_EXIT_ECHOES:
			up->exit_echoes = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || !priv_arg || !pub_arg) {
		usage(stderr);
		return 2;
	}
	if (up->pinging && !our_addr(up, up->ping_dst.family)) {
		fprintf(stderr, "--ping needs an --address of the same family as the source\n");
		return 2;
	}
	if (read_key(priv_arg, priv, "--private-key") ||
		read_key(pub_arg, pub, "--peer-public-key"))
		goto out_wipe;
	if (psk_arg) {
		if (read_key(psk_arg, psk, "--preshared-key"))
			goto out_wipe;
		have_psk = true;
	}

	up->dev = wr_device_create(&ops, up);
	if (!up->dev) {
		perror("wr_device_create");
		goto out_wipe;
	}
	if (wr_device_set_private_key(up->dev, priv)) {
		fprintf(stderr, "the peer's public key is our own\n");
		goto out_dev;
	}
	if (mtu)
		wr_device_set_mtu(up->dev, (uint32_t)mtu);
	up->peer = wr_device_add_peer(up->dev, pub, have_psk ? psk : NULL);
	if (!up->peer) {
		perror("wr_device_add_peer");
		goto out_dev;
	}
	if (endpoint_arg) {
		if (parse_endpoint(endpoint_arg, &ep, false) < 0) {
			fprintf(stderr, "bad --endpoint %s\n", endpoint_arg);
			goto out_dev;
		}
		wr_peer_set_endpoint(up->peer, &ep);
	}
	if (allowed_arg && add_allowed_ips(up->peer, allowed_arg))
		goto out_dev;
	if (open_socket(up, listen_arg))
		goto out_dev;
	if (wr_device_get_public_key(up->dev, pub))
		print_key("public-key", pub);
	if (up->time_scale != 1.0)
		printf("time-scale %g\n", up->time_scale);

	sa = (struct sigaction){ .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	up->mono0 = clock_ns(CLOCK_MONOTONIC);
	up->ping_id = (uint16_t)getpid();
	up->ping_interval_ns = ping_interval_ms * 1000000ULL;
	up->next_ping = up->mono0;
	if (keepalive)
		wr_peer_set_keepalive(up->peer, (uint16_t)keepalive, engine_now(up));
	if (initiate) {
		int r = wr_peer_initiate(up->peer, engine_now(up));

		if (r)
			printf("initiate-error %s\n", strerror(-r));
	}
	ret = run(up, duration);
	print_stats(up);
	printf("exit code=%d%s\n", ret, stop ? " signal" : "");
out_dev:
	if (up->fd >= 0)
		close(up->fd);
	wr_device_destroy(up->dev);
out_wipe:
	wr_wipe(priv, sizeof(priv));
	wr_wipe(psk, sizeof(psk));
	return ret;
}
