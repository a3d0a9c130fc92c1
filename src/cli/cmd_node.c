/* cmd_node.c: `chainwatch node init|show`: create a node (identity, Ed25519 key, node secret,
 * TAXII collection) in a database, or print its public facts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/share.h"
#include "cli/cli.h"

extern const cw_command cw_cmd_node;

static int run(int argc, char **argv)
{
    const cw_command *cmd = &cw_cmd_node;
    if (argc < 2)
        return cw_cli_usage_error(cmd, "missing subcommand (init, show)");
    const char *db = getenv("CW_DB") ? getenv("CW_DB") : "chainwatch.db";
    const char *name = NULL, *org = NULL;
    bool json = false;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json = true;
        else if (i + 1 < argc && !strcmp(argv[i], "--db"))
            db = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "--name"))
            name = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "--org"))
            org = argv[++i];
        else
            return cw_cli_usage_error(cmd, "unexpected argument '%s'", argv[i]);
    }
    int rc;
    if (!strcmp(argv[1], "init")) {
        if (!name)
            return cw_cli_usage_error(cmd, "init needs --name");
        if ((rc = cw_node_init(db, name, org)))
            return cw_cli_fail("node", rc);
    } else if (strcmp(argv[1], "show") != 0) {
        return cw_cli_usage_error(cmd, "unknown subcommand '%s'", argv[1]);
    }
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
    "       chainwatch node show [--db PATH] [--json]\n\n"
    "init creates, in the database (default $CW_DB or ./chainwatch.db), a node secret, an\n"
    "Ed25519 signing key, the node's STIX identity and its TAXII collection. ORG (default NAME)\n"
    "is the organisation that TLP rules compare with. show prints the public key that partners\n"
    "register with `chainwatch peer add --pubkey`.\n",
    run};
