/*
 * evm/memo.h: bridge memos on EVM chains (docs/STORE-FORMAT.md "EVM stores: memos",
 * docs/TRACE-MODELS.md "Cross-chain: bridge exits").
 *
 * THORChain and MAYAChain take a user's intent as a text memo: on EVM chains the string argument
 * of the router's deposit(vault, asset, amount, memo) / depositWithExpiry(..., memo, expiry)
 * call, echoed in the router's Deposit(to, asset, amount, memo) event, or UTF-8 calldata of a
 * plain transfer. The grammar is FUNCTION:PARAM1:PARAM2:..., e.g.
 *   SWAP:BTC.BTC:bc1q...:LIM/INTERVAL/QUANTITY:AFFILIATE:FEE   (also "s" and "=")
 *   =:b:bc1q...:0/1/0                                          (b = BTC.BTC)
 *   OUT:<inbound tx hash>  REFUND:<hash>                       (the bridge paying out)
 *   ADD/+/a, WITHDRAW/-/wd, LOAN+/$+, LOAN-/$-, DONATE/%, NOOP, BOND, UNBOND, LEAVE, RESERVE
 *
 * Three parts:
 *  - the parser (cw_evm_memo_parse): function, asset (CHAIN.SYMBOL, synth CHAIN/SYMBOL, trade
 *    CHAIN~SYMBOL, secured CHAIN-SYMBOL, the one-letter shortenings), destination and refund
 *    address, limit (integer or scientific "161e6"), streaming interval/quantity, affiliates
 *    and their fees in basis points;
 *  - extraction of memo candidates from calldata and log data (an ABI-encoded string argument,
 *    or the whole calldata as text), used by the store's writer;
 *  - the store's memo side table (memos.col): one row per memo kept (those whose function the
 *    parser recognises), keyed by tx and log index, in chain order. Not all calldata: a memo
 *    is at most CW_EVM_MEMO_MAX bytes, and only recognised memos are kept.
 */
#ifndef CHAINWATCH_EVM_MEMO_H
#define CHAINWATCH_EVM_MEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chainwatch/evm/block.h"
#include "chainwatch/evm/store.h"

#define CW_EVM_MEMO_MAX 236        /* bytes kept per memo row (THORChain's own limit is 250) */
#define CW_EVM_MEMO_INPUT_MAX 2048 /* calldata longer than this is never scanned for a memo */

typedef enum cw_evm_memo_fn {
    CW_MEMO_UNKNOWN = 0,
    CW_MEMO_SWAP = 1,
    CW_MEMO_ADD = 2,
    CW_MEMO_WITHDRAW = 3,
    CW_MEMO_OUT = 4,    /* outbound payment of the bridge: OUT:<inbound hash> */
    CW_MEMO_REFUND = 5, /* REFUND:<inbound hash> */
    CW_MEMO_LOAN_OPEN = 6,
    CW_MEMO_LOAN_REPAY = 7,
    CW_MEMO_DONATE = 8,
    CW_MEMO_NOOP = 9,
    CW_MEMO_BOND = 10,
    CW_MEMO_UNBOND = 11,
    CW_MEMO_LEAVE = 12,
    CW_MEMO_RESERVE = 13,
    CW_MEMO_MIGRATE = 14,
    CW_MEMO_RAGNAROK = 15,
    CW_MEMO_CONSOLIDATE = 16
} cw_evm_memo_fn;

const char *cw_evm_memo_fn_name(cw_evm_memo_fn f);

typedef struct cw_evm_memo {
    cw_evm_memo_fn fn;
    char chain[32];   /* target chain of a swap/loan ("BTC"), from the asset; "" when none */
    char symbol[80];  /* target symbol ("BTC", "USDT-0XDAC1..."), "" when none */
    char asset[96];   /* the asset as written, expanded from a shortening ("BTC.BTC") */
    char kind;        /* '.' layer 1, '/' synth, '~' trade, '-' secured; 0 when none */
    char dest[128];   /* destination address or THORName, as written ("" = back to sender) */
    char refund[128]; /* refund address (DEST/REFUND form), "" when none */
    char limit[48];   /* trade limit as written ("" = none); see limit_valid/limit_value */
    bool limit_valid; /* the limit parsed (integer or MANTISSAeEXP) */
    bool limit_fits;  /* and fits in limit_value */
    uint64_t limit_value;
    uint32_t interval, quantity; /* streaming swap; 0 when absent */
    char affiliate[96];          /* affiliate(s) as written ("a/b") */
    uint32_t fee_bps;            /* the (first) affiliate fee in basis points */
    char hash[80];               /* OUT / REFUND: the inbound tx id */
    uint32_t n_fields;           /* colon-separated fields, the function included */
} cw_evm_memo;

