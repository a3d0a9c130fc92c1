/*
 * cmd_screen.c: `chainwatch screen ADDR... | --file F`: exposure of addresses to labelled
 * categories (screen.h). One JSON object per address per line with --json (JSON lines, the
 * batch format); a readable block per address otherwise. An address that is not in the
 * store is reported (an "error" object in JSON lines) and makes the exit code 3; the other
 * addresses are still screened.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/screen.h"
#include "chainwatch/util.h"
#include "cli/cli.h"

extern const cw_command cw_cmd_screen;

static void print_one(json_t *j)
{
    printf("%s: received %lld sat from others (%lld from itself), %lld hop(s) back\n",
           json_string_value(json_object_get(j, "address")),
           (long long)json_integer_value(json_object_get(j, "base")),
           (long long)json_integer_value(json_object_get(j, "self")),
           (long long)json_integer_value(json_object_get(j, "hops")));
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(j, "exposure"), i, v)
    {
        printf("  %-18s %7.3f%%  %lld sat (direct %lld, indirect %lld), from hop %lld\n",
               json_string_value(json_object_get(v, "category")),
               100.0 * json_real_value(json_object_get(v, "share")),
               (long long)json_integer_value(json_object_get(v, "value")),
               (long long)json_integer_value(json_object_get(v, "direct")),
               (long long)json_integer_value(json_object_get(v, "indirect")),
               (long long)json_integer_value(json_object_get(v, "min_hops")));
    }
    int64_t base = json_integer_value(json_object_get(j, "base"));
    int64_t cb = json_integer_value(json_object_get(j, "coinbase"));
    printf("  %-18s %7.3f%%  (no label within the hops)\n", "unknown",
           100.0 * json_real_value(json_object_get(j, "unknown_share")));
    if (cb)
        printf("  %-18s %7.3f%%  (newly mined)\n", "coinbase",
               base ? 100.0 * (double)cb / (double)base : 0.0);
    json_array_foreach(json_object_get(j, "paths"), i, v)
    {
        printf("  path: %lld sat from %s (%s, %s), %lld hop(s):",
               (long long)json_integer_value(json_object_get(v, "value")),
               json_string_value(json_object_get(v, "address")),
               json_string_value(json_object_get(v, "entity")),
               json_string_value(json_object_get(v, "category")),
               (long long)json_integer_value(json_object_get(v, "hops")));
        size_t q;
        json_t *tx;
        json_array_foreach(json_object_get(v, "txids"), q, tx)
        {
            printf(" %s%.16s", q ? "> " : "", json_string_value(tx));
        }
        printf("\n");
    }
}

static int screen_one(const cw_chainstore *cs, const cw_trace_labelmap *lm, const char *addr,
                      const cw_screen_opts *so, bool json, size_t top, int *worst)
{
    cw_screen_result *r = NULL;
    int rc = cw_screen_address(&r, cs, lm, addr, so);
    if (rc == CW_ENOTFOUND || rc == CW_EINVAL) {
        if (json) {
            json_t *e = json_pack("{s:s, s:s}", "address", addr, "error", cw_error_last());
            char *s = json_dumps(e, JSON_SORT_KEYS | JSON_COMPACT);
            if (s)
                printf("%s\n", s);
            free(s);
            json_decref(e);
        } else {
            fprintf(stderr, "chainwatch screen: %s\n", cw_cli_error_text("screen"));
        }
        if (*worst == CW_EXIT_OK)
            *worst = rc == CW_EINVAL ? CW_EXIT_USAGE : CW_EXIT_NOTFOUND;
        return 0;
    }
    if (rc)
        return rc;
    json_t *j = cw_screen_json(r, top);
    cw_screen_result_free(r);
    if (!j)
        return CW_ENOMEM;
    if (json) {
        char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
        if (s)
            printf("%s\n", s);
        free(s);
    } else {
        print_one(j);
    }
    json_decref(j);
    return 0;
}

static int run(int argc, char **argv)
{
    const char *store = getenv("CHAINWATCH_STORE"), *labels_db = NULL, *file = NULL;
    bool json = false;
    uint64_t top = 3;
    cw_screen_opts so;
    cw_screen_opts_init(&so);
    char **addrs = cw_calloc((size_t)argc + 1, sizeof *addrs);
    int n_addrs = 0;
    if (!addrs)
        return cw_cli_fail("screen", CW_ENOMEM);
    int ec = CW_EXIT_OK;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json")) {
            json = true;
            continue;
        }
        if (strncmp(a, "--", 2) != 0) {
            addrs[n_addrs++] = argv[i];
            continue;
        }
        if (i + 1 >= argc) {
            ec = cw_cli_usage_error(&cw_cmd_screen, "%s needs a value", a);
            goto out;
        }
        const char *v = argv[++i];
        uint64_t x = 0;
        if (!strcmp(a, "--store")) {
            store = v;
        } else if (!strcmp(a, "--labels")) {
            labels_db = v;
        } else if (!strcmp(a, "--file")) {
            file = v;
        } else if (!strcmp(a, "--hops") || !strcmp(a, "--until-height") ||
                   !strcmp(a, "--min-value") || !strcmp(a, "--top")) {
            if (cw_parse_u64(&x, v) || x > UINT32_MAX - 1) {
                ec = cw_cli_usage_error(&cw_cmd_screen, "%s: '%s' is not a number", a, v);
                goto out;
            }
            if (!strcmp(a, "--hops"))
                so.hops = (uint32_t)x;
            else if (!strcmp(a, "--until-height"))
                so.until_height = (uint32_t)x;
            else if (!strcmp(a, "--min-value"))
                so.min_value = x;
            else
                top = x;
        } else {
            ec = cw_cli_usage_error(&cw_cmd_screen, "unknown option %s", a);
            goto out;
        }
    }
    if (!n_addrs && !file) {
        ec = cw_cli_usage_error(&cw_cmd_screen, "give addresses or --file F");
        goto out;
    }
    if (!store || !labels_db) {
        ec = cw_cli_usage_error(&cw_cmd_screen, "--store DIR and --labels DB are required");
        goto out;
    }
    if (so.hops == 0) {
        ec = cw_cli_usage_error(&cw_cmd_screen, "--hops must be at least 1");
        goto out;
    }
    cw_chainstore *cs = NULL;
    cw_labels *db = NULL;
    cw_trace_labelmap *lm = NULL;
    uint8_t *data = NULL;
    size_t len = 0;
    int rc = 0;
    if (file && (rc = cw_file_read(&data, &len, file)) != 0)
        rc = cw_error_wrap(rc, "--file %s: ", file);
    if (rc == 0)
        rc = cw_chainstore_open(&cs, store, false, CW_NET_MAIN);
    if (rc == 0)
        rc = cw_labels_open(&db, labels_db, CW_LABELS_READONLY);
    if (rc == 0)
        rc = cw_trace_labelmap_new(&lm, cs, db);
    int worst = CW_EXIT_OK;
    for (int i = 0; rc == 0 && i < n_addrs; i++)
        rc = screen_one(cs, lm, addrs[i], &so, json, top, &worst);
    if (rc == 0 && data) {
        /* one address per line; blank lines and # comments skipped */
        char *p = (char *)data, *end = p + len;
        while (rc == 0 && p < end) {
            char *nl = memchr(p, '\n', (size_t)(end - p));
            char *e = nl ? nl : end;
            char line[256];
            size_t n = (size_t)(e - p);
            while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
                n--;
            while (n && (*p == ' ' || *p == '\t')) {
                p++;
                n--;
            }
            if (n && *p != '#') {
                if (n >= sizeof line) {
                    rc = cw_error_set(CW_EINVAL, "%s: a line is too long for an address", file);
                    break;
                }
                memcpy(line, p, n);
                line[n] = 0;
                rc = screen_one(cs, lm, line, &so, json, top, &worst);
            }
            p = nl ? nl + 1 : end;
        }
    }
    if (rc)
        ec = cw_cli_fail("screen", rc);
    else
        ec = worst;
    cw_trace_labelmap_free(lm);
    if (db)
        cw_labels_close(db);
    if (cs)
        cw_chainstore_close(cs);
    cw_free(data);
out:
    cw_free(addrs);
    return ec;
}

const cw_command cw_cmd_screen = {
    "screen", "exposure of addresses to labelled categories (haircut, k hops back)",
    "Usage: chainwatch screen ADDR... | --file F  --store DIR --labels DB [--hops K]\n"
    "                         [--until-height H] [--min-value SAT] [--top N] [--json]\n\n"
    "For each address: the share of the value it received (minus its own change) that\n"
    "comes, within K hops backward under the haircut model (default 3), from addresses of\n"
    "each labelled category: direct (the sender is labelled) and indirect; the rest is\n"
    "unknown. With the strongest paths (--top N, default 3). --file F reads one address a\n"
    "line (# comments). --json writes one JSON object per address per line (JSON lines).\n"
    "docs/TRACE-MODELS.md defines the model.\n\n"
    "Exit codes: 0 done, 1 failure, 2 usage, 3 an address is not in the store (the others\n"
    "are still screened; in JSON lines it has an \"error\" member).\n",
    run};
