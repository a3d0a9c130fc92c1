/*
 * patterns.c: per-transaction pattern flags (docs/PATTERNS.md) and their persisted column.
 *
 * Files in the store directory (owned here, never touched by ingest):
 *   patterns.<gen>/txflags.col  one u32 of CW_PAT_* bits per tx, rows [0, txs)
 *   patterns.manifest  format, gen, txs and blocks covered, tip0..tip3 (hash of the last
 *                      covered block as four little-endian u64), written atomically after the
 *                      generation's rows are durable (src/store/derived.c)
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
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chainwatch/errors.h"
#include "chainwatch/patterns.h"
#include "chainwatch/store.h"
#include "chainwatch/util.h"

/* 2: rule and score in bits 16..31, peel runs, tx0 (issue 11); 3: short tight peel runs, a
 * service's float is no peel chain; 4: a payer's batch is no probable CoinJoin (flags of 3
 * differ); 5: a peel hop pays 1-3 peels (a batched hop, 3-4 outputs, to a fresh remainder
 * address); 6: the same rows as 5, in a generation folder (patterns.<gen>/) that a build writes
 * whole and never rewrites under a reader (3 to 5 kept them beside the manifest); 7: a flagged
 * run's end (rule peel-run-end, flags of 6 differ); 8: a batched hop back to the chain's own
 * address carries a tight run (counting for no tight hop) and may be ended; a run's last flagged
 * hop may be ended by a hop (flags of 7 differ); 9: peel-run-branch; 10: a JoinMarket-shaped
 * round of 13-20 parties whose every other output is a matched change is joinmarket, not
 * wasabi1 (kind bits of 9 differ); 11: Stonewall's shape is a probable CoinJoin (rule stonewall);
 * 12: tx0-op-return needs a coordinator-fee-sized output, and a third output with one premix (a
 * payment with a memo is no Tx0; flags of 11 differ); 13: rule stonewall needs an input sub-set
 * paying one equal output and one other (a wallet's 4-output fan-out is no Stonewall); 14: a
 * JoinMarket-shaped round of 13-20 parties is wasabi1 only when an output no input sub-set
 * explains is coordinator-fee-sized, matched changes lift a payer's batch exemption only when
 * they explain half its other outputs, tx0-premix-fee needs a premix slack and a fee of the
 * published sizes, joinmarket-structure needs a matched change (flags of 13 differ); 15: a peel
 * hop's largest output must read as the payer's remainder: not a round amount beside a non-round
 * output, not more than either of 2 inputs hold (peel flags of 14 differ); 16: rule
 * equal-split: outputs within 0.01 % of the class value are one split's parts, no probable
 * CoinJoin on fewer input addresses than parts (flags of 15 differ); 17: flag peel_strong, the
 * chain-level judgement of a peel-chain hop (flags of 16 lack it); 18: flag joint_funding, rules
 * escrow-deposit, dual-funded-open, splice-in (flags of 17 lack it) */
#define PAT_FORMAT 18

static const char *const flag_names[CW_PAT_N_FLAGS] = {
    "coinjoin",          "whirlpool",   "wasabi1",      "wasabi2",  "joinmarket",
    "peel_chain",        "fan_out",     "fan_in",       "coinbase", "tx0",
    "coinjoin_probable", "peel_strong", "joint_funding"};

static const char *const peel_part_names[CW_PAT_PEEL_N_PARTS] = {"fast",  "automated", "long",
                                                                 "large", "fresh",     "deposit"};

const char *cw_patterns_peel_part_name(unsigned i)
{
    return i < CW_PAT_PEEL_N_PARTS ? peel_part_names[i] : NULL;
}

uint64_t cw_patterns_format(void)
{
    return PAT_FORMAT;
}

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

static const char *const rule_names[CW_PAT_N_RULES] = {"none",
                                                       "coinbase",
                                                       "whirlpool-pool-denomination",
                                                       "equal-mix",
                                                       "wasabi2-denominations",
                                                       "equal-output-round",
                                                       "joinmarket-subset-sum",
                                                       "joinmarket-structure",
                                                       "tx0-op-return",
                                                       "tx0-premix-fee",
                                                       "probable-coinjoin",
                                                       "peel-run",
                                                       "shape",
                                                       "peel-run-short",
                                                       "peel-run-end",
                                                       "peel-run-branch",
                                                       "stonewall",
                                                       "escrow-deposit",
                                                       "dual-funded-open",
                                                       "splice-in"};

static const char *const rule_texts[CW_PAT_N_RULES] = {
    "no rule fired",
    "the first tx of its block (no inputs to owners)",
    "5-10 inputs and as many outputs, every output one Whirlpool pool denomination, each input "
    "that value plus at most a premix margin",
    "the Whirlpool shape (5-10 inputs from distinct addresses each funding exactly one of as "
    "many equal outputs, no change) off a pool denomination or its premix margin",
    "at least half of the outputs at Wasabi 2 standard denominations, >= 3 of them, one "
    "repeated, >= 2 of them powers of 2 or 3 (values people do not pick) or >= 90% of the "
    "outputs standard with >= 3 repeated and >= 10 input addresses, inputs from >= 5 addresses; "
    "or, a small round with no value 3 times, >= 10 outputs, >= 80% of them standard, >= 4 "
    "distinct powers of 2 or 3, >= 5 inputs from >= 5 addresses",
    ">= 5 equal outputs (possibly more than inputs, at least a third of the outputs), inputs "
    "from >= 5 addresses, >= 2 other outputs, and >= 2 changes matched by input sub-sets, or "
    ">= 10 equal outputs, >= 10 input addresses and >= 3 other outputs, or equal outputs at a "
    "power-of-2/3 Wasabi 2 denomination",
    "n >= 3 equal outputs and the other outputs (all but at most two) each matched as one "
    "owner's change by a disjoint input sub-set (sub-set sum), >= 2 matched",
    "n >= 3 equal outputs, n-1..n+1 other outputs, inputs from >= n addresses, no output "
    "larger than the largest input, no output to an input address, >= 1 change matched by an "
    "input sub-set (a maker)",
    "premix outputs (a Whirlpool pool denomination plus a margin), an OP_RETURN, a "
    "coordinator-fee-sized output and at most 4 other outputs (fee, change; one premix needs "
    ">= 2 of them): one owner",
    ">= 2 premix outputs at most 20,000 sat + 0.1% over the pool, an output of at most 5% of "
    "the pool (the coordinator's fee) and at most 3 other outputs, no change matched to a "
    "second owner: one owner",
    ">= 3 equal outputs, inputs from >= 3 addresses, and either >= 2 other outputs with as many "
    "input addresses as equal outputs or >= 2 changes matched by input sub-sets, or no other "
    "output and as many input addresses as equal outputs; not a payer's batch (more other "
    "outputs than a round's parties could take, off the Wasabi 2 ladder, under half of them "
    "matched as changes)",
    "one of at least 7 consecutive hops (1-2 inputs, 2-4 outputs, remainder above every peel), "
    "each spending the previous hop's remainder, peeling on average at most 45% of the value, "
    "not a service's float (first coin at an address paid 3+ times, peels under 1% on average)",
    "counts of inputs and outputs only",
    "one of at least 4 consecutive hops, each spending the previous hop's remainder, paid to an "
    "address never paid before, with one input, at most 1 block after it (a tight run; a batched "
    "hop back to the chain's own earlier address carries the run but counts for no hop), "
    "peeling on average at most 45%, not a service's float",
    "one of at most 2 txs ending a flagged peel run: one input spending an output of the run's "
    "last flagged hop (whose largest output no hop spends, or only this tx, a hop peeling more "
    "than the run's mean allows) or of the tx before, paid to an address never paid before (or "
    "the chain's own earlier address), at most 1 block after it, 2-4 outputs (a last peel "
    "larger than the remainder, a last batched hop)",
    "one of 5-6 consecutive hops (as peel-run) whose first hop spends a peel, not the "
    "remainder, of a hop flagged peel-run or peel-run-short (a chain started by another "
    "chain's peel), links at most 12 blocks apart at the median and 24 at most, peeling on "
    "average at most 45%",
    "Stonewall's shape: 2 equal outputs and 2 others from >= 2 input addresses, no OP_RETURN, "
    "and an input sub-set paying one equal output and one other (give or take the fee): one "
    "wallet's Stonewall and a two-owner Stonewall X2 look the same, so probably two owners",
    "a 2-of-2 escrow deposit (Bisq's deposit tx): >= 2 inputs from >= 2 addresses, not all "
    "P2WSH, exactly one P2WSH output, one OP_RETURN (the contract hash) and at most 2 other "
    "outputs (the traders' changes): probably two owners, inputs left apart by clustering",
    "a dual-funded channel open (BOLT 2 interactive construction): >= 2 inputs from >= 2 "
    "addresses, not all P2WSH, exactly one P2WSH output (the 2-of-2 funding output), no "
    "OP_RETURN and exactly 2 other outputs (each peer's change): probably two owners, inputs "
    "left apart by clustering (a P2TR funding output cannot be told apart)",
    "a channel splice-in: exactly one P2WSH input (the funding output) beside inputs of another "
    "type, from >= 2 addresses, paying exactly one P2WSH output (the new funding output) and "
    "one other (the change): the channel's two owners' coin, inputs left apart by clustering",
};

const char *cw_patterns_rule_name(unsigned rule)
{
    return rule < CW_PAT_N_RULES ? rule_names[rule] : NULL;
}

const char *cw_patterns_rule_text(unsigned rule)
{
    return rule < CW_PAT_N_RULES ? rule_texts[rule] : NULL;
}

bool cw_patterns_multi_owner(uint32_t flags)
{
    return (flags & (CW_PAT_COINJOIN | CW_PAT_COINJOIN_PROBABLE)) != 0;
}

bool cw_patterns_inputs_apart(uint32_t flags)
{
    return (flags & (CW_PAT_COINJOIN | CW_PAT_COINJOIN_PROBABLE | CW_PAT_JOINT_FUNDING)) != 0;
}

static uint32_t with_rule(uint32_t f, unsigned rule, unsigned score)
{
    if (score > 100)
        score = 100;
    return (f & CW_PAT_FLAG_MASK) | (score << 16) | ((uint32_t)rule << 24);
}

/* Scratch arrays reused across txs by a build. */
typedef struct scratch {
    uint64_t *vals;  /* counted output values, sorted */
    uint64_t *ins;   /* input values, sorted */
    uint8_t *used;   /* per sorted input: taken by a matched change */
    uint32_t *addrs; /* input addresses, sorted */
    size_t cap;
    bool defer_end; /* a build's first pass: peel-run-end is decided after the memo is whole */
    /* A build's memo per tx (NULL: none, compute every time), two bytes so that a parent's or
     * a child's facts are one cache miss in an array a twelfth the size of the txs' rows: bits
     * 0-2 the peel-hop shape (0 unknown, 1 none, 2 + the remainder's vout, 0..3), bits 3-5 and
     * 6-8 the hops above it (through peel_parent) and below it (through peel_child), each 1 +
     * the count capped at SIDE_CAP (0 unknown), bit 9 set by build_memo for a batched hop. */
    uint16_t *memo;
    uint64_t n_memo;
    void *memo_map; /* the mapping that holds memo */
    size_t memo_len;
} scratch;

#define MEMO_HOP(m) (7u & (unsigned)(m))
#define MEMO_SIDE_SHIFT(down) ((down) ? 6 : 3)
#define MEMO_BATCHED (1u << 9)

/* The memo: anonymous memory that reads as zeros, in huge pages where the kernel allows, since
 * a build touches it at random and a page fault costs more than the row it brings. */
