/*
 * test_script.c: cw_script_classify on hand-made scripts of every type and on malformed ones.
 *
 * Truth: the genesis coinbase output and the two outputs of the block-170 transaction
 * f4184fc5... (script bytes read from the shared mainnet-h0-h438.blk fixture; the addresses
 * 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa, 1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3 and
 * 12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S are the published ones), the BIP173 example key
 * (hash160 of the secp256k1 generator = 751e76e8..., address 1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH),
 * SHA-256("") from FIPS 180, and the script templates of BIP16/141/341 and Bitcoin Core's
 * Solver. Every script is classified from a heap copy of exactly its length so that ASan
 * catches a read past the end.
 *
 * Real outputs: every output of four mainnet fixture blocks (btc-mainnet-blocks) is classified
 * and its address compared with python-bitcoinlib 0.11.2 (Debian python3-bitcoinlib), an
 * independent implementation, through a SHA-256 of the one-line-per-output listing. The
 * listing has the address for P2PK/P2PKH/P2SH/P2WPKH/P2WSH outputs and "-" otherwise; it was
 * made with CBech32BitcoinAddress / P2SHBitcoinAddress / P2PKHBitcoinAddress.from_scriptPubKey
 * (canonical pushes only, bare checksig off) and, for P2PK (33-byte 02/03 or 65-byte
 * 04/06/07 key + OP_CHECKSIG), P2PKHBitcoinAddress.from_pubkey. (bitcoinlib's own bare-checksig
 * path hashes only 64 bytes of an uncompressed key, a bug, so it is not used.)
 */
#include <stdlib.h>
#include <string.h>

#include "chainwatch/btc/address.h"
#include "chainwatch/btc/block.h"
#include "chainwatch/errors.h"
#include "chainwatch/util.h"
#include "harness.h"

/* the genesis key's X and Y coordinates, without the 04 prefix */
#define GENESIS_XY                                                                                 \
    "678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e5"     \
    "1ec112de5c384df7ba0b8d578a4c702b6bf11d5f"
#define GENESIS_PK "04" GENESIS_XY
#define HAL_PK                                                                                     \
    "04ae1a62fe09c5f51b13905f07f06b99a2f7159b2225f374cd378d71302fa28414e7aab37397f554a7df5f142c"   \
    "21c1b7303b8a0626f1baded5c72a704f7e6cd84c"
#define SATOSHI_PK                                                                                 \
    "0411db93e1dcdb8a016b49840f8c53bc1eb68a382e97b1482ecad7b148a6909a5cb2e0eaddfb84ccf9744464f8"   \
    "2e160bfa9b8b64f9d4c03f999b8643f656b412a3"
#define G_X "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
#define G_PK "02" G_X
#define G_H160 "751e76e8199196d454941c45d1b3a323f1433bd6"
#define HAL_H160 "fc916f213a3d7f1369313d5fa30f6168f9446a2d"

/* Classifies the script given as hex from an exact-size heap copy. */
static cw_script_type classify_hex(const char *hex, cw_addr_key *key)
{
    uint8_t *b = NULL;
    size_t n = 0;
    if (cw_hex_decode_alloc(&b, &n, hex) != 0) {
        fprintf(stderr, "bad test hex: %s\n", hex);
        abort();
    }
    uint8_t *exact = malloc(n ? n : 1);
    if (n)
        memcpy(exact, b, n);
    cw_script_type t = cw_script_classify(n ? exact : NULL, n, key);
    free(exact);
    cw_free(b);
    return t;
}

static const char *key_hex(const cw_addr_key *k)
{
    static char s[81];
    cw_hex_encode(s, k->data, k->len);
    return s;
}

static const char *addr_main(const cw_addr_key *k)
{
    static char s[CW_ADDR_STR_MAX];
    if (cw_addr_encode(s, sizeof s, k, CW_NET_MAIN) != 0)
        return "(encode failed)";
    return s;
}

static bool key_tail_zero(const cw_addr_key *k)
{
    for (size_t i = k->len; i < sizeof k->data; i++)
        if (k->data[i])
            return false;
    return true;
}

