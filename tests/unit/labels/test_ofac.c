/*
 * test_ofac.c: importing the published OFAC SDN list (../shared/data/ofac-sdn-digital-currency)
 * against the truth shipped with it (see its PROVENANCE.md):
 *   - per asset, the imported addresses equal lists/sanctioned_addresses_<ASSET>.txt exactly
 *     (brave-intl's lists, generated from the same XML by another implementation);
 *   - the Lazarus Group's 8 ETH addresses are present with programme DPRK3;
 *   - the SHA-256 of the decompressed XML equals sdn_advanced_checksum.txt;
 *   - every label agrees with the derived CSV (a third, ElementTree-based reading) on entity
 *     id, programmes and date; re-importing changes nothing.
 * Skips when the shared data folder is absent.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/labels.h"
#include "chainwatch/util.h"
#include "harness.h"

static char dir[1024];
static char db_path[1100], csv_db_path[1100];

static const char *const LAZARUS_ETH[] = {
    "0x098B716B8Aaf21512996dC57EB0615e2383E2f96", "0x08723392Ed15743cc38513C4925f5e6be5c17243",
    "0x35fB6f6DB4fb05e6A4cE86f2C93691425626d4b1", "0x3Cffd56B47B7b41c56258D9C7731ABaDc360E073",
    "0x3e37627dEAA754090fBFbb8bd226c1CE66D255e9", "0x53b6936513e738f44FB50d2b9476730C0Ab3Bfc1",
    "0xF7B31119c2682c88d88D455dBb9d5932c65Cf1bE", "0xa0e1c89Ef1a489c9C7dE96311eD5Ce5D32c20E4B",
};

/* ---- list files ---- */

typedef struct list {
    char asset[16];
    char **addr;
    size_t n;
} list;

static list lists[64];
static size_t n_lists;

static void load_lists(void)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/lists", dir);
    DIR *d = opendir(path);
    if (!d)
        cw_test_skip("lists folder missing");
    struct dirent *e;
    while ((e = readdir(d)) && n_lists < 64) {
        const char *pre = "sanctioned_addresses_";
        size_t n = strlen(e->d_name);
        if (strncmp(e->d_name, pre, strlen(pre)) || n < 5 || strcmp(e->d_name + n - 4, ".txt"))
            continue;
        list *l = &lists[n_lists++];
        snprintf(l->asset, sizeof l->asset, "%.*s", (int)(n - 4 - strlen(pre)),
                 e->d_name + strlen(pre));
        char fp[1600];
        snprintf(fp, sizeof fp, "%s/%s", path, e->d_name);
        uint8_t *buf;
        size_t len;
        if (cw_file_read(&buf, &len, fp) != 0)
            cw_test_skip("cannot read a list file");
        char *s = cw_malloc(len + 1);
        memcpy(s, buf, len);
        s[len] = 0;
        cw_free(buf);
        char *p = s;
        while (*p) {
            size_t k = strcspn(p, "\r\n");
            if (k) {
                l->addr = cw_realloc(l->addr, (l->n + 1) * sizeof *l->addr);
                l->addr[l->n] = cw_malloc(k + 1);
                memcpy(l->addr[l->n], p, k);
                l->addr[l->n][k] = 0;
                l->n++;
            }
            p += k;
            while (*p == '\r' || *p == '\n')
                p++;
        }
        cw_free(s);
    }
    closedir(d);
}

static list *find_list(const char *asset)
{
    for (size_t i = 0; i < n_lists; i++)
        if (!strcmp(lists[i].asset, asset))
            return &lists[i];
    return NULL;
}

/* ---- callbacks ---- */

static int count_cb(const cw_label *l, void *payload)
{
    (void)l;
    (*(int *)payload)++;
    return 0;
}

typedef struct asset_counts {
    char asset[32][16];
    int64_t n[32];
    size_t k;
} asset_counts;

static int on_asset(const char *asset, int64_t n, void *payload)
{
    asset_counts *c = payload;
    if (c->k < 32) {
        snprintf(c->asset[c->k], 16, "%s", asset);
        c->n[c->k++] = n;
    }
    return 0;
}

