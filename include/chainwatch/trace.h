/*
 * trace.h: follow the money. Taint tracing over the chain store under three models (poison,
 * haircut, FIFO; docs/TRACE-MODELS.md defines them exactly), forward (where did this value go)
 * or backward (where did it come from), with a summary of where the value ended per address,
 * entity and category (from the label store) and the strongest paths.
 *
 * The engine walks txs in chain order (forward: increasing tx number, backward: decreasing)
 * through a heap of tx numbers, so every tx is processed once with all its tainted inputs
 * known. State is one node per tainted output (a hash map output -> node), FIFO intervals in
 * one growing pool; nothing is allocated per step beyond amortised growth of those arrays.
 * Memory is bounded by max_nodes (the trace stops and says so when it is reached).
 */
#ifndef CHAINWATCH_TRACE_H
#define CHAINWATCH_TRACE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chainwatch/btc/store.h"
#include "chainwatch/labels.h"

typedef enum cw_trace_model {
    CW_TRACE_POISON = 0,
    CW_TRACE_HAIRCUT = 1,
    CW_TRACE_FIFO = 2
} cw_trace_model;

typedef enum cw_trace_dir { CW_TRACE_FORWARD = 0, CW_TRACE_BACKWARD = 1 } cw_trace_dir;

/* What a CoinJoin does to the model (docs/TRACE-MODELS.md, "CoinJoins"). Under every policy
 * but CW_CJ_STOP, value that passes through a CoinJoin is *probable* (a judgement, never a
 * certainty): its amount is kept apart (cw_trace_end.probable) with the rule that made it. */
typedef enum cw_trace_coinjoin {
    CW_CJ_ORDER = 0,       /* "through": the model as for any tx (FIFO by order); probable */
    CW_CJ_RANK = 1,        /* FIFO over inputs and outputs ranked by value, largest first; the
                            * value reaching a group of equal outputs is shared equally by the
                            * group (no whole equal coin is ever picked); probable. The default
                            * (for haircut it is the proportional rule) */
    CW_CJ_STOP = 2,        /* value entering a CoinJoin ends there (sink "coinjoin") */
    CW_CJ_PROPORTIONAL = 3 /* every output and the fee get T * value / V_in (haircut inside
                            * the CoinJoin, whatever the model); probable */
} cw_trace_coinjoin;
#define CW_CJ_N 4

/* Why an amount is probable (cw_trace_end.rule); CW_RULE_NONE when it is not. */
typedef enum cw_trace_rule {
    CW_RULE_NONE = 0,
    CW_RULE_CJ_ORDER = 1,        /* "coinjoin-order": passed a CoinJoin by plain order */
    CW_RULE_CJ_RANK = 2,         /* "coinjoin-rank" */
    CW_RULE_CJ_PROPORTIONAL = 3, /* "coinjoin-proportional" */
    CW_RULE_RELINK_COSPEND = 4,  /* "relinked-cospend": a CoinJoin output spent together with
                                  * a coin whose value is mostly certain stolen value
                                  * (docs/TRACE-MODELS.md, "Re-linking") */
    CW_RULE_RELINK_REMIX = 5,    /* "relinked-remix": the one traced input of a CoinJoin whose
                                  * re-linked output it funded (a remix chain) */
    CW_RULE_RELINK_ADDRESS = 6,  /* "relinked-address": a CoinJoin output paid to an address
                                  * that also holds stolen value that never passed a mix */
    CW_RULE_MIXER_PAYOUT = 7,    /* "mixer-payout": a payout of a labelled mixer that the trace
                                  * entered, deposited at an exchange deposit address that holds
                                  * certain stolen value in this trace (opts.mixer_payouts,
                                  * docs/TRACE-MODELS.md, "Custodial-mixer payouts") */
    CW_RULE_SERVICE_PAYOUT = 8,  /* "service-payout": the same, for an unlabelled service whose
                                  * sweep ended the trace and that behaves as a custodial mixer
                                  * (opts.service_payouts, docs/TRACE-MODELS.md, "Unlabelled
                                  * custodial mixers") */
    CW_RULE_RELINK_FUNDING = 9,  /* "relinked-funding": outputs of a Wasabi 2 round that one
                                  * owner holds (one output, or several an ordinary tx spends
                                  * together) worth more than the round's 10 largest untraced
                                  * inputs: no party without a traced input could have paid them
                                  * (docs/TRACE-MODELS.md, "Re-linking") */
    CW_RULE_RELINK_CARRIED = 10, /* "relinked-carried": an output of a one-to-one mix no traced
                                  * value entered, deposited at the source owner's exchange
                                  * deposit account (or spent with its unmixed coins); the value
                                  * is carried back through the remixes to the rounds the trace
                                  * entered (docs/TRACE-MODELS.md, "Remixed past the trace") */
    CW_RULE_THIRD_PARTY = 11,    /* "third-party": spent by a third party from its own account
                                  * (an address with its own history before the theft, or a tx
                                  * that adds coins held at one): which of its coins it paid
                                  * on is a model's choice, and its payees are its own
                                  * counterparties (opts.third_party, docs/TRACE-MODELS.md,
                                  * "A third party's own account") */
    CW_RULE_PAYJOIN = 12,        /* "payjoin": FIFO, a probable PayJoin (cluster.h) that spends
                                  * untraced coins beside traced ones: what an output holds
                                  * beyond its value less the untraced coins (the payee's own,
                                  * maybe) is probable (docs/TRACE-MODELS.md, "PayJoin") */
    CW_RULE_SOURCE = 13          /* "probable-source": value that was probable at its source
                                  * (opts.source_probable: a judgement made before this trace,
                                  * e.g. a refund's output found by amount), carried on as value
                                  * made probable at a mix (docs/TRACE-MODELS.md, "A source's
                                  * probable share") */
} cw_trace_rule;
#define CW_RULE_N 14
const char *cw_trace_rule_name(cw_trace_rule r);

