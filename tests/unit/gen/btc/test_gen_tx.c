/* test_gen_tx.c: the generator's serializer against real mainnet bytes (genesis block, merkle
 * roots of the first 439 mainnet blocks), BIP34 and size predictions, and segwit txid rules. */
#include <string.h>

#include "chainwatch/btc/address.h"
#include "chainwatch/btc/block.h"
#include "chainwatch/errors.h"
#include "chainwatch/util.h"
#include "gen/btc/tx.h"
#include "harness.h"

static void test_genesis_bytes(void)
{
    cw_buf b = {0};
    uint8_t hash[32];
    char hx[65];
    REQUIRE(gen_genesis(&b, false, hash) == 0);
    cw_hex_encode_rev(hx, hash, 32);
    CHECK_EQ_STR(hx, "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
    /* the merkle root in the header is the coinbase txid */
    cw_hex_encode_rev(hx, b.data + 36, 32);
    CHECK_EQ_STR(hx, "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b");
    CHECK_EQ_INT(b.len, 285);
    /* byte-identical to the first record of the real chain (bitcoinj's first 100k bytes) */
    uint8_t *data = NULL;
    size_t n = 0;
    REQUIRE(cw_file_read(&data, &n, cw_test_data("btc-mainnet-blocks/mainnet-h0-h438.blk")) == 0);
    REQUIRE(n > 8 + 285);
    CHECK(data[4] == 0x1d && data[5] == 0x01 && data[6] == 0 && data[7] == 0);
    CHECK(memcmp(data + 8, b.data, 285) == 0);
    cw_free(data);
    b.len = 0;
    REQUIRE(gen_genesis(&b, true, hash) == 0);
    cw_hex_encode_rev(hx, hash, 32);
    CHECK_EQ_STR(hx, "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206");
    cw_buf_deinit(&b);
}

/* Length of a legacy (pre-segwit) transaction at p; 0 if it does not fit. */
static size_t varint(const uint8_t *p, size_t *len)
{
    if (p[0] < 0xfd) {
        *len = 1;
        return p[0];
    }
    if (p[0] == 0xfd) {
        *len = 3;
        return (size_t)p[1] | (size_t)p[2] << 8;
    }
    *len = 5;
    return (size_t)p[1] | (size_t)p[2] << 8 | (size_t)p[3] << 16 | (size_t)p[4] << 24;
}

static size_t legacy_tx_len(const uint8_t *p, size_t avail)
{
    size_t o = 4, l, n;
    n = varint(p + o, &l);
    o += l;
    for (size_t i = 0; i < n; i++) {
        o += 36;
        size_t s = varint(p + o, &l);
        o += l + s + 4;
    }
    n = varint(p + o, &l);
    o += l;
    for (size_t i = 0; i < n; i++) {
        o += 8;
        size_t s = varint(p + o, &l);
        o += l + s;
    }
    o += 4;
    return o <= avail ? o : 0;
}

static void test_merkle_roots_mainnet(void)
{
    uint8_t *data = NULL;
    size_t n = 0;
    REQUIRE(cw_file_read(&data, &n, cw_test_data("btc-mainnet-blocks/mainnet-h0-h438.blk")) == 0);
    size_t pos = 0, blocks = 0, multi = 0, ok = 0;
    while (pos + 8 <= n) {
        size_t size = (size_t)data[pos + 4] | (size_t)data[pos + 5] << 8 |
                      (size_t)data[pos + 6] << 16 | (size_t)data[pos + 7] << 24;
        const uint8_t *blk = data + pos + 8;
        size_t l, ntx = varint(blk + 80, &l), o = 80 + l;
        uint8_t(*ids)[32] = cw_malloc((ntx + 1) * 32);
        REQUIRE(ids != NULL);
        for (size_t i = 0; i < ntx; i++) {
            size_t tl = legacy_tx_len(blk + o, size - o);
            REQUIRE(tl > 0);
            cw_sha256d(ids[i], blk + o, tl);
            o += tl;
        }
        uint8_t root[32];
        cw_merkle_root(root, ids, ntx);
        ok += memcmp(root, blk + 36, 32) == 0;
        multi += ntx > 1;
        cw_free(ids);
        blocks++;
        pos += 8 + size;
    }
    CHECK_EQ_INT(blocks, 439);
    CHECK_EQ_INT(ok, 439);
    CHECK(multi >= 5); /* odd and even counts both occur in the first 439 blocks */
    cw_free(data);
}

static void test_bip34(void)
{
    uint8_t s[8];
    char hx[17];
    /* mainnet block 227836's coinbase starts 03fc7903 (BIP34 height 227836) */
    size_t n = gen_bip34(s, 227836);
    cw_hex_encode(hx, s, n);
    CHECK_EQ_STR(hx, "03fc7903");
    n = gen_bip34(s, 128); /* 0x80 needs a sign byte */
    cw_hex_encode(hx, s, n);
    CHECK_EQ_STR(hx, "028000");
    n = gen_bip34(s, 1);
    cw_hex_encode(hx, s, n);
    CHECK_EQ_STR(hx, "0101");
}

static void test_sizes_and_segwit_txid(void)
{
    static const uint8_t types[4] = {CW_SCRIPT_P2PKH, CW_SCRIPT_P2SH, CW_SCRIPT_P2WPKH,
                                     CW_SCRIPT_P2TR};
    uint8_t prev[32] = {1};
    for (int mask = 1; mask < 16; mask++) {
        gen_tx tx;
        gen_tx_init(&tx);
        for (int t = 0; t < 4; t++)
            if (mask & (1 << t))
                for (uint64_t k = 0; k < 3; k++)
                    REQUIRE(gen_tx_add_in(&tx, prev, (uint32_t)k, types[t], k + 7,
                                          (uint64_t)mask * 1000 + k * 17 + (uint64_t)t) != NULL);
        for (int t = 0; t < 4; t++) {
            uint8_t spk[GEN_SPK_MAX];
            size_t l = gen_spk(spk, types[t], 99 + (uint64_t)t);
            cw_addr_key key;
            CHECK_EQ_INT(cw_script_classify(spk, l, &key), types[t]);
            REQUIRE(gen_tx_add_out(&tx, 1000 + (uint64_t)t, spk, l) != NULL);
        }
        size_t base, total;
        gen_tx_sizes(&tx, &base, &total);
        cw_buf b = {0};
        uint8_t txid[32], wtxid[32];
        REQUIRE(gen_tx_serialize(&b, &tx, txid, wtxid) == 0);
        CHECK_EQ_INT(b.len, total);
        bool wit = mask != 1; /* only P2PKH inputs: legacy serialization */
        CHECK(gen_tx_has_witness(&tx) == wit);
        if (wit) {
            CHECK(b.data[4] == 0 && b.data[5] == 1);
            /* txid = hash of the serialization without marker, flag and witnesses: rebuild it
             * by hand from the pieces (version | body | locktime) */
            size_t body = base - 8;
            uint8_t *strip = cw_malloc(base);
            REQUIRE(strip != NULL);
            memcpy(strip, b.data, 4);
            memcpy(strip + 4, b.data + 6, body);
            memcpy(strip + 4 + body, b.data + b.len - 4, 4);
            uint8_t h[32];
            cw_sha256d(h, strip, base);
            CHECK(memcmp(h, txid, 32) == 0);
            cw_sha256d(h, b.data, b.len);
            CHECK(memcmp(h, wtxid, 32) == 0);
            CHECK(memcmp(txid, wtxid, 32) != 0);
            cw_free(strip);
        } else {
            CHECK_EQ_INT(base, total);
            CHECK(memcmp(txid, wtxid, 32) == 0);
        }
        CHECK_EQ_INT(gen_tx_vsize(&tx), (3 * base + total + 3) / 4);
        cw_buf_deinit(&b);
        gen_tx_deinit(&tx);
    }
}

int main(void)
{
    RUN(test_bip34);
    RUN(test_sizes_and_segwit_txid);
    RUN(test_genesis_bytes);
    RUN(test_merkle_roots_mainnet);
    return cw_test_done();
}
