/*
 * btc/addrhist.h: the address-history index of a Bitcoin chain store (docs/STORE-FORMAT.md,
 * "Address-history index"): for every address, its outputs in ascending order with the tx
 * paying each, laid out as a CSR (compressed sparse rows) pair of columns, so that page k of
 * an address's history is two dependent reads whatever the offset, where the store's own
 * per-address chain of links (outlink.col) costs one read per output skipped; and, since stop
 * 16, a card per address (card.col) read beside the address's own rows, which holds where its
 * rows are and its newest output whole (a one-output address's page needs nothing else).
 *
 * Derived and optional: it lives beside the store in addrhist.<gen>/ with addrhist.manifest
 * naming the generation and what it covers (the store's output and address counts, and the
 * hash of the block holding the last output covered). The store's writer never touches it;
 * cw_addrhist_build (re)writes it from the store as a new generation, appending what ingest
 * added since the last build, and publishes it by replacing the manifest (a kill at any point
 * leaves the old manifest and generation, or the new ones). Readers use it for outputs below
 * the covered count and walk the store's links for the newer ones (cw_query_address_page_ix),
 * and do without it when it is missing or does not match the store (a reorganisation below its
 * last block, or a store with fewer outputs than it covers).
 */
#ifndef CHAINWATCH_BTC_ADDRHIST_H
#define CHAINWATCH_BTC_ADDRHIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chainwatch/btc/store.h"

#define CW_ADDRHIST_FORMAT 1

typedef struct cw_addrhist cw_addrhist;

typedef struct cw_addrhist_stats {
    uint64_t outs_before; /* outputs the previous generation covered (0: built from scratch) */
    uint64_t outs, addrs; /* what the index covers now */
    uint64_t entries;     /* outputs with an address (OP_RETURN outputs have none) */
    uint64_t bytes;       /* of the generation's files (off, ent and card.col) */
    bool rebuilt;         /* the previous generation was missing, damaged or did not match */
    bool up_to_date;      /* nothing to do: it covered the whole store already */
    bool cards;           /* the generation has cards: only below CW_ADDRHIST_CARDS_MAX outputs */
    double seconds;
} cw_addrhist_stats;
/* A card holds 32-bit output and tx numbers (UINT32_MAX: none): cards are written for stores with
 * fewer outputs than this (mainnet had about 3 billion in 2026); at or above it the build writes
 * none, says so (`addrindex`: cards false and a cards_note), and lookups read off.col and ent.col.
 */
#define CW_ADDRHIST_CARDS_MAX ((uint64_t)UINT32_MAX)

/* Brings the index of the store in store_dir up to the store's published state: appends the
 * outputs ingested since the last build (or builds it whole), writes generation gen+1, replaces
 * addrhist.manifest and removes the older generations. One build at a time (CW_EBUSY);
 * identical bytes for the same store whatever the builds before. Tests: CW_TEST_CRASH_POINT=N
 * kills the process at the N-th step of the write. */
int cw_addrhist_build(const char *store_dir, cw_addrhist_stats *stats);

/* Opens the index of the store handle cs (read-only), checked against it: CW_ENOTFOUND when
 * none is built, CW_ECORRUPT when it does not match the store (reorganised below it, fewer
 * outputs, files shorter than the manifest says), CW_EVERSION for another format. The handle
 * is valid while cs is. */
int cw_addrhist_open(cw_addrhist **out, const cw_chainstore *cs);
void cw_addrhist_close(cw_addrhist *h);
/* Point lookups from now on (a server): see cw_store_advise_random. */
void cw_addrhist_advise_random(const cw_addrhist *h);
/* Outputs and addresses covered: outputs at or past cw_addrhist_outs are not in the index. */
uint64_t cw_addrhist_outs(const cw_addrhist *h);
uint64_t cw_addrhist_addrs(const cw_addrhist *h);
/* An address's card (card.col, one 32-byte row per covered address, written by builds since
 * stop 16 while the store has fewer than 2^32 outputs): where its entries are, how many of its
 * covered outputs were spent when the index was built, and its newest covered output whole (the
 * tx paying it, its vout and value, and the tx spending it as published then: CW_NONE64 for
 * unspent), so that a lookup of an address with one output needs neither off.col, ent.col nor
 * outs.col. The newest output's spender is current only while the address's summary still
 * counts n outputs and n_spent spent ones (nothing paid or spent since the build). */
typedef struct cw_addrhist_card {
    uint64_t first, n;                 /* its entries: ent.col rows [first, first + n) */
    uint64_t n_spent;                  /* of those n, spent at the build */
    uint64_t tx, vout, value, spender; /* the newest (n > 0) */
} cw_addrhist_card;
/* Whether the index has cards (false: built by an older build, or the store has 2^32 outputs
 * or more; lookups then read off.col). */
bool cw_addrhist_has_cards(const cw_addrhist *h);
/* The card of a covered address: false without cards or past the covered addresses. */
bool cw_addrhist_card_get(const cw_addrhist *h, uint64_t a, cw_addrhist_card *out);
/* Adds the page holding address a's card (without cards: its off.col rows) to a prefetch batch
 * of the store's (cw_chainstore_find_addr_ahead asks for it with the address's own rows). */
void cw_addrhist_prefetch(const cw_addrhist *h, uint64_t a, cw_chainstore_prefetch *p);

/* The number of covered outputs paying address a (0 past the covered addresses). */
uint64_t cw_addrhist_count(const cw_addrhist *h, uint64_t a);
/* Its k-th newest covered output (k < cw_addrhist_count) and the tx paying it. */
void cw_addrhist_entry(const cw_addrhist *h, uint64_t a, uint64_t k, uint64_t *out, uint64_t *tx);
/* Prefetch hint (cw_store_willneed) for the pages holding entries [k0, k1) newest-first of a. */
void cw_addrhist_willneed(const cw_addrhist *h, uint64_t a, uint64_t k0, uint64_t k1);

/* The paths of the published generation's files for a warm-up (cw_chainstore_warm's
 * index_files), in the order a lookup reads them: card.col (when the manifest says it has
 * cards), off.col, ent.col. Returns their number (at most CW_ADDRHIST_FILES_MAX), or 0 without
 * an index (a missing or unreadable manifest). Nothing is opened but the manifest. */
#define CW_ADDRHIST_PATH_MAX 4200
#define CW_ADDRHIST_FILES_MAX 3
size_t cw_addrhist_files(const char *store_dir, char (*paths)[CW_ADDRHIST_PATH_MAX]);

/* Verifies the index of cs's store: rebuilds it in memory from the store's outputs and compares
 * its files byte for byte (the cards too, when the manifest says it has them). 0 when it matches;
 * CW_ENOTFOUND when none is built; CW_EEXISTS when it was built for another state of the store (a
 * reorganisation below it: lookups do not use it, a build replaces it); CW_ECORRUPT naming the
 * first address whose entries differ (or the file that is wrong), or what does not match the store.
 */
int cw_addrhist_check(const cw_chainstore *cs);

#endif
