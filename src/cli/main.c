/*
 * main.c: `chainwatch <command> [options]`. Finds the command in the generated table and runs
 * it; everything else lives in the engines. Also holds the shared CLI helpers of cli.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "cli/cli.h"

#include "commands.inc"

int cw_cli_fail(const char *verb, int rc)
{
    fprintf(stderr, "chainwatch %s: %s\n", verb, cw_error_last());
    switch (rc) {
    case CW_ENOTFOUND:
        return CW_EXIT_NOTFOUND;
    case CW_EINVAL:
        return CW_EXIT_USAGE;
    case CW_EINTR:
        return CW_EXIT_INTR;
    default:
        return CW_EXIT_FAIL;
    }
}

int cw_cli_help(const cw_command *cmd)
{
    fputs(cmd->usage, stdout);
    return CW_EXIT_OK;
}

int cw_cli_usage_error(const cw_command *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "chainwatch %s: ", cmd->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'chainwatch %s --help'.\n", cmd->name);
    return CW_EXIT_USAGE;
}

int cw_cli_print_json(json_t *v)
{
    if (!v) {
        fprintf(stderr, "chainwatch: out of memory building JSON\n");
        return CW_EXIT_FAIL;
    }
    int rc = json_dumpf(v, stdout, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
    fputc('\n', stdout);
    json_decref(v);
    return rc == 0 ? CW_EXIT_OK : CW_EXIT_FAIL;
}

bool cw_cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            break;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return true;
    }
    return false;
}

static void print_main_help(void)
{
    printf("chainwatch %s: early warning on illicit crypto flows and critical-mineral supply "
           "chains\n\nUsage: chainwatch <command> [options]\n\nCommands:\n",
           CW_VERSION);
    for (size_t i = 0; cw_commands[i]; i++)
        printf("  %-10s %s\n", cw_commands[i]->name, cw_commands[i]->summary);
    printf("\nRun 'chainwatch <command> --help' for a command's options.\n"
           "Exit codes: 0 success, 1 failure, 2 usage error, 3 not found, 4 integrity check "
           "failed, 130 interrupted.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        print_main_help();
        return argc < 2 ? CW_EXIT_USAGE : CW_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("chainwatch %s\n", CW_VERSION);
        return CW_EXIT_OK;
    }
    for (size_t i = 0; cw_commands[i]; i++) {
        if (!strcmp(argv[1], cw_commands[i]->name)) {
            if (cw_cli_wants_help(argc - 1, argv + 1))
                return cw_cli_help(cw_commands[i]);
            return cw_commands[i]->run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "chainwatch: unknown command '%s'. Run 'chainwatch --help'.\n", argv[1]);
    return CW_EXIT_USAGE;
}
