/*
 * acct_screen.h: exposure screening in the account model (EVM stores): what share of the value
 * an address received, per asset, came directly or indirectly from accounts of each category
 * (sanctioned, theft, mixer, ...), following receipts backwards under the haircut rule until
 * the share left to explain falls below a floor (docs/TRACE-MODELS.md, "Account model:
 * screening").
 *
 * For an address A and an asset, each receipt m (from S, amount v, before the screening point)
 * explains v / (all A received of that asset before it) of A's value. A labelled S puts that
 * weight on its categories (direct at the first hop, indirect further back); an unlabelled S is
 * screened in turn, as of that receipt, with the weight carried down. Branches whose weight
 * falls below the floor, or that reach the hop limit, are counted as unexplored, so the shares
 * plus the unexplored share plus what traces to no label add up to 1. A receipt that is a swap's
 * output (docs/TRACE-MODELS.md "Screening through swaps") is explained by the swap's own input -
 * what the swapper gave up in that tx, screened as of the tx - not by the venue's history: the
 * pool that paid it holds every trader's value, and its haircut would hand the thief's sells to
 * every buyer. Likewise a payment by a pass-through (a batch sender or router that received at
 * least as much in the paying tx just before it) is explained by those receipts alone
 * ("Pass-throughs"). Shares are judgements: probable, never amounts.
 */
#ifndef CHAINWATCH_ACCT_SCREEN_H
#define CHAINWATCH_ACCT_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chainwatch/evm/store.h"

#define CW_ACCT_MAX_CATEGORIES 16

/* Set by a categories callback beside an account's category bits when they are a judgement (an
 * account recognised from its behaviour, not labelled): what a branch finds there is probable. */
#define CW_ACCT_CAT_PROBABLE (1u << 31)

/* Why a share is probable rather than certain (cw_acct_exposure.probable_why): a bit each. */
#define CW_ACCT_PROB_SWAP 1u    /* it passed a swap, explained by the swap's own input */
#define CW_ACCT_PROB_SPLIT 2u   /* a swap gave up several assets: split equally among them */
#define CW_ACCT_PROB_SERVICE 4u /* it ended at an account recognised from behaviour */
#define CW_ACCT_PROB_THIRD 8u   /* it passed a third party's own account (below) */

/* A third party's own account (cw_acct_screen_opts.third_party_cats): an account on the path,
 * between the screened one and the label, no contract and no pass-through there (it did not pay
 * on what it received in the same tx), that before the value arrived had received from at least
 * CW_ACCT_THIRD_SENDERS distinct senders none of them labelled with those categories (a history
 * of its own: a public figure the thief gifted, a shop it paid; the thief's hops are fresh). What
 * passed it is what that person chose to pay on, from funds mixed with its own: probable, not
 * certain. The account's own receipt from the label stays certain (no third party between). */
#define CW_ACCT_THIRD_SENDERS 2

typedef struct cw_acct_screen_opts {
    uint32_t max_hops;    /* default 30 */
    double floor;         /* default 0.001: branches carrying less are not followed */
    uint64_t before;      /* screen as of this movement id (CW_EVM_NONE64 = everything) */
    uint32_t max_inflows; /* per account visited, newest first (default 20000) */
    bool swaps;           /* follow a swap's output back to its input, and a pass-through's
                             payment to its receipts in that tx (default true; false: the venue
                             is screened as the sender, as before stop 20) */
    uint32_t third_party_cats; /* categories (bit i = category i) whose share through a third
                                  party's own account is probable (CW_ACCT_PROB_THIRD); default
                                  0: none */
} cw_acct_screen_opts;

void cw_acct_screen_opts_init(cw_acct_screen_opts *o);

/* Categories of an account as a bit mask (bit i = category i of the caller's list), 0 when
 * unlabelled. */
typedef uint32_t (*cw_acct_categories_fn)(void *ctx, uint32_t account);

typedef struct cw_acct_exposure_path {
    uint32_t category;
    double share;
    uint32_t n;            /* accounts on the path, the screened one first */
    uint32_t accounts[32]; /* truncated past 32 */
    uint64_t moves[32];    /* the receipt at each step */
    uint32_t why;          /* CW_ACCT_PROB_* bits: 0 = certain (the haircut through payments) */
    uint32_t third;        /* CW_ACCT_PROB_THIRD: accounts[third] is the third party's own
                              account the value passed (the nearest the label); 0: none */
} cw_acct_exposure_path;

