/*
 * hex_int.h: the EVM hex decoder's widths (block.c), reached by the tests only.
 */
#ifndef CW_CHAIN_EVM_HEX_INT_H
#define CW_CHAIN_EVM_HEX_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* cw_evm_hex_decode in one width: 0 the baseline (SSE2 on x86-64), 1 AVX2, 2 AVX-512BW+VL (-2
 * when the CPU lacks it). cw_evm_hex_decode itself takes the widest the CPU has. */
int cw_evm_hex_decode_with(uint8_t *out, const char *s, size_t n, int width);

/* An address (n 20) or a hash (n 32), as cw_evm_addr_parse and cw_evm_hash_parse decode their
 * digits, in one width (-2 for another n or a width the CPU lacks). Unlike
 * cw_evm_hex_decode_with, out must be given and holds garbage when it returns -1. */
int cw_evm_hex_fixed_with(uint8_t *out, const char *s, size_t n, int width);

#endif
