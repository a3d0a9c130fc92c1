/* test_findings.c: regression tests for the findings of the sharing-node probe (issue 15) that
 * live in the share engine, each reproduced as described and shown fixed:
 *  H1  an alert whose evidence holds an address STIX cannot carry (bitcoincash:q..., "", a
 *      number) no longer stops publishing: it is skipped, recorded and retryable;
 *  M2  granular markings: a CLEAR object with a RED part is governed by RED;
 *  M3  audit entries with invalid UTF-8 are listed (escaped), not dropped;
 *  M4  amounts travel as strings, no signed integer beyond 2^53;
 *  L   a wallet re-marked by a second alert for another audience leaves no dangling reference;
 *  L   truncating the audit log and rewriting its head is caught by a signed checkpoint kept
 *      outside the database. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/share.h"
#include "harness.h"

static int exec_sql(const char *path, const char *sql)
{
    sqlite3 *s = NULL;
    if (sqlite3_open(path, &s) != SQLITE_OK)
        return -1;
    int rc = sqlite3_exec(s, sql, NULL, NULL, NULL);
    sqlite3_close(s);
    return rc;
}

static cw_node *new_node(const char *file, const char *name)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", cw_test_tmpdir(), file);
    if (cw_node_init(path, name, NULL) != 0)
        return NULL;
    cw_node *n = NULL;
    return cw_node_open(&n, path) ? NULL : n;
}

static int64_t emit(cw_node *n, const char *evidence, cw_tlp tlp, const char *share_to)
{
    cw_alert_input in;
    memset(&in, 0, sizeof in);
    in.kind = "sanctioned-address-active";
    in.title = "t";
    in.evidence = evidence;
    in.tlp = tlp;
    in.share_to = share_to;
    int64_t id = 0;
    return cw_alert_emit(cw_node_alerts(n), &in, &id, NULL) ? -1 : id;
}

/* Every object `who` may read, as one array. */
static json_t *visible(cw_node *n, const cw_principal *who)
{
    cw_taxii_query q;
    memset(&q, 0, sizeof q);
    q.limit = 1000;
    q.match_version = "all";
    cw_taxii_page pg;
    if (cw_taxii_collection_query(n, who, &q, false, &pg))
        return NULL;
    return pg.objects;
}

static void test_h1_unstixable_alert_is_skipped(void)
{
    cw_node *n = new_node("h1.db", "USA");
    REQUIRE(n);
    int64_t bad1 =
        emit(n, "{\"addresses\":[\"bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a\"]}",
             CW_TLP_GREEN, NULL);
    int64_t bad2 = emit(n, "{\"addresses\":[\"\"]}", CW_TLP_GREEN, NULL);
    int64_t bad3 = emit(n, "{\"addresses\":[12345]}", CW_TLP_GREEN, NULL);
    int64_t good =
        emit(n, "{\"addresses\":[\"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa\"]}", CW_TLP_GREEN, NULL);
    REQUIRE(bad1 > 0 && bad2 > 0 && bad3 > 0 && good > 0);
    /* Before the fix the first bad alert made this fail, and every later call too. */
    int added = -1;
    CHECK_EQ_INT(cw_share_publish_pending(n, &added), 0);
    CHECK_EQ_INT(added, 5); /* the good alert: wallet, indicator, observed-data, sighting, report */
    CHECK_EQ_INT(cw_share_publish_pending(n, &added), 0);
    CHECK_EQ_INT(added, 0);
    json_t *sk = NULL;
    REQUIRE(cw_share_publish_skipped(n, &sk) == 0);
    CHECK_EQ_INT(json_array_size(sk), 3);
    CHECK_EQ_INT(json_integer_value(json_object_get(json_array_get(sk, 0), "alert_id")), bad1);
    const char *why = json_string_value(json_object_get(json_array_get(sk, 0), "reason"));
    CHECK(why && strstr(why, "evidence.addresses[0]") && strstr(why, "bitcoincash"));
    json_decref(sk);
    json_t *log = NULL;
    REQUIRE(cw_audit_list(n, 0, "publish.skip", &log) == 0);
    CHECK_EQ_INT(json_array_size(log), 3);
    json_decref(log);
    /* A retry that still cannot publish keeps the alert in the list. */
    int pub = -1, still = -1;
    CHECK_EQ_INT(cw_share_publish_retry(n, bad2, &pub, &still), 0);
    CHECK_EQ_INT(pub, 0);
    CHECK_EQ_INT(still, 1);
    /* Once the evidence can become STIX (here repaired in the database), the retry publishes
     * it and it leaves the list. */
    char path[600];
    snprintf(path, sizeof path, "%s/h1.db", cw_test_tmpdir());
    char sql[256];
    snprintf(
        sql, sizeof sql,
        "UPDATE alerts SET evidence = '{\"addresses\":[\"3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy\"]}' "
        "WHERE id = %lld",
        (long long)bad2);
    REQUIRE(exec_sql(path, sql) == SQLITE_OK);
    CHECK_EQ_INT(cw_share_publish_retry(n, 0, &pub, &still), 0);
    CHECK_EQ_INT(pub, 1);
    CHECK_EQ_INT(still, 2);
    REQUIRE(cw_share_publish_skipped(n, &sk) == 0);
    CHECK_EQ_INT(json_array_size(sk), 2);
    json_decref(sk);
    cw_principal local = {"alice", "USA", CW_ROLE_READER};
    json_t *all = visible(n, &local);
    size_t i;
    json_t *o;
    int wallets = 0;
    json_array_foreach(all, i, o)
    {
        const char *addr = json_string_value(json_object_get(o, "address"));
        if (addr && !strcmp(addr, "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"))
            wallets++;
    }
    CHECK_EQ_INT(wallets, 1);
    json_decref(all);
    CHECK_EQ_INT(cw_audit_verify(n, NULL, NULL), 0);
    cw_node_close(n);
}

