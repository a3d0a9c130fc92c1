/*
 * cmd_cluster.c: `chainwatch cluster build|show|why`: address clusters
 * (src/chain/analytics/cluster.c, docs/CLUSTERING.md) from the command line.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "chainwatch/btc/query.h"
#include "chainwatch/cluster.h"
#include "chainwatch/errors.h"
#include "chainwatch/patterns.h"
#include "chainwatch/util.h"
#include "cli/store_opts.h"

extern const cw_command cw_cmd_cluster;

static void change_string(char *buf, size_t n, uint32_t change)
{
    size_t used = 0;
    snprintf(buf, n, "none");
    for (unsigned b = 0; b < CW_CHANGE_N; b++) {
        if (!(change & (1u << b)))
            continue;
        int w = snprintf(buf + used, n - used, "%s%s", used ? "," : "", cw_cluster_change_name(b));
        if (w < 0 || (size_t)w >= n - used)
            return;
        used += (size_t)w;
    }
}

static int do_build(const cw_store_opts *o, uint32_t change)
{
    cw_cluster_stats st;
    int rc = cw_cluster_build(o->store, change, &st);
    if (rc)
        return cw_cli_fail("cluster", rc);
    char ch[128];
    change_string(ch, sizeof ch, change);
    if (o->json)
        return cw_cli_print_json(json_pack(
            "{s:I, s:I, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:f, s:s, s:I, s:I, s:I}",
            "txs_before", (json_int_t)st.txs_before, "txs", (json_int_t)st.txs_after, "rebuilt",
            st.rebuilt, "addresses", (json_int_t)st.addrs, "clusters", (json_int_t)st.clusters,
            "merges", (json_int_t)st.merges, "multi_input_merges",
            (json_int_t)st.multi_input_merges, "change_merges", (json_int_t)st.change_merges,
            "coinjoin_skipped", (json_int_t)st.coinjoin_skipped, "probable_coinjoin_skipped",
            (json_int_t)st.probable_skipped, "largest_cluster", (json_int_t)st.largest, "change",
            ch, "seconds", st.seconds, "payjoin",
            change & CW_CLUSTER_UNITE_PAYJOIN ? "unite" : "withhold", "payjoin_withheld",
            (json_int_t)st.payjoin_withheld, "payjoin_united", (json_int_t)st.payjoin_united,
            "joint_funding_withheld", (json_int_t)st.joint_withheld));
    printf("cluster: %" PRIu64 " addresses in %" PRIu64 " clusters (largest %" PRIu64 "), %" PRIu64
           " txs covered (%" PRIu64 " new%s), change heuristics: %s\n"
           "  unions this build: %" PRIu64 " multi-input, %" PRIu64 " change; %" PRIu64
           " CoinJoin txs skipped (%" PRIu64 " of them probable CoinJoins), %" PRIu64
           " probable joint fundings (escrow deposit, dual-funded open, splice-in) withheld;"
           " %.2f s\n"
           "  probable PayJoins (rule " CW_CLUSTER_PAYJOIN_RULE "): %" PRIu64 " %s\n",
           st.addrs, st.clusters, st.largest, st.txs_after, st.txs_after - st.txs_before,
           st.rebuilt ? ", rebuilt" : "", ch, st.multi_input_merges, st.change_merges,
           st.coinjoin_skipped, st.probable_skipped, st.joint_withheld, st.seconds,
           change & CW_CLUSTER_UNITE_PAYJOIN ? st.payjoin_united : st.payjoin_withheld,
           change & CW_CLUSTER_UNITE_PAYJOIN ? "united (--payjoin unite)"
                                             : "contributed no union (--payjoin withhold)");
    return CW_EXIT_OK;
}

static int find_addr(const cw_chainstore *cs, const char *s, uint32_t *out)
{
    cw_addr_key k;
    uint64_t a;
    int rc = cw_addr_decode(&k, s, cw_chainstore_network(cs));
    if (rc)
        return rc;
    if (cw_chainstore_find_addr(cs, &k, &a))
        return cw_error_set(CW_ENOTFOUND, "address %s has no outputs in the store", s);
    *out = (uint32_t)a;
    return 0;
}

static int do_show(const cw_store_opts *o, const cw_chainstore *cs, const cw_clusters *cl)
{
    uint32_t a;
    int rc = find_addr(cs, o->args[1], &a);
    if (rc)
        return rc;
    uint32_t id = cw_clusters_of(cl, a);
    if (id == CW_NONE32)
        return cw_error_set(CW_ENOTFOUND,
                            "address %s is newer than the clusters (run "
                            "`chainwatch cluster build`)",
                            o->args[1]);
    uint64_t n;
    const uint32_t *mem = cw_clusters_members(cl, id, &n);
    /* totals: every output paid to a member (outlink chains) */
    cw_chainstore_counts c = cw_chainstore_counts_get(cs);
    uint64_t received = 0, unspent = 0, n_outs = 0;
    for (uint64_t i = 0; i < n; i++)
        for (uint64_t out = cw_chainstore_addr_last(cs, mem[i]); out != CW_NONE64;
             out = cw_chainstore_outlink(cs, out)) {
            const cw_row_out *r = cw_chainstore_out(cs, out);
            received += cw_out_value(r);
            n_outs++;
            if (r->spending_tx == CW_NONE32 || r->spending_tx >= c.txs)
                unspent += cw_out_value(r);
        }
    char s[CW_ADDR_STR_MAX], ch[128];
    change_string(ch, sizeof ch, cw_clusters_change(cl));
    if (o->json) {
        json_t *page = json_array();
        for (uint64_t i = o->offset; i < n && i < o->offset + o->limit; i++) {
            cw_query_addr_string(s, cs, mem[i]);
            json_array_append_new(page, json_string(s));
        }
        return cw_cli_print_json(json_pack(
            "{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:I, s:s, s:I}", "address", o->args[1],
            "address_id", (json_int_t)a, "cluster", (json_int_t)id, "size", (json_int_t)n,
            "received", (json_int_t)received, "balance", (json_int_t)unspent, "outputs",
            (json_int_t)n_outs, "members", page, "offset", (json_int_t)o->offset, "limit",
            (json_int_t)o->limit, "change", ch, "txs_covered", (json_int_t)cw_clusters_txs(cl)));
    }
    printf("address %s: cluster %u, %" PRIu64 " addresses, received %" PRIu64 " sat in %" PRIu64
           " outputs, balance %" PRIu64 " sat (change heuristics: %s)\n",
           o->args[1], id, n, received, n_outs, unspent, ch);
    for (uint64_t i = o->offset; i < n && i < o->offset + o->limit; i++) {
        cw_query_addr_string(s, cs, mem[i]);
        printf("  %s\n", s);
    }
    if (o->offset + o->limit < n)
        printf("  ... %" PRIu64 " more (--offset/--limit)\n", n - o->offset - o->limit);
    return 0;
}

