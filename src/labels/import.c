/*
 * import.c: cw_labels_parse (parsers without a store) and cw_labels_import (parse a file into
 * the store in one transaction).
 *
 * Idempotence: a file whose kind and bytes (SHA-256) equal an earlier run's is not read again;
 * a run whose kind and content SHA-256 equal an earlier run's is rolled back; both are
 * reported as unchanged; within a run, labels and provenance records are unique by
 * constraint, so repeated rows (OFAC lists some address twice for a party) never duplicate.
 * Any error rolls the whole import back: nothing is half-written.
 */
#include <stdio.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "labels/labels_int.h"

int cw_labels_parse(cw_label_import_kind kind, const void *data, size_t len, const char *name,
                    const cw_label_import_opts *opts, cw_label_row_cb cb, void *payload,
                    uint64_t *n_warnings)
{
    cw_labels__pctx pc = {.name = name ? name : "input", .opts = opts};
    int rc;
    switch (kind) {
    case CW_IMPORT_OFAC_XML:
        rc = cw_labels__parse_ofac_xml_mem(data, len, &pc, cb, payload);
        break;
    case CW_IMPORT_OFAC_CSV:
        rc = cw_labels__parse_sdn_csv(data, len, &pc, cb, payload);
        break;
    case CW_IMPORT_CSV:
    case CW_IMPORT_GEN_TRUTH:
        rc = cw_labels__parse_label_csv(data, len, kind == CW_IMPORT_GEN_TRUTH, &pc, cb, payload);
        break;
    default:
        rc = cw_error_set(CW_EINVAL, "unknown import kind %d", (int)kind);
    }
    if (n_warnings)
        *n_warnings = pc.warnings;
    return rc;
}

typedef struct import_ctx {
    cw_labels *db;
    const char *exclude; /* ",a,b," or NULL */
    int64_t run_id;
    const cw_label_import_opts *opts;
    cw_label_import_stats *st;
} import_ctx;

static int on_row(const cw_label_row *row, void *payload)
{
    import_ctx *ic = payload;
    cw_label_row r = *row;
    if (ic->exclude && row->category) {
        char probe[64];
        snprintf(probe, sizeof probe, ",%s,", row->category);
        if (strstr(ic->exclude, probe)) {
            ic->st->skipped++;
            return 0;
        }
    }
    if (ic->opts && ic->opts->source && ic->opts->source[0])
        r.source = ic->opts->source;
    if (!ic->st->source[0])
        snprintf(ic->st->source, sizeof ic->st->source, "%s", r.source ? r.source : "");
    bool label_new, prov_new;
    int rc = cw_labels__add(ic->db, ic->run_id, &r, &label_new, &prov_new);
    if (rc)
        return rc;
    ic->st->rows++;
    if (label_new)
        ic->st->labels_new++;
    else
        ic->st->labels_known++;
    if (prov_new)
        ic->st->provenance_new++;
    return 0;
}

typedef struct xml_io {
    cw_labels__input *in;
    int err;
} xml_io;

static int xml_read(void *ctx, char *buf, int len)
{
    xml_io *io = ctx;
    ssize_t r = cw_labels__input_read(io->in, buf, len > 0 ? (size_t)len : 0);
    if (r < 0) {
        io->err = (int)r;
        return -1;
    }
    return (int)r;
}

