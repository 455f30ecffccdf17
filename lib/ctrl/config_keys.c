/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The configuration keys: one handler per key, and the table saying which section each belongs
 * to. A handler gets the trimmed, non-empty value (which it may modify) and reports problems with
 * wr_config_fail()/wr_config_warn(); it never echoes a key's value.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "config_internal.h"
#include "wr_base64.h"
#include "wr_crypto.h"

/* ---- [Gateway] ---- */

static int
set_control(struct parser *p, const struct key_def *k, char *value)
{
	unsigned long v;

	if (wr_config_parse_uint(value, WR_CONFIG_LCORE_MAX - 1, &v))
		return wr_config_fail(p, p->line, "%s: '%.*s': expected an lcore id (0..%d)",
			k->name, WR_CONFIG_ECHO_MAX, value, WR_CONFIG_LCORE_MAX - 1);
	p->cfg->control_lcore = (unsigned int)v;
	p->control_line = p->line;
	return 0;
}

static int
set_workers(struct parser *p, const struct key_def *k, char *value)
{
	char echo[WR_CONFIG_ECHO_MAX + 1];
	const char *why;

	snprintf(echo, sizeof(echo), "%s", value);
	why = wr_config_parse_lcores(value, p->cfg->worker_mask);
	if (why)
		return wr_config_fail(p, p->line, "%s: '%s': %s", k->name, echo, why);
	p->workers_line = p->line;
	return 0;
}

static int
set_max_peers(struct parser *p, const struct key_def *k, char *value)
{
	unsigned long v;

	if (wr_config_parse_uint(value, WR_CONFIG_MAX_PEERS_MAX, &v) || v == 0)
		return wr_config_fail(p, p->line, "%s: '%.*s': expected a number of peers (1..%d)",
			k->name, WR_CONFIG_ECHO_MAX, value, WR_CONFIG_MAX_PEERS_MAX);
	p->cfg->max_peers = (size_t)v;
	p->max_peers_line = p->line;
	return 0;
}

static int
set_control_socket(struct parser *p, const struct key_def *k, char *value)
{
	struct sockaddr_un sun;
	char *s;

	if (strlen(value) >= sizeof(sun.sun_path))
		return wr_config_fail(p, p->line, "%s: path longer than %zu characters", k->name,
			sizeof(sun.sun_path) - 1);
	s = strdup(value);
	if (!s)
		return wr_config_oom(p);
	free(p->cfg->control_socket);
	p->cfg->control_socket = s;
	return 0;
}

static int
set_string(struct parser *p, char **dst, const char *value)
{
	char *s = strdup(value);

	if (!s)
		return wr_config_oom(p);
	free(*dst);
	*dst = s;
	return 0;
}

/* Numeric only, "a.b.c.d:port" or "[v6]:port": the control loop never waits on DNS. */
static int
set_control_address(struct parser *p, const struct key_def *k, char *value)
{
	char host[INET6_ADDRSTRLEN], *colon = strrchr(value, ':');
	unsigned char buf[16];
	unsigned long port;
	size_t hl;
	bool v6;

	if (colon == NULL || colon[1] == '\0' || colon[1 + strspn(colon + 1, "0123456789")] != '\0')
		goto bad;
	/* clients must know where to connect: no port picked at random */
	if (wr_config_parse_uint(colon + 1, 65535, &port) || port == 0)
		return wr_config_fail(p, p->line, "%s: '%.*s': expected a TCP port (1..65535)",
			k->name, WR_CONFIG_ECHO_MAX, value);
	v6 = value[0] == '[';
	hl = (size_t)(colon - value) - (v6 ? 2 : 0);
	if ((v6 && colon[-1] != ']') || hl == 0 || hl >= sizeof(host))
		goto bad;
	memcpy(host, value + (v6 ? 1 : 0), hl);
	host[hl] = '\0';
	if (inet_pton(v6 ? AF_INET6 : AF_INET, host, buf) != 1)
		goto bad;
	p->control_address_line = p->line;
	return set_string(p, &p->cfg->control_address, value);
bad:
	return wr_config_fail(p, p->line, "%s: '%.*s': expected ADDRESS:PORT or [ADDRESS]:PORT",
		k->name, WR_CONFIG_ECHO_MAX, value);
}

/*
 * The path of a file that a key names: a relative one is taken from the configuration file's
 * directory (the current one for a string), wherever the gateway was started from.
 */
