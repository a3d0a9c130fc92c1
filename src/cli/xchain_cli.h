/* xchain_cli.h: bridge exits of an EVM trace as JSON and text (xchain_cli.c). */
#ifndef CW_CLI_XCHAIN_CLI_H
#define CW_CLI_XCHAIN_CLI_H

#include <jansson.h>

#include "chainwatch/xchain.h"

/* {"bridge_exits": [...], "continuations": [...]}; asset_json formats an EVM asset. btc may be
 * NULL only when x has no continuations. New reference. */
json_t *cw_cli_xchain_json(const cw_xchain_result *x, const cw_evmstore *s,
                           const cw_chainstore *btc,
                           json_t *(*asset_json)(const cw_evmstore *, uint32_t));
/* The text section for that JSON (nothing when there are no exits). */
void cw_cli_xchain_print(json_t *xj);

#endif
