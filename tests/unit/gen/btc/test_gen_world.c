/* test_gen_world.c: a small generated world through the API: two runs with the same seed, one
 * on one thread and one with the output stage on a second thread, are byte-identical (blocks
 * and truth), and both equal the bytes the generator wrote before its speed-up (SHA-256 sums
 * pinned below); another seed differs, the XOR variant de-obfuscates to the same bytes, and the
 * heists' stolen value balances exactly in heists.json. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/gen.h"
#include "chainwatch/util.h"
#include "harness.h"

static cw_gen_scenario *quick(void)
{
    const char *src = getenv("CW_SOURCE_DIR");
    if (!src)
        cw_test_skip("CW_SOURCE_DIR is not set");
    cw_buf p = {0};
    if (cw_buf_printf(&p, "%s/data/scenarios/quick-heist.json", src) != 0)
        return NULL;
    cw_gen_scenario *s = NULL;
    int rc = cw_gen_scenario_load(&s, (const char *)p.data);
    cw_buf_deinit(&p);
    return rc == 0 ? s : NULL;
}

static int gen_t(const char *dir, uint64_t seed, const cw_gen_scenario *s, const char *xor_hex,
                 cw_gen_stats *st, unsigned threads)
{
    cw_gen_opts o;
    memset(&o, 0, sizeof o);
    o.threads = threads;
    o.out_dir = dir;
    o.txs = 3000;
    o.seed = seed;
    o.scenario = s;
    o.net = CW_NET_REGTEST;
    o.max_file_size = 400000; /* several blk files */
    if (xor_hex) {
        o.xor_on = true;
        if (cw_hex_decode(o.xor_key, 8, xor_hex) != 0)
            return CW_EINVAL;
    }
    return cw_gen_run(&o, st);
}

static int gen(const char *dir, uint64_t seed, const cw_gen_scenario *s, const char *xor_hex,
               cw_gen_stats *st)
{
    return gen_t(dir, seed, s, xor_hex, st, 2);
}

/* SHA-256 (hex) of a file's bytes, or "" when it cannot be read. */
static void file_sha(char out[65], const char *p)
{
    uint8_t *x = NULL, h[32];
    size_t n = 0;
    out[0] = 0;
    if (cw_file_read(&x, &n, p) != 0)
        return;
    cw_sha256(h, x, n);
    cw_hex_encode(out, h, 32);
    cw_free(x);
}

static bool same_file(const char *a, const char *b, const uint8_t *key)
{
    uint8_t *x = NULL, *y = NULL;
    size_t nx = 0, ny = 0;
    bool same = cw_file_read(&x, &nx, a) == 0 && cw_file_read(&y, &ny, b) == 0 && nx == ny;
    if (same && key)
        for (size_t i = 0; i < ny; i++)
            y[i] ^= key[i % 8];
    same = same && memcmp(x, y, nx) == 0;
    cw_free(x);
    cw_free(y);
    return same;
}

static char *path(const char *dir, const char *rel)
{
    cw_buf b = {0};
    if (cw_buf_printf(&b, "%s/%s", dir, rel) != 0)
        return NULL;
    return (char *)b.data;
}