/* How a traced amount stopped (a terminal node). */
typedef enum cw_trace_end_kind {
    CW_END_LABEL = 0,    /* reached an address whose label category is in the stop set */
    CW_END_UNSPENT = 1,  /* forward: output unspent at the tip or at until_height */
    CW_END_FEE = 2,      /* forward: paid as a mining fee */
    CW_END_DUST = 3,     /* amount below min_value: not followed */
    CW_END_FRONTIER = 4, /* max_hops reached: still moving, not followed */
    CW_END_BURNED = 5,   /* forward: OP_RETURN (no address) */
    CW_END_COINBASE = 6, /* backward: newly minted (block subsidy and fees) */
    CW_END_EXTERNAL = 7, /* backward: prevout before the store's first block, or before
                          * until_height */
    CW_END_COINJOIN = 8, /* forward: entered a CoinJoin under CW_CJ_STOP ("entered mixer");
                          * backward: came out of one ("left a mixer") */
    CW_END_SELF = 9,     /* value that reached (forward) or came from (backward) another
                          * source output, or (backward) the address self_addr: it is
                          * already counted at that source */
    CW_END_SWEEP = 10,   /* forward (FIFO, haircut): co-spent with many other owners' coins
                          * into one or two outputs, a probable service's sweep of its
                          * deposits, or into a payout batch to many ("entered a service");
                          * backward: came out of such a sweep or batch ("came from a service";
                          * docs/TRACE-MODELS.md, "Service sweeps"); not followed unless
                          * through_sweeps */
    CW_END_BRIDGE = 11,  /* forward: paid into a cross-chain swap vault by a tx whose OP_RETURN
                          * memo swaps to another chain (`=:ETH.ETH:0x..`; the memo names the
                          * destination: cw_trace_bridge_memo); not followed on Bitcoin */
    CW_END_N = 12
} cw_trace_end_kind;

/* The swap memo of tx when it sends value to another chain (a swap or loan whose asset names a
 * chain other than BTC, with a destination): true and *m (evm/memo.h's grammar), dest_ok false
 * when the destination is an EVM address (0x + 40 hex) that fails its EIP-55 checksum or has
 * the wrong length (then the destination is not reported). False when the tx has no memo, the
 * store keeps none, or the memo is no exit (OUT:, REFUND:, MIGRATE:, malformed). */
struct cw_evm_memo;
bool cw_trace_bridge_memo(const cw_chainstore *cs, uint64_t tx, struct cw_evm_memo *m,
                          bool *dest_ok);

const char *cw_trace_model_name(cw_trace_model m);
int cw_trace_model_parse(cw_trace_model *out, const char *s);
const char *cw_trace_end_kind_name(cw_trace_end_kind k);
const char *cw_trace_coinjoin_name(cw_trace_coinjoin c);
int cw_trace_coinjoin_parse(cw_trace_coinjoin *out, const char *s);