/* Parses a memo (n bytes, no NUL needed). 0, or CW_EINVAL with a message naming the field (an
 * unknown function, a swap without an asset, a malformed asset, limit, streaming parameter or
 * fee, a control character or a memo longer than 250 bytes). */
int cw_evm_memo_parse(cw_evm_memo *out, const char *s, size_t n);

/* True when the memo sends value to a chain other than `home` (an EVM chain's THORChain prefix:
 * "ETH", "BSC", "AVAX", "BASE", ...): a swap or loan whose asset names another chain. */
bool cw_evm_memo_is_exit(const cw_evm_memo *m);

/* Memo candidates. Each writes the string (NUL-terminated, at most cap-1 bytes) and returns its
 * length, or 0 when there is none.
 *  _from_text: the bytes themselves when they are all printable ASCII and hold a ':';
 *  _from_abi:  the first ABI-encoded `string` argument (an offset word in the first 12 head
 *              words pointing to a length and printable bytes holding a ':') of data, whose head
 *              starts at byte `skip` (4 for calldata after the selector, 0 for log data). */
size_t cw_evm_memo_from_text(const uint8_t *data, size_t n, char *out, size_t cap);
size_t cw_evm_memo_from_abi(const uint8_t *data, size_t n, size_t skip, char *out, size_t cap);
/* The first ABI `string`/`bytes` argument shaped like a Bitcoin address (bech32 bc1/tb1/bcrt1,
 * or base58 1/3/m/n/2 of 26-35 characters; no checksum check here): the recipient of a bridge
 * whose deposits carry no memo. The store keeps it as a memo row when the tx (or log) has no
 * memo; xchain.c checks the address and continues in Bitcoin. */
size_t cw_evm_memo_btc_from_abi(const uint8_t *data, size_t n, size_t skip, char *out, size_t cap);
/* A memo inside nested calldata (docs/STORE-FORMAT.md "Memos"): an ABI `string` argument, at any
 * head word, of the call in `in` (a selector, then its arguments), of a tuple argument (LI.FI's
 * ThorSwapData), or of a call encoded in one of its `bytes` arguments or in an element of a
 * `bytes[]` argument (an aggregator's multicall, a Safe's execTransaction), recursively to
 * CW_EVM_MEMO_NEST_DEPTH encodings deep, breadth first; an encoding's head is the words before
 * the first tail one of its offsets points at;
 * kept only when cw_evm_memo_parse recognises it. The work is linear in n: at most
 * CW_EVM_MEMO_NEST_STEPS(n) steps (a word read, or 32 candidate bytes looked at) and
 * CW_EVM_MEMO_NEST_REGIONS encodings per input, whatever the offsets point at. */
#define CW_EVM_MEMO_NEST_DEPTH 6
#define CW_EVM_MEMO_NEST_REGIONS 32
#define CW_EVM_MEMO_NEST_STEPS(n) (4 * ((n) / 32) + 64)
size_t cw_evm_memo_from_nested(const uint8_t *in, size_t n, char *out, size_t cap);
/* True when the n bytes at p are shaped like a Bitcoin address (as above). */
bool cw_evm_memo_btc_shaped(const uint8_t *p, size_t n);

/* A bridge deposit's destination decoded from a deposit event of a known shape (topic 0): the
 * destination chain and the recipient, which the event holds as an EVM address or a 32-byte
 * account. The store keeps it as a memo row of source CW_EVM_MEMO_SRC_EVENT whose text is
 * "EVENT:NAMESPACE:CHAIN:RECIPIENT", e.g. "V3FundsDeposited:eip155:42161:0xabc..." (NAMESPACE
 * eip155 for EVM chain ids, wormhole for Wormhole's own chain ids; RECIPIENT 0x and 40 hex
 * digits for a 20-byte address, 64 for any other 32-byte account). Shapes decoded
 * (docs/STORE-FORMAT.md "Memos"): Across V3FundsDeposited and FundsDeposited (bytes32 form),
 * Multichain LogAnySwapOut, Wormhole LogMessagePublished carrying a token-bridge transfer,
 * ERC-7683 Open (the first maxSpent output on a chain other than the origin), LayerZero v2
 * OFTSent (Stargate v2; NAMESPACE layerzero, CHAIN the endpoint id; the recipient from the tx's
 * send call, see cw_evm_memo_dest_from_log_in) and the generators'
 * Locked(address,uint256,bytes32,uint256). */
typedef struct cw_evm_memo_dest {
    char event[32];   /* the event's name, or the call's (`call`) */
    char ns[12];      /* "eip155", "wormhole" or "layerzero" (a LayerZero v2 endpoint id) */
    uint64_t chain;   /* destination chain id in that namespace */
    char to[67];      /* 0x + 40 or 64 lowercase hex digits */
    bool call;        /* read from the tx's input by selector (cw_evm_memo_dest_from_call) */
    char emitter[43]; /* the event's emitter when not the tx's `to` (a router called the
                       * bridge), 0x + 40 hex digits; else "" */
} cw_evm_memo_dest;

