/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control lcore's peer ids (control_engine.c): a removed peer's id is reused only after the
 * workers' grace period AND after the control lcore has taken what workers handed out under it
 * before (a "data sent" event, a packet to hold for a handshake) from the event and held rings;
 * otherwise a new peer given the id would be credited with the old peer's traffic, or be sent a
 * packet meant for the old one. A set short of ids because the last one's still wait finishes
 * that wait itself (back-to-back `wg setconf`s), in bounded time.
 * An in-process gateway on a net_null port, the control lcore polling alone (no worker lcore is
 * registered with RCU, so every grace period is over at once); the rings are filled as a worker
 * would. DPDK runs without hugepages (--no-huge --no-shconf --no-pci -l 0).
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "control.h"
#include "control_internal.h"
#include "dataplane.h"
#include "gw.h"
#include "worker.h"
#include "wr_base64.h"
#include "wr_config.h"
#include "wr_crypto.h"
#include "wr_uapi.h"

#include "wr_test.h"

/* ids for twice as many (CTL_MIN_PEERS): a set of them all can be replaced with the old set's
 * ids quarantined */
#define MAX_PEERS 512

static struct wr_dataplane *dp;
static struct wr_control *ctl;
static uint8_t peer_pub[WR_KEY_LEN];

static int
setup(void)
{
	struct wr_config_error cerr = { 0 };
	struct wr_config *cfg = NULL;
	uint8_t priv[WR_KEY_LEN], ppriv[WR_KEY_LEN];
	char priv_b64[WR_BASE64_KEY_LEN + 1], pub_b64[WR_BASE64_KEY_LEN + 1], conf[1024], err[256];
	int ret;

	wr_x25519_generate(priv);
	wr_x25519_generate(ppriv);
	wr_x25519_public(peer_pub, ppriv);
	wr_base64_key_encode(priv_b64, priv);
	wr_base64_key_encode(pub_b64, peer_pub);
	/* socket names of this process's own: a gateway may run on this machine */
	snprintf(conf, sizeof(conf),
		"[Gateway]\nControl = 0\nControlSocket = /run/wirerate/test_control.%u.sock\n"
		"MaxPeers = %u\n"
		"[Port wan]\nDevice = net_null0\nAddress = 192.0.2.1/24\n"
		"[Port lan]\nDevice = net_null1\n"
		"Address = 203.0.113.1/24, 203.0.113.100/31, 203.0.113.102/32, 2001:db8:2::1/64\n"
		"Route = 198.51.100.192/27\n"
		"[Interface tc%u]\nPrivateKey = %s\nListenPort = 51820\nPort = wan\n"
		"Address = 198.51.100.1/25, 2001:db8:5::1/64\n"
		"[Peer]\nPublicKey = %s\nEndpoint = 192.0.2.2:51820\n"
		"AllowedIPs = 198.51.100.2/32\n",
		(unsigned int)getpid(), MAX_PEERS, (unsigned int)getpid(), priv_b64, pub_b64);
	wr_wipe(priv, sizeof(priv));
	wr_wipe(priv_b64, sizeof(priv_b64));
	ret = wr_config_load_string(conf, strlen(conf), "test_control", &cfg, &cerr);
	wr_wipe(conf, sizeof(conf));
	if (ret < 0) {
		printf("configuration: %s\n", cerr.message);
		return ret;
	}
	ret = wr_dp_create(cfg, 1, &dp, err, sizeof(err));
	if (ret == 0 && (ret = wr_dp_plan(dp, 0, NULL, 0)) < 0)
		snprintf(err, sizeof(err), "cannot plan the lcores");
	if (ret == 0)
		ret = wr_control_create(dp, cfg, &ctl, err, sizeof(err));
	wr_config_free(cfg);
	if (ret < 0)
		printf("gateway: %s\n", err);
	return ret;
}

/*
 * Every [Interface] Address is one of the gateway's own (echo, martian sources): more than it can
 * hold refuse the start, with a message, instead of some being left out.
 */
static void
test_iface_addrs_limit(void)
{
	char conf[1024], err[256] = "", priv_b64[WR_BASE64_KEY_LEN + 1];
	struct wr_config_error cerr = { 0 };
	struct wr_config *cfg = NULL;
	struct wr_control *c2 = NULL;
	uint8_t priv[WR_KEY_LEN];
	size_t off;
	int ret, i;

	printf("control: more interface addresses than supported\n");
	wr_x25519_generate(priv);
	wr_base64_key_encode(priv_b64, priv);
	wr_wipe(priv, sizeof(priv));
	off = (size_t)snprintf(conf, sizeof(conf),
		"[Port wan]\nDevice = net_null0\nAddress = 192.0.2.1/24\n"
		"[Interface tl0]\nPrivateKey = %s\nListenPort = 51830\nPort = wan\nAddress = ",
		priv_b64);
	wr_wipe(priv_b64, sizeof(priv_b64));
	for (i = 0; i <= WR_GW_IFACE_ADDRS; i++)
		off += (size_t)snprintf(conf + off, sizeof(conf) - off, "%s198.51.100.%d/32",
			i > 0 ? ", " : "", 10 + i);
	snprintf(conf + off, sizeof(conf) - off, "\n");
	ret = wr_config_load_string(conf, strlen(conf), "test_control", &cfg, &cerr);
	wr_wipe(conf, sizeof(conf));
	CHECK(ret == 0, "the configuration itself loads: %s", cerr.message);
	if (ret != 0)
		return;
	ret = wr_control_create(dp, cfg, &c2, err, sizeof(err));
	CHECK(ret == -E2BIG && c2 == NULL && strstr(err, "interface tl0: 9 addresses, at most 8"),
		"refused: %d, '%s'", ret, err);
	wr_config_free(cfg);
}

