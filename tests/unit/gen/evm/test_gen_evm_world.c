/* test_gen_evm_world.c: a small generated EVM world through the API.
 *  - determinism: two runs with the same seed write byte-identical CSVs and truth files; another
 *    seed differs;
 *  - an independent recomputation (tests/evm/balances.py, Debian's python3 with the standard
 *    library only) of every balance per asset from the CSVs alone finds no balance below zero
 *    and equals the generator's ledger (truth/balances.csv) line for line;
 *  - the EVM store: the world ingested with `ingest evm --csv` (cw_evm_ingest_csv) holds, for
 *    every account and asset, the balance the independent recomputation found (ERC-721 items
 *    are counts, not balances, and are left out on both sides);
 *  - the truth cross-checks of tests/evm/gen_check.py (cash-outs, bridge memos, mixer links,
 *    heist flows and the thief's holdings against the CSVs) pass. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/evm/ingest.h"
#include "chainwatch/evm/store.h"
#include "chainwatch/gen_evm.h"
#include "chainwatch/util.h"
#include "harness.h"

static const char *src_dir(void)
{
    const char *src = getenv("CW_SOURCE_DIR");
    if (!src)
        cw_test_skip("CW_SOURCE_DIR is not set");
    return src;
}

static cw_gen_evm_scenario *quick(void)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/data/scenarios/evm-quick-heist.json", src_dir());
    cw_gen_evm_scenario *s = NULL;
    int rc = cw_gen_evm_scenario_load(&s, p);
    if (rc)
        fprintf(stderr, "%s\n", cw_error_last());
    return rc == 0 ? s : NULL;
}

static int gen(const char *dir, uint64_t seed, const cw_gen_evm_scenario *s, cw_gen_evm_stats *st)
{
    cw_gen_evm_opts o;
    memset(&o, 0, sizeof o);
    o.out_dir = dir;
    o.txs = 16000;
    o.seed = seed;
    o.scenario = s;
    int rc = cw_gen_evm_run(&o, st);
    if (rc)
        fprintf(stderr, "gen: %s\n", cw_error_last());
    return rc;
}

static const char *const files[] = {"blocks.csv",
                                    "transactions.csv",
                                    "receipts.csv",
                                    "logs.csv",
                                    "token_transfers.csv",
                                    "traces.csv",
                                    "tokens.csv",
                                    "truth/world.json",
                                    "truth/heists.json",
                                    "truth/addresses.csv",
                                    "truth/entities.csv",
                                    "truth/balances.csv",
                                    "truth/mixer_links.csv",
                                    "truth/bridge_deposits.csv",
                                    "truth/heist_flows.csv",
                                    "truth/cash_outs.csv",
                                    NULL};

static bool same_file(const char *a, const char *b)
{
    uint8_t *x = NULL, *y = NULL;
    size_t nx = 0, ny = 0;
    bool same = cw_file_read(&x, &nx, a) == 0 && cw_file_read(&y, &ny, b) == 0 && nx == ny &&
                nx > 0 && memcmp(x, y, nx) == 0;
    free(x);
    free(y);
    return same;
}

static char dir_a[600], dir_b[600], dir_c[600];

static void test_determinism(void)
{
    cw_gen_evm_scenario *s = quick();
    REQUIRE(s);
    cw_gen_evm_stats sa, sb, sc;
    REQUIRE(gen(dir_a, 7, s, &sa) == 0);
    REQUIRE(gen(dir_b, 7, s, &sb) == 0);
    REQUIRE(gen(dir_c, 8, s, &sc) == 0);
    CHECK(sa.txs >= 16000 && sa.txs < 16010); /* a last event may add a few */
    CHECK_EQ_INT(sa.txs, sb.txs);
    CHECK(sa.failed_txs > 0);
    CHECK(sa.logs > 0 && sa.traces > sa.txs && sa.token_transfers > 0);
    CHECK(memcmp(sa.tip_hash, sb.tip_hash, 32) == 0);
    for (int i = 0; files[i]; i++) {
        char a[700], b[700], c[700];
        snprintf(a, sizeof a, "%s/%s", dir_a, files[i]);
        snprintf(b, sizeof b, "%s/%s", dir_b, files[i]);
        snprintf(c, sizeof c, "%s/%s", dir_c, files[i]);
        bool same = same_file(a, b);
        if (!same)
            fprintf(stderr, "differs between two runs of seed 7: %s\n", files[i]);
        CHECK(same);
        if (!strcmp(files[i], "transactions.csv") || !strcmp(files[i], "truth/heists.json"))
            CHECK(!same_file(a, c));
    }
    cw_gen_evm_scenario_free(s);
}

static int run_py(const char *script, const char *args)
{
    char cmd[3000];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s/tests/evm/%s %s", src_dir(), script, args);
    int rc = system(cmd);
    return rc;
}

