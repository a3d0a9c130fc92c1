/*
 * store.c: the EVM chain store (evm/store.h, docs/STORE-FORMAT.md "EVM stores").
 *
 * Files: blocks.col txs.col txhash.col moves.col movelink.col accounts.col acctlast.col
 * assets.col creates.col, amounts.col and txamounts.col (movement amounts, tx values and gas
 * prices of 2^64 and above: the rows keep 64 bits), memos.col, issuer.col (stablecoin issuers'
 * freezes, unfreezes and destroys; a destroy is a burn), txhash.hix addr.hix, MANIFEST
 * (published counts), LOCK (writer flock).
 *
 * The commit protocol is the Bitcoin store's: the writer appends rows past the published
 * counts and applies their in-place effects strictly after the rows they derive from (the heads
 * of the accounts' movement chains in acctlast.col, the contract mark of an account that existed
 * before its code, and the index entries); a commit msyncs the rows and the in-place values, then
 * replaces MANIFEST atomically (the commit point). Every writable open recovers the rows between
 * MANIFEST and the end of the files: moves in reverse walk each touched head back along
 * movelink, creates reset contract marks that point past the published blocks, and both indexes
 * drop ids past the counts. A rollback publishes the target counts first, then undoes the same
 * way, so an interrupted rollback is finished by recovery. The writer holds both indexes in
 * memory (cw_hashidx_hold): they grow and take inserts there, and reach their files in the
 * commit, before MANIFEST; an index file left in the middle of that write is rebuilt from the
 * published rows when the store is next opened for writing.
 *
 * The movements of a block are a function of the block alone, in this order: per tx (in index
 * order) the burnt base fee, the tip, the tx's value, its internal value transfers (traces in
 * trace-address order), then the value events of its logs (log order); then the block's rewards
 * (reward, genesis, daofork traces) and withdrawals. Accounts get ids in order of first
 * appearance along the same walk (the miner first), so ids, like the rows, do not depend on how
 * the input was split or committed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* header-only: the address hash (XXH3 of 20 bytes, twice per address a block names) inlined and
 * specialised for its length instead of a call into the library; the same function and values */
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "chain/evm/memo_int.h"
#include "chainwatch/errors.h"
#include "chainwatch/evm/memo.h"
#include "chainwatch/evm/store.h"
#include "chainwatch/store.h"
#include "chainwatch/util.h"

_Static_assert(sizeof(cw_evm_row_block) == 176, "block row");
_Static_assert(sizeof(cw_evm_row_tx) == 80, "tx row");
_Static_assert(sizeof(cw_evm_row_txwide) == 72, "wide tx row");
_Static_assert(sizeof(cw_evm_row_move) == 40, "move row");
_Static_assert(sizeof(cw_evm_row_wide) == 40, "wide amount row");
_Static_assert(sizeof(cw_evm_row_movelink) == 12, "movelink row");
_Static_assert(sizeof(cw_evm_row_account) == 32, "account row");
_Static_assert(sizeof(cw_evm_row_acctlast) == 16, "acctlast row");
_Static_assert(sizeof(cw_evm_row_asset) == 64, "asset row");
_Static_assert(sizeof(cw_evm_row_create) == 16, "create row");
_Static_assert(sizeof(cw_evm_row_issuer) == 40, "issuer row");
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the store format is little-endian"
#endif

enum { C_BLOCK, C_TX, C_TXHASH, C_MOVE, C_MOVELINK, C_ACCT, C_ACCTLAST, C_ASSET, C_CREATE, N_COLS };
static const struct {
    const char *name;
    uint32_t width;
} col_defs[N_COLS] = {{"blocks", 176},  {"txs", 80},      {"txhash", 32},
                      {"moves", 40},    {"movelink", 12}, {"accounts", 32},
                      {"acctlast", 16}, {"assets", 64},   {"creates", 16}};

typedef struct counts {
    uint64_t blocks, txs, moves, accounts, assets, creates;
} counts;

/* the chains we know (wrapped-native tokens: WETH9, WBNB, WMATIC, the OP-stack predeploy, ...) */
static const cw_evm_chain CHAINS[] = {
    {"ethereum", 1, "ETH", "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2",
     "0xdac17f958d2ee523a2206206994597c13d831ec7"},
    {"sepolia", 11155111, "ETH", "0xfff9976782d46cc05630d1f6ebab18b2324d6b14", NULL},
    {"bsc", 56, "BNB", "0xbb4cdb9cbd36b01bd1cbaebf2de08d9173bc095c", NULL},
    {"polygon", 137, "POL", "0x0d500b1d8e8ef31e21c99d1db9a6444d3adf1270", NULL},
    {"arbitrum", 42161, "ETH", "0x82af49447d8a07e3bd95bd0d56f35241523fbab1", NULL},
    {"optimism", 10, "ETH", "0x4200000000000000000000000000000000000006", NULL},
    {"base", 8453, "ETH", "0x4200000000000000000000000000000000000006", NULL},
    {"avalanche", 43114, "AVAX", "0xb31f66aa3c1e785363f0875a1b74e27b85fd66c7", NULL},
    {"dev", 31337, "ETH", NULL, NULL},
};

const cw_evm_chain *cw_evm_chain_find(const char *name)
{
    for (size_t i = 0; i < sizeof CHAINS / sizeof CHAINS[0]; i++) {
        if (!strcmp(CHAINS[i].name, name))
            return &CHAINS[i];
    }
    return NULL;
}

const cw_evm_chain *cw_evm_chain_by_id(uint64_t id)
{
    for (size_t i = 0; i < sizeof CHAINS / sizeof CHAINS[0]; i++) {
        if (CHAINS[i].chain_id == id)
            return &CHAINS[i];
    }
    return NULL;
}

const char *cw_evm_move_kind_name(unsigned kind)
{
    static const char *const n[] = {"?",      "tx",     "internal",  "selfdestruct", "erc20",
                                    "wrap",   "unwrap", "fee_burnt", "fee_tip",      "withdrawal",
                                    "reward", "erc721", "erc1155"};
    return kind < sizeof n / sizeof n[0] ? n[kind] : "?";
}

/* registered token metadata, sorted by address */
typedef struct {
    cw_evm_token *v;
    size_t n, cap;
    bool sorted;
} token_set;

/* account id -> asset id for token contracts (open addressing, rebuilt from assets.col) */
typedef struct {
    uint64_t *slots; /* (account + 1) << 32 | asset, 0 empty */
    size_t cap, n;
} asset_map;

/* address -> account id in front of addr.hix for the writer: two-way set-associative on the
 * address's hash (a set is the two entries of one cache line, the most recently used first),
 * full addresses in the entries, so a hit reads neither the index nor accounts.col. Direct-mapped,
 * the same 2^18 entries lost a hot address whenever another one of its slot came by (a miss: the
 * index's hash, its walk and an accounts.col row, three random reads); two ways in the line that
 * is read anyway keep both. An entry is only ever a true (address, id) pair; it is emptied
 * whenever ids are dropped (undo_inplace), so it never names an id past the accounts. */
#define ACACHE_BITS 18 /* entries; sets: 2^(ACACHE_BITS - 1) */
typedef struct {
    uint8_t addr[20];
    uint32_t id1; /* id + 1; 0 = empty */
    uint64_t pad; /* 32 bytes: an entry never straddles two cache lines */
} acache_ent;

/* The writer's append buffers (moves, movelinks, txs, tx hashes, blocks): rows that the writer
 * never changes after appending them go into memory and reach the file with one pwrite per
 * column per window, instead of being copied into freshly mapped pages (the column's prefault,
 * a fault or a read-for-ownership per line: several times the CPU; and at the writeback, a TLB
 * shootdown per mapped page written). The rows count as present at once (row() reads a
 * buffered row from the buffer, an older one from the map). No in-place value derives from a
 * block row, so blocks need no ordering of their own. The accounts' chain heads that these
 * movements change are held in `heads` meanwhile and written to acctlast.col only after the rows
 * they point to are in the file, so an interrupted writer still leaves the order that recovery
 * relies on: no head ever points at a row that is not in the file. The side tables' rows
 * (memos, amounts, txamounts) are buffered the same way (rowbuf_int.h). */
typedef cw_evm_rowbuf wbuf; /* buf, first (row number of buf[0]), n rows buffered, cap room */
typedef struct {
    uint32_t id1; /* account id + 1; 0 = empty */
    uint32_t pad;
    cw_evm_row_acctlast h;
} head_ent;
/* a side table (amounts.col, txamounts.col): rows keyed by their first u64 (non-decreasing: the
 * movement or tx they belong to), derived from that row alone, published by count like the
 * memos: recovery and close drop rows past the count, a rollback keeps the rows of kept keys */
typedef struct {
    cw_column col;    /* col.rows: rows present (published or being written) */
    uint64_t pub;     /* published rows */
    cw_evm_rowbuf wb; /* the writer's rows not yet in the file (rowbuf_int.h) */
} sidetab;
#define WB_FLUSH_MOVES 4096 /* movements buffered before the end of a block writes them out */
#define WB_WRITEBACK_BYTES ((size_t)2 << 20) /* bytes of flushed rows per writeback hint */
#define HEADS_BITS 15

struct cw_evmstore {
    char dir[PATH_MAX - 64];
    bool writable, opened;
    int lock_fd;
    cw_store_gen gen; /* reader: the rollback generation its snapshot was taken at */
    cw_column cols[N_COLS];
    cw_hashidx txidx, addridx;
    counts pub;
    uint64_t base; /* first block number (valid when blocks > 0 or set by the first append) */
    const cw_evm_chain *chain;
    token_set tokens;
    asset_map amap;
    cw_evm_addr wrapped, tether;
    bool has_wrapped, has_tether;
    uint64_t incomplete; /* published blocks without receipts, logs or traces */
    bool synthetic;      /* MANIFEST `synthetic 1`: the store holds a generated world */
    bool closed;         /* writer: MANIFEST says `closed 1` (a clean close; mark_open) */
    uint64_t crash_at, crash_count;
    void *wmem; /* writer only: one anonymous map holding acache, heads, heads_used */
    size_t wmem_len;
    acache_ent *acache;   /* writer only, 1 << ACACHE_BITS entries, or NULL */
    const uint8_t **warm; /* writer only: the addresses of the block being appended */
    size_t n_warm, cap_warm;
    wbuf wb[N_COLS]; /* writer only: buffered rows of C_MOVE, C_MOVELINK, C_TX, C_TXHASH, C_BLOCK */
    cw_evm_row_block tip; /* writer only: the last block row appended, when has_tip */
    bool has_tip;         /* (its row may be flushed: read back through the map, a page fault) */
    head_ent *heads;      /* writer only: 1 << HEADS_BITS entries, heads not yet in acctlast.col */
    uint32_t *heads_used; /* slots in use, in order of first use */
    size_t n_heads;
    cw_evm_memotab memos; /* memos.col (memo.c): published with the counts */
    sidetab wide;         /* amounts.col: movement amounts >= 2^64, keyed by movement */
    sidetab txwide;       /* txamounts.col: tx value / gas price >= 2^64, keyed by tx */
    sidetab issuer;       /* issuer.col: issuers' freezes, unfreezes and destroys, keyed by tx */
};

