/* test_keccak.c: Keccak-256 against published digests and the EIP-55 checksum case against
 * the vectors of EIP-55 itself (eips.ethereum.org/EIPS/eip-55, "Test Cases"). */
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/keccak.h"
#include "chainwatch/util.h"
#include "harness.h"

static void test_keccak_vectors(void)
{
    uint8_t h[32];
    char s[65];
    cw_keccak256(h, "", 0); /* Ethereum's empty-code hash */
    cw_hex_encode(s, h, 32);
    CHECK_EQ_STR(s, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    const char *t = "Transfer(address,address,uint256)"; /* the ERC-20 Transfer topic */
    cw_keccak256(h, t, strlen(t));
    cw_hex_encode(s, h, 32);
    CHECK_EQ_STR(s, "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
}

static const char *const eip55[] = {
    /* all caps, all lower, normal (EIP-55's test cases) */
    "0x52908400098527886E0F7030069857D2E4169EE7", "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0xde709f2102306220921060314715629080e2fb77", "0x27b1fdb04752bbc536007a920d24acb045561c26",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
};

static void test_eip55(void)
{
    for (size_t i = 0; i < sizeof eip55 / sizeof eip55[0]; i++) {
        CHECK_EQ_INT(cw_eip55_check(eip55[i]), 0);
        if (i < 4)
            continue;
        uint8_t a[20];
        char out[43];
        CHECK_EQ_INT(cw_hex_decode(a, 20, eip55[i] + 2), 0);
        cw_eip55_encode(out, a);
        CHECK_EQ_STR(out, eip55[i]);
        /* one letter's case flipped: the checksum no longer matches */
        char bad[43];
        memcpy(bad, eip55[i], 43);
        for (int k = 2; k < 42; k++) {
            if ((bad[k] >= 'a' && bad[k] <= 'f') || (bad[k] >= 'A' && bad[k] <= 'F')) {
                bad[k] = (char)(bad[k] ^ 0x20);
                break;
            }
        }
        CHECK(cw_eip55_check(bad) == CW_EINVAL);
        CHECK(strstr(cw_error_last(), eip55[i]) != NULL); /* names the checksummed form */
    }
    CHECK(cw_eip55_check("0x12") == CW_EINVAL);
    CHECK(cw_eip55_check("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg") == CW_EINVAL);
    CHECK(cw_eip55_check(NULL) == CW_EINVAL);
}

int main(void)
{
    RUN(test_keccak_vectors);
    RUN(test_eip55);
    return cw_test_done();
}
