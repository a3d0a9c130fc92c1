/*
 * chainstore.c: the chain store schema on top of src/store (columns, hash indexes, manifest).
 *
 * Files in the store directory (docs/STORE-FORMAT.md):
 *   blocks.col txs.col txid.col ins.col outs.col outlink.col addrs.col addrlast.col addrsum.col
 *   ext.col, txid.hix addr.hix, MANIFEST (published counts), LOCK (writer flock).
 *
 * Write protocol. apply_block appends rows past the published counts and applies their
 * in-place effects (the last-output link of each address and index inserts at once; spent
 * marks and address summaries staged and applied at commit, sorted, before the msync), each
 * effect strictly after the row it derives from, so that every
 * in-place value past the published counts is explained by a row on disk. Readers ignore ids
 * and offsets at or past the published counts. cw_chainstore_commit msyncs everything and then
 * replaces MANIFEST (atomically): that is the commit point.
 * Recovery (every writable open) undoes the in-place effects of the rows between MANIFEST and
 * the end of each column file (the rows of an interrupted writer, or nothing after a clean
 * close, which trims the files): spent marks pointing past the published txs are cleared, each
 * address's last output walks back along its links, index entries past the counts are pruned,
 * and each address summary stamped with a tx past the counts is recomputed from its outputs.
 * Every step is idempotent, so recovery can itself be interrupted. A rollback (reorg) writes
 * MANIFEST = target counts first and then undoes the same way, so an interrupted rollback is
 * finished by the recovery. The hash index layout depends only on its set of entries, so a
 * resumed store is byte-identical to an uninterrupted one.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define XXH_INLINE_ALL /* the key hash is on the ingest hot path */
#include <xxhash.h>

#include "chainwatch/btc/store.h"
#include "chainwatch/errors.h"
#include "chainwatch/store.h"
#include "chainwatch/util.h"
#include "util/u64map.h"

_Static_assert(sizeof(cw_row_block) == 160, "block row");
_Static_assert(sizeof(cw_row_in) == 12, "in row");
_Static_assert(sizeof(cw_row_out) == 16, "out row");
_Static_assert(sizeof(cw_row_ext) == 56, "ext row");
_Static_assert(sizeof(cw_row_memo) == 264, "memo row");
_Static_assert(sizeof(cw_addr_key) == 43, "addr key");
_Static_assert(sizeof(cw_row_addrsum) == 32, "addrsum row");
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the chain store format is little-endian; a big-endian port needs byte swaps"
#endif

#define MAX_MONEY 2100000000000000ull

typedef struct cw_spend {
    uint32_t spent_tx, vout, tx; /* tx spends output vout of spent_tx */
} cw_spend;

/* A spend seen by an address summary at commit: key = address << 32 | spending tx. */
typedef struct cw_sumev {
    uint64_t key, value;
} cw_sumev;

enum {
    C_BLOCK,
    C_TX,
    C_TXID,
    C_IN,
    C_OUT,
    C_OUTLINK,
    C_ADDR,
    C_ADDRLAST,
    C_ADDRSUM,
    C_EXT,
    C_MEMO, /* memos.col: OP_RETURN texts (cw_row_memo), optional in a store from before */
    N_COLS
};

static const struct {
    const char *name;
    uint32_t width;
} col_defs[N_COLS] = {
    {"blocks", sizeof(cw_row_block)},
    {"txs", CW_ROW_TX_WIDTH},
    {"txid", 32},
    {"ins", sizeof(cw_row_in)},
    {"outs", sizeof(cw_row_out)},
    {"outlink", 8},
    {"addrs", CW_ROW_ADDR_WIDTH},
    {"addrlast", 8},
    {"addrsum", sizeof(cw_row_addrsum)},
    {"ext", sizeof(cw_row_ext)},
    {"memos", sizeof(cw_row_memo)},
};

struct cw_chainstore {
    char dir[PATH_MAX - 64];
    bool writable;
    int lock_fd;
    cw_store_gen gen; /* reader: the rollback generation its snapshot was taken at */
    cw_network net;
    uint32_t base_height;
    bool synthetic; /* MANIFEST says `synthetic 1`: a generated world */
    uint64_t memos_from; /* MANIFEST `memos_from`: memos.col was created on a store that had
                          * blocks, and keeps memos from this height on (0: from the start;
                          * UINT64_MAX: a read of a store without memos.col, none kept) */
    cw_column cols[N_COLS];
    cw_hashidx txidx, addridx;
    cw_chainstore_counts pub; /* published (MANIFEST) */
    atomic_bool point_reads;  /* the prefetch hints act (cw_chainstore_advise_random) */
    int pidfd;                /* this process, for cw_store_willneed (-1: none) */
    bool opened;              /* every file open: close may undo uncommitted rows */
    /* Spends linked since the last commit whose output rows are not touched yet: the spent
     * tx's output range, the double-spend check and the spent mark are done at commit, sorted
     * by spent tx, so the rows are visited in file order instead of one cache miss each. */
    cw_spend *spends, *spends_tmp;
    uint64_t n_spends, cap_spends;
    /* The same spends by address and spending tx, for the address summaries (commit only). */
    cw_sumev *sumev, *sumev_tmp;
    uint64_t n_sumev, cap_sumev;
    /* Every output to an address appended since the last commit, (address << 32 | tx, value)
     * in tx order: the address summaries are staged here and applied at commit, sorted by
     * address, one read-modify-write per address and batch in file order instead of a random
     * write per output (whether a spending tx also pays the address is a merge with these) */
    cw_sumev *outev, *outev_tmp;
    uint64_t n_outev, cap_outev;
    cw_prevout_lookup prevout_fn;
    void *prevout_ctx;
    /* crash injection for tests: CW_TEST_CRASH_POINT=N kills the process with SIGKILL at the
     * N-th crash point of this handle (between and inside the steps of commit and rollback) */
    uint64_t crash_at, crash_count;
};

static void crash_point(cw_chainstore *cs)
{
    if (cs->crash_at && ++cs->crash_count == cs->crash_at)
        raise(SIGKILL);
}

static uint64_t rows(const cw_chainstore *cs, int c)
{
    return cs->cols[c].rows;
}

static void *row(const cw_chainstore *cs, int c, uint64_t i)
{
    return cw_column_row(&cs->cols[c], i);
}

/* memos.col exists in dir (a read-only open of a store from before it skips the column) */
static bool memos_present(const char *dir)
{
    char p[PATH_MAX];
    if ((size_t)snprintf(p, sizeof p, "%s/memos.col", dir) >= sizeof p)
        return false;
    return access(p, F_OK) == 0;
}