#define HUGE_PAGE ((size_t)2 << 20)
static void memo_alloc(scratch *s, uint64_t n)
{
    size_t len = (size_t)n * sizeof *s->memo + HUGE_PAGE; /* room to align */
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return; /* no memo: slower, same flags */
    s->memo_map = p;
    s->memo_len = len;
    s->memo = (uint16_t *)(((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
    s->n_memo = n - 1;
#ifdef MADV_HUGEPAGE
    (void)madvise(s->memo, len - (size_t)((uint8_t *)s->memo - (uint8_t *)p),
                  MADV_HUGEPAGE); /* a hint */
#endif
}

static void scratch_free(scratch *s)
{
    if (s->memo_map)
        munmap(s->memo_map, s->memo_len);
    cw_free(s->vals);
    cw_free(s->ins);
    cw_free(s->used);
    cw_free(s->addrs);
}

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
    uint64_t *iv = cw_realloc(s->ins, cap * sizeof *iv);
    if (!iv)
        return CW_ENOMEM;
    s->ins = iv;
    uint8_t *u = cw_realloc(s->used, cap);
    if (!u)
        return CW_ENOMEM;
    s->used = u;
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

/* Ascending sorts of the values of one tx, inline: quicksort (median of three, the smaller
 * side first) down to insertion sort for short runs; past a depth of 2 log2 n (an input made
 * to defeat the pivots) libc's qsort finishes, so the time stays O(n log n). */
#define SMALL_SORT 24
/* T is a type: it cannot be parenthesised */
/* NOLINTBEGIN(bugprone-macro-parentheses) */
#define DEFINE_SORT(name, T, cmp)                                                                  \
    static void name(T *a, size_t n)                                                               \
    {                                                                                              \
        unsigned depth = 0;                                                                        \
        for (size_t m = n; m > 1; m >>= 1)                                                         \
            depth += 2;                                                                            \
        while (n > SMALL_SORT) {                                                                   \
            if (depth-- == 0) {                                                                    \
                qsort(a, n, sizeof *a, cmp);                                                       \
                return;                                                                            \
            }                                                                                      \
            /* a[0] <= a[n/2] <= a[n-1]: the ends stop the scans */                                \
            T t, *mid = a + n / 2, *end = a + n - 1;                                               \
            if (*mid < a[0])                                                                       \
                t = *mid, *mid = a[0], a[0] = t;                                                   \
            if (*end < *mid) {                                                                     \
                t = *end, *end = *mid, *mid = t;                                                   \
                if (*mid < a[0])                                                                   \
                    t = *mid, *mid = a[0], a[0] = t;                                               \
            }                                                                                      \
            T p = *mid;                                                                            \
            size_t i = 0, j = n - 1;                                                               \
            for (;;) {                                                                             \
                do                                                                                 \
                    i++;                                                                           \
                while (a[i] < p);                                                                  \
                do                                                                                 \
                    j--;                                                                           \
                while (p < a[j]);                                                                  \
                if (i >= j)                                                                        \
                    break;                                                                         \
                t = a[i], a[i] = a[j], a[j] = t;                                                   \
            }                                                                                      \
            /* [0, j] <= p <= [j + 1, n), both sides non-empty */                                  \
            if (j + 1 < n - j - 1) {                                                               \
                name(a, j + 1);                                                                    \
                a += j + 1;                                                                        \
                n -= j + 1;                                                                        \
            } else {                                                                               \
                name(a + j + 1, n - j - 1);                                                        \
                n = j + 1;                                                                         \
            }                                                                                      \
        }                                                                                          \
        for (size_t i = 1; i < n; i++) {                                                           \
            T v = a[i];                                                                            \
            size_t j = i;                                                                          \
            for (; j > 0 && v < a[j - 1]; j--)                                                     \
                a[j] = a[j - 1];                                                                   \
            a[j] = v;                                                                              \
        }                                                                                          \
    }
DEFINE_SORT(sort_u64, uint64_t, cmp_u64)
DEFINE_SORT(sort_u32, uint32_t, cmp_u32)
/* NOLINTEND(bugprone-macro-parentheses) */

/* Value, address and script type (type may be NULL) of the output an input spends, from one
 * read of it: false when the value is unknown (coinbase, an external prevout not supplied);
 * *addr is CW_NONE32 when unknown. */
static inline bool in_value_addr_type(const cw_chainstore *cs, uint64_t in, uint64_t *value,
                                      uint32_t *addr, cw_script_type *type)
{
    const cw_row_in *r = cw_chainstore_in(cs, in);
    *addr = CW_NONE32;
    if (r->spent_tx == CW_IN_COINBASE)
        return false;
    if (r->spent_tx == CW_IN_EXTERNAL) {
        const cw_row_ext *e = cw_chainstore_ext(cs, r->spent_vout);
        if (!e->known)
            return false;
        *addr = e->addr;
        *value = e->value;
        if (type)
            *type = (cw_script_type)e->type;
        return true;
    }
    const cw_row_out *o =
        cw_chainstore_out(cs, cw_chainstore_tx_first_out(cs, r->spent_tx) + r->spent_vout);
    *addr = o->addr;
    *value = cw_out_value(o);
    if (type)
        *type = cw_out_type(o);
    return true;
}

static bool in_value_addr(const cw_chainstore *cs, uint64_t in, uint64_t *value, uint32_t *addr)
{
    return in_value_addr_type(cs, in, value, addr, NULL);
}

/* A decimal round value: 1, 2 or 5 x 10^n (what people pay and withdraw). */
static bool decimal_round(uint64_t v)
{
    uint64_t x = v;
    while (x && x % 10 == 0)
        x /= 10;
    return x == 1 || x == 2 || x == 5;
}

/* A Wasabi 2 ladder value that people do not pick: 2^n, 3^n, 2 x 3^n (WabiSabi's
 * StandardDenomination) or 3 x 2^n (some descriptions of the ladder), not decimal_round. */
static bool exotic_denom(uint64_t v)
{
    if (v < 5000 || decimal_round(v))
        return false;
    uint64_t x = v;
    while (x % 2 == 0)
        x /= 2;
    if (x == 1 || (x == 3 && v % 2 == 0)) /* 2^n, 3 x 2^n */
        return true;
    x = v % 2 == 0 ? v / 2 : v;
    while (x % 3 == 0)
        x /= 3;
    return x == 1; /* 3^n, 2 x 3^n */
}

/* Wasabi 2 standard denominations: >= 5000 sat and 1/2/5 x 10^n, 2^n, 3^n, 2 x 3^n (or
 * 3 x 2^n). */
static bool std_denom(uint64_t v)
{
    return v >= 5000 && (decimal_round(v) || exotic_denom(v));
}

/* Wasabi 1.x's base denomination: about 0.1 BTC. */
static bool wasabi1_value(uint64_t v)
{
    return v >= 5000000 && v <= 20000000;
}

/* Whirlpool pool denominations (sat). */
#define POOLS(X) X(100000) X(1000000) X(5000000) X(50000000)
#define POOL_VALUE(d) d,
static const uint64_t pools[] = {POOLS(POOL_VALUE)};
#define N_POOLS (sizeof pools / sizeof pools[0])

static bool is_pool(uint64_t v)
{
    for (size_t i = 0; i < N_POOLS; i++)
        if (v == pools[i])
            return true;
    return false;
}

/* Largest extra a premix output carries over its pool denomination d (mix fees). */
#define PREMIX_MARGIN(d) ((d) / 10 + 20000)
static uint64_t premix_margin(uint64_t d)
{
    return PREMIX_MARGIN(d);
}

/* The pool denomination a premix value belongs to, 0 when none. */
static uint64_t premix_pool(uint64_t v)
{
    /* the ranges are disjoint and ascending: the first one whose top is >= v decides (the
     * tops are constants; this runs for every output of a tx with >= 3) */
#define POOL_TOP(d) (d) + PREMIX_MARGIN(d),
    static const uint64_t tops[] = {POOLS(POOL_TOP)};
    for (size_t i = 0; i < N_POOLS; i++)
        if (v <= tops[i])
            return v > pools[i] ? pools[i] : 0;
    return 0;
}

/* The pool a premix value of a Tx0 that carries its OP_RETURN belongs to: one of the known
 * pools, or any other 1, 2.5 or 5 x 10^n sat from 100,000 sat (a coordinator may open a pool
 * the list does not have: Whirlpool's later and re-implemented coordinators did), the largest
 * one the value exceeds by at most a premix's margin; 0 when none. */
static uint64_t premix_pool_any(uint64_t v)
{
    uint64_t d = premix_pool(v);
    if (d)
        return d;
    uint64_t best = 0;
    for (uint64_t p = 100000; p <= v && p <= UINT64_MAX / 10; p *= 10) {
        const uint64_t cand[3] = {p, p * 5 / 2, p * 5};
        for (size_t i = 0; i < 3; i++)
            if (cand[i] < v && v <= cand[i] + premix_margin(cand[i]) && cand[i] > best)
                best = cand[i];
    }
    return best;
}

/* The facts about one tx the CoinJoin rules read. */
typedef struct txfacts {
    uint64_t n_in, n_out_all; /* raw counts */
    size_t n_out;             /* outputs to an address with a value (vals) */
    size_t n_opret;           /* OP_RETURN outputs */
    size_t n_addr, distinct;  /* input addresses known, distinct */
    bool all_known;           /* every input value known */
    uint64_t max_in, max_out, sum_in;
    size_t reuse; /* outputs paid to an input address */
    size_t k;     /* largest equal-value class (ties: the larger value) */
    uint64_t v;   /* its value */
    size_t n_std, std_distinct, std_repeated;
    size_t exotic_distinct; /* distinct exotic_denom values among the outputs */
} txfacts;

static bool is_input_addr(const scratch *s, size_t n_addr, uint32_t a)
{
    /* most outputs pay an address newer than every input's (ids grow as addresses appear) */
    if (n_addr == 0 || a > s->addrs[n_addr - 1] || a < s->addrs[0])
        return false;
    size_t lo = 0, hi = n_addr;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->addrs[mid] < a)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n_addr && s->addrs[lo] == a && a != CW_NONE32;
}

/* Reads the tx into s and x. `sorted`: s->vals already holds every output value of the tx,
 * sorted (compute_at's pre-check); when every output counts they are vals as is. */
static void gather(const cw_chainstore *cs, uint64_t i0, uint64_t i1, uint64_t o0, uint64_t o1,
                   scratch *s, txfacts *x, bool sorted)
{
    memset(x, 0, sizeof *x);
    x->n_in = i1 - i0;
    x->n_out_all = o1 - o0;
    const cw_row_out *ro = cw_chainstore_out(cs, o0); /* a tx's rows are contiguous */
    for (uint64_t o = 0; o < o1 - o0; o++) {
        const cw_row_out *r = ro + o;
        uint64_t v = cw_out_value(r);
        if (cw_out_type(r) == CW_SCRIPT_OP_RETURN) {
            x->n_opret++;
            continue;
        }
        if (r->addr == CW_NONE32 || v == 0)
            continue;
        if (!sorted)
            s->vals[x->n_out] = v;
        x->n_out++;
        if (v > x->max_out)
            x->max_out = v;
    }
    if (sorted && x->n_out < x->n_out_all) { /* some outputs do not count: the counted ones */
        sorted = false;
        size_t n = 0;
        for (uint64_t o = 0; o < o1 - o0; o++) {
            uint64_t v = cw_out_value(ro + o);
            if (cw_out_type(ro + o) != CW_SCRIPT_OP_RETURN && ro[o].addr != CW_NONE32 && v != 0)
                s->vals[n++] = v;
        }
    }
    x->all_known = true;
    size_t n_iv = 0;
    for (uint64_t i = i0; i < i1; i++) {
        uint64_t v = 0;
        uint32_t a;
        if (in_value_addr(cs, i, &v, &a)) {
            s->ins[n_iv++] = v;
            x->sum_in += v;
            if (v > x->max_in)
                x->max_in = v;
        } else {
            x->all_known = false;
        }
        if (a != CW_NONE32)
            s->addrs[x->n_addr++] = a;
    }
    sort_u64(s->ins, n_iv);
    sort_u32(s->addrs, x->n_addr);
    for (size_t i = 0; i < x->n_addr; i++)
        if (i == 0 || s->addrs[i] != s->addrs[i - 1])
            x->distinct++;
    for (uint64_t o = 0; o < o1 - o0; o++)
        x->reuse += is_input_addr(s, x->n_addr, ro[o].addr);
    /* the Wasabi 2 rule is the only reader of the denomination counts */
    bool want_std = x->n_in >= 5 && x->n_out >= 10 && x->distinct >= 5;
    if (!sorted)
        sort_u64(s->vals, x->n_out);
    for (size_t i = 0; i < x->n_out;) {
        size_t j = i;
        while (j < x->n_out && s->vals[j] == s->vals[i])
            j++;
        if (j - i >= x->k) {
            x->k = j - i;
            x->v = s->vals[i];
        }
        if (want_std && std_denom(s->vals[i])) {
            x->n_std += j - i;
            x->std_distinct++;
            x->std_repeated += j - i > 1;
            x->exotic_distinct += exotic_denom(s->vals[i]);
        }
        i = j;
    }
}

/* Whether a counted output is coordinator-fee-sized for a Tx0 of pool d: below d/5 + 20,000 sat
 * (Whirlpool's fee is 5 % of the pool or less; a premix is always above d). */
static bool has_fee_output(const scratch *s, const txfacts *x, uint64_t d)
{
    for (size_t i = 0; i < x->n_out; i++)
        if (s->vals[i] < d / 5 + 20000)
            return true;
    return false;
}

/* A Tx0 with no OP_RETURN is no published Tx0 (Whirlpool's always carries its fee payload), so
 * tx0-premix-fee asks for the published sizes instead: each premix carries only the mix's miner
 * fee over the pool (mustMixBalanceMax: pool + 19,125 sat in the published pool configs; 0.1 %
 * of the pool more for our generator's Tx0s), and an output pays the coordinator's fee, <= 5 % of
 * the pool (published: 5 % of 0.001 and 0.01 BTC, 3.5 % of 0.05 and 0.5 BTC; a discount only
 * lowers it). A payroll of 22 salaries of 0.01 BTC + 72,217 sat with a change of 182,979 sat
 * (btc_alt7's seed 3) has neither. */
#define TX0_PLAIN_SLACK(d) (20000 + (d) / 1000)
static bool tx0_plain_sizes(const scratch *s, const txfacts *x, uint64_t d, size_t premix)
{
    bool slack = false, fee = false;
    for (size_t i = 0; i < x->n_out;) {
        size_t j = i;
        while (j < x->n_out && s->vals[j] == s->vals[i])
            j++;
        uint64_t u = s->vals[i];
        slack |= j - i == premix && u > d && u - d <= TX0_PLAIN_SLACK(d);
        fee |= u <= d / 20;
        i = j;
    }
    return slack && fee;
}

/* Stonewall's halves: its inputs split into two sets, each paying one of the two equal outputs
 * and one of the two others, the fee split between them or paid by one (Samourai's Stonewall
 * and Stonewall X2 alike): some input sub-set sums to v + c, c one other output, give or take at
 * most the fee. A wallet's fan-out of 4 outputs, 2 of them equal by chance or by design
 * (`chainwatch gen`'s thief halves its split), has no such sub-set. At most 12 inputs. */
static bool stonewall_halves(const scratch *s, const txfacts *x)
{
    if (!x->all_known || x->n_in < 2 || x->n_in > 12 || x->n_out != 4 || x->n_out_all != 4)
        return false;
    uint64_t out = 0, c = 0;
    for (size_t i = 0; i < 4; i++) {
        out += s->vals[i];
        if (s->vals[i] != x->v && !c)
            c = s->vals[i];
    }
    if (!c || x->sum_in < out)
        return false;
    uint64_t fee = x->sum_in - out, lo = x->v + c;
    size_t n = (size_t)x->n_in;
    for (uint32_t m = 1; m + 1 < (1u << n); m++) { /* proper, non-empty sub-sets */
        uint64_t sum = 0;
        for (size_t i = 0; i < n; i++)
            if (m >> i & 1)
                sum += s->ins[i];
        if (sum >= lo && sum - lo <= fee)
            return true;
    }
    return false;
}

/* The largest class of equal output values that are premixes of one pool by pool(); *d gets
 * that pool (vals sorted, as gather leaves them). */
static size_t premix_class(const scratch *s, const txfacts *x, uint64_t (*pool)(uint64_t),
                           uint64_t *d)
{
    size_t best = 0;
    for (size_t i = 0; i < x->n_out;) {
        size_t j = i;
        while (j < x->n_out && s->vals[j] == s->vals[i])
            j++;
        uint64_t d0 = pool(s->vals[i]);
        if (d0 && j - i > best) {
            best = j - i;
            *d = d0;
        }
        i = j;
    }
    return best;
}

/* One input pays the whole equal class and takes the largest output back as its change: the
 * largest input, less the largest output (above the class value), still covers 90 % of the k
 * equal outputs. A CoinJoin's whale takes back its change after paying its own one or few
 * equal outputs, so what stays is about one v, not k of them; a batch payer (payroll from a
 * large coin) leaves k of them. */
static bool pays_class(const txfacts *x)
{
    uint64_t cls = (uint64_t)x->k * x->v;
    /* a change is what is left, not a standard denomination: a Wasabi 2 whale's coin is split
     * into standard denominations, its largest one (2 BTC of a 2.25 BTC coin) is no change */
    return x->all_known && x->max_out > x->v && x->max_in >= x->max_out && !std_denom(x->max_out) &&
           x->max_in - x->max_out >= cls - cls / 10;
}

/* A payer's batch, not a probable round (a service's withdrawals, a payout): the k equal
 * outputs are a few round amounts among many other payments. In an equal-output round every
 * party takes at least one output of the class and at most one change (JoinMarket, Wasabi 1.x,
 * Whirlpool), so its other outputs number at most k changes and a coordinator's fee; only
 * Wasabi 2 gives a party several outputs, all at standard denominations (its ladder has
 * powers of 2 and 3, or is >= 90 % standard). So: more than k + 1 other outputs, no exotic
 * denomination among the outputs and under 90 % of them standard (the caller adds: fewer
 * than 2 of them matched as a party's change by an input sub-set). */
static bool payer_batch(const scratch *s, const txfacts *x, size_t m)
{
    if (m <= x->k + 1)
        return false;
    size_t n_std = 0;
    for (size_t i = 0; i < x->n_out; i++) {
        if (exotic_denom(s->vals[i]))
            return false;
        n_std += std_denom(s->vals[i]);
    }
    return 10 * n_std < 9 * x->n_out;
}

/* A Wasabi 2 round whose ladder shows only its 1/2/5 x 10^n steps (no power of 2 or 3 among
 * the outputs: a round of few parties, or a coordinator or generator that registers only
 * those): many parties' coins (>= 10 input addresses), >= 8 distinct standard values of which
 * >= 5 repeat, >= 75 % of the outputs standard, and no more off-ladder outputs than input
 * addresses (each party at most one change). A payer's batch of withdrawals pays more odd
 * amounts than it has input addresses. Our own world's rounds of this kind are 86.8-90.0 %
 * standard with 15-17 distinct values (33 of 216 fell under the 90 % rule, one of them to no
 * flag at all: 18 honest parties joined into one cluster). */
static bool decimal_ladder(const txfacts *x)
{
    return x->distinct >= 10 && x->std_distinct >= 8 && x->std_repeated >= 5 &&
           4 * x->n_std >= 3 * x->n_out && x->n_out - x->n_std <= x->distinct;
}

/* The kind of an equal-output round that a CoinJoin rule has recognised (not Whirlpool's),
 * from the protocols' value structure on mainnet (docs/PATTERNS.md, "Which kind"):
 *   - Wasabi 2 registers outputs only at its standard denominations, and one participant may
 *     take several of one: the largest class v is a standard denomination and either equal
 *     outputs outnumber the inputs, or >= 2 standard values are repeated, or the round does
 *     not have JoinMarket's shape (<= 20 equal outputs, as many inputs, k-2..k+1 others);
 *   - Wasabi 1.x mixes one denomination of about 0.1 BTC that the coordinator varies per round
 *     (not a round number), one output per participant at each level (v, 2v, 4v): v in
 *     0.05-0.2 BTC, at most one equal output per input; an exact standard value counts as
 *     Wasabi 1 only with its 4v level repeated and 4v not a Wasabi 2 denomination (0.4 BTC);
 *   - JoinMarket: <= 20 equal outputs at the taker's amount, one per party, each party one
 *     change at most.
 * *why gets a short reason for the evidence. */
static bool fee_unexplained(scratch *s, const txfacts *x);
static uint32_t round_kind(scratch *s, const txfacts *x, size_t m, size_t mt, const char **why)
{
    size_t std_rep = 0, reps = 0, lvl4 = 0, lvl24 = 0;
    for (size_t i = 0; i < x->n_out;) {
        size_t j = i;
        while (j < x->n_out && s->vals[j] == s->vals[i])
            j++;
        if (j - i >= 2) {
            reps++;
            std_rep += std_denom(s->vals[i]);
            lvl4 += s->vals[i] == 4 * x->v && !std_denom(s->vals[i]);
            lvl24 += s->vals[i] == 2 * x->v || s->vals[i] == 4 * x->v;
        }
        i = j;
    }
    bool std = std_denom(x->v);
    bool one_each = x->k <= x->n_in;
    /* JoinMarket: the taker may pick any amount (even a maker's coin of a Wasabi 2 value), but
     * nearly every party takes a change (a maker's change is missing only when its coins pay
     * the amount exactly) */
    /* other repeated values: Wasabi 2's denominations or Wasabi 1's levels, or makers whose
     * equal coins paid the same fee (changes alike, neither a denomination nor a level) */
    bool jm_sized = x->k <= 20 && one_each && m <= x->k + 1 && m + 2 >= x->k &&
                    (reps <= 2 || (std_rep == 0 && lvl24 == 0));
    bool ww1_levels = lvl4 > 0 && one_each;
    if (std && !ww1_levels && (!one_each || std_rep >= 2 || !jm_sized)) {
        *why = !one_each      ? "standard denomination, more equal outputs than inputs"
               : std_rep >= 2 ? "several standard denominations repeated"
                              : "standard denomination, not a JoinMarket round's shape";
        return CW_PAT_WASABI2;
    }
    bool ww1 = wasabi1_value(x->v) && one_each && (!std || ww1_levels);
    bool jm = jm_sized && m <= x->k;
    /* a JoinMarket-shaped round of more than 12 parties at about 0.1 BTC: JoinMarket (makers
     * can number more than 12) when every other output is one party's change (mt of m matched
     * by input sub-sets); Wasabi 1.x when one is not and is coordinator-fee-sized, as its
     * coordinator's fee output is nobody's change. JoinMarket's taker pays every maker's fee,
     * so its change is often the one output no sub-set explains: that alone is no
     * coordinator (btc_alt4's and btc_alt6's rounds of 13-14 makers read as wasabi1) */
    if (ww1 && (!jm || (x->k > 12 && mt < m && fee_unexplained(s, x)))) {
        *why = "one denomination of about 0.1 BTC, at most one per input";
        return CW_PAT_WASABI1;
    }
    if (jm) {
        *why = "at most 20 equal outputs, one per party, at most one change each";
        return CW_PAT_JOINMARKET;
    }
    *why = "no kind's shape";
    return 0;
}

/* Marks one unused input sub-set of s->ins (sorted; s->used marks those taken) whose sum lies in
 * [lo, hi]: 1 or 2 inputs, or 3 when `triples` (JoinMarket-sized txs of at most 16 inputs).
 * Returns whether one was found. */
static bool take_subset(scratch *s, size_t n, uint64_t lo, uint64_t hi, bool triples)
{
    const uint64_t *v = s->ins;
    uint8_t *used = s->used;
    /* one input: the first unused one in [lo, hi], from the first value >= lo (binary search) */
    size_t a = 0, b = n;
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (v[mid] < lo)
            a = mid + 1;
        else
            b = mid;
    }
    for (; a < n && v[a] <= hi; a++)
        if (!used[a]) {
            used[a] = 1;
            return true;
        }
    /* two inputs: two pointers over the sorted values, skipping used ones; a sum below lo moves
     * a up (to the next unused input whose sum with b reaches lo), above hi moves b down (the
     * same pair as one step at a time, fewer tests a step) */
    a = 0;
    b = n ? n - 1 : 0;
    while (a < b && used[a])
        a++;
    while (a < b && used[b])
        b--;
    while (a < b) {
        uint64_t sum = v[a] + v[b];
        if (sum < lo) {
            uint64_t need = lo - v[b]; /* v[a] must reach it: lo > sum >= v[b] */
            do
                a++;
            while (a < b && (v[a] < need || used[a]));
        } else if (sum > hi) {
            if (v[a] > hi)
                break;                 /* every b > a too: b would step down to a */
            uint64_t room = hi - v[a]; /* v[b] must stay within it */
            do
                b--;
            while (a < b && (v[b] > room || used[b]));
        } else {
            used[a] = used[b] = 1;
            return true;
        }
    }
    if (!triples || n > 16)
        return false;
    for (size_t p = 0; p < n; p++)
        for (size_t q = p + 1; q < n; q++)
            for (size_t r = q + 1; r < n; r++) {
                if (s->used[p] || s->used[q] || s->used[r])
                    continue;
                uint64_t sum = s->ins[p] + s->ins[q] + s->ins[r];
                if (sum >= lo && sum <= hi) {
                    s->used[p] = s->used[q] = s->used[r] = 1;
                    return true;
                }
            }
    return false;
}

/* The fee tolerance around what one owner's inputs pay for j equal outputs at v and a change
 * (base = change + j*v): the mining fee share, a coordinator's or a maker's fee (relative to the
 * amount mixed, or to the owner's inputs when a maker charges a large absolute fee). */
static uint64_t fee_tol(uint64_t jv, uint64_t base)
{
    return jv / 50 + base / 500 + 10000;
}

/* Whether c is within 0.01 % of the class value v, not equal to it: the same split's part with
 * a rounding remainder (rule equal-split). */
static bool near_equal(uint64_t c, uint64_t v)
{
    uint64_t d = c > v ? c - v : v - c;
    return d != 0 && d <= v / 10000;
}

/* Sub-set sum: how many outputs outside the equal class at value v can be explained as the
 * change of one owner, i.e. some unused input sub-set S (1 or 2 inputs; 3 when there are at
 * most 16 inputs and j = 1) with sum(S) = j*v + change +- fee_tol, for j = 1..max_j equal
 * outputs. Matched inputs are not reused (greedy, largest change first). Stops at `limit`
 * matches. skip_near: outputs near_equal to v are no change (rule equal-split). */
static size_t match_changes_at(scratch *s, const txfacts *x, unsigned max_j, size_t limit,
                               bool skip_near)
{
    size_t n = x->all_known ? (size_t)x->n_in : 0;
    if (n == 0 || x->v == 0)
        return 0;
    memset(s->used, 0, n);
    size_t matched = 0;
    for (size_t oi = x->n_out; oi-- > 0;) {
        uint64_t c = s->vals[oi];
        if (c == x->v || (skip_near && near_equal(c, x->v)))
            continue;
        bool found = false;
        for (unsigned j = 1; j <= max_j && !found; j++) {
            uint64_t base = c + (uint64_t)j * x->v;
            uint64_t tol = fee_tol((uint64_t)j * x->v, base);
            uint64_t lo = base > tol ? base - tol : 0, hi = base + tol;
            if (lo > x->sum_in)
                break;
            found = take_subset(s, n, lo, hi, j == 1);
        }
        matched += found;
        if (matched >= limit)
            break; /* the caller needs no more */
    }
    return matched;
}

static size_t match_changes(scratch *s, const txfacts *x, unsigned max_j, size_t limit)
{
    return match_changes_at(s, x, max_j, limit, false);
}

/* One owner's split, not a probable round (rule equal-split): outputs within 0.01 % of the
 * class value v are the same split's parts with a rounding remainder (a thief's 10 parts of
 * one amount, +1 and +1,740 sat; a theft paying 4 parts, one +2 sat), not changes. Counted
 * into the class, the split has more parts than input addresses (k + near > distinct), and
 * the probable rule no longer holds: no other output besides them, or fewer than 2 of the
 * others (the one, when one) matched as a party's change by an input sub-set (every input
 * value known).
 * Honest rounds do carry such outputs (btc20's Wasabi 1 rounds, -572 and -942 sat of ~0.1
 * BTC; btc_alt6's JoinMarket round, +2,974 of 41,670,835 sat), but as one party's change
 * among many parties' coins: as many input addresses as parts, or other changes matched.
 * Returns how many near-equal outputs make the tx a split (0: it is not one). */
static size_t equal_split(scratch *s, const txfacts *x, size_t m)
{
    size_t near = 0;
    for (size_t i = 0; i < x->n_out; i++)
        near += near_equal(s->vals[i], x->v);
    if (near == 0 || !x->all_known || x->distinct >= x->k + near)
        return 0;
    size_t m2 = m - near, k2 = x->k + near;
    if (m2 == 0)
        return near; /* all parts: fewer input addresses than parts */
    size_t need = m2 < 2 ? m2 : 2;
    return match_changes_at(s, x, k2 >= 5 ? 4 : 1, need, true) >= need ? 0 : near;
}

/* Whether an output outside the class that no input sub-set explains as one party's change
 * (j = 1, as in a JoinMarket-shaped round) is coordinator-fee-sized: at most v/20. Wasabi 1.x's
 * coordinator takes 0.003 % x the anonymity set of each party's amount: for the at most 20
 * parties of a JoinMarket-shaped round, at most 1.2 % of v in all. */
static bool fee_unexplained(scratch *s, const txfacts *x)
{
    size_t n = x->all_known ? (size_t)x->n_in : 0;
    if (n == 0 || x->v == 0)
        return false;
    memset(s->used, 0, n);
    for (size_t oi = x->n_out; oi-- > 0;) {
        uint64_t c = s->vals[oi];
        if (c == x->v)
            continue;
        uint64_t base = c + x->v, tol = fee_tol(x->v, base);
        if (!take_subset(s, n, base > tol ? base - tol : 0, base + tol, true) && c <= x->v / 20)
            return true;
    }
    return false;
}

/* How many parties could have paid one equal output at v exactly, taking no change: disjoint
 * input sub-sets (1-3 inputs) that sum to v plus at most a fee (fee_tol). In a round where each
 * party takes one output of the class (JoinMarket, Wasabi 1.x), every equal output belongs to a
 * party that either takes a change or funds it exactly; stops at `limit`. */
static size_t exact_funders(scratch *s, const txfacts *x, size_t limit)
{
    size_t n = x->all_known ? (size_t)x->n_in : 0;
    if (n == 0 || x->v == 0)
        return 0;
    memset(s->used, 0, n);
    size_t found = 0;
    while (found < limit && take_subset(s, n, x->v, x->v + fee_tol(x->v, x->v), true))
        found++;
    return found;
}

/* ------------------------------------------------------------------ peel chains */

static uint64_t peel_parent(const cw_chainstore *cs, scratch *s, uint64_t tx);
static unsigned paid_before(const cw_chainstore *cs, uint64_t o, unsigned cap);

/* Whether output o of a hop whose first input is i0, at an address paid before, went back to
 * the chain's own earlier remainder: the address was paid exactly once before, by the largest
 * output of the tx two or three spends up the first inputs (a chain that moves its remainder
 * back to its address of two hops before; its parent's would be the input's own address). */
static bool chain_reuse(const cw_chainstore *cs, uint64_t i0, uint64_t o)
{
    uint64_t outs = cw_chainstore_counts_get(cs).outs;
    uint64_t p = cw_chainstore_outlink(cs, o);
    if (p == CW_NONE64 || p >= outs)
        return false;
    uint64_t pp = cw_chainstore_outlink(cs, p);
    if (pp != CW_NONE64 && pp < outs) /* paid twice or more before */
        return false;
    for (unsigned up = 1; up <= 3; up++) {
        const cw_row_in *r = cw_chainstore_in(cs, i0);
        if (r->spent_tx >= CW_IN_EXTERNAL)
            return false;
        uint64_t ai0, ai1, ao0, ao1;
        cw_chainstore_tx_range(cs, r->spent_tx, &ai0, &ai1, &ao0, &ao1);
        if (p >= ao0 && p < ao1) {
            if (up == 1 || ao1 - ao0 > CW_PAT_PEEL_MAX_OUTS)
                return false;
            uint64_t v = cw_out_value(cw_chainstore_out(cs, p));
            for (uint64_t k = ao0; k < ao1; k++)
                if (k != p && cw_out_value(cw_chainstore_out(cs, k)) >= v)
                    return false;
            return true;
        }
        if (ai1 - ai0 < 1 || ai1 - ai0 > 2)
            return false;
        i0 = ai0;
    }
    return false;
}

/* Whether output l of the n outputs r of a tx spending inputs i0..i1 is a payment rather than
 * the payer's remainder (a hop's largest output must be the one the payer keeps): a round
 * amount (a multiple of CW_PAT_PEEL_ROUND_SAT) beside an output that is not (a change is round
 * only by chance, 1 in 100,000), or, with 2 inputs of known value, more than either input holds
 * (the wallet needed both coins for that output: what the tx was made to pay; a change larger
 * than an input would have left that input unneeded). A wallet whose payment is larger than
 * its change makes a run of such txs from one owner to the next; `cluster build --change peel`
 * joined payer and payee through it. Reads the inputs only for a 2-input tx of hop shape. */
static bool payment_remainder(const cw_chainstore *cs, uint64_t i0, uint64_t i1,
                              const cw_row_out *r, unsigned n, uint32_t l)
{
    uint64_t hi = cw_out_value(&r[l]);
    if (hi % CW_PAT_PEEL_ROUND_SAT == 0)
        for (unsigned k = 0; k < n; k++)
            if (k != l && cw_out_value(&r[k]) % CW_PAT_PEEL_ROUND_SAT != 0)
                return true;
    if (i1 - i0 != 2)
        return false;
    for (uint64_t i = i0; i < i1; i++) {
        uint64_t v;
        uint32_t a;
        if (!in_value_addr(cs, i, &v, &a) || v >= hi)
            return false;
    }
    return true;
}

/* peel_shape_at past the counts: a tx of 1-2 inputs and 2-CW_PAT_PEEL_MAX_OUTS outputs. */
static bool peel_shape_outs(const cw_chainstore *cs, uint64_t i0, uint64_t i1, uint64_t o0,
                            uint64_t o1, uint32_t *large)
{
    if (cw_chainstore_in(cs, i0)->spent_tx == CW_IN_COINBASE)
        return false;
    const cw_row_out *r = cw_chainstore_out(cs, o0); /* a tx's outputs are consecutive rows */
    const unsigned n = (unsigned)(o1 - o0);
    if (r[0].addr == CW_NONE32 || r[1].addr == CW_NONE32)
        return false;
    uint64_t a = cw_out_value(&r[0]), b = cw_out_value(&r[1]);
    uint64_t hi = a >= b ? a : b, second = a >= b ? b : a;
    uint32_t l = a > b ? 0 : 1;
    for (unsigned k = 2; k < n; k++) { /* a batched hop: 2-3 peels */
        if (r[k].addr == CW_NONE32)
            return false;
        uint64_t v = cw_out_value(&r[k]);
        if (v > hi) {
            second = hi;
            hi = v;
            l = k;
        } else if (v > second) {
            second = v;
        }
    }
    if (hi <= second) /* a zero-value peel counts (BlockSci's first peeling-chain hop) */
        return false;
    /* a batched hop continues only to a fresh address: a wallet that batches its payments
     * with change to an address it was paid at before is no launderer's hop; or to the
     * chain's own remainder address of two or three hops before, paid only then */
    if (n > 2 && paid_before(cs, o0 + l, 1) != 0 && !chain_reuse(cs, i0, o0 + l))
        return false;
    if (payment_remainder(cs, i0, i1, r, n, l))
        return false;
    if (large)
        *large = l;
    return true;
}

/* cw_patterns_peel_shape of the tx with these input and output ranges: the counts first, in
 * the caller's loop (most txs fail them), the rest in a call */
static inline bool peel_shape_at(const cw_chainstore *cs, uint64_t i0, uint64_t i1, uint64_t o0,
                                 uint64_t o1, uint32_t *large)
{
    if (i1 - i0 < 1 || i1 - i0 > 2 || o1 - o0 < 2 || o1 - o0 > CW_PAT_PEEL_MAX_OUTS)
        return false;
    return peel_shape_outs(cs, i0, i1, o0, o1, large);
}

bool cw_patterns_peel_shape(const cw_chainstore *cs, uint64_t tx, uint32_t *large)
{
    uint64_t i0, i1, o0, o1;
    cw_chainstore_tx_range(cs, tx, &i0, &i1, &o0, &o1);
    return peel_shape_at(cs, i0, i1, o0, o1, large);
}

/* cw_patterns_peel_shape through the build's cache. */
static bool hop_shape(const cw_chainstore *cs, scratch *s, uint64_t tx, uint32_t *large)
{
    if (!s || !s->memo || tx >= s->n_memo)
        return cw_patterns_peel_shape(cs, tx, large);
    unsigned h = MEMO_HOP(s->memo[tx]);
    if (!h) {
        uint32_t l = 0;
        h = cw_patterns_peel_shape(cs, tx, &l) ? 2 + l : 1;
        s->memo[tx] = (uint16_t)(s->memo[tx] | h);
    }
    if (h == 1)
        return false;
    if (large)
        *large = h - 2u;
    return true;
}

/* The peel hop whose remainder tx spends (CW_NONE64 when none). */
uint64_t cw_patterns_peel_parent(const cw_chainstore *cs, uint64_t tx)
{
    return cw_patterns_peel_shape(cs, tx, NULL) ? peel_parent(cs, NULL, tx) : CW_NONE64;
}

/* The peel hops whose remainder tx spends, in input order (at most max of them): tx is each
 * one's peel_child when tx is a hop itself. Returns their count. */
static unsigned peel_parents_at(const cw_chainstore *cs, scratch *s, uint64_t i0, uint64_t i1,
                                uint64_t *par, unsigned max)
{
    unsigned n = 0;
    for (uint64_t i = i0; i < i1 && n < max; i++) {
        const cw_row_in *r = cw_chainstore_in(cs, i);
        uint32_t plarge;
        if (r->spent_tx >= CW_IN_EXTERNAL)
            continue;
        if (hop_shape(cs, s, r->spent_tx, &plarge) && plarge == r->spent_vout)
            par[n++] = r->spent_tx;
    }
    return n;
}

static uint64_t peel_parent(const cw_chainstore *cs, scratch *s, uint64_t tx)
{
    uint64_t i0, i1, o0, o1, p;
    cw_chainstore_tx_range(cs, tx, &i0, &i1, &o0, &o1);
    return peel_parents_at(cs, s, i0, i1, &p, 1) ? p : CW_NONE64;
}

/* The peel hop that spends tx's remainder (CW_NONE64 when none). */
static uint64_t peel_child(const cw_chainstore *cs, scratch *s, uint64_t tx, uint32_t large)
{
    uint64_t txs = cw_chainstore_counts_get(cs).txs;
    uint32_t sp = cw_chainstore_out(cs, cw_chainstore_tx_first_out(cs, tx) + large)->spending_tx;
    if (sp == CW_NONE32 || sp >= txs || !hop_shape(cs, s, sp, NULL))
        return CW_NONE64;
    return sp;
}

/* Peel fraction of a hop of peel shape: peels / (peels + remainder), in millionths. */
static uint64_t peel_frac(const cw_chainstore *cs, uint64_t tx, uint32_t large)
{
    uint64_t i0, i1, o0, o1;
    cw_chainstore_tx_range(cs, tx, &i0, &i1, &o0, &o1);
    uint64_t hi = cw_out_value(cw_chainstore_out(cs, o0 + large)), lo = 0;
    for (uint64_t o = o0; o < o1; o++)
        if (o != o0 + large)
            lo += cw_out_value(cw_chainstore_out(cs, o));
    return (uint64_t)((double)lo * 1e6 / ((double)lo + (double)hi));
}

/* The run a build walks for each tx (shape_flags): at most RUN_CAP hops. A run is long enough
 * (>= CW_PAT_PEEL_MIN_RUN hops) exactly when the hops above and below the tx add up to
 * SIDE_CAP or more, so the memo counts each side only up to SIDE_CAP. */
#define RUN_CAP (2 * CW_PAT_PEEL_MIN_RUN)
#define SIDE_CAP (CW_PAT_PEEL_MIN_RUN - 1)

/* Hops above the hop tx (down = false: through peel_parent) or below it (down = true: through
 * peel_child), capped at SIDE_CAP, through the build's memo: each hop's count is the next one's
 * plus one, so a build that visits the txs in order walks one step per hop instead of the run
 * for each of its hops. The same counts as the walk in peel_walk, up to the cap. */
static unsigned run_side(const cw_chainstore *cs, scratch *s, uint64_t tx, bool down)
{
    const unsigned sh = MEMO_SIDE_SHIFT(down);
#define SIDE(t) ((s->memo[t] >> sh) & 7u)
#define SET_SIDE(t, c) (s->memo[t] = (uint16_t)(s->memo[t] | ((c) + 1u) << sh))
    uint64_t path[SIDE_CAP];
    unsigned k = 0, next; /* next: the count of the hop after path[k - 1], or none */
    bool none = false;
    uint64_t t = tx;
    for (;;) {
        if (SIDE(t)) {
            next = SIDE(t) - 1u;
            break;
        }
        if (k == SIDE_CAP) { /* tx has at least SIDE_CAP hops on this side */
            SET_SIDE(tx, SIDE_CAP);
            return SIDE_CAP;
        }
        path[k++] = t;
        uint32_t large = 0;
        uint64_t n = CW_NONE64;
        if (!down)
            n = peel_parent(cs, s, t);
        else if (hop_shape(cs, s, t, &large))
            n = peel_child(cs, s, t, large);
        if (n == CW_NONE64) {
            none = true;
            next = 0;
            break;
        }
        t = n;
    }
    /* path[i] has (k - 1 - i) hops to path[k - 1], then path[k - 1]'s own */
    for (unsigned i = k; i-- > 0;) {
        unsigned c = (k - 1 - i) + (none ? 0 : next + 1);
        SET_SIDE(path[i], c < SIDE_CAP ? c : SIDE_CAP);
    }
    return SIDE(tx) - 1u;
#undef SIDE
#undef SET_SIDE
}

/* The hops of the run through the hop tx (large: its remainder's vout), at most cap
 * (<= WALK_MAX): run[0] = tx, then the hops above it, newest first (*n_up of them), then the
 * hops below it, oldest first; lg[i] the remainder's vout of run[i]. Returns their count. */
#define WALK_MAX (2 * CW_PAT_PEEL_MIN_RUN + 8)
static unsigned walk_window(const cw_chainstore *cs, scratch *s, uint64_t tx, uint32_t large,
                            unsigned cap, uint64_t *run, uint32_t *lg, unsigned *n_up)
{
    unsigned n = 0;
    run[n] = tx;
    lg[n++] = large;
    for (uint64_t t = tx; n < cap;) {
        t = peel_parent(cs, s, t);
        uint32_t pl;
        if (t == CW_NONE64 || !hop_shape(cs, s, t, &pl))
            break;
        run[n] = t;
        lg[n++] = pl;
    }
    *n_up = n - 1;
    for (uint64_t t = tx; n < cap;) {
        t = peel_child(cs, s, t, large);
        if (t == CW_NONE64 || !hop_shape(cs, s, t, &large))
            break;
        run[n] = t;
        lg[n++] = large;
    }
    return n;
}

/* Walks the run through tx: at most cap hops, older ones first; *frac_sum gets the sum of
 * their peel fractions (millionths). */
static unsigned peel_walk(const cw_chainstore *cs, scratch *s, uint64_t tx, unsigned cap,
                          uint64_t *frac_sum)
{
    uint32_t large;
    *frac_sum = 0;
    if (!hop_shape(cs, s, tx, &large))
        return 0;
    if (s && s->memo && cap == RUN_CAP && tx < s->n_memo) {
        /* a run too short for the rule: its length from the memo (both counts are exact below
         * the cap, and the walk below, capped at RUN_CAP >= CW_PAT_PEEL_MIN_RUN hops, would
         * count the same hops); a long enough one is walked for its fractions */
        unsigned up = run_side(cs, s, tx, false), down = run_side(cs, s, tx, true);
        if (up + down < SIDE_CAP)
            return 1 + up + down;
    }
    /* the run through tx: up to cap hops, older ones first */
    uint64_t run[WALK_MAX];
    uint32_t lg[WALK_MAX];
    unsigned up, n = walk_window(cs, s, tx, large, cap < WALK_MAX ? cap : WALK_MAX, run, lg, &up);
    if (n >= CW_PAT_PEEL_MIN_RUN) /* the fractions matter only for a run long enough */
        for (unsigned i = 0; i < n; i++)
            *frac_sum += peel_frac(cs, run[i], lg[i]);
    return n;
}

uint64_t cw_patterns_peel_next(const cw_chainstore *cs, uint64_t tx)
{
    uint32_t large;
    if (!cw_patterns_peel_shape(cs, tx, &large))
        return CW_NONE64;
    return peel_child(cs, NULL, tx, large);
}

unsigned cw_patterns_peel_run(const cw_chainstore *cs, uint64_t tx, unsigned cap)
{
    uint64_t fs;
    return peel_walk(cs, NULL, tx, cap, &fs);
}

/* ------------------------------------------------------------------ chain-level evidence */

static uint32_t tx_height(const cw_chainstore *cs, uint64_t tx)
{
    return cw_chainstore_block(cs, cw_chainstore_tx_block(cs, tx))->height;
}

/* Earlier outputs paying the address of output o, counted up to `cap`. */
static unsigned paid_before(const cw_chainstore *cs, uint64_t o, unsigned cap)
{
    unsigned n = 0;
    uint64_t outs = cw_chainstore_counts_get(cs).outs;
    for (uint64_t p = cw_chainstore_outlink(cs, o); p != CW_NONE64 && p < outs && n < cap;
         p = cw_chainstore_outlink(cs, p))
        n++;
    return n;
}

/* How the hop child spends the remainder of the hop parent (its peel_child): TIGHT when child
 * has one input, the remainder went to an address no output paid before, and child is
 * confirmed at most CW_PAT_PEEL_TIGHT_BLOCKS blocks after parent; OWN on the same terms but for
 * a remainder back at the chain's own earlier remainder address (chain_reuse); else NONE. */
enum { LINK_NONE, LINK_TIGHT, LINK_OWN };
static unsigned tight_link(const cw_chainstore *cs, scratch *s, uint64_t parent, uint64_t child)
{
    uint32_t large;
    uint64_t i0, i1, o0, o1;
    cw_chainstore_tx_range(cs, child, &i0, &i1, &o0, &o1);
    if (i1 - i0 != 1 || !hop_shape(cs, s, parent, &large))
        return LINK_NONE;
    uint64_t pi0, pi1, po0, po1;
    cw_chainstore_tx_range(cs, parent, &pi0, &pi1, &po0, &po1);
    uint64_t rem = po0 + large;
    if (cw_chainstore_out(cs, rem)->addr == CW_NONE32)
        return LINK_NONE;
    unsigned kind = LINK_TIGHT;
    if (paid_before(cs, rem, 1) != 0) {
        if (po1 - po0 <= 2 || !chain_reuse(cs, pi0, rem))
            return LINK_NONE;
        kind = LINK_OWN;
    }
    uint32_t hp = tx_height(cs, parent), hc = tx_height(cs, child);
    return hc >= hp && hc - hp <= CW_PAT_PEEL_TIGHT_BLOCKS ? kind : LINK_NONE;
}

/* Hops in the tight run through the hop tx, counted up to `cap`; *frac_sum gets the sum of
 * the peel fractions (millionths) of the *walked hops it walked and *head the oldest of them. A
 * batched hop whose remainder goes back to the chain's own address (LINK_OWN) continues the
 * run but is no evidence of its own: the hop after it is walked and not counted, so a wallet
 * cycling its change between two addresses never makes a tight run from its reused links. */
static unsigned tight_run(const cw_chainstore *cs, scratch *s, uint64_t tx, unsigned cap,
                          uint64_t *frac_sum, uint64_t *head, unsigned *walked)
{
    uint32_t large;
    *frac_sum = 0;
    *head = tx;
    *walked = 0;
    if (!hop_shape(cs, s, tx, &large))
        return 0;
    unsigned n = 1, w = 1;
    *frac_sum = peel_frac(cs, tx, large);
    for (uint64_t t = tx; n < cap && w < 2 * cap;) {
        uint64_t p = peel_parent(cs, s, t);
        uint32_t pl;
        unsigned k;
        if (p == CW_NONE64 || !(k = tight_link(cs, s, p, t)) || !hop_shape(cs, s, p, &pl))
            break;
        *frac_sum += peel_frac(cs, p, pl);
        *head = t = p;
        n += k == LINK_TIGHT;
        w++;
    }
    for (uint64_t t = tx; n < cap && w < 2 * cap;) {
        uint64_t c = peel_child(cs, s, t, large);
        unsigned k;
        if (c == CW_NONE64 || !(k = tight_link(cs, s, t, c)) || !hop_shape(cs, s, c, &large))
            break;
        *frac_sum += peel_frac(cs, c, large);
        t = c;
        n += k == LINK_TIGHT;
        w++;
    }
    *walked = w;
    return n;
}

/* Whether a run through the hop tx whose hops peel on average mean_ppm (millionths) is a
 * service's float: its first hop (looked for at most CW_PAT_PEEL_HEAD_CAP hops up from `from`;
 * not found: no evidence) spends a coin at an address paid CW_PAT_PEEL_FLOAT_PAID times or
 * more up to that coin, and mean_ppm < CW_PAT_PEEL_FLOAT_MAX_PPM. */
static bool service_float(const cw_chainstore *cs, scratch *s, uint64_t from, uint64_t mean_ppm)
{
    if (mean_ppm >= CW_PAT_PEEL_FLOAT_MAX_PPM)
        return false;
    uint64_t head = from;
    unsigned k = 0;
    for (uint64_t p; k < CW_PAT_PEEL_HEAD_CAP && (p = peel_parent(cs, s, head)) != CW_NONE64; k++)
        head = p;
    if (k == CW_PAT_PEEL_HEAD_CAP)
        return false;
    uint64_t i0, i1, o0, o1;
    cw_chainstore_tx_range(cs, head, &i0, &i1, &o0, &o1);
    for (uint64_t i = i0; i < i1; i++) {
        const cw_row_in *r = cw_chainstore_in(cs, i);
        if (r->spent_tx >= CW_IN_EXTERNAL)
            continue;
        uint64_t o = cw_chainstore_tx_first_out(cs, r->spent_tx) + r->spent_vout;
        if (paid_before(cs, o, CW_PAT_PEEL_FLOAT_PAID - 1) >= CW_PAT_PEEL_FLOAT_PAID - 1)
            return true;
    }
    return false;
}

/* The chain-level judgement of the hop tx (docs/PATTERNS.md, "Chain-level judgement"): the
 * window peel_walk walks (up to 13 hops above tx, then below, RUN_CAP in all, older first), its
 * parts (CW_PAT_PEEL_PART_*); the score is 50 + 8 per part. Fills the chain_* members of d when
 * d is not NULL. Reads each hop's outputs and its remainder's and peels' earlier payments. */
static unsigned chain_judge(const cw_chainstore *cs, scratch *s, uint64_t tx, cw_patterns_detail *d)
{
    uint32_t large, wlg[RUN_CAP], lg[RUN_CAP];
    uint64_t win[RUN_CAP], run[RUN_CAP];
    if (!hop_shape(cs, s, tx, &large))
        return 0;
    unsigned nu, n = walk_window(cs, s, tx, large, RUN_CAP, win, wlg, &nu);
    run[0] = tx; /* n >= 1: tx itself */
    lg[0] = large;
    for (unsigned i = 0; i < n; i++) { /* oldest first: the hops above tx reversed, tx, below */
        unsigned k = i < nu ? nu - i : i == nu ? 0 : i;
        run[i] = win[k];
        lg[i] = wlg[k];
    }
    uint32_t gap[RUN_CAP], hp = tx_height(cs, run[0]);
    unsigned fresh = 0, peels = 0, paid = 0;
    for (unsigned i = 0; i < n; i++) {
        if (i + 1 < n) {
            uint32_t hc = tx_height(cs, run[i + 1]);
            gap[i] = hc >= hp ? hc - hp : 0;
            hp = hc;
        }
        uint64_t i0, i1, o0, o1;
        cw_chainstore_tx_range(cs, run[i], &i0, &i1, &o0, &o1);
        for (uint64_t o = o0; o < o1; o++) {
            unsigned before =
                cw_chainstore_out(cs, o)->addr == CW_NONE32 ? 0 : paid_before(cs, o, 1);
            if (o == o0 + lg[i])
                fresh += before == 0;
            else {
                peels++;
                paid += before != 0;
            }
        }
    }
    uint64_t i0, i1, o0, o1, start = 0;
    cw_chainstore_tx_range(cs, run[0], &i0, &i1, &o0, &o1);
    for (uint64_t o = o0; o < o1; o++)
        start += cw_out_value(cw_chainstore_out(cs, o));
    uint32_t med = 0;
    if (n >= 2) {
        qsort(gap, n - 1, sizeof gap[0], cmp_u32);
        med = gap[(n - 1) / 2];
    }
    unsigned parts = (n >= 2 && med <= CW_PAT_PEEL_FAST_BLOCKS ? CW_PAT_PEEL_PART_FAST : 0u) |
                     (n >= 2 && med <= CW_PAT_PEEL_AUTO_BLOCKS ? CW_PAT_PEEL_PART_AUTOMATED : 0u) |
                     (n >= CW_PAT_PEEL_LONG_RUN ? CW_PAT_PEEL_PART_LONG : 0u) |
                     (start >= CW_PAT_PEEL_LARGE_SAT ? CW_PAT_PEEL_PART_LARGE : 0u) |
                     (fresh == n ? CW_PAT_PEEL_PART_FRESH : 0u) |
                     (peels > 0 && 2 * paid >= peels ? CW_PAT_PEEL_PART_DEPOSIT : 0u);
    if (d) {
        d->chain_parts = parts;
        d->chain_score = 50 + 8 * (unsigned)__builtin_popcount(parts);
        d->chain_hops = n;
        d->chain_gap = med;
        d->chain_start_sat = start;
        d->chain_fresh = fresh;
        d->chain_peels = peels;
        d->chain_peels_paid = paid;
    }
    return parts;
}

/* ------------------------------------------------------------------ the decision */

/* Whether the hop tx pays its remainder (output `large`) back to one of its inputs' own
 * addresses: a wallet reusing its address (an exchange's hot wallet, a pool's payout address),
 * not a launderer's hop to a fresh one. Asked only of a hop whose run is long enough to flag,
 * so the build reads no input for the many short runs. */
static bool remainder_to_input(const cw_chainstore *cs, uint64_t tx, uint32_t large)
{
    uint64_t i0, i1, o0, o1;
    cw_chainstore_tx_range(cs, tx, &i0, &i1, &o0, &o1);
    uint32_t rem = cw_chainstore_out(cs, o0 + large)->addr;
    for (uint64_t i = i0; i < i1; i++) {
        uint64_t v;
        uint32_t ia;
        (void)in_value_addr(cs, i, &v, &ia);
        if (ia == rem)
            return true;
    }
    return false;
}

static unsigned long_or_tight_rule(const cw_chainstore *cs, scratch *s, uint64_t tx, unsigned r,
                                   uint64_t fs, unsigned *score, cw_patterns_detail *d);

/* Whether the run of the hop tx, CW_PAT_PEEL_BRANCH_RUN..CW_PAT_PEEL_MIN_RUN - 1 hops long, is
 * a branch of a flagged chain (rule peel-run-branch): its first hop spends a peel (an output
 * other than the remainder) of a hop that peel-run or peel-run-short flags, and its links are
 * at most CW_PAT_PEEL_BRANCH_MEDIAN blocks apart at the (upper) median and
 * CW_PAT_PEEL_BRANCH_MAX blocks at most: a peel starting a chain of its own at a script's
 * tempo, not a recipient spending its change now and then. */
static bool branch_run(const cw_chainstore *cs, scratch *s, uint64_t tx)
{
    uint64_t above[CW_PAT_PEEL_MIN_RUN], run[CW_PAT_PEEL_MIN_RUN], fs = 0;
    unsigned up = 0, n = 0;
    for (uint64_t t = tx; t != CW_NONE64 && up < CW_PAT_PEEL_MIN_RUN; t = peel_parent(cs, s, t))
        above[up++] = t;
    if (up >= CW_PAT_PEEL_MIN_RUN)
        return false;
    /* the candidate sources at the run's first hop before the rest of the run (few runs start
     * at a peel), then the tempo and the mean peel, then the source's own run rule */
    uint64_t src[2], i0, i1, o0, o1;
    unsigned n_src = 0;
    cw_chainstore_tx_range(cs, above[up - 1], &i0, &i1, &o0, &o1);
    for (uint64_t i = i0; i < i1 && n_src < 2; i++) {
        const cw_row_in *r = cw_chainstore_in(cs, i);
        uint32_t pl;
        if (r->spent_tx < CW_IN_EXTERNAL && hop_shape(cs, s, r->spent_tx, &pl) &&
            pl != r->spent_vout)
            src[n_src++] = r->spent_tx;
    }
    if (n_src == 0)
        return false;
    while (up > 0) /* oldest first */
        run[n++] = above[--up];
    uint32_t large;
    for (uint64_t t = tx; n < CW_PAT_PEEL_MIN_RUN && hop_shape(cs, s, t, &large);) {
        t = peel_child(cs, s, t, large);
        if (t == CW_NONE64)
            break;
        run[n++] = t;
    }
    if (n < CW_PAT_PEEL_BRANCH_RUN || n >= CW_PAT_PEEL_MIN_RUN)
        return false;
    uint32_t gap[CW_PAT_PEEL_MIN_RUN];
    for (unsigned i = 0; i + 1 < n; i++) {
        uint32_t hp = tx_height(cs, run[i]), hc = tx_height(cs, run[i + 1]);
        if (hc < hp || hc - hp > CW_PAT_PEEL_BRANCH_MAX)
            return false;
        gap[i] = hc - hp;
    }
    qsort(gap, n - 1, sizeof gap[0], cmp_u32);
    if (gap[(n - 1) / 2] > CW_PAT_PEEL_BRANCH_MEDIAN)
        return false;
    for (unsigned i = 0; i < n; i++)
        if (hop_shape(cs, s, run[i], &large))
            fs += peel_frac(cs, run[i], large);
    if (fs > (uint64_t)n * CW_PAT_PEEL_MAX_MEAN_PPM)
        return false;
    for (unsigned k = 0; k < n_src; k++) {
        uint64_t pfs;
        unsigned sc, pr = peel_walk(cs, s, src[k], RUN_CAP, &pfs);
        if (pr >= CW_PAT_PEEL_SHORT_RUN && long_or_tight_rule(cs, s, src[k], pr, pfs, &sc, NULL))
            return true;
    }
    return false;
}

/* The peel-run rule peel-run or peel-run-short of the hop tx whose run (peel_walk) has r hops
 * peeling fs millionths in all: the rule, 0 when none; *score gets its score. */
static unsigned long_or_tight_rule(const cw_chainstore *cs, scratch *s, uint64_t tx, unsigned r,
                                   uint64_t fs, unsigned *score, cw_patterns_detail *d)
{
    uint32_t large;
    if (r < CW_PAT_PEEL_SHORT_RUN || !hop_shape(cs, s, tx, &large) ||
        remainder_to_input(cs, tx, large))
        return 0;
    if (r >= CW_PAT_PEEL_MIN_RUN) {
        if (fs <= (uint64_t)r * CW_PAT_PEEL_MAX_MEAN_PPM) {
            if (!service_float(cs, s, tx, fs / r)) {
                *score = r >= 9 ? 95 : 50 + 5 * r;
                return CW_PAT_RULE_PEEL_RUN;
            }
            if (d)
                d->peel_float = true;
        }
        return 0;
    }
    uint64_t head;
    unsigned w, n = tight_run(cs, s, tx, CW_PAT_PEEL_SHORT_RUN, &fs, &head, &w);
    if (d)
        d->peel_tight = n;
    if (n >= CW_PAT_PEEL_SHORT_RUN && fs <= (uint64_t)w * CW_PAT_PEEL_MAX_MEAN_PPM) {
        if (!service_float(cs, s, head, fs / w)) {
            *score = 60;
            return CW_PAT_RULE_PEEL_SHORT;
        }
        if (d)
            d->peel_float = true;
    }
    return 0;
}

/* The peel-run rule (peel-run, peel-run-short or peel-run-branch) of the hop tx whose run
 * (peel_walk) has r hops peeling fs millionths in all: the rule, 0 when none; *score gets its
 * score. */
static unsigned peel_run_rule(const cw_chainstore *cs, scratch *s, uint64_t tx, unsigned r,
                              uint64_t fs, unsigned *score, cw_patterns_detail *d)
{
    unsigned rule = long_or_tight_rule(cs, s, tx, r, fs, score, d);
    if (rule || r < CW_PAT_PEEL_BRANCH_RUN || r >= CW_PAT_PEEL_MIN_RUN || (d && d->peel_float))
        return rule;
    uint32_t large;
    if (!hop_shape(cs, s, tx, &large) || !branch_run(cs, s, tx) ||
        remainder_to_input(cs, tx, large))
        return 0;
    if (d)
        d->peel_branch = true;
    *score = 55;
    return CW_PAT_RULE_PEEL_BRANCH;
}

/* Whether tx may end a run after the tx *from (rule peel-run-end): one input, spending an
 * output of *from paid to a fresh address (or, from a batched *from, to the chain's own earlier
 * remainder address: chain_reuse), 2..CW_PAT_PEEL_MAX_OUTS outputs, all to addresses,
 * at most CW_PAT_PEEL_TIGHT_BLOCKS blocks after *from. Reads the input and output rows only. */
static bool end_shape(const cw_chainstore *cs, uint64_t tx, uint64_t *from)
{
    uint64_t i0, i1, o0, o1;
    cw_chainstore_tx_range(cs, tx, &i0, &i1, &o0, &o1);
    if (i1 - i0 != 1 || o1 - o0 < 2 || o1 - o0 > CW_PAT_PEEL_MAX_OUTS)
        return false;
    const cw_row_in *r = cw_chainstore_in(cs, i0);
    if (r->spent_tx >= CW_IN_EXTERNAL)
        return false;
    const cw_row_out *ro = cw_chainstore_out(cs, o0);
    for (uint64_t k = 0; k < o1 - o0; k++)
        if (ro[k].addr == CW_NONE32)
            return false;
    uint64_t pi0, pi1, po0, po1;
    cw_chainstore_tx_range(cs, r->spent_tx, &pi0, &pi1, &po0, &po1);
    uint64_t so = po0 + r->spent_vout;
    if (cw_chainstore_out(cs, so)->addr == CW_NONE32)
        return false;
    if (paid_before(cs, so, 1) != 0 && (po1 - po0 <= 2 || !chain_reuse(cs, pi0, so)))
        return false;
    uint32_t hp = tx_height(cs, r->spent_tx), hc = tx_height(cs, tx);
    if (hc < hp || hc - hp > CW_PAT_PEEL_TIGHT_BLOCKS)
        return false;
    *from = r->spent_tx;
    return true;
}

/* The txs from a flagged run's last hop to tx (1..depth) when tx ends that run (rule
 * peel-run-end), 0 when not. The run's last hop: a hop flagged by its run whose remainder no
 * hop spends (a chain whose last peel is larger than its remainder pays the remainder in the
 * smaller output; a last batched hop whose largest output is a peel at an address paid before
 * is no hop), or only tx, itself a hop the run rule leaves out (a last hop peeling more than
 * the run's mean allows) that does not pay its remainder to its own input's address. A mid-run
 * hop's peels are never taken: the run continues through its remainder. */
static unsigned peel_end(const cw_chainstore *cs, scratch *s, uint64_t tx, unsigned depth)
{
    uint64_t p;
    if (depth == 0 || !end_shape(cs, tx, &p))
        return 0;
    uint32_t large;
    uint64_t fs;
    unsigned sc, r = peel_walk(cs, s, p, RUN_CAP, &fs);
    if (r >= CW_PAT_PEEL_SHORT_RUN && hop_shape(cs, s, p, &large) &&
        peel_run_rule(cs, s, p, r, fs, &sc, NULL)) {
        /* the run's last flagged hop: no hop spends its remainder, or tx does (a last hop
         * peeling more than the run's mean allows), unless tx pays it back to its own address */
        uint64_t c = peel_child(cs, s, p, large);
        uint32_t tl;
        if (c == tx)
            return hop_shape(cs, s, tx, &tl) && !remainder_to_input(cs, tx, tl) ? 1 : 0;
        return c == CW_NONE64 ? 1 : 0;
    }
    unsigned k = peel_end(cs, s, p, depth - 1);
    return k ? k + 1 : 0;
}

/* Fan-out (few inputs, many outputs) and fan-in (many inputs, few outputs) by the counts. */
static inline uint32_t fan_flags(uint64_t n_in, uint64_t n_out_all)
{
    return (n_in <= 3 && n_out_all >= 5 ? CW_PAT_FANOUT : 0) |
           (n_in >= 5 && n_out_all <= 2 ? CW_PAT_FANIN : 0);
}

/* The flags of a tx that is not a CoinJoin: fan-out, fan-in, peel-chain link. Not inlined:
 * shape_flags_at, its inline test, stays small enough for compute_at to inline. */
__attribute__((noinline)) static uint32_t shape_flags(const cw_chainstore *cs, scratch *s,
                                                      uint64_t tx, uint64_t n_in,
                                                      uint64_t n_out_all, cw_patterns_detail *d)
{
    uint32_t f = fan_flags(n_in, n_out_all);
    uint64_t fs;
    unsigned r = peel_walk(cs, s, tx, RUN_CAP, &fs), score = 0, rule = 0;
    if (d)
        d->peel_run = r;
    if (r >= CW_PAT_PEEL_SHORT_RUN)
        rule = peel_run_rule(cs, s, tx, r, fs, &score, d);
    if (rule) {
        unsigned parts = chain_judge(cs, s, tx, d);
        if ((parts & (CW_PAT_PEEL_PART_FRESH | CW_PAT_PEEL_PART_AUTOMATED)) &&
            __builtin_popcount(parts) >= CW_PAT_PEEL_STRONG_PARTS)
            f |= CW_PAT_PEEL_STRONG;
        return with_rule(f | CW_PAT_PEEL, rule, score);
    }
    if (!(s && s->defer_end)) {
        unsigned k = peel_end(cs, s, tx, CW_PAT_PEEL_END_HOPS);
        if (d)
            d->peel_end = k;
        if (k)
            return with_rule(f | CW_PAT_PEEL, CW_PAT_RULE_PEEL_END, 55);
    }
    return f ? with_rule(f, CW_PAT_RULE_SHAPE, 100) : 0;
}

/* shape_flags, inline for the txs a build's first pass decides (most of them): one the memo
 * knows is no peel hop has no run (peel_walk: 0 hops) and its run end waits for pass 4, so only
 * its counts flag it; the others call shape_flags. */
static inline uint32_t shape_flags_at(const cw_chainstore *cs, scratch *s, uint64_t tx,
                                      uint64_t n_in, uint64_t n_out_all, cw_patterns_detail *d)
{
    /* defer_end: build_memo's first pass, whose s has the memo for every tx it decides and no
     * detail (d) */
    if (s->defer_end && MEMO_HOP(s->memo[tx]) == 1) {
        uint32_t f = fan_flags(n_in, n_out_all);
        return f ? with_rule(f, CW_PAT_RULE_SHAPE, 100) : 0;
    }
    return shape_flags(cs, s, tx, n_in, n_out_all, d);
}

/* The flags of tx by every rule but joint funding, whose input and output ranges these are. */
static uint32_t compute_main(const cw_chainstore *cs, uint64_t tx, uint64_t i0, uint64_t i1,
                             uint64_t o0, uint64_t o1, scratch *s, cw_patterns_detail *d)
{
    uint64_t n_in = i1 - i0, n_out_all = o1 - o0;
    if (n_in && cw_chainstore_in(cs, i0)->spent_tx == CW_IN_COINBASE)
        return with_rule(CW_PAT_COINBASE, CW_PAT_RULE_COINBASE, 100);
    /* every multi-owner or Tx0 rule needs >= 2 inputs or >= 3 outputs: most txs stop here */
    if (n_out_all < 3)
        return shape_flags_at(cs, s, tx, n_in, n_out_all, d);
    bool sorted; /* s->vals holds the tx's output values, sorted */
    {
        /* cheap pre-check from the outputs alone, before any input is read: every rule below
         * needs a premix-valued output and an OP_RETURN (Tx0), two premix-valued outputs (Tx0
         * without OP_RETURN: >= 2 equal premixes), or >= 3 inputs and 3 equal outputs (every
         * other rule: Whirlpool and JoinMarket need as many inputs as equal outputs, the
         * others >= 3 or 5 inputs); most txs have none of these (a 2-input payout of equal
         * amounts is no CoinJoin) */
        unsigned premix_outs = 0;
        bool opret = false, any = false;
        sorted = false;
        const cw_row_out *ro = cw_chainstore_out(cs, o0); /* a tx's rows are contiguous */
        for (uint64_t o = 0; o < n_out_all; o++) {
            const cw_row_out *r = ro + o;
            premix_outs += premix_pool(cw_out_value(r)) != 0;
            opret |= cw_out_type(r) == CW_SCRIPT_OP_RETURN;
        }
        any = premix_outs >= 2 || (premix_outs >= 1 && opret);
        for (uint64_t o = 0; o < n_out_all && opret && !any; o++) /* another pool's Tx0 */
            any = premix_pool_any(cw_out_value(ro + o)) != 0;
        if (!any && n_in >= 3 && n_out_all <= 24) {
            for (uint64_t o = 0; o < n_out_all && !any; o++) {
                uint64_t v = cw_out_value(ro + o);
                unsigned same = 1;
                for (uint64_t q = o + 1; q < n_out_all && same < 3; q++)
                    same += cw_out_value(ro + q) == v;
                any = same >= 3;
            }
        } else if (!any && n_in >= 3) {
            /* many outputs: sorted, three equal ones are adjacent */
            if (scratch_fit(s, (size_t)n_out_all + 1))
                return 0; /* out of memory: no flags rather than wrong ones */
            size_t n = 0;
            for (uint64_t o = 0; o < n_out_all; o++)
                s->vals[n++] = cw_out_value(ro + o);
            sort_u64(s->vals, n);
            sorted = true; /* gather keeps them when every output counts */
            for (size_t i = 2; i < n && !any; i++)
                any = s->vals[i] == s->vals[i - 2];
        }
        if (!any && n_in >= 5 && n_out_all >= 10) {
            /* a small Wasabi 2 round: no value need repeat, but several are powers of 2 or 3 */
            unsigned exotic = 0;
            for (uint64_t o = 0; o < n_out_all && exotic < 4; o++)
                exotic += exotic_denom(cw_out_value(ro + o));
            any = exotic >= 4;
        }
        for (uint64_t o = 0; o < 4 && !any && n_in >= 2 && n_out_all == 4; o++)
            for (uint64_t q = o + 1; q < 4 && !any; q++) /* Stonewall: 2 equal of 4 */
                any = cw_out_value(ro + o) == cw_out_value(ro + q);
        if (!any)
            return shape_flags_at(cs, s, tx, n_in, n_out_all, d);
    }
    size_t need = n_in > n_out_all ? n_in : n_out_all;
    if (scratch_fit(s, need + 1))
        return 0; /* out of memory: no flags rather than wrong ones */
    txfacts x;
    gather(cs, i0, i1, o0, o1, s, &x, sorted);
    size_t m = x.n_out - x.k;
    size_t matched = SIZE_MAX; /* computed on demand */
    /* a build only needs to know whether 2 changes match; `explain` counts them all */
    size_t limit = d ? SIZE_MAX : 2;
#define MATCHED(j) (matched == SIZE_MAX ? (matched = match_changes(s, &x, (j), limit)) : matched)
    if (d) {
        d->equal_outputs = (uint32_t)x.k;
        d->equal_value = x.v;
        d->inputs = (uint32_t)x.n_in;
        d->input_addresses = (uint32_t)x.distinct;
        d->other_outputs = (uint32_t)m;
    }
    uint32_t f = 0;
    unsigned rule = 0, score = 0;
    const char *why = NULL; /* the reason for the kind */
    /* Whirlpool mix: n inputs each funding exactly one of n equal outputs, no change */
    if (x.n_opret == 0 && x.n_out == x.n_out_all && x.n_out >= 5 && x.n_out <= 10 &&
        x.n_in == x.n_out && x.k == x.n_out && x.all_known && x.v >= 10000) {
        bool near = true, one_each = x.distinct == x.n_in;
        for (size_t i = 0; i < x.n_in; i++) {
            near = near && s->ins[i] >= x.v && s->ins[i] <= x.v + premix_margin(x.v);
            one_each = one_each && s->ins[i] >= x.v && s->ins[i] < 2 * x.v;
        }
        if (near || one_each) {
            /* each input funds exactly one of the equal outputs, nobody takes change */
            bool pool = near && is_pool(x.v);
            f = CW_PAT_COINJOIN | CW_PAT_WHIRLPOOL;
            rule = pool ? CW_PAT_RULE_WHIRLPOOL : CW_PAT_RULE_EQUAL_MIX;
            score = pool ? 99 : near ? 85 : 80;
            why = "5-10 inputs each funding one of as many equal outputs";
            goto done;
        }
    }
    /* Tx0 with its OP_RETURN: premix outputs at a pool denomination plus a margin */
    uint64_t premix_d = 0;
    uint64_t (*pool_of)(uint64_t) = premix_pool; /* the pools the premix class is of */
    size_t premix = premix_class(s, &x, premix_pool, &premix_d);
    if (premix < x.k && x.n_opret >= 1) {
        /* another coordinator's pool, when its premixes are the largest class: a Tx0's change
         * or fee may fall inside a known pool's premix range (a 0.25 BTC pool's Tx0 with a
         * change of 0.0536 BTC, within 0.05 BTC's margin, was only fan_out) */
        uint64_t any_d = 0;
        size_t any = premix_class(s, &x, premix_pool_any, &any_d);
        if (any > premix) {
            premix = any;
            premix_d = any_d;
            pool_of = premix_pool_any;
        }
    }
    /* ... and a coordinator-fee-sized output: every Tx0 pays the pool's fee; one premix also
     * needs a third counted output (its change): a payment with a memo pays one amount and a
     * change, and any amount falls in some pool's window (1 in 3 of btc_alt5's memo payments
     * and btc_alt3's, with a fee-sized change for 1 in 4 of those). With one premix, a change
     * may fall in a smaller pool's window (a 0.05 BTC premix, its 175,000 sat fee and a change
     * of 128,989 sat): the premix is the output of the largest pool, whose fee is the largest */
    if (premix == 1 && x.k == 1)
        for (size_t i = 0; i < x.n_out; i++) {
            uint64_t d1 = pool_of(s->vals[i]);
            premix_d = d1 > premix_d ? d1 : premix_d;
        }
    if (premix >= 1 && x.n_opret >= 1 && x.n_out - premix <= 4 && premix == x.k &&
        has_fee_output(s, &x, premix_d) && (premix >= 2 || x.n_out >= 3)) {
        f = CW_PAT_TX0;
        rule = CW_PAT_RULE_TX0;
        score = 95;
        goto done;
    }
    if (x.k == 2 && x.n_out == 4 && x.n_opret == 0 && x.n_in >= 2 && x.distinct >= 2 &&
        x.v >= 5000 && stonewall_halves(s, &x)) {
        f = CW_PAT_COINJOIN_PROBABLE;
        rule = CW_PAT_RULE_STONEWALL;
        score = 40;
        goto done;
    }
    /* Wasabi 2, a small round (a few parties): no value need repeat three times, but nearly
     * every output is on the ladder and several distinct ones are powers of 2 or 3, values no
     * payer picks (the rule below needs a class of 3) */
    if (x.k < 3 && x.n_opret == 0 && x.n_in >= 5 && x.distinct >= 5 && x.n_out >= 10 &&
        5 * x.n_std >= 4 * x.n_out && x.exotic_distinct >= 4) {
        f = CW_PAT_COINJOIN | CW_PAT_WASABI2;
        why = "a small round: >= 80% of the outputs at standard denominations, >= 4 distinct "
              "powers of 2 or 3 among them";
        rule = CW_PAT_RULE_WASABI2;
        score = 85;
        goto done;
    }
    if (x.n_in < 2 || x.k < 3 || x.v < 5000 || x.n_opret > 0)
        goto tx0_plain;
    /* Wasabi 2: standard denominations */
    if (x.n_in >= 5 && x.n_out >= 10 && x.distinct >= 5 && 2 * x.n_std >= x.n_out &&
        x.std_distinct >= 3 && x.std_repeated >= 1 &&
        (x.exotic_distinct >= 2 ||
         (10 * x.n_std >= 9 * x.n_out && x.std_repeated >= 3 && x.distinct >= 10) ||
         decimal_ladder(&x))) {
        f = CW_PAT_COINJOIN | CW_PAT_WASABI2;
        why = "most outputs at standard denominations, several of them";
        rule = CW_PAT_RULE_WASABI2;
        score = MATCHED(4) >= 2 ? 97 : 90;
        goto done;
    }
    /* JoinMarket: n <= 20 equal outputs, one per participant; makers' changes matched by input
     * sub-sets */
    if (x.n_in >= x.k && x.k <= 20 && m >= 1 && m <= x.k + 1 && x.all_known &&
        x.max_out <= x.sum_in) {
        size_t mt = match_changes(s, &x, 1, SIZE_MAX);
        matched = mt;
        /* every party but the taker takes a change (a maker's is missing only when its coins
         * pay the amount exactly): a batch paying k equal amounts with a few other outputs is
         * one payer, however many of its inputs happen to sum to one of them */
        if (mt >= 2 && mt + 2 >= m && x.distinct >= 2 && m + 3 >= x.k && !pays_class(&x)) {
            f = CW_PAT_COINJOIN | round_kind(s, &x, m, mt, &why);
            rule = CW_PAT_RULE_JM_SUBSET;
            score = x.distinct >= x.k ? 95 : 88;
            goto done;
        }
        /* ... and at least one maker: a maker's change is its coins less the amount plus its
         * fee, well inside the tolerance, so a round where no sub-set explains any other
         * output has none (one payer's 3 round amounts and payments from 5 received coins,
         * btc20's and btc_alt5's: 7 false joinmarket flags, 0 matched; every true round this
         * rule flags on the outside worlds has >= 1) */
        if (x.distinct >= x.k && x.max_out <= x.max_in && x.reuse == 0 && m + 1 >= x.k && mt >= 1) {
            f = CW_PAT_COINJOIN | round_kind(s, &x, m, mt, &why);
            rule = CW_PAT_RULE_JM_STRUCTURE;
            score = 75;
            goto done;
        }
    }
    /* a large equal-output round (Wasabi 1 and others): possibly more equal outputs than
     * inputs, change outputs, a coordinator fee, even an output to an input address */
    if (x.k >= 5 && x.n_in >= 5 && x.distinct >= 5 && m >= 2 && 3 * x.k >= x.n_out &&
        (uint64_t)x.k * x.v <= x.sum_in && x.reuse * 10 <= x.n_out) {
        size_t mt = match_changes(s, &x, 4, limit);
        matched = mt;
        /* one payer's batch (payroll: k equal salaries, a few other payments and a change)
         * has both signs of one owner: one input could pay every equal output, and a handful
         * of other outputs (at most 5, and far fewer than equal ones); a round's parties each
         * bring their own coins (never at an exotic value: only Wasabi 2 makes those, and its
         * whales do bring one coin larger than the class) */
        /* ... or, with few other outputs, too few parties to hold the class: each party of a
         * round takes one equal output and either a change or pays it exactly, so k equal
         * outputs need k changes and exact funders together (a payroll paid from several of
         * the payer's coins, with one change larger than any of them) */
        /* ... or more equal outputs than inputs off the Wasabi 2 ladder: only Wasabi 2 gives a
         * party several outputs of one value, always a standard denomination (JoinMarket,
         * Wasabi 1.x and Whirlpool give each party one, and each party brings an input); a
         * payroll of 16 salaries of 3,333,000 sat from 12 received coins is one payer's */
        bool one_payer =
            !exotic_denom(x.v) &&
            (pays_class(&x) || (x.max_in >= (uint64_t)x.k * x.v && 3 * m < x.k && m <= 5) ||
             (m <= 5 && 2 * m < x.k && x.k <= x.n_in && m + exact_funders(s, &x, x.k) < x.k) ||
             (x.k > x.n_in && !std_denom(x.v)));
        if (!one_payer && (mt >= 2 || (x.k >= 10 && x.distinct >= 10 && m >= 3 && 3 * m >= x.k) ||
                           exotic_denom(x.v))) {
            /* the kind: Wasabi 1 mixes about 0.1 BTC; JoinMarket's takers pick any amount
             * for <= 20 participants, each one equal output and at most one change */
            f = CW_PAT_COINJOIN | round_kind(s, &x, m, mt, &why);
            rule = CW_PAT_RULE_EQUAL_ROUND;
            score = 80 + (mt >= 2 ? 10 : 0) + (x.k >= 10 ? 5 : 0);
            goto done;
        }
    }
tx0_plain:
    /* Tx0 without an OP_RETURN: premixes, a coordinator-fee-sized output, one owner, both of
     * the published sizes (tx0_plain_sizes) */
    if (premix >= 2 && premix == x.k && x.n_out - premix >= 1 && x.n_out - premix <= 3) {
        if (tx0_plain_sizes(s, &x, premix_d, premix) && (x.n_out - premix < 2 || MATCHED(1) <= 1)) {
            f = CW_PAT_TX0;
            rule = CW_PAT_RULE_TX0_NO_OPRETURN;
            score = 70;
            goto done;
        }
    }
    /* probable CoinJoin: several owners, not enough for a CoinJoin flag */
    if (x.k >= 3 && x.v >= 5000 && x.n_in >= 3 && x.distinct >= 3 && x.n_opret == 0 &&
        ((m >= 2 && (x.distinct >= x.k || (x.all_known && MATCHED(x.k >= 5 ? 4 : 1) >= 2))) ||
         (m == 0 && x.distinct >= x.k))) {
        /* matched changes lift a payer's batch exemption only when they explain half its other
         * outputs: a round's other outputs are its parties' changes (and a coordinator's fee),
         * while among a batch's 38 payments two may match single inputs by chance (btc_alt7's
         * exchange withdrawals: 3 equal of 41 outputs, 2 matched). Counted apart from MATCHED,
         * whose build count stops at 2 */
        size_t half = m ? (m - 1) / 2 : 0; /* 2 * half + 2 >= m */
        if (d)
            (void)MATCHED(x.k >= 5 ? 4 : 1); /* the evidence */
        /* ... or when many parties' changes match among many parties' coins: a Wasabi 2 round
         * (our own worlds': 48 inputs from 45 addresses, 23 equal and 159 other outputs, 15
         * changes matched) has most other outputs at its other denominations, not as changes;
         * a payer's batch of a few (hot) addresses matches 2 by chance: 4 matched among coins of
         * at least 8 addresses lift it too */
        bool exempt = payer_batch(s, &x, m);
        if (exempt && x.all_known) { /* at most 4 matches sought: a round's 159 others cost */
            size_t mc = match_changes(s, &x, x.k >= 5 ? 4 : 1, 4);
            exempt = mc < half && !(mc >= 4 && x.distinct >= 8);
        }
        size_t split = exempt ? 0 : equal_split(s, &x, m);
        if (exempt) {
            if (d)
                d->payer_batch = true;
        } else if (split) {
            if (d)
                d->equal_split = (uint32_t)split;
        } else {
            f = CW_PAT_COINJOIN_PROBABLE;
            rule = CW_PAT_RULE_PROBABLE;
            score = 50;
            goto done;
        }
    }
done:
#undef MATCHED
    if (d) {
        d->changes_matched = matched == SIZE_MAX ? 0 : (uint32_t)matched;
        d->kind_reason = (f & CW_PAT_COINJOIN) ? why : NULL;
    }
    if (f & CW_PAT_COINJOIN)
        return with_rule(f, rule, score);
    uint32_t sf = shape_flags_at(cs, s, tx, n_in, n_out_all, d);
    if (f)
        return with_rule(f | (sf & CW_PAT_FLAG_MASK), rule, score);
    return sf;
}

/* ------------------------------------------------------------------ joint funding */

/* The joint-funding rules (docs/PATTERNS.md, "Joint funding"), from the tx and the outputs it
 * spends alone (a cluster build is incremental: no later spend may decide them). Two owners
 * pay one shared 2-of-2 output, which the chain shows only as P2WSH (the 2-of-2 script is
 * seen when it is spent, and a taproot 2-of-2 is one key: P2TR funding cannot be told apart):
 *   escrow-deposit    >= 2 inputs from >= 2 addresses, not all P2WSH (a multisig wallet's
 *                     spend), exactly one P2WSH output, one OP_RETURN (a trade's contract hash:
 *                     Bisq's deposit tx) and at most JOINT_MAX_CHANGES other outputs (the
 *                     traders' changes);
 *   dual-funded-open  the same inputs, exactly one P2WSH output, no OP_RETURN and exactly
 *                     JOINT_MAX_CHANGES other outputs, none P2WSH (each peer's change: BOLT 2's
 *                     interactive construction, v2 channel establishment);
 *   splice-in         exactly one P2WSH input (the channel's funding output) beside inputs of
 *                     another type, from >= 2 addresses, paying exactly one P2WSH output (the
 *                     new funding output) and one other (the splicer's change).
 * Inputs are read for at most JOINT_MAX_INS of them (a peer adds a few coins). Returns the
 * rule (0 when none) and its score. */
#define JOINT_MAX_OUTS 4
#define JOINT_MAX_INS 16
#define JOINT_MAX_CHANGES 2
static unsigned joint_rule(const cw_chainstore *cs, uint64_t i0, uint64_t i1, uint64_t o0,
                           uint64_t o1, unsigned *score, cw_patterns_detail *d)
{
    uint64_t n_in = i1 - i0, n_out = o1 - o0;
    if (n_in < 2 || n_in > JOINT_MAX_INS || n_out < 2 || n_out > JOINT_MAX_OUTS)
        return 0;
    const cw_row_out *ro = cw_chainstore_out(cs, o0);
    unsigned wsh = 0, opret = 0;
    for (uint64_t o = 0; o < n_out; o++) {
        cw_script_type t = cw_out_type(ro + o);
        wsh += t == CW_SCRIPT_P2WSH;
        opret += t == CW_SCRIPT_OP_RETURN;
    }
    if (d) {
        d->p2wsh_outputs = wsh;
        d->opreturn_outputs = opret;
    }
    unsigned other = (unsigned)n_out - wsh - opret, rule;
    if (wsh != 1)
        return 0;
    if (opret == 1 && other <= JOINT_MAX_CHANGES)
        rule = CW_PAT_RULE_ESCROW_DEPOSIT;
    else if (opret == 0 && other == JOINT_MAX_CHANGES)
        rule = CW_PAT_RULE_DUAL_FUNDED;
    else if (opret == 0 && other == 1)
        rule = CW_PAT_RULE_SPLICE_IN;
    else
        return 0;
    uint32_t addr[JOINT_MAX_INS];
    unsigned n_addr = 0, wsh_in = 0;
    for (uint64_t i = i0; i < i1; i++) {
        uint32_t a;
        uint64_t v;
        cw_script_type t = CW_SCRIPT_NONSTANDARD;
        if (!in_value_addr_type(cs, i, &v, &a, &t) || a == CW_NONE32)
            return 0; /* an unknown prevout: no judgement */
        wsh_in += t == CW_SCRIPT_P2WSH;
        bool seen = false;
        for (unsigned k = 0; k < n_addr && !seen; k++)
            seen = addr[k] == a;
        if (!seen)
            addr[n_addr++] = a;
    }
    if (d)
        d->input_addresses = n_addr;
    if (n_addr < 2)
        return 0; /* one address: no union to withhold */
    if (rule == CW_PAT_RULE_SPLICE_IN) {
        *score = 50;
        return wsh_in == 1 ? rule : 0;
    }
    if (wsh_in == n_in)
        return 0; /* a multisig wallet spending its own P2WSH coins */
    *score = rule == CW_PAT_RULE_ESCROW_DEPOSIT ? 70 : 50;
    return rule;
}

/* f, the flags of a tx by every other rule, with the joint-funding flag when a rule fires: the
 * joint rule becomes the tx's rule unless a peel rule decided it (its rule stays, the peel
 * rules read it). */
__attribute__((noinline)) static uint32_t joint_flags(const cw_chainstore *cs, uint64_t i0,
                                                      uint64_t i1, uint64_t o0, uint64_t o1,
                                                      uint32_t f, cw_patterns_detail *d)
{
    unsigned score = 0, rule = joint_rule(cs, i0, i1, o0, o1, &score, d);
    if (!rule)
        return f;
    if (d) {
        d->joint_rule = rule;
        d->joint_score = score;
    }
    unsigned r = CW_PAT_RULE(f);
    if (r == CW_PAT_RULE_NONE || r == CW_PAT_RULE_SHAPE)
        return with_rule(f | CW_PAT_JOINT_FUNDING, rule, score);
    return f | CW_PAT_JOINT_FUNDING;
}

/* The flags of tx, whose input and output ranges these are. */
static inline uint32_t compute_at(const cw_chainstore *cs, uint64_t tx, uint64_t i0, uint64_t i1,
                                  uint64_t o0, uint64_t o1, scratch *s, cw_patterns_detail *d)
{
    uint32_t f = compute_main(cs, tx, i0, i1, o0, o1, s, d);
    if (i1 - i0 < 2 || o1 - o0 > JOINT_MAX_OUTS ||
        (f & (CW_PAT_COINBASE | CW_PAT_COINJOIN | CW_PAT_COINJOIN_PROBABLE | CW_PAT_TX0)))
        return f;
    return joint_flags(cs, i0, i1, o0, o1, f, d);
}

static uint32_t compute(const cw_chainstore *cs, uint64_t tx, scratch *s, cw_patterns_detail *d)
{
    uint64_t i0, i1, o0, o1;
    cw_chainstore_tx_range(cs, tx, &i0, &i1, &o0, &o1);
    return compute_at(cs, tx, i0, i1, o0, o1, s, d);
}

uint32_t cw_patterns_compute(const cw_chainstore *cs, uint64_t tx)
{
    scratch s = {0};
    uint32_t f = compute(cs, tx, &s, NULL);
    scratch_free(&s);
    return f;
}

void cw_patterns_explain(const cw_chainstore *cs, uint64_t tx, cw_patterns_detail *out)
{
    memset(out, 0, sizeof *out);
    scratch s = {0};
    out->flags = compute(cs, tx, &s, out);
    out->rule = CW_PAT_RULE(out->flags);
    out->score = CW_PAT_SCORE(out->flags);
    scratch_free(&s);
}

void cw_patterns_detail_json(json_t *obj, const cw_chainstore *cs, uint64_t tx, uint32_t f)
{
    cw_patterns_detail d;
    cw_patterns_explain(cs, tx, &d);
    unsigned rule = CW_PAT_RULE(f);
    json_object_set_new(obj, "rule", json_string(rule_names[rule < CW_PAT_N_RULES ? rule : 0]));
    json_object_set_new(obj, "rule_text",
                        json_string(rule_texts[rule < CW_PAT_N_RULES ? rule : 0]));
    json_object_set_new(obj, "score", json_integer(CW_PAT_SCORE(f)));
    json_object_set_new(obj, "probable",
                        json_boolean(rule != CW_PAT_RULE_NONE && CW_PAT_SCORE(f) < 100));
    json_object_set_new(
        obj, "evidence",
        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "equal_outputs",
                  (json_int_t)d.equal_outputs, "equal_value_sat", (json_int_t)d.equal_value,
                  "inputs", (json_int_t)d.inputs, "input_addresses", (json_int_t)d.input_addresses,
                  "other_outputs", (json_int_t)d.other_outputs, "changes_matched",
                  (json_int_t)d.changes_matched, "peel_run", (json_int_t)d.peel_run));
    if (d.peel_tight)
        json_object_set_new(json_object_get(obj, "evidence"), "peel_tight_run",
                            json_integer(d.peel_tight));
    if (d.peel_float)
        json_object_set_new(json_object_get(obj, "evidence"), "service_float", json_true());
    if (d.peel_end)
        json_object_set_new(json_object_get(obj, "evidence"), "peel_end", json_integer(d.peel_end));
    if (d.peel_branch)
        json_object_set_new(json_object_get(obj, "evidence"), "peel_branch", json_true());
    if (d.chain_score) {
        json_t *parts = json_array();
        for (unsigned i = 0; i < CW_PAT_PEEL_N_PARTS; i++)
            if (d.chain_parts & (1u << i))
                json_array_append_new(parts, json_string(peel_part_names[i]));
        json_object_set_new(json_object_get(obj, "evidence"), "chain_judgement",
                            json_pack("{s:s, s:I, s:b, s:o, s:I, s:I, s:I, s:I, s:I, s:I}", "rule",
                                      "peel-chain-judged", "score", (json_int_t)d.chain_score,
                                      "strong", (d.flags & CW_PAT_PEEL_STRONG) != 0, "parts", parts,
                                      "hops", (json_int_t)d.chain_hops, "median_gap_blocks",
                                      (json_int_t)d.chain_gap, "start_sat",
                                      (json_int_t)d.chain_start_sat, "fresh_remainders",
                                      (json_int_t)d.chain_fresh, "peels", (json_int_t)d.chain_peels,
                                      "peels_to_paid_addresses", (json_int_t)d.chain_peels_paid));
    }
    if (d.payer_batch)
        json_object_set_new(json_object_get(obj, "evidence"), "payer_batch", json_true());
    if (d.equal_split) {
        json_object_set_new(json_object_get(obj, "evidence"), "not_probable_rule",
                            json_string("equal-split"));
        json_object_set_new(json_object_get(obj, "evidence"), "near_equal_outputs",
                            json_integer(d.equal_split));
    }
    if (d.kind_reason)
        json_object_set_new(json_object_get(obj, "evidence"), "kind_reason",
                            json_string(d.kind_reason));
    if (d.joint_rule)
        json_object_set_new(json_object_get(obj, "evidence"), "joint_funding",
                            json_pack("{s:s, s:I, s:s, s:I, s:I, s:I}", "rule",
                                      rule_names[d.joint_rule], "score", (json_int_t)d.joint_score,
                                      "rule_text", rule_texts[d.joint_rule], "p2wsh_outputs",
                                      (json_int_t)d.p2wsh_outputs, "op_return_outputs",
                                      (json_int_t)d.opreturn_outputs, "input_addresses",
                                      (json_int_t)d.input_addresses));
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
    return cw_store_lock(fd, p, p, "another build is running");
}