static int
resolve_path(struct parser *p, const char *key, const char *value, char path[PATH_MAX])
{
	int n;

	if (value[0] != '/' && p->dir)
		n = snprintf(path, PATH_MAX, "%s/%s", p->dir, value);
	else
		n = snprintf(path, PATH_MAX, "%s", value);
	if (n < 0 || n >= PATH_MAX)
		return wr_config_fail(
			p, p->line, "%s: '%.*s': path too long", key, WR_CONFIG_ECHO_MAX, value);
	return 0;
}

/*
 * Open the secret file at @p path for @p key (reported on @p line as @p echo) into *@p fd: a
 * regular file only, and a warning when others may read it. Returns 0 or the error set.
 */
static int
open_secret(struct parser *p, const char *key, unsigned int line, const char *echo,
	const char *path, int *fd)
{
	struct stat st;
	int rc;

	/* O_NONBLOCK: a FIFO or device named here must not hang the parser. */
	*fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (*fd < 0)
		return wr_config_fail(
			p, line, "%s: '%.*s': %s", key, WR_CONFIG_ECHO_MAX, echo, strerror(errno));
	if (fstat(*fd, &st)) {
		rc = wr_config_fail(
			p, line, "%s: '%.*s': %s", key, WR_CONFIG_ECHO_MAX, echo, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = wr_config_fail(
			p, line, "%s: '%.*s': not a regular file", key, WR_CONFIG_ECHO_MAX, echo);
		goto fail;
	}
	if (st.st_mode & (S_IRGRP | S_IROTH)) {
		rc = wr_config_warn(p, line,
			"%s: '%.*s' is readable by group or others (chmod 600 it)", key,
			WR_CONFIG_ECHO_MAX, echo);
		if (rc)
			goto fail;
	}
	return 0;
fail:
	close(*fd);
	*fd = -1;
	return rc;
}

/* Up to @p cap bytes of @p fd into @p buf, *@p len of them (fewer: the end of the file). */
static int
read_upto(int fd, char *buf, size_t cap, size_t *len)
{
	ssize_t n;

	*len = 0;
	while (*len < cap) {
		n = read(fd, buf + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		*len += (size_t)n;
	}
	return 0;
}

/* The token itself is read once the rest of the file holds, with ControlAddress only */
static int
set_control_token_file(struct parser *p, const struct key_def *k, char *value)
{
	char path[PATH_MAX];
	int rc = resolve_path(p, k->name, value, path);

	if (rc)
		return rc;
	p->control_token_file_line = p->line;
	return set_string(p, &p->cfg->control_token_file, path);
}

int
wr_config_read_token(struct parser *p)
{
	struct wr_config *cfg = p->cfg;
	const char *path = cfg->control_token_file;
	unsigned int line = p->control_token_file_line;
	/* one byte more than a token may have, to see that the first line goes on */
	char buf[WR_CONFIG_TOKEN_MAX + 2];
	size_t len, n;
	int fd, rc;

	rc = open_secret(p, "ControlTokenFile", line, path, path, &fd);
	if (rc)
		return rc;
	rc = read_upto(fd, buf, WR_CONFIG_TOKEN_MAX + 1, &len);
	if (rc) {
		rc = wr_config_fail(p, line, "ControlTokenFile: '%.*s': %s", WR_CONFIG_ECHO_MAX,
			path, strerror(-rc));
		goto out;
	}
	/* its first line, whatever ends it: \n, \r\n or \r */
	for (n = 0; n < len && buf[n] != '\n' && buf[n] != '\r'; n++)
		;
	/* the whole first line or nothing: a token cut short would only ever get 401 */
	if (n > WR_CONFIG_TOKEN_MAX) {
		rc = wr_config_fail(p, line,
			"ControlTokenFile: '%.*s': its first line is longer than %d characters",
			WR_CONFIG_ECHO_MAX, path, WR_CONFIG_TOKEN_MAX);
		goto out;
	}
	/* nor could a client send one with a NUL byte in it */
	if (memchr(buf, '\0', n)) {
		rc = wr_config_fail(p, line,
			"ControlTokenFile: '%.*s': a NUL byte in its first line",
			WR_CONFIG_ECHO_MAX, path);
		goto out;
	}
	while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\t' || buf[n - 1] == '\v' ||
				buf[n - 1] == '\f'))
		n--;
	if (n == 0) {
		rc = wr_config_fail(p, line, "ControlTokenFile: '%.*s': no token in its first line",
			WR_CONFIG_ECHO_MAX, path);
		goto out;
	}
	/* not strdup(): a copy of exactly this size, which wr_config_free() wipes */
	cfg->control_token = malloc(n + 1);
	if (!cfg->control_token) {
		rc = wr_config_oom(p);
		goto out;
	}
	memcpy(cfg->control_token, buf, n);
	cfg->control_token[n] = '\0';
out:
	wr_wipe(buf, sizeof(buf));
	close(fd);
	return rc;
}

