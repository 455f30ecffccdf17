/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wr_udp_peer's command line: its options, keys inline or from files, addresses, endpoints and
 * AllowedIPs lists.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wr_base64.h"
#include "wr_crypto.h"

#include "udp_peer.h"

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

int
up_read_key(const char *arg, uint8_t key[WR_KEY_LEN], const char *what)
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

int
up_parse_endpoint(const char *s, struct wr_endpoint *ep, bool allow_bare_port)
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

int
up_add_allowed_ips(struct wr_peer *peer, const char *list)
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

enum {
	OPT_EXIT_HANDSHAKES = 0x100,
	OPT_EXIT_REPLIES,
	OPT_EXIT_ECHOES,
};

int
up_parse_args(int argc, char **argv, struct udp_peer *up, struct udp_peer_args *args)
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
	int opt;

	memset(args, 0, sizeof(*args));
	args->listen = "51820";
	args->ping_interval_ms = 200;
	while ((opt = getopt_long(argc, argv, "k:p:s:l:e:a:A:iK:P:c:I:t:m:Ld:h", longopts, NULL)) !=
		-1) {
		switch (opt) {
		case 'k':
			args->priv = optarg;
			break;
		case 'p':
			args->pub = optarg;
			break;
		case 's':
			args->psk = optarg;
			break;
		case 'l':
			args->listen = optarg;
			break;
		case 'e':
			args->endpoint = optarg;
			break;
		case 'a':
			args->allowed = optarg;
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
			args->initiate = true;
			break;
		case 'K':
			args->keepalive = strtoul(optarg, NULL, 10);
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
			args->ping_interval_ms = strtoul(optarg, NULL, 10);
			break;
		case 't':
			up->time_scale = strtod(optarg, NULL);
			if (!(up->time_scale >= 1.0 && up->time_scale <= 1000.0)) {
				fprintf(stderr, "--time-scale must be within 1..1000\n");
				return 2;
			}
			break;
		case 'm':
			args->mtu = strtoul(optarg, NULL, 10);
			break;
		case 'L':
			up->under_load = true;
			break;
		case 'd':
			args->duration = strtod(optarg, NULL);
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
	if (optind != argc || !args->priv || !args->pub) {
		usage(stderr);
		return 2;
	}
	if (up->pinging && !up_our_addr(up, up->ping_dst.family)) {
		fprintf(stderr, "--ping needs an --address of the same family as the source\n");
		return 2;
	}
	return -1;
}
