/* trace_btcevm.h: a Bitcoin trace's bridge exits continued into EVM stores (trace_btcevm.c),
 * called by cmd_trace.c for `trace --evm-store CHAIN=DIR` on a Bitcoin store. */
#ifndef CW_CLI_TRACE_BTCEVM_H
#define CW_CLI_TRACE_BTCEVM_H

#include <jansson.h>

#include "chainwatch/btc/store.h"
#include "chainwatch/labels.h"
#include "chainwatch/trace.h"

/* For each "CHAIN=DIR" of specs: the document of cw_xchain_btcevm_report (the exits' payouts
 * on that store, the refunds followed back on Bitcoin with the trace's own options bo and
 * labels lm, one forward account-model trace from the payouts traced on, labels from db, may be
 * NULL), appended to j's "evm_continuations". window_s 0: the engine's default. 0 or an error
 * code (the message names the store). */
int cw_cli_trace_btcevm(json_t *j, const cw_chainstore *bs, const cw_trace *t, cw_labels *db,
                        const cw_trace_opts *bo, const cw_trace_labelmap *lm, size_t top,
                        size_t graph, const char *const *specs, int n, uint64_t window_s);
/* The text of j's "memos_kept" and "evm_continuations" (nothing when it has neither). */
void cw_cli_trace_btcevm_print(json_t *j);

#endif
