/*
 * fuzz_evm_memo.c: libFuzzer target for bridge memos (src/chain/evm/memo.c).
 *
 * The input is used three ways: as a memo string (cw_evm_memo_parse must accept or refuse with
 * CW_EINVAL and a message, and every string field of an accepted memo is NUL-terminated inside
 * its buffer; an exit has a chain and a destination), as calldata and as log data
 * (cw_evm_memo_from_abi / _from_text / _from_nested must stay inside the buffer, and what they
 * return must be printable, hold a ':' and appear verbatim in the input; _from_nested's must parse
 * as a memo). Any broken invariant calls abort().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/evm/memo.h"
#include "chainwatch/keccak.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        fprintf(stderr, "fuzz_evm_memo: " __VA_ARGS__);                                            \
        fprintf(stderr, "\n");                                                                     \
        abort();                                                                                   \
    } while (0)

static void terminated(const char *f, size_t n, const char *what)
{
    if (!memchr(f, 0, n))
        FAIL("%s not NUL-terminated", what);
}

static void candidate(const uint8_t *data, size_t size, size_t got, const char *out)
{
    if (!got)
        return;
    size_t n = strlen(out);
    if (n != got || !strchr(out, ':'))
        FAIL("candidate of %zu bytes reads as %zu, or holds no ':'", got, n);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] > 0x7e)
            FAIL("candidate byte %zu not printable", i);
    bool found = false;
    for (size_t i = 0; i + n <= size && !found; i++)
        found = memcmp(data + i, out, n) == 0;
    if (!found)
        FAIL("candidate not in the input");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cw_evm_memo m;
    int rc = cw_evm_memo_parse(&m, (const char *)data, size);
    if (rc != 0 && rc != CW_EINVAL)
        FAIL("parse returned %d", rc);
    if (rc == CW_EINVAL && !*cw_error_last())
        FAIL("refused without a message");
    if (rc == 0) {
        terminated(m.chain, sizeof m.chain, "chain");
        terminated(m.symbol, sizeof m.symbol, "symbol");
        terminated(m.asset, sizeof m.asset, "asset");
        terminated(m.dest, sizeof m.dest, "dest");
        terminated(m.refund, sizeof m.refund, "refund");
        terminated(m.limit, sizeof m.limit, "limit");
        terminated(m.affiliate, sizeof m.affiliate, "affiliate");
        terminated(m.hash, sizeof m.hash, "hash");
        if (m.fn == CW_MEMO_UNKNOWN)
            FAIL("accepted an unknown function");
        if (cw_evm_memo_is_exit(&m) && (!m.chain[0] || !m.dest[0]))
            FAIL("an exit without chain or destination");
        if (m.fee_bps > 10000)
            FAIL("fee above 10000 bps accepted");
    }
    cw_error_clear();
    /* a deposit event's destination row (memo source 4): what parses is what was written */
    cw_evm_memo_dest d;
    if (cw_evm_memo_dest_parse(&d, (const char *)data, size) == 0) {
        terminated(d.event, sizeof d.event, "event");
        terminated(d.ns, sizeof d.ns, "namespace");
        terminated(d.to, sizeof d.to, "recipient");
        char back[256];
        int k = snprintf(back, sizeof back, "%s:%s:%llu:%s", d.event, d.ns,
                         (unsigned long long)d.chain, d.to);
        if (k < 0 || (size_t)k != size || memcmp(back, data, size) != 0)
            FAIL("destination row does not read back as written");
    }
    cw_error_clear();
    char out[256];
    /* deposit events and calls naming a destination (Across, Wormhole, ERC-7683 Open, OFTSent
     * with its send call): the input as log data under each known topic and as the tx's input;
     * what they write is a row that parses */
    static const char *const dest_sigs[] = {
        "OFTSent(bytes32,uint32,address,uint256,uint256)",
        "Open(bytes32,(address,uint256,uint32,uint32,bytes32,(bytes32,uint256,bytes32,uint256)[],"
        "(bytes32,uint256,bytes32,uint256)[],(uint64,bytes32,bytes)[]))",
        "V3FundsDeposited(address,address,uint256,uint256,uint256,uint32,uint32,uint32,uint32,"
        "address,address,address,bytes)",
        "LogMessagePublished(address,uint64,uint32,bytes,uint8)"};
    cw_evm_block blk;
    memset(&blk, 0, sizeof blk);
    blk.arena = (uint8_t *)(uintptr_t)data;
    cw_evm_log lg;
    memset(&lg, 0, sizeof lg);
    lg.data_len = (uint32_t)size;
    for (size_t s = 0; s < sizeof dest_sigs / sizeof dest_sigs[0]; s++)
        for (uint32_t nt = 2; nt <= 4; nt++) {
            cw_keccak256(lg.topics[0].b, dest_sigs[s], strlen(dest_sigs[s]));
            lg.n_topics = nt;
            size_t got = cw_evm_memo_dest_from_log_in(&blk, &lg, data, size, out, sizeof out);
            if (got && (strlen(out) != got || cw_evm_memo_dest_parse(&d, out, got) != 0))
                FAIL("destination row '%s' from a log does not parse", out);
        }
    size_t gc = cw_evm_memo_dest_from_call(data, size, out, sizeof out);
    if (gc && (strlen(out) != gc || cw_evm_memo_dest_parse(&d, out, gc) != 0))
        FAIL("destination row '%s' from a call does not parse", out);
    cw_error_clear();
    candidate(data, size, cw_evm_memo_from_text(data, size, out, sizeof out), out);
    candidate(data, size, cw_evm_memo_from_abi(data, size, 4, out, sizeof out), out);
    candidate(data, size, cw_evm_memo_from_abi(data, size, 0, out, sizeof out), out);
    /* nested calldata: the same invariants, and what it keeps is a memo the parser recognises */
    size_t got = cw_evm_memo_from_nested(data, size, out, sizeof out);
    candidate(data, size, got, out);
    if (got && cw_evm_memo_parse(&m, out, got) != 0)
        FAIL("nested candidate '%s' is no memo", out);
    cw_error_clear();
    return 0;
}
