/* cmd_node.c: `chainwatch node init|show|publish`: create a node (identity, Ed25519 key, node
 * secret, TAXII collection) in a database, print its public facts, or publish pending alerts
 * and list (and retry) those that could not become STIX. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/share.h"
#include "cli/cli.h"

extern const cw_command cw_cmd_node;

/* node publish: publishes pending alerts, then lists those that could not become STIX;
 * with --retry, tries those again (all, or --alert ID). */
static int publish(const char *db, bool retry, int64_t alert_id, bool json)
{
    cw_node *n = NULL;
    int rc = cw_node_open(&n, db);
    if (rc)
        return cw_cli_fail("node", rc);
    int added = 0, republished = 0, still = 0;
    json_t *skipped = NULL;
    rc = cw_share_publish_pending(n, &added);
    if (!rc && retry)
        rc = cw_share_publish_retry(n, alert_id, &republished, &still);
    if (!rc)
        rc = cw_share_publish_skipped(n, &skipped);
    cw_node_close(n);
    if (rc)
        return cw_cli_fail("node", rc);
    if (json)
        return cw_cli_print_json(json_pack("{s:i, s:i, s:o}", "objects_added", added,
                                           "alerts_republished", republished, "skipped", skipped));
    printf("%d objects published", added);
    if (retry)
        printf("; %d skipped alerts published on retry", republished);
    printf("\n");
    size_t i;
    json_t *e;
    json_array_foreach(skipped, i, e) printf(
        "skipped alert %lld: %s\n", (long long)json_integer_value(json_object_get(e, "alert_id")),
        json_string_value(json_object_get(e, "reason")));
    json_decref(skipped);
    return CW_EXIT_OK;
}

static int run(int argc, char **argv)
{
    const cw_command *cmd = &cw_cmd_node;
    if (argc < 2)
        return cw_cli_usage_error(cmd, "missing subcommand (init, show, publish)");
    const char *db = "chainwatch.db" /* CHAINWATCH_DB arrives as --db (main.c) */;
    const char *name = NULL, *org = NULL;
    bool json = false, retry = false;
    int64_t alert_id = 0;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json = true;
        else if (i + 1 < argc && !strcmp(argv[i], "--db"))
            db = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "--name"))
            name = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "--org"))
            org = argv[++i];
        else if (!strcmp(argv[i], "--retry"))
            retry = true;
        else if (i + 1 < argc && !strcmp(argv[i], "--alert")) {
            if (cw_parse_i64(&alert_id, argv[++i]) || alert_id <= 0)
                return cw_cli_usage_error(cmd, "--alert: expected an alert id");
        } else
            return cw_cli_usage_error(cmd, "unexpected argument '%s'", argv[i]);
    }
    int rc;
    if (!strcmp(argv[1], "init")) {
        if (!name)
            return cw_cli_usage_error(cmd, "init needs --name");
        if ((rc = cw_node_init(db, name, org)))
            return cw_cli_fail("node", rc);
    } else if (!strcmp(argv[1], "publish")) {
        return publish(db, retry, alert_id, json);
    } else if (strcmp(argv[1], "show") != 0) {
        return cw_cli_usage_error(cmd, "unknown subcommand '%s'", argv[1]);
    }
    if (retry || alert_id)
        return cw_cli_usage_error(cmd, "--retry and --alert go with publish");
    cw_node *n = NULL;
    if ((rc = cw_node_open(&n, db)))
        return cw_cli_fail("node", rc);
    json_t *info = cw_node_info(n);
    cw_node_close(n);
    if (json)
        return cw_cli_print_json(info);
    printf("name        %s\norg         %s\nidentity    %s\ncollection  %s\npublic key  %s\n",
           json_string_value(json_object_get(info, "name")),
           json_string_value(json_object_get(info, "org")),
           json_string_value(json_object_get(info, "identity")),
           json_string_value(json_object_get(info, "collection")),
           json_string_value(json_object_get(info, "public_key")));
    json_decref(info);
    return CW_EXIT_OK;
}

const cw_command cw_cmd_node = {
    "node", "initialise a sharing node or show its identity and public key",
    "Usage: chainwatch node init --name NAME [--org ORG] [--db PATH] [--json]\n"
    "       chainwatch node show [--db PATH] [--json]\n"
    "       chainwatch node publish [--retry [--alert ID]] [--db PATH] [--json]\n\n"
    "init creates, in the database (default $CHAINWATCH_DB or ./chainwatch.db), a node secret, an\n"
    "Ed25519 signing key, the node's STIX identity and its TAXII collection. ORG (default NAME)\n"
    "is the organisation that TLP rules compare with. show prints the public key that partners\n"
    "register with `chainwatch peer add --pubkey`. publish turns pending local alerts into signed\n"
    "STIX objects (serve does this by itself) and lists the alerts that could not become STIX\n"
    "(an address no STIX wallet can carry, say): they are skipped, never block the others, and\n"
    "--retry tries them again.\n",
    run};
