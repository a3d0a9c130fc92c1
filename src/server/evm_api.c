/*
 * evm_api.c: the EVM engine behind the JSON API, under /api/v1/evm/ (issue 13):
 *   GET status                          the EVM store's chain and counts
 *   GET trace?from=0xTX[,0xTX]&model=fifo|haircut|poison&max_hops=N&services=0
 *                                       an account-model trace as one document
 *                                       (cw_acct_report_trace: the shape of `chainwatch trace
 *                                       --json` on an EVM store; amounts as decimal strings)
 *   GET screen/0xADDR[,0xADDR]?threshold=S&probable_threshold=S&floor=S&max_hops=N&services=0
 *                                       screening (cw_acct_report_screen: the document of
 *                                       `chainwatch screen --json` on an EVM store; at most 64)
 * The store is `serve --evm-store DIR`, or `--store DIR` when DIR holds an EVM store. It is
 * opened read-only at the first request and reopened when its MANIFEST changes, or when a
 * rollback beside it moved its generation (server.c then answers the request again). Thin: parses
 * the query and calls the engine. Runs under the server's chain lock held for writing (one EVM
 * request at a time: the store and the label handle are opened lazily here).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "chainwatch/acct_report.h"
#include "chainwatch/errors.h"
#include "chainwatch/evm/store.h"
#include "chainwatch/labels.h"
#include "chainwatch/util.h"
#include "server/internal.h"

#define MAX_FROM 64

struct cw_evm_ctx {
    char *dir;
    char *labels_path;
    cw_evmstore *s;
    cw_labels *labels;
    struct timespec mtime;
};

int cw_server__evm_open(cw_evm_ctx **out, const char *dir, const char *labels_path)
{
    *out = NULL;
    cw_evm_ctx *c = cw_calloc(1, sizeof *c);
    if (!c || !(c->dir = cw_strdup(dir)) ||
        (labels_path && !(c->labels_path = cw_strdup(labels_path)))) {
        cw_server__evm_close(c);
        return cw_error_set(CW_ENOMEM, "out of memory");
    }
    if (!cw_evmstore_detect(dir)) {
        cw_server__evm_close(c);
        return cw_error_set(CW_EINVAL, "%s: not an EVM store", dir);
    }
    *out = c;
    return 0;
}

void cw_server__evm_close(cw_evm_ctx *c)
{
    if (!c)
        return;
    cw_evmstore_close(c->s);
    cw_labels_close(c->labels);
    cw_free(c->dir);
    cw_free(c->labels_path);
    cw_free(c);
}

bool cw_server__evm_moved(cw_evm_ctx *c)
{
    if (!c || !c->s || cw_evmstore_snapshot_check(c->s) == 0)
        return false;
    cw_error_clear();
    cw_evmstore_close(c->s);
    c->s = NULL;
    return true;
}

static int store_of(cw_evm_ctx *c)
{
    char m[PATH_MAX];
    struct stat st;
    snprintf(m, sizeof m, "%s/MANIFEST", c->dir);
    if (stat(m, &st) != 0)
        return cw_error_set(CW_ENOTFOUND, "%s: not an EVM store", c->dir);
    if (!c->s || st.st_mtim.tv_sec != c->mtime.tv_sec || st.st_mtim.tv_nsec != c->mtime.tv_nsec) {
        cw_evmstore_close(c->s);
        c->s = NULL;
        int rc = cw_evmstore_open(&c->s, c->dir, false, NULL);
        if (rc)
            return rc;
        c->mtime = st.st_mtim;
    }
    if (c->labels_path && !c->labels)
        return cw_labels_open(&c->labels, c->labels_path, CW_LABELS_READONLY);
    return 0;
}

int cw_server__evm_get(cw_evm_ctx *c, const cw_evmstore **s, cw_labels **labels, const char **dir)
{
    int rc = store_of(c);
    *s = c->s;
    *labels = c->labels;
    *dir = c->dir;
    return rc;
}

/* the comma-separated items of v (a copy in the request's arena) into list[MAX_FROM]; false
 * (400 answered with too_many) past MAX_FROM */
static bool split_list(cw_req *q, const char *v, const char **list, size_t *n, const char *too_many,
                       cw_resp *r)
{
    char *copy = cw_arena_strndup(q->arena, v, strlen(v)), *save = NULL;
    *n = 0;
    for (char *p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
        if (*n == MAX_FROM) {
            cw_server__error(r, 400, "Bad request", too_many);
            return false;
        }
        list[(*n)++] = p;
    }
    return true;
}

/* a share in (0, 1) from the query, or the default; false (400 answered) when malformed */
static bool share_arg(cw_req *q, const char *name, double *v, cw_resp *r)
{
    const char *a = cw_server__arg(q, name);
    if (!a || !*a)
        return true;
    char *end;
    double x = strtod(a, &end);
    if (end == a || *end || !(x > 0 && x < 1)) {
        char m[96];
        snprintf(m, sizeof m, "%s: a share between 0 and 1", name);
        cw_server__error(r, 400, "Bad request", m);
        return false;
    }
    *v = x;
    return true;
}

