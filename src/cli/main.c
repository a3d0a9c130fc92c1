/*
 * main.c: `chainwatch <command> [options]`. Finds the command in the generated table and runs
 * it; everything else lives in the engines. Also holds the shared CLI helpers of cli.h, and the
 * two rules every command follows without its own code (cli.h):
 *   - environment: one CHAINWATCH_* variable per database/store option (env_opts below), turned
 *     into the option when the command accepts it and the command line does not give it; the
 *     old CW_DB, CW_SUPPLY_DB and CW_WEB_ROOT still work, with a deprecation note;
 *   - no read creates anything: a database or store path that does not exist is refused with
 *     exit 3 unless the command is one that makes it (creators below).
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "chainwatch/errors.h"
#include "chainwatch/util.h"
#include "cli/cli.h"

#include "commands.inc"

const char *cw_cli_error_text(const char *verb)
{
    const char *m = cw_error_last();
    size_t n = strlen(verb);
    /* "screen: ..." from an engine named like the verb: the prefix is printed once already */
    if (!strncmp(m, verb, n) && m[n] == ':' && m[n + 1] == ' ')
        m += n + 2;
    /* "address 'x': address 'x': ..." (a wrapped message that repeats its head): once */
    const char *colon = strstr(m, ": ");
    if (colon) {
        size_t head = (size_t)(colon - m) + 2;
        if (!strncmp(m, m + head, head))
            m += head;
    }
    return m;
}

bool cw_cli_list_next(const char **p, const char *end, size_t *line, const char **entry, size_t *n)
{
    while (*p < end) {
        const char *s = *p, *nl = memchr(s, '\n', (size_t)(end - s));
        const char *e = nl ? nl : end;
        *p = nl ? nl + 1 : end;
        ++*line;
        while (e > s && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
            e--;
        while (s < e && (*s == ' ' || *s == '\t'))
            s++;
        if (s < e && *s != '#') {
            *entry = s;
            *n = (size_t)(e - s);
            return true;
        }
    }
    return false;
}

int cw_cli_fail(const char *verb, int rc)
{
    fprintf(stderr, "chainwatch %s: %s\n", verb, cw_cli_error_text(verb));
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

const char *cw_cli_chain_time(char buf[32], const json_t *t)
{
    if (!json_is_integer(t)) {
        snprintf(buf, 32, "?");
        return buf;
    }
    cw_time_format(buf, (int64_t)json_integer_value(t) * 1000000, 0);
    return buf;
}

void cw_cli_synthetic_line(const json_t *doc)
{
    if (json_is_true(json_object_get(doc, "synthetic")))
        printf("SYNTHETIC world: this store holds a generated chain (MANIFEST synthetic 1); "
               "everything below is made up\n");
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

/* ---- the ticker (cli.h) ---- */

struct cw_cli_ticker {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop, drawn;
    long delay; /* seconds before the first draw: 2, or $CHAINWATCH_PROGRESS_DELAY */
    char label[96];
};

static void *ticker_main(void *arg)
{
    cw_cli_ticker *t = arg;
    struct timespec start, deadline;
    clock_gettime(CLOCK_REALTIME, &start);
    pthread_mutex_lock(&t->mu);
    for (long s = t->delay; !t->stop; s++) { /* delay 0: a first line at once */
        deadline = start;
        deadline.tv_sec += s;
        while (!t->stop && pthread_cond_timedwait(&t->cv, &t->mu, &deadline) != ETIMEDOUT)
            ;
        if (t->stop)
            break;
        fprintf(stderr, "\r%s: %ld s, working...\033[K", t->label, s);
        fflush(stderr);
        t->drawn = true;
    }
    if (t->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

cw_cli_ticker *cw_cli_ticker_start(const char *label)
{
    if (!isatty(STDERR_FILENO) || getenv("CHAINWATCH_NO_PROGRESS") || getenv("CW_NO_PROGRESS"))
        return NULL;
    cw_cli_ticker *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    snprintf(t->label, sizeof t->label, "%s", label);
    uint64_t d = 2;
    const char *ds = getenv("CHAINWATCH_PROGRESS_DELAY");
    if (ds && cw_parse_u64(&d, ds) == 0 && d <= 3600)
        t->delay = (long)d;
    else
        t->delay = 2;
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->cv, NULL);
    if (pthread_create(&t->thread, NULL, ticker_main, t)) {
        pthread_cond_destroy(&t->cv);
        pthread_mutex_destroy(&t->mu);
        free(t);
        return NULL;
    }
    return t;
}

void cw_cli_ticker_stop(cw_cli_ticker *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&t->mu);
    t->stop = true;
    pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&t->mu);
    pthread_join(t->thread, NULL);
    pthread_cond_destroy(&t->cv);
    pthread_mutex_destroy(&t->mu);
    free(t);
}

/* ---- environment and "no read creates anything" ---- */

/* One row per option: for verb (NULL: any verb that documents the option in its --help),
 * the variable, the old name still honoured, and the command's own default path. */
typedef struct env_opt {
    const char *verb, *opt, *env, *old_env, *dflt;
} env_opt;

static const env_opt env_opts[] = {
    {"labels", "--db", "CHAINWATCH_LABELS_DB", NULL, "labels.db"},
    {"supply", "--db", "CHAINWATCH_SUPPLY_DB", "CW_SUPPLY_DB", "supply.db"},
    {"alerts", "--db", "CHAINWATCH_DB", "CW_DB", "chainwatch.db"},
    {"audit", "--db", "CHAINWATCH_DB", "CW_DB", "chainwatch.db"},
    {"keys", "--db", "CHAINWATCH_DB", "CW_DB", "chainwatch.db"},
    {"node", "--db", "CHAINWATCH_DB", "CW_DB", "chainwatch.db"},
    {"peer", "--db", "CHAINWATCH_DB", "CW_DB", "chainwatch.db"},
    {"serve", "--db", "CHAINWATCH_DB", "CW_DB", "chainwatch.db"},
    {NULL, "--db", "CHAINWATCH_DB", "CW_DB", NULL}, /* rules, watch: required, no default */
    {NULL, "--store", "CHAINWATCH_STORE", NULL, NULL},
    {NULL, "--labels", "CHAINWATCH_LABELS_DB", NULL, NULL},
    {NULL, "--supply-db", "CHAINWATCH_SUPPLY_DB", "CW_SUPPLY_DB", NULL},
    {NULL, "--web-root", "CHAINWATCH_WEB_ROOT", "CW_WEB_ROOT", NULL},
};

/* Commands that make the database or store named by opt (sub NULL: every subcommand). */
static const struct {
    const char *verb, *sub, *opt;
} creators[] = {
    {"node", "init", "--db"},    {"labels", "import", "--db"}, {"supply", "load", "--db"},
    {"supply", "synth", "--db"}, {"ingest", NULL, "--store"},  {"watch", NULL, "--store"},
};

/* True when the usage text documents opt as a whole word ("--db" is not "--db-x"). */
static bool documents(const char *usage, const char *opt)
{
    size_t n = strlen(opt);
    for (const char *p = usage; (p = strstr(p, opt)); p += n) {
        char c = p[n];
        if (!(c >= 'a' && c <= 'z') && c != '-' && c != '_')
            return true;
    }
    return false;
}

/* Index of opt's value in argv (options before "--"), or 0 when the option is absent. */
static int find_opt(int argc, char **argv, const char *opt)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            return 0;
        if (!strcmp(argv[i], opt))
            return i + 1 < argc ? i + 1 : 0;
    }
    return 0;
}

