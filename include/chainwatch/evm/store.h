/*
 * evm/store.h: the EVM account-model chain store (docs/STORE-FORMAT.md, "EVM stores").
 *
 * A directory of fixed-width append-only column files with dense ids in chain order, two hash
 * indexes (tx hash -> tx, address -> account id) and a MANIFEST that publishes the row counts
 * atomically, with the same commit and recovery protocol as the Bitcoin store: a writer that
 * dies at any point (kill -9) leaves a store that the next writable open brings back to its
 * last commit, and a rerun produces byte-identical files.
 *
 * Contents: accounts (20-byte address, dense id, contract flag, first seen; last seen follows
 * from the in/out chains), assets (id 0 = the chain's native coin; then each token in order of
 * first movement, with symbol and decimals when known), and one row per value movement (kind,
 * asset, from, to, 256-bit amount, tx, block, log index or trace position). Each movement is
 * linked to the previous movement out of its sender and into its receiver, and each account
 * holds the heads of both chains, so any account's balance per asset at any block is a walk.
 *
 * Writer: open writable (creates the directory), append decoded blocks in order (a gap, a
 * number at or below the tip, or a parent hash that differs from the tip's hash is refused),
 * commit to publish, rollback to drop blocks from the tip (reorg). Readers open read-only and
 * see the last commit; returned pointers borrow the mapping until close.
 */
#ifndef CHAINWATCH_EVM_STORE_H
#define CHAINWATCH_EVM_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "chainwatch/evm/block.h"
#include "chainwatch/evm/u256.h"

/* 2: the memo table (evm/memo.h); 3: narrow rows (8-byte amounts, 48-bit links); 4: memo rows
 * name their emitter; 5: EIP-4844 blob fees (a fee_burnt at position 1); 6: stablecoin issuers'
 * actions (issuer.col: freezes, unfreezes, destroyed balances, the destroy a burn); 7: USDT's
 * Issue / Redeem (issuer.col kinds 4, 5: a mint to / burn from the contract's owner) */
#define CW_EVM_STORE_FORMAT 7
#define CW_EVM_NONE32 0xffffffffu
#define CW_EVM_NONE64 UINT64_MAX
#define CW_EVM_ASSET_NATIVE 0u

/* ---- chains ---- */
typedef struct cw_evm_chain {
    const char *name;    /* "ethereum" */
    uint64_t chain_id;   /* 1 */
    const char *symbol;  /* native coin: "ETH" */
    const char *wrapped; /* the canonical wrapped-native token (lowercase 0x address) or NULL */
    const char *tether;  /* Tether's TetherToken (USDT), whose Issue(uint256) / Redeem(uint256)
                            mint to and burn from its owner without a Transfer, or NULL */
} cw_evm_chain;
/* Looks a chain up by name ("ethereum", "sepolia", "bsc", "polygon", "arbitrum", "optimism",
 * "base", "avalanche", "dev" for generated worlds and anvil) or NULL. */
const cw_evm_chain *cw_evm_chain_find(const char *name);
const cw_evm_chain *cw_evm_chain_by_id(uint64_t chain_id);

/* ---- movement kinds (moves.col `kind`) ---- */
enum {
    CW_EVM_MOVE_TX = 1,           /* native value of a successful tx (top-level call or create) */
    CW_EVM_MOVE_INTERNAL = 2,     /* native value of a successful internal call / create */
    CW_EVM_MOVE_SELFDESTRUCT = 3, /* balance sent by SELFDESTRUCT to its beneficiary */
    CW_EVM_MOVE_ERC20 = 4,        /* ERC-20 Transfer log */
    CW_EVM_MOVE_WRAP = 5,         /* wrapped-native Deposit log: token minted to dst */
    CW_EVM_MOVE_UNWRAP = 6,       /* wrapped-native Withdrawal log: token burnt from src */
    CW_EVM_MOVE_FEE_BURNT = 7,    /* base fee x gas used (pos 0), or the EIP-4844 blob fee (pos
                                     1), from the sender to nobody */
    CW_EVM_MOVE_FEE_TIP = 8,      /* the rest of the fee, from the sender to the fee recipient */
    CW_EVM_MOVE_WITHDRAWAL = 9,   /* beacon-chain withdrawal (EIP-4895), from nobody */
    CW_EVM_MOVE_REWARD = 10,      /* block / uncle reward (a reward trace), from nobody */
    CW_EVM_MOVE_ERC721 = 11,      /* ERC-721 Transfer: amount = 1 item (count only) */
    CW_EVM_MOVE_ERC1155 = 12      /* ERC-1155 TransferSingle/Batch: amount = items (count only) */
};
/* moves.col `flags` */
#define CW_EVM_MOVEF_STATUS_UNKNOWN 0x01 /* the tx's success is not known: a probable movement */
#define CW_EVM_MOVEF_COUNT_ONLY 0x02     /* NFT: amount counts items, ids are not kept */
#define CW_EVM_MOVEF_WIDE 0x04 /* the amount is >= 2^64: `amount` is its row in amounts.col */
const char *cw_evm_move_kind_name(unsigned kind);