static void test_determinism_and_identity(void)
{
    cw_gen_scenario *s = quick();
    REQUIRE(s != NULL);
    const char *tmp = cw_test_tmpdir();
    char *d1 = path(tmp, "a"), *d2 = path(tmp, "b"), *d3 = path(tmp, "c"), *d4 = path(tmp, "x");
    cw_gen_stats s1, s2, s3, s4;
    REQUIRE(gen_t(d1, 42, s, NULL, &s1, 1) == 0);
    REQUIRE(gen(d2, 42, s, NULL, &s2) == 0);
    REQUIRE(gen(d3, 43, s, NULL, &s3) == 0);
    static const uint8_t key[8] = {0x82, 0xad, 0xe9, 0x64, 0x5b, 0xf8, 0x67, 0x5a};
    REQUIRE(gen(d4, 42, s, "82ade9645bf8675a", &s4) == 0);
    CHECK(s1.files >= 3);
    CHECK_EQ_INT(s1.files, s2.files);
    CHECK_EQ_INT(s1.txs, 3000);
    CHECK(s1.stale_blocks >= 2);
    CHECK(memcmp(s1.tip, s2.tip, 32) == 0);
    CHECK(memcmp(s1.tip, s3.tip, 32) != 0);
    CHECK(memcmp(s1.tip, s4.tip, 32) == 0);
    for (uint64_t f = 0; f < s1.files; f++) {
        char rel[64];
        snprintf(rel, sizeof rel, "blocks/blk%05u.dat", (unsigned)f);
        char *a = path(d1, rel), *b = path(d2, rel), *x = path(d4, rel);
        CHECK(same_file(a, b, NULL));
        CHECK(same_file(a, x, key));   /* the XOR'd file de-obfuscates to the same bytes */
        CHECK(!same_file(a, x, NULL)); /* and is obfuscated */
        cw_free(a);
        cw_free(b);
        cw_free(x);
    }
    static const char *const truth[] = {
        "truth/addresses.csv", "truth/heists.json",  "truth/coinjoins.csv", "truth/peel_chains.csv",
        "truth/thief_txs.csv", "truth/entities.csv", "truth/world.json"};
    for (size_t i = 0; i < sizeof truth / sizeof truth[0]; i++) {
        char *a = path(d1, truth[i]), *b = path(d2, truth[i]);
        CHECK(same_file(a, b, NULL));
        cw_free(a);
        cw_free(b);
    }
    /* the bytes of commit 75efd90 (before the output stage and the fast encoders), from
     * `chainwatch gen --txs 3000 --seed 42 --scenario data/scenarios/quick-heist.json
     * --max-file-size 400000`; sha256sum of each file */
    static const char *const pinned[][2] = {
        {"blocks/blk00000.dat", "ee6dbe717a13992bd3a840d364e484553425b0528e75a2d13e6c588107730d65"},
        {"blocks/blk00001.dat", "301c7420a2ec518e2d3773e3f948d1f0537a97124bc5d912d55e2d5289612b4a"},
        {"blocks/blk00002.dat", "64db1cb416c98a0e1b7893a925199d70fd5a84138b02b2e3af1e9b4726838f46"},
        {"blocks/blk00003.dat", "842b82c6eec6c8a8071d6c1fedc4f3bd16d8d6d20a2e7a2194bbb371beaac77e"},
        {"blocks/blk00004.dat", "13be0b2ba9869d13c16c42d47d5a18350b01f42297b3c81a25f206155efe3224"},
        {"truth/addresses.csv", "de02c8b2199b5c40deda269f2cb12f7cb36e1bf7d353b832d9066b21f6a7b322"},
        {"truth/coinjoins.csv", "7eee55954b00f6d8908876d8b91f535f5fca8bdc5bffcf88f9ea11493bb23b20"},
        {"truth/entities.csv", "61b989a43791f847d56f66a248d44756ac04e4267aed635e2922647273325db5"},
        {"truth/heists.json", "ebd3a8c9550259b0fed967aa52d253d4d662527db682492dac71a75aa3bd370f"},
        {"truth/peel_chains.csv",
         "2b6d2b793654e00521c5a9e7adbe2d8e2564f660d1cf22a47fbeeb0e14f2f045"},
        {"truth/thief_txs.csv", "47ccf8c3703906bafae35a65080121a8532f371528b332b7af64e42595f6a8cd"},
        {"truth/world.json", "c29afcad9ca329149c5fd831205691f4bd4ae193af7b3c8864d494ad225e1c74"},
    };
    CHECK_EQ_INT(s1.files, 5);
    for (size_t i = 0; i < sizeof pinned / sizeof pinned[0]; i++) {
        char *a = path(d1, pinned[i][0]), *b = path(d2, pinned[i][0]);
        char ha[65], hb[65];
        file_sha(ha, a);
        file_sha(hb, b);
        CHECK_EQ_STR(ha, pinned[i][1]);
        CHECK_EQ_STR(hb, pinned[i][1]);
        cw_free(a);
        cw_free(b);
    }
    /* the ground-truth identity, to the satoshi */
    char *hj = path(d1, "truth/heists.json");
    json_error_t e;
    json_t *h = json_load_file(hj, 0, &e);
    REQUIRE(h && json_array_size(h) == 2);
    for (size_t i = 0; i < 2; i++) {
        json_t *o = json_array_get(h, i), *t = json_object_get(o, "totals");
        json_int_t stolen = json_integer_value(json_object_get(t, "stolen_sat"));
        json_int_t dep = json_integer_value(json_object_get(t, "deposited_sat"));
        json_int_t un = json_integer_value(json_object_get(t, "unspent_sat"));
        json_int_t fm = json_integer_value(json_object_get(t, "fees_mining_sat"));
        json_int_t fc = json_integer_value(json_object_get(t, "fees_coordinator_sat"));
        CHECK_EQ_INT(stolen, json_integer_value(json_object_get(o, "amount_sat")));
        CHECK_EQ_INT(stolen, dep + un + fm + fc);
        CHECK(dep > 0);
        CHECK(json_is_true(json_object_get(o, "finished")));
        /* the per-deposit list adds up to the total */
        json_int_t sum = 0;
        json_t *d;
        size_t k;
        json_array_foreach(json_object_get(o, "deposits"), k, d)
        {
            sum += json_integer_value(json_object_get(d, "value_sat"));
            CHECK(json_array_size(json_object_get(d, "via")) >= 2);
        }
        CHECK_EQ_INT(sum, dep);
    }
    json_t *first = json_array_get(h, 0);
    CHECK(json_array_size(json_object_get(first, "coinjoin_txids")) >= 2);
    CHECK(json_array_size(json_object_get(first, "peel_chain_txids")) >= 4);
    CHECK(json_integer_value(
              json_object_get(json_object_get(first, "totals"), "fees_coordinator_sat")) > 0);
    json_decref(h);
    cw_free(hj);
    cw_free(d1);
    cw_free(d2);
    cw_free(d3);
    cw_free(d4);
    cw_gen_scenario_free(s);
}

