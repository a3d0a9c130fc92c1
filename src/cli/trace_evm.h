/* trace_evm.h: `chainwatch trace` on an EVM store (trace_evm.c), called by cmd_trace.c. */
#ifndef CW_CLI_TRACE_EVM_H
#define CW_CLI_TRACE_EVM_H

#include "cli/cli.h"

int cw_cli_trace_evm(const cw_command *cmd, int argc, char **argv);

#endif
