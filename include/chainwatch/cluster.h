/*
 * cluster.h: address clustering over a chain store (docs/CLUSTERING.md).
 *
 * The multi-input heuristic (all input addresses of a tx belong to one wallet) with CoinJoin
 * txs excluded (CW_PAT_COINJOIN from patterns.h), plus optional change-address heuristics,
 * selectable and composable as a bit set. Union-find over dense address ids (path compression,
 * union by rank); each successful union records the tx that caused it, so `why` can name the
 * txs that joined two addresses (the recorded unions form a spanning forest of each cluster).
 *
 * Persisted in the store directory: `cluster.manifest` (format, generation, txs/blocks/tip
 * covered, heuristics, the pattern flags' format, counts) naming the folder `cluster.<gen>/` that
 * holds the columns parent.col (address -> root address), addr2cl.col (address -> dense cluster
 * id), cloff.col (cluster -> first member, CSR offsets, clusters + 1 rows), clmem.col (members,
 * address ids ascending within a cluster) and merges.col (a u32, b u32, tx u32 per union). A build
 * writes a new generation and publishes it by replacing the manifest, so readers never see a half
 * written one. Builds continue from the covered tx count; a reorg below it, a different set
 * of heuristics, or pattern flags of another format (rules that decide which txs unite
 * changed) rebuilds from tx 0, and a reader refuses clusters of another patterns format. Cluster
 * ids are dense and ordered by their smallest address id; they are renumbered by every build
 * (address ids are the stable names).
 */
#ifndef CHAINWATCH_CLUSTER_H
#define CHAINWATCH_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chainwatch/btc/query.h"
#include "chainwatch/btc/store.h"

/* Change heuristics (bit set). */
#define CW_CHANGE_FRESH (1u << 0)   /* the only output to an address never seen before */
#define CW_CHANGE_OPTIMAL (1u << 1) /* the only output smaller than every input */
#define CW_CHANGE_TYPE (1u << 2)    /* the only output of the inputs' script type */
#define CW_CHANGE_POWER10 (1u << 3) /* the only non-round output when another is round */
#define CW_CHANGE_PEEL (1u << 4)    /* the larger output of a peel-chain link */
#define CW_CHANGE_REUSE (1u << 5)   /* the only output paid back to an input address */
#define CW_CHANGE_LOCKTIME                                                                         \
    (1u << 6) /* nonzero locktime: the only output spent by a tx that                              \
                 also sets a nonzero locktime */
#define CW_CHANGE_N 7
#define CW_CHANGE_ALL ((1u << CW_CHANGE_N) - 1)

/* Build option beside the change bits (same word; cw_clusters_change() returns it): also unite
 * the inputs of a probable PayJoin (cw_cluster_payjoin_probable), as builds before stop 25 did.
 * Without it such a tx contributes no union (docs/CLUSTERING.md, "PayJoin"). */
#define CW_CLUSTER_UNITE_PAYJOIN (1u << 16)

/* Name of heuristic bit i ("fresh", ...), NULL past the last. */
const char *cw_cluster_change_name(unsigned bit);
/* Parses "fresh,optimal,type,power10,peel,reuse,locktime", "all" or "none"; CW_EINVAL naming the
 * unknown word. */
int cw_cluster_change_parse(uint32_t *out, const char *list);

/* The change output of tx under the heuristics in `which` (see docs/CLUSTERING.md for how
 * they compose): 0 and *vout, or CW_ENOTFOUND when they do not single out one output
 * (coinbase, CoinJoin, fewer than two outputs, no agreement). tx_flags are the CW_PAT_* flags
 * of tx (cw_patterns_compute). Sets no error message. */
int cw_cluster_change_output(const cw_chainstore *cs, uint64_t tx, uint32_t tx_flags,
                             uint32_t which, uint32_t *vout);

/* A probable PayJoin (BIP78, the receiver adds its own coin to the payer's inputs): a tx that is
 * neither a coinbase nor a CoinJoin (tx_flags, cw_patterns_compute), with exactly 2 inputs, of
 * known prevouts at 2 addresses, exactly 2 outputs, both to an address, and one input larger than
 * both outputs (the unnecessary-input heuristic UIH2: that input alone pays either output, so a
 * wallet that picks the coins a payment needs would not add the other; a payee adding its coin
 * does). A judgement: some single wallets spend such txs. Sets no error message. */
bool cw_cluster_payjoin_probable(const cw_chainstore *cs, uint64_t tx, uint32_t tx_flags);
#define CW_CLUSTER_PAYJOIN_RULE "uih2"
const char *cw_cluster_payjoin_text(void);

typedef struct cw_cluster_stats {
    uint64_t txs_before, txs_after; /* txs covered before / after */
    uint64_t addrs, clusters, merges;
    uint64_t multi_input_merges, change_merges; /* unions from each kind of evidence */
    uint64_t coinjoin_skipped;                  /* txs excluded as CoinJoin or probable CoinJoin */
    uint64_t probable_skipped;                  /* of which probable CoinJoins */
    uint64_t payjoin_withheld;                  /* probable PayJoins that contributed no union */
    uint64_t joint_withheld; /* probable joint fundings (CW_PAT_JOINT_FUNDING): no union */
    uint64_t payjoin_united; /* probable PayJoins united (CW_CLUSTER_UNITE_PAYJOIN) */
    uint64_t largest;                           /* size of the largest cluster */
    bool rebuilt;
    double seconds;
} cw_cluster_stats;