static void test_m4_amounts_as_strings(void)
{
    cw_node *n = new_node("m4.db", "USA");
    REQUIRE(n);
    /* 10^20 wei does not fit jansson's integers; 2^53+1 does and is the probe's case. */
    REQUIRE(emit(n,
                 "{\"addresses\":[\"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa\"],\"value_wei\":"
                 "9007199254740993,\"value_sat\":5000,\"hops\":[{\"value\":7}],\"count\":3}",
                 CW_TLP_GREEN, NULL) > 0);
    REQUIRE(cw_share_publish_pending(n, NULL) == 0);
    cw_principal local = {"alice", "USA", CW_ROLE_READER};
    json_t *all = visible(n, &local);
    json_t *ev = NULL;
    size_t i;
    json_t *o;
    json_array_foreach(all, i, o)
    {
        if (!strcmp(json_string_value(json_object_get(o, "type")), "report"))
            ev = json_object_get(
                json_object_get(json_object_get(o, "extensions"), CW_STIX_EXT_ALERT), "evidence");
        if (json_object_get(o, "extensions") &&
            json_object_get(json_object_get(o, "extensions"), CW_STIX_EXT_SIGNATURE))
            CHECK_EQ_INT(cw_stix_verify(o, cw_node_public_key(n)), 0);
    }
    REQUIRE(ev);
    CHECK_EQ_STR(json_string_value(json_object_get(ev, "value_wei")), "9007199254740993");
    CHECK_EQ_STR(json_string_value(json_object_get(ev, "value_sat")), "5000");
    CHECK_EQ_STR(
        json_string_value(json_object_get(json_array_get(json_object_get(ev, "hops"), 0), "value")),
        "7");
    CHECK(json_is_integer(json_object_get(ev, "count"))); /* not an amount: stays a number */
    json_decref(all);
    cw_node_close(n);
}

static void test_m2_granular_markings(void)
{
    static const char *const clear = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487";
    static const char *const red = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";
    static const char *const green = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
    json_t *o =
        json_pack("{s:s, s:[s], s:[{s:s, s:[s]}]}", "type", "indicator", "object_marking_refs",
                  clear, "granular_markings", "marking_ref", red, "selectors", "description");
    cw_tlp t = CW_TLP_CLEAR;
    CHECK_EQ_INT(cw_stix_effective_tlp(o, &t), 0);
    CHECK_EQ_INT(t, CW_TLP_RED);
    json_decref(o);
    o = json_pack("{s:s, s:[{s:s, s:[s]}]}", "type", "indicator", "granular_markings",
                  "marking_ref", green, "selectors", "name");
    CHECK_EQ_INT(cw_stix_effective_tlp(o, &t), 0);
    CHECK_EQ_INT(t, CW_TLP_GREEN);
    json_decref(o);
    o = json_pack("{s:s}", "type", "indicator");
    CHECK_EQ_INT(cw_stix_effective_tlp(o, &t), CW_ENOTFOUND);
    json_decref(o);
}