/* memos.col rows of txs below `txs` (rows are in tx order: binary search) */
static uint64_t memos_below(const cw_chainstore *cs, uint64_t txs)
{
    uint64_t lo = 0, hi = cs->cols[C_MEMO].rows;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (((const cw_row_memo *)row(cs, C_MEMO, mid))->tx < txs)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The text pushed after OP_RETURN (direct pushes and PUSHDATA1/2 only, concatenated) when it
 * is 1..CW_MEMO_TEXT_MAX printable ASCII bytes holding a ':'; 0 otherwise. */
static size_t op_return_text(const uint8_t *s, size_t n, char out[252])
{
    if (n < 2 || s[0] != 0x6a)
        return 0;
    size_t len = 0;
    bool colon = false;
    for (size_t i = 1; i < n;) {
        size_t k;
        uint8_t op = s[i++];
        if (op >= 1 && op <= 75) {
            k = op;
        } else if (op == 0x4c && i < n) {
            k = s[i++];
        } else if (op == 0x4d && i + 1 < n) {
            k = (size_t)s[i] | (size_t)s[i + 1] << 8;
            i += 2;
        } else {
            return 0;
        }
        if (k > n - i || k > CW_MEMO_TEXT_MAX - len)
            return 0;
        for (size_t j = 0; j < k; j++) {
            uint8_t c = s[i + j];
            if (c < 0x20 || c > 0x7e)
                return 0;
            colon |= c == ':';
            out[len++] = (char)c;
        }
        i += k;
    }
    return colon ? len : 0;
}

size_t cw_chainstore_tx_memo(const cw_chainstore *cs, uint64_t tx, char *text, size_t cap)
{
    if (cap)
        text[0] = '\0';
    if (!cs->cols[C_MEMO].rows || cap <= CW_MEMO_TEXT_MAX)
        return 0;
    uint64_t i = memos_below(cs, tx);
    if (i >= cs->cols[C_MEMO].rows)
        return 0;
    const cw_row_memo *m = row(cs, C_MEMO, i);
    if (m->tx != tx || !m->len || m->len > CW_MEMO_TEXT_MAX)
        return 0;
    memcpy(text, m->text, m->len);
    text[m->len] = '\0';
    return m->len;
}

size_t cw_chainstore_memo_next(const cw_chainstore *cs, uint64_t from_tx, uint64_t *tx, char *text,
                               size_t cap)
{
    if (cap)
        text[0] = '\0';
    if (!cs->cols[C_MEMO].rows || cap <= CW_MEMO_TEXT_MAX)
        return 0;
    for (uint64_t i = memos_below(cs, from_tx); i < cs->cols[C_MEMO].rows; i++) {
        const cw_row_memo *m = row(cs, C_MEMO, i);
        if (!m->len || m->len > CW_MEMO_TEXT_MAX)
            continue;
        memcpy(text, m->text, m->len);
        text[m->len] = '\0';
        *tx = m->tx;
        return m->len;
    }
    return 0;
}

/* Fields of a tx row (see CW_ROW_TX_WIDTH): little-endian 40- and 24-bit numbers. The 8-byte
 * loads stay inside the 24-byte row. */
static inline uint64_t tx_first_in(const cw_chainstore *cs, uint64_t tx)
{
    uint64_t v;
    memcpy(&v, row(cs, C_TX, tx), 8);
    return v & 0xffffffffffull;
}

static inline uint64_t tx_first_out(const cw_chainstore *cs, uint64_t tx)
{
    uint64_t v;
    memcpy(&v, (const uint8_t *)row(cs, C_TX, tx) + 5, 8);
    return v & 0xffffffffffull;
}

static inline uint32_t ld24(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}

static uint64_t txid_h64(const uint8_t *txid)
{
    uint64_t h;
    memcpy(&h, txid, 8);
    return h;
}

static uint64_t addr_h64(const cw_addr_key *k)
{
    return XXH3_64bits(k, sizeof *k);
}

static int find_addr_h(const cw_chainstore *cs, const cw_addr_key *key, uint64_t h, uint64_t *addr);

/* hash index callbacks */
static bool txid_eq(const void *key, uint32_t id, void *ctx)
{
    const cw_chainstore *cs = ctx;
    return id < rows(cs, C_TXID) && memcmp(row(cs, C_TXID, id), key, 32) == 0;
}

static bool addr_eq(const void *key, uint32_t id, void *ctx)
{
    const cw_chainstore *cs = ctx;
    return id < rows(cs, C_ADDR) && memcmp(row(cs, C_ADDR, id), key, sizeof(cw_addr_key)) == 0;
}

static void counts_to_manifest(cw_manifest *m, const cw_chainstore *cs,
                               const cw_chainstore_counts *c)
{
    memset(m, 0, sizeof *m);
    cw_manifest_set(m, "format", CW_STORE_FORMAT);
    cw_manifest_set(m, "network", (uint64_t)cs->net);
    cw_manifest_set(m, "base_height", cs->base_height);
    cw_manifest_set(m, "blocks", c->blocks);
    cw_manifest_set(m, "txs", c->txs);
    cw_manifest_set(m, "ins", c->ins);
    cw_manifest_set(m, "outs", c->outs);
    cw_manifest_set(m, "addrs", c->addrs);
    cw_manifest_set(m, "exts", c->exts);
    cw_manifest_set(m, "memos", c->memos);
    if (cs->synthetic) /* only then: a real store's MANIFEST is as before */
        cw_manifest_set(m, "synthetic", 1);
    if (cs->memos_from && cs->memos_from != UINT64_MAX)
        cw_manifest_set(m, "memos_from", cs->memos_from);
}

static void counts_from_manifest(cw_chainstore_counts *c, const cw_manifest *m)
{
    c->blocks = cw_manifest_get(m, "blocks", 0);
    c->txs = cw_manifest_get(m, "txs", 0);
    c->ins = cw_manifest_get(m, "ins", 0);
    c->outs = cw_manifest_get(m, "outs", 0);
    c->addrs = cw_manifest_get(m, "addrs", 0);
    c->exts = cw_manifest_get(m, "exts", 0);
    c->memos = cw_manifest_get(m, "memos", 0);
}

static void path_of(char *out, size_t n, const cw_chainstore *cs, const char *name)
{
    if ((size_t)snprintf(out, n, "%.*s/%s", (int)(n - 16), cs->dir, name) >= n)
        out[n - 1] = '\0';
}

static void set_rows(cw_chainstore *cs, const cw_chainstore_counts *c)
{
    cs->cols[C_BLOCK].rows = c->blocks;
    cs->cols[C_TX].rows = c->txs;
    cs->cols[C_TXID].rows = c->txs;
    cs->cols[C_IN].rows = c->ins;
    cs->cols[C_OUT].rows = c->outs;
    cs->cols[C_OUTLINK].rows = c->outs;
    cs->cols[C_ADDR].rows = c->addrs;
    cs->cols[C_ADDRLAST].rows = c->addrs;
    cs->cols[C_ADDRSUM].rows = c->addrs;
    cs->cols[C_EXT].rows = c->exts;
    cs->cols[C_MEMO].rows = c->memos;
}

static cw_chainstore_counts cur_counts(const cw_chainstore *cs)
{
    cw_chainstore_counts c = {rows(cs, C_BLOCK), rows(cs, C_TX),  rows(cs, C_IN),  rows(cs, C_OUT),
                              rows(cs, C_ADDR),  rows(cs, C_EXT), rows(cs, C_MEMO)};
    return c;
}

static int check_fits(const cw_chainstore *cs, const cw_chainstore_counts *c)
{
    const uint64_t need[N_COLS] = {c->blocks, c->txs,   c->txs,   c->ins,  c->outs, c->outs,
                                   c->addrs,  c->addrs, c->addrs, c->exts, c->memos};
    for (int i = 0; i < N_COLS; i++) {
        if (need[i] > cs->cols[i].cap)
            return cw_error_set(CW_ECORRUPT, "%s: holds %llu rows, the manifest says %llu",
                                cs->cols[i].path, (unsigned long long)cs->cols[i].cap,
                                (unsigned long long)need[i]);
    }
    return 0;
}

/* The tx owning output o among the first n_tx txs (binary search on first_out; txs with no
 * outputs share their first number with the next tx, so step forward past them). Used where
 * the row counts may be past what is valid (recovery), so the bound is explicit. */
static uint64_t out_owner_upto(const cw_chainstore *cs, uint64_t o, uint64_t n_tx)
{
    uint64_t lo = 0, hi = n_tx;
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (tx_first_out(cs, mid) <= o)
            lo = mid;
        else
            hi = mid;
    }
    while (lo + 1 < n_tx && tx_first_out(cs, lo + 1) <= o)
        lo++;
    return lo;
}

/* Recomputes address a's summary from its outputs (the outlink chain from addrlast) and their
 * spent marks, as of the current row counts. Idempotent; costs the address's history, so it
 * runs only for summaries that dropped rows touched (rollback and recovery). */
static int addrsum_rebuild(cw_chainstore *cs, uint32_t a)
{
    uint64_t n_tx = rows(cs, C_TX), n_out = rows(cs, C_OUT);
    cw_row_addrsum *s = row(cs, C_ADDRSUM, a);
    if (s->last_tx < n_tx && s->n_tx != 0)
        return 0; /* untouched by the dropped rows, or rebuilt already */
    cw_row_addrsum r = {0};
    cw_u64map seen = {0};
    int rc = 0;
    for (uint64_t o = *(const uint64_t *)row(cs, C_ADDRLAST, a); o != CW_NONE64 && o < n_out;
         o = *(const uint64_t *)row(cs, C_OUTLINK, o)) {
        const cw_row_out *out = row(cs, C_OUT, o);
        uint64_t v = cw_out_value(out), t = out_owner_upto(cs, o, n_tx), x;
        r.received += v;
        r.n_out++;
        uint64_t ids[2] = {t, out->spending_tx < n_tx ? out->spending_tx : CW_NONE64};
        if (ids[1] != CW_NONE64) {
            r.sent += v;
            r.n_spent++;
        }
        for (int i = 0; i < 2; i++) {
            if (ids[i] == CW_NONE64 || cw_u64map_get(&seen, ids[i], &x))
                continue;
            if ((rc = cw_u64map_put(&seen, ids[i], 1)))
                goto out;
            r.n_tx++;
            if (ids[i] > r.last_tx)
                r.last_tx = (uint32_t)ids[i];
        }
    }
    *s = r;
out:
    cw_u64map_deinit(&seen);
    return rc;
}

/* Remembers an address whose summary the rows being dropped touched (stamp past `to`). */
static int push_touched(uint32_t **arr, uint64_t *n, uint64_t *cap, const cw_chainstore *cs,
                        uint32_t a, const cw_chainstore_counts *to)
{
    const cw_row_addrsum *s = row(cs, C_ADDRSUM, a);
    if (s->last_tx < to->txs && s->n_tx != 0)
        return 0;
    if (*n == *cap) {
        uint64_t c = *cap ? *cap * 2 : 1024;
        uint32_t *x = realloc(*arr, (size_t)c * sizeof *x);
        if (!x)
            return cw_error_set(CW_ENOMEM, "out of memory");
        *arr = x;
        *cap = c;
    }
    (*arr)[(*n)++] = a;
    return 0;
}

/* Undoes the in-place effects of the rows in [to, from) (see the file comment); from may be
 * the column capacities, past the rows an interrupted writer got to: rows it never wrote hold
 * zeros or older rows, and only in-place values that point past `to` are ever changed, so they
 * are harmless. With prune, index entries past `to` are removed by one pass over each index
 * (recovery); without, by deleting the entries of the dropped rows (rollback, close).
 * Idempotent. */