/* Writes the row text of log l's destination (NUL-terminated) and returns its length, or 0 when
 * the log is no deposit event of a known shape. */
size_t cw_evm_memo_dest_from_log(const cw_evm_block *b, const cw_evm_log *l, char *out, size_t cap);
/* The same with the input of the log's tx (in, in_n bytes from the selector; NULL when not
 * kept), for an event that names the chain but not the recipient: OFTSent's recipient is the
 * SendParam.to of the tx's LayerZero send call, kept only when that call's dstEid is the
 * event's (a router calling the OFT is not read: no row). */
size_t cw_evm_memo_dest_from_log_in(const cw_evm_block *b, const cw_evm_log *l, const uint8_t *in,
                                    size_t in_n, char *out, size_t cap);
/* The EVM chain id of LayerZero v2 endpoint id eid, from LayerZero's published table, for the
 * chains evm/store.c knows; false for any other id (printed as the number, never guessed). */
bool cw_evm_memo_lz_chain(uint64_t eid, uint64_t *chain_id);
/* The same destination read from a deposit call's input (in, n bytes from the selector) by its
 * selector, when no event of the tx names it: Across depositV3 and v2 deposit, Multichain
 * anySwapOut / anySwapOutUnderlying / anySwapOutNative, Wormhole transferTokens(WithPayload) and
 * wrapAndTransferETH(WithPayload), LayerZero v2 OFT / Stargate v2 send (namespace layerzero),
 * gen evm's bridgeOut. The row text names the call
 * ("transferTokens:wormhole:2:0x..."), the row's `log` is CW_EVM_NONE32. A selector is weak
 * evidence (any contract may reuse one): such a row names the destination of a deposit into an
 * account recognised as a bridge by its behaviour, and is never evidence of one. Returns the
 * length, or 0 when the input is no such call. An event's row text ends in ":@0x<40 hex>" when
 * the log's emitter is not the tx's `to` (a router in front of the bridge). */
size_t cw_evm_memo_dest_from_call(const uint8_t *in, size_t n, char *out, size_t cap);
/* Reads a row text written as above: 0, or CW_EINVAL naming what is wrong. */
int cw_evm_memo_dest_parse(cw_evm_memo_dest *d, const char *s, size_t n);

/* ---- the store's side table (evm/store.h) ---- */
/* SRC_EVENT: a destination decoded from a deposit event (cw_evm_memo_dest), not a memo */
enum {
    CW_EVM_MEMO_SRC_CALLDATA = 1,
    CW_EVM_MEMO_SRC_LOG = 2,
    CW_EVM_MEMO_SRC_TEXT = 3,
    CW_EVM_MEMO_SRC_EVENT = 4
};
#define CW_EVM_MEMOF_TRUNCATED 0x1 /* the memo was longer than CW_EVM_MEMO_MAX */
#define CW_EVM_MEMOF_NESTED 0x2    /* read from a call inside the calldata (from_nested) */

typedef struct cw_evm_row_memo {
    uint64_t tx;      /* tx number */
    uint32_t log;     /* log index in the block (SRC_LOG, SRC_EVENT), else CW_EVM_NONE32 */
    uint32_t to;      /* account id of the tx's `to` (CW_EVM_NONE32 for a creation) */
    uint32_t emitter; /* account id the memo came from: the contract that emitted the log (a
                       * row with a log index), else the tx's `to` (calldata is addressed to
                       * it); CW_EVM_NONE32 when that is no account of the store (a log's
                       * emitter that never moved value up to this tx) */
    uint16_t len;     /* bytes in memo */
    uint8_t source;   /* CW_EVM_MEMO_SRC_* (SRC_TEXT: the whole calldata is the memo) */
    uint8_t flags;    /* CW_EVM_MEMOF_* */
    char memo[CW_EVM_MEMO_MAX]; /* NUL-padded */
    uint8_t pad[4];             /* zero */
} cw_evm_row_memo;              /* 264 bytes (evm_format 4; 256 without `emitter` before) */

/* Reader accessors (rows borrowed from the mapping until close). */
uint64_t cw_evmstore_memo_count(const cw_evmstore *s);
const cw_evm_row_memo *cw_evmstore_memo(const cw_evmstore *s, uint64_t i);
/* The memo rows of tx: [first, end) (empty when it has none). */
void cw_evmstore_tx_memos(const cw_evmstore *s, uint64_t tx, uint64_t *first, uint64_t *end);

#endif
