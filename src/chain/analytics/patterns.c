/*
 * patterns.c: per-transaction pattern flags (docs/PATTERNS.md) and their persisted column.
 *
 * Files in the store directory (owned here, never touched by ingest):
 *   txflags.col        one u32 of CW_PAT_* bits per tx, rows [0, txs)
 *   patterns.manifest  format, txs and blocks covered, tip0..tip3 (hash of the last covered
 *                      block as four little-endian u64), written atomically after the rows
 *   patterns.lock      flock held by a build
 * Invariant: rows [0, manifest txs) hold the flags of those txs as computed over the chain up
 * to the manifest's block count. Extending re-computes the parents of new txs too, because a
 * peel-chain link of a parent depends on the tx that spends it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "chainwatch/errors.h"
#include "chainwatch/patterns.h"
#include "chainwatch/store.h"
#include "chainwatch/util.h"

#define PAT_FORMAT 1

static const char *const flag_names[CW_PAT_N_FLAGS] = {"coinjoin", "whirlpool",  "wasabi1",
                                                       "wasabi2",  "joinmarket", "peel_chain",
                                                       "fan_out",  "fan_in",     "coinbase"};

const char *cw_patterns_flag_name(unsigned bit)
{
    return bit < CW_PAT_N_FLAGS ? flag_names[bit] : NULL;
}

void cw_patterns_flags_string(char *buf, size_t n, uint32_t flags)
{
    size_t used = 0;
    if (n)
        buf[0] = 0;
    for (unsigned b = 0; b < CW_PAT_N_FLAGS; b++) {
        if (!(flags & (1u << b)))
            continue;
        int w = snprintf(buf + used, n - used, "%s%s", used ? "," : "", flag_names[b]);
        if (w < 0 || (size_t)w >= n - used)
            return;
        used += (size_t)w;
    }
}

/* ------------------------------------------------------------------ rules */

/* Scratch arrays reused across txs by a build. */
typedef struct scratch {
    uint64_t *vals;
    uint32_t *addrs;
    size_t cap;
} scratch;

