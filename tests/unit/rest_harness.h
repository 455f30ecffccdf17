/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * For test_rest.c: child processes (curl, hand-made clients) run while the test's main loop
 * polls the REST server, and a minimal JSON Schema walker that checks every answer against
 * docs/openapi.json (path, method, status code, content type, body shape, request body); keys
 * and curl requests.
 */
#ifndef REST_HARNESS_H
#define REST_HARNESS_H

#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wr_base64.h"
#include "wr_crypto.h"
#include "wr_rest.h"
#include "wr_test.h"

static struct wr_rest *rest;

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* ---- child processes, pumped together with the server ---- */

struct proc {
	pid_t pid;
	int fd; /* its stdout */
	char *out;
	size_t len, cap;
	int status;
	bool done, eof;
};

static void
proc_spawn(struct proc *p, char *const argv[], void (*fn)(void *), void *arg)
{
	int fds[2];

	memset(p, 0, sizeof(*p));
	if (pipe(fds) < 0)
		abort();
	p->pid = fork();
	if (p->pid < 0)
		abort();
	if (p->pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		if (fn) {
			fn(arg);
			_exit(0);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	p->fd = fds[0];
	fcntl(p->fd, F_SETFL, O_NONBLOCK);
}

static void
proc_read(struct proc *p)
{
	for (;;) {
		ssize_t n;

		if (p->cap - p->len < 4096) {
			p->cap = p->cap ? 2 * p->cap : 65536;
			p->out = realloc(p->out, p->cap);
		}
		n = read(p->fd, p->out + p->len, p->cap - p->len - 1);
		if (n > 0) {
			p->len += (size_t)n;
			p->out[p->len] = '\0';
			continue;
		}
		if (n == 0) {
			p->eof = true;
			close(p->fd);
			waitpid(p->pid, &p->status, 0);
			p->done = true;
		}
		return;
	}
}

/*
 * Poll the server and the children until every child is done (or, with @p until, until ps[0]'s
 * output holds it). False after 60 s: the children are killed then.
 */
static bool
pump(struct proc **ps, size_t n, const char *until)
{
	uint64_t deadline = now_ns() + 60ULL * 1000000000ULL;

	for (;;) {
		struct pollfd pf[64];
		size_t np = 0, live = 0;
		int t = wr_rest_timeout_ms(rest);

		if (until && ps[0]->out && strstr(ps[0]->out, until))
			return true;
		pf[np++] = (struct pollfd){ .fd = wr_rest_fd(rest), .events = POLLIN };
		for (size_t i = 0; i < n; i++)
			if (!ps[i]->done) {
				pf[np++] = (struct pollfd){ .fd = ps[i]->fd, .events = POLLIN };
				live++;
			}
		if (!live && !until)
			return true;
		if (now_ns() > deadline) {
			for (size_t i = 0; i < n; i++)
				if (!ps[i]->done) {
					kill(ps[i]->pid, SIGKILL);
					proc_read(ps[i]);
				}
			return false;
		}
		poll(pf, np, t < 0 || t > 20 ? 20 : t);
		wr_rest_poll(rest, now_ns());
		for (size_t i = 0; i < n; i++)
			if (!ps[i]->done)
				proc_read(ps[i]);
	}
}

/* ---- the OpenAPI document ---- */

static json_t *doc, *covered;

static json_t *
resolve(json_t *s)
{
	const char *ref;

	while (s && (ref = json_string_value(json_object_get(s, "$ref")))) {
		char copy[256], *save = NULL, *tok;

		snprintf(copy, sizeof(copy), "%s", ref + 2); /* skip "#/" */
		s = doc;
		for (tok = strtok_r(copy, "/", &save); tok && s; tok = strtok_r(NULL, "/", &save))
			s = json_object_get(s, tok);
	}
	return s;
}

static bool
type_is(const char *t, json_t *v)
{
	if (!strcmp(t, "object"))
		return json_is_object(v);
	if (!strcmp(t, "array"))
		return json_is_array(v);
	if (!strcmp(t, "string"))
		return json_is_string(v);
	if (!strcmp(t, "integer"))
		return json_is_integer(v);
	if (!strcmp(t, "number"))
		return json_is_number(v);
	if (!strcmp(t, "boolean"))
		return json_is_boolean(v);
	if (!strcmp(t, "null"))
		return json_is_null(v);
	return false;
}

/* True when @p v is valid for @p s; explains the first mismatch into @p why (may be NULL). */
static bool
schema_ok(json_t *s, json_t *v, const char *where, char *why, size_t whysz)
{
	json_t *t, *x, *props, *addl;
	const char *name;
	size_t i;

#define NO(...)                                                                                    \
	do {                                                                                       \
		if (why)                                                                           \
			snprintf(why, whysz, __VA_ARGS__);                                         \
		return false;                                                                      \
	} while (0)
	s = resolve(s);
	if (!s)
		NO("%s: unresolvable schema", where);
	if ((t = json_object_get(s, "oneOf"))) {
		int matches = 0;

		json_array_foreach (t, i, x)
			matches += schema_ok(x, v, where, NULL, 0);
		if (matches != 1)
			NO("%s: matches %d of oneOf", where, matches);
	}
	if ((t = json_object_get(s, "type"))) {
		bool ok = false;

		if (json_is_string(t))
			ok = type_is(json_string_value(t), v);
		json_array_foreach (json_is_array(t) ? t : NULL, i, x)
			ok |= type_is(json_string_value(x), v);
		if (!ok)
			NO("%s: wrong type", where);
	}
	if ((t = json_object_get(s, "enum"))) {
		bool ok = false;

		json_array_foreach (t, i, x)
			ok |= json_equal(x, v);
		if (!ok)
			NO("%s: not in enum", where);
	}
	if (json_is_number(v) && (t = json_object_get(s, "minimum")) &&
		json_number_value(v) < json_number_value(t))
		NO("%s: below minimum", where);
	if (json_is_number(v) && (t = json_object_get(s, "maximum")) &&
		json_number_value(v) > json_number_value(t))
		NO("%s: above maximum", where);
	if (json_is_string(v) && (t = json_object_get(s, "pattern"))) {
		regex_t re;
		bool ok;

		if (regcomp(&re, json_string_value(t), REG_EXTENDED | REG_NOSUB) != 0)
			NO("%s: bad pattern in the document", where);
		ok = regexec(&re, json_string_value(v), 0, NULL, 0) == 0;
		regfree(&re);
		if (!ok)
			NO("%s: \"%s\" does not match %s", where, json_string_value(v),
				json_string_value(t));
	}
	if (json_is_object(v)) {
		props = json_object_get(s, "properties");
		addl = json_object_get(s, "additionalProperties");
		json_array_foreach (json_object_get(s, "required"), i, x)
			if (!json_object_get(v, json_string_value(x)))
				NO("%s: missing required %s", where, json_string_value(x));
		json_object_foreach (v, name, x) {
			char w[256];
			json_t *ps = props ? json_object_get(props, name) : NULL;

			snprintf(w, sizeof(w), "%s.%s", where, name);
			if (ps) {
				if (!schema_ok(ps, x, w, why, whysz))
					return false;
			} else if (json_is_false(addl)) {
				NO("%s: not in the document", w);
			} else if (json_is_object(addl) && !schema_ok(addl, x, w, why, whysz)) {
				return false;
			}
		}
	}
	if (json_is_array(v) && (t = json_object_get(s, "items")))
		json_array_foreach (v, i, x) {
			char w[256];

			snprintf(w, sizeof(w), "%s[%zu]", where, i);
			if (!schema_ok(t, x, w, why, whysz))
				return false;
		}
	return true;
#undef NO
}

/* The doc's path template that @p path matches ("/v1/interfaces/{interface}"), or NULL. */
static const char *
match_path(const char *path, json_t **item)
{
	const char *tmpl;
	json_t *v;

	json_object_foreach (json_object_get(doc, "paths"), tmpl, v) {
		const char *a = tmpl, *b = path;

		while (*a && *b) {
			if (*a == '{') {
				if (*b == '/')
					break;
				while (*a && *a != '}')
					a++;
				a++;
				while (*b && *b != '/')
					b++;
			} else if (*a == *b) {
				a++;
				b++;
			} else {
				break;
			}
		}
		if (!*a && !*b) {
			*item = v;
			return tmpl;
		}
	}
	return NULL;
}

struct res {
	int status;
	char ctype[128], allow[128], location[256];
	char *body; /* NUL-terminated */
	json_t *json;
};

static void
res_free(struct res *r)
{
	free(r->body);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

/* Check an answer against the document; @p req is the request body sent (or NULL). */
static void
doc_check(const char *method, const char *path, const struct res *r, const char *req)
{
	char lower[16], code[8], why[512] = "", key[300];
	const char *tmpl;
	json_t *item = NULL, *op, *resp, *content, *schema, *rb;
	size_t i;

	for (i = 0; method[i] && i + 1 < sizeof(lower); i++)
		lower[i] = (char)(method[i] | 0x20);
	lower[i] = '\0';
	tmpl = match_path(path, &item);
	op = tmpl ? json_object_get(item, lower) : NULL;
	if (!op) {
		/* undocumented paths and methods are refused, with the documented error body */
		CHECK(r->status == (tmpl ? 405 : 404), "%s %s: %d, not in the document", method,
			path, r->status);
		CHECK(r->json && schema_ok(json_object_get(json_object_get(json_object_get(doc,
										   "components"),
								   "schemas"),
						   "Error"),
					 r->json, "error", why, sizeof(why)),
			"%s %s: error body: %s", method, path, why);
		return;
	}
	snprintf(key, sizeof(key), "%s %s", method, tmpl);
	json_object_set_new(covered, key, json_true());
	snprintf(code, sizeof(code), "%d", r->status);
	resp = resolve(json_object_get(json_object_get(op, "responses"), code));
	CHECK(resp, "%s %s: status %d is not documented", method, path, r->status);
	if (!resp)
		return;
	content = json_object_get(resp, "content");
	if (!content) {
		CHECK(r->body[0] == '\0', "%s %s: %d must have no body", method, path, r->status);
		return;
	}
	if ((schema = json_object_get(json_object_get(content, "application/json"), "schema"))) {
		CHECK(!strncmp(r->ctype, "application/json", 16), "%s %s: content type %s", method,
			path, r->ctype);
		CHECK(r->json && schema_ok(schema, r->json, "body", why, sizeof(why)),
			"%s %s %d: %s", method, path, r->status, r->json ? why : "not JSON");
	} else {
		CHECK(!strncmp(r->ctype, "text/plain", 10), "%s %s: content type %s", method, path,
			r->ctype);
	}
	rb = json_object_get(
		json_object_get(json_object_get(op, "requestBody"), "content"), "application/json");
	if (req && rb && r->status < 300) {
		json_t *j = json_loads(req, 0, NULL);

		CHECK(j && schema_ok(json_object_get(rb, "schema"), j, "request", why, sizeof(why)),
			"%s %s: the accepted request does not match the document: %s", method, path,
			why);
		json_decref(j);
	}
}

/* Every operation of the document was exercised. */
static inline void
doc_coverage(void)
{
	const char *tmpl, *m;
	json_t *item, *op;

	json_object_foreach (json_object_get(doc, "paths"), tmpl, item) {
		json_object_foreach (item, m, op) {
			char key[300], upper[16];
			size_t i;

			if (!strcmp(m, "parameters"))
				continue;
			for (i = 0; m[i] && i + 1 < sizeof(upper); i++)
				upper[i] = (char)(m[i] & ~0x20);
			upper[i] = '\0';
			snprintf(key, sizeof(key), "%s %s", upper, tmpl);
			CHECK(json_object_get(covered, key), "not exercised: %s", key);
		}
	}
}

static bool
load_doc(const char *argv0)
{
	static const char *const where[] = { "docs/openapi.json", "../docs/openapi.json",
		"../../docs/openapi.json", "../../../docs/openapi.json" };
	const char *env = getenv("WR_OPENAPI");

	covered = json_object();
	if (env)
		doc = json_load_file(env, 0, NULL);
	for (size_t i = 0; !doc && i < sizeof(where) / sizeof(where[0]); i++)
		doc = json_load_file(where[i], 0, NULL);
	if (!doc) {
		/* from the source file's directory, as the compiler saw it */
		char p[1024];
		const char *slash = strrchr(__FILE__, '/');

		snprintf(p, sizeof(p), "%.*s/../../docs/openapi.json",
			slash ? (int)(slash - __FILE__) : 1, slash ? __FILE__ : ".");
		doc = json_load_file(p, 0, NULL);
	}
	return doc != NULL;
}

static char sock[128], bodyfile[128];

/* ---- keys ---- */

struct key {
	uint8_t priv[32], pub[32];
	char std[WR_BASE64_KEY_LEN + 1], url[WR_BASE64URL_KEY_LEN + 1];
	char priv_std[WR_BASE64_KEY_LEN + 1];
};

static void
make_key(struct key *k, unsigned int n)
{
	memset(k->priv, 0, 32);
	/* clamping clears bits of byte 0: vary others */
	k->priv[1] = (uint8_t)n;
	k->priv[2] = (uint8_t)(n >> 8);
	k->priv[3] = 0x5a;
	k->priv[31] = 0x40;
	wr_x25519_public(k->pub, k->priv);
	wr_base64_key_encode(k->std, k->pub);
	wr_base64url_key_encode(k->url, k->pub);
	wr_base64_key_encode(k->priv_std, k->priv);
}

/* ---- requests through curl ---- */

/*
 * @p path: "/v1/..." over the unix socket, or a whole URL (TCP). @p ctype: NULL for JSON, ""
 * for none. @p extra: more curl arguments (NULL-terminated), may be NULL.
 */
static void
request_ex(struct res *r, const char *method, const char *path, const char *body, const char *ctype,
	const char *const *extra)
{
	char url[512], ct[128];
	const char *argv[40];
	struct proc p, *pp = &p;
	size_t n = 0;
	char *nl[5];

	memset(r, 0, sizeof(*r));
	argv[n++] = "curl";
	argv[n++] = "-sS";
	argv[n++] = "--max-time";
	argv[n++] = "30";
	argv[n++] = "-o";
	argv[n++] = "-";
	argv[n++] = "-w";
	argv[n++] = "\n%{http_code}\n%{content_type}\n%header{allow}\n%header{location}";
	argv[n++] = "-X";
	argv[n++] = method;
	if (strncmp(path, "http", 4) != 0) {
		argv[n++] = "--unix-socket";
		argv[n++] = sock;
		snprintf(url, sizeof(url), "http://localhost%s", path);
	} else {
		snprintf(url, sizeof(url), "%s", path);
	}
	if (body) {
		FILE *f = fopen(bodyfile, "w");

		fwrite(body, 1, strlen(body), f);
		fclose(f);
		argv[n++] = "--data-binary";
		argv[n++] = "@body.json";
		if (!ctype || ctype[0]) {
			snprintf(ct, sizeof(ct), "Content-Type: %s",
				ctype ? ctype : "application/json");
			argv[n++] = "-H";
			argv[n++] = ct;
		}
	}
	for (size_t i = 0; extra && extra[i]; i++)
		argv[n++] = extra[i];
	argv[n++] = url;
	argv[n] = NULL;
	proc_spawn(&p, (char *const *)argv, NULL, NULL);
	CHECK(pump(&pp, 1, NULL), "%s %s: curl did not finish", method, path);
	CHECK(WIFEXITED(p.status) && WEXITSTATUS(p.status) == 0, "%s %s: curl failed", method,
		path);
	/* the last four lines are the -w fields */
	for (int i = 0; i < 4; i++) {
		nl[i] = p.out ? strrchr(p.out, '\n') : NULL;
		if (!nl[i])
			break;
		*nl[i] = '\0';
	}
	if (p.out && nl[3]) {
		r->status = atoi(nl[3] + 1);
		snprintf(r->ctype, sizeof(r->ctype), "%s", nl[2] + 1);
		snprintf(r->allow, sizeof(r->allow), "%s", nl[1] + 1);
		snprintf(r->location, sizeof(r->location), "%s", nl[0] + 1);
		r->body = strdup(p.out);
		r->json = json_loads(r->body, 0, NULL);
	} else {
		r->body = strdup("");
	}
	free(p.out);
	if (strncmp(path, "http", 4) != 0)
		doc_check(method, path, r, body);
	else
		doc_check(method, strchr(path + 7, '/'), r, body);
}

static void
request(struct res *r, const char *method, const char *path, const char *body)
{
	request_ex(r, method, path, body, NULL, NULL);
}

static const char *
jstr(json_t *j, const char *path)
{
	return json_string_value(json_object_get(j, path));
}

/* The error code and field of an error answer. */
static bool
is_error(const struct res *r, int status, const char *code, const char *field)
{
	json_t *e = json_object_get(r->json, "error");
	const char *f = jstr(e, "field");

	if (r->status == status && e && !strcmp(jstr(e, "code"), code) &&
		(field ? f && !strcmp(f, field) : !f))
		return true;
	printf("  got %d %s (wanted %d %s field %s)\n", r->status, r->body, status, code,
		field ? field : "null");
	return false;
}

static char path_buf[512];

static inline const char *
ppath(const char *ifname, const struct key *k, const char *suffix)
{
	snprintf(path_buf, sizeof(path_buf), "/v1/interfaces/%s/peers/%s%s", ifname, k->url,
		suffix ? suffix : "");
	return path_buf;
}

#endif /* REST_HARNESS_H */
