/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the two halves of the data plane's fuzz harness share: fuzz_dataplane.c (the gateway, its
 * peer, the inputs, the self-check) and fuzz_dataplane_wire.c (every frame out of the gateway
 * checked, and the wire's answers to it).
 */
#ifndef WR_FUZZ_DATAPLANE_H
#define WR_FUZZ_DATAPLANE_H

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "control.h"
#include "dataplane.h"
#include "../unit/ring_bed.h"
#include "gw.h"
#include "neigh.h"
#include "wr_base64.h"
#include "wr_config.h"
#include "wr_crypto.h"
#include "wr_data.h"
#include "wr_device.h"

#define WORKER 1
#define CONTROL 0
#define WG_PORT 51820
#define MTU 1420
/* the second interface's listen port and MTU, and its peer's port (on the WAN station) */
#define WG_PORT_B 51821
#define MTU_B 1280
#define WG_PORT_B_PEER 51822
#define RING_SIZE 1024
#define MAX_FRAME 2048
#define MAX_BURST 32
#define ETH_LEN 14
#ifndef KEY_REFRESH_S
#define KEY_REFRESH_S 120 /* a new handshake after this many seconds (see refresh_keys()) */
#endif

/* one port as the wire sees it */
struct wire {
	const char *name;
	struct rte_ring *rx, *tx[2];
	uint16_t port_id;
	struct rte_ether_addr mac;  /* the gateway port's */
	struct rte_ether_addr smac; /* the station's */
	uint8_t addr[4], saddr[4];  /* the gateway's and the station's */
	uint8_t addr6[16], saddr6[16];
};

struct fuzz_state {
	struct wr_dataplane *dp;
	struct wr_control *ctl;
	struct wire wan, lan;
	struct wr_device *rem; /* the peer's engine */
	struct wr_peer *rem_gw;
	bool rem_feed; /* hand the peer what the gateway sends it (only while bringing it up) */
	bool have_keys;
	unsigned int delivered;
	unsigned int sealed_out; /* transport data with a payload out of the WAN port */
	unsigned int opened;     /* of those, opened by the peer's keys (check_sealed()) */
	/* the peer's receiving keys, the latest first, by a mix of their receiver index */
	struct {
		uint32_t index_mix;
		uint8_t key[WR_KEY_LEN];
	} rx_keys[3];
	unsigned int lan6_out; /* IPv6 frames out of the LAN port of protocol 253 */
	unsigned int lan4_out; /* IPv4 ones */
	unsigned int init_b;   /* initiations from the second interface */
	/* the latest ICMP or ICMPv6 message from the gateway that the peer opened: type, code,
	 * bytes 4-7 */
	uint8_t icmp_type, icmp_code;
	uint32_t icmp_mtu;
	uint32_t remote_index;
	uint64_t keys_at; /* wall_ns() of the latest handshake */
	uint8_t send_key[WR_KEY_LEN];
	uint64_t counter;
	unsigned int in_use0; /* mbufs in use once up */
	uint8_t scratch[MAX_FRAME];
};

/* the harness: fuzz_dataplane.c's */
extern struct fuzz_state F;

static inline __rte_noreturn void
die(const char *what)
{
	fprintf(stderr, "fuzz_dataplane: %s\n", what);
	abort();
}

/* fuzz_dataplane.c: frames into the gateway */
void
push(struct wire *w, struct rte_mbuf **pkts, unsigned int n);
struct rte_mbuf *
frame(size_t len, uint8_t **p);
void
put_eth(uint8_t *p, const struct wire *w, uint16_t type);

/* fuzz_dataplane_wire.c: frames out of it */
uint32_t
index_mix(uint32_t index);
unsigned int
service(bool strict);

#endif /* WR_FUZZ_DATAPLANE_H */
