/*
 * text.c: small text helpers of the label module: address match keys, address plausibility
 * per asset, programme lists, dates, Latin-1 to UTF-8, warnings and importer kind names.
 *
 * Address plausibility is a syntax check (alphabet and length per encoding; for mixed-case
 * EVM hex also the EIP-55 checksum), not a base58 or bech32 checksum check: OFAC publishes a
 * few entries that are not addresses at all (an XMR entry is 64 hex digits) and the importers
 * keep those as published, with a warning.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/keccak.h"
#include "labels/labels_int.h"

static const char *const kind_names[] = {"ofac-xml", "ofac-csv", "csv", "gen-truth"};

const char *cw_label_import_kind_name(cw_label_import_kind k)
{
    return (unsigned)k < 4 ? kind_names[k] : "?";
}

int cw_label_import_kind_parse(cw_label_import_kind *out, const char *s)
{
    for (int i = 0; i < 4; i++) {
        if (s && !strcmp(s, kind_names[i])) {
            *out = (cw_label_import_kind)i;
            return 0;
        }
    }
    return cw_error_set(CW_EINVAL, "unknown import kind '%s' (ofac-xml, ofac-csv, csv, gen-truth)",
                        s ? s : "");
}

void cw_labels__warn(cw_labels__pctx *pc, const char *fmt, ...)
{
    pc->warnings++;
    if (!pc->opts || !pc->opts->warn)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pc->opts->warn(msg, pc->opts->warn_payload);
}

const char *cw_labels__basename(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static const char B58[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
static const char BECH32[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static bool all_in(const char *s, size_t n, const char *set)
{
    for (size_t i = 0; i < n; i++)
        if (!s[i] || !strchr(set, s[i]))
            return false;
    return true;
}

static bool is_hex(const char *s, size_t n)
{
    return all_in(s, n, "0123456789abcdefABCDEF");
}

static bool has_lower(const char *s)
{
    for (; *s; s++)
        if (*s >= 'a' && *s <= 'z')
            return true;
    return false;
}

static bool has_upper(const char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            return true;
    return false;
}

/* hrp "1" data, one case, data in the bech32 alphabet (BIP173 shape, checksum not checked). */
static bool bech32_shape(const char *s)
{
    if (has_lower(s) && has_upper(s))
        return false;
    const char *sep = strrchr(s, '1');
    size_t len = strlen(s);
    if (!sep || sep == s || len > 90 || strlen(sep + 1) < 6)
        return false;
    for (const char *p = s; p < sep; p++)
        if (*p < 33 || *p > 126)
            return false;
    char low[96];
    for (size_t i = 0; i <= len; i++)
        low[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] + 32 : s[i]);
    return all_in(low + (sep - s) + 1, strlen(sep + 1), BECH32);
}

int cw_label_address_key(char *out, size_t out_size, const char *addr)
{
    if (!addr)
        return cw_error_set(CW_EINVAL, "empty address");
    while (*addr == ' ' || *addr == '\t')
        addr++;
    size_t n = strlen(addr);
    while (n && (addr[n - 1] == ' ' || addr[n - 1] == '\t'))
        n--;
    if (n == 0)
        return cw_error_set(CW_EINVAL, "empty address");
    if (n > 255 || n + 1 > out_size)
        return cw_error_set(CW_EINVAL, "address is too long (%zu characters)", n);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)addr[i];
        if (c <= ' ' || c == 0x7f)
            return cw_error_set(CW_EINVAL, "address '%.*s' contains a blank or control character",
                                (int)n, addr);
    }
    memcpy(out, addr, n);
    out[n] = 0;
    /* Lower-cased: EVM hex (EIP-55 mixed case is only a checksum) and bech32 (case-insensitive,
     * lower case is canonical). */
    bool evm = n > 2 && out[0] == '0' && (out[1] == 'x' || out[1] == 'X') && is_hex(out + 2, n - 2);
    if (evm || (!has_lower(out) && bech32_shape(out)))
        for (size_t i = 0; i < n; i++)
            if (out[i] >= 'A' && out[i] <= 'Z')
                out[i] = (char)(out[i] + 32);
    return 0;
}