static int scratch_fit(scratch *s, size_t n)
{
    if (n <= s->cap)
        return 0;
    size_t cap = s->cap ? s->cap : 64;
    while (cap < n)
        cap *= 2;
    uint64_t *v = cw_realloc(s->vals, cap * sizeof *v);
    if (!v)
        return CW_ENOMEM;
    s->vals = v;
    uint32_t *a = cw_realloc(s->addrs, cap * sizeof *a);
    if (!a)
        return CW_ENOMEM;
    s->addrs = a;
    s->cap = cap;
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Address of the output an input spends, CW_NONE32 when unknown. */
static uint32_t in_addr(const cw_chainstore *cs, uint64_t in)
{
    const cw_row_in *r = cw_chainstore_in(cs, in);
    if (r->spent_tx == CW_IN_COINBASE)
        return CW_NONE32;
    if (r->spent_tx == CW_IN_EXTERNAL) {
        const cw_row_ext *e = cw_chainstore_ext(cs, r->spent_vout);
        return e->known ? e->addr : CW_NONE32;
    }
    return cw_chainstore_out(cs, cw_chainstore_tx_first_out(cs, r->spent_tx) + r->spent_vout)->addr;
}

/* Wasabi 2 standard denominations: >= 5000 sat and 1/2/5 x 10^n, 2^n, 3^n or 2 x 3^n. */
static bool std_denom(uint64_t v)
{
    if (v < 5000)
        return false;
    uint64_t x = v;
    while (x % 10 == 0)
        x /= 10;
    if (x == 1 || x == 2 || x == 5)
        return true;
    if ((v & (v - 1)) == 0)
        return true;
    x = v % 2 == 0 ? v / 2 : v;
    while (x % 3 == 0)
        x /= 3;
    return x == 1;
}

bool cw_patterns_peel_shape(const cw_chainstore *cs, uint64_t tx, uint32_t *large)
{
    uint64_t i0, i1, o0, o1;
    cw_chainstore_tx_range(cs, tx, &i0, &i1, &o0, &o1);
    if (i1 - i0 < 1 || i1 - i0 > 2 || o1 - o0 != 2)
        return false;
    if (cw_chainstore_in(cs, i0)->spent_tx == CW_IN_COINBASE)
        return false;
    uint64_t a = cw_out_value(cw_chainstore_out(cs, o0));
    uint64_t b = cw_out_value(cw_chainstore_out(cs, o0 + 1));
    uint64_t hi = a >= b ? a : b, lo = a >= b ? b : a;
    if (hi == 0 || hi / 4 < lo)
        return false;
    if (large)
        *large = a >= b ? 0 : 1;
    return true;
}

/* Peel-chain link: peel shape and either the larger output is spent by a tx of peel shape, or
 * the tx spends the larger output of a tx of peel shape. */
static bool peel_link(const cw_chainstore *cs, uint64_t tx)
{
    uint32_t large;
    if (!cw_patterns_peel_shape(cs, tx, &large))
        return false;
    uint64_t txs = cw_chainstore_counts_get(cs).txs;
    uint64_t i0, i1, o0, o1;
    cw_chainstore_tx_range(cs, tx, &i0, &i1, &o0, &o1);
    uint32_t sp = cw_chainstore_out(cs, o0 + large)->spending_tx;
    if (sp != CW_NONE32 && sp < txs && cw_patterns_peel_shape(cs, sp, NULL))
        return true;
    for (uint64_t i = i0; i < i1; i++) {
        const cw_row_in *r = cw_chainstore_in(cs, i);
        uint32_t plarge;
        if (r->spent_tx >= CW_IN_EXTERNAL)
            continue;
        if (cw_patterns_peel_shape(cs, r->spent_tx, &plarge) && plarge == r->spent_vout)
            return true;
    }
    return false;
}

/* The flags of a tx that is not a CoinJoin: fan-out, fan-in, peel-chain link. */
static uint32_t shape_flags(const cw_chainstore *cs, uint64_t tx, uint64_t n_in, uint64_t n_out_all)
{
    uint32_t f = 0;
    if (n_in <= 3 && n_out_all >= 5)
        f |= CW_PAT_FANOUT;
    if (n_in >= 5 && n_out_all <= 2)
        f |= CW_PAT_FANIN;
    if (peel_link(cs, tx))
        f |= CW_PAT_PEEL;
    return f;
}

static uint32_t compute(const cw_chainstore *cs, uint64_t tx, scratch *s)
{
    uint64_t i0, i1, o0, o1;
    cw_chainstore_tx_range(cs, tx, &i0, &i1, &o0, &o1);
    uint64_t n_in = i1 - i0, n_out_all = o1 - o0;
    if (n_in && cw_chainstore_in(cs, i0)->spent_tx == CW_IN_COINBASE)
        return CW_PAT_COINBASE;
    /* every CoinJoin rule needs >= 3 inputs and >= 3 outputs: most txs stop here */
    if (n_in < 3 || n_out_all < 3)
        return shape_flags(cs, tx, n_in, n_out_all);
    uint32_t f = 0;
    size_t need = n_in > n_out_all ? n_in : n_out_all;
    if (scratch_fit(s, need + 1))
        return 0; /* out of memory: no flags rather than wrong ones */
    /* outputs that carry value to an address (OP_RETURN and zero-value outputs do not count) */
    size_t n_out = 0;
    uint64_t max_out = 0;
    for (uint64_t o = o0; o < o1; o++) {
        const cw_row_out *r = cw_chainstore_out(cs, o);
        uint64_t v = cw_out_value(r);
        if (r->addr == CW_NONE32 || v == 0)
            continue;
        s->vals[n_out++] = v;
        if (v > max_out)
            max_out = v;
    }
    /* inputs: distinct addresses and the largest value */
    size_t n_addr = 0;
    uint64_t max_in = 0;
    bool all_known = true;
    for (uint64_t i = i0; i < i1; i++) {
        uint64_t v;
        if (cw_chainstore_in_value(cs, i, &v) == 0) {
            if (v > max_in)
                max_in = v;
        } else {
            all_known = false;
        }
        uint32_t a = in_addr(cs, i);
        if (a != CW_NONE32)
            s->addrs[n_addr++] = a;
    }
    qsort(s->addrs, n_addr, sizeof *s->addrs, cmp_u32);
    size_t distinct = 0;
    for (size_t i = 0; i < n_addr; i++)
        if (i == 0 || s->addrs[i] != s->addrs[i - 1])
            distinct++;
    /* an output paid back to an input address (CoinJoin software never does that) */
    bool reuse = false;
    for (uint64_t o = o0; o < o1 && !reuse; o++) {
        uint32_t a = cw_chainstore_out(cs, o)->addr;
        size_t lo = 0, hi = n_addr;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (s->addrs[mid] < a)
                lo = mid + 1;
            else
                hi = mid;
        }
        reuse = lo < n_addr && s->addrs[lo] == a && a != CW_NONE32;
    }
    /* largest class of equal output values (ties: the larger value) and standard denominations */
    size_t n_std = 0;
    for (size_t i = 0; i < n_out; i++)
        n_std += std_denom(s->vals[i]);
    qsort(s->vals, n_out, sizeof *s->vals, cmp_u64);
    size_t k = 0, std_distinct = 0, std_repeated = 0;
    uint64_t v = 0;
    for (size_t i = 0; i < n_out;) {
        size_t j = i;
        while (j < n_out && s->vals[j] == s->vals[i])
            j++;
        if (j - i >= k) {
            k = j - i;
            v = s->vals[i];
        }
        if (std_denom(s->vals[i])) {
            std_distinct++;
            std_repeated += j - i > 1;
        }
        i = j;
    }
    size_t m = n_out - k;
    if (n_in == 5 && n_out_all == 5 && k == 5 &&
        (v == 100000 || v == 1000000 || v == 5000000 || v == 50000000))
        f |= CW_PAT_WHIRLPOOL;
    if (k >= 10 && v >= 8000000 && v <= 12000000 && n_in >= k && m >= 1 && distinct >= k / 2)
        f |= CW_PAT_WASABI1;
    if (n_in >= 5 && n_out >= 10 && distinct >= 5 && 2 * n_std >= n_out && std_distinct >= 3 &&
        std_repeated >= 1)
        f |= CW_PAT_WASABI2;
    bool generic = k >= 3 && v >= 1000 && n_in >= k && distinct >= k && all_known &&
                   max_out <= max_in && !reuse && m + 1 >= k && m <= k + 1;
    if (generic && !(f & (CW_PAT_WHIRLPOOL | CW_PAT_WASABI1 | CW_PAT_WASABI2)) && m <= k)
        f |= CW_PAT_JOINMARKET;
    if (generic || f)
        f |= CW_PAT_COINJOIN;
    return f & CW_PAT_COINJOIN ? f : f | shape_flags(cs, tx, n_in, n_out_all);
}