/* Recomputes the older txs (before from) that spend an output of tx, other than the new tx
 * `except`, and theirs, depth txs down: the txs that may end a run at tx (peel-run-end), whose
 * flags change when a new hop continues the run through tx's remainder. */
static void revisit_ends(const cw_chainstore *cs, scratch *s, uint64_t tx, uint64_t except,
                         uint64_t from, uint32_t *rows, unsigned depth)
{
    uint64_t i0, i1, o0, o1;
    cw_chainstore_tx_range(cs, tx, &i0, &i1, &o0, &o1);
    if (depth == 0 || o1 - o0 > CW_PAT_PEEL_MAX_OUTS)
        return;
    for (uint64_t o = o0; o < o1; o++) {
        uint32_t sp = cw_chainstore_out(cs, o)->spending_tx;
        if (sp == CW_NONE32 || sp >= from || sp == except)
            continue;
        rows[sp] = compute(cs, sp, s, NULL);
        revisit_ends(cs, s, sp, except, from, rows, depth - 1);
    }
}

/* Whether a tx with flags f may start a branch by its peels (peel-run-branch's source). */
static bool branch_source(uint32_t f)
{
    return (f & CW_PAT_PEEL) &&
           (CW_PAT_RULE(f) == CW_PAT_RULE_PEEL_RUN || CW_PAT_RULE(f) == CW_PAT_RULE_PEEL_SHORT);
}