static int do_why(const cw_store_opts *o, const cw_chainstore *cs, const cw_clusters *cl)
{
    uint32_t a, b;
    int rc = find_addr(cs, o->args[1], &a);
    if (rc || (rc = find_addr(cs, o->args[2], &b)))
        return rc;
    cw_cluster_step *steps;
    size_t n;
    rc = cw_clusters_why(cl, a, b, &steps, &n);
    uint64_t pj;
    if (rc == CW_ENOTFOUND && cw_clusters_payjoin_between(cl, cs, a, b, &pj) == 0) {
        char id[65];
        cw_hex_encode_rev(id, cw_chainstore_txid(cs, pj), 32);
        return cw_error_set(CW_ENOTFOUND,
                            "%s and %s are not in the same cluster: tx %s spends both, but made no "
                            "union: %s (`cluster build --payjoin unite` unites them)",
                            o->args[1], o->args[2], id, cw_cluster_payjoin_text());
    }
    if (rc == CW_ENOTFOUND)
        return cw_error_set(CW_ENOTFOUND, "%s and %s are not in the same cluster", o->args[1],
                            o->args[2]);
    if (rc)
        return rc;
    char sa[CW_ADDR_STR_MAX], sb[CW_ADDR_STR_MAX], tx[65];
    json_t *arr = o->json ? json_array() : NULL;
    if (!o->json)
        printf("%s and %s joined by %zu union%s:\n", o->args[1], o->args[2], n, n == 1 ? "" : "s");
    for (size_t i = 0; i < n; i++) {
        cw_query_addr_string(sa, cs, steps[i].a);
        cw_query_addr_string(sb, cs, steps[i].b);
        cw_hex_encode_rev(tx, cw_chainstore_txid(cs, steps[i].tx), 32);
        cw_cluster_reason why;
        cw_clusters_step_reason(cl, cs, &steps[i], &why);
        char rules[128] = "";
        size_t used = 0;
        json_t *jr = json_array();
        for (unsigned h = 0; h < CW_CHANGE_N; h++)
            if (why.change_rules & (1u << h)) {
                json_array_append_new(jr, json_string(cw_cluster_change_name(h)));
                int w = snprintf(rules + used, sizeof rules - used, "%s%s", used ? "," : "",
                                 cw_cluster_change_name(h));
                if (w > 0 && (size_t)w < sizeof rules - used)
                    used += (size_t)w;
            }
        if (arr) {
            json_t *st = json_pack("{s:s, s:s, s:s, s:s, s:s}", "txid", tx, "from", sa, "to", sb,
                                   "heuristic", cw_cluster_heuristic_name(why.heuristic),
                                   "heuristic_text", cw_cluster_heuristic_text(why.heuristic));
            if (why.heuristic == CW_CLUSTER_CHANGE) {
                json_object_set_new(st, "change_rules", jr);
                json_object_set_new(st, "change_vout", json_integer(why.vout));
                jr = NULL;
            }
            json_object_set_new(st, "tx_rule",
                                json_string(cw_patterns_rule_name(CW_PAT_RULE(why.tx_flags))));
            json_object_set_new(st, "payjoin", json_boolean(why.payjoin));
            if (why.payjoin)
                json_object_set_new(st, "payjoin_rule", json_string(CW_CLUSTER_PAYJOIN_RULE));
            json_array_append_new(arr, st);
        } else {
            printf("  %s  %s -> %s\n    %s", tx, sa, sb, cw_cluster_heuristic_name(why.heuristic));
            if (why.heuristic == CW_CLUSTER_CHANGE)
                printf(" (output %u named by %s)", why.vout,
                       used ? rules : "the heuristics together");
            printf(": %s\n", cw_cluster_heuristic_text(why.heuristic));
            for (unsigned h = 0; h < CW_CHANGE_N; h++)
                if (why.change_rules & (1u << h))
                    printf("      %s: %s\n", cw_cluster_change_name(h), cw_cluster_change_text(h));
            if (why.payjoin)
                printf("      but the tx is a %s: this union may join a payer and its payee\n",
                       cw_cluster_payjoin_text());
        }
        json_decref(jr);
    }
    cw_free(steps);
    if (arr)
        return cw_cli_print_json(
            json_pack("{s:s, s:s, s:o}", "a", o->args[1], "b", o->args[2], "steps", arr));
    return 0;
}