/* ---- asset kinds ---- */
enum {
    CW_EVM_ASSET_KIND_NATIVE = 0,
    CW_EVM_ASSET_KIND_ERC20 = 1,
    CW_EVM_ASSET_KIND_ERC721 = 2,
    CW_EVM_ASSET_KIND_ERC1155 = 3
};

/* ---- rows (little-endian as mapped; sizes are part of the format) ---- */
typedef struct cw_evm_row_block {
    uint8_t hash[32];
    uint8_t parent[32];
    uint8_t base_fee[32]; /* cw_u256 limbs (zero before London; see flags) */
    uint64_t number, timestamp, gas_used, gas_limit;
    uint64_t first_tx, first_move, first_create;
    uint32_t miner; /* account id */
    uint32_t n_tx;
    uint32_t first_account; /* account count before this block */
    uint32_t first_asset;   /* asset count before this block */
    uint32_t n_withdrawals;
    uint32_t flags; /* CW_EVM_BLOCKF_* */
} cw_evm_row_block; /* 176 bytes */
#define CW_EVM_BLOCKF_BASE_FEE 0x1
#define CW_EVM_BLOCKF_RECEIPTS 0x2
#define CW_EVM_BLOCKF_LOGS 0x4
#define CW_EVM_BLOCKF_TRACES 0x8

typedef struct cw_evm_row_tx {
    uint64_t value;     /* below 2^64; with CW_EVM_TXF_WIDE, the row of txamounts.col */
    uint64_t gas_price; /* effective gas price (receipt), else the tx's; 0 with TXF_WIDE */
    uint64_t gas, gas_used, nonce;
    uint64_t first_move; /* its first movement (its movements are contiguous) */
    uint32_t block;      /* block number */
    uint32_t index;
    uint32_t from, to; /* account ids; to = CW_EVM_NONE32 for a creation */
    uint32_t created;  /* contract account created by it (receipt), or CW_EVM_NONE32 */
    uint32_t n_logs;
    uint8_t selector[4];
    uint8_t status, type, flags, pad;
} cw_evm_row_tx; /* 80 bytes (value and gas price read through cw_evmstore_tx_amounts) */
#define CW_EVM_TXF_RECEIPT 0x1
#define CW_EVM_TXF_WIDE 0x2 /* value or gas price >= 2^64: both live in txamounts.col */

/* txamounts.col: the value and gas price of the txs whose value or gas price is 2^64 or more */
typedef struct cw_evm_row_txwide {
    uint64_t tx;           /* the tx they belong to */
    uint8_t value[32];     /* cw_u256 limbs */
    uint8_t gas_price[32]; /* cw_u256 limbs */
} cw_evm_row_txwide;       /* 72 bytes */

typedef struct cw_evm_row_move {
    uint64_t amount;   /* the amount when below 2^64; with CW_EVM_MOVEF_WIDE, the row of
                          amounts.col that holds it (read through cw_evmstore_move_amount) */
    uint64_t tx;       /* tx number, CW_EVM_NONE64 for block-level movements */
    uint32_t from, to; /* account ids; CW_EVM_NONE32 = nobody (mint, burn, fee burnt) */
    uint32_t asset;
    uint32_t block; /* block number */
    uint32_t pos;   /* log index; trace ordinal in the block's traces; withdrawal index in the
                       block; 0 for tx value and fees */
    uint8_t kind, flags, pad[2];
} cw_evm_row_move; /* 40 bytes */

/* amounts.col: the amounts of 2^64 and above, in movement order */
typedef struct cw_evm_row_wide {
    uint64_t move;      /* the movement whose amount this is */
    uint8_t amount[32]; /* cw_u256 limbs */
} cw_evm_row_wide;      /* 40 bytes */

