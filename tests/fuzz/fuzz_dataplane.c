/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libFuzzer harness for the data plane: frames from the wire through the gateway's real worker
 * and control lcores (lib/dataplane: classify, decap, encap, forwarding, fragmentation, ARP,
 * neighbour discovery, ICMP and ICMPv6, the hand-over of handshakes to the protocol engine).
 *
 * The gateway is assembled as app/main.c does it (a configuration string, wr_dp_create(),
 * wr_dp_plan(), wr_control_create()) on two net_ring ports, WAN and LAN, with IPv4 and IPv6
 * addresses, routes and two interfaces with a peer each. The second interface has a smaller MTU
 * and a peer that never answers (what is routed to it from the first peer crosses interfaces:
 * the hub's fragmentation, its errors back into the first tunnel, packets held for a handshake).
 * The first interface's peer is a second protocol engine in this
 * process: at start-up the gateway initiates a handshake with it (for a LAN packet), so that a
 * live keypair sits in the worker's keytable and the harness can seal inner packets with the
 * peer's keys. EAL runs two lcores' worth of state (-l 0,1) on one thread: lcore 1's worker
 * poll, then lcore 0's (the control lcore: the host stack, the engine, the timers), one after
 * the other, with the worker's RCU quiescent state reported as its loop would.
 *
 * The first input byte picks how the rest is fed (bit 3: an IPv6 outer header for modes 2, 3):
 *   0: a whole Ethernet frame into the WAN port;
 *   1: a whole Ethernet frame into the LAN port;
 *   2: a UDP payload from the peer's endpoint to the listen port (WireGuard message parsing,
 *      handshakes to the engine, data messages to the keytable and the replay check);
 *   3: an inner packet, sealed with the peer's live keys and next counter, from the peer's
 *      endpoint (decryption succeeds: inner checks, the AllowedIPs source filter, routing out,
 *      ICMP to the gateway's tunnel address);
 *   4: an IP packet from the LAN station to the LAN port (forwarding, the AllowedIPs lookup,
 *      encapsulation, fragmentation needed / packet too big, the host stack);
 *   5: a burst: records of [mode 0-4 or 6][length, 2 bytes][bytes], up to 32, pushed together,
 *      so that the per-burst caches (keypair runs, ways out, endpoint) meet mixed packets;
 *   6: as 3, with the inner IPv4 header's checksum made right (forwarding from one tunnel to
 *      another checks it, and the fuzzer cannot compute one).
 *
 * Besides "no crash, no undefined behaviour, no leak" (ASan, UBSan), every frame the gateway
 * sends is checked: never a handshake response or a cookie reply (no input can be a valid
 * initiation: the fuzzer cannot forge mac1), an IPv4 header the frame holds, with a right
 * checksum out of the WAN port (the gateway built it or dropped a bad one), and no ICMP error to
 * a group or broadcast address. The gateway's mbufs in use stay bounded (a leak of one per input
 * would reach the bound within seconds).
 */
#include "fuzz_dataplane.h"

struct fuzz_state F;

/* ---- frames into the gateway ---- */

void
push(struct wire *w, struct rte_mbuf **pkts, unsigned int n)
{
	unsigned int i, done;

	for (i = 0; i < n; i++)
		pkts[i]->port = w->port_id; /* as a NIC's receive path sets it */
	done = rte_ring_enqueue_burst(w->rx, (void **)pkts, n, NULL);
	for (i = done; i < n; i++)
		rte_pktmbuf_free(pkts[i]);
}

