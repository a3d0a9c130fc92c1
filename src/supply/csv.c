/*
 * csv.c: a small RFC 4180 CSV reader for the supply loaders. Handles quoted fields with
 * doubled quotes and embedded newlines, CRLF or LF line ends, and a leading UTF-8 BOM.
 * Tracks the line on which each record starts so that errors can name it.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chainwatch/errors.h"
#include "chainwatch/util.h"
#include "supply/supply_int.h"

static void strip_bom(cw_csv *c)
{
    if (c->len >= 3 && c->data[0] == 0xEF && c->data[1] == 0xBB && c->data[2] == 0xBF)
        c->pos = 3;
}

int cw_supply__csv_open(cw_csv *c, const char *path)
{
    memset(c, 0, sizeof *c);
    c->path = path;
    c->line = 1;
    int rc = cw_file_read(&c->data, &c->len, path);
    if (rc)
        return rc;
    strip_bom(c);
    return 0;
}

int cw_supply__csv_open_mem(cw_csv *c, const char *name, const char *text, size_t len)
{
    memset(c, 0, sizeof *c);
    c->path = name;
    c->line = 1;
    c->data = cw_malloc(len + 1);
    if (!c->data)
        return cw_error_set(CW_ENOMEM, "out of memory");
    memcpy(c->data, text, len);
    c->data[len] = 0;
    c->len = len;
    strip_bom(c);
    return 0;
}

void cw_supply__csv_close(cw_csv *c)
{
    cw_free(c->data);
    cw_free(c->fields);
    cw_buf_deinit(&c->store);
    memset(c, 0, sizeof *c);
}

/* Field offsets are kept in the store buffer; fields[] are filled at the end of the record
 * because the buffer may move while it grows. */
int cw_supply__csv_next(cw_csv *c)
{
    if (c->pos >= c->len)
        return 0;
    c->store.len = 0;
    c->rec_line = c->line;
    size_t n = 0;
    size_t offs_cap = 16;
    size_t *offs = cw_malloc(offs_cap * sizeof *offs);
    if (!offs)
        return cw_error_set(CW_ENOMEM, "out of memory");
    int rc = 1;
    for (;;) {
        /* one field */
        if (n == offs_cap) {
            offs_cap *= 2;
            size_t *no = cw_realloc(offs, offs_cap * sizeof *offs);
            if (!no) {
                rc = cw_error_set(CW_ENOMEM, "out of memory");
                goto out;
            }
            offs = no;
        }
        offs[n++] = c->store.len;
        bool quoted = c->pos < c->len && c->data[c->pos] == '"';
        if (quoted) {
            c->pos++;
            for (;;) {
                if (c->pos >= c->len) {
                    rc = cw_error_set(CW_ECORRUPT, "%s:%zu: unterminated quoted field", c->path,
                                      c->rec_line);
                    goto out;
                }
                uint8_t ch = c->data[c->pos++];
                if (ch == '"') {
                    if (c->pos < c->len && c->data[c->pos] == '"') {
                        c->pos++;
                    } else {
                        break;
                    }
                } else if (ch == '\n') {
                    c->line++;
                }
                if (cw_buf_append(&c->store, &ch, 1)) {
                    rc = cw_error_set(CW_ENOMEM, "out of memory");
                    goto out;
                }
            }
        }
        /* unquoted part (or whatever follows a closing quote up to the delimiter) */
        while (c->pos < c->len) {
            uint8_t ch = c->data[c->pos];
            if (ch == ',' || ch == '\n' || ch == '\r')
                break;
            if (cw_buf_append(&c->store, &ch, 1)) {
                rc = cw_error_set(CW_ENOMEM, "out of memory");
                goto out;
            }
            c->pos++;
        }
        uint8_t zero = 0;
        if (cw_buf_append(&c->store, &zero, 1)) {
            rc = cw_error_set(CW_ENOMEM, "out of memory");
            goto out;
        }
        if (c->pos < c->len && c->data[c->pos] == ',') {
            c->pos++;
            continue;
        }
        /* end of record */
        if (c->pos < c->len && c->data[c->pos] == '\r')
            c->pos++;
        if (c->pos < c->len && c->data[c->pos] == '\n')
            c->pos++;
        c->line++;
        break;
    }
    if (n > c->cap_fields) {
        char **nf = cw_realloc(c->fields, n * sizeof *nf);
        if (!nf) {
            rc = cw_error_set(CW_ENOMEM, "out of memory");
            goto out;
        }
        c->fields = nf;
        c->cap_fields = n;
    }
    for (size_t i = 0; i < n; i++)
        c->fields[i] = (char *)c->store.data + offs[i];
    c->n_fields = n;
    /* a blank line is skipped */
    if (n == 1 && c->fields[0][0] == 0) {
        cw_free(offs);
        return cw_supply__csv_next(c);
    }
out:
    cw_free(offs);
    return rc;
}

