/*
 * ofac_csv.c: OFAC's legacy SDN.CSV, as published (no header; 12 columns: ent_num, SDN_Name,
 * SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner,
 * Remarks; "-0-" means empty; the file may end with a lone Ctrl-Z byte).
 *
 * Digital currency addresses appear inside Remarks as "Digital Currency Address - XBT
 * 1abc...;" (often "alt. Digital Currency Address - ..."). Each one becomes a label of
 * category "sanctioned" for the party (entity_ref "ofac:<ent_num>"), with its programmes
 * ("CYBER2] [DPRK3" -> "CYBER2;DPRK3"). SDN.CSV cuts long remarks (the rest goes to
 * SDN_COMMENTS.CSV), which can leave a truncated fragment such as "XBT 3": fragments too short
 * to be an address are skipped with a warning; other odd addresses are kept, with a warning.
 * Text that is not UTF-8 is read as Windows-1252.
 */
#include <stdio.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "labels/labels_int.h"

static const char MARK[] = "Digital Currency Address - ";

/* Copies field i with "-0-" and surrounding blanks removed, converted to UTF-8. */
static int field(cw_buf *out, const cw_csv *c, size_t i)
{
    const char *s = c->fields[i];
    size_t n = strlen(s);
    while (*s == ' ') {
        s++;
        n--;
    }
    while (n && s[n - 1] == ' ')
        n--;
    if (n == 3 && !memcmp(s, "-0-", 3))
        n = 0;
    return cw_labels__to_utf8(out, s, n);
}

int cw_labels__parse_sdn_csv(const void *data, size_t len, cw_labels__pctx *pc, cw_label_row_cb cb,
                             void *payload)
{
    cw_csv c;
    cw_buf name = {0}, type = {0}, progs = {0}, prog_raw = {0}, remarks = {0}, ref = {0}, loc = {0},
           src = {0}, asset = {0}, addr = {0};
    int rc;
    cw_csv_open_mem(&c, pc->name, data, len, CW_CSV_STRICT);
    if ((rc = cw_buf_printf(&src, "OFAC SDN.CSV %s", pc->name)))
        goto out;
    while ((rc = cw_csv_next(&c)) == 1) {
        if (c.n_fields == 1 && !strcmp(c.fields[0], "\x1a"))
            continue; /* DOS end-of-file marker */
        if (c.n_fields != 12) {
            rc = cw_error_set(CW_ECORRUPT, "%s: line %zu: expected 12 fields (SDN.CSV), found %zu",
                              pc->name, c.rec_line, c.n_fields);
            goto out;
        }
        uint64_t ent;
        if (cw_parse_u64(&ent, c.fields[0])) {
            rc = cw_error_set(CW_ECORRUPT,
                              "%s: line %zu: field 1 (ent_num) '%.40s' is not a "
                              "number",
                              pc->name, c.rec_line, c.fields[0]);
            goto out;
        }
        if ((rc = field(&remarks, &c, 11)))
            goto out;
        const char *r = (const char *)remarks.data;
        if (!strstr(r, MARK))
            continue;
        if ((rc = field(&name, &c, 1)) || (rc = field(&type, &c, 2)) ||
            (rc = field(&prog_raw, &c, 3)) ||
            (rc = cw_labels__programs_normalize(&progs, (const char *)prog_raw.data, "]")))
            goto out;
        if (!name.len) {
            rc = cw_error_set(CW_ECORRUPT, "%s: line %zu: field 2 (SDN_Name) is empty", pc->name,
                              c.rec_line);
            goto out;
        }
        /* SDN_Type is empty for entities, else "individual", "vessel", "aircraft". */
        char *t = (char *)type.data;
        const char *etype = type.len ? t : "Entity";
        if (type.len && t[0] >= 'a' && t[0] <= 'z')
            t[0] = (char)(t[0] - 32);
        ref.len = 0;
        if ((rc = cw_buf_printf(&ref, "ofac:%llu", (unsigned long long)ent)))
            goto out;

        int k = 0;
        for (const char *p = strstr(r, MARK); p; p = strstr(p, MARK)) {
            p += sizeof MARK - 1;
            size_t an = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
            k++;
            asset.len = 0;
            if ((rc = cw_buf_append(&asset, p, an)))
                goto out;
            p += an;
            if (!an || *p != ' ') {
                cw_labels__warn(pc,
                                "%s: line %zu: Remarks: '%s%.*s' has no asset code and "
                                "address; skipped",
                                pc->name, c.rec_line, MARK, (int)an, p - an);
                continue;
            }
            p++;
            size_t n = 0;
            while (p[n] && (unsigned char)p[n] > ' ' && p[n] != ';' && p[n] != ',')
                n++;
            while (n && p[n - 1] == '.')
                n--; /* sentence end, never part of an address */
            addr.len = 0;
            if ((rc = cw_buf_append(&addr, p, n)))
                goto out;
            p += n;
            char key[512];
            if (cw_label_address_key(key, sizeof key, (const char *)addr.data)) {
                cw_labels__warn(pc, "%s: line %zu: %s address: %s; skipped", pc->name, c.rec_line,
                                (const char *)asset.data, cw_error_last());
                continue;
            }
            bool truncated;
            const char *problem = cw_labels__address_problem((const char *)asset.data,
                                                             (const char *)addr.data, &truncated);
            if (problem) {
                cw_labels__warn(pc, "%s: line %zu: %s address '%s': %s%s", pc->name, c.rec_line,
                                (const char *)asset.data, (const char *)addr.data, problem,
                                truncated ? "; skipped" : "; kept as published");
                if (truncated)
                    continue;
            }
            loc.len = 0;
            if ((rc = cw_buf_printf(&loc, "line %zu: ent_num %llu, Remarks, address %d", c.rec_line,
                                    (unsigned long long)ent, k)))
                goto out;
            cw_label_row row = {
                .subject_kind = CW_SUBJECT_ADDRESS,
                .asset = (const char *)asset.data,
                .subject = (const char *)addr.data,
                .entity = (const char *)name.data,
                .entity_ref = (const char *)ref.data,
                .entity_type = etype,
                .category = "sanctioned",
                .source = (const char *)src.data,
                .date = "",
                .confidence = 1.0,
                .programs = (const char *)progs.data,
                .location = (const char *)loc.data,
            };
            if ((rc = cb(&row, payload)) != 0)
                goto out;
        }
    }
out:
    cw_buf_deinit(&name);
    cw_buf_deinit(&type);
    cw_buf_deinit(&progs);
    cw_buf_deinit(&prog_raw);
    cw_buf_deinit(&remarks);
    cw_buf_deinit(&ref);
    cw_buf_deinit(&loc);
    cw_buf_deinit(&src);
    cw_buf_deinit(&asset);
    cw_buf_deinit(&addr);
    cw_csv_close(&c);
    return rc;
}
