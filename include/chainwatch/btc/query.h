/*
 * btc/query.h: answers about the Bitcoin chain store as JSON (jansson) values, shared by the CLI
 * and the HTTP API. Each returns a new reference (*out owned by the caller) or
 * CW_ENOTFOUND/CW_EINVAL.
 */
#ifndef CHAINWATCH_BTC_QUERY_H
#define CHAINWATCH_BTC_QUERY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "chainwatch/btc/store.h"

/* A block by height ("170") or hash (64 hex digits). Lists txids when with_txs. */
int cw_query_block(json_t **out, const cw_chainstore *cs, const char *height_or_hash, int with_txs);
/* A tx by txid: inputs with the outputs they spend, outputs with addresses and spending txs,
 * fee when every input value is known. */
int cw_query_tx(json_t **out, const cw_chainstore *cs, const char *txid_hex);
/* Just the tx object for a tx number (used by other modules). */
int cw_query_tx_num(json_t **out, const cw_chainstore *cs, uint64_t tx);
/* An address: received, sent, balance, tx count, first/last seen, one page of txs (newest
 * first), offset/limit paging. */
int cw_query_address(json_t **out, const cw_chainstore *cs, const char *addr, uint64_t offset,
                     uint64_t limit);
/* The same through the store's address-history index ix (NULL: none; see
 * cw_query_address_page_ix below): the same value, node for node. */
typedef struct cw_addrhist cw_addrhist;
int cw_query_address_ix(json_t **out, const cw_chainstore *cs, const cw_addrhist *ix,
                        const char *addr, uint64_t offset, uint64_t limit);
/* The same page as plain data (the server writes it as JSON without building a tree,
 * chain_api.c): txs are the distinct txs paying or spending the page's outputs, newest first;
 * hist the page's outputs, newest first, each naming its paying tx and its spender (UINT32_MAX:
 * unspent as published) by index into txs. 0, CW_EINVAL (not an address), CW_ENOTFOUND or
 * CW_ENOMEM; on success free with cw_query_address_page_free. */
#define CW_QUERY_ADDRESS_PAGED_BY "outputs, newest first"
typedef struct cw_addr_page_tx {
    uint64_t tx;
    uint8_t txid[32]; /* internal byte order: shown reversed */
    uint32_t height, time;
} cw_addr_page_tx;
typedef struct cw_addr_page_out {
    uint64_t vout, value; /* value in satoshis */
    uint32_t paid, spent;
} cw_addr_page_out;
typedef struct cw_addr_page_seen {
    uint32_t height, time;
} cw_addr_page_seen;
typedef struct cw_addr_page {
    char address[CW_ADDR_STR_MAX]; /* canonical form */
    uint64_t id, offset, limit;
    cw_row_addrsum sum;
    bool more, seen; /* seen: first_seen and last_seen are set (the address has a tx) */
    cw_addr_page_seen first_seen, last_seen;
    cw_addr_page_tx *txs;
    cw_addr_page_out *hist;
    uint64_t n_txs, n_hist;
    uint64_t links; /* links of outlink.col followed to find the page (its cost in dependent
                       reads; the address-history index makes it the outputs newer than it) */
} cw_addr_page;
int cw_query_address_page(cw_addr_page *p, const cw_chainstore *cs, const char *addr,
                          uint64_t offset, uint64_t limit);
/* The same page through the store's address-history index ix (btc/addrhist.h, opened on cs;
 * NULL: none): the outputs it covers are read as a slice at the page's offset, the newer ones
 * walked from the address's last output. Answers as cw_query_address_page, byte for byte; when
 * the index and the address's summary disagree on the output count it walks as without one. */
int cw_query_address_page_ix(cw_addr_page *p, const cw_chainstore *cs, const cw_addrhist *ix,
                             const char *addr, uint64_t offset, uint64_t limit);
void cw_query_address_page_free(cw_addr_page *p);
/* What a set of addresses (ids, e.g. a cluster's members) adds up to, from their summary rows:
 * {addresses, received, sent, balance, outputs, unspent_outputs, unit: "sat", first_seen and
 * last_seen: {height, time} (on-chain, seconds since the epoch) when any has a tx}. Returns 0,
 * CW_EINVAL (an id past the store) or CW_ENOMEM. */
int cw_query_addrs_totals(json_t **out, const cw_chainstore *cs, const uint32_t *addrs, uint64_t n);
/* The same in two steps: the figures (cw_query_addrs_sum: 0, CW_EINVAL or CW_ENOMEM), and their
 * JSON (NULL: out of memory). A sum depends only on the addresses and the store handle's
 * published counts, so it can be kept while both stay the same (cw_clusters_totals). */
typedef struct cw_addrs_sum {
    uint64_t n, received, sent, n_out, n_spent; /* n: addresses summed; amounts in satoshis */
    uint64_t first;                             /* smallest id with a tx; CW_NONE64: none has */
    uint64_t last_tx;                           /* the newest tx of any (when first is set) */
} cw_addrs_sum;
int cw_query_addrs_sum(cw_addrs_sum *out, const cw_chainstore *cs, const uint32_t *addrs,
                       uint64_t n);
json_t *cw_query_addrs_sum_json(const cw_chainstore *cs, const cw_addrs_sum *sum);
/* Address string of an address id (into buf of CW_ADDR_STR_MAX). */
void cw_query_addr_string(char *buf, const cw_chainstore *cs, uint32_t addr);

/* Integrity check of every column and cross-reference. Returns 0 when clean; fills *out with
 * {"ok":bool, "checked":{...counts}, "errors":[...first 100 problems]}. */
int cw_store_check(json_t **out, const cw_chainstore *cs);

#endif