/* Recomputes the older runs started by the older hop p's peels (peel-run-branch), and their
 * ends: a new hop that flags p (or no longer does) changes them too. */
static void revisit_branches(const cw_chainstore *cs, scratch *s, uint64_t p, uint64_t from,
                             uint32_t *rows)
{
    uint32_t large;
    uint64_t i0, i1, o0, o1, txs = cw_chainstore_counts_get(cs).txs;
    if (!hop_shape(cs, s, p, &large))
        return;
    cw_chainstore_tx_range(cs, p, &i0, &i1, &o0, &o1);
    for (uint64_t o = o0; o < o1; o++) {
        if (o == o0 + large)
            continue;
        uint64_t t = cw_chainstore_out(cs, o)->spending_tx;
        uint32_t l;
        for (unsigned h = 0;
             t < txs && t < from && h < CW_PAT_PEEL_MIN_RUN && hop_shape(cs, s, t, &l); h++) {
            rows[t] = compute(cs, t, s, NULL);
            revisit_ends(cs, s, t, CW_NONE64, from, rows, CW_PAT_PEEL_END_HOPS);
            t = peel_child(cs, s, t, l);
        }
    }
}

/* Recomputes the older hops of a new hop t's run (from > 0): a new hop may complete the run
 * of older ones, and ends the run no longer at its parent; and the runs their peels started. */
