/*
 * evm_int.h: internals of the EVM world generator (src/gen/evm, docs/GEN.md "EVM worlds").
 *
 * The world is a ledger (ETH and token balances per account, all exact unsigned 128-bit base
 * units), a set of entities and contracts, and an event heap of things due at a later block
 * (exchange sweeps, mixer withdrawals, heist actions). Every value movement goes through one
 * of the emitters in chain.c, which write the CSV row (log, trace, withdrawal) and apply the
 * same movement to the ledger, so that what the CSVs say and what the ledger holds cannot
 * differ; truth/balances.csv is that ledger at the tip.
 */
#ifndef CW_GEN_EVM_INT_H
#define CW_GEN_EVM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chainwatch/gen_evm.h"
#include "chainwatch/keccak.h"
#include "gen/btc/rng.h"

typedef gen_u128 u128;

#define EW_MAX_EXCH 8
#define EW_MAX_ACCOUNTS 16 /* a thief's deposit addresses per exchange */
#define EW_NTOK 4          /* USDT, USDC, DAI, WETH; asset 0 is ETH */
#define EW_USDT 1
#define EW_USDC 2
#define EW_DAI 3
#define EW_WETH 4
#define EW_NONE UINT32_MAX
#define EW_GWEI ((u128)1000000000u)
#define EW_ETHER ((u128)1000000000000000000ULL)

/* Keccak-256 (util/keccak.c) */
static inline void ew_keccak256(uint8_t out[32], const void *data, size_t len)
{
    cw_keccak256(out, data, len);
}

/* ---- buffered CSV writer ---- */
typedef struct ew_out {
    int fd;
    char *buf;
    size_t len, cap;
    uint64_t bytes, rows;
    int err; /* errno of the first failed write */
    char path[512];
} ew_out;

int ew_out_open(ew_out *o, const char *dir, const char *name, const char *header);
int ew_out_flush(ew_out *o);
int ew_out_close(ew_out *o); /* flushes and closes; safe on a closed writer */
void ew_out_abort(ew_out *o);
static inline void ew_need(ew_out *o, size_t n)
{
    if (o->len + n > o->cap)
        (void)ew_out_flush(o);
}
void ew_put_s(ew_out *o, const char *s);
void ew_put_c(ew_out *o, char c);
void ew_put_u64(ew_out *o, uint64_t v);
void ew_put_u128(ew_out *o, u128 v);
void ew_put_hex(ew_out *o, const uint8_t *p, size_t n); /* "0x" + lower-case hex */
void ew_put_eol(ew_out *o);                             /* "\r\n", as Python's csv writes */
int ew_u128_dec(char *out, u128 v);                     /* decimal, returns length */

/* ---- scenario ---- */
typedef enum ew_step_kind {
    EWS_SWAP = 0,
    EWS_FAN_OUT,
    EWS_HOPS,
    EWS_MIXER,
    EWS_BRIDGE,
    EWS_CASH_OUT,
    EWS_WAIT
} ew_step_kind;

