/*
 * evm_rpc_cli.c: `chainwatch ingest evm --rpc URL --store DIR [...]` (one catch-up pass) and
 * `chainwatch watch --rpc URL --store DIR [--interval S] [--once]` (follows the node), both
 * through cw_evm_rpc_follow (evm/rpc.h). Reached from the dispatches in cmd_ingest.c and
 * cmd_watch.c when --rpc is given.
 */
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "chainwatch/errors.h"
#include "chainwatch/evm/rpc.h"
#include "chainwatch/util.h"
#include "cli/cli.h"

int cw_cli_ingest_evm_rpc(int argc, char **argv);
int cw_cli_watch_evm(int argc, char **argv);

static volatile int stop_flag; /* set by the signal handler */

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

extern const cw_command cw_cmd_ingest_evm_rpc; /* main.c: `ingest evm --rpc --help` */
const cw_command cw_cmd_ingest_evm_rpc = {
    "ingest evm --rpc", "follow an EVM node over JSON-RPC into an EVM store",
    "Usage: chainwatch ingest evm --rpc URL --store DIR [--chain NAME]\n"
    "                             [--traces auto|trace_block|debug|none] [--timeout S]\n"
    "                             [--from N] [--to N] [--max-reorg N] [--commit-blocks N]\n"
    "                             [--json] [--quiet]\n\n"
    "Reads every block after the store's tip (or from --from on an empty store) up to the\n"
    "node's tip (or --to): eth_getBlockByNumber with full transactions, eth_getBlockReceipts,\n"
    "and internal calls from trace_block or debug_traceBlockByNumber with the callTracer\n"
    "(--traces auto tries both). A block whose parent is not the store's tip is a reorg: the\n"
    "store rolls back until the chains meet (at most --max-reorg blocks, default 64). Commits\n"
    "every --commit-blocks blocks (default 100) and at the end. JSON-RPC errors and timeouts\n"
    "(--timeout, default 30 s a request) stop with the method and block named and a non-zero\n"
    "exit; the store stays at its last commit. --json prints the pass's figures as one JSON\n"
    "object; --quiet drops the progress line. docs/INGEST-EVM-RPC.md.\n",
    NULL};

extern const cw_command cw_cmd_watch_evm_rpc; /* main.c: `watch --rpc --help` */
const cw_command cw_cmd_watch_evm_rpc = {
    "watch --rpc", "follow an EVM node into an EVM store",
    "Usage: chainwatch watch --rpc URL --store DIR [--chain NAME] [--traces MODE]\n"
    "                        [--timeout S] [--from N] [--to N] [--max-reorg N]\n"
    "                        [--commit-blocks N] [--interval S] [--once]\n\n"
    "Every --interval seconds (default 5) catches the store up with the node, rolling back\n"
    "reorganised blocks; --chain, --traces, --timeout, --from, --to, --max-reorg and\n"
    "--commit-blocks as in 'chainwatch ingest evm --rpc --help'. Prints one line a round that\n"
    "added or rolled back blocks (no progress line, no --json). Stops cleanly on\n"
    "SIGINT/SIGTERM; --once runs one round. Alert rules on EVM stores come with EVM part 2.\n"
    "docs/INGEST-EVM-RPC.md.\n",
    NULL};

