/*
 * cmd_watch.c: `chainwatch watch`: follows a growing Bitcoin Core blocks directory: ingests
 * new blocks, extends the pattern flags and clusters, runs the alert rules, then waits
 * --interval seconds and does it again, until SIGINT/SIGTERM (or once with --once).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "chainwatch/btc/ingest.h"
#include "chainwatch/cluster.h"
#include "chainwatch/errors.h"
#include "chainwatch/monitor.h"
#include "chainwatch/patterns.h"
#include "chainwatch/util.h"
#include "cli/cli.h"

extern const cw_command cw_cmd_watch;
int cw_cli__rule_opt(cw_monitor_opts *o, int argc, char **argv, int *i);

static volatile int stop_flag; /* set by the signal handler */

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

int cw_cli_watch_evm(int argc, char **argv); /* evm_rpc_cli.c: EVM stores over JSON-RPC */

static int run(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--rpc") || !strncmp(argv[i], "--rpc=", 6))
            return cw_cli_watch_evm(argc, argv);
    cw_monitor_opts mo = {0};
    cw_ingest_opts io = {0};
    io.net = CW_NET_MAIN;
    io.net_from_files = true;
    io.to_height = -1;
    io.threads = 1;
    bool once = false;
    uint64_t interval = 5;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--once")) {
            once = true;
        } else if (!strcmp(a, "--blocks") && i + 1 < argc) {
            io.blocks_dir = argv[++i];
        } else if (!strcmp(a, "--network") && i + 1 < argc) {
            io.net_from_files = strcmp(argv[++i], "auto") == 0;
            if (!io.net_from_files && cw_network_parse(&io.net, argv[i]))
                return cw_cli_usage_error(&cw_cmd_watch, "%s (or auto)", cw_error_last());
        } else if (!strcmp(a, "--interval") && i + 1 < argc) {
            if (cw_parse_u64(&interval, argv[++i]) || interval == 0 || interval > 86400)
                return cw_cli_usage_error(&cw_cmd_watch, "--interval: 1..86400 seconds");
        } else if (!cw_cli__rule_opt(&mo, argc, argv, &i)) {
            return cw_cli_usage_error(&cw_cmd_watch, "unknown option or missing value: %s", a);
        }
    }
    if (!io.blocks_dir || !mo.store_dir || !mo.node_db)
        return cw_cli_usage_error(&cw_cmd_watch, "--blocks, --store and --db are required");
    io.store_dir = mo.store_dir;
    io.stop = &stop_flag;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    while (!stop_flag) {
        double t0 = cw_now();
        cw_ingest_stats is;
        cw_monitor_stats ms;
        int rc = cw_ingest_btc(&io, &is);
        if (rc == CW_EINTR)
            break;
        if (!rc && (is.blocks_added || is.rolled_back || once)) {
            rc = cw_patterns_build(mo.store_dir, NULL);
            if (!rc)
                rc = cw_cluster_build(mo.store_dir, 0, NULL);
        }
        if (!rc)
            rc = cw_monitor_run(&mo, &ms);
        if (rc) {
            fprintf(stderr, "chainwatch watch: %s\n", cw_error_last());
            if (once)
                return CW_EXIT_FAIL;
        } else if (is.blocks_added || ms.raised || once) {
            printf("watch: +%llu blocks (tip %lld, %llu rolled back), %llu alerts raised, "
                   "%.2f s from scan to alerts\n",
                   (unsigned long long)is.blocks_added, (long long)is.tip_height,
                   (unsigned long long)is.rolled_back, (unsigned long long)ms.raised,
                   cw_now() - t0);
            fflush(stdout);
        }
        if (once)
            break;
        for (uint64_t s = 0; s < interval * 10 && !stop_flag; s++) {
            struct timespec ts = {0, 100000000};
            nanosleep(&ts, NULL);
        }
    }
    return CW_EXIT_OK;
}

const cw_command cw_cmd_watch = {
    "watch", "follow a growing blocks directory: ingest, analyse, raise alerts",
    "Usage: chainwatch watch --blocks DIR --store DIR --db NODE_DB [--network NET]\n"
    "                        [--labels DB] [--cases FILE] [--supply-db DB] [--interval S] "
    "[--once]\n"
    "                        [--synthetic]\n\n"
    "Every --interval seconds (default 5): ingests new blocks (reorgs rolled back), extends the\n"
    "pattern flags and the clusters, and runs the alert rules (see 'chainwatch rules --help').\n"
    "Stops cleanly on SIGINT/SIGTERM; --once runs one round. --network as for 'ingest btc'\n"
    "(default auto: the magic of the first block record).\n\n"
    "EVM: chainwatch watch --rpc URL --store DIR [--interval S] [--once] follows an EVM node\n"
    "over JSON-RPC (reorgs rolled back), with the options of ingest evm --rpc (--chain,\n"
    "--traces, --timeout, --from, --to, --max-reorg, --commit-blocks; see\n"
    "'chainwatch watch --rpc --help').\n",
    run};