int cw_supply__csv_col(const cw_csv *c, const char *name)
{
    for (size_t i = 0; i < c->n_fields; i++) {
        const char *f = c->fields[i];
        while (*f == ' ')
            f++;
        size_t l = strlen(f);
        while (l && f[l - 1] == ' ')
            l--;
        if (l == strlen(name) && !strncasecmp(f, name, l))
            return (int)i;
    }
    return -1;
}

char *cw_supply__trim(char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t l = strlen(s);
    while (l && isspace((unsigned char)s[l - 1]))
        s[--l] = 0;
    return s;
}

static int digits(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int cw_supply__month_parse(const char *s)
{
    size_t l = strlen(s);
    int y = -1, m = -1;
    /* the month starts after a separator ("YYYY-MM", "YYYY-MM-DD", "YYYYMmm") or directly
     * ("YYYYMM", "YYYYMMDD" as in refPeriodId) */
    bool sep = (l == 7 || (l == 10 && s[7] == '-')) &&
               (s[4] == '-' || (l == 7 && (s[4] == 'M' || s[4] == 'm')));
    bool plain = l == 6 || l == 8;
    if (sep || plain) {
        y = digits(s, 4);
        m = digits(s + (sep ? 5 : 4), 2);
    }
    if (y < 1900 || y > 2200 || m < 1 || m > 12)
        return -1;
    return y * 12 + m - 1;
}

void cw_supply__month_format(char out[8], int m)
{
    int y = m / 12, mo = m % 12 + 1;
    if (y < 0 || y > 9999)
        y = 0;
    out[0] = (char)('0' + y / 1000 % 10);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + mo / 10);
    out[6] = (char)('0' + mo % 10);
    out[7] = 0;
}

static bool valid_ymd(int y, int m, int d)
{
    static const int dim[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > dim[m - 1])
        return false;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return false;
    return true;
}

int cw_supply__date_norm(char out[11], const char *s)
{
    size_t l = strlen(s);
    int y, m = 0, d = 0;
    if (l == 4) {
        y = digits(s, 4);
        if (y < 1900 || y > 2200)
            return CW_EINVAL;
        snprintf(out, 11, "%04u", (unsigned)y % 10000u);
        return 0;
    }
    if (l == 7 && s[4] == '-') {
        y = digits(s, 4);
        m = digits(s + 5, 2);
        if (!valid_ymd(y, m, 1))
            return CW_EINVAL;
        snprintf(out, 11, "%04u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u);
        return 0;
    }
    if (l == 10 && s[4] == '-' && s[7] == '-') {
        y = digits(s, 4);
        m = digits(s + 5, 2);
        d = digits(s + 8, 2);
    } else if (l == 10 && s[2] == '/' && s[5] == '/') {
        m = digits(s, 2);
        d = digits(s + 3, 2);
        y = digits(s + 6, 4);
    } else {
        return CW_EINVAL;
    }
    if (!valid_ymd(y, m, d))
        return CW_EINVAL;
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
             (unsigned)d % 100u);
    return 0;
}

int cw_supply__num(double *out, const char *s, bool commas)
{
    char tmp[64];
    size_t j = 0;
    while (*s == ' ')
        s++;
    if (!*s)
        return CW_EINVAL;
    for (; *s && j + 1 < sizeof tmp; s++) {
        if (commas && *s == ',')
            continue;
        tmp[j++] = *s;
    }
    if (*s)
        return CW_EINVAL;
    while (j && tmp[j - 1] == ' ')
        j--;
    tmp[j] = 0;
    char *end;
    errno = 0;
    double v = strtod(tmp, &end);
    if (errno || *end || end == tmp || v != v || v == HUGE_VAL || v == -HUGE_VAL)
        return CW_EINVAL;
    /* reject hex floats and "inf"/"nan" spelled out */
    for (const char *p = tmp; *p; p++)
        if (isalpha((unsigned char)*p) && *p != 'e' && *p != 'E')
            return CW_EINVAL;
    *out = v;
    return 0;
}

int cw_supply__digits(int *out, const char *s, size_t n)
{
    char tmp[20];
    if (!s || n == 0 || n >= sizeof tmp)
        return CW_EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return CW_EINVAL;
        tmp[i] = s[i];
    }
    tmp[n] = 0;
    int64_t v;
    if (cw_parse_i64(&v, tmp))
        return CW_EINVAL;
    *out = (int)v;
    return 0;
}