/* An mbuf of the gateway's pool holding @p len bytes, 0 = uninitialised; NULL: none */
struct rte_mbuf *
frame(size_t len, uint8_t **p)
{
	struct rte_mbuf *m;

	if (len > MAX_FRAME)
		return NULL;
	m = rte_pktmbuf_alloc(F.dp->mp);
	if (m == NULL)
		die("no mbuf for an input: the gateway holds them all");
	*p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	if (*p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	return m;
}

/* An Ethernet header from the station behind @p w to the gateway's port */
void
put_eth(uint8_t *p, const struct wire *w, uint16_t type)
{
	ring_bed_put_eth(p, &w->mac, &w->smac, type);
}

/* A UDP datagram from the peer's endpoint to the listen port over IPv4 or IPv6, @p len bytes of
 * payload left for the caller at *@p payload. */
static struct rte_mbuf *
udp_frame(bool v6, size_t len, uint8_t **payload)
{
	size_t l3 = v6 ? sizeof(struct rte_ipv6_hdr) : sizeof(struct rte_ipv4_hdr);
	struct rte_udp_hdr *uh;
	struct rte_mbuf *m;
	uint8_t *p;

	if (len > MAX_FRAME - ETH_LEN - l3 - sizeof(*uh) ||
		(m = frame(ETH_LEN + l3 + sizeof(*uh) + len, &p)) == NULL)
		return NULL;
	put_eth(p, &F.wan, v6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
	if (v6) {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(p + ETH_LEN);

		memset(ip6, 0, sizeof(*ip6));
		ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip6->payload_len = rte_cpu_to_be_16((uint16_t)(sizeof(*uh) + len));
		ip6->proto = IPPROTO_UDP;
		ip6->hop_limits = 64;
		memcpy(ip6->src_addr, F.wan.saddr6, 16);
		memcpy(ip6->dst_addr, F.wan.addr6, 16);
	} else {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(p + ETH_LEN);

		memset(ip, 0, sizeof(*ip));
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(l3 + sizeof(*uh) + len));
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_UDP;
		memcpy(&ip->src_addr, F.wan.saddr, 4);
		memcpy(&ip->dst_addr, F.wan.addr, 4);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	uh = (struct rte_udp_hdr *)(p + ETH_LEN + l3);
	uh->src_port = rte_cpu_to_be_16(WG_PORT);
	uh->dst_port = rte_cpu_to_be_16(WG_PORT);
	uh->dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(*uh) + len));
	uh->dgram_cksum = 0;
	*payload = (uint8_t *)(uh + 1);
	if (v6)
		uh->dgram_cksum = 0xffff; /* fixed below, once the payload is in */
	return m;
}

static void
udp6_cksum(struct rte_mbuf *m)
{
	struct rte_ipv6_hdr *ip6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, ETH_LEN);
	struct rte_udp_hdr *uh = (struct rte_udp_hdr *)(ip6 + 1);

	uh->dgram_cksum = 0;
	uh->dgram_cksum = rte_ipv6_udptcp_cksum(ip6, uh);
}

/* Mode 0-4's or 6's frame of @p data (see the head of the file), or NULL (too long, nothing to
 * send) */
static struct rte_mbuf *
make_input(unsigned int mode, const uint8_t *data, size_t len, struct wire **to)
{
	bool v6 = (mode & 8) != 0;
	struct rte_mbuf *m = NULL;
	uint8_t *p;

	*to = &F.wan;
	switch (mode & 7) {
	case 0:
	case 1:
		*to = (mode & 7) == 0 ? &F.wan : &F.lan;
		if ((m = frame(len, &p)) != NULL)
			memcpy(p, data, len);
		break;
	case 2:
		if ((m = udp_frame(v6, len, &p)) != NULL)
			memcpy(p, data, len);
		break;
	case 6:
		/* mode 3 with a right IPv4 header checksum, which the fuzzer cannot make itself */
		if (len > sizeof(F.scratch))
			break;
		memcpy(F.scratch, data, len);
		if (len >= sizeof(struct rte_ipv4_hdr) && (data[0] >> 4) == 4 &&
			(data[0] & 0xfu) * 4u >= sizeof(struct rte_ipv4_hdr) &&
			(data[0] & 0xfu) * 4u <= len) {
			struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)F.scratch;

			ip->hdr_checksum = 0;
			ip->hdr_checksum = (uint16_t)~rte_raw_cksum(ip, (data[0] & 0xfu) * 4u);
		}
		data = F.scratch;
		/* fall through */
	case 3: {
		size_t sealed = wr_data_sealed_len(len, MTU);

		if (len > MAX_FRAME || (m = udp_frame(v6, sealed, &p)) == NULL)
			break;
		wr_data_seal(p, F.send_key, F.remote_index, F.counter++, data, len, MTU);
		break;
	}
	case 4:
		*to = &F.lan;
		if (len == 0 || len > MAX_FRAME - ETH_LEN || (m = frame(ETH_LEN + len, &p)) == NULL)
			break;
		put_eth(p, &F.lan, (data[0] >> 4) == 6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
		memcpy(p + ETH_LEN, data, len);
		break;
	default:
		break;
	}
	if (m != NULL && v6 && ((mode & 7) == 2 || (mode & 7) == 3 || (mode & 7) == 6))
		udp6_cksum(m);
	return m;
}

