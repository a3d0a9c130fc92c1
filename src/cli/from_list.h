/* from_list.h: `trace`'s sources, from --from and --from-file (cmd_trace.c for Bitcoin,
 * trace_evm.c for an EVM store). */
#ifndef CW_CLI_FROM_LIST_H
#define CW_CLI_FROM_LIST_H

#include <stddef.h>

/* Sources in the order given; each source's file and line (file NULL, line 0: the command
 * line's --from). The texts of the files read are in bufs (the sources point into them). */
typedef struct cw_cli_from_list {
    const char **from;
    const char **file;
    size_t *line;
    int n, cap;
    char **bufs;
    size_t n_bufs;
} cw_cli_from_list;

/* Appends src (not copied), from file's line (NULL, 0: the command line). 0 or CW_ENOMEM. */
int cw_cli_from_push(cw_cli_from_list *f, const char *src, const char *file, size_t line);
/* Appends the sources of --from-file path: one a line (what --from takes), blank lines and lines
 * starting with '#' skipped, leading and trailing blanks dropped (cw_cli_list_next). 0, or the
 * error (the file named): unreadable, a NUL byte (its offset), no source in it. */
int cw_cli_from_file(cw_cli_from_list *f, const char *path);
/* Wraps error rc of source i with its file and line ("F line N: ") when it came from a file;
 * returns rc. */
int cw_cli_from_wrap(const cw_cli_from_list *f, int i, int rc);
void cw_cli_from_free(cw_cli_from_list *f);

#endif
