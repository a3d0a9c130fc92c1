/*
 * store_opts.h: option parsing shared by the chain query commands (block, tx, address, check):
 * positional arguments plus --store DIR (default $CHAINWATCH_STORE), --json, and for the paged
 * commands --offset, --limit.
 */
#ifndef CW_CLI_STORE_OPTS_H
#define CW_CLI_STORE_OPTS_H

#include <stdbool.h>
#include <stdint.h>

#include "chainwatch/btc/store.h"
#include "chainwatch/evm/store.h"
#include "cli/cli.h"

typedef struct cw_store_opts {
    const char *store;
    bool json;
    uint64_t offset, limit;
    char *args[8];
    int n_args;
} cw_store_opts;

/* Parses argv (argv[0] is the verb); returns CW_EXIT_OK or a usage exit code. --offset and
 * --limit are refused (exit 2, naming the option): a command that prints no page must not let an
 * analyst believe they asked for one. */
int cw_store_opts_parse(cw_store_opts *o, const cw_command *cmd, int argc, char **argv,
                        int min_args, int max_args);
/* The same, also taking --offset N and --limit N (default 25): for the commands that print a page
 * (address, cluster show). */
int cw_store_opts_parse_paged(cw_store_opts *o, const cw_command *cmd, int argc, char **argv,
                              int min_args, int max_args);
/* Takes `--opening FILE` (an EVM store's stated opening balances) out of argv into *opening
 * (NULL when absent), the rest into av (size >= 64, NULL-terminated) and *ac, before
 * cw_store_opts_parse; returns CW_EXIT_OK or a usage exit code naming cmd. */
int cw_store_opts_take_opening(const cw_command *cmd, int argc, char **argv, const char **opening,
                               char **av, int *ac);
/* Opens the store read-only; prints the error and returns an exit code on failure. */
int cw_store_opts_open(cw_chainstore **cs, const cw_store_opts *o, const char *verb);
/* After a read command read its answer *j (rc: its code) from a read-only store, before it
 * prints it: rc when *j is NULL or the store was not rolled back since it was opened; else *j is
 * freed and set to NULL and CW_EBUSY "DIR: the store was rolled back (a reorganisation) ...;
 * reopen the store and ask again" is returned, for the command to fail with instead of printing
 * an answer that may mix two forks. */
int cw_cli_chain_answer(json_t **j, const cw_chainstore *cs, int rc);
int cw_cli_evm_answer(json_t **j, const cw_evmstore *s, int rc);

#endif
