/*
 * csv.c: the plain label CSV importer (kinds "csv" and "gen-truth"). Records come from the
 * one CSV reader (chainwatch/csv.h) in strict mode; every error names the file and the line
 * where the record starts.
 *
 * Label CSV: the first record is a header naming the columns (any order, case-insensitive;
 * docs/LABELS.md lists them and their aliases). Ground truth (gen-truth) is more lenient:
 * unknown columns are ignored, generator category names are mapped (user -> individual,
 * miner -> mining_pool, coordinator -> mixer, thief -> theft), and a file without header is
 * read as address,entity,category (3 columns) or as the generator's addresses.csv layout
 * address,script_type,entity_id,entity,category,customer (6 columns). Columns of the derived OFAC
 * CSV (asset,address,sdn_profile_id,party_type,primary_name,programs,entry_date) are aliases, and
 * a file with sdn_profile_id but no category column is read as category "sanctioned".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chainwatch/errors.h"
#include "chainwatch/keccak.h"
#include "labels/labels_int.h"

/* ---- label CSV ---- */

enum col_id {
    COL_SUBJECT,
    COL_ASSET,
    COL_KIND,
    COL_ENTITY,
    COL_ENTITY_REF,
    COL_ENTITY_TYPE,
    COL_CATEGORY,
    COL_SOURCE,
    COL_DATE,
    COL_CONFIDENCE,
    COL_PROGRAMS,
    COL_OFAC_PROFILE, /* sdn_profile_id: entity_ref "ofac:<id>", category default sanctioned */
    COL_GEN_ID,       /* gen-truth entity_id: entity_ref "gen:<id>" */
    N_COLS
};

static const struct {
    const char *name;
    enum col_id id;
} col_names[] = {
    {"subject", COL_SUBJECT},
    {"address", COL_SUBJECT},
    {"asset", COL_ASSET},
    {"chain", COL_ASSET},
    {"subject_kind", COL_KIND},
    {"entity", COL_ENTITY},
    {"primary_name", COL_ENTITY},
    {"entity_ref", COL_ENTITY_REF},
    {"entity_type", COL_ENTITY_TYPE},
    {"party_type", COL_ENTITY_TYPE},
    {"category", COL_CATEGORY},
    {"source", COL_SOURCE},
    {"date", COL_DATE},
    {"entry_date", COL_DATE},
    {"confidence", COL_CONFIDENCE},
    {"programs", COL_PROGRAMS},
    {"sdn_profile_id", COL_OFAC_PROFILE},
    {"entity_name", COL_ENTITY},
    {"entity_id", COL_GEN_ID},
};

/* Generator category names that differ from label categories: Bitcoin worlds (src/gen/btc),
 * and EVM worlds (src/gen/evm and tests/diff/evm_shapes_world.py, whose truth names the parts
 * of a service: a bridge's router and vault, a mixer's pools and relayers, a DEX's pairs). */
