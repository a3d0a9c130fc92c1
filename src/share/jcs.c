/*
 * jcs.c: RFC 8785 JSON Canonicalization Scheme over jansson values.
 *
 * Object members are sorted by their names as arrays of UTF-16 code units (RFC 8785 3.2.3);
 * strings keep every character literally except '"', '\\' and controls below U+0020, which
 * use the short escapes \b \t \n \f \r or \u00xx (lowercase hex); numbers follow ECMAScript's
 * Number.prototype.toString: the shortest decimal digits that read back as the same double
 * (found by trying 1..17 significant digits with correctly rounded printf), then laid out
 * in fixed notation for exponents -7 < n <= 21 and in "de+x" notation otherwise.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/json_write.h"
#include "chainwatch/share.h"
#include "chainwatch/util.h"

int cw_jcs_format_number(char buf[32], double d)
{
    if (!isfinite(d))
        return cw_error_set(CW_EINVAL, "JCS: NaN and infinities have no JSON form");
    if (d == 0) {
        memcpy(buf, "0", 2);
        return 0;
    }
    char tmp[40];
    int p;
    for (p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*e", p - 1, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    /* tmp = [-]D[.DDD]e[+-]XX */
    const char *s = tmp;
    bool neg = false;
    if (*s == '-') {
        neg = true;
        s++;
    }
    char digits[24];
    int k = 0;
    for (; *s && *s != 'e'; s++)
        if (*s != '.')
            digits[k++] = *s;
    while (k > 1 && digits[k - 1] == '0')
        k--;
    digits[k] = 0;
    int e10 = (int)strtol(s + 1, NULL, 10);
    int n = e10 + 1;
    char *o = buf;
    if (neg)
        *o++ = '-';
    if (k <= n && n <= 21) {
        memcpy(o, digits, (size_t)k);
        o += k;
        for (int i = 0; i < n - k; i++)
            *o++ = '0';
    } else if (0 < n && n <= 21) {
        memcpy(o, digits, (size_t)n);
        o += n;
        *o++ = '.';
        memcpy(o, digits + n, (size_t)(k - n));
        o += k - n;
    } else if (-6 < n && n <= 0) {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -n; i++)
            *o++ = '0';
        memcpy(o, digits, (size_t)k);
        o += k;
    } else {
        *o++ = digits[0];
        if (k > 1) {
            *o++ = '.';
            memcpy(o, digits + 1, (size_t)(k - 1));
            o += k - 1;
        }
        o += snprintf(o, 8, "e%c%d", n - 1 < 0 ? '-' : '+', abs(n - 1));
    }
    *o = 0;
    return 0;
}

/* Compares two UTF-8 strings by their UTF-16 code units. */
static int cmp_utf16(const char *a, const char *b)
{
    const unsigned char *pa = (const unsigned char *)a, *pb = (const unsigned char *)b;
    size_t la = strlen(a), lb = strlen(b);
    uint16_t qa[2], qb[2];
    int na = 0, nb = 0, ia = 0, ib = 0;
    for (;;) {
        if (ia == na) {
            uint32_t cp;
            size_t n = cw_utf8_next(pa, la, &cp);
            if (!n) {
                na = 0;
            } else {
                pa += n;
                la -= n;
                if (cp >= 0x10000) {
                    cp -= 0x10000;
                    qa[0] = (uint16_t)(0xD800 + (cp >> 10));
                    qa[1] = (uint16_t)(0xDC00 + (cp & 0x3FF));
                    na = 2;
                } else {
                    qa[0] = (uint16_t)cp;
                    na = 1;
                }
            }
            ia = 0;
        }
        if (ib == nb) {
            uint32_t cp;
            size_t n = cw_utf8_next(pb, lb, &cp);
            if (!n) {
                nb = 0;
            } else {
                pb += n;
                lb -= n;
                if (cp >= 0x10000) {
                    cp -= 0x10000;
                    qb[0] = (uint16_t)(0xD800 + (cp >> 10));
                    qb[1] = (uint16_t)(0xDC00 + (cp & 0x3FF));
                    nb = 2;
                } else {
                    qb[0] = (uint16_t)cp;
                    nb = 1;
                }
            }
            ib = 0;
        }
        if (na == 0 || nb == 0)
            return (na != 0) - (nb != 0);
        if (qa[ia] != qb[ib])
            return qa[ia] < qb[ib] ? -1 : 1;
        ia++;
        ib++;
    }
}