/* ---- labels by address id ---- */
/* A map from chain-store address id to its label (entity, category): built once from the label
 * store (cw_trace_labelmap_new, the full map: a server's, or --from label:), or lazy
 * (cw_trace_labelmap_open: each address's labels read by subject key on first use and
 * remembered; a CLI trace or screen touches a few thousand of ~500k labelled addresses). Both
 * answer _get, _has and _empty alike. */
typedef struct cw_trace_labelmap cw_trace_labelmap;

/* Loads every address label of db (asset XBT or empty) whose address decodes for the store's
 * network and occurs in the store. An address with several labels keeps all their categories
 * and, as its primary label (what _get returns), the most severe: sanctioned, theft,
 * ransomware, darknet_market, scam, mixer, bridge, exchange, exchange_deposit, then the rest;
 * so a sanctioned label never hides behind another. *out owned by the caller
 * (cw_trace_labelmap_free). Returns 0, CW_ENOMEM or the label store's error. */
int cw_trace_labelmap_new(cw_trace_labelmap **out, const cw_chainstore *cs, cw_labels *db);
void cw_trace_labelmap_free(cw_trace_labelmap *m);
/* Label of an address id: true and borrowed strings (valid until _free), or false. */
bool cw_trace_labelmap_get(const cw_trace_labelmap *m, uint64_t addr, const char **entity,
                           const char **category);
/* True when the address has a label of this category (primary or not). */
bool cw_trace_labelmap_has(const cw_trace_labelmap *m, uint64_t addr, const char *category);
/* The lazy map: the same answers as cw_trace_labelmap_new's, for the addresses asked about,
 * from a read snapshot of db taken now (cw_labels_read_begin; _free ends it and must come
 * before cw_labels_close; inside a caller's transaction, that one). Reads db while it is
 * used; for one thread. Past half as many lookups as labels it reads every label (then it
 * costs at most ~2x the full build). A lookup's store error makes _get/_has answer false and
 * is kept for cw_trace_labelmap_error. Returns 0 or CW_EIO. */
int cw_trace_labelmap_open(cw_trace_labelmap **out, const cw_chainstore *cs, cw_labels *db);
bool cw_trace_labelmap_lazy(const cw_trace_labelmap *m);
/* The first error of a lazy map's lookups (message set), else 0: a caller checks it before it
 * trusts an answer. */
int cw_trace_labelmap_error(const cw_trace_labelmap *m);
/* True when no address of the store has a label (a lazy map reads until the first one). */
bool cw_trace_labelmap_empty(const cw_trace_labelmap *m);
/* The number of labelled addresses (of a lazy map: those looked up so far). */
size_t cw_trace_labelmap_count(const cw_trace_labelmap *m);
/* Every address id with a label of this category, or whose primary label's entity is this
 * name;
 * cb is called once per address. Returns the number of addresses. Full maps only (a lazy map
 * gives 0; cw_trace_sources_add refuses it). */
size_t cw_trace_labelmap_find(const cw_trace_labelmap *m, const char *entity_or_category,
                              void (*cb)(uint64_t addr, void *payload), void *payload);

/* ---- CoinJoin detection ---- */
/* Decides whether tx is a CoinJoin. */
typedef bool (*cw_trace_is_coinjoin_fn)(void *ctx, const cw_chainstore *cs, uint64_t tx);
/* The default: the pattern module's CW_PAT_COINJOIN flag (patterns.h, docs/PATTERNS.md), from
 * txflags.col when ctx is an open cw_patterns view covering tx, else computed on the fly. */
bool cw_trace_coinjoin_patterns(void *ctx, const cw_chainstore *cs, uint64_t tx);
/* A simpler rule (kept for callers without the pattern module): >= 2 inputs, >= 3 outputs,
 * and the most common output value is shared by >= 3 outputs and by no more outputs than
 * there are inputs (ctx unused). */
bool cw_trace_coinjoin_generic(void *ctx, const cw_chainstore *cs, uint64_t tx);

/* ---- running a trace ---- */
#define CW_TRACE_MAX_STOP 16

