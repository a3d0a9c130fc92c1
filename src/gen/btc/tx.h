/*
 * tx.h (internal to src/chain/gen): a transaction builder and Bitcoin consensus serializer
 * (BIP144 for transactions with witnesses), block assembly (merkle root, BIP141 witness
 * commitment, header, regtest-bits proof of work) and the genesis blocks.
 *
 * Spending inputs carry no real signatures: a P2PKH / P2SH-P2WPKH / P2WPKH input gets a
 * DER-shaped 71- or 72-byte signature (sighash ALL) and a 33-byte compressed public key derived
 * from the address id; a P2TR key-path input gets a 64-byte Schnorr-shaped signature. Sizes
 * are known before serializing, so fees can be set from the exact virtual size.
 */
#ifndef CW_GEN_TX_H
#define CW_GEN_TX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chainwatch/util.h"

#define GEN_SPK_MAX 72
#define GEN_SCRIPTSIG_MAX 110

/* Input kinds (the script type of the coin being spent, cw_script_type values). */
typedef struct gen_txin {
    uint8_t prev_txid[32];
    uint32_t prev_vout;
    uint32_t sequence;
    uint8_t type;     /* CW_SCRIPT_P2PKH, _P2SH (P2SH-P2WPKH), _P2WPKH, _P2TR */
    uint8_t siglen;   /* DER signature + sighash byte: 71 or 72 (ECDSA types) */
    uint64_t key;     /* the address key: the public key and program derive from it */
    uint64_t sigseed; /* signature bytes derive from it */
} gen_txin;

typedef struct gen_txout {
    uint64_t value;
    uint8_t spk_len;
    uint8_t spk[GEN_SPK_MAX];
} gen_txout;

typedef struct gen_tx {
    uint32_t version;
    uint32_t locktime;
    bool coinbase;
    bool cb_witness; /* coinbase carries the 32-byte witness reserved value */
    uint8_t cb_script_len;
    uint8_t cb_script[GEN_SCRIPTSIG_MAX];
    size_t n_in, cap_in;
    gen_txin *in;
    size_t n_out, cap_out;
    gen_txout *out;
    /* running sizes of the inputs, outputs and witnesses added (non-coinbase; kept by
     * gen_tx_add_in / gen_tx_add_out so gen_tx_sizes is O(1)) */
    size_t in_bytes, out_bytes, wit_bytes;
    size_t n_wit_in;
} gen_tx;

void gen_tx_init(gen_tx *tx);
void gen_tx_reset(gen_tx *tx);
void gen_tx_deinit(gen_tx *tx);
/* Adds an input spending prev_txid:vout of the given script type; the signature length is
 * drawn from sigseed. Returns the input or NULL on allocation failure. */
gen_txin *gen_tx_add_in(gen_tx *tx, const uint8_t prev_txid[32], uint32_t vout, uint8_t type,
                        uint64_t key, uint64_t sigseed);
gen_txout *gen_tx_add_out(gen_tx *tx, uint64_t value, const uint8_t *spk, size_t spk_len);

bool gen_tx_has_witness(const gen_tx *tx);
/* Exact serialized sizes: base (without witness) and total (with witness). */
void gen_tx_sizes(const gen_tx *tx, size_t *base, size_t *total);
/* Virtual size: ceil((3 * base + total) / 4). */
size_t gen_tx_vsize(const gen_tx *tx);
/* Size of one output with this script (value + length + script). */
size_t gen_out_size(size_t spk_len);

/* Appends the serialization (BIP144 when any input has a witness) to b and computes txid and
 * wtxid (internal byte order). Returns 0 or CW_ENOMEM. */
int gen_tx_serialize(cw_buf *b, const gen_tx *tx, uint8_t txid[32], uint8_t wtxid[32]);

/* scriptPubKey of an address key for a script type (P2PKH, P2SH, P2WPKH, P2TR); returns the
 * length written into spk (>= 34 bytes of room). */
size_t gen_spk(uint8_t *spk, uint8_t type, uint64_t key);
/* The 20- or 32-byte program/hash of an address key (what the scriptPubKey commits to). */
void gen_key_program(uint8_t out[32], uint64_t key);

/* Serializes an 80-byte header. */
void gen_header(uint8_t out[80], uint32_t version, const uint8_t prev[32], const uint8_t merkle[32],
                uint32_t time, uint32_t bits, uint32_t nonce);
/* Increments the nonce in hdr until its hash meets bits' target (cheap for 207fffff); writes
 * the block hash. Gives up after 2^20 tries for hard targets and leaves the last nonce. */
void gen_header_grind(uint8_t hdr[80], uint8_t hash[32]);

/* The genesis block (mainnet or regtest) serialized into b; hash gets its hash. */
int gen_genesis(cw_buf *b, bool regtest, uint8_t hash[32]);

/* BIP34 coinbase height push: writes the script bytes, returns their count. */
size_t gen_bip34(uint8_t *out, uint32_t height);

#endif
