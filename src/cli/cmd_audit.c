/* cmd_audit.c: `chainwatch audit verify|list`: checks the hash chain of the audit log, or
 * prints its entries. verify exits 4 when the log was edited, truncated or had entries removed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/share.h"
#include "chainwatch/util.h"
#include "cli/cli.h"

extern const cw_command cw_cmd_audit;

static int run(int argc, char **argv)
{
    const cw_command *cmd = &cw_cmd_audit;
    if (argc < 2)
        return cw_cli_usage_error(cmd, "missing subcommand (verify, list)");
    const char *db = getenv("CW_DB") ? getenv("CW_DB") : "chainwatch.db";
    const char *action = NULL;
    int64_t limit = 0;
    bool json = false;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json = true;
        else if (i + 1 < argc && !strcmp(argv[i], "--db"))
            db = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "--action"))
            action = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "--limit")) {
            if (cw_parse_i64(&limit, argv[++i]) || limit < 0)
                return cw_cli_usage_error(cmd, "--limit: expected a count");
        } else
            return cw_cli_usage_error(cmd, "unexpected argument '%s'", argv[i]);
    }
    bool verify = !strcmp(argv[1], "verify");
    if (!verify && strcmp(argv[1], "list") != 0)
        return cw_cli_usage_error(cmd, "unknown subcommand '%s'", argv[1]);
    cw_node *n = NULL;
    int rc = cw_node_open(&n, db);
    if (rc)
        return cw_cli_fail("audit", rc);
    if (verify) {
        int64_t count = 0;
        char head[65] = "";
        rc = cw_audit_verify(n, &count, head);
        cw_node_close(n);
        if (json)
            cw_cli_print_json(json_pack("{s:b, s:I, s:s, s:s}", "intact", rc == 0, "entries",
                                        (json_int_t)count, "head", head, "error",
                                        rc ? cw_error_last() : ""));
        if (rc == CW_ECORRUPT) {
            fprintf(stderr, "chainwatch audit: %s\n", cw_error_last());
            return CW_EXIT_CHECK;
        }
        if (rc)
            return cw_cli_fail("audit", rc);
        if (!json)
            printf("audit log intact: %lld entries, head %s\n", (long long)count, head);
        return CW_EXIT_OK;
    }
    json_t *out = NULL;
    rc = cw_audit_list(n, limit, action, &out);
    cw_node_close(n);
    if (rc)
        return cw_cli_fail("audit", rc);
    if (json)
        return cw_cli_print_json(out);
    size_t i;
    json_t *e;
    json_array_foreach(out, i, e)
        printf("%lld %s %s %s %s %s %s\n", (long long)json_integer_value(json_object_get(e, "seq")),
               json_string_value(json_object_get(e, "time")),
               json_string_value(json_object_get(e, "actor")),
               json_string_value(json_object_get(e, "action")),
               json_string_value(json_object_get(e, "target")),
               json_string_value(json_object_get(e, "outcome")),
               json_string_value(json_object_get(e, "detail")));
    json_decref(out);
    return CW_EXIT_OK;
}

const cw_command cw_cmd_audit = {
    "audit", "verify or list the hash-chained audit log",
    "Usage: chainwatch audit verify [--db PATH] [--json]\n"
    "       chainwatch audit list [--action A] [--limit N] [--db PATH] [--json]\n\n"
    "verify recomputes the keyed hash chain and exits 4 when an entry was edited, deleted,\n"
    "inserted or the log was cut short; it prints the head hash, which you can record elsewhere.\n",
    run};
