/* test_share.c: Ed25519 (RFC 8032 vector), signatures over JCS and their carriage on STIX
 * objects, STIX builders (official TLP 2.0 ids, UUIDv5 SCO ids checked against Python's uuid),
 * the node: API keys, TLP enforcement, hash-chained audit log tamper detection, publishing
 * and TAXII paging. */
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chainwatch/errors.h"
#include "chainwatch/share.h"
#include "chainwatch/sql.h"
#include "harness.h"

static void test_ed25519_rfc8032(void)
{
    /* RFC 8032 section 7.1, TEST 1 (empty message). */
    uint8_t seed[32], pk[32], sk[64], sig[64];
    char hex[129];
    REQUIRE(sodium_init() >= 0);
    cw_hex_decode(seed, 32, "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    crypto_sign_seed_keypair(pk, sk, seed);
    cw_hex_encode(hex, pk, 32);
    CHECK_EQ_STR(hex, "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    crypto_sign_detached(sig, NULL, (const unsigned char *)"", 0, sk);
    cw_hex_encode(hex, sig, 64);
    CHECK_EQ_STR(hex, "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a3"
                      "3bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
}

static void test_sign_canonical(void)
{
    uint8_t pk[32], sk[64], s1[64], s2[64];
    crypto_sign_keypair(pk, sk);
    json_t *a = json_loads("{\"b\":1,\"a\":[1.50,\"x\"]}", 0, NULL);
    json_t *b = json_loads("{ \"a\" : [ 1.5 , \"x\" ] , \"b\" : 1 }", 0, NULL);
    REQUIRE(a && b);
    CHECK_EQ_INT(cw_sign_json(s1, a, sk), 0);
    CHECK_EQ_INT(cw_sign_json(s2, b, sk), 0);
    CHECK(memcmp(s1, s2, 64) == 0); /* Ed25519 is deterministic and the JCS forms are equal */
    CHECK_EQ_INT(cw_verify_json(s1, b, pk), 0);
    json_object_set_new(b, "b", json_integer(2));
    CHECK_EQ_INT(cw_verify_json(s1, b, pk), CW_ECORRUPT);
    json_decref(a);
    json_decref(b);
}

static void test_stix_sign_verify(void)
{
    uint8_t pk[32], sk[64], pk2[32], sk2[64];
    crypto_sign_keypair(pk, sk);
    crypto_sign_keypair(pk2, sk2);
    cw_stix_ctx c = {"identity--07943265-88ae-4976-bbca-7a1831c63cb2", CW_TLP_GREEN,
                     1764288000000000LL, false};
    json_t *refs = json_pack("[s]", "identity--07943265-88ae-4976-bbca-7a1831c63cb2");
    json_t *r = cw_stix_report(&c, "title", "why", refs);
    REQUIRE(r);
    CHECK_EQ_INT(cw_stix_verify(r, pk), CW_ENOTFOUND);
    CHECK_EQ_INT(cw_stix_sign(r, sk, pk), 0);
    CHECK_EQ_INT(cw_stix_verify(r, pk), 0);
    CHECK_EQ_INT(cw_stix_verify(r, pk2), CW_ECORRUPT); /* signed by another key */
    /* Round trip through text (as a peer receives it) still verifies. */
    char *text = json_dumps(r, JSON_INDENT(3));
    json_t *r2 = json_loads(text, 0, NULL);
    free(text);
    CHECK_EQ_INT(cw_stix_verify(r2, pk), 0);
    /* Tampering with any property, including the TLP marking, breaks it. */
    json_object_set_new(r2, "name", json_string("titlf"));
    CHECK_EQ_INT(cw_stix_verify(r2, pk), CW_ECORRUPT);
    json_decref(r2);
    r2 = json_deep_copy(r);
    json_array_set_new(json_object_get(r2, "object_marking_refs"), 0,
                       json_string(cw_stix_tlp_marking_id(CW_TLP_CLEAR)));
    CHECK_EQ_INT(cw_stix_verify(r2, pk), CW_ECORRUPT);
    json_decref(r2);
    /* Re-signing replaces the signature. */
    CHECK_EQ_INT(cw_stix_sign(r, sk2, pk2), 0);
    CHECK_EQ_INT(cw_stix_verify(r, pk2), 0);
    CHECK_EQ_INT(json_object_size(json_object_get(r, "extensions")), 1);
    json_decref(r);
    json_decref(refs);
}

static void test_stix_builders(void)
{
    CHECK_EQ_STR(cw_stix_tlp_marking_id(CW_TLP_CLEAR),
                 "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487");
    CHECK_EQ_STR(cw_stix_tlp_marking_id(CW_TLP_GREEN),
                 "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb");
    CHECK_EQ_STR(cw_stix_tlp_marking_id(CW_TLP_AMBER),
                 "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421");
    CHECK_EQ_STR(cw_stix_tlp_marking_id(CW_TLP_AMBER_STRICT),
                 "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003");
    CHECK_EQ_STR(cw_stix_tlp_marking_id(CW_TLP_RED),
                 "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1");
    json_t *m = cw_stix_tlp_marking(CW_TLP_AMBER_STRICT);
    char *s = NULL;
    REQUIRE(cw_jcs_dumps(m, &s, NULL) == 0);
    /* The object as published with the TLP 2.0 extension. */
    CHECK_EQ_STR(s, "{\"created\":\"2022-10-01T00:00:00.000Z\",\"extensions\":{\"extension-"
                    "definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d\":{\"extension_type\":"
                    "\"property-extension\",\"tlp_2_0\":\"amber+strict\"}},\"id\":\"marking-"
                    "definition--939a9414-2ddd-4d32-a0cd-375ea402b003\",\"name\":\"TLP:AMBER+"
                    "STRICT\",\"spec_version\":\"2.1\",\"type\":\"marking-definition\"}");
    free(s);
    json_decref(m);
    cw_tlp t;
    CHECK_EQ_INT(
        cw_stix_tlp_from_marking_id(&t, "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"),
        0);
    CHECK_EQ_INT(t, CW_TLP_RED);
    /* TLP 1.0 GREEN is not a TLP 2.0 marking */
    CHECK_EQ_INT(
        cw_stix_tlp_from_marking_id(&t, "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"),
        CW_ENOTFOUND);

    cw_stix_ctx c = {"identity--07943265-88ae-4976-bbca-7a1831c63cb2", CW_TLP_AMBER,
                     1764288000123000LL, false};
    json_t *w = cw_stix_wallet(&c, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "BTC");
    REQUIRE(w);
    /* uuid.uuid5(UUID('00abedb4-aa42-466c-9c01-fed23315a9b7'), '{"address":"1A1z..."}') */
    CHECK_EQ_STR(json_string_value(json_object_get(w, "id")),
                 "cryptocurrency-wallet--0c89648c-8ceb-5aaf-991c-7860047601ea");
    json_decref(w);
    CHECK(cw_stix_wallet(&c, "1A1z' OR '1'='1", "BTC") == NULL); /* pattern injection refused */
    const char *addrs[2] = {"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
                            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"};
    json_t *ind = cw_stix_indicator(&c, "n", NULL, addrs, 2);
    REQUIRE(ind);
    CHECK_EQ_STR(json_string_value(json_object_get(ind, "pattern")),
                 "[cryptocurrency-wallet:address = '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa'] OR "
                 "[cryptocurrency-wallet:address = 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq']");
    CHECK_EQ_STR(json_string_value(json_object_get(ind, "created")), "2025-11-28T00:00:00.123Z");
    CHECK_EQ_STR(json_string_value(json_array_get(json_object_get(ind, "object_marking_refs"), 0)),
                 "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421");
    const char *id = json_string_value(json_object_get(ind, "id"));
    CHECK(id && strlen(id) == strlen("indicator--") + 36 && id[strlen("indicator--") + 14] == '4');
    json_decref(ind);
    CHECK(json_object_get(ind = cw_stix_indicator(&c, "n", NULL, addrs, 1), "labels") == NULL);
    json_decref(ind);
    /* about a generated world: every SDO and SRO says so in its labels, never the wallet (an
     * address, no claim) */
    cw_stix_ctx cs = c;
    cs.synthetic = true;
    json_t *refs = json_pack("[s]", "identity--07943265-88ae-4976-bbca-7a1831c63cb2");
    json_t *made[] = {
        cw_stix_indicator(&cs, "n", NULL, addrs, 1), cw_stix_observed_data(&cs, refs, 0, 0, 1),
        cw_stix_sighting(&cs, "indicator--0c89648c-8ceb-4aaf-991c-7860047601ea", NULL, NULL, 1),
        cw_stix_report(&cs, "SYNTHETIC world: x", NULL, refs),
        cw_stix_wallet(&cs, addrs[0], "BTC")};
    for (size_t i = 0; i < sizeof made / sizeof *made; i++) {
        REQUIRE(made[i]);
        json_t *lab = json_object_get(made[i], "labels");
        if (i + 1 < sizeof made / sizeof *made)
            CHECK(json_array_size(lab) == 1 &&
                  !strcmp(json_string_value(json_array_get(lab, 0)), "synthetic"));
        else
            CHECK(lab == NULL);
        json_decref(made[i]);
    }
    json_decref(refs);
    json_t *sd = cw_stix_supply_disruption(&c, "Lithium export curbs", "lithium", "CHN", 3, "x");
    REQUIRE(sd);
    CHECK_EQ_STR(json_string_value(json_object_get(sd, "type")), "supply-disruption");
    CHECK(json_object_get(json_object_get(sd, "extensions"), CW_STIX_EXT_SUPPLY) != NULL);
    json_decref(sd);
    CHECK(cw_stix_supply_disruption(&c, "x", NULL, NULL, 7, NULL) == NULL);
}

static void test_keys_and_tlp(void)
{
    char path[600];
    snprintf(path, sizeof path, "%s/node.db", cw_test_tmpdir());
    REQUIRE(cw_node_init(path, "USA", NULL) == 0);
    CHECK_EQ_INT(cw_node_init(path, "USA", NULL), CW_EEXISTS);
    cw_node *n = NULL;
    REQUIRE(cw_node_open(&n, path) == 0);
    char *k1 = NULL, *k2 = NULL;
    REQUIRE(cw_keys_add(n, "kor", "KOR", CW_ROLE_PEER, &k1) == 0);
    REQUIRE(cw_keys_add(n, "alice", "USA", CW_ROLE_ANALYST, &k2) == 0);
    char *k3 = NULL;
    CHECK_EQ_INT(cw_keys_add(n, "kor", "KOR", CW_ROLE_PEER, &k3), CW_EEXISTS);
    CHECK(k3 == NULL);
    cw_principal p;
    CHECK_EQ_INT(cw_keys_authenticate(n, k1, &p), 0);
    CHECK_EQ_STR(p.org, "KOR");
    CHECK_EQ_INT(p.role, CW_ROLE_PEER);
    CHECK_EQ_INT(cw_keys_authenticate(n, "cw_not-a-key", &p), CW_EPERM);
    CHECK(strstr(cw_error_last(), "unknown") != NULL);
    /* Only the keyed hash is stored: the key text appears nowhere in the table. */
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(cw_node_sqlite(n),
                       "SELECT count(*) FROM api_keys WHERE hash = ? OR name = ?", -1, &st, NULL);
    sqlite3_bind_text(st, 1, k1, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, k1, -1, SQLITE_STATIC);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    CHECK_EQ_INT(sqlite3_column_int(st, 0), 0);
    sqlite3_finalize(st);
    CHECK_EQ_INT(cw_keys_revoke(n, "kor"), 0);
    CHECK_EQ_INT(cw_keys_authenticate(n, k1, &p), CW_EPERM);
    CHECK(strstr(cw_error_last(), "revoked") != NULL);
    CHECK_EQ_INT(cw_keys_revoke(n, "kor"), CW_ENOTFOUND);
    free(k1);
    free(k2);

    cw_principal kor = {"kor", "KOR", CW_ROLE_PEER}, jpn = {"jpn", "JPN", CW_ROLE_PEER};
    cw_principal local = {"alice", "USA", CW_ROLE_READER};
    cw_principal usa_peer = {"usa2", "USA", CW_ROLE_PEER};
    CHECK(cw_tlp_allows(CW_TLP_GREEN, "", "USA", &kor));
    CHECK(cw_tlp_allows(CW_TLP_CLEAR, "", "USA", &jpn));
    CHECK(cw_tlp_allows(CW_TLP_AMBER_STRICT, "KOR", "USA", &kor));
    CHECK(!cw_tlp_allows(CW_TLP_AMBER_STRICT, "KOR", "USA", &jpn));
    CHECK(cw_tlp_allows(CW_TLP_AMBER_STRICT, "KOR", "USA", &local));
    CHECK(!cw_tlp_allows(CW_TLP_AMBER_STRICT, "KOR,JPN", "USA", &kor));
    CHECK(cw_tlp_allows(CW_TLP_AMBER, "KOR, JPN", "USA", &jpn));
    CHECK(!cw_tlp_allows(CW_TLP_AMBER, "KOR", "USA", &jpn));
    CHECK(!cw_tlp_allows(CW_TLP_AMBER, "", "USA", &kor));
    CHECK(!cw_tlp_allows(CW_TLP_RED, "KOR", "USA", &kor));
    CHECK(!cw_tlp_allows(CW_TLP_RED, "", "USA", &usa_peer));
    CHECK(cw_tlp_allows(CW_TLP_RED, "", "USA", &local));
    CHECK(!cw_tlp_allows(CW_TLP_GREEN, "", "USA", NULL));
    cw_node_close(n);
}

static int exec_sql(const char *path, const char *sql)
{
    sqlite3 *s = NULL;
    if (sqlite3_open(path, &s) != SQLITE_OK)
        return -1;
    int rc = sqlite3_exec(s, sql, NULL, NULL, NULL);
    sqlite3_close(s);
    return rc;
}

static void test_audit_chain(void)
{
    char path[600];
    snprintf(path, sizeof path, "%s/audit.db", cw_test_tmpdir());
    REQUIRE(cw_node_init(path, "JPN", NULL) == 0);
    cw_node *n = NULL;
    REQUIRE(cw_node_open(&n, path) == 0);
    for (int i = 0; i < 5; i++)
        REQUIRE(cw_audit_append(n, "alice", "alert.read", "alert/1", "ok", "") == 0);
    int64_t cnt = 0;
    char head[65];
    CHECK_EQ_INT(cw_audit_verify(n, &cnt, head), 0);
    CHECK_EQ_INT(cnt, 6); /* node.init + 5 */
    cw_node_close(n);
    /* The table refuses edits through SQL. */
    CHECK(exec_sql(path, "UPDATE audit SET actor = 'mallory' WHERE seq = 3") != SQLITE_OK);
    CHECK(exec_sql(path, "DELETE FROM audit WHERE seq = 3") != SQLITE_OK);
    /* Someone who drops the triggers: an edit is found. */
    char copy[700];
    snprintf(copy, sizeof copy, "%s/audit-edit.db", cw_test_tmpdir());
    char sql[900];
    snprintf(sql, sizeof sql, "VACUUM INTO '%s'", copy);
    REQUIRE(exec_sql(path, sql) == SQLITE_OK);
    REQUIRE(exec_sql(
                copy,
                "DROP TRIGGER audit_no_update; UPDATE audit SET actor = 'mallory' WHERE seq = 3") ==
            SQLITE_OK);
    REQUIRE(cw_node_open(&n, copy) == 0);
    CHECK_EQ_INT(cw_audit_verify(n, NULL, NULL), CW_ECORRUPT);
    CHECK(strstr(cw_error_last(), "entry 3") != NULL);
    cw_node_close(n);
    /* A deletion in the middle. */
    snprintf(copy, sizeof copy, "%s/audit-del.db", cw_test_tmpdir());
    snprintf(sql, sizeof sql, "VACUUM INTO '%s'", copy);
    REQUIRE(exec_sql(path, sql) == SQLITE_OK);
    REQUIRE(exec_sql(copy, "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = 4") ==
            SQLITE_OK);
    REQUIRE(cw_node_open(&n, copy) == 0);
    CHECK_EQ_INT(cw_audit_verify(n, NULL, NULL), CW_ECORRUPT);
    CHECK(strstr(cw_error_last(), "entry 4") != NULL);
    cw_node_close(n);
    /* A truncation at the end. */
    snprintf(copy, sizeof copy, "%s/audit-trunc.db", cw_test_tmpdir());
    snprintf(sql, sizeof sql, "VACUUM INTO '%s'", copy);
    REQUIRE(exec_sql(path, sql) == SQLITE_OK);
    REQUIRE(exec_sql(copy, "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = 6") ==
            SQLITE_OK);
    REQUIRE(cw_node_open(&n, copy) == 0);
    CHECK_EQ_INT(cw_audit_verify(n, NULL, NULL), CW_ECORRUPT);
    cw_node_close(n);
    /* The original is intact. */
    REQUIRE(cw_node_open(&n, path) == 0);
    CHECK_EQ_INT(cw_audit_verify(n, &cnt, NULL), 0);
    cw_node_close(n);
}

static void test_publish_and_paging(void)
{
    char path[600];
    snprintf(path, sizeof path, "%s/pub.db", cw_test_tmpdir());
    REQUIRE(cw_node_init(path, "USA", NULL) == 0);
    cw_node *n = NULL;
    REQUIRE(cw_node_open(&n, path) == 0);
    cw_alert_input in;
    memset(&in, 0, sizeof in);
    in.kind = "sanctioned-address-active";
    in.title = "t";
    in.evidence = "{\"addresses\":[\"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa\"]}";
    in.tlp = CW_TLP_GREEN;
    REQUIRE(cw_alert_emit(cw_node_alerts(n), &in, NULL, NULL) == 0);
    in.tlp = CW_TLP_RED;
    in.evidence = NULL;
    REQUIRE(cw_alert_emit(cw_node_alerts(n), &in, NULL, NULL) == 0);
    in.tlp = CW_TLP_AMBER_STRICT;
    in.share_to = "KOR";
    REQUIRE(cw_alert_emit(cw_node_alerts(n), &in, NULL, NULL) == 0);
    int added = 0;
    CHECK_EQ_INT(cw_share_publish_pending(n, &added), 0);
    CHECK_EQ_INT(added, 7); /* wallet, indicator, observed-data, sighting, report; report; report */
    CHECK_EQ_INT(cw_share_publish_pending(n, &added), 0);
    CHECK_EQ_INT(added, 0); /* idempotent */

    cw_principal kor = {"kor", "KOR", CW_ROLE_PEER}, jpn = {"jpn", "JPN", CW_ROLE_PEER};
    cw_principal local = {"alice", "USA", CW_ROLE_READER};
    cw_taxii_query q;
    memset(&q, 0, sizeof q);
    q.match_type = "report";
    cw_taxii_page pg;
    REQUIRE(cw_taxii_collection_query(n, &local, &q, false, &pg) == 0);
    CHECK_EQ_INT(json_array_size(pg.objects), 3);
    json_decref(pg.objects);
    REQUIRE(cw_taxii_collection_query(n, &kor, &q, false, &pg) == 0);
    CHECK_EQ_INT(json_array_size(pg.objects), 2); /* green + amber+strict for KOR */
    json_decref(pg.objects);
    REQUIRE(cw_taxii_collection_query(n, &jpn, &q, false, &pg) == 0);
    CHECK_EQ_INT(json_array_size(pg.objects), 1); /* green only */
    json_t *rep = json_array_get(pg.objects, 0);
    CHECK_EQ_INT(cw_stix_verify(rep, cw_node_public_key(n)), 0);
    json_decref(pg.objects);

    /* Paging with limit 3 over everything KOR may see: no loss, no repeat, even with objects
     * added between pages. */
    memset(&q, 0, sizeof q);
    q.limit = 3;
    int total = 0, pages = 0;
    json_t *ids = json_object();
    bool dup = false;
    for (;;) {
        REQUIRE(cw_taxii_collection_query(n, &kor, &q, true, &pg) == 0);
        size_t i;
        json_t *o;
        json_array_foreach(pg.objects, i, o)
        {
            const char *id = json_string_value(json_object_get(o, "id"));
            if (json_object_get(ids, id))
                dup = true;
            json_object_set_new(ids, id, json_true());
            total++;
        }
        json_decref(pg.objects);
        pages++;
        if (pages == 2) {
            in.tlp = CW_TLP_GREEN;
            in.share_to = NULL;
            REQUIRE(cw_alert_emit(cw_node_alerts(n), &in, NULL, NULL) == 0);
            REQUIRE(cw_share_publish_pending(n, NULL) == 0);
        }
        if (!pg.more)
            break;
        q.next = pg.next;
    }
    CHECK(!dup);
    /* 10 standing objects (5 markings, chainwatch identity, 4 extension-definitions) + node
     * identity + 5 (green alert) + 1 (amber+strict report) + 1 (green report added during
     * paging); the RED report is not served to a peer. */
    CHECK_EQ_INT(total, 18);
    json_decref(ids);
    q.limit = 0;
    q.next = 0;
    q.match_version = "bogus";
    CHECK_EQ_INT(cw_taxii_collection_query(n, &kor, &q, false, &pg), CW_EINVAL);
    cw_node_close(n);
}

static void test_share_migration_upgrade(void)
{
    /* A node at share schema 1 (no peers.cacert) is brought to the current schema on open. */
    char path[600];
    snprintf(path, sizeof path, "%s/mig.db", cw_test_tmpdir());
    REQUIRE(cw_node_init(path, "KOR", NULL) == 0);
    REQUIRE(exec_sql(path, "ALTER TABLE peers DROP COLUMN cacert; DROP TABLE publish_skipped; "
                           "DROP TABLE peer_rejected; DROP TABLE peer_checkpoints; "
                           "UPDATE cw_schema SET version = 1 "
                           "WHERE module = 'share'") == SQLITE_OK);
    CHECK(exec_sql(path, "SELECT cacert FROM peers") != SQLITE_OK);
    cw_node *n = NULL;
    REQUIRE(cw_node_open(&n, path) == 0);
    CHECK_EQ_INT(cw_peer_add(n, "USA", "https://127.0.0.1:1", "k",
                             "e63c32d5feb1a092ebdac3a0b50cf5e2e2adb3fa4742512a8722c9e85c404e79",
                             "USA", NULL),
                 0);
    CHECK_EQ_INT(cw_peer_add(n, "JPN", "ftp://x", "k",
                             "e63c32d5feb1a092ebdac3a0b50cf5e2e2adb3fa4742512a8722c9e85c404e79",
                             "JPN", NULL),
                 CW_EINVAL);
    CHECK_EQ_INT(cw_peer_add(n, "JPN", "http://x", "k", "abcd", "JPN", NULL), CW_EINVAL);
    cw_node_close(n);
    CHECK(exec_sql(path, "SELECT cacert FROM peers") == SQLITE_OK);
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    REQUIRE(sqlite3_open(path, &s) == SQLITE_OK);
    sqlite3_prepare_v2(s, "SELECT version FROM cw_schema WHERE module = 'share'", -1, &st, NULL);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    CHECK_EQ_INT(sqlite3_column_int(st, 0), 3);
    sqlite3_finalize(st);
    sqlite3_close(s);
}

static void test_concurrent_publish(void)
{
    /* Three processes publish the same pending alerts at once (the CLI beside a running
     * server): every alert is published exactly once. */
    char path[600];
    snprintf(path, sizeof path, "%s/race.db", cw_test_tmpdir());
    REQUIRE(cw_node_init(path, "USA", NULL) == 0);
    cw_node *n = NULL;
    REQUIRE(cw_node_open(&n, path) == 0);
    cw_alert_input in;
    memset(&in, 0, sizeof in);
    in.kind = "k";
    in.title = "t";
    in.tlp = CW_TLP_GREEN;
    for (int i = 0; i < 40; i++)
        REQUIRE(cw_alert_emit(cw_node_alerts(n), &in, NULL, NULL) == 0);
    cw_node_close(n);
    int go[2];
    REQUIRE(pipe(go) == 0);
    pid_t kids[3];
    for (int k = 0; k < 3; k++) {
        kids[k] = fork();
        REQUIRE(kids[k] >= 0);
        if (kids[k] == 0) {
            char c;
            close(go[1]);
            cw_node *m = NULL;
            if (cw_node_open(&m, path))
                _exit(2);
            if (read(go[0], &c, 1) != 0) /* wait until the parent closes the pipe */
                _exit(3);
            int rc = cw_share_publish_pending(m, NULL);
            cw_node_close(m);
            _exit(rc ? 1 : 0);
        }
    }
    close(go[0]);
    close(go[1]);
    for (int k = 0; k < 3; k++) {
        int st = -1;
        waitpid(kids[k], &st, 0);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    REQUIRE(sqlite3_open(path, &s) == SQLITE_OK);
    sqlite3_prepare_v2(s, "SELECT count(*) FROM stix_objects WHERE type = 'report'", -1, &st, NULL);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    CHECK_EQ_INT(sqlite3_column_int(st, 0), 40);
    sqlite3_finalize(st);
    sqlite3_close(s);
}

/* A reader's snapshot (the server wraps each request in one): inside it, a key revoked by
 * another connection still authenticates and data_version holds; after it, both see the
 * commit. read_end with no snapshot open is harmless, and a snapshot never outlives read_end. */
/* A fresh node FILE in the test directory with a writer connection and a private reader
 * connection (a server thread's), and a peer key "kor" of KOR added by the writer. */
static void open_pair(const char *file, cw_node **w, cw_node **r, char **k)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", cw_test_tmpdir(), file);
    REQUIRE(cw_node_init(path, "USA", NULL) == 0);
    *w = *r = NULL;
    REQUIRE(cw_node_open(w, path) == 0);
    REQUIRE(cw_node_open_ex(r, path, CW_SQL_PRIVATE) == 0);
    *k = NULL;
    REQUIRE(cw_keys_add(*w, "kor", "KOR", CW_ROLE_PEER, k) == 0);
}

static void test_read_snapshot(void)
{
    cw_node *w, *r;
    char *k;
    open_pair("snap.db", &w, &r, &k);
    cw_principal p;
    int64_t v0 = 0, v1 = 0;
    REQUIRE(cw_node_read_begin(r) == 0);
    CHECK(!sqlite3_get_autocommit(cw_node_sqlite(r)));
    CHECK_EQ_INT(cw_keys_authenticate(r, k, &p), 0);
    CHECK_EQ_INT(cw_node_data_version(r, &v0), 0);
    REQUIRE(cw_keys_revoke(w, "kor") == 0);
    CHECK_EQ_INT(cw_keys_authenticate(r, k, &p), 0); /* the snapshot */
    CHECK_EQ_INT(cw_node_data_version(r, &v1), 0);
    CHECK(v1 == v0);
    cw_node_read_end(r);
    CHECK(sqlite3_get_autocommit(cw_node_sqlite(r)));
    CHECK_EQ_INT(cw_keys_authenticate(r, k, &p), CW_EPERM); /* now sees the revocation */
    CHECK(strstr(cw_error_last(), "revoked") != NULL);
    CHECK_EQ_INT(cw_node_data_version(r, &v1), 0);
    CHECK(v1 != v0);
    cw_node_read_end(r); /* none open: a no-op */
    CHECK(sqlite3_get_autocommit(cw_node_sqlite(r)));
    REQUIRE(cw_node_read_begin(r) == 0); /* and a new one can start */
    cw_node_read_end(r);
    free(k);
    cw_node_close(r);
    cw_node_close(w);
}

/* Counts the statements a connection runs that read table api_keys or the publish mark. */
static int n_auth_sql, n_pub_sql;
static int count_sql(unsigned type, void *ctx, void *p, void *x)
{
    (void)type;
    (void)ctx;
    (void)x;
    const char *sql = sqlite3_sql((sqlite3_stmt *)p);
    if (sql && strstr(sql, "FROM api_keys WHERE hash"))
        n_auth_sql++;
    if (sql && strstr(sql, "published_alert_id"))
        n_pub_sql++;
    return 0;
}

/* Inside read snapshots, authentication and the publish check remember their answers while
 * the database is unchanged (same data_version, no write of the connection's own), so a
 * request costs no SQL for them; any commit, by another connection or by this one, makes the
 * next snapshot ask again: a revocation, a new key or a new alert is seen at once. */
static void test_auth_memo(void)
{
    cw_node *w, *r;
    char *k;
    open_pair("memo.db", &w, &r, &k);
    sqlite3_trace_v2(cw_node_sqlite(r), SQLITE_TRACE_STMT, count_sql, NULL);
    char *k2 = NULL;
    cw_principal p;
    /* three requests under one unchanged database: one lookup of each */
    n_auth_sql = n_pub_sql = 0;
    for (int i = 0; i < 3; i++) {
        REQUIRE(cw_node_read_begin(r) == 0);
        memset(&p, 0x55, sizeof p);
        CHECK_EQ_INT(cw_keys_authenticate(r, k, &p), 0);
        CHECK_EQ_STR(p.name, "kor");
        CHECK_EQ_STR(p.org, "KOR");
        CHECK_EQ_INT(p.role, CW_ROLE_PEER);
        CHECK_EQ_INT(cw_keys_authenticate(r, "cw_not-a-key", &p), CW_EPERM);
        CHECK_EQ_STR(cw_error_last(), "unknown API key");
        CHECK_EQ_INT(cw_share_publish_needed(r), 0);
        cw_node_read_end(r);
    }
    CHECK_EQ_INT(n_auth_sql, 2); /* kor, and the unknown key */
    CHECK_EQ_INT(n_pub_sql, 1);
    /* another connection revokes and raises an alert: the next snapshot sees both */
    REQUIRE(cw_keys_revoke(w, "kor") == 0);
    cw_alert_input in;
    memset(&in, 0, sizeof in);
    in.kind = "sanctioned-address-active";
    in.title = "t";
    in.tlp = CW_TLP_GREEN;
    REQUIRE(cw_alert_emit(cw_node_alerts(w), &in, NULL, NULL) == 0);
    REQUIRE(cw_node_read_begin(r) == 0);
    CHECK_EQ_INT(cw_keys_authenticate(r, k, &p), CW_EPERM);
    CHECK(strstr(cw_error_last(), "revoked API key of 'kor'") != NULL);
    CHECK_EQ_INT(cw_keys_authenticate(r, k, &p), CW_EPERM); /* remembered, same message */
    CHECK(strstr(cw_error_last(), "revoked API key of 'kor'") != NULL);
    CHECK_EQ_INT(cw_share_publish_needed(r), 1);
    cw_node_read_end(r);
    /* this connection's own write (data_version does not change for those): asked again */
    REQUIRE(cw_keys_add(w, "jpn", "JPN", CW_ROLE_PEER, &k2) == 0);
    REQUIRE(cw_node_read_begin(r) == 0);
    CHECK_EQ_INT(cw_keys_authenticate(r, k2, &p), 0);
    CHECK_EQ_STR(p.name, "jpn");
    cw_node_read_end(r);
    REQUIRE(cw_keys_revoke(r, "jpn") == 0);
    REQUIRE(cw_node_read_begin(r) == 0);
    CHECK_EQ_INT(cw_keys_authenticate(r, k2, &p), CW_EPERM);
    CHECK(strstr(cw_error_last(), "revoked API key of 'jpn'") != NULL);
    cw_node_read_end(r);
    /* outside a snapshot nothing is remembered: every call asks */
    n_auth_sql = 0;
    CHECK_EQ_INT(cw_keys_authenticate(r, k2, &p), CW_EPERM);
    CHECK_EQ_INT(cw_keys_authenticate(r, k2, &p), CW_EPERM);
    CHECK_EQ_INT(n_auth_sql, 2);
    free(k);
    free(k2);
    cw_node_close(r);
    cw_node_close(w);
}

/* The last raw key's hash is remembered per connection (cw_keys_authenticate): a key that
 * differs from it in one byte anywhere, or is a prefix or an extension of it, is still
 * refused when presented right after it, and the remembered hash still meets a revocation. */
static void test_key_hash_cache(void)
{
    cw_node *w, *r;
    char *k;
    open_pair("keycache.db", &w, &r, &k);
    char *k2 = NULL;
    REQUIRE(cw_keys_add(w, "jpn", "JPN", CW_ROLE_PEER, &k2) == 0);
    size_t len = strlen(k);
    REQUIRE(len > 8 && len < 250);
    cw_principal p;
    char bad[300];
    size_t at[3] = {0, len / 2, len - 1};
    for (int i = 0; i < 3; i++) {
        CHECK_EQ_INT(cw_keys_authenticate(r, k, &p), 0);
        memcpy(bad, k, len + 1);
        bad[at[i]] = bad[at[i]] == 'A' ? 'B' : 'A'; /* the same length, one byte apart */
        CHECK_EQ_INT(cw_keys_authenticate(r, bad, &p), CW_EPERM);
        CHECK_EQ_STR(cw_error_last(), "unknown API key");
    }
    CHECK_EQ_INT(cw_keys_authenticate(r, k, &p), 0);
    snprintf(bad, sizeof bad, "%.*s", (int)(len - 1), k); /* a prefix */
    CHECK_EQ_INT(cw_keys_authenticate(r, bad, &p), CW_EPERM);
    CHECK_EQ_INT(cw_keys_authenticate(r, k, &p), 0);
    snprintf(bad, sizeof bad, "%sA", k); /* an extension */
    CHECK_EQ_INT(cw_keys_authenticate(r, bad, &p), CW_EPERM);
    /* two valid keys in turn: each gets its own principal */
    for (int i = 0; i < 2; i++) {
        CHECK_EQ_INT(cw_keys_authenticate(r, k, &p), 0);
        CHECK_EQ_STR(p.name, "kor");
        CHECK_EQ_INT(cw_keys_authenticate(r, k2, &p), 0);
        CHECK_EQ_STR(p.name, "jpn");
    }
    /* the remembered hash is the stored one: a revocation by the other connection holds */
    CHECK_EQ_INT(cw_keys_authenticate(r, k, &p), 0);
    REQUIRE(cw_keys_revoke(w, "kor") == 0);
    CHECK_EQ_INT(cw_keys_authenticate(r, k, &p), CW_EPERM);
    CHECK(strstr(cw_error_last(), "revoked API key of 'kor'") != NULL);
    free(k);
    free(k2);
    cw_node_close(r);
    cw_node_close(w);
}

int main(void)
{
    RUN(test_ed25519_rfc8032);
    RUN(test_sign_canonical);
    RUN(test_stix_sign_verify);
    RUN(test_stix_builders);
    RUN(test_keys_and_tlp);
    RUN(test_audit_chain);
    RUN(test_publish_and_paging);
    RUN(test_share_migration_upgrade);
    RUN(test_concurrent_publish);
    RUN(test_read_snapshot);
    RUN(test_auth_memo);
    RUN(test_key_hash_cache);
    return cw_test_done();
}
