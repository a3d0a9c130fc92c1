/*
 * cmd_ingest.c: `chainwatch ingest btc --blocks DIR --store DIR [...]` and
 * `chainwatch ingest evm --csv DIR --store DIR [--chain NAME] [...]`.
 * SIGINT/SIGTERM ask the ingest to stop after its next commit (the only file-scope state is
 * that flag, which a signal handler must reach).
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chainwatch/btc/ingest.h"
#include "chainwatch/errors.h"
#include "chainwatch/evm/ingest.h"
#include "chainwatch/util.h"
#include "cli/cli.h"

static volatile int stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

extern const cw_command cw_cmd_ingest;

static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int cw_cli_ingest_evm_rpc(int argc, char **argv); /* evm_rpc_cli.c */

static int run_evm(int argc, char **argv)
{
    for (int i = 2; i < argc; i++)
        if (!strcmp(argv[i], "--rpc") || !strncmp(argv[i], "--rpc=", 6))
            return cw_cli_ingest_evm_rpc(argc, argv);
    cw_evm_ingest_opts o = {0};
    o.progress = true;
    o.rollback_to = -2;
    bool json = false;
    const char *rpc = NULL;
    const char *stream_file = NULL;
    static const struct option longopts[] = {{"csv", required_argument, NULL, 'c'},
                                             {"json-stream", required_argument, NULL, 'j'},
                                             {"rpc", required_argument, NULL, 'r'},
                                             {"store", required_argument, NULL, 's'},
                                             {"chain", required_argument, NULL, 'n'},
                                             {"commit-blocks", required_argument, NULL, 'b'},
                                             {"rollback-to", required_argument, NULL, 'R'},
                                             {"json", no_argument, NULL, 'J'},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"synthetic", no_argument, NULL, 'S'},
                                             {NULL, 0, NULL, 0}};
    optind = 2;
    int ch;
    uint64_t v;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c':
            o.csv_dir = optarg;
            break;
        case 'j':
            o.csv_dir = stream_file = optarg;
            break;
        case 'r':
            rpc = optarg;
            break;
        case 's':
            o.store_dir = optarg;
            break;
        case 'n':
            o.chain = optarg;
            break;
        case 'b':
            if (cw_parse_u64(&v, optarg) || v < 1)
                return cw_cli_usage_error(&cw_cmd_ingest, "--commit-blocks: a positive count");
            o.commit_blocks = v;
            break;
        case 'R':
            if (cw_parse_u64(&v, optarg) || v > 0x7ffffffe)
                return cw_cli_usage_error(&cw_cmd_ingest, "--rollback-to: a block number");
            o.rollback_to = (int64_t)v;
            break;
        case 'J':
            json = true;
            break;
        case 'q':
            o.progress = false;
            break;
        case 'S':
            o.synthetic = true;
            break;
        default:
            return cw_cli_usage_error(&cw_cmd_ingest, "unknown option");
        }
    }
    if (optind < argc)
        return cw_cli_usage_error(&cw_cmd_ingest, "unexpected argument '%s'", argv[optind]);
    if (rpc)
        return cw_cli_usage_error(&cw_cmd_ingest, "--rpc: not in this build yet");
    if (!o.csv_dir || !o.store_dir)
        return cw_cli_usage_error(&cw_cmd_ingest,
                                  "--csv (or --json-stream) and --store are required");
    struct stat sst;
    if (stream_file && (stat(stream_file, &sst) || !S_ISREG(sst.st_mode)))
        return cw_cli_usage_error(&cw_cmd_ingest,
                                  "--json-stream %s: not a file (an ethereumetl stream output)",
                                  stream_file);
    catch_signals();
    o.stop = &stop_flag;
    cw_evm_ingest_stats st;
    int rc = cw_evm_ingest_csv(&o, &st);
    if (rc)
        return cw_cli_fail("ingest", rc);
    double secs = st.seconds > 0 ? st.seconds : 1e-9;
    if (json)
        return cw_cli_print_json(
            json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:b}", "blocks_added",
                      (json_int_t)st.blocks_added, "blocks_skipped", (json_int_t)st.blocks_skipped,
                      "txs_added", (json_int_t)st.txs_added, "movements_added",
                      (json_int_t)st.moves_added, "accounts_added", (json_int_t)st.accounts_added,
                      "bytes_read", (json_int_t)st.bytes_read, "tip_height", (json_int_t)st.tip,
                      "seconds", st.seconds, "tx_per_s", (double)st.txs_added / secs, "mb_per_s",
                      (double)st.bytes_read / secs / 1e6, "synthetic", st.synthetic));
    if (st.synthetic)
        printf("ingest: SYNTHETIC world: %s holds a generated chain (MANIFEST synthetic 1); its "
               "traces, alerts and server answers say so\n",
               o.store_dir);
    printf("ingest: %llu blocks, %llu txs, %llu value movements, %llu accounts added (%llu "
           "blocks already in the store); tip height %lld; %.2f s, %.0f tx/s, %.1f MB/s\n",
           (unsigned long long)st.blocks_added, (unsigned long long)st.txs_added,
           (unsigned long long)st.moves_added, (unsigned long long)st.accounts_added,
           (unsigned long long)st.blocks_skipped, (long long)st.tip, st.seconds,
           (double)st.txs_added / secs, (double)st.bytes_read / secs / 1e6);
    return CW_EXIT_OK;
}