static bool is_creator(const char *verb, const char *sub, const char *opt)
{
    for (size_t i = 0; i < sizeof creators / sizeof creators[0]; i++)
        if (!strcmp(creators[i].verb, verb) && !strcmp(creators[i].opt, opt) &&
            (!creators[i].sub || (sub && !strcmp(creators[i].sub, sub))))
            return true;
    return false;
}

/* Builds the argument vector the command sees (environment turned into options) and refuses
 * a path that a non-creating command would open but that does not exist. Returns -1 to run
 * the command with *out_argv (malloc'd, to free), or an exit code. */
static int prepare(const cw_command *cmd, int argc, char **argv, int *out_argc, char ***out_argv)
{
    size_t n_opts = sizeof env_opts / sizeof env_opts[0];
    char **nv = calloc((size_t)argc + 2 * n_opts + 1, sizeof *nv);
    if (!nv) {
        fprintf(stderr, "chainwatch %s: out of memory\n", cmd->name);
        return CW_EXIT_FAIL;
    }
    int dashdash = argc;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--")) {
            dashdash = i;
            break;
        }
    int nc = 0;
    for (int i = 0; i < dashdash; i++)
        nv[nc++] = argv[i];
    const char *sub = argc > 1 && argv[1][0] != '-' ? argv[1] : NULL;
    /* a verb with subcommands given one it does not have: the command's own usage error (2)
     * comes first, before anything about its databases */
    static const char *const with_subs[] = {"alerts", "audit",    "cluster", "keys",  "labels",
                                            "node",   "patterns", "peer",    "rules", "supply"};
    bool check = true;
    for (size_t i = 0; i < sizeof with_subs / sizeof with_subs[0]; i++)
        if (!strcmp(cmd->name, with_subs[i]) && (!sub || !documents(cmd->usage, sub)))
            check = false;
    const char *done[sizeof env_opts / sizeof env_opts[0]];
    size_t n_done = 0;
    for (size_t k = 0; k < n_opts; k++) {
        const env_opt *e = &env_opts[k];
        if (e->verb && strcmp(e->verb, cmd->name))
            continue;
        bool seen = false;
        for (size_t d = 0; d < n_done; d++)
            seen |= !strcmp(done[d], e->opt);
        if (seen || !documents(cmd->usage, e->opt))
            continue;
        done[n_done++] = e->opt;
        const char *path = NULL, *from = e->opt;
        bool inject = false;
        int at = find_opt(argc, argv, e->opt);
        if (at) {
            path = argv[at];
        } else if (getenv(e->env) && getenv(e->env)[0]) {
            path = getenv(e->env);
            from = e->env;
            inject = true;
        } else if (e->old_env && getenv(e->old_env) && getenv(e->old_env)[0]) {
            path = getenv(e->old_env);
            from = e->old_env;
            inject = true;
            fprintf(stderr, "chainwatch %s: note: %s is deprecated, use %s\n", cmd->name,
                    e->old_env, e->env);
        } else if (e->dflt) {
            path = e->dflt;
            from = "the default";
        }
        if (inject) {
            /* argv strings are never written by a command: dropping const is safe here */
            nv[nc++] = (char *)(uintptr_t)e->opt;
            nv[nc++] = (char *)(uintptr_t)path;
        }
        struct stat st;
        if (check && path && !is_creator(cmd->name, sub, e->opt) && stat(path, &st) != 0 &&
            errno == ENOENT) {
            fprintf(stderr, "chainwatch %s: %s does not exist (%s%s%s); nothing was created%s\n",
                    cmd->name, path, e->opt, strcmp(from, e->opt) ? ", from " : "",
                    strcmp(from, e->opt) ? from : "",
                    !strcmp(e->opt, "--store")         ? ": make it with 'chainwatch ingest'"
                    : !strcmp(e->env, "CHAINWATCH_DB") ? ": make it with 'chainwatch node init'"
                    : !strcmp(e->env, "CHAINWATCH_LABELS_DB")
                        ? ": make it with 'chainwatch labels import'"
                        : ": make it with 'chainwatch supply load'");
            free(nv);
            return CW_EXIT_NOTFOUND;
        }
    }
    for (int i = dashdash; i < argc; i++)
        nv[nc++] = argv[i];
    nv[nc] = NULL;
    *out_argc = nc;
    *out_argv = nv;
    return -1;
}