static int cmp_keys(const void *x, const void *y)
{
    return cmp_utf16(*(const char *const *)x, *(const char *const *)y);
}

/* JCS's string form is RFC 8259's with lowercase hex in \u00xx (RFC 8785 3.2.2.2): the one
 * escaper's lowercase mode; invalid UTF-8 is refused. */
static int put_string(cw_buf *out, const char *s, size_t len)
{
    int rc = cw_json_escape(out, s, len, CW_JSON_HEX_LOWER);
    return rc == CW_EINVAL ? cw_error_wrap(rc, "JCS: ") : rc;
}

int cw_jcs_serialize(const json_t *v, cw_buf *out)
{
    char num[32];
    int rc = 0;
    switch (json_typeof(v)) {
    case JSON_NULL:
        return cw_buf_append(out, "null", 4);
    case JSON_TRUE:
        return cw_buf_append(out, "true", 4);
    case JSON_FALSE:
        return cw_buf_append(out, "false", 5);
    case JSON_INTEGER: {
        json_int_t i = json_integer_value(v);
        if (i > CW_JCS_MAX_SAFE || i < -CW_JCS_MAX_SAFE)
            return cw_error_set(CW_EINVAL,
                                "JCS: integer %lld is beyond 2^53 and has no exact JSON number "
                                "form for a signature; send it as a string",
                                (long long)i);
        return cw_buf_printf(out, "%lld", (long long)i);
    }
    case JSON_REAL:
        if ((rc = cw_jcs_format_number(num, json_real_value(v))))
            return rc;
        return cw_buf_append(out, num, strlen(num));
    case JSON_STRING:
        return put_string(out, json_string_value(v), json_string_length(v));
    case JSON_ARRAY: {
        size_t i;
        json_t *e;
        if ((rc = cw_buf_append(out, "[", 1)))
            return rc;
        json_array_foreach(v, i, e)
        {
            if (i && (rc = cw_buf_append(out, ",", 1)))
                return rc;
            if ((rc = cw_jcs_serialize(e, out)))
                return rc;
        }
        return cw_buf_append(out, "]", 1);
    }
    case JSON_OBJECT: {
        size_t n = json_object_size(v), k = 0;
        const char **keys = cw_calloc(n ? n : 1, sizeof *keys);
        if (!keys)
            return cw_error_set(CW_ENOMEM, "out of memory");
        const char *key;
        json_t *e;
        json_object_foreach((json_t *)(uintptr_t)v, key, e) keys[k++] = key;
        qsort(keys, n, sizeof *keys, cmp_keys);
        rc = cw_buf_append(out, "{", 1);
        for (size_t i = 0; !rc && i < n; i++) {
            if (i)
                rc = cw_buf_append(out, ",", 1);
            if (!rc)
                rc = put_string(out, keys[i], strlen(keys[i]));
            if (!rc)
                rc = cw_buf_append(out, ":", 1);
            if (!rc)
                rc = cw_jcs_serialize(json_object_get(v, keys[i]), out);
        }
        cw_free(keys);
        return rc ? rc : cw_buf_append(out, "}", 1);
    }
    }
    return cw_error_set(CW_EINVAL, "JCS: unknown JSON type");
}

int cw_jcs_dumps(const json_t *v, char **out, size_t *out_len)
{
    cw_buf b = {0};
    int rc = cw_jcs_serialize(v, &b);
    if (!rc)
        rc = cw_buf_append(&b, "", 1);
    if (rc) {
        cw_buf_deinit(&b);
        return rc;
    }
    *out = (char *)b.data;
    if (out_len)
        *out_len = b.len - 1;
    return 0;
}