static int parse(const cw_command *cmd, int argc, char **argv, int first, cw_evm_rpc_opts *o,
                 bool *json, bool *once, uint64_t *interval)
{
    static const struct option longopts[] = {{"rpc", required_argument, NULL, 'r'},
                                             {"store", required_argument, NULL, 's'},
                                             {"chain", required_argument, NULL, 'n'},
                                             {"traces", required_argument, NULL, 't'},
                                             {"timeout", required_argument, NULL, 'T'},
                                             {"from", required_argument, NULL, 'f'},
                                             {"to", required_argument, NULL, 'u'},
                                             {"max-reorg", required_argument, NULL, 'm'},
                                             {"commit-blocks", required_argument, NULL, 'b'},
                                             {"interval", required_argument, NULL, 'i'},
                                             {"once", no_argument, NULL, 'o'},
                                             {"json", no_argument, NULL, 'J'},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {NULL, 0, NULL, 0}};
    optind = first;
    int ch;
    uint64_t v;
    double d;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'r':
            o->url = optarg;
            break;
        case 's':
            o->store_dir = optarg;
            break;
        case 'n':
            o->chain = optarg;
            break;
        case 't':
            if (!strcmp(optarg, "auto"))
                o->traces = CW_EVM_RPC_TRACES_AUTO;
            else if (!strcmp(optarg, "trace_block"))
                o->traces = CW_EVM_RPC_TRACES_PARITY;
            else if (!strcmp(optarg, "debug"))
                o->traces = CW_EVM_RPC_TRACES_GETH;
            else if (!strcmp(optarg, "none"))
                o->traces = CW_EVM_RPC_TRACES_NONE;
            else
                return cw_cli_usage_error(cmd, "--traces: auto, trace_block, debug or none");
            break;
        case 'T':
            if (cw_parse_double(&d, optarg) || !(d > 0 && d <= 3600))
                return cw_cli_usage_error(cmd, "--timeout: seconds, 0 < S <= 3600");
            o->timeout_s = d;
            break;
        case 'f':
            if (cw_parse_u64(&v, optarg) || v > INT64_MAX)
                return cw_cli_usage_error(cmd, "--from: a block number");
            o->from_block = (int64_t)v;
            break;
        case 'u':
            if (cw_parse_u64(&v, optarg) || v > INT64_MAX)
                return cw_cli_usage_error(cmd, "--to: a block number");
            o->to_block = (int64_t)v;
            break;
        case 'm':
            if (cw_parse_u64(&v, optarg) || v < 1 || v > 100000)
                return cw_cli_usage_error(cmd, "--max-reorg: 1..100000 blocks");
            o->max_reorg = (uint32_t)v;
            break;
        case 'b':
            if (cw_parse_u64(&v, optarg) || v < 1)
                return cw_cli_usage_error(cmd, "--commit-blocks: a positive count");
            o->commit_blocks = v;
            break;
        case 'i':
            if (!interval || cw_parse_u64(interval, optarg) || *interval == 0 || *interval > 86400)
                return cw_cli_usage_error(cmd, "--interval: 1..86400 seconds");
            break;
        case 'o':
            if (!once)
                return cw_cli_usage_error(cmd, "unknown option --once");
            *once = true;
            break;
        case 'J':
            if (!json)
                return cw_cli_usage_error(cmd, "unknown option --json");
            *json = true;
            break;
        case 'q':
            if (interval) /* watch: never prints a progress line, so --quiet would change nothing */
                return cw_cli_usage_error(cmd, "unknown option --quiet (watch prints no progress)");
            o->progress = false;
            break;
        default:
            return cw_cli_usage_error(cmd, "unknown option");
        }
    }
    if (optind < argc)
        return cw_cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (!o->url || !o->store_dir)
        return cw_cli_usage_error(cmd, "--rpc and --store are required");
    return -1;
}

int cw_cli_ingest_evm_rpc(int argc, char **argv)
{
    cw_evm_rpc_opts o;
    memset(&o, 0, sizeof o);
    o.to_block = -1;
    o.progress = true;
    bool json = false;
    int prc = parse(&cw_cmd_ingest_evm_rpc, argc, argv, 2, &o, &json, NULL, NULL);
    if (prc >= 0)
        return prc;
    catch_signals();
    o.stop = &stop_flag;
    cw_evm_rpc_stats st;
    int rc = cw_evm_rpc_follow(&o, &st);
    if (rc && rc != CW_EINTR)
        return cw_cli_fail("ingest", rc);
    if (json)
        return cw_cli_print_json(json_pack(
            "{s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:f, s:b}", "blocks_added",
            (json_int_t)st.blocks_added, "txs_added", (json_int_t)st.txs_added, "rolled_back",
            (json_int_t)st.rolled_back, "tip_height", (json_int_t)st.tip, "node_tip",
            (json_int_t)st.node_tip, "requests", (json_int_t)st.requests, "traces", st.traces_used,
            "seconds", st.seconds, "interrupted", rc == CW_EINTR));
    printf("ingest: %llu blocks, %llu txs added over JSON-RPC (%llu rolled back by reorgs); "
           "tip height %lld (node %lld); internal calls from %s; %llu requests, %.2f s\n",
           (unsigned long long)st.blocks_added, (unsigned long long)st.txs_added,
           (unsigned long long)st.rolled_back, (long long)st.tip, (long long)st.node_tip,
           st.traces_used, (unsigned long long)st.requests, st.seconds);
    return rc == CW_EINTR ? CW_EXIT_INTR : CW_EXIT_OK;
}

int cw_cli_watch_evm(int argc, char **argv)
{
    cw_evm_rpc_opts o;
    memset(&o, 0, sizeof o);
    o.to_block = -1;
    bool once = false;
    uint64_t interval = 5;
    int prc = parse(&cw_cmd_watch_evm_rpc, argc, argv, 1, &o, NULL, &once, &interval);
    if (prc >= 0)
        return prc;
    o.progress = false;
    catch_signals();
    o.stop = &stop_flag;
    while (!stop_flag) {
        cw_evm_rpc_stats st;
        int rc = cw_evm_rpc_follow(&o, &st);
        if (rc == CW_EINTR)
            break;
        if (rc) {
            fprintf(stderr, "chainwatch watch: %s\n", cw_error_last());
            if (once)
                return CW_EXIT_FAIL;
        } else if (st.blocks_added || st.rolled_back || once) {
            printf("watch: +%llu blocks (tip %lld, %llu rolled back), %.2f s\n",
                   (unsigned long long)st.blocks_added, (long long)st.tip,
                   (unsigned long long)st.rolled_back, st.seconds);
            fflush(stdout);
        }
        if (once)
            break;
        for (uint64_t k = 0; k < interval * 10 && !stop_flag; k++) {
            struct timespec ts = {0, 100000000};
            nanosleep(&ts, NULL);
        }
    }
    return CW_EXIT_OK;
}