/* The id of the interface's only peer, or WR_DP_PEER_NONE. */
static uint32_t
the_peer_id(void)
{
	uint32_t id;

	for (id = 0; id < ctl->capacity; id++)
		if (ctl->peers[id].peer != NULL)
			return id;
	return WR_DP_PEER_NONE;
}

static int
uapi(const char *req)
{
	char *resp = NULL;
	size_t resp_len = 0;
	int ret;

	ret = wr_uapi_handle(
		ctl->ifs[0].uapi, req, strlen(req), &resp, &resp_len, wr_ctl_now(ctl));
	free(resp);
	return ret;
}

/* The interface's IPv4 tunnel addresses, packed for the workers' per-packet test. */
static void
test_tunnel_addrs(void)
{
	uint32_t a, b;

	inet_pton(AF_INET, "198.51.100.1", &a);
	inet_pton(AF_INET, "198.51.100.2", &b);
	CHECK(ctl->gw.n_tunnel4 == 1 && ctl->gw.tunnel4[0] == a,
		"the one IPv4 tunnel address packed, not the IPv6 one (%u)", ctl->gw.n_tunnel4);
	CHECK(wr_gw_is_tunnel_addr4(&ctl->gw, a) && !wr_gw_is_tunnel_addr4(&ctl->gw, b),
		"the tunnel address is one, its neighbour not");
}

/* The first bytes of an inner IP packet from each of the @p n addresses @p srcs, into @p pkts */
static void
headers_from(const char *const *srcs, unsigned int n, uint8_t (*pkts)[40], const uint8_t **hdrs)
{
	unsigned int i;

	memset(pkts, 0, n * sizeof(*pkts));
	for (i = 0; i < n; i++) {
		if (strchr(srcs[i], ':') != NULL) {
			pkts[i][0] = 0x60;
			inet_pton(AF_INET6, srcs[i], pkts[i] + 8);
		} else {
			pkts[i][0] = 0x45;
			inet_pton(AF_INET, srcs[i], pkts[i] + 12);
		}
		hdrs[i] = pkts[i];
	}
}

/*
 * decap's source check (wr_ctl_src_lookup()) over a burst whose IPv4 sources come in runs, one
 * peer's and another's in turn, an IPv6 one between: each packet gets its own source's answer.
 */
static void
test_src_lookup(void)
{
	static const char *const srcs[] = { "198.51.100.2", "198.51.100.2", "198.51.100.3",
		"198.51.100.3", "198.51.100.2", "2001:db8:5::9", "198.51.100.2", "198.51.100.3" };
	uint8_t pkts[RTE_DIM(srcs)][40];
	const uint8_t *hdrs[RTE_DIM(srcs)];
	uint32_t ids[RTE_DIM(srcs)], id = the_peer_id();
	unsigned int i;

	headers_from(srcs, RTE_DIM(srcs), pkts, hdrs);
	wr_ctl_src_lookup(&ctl->gw.iface[0], hdrs, RTE_DIM(srcs), ids);
	for (i = 0; i < RTE_DIM(srcs); i++) {
		bool allowed = strcmp(srcs[i], "198.51.100.2") == 0;

		CHECK(ids[i] == (allowed ? id : WR_DP_PEER_NONE), "packet %u from %s: peer %u", i,
			srcs[i], ids[i]);
	}
}

/* The UAPI request that sets the configured peer's AllowedIPs to @p ips (comma-separated) */
static int
set_allowed_ips(const char *ips)
{
	char req[512], list[128], *ip, *save = NULL;
	size_t off;
	unsigned int k;

	off = (size_t)snprintf(req, sizeof(req), "set=1\npublic_key=");
	for (k = 0; k < WR_KEY_LEN; k++)
		off += (size_t)snprintf(req + off, sizeof(req) - off, "%02x", peer_pub[k]);
	off += (size_t)snprintf(req + off, sizeof(req) - off, "\nreplace_allowed_ips=true\n");
	snprintf(list, sizeof(list), "%s", ips);
	for (ip = strtok_r(list, ",", &save); ip != NULL; ip = strtok_r(NULL, ",", &save))
		off += (size_t)snprintf(req + off, sizeof(req) - off, "allowed_ip=%s\n", ip);
	snprintf(req + off, sizeof(req) - off, "\n");
	return uapi(req);
}