/* ---- [Port NAME] ---- */

static int
set_device(struct parser *p, const struct key_def *k, char *value)
{
	struct wr_config_port *port = cur_port(p);

	port->device = strdup(value);
	return port->device ? 0 : wr_config_oom(p);
}

static int
add_prefix(struct parser *p, struct wr_config_prefix **arr, size_t *n, size_t *cap,
	const struct wr_config_prefix *pfx)
{
	if (wr_config_grow((void **)arr, cap, *n, sizeof(**arr)))
		return wr_config_oom(p);
	(*arr)[(*n)++] = *pfx;
	return 0;
}

/*
 * Parse one prefix list item; masks host bits with a warning when @p mask (AllowedIPs, routes:
 * a host address there is almost always a typo for the network).
 */
static int
item_prefix(struct parser *p, const struct key_def *k, char *item, bool mask,
	struct wr_config_prefix *pfx)
{
	char echo[WR_CONFIG_ECHO_MAX + 1];
	char fixed[64];
	const char *why;

	if (!*item)
		return wr_config_fail(p, p->line, "%s: empty list item", k->name);
	snprintf(echo, sizeof(echo), "%s", item);
	why = wr_config_parse_prefix(item, pfx);
	if (why)
		return wr_config_fail(p, p->line, "%s: '%s': %s", k->name, echo, why);
	if (mask && wr_config_prefix_mask(pfx)) {
		wr_config_format_prefix(fixed, sizeof(fixed), pfx);
		return wr_config_warn(
			p, p->line, "%s: '%s' has host bits set; using %s", k->name, echo, fixed);
	}
	return 0;
}

static int
set_address(struct parser *p, const struct key_def *k, char *value)
{
	struct wr_config_prefix pfx;
	struct wr_config_prefix **arr;
	size_t *n;
	char *item;
	int rc;

	if (p->sec == SEC_PORT) {
		arr = &cur_port(p)->addrs;
		n = &cur_port(p)->n_addrs;
	} else {
		arr = &cur_iface(p)->addrs;
		n = &cur_iface(p)->n_addrs;
	}
	while ((item = wr_config_next_item(&value))) {
		rc = item_prefix(p, k, item, false, &pfx);
		if (!rc)
			rc = add_prefix(p, arr, n, &p->cap_addrs, &pfx);
		if (rc)
			return rc;
	}
	return 0;
}

static int
set_route(struct parser *p, const struct key_def *k, char *value)
{
	struct wr_config_port *port = cur_port(p);
	struct wr_config_route route;
	char *item;
	int rc;

	while ((item = wr_config_next_item(&value))) {
		char echo[WR_CONFIG_ECHO_MAX + 1];
		char *save = NULL, *dst, *via, *gw;
		uint8_t family;

		snprintf(echo, sizeof(echo), "%s", item);
		memset(&route, 0, sizeof(route));
		dst = strtok_r(item, " \t", &save);
		via = strtok_r(NULL, " \t", &save);
		gw = strtok_r(NULL, " \t", &save);
		if (!dst || (via && (strcasecmp(via, "via") || !gw)) ||
			strtok_r(NULL, " \t", &save))
			return wr_config_fail(p, p->line,
				"%s: '%s': expected DESTINATION/CIDR [via GATEWAY]", k->name, echo);
		rc = item_prefix(p, k, dst, true, &route.dst);
		if (rc)
			return rc;
		if (gw) {
			if (wr_config_parse_addr(gw, &family, route.gateway))
				return wr_config_fail(p, p->line,
					"%s: '%s': invalid gateway address", k->name, echo);
			if (family != route.dst.family)
				return wr_config_fail(p, p->line,
					"%s: '%s': gateway and destination are of different "
					"families",
					k->name, echo);
			route.has_gateway = true;
		}
		if (wr_config_grow((void **)&port->routes, &p->cap_routes, port->n_routes,
			    sizeof(*port->routes)))
			return wr_config_oom(p);
		port->routes[port->n_routes++] = route;
	}
	return 0;
}

