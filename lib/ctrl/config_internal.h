/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private to the configuration parser: config.c (lines, sections, whole-file checks, API),
 * config_keys.c (one handler per key) and config_values.c (the syntax of single values).
 *
 * The value parsers return NULL on success or a static phrase saying what is wrong, which the
 * caller puts after "file:line: Key: 'value': ".
 */
#ifndef WR_CONFIG_INTERNAL_H
#define WR_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wr_config.h"

/* How much of a value an error message echoes. */
#define WR_CONFIG_ECHO_MAX 80
/* A key file holds 44 characters and a newline; a little slack for whitespace. */
#define WR_CONFIG_KEY_FILE_MAX 128
/* The bit of section @p s in struct key_def's sections. */
#define WR_CONFIG_IN(s) (1u << (s))

/* The section being parsed. */
enum section { SEC_NONE, SEC_GATEWAY, SEC_PORT, SEC_INTERFACE, SEC_PEER };

/* Every key; the ignored wg-quick keys share one id. */
enum key_id {
	K_CONTROL,
	K_WORKERS,
	K_CONTROL_SOCKET,
	K_MAX_PEERS,
	K_CONTROL_ADDRESS,
	K_CONTROL_TOKEN_FILE,
	K_DEVICE,
	K_ADDRESS,
	K_ROUTE,
	K_PRIVATE_KEY,
	K_PRIVATE_KEY_FILE,
	K_LISTEN_PORT,
	K_PORT,
	K_MTU,
	K_UDP_CHECKSUM,
	K_PUBLIC_KEY,
	K_PRESHARED_KEY,
	K_ENDPOINT,
	K_ALLOWED_IPS,
	K_PERSISTENT_KEEPALIVE,
	K_IGNORED,
	K_COUNT
};

/* What the parser knows beyond struct wr_config_interface, for checks at the end of the file. */
struct iface_extra {
	char port_name[WR_CONFIG_NAME_MAX + 1];
	unsigned int port_line;
	unsigned int listen_port_line;
	unsigned int mtu_line;
};

/* The state of one load: the struct being built and what the checks need on the way. */
struct parser {
	const char *name; /* for messages */
	const char *dir;  /* base of a relative PrivateKeyFile, NULL: the current directory */
	struct wr_config *cfg;
	struct wr_config_error *err;
	unsigned int line;
	enum section sec;
	unsigned int seen[K_COUNT]; /* line each key was last given on in this section, 0: not */
	unsigned int gateway_line, control_line, workers_line, control_address_line;
	unsigned int control_token_file_line;
	unsigned int max_peers_line;
	size_t cap_ports, cap_ifaces, cap_warnings, cap_extra;
	size_t cap_addrs, cap_routes, cap_peers, cap_aips; /* of the current section's record */
	struct iface_extra *extra;                         /* parallel to cfg->interfaces */
	/* Open-addressing set of the current interface's peers (indices), by public key. */
	size_t *peer_table;
	size_t peer_table_cap, peer_table_count;
	/* The same for its AllowedIPs, by prefix: entries are (peer << 32 | index), empty ~0. */
	uint64_t *aip_table;
	size_t aip_table_cap, aip_table_count;
};

/* A key: its canonical spelling (for messages), sections, and handler. */
struct key_def {
	const char *name;
	enum key_id id;
	unsigned int sections; /* bit (1 << enum section) for each section it belongs to */
	bool repeatable;
	int (*set)(struct parser *p, const struct key_def *k, char *value);
};

/* The record of the section being parsed (the last one of its kind). */
static inline struct wr_config_port *
cur_port(struct parser *p)
{
	return &p->cfg->ports[p->cfg->n_ports - 1];
}

static inline struct wr_config_interface *
cur_iface(struct parser *p)
{
	return &p->cfg->interfaces[p->cfg->n_interfaces - 1];
}

static inline struct wr_config_peer *
cur_peer(struct parser *p)
{
	struct wr_config_interface *ifc = cur_iface(p);

	return &ifc->peers[ifc->n_peers - 1];
}

/** Record the error "file:line: ..." (line 0: "file: ...") in p->err; returns -EINVAL. */
__attribute__((format(printf, 3, 4))) int
wr_config_fail(struct parser *p, unsigned int line, const char *fmt, ...);

/** Add the warning "file:line: ..." to p->cfg; returns 0 or -ENOMEM (with the error set). */
__attribute__((format(printf, 3, 4))) int
wr_config_warn(struct parser *p, unsigned int line, const char *fmt, ...);

/** Record "out of memory" in p->err; returns -ENOMEM. */
int
wr_config_oom(struct parser *p);

/**
 * Make room for one more element of @p size bytes in *@p arr (@p n used, *@p cap allocated);
 * new room is zeroed. The old block is wiped before it is freed. Returns 0 or -ENOMEM.
 */
int
wr_config_grow(void **arr, size_t *cap, size_t n, size_t size);

/**
 * Read the bearer token from cfg->control_token_file (given on p->control_token_file_line) into
 * cfg->control_token: the file's first line, whatever ends it, without trailing blanks, 1 to
 * WR_CONFIG_TOKEN_MAX characters. Returns 0 or the error set.
 */
int
wr_config_read_token(struct parser *p);

/** The key named @p name (case-insensitive), or NULL. */
const struct key_def *
wr_config_find_key(const char *name);

/** Is @p s a valid [Port]/[Interface] name: 1..WR_CONFIG_NAME_MAX of [A-Za-z0-9_.-]? */
bool
wr_config_valid_name(const char *s);

/** Strip ASCII whitespace from both ends of @p s in place; returns the new start. */
char *
wr_config_trim(char *s);

/**
 * Next item of a comma-separated list at *@p cursor, trimmed and NUL-terminated in place;
 * advances *@p cursor (NULL after the last item). Returns NULL when the list is exhausted.
 */
char *
wr_config_next_item(char **cursor);

/** A decimal number 0..@p max (no sign, no leading '+', no spaces). */
const char *
wr_config_parse_uint(const char *s, unsigned long max, unsigned long *out);

/** An IPv4 or IPv6 address without prefix length. */
const char *
wr_config_parse_addr(const char *s, uint8_t *family, uint8_t addr[16]);

/**
 * "ADDR[/CIDR]" (a missing CIDR means a host prefix, /32 or /128). Host bits are kept; see
 * wr_config_prefix_mask(). Modifies @p s.
 */
const char *
wr_config_parse_prefix(char *s, struct wr_config_prefix *pfx);

/** Clear the host bits of @p pfx; returns true when any were set. */
bool
wr_config_prefix_mask(struct wr_config_prefix *pfx);

/** "A.B.C.D:PORT" or "[V6]:PORT", PORT 1..65535. Host names are refused. */
const char *
wr_config_parse_endpoint(const char *s, struct wr_config_endpoint *ep);

/**
 * A DPDK lcore list such as "1-3,5" into the bitmap @p mask (WR_CONFIG_LCORE_MAX bits, cleared
 * first). Ids must be below WR_CONFIG_LCORE_MAX and listed once. Modifies @p s.
 */
const char *
wr_config_parse_lcores(char *s, uint64_t mask[WR_CONFIG_LCORE_MAX / 64]);

/** Write "A.B.C.D/N" or "V6/N" for @p pfx into @p buf (at least 64 bytes). */
void
wr_config_format_prefix(char *buf, size_t len, const struct wr_config_prefix *pfx);

#endif /* WR_CONFIG_INTERNAL_H */