/* A frame from @p src to @p dst (same family) into @p port, through the worker's RX; from
 * Ethernet address @p smac, or a station's when NULL */
static void
port_rx_from(struct wr_port *port, const struct rte_ether_addr *smac, const char *src,
	const char *dst)
{
	bool v6 = strchr(src, ':') != NULL;
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp->mp);
	struct rte_ether_hdr *eh;
	uint8_t *ip;

	CHECK(m != NULL, "an mbuf for %s -> %s", src, dst);
	if (m == NULL)
		return;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, 14 + 60);
	memset(eh, 0, 14 + 60);
	rte_ether_addr_copy(&port->mac, &eh->dst_addr);
	eh->src_addr.addr_bytes[0] = 2;
	if (smac != NULL)
		rte_ether_addr_copy(smac, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(v6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
	ip = (uint8_t *)(eh + 1);
	if (v6) {
		ip[0] = 0x60;
		ip[5] = 20;
		ip[6] = 253;
		ip[7] = 64;
		inet_pton(AF_INET6, src, ip + 8);
		inet_pton(AF_INET6, dst, ip + 24);
	} else {
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;

		h->version_ihl = RTE_IPV4_VHL_DEF;
		h->total_length = rte_cpu_to_be_16(60);
		h->time_to_live = 64;
		h->next_proto_id = 253;
		inet_pton(AF_INET, src, &h->src_addr);
		inet_pton(AF_INET, dst, &h->dst_addr);
		h->hdr_checksum = rte_ipv4_cksum(h);
	}
	m->port = port->port_id;
	wr_worker_rx(ctl->lc, port, &m, 1);
}

static void
port_rx(struct wr_port *port, const char *src, const char *dst)
{
	port_rx_from(port, NULL, src, dst);
}

/*
 * Martian sources (RFC 1812 5.3.7, RFC 4291 2.5.5.2): a peer whose AllowedIPs hold everything
 * still cannot send from the gateway's own addresses, loopback, multicast, link-local or
 * IPv4-mapped ones (decap's source check); and a port's frame to forward from one is dropped,
 * counted (the workers' classify).
 */
static void
test_martian_sources(void)
{
	static const char *const srcs[] = { "192.0.2.1", "198.51.100.1", "127.0.0.1", "224.0.0.1",
		"0.1.2.3", "198.51.100.77", "2001:db8:5::1", "fe80::1", "::1", "2001:db8:99::1",
		"::ffff:198.51.100.77" };
	static const bool peers[] = { false, false, false, false, false, true, false, false, false,
		true, false };
	struct wr_port *port = &dp->ports[0];
	struct wr_dp_lcore *lc = ctl->lc;
	uint8_t pkts[RTE_DIM(srcs)][40];
	const uint8_t *hdrs[RTE_DIM(srcs)];
	uint32_t ids[RTE_DIM(srcs)], id = the_peer_id();
	uint64_t before = lc->drops[WR_DP_DROP_MARTIAN_SOURCE];
	unsigned int i, k, martians = 0;

	CHECK(set_allowed_ips("0.0.0.0/0,::/0") == 0, "AllowedIPs 0/0 set");
	for (k = 0; k < 10; k++)
		wr_ctl_poll_tables(ctl);
	headers_from(srcs, RTE_DIM(srcs), pkts, hdrs);
	wr_ctl_src_lookup(&ctl->gw.iface[0], hdrs, RTE_DIM(srcs), ids);
	for (i = 0; i < RTE_DIM(srcs); i++)
		CHECK(ids[i] == (peers[i] ? id : WR_DP_PEER_NONE), "decap: from %s: peer %u",
			srcs[i], ids[i]);

	/* the same sources in frames into the port, to the peer's networks */
	for (i = 0; i < RTE_DIM(srcs); i++) {
		bool v6 = strchr(srcs[i], ':') != NULL;

		if (peers[i])
			continue;
		port_rx(port, srcs[i], v6 ? "2001:db8:77::1" : "198.51.100.99");
		martians++;
	}
	CHECK(lc->drops[WR_DP_DROP_MARTIAN_SOURCE] - before == martians,
		"%" PRIu64 " of %u frames from martian sources dropped as such",
		lc->drops[WR_DP_DROP_MARTIAN_SOURCE] - before, martians);
	CHECK(set_allowed_ips("198.51.100.2/32") == 0, "AllowedIPs restored");
	for (k = 0; k < 10; k++)
		wr_ctl_poll_tables(ctl);
}

/*
 * Martian destinations: a port's frame to 0/8, loopback, class E, :: or ::1 is forwarded nowhere,
 * not into a tunnel whose AllowedIPs hold everything (RFC 1812 5.3.7; Linux drops 0/8 and
 * loopback before routing, as "martian destination"); dropped, counted, the mbuf back in the
 * pool. A frame to the port prefix's broadcast goes to the host stack.
 */
static void
test_martian_destinations(void)
{
	static const char *const dsts[] = { "0.1.2.3", "127.0.0.1", "240.0.0.1", "::", "::1" };
	struct wr_port *port = &dp->ports[0];
	struct wr_dp_lcore *lc = ctl->lc;
	unsigned int i, k, avail0 = rte_mempool_avail_count(dp->mp);

	printf("control: frames to martian destinations\n");
	CHECK(set_allowed_ips("0.0.0.0/0,::/0") == 0, "AllowedIPs 0/0 set");
	for (k = 0; k < 10; k++)
		wr_ctl_poll_tables(ctl);
	for (i = 0; i < RTE_DIM(dsts); i++) {
		uint64_t before = lc->drops[WR_DP_DROP_MARTIAN_DESTINATION];
		unsigned int held = rte_ring_count(ctl->gw.held_ring);

		port_rx(port, strchr(dsts[i], ':') != NULL ? "2001:db8:5::50" : "192.0.2.50",
			dsts[i]);
		CHECK(lc->drops[WR_DP_DROP_MARTIAN_DESTINATION] == before + 1 &&
				rte_ring_count(ctl->gw.held_ring) == held,
			"to %s: dropped as martian_destination, not held for the peer", dsts[i]);
	}
	/* a port prefix's broadcast (RFC 2644), this port's or another's: the host stack's, not
	 * sealed for the peer; the /31 and /32 have none */
	CHECK(ctl->gw.bcast4.n == 3, "the /24s' and the on-link /27's broadcasts packed, no other: %u",
		ctl->gw.bcast4.n);
	for (i = 0; i < 3; i++) {
		unsigned int held = rte_ring_count(ctl->gw.held_ring);
		unsigned int host = rte_ring_count(dp->to_control);
		const char *b = i == 0 ? "192.0.2.255" : i == 1 ? "203.0.113.255" : "198.51.100.223";

		port_rx(port, "192.0.2.50", b);
		CHECK(rte_ring_count(dp->to_control) == host + 1 &&
				rte_ring_count(ctl->gw.held_ring) == held,
			"to %s, a port prefix's broadcast: to the host stack, not held for the peer",
			b);
		/* the control lcore's host stack takes it (and drops it: not for the gateway) */
		wr_dp_poll(ctl->lc);
		CHECK(rte_ring_count(dp->to_control) == host, "the host stack took it");
	}
	for (i = 0; i < 2; i++) {
		uint32_t a;

		inet_pton(AF_INET, i == 0 ? "203.0.113.101" : "203.0.113.103", &a);
		CHECK(!wr_gw_bcast4(&ctl->gw, a), "no broadcast for a /31 or /32 (%u)", i);
	}
	CHECK(rte_mempool_avail_count(dp->mp) == avail0, "no mbuf kept");
	CHECK(set_allowed_ips("198.51.100.2/32") == 0, "AllowedIPs restored");
	for (k = 0; k < 10; k++)
		wr_ctl_poll_tables(ctl);
}

/*
 * A frame to another port's address (the LAN's, into the WAN port) is no one's to forward: not
 * sealed for a peer whose AllowedIPs hold everything; dropped as not_for_us.
 */
static void
test_other_port_addr(void)
{
	static const char *const dsts[] = { "203.0.113.1", "2001:db8:2::1" };
	struct wr_port *port = &dp->ports[0];
	struct wr_dp_lcore *lc = ctl->lc;
	unsigned int i, k, avail0 = rte_mempool_avail_count(dp->mp);

	printf("control: frames to another port's address\n");
	CHECK(set_allowed_ips("0.0.0.0/0,::/0") == 0, "AllowedIPs 0/0 set");
	for (k = 0; k < 10; k++)
		wr_ctl_poll_tables(ctl);
	for (i = 0; i < RTE_DIM(dsts); i++) {
		uint64_t before = lc->drops[WR_DP_DROP_NOT_FOR_US];
		unsigned int held = rte_ring_count(ctl->gw.held_ring);

		port_rx(port, i == 0 ? "192.0.2.50" : "2001:db8:5::50", dsts[i]);
		CHECK(lc->drops[WR_DP_DROP_NOT_FOR_US] == before + 1 &&
				rte_ring_count(ctl->gw.held_ring) == held,
			"to %s (the LAN port's) into the WAN port: dropped as not_for_us, not held "
			"for the peer",
			dsts[i]);
	}
	CHECK(rte_mempool_avail_count(dp->mp) == avail0, "no mbuf kept");
	CHECK(set_allowed_ips("198.51.100.2/32") == 0, "AllowedIPs restored");
	for (k = 0; k < 10; k++)
		wr_ctl_poll_tables(ctl);
}

/*
 * An echo request to the tunnel address from a port is answered to the frame's source: not from
 * a group or zero Ethernet address (bad_source_mac), nor from a port prefix's broadcast address
 * (martian_source), which would make the reply go to every station. From a station it is
 * answered (the reply goes out of the port).
 */
static void
test_echo_sources(void)
{
	static const struct rte_ether_addr bcast = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	static const struct rte_ether_addr group = { { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 } };
	static const struct rte_ether_addr zero = { { 0 } };
	const struct rte_ether_addr *macs[] = { &bcast, &group, &zero };
	struct wr_port *port = &dp->ports[1];
	struct wr_dp_lcore *lc = ctl->lc;
	unsigned int i, avail0 = rte_mempool_avail_count(dp->mp);
	uint64_t before;

	printf("control: echo requests to the tunnel address from bad sources\n");
	for (i = 0; i < RTE_DIM(macs); i++) {
		before = lc->drops[WR_DP_DROP_BAD_SOURCE_MAC];
		port_rx_from(port, macs[i], "203.0.113.50", "198.51.100.1");
		CHECK(lc->drops[WR_DP_DROP_BAD_SOURCE_MAC] == before + 1,
			"from Ethernet address %u of 3 (group or zero): dropped as bad_source_mac", i);
	}
	before = lc->drops[WR_DP_DROP_MARTIAN_SOURCE];
	port_rx(port, "203.0.113.255", "198.51.100.1");
	CHECK(lc->drops[WR_DP_DROP_MARTIAN_SOURCE] == before + 1,
		"from the LAN prefix's broadcast address: dropped as martian_source");
	before = lc->drops[WR_DP_DROP_MARTIAN_SOURCE];
	port_rx(port, "203.0.113.50", "198.51.100.223");
	CHECK(lc->drops[WR_DP_DROP_MARTIAN_SOURCE] == before,
		"a station's own frame is no martian (the control case)");
	wr_dp_poll(ctl->lc);
	CHECK(rte_mempool_avail_count(dp->mp) == avail0, "no mbuf kept");
}

static void
test_quarantine_drains_rings(void)
{
	char req[256];
	struct wr_gw_event ev = { .kind = WR_GW_EVENT_TX, .packets = 1, .counter = 7 };
	struct rte_mbuf *m;
	unsigned int avail0, k;
	uint64_t no_route0;
	uint32_t id;
	size_t off;

	printf("control: a removed peer's id waits for the rings\n");
	id = the_peer_id();
	CHECK(id != WR_DP_PEER_NONE, "the configured peer has an id");
	if (id == WR_DP_PEER_NONE)
		return;

	/* a worker's "data sent" event and a packet handed back to hold, both under the id */
	ev.peer_id = id;
	CHECK(rte_ring_enqueue_elem(ctl->gw.event_ring, &ev, sizeof(ev)) == 0, "event queued");
	avail0 = rte_mempool_avail_count(dp->mp);
	m = rte_pktmbuf_alloc(dp->mp);
	CHECK(m != NULL, "an mbuf");
	if (m == NULL)
		return;
	memset(rte_pktmbuf_append(m, 60), 0x45, 60);
	m->hash.usr = id;
	CHECK(rte_ring_enqueue(ctl->gw.held_ring, m) == 0, "held packet queued");

	/* the peer removed: its table is published, its id quarantined */
	off = (size_t)snprintf(req, sizeof(req), "set=1\npublic_key=");
	for (k = 0; k < WR_KEY_LEN; k++)
		off += (size_t)snprintf(req + off, sizeof(req) - off, "%02x", peer_pub[k]);
	snprintf(req + off, sizeof(req) - off, "\nremove=true\n\n");
	CHECK(uapi(req) == 0, "peer removed through the UAPI");
	CHECK(the_peer_id() == WR_DP_PEER_NONE && ctl->peers[id].quarantined,
		"its id quarantined");
	for (k = 0; k < 10 && !ctl->peers[id].token_set; k++)
		wr_ctl_poll_tables(ctl);
	CHECK(ctl->peers[id].token_set, "the table without it published");

	/* the grace period is over (no worker), but the rings still hold the id's work */
	wr_ctl_housekeeping_rcu(ctl);
	wr_ctl_housekeeping_rcu(ctl);
	CHECK(ctl->peers[id].quarantined && ctl->n_quarantined == 1,
		"not free while the event and held rings hold what was handed out under it");

	/* the control lcore takes them: the packet is dropped (no such peer), the id is free */
	no_route0 = ctl->lc->proto_drops[WR_DP_PROTO_GATEWAY][WR_DROP_NO_ROUTE];
	for (k = 0; k < 3; k++) {
		ctl->next_housekeeping = 0;
		wr_control_poll(ctl);
	}
	CHECK(rte_ring_count(ctl->gw.event_ring) == 0 && rte_ring_count(ctl->gw.held_ring) == 0,
		"rings taken");
	CHECK(ctl->lc->proto_drops[WR_DP_PROTO_GATEWAY][WR_DROP_NO_ROUTE] == no_route0 + 1,
		"the held packet dropped as the removed peer's, not queued");
	CHECK(!ctl->peers[id].quarantined && ctl->n_quarantined == 0, "then the id is free");
	CHECK(rte_mempool_avail_count(dp->mp) == avail0, "no mbuf kept");
}

/*
 * Packets held for peers without a session, all peers together, stay within WR_DP_HELD_MBUFS: a
 * LAN host sending to many offline peers cannot take the mbufs receiving needs. Over it, a packet
 * is dropped as QUEUE_FULL; the peers' removal gives every held one back.
 */
static void
test_held_bounded(void)
{
	enum { PEERS = WR_DP_HELD_MBUFS / 64 + 4, EACH = 64 };
	uint8_t keys[PEERS][WR_KEY_LEN];
	uint32_t ids[PEERS];
	char req[256];
	unsigned int i, k, found = 0, avail0 = rte_mempool_avail_count(dp->mp);
	uint64_t full0 = ctl->lc->proto_drops[0][WR_DROP_QUEUE_FULL];
	size_t off;

	printf("control: held packets bounded across peers\n");
	for (i = 0; i < PEERS; i++) {
		uint8_t priv[WR_KEY_LEN];

		wr_x25519_generate(priv);
		wr_x25519_public(keys[i], priv);
		wr_wipe(priv, sizeof(priv));
		off = (size_t)snprintf(req, sizeof(req), "set=1\npublic_key=");
		for (k = 0; k < WR_KEY_LEN; k++)
			off += (size_t)snprintf(req + off, sizeof(req) - off, "%02x", keys[i][k]);
		snprintf(req + off, sizeof(req) - off, "\n\n");
		CHECK(uapi(req) == 0, "peer %u added", i);
	}
	for (k = 0; k < ctl->capacity && found < PEERS; k++)
		if (ctl->peers[k].peer != NULL)
			ids[found++] = k;
	CHECK(found == PEERS, "%u peers with ids", found);
	if (found != PEERS)
		return;
	for (k = 0; k < 10; k++)
		wr_ctl_poll_tables(ctl);
	/* as workers hand back packets for peers without a session */
	for (i = 0; i < PEERS; i++) {
		for (k = 0; k < EACH; k++) {
			struct rte_mbuf *m = rte_pktmbuf_alloc(dp->mp);

			if (m == NULL)
				break;
			memset(rte_pktmbuf_append(m, 60), 0x45, 60);
			m->hash.usr = ids[i];
			if (rte_ring_enqueue(ctl->gw.held_ring, m) != 0) {
				rte_pktmbuf_free(m);
				break;
			}
		}
		for (k = 0; k < 4 * EACH / CTL_BUDGET; k++)
			wr_control_poll(ctl);
	}
	CHECK(ctl->held_total == WR_DP_HELD_MBUFS, "%u held, at most %u", ctl->held_total,
		WR_DP_HELD_MBUFS);
	CHECK(ctl->lc->proto_drops[0][WR_DROP_QUEUE_FULL] - full0 ==
			PEERS * EACH - WR_DP_HELD_MBUFS,
		"the rest dropped as QUEUE_FULL: %" PRIu64,
		ctl->lc->proto_drops[0][WR_DROP_QUEUE_FULL] - full0);
	for (i = 0; i < PEERS; i++) {
		off = (size_t)snprintf(req, sizeof(req), "set=1\npublic_key=");
		for (k = 0; k < WR_KEY_LEN; k++)
			off += (size_t)snprintf(req + off, sizeof(req) - off, "%02x", keys[i][k]);
		snprintf(req + off, sizeof(req) - off, "\nremove=true\n\n");
		CHECK(uapi(req) == 0, "peer %u removed", i);
	}
	CHECK(ctl->held_total == 0, "none held once the peers are gone: %u", ctl->held_total);
	CHECK(rte_mempool_avail_count(dp->mp) == avail0, "every mbuf back");
}

/* A `wg setconf` of MAX_PEERS peers numbered from @p first, all new: the request, malloc'd */
static char *
full_set(unsigned int first)
{
	size_t cap = (size_t)MAX_PEERS * 160 + 64, off;
	char *req = malloc(cap);
	unsigned int i, k;

	if (req == NULL)
		return NULL;
	off = (size_t)snprintf(
		req, cap, "set=1\nlisten_port=51820\nfwmark=0\nreplace_peers=true\n");
	for (i = 0; i < MAX_PEERS; i++) {
		uint32_t n = first + i;
		uint8_t pub[WR_KEY_LEN];

		/* any 32 bytes are a public key to the engine; distinct ones are enough */
		memset(pub, 0x5a, sizeof(pub));
		memcpy(pub, &n, sizeof(n));
		off += (size_t)snprintf(req + off, cap - off, "public_key=");
		for (k = 0; k < WR_KEY_LEN; k++)
			off += (size_t)snprintf(req + off, cap - off, "%02x", pub[k]);
		off += (size_t)snprintf(req + off, cap - off,
			"\nreplace_allowed_ips=true\nallowed_ip=%s.%u/32\n",
			i < 256 ? "198.51.100" : "203.0.113", i % 256);
	}
	snprintf(req + off, cap - off, "\n");
	return req;
}

/* A request's reply errno (uapi() says only whether it was answered) */
static int
uapi_errno(const char *req)
{
	char *resp = NULL, *e;
	size_t resp_len = 0;
	int ret;

	if (req == NULL)
		return INT32_MIN;
	ret = wr_uapi_handle(
		ctl->ifs[0].uapi, req, strlen(req), &resp, &resp_len, wr_ctl_now(ctl));
	if (ret < 0)
		return ret;
	e = strstr(resp, "errno=");
	ret = e != NULL ? atoi(e + 6) : INT32_MIN;
	free(resp);
	return ret;
}

static uint64_t
ms_since(uint64_t tsc)
{
	return (rte_rdtsc() - tsc) * 1000 / rte_get_tsc_hz();
}

/*
 * Whole sets of MAX_PEERS peers replaced back to back (`wg setconf` in a loop), nothing polled
 * between them: each set needs MAX_PEERS new ids while the last one's are still quarantined
 * (their grace period, the rings not looked at yet). Within MaxPeers that is no ENOSPC: the set
 * waits out the grace period and takes the rings itself. What a ring held under an old id stays
 * the old peer's: a packet held for it is dropped, not queued for the new peer given the id. A
 * reader that never reports quiescent makes the set fail after a bounded wait, not hang the
 * control lcore.
 */
static void
test_back_to_back_replace(void)
{
	unsigned int round, avail0 = 0, held_n;
	uint32_t id, old_id = WR_DP_PEER_NONE;
	uint64_t no_route0, t0;
	struct rte_mbuf *m;
	char *req;
	int ret;

	printf("control: whole peer sets replaced back to back\n");
	for (round = 0; round < 4; round++) {
		if (round == 2) {
			/* a packet handed back to hold under an id of the set replaced last */
			for (old_id = 0; old_id < ctl->capacity; old_id++)
				if (ctl->peers[old_id].quarantined)
					break;
			avail0 = rte_mempool_avail_count(dp->mp);
			m = rte_pktmbuf_alloc(dp->mp);
			CHECK(m != NULL && old_id < ctl->capacity, "an mbuf, a peer");
			if (m == NULL || old_id >= ctl->capacity)
				return;
			memset(rte_pktmbuf_append(m, 60), 0x45, 60);
			m->hash.usr = old_id;
			CHECK(rte_ring_enqueue(ctl->gw.held_ring, m) == 0, "held packet queued");
		}
		no_route0 = ctl->lc->proto_drops[WR_DP_PROTO_GATEWAY][WR_DROP_NO_ROUTE];
		req = full_set(round * MAX_PEERS);
		ret = uapi_errno(req);
		free(req);
		CHECK(ret == 0, "round %u: errno %d", round, ret);
		CHECK(wr_device_peer_count(ctl->ifs[0].dev) == MAX_PEERS, "round %u: %zu peers",
			round, wr_device_peer_count(ctl->ifs[0].dev));
		if (round != 2)
			continue;
		for (held_n = 0, id = 0; id < ctl->capacity; id++)
			held_n += ctl->peers[id].n;
		CHECK(rte_ring_count(ctl->gw.held_ring) == 0 && held_n == 0 &&
				ctl->lc->proto_drops[WR_DP_PROTO_GATEWAY][WR_DROP_NO_ROUTE] ==
					no_route0 + 1,
			"the old peer's packet dropped, not held for a new one (%u held)", held_n);
		CHECK(!ctl->peers[old_id].quarantined, "its id free, or taken again");
		CHECK(rte_mempool_avail_count(dp->mp) == avail0, "no mbuf kept");
	}
	for (id = 0; id < ctl->capacity; id++)
		if (ctl->peers[id].peer != NULL &&
			(uintptr_t)wr_peer_userdata(ctl->peers[id].peer) != (uintptr_t)id + 1)
			break;
	CHECK(id == ctl->capacity, "every peer has the id it is at (%u)", id);

	/*
	 * A reader online since before the next set and never quiescent again: that set gets the
	 * ids quarantined before it came online; the one after waits for it in vain, for a while.
	 */
	rte_rcu_qsbr_thread_register(ctl->gw.rcu, 7);
	rte_rcu_qsbr_thread_online(ctl->gw.rcu, 7);
	req = full_set(4 * MAX_PEERS);
	ret = uapi_errno(req);
	free(req);
	CHECK(ret == 0, "ids quarantined before the reader: errno %d", ret);
	req = full_set(5 * MAX_PEERS);
	t0 = rte_rdtsc();
	ret = uapi_errno(req);
	CHECK(ret == -ENOSPC, "with a stuck reader: errno %d", ret);
	CHECK(ms_since(t0) < 1000, "the wait was bounded: %" PRIu64 " ms", ms_since(t0));
	rte_rcu_qsbr_thread_offline(ctl->gw.rcu, 7);
	rte_rcu_qsbr_thread_unregister(ctl->gw.rcu, 7);
	ret = uapi_errno(req);
	free(req);
	CHECK(ret == 0, "the reader gone: errno %d", ret);

	/* past MaxPeers it is still refused: the same set without replace_peers */
	req = full_set(6 * MAX_PEERS);
	if (req != NULL)
		memcpy(strstr(req, "replace_peers=true"), "fwmark=00000000000", 18);
	ret = uapi_errno(req);
	free(req);
	CHECK(ret == -ENOSPC && wr_device_peer_count(ctl->ifs[0].dev) == MAX_PEERS,
		"past MaxPeers: errno %d", ret);
	CHECK(uapi_errno("set=1\nreplace_peers=true\n\n") == 0, "peers removed");
}

/* The UAPI request that adds (@p add) or removes the peer of public key @p key */
static int
uapi_peer(const uint8_t *key, bool add)
{
	char req[256];
	size_t off;
	unsigned int k;

	off = (size_t)snprintf(req, sizeof(req), "set=1\npublic_key=");
	for (k = 0; k < WR_KEY_LEN; k++)
		off += (size_t)snprintf(req + off, sizeof(req) - off, "%02x", key[k]);
	snprintf(req + off, sizeof(req) - off, add ? "\n\n" : "\nremove=true\n\n");
	return uapi(req);
}

/* The id of the peer of public key @p key, or WR_DP_PEER_NONE */
static uint32_t
id_of_key(const uint8_t *key)
{
	uint32_t id;

	for (id = 0; id < ctl->capacity; id++)
		if (ctl->peers[id].peer != NULL &&
			memcmp(wr_peer_public_key(ctl->peers[id].peer), key, WR_KEY_LEN) == 0)
			return id;
	return WR_DP_PEER_NONE;
}

/*
 * A peer given an id that an earlier peer had starts with its packet counters at zero in every
 * lcore's row, not with the earlier peer's totals.
 */
static void
test_reused_id_counters(void)
{
	uint8_t priv[WR_KEY_LEN], a[WR_KEY_LEN], b[WR_KEY_LEN];
	unsigned int l, rows = 0, clean = 0, k;
	uint32_t id;

	printf("control: a reused peer id starts from zero counters\n");
	wr_x25519_generate(priv);
	wr_x25519_public(a, priv);
	wr_x25519_generate(priv);
	wr_x25519_public(b, priv);
	wr_wipe(priv, sizeof(priv));
	CHECK(uapi_peer(a, true) == 0, "peer A added");
	id = id_of_key(a);
	CHECK(id != WR_DP_PEER_NONE, "A has an id");
	if (id == WR_DP_PEER_NONE)
		return;
	/* A's traffic, as the lcores count it */
	for (l = 0; l < RTE_MAX_LCORE; l++) {
		struct wr_worker *w = dp->lcores[l].worker;

		if (w == NULL || id >= w->crypto.n_peers)
			continue;
		w->crypto.peer[id].rx_packets = 99;
		w->crypto.peer[id].tx_bytes = 12345;
		rows++;
	}
	CHECK(rows > 0, "%u lcores count per peer", rows);
	CHECK(uapi_peer(a, false) == 0, "A removed");
	for (k = 0; k < 20 && ctl->peers[id].quarantined; k++) {
		wr_ctl_poll_tables(ctl);
		ctl->next_housekeeping = 0;
		wr_control_poll(ctl);
	}
	CHECK(!ctl->peers[id].quarantined, "A's id out of quarantine");
	ctl->id_cursor = id;
	CHECK(uapi_peer(b, true) == 0 && id_of_key(b) == id, "peer B added, on A's old id");
	for (l = 0; l < RTE_MAX_LCORE; l++) {
		struct wr_worker *w = dp->lcores[l].worker;

		if (w != NULL && id < w->crypto.n_peers)
			clean += w->crypto.peer[id].rx_packets == 0 && w->crypto.peer[id].tx_bytes == 0;
	}
	CHECK(clean == rows, "B's counters zero in %u of %u rows", clean, rows);
	CHECK(uapi_peer(b, false) == 0, "B removed");
}

int
main(int argc, char **argv)
{
	char *eal[] = { argv[0], "--no-huge", "--no-shconf", "--no-pci", "-l", "0", "-m", "256",
		"--log-level", "lib.eal:error", "--no-telemetry", NULL };

	(void)argc;
	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0) {
		printf("rte_eal_init failed\n");
		return 2;
	}
	if (setup() < 0)
		return 2;
	test_tunnel_addrs();
	test_iface_addrs_limit();
	test_src_lookup();
	test_martian_sources();
	test_martian_destinations();
	test_other_port_addr();
	test_echo_sources();
	test_quarantine_drains_rings();
	test_held_bounded();
	test_reused_id_counters();
	test_back_to_back_replace();
	wr_control_destroy(ctl);
	wr_dp_destroy(dp);
	rte_eal_cleanup();
	printf("control: %u checks, %u failures\n", checks, failures);
	return failures == 0 ? 0 : 1;
}