static int undo_inplace(cw_chainstore *cs, const cw_chainstore_counts *from,
                        const cw_chainstore_counts *to, bool prune)
{
    int rc = check_fits(cs, from);
    if (rc)
        return rc;
    cs->n_spends = 0; /* pending spends of dropped rows */
    cs->n_sumev = 0;
    cs->n_outev = 0; /* staged summaries: never applied to the rows */
    set_rows(cs, from);
    /* addresses whose summaries the dropped rows may have touched */
    uint32_t *touched = NULL;
    uint64_t n_touched = 0, cap_touched = 0;
    for (uint64_t i = from->ins; i-- > to->ins;) {
        const cw_row_in *in = row(cs, C_IN, i);
        if (in->spent_tx >= to->txs)
            continue; /* spends an output that is itself being removed, or coinbase/external */
        uint64_t o = tx_first_out(cs, in->spent_tx) + in->spent_vout;
        if (o >= to->outs)
            continue;
        cw_row_out *out = row(cs, C_OUT, o);
        if (out->spending_tx != CW_NONE32 && out->spending_tx >= to->txs)
            out->spending_tx = CW_NONE32;
        if (out->addr < to->addrs &&
            (rc = push_touched(&touched, &n_touched, &cap_touched, cs, out->addr, to)))
            goto out;
    }
    crash_point(cs);
    for (uint64_t o = from->outs; o-- > to->outs;) {
        const cw_row_out *out = row(cs, C_OUT, o);
        if (out->addr == CW_NONE32 || out->addr >= to->addrs)
            continue;
        uint64_t *last = row(cs, C_ADDRLAST, out->addr);
        if (*last == o)
            *last = *(uint64_t *)row(cs, C_OUTLINK, o);
        if ((rc = push_touched(&touched, &n_touched, &cap_touched, cs, out->addr, to)))
            goto out;
    }
    crash_point(cs);
    if (prune) {
        cw_hashidx_prune(&cs->txidx, (uint32_t)to->txs);
        cw_hashidx_prune(&cs->addridx, (uint32_t)to->addrs);
    } else {
        for (uint64_t t = from->txs; t-- > to->txs;) {
            const uint8_t *txid = row(cs, C_TXID, t);
            if ((rc = cw_hashidx_delete(&cs->txidx, txid_h64(txid), (uint32_t)t)))
                goto out;
        }
        for (uint64_t a = from->addrs; a-- > to->addrs;) {
            const cw_addr_key *k = row(cs, C_ADDR, a);
            if ((rc = cw_hashidx_delete(&cs->addridx, addr_h64(k), (uint32_t)a)))
                goto out;
        }
        cw_hashidx_set_count(&cs->txidx, cs->txidx.count);
        cw_hashidx_set_count(&cs->addridx, cs->addridx.count);
    }
    crash_point(cs);
    /* Summaries last: they are recomputed from the outputs and spent marks restored above. */
    set_rows(cs, to);
    for (uint64_t i = 0; i < n_touched; i++) {
        if ((rc = addrsum_rebuild(cs, touched[i])))
            goto out;
    }
    crash_point(cs);
    if ((rc = cw_column_sync(&cs->cols[C_OUT], 0, to->outs)) ||
        (rc = cw_column_sync(&cs->cols[C_ADDRLAST], 0, to->addrs)) ||
        (rc = cw_column_sync(&cs->cols[C_ADDRSUM], 0, to->addrs)) ||
        (rc = cw_hashidx_sync(&cs->txidx)) || (rc = cw_hashidx_sync(&cs->addridx)))
        goto out;
out:
    free(touched);
    return rc;
}

/* The rows every column file has room for: an upper bound on what an interrupted writer
 * wrote (a clean close trims the files to the published rows). */
static cw_chainstore_counts file_counts(const cw_chainstore *cs)
{
    cw_chainstore_counts c = {cs->cols[C_BLOCK].cap, cs->cols[C_TX].cap,   cs->cols[C_IN].cap,
                              cs->cols[C_OUT].cap,   cs->cols[C_ADDR].cap, cs->cols[C_EXT].cap,
                              cs->cols[C_MEMO].cap};
    if (cs->cols[C_TXID].cap < c.txs)
        c.txs = cs->cols[C_TXID].cap;
    if (cs->cols[C_OUTLINK].cap < c.outs)
        c.outs = cs->cols[C_OUTLINK].cap;
    if (cs->cols[C_ADDRLAST].cap < c.addrs)
        c.addrs = cs->cols[C_ADDRLAST].cap;
    if (cs->cols[C_ADDRSUM].cap < c.addrs)
        c.addrs = cs->cols[C_ADDRSUM].cap;
    return c;
}

static int recover(cw_chainstore *cs)
{
    cw_chainstore_counts from = file_counts(cs), to = cs->pub;
    bool dirty = from.blocks > to.blocks || from.txs > to.txs || from.ins > to.ins ||
                 from.outs > to.outs || from.addrs > to.addrs || from.exts > to.exts ||
                 from.memos > to.memos;
    if (!dirty)
        return 0;
    if (from.txs < to.txs || from.ins < to.ins || from.outs < to.outs || from.addrs < to.addrs)
        return check_fits(cs, &to); /* files shorter than the manifest: report it */
    int rc = undo_inplace(cs, &from, &to, true);
    return rc ? cw_error_wrap(rc, "recovering an interrupted write: ") : 0;
}

int cw_chainstore_open(cw_chainstore **out, const char *dir, bool writable, cw_network net)
{
    int rc = 0;
    cw_chainstore *cs = cw_calloc(1, sizeof *cs);
    if (!cs)
        return cw_error_set(CW_ENOMEM, "out of memory");
    cs->lock_fd = -1;
    cs->gen.fd = -1;
    cs->gen.alt = -1;
    cs->pidfd = -1;
    cs->txidx.fd = cs->addridx.fd = -1;
    for (int i = 0; i < N_COLS; i++)
        cs->cols[i].fd = -1;
    if ((size_t)snprintf(cs->dir, sizeof cs->dir, "%s", dir) >= sizeof cs->dir) {
        cw_free(cs);
        return cw_error_set(CW_EINVAL, "store path too long: %s", dir);
    }
    cs->writable = writable;
    cs->net = net;
    const char *crash = getenv("CW_TEST_CRASH_POINT");
    if (writable && crash && cw_parse_u64(&cs->crash_at, crash))
        cs->crash_at = 0;
    char mpath[PATH_MAX];
    path_of(mpath, sizeof mpath, cs, "MANIFEST");
    if (writable) {
        if ((rc = cw_mkdir_p(dir)))
            goto fail;
        char lpath[PATH_MAX];
        path_of(lpath, sizeof lpath, cs, "LOCK");
        if ((rc = cw_store_lock(&cs->lock_fd, lpath, dir,
                                "another chainwatch process is writing this store")) ||
            (rc = cw_store_gen_settle(cs->lock_fd, lpath)))
            goto fail;
    } else {
        char lpath[PATH_MAX], apath[PATH_MAX];
        path_of(lpath, sizeof lpath, cs, "LOCK");
        path_of(apath, sizeof apath, cs, "blocks.col");
        cw_store_gen_open(&cs->gen, lpath, apath);
    }
    cw_manifest m;
    rc = cw_manifest_read(&m, mpath);
    if (rc == CW_ENOTFOUND && writable) {
        counts_to_manifest(&m, cs, &cs->pub);
        if ((rc = cw_manifest_write(&m, mpath)))
            goto fail;
    } else if (rc == CW_ENOTFOUND) {
        rc = cw_error_set(CW_ENOTFOUND, "%s: not a chain store (no MANIFEST)", dir);
        goto fail;
    } else if (rc) {
        goto fail;
    } else {
        if (cw_manifest_get(&m, "format", 0) != CW_STORE_FORMAT) {
            rc =
                cw_error_set(CW_EVERSION, "%s: store format %llu, this build reads %d", dir,
                             (unsigned long long)cw_manifest_get(&m, "format", 0), CW_STORE_FORMAT);
            goto fail;
        }
        cw_network stored = (cw_network)cw_manifest_get(&m, "network", 0);
        if (writable && stored != net) {
            rc = cw_error_set(CW_EINVAL, "%s: store holds the %s network, not %s", dir,
                              cw_network_name(stored), cw_network_name(net));
            goto fail;
        }
        cs->net = stored;
        cs->base_height = (uint32_t)cw_manifest_get(&m, "base_height", 0);
        cs->synthetic = cw_manifest_get(&m, "synthetic", 0) != 0;
        counts_from_manifest(&cs->pub, &m);
        cs->memos_from = cw_manifest_get(&m, "memos_from", 0);
        if (!memos_present(dir) && !writable)
            cs->memos_from = UINT64_MAX;
        else if (!memos_present(dir) && !cs->memos_from && cs->pub.blocks) {
            /* a writer creates memos.col on a store from before it: said at once, before the
             * column exists, so that no reader takes its rows for the whole chain's */
            cs->memos_from = cs->base_height + cs->pub.blocks;
            cw_manifest_set(&m, "memos_from", cs->memos_from);
            if ((rc = cw_manifest_write(&m, mpath)))
                goto fail;
        }
    }
    for (int i = 0; i < N_COLS; i++) {
        if (i == C_MEMO && !writable && !memos_present(dir)) {
            cs->pub.memos = 0; /* a store from before memos.col: no memos kept */
            continue;
        }
        if ((rc = cw_column_open(&cs->cols[i], dir, col_defs[i].name, col_defs[i].width, writable)))
            goto fail;
    }
    if ((rc = cw_hashidx_open(&cs->txidx, dir, "txid", writable)) ||
        (rc = cw_hashidx_open(&cs->addridx, dir, "addr", writable)))
        goto fail;
    if (writable && (rc = recover(cs)))
        goto fail;
    if ((rc = check_fits(cs, &cs->pub)))
        goto fail;
    set_rows(cs, &cs->pub);
    cs->opened = true;
    *out = cs;
    return 0;
fail:
    cw_chainstore_close(cs);
    return rc;
}

int cw_chainstore_close(cw_chainstore *cs)
{
    if (!cs)
        return 0;
    int rc = 0;
    /* Uncommitted rows are dropped: their in-place effects are undone and the files are
     * trimmed to the published counts (unless a reader from before a rollback maps them). */
    if (cs->opened && cs->writable) {
        cw_chainstore_counts cur = cur_counts(cs);
        rc = undo_inplace(cs, &cur, &cs->pub, false);
    }
    set_rows(cs, &cs->pub);
    /* not below the rows of a handle from before a rollback (docs/STORE-FORMAT.md) */
    bool trim =
        cs->writable && cs->lock_fd >= 0 && cw_store_trim_safe(cs->lock_fd, cs->cols[C_BLOCK].fd);
    for (int i = 0; i < N_COLS; i++) {
        if (cs->cols[i].fd >= 0) {
            int r = cs->writable ? cw_column_close_rows(&cs->cols[i], true, trim)
                                 : cw_column_close(&cs->cols[i], false);
            if (r && !rc)
                rc = r;
        }
    }
    if (cs->txidx.fd >= 0)
        cw_hashidx_close(&cs->txidx);
    if (cs->addridx.fd >= 0)
        cw_hashidx_close(&cs->addridx);
    if (cs->lock_fd >= 0)
        close(cs->lock_fd);
    cw_store_gen_close(&cs->gen);
    if (cs->pidfd >= 0)
        close(cs->pidfd);
    free(cs->spends);
    free(cs->spends_tmp);
    free(cs->sumev);
    free(cs->sumev_tmp);
    free(cs->outev);
    free(cs->outev_tmp);
    cw_free(cs);
    return rc;
}

