/*
 * evm_api.c: the EVM engine behind the JSON API, under /api/v1/evm/ (issue 13):
 *   GET status                          the EVM store's chain and counts
 *   GET trace?from=0xTX[,0xTX]&model=fifo|haircut|poison&max_hops=N&services=0
 *                                       an account-model trace as one document
 *                                       (cw_acct_report_trace: the shape of `chainwatch trace
 *                                       --json` on an EVM store; amounts as decimal strings)
 * The store is `serve --evm-store DIR`, or `--store DIR` when DIR holds an EVM store. It is
 * opened read-only at the first request and reopened when its MANIFEST changes, or when a
 * rollback beside it moved its generation (server.c then answers the request again). Thin: parses
 * the query and calls the engine. Runs under the server's chain lock held for writing (one EVM
 * request at a time: the store and the label handle are opened lazily here).
 */
#include <limits.h>
#include <stdio.h>
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
    if (!(n == 1 && !strcmp(segs[0], "trace"))) {
        cw_server__error(r, 404, "Not found", "EVM routes: status, trace?from=0xTX");
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
    char *froms = cw_arena_strndup(q->arena, from, strlen(from));
    const char *list[MAX_FROM];
    size_t nf = 0;
    char *save = NULL;
    for (char *p = strtok_r(froms, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
        if (nf == MAX_FROM) {
            cw_server__error(r, 400, "Bad request", "from: at most 64 transactions");
            return;
        }
        list[nf++] = p;
    }
    json_t *j = NULL;
    if ((rc = cw_acct_report_trace(&j, c->s, c->labels, list, nf, &o))) {
        cw_server__fail(r, rc);
        return;
    }
    r->body = j;
    r->audit_detail = "evm trace";
}
