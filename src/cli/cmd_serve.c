/* cmd_serve.c: `chainwatch serve`: runs the node's HTTP server (JSON API and TAXII 2.1) until
 * SIGINT or SIGTERM. */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chainwatch/errors.h"
#include "chainwatch/server.h"
#include "chainwatch/util.h"
#include "cli/cli.h"

extern const cw_command cw_cmd_serve;

static int run(int argc, char **argv)
{
    const cw_command *cmd = &cw_cmd_serve;
    cw_server_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.db_path = "chainwatch.db" /* CHAINWATCH_DB arrives as --db (main.c) */;
    cfg.listen = "127.0.0.1:8443";
    const char *ready = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--no-cpu-pin")) { /* the one option without a value */
            cfg.cpu_pin = -1;
            continue;
        }
        if (i + 1 >= argc)
            return cw_cli_usage_error(cmd, "unexpected argument '%s'", a);
        const char *v = argv[++i];
        if (!strcmp(a, "--db"))
            cfg.db_path = v;
        else if (!strcmp(a, "--listen"))
            cfg.listen = v;
        else if (!strcmp(a, "--store"))
            cfg.store_dir = v;
        else if (!strcmp(a, "--labels"))
            cfg.labels_db = v;
        else if (!strcmp(a, "--evm-store"))
            cfg.evm_store_dir = v;
        else if (!strcmp(a, "--evm-labels"))
            cfg.evm_labels_db = v;
        else if (!strcmp(a, "--supply-db"))
            cfg.supply_db = v;
        else if (!strcmp(a, "--supply-rules"))
            cfg.supply_rules = v;
        else if (!strcmp(a, "--tls-cert"))
            cfg.tls_cert = v;
        else if (!strcmp(a, "--tls-key"))
            cfg.tls_key = v;
        else if (!strcmp(a, "--web-root"))
            cfg.web_root = v;
        else if (!strcmp(a, "--ready-file"))
            ready = v;
        else if (!strcmp(a, "--max-body")) {
            uint64_t n;
            if (cw_parse_u64(&n, v) || n == 0)
                return cw_cli_usage_error(cmd, "--max-body: expected bytes");
            cfg.max_body = (size_t)n;
        } else if (!strcmp(a, "--threads")) {
            uint64_t n;
            if (cw_parse_u64(&n, v) || n == 0 || n > 64)
                return cw_cli_usage_error(cmd, "--threads: expected 1 to 64");
            cfg.threads = (unsigned)n;
        } else
            return cw_cli_usage_error(cmd, "unknown option '%s'", a);
    }
    if (cfg.web_root) {
        char probe[4096];
        snprintf(probe, sizeof probe, "%s/index.html", cfg.web_root);
        if (access(probe, R_OK))
            return cw_cli_usage_error(cmd, "--web-root: %s has no index.html", cfg.web_root);
        snprintf(probe, sizeof probe, "%s/vendor/cytoscape.min.js", cfg.web_root);
        if (access(probe, R_OK))
            fprintf(stderr,
                    "chainwatch serve: warning: %s/vendor/ is incomplete (run "
                    "scripts/web-build.sh): the graphs and charts will not show\n",
                    cfg.web_root);
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* the daemon's threads inherit the mask */
    if (cfg.evm_labels_db && !cfg.evm_store_dir && !cfg.store_dir)
        return cw_cli_usage_error(cmd, "--evm-labels: the labels of an EVM store (--evm-store)");
    cw_server *s = NULL;
    /* A long-lived server allocates and frees a response's worth of memory per request: keep
     * freed heap instead of returning it to the kernel each time (the returns and the page
     * faults that follow halved the throughput of alerts?limit=100). Process-wide, so set
     * here, by the process that owns it. */
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_TOP_PAD, 16 << 20);
    int rc = cw_server_start(&s, &cfg);
    if (rc)
        return cw_cli_fail("serve", rc);
    char where[64];
    snprintf(where, sizeof where, "%s:%u", "127.0.0.1", (unsigned)cw_server_port(s));
    if (ready && (rc = cw_file_write_atomic(ready, where, strlen(where)))) {
        cw_server_stop(s);
        return cw_cli_fail("serve", rc);
    }
    fprintf(stderr, "chainwatch serve: listening on port %u (%s)\n", (unsigned)cw_server_port(s),
            cfg.tls_cert ? "https" : "http");
    int sig = 0;
    sigwait(&set, &sig);
    cw_server_stop(s);
    return CW_EXIT_OK;
}

const cw_command cw_cmd_serve = {
    "serve", "serve the JSON API and TAXII 2.1 for partners and users",
    "Usage: chainwatch serve [--db PATH] [--listen HOST:PORT] [--tls-cert PEM --tls-key PEM]\n"
    "                        [--store DIR] [--labels DB] [--evm-store DIR [--evm-labels DB]]\n"
    "                        [--supply-db DB [--supply-rules F]]\n"
    "                        [--web-root DIR] [--max-body BYTES] [--threads N]\n"
    "                        [--no-cpu-pin] [--ready-file F]\n\n"
    "Serves /api/v1/ (alerts: list, show, ack, close; with --store, the chain under\n"
    "/api/v1/chain/: status, tx/TXID, block/ID, address/ADDR, cluster/ADDR, screen/ADDR,\n"
    "trace?from=&model=&direction=&max_hops=&stop_at=; --labels names the label store; also\n"
    "/api/v1/trace, search?q=, supply/status, supply/explain/C/P (--supply-db), peers, audit;\n"
    "with --evm-store (or --store naming an EVM store) /api/v1/evm/status and\n"
    "evm/trace?from=0xTX[,0xTX]&model=&max_hops=&services=0: the account-model trace, with\n"
    "--evm-labels DB as its label store (default: --labels, the one-chain case)) and\n"
    "/taxii2/ (TAXII 2.1: discovery, API\n"
    "root /taxii2/api/, the node's collection with objects, manifest, versions, status). Every\n"
    "request needs an API key (chainwatch keys add) as 'Authorization: Bearer KEY'. Plain HTTP\n"
    "only on loopback (default 127.0.0.1:8443); elsewhere give a TLS certificate and key. Port 0\n"
    "picks a free port; --ready-file receives HOST:PORT once the server listens. Stops on\n"
    "SIGINT/SIGTERM. --threads N: request threads (default one per CPU the process may run on,\n"
    "as taskset or a cpuset allows, 1 to 16); more let lookups on a store that is not yet in\n"
    "memory wait for the disk side by side. With as many request threads as CPUs the process\n"
    "may use, each stays on a CPU of its own (two on one core wait for each other's time\n"
    "slice); --no-cpu-pin leaves them to the scheduler.\n"
    "--web-root DIR (or $CHAINWATCH_WEB_ROOT) serves the analyst dashboard from DIR (the\n"
    "repository's web/ after scripts/web-build.sh) at /; its pages ask for an API key and call\n"
    "/api/v1/.\n",
    run};
