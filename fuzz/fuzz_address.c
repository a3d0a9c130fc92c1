/*
 * fuzz_address.c: libFuzzer target for script classification and address encodings.
 *
 * The input is used twice. As a scriptPubKey: cw_script_classify must give a type whose
 * key kind matches, a canonical key, the same script back from cw_addr_script for the hash
 * and witness templates, and an address on every network that decodes to the same key
 * (kind NONE has none). As a string (up to the first NUL, at most 200 bytes):
 * cw_addr_decode, cw_bech32_decode, cw_segwit_decode and cw_base58_decode must not
 * misbehave, and whatever they accept must re-encode to the same string (lowercased for
 * bech32 and the hex forms) and decode again to the same value. Any broken invariant
 * calls abort().
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/btc/address.h"
#include "chainwatch/errors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        fprintf(stderr, "fuzz_address: " __VA_ARGS__);                                             \
        fprintf(stderr, " (last error: %s)\n", cw_error_last());                                   \
        abort();                                                                                   \
    } while (0)

static int canonical(const cw_addr_key *k)
{
    if (k->len > sizeof k->data)
        return 0;
    for (size_t i = k->len; i < sizeof k->data; i++)
        if (k->data[i])
            return 0;
    return 1;
}

static uint8_t expected_kind(cw_script_type t)
{
    switch (t) {
    case CW_SCRIPT_P2PK:
    case CW_SCRIPT_P2PKH:
        return CW_ADDR_PKH;
    case CW_SCRIPT_P2SH:
        return CW_ADDR_SH;
    case CW_SCRIPT_P2WPKH:
    case CW_SCRIPT_P2WSH:
    case CW_SCRIPT_P2TR:
    case CW_SCRIPT_WITNESS_UNKNOWN:
        return CW_ADDR_WITNESS;
    case CW_SCRIPT_MULTISIG:
        return CW_ADDR_MULTISIG;
    case CW_SCRIPT_OP_RETURN:
        return CW_ADDR_NONE;
    default:
        return CW_ADDR_NONSTD;
    }
}

static void lower(char *out, const char *s)
{
    size_t i = 0;
    for (; s[i]; i++)
        out[i] = (char)tolower((unsigned char)s[i]);
    out[i] = '\0';
}

static void check_script(const uint8_t *data, size_t size)
{
    cw_addr_key k;
    cw_script_type t = cw_script_classify(data, size, &k);
    if ((unsigned)t >= CW_SCRIPT_TYPE_COUNT)
        FAIL("type %d out of range", (int)t);
    if (k.kind != expected_kind(t) || !canonical(&k))
        FAIL("type %s with key kind %u len %u", cw_script_type_name(t), k.kind, k.len);
    if (t == CW_SCRIPT_P2PKH || t == CW_SCRIPT_P2SH || k.kind == CW_ADDR_WITNESS) {
        uint8_t spk[42];
        int n = cw_addr_script(spk, &k);
        if (n < 0 || (size_t)n != size || memcmp(spk, data, size) != 0)
            FAIL("cw_addr_script does not give back the %s script", cw_script_type_name(t));
    }
    for (int net = 0; net < 4; net++) {
        char s[CW_ADDR_STR_MAX];
        int rc = cw_addr_encode(s, sizeof s, &k, (cw_network)net);
        if (k.kind == CW_ADDR_NONE) {
            if (rc != CW_EINVAL)
                FAIL("OP_RETURN key encoded");
            continue;
        }
        if (rc != 0)
            FAIL("cannot encode a %s key on network %d", cw_script_type_name(t), net);
        cw_addr_key k2;
        if (cw_addr_decode(&k2, s, (cw_network)net) != 0 || memcmp(&k, &k2, sizeof k) != 0)
            FAIL("round trip of %s on network %d", s, net);
    }
}

static void check_string(const char *s)
{
    char lo[256];
    lower(lo, s);
    for (int net = 0; net < 4; net++) {
        cw_addr_key k, k2;
        if (cw_addr_decode(&k, s, (cw_network)net) != 0)
            continue;
        char enc[CW_ADDR_STR_MAX];
        if (!canonical(&k) || cw_addr_encode(enc, sizeof enc, &k, (cw_network)net) != 0)
            FAIL("decoded '%s' does not encode", s);
        const char *want = (k.kind == CW_ADDR_PKH || k.kind == CW_ADDR_SH) ? s : lo;
        if (strcmp(enc, want) != 0)
            FAIL("'%s' re-encodes as '%s'", s, enc);
        if (cw_addr_decode(&k2, enc, (cw_network)net) != 0 || memcmp(&k, &k2, sizeof k) != 0)
            FAIL("'%s' decodes differently", enc);
        uint8_t spk[42];
        int n = cw_addr_script(spk, &k);
        if (n > 0) {
            cw_script_classify(spk, (size_t)n, &k2);
            if (memcmp(&k, &k2, sizeof k) != 0)
                FAIL("script of '%s' classifies to another key", s);
        }
    }
    char hrp[84];
    uint8_t d5[90];
    size_t n;
    cw_bech32_variant var;
    if (cw_bech32_decode(hrp, d5, &n, &var, s) == 0) {
        char enc[128];
        if (cw_bech32_encode(enc, sizeof enc, hrp, d5, n, var) != 0 || strcmp(enc, lo) != 0)
            FAIL("bech32 '%s' does not re-encode", s);
        int ver;
        uint8_t prog[40];
        size_t plen;
        if (cw_segwit_decode(&ver, prog, &plen, hrp, s) == 0) {
            if (cw_segwit_encode(enc, sizeof enc, hrp, ver, prog, plen) != 0 || strcmp(enc, lo))
                FAIL("segwit '%s' does not re-encode", s);
        }
    }
    uint8_t raw[400];
    if (cw_base58_decode(raw, sizeof raw, &n, s) == 0) {
        char enc[400];
        if (cw_base58_encode(enc, sizeof enc, raw, n) != 0 || strcmp(enc, s) != 0)
            FAIL("base58 '%s' does not re-encode", s);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_script(data, size);
    char s[201];
    size_t n = size < 200 ? size : 200;
    memcpy(s, data, n);
    s[n] = '\0';
    check_string(s);
    return 0;
}