/* issuer.col: a token contract's blacklisting actions, in tx order (docs/STORE-FORMAT.md
 * "Issuers' actions"): USDT's AddedBlackList / RemovedBlackList / DestroyedBlackFunds, USDC's
 * Blacklisted / UnBlacklisted, each from the contract that emitted it about its own token; and
 * the chain's Tether contract's Issue / Redeem (cw_evm_chain.tether) */
typedef struct cw_evm_row_issuer {
    uint64_t tx;    /* the tx whose log it is */
    uint64_t move;  /* CW_EVM_ISSUER_DESTROY: the burn movement it made, or CW_EVM_NONE64 when a
                       Transfer to 0x0 in the same tx is the burn; ISSUE / REDEEM: the mint or
                       burn movement, or CW_EVM_NONE64 (amount 0, owner unknown); else NONE64 */
    uint32_t block; /* block number */
    uint32_t log;   /* log index in the block */
    uint32_t token; /* account of the contract that emitted the event (the token) */
    uint32_t user;  /* account frozen, unfrozen or whose balance was destroyed; ISSUE / REDEEM:
                       the owner credited or debited (CW_EVM_NONE32: not known) */
    uint8_t kind;   /* CW_EVM_ISSUER_* */
    uint8_t flags;  /* CW_EVM_ISSUERF_* */
    uint8_t pad[6];
} cw_evm_row_issuer; /* 40 bytes */
enum {
    CW_EVM_ISSUER_FREEZE = 1,   /* AddedBlackList(user), Blacklisted(user) */
    CW_EVM_ISSUER_UNFREEZE = 2, /* RemovedBlackList(user), UnBlacklisted(user) */
    CW_EVM_ISSUER_DESTROY = 3,  /* DestroyedBlackFunds(user, amount) */
    CW_EVM_ISSUER_ISSUE = 4,    /* Issue(amount): minted to the owner (Tether) */
    CW_EVM_ISSUER_REDEEM = 5    /* Redeem(amount): burnt from the owner (Tether) */
};
#define CW_EVM_ISSUERF_STATUS_UNKNOWN 0x01 /* the tx's success is not known: probable */
/* a destroy of more than the user held, in a store that knows balances: what it held is burnt */
#define CW_EVM_ISSUERF_OVER_BALANCE 0x02
/* an Issue / Redeem whose owner (the caller of the contract) the tx does not tell: no traces
 * and not a direct call, or callers that differ; no movement made */
#define CW_EVM_ISSUERF_OWNER_UNKNOWN 0x04

typedef struct cw_evm_row_movelink {
    uint8_t prev_out[6]; /* previous movement out of `from`, 48-bit; all ones for the first */
    uint8_t prev_in[6];  /* previous movement into `to` */
} cw_evm_row_movelink;   /* 12 bytes (read through cw_evmstore_movelink) */
#define CW_EVM_MOVES_MAX 0xfffffffffffeull /* movements a store can hold (48-bit links) */

/* A movement's links as numbers (CW_EVM_NONE64 for none). */
typedef struct cw_evm_movelink {
    uint64_t prev_out, prev_in;
} cw_evm_movelink;

typedef struct cw_evm_row_account {
    uint8_t addr[20];
    uint32_t first_block;    /* block number of first appearance */
    uint32_t contract_block; /* block number at which code was created there, or NONE32 */
    uint32_t pad;
} cw_evm_row_account; /* 32 bytes */

typedef struct cw_evm_row_acctlast {
    uint64_t last_out, last_in; /* heads of its movement chains, CW_EVM_NONE64 when none */
} cw_evm_row_acctlast;          /* 16 bytes */

typedef struct cw_evm_row_asset {
    uint32_t account; /* token contract's account id (CW_EVM_NONE32 for native) */
    uint32_t first_block;
    uint8_t kind;     /* CW_EVM_ASSET_KIND_* */
    uint8_t decimals; /* 255 = unknown */
    uint8_t pad[6];
    char symbol[48]; /* NUL-padded; may be empty */
} cw_evm_row_asset;  /* 64 bytes */

typedef struct cw_evm_row_create {
    uint64_t tx;      /* creating tx or CW_EVM_NONE64 */
    uint32_t account; /* created contract */
    uint32_t block;
} cw_evm_row_create; /* 16 bytes */