/* Every reference (*_ref, *_refs) in an object `who` can read that names an object of the
 * collection must name one `who` can read too. */
static int dangling(cw_node *n, const cw_principal *who)
{
    cw_principal local = {"alice", "USA", CW_ROLE_READER};
    json_t *all = visible(n, &local), *mine = visible(n, who);
    json_t *seen_all = json_object(), *seen = json_object();
    size_t i;
    json_t *o;
    json_array_foreach(all, i, o)
        json_object_set(seen_all, json_string_value(json_object_get(o, "id")), json_true());
    json_array_foreach(mine, i, o)
        json_object_set(seen, json_string_value(json_object_get(o, "id")), json_true());
    int bad = 0;
    json_array_foreach(mine, i, o)
    {
        const char *k;
        json_t *v;
        json_object_foreach(o, k, v)
        {
            size_t kl = strlen(k);
            if (kl < 4 || (strcmp(k + kl - 4, "_ref") && (kl < 5 || strcmp(k + kl - 5, "_refs"))))
                continue;
            json_t *list = json_is_array(v) ? json_incref(v) : json_pack("[O]", v);
            size_t j;
            json_t *r;
            json_array_foreach(list, j, r)
            {
                const char *id = json_string_value(r);
                if (id && json_object_get(seen_all, id) && !json_object_get(seen, id))
                    bad++;
            }
            json_decref(list);
        }
    }
    json_decref(all);
    json_decref(mine);
    json_decref(seen_all);
    json_decref(seen);
    return bad;
}

static void test_remarking_leaves_no_dangling_refs(void)
{
    cw_node *n = new_node("remark.db", "USA");
    REQUIRE(n);
    const char *ev = "{\"addresses\":[\"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa\"]}";
    /* The same wallet in alerts for two audiences, most restrictive first. */
    REQUIRE(emit(n, ev, CW_TLP_AMBER_STRICT, "JPN") > 0);
    REQUIRE(emit(n, ev, CW_TLP_AMBER, "KOR") > 0);
    REQUIRE(emit(n, ev, CW_TLP_RED, NULL) > 0);
    REQUIRE(cw_share_publish_pending(n, NULL) == 0);
    cw_principal kor = {"kor", "KOR", CW_ROLE_PEER}, jpn = {"jpn", "JPN", CW_ROLE_PEER};
    cw_principal twn = {"twn", "TWN", CW_ROLE_PEER};
    CHECK_EQ_INT(dangling(n, &jpn), 0); /* before the fix: JPN lost the wallet to KOR's AMBER */
    CHECK_EQ_INT(dangling(n, &kor), 0);
    CHECK_EQ_INT(dangling(n, &twn), 0);
    /* The wallet is served once, marked AMBER (two organisations), its signature valid. */
    json_t *mine = visible(n, &jpn);
    size_t i;
    json_t *o;
    int wallets = 0;
    json_array_foreach(mine, i, o)
    {
        if (strcmp(json_string_value(json_object_get(o, "type")), "cryptocurrency-wallet"))
            continue;
        wallets++;
        CHECK_EQ_STR(
            json_string_value(json_array_get(json_object_get(o, "object_marking_refs"), 0)),
            cw_stix_tlp_marking_id(CW_TLP_AMBER));
        CHECK_EQ_INT(cw_stix_verify(o, cw_node_public_key(n)), 0);
    }
    CHECK_EQ_INT(wallets, 1);
    json_decref(mine);
    /* A third party sees neither the wallet nor anything that references it. */
    json_t *other = visible(n, &twn);
    int leaked = 0;
    json_array_foreach(other, i, o) if (json_object_get(o, "address")) leaked++;
    CHECK_EQ_INT(leaked, 0);
    json_decref(other);
    cw_node_close(n);
}

