/* SPDX-License-Identifier: GPL-2.0-only */
/* Strict base64 (RFC 4648 sections 4 and 5) for keys; see wr_base64.h. */
#include <errno.h>
#include <string.h>

#include "wr_base64.h"
#include "wr_crypto.h"

static const char alphabet_std[64] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char alphabet_url[64] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* 6-bit value of @p c in the chosen alphabet, or -1. */
static int
sextet(char c, bool url)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (url ? '-' : '+'))
		return 62;
	if (c == (url ? '_' : '/'))
		return 63;
	return -1;
}

int
wr_base64_encode(char *out, size_t outsz, const void *in, size_t inlen, unsigned int flags)
{
	const char *abc = (flags & WR_BASE64_URL) ? alphabet_url : alphabet_std;
	bool pad = !(flags & WR_BASE64_NOPAD);
	const uint8_t *p = in;
	size_t rem = inlen % 3;
	size_t need;
	size_t i, o = 0;

	if (inlen > (SIZE_MAX / 4) * 3 - 3)
		return -ENOSPC;
	need = (inlen / 3) * 4 + (rem ? (pad ? 4 : rem + 1) : 0);
	if (need + 1 > outsz || need > (size_t)INT32_MAX)
		return -ENOSPC;

	for (i = 0; i + 3 <= inlen; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];

		out[o++] = abc[v >> 18];
		out[o++] = abc[(v >> 12) & 63];
		out[o++] = abc[(v >> 6) & 63];
		out[o++] = abc[v & 63];
	}
	if (rem) {
		uint32_t v = (uint32_t)p[i] << 16 | (rem == 2 ? (uint32_t)p[i + 1] << 8 : 0);

		out[o++] = abc[v >> 18];
		out[o++] = abc[(v >> 12) & 63];
		if (rem == 2)
			out[o++] = abc[(v >> 6) & 63];
		else if (pad)
			out[o++] = '=';
		if (pad)
			out[o++] = '=';
	}
	out[o] = '\0';
	return (int)o;
}

int
wr_base64_decode(void *out, size_t outsz, const char *in, size_t inlen, unsigned int flags)
{
	bool url = flags & WR_BASE64_URL;
	uint8_t *q = out;
	size_t data = inlen; /* characters that carry bits */
	size_t rem, need, i, o = 0;
	uint32_t acc = 0;
	int bits = 0;

	if (!(flags & WR_BASE64_NOPAD)) {
		if (inlen % 4)
			return -EINVAL;
		if (data && in[data - 1] == '=')
			data--;
		if (data && in[data - 1] == '=')
			data--;
	}
	/* Unpadded, a final group of one character cannot hold a byte. */
	rem = data % 4;
	if (rem == 1)
		return -EINVAL;
	need = (data / 4) * 3 + (rem ? rem - 1 : 0);
	if (need > outsz)
		return -ENOSPC;
	if (need > (size_t)INT32_MAX)
		return -EINVAL;

	for (i = 0; i < data; i++) {
		int v = sextet(in[i], url);

		if (v < 0)
			return -EINVAL;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			q[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* The bits after the last byte must be zero, or several inputs would decode alike. */
	if (acc != 0)
		return -EINVAL;
	return (int)o;
}

void
wr_base64_key_encode(char out[WR_BASE64_KEY_LEN + 1], const uint8_t key[WR_KEY_LEN])
{
	wr_base64_encode(out, WR_BASE64_KEY_LEN + 1, key, WR_KEY_LEN, 0);
}

static int
key_decode(uint8_t key[WR_KEY_LEN], const char *in, size_t len, unsigned int flags)
{
	uint8_t tmp[WR_KEY_LEN + 2];
	int n = wr_base64_decode(tmp, sizeof(tmp), in, len, flags);

	if (n != WR_KEY_LEN) {
		memset(key, 0, WR_KEY_LEN);
		wr_wipe(tmp, sizeof(tmp));
		return -EINVAL;
	}
	memcpy(key, tmp, WR_KEY_LEN);
	/* tmp may hold a private key; the caller wipes its own copy, we wipe ours. */
	wr_wipe(tmp, sizeof(tmp));
	return 0;
}

int
wr_base64_key_decode(uint8_t key[WR_KEY_LEN], const char *in, size_t len)
{
	if (len != WR_BASE64_KEY_LEN) {
		memset(key, 0, WR_KEY_LEN);
		return -EINVAL;
	}
	return key_decode(key, in, len, 0);
}

void
wr_base64url_key_encode(char out[WR_BASE64URL_KEY_LEN + 1], const uint8_t key[WR_KEY_LEN])
{
	wr_base64_encode(
		out, WR_BASE64URL_KEY_LEN + 1, key, WR_KEY_LEN, WR_BASE64_URL | WR_BASE64_NOPAD);
}

int
wr_base64url_key_decode(uint8_t key[WR_KEY_LEN], const char *in, size_t len)
{
	if (len == WR_BASE64URL_KEY_LEN)
		return key_decode(key, in, len, WR_BASE64_URL | WR_BASE64_NOPAD);
	if (len == WR_BASE64_KEY_LEN)
		return key_decode(key, in, len, WR_BASE64_URL);
	memset(key, 0, WR_KEY_LEN);
	return -EINVAL;
}
