/* test_gen_evm_parts.c: pieces of the EVM world generator against outside truth.
 *  - Keccak-256 against published digests (the empty string; the ERC-20 Transfer and Approval
 *    topics and the transfer(address,uint256) selector as every explorer shows them);
 *  - CREATE addresses against known deployments (the first contracts of anvil's / hardhat's
 *    first dev account 0xf39f...2266: nonce 0 -> 0x5fbdb2315678afecb367f032d93f642f64180aa3,
 *    nonce 1 -> 0xe7f1725e7734ce288f8367e1bb143e90bb3f0512);
 *  - the built-in scenario is the same JSON as data/scenarios/evm-demo-heist.json. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/gen_evm.h"
#include "chainwatch/util.h"
#include "gen/evm/evm_int.h"
#include "harness.h"

static void hex(char *out, const uint8_t *p, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[p[i] >> 4];
        out[2 * i + 1] = hx[p[i] & 15];
    }
    out[2 * n] = 0;
}

static void test_keccak(void)
{
    uint8_t h[32];
    char s[65];
    ew_keccak256(h, "", 0);
    hex(s, h, 32);
    CHECK_EQ_STR(s, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    const char *t = "Transfer(address,address,uint256)";
    ew_keccak256(h, t, strlen(t));
    hex(s, h, 32);
    CHECK_EQ_STR(s, "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
    t = "Approval(address,address,uint256)";
    ew_keccak256(h, t, strlen(t));
    hex(s, h, 32);
    CHECK_EQ_STR(s, "8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925");
    t = "transfer(address,uint256)";
    ew_keccak256(h, t, strlen(t));
    hex(s, h, 4);
    CHECK_EQ_STR(s, "a9059cbb");
    /* longer than one 136-byte block */
    char buf[300];
    memset(buf, 'a', sizeof buf);
    ew_keccak256(h, buf, 200);
    uint8_t h2[32];
    ew_keccak256(h2, buf, 200);
    CHECK(memcmp(h, h2, 32) == 0);
}

static void test_create_address(void)
{
    uint8_t sender[20], a[20];
    const char *dev = "f39fd6e51aad88f6f4ce6ab8827279cfffb92266";
    REQUIRE(cw_hex_decode(sender, 20, dev) == 0);
    char s[41];
    ew_create_address(sender, 0, a);
    hex(s, a, 20);
    CHECK_EQ_STR(s, "5fbdb2315678afecb367f032d93f642f64180aa3");
    ew_create_address(sender, 1, a);
    hex(s, a, 20);
    CHECK_EQ_STR(s, "e7f1725e7734ce288f8367e1bb143e90bb3f0512");
}

static void test_builtin_scenario(void)
{
    const char *src = getenv("CW_SOURCE_DIR");
    if (!src)
        cw_test_skip("CW_SOURCE_DIR is not set");
    char p[1024];
    snprintf(p, sizeof p, "%s/data/scenarios/evm-demo-heist.json", src);
    json_error_t je;
    json_t *file = json_load_file(p, 0, &je);
    json_t *builtin = json_loads(cw_gen_evm_default_scenario(), 0, &je);
    REQUIRE(file && builtin);
    CHECK(json_equal(file, builtin));
    json_decref(file);
    json_decref(builtin);
    cw_gen_evm_scenario *s = NULL;
    CHECK(cw_gen_evm_scenario_load(&s, p) == 0);
    cw_gen_evm_scenario_free(s);
}

int main(void)
{
    RUN(test_keccak);
    RUN(test_create_address);
    RUN(test_builtin_scenario);
    return cw_test_done();
}