static void test_import_matches_lists(void)
{
    cw_labels *db;
    REQUIRE(cw_labels_open(&db, db_path, 0) == 0);
    char xml[1200];
    snprintf(xml, sizeof xml, "%s/sdn_advanced.xml.bz2", dir);
    cw_label_import_stats st;
    double t0 = cw_now();
    int rc = cw_labels_import(db, CW_IMPORT_OFAC_XML, xml, NULL, &st);
    if (rc)
        fprintf(stderr, "import: %s\n", cw_error_last());
    REQUIRE(rc == 0);
    fprintf(stderr, "imported %llu rows in %.2f s\n", (unsigned long long)st.rows, cw_now() - t0);
    CHECK_EQ_STR(st.source, "OFAC SDN sdn_advanced.xml published 2025-11-19");
    CHECK_EQ_INT(st.rows, 761);       /* PROVENANCE.md: 761 (party, feature) rows */
    CHECK_EQ_INT(st.labels_new, 760); /* Blender.io lists one XBT address twice */

    /* The content hash equals OFAC's published checksum. */
    char ck[1200];
    snprintf(ck, sizeof ck, "%s/sdn_advanced_checksum.txt", dir);
    uint8_t *buf;
    size_t len;
    if (cw_file_read(&buf, &len, ck) == 0) {
        char text[256] = "";
        snprintf(text, sizeof text, "%.*s", (int)(len < 255 ? len : 255), (const char *)buf);
        cw_free(buf);
        const char *eq = strstr(text, "= ");
        REQUIRE(eq != NULL);
        CHECK(!strncmp(eq + 2, st.content_sha256, 64));
    }

    /* Per-asset counts equal the list files, and every listed address is found. */
    asset_counts c = {0};
    cw_label_filter f = {.source = "OFAC SDN"};
    CHECK_EQ_INT(cw_labels_count_by_asset(db, &f, on_asset, &c), 0);
    CHECK_EQ_INT(c.k, n_lists);
    int64_t total = 0;
    for (size_t i = 0; i < c.k; i++) {
        list *l = find_list(c.asset[i]);
        CHECK(l != NULL);
        if (!l)
            continue;
        if ((size_t)c.n[i] != l->n)
            fprintf(stderr, "%s: %lld imported, %zu listed\n", c.asset[i], (long long)c.n[i], l->n);
        CHECK_EQ_INT(c.n[i], l->n);
        total += c.n[i];
        size_t missing = 0;
        for (size_t j = 0; j < l->n; j++) {
            int n = 0;
            /* exact subject as listed, not only the key */
            if (cw_labels_lookup(db, l->asset, l->addr[j], count_cb, &n) < 1)
                missing++;
        }
        CHECK_EQ_INT(missing, 0);
    }
    CHECK_EQ_INT(total, 758);
    CHECK_EQ_INT(find_list("XBT") ? (long long)find_list("XBT")->n : 0, 517);

    /* Re-import: nothing changes. */
    cw_labels_totals before, after;
    CHECK_EQ_INT(cw_labels_totals_get(db, &before), 0);
    REQUIRE(cw_labels_import(db, CW_IMPORT_OFAC_XML, xml, NULL, &st) == 0);
    CHECK(st.unchanged);
    CHECK_EQ_INT(cw_labels_totals_get(db, &after), 0);
    CHECK_EQ_INT(after.labels, before.labels);
    CHECK_EQ_INT(after.provenance, before.provenance);
    CHECK_EQ_INT(after.runs, before.runs);
    CHECK_EQ_INT(after.labels, 760);
    cw_labels_close(db);
}

typedef struct laz {
    int n, ok;
    int64_t id;
} laz;

static int lazarus_cb(const cw_label *l, void *payload)
{
    laz *z = payload;
    z->n++;
    z->id = l->id;
    if (!strcmp(l->entity, "Lazarus Group") && !strcmp(l->entity_ref, "ofac:27307") &&
        !strcmp(l->programs, "DPRK3") && !strcmp(l->category, "sanctioned") &&
        !strcmp(l->date, "2019-09-13") && !strcmp(l->asset, "ETH"))
        z->ok++;
    return 0;
}

typedef struct prov {
    int n;
    char loc[300];
} prov;

static int prov_cb(const cw_label_provenance *p, void *payload)
{
    prov *x = payload;
    x->n++;
    snprintf(x->loc, sizeof x->loc, "%s", p->location);
    return 0;
}

