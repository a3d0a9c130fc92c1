/*
 * cmd_gen.c: `chainwatch gen --out DIR --txs N --seed S [--scenario FILE] [--network regtest|main]
 * [--xor-key HEX] [--zero-tail BYTES] [--json]`: writes a generated Bitcoin world (DIR/blocks) and
 * its ground truth (DIR/truth), see docs/GEN.md.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/gen.h"
#include "chainwatch/util.h"
#include "cli/cli.h"

extern const cw_command cw_cmd_gen;
int cw_cli_gen_evm(int argc, char **argv); /* gen_evm_cli.c */

static int run(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "evm"))
        return cw_cli_gen_evm(argc - 1, argv + 1);
    cw_gen_opts o;
    memset(&o, 0, sizeof o);
    o.txs = 200000;
    o.seed = 1;
    o.net = CW_NET_REGTEST;
    o.progress = true;
    const char *scenario = NULL;
    bool json = false;
    static const struct option longopts[] = {{"out", required_argument, NULL, 'o'},
                                             {"txs", required_argument, NULL, 't'},
                                             {"seed", required_argument, NULL, 's'},
                                             {"scenario", required_argument, NULL, 'S'},
                                             {"network", required_argument, NULL, 'n'},
                                             {"xor-key", required_argument, NULL, 'x'},
                                             {"max-file-size", required_argument, NULL, 'm'},
                                             {"threads", required_argument, NULL, 'j'},
                                             {"zero-tail", required_argument, NULL, 'z'},
                                             {"zero-tail-files", required_argument, NULL, 'Z'},
                                             {"json", no_argument, NULL, 'J'},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {NULL, 0, NULL, 0}};
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'o':
            o.out_dir = optarg;
            break;
        case 't':
            if (cw_parse_u64(&o.txs, optarg) != 0)
                return cw_cli_usage_error(&cw_cmd_gen, "--txs: not a count: '%s'", optarg);
            break;
        case 's':
            if (cw_parse_u64(&o.seed, optarg) != 0)
                return cw_cli_usage_error(&cw_cmd_gen, "--seed: not an unsigned integer: '%s'",
                                          optarg);
            break;
        case 'S':
            scenario = optarg;
            break;
        case 'n':
            if (cw_network_parse(&o.net, optarg) != 0 ||
                (o.net != CW_NET_REGTEST && o.net != CW_NET_MAIN))
                return cw_cli_usage_error(&cw_cmd_gen, "--network: regtest or main, not '%s'",
                                          optarg);
            break;
        case 'x':
            if (strlen(optarg) != 16 || cw_hex_decode(o.xor_key, 8, optarg) != 0)
                return cw_cli_usage_error(&cw_cmd_gen,
                                          "--xor-key: 16 hex digits (8 bytes), not '%s'", optarg);
            o.xor_on = true;
            break;
        case 'm':
            if (cw_parse_u64(&o.max_file_size, optarg) != 0 || o.max_file_size < 4096)
                return cw_cli_usage_error(&cw_cmd_gen, "--max-file-size: at least 4096 bytes");
            break;
        case 'j': {
            uint64_t t;
            if (cw_parse_u64(&t, optarg) != 0 || t < 1 || t > 2)
                return cw_cli_usage_error(&cw_cmd_gen, "--threads: 1 or 2, not '%s'", optarg);
            o.threads = (unsigned)t;
            break;
        }
        case 'z':
            if (cw_parse_u64(&o.zero_tail, optarg) != 0 || o.zero_tail > (1ULL << 32))
                return cw_cli_usage_error(&cw_cmd_gen, "--zero-tail: bytes (0..4 GiB), not '%s'",
                                          optarg);
            break;
        case 'Z':
            if (!strcmp(optarg, "last"))
                o.zero_tail_files = 0;
            else if (!strcmp(optarg, "all"))
                o.zero_tail_files = 1;
            else
                return cw_cli_usage_error(&cw_cmd_gen, "--zero-tail-files: last or all, not '%s'",
                                          optarg);
            break;
        case 'J':
            json = true;
            break;
        case 'q':
            o.progress = false;
            break;
        default:
            return cw_cli_usage_error(&cw_cmd_gen, "unknown option");
        }
    }
    if (optind < argc)
        return cw_cli_usage_error(&cw_cmd_gen, "unexpected argument '%s'", argv[optind]);
    if (!o.out_dir || !*o.out_dir)
        return cw_cli_usage_error(&cw_cmd_gen, "--out DIR is required");
    cw_gen_scenario *sc = NULL;
    if (scenario) {
        int rc = cw_gen_scenario_load(&sc, scenario);
        if (rc != 0)
            return cw_cli_fail("gen", rc);
    }
    o.scenario = sc;
    cw_gen_stats st;
    int rc = cw_gen_run(&o, &st);
    cw_gen_scenario_free(sc);
    if (rc != 0)
        return cw_cli_fail("gen", rc);
    char tip[65];
    cw_hex_encode_rev(tip, st.tip, 32);
    double s = st.seconds > 0 ? st.seconds : 1e-9;
    if (json)
        return cw_cli_print_json(json_pack(
            "{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:f, s:f, s:f}", "out", o.out_dir,
            "txs", (json_int_t)st.txs, "blocks", (json_int_t)st.blocks, "stale_blocks",
            (json_int_t)st.stale_blocks, "bytes", (json_int_t)st.bytes, "files",
            (json_int_t)st.files, "addresses", (json_int_t)st.addresses, "inputs",
            (json_int_t)st.inputs, "outputs", (json_int_t)st.outputs, "tip", tip, "seconds",
            st.seconds, "tx_per_s", (double)st.txs / s, "mb_per_s", (double)st.bytes / s / 1e6));
    printf("wrote %llu txs in %llu blocks (+%llu stale) to %s/blocks: %llu files, %.1f MB\n"
           "ground truth in %s/truth; tip %s\n%.2f s: %.0f tx/s, %.1f MB/s\n",
           (unsigned long long)st.txs, (unsigned long long)st.blocks,
           (unsigned long long)st.stale_blocks, o.out_dir, (unsigned long long)st.files,
           (double)st.bytes / 1e6, o.out_dir, tip, st.seconds, (double)st.txs / s,
           (double)st.bytes / s / 1e6);
    return CW_EXIT_OK;
}