/* ---- [Interface NAME] ---- */

static int
set_private_key(struct parser *p, const struct key_def *k, char *value)
{
	if (p->seen[K_PRIVATE_KEY_FILE])
		return wr_config_fail(p, p->line,
			"PrivateKey: PrivateKeyFile is also given (line %u)",
			p->seen[K_PRIVATE_KEY_FILE]);
	/* Never echo the value: it is (meant to be) a secret. */
	if (wr_base64_key_decode(cur_iface(p)->private_key, value, strlen(value)))
		return wr_config_fail(p, p->line,
			"PrivateKey: not a key (expected 44 characters of base64, as wg genkey "
			"prints)");
	return 0;
}

static int
read_key_file(struct parser *p, const char *value, uint8_t key[WR_KEY_LEN])
{
	char path[PATH_MAX];
	char buf[WR_CONFIG_KEY_FILE_MAX];
	size_t len;
	char *s;
	int fd, rc;

	rc = resolve_path(p, "PrivateKeyFile", value, path);
	if (!rc)
		rc = open_secret(p, "PrivateKeyFile", p->line, value, path, &fd);
	if (rc)
		return rc;
	rc = read_upto(fd, buf, sizeof(buf) - 1, &len);
	if (rc) {
		rc = wr_config_fail(p, p->line, "PrivateKeyFile: '%.*s': %s", WR_CONFIG_ECHO_MAX,
			value, strerror(-rc));
		goto out;
	}
	buf[len] = '\0';
	s = wr_config_trim(buf);
	if (wr_base64_key_decode(key, s, strlen(s)))
		rc = wr_config_fail(p, p->line,
			"PrivateKeyFile: '%.*s': does not hold a key (44 characters of base64)",
			WR_CONFIG_ECHO_MAX, value);
out:
	wr_wipe(buf, sizeof(buf));
	close(fd);
	return rc;
}

static int
set_private_key_file(struct parser *p, const struct key_def *k, char *value)
{
	if (p->seen[K_PRIVATE_KEY])
		return wr_config_fail(p, p->line,
			"PrivateKeyFile: PrivateKey is also given (line %u)",
			p->seen[K_PRIVATE_KEY]);
	return read_key_file(p, value, cur_iface(p)->private_key);
}

static int
set_listen_port(struct parser *p, const struct key_def *k, char *value)
{
	unsigned long v;

	if (wr_config_parse_uint(value, 65535, &v) || v == 0)
		return wr_config_fail(p, p->line, "%s: '%.*s': expected a UDP port (1..65535)",
			k->name, WR_CONFIG_ECHO_MAX, value);
	cur_iface(p)->listen_port = (uint16_t)v;
	p->extra[p->cfg->n_interfaces - 1].listen_port_line = p->line;
	return 0;
}

static int
set_port(struct parser *p, const struct key_def *k, char *value)
{
	struct iface_extra *x = &p->extra[p->cfg->n_interfaces - 1];

	if (!wr_config_valid_name(value))
		return wr_config_fail(p, p->line, "%s: '%.*s': not a port name", k->name,
			WR_CONFIG_ECHO_MAX, value);
	snprintf(x->port_name, sizeof(x->port_name), "%s", value);
	x->port_line = p->line;
	return 0;
}

static int
set_mtu(struct parser *p, const struct key_def *k, char *value)
{
	unsigned long v;

	if (wr_config_parse_uint(value, WR_CONFIG_MTU_MAX, &v) || v < WR_CONFIG_MTU_MIN)
		return wr_config_fail(p, p->line, "%s: '%.*s': out of range (%d..%d)", k->name,
			WR_CONFIG_ECHO_MAX, value, WR_CONFIG_MTU_MIN, WR_CONFIG_MTU_MAX);
	cur_iface(p)->mtu = (uint16_t)v;
	p->extra[p->cfg->n_interfaces - 1].mtu_line = p->line;
	return 0;
}

static int
set_udp_checksum(struct parser *p, const struct key_def *k, char *value)
{
	if (!strcasecmp(value, "on"))
		cur_iface(p)->udp_checksum = true;
	else if (!strcasecmp(value, "auto"))
		cur_iface(p)->udp_checksum = false;
	else
		return wr_config_fail(p, p->line, "%s: '%.*s': expected auto or on", k->name,
			WR_CONFIG_ECHO_MAX, value);
	return 0;
}

