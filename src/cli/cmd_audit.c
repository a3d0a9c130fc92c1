/* cmd_audit.c: `chainwatch audit verify|list|checkpoint`: checks the hash chain of the audit log
 * (and, with --checkpoints, against signed checkpoints kept outside the database), prints its
 * entries one escaped line each, or makes a signed checkpoint of its head. verify exits 4 when
 * the log was edited, truncated or had entries removed. */
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
    const char *db = "chainwatch.db" /* CHAINWATCH_DB arrives as --db (main.c) */;
    const char *action = NULL, *checkpoints = NULL, *append = NULL;
    int64_t limit = 0;
    bool json = false;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json = true;
        else if (i + 1 < argc && !strcmp(argv[i], "--db"))
            db = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "--action"))
            action = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "--checkpoints"))
            checkpoints = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "--append"))
            append = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "--limit")) {
            if (cw_parse_i64(&limit, argv[++i]) || limit < 0)
                return cw_cli_usage_error(cmd, "--limit: expected a count");
        } else
            return cw_cli_usage_error(cmd, "unexpected argument '%s'", argv[i]);
    }
    bool verify = !strcmp(argv[1], "verify"), cp = !strcmp(argv[1], "checkpoint");
    if (!verify && !cp && strcmp(argv[1], "list") != 0)
        return cw_cli_usage_error(cmd, "unknown subcommand '%s'", argv[1]);
    if (checkpoints && !verify)
        return cw_cli_usage_error(cmd, "--checkpoints goes with verify");
    if (append && !cp)
        return cw_cli_usage_error(cmd, "--append goes with checkpoint");
    cw_node *n = NULL;
    int rc = cw_node_open(&n, db);
    if (rc)
        return cw_cli_fail("audit", rc);
    if (cp) {
        json_t *c = NULL;
        rc = append ? cw_audit_checkpoint_append(n, append, &c) : cw_audit_checkpoint(n, &c);
        cw_node_close(n);
        if (rc)
            return cw_cli_fail("audit", rc);
        if (json || !append)
            return cw_cli_print_json(c);
        printf("checkpoint of entry %lld appended to %s\n",
               (long long)json_integer_value(json_object_get(c, "seq")), append);
        json_decref(c);
        return CW_EXIT_OK;
    }
    if (verify) {
        int64_t count = 0, ncp = 0;
        char head[65] = "";
        rc = cw_audit_verify(n, &count, head);
        /* Checkpoints kept outside the database (the server's file, or one a partner holds)
         * catch a log cut short whose head was rewritten to match. */
        if (!rc && checkpoints)
            rc = cw_audit_verify_checkpoints(n, checkpoints, &ncp);
        cw_node_close(n);
        if (json)
            cw_cli_print_json(json_pack("{s:b, s:I, s:s, s:I, s:s}", "intact", rc == 0, "entries",
                                        (json_int_t)count, "head", head, "checkpoints",
                                        (json_int_t)ncp, "error", rc ? cw_error_last() : ""));
        if (rc == CW_ECORRUPT) {
            fprintf(stderr, "chainwatch audit: %s\n", cw_error_last());
            return CW_EXIT_CHECK;
        }
        if (rc)
            return cw_cli_fail("audit", rc);
        if (!json)
            printf("audit log intact: %lld entries, head %s%s\n", (long long)count, head,
                   checkpoints ? ", consistent with every checkpoint" : "");
        return CW_EXIT_OK;
    }
    json_t *out = NULL;
    rc = cw_audit_list(n, limit, action, &out);
    cw_node_close(n);
    if (rc)
        return cw_cli_fail("audit", rc);
    if (json)
        return cw_cli_print_json(out);
    /* One line per entry: control characters (a %0a in a URL) are escaped so that no stored
     * field can forge a line of its own. */
    size_t i;
    json_t *e;
    static const char *const fields[] = {"time", "actor", "action", "target", "outcome", "detail"};
    json_array_foreach(out, i, e)
    {
        printf("%lld", (long long)json_integer_value(json_object_get(e, "seq")));
        for (int f = 0; f < 6; f++) {
            putchar(' ');
            for (const unsigned char *p =
                     (const unsigned char *)json_string_value(json_object_get(e, fields[f]));
                 p && *p; p++) {
                if (*p < 0x20 || *p == 0x7f)
                    printf("\\x%02x", *p);
                else
                    putchar(*p);
            }
        }
        putchar('\n');
    }
    json_decref(out);
    return CW_EXIT_OK;
}

const cw_command cw_cmd_audit = {
    "audit", "verify or list the hash-chained audit log",
    "Usage: chainwatch audit verify [--checkpoints FILE] [--db PATH] [--json]\n"
    "       chainwatch audit list [--action A] [--limit N] [--db PATH] [--json]\n"
    "       chainwatch audit checkpoint [--append FILE] [--db PATH] [--json]\n\n"
    "verify recomputes the keyed hash chain and exits 4 when an entry was edited, deleted,\n"
    "inserted or the log was cut short; it prints the head hash. With --checkpoints, it also\n"
    "checks the log against every signed checkpoint in FILE (one JSON object per line: the\n"
    "file `serve` appends to, <db>.checkpoints, or checkpoints a partner kept): a log that\n"
    "was truncated and its head rewritten to match is caught there (exit 4).\n"
    "checkpoint prints a new checkpoint of the head signed with the node key, or appends it\n"
    "to FILE. list prints one entry per line; control characters are shown as \\xNN and bytes\n"
    "that are not UTF-8 as \\xNN.\n",
    run};
