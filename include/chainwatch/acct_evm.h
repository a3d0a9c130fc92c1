/*
 * acct_evm.h: the account-model trace (acct_trace.h) on an EVM store (evm/store.h).
 */
#ifndef CHAINWATCH_ACCT_EVM_H
#define CHAINWATCH_ACCT_EVM_H

#include <stdlib.h>

#include "chainwatch/acct_trace.h"
#include "chainwatch/evm/store.h"

typedef struct cw_acct_evm {
    const cw_evmstore *store;
    /* where traces stop (CW_ACCT_STOP_*), e.g. from labels; may be NULL */
    int (*stop)(void *ctx, uint32_t account);
    void *stop_ctx;
    /* an exchange stop that stands for one customer (a deposit address); may be NULL */
    bool (*personal)(void *ctx, uint32_t account);
} cw_acct_evm;

/* Fills *out to read movements from ctx->store; ctx must outlive the trace. */
void cw_acct_source_evm(cw_acct_source *out, cw_acct_evm *ctx);

/* The value movements of a tx (fees and NFT transfers left out), as trace sources: a new array
 * of *n movement ids (free()). A movement whose receiver pays out, of that asset and later in the
 * tx, at least all it receives from it on is passed on, not a source (its onward movements are:
 * a relayer's own ETH paid into a bridge's spoke pool, forwarded to the recipient in the fill, is
 * not the heist's); *n_passed (may be NULL) counts them. CW_EINVAL for a malformed hash,
 * CW_ENOTFOUND for an unknown tx or one that moves no value. */
int cw_acct_evm_tx_sources(const cw_evmstore *s, const char *hash, uint64_t **ids, size_t *n,
                           size_t *n_passed);

#endif