static void test_lazarus(void)
{
    cw_labels *db;
    REQUIRE(cw_labels_open(&db, db_path, CW_LABELS_READONLY) == 0);
    for (size_t i = 0; i < 8; i++) {
        laz z = {0};
        CHECK_EQ_INT(cw_labels_lookup(db, "ETH", LAZARUS_ETH[i], lazarus_cb, &z), 1);
        CHECK_EQ_INT(z.ok, 1);
        if (i == 0) {
            prov p = {0};
            CHECK_EQ_INT(cw_labels_provenance_foreach(db, z.id, prov_cb, &p), 0);
            CHECK_EQ_INT(p.n, 1);
            CHECK(strstr(p.loc, "DistinctParty[@FixedRef='27307']") != NULL);
            CHECK(strstr(p.loc, "Feature[@ID='50215']") != NULL);
        }
    }
    /* Inside a read transaction too (batch screening). */
    CHECK_EQ_INT(cw_labels_read_begin(db), 0);
    laz t = {0};
    for (size_t i = 0; i < 8; i++)
        CHECK_EQ_INT(cw_labels_lookup(db, "ETH", LAZARUS_ETH[i], lazarus_cb, &t), 1);
    CHECK_EQ_INT(t.ok, 8);
    cw_labels_read_end(db);
    /* Lower-case lookup finds the checksummed address. */
    laz z = {0};
    CHECK_EQ_INT(
        cw_labels_lookup(db, NULL, "0x098b716b8aaf21512996dc57eb0615e2383e2f96", lazarus_cb, &z),
        1);
    /* DPRK3 ETH labels of Lazarus: exactly the 8. */
    cw_label_filter f = {.asset = "ETH", .program = "DPRK3"};
    laz all = {0};
    CHECK_EQ_INT(cw_labels_foreach(db, &f, lazarus_cb, &all), 0);
    CHECK_EQ_INT(all.ok, 8);
    /* Addresses listed for two parties have two labels; Blender.io's double listing has one
     * label with two provenance records. */
    int n = 0;
    CHECK_EQ_INT(cw_labels_lookup(db, "LTC", "LeKvNdNEzgQkzVVnRdV3fAu2DSF1nLsNw6", count_cb, &n),
                 2);
    laz b = {0};
    CHECK_EQ_INT(cw_labels_lookup(db, "XBT", "3F6bbvS1krsc1qR8FsbTDfYQyvkMm3QvmR", lazarus_cb, &b),
                 1);
    prov p = {0};
    CHECK_EQ_INT(cw_labels_provenance_foreach(db, b.id, prov_cb, &p), 0);
    CHECK_EQ_INT(p.n, 2);
    /* By entity name or reference: its labels. */
    laz e = {0};
    CHECK_EQ_INT(cw_labels_find_subject(db, "Lazarus Group", lazarus_cb, &e), 8);
    CHECK_EQ_INT(e.ok, 8);
    laz r = {0};
    CHECK_EQ_INT(cw_labels_find_subject(db, "ofac:27307", lazarus_cb, &r), 8);
    CHECK_EQ_INT(r.ok, 8);
    /* Unknown address. */
    n = 0;
    CHECK_EQ_INT(cw_labels_lookup(db, NULL, "1BoatSLRHtKNngkdXEeobR76b53LETtpyT", count_cb, &n), 0);
    cw_labels_close(db);
}

/* Every XML label has a derived-CSV label with the same asset, address, OFAC id, programmes and
 * date. */
typedef struct cross {
    cw_labels *other;
    const cw_label *want;
    int checked, matched;
} cross;

static int match_cb(const cw_label *l, void *payload)
{
    cross *c = payload;
    if (!strcmp(l->entity_ref, c->want->entity_ref) && !strcmp(l->programs, c->want->programs) &&
        !strcmp(l->date, c->want->date) && !strcmp(l->subject, c->want->subject) &&
        !strcmp(l->entity_type, c->want->entity_type) &&
        !strncmp(l->entity, c->want->entity, strlen(c->want->entity)))
        c->matched++;
    return 0;
}

static int cross_cb(const cw_label *l, void *payload)
{
    cross *c = payload;
    c->want = l;
    c->checked++;
    int before = c->matched;
    cw_labels_lookup(c->other, l->asset, l->subject, match_cb, c);
    if (c->matched > before + 1)
        c->matched = before + 1;
    if (c->matched == before)
        fprintf(stderr, "no CSV match for %s %s (%s)\n", l->asset, l->subject, l->entity);
    return 0;
}

static void test_derived_csv_agrees(void)
{
    cw_labels *db, *cdb;
    REQUIRE(cw_labels_open(&cdb, csv_db_path, 0) == 0);
    char csv[1200];
    snprintf(csv, sizeof csv, "%s/sdn_digital_currency_addresses.csv", dir);
    cw_label_import_stats st;
    REQUIRE(cw_labels_import(cdb, CW_IMPORT_CSV, csv, NULL, &st) == 0);
    CHECK_EQ_INT(st.rows, 761);
    CHECK_EQ_INT(st.labels_new, 760);
    REQUIRE(cw_labels_open(&db, db_path, CW_LABELS_READONLY) == 0);
    cross c = {.other = cdb};
    cw_label_filter f = {.source = "OFAC SDN sdn_advanced.xml"};
    CHECK_EQ_INT(cw_labels_foreach(db, &f, cross_cb, &c), 0);
    CHECK_EQ_INT(c.checked, 760);
    CHECK_EQ_INT(c.matched, 760);
    cw_labels_close(db);
    cw_labels_close(cdb);
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s", cw_test_data("ofac-sdn-digital-currency/sdn_advanced.xml.bz2"));
    *strrchr(dir, '/') = 0;
    snprintf(db_path, sizeof db_path, "%s/ofac.db", cw_test_tmpdir());
    snprintf(csv_db_path, sizeof csv_db_path, "%s/ofac_csv.db", cw_test_tmpdir());
    load_lists();
    if (n_lists == 0)
        cw_test_skip("no list files");
    RUN(test_import_matches_lists);
    RUN(test_lazarus);
    RUN(test_derived_csv_agrees);
    for (size_t i = 0; i < n_lists; i++) {
        for (size_t j = 0; j < lists[i].n; j++)
            cw_free(lists[i].addr[j]);
        cw_free(lists[i].addr);
    }
    return cw_test_done();
}