typedef struct ew_step {
    ew_step_kind kind;
    char where[96];
    double delay_hours;
    uint32_t chunks_min, chunks_max; /* swap: swaps per token holding */
    uint32_t addresses;              /* fan_out: fresh addresses */
    int via;                         /* fan_out: 0 direct, 1 batch contract, 2 mixed */
    uint32_t hops_min, hops_max;     /* hops */
    double split;                    /* hops: chance a hop splits in two */
    double ivl_min_m, ivl_max_m;     /* hops / swap / fan_out: minutes between actions */
    double fraction;                 /* mixer, bridge, cash_out */
    double wait_min_h, wait_max_h;   /* mixer: deposit -> withdrawal */
    double relayer;                  /* mixer: share withdrawn through a relayer */
    /* mixer: the evidence real laundering leaves, chances per note (0: none, the default):
     * withdrawn to the address that deposited it; the recipient topped up with gas by a thief
     * address holding stolen (unmixed) funds; the recipient's funds gathered with 2-5 other
     * recipients' at a consolidation address of the thief's */
    double ev_match, ev_gas, ev_converge;
    uint32_t btc_addresses; /* bridge: distinct BTC destinations */
    char (*btc_to)[96];     /* bridge: explicit BTC destinations (owned) */
    uint32_t n_btc_to;
    double lock;                    /* bridge: share of deposits to the lock-and-release bridge */
    double across;                  /* bridge: share of deposits to the Across-like pool */
    uint32_t deposits;              /* cash_out: deposit transactions */
    uint32_t accounts;              /* cash_out: deposit addresses per exchange (its accounts) */
    bool tokens;                    /* cash_out: tokens held are deposited as they are */
    bool apart;                     /* cash_out: mixed funds to other accounts than the rest */
    bool no_reuse;                  /* cash_out: each deposit of mixed funds to a new deposit
                                       address, used once */
    double otc;                     /* cash_out: chance a payment of direct (not mixed) funds
                                       goes to an OTC desk instead (world.otc_desks) */
    double over_hours;              /* cash_out: spread */
    uint32_t to[EW_MAX_EXCH], n_to; /* cash_out: exchanges (indexes) */
    double hours;                   /* wait */
} ew_step;

typedef struct ew_heist_sc {
    char name[64];
    uint32_t victim; /* exchange index */
    double at_hour;
    u128 stolen[1 + EW_NTOK]; /* per asset, base units (WETH unused) */
    uint32_t drain_addresses;
    ew_step *steps;
    size_t n_steps;
} ew_heist_sc;

struct cw_gen_evm_scenario {
    char name[64];
    char exch[EW_MAX_EXCH][32];
    uint32_t n_exch;
    uint32_t users;         /* 0: txs / 30 */
    uint32_t txs_per_block; /* mean */
    /* the mixer: 4 denominations (wei, ascending; default 0.1, 1, 10, 100 ETH), each its own
     * contract (mixer_contracts 4, the default) or all in one contract (1) */
    u128 mixer_denom[4];
    uint32_t mixer_contracts;
    /* OTC desks: unlabelled accounts that honest users (and honest mixer withdrawals'
     * recipients) pay, and that sweep to their own exchange deposit addresses; 0 = none */
    uint32_t otc_desks;
    /* consolidation addresses per exchange: its deposit addresses sweep into one of them, and
     * each sweeps what it gathers on to a hot wallet (deposit -> consolidation -> hot wallet);
     * 0 = none, deposit addresses sweep straight to a hot wallet */
    uint32_t consolidation;
    /* honest mixer users leave the same evidence (look-alikes): withdrawal to the depositing
     * address, gas from one of their own other addresses, a fresh recipient paying everything
     * on to one of their own addresses */
    bool honest_mix_evidence;
    /* a lock-and-release bridge contract whose deposits carry no memo (destination chain and
     * recipient in an event or only in calldata), releasing to honest users arriving from
     * other chains through relayers' txs (truth/lock_bridge.csv) */
    bool lock_bridge;
    /* the last contract_hot exchanges of the list keep their hot wallets as Safe-like contracts
     * (truth category exchange_hot_contract, no label): deposit addresses sweep into them as
     * before, and every payment out of one is a transaction an operator EOA of the exchange
     * (exchange_operator) sends to the contract, which pays in that call; 0 = none */
    uint32_t contract_hot;
    /* an Across-like bridge pool (truth/across_bridge.csv): deposits with V3FundsDeposited,
     * relayers fill elsewhere and are paid back in bulk refunds by a dataworker's calls; users
     * arriving from other chains are paid by a relayer's fill */
    bool across_bridge;
    /* honest bridge users (lock bridge, Across pool) pay from a fresh address an exchange
     * withdrawal funded, sending the bridge everything it got */
    bool fresh_bridge_users;
    /* the Across-like pool owes relayers for token deposits too and repays them in the token
     * in its bulk refunds; the thief deposits the tokens it holds when it bridges through the
     * pool */
    bool across_tokens;
    /* half the pool's deposits go through an aggregator's router (unlabelled): the depositor
     * calls the router, which passes the value on to the pool in its call; the pool emits the
     * deposit event (truth: a via_router row beside the deposit's) */
    bool across_router;
    /* the same aggregator router also swaps: half of all DEX swaps (the thief's and everyone's)
     * call it; it takes the input, pays the pair, and passes the output on (truth: router_swap
     * rows); implies across_router */
    bool router_swaps;
    /* with across_router: half the token deposits into the pool (the thief's and everyone's)
     * are one call to the router that swaps the token for ETH on the DEX and deposits the ETH
     * into the pool (LI.FI's swapAndStartBridgeTokensVia...; truth: a swap_bridge row beside
     * the deposit's ETH row) */
    bool swap_bridge;
    /* with lock_bridge and across_router: half the lock bridge's deposits (the thief's and
     * everyone's) call the router, which passes the ETH on to the lock bridge in its call
     * (truth: a via_router row in lock_bridge.csv beside the deposit's) */
    bool lock_router;
    /* with across_router: half the THORChain router deposits (the thief's and everyone's) call
     * the aggregator router's multicall(bytes[]), whose one call is the THORChain router's
     * depositWithExpiry with an affiliate and streaming memo (=:BTC.BTC:ADDR:0/1/0:agg:50); the
     * router's Deposit event is then emitted by a contract other than the tx's `to` (truth:
     * style `aggregator` in bridge_deposits.csv) */
    bool thor_aggregator;
    /* the lock bridge's deposits but the Bitcoin ones are Wormhole wrapAndTransferETH calls whose
     * input alone names the destination (Wormhole chain ids; no event) */
    bool lock_wormhole;
    ew_heist_sc *heists;
    size_t n_heists;
};

