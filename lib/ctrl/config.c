/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The configuration parser: lines, sections, keys and the checks that span sections. The syntax
 * of single values lives in config_values.c. docs/configuration.md is the user's side of this.
 *
 * The text is copied once, cut into lines in place and wiped when done: it holds private keys.
 * Parsing stops at the first error; the half-built struct is freed (and wiped) before returning.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
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

/* A configuration is text a person wrote: anything this large is a mistake (or /dev/zero). */
#define CONFIG_FILE_MAX (256u << 20)

static const char *const section_names[] = { "", "Gateway", "Port", "Interface", "Peer" };

/* "name:line: ..." into @p buf, truncated to fit. */
static void
vformat(char *buf, size_t len, const char *name, unsigned int line, const char *fmt, va_list ap)
{
	int n = line ? snprintf(buf, len, "%s:%u: ", name, line) : snprintf(buf, len, "%s: ", name);

	if (n >= 0 && (size_t)n < len)
		vsnprintf(buf + n, len - (size_t)n, fmt, ap);
}

__attribute__((format(printf, 3, 4))) int
wr_config_fail(struct parser *p, unsigned int line, const char *fmt, ...)
{
	va_list ap;

	if (p->err) {
		va_start(ap, fmt);
		vformat(p->err->message, sizeof(p->err->message), p->name, line, fmt, ap);
		va_end(ap);
		p->err->line = line;
	}
	return -EINVAL;
}

int
wr_config_oom(struct parser *p)
{
	wr_config_fail(p, 0, "out of memory");
	return -ENOMEM;
}

/*
 * Make room for one more element in *arr (n used, *cap allocated). The old block is wiped before
 * it is freed: interface and peer records carry keys, and realloc() would leave copies behind.
 */
int
wr_config_grow(void **arr, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *na;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 4;
	if (ncap > SIZE_MAX / size)
		return -ENOMEM;
	na = calloc(ncap, size);
	if (!na)
		return -ENOMEM;
	if (*arr) {
		memcpy(na, *arr, n * size);
		wr_wipe(*arr, n * size);
		free(*arr);
	}
	*arr = na;
	*cap = ncap;
	return 0;
}

__attribute__((format(printf, 3, 4))) int
wr_config_warn(struct parser *p, unsigned int line, const char *fmt, ...)
{
	struct wr_config *cfg = p->cfg;
	char buf[WR_CONFIG_MSG_MAX];
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	vformat(buf, sizeof(buf), p->name, line, fmt, ap);
	va_end(ap);
	if (wr_config_grow((void **)&cfg->warnings, &p->cap_warnings, cfg->n_warnings,
		    sizeof(*cfg->warnings)))
		return wr_config_oom(p);
	msg = strdup(buf);
	if (!msg)
		return wr_config_oom(p);
	cfg->warnings[cfg->n_warnings].line = line;
	cfg->warnings[cfg->n_warnings].message = msg;
	cfg->n_warnings++;
	return 0;
}

/* ---- sections ---- */

/* Checks that need the whole section: required keys, derived values. */
static int
end_section(struct parser *p)
{
	struct wr_config_interface *ifc;

	switch (p->sec) {
	case SEC_PORT:
		if (!p->seen[K_DEVICE])
			return wr_config_fail(p, cur_port(p)->line, "[Port %s]: missing Device",
				cur_port(p)->name);
		break;
	case SEC_INTERFACE:
		ifc = cur_iface(p);
		if (!p->seen[K_PRIVATE_KEY] && !p->seen[K_PRIVATE_KEY_FILE])
			return wr_config_fail(p, ifc->line,
				"[Interface %s]: missing PrivateKey (or PrivateKeyFile)",
				ifc->name);
		if (!p->seen[K_LISTEN_PORT])
			return wr_config_fail(
				p, ifc->line, "[Interface %s]: missing ListenPort", ifc->name);
		if (!p->seen[K_PORT])
			return wr_config_fail(
				p, ifc->line, "[Interface %s]: missing Port", ifc->name);
		/* The peers below need it, to refuse the interface's own key. */
		wr_x25519_public(ifc->public_key, ifc->private_key);
		break;
	case SEC_PEER:
		if (!p->seen[K_PUBLIC_KEY])
			return wr_config_fail(p, cur_peer(p)->line, "[Peer]: missing PublicKey");
		break;
	default:
		break;
	}
	return 0;
}

