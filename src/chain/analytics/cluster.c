/*
 * cluster.c: address clustering (cluster.h, docs/CLUSTERING.md): change heuristics, the
 * union-find build over the chain store, the generation folders it publishes and the reader.
 *
 * Build: load the previous generation's parent array (fully compressed, so a root's rank is 1
 * when it has members and 0 otherwise, exactly the height of its tree) and merges, extend with
 * the new addresses as singletons, apply every new tx that is neither a CoinJoin nor, unless
 * asked (CW_CLUSTER_UNITE_PAYJOIN), a probable PayJoin (inputs united; the change
 * output, when the heuristics name one, united with the first input), compress, number the
 * clusters by smallest member, write cluster.<gen+1>/, replace cluster.manifest, and remove the
 * old generation. Peel-chain change of a parent depends on the tx that spends it, so a new
 * peel-chain tx re-applies its parents' change decision (unions are idempotent).
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chainwatch/btc/query.h"
#include "chainwatch/cluster.h"
#include "chainwatch/errors.h"
#include "chainwatch/patterns.h"
#include "chainwatch/store.h"
#include "chainwatch/util.h"
#include "util/u64map.h"

/* 2 since stop 25: a probable PayJoin contributes no union unless the build asks
 * (CW_CLUSTER_UNITE_PAYJOIN); clusters of format 1 united them all and are rebuilt */
#define CL_FORMAT 2

/* Shared with patterns.c (declared there). */
int cw_analytics__set_tip(cw_manifest *m, const cw_chainstore *cs);
bool cw_analytics__tip_matches(const cw_chainstore *cs, const cw_manifest *m);
int cw_analytics__lock(int *fd, const char *dir, const char *name);

static const char *const change_names[CW_CHANGE_N] = {"fresh", "optimal", "type",    "power10",
                                                      "peel",  "reuse",   "locktime"};

static const char *const change_texts[CW_CHANGE_N] = {
    "the output to an address that receives its first output ever in this tx",
    "the output smaller than every input (an unneeded input would not have been added)",
    "the output of the script type all inputs share",
    "the output that is not a multiple of 1,000 sat while another output is",
    "the remainder of a hop of a peel-chain run (the output the chain continues with)",
    "the output paid back to an input address",
    "the output spent by a tx that, like this one, sets a nonzero locktime"};

const char *cw_cluster_change_name(unsigned bit)
{
    return bit < CW_CHANGE_N ? change_names[bit] : NULL;
}

const char *cw_cluster_change_text(unsigned bit)
{
    return bit < CW_CHANGE_N ? change_texts[bit] : NULL;
}

const char *cw_cluster_heuristic_name(unsigned heuristic)
{
    return heuristic == CW_CLUSTER_MULTI_INPUT ? "multi-input"
           : heuristic == CW_CLUSTER_CHANGE    ? "change"
                                               : "unknown";
}

const char *cw_cluster_heuristic_text(unsigned heuristic)
{
    return heuristic == CW_CLUSTER_MULTI_INPUT
               ? "both addresses are spent as inputs of one tx that is neither a CoinJoin nor a "
                 "probable CoinJoin (one wallet signs all its inputs)"
           : heuristic == CW_CLUSTER_CHANGE
               ? "the change heuristics single out an output of the tx as its change, which "
                 "goes back to the wallet of its first input"
               : "the union's tx no longer shows this evidence (rebuild the clusters)";
}

