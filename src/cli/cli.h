/*
 * cli.h: the command table and helpers shared by src/cli/cmd_*.c.
 *
 * Each src/cli/cmd_<verb>.c defines one `const cw_command cw_cmd_<verb>`; CMake lists them in
 * the generated commands.inc, so adding a command touches no other file.
 * Exit codes (documented in README.md): 0 success, 1 failure, 2 usage error, 3 not found,
 * 4 integrity check failed, 130 interrupted.
 *
 * main.c does, for every command, before it runs (so command files need not): the CHAINWATCH_*
 * environment variable of each database/store option the command accepts is turned into that
 * option when the command line lacks it (README "Environment"), and a command that does not
 * create databases is refused (exit 3, naming the path and the option) when a database or store
 * it would open does not exist, so no read ever leaves an empty database behind.
 */
#ifndef CW_CLI_H
#define CW_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

enum {
    CW_EXIT_OK = 0,
    CW_EXIT_FAIL = 1,
    CW_EXIT_USAGE = 2,
    CW_EXIT_NOTFOUND = 3,
    CW_EXIT_CHECK = 4,
    CW_EXIT_INTR = 130
};

typedef struct cw_command {
    const char *name;                  /* the verb: chainwatch <name> ... */
    const char *summary;               /* one line for `chainwatch --help` */
    const char *usage;                 /* full --help text */
    int (*run)(int argc, char **argv); /* argv[0] is the verb; returns an exit code */
} cw_command;

/* The last error's text without what "chainwatch <verb>: " already says: a leading "<verb>: "
 * and a repeated head ("address 'x': address 'x': ...") are dropped. */
const char *cw_cli_error_text(const char *verb);

/* Prints the last error as "chainwatch <verb>: <message>" and maps the code to an exit code. */
int cw_cli_fail(const char *verb, int rc);

/* Prints usage to stdout (--help) and returns CW_EXIT_OK. */
int cw_cli_help(const cw_command *cmd);

/* Prints "chainwatch <verb>: <msg>\n" plus a hint to stderr and returns CW_EXIT_USAGE. */
int cw_cli_usage_error(const cw_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* --file lists (one entry a line): the next entry of [*p, end) with surrounding blanks and a CR
 * trimmed, blank lines and # comments skipped; *p moves past its line and *line counts lines.
 * Returns false at the end. The entry is not terminated (its length is *n). */
bool cw_cli_list_next(const char **p, const char *end, size_t *line, const char **entry, size_t *n);

/* Dumps a JSON value to stdout with sorted keys and a newline; steals the reference. */
int cw_cli_print_json(json_t *v);

/* A block's on-chain time (a JSON integer of seconds since the epoch, as the queries' "time")
 * in RFC 3339 UTC, "2009-01-12T03:30:25Z", into buf; "?" when t is not an integer. Returns buf. */
const char *cw_cli_chain_time(char buf[32], const json_t *t);

/* The first line of a text answer from a store holding a generated world (the document's
 * "synthetic" is true: cw_evmstore_synthetic); nothing otherwise. */
void cw_cli_synthetic_line(const json_t *doc);

/* True when argv contains --help or -h. */
bool cw_cli_wants_help(int argc, char **argv);

/* A progress line for work that reports no counts (an engine call without a progress hook):
 * on a terminal only (stderr a tty, CHAINWATCH_NO_PROGRESS unset), after 2 s (or
 * $CHAINWATCH_PROGRESS_DELAY seconds; 0: at once), redrawn every
 * second as "<label>: N s"; stop clears the line. Returns NULL when disabled or on failure
 * (stop accepts NULL). */
typedef struct cw_cli_ticker cw_cli_ticker;
cw_cli_ticker *cw_cli_ticker_start(const char *label);
void cw_cli_ticker_stop(cw_cli_ticker *t);

#endif