static int run(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "evm") == 0)
        return run_evm(argc, argv);
    if (argc < 2 || strcmp(argv[1], "btc") != 0)
        return cw_cli_usage_error(&cw_cmd_ingest, "expected a chain: 'ingest btc' or 'ingest evm'");
    cw_ingest_opts o = {0};
    o.net = CW_NET_MAIN;
    o.net_from_files = true;
    o.to_height = -1;
    o.threads = 1;
    o.progress = true;
    bool json = false;
    static const struct option longopts[] = {{"blocks", required_argument, NULL, 'b'},
                                             {"store", required_argument, NULL, 's'},
                                             {"network", required_argument, NULL, 'n'},
                                             {"to", required_argument, NULL, 't'},
                                             {"threads", required_argument, NULL, 'j'},
                                             {"prevouts", required_argument, NULL, 'p'},
                                             {"commit-txs", required_argument, NULL, 'c'},
                                             {"json", no_argument, NULL, 'J'},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"verify-witness", no_argument, NULL, 'w'},
                                             {"synthetic", no_argument, NULL, 'S'},
                                             {NULL, 0, NULL, 0}};
    optind = 2;
    int ch;
    uint64_t v;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'b':
            o.blocks_dir = optarg;
            break;
        case 's':
            o.store_dir = optarg;
            break;
        case 'n':
            o.net_from_files = strcmp(optarg, "auto") == 0;
            if (!o.net_from_files && cw_network_parse(&o.net, optarg))
                return cw_cli_usage_error(&cw_cmd_ingest, "%s (or auto)", cw_error_last());
            break;
        case 't':
            if (cw_parse_u64(&v, optarg) || v > 0x7fffffff)
                return cw_cli_usage_error(&cw_cmd_ingest, "--to: not a height: '%s'", optarg);
            o.to_height = (int64_t)v;
            break;
        case 'j':
            if (cw_parse_u64(&v, optarg) || v < 1 || v > 64)
                return cw_cli_usage_error(&cw_cmd_ingest, "--threads: 1..64, got '%s'", optarg);
            o.threads = (int)v;
            break;
        case 'p':
            o.prevouts = optarg;
            break;
        case 'c':
            if (cw_parse_u64(&v, optarg) || v < 1)
                return cw_cli_usage_error(&cw_cmd_ingest, "--commit-txs: a positive count");
            o.commit_txs = v;
            break;
        case 'J':
            json = true;
            break;
        case 'q':
            o.progress = false;
            break;
        case 'w':
            o.verify_witness = true;
            break;
        case 'S':
            o.synthetic = true;
            break;
        default:
            return cw_cli_usage_error(&cw_cmd_ingest, "unknown option");
        }
    }
    if (optind < argc)
        return cw_cli_usage_error(&cw_cmd_ingest, "unexpected argument '%s'", argv[optind]);
    if (!o.blocks_dir || !o.store_dir)
        return cw_cli_usage_error(&cw_cmd_ingest, "--blocks and --store are required");
    catch_signals();
    o.stop = &stop_flag;
    cw_ingest_stats st;
    int rc = cw_ingest_btc(&o, &st);
    if (rc)
        return cw_cli_fail("ingest", rc);
    double secs = st.seconds > 0 ? st.seconds : 1e-9;
    if (json) {
        return cw_cli_print_json(json_pack(
            "{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:b}",
            "network", cw_network_name(st.net), "records", (json_int_t)st.records, "orphans",
            (json_int_t)st.orphans, "stale", (json_int_t)st.stale, "rolled_back",
            (json_int_t)st.rolled_back, "blocks_added", (json_int_t)st.blocks_added, "txs_added",
            (json_int_t)st.txs_added, "inputs_added", (json_int_t)st.ins_added, "outputs_added",
            (json_int_t)st.outs_added, "bytes_read", (json_int_t)st.bytes_read, "tip_height",
            (json_int_t)st.tip_height, "seconds", st.seconds, "tx_per_s",
            (double)st.txs_added / secs, "mb_per_s", (double)st.bytes_read / secs / 1e6,
            "synthetic", st.synthetic));
    }
    if (st.synthetic)
        printf("ingest: SYNTHETIC world: %s holds a generated chain (MANIFEST synthetic 1); its "
               "answers, traces, alerts and server answers say so\n",
               o.store_dir);
    printf("ingest: %llu blocks, %llu txs added (%llu rolled back, %llu stale, %llu orphan "
           "records); tip height %lld; network %s%s; %.2f s, %.0f tx/s, %.1f MB/s\n",
           (unsigned long long)st.blocks_added, (unsigned long long)st.txs_added,
           (unsigned long long)st.rolled_back, (unsigned long long)st.stale,
           (unsigned long long)st.orphans, (long long)st.tip_height, cw_network_name(st.net),
           o.net_from_files ? " (from the block files)" : "", st.seconds,
           (double)st.txs_added / secs, (double)st.bytes_read / secs / 1e6);
    return CW_EXIT_OK;
}