static void test_m3_listing_any_bytes(void)
{
    cw_node *n = new_node("m3.db", "USA");
    REQUIRE(n);
    REQUIRE(cw_audit_append(n, "x", "http.read", "GET /api/v1/\xff\xfe\x01zz\nforged 200", "200",
                            "") == 0);
    json_t *l = NULL;
    REQUIRE(cw_audit_list(n, 0, "http.read", &l) == 0);
    CHECK_EQ_INT(json_array_size(l), 1); /* before the fix: 0, the entry vanished */
    const char *t = json_string_value(json_object_get(json_array_get(l, 0), "target"));
    CHECK_EQ_STR(t, "GET /api/v1/\\xff\\xfe\x01zz\nforged 200");
    json_decref(l);
    CHECK_EQ_INT(cw_audit_verify(n, NULL, NULL), 0); /* the stored bytes are unchanged */
    cw_node_close(n);
}

static void test_truncation_caught_by_checkpoint(void)
{
    char path[600], cps[640];
    snprintf(path, sizeof path, "%s/cp.db", cw_test_tmpdir());
    snprintf(cps, sizeof cps, "%s/cp.db.checkpoints", cw_test_tmpdir());
    REQUIRE(cw_node_init(path, "USA", NULL) == 0);
    cw_node *n = NULL;
    REQUIRE(cw_node_open(&n, path) == 0);
    cw_audit_entry e[6];
    for (int i = 0; i < 6; i++)
        e[i] = (cw_audit_entry){"alice", "http.read", "GET /x", "200", "", 0};
    REQUIRE(cw_audit_append_batch(n, e, 6) == 0); /* entries 2..7 in one transaction */
    int64_t count = 0;
    REQUIRE(cw_audit_verify(n, &count, NULL) == 0);
    CHECK_EQ_INT(count, 7);
    json_t *cp = NULL;
    REQUIRE(cw_audit_checkpoint_append(n, cps, &cp) == 0);
    CHECK_EQ_INT(json_integer_value(json_object_get(cp, "seq")), 7);
    CHECK_EQ_INT(cw_audit_checkpoint_verify(cp, cw_node_public_key(n), NULL, NULL), 0);
    /* A forged checkpoint (another seq under the same signature) does not verify. */
    json_t *forged = json_deep_copy(cp);
    json_object_set_new(forged, "seq", json_integer(4));
    CHECK_EQ_INT(cw_audit_checkpoint_verify(forged, cw_node_public_key(n), NULL, NULL),
                 CW_ECORRUPT);
    json_decref(forged);
    CHECK_EQ_INT(cw_audit_verify_checkpoints(n, cps, &count), 0);
    CHECK_EQ_INT(count, 1);
    cw_node_close(n);
    /* The attack: drop the guard, delete the tail, point the head at the new last entry.
     * No node secret needed, and the chain alone still verifies. */
    char sql[512];
    snprintf(sql, sizeof sql,
             "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq > 4; "
             "UPDATE node SET v = '4' WHERE k = 'audit_head_seq'; "
             "UPDATE node SET v = (SELECT hash FROM audit WHERE seq = 4) WHERE k = "
             "'audit_head_hash';");
    REQUIRE(exec_sql(path, sql) == SQLITE_OK);
    REQUIRE(cw_node_open(&n, path) == 0);
    CHECK_EQ_INT(cw_audit_verify(n, &count, NULL), 0); /* the finding: undetected by the chain */
    CHECK_EQ_INT(count, 4);
    CHECK_EQ_INT(cw_audit_verify_checkpoints(n, cps, NULL), CW_ECORRUPT);
    CHECK(strstr(cw_error_last(), "truncated") != NULL);
    CHECK_EQ_INT(cw_audit_check_against(n, cp, cw_node_public_key(n)), CW_ECORRUPT);
    json_decref(cp);
    cw_node_close(n);
}

int main(void)
{
    RUN(test_h1_unstixable_alert_is_skipped);
    RUN(test_m4_amounts_as_strings);
    RUN(test_m2_granular_markings);
    RUN(test_remarking_leaves_no_dangling_refs);
    RUN(test_m3_listing_any_bytes);
    RUN(test_truncation_caught_by_checkpoint);
    return cw_test_done();
}