static int
begin_port(struct parser *p, const char *name)
{
	struct wr_config *cfg = p->cfg;
	size_t i;

	for (i = 0; i < cfg->n_ports; i++)
		if (!strcmp(cfg->ports[i].name, name))
			return wr_config_fail(p, p->line,
				"[Port %s]: duplicate section (first on line %u)", name,
				cfg->ports[i].line);
	if (wr_config_grow((void **)&cfg->ports, &p->cap_ports, cfg->n_ports, sizeof(*cfg->ports)))
		return wr_config_oom(p);
	snprintf(cfg->ports[cfg->n_ports].name, sizeof(cfg->ports->name), "%s", name);
	cfg->ports[cfg->n_ports].line = p->line;
	cfg->n_ports++;
	return 0;
}

static int
begin_interface(struct parser *p, const char *name)
{
	struct wr_config *cfg = p->cfg;
	struct wr_config_interface *ifc;
	size_t i;

	for (i = 0; i < cfg->n_interfaces; i++)
		if (!strcmp(cfg->interfaces[i].name, name))
			return wr_config_fail(p, p->line,
				"[Interface %s]: duplicate section (first on line %u)", name,
				cfg->interfaces[i].line);
	if (wr_config_grow((void **)&cfg->interfaces, &p->cap_ifaces, cfg->n_interfaces,
		    sizeof(*cfg->interfaces)) ||
		wr_config_grow(
			(void **)&p->extra, &p->cap_extra, cfg->n_interfaces, sizeof(*p->extra)))
		return wr_config_oom(p);
	ifc = &cfg->interfaces[cfg->n_interfaces++];
	snprintf(ifc->name, sizeof(ifc->name), "%s", name);
	ifc->line = p->line;
	ifc->mtu = WR_CONFIG_MTU_DEFAULT;
	/* A new interface, a new key space and a new array for its peers. */
	p->cap_peers = 0;
	p->peer_table_count = 0;
	for (i = 0; i < p->peer_table_cap; i++)
		p->peer_table[i] = SIZE_MAX;
	p->aip_table_count = 0;
	for (i = 0; i < p->aip_table_cap; i++)
		p->aip_table[i] = UINT64_MAX;
	return 0;
}

static int
begin_peer(struct parser *p)
{
	struct wr_config_interface *ifc;

	if (!p->cfg->n_interfaces)
		return wr_config_fail(p, p->line, "[Peer] before any [Interface]");
	ifc = cur_iface(p);
	if (wr_config_grow((void **)&ifc->peers, &p->cap_peers, ifc->n_peers, sizeof(*ifc->peers)))
		return wr_config_oom(p);
	ifc->peers[ifc->n_peers++].line = p->line;
	return 0;
}

