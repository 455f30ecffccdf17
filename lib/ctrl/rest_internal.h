/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the REST server's files (rest.c: HTTP and routing; rest_json.c: JSON in and out;
 * rest_peers.c: the resources; metrics.c: Prometheus text). Not a public header.
 */
#ifndef WR_REST_INTERNAL_H
#define WR_REST_INTERNAL_H

#include <jansson.h>
#include <stdarg.h>
#include <sys/types.h>

#include "wr_peer_update.h"
#include "wr_rest.h"

struct rest_if {
	char name[WR_REST_IFNAME_MAX + 1];
	struct wr_device *dev;
	struct wr_rest_if_ops ops;
	void *ctx;
};

struct MHD_Daemon;

struct rest_listener {
	struct wr_rest *rest;
	struct MHD_Daemon *d;
	int fd;
	bool needs_token;
};

struct wr_rest {
	struct rest_if *ifs;
	size_t nifs, cap_ifs;
	struct wr_rest_ops ops;
	void *ctx;
	struct wr_rest_config cfg;
	char *unix_path; /* NULL: no unix socket (unix_err says why) */
	int unix_err;
	dev_t sock_dev; /* the socket file we made, to remove only that one */
	ino_t sock_ino;
	char *token;
	struct rest_listener lu, lt; /* unix, TCP */
	uint16_t tcp_port;
	int epfd;
	uint64_t created_ns; /* CLOCK_MONOTONIC at create, for the default uptime */
	uint64_t now;        /* the engine clock of the request being handled */
	struct wr_rest_stats stats;
};

/* One answer: a status, a malloc'd body and a few headers. */
struct rest_resp {
	unsigned int status;
	char *body;
	size_t len;
	const char *ctype; /* static string; NULL: application/json */
	const char *allow; /* for 405 */
	char location[128];
	bool wrote; /* the configuration changed */
};

/* Error codes of the JSON error body. */
#define REST_E_JSON "invalid_json"
#define REST_E_TYPE "wrong_type"
#define REST_E_VALUE "invalid_value"
#define REST_E_MISSING "missing_field"
#define REST_E_UNKNOWN "unknown_field"
#define REST_E_NOT_FOUND "not_found"
#define REST_E_METHOD "method_not_allowed"
#define REST_E_CONFLICT "conflict"
#define REST_E_TOO_LARGE "payload_too_large"
#define REST_E_MEDIA "unsupported_media_type"
#define REST_E_AUTH "unauthorized"
#define REST_E_INTERNAL "internal_error"

/* Set @p out to an error answer; returns -1 so that handlers can `return rest_error(...)`. */
__attribute__((format(printf, 5, 6))) int
rest_error(struct rest_resp *out, unsigned int status, const char *code, const char *field,
	const char *fmt, ...);

/* Answer @p status with the JSON @p j (reference stolen; NULL: out of memory, 500). */
int
rest_json(struct rest_resp *out, unsigned int status, json_t *j);

/* ---- rest_json.c: values in and out ---- */

/* Parse @p body (@p len bytes) into an object, or answer 400. */
json_t *
rest_parse_object(const char *body, size_t len, struct rest_resp *out);

/* Answer 400 unless every member name of @p obj is in the NULL-terminated @p allowed. */
int
rest_check_fields(
	const json_t *obj, const char *const *allowed, const char *path, struct rest_resp *out);

/* A key in standard base64 (the member's string is wiped when @p secret). 0 or rest_error. */
int
rest_get_key(
	json_t *v, bool secret, uint8_t key[WR_KEY_LEN], const char *field, struct rest_resp *out);

int
rest_parse_endpoint(struct wr_endpoint *ep, const char *s);

int
rest_parse_prefix(struct wr_peer_update_aip *a, const char *s);

/* Peer fields of a request body, per the method (see rest_peers.c). */
enum rest_peer_mode {
	REST_PEER_CREATE, /* POST, bulk: public_key required; everything absent takes its default */
	REST_PEER_REPLACE, /* PUT: as create, the key comes from the path */
	REST_PEER_PATCH,   /* PATCH: only what is present changes */
};

/*
 * Fill @p p (and aips appended to @p up, which has room for @p up->naips + the peer's count) from
 * the object @p obj; @p path prefixes field names ("peers[3]" or ""). @p path_key: the key from
 * the URL (NULL for POST and bulk). 0 or rest_error.
 */
int
rest_parse_peer(json_t *obj, const char *path, enum rest_peer_mode mode, const uint8_t *path_key,
	struct wr_peer_update *up, struct wr_peer_update_peer *p, size_t *aip_cap,
	struct rest_resp *out);

/* The JSON of one peer (no secrets), with its statistics; NULL on ENOMEM. */
json_t *
rest_peer_json(struct wr_peer *peer);

json_t *
rest_peer_stats_json(struct wr_peer *peer);

/* ---- rest_peers.c: the resources under /v1/interfaces ---- */

int
rest_interfaces(struct wr_rest *r, const char *method, struct rest_resp *out);

int
rest_interface(struct wr_rest *r, struct rest_if *ifc, const char *method, const char *body,
	size_t len, struct rest_resp *out);

int
rest_interface_stats(struct wr_rest *r, struct rest_if *ifc, struct rest_resp *out);

int
rest_peers(struct wr_rest *r, struct rest_if *ifc, const char *method, const char *body, size_t len,
	struct rest_resp *out);

int
rest_peer(struct wr_rest *r, struct rest_if *ifc, const char *key, const char *method,
	const char *body, size_t len, bool stats, struct rest_resp *out);

/* Engine and data-plane drop counts of @p ifc. */
void
rest_if_drops(struct rest_if *ifc, uint64_t drops[WR_DROP_COUNT]);

/* A JSON object of every reason's lower-case name to its count in @p drops (NULL: zeros). */
json_t *
rest_drops_json(const uint64_t *drops);

/* ---- metrics.c ---- */

/* GET /metrics: Prometheus text exposition format 0.0.4. */
int
rest_metrics(struct wr_rest *r, struct rest_resp *out);

/* The gateway's status (the host's, or defaults); 0 or -errno. */
int
rest_status(struct wr_rest *r, struct wr_rest_status *st);

#endif /* WR_REST_INTERNAL_H */