int cw_cluster_change_parse(uint32_t *out, const char *list)
{
    *out = 0;
    if (!strcmp(list, "none") || !list[0])
        return 0;
    if (!strcmp(list, "all")) {
        *out = CW_CHANGE_ALL;
        return 0;
    }
    const char *p = list;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        unsigned b;
        for (b = 0; b < CW_CHANGE_N; b++)
            if (strlen(change_names[b]) == n && !strncmp(change_names[b], p, n))
                break;
        if (b == CW_CHANGE_N)
            return cw_error_set(CW_EINVAL,
                                "change heuristics: unknown '%.*s' (fresh, optimal, type, "
                                "power10, peel, reuse, locktime, all, none)",
                                (int)n, p);
        *out |= 1u << b;
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

/* ------------------------------------------------------------------ change heuristics */

#define MAX_CHANGE_OUTS 64 /* heuristics look at txs with at most this many outputs */

/* The address an input spends (CW_NONE32 for a coinbase or an unknown prevout), its value (0
 * then) and, when type is not NULL, its script type (-1 then). Inlined into the build's loop, which
 * reads every input of every tx (without the type). */
static inline uint32_t in_prevout(const cw_chainstore *cs, uint64_t in, uint64_t *value, int *type)
{
    const cw_row_in *r = cw_chainstore_in(cs, in);
    if (type)
        *type = -1;
    *value = 0;
    if (r->spent_tx == CW_IN_COINBASE)
        return CW_NONE32;
    if (r->spent_tx == CW_IN_EXTERNAL) {
        const cw_row_ext *e = cw_chainstore_ext(cs, r->spent_vout);
        if (!e->known)
            return CW_NONE32;
        if (type)
            *type = e->type;
        *value = e->value;
        return e->addr;
    }
    const cw_row_out *o =
        cw_chainstore_out(cs, cw_chainstore_tx_first_out(cs, r->spent_tx) + r->spent_vout);
    if (type)
        *type = (int)cw_out_type(o);
    *value = cw_out_value(o);
    return o->addr;
}

static uint32_t in_addr_type(const cw_chainstore *cs, uint64_t in, uint64_t *value, int *type)
{
    return in_prevout(cs, in, value, type);
}

int cw_cluster_change_output(const cw_chainstore *cs, uint64_t tx, uint32_t tx_flags,
                             uint32_t which, uint32_t *vout)
{
    if (!which || cw_patterns_inputs_apart(tx_flags) || (tx_flags & CW_PAT_COINBASE))
        return CW_ENOTFOUND;
    uint64_t i0, i1, o0, o1;
    cw_chainstore_tx_range(cs, tx, &i0, &i1, &o0, &o1);
    uint64_t n_out = o1 - o0;
    if (n_out < 2 || n_out > MAX_CHANGE_OUTS || i1 == i0)
        return CW_ENOTFOUND;
    /* eligible outputs: to an address, not an input address unless the reuse rule says so */
    bool elig[MAX_CHANGE_OUTS];
    const cw_row_out *orow[MAX_CHANGE_OUTS]; /* each output's row, read once for every rule */
    unsigned votes[MAX_CHANGE_OUTS];
    unsigned n_elig = 0, voters = 0;
    uint64_t min_in = UINT64_MAX;
    int in_type = -2; /* -2 none seen, -1 mixed or unknown */
    uint32_t in_addrs[16];
    unsigned n_in_addrs = 0;
    for (uint64_t i = i0; i < i1; i++) {
        uint64_t v;
        int t;
        uint32_t a = in_addr_type(cs, i, &v, &t);
        if (t < 0)
            return CW_ENOTFOUND; /* unknown prevout: no opinion */
        if (v < min_in)
            min_in = v;
        in_type = in_type == -2 ? t : in_type == t ? t : -1;
        if (n_in_addrs < 16)
            in_addrs[n_in_addrs++] = a;
    }
    for (uint64_t k = 0; k < n_out; k++) {
        const cw_row_out *o = orow[k] = cw_chainstore_out(cs, o0 + k);
        elig[k] = o->addr != CW_NONE32;
        votes[k] = 0;
        n_elig += elig[k];
    }
    if (n_elig < 2)
        return CW_ENOTFOUND;
    bool cand[MAX_CHANGE_OUTS];
    bool locktime = cw_chainstore_txmeta(cs, tx).locktime != 0;
    uint64_t n_txs = cw_chainstore_counts_get(cs).txs;
    for (unsigned h = 0; h < CW_CHANGE_N; h++) {
        if (!(which & (1u << h)))
            continue;
        unsigned n_cand = 0;
        uint32_t large = 0;
        /* peel: the remainder of a run's hop, only when the run continues through it (the
         * next hop spends it): a run's last hop may pay its larger output to someone else */
        bool peel = h == 4 && (tx_flags & CW_PAT_PEEL) && cw_patterns_peel_shape(cs, tx, &large) &&
                    cw_patterns_peel_next(cs, tx) != CW_NONE64;
        bool any_round = false;
        if (h == 3)
            for (uint64_t k = 0; k < n_out; k++) {
                uint64_t v = cw_out_value(orow[k]);
                any_round |= elig[k] && v % 1000 == 0;
            }
        for (uint64_t k = 0; k < n_out; k++) {
            cand[k] = false;
            if (!elig[k])
                continue;
            const cw_row_out *o = orow[k];
            uint64_t v = cw_out_value(o);
            switch (h) {
            case 0: /* fresh: first output ever paid to its address */
                cand[k] = cw_chainstore_outlink(cs, o0 + k) == CW_NONE64;
                for (unsigned j = 0; j < n_in_addrs && cand[k]; j++)
                    cand[k] = in_addrs[j] != o->addr;
                break;
            case 1: /* optimal: smaller than every input */
                cand[k] = v < min_in;
                break;
            case 2: /* type: same script type as all inputs */
                cand[k] = in_type >= 0 && (int)cw_out_type(o) == in_type;
                break;
            case 3: /* power of ten: not a multiple of 1000 sat while another output is */
                cand[k] = any_round && v % 1000 != 0;
                break;
            case 4: /* peel: the remainder (largest output) of a peel-chain link continues the chain
                     */
                cand[k] = peel && k == large;
                break;
            case 6: /* locktime: spent by a tx that, like this one, sets a nonzero locktime */
                cand[k] = locktime && o->spending_tx != CW_NONE32 && o->spending_tx < n_txs &&
                          cw_chainstore_txmeta(cs, o->spending_tx).locktime != 0;
                break;
            case 5: /* reuse: paid back to an input address */
                for (unsigned j = 0; j < n_in_addrs; j++)
                    cand[k] |= in_addrs[j] == o->addr;
                break;
            default:
                break;
            }
            n_cand += cand[k];
        }
        /* no candidate or every output a candidate: the heuristic abstains */
        if (n_cand == 0 || n_cand == n_elig)
            continue;
        voters++;
        for (uint64_t k = 0; k < n_out; k++)
            votes[k] += cand[k];
    }
    if (!voters)
        return CW_ENOTFOUND;
    unsigned n_win = 0, win = 0;
    for (uint64_t k = 0; k < n_out; k++)
        if (votes[k] == voters) {
            n_win++;
            win = (unsigned)k;
        }
    if (n_win != 1)
        return CW_ENOTFOUND;
    *vout = win;
    return 0;
}

const char *cw_cluster_payjoin_text(void)
{
    return "probable PayJoin (BIP78; rule " CW_CLUSTER_PAYJOIN_RULE "): 2 inputs at 2 addresses, 2 "
           "outputs, and one input larger than both outputs: it alone pays either output, so the "
           "other input may be the payee's own coin";
}

/* The PayJoin test of a 2-input 2-output tx whose inputs' addresses and values are known (the
 * build reads them once for both this test and its unions). */
static inline bool payjoin_2x2(const cw_chainstore *cs, uint64_t o0, const uint32_t addr[2],
                               const uint64_t in_value[2])
{
    if (addr[0] == CW_NONE32 || addr[1] == CW_NONE32 || addr[0] == addr[1])
        return false; /* unknown prevout or no address: no opinion */
    const cw_row_out *a = cw_chainstore_out(cs, o0), *b = cw_chainstore_out(cs, o0 + 1);
    if (a->addr == CW_NONE32 || b->addr == CW_NONE32)
        return false;
    uint64_t va = cw_out_value(a), vb = cw_out_value(b);
    uint64_t max_out = va > vb ? va : vb,
             max_in = in_value[0] > in_value[1] ? in_value[0] : in_value[1];
    return max_in > max_out;
}

bool cw_cluster_payjoin_probable(const cw_chainstore *cs, uint64_t tx, uint32_t tx_flags)
{
    if (cw_patterns_inputs_apart(tx_flags) || (tx_flags & CW_PAT_COINBASE))
        return false;
    uint64_t i0, i1, o0, o1;
    cw_chainstore_tx_range(cs, tx, &i0, &i1, &o0, &o1);
    if (i1 - i0 != 2 || o1 - o0 != 2)
        return false;
    uint32_t addr[2];
    uint64_t v[2];
    int ty;
    addr[0] = in_addr_type(cs, i0, &v[0], &ty);
    addr[1] = in_addr_type(cs, i0 + 1, &v[1], &ty);
    return payjoin_2x2(cs, o0, addr, v);
}

/* ------------------------------------------------------------------ union-find */

typedef struct merge_row {
    uint32_t a, b, tx;
} merge_row;

typedef struct uf {
    uint32_t *parent;
    uint8_t *rank;
    uint64_t n;
    merge_row *merges;
    uint64_t n_merges;
    size_t cap_merges;
} uf;

/* The root of x, every node on the way pointed at it (the final pass: the parent array written
 * is fully compressed). */
static uint32_t uf_find(uf *u, uint32_t x)
{
    uint32_t r = x;
    while (u->parent[r] != r)
        r = u->parent[r];
    while (u->parent[x] != r) { /* path compression */
        uint32_t n = u->parent[x];
        u->parent[x] = r;
        x = n;
    }
    return r;
}

/* The root of x, halving the path on the way (the build: one pass, the same root). */
static inline uint32_t uf_root(uf *u, uint32_t x)
{
    uint32_t *p = u->parent;
    while (p[x] != x) {
        uint32_t g = p[p[x]];
        p[x] = g;
        x = g;
    }
    return x;
}

/* Links the roots ra != rb by rank (ra stays root on a tie) and records the union of a and b
 * (the addresses whose roots they are) by tx; returns the new root, or CW_NONE32 out of memory
 * (error set). */
static inline uint32_t uf_link(uf *u, uint32_t ra, uint32_t rb, uint32_t a, uint32_t b, uint32_t tx)
{
    if (u->rank[ra] < u->rank[rb]) {
        uint32_t t = ra;
        ra = rb;
        rb = t;
    }
    u->parent[rb] = ra;
    if (u->rank[ra] == u->rank[rb])
        u->rank[ra]++;
    if (u->n_merges >= u->cap_merges &&
        (u->n_merges >= SIZE_MAX / sizeof *u->merges ||
         cw_grow(&u->merges, &u->cap_merges, (size_t)u->n_merges + 1, sizeof *u->merges, 4096))) {
        cw_error_set(CW_ENOMEM, "cluster: out of memory for merges");
        return CW_NONE32;
    }
    u->merges[u->n_merges++] = (merge_row){a, b, tx};
    return ra;
}

/* Unites the sets of a and b; returns 1 when they were apart, 0 when already one, <0 error. */
static int uf_union(uf *u, uint32_t a, uint32_t b, uint32_t tx)
{
    uint32_t ra = uf_root(u, a), rb = uf_root(u, b);
    if (ra == rb)
        return 0;
    return uf_link(u, ra, rb, a, b, tx) == CW_NONE32 ? CW_ENOMEM : 1;
}

/* Unites input address a (CW_NONE32: none) with its tx's first known input, *first (its root
 * kept in *root across the tx's unions: each would find the same one); the union is recorded as
 * (first, a). Returns 0 or CW_ENOMEM (error set). */
static inline int unite_first(uf *u, uint32_t *first, uint32_t *root, uint32_t a, uint32_t tx,
                              cw_cluster_stats *st)
{
    if (a == CW_NONE32)
        return 0;
    if (*first == CW_NONE32) {
        *first = a;
        *root = uf_root(u, a);
        return 0;
    }
    uint32_t rb = uf_root(u, a);
    if (rb == *root)
        return 0;
    if ((*root = uf_link(u, *root, rb, *first, a, tx)) == CW_NONE32)
        return CW_ENOMEM;
    st->multi_input_merges++;
    return 0;
}

/* ------------------------------------------------------------------ files */

static void gen_dir(char *out, size_t n, const char *store, uint64_t gen)
{
    cw_derived_gen_dir(out, n, store, "cluster", gen);
}

/* Writes n rows of width w from data into dir/name.col (trimmed, fsynced). */
static int write_col(const char *dir, const char *name, uint32_t w, const void *data, uint64_t n)
{
    cw_column c;
    int rc = cw_column_open(&c, dir, name, w, true);
    if (rc)
        return rc;
    c.rows = 0;
    if ((rc = cw_column_reserve(&c, n + 1)) == 0) {
        if (n)
            memcpy(cw_column_row(&c, 0), data, n * w);
        c.rows = n;
    }
    int r2 = cw_column_close(&c, true);
    return rc ? rc : r2;
}

/* Reads exactly n rows of dir/name.col into a new heap array (n may be 0). */
static int read_col(void **out, const char *dir, const char *name, uint32_t w, uint64_t n,
                    uint64_t extra)
{
    cw_column c;
    *out = NULL;
    int rc = cw_column_open(&c, dir, name, w, false);
    if (rc)
        return rc;
    if (c.cap < n) {
        cw_column_close(&c, false);
        return cw_error_set(CW_ECORRUPT, "%s: %llu rows, manifest says %llu", c.path,
                            (unsigned long long)c.cap, (unsigned long long)n);
    }
    void *p = cw_malloc((n + extra) * w);
    if (!p) {
        cw_column_close(&c, false);
        return cw_error_set(CW_ENOMEM, "%s: out of memory", c.path);
    }
    if (n)
        memcpy(p, cw_column_row(&c, 0), n * w);
    cw_column_close(&c, false);
    *out = p;
    return 0;
}

/* ------------------------------------------------------------------ build */

/* tested: the build loop has already passed t's PayJoin test (a withheld one never comes here) */
static int apply_change(uf *u, const cw_chainstore *cs, uint64_t t, uint32_t flags, uint32_t change,
                        uint32_t first_addr, bool tested, cw_cluster_stats *st)
{
    uint32_t vout;
    if (first_addr == CW_NONE32 ||
        cw_cluster_change_output(cs, t, flags, change & CW_CHANGE_ALL, &vout) != 0)
        return 0;
    /* a probable PayJoin's first input may be the payee's: no change union either (a parent
     * re-applied by an incremental build comes here without the build loop's test) */
    if (!tested && !(change & CW_CLUSTER_UNITE_PAYJOIN) &&
        cw_cluster_payjoin_probable(cs, t, flags))
        return 0;
    uint32_t a = cw_chainstore_out(cs, cw_chainstore_tx_first_out(cs, t) + vout)->addr;
    int r = uf_union(u, first_addr, a, (uint32_t)t);
    if (r > 0)
        st->change_merges++;
    return r < 0 ? r : 0;
}

/* First known input address of tx, CW_NONE32 when none. */
static uint32_t first_in_addr(const cw_chainstore *cs, uint64_t t)
{
    uint64_t i0, i1, o0, o1;
    cw_chainstore_tx_range(cs, t, &i0, &i1, &o0, &o1);
    for (uint64_t i = i0; i < i1; i++) {
        uint64_t v;
        int ty;
        uint32_t a = in_addr_type(cs, i, &v, &ty);
        if (a != CW_NONE32)
            return a;
    }
    return CW_NONE32;
}

int cw_cluster_build(const char *store_dir, uint32_t change, cw_cluster_stats *stats)
{
    cw_cluster_stats st;
    memset(&st, 0, sizeof st);
    double t0 = cw_now();
    cw_chainstore *cs = NULL;
    cw_patterns *pat = NULL;
    int lock = -1;
    uf u;
    memset(&u, 0, sizeof u);
    uint32_t *clid = NULL;
    uint64_t *off = NULL;
    uint32_t *mem = NULL;
    char mpath[4096], odir[4096], ndir[4096];
    snprintf(mpath, sizeof mpath, "%s/cluster.manifest", store_dir);
    int rc = cw_patterns_build(store_dir, NULL);
    if (rc)
        goto out;
    if ((rc = cw_chainstore_open(&cs, store_dir, false, CW_NET_MAIN)))
        goto out;
    if ((rc = cw_analytics__lock(&lock, store_dir, "cluster.lock")))
        goto out;
    if ((rc = cw_patterns_open(&pat, cs)))
        goto out;
    cw_chainstore_counts c = cw_chainstore_counts_get(cs);
    if (cw_patterns_covered(pat) < c.txs) {
        rc = cw_error_set(CW_EBUSY,
                          "%s: pattern flags cover fewer txs than the store (a "
                          "concurrent ingest?); run again",
                          store_dir);
        goto out;
    }
    if (c.addrs >= CW_NONE32 || c.txs >= CW_NONE32) {
        rc = cw_error_set(CW_EINVAL, "%s: more than 2^32 addresses or txs", store_dir);
        goto out;
    }
    cw_manifest m;
    uint64_t from = 0, old_addrs = 0, old_gen = 0;
    bool have_old = false;
    if (cw_manifest_read(&m, mpath) == 0 && cw_manifest_get(&m, "format", 0) == CL_FORMAT) {
        have_old = true;
        old_gen = cw_manifest_get(&m, "gen", 0);
        from = cw_manifest_get(&m, "txs", 0);
        old_addrs = cw_manifest_get(&m, "addrs", 0);
        /* unions made under other pattern rules (a CoinJoin shape they did not know) stay
         * in the parent array: only a build from tx 0 drops them (a manifest from before
         * the key was recorded has none: 0) */
        if (!cw_analytics__tip_matches(cs, &m) || from > c.txs || old_addrs > c.addrs ||
            cw_manifest_get(&m, "change", 0) != change ||
            cw_manifest_get(&m, "patterns", 0) != cw_patterns_format()) {
            st.rebuilt = true;
            from = 0;
        }
    } else {
        memset(&m, 0, sizeof m);
    }
    cw_error_clear();
    gen_dir(odir, sizeof odir, store_dir, old_gen);
    if (have_old && !st.rebuilt && from == c.txs && old_addrs == c.addrs) {
        /* up to date: nothing to write */
        st.txs_before = st.txs_after = from;
        st.addrs = c.addrs;
        st.clusters = cw_manifest_get(&m, "clusters", 0);
        st.merges = cw_manifest_get(&m, "merges", 0);
        goto out;
    }
    if (from > 0) {
        void *p = NULL, *mg = NULL;
        u.n_merges = cw_manifest_get(&m, "merges", 0);
        if (read_col(&p, odir, "parent", 4, old_addrs, c.addrs - old_addrs) ||
            read_col(&mg, odir, "merges", 12, u.n_merges, 4096)) {
            /* a damaged generation: rebuild from scratch */
            cw_free(p);
            cw_free(mg);
            cw_error_clear();
            st.rebuilt = true;
            from = 0;
        } else {
            u.parent = p;
            u.merges = mg;
            u.cap_merges = (size_t)u.n_merges + 4096;
        }
    }
    if (from == 0) {
        old_addrs = 0;
        u.n_merges = 0;
        cw_free(u.parent);
        u.parent = cw_malloc((c.addrs + 1) * sizeof *u.parent);
        if (!u.parent) {
            rc = cw_error_set(CW_ENOMEM, "cluster: out of memory");
            goto out;
        }
    }
    st.txs_before = from;
    u.n = c.addrs;
    u.rank = cw_calloc(c.addrs + 1, 1);
    if (!u.rank) {
        rc = cw_error_set(CW_ENOMEM, "cluster: out of memory");
        goto out;
    }
    for (uint64_t a = 0; a < old_addrs; a++)
        if (u.parent[a] != a)
            u.rank[u.parent[a]] = 1;
    for (uint64_t a = old_addrs; a < c.addrs; a++)
        u.parent[a] = (uint32_t)a;
    uint64_t base_merges = u.n_merges;
    for (uint64_t t = from; t < c.txs; t++) {
        uint32_t f = 0;
        cw_patterns_tx_flags(pat, t, &f);
        if (f & CW_PAT_COINBASE)
            continue;
        if (cw_patterns_inputs_apart(f)) {
            /* several owners by design or probably: no union at all */
            if (cw_patterns_multi_owner(f)) {
                st.coinjoin_skipped++;
                if (!(f & CW_PAT_COINJOIN))
                    st.probable_skipped++;
            } else {
                st.joint_withheld++;
            }
            continue;
        }
        uint64_t i0, i1, o0, o1;
        cw_chainstore_tx_range(cs, t, &i0, &i1, &o0, &o1);
        /* one input: no multi-input union, nothing to read unless a change rule asks */
        if (i1 - i0 < 2 && !(change & CW_CHANGE_ALL))
            continue;
        uint32_t first = CW_NONE32, root = CW_NONE32;
        uint64_t in = i0;
        if (i1 - i0 == 2 && o1 - o0 == 2) {
            /* cw_cluster_payjoin_probable, on the two inputs the unions below read anyway */
            uint32_t pj_addr[2];
            uint64_t pj_value[2];
            pj_addr[0] = in_prevout(cs, i0, &pj_value[0], NULL);
            pj_addr[1] = in_prevout(cs, i0 + 1, &pj_value[1], NULL);
            if (payjoin_2x2(cs, o0, pj_addr, pj_value)) {
                /* the payee's coin among the payer's, probably: no union at all, unless asked */
                if (!(change & CW_CLUSTER_UNITE_PAYJOIN)) {
                    st.payjoin_withheld++;
                    continue;
                }
                st.payjoin_united++;
            }
            if ((rc = unite_first(&u, &first, &root, pj_addr[0], (uint32_t)t, &st)) ||
                (rc = unite_first(&u, &first, &root, pj_addr[1], (uint32_t)t, &st)))
                goto out;
            in = i1;
        }
        for (; in < i1; in++) {
            uint64_t v;
            if ((rc = unite_first(&u, &first, &root, in_prevout(cs, in, &v, NULL), (uint32_t)t,
                                  &st)))
                goto out;
        }
        if (!(change & CW_CHANGE_ALL))
            continue;
        if ((rc = apply_change(&u, cs, t, f, change, first, true, &st)))
            goto out;
        if ((change & (CW_CHANGE_PEEL | CW_CHANGE_LOCKTIME)) && from > 0) {
            /* these two look at the spending tx: a parent's decision may be new */
            for (uint64_t i = i0; i < i1; i++) {
                uint32_t p = cw_chainstore_in(cs, i)->spent_tx;
                uint32_t pf = 0;
                if (p >= from || cw_patterns_tx_flags(pat, p, &pf) != 0)
                    continue;
                if ((rc = apply_change(&u, cs, p, pf, change, first_in_addr(cs, p), false, &st)))
                    goto out;
            }
        }
        if ((change & CW_CHANGE_PEEL) && from > 0 && (f & CW_PAT_PEEL)) {
            /* a new hop can complete a peel run: older hops of the run may be links now */
            uint64_t p = t;
            for (unsigned h = 1; h < 2 * CW_PAT_PEEL_MIN_RUN; h++) {
                uint32_t pf = 0;
                p = cw_patterns_peel_parent(cs, p);
                if (p == CW_NONE64)
                    break;
                if (p >= from || cw_patterns_tx_flags(pat, p, &pf) != 0)
                    continue;
                if ((rc = apply_change(&u, cs, p, pf, change, first_in_addr(cs, p), false, &st)))
                    goto out;
            }
        }
    }
    (void)base_merges;
    /* compress fully, number clusters by smallest member, build the CSR */
    clid = cw_malloc((c.addrs + 1) * sizeof *clid);
    off = cw_calloc(c.addrs + 2, sizeof *off);
    mem = cw_malloc((c.addrs + 1) * sizeof *mem);
    if (!clid || !off || !mem) {
        rc = cw_error_set(CW_ENOMEM, "cluster: out of memory");
        goto out;
    }
    uint64_t n_cl = 0;
    /* ids in order of each cluster's smallest address (roots depend on union order) */
    for (uint64_t a = 0; a < c.addrs; a++)
        clid[a] = CW_NONE32;
    for (uint64_t a = 0; a < c.addrs; a++) {
        uint32_t r = uf_find(&u, (uint32_t)a);
        if (clid[r] == CW_NONE32)
            clid[r] = (uint32_t)n_cl++;
    }
    for (uint64_t a = 0; a < c.addrs; a++) {
        clid[a] = clid[u.parent[a]];
        off[clid[a] + 1]++;
    }
    for (uint64_t k = 0; k < n_cl; k++) {
        if (off[k + 1] > st.largest)
            st.largest = off[k + 1];
        off[k + 1] += off[k];
    }
    {
        uint64_t *fill = cw_malloc((n_cl + 1) * sizeof *fill);
        if (!fill) {
            rc = cw_error_set(CW_ENOMEM, "cluster: out of memory");
            goto out;
        }
        memcpy(fill, off, (n_cl + 1) * sizeof *fill);
        for (uint64_t a = 0; a < c.addrs; a++)
            mem[fill[clid[a]]++] = (uint32_t)a;
        cw_free(fill);
    }
    /* write the new generation, then publish it */
    /* above every folder present (leftovers of builds that died, an older format's): never
     * into one a reader may have opened */
    uint64_t new_gen = cw_derived_next_gen(store_dir, "cluster", have_old ? old_gen : 0);
    gen_dir(ndir, sizeof ndir, store_dir, new_gen);
    if (mkdir(ndir, 0755) != 0 && errno != EEXIST) {
        rc = cw_error_set(CW_EIO, "%s: %s", ndir, strerror(errno));
        goto out;
    }
    if ((rc = write_col(ndir, "parent", 4, u.parent, c.addrs)) ||
        (rc = write_col(ndir, "addr2cl", 4, clid, c.addrs)) ||
        (rc = write_col(ndir, "cloff", 8, off, n_cl + 1)) ||
        (rc = write_col(ndir, "clmem", 4, mem, c.addrs)) ||
        (rc = write_col(ndir, "merges", 12, u.merges, u.n_merges)) || (rc = cw_fsync_dir(ndir)))
        goto out;
    memset(&m, 0, sizeof m);
    if ((rc = cw_manifest_set(&m, "format", CL_FORMAT)) ||
        (rc = cw_manifest_set(&m, "gen", new_gen)) || (rc = cw_manifest_set(&m, "txs", c.txs)) ||
        (rc = cw_manifest_set(&m, "addrs", c.addrs)) ||
        (rc = cw_manifest_set(&m, "clusters", n_cl)) ||
        (rc = cw_manifest_set(&m, "merges", u.n_merges)) ||
        (rc = cw_manifest_set(&m, "change", change)) ||
        (rc = cw_manifest_set(&m, "patterns", cw_patterns_format())) ||
        (rc = cw_analytics__set_tip(&m, cs)) ||
        /* not from rows a rollback beside the build rewrote (docs/STORE-FORMAT.md) */
        (rc = cw_chainstore_snapshot_check(cs)) || (rc = cw_manifest_write(&m, mpath)))
        goto out;
    cw_derived_remove_other_gens(store_dir, "cluster", new_gen);
    st.txs_after = c.txs;
    st.addrs = c.addrs;
    st.clusters = n_cl;
    st.merges = u.n_merges;
out:
    cw_free(clid);
    cw_free(off);
    cw_free(mem);
    cw_free(u.parent);
    cw_free(u.rank);
    cw_free(u.merges);
    cw_patterns_close(pat);
    if (lock >= 0)
        close(lock);
    if (cs)
        cw_chainstore_close(cs);
    st.seconds = cw_now() - t0;
    if (stats)
        *stats = st;
    return rc;
}

/* ------------------------------------------------------------------ reader */

/* The member totals of large clusters (cw_clusters_totals), one store handle's worth: valid
 * while the handle the clusters were opened with publishes the same counts. */
typedef struct totals_memo {
    pthread_mutex_t lock;
    cw_chainstore_counts counts; /* of the store when the sums were taken */
    cw_u64map idx;               /* cluster id -> row of sums */
    cw_addrs_sum *sums;
    uint64_t n, cap;
    uint64_t hits, misses;
} totals_memo;

struct cw_clusters {
    cw_column parent, addr2cl, cloff, clmem, merges;
    uint64_t addrs, clusters, n_merges, txs;
    uint32_t change;
    const cw_chainstore *cs; /* the store handle they were opened with */
    totals_memo *memo;       /* logically const: a cache behind the handle */
};

static void memo_reset(totals_memo *m, cw_chainstore_counts counts)
{
    cw_u64map_clear(&m->idx);
    m->n = 0;
    m->counts = counts;
}

void cw_clusters_close(cw_clusters *c)
{
    if (!c)
        return;
    if (c->memo) {
        pthread_mutex_destroy(&c->memo->lock);
        cw_u64map_deinit(&c->memo->idx);
        cw_free(c->memo->sums);
        cw_free(c->memo);
    }
    cw_column *cols[5] = {&c->parent, &c->addr2cl, &c->cloff, &c->clmem, &c->merges};
    for (int i = 0; i < 5; i++)
        if (cols[i]->map)
            cw_column_close(cols[i], false);
    cw_free(c);
}

void cw_clusters_advise_random(const cw_clusters *c)
{
    const cw_column *cols[5] = {&c->parent, &c->addr2cl, &c->cloff, &c->clmem, &c->merges};
    for (int i = 0; i < 5; i++)
        cw_store_advise_random(cols[i]->map, cols[i]->map_len);
}

/* One try of cw_clusters_open: *at_files tells a failure to open the generation's files (a build
 * may have removed them since the manifest was read) from one of the manifest. */
static int clusters_open_once(cw_clusters **out, const cw_chainstore *cs, cw_manifest *mf,
                              bool *at_files)
{
    *out = NULL;
    const char *dir = cw_chainstore_dir(cs);
    char mpath[4096], gdir[4096];
    snprintf(mpath, sizeof mpath, "%s/cluster.manifest", dir);
    cw_manifest m;
    *at_files = false;
    int rc = cw_manifest_read(&m, mpath);
    if (rc)
        return rc == CW_ENOTFOUND ? cw_error_set(CW_ENOTFOUND,
                                                 "%s: no clusters (run `chainwatch cluster "
                                                 "build`)",
                                                 dir)
                                  : rc;
    *mf = m;
    cw_derived_test_hook();
    if (cw_manifest_get(&m, "format", 0) != CL_FORMAT)
        return cw_error_set(CW_EVERSION,
                            "%s: clusters of format %llu, this version reads format %d (run "
                            "`chainwatch cluster build`)",
                            mpath, (unsigned long long)cw_manifest_get(&m, "format", 0), CL_FORMAT);
    uint64_t pf = cw_manifest_get(&m, "patterns", 0); /* 0: written before it was recorded */
    if (pf != cw_patterns_format()) {
        char was[64] = "pattern rules of an unrecorded format";
        if (pf)
            snprintf(was, sizeof was, "pattern rules of format %llu", (unsigned long long)pf);
        return cw_error_set(CW_EVERSION,
                            "%s: clusters built under %s, the rules are of format %llu now "
                            "(run `chainwatch cluster build`)",
                            mpath, was, (unsigned long long)cw_patterns_format());
    }
    if (cw_manifest_get(&m, "blocks", 0) > cw_chainstore_counts_get(cs).blocks)
        return cw_error_set(CW_ECORRUPT,
                            "%s: built over more blocks than this store handle holds: the store "
                            "grew since it was opened (ask again), or was reorganised to a "
                            "shorter chain (run `chainwatch cluster build`)",
                            mpath);
    if (!cw_analytics__tip_matches(cs, &m))
        return cw_error_set(CW_ECORRUPT,
                            "%s: the chain was reorganised below the clusters' tip (run "
                            "`chainwatch cluster build`)",
                            mpath);
    cw_clusters *c = cw_calloc(1, sizeof *c);
    if (!c)
        return cw_error_set(CW_ENOMEM, "out of memory");
    c->addrs = cw_manifest_get(&m, "addrs", 0);
    c->clusters = cw_manifest_get(&m, "clusters", 0);
    c->n_merges = cw_manifest_get(&m, "merges", 0);
    c->txs = cw_manifest_get(&m, "txs", 0);
    c->change = (uint32_t)cw_manifest_get(&m, "change", 0);
    gen_dir(gdir, sizeof gdir, dir, cw_manifest_get(&m, "gen", 0));
    struct {
        cw_column *col;
        const char *name;
        uint32_t w;
        uint64_t rows;
    } spec[5] = {{&c->parent, "parent", 4, c->addrs},
                 {&c->addr2cl, "addr2cl", 4, c->addrs},
                 {&c->cloff, "cloff", 8, c->clusters + 1},
                 {&c->clmem, "clmem", 4, c->addrs},
                 {&c->merges, "merges", 12, c->n_merges}};
    *at_files = true;
    for (int i = 0; i < 5; i++) {
        if ((rc = cw_column_open(spec[i].col, gdir, spec[i].name, spec[i].w, false)))
            goto fail;
        if (spec[i].col->cap < spec[i].rows) {
            rc = cw_error_set(CW_ECORRUPT, "%s: shorter than its manifest says", spec[i].col->path);
            goto fail;
        }
    }
    const uint64_t *off = cw_column_row(&c->cloff, 0);
    if (off[c->clusters] != c->addrs) {
        rc = cw_error_set(CW_ECORRUPT, "%s/cloff.col: offsets do not end at %llu", gdir,
                          (unsigned long long)c->addrs);
        goto fail;
    }
    c->cs = cs;
    if (!(c->memo = cw_calloc(1, sizeof *c->memo))) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto fail;
    }
    pthread_mutex_init(&c->memo->lock, NULL);
    c->memo->counts = cw_chainstore_counts_get(cs);
    *out = c;
    return 0;
fail:
    cw_clusters_close(c);
    return rc;
}