static int
parse_header(struct parser *p, char *line)
{
	size_t len = strlen(line);
	char *type, *name;
	enum section sec;
	int rc;

	if (line[len - 1] != ']')
		return wr_config_fail(p, p->line, "a section header ends with ']'");
	line[len - 1] = '\0';
	type = wr_config_trim(line + 1);
	name = type + strcspn(type, " \t");
	if (*name)
		*name++ = '\0';
	name = wr_config_trim(name);

	if (!strcasecmp(type, "Gateway"))
		sec = SEC_GATEWAY;
	else if (!strcasecmp(type, "Port"))
		sec = SEC_PORT;
	else if (!strcasecmp(type, "Interface"))
		sec = SEC_INTERFACE;
	else if (!strcasecmp(type, "Peer"))
		sec = SEC_PEER;
	else
		return wr_config_fail(
			p, p->line, "[%.*s]: unknown section", WR_CONFIG_ECHO_MAX, type);

	if (sec == SEC_PORT || sec == SEC_INTERFACE) {
		if (!*name)
			return wr_config_fail(p, p->line, "[%s]: needs a name, as in [%s %s]",
				section_names[sec], section_names[sec],
				sec == SEC_PORT ? "wan" : "wg0");
		if (!wr_config_valid_name(name))
			return wr_config_fail(p, p->line,
				"[%s %.*s]: a name is 1..%d letters, digits, '_', '-' or '.'",
				section_names[sec], WR_CONFIG_ECHO_MAX, name, WR_CONFIG_NAME_MAX);
		if (sec == SEC_INTERFACE && strlen(name) > WR_CONFIG_IFACE_NAME_MAX)
			return wr_config_fail(p, p->line,
				"[Interface %s]: an interface name is at most %d characters (as "
				"wg and Linux take them)",
				name, WR_CONFIG_IFACE_NAME_MAX);
	} else if (*name) {
		return wr_config_fail(p, p->line, "[%s]: takes no name", section_names[sec]);
	}

	rc = end_section(p);
	if (rc)
		return rc;
	switch (sec) {
	case SEC_GATEWAY:
		if (p->gateway_line)
			return wr_config_fail(p, p->line,
				"[Gateway]: duplicate section (first on line %u)", p->gateway_line);
		p->gateway_line = p->line;
		break;
	case SEC_PORT:
		rc = begin_port(p, name);
		break;
	case SEC_INTERFACE:
		rc = begin_interface(p, name);
		break;
	default:
		rc = begin_peer(p);
		break;
	}
	if (rc)
		return rc;
	p->sec = sec;
	memset(p->seen, 0, sizeof(p->seen));
	p->cap_addrs = p->cap_routes = p->cap_aips = 0;
	return 0;
}