/* Sub-verbs with a usage of their own, which `--help` prints instead of the verb's: `gen evm`,
 * and the EVM JSON-RPC forms `ingest evm --rpc` and `watch --rpc` (any --rpc before a `--`). */
extern const cw_command cw_cmd_gen_evm;        /* gen_evm_cli.c */
extern const cw_command cw_cmd_ingest_evm_rpc; /* evm_rpc_cli.c */
extern const cw_command cw_cmd_watch_evm_rpc;  /* evm_rpc_cli.c */
static const cw_command *subcommand(int argc, char **argv)
{
    bool rpc = false;
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
        rpc = rpc || !strcmp(argv[i], "--rpc") || !strncmp(argv[i], "--rpc=", 6);
    const char *verb = argv[0], *word = argc > 1 ? argv[1] : "";
    if (!strcmp(verb, "gen") && !strcmp(word, "evm"))
        return &cw_cmd_gen_evm;
    if (!strcmp(verb, "ingest") && !strcmp(word, "evm") && rpc)
        return &cw_cmd_ingest_evm_rpc;
    if (!strcmp(verb, "watch") && rpc)
        return &cw_cmd_watch_evm_rpc;
    return NULL;
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
            if (cw_cli_wants_help(argc - 1, argv + 1)) {
                const cw_command *sub = subcommand(argc - 1, argv + 1);
                return cw_cli_help(sub ? sub : cw_commands[i]);
            }
            int nc = 0;
            char **nv = NULL;
            int rc = prepare(cw_commands[i], argc - 1, argv + 1, &nc, &nv);
            if (rc >= 0)
                return rc;
            rc = cw_commands[i]->run(nc, nv);
            free(nv);
            return rc;
        }
    }
    fprintf(stderr, "chainwatch: unknown command '%s'. Run 'chainwatch --help'.\n", argv[1]);
    return CW_EXIT_USAGE;
}