/* ---- world ---- */
typedef enum ew_cat {
    EWC_USER = 0,
    EWC_EXCHANGE,
    EWC_EXCH_DEPOSIT,
    EWC_EXCH_GAS,
    EWC_ISSUER,
    EWC_DEPLOYER,
    EWC_STAKER,
    EWC_BUILDER,
    EWC_TOKEN,
    EWC_WETH,
    EWC_ROUTER,
    EWC_PAIR,
    EWC_MIXER,
    EWC_RELAYER,
    EWC_BRIDGE_ROUTER,
    EWC_BRIDGE_VAULT,
    EWC_BATCH,
    EWC_SPLITTER,
    EWC_NFT,
    EWC_FACTORY,
    EWC_THIEF,
    EWC_ZERO,
    EWC_OTC,
    EWC_EXCH_CONSOL,
    EWC_BRIDGE_LOCK,       /* a lock-and-release bridge without memos (world.lock_bridge) */
    EWC_EXCH_HOT_CONTRACT, /* an exchange's contract hot wallet (world.contract_hot) */
    EWC_EXCH_OPERATOR,     /* the EOA that sends its payments */
    EWC_BRIDGE_POOL,       /* an Across-like pool (world.across_bridge) */
    EWC_BRIDGE_RELAYER,    /* one of its relayers */
    EWC_BRIDGE_OPERATOR,   /* its dataworker */
    EWC_AGG_ROUTER,        /* an aggregator's router in front of the pool (world.across_router) */
    EWC_N
} ew_cat;

typedef struct ew_acct {
    uint8_t addr[20];
    uint16_t bloom_a[3], bloom_t[3]; /* bloom bits of the address and of its 32-byte topic */
    uint8_t cat, contract;
    uint8_t sweep_queued;
    uint8_t pad;
    uint32_t ent;      /* owning entity */
    uint32_t customer; /* exchange deposit: the customer entity; else EW_NONE */
    uint32_t nonce;
    uint32_t exch; /* exchange deposit / hot / gas: exchange index; else EW_NONE */
} ew_acct;

typedef struct ew_ent {
    char name[48];
    uint8_t cat;
    int32_t heist; /* thief and its exchange customers: heist index; else -1 */
} ew_ent;

