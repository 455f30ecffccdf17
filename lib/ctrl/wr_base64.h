/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Base64 (RFC 4648) for WireGuard keys: 32 bytes <-> 44 characters of standard base64 with one
 * '=' of padding, as `wg genkey` writes them; and the URL-safe alphabet ("-_", section 5) for keys
 * in REST paths, where '+' and '/' would need escaping.
 *
 * Decoding is strict, so that one key has exactly one spelling (a key is also an identity: two
 * spellings of one peer must not look like two peers): wrong length, a character outside the
 * alphabet, padding anywhere but the end, or non-zero bits after the last full byte are refused.
 * Nothing here allocates; decoders are constant time in neither length nor content (keys in
 * configuration files are not secret from the person writing them, and tables are fine there).
 */
#ifndef WR_BASE64_H
#define WR_BASE64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wr_messages.h"

/** Characters of a key in standard base64, padding included, without the NUL. */
#define WR_BASE64_KEY_LEN 44
/** Characters of a key in unpadded URL-safe base64, without the NUL. */
#define WR_BASE64URL_KEY_LEN 43

/** Flags of wr_base64_encode()/wr_base64_decode(). */
#define WR_BASE64_URL 0x1u   /**< URL-safe alphabet: '-' and '_' instead of '+' and '/'. */
#define WR_BASE64_NOPAD 0x2u /**< No '=' padding (encode: write none; decode: accept none). */

/** Characters needed to encode @p n bytes, padded, without the NUL. */
#define WR_BASE64_ENCODED_LEN(n) ((((n) + 2) / 3) * 4)

/**
 * Encode @p inlen bytes at @p in into @p out (room for @p outsz bytes), NUL-terminated.
 * Returns the number of characters written (without the NUL), or -ENOSPC when @p outsz is too
 * small (nothing useful is written then).
 */
int wr_base64_encode(char *out, size_t outsz, const void *in, size_t inlen, unsigned int flags);

/**
 * Decode exactly @p inlen characters at @p in (no whitespace allowed) into @p out (room for
 * @p outsz bytes). Without WR_BASE64_NOPAD the input must be padded to a multiple of 4; with it,
 * it must carry no '='. Returns the number of bytes written, -EINVAL for input that is not
 * canonical base64 of the chosen variant, or -ENOSPC when @p outsz is too small. @p out may be
 * partly written on failure.
 */
int wr_base64_decode(void *out, size_t outsz, const char *in, size_t inlen, unsigned int flags);

/** Write the 44-character standard base64 of @p key and a NUL to @p out. */
void wr_base64_key_encode(char out[WR_BASE64_KEY_LEN + 1], const uint8_t key[WR_KEY_LEN]);

/**
 * Decode a key from the @p len characters at @p in: exactly 44 characters of standard base64
 * ending in '='. Returns 0, or -EINVAL (then @p key is zeroed).
 */
int wr_base64_key_decode(uint8_t key[WR_KEY_LEN], const char *in, size_t len);

/** Write the 43-character unpadded URL-safe base64 of @p key and a NUL to @p out. */
void wr_base64url_key_encode(char out[WR_BASE64URL_KEY_LEN + 1], const uint8_t key[WR_KEY_LEN]);

/**
 * Decode a key in URL-safe base64 from the @p len characters at @p in: 43 characters unpadded,
 * or 44 ending in '='. Returns 0, or -EINVAL (then @p key is zeroed).
 */
int wr_base64url_key_decode(uint8_t key[WR_KEY_LEN], const char *in, size_t len);

#endif /* WR_BASE64_H */