cw_network cw_chainstore_network(const cw_chainstore *cs)
{
    return cs->net;
}

cw_chainstore_counts cw_chainstore_counts_get(const cw_chainstore *cs)
{
    return cs->pub;
}

uint32_t cw_chainstore_base_height(const cw_chainstore *cs)
{
    return cs->base_height;
}

uint64_t cw_chainstore_memos_from(const cw_chainstore *cs)
{
    return cs->memos_from;
}

bool cw_chainstore_synthetic(const cw_chainstore *cs)
{
    return cs->synthetic;
}

static int write_counts(cw_chainstore *cs, const char *name, const cw_chainstore_counts *c);

int cw_chainstore_mark_synthetic(cw_chainstore *cs)
{
    if (!cs->writable)
        return cw_error_set(CW_EINVAL, "%s: opened read-only", cs->dir);
    if (cs->synthetic)
        return 0;
    /* published at once with the published counts: rows appended later are never seen in a
     * store that does not yet say it is generated */
    cs->synthetic = true;
    int rc = write_counts(cs, "MANIFEST", &cs->pub);
    if (rc)
        cs->synthetic = false;
    return rc;
}

const char *cw_chainstore_dir(const cw_chainstore *cs)
{
    return cs->dir;
}

/* names[*n] = dir/name, listed in paths */
static void warm_add(char (*names)[PATH_MAX], const char **paths, size_t *n, const char *dir,
                     const char *name)
{
    snprintf(names[*n], PATH_MAX, "%s/%s", dir, name);
    paths[*n] = names[*n];
    ++*n;
}

int cw_chainstore_warm(const char *dir, const char *const *index_files, size_t n_index,
                       uint64_t budget, bool (*go_on)(void *arg, uint64_t done), void *arg,
                       uint64_t *out_bytes, uint64_t *out_total)
{
    /* An address lookup: addr.hix, the key in addrs.col, addrsum.col and addrlast.col (totals:
     * a constant number of pages) and blocks.col (small: every page reads it); then its page
     * of outputs: through the address-history index (index_files, read here) or along the
     * output links (outlink.col), the outputs' rows and their txs (txs, txid). Then the rest:
     * the txid index and inputs, and the links when the index stands in for them. */
    static const char *const lookup[] = {"addr.hix", "addrs.col", "addrsum.col", "addrlast.col",
                                         "blocks.col"};
    static const char *const page[] = {"txs.col", "txid.col", "outs.col"};
    static const char *const rest[] = {"txid.hix", "ins.col", "ext.col"};
    enum { N_LOOKUP = 5, N_PAGE = 3, N_REST = 3, N_MAX = N_LOOKUP + N_PAGE + 1 + N_REST + 8 };
    if (n_index > 8)
        return cw_error_set(CW_EINVAL, "warm-up: %zu index files (8 at most)", n_index);
    char names[N_MAX][PATH_MAX];
    const char *paths[N_MAX];
    size_t n = 0;
    for (size_t i = 0; i < N_LOOKUP; i++)
        warm_add(names, paths, &n, dir, lookup[i]);
    for (size_t i = 0; i < n_index; i++)
        paths[n++] = index_files[i];
    for (size_t i = 0; i < N_PAGE; i++)
        warm_add(names, paths, &n, dir, page[i]);
    if (!n_index) /* the walk follows the links */
        warm_add(names, paths, &n, dir, "outlink.col");
    for (size_t i = 0; i < N_REST; i++)
        warm_add(names, paths, &n, dir, rest[i]);
    if (n_index)
        warm_add(names, paths, &n, dir, "outlink.col");
    return cw_store_warm(paths, n, budget, go_on, arg, out_bytes, out_total);
}

void cw_chainstore_advise_random(cw_chainstore *cs)
{
    atomic_store_explicit(&cs->point_reads, true, memory_order_relaxed);
    if (cs->pidfd < 0)
        cs->pidfd = cw_store_self_pidfd();
    /* blocks.col is small (160 bytes a block) and every lookup reads it: read-ahead fills it */
    for (int i = 0; i < N_COLS; i++)
        if (i != C_BLOCK)
            cw_store_advise_random(cs->cols[i].map, cs->cols[i].map_len);
    cw_store_advise_random(cs->txidx.map, cs->txidx.map_len);
    cw_store_advise_random(cs->addridx.map, cs->addridx.map_len);
}

void cw_chainstore_prefetch_stop(cw_chainstore *cs)
{
    atomic_store_explicit(&cs->point_reads, false, memory_order_relaxed);
}

bool cw_chainstore_prefetching(const cw_chainstore *cs)
{
    return atomic_load_explicit(&cs->point_reads, memory_order_relaxed);
}

void cw_chainstore_prefetch_init(cw_chainstore_prefetch *p, const cw_chainstore *cs)
{
    p->cs = cs;
    p->n = 0;
}

void cw_chainstore_prefetch_go(cw_chainstore_prefetch *p)
{
    cw_store_willneed(p->cs->pidfd, p->v, p->n);
    p->n = 0;
}

/* Rows [r, r + n) of column c into the batch (point-read handles only; rows past the mapping
 * are ignored; a full batch is asked for first). */
static void willneed(cw_chainstore_prefetch *p, int c, uint64_t r, uint64_t n)
{
    const cw_chainstore *cs = p->cs;
    const cw_column *col = &cs->cols[c];
    if (!atomic_load_explicit(&cs->point_reads, memory_order_relaxed) || r >= col->cap)
        return;
    if (n > col->cap - r)
        n = col->cap - r;
    if (p->n == CW_PREFETCH_MAX)
        cw_chainstore_prefetch_go(p);
    cw_store_willneed_range(p->v, &p->n, CW_PREFETCH_MAX, col->map, col->map_len,
                            CW_COLUMN_HEADER + (size_t)r * col->width, (size_t)n * col->width);
}

void cw_chainstore_prefetch_addr(cw_chainstore_prefetch *p, uint64_t addr)
{
    willneed(p, C_ADDRSUM, addr, 1);
    willneed(p, C_ADDRLAST, addr, 1);
}

/* owner_tx's first guess for output n (interpolation over the whole chain) and the guard rows
 * either side of it. */
static void willneed_owner_guess(cw_chainstore_prefetch *p, uint64_t n)
{
    enum { W = 64 }; /* owner_tx's first guard distance */
    const cw_chainstore *cs = p->cs;
    uint64_t n_tx = rows(cs, C_TX), n_out = rows(cs, C_OUT);
    if (!atomic_load_explicit(&cs->point_reads, memory_order_relaxed) || n_tx <= 2 * W)
        return;
    uint64_t f0 = tx_first_out(cs, 0);
    if (n < f0 || n_out <= f0)
        return;
    double frac = (double)(n - f0) / (double)(n_out - f0);
    uint64_t mid = frac < 1.0 ? (uint64_t)(frac * (double)n_tx) : n_tx - 1;
    uint64_t lo = mid > W ? mid - W : 0;
    willneed(p, C_TX, lo, 2 * W + 2);
}

void cw_chainstore_prefetch_out(cw_chainstore_prefetch *p, uint64_t out, uint64_t tx)
{
    willneed(p, C_OUT, out, 1);
    if (tx == CW_NONE64)
        willneed_owner_guess(p, out);
    else
        cw_chainstore_prefetch_tx(p, tx);
}

void cw_chainstore_prefetch_tx(cw_chainstore_prefetch *p, uint64_t tx)
{
    willneed(p, C_TX, tx, 1);
    willneed(p, C_TXID, tx, 1);
}

void cw_chainstore_prefetch_txid(cw_chainstore_prefetch *p, uint64_t tx)
{
    willneed(p, C_TXID, tx, 1);
}

const cw_row_block *cw_chainstore_block(const cw_chainstore *cs, uint64_t r)
{
    return row(cs, C_BLOCK, r);
}

uint64_t cw_chainstore_tx_first_in(const cw_chainstore *cs, uint64_t tx)
{
    return tx_first_in(cs, tx);
}

uint64_t cw_chainstore_tx_first_out(const cw_chainstore *cs, uint64_t tx)
{
    return tx_first_out(cs, tx);
}

cw_txmeta cw_chainstore_txmeta(const cw_chainstore *cs, uint64_t tx)
{
    const uint8_t *r = row(cs, C_TX, tx);
    cw_txmeta m;
    uint32_t size = ld24(r + 10), base = ld24(r + 13);
    memcpy(&m.version, r + 16, 4);
    memcpy(&m.locktime, r + 20, 4);
    m.size = size;
    m.weight = base * 3 + size;
    return m;
}

const uint8_t *cw_chainstore_txid(const cw_chainstore *cs, uint64_t tx)
{
    return row(cs, C_TXID, tx);
}

const cw_row_in *cw_chainstore_in(const cw_chainstore *cs, uint64_t in)
{
    return row(cs, C_IN, in);
}

const cw_row_out *cw_chainstore_out(const cw_chainstore *cs, uint64_t out)
{
    return row(cs, C_OUT, out);
}

uint64_t cw_chainstore_outlink(const cw_chainstore *cs, uint64_t out)
{
    return *(const uint64_t *)row(cs, C_OUTLINK, out);
}

const cw_addr_key *cw_chainstore_addr(const cw_chainstore *cs, uint64_t addr)
{
    return row(cs, C_ADDR, addr);
}

uint64_t cw_chainstore_addr_last(const cw_chainstore *cs, uint64_t addr)
{
    /* Skip outputs past the published count (a commit in progress in another process). Their
     * links are in the file before the head that names them (the writer's order), possibly past
     * this handle's mapping (cw_column_read). */
    uint64_t o = __atomic_load_n((const uint64_t *)row(cs, C_ADDRLAST, addr), __ATOMIC_ACQUIRE);
    while (o != CW_NONE64 && o >= cs->pub.outs) {
        uint64_t next;
        if (cw_column_read(&cs->cols[C_OUTLINK], o, &next) || next >= o) {
            cw_error_clear();
            return CW_NONE64; /* not in the file, or not a link back: nothing published */
        }
        o = next;
    }
    return o;
}