const cw_command cw_cmd_ingest = {
    "ingest", "read Bitcoin Core block files or ethereum-etl exports into a chain store",
    "Usage: chainwatch ingest btc --blocks DIR --store DIR [options]\n"
    "       chainwatch ingest evm --csv DIR --store DIR [--chain NAME] [options]\n"
    "\n"
    "Reads blk*.dat files as Bitcoin Core writes them (XOR'd with xor.dat or not, blocks in any\n"
    "order, stale and orphan blocks), selects the chain with the most work and appends it to the\n"
    "chain store. A second run appends only new blocks; a reorg at the tip is rolled back.\n"
    "Interrupting it (Ctrl-C, kill, even kill -9) loses nothing: run it again.\n"
    "\n"
    "Options:\n"
    "  --blocks DIR        Bitcoin Core blocks directory (blk*.dat, optional xor.dat)\n"
    "  --store DIR         chain store directory (created when absent)\n"
    "  --network NET       main, test (testnet3 or testnet4), signet, regtest, or auto\n"
    "                      (default: the magic of the first block record says which; an\n"
    "                      existing store must hold the same network)\n"
    "  --to HEIGHT         stop at this height\n"
    "  --threads N         decoding threads (default 1: decode inline)\n"
    "  --prevouts FILE     prevouts for a store that starts mid-chain (btcd .utxostore format)\n"
    "  --verify-witness    also compute wtxids and check every block's BIP141 witness\n"
    "                      commitment (txids and merkle roots are always checked)\n"
    "  --commit-txs N      commit every N transactions (default: every 10 seconds)\n"
    "  --synthetic         the blocks are a generated world: the store is marked SYNTHETIC\n"
    "                      (automatic for `chainwatch gen` output: DIR/truth/world.json\n"
    "                      beside DIR/blocks)\n"
    "  --quiet             no progress line\n"
    "  --json              print the summary as JSON\n"
    "\n"
    "ingest evm reads ethereum-etl exports (blocks, transactions, receipts, logs,\n"
    "token_transfers, traces, tokens; CSV, or the JSON lines it writes for outputs named .json;\n"
    "one file per kind or export_all's folders by block range; plain or .gz; LF or CRLF; also\n"
    "BigQuery crypto_ethereum CSV exports, and `ethereumetl stream` output) into an EVM store of\n"
    "accounts, assets and value movements with exact 256-bit amounts. Blocks must follow the\n"
    "store's tip without a gap; blocks already in the store are checked and skipped, so a rerun\n"
    "after an interruption resumes. Bad input stops it with the file and line; the store stays\n"
    "at its last commit.\n"
    "  --csv DIR           the export directory (.csv or .json files: one format a directory)\n"
    "  --json-stream FILE  an `ethereumetl stream` output file (.json or .json.gz: JSON lines,\n"
    "                      each with its \"type\"); --csv FILE reads a file so too\n"
    "  --store DIR         EVM store directory (created when absent)\n"
    "  --chain NAME        ethereum (default), sepolia, bsc, polygon, arbitrum, optimism, base,\n"
    "                      avalanche, dev\n"
    "  --commit-blocks N   commit every N blocks (default: every 10+ seconds)\n"
    "  --rollback-to N     first drop the store's blocks above N (a reorg), then ingest\n"
    "  --synthetic         the exports are a generated world: the store is marked SYNTHETIC\n"
    "                      (MANIFEST), and its traces, alerts and server answers say so. A\n"
    "                      folder with a generator's truth/world.json beside the exports\n"
    "                      (chainwatch gen evm) is marked without it; a marked store stays so\n"
    "  --quiet, --json     as above\n"
    "\n"
    "ingest evm --rpc URL --store DIR follows an EVM node over JSON-RPC instead: every block\n"
    "after the store's tip up to the node's (eth_getBlockByNumber, eth_getBlockReceipts, and\n"
    "internal calls from trace_block or debug_traceBlockByNumber), reorgs rolled back.\n"
    "  --chain NAME        as above\n"
    "  --traces MODE       auto (default: tries both), trace_block, debug or none\n"
    "  --timeout S         seconds a request (default 30)\n"
    "  --from N            the first block when the store is empty (default 0)\n"
    "  --to N              the last block (default: the node's tip)\n"
    "  --max-reorg N       blocks a reorg may roll back (default 64)\n"
    "  --commit-blocks N   commit at least every N blocks (default 100)\n"
    "  --quiet, --json     as above\n"
    "docs/INGEST-EVM-RPC.md.\n",
    run};