typedef struct cw_trace_opts {
    cw_trace_model model;
    cw_trace_dir direction;
    uint32_t max_hops;                   /* 0: no limit */
    uint64_t min_value;                  /* tracked amounts below this end as dust (0 or 1: none) */
    uint32_t until_height;               /* forward: ignore txs above; backward: do not go below.
                                          * UINT32_MAX: none */
    const char *stop[CW_TRACE_MAX_STOP]; /* categories where value stops */
    size_t n_stop;
    bool stop_any_label; /* stop at every labelled address (screening) */
    uint64_t self_addr;  /* backward: value from this address ends as CW_END_SELF;
                          * CW_NONE64 for none */
    cw_trace_coinjoin coinjoin;
    cw_trace_is_coinjoin_fn is_coinjoin; /* NULL: cw_trace_coinjoin_patterns */
    void *is_coinjoin_ctx;
    uint64_t max_nodes;    /* 0: 50,000,000 */
    double probable_floor; /* forward: a traced amount with a probable part that is below this
                            * share of its output's value ends as dust (default 0.25; 0: off) */
    bool through_sweeps;   /* follow value through a probable service's sweep (CW_END_SWEEP)
                            * as through any tx (default false) */
    bool relink;           /* forward FIFO, any CoinJoin policy but stop: a second pass that
                            * re-links the CoinJoin outputs the source's owner is seen to hold (co-spent
                            * with its other post-mix or certain coins, or a remix chain leading to one)
                            * and gives them the value the round received first; at a one-to-one mix
                            * whose re-linked output had several traced inputs, those inputs' own
                            * rounds give them their chance of having paid it first ("funders")
                            * (default true; the result stays probable: docs/TRACE-MODELS.md,
                            * "Re-linking", "Funders of a re-linked remix"). Acts
                            * only when cw_trace_relink_guarded (labels and a stop at the
                            * cash-outs) */
    bool mixer_payouts;    /* forward FIFO, guarded as relink: value that ended at a labelled
                            * mixer (category mixer) comes back, probable, on that mixer's later
                            * payouts deposited (directly, or through one tx of the payee's that
                            * spends the payout alone) at an exchange deposit address (category
                            * exchange_deposit: one account) that receives certain stolen value
                            * in this trace (before or after); at most the value that entered that
                            * mixer, earliest payouts first (docs/TRACE-MODELS.md, "Custodial-mixer
                            * payouts"). Default on */
    bool service_payouts;  /* with mixer_payouts: the same for an unlabelled service whose sweep
                            * ended the trace (CW_END_SWEEP) and that behaves as a custodial
                            * mixer: its coins followed through its own txs, none at an address
                            * labelled exchange or exchange_deposit (docs/TRACE-MODELS.md,
                            * "Unlabelled custodial mixers"; rule service-payout). Default on */
    bool dust_rule;        /* forward: a dusting campaign's output (at most 10,000 sat, its tx pays
                            * ten or more such, its spender adds 100 times its value) ends as
                            * CW_END_DUST, neither followed nor a label end (docs/TRACE-MODELS.md,
                            * "Dusting"). Default on */
    bool third_party;      /* FIFO and haircut: value spent by a third party from its own account
                            * is probable past that tx (rule third-party): a non-CoinJoin tx
                            * that spends traced value held at an address with its own history
                            * before the theft (two paying txs, or one and a spend, before it;
                            * never an address a source was paid to), or that adds an untraced
                            * coin (over 10,000 sat) held at such an address; or that spends an
                            * output of a Lightning channel close not provably the thief's
                            * (backward too, with no theft in view). The receipt stays certain
                            * (docs/TRACE-MODELS.md, "A third party's own account", "A Lightning
                            * channel's other side"). Default on */
    uint64_t third_party_before;     /* the theft: the tx number before which an account's history
                                      * is its own. 0: forward, the earliest source's tx; backward,
                                      * the account rule is off (screening sets it: the earliest tx
                                      * paying a risk-labelled address its first trace reached) */
    const uint64_t *source_probable; /* NULL (every source certain), or one entry per source of
                                      * cw_trace_run's list, in its order: the satoshis of that
                                      * source's value that are already probable (a judgement
                                      * made before this trace: a refund's output chosen by
                                      * amount, the refund of a partly probable deposit), at most
                                      * its value. The trace carries them as it carries value made
                                      * probable at a mix, in every model and direction: at each
                                      * tx the inputs' probable total is shared over the outputs
                                      * pro rata (poison: every output it reaches is probable),
                                      * with rule probable-source; nodes, paths, ends, stats and
                                      * the JSON all read it. Unlike a mix's share it is not cut
                                      * at probable_floor (its holder is followed as certain
                                      * value's is; docs/TRACE-MODELS.md, "A source's probable
                                      * share"). Read during cw_trace_run only (the result keeps
                                      * no pointer) */
} cw_trace_opts;

