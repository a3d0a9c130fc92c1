/* cmd_keys.c: `chainwatch keys add|revoke|list`: API keys per user or partner, with roles.
 * The key is printed once; the node stores only its keyed hash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/share.h"
#include "cli/cli.h"

extern const cw_command cw_cmd_keys;

static int run(int argc, char **argv)
{
    const cw_command *cmd = &cw_cmd_keys;
    if (argc < 2)
        return cw_cli_usage_error(cmd, "missing subcommand (add, revoke, list)");
    const char *db = "chainwatch.db" /* CHAINWATCH_DB arrives as --db (main.c) */;
    const char *name = NULL, *org = NULL, *role_s = "reader";
    bool json = false;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json = true;
        else if (i + 1 < argc && !strcmp(argv[i], "--db"))
            db = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "--org"))
            org = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "--role"))
            role_s = argv[++i];
        else if (argv[i][0] != '-' && !name)
            name = argv[i];
        else
            return cw_cli_usage_error(cmd, "unexpected argument '%s'", argv[i]);
    }
    cw_role role;
    if (cw_role_parse(&role, role_s))
        return cw_cli_usage_error(cmd, "%s", cw_error_last());
    bool add = !strcmp(argv[1], "add"), revoke = !strcmp(argv[1], "revoke");
    if (!add && !revoke && strcmp(argv[1], "list") != 0)
        return cw_cli_usage_error(cmd, "unknown subcommand '%s'", argv[1]);
    if ((add || revoke) && !name)
        return cw_cli_usage_error(cmd, "%s needs a NAME", argv[1]);
    cw_node *n = NULL;
    int rc = cw_node_open(&n, db);
    if (rc)
        return cw_cli_fail("keys", rc);
    json_t *out = NULL;
    if (add) {
        char *key = NULL;
        if (!org)
            org = role == CW_ROLE_PEER ? name : cw_node_org(n);
        rc = cw_keys_add(n, name, org, role, &key);
        if (!rc) {
            cw_audit_append(n, "cli", "key.add", name, "ok", cw_role_name(role));
            out = json_pack("{s:s, s:s, s:s, s:s}", "name", name, "org", org, "role",
                            cw_role_name(role), "key", key);
            if (!json) {
                printf("%s\n", key);
                json_decref(out);
                out = NULL;
            }
        }
        free(key);
    } else if (revoke) {
        rc = cw_keys_revoke(n, name);
        if (!rc) {
            cw_audit_append(n, "cli", "key.revoke", name, "ok", "");
            if (!json)
                printf("revoked %s\n", name);
            else
                out = json_pack("{s:s, s:b}", "name", name, "revoked", 1);
        }
    } else {
        rc = cw_keys_list(n, &out);
        if (!rc && !json) {
            size_t i;
            json_t *k;
            printf("%-20s %-12s %-8s %-21s %s\n", "NAME", "ORG", "ROLE", "CREATED", "REVOKED");
            json_array_foreach(out, i, k)
                printf("%-20s %-12s %-8s %-21s %s\n", json_string_value(json_object_get(k, "name")),
                       json_string_value(json_object_get(k, "org")),
                       json_string_value(json_object_get(k, "role")),
                       json_string_value(json_object_get(k, "created")),
                       json_string_value(json_object_get(k, "revoked"))
                           ? json_string_value(json_object_get(k, "revoked"))
                           : "-");
            json_decref(out);
            out = NULL;
        }
    }
    cw_node_close(n);
    if (rc)
        return cw_cli_fail("keys", rc);
    return out ? cw_cli_print_json(out) : CW_EXIT_OK;
}

const cw_command cw_cmd_keys = {
    "keys", "create, revoke or list API keys of users and partners",
    "Usage: chainwatch keys add NAME [--role reader|analyst|admin|peer] [--org ORG]\n"
    "                           [--db PATH] [--json]\n"
    "       chainwatch keys revoke NAME [--db PATH] [--json]\n"
    "       chainwatch keys list [--db PATH] [--json]\n\n"
    "add prints the new key once (only a keyed hash is stored). ORG is the organisation the\n"
    "TLP rules compare with: for a partner (role peer) its organisation, default NAME; for a\n"
    "user the node's own organisation. Roles: reader (read alerts and objects), analyst (also\n"
    "acknowledge and close), admin (everything), peer (a partner node pulling over TAXII).\n",
    run};
