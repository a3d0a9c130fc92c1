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
#include "chainwatch/keccak.h"
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

/* topic 0 of an event: keccak-256 of its signature as the project publishes it (so the
 * decoder's own topic constants are checked against the signatures, not copied) */
static void topic_sig(cw_evm_hash *h, const char *signature)
{
    cw_keccak256(h->b, signature, strlen(signature));
}

/* an address word: 12 zero bytes, then 20 bytes of `fill` */
static uint8_t *addr_word(uint8_t *p, uint8_t fill)
{
    memset(p, 0, 12);
    memset(p + 12, fill, 20);
    return p + 32;
}

/* an empty block whose arena is `arena`, and an empty log in it */
static void log_in(cw_evm_block *b, cw_evm_log *l, uint8_t *arena)
{
    memset(b, 0, sizeof *b);
    b->arena = arena;
    memset(l, 0, sizeof *l);
}

/* Deposit events laid out as their published ABIs say (docs/STORE-FORMAT.md "Memos" names the
 * sources): the destination chain and recipient decoded, written as a row and read back. */
static void test_dest_events(void)
{
    static uint8_t arena[32 * 20];
    cw_evm_block b;
    cw_evm_log l;
    log_in(&b, &l, arena);
    char out[256];
    cw_evm_memo_dest d;
    /* Across V3FundsDeposited: topics destinationChainId 42161, depositId, depositor; data
     * inputToken, outputToken, inputAmount, outputAmount, quoteTimestamp, fillDeadline,
     * exclusivityDeadline, recipient (word 7), exclusiveRelayer, message offset, length */
    memset(arena, 0, sizeof arena);
    topic_sig(&l.topics[0],
              "V3FundsDeposited(address,address,uint256,uint256,uint256,uint32,uint32,uint32,"
              "uint32,address,address,address,bytes)");
    word(l.topics[1].b, 42161);
    word(l.topics[2].b, 77);
    addr_word(l.topics[3].b, 0x11);
    uint8_t *p = arena;
    p = addr_word(p, 0xc0);
    p = addr_word(p, 0x82);
    p = word(p, 1000000);
    p = word(p, 999000);
    p = word(p, 1767230000);
    p = word(p, 1767240000);
    p = word(p, 0);
    p = addr_word(p, 0xab); /* recipient */
    p = word(p, 0);
    p = word(p, 0x140);
    p = word(p, 0);
    l.n_topics = 4;
    l.data_len = (uint32_t)(p - arena);
    size_t n = cw_evm_memo_dest_from_log(&b, &l, out, sizeof out);
    CHECK_EQ_STR(out, "V3FundsDeposited:eip155:42161:0xabababababababababababababababababababab");
    CHECK_EQ_INT(n, strlen(out));
    CHECK_EQ_INT(cw_evm_memo_dest_parse(&d, out, n), 0);
    CHECK_EQ_STR(d.event, "V3FundsDeposited");
    CHECK_EQ_STR(d.ns, "eip155");
    CHECK_EQ_INT(d.chain, 42161);
    CHECK_EQ_STR(d.to, "0xabababababababababababababababababababab");
    /* three topics, or no recipient: nothing */
    l.n_topics = 3;
    CHECK_EQ_INT(cw_evm_memo_dest_from_log(&b, &l, out, sizeof out), 0);
    l.n_topics = 4;
    memset(arena + 32 * 7, 0, 32);
    CHECK_EQ_INT(cw_evm_memo_dest_from_log(&b, &l, out, sizeof out), 0);
    /* the bytes32 FundsDeposited: a 32-byte recipient (a Solana account) kept whole */
    topic_sig(&l.topics[0],
              "FundsDeposited(bytes32,bytes32,uint256,uint256,uint256,uint256,uint32,uint32,"
              "uint32,bytes32,bytes32,bytes32,bytes)");
    word(l.topics[1].b, 34268394551451ULL); /* Across's id for Solana */
    memset(arena + 32 * 7, 0x5a, 32);
    n = cw_evm_memo_dest_from_log(&b, &l, out, sizeof out);
    CHECK_EQ_STR(out, "FundsDeposited:eip155:34268394551451:0x5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"
                      "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a");
    CHECK_EQ_INT(cw_evm_memo_dest_parse(&d, out, n), 0);
    /* Multichain LogAnySwapOut(token, from, to indexed; amount, fromChainID, toChainID) */
    topic_sig(&l.topics[0], "LogAnySwapOut(address,address,address,uint256,uint256,uint256)");
    addr_word(l.topics[3].b, 0x3c);
    memset(arena, 0, sizeof arena);
    p = word(arena, 5000);
    p = word(p, 1);
    p = word(p, 250);
    l.data_len = (uint32_t)(p - arena);
    n = cw_evm_memo_dest_from_log(&b, &l, out, sizeof out);
    CHECK_EQ_STR(out, "LogAnySwapOut:eip155:250:0x3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c");
    /* Wormhole LogMessagePublished(sender indexed; sequence, nonce, payload, consistencyLevel)
     * with a token-bridge transfer: id 1, amount, token, token chain, to, to chain 1 (Solana),
     * fee */
    topic_sig(&l.topics[0], "LogMessagePublished(address,uint64,uint32,bytes,uint8)");
    l.n_topics = 2;
    memset(arena, 0, sizeof arena);
    p = word(arena, 9);
    p = word(p, 0);
    p = word(p, 0x80);
    p = word(p, 15);
    p = word(p, 133);
    p[0] = 1;
    word(p + 1, 123456);
    memset(p + 33 + 12, 0xc0, 20);
    p[65] = 0;
    p[66] = 2;
    memset(p + 67, 0x9d, 32);
    p[99] = 0;
    p[100] = 1;
    l.data_len = 32 * 5 + 160;
    n = cw_evm_memo_dest_from_log(&b, &l, out, sizeof out);
    CHECK_EQ_STR(out, "LogMessagePublished:wormhole:1:0x9d9d9d9d9d9d9d9d9d9d9d9d9d9d9d9d"
                      "9d9d9d9d9d9d9d9d9d9d9d9d9d9d9d9d");
    p[0] = 2; /* an attestation, not a transfer */
    CHECK_EQ_INT(cw_evm_memo_dest_from_log(&b, &l, out, sizeof out), 0);
    /* any other event: nothing */
    topic_sig(&l.topics[0], "Transfer(address,address,uint256)");
    CHECK_EQ_INT(cw_evm_memo_dest_from_log(&b, &l, out, sizeof out), 0);
    /* rows that are no destination */
    static const char *const badrows[] = {
        "Foo:eip155:1:0xabababababababababababababababababababab",
        "V3FundsDeposited:cosmos:1:0xabababababababababababababababababababab",
        "V3FundsDeposited:eip155:0:0xabababababababababababababababababababab",
        "V3FundsDeposited:eip155:x1:0xabababababababababababababababababababab",
        "V3FundsDeposited:eip155:042161:0xabababababababababababababababababababab",
        "V3FundsDeposited:eip155:99999999999999999999:0xabababababababababababababababababababab",
        "V3FundsDeposited:eip155:1:0xABABABABABABABABABABABABABABABABABABABAB",
        "V3FundsDeposited:eip155:1:0xabab",
        "V3FundsDeposited:eip155:1:0xabababababababababababababababababababab:x",
        "=:BTC.BTC:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"};
    for (size_t i = 0; i < sizeof badrows / sizeof *badrows; i++) {
        CHECK_EQ_INT(cw_evm_memo_dest_parse(&d, badrows[i], strlen(badrows[i])), CW_EINVAL);
        cw_error_clear();
    }
}