/* True when re-linking acts: labels, and a stop at category exchange or exchange_deposit or at
 * every label. Without a stop at the cash-outs the trace goes on into the exchanges' customers'
 * coins, and the co-spends of those with their owners' post-mix coins are no evidence about
 * the source's owner. */
bool cw_trace_relink_guarded(const cw_trace_labelmap *labels, const cw_trace_opts *o);

/* Fills opts with the defaults: FIFO, forward, no hop limit, min_value 1, no height limit,
 * no stop categories, CoinJoins ranked with equal outputs sharing (CW_CJ_RANK: probable; for
 * haircut the proportional rule), probable_floor 0.25, relink on, mixer_payouts and service_payouts
 * on. */
void cw_trace_opts_init(cw_trace_opts *o);

/* The stops every caller uses unless told otherwise (the CLI with --labels, the server, the
 * monitor's case rules, the EVM trace's Bitcoin continuation): the custodial services, where
 * a deposit joins the service's own funds and what it pays out later is not the depositor's
 * coin. FIFO through an instant exchanger's or a bridge vault's hot wallet would put certain
 * stolen value on honest customers' payouts (docs/TRACE-MODELS.md, "Where value stops").
 * Sets o->stop to exchange, exchange_deposit, mixer, service, bridge, p2p_exchange,
 * payment_processor, gambling and darknet_market; "default" in a --stop-at list names them. */
void cw_trace_opts_default_stops(cw_trace_opts *o);

/* A source: an output (global output number) whose whole value is traced. */
typedef struct cw_trace_sources {
    uint64_t *outs;
    size_t n, cap;
} cw_trace_sources;

/* Resolves --from: "txid:vout" (one output), "txid" (every output of the tx), an address
 * (every output paid to it, up to until_height), "label:NAME" (every address whose label
 * entity or category is NAME; needs labels), or "cluster:ID" / "cluster:ADDRESS" (every
 * address of the cluster; needs `chainwatch cluster build`). Appends to *src (deduplicated by the
 * engine). Returns 0, CW_EINVAL (not parseable) or CW_ENOTFOUND (not in the store / no label),
 * with a message naming the argument. */
int cw_trace_sources_add(cw_trace_sources *src, const cw_chainstore *cs,
                         const cw_trace_labelmap *labels, const char *from, uint32_t until_height);
void cw_trace_sources_deinit(cw_trace_sources *src);

typedef struct cw_trace cw_trace;

/* A terminal node: `amount` of traced value stopped at output `out` (CW_NONE64 for fees,
 * coinbase and external ends, where `tx` says which tx). */
typedef struct cw_trace_end {
    cw_trace_end_kind kind;
    uint64_t out;    /* global output number, or CW_NONE64 */
    uint64_t tx;     /* tx that created out (forward) / the tx whose inputs end (backward) */
    uint64_t addr;   /* address id or CW_NONE64 */
    uint64_t amount; /* satoshis of traced value */
    uint32_t hop;
    uint32_t node;      /* node index for cw_trace_path, UINT32_MAX for fee/coinbase/external */
    uint64_t probable;  /* the part of amount that is probable (passed a CoinJoin, or another
                         * rule's judgement, e.g. opts.source_probable), <= amount */
    cw_trace_rule rule; /* the rule behind the probable part (of its largest contributor) */
} cw_trace_end;

typedef struct cw_trace_stats {
    uint64_t txs;       /* txs processed */
    uint64_t edges;     /* tainted input->tx and tx->output edges */
    uint64_t nodes;     /* tainted outputs */
    uint64_t intervals; /* FIFO intervals stored */
    uint32_t max_hop;
    bool truncated; /* max_nodes reached: the trace is incomplete */
    double seconds;
    uint64_t source_value;    /* traced value at the sources */
    uint64_t coinjoins;       /* CoinJoin txs that traced value entered */
    uint64_t coinjoin_in;     /* certain traced value that entered them (forward) or came out of
                               * them (backward): "entered mixer: X sat" */
    uint64_t probable;        /* traced value that ended as probable (sum of ends' probable) */
    uint64_t relinked;        /* CoinJoin outputs re-linked to the source's owner (opts.relink) */
    uint64_t relink_cospends; /* the co-spending txs that gave the evidence */
    uint64_t relink_funders;  /* CoinJoin outputs that are one of several traced inputs of a
                               * one-to-one mix with a re-linked output: the round they come
                               * from gives them their share of it first (docs/TRACE-MODELS.md,
                               * "Funders of a re-linked remix") */
    uint64_t relink_funding;  /* of the re-linked outputs, those re-linked by relinked-funding */
    uint64_t relink_carried;  /* of the re-linked outputs, those re-linked by relinked-carried */
    uint64_t relink_carry_rounds; /* the untraced remixes relinked-carried carries value through */
    uint64_t mixer_payouts;   /* deposits given value by opts.mixer_payouts */
    uint64_t mixer_payout_value; /* their value (all probable) */
    uint64_t service_payouts;    /* of those, by an unlabelled service (rule service-payout) */
    uint64_t service_payout_value;
    uint64_t service_float_payouts; /* of those, from coins the service's walk did not reach,
                                     * matched to an order by amount (its float) */
    uint64_t service_float_payout_value;
    uint64_t dusting_outputs; /* forward: outputs ended as a dusting campaign's (opts.dust_rule) */
    uint64_t dusting_value;   /* the traced value at them (in the `dust` end) */
    uint64_t third_party_txs; /* txs where opts.third_party made the traced value probable */
    uint64_t third_party_value; /* the certain value that became probable there */
} cw_trace_stats;

