/*
 * acct_trace.h: taint tracing in the account model (EVM chains): where did the value of a set
 * of source movements go, under the poison, haircut and FIFO models (docs/TRACE-MODELS.md,
 * "Account model"). Chain-neutral: the movements come in chain order from a callback.
 *
 * The unit is (account, asset); the order is the movement id (block, tx index, log or trace
 * position). The engine sweeps the movements from the first source onward once, keeping state
 * only for the (account, asset) pairs that hold taint:
 *   poison   every movement out of a tainted pair is tainted in full (reach, not amounts);
 *   haircut  a pair holds a total and a tainted amount; a movement of v out of it carries
 *            tainted * v / total;
 *   fifo     a pair is a queue of lots, first in first out; what the account held before it
 *            first received taint is one clean lot at the front.
 * Conversions (swaps, wrap and unwrap) are read from each transaction's net flows, fees left
 * out and mints/burns counted as the token contract's: an account that gives up asset A
 * (net < 0) and gains asset B (net > 0) in one tx is a trader, and the tainted share of the A it
 * sent is carried to the B it gained, at the executed rate; an account that gains A and gives up
 * B is the venue (a pool, a wrapped-token contract): taint reaching it in that tx is converted,
 * not held, so a pool never passes a thief's taint to the next honest trader. A conversion with
 * more than one asset given up is marked probable (the rate is a judgement). Items (NFTs) count
 * in the net flows only: a seller paid in the tx it gives up an item is such a venue (a
 * purchase), and the payment's taint goes on as the item, to whoever gained it.
 * Fees: taint spent on gas (burnt base fee, tip) is counted as fee and not followed.
 * Stops: a callback names the accounts where a trace stops (exchange deposit addresses,
 * mixers, bridges); taint reaching them is reported and not followed.
 */
#ifndef CHAINWATCH_ACCT_TRACE_H
#define CHAINWATCH_ACCT_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chainwatch/evm/u256.h"

#define CW_ACCT_NONE 0xffffffffu
#define CW_ACCT_NONE64 UINT64_MAX

/* One value movement, as the source gives it. */
typedef struct cw_acct_move {
    uint64_t id;          /* chain order; dense is not required, increasing is */
    uint64_t tx;          /* tx number; CW_ACCT_NONE64 for block-level movements */
    uint32_t from, to;    /* account ids; CW_ACCT_NONE = nobody (mint, burn, fee burnt) */
    uint32_t asset;       /* asset id */
    uint64_t block, time; /* block number and its time (unix seconds) */
    bool fee;             /* gas paid (burnt base fee or tip) */
    cw_u256 amount;       /* base units */
    uint32_t tx_from;     /* the tx's sender (who paid its gas), CW_ACCT_NONE if unknown */
    /* items (NFTs: ERC-721, ERC-1155), amount = their count: no fungible value, so never
     * tainted themselves; they count only in the tx's net flows, so that a seller who gives up
     * an item for a payment in one tx is a venue (a purchase converts the buyer's taint into
     * the item, the seller holds none of it) */
    bool item;
} cw_acct_move;

typedef enum { CW_ACCT_POISON, CW_ACCT_HAIRCUT, CW_ACCT_FIFO } cw_acct_model;

