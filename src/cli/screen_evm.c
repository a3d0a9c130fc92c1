/*
 * screen_evm.c: `chainwatch screen 0xADDR...` on an EVM store (cmd_screen.c dispatches here):
 * parses the options and the address list (arguments, then --file F: one address a line, #
 * comments; a mixed-case address must match its EIP-55 checksum, else exit 2 naming the file and
 * line), and prints the document cw_acct_report_screen builds (the server answers the same
 * document; --json: on one line, so the output is JSON lines like Bitcoin's screen): per address
 * and asset, each category's share, certain and probable apart; a flag "flag" when a sanctioned,
 * theft or mixer share that is certain reaches --threshold, "probable" when only the share with
 * probable exposure reaches --probable-threshold. Branches end at labels and, unless --no-services,
 * at accounts recognised from behaviour (probable).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/acct_report.h"
#include "chainwatch/errors.h"
#include "chainwatch/evm/block.h"
#include "chainwatch/keccak.h"
#include "chainwatch/labels.h"
#include "chainwatch/util.h"
#include "cli/cli.h"
#include "cli/screen_evm.h"
#include "cli/store_opts.h"

#define MAX_ADDRS 256

/* One address to screen: 0x and 40 hex digits, a mixed-case one matching its EIP-55 checksum;
 * where names the file and line for --file's (NULL: an argument). */
static int check_addr(const cw_command *cmd, const char *a, const char *where, size_t line)
{
    cw_evm_addr x;
    if (cw_evm_addr_parse(&x, a, strlen(a)))
        return where ? cw_cli_usage_error(cmd,
                                          "%s line %zu: '%s' is not an EVM address (0x and 40 "
                                          "hex digits)",
                                          where, line, a)
                     : cw_cli_usage_error(cmd, "'%s' is not an EVM address (0x and 40 hex digits)",
                                          a);
    if (cw_eip55_check(a))
        return where ? cw_cli_usage_error(cmd, "%s line %zu: %s", where, line, cw_error_last())
                     : cw_cli_usage_error(cmd, "%s", cw_error_last());
    return CW_EXIT_OK;
}

/* The addresses to screen: the n arguments, then --file F's lines (one address a line; blank
 * lines and # comments skipped; *data holds them, terminated in place). */
static int screen_addrs(const cw_command *cmd, int n, char **args, const char *file, char ***out,
                        size_t *n_out, char **data)
{
    uint8_t *buf = NULL;
    size_t len = 0, cap = (size_t)n + 1;
    *out = NULL;
    *n_out = 0;
    *data = NULL;
    if (!n && !file)
        return cw_cli_usage_error(cmd, "name at least one 0x address to screen, or --file F");
    if (n > MAX_ADDRS)
        return cw_cli_usage_error(
            cmd, "%d addresses named: at most %d in one screen (more: --file)", n, MAX_ADDRS);
    if (file) {
        int rc = cw_file_read(&buf, &len, file);
        if (rc)
            return cw_cli_fail("screen", cw_error_wrap(rc, "--file %s: ", file));
        for (size_t i = 0; i < len; i++)
            cap += buf[i] == '\n';
    }
    char **a = cw_calloc(cap, sizeof *a);
    if (!a) {
        cw_free(buf);
        return cw_cli_fail("screen", CW_ENOMEM);
    }
    size_t k = 0;
    for (int i = 0; i < n; i++) {
        int ec = check_addr(cmd, args[i], NULL, 0);
        if (ec != CW_EXIT_OK) {
            cw_free(a);
            cw_free(buf);
            return ec;
        }
        a[k++] = args[i];
    }
    const char *p = (const char *)buf, *end = p + len, *s;
    size_t line = 0, n_s;
    while (buf && cw_cli_list_next(&p, end, &line, &s, &n_s)) {
        char *q = (char *)buf + (s - (const char *)buf); /* s, writable: buf is ours */
        q[n_s] = '\0'; /* the newline, trailing blank or the byte past the file's end is ours */
        if (memchr(q, '\0', n_s) != NULL || k == cap) {
            cw_free(a);
            cw_free(buf);
            return cw_cli_usage_error(cmd, "%s line %zu: not an address line", file, line);
        }
        int ec = check_addr(cmd, q, file, line);
        if (ec != CW_EXIT_OK) {
            cw_free(a);
            cw_free(buf);
            return ec;
        }
        a[k++] = q;
    }
    if (!k) {
        cw_free(a);
        cw_free(buf);
        return cw_cli_usage_error(cmd, "%s holds no address to screen", file);
    }
    *out = a;
    *n_out = k;
    *data = (char *)buf;
    return CW_EXIT_OK;
}