/* Runs a trace. labels may be NULL (no stop categories then, everything "unknown").
 * Returns 0, CW_EINVAL (no sources, bad options, a source's probable part above its value),
 * CW_ENOMEM. *out owned by the caller. */
int cw_trace_run(cw_trace **out, const cw_chainstore *cs, const cw_trace_labelmap *labels,
                 const uint64_t *sources, size_t n_sources, const cw_trace_opts *opts);
void cw_trace_free(cw_trace *t);

const cw_trace_stats *cw_trace_stats_get(const cw_trace *t);
size_t cw_trace_n_ends(const cw_trace *t);
const cw_trace_end *cw_trace_end_at(const cw_trace *t, size_t i);
/* Traced amount at an output (0 when untouched). */
uint64_t cw_trace_amount_at(const cw_trace *t, uint64_t out);
/* The path of a node back to its source: the txs, source first, through the largest tainted
 * input of each tx. Writes at most cap tx numbers into txs; returns the path length. */
size_t cw_trace_path(const cw_trace *t, uint32_t node, uint64_t *txs, size_t cap);

/* Picks the labelled ends whose value counts (e.g. the labels of one category). */
typedef bool (*cw_trace_end_pick_fn)(void *ctx, const cw_trace_end *e);

/* A backward haircut trace's value that ends at the ends `pick` selects, re-evaluated with
 * one owner per input at one-to-one equal-output mixes (n inputs, n outputs of one value d,
 * every input >= d: the Whirlpool shape, each input's owner takes one output). In such a mix
 * the value of the selected kind that reaches an output is at most max(1, C) / n of it, where
 * C is the inputs' certain share summed (coins): one owner's coins cannot be n of a mix's
 * inputs, so the probable shares of remixes with the same tainted coins do not add up past one
 * coin (docs/TRACE-MODELS.md, "Screening through one-to-one mixes"). In other CoinJoins
 * (many-output rounds) each output is bounded by amounts: an output worth more than the
 * untraced value in is forced (the traced owner's), the rest of the traced value is spread over
 * the other outputs by value, each at most max(1, C) / k of its k possible payers (one wallet's
 * coins: the inputs spending one non-CoinJoin tx); the traced value left beside the forced
 * outputs and the largest output a within it that only one payer's certain value could pay,
 * B = T - forced - a, bounds the rest (outputs worth more than B get 0, B is spread over the
 * others; a keeps its share), docs/TRACE-MODELS.md, "Screening through many-output rounds".
 * Elsewhere the model is the trace's own (haircut; past a CoinJoin everything is probable).
 * With cap false nothing is capped: the result equals the picked ends' sum (to rounding).
 * *total gets the sources' value that ends there (satoshis), *probable its probable part,
 * *capped_mixes the mixes and rounds where the cap lowered a share. Returns 0, CW_EINVAL (not
 * a backward haircut trace), CW_ENOMEM. */
int cw_trace_owner_capped(const cw_trace *t, cw_trace_end_pick_fn pick, void *ctx, bool cap,
                          uint64_t *total, uint64_t *probable, uint64_t *capped_mixes);

/* The result as JSON: options, sources, totals per end kind, by_category, by_entity,
 * by_address (top `top`), the strongest paths (top `top` ends with their tx paths) and the
 * flow graph (the first `graph_limit` txs; "graph_truncated" says when cut). */
json_t *cw_trace_json(const cw_trace *t, size_t top, size_t graph_limit);

#endif