uint32_t cw_patterns_compute(const cw_chainstore *cs, uint64_t tx)
{
    scratch s = {0};
    uint32_t f = compute(cs, tx, &s);
    cw_free(s.vals);
    cw_free(s.addrs);
    return f;
}

/* ------------------------------------------------------------------ persistence */

static void path_in(char *out, size_t n, const char *dir, const char *name)
{
    snprintf(out, n, "%s/%s", dir, name);
}

/* True when the manifest's covered tip is still the block at its row in the store. */
static bool tip_matches(const cw_chainstore *cs, const cw_manifest *m)
{
    uint64_t blocks = cw_manifest_get(m, "blocks", 0);
    if (blocks == 0)
        return cw_manifest_get(m, "txs", 0) == 0;
    if (blocks > cw_chainstore_counts_get(cs).blocks)
        return false;
    const cw_row_block *b = cw_chainstore_block(cs, blocks - 1);
    static const char *const keys[4] = {"tip0", "tip1", "tip2", "tip3"};
    for (size_t i = 0; i < 4; i++) {
        uint64_t w;
        memcpy(&w, b->hash + 8 * i, 8);
        if (cw_manifest_get(m, keys[i], 0) != w)
            return false;
    }
    return true;
}

int cw_analytics__set_tip(cw_manifest *m, const cw_chainstore *cs);
int cw_analytics__set_tip(cw_manifest *m, const cw_chainstore *cs)
{
    cw_chainstore_counts c = cw_chainstore_counts_get(cs);
    int rc = cw_manifest_set(m, "blocks", c.blocks);
    static const char *const keys[4] = {"tip0", "tip1", "tip2", "tip3"};
    for (size_t i = 0; i < 4 && rc == 0; i++) {
        uint64_t w = 0;
        if (c.blocks)
            memcpy(&w, cw_chainstore_block(cs, c.blocks - 1)->hash + 8 * i, 8);
        rc = cw_manifest_set(m, keys[i], w);
    }
    return rc;
}

