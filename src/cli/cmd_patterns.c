/*
 * cmd_patterns.c: `chainwatch patterns build|show`: per-transaction pattern flags
 * (src/chain/analytics/patterns.c, docs/PATTERNS.md) from the command line.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/patterns.h"
#include "chainwatch/util.h"
#include "cli/store_opts.h"

extern const cw_command cw_cmd_patterns;

static int do_build(const cw_store_opts *o)
{
    cw_patterns_stats st;
    int rc = cw_patterns_build(o->store, &st);
    if (rc)
        return cw_cli_fail("patterns", rc);
    if (o->json) {
        json_t *c = json_object();
        for (unsigned b = 0; b < CW_PAT_N_FLAGS; b++)
            json_object_set_new(c, cw_patterns_flag_name(b),
                                json_integer((json_int_t)st.counts[b]));
        return cw_cli_print_json(json_pack(
            "{s:I, s:I, s:b, s:o, s:f}", "txs_before", (json_int_t)st.txs_before, "txs",
            (json_int_t)st.txs_after, "rebuilt", st.rebuilt, "counts", c, "seconds", st.seconds));
    }
    printf("patterns: %" PRIu64 " txs covered (%" PRIu64 " new%s) in %.2f s\n", st.txs_after,
           st.txs_after - st.txs_before, st.rebuilt ? ", rebuilt after a reorg" : "", st.seconds);
    for (unsigned b = 0; b < CW_PAT_N_FLAGS; b++)
        printf("  %-11s %" PRIu64 "\n", cw_patterns_flag_name(b), st.counts[b]);
    return CW_EXIT_OK;
}

static int do_show(const cw_store_opts *o)
{
    cw_chainstore *cs;
    int ec = cw_store_opts_open(&cs, o, "patterns");
    if (ec)
        return ec;
    uint8_t txid[32];
    uint64_t t;
    uint32_t f = 0;
    int rc = 0;
    cw_patterns *p = NULL;
    if (cw_hex_decode_rev(txid, 32, o->args[1])) {
        rc = cw_error_set(CW_EINVAL, "not a txid (64 hex digits): '%s'", o->args[1]);
        goto out;
    }
    if (cw_chainstore_find_tx(cs, txid, &t)) {
        rc = cw_error_set(CW_ENOTFOUND, "tx %s is not in the store", o->args[1]);
        goto out;
    }
    if ((rc = cw_patterns_open(&p, cs)) || (rc = cw_patterns_tx_flags(p, t, &f)))
        goto out;
    if (o->json) {
        json_t *a = json_array();
        for (unsigned b = 0; b < CW_PAT_N_FLAGS; b++)
            if (f & (1u << b))
                json_array_append_new(a, json_string(cw_patterns_flag_name(b)));
        json_t *obj = json_pack("{s:s, s:I, s:I, s:o}", "txid", o->args[1], "tx", (json_int_t)t,
                                "bits", (json_int_t)(f & CW_PAT_FLAG_MASK), "flags", a);
        cw_patterns_detail_json(obj, cs, t, f);
        ec = cw_cli_print_json(obj);
    } else {
        char names[256];
        cw_patterns_flags_string(names, sizeof names, f);
        printf("%s  %s\n", o->args[1], names[0] ? names : "(no flags)");
        unsigned rule = CW_PAT_RULE(f);
        if (rule != CW_PAT_RULE_NONE) {
            cw_patterns_detail d;
            cw_patterns_explain(cs, t, &d);
            printf("  rule: %s (score %u/100%s)\n  %s\n", cw_patterns_rule_name(rule),
                   CW_PAT_SCORE(f), CW_PAT_SCORE(f) < 100 ? ", probable" : "",
                   cw_patterns_rule_text(rule));
            if (rule == CW_PAT_RULE_PEEL_RUN)
                printf("  evidence: a run of %u%s peel hops through this tx\n", d.peel_run,
                       d.peel_run >= 2 * CW_PAT_PEEL_MIN_RUN ? " or more" : "");
            else if (rule == CW_PAT_RULE_PEEL_SHORT)
                printf("  evidence: a run of %u peel hops through this tx, at least %u of them "
                       "linked tightly (one input, remainder to a fresh address, <= %u block "
                       "apart; a batched hop back to the chain's own address links, uncounted)\n",
                       d.peel_run, d.peel_tight, CW_PAT_PEEL_TIGHT_BLOCKS);
            else if (rule == CW_PAT_RULE_PEEL_BRANCH)
                printf("  evidence: a run of %u peel hops through this tx, started by a peel of "
                       "a hop flagged peel-run or peel-run-short, links at most %u blocks "
                       "apart at the median\n",
                       d.peel_run, CW_PAT_PEEL_BRANCH_MEDIAN);
            else if (rule == CW_PAT_RULE_PEEL_END)
                printf("  evidence: the %s tx after a flagged peel run's last hop (no hop spends "
                       "its largest output), spending one of its outputs at once\n",
                       d.peel_end == 1 ? "first" : "second");
            else if (rule == CW_PAT_RULE_ESCROW_DEPOSIT || rule == CW_PAT_RULE_DUAL_FUNDED ||
                     rule == CW_PAT_RULE_SPLICE_IN) {
                /* the joint-funding evidence follows */
            } else if (rule != CW_PAT_RULE_SHAPE && rule != CW_PAT_RULE_COINBASE)
                printf("  evidence: %u equal outputs of %llu sat, %u inputs from %u addresses, "
                       "%u other outputs, %u of them matched as one owner's change by input "
                       "sub-sets\n",
                       d.equal_outputs, (unsigned long long)d.equal_value, d.inputs,
                       d.input_addresses, d.other_outputs, d.changes_matched);
            if (d.chain_score) {
                char parts[64] = "";
                size_t used = 0;
                for (unsigned i = 0; i < CW_PAT_PEEL_N_PARTS; i++)
                    if (d.chain_parts & (1u << i)) {
                        int w = snprintf(parts + used, sizeof parts - used, "%s%s",
                                         used ? ", " : "", cw_patterns_peel_part_name(i));
                        if (w > 0 && (size_t)w < sizeof parts - used)
                            used += (size_t)w;
                    }
                printf("  chain judgement (rule peel-chain-judged): score %u/100, %s (%u of %u "
                       "parts needed, one of them fresh or automated): parts %s; window of %u "
                       "hops, median %u blocks apart, "
                       "%.8f BTC entering its oldest hop, %u of %u remainders to fresh "
                       "addresses, %u of %u peels to addresses paid before\n",
                       d.chain_score,
                       (f & CW_PAT_PEEL_STRONG) ? "peel_strong: a probable laundering-like chain"
                                                : "shape only: an honest wallet spending its "
                                                  "change in a run looks the same",
                       CW_PAT_PEEL_STRONG_PARTS, CW_PAT_PEEL_N_PARTS, used ? parts : "none",
                       d.chain_hops, d.chain_gap, (double)d.chain_start_sat / 1e8, d.chain_fresh,
                       d.chain_hops, d.chain_peels_paid, d.chain_peels);
            }
            if (d.kind_reason)
                printf("  kind: %s\n", d.kind_reason);
            if (d.joint_rule) /* a joint-funding tx always has a rule */
                printf("  joint funding (rule %s): score %u/100, probable: %u P2WSH output, %u "
                       "OP_RETURN, inputs from %u addresses; %s\n",
                       cw_patterns_rule_name(d.joint_rule), d.joint_score, d.p2wsh_outputs,
                       d.opreturn_outputs, d.input_addresses, cw_patterns_rule_text(d.joint_rule));
        } else {
            cw_patterns_detail d;
            cw_patterns_explain(cs, t, &d);
            if (d.peel_float)
                printf("  not a peel chain: a run of %u peel hops paying withdrawals from a "
                       "service's float (its first coin at an address paid %u+ times, peels "
                       "under %.0f%% on average)\n",
                       d.peel_run, CW_PAT_PEEL_FLOAT_PAID, CW_PAT_PEEL_FLOAT_MAX_PPM / 1e4);
            if (d.payer_batch)
                printf("  not a probable CoinJoin: %u equal outputs of %llu sat among %u other "
                       "outputs (more than %u parties' changes and a fee), no Wasabi 2 "
                       "denominations, %u changes matched: one payer's batch\n",
                       d.equal_outputs, (unsigned long long)d.equal_value, d.other_outputs,
                       d.equal_outputs, d.changes_matched);
            if (d.equal_split)
                printf("  not a probable CoinJoin: %u equal outputs of %llu sat and %u within "
                       "0.01%% of it, on %u input addresses, %u other outputs (not 2, nor a lone "
                       "one, matched as changes): one owner's split (rule equal-split)\n",
                       d.equal_outputs, (unsigned long long)d.equal_value, d.equal_split,
                       d.input_addresses, d.other_outputs - d.equal_split);
        }
    }