int cw_clusters_open(cw_clusters **out, const cw_chainstore *cs)
{
    char mpath[4096];
    snprintf(mpath, sizeof mpath, "%s/cluster.manifest", cw_chainstore_dir(cs));
    for (int tries = 0;; tries++) {
        cw_manifest m;
        bool at_files;
        int rc = clusters_open_once(out, cs, &m, &at_files);
        /* a build published the next generation and removed this one meanwhile: the new
         * manifest names a complete one */
        if (rc == 0 || !at_files || tries == 2 || !cw_derived_moved(&m, mpath))
            return rc;
        cw_error_clear();
    }
}

uint64_t cw_clusters_count(const cw_clusters *c)
{
    return c->clusters;
}
uint64_t cw_clusters_addrs(const cw_clusters *c)
{
    return c->addrs;
}
uint32_t cw_clusters_change(const cw_clusters *c)
{
    return c->change;
}
uint64_t cw_clusters_txs(const cw_clusters *c)
{
    return c->txs;
}

uint32_t cw_clusters_of(const cw_clusters *c, uint32_t addr)
{
    if (addr >= c->addrs)
        return CW_NONE32;
    return ((const uint32_t *)cw_column_row(&c->addr2cl, 0))[addr];
}

const uint32_t *cw_clusters_members(const cw_clusters *c, uint32_t cluster, uint64_t *n)
{
    if (cluster >= c->clusters) {
        *n = 0;
        return NULL;
    }
    const uint64_t *off = cw_column_row(&c->cloff, 0);
    uint64_t a = off[cluster], b = off[cluster + 1];
    if (a > b || b > c->addrs) {
        *n = 0;
        return NULL;
    }
    *n = b - a;
    return (const uint32_t *)cw_column_row(&c->clmem, 0) + a;
}