static void revisit_older(const cw_chainstore *cs, scratch *s, uint64_t t, uint64_t from,
                          uint32_t *rows)
{
    uint64_t p = t;
    for (unsigned h = 1; h < 2 * CW_PAT_PEEL_MIN_RUN; h++) {
        p = peel_parent(cs, s, p);
        if (p == CW_NONE64)
            break;
        if (p < from) {
            uint32_t before = rows[p];
            rows[p] = compute(cs, p, s, NULL);
            if (branch_source(rows[p]) != branch_source(before))
                revisit_branches(cs, s, p, from, rows);
        }
        if (h == 1 && p < from)
            revisit_ends(cs, s, p, t, from, rows, CW_PAT_PEEL_END_HOPS);
    }
}

/* The flags of txs [from, to) without a memo (out of memory): each one on its own, walking
 * the peel runs in the store. Slower, the same flags. */
static void build_walk(const cw_chainstore *cs, scratch *s, uint64_t from, uint64_t to,
                       uint32_t *rows)
{
    for (uint64_t t = from; t < to; t++) {
        rows[t] = compute(cs, t, s, NULL);
        if (from > 0 && cw_patterns_peel_shape(cs, t, NULL))
            revisit_older(cs, s, t, from, rows);
    }
}

/* A hop's parent and the hop it parents, as one row of the build's link list. */
typedef struct peel_link {
    uint32_t parent, child;
} peel_link;