/* the rows of a side table whose key is below `key` (the count to publish with it) */
static uint64_t side_below(const sidetab *t, uint64_t key)
{
    uint64_t lo = 0, hi = t->col.rows;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        uint64_t k;
        memcpy(&k, cw_evm_rowbuf_row(&t->col, &t->wb, mid), 8);
        if (k < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int side_open(sidetab *t, const char *dir, const char *name, uint32_t width, bool writable)
{
    int rc = cw_column_open(&t->col, dir, name, width, writable);
    if (rc)
        return rc;
    if (t->col.cap < t->pub)
        return cw_error_set(CW_ECORRUPT,
                            "%s: %s.col holds %llu rows but MANIFEST publishes %llu "
                            "(truncated store)",
                            dir, name, (unsigned long long)t->col.cap, (unsigned long long)t->pub);
    t->col.rows = t->pub;
    return 0;
}

/* drops the unpublished rows and closes (trimming the file when writable and trim) */
static int side_close(sidetab *t, bool writable, bool synced, bool trim)
{
    cw_evm_rowbuf_free(&t->wb); /* its rows are past the published ones (a commit flushes) */
    if (t->col.fd < 0)
        return 0;
    t->col.rows = t->pub;
    return writable ? cw_column_close_rows(&t->col, !synced, trim)
                    : cw_column_close(&t->col, false);
}

/* 48-bit movement numbers in movelink.col: all ones = none */
#define LINK_NONE 0xffffffffffffull
static uint64_t get48(const uint8_t b[6])
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint32_t lo;
    uint16_t hi;
    memcpy(&lo, b, 4);
    memcpy(&hi, b + 4, 2);
    uint64_t v = (uint64_t)lo | (uint64_t)hi << 32;
#else
    uint64_t v = (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 |
                 (uint64_t)b[3] << 24 | (uint64_t)b[4] << 32 | (uint64_t)b[5] << 40;
#endif
    return v == LINK_NONE ? CW_EVM_NONE64 : v;
}
/* little-endian bytes; on a little-endian host two stores (a byte loop was ~2 % of the
 * ingest's instructions: two links per movement) */
static void put48(uint8_t b[6], uint64_t v)
{
    if (v == CW_EVM_NONE64)
        v = LINK_NONE;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint32_t lo = (uint32_t)v;
    uint16_t hi = (uint16_t)(v >> 32);
    memcpy(b, &lo, 4);
    memcpy(b + 4, &hi, 2);
#else
    for (int i = 0; i < 6; i++)
        b[i] = (uint8_t)(v >> (8 * i));
#endif
}

static void crash_point(cw_evmstore *s)
{
    if (s->crash_at && ++s->crash_count == s->crash_at)
        kill(getpid(), SIGKILL);
}

static uint64_t rows(const cw_evmstore *s, int c)
{
    return s->cols[c].rows;
}

static void *row(const cw_evmstore *s, int c, uint64_t i)
{
    const wbuf *w = &s->wb[c];
    if (w->n && i >= w->first)
        return w->buf + (size_t)(i - w->first) * s->cols[c].width;
    return cw_column_row(&s->cols[c], i);
}

static bool buffered(int c)
{
    return c == C_MOVE || c == C_MOVELINK || c == C_TX || c == C_TXHASH || c == C_BLOCK;
}

/* the slot of account id in the heads overlay when it is not displaced (the probe start) */
static size_t head_home(uint32_t id)
{
    return (size_t)((id * 0x9e3779b97f4a7c15ull) >> (64 - HEADS_BITS));
}

/* the overlay slot of account id (NULL when it holds none) */
static head_ent *head_find(const cw_evmstore *s, uint32_t id)
{
    if (!s->heads || !s->n_heads)
        return NULL;
    size_t mask = ((size_t)1 << HEADS_BITS) - 1;
    for (size_t j = head_home(id);; j = (j + 1) & mask) {
        head_ent *e = &s->heads[j];
        if (!e->id1)
            return NULL;
        if (e->id1 == id + 1)
            return e;
    }
}

/* the overlay slot of account id, filled from acctlast.col when new; move() keeps the table at
 * most half full (it flushes first) */
static head_ent *head_get(cw_evmstore *s, uint32_t id)
{
    size_t mask = ((size_t)1 << HEADS_BITS) - 1;
    size_t j = head_home(id);
    for (;; j = (j + 1) & mask) {
        head_ent *e = &s->heads[j];
        if (e->id1 == id + 1)
            return e;
        if (!e->id1)
            break;
    }
    head_ent *e = &s->heads[j];
    e->id1 = id + 1;
    memcpy(&e->h, cw_column_row(&s->cols[C_ACCTLAST], id), sizeof e->h);
    s->heads_used[s->n_heads++] = (uint32_t)j;
    return e;
}

/* Writes the buffered rows to their files, then the heads that point at them. */
static int flush_rows(cw_evmstore *s)
{
    int rc;
    /* these rows are never written again (until a rollback): their writeback starts as they
     * are written, so that the disk works while the ingest does and the commit's sync finds
     * them written (a hint; the commit still syncs them) */
    for (int c = 0; c < N_COLS; c++) {
        if (s->wb[c].n && (rc = cw_evm_rowbuf_flush(&s->cols[c], &s->wb[c], WB_WRITEBACK_BYTES)))
            return rc;
    }
    if ((rc = cw_evm_rowbuf_flush(&s->memos.col, &s->memos.wb, WB_WRITEBACK_BYTES)) ||
        (rc = cw_evm_rowbuf_flush(&s->wide.col, &s->wide.wb, WB_WRITEBACK_BYTES)) ||
        (rc = cw_evm_rowbuf_flush(&s->txwide.col, &s->txwide.wb, WB_WRITEBACK_BYTES)))
        return rc;
    /* heads strictly after the rows they point at */
    for (size_t i = 0; i < s->n_heads; i++) {
        head_ent *e = &s->heads[s->heads_used[i]];
        memcpy(cw_column_row(&s->cols[C_ACCTLAST], e->id1 - 1), &e->h, sizeof e->h);
        e->id1 = 0;
    }
    s->n_heads = 0;
    return 0;
}

/* Appends a row of `width` bytes (the column's, a constant at each call: an inline copy): into
 * the column's buffer for the buffered columns of a writer, else into the mapping. The file is
 * grown for it either way, so that a flush always fits. Inlined: two rows a movement and two a
 * tx, each a call and its saved registers otherwise. */
static inline __attribute__((always_inline)) int append_row(cw_evmstore *s, int c, const void *r,
                                                            size_t width)
{
    wbuf *w = &s->wb[c];
    cw_column *col = &s->cols[c];
    if (!w->buf)
        return cw_column_append(col, r);
    int rc;
    /* the checks inline: the calls only when the file or the buffer must grow */
    if (col->rows >= col->cap && (rc = cw_column_reserve(col, 1)))
        return rc;
    if (!w->n)
        w->first = col->rows;
    if (w->n >= w->cap && (rc = cw_grow(&w->buf, &w->cap, w->n + 1, col->width, 0)))
        return cw_error_wrap(rc, "%s buffer: ", col_defs[c].name);
    memcpy(w->buf + w->n * col->width, r, width);
    w->n++;
    col->rows++;
    return 0;
}

static uint64_t txhash_h64(const uint8_t *h)
{
    uint64_t v;
    memcpy(&v, h, 8);
    return v;
}

static uint64_t addr_h64(const uint8_t *a)
{
    return XXH3_64bits(a, 20);
}

static bool txhash_eq(const void *key, uint32_t id, void *ctx)
{
    const cw_evmstore *s = ctx;
    return memcmp(row(s, C_TXHASH, id), key, 32) == 0;
}

static bool addr_eq(const void *key, uint32_t id, void *ctx)
{
    const cw_evmstore *s = ctx;
    return memcmp(((const cw_evm_row_account *)row(s, C_ACCT, id))->addr, key, 20) == 0;
}

static counts cur_counts(const cw_evmstore *s)
{
    counts c = {rows(s, C_BLOCK), rows(s, C_TX),    rows(s, C_MOVE),
                rows(s, C_ACCT),  rows(s, C_ASSET), rows(s, C_CREATE)};
    return c;
}

static void set_rows(cw_evmstore *s, const counts *c)
{
    s->has_tip = false;
    s->cols[C_BLOCK].rows = c->blocks;
    s->cols[C_TX].rows = s->cols[C_TXHASH].rows = c->txs;
    s->cols[C_MOVE].rows = s->cols[C_MOVELINK].rows = c->moves;
    s->cols[C_ACCT].rows = s->cols[C_ACCTLAST].rows = c->accounts;
    s->cols[C_ASSET].rows = c->assets;
    s->cols[C_CREATE].rows = c->creates;
}

static void path_of(char *out, size_t n, const cw_evmstore *s, const char *name)
{
    if ((size_t)snprintf(out, n, "%.*s/%s", (int)(n - 16), s->dir, name) >= n)
        out[n - 1] = '\0';
}

#define FULL_FLAGS (CW_EVM_BLOCKF_RECEIPTS | CW_EVM_BLOCKF_LOGS | CW_EVM_BLOCKF_TRACES)

/* blocks in rows [a, b) that lack receipts, logs or traces */
static uint64_t count_incomplete(const cw_evmstore *s, uint64_t a, uint64_t b)
{
    uint64_t n = 0;
    for (uint64_t i = a; i < b; i++) {
        if ((((const cw_evm_row_block *)row(s, C_BLOCK, i))->flags & FULL_FLAGS) != FULL_FLAGS)
            n++;
    }
    return n;
}

/* the incomplete count for publishing c (the rows between the published count and c exist) */
static uint64_t incomplete_at(const cw_evmstore *s, const counts *c)
{
    if (c->blocks >= s->pub.blocks)
        return s->incomplete + count_incomplete(s, s->pub.blocks, c->blocks);
    return s->incomplete - count_incomplete(s, c->blocks, s->pub.blocks);
}

static void to_manifest(cw_manifest *m, const cw_evmstore *s, const counts *c)
{
    memset(m, 0, sizeof *m);
    cw_manifest_set(m, "evm_format", CW_EVM_STORE_FORMAT);
    cw_manifest_set(m, "chain_id", s->chain->chain_id);
    cw_manifest_set(m, "base_height", c->blocks ? s->base : 0);
    cw_manifest_set(m, "blocks", c->blocks);
    cw_manifest_set(m, "txs", c->txs);
    cw_manifest_set(m, "moves", c->moves);
    cw_manifest_set(m, "accounts", c->accounts);
    cw_manifest_set(m, "assets", c->assets);
    cw_manifest_set(m, "creates", c->creates);
    cw_manifest_set(m, "incomplete_blocks", incomplete_at(s, c));
    cw_manifest_set(m, "memos", cw_evm_memotab_rows_below(&s->memos, c->txs));
    cw_manifest_set(m, "amounts", side_below(&s->wide, c->moves));
    cw_manifest_set(m, "tx_amounts", side_below(&s->txwide, c->txs));
    cw_manifest_set(m, "issuer_actions", side_below(&s->issuer, c->txs));
    if (s->synthetic) /* only then: a real store's MANIFEST is as before */
        cw_manifest_set(m, "synthetic", 1);
    if (s->closed)
        cw_manifest_set(m, "closed", 1);
}

static int write_counts(cw_evmstore *s, const counts *c)
{
    cw_manifest m;
    char p[PATH_MAX];
    to_manifest(&m, s, c);
    path_of(p, sizeof p, s, "MANIFEST");
    return cw_manifest_write(&m, p);
}

/* The "writer open" mark (docs/STORE-FORMAT.md "Commit protocol and recovery"). MANIFEST says
 * `closed 1` only after a clean close: every published row and in-place value was durable and
 * nothing past the counts was left in place. Before its first in-place write (an append, a
 * rollback) a writer replaces MANIFEST without that line (same counts, fsynced), so a power cut
 * from then on finds the mark gone and the next writable open runs the pass over acctlast.col
 * that finds heads spoilt by the cut (suspect_heads); after a clean close it skips it. A store
 * without the line (new, written by a build before stop 24, or by a writer killed or cut off)
 * is taken as not cleanly closed: the pass runs. */
static int mark_open(cw_evmstore *s)
{
    if (!s->closed)
        return 0;
    s->closed = false;
    int rc = write_counts(s, &s->pub);
    if (rc)
        s->closed = true;
    return rc;
}

static int check_fits(const cw_evmstore *s, const counts *c)
{
    const uint64_t need[N_COLS] = {c->blocks,   c->txs,      c->txs,    c->moves,  c->moves,
                                   c->accounts, c->accounts, c->assets, c->creates};
    for (int i = 0; i < N_COLS; i++) {
        if (s->cols[i].cap < need[i])
            return cw_error_set(CW_ECORRUPT,
                                "%s: %s.col holds %llu rows but MANIFEST publishes %llu "
                                "(truncated store)",
                                s->dir, col_defs[i].name, (unsigned long long)s->cols[i].cap,
                                (unsigned long long)need[i]);
    }
    return 0;
}

/* ---- asset map ---- */

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return x;
}

static int amap_put(asset_map *m, uint32_t account, uint32_t asset)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t nc = m->cap ? m->cap * 2 : 1024;
        uint64_t *ns = cw_calloc(nc, sizeof *ns);
        if (!ns)
            return cw_error_set(CW_ENOMEM, "out of memory (asset map)");
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->slots[i])
                continue;
            size_t j = mix(m->slots[i] >> 32) & (nc - 1);
            while (ns[j])
                j = (j + 1) & (nc - 1);
            ns[j] = m->slots[i];
        }
        cw_free(m->slots);
        m->slots = ns;
        m->cap = nc;
    }
    uint64_t key = (uint64_t)account + 1;
    size_t j = mix(key) & (m->cap - 1);
    while (m->slots[j] && (m->slots[j] >> 32) != key)
        j = (j + 1) & (m->cap - 1);
    if (!m->slots[j])
        m->n++;
    m->slots[j] = key << 32 | asset;
    return 0;
}

static bool amap_get(const asset_map *m, uint32_t account, uint32_t *asset)
{
    if (!m->cap)
        return false;
    uint64_t key = (uint64_t)account + 1;
    size_t j = mix(key) & (m->cap - 1);
    while (m->slots[j]) {
        if ((m->slots[j] >> 32) == key) {
            *asset = (uint32_t)m->slots[j];
            return true;
        }
        j = (j + 1) & (m->cap - 1);
    }
    return false;
}

static int amap_rebuild(cw_evmstore *s)
{
    cw_free(s->amap.slots);
    memset(&s->amap, 0, sizeof s->amap);
    for (uint64_t a = 0; a < rows(s, C_ASSET); a++) {
        const cw_evm_row_asset *r = row(s, C_ASSET, a);
        if (r->account != CW_EVM_NONE32 && amap_put(&s->amap, r->account, (uint32_t)a))
            return CW_ENOMEM;
    }
    return 0;
}

/* ---- recovery / undo ---- */

/* Undoes the in-place effects of the rows between `to` and `from` (from >= to). Rows past `to`
 * that the writer never reached hold zeros or older rows; only in-place values pointing past
 * `to` are ever changed. With prune, index entries past `to` are dropped by one pass over each
 * index; without, the dropped rows' entries are deleted one by one. Idempotent. */
static int undo_inplace(cw_evmstore *s, const counts *from, const counts *to, bool prune)
{
    int rc = flush_rows(s);
    if (rc || (rc = check_fits(s, from)))
        return rc;
    if (s->acache && to->accounts < from->accounts)
        memset(s->acache, 0, sizeof *s->acache << ACACHE_BITS);
    set_rows(s, from);
    for (uint64_t m = from->moves; m-- > to->moves;) {
        const cw_evm_row_move *mv = row(s, C_MOVE, m);
        const cw_evm_row_movelink *ln = row(s, C_MOVELINK, m);
        if (mv->to != CW_EVM_NONE32 && mv->to < to->accounts) {
            cw_evm_row_acctlast *al = row(s, C_ACCTLAST, mv->to);
            if (al->last_in == m)
                al->last_in = get48(ln->prev_in);
        }
        if (mv->from != CW_EVM_NONE32 && mv->from < to->accounts) {
            cw_evm_row_acctlast *al = row(s, C_ACCTLAST, mv->from);
            if (al->last_out == m)
                al->last_out = get48(ln->prev_out);
        }
    }
    crash_point(s);
    uint64_t end_block = s->base + to->blocks; /* first block number past the kept ones */
    for (uint64_t c = from->creates; c-- > to->creates;) {
        const cw_evm_row_create *cr = row(s, C_CREATE, c);
        if (cr->account >= to->accounts)
            continue;
        cw_evm_row_account *a = row(s, C_ACCT, cr->account);
        if (a->contract_block != CW_EVM_NONE32 && (uint64_t)a->contract_block >= end_block)
            a->contract_block = CW_EVM_NONE32;
    }
    crash_point(s);
    if (prune) {
        cw_hashidx_prune(&s->txidx, (uint32_t)to->txs);
        cw_hashidx_prune(&s->addridx, (uint32_t)to->accounts);
    } else {
        for (uint64_t t = from->txs; t-- > to->txs;) {
            if ((rc = cw_hashidx_delete(&s->txidx, txhash_h64(row(s, C_TXHASH, t)), (uint32_t)t)))
                return rc;
        }
        for (uint64_t a = from->accounts; a-- > to->accounts;) {
            const cw_evm_row_account *ar = row(s, C_ACCT, a);
            if ((rc = cw_hashidx_delete(&s->addridx, addr_h64(ar->addr), (uint32_t)a)))
                return rc;
        }
        cw_hashidx_set_count(&s->txidx, s->txidx.count);
        cw_hashidx_set_count(&s->addridx, s->addridx.count);
    }
    crash_point(s);
    if ((rc = cw_column_sync(&s->cols[C_ACCTLAST], 0, to->accounts)) ||
        (rc = cw_column_sync(&s->cols[C_ACCT], 0, to->accounts)) ||
        (rc = cw_hashidx_sync(&s->txidx)) || (rc = cw_hashidx_sync(&s->addridx)))
        return rc;
    set_rows(s, to);
    return amap_rebuild(s);
}

static counts file_counts(const cw_evmstore *s)
{
    counts c = {s->cols[C_BLOCK].cap, s->cols[C_TX].cap,    s->cols[C_MOVE].cap,
                s->cols[C_ACCT].cap,  s->cols[C_ASSET].cap, s->cols[C_CREATE].cap};
    if (s->cols[C_TXHASH].cap < c.txs)
        c.txs = s->cols[C_TXHASH].cap;
    if (s->cols[C_MOVELINK].cap < c.moves)
        c.moves = s->cols[C_MOVELINK].cap;
    if (s->cols[C_ACCTLAST].cap < c.accounts)
        c.accounts = s->cols[C_ACCTLAST].cap;
    return c;
}

static void index_step(void *ctx)
{
    crash_point(ctx);
}

/* The writer's indexes are held in memory (cw_hashidx_hold) and written at commit. An index
 * whose file was left in the middle of that write (a crash) is rebuilt from the published
 * rows: the layout depends only on the entries and the geometry, so the rebuilt file is the one
 * the interrupted commit would have left after recovery. */
static int hold_indexes(cw_evmstore *s)
{
    int rc;
    cw_hashidx *ix[2] = {&s->txidx, &s->addridx};
    for (int i = 0; i < 2; i++) {
        if ((rc = cw_hashidx_hold(ix[i])))
            return rc;
        ix[i]->step = index_step;
        ix[i]->step_ctx = s;
    }
    if (!s->txidx.torn && !s->addridx.torn)
        return 0;
    if ((rc = check_fits(s, &s->pub)))
        return rc;
    if (s->txidx.torn) {
        cw_hashidx_clear(&s->txidx);
        for (uint64_t t = 0; t < s->pub.txs && !rc; t++)
            rc = cw_hashidx_insert(&s->txidx, txhash_h64(cw_column_row(&s->cols[C_TXHASH], t)),
                                   (uint32_t)t);
    }
    if (s->addridx.torn) {
        cw_hashidx_clear(&s->addridx);
        for (uint64_t a = 0; a < s->pub.accounts && !rc; a++) {
            const cw_evm_row_account *ar = cw_column_row(&s->cols[C_ACCT], a);
            rc = cw_hashidx_insert(&s->addridx, addr_h64(ar->addr), (uint32_t)a);
        }
    }
    if (!rc)
        rc = cw_hashidx_sync(&s->txidx);
    if (!rc)
        rc = cw_hashidx_sync(&s->addridx);
    return rc ? cw_error_wrap(rc, "rebuilding an index left by an interrupted commit: ") : 0;
}

/* A power cut between commits (not a kill: a killed writer's pages all reach the disk) can leave
 * in acctlast.col a head the kernel wrote back while the movement rows it points at never reached
 * the disk: the files end before them (their growth was not written), or they read as zeros.
 * The undo cannot walk such a head back (it finds no row naming the account, or a zero link that
 * reads as movement 0), and the next append would link a movement to a row that is not there.
 * Heads only grow between commits, so the heads a cut can have spoilt are exactly those past the
 * published movements: one pass over the heads finds them (need[a]: 1 out, 2 in). */
static int suspect_heads(const cw_evmstore *s, const counts *to, uint8_t **need, size_t *n)
{
    *need = NULL;
    *n = 0;
    for (uint64_t a = 0; a < to->accounts; a++) {
        const cw_evm_row_acctlast *al = row(s, C_ACCTLAST, a);
        uint8_t f = (uint8_t)((al->last_out != CW_EVM_NONE64 && al->last_out >= to->moves) |
                              (al->last_in != CW_EVM_NONE64 && al->last_in >= to->moves) << 1);
        if (!f)
            continue;
        if (!*need && !(*need = cw_calloc(to->accounts, 1)))
            return cw_error_set(CW_ENOMEM, "out of memory (recovery)");
        (*need)[a] = f;
        (*n)++;
    }
    return 0;
}

