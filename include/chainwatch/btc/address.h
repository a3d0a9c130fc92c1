/*
 * btc/address.h: output-script classification and address encodings (base58check, bech32,
 * bech32m), per BIP13/16/141/173/341/350.
 *
 * An address is identified inside chainwatch by a cw_addr_key: its kind and its program
 * (hash or witness program). P2PK outputs map to the P2PKH key of the same public key, so
 * coins paid to a key and to its hash belong to one address (the usual explorer convention);
 * the output keeps its own script type. Bare multisig and nonstandard scripts are keyed by
 * SHA-256 of the script and shown as "multisig-<hex>" / "script-<hex>". A version-0 witness
 * program whose length is neither 20 nor 32 bytes has no valid segwit address (BIP141/173), so
 * it is shown as "witness-v0-<hex program>"; these three forms are the same on every network.
 */
#ifndef CHAINWATCH_BTC_ADDRESS_H
#define CHAINWATCH_BTC_ADDRESS_H

#include <stddef.h>
#include <stdint.h>

typedef enum cw_network {
    CW_NET_MAIN = 0,
    CW_NET_TEST = 1, /* testnet3/4 */
    CW_NET_SIGNET = 2,
    CW_NET_REGTEST = 3
} cw_network;

/* Parses "main", "test", "signet", "regtest"; returns 0 or CW_EINVAL. */
int cw_network_parse(cw_network *out, const char *name);
const char *cw_network_name(cw_network net);
/* The bech32 human-readable part of a network: "bc", "tb" (test and signet), "bcrt";
 * "" for an unknown value. (Added by the address helper.) */
const char *cw_network_hrp(cw_network net);
/* The 4-byte message start (blk file magic) of a network. */
void cw_network_magic(uint8_t out[4], cw_network net);

/* Output script types, stored as one byte in the chain store: values are part of the format. */
typedef enum cw_script_type {
    CW_SCRIPT_NONSTANDARD = 0,
    CW_SCRIPT_P2PK = 1,
    CW_SCRIPT_P2PKH = 2,
    CW_SCRIPT_P2SH = 3,
    CW_SCRIPT_P2WPKH = 4,
    CW_SCRIPT_P2WSH = 5,
    CW_SCRIPT_P2TR = 6,
    CW_SCRIPT_MULTISIG = 7,        /* bare m-of-n CHECKMULTISIG */
    CW_SCRIPT_OP_RETURN = 8,       /* provably unspendable data carrier; no address */
    CW_SCRIPT_WITNESS_UNKNOWN = 9, /* witness v1..v16 other than P2TR, or v0 of odd length */
    CW_SCRIPT_TYPE_COUNT = 10
} cw_script_type;

const char *cw_script_type_name(cw_script_type t); /* "p2pkh", "p2tr", ... */

/* Address kinds (how the key is interpreted and shown). Values are part of the store format. */
typedef enum cw_addr_kind {
    CW_ADDR_NONE = 0,     /* OP_RETURN: no address */
    CW_ADDR_PKH = 1,      /* 20-byte hash160, base58 version 0x00 (P2PKH and P2PK) */
    CW_ADDR_SH = 2,       /* 20-byte hash160, base58 version 0x05 */
    CW_ADDR_WITNESS = 3,  /* witness version + 2..40 byte program: bech32 (v0) / bech32m (v1+) */
    CW_ADDR_MULTISIG = 4, /* SHA-256 of a bare multisig script */
    CW_ADDR_NONSTD = 5    /* SHA-256 of a nonstandard script */
} cw_addr_kind;

typedef struct cw_addr_key {
    uint8_t kind;     /* cw_addr_kind */
    uint8_t witver;   /* witness version 0..16 for CW_ADDR_WITNESS, else 0 */
    uint8_t len;      /* bytes used in data */
    uint8_t data[40]; /* hash or program; bytes past len are zero */
} cw_addr_key;

/* Largest string cw_addr_encode writes, NUL included. */
#define CW_ADDR_STR_MAX 128

/* Classifies a scriptPubKey and fills *out_key (zeroed first, kind NONE for OP_RETURN).
 * Never fails: anything unrecognised is CW_SCRIPT_NONSTANDARD keyed by SHA-256(script). */
cw_script_type cw_script_classify(const uint8_t *spk, size_t len, cw_addr_key *out_key);

/* Writes the address string of key for the network into out (size >= CW_ADDR_STR_MAX).
 * Returns 0, or CW_EINVAL for kind NONE or a malformed key (wrong length for its kind, bytes
 * past len not zero). For every key it accepts, cw_addr_decode gives the same key back. */
int cw_addr_encode(char *out, size_t out_size, const cw_addr_key *key, cw_network net);

/* Parses an address string (base58check P2PKH/P2SH, bech32/bech32m segwit, or the
 * "multisig-<hex>" / "script-<hex>" / "witness-v0-<hex>" forms) for the network. Returns 0 or
 * CW_EINVAL with a message saying why (bad checksum, wrong network, wrong bech32 variant for the
 * version...). */
int cw_addr_decode(cw_addr_key *out, const char *s, cw_network net);

/* Writes the scriptPubKey an address key pays to (for PKH, SH, WITNESS); returns its length
 * or CW_EINVAL for kinds that have no canonical script. out must hold 42 bytes. */
int cw_addr_script(uint8_t *out, const cw_addr_key *key);

/* ---- the encodings themselves ---- */
/* Base58 without checksum (as in Bitcoin Core's base58_encode_decode.json). */
int cw_base58_encode(char *out, size_t out_size, const uint8_t *data, size_t n);
/* Decodes into out (capacity out_cap); *out_len gets the length. */
int cw_base58_decode(uint8_t *out, size_t out_cap, size_t *out_len, const char *s);
/* Base58check: payload + first 4 bytes of SHA256d(payload). */
int cw_base58check_encode(char *out, size_t out_size, const uint8_t *payload, size_t n);
int cw_base58check_decode(uint8_t *out, size_t out_cap, size_t *out_len, const char *s);

typedef enum cw_bech32_variant { CW_BECH32 = 1, CW_BECH32M = 2 } cw_bech32_variant;
/* Generic bech32 string with 5-bit data values. */
int cw_bech32_encode(char *out, size_t out_size, const char *hrp, const uint8_t *data5, size_t n,
                     cw_bech32_variant variant);
/* Decodes a bech32/bech32m string: hrp (lowercased) into hrp_out (size >= 84), 5-bit data into
 * data5 (capacity 90), *variant gets which checksum matched. CW_EINVAL for any invalid string
 * (mixed case, bad characters, bad checksum, too long, no separator...). */
int cw_bech32_decode(char *hrp_out, uint8_t *data5, size_t *n, cw_bech32_variant *variant,
                     const char *s);
/* Segwit address encode/decode (BIP173 + BIP350 rules: v0 bech32, v1+ bech32m). */
int cw_segwit_encode(char *out, size_t out_size, const char *hrp, int witver, const uint8_t *prog,
                     size_t prog_len);
int cw_segwit_decode(int *witver, uint8_t *prog, size_t *prog_len, const char *hrp, const char *s);

#endif
