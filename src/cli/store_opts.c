/* store_opts.c: see store_opts.h. */
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/util.h"
#include "cli/store_opts.h"

static int parse(cw_store_opts *o, const cw_command *cmd, int argc, char **argv, int min_args,
                 int max_args, bool paged)
{
    memset(o, 0, sizeof *o);
    o->store = getenv("CHAINWATCH_STORE");
    o->limit = 25;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json")) {
            o->json = true;
        } else if (!strcmp(a, "--store") || !strcmp(a, "--offset") || !strcmp(a, "--limit")) {
            if (i + 1 >= argc)
                return cw_cli_usage_error(cmd, "%s needs a value", a);
            if (!paged && strcmp(a, "--store"))
                return cw_cli_usage_error(cmd, "unknown option %s (this command prints no pages)",
                                          a);
            const char *v = argv[++i];
            if (!strcmp(a, "--store"))
                o->store = v;
            else if (cw_parse_u64(!strcmp(a, "--offset") ? &o->offset : &o->limit, v))
                return cw_cli_usage_error(cmd, "%s: %s", a, cw_error_last());
        } else if (!strncmp(a, "--", 2)) {
            return cw_cli_usage_error(cmd, "unknown option %s", a);
        } else {
            if (o->n_args >= max_args || o->n_args >= 8)
                return cw_cli_usage_error(cmd, "too many arguments");
            o->args[o->n_args++] = argv[i];
        }
    }
    if (o->n_args < min_args)
        return cw_cli_usage_error(cmd, "missing argument");
    if (!o->store)
        return cw_cli_usage_error(cmd, "--store DIR is required (or set CHAINWATCH_STORE)");
    return CW_EXIT_OK;
}

int cw_store_opts_parse(cw_store_opts *o, const cw_command *cmd, int argc, char **argv,
                        int min_args, int max_args)
{
    return parse(o, cmd, argc, argv, min_args, max_args, false);
}

int cw_store_opts_parse_paged(cw_store_opts *o, const cw_command *cmd, int argc, char **argv,
                              int min_args, int max_args)
{
    return parse(o, cmd, argc, argv, min_args, max_args, true);
}

static int drop_answer(json_t **j, int check, int rc)
{
    if (!check)
        return rc;
    json_decref(*j);
    *j = NULL;
    return check;
}

int cw_cli_chain_answer(json_t **j, const cw_chainstore *cs, int rc)
{
    return *j ? drop_answer(j, cw_chainstore_snapshot_check(cs), rc) : rc;
}

int cw_cli_evm_answer(json_t **j, const cw_evmstore *s, int rc)
{
    return *j ? drop_answer(j, cw_evmstore_snapshot_check(s), rc) : rc;
}

int cw_store_opts_open(cw_chainstore **cs, const cw_store_opts *o, const char *verb)
{
    int rc = cw_chainstore_open(cs, o->store, false, CW_NET_MAIN);
    if (rc)
        return cw_cli_fail(verb, rc);
    return CW_EXIT_OK;
}

int cw_store_opts_take_opening(const cw_command *cmd, int argc, char **argv, const char **opening,
                               char **av, int *ac)
{
    *opening = NULL;
    *ac = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--opening")) {
            if (i + 1 >= argc)
                return cw_cli_usage_error(cmd, "--opening needs a file");
            *opening = argv[++i];
        } else if (*ac < 63) {
            av[(*ac)++] = argv[i];
        } else {
            return cw_cli_usage_error(cmd, "too many arguments");
        }
    }
    av[*ac] = NULL;
    return CW_EXIT_OK;
}
