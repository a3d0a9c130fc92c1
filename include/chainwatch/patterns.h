/*
 * patterns.h: per-transaction pattern flags (CoinJoin kinds, peel-chain links, fan-out,
 * fan-in) computed over a chain store and persisted beside it as `txflags.col` (one u32 per tx)
 * with its own manifest `patterns.manifest` (the tx and block counts it covers and the hash of
 * the last block covered). docs/PATTERNS.md gives the exact rules.
 *
 * The flags of a tx depend on the tx itself, the outputs it spends and the txs that spend its
 * outputs (peel-chain links), so a build over new blocks also revisits the parents of the new
 * txs. A build continues from the covered count; a reorg below it (the covered tip block is no
 * longer in the store) rebuilds from tx 0.
 */
#ifndef CHAINWATCH_PATTERNS_H
#define CHAINWATCH_PATTERNS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chainwatch/btc/store.h"

/* Flag bits (part of the txflags.col format). */
#define CW_PAT_COINJOIN (1u << 0)   /* any CoinJoin rule below, or the generic rule */
#define CW_PAT_WHIRLPOOL (1u << 1)  /* 5 in / 5 out at a Whirlpool pool denomination */
#define CW_PAT_WASABI1 (1u << 2)    /* many ~0.1 BTC equal outputs + coordinator fee */
#define CW_PAT_WASABI2 (1u << 3)    /* large round, standard denominations */
#define CW_PAT_JOINMARKET (1u << 4) /* n equal outputs + n-1..n change outputs */
#define CW_PAT_PEEL (1u << 5)       /* peel-chain link */
#define CW_PAT_FANOUT (1u << 6)     /* few inputs, many outputs */
#define CW_PAT_FANIN (1u << 7)      /* many inputs, one or two outputs (consolidation) */
#define CW_PAT_COINBASE (1u << 8)   /* coinbase tx */
#define CW_PAT_N_FLAGS 9

/* Name of flag bit i ("coinjoin", "whirlpool", ...), or NULL past the last. */
const char *cw_patterns_flag_name(unsigned bit);
/* Writes the comma-separated names of the set flags into buf ("" when none). */
void cw_patterns_flags_string(char *buf, size_t n, uint32_t flags);

/* The flags of tx computed from the store alone (no persisted column needed). Valid for any
 * tx below the published tx count. */
uint32_t cw_patterns_compute(const cw_chainstore *cs, uint64_t tx);
/* Peel-chain shape of a tx (1 or 2 inputs, 2 outputs, the larger at least 4x the smaller);
 * *large gets the vout of the larger output. */
bool cw_patterns_peel_shape(const cw_chainstore *cs, uint64_t tx, uint32_t *large);

typedef struct cw_patterns_stats {
    uint64_t txs_before;             /* txs covered before this build */
    uint64_t txs_after;              /* txs covered now */
    bool rebuilt;                    /* a reorg (or a damaged column) forced a rebuild from tx 0 */
    uint64_t counts[CW_PAT_N_FLAGS]; /* txs carrying each flag, over the whole store */
    double seconds;
} cw_patterns_stats;

/* Computes or extends txflags.col for every published tx of the store in store_dir. Opens the
 * chain store read-only; takes an flock on store_dir/analytics.lock (CW_EBUSY when another
 * build runs). stats may be NULL. Errors: CW_EIO, CW_ECORRUPT, CW_ENOTFOUND, CW_EBUSY. */
int cw_patterns_build(const char *store_dir, cw_patterns_stats *stats);

/* A read-only view of txflags.col. */
typedef struct cw_patterns cw_patterns;
/* Opens the flags of an open store; CW_ENOTFOUND when never built. The view covers the txs of
 * its manifest (cw_patterns_covered); a reorg since the build makes it CW_ECORRUPT ("rebuild"). */
int cw_patterns_open(cw_patterns **out, const cw_chainstore *cs);
void cw_patterns_close(cw_patterns *p);
uint64_t cw_patterns_covered(const cw_patterns *p);
/* Flags of tx: 0 and *flags, or CW_ENOTFOUND when tx is past the covered count. */
int cw_patterns_tx_flags(const cw_patterns *p, uint64_t tx, uint32_t *flags);

/* For `chainwatch tx`: adds "flags" (array of names) to a tx JSON object of cw_query_tx,
 * from txflags.col when it covers the tx, else computed on the fly ("flags_source" says
 * which). Never fails the caller: on any error it adds nothing. */
void cw_patterns_annotate_tx(json_t *tx_json, const cw_chainstore *cs);

#endif
