/*
 * from_list.c: `trace`'s sources from --from and --from-file (from_list.h); a drainer's heist has
 * thousands of theft outputs (tests/cli/btc_alt9_world.sh), an EVM heist hundreds of txs.
 */
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/util.h"
#include "cli/cli.h"
#include "cli/from_list.h"

int cw_cli_from_push(cw_cli_from_list *f, const char *src, const char *file, size_t line)
{
    if (f->n == f->cap) {
        int cap = f->cap ? 2 * f->cap : 64;
        const char **a = cw_realloc((void *)f->from, (size_t)cap * sizeof *a);
        if (!a)
            return CW_ENOMEM;
        f->from = a;
        const char **b = cw_realloc((void *)f->file, (size_t)cap * sizeof *b);
        if (!b)
            return CW_ENOMEM;
        f->file = b;
        size_t *c = cw_realloc(f->line, (size_t)cap * sizeof *c);
        if (!c)
            return CW_ENOMEM;
        f->line = c;
        f->cap = cap;
    }
    f->from[f->n] = src;
    f->file[f->n] = file;
    f->line[f->n++] = line;
    return 0;
}

int cw_cli_from_file(cw_cli_from_list *f, const char *path)
{
    uint8_t *data = NULL;
    size_t len = 0;
    int rc = cw_file_read(&data, &len, path);
    if (rc)
        return cw_error_wrap(rc, "--from-file: ");
    char **b = cw_realloc(f->bufs, (f->n_bufs + 1) * sizeof *b);
    if (!b) {
        cw_free(data);
        return CW_ENOMEM;
    }
    f->bufs = b;
    char *t = cw_realloc(data, len + 1);
    if (!t) {
        cw_free(data);
        return CW_ENOMEM;
    }
    t[len] = 0;
    f->bufs[f->n_bufs++] = t;
    if (memchr(t, 0, len))
        return cw_error_set(CW_EINVAL, "--from-file %s: a NUL byte at offset %zu (not a text file)",
                            path, (size_t)((char *)memchr(t, 0, len) - t));
    int n0 = f->n;
    size_t line = 0, n;
    const char *p = t, *entry;
    while (cw_cli_list_next(&p, t + len, &line, &entry, &n)) {
        t[(size_t)(entry - t) + n] = 0; /* the entry ends its line's text; p is past it */
        if ((rc = cw_cli_from_push(f, entry, path, line)))
            return rc;
    }
    if (f->n == n0)
        return cw_error_set(CW_EINVAL, "--from-file %s: no source in it (one a line)", path);
    return 0;
}

int cw_cli_from_wrap(const cw_cli_from_list *f, int i, int rc)
{
    if (rc && i >= 0 && i < f->n && f->file[i])
        cw_error_wrap(rc, "%s line %zu: ", f->file[i], f->line[i]);
    return rc;
}

void cw_cli_from_free(cw_cli_from_list *f)
{
    for (size_t i = 0; i < f->n_bufs; i++)
        cw_free(f->bufs[i]);
    cw_free(f->bufs);
    cw_free((void *)f->from);
    cw_free((void *)f->file);
    cw_free(f->line);
}