/* ---- the peer's engine ---- */

static void
peer_send(void *ctx, const struct wr_endpoint *to, const void *buf, size_t len)
{
	struct rte_mbuf *m;
	uint8_t *p;

	(void)ctx;
	(void)to;
	if ((m = udp_frame(false, len, &p)) == NULL)
		die("the peer's message does not fit a frame");
	memcpy(p, buf, len);
	push(&F.wan, &m, 1);
}

static void
peer_deliver(void *ctx, struct wr_peer *peer, const void *pkt, size_t len)
{
	(void)ctx;
	(void)peer;
	(void)pkt;
	(void)len;
	F.delivered++;
}

static void
peer_installed(void *ctx, struct wr_peer *peer, const struct wr_keypair_info *kp)
{
	(void)ctx;
	(void)peer;
	F.remote_index = kp->remote_index;
	memcpy(F.send_key, kp->send_key, sizeof(F.send_key));
	F.have_keys = kp->confirmed;
	if (F.rx_keys[0].index_mix != index_mix(kp->local_index)) {
		memmove(&F.rx_keys[1], &F.rx_keys[0], sizeof(F.rx_keys) - sizeof(F.rx_keys[0]));
		F.rx_keys[0].index_mix = index_mix(kp->local_index);
	}
	memcpy(F.rx_keys[0].key, kp->receive_key, WR_KEY_LEN);
}

static const struct wr_device_ops peer_ops = {
	.send = peer_send,
	.deliver = peer_deliver,
	.wall_time_ns = ring_bed_wall_ns,
	.keypair_installed = peer_installed,
};

/* ---- set-up ---- */

static void
make_wire(struct wire *w, const char *name, const char *addr, const char *saddr, const char *addr6,
	const char *saddr6, uint8_t mac_last)
{
	int port;

	w->name = name;
	if (inet_pton(AF_INET, addr, w->addr) != 1 || inet_pton(AF_INET, saddr, w->saddr) != 1 ||
		inet_pton(AF_INET6, addr6, w->addr6) != 1 ||
		inet_pton(AF_INET6, saddr6, w->saddr6) != 1)
		die("bad address");
	w->smac = (struct rte_ether_addr){ { 0x02, 0x00, 0x5e, 0x00, 0x53, mac_last } };
	port = ring_bed_port("fz_", name, RING_SIZE, &w->rx, w->tx);
	if (port < 0)
		die("cannot make a ring port");
	w->port_id = (uint16_t)port;
}

static const char conf_fmt[] = "[Gateway]\n"
			       "Control = %u\n"
			       "Workers = %u\n"
			       "ControlSocket = /run/wirerate/fuzz_dataplane.%u.sock\n"
			       "[Port wan]\n"
			       "Device = %s\n"
			       "Address = 192.0.2.1/24, 2001:db8:1::1/64\n"
			       "Route = 0.0.0.0/0 via 192.0.2.254\n"
			       "Route = ::/0 via 2001:db8:1::fe\n"
			       "[Port lan]\n"
			       "Device = %s\n"
			       "Address = 203.0.113.1/24, 2001:db8:2::1/64\n"
			       "[Interface fz%u]\n"
			       "PrivateKey = %s\n"
			       "ListenPort = %u\n"
			       "Port = wan\n"
			       "Address = 198.51.100.1/26, 2001:db8:5::1/64\n"
			       "MTU = %u\n"
			       "[Peer]\n"
			       "PublicKey = %s\n"
			       "Endpoint = 192.0.2.2:%u\n"
			       "AllowedIPs = 198.51.100.128/25, 2001:db8:20::/48\n"
			       /* the second interface: a smaller MTU, a peer that never answers */
			       "[Interface fzb%u]\n"
			       "PrivateKey = %s\n"
			       "ListenPort = %u\n"
			       "Port = wan\n"
			       "Address = 198.51.100.65/27, 2001:db8:6::1/64\n"
			       "MTU = %u\n"
			       "[Peer]\n"
			       "PublicKey = %s\n"
			       "Endpoint = 192.0.2.2:%u\n"
			       "AllowedIPs = 198.51.100.96/27, 2001:db8:30::/48\n";