out:
    cw_patterns_close(p);
    cw_chainstore_close(cs);
    return rc ? cw_cli_fail("patterns", rc) : ec;
}

static int run(int argc, char **argv)
{
    if (argc < 2)
        return cw_cli_usage_error(&cw_cmd_patterns, "missing subcommand (build or show)");
    cw_store_opts o;
    const char *sub = argv[1];
    int ec;
    if (!strcmp(sub, "build")) {
        if ((ec = cw_store_opts_parse(&o, &cw_cmd_patterns, argc, argv, 1, 1)))
            return ec;
        return do_build(&o);
    }
    if (!strcmp(sub, "show")) {
        if ((ec = cw_store_opts_parse(&o, &cw_cmd_patterns, argc, argv, 2, 2)))
            return ec;
        return do_show(&o);
    }
    return cw_cli_usage_error(&cw_cmd_patterns, "unknown subcommand '%s'", sub);
}

const cw_command cw_cmd_patterns = {
    "patterns", "per-transaction pattern flags: CoinJoin kinds, peel chain, fan-out/in",
    "Usage: chainwatch patterns build --store DIR [--json]\n"
    "       chainwatch patterns show TXID --store DIR [--json]\n\n"
    "build  computes the flags of every tx not yet covered (continuing from the last build;\n"
    "       a reorg below it rebuilds) into a new DIR/patterns.<gen>/txflags.col (readers\n"
    "       keep the one they opened) and prints counts per flag.\n"
    "show   prints the flags of one tx, the rule that set them, its score (0-100: below 100\n"
    "       the result is a judgement, shown as probable) and the evidence it used.\n\n"
    "Flags: coinjoin whirlpool wasabi1 wasabi2 joinmarket peel_chain fan_out fan_in coinbase\n"
    "tx0 coinjoin_probable peel_strong joint_funding (rules in docs/PATTERNS.md; a tx0 is one\n"
    "owner's Whirlpool premix split, not a CoinJoin; peel_chain is the shape, peel_strong a\n"
    "peel_chain hop whose chain the chain-level judgement reads as laundering-like: 4 of fast,\n"
    "automated, long, large, fresh remainders, peels to standing accounts, one of them fresh\n"
    "or automated; joint_funding is probably two owners funding one 2-of-2 output, an escrow\n"
    "deposit, a dual-funded channel open or a splice-in, whose inputs clustering leaves apart).\n"
    "Exit codes: 0 ok, 1 failure, 2 usage, 3 not found.\n",
    run};
