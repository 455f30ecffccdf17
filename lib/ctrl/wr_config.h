/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The gateway's configuration file: wg-quick's format with the gateway's own sections
 * ([Gateway], [Port NAME], [Interface NAME], [Peer]). docs/configuration.md describes every key.
 *
 * Ownership: wr_config_load_file()/wr_config_load_string() return one heap-allocated struct
 * wr_config that owns everything reachable from it (arrays, strings, keys); the caller frees it
 * with wr_config_free(), which also wipes the private and preshared keys. The struct is read-only
 * for its users once returned: pointers into its arrays (a port, an interface, a peer) stay valid
 * until wr_config_free().
 *
 * Addresses are raw bytes in network order, as in wr_allowedips.h: the first 4 bytes of addr[]
 * for AF_INET (the rest zero), all 16 for AF_INET6. Ports and numbers are in host order.
 *
 * Concurrency: none; a loaded configuration may be read from any thread.
 */
#ifndef WR_CONFIG_H
#define WR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wr_messages.h"

/** Longest [Port NAME] / [Interface NAME] name, without the terminating NUL. */
#define WR_CONFIG_NAME_MAX 31
/** Longest [Interface NAME]: a network interface's (IFNAMSIZ - 1), as wg and the REST API take */
#define WR_CONFIG_IFACE_NAME_MAX 15
/** Lcore ids in Control/Workers are below this (DPDK's RTE_MAX_LCORE may be at most this). */
#define WR_CONFIG_LCORE_MAX 1024
/** Default and bounds of an interface's MTU (the tunnel MTU, as wg-quick's MTU key). */
#define WR_CONFIG_MTU_DEFAULT 1420
#define WR_CONFIG_MTU_MIN 576
#define WR_CONFIG_MTU_MIN_IPV6 1280
#define WR_CONFIG_MTU_MAX 9000
/** Default of [Gateway] MaxPeers, and its largest value. */
#define WR_CONFIG_MAX_PEERS_DEFAULT 16384
#define WR_CONFIG_MAX_PEERS_MAX 1000000

/** Default of [Gateway] ControlSocket. */
#define WR_CONFIG_CONTROL_SOCKET_DEFAULT "/run/wirerate/ctrl.sock"
/** Longest bearer token in ControlTokenFile (its first line), in characters. */
#define WR_CONFIG_TOKEN_MAX 511
/** Room for an error or warning message, "file:line: text" included. */
#define WR_CONFIG_MSG_MAX 256

/** An address with a prefix length: Address, AllowedIPs, a Route's destination. */
struct wr_config_prefix {
	/** AF_INET or AF_INET6. */
	uint8_t family;
	/** Prefix length: 0..32 for AF_INET, 0..128 for AF_INET6. */
	uint8_t cidr;
	/**
	 * The address in network order (4 bytes used for AF_INET). For AllowedIPs and Route
	 * destinations the host bits are zero (the parser masks them, with a warning); for Address
	 * it is the host's own address and the host bits are kept.
	 */
	uint8_t addr[16];
};

/** A UDP endpoint: a peer's Endpoint. */
struct wr_config_endpoint {
	/** AF_INET or AF_INET6; 0 when the peer has no Endpoint (it is learnt when it connects). */
	uint8_t family;
	/** UDP port, host order, 1..65535 (unset when family is 0). */
	uint16_t port;
	/** The address in network order (4 bytes used for AF_INET). */
	uint8_t addr[16];
};

/** A static route of a [Port]: "Route = DST/CIDR [via GATEWAY]". */
struct wr_config_route {
	/** Destination prefix, host bits zero. */
	struct wr_config_prefix dst;
	/** True when the route has "via GATEWAY"; false for an on-link route. */
	bool has_gateway;
	/** The next hop, same family as dst, network order (valid when has_gateway). */
	uint8_t gateway[16];
};