/* Finds cid's sums in the memo (the lock held), first forgetting them all when the store's
 * counts moved (a writable handle committed). */
static bool memo_get(totals_memo *m, cw_chainstore_counts now, uint32_t cid, cw_addrs_sum *out)
{
    if (memcmp(&now, &m->counts, sizeof now) != 0)
        memo_reset(m, now);
    uint64_t row;
    if (!cw_u64map_get(&m->idx, cid, &row))
        return false;
    *out = m->sums[row];
    return true;
}

static void memo_put(totals_memo *m, cw_chainstore_counts now, uint32_t cid,
                     const cw_addrs_sum *sum)
{
    uint64_t row;
    if (memcmp(&now, &m->counts, sizeof now) != 0 || cw_u64map_get(&m->idx, cid, &row))
        return; /* taken under other counts, or another request was first */
    if (m->n == m->cap) {
        uint64_t cap = m->cap ? 2 * m->cap : 64;
        cw_addrs_sum *s = cw_realloc(m->sums, cap * sizeof *s);
        if (!s)
            return; /* a cache: the next lookup sums again */
        m->sums = s;
        m->cap = cap;
    }
    if (cw_u64map_set(&m->idx, cid, m->n) == 0)
        m->sums[m->n++] = *sum;
}

int cw_clusters_totals(const cw_clusters *c, const cw_chainstore *cs, uint32_t cluster,
                       cw_addrs_sum *out)
{
    uint64_t n = 0;
    const uint32_t *m = cw_clusters_members(c, cluster, &n);
    if (!m)
        return cw_error_set(CW_ENOTFOUND, "no cluster %u (the clusters number %llu)", cluster,
                            (unsigned long long)c->clusters);
    bool memo = cs == c->cs && n >= CW_CLUSTERS_MEMO_MIN;
    cw_chainstore_counts now = cw_chainstore_counts_get(cs);
    if (memo) {
        pthread_mutex_lock(&c->memo->lock);
        bool hit = memo_get(c->memo, now, cluster, out);
        if (hit)
            c->memo->hits++;
        else
            c->memo->misses++;
        pthread_mutex_unlock(&c->memo->lock);
        if (hit)
            return 0;
    }
    int rc = cw_query_addrs_sum(out, cs, m, n);
    if (rc || !memo)
        return rc;
    pthread_mutex_lock(&c->memo->lock);
    memo_put(c->memo, now, cluster, out);
    pthread_mutex_unlock(&c->memo->lock);
    return 0;
}