/* Where the movements come from. */
typedef struct cw_acct_source {
    void *ctx;
    /* The first movement with id >= from: 0, or CW_ENOTFOUND past the last. */
    int (*next)(void *ctx, uint64_t from, cw_acct_move *out);
    /* What account holds of asset just before movement id `before`: 0 or an error. */
    int (*balance)(void *ctx, uint32_t account, uint32_t asset, uint64_t before, cw_u256 *out);
    /* The token contract's account of an asset (mints and burns count as its), or
     * CW_ACCT_NONE for the native coin. */
    uint32_t (*asset_account)(void *ctx, uint32_t asset);
    /* Where the trace stops: 0 = go on, else a stop kind (CW_ACCT_STOP_*). May be NULL. */
    int (*stop)(void *ctx, uint32_t account);
    /* An exchange stop that stands for one customer (a deposit address, not a hot wallet):
     * where convergence links mixer withdrawals. May be NULL (no convergence). */
    bool (*personal)(void *ctx, uint32_t account);
    /* The destination on another chain that tx asks a bridge to pay (a memo's chain and
     * address), as a nonzero key; 0 when it names none. A destination address stands for one
     * beneficiary, as a deposit address does: where convergence links mixer withdrawals whose
     * recipients bridge to where direct taint was bridged. May be NULL. */
    uint64_t (*dest)(void *ctx, uint64_t tx);
    /* Whether the account had no movement at all before movement `before` (a fresh address:
     * nothing of it seen on chain earlier). Convergence follows a recipient's payments on only
     * into such accounts, or into accounts whose whole history is traced taint, so that a
     * service the thief also paid (an OTC desk, a merchant) never joins an honest withdrawal to
     * the thief. false when unknown. May be NULL (no account counts as fresh). */
    bool (*fresh)(void *ctx, uint32_t account, uint64_t before);
    /* Balances (and fresh) are exact: the source holds the chain from genesis, complete. Only
     * then may a mixer pool's running balance prove that every note in it is traced
     * (CW_ACCT_EV_ONLY_TAINTED). */
    bool full_history;
    /* Notes of `denom` in mixer `account` (asset) before movement `before`: deposits of exactly
     * denom less withdrawals (the account's outflows of one tx summing to denom), counted from
     * its whole history; 0 or an error. The anonymity set opens with this, at most the balance /
     * denom, so the other denominations of a contract taking several are not counted as notes
     * of this one. May be NULL (balance / denom). */
    int (*notes)(void *ctx, uint32_t account, uint32_t asset, const cw_u256 *denom, uint64_t before,
                 uint64_t *out);
    /* The account that emitted tx's bridge memo or deposit event when that is not the tx's
     * `to` (a router the tx called passed the deposit on to the bridge, which emitted it), else
     * CW_ACCT_NONE. A router filed as a bridge that keeps none of the deposit is then passed
     * through to that bridge. May be NULL. */
    uint32_t (*emitter)(void *ctx, uint64_t tx);
    /* Whether tx carries no memo and no deposit event at all (at most a destination read from a
     * call's input): a router filed as a bridge that keeps none of a deposit and passes it on in
     * tx to the one other bridge that gains it (a lock bridge that records deposits with no
     * event) is then passed through to that bridge. May be NULL. */
    bool (*silent)(void *ctx, uint64_t tx);
    /* The account's own history before movement `before`: how many distinct accounts paid it
     * value (*payers) and how many distinct accounts it paid (*payees), fees and mints left out,
     * each counted up to `cap`; 0 or an error. Taint kept by an account of such a history is a
     * third party's (CW_ACCT_THIRD_*). May be NULL (no account counts as a third party). */
    int (*history)(void *ctx, uint32_t account, uint64_t before, uint32_t cap, uint32_t *payers,
                   uint32_t *payees);
} cw_acct_source;

enum {
    CW_ACCT_STOP_NONE = 0,
    CW_ACCT_STOP_EXCHANGE = 1,
    CW_ACCT_STOP_MIXER = 2,
    CW_ACCT_STOP_BRIDGE = 3,
    CW_ACCT_STOP_OTHER = 4,
    /* a service recognised by behaviour and named by no label, whose deposit addresses are
     * used once (an instant exchange's order addresses): value ends there, not known to be at
     * an exchange (evm_services.h, cw_evm_services_one_use) */
    CW_ACCT_STOP_SERVICE = 5,
    /* a sanctioned account, where the policy stops there (acct_policy.h, stop_at_sanctioned:
     * the monitor's rules). Never CW_ACCT_STOP_OTHER, which is the hop limit: a hop limit says
     * nothing about who holds the value */
    CW_ACCT_STOP_SANCTIONED = 6
};
const char *cw_acct_stop_name(int kind);

