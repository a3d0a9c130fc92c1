/*
 * json_write.h: JSON written straight into a growable buffer, without building a tree: one
 * string escaper (RFC 8259), integers, and a small writer that
 * places commas and colons. For answers on a hot path (the server's address page); jansson
 * stays where a tree is needed or the cost does not matter.
 */
#ifndef CHAINWATCH_JSON_WRITE_H
#define CHAINWATCH_JSON_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chainwatch/util.h"

/* Escaping of a control character without a short escape: \u00XX in uppercase hex (as jansson
 * writes it) or lowercase (as RFC 8785, JCS, requires). */
enum { CW_JSON_HEX_UPPER = 0, CW_JSON_HEX_LOWER = 1 };

/* Appends s[0..len) as a JSON string, quotes included: '"' and '\\' escaped, \b \t \n \f \r
 * short, other characters below U+0020 as \u00xx, everything else (U+007F, non-ASCII, '/')
 * literally. The bytes must be UTF-8 (no overlong forms, surrogates or code points past
 * U+10FFFF): otherwise CW_EINVAL naming the byte offset, and nothing is appended. 0,
 * CW_EINVAL or CW_ENOMEM. */
int cw_json_escape(cw_buf *b, const char *s, size_t len, int hex_case);

/* The length of one UTF-8 sequence at s (at most len bytes) and its code point, or 0 when it is
 * not valid UTF-8 (as cw_json_escape judges it). */
size_t cw_utf8_next(const unsigned char *s, size_t len, uint32_t *cp);

/* A writer: commas between members and elements, a colon after a key. Errors stick: the first
 * failure is kept in rc and later calls do nothing. */
typedef struct cw_json_writer {
    cw_buf *b;
    int rc;
    bool first;     /* nothing written yet in the open container */
    bool after_key; /* a key was written: its value comes next, no comma */
} cw_json_writer;

void cw_jw_init(cw_json_writer *w, cw_buf *b);
void cw_jw_object(cw_json_writer *w); /* { */
void cw_jw_array(cw_json_writer *w);  /* [ */
void cw_jw_end_object(cw_json_writer *w);
void cw_jw_end_array(cw_json_writer *w);
void cw_jw_key(cw_json_writer *w, const char *key);
void cw_jw_string(cw_json_writer *w, const char *s); /* NULL: null */
void cw_jw_int(cw_json_writer *w, int64_t v);
void cw_jw_bool(cw_json_writer *w, bool v);
void cw_jw_null(cw_json_writer *w);
/* A value already serialised (valid JSON, compact), appended as it is. */
void cw_jw_raw(cw_json_writer *w, const char *json, size_t len);

#endif