typedef struct ew_exch {
    uint32_t ent;
    uint32_t hot[3], n_hot;
    uint32_t gas;     /* gas station (tops up token deposit addresses) */
    uint32_t factory; /* forwarder factory (style 1) */
    int style;        /* 0: EOA deposit addresses swept with gas top-ups; 1: forwarder contracts */
    uint32_t sweep_min_b, sweep_max_b; /* blocks from deposit to sweep */
    uint64_t sweep_floor_gwei;
    int topup_exact;          /* gas top-up exactly the sweep's fee, or a round amount */
    uint32_t cons[3], n_cons; /* consolidation addresses (world.consolidation); 0 = none */
    uint32_t
        op; /* world.contract_hot: the operator EOA of its contract hot wallets, else EW_NONE */
} ew_exch;

typedef struct ew_user {
    uint32_t ent;
    uint32_t acct[3];
    uint8_t n_acct;
    uint8_t habit;             /* 0 casual, 1 trader, 2 hodler, 3 privacy-minded */
    uint32_t dep[EW_MAX_EXCH]; /* deposit address per exchange (lazily created) */
} ew_user;

/* one trace of the transaction being built */
typedef struct ew_trace {
    uint32_t from, to;
    u128 value;
    uint8_t type;  /* 0 call, 1 create */
    uint8_t ctype; /* 0 call, 1 staticcall, 2 delegatecall */
    uint8_t ok;
    uint8_t depth;
    uint16_t path[6];
    uint32_t parent;
    uint32_t subtraces;
    uint64_t gas, gas_used;
    uint32_t in_off, in_len, out_off, out_len; /* into the tx scratch */
    const char *error;
} ew_trace;

typedef struct ew_event {
    uint64_t due; /* block number */
    uint64_t seq;
    uint32_t kind;
    uint32_t a, b, c;
    u128 v;
} ew_event;

enum {
    EWE_SWEEP = 1,
    EWE_MIX_WITHDRAW,
    EWE_HEIST,
    EWE_OTC_CUSTOMER,
    EWE_OTC_SWEEP,
    EWE_OTC_PAY,
    EWE_OWN_PAY,       /* world.honest_mix_evidence: a (all of its ETH, or gas when c) to b */
    EWE_ACROSS_REFUND, /* world.across_bridge: the dataworker's refunds to the relayers */
    EWE_FRESH_BRIDGE   /* world.fresh_bridge_users: a (fresh) sends all to bridge b */
};

typedef struct ew_note { /* a mixer deposit waiting for its withdrawal */
    uint32_t pool;
    uint32_t depositor;
    uint32_t owner_ent;
    uint32_t own; /* world.honest_mix_evidence: another address of the owner's (or EW_NONE) */
    int32_t heist;
    uint64_t dep_block;
    uint8_t dep_tx[32];
    uint8_t commitment[32];
    uint32_t leaf;
} ew_note;

struct ew_heist;