/* The flags of txs [from, to) through the memo, each tx's rows read once, in file order:
 *  1. oldest first: a tx that is not a peel hop gets its flags (compute: its only flags do not
 *     depend on later txs); a hop (1-2 inputs and 2-4 outputs are no CoinJoin, fan-in or
 *     fan-out; a 2-output hop is no Tx0 either, so peel_chain and joint_funding, decided here
 *     from the tx alone, are its only possible flags) gets
 *     its hops above (its parent's count plus one, the parent being older) and the links
 *     (p, hop) for each hop p whose remainder it spends (hop is p's peel_child);
 *  2. the links newest first: each parent's hops below = its child's plus one (a child's
 *     count is final once the links of its own children, all newer, are done);
 *  3. every new hop whose run reaches CW_PAT_PEEL_SHORT_RUN (few), and every batched hop (3-4
 *     outputs: it may be a Tx0 without OP_RETURN), is decided by compute, which walks the run
 *     for its peel fractions; the others are no peel-chain hop (0);
 *  4. every tx that may end a flagged run (peel-run-end: it depends on the run of an older
 *     hop, known only now; pass 1 leaves it out) is decided by compute.
 * The same counts as run_side's walks, so the same flags as compute on each tx. */
static int build_memo(const cw_chainstore *cs, scratch *s, uint64_t from, uint64_t to,
                      uint32_t *rows)
{
    peel_link *links = NULL;
    size_t n_links = 0, cap_links = 0;
    const unsigned up_sh = MEMO_SIDE_SHIFT(false), down_sh = MEMO_SIDE_SHIFT(true);
    s->defer_end = true; /* a run's end needs its last hop's run: decided in pass 4 */
    for (uint64_t t = from; t < to; t++) {
        uint64_t i0, i1, o0, o1;
        uint32_t large = 0;
        cw_chainstore_tx_range(cs, t, &i0, &i1, &o0, &o1);
        bool hop = peel_shape_at(cs, i0, i1, o0, o1, &large);
        s->memo[t] = (uint16_t)(s->memo[t] | (hop ? 2 + large : 1) |
                                (hop && o1 - o0 > 2 ? MEMO_BATCHED : 0));
        if (!hop) {
            rows[t] = compute_at(cs, t, i0, i1, o0, o1, s, NULL);
            continue;
        }
        /* a hop's flag besides peel_chain (pass 3 decides that one): joint funding, from the tx
         * alone (a 2-input splice-in may have a hop's shape) */
        rows[t] = i1 - i0 >= 2 ? joint_flags(cs, i0, i1, o0, o1, 0, NULL) : 0;
        uint64_t par[2];
        unsigned np = peel_parents_at(cs, s, i0, i1, par, 2);
        unsigned up = 0;
        if (np) {
            unsigned pu = (s->memo[par[0]] >> up_sh) & 7u;
            up = 1 + (pu ? pu - 1u : run_side(cs, s, par[0], false));
            if (up > SIDE_CAP)
                up = SIDE_CAP;
        }
        s->memo[t] = (uint16_t)(s->memo[t] | (up + 1u) << up_sh);
        if (cw_grow(&links, &cap_links, n_links + np, sizeof *links, 1u << 16)) {
            cw_free(links);
            return cw_error_set(CW_ENOMEM, "patterns build: out of memory");
        }
        for (unsigned k = 0; k < np; k++)
            links[n_links++] = (peel_link){(uint32_t)par[k], (uint32_t)t};
    }
    /* a parent has one child (the spender of its remainder), so one link names it */
    for (size_t k = n_links; k-- > 0;) {
        unsigned cd = (s->memo[links[k].child] >> down_sh) & 7u;
        unsigned down = 1 + (cd ? cd - 1u : 0);
        if (down > SIDE_CAP)
            down = SIDE_CAP;
        s->memo[links[k].parent] = (uint16_t)(s->memo[links[k].parent] | (down + 1u) << down_sh);
    }
    cw_free(links);
    s->defer_end = false;
    for (uint64_t t = from; t < to; t++) {
        uint16_t m = s->memo[t];
        if (MEMO_HOP(m) < 2)
            continue;
        if (!((m >> down_sh) & 7u)) /* no link names it a parent: no hop below */
            s->memo[t] = m = (uint16_t)(m | 1u << down_sh);
        if ((m & MEMO_BATCHED) ||
            ((m >> up_sh) & 7u) + ((m >> down_sh) & 7u) - 2u + 1u >= CW_PAT_PEEL_SHORT_RUN)
            rows[t] = compute(cs, t, s, NULL);
        if (from > 0)
            revisit_older(cs, s, t, from, rows);
    }
    /* 4. the txs ending a flagged run (few): decided by compute once every run is known. A
     * new tx ends a run only when its one input spends a peel_chain tx's output (the run's
     * last hop, or the tx ending it before) at most a block older, whose row is final */
    if (from < to) {
        uint64_t bi = cw_chainstore_tx_block(cs, from);
        for (uint64_t p = cw_chainstore_block(cs, bi > 0 ? bi - 1 : 0)->first_tx; p < to; p++) {
            if (!(rows[p] & CW_PAT_PEEL))
                continue;
            uint64_t i0, i1, o0, o1;
            cw_chainstore_tx_range(cs, p, &i0, &i1, &o0, &o1);
            for (uint64_t o = o0; o < o1 && o1 - o0 <= CW_PAT_PEEL_MAX_OUTS; o++) {
                uint32_t t = cw_chainstore_out(cs, o)->spending_tx;
                if (t == CW_NONE32 || t < from || t >= to || (rows[t] & CW_PAT_PEEL))
                    continue;
                if (peel_end(cs, s, t, CW_PAT_PEEL_END_HOPS))
                    rows[t] = compute(cs, t, s, NULL);
            }
        }
    }
    return 0;
}