const cw_row_addrsum *cw_chainstore_addrsum(const cw_chainstore *cs, uint64_t addr)
{
    const cw_row_addrsum *s = row(cs, C_ADDRSUM, addr);
    /* a stamp past the published txs: a commit in progress in another process has moved it */
    return s->last_tx < cs->pub.txs ? s : NULL;
}

const cw_row_ext *cw_chainstore_ext(const cw_chainstore *cs, uint64_t ext)
{
    return row(cs, C_EXT, ext);
}

void cw_chainstore_tx_range(const cw_chainstore *cs, uint64_t tx, uint64_t *in0, uint64_t *in1,
                            uint64_t *out0, uint64_t *out1)
{
    *in0 = tx_first_in(cs, tx);
    *out0 = tx_first_out(cs, tx);
    if (tx + 1 < rows(cs, C_TX)) {
        *in1 = tx_first_in(cs, tx + 1);
        *out1 = tx_first_out(cs, tx + 1);
    } else {
        *in1 = rows(cs, C_IN);
        *out1 = rows(cs, C_OUT);
    }
}

/* [lo, hi): FIRST(lo) = flo <= n < FIRST(hi) = fhi (hi = rows: past the end). */
typedef struct bracket {
    uint64_t lo, hi, flo, fhi;
} bracket;

/* Narrows b with row t, whose first number is f. */
static inline void bracket_at(bracket *b, uint64_t t, uint64_t f, uint64_t n)
{
    if (f <= n) {
        b->lo = t;
        b->flo = f;
    } else {
        b->hi = t;
        b->fhi = f;
    }
}

/* The tx owning global input (field 0) or output (field 1) number n: the last tx whose first
 * number is <= n; txs with none of them share it with the next tx, so step forward past them.
 * The numbers grow about evenly along the chain, so the search first guesses by interpolation
 * and checks a guard row w rows beyond the guess: usually two probes bracket the tx within w
 * rows (a page or two of txs.col), and the binary search finishes there. A lookup's page of
 * history so touches a few pages of txs.col per output instead of log2(txs) of them (on a cold
 * store, each one a disk read). When a guess misses, w doubles, so the worst case stays
 * logarithmic. The bracket keeps FIRST(lo) <= n < FIRST(hi) (hi = rows: past the end), so the
 * answer is the binary search's. */
static uint64_t owner_tx(const cw_chainstore *cs, uint64_t n, int field)
{
#define FIRST(t) (field ? tx_first_out(cs, (t)) : tx_first_in(cs, (t)))
    uint64_t n_tx = rows(cs, C_TX);
    bracket b = {0, n_tx, n_tx ? FIRST(0) : 0, field ? rows(cs, C_OUT) : rows(cs, C_IN)};
    for (uint64_t w = 64; b.hi - b.lo > 2 * w && n >= b.flo && b.fhi > b.flo; w *= 2) {
        double frac = (double)(n - b.flo) / (double)(b.fhi - b.flo);
        uint64_t span = b.hi - b.lo;
        uint64_t mid = b.lo + (frac < 1.0 ? (uint64_t)(frac * (double)span) : span);
        if (mid <= b.lo)
            mid = b.lo + 1;
        if (mid >= b.hi)
            mid = b.hi - 1;
        uint64_t f = FIRST(mid);
        bracket_at(&b, mid, f, n);
        /* the guard: w rows past a guess at or below n, w rows before one above it */
        if (f <= n ? mid + w < b.hi : mid >= b.lo + w) {
            uint64_t g = f <= n ? mid + w : mid - w;
            bracket_at(&b, g, FIRST(g), n);
        }
    }
    while (b.hi - b.lo > 1) {
        uint64_t mid = b.lo + (b.hi - b.lo) / 2;
        bracket_at(&b, mid, FIRST(mid), n);
    }
    uint64_t lo = b.lo;
    while (lo + 1 < n_tx && FIRST(lo + 1) <= n)
        lo++;
    return lo;
#undef FIRST
}

uint64_t cw_chainstore_out_tx(const cw_chainstore *cs, uint64_t out)
{
    return owner_tx(cs, out, 1);
}

uint64_t cw_chainstore_in_tx(const cw_chainstore *cs, uint64_t in)
{
    return owner_tx(cs, in, 0);
}