const char *cw_labels__address_problem(const char *asset, const char *addr, bool *truncated)
{
    size_t n = strlen(addr);
    *truncated = false;
    (void)asset;
    if (n < 25) {
        *truncated = true;
        return "too short to be an address (truncated?)";
    }
    if (addr[0] == '0' && (addr[1] == 'x' || addr[1] == 'X')) {
        if (n != 42 || !is_hex(addr + 2, 40))
            return "not 0x followed by 40 hex digits";
        /* mixed case is an EIP-55 checksum: a mismatch is a typo in the source */
        return cw_eip55_check(addr) ? "mixed-case EVM address whose EIP-55 checksum does not "
                                      "match (a typo in the source?)"
                                    : NULL;
    }
    if (bech32_shape(addr))
        return NULL;
    if (n == 42 && all_in(addr, n, BECH32))
        return NULL; /* CashAddr without its "bitcoincash:" prefix */
    if (!strncmp(addr, "bitcoincash:", 12) && all_in(addr + 12, n - 12, BECH32))
        return NULL;
    if (n == 64 && is_hex(addr, n))
        return "64 hex digits: looks like a hash or key, not an address";
    if (all_in(addr, n, B58))
        return n <= 111 ? NULL : "too long for a base58 address";
    return "characters outside the base58, bech32 and hex alphabets";
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int cw_labels__programs_normalize(cw_buf *out, const char *list, const char *seps)
{
    char *copy = cw_strdup(list ? list : "");
    char **items = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    out->len = 0;
    if (!copy)
        return cw_error_set(CW_ENOMEM, "out of memory");
    for (char *p = copy; *p;) {
        size_t k = strcspn(p, seps);
        char *item = p;
        p += k;
        if (*p)
            *p++ = 0;
        while (*item == ' ' || *item == '[')
            item++;
        size_t m = strlen(item);
        while (m && (item[m - 1] == ' ' || item[m - 1] == ']'))
            item[--m] = 0;
        if (!m || !strcmp(item, "-0-"))
            continue;
        if ((rc = cw_grow(&items, &cap, n + 1, sizeof *items, 8)))
            goto out;
        items[n++] = item;
    }
    if (n)
        qsort(items, n, sizeof *items, cmp_str);
    for (size_t i = 0; i < n; i++) {
        if (i && !strcmp(items[i], items[i - 1]))
            continue;
        if ((out->len && (rc = cw_buf_append(out, ";", 1))) ||
            (rc = cw_buf_append(out, items[i], strlen(items[i]))))
            goto out;
    }
    if ((rc = cw_buf_append(out, "", 1)))
        goto out;
    out->len--;
out:
    cw_free(items);
    cw_free(copy);
    return rc;
}

bool cw_labels__date_valid(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

bool cw_labels__utf8_valid(const void *data, size_t n)
{
    const unsigned char *s = data;
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t k;
        unsigned min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            k = 1;
            min = 0x80;
            c &= 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            k = 2;
            min = 0x800;
            c &= 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            k = 3;
            min = 0x10000;
            c &= 0x07;
        } else {
            return false;
        }
        if (i + k >= n)
            return false;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80)
                return false;
            c = (c << 6) | (s[i + j] & 0x3f);
        }
        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
            return false;
        i += k + 1;
    }
    return true;
}

/* Windows-1252 0x80..0x9f; other bytes are Latin-1 (same code point). 0 = undefined. */
static const unsigned short cp1252[32] = {
    0x20ac, 0,      0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017d, 0,      0,      0x2018, 0x2019, 0x201c, 0x201d, 0x2022,
    0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0,      0x017e, 0x0178};

int cw_labels__to_utf8(cw_buf *out, const char *s, size_t len)
{
    int rc;
    out->len = 0;
    if (cw_labels__utf8_valid(s, len)) {
        if ((rc = cw_buf_append(out, s, len)))
            return rc;
    } else {
        for (size_t i = 0; i < len; i++) {
            unsigned c = (unsigned char)s[i];
            if (c >= 0x80 && c < 0xa0)
                c = cp1252[c - 0x80] ? cp1252[c - 0x80] : 0xfffd;
            unsigned char u[3];
            size_t k;
            if (c < 0x80) {
                u[0] = (unsigned char)c;
                k = 1;
            } else if (c < 0x800) {
                u[0] = (unsigned char)(0xc0 | (c >> 6));
                u[1] = (unsigned char)(0x80 | (c & 0x3f));
                k = 2;
            } else {
                u[0] = (unsigned char)(0xe0 | (c >> 12));
                u[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
                u[2] = (unsigned char)(0x80 | (c & 0x3f));
                k = 3;
            }
            if ((rc = cw_buf_append(out, u, k)))
                return rc;
        }
    }
    if ((rc = cw_buf_append(out, "", 1)))
        return rc;
    out->len--;
    return 0;
}
