/*
 * gen_evm_cli.c: `chainwatch gen evm --out DIR [--txs N] [--seed S] [--scenario FILE] [--json]
 * [--quiet]`: writes a generated EVM world as ethereum-etl CSVs (CSVs in DIR) and its ground
 * truth (DIR/truth), see docs/GEN.md "EVM worlds". Reached from cmd_gen.c's dispatch.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/gen_evm.h"
#include "chainwatch/util.h"
#include "cli/cli.h"

int cw_cli_gen_evm(int argc, char **argv);

extern const cw_command cw_cmd_gen_evm;
const cw_command cw_cmd_gen_evm = {
    "gen evm", "generate an EVM world (ethereum-etl CSVs) with laundering and ground truth",
    "Usage: chainwatch gen evm --out DIR [--txs N] [--seed S] [--scenario FILE] [--json]\n"
    "                          [--quiet]\n\n"
    "Writes DIR/{blocks,transactions,receipts,logs,token_transfers,traces,tokens}.csv as\n"
    "ethereum-etl exports them, and the ground truth in DIR/truth (docs/GEN.md, EVM worlds).\n\n"
    "  --txs N            transactions (default 200000, at least 2000)\n"
    "  --seed S           PRNG seed (default 1); same seed and scenario => identical bytes\n"
    "  --scenario FILE    heist scenario JSON (default: the built-in one,\n"
    "                     data/scenarios/evm-demo-heist.json)\n"
    "  --json             print the figures as JSON\n"
    "  --quiet            no progress line\n",
    NULL};

int cw_cli_gen_evm(int argc, char **argv)
{
    cw_gen_evm_opts o;
    memset(&o, 0, sizeof o);
    o.txs = 200000;
    o.seed = 1;
    o.progress = true;
    const char *scenario = NULL;
    bool json = false;
    static const struct option longopts[] = {
        {"out", required_argument, NULL, 'o'},  {"txs", required_argument, NULL, 't'},
        {"seed", required_argument, NULL, 's'}, {"scenario", required_argument, NULL, 'S'},
        {"json", no_argument, NULL, 'J'},       {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0}};
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'o':
            o.out_dir = optarg;
            break;
        case 't':
            if (cw_parse_u64(&o.txs, optarg) != 0)
                return cw_cli_usage_error(&cw_cmd_gen_evm, "--txs: not a count: '%s'", optarg);
            break;
        case 's':
            if (cw_parse_u64(&o.seed, optarg) != 0)
                return cw_cli_usage_error(&cw_cmd_gen_evm, "--seed: not an unsigned integer: '%s'",
                                          optarg);
            break;
        case 'S':
            scenario = optarg;
            break;
        case 'J':
            json = true;
            break;
        case 'q':
            o.progress = false;
            break;
        case 'h':
            return cw_cli_help(&cw_cmd_gen_evm);
        default:
            return cw_cli_usage_error(&cw_cmd_gen_evm, "unknown option");
        }
    }
    if (optind < argc)
        return cw_cli_usage_error(&cw_cmd_gen_evm, "unexpected argument '%s'", argv[optind]);
    if (!o.out_dir || !*o.out_dir)
        return cw_cli_usage_error(&cw_cmd_gen_evm, "--out DIR is required");
    if (o.txs < 2000)
        return cw_cli_usage_error(&cw_cmd_gen_evm, "--txs: at least 2000, not %llu",
                                  (unsigned long long)o.txs);
    cw_gen_evm_scenario *sc = NULL;
    if (scenario) {
        int rc = cw_gen_evm_scenario_load(&sc, scenario);
        if (rc != 0)
            return cw_cli_fail("gen evm", rc);
    }
    o.scenario = sc;
    cw_gen_evm_stats st;
    int rc = cw_gen_evm_run(&o, &st);
    cw_gen_evm_scenario_free(sc);
    if (rc != 0)
        return cw_cli_fail("gen evm", rc);
    char tip[67] = "0x";
    cw_hex_encode(tip + 2, st.tip_hash, 32);
    double s = st.seconds > 0 ? st.seconds : 1e-9;
    if (json)
        return cw_cli_print_json(json_pack(
            "{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:f, s:f, s:f}", "out",
            o.out_dir, "txs", (json_int_t)st.txs, "blocks", (json_int_t)st.blocks, "failed_txs",
            (json_int_t)st.failed_txs, "logs", (json_int_t)st.logs, "traces", (json_int_t)st.traces,
            "token_transfers", (json_int_t)st.token_transfers, "withdrawals",
            (json_int_t)st.withdrawals, "accounts", (json_int_t)st.accounts, "bytes",
            (json_int_t)st.bytes, "tip_number", (json_int_t)st.tip_number, "tip_hash", tip,
            "seconds", st.seconds, "tx_per_s", (double)st.txs / s, "mb_per_s",
            (double)st.bytes / s / 1e6));
    printf("wrote %llu txs (%llu failed) in %llu blocks to %s: %llu logs, %llu traces, %llu "
           "token transfers, %llu accounts, %.1f MB of CSV\n"
           "ground truth in %s/truth; tip %llu %s\n%.2f s: %.0f tx/s, %.1f MB/s\n",
           (unsigned long long)st.txs, (unsigned long long)st.failed_txs,
           (unsigned long long)st.blocks, o.out_dir, (unsigned long long)st.logs,
           (unsigned long long)st.traces, (unsigned long long)st.token_transfers,
           (unsigned long long)st.accounts, (double)st.bytes / 1e6, o.out_dir,
           (unsigned long long)st.tip_number, tip, st.seconds, (double)st.txs / s,
           (double)st.bytes / s / 1e6);
    return CW_EXIT_OK;
}