uint64_t cw_chainstore_tx_block(const cw_chainstore *cs, uint64_t tx)
{
    uint64_t lo = 0, hi = rows(cs, C_BLOCK);
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (((const cw_row_block *)row(cs, C_BLOCK, mid))->first_tx <= tx)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

int cw_chainstore_find_tx(const cw_chainstore *cs, const uint8_t txid[32], uint64_t *tx)
{
    uint32_t id;
    /* Rows being written are visible to their writer; a reader's rows are the published ones.
     * BIP30 duplicates: the index holds the newest. */
    if (cw_hashidx_find(&cs->txidx, txid_h64(txid), txid, (uint32_t)rows(cs, C_TX), txid_eq,
                        (void *)(uintptr_t)cs, &id) == 0) {
        *tx = id;
        return 0;
    }
    return CW_ENOTFOUND;
}

int cw_chainstore_check_indexes(const cw_chainstore *cs)
{
    int rc = cw_hashidx_verify(&cs->txidx, (uint32_t)cs->pub.txs);
    return rc ? rc : cw_hashidx_verify(&cs->addridx, (uint32_t)cs->pub.addrs);
}

int cw_chainstore_find_addr(const cw_chainstore *cs, const cw_addr_key *key, uint64_t *addr)
{
    return find_addr_h(cs, key, addr_h64(key), addr);
}

int cw_chainstore_find_block(const cw_chainstore *cs, const uint8_t hash[32], uint64_t *r)
{
    for (uint64_t i = rows(cs, C_BLOCK); i-- > 0;) {
        if (memcmp(((const cw_row_block *)row(cs, C_BLOCK, i))->hash, hash, 32) == 0) {
            *r = i;
            return 0;
        }
    }
    return CW_ENOTFOUND;
}

int cw_chainstore_in_value(const cw_chainstore *cs, uint64_t in, uint64_t *value)
{
    const cw_row_in *r = row(cs, C_IN, in);
    if (r->spent_tx == CW_IN_COINBASE)
        return CW_ENOTFOUND;
    if (r->spent_tx == CW_IN_EXTERNAL) {
        const cw_row_ext *e = row(cs, C_EXT, r->spent_vout);
        if (!e->known)
            return CW_ENOTFOUND;
        *value = e->value;
        return 0;
    }
    *value = cw_out_value(row(cs, C_OUT, tx_first_out(cs, r->spent_tx) + r->spent_vout));
    return 0;
}

void cw_chainstore_set_prevouts(cw_chainstore *cs, cw_prevout_lookup fn, void *ctx)
{
    cs->prevout_fn = fn;
    cs->prevout_ctx = ctx;
}

/* ---- applying blocks -------------------------------------------------------------- */

static int reserve_all(cw_chainstore *cs, const cw_block *b)
{
    const uint64_t need[N_COLS] = {1,
                                   b->n_tx,
                                   b->n_tx,
                                   b->n_ins,
                                   b->n_outs,
                                   b->n_outs,
                                   b->n_outs + b->n_ins,
                                   b->n_outs + b->n_ins,
                                   b->n_ins};
    for (int i = 0; i < N_COLS; i++) {
        int rc = cw_column_reserve(&cs->cols[i], need[i]);
        if (rc)
            return rc;
    }
    return 0;
}

typedef struct ahead_ctx {
    const cw_chainstore *cs;
    cw_chainstore_ahead_fn fn; /* NULL: none */
    void *arg;
} ahead_ctx;

/* addr_eq on a point-read handle: the candidate's key row is asked for together with its
 * summary and last output, which a lookup reads next, and what the caller's fn adds (one wait
 * instead of two). */
static bool addr_eq_ahead(const void *key, uint32_t id, void *ctx)
{
    const ahead_ctx *x = ctx;
    const cw_chainstore *cs = x->cs;
    if (id < rows(cs, C_ADDR)) {
        cw_chainstore_prefetch p;
        cw_chainstore_prefetch_init(&p, cs);
        willneed(&p, C_ADDR, id, 1);
        cw_chainstore_prefetch_addr(&p, id);
        if (x->fn)
            x->fn(x->arg, id, &p);
        cw_chainstore_prefetch_go(&p);
    }
    return addr_eq(key, id, (void *)(uintptr_t)cs);
}

static int find_addr_h_ahead(const cw_chainstore *cs, const cw_addr_key *key, uint64_t h,
                             uint64_t *addr, cw_chainstore_ahead_fn fn, void *arg)
{
    uint32_t id;
    bool ahead = atomic_load_explicit(&cs->point_reads, memory_order_relaxed);
    ahead_ctx x = {cs, fn, arg};
    if (cw_hashidx_find(&cs->addridx, h, key, (uint32_t)rows(cs, C_ADDR),
                        ahead ? addr_eq_ahead : addr_eq, ahead ? (void *)&x : (void *)(uintptr_t)cs,
                        &id) == 0) {
        *addr = id;
        return 0;
    }
    return CW_ENOTFOUND;
}

static int find_addr_h(const cw_chainstore *cs, const cw_addr_key *key, uint64_t h, uint64_t *addr)
{
    return find_addr_h_ahead(cs, key, h, addr, NULL, NULL);
}

int cw_chainstore_find_addr_ahead(const cw_chainstore *cs, const cw_addr_key *key, uint64_t *addr,
                                  cw_chainstore_ahead_fn fn, void *arg)
{
    return find_addr_h_ahead(cs, key, addr_h64(key), addr, fn, arg);
}

/* Finds or creates the address id of a key whose XXH3-64 is h: one walk of the index finds it
 * or places the new id (cw_hashidx_find_or_insert); the new id's rows follow. When an append
 * fails the entry is deleted here: the undo finds entries through their rows, and this one
 * may have none. */
static int addr_id_h(cw_chainstore *cs, const cw_addr_key *k, uint64_t h, uint32_t *out)
{
    uint64_t a = rows(cs, C_ADDR);
    if (a >= CW_NONE32 - 1)
        return cw_error_set(CW_EINVAL, "address id space (32 bits) exhausted");
    uint32_t got;
    int rc = cw_hashidx_find_or_insert(&cs->addridx, h, k, (uint32_t)a, addr_eq, (void *)cs, &got);
    if (rc)
        return rc;
    *out = got;
    if (got != (uint32_t)a)
        return 0;
    uint8_t r[CW_ROW_ADDR_WIDTH] = {0};
    memcpy(r, k, sizeof *k);
    uint64_t none = CW_NONE64;
    cw_row_addrsum zero = {0};
    if ((rc = cw_column_append(&cs->cols[C_ADDR], r)) ||
        (rc = cw_column_append(&cs->cols[C_ADDRLAST], &none)) ||
        (rc = cw_column_append(&cs->cols[C_ADDRSUM], &zero)))
        cw_hashidx_delete(&cs->addridx, h, (uint32_t)a);
    return rc;
}

static int addr_id(cw_chainstore *cs, const cw_addr_key *k, uint32_t *out)
{
    return addr_id_h(cs, k, addr_h64(k), out);
}

static int grow_outev(cw_chainstore *cs)
{
    uint64_t cap = cs->cap_outev ? cs->cap_outev * 2 : 65536;
    cw_sumev *a = realloc(cs->outev, (size_t)cap * sizeof *a);
    if (a)
        cs->outev = a;
    cw_sumev *t = a ? realloc(cs->outev_tmp, (size_t)cap * sizeof *t) : NULL;
    if (!a || !t)
        return cw_error_set(CW_ENOMEM, "out of memory for address summaries");
    cs->outev_tmp = t;
    cs->cap_outev = cap;
    return 0;
}

static int push_spend(cw_chainstore *cs, uint32_t spent_tx, uint32_t vout, uint32_t tx)
{
    if (cs->n_spends == cs->cap_spends) {
        uint64_t cap = cs->cap_spends ? cs->cap_spends * 2 : 65536;
        cw_spend *a = realloc(cs->spends, (size_t)cap * sizeof *a);
        if (!a)
            return cw_error_set(CW_ENOMEM, "out of memory for pending spends");
        cs->spends = a;
        cw_spend *t = realloc(cs->spends_tmp, (size_t)cap * sizeof *t);
        if (!t)
            return cw_error_set(CW_ENOMEM, "out of memory for pending spends");
        cs->spends_tmp = t;
        cs->cap_spends = cap;
    }
    cs->spends[cs->n_spends++] = (cw_spend){spent_tx, vout, tx};
    return 0;
}

/* Stable LSD radix sorts, 11 bits a pass over the low `bits` of each element's key; passes
 * whose digit is the same for every element are skipped. Each returns the sorted array, which
 * is a or tmp (the other one is scratch). One definition serves the three sorts of this file. */
#define DEFINE_RADIX_SORT(name, T, KEY, bits)                                                      \
    static T *name(T *a, T *tmp, uint64_t n)                                                       \
    {                                                                                              \
        for (int shift = 0; shift < (bits); shift += 11) {                                         \
            uint64_t count[2048] = {0};                                                            \
            for (uint64_t i = 0; i < n; i++)                                                       \
                count[((uint64_t)KEY(a[i]) >> shift) & 2047]++;                                    \
            if (n == 0 || count[((uint64_t)KEY(a[0]) >> shift) & 2047] == n)                       \
                continue;                                                                          \
            uint64_t sum = 0;                                                                      \
            for (int d = 0; d < 2048; d++) {                                                       \
                uint64_t c = count[d];                                                             \
                count[d] = sum;                                                                    \
                sum += c;                                                                          \
            }                                                                                      \
            for (uint64_t i = 0; i < n; i++)                                                       \
                tmp[count[((uint64_t)KEY(a[i]) >> shift) & 2047]++] = a[i];                        \
            T *x = a;                                                                              \
            a = tmp;                                                                               \
            tmp = x;                                                                               \
        }                                                                                          \
        return a;                                                                                  \
    }
#define SPEND_KEY(e) ((e).spent_tx)
#define SUMEV_KEY(e) ((e).key)
#define SUMEV_ADDR(e) ((e).key >> 32)
#define U64_KEY(e) (e)
/* pending spends by spent tx: stable, so spends of one output stay in tx order and the later
 * of two is the one reported as the double spend */
DEFINE_RADIX_SORT(radix_spends, cw_spend, SPEND_KEY, 32)
DEFINE_RADIX_SORT(radix_sumev, cw_sumev, SUMEV_KEY, 64)
/* staged outputs are appended in tx order: stable by address is sorted by (address, tx) */
DEFINE_RADIX_SORT(radix_outev, cw_sumev, SUMEV_ADDR, 32)
DEFINE_RADIX_SORT(sort_u64, uint64_t, U64_KEY, 64)

static void sort_spends(cw_chainstore *cs)
{
    cw_spend *a = radix_spends(cs->spends, cs->spends_tmp, cs->n_spends);
    if (a != cs->spends) {
        cs->spends_tmp = cs->spends;
        cs->spends = a;
    }
}

/* Error for a bad spend: names the spending tx's block and txid. */
static int spend_error(const cw_chainstore *cs, const cw_spend *sp, uint64_t n_out)
{
    char hex[65];
    const cw_row_block *blk = row(cs, C_BLOCK, cw_chainstore_tx_block(cs, sp->tx));
    cw_hex_encode_rev(hex, row(cs, C_TXID, sp->tx), 32);
    if (sp->vout >= n_out)
        return cw_error_set(CW_ECORRUPT,
                            "block %u tx %s spends output %u of a tx with %llu outputs",
                            blk->height, hex, sp->vout, (unsigned long long)n_out);
    char spent[65];
    cw_hex_encode_rev(spent, row(cs, C_TXID, sp->spent_tx), 32);
    return cw_error_set(CW_ECORRUPT, "block %u tx %s double-spends output %s:%u (already spent)",
                        blk->height, hex, spent, sp->vout);
}

/* Rows about to be written in place, visited in ascending order: their pages are made writable
 * by one madvise(MADV_POPULATE_WRITE) per run of nearby pages instead of a write fault per page
 * (each one a trap and the filesystem's page_mkwrite, the larger part of an in-place write's
 * cost). The contents are not changed; without the call the writes fault as before. Runs join
 * across gaps of up to POPULATE_GAP pages (those are then written back unchanged). */
#define POPULATE_GAP 4
typedef struct populate_runs {
    const cw_column *col;
    uintptr_t lo, hi; /* first and last page of the open run (hi 0: none) */
} populate_runs;

static void populate_flush(populate_runs *r)
{
#ifdef MADV_POPULATE_WRITE
    if (r->hi)
        (void)madvise((void *)r->lo, r->hi - r->lo + 4096, MADV_POPULATE_WRITE);
#endif
    r->lo = r->hi = 0;
}

static void populate_row(populate_runs *r, uint64_t i)
{
    uintptr_t a = (uintptr_t)cw_column_row(r->col, i);
    uintptr_t p = a & ~(uintptr_t)4095, e = (a + r->col->width - 1) & ~(uintptr_t)4095;
    if (r->hi && p >= r->lo && p <= r->hi + (uintptr_t)POPULATE_GAP * 4096) {
        if (e > r->hi)
            r->hi = e;
        return;
    }
    populate_flush(r);
    r->lo = p;
    r->hi = e;
}

/* Applies the batch to the address summaries: its outputs (staged at apply time) and its spends,
 * each sorted by (address, tx), merged so that each address row is read and written once and
 * in file order. A tx is counted once per address however many of the address's outputs it
 * pays or spends. Every tx of the batch is past the published counts, so a row's stamp
 * (last_tx) moves past them when it is written, which is what recovery looks for; rows not
 * yet written when a commit is interrupted are still the published ones. */
static void addrsum_apply(cw_chainstore *cs)
{
    uint64_t ns = cs->n_sumev, no = cs->n_outev;
    cw_sumev *sp = radix_sumev(cs->sumev, cs->sumev_tmp, ns);
    if (sp != cs->sumev) {
        cs->sumev_tmp = cs->sumev;
        cs->sumev = sp;
    }
    cw_sumev *op = radix_outev(cs->outev, cs->outev_tmp, no);
    if (op != cs->outev) {
        cs->outev_tmp = cs->outev;
        cs->outev = op;
    }
    /* the rows' pages, writable in runs */
    populate_runs pr = {&cs->cols[C_ADDRSUM], 0, 0};
    for (uint64_t i = 0, j = 0; i < no || j < ns;) {
        uint64_t ao = i < no ? op[i].key >> 32 : UINT64_MAX;
        uint64_t as = j < ns ? sp[j].key >> 32 : UINT64_MAX;
        if (ao <= as)
            i++;
        else
            j++;
        populate_row(&pr, ao <= as ? ao : as);
    }
    populate_flush(&pr);
    uint64_t i = 0, j = 0;
    while (i < no || j < ns) {
        uint64_t ao = i < no ? op[i].key >> 32 : UINT64_MAX;
        uint64_t as = j < ns ? sp[j].key >> 32 : UINT64_MAX;
        uint64_t addr = ao < as ? ao : as;
        uint64_t i1 = i, j1 = j;
        while (i1 < no && op[i1].key >> 32 == addr)
            i1++;
        while (j1 < ns && sp[j1].key >> 32 == addr)
            j1++;
        cw_row_addrsum *s = row(cs, C_ADDRSUM, addr), r = *s;
        /* both runs are sorted by tx: count the distinct txs of their union */
        uint64_t prev = UINT64_MAX;
        while (i < i1 || j < j1) {
            uint64_t k;
            if (j == j1 || (i < i1 && op[i].key <= sp[j].key)) {
                k = op[i].key;
                r.received += op[i].value;
                r.n_out++;
                i++;
            } else {
                k = sp[j].key;
                r.sent += sp[j].value;
                r.n_spent++;
                j++;
            }
            if (k != prev) {
                r.n_tx++;
                prev = k;
            }
        }
        if ((uint32_t)prev > r.last_tx) /* the largest key of the address comes last */
            r.last_tx = (uint32_t)prev;
        *s = r;
    }
    cs->n_sumev = 0;
    cs->n_outev = 0;
}

/* Checks and marks the pending spends in spent-tx order (see cw_spend). The input rows are on
 * disk already, so a crash in here leaves only marks that recovery clears. */
static int resolve_spends(cw_chainstore *cs)
{
    sort_spends(cs);
    if (cs->cap_sumev < cs->n_spends) {
        cw_sumev *a = realloc(cs->sumev, (size_t)cs->n_spends * sizeof *a);
        if (a)
            cs->sumev = a;
        cw_sumev *t = a ? realloc(cs->sumev_tmp, (size_t)cs->n_spends * sizeof *t) : NULL;
        if (!a || !t)
            return cw_error_set(CW_ENOMEM, "out of memory for address summaries");
        cs->sumev_tmp = t;
        cs->cap_sumev = cs->n_spends;
    }
    cs->n_sumev = 0;
    /* the spent outputs' pages, writable in runs (the spends are in spent-tx order) */
    populate_runs pr = {&cs->cols[C_OUT], 0, 0};
    for (uint64_t i = 0, n_out = rows(cs, C_OUT); i < cs->n_spends; i++) {
        uint64_t o = tx_first_out(cs, cs->spends[i].spent_tx) + cs->spends[i].vout;
        if (o < n_out) /* a bad vout is reported below */
            populate_row(&pr, o);
    }
    populate_flush(&pr);
    for (uint64_t i = 0; i < cs->n_spends; i++) {
        const cw_spend *sp = &cs->spends[i];
        uint64_t in0, in1, o0, o1;
        cw_chainstore_tx_range(cs, sp->spent_tx, &in0, &in1, &o0, &o1);
        if (sp->vout >= o1 - o0)
            return spend_error(cs, sp, o1 - o0);
        cw_row_out *out = row(cs, C_OUT, o0 + sp->vout);
        if (out->spending_tx != CW_NONE32)
            return spend_error(cs, sp, o1 - o0);
        out->spending_tx = sp->tx;
        if (out->addr != CW_NONE32)
            cs->sumev[cs->n_sumev++] =
                (cw_sumev){(uint64_t)out->addr << 32 | sp->tx, cw_out_value(out)};
    }
    cs->n_spends = 0;
    addrsum_apply(cs);
    return 0;
}

static bool is_null_prevout(const cw_txin *in)
{
    if (in->prev_vout != 0xffffffffu)
        return false;
    for (int i = 0; i < 32; i++) {
        if (in->prev_txid[i])
            return false;
    }
    return true;
}

static int link_input(cw_chainstore *cs, const cw_block *b, uint32_t height, uint32_t ti,
                      const cw_txin *in, cw_row_in *r, bool *spent)
{
    char hex[65];
    uint64_t p;
    r->sequence = in->sequence;
    if (cw_chainstore_find_tx(cs, in->prev_txid, &p) == 0) {
        /* checked and marked at commit (resolve_spends) */
        *spent = true;
        r->spent_tx = (uint32_t)p;
        r->spent_vout = in->prev_vout;
        return 0;
    }
    /* Not in the store: a prevout from before the store's first block. */
    cw_row_ext e;
    memset(&e, 0, sizeof e);
    memcpy(e.txid, in->prev_txid, 32);
    e.vout = in->prev_vout;
    e.addr = CW_NONE32;
    const uint8_t *script;
    size_t slen;
    uint64_t value;
    if (cs->prevout_fn &&
        cs->prevout_fn(cs->prevout_ctx, in->prev_txid, in->prev_vout, &value, &script, &slen)) {
        cw_addr_key k;
        e.type = (uint8_t)cw_script_classify(script, slen, &k);
        if (k.kind != CW_ADDR_NONE) {
            uint32_t a;
            int rc = addr_id(cs, &k, &a);
            if (rc)
                return rc;
            e.addr = a;
        }
        e.value = value;
        e.known = 1;
    } else if (cs->base_height == 0) {
        cw_hex_encode_rev(hex, b->txs[ti].txid, 32);
        char phex[65];
        cw_hex_encode_rev(phex, in->prev_txid, 32);
        return cw_error_set(CW_ECORRUPT, "block %u tx %s spends unknown output %s:%u", height, hex,
                            phex, in->prev_vout);
    }
    r->spent_tx = CW_IN_EXTERNAL;
    r->spent_vout = (uint32_t)rows(cs, C_EXT);
    return cw_column_append(&cs->cols[C_EXT], &e);
}

/* Warms the caches for applying b: the lookups are bound by memory latency, so all of a
 * block's index slots are requested first (wave 1), then the rows their candidates name (wave
 * 2: txid rows of spent txs, key and last-output rows of known addresses), and the misses
 * overlap. Hints only: nothing is decided here, and this block's own txs, not yet indexed, are
 * simply not prefetched. (Waves spread over the next blocks were measured slower: the extra
 * blocks in flight evict what the waves bring.) */
static void prefetch(const cw_chainstore *cs, const cw_block *b, int wave)
{
    uint64_t n_tx = rows(cs, C_TX), n_addr = rows(cs, C_ADDR);
    if (wave <= 1) {
        for (uint32_t i = 0; i < b->n_tx; i++) /* where each new txid goes */
            cw_hashidx_prefetch(&cs->txidx, txid_h64(b->txs[i].txid));
    }
    for (uint32_t i = 0; i < b->n_ins; i++) {
        uint64_t h = txid_h64(b->ins[i].prev_txid);
        if (wave <= 1) {
            cw_hashidx_prefetch(&cs->txidx, h);
            continue;
        }
        uint32_t t = cw_hashidx_peek(&cs->txidx, h);
        if (t < n_tx)
            __builtin_prefetch(row(cs, C_TXID, t));
    }
    if (!b->classified)
        return;
    for (uint32_t i = 0; i < b->n_outs; i++) {
        if (b->keys[i].kind == CW_ADDR_NONE)
            continue;
        if (wave <= 1) {
            cw_hashidx_prefetch(&cs->addridx, b->key_hash[i]);
            continue;
        }
        uint32_t a = cw_hashidx_peek(&cs->addridx, b->key_hash[i]);
        if (a < n_addr) {
            __builtin_prefetch(row(cs, C_ADDR, a));
            __builtin_prefetch(row(cs, C_ADDRLAST, a));
        }
    }
}

int cw_chainstore_apply_block(cw_chainstore *cs, cw_block *b, uint32_t height, cw_work chainwork)
{
    int rc;
    char hex[65];
    if (!b->classified && (rc = cw_block_classify(b)))
        return rc;
    prefetch(cs, b, 1);
    prefetch(cs, b, 2);
    if (rows(cs, C_BLOCK) == 0 && cs->pub.blocks == 0)
        cs->base_height = height;
    if (rows(cs, C_TX) + b->n_tx >= CW_IN_EXTERNAL)
        return cw_error_set(CW_EINVAL, "tx id space (32 bits) exhausted");
    if ((rc = reserve_all(cs, b)))
        return rc;
    cw_row_block br;
    memset(&br, 0, sizeof br);
    memcpy(br.hash, b->hash, 32);
    memcpy(br.prev, b->header.prev, 32);
    memcpy(br.merkle, b->header.merkle, 32);
    br.work_hi = chainwork.hi;
    br.work_lo = chainwork.lo;
    br.version = b->header.version;
    br.time = b->header.time;
    br.bits = b->header.bits;
    br.nonce = b->header.nonce;
    br.first_tx = rows(cs, C_TX);
    br.n_tx = b->n_tx;
    br.size = b->size;
    br.weight = b->weight;
    br.height = height;
    br.first_addr = (uint32_t)rows(cs, C_ADDR);
    br.first_ext = (uint32_t)rows(cs, C_EXT);
    for (uint32_t ti = 0; ti < b->n_tx; ti++) {
        const cw_tx *tx = &b->txs[ti];
        uint64_t t = rows(cs, C_TX);
        if (tx->size >= 1u << 24) {
            cw_hex_encode_rev(hex, tx->txid, 32);
            return cw_error_set(CW_ECORRUPT, "block %u tx %s: %u bytes, larger than any block",
                                height, hex, tx->size);
        }
        uint8_t tr[CW_ROW_TX_WIDTH];
        uint64_t fi = rows(cs, C_IN), fo = rows(cs, C_OUT);
        if (fi >> 40 || fo >> 40)
            return cw_error_set(CW_EINVAL, "input/output number space (40 bits) exhausted");
        memcpy(tr, &fi, 5);
        memcpy(tr + 5, &fo, 5);
        memcpy(tr + 10, &tx->size, 3);
        memcpy(tr + 13, &tx->base_size, 3);
        memcpy(tr + 16, &tx->version, 4);
        memcpy(tr + 20, &tx->locktime, 4);
        for (uint32_t i = 0; i < tx->n_in; i++) {
            const cw_txin *in = &b->ins[tx->first_in + i];
            cw_row_in r;
            bool spent = false;
            if (ti == 0 && tx->n_in == 1 && is_null_prevout(in)) {
                r.spent_tx = CW_IN_COINBASE;
                r.spent_vout = in->prev_vout;
                r.sequence = in->sequence;
            } else if ((rc = link_input(cs, b, height, ti, in, &r, &spent))) {
                return rc;
            }
            if ((rc = cw_column_append(&cs->cols[C_IN], &r)))
                return rc;
            if (spent && (rc = push_spend(cs, r.spent_tx, r.spent_vout, (uint32_t)t)))
                return rc;
        }
        bool memo_kept = false; /* one memo row per tx: the first OP_RETURN text */
        for (uint32_t i = 0; i < tx->n_out; i++) {
            const cw_txout *o = &b->outs[tx->first_out + i];
            if (o->value < 0 || (uint64_t)o->value > MAX_MONEY) {
                cw_hex_encode_rev(hex, tx->txid, 32);
                return cw_error_set(CW_ECORRUPT,
                                    "block %u tx %s output %u: value %lld out of range", height,
                                    hex, i, (long long)o->value);
            }
            uint32_t oi = tx->first_out + i;
            const cw_addr_key *k = &b->keys[oi];
            cw_script_type st = (cw_script_type)b->types[oi];
            uint32_t a = CW_NONE32;
            if (k->kind != CW_ADDR_NONE && (rc = addr_id_h(cs, k, b->key_hash[oi], &a)))
                return rc;
            if (st == CW_SCRIPT_OP_RETURN && !memo_kept) {
                cw_row_memo mr;
                memset(&mr, 0, sizeof mr);
                size_t ml = op_return_text(o->script, o->script_len, mr.text);
                if (ml) {
                    mr.tx = (uint32_t)t;
                    mr.vout = i;
                    mr.len = (uint8_t)ml;
                    if ((rc = cw_column_append(&cs->cols[C_MEMO], &mr)))
                        return rc;
                    memo_kept = true;
                }
            }
            uint64_t oid = rows(cs, C_OUT);
            cw_row_out orow = {(uint64_t)o->value | (uint64_t)st << 56, a, CW_NONE32};
            uint64_t *last = a == CW_NONE32 ? NULL : row(cs, C_ADDRLAST, a);
            uint64_t prev = last ? *last : CW_NONE64;
            if ((rc = cw_column_append(&cs->cols[C_OUT], &orow)) ||
                (rc = cw_column_append(&cs->cols[C_OUTLINK], &prev)))
                return rc;
            if (last) {
                *last = oid;
                /* the address summary: staged, applied at commit (addrsum_apply) */
                if (cs->n_outev == cs->cap_outev && (rc = grow_outev(cs)))
                    return rc;
                cs->outev[cs->n_outev++] = (cw_sumev){(uint64_t)a << 32 | t, (uint64_t)o->value};
            }
        }
        if ((rc = cw_column_append(&cs->cols[C_TXID], tx->txid)) ||
            (rc = cw_column_append(&cs->cols[C_TX], tr)))
            return rc;
        /* BIP30: a later tx with an existing txid replaces it (Core's rule; mainnet has two). */
        uint64_t h = txid_h64(tx->txid);
        uint32_t old;
        if ((rc = cw_hashidx_find_or_insert(&cs->txidx, h, tx->txid, (uint32_t)t, txid_eq, cs,
                                            &old)) ||
            (old != (uint32_t)t && (rc = cw_hashidx_replace(&cs->txidx, h, old, (uint32_t)t))))
            return rc;
    }
    if ((rc = cw_column_append(&cs->cols[C_BLOCK], &br)))
        return rc;
    /* Columns never written again after the append: start their writeback now, so that the
     * commit's msync mostly waits for the in-place columns. */
    static const int write_once[] = {C_TX, C_TXID, C_IN, C_OUTLINK, C_ADDR};
    for (size_t i = 0; i < sizeof write_once / sizeof *write_once; i++)
        cw_column_writeback(&cs->cols[write_once[i]], rows(cs, write_once[i]), (size_t)8 << 20);
    if (rows(cs, C_BLOCK) % 16 == 0)
        crash_point(cs); /* in-place effects applied, not yet committed */
    return 0;
}

static int write_counts(cw_chainstore *cs, const char *name, const cw_chainstore_counts *c)
{
    cw_manifest m;
    char p[PATH_MAX];
    counts_to_manifest(&m, cs, c);
    path_of(p, sizeof p, cs, name);
    return cw_manifest_write(&m, p);
}

int cw_chainstore_commit(cw_chainstore *cs)
{
    int rc;
    cw_chainstore_counts to = cur_counts(cs), from = cs->pub;
    if (!memcmp(&to, &from, sizeof to))
        return 0;
    if ((rc = resolve_spends(cs)))
        return rc;
    crash_point(cs);
    /* 1. appended rows, and the in-place values (spent marks, last outputs, indexes), to disk */
    const uint64_t lo[N_COLS] = {from.blocks, from.txs, from.txs, from.ins,  0,         from.outs,
                                 from.addrs,  0,        0,        from.exts, from.memos};
    for (int i = 0; i < N_COLS; i++) {
        if ((rc = cw_column_sync(&cs->cols[i], lo[i], cs->cols[i].rows)))
            return rc;
    }
    crash_point(cs);
    cw_hashidx_set_count(&cs->txidx, cs->txidx.count);
    cw_hashidx_set_count(&cs->addridx, cs->addridx.count);
    if ((rc = cw_hashidx_sync(&cs->txidx)) || (rc = cw_hashidx_sync(&cs->addridx)))
        return rc;
    crash_point(cs);
    /* 2. publish: the commit point */
    if ((rc = write_counts(cs, "MANIFEST", &to)))
        return rc;
    cs->pub = to;
    crash_point(cs);
    return 0;
}

int cw_chainstore_rollback(cw_chainstore *cs, uint64_t n_blocks)
{
    int rc;
    if (n_blocks >= cs->pub.blocks)
        return 0;
    /* Drop anything applied but not committed. */
    cw_chainstore_counts cur = cur_counts(cs);
    if ((rc = undo_inplace(cs, &cur, &cs->pub, false)))
        return rc;
    cw_chainstore_counts from = cs->pub, to;
    const cw_row_block *first_gone = row(cs, C_BLOCK, n_blocks);
    to.blocks = n_blocks;
    to.txs = first_gone->first_tx;
    if (to.txs < from.txs) {
        to.ins = tx_first_in(cs, to.txs);
        to.outs = tx_first_out(cs, to.txs);
    } else {
        to.ins = from.ins;
        to.outs = from.outs;
    }
    to.addrs = first_gone->first_addr;
    to.exts = first_gone->first_ext;
    to.memos = memos_below(cs, to.txs);
    /* Readers that publish the dropped rows see the generation move (odd, then even) before
     * any of those rows changes: their answers say "reopen" instead of mixing the forks. */
    char lpath[PATH_MAX];
    path_of(lpath, sizeof lpath, cs, "LOCK");
    if ((rc = cw_store_gen_bump(cs->lock_fd, lpath)))
        return rc;
    crash_point(cs);
    if ((rc = write_counts(cs, "MANIFEST", &to)))
        return rc;
    crash_point(cs);
    if ((rc = cw_store_gen_bump(cs->lock_fd, lpath)))
        return rc;
    cs->pub = to;
    return undo_inplace(cs, &from, &to, false);
}

int cw_chainstore_snapshot_check(const cw_chainstore *cs)
{
    if (cs->writable)
        return 0;
    char lpath[PATH_MAX];
    path_of(lpath, sizeof lpath, cs, "LOCK");
    return cw_store_gen_check(&cs->gen, lpath, cs->dir);
}

uint64_t cw_chainstore_bytes(const cw_chainstore *cs, uint64_t *index_bytes)
{
    uint64_t n = 0;
    for (int i = 0; i < N_COLS; i++)
        n += CW_COLUMN_HEADER + cs->cols[i].rows * cs->cols[i].width;
    if (index_bytes)
        *index_bytes = cw_hashidx_bytes(&cs->txidx) + cw_hashidx_bytes(&cs->addridx);
    return n;
}

int cw_chainstore_check_addrsum(const cw_chainstore *cs)
{
    uint64_t n_a = cs->pub.addrs, n_t = cs->pub.txs, np = 0;
    int rc = 0;
    cw_row_addrsum *r = calloc(n_a + 1, sizeof *r);
    uint64_t *pairs = malloc((2 * cs->pub.outs + 1) * sizeof *pairs);
    uint64_t *tmp = malloc((2 * cs->pub.outs + 1) * sizeof *tmp);
    if (!r || !pairs || !tmp) {
        rc = cw_error_set(CW_ENOMEM, "out of memory checking addrsum.col");
        goto out;
    }
    for (uint64_t t = 0; t < n_t; t++) {
        uint64_t in0, in1, o0, o1;
        cw_chainstore_tx_range(cs, t, &in0, &in1, &o0, &o1);
        for (uint64_t o = o0; o < o1 && o < cs->pub.outs; o++) {
            const cw_row_out *out = row(cs, C_OUT, o);
            if (out->addr >= n_a)
                continue;
            cw_row_addrsum *s = &r[out->addr];
            s->received += cw_out_value(out);
            s->n_out++;
            pairs[np++] = (uint64_t)out->addr << 32 | t;
            if (out->spending_tx < n_t) {
                s->sent += cw_out_value(out);
                s->n_spent++;
                pairs[np++] = (uint64_t)out->addr << 32 | out->spending_tx;
            }
        }
    }
    uint64_t *p = sort_u64(pairs, tmp, np);
    for (uint64_t i = 0; i < np; i++) {
        if (i > 0 && p[i] == p[i - 1])
            continue;
        cw_row_addrsum *s = &r[p[i] >> 32];
        s->n_tx++;
        if ((uint32_t)p[i] > s->last_tx)
            s->last_tx = (uint32_t)p[i];
    }
    for (uint64_t a = 0; a < n_a; a++) {
        const cw_row_addrsum *got = row(cs, C_ADDRSUM, a), *want = &r[a];
        if (memcmp(got, want, sizeof *got) != 0) {
            rc = cw_error_set(CW_ECORRUPT,
                              "addrsum.col row %llu: received %llu sent %llu outputs %u spent %u "
                              "txs %u last tx %u; the outputs say %llu %llu %u %u %u %u",
                              (unsigned long long)a, (unsigned long long)got->received,
                              (unsigned long long)got->sent, got->n_out, got->n_spent, got->n_tx,
                              got->last_tx, (unsigned long long)want->received,
                              (unsigned long long)want->sent, want->n_out, want->n_spent,
                              want->n_tx, want->last_tx);
            break;
        }
    }
out:
    free(r);
    free(pairs);
    free(tmp);
    return rc;
}