static int
set_ignored(struct parser *p, const struct key_def *k, char *value)
{
	return wr_config_warn(
		p, p->line, "%s: a wg-quick key with no meaning on this gateway; ignored", k->name);
}

/* ---- [Peer] ---- */

static uint64_t
key_hash(const uint8_t key[WR_KEY_LEN])
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
	unsigned int i;

	for (i = 0; i < WR_KEY_LEN; i++)
		h = (h ^ key[i]) * 0x100000001b3ull;
	return h;
}

/* The slot of @p key in the peer table: the one holding it, or the empty one it would go to. */
static size_t *
peer_slot(struct parser *p, const struct wr_config_interface *ifc, const uint8_t *key)
{
	size_t mask = p->peer_table_cap - 1;
	size_t i = (size_t)key_hash(key) & mask;

	while (p->peer_table[i] != SIZE_MAX &&
		memcmp(ifc->peers[p->peer_table[i]].public_key, key, WR_KEY_LEN))
		i = (i + 1) & mask;
	return &p->peer_table[i];
}

/*
 * Add peer @p idx's key to the table; *@p dup gets the index of an earlier peer with the same key,
 * or SIZE_MAX. Returns 0 or -ENOMEM.
 */
static int
peer_table_add(struct parser *p, const struct wr_config_interface *ifc, size_t idx, size_t *dup)
{
	size_t *slot, i;

	/* Keep the load at most one half so that probes stay short. */
	if ((p->peer_table_count + 1) * 2 > p->peer_table_cap) {
		size_t ncap = p->peer_table_cap ? p->peer_table_cap * 2 : 64;
		size_t *nt = malloc(ncap * sizeof(*nt));

		if (!nt)
			return -ENOMEM;
		free(p->peer_table);
		p->peer_table = nt;
		p->peer_table_cap = ncap;
		for (i = 0; i < ncap; i++)
			nt[i] = SIZE_MAX;
		/* Every earlier peer of this interface has a key: a keyless one is an error. */
		for (i = 0; i < idx; i++)
			*peer_slot(p, ifc, ifc->peers[i].public_key) = i;
	}
	slot = peer_slot(p, ifc, ifc->peers[idx].public_key);
	*dup = *slot;
	if (*slot == SIZE_MAX) {
		*slot = idx;
		p->peer_table_count++;
	}
	return 0;
}

static int
set_public_key(struct parser *p, const struct key_def *k, char *value)
{
	struct wr_config_interface *ifc = cur_iface(p);
	struct wr_config_peer *peer = cur_peer(p);
	size_t dup;

	if (wr_base64_key_decode(peer->public_key, value, strlen(value)))
		return wr_config_fail(p, p->line,
			"PublicKey: not a key (expected 44 characters of base64, as wg pubkey "
			"prints)");
	if (!memcmp(peer->public_key, ifc->public_key, WR_KEY_LEN))
		return wr_config_fail(p, p->line,
			"PublicKey: this is [Interface %s]'s own public key", ifc->name);
	if (peer_table_add(p, ifc, ifc->n_peers - 1, &dup))
		return wr_config_oom(p);
	if (dup != SIZE_MAX)
		return wr_config_fail(p, p->line, "PublicKey: same key as the [Peer] on line %u",
			ifc->peers[dup].line);
	return 0;
}

static int
set_preshared_key(struct parser *p, const struct key_def *k, char *value)
{
	struct wr_config_peer *peer = cur_peer(p);

	if (wr_base64_key_decode(peer->preshared_key, value, strlen(value)))
		return wr_config_fail(p, p->line,
			"PresharedKey: not a key (expected 44 characters of base64, as wg genpsk "
			"prints)");
	peer->has_preshared_key = true;
	return 0;
}

static int
set_endpoint(struct parser *p, const struct key_def *k, char *value)
{
	const char *why = wr_config_parse_endpoint(value, &cur_peer(p)->endpoint);

	if (why)
		return wr_config_fail(
			p, p->line, "%s: '%.*s': %s", k->name, WR_CONFIG_ECHO_MAX, value, why);
	return 0;
}