/** One [Port NAME] section: a DPDK port. */
struct wr_config_port {
	/** The section's name, as [Interface] Port refers to it (unique, case-sensitive). */
	char name[WR_CONFIG_NAME_MAX + 1];
	/** DPDK device arguments (Device): a PCI address or a vdev string such as
	 *  "net_af_packet0,iface=veth0". Never NULL once loaded. */
	char *device;
	/** The port's own addresses (Address), in file order; may be empty. */
	struct wr_config_prefix *addrs;
	/** Number of entries in addrs. */
	size_t n_addrs;
	/** Static routes (Route), in file order; may be empty. */
	struct wr_config_route *routes;
	/** Number of entries in routes. */
	size_t n_routes;
	/** Line of the section header, for messages that refer back to the file. */
	unsigned int line;
};

/** One [Peer] section, owned by the [Interface] above it. */
struct wr_config_peer {
	/** The peer's static public key (PublicKey); unique within its interface. */
	uint8_t public_key[WR_KEY_LEN];
	/** The preshared key (PresharedKey), all zeros when has_preshared_key is false (as
	 *  WireGuard treats a missing one). Secret: wiped by wr_config_free(). */
	uint8_t preshared_key[WR_KEY_LEN];
	/** True when the section had a PresharedKey. */
	bool has_preshared_key;
	/** Endpoint; endpoint.family is 0 when unset (remote access). */
	struct wr_config_endpoint endpoint;
	/** AllowedIPs in file order, host bits masked; may be empty. */
	struct wr_config_prefix *allowed_ips;
	/** Number of entries in allowed_ips. */
	size_t n_allowed_ips;
	/** PersistentKeepalive in seconds, 0 = off (the default). */
	uint16_t persistent_keepalive;
	/** Line of the [Peer] header. */
	unsigned int line;
};

/** One [Interface NAME] section: a WireGuard interface with its key, UDP port and peers. */
struct wr_config_interface {
	/** The section's name (unique, case-sensitive); also the name `wg` shows. */
	char name[WR_CONFIG_NAME_MAX + 1];
	/** The static private key (PrivateKey, or read from PrivateKeyFile). Secret: wiped by
	 *  wr_config_free(). */
	uint8_t private_key[WR_KEY_LEN];
	/** The public key derived from private_key (X25519 base point multiplication). */
	uint8_t public_key[WR_KEY_LEN];
	/** UDP port (ListenPort), 1..65535; unique among the interfaces on the same port. */
	uint16_t listen_port;
	/** Index into wr_config.ports of the port (Port) whose addresses take this UDP port. */
	size_t port;
	/** The gateway's own addresses inside the tunnel (Address); may be empty. */
	struct wr_config_prefix *addrs;
	/** Number of entries in addrs. */
	size_t n_addrs;
	/** Tunnel MTU (MTU), WR_CONFIG_MTU_MIN..WR_CONFIG_MTU_MAX, at least WR_CONFIG_MTU_MIN_IPV6
	 *  when the tunnel carries IPv6; default WR_CONFIG_MTU_DEFAULT. */
	uint16_t mtu;
	/** UDPChecksum = on (true): every data message sent carries a UDP checksum, the NIC's or
	 *  computed. auto (false, the default): the NIC's where the output port offers it, else
	 *  none over IPv4 (zero, RFC 768; the message is authenticated), computed over IPv6. */
	bool udp_checksum;
	/** The peers, in file order; may be empty. */
	struct wr_config_peer *peers;
	/** Number of entries in peers. */
	size_t n_peers;
	/** Line of the section header. */
	unsigned int line;
};

/** A non-fatal remark about the file (an ignored wg-quick key, masked host bits, ...). */
struct wr_config_warning {
	/** Line it refers to, 0 for the file as a whole. */
	unsigned int line;
	/** "file:line: text" (never contains key material). */
	char *message;
};