typedef struct cw_evmstore cw_evmstore;

typedef struct cw_evm_counts {
    uint64_t base; /* first block number held */
    uint64_t blocks, txs, moves, accounts, assets, creates;
    uint64_t chain_id;
    uint64_t incomplete; /* blocks ingested without receipts, logs or traces */
} cw_evm_counts;

/* True when dir holds an EVM store (its MANIFEST says `evm_format`). Never creates anything. */
bool cw_evmstore_detect(const char *dir);

/* Opens dir. Writable: creates it when absent (for chain `chain`, which must match an existing
 * store's chain id; NULL = keep / "ethereum"), takes the writer lock and recovers an interrupted
 * writer. Read-only: CW_ENOTFOUND when absent. */
int cw_evmstore_open(cw_evmstore **out, const char *dir, bool writable, const char *chain);
/* Closes; a writer drops uncommitted blocks (and trims its files). */
int cw_evmstore_close(cw_evmstore *s);

void cw_evmstore_counts(const cw_evmstore *s, cw_evm_counts *c);
/* A read-only handle's snapshot still stands: no rollback (a reorganisation, whose other fork's
 * rows are written where the dropped ones were) started since the handle opened. Call it after
 * reading the rows of an answer: 0 means the answer is of one fork, the handle's; CW_EBUSY
 * ("... rolled back ...: reopen the store and ask again") means it may mix two: drop it, reopen
 * and ask again. One pread of the lock file; threads may share it. 0 on a writable handle. */
int cw_evmstore_snapshot_check(const cw_evmstore *s);
const cw_evm_chain *cw_evmstore_chain(const cw_evmstore *s);
/* True when the store holds a generated world (MANIFEST `synthetic 1`): every block ingested
 * from a `chainwatch gen evm` folder, or declared so (evm/ingest.h). Whoever shows what the store
 * says (traces, alerts, the server) says so too. Never set on real data; once set, kept. */
bool cw_evmstore_synthetic(const cw_evmstore *s);
/* Marks a writable store as holding a generated world, in its MANIFEST at once (with the
 * published counts). Idempotent. */
int cw_evmstore_mark_synthetic(cw_evmstore *s);
/* Tip block number, or -1 when the store is empty (counts include uncommitted appends). */
int64_t cw_evmstore_tip(const cw_evmstore *s);

/* Appends one block, which must have passed cw_evm_block_finish. Refused (CW_EINVAL, the store
 * unchanged) when its number is not tip + 1 (the first block of an empty store may have any
 * number: the store then starts mid-chain), or CW_ECORRUPT when its parent hash is not the
 * tip's hash: the caller rolls back (reorg) and retries. Not visible to readers until commit. */
int cw_evmstore_append(cw_evmstore *s, const cw_evm_block *b);
/* Publishes everything appended (fsync, then the MANIFEST replaced atomically). */
int cw_evmstore_commit(cw_evmstore *s);
/* Drops every block above `number` (keeps number itself; number = base - 1 empties the store),
 * committed at once. Uncommitted appends are dropped first. */
int cw_evmstore_rollback(cw_evmstore *s, int64_t number);
/* Registers token metadata (symbol, decimals) applied to the token's asset row when it is
 * created (the first movement of that token); metadata arriving after it is ignored. */
int cw_evmstore_add_token(cw_evmstore *s, const cw_evm_token *t);

/* ---- reader accessors (rows borrowed from the mapping) ---- */
/* Block by number (CW_ENOTFOUND outside the store). */
const cw_evm_row_block *cw_evmstore_block(const cw_evmstore *s, uint64_t number);
const cw_evm_row_tx *cw_evmstore_tx(const cw_evmstore *s, uint64_t tx);
const uint8_t *cw_evmstore_tx_hash(const cw_evmstore *s, uint64_t tx);
/* Movements of tx: [first, end). */
void cw_evmstore_tx_moves(const cw_evmstore *s, uint64_t tx, uint64_t *first, uint64_t *end);
const cw_evm_row_move *cw_evmstore_move(const cw_evmstore *s, uint64_t m);
/* The links of movement m (both CW_EVM_NONE64 past the movements). */
cw_evm_movelink cw_evmstore_movelink(const cw_evmstore *s, uint64_t m);
const cw_evm_row_account *cw_evmstore_account(const cw_evmstore *s, uint32_t id);
/* The block at which code was created at account id as this handle publishes it (NONE32: not a
 * contract, or no such account). Use it, not the row's contract_block: a writer beside a reader
 * marks an account that existed before its code in place, before its commit. */
