/*
 * screen.h: exposure screening. The exposure of an address is the share of the value it
 * received that comes, within k hops backward under the haircut model, from addresses of
 * each labelled category (sanctioned, theft, mixer, exchange...). Direct exposure is value
 * whose immediate sender is labelled (hop 1); indirect, value that reaches a label in 2..k
 * hops. Value traced back to the address itself (its own change) is left out of the base;
 * value that meets no label within k hops is "unknown", newly mined value "coinbase".
 * docs/TRACE-MODELS.md defines the haircut model and the ends.
 */
#ifndef CHAINWATCH_SCREEN_H
#define CHAINWATCH_SCREEN_H

#include <jansson.h>
#include <stdint.h>

#include "chainwatch/btc/store.h"
#include "chainwatch/trace.h"

typedef struct cw_screen_opts {
    uint32_t hops;         /* k (default 3) */
    uint32_t until_height; /* only outputs received at or below this height; UINT32_MAX */
    uint64_t min_value;    /* haircut fragments below this end as unknown (default 1) */
    uint64_t max_nodes;    /* memory bound per address (0: the trace default) */
    cw_trace_is_coinjoin_fn is_coinjoin; /* unused by haircut; kept for the pattern module */
} cw_screen_opts;

void cw_screen_opts_init(cw_screen_opts *o);

typedef struct cw_screen_result cw_screen_result;

/* Screens one address (a string for the store's network). Returns 0, CW_EINVAL (not an
 * address), CW_ENOTFOUND (no outputs in the store) or CW_ENOMEM. *out owned by the caller. */
int cw_screen_address(cw_screen_result **out, const cw_chainstore *cs,
                      const cw_trace_labelmap *labels, const char *addr,
                      const cw_screen_opts *opts);
void cw_screen_result_free(cw_screen_result *r);

/* Value received from others (the base of the shares), in satoshis. */
uint64_t cw_screen_received(const cw_screen_result *r);
/* Share (0..1) of the received value that comes from category (direct + indirect). */
double cw_screen_share(const cw_screen_result *r, const char *category);
/* {"address", "received", "self", "base", "exposure": [{category, value, share, direct,
 * indirect, min_hops}], "unknown", "coinbase", "paths": [...top paths...]} */
json_t *cw_screen_json(const cw_screen_result *r, size_t top_paths);

#endif
