/*
 * test_memo.c: bridge memos (src/chain/evm/memo.c). Known truth: the memos THORChain publishes
 * as examples in its developer documentation (transaction memos, memo length reduction, the
 * quote endpoint's answer, the aggregator page's outbound memo) parsed field by field; malformed
 * memos rejected with the field named; memo strings found in calldata and log data laid out as
 * the Solidity ABI specifies (head offset word, length word, bytes padded to 32), at the
 * argument positions of the router's depositWithExpiry(vault, asset, amount, memo, expiry) and of
 * its Deposit(to, asset, amount, memo) event's data.
 */
#include <stdio.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/evm/memo.h"
#include "harness.h"

static cw_evm_memo P(const char *s)
{
    cw_evm_memo m;
    int rc = cw_evm_memo_parse(&m, s, strlen(s));
    if (rc)
        fprintf(stderr, "parse '%s': %s\n", s, cw_error_last());
    CHECK(rc == 0);
    return m;
}

static void test_published_examples(void)
{
    /* the quote endpoint's memo for AVAX.USDC -> BTC.BTC with a limit and affiliate t, 10 bps */
    cw_evm_memo m = P("=:BTC.BTC:bc1q3a2le4lazts64u8mqte5vuxvug25z5w6rhs95g:5855757:t:10");
    CHECK_EQ_INT(m.fn, CW_MEMO_SWAP);
    CHECK_EQ_STR(m.chain, "BTC");
    CHECK_EQ_STR(m.symbol, "BTC");
    CHECK_EQ_STR(m.asset, "BTC.BTC");
    CHECK_EQ_INT(m.kind, '.');
    CHECK_EQ_STR(m.dest, "bc1q3a2le4lazts64u8mqte5vuxvug25z5w6rhs95g");
    CHECK(m.limit_valid && m.limit_fits && m.limit_value == 5855757);
    CHECK_EQ_STR(m.affiliate, "t");
    CHECK_EQ_INT(m.fee_bps, 10);
    CHECK(cw_evm_memo_is_exit(&m));

    /* memo length reduction: the long form and its shortening say the same */
    m = P("SWAP:ETH.ETH:0xe6a30f4f3bad978910e2cbb4d97581f5b5a0ade0:1612345678:"
          "thor1el4ufmhll3yw7zxzszvfakrk66j7fx0tvcslym:10");
    CHECK_EQ_STR(m.asset, "ETH.ETH");
    CHECK_EQ_STR(m.dest, "0xe6a30f4f3bad978910e2cbb4d97581f5b5a0ade0");
    CHECK(m.limit_value == 1612345678);
    CHECK_EQ_STR(m.affiliate, "thor1el4ufmhll3yw7zxzszvfakrk66j7fx0tvcslym");
    m = P("=:e:dx:161e6:t:10");
    CHECK_EQ_STR(m.asset, "ETH.ETH");
    CHECK_EQ_STR(m.chain, "ETH");
    CHECK_EQ_STR(m.dest, "dx");
    CHECK(m.limit_valid && m.limit_fits && m.limit_value == 161000000);
    CHECK_EQ_INT(m.fee_bps, 10);
    m = P("=:ETH.USDT:dx:100e7:t:10");
    CHECK_EQ_STR(m.symbol, "USDT");
    CHECK(m.limit_value == 1000000000);
    m = P("=:r:thor1el4ufmhll3yw7zxzszvfakrk66j7fx0tvcslym");
    CHECK_EQ_STR(m.asset, "THOR.RUNE");
    CHECK(!m.limit_valid);
    /* token with contract, synth, and the memo examples of the memos page */
    m = P("SWAP:ETH.USDT-0xdac17f958d2ee523a2206206994597c13d831ec7:"
          "0xe6a30f4f3bad978910e2cbb4d97581f5b5a0ade0:10012345678:"
          "thor1el4ufmhll3yw7zxzszvfakrk66j7fx0tvcslym:10");
    CHECK_EQ_STR(m.chain, "ETH");
    CHECK_EQ_STR(m.symbol, "USDT-0xdac17f958d2ee523a2206206994597c13d831ec7");
    m = P("s:BNB/BUSD-BD1:thor15s4apx9ap7lazpsct42nmvf0t6am4r3w0r64f2:628197586176");
    CHECK_EQ_INT(m.kind, '/');
    CHECK_EQ_STR(m.chain, "BNB");
    CHECK_EQ_STR(m.symbol, "BUSD-BD1");
    CHECK(m.limit_value == 628197586176ull);
    m = P("=:THOR.RUNE:thor1el4ufmhll3yw7zxzszvfakrk66j7fx0tvcslym:19779138111");
    CHECK_EQ_STR(m.chain, "THOR");
    m = P("=:AVAX/USDC:thor188cm7ttvfpkxahageez4fufgk003cx2vw9nzdc:0:t:30");
    CHECK_EQ_INT(m.fee_bps, 30);
    CHECK(m.limit_valid && m.limit_value == 0);
    /* streaming: LIM/INTERVAL/QUANTITY */
    m = P("=:b:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4:0/3/12");
    CHECK_EQ_STR(m.asset, "BTC.BTC");
    CHECK_EQ_INT(m.interval, 3);
    CHECK_EQ_INT(m.quantity, 12);
    /* destination/refund */
    m = P("=:BTC.BTC:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4/0x388c818ca8b9251b393131c08a736a6"
          "7ccb19297:0");
    CHECK_EQ_STR(m.dest, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
    CHECK_EQ_STR(m.refund, "0x388c818ca8b9251b393131c08a736a67ccb19297");
    /* aggregator fields after the fee are kept apart (counted) */
    m = P("SWAP:ETH.ETH:0xe6a30f4f3bad978910e2cbb4d97581f5b5a0ade0:0:t:0:a6e:0x0a44:1000");
    CHECK_EQ_INT(m.n_fields, 9);
    /* no destination: back to the sender, no exit */
    m = P("SWAP:BTC.BTC::1000");
    CHECK(!cw_evm_memo_is_exit(&m));
    /* savers add, withdraw, outbound */
    m = P("+:ETH/ETH::tt:100");
    CHECK_EQ_INT(m.fn, CW_MEMO_ADD);
    CHECK(!cw_evm_memo_is_exit(&m));
    m = P("-:BTC.BTC:10000");
    CHECK_EQ_INT(m.fn, CW_MEMO_WITHDRAW);
    m = P("wd:BTC.BTC:5000:BTC.BTC");
    CHECK_EQ_INT(m.fn, CW_MEMO_WITHDRAW);
    m = P("OUT:EA7D80B3EB709319A6577AF6CF4DEFF67975D4F5A93CD8817E7FF04A048D1C5C");
    CHECK_EQ_INT(m.fn, CW_MEMO_OUT);
    CHECK_EQ_STR(m.hash, "EA7D80B3EB709319A6577AF6CF4DEFF67975D4F5A93CD8817E7FF04A048D1C5C");
    m = P("BOND:thor1xd4j3gk9frpxh8r22runntnqy34lwzrdkazldh");
    CHECK_EQ_INT(m.fn, CW_MEMO_BOND);
    m = P("$+:BTC.BTC:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4:0");
    CHECK_EQ_INT(m.fn, CW_MEMO_LOAN_OPEN);
    CHECK(cw_evm_memo_is_exit(&m));
    /* functions are case-insensitive */
    m = P("swap:btc.btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
    CHECK_EQ_STR(m.chain, "BTC");
}

static void bad(const char *s, const char *needle)
{
    cw_evm_memo m;
    int rc = cw_evm_memo_parse(&m, s, strlen(s));
    CHECK_EQ_INT(rc, CW_EINVAL);
    if (!strstr(cw_error_last(), needle))
        fprintf(stderr, "'%s': message '%s' lacks '%s'\n", s, cw_error_last(), needle);
    CHECK(strstr(cw_error_last(), needle) != NULL);
}

static void test_malformed(void)
{
    bad("", "empty");
    bad("TELEPORT:BTC.BTC:bc1q", "field 1 (function)");
    bad("hello world", "field 1 (function)");
    bad("=:", "needs an asset");
    bad("=:BTCBTC:bc1q", "field 2 (asset)");
    bad("=:.BTC:bc1q", "field 2 (asset)");
    bad("=:BTC.:bc1q", "field 2 (asset)");
    bad("=:BTC.BTC:bc1q:12x", "field 4 (limit)");
    bad("=:BTC.BTC:bc1q:1/2/3/4", "field 4 (limit)");
    bad("=:BTC.BTC:bc1q:1/x/3", "streaming interval");
    bad("=:BTC.BTC:bc1q:1:t:abc", "field 6 (affiliate fee)");
    bad("=:BTC.BTC:bc1q:1:t:20000", "more than 10000");
    bad("=:BTC.BTC:bc\x01q", "not printable");
    bad("OUT:", "inbound tx id");
    bad("OUT:zz", "not hex");
    char big[300];
    memset(big, 'a', sizeof big);
    memcpy(big, "=:b:", 4);
    big[299] = 0;
    bad(big, "longer than 250");
}

/* ABI: a word with v in its last 8 bytes */
static uint8_t *word(uint8_t *p, uint64_t v)
{
    memset(p, 0, 32);
    for (int i = 0; i < 8; i++)
        p[31 - i] = (uint8_t)(v >> (8 * i));
    return p + 32;
}

static void test_extract(void)
{
    const char *memo = "=:BTC.BTC:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4:0/1/0";
    size_t ml = strlen(memo);
    /* depositWithExpiry(address vault, address asset, uint256 amount, string memo, uint256 expiry):
     * selector, 5 head words (memo: offset 0xa0), then length and bytes */
    uint8_t cd[4 + 32 * 9];
    memset(cd, 0, sizeof cd);
    memcpy(cd, "\x44\xbc\x93\x7b", 4);
    uint8_t *p = cd + 4;
    p = word(p, 0x1234);        /* vault (an address word) */
    p = word(p, 0);             /* asset 0x0 = ETH */
    p = word(p, 5000000000ull); /* amount */
    p = word(p, 0xa0);          /* offset of memo */
    p = word(p, 1767230000);    /* expiry */
    p = word(p, ml);
    memcpy(p, memo, ml);
    char out[256];
    CHECK_EQ_INT(cw_evm_memo_from_abi(cd, sizeof cd, 4, out, sizeof out), ml);
    CHECK_EQ_STR(out, memo);
    /* not text: the calldata has binary bytes */
    CHECK_EQ_INT(cw_evm_memo_from_text(cd, sizeof cd, out, sizeof out), 0);
    /* Deposit(address indexed to, address indexed asset, uint256 amount, string memo): data =
     * amount, offset 0x40, length, bytes */
    uint8_t ld[32 * 5];
    memset(ld, 0, sizeof ld);
    p = word(ld, 5000000000ull);
    p = word(p, 0x40);
    p = word(p, ml);
    memcpy(p, memo, ml);
    CHECK_EQ_INT(cw_evm_memo_from_abi(ld, sizeof ld, 0, out, sizeof out), ml);
    CHECK_EQ_STR(out, memo);
    /* an offset past the data, a length past the data, a string without ':' */
    uint8_t b1[96];
    p = word(b1, 0x20);
    p = word(p, 500);
    memset(p, 'a', 32);
    CHECK_EQ_INT(cw_evm_memo_from_abi(b1, sizeof b1, 0, out, sizeof out), 0);
    word(b1 + 32, 20);
    CHECK_EQ_INT(cw_evm_memo_from_abi(b1, sizeof b1, 0, out, sizeof out), 0); /* no ':' */
    b1[64 + 5] = ':';
    CHECK_EQ_INT(cw_evm_memo_from_abi(b1, sizeof b1, 0, out, sizeof out), 20);
    word(b1, 0x1000);
    CHECK_EQ_INT(cw_evm_memo_from_abi(b1, sizeof b1, 0, out, sizeof out), 0);
    /* plain UTF-8 calldata of a transfer to the vault */
    CHECK_EQ_INT(cw_evm_memo_from_text((const uint8_t *)memo, ml, out, sizeof out), ml);
    CHECK_EQ_STR(out, memo);
    CHECK_EQ_INT(cw_evm_memo_from_text((const uint8_t *)"ab", 2, out, sizeof out), 0);
    /* a short buffer truncates but reports the full length */
    char small[8];
    CHECK_EQ_INT(cw_evm_memo_from_text((const uint8_t *)memo, ml, small, sizeof small), ml);
    CHECK_EQ_STR(small, "=:BTC.B");
}

int main(void)
{
    RUN(test_published_examples);
    RUN(test_malformed);
    RUN(test_extract);
    return cw_test_done();
}
