/* screen_evm.h: `chainwatch screen` on an EVM store (screen_evm.c), called by cmd_screen.c. */
#ifndef CW_CLI_SCREEN_EVM_H
#define CW_CLI_SCREEN_EVM_H

#include "cli/cli.h"

int cw_cli_screen_evm(const cw_command *cmd, int argc, char **argv);

#endif
