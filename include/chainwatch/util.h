/*
 * util.h: small shared helpers: allocation wrappers, hex, hashing, whole-file reads,
 * a growable byte buffer, and a terminal progress line.
 */
#ifndef CHAINWATCH_UTIL_H
#define CHAINWATCH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- allocation (wrappers so tests can inject failure later) ---- */
void *cw_malloc(size_t n);
void *cw_calloc(size_t count, size_t n);
void *cw_realloc(void *p, size_t n);
char *cw_strdup(const char *s);
/* Grows the array *pp (pp is the address of a T *, elem = sizeof(T)) so that it holds at least
 * need elements: to the largest of need, twice *cap and min_cap, checked for overflow. On
 * failure *pp and *cap are unchanged and CW_ENOMEM is set ("out of memory"); 0 when *cap
 * already holds need. */
int cw_grow(void *pp, size_t *cap, size_t need, size_t elem, size_t min_cap);
void cw_free(void *p);

/* ---- hex ---- */
/* Writes 2*n lowercase hex digits and a NUL into out (size >= 2n+1). */
void cw_hex_encode(char *out, const uint8_t *in, size_t n);
/* Same, bytes reversed (Bitcoin's display order for hashes). */
void cw_hex_encode_rev(char *out, const uint8_t *in, size_t n);
/* Decodes exactly 2*n hex digits; returns 0 or CW_EINVAL. */
int cw_hex_decode(uint8_t *out, size_t n, const char *hex);
int cw_hex_decode_rev(uint8_t *out, size_t n, const char *hex);
/* Decodes a hex string of any even length into a new buffer (*out owned by caller). */
int cw_hex_decode_alloc(uint8_t **out, size_t *out_len, const char *hex);

/* ---- hashing (OpenSSL libcrypto) ---- */
void cw_sha256(uint8_t out[32], const void *data, size_t n);
void cw_sha256d(uint8_t out[32], const void *data, size_t n);
/* SHA256d of exactly 64 bytes (a merkle node): three compressions, no buffering. */
void cw_sha256d64(uint8_t out[32], const uint8_t in[64]);
/* Double SHA-256 over the concatenation of up to 4 pieces (NULL-terminated by n_pieces). */
void cw_sha256d_pieces(uint8_t out[32], size_t n_pieces, const void *const *data,
                       const size_t *len);
void cw_hash160(uint8_t out[20], const void *data, size_t n);

/* ---- files ---- */
/* Reads a whole file into a new buffer (*out owned by caller). */
int cw_file_read(uint8_t **out, size_t *out_len, const char *path);
/* Writes a file atomically: path.tmp, fsync, rename, fsync of the directory. */
int cw_file_write_atomic(const char *path, const void *data, size_t n);
int cw_mkdir_p(const char *path);
int cw_fsync_dir(const char *dir);

/* ---- growable buffer ---- */
typedef struct cw_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
} cw_buf;
int cw_buf_reserve(cw_buf *b, size_t extra);
int cw_buf_append(cw_buf *b, const void *data, size_t n);
int cw_buf_printf(cw_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cw_buf_deinit(cw_buf *b);

/* ---- progress line on a terminal; silent when stderr is not a tty ---- */
typedef struct cw_progress cw_progress;
/* total may be 0 when unknown. The label is copied. */
cw_progress *cw_progress_new(const char *label, uint64_t total, const char *unit);
/* Updates the count and extra counters (shown as rates); redraws at most 5 times a second. */
void cw_progress_update(cw_progress *p, uint64_t done, uint64_t tx, uint64_t bytes);
void cw_progress_free(cw_progress *p);
bool cw_progress_enabled(const cw_progress *p);

/* ---- time ---- */
double cw_now(void); /* monotonic seconds */
/* Wall-clock time in microseconds since the epoch, and its RFC 3339 form with `digits` (0, 3 or
 * 6) fractional digits and a Z ("2026-11-28T00:00:00.123456Z"); buf needs 32 bytes. */
int64_t cw_time_now_us(void);
void cw_time_format(char buf[32], int64_t us, int digits);
/* Parses an RFC 3339 timestamp (any number of fractional digits; Z, or an offset such as +09:00,
 * converted to UTC) into microseconds since the epoch. 0 or CW_EINVAL naming the text. */
int cw_time_parse(int64_t *out, const char *s);

/* ---- strict number parsing (no atoi) ---- */
int cw_parse_u64(uint64_t *out, const char *s);
int cw_parse_i64(int64_t *out, const char *s);
int cw_parse_double(double *out, const char *s);

/* An exact decimal from base units: dec is "[-]DIGITS" (at most 100 digits), shifted left by
 * `decimals` places (0..77, as many as a 256-bit amount can have), the fraction's trailing
 * zeros trimmed ("1500000", 6 -> "1.5"; "-5", 3 -> "-0.005"). String arithmetic, never a
 * double. CW_EINVAL (out "") when dec or decimals is out of range; out is always
 * NUL-terminated and truncated to n. */
int cw_dec_shift(char *out, size_t n, const char *dec, long decimals);

#endif