static uint64_t
prefix_hash(const struct wr_config_prefix *pfx)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
	unsigned int i;

	h = (h ^ pfx->family) * 0x100000001b3ull;
	h = (h ^ pfx->cidr) * 0x100000001b3ull;
	for (i = 0; i < 16; i++)
		h = (h ^ pfx->addr[i]) * 0x100000001b3ull;
	return h;
}

/* A reference to AllowedIPs entry (peer << 32 | index) of the current interface. */
static const struct wr_config_prefix *
aip_at(const struct wr_config_interface *ifc, uint64_t ref)
{
	return &ifc->peers[ref >> 32].allowed_ips[(uint32_t)ref];
}

static uint64_t *
aip_slot(
	struct parser *p, const struct wr_config_interface *ifc, const struct wr_config_prefix *pfx)
{
	size_t mask = p->aip_table_cap - 1;
	size_t i = (size_t)prefix_hash(pfx) & mask;

	while (p->aip_table[i] != UINT64_MAX) {
		const struct wr_config_prefix *q = aip_at(ifc, p->aip_table[i]);

		if (q->family == pfx->family && q->cidr == pfx->cidr &&
			!memcmp(q->addr, pfx->addr, sizeof(q->addr)))
			break;
		i = (i + 1) & mask;
	}
	return &p->aip_table[i];
}

/*
 * Add the interface's newest AllowedIPs entry @p ref to the table; *@p dup gets an earlier entry
 * with the same prefix, or UINT64_MAX. Returns 0 or -ENOMEM.
 */
static int
aip_table_add(struct parser *p, const struct wr_config_interface *ifc, uint64_t ref, uint64_t *dup)
{
	uint64_t *slot;
	size_t i, j;

	if ((p->aip_table_count + 1) * 2 > p->aip_table_cap) {
		size_t ncap = p->aip_table_cap ? p->aip_table_cap * 2 : 64;
		uint64_t *nt = malloc(ncap * sizeof(*nt));

		if (!nt)
			return -ENOMEM;
		free(p->aip_table);
		p->aip_table = nt;
		p->aip_table_cap = ncap;
		p->aip_table_count = 0;
		for (i = 0; i < ncap; i++)
			nt[i] = UINT64_MAX;
		/* Everything before @p ref; of duplicates, the first stays (it is the one named).
		 */
		for (i = 0; i < ifc->n_peers; i++) {
			for (j = 0; j < ifc->peers[i].n_allowed_ips; j++) {
				uint64_t r = (uint64_t)i << 32 | j;

				if (r == ref)
					break;
				slot = aip_slot(p, ifc, aip_at(ifc, r));
				if (*slot == UINT64_MAX) {
					*slot = r;
					p->aip_table_count++;
				}
			}
		}
	}
	slot = aip_slot(p, ifc, aip_at(ifc, ref));
	*dup = *slot;
	if (*slot == UINT64_MAX) {
		*slot = ref;
		p->aip_table_count++;
	}
	return 0;
}

static int
set_allowed_ips(struct parser *p, const struct key_def *k, char *value)
{
	struct wr_config_interface *ifc = cur_iface(p);
	struct wr_config_peer *peer = cur_peer(p);
	struct wr_config_prefix pfx;
	char text[64];
	uint64_t dup;
	char *item;
	int rc;

	while ((item = wr_config_next_item(&value))) {
		rc = item_prefix(p, k, item, true, &pfx);
		if (!rc)
			rc = add_prefix(
				p, &peer->allowed_ips, &peer->n_allowed_ips, &p->cap_aips, &pfx);
		if (rc)
			return rc;
		if (aip_table_add(p, ifc,
			    (uint64_t)(ifc->n_peers - 1) << 32 | (peer->n_allowed_ips - 1), &dup))
			return wr_config_oom(p);
		if (dup == UINT64_MAX)
			continue;
		/* wg gives a prefix to the last peer that names it; on a gateway that is rarely
		 * meant. */
		wr_config_format_prefix(text, sizeof(text), &pfx);
		if ((dup >> 32) == ifc->n_peers - 1)
			rc = wr_config_warn(
				p, p->line, "%s: %s is listed twice for this peer", k->name, text);
		else
			rc = wr_config_warn(p, p->line,
				"%s: %s is also claimed by the [Peer] on line %u; this peer takes "
				"it",
				k->name, text, ifc->peers[dup >> 32].line);
		if (rc)
			return rc;
	}
	return 0;
}

