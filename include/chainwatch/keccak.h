/*
 * keccak.h: Keccak-256 as Ethereum uses it (the pre-standard SHA-3 padding) and the EIP-55
 * checksum case of EVM addresses (util module).
 *
 * EIP-55: an address is written with each hex letter upper-cased when the matching nibble of
 * keccak256(lower-case hex) is 8 or more. An all-lower or all-upper address carries no
 * checksum; a mixed-case one must match it exactly (a mismatch is a typo or a tampered copy).
 */
#ifndef CHAINWATCH_KECCAK_H
#define CHAINWATCH_KECCAK_H

#include <stddef.h>
#include <stdint.h>

void cw_keccak256(uint8_t out[32], const void *data, size_t len);

/* The EIP-55 form "0x..." (42 characters and a NUL) of a 20-byte address. */
void cw_eip55_encode(char out[43], const uint8_t addr[20]);

/* 0 when s is "0x" + 40 hex digits in one case, or mixed case matching its EIP-55 checksum;
 * CW_EINVAL otherwise (the message says which, and gives the checksummed form). */
int cw_eip55_check(const char *s);

#endif