/* reads "address,asset,balance" lines (header skipped, CR dropped) into one sorted blob */
static int cmp_line(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **read_lines(const char *path, size_t *n)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    *n = 0;
    if (cw_file_read(&buf, &len, path) != 0)
        return NULL;
    char *t = realloc(buf, len + 1);
    if (!t) {
        free(buf);
        return NULL;
    }
    t[len] = 0;
    size_t cap = 1024;
    char **v = malloc(cap * sizeof *v);
    char *save = NULL;
    bool first = true;
    for (char *l = strtok_r(t, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        size_t ll = strlen(l);
        if (ll && l[ll - 1] == '\r')
            l[--ll] = 0;
        if (first) {
            first = false;
            continue;
        }
        if (*n == cap) {
            cap *= 2;
            v = realloc(v, cap * sizeof *v);
        }
        v[(*n)++] = strdup(l);
    }
    free(t);
    qsort(v, *n, sizeof *v, cmp_line);
    return v;
}

static void free_lines(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static size_t compare_lines(char **a, size_t na, char **b, size_t nb, const char *what)
{
    size_t i = 0, j = 0, bad = 0;
    while (i < na || j < nb) {
        int c = i >= na ? 1 : j >= nb ? -1 : strcmp(a[i], b[j]);
        if (c == 0) {
            i++, j++;
            continue;
        }
        if (bad++ < 5)
            fprintf(stderr, "%s: only in %s: %s\n", what, c < 0 ? "the first" : "the second",
                    c < 0 ? a[i] : b[j]);
        if (c < 0)
            i++;
        else
            j++;
    }
    return bad;
}

static void test_independent_balances(void)
{
    char args[1500], out[700], truth[700];
    snprintf(out, sizeof out, "%s/recomputed.csv", cw_test_tmpdir());
    snprintf(truth, sizeof truth, "%s/truth/balances.csv", dir_a);
    snprintf(args, sizeof args, "%s --out %s", dir_a, out);
    REQUIRE(run_py("balances.py", args) == 0);
    size_t na = 0, nb = 0;
    char **a = read_lines(out, &na), **b = read_lines(truth, &nb);
    REQUIRE(a && b);
    CHECK(na > 1000);
    CHECK_EQ_INT(compare_lines(a, na, b, nb, "recomputed vs truth/balances.csv"), 0);
    free_lines(a, na);
    free_lines(b, nb);
    /* the truth files against the CSVs */
    CHECK(run_py("gen_check.py", dir_a) == 0);
}

static void test_store_balances(void)
{
    char store[700], out[700], mine[700];
    snprintf(store, sizeof store, "%s/store", cw_test_tmpdir());
    snprintf(out, sizeof out, "%s/recomputed.csv", cw_test_tmpdir());
    snprintf(mine, sizeof mine, "%s/store_balances.csv", cw_test_tmpdir());
    cw_evm_ingest_opts io;
    memset(&io, 0, sizeof io);
    io.csv_dir = dir_a;
    io.store_dir = store;
    io.chain = "ethereum"; /* the world's WETH sits at WETH9's address */
    cw_evm_ingest_stats ist;
    int rc = cw_evm_ingest_csv(&io, &ist);
    if (rc)
        fprintf(stderr, "ingest: %s\n", cw_error_last());
    REQUIRE(rc == 0);
    cw_evmstore *s = NULL;
    REQUIRE(cw_evmstore_open(&s, store, false, NULL) == 0);
    cw_evm_counts c;
    cw_evmstore_counts(s, &c);
    CHECK(c.txs >= 16000 && c.txs < 16010);
    FILE *f = fopen(mine, "w");
    REQUIRE(f);
    fprintf(f, "address,asset,balance\n");
    uint32_t na = (uint32_t)c.assets;
    cw_u256 *in = calloc(na, sizeof *in), *outv = calloc(na, sizeof *outv);
    REQUIRE(in && outv);
    static const uint8_t zero[20];
    size_t negative = 0;
    for (uint32_t id = 0; id < c.accounts; id++) {
        const cw_evm_row_account *acc = cw_evmstore_account(s, id);
        if (!memcmp(acc->addr, zero, 20))
            continue;
        REQUIRE(cw_evmstore_account_flows(s, id, UINT64_MAX, in, outv, na) == 0);
        char addr[43];
        cw_evm_addr aa;
        memcpy(aa.b, acc->addr, 20);
        cw_evm_addr_hex(addr, &aa);
        for (uint32_t k = 0; k < na; k++) {
            const cw_evm_row_asset *as = cw_evmstore_asset(s, k);
            if (as->kind == CW_EVM_ASSET_KIND_ERC721 || as->kind == CW_EVM_ASSET_KIND_ERC1155)
                continue;
            cw_u256 b;
            if (cw_u256_sub(&b, &in[k], &outv[k])) {
                negative++;
                continue;
            }
            if (cw_u256_is_zero(&b))
                continue;
            char asset[43] = "ETH", dec[CW_U256_DEC_MAX];
            if (k != CW_EVM_ASSET_NATIVE) {
                cw_evm_addr ta;
                memcpy(ta.b, cw_evmstore_account(s, as->account)->addr, 20);
                cw_evm_addr_hex(asset, &ta);
            }
            cw_u256_to_dec(dec, &b);
            fprintf(f, "%s,%s,%s\n", addr, asset, dec);
        }
    }
    fclose(f);
    free(in);
    free(outv);
    cw_evmstore_close(s);
    CHECK_EQ_INT(negative, 0);
    size_t n1 = 0, n2 = 0;
    char **a = read_lines(out, &n1), **b = read_lines(mine, &n2);
    REQUIRE(a && b);
    CHECK(n1 > 1000);
    CHECK_EQ_INT(compare_lines(a, n1, b, n2, "recomputed vs store"), 0);
    free_lines(a, n1);
    free_lines(b, n2);
}

int main(void)
{
    const char *t = cw_test_tmpdir();
    snprintf(dir_a, sizeof dir_a, "%s/a", t);
    snprintf(dir_b, sizeof dir_b, "%s/b", t);
    snprintf(dir_c, sizeof dir_c, "%s/c", t);
    RUN(test_determinism);
    RUN(test_independent_balances);
    RUN(test_store_balances);
    return cw_test_done();
}