typedef struct cw_acct_exposure {
    uint32_t asset;
    double direct[CW_ACCT_MAX_CATEGORIES], indirect[CW_ACCT_MAX_CATEGORIES];
    /* of direct + indirect, the part that came through a judgement (a swap, an equal split of
     * a swap's inputs, an account recognised from behaviour): probable; the rest is certain
     * (the haircut through payments), and why_of[] says which judgements (CW_ACCT_PROB_*) */
    double probable[CW_ACCT_MAX_CATEGORIES];
    uint32_t why_of[CW_ACCT_MAX_CATEGORIES];
    double unexplored;            /* below the floor or past the hop limit */
    double received_share_minted; /* from nobody (mints, rewards, withdrawals) */
    double swapped;               /* explained through a swap's own input (probable) */
    uint64_t swaps;               /* swap outputs followed back to their input */
    cw_u256 received;             /* what the address received of the asset (base units) */
    uint64_t accounts_visited, receipts_read;
    cw_acct_exposure_path top[5]; /* strongest labelled contributions, of any category */
    size_t n_top;
    /* each category's own strongest contribution (share 0: none): top[] mixes categories, so
     * the paths of a large unflagged category (exchanges) can crowd out those of the category
     * that is flagged */
    cw_acct_exposure_path best[CW_ACCT_MAX_CATEGORIES];
    /* Dust (cw_acct_screen_dust below): the most any labelled sender of each category had
     * received of the asset before the payment the walk reached it by, or a labelled sender
     * upstream of it (from each, its largest receipt from a sender sharing a category, up to
     * 4) received (base units, as a double), and the share of each category cw_acct_screen_dust
     * moved out of direct / indirect / probable as dust (0 until it is called) */
    double source_received[CW_ACCT_MAX_CATEGORIES];
    double dusted[CW_ACCT_MAX_CATEGORIES];
    /* bit i: every branch of the walk ended at a label of category i, all through payments
     * (no swap, split or recognised service, nothing unexplored nor from nobody): category i
     * brought the whole of `received`, exactly (cw_acct_exposure_amount) */
    uint32_t whole;
} cw_acct_exposure;

/* What a share of category k stands for, in base units, as a decimal string into out: exactly
 * `received` (its own digits) when the category brought the whole of it (e->whole), else
 * share x received rounded to 15 significant digits, the digits past them 0 (a double's
 * precision: an 18-decimal token's amounts pass 2^53 base units at 0.009 tokens). Returns true
 * when exact, false when rounded. share: direct + indirect, or dusted[k]. */
bool cw_acct_exposure_amount(const cw_acct_exposure *e, uint32_t k, double share,
                             char out[CW_U256_DEC_MAX]);

/* A screener: screens many accounts on one store under one set of options, reusing what
 * earlier screens indexed (per account and asset: the receipts in chain order and their
 * prefix sums), so that a hub visited by many screens is read once. Results are those of
 * cw_acct_screen. Not for concurrent use. */
typedef struct cw_acct_screener cw_acct_screener;
int cw_acct_screener_new(cw_acct_screener **out, const cw_evmstore *s, cw_acct_categories_fn cats,
                         void *ctx, const cw_acct_screen_opts *o);
void cw_acct_screener_free(cw_acct_screener *sc);
/* Screens account for asset. CW_ENOTFOUND when it never received the asset, CW_ENOMEM. */
int cw_acct_screener_run(cw_acct_screener *sc, cw_acct_exposure *out, uint32_t account,
                         uint32_t asset);

/* Dust (docs/TRACE-MODELS.md "Screening: dust"), over e[0 .. n), the account's screens (by sc)
 * of every asset it received, for the categories in `cats` (bit i = category i: the risky ones;
 * "dusted by an exchange" would mean nothing). When a category brought none of its first native
 * (ETH) receipt and less than half the native value it received (funds of its own: a thief's fresh
 * hop or look-alike, funded with the thief's gas first, has none), each asset's contribution of
 * that category that is at most 1 / CW_ACCT_DUST_TINY of source_received (the trace's bound for a
 * dusting campaign's payment: the thief's dust, or what a dusted account paid on) is moved from
 * the shares into dusted[] (a fact with its amount, never flagged) and its paths out of top[] and
 * best[]. Nothing changes for an account with no native receipts. CW_ENOMEM, or an error reading
 * the store. */
int cw_acct_screen_dust(cw_acct_screener *sc, uint32_t account, cw_acct_exposure *e, size_t n,
                        uint32_t cats);

/* Screens account for asset (one screen: a screener built and freed). CW_ENOTFOUND when it
 * never received the asset. */
int cw_acct_screen(cw_acct_exposure *out, const cw_evmstore *s, uint32_t account, uint32_t asset,
                   cw_acct_categories_fn cats, void *ctx, const cw_acct_screen_opts *o);

#endif
