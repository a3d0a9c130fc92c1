/* test_preview.c: the per-alert share preview (cw_share_preview) against what partners really
 * pull. The truth is the TAXII query itself (cw_taxii_collection_query over the whole
 * collection, per partner principal), run independently of the preview after publishing:
 *  - before publishing, the dry run lists the objects publishing then builds (same types, same
 *    deterministic wallet ids) and KOR (the audience of a TLP:AMBER alert) may take all of
 *    them while JPN takes none;
 *  - after publishing, each partner's list equals what its pull returns of the alert's
 *    objects, including a wallet that a later TLP:GREEN alert made visible to JPN (merged
 *    marking);
 *  - TLP:RED sends nothing; an organisation without a peer key is listed as receiving nothing;
 *  - the preview writes nothing (collection, audit log and publish mark unchanged). */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/share.h"
#include "harness.h"

static const char *const A1 = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa";
static const char *const A2 = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";

static int64_t count_rows(cw_node *n, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(cw_node_sqlite(n), sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static json_t *partner_of(json_t *pv, const char *org)
{
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(pv, "partners"), i,
                       p) if (!strcmp(json_string_value(json_object_get(p, "org")), org)) return p;
    return NULL;
}

static bool ids_contain(json_t *list, const char *id)
{
    size_t i;
    json_t *o;
    json_array_foreach(list, i,
                       o) if (!strcmp(json_string_value(json_object_get(o, "id")), id)) return true;
    return false;
}

/* The ids of `objs` (preview objects) that `who` really pulls: the full TAXII query. */
static json_t *pulled(cw_node *n, const cw_principal *who, json_t *objs)
{
    cw_taxii_query q;
    memset(&q, 0, sizeof q);
    q.limit = 1000;
    cw_taxii_page pg;
    json_t *out = json_array();
    if (cw_taxii_collection_query(n, who, &q, false, &pg) != 0)
        return out;
    size_t i;
    json_t *o;
    json_array_foreach(pg.objects, i, o)
    {
        const char *id = json_string_value(json_object_get(o, "id"));
        if (ids_contain(objs, id))
            json_array_append_new(out, json_pack("{s:s}", "id", id));
    }
    json_decref(pg.objects);
    return out;
}

static json_t *preview(cw_node *n, int64_t id)
{
    json_t *a = NULL, *pv = NULL;
    if (cw_alert_get(cw_node_alerts(n), id, &a) != 0)
        return NULL;
    int rc = cw_share_preview(n, a, &pv);
    json_decref(a);
    return rc ? NULL : pv;
}

static void test_preview(void)
{
    char path[600];
    snprintf(path, sizeof path, "%s/preview.db", cw_test_tmpdir());
    REQUIRE(cw_node_init(path, "USA", NULL) == 0);
    cw_node *n = NULL;
    REQUIRE(cw_node_open(&n, path) == 0);
    char *k = NULL;
    REQUIRE(cw_keys_add(n, "kor-node", "KOR", CW_ROLE_PEER, &k) == 0);
    free(k);
    REQUIRE(cw_keys_add(n, "jpn-node", "JPN", CW_ROLE_PEER, &k) == 0);
    free(k);
    REQUIRE(cw_keys_add(n, "alice", "USA", CW_ROLE_ANALYST, &k) == 0);
    free(k);

    char ev[256];
    snprintf(ev, sizeof ev, "{\"addresses\":[\"%s\",\"%s\"],\"value_sat\":150000000}", A1, A2);
    cw_alert_input in;
    memset(&in, 0, sizeof in);
    in.kind = "stolen-funds-at-exchange";
    in.title = "Heist: funds at ExA";
    in.evidence = ev;
    in.tlp = CW_TLP_AMBER;
    in.share_to = "KOR,CAN"; /* CAN: in the audience, but no peer key on this node */
    in.time_us = 1764288000000000LL;
    int64_t id_amber = 0, id_red = 0, id_green = 0;
    REQUIRE(cw_alert_emit(cw_node_alerts(n), &in, &id_amber, NULL) == 0);

    int64_t objs0 = count_rows(n, "SELECT count(*) FROM stix_objects");
    int64_t audit0 = count_rows(n, "SELECT count(*) FROM audit");

    /* pending: the dry run */
    json_t *pv = preview(n, id_amber);
    REQUIRE(pv);
    CHECK_EQ_STR(json_string_value(json_object_get(pv, "state")), "pending");
    CHECK(json_is_false(json_object_get(pv, "ids_final")));
    json_t *objs = json_object_get(pv, "objects");
    CHECK_EQ_INT((int)json_array_size(objs),
                 6); /* 2 wallets, indicator, observed, sighting, report */
    json_t *kor = partner_of(pv, "KOR"), *jpn = partner_of(pv, "JPN"), *can = partner_of(pv, "CAN");
    REQUIRE(kor && jpn && can);
    CHECK(partner_of(pv, "USA") == NULL); /* the node's own organisation is not a partner */
    CHECK_EQ_INT((int)json_array_size(json_object_get(kor, "allowed")), 6);
    CHECK_EQ_INT((int)json_integer_value(json_object_get(kor, "receives_count")), 6);
    CHECK_EQ_INT((int)json_array_size(json_object_get(jpn, "allowed")), 0);
    CHECK_EQ_INT((int)json_array_size(json_object_get(jpn, "withheld")), 6);
    CHECK(json_is_false(json_object_get(can, "can_pull")));
    CHECK_EQ_INT((int)json_array_size(json_object_get(can, "allowed")), 6); /* marking allows */
    CHECK_EQ_INT((int)json_integer_value(json_object_get(can, "receives_count")), 0);
    size_t i;
    json_t *o;
    json_t *pending_objs = json_deep_copy(objs);
    json_decref(pv);
    CHECK_EQ_INT(count_rows(n, "SELECT count(*) FROM stix_objects"), objs0);
    CHECK_EQ_INT(count_rows(n, "SELECT count(*) FROM audit"), audit0);

    /* a RED alert and a GREEN alert naming A1 (its wallet then serves everyone) */
    in.tlp = CW_TLP_RED;
    in.share_to = NULL;
    in.title = "internal lead";
    REQUIRE(cw_alert_emit(cw_node_alerts(n), &in, &id_red, NULL) == 0);
    snprintf(ev, sizeof ev, "{\"addresses\":[\"%s\"]}", A1);
    in.tlp = CW_TLP_GREEN;
    in.title = "sanctioned address active";
    REQUIRE(cw_alert_emit(cw_node_alerts(n), &in, &id_green, NULL) == 0);
    REQUIRE(cw_share_publish_pending(n, NULL) == 0);

    pv = preview(n, id_amber);
    REQUIRE(pv);
    CHECK_EQ_STR(json_string_value(json_object_get(pv, "state")), "published");
    CHECK(json_is_true(json_object_get(pv, "ids_final")));
    objs = json_object_get(pv, "objects");
    CHECK_EQ_INT((int)json_array_size(objs), 6);
    /* same types as the dry run, and the same (deterministic) wallet ids */
    const char *types[] = {"report", "indicator", "observed-data", "sighting",
                           "cryptocurrency-wallet"};
    for (size_t t = 0; t < 5; t++) {
        int a = 0, b = 0;
        json_array_foreach(objs, i, o) a +=
            !strcmp(json_string_value(json_object_get(o, "type")), types[t]);
        json_array_foreach(pending_objs, i, o) b +=
            !strcmp(json_string_value(json_object_get(o, "type")), types[t]);
        CHECK_EQ_INT(a, b);
    }
    json_array_foreach(pending_objs, i, o)
    {
        if (!strcmp(json_string_value(json_object_get(o, "type")), "cryptocurrency-wallet"))
            CHECK(ids_contain(objs, json_string_value(json_object_get(o, "id"))));
    }
    /* each partner's list is what its pull returns of these objects */
    cw_principal pk = {"kor-node", "KOR", CW_ROLE_PEER}, pj = {"jpn-node", "JPN", CW_ROLE_PEER};
    const cw_principal *who[2] = {&pk, &pj};
    const char *orgs[2] = {"KOR", "JPN"};
    for (int w = 0; w < 2; w++) {
        json_t *truth = pulled(n, who[w], objs);
        json_t *p = partner_of(pv, orgs[w]);
        REQUIRE(p);
        json_t *allowed = json_object_get(p, "allowed");
        CHECK_EQ_INT((int)json_array_size(allowed), (int)json_array_size(truth));
        json_array_foreach(truth, i, o)
            CHECK(ids_contain(allowed, json_string_value(json_object_get(o, "id"))));
        json_decref(truth);
    }
    kor = partner_of(pv, "KOR");
    jpn = partner_of(pv, "JPN");
    CHECK_EQ_INT((int)json_array_size(json_object_get(kor, "allowed")), 6);
    /* JPN: only A1's wallet, made GREEN by the later alert */
    REQUIRE(json_array_size(json_object_get(jpn, "allowed")) == 1);
    CHECK_EQ_STR(json_string_value(
                     json_object_get(json_array_get(json_object_get(jpn, "allowed"), 0), "type")),
                 "cryptocurrency-wallet");
    CHECK_EQ_STR(json_string_value(
                     json_object_get(json_array_get(json_object_get(jpn, "allowed"), 0), "tlp")),
                 "green");
    CHECK_EQ_INT((int)json_array_size(json_object_get(jpn, "withheld")), 5);
    json_decref(pv);

    /* RED: the report, indicator, observed-data and sighting reach nobody; its wallets only
     * where another alert already shared them (merged marking), as the pull shows */
    pv = preview(n, id_red);
    REQUIRE(pv);
    json_array_foreach(json_object_get(pv, "partners"), i, o)
    {
        size_t j;
        json_t *x;
        json_array_foreach(json_object_get(o, "allowed"), j, x)
            CHECK_EQ_STR(json_string_value(json_object_get(x, "type")), "cryptocurrency-wallet");
        json_array_foreach(json_object_get(o, "withheld"), j,
                           x) if (strcmp(json_string_value(json_object_get(x, "type")),
                                         "cryptocurrency-wallet") != 0)
            CHECK_EQ_STR(json_string_value(json_object_get(x, "reason")),
                         "TLP:RED never leaves this node");
        CHECK_EQ_INT((int)json_array_size(json_object_get(o, "withheld")) +
                         (int)json_array_size(json_object_get(o, "allowed")),
                     (int)json_array_size(json_object_get(pv, "objects")));
    }
    for (int w = 0; w < 2; w++) {
        json_t *truth = pulled(n, who[w], json_object_get(pv, "objects"));
        CHECK_EQ_INT((int)json_array_size(json_object_get(partner_of(pv, orgs[w]), "allowed")),
                     (int)json_array_size(truth));
        json_decref(truth);
    }
    CHECK_EQ_INT((int)json_array_size(json_object_get(partner_of(pv, "JPN"), "allowed")), 1);
    CHECK_EQ_INT((int)json_array_size(json_object_get(partner_of(pv, "KOR"), "allowed")), 2);
    json_decref(pv);

    /* the preview wrote nothing */
    int64_t objs1 = count_rows(n, "SELECT count(*) FROM stix_objects");
    int64_t audit1 = count_rows(n, "SELECT count(*) FROM audit");
    pv = preview(n, id_green);
    REQUIRE(pv);
    CHECK_EQ_INT((int)json_array_size(json_object_get(partner_of(pv, "JPN"), "allowed")),
                 (int)json_array_size(json_object_get(pv, "objects")));
    json_decref(pv);
    CHECK_EQ_INT(count_rows(n, "SELECT count(*) FROM stix_objects"), objs1);
    CHECK_EQ_INT(count_rows(n, "SELECT count(*) FROM audit"), audit1);
    json_decref(pending_objs);
    cw_node_close(n);
}

int main(void)
{
    RUN(test_preview);
    return cw_test_done();
}