static void test_p2pk_real(void)
{
    cw_addr_key k;
    CHECK_EQ_INT(classify_hex("41" GENESIS_PK "ac", &k), CW_SCRIPT_P2PK);
    CHECK_EQ_INT(k.kind, CW_ADDR_PKH);
    CHECK_EQ_INT(k.len, 20);
    CHECK_EQ_STR(key_hex(&k), "62e907b15cbf27d5425399ebf6f0fb50ebb88f18");
    CHECK_EQ_STR(addr_main(&k), "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa");

    CHECK_EQ_INT(classify_hex("41" HAL_PK "ac", &k), CW_SCRIPT_P2PK);
    CHECK_EQ_STR(key_hex(&k), HAL_H160);
    CHECK_EQ_STR(addr_main(&k), "1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3");
    CHECK_EQ_INT(classify_hex("41" SATOSHI_PK "ac", &k), CW_SCRIPT_P2PK);
    CHECK_EQ_STR(addr_main(&k), "12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S");

    /* P2PK and P2PKH of the same key share one address key. */
    cw_addr_key k2;
    classify_hex("41" HAL_PK "ac", &k);
    CHECK_EQ_INT(classify_hex("76a914" HAL_H160 "88ac", &k2), CW_SCRIPT_P2PKH);
    CHECK(memcmp(&k, &k2, sizeof k) == 0);

    /* Compressed key: the secp256k1 generator. */
    CHECK_EQ_INT(classify_hex("21" G_PK "ac", &k), CW_SCRIPT_P2PK);
    CHECK_EQ_STR(key_hex(&k), G_H160);
    CHECK_EQ_STR(addr_main(&k), "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH");
    /* Hybrid 06/07 keys of 65 bytes are valid sizes for Core too. */
    CHECK_EQ_INT(classify_hex("4106" GENESIS_XY "ac", &k), CW_SCRIPT_P2PK);
}

static void test_p2pk_malformed(void)
{
    cw_addr_key k;
    /* 66-byte "pubkey" */
    CHECK_EQ_INT(classify_hex("42" GENESIS_PK "00ac", &k), CW_SCRIPT_NONSTANDARD);
    CHECK_EQ_INT(k.kind, CW_ADDR_NONSTD);
    /* 33 bytes with an uncompressed prefix, 65 bytes with a compressed prefix */
    CHECK_EQ_INT(classify_hex("2104" G_X "ac", &k), CW_SCRIPT_NONSTANDARD);
    CHECK_EQ_INT(classify_hex("4102" GENESIS_XY "ac", &k), CW_SCRIPT_NONSTANDARD);
    /* 05 is no key prefix */
    CHECK_EQ_INT(classify_hex("4105" GENESIS_XY "ac", &k), CW_SCRIPT_NONSTANDARD);
    /* the key pushed with OP_PUSHDATA1 (Core's template wants a direct push) */
    CHECK_EQ_INT(classify_hex("4c21" G_PK "ac", &k), CW_SCRIPT_NONSTANDARD);
    /* missing OP_CHECKSIG, OP_CHECKSIGVERIFY instead, trailing byte */
    CHECK_EQ_INT(classify_hex("21" G_PK, &k), CW_SCRIPT_NONSTANDARD);
    CHECK_EQ_INT(classify_hex("21" G_PK "ad", &k), CW_SCRIPT_NONSTANDARD);
    CHECK_EQ_INT(classify_hex("21" G_PK "ac00", &k), CW_SCRIPT_NONSTANDARD);
}