typedef struct cw_acct_opts {
    cw_acct_model model;
    uint32_t max_hops;   /* 0 = no limit */
    uint64_t until_time; /* 0 = no limit: movements after it are not processed */
    cw_u256 min_amount;  /* taint below it on a movement is dropped as dust (reported) */
    /* Through mixers (probable links): a withdrawal of a denomination into which taint went is
     * linked when its score reaches min_link_score: the tainted share of the notes of that
     * denomination outstanding in the pool (opened with the pool's balance / denomination),
     * 0.95 when the withdrawal's gas is paid by an account holding taint, or
     * CW_ACCT_CONVERGE_SCORE by convergence: the recipient (or who it paid, by its own
     * transactions, up to 2 hops on) paid a personal stop (source.personal: a deposit address)
     * that direct taint, or taint through a link with evidence beyond the anonymity set,
     * reached too, or an account holding only such taint, or a bridge in a tx naming a
     * destination (source.dest) that such taint was bridged to; found in one sweep, linked in
     * the next (at most three sweeps); the walk goes only through accounts whose history is
     * their own or the thief's (source.fresh). Score 1 when every note of that denomination in
     * the pool is traced (source.full_history: CW_ACCT_EV_ONLY_TAINTED). Never more links per
     * pool and denomination than tainted notes went in, convergence links first. */
    bool through_mixer;
    double min_link_score; /* default 0.9 (cw_acct_opts_init) */
    /* A withdrawal whose only evidence is the anonymity set (denomination and timing: the
     * tainted share of the notes outstanding) is a *candidate*, not a link: listed with its
     * score and where its recipient went (lead_*), but it carries no value, so nothing it
     * reaches is counted at an exchange, a bridge or any end. follow_candidates (opt-in) lets
     * candidates carry value as links did before; every end so reached says `candidate`. */
    bool follow_candidates;
} cw_acct_opts;

void cw_acct_opts_init(cw_acct_opts *o);

/* Evidence classes of a mixer link (bits of cw_acct_mixlink.evidence). */
enum {
    CW_ACCT_EV_ANON = 1,     /* anonymity set: denomination and timing (the tainted share) */
    CW_ACCT_EV_GAS = 2,      /* the withdrawal's gas was paid by an account holding taint */
    CW_ACCT_EV_CONVERGE = 4, /* the recipient's funds met direct or strongly linked taint */
    /* every note in the pool's denomination was deposited from traced taint: the pool held
     * nothing (or was emptied) before the thief's first note, and no other note went in */
    CW_ACCT_EV_ONLY_TAINTED = 8,
    /* address match: the recipient already held traced funds (the thief's own address: one
     * that deposited, or that a depositor or another traced address paid) */
    CW_ACCT_EV_ADDRESS = 16,
    /* gas funding of the recipient: an account holding traced funds of its own history paid
     * the recipient (or who it paid on, by its own transactions) after the withdrawal */
    CW_ACCT_EV_FUNDED = 32,
    /* consolidation: the recipient's funds were gathered at a fresh address whose only other
     * inflows are traced funds or other withdrawals' recipients, and traced funds went there */
    CW_ACCT_EV_GATHER = 64
};

/* A withdrawal linked to tainted deposits of a mixer pool: probable, with its score. A
 * candidate (evidence CW_ACCT_EV_ANON alone) carries no value unless follow_candidates; lead_*
 * is the first stop its recipient (or who it paid, up to 2 hops, by its own transactions) paid:
 * a lead for the investigator, the value paid there and no taint (CW_ACCT_NONE: none seen). */