void cw_clusters_memo_stats(const cw_clusters *c, uint64_t *hits, uint64_t *misses)
{
    pthread_mutex_lock(&c->memo->lock);
    *hits = c->memo->hits;
    *misses = c->memo->misses;
    pthread_mutex_unlock(&c->memo->lock);
}

void cw_clusters_step_reason(const cw_clusters *c, const cw_chainstore *cs,
                             const cw_cluster_step *step, cw_cluster_reason *out)
{
    memset(out, 0, sizeof *out);
    uint64_t txs = cw_chainstore_counts_get(cs).txs;
    if (step->tx >= txs)
        return;
    uint64_t i0, i1, o0, o1;
    cw_chainstore_tx_range(cs, step->tx, &i0, &i1, &o0, &o1);
    bool in_a = false, in_b = false;
    for (uint64_t i = i0; i < i1; i++) {
        uint64_t v;
        int ty;
        uint32_t a = in_addr_type(cs, i, &v, &ty);
        in_a |= a == step->a;
        in_b |= a == step->b;
    }
    out->tx_flags = cw_patterns_compute(cs, step->tx);
    out->payjoin = cw_cluster_payjoin_probable(cs, step->tx, out->tx_flags);
    if (out->payjoin && !(cw_clusters_change(c) & CW_CLUSTER_UNITE_PAYJOIN))
        return; /* such a tx made no union in these clusters */
    if (in_a && in_b && !cw_patterns_inputs_apart(out->tx_flags)) {
        out->heuristic = CW_CLUSTER_MULTI_INPUT;
        return;
    }
    uint32_t which = cw_clusters_change(c) & CW_CHANGE_ALL, vout;
    if (cw_cluster_change_output(cs, step->tx, out->tx_flags, which, &vout) != 0)
        return;
    uint32_t oa = cw_chainstore_out(cs, o0 + vout)->addr;
    if (oa != step->a && oa != step->b)
        return;
    out->heuristic = CW_CLUSTER_CHANGE;
    out->vout = vout;
    for (unsigned h = 0; h < CW_CHANGE_N; h++) {
        uint32_t v1;
        if ((which & (1u << h)) &&
            cw_cluster_change_output(cs, step->tx, out->tx_flags, 1u << h, &v1) == 0 && v1 == vout)
            out->change_rules |= 1u << h;
    }
}