/* a selector (the first 4 bytes of keccak-256 of the signature) at p; returns p + 4 */
static uint8_t *sel(uint8_t *p, const char *signature)
{
    cw_evm_hash h;
    topic_sig(&h, signature);
    memcpy(p, h.b, 4);
    return p + 4;
}

/* Deposit calls whose input alone names the destination (docs/STORE-FORMAT.md "Memos"), laid
 * out as their published ABIs say; an event's emitter other than the tx's `to`. */
static void test_dest_calls(void)
{
    static uint8_t in[4 + 32 * 14];
    char out[256];
    cw_evm_memo_dest d;
    /* Across depositV3(depositor, recipient, inputToken, outputToken, inputAmount,
     * outputAmount, destinationChainId, exclusiveRelayer, quoteTimestamp, fillDeadline,
     * exclusivityDeadline, message) */
    memset(in, 0, sizeof in);
    uint8_t *p = sel(in, "depositV3(address,address,address,address,uint256,uint256,uint256,"
                         "address,uint32,uint32,uint32,bytes)");
    p = addr_word(p, 0x11);
    p = addr_word(p, 0xab); /* recipient */
    p = addr_word(p, 0xc0);
    p = addr_word(p, 0xc0);
    p = word(p, 1000000);
    p = word(p, 997500);
    p = word(p, 8453); /* destination chain */
    p = word(p, 0);
    p = word(p, 1767230000);
    p = word(p, 1767251600);
    p = word(p, 0);
    p = word(p, 0x180);
    p = word(p, 0);
    size_t len = (size_t)(p - in);
    size_t n = cw_evm_memo_dest_from_call(in, len, out, sizeof out);
    CHECK_EQ_STR(out, "depositV3:eip155:8453:0xabababababababababababababababababababab");
    CHECK_EQ_INT(n, strlen(out));
    CHECK_EQ_INT(cw_evm_memo_dest_parse(&d, out, n), 0);
    CHECK(d.call);
    CHECK_EQ_STR(d.event, "depositV3");
    CHECK_EQ_INT(d.chain, 8453);
    CHECK_EQ_STR(d.emitter, "");
    /* cut short of its 12 head words: no such call */
    CHECK_EQ_INT(cw_evm_memo_dest_from_call(in, 4 + 32 * 11, out, sizeof out), 0);
    /* a recipient word that is no ABI address (high bytes set): no such call */
    memset(in + 4 + 32, 0x01, 4);
    CHECK_EQ_INT(cw_evm_memo_dest_from_call(in, len, out, sizeof out), 0);
    /* Wormhole wrapAndTransferETH(recipientChain, recipient bytes32, arbiterFee, nonce): a
     * 32-byte account kept whole */
    memset(in, 0, sizeof in);
    p = sel(in, "wrapAndTransferETH(uint16,bytes32,uint256,uint32)");
    p = word(p, 23);
    memset(p, 0x5a, 32);
    p += 32;
    p = word(p, 0);
    p = word(p, 7);
    len = (size_t)(p - in);
    n = cw_evm_memo_dest_from_call(in, len, out, sizeof out);
    CHECK_EQ_STR(out, "wrapAndTransferETH:wormhole:23:0x5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"
                      "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a");
    CHECK_EQ_INT(cw_evm_memo_dest_parse(&d, out, n), 0);
    CHECK(d.call);
    /* a Wormhole chain id is a uint16 */
    word(in + 4, 70000);
    CHECK_EQ_INT(cw_evm_memo_dest_from_call(in, len, out, sizeof out), 0);
    /* transferTokens(token, amount, recipientChain, recipient, arbiterFee, nonce): an address
     * left-padded to 32 bytes reads as an address */
    memset(in, 0, sizeof in);
    p = sel(in, "transferTokens(address,uint256,uint16,bytes32,uint256,uint32)");
    p = addr_word(p, 0xc0);
    p = word(p, 5000);
    p = word(p, 4);
    p = addr_word(p, 0x3c);
    p = word(p, 0);
    p = word(p, 1);
    n = cw_evm_memo_dest_from_call(in, (size_t)(p - in), out, sizeof out);
    CHECK_EQ_STR(out, "transferTokens:wormhole:4:0x3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c");
    /* Multichain anySwapOutNative(token, to, toChainID) */
    memset(in, 0, sizeof in);
    p = sel(in, "anySwapOutNative(address,address,uint256)");
    p = addr_word(p, 0);
    p = addr_word(p, 0x7e);
    p = word(p, 56);
    n = cw_evm_memo_dest_from_call(in, (size_t)(p - in), out, sizeof out);
    CHECK_EQ_STR(out, "anySwapOutNative:eip155:56:0x7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e");
    word(in + 4 + 64, 0); /* chain 0: none */
    CHECK_EQ_INT(cw_evm_memo_dest_from_call(in, (size_t)(p - in), out, sizeof out), 0);
    /* an ERC-20 transfer(to, amount) names no destination */
    memset(in, 0, sizeof in);
    p = sel(in, "transfer(address,uint256)");
    p = addr_word(p, 0x7e);
    p = word(p, 56);
    CHECK_EQ_INT(cw_evm_memo_dest_from_call(in, (size_t)(p - in), out, sizeof out), 0);
    /* THORChain's router deposit(vault, asset, amount, memo): the memo, an ABI string, is read
     * as a memo (no destination call of its own) */
    memset(in, 0, sizeof in);
    p = sel(in, "deposit(address,address,uint256,string)");
    p = addr_word(p, 0x76);
    p = addr_word(p, 0);
    p = word(p, 5000);
    p = word(p, 0x80);
    static const char memo[] = "=:BTC.BTC:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4";
    p = word(p, sizeof memo - 1);
    memcpy(p, memo, sizeof memo - 1);
    p += 64;
    CHECK_EQ_INT(cw_evm_memo_dest_from_call(in, (size_t)(p - in), out, sizeof out), 0);
    CHECK_EQ_INT(cw_evm_memo_from_abi(in, (size_t)(p - in), 4, out, sizeof out), sizeof memo - 1);
    CHECK_EQ_STR(out, memo);
    /* an event's row naming its emitter (a router called the bridge); a call's row never does */
    const char *ev = "V3FundsDeposited:eip155:10:0xabababababababababababababababababababab"
                     ":@0xcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd";
    CHECK_EQ_INT(cw_evm_memo_dest_parse(&d, ev, strlen(ev)), 0);
    CHECK(!d.call);
    CHECK_EQ_STR(d.emitter, "0xcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd");
    CHECK_EQ_STR(d.to, "0xabababababababababababababababababababab");
    static const char *const badrows[] = {
        "depositV3:eip155:10:0xabababababababababababababababababababab"
        ":@0xcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
        "V3FundsDeposited:eip155:10:0xabababababababababababababababababababab:@0xcdcd",
        "V3FundsDeposited:eip155:10:0xabababababababababababababababababababab"
        ":0xcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
        "V3FundsDeposited:eip155:10:0xabababababababababababababababababababab"
        ":@0xcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd:x",
        "transferTokens:wormhole:4"};
    for (size_t i = 0; i < sizeof badrows / sizeof *badrows; i++) {
        CHECK_EQ_INT(cw_evm_memo_dest_parse(&d, badrows[i], strlen(badrows[i])), CW_EINVAL);
        cw_error_clear();
    }
}