typedef struct ew_world {
    const cw_gen_evm_opts *opts;
    const cw_gen_evm_scenario *sc;
    gen_rng rng; /* the economy */
    uint64_t salt;
    /* accounts and ledger */
    ew_acct *acct;
    u128 *bal[1 + EW_NTOK];
    size_t n_acct, cap_acct;
    ew_ent *ent;
    size_t n_ent, cap_ent;
    ew_user *users;
    size_t n_users;
    ew_exch exch[EW_MAX_EXCH];
    uint32_t n_exch;
    /* fixed actors */
    uint32_t zero, deployer, lp, issuer[3], builders[6], n_builders;
    uint32_t stakers[64], n_stakers;
    uint32_t relayers[6], n_relayers;
    uint32_t otc[8], otc_dep[8], n_otc; /* OTC desks and their deposit addresses (lazy) */
    uint32_t tok[1 + EW_NTOK];          /* token contracts (tok[EW_WETH] = WETH) */
    uint8_t tok_dec[1 + EW_NTOK];
    uint32_t router, pair[1 + EW_NTOK], pair_lp_tok[1 + EW_NTOK];
    u128 res_tok[1 + EW_NTOK], res_weth[1 + EW_NTOK]; /* pair reserves */
    uint32_t mixer[4];
    u128 mixer_denom[4];
    uint32_t mixer_leaves[4];
    uint32_t bridge_router, bridge_vault;
    uint32_t lock_bridge;                      /* world.lock_bridge: the contract, else EW_NONE */
    uint32_t across, across_dw, across_rel[3]; /* world.across_bridge: pool, dataworker, relayers */
    uint32_t across_router;                    /* world.across_router: the router, else EW_NONE */
    u128 across_owed[3];                       /* ETH the pool owes each relayer */
    u128 across_owed_tok[3][1 + EW_NTOK];      /* world.across_tokens: tokens it owes them */
    uint32_t across_ids, across_refunds;
    uint32_t batch, splitter, nft;
    uint32_t nft_next;
    uint32_t *nft_owner;
    size_t nft_cap;
    u128 supply[1 + EW_NTOK];
    u128 lp_held[1 + EW_NTOK]; /* LP tokens of each pair held by the liquidity provider */
    /* selectors and topics */
    uint8_t sel_transfer[4], sel_transfer_from[4], sel_approve[4], sel_deposit[4], sel_withdraw[4],
        sel_swap_eth_tok[4], sel_swap_tok_eth[4], sel_add_liq[4], sel_mix_deposit[4],
        sel_mix_withdraw[4], sel_thor_deposit[4], sel_disperse[4], sel_split[4], sel_nft_mint[4],
        sel_flush[4], sel_create_fwd[4], sel_mint[4], sel_multicall[4];
    uint8_t t_transfer[32], t_approval[32], t_wdeposit[32], t_wwithdrawal[32], t_swap[32],
        t_sync[32], t_mint[32], t_mdeposit[32], t_mwithdrawal[32], t_thor[32], t_fwd[32];
    uint16_t tb_transfer[3], tb_approval[3], tb_wdeposit[3], tb_wwithdrawal[3], tb_swap[3],
        tb_sync[3], tb_mint[3], tb_mdeposit[3], tb_mwithdrawal[3], tb_thor[3], tb_fwd[3];
    /* the lock-and-release bridge (world.lock_bridge) */
    uint8_t sel_lock[4], sel_lock_sol[4], sel_lock_plain[4], sel_lock_str[4], sel_release[4];
    uint8_t t_locked[32], t_locked_str[32], t_released[32];
    uint16_t tb_locked[3], tb_locked_str[3], tb_released[3];
    /* contract hot wallets (world.contract_hot): Safe's execTransaction and ExecutionSuccess */
    uint8_t sel_exec[4], t_exec_ok[32];
    uint16_t tb_exec_ok[3];
    /* the Across-like pool (world.across_bridge) */
    uint8_t sel_v3_deposit[4], sel_v3_fill[4], sel_refund_leaf[4], sel_router_bridge[4],
        sel_wh_wrap[4], sel_swap_bridge[4];
    uint8_t t_v3_deposited[32], t_v3_filled[32], t_refund_leaf[32];
    uint16_t tb_v3_deposited[3], tb_v3_filled[3], tb_refund_leaf[3];
    /* chain position */
    uint64_t number, timestamp, base_fee;
    uint8_t hash[32], parent[32];
    uint32_t miner;
    uint32_t tx_index, log_index;
    uint64_t gas_used_block;
    uint64_t block_size;
    uint8_t bloom[256];
    uint64_t withdrawal_index;
    uint64_t txs_total, txs_target, blocks_total, failed;
    /* the transaction being built */
    struct {
        uint8_t hash[32];
        uint32_t from, to;
        u128 value;
        uint64_t gas, gas_used, price, max_fee, prio;
        uint8_t type, ok;
        bool priced;
        uint32_t created;
        uint8_t *scratch;
        size_t scratch_len, scratch_cap;
        uint32_t in_off, in_len;
        ew_trace *tr;
        size_t n_tr, cap_tr;
        uint64_t fee_paid;
    } tx;
    /* events */
    ew_event *heap;
    size_t n_heap, cap_heap;
    uint64_t seq;
    ew_note *notes;
    size_t n_notes, cap_notes;
    /* output */
    ew_out o_blocks, o_txs, o_rcpt, o_logs, o_tt, o_traces;
    ew_out t_links, t_bridge, t_flows, t_cash;
    ew_out t_lock;   /* truth/lock_bridge.csv (world.lock_bridge only) */
    ew_out t_across; /* truth/across_bridge.csv (world.across_bridge only) */
    char truth_dir[512];
    /* heists */
    struct ew_heist *heists;
    size_t n_heists;
    int err;
    cw_gen_evm_stats *st;
} ew_world;