/* the judgements named in a JSON array ("why"), as words, joined by sep */
static void join_why(char *buf, size_t n, const json_t *arr, const char *sep)
{
    size_t i, len = 0;
    json_t *x;
    buf[0] = '\0';
    json_array_foreach(arr, i, x)
    {
        const char *v = json_string_value(x);
        int w = snprintf(buf + len, n - len, "%s%s", i ? sep : "",
                         !strcmp(v, "swap")      ? "a swap"
                         : !strcmp(v, "split")   ? "a swap's inputs split equally"
                         : !strcmp(v, "service") ? "an account recognised from behaviour"
                                                 : v);
        if (w < 0 || (size_t)w >= n - len)
            break;
        len += (size_t)w;
    }
}

/* The document as text: a flag per address ("FLAGGED": a certain share reached --threshold;
 * "PROBABLE FLAG": only through a judgement), then per asset each flag and each category's
 * shares, certain and probable apart. */
static void print_text(json_t *doc)
{
    size_t i, k, q;
    json_t *v, *a, *f;
    if (json_is_true(json_object_get(doc, "synthetic"))) {
        json_t *mark = json_pack("{s:b}", "synthetic", 1);
        cw_cli_synthetic_line(mark);
        json_decref(mark);
    }
    json_array_foreach(json_object_get(doc, "results"), i, v)
    {
        const char *flag = json_string_value(json_object_get(v, "flag"));
        printf("%s%s\n", json_string_value(json_object_get(v, "address")),
               json_is_true(json_object_get(v, "sanctioned")) ? "  SANCTIONED (labelled)"
               : !strcmp(flag, "flag")                        ? "  FLAGGED"
               : !strcmp(flag, "probable") ? "  PROBABLE FLAG (through a judgement, not certain)"
                                           : "");
        json_t *rec = json_object_get(v, "recognised");
        if (json_is_object(rec))
            printf("  recognised (probable): %s\n", json_string_value(json_object_get(rec, "as")));
        json_array_foreach(json_object_get(v, "labels"), k, a)
        {
            size_t na = json_array_size(json_object_get(a, "entity_addresses"));
            const char *ref = json_string_value(json_object_get(a, "entity_ref"));
            const char *as = json_string_value(json_object_get(a, "asset"));
            printf("  label: %s %s%s%s%s%s%s (%s)%s",
                   json_string_value(json_object_get(a, "category")),
                   json_string_value(json_object_get(a, "entity")), *ref ? " [" : "", ref,
                   *ref ? "]" : "", *as ? " listed under " : "", as,
                   json_string_value(json_object_get(a, "source")), na > 1 ? "" : "\n");
            if (na > 1)
                printf("; the entity has %zu labelled addresses on all chains\n", na);
        }
        json_array_foreach(json_object_get(v, "assets"), k, a)
        {
            printf("  %s received %s base units; unexplored %.1f %%\n",
                   json_string_value(json_object_get(a, "asset")),
                   json_string_value(json_object_get(a, "received")),
                   100 * json_real_value(json_object_get(a, "unexplored")));
            json_array_foreach(json_object_get(a, "flags"), q, f)
            {
                bool certain = !strcmp(json_string_value(json_object_get(f, "level")), "flag");
                char why[160];
                join_why(why, sizeof why, json_object_get(f, "why"), ", ");
                printf("    %s %s: %.2f %% (certain %.2f %%; threshold %.0f %%%s%s%s)\n",
                       certain ? "FLAG" : "PROBABLE FLAG",
                       json_string_value(json_object_get(f, "category")),
                       100 * json_real_value(json_object_get(f, "share")),
                       100 * json_real_value(json_object_get(f, "certain_share")),
                       100 * json_real_value(json_object_get(f, "threshold")),
                       certain ? "" : "; probable: through ", certain ? "" : why,
                       certain ? "" : ", a judgement");
            }
            json_t *sw = json_object_get(a, "through_swaps");
            if (json_integer_value(json_object_get(sw, "swaps")))
                printf("    through swaps %.2f %% (%" JSON_INTEGER_FORMAT
                       " swaps followed to their input, probable)\n",
                       100 * json_real_value(json_object_get(sw, "share")),
                       json_integer_value(json_object_get(sw, "swaps")));
            const char *cat;
            json_t *sh;
            json_object_foreach(json_object_get(a, "exposure"), cat, sh)
            {
                double pr = json_real_value(json_object_get(sh, "probable"));
                char why[160];
                join_why(why, sizeof why, json_object_get(sh, "why"), ", ");
                printf("    %-18s direct %6.2f %%  indirect %6.2f %%", cat,
                       100 * json_real_value(json_object_get(sh, "direct")),
                       100 * json_real_value(json_object_get(sh, "indirect")));
                if (pr > 0)
                    printf("  of which probable %6.2f %% (through %s)\n", 100 * pr, why);
                else
                    printf("  certain\n");
            }
        }
    }
}