/*
 * The sockets of earlier runs that died by a signal (libFuzzer's crash and interrupt handlers
 * exit without atexit()): PREFIX<pid>.sock in @p dir whose process is gone.
 */
static void
remove_stale_sockets(const char *dir, const char *prefix)
{
	size_t plen = strlen(prefix);
	struct dirent *e;
	char path[512];
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char *end;
		long pid;

		if (strncmp(e->d_name, prefix, plen) != 0)
			continue;
		pid = strtol(e->d_name + plen, &end, 10);
		if (end == e->d_name + plen || strcmp(end, ".sock") != 0 || pid <= 0 ||
			pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
}

static void
setup_gateway(uint8_t *gw_pub, uint8_t *rem_priv)
{
	static char conf[2048];
	char gw_b64[WR_BASE64_KEY_LEN + 1], rem_b64[WR_BASE64_KEY_LEN + 1];
	char gwb_b64[WR_BASE64_KEY_LEN + 1], remb_b64[WR_BASE64_KEY_LEN + 1];
	uint8_t gwb_pub[WR_KEY_LEN], remb_priv[WR_KEY_LEN];
	char wan_dev[RTE_ETH_NAME_MAX_LEN], lan_dev[RTE_ETH_NAME_MAX_LEN], err[256];
	int ret;

	if (rte_eth_dev_get_name_by_port(F.wan.port_id, wan_dev) != 0 ||
		rte_eth_dev_get_name_by_port(F.lan.port_id, lan_dev) != 0)
		die("no port names");
	remove_stale_sockets("/run/wirerate", "fuzz_dataplane.");
	remove_stale_sockets("/var/run/wireguard", "fz");
	remove_stale_sockets("/var/run/wireguard", "fzb");
	ring_bed_keys(gw_b64, rem_b64, gw_pub, rem_priv);
	/* the second peer's private key is thrown away: it never answers */
	ring_bed_keys(gwb_b64, remb_b64, gwb_pub, remb_priv);
	wr_wipe(remb_priv, sizeof(remb_priv));
	snprintf(conf, sizeof(conf), conf_fmt, CONTROL, WORKER, (unsigned int)getpid(), wan_dev,
		lan_dev, (unsigned int)getpid(), gw_b64, WG_PORT, MTU, rem_b64, WG_PORT,
		(unsigned int)getpid(), gwb_b64, WG_PORT_B, MTU_B, remb_b64, WG_PORT_B_PEER);
	wr_wipe(gw_b64, sizeof(gw_b64));
	wr_wipe(gwb_b64, sizeof(gwb_b64));
	ret = ring_bed_gateway(
		conf, "fuzz_dataplane", CONTROL, WORKER, &F.dp, &F.ctl, err, sizeof(err));
	wr_wipe(conf, sizeof(conf));
	if (ret < 0)
		die(err);
	rte_eth_macaddr_get(F.wan.port_id, &F.wan.mac);
	rte_eth_macaddr_get(F.lan.port_id, &F.lan.mac);
}

static void
serve_peer_until(const unsigned int *delivered, unsigned int want);
static void
self_check(void);

/* The peer's engine, its handshake with the gateway (started by the gateway for a LAN packet) */
static void
bring_up(const uint8_t *gw_pub, const uint8_t *rem_priv)
{
	static const uint8_t any4[4], any6[16];
	struct wr_endpoint ep;
	struct rte_mbuf *m;
	uint8_t inner[64], *p;

	F.rem = wr_device_create(&peer_ops, NULL);
	if (F.rem == NULL)
		die("no engine for the peer");
	wr_device_set_private_key(F.rem, rem_priv);
	wr_device_set_mtu(F.rem, MTU);
	F.rem_gw = wr_device_add_peer(F.rem, gw_pub, NULL);
	if (F.rem_gw == NULL)
		die("no peer in the peer's engine");
	wr_endpoint_set(&ep, AF_INET, F.wan.addr, rte_cpu_to_be_16(WG_PORT));
	wr_peer_set_endpoint(F.rem_gw, &ep);
	if (wr_peer_add_allowedip(F.rem_gw, AF_INET, any4, 0) < 0 ||
		wr_peer_add_allowedip(F.rem_gw, AF_INET6, any6, 0) < 0)
		die("no AllowedIPs in the peer's engine");
	/* a LAN packet for the peer's network: the gateway holds it and initiates */
	memset(inner, 0, sizeof(inner));
	inner[0] = 0x45;
	inner[3] = sizeof(inner);
	inner[8] = 64;
	inner[9] = 253; /* RFC 3692 experimentation */
	memcpy(inner + 12, F.lan.saddr, 4);
	inet_pton(AF_INET, "198.51.100.130", inner + 16);
	((struct rte_ipv4_hdr *)inner)->hdr_checksum = rte_ipv4_cksum((struct rte_ipv4_hdr *)inner);
	if ((m = frame(ETH_LEN + sizeof(inner), &p)) == NULL)
		die("no mbuf");
	put_eth(p, &F.lan, RTE_ETHER_TYPE_IPV4);
	memcpy(p + ETH_LEN, inner, sizeof(inner));
	push(&F.lan, &m, 1);
	serve_peer_until(&F.delivered, 1);
	F.in_use0 = rte_mempool_in_use_count(F.dp->mp);
}

/* Frames until a pass does nothing, at most @p passes of them */
static void
settle(unsigned int passes)
{
	while (passes-- > 0 && service(false) != 0)
		;
}

/* Serve, feeding the peer, until it has confirmed keys and *@p delivered reaches @p want; dies
 * after 10 s */
static void
serve_peer_until(const unsigned int *delivered, unsigned int want)
{
	uint64_t deadline = rte_rdtsc() + 10 * rte_get_tsc_hz();

	F.rem_feed = true;
	while ((!F.have_keys || *delivered < want) && rte_rdtsc() < deadline)
		service(false);
	if (!F.have_keys || *delivered < want)
		die("no handshake with the peer");
	F.rem_feed = false;
	/* the peer's own data counters start far from those it used */
	F.counter = 1ull << 32;
	F.keys_at = ring_bed_wall_ns(NULL);
	settle(64);
}

/*
 * A new handshake, started by the peer, well before the keypair expires (Reject-After-Time,
 * 180 s), so that sealed inputs keep reaching the inner paths in a long run. The peer's
 * keepalive confirms the keypair on the gateway's side.
 */
static void
refresh_keys(void)
{
	static const unsigned int zero;

	int ret = wr_peer_initiate(F.rem_gw, ring_bed_wall_ns(NULL));

	if (ret == -EALREADY) { /* an initiation less than Rekey-Timeout ago: later */
		F.keys_at += WR_NSEC_PER_SEC;
		return;
	}
	if (ret < 0)
		die("the peer cannot initiate");
	F.have_keys = false;
	serve_peer_until(&zero, 0);
	wr_peer_send(F.rem_gw, NULL, 0, ring_bed_wall_ns(NULL));
	settle(64);
	self_check();
}

/* Packet @p pkt (@p len bytes) as input mode @p mode; served until *@p seen counts something */
static void
self_send(unsigned int mode, const uint8_t *pkt, size_t len, const unsigned int *seen)
{
	struct rte_mbuf *m;
	struct wire *to;
	unsigned int pass;

	m = make_input(mode, pkt, len, &to);
	if (m == NULL)
		die("self-check: no frame");
	push(to, &m, 1);
	for (pass = 0; pass < 16 && *seen == 0; pass++)
		service(false);
}

/* An IPv4 (@p v6 false) or IPv6 header of a @p len-byte packet of protocol @p proto, @p src to
 * @p dst, into @p pkt (zeroed first) */
static void
self_ip(uint8_t *pkt, size_t len, bool v6, uint8_t proto, const char *src, const char *dst)
{
	memset(pkt, 0, len);
	if (v6) {
		pkt[0] = 0x60;
		pkt[4] = (uint8_t)((len - 40) >> 8);
		pkt[5] = (uint8_t)(len - 40);
		pkt[6] = proto;
		pkt[7] = 64;
		inet_pton(AF_INET6, src, pkt + 8);
		inet_pton(AF_INET6, dst, pkt + 24);
		return;
	}
	pkt[0] = 0x45;
	pkt[2] = (uint8_t)(len >> 8);
	pkt[3] = (uint8_t)len;
	pkt[8] = 64;
	pkt[9] = proto;
	inet_pton(AF_INET, src, pkt + 12);
	inet_pton(AF_INET, dst, pkt + 16);
	((struct rte_ipv4_hdr *)pkt)->hdr_checksum = rte_ipv4_cksum((struct rte_ipv4_hdr *)pkt);
}

/* A sealed packet (mode 3) from the peer that must bring back one sealed message, opened, holding
 * the gateway's ICMP or ICMPv6 message of @p type and @p code with @p mtu in bytes 4-7 */
static void
self_expect_icmp(const uint8_t *pkt, size_t len, uint8_t type, uint8_t code, uint32_t mtu,
	const char *what)
{
	unsigned int opened = F.opened;

	F.sealed_out = 0;
	F.icmp_type = 0xff;
	self_send(3, pkt, len, &F.sealed_out);
	if (F.sealed_out != 1 || F.opened - opened != 1 || F.icmp_type != type ||
		F.icmp_code != code || F.icmp_mtu != mtu)
		die(what);
}

/*
 * Across interfaces: the peer's echo request to the second interface's tunnel address is
 * answered into the peer's tunnel; its packets for the second peer's networks over the second
 * interface's MTU come back as "fragmentation needed" (IPv4 with DF) and "packet too big" (IPv6)
 * with that MTU; one without DF is fragmented and held for the second peer, for which the gateway
 * initiates (asked the first time only: later, a handshake may be under way already).
 */
static void
self_check_hub(void)
{
	static bool first = true;
	static uint8_t pkt[MTU_B + 48];
	uint8_t *icmp = pkt + 20;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)pkt;
	unsigned int v6;

	self_ip(pkt, 64, false, IPPROTO_ICMP, "198.51.100.130", "198.51.100.65");
	icmp[0] = RTE_IP_ICMP_ECHO_REQUEST;
	((struct rte_icmp_hdr *)icmp)->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, 64 - 20);
	self_expect_icmp(pkt, 64, RTE_IP_ICMP_ECHO_REPLY, 0, 0,
		"self-check: no echo reply from the second interface's tunnel address");
	for (v6 = 0; v6 < 2; v6++) {
		self_ip(pkt, sizeof(pkt), v6, 253, v6 ? "2001:db8:20::1" : "198.51.100.130",
			v6 ? "2001:db8:30::1" : "198.51.100.100");
		if (!v6) {
			ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
			ip->hdr_checksum = 0;
			ip->hdr_checksum = rte_ipv4_cksum(ip);
		}
		self_expect_icmp(pkt, sizeof(pkt), v6 ? 2 : 3, v6 ? 0 : 4, MTU_B,
			v6 ? "self-check: no packet too big for the second interface's MTU"
			   : "self-check: no fragmentation needed for the second interface's MTU");
	}
	self_ip(pkt, sizeof(pkt), false, 253, "198.51.100.130", "198.51.100.100");
	F.init_b = 0;
	self_send(3, pkt, sizeof(pkt), &F.init_b);
	if (first && F.init_b == 0)
		die("self-check: a packet for the second peer neither held nor initiated for");
	first = false;
}