/* chain.c: accounts, ledger, blocks, transactions and their rows */
uint32_t ew_acct_new(ew_world *w, uint8_t cat, uint32_t ent, bool contract);
uint32_t ew_acct_new_at(ew_world *w, uint8_t cat, uint32_t ent, const uint8_t addr[20]);
uint32_t ew_ent_new(ew_world *w, uint8_t cat, const char *name, int32_t heist);
void ew_create_address(const uint8_t sender[20], uint64_t nonce, uint8_t out[20]);
void ew_block_begin(ew_world *w);
int ew_block_end(ew_world *w, uint32_t n_withdrawals, const uint32_t *wd_to,
                 const uint64_t *wd_gwei);
/* Starts a transaction; `to` EW_NONE for a contract creation (then `created` is the new
 * account's category). The value moves only when ok. Fees: gas_used x effective price. */
void ew_tx_begin(ew_world *w, uint32_t from, uint32_t to, u128 value, uint64_t gas_used, bool ok);
uint8_t *ew_tx_input(ew_world *w, size_t len); /* the calldata buffer (zeroed) */
/* An internal call (child of trace `parent`); moves value when it and all its parents are ok.
 * Returns the trace index. */
uint32_t ew_tx_call(ew_world *w, uint32_t parent, uint32_t from, uint32_t to, u128 value,
                    const uint8_t *in, size_t in_len, bool ok);
uint32_t ew_tx_create(ew_world *w, uint32_t parent, uint32_t from, uint32_t new_acct);
/* A log of the current transaction (only in successful calls). */
void ew_log(ew_world *w, uint32_t addr, int n_topics, const uint8_t *const *topics,
            const uint16_t *const *blooms, const uint8_t *data, size_t data_len);
/* ERC-20 Transfer log + token_transfers row + ledger. */
void ew_erc20_transfer(ew_world *w, int tok, uint32_t from, uint32_t to, u128 amount);
void ew_weth_deposit(ew_world *w, uint32_t dst, u128 amount);
void ew_weth_withdrawal(ew_world *w, uint32_t src, u128 amount);
int ew_tx_end(ew_world *w);
/* the fee a sender needs for gas_used at the current base fee (upper bound) */
u128 ew_fee_bound(const ew_world *w, uint64_t gas_used);
/* Draws the next transaction's type and gas price now (so that a sender can send "all but the
 * fee"); returns the effective price in wei per gas. */
uint64_t ew_tx_next_price(ew_world *w);
/* A contract-creation transaction from `from`; returns the new contract's account (its address
 * is CREATE's, from the sender and its nonce). End it with ew_tx_end. */
uint32_t ew_deploy(ew_world *w, uint32_t from, uint8_t cat, uint32_t ent, uint64_t gas_used);
void ew_word_addr(uint8_t out[32], const ew_world *w, uint32_t a);
void ew_word_u128(uint8_t out[32], u128 v);
void ew_topic_bloom(uint16_t out[3], const uint8_t topic[32]);
void ew_fake_hash(uint8_t out[32], uint64_t a, uint64_t b);

/* events */
void ew_event_push(ew_world *w, uint64_t due, uint32_t kind, uint32_t a, uint32_t b, uint32_t c,
                   u128 v);