/* ---- the candidate scan against the ABI layout read naively ---- */

/* the spec read word by word: each of the first 12 head words whose value (big-endian, < 2^32)
 * is a word-aligned offset past itself, to a length word of 3-250 that fits, in head order; the
 * first whose bytes pass ok */
static bool ref_word(const uint8_t *w, uint64_t *v)
{
    uint64_t x = 0;
    for (int i = 0; i < 32; i++) {
        if (i < 28 && w[i])
            return false;
        x = x << 8 | w[i];
    }
    *v = x;
    return true;
}

/* printable ASCII holding a ':' (a candidate's 3-250 bytes: what cw_evm_memo_from_text takes) */
static bool ref_printable(const uint8_t *p, size_t n)
{
    char tmp[256];
    return cw_evm_memo_from_text(p, n, tmp, sizeof tmp) > 0;
}

static size_t ref_abi(const uint8_t *data, size_t n, size_t skip, char *out,
                      bool (*ok)(const uint8_t *, size_t))
{
    if (n <= skip)
        return 0;
    const uint8_t *h = data + skip;
    size_t len = n - skip;
    for (size_t k = 0; k < 12 && 32 * (k + 1) <= len; k++) {
        uint64_t off, sl;
        if (!ref_word(h + 32 * k, &off) || off % 32 || off < 32 * (k + 1) || off + 32 > len)
            continue;
        if (!ref_word(h + off, &sl) || sl < 3 || sl > 250 || off + 32 + sl > len)
            continue;
        if (ok(h + off + 32, (size_t)sl)) {
            memcpy(out, h + off + 32, (size_t)sl);
            out[sl] = '\0';
            return (size_t)sl;
        }
    }
    return 0;
}