/*
 * Out of the tunnel to the LAN station over IPv4: forwarded with a right header checksum, dropped
 * with a wrong one (RFC 1812 5.2.2); with TTL 1, "time exceeded" back to the peer, but not about
 * a packet to a martian or a directed broadcast (RFC 1812 4.3.2.7).
 */
static void
self_check_inner4(void)
{
	static const char *const nowhere[] = { "127.0.0.1", "203.0.113.255" };
	struct rte_ipv4_hdr *ip;
	uint8_t pkt[64];
	unsigned int i;

	ip = (struct rte_ipv4_hdr *)pkt;
	self_ip(pkt, sizeof(pkt), false, 253, "198.51.100.130", "203.0.113.50");
	F.lan4_out = 0;
	self_send(3, pkt, sizeof(pkt), &F.lan4_out);
	if (F.lan4_out != 1)
		die("self-check: a sealed IPv4 packet for the LAN not forwarded");
	ip->hdr_checksum ^= 0x100;
	F.lan4_out = 0;
	self_send(3, pkt, sizeof(pkt), &F.lan4_out);
	if (F.lan4_out != 0)
		die("self-check: a sealed IPv4 packet with a wrong header checksum forwarded");
	ip->hdr_checksum ^= 0x100;
	ip->time_to_live = 1;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	self_expect_icmp(pkt, sizeof(pkt), 11, 0, 0, "self-check: no time exceeded for TTL 1");
	for (i = 0; i < RTE_DIM(nowhere); i++) {
		self_ip(pkt, sizeof(pkt), false, 253, "198.51.100.130", nowhere[i]);
		ip->time_to_live = 1;
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		F.sealed_out = 0;
		self_send(3, pkt, sizeof(pkt), &F.sealed_out);
		if (F.sealed_out != 0)
			die("self-check: time exceeded about a packet to a martian or a broadcast");
	}
}