bool cw_analytics__tip_matches(const cw_chainstore *cs, const cw_manifest *m);
bool cw_analytics__tip_matches(const cw_chainstore *cs, const cw_manifest *m)
{
    return tip_matches(cs, m);
}

int cw_analytics__lock(int *fd, const char *dir, const char *name);
int cw_analytics__lock(int *fd, const char *dir, const char *name)
{
    char p[4096];
    path_in(p, sizeof p, dir, name);
    *fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (*fd < 0)
        return cw_error_set(CW_EIO, "%s: %s", p, strerror(errno));
    if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
        close(*fd);
        *fd = -1;
        return cw_error_set(CW_EBUSY, "%s: another build is running", p);
    }
    return 0;
}

int cw_patterns_build(const char *store_dir, cw_patterns_stats *stats)
{
    cw_patterns_stats st;
    memset(&st, 0, sizeof st);
    double t0 = cw_now();
    cw_chainstore *cs = NULL;
    cw_column col;
    bool col_open = false;
    int lock = -1;
    scratch s = {0};
    char mpath[4096];
    path_in(mpath, sizeof mpath, store_dir, "patterns.manifest");
    int rc = cw_chainstore_open(&cs, store_dir, false, CW_NET_MAIN);
    if (rc)
        goto out;
    if ((rc = cw_analytics__lock(&lock, store_dir, "patterns.lock")))
        goto out;
    cw_chainstore_counts c = cw_chainstore_counts_get(cs);
    cw_manifest m;
    uint64_t from = 0;
    if (cw_manifest_read(&m, mpath) == 0 && cw_manifest_get(&m, "format", 0) == PAT_FORMAT) {
        from = cw_manifest_get(&m, "txs", 0);
        if (!tip_matches(cs, &m) || from > c.txs) {
            st.rebuilt = true;
            from = 0;
        }
    } else {
        memset(&m, 0, sizeof m);
    }
    cw_error_clear();
    if ((rc = cw_column_open(&col, store_dir, "txflags", 4, true)))
        goto out;
    col_open = true;
    if (from > 0 && col.cap < from) {
        /* the column is shorter than its manifest says: damaged, rebuild */
        st.rebuilt = true;
        from = 0;
    }
    st.txs_before = from;
    col.rows = from;
    if ((rc = cw_column_reserve(&col, c.txs - from + 1)))
        goto out;
    uint32_t *rows = (uint32_t *)cw_column_row(&col, 0);
    for (uint64_t t = from; t < c.txs; t++) {
        uint32_t f = compute(cs, t, &s);
        rows[t] = f;
        /* a new peel link may make its parents links too */
        if ((f & CW_PAT_PEEL) && from > 0) {
            uint64_t i0, i1, o0, o1;
            cw_chainstore_tx_range(cs, t, &i0, &i1, &o0, &o1);
            for (uint64_t i = i0; i < i1; i++) {
                uint32_t p = cw_chainstore_in(cs, i)->spent_tx;
                if (p < from)
                    rows[p] = compute(cs, p, &s);
            }
        }
    }
    col.rows = c.txs;
    if ((rc = cw_column_sync(&col, 0, c.txs)))
        goto out;
    for (uint64_t t = 0; t < c.txs; t++)
        for (unsigned b = 0; b < CW_PAT_N_FLAGS; b++)
            st.counts[b] += (rows[t] >> b) & 1;
    if ((rc = cw_manifest_set(&m, "format", PAT_FORMAT)) ||
        (rc = cw_manifest_set(&m, "txs", c.txs)) || (rc = cw_analytics__set_tip(&m, cs)) ||
        (rc = cw_manifest_write(&m, mpath)))
        goto out;
    st.txs_after = c.txs;
out:
    if (col_open) {
        int r2 = cw_column_close(&col, rc == 0);
        if (rc == 0)
            rc = r2;
    }
    if (lock >= 0)
        close(lock);
    if (cs)
        cw_chainstore_close(cs);
    cw_free(s.vals);
    cw_free(s.addrs);
    st.seconds = cw_now() - t0;
    if (stats)
        *stats = st;
    return rc;
}