/** A loaded configuration. Everything here is owned by the struct; see wr_config_free(). */
struct wr_config {
	/** The name the file was loaded under (its path, or the name given to load_string). */
	char *source;
	/** [Gateway] Control: the lcore running the control plane; default 0. */
	unsigned int control_lcore;
	/** [Gateway] Workers as a bitmap: bit (i % 64) of worker_mask[i / 64] is set for lcore i.
	 */
	uint64_t worker_mask[WR_CONFIG_LCORE_MAX / 64];
	/** [Gateway] Workers as an ascending list of distinct lcore ids; default { 1 }. Never
	 *  contains control_lcore. */
	unsigned int *workers;
	/** Number of entries in workers (at least 1). */
	size_t n_workers;
	/** [Gateway] ControlSocket: path of the REST control socket; default
	 *  WR_CONFIG_CONTROL_SOCKET_DEFAULT. Never NULL once loaded. */
	char *control_socket;
	/** [Gateway] ControlAddress: the REST API's TCP listener, "192.0.2.1:8080" or
	 *  "[2001:db8::1]:8080" (numeric); NULL: none. Needs control_token_file. */
	char *control_address;
	/** [Gateway] ControlTokenFile: the file holding the bearer token the TCP listener
	 *  requires, a relative path taken from the configuration file's directory (as
	 *  PrivateKeyFile); NULL: none. */
	char *control_token_file;
	/** The bearer token: the first line of control_token_file, read with the file when
	 *  ControlAddress is given (NULL otherwise); 1..WR_CONFIG_TOKEN_MAX characters, never in a
	 *  message. Secret: wiped by wr_config_free(). */
	char *control_token;
	/** [Gateway] MaxPeers: most peers of all interfaces together, however they are added
	 *  (file, REST, wg); a write that would pass it is refused. Default: the larger of
	 *  WR_CONFIG_MAX_PEERS_DEFAULT and the file's peers. */
	size_t max_peers;
	/** The [Port] sections in file order (at least one). */
	struct wr_config_port *ports;
	/** Number of entries in ports. */
	size_t n_ports;
	/** The [Interface] sections in file order; may be empty. */
	struct wr_config_interface *interfaces;
	/** Number of entries in interfaces. */
	size_t n_interfaces;
	/** Warnings, in file order. */
	struct wr_config_warning *warnings;
	/** Number of entries in warnings. */
	size_t n_warnings;
};

/** Why a load failed. */
struct wr_config_error {
	/** Line of the offending text, 0 when the error is not about one line (unreadable file,
	 *  out of memory, a missing section). */
	unsigned int line;
	/** "file:line: what is wrong", or "file: what is wrong" when line is 0. NUL-terminated,
	 *  possibly truncated; never contains key material. */
	char message[WR_CONFIG_MSG_MAX];
};

/**
 * Load and validate the configuration file at @p path. A relative PrivateKeyFile or
 * ControlTokenFile is taken relative to the directory of @p path.
 *
 * On success returns 0 and stores a new configuration in *@p out, which the caller frees with
 * wr_config_free(). On failure returns -EINVAL (the file is wrong), -ENOMEM, or the -errno of
 * opening/reading the file, leaves *@p out NULL, and fills @p err (when not NULL); nothing
 * half-built is returned.
 */
int
wr_config_load_file(const char *path, struct wr_config **out, struct wr_config_error *err);

/**
 * As wr_config_load_file(), from the @p len bytes at @p text (need not be NUL-terminated).
 * @p name is used in messages (NULL: "<string>"); a relative PrivateKeyFile or ControlTokenFile
 * is taken relative to the current directory. For tests and fuzzing.
 */
int
wr_config_load_string(const char *text, size_t len, const char *name, struct wr_config **out,
	struct wr_config_error *err);

/** Wipe the secret keys and the token, free @p cfg and everything it owns. NULL is a no-op. */
void
wr_config_free(struct wr_config *cfg);

/** True when lcore @p lcore is one of @p cfg's workers. */
bool
wr_config_is_worker(const struct wr_config *cfg, unsigned int lcore);

/**
 * The interface named @p name, or NULL. Linear in the number of interfaces (there are few).
 */
const struct wr_config_interface *
wr_config_find_interface(const struct wr_config *cfg, const char *name);

/** The port named @p name, or NULL. */
const struct wr_config_port *
wr_config_find_port(const struct wr_config *cfg, const char *name);

#endif /* WR_CONFIG_H */
