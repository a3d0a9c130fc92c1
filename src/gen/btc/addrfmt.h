/*
 * addrfmt.h (internal to src/chain/gen): fast address strings for the generator's own address
 * keys. The generator writes one ground-truth line per address (millions per world), so it
 * encodes P2PKH / P2SH (base58check), P2WPKH (bech32) and P2TR (bech32m) with fixed-size code
 * paths instead of the general encoders in chainwatch/btc/address.h. The strings are identical to
 * cw_addr_encode's (tests/unit/gen/test_gen_addrfmt.c compares them).
 */
#ifndef CW_GEN_ADDRFMT_H
#define CW_GEN_ADDRFMT_H

#include <stddef.h>
#include <stdint.h>

#include "chainwatch/btc/address.h"

/* Longest string gen_addrfmt_encode writes, without the NUL (bech32m P2TR on regtest: 64). */
#define GEN_ADDRFMT_MAX 96

typedef struct gen_addrfmt {
    cw_network net;
    int fast; /* 1: main or regtest (the networks the generator writes) */
    uint8_t pkh_ver, sh_ver;
    char hrp[8];
    size_t hrp_len;
    uint32_t hrp_state; /* bech32 polymod state after the expanded hrp */
    uint32_t pm2[1024]; /* two polymod steps' contribution of the state's top 10 bits */
} gen_addrfmt;

void gen_addrfmt_init(gen_addrfmt *f, cw_network net);
/* Writes the address of key for a script type (P2PKH, P2SH, P2WPKH, P2TR) into out (room for
 * GEN_ADDRFMT_MAX + 1 bytes), NUL-terminated; returns its length, or a negative CW_E* code. */
int gen_addrfmt_encode(const gen_addrfmt *f, char *out, uint8_t type, uint64_t key);

#endif