const cw_command cw_cmd_gen = {
    "gen", "generate a Bitcoin world (blk*.dat) with laundering scenarios and ground truth",
    "Usage: chainwatch gen --out DIR [--txs N] [--seed S] [--scenario FILE]\n"
    "                      [--network regtest|main] [--xor-key HEX16] [--threads N] [--json]\n"
    "                      [--zero-tail BYTES [--zero-tail-files last|all]] [--quiet]\n\n"
    "Writes DIR/blocks/blk*.dat (Bitcoin Core layout: magic+size framing, 128 MiB files,\n"
    "some blocks out of height order, a few stale forks; with --xor-key also xor.dat and\n"
    "obfuscated files) and the ground truth in DIR/truth (docs/GEN.md).\n\n"
    "  --txs N            best-chain transactions, coinbases included (default 200000)\n"
    "  --seed S           PRNG seed (default 1); same seed and scenario => identical bytes\n"
    "  --scenario FILE    heist scenario JSON (default: the built-in demo heist,\n"
    "                     data/scenarios/demo-heist.json)\n"
    "  --network NET      regtest (default) or main: magic, genesis and address format\n"
    "  --xor-key HEX16    obfuscate the block files with this 8-byte key (Core 28+)\n"
    "  --max-file-size N  start a new blk file before N bytes (default 134217728)\n"
    "  --threads N        1: one thread; 2 (default on 2+ CPUs): blocks and addresses.csv\n"
    "                     written by a second thread; the same bytes either way\n"
    "  --zero-tail BYTES  end the last blk file (or every one) with BYTES of zeros, as\n"
    "                     Core's preallocation leaves them: raw zeros on disk, not\n"
    "                     obfuscated even with --xor-key (Core 28+)\n"
    "  --zero-tail-files  last (default) or all: which files get the zero tail\n"
    "  --json             print the figures as JSON\n"
    "  --quiet            no progress line\n\n"
    "EVM worlds (ethereum-etl CSVs): chainwatch gen evm --out DIR [--txs N] [--seed S]\n"
    "                               [--scenario FILE] [--json] [--quiet]  (docs/GEN.md)\n",
    run};
