/*
 * test_address.c: networks, base58/base58check, bech32/bech32m, segwit addresses and the
 * cw_addr_key <-> string mapping, against every vector in the shared btc-address-vectors
 * folder (see its PROVENANCE.md): BIP173 and BIP350 test-vector lists, Bitcoin Core's
 * base58_encode_decode.json, and the BIP341 wallet vectors' scriptPubKey -> address pairs.
 * Each list's count is asserted against the number in PROVENANCE.md so that a skipped or
 * truncated file fails the test. Base58check addresses of known keys (genesis, block 170)
 * are the published ones; the testnet forms were computed with an independent Python
 * implementation (hashlib + a ten-line base58). Finally, the regtest chain generated with
 * Bitcoin Core (btc-regtest-labeled-chain): every output classifies, and the outputs that
 * paid the labelled P2PKH/P2SH/P2WPKH/P2WSH addresses encode to exactly Core's strings.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/btc/address.h"
#include "chainwatch/btc/block.h"
#include "chainwatch/errors.h"
#include "chainwatch/util.h"
#include "harness.h"

#define VEC_DIR "btc-address-vectors/"

static json_t *load_json(const char *rel)
{
    const char *path = cw_test_data(rel);
    json_error_t err;
    json_t *j = json_load_file(path, 0, &err);
    if (!j) {
        fprintf(stderr, "%s:%d: %s\n", path, err.line, err.text);
        exit(1);
    }
    return j;
}

/* PROVENANCE.md: code points U+0080..U+00FF in the JSON stand for the single raw byte of the
 * BIP text. jansson hands them over as two-byte UTF-8; turn them back into one byte. */
static void raw_bytes(char *out, size_t cap, const char *utf8)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)utf8; *p && o + 1 < cap; p++) {
        if ((p[0] == 0xc2 || p[0] == 0xc3) && (p[1] & 0xc0) == 0x80) {
            out[o++] = (char)(((p[0] & 0x03) << 6) | (p[1] & 0x3f));
            p++;
        } else {
            out[o++] = (char)*p;
        }
    }
    out[o] = '\0';
}

static void lower(char *out, size_t cap, const char *s)
{
    size_t i = 0;
    for (; s[i] && i + 1 < cap; i++)
        out[i] = (char)tolower((unsigned char)s[i]);
    out[i] = '\0';
}

static json_t *vec_list(json_t *root, const char *bip, const char *list)
{
    json_t *a = json_object_get(json_object_get(root, bip), list);
    if (!json_is_array(a)) {
        fprintf(stderr, "vectors: %s.%s missing\n", bip, list);
        exit(1);
    }
    return a;
}

/* ---- networks ---------------------------------------------------------------------- */

static void test_networks(void)
{
    static const struct {
        const char *name;
        cw_network net;
        const char *magic;
        const char *hrp;
    } want[] = {{"main", CW_NET_MAIN, "f9beb4d9", "bc"},
                {"test", CW_NET_TEST, "0b110907", "tb"},
                {"signet", CW_NET_SIGNET, "0a03cf40", "tb"},
                {"regtest", CW_NET_REGTEST, "fabfb5da", "bcrt"}};
    for (size_t i = 0; i < 4; i++) {
        cw_network n = CW_NET_REGTEST;
        CHECK_EQ_INT(cw_network_parse(&n, want[i].name), 0);
        CHECK_EQ_INT(n, want[i].net);
        CHECK_EQ_STR(cw_network_name(n), want[i].name);
        CHECK_EQ_STR(cw_network_hrp(n), want[i].hrp);
        uint8_t m[4];
        char hex[9];
        cw_network_magic(m, n);
        cw_hex_encode(hex, m, 4);
        CHECK_EQ_STR(hex, want[i].magic);
    }
    cw_network n;
    CHECK_EQ_INT(cw_network_parse(&n, "mainnet"), CW_EINVAL);
    CHECK(strstr(cw_error_last(), "mainnet") != NULL);
    CHECK_EQ_INT(cw_network_parse(&n, ""), CW_EINVAL);
    CHECK_EQ_INT(cw_network_parse(&n, "Main"), CW_EINVAL);
    CHECK_EQ_STR(cw_network_name((cw_network)7), "unknown");
}

/* ---- base58 ------------------------------------------------------------------------ */

static void test_base58_vectors(void)
{
    json_t *root = load_json(VEC_DIR "base58_encode_decode.json");
    size_t i, count = 0;
    json_t *pair;
    json_array_foreach(root, i, pair)
    {
        const char *hex = json_string_value(json_array_get(pair, 0));
        const char *b58 = json_string_value(json_array_get(pair, 1));
        REQUIRE(hex && b58);
        uint8_t *bytes;
        size_t n;
        REQUIRE(cw_hex_decode_alloc(&bytes, &n, hex) == 0);
        char enc[256];
        CHECK_EQ_INT(cw_base58_encode(enc, sizeof enc, bytes, n), 0);
        CHECK_EQ_STR(enc, b58);
        uint8_t dec[256];
        size_t dn = 999;
        CHECK_EQ_INT(cw_base58_decode(dec, sizeof dec, &dn, b58), 0);
        CHECK_EQ_INT(dn, n);
        CHECK(dn == n && memcmp(dec, bytes, n) == 0);
        cw_free(bytes);
        count++;
    }
    CHECK_EQ_INT(count, 12); /* PROVENANCE.md: 12 pairs */
    json_decref(root);

    /* not base58: 0 O I l, space, and a buffer too small */
    uint8_t out[32];
    size_t n;
    CHECK_EQ_INT(cw_base58_decode(out, sizeof out, &n, "3EFU7m0"), CW_EINVAL);
    CHECK_EQ_INT(cw_base58_decode(out, sizeof out, &n, "O"), CW_EINVAL);
    CHECK_EQ_INT(cw_base58_decode(out, sizeof out, &n, "I"), CW_EINVAL);
    CHECK_EQ_INT(cw_base58_decode(out, sizeof out, &n, "l"), CW_EINVAL);
    CHECK_EQ_INT(cw_base58_decode(out, sizeof out, &n, " 2g"), CW_EINVAL);
    CHECK_EQ_INT(cw_base58_decode(out, 2, &n, "3EFU7m"), CW_EINVAL);
    char small[4];
    const uint8_t four[4] = {0x57, 0x2e, 0x47, 0x94};
    CHECK_EQ_INT(cw_base58_encode(small, sizeof small, four, 4), CW_EINVAL); /* needs 7 */
    char ok[7];
    CHECK_EQ_INT(cw_base58_encode(ok, sizeof ok, four, 4), 0);
    CHECK_EQ_STR(ok, "3EFU7m");
}