static uint64_t xs(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void put_word(uint8_t *p, uint64_t v)
{
    memset(p, 0, 32);
    for (int i = 0; i < 8; i++)
        p[31 - i] = (uint8_t)(v >> (8 * i));
}

/* 40,000 ABI-encoded buffers: 1-13 head words (offsets to strings in the tail, or zero, small,
 * address-like and random values), each string a length word and its bytes (memo text, Bitcoin
 * addresses, binary, text without ':'), then damaged as a scan must notice: an offset off its
 * word boundary, before its own word or past the data, a length of 2, 251 or past the data, a
 * nonzero byte in one of a word's 28 high bytes, the buffer cut short (or only the last string's
 * padding dropped, so a string can end at the data's last byte); with and without a 4-byte
 * selector. The memo and the Bitcoin-address candidates equal the naive reading's, byte for
 * byte. */
static void test_abi_scan_matches_spec(void)
{
    static const char *const texts[] = {"=:BTC.BTC:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
                                        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
                                        "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
                                        "a:b",
                                        "ab",
                                        "no colon here",
                                        "SWAP:ETH.ETH:0xabc\x01"};
    uint64_t s = 0x51ed2701;
    int agree = 0, found = 0, total = 0;
    for (int it = 0; it < 40000; it++) {
        uint8_t buf[4 + 32 * 13 + 13 * 96 + 64];
        size_t skip = (xs(&s) & 1) ? 4 : 0, heads = 1 + (size_t)(xs(&s) % 13);
        for (size_t i = 0; i < skip; i++)
            buf[i] = (uint8_t)xs(&s);
        uint8_t *h = buf + skip;
        size_t tail = 32 * heads;
        for (size_t k = 0; k < heads; k++) {
            uint8_t *w = h + 32 * k;
            uint64_t r = xs(&s) % 8;
            if (r < 4) { /* a string in the tail */
                const char *t = texts[xs(&s) % (sizeof texts / sizeof texts[0])];
                size_t tl = strlen(t), off = tail;
                uint64_t m = xs(&s) % 16;
                put_word(w, m == 0   ? off + 1 + xs(&s) % 31
                            : m == 1 ? 32 * k
                            : m == 2 ? off + 4096
                                     : off);
                put_word(h + off, m == 3 ? 2 : m == 4 ? 251 : m == 5 ? 4000 : tl);
                if (m == 6)
                    h[off + xs(&s) % 28] = 1;
                memset(h + off + 32, 0, 64);
                memcpy(h + off + 32, t, tl);
                tail += 32 + 32 * ((tl + 31) / 32);
            } else if (r == 4) {
                put_word(w, 0);
            } else if (r == 5) {
                put_word(w, xs(&s) % 1000);
                if (xs(&s) & 1)
                    w[xs(&s) % 28] = (uint8_t)(1 + xs(&s) % 255);
            } else {
                for (int i = 0; i < 32; i++)
                    w[i] = (uint8_t)xs(&s);
                if (r == 6)
                    memset(w, 0, 12); /* an address word */
            }
        }
        size_t n = skip + tail;
        uint64_t cut = xs(&s) % 4;
        if (cut == 0)
            n -= (size_t)(xs(&s) % (n + 1)); /* cut short */
        else if (cut == 1)
            n -= (size_t)(xs(&s) % 32); /* the last string's padding dropped, in part or whole */
        char a[256], b[256];
        for (int kind = 0; kind < 2; kind++) {
            size_t got = kind ? cw_evm_memo_btc_from_abi(buf, n, skip, a, sizeof a)
                              : cw_evm_memo_from_abi(buf, n, skip, a, sizeof a);
            size_t want = ref_abi(buf, n, skip, b, kind ? cw_evm_memo_btc_shaped : ref_printable);
            total++;
            found += want > 0;
            agree += got == want && (!want || memcmp(a, b, want + 1) == 0);
        }
    }
    CHECK_EQ_INT(agree, total);
    CHECK(found > 10000); /* the buffers really hold candidates */
    /* the shortest data holding a candidate: offset word 32, length word 3, "a:b" (67 bytes past
     * the head's start); a byte less holds none; the same behind a second head word (99) */
    for (size_t skip = 0; skip <= 4; skip += 4) {
        uint8_t d[4 + 128];
        memset(d, 0xee, sizeof d);
        put_word(d + skip, 32);
        put_word(d + skip + 32, 3);
        memcpy(d + skip + 64, "a:b", 3);
        char out[256];
        CHECK_EQ_INT(cw_evm_memo_from_abi(d, skip + 67, skip, out, sizeof out), 3);
        CHECK_EQ_STR(out, "a:b");
        CHECK_EQ_INT(cw_evm_memo_from_abi(d, skip + 66, skip, out, sizeof out), 0);
        put_word(d + skip, 7);
        put_word(d + skip + 32, 64);
        put_word(d + skip + 64, 3);
        memcpy(d + skip + 96, "a:b", 3);
        CHECK_EQ_INT(cw_evm_memo_from_abi(d, skip + 99, skip, out, sizeof out), 3);
        CHECK_EQ_INT(cw_evm_memo_from_abi(d, skip + 98, skip, out, sizeof out), 0);
    }
}

/* ---- memos inside nested calldata (the Solidity ABI: a `bytes` argument is an offset word in
 * the head, then a length word and the bytes padded to 32 in the tail; a `bytes[]` the same with
 * a count, then one offset per element counted from the word after the count) ---- */

typedef struct abuf {
    uint8_t b[4096];
    size_t n;
} abuf;

static void asel(abuf *a, const char *signature)
{
    cw_evm_hash h;
    cw_keccak256(h.b, signature, strlen(signature));
    memcpy(a->b, h.b, 4);
    a->n = 4;
}

static void w(abuf *a, uint64_t v)
{
    REQUIRE(a->n + 32 <= sizeof a->b);
    word(a->b + a->n, v);
    a->n += 32;
}

/* a length word and the bytes, padded to 32 */
static void tail(abuf *a, const uint8_t *p, size_t n)
{
    w(a, n);
    REQUIRE(a->n + n + 32 <= sizeof a->b);
    memcpy(a->b + a->n, p, n);
    memset(a->b + a->n + n, 0, (32 - n % 32) % 32);
    a->n += (n + 31) / 32 * 32;
}

/* THORChain router depositWithExpiry(vault, asset, amount, memo, expiry) */
static void deposit_call(abuf *a, const char *memo)
{
    asel(a, "depositWithExpiry(address,address,uint256,string,uint256)");
    w(a, 0xabcdef);
    w(a, 0);
    w(a, 1000000);
    w(a, 0xa0);
    w(a, 1790000000);
    tail(a, (const uint8_t *)memo, strlen(memo));
}

/* an aggregator's multicall(bytes[]) with one element */
static void multicall(abuf *a, const abuf *inner)
{
    asel(a, "multicall(bytes[])");
    w(a, 0x20);
    w(a, 1);
    w(a, 0x20);
    tail(a, inner->b, inner->n);
}

/* a Safe's execTransaction(to, value, data, operation, safeTxGas, baseGas, gasPrice, gasToken,
 * refundReceiver, signatures) */
static void safe_exec(abuf *a, const abuf *inner)
{
    asel(a, "execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,"
            "bytes)");
    w(a, 0x1234);
    w(a, 0);
    w(a, 0x140);
    for (int i = 0; i < 6; i++)
        w(a, 0);
    w(a, 0x140 + 32 + (inner->n + 31) / 32 * 32);
    tail(a, inner->b, inner->n);
    uint8_t sig[65];
    memset(sig, 0x5a, sizeof sig);
    tail(a, sig, sizeof sig);
}

static void test_nested(void)
{
    static const char memo[] = "=:BTC.BTC:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4:0/2/0:hw:25";
    char out[256];
    static abuf dep, mc, safe, mc2, mc3, safe2, far, junk, cut;
    deposit_call(&dep, memo);
    multicall(&mc, &dep);
    /* the call itself: found by the first-12-head-words scan too */
    CHECK_EQ_INT(cw_evm_memo_from_nested(dep.b, dep.n, out, sizeof out), strlen(memo));
    CHECK_EQ_STR(out, memo);
    /* in a multicall's element: the flat scan sees none */
    CHECK_EQ_INT(cw_evm_memo_from_abi(mc.b, mc.n, 4, out, sizeof out), 0);
    CHECK_EQ_INT(cw_evm_memo_from_nested(mc.b, mc.n, out, sizeof out), strlen(memo));
    CHECK_EQ_STR(out, memo);
    /* a Safe's transaction wrapping the multicall */
    safe_exec(&safe, &mc);
    CHECK_EQ_INT(cw_evm_memo_from_abi(safe.b, safe.n, 4, out, sizeof out), 0);
    CHECK_EQ_INT(cw_evm_memo_from_nested(safe.b, safe.n, out, sizeof out), strlen(memo));
    CHECK_EQ_STR(out, memo);
    /* depth: a Safe around two multicalls is 6 encodings deep (found), three bare multicalls 7
     * (past CW_EVM_MEMO_NEST_DEPTH: none) */
    multicall(&mc2, &mc);
    safe_exec(&safe2, &mc2);
    CHECK_EQ_INT(cw_evm_memo_from_nested(safe2.b, safe2.n, out, sizeof out), strlen(memo));
    multicall(&mc3, &mc2);
    CHECK_EQ_INT(cw_evm_memo_from_nested(mc3.b, mc3.n, out, sizeof out), 0);
    /* a string past the first 12 head words (an aggregator's swapAndBridge with 15 static
     * arguments before the memo) */
    asel(&far, "swapAndBridge(uint256,uint256,uint256,uint256,uint256,uint256,uint256,uint256,"
               "uint256,uint256,uint256,uint256,uint256,uint256,uint256,string)");
    for (int i = 0; i < 15; i++)
        w(&far, 0x10000 + (uint64_t)i);
    w(&far, 32 * 16);
    tail(&far, (const uint8_t *)memo, strlen(memo));
    CHECK_EQ_INT(cw_evm_memo_from_abi(far.b, far.n, 4, out, sizeof out), 0);
    CHECK_EQ_INT(cw_evm_memo_from_nested(far.b, far.n, out, sizeof out), strlen(memo));
    /* in a tuple argument (LI.FI's startBridgeTokensViaThorSwap(BridgeData, ThorSwapData) with
     * ThorSwapData {vault, memo, expiration}; BridgeData's strings hold no ':') */
    static abuf lifi;
    asel(&lifi, "startBridgeTokensViaThorSwap((bytes32,string,string,address,address,address,"
                "uint256,uint256,bool,bool),(address,string,uint256))");
    w(&lifi, 0x40);
    w(&lifi, 0x40 + 32 * 14);
    w(&lifi, 0x77); /* BridgeData: transactionId, bridge, integrator, ... */
    w(&lifi, 32 * 10);
    w(&lifi, 32 * 12);
    for (int i = 0; i < 7; i++)
        w(&lifi, 0x1000 + (uint64_t)i);
    tail(&lifi, (const uint8_t *)"thorswap", 8);
    tail(&lifi, (const uint8_t *)"lifi-api", 8);
    w(&lifi, 0xabcdef); /* ThorSwapData: vault, memo, expiration */
    w(&lifi, 0x60);
    w(&lifi, 1790000000);
    tail(&lifi, (const uint8_t *)memo, strlen(memo));
    CHECK_EQ_INT(cw_evm_memo_from_abi(lifi.b, lifi.n, 4, out, sizeof out), 0);
    CHECK_EQ_INT(cw_evm_memo_from_nested(lifi.b, lifi.n, out, sizeof out), strlen(memo));
    CHECK_EQ_STR(out, memo);
    /* printable with a ':' but no memo grammar: not kept */
    deposit_call(&dep, "hello:world, this is no memo");
    multicall(&junk, &dep);
    CHECK_EQ_INT(cw_evm_memo_from_nested(junk.b, junk.n, out, sizeof out), 0);
    /* the element's length runs past the data: nothing read past it (ASan) */
    cut = mc;
    cut.n -= 64;
    CHECK_EQ_INT(cw_evm_memo_from_nested(cut.b, cut.n, out, sizeof out), 0);
    /* hostile: every word an offset to the next word and a length that fits (each offset opens
     * an array and a call): bounded (CW_EVM_MEMO_NEST_STEPS), nothing found */
    abuf h;
    h.n = 4;
    memset(h.b, 0, 4);
    while (h.n + 32 <= 2048 + 4)
        w(&h, 0x20);
    CHECK_EQ_INT(cw_evm_memo_from_nested(h.b, h.n, out, sizeof out), 0);
    /* too short for any nesting */
    CHECK_EQ_INT(cw_evm_memo_from_nested(mc.b, 4 + 64 + 4 + 66, out, sizeof out), 0);
}

/* LayerZero v2 OFT / Stargate v2 send(SendParam, MessagingFee, refundAddress) laid out as the
 * ABI says: word 0 the offset of SendParam (it holds `bytes`), MessagingFee inline, the
 * refund address; SendParam's head dstEid, to, amountLD, minAmountLD and the offsets of its
 * three empty `bytes`. Returns the length. */
static size_t oft_send(uint8_t *in, uint64_t eid, uint8_t to_fill)
{
    uint8_t *p = sel(in, "send((uint32,bytes32,uint256,uint256,bytes,bytes,bytes),(uint256,"
                         "uint256),address)");
    p = word(p, 0x80);
    p = word(p, 300000000000000);
    p = word(p, 0);
    p = addr_word(p, 0x5e);
    p = word(p, eid);
    p = addr_word(p, to_fill);
    p = word(p, 2000000000000000000ULL);
    p = word(p, 1990000000000000000ULL);
    p = word(p, 0xe0);
    p = word(p, 0x100);
    p = word(p, 0x120);
    for (int i = 0; i < 3; i++)
        p = word(p, 0);
    return (size_t)(p - in);
}

/* ERC-7683 Open(orderId indexed, ResolvedCrossChainOrder) data as the ABI lays out the tuple
 * (user, originChainId, openDeadline, fillDeadline, orderId, maxSpent, minReceived,
 * fillInstructions): maxSpent holds two outputs (token, amount, recipient, chainId), the first
 * on chain c0 to r0, the second on c1 to r1; minReceived one output on the origin (chain 1, no
 * recipient); fillInstructions one (destinationChainId c1, settler, empty originData). */
static size_t open_data(uint8_t *d, uint64_t c0, uint8_t r0, uint64_t c1, uint8_t r1)
{
    uint8_t *p = word(d, 32);
    p = addr_word(p, 0x11);
    p = word(p, 1);
    p = word(p, 1767230000);
    p = word(p, 1767233600);
    p = word(p, 0xdb04);
    p = word(p, 0x100);                /* maxSpent: 8 head words */
    p = word(p, 0x100 + 32 + 128 * 2); /* minReceived */
    p = word(p, 0x100 + 32 + 128 * 2 + 32 + 128);
    p = word(p, 2);
    for (int i = 0; i < 2; i++) {
        p = addr_word(p, 0);
        p = word(p, 1000000000000000000ULL);
        p = r0 || i ? addr_word(p, i ? r1 : r0) : word(p, 0);
        p = word(p, i ? c1 : c0);
    }
    p = word(p, 1);
    p = addr_word(p, 0);
    p = word(p, 999000000000000000ULL);
    p = word(p, 0);
    p = word(p, 1);
    p = word(p, 1);
    p = word(p, 32); /* the element's offset (a dynamic tuple) */
    p = word(p, c1);
    p = addr_word(p, 0x5e);
    p = word(p, 0x60);
    p = word(p, 0);
    return (size_t)(p - d);
}

/* Stargate v2 / LayerZero OFTSent with its send call, and ERC-7683 Open: the destination chain
 * and recipient, the endpoint id mapped to its chain; malformed input read as nothing, never
 * outside the buffer (ASan checks every prefix). */
static void test_dest_lz_7683(void)
{
    static uint8_t arena[32 * 40];
    static uint8_t in[4 + 32 * 16];
    cw_evm_block b;
    cw_evm_log l;
    log_in(&b, &l, arena);
    char out[256];
    cw_evm_memo_dest d;
    size_t inl = oft_send(in, 30110, 0x71);
    /* OFTSent: topics guid, fromAddress; data dstEid, amountSentLD, amountReceivedLD */
    topic_sig(&l.topics[0], "OFTSent(bytes32,uint32,address,uint256,uint256)");
    memset(l.topics[1].b, 0xff, 32);
    addr_word(l.topics[2].b, 0x11);
    l.n_topics = 3;
    uint8_t *p = word(arena, 30110);
    p = word(p, 2000000000000000000ULL);
    p = word(p, 1990000000000000000ULL);
    l.data_len = (uint32_t)(p - arena);
    size_t n = cw_evm_memo_dest_from_log_in(&b, &l, in, inl, out, sizeof out);
    CHECK_EQ_STR(out, "OFTSent:layerzero:30110:0x7171717171717171717171717171717171717171");
    CHECK_EQ_INT(n, strlen(out));
    CHECK_EQ_INT(cw_evm_memo_dest_parse(&d, out, n), 0);
    CHECK_EQ_STR(d.ns, "layerzero");
    CHECK_EQ_INT(d.chain, 30110);
    uint64_t cid = 0;
    CHECK(cw_evm_memo_lz_chain(30110, &cid));
    CHECK_EQ_INT(cid, 42161);
    CHECK(cw_evm_memo_lz_chain(30101, &cid));
    CHECK_EQ_INT(cid, 1);
    CHECK(!cw_evm_memo_lz_chain(30185, &cid)); /* not in the table: never guessed */
    /* the event alone names no recipient; a send to another endpoint is not this event's */
    CHECK_EQ_INT(cw_evm_memo_dest_from_log(&b, &l, out, sizeof out), 0);
    oft_send(in, 30111, 0x71);
    CHECK_EQ_INT(cw_evm_memo_dest_from_log_in(&b, &l, in, inl, out, sizeof out), 0);
    /* the send call alone: an EVM recipient (12 zero bytes, then 20), then a 32-byte
     * (non-EVM) one kept whole */
    oft_send(in, 30168, 0x9c);
    n = cw_evm_memo_dest_from_call(in, inl, out, sizeof out);
    CHECK_EQ_STR(out, "send:layerzero:30168:0x9c9c9c9c9c9c9c9c9c9c9c9c9c9c9c9c9c9c9c9c");
    CHECK_EQ_INT(cw_evm_memo_dest_parse(&d, out, n), 0);
    CHECK(d.call);
    memset(in + 4 + 32 * 4 + 32, 0x9c, 12); /* now a full 32-byte account */
    n = cw_evm_memo_dest_from_call(in, inl, out, sizeof out);
    CHECK_EQ_STR(out, "send:layerzero:30168:0x9c9c9c9c9c9c9c9c9c9c9c9c9c9c9c9c9c9c9c9c9c9c9c9c"
                      "9c9c9c9c9c9c9c9c");
    /* every truncation, and SendParam's offset out of the input or off the word grid */
    for (size_t k = 0; k < inl; k++)
        if (k < 4 + 32 * 6)
            CHECK_EQ_INT(cw_evm_memo_dest_from_call(in, k, out, sizeof out), 0);
        else
            (void)cw_evm_memo_dest_from_call(in, k, out, sizeof out);
    word(in + 4, 0x7fffffe0);
    CHECK_EQ_INT(cw_evm_memo_dest_from_call(in, inl, out, sizeof out), 0);
    word(in + 4, 0x81);
    CHECK_EQ_INT(cw_evm_memo_dest_from_call(in, inl, out, sizeof out), 0);
    word(in + 4, 0x80);
    word(in + 4 + 32 * 4, 1ULL << 33); /* an endpoint id wider than uint32 */
    CHECK_EQ_INT(cw_evm_memo_dest_from_call(in, inl, out, sizeof out), 0);

    /* ERC-7683 Open: maxSpent's output on the destination chain names the recipient */
    topic_sig(&l.topics[0], "Open(bytes32,(address,uint256,uint32,uint32,bytes32,(bytes32,uint256,"
                            "bytes32,uint256)[],(bytes32,uint256,bytes32,uint256)[],(uint64,"
                            "bytes32,bytes)[]))");
    l.n_topics = 2;
    size_t dl = open_data(arena, 42161, 0x7e, 10, 0x7f);
    l.data_len = (uint32_t)dl;
    n = cw_evm_memo_dest_from_log(&b, &l, out, sizeof out);
    CHECK_EQ_STR(out, "Open:eip155:42161:0x7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e");
    CHECK_EQ_INT(cw_evm_memo_dest_parse(&d, out, n), 0);
    CHECK_EQ_STR(d.event, "Open");
    /* an output on the origin chain (1) first: the one on another chain is the destination */
    open_data(arena, 1, 0x7e, 10, 0x7f);
    cw_evm_memo_dest_from_log(&b, &l, out, sizeof out);
    CHECK_EQ_STR(out, "Open:eip155:10:0x7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f");
    /* an output without recipient is skipped */
    open_data(arena, 8453, 0, 59144, 0x7f);
    cw_evm_memo_dest_from_log(&b, &l, out, sizeof out);
    CHECK_EQ_STR(out, "Open:eip155:59144:0x7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f");
    /* every truncation inside maxSpent's outputs reads as nothing (ASan: none outside) */
    for (size_t k = 0; k < 32 * (1 + 8 + 1 + 8); k++) {
        l.data_len = (uint32_t)k;
        CHECK_EQ_INT(cw_evm_memo_dest_from_log(&b, &l, out, sizeof out), 0);
    }
    for (size_t k = 32 * (1 + 8 + 1 + 8); k <= dl; k++) {
        l.data_len = (uint32_t)k;
        (void)cw_evm_memo_dest_from_log(&b, &l, out, sizeof out);
    }
    l.data_len = (uint32_t)dl;
    word(arena + 32 + 32 * 8, 1ULL << 40); /* maxSpent's length past the data */
    CHECK_EQ_INT(cw_evm_memo_dest_from_log(&b, &l, out, sizeof out), 0);
    word(arena + 32 + 32 * 8, 2);
    word(arena + 32 + 32 * 5, 0x7fffffe0); /* maxSpent's offset past the data */
    CHECK_EQ_INT(cw_evm_memo_dest_from_log(&b, &l, out, sizeof out), 0);
    word(arena + 32 + 32 * 5, 0x40); /* inside the tuple's own head */
    CHECK_EQ_INT(cw_evm_memo_dest_from_log(&b, &l, out, sizeof out), 0);
    word(arena, 1ULL << 40); /* the tuple's offset past the data */
    CHECK_EQ_INT(cw_evm_memo_dest_from_log(&b, &l, out, sizeof out), 0);
    l.n_topics = 3; /* the wrong topic count: another event of that name */
    CHECK_EQ_INT(cw_evm_memo_dest_from_log(&b, &l, out, sizeof out), 0);
}

int main(void)
{
    RUN(test_published_examples);
    RUN(test_malformed);
    RUN(test_extract);
    RUN(test_dest_events);
    RUN(test_dest_calls);
    RUN(test_dest_lz_7683);
    RUN(test_abi_scan_matches_spec);
    RUN(test_nested);
    return cw_test_done();
}