int cw_clusters_payjoin_between(const cw_clusters *c, const cw_chainstore *cs, uint32_t a,
                                uint32_t b, uint64_t *tx)
{
    if (cw_clusters_change(c) & CW_CLUSTER_UNITE_PAYJOIN)
        return CW_ENOTFOUND;
    uint64_t covered = cw_clusters_txs(c);
    for (uint64_t o = cw_chainstore_addr_last(cs, a); o != CW_NONE64;
         o = cw_chainstore_outlink(cs, o)) {
        uint32_t t = cw_chainstore_out(cs, o)->spending_tx;
        if (t == CW_NONE32 || t >= covered)
            continue;
        uint64_t i0, i1, o0, o1;
        cw_chainstore_tx_range(cs, t, &i0, &i1, &o0, &o1);
        bool has_b = false;
        for (uint64_t i = i0; i < i1 && !has_b; i++) {
            uint64_t v;
            int ty;
            has_b = in_addr_type(cs, i, &v, &ty) == b;
        }
        if (has_b && cw_cluster_payjoin_probable(cs, t, cw_patterns_compute(cs, t))) {
            *tx = t;
            return 0;
        }
    }
    return CW_ENOTFOUND;
}

/* Index of addr in the sorted members, or -1. */
static int64_t member_index(const uint32_t *mem, uint64_t n, uint32_t addr)
{
    uint64_t lo = 0, hi = n;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (mem[mid] < addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && mem[lo] == addr ? (int64_t)lo : -1;
}

int cw_clusters_why(const cw_clusters *c, uint32_t a, uint32_t b, cw_cluster_step **steps,
                    size_t *n_steps)
{
    *steps = NULL;
    *n_steps = 0;
    uint32_t ca = cw_clusters_of(c, a), cb = cw_clusters_of(c, b);
    if (ca == CW_NONE32 || cb == CW_NONE32 || ca != cb)
        return CW_ENOTFOUND;
    if (a == b)
        return 0;
    uint64_t n;
    const uint32_t *mem = cw_clusters_members(c, ca, &n);
    const merge_row *mr = cw_column_row(&c->merges, 0);
    /* adjacency (CSR over member indexes) of the cluster's union edges */
    uint64_t *deg = cw_calloc(n + 1, sizeof *deg);
    uint64_t *adj = NULL, *prev_edge = NULL, *queue = NULL;
    int64_t *prev = NULL;
    int rc = CW_ENOMEM;
    if (!deg)
        goto out;
    uint64_t n_edges = 0;
    for (uint64_t e = 0; e < c->n_merges; e++) {
        if (mr[e].a >= c->addrs || cw_clusters_of(c, mr[e].a) != ca)
            continue;
        int64_t x = member_index(mem, n, mr[e].a), y = member_index(mem, n, mr[e].b);
        if (x < 0 || y < 0)
            continue;
        deg[x + 1]++;
        deg[y + 1]++;
        n_edges++;
    }
    for (uint64_t i = 0; i < n; i++)
        deg[i + 1] += deg[i];
    adj = cw_malloc((2 * n_edges + 1) * sizeof *adj);
    uint64_t *fill = cw_malloc((n + 1) * sizeof *fill);
    prev = cw_malloc((n + 1) * sizeof *prev);
    prev_edge = cw_malloc((n + 1) * sizeof *prev_edge);
    queue = cw_malloc((n + 1) * sizeof *queue);
    if (!adj || !fill || !prev || !prev_edge || !queue) {
        cw_free(fill);
        goto out;
    }
    memcpy(fill, deg, (n + 1) * sizeof *fill);
    for (uint64_t e = 0; e < c->n_merges; e++) {
        if (mr[e].a >= c->addrs || cw_clusters_of(c, mr[e].a) != ca)
            continue;
        int64_t x = member_index(mem, n, mr[e].a), y = member_index(mem, n, mr[e].b);
        if (x < 0 || y < 0)
            continue;
        adj[fill[x]++] = e;
        adj[fill[y]++] = e;
    }
    cw_free(fill);
    for (uint64_t i = 0; i < n; i++)
        prev[i] = -2;
    int64_t s = member_index(mem, n, a), d = member_index(mem, n, b);
    uint64_t qh = 0, qt = 0;
    queue[qt++] = (uint64_t)s;
    prev[s] = -1;
    while (qh < qt && prev[d] == -2) {
        uint64_t x = queue[qh++];
        for (uint64_t k = deg[x]; k < deg[x + 1]; k++) {
            const merge_row *r = &mr[adj[k]];
            int64_t y = member_index(mem, n, r->a == mem[x] ? r->b : r->a);
            if (y < 0 || prev[y] != -2)
                continue;
            prev[y] = (int64_t)x;
            prev_edge[y] = adj[k];
            queue[qt++] = (uint64_t)y;
        }
    }
    if (prev[d] == -2) {
        rc = cw_error_set(CW_ECORRUPT, "cluster merges do not connect the two addresses");
        goto out;
    }
    size_t len = 0;
    for (int64_t x = d; prev[x] >= 0; x = prev[x])
        len++;
    cw_cluster_step *out = cw_malloc((len + 1) * sizeof *out);
    if (!out)
        goto out;
    size_t i = len;
    uint32_t cur = b;
    for (int64_t x = d; prev[x] >= 0; x = prev[x]) {
        const merge_row *r = &mr[prev_edge[x]];
        uint32_t other = r->a == cur ? r->b : r->a;
        out[--i] = (cw_cluster_step){other, cur, r->tx};
        cur = other;
    }
    *steps = out;
    *n_steps = len;
    rc = 0;
out:
    if (rc == CW_ENOMEM)
        cw_error_set(CW_ENOMEM, "cluster why: out of memory");
    cw_free(deg);
    cw_free(adj);
    cw_free(prev);
    cw_free(prev_edge);
    cw_free(queue);
    return rc;
}
