/*
 * json_write.c: JSON written into a cw_buf without a tree (include/chainwatch/json_write.h).
 * The escaper is the one place that turns bytes into a JSON string; the writer's output is
 * byte for byte what jansson's json_dumps(JSON_COMPACT) writes for
 * the same values in the same order (tests/unit/util/test_json_write.c checks it).
 */
#include <stdio.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/json_write.h"

size_t cw_utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
    if (len == 0)
        return 0;
    unsigned c = s[0];
    size_t n;
    uint32_t v;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        n = 2;
        v = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3;
        v = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4;
        v = c & 0x07;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if ((n == 2 && v < 0x80) || (n == 3 && v < 0x800) || (n == 4 && v < 0x10000) || v > 0x10FFFF ||
        (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

int cw_json_escape(cw_buf *b, const char *s, size_t len, int hex_case)
{
    static const char hex[2][16] = {"0123456789ABCDEF", "0123456789abcdef"};
    const unsigned char *p = (const unsigned char *)s;
    /* the worst case is six bytes for each input byte (\u00XX), plus the quotes and a NUL */
    if (len > (SIZE_MAX - 3) / 6)
        return cw_error_set(CW_ENOMEM, "out of memory: a string of %zu bytes", len);
    int rc = cw_buf_reserve(b, 6 * len + 3);
    if (rc)
        return rc;
    size_t start = b->len;
    uint8_t *o = b->data + b->len;
    *o++ = '"';
    size_t i = 0;
    while (i < len) {
        unsigned c = p[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') { /* the common case */
            *o++ = (uint8_t)c;
            i++;
            continue;
        }
        uint32_t cp;
        size_t n = cw_utf8_next(p + i, len - i, &cp);
        if (!n) {
            b->len = start;
            b->data[start] = 0;
            return cw_error_set(CW_EINVAL, "JSON: invalid UTF-8 at byte %zu of a string", i);
        }
        char e = cp == '"'    ? '"'
                 : cp == '\\' ? '\\'
                 : cp == '\b' ? 'b'
                 : cp == '\t' ? 't'
                 : cp == '\n' ? 'n'
                 : cp == '\f' ? 'f'
                 : cp == '\r' ? 'r'
                              : 0;
        if (e) {
            *o++ = '\\';
            *o++ = (uint8_t)e;
        } else if (cp < 0x20) {
            memcpy(o, "\\u00", 4);
            o[4] = (uint8_t)hex[hex_case != 0][cp >> 4];
            o[5] = (uint8_t)hex[hex_case != 0][cp & 15];
            o += 6;
        } else {
            memcpy(o, p + i, n);
            o += n;
        }
        i += n;
    }
    *o++ = '"';
    b->len = (size_t)(o - b->data);
    b->data[b->len] = 0;
    return 0;
}

void cw_jw_init(cw_json_writer *w, cw_buf *b)
{
    w->b = b;
    w->rc = 0;
    w->first = true;
    w->after_key = false;
}

static void put(cw_json_writer *w, const void *s, size_t n)
{
    if (!w->rc)
        w->rc = cw_buf_append(w->b, s, n);
}

/* Before a value or a key: the comma that separates it from the one before. */
static void sep(cw_json_writer *w)
{
    if (w->after_key)
        w->after_key = false;
    else if (!w->first)
        put(w, ",", 1);
    w->first = false;
}

void cw_jw_object(cw_json_writer *w)
{
    sep(w);
    put(w, "{", 1);
    w->first = true;
}

void cw_jw_array(cw_json_writer *w)
{
    sep(w);
    put(w, "[", 1);
    w->first = true;
}

void cw_jw_end_object(cw_json_writer *w)
{
    put(w, "}", 1);
    w->first = false;
}

void cw_jw_end_array(cw_json_writer *w)
{
    put(w, "]", 1);
    w->first = false;
}

static void str(cw_json_writer *w, const char *s)
{
    if (!w->rc)
        w->rc = cw_json_escape(w->b, s, strlen(s), CW_JSON_HEX_UPPER);
}

void cw_jw_key(cw_json_writer *w, const char *key)
{
    sep(w);
    str(w, key);
    put(w, ":", 1);
    w->after_key = true;
}

void cw_jw_string(cw_json_writer *w, const char *s)
{
    if (!s) {
        cw_jw_null(w);
        return;
    }
    sep(w);
    str(w, s);
}

void cw_jw_int(cw_json_writer *w, int64_t v)
{
    char d[24], *e = d + sizeof d, *p = e;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    sep(w);
    put(w, p, (size_t)(e - p));
}

void cw_jw_bool(cw_json_writer *w, bool v)
{
    sep(w);
    put(w, v ? "true" : "false", v ? 4 : 5);
}

void cw_jw_null(cw_json_writer *w)
{
    sep(w);
    put(w, "null", 4);
}

void cw_jw_raw(cw_json_writer *w, const char *json, size_t len)
{
    sep(w);
    put(w, json, len);
}
