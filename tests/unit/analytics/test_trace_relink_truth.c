/*
 * test_trace_relink_truth.c: re-linking (docs/TRACE-MODELS.md, "Re-linking") against a
 * generated world's ground truth. Generates 60,000 txs of data/scenarios/mixed-heists.json
 * (seed 1: a peel-chain heist, a heist through Wasabi 2, Whirlpool, Wasabi 1 and JoinMarket,
 * and one through Whirlpool remixes with its toxic change co-spent with post-mix coins),
 * ingests it and imports the investigator's labels from truth/addresses.csv (every address but
 * users' and the thieves', as scripts/eval_btc.py does). For each heist, forward FIFO from its
 * stolen outputs under the defaults:
 *  - with the labels and the CLI's stops (exchange, exchange_deposit): every re-linked output
 *    is paid to an address of that heist's thief; the Whirlpool heist has re-links (>= 10);
 *  - without labels, and with labels but no stop: nothing is re-linked (the trace goes on past
 *    the cash-outs, where the first pass's anchors are the exchanges' customers' coins), the
 *    result is the --relink off one, and the JSON says why;
 *  - re-linking restarted at the first tx the re-links change = replayed from the sources
 *    (ends, statistics, JSON), ranked and proportional;
 *  - the same without the guard (CW_TRACE__UNSTOPPED): the re-linked outputs and how many of
 *    them the truth gives to users are printed (the reason for the guard; the anchors'
 *    lineage rule keeps them few: 10, 10 and 3 users' outputs, 286, 108 and 21 without it),
 *    and the thief's re-links are still found on the Whirlpool heist (>= 10).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/analytics/trace_int.h"
#include "chainwatch/btc/ingest.h"
#include "chainwatch/btc/query.h"
#include "chainwatch/btc/store.h"
#include "chainwatch/errors.h"
#include "chainwatch/gen.h"
#include "chainwatch/labels.h"
#include "chainwatch/trace.h"
#include "chainwatch/util.h"
#include "gen_world.h"
#include "harness.h"

static cw_chainstore *cs;
static cw_trace_labelmap *lm;
static json_t *heists;
/* Each heist's stolen outputs as trace sources and its thief's entity, resolved once. */
typedef struct heist {
    const char *name;
    uint64_t src[64];
    size_t n;
    long long thief;
} heist;
static heist hs[16];
static size_t n_hs;
static json_t *owner; /* address -> "entity_id,category" from truth/addresses.csv */

static int load_owners(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    owner = json_object();
    char line[512];
    while (fgets(line, sizeof line, f)) {
        /* address,script_type,entity_id,entity_name,category,customer_id */
        char *field[6] = {0};
        size_t n = 0;
        for (char *p = line; n < 6 && p;) {
            field[n++] = p;
            p = strchr(p, ',');
            if (p)
                *p++ = 0;
        }
        if (n < 5 || (strcmp(field[4], "thief") != 0 && strcmp(field[4], "user") != 0))
            continue;
        char v[128];
        snprintf(v, sizeof v, "%s,%s", field[2], field[4]);
        json_object_set_new(owner, field[0], json_string(v));
    }
    fclose(f);
    return 0;
}

/* Resolves heist h of truth/heists.json: its stolen outputs as trace sources and its thief's
 * entity; false (with the reason printed) when none of its outputs is found. */
static bool resolve_heist(json_t *h, heist *out)
{
    size_t i;
    json_t *v;
    out->name = json_string_value(json_object_get(h, "name"));
    out->thief = json_integer_value(json_object_get(h, "thief_entity"));
    out->n = 0;
    json_array_foreach(json_object_get(h, "stolen_outputs"), i, v)
    {
        cw_trace_sources s = {0};
        if (out->n < sizeof out->src / sizeof out->src[0] &&
            cw_trace_sources_add(&s, cs, NULL, json_string_value(json_object_get(v, "outpoint")),
                                 UINT32_MAX) == 0 &&
            s.n == 1)
            out->src[out->n++] = s.outs[0];
        cw_trace_sources_deinit(&s);
    }
    if (out->n == 0)
        fprintf(stderr, "heist %s: no stolen output found in the store\n",
                out->name ? out->name : "?");
    return out->n > 0;
}

/* Re-linked outputs of t: how many, and how many paid to the thief (entity thief_id) and to
 * users by the truth. */
static void count_links(const cw_trace *t, long long thief_id, size_t *n, size_t *thief,
                        size_t *users)
{
    *n = *thief = *users = 0;
    for (uint64_t j = 0; t->links && j <= t->link_mask; j++) {
        if (!t->links[j].key)
            continue;
        const cw_row_out *o = cw_chainstore_out(cs, t->links[j].key - 1);
        char a[128] = "";
        if (o->addr != CW_NONE32)
            cw_query_addr_string(a, cs, o->addr);
        const char *who = json_string_value(json_object_get(owner, a));
        (*n)++;
        if (who && atoll(who) == thief_id && strstr(who, ",thief"))
            (*thief)++;
        else if (who && strstr(who, ",user"))
            (*users)++;
    }
}

