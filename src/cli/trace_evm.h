/* trace_evm.h: `chainwatch trace` on an EVM store (trace_evm.c), called by cmd_trace.c. */
#ifndef CW_CLI_TRACE_EVM_H
#define CW_CLI_TRACE_EVM_H

#include <jansson.h>
#include <stdbool.h>

#include "chainwatch/evm/store.h"
#include "chainwatch/evm/u256.h"
#include "cli/cli.h"

int cw_cli_trace_evm(const cw_command *cmd, int argc, char **argv);
/* Opens the EVM store in dir read-only for `--evm-store chain=dir`: 0, or CW_EINVAL when dir is
 * no EVM store or holds another chain (the message names both), or the open's error. */
int cw_cli_evm_store_open_as(cw_evmstore **d, const char *chain, const char *dir);
/* The text of an account-model trace document (cw_acct_report_run's, with its bridge exits). */
void cw_cli_trace_evm_print(json_t *j);
/* "123.456 USDT": base units v of the asset described by asset_json's object, exactly. */
void cw_cli_evm_scaled(char *out, size_t n, const cw_u256 *v, json_t *asset);
/* The same from a decimal string of base units (an optional leading '-'); "N base units of SYM"
 * when the asset has no decimals; a token without a symbol is named by its contract when
 * name_contract. */
void cw_cli_evm_scaled_dec(char *out, size_t n, const char *dec, json_t *asset, bool name_contract);

#endif