int cw_labels_import(cw_labels *db, cw_label_import_kind kind, const char *path,
                     const cw_label_import_opts *opts, cw_label_import_stats *stats)
{
    cw_label_import_stats local = {0};
    cw_label_import_stats *st = stats ? stats : &local;
    memset(st, 0, sizeof *st);
    cw_labels__pctx pc = {.name = cw_labels__basename(path), .opts = opts};
    char file_sha[65], content_sha[65] = "";
    cw_buf content = {0};
    cw_labels__input in;
    bool in_open = false, in_tx = false;
    int rc;

    if ((unsigned)kind > CW_IMPORT_GEN_TRUTH)
        return cw_error_set(CW_EINVAL, "unknown import kind %d", (int)kind);
    /* The exclusion list, checked and normalised: ",a,b," for matching, "exclude=a,b" for the
     * run's identity. */
    cw_buf excl = {0}, options = {0};
    if ((rc = cw_buf_append(&options, "", 0)))
        return rc;
    if (opts && opts->exclude_categories && opts->exclude_categories[0]) {
        char *copy = cw_strdup(opts->exclude_categories);
        if (!copy)
            return cw_error_set(CW_ENOMEM, "out of memory");
        rc = cw_buf_append(&excl, ",", 1);
        for (char *p = copy; !rc && *p;) {
            size_t k = strcspn(p, ",");
            char *item = p;
            p += k;
            if (*p)
                *p++ = 0;
            if (!*item)
                continue;
            if (!cw_label_category_valid(item))
                rc = cw_error_set(CW_EINVAL, "exclude: unknown category '%s'", item);
            else if (!(rc = cw_buf_printf(&excl, "%s,", item)))
                rc = cw_buf_printf(&options, "%s%s", options.len ? "," : "exclude=", item);
        }
        cw_free(copy);
        if (rc) {
            cw_buf_deinit(&excl);
            cw_buf_deinit(&options);
            return rc;
        }
    }
    const char *opt_text = (const char *)options.data;
    if ((rc = cw_labels__file_sha256(path, file_sha)))
        goto out;
    /* The same bytes imported before: nothing to read (the content check below also catches
     * the same content under another compression or name). */
    int64_t same =
        cw_labels__run_find_file(db, cw_label_import_kind_name(kind), file_sha, opt_text, st);
    if (same > 0) {
        st->run_id = same;
        st->unchanged = true;
        st->labels_known = st->rows;
        goto out;
    }
    if ((rc = cw_labels__begin(db)))
        goto out;
    in_tx = true;
    if ((rc = cw_labels__run_create(db, &st->run_id, cw_label_import_kind_name(kind), path,
                                    file_sha, opt_text)))
        goto out;
    import_ctx ic = {.db = db,
                     .exclude = excl.len ? (const char *)excl.data : NULL,
                     .run_id = st->run_id,
                     .opts = opts,
                     .st = st};

    if (kind == CW_IMPORT_OFAC_XML) {
        if ((rc = cw_labels__input_open(&in, path)))
            goto out;
        in_open = true;
        xml_io io = {.in = &in};
        rc = cw_labels__parse_ofac_xml_io(xml_read, &io, &pc, on_row, &ic);
        if (io.err && (!rc || rc == CW_ECORRUPT))
            rc = cw_error_set(io.err, "%s: read error while parsing XML", path);
        in_open = false;
        int rc2 = cw_labels__input_close(&in, content_sha);
        /* A bzip2 failure explains a parse error better than the parse error itself. */
        if (rc2)
            rc = rc2;
        if (rc)
            goto out;
    } else {
        if ((rc = cw_labels__input_slurp(path, &content, content_sha)))
            goto out;
        if (kind == CW_IMPORT_OFAC_CSV)
            rc = cw_labels__parse_sdn_csv(content.data, content.len, &pc, on_row, &ic);
        else
            rc = cw_labels__parse_label_csv(content.data, content.len, kind == CW_IMPORT_GEN_TRUTH,
                                            &pc, on_row, &ic);
        if (rc)
            goto out;
    }
    st->warnings = pc.warnings;
    snprintf(st->content_sha256, sizeof st->content_sha256, "%s", content_sha);
    if (st->rows == 0) {
        rc = st->skipped ? cw_error_set(CW_EINVAL, "%s: all %llu labels excluded", path,
                                        (unsigned long long)st->skipped)
                         : cw_error_set(CW_ECORRUPT, "%s: no labels found in the file", path);
        goto out;
    }

    int64_t earlier =
        cw_labels__run_find(db, st->run_id, cw_label_import_kind_name(kind), content_sha, opt_text);
    if (earlier > 0 || (st->labels_new == 0 && st->provenance_new == 0)) {
        cw_labels__rollback(db);
        in_tx = false;
        st->unchanged = true;
        if (earlier > 0)
            st->run_id = earlier;
        st->labels_known += st->labels_new;
        st->labels_new = st->provenance_new = 0;
        goto out;
    }
    if ((rc = cw_labels__run_finish(db, st->run_id, content_sha, st->source, st->rows,
                                    st->labels_new, st->warnings)))
        goto out;
    if ((rc = cw_labels__commit(db)))
        goto out;
    in_tx = false;
out:
    if (in_open)
        cw_labels__input_close(&in, NULL);
    if (in_tx) {
        cw_labels__rollback(db);
        st->labels_new = st->provenance_new = 0;
    }
    cw_buf_deinit(&content);
    cw_buf_deinit(&excl);
    cw_buf_deinit(&options);
    return rc;
}