/* ------------------------------------------------------------------ reading */

struct cw_patterns {
    cw_column col;
    uint64_t txs;
};

int cw_patterns_open(cw_patterns **out, const cw_chainstore *cs)
{
    *out = NULL;
    const char *dir = cw_chainstore_dir(cs);
    char mpath[4096];
    path_in(mpath, sizeof mpath, dir, "patterns.manifest");
    cw_manifest m;
    int rc = cw_manifest_read(&m, mpath);
    if (rc)
        return rc == CW_ENOTFOUND
                   ? cw_error_set(CW_ENOTFOUND,
                                  "%s: no pattern flags (run `chainwatch patterns build`)", dir)
                   : rc;
    if (cw_manifest_get(&m, "format", 0) != PAT_FORMAT)
        return cw_error_set(CW_EVERSION, "%s: unsupported format", mpath);
    if (!tip_matches(cs, &m))
        return cw_error_set(CW_ECORRUPT,
                            "%s: the chain was reorganised below the flags' tip (run "
                            "`chainwatch patterns build`)",
                            mpath);
    cw_patterns *p = cw_calloc(1, sizeof *p);
    if (!p)
        return cw_error_set(CW_ENOMEM, "out of memory");
    if ((rc = cw_column_open(&p->col, dir, "txflags", 4, false))) {
        cw_free(p);
        return rc;
    }
    p->txs = cw_manifest_get(&m, "txs", 0);
    if (p->col.cap < p->txs) {
        cw_patterns_close(p);
        return cw_error_set(CW_ECORRUPT, "%s/txflags.col: shorter than its manifest's %llu txs",
                            dir, (unsigned long long)p->txs);
    }
    *out = p;
    return 0;
}

void cw_patterns_close(cw_patterns *p)
{
    if (!p)
        return;
    cw_column_close(&p->col, false);
    cw_free(p);
}

uint64_t cw_patterns_covered(const cw_patterns *p)
{
    return p->txs;
}

int cw_patterns_tx_flags(const cw_patterns *p, uint64_t tx, uint32_t *flags)
{
    if (tx >= p->txs)
        return cw_error_set(CW_ENOTFOUND, "tx %llu is past the %llu txs the flags cover",
                            (unsigned long long)tx, (unsigned long long)p->txs);
    memcpy(flags, cw_column_row(&p->col, tx), 4);
    return 0;
}

void cw_patterns_annotate_tx(json_t *j, const cw_chainstore *cs)
{
    const char *hex = json_string_value(json_object_get(j, "txid"));
    uint8_t txid[32];
    uint64_t t;
    if (!hex || cw_hex_decode_rev(txid, 32, hex) || cw_chainstore_find_tx(cs, txid, &t)) {
        cw_error_clear();
        return;
    }
    cw_patterns *p = NULL;
    uint32_t f = 0;
    const char *src = "column";
    if (cw_patterns_open(&p, cs) || cw_patterns_tx_flags(p, t, &f)) {
        f = cw_patterns_compute(cs, t);
        src = "computed";
    }
    cw_patterns_close(p);
    cw_error_clear();
    json_t *a = json_array();
    for (unsigned b = 0; b < CW_PAT_N_FLAGS; b++)
        if (f & (1u << b))
            json_array_append_new(a, json_string(flag_names[b]));
    json_object_set_new(j, "flags", a);
    json_object_set_new(j, "flags_source", json_string(src));
}