/* Builds or extends the clusters of the store in store_dir (builds the pattern flags first).
 * change is a CW_CHANGE_* set, with CW_CLUSTER_UNITE_PAYJOIN or not. Opens the chain store
 * read-only; takes store_dir/cluster.lock (CW_EBUSY when held). stats may be NULL. */
int cw_cluster_build(const char *store_dir, uint32_t change, cw_cluster_stats *stats);

/* A read-only view of the persisted clusters. */
typedef struct cw_clusters cw_clusters;
/* CW_ENOTFOUND when never built; CW_ECORRUPT when the chain was reorganised since. */
int cw_clusters_open(cw_clusters **out, const cw_chainstore *cs);
void cw_clusters_close(cw_clusters *c);
/* Point lookups from now on (a server): page faults in the handle's files read their own page,
 * not a read-ahead window (cw_store_advise_random). A hint. */
void cw_clusters_advise_random(const cw_clusters *c);
uint64_t cw_clusters_count(const cw_clusters *c);
uint64_t cw_clusters_addrs(const cw_clusters *c);  /* addresses covered */
uint32_t cw_clusters_change(const cw_clusters *c); /* heuristics used */
uint64_t cw_clusters_txs(const cw_clusters *c);    /* txs covered */
/* Cluster id of an address (CW_NONE32 past the covered addresses). */
uint32_t cw_clusters_of(const cw_clusters *c, uint32_t addr);
/* Members of a cluster, ascending (borrowed; valid until cw_clusters_close). */
const uint32_t *cw_clusters_members(const cw_clusters *c, uint32_t cluster, uint64_t *n);

/* What cluster `cluster`'s members add up to (cw_query_addrs_sum) as the store handle cs
 * publishes them. Clusters of CW_CLUSTERS_MEMO_MIN members or more are summed once per handle
 * and published counts, then answered from memory, so that a lookup costs the same whatever
 * the cluster's size; the sums are forgotten when cs's counts change (a commit through cs) and
 * go with the handle (reopen both after a commit by another process, as the server does).
 * With a store handle other than the one the clusters were opened with, it sums every time.
 * Safe to call from several threads on one handle. 0, CW_ENOTFOUND (no such cluster),
 * CW_EINVAL or CW_ENOMEM. */
#define CW_CLUSTERS_MEMO_MIN 8
int cw_clusters_totals(const cw_clusters *c, const cw_chainstore *cs, uint32_t cluster,
                       cw_addrs_sum *out);
/* Lookups of memoised clusters answered from memory (hits) and summed (misses) so far. */
void cw_clusters_memo_stats(const cw_clusters *c, uint64_t *hits, uint64_t *misses);

/* One step of a `why` path: the union of addresses a and b caused by tx. */
typedef struct cw_cluster_step {
    uint32_t a, b, tx;
} cw_cluster_step;
/* The unions that join addresses a and b (path in the union forest, from a to b): *steps
 * owned by the caller (cw_free). CW_ENOTFOUND when they are in different clusters; 0 steps
 * when a == b. */
int cw_clusters_why(const cw_clusters *c, uint32_t a, uint32_t b, cw_cluster_step **steps,
                    size_t *n_steps);

/* The evidence behind one union: the heuristic and, for change, the rules that named it. */
enum { CW_CLUSTER_UNKNOWN = 0, CW_CLUSTER_MULTI_INPUT = 1, CW_CLUSTER_CHANGE = 2 };
typedef struct cw_cluster_reason {
    unsigned heuristic;    /* CW_CLUSTER_MULTI_INPUT, CW_CLUSTER_CHANGE (UNKNOWN: store damaged) */
    uint32_t change_rules; /* CHANGE: the CW_CHANGE_* heuristics that each name the output */
    uint32_t vout;         /* CHANGE: the change output of the step's tx */
    uint32_t tx_flags;     /* the step tx's pattern flags (cw_patterns_compute) */
    bool payjoin;          /* the step tx is a probable PayJoin (cw_cluster_payjoin_probable) */
} cw_cluster_reason;
/* Recomputes why the step's tx united its two addresses, under the heuristics the clusters
 * were built with. */
void cw_clusters_step_reason(const cw_clusters *c, const cw_chainstore *cs,
                             const cw_cluster_step *step, cw_cluster_reason *out);
/* When a and b are in different clusters because the union of a probable PayJoin that spends
 * both was withheld: 0 and that tx in *tx (the first such tx of a's outputs); CW_ENOTFOUND when
 * no tx spends both or the clusters were built with CW_CLUSTER_UNITE_PAYJOIN. */
int cw_clusters_payjoin_between(const cw_clusters *c, const cw_chainstore *cs, uint32_t a,
                                uint32_t b, uint64_t *tx);
/* "multi-input", "change" or "unknown", and a one-line statement of the heuristic. */
const char *cw_cluster_heuristic_name(unsigned heuristic);
const char *cw_cluster_heuristic_text(unsigned heuristic);
/* One-line statement of change heuristic bit i, NULL past the last. */
const char *cw_cluster_change_text(unsigned bit);

#endif