uint32_t cw_evmstore_contract_block(const cw_evmstore *s, uint32_t id);
/* The heads of account id's in and out chains, as of the movements this handle publishes (a
 * read-only handle walks back, at each call, any head a writer in another process moved past
 * them). CW_ENOTFOUND for no such account; CW_EBUSY or CW_EIO when a moved head's rows cannot
 * be read; CW_ECORRUPT for a link that points forward. Safe from threads sharing a reader. */
int cw_evmstore_acctlast(const cw_evmstore *s, uint32_t id, cw_evm_row_acctlast *out);
const cw_evm_row_asset *cw_evmstore_asset(const cw_evmstore *s, uint32_t id);
const cw_evm_row_create *cw_evmstore_create(const cw_evmstore *s, uint64_t i);
int cw_evmstore_find_tx(const cw_evmstore *s, const cw_evm_hash *h, uint64_t *tx);
int cw_evmstore_find_account(const cw_evmstore *s, const cw_evm_addr *a, uint32_t *id);
/* The asset of a token contract account, or CW_ENOTFOUND. */
int cw_evmstore_find_asset(const cw_evmstore *s, uint32_t account, uint32_t *asset);
/* The last block number in which the account appears in a movement (its first block when it has
 * none). */
uint32_t cw_evmstore_account_last_block(const cw_evmstore *s, uint32_t id);
/* Stored 256-bit amounts (txs.col, blocks.col, amounts.col) as numbers. */
static inline cw_u256 cw_evm_amount(const uint8_t limbs[32])
{
    cw_u256 v;
    __builtin_memcpy(&v, limbs, 32);
    return v;
}
/* A movement's exact amount (from amounts.col when CW_EVM_MOVEF_WIDE). An index past amounts.col
 * (a damaged store: `check` reports it, and a wide row that names another movement) reads 0. */
cw_u256 cw_evmstore_move_amount(const cw_evmstore *s, const cw_evm_row_move *mv);
/* amounts.col: rows present, and row i (NULL past them). */
uint64_t cw_evmstore_wide_count(const cw_evmstore *s);
const cw_evm_row_wide *cw_evmstore_wide(const cw_evmstore *s, uint64_t i);
/* A tx's exact value and gas price (from txamounts.col when CW_EVM_TXF_WIDE; zeros for an index
 * past it, which `check` reports). */
void cw_evmstore_tx_amounts(const cw_evmstore *s, const cw_evm_row_tx *t, cw_u256 *value,
                            cw_u256 *gas_price);
/* txamounts.col: rows present, and row i (NULL past them). */
uint64_t cw_evmstore_txwide_count(const cw_evmstore *s);
const cw_evm_row_txwide *cw_evmstore_txwide(const cw_evmstore *s, uint64_t i);

/* issuer.col: rows published, and row i (NULL past them). */
uint64_t cw_evmstore_issuer_count(const cw_evmstore *s);
const cw_evm_row_issuer *cw_evmstore_issuer(const cw_evmstore *s, uint64_t i);
/* Whether `token` (the account of a token contract) has frozen `user` before tx `before_tx`
 * (the rows of earlier txs; CW_EVM_NONE64: at the store's tip): the newest freeze or unfreeze
 * row of that pair decides. True with *since = that freeze's row, whose
 * tx and block say since when. Only the token's own contract: a freeze by another contract never
 * counts. A linear scan of issuer.col (rows are few: a real chain's issuers blacklist a few
 * thousand accounts). */
bool cw_evmstore_frozen(const cw_evmstore *s, uint32_t token, uint32_t user, uint64_t before_tx,
                        const cw_evm_row_issuer **since);

/* Per-asset balance of an account at block `at` (inclusive; UINT64_MAX = tip): walks both
 * chains. *bal receives n_assets entries (caller's array, zeroed here) of received and sent;
 * balance = in - out. Returns 0 or an error. */
int cw_evmstore_account_flows(const cw_evmstore *s, uint32_t id, uint64_t at, cw_u256 *in,
                              cw_u256 *out, uint32_t n_assets);

/* Test hook: CW_TEST_CRASH_POINT=N in the environment makes the writer kill itself at the N-th
 * crash point (block appended, commit steps, rollback steps, recovery steps). */

#endif