typedef struct cw_acct_mixlink {
    uint64_t move; /* the movement paying the recipient */
    uint32_t mixer, recipient, asset;
    cw_u256 amount, denomination;
    double score;
    bool sender_reuse; /* the withdrawal's gas was paid by a tainted account */
    bool converged;    /* the recipient paid a deposit address that direct taint reached */
    bool candidate;    /* anonymity set only: not a link, carries no value by default */
    uint8_t evidence;  /* CW_ACCT_EV_* bits */
    /* the movement and account behind the strongest evidence beyond the anonymity set (the
     * gas payment and its funder, the consolidation payment and the gathering address, the
     * traced movement that reached the recipient before): CW_ACCT_NONE64 / CW_ACCT_NONE */
    uint64_t ev_move;
    uint32_t ev_account;
    /* the pool's anonymity set before the withdrawal: notes of its denomination, and the
     * thief's share of them (the chance a withdrawal picked at random is the thief's) */
    double anon_notes, anon_tainted;
    uint32_t lead_account;
    int lead_stop;      /* CW_ACCT_STOP_* of lead_account */
    uint64_t lead_move; /* the movement paying it */
    uint32_t lead_asset;
    cw_u256 lead_amount; /* value paid (not taint) */
} cw_acct_mixlink;

/* The score of a link by convergence. */
#define CW_ACCT_CONVERGE_SCORE 0.97

/* Taint that reached a stop, or what a traced account still holds (per asset). */
typedef struct cw_acct_end {
    uint32_t account, asset;
    int stop;       /* CW_ACCT_STOP_*; CW_ACCT_STOP_NONE for a holding (unspent remainder) */
    cw_u256 amount; /* tainted base units (poison: value touched) */
    uint64_t first_move, n_moves;
    uint32_t hops;  /* fewest hops from a source */
    bool probable;  /* reached through a judgement (a multi-asset conversion) */
    bool candidate; /* part of it came through a candidate mixer link (follow_candidates) */
    uint8_t dust;   /* a holding that is dust, not the thief's (CW_ACCT_DUST_*; 0: not dust) */
    /* a holding at a third party's own account (CW_ACCT_THIRD_*): what it received is certain
     * (or as probable as it came), but the account is not named a holder of the thief's */
    bool third_party;
    /* the first third party's own account the value went through (the holder itself for a
     * third party's holding), CW_ACCT_NONE when none: what came through one is probable */
    uint32_t through;
} cw_acct_end;

/* A third party's own account (stop 25): an account that, before the first stolen value it kept
 * (in a tx in which it gains that asset: a router passing value on in the tx is not judged
 * there; stolen dust beside its own funds, at most 1 % of them, is judged and, unless that makes
 * it a third party's, judged again at the next, stop 26), had been paid by at least
 * CW_ACCT_THIRD_PAYERS distinct accounts and had paid at least CW_ACCT_THIRD_PAYEES distinct
 * accounts (source.history), or had been paid by and had paid CW_ACCT_THIRD_OWN_MIN each, or
 * had been paid by CW_ACCT_THIRD_PAYERS and had paid any (a merchant that has paid no one yet,
 * stop 27), and then held more of the asset than the taint arriving. A public
 * figure the thief gifts, a merchant or an OTC desk it pays, an unlabelled hot wallet: the receipt
 * stays as it was, but everything the account pays on is probable ("through a third party's own
 * account"), never certain, and its holding is kind third_party, not held. The receivers of the
 * source movements (the heist's own txs) are never judged; the thief's fresh hops have no history;
 * a thief's account that existed before, funded by a few of its earlier accounts, has too few
 * payers or payees. Only the certain side is at stake: such an account's onward value stays in the
 * trace, probable. */
#define CW_ACCT_THIRD_PAYERS 3
#define CW_ACCT_THIRD_PAYEES 3
#define CW_ACCT_THIRD_OWN_MIN 2
/* source.history walks each of an account's movement chains (in, out) for at most this many
 * movements, newest first: a chain still busy with movements after the taint at that bound counts
 * as many counterparts for an account seen in an earlier block (docs/TRACE-MODELS.md, "Account
 * model", stop 26). */
#define CW_ACCT_HISTORY_WALK 4096

/* Why a holding is dust (cw_acct_end.dust): stolen value an honest account holds by no act of
 * its own, reported apart from what the thief holds (docs/TRACE-MODELS.md "Dust"). */