static int run(int argc, char **argv)
{
    if (argc < 2)
        return cw_cli_usage_error(&cw_cmd_cluster, "missing subcommand (build, show or why)");
    const char *sub = argv[1];
    /* take --change out before the shared option parser sees it */
    char *rest[64];
    int n_rest = 0;
    uint32_t change = 0;
    for (int i = 0; i < argc && n_rest < 64; i++) {
        if (!strcmp(argv[i], "--change")) {
            if (i + 1 >= argc)
                return cw_cli_usage_error(&cw_cmd_cluster, "--change needs a value");
            if (strcmp(sub, "build") != 0)
                return cw_cli_usage_error(&cw_cmd_cluster, "--change is an option of build");
            uint32_t keep = change & CW_CLUSTER_UNITE_PAYJOIN;
            if (cw_cluster_change_parse(&change, argv[++i]))
                return cw_cli_usage_error(&cw_cmd_cluster, "%s", cw_error_last());
            change |= keep;
            continue;
        }
        if (!strcmp(argv[i], "--payjoin")) {
            if (i + 1 >= argc)
                return cw_cli_usage_error(&cw_cmd_cluster, "--payjoin needs a value");
            if (strcmp(sub, "build") != 0)
                return cw_cli_usage_error(&cw_cmd_cluster, "--payjoin is an option of build");
            const char *v = argv[++i];
            if (!strcmp(v, "unite"))
                change |= CW_CLUSTER_UNITE_PAYJOIN;
            else if (!strcmp(v, "withhold"))
                change &= ~CW_CLUSTER_UNITE_PAYJOIN;
            else
                return cw_cli_usage_error(&cw_cmd_cluster,
                                          "--payjoin: unknown '%s' (withhold or unite)", v);
            continue;
        }
        rest[n_rest++] = argv[i];
    }
    cw_store_opts o;
    int ec;
    if (!strcmp(sub, "build")) {
        if ((ec = cw_store_opts_parse(&o, &cw_cmd_cluster, n_rest, rest, 1, 1)))
            return ec;
        return do_build(&o, change);
    }
    int nargs = !strcmp(sub, "show") ? 2 : !strcmp(sub, "why") ? 3 : 0;
    if (!nargs)
        return cw_cli_usage_error(&cw_cmd_cluster, "unknown subcommand '%s'", sub);
    ec = nargs == 2 ? cw_store_opts_parse_paged(&o, &cw_cmd_cluster, n_rest, rest, 2, 2)
                    : cw_store_opts_parse(&o, &cw_cmd_cluster, n_rest, rest, 3, 3);
    if (ec)
        return ec;
    cw_chainstore *cs;
    if ((ec = cw_store_opts_open(&cs, &o, "cluster")))
        return ec;
    cw_clusters *cl = NULL;
    int rc = cw_clusters_open(&cl, cs);
    if (rc == 0)
        rc = nargs == 2 ? do_show(&o, cs, cl) : do_why(&o, cs, cl);
    cw_clusters_close(cl);
    cw_chainstore_close(cs);
    return rc ? cw_cli_fail("cluster", rc) : CW_EXIT_OK;
}