static const char *gen_category(const char *c)
{
    static const char *const map[][2] = {
        {"miner", "mining_pool"},
        {"user", "individual"},
        {"coordinator", "mixer"},
        {"coinjoin_coordinator", "mixer"},
        {"thief", "theft"},
        {"heist", "theft"},
        {"bridge_vault", "bridge"},
        {"bridge_router", "bridge"},
        {"bridge_lock", "bridge"}, /* a lock-and-release bridge contract (no memos) */
        {"mixer_pool", "mixer"},
        {"mixer_relayer", "service"}, /* pays withdrawals' gas for a fee: no pool, no stop */
        {"dex_pair", "defi"},
        {"dex_pool", "defi"},
        {"dex_router", "defi"},
        {"weth", "defi"},
        {"exchange_consolidation", "exchange"}, /* the exchange's own, as its hot wallet */
        {"exchange_gas_station", "exchange"},
        {"exchange_hot_contract", "exchange"}, /* a Safe-like contract hot wallet */
        {"exchange_operator", "exchange"},     /* the EOA that sends its withdrawals */
        {"instant_exchange", "service"},       /* orders, not accounts (docs/TRACE-MODELS.md) */
        {"instant_exchange_order", "service"},
        {"otc_desk", "p2p_exchange"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(c, map[i][0]))
            return map[i][1];
    return c;
}

static int find_col(const char *name)
{
    for (size_t k = 0; k < sizeof col_names / sizeof col_names[0]; k++)
        if (!strcasecmp(name, col_names[k].name))
            return (int)col_names[k].id;
    return -1;
}

static void trim(char *s)
{
    size_t n = strlen(s), i = 0;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = 0;
    while (s[i] == ' ' || s[i] == '\t')
        i++;
    if (i)
        memmove(s, s + i, n - i + 1);
}

int cw_labels__parse_label_csv(const void *data, size_t len, bool gen_truth, cw_labels__pctx *pc,
                               cw_label_row_cb cb, void *payload)
{
    cw_csv c;
    cw_buf progs = {0}, ref = {0}, src = {0}, loc = {0};
    int colmap[N_COLS];
    size_t n_header = 0;
    int rc;
    cw_csv_open_mem(&c, pc->name, data, len, CW_CSV_STRICT);
    for (int i = 0; i < N_COLS; i++)
        colmap[i] = -1;

    rc = cw_csv_next(&c);
    if (rc < 0)
        goto out;
    if (rc == 0) {
        rc = cw_error_set(CW_ECORRUPT, "%s: empty file (a header line is required)", pc->name);
        goto out;
    }
    n_header = c.n_fields;
    size_t n_known = 0;
    for (size_t i = 0; i < c.n_fields; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s", c.fields[i]);
        trim(name);
        if (i == 0 && !memcmp(name, "\xef\xbb\xbf", 3))
            memmove(name, name + 3, strlen(name + 3) + 1); /* UTF-8 byte order mark */
        n_known += find_col(name) >= 0;
    }
    if (gen_truth && n_known == 0 && (n_header == 3 || n_header == 6)) {
        /* No header: the generator's layouts (docs/LABELS.md). Read the first line as data. */
        if (n_header == 3) {
            colmap[COL_SUBJECT] = 0;
            colmap[COL_ENTITY] = 1;
            colmap[COL_CATEGORY] = 2;
        } else { /* address,script_type,entity_id,entity,category,customer */
            colmap[COL_SUBJECT] = 0;
            colmap[COL_GEN_ID] = 2;
            colmap[COL_ENTITY] = 3;
            colmap[COL_CATEGORY] = 4;
        }
        cw_csv_close(&c);
        cw_csv_open_mem(&c, pc->name, data, len, CW_CSV_STRICT);
    } else {
        for (size_t i = 0; i < c.n_fields; i++) {
            char name[64];
            snprintf(name, sizeof name, "%s", c.fields[i]);
            trim(name);
            if (i == 0 && !memcmp(name, "\xef\xbb\xbf", 3))
                memmove(name, name + 3, strlen(name + 3) + 1);
            int id = find_col(name);
            if (id < 0 && gen_truth)
                continue; /* generator files may carry more columns (script_type, ...) */
            if (id < 0) {
                rc = cw_error_set(CW_ECORRUPT,
                                  "%s: line %zu: unknown column '%s' (known: subject or address, "
                                  "asset, subject_kind, entity, entity_ref, entity_type, "
                                  "category, source, date, confidence, programs, "
                                  "sdn_profile_id)",
                                  pc->name, c.rec_line, name);
                goto out;
            }
            if (colmap[id] >= 0) {
                rc = cw_error_set(CW_ECORRUPT, "%s: line %zu: column '%s' given twice", pc->name,
                                  c.rec_line, name);
                goto out;
            }
            colmap[id] = (int)i;
        }
    }
    if (colmap[COL_SUBJECT] < 0 || colmap[COL_ENTITY] < 0 ||
        (colmap[COL_CATEGORY] < 0 && colmap[COL_OFAC_PROFILE] < 0)) {
        rc = cw_error_set(CW_ECORRUPT,
                          "%s: line %zu: the header needs the columns %s, entity and category",
                          pc->name, c.rec_line, gen_truth ? "address" : "subject (or address)");
        goto out;
    }
    bool ofac_variant = colmap[COL_OFAC_PROFILE] >= 0;
    if ((rc = cw_buf_printf(&src, "%s %s",
                            gen_truth      ? "generated world truth"
                            : ofac_variant ? "OFAC SDN digital currency addresses CSV"
                                           : "csv",
                            pc->name)))
        goto out;

    while ((rc = cw_csv_next(&c)) == 1) {
        if (c.n_fields != n_header) {
            rc = cw_error_set(CW_ECORRUPT, "%s: line %zu: expected %zu fields, found %zu", pc->name,
                              c.rec_line, n_header, c.n_fields);
            goto out;
        }
        for (size_t i = 0; i < c.n_fields; i++) {
            char *f = c.fields[i];
            if (!cw_labels__utf8_valid(f, strlen(f))) {
                rc = cw_error_set(CW_ECORRUPT, "%s: line %zu: field %zu is not valid UTF-8",
                                  pc->name, c.rec_line, i + 1);
                goto out;
            }
            trim(f);
        }
#define F(id) (colmap[id] >= 0 ? c.fields[colmap[id]] : "")
        cw_label_row row = {0};
        row.subject = F(COL_SUBJECT);
        row.asset = F(COL_ASSET);
        if (gen_truth && !row.asset[0]) {
            /* a 0x address of 40 hex digits is an EVM world's (the key is the same on every
             * EVM chain; ETH as OFAC names it), anything else a Bitcoin world's */
            uint8_t evm_addr[20];
            bool evm = strlen(row.subject) == 42 && row.subject[0] == '0' &&
                       (row.subject[1] == 'x' || row.subject[1] == 'X') &&
                       cw_hex_decode(evm_addr, 20, row.subject + 2) == 0;
            row.asset = evm ? "ETH" : "XBT";
        }
        row.entity = F(COL_ENTITY);
        row.entity_type = F(COL_ENTITY_TYPE);
        row.category = colmap[COL_CATEGORY] >= 0 ? F(COL_CATEGORY) : "sanctioned";
        if (gen_truth)
            row.category = gen_category(row.category);
        row.source = F(COL_SOURCE)[0] ? F(COL_SOURCE) : (const char *)src.data;
        row.date = F(COL_DATE);
        loc.len = 0;
        if ((rc = cw_buf_printf(&loc, "line %zu", c.rec_line)))
            goto out;
        row.location = (const char *)loc.data;
        const char *kind = F(COL_KIND);
        if (kind[0] && cw_label_subject_kind_parse(&row.subject_kind, kind)) {
            rc = cw_error_set(CW_ECORRUPT,
                              "%s: line %zu: subject_kind '%s' is not address, "
                              "cluster or entity",
                              pc->name, c.rec_line, kind);
            goto out;
        }
        if (!row.subject[0]) {
            rc = cw_error_set(CW_ECORRUPT, "%s: line %zu: empty subject", pc->name, c.rec_line);
            goto out;
        }
        if (!row.entity[0]) {
            rc = cw_error_set(CW_ECORRUPT, "%s: line %zu: empty entity", pc->name, c.rec_line);
            goto out;
        }
        if (gen_truth && !cw_label_category_valid(row.category)) {
            /* a world's truth names its own kinds of address (a token contract, a deployer):
             * kept as `other`, with a warning, so one unknown kind does not lose the file */
            cw_labels__warn(pc,
                            "%s: line %zu: generator category '%s' is no label category: "
                            "imported as 'other'",
                            pc->name, c.rec_line, row.category);
            row.category = "other";
        }
        if (!cw_label_category_valid(row.category)) {
            rc = cw_error_set(CW_ECORRUPT, "%s: line %zu: unknown category '%s'", pc->name,
                              c.rec_line, row.category);
            goto out;
        }
        if (row.date[0] && !cw_labels__date_valid(row.date)) {
            rc = cw_error_set(CW_ECORRUPT, "%s: line %zu: date '%s' is not YYYY-MM-DD", pc->name,
                              c.rec_line, row.date);
            goto out;
        }
        row.confidence = 1.0;
        const char *conf = F(COL_CONFIDENCE);
        if (conf[0] && (cw_parse_double(&row.confidence, conf) || !(row.confidence >= 0.0) ||
                        !(row.confidence <= 1.0))) {
            rc = cw_error_set(CW_ECORRUPT,
                              "%s: line %zu: confidence '%s' is not a number "
                              "from 0 to 1",
                              pc->name, c.rec_line, conf);
            goto out;
        }
        if (row.subject_kind == CW_SUBJECT_ADDRESS) {
            char key[512];
            uint8_t evm_tmp[20];
            if (cw_label_address_key(key, sizeof key, row.subject)) {
                rc = cw_error_wrap(CW_ECORRUPT, "%s: line %zu: ", pc->name, c.rec_line);
                goto out;
            }
            /* a mixed-case EVM address carries an EIP-55 checksum: a mismatch is a typo */
            if (strlen(row.subject) == 42 && row.subject[0] == '0' &&
                (row.subject[1] == 'x' || row.subject[1] == 'X') &&
                cw_hex_decode(evm_tmp, 20, row.subject + 2) == 0 && cw_eip55_check(row.subject))
                cw_labels__warn(pc,
                                "%s: line %zu: EVM address '%s': mixed case whose EIP-55 "
                                "checksum does not match (a typo?); kept as written, matched "
                                "case-insensitively",
                                pc->name, c.rec_line, row.subject);
        }
        if ((rc = cw_labels__programs_normalize(&progs, F(COL_PROGRAMS), ";")))
            goto out;
        row.programs = (const char *)progs.data;
        ref.len = 0;
        if (ofac_variant) {
            uint64_t id;
            if (cw_parse_u64(&id, F(COL_OFAC_PROFILE))) {
                rc = cw_error_set(CW_ECORRUPT,
                                  "%s: line %zu: sdn_profile_id '%s' is not a "
                                  "number",
                                  pc->name, c.rec_line, F(COL_OFAC_PROFILE));
                goto out;
            }
            rc = cw_buf_printf(&ref, "ofac:%llu", (unsigned long long)id);
        } else if (colmap[COL_GEN_ID] >= 0 && F(COL_GEN_ID)[0]) {
            rc = cw_buf_printf(&ref, "gen:%s", F(COL_GEN_ID));
        } else {
            rc = cw_buf_printf(&ref, "%s", F(COL_ENTITY_REF));
        }
        if (rc)
            goto out;
        row.entity_ref = (const char *)ref.data;
#undef F
        if ((rc = cb(&row, payload)) != 0)
            goto out;
    }
out:
    cw_buf_deinit(&progs);
    cw_buf_deinit(&ref);
    cw_buf_deinit(&src);
    cw_buf_deinit(&loc);
    cw_csv_close(&c);
    return rc;
}