/* Whether every movement row past the published count is whole: a kind, and a link that is not
 * all zeros (such a row would link both its accounts to movement 0: a row never written). */
static bool rows_whole(const cw_evmstore *s, const counts *from, const counts *to)
{
    static const cw_evm_row_movelink zero;
    for (uint64_t m = to->moves; m < from->moves; m++) {
        const cw_evm_row_move *mv = row(s, C_MOVE, m);
        if (!mv->kind || !memcmp(row(s, C_MOVELINK, m), &zero, sizeof zero))
            return false;
    }
    return true;
}

/* After the undo: a suspect head the undo walked back over whole rows to a published movement of
 * its account is right (every kill); any other is found again, as the newest published movement
 * out of (into) the account, by one pass back over the movements, stopping when all are found.
 * Contract marks past the published blocks whose creates rows did not reach the disk are
 * cleared. */
static int repair_heads(cw_evmstore *s, const counts *to, uint8_t *need, bool whole)
{
    size_t left = 0;
    for (uint64_t a = 0; a < to->accounts; a++) {
        if (!need[a])
            continue;
        cw_evm_row_acctlast *al = row(s, C_ACCTLAST, a);
        const cw_evm_row_move *mo = al->last_out < to->moves ? row(s, C_MOVE, al->last_out) : NULL;
        const cw_evm_row_move *mi = al->last_in < to->moves ? row(s, C_MOVE, al->last_in) : NULL;
        if ((need[a] & 1) && whole &&
            (al->last_out == CW_EVM_NONE64 || (mo && mo->from == (uint32_t)a)))
            need[a] &= (uint8_t)~1u;
        if ((need[a] & 2) && whole &&
            (al->last_in == CW_EVM_NONE64 || (mi && mi->to == (uint32_t)a)))
            need[a] &= (uint8_t)~2u;
        if (need[a] & 1)
            al->last_out = CW_EVM_NONE64;
        if (need[a] & 2)
            al->last_in = CW_EVM_NONE64;
        left += need[a] != 0;
    }
    if (!left)
        return 0;
    for (uint64_t m = to->moves; m-- > 0 && left;) {
        const cw_evm_row_move *mv = row(s, C_MOVE, m);
        if (mv->from < to->accounts && (need[mv->from] & 1)) {
            ((cw_evm_row_acctlast *)row(s, C_ACCTLAST, mv->from))->last_out = m;
            if (!(need[mv->from] &= (uint8_t)~1u))
                left--;
        }
        if (mv->to < to->accounts && (need[mv->to] & 2)) {
            ((cw_evm_row_acctlast *)row(s, C_ACCTLAST, mv->to))->last_in = m;
            if (!(need[mv->to] &= (uint8_t)~2u))
                left--;
        }
    }
    uint64_t end_block = s->base + to->blocks;
    for (uint64_t a = 0; a < to->accounts; a++) {
        cw_evm_row_account *ar = row(s, C_ACCT, a);
        if (ar->contract_block != CW_EVM_NONE32 && (uint64_t)ar->contract_block >= end_block)
            ar->contract_block = CW_EVM_NONE32;
    }
    int rc = cw_column_sync(&s->cols[C_ACCTLAST], 0, to->accounts);
    return rc ? rc : cw_column_sync(&s->cols[C_ACCT], 0, to->accounts);
}

static int recover(cw_evmstore *s)
{
    counts from = file_counts(s), to = s->pub;
    bool dirty = from.blocks > to.blocks || from.txs > to.txs || from.moves > to.moves ||
                 from.accounts > to.accounts || from.assets > to.assets ||
                 from.creates > to.creates;
    bool fits =
        !(from.blocks < to.blocks || from.txs < to.txs || from.moves < to.moves ||
          from.accounts < to.accounts || from.assets < to.assets || from.creates < to.creates);
    uint8_t *need = NULL;
    size_t n_need = 0;
    /* after a clean close no head points past the published movements: no pass */
    int rc = fits && !s->closed ? suspect_heads(s, &to, &need, &n_need) : 0;
#ifdef CW_TEST_HOOKS
    /* Test hook, compiled only into test builds: say when the pass ran (cli/evm_crash) */
    if (fits && !s->closed && getenv("CW_TEST_REPORT_RECOVERY"))
        fprintf(stderr, "evm store: power-cut pass over %llu account heads (%zu suspect)\n",
                (unsigned long long)to.accounts, n_need);
#endif
    if (rc || (!dirty && !n_need))
        return rc;
    if (!fits)
        return check_fits(s, &to);
    bool whole = rows_whole(s, &from, &to);
    if (dirty)
        rc = undo_inplace(s, &from, &to, true);
    if (!rc && n_need)
        rc = repair_heads(s, &to, need, whole);
    cw_free(need);
    return rc ? cw_error_wrap(rc, "recovering an interrupted write: ") : 0;
}

/* ---- open / close ---- */

bool cw_evmstore_detect(const char *dir)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/MANIFEST", dir);
    cw_manifest m;
    if (cw_manifest_read(&m, p)) {
        cw_error_clear();
        return false;
    }
    return cw_manifest_get(&m, "evm_format", 0) != 0;
}

static void set_wrapped(cw_evmstore *s)
{
    s->has_wrapped = s->chain->wrapped &&
                     !cw_evm_addr_parse(&s->wrapped, s->chain->wrapped, strlen(s->chain->wrapped));
    s->has_tether = s->chain->tether &&
                    !cw_evm_addr_parse(&s->tether, s->chain->tether, strlen(s->chain->tether));
}

/* The writer's randomly probed tables (the address cache, 6 MiB, and the heads overlay) in one
 * anonymous map with transparent huge pages asked for: each lookup is a random line in them, and
 * with 4 KiB pages nearly every one also missed the TLB (a nested page walk in this VM). Zeroed
 * by the kernel, as calloc would give them. */
static bool writer_mem(cw_evmstore *s)
{
    size_t a = sizeof *s->acache << ACACHE_BITS, h = sizeof *s->heads << HEADS_BITS,
           u = sizeof *s->heads_used << HEADS_BITS, huge = (size_t)2 << 20;
    size_t len = (a + h + u + huge - 1) & ~(huge - 1);
    void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return false;
#ifdef MADV_HUGEPAGE
    (void)madvise(m, len, MADV_HUGEPAGE); /* a hint */
#endif
    s->wmem = m;
    s->wmem_len = len;
    s->acache = m;
    s->heads = (head_ent *)(void *)((uint8_t *)m + a);
    s->heads_used = (uint32_t *)(void *)((uint8_t *)m + a + h);
    return true;
}

int cw_evmstore_open(cw_evmstore **out, const char *dir, bool writable, const char *chain)
{
    int rc = 0;
    *out = NULL;
    cw_evmstore *s = cw_calloc(1, sizeof *s);
    if (!s)
        return cw_error_set(CW_ENOMEM, "out of memory");
    s->lock_fd = -1;
    s->gen.fd = -1;
    s->gen.alt = -1;
    s->txidx.fd = s->addridx.fd = -1;
    for (int i = 0; i < N_COLS; i++)
        s->cols[i].fd = -1;
    s->memos.col.fd = -1;
    s->wide.col.fd = s->txwide.col.fd = s->issuer.col.fd = -1;
    uint64_t pub_memos = 0;
    if ((size_t)snprintf(s->dir, sizeof s->dir, "%s", dir) >= sizeof s->dir) {
        cw_free(s);
        return cw_error_set(CW_EINVAL, "store path too long: %s", dir);
    }
    s->writable = writable;
    const cw_evm_chain *want = NULL;
    if (chain && !(want = cw_evm_chain_find(chain))) {
        cw_free(s);
        return cw_error_set(CW_EINVAL,
                            "unknown chain '%s' (ethereum, sepolia, bsc, polygon, arbitrum, "
                            "optimism, base, avalanche, dev)",
                            chain);
    }
    const char *crash = getenv("CW_TEST_CRASH_POINT");
    if (writable && crash && cw_parse_u64(&s->crash_at, crash))
        s->crash_at = 0;
    char mpath[PATH_MAX];
    path_of(mpath, sizeof mpath, s, "MANIFEST");
    if (writable) {
        if ((rc = cw_mkdir_p(dir)))
            goto fail;
        char lpath[PATH_MAX];
        path_of(lpath, sizeof lpath, s, "LOCK");
        if ((rc = cw_store_lock(&s->lock_fd, lpath, dir,
                                "another chainwatch process is writing this store")) ||
            (rc = cw_store_gen_settle(s->lock_fd, lpath)))
            goto fail;
    } else {
        char lpath[PATH_MAX], apath[PATH_MAX];
        path_of(lpath, sizeof lpath, s, "LOCK");
        path_of(apath, sizeof apath, s, "blocks.col");
        cw_store_gen_open(&s->gen, lpath, apath);
    }
    cw_manifest m;
    rc = cw_manifest_read(&m, mpath);
    if (rc == CW_ENOTFOUND && writable) {
        char probe[PATH_MAX];
        path_of(probe, sizeof probe, s, "blocks.col");
        if (access(probe, F_OK) == 0) {
            rc = cw_error_set(CW_ECORRUPT, "%s: column files without a MANIFEST", dir);
            goto fail;
        }
        s->chain = want ? want : cw_evm_chain_find("ethereum");
        if ((rc = write_counts(s, &s->pub)))
            goto fail;
    } else if (rc == CW_ENOTFOUND) {
        rc = cw_error_set(CW_ENOTFOUND, "%s: not a chain store (no MANIFEST)", dir);
        goto fail;
    } else if (rc) {
        goto fail;
    } else {
        uint64_t f = cw_manifest_get(&m, "evm_format", 0);
        if (f == 0) {
            rc = cw_error_set(CW_EINVAL, "%s: a Bitcoin store, not an EVM store", dir);
            goto fail;
        }
        if (f != CW_EVM_STORE_FORMAT) {
            rc = cw_error_set(CW_EVERSION,
                              "%s/MANIFEST: EVM store format %llu, this build reads %d%s: "
                              "re-ingest it into a new store (chainwatch ingest evm, from the "
                              "same export or node, into a new directory)",
                              dir, (unsigned long long)f, CW_EVM_STORE_FORMAT,
                              f == 3   ? " (memo rows name their emitter since format 4)"
                              : f == 4 ? " (EIP-4844 blob fees are counted since format 5)"
                              : f == 5 ? " (stablecoin issuers' freezes and destroyed balances "
                                         "are kept since format 6)"
                              : f == 6 ? " (USDT's Issue and Redeem, its mints to and burns from "
                                         "its owner, are counted since format 7)"
                                       : "");
            goto fail;
        }
        uint64_t id = cw_manifest_get(&m, "chain_id", 0);
        s->chain = cw_evm_chain_by_id(id);
        if (!s->chain) {
            rc =
                cw_error_set(CW_EVERSION, "%s: unknown chain id %llu", dir, (unsigned long long)id);
            goto fail;
        }
        if (want && want != s->chain) {
            rc = cw_error_set(CW_EINVAL, "%s: the store holds %s (chain id %llu), not %s", dir,
                              s->chain->name, (unsigned long long)s->chain->chain_id, want->name);
            goto fail;
        }
        s->base = cw_manifest_get(&m, "base_height", 0);
        s->pub.blocks = cw_manifest_get(&m, "blocks", 0);
        s->pub.txs = cw_manifest_get(&m, "txs", 0);
        s->pub.moves = cw_manifest_get(&m, "moves", 0);
        s->pub.accounts = cw_manifest_get(&m, "accounts", 0);
        s->pub.assets = cw_manifest_get(&m, "assets", 0);
        s->pub.creates = cw_manifest_get(&m, "creates", 0);
        s->incomplete = cw_manifest_get(&m, "incomplete_blocks", 0);
        pub_memos = cw_manifest_get(&m, "memos", 0);
        s->wide.pub = cw_manifest_get(&m, "amounts", 0);
        s->txwide.pub = cw_manifest_get(&m, "tx_amounts", 0);
        s->issuer.pub = cw_manifest_get(&m, "issuer_actions", 0);
        s->synthetic = cw_manifest_get(&m, "synthetic", 0) != 0;
        s->closed = writable && cw_manifest_get(&m, "closed", 0) != 0;
    }
    set_wrapped(s);
    for (int i = 0; i < N_COLS; i++) {
        if ((rc = cw_column_open(&s->cols[i], dir, col_defs[i].name, col_defs[i].width, writable)))
            goto fail;
    }
    if ((rc = cw_hashidx_open(&s->txidx, dir, "txhash", writable)) ||
        (rc = cw_hashidx_open(&s->addridx, dir, "addr", writable)))
        goto fail;
    if ((rc = cw_evm_memotab_open(&s->memos, dir, writable, pub_memos)))
        goto fail;
    if ((rc = side_open(&s->wide, dir, "amounts", sizeof(cw_evm_row_wide), writable)) ||
        (rc = side_open(&s->txwide, dir, "txamounts", sizeof(cw_evm_row_txwide), writable)) ||
        (rc = side_open(&s->issuer, dir, "issuer", sizeof(cw_evm_row_issuer), writable)))
        goto fail;
    if (writable && ((rc = hold_indexes(s)) || (rc = recover(s))))
        goto fail;
    if (writable) {
        bool ok = writer_mem(s);
        for (int i = 0; ok && i < N_COLS; i++) {
            if (!buffered(i))
                continue;
            s->wb[i].cap = (size_t)WB_FLUSH_MOVES * 2;
            ok = (s->wb[i].buf = cw_malloc(s->wb[i].cap * col_defs[i].width)) != NULL;
        }
        ok = ok && cw_evm_rowbuf_init(&s->memos.wb, s->memos.col.width, 1024) &&
             cw_evm_rowbuf_init(&s->wide.wb, s->wide.col.width, 1024) &&
             cw_evm_rowbuf_init(&s->txwide.wb, s->txwide.col.width, 256);
        if (!ok) {
            rc = cw_error_set(CW_ENOMEM, "out of memory (write buffers)");
            goto fail;
        }
    }
    if ((rc = check_fits(s, &s->pub)))
        goto fail;
    set_rows(s, &s->pub);
    if ((rc = amap_rebuild(s)))
        goto fail;
    s->opened = true;
    *out = s;
    return 0;
fail:
    cw_evmstore_close(s);
    return rc;
}

int cw_evmstore_close(cw_evmstore *s)
{
    if (!s)
        return 0;
    int rc = 0;
    /* Everything published: the last commit (of this run or an earlier one) made every row
     * durable and no in-place effect is pending (an append that failed undid and synced its
     * own), so there is nothing to undo, and trimming the files and recording their row counts
     * is tidying that needs no sync (MANIFEST publishes the counts; rows past them are never
     * read): some 30 disk cache flushes fewer after the ingest's last commit. */
    bool synced = false;
    if (s->opened && s->writable) {
        counts cur = cur_counts(s);
        synced = memcmp(&cur, &s->pub, sizeof cur) == 0 && s->memos.col.rows == s->memos.pub &&
                 s->wide.col.rows == s->wide.pub && s->txwide.col.rows == s->txwide.pub &&
                 s->issuer.col.rows == s->issuer.pub;
        if (!synced)
            rc = undo_inplace(s, &cur, &s->pub, false);
        /* every published row and in-place value is durable (the last commit, or the undo's
         * syncs): mark the store closed cleanly, so that its next writer skips the power cut's
         * pass over acctlast.col. Rows past the counts that the trims below leave on a cut are
         * undone by recovery as ever; no head points at them. */
        if (!rc && !s->closed) {
            s->closed = true;
            if ((rc = write_counts(s, &s->pub)))
                s->closed = false;
        }
    }
    set_rows(s, &s->pub);
    /* not below the rows of a handle from before a rollback (docs/STORE-FORMAT.md) */
    bool trim =
        s->writable && s->lock_fd >= 0 && cw_store_trim_safe(s->lock_fd, s->cols[C_BLOCK].fd);
    /* the indexes first: their closing msync is a disk cache flush, nearly free right after a
     * commit, and one that waits for the trims' writes when it comes after them */
    if (s->txidx.fd >= 0)
        cw_hashidx_close(&s->txidx);
    if (s->addridx.fd >= 0)
        cw_hashidx_close(&s->addridx);
    for (int i = 0; i < N_COLS; i++) {
        if (s->cols[i].fd >= 0) {
            int r = s->writable ? cw_column_close_rows(&s->cols[i], !synced, trim)
                                : cw_column_close(&s->cols[i], false);
            if (r && !rc)
                rc = r;
        }
    }
    int mr = cw_evm_memotab_close(&s->memos, s->writable, synced, trim);
    if (mr && !rc)
        rc = mr;
    if ((mr = side_close(&s->wide, s->writable, synced, trim)) && !rc)
        rc = mr;
    if ((mr = side_close(&s->txwide, s->writable, synced, trim)) && !rc)
        rc = mr;
    if ((mr = side_close(&s->issuer, s->writable, synced, trim)) && !rc)
        rc = mr;
    if (s->lock_fd >= 0)
        close(s->lock_fd);
    cw_store_gen_close(&s->gen);
    cw_free(s->tokens.v);
    cw_free(s->amap.slots);
    if (s->wmem)
        munmap(s->wmem, s->wmem_len);
    cw_free(s->warm);
    for (int i = 0; i < N_COLS; i++)
        cw_free(s->wb[i].buf);
    cw_free(s);
    return rc;
}