/* The JSON without its timings (and without probable.relinked, present with --relink on only,
 * when without_relinked). */
static char *json_text(const cw_trace *t, bool without_relinked)
{
    json_t *j = cw_trace_json(t, 100000, 100000000);
    if (!j)
        return NULL;
    json_object_del(json_object_get(j, "stats"), "seconds");
    json_object_del(j, "seconds");
    if (without_relinked)
        json_object_del(json_object_get(j, "probable"), "relinked");
    char *txt = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    return txt;
}

/* The defaults with the CLI's stops when --labels is given. */
static void cli_opts(cw_trace_opts *o)
{
    cw_trace_opts_init(o);
    o->stop[0] = "exchange";
    o->stop[1] = "exchange_deposit";
    o->n_stop = 2;
}

static void test_relinks_are_the_thiefs(void)
{
    size_t total = 0;
    for (size_t i = 0; i < n_hs; i++) {
        const uint64_t *src = hs[i].src;
        size_t n = hs[i].n;
        cw_trace_opts o;
        cli_opts(&o);
        REQUIRE(cw_trace_relink_guarded(lm, &o));
        cw_trace *t = NULL;
        REQUIRE(cw_trace_run(&t, cs, lm, src, n, &o) == 0);
        size_t k, th, us;
        count_links(t, hs[i].thief, &k, &th, &us);
        printf("  %s, labels and stops: %zu re-linked outputs, %zu the thief's, %zu users'\n",
               hs[i].name, k, th, us);
        CHECK_EQ_INT(th, k);
        CHECK_EQ_INT(cw_trace_stats_get(t)->relinked, k);
        total += k;
        cw_trace_free(t);
    }
    CHECK(total >= 10);
}

static void test_no_stop_no_relink(void)
{
    size_t unguarded_thief = 0, unguarded_users = 0;
    for (size_t i = 0; i < n_hs; i++) {
        const uint64_t *src = hs[i].src;
        size_t n = hs[i].n;
        for (int with_labels = 0; with_labels < 2; with_labels++) {
            const cw_trace_labelmap *l = with_labels ? lm : NULL;
            cw_trace_opts o;
            cw_trace_opts_init(&o); /* no stop */
            CHECK(!cw_trace_relink_guarded(l, &o));
            cw_trace *on = NULL, *off = NULL, *raw = NULL;
            REQUIRE(cw_trace_run(&on, cs, l, src, n, &o) == 0);
            CHECK_EQ_INT(cw_trace_stats_get(on)->relinked, 0);
            json_t *j = cw_trace_json(on, 10, 10);
            REQUIRE(j);
            CHECK(json_object_get(json_object_get(json_object_get(j, "probable"), "relinked"),
                                  "off") != NULL);
            json_decref(j);
            o.relink = false;
            REQUIRE(cw_trace_run(&off, cs, l, src, n, &o) == 0);
            char *a = json_text(on, true), *b = json_text(off, true);
            REQUIRE(a && b);
            CHECK(strcmp(a, b) == 0);
            free(a);
            free(b);
            /* without the guard: what the re-links would have named */
            o.relink = true;
            REQUIRE(cw_trace__run(&raw, cs, l, src, n, &o, CW_TRACE__UNSTOPPED) == 0);
            size_t k, th, us;
            count_links(raw, hs[i].thief, &k, &th, &us);
            printf("  %s, %s, no stop, unguarded: %zu re-linked outputs, %zu the thief's, %zu "
                   "users'\n",
                   hs[i].name, with_labels ? "labels" : "no labels", k, th, us);
            unguarded_thief += th;
            unguarded_users += us;
            cw_trace_free(on);
            cw_trace_free(off);
            cw_trace_free(raw);
        }
    }
    /* the lineage rule: the thief's remix re-links stay, customers' coins past the
     * cash-outs mostly do not (10, 10 and 3 users' outputs on this world) */
    CHECK(unguarded_thief >= 10);
    CHECK(unguarded_users <= unguarded_thief);
}

/* The second pass restarted at the first tx the re-links change gives the same result (ends,
 * statistics, JSON) as the second pass replayed from the sources, ranked and proportional, on
 * every heist (labels and stops). */