/*
 * That the harness reaches what it means to: an echo request to the gateway's tunnel address,
 * sealed as mode 3 seals, gets a sealed reply; so does a LAN packet for the peer (mode 4); a
 * sealed IPv6 packet for the LAN station goes out of the LAN port; the peer's packets to its own
 * networks come back to it sealed; across interfaces, self_check_hub(); the IPv4 checks out of the
 * tunnel, self_check_inner4().
 */
static void
self_check(void)
{
	uint8_t pkt[64], *icmp = pkt + 20;
	unsigned int mode, opened = F.opened;

	for (mode = 3; mode <= 4; mode++) {
		self_ip(pkt, sizeof(pkt), false, mode == 3 ? IPPROTO_ICMP : 253,
			mode == 3 ? "198.51.100.130" : "203.0.113.50",
			mode == 3 ? "198.51.100.1" : "198.51.100.130");
		icmp[0] = RTE_IP_ICMP_ECHO_REQUEST;
		((struct rte_icmp_hdr *)icmp)->icmp_cksum =
			(uint16_t)~rte_raw_cksum(icmp, sizeof(pkt) - 20);
		F.sealed_out = 0;
		self_send(mode, pkt, sizeof(pkt), &F.sealed_out);
		if (F.sealed_out != 1)
			die(mode == 3 ? "self-check: no sealed echo reply to a sealed echo request"
				      : "self-check: a LAN packet for the peer not sealed");
	}
	/* both opened with the peer's keys and checked (check_sealed()) */
	if (F.opened - opened != 2)
		die("self-check: the gateway's sealed messages not opened");
	/* an IPv6 packet from the peer's network to the LAN station: out of the LAN port once the
	 * station answers the gateway's solicitation */
	self_ip(pkt, sizeof(pkt), true, 253, "2001:db8:20::1", "2001:db8::");
	memcpy(pkt + 24, F.lan.saddr6, 16);
	F.lan6_out = 0;
	self_send(3, pkt, sizeof(pkt), &F.lan6_out);
	if (F.lan6_out != 1)
		die("self-check: a sealed IPv6 packet for the LAN not forwarded");
	/* from the peer to another address of its own networks, over the default routes: back to
	 * the peer sealed (as Linux routes it back into wg0), not out of the WAN port in plaintext */
	for (mode = 0; mode < 2; mode++) {
		self_ip(pkt, sizeof(pkt), mode == 1, 253,
			mode ? "2001:db8:20::1" : "198.51.100.130",
			mode ? "2001:db8:20::9" : "198.51.100.200");
		F.sealed_out = 0;
		opened = F.opened;
		self_send(3, pkt, sizeof(pkt), &F.sealed_out);
		if (F.sealed_out != 1 || F.opened - opened != 1)
			die("self-check: a sealed packet for the peer's own network not sent back sealed");
	}
	self_check_hub();
	self_check_inner4();
}