void cw_evmstore_counts(const cw_evmstore *s, cw_evm_counts *c)
{
    c->base = s->base;
    c->blocks = s->pub.blocks;
    c->txs = s->pub.txs;
    c->moves = s->pub.moves;
    c->accounts = s->pub.accounts;
    c->assets = s->pub.assets;
    c->creates = s->pub.creates;
    c->chain_id = s->chain->chain_id;
    c->incomplete = s->incomplete;
}

const cw_evm_chain *cw_evmstore_chain(const cw_evmstore *s)
{
    return s->chain;
}

int64_t cw_evmstore_tip(const cw_evmstore *s)
{
    uint64_t n = rows(s, C_BLOCK);
    return n ? (int64_t)(s->base + n - 1) : -1;
}

/* ---- tokens ---- */

static int cmp_token(const void *a, const void *b)
{
    /* an order, not equality: qsort and the binary search in find_token need the sign */
    return memcmp(((const cw_evm_token *)a)->address.b, ((const cw_evm_token *)b)->address.b, 20);
}

int cw_evmstore_add_token(cw_evmstore *s, const cw_evm_token *t)
{
    token_set *ts = &s->tokens;
    int rc = cw_grow(&ts->v, &ts->cap, ts->n + 1, sizeof *ts->v, 64);
    if (rc)
        return cw_error_wrap(rc, "tokens: ");
    ts->v[ts->n++] = *t;
    ts->sorted = false;
    return 0;
}