static void test_relink_incremental(void)
{
    size_t rounds = 0;
    for (size_t i = 0; i < n_hs; i++) {
        const uint64_t *src = hs[i].src;
        size_t n = hs[i].n;
        const cw_trace_coinjoin pol[2] = {CW_CJ_RANK, CW_CJ_PROPORTIONAL};
        for (int p = 0; p < 2; p++) {
            cw_trace_opts o;
            cli_opts(&o);
            o.coinjoin = pol[p];
            cw_trace *a = NULL, *b = NULL;
            REQUIRE(cw_trace__run(&a, cs, lm, src, n, &o, 0) == 0);
            REQUIRE(cw_trace__run(&b, cs, lm, src, n, &o, CW_TRACE__REPLAY) == 0);
            printf("  %s re-linking (%s): %llu outputs in %llu rounds, restart at tx record %zu "
                   "of %zu\n",
                   hs[i].name, p ? "proportional" : "rank",
                   (unsigned long long)cw_trace_stats_get(a)->relinked, (unsigned long long)a->n_lr,
                   a->relink_restart, b->n_txr);
            if (a->n_lr) {
                rounds += a->n_lr;
                CHECK(a->relink_restart > 0);
            }
            CHECK_EQ_INT(cw_trace_stats_get(a)->relinked, cw_trace_stats_get(b)->relinked);
            REQUIRE(cw_trace_n_ends(a) == cw_trace_n_ends(b));
            size_t bad = 0;
            for (size_t k = 0; k < cw_trace_n_ends(a); k++) {
                const cw_trace_end *x = cw_trace_end_at(a, k), *y = cw_trace_end_at(b, k);
                bad += !(x->kind == y->kind && x->out == y->out && x->tx == y->tx &&
                         x->addr == y->addr && x->amount == y->amount && x->hop == y->hop &&
                         x->node == y->node && x->probable == y->probable && x->rule == y->rule);
            }
            CHECK_EQ_INT(bad, 0);
            char *ja = json_text(a, false), *jb = json_text(b, false);
            REQUIRE(ja && jb);
            CHECK(strcmp(ja, jb) == 0);
            free(ja);
            free(jb);
            cw_trace_free(a);
            cw_trace_free(b);
        }
    }
    CHECK(rounds >= 4); /* several re-linked rounds */
}

int main(void)
{
    const char *src = getenv("CW_SOURCE_DIR");
    if (!src)
        cw_test_skip("CW_SOURCE_DIR is not set");
    char dir[1024], scen[1200], truth[1100], db[1100], hj[1100];
    snprintf(dir, sizeof dir, "%s/world", cw_test_tmpdir());
    snprintf(scen, sizeof scen, "%s/data/scenarios/mixed-heists.json", src);
    snprintf(truth, sizeof truth, "%s/truth/addresses.csv", dir);
    snprintf(db, sizeof db, "%s/labels.db", dir);
    snprintf(hj, sizeof hj, "%s/truth/heists.json", dir);
    cw_gen_scenario *sc = NULL;
    if (cw_gen_scenario_load(&sc, scen)) {
        fprintf(stderr, "%s: %s\n", scen, cw_error_last());
        return 1;
    }
    cw_gen_stats gs;
    int rc = gen_world(dir, 60000, 1, sc, &gs, &cs);
    cw_gen_scenario_free(sc);
    if (rc)
        return 1;
    cw_labels *ldb = NULL;
    cw_label_import_stats ls;
    cw_label_import_opts lo = {.exclude_categories = "individual,theft"};
    if (cw_labels_open(&ldb, db, 0) ||
        cw_labels_import(ldb, CW_IMPORT_GEN_TRUTH, truth, &lo, &ls) ||
        cw_trace_labelmap_new(&lm, cs, ldb) || load_owners(truth)) {
        fprintf(stderr, "labels: %s\n", cw_error_last());
        return 1;
    }
    cw_labels_close(ldb);
    json_error_t je;
    heists = json_load_file(hj, 0, &je);
    if (!heists || !json_array_size(heists)) {
        fprintf(stderr, "%s: %s\n", hj, je.text);
        return 1;
    }
    size_t hi;
    json_t *h;
    json_array_foreach(heists, hi, h)
    {
        if (n_hs == sizeof hs / sizeof hs[0] || !resolve_heist(h, &hs[n_hs++])) {
            fprintf(stderr, "%s: more than %zu heists, or one without its outputs\n", hj,
                    sizeof hs / sizeof hs[0]);
            return 1;
        }
    }
    printf("world: %llu txs, %zu labels in the store, %zu heists\n", (unsigned long long)gs.txs,
           cw_trace_labelmap_count(lm), json_array_size(heists));
    RUN(test_relinks_are_the_thiefs);
    RUN(test_no_stop_no_relink);
    RUN(test_relink_incremental);
    json_decref(heists);
    json_decref(owner);
    cw_trace_labelmap_free(lm);
    cw_chainstore_close(cs);
    return cw_test_done();
}