int cw_cli_screen_evm(const cw_command *cmd, int argc, char **argv)
{
    const char *store = getenv("CHAINWATCH_STORE"), *labels = getenv("CHAINWATCH_LABELS_DB");
    const char *file = NULL;
    bool json = false;
    cw_acct_screen_report_opts o;
    cw_acct_screen_report_opts_init(&o);
    static const struct option longs[] = {{"store", required_argument, NULL, 's'},
                                          {"labels", required_argument, NULL, 'l'},
                                          {"max-hops", required_argument, NULL, 'h'},
                                          {"floor", required_argument, NULL, 'f'},
                                          {"threshold", required_argument, NULL, 't'},
                                          {"probable-threshold", required_argument, NULL, 'p'},
                                          {"no-services", no_argument, NULL, 'n'},
                                          {"json", no_argument, NULL, 'j'},
                                          {"file", required_argument, NULL, 'F'},
                                          {NULL, 0, NULL, 0}};
    optind = 1;
    opterr = 0;
    int c;
    uint64_t x;
    char *end;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (c) {
        case 's':
            store = optarg;
            break;
        case 'l':
            labels = optarg;
            break;
        case 'h':
            if (cw_parse_u64(&x, optarg) || x == 0 || x > 1000)
                return cw_cli_usage_error(cmd, "--max-hops: '%s' is not 1..1000", optarg);
            o.screen.max_hops = (uint32_t)x;
            break;
        case 'f':
        case 't':
        case 'p': {
            double v = strtod(optarg, &end);
            if (end == optarg || *end || !(v > 0 && v < 1))
                return cw_cli_usage_error(cmd, "%s: '%s' is not a share between 0 and 1",
                                          c == 'f'   ? "--floor"
                                          : c == 't' ? "--threshold"
                                                     : "--probable-threshold",
                                          optarg);
            *(c == 'f' ? &o.screen.floor : c == 't' ? &o.threshold : &o.probable_threshold) = v;
            break;
        }
        case 'n':
            o.no_services = true;
            break;
        case 'j':
            json = true;
            break;
        case 'F':
            file = optarg;
            break;
        default:
            return cw_cli_usage_error(cmd, "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (!store)
        return cw_cli_usage_error(cmd, "--store is required");
    /* the addresses: the arguments, then --file's lines (blank lines and # comments skipped) */
    char **addrs = NULL, *data = NULL;
    size_t n_addrs = 0;
    int ec = screen_addrs(cmd, argc - optind, argv + optind, file, &addrs, &n_addrs, &data);
    if (ec != CW_EXIT_OK)
        return ec;
    int rc = 0;
    cw_evmstore *s = NULL;
    cw_labels *db = NULL;
    json_t *doc = NULL;
    if ((rc = cw_evmstore_open(&s, store, false, NULL)))
        goto out;
    if (labels && (rc = cw_labels_open(&db, labels, CW_LABELS_READONLY)))
        goto out;
    if ((rc = cw_acct_report_screen(&doc, s, db, (const char *const *)addrs, n_addrs, &o)))
        goto out;
    if ((rc = cw_cli_evm_answer(&doc, s, 0)))
        goto out;
    if (json) {
        /* one line (JSON lines, as Bitcoin's screen): the server's document, whose settings and
         * synthetic mark travel with the results; `jq -c '.results[]'` gives a line an address */
        if (json_dumpf(doc, stdout, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17)) ||
            fputc('\n', stdout) == EOF)
            rc = cw_error_set(CW_EIO, "stdout: write failed");
    } else {
        print_text(doc);
    }
out:
    cw_free(addrs);
    cw_free(data);
    json_decref(doc);
    if (db)
        cw_labels_close(db);
    cw_evmstore_close(s);
    return rc ? cw_cli_fail("screen", rc) : CW_EXIT_OK;
}