static void test_p2pkh_p2sh(void)
{
    cw_addr_key k;
    CHECK_EQ_INT(classify_hex("76a914" G_H160 "88ac", &k), CW_SCRIPT_P2PKH);
    CHECK_EQ_INT(k.kind, CW_ADDR_PKH);
    CHECK_EQ_STR(key_hex(&k), G_H160);
    CHECK_EQ_STR(addr_main(&k), "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH");
    CHECK(key_tail_zero(&k));

    CHECK_EQ_INT(classify_hex("a914" G_H160 "87", &k), CW_SCRIPT_P2SH);
    CHECK_EQ_INT(k.kind, CW_ADDR_SH);
    CHECK_EQ_STR(key_hex(&k), G_H160);
    CHECK_EQ_STR(addr_main(&k), "3CNHUhP3uyB9EUtRLsmvFUmvGdjGdkTxJw");

    /* near misses */
    CHECK_EQ_INT(classify_hex("76a914" G_H160 "88ad", &k), CW_SCRIPT_NONSTANDARD);
    CHECK_EQ_INT(classify_hex("76a913" G_H160 "88ac", &k), CW_SCRIPT_NONSTANDARD);
    CHECK_EQ_INT(classify_hex("76a914" G_H160 "88", &k), CW_SCRIPT_NONSTANDARD);
    CHECK_EQ_INT(classify_hex("a914" G_H160 "88", &k), CW_SCRIPT_NONSTANDARD);
    CHECK_EQ_INT(classify_hex("a914" G_H160 "8700", &k), CW_SCRIPT_NONSTANDARD);
    CHECK_EQ_INT(classify_hex("a94c14" G_H160 "87", &k), CW_SCRIPT_NONSTANDARD);
}

static void test_witness(void)
{
    cw_addr_key k;
    CHECK_EQ_INT(classify_hex("0014" G_H160, &k), CW_SCRIPT_P2WPKH);
    CHECK_EQ_INT(k.kind, CW_ADDR_WITNESS);
    CHECK_EQ_INT(k.witver, 0);
    CHECK_EQ_INT(k.len, 20);
    CHECK_EQ_STR(addr_main(&k), "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");

    CHECK_EQ_INT(classify_hex("0020"
                              "1863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262",
                              &k),
                 CW_SCRIPT_P2WSH);
    CHECK_EQ_INT(k.len, 32);
    CHECK_EQ_STR(addr_main(&k), "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3");

    CHECK_EQ_INT(classify_hex("5120"
                              "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
                              &k),
                 CW_SCRIPT_P2TR);
    CHECK_EQ_INT(k.witver, 1);
    CHECK_EQ_STR(addr_main(&k), "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0");

    /* v0 with a 25-byte program, v1 with 20 bytes, v16 with 2, v2 with 40: WITNESS_UNKNOWN */
    CHECK_EQ_INT(classify_hex("0019" G_H160 "0102030405", &k), CW_SCRIPT_WITNESS_UNKNOWN);
    CHECK_EQ_INT(k.kind, CW_ADDR_WITNESS);
    CHECK_EQ_INT(k.witver, 0);
    CHECK_EQ_INT(k.len, 25);
    CHECK_EQ_STR(addr_main(&k), "witness-v0-" G_H160 "0102030405");
    CHECK_EQ_INT(classify_hex("5114" G_H160, &k), CW_SCRIPT_WITNESS_UNKNOWN);
    CHECK_EQ_INT(k.witver, 1);
    CHECK_EQ_INT(k.len, 20);
    CHECK_EQ_INT(classify_hex("6002751e", &k), CW_SCRIPT_WITNESS_UNKNOWN);
    CHECK_EQ_INT(k.witver, 16);
    CHECK_EQ_STR(addr_main(&k), "bc1sw50qgdz25j"); /* BIP350 vector */
    CHECK_EQ_INT(classify_hex("5228" G_H160 G_H160, &k), CW_SCRIPT_WITNESS_UNKNOWN);
    CHECK_EQ_INT(k.witver, 2);
    CHECK_EQ_INT(k.len, 40);

    /* not witness programs: 1-byte and 41-byte programs, PUSHDATA1 form, OP_1NEGATE,
     * length byte disagreeing with the script length */
    CHECK_EQ_INT(classify_hex("000101", &k), CW_SCRIPT_NONSTANDARD);
    CHECK_EQ_INT(classify_hex("5129" G_H160 G_H160 "00", &k), CW_SCRIPT_NONSTANDARD);
    CHECK_EQ_INT(classify_hex("004c14" G_H160, &k), CW_SCRIPT_NONSTANDARD);
    CHECK_EQ_INT(classify_hex("4f14" G_H160, &k), CW_SCRIPT_NONSTANDARD);
    CHECK_EQ_INT(classify_hex("0014" G_H160 "00", &k), CW_SCRIPT_NONSTANDARD);
    CHECK_EQ_INT(classify_hex("0015" G_H160, &k), CW_SCRIPT_NONSTANDARD);
    CHECK_EQ_INT(k.kind, CW_ADDR_NONSTD);
}