static void test_too_small_and_unpayable(void)
{
    cw_gen_scenario *s = quick();
    REQUIRE(s != NULL);
    const char *tmp = cw_test_tmpdir();
    char *d = path(tmp, "small");
    cw_gen_opts o;
    memset(&o, 0, sizeof o);
    o.out_dir = d;
    o.txs = 1000;
    o.scenario = s;
    o.net = CW_NET_REGTEST;
    cw_gen_stats st;
    CHECK_EQ_INT(cw_gen_run(&o, &st), CW_EINVAL);
    CHECK(strstr(cw_error_last(), "too small") != NULL);
    /* a later fan-out split the thief's coins cannot pay: found during generation */
    const char *bad = "{\"world\":{\"exchanges\":[\"A\",\"B\"]},\"heists\":[{\"name\":\"h\","
                      "\"victim\":\"A\",\"amount_sat\":1000000000,\"at_day\":1,\"steps\":["
                      "{\"type\":\"consolidate\"},{\"type\":\"fan_out\",\"split_sat\":"
                      "[600000000,500000000]}]}]}";
    cw_gen_scenario *b = NULL;
    REQUIRE(cw_gen_scenario_parse(&b, bad, strlen(bad), "late.json") == 0);
    o.scenario = b;
    o.txs = 3000;
    CHECK_EQ_INT(cw_gen_run(&o, &st), CW_EINVAL);
    CHECK(strstr(cw_error_last(), "heists[0].steps[1].split_sat") != NULL);
    CHECK(strstr(cw_error_last(), "cannot be paid") != NULL);
    cw_gen_scenario_free(b);
    cw_gen_scenario_free(s);
    cw_free(d);
}

int main(void)
{
    RUN(test_determinism_and_identity);
    RUN(test_too_small_and_unpayable);
    return cw_test_done();
}