const cw_command cw_cmd_cluster = {
    "cluster", "address clusters: build, show a cluster, explain why two addresses are one",
    "Usage: chainwatch cluster build --store DIR [--change LIST] [--payjoin withhold|unite]\n"
    "                                [--json]\n"
    "       chainwatch cluster show ADDR --store DIR [--offset N] [--limit N] [--json]\n"
    "       chainwatch cluster why ADDR1 ADDR2 --store DIR [--json]\n\n"
    "build  clusters addresses with the multi-input heuristic, CoinJoin txs excluded (builds\n"
    "       the pattern flags first; probable CoinJoins are excluded too, and so are probable\n"
    "       joint fundings, flag joint_funding: an escrow deposit, a dual-funded channel open\n"
    "       or a splice-in), continuing from the last build; a reorg below it or a different\n"
    "       --change list rebuilds.\n"
    "       --change LIST adds change-address heuristics,\n"
    "       comma-separated: fresh, optimal, type, power10, peel, reuse, locktime (or\n"
    "       all, none; default none). The heuristics that vote must agree on exactly one\n"
    "       output (docs/CLUSTERING.md). --payjoin: a probable PayJoin (2 inputs, 2 outputs,\n"
    "       one input larger than both outputs: rule uih2) makes no union (withhold, the\n"
    "       default) or unites its inputs as any tx (unite); a different choice rebuilds.\n"
    "show   the cluster of ADDR: size, total received, balance, one page of members.\n"
    "why    the transactions whose unions joined ADDR1 and ADDR2, in order, each with the\n"
    "       heuristic behind it (multi-input, or change and the change rules that named it),\n"
    "       and whether its tx is a probable PayJoin; for two addresses apart, the probable\n"
    "       PayJoin that spends both, if one does.\n\n"
    "Exit codes: 0 ok, 1 failure, 2 usage, 3 not found (unknown address, different clusters,\n"
    "no clusters built).\n",
    run};