/* GET screen/0xADDR[,0xADDR...]: the document `chainwatch screen --json` prints */
static void screen_route(cw_evm_ctx *c, cw_req *q, const char *seg, cw_resp *r)
{
    cw_acct_screen_report_opts o;
    cw_acct_screen_report_opts_init(&o);
    const char *hops = cw_server__arg(q, "max_hops"), *svc = cw_server__arg(q, "services");
    if (!share_arg(q, "threshold", &o.threshold, r) ||
        !share_arg(q, "probable_threshold", &o.probable_threshold, r) ||
        !share_arg(q, "floor", &o.screen.floor, r))
        return;
    uint64_t h = 0;
    if (hops && *hops && (cw_parse_u64(&h, hops) || h == 0 || h > 1000)) {
        cw_server__error(r, 400, "Bad request", "max_hops: a number 1..1000");
        return;
    }
    if (h)
        o.screen.max_hops = (uint32_t)h;
    if (svc && *svc && strcmp(svc, "0") != 0 && strcmp(svc, "1") != 0) {
        cw_server__error(r, 400, "Bad request", "services: 0 or 1");
        return;
    }
    o.no_services = svc && !strcmp(svc, "0");
    const char *addrs[MAX_FROM];
    size_t na;
    if (!split_list(q, seg, addrs, &na, "screen: at most 64 addresses", r))
        return;
    if (!na) {
        cw_server__error(r, 400, "Bad request", "screen/0xADDR");
        return;
    }
    json_t *j = NULL;
    int rc = cw_acct_report_screen(&j, c->s, c->labels, addrs, na, &o);
    if (rc) {
        cw_server__fail(r, rc);
        return;
    }
    r->body = j;
    r->audit_detail = "evm screen";
}

void cw_server__evm_api(cw_server *s, cw_req *q, char **segs, int n, cw_resp *r)
{
    cw_evm_ctx *c = s->evm;
    if (strcmp(q->method, "GET") != 0) {
        cw_server__error(r, 405, "Method not allowed", NULL);
        return;
    }
    if (!c) {
        cw_server__error(r, 404, "Not found",
                         "this node serves no EVM store (serve --evm-store DIR)");
        return;
    }
    int rc = store_of(c);
    if (rc) {
        cw_server__fail(r, rc);
        return;
    }
    if (n == 1 && !strcmp(segs[0], "status")) {
        cw_evm_counts k;
        cw_evmstore_counts(c->s, &k);
        r->body = json_pack(
            "{s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:b}", "chain", cw_evmstore_chain(c->s)->name,
            "synthetic", cw_evmstore_synthetic(c->s), "chain_id", (json_int_t)k.chain_id, "tip",
            (json_int_t)cw_evmstore_tip(c->s), "txs", (json_int_t)k.txs, "movements",
            (json_int_t)k.moves, "accounts", (json_int_t)k.accounts, "labels", c->labels != NULL);
        return;
    }
    if (n == 2 && !strcmp(segs[0], "screen")) {
        screen_route(c, q, segs[1], r);
        return;
    }
    if (!(n == 1 && !strcmp(segs[0], "trace"))) {
        cw_server__error(r, 404, "Not found", "EVM routes: status, trace?from=0xTX, screen/0xADDR");
        return;
    }
    const char *from = cw_server__arg(q, "from"), *model = cw_server__arg(q, "model");
    const char *hops = cw_server__arg(q, "max_hops"), *svc = cw_server__arg(q, "services");
    const char *mix = cw_server__arg(q, "through_mixer");
    if (!from || !*from) {
        cw_server__error(r, 400, "Bad request", "from=0xTXHASH (the heist's transactions)");
        return;
    }
    cw_acct_report_opts o;
    cw_acct_report_opts_init(&o);
    o.trace.model = CW_ACCT_FIFO;
    if (model && *model) {
        if (!strcmp(model, "haircut"))
            o.trace.model = CW_ACCT_HAIRCUT;
        else if (!strcmp(model, "poison"))
            o.trace.model = CW_ACCT_POISON;
        else if (strcmp(model, "fifo") != 0) {
            cw_server__error(r, 400, "Bad request", "model: fifo, haircut or poison");
            return;
        }
    }
    uint64_t h = 0;
    if (hops && *hops && (cw_parse_u64(&h, hops) || h > 1000)) {
        cw_server__error(r, 400, "Bad request", "max_hops: a number <= 1000");
        return;
    }
    o.trace.max_hops = (uint32_t)h;
    o.no_services = svc && !strcmp(svc, "0");
    /* as `trace --through-mixer`: links with evidence beyond the anonymity set carry value,
     * candidates are listed apart (mixer_candidates) and carry none */
    if (mix && *mix && strcmp(mix, "0") != 0 && strcmp(mix, "1") != 0) {
        cw_server__error(r, 400, "Bad request", "through_mixer: 0 or 1");
        return;
    }
    o.trace.through_mixer = mix && !strcmp(mix, "1");
    const char *list[MAX_FROM];
    size_t nf;
    if (!split_list(q, from, list, &nf, "from: at most 64 transactions", r))
        return;
    json_t *j = NULL;
    if ((rc = cw_acct_report_trace(&j, c->s, c->labels, list, nf, &o))) {
        cw_server__fail(r, rc);
        return;
    }
    r->body = j;
    r->audit_detail = "evm trace";
}