/* Builds OP_m <n keys, each pushed with `push` ("21" direct, "4c21", "4d2100", "4e21000000")>
 * OP_n OP_CHECKMULTISIG into hex (caller frees). */
static char *multisig_hex(int m, int n_keys, int n_op, const char *push)
{
    size_t cap = 16 + (size_t)n_keys * (strlen(push) + 66) + 1;
    char *s = malloc(cap);
    size_t o = 0;
    o += (size_t)snprintf(s + o, cap - o, "%02x", 0x50 + m);
    for (int i = 0; i < n_keys; i++)
        o += (size_t)snprintf(s + o, cap - o, "%s%s", push, G_PK);
    snprintf(s + o, cap - o, "%02xae", 0x50 + n_op);
    return s;
}

static void test_multisig(void)
{
    cw_addr_key k;
    static const char *const pushes[] = {"21", "4c21", "4d2100", "4e21000000"};
    for (size_t i = 0; i < 4; i++) {
        char *h = multisig_hex(1, 2, 2, pushes[i]);
        CHECK_EQ_INT(classify_hex(h, &k), CW_SCRIPT_MULTISIG);
        CHECK_EQ_INT(k.kind, CW_ADDR_MULTISIG);
        CHECK_EQ_INT(k.len, 32);
        /* the key is SHA-256 of the script */
        uint8_t *b;
        size_t n;
        REQUIRE(cw_hex_decode_alloc(&b, &n, h) == 0);
        uint8_t want[32];
        cw_sha256(want, b, n);
        CHECK(memcmp(k.data, want, 32) == 0);
        char want_s[CW_ADDR_STR_MAX] = "multisig-";
        cw_hex_encode(want_s + 9, want, 32);
        CHECK_EQ_STR(addr_main(&k), want_s);
        cw_free(b);
        free(h);
    }
    char *h = multisig_hex(16, 16, 16, "21");
    CHECK_EQ_INT(classify_hex(h, &k), CW_SCRIPT_MULTISIG);
    free(h);
    h = multisig_hex(3, 3, 3, "21");
    CHECK_EQ_INT(classify_hex(h, &k), CW_SCRIPT_MULTISIG);
    free(h);
    /* 2-of-2 with an uncompressed key then a compressed one */
    CHECK_EQ_INT(classify_hex("5241" GENESIS_PK "21" G_PK "52ae", &k), CW_SCRIPT_MULTISIG);

    /* m > n; n disagreeing with the key count; 17 keys; OP_0 as m */
    h = multisig_hex(3, 2, 2, "21");
    CHECK_EQ_INT(classify_hex(h, &k), CW_SCRIPT_NONSTANDARD);
    free(h);
    h = multisig_hex(1, 2, 3, "21");
    CHECK_EQ_INT(classify_hex(h, &k), CW_SCRIPT_NONSTANDARD);
    free(h);
    h = multisig_hex(1, 17, 16, "21");
    CHECK_EQ_INT(classify_hex(h, &k), CW_SCRIPT_NONSTANDARD);
    free(h);
    CHECK_EQ_INT(classify_hex("0021" G_PK "51ae", &k), CW_SCRIPT_NONSTANDARD);
    /* zero keys: OP_1 OP_1 is m=1 of n=1 without a key */
    CHECK_EQ_INT(classify_hex("5151ae", &k), CW_SCRIPT_NONSTANDARD);
    CHECK_EQ_INT(classify_hex("510051ae", &k), CW_SCRIPT_NONSTANDARD);
    /* a 66-byte "pubkey", an empty push, a 32-byte push */
    CHECK_EQ_INT(classify_hex("5142" GENESIS_PK "0051ae", &k), CW_SCRIPT_NONSTANDARD);
    CHECK_EQ_INT(classify_hex("51"
                              "4c00"
                              "51ae",
                              &k),
                 CW_SCRIPT_NONSTANDARD);
    CHECK_EQ_INT(classify_hex("5120" G_H160 "000000000000000000000000"
                              "51ae",
                              &k),
                 CW_SCRIPT_NONSTANDARD);
    /* PUSHDATA length running past the end of the script */
    CHECK_EQ_INT(classify_hex("514cff" G_PK "51ae", &k), CW_SCRIPT_NONSTANDARD);
    CHECK_EQ_INT(classify_hex("514dffff" G_PK "51ae", &k), CW_SCRIPT_NONSTANDARD);
    CHECK_EQ_INT(classify_hex("514effffffff" G_PK "51ae", &k), CW_SCRIPT_NONSTANDARD);
    /* trailing byte, CHECKMULTISIGVERIFY instead, other opcode between keys */
    CHECK_EQ_INT(classify_hex("5121" G_PK "51ae00", &k), CW_SCRIPT_NONSTANDARD);
    CHECK_EQ_INT(classify_hex("5121" G_PK "51af", &k), CW_SCRIPT_NONSTANDARD);
    CHECK_EQ_INT(classify_hex("5121" G_PK "7521" G_PK "52ae", &k), CW_SCRIPT_NONSTANDARD);
    /* 1-of-1 is fine */
    CHECK_EQ_INT(classify_hex("5121" G_PK "51ae", &k), CW_SCRIPT_MULTISIG);
}