/* Bitcoin Core's digit-by-digit base58 (base58.cpp), as a reference for the limb version. */
static void ref_base58_encode(char *out, const uint8_t *data, size_t n)
{
    static const char alpha[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    size_t zeros = 0, length = 0;
    while (zeros < n && data[zeros] == 0)
        zeros++;
    size_t size = (n - zeros) * 138 / 100 + 1;
    uint8_t b58[512] = {0};
    for (size_t i = zeros; i < n; i++) {
        unsigned carry = data[i];
        size_t j = 0;
        for (size_t k = size; (carry != 0 || j < length) && k > 0; j++) {
            k--;
            carry += 256u * b58[k];
            b58[k] = (uint8_t)(carry % 58);
            carry /= 58;
        }
        length = j;
    }
    size_t it = size - length;
    while (it < size && b58[it] == 0)
        it++;
    size_t o = 0;
    for (size_t i = 0; i < zeros; i++)
        out[o++] = '1';
    for (; it < size; it++)
        out[o++] = alpha[b58[it]];
    out[o] = '\0';
}

static void test_base58_reference(void)
{
    /* 3000 pseudo-random inputs (xorshift, fixed seed) of 0..80 bytes, some with leading
     * zeros and some all 0xff: encode as Core does, decode back. */
    uint64_t x = 0x9e3779b97f4a7c15u;
    int mismatches = 0;
    for (int iter = 0; iter < 3000; iter++) {
        uint8_t data[80], back[100];
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t n = (size_t)(x % 81), lead = (size_t)((x >> 8) % 4);
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            data[i] = i < lead ? 0 : (iter % 7 == 0 ? 0xff : (uint8_t)x);
        }
        char got[200], want[200];
        ref_base58_encode(want, data, n);
        REQUIRE(cw_base58_encode(got, sizeof got, data, n) == 0);
        size_t bn = 0;
        REQUIRE(cw_base58_decode(back, sizeof back, &bn, got) == 0);
        if (strcmp(got, want) != 0 || bn != n || memcmp(back, data, n) != 0)
            mismatches++;
    }
    CHECK_EQ_INT(mismatches, 0);
    /* every byte value as a one-character string */
    static const char alpha[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    for (int c = 1; c < 256; c++) {
        char str[2] = {(char)c, 0};
        uint8_t out[4];
        size_t n = 9;
        const char *pos = strchr(alpha, c);
        int rc = cw_base58_decode(out, sizeof out, &n, str);
        if (!pos) {
            CHECK_EQ_INT(rc, CW_EINVAL);
            continue;
        }
        CHECK_EQ_INT(rc, 0);
        CHECK_EQ_INT(n, 1);
        CHECK_EQ_INT(out[0], pos - alpha);
    }
    /* the largest sizes the stack buffers take */
    uint8_t big[256];
    memset(big, 0xff, sizeof big);
    char s[400];
    CHECK_EQ_INT(cw_base58_encode(s, sizeof s, big, 256), 0);
    CHECK_EQ_INT(strlen(s), 350);
    uint8_t back[300];
    size_t bn;
    CHECK_EQ_INT(cw_base58_decode(back, sizeof back, &bn, s), 0);
    CHECK(bn == 256 && memcmp(back, big, 256) == 0);
    CHECK_EQ_INT(cw_base58_encode(s, sizeof s, big, 257), CW_EINVAL);
    memset(s, 'z', 360);
    s[360] = '\0';
    CHECK_EQ_INT(cw_base58_decode(back, sizeof back, &bn, s), 0); /* 360 chars: 264 bytes */
    CHECK_EQ_INT(bn, 264);
    s[360] = 'z';
    s[361] = '\0';
    CHECK_EQ_INT(cw_base58_decode(back, sizeof back, &bn, s), CW_EINVAL);
}

static void test_bech32_charset(void)
{
    static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    for (uint8_t v = 0; v < 32; v++) {
        char s[32], hrp[84];
        uint8_t d[90];
        size_t n;
        cw_bech32_variant var;
        CHECK_EQ_INT(cw_bech32_encode(s, sizeof s, "a", &v, 1, CW_BECH32M), 0);
        CHECK_EQ_INT(s[2], charset[v]);
        CHECK_EQ_INT(cw_bech32_decode(hrp, d, &n, &var, s), 0);
        CHECK(n == 1 && d[0] == v && var == CW_BECH32M);
    }
    /* every printable character outside the charset (and not '1') is an invalid data char */
    for (int c = 33; c < 127; c++) {
        if (strchr(charset, tolower(c)) || c == '1')
            continue;
        char s[] = "a1xqqqqqq";
        s[2] = (char)c;
        char hrp[84];
        uint8_t d[90];
        size_t n;
        cw_bech32_variant var;
        CHECK_EQ_INT(cw_bech32_decode(hrp, d, &n, &var, s), CW_EINVAL);
        CHECK(strstr(cw_error_last(), "invalid data character") != NULL ||
              strstr(cw_error_last(), "mixed") != NULL);
    }
}

static void test_base58check(void)
{
    /* genesis coinbase key's hash -> the published address */
    uint8_t payload[21] = {0x00};
    REQUIRE(cw_hex_decode(payload + 1, 20, "62e907b15cbf27d5425399ebf6f0fb50ebb88f18") == 0);
    char s[64];
    CHECK_EQ_INT(cw_base58check_encode(s, sizeof s, payload, 21), 0);
    CHECK_EQ_STR(s, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa");
    uint8_t back[32];
    size_t n = 0;
    CHECK_EQ_INT(cw_base58check_decode(back, sizeof back, &n, s), 0);
    CHECK_EQ_INT(n, 21);
    CHECK(memcmp(back, payload, 21) == 0);
    /* one character changed: checksum fails */
    CHECK_EQ_INT(cw_base58check_decode(back, sizeof back, &n, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb"),
                 CW_EINVAL);
    CHECK(strstr(cw_error_last(), "checksum") != NULL);
    /* fewer than 4 bytes */
    CHECK_EQ_INT(cw_base58check_decode(back, sizeof back, &n, "2g"), CW_EINVAL);
    CHECK_EQ_INT(cw_base58check_decode(back, sizeof back, &n, ""), CW_EINVAL);
}

/* ---- bech32 generic ---------------------------------------------------------------- */

static int checksum_count[2][2]; /* [bip173|bip350][valid|invalid] */

static void check_valid_checksums(json_t *root, const char *bip, cw_bech32_variant want, int *count)
{
    size_t i;
    json_t *v;
    json_array_foreach(vec_list(root, bip, "valid_checksum"), i, v)
    {
        char s[128], lo[128], hrp[84], re[128];
        raw_bytes(s, sizeof s, json_string_value(json_object_get(v, "string")));
        uint8_t data[90];
        size_t n = 0;
        cw_bech32_variant var = 0;
        int rc = cw_bech32_decode(hrp, data, &n, &var, s);
        if (rc)
            fprintf(stderr, "  %s valid_checksum %s: %s\n", bip, s, cw_error_last());
        CHECK_EQ_INT(rc, 0);
        CHECK_EQ_INT(var, want);
        /* re-encoding gives the lowercase string */
        lower(lo, sizeof lo, s);
        CHECK_EQ_INT(cw_bech32_encode(re, sizeof re, hrp, data, n, var), 0);
        CHECK_EQ_STR(re, lo);
        (*count)++;
    }
}

static void check_invalid_checksums(json_t *root, const char *bip, int *count)
{
    size_t i;
    json_t *v;
    json_array_foreach(vec_list(root, bip, "invalid_checksum"), i, v)
    {
        char s[128], hrp[84];
        raw_bytes(s, sizeof s, json_string_value(json_object_get(v, "string")));
        uint8_t data[90];
        size_t n;
        cw_bech32_variant var;
        cw_error_clear();
        int rc = cw_bech32_decode(hrp, data, &n, &var, s);
        if (rc == 0)
            fprintf(stderr, "  %s invalid_checksum accepted: %s (%s)\n", bip, s,
                    json_string_value(json_object_get(v, "reason")));
        CHECK_EQ_INT(rc, CW_EINVAL);
        CHECK(strlen(cw_error_last()) > 8);
        /* and no address decoder accepts it */
        for (int net = 0; net < 4; net++) {
            cw_addr_key k;
            CHECK_EQ_INT(cw_addr_decode(&k, s, (cw_network)net), CW_EINVAL);
        }
        (*count)++;
    }
}

static void test_bech32_checksums(void)
{
    json_t *root = load_json(VEC_DIR "bip173_bip350_vectors.json");
    memset(checksum_count, 0, sizeof checksum_count);
    check_valid_checksums(root, "bip173", CW_BECH32, &checksum_count[0][0]);
    check_valid_checksums(root, "bip350", CW_BECH32M, &checksum_count[1][0]);
    check_invalid_checksums(root, "bip173", &checksum_count[0][1]);
    check_invalid_checksums(root, "bip350", &checksum_count[1][1]);
    /* PROVENANCE.md: bip173 7/12/6/10, bip350 7/14/8/15 */
    CHECK_EQ_INT(checksum_count[0][0], 7);
    CHECK_EQ_INT(checksum_count[0][1], 12);
    CHECK_EQ_INT(checksum_count[1][0], 7);
    CHECK_EQ_INT(checksum_count[1][1], 14);
    json_decref(root);
}

/* ---- segwit addresses -------------------------------------------------------------- */

/* The network an address string of the vectors belongs to, by its hrp. */
static cw_network vector_net(const char *s)
{
    return (s[0] == 't' || s[0] == 'T') ? CW_NET_TEST : CW_NET_MAIN;
}

/* s decodes on its network to the key of spk_hex, gives back spk_hex as its script, and
 * re-encodes to lowercase(s); the other network rejects it. */
static void check_address_decodes(const char *s, const char *spk_hex)
{
    cw_network net = vector_net(s);
    cw_addr_key k, ks;
    int rc = cw_addr_decode(&k, s, net);
    if (rc)
        fprintf(stderr, "  %s: %s\n", s, cw_error_last());
    REQUIRE(rc == 0);
    CHECK_EQ_INT(k.kind, CW_ADDR_WITNESS);
    uint8_t script[42];
    int len = cw_addr_script(script, &k);
    REQUIRE(len > 0);
    char hex[85];
    cw_hex_encode(hex, script, (size_t)len);
    CHECK_EQ_STR(hex, spk_hex);
    /* the script classifies to the same key */
    uint8_t *spk;
    size_t spk_len;
    REQUIRE(cw_hex_decode_alloc(&spk, &spk_len, spk_hex) == 0);
    cw_script_classify(spk, spk_len, &ks);
    CHECK(memcmp(&k, &ks, sizeof k) == 0);
    cw_free(spk);
    char enc[CW_ADDR_STR_MAX], lo[CW_ADDR_STR_MAX];
    CHECK_EQ_INT(cw_addr_encode(enc, sizeof enc, &k, net), 0);
    lower(lo, sizeof lo, s);
    CHECK_EQ_STR(enc, lo);
    /* cw_segwit_encode / decode directly */
    int ver;
    uint8_t prog[40];
    size_t plen;
    CHECK_EQ_INT(cw_segwit_decode(&ver, prog, &plen, cw_network_hrp(net), s), 0);
    CHECK_EQ_INT(ver, k.witver);
    CHECK_EQ_INT(plen, k.len);
    CHECK_EQ_INT(cw_segwit_encode(enc, sizeof enc, cw_network_hrp(net), ver, prog, plen), 0);
    CHECK_EQ_STR(enc, lo);
    /* wrong network */
    cw_network other = net == CW_NET_MAIN ? CW_NET_TEST : CW_NET_MAIN;
    CHECK_EQ_INT(cw_addr_decode(&k, s, other), CW_EINVAL);
    CHECK(strstr(cw_error_last(), "network") != NULL);
    CHECK_EQ_INT(cw_addr_decode(&k, s, CW_NET_REGTEST), CW_EINVAL);
    CHECK_EQ_INT(cw_segwit_decode(&ver, prog, &plen, "bcrt", s), CW_EINVAL);
}

static void test_segwit_valid(void)
{
    json_t *root = load_json(VEC_DIR "bip173_bip350_vectors.json");
    size_t i;
    json_t *v;
    int n350 = 0, n173_v0 = 0, n173_v1plus = 0;
    json_array_foreach(vec_list(root, "bip350", "valid_address"), i, v)
    {
        check_address_decodes(json_string_value(json_object_get(v, "string")),
                              json_string_value(json_object_get(v, "scriptPubKey")));
        n350++;
    }
    /* BIP173's list: v0 entries are still valid; its v1+ entries use bech32 and must be
     * rejected under BIP350 although their bech32 checksums are valid. */
    json_array_foreach(vec_list(root, "bip173", "valid_address"), i, v)
    {
        const char *s = json_string_value(json_object_get(v, "string"));
        const char *spk = json_string_value(json_object_get(v, "scriptPubKey"));
        if (spk[0] == '0' && spk[1] == '0') {
            check_address_decodes(s, spk);
            n173_v0++;
            continue;
        }
        char hrp[84];
        uint8_t data[90];
        size_t n;
        cw_bech32_variant var = 0;
        CHECK_EQ_INT(cw_bech32_decode(hrp, data, &n, &var, s), 0);
        CHECK_EQ_INT(var, CW_BECH32);
        int ver;
        uint8_t prog[40];
        size_t plen;
        CHECK_EQ_INT(cw_segwit_decode(&ver, prog, &plen, cw_network_hrp(vector_net(s)), s),
                     CW_EINVAL);
        CHECK(strstr(cw_error_last(), "bech32m") != NULL);
        cw_addr_key k;
        CHECK_EQ_INT(cw_addr_decode(&k, s, vector_net(s)), CW_EINVAL);
        CHECK(strstr(cw_error_last(), "bech32m") != NULL);
        n173_v1plus++;
    }
    CHECK_EQ_INT(n350, 8);
    CHECK_EQ_INT(n173_v0 + n173_v1plus, 6);
    CHECK_EQ_INT(n173_v1plus, 3); /* the three named in PROVENANCE.md */
    json_decref(root);
}

static void test_segwit_invalid(void)
{
    json_t *root = load_json(VEC_DIR "bip173_bip350_vectors.json");
    static const char *const bips[] = {"bip173", "bip350"};
    int counts[2] = {0, 0};
    for (int b = 0; b < 2; b++) {
        size_t i;
        json_t *v;
        json_array_foreach(vec_list(root, bips[b], "invalid_address"), i, v)
        {
            char s[128];
            raw_bytes(s, sizeof s, json_string_value(json_object_get(v, "string")));
            const char *reason = json_string_value(json_object_get(v, "reason"));
            static const char *const hrps[] = {"bc", "tb", "bcrt"};
            for (int h = 0; h < 3; h++) {
                int ver;
                uint8_t prog[40];
                size_t plen;
                int rc = cw_segwit_decode(&ver, prog, &plen, hrps[h], s);
                if (rc == 0)
                    fprintf(stderr, "  %s invalid_address accepted for %s: %s (%s)\n", bips[b],
                            hrps[h], s, reason);
                CHECK_EQ_INT(rc, CW_EINVAL);
            }
            for (int net = 0; net < 4; net++) {
                cw_addr_key k;
                memset(&k, 0xee, sizeof k);
                CHECK_EQ_INT(cw_addr_decode(&k, s, (cw_network)net), CW_EINVAL);
                CHECK(strlen(cw_error_last()) > 10);
                CHECK_EQ_INT(k.kind, 0); /* zeroed on failure */
            }
            counts[b]++;
        }
    }
    CHECK_EQ_INT(counts[0], 10);
    CHECK_EQ_INT(counts[1], 15);
    json_decref(root);
}

static void test_bip341(void)
{
    json_t *root = load_json(VEC_DIR "bip341_wallet_test_vectors.json");
    size_t i;
    json_t *v;
    int count = 0;
    json_array_foreach(json_object_get(root, "scriptPubKey"), i, v)
    {
        json_t *exp = json_object_get(v, "expected");
        const char *spk_hex = json_string_value(json_object_get(exp, "scriptPubKey"));
        const char *addr = json_string_value(json_object_get(exp, "bip350Address"));
        REQUIRE(spk_hex && addr);
        uint8_t *spk;
        size_t n;
        REQUIRE(cw_hex_decode_alloc(&spk, &n, spk_hex) == 0);
        cw_addr_key k;
        CHECK_EQ_INT(cw_script_classify(spk, n, &k), CW_SCRIPT_P2TR);
        char enc[CW_ADDR_STR_MAX];
        CHECK_EQ_INT(cw_addr_encode(enc, sizeof enc, &k, CW_NET_MAIN), 0);
        CHECK_EQ_STR(enc, addr);
        check_address_decodes(addr, spk_hex);
        cw_free(spk);
        count++;
    }
    CHECK_EQ_INT(count, 7);
    json_decref(root);
}

/* ---- cw_addr_decode / encode: base58 forms, hex forms, errors ------------------------ */

static void check_b58_addr(const char *s, cw_network net, cw_addr_kind kind, const char *hash)
{
    cw_addr_key k;
    int rc = cw_addr_decode(&k, s, net);
    if (rc)
        fprintf(stderr, "  %s: %s\n", s, cw_error_last());
    REQUIRE(rc == 0);
    CHECK_EQ_INT(k.kind, kind);
    CHECK_EQ_INT(k.len, 20);
    char hex[41];
    cw_hex_encode(hex, k.data, 20);
    CHECK_EQ_STR(hex, hash);
    char enc[CW_ADDR_STR_MAX];
    CHECK_EQ_INT(cw_addr_encode(enc, sizeof enc, &k, net), 0);
    CHECK_EQ_STR(enc, s);
}

static void test_base58_addresses(void)
{
    const char *hal = "fc916f213a3d7f1369313d5fa30f6168f9446a2d";
    const char *g = "751e76e8199196d454941c45d1b3a323f1433bd6";
    check_b58_addr("1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3", CW_NET_MAIN, CW_ADDR_PKH, hal);
    check_b58_addr("3QiURpiUpFwZBMFkhmWYPAFSK2xyX1JSU3", CW_NET_MAIN, CW_ADDR_SH, hal);
    check_b58_addr("1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", CW_NET_MAIN, CW_ADDR_PKH, g);
    check_b58_addr("3CNHUhP3uyB9EUtRLsmvFUmvGdjGdkTxJw", CW_NET_MAIN, CW_ADDR_SH, g);
    for (int net = CW_NET_TEST; net <= CW_NET_REGTEST; net++) {
        check_b58_addr("n4YQoLK25P4RsJ2wJEpKnT6q2WGxt149rs", (cw_network)net, CW_ADDR_PKH, hal);
        check_b58_addr("2NGGgVZeWRiSuP8tJNu8R17EhXPB9F21wQK", (cw_network)net, CW_ADDR_SH, hal);
        check_b58_addr("mrCDrCybB6J1vRfbwM5hemdJz73FwDBC8r", (cw_network)net, CW_ADDR_PKH, g);
        check_b58_addr("2N3vVYSK5XRgVSGWy21PnsRmBUywSQNdCsf", (cw_network)net, CW_ADDR_SH, g);
    }
    cw_addr_key k;
    /* wrong network both ways */
    CHECK_EQ_INT(cw_addr_decode(&k, "1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3", CW_NET_TEST), CW_EINVAL);
    CHECK(strstr(cw_error_last(), "main network") != NULL);
    CHECK_EQ_INT(cw_addr_decode(&k, "2N3vVYSK5XRgVSGWy21PnsRmBUywSQNdCsf", CW_NET_MAIN), CW_EINVAL);
    CHECK(strstr(cw_error_last(), "test network") != NULL);
    /* bad checksum, bad character, wrong payload length (base58 vector without checksum) */
    CHECK_EQ_INT(cw_addr_decode(&k, "1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm4", CW_NET_MAIN), CW_EINVAL);
    CHECK(strstr(cw_error_last(), "checksum") != NULL);
    CHECK_EQ_INT(cw_addr_decode(&k, "1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm0", CW_NET_MAIN), CW_EINVAL);
    CHECK(strstr(cw_error_last(), "character") != NULL);
    CHECK_EQ_INT(cw_addr_decode(&k, "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L", CW_NET_MAIN), CW_EINVAL);
    /* a base58check string of the right length with an unknown version byte (0x80, a WIF
     * prefix): payload 0x80 + 20 zero bytes */
    uint8_t payload[21] = {0x80};
    char s[64];
    REQUIRE(cw_base58check_encode(s, sizeof s, payload, 21) == 0);
    CHECK_EQ_INT(cw_addr_decode(&k, s, CW_NET_MAIN), CW_EINVAL);
    CHECK(strstr(cw_error_last(), "version byte 0x80") != NULL);
    /* nothing, whitespace, overlong */
    CHECK_EQ_INT(cw_addr_decode(&k, "", CW_NET_MAIN), CW_EINVAL);
    CHECK_EQ_INT(cw_addr_decode(&k, " 1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3", CW_NET_MAIN), CW_EINVAL);
    CHECK_EQ_INT(cw_addr_decode(&k, "1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3 ", CW_NET_MAIN), CW_EINVAL);
    CHECK_EQ_INT(cw_addr_decode(&k, NULL, CW_NET_MAIN), CW_EINVAL);
    char big[300];
    memset(big, '1', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CHECK_EQ_INT(cw_addr_decode(&k, big, CW_NET_MAIN), CW_EINVAL);
}

static void test_segwit_errors(void)
{
    cw_addr_key k;
    /* bech32m checksum on a v0 program (BIP350 invalid list) names the variant */
    CHECK_EQ_INT(cw_addr_decode(&k, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", CW_NET_MAIN),
                 CW_EINVAL);
    CHECK(strstr(cw_error_last(), "bech32 checksum") != NULL);
    CHECK_EQ_INT(cw_addr_decode(&k, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", CW_NET_MAIN),
                 CW_EINVAL);
    CHECK(strstr(cw_error_last(), "bad checksum") != NULL);
    CHECK_EQ_INT(cw_addr_decode(&k, "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", CW_NET_MAIN),
                 CW_EINVAL);
    CHECK(strstr(cw_error_last(), "program length") != NULL);
    CHECK_EQ_INT(cw_addr_decode(&k,
                                "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7",
                                CW_NET_TEST),
                 CW_EINVAL);
    CHECK(strstr(cw_error_last(), "mixed") != NULL);
    CHECK_EQ_INT(cw_addr_decode(&k, "tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty", CW_NET_MAIN),
                 CW_EINVAL);
    CHECK(strstr(cw_error_last(), "'tc'") != NULL);
    CHECK_EQ_INT(cw_addr_decode(&k, "BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2", CW_NET_MAIN),
                 CW_EINVAL);
    CHECK(strstr(cw_error_last(), "witness version") != NULL);
    CHECK_EQ_INT(cw_addr_decode(&k, "bc1gmk9yu", CW_NET_MAIN), CW_EINVAL);
    CHECK(strstr(cw_error_last(), "empty data") != NULL);
    /* uppercase is accepted and re-encodes lowercase */
    CHECK_EQ_INT(cw_addr_decode(&k, "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", CW_NET_MAIN), 0);
    /* regtest hrp */
    char s[CW_ADDR_STR_MAX];
    CHECK_EQ_INT(cw_addr_encode(s, sizeof s, &k, CW_NET_REGTEST), 0);
    CHECK(strncmp(s, "bcrt1q", 6) == 0);
    cw_addr_key k2;
    CHECK_EQ_INT(cw_addr_decode(&k2, s, CW_NET_REGTEST), 0);
    CHECK(memcmp(&k, &k2, sizeof k) == 0);
    CHECK_EQ_INT(cw_addr_decode(&k2, s, CW_NET_MAIN), CW_EINVAL);
    CHECK(strstr(cw_error_last(), "regtest") != NULL);
    /* signet shares "tb" with test */
    CHECK_EQ_INT(cw_addr_encode(s, sizeof s, &k, CW_NET_SIGNET), 0);
    CHECK(strncmp(s, "tb1q", 4) == 0);
    CHECK_EQ_INT(cw_addr_decode(&k2, s, CW_NET_TEST), 0);

    /* segwit encode refuses what decode would refuse */
    uint8_t prog[41] = {0};
    CHECK_EQ_INT(cw_segwit_encode(s, sizeof s, "bc", 0, prog, 25), CW_EINVAL);
    CHECK_EQ_INT(cw_segwit_encode(s, sizeof s, "bc", 1, prog, 41), CW_EINVAL);
    CHECK_EQ_INT(cw_segwit_encode(s, sizeof s, "bc", 1, prog, 1), CW_EINVAL);
    CHECK_EQ_INT(cw_segwit_encode(s, sizeof s, "bc", 17, prog, 32), CW_EINVAL);
    CHECK_EQ_INT(cw_segwit_encode(s, 20, "bc", 1, prog, 32), CW_EINVAL); /* buffer */
    /* bech32 generic encode limits */
    uint8_t d5[90] = {0};
    CHECK_EQ_INT(cw_bech32_encode(s, sizeof s, "", d5, 1, CW_BECH32), CW_EINVAL);
    CHECK_EQ_INT(cw_bech32_encode(s, sizeof s, "a", d5, 83, CW_BECH32), CW_EINVAL); /* 91 */
    CHECK_EQ_INT(cw_bech32_encode(s, sizeof s, "a", d5, 82, CW_BECH32), 0);         /* 90 */
    d5[0] = 32;
    CHECK_EQ_INT(cw_bech32_encode(s, sizeof s, "a", d5, 1, CW_BECH32), CW_EINVAL);
}

static void test_hex_forms(void)
{
    char s[CW_ADDR_STR_MAX];
    cw_addr_key k, k2;
    const char *h32 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    char want[CW_ADDR_STR_MAX];
    for (int kind = CW_ADDR_MULTISIG; kind <= CW_ADDR_NONSTD; kind++) {
        memset(&k, 0, sizeof k);
        k.kind = (uint8_t)kind;
        k.len = 32;
        REQUIRE(cw_hex_decode(k.data, 32, h32) == 0);
        snprintf(want, sizeof want, "%s%s", kind == CW_ADDR_MULTISIG ? "multisig-" : "script-",
                 h32);
        for (int net = 0; net < 4; net++) {
            CHECK_EQ_INT(cw_addr_encode(s, sizeof s, &k, (cw_network)net), 0);
            CHECK_EQ_STR(s, want);
            CHECK_EQ_INT(cw_addr_decode(&k2, s, (cw_network)net), 0);
            CHECK(memcmp(&k, &k2, sizeof k) == 0);
        }
    }
    CHECK_EQ_INT(cw_addr_decode(&k2,
                                "script-E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA4"
                                "95991B7852B855",
                                CW_NET_MAIN),
                 0);
    CHECK(memcmp(&k, &k2, sizeof k) == 0);
    CHECK_EQ_INT(cw_addr_decode(&k2, "script-e3b0", CW_NET_MAIN), CW_EINVAL);
    CHECK_EQ_INT(cw_addr_decode(&k2, "script-", CW_NET_MAIN), CW_EINVAL);
    CHECK_EQ_INT(cw_addr_decode(&k2,
                                "multisig-zzb0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca"
                                "495991b7852b855",
                                CW_NET_MAIN),
                 CW_EINVAL);
    CHECK_EQ_INT(cw_addr_decode(&k2,
                                "multisig-e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca"
                                "495991b7852b85500",
                                CW_NET_MAIN),
                 CW_EINVAL);
    /* witness v0 of an odd length */
    CHECK_EQ_INT(cw_addr_decode(&k2, "witness-v0-0102030405", CW_NET_MAIN), 0);
    CHECK_EQ_INT(k2.kind, CW_ADDR_WITNESS);
    CHECK_EQ_INT(k2.witver, 0);
    CHECK_EQ_INT(k2.len, 5);
    uint8_t spk[42];
    CHECK_EQ_INT(cw_addr_script(spk, &k2), 7);
    CHECK(spk[0] == 0x00 && spk[1] == 5 && spk[6] == 5);
    CHECK_EQ_INT(cw_addr_decode(&k2, "witness-v0-01", CW_NET_MAIN), CW_EINVAL);
    CHECK_EQ_INT(
        cw_addr_decode(&k2, "witness-v0-751e76e8199196d454941c45d1b3a323f1433bd6", CW_NET_MAIN),
        CW_EINVAL);
    CHECK(strstr(cw_error_last(), "bech32") != NULL);
}

static void test_encode_rejects(void)
{
    char s[CW_ADDR_STR_MAX];
    cw_addr_key k;
    memset(&k, 0, sizeof k);
    CHECK_EQ_INT(cw_addr_encode(s, sizeof s, &k, CW_NET_MAIN), CW_EINVAL); /* NONE */
    k.kind = CW_ADDR_PKH;
    k.len = 19;
    CHECK_EQ_INT(cw_addr_encode(s, sizeof s, &k, CW_NET_MAIN), CW_EINVAL);
    k.len = 20;
    CHECK_EQ_INT(cw_addr_encode(s, sizeof s, &k, CW_NET_MAIN), 0);
    CHECK_EQ_STR(s, "1111111111111111111114oLvT2"); /* hash160 of all zeros */
    CHECK_EQ_INT(cw_addr_encode(s, sizeof s, &k, (cw_network)4), CW_EINVAL);
    k.data[25] = 1; /* not canonical */
    CHECK_EQ_INT(cw_addr_encode(s, sizeof s, &k, CW_NET_MAIN), CW_EINVAL);
    k.data[25] = 0;
    k.witver = 1; /* a version on a non-witness key */
    CHECK_EQ_INT(cw_addr_encode(s, sizeof s, &k, CW_NET_MAIN), CW_EINVAL);
    k.kind = CW_ADDR_WITNESS;
    k.witver = 17;
    CHECK_EQ_INT(cw_addr_encode(s, sizeof s, &k, CW_NET_MAIN), CW_EINVAL);
    k.witver = 0;
    k.len = 1;
    CHECK_EQ_INT(cw_addr_encode(s, sizeof s, &k, CW_NET_MAIN), CW_EINVAL);
    k.len = 41;
    CHECK_EQ_INT(cw_addr_encode(s, sizeof s, &k, CW_NET_MAIN), CW_EINVAL);
    k.kind = CW_ADDR_NONSTD;
    k.len = 20;
    CHECK_EQ_INT(cw_addr_encode(s, sizeof s, &k, CW_NET_MAIN), CW_EINVAL);
    k.kind = 6;
    CHECK_EQ_INT(cw_addr_encode(s, sizeof s, &k, CW_NET_MAIN), CW_EINVAL);
    /* output buffer too small */
    k.kind = CW_ADDR_PKH;
    CHECK_EQ_INT(cw_addr_encode(s, 10, &k, CW_NET_MAIN), CW_EINVAL);
}

/* ---- Bitcoin Core regtest chain with labelled addresses ------------------------------ */

static void test_regtest_labeled_chain(void)
{
    json_t *labels = load_json("btc-regtest-labeled-chain/output.json");
    uint8_t *file = NULL;
    size_t file_len = 0;
    cw_block b;
    memset(&b, 0, sizeof b);
    REQUIRE(cw_file_read(&file, &file_len,
                         cw_test_data("btc-regtest-labeled-chain/blk00000.dat")) == 0);
    static const uint8_t magic[4] = {0xfa, 0xbf, 0xb5, 0xda};
    int n_blocks = 0, n_outputs = 0, n_labels = 0, n_by_type[CW_SCRIPT_TYPE_COUNT] = {0};
    int found_op_return = 0, found_multisig = 0, found_p2sh_multisig = 0;
    size_t off = 0;
    while (off + 8 <= file_len && memcmp(file + off, magic, 4) == 0) {
        uint32_t size = (uint32_t)file[off + 4] | (uint32_t)file[off + 5] << 8 |
                        (uint32_t)file[off + 6] << 16 | (uint32_t)file[off + 7] << 24;
        REQUIRE(off + 8 + size <= file_len);
        REQUIRE(cw_block_decode(&b, file + off + 8, size, "blk00000.dat", off + 8, CW_HASH_ALL) ==
                0);
        off += 8 + (size_t)size;
        n_blocks++;
        for (uint32_t t = 0; t < b.n_tx; t++) {
            const cw_tx *tx = &b.txs[t];
            char txid[65];
            cw_hex_encode_rev(txid, tx->txid, 32);
            /* the label whose value is this txid, if any */
            const char *label = NULL;
            const char *lk;
            json_t *lv;
            json_object_foreach(labels, lk, lv)
            {
                if (json_is_string(lv) && !strcmp(json_string_value(lv), txid))
                    label = lk;
            }
            int matched = 0;
            for (uint32_t o = 0; o < tx->n_out; o++) {
                const cw_txout *out = &b.outs[tx->first_out + o];
                cw_addr_key k;
                cw_script_type st = cw_script_classify(out->script, out->script_len, &k);
                n_by_type[st]++;
                n_outputs++;
                if (!label)
                    continue;
                if (!strcmp(label, "op-return-tx") && st == CW_SCRIPT_OP_RETURN)
                    found_op_return++;
                if (!strcmp(label, "raw-multisig-tx") && st == CW_SCRIPT_MULTISIG)
                    found_multisig++;
                if (!strcmp(label, "p2sh-multisig-tx") && st == CW_SCRIPT_P2SH)
                    found_p2sh_multisig++;
                if (strncmp(label, "address-", 8) != 0)
                    continue;
                /* "address-p2wpkh-spend-0-tx" -> the address under "address-p2wpkh-spend-0" */
                char akey[64];
                snprintf(akey, sizeof akey, "%.*s", (int)(strlen(label) - 3), label);
                const char *want = json_string_value(json_object_get(labels, akey));
                REQUIRE(want != NULL);
                char got[CW_ADDR_STR_MAX];
                if (cw_addr_encode(got, sizeof got, &k, CW_NET_REGTEST) != 0 || strcmp(got, want))
                    continue;
                matched++;
                CHECK_EQ_INT(out->value, 100000000); /* "-value": 1 (BTC) */
                char tname[32];
                snprintf(tname, sizeof tname, "p2%.*s", (int)strcspn(label + 10, "-"), label + 10);
                CHECK_EQ_STR(cw_script_type_name(st), tname);
                /* and Core's string decodes back to this output's script */
                cw_addr_key k2;
                uint8_t spk[42];
                CHECK_EQ_INT(cw_addr_decode(&k2, want, CW_NET_REGTEST), 0);
                CHECK_EQ_INT(cw_addr_script(spk, &k2), (long long)out->script_len);
                CHECK(memcmp(spk, out->script, out->script_len) == 0);
            }
            if (label && !strncmp(label, "address-", 8)) {
                if (matched != 1)
                    fprintf(stderr, "  %s: %d outputs match the label\n", label, matched);
                CHECK_EQ_INT(matched, 1);
                n_labels++;
            }
        }
    }
    /* checksums.txt: "Chain contains 202 blocks, 356 txes, 178 inputs, 693 outputs" */
    CHECK_EQ_INT(n_blocks, 202);
    CHECK_EQ_INT(n_outputs, 693);
    CHECK_EQ_INT(n_labels, 12); /* 3 each of p2pkh, p2sh, p2wpkh, p2wsh */
    CHECK_EQ_INT(found_op_return, 1);
    CHECK_EQ_INT(found_multisig, 1);
    CHECK_EQ_INT(found_p2sh_multisig, 1);
    /* Core's wallet makes only standard outputs */
    CHECK_EQ_INT(n_by_type[CW_SCRIPT_NONSTANDARD], 0);
    CHECK_EQ_INT(n_by_type[CW_SCRIPT_WITNESS_UNKNOWN], 0);
    cw_block_deinit(&b);
    cw_free(file);
    json_decref(labels);
}

int main(void)
{
    RUN(test_networks);
    RUN(test_base58_vectors);
    RUN(test_base58_reference);
    RUN(test_base58check);
    RUN(test_bech32_charset);
    RUN(test_bech32_checksums);
    RUN(test_segwit_valid);
    RUN(test_segwit_invalid);
    RUN(test_bip341);
    RUN(test_base58_addresses);
    RUN(test_segwit_errors);
    RUN(test_hex_forms);
    RUN(test_encode_rejects);
    RUN(test_regtest_labeled_chain);
    return cw_test_done();
}
