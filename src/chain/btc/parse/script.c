/*
 * script.c: output-script (scriptPubKey) classification, see include/chainwatch/btc/address.h.
 *
 * cw_script_classify runs once per transaction output during ingest, so it allocates nothing
 * and hashes only where the key needs it (hash160 for P2PK, SHA-256 for bare multisig and
 * nonstandard scripts). The templates follow Bitcoin Core's Solver (script/solver.cpp) with
 * two documented differences: any script whose first byte is OP_RETURN is OP_RETURN (Core
 * also wants push-only data after it; either way the output is provably unspendable), and a
 * version-0 witness program of a length other than 20 or 32 is WITNESS_UNKNOWN (Core calls it
 * NONSTANDARD) keyed by its program like every other witness program.
 *
 * Invariant: every read is bounds-checked against len; any byte string is a valid input.
 */
#include <string.h>

#include "chainwatch/btc/address.h"
#include "chainwatch/util.h"

enum {
    OP_0 = 0x00,
    OP_PUSHDATA1 = 0x4c,
    OP_PUSHDATA2 = 0x4d,
    OP_PUSHDATA4 = 0x4e,
    OP_1 = 0x51,
    OP_16 = 0x60,
    OP_RETURN = 0x6a,
    OP_DUP = 0x76,
    OP_EQUAL = 0x87,
    OP_EQUALVERIFY = 0x88,
    OP_HASH160 = 0xa9,
    OP_CHECKSIG = 0xac,
    OP_CHECKMULTISIG = 0xae
};

static const char *const type_names[CW_SCRIPT_TYPE_COUNT] = {
    "nonstandard", "p2pk", "p2pkh",    "p2sh",      "p2wpkh",
    "p2wsh",       "p2tr", "multisig", "op_return", "witness_unknown",
};

const char *cw_script_type_name(cw_script_type t)
{
    if ((unsigned)t >= CW_SCRIPT_TYPE_COUNT)
        return "unknown";
    return type_names[t];
}

/* A public key of the size its first byte announces (Core's CPubKey::ValidSize): 33 bytes
 * starting 02/03, or 65 bytes starting 04 (uncompressed) or 06/07 (hybrid). */
static int pubkey_size_ok(const uint8_t *p, size_t n)
{
    if (n == 33)
        return p[0] == 0x02 || p[0] == 0x03;
    if (n == 65)
        return p[0] == 0x04 || p[0] == 0x06 || p[0] == 0x07;
    return 0;
}

/* Reads the opcode at *pos and, for a push, its data. Returns the opcode, or -1 when the
 * script ends or a push runs past its end. */
static int get_op(const uint8_t *s, size_t len, size_t *pos, const uint8_t **data, size_t *dlen)
{
    size_t p = *pos;
    if (p >= len)
        return -1;
    uint8_t op = s[p++];
    *data = NULL;
    *dlen = 0;
    if (op <= OP_PUSHDATA4) {
        size_t n;
        if (op < OP_PUSHDATA1) {
            n = op;
        } else if (op == OP_PUSHDATA1) {
            if (len - p < 1)
                return -1;
            n = s[p];
            p += 1;
        } else if (op == OP_PUSHDATA2) {
            if (len - p < 2)
                return -1;
            n = (size_t)s[p] | (size_t)s[p + 1] << 8;
            p += 2;
        } else {
            if (len - p < 4)
                return -1;
            n = (size_t)s[p] | (size_t)s[p + 1] << 8 | (size_t)s[p + 2] << 16 |
                (size_t)s[p + 3] << 24;
            p += 4;
        }
        if (len - p < n)
            return -1;
        *data = s + p;
        *dlen = n;
        p += n;
    }
    *pos = p;
    return op;
}

/* OP_m <m..n public keys> OP_n OP_CHECKMULTISIG with 1 <= m <= n <= 16 (Core's MatchMultisig:
 * any push form is accepted for the keys, the script must end right after the opcode). */