bool ew_event_pop_due(ew_world *w, ew_event *out);

/* econ.c: the economy and the services both honest users and thieves use */
int ew_econ_setup(ew_world *w);
void ew_econ_tx(ew_world *w); /* one honest transaction */
bool ew_handle_event(ew_world *w, const ew_event *e);
void ew_deposit_received(ew_world *w, uint32_t dep); /* schedules a sweep */
uint32_t ew_deposit_address(ew_world *w, uint32_t exch, uint32_t customer_ent);
/* services; each emits one transaction from `from` and returns false when it cannot */
bool ew_send_eth(ew_world *w, uint32_t from, uint32_t to, u128 value);
bool ew_send_token(ew_world *w, int tok, uint32_t from, uint32_t to, u128 amount);
bool ew_approve(ew_world *w, int tok, uint32_t owner, uint32_t spender);
bool ew_swap_tok_eth(ew_world *w, int tok, uint32_t trader, u128 amount_in, uint32_t to,
                     u128 *eth_out);
bool ew_mixer_withdraw_for(ew_world *w, uint32_t ni, uint32_t recipient, int relayer,
                           uint32_t sender);
int ew_econ_open(ew_world *w, u128 victim_extra[EW_MAX_EXCH][1 + EW_NTOK]);
const char *ew_asset_symbol(int a);
const char *ew_asset_name(int a);
bool ew_swap_eth_tok(ew_world *w, int tok, uint32_t trader, u128 eth_in, u128 *tok_out);
bool ew_mixer_deposit(ew_world *w, uint32_t from, int pool, int32_t heist, uint64_t wait_blocks,
                      uint32_t recipient_hint);
bool ew_bridge_deposit(ew_world *w, uint32_t from, u128 value, const char *btc_addr, int style,
                       int32_t heist);
/* A deposit into the lock-and-release bridge: destination chain and recipient in an event or
 * calldata, never a memo; btc_addr (may be NULL) as an ASCII recipient on Bitcoin. */
bool ew_lock_deposit(ew_world *w, uint32_t from, u128 value, const char *btc_addr, int style,
                     int32_t heist);
/* A deposit into the Across-like pool (ETH, or token tok): V3FundsDeposited names the
 * destination chain and a recipient there. */
bool ew_across_deposit(ew_world *w, uint32_t from, int tok, u128 value, int32_t heist);
bool ew_disperse(ew_world *w, uint32_t from, const uint32_t *to, const u128 *values, size_t n);
void ew_btc_address(ew_world *w, uint64_t k, char out[64]);
uint64_t ew_gas_for(ew_world *w, int kind);
enum {
    EWG_TRANSFER = 0,
    EWG_ERC20,
    EWG_APPROVE,
    EWG_SWAP,
    EWG_MIX_DEP,
    EWG_MIX_WD,
    EWG_BRIDGE,
    EWG_DISPERSE_BASE,
    EWG_DISPERSE_PER,
    EWG_WETH,
    EWG_SPLIT,
    EWG_NFT,
    EWG_FLUSH,
    EWG_CREATE,
    EWG_FWD
};

/* heist.c */
int ew_heists_init(ew_world *w);
void ew_heist_event(ew_world *w, const ew_event *e);
void ew_heist_note_withdrawn(ew_world *w, int32_t heist, uint32_t recipient, u128 amount,
                             const ew_note *n, uint32_t relayer, u128 fee);
int ew_heists_finish(ew_world *w);
bool ew_heists_done(const ew_world *w);
void ew_heists_free(ew_world *w);
int ew_heist_of(const ew_world *w, uint32_t acct); /* heist index of a thief account, or -1 */
void ew_heist_flow(ew_world *w, int heist, const char *kind, uint32_t from, uint32_t to, int asset,
                   u128 amount);

/* truth.c */
const char *ew_cat_name(int cat);
void ew_addr_hex(char out[43], const ew_world *w, uint32_t a);
int ew_truth_write(ew_world *w);

#endif