static int
set_keepalive(struct parser *p, const struct key_def *k, char *value)
{
	unsigned long v;

	if (!strcasecmp(value, "off")) {
		v = 0;
	} else if (wr_config_parse_uint(value, 65535, &v)) {
		return wr_config_fail(p, p->line, "%s: '%.*s': expected seconds (0..65535) or off",
			k->name, WR_CONFIG_ECHO_MAX, value);
	}
	cur_peer(p)->persistent_keepalive = (uint16_t)v;
	return 0;
}

static const struct key_def keys[] = {
	{ "Control", K_CONTROL, WR_CONFIG_IN(SEC_GATEWAY), false, set_control },
	{ "Workers", K_WORKERS, WR_CONFIG_IN(SEC_GATEWAY), false, set_workers },
	{ "ControlSocket", K_CONTROL_SOCKET, WR_CONFIG_IN(SEC_GATEWAY), false, set_control_socket },
	{ "MaxPeers", K_MAX_PEERS, WR_CONFIG_IN(SEC_GATEWAY), false, set_max_peers },
	{ "ControlAddress", K_CONTROL_ADDRESS, WR_CONFIG_IN(SEC_GATEWAY), false,
		set_control_address },
	{ "ControlTokenFile", K_CONTROL_TOKEN_FILE, WR_CONFIG_IN(SEC_GATEWAY), false,
		set_control_token_file },
	{ "Device", K_DEVICE, WR_CONFIG_IN(SEC_PORT), false, set_device },
	{ "Address", K_ADDRESS, WR_CONFIG_IN(SEC_PORT) | WR_CONFIG_IN(SEC_INTERFACE), true,
		set_address },
	{ "Route", K_ROUTE, WR_CONFIG_IN(SEC_PORT), true, set_route },
	{ "PrivateKey", K_PRIVATE_KEY, WR_CONFIG_IN(SEC_INTERFACE), false, set_private_key },
	{ "PrivateKeyFile", K_PRIVATE_KEY_FILE, WR_CONFIG_IN(SEC_INTERFACE), false,
		set_private_key_file },
	{ "ListenPort", K_LISTEN_PORT, WR_CONFIG_IN(SEC_INTERFACE), false, set_listen_port },
	{ "Port", K_PORT, WR_CONFIG_IN(SEC_INTERFACE), false, set_port },
	{ "MTU", K_MTU, WR_CONFIG_IN(SEC_INTERFACE), false, set_mtu },
	{ "UDPChecksum", K_UDP_CHECKSUM, WR_CONFIG_IN(SEC_INTERFACE), false, set_udp_checksum },
	{ "PublicKey", K_PUBLIC_KEY, WR_CONFIG_IN(SEC_PEER), false, set_public_key },
	{ "PresharedKey", K_PRESHARED_KEY, WR_CONFIG_IN(SEC_PEER), false, set_preshared_key },
	{ "Endpoint", K_ENDPOINT, WR_CONFIG_IN(SEC_PEER), false, set_endpoint },
	{ "AllowedIPs", K_ALLOWED_IPS, WR_CONFIG_IN(SEC_PEER), true, set_allowed_ips },
	{ "PersistentKeepalive", K_PERSISTENT_KEEPALIVE, WR_CONFIG_IN(SEC_PEER), false,
		set_keepalive },
	/* wg-quick's keys that configure the host, which a DPDK gateway does not have. */
	{ "DNS", K_IGNORED, WR_CONFIG_IN(SEC_INTERFACE), true, set_ignored },
	{ "Table", K_IGNORED, WR_CONFIG_IN(SEC_INTERFACE), true, set_ignored },
	{ "PreUp", K_IGNORED, WR_CONFIG_IN(SEC_INTERFACE), true, set_ignored },
	{ "PostUp", K_IGNORED, WR_CONFIG_IN(SEC_INTERFACE), true, set_ignored },
	{ "PreDown", K_IGNORED, WR_CONFIG_IN(SEC_INTERFACE), true, set_ignored },
	{ "PostDown", K_IGNORED, WR_CONFIG_IN(SEC_INTERFACE), true, set_ignored },
	{ "SaveConfig", K_IGNORED, WR_CONFIG_IN(SEC_INTERFACE), true, set_ignored },
	{ "FwMark", K_IGNORED, WR_CONFIG_IN(SEC_INTERFACE), true, set_ignored },
};

const struct key_def *
wr_config_find_key(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcasecmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}