static void test_op_return(void)
{
    cw_addr_key k;
    char s[CW_ADDR_STR_MAX];
    CHECK_EQ_INT(classify_hex("6a", &k), CW_SCRIPT_OP_RETURN);
    CHECK_EQ_INT(k.kind, CW_ADDR_NONE);
    CHECK_EQ_INT(k.len, 0);
    CHECK(key_tail_zero(&k));
    CHECK_EQ_INT(cw_addr_encode(s, sizeof s, &k, CW_NET_MAIN), CW_EINVAL);
    CHECK_EQ_INT(classify_hex("6a0b68656c6c6f20776f726c64", &k), CW_SCRIPT_OP_RETURN);
    /* not push-only after OP_RETURN: still provably unspendable */
    CHECK_EQ_INT(classify_hex("6aac4c", &k), CW_SCRIPT_OP_RETURN);
    CHECK_EQ_INT(k.kind, CW_ADDR_NONE);
    /* OP_RETURN not first */
    CHECK_EQ_INT(classify_hex("006a", &k), CW_SCRIPT_NONSTANDARD);
}

static void test_nonstandard(void)
{
    cw_addr_key k;
    CHECK_EQ_INT(classify_hex("", &k), CW_SCRIPT_NONSTANDARD);
    CHECK_EQ_INT(k.kind, CW_ADDR_NONSTD);
    CHECK_EQ_INT(k.len, 32);
    CHECK_EQ_STR(key_hex(&k), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK_EQ_STR(addr_main(&k),
                 "script-e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    /* truncated pushes of each form */
    static const char *const bad[] = {"4c",           "4d01",   "4e010000", "4c05aa", "4d0500aa",
                                      "4e05000000aa", "05aabb", "ac",       "51",     "00"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_EQ_INT(classify_hex(bad[i], &k), CW_SCRIPT_NONSTANDARD);
        CHECK_EQ_INT(k.kind, CW_ADDR_NONSTD);
    }
    /* "abc" = 616263, SHA-256 from FIPS 180-2 */
    CHECK_EQ_INT(classify_hex("616263", &k), CW_SCRIPT_NONSTANDARD);
    CHECK_EQ_STR(key_hex(&k), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* Every prefix of every template script classifies without reading past its end (ASan) and
 * yields a canonical key; prefixes of a valid script are never that script's type, except
 * where a shorter script is itself a template. */
static void test_all_prefixes(void)
{
    char *ms = multisig_hex(2, 3, 3, "4d2100");
    const char *scripts[] = {"41" GENESIS_PK "ac", "76a914" G_H160 "88ac", "a914" G_H160 "87",
                             "0014" G_H160,        "5228" G_H160 G_H160,   ms};
    for (size_t i = 0; i < sizeof scripts / sizeof scripts[0]; i++) {
        uint8_t *b;
        size_t n;
        REQUIRE(cw_hex_decode_alloc(&b, &n, scripts[i]) == 0);
        cw_addr_key full;
        cw_script_type tfull = cw_script_classify(b, n, &full);
        CHECK(tfull != CW_SCRIPT_NONSTANDARD);
        for (size_t len = 0; len < n; len++) {
            uint8_t *exact = malloc(len ? len : 1);
            memcpy(exact, b, len);
            cw_addr_key k;
            cw_script_type t = cw_script_classify(exact, len, &k);
            CHECK(key_tail_zero(&k));
            if (t == tfull && tfull != CW_SCRIPT_OP_RETURN)
                fprintf(stderr, "prefix %zu of script %zu classified as %s\n", len, i,
                        cw_script_type_name(t));
            CHECK(t != tfull);
            free(exact);
        }
        cw_free(b);
    }
    free(ms);
}

static void test_script_roundtrip(void)
{
    /* cw_addr_script gives back exactly the classified script for hash/witness templates. */
    const char *scripts[] = {
        "76a914" G_H160 "88ac", "a914" G_H160 "87", "0014" G_H160,
        "5114" G_H160,          "6002751e",         "0019" G_H160 "0102030405"};
    for (size_t i = 0; i < sizeof scripts / sizeof scripts[0]; i++) {
        uint8_t *b;
        size_t n;
        REQUIRE(cw_hex_decode_alloc(&b, &n, scripts[i]) == 0);
        cw_addr_key k;
        cw_script_classify(b, n, &k);
        uint8_t out[42];
        int len = cw_addr_script(out, &k);
        CHECK_EQ_INT(len, (long long)n);
        CHECK(len > 0 && memcmp(out, b, n) == 0);
        cw_free(b);
    }
    /* P2PK maps to its P2PKH script; multisig/nonstandard/none have no canonical script */
    cw_addr_key k;
    uint8_t out[42];
    classify_hex("21" G_PK "ac", &k);
    CHECK_EQ_INT(cw_addr_script(out, &k), 25);
    classify_hex("5121" G_PK "51ae", &k);
    CHECK_EQ_INT(cw_addr_script(out, &k), CW_EINVAL);
    classify_hex("ac", &k);
    CHECK_EQ_INT(cw_addr_script(out, &k), CW_EINVAL);
    classify_hex("6a", &k);
    CHECK_EQ_INT(cw_addr_script(out, &k), CW_EINVAL);
}

static void test_type_names(void)
{
    CHECK_EQ_STR(cw_script_type_name(CW_SCRIPT_NONSTANDARD), "nonstandard");
    CHECK_EQ_STR(cw_script_type_name(CW_SCRIPT_P2PK), "p2pk");
    CHECK_EQ_STR(cw_script_type_name(CW_SCRIPT_P2PKH), "p2pkh");
    CHECK_EQ_STR(cw_script_type_name(CW_SCRIPT_P2SH), "p2sh");
    CHECK_EQ_STR(cw_script_type_name(CW_SCRIPT_P2WPKH), "p2wpkh");
    CHECK_EQ_STR(cw_script_type_name(CW_SCRIPT_P2WSH), "p2wsh");
    CHECK_EQ_STR(cw_script_type_name(CW_SCRIPT_P2TR), "p2tr");
    CHECK_EQ_STR(cw_script_type_name(CW_SCRIPT_MULTISIG), "multisig");
    CHECK_EQ_STR(cw_script_type_name(CW_SCRIPT_OP_RETURN), "op_return");
    CHECK_EQ_STR(cw_script_type_name(CW_SCRIPT_WITNESS_UNKNOWN), "witness_unknown");
    CHECK_EQ_STR(cw_script_type_name(CW_SCRIPT_TYPE_COUNT), "unknown");
    /* the enum values are part of the store format */
    CHECK_EQ_INT(CW_SCRIPT_MULTISIG, 7);
    CHECK_EQ_INT(CW_SCRIPT_WITNESS_UNKNOWN, 9);
    CHECK_EQ_INT(CW_ADDR_NONSTD, 5);
}

/* ---- real mainnet outputs vs python-bitcoinlib ----------------------------------------- */

typedef struct xcheck {
    const char *file;
    int framed; /* blk framing (magic + size) or one bare block */
    int n_outputs, n_with_address;
    const char *sha256;
} xcheck;

static void xcheck_block(cw_buf *lines, int counts[2], int by_type[CW_SCRIPT_TYPE_COUNT],
                         const cw_block *b)
{
    for (uint32_t i = 0; i < b->n_outs; i++) {
        const cw_txout *out = &b->outs[i];
        cw_addr_key k;
        cw_script_type t = cw_script_classify(out->script, out->script_len, &k);
        by_type[t]++;
        counts[0]++;
        if (t == CW_SCRIPT_P2PK || t == CW_SCRIPT_P2PKH || t == CW_SCRIPT_P2SH ||
            t == CW_SCRIPT_P2WPKH || t == CW_SCRIPT_P2WSH) {
            char a[CW_ADDR_STR_MAX];
            if (cw_addr_encode(a, sizeof a, &k, CW_NET_MAIN) != 0)
                snprintf(a, sizeof a, "(encode failed)");
            cw_buf_printf(lines, "%s\n", a);
            counts[1]++;
        } else {
            cw_buf_printf(lines, "-\n");
        }
    }
}

static void test_mainnet_outputs(void)
{
    static const xcheck cases[] = {
        {"btc-mainnet-blocks/mainnet-h0-h438.blk", 1, 451, 451,
         "52ea7c52381ba46000ccc81243caf345c1c20a623eee914c83ea55b381a1072b"},
        {"btc-mainnet-blocks/h277647.blk", 1, 769, 769,
         "10da3703c6f143aad49140a6ec0ce53f8538f27cd1e0bedc82f4762cdc751404"},
        {"btc-mainnet-blocks/h481829.block", 0, 5146, 5136,
         "7daaa57820d2b1170449aa9356db4ebf97029739f0d7396514d267b0277aa544"},
        {"btc-mainnet-blocks/h574200.block", 0, 8150, 7174,
         "042ec970cf34753fea2f7390b3932b0fea5d6fa9708bf3f625c6ed67f369ec78"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        uint8_t *file = NULL;
        size_t len = 0;
        REQUIRE(cw_file_read(&file, &len, cw_test_data(cases[c].file)) == 0);
        cw_block b;
        memset(&b, 0, sizeof b);
        cw_buf lines = {0};
        int counts[2] = {0, 0}, by_type[CW_SCRIPT_TYPE_COUNT] = {0};
        if (cases[c].framed) {
            size_t off = 0;
            while (off + 8 <= len && file[off] == 0xf9 && file[off + 1] == 0xbe) {
                uint32_t size = (uint32_t)file[off + 4] | (uint32_t)file[off + 5] << 8 |
                                (uint32_t)file[off + 6] << 16 | (uint32_t)file[off + 7] << 24;
                REQUIRE(off + 8 + size <= len);
                REQUIRE(cw_block_decode(&b, file + off + 8, size, cases[c].file, off + 8,
                                        CW_HASH_NONE) == 0);
                xcheck_block(&lines, counts, by_type, &b);
                off += 8 + (size_t)size;
            }
        } else {
            REQUIRE(cw_block_decode(&b, file, len, cases[c].file, 0, CW_HASH_NONE) == 0);
            xcheck_block(&lines, counts, by_type, &b);
        }
        CHECK_EQ_INT(counts[0], cases[c].n_outputs);
        CHECK_EQ_INT(counts[1], cases[c].n_with_address);
        uint8_t h[32];
        char hex[65];
        cw_sha256(h, lines.data, lines.len);
        cw_hex_encode(hex, h, 32);
        CHECK_EQ_STR(hex, cases[c].sha256);
        fprintf(stderr, "  %s:", cases[c].file);
        for (int t = 0; t < CW_SCRIPT_TYPE_COUNT; t++)
            if (by_type[t])
                fprintf(stderr, " %s=%d", cw_script_type_name((cw_script_type)t), by_type[t]);
        fprintf(stderr, "\n");
        cw_buf_deinit(&lines);
        cw_block_deinit(&b);
        cw_free(file);
    }
}

int main(void)
{
    RUN(test_p2pk_real);
    RUN(test_p2pk_malformed);
    RUN(test_p2pkh_p2sh);
    RUN(test_witness);
    RUN(test_multisig);
    RUN(test_op_return);
    RUN(test_nonstandard);
    RUN(test_all_prefixes);
    RUN(test_script_roundtrip);
    RUN(test_type_names);
    RUN(test_mainnet_outputs);
    return cw_test_done();
}