static const cw_evm_token *find_token(cw_evmstore *s, const uint8_t addr[20])
{
    token_set *ts = &s->tokens;
    if (!ts->n)
        return NULL;
    if (!ts->sorted) {
        qsort(ts->v, ts->n, sizeof *ts->v, cmp_token);
        /* keep the first of duplicates */
        size_t k = 0;
        for (size_t i = 0; i < ts->n; i++) {
            if (k && (memcmp(ts->v[k - 1].address.b, ts->v[i].address.b, 20) == 0))
                continue;
            ts->v[k++] = ts->v[i];
        }
        ts->n = k;
        ts->sorted = true;
    }
    size_t lo = 0, hi = ts->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = memcmp(ts->v[mid].address.b, addr, 20); /* the sign, not just != 0 */
        if (!c)
            return &ts->v[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ---- append ---- */

static int reserve(cw_evmstore *s, int c, uint64_t n)
{
    return cw_column_reserve(&s->cols[c], n);
}

/* The address cache's slot of an address: a multiplicative hash of its 20 bytes, a few cycles
 * instead of the index's XXH3, which is then computed only when the cache misses. Only speed
 * depends on it (a conflict is a miss), never an id or a byte of the store. */
static size_t acache_set(const uint8_t *a)
{
    uint64_t w0, w1;
    uint32_t w2;
    memcpy(&w0, a, 8);
    memcpy(&w1, a + 8, 8);
    memcpy(&w2, a + 16, 4);
    uint64_t h =
        (w0 ^ (w1 * 0xbf58476d1ce4e5b9ull) ^ (w2 * 0x94d049bb133111ebull)) * 0x9e3779b97f4a7c15ull;
    return (size_t)(h >> (64 - (ACACHE_BITS - 1))) * 2;
}

/* the entry of address a in its set (NULL when neither way holds it); a hit in the second way
 * swaps the two, so that the first is the most recently used */
static inline acache_ent *acache_find(acache_ent *set, const uint8_t *a)
{
    if (set[0].id1 && (memcmp(set[0].addr, a, 20) == 0))
        return &set[0];
    if (set[1].id1 && (memcmp(set[1].addr, a, 20) == 0)) {
        acache_ent t = set[1];
        set[1] = set[0];
        set[0] = t;
        return &set[0];
    }
    return NULL;
}

/* records (a, id) in its set as the most recently used, the least recently used one out */
static inline void acache_put(acache_ent *set, const uint8_t *a, uint32_t id)
{
    set[1] = set[0];
    memcpy(set[0].addr, a, 20);
    set[0].id1 = id + 1;
}

static int find_account(const cw_evmstore *s, const uint8_t *a, uint32_t limit, uint32_t *id)
{
    return cw_hashidx_find(&s->addridx, addr_h64(a), a, limit, addr_eq, (void *)(uintptr_t)s, id);
}

/* account id of an address, created (first seen in block `number`) when absent */
static int account(cw_evmstore *s, const cw_evm_addr *a, uint64_t number, uint32_t *id)
{
    acache_ent *ce = NULL;
    if (s->acache) {
        ce = &s->acache[acache_set(a->b)];
        const acache_ent *hit = acache_find(ce, a->b);
        if (hit) {
            *id = hit->id1 - 1;
            __builtin_prefetch(cw_column_row(&s->cols[C_ACCTLAST], *id)); /* its heads, next */
            return 0;
        }
    }
    uint64_t h = addr_h64(a->b);
    uint64_t n = rows(s, C_ACCT);
    if (n >= 0xfffffff0u) {
        int rc = cw_hashidx_find(&s->addridx, h, a->b, (uint32_t)n, addr_eq, s, id);
        return rc == CW_ENOTFOUND ? cw_error_set(CW_EINVAL, "more than 2^32 accounts") : rc;
    }
    /* found, or its entry placed for id n, in one walk of the index (as a tx's hash) */
    int rc = cw_hashidx_find_or_insert(&s->addridx, h, a->b, (uint32_t)n, addr_eq, s, id);
    if (rc)
        return rc;
    if (*id != (uint32_t)n) {
        if (ce)
            acache_put(ce, a->b, *id);
        return 0;
    }
    cw_evm_row_account ar;
    memset(&ar, 0, sizeof ar);
    memcpy(ar.addr, a->b, 20);
    ar.first_block = (uint32_t)number;
    ar.contract_block = CW_EVM_NONE32;
    cw_evm_row_acctlast al = {CW_EVM_NONE64, CW_EVM_NONE64};
    if ((rc = cw_column_append(&s->cols[C_ACCT], &ar)) ||
        (rc = cw_column_append(&s->cols[C_ACCTLAST], &al))) {
        /* the block's undo finds entries through their rows: this one may have none */
        (void)cw_hashidx_delete(&s->addridx, h, (uint32_t)n);
        return rc;
    }
    if (ce)
        acache_put(ce, a->b, (uint32_t)n);
    return 0;
}

/* a memo's emitter (memo_int.h cw_evm_memo_acct_fn): the account of a log's address, found
 * among those the store holds so far (none is created for it) */
static uint32_t memo_emitter(void *ctx, const uint8_t *addr)
{
    const cw_evmstore *s = ctx;
    uint32_t id;
    return find_account(s, addr, (uint32_t)rows(s, C_ACCT), &id) == 0 ? id : CW_EVM_NONE32;
}

static int mark_contract(cw_evmstore *s, uint32_t acct, uint64_t number, uint64_t tx)
{
    cw_evm_row_create cr = {tx, acct, (uint32_t)number};
    int rc = cw_column_append(&s->cols[C_CREATE], &cr);
    if (rc)
        return rc;
    cw_evm_row_account *a = row(s, C_ACCT, acct);
    if (a->contract_block == CW_EVM_NONE32)
        a->contract_block = (uint32_t)number;
    return 0;
}

/* asset of a token contract, created on its first movement */
static int asset_of(cw_evmstore *s, uint32_t acct, uint8_t kind, uint64_t number, uint32_t *out)
{
    if (amap_get(&s->amap, acct, out))
        return 0;
    uint64_t n = rows(s, C_ASSET);
    cw_evm_row_asset ar;
    memset(&ar, 0, sizeof ar);
    ar.account = acct;
    ar.first_block = (uint32_t)number;
    ar.kind = kind;
    ar.decimals = 255;
    const cw_evm_row_account *a = row(s, C_ACCT, acct);
    const cw_evm_token *t = find_token(s, a->addr);
    if (t) {
        snprintf(ar.symbol, sizeof ar.symbol, "%s", t->symbol);
        if (t->decimals >= 0 && t->decimals < 255)
            ar.decimals = (uint8_t)t->decimals;
    }
    int rc = cw_column_append(&s->cols[C_ASSET], &ar);
    if (rc)
        return rc;
    *out = (uint32_t)n;
    return amap_put(&s->amap, acct, (uint32_t)n);
}

typedef struct {
    uint64_t tx;
    uint32_t block, pos;
    uint8_t kind, flags;
} move_ctx;

static int move(cw_evmstore *s, const move_ctx *c, uint32_t asset, uint32_t from, uint32_t to,
                const cw_u256 *amount)
{
    uint64_t m = rows(s, C_MOVE);
    cw_evm_row_move mv;
    memset(&mv, 0, sizeof mv);
    mv.tx = c->tx;
    mv.from = from;
    mv.to = to;
    mv.asset = asset;
    mv.block = c->block;
    mv.pos = c->pos;
    mv.kind = c->kind;
    mv.flags = c->flags;
    if (m >= CW_EVM_MOVES_MAX)
        return cw_error_set(CW_EINVAL, "%s: the store holds the most movements it can (%llu)",
                            s->dir, (unsigned long long)CW_EVM_MOVES_MAX);
    int rc;
    if (cw_u256_fits_u64(amount)) {
        mv.amount = amount->w[0];
    } else {
        /* rare: the row points at the exact amount in amounts.col */
        cw_evm_row_wide wr;
        wr.move = m;
        memcpy(wr.amount, amount, 32);
        mv.amount = s->wide.col.rows;
        mv.flags |= CW_EVM_MOVEF_WIDE;
        if ((rc = cw_evm_rowbuf_append(&s->wide.col, &s->wide.wb, &wr)))
            return rc;
    }
    cw_evm_row_movelink ln;
    put48(ln.prev_out, CW_EVM_NONE64);
    put48(ln.prev_in, CW_EVM_NONE64);
    if (s->heads && s->n_heads + 2 > ((size_t)1 << HEADS_BITS) / 2 && (rc = flush_rows(s)))
        return rc;
    /* the heads: held until the rows are in the file (flush_rows), or in place without
     * buffers, strictly after the rows they derive from */
    cw_evm_row_acctlast *hf = NULL, *ht = NULL;
    if (from != CW_EVM_NONE32)
        hf = s->heads ? &head_get(s, from)->h : row(s, C_ACCTLAST, from);
    if (to != CW_EVM_NONE32)
        ht = s->heads ? &head_get(s, to)->h : row(s, C_ACCTLAST, to);
    if (hf)
        put48(ln.prev_out, hf->last_out);
    if (ht)
        put48(ln.prev_in, ht->last_in);
    if ((rc = append_row(s, C_MOVE, &mv, sizeof mv)) ||
        (rc = append_row(s, C_MOVELINK, &ln, sizeof ln)))
        return rc;
    if (!s->heads) {
        /* the mapping may have moved */
        hf = from != CW_EVM_NONE32 ? row(s, C_ACCTLAST, from) : NULL;
        ht = to != CW_EVM_NONE32 ? row(s, C_ACCTLAST, to) : NULL;
    }
    if (hf)
        hf->last_out = m;
    if (ht)
        ht->last_in = m;
    return 0;
}

static const uint8_t TOPIC_TRANSFER[32] = {
    0xdd, 0xf2, 0x52, 0xad, 0x1b, 0xe2, 0xc8, 0x9b, 0x69, 0xc2, 0xb0, 0x68, 0xfc, 0x37, 0x8d, 0xaa,
    0x95, 0x2b, 0xa7, 0xf1, 0x63, 0xc4, 0xa1, 0x16, 0x28, 0xf5, 0x5a, 0x4d, 0xf5, 0x23, 0xb3, 0xef};
static const uint8_t TOPIC_DEPOSIT[32] = {/* Deposit(address indexed dst, uint256 wad) */
                                          0xe1, 0xff, 0xfc, 0xc4, 0x92, 0x3d, 0x04, 0xb5,
                                          0x59, 0xf4, 0xd2, 0x9a, 0x8b, 0xfc, 0x6c, 0xda,
                                          0x04, 0xeb, 0x5b, 0x0d, 0x3c, 0x46, 0x07, 0x51,
                                          0xc2, 0x40, 0x2c, 0x5c, 0x5c, 0xc9, 0x10, 0x9c};
static const uint8_t TOPIC_WITHDRAWAL[32] = {/* Withdrawal(address indexed src, uint256 wad) */
                                             0x7f, 0xcf, 0x53, 0x2c, 0x15, 0xf0, 0xa6, 0xdb,
                                             0x0b, 0xd6, 0xd0, 0xe0, 0x38, 0xbe, 0xa7, 0x1d,
                                             0x30, 0xd8, 0x08, 0xc7, 0xd9, 0x8c, 0xb3, 0xbf,
                                             0x72, 0x68, 0xa9, 0x5b, 0xf5, 0x08, 0x1b, 0x65};
static const uint8_t TOPIC_1155_SINGLE[32] = {/* TransferSingle(op, from, to, id, value) */
                                              0xc3, 0xd5, 0x81, 0x68, 0xc5, 0xae, 0x73, 0x97,
                                              0x73, 0x1d, 0x06, 0x3d, 0x5b, 0xbf, 0x3d, 0x65,
                                              0x78, 0x54, 0x42, 0x73, 0x43, 0xf4, 0xc0, 0x83,
                                              0x24, 0x0f, 0x7a, 0xac, 0xaa, 0x2d, 0x0f, 0x62};
static const uint8_t TOPIC_1155_BATCH[32] = {/* TransferBatch(op, from, to, ids[], values[]) */
                                             0x4a, 0x39, 0xdc, 0x06, 0xd4, 0xc0, 0xdb, 0xc6,
                                             0x4b, 0x70, 0xaf, 0x90, 0xfd, 0x69, 0x8a, 0x23,
                                             0x3a, 0x51, 0x8a, 0xa5, 0xd0, 0x7e, 0x59, 0x5d,
                                             0x98, 0x3c, 0x8c, 0x05, 0x26, 0xc8, 0xf7, 0xfb};

/* an indexed address topic: 12 zero bytes then 20 address bytes */
static bool topic_addr(const cw_evm_hash *t, cw_evm_addr *a)
{
    uint64_t w0;
    uint32_t w1;
    memcpy(&w0, t->b, 8); /* the 12 bytes above the address, zero */
    memcpy(&w1, t->b + 8, 4);
    if (w0 | w1)
        return false;
    memcpy(a->b, t->b + 12, 20);
    return true;
}

static bool is_zero_addr(const cw_evm_addr *a)
{
    static const uint8_t z[20];
    return (memcmp(a->b, z, 20) == 0);
}

/* account id for a token party; the zero address is "nobody" (mint / burn) */
static int party(cw_evmstore *s, const cw_evm_addr *a, uint64_t number, uint32_t *id)
{
    if (is_zero_addr(a)) {
        *id = CW_EVM_NONE32;
        return 0;
    }
    return account(s, a, number, id);
}

/* sum of an ABI uint256[] at byte offset `off` of data; false if malformed */
static bool abi_sum(const uint8_t *d, uint32_t len, uint64_t off, cw_u256 *sum, uint64_t *count)
{
    if (off + 32 > len)
        return false;
    cw_u256 n;
    cw_u256_from_be32(&n, d + off);
    if (!cw_u256_fits_u64(&n) || n.w[0] > (len - off - 32) / 32)
        return false;
    cw_u256_from_u64(sum, 0);
    for (uint64_t i = 0; i < n.w[0]; i++) {
        cw_u256 v;
        cw_u256_from_be32(&v, d + off + 32 + 32 * i);
        if (cw_u256_add(sum, sum, &v))
            return false;
    }
    *count = n.w[0];
    return true;
}

/* ---- stablecoin issuers' actions (issuer.col; docs/STORE-FORMAT.md "Issuers' actions") ---- */

static const uint8_t TOPIC_ADDED_BLACKLIST[32] = {/* AddedBlackList(address) (USDT) */
                                                  0x42, 0xe1, 0x60, 0x15, 0x48, 0x68, 0x08, 0x7d,
                                                  0x6b, 0xfd, 0xc0, 0xca, 0x23, 0xd9, 0x6a, 0x1c,
                                                  0x1c, 0xfa, 0x32, 0xf1, 0xb7, 0x2b, 0xa9, 0xba,
                                                  0x27, 0xb6, 0x9b, 0x98, 0xa0, 0xd8, 0x19, 0xdc};
static const uint8_t TOPIC_REMOVED_BLACKLIST[32] = {/* RemovedBlackList(address) (USDT) */
                                                    0xd7, 0xe9, 0xec, 0x6e, 0x6e, 0xcd, 0x65, 0x49,
                                                    0x2d, 0xce, 0x6b, 0xf5, 0x13, 0xcd, 0x68, 0x67,
                                                    0x56, 0x0d, 0x49, 0x54, 0x44, 0x21, 0xd0, 0x78,
                                                    0x3d, 0xdf, 0x06, 0xe7, 0x6c, 0x24, 0x47, 0x0c};
static const uint8_t TOPIC_DESTROYED[32] = {/* DestroyedBlackFunds(address,uint256) (USDT) */
                                            0x61, 0xe6, 0xe6, 0x6b, 0x0d, 0x63, 0x39, 0xb2,
                                            0x98, 0x0a, 0xec, 0xc6, 0xcc, 0xc0, 0x03, 0x97,
                                            0x36, 0x79, 0x1f, 0x0c, 0xcd, 0xe9, 0xed, 0x51,
                                            0x2e, 0x78, 0x9a, 0x7f, 0xbd, 0xd6, 0x98, 0xc6};
static const uint8_t TOPIC_BLACKLISTED[32] = {/* Blacklisted(address) (USDC) */
                                              0xff, 0xa4, 0xe6, 0x18, 0x17, 0x77, 0x69, 0x25,
                                              0x65, 0xcf, 0x28, 0x52, 0x8f, 0xc8, 0x8f, 0xd1,
                                              0x51, 0x6e, 0xa8, 0x6b, 0x56, 0xda, 0x07, 0x52,
                                              0x35, 0xfa, 0x57, 0x5a, 0xf6, 0xa4, 0xb8, 0x55};
static const uint8_t TOPIC_UNBLACKLISTED[32] = {/* UnBlacklisted(address) (USDC) */
                                                0x11, 0x7e, 0x32, 0x10, 0xbb, 0x9a, 0xa7, 0xd9,
                                                0xba, 0xff, 0x17, 0x20, 0x26, 0x82, 0x02, 0x55,
                                                0xc6, 0xf6, 0xc3, 0x0b, 0xa8, 0x99, 0x9d, 0x1c,
                                                0x2f, 0xd8, 0x8e, 0x28, 0x48, 0x13, 0x7c, 0x4e};

static const uint8_t TOPIC_ISSUE[32] = {/* Issue(uint256) (Tether) */
                                        0xcb, 0x82, 0x41, 0xad, 0xb0, 0xc3, 0xfd, 0xb3,
                                        0x5b, 0x70, 0xc2, 0x4c, 0xe3, 0x5c, 0x5e, 0xb0,
                                        0xc1, 0x7a, 0xf7, 0x43, 0x1c, 0x99, 0xf8, 0x27,
                                        0xd4, 0x4a, 0x44, 0x5c, 0xa6, 0x24, 0x17, 0x6a};
static const uint8_t TOPIC_REDEEM[32] = {/* Redeem(uint256) (Tether) */
                                         0x70, 0x2d, 0x59, 0x67, 0xf4, 0x5f, 0x65, 0x13,
                                         0xa3, 0x8f, 0xfc, 0x42, 0xd6, 0xba, 0x9b, 0xf2,
                                         0x30, 0xbd, 0x40, 0xe8, 0xf5, 0x3b, 0x16, 0x36,
                                         0x3c, 0x7e, 0xb4, 0xfd, 0x2d, 0xeb, 0x9a, 0x44};

/* The user an issuer's event names, as an indexed topic (USDC, some USDT forks) or as the first
 * data word (USDT): a shape of `words` data words after it; false for any other shape. */
static bool issuer_user(const cw_evm_block *b, const cw_evm_log *l, uint32_t words,
                        cw_evm_addr *user, const uint8_t **rest)
{
    const uint8_t *d = b->arena + l->data_off;
    if (l->n_topics == 2 && l->data_len == 32 * words) {
        *rest = d;
        return topic_addr(&l->topics[1], user);
    }
    if (l->n_topics == 1 && l->data_len == 32 * (words + 1)) {
        *rest = d + 32;
        return topic_addr((const cw_evm_hash *)d, user);
    }
    return false;
}

/* A DestroyedBlackFunds whose burn a Transfer(user -> 0x0, amount) of the same contract in the
 * same tx already makes (issuers that emit both): the k-th such destroy in the tx pairs with the
 * k-th such Transfer, so each burn counts once whatever the order of the two logs. */
static bool destroy_paired(const cw_evm_block *b, const cw_evm_tx *t, const cw_evm_log *l,
                           const cw_evm_addr *user, const cw_u256 *amount)
{
    uint32_t transfers = 0, earlier = 0;
    for (uint32_t i = 0; i < t->n_logs; i++) {
        const cw_evm_log *o = &b->logs[t->first_log + i];
        if (memcmp(o->address.b, l->address.b, 20) != 0 || o->n_topics == 0)
            continue;
        const uint8_t *od = b->arena + o->data_off;
        cw_evm_addr f, to, u;
        cw_u256 v;
        const uint8_t *rest;
        if (memcmp(o->topics[0].b, TOPIC_TRANSFER, 32) == 0 && o->n_topics == 3 &&
            o->data_len >= 32 && topic_addr(&o->topics[1], &f) && topic_addr(&o->topics[2], &to) &&
            is_zero_addr(&to) && memcmp(f.b, user->b, 20) == 0) {
            cw_u256_from_be32(&v, od);
            transfers += cw_u256_cmp(&v, amount) == 0;
        } else if (o->log_index < l->log_index &&
                   memcmp(o->topics[0].b, TOPIC_DESTROYED, 32) == 0 &&
                   issuer_user(b, o, 1, &u, &rest) && memcmp(u.b, user->b, 20) == 0) {
            cw_u256_from_be32(&v, rest);
            earlier += cw_u256_cmp(&v, amount) == 0;
        }
    }
    return earlier < transfers;
}

/* What account holds of asset so far (the writer: rows appended and not yet published
 * included), from its two movement chains; false when the store cannot know it (it does not
 * hold the chain from genesis with receipts, logs and traces for every block) */
static int held_so_far(cw_evmstore *s, const cw_evm_block *b, uint32_t acct, uint32_t asset,
                       cw_u256 *bal, bool *known)
{
    counts cur = cur_counts(s);
    *known = s->base == 0 && incomplete_at(s, &cur) == 0 && b->has_receipts && b->has_logs &&
             b->has_traces;
    cw_u256_from_u64(bal, 0);
    if (!*known)
        return 0;
    /* the account's two chains, the assets up to this one (ids are dense) */
    cw_u256 *fl = cw_calloc(2 * ((size_t)asset + 1), sizeof *fl);
    if (!fl)
        return cw_error_set(CW_ENOMEM, "out of memory");
    int rc = cw_evmstore_account_flows(s, acct, UINT64_MAX, fl, fl + asset + 1, asset + 1);
    cw_u256 in = fl[asset], out = fl[2 * (size_t)asset + 1];
    cw_free(fl);
    if (rc)
        return rc;
    if (cw_u256_sub(bal, &in, &out))
        cw_u256_from_u64(bal, 0); /* below zero: a token whose events miss credits */
    return 0;
}

/* The owner of the Tether contract that emitted l, for its Issue / Redeem: the caller of the
 * contract (onlyOwner: msg.sender is the owner). From the tx's traces, the one account that calls
 * the contract in a successful call frame (Tether's owner is a multisig contract, so the call is
 * an internal one); without traces, the tx's sender when the tx calls the contract itself. False
 * when the tx does not tell (no traces and another tx target, or callers that differ). */
static bool tether_owner(const cw_evm_block *b, const cw_evm_tx *t, const cw_evm_log *l,
                         cw_evm_addr *owner)
{
    bool found = false;
    for (uint32_t i = 0; i < t->n_traces; i++) {
        const cw_evm_trace *tr = &b->traces[t->first_trace + i];
        if (tr->type != CW_EVM_TRACE_CALL || tr->call_type != CW_EVM_CALL_CALL || tr->status != 1 ||
            !tr->has_from || !tr->has_to || memcmp(tr->to.b, l->address.b, 20) != 0)
            continue;
        if (found && memcmp(owner->b, tr->from.b, 20) != 0)
            return false; /* two callers: which one issued is not told */
        *owner = tr->from;
        found = true;
    }
    if (found)
        return true;
    if (t->has_to && memcmp(t->to.b, l->address.b, 20) == 0) {
        *owner = t->from;
        return true;
    }
    return false;
}

/* Tether's Issue(amount) / Redeem(amount) from the chain's Tether contract (cw_evm_chain.tether;
 * USDT on Ethereum): issue() adds the amount to the owner's balance and the supply, redeem()
 * takes it from both, and neither emits a Transfer, so without them the balances the store
 * derives for USDT are off by every mint and burn (the owner's goes below zero as soon as it
 * sends what was issued to it). A mint from nobody to the owner, a burn from the owner to
 * nobody, each an erc20 movement at the log, with its issuer.col row (kind ISSUE / REDEEM). Only
 * that contract: TetherToken's copies emit the same events with other meanings (a mint also
 * announced by a Transfer from 0x0, to another account than the owner), which would count twice
 * or credit the wrong account. A Redeem above what the owner holds in a store that knows
 * balances burns what it holds (flag OVER_BALANCE: the owner was probably told wrong); an owner
 * the tx does not tell makes no movement (flag OWNER_UNKNOWN). Returns 0 or an error. */
static int tether_supply(cw_evmstore *s, const cw_evm_block *b, const cw_evm_tx *t,
                         const cw_evm_log *l, uint64_t tx, uint8_t flags)
{
    if (!s->has_tether || memcmp(l->address.b, s->tether.b, 20) != 0 || l->n_topics != 1 ||
        l->data_len != 32)
        return 0; /* not Tether's event */
    bool issue = memcmp(l->topics[0].b, TOPIC_ISSUE, 32) == 0;
    cw_evm_row_issuer ir;
    memset(&ir, 0, sizeof ir);
    ir.tx = tx;
    ir.move = CW_EVM_NONE64;
    ir.block = (uint32_t)b->number;
    ir.log = l->log_index;
    ir.kind = issue ? CW_EVM_ISSUER_ISSUE : CW_EVM_ISSUER_REDEEM;
    ir.flags = (flags & CW_EVM_MOVEF_STATUS_UNKNOWN) ? CW_EVM_ISSUERF_STATUS_UNKNOWN : 0;
    ir.user = CW_EVM_NONE32;
    cw_evm_addr owner;
    int rc = account(s, &l->address, b->number, &ir.token);
    if (rc)
        return rc;
    if (!tether_owner(b, t, l, &owner) || is_zero_addr(&owner))
        ir.flags |= CW_EVM_ISSUERF_OWNER_UNKNOWN;
    else if ((rc = account(s, &owner, b->number, &ir.user)))
        return rc;
    cw_u256 v;
    cw_u256_from_be32(&v, b->arena + l->data_off);
    if (ir.user != CW_EVM_NONE32 && !cw_u256_is_zero(&v)) {
        uint32_t asset;
        if ((rc = asset_of(s, ir.token, CW_EVM_ASSET_KIND_ERC20, b->number, &asset)))
            return rc;
        if (!issue) {
            cw_u256 held;
            bool known;
            if ((rc = held_so_far(s, b, ir.user, asset, &held, &known)))
                return rc;
            if (known && cw_u256_cmp(&v, &held) > 0) {
                v = held;
                ir.flags |= CW_EVM_ISSUERF_OVER_BALANCE;
            }
        }
        if (!cw_u256_is_zero(&v)) {
            move_ctx c = {tx, (uint32_t)b->number, l->log_index, CW_EVM_MOVE_ERC20, flags};
            ir.move = rows(s, C_MOVE);
            if ((rc = issue ? move(s, &c, asset, CW_EVM_NONE32, ir.user, &v)
                            : move(s, &c, asset, ir.user, CW_EVM_NONE32, &v)))
                return rc;
        }
    }
    return cw_column_append(&s->issuer.col, &ir);
}

/* An issuer's freeze, unfreeze or destroy (issuer.col), from the token contract that emitted
 * it, about its own token only: a contract can change no other token's balances. A destroy
 * (USDT's destroyBlackFunds zeroes the balance and emits no Transfer) is a burn of the emitting
 * token from the user, unless a Transfer to 0x0 in the same tx already burns it; in a store that
 * knows balances, an amount above what the user holds there burns what the user holds (flag
 * CW_EVM_ISSUERF_OVER_BALANCE; never an error: anyone can emit the event, and valid chain data
 * must not stop an ingest). Returns 1 when the log is not one of these. */
static int issuer_action(cw_evmstore *s, const cw_evm_block *b, const cw_evm_tx *t,
                         const cw_evm_log *l, uint64_t tx, uint8_t flags)
{
    const uint8_t *t0 = l->topics[0].b, *rest;
    uint8_t kind = 0;
    if (memcmp(t0, TOPIC_ADDED_BLACKLIST, 32) == 0 || memcmp(t0, TOPIC_BLACKLISTED, 32) == 0)
        kind = CW_EVM_ISSUER_FREEZE;
    else if (memcmp(t0, TOPIC_REMOVED_BLACKLIST, 32) == 0 ||
             memcmp(t0, TOPIC_UNBLACKLISTED, 32) == 0)
        kind = CW_EVM_ISSUER_UNFREEZE;
    else if (memcmp(t0, TOPIC_DESTROYED, 32) == 0)
        kind = CW_EVM_ISSUER_DESTROY;
    else if (memcmp(t0, TOPIC_ISSUE, 32) == 0 || memcmp(t0, TOPIC_REDEEM, 32) == 0)
        return tether_supply(s, b, t, l, tx, flags);
    else
        return 1;
    cw_evm_addr user;
    if (!issuer_user(b, l, kind == CW_EVM_ISSUER_DESTROY, &user, &rest) || is_zero_addr(&user))
        return 0; /* another shape: not the issuer's event */
    cw_evm_row_issuer ir;
    memset(&ir, 0, sizeof ir);
    ir.tx = tx;
    ir.move = CW_EVM_NONE64;
    ir.block = (uint32_t)b->number;
    ir.log = l->log_index;
    ir.kind = kind;
    ir.flags = (flags & CW_EVM_MOVEF_STATUS_UNKNOWN) ? CW_EVM_ISSUERF_STATUS_UNKNOWN : 0;
    int rc;
    if ((rc = account(s, &l->address, b->number, &ir.token)) ||
        (rc = account(s, &user, b->number, &ir.user)))
        return rc;
    if (kind == CW_EVM_ISSUER_DESTROY) {
        cw_u256 v;
        cw_u256_from_be32(&v, rest);
        if (!cw_u256_is_zero(&v) && !destroy_paired(b, t, l, &user, &v)) {
            uint32_t asset;
            cw_u256 held;
            bool known;
            if ((rc = asset_of(s, ir.token, CW_EVM_ASSET_KIND_ERC20, b->number, &asset)) ||
                (rc = held_so_far(s, b, ir.user, asset, &held, &known)))
                return rc;
            if (known && cw_u256_cmp(&v, &held) > 0) {
                /* more than the user holds: never an error (anyone can deploy a contract that
                 * emits this event, and valid chain data must never stop an ingest); the burn
                 * is what the user holds (destroyBlackFunds zeroes the balance), flagged */
                v = held;
                ir.flags |= CW_EVM_ISSUERF_OVER_BALANCE;
            }
            if (!cw_u256_is_zero(&v)) {
                move_ctx c = {tx, (uint32_t)b->number, l->log_index, CW_EVM_MOVE_ERC20, flags};
                ir.move = rows(s, C_MOVE);
                if ((rc = move(s, &c, asset, ir.user, CW_EVM_NONE32, &v)))
                    return rc;
            }
        }
    }
    return cw_column_append(&s->issuer.col, &ir);
}

static int log_moves(cw_evmstore *s, const cw_evm_block *b, const cw_evm_tx *tx_in,
                     const cw_evm_log *l, uint64_t tx, uint8_t flags)
{
    const uint8_t *d = b->arena + l->data_off;
    move_ctx c = {tx, (uint32_t)b->number, l->log_index, 0, flags};
    cw_evm_addr from, to;
    uint32_t tok, asset, f, t;
    int rc;
    if (l->n_topics == 0)
        return 0;
    const uint8_t *t0 = l->topics[0].b;
    cw_u256 v;
    if ((memcmp(t0, TOPIC_TRANSFER, 32) == 0) && l->n_topics == 3 && l->data_len >= 32) {
        if (!topic_addr(&l->topics[1], &from) || !topic_addr(&l->topics[2], &to))
            return 0;
        cw_u256_from_be32(&v, d);
        c.kind = CW_EVM_MOVE_ERC20;
        if ((rc = account(s, &l->address, b->number, &tok)) ||
            (rc = asset_of(s, tok, CW_EVM_ASSET_KIND_ERC20, b->number, &asset)) ||
            (rc = party(s, &from, b->number, &f)) || (rc = party(s, &to, b->number, &t)))
            return rc;
        return move(s, &c, asset, f, t, &v);
    }
    if ((memcmp(t0, TOPIC_TRANSFER, 32) == 0) && l->n_topics == 4 && l->data_len == 0) {
        if (!topic_addr(&l->topics[1], &from) || !topic_addr(&l->topics[2], &to))
            return 0;
        cw_u256_from_u64(&v, 1);
        c.kind = CW_EVM_MOVE_ERC721;
        c.flags |= CW_EVM_MOVEF_COUNT_ONLY;
        if ((rc = account(s, &l->address, b->number, &tok)) ||
            (rc = asset_of(s, tok, CW_EVM_ASSET_KIND_ERC721, b->number, &asset)) ||
            (rc = party(s, &from, b->number, &f)) || (rc = party(s, &to, b->number, &t)))
            return rc;
        return move(s, &c, asset, f, t, &v);
    }
    bool dep = (memcmp(t0, TOPIC_DEPOSIT, 32) == 0), wd = (memcmp(t0, TOPIC_WITHDRAWAL, 32) == 0);
    if ((dep || wd) && l->n_topics == 2 && l->data_len == 32 && s->has_wrapped &&
        (memcmp(l->address.b, s->wrapped.b, 20) == 0)) {
        cw_evm_addr who;
        if (!topic_addr(&l->topics[1], &who))
            return 0;
        cw_u256_from_be32(&v, d);
        c.kind = dep ? CW_EVM_MOVE_WRAP : CW_EVM_MOVE_UNWRAP;
        uint32_t w;
        if ((rc = account(s, &l->address, b->number, &tok)) ||
            (rc = asset_of(s, tok, CW_EVM_ASSET_KIND_ERC20, b->number, &asset)) ||
            (rc = account(s, &who, b->number, &w)))
            return rc;
        return dep ? move(s, &c, asset, CW_EVM_NONE32, w, &v)
                   : move(s, &c, asset, w, CW_EVM_NONE32, &v);
    }
    bool single = (memcmp(t0, TOPIC_1155_SINGLE, 32) == 0),
         batch = (memcmp(t0, TOPIC_1155_BATCH, 32) == 0);
    if ((single || batch) && l->n_topics == 4) {
        if (!topic_addr(&l->topics[2], &from) || !topic_addr(&l->topics[3], &to))
            return 0;
        if (single) {
            if (l->data_len != 64)
                return 0;
            cw_u256_from_be32(&v, d + 32);
        } else {
            /* data: offset(ids), offset(values), ..., values[] */
            if (l->data_len < 64)
                return 0;
            cw_u256 off;
            cw_u256_from_be32(&off, d + 32);
            uint64_t n;
            if (!cw_u256_fits_u64(&off) || !abi_sum(d, l->data_len, off.w[0], &v, &n))
                return 0;
        }
        c.kind = CW_EVM_MOVE_ERC1155;
        c.flags |= CW_EVM_MOVEF_COUNT_ONLY;
        if ((rc = account(s, &l->address, b->number, &tok)) ||
            (rc = asset_of(s, tok, CW_EVM_ASSET_KIND_ERC1155, b->number, &asset)) ||
            (rc = party(s, &from, b->number, &f)) || (rc = party(s, &to, b->number, &t)))
            return rc;
        return move(s, &c, asset, f, t, &v);
    }
    rc = issuer_action(s, b, tx_in, l, tx, flags);
    return rc == 1 ? 0 : rc;
}

static int tx_moves(cw_evmstore *s, const cw_evm_block *b, const cw_evm_tx *t, uint64_t txn,
                    uint32_t miner, uint32_t from, uint32_t to)
{
    int rc;
    move_ctx c = {txn, (uint32_t)b->number, 0, 0, 0};
    if (t->status == CW_EVM_STATUS_UNKNOWN)
        c.flags = CW_EVM_MOVEF_STATUS_UNKNOWN;
    /* fees: gas used x effective price, the base fee part burnt, the rest to the miner */
    if (t->has_receipt && t->gas_used) {
        cw_u256 tip_price = t->effective_gas_price;
        if (b->has_base_fee) {
            cw_u256 burnt;
            if (cw_u256_sub(&tip_price, &t->effective_gas_price, &b->base_fee))
                return cw_error_set(CW_ECORRUPT,
                                    "block %llu tx %u: effective gas price below the base fee",
                                    (unsigned long long)b->number, t->index);
            if (cw_u256_mul_u64(&burnt, &b->base_fee, t->gas_used))
                return cw_error_set(CW_ECORRUPT, "block %llu tx %u: fee overflows 256 bits",
                                    (unsigned long long)b->number, t->index);
            c.kind = CW_EVM_MOVE_FEE_BURNT;
            c.flags = 0;
            if (!cw_u256_is_zero(&burnt) &&
                (rc = move(s, &c, CW_EVM_ASSET_NATIVE, from, CW_EVM_NONE32, &burnt)))
                return rc;
        }
        cw_u256 tip;
        if (cw_u256_mul_u64(&tip, &tip_price, t->gas_used))
            return cw_error_set(CW_ECORRUPT, "block %llu tx %u: fee overflows 256 bits",
                                (unsigned long long)b->number, t->index);
        c.kind = CW_EVM_MOVE_FEE_TIP;
        c.flags = 0;
        if (!cw_u256_is_zero(&tip) && (rc = move(s, &c, CW_EVM_ASSET_NATIVE, from, miner, &tip)))
            return rc;
    }
    /* EIP-4844: the blob fee, blob gas x blob gas price, charged whatever the status and burnt
     * whole: a fee_burnt at position 1 */
    if (t->has_receipt && t->blob_gas_used) {
        cw_u256 blob;
        if (cw_u256_mul_u64(&blob, &t->blob_gas_price, t->blob_gas_used))
            return cw_error_set(CW_ECORRUPT, "block %llu tx %u: blob fee overflows 256 bits",
                                (unsigned long long)b->number, t->index);
        c.kind = CW_EVM_MOVE_FEE_BURNT;
        c.flags = 0;
        c.pos = 1;
        if (!cw_u256_is_zero(&blob) &&
            (rc = move(s, &c, CW_EVM_ASSET_NATIVE, from, CW_EVM_NONE32, &blob)))
            return rc;
        c.pos = 0;
    }
    if (t->status == CW_EVM_STATUS_FAILED)
        return 0;
    c.flags = t->status == CW_EVM_STATUS_UNKNOWN ? CW_EVM_MOVEF_STATUS_UNKNOWN : 0;
    if (!cw_u256_is_zero(&t->value) && to != CW_EVM_NONE32) {
        c.kind = CW_EVM_MOVE_TX;
        c.pos = 0;
        if ((rc = move(s, &c, CW_EVM_ASSET_NATIVE, from, to, &t->value)))
            return rc;
    }
    /* internal transfers */
    for (uint32_t i = 0; i < t->n_traces; i++) {
        const cw_evm_trace *tr = &b->traces[t->first_trace + i];
        if (!tr->status)
            continue;
        uint32_t tf, tt;
        c.pos = i;
        if (tr->type == CW_EVM_TRACE_CREATE && tr->has_to) {
            if ((rc = account(s, &tr->to, b->number, &tt)))
                return rc;
            if ((tr->ta_len > 0 || !t->has_contract) && (rc = mark_contract(s, tt, b->number, txn)))
                return rc;
        }
        if (tr->ta_len == 0 || cw_u256_is_zero(&tr->value) || !tr->has_from || !tr->has_to)
            continue;
        if (tr->type == CW_EVM_TRACE_CALL && tr->call_type != CW_EVM_CALL_CALL)
            continue; /* delegatecall/staticcall move nothing; callcode pays itself */
        if (tr->type == CW_EVM_TRACE_CALL || tr->type == CW_EVM_TRACE_CREATE)
            c.kind = CW_EVM_MOVE_INTERNAL;
        else if (tr->type == CW_EVM_TRACE_SUICIDE)
            c.kind = CW_EVM_MOVE_SELFDESTRUCT;
        else
            continue;
        if ((rc = account(s, &tr->from, b->number, &tf)) ||
            (rc = account(s, &tr->to, b->number, &tt)))
            return rc;
        if ((rc = move(s, &c, CW_EVM_ASSET_NATIVE, tf, tt, &tr->value)))
            return rc;
    }
    for (uint32_t i = 0; i < t->n_logs; i++) {
        if ((rc = log_moves(s, b, t, &b->logs[t->first_log + i], txn, c.flags)))
            return rc;
    }
    return 0;
}

static void warm_add(cw_evmstore *s, const uint8_t *a)
{
    s->warm[s->n_warm++] = a;
    __builtin_prefetch(&s->acache[acache_set(a)]);
}

/* Two prefetch waves over the addresses the block's movements will name (senders, receivers,
 * token contracts and parties, internal calls): first their address-cache entries, then, for
 * the addresses the cache holds, the heads-overlay slot and the acctlast.col row of the id (for
 * the cache's misses, the only addresses whose index hash is computed: their addr.hix home
 * slot). Reads only: ids are still given out in walk order by account() below, which then finds
 * these lines loading or loaded. */
static int warm_block(cw_evmstore *s, const cw_evm_block *b)
{
    if (!s->acache || !s->heads)
        return 0;
    size_t need = 1 + 2 * b->n_txs + 3 * b->n_logs + 2 * b->n_traces;
    if (cw_grow(&s->warm, &s->cap_warm, need, sizeof *s->warm, need * 2))
        return -1;
    s->n_warm = 0;
    warm_add(s, b->miner.b);
    for (size_t i = 0; i < b->n_txs; i++) {
        warm_add(s, b->txs[i].from.b);
        if (b->txs[i].has_to)
            warm_add(s, b->txs[i].to.b);
    }
    for (size_t i = 0; i < b->n_logs; i++) {
        const cw_evm_log *l = &b->logs[i];
        if (l->n_topics < 3 || (memcmp(l->topics[0].b, TOPIC_TRANSFER, 32) != 0))
            continue;
        warm_add(s, l->address.b);
        warm_add(s, l->topics[1].b + 12);
        warm_add(s, l->topics[2].b + 12);
    }
    for (size_t i = 0; i < b->n_traces; i++) {
        const cw_evm_trace *t = &b->traces[i];
        if (!t->status || t->ta_len == 0 || cw_u256_is_zero(&t->value))
            continue;
        if (t->has_from)
            warm_add(s, t->from.b);
        if (t->has_to)
            warm_add(s, t->to.b);
    }
    const uint64_t n_acct = rows(s, C_ACCT);
    for (size_t i = 0; i < s->n_warm; i++) {
        const acache_ent *set = &s->acache[acache_set(s->warm[i])], *ce = NULL;
        for (int w = 0; w < 2 && !ce; w++)
            if (set[w].id1 && (memcmp(set[w].addr, s->warm[i], 20) == 0))
                ce = &set[w];
        if (ce && ce->id1 - 1 < n_acct) {
            __builtin_prefetch(&s->heads[head_home(ce->id1 - 1)]);
            __builtin_prefetch(cw_column_row(&s->cols[C_ACCTLAST], ce->id1 - 1));
        } else {
            cw_hashidx_prefetch(&s->addridx, addr_h64(s->warm[i]));
        }
    }
    return 0;
}

int cw_evmstore_append(cw_evmstore *s, const cw_evm_block *b)
{
    if (!s->writable)
        return cw_error_set(CW_EPERM, "%s: store opened read-only", s->dir);
    int mrc = mark_open(s); /* before the block's first in-place write */
    if (mrc)
        return mrc;
    uint64_t nb = rows(s, C_BLOCK);
    if (nb) {
        uint64_t tip = s->base + nb - 1;
        if (b->number != tip + 1)
            return cw_error_set(CW_EINVAL, "block %llu does not follow the store's tip %llu (%s)",
                                (unsigned long long)b->number, (unsigned long long)tip,
                                b->number > tip + 1 ? "a gap: blocks are missing"
                                                    : "already in the store");
        const cw_evm_row_block *tb = s->has_tip ? &s->tip : row(s, C_BLOCK, nb - 1);
        if ((memcmp(tb->hash, b->parent_hash.b, 32) != 0)) {
            char h[67], p[67];
            cw_evm_hash_hex(p, &b->parent_hash);
            cw_evm_hash_hex(h, (const cw_evm_hash *)tb->hash);
            return cw_error_set(CW_ECORRUPT,
                                "block %llu: parent hash %s is not the hash of block %llu in "
                                "the store (%s): a reorg",
                                (unsigned long long)b->number, p, (unsigned long long)tip, h);
        }
    } else {
        if (b->number > 0xfffffff0u)
            return cw_error_set(CW_EINVAL, "block number %llu too large",
                                (unsigned long long)b->number);
        s->base = b->number;
    }
    if (b->number > 0xfffffff0u)
        return cw_error_set(CW_EINVAL, "block number %llu too large",
                            (unsigned long long)b->number);
    for (size_t i = 0; i < b->n_tokens; i++) {
        if (!find_token(s, b->tokens[i].address.b)) {
            int rc = cw_evmstore_add_token(s, &b->tokens[i]);
            if (rc)
                return rc;
        }
    }
    counts before = cur_counts(s);
    uint64_t memos_before = s->memos.col.rows, wide_before = s->wide.col.rows,
             txwide_before = s->txwide.col.rows, issuer_before = s->issuer.col.rows;
    int rc;
    /* a tx's index entry, inserted before its rows: the undo below finds entries by their rows,
     * so until the rows are in, a failure removes this one itself */
    bool tx_pending = false;
    uint64_t pending_h64 = 0;
    uint32_t pending_tx = 0;
    /* room for the block, so that pointers into the columns stay valid below */
    size_t est_moves = 4 * b->n_txs + b->n_logs + b->n_traces + b->n_withdrawals + 4;
    size_t est_accts = 3 * b->n_txs + 2 * b->n_logs + 2 * b->n_traces + b->n_withdrawals + 1;
    if ((rc = reserve(s, C_BLOCK, 1)) || (rc = reserve(s, C_TX, b->n_txs)) ||
        (rc = reserve(s, C_TXHASH, b->n_txs)) || (rc = reserve(s, C_MOVE, est_moves)) ||
        (rc = reserve(s, C_MOVELINK, est_moves)) || (rc = reserve(s, C_ACCT, est_accts)) ||
        (rc = reserve(s, C_ACCTLAST, est_accts)))
        goto fail;
    if (rows(s, C_ASSET) == 0) {
        /* asset 0: the chain's native coin */
        cw_evm_row_asset na;
        memset(&na, 0, sizeof na);
        na.account = CW_EVM_NONE32;
        na.first_block = (uint32_t)b->number;
        na.kind = CW_EVM_ASSET_KIND_NATIVE;
        na.decimals = 18;
        snprintf(na.symbol, sizeof na.symbol, "%s", s->chain->symbol);
        if ((rc = cw_column_append(&s->cols[C_ASSET], &na)))
            goto fail;
    }
    /* start the block's index and cache lines loading: the lookups below then overlap
     * instead of waiting for memory one after another */
    for (size_t i = 0; i < b->n_txs; i++)
        cw_hashidx_prefetch(&s->txidx, txhash_h64(b->txs[i].hash.b));
    if ((rc = warm_block(s, b)))
        goto fail;
    uint32_t miner;
    if ((rc = account(s, &b->miner, b->number, &miner)))
        goto fail;
    for (size_t i = 0; i < b->n_txs; i++) {
        const cw_evm_tx *t = &b->txs[i];
        uint64_t txn = rows(s, C_TX);
        /* found, or inserted for txn (its rows are appended below; a failure undoes the
         * block, index entries included) */
        uint32_t dup;
        uint64_t th = txhash_h64(t->hash.b);
        if ((rc = cw_hashidx_find_or_insert(&s->txidx, th, t->hash.b, (uint32_t)txn, txhash_eq, s,
                                            &dup)))
            goto fail;
        tx_pending = dup == (uint32_t)txn;
        pending_h64 = th;
        pending_tx = (uint32_t)txn;
        if (dup != (uint32_t)txn) {
            char h[67];
            cw_evm_hash_hex(h, &t->hash);
            rc = cw_error_set(CW_ECORRUPT, "block %llu: transaction %s is already in the store",
                              (unsigned long long)b->number, h);
            goto fail;
        }
        cw_evm_row_tx tr;
        memset(&tr, 0, sizeof tr);
        bool wide_tx = false;
        uint32_t from, to = CW_EVM_NONE32, created = CW_EVM_NONE32;
        if ((rc = account(s, &t->from, b->number, &from)))
            goto fail;
        if (t->has_to && (rc = account(s, &t->to, b->number, &to)))
            goto fail;
        if (t->has_contract && (rc = account(s, &t->contract, b->number, &created)))
            goto fail;
        if (cw_u256_fits_u64(&t->value) && cw_u256_fits_u64(&t->effective_gas_price)) {
            tr.value = t->value.w[0];
            tr.gas_price = t->effective_gas_price.w[0];
        } else {
            /* rare: both in txamounts.col, the row points there */
            cw_evm_row_txwide tw;
            tw.tx = txn;
            memcpy(tw.value, &t->value, 32);
            memcpy(tw.gas_price, &t->effective_gas_price, 32);
            tr.value = s->txwide.col.rows;
            tr.gas_price = 0;
            wide_tx = true;
            if ((rc = cw_evm_rowbuf_append(&s->txwide.col, &s->txwide.wb, &tw)))
                goto fail;
        }
        tr.gas = t->gas;
        tr.gas_used = t->gas_used;
        tr.nonce = t->nonce;
        tr.first_move = rows(s, C_MOVE);
        tr.block = (uint32_t)b->number;
        tr.index = t->index;
        tr.from = from;
        tr.to = to;
        tr.created = created;
        tr.n_logs = t->n_logs;
        memcpy(tr.selector, t->selector, 4);
        tr.status = t->status;
        tr.type = t->type;
        tr.flags = (t->has_receipt ? CW_EVM_TXF_RECEIPT : 0) | (wide_tx ? CW_EVM_TXF_WIDE : 0);
        if ((rc = append_row(s, C_TX, &tr, sizeof tr)) ||
            (rc = append_row(s, C_TXHASH, t->hash.b, sizeof t->hash.b)))
            goto fail;
        tx_pending = false;
        if (created != CW_EVM_NONE32 && t->status != CW_EVM_STATUS_FAILED &&
            (rc = mark_contract(s, created, b->number, txn)))
            goto fail;
        /* a creation's value goes to the new contract */
        uint32_t vto = to != CW_EVM_NONE32 ? to : created;
        if ((rc = tx_moves(s, b, t, txn, miner, from, vto)) ||
            (rc = cw_evm_memotab_add_tx(&s->memos, b, t, txn, to, memo_emitter, s)))
            goto fail;
    }
    /* block-level: rewards, genesis allocations, the DAO fork, then withdrawals */
    for (size_t i = 0; i < b->n_traces; i++) {
        const cw_evm_trace *tr = &b->traces[i];
        if (tr->tx_index != UINT32_MAX || !tr->status || !tr->has_to || cw_u256_is_zero(&tr->value))
            continue;
        move_ctx c = {CW_EVM_NONE64, (uint32_t)b->number, (uint32_t)i, CW_EVM_MOVE_REWARD, 0};
        uint32_t f = CW_EVM_NONE32, t;
        if (tr->type == CW_EVM_TRACE_DAOFORK) {
            if (!tr->has_from)
                continue;
            c.kind = CW_EVM_MOVE_INTERNAL;
            if ((rc = account(s, &tr->from, b->number, &f)))
                goto fail;
        }
        if ((rc = account(s, &tr->to, b->number, &t)) ||
            (rc = move(s, &c, CW_EVM_ASSET_NATIVE, f, t, &tr->value)))
            goto fail;
    }
    for (size_t i = 0; i < b->n_withdrawals; i++) {
        const cw_evm_withdrawal *w = &b->withdrawals[i];
        move_ctx c = {CW_EVM_NONE64, (uint32_t)b->number, (uint32_t)i, CW_EVM_MOVE_WITHDRAWAL, 0};
        uint32_t t;
        cw_u256 v;
        cw_u256_from_u64(&v, w->amount_gwei);
        cw_u256_mul_u64(&v, &v, 1000000000u);
        if (cw_u256_is_zero(&v))
            continue;
        if ((rc = account(s, &w->address, b->number, &t)) ||
            (rc = move(s, &c, CW_EVM_ASSET_NATIVE, CW_EVM_NONE32, t, &v)))
            goto fail;
    }
    cw_evm_row_block br;
    memset(&br, 0, sizeof br);
    memcpy(br.hash, b->hash.b, 32);
    memcpy(br.parent, b->parent_hash.b, 32);
    memcpy(br.base_fee, &b->base_fee, 32);
    br.number = b->number;
    br.timestamp = b->timestamp;
    br.gas_used = b->gas_used;
    br.gas_limit = b->gas_limit;
    br.first_tx = before.txs;
    br.first_move = before.moves;
    br.first_create = before.creates;
    br.miner = miner;
    br.n_tx = (uint32_t)b->n_txs;
    br.first_account = (uint32_t)before.accounts;
    br.first_asset = (uint32_t)before.assets;
    br.n_withdrawals = (uint32_t)b->n_withdrawals;
    br.flags = (b->has_base_fee ? CW_EVM_BLOCKF_BASE_FEE : 0) |
               (b->has_receipts ? CW_EVM_BLOCKF_RECEIPTS : 0) |
               (b->has_logs ? CW_EVM_BLOCKF_LOGS : 0) | (b->has_traces ? CW_EVM_BLOCKF_TRACES : 0);
    if ((rc = append_row(s, C_BLOCK, &br, sizeof br)))
        goto fail;
    if ((s->wb[C_MOVE].n >= WB_FLUSH_MOVES || s->wb[C_TX].n >= WB_FLUSH_MOVES ||
         s->wb[C_BLOCK].n >= WB_FLUSH_MOVES) &&
        (rc = flush_rows(s)))
        goto fail;
    s->tip = br;
    s->has_tip = true;
    if (rows(s, C_BLOCK) % 16 == 0)
        crash_point(s); /* in-place effects applied, not yet committed */
    return 0;
fail : {
    /* leave the store as it was before this block */
    counts cur = cur_counts(s);
    int saved = cw_error_code();
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", cw_error_last());
    s->memos.col.rows = memos_before;
    s->wide.col.rows = wide_before;
    s->txwide.col.rows = txwide_before;
    s->issuer.col.rows = issuer_before;
    if (tx_pending)
        (void)cw_hashidx_delete(&s->txidx, pending_h64, pending_tx);
    if (!undo_inplace(s, &cur, &before, false)) {
        if (!before.blocks)
            s->base = 0;
    }
    cw_error_set(saved ? saved : rc, "%s", msg);
}
    return rc;
}

/* The syncs of a commit's columns, shared out among a few threads (sync_job): each sync mostly
 * sleeps (the disk's writes, then its cache flush), and run one after another the flushes queue
 * behind each other; in parallel, and beside the indexes' syncs on the committing thread, they
 * overlap. Durability is unchanged: every file is synced, each in full, before MANIFEST. */
#define SYNC_THREADS 3
typedef struct {
    cw_column *col[2][N_COLS + 4]; /* [0] first, then [1] */
    uint64_t lo[2][N_COLS + 4];
    int n[2];
    cw_column *wcol[N_COLS + 4]; /* phase 0's files, their writeback started before its syncs */
    uint64_t wlo[N_COLS + 4];
    int n_start;
    atomic_int next[2], snext;
    atomic_int rc; /* the first failure's code, 0 while none */
    pthread_mutex_t mu;
    pthread_cond_t cv;      /* done0 reached n_first, or a failure */
    bool first[N_COLS + 4]; /* phase 0's columns that phase 1's point at */
    int n_first, done0;     /* how many; how many of them have returned (under mu) */
    unsigned slow_ms;       /* test builds: CW_TEST_SLOW_FIRST_SYNC_MS, moves.col's delay */
    char msg[1024]; /* its message (the error state is per thread) */
} sync_job;

/* Starts the writeback of rows [from, to) of a column (a hint, as cw_column_writeback: the
 * commit's msync still writes and waits for everything, so durability is the sync's alone). */
static void start_writeback(const cw_column *c, uint64_t from, uint64_t to)
{
    if (!c->writable || c->fd < 0 || to <= from)
        return;
    size_t start = (CW_COLUMN_HEADER + (size_t)from * c->width) & ~(size_t)4095;
    size_t end = CW_COLUMN_HEADER + (size_t)to * c->width;
    (void)sync_file_range(c->fd, (off_t)start, (off_t)(end - start), SYNC_FILE_RANGE_WRITE);
}

/* starts the writeback of the job's files not yet taken by another thread */
static void sync_job_starts(sync_job *j)
{
    for (int i; (i = atomic_fetch_add(&j->snext, 1)) < j->n_start;)
        start_writeback(j->wcol[i], j->wlo[i], j->wcol[i]->rows);
}

/* Syncs phase 0's columns, then, once those that phase 1's point at have returned (on every
 * worker: moves, movelink and creates, which the recovery walks), phase 1's, beside the rest of
 * phase 0 and the indexes' syncs on the committing thread (no head points into those). */
static void *sync_worker(void *arg)
{
    sync_job *j = arg;
    sync_job_starts(j);
    for (int p = 0; p < 2; p++) {
        for (int i; (i = atomic_fetch_add(&j->next[p], 1)) < j->n[p] && !atomic_load(&j->rc);) {
            if (p == 0 && i == 0 && j->slow_ms) { /* tests only (0 otherwise) */
                struct timespec d = {j->slow_ms / 1000, (long)(j->slow_ms % 1000) * 1000000L};
                (void)nanosleep(&d, NULL);
            }
            int rc = cw_column_sync(j->col[p][i], j->lo[p][i], j->col[p][i]->rows);
            pthread_mutex_lock(&j->mu);
            if (rc && !atomic_load(&j->rc)) {
                snprintf(j->msg, sizeof j->msg, "%s", cw_error_last());
                atomic_store(&j->rc, cw_error_code() ? cw_error_code() : rc);
            }
            if ((p == 0 && j->first[i] && ++j->done0 == j->n_first) || rc)
                pthread_cond_broadcast(&j->cv);
            pthread_mutex_unlock(&j->mu);
        }
        pthread_mutex_lock(&j->mu);
        while (p == 0 && j->done0 < j->n_first && !atomic_load(&j->rc))
            pthread_cond_wait(&j->cv, &j->mu);
        pthread_mutex_unlock(&j->mu);
    }
    return NULL;
}

/* A second-phase column (the heads) gets no early start: a start hands its dirty pages to the
 * disk at once, and on a power loss they could reach it before the rows they point at (which
 * phase 0 syncs, `first` among them). Its own sync in phase 1 writes it, after theirs. */
static void sync_job_add(sync_job *j, cw_column *c, uint64_t lo, bool second, bool first)
{
    if (!second) {
        j->first[j->n[0]] = first;
        j->n_first += first;
        j->wcol[j->n_start] = c;
        j->wlo[j->n_start++] = lo;
    }
    int p = second ? 1 : 0;
    j->col[p][j->n[p]] = c;
    j->lo[p][j->n[p]++] = lo;
}

/* starts the workers on the job; the number started (0: it ran here) */
static int sync_job_start(sync_job *j, pthread_t th[SYNC_THREADS])
{
    int started = 0;
    while (started < SYNC_THREADS && !pthread_create(&th[started], NULL, sync_worker, j))
        started++;
    if (!started)
        sync_worker(j); /* no thread to be had: the columns here, in turn */
    return started;
}

/* waits for the workers; the first failure's code, 0 if none */
static int sync_job_finish(sync_job *j, pthread_t th[SYNC_THREADS], int started)
{
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    return atomic_load(&j->rc);
}

bool cw_evmstore_synthetic(const cw_evmstore *s)
{
    return s->synthetic;
}

int cw_evmstore_mark_synthetic(cw_evmstore *s)
{
    if (!s->writable)
        return cw_error_set(CW_EINVAL, "%s: opened read-only", s->dir);
    if (s->synthetic)
        return 0;
    /* published at once with the published counts: rows appended later are never seen in a
     * store that does not yet say it is generated */
    s->synthetic = true;
    int rc = write_counts(s, &s->pub);
    if (rc)
        s->synthetic = false;
    return rc;
}

int cw_evmstore_commit(cw_evmstore *s)
{
    int rc;
    counts to = cur_counts(s), from = s->pub;
    if ((memcmp(&to, &from, sizeof to) == 0))
        return 0;
    if ((rc = flush_rows(s)))
        return rc;
    crash_point(s);
    const uint64_t lo[N_COLS] = {from.blocks, from.txs, from.txs,    from.moves,  from.moves,
                                 0,           0,        from.assets, from.creates};
    /* the appended rows first, then the in-place accounts and heads that point at them, as the
     * order of the syncs always was; the indexes here meanwhile (their crash points are this
     * thread's; no head points into them) */
    sync_job j = {.n_first = 0};
#ifdef CW_TEST_HOOKS
    /* Test hook, compiled only into test builds (the asan and tsan presets): the sync of
     * moves.col (the job list's first) waits so long first, while the other workers run out of
     * phase-0 columns, so that a head synced too early shows (cli/evm_commit_order) */
    const char *slow = getenv("CW_TEST_SLOW_FIRST_SYNC_MS");
    j.slow_ms = slow ? (unsigned)strtoul(slow, NULL, 10) % 10000 : 0;
#endif
    atomic_init(&j.next[0], 0);
    atomic_init(&j.next[1], 0);
    atomic_init(&j.snext, 0);
    atomic_init(&j.rc, 0);
    pthread_mutex_init(&j.mu, NULL);
    pthread_cond_init(&j.cv, NULL);
    /* the rows the heads point at first in the list, so that the workers take them first */
    static const int order[N_COLS] = {C_MOVE,   C_MOVELINK, C_CREATE, C_BLOCK,   C_TX,
                                      C_TXHASH, C_ASSET,    C_ACCT,   C_ACCTLAST};
    for (int k = 0; k < N_COLS; k++) {
        int i = order[k];
        sync_job_add(&j, &s->cols[i], lo[i], i == C_ACCT || i == C_ACCTLAST,
                     i == C_MOVE || i == C_MOVELINK || i == C_CREATE);
    }
    sync_job_add(&j, &s->memos.col, s->memos.pub, false, false);
    sync_job_add(&j, &s->wide.col, s->wide.pub, false, false);
    sync_job_add(&j, &s->txwide.col, s->txwide.pub, false, false);
    sync_job_add(&j, &s->issuer.col, s->issuer.pub, false, false);
    /* every file's writes started before a sync waits for them: the disk gets them all at once
     * instead of one file's at each sync in turn, and each sync mostly waits for writes in
     * flight. The starts are shared out among the workers and this thread: a start allocates
     * its file's blocks and write-protects its mapped pages (on the 1M world 19-47 ms for each
     * mapped column, 0.22 s for all of them one after another, most of the final commit) */
    pthread_t th[SYNC_THREADS];
    int started = sync_job_start(&j, th);
    sync_job_starts(&j);
    cw_hashidx_set_count(&s->txidx, s->txidx.count);
    cw_hashidx_set_count(&s->addridx, s->addridx.count);
    if (!(rc = cw_hashidx_sync(&s->txidx)))
        rc = cw_hashidx_sync(&s->addridx);
    int jrc = sync_job_finish(&j, th, started);
    pthread_cond_destroy(&j.cv);
    pthread_mutex_destroy(&j.mu);
    if (rc)
        return rc;
    if (jrc)
        return cw_error_set(jrc, "%s", j.msg);
    crash_point(s);
    uint64_t inc = incomplete_at(s, &to);
    if ((rc = write_counts(s, &to)))
        return rc;
    s->pub = to;
    s->incomplete = inc;
    s->memos.pub = s->memos.col.rows;
    s->wide.pub = s->wide.col.rows;
    s->txwide.pub = s->txwide.col.rows;
    s->issuer.pub = s->issuer.col.rows;
    crash_point(s);
    return 0;
}

int cw_evmstore_rollback(cw_evmstore *s, int64_t number)
{
    int rc;
    counts cur = cur_counts(s);
    if ((rc = mark_open(s)) || (rc = undo_inplace(s, &cur, &s->pub, false)))
        return rc;
    s->memos.col.rows = s->memos.pub;
    s->wide.col.rows = s->wide.pub;
    s->txwide.col.rows = s->txwide.pub;
    s->issuer.col.rows = s->issuer.pub;
    if (!s->pub.blocks || number >= (int64_t)(s->base + s->pub.blocks - 1))
        return 0;
    uint64_t keep = number < (int64_t)s->base ? 0 : (uint64_t)(number - (int64_t)s->base) + 1;
    const cw_evm_row_block *g = row(s, C_BLOCK, keep);
    counts from = s->pub, to = {keep,           g->first_tx,    g->first_move, g->first_account,
                                g->first_asset, g->first_create};
    /* Readers that publish the dropped rows see the generation move (odd, then even) before
     * any of those rows changes: their answers say "reopen" instead of mixing the forks. */
    char lpath[PATH_MAX];
    path_of(lpath, sizeof lpath, s, "LOCK");
    if ((rc = cw_store_gen_bump(s->lock_fd, lpath)))
        return rc;
    crash_point(s);
    uint64_t inc = incomplete_at(s, &to);
    if ((rc = write_counts(s, &to)))
        return rc;
    crash_point(s);
    if ((rc = cw_store_gen_bump(s->lock_fd, lpath)))
        return rc;
    s->pub = to;
    s->incomplete = inc;
    s->memos.pub = s->memos.col.rows = cw_evm_memotab_rows_below(&s->memos, to.txs);
    s->wide.pub = s->wide.col.rows = side_below(&s->wide, to.moves);
    s->txwide.pub = s->txwide.col.rows = side_below(&s->txwide, to.txs);
    s->issuer.pub = s->issuer.col.rows = side_below(&s->issuer, to.txs);
    rc = undo_inplace(s, &from, &to, false);
    if (!rc && !to.blocks)
        s->base = 0;
    return rc;
}

/* ---- readers ---- */

int cw_evmstore_snapshot_check(const cw_evmstore *s)
{
    if (s->writable)
        return 0;
    char lpath[PATH_MAX];
    path_of(lpath, sizeof lpath, s, "LOCK");
    return cw_store_gen_check(&s->gen, lpath, s->dir);
}

const cw_evm_row_block *cw_evmstore_block(const cw_evmstore *s, uint64_t number)
{
    if (number < s->base || number - s->base >= rows(s, C_BLOCK))
        return NULL;
    return row(s, C_BLOCK, number - s->base);
}

const cw_evm_row_tx *cw_evmstore_tx(const cw_evmstore *s, uint64_t tx)
{
    return tx < rows(s, C_TX) ? row(s, C_TX, tx) : NULL;
}

const uint8_t *cw_evmstore_tx_hash(const cw_evmstore *s, uint64_t tx)
{
    return tx < rows(s, C_TX) ? row(s, C_TXHASH, tx) : NULL;
}

void cw_evmstore_tx_moves(const cw_evmstore *s, uint64_t tx, uint64_t *first, uint64_t *end)
{
    *first = *end = 0;
    if (tx >= rows(s, C_TX))
        return;
    const cw_evm_row_tx *t = row(s, C_TX, tx);
    uint64_t m = t->first_move, n = rows(s, C_MOVE);
    *first = m;
    while (m < n && ((const cw_evm_row_move *)row(s, C_MOVE, m))->tx == tx)
        m++;
    *end = m;
}

const cw_evm_row_move *cw_evmstore_move(const cw_evmstore *s, uint64_t m)
{
    return m < rows(s, C_MOVE) ? row(s, C_MOVE, m) : NULL;
}

cw_evm_movelink cw_evmstore_movelink(const cw_evmstore *s, uint64_t m)
{
    cw_evm_movelink l = {CW_EVM_NONE64, CW_EVM_NONE64};
    if (m < rows(s, C_MOVE)) {
        const cw_evm_row_movelink *r = row(s, C_MOVELINK, m);
        l.prev_out = get48(r->prev_out);
        l.prev_in = get48(r->prev_in);
    }
    return l;
}

const cw_evm_row_account *cw_evmstore_account(const cw_evmstore *s, uint32_t id)
{
    return id < rows(s, C_ACCT) ? row(s, C_ACCT, id) : NULL;
}

/* mark_contract sets contract_block once, in place, after its creates row; only a rollback
 * clears it. So a mark naming a block past this handle's blocks was set by a writer beside it
 * (running, or killed before its commit): in this handle's snapshot the account has no code. */
uint32_t cw_evmstore_contract_block(const cw_evmstore *s, uint32_t id)
{
    if (id >= rows(s, C_ACCT))
        return CW_EVM_NONE32;
    uint32_t b = ((const cw_evm_row_account *)row(s, C_ACCT, id))->contract_block;
    return b != CW_EVM_NONE32 && (uint64_t)b >= s->base + rows(s, C_BLOCK) ? CW_EVM_NONE32 : b;
}

/* The heads of account id's chains. A writer's heads not yet written come from its overlay. A
 * read-only handle reads the row in place, where a writer in another process (running, or
 * killed before its commit) may have moved a head past the movements this handle publishes, at
 * any time after its open: such a head is walked back along movelink.col to the newest
 * published movement, at each call (the rows it passes are in the file before the head that
 * names them: the writer's order). Nothing is written, nothing is kept: a reader shared by
 * threads needs no lock. */
int cw_evmstore_acctlast(const cw_evmstore *s, uint32_t id, cw_evm_row_acctlast *out)
{
    if (id >= rows(s, C_ACCT))
        return cw_error_set(CW_ENOTFOUND, "account %u is not in the store", id);
    const cw_evm_row_acctlast *r = row(s, C_ACCTLAST, id);
    if (s->writable) {
        const head_ent *e = head_find(s, id);
        *out = e ? e->h : *r;
        return 0;
    }
    out->last_in = __atomic_load_n(&r->last_in, __ATOMIC_ACQUIRE);
    out->last_out = __atomic_load_n(&r->last_out, __ATOMIC_ACQUIRE);
    uint64_t n = rows(s, C_MOVE);
    for (int dir = 0; dir < 2; dir++) {
        uint64_t *m = dir ? &out->last_out : &out->last_in;
        while (*m != CW_EVM_NONE64 && *m >= n) {
            cw_evm_row_movelink ln;
            int rc = cw_column_read(&s->cols[C_MOVELINK], *m, &ln);
            if (rc)
                return cw_error_wrap(rc, "an account's chain head past the last commit (an ingest "
                                         "is running or was interrupted: let it finish, or run it "
                                         "again to recover the store): ");
            uint64_t prev = get48(dir ? ln.prev_out : ln.prev_in);
            if (prev != CW_EVM_NONE64 && prev >= *m)
                return cw_error_set(CW_ECORRUPT,
                                    "%s: movelink.col row %llu links forward (to %llu)", s->dir,
                                    (unsigned long long)*m, (unsigned long long)prev);
            *m = prev;
        }
    }
    return 0;
}

const cw_evm_row_asset *cw_evmstore_asset(const cw_evmstore *s, uint32_t id)
{
    return id < rows(s, C_ASSET) ? row(s, C_ASSET, id) : NULL;
}

const cw_evm_row_create *cw_evmstore_create(const cw_evmstore *s, uint64_t i)
{
    return i < rows(s, C_CREATE) ? row(s, C_CREATE, i) : NULL;
}

int cw_evmstore_find_tx(const cw_evmstore *s, const cw_evm_hash *h, uint64_t *tx)
{
    uint32_t id;
    int rc = cw_hashidx_find(&s->txidx, txhash_h64(h->b), h->b, (uint32_t)rows(s, C_TX), txhash_eq,
                             (void *)(uintptr_t)s, &id);
    if (rc)
        return rc == CW_ENOTFOUND ? cw_error_set(CW_ENOTFOUND, "transaction not in the store") : rc;
    *tx = id;
    return 0;
}

int cw_evmstore_find_account(const cw_evmstore *s, const cw_evm_addr *a, uint32_t *id)
{
    int rc = find_account(s, a->b, (uint32_t)rows(s, C_ACCT), id);
    if (rc == CW_ENOTFOUND)
        return cw_error_set(CW_ENOTFOUND, "address not in the store");
    return rc;
}

int cw_evmstore_find_asset(const cw_evmstore *s, uint32_t account, uint32_t *asset)
{
    if (amap_get(&s->amap, account, asset) && *asset < rows(s, C_ASSET))
        return 0;
    return cw_error_set(CW_ENOTFOUND, "not a token in the store");
}

uint32_t cw_evmstore_account_last_block(const cw_evmstore *s, uint32_t id)
{
    const cw_evm_row_account *a = cw_evmstore_account(s, id);
    cw_evm_row_acctlast l;
    if (!a || cw_evmstore_acctlast(s, id, &l))
        return a ? a->first_block : 0;
    uint32_t last = a->first_block;
    uint64_t n = rows(s, C_MOVE);
    if (l.last_in < n && ((const cw_evm_row_move *)row(s, C_MOVE, l.last_in))->block > last)
        last = ((const cw_evm_row_move *)row(s, C_MOVE, l.last_in))->block;
    if (l.last_out < n && ((const cw_evm_row_move *)row(s, C_MOVE, l.last_out))->block > last)
        last = ((const cw_evm_row_move *)row(s, C_MOVE, l.last_out))->block;
    return last;
}

int cw_evmstore_account_flows(const cw_evmstore *s, uint32_t id, uint64_t at, cw_u256 *in,
                              cw_u256 *out, uint32_t n_assets)
{
    cw_evm_row_acctlast hl;
    int hrc = cw_evmstore_acctlast(s, id, &hl);
    if (hrc)
        return hrc;
    const cw_evm_row_acctlast *l = &hl;
    memset(in, 0, n_assets * sizeof *in);
    memset(out, 0, n_assets * sizeof *out);
    uint64_t n = rows(s, C_MOVE);
    for (int dir = 0; dir < 2; dir++) {
        uint64_t m = dir ? l->last_out : l->last_in;
        cw_u256 *acc = dir ? out : in;
        uint64_t guard = n + 1;
        while (m != CW_EVM_NONE64) {
            if (m >= n || !guard--)
                return cw_error_set(CW_ECORRUPT, "account %u: a %s chain leaves the moves", id,
                                    dir ? "out" : "in");
            const cw_evm_row_move *mv = row(s, C_MOVE, m);
            const cw_evm_row_movelink *ln = row(s, C_MOVELINK, m);
            if (mv->block <= at && mv->asset < n_assets) {
                cw_u256 a = cw_evmstore_move_amount(s, mv);
                if (cw_u256_add(&acc[mv->asset], &acc[mv->asset], &a))
                    return cw_error_set(CW_ECORRUPT, "account %u: sum overflows 2^256", id);
            }
            uint64_t next = get48(dir ? ln->prev_out : ln->prev_in);
            if (next != CW_EVM_NONE64 && next >= m)
                return cw_error_set(CW_ECORRUPT, "account %u: chain not descending at move %llu",
                                    id, (unsigned long long)m);
            m = next;
        }
    }
    return 0;
}

cw_u256 cw_evmstore_move_amount(const cw_evmstore *s, const cw_evm_row_move *mv)
{
    cw_u256 v = {{0, 0, 0, 0}};
    if (!(mv->flags & CW_EVM_MOVEF_WIDE))
        v.w[0] = mv->amount;
    else if (mv->amount < s->wide.col.rows)
        memcpy(&v,
               ((const cw_evm_row_wide *)cw_evm_rowbuf_row(&s->wide.col, &s->wide.wb, mv->amount))
                   ->amount,
               32);
    return v;
}

uint64_t cw_evmstore_wide_count(const cw_evmstore *s)
{
    return s->wide.col.rows;
}

const cw_evm_row_wide *cw_evmstore_wide(const cw_evmstore *s, uint64_t i)
{
    return i < s->wide.col.rows ? cw_evm_rowbuf_row(&s->wide.col, &s->wide.wb, i) : NULL;
}

void cw_evmstore_tx_amounts(const cw_evmstore *s, const cw_evm_row_tx *t, cw_u256 *value,
                            cw_u256 *gas_price)
{
    memset(value, 0, sizeof *value);
    memset(gas_price, 0, sizeof *gas_price);
    if (!(t->flags & CW_EVM_TXF_WIDE)) {
        value->w[0] = t->value;
        gas_price->w[0] = t->gas_price;
    } else if (t->value < s->txwide.col.rows) {
        const cw_evm_row_txwide *w = cw_evm_rowbuf_row(&s->txwide.col, &s->txwide.wb, t->value);
        memcpy(value, w->value, 32);
        memcpy(gas_price, w->gas_price, 32);
    }
}

uint64_t cw_evmstore_txwide_count(const cw_evmstore *s)
{
    return s->txwide.col.rows;
}

const cw_evm_row_txwide *cw_evmstore_txwide(const cw_evmstore *s, uint64_t i)
{
    return i < s->txwide.col.rows ? cw_evm_rowbuf_row(&s->txwide.col, &s->txwide.wb, i) : NULL;
}

/* ---- memos (evm/memo.h) ---- */

uint64_t cw_evmstore_memo_count(const cw_evmstore *s)
{
    return s->memos.col.rows;
}

const cw_evm_row_memo *cw_evmstore_memo(const cw_evmstore *s, uint64_t i)
{
    return i < s->memos.col.rows ? cw_evm_rowbuf_row(&s->memos.col, &s->memos.wb, i) : NULL;
}

void cw_evmstore_tx_memos(const cw_evmstore *s, uint64_t tx, uint64_t *first, uint64_t *end)
{
    *first = cw_evm_memotab_rows_below(&s->memos, tx);
    *end = *first;
    while (*end < s->memos.col.rows &&
           ((const cw_evm_row_memo *)cw_evm_rowbuf_row(&s->memos.col, &s->memos.wb, *end))->tx ==
               tx)
        (*end)++;
}

uint64_t cw_evmstore_issuer_count(const cw_evmstore *s)
{
    return s->issuer.col.rows;
}

const cw_evm_row_issuer *cw_evmstore_issuer(const cw_evmstore *s, uint64_t i)
{
    return i < s->issuer.col.rows ? cw_column_row(&s->issuer.col, i) : NULL;
}

bool cw_evmstore_frozen(const cw_evmstore *s, uint32_t token, uint32_t user, uint64_t before_tx,
                        const cw_evm_row_issuer **since)
{
    *since = NULL;
    for (uint64_t i = s->issuer.col.rows; i-- > 0;) {
        const cw_evm_row_issuer *r = cw_column_row(&s->issuer.col, i);
        if (r->tx >= before_tx || r->token != token || r->user != user ||
            (r->kind != CW_EVM_ISSUER_FREEZE && r->kind != CW_EVM_ISSUER_UNFREEZE))
            continue; /* a destroy, or Tether's issue / redeem: no change of the freeze */
        if (r->kind != CW_EVM_ISSUER_FREEZE)
            return *since != NULL;
        *since = r; /* the first of a run of freezes with no unfreeze between */
    }
    return *since != NULL;
}