/* Could @p s be a key name someone meant? Otherwise do not echo it: it may be a pasted key. */
static bool
plausible_key(const char *s)
{
	size_t n;

	for (n = 0; s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z')))
			return false;
	return n > 0 && n <= 24;
}

static int
parse_line(struct parser *p, char *line)
{
	const struct key_def *k;
	char *eq, *key, *value;

	line[strcspn(line, "#")] = '\0';
	line = wr_config_trim(line);
	if (!*line)
		return 0;
	if (*line == '[')
		return parse_header(p, line);
	eq = strchr(line, '=');
	if (!eq)
		return wr_config_fail(p, p->line, "expected 'Key = Value' or a [Section]");
	*eq = '\0';
	key = wr_config_trim(line);
	value = wr_config_trim(eq + 1);
	k = wr_config_find_key(key);
	if (!k || (p->sec != SEC_NONE && !(k->sections & WR_CONFIG_IN(p->sec)))) {
		if (!plausible_key(key))
			return wr_config_fail(p, p->line, "not a valid key name");
		if (p->sec == SEC_NONE)
			return wr_config_fail(p, p->line, "%s: outside of any section", key);
		return wr_config_fail(
			p, p->line, "%s: unknown key in [%s]", key, section_names[p->sec]);
	}
	if (p->sec == SEC_NONE)
		return wr_config_fail(p, p->line, "%s: outside of any section", k->name);
	if (!*value)
		return wr_config_fail(p, p->line, "%s: empty value", k->name);
	if (!k->repeatable && p->seen[k->id])
		return wr_config_fail(p, p->line,
			"%s: given twice in this section (first on line %u)", k->name,
			p->seen[k->id]);
	p->seen[k->id] = p->line;
	return k->set(p, k, value);
}

/* ---- whole-file checks ---- */

static bool
tunnel_has_ipv6(const struct wr_config_interface *ifc)
{
	size_t i, j;

	for (i = 0; i < ifc->n_addrs; i++)
		if (ifc->addrs[i].family == AF_INET6)
			return true;
	for (i = 0; i < ifc->n_peers; i++)
		for (j = 0; j < ifc->peers[i].n_allowed_ips; j++)
			if (ifc->peers[i].allowed_ips[j].family == AF_INET6)
				return true;
	return false;
}

static int
check_gateway(struct parser *p)
{
	struct wr_config *cfg = p->cfg;
	unsigned int c = cfg->control_lcore;
	size_t i, n = 0;

	if (!p->workers_line)
		cfg->worker_mask[0] = 1ull << 1;
	/* a TCP listener without a token would hand the gateway to anyone who reaches it */
	if (cfg->control_address && !cfg->control_token_file)
		return wr_config_fail(p, p->control_address_line,
			"ControlAddress: needs ControlTokenFile (the bearer token)");
	if (cfg->worker_mask[c / 64] & (1ull << (c % 64))) {
		if (p->workers_line > p->control_line)
			return wr_config_fail(
				p, p->workers_line, "Workers: includes the control lcore %u", c);
		return wr_config_fail(p, p->control_line, "Control: lcore %u is also a worker", c);
	}
	for (i = 0; i < WR_CONFIG_LCORE_MAX; i++)
		n += (cfg->worker_mask[i / 64] >> (i % 64)) & 1;
	cfg->workers = calloc(n, sizeof(*cfg->workers));
	if (!cfg->workers)
		return wr_config_oom(p);
	for (i = 0; i < WR_CONFIG_LCORE_MAX; i++)
		if ((cfg->worker_mask[i / 64] >> (i % 64)) & 1)
			cfg->workers[cfg->n_workers++] = (unsigned int)i;
	return 0;
}

static int
check_interfaces(struct parser *p)
{
	struct wr_config *cfg = p->cfg;
	size_t i, j;

	for (i = 0; i < cfg->n_interfaces; i++) {
		struct wr_config_interface *ifc = &cfg->interfaces[i];
		const struct iface_extra *x = &p->extra[i];

		for (j = 0; j < cfg->n_ports; j++)
			if (!strcmp(cfg->ports[j].name, x->port_name))
				break;
		if (j == cfg->n_ports)
			return wr_config_fail(p, x->port_line, "Port: '%s': no such [Port] section",
				x->port_name);
		ifc->port = j;
		/* Its UDP socket is bound to the port's addresses: with none, nothing arrives. */
		if (!cfg->ports[j].n_addrs && wr_config_warn(p, x->port_line,
						      "Port: [Port %s] has no Address, so "
						      "[Interface %s] can receive nothing",
						      x->port_name, ifc->name))
			return -ENOMEM;
		/* Few interfaces, so pairwise is fine; two sockets cannot share a UDP port. */
		for (j = 0; j < i; j++)
			if (cfg->interfaces[j].port == ifc->port &&
				cfg->interfaces[j].listen_port == ifc->listen_port)
				return wr_config_fail(p, x->listen_port_line,
					"ListenPort: %u is already used by [Interface %s] on port "
					"%s",
					ifc->listen_port, cfg->interfaces[j].name, x->port_name);
		if (ifc->mtu < WR_CONFIG_MTU_MIN_IPV6 && tunnel_has_ipv6(ifc))
			return wr_config_fail(p, x->mtu_line,
				"MTU: %u is below %d, the minimum for IPv6 in the tunnel", ifc->mtu,
				WR_CONFIG_MTU_MIN_IPV6);
	}
	return 0;
}

/* MaxPeers covers the file's own peers; without it, room for those and the default. */
static int
check_max_peers(struct parser *p)
{
	struct wr_config *cfg = p->cfg;
	size_t i, n = 0;

	for (i = 0; i < cfg->n_interfaces; i++)
		n += cfg->interfaces[i].n_peers;
	if (!p->max_peers_line) {
		if (n > WR_CONFIG_MAX_PEERS_MAX)
			return wr_config_fail(p, 0, "%zu peers: at most %d are supported", n,
				WR_CONFIG_MAX_PEERS_MAX);
		cfg->max_peers = n > WR_CONFIG_MAX_PEERS_DEFAULT ? n : WR_CONFIG_MAX_PEERS_DEFAULT;
		return 0;
	}
	if (n > cfg->max_peers)
		return wr_config_fail(p, p->max_peers_line,
			"MaxPeers: %zu, but the file has %zu peers", cfg->max_peers, n);
	return 0;
}

struct warning_rank {
	unsigned int line;
	size_t seq;
	char *message;
};

static int
cmp_warning(const void *a, const void *b)
{
	const struct warning_rank *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Whole-file checks warn last; put their warnings back in file order (line, then as found). */
static int
sort_warnings(struct parser *p)
{
	struct wr_config *cfg = p->cfg;
	struct warning_rank *r;
	size_t i;

	if (cfg->n_warnings < 2)
		return 0;
	r = calloc(cfg->n_warnings, sizeof(*r));
	if (!r)
		return wr_config_oom(p);
	for (i = 0; i < cfg->n_warnings; i++)
		r[i] = (struct warning_rank){ cfg->warnings[i].line, i, cfg->warnings[i].message };
	qsort(r, cfg->n_warnings, sizeof(*r), cmp_warning);
	for (i = 0; i < cfg->n_warnings; i++) {
		cfg->warnings[i].line = r[i].line;
		cfg->warnings[i].message = r[i].message;
	}
	free(r);
	return 0;
}

static int
finish(struct parser *p)
{
	int rc = end_section(p);

	if (rc)
		return rc;
	if (!p->cfg->n_ports)
		return wr_config_fail(
			p, 0, "no [Port] section: the gateway needs at least one port");
	rc = check_gateway(p);
	if (!rc)
		rc = check_interfaces(p);
	if (!rc)
		rc = check_max_peers(p);
	/* the token last, once the rest holds; one that no listener uses need not be readable */
	if (!rc && p->cfg->control_address)
		rc = wr_config_read_token(p);
	if (!rc)
		rc = sort_warnings(p);
	return rc;
}

/* ---- API ---- */

static int
load(const char *text, size_t len, const char *name, const char *dir, struct wr_config **out,
	struct wr_config_error *err)
{
	struct parser p = { .name = name, .dir = dir, .err = err };
	struct wr_config *cfg = NULL;
	char *buf, *line, *end;
	int rc;

	*out = NULL;
	if (err)
		memset(err, 0, sizeof(*err));
	rc = wr_crypto_init();
	if (rc) {
		wr_config_fail(&p, 0, "cannot initialise the crypto library");
		return rc;
	}
	buf = malloc(len + 1);
	if (!buf)
		return wr_config_oom(&p);
	if (len)
		memcpy(buf, text, len);
	buf[len] = '\0';
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		goto out_nomem;
	p.cfg = cfg;
	cfg->source = strdup(name);
	cfg->control_socket = strdup(WR_CONFIG_CONTROL_SOCKET_DEFAULT);
	if (!cfg->source || !cfg->control_socket)
		goto out_nomem;

	line = buf;
	/* An editor's UTF-8 byte order mark is not part of the first line. */
	if (len >= 3 && !memcmp(line, "\xef\xbb\xbf", 3))
		line += 3;
	for (; line <= buf + len; line = end + 1) {
		end = memchr(line, '\n', (size_t)(buf + len - line));
		if (!end)
			end = buf + len;
		*end = '\0';
		p.line++;
		if (strlen(line) != (size_t)(end - line)) {
			rc = wr_config_fail(&p, p.line, "NUL byte in the text");
			goto out_free;
		}
		rc = parse_line(&p, line);
		if (rc)
			goto out_free;
	}
	rc = finish(&p);
	if (rc)
		goto out_free;
	*out = cfg;
	cfg = NULL;
	goto out_wipe;

out_nomem:
	rc = wr_config_oom(&p);
out_free:
	wr_config_free(cfg);
out_wipe:
	free(p.extra);
	free(p.peer_table);
	free(p.aip_table);
	wr_wipe(buf, len + 1);
	free(buf);
	return rc;
}

int
wr_config_load_string(const char *text, size_t len, const char *name, struct wr_config **out,
	struct wr_config_error *err)
{
	return load(text, len, name ? name : "<string>", NULL, out, err);
}

int
wr_config_load_file(const char *path, struct wr_config **out, struct wr_config_error *err)
{
	struct parser p = { .name = path, .err = err };
	char *buf = NULL, *dir = NULL, *slash;
	size_t len = 0, cap;
	struct stat st;
	ssize_t n;
	int fd, rc;

	*out = NULL;
	if (err)
		memset(err, 0, sizeof(*err));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		rc = -errno;
		wr_config_fail(&p, 0, "%s", strerror(-rc));
		return rc;
	}
	if (fstat(fd, &st)) {
		rc = -errno;
		wr_config_fail(&p, 0, "%s", strerror(errno));
		goto out_close;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CONFIG_FILE_MAX) {
		rc = wr_config_fail(
			&p, 0, "not a regular file of at most %u MiB", CONFIG_FILE_MAX >> 20);
		goto out_close;
	}
	cap = (size_t)st.st_size + 1;
	buf = malloc(cap);
	if (!buf) {
		rc = wr_config_oom(&p);
		goto out_close;
	}
	/* Read to EOF rather than trust st_size: the file may change under us. */
	while (len < cap) {
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			wr_config_fail(&p, 0, "%s", strerror(errno));
			goto out_wipe;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len == cap) {
		rc = wr_config_fail(&p, 0, "the file grew while being read");
		goto out_wipe;
	}
	dir = strdup(path);
	if (!dir) {
		rc = wr_config_oom(&p);
		goto out_wipe;
	}
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	rc = load(buf, len, path, slash ? dir : NULL, out, err);
	free(dir);
out_wipe:
	wr_wipe(buf, cap);
	free(buf);
out_close:
	close(fd);
	return rc;
}

void
wr_config_free(struct wr_config *cfg)
{
	size_t i, j;

	if (!cfg)
		return;
	for (i = 0; i < cfg->n_ports; i++) {
		free(cfg->ports[i].device);
		free(cfg->ports[i].addrs);
		free(cfg->ports[i].routes);
	}
	free(cfg->ports);
	for (i = 0; i < cfg->n_interfaces; i++) {
		struct wr_config_interface *ifc = &cfg->interfaces[i];

		for (j = 0; j < ifc->n_peers; j++)
			free(ifc->peers[j].allowed_ips);
		/* Preshared keys live in the peer records, private keys in the interfaces. */
		if (ifc->peers)
			wr_wipe(ifc->peers, ifc->n_peers * sizeof(*ifc->peers));
		free(ifc->peers);
		free(ifc->addrs);
	}
	if (cfg->interfaces)
		wr_wipe(cfg->interfaces, cfg->n_interfaces * sizeof(*cfg->interfaces));
	free(cfg->interfaces);
	for (i = 0; i < cfg->n_warnings; i++)
		free(cfg->warnings[i].message);
	free(cfg->warnings);
	free(cfg->workers);
	free(cfg->control_socket);
	free(cfg->control_address);
	free(cfg->control_token_file);
	if (cfg->control_token) {
		wr_wipe(cfg->control_token, strlen(cfg->control_token));
		free(cfg->control_token);
	}
	free(cfg->source);
	free(cfg);
}

bool
wr_config_is_worker(const struct wr_config *cfg, unsigned int lcore)
{
	return lcore < WR_CONFIG_LCORE_MAX && ((cfg->worker_mask[lcore / 64] >> (lcore % 64)) & 1);
}

const struct wr_config_interface *
wr_config_find_interface(const struct wr_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->n_interfaces; i++)
		if (!strcmp(cfg->interfaces[i].name, name))
			return &cfg->interfaces[i];
	return NULL;
}

const struct wr_config_port *
wr_config_find_port(const struct wr_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->n_ports; i++)
		if (!strcmp(cfg->ports[i].name, name))
			return &cfg->ports[i];
	return NULL;
}
