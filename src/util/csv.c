/*
 * csv.c: the one RFC 4180 CSV record reader of the engines (chainwatch/csv.h). Field bytes go
 * to one buffer, each NUL-terminated; their offsets are turned into pointers at the end of a
 * record because the buffer may move while it grows.
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "chainwatch/csv.h"
#include "chainwatch/errors.h"

static void csv_init(cw_csv *c, const char *name, unsigned flags)
{
    memset(c, 0, sizeof *c);
    c->path = name;
    c->flags = flags;
    c->line = 1;
}

static void skip_bom(cw_csv *c)
{
    if (c->len >= 3 && c->data[0] == 0xEF && c->data[1] == 0xBB && c->data[2] == 0xBF)
        c->pos = 3;
}

int cw_csv_open(cw_csv *c, const char *path, unsigned flags)
{
    csv_init(c, path, flags);
    size_t len = 0;
    int rc = cw_file_read(&c->owned, &len, path);
    if (rc)
        return rc;
    c->data = c->owned;
    c->len = len;
    skip_bom(c);
    return 0;
}

void cw_csv_open_mem(cw_csv *c, const char *name, const void *data, size_t len, unsigned flags)
{
    csv_init(c, name, flags);
    c->data = data;
    c->len = len;
    skip_bom(c);
}

void cw_csv_close(cw_csv *c)
{
    cw_free(c->owned);
    cw_free(c->fields);
    cw_free(c->off);
    cw_buf_deinit(&c->store);
    memset(c, 0, sizeof *c);
}

static int push_field(cw_csv *c)
{
    int rc = cw_grow(&c->off, &c->cap_off, c->n_fields + 1, sizeof *c->off, 16);
    if (!rc)
        c->off[c->n_fields++] = c->store.len;
    return rc;
}

/* One record into c->store and c->off; 1, 0 at the end, or an error. */
static int read_record(cw_csv *c)
{
    const bool strict = c->flags & CW_CSV_STRICT;
    int rc;
    c->store.len = 0;
    c->n_fields = 0;
    c->rec_line = c->line;
    if ((rc = push_field(c)))
        return rc;
    bool quoted = false, after_quote = false, field_start = true;
    for (;;) {
        if (c->pos >= c->len) {
            if (quoted)
                return cw_error_set(CW_ECORRUPT,
                                    "%s: line %zu: unterminated quoted field (end of file)",
                                    c->path, c->rec_line);
            break;
        }
        uint8_t ch = c->data[c->pos++];
        if (ch == 0)
            return cw_error_set(CW_ECORRUPT, "%s: line %zu: NUL byte", c->path, c->line);
        if (quoted) {
            if (ch == '"') {
                if (c->pos < c->len && c->data[c->pos] == '"') {
                    c->pos++;
                } else {
                    quoted = false;
                    after_quote = true;
                    continue;
                }
            } else if (ch == '\n') {
                c->line++;
            }
            if ((rc = cw_buf_append(&c->store, &ch, 1)))
                return rc;
            continue;
        }
        if (ch == '\r' && c->pos < c->len && c->data[c->pos] == '\n')
            continue;
        if (ch == '\n' || ch == '\r') {
            c->line++;
            break;
        }
        if (ch == ',') {
            if ((rc = cw_buf_append(&c->store, "", 1)) || (rc = push_field(c)))
                return rc;
            field_start = true;
            after_quote = false;
            continue;
        }
        if (after_quote && strict)
            return cw_error_set(CW_ECORRUPT, "%s: line %zu: field %zu: text after a closing quote",
                                c->path, c->line, c->n_fields);
        if (ch == '"' && field_start) {
            quoted = true;
            field_start = false;
            continue;
        }
        if (ch == '"' && strict)
            return cw_error_set(CW_ECORRUPT,
                                "%s: line %zu: field %zu: quote inside an unquoted field", c->path,
                                c->line, c->n_fields);
        field_start = false;
        if ((rc = cw_buf_append(&c->store, &ch, 1)))
            return rc;
    }
    if ((rc = cw_buf_append(&c->store, "", 1)))
        return rc;
    /* a blank line (one empty unquoted field) is no record */
    return c->n_fields == 1 && c->store.len == 1 && !after_quote ? 2 : 1;
}

int cw_csv_next(cw_csv *c)
{
    int rc;
    do {
        if (c->pos >= c->len)
            return 0;
        rc = read_record(c);
    } while (rc == 2);
    if (rc != 1)
        return rc;
    if ((rc = cw_grow(&c->fields, &c->cap_fields, c->n_fields, sizeof *c->fields, 16)))
        return rc;
    for (size_t i = 0; i < c->n_fields; i++)
        c->fields[i] = (char *)c->store.data + c->off[i];
    return 1;
}

int cw_csv_col(const cw_csv *c, const char *name)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i < c->n_fields; i++) {
        const char *f = c->fields[i];
        while (*f == ' ')
            f++;
        size_t l = strlen(f);
        while (l && f[l - 1] == ' ')
            l--;
        if (l == nl && !strncasecmp(f, name, l))
            return (int)i;
    }
    return -1;
}
