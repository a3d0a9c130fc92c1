/* cmd_peer.c: `chainwatch peer add|list|pull`: partner nodes and pulling their signed STIX
 * objects over TAXII 2.1. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/share.h"
#include "cli/cli.h"

extern const cw_command cw_cmd_peer;

static int run(int argc, char **argv)
{
    const cw_command *cmd = &cw_cmd_peer;
    if (argc < 2)
        return cw_cli_usage_error(cmd, "missing subcommand (add, list, pull)");
    const char *db = "chainwatch.db" /* CHAINWATCH_DB arrives as --db (main.c) */;
    const char *key = NULL, *pubkey = NULL, *org = NULL, *cacert = NULL, *pos[2] = {NULL, NULL};
    int npos = 0;
    bool json = false;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json = true;
        else if (i + 1 < argc && !strcmp(argv[i], "--db"))
            db = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "--key"))
            key = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "--pubkey"))
            pubkey = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "--org"))
            org = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "--cacert"))
            cacert = argv[++i];
        else if (argv[i][0] != '-' && npos < 2)
            pos[npos++] = argv[i];
        else
            return cw_cli_usage_error(cmd, "unexpected argument '%s'", argv[i]);
    }
    bool add = !strcmp(argv[1], "add"), pull = !strcmp(argv[1], "pull");
    if (!add && !pull && strcmp(argv[1], "list") != 0)
        return cw_cli_usage_error(cmd, "unknown subcommand '%s'", argv[1]);
    if (add && (npos != 2 || !key || !pubkey))
        return cw_cli_usage_error(cmd, "add needs NAME URL --key KEY --pubkey HEX");
    cw_node *n = NULL;
    int rc = cw_node_open(&n, db);
    if (rc)
        return cw_cli_fail("peer", rc);
    json_t *out = NULL;
    if (add) {
        rc = cw_peer_add(n, pos[0], pos[1], key, pubkey, org, cacert);
        if (!rc) {
            cw_audit_append(n, "cli", "peer.add", pos[0], "ok", pos[1]);
            if (!json)
                printf("added peer %s (%s)\n", pos[0], pos[1]);
            else
                out = json_pack("{s:s, s:s}", "name", pos[0], "url", pos[1]);
        }
    } else if (pull) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        rc = cw_peer_pull(n, pos[0], &out);
        curl_global_cleanup();
        if (!json && out) {
            size_t i;
            json_t *p;
            json_array_foreach(out, i, p)
                printf("%s: %s: fetched %lld, stored %lld, rejected %lld, new alerts %lld%s%s\n",
                       json_string_value(json_object_get(p, "peer")),
                       json_string_value(json_object_get(p, "status")),
                       (long long)json_integer_value(json_object_get(p, "fetched")),
                       (long long)json_integer_value(json_object_get(p, "stored")),
                       (long long)json_integer_value(json_object_get(p, "rejected")),
                       (long long)json_integer_value(json_object_get(p, "alerts")), rc ? ": " : "",
                       rc ? json_string_value(json_object_get(p, "error")) : "");
            json_decref(out);
            out = NULL;
        }
    } else {
        rc = cw_peer_list(n, &out);
        if (!rc && !json) {
            size_t i;
            json_t *p;
            json_array_foreach(out, i, p)
                printf("%-12s %-40s %s\n", json_string_value(json_object_get(p, "name")),
                       json_string_value(json_object_get(p, "url")),
                       json_string_value(json_object_get(p, "org")));
            json_decref(out);
            out = NULL;
        }
    }
    cw_node_close(n);
    if (out) {
        int prc = cw_cli_print_json(out);
        if (!rc)
            return prc;
    }
    return rc ? cw_cli_fail("peer", rc) : CW_EXIT_OK;
}

const cw_command cw_cmd_peer = {
    "peer", "register partner nodes and pull their signed STIX objects",
    "Usage: chainwatch peer add NAME URL --key API_KEY --pubkey HEX [--org ORG] [--cacert PEM]\n"
    "                           [--db PATH]\n"
    "       chainwatch peer list [--db PATH] [--json]\n"
    "       chainwatch peer pull [NAME] [--db PATH] [--json]\n\n"
    "URL is the partner's base URL (http://127.0.0.1:PORT or https://host:port); API_KEY the key\n"
    "the partner issued to this node (role peer); HEX the partner's Ed25519 public key as\n"
    "printed by its `chainwatch node show`; --cacert a PEM file of the CA (or the self-signed\n"
    "certificate) behind an https URL. pull fetches new objects over TAXII 2.1, verifies "
    "each\n"
    "signature, stores verified objects with their provenance, raises partner alerts for\n"
    "reports and logs rejected objects in the audit log (peer.reject).\n",
    run};
