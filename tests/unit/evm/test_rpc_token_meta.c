/*
 * test_rpc_token_meta.c: token metadata from eth_call answers (cw_evm_rpc_decode_token_meta,
 * src/chain/evm/rpc_decode.c), which `ingest evm --rpc` asks for each new ERC-20 contract.
 * Known truth: anvil's own answers to symbol() and decimals() of tests/evm/contracts/Token.sol
 * deployed as "TUSD" with 6 decimals (an ABI string: offset word 0x20, length word 4, the bytes
 * right-padded to 32), and Maker's MKR, whose symbol() returns a bytes32 ("MKR" then NULs), as
 * the Solidity ABI specification lays both out. Malformed answers (an offset or a length past
 * the end, odd or non-hex digits, decimals above 255, a missing answer) leave the field unknown
 * and never read outside the buffer (ASan).
 */
#include <stdio.h>
#include <string.h>

#include "chainwatch/evm/block.h"
#include "chainwatch/evm/rpc.h"
#include "harness.h"

#define W0 "0000000000000000000000000000000000000000000000000000000000000000"
/* anvil 1.7.1, eth_call symbol() / decimals() on Token("Test Dollar", "TUSD", 6, ...) */
static const char TUSD_SYMBOL[] =
    "0x0000000000000000000000000000000000000000000000000000000000000020"
    "0000000000000000000000000000000000000000000000000000000000000004"
    "5455534400000000000000000000000000000000000000000000000000000000";
static const char TUSD_DECIMALS[] =
    "0x0000000000000000000000000000000000000000000000000000000000000006";

static cw_evm_token decode(const char *sym, const char *dec)
{
    cw_evm_token t;
    memset(&t, 0x5a, sizeof t); /* garbage in: everything must be written */
    cw_evm_rpc_decode_token_meta(&t, sym, dec);
    return t;
}

static void test_real_answers(void)
{
    cw_evm_token t = decode(TUSD_SYMBOL, TUSD_DECIMALS);
    CHECK_EQ_STR(t.symbol, "TUSD");
    CHECK_EQ_INT(t.decimals, 6);
    /* MKR: bytes32 symbol, 18 decimals */
    t = decode("0x4d4b520000000000000000000000000000000000000000000000000000000000",
               "0x0000000000000000000000000000000000000000000000000000000000000012");
    CHECK_EQ_STR(t.symbol, "MKR");
    CHECK_EQ_INT(t.decimals, 18);
    /* upper-case hex digits are hex too */
    t = decode("0x4D4B520000000000000000000000000000000000000000000000000000000000", NULL);
    CHECK_EQ_STR(t.symbol, "MKR");
    CHECK_EQ_INT(t.decimals, -1);
}

static void test_malformed(void)
{
    cw_evm_token t = decode(NULL, NULL); /* both calls reverted */
    CHECK_EQ_STR(t.symbol, "");
    CHECK_EQ_INT(t.decimals, -1);
    /* offset past the end */
    t = decode("0x0000000000000000000000000000000000000000000000000000000000000040" W0, "0x");
    CHECK_EQ_STR(t.symbol, "");
    CHECK_EQ_INT(t.decimals, -1);
    /* length past the end */
    t = decode("0x0000000000000000000000000000000000000000000000000000000000000020"
               "0000000000000000000000000000000000000000000000000000000000000021"
               "5455534400000000000000000000000000000000000000000000000000000000",
               NULL);
    CHECK_EQ_STR(t.symbol, "");
    /* a huge offset or length (above 64 bits) */
    t = decode("0xff00000000000000000000000000000000000000000000000000000000000020" W0 W0, NULL);
    CHECK_EQ_STR(t.symbol, "");
    t = decode("0x0000000000000000000000000000000000000000000000000000000000000020"
               "ff00000000000000000000000000000000000000000000000000000000000004" W0,
               NULL);
    CHECK_EQ_STR(t.symbol, "");
    /* odd digits, not hex, no 0x, not a word */
    t = decode("0x4d4b52000000000000000000000000000000000000000000000000000000000",
               "0x000000000000000000000000000000000000000000000000000000000000000g");
    CHECK_EQ_STR(t.symbol, "");
    CHECK_EQ_INT(t.decimals, -1);
    t = decode("4d4b520000000000000000000000000000000000000000000000000000000000", "0x06");
    CHECK_EQ_STR(t.symbol, "");
    CHECK_EQ_INT(t.decimals, -1);
    /* decimals above 255, and above 64 bits */
    t = decode(NULL, "0x0000000000000000000000000000000000000000000000000000000000000100");
    CHECK_EQ_INT(t.decimals, -1);
    t = decode(NULL, "0x0100000000000000000000000000000000000000000000000000000000000006");
    CHECK_EQ_INT(t.decimals, -1);
    t = decode(NULL, "0x00000000000000000000000000000000000000000000000000000000000000ff");
    CHECK_EQ_INT(t.decimals, 255);
}

static void test_cleaning(void)
{
    /* control characters dropped; a symbol longer than 47 bytes cut at 47 */
    cw_evm_token t = decode("0x0000000000000000000000000000000000000000000000000000000000000020"
                            "0000000000000000000000000000000000000000000000000000000000000006"
                            "41420a43007f0000000000000000000000000000000000000000000000000000",
                            NULL);
    CHECK_EQ_STR(t.symbol, "ABC");
    char sym[2 + 64 * 4 + 1];
    int o = snprintf(sym, sizeof sym, "0x%s%s",
                     "0000000000000000000000000000000000000000000000000000000000000020",
                     "0000000000000000000000000000000000000000000000000000000000000040");
    for (int i = 0; i < 64; i++)
        o += snprintf(sym + o, sizeof sym - (size_t)o, "5a"); /* 64 x 'Z' */
    t = decode(sym, NULL);
    CHECK_EQ_INT((int)strlen(t.symbol), 47);
    CHECK(t.symbol[0] == 'Z' && t.symbol[46] == 'Z');
    /* bytes that are no UTF-8 (a lone 0xff, a cut 3-byte sequence, a C1 control as UTF-8, an
     * overlong '/') are dropped, whole characters kept (jansson refuses a string with any of
     * them: `tx` printed no asset, or crashed, with such a symbol from tokens.csv) */
    t = decode("0x55ff53e282ac44c285c0af43e282" /* 14 bytes, then NULs: a bytes32 */
               "000000000000000000000000000000000000",
               NULL);
    CHECK_EQ_STR(t.symbol, "US\xe2\x82\xac"
                           "DC");
    /* a cut never splits a character: 46 'Z' then a 2-byte one leaves 46 bytes */
    o = snprintf(sym, sizeof sym, "0x%s%s",
                 "0000000000000000000000000000000000000000000000000000000000000020",
                 "0000000000000000000000000000000000000000000000000000000000000030");
    for (int i = 0; i < 46; i++)
        o += snprintf(sym + o, sizeof sym - (size_t)o, "5a");
    o += snprintf(sym + o, sizeof sym - (size_t)o, "c3a9");
    for (int i = 0; i < 16; i++)
        o += snprintf(sym + o, sizeof sym - (size_t)o, "00");
    t = decode(sym, NULL);
    CHECK_EQ_INT((int)strlen(t.symbol), 46);
}

int main(void)
{
    RUN(test_real_answers);
    RUN(test_malformed);
    RUN(test_cleaning);
    return cw_test_done();
}