enum {
    /* the taint it ever got in the asset is at most 1 % of the clean value it got (opening
     * balance included): its own funds with the thief's dust beside them */
    CW_ACCT_DUST_OWN_FUNDS = 1,
    /* a dusting campaign's target: one sender's first tainted payment to each of at least
     * CW_ACCT_DUST_CAMPAIGN_MIN accounts brought each at most 1 / CW_ACCT_DUST_TINY of the
     * taint that entered the asset (sourced, or converted into it), and this account held funds
     * of its own just before it (more than all the taint it got in that asset) and got no more
     * than such tiny taint in another asset (the thief's empty hops, funded with gas, and its
     * hops moving stolen tokens stay its holdings). A tiny arrival at an exchange deposit
     * address that is a campaign's payment or came through a target is no end at all: dust */
    CW_ACCT_DUST_CAMPAIGN = 2
};
#define CW_ACCT_DUST_CAMPAIGN_MIN 10
#define CW_ACCT_DUST_TINY 10000

/* One tainted movement into a stop (an exchange deposit, a mixer, a bridge): the cash-out
 * transactions themselves. Sorted by account, asset and movement. */
typedef struct cw_acct_arrival {
    uint32_t account, asset;
    uint64_t move;
    cw_u256 amount;
    bool probable;    /* reached through a judgement (a third party, a link, a conversion) */
    uint32_t through; /* the first third party's own account it came through, or CW_ACCT_NONE */
} cw_acct_arrival;

/* A conversion the trace went through: account gave up asset `from` and gained `to`. */
typedef struct cw_acct_conv {
    uint64_t tx;
    uint32_t account, venue; /* venue: the first account that gained `from` in the tx */
    uint32_t from_asset, to_asset;
    cw_u256 tainted_in, gained, tainted_out;
    bool probable;
    uint32_t recipient; /* who gained `to`: the account itself, or the one a swap paid */
} cw_acct_conv;

typedef struct cw_acct_result cw_acct_result;

/* Runs a forward trace of the full amounts of the source movements (sorted or not).
 * *out owned by the caller (cw_acct_result_free). CW_EINVAL for an empty source list. */
int cw_acct_trace(cw_acct_result **out, const cw_acct_source *src, const uint64_t *sources,
                  size_t n_sources, const cw_acct_opts *opts);
void cw_acct_result_free(cw_acct_result *r);

/* Borrowed views, valid until cw_acct_result_free. Ends: stops first, then holdings, each by
 * account id and asset. */
const cw_acct_end *cw_acct_result_ends(const cw_acct_result *r, size_t *n);
const cw_acct_conv *cw_acct_result_convs(const cw_acct_result *r, size_t *n);
const cw_acct_arrival *cw_acct_result_arrivals(const cw_acct_result *r, size_t *n);
const cw_acct_mixlink *cw_acct_result_mixlinks(const cw_acct_result *r, size_t *n);
/* Totals per asset (index = asset id, n = highest asset seen + 1): taint entering the trace,
 * spent as fees, dropped as dust, burnt (sent to nobody). Arrays of *n entries. */
void cw_acct_result_totals(const cw_acct_result *r, size_t *n, const cw_u256 **sourced,
                           const cw_u256 **fees, const cw_u256 **dust, const cw_u256 **burnt);
/* Movements processed and tainted movements (edges). */
void cw_acct_result_counts(const cw_acct_result *r, uint64_t *moves, uint64_t *edges);
/* Evidence: the movement ids from a source to end i (source first), into a new array of *n
 * ids (caller frees with free()); the path follows, at each account, the movement that first
 * brought it taint. */
int cw_acct_result_path(const cw_acct_result *r, size_t end, uint64_t **ids, size_t *n);

/* floor(a * b / c) exactly (a 512-bit product); c must not be zero. */
cw_u256 cw_u256_muldiv(const cw_u256 *a, const cw_u256 *b, const cw_u256 *c);

#endif