/* At exit, before LeakSanitizer looks: what lives in EAL's memory is no root that it scans */
static void
teardown(void)
{
	wr_control_destroy(F.ctl);
	wr_dp_destroy(F.dp);
	wr_device_destroy(F.rem);
	rte_eal_cleanup();
}

/*
 * Many mbufs in use: the gateway may hold them (packets queued for unresolved next hops, at most
 * neigh.h's WR_NEIGH_TABLE_QUEUED a port; packets held for a handshake), and gives those up
 * within seconds: WR_NEIGH_MAX_PROBES solicitations a second apart, later when the port's
 * solicitation rate holds some back (a table's worth of next hops: about four seconds). Serve for
 * up to 20 s, until they are back: what is still in use then was leaked.
 */
static void
check_leak(void)
{
	uint64_t until = ring_bed_wall_ns(NULL) + 20 * WR_NSEC_PER_SEC;

	while (ring_bed_wall_ns(NULL) < until &&
		rte_mempool_in_use_count(F.dp->mp) > F.in_use0 + F.dp->mp->size / 8)
		service(false);
	if (rte_mempool_in_use_count(F.dp->mp) > F.in_use0 + F.dp->mp->size / 8)
		die("the gateway's mbufs in use do not come back: a leak");
}

int
LLVMFuzzerInitialize(int *argc, char ***argv);
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *eal[] = { (*argv)[0], "--no-huge", "--no-shconf", "--no-pci", "-l", "0,1", "-m",
		"512", "--log-level", "*:error", "--no-telemetry", NULL };
	uint8_t gw_pub[WR_KEY_LEN], rem_priv[WR_KEY_LEN];

	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0)
		die("rte_eal_init failed");
	make_wire(&F.wan, "fzwan", "192.0.2.1", "192.0.2.2", "2001:db8:1::1", "2001:db8:1::2", 2);
	make_wire(&F.lan, "fzlan", "203.0.113.1", "203.0.113.50", "2001:db8:2::1", "2001:db8:2::50",
		50);
	setup_gateway(gw_pub, rem_priv);
	bring_up(gw_pub, rem_priv);
	wr_wipe(rem_priv, sizeof(rem_priv));
	self_check();
	atexit(teardown);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rte_mbuf *m;
	struct wire *to;
	unsigned int mode, pass;
	bool strict;

	if (size < 1)
		return 0;
	if (ring_bed_wall_ns(NULL) - F.keys_at > KEY_REFRESH_S * WR_NSEC_PER_SEC)
		refresh_keys();
	mode = data[0] & 0xf;
	strict = (mode & 7) == 2;
	data++;
	size--;
	if ((mode & 7) == 5) {
		struct rte_mbuf *burst[2][MAX_BURST];
		unsigned int n[2] = { 0, 0 }, w;

		strict = true; /* while every record is a UDP payload to the listen port */
		while (size >= 3 && n[0] + n[1] < MAX_BURST) {
			size_t len = (size_t)data[1] << 8 | data[2];

			mode = data[0] & 0xf;
			strict &= (mode & 7) == 2;
			data += 3;
			size -= 3;
			len = RTE_MIN(len, size);
			if ((mode & 7) != 5 && (m = make_input(mode, data, len, &to)) != NULL)
				burst[to == &F.lan][n[to == &F.lan]++] = m;
			data += len;
			size -= len;
		}
		for (w = 0; w < 2; w++)
			if (n[w] > 0)
				push(w == 0 ? &F.wan : &F.lan, burst[w], n[w]);
	} else if ((m = make_input(mode, data, size, &to)) != NULL) {
		push(to, &m, 1);
	}
	/*
	 * Until a pass does nothing (what the worker handed to the control lcore, ARP answers to
	 * the gateway's requests, what they released), so that nothing this input caused is left
	 * for the next one; a bounded number of passes, as a frame could keep the two lcores busy.
	 */
	for (pass = 0; pass < 16; pass++)
		if (service(strict) == 0 && pass > 0)
			break;
	if (rte_mempool_in_use_count(F.dp->mp) > F.in_use0 + F.dp->mp->size / 4)
		check_leak();
	return 0;
}
