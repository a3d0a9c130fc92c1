/*
 * evm/query.h: the EVM store's queries as JSON (the CLI's `tx`, `address`, `block`, `check`
 * on an EVM store). Amounts are decimal strings of base units (wei, token units) with the
 * asset's decimals beside them: nothing is rounded. Every document names the "chain" and says
 * "synthetic" (true when the store holds a generated world: cw_evmstore_synthetic).
 */
#ifndef CHAINWATCH_EVM_QUERY_H
#define CHAINWATCH_EVM_QUERY_H

#include <jansson.h>
#include <stdint.h>

#include "chainwatch/evm/store.h"

/* A tx by 0x hash: header, movements (with the event they decode), status. */
int cw_evm_query_tx(json_t **out, const cw_evmstore *s, const char *hash);
/* An address: balance per asset, a page of movements (newest first), counterparties. */
int cw_evm_query_address(json_t **out, const cw_evmstore *s, const char *addr, uint64_t offset,
                         uint64_t limit);
/* The same, with a stated opening snapshot (NULL: none): `address,asset,balance` lines (the
 * format of cw_evm_check_opening's), the balances before the store's first block. Balances are
 * then the opening's plus the flows held ("opening": file, before_block, balances_read,
 * balances_of_address), when every block has receipts, logs and traces; without a snapshot a
 * store that starts after genesis gives net flows "from_block" its first block. A bad snapshot
 * line: CW_ECORRUPT naming file and line. */
int cw_evm_query_address_opening(json_t **out, const cw_evmstore *s, const char *addr,
                                 uint64_t offset, uint64_t limit, const char *opening);
/* What the token contract of `asset` says of `account` at the store's tip, when it has frozen it
 * (issuer.col, cw_evmstore_frozen): {"by" (the token's contract), "since_block", "since_time",
 * "tx" (the freeze's), "probable" (the freezing tx's status unknown), "meaning"}; NULL when the
 * asset is no token or its contract has not frozen the account (a fact from the chain, never a
 * judgement: only the token's own contract counts). */
json_t *cw_evm_frozen_json(const cw_evmstore *s, uint32_t account, uint32_t asset);
/* A block by number or 0x hash. */
int cw_evm_query_block(json_t **out, const cw_evmstore *s, const char *which);
/* Every cross-reference; "no balance below zero" when the store starts at genesis with
 * receipts and traces for every block. *out is always set when memory allows; returns 0 clean,
 * CW_ECORRUPT when problems were found. */
int cw_evm_check(json_t **out, const cw_evmstore *s);
/* As cw_evm_check, and "no balance below zero" also for a store that starts after genesis, from
 * a stated opening snapshot: `opening` names a file of the balances held before the store's
 * first block, `address,asset,balance` a line (asset: the native coin as ETH, native or the
 * chain's symbol, or a token's address; balance in base units), as tests/evm/balances.py writes
 * them. A bad line is an error naming the file and line (nothing checked); NULL: cw_evm_check. */
int cw_evm_check_opening(json_t **out, const cw_evmstore *s, const char *opening);

#endif