/* The generation folder of the flags (patterns.<gen>/). */
static void flags_dir(char *out, size_t n, const char *store, uint64_t gen)
{
    cw_derived_gen_dir(out, n, store, "patterns", gen);
}

/* Opens the column the manifest names, read-only, checked against its txs. */
static int open_flags(cw_column *col, const char *store, const cw_manifest *m)
{
    char d[4096];
    flags_dir(d, sizeof d, store, cw_manifest_get(m, "gen", 0));
    int rc = cw_column_open(col, d, "txflags", 4, false);
    if (rc)
        return rc;
    uint64_t txs = cw_manifest_get(m, "txs", 0);
    if (col->cap < txs) {
        cw_column_close(col, false);
        return cw_error_set(CW_ECORRUPT, "%s/txflags.col: shorter than its manifest's %llu txs", d,
                            (unsigned long long)txs);
    }
    return 0;
}

int cw_patterns_build(const char *store_dir, cw_patterns_stats *stats)
{
    cw_patterns_stats st;
    memset(&st, 0, sizeof st);
    double t0 = cw_now();
    cw_chainstore *cs = NULL;
    cw_column col, old;
    bool col_open = false, old_open = false, published = false;
    uint64_t new_gen = 0;
    int lock = -1;
    scratch s = {0};
    char mpath[4096], ndir[4096];
    path_in(mpath, sizeof mpath, store_dir, "patterns.manifest");
    int rc = cw_chainstore_open(&cs, store_dir, false, CW_NET_MAIN);
    if (rc)
        goto out;
    if ((rc = cw_analytics__lock(&lock, store_dir, "patterns.lock")))
        goto out;
    cw_chainstore_counts c = cw_chainstore_counts_get(cs);
    cw_manifest m;
    uint64_t from = 0, old_gen = 0;
    if (cw_manifest_read(&m, mpath) == 0 && cw_manifest_get(&m, "format", 0) == PAT_FORMAT) {
        old_gen = cw_manifest_get(&m, "gen", 0);
        from = cw_manifest_get(&m, "txs", 0);
        if (!tip_matches(cs, &m) || from > c.txs) {
            st.rebuilt = true;
            from = 0;
        } else if (open_flags(&old, store_dir, &m) == 0) {
            old_open = true;
        } else if (from > 0) {
            /* the column is missing or shorter than its manifest says: damaged, rebuild */
            st.rebuilt = true;
            from = 0;
        }
    }
    cw_error_clear();
    st.txs_before = from;
    if (old_open && from == c.txs) {
        /* up to date: nothing to write */
        const uint32_t *rows = c.txs ? cw_column_row(&old, 0) : NULL;
        for (uint64_t t = 0; t < c.txs; t++)
            for (uint32_t f = rows[t] & ((1u << CW_PAT_N_FLAGS) - 1); f; f &= f - 1)
                st.counts[__builtin_ctz(f)]++;
        st.txs_after = c.txs;
        goto out;
    }
    /* A new generation, whole: the rows a reader has mapped are never rewritten (an extension
     * recomputes older rows of peel runs) nor trimmed under it. Above every folder present. */
    new_gen = cw_derived_next_gen(store_dir, "patterns", old_gen);
    flags_dir(ndir, sizeof ndir, store_dir, new_gen);
    if (mkdir(ndir, 0755) != 0 && errno != EEXIST) {
        rc = cw_error_set(CW_EIO, "%s: %s", ndir, strerror(errno));
        goto out;
    }
    if ((rc = cw_column_open(&col, ndir, "txflags", 4, true)))
        goto out;
    col_open = true;
    col.rows = 0;
    if ((rc = cw_column_reserve(&col, c.txs + 1)))
        goto out;
    uint32_t *rows = (uint32_t *)cw_column_row(&col, 0);
    if (from > 0)
        memcpy(rows, cw_column_row(&old, 0), from * 4);
    /* NULL (out of memory) only costs speed */
    memo_alloc(&s, c.txs + 1);
    if (s.memo)
        rc = build_memo(cs, &s, from, c.txs, rows);
    else
        build_walk(cs, &s, from, c.txs, rows);
    if (rc)
        goto out;
    col.rows = c.txs;
    for (uint64_t t = 0; t < c.txs; t++)
        for (uint32_t f = rows[t] & ((1u << CW_PAT_N_FLAGS) - 1); f; f &= f - 1)
            st.counts[__builtin_ctz(f)]++; /* the set bits only: most rows have none */
    col_open = false;
    if ((rc = cw_column_close(&col, true)) || (rc = cw_fsync_dir(ndir)))
        goto out;
    memset(&m, 0, sizeof m);
    if ((rc = cw_manifest_set(&m, "format", PAT_FORMAT)) ||
        (rc = cw_manifest_set(&m, "gen", new_gen)) || (rc = cw_manifest_set(&m, "txs", c.txs)) ||
        (rc = cw_analytics__set_tip(&m, cs)) ||
        /* not from rows a rollback beside the build rewrote (docs/STORE-FORMAT.md) */
        (rc = cw_chainstore_snapshot_check(cs)) || (rc = cw_manifest_write(&m, mpath)))
        goto out;
    published = true;
    cw_derived_remove_other_gens(store_dir, "patterns", new_gen);
    char legacy[4200]; /* formats 3 to 5 kept their rows beside the manifest */
    path_in(legacy, sizeof legacy, store_dir, "txflags.col");
    unlink(legacy);
    st.txs_after = c.txs;
out:
    if (col_open)
        cw_column_close(&col, false);
    if (old_open)
        cw_column_close(&old, false);
    if (!published && new_gen)
        cw_derived_remove_gen(store_dir, "patterns", new_gen); /* nothing half-written is left */
    if (lock >= 0)
        close(lock);
    if (cs)
        cw_chainstore_close(cs);
    scratch_free(&s);
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
    cw_patterns *p = cw_calloc(1, sizeof *p);
    if (!p)
        return cw_error_set(CW_ENOMEM, "out of memory");
    cw_manifest m;
    int rc;
    /* a build may publish the next generation and remove this one between the manifest and the
     * column: then the new manifest names a complete one (cw_derived_moved) */
    for (int tries = 0;; tries++) {
        if ((rc = cw_manifest_read(&m, mpath))) {
            cw_free(p);
            return rc == CW_ENOTFOUND ? cw_error_set(CW_ENOTFOUND,
                                                     "%s: no pattern flags (run `chainwatch "
                                                     "patterns build`)",
                                                     dir)
                                      : rc;
        }
        cw_derived_test_hook();
        if (cw_manifest_get(&m, "format", 0) != PAT_FORMAT) {
            cw_free(p);
            return cw_error_set(CW_EVERSION,
                                "%s: flags of another format (run `chainwatch patterns build`)",
                                mpath);
        }
        if (cw_manifest_get(&m, "blocks", 0) > cw_chainstore_counts_get(cs).blocks) {
            cw_free(p);
            return cw_error_set(CW_ECORRUPT,
                                "%s: built over more blocks than this store handle holds: the "
                                "store grew since it was opened (ask again), or was reorganised "
                                "to a shorter chain (run `chainwatch patterns build`)",
                                mpath);
        }
        if (!tip_matches(cs, &m)) {
            cw_free(p);
            return cw_error_set(CW_ECORRUPT,
                                "%s: the chain was reorganised below the flags' tip (run "
                                "`chainwatch patterns build`)",
                                mpath);
        }
        if ((rc = open_flags(&p->col, dir, &m)) == 0)
            break;
        if (tries == 2 || !cw_derived_moved(&m, mpath)) {
            cw_free(p);
            return rc;
        }
        cw_error_clear();
    }
    p->txs = cw_manifest_get(&m, "txs", 0);
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
    json_t *pat = json_object();
    cw_patterns_detail_json(pat, cs, t, f);
    json_object_set_new(j, "pattern", pat);
}