static int is_multisig(const uint8_t *s, size_t len)
{
    if (len < 4 || s[len - 1] != OP_CHECKMULTISIG)
        return 0;
    size_t pos = 0;
    const uint8_t *d;
    size_t dl;
    int op = get_op(s, len, &pos, &d, &dl);
    if (op < OP_1 || op > OP_16)
        return 0;
    int m = op - OP_1 + 1;
    int nkeys = 0;
    for (;;) {
        op = get_op(s, len, &pos, &d, &dl);
        if (op < 0)
            return 0;
        if (op > OP_PUSHDATA4)
            break;
        if (!pubkey_size_ok(d, dl) || ++nkeys > 16)
            return 0;
    }
    if (op < OP_1 || op > OP_16)
        return 0;
    int n = op - OP_1 + 1;
    return n == nkeys && m <= n && pos == len - 1;
}

cw_script_type cw_script_classify(const uint8_t *spk, size_t len, cw_addr_key *out_key)
{
    memset(out_key, 0, sizeof *out_key);
    if (len == 0)
        spk = (const uint8_t *)""; /* so that hashing never sees NULL */

    /* P2PKH: OP_DUP OP_HASH160 <20> OP_EQUALVERIFY OP_CHECKSIG */
    if (len == 25 && spk[0] == OP_DUP && spk[1] == OP_HASH160 && spk[2] == 20 &&
        spk[23] == OP_EQUALVERIFY && spk[24] == OP_CHECKSIG) {
        out_key->kind = CW_ADDR_PKH;
        out_key->len = 20;
        memcpy(out_key->data, spk + 3, 20);
        return CW_SCRIPT_P2PKH;
    }
    /* P2SH: OP_HASH160 <20> OP_EQUAL */
    if (len == 23 && spk[0] == OP_HASH160 && spk[1] == 20 && spk[22] == OP_EQUAL) {
        out_key->kind = CW_ADDR_SH;
        out_key->len = 20;
        memcpy(out_key->data, spk + 2, 20);
        return CW_SCRIPT_P2SH;
    }
    /* Witness program: OP_0..OP_16 then one direct push of 2..40 bytes filling the script. */
    if (len >= 4 && len <= 42 && (spk[0] == OP_0 || (spk[0] >= OP_1 && spk[0] <= OP_16)) &&
        (size_t)spk[1] + 2 == len) {
        uint8_t ver = spk[0] == OP_0 ? 0 : (uint8_t)(spk[0] - OP_1 + 1);
        uint8_t plen = spk[1];
        out_key->kind = CW_ADDR_WITNESS;
        out_key->witver = ver;
        out_key->len = plen;
        memcpy(out_key->data, spk + 2, plen);
        if (ver == 0 && plen == 20)
            return CW_SCRIPT_P2WPKH;
        if (ver == 0 && plen == 32)
            return CW_SCRIPT_P2WSH;
        if (ver == 1 && plen == 32)
            return CW_SCRIPT_P2TR;
        return CW_SCRIPT_WITNESS_UNKNOWN;
    }
    if (len >= 1 && spk[0] == OP_RETURN)
        return CW_SCRIPT_OP_RETURN; /* kind NONE */
    /* P2PK: <33 or 65 byte key, direct push> OP_CHECKSIG; keyed as the key's P2PKH address. */
    if ((len == 35 || len == 67) && spk[0] == len - 2 && spk[len - 1] == OP_CHECKSIG &&
        pubkey_size_ok(spk + 1, len - 2)) {
        out_key->kind = CW_ADDR_PKH;
        out_key->len = 20;
        cw_hash160(out_key->data, spk + 1, len - 2);
        return CW_SCRIPT_P2PK;
    }
    if (is_multisig(spk, len)) {
        out_key->kind = CW_ADDR_MULTISIG;
        out_key->len = 32;
        cw_sha256(out_key->data, spk, len);
        return CW_SCRIPT_MULTISIG;
    }
    out_key->kind = CW_ADDR_NONSTD;
    out_key->len = 32;
    cw_sha256(out_key->data, spk, len);
    return CW_SCRIPT_NONSTANDARD;
}
