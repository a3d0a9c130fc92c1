/*
 * trace_int.h: the trace result and engine state shared by trace.c (the engine) and
 * trace_json.c (output). Not a public interface.
 */
#ifndef CW_TRACE_INT_H
#define CW_TRACE_INT_H

#include "chainwatch/trace.h"

typedef struct cw_trace__ivl {
    uint64_t s, e; /* [s, e) satoshi positions */
} cw_trace__ivl;

typedef struct cw_trace__node {
    uint64_t out;     /* global output number */
    uint64_t amount;  /* traced satoshis at this output */
    uint64_t tx;      /* forward: the tx that created out; backward: the tx that spends it */
    uint64_t ivl_off; /* FIFO: first interval in the pool */
    uint32_t ivl_n;
    uint32_t hop;
    uint32_t parent; /* node of the largest traced contribution, UINT32_MAX for a source */
    bool ended;      /* its value ended here (a cw_trace_end): never carried on */
    uint8_t rule;    /* cw_trace_rule of the probable part */
    bool spread;     /* FIFO, forward: a shared amount with no position in the coin (a CoinJoin
                      * group's share, a re-link, or what such a coin passed on): the next tx
                      * spreads it over the coin's satoshis pro rata instead of by position */
    bool dusting;    /* forward: ended as a dusting campaign's output (opts.dust_rule) */
    uint64_t prob;   /* the probable part of amount (passed a CoinJoin), <= amount */
} cw_trace__node;

/* A deposit given value by opts.mixer_payouts, with its evidence. */
typedef struct cw_trace__mpay {
    uint64_t out;         /* the deposit output */
    uint64_t payout_tx;   /* the mixer's payout tx */
    uint64_t evidence_tx; /* the address's earlier deposit of certain stolen value */
    const char *mixer;    /* the mixer's entity (borrowed from the label map); NULL: an
                           * unlabelled service, known by its sweep */
    uint64_t sweep_tx;    /* the unlabelled service's sweep that ended the trace, or CW_NONE64 */
    uint64_t order_out;   /* a payout from the float: the order (a traced coin the service's
                           * sweep gathered) it pays by amount; else CW_NONE64 */
} cw_trace__mpay;

typedef struct cw_trace__slot {
    uint64_t key, val; /* together: one cache miss per probe */
} cw_trace__slot;

typedef struct cw_trace__rem {
    uint64_t rem;
    uint32_t idx;
} cw_trace__rem;

typedef struct cw_trace__txrec {
    uint64_t tx;
    uint32_t hop;
    uint32_t e0; /* first edge: n_in nodes that carried value in, then n_out nodes out */
    uint32_t n_in, n_out;
    uint64_t end_amount; /* fee (forward), coinbase/external/coinjoin ends */
    bool coinjoin;
    uint8_t rule; /* cw_trace_rule applied at this CoinJoin (CW_RULE_NONE otherwise) */
    /* forward: the sizes of the result before this tx was processed (nodes, ends, FIFO
     * intervals; e0 gives the edges), so that the re-linking pass can restart here */
    uint32_t node0;
    uint64_t end0, ivl0;
    /* opts.third_party: why this tx made the traced value probable (CW_TRACE__TP_*, 0: it did
     * not), the third party's address, the value of its own coins (received before the theft,
     * or the coins it added; CW_TRACE__TP_BUSY: not counted, the address is busy since the
     * theft) and the certain value that became probable */
    uint8_t tp_kind;
    uint64_t tp_addr, tp_own, tp_value; /* CW_TRACE__TP_CHANNEL: tp_own is the close's tx */
} cw_trace__txrec;

enum {
    CW_TRACE__TP_ACCOUNT = 1,  /* traced value held at an address with its own earlier history */
    CW_TRACE__TP_OWN_COIN = 2, /* spent with an untraced coin of the spender's own from before */
    CW_TRACE__TP_CHANNEL = 3,  /* spends an output of a Lightning channel close that is not
                                * provably the thief's side (cw_trace__ln_close) */
    CW_TRACE__TP_PRIOR = 4,    /* spent, beside a coin it received, with an untraced coin at an
                                * address in use before the theft (tp_own: that coin's value) */
    CW_TRACE__TP_PAYEE = 5     /* spends a coin its payer paid away, keeping its change at its
                                * own input's address (tp_own: the payer's tx) */
};

/* What cw_trace__ln_close found (docs/TRACE-MODELS.md, "A Lightning channel's other side"). */
enum {
    CW_TRACE__LN_NONE = 0,
    CW_TRACE__LN_COOP = 1, /* BOLT 3 closing tx: the funding output, locktime 0, sequence final */
    CW_TRACE__LN_FORCE = 2 /* BOLT 3 commitment tx: obscured locktime 0x20.. and sequence 0x80.. */
};
/* What an established account received before the theft when its walk ended in the outputs
 * since (cw_trace__tp_established): not counted. */
#define CW_TRACE__TP_BUSY UINT64_MAX

struct cw_trace {
    const cw_chainstore *cs;
    const cw_trace_labelmap *labels;
    cw_trace_opts opts;
    cw_chainstore_counts counts;
    cw_trace_is_coinjoin_fn is_cj;
    uint64_t max_nodes;
    cw_trace_stats stats;

    cw_trace__slot *slots; /* output -> node: open addressing, key = output + 1 (0: empty) */
    uint64_t slot_mask, slot_count;
    cw_trace__node *nodes;
    size_t n_nodes, cap_nodes;
    cw_trace_end *ends;
    size_t n_ends, cap_ends;
    cw_trace__ivl *ivl; /* FIFO interval pool */
    size_t n_ivl, cap_ivl;
    bool ivl_open; /* the last interval belongs to the node being filled */
    cw_trace__txrec *txr;
    size_t n_txr, cap_txr;
    uint32_t *edges;
    size_t n_edges, cap_edges;
    uint64_t *heap;
    size_t n_heap, cap_heap;

    /* re-linking (opts.relink): CoinJoin output -> evidence tx * 16 + rule, key = output + 1 */
    cw_trace__slot *links;
    uint64_t link_mask, n_links;
    /* relinked-funding's evidence: output -> the value of the owner's outputs from the round
     * (fb_value) and the sum of the round's 10 largest untraced inputs (fb_bound) */
    cw_trace__slot *fb_value, *fb_bound;
    uint64_t fbv_mask, n_fbv, fbb_mask, n_fbb;
    cw_trace__slot *lrounds; /* the CoinJoins with a re-linked output (key = tx + 1) */
    uint64_t lr_mask, n_lr;
    /* relinked-carried's rounds (docs/TRACE-MODELS.md, "Remixed past the trace"): the
     * one-to-one mixes of its walks; what their paths do not want never goes to their other
     * outputs (key = tx + 1) */
    cw_trace__slot *crounds;
    uint64_t cr_mask, n_cr;
    /* funders (docs/TRACE-MODELS.md, "Funders of a re-linked remix"): a CoinJoin output that is
     * one of k >= 2 traced inputs of a one-to-one mix with a re-linked output -> the part of its
     * value the round it comes from gives it first (value * m / k, m re-linked outputs), key =
     * output + 1; frounds: the CoinJoins that made them (key = tx + 1) */
    cw_trace__slot *funders;
    uint64_t fund_mask, n_funders;
    cw_trace__slot *frounds;
    uint64_t fr_mask, n_fr;
    /* relinked-carried's roots into a Wasabi 2 / JoinMarket round of its walk: the CoinJoins
     * that made them, where pass 2 restarts and which keep their ranking by amounts
     * (key = tx + 1) */
    cw_trace__slot *wrounds;
    uint64_t wr_mask, n_wr;
    bool no_funders;       /* CW_TRACE__NO_FUNDERS */
    bool no_amounts;       /* CW_TRACE__NO_AMOUNTS */
    bool no_carry;         /* CW_TRACE__NO_CARRY */
    bool no_carry_many;    /* CW_TRACE__NO_CARRY_MANY */
    bool no_carry_unfed;   /* CW_TRACE__NO_CARRY_UNFED */
    size_t n_src_nodes;    /* nodes made for the sources (the first ones) */
    size_t relink_restart; /* pass 2 restarted at this tx record of pass 1 (n_txr: no change) */
    bool relink_unguarded; /* opts.relink asked, but no stop at labelled cash-outs: not done */
    /* opts.third_party (docs/TRACE-MODELS.md, "A third party's own account"): the theft's tx
     * (0: off) and its first output; address -> 1 + its own value received before the theft,
     * or 0 (not an established account), a memo; the addresses the sources were paid to */
    uint64_t tp_before, tp_out0;
    cw_trace__slot *tp_memo, *tp_src;
    uint64_t tpm_mask, n_tpm, tps_mask, n_tps;
    cw_trace__mpay *mpay;  /* opts.mixer_payouts: the deposits it gave value, in chain order */
    size_t n_mpay, cap_mpay;

    /* per-tx scratch, reused */
    cw_trace__ivl *axis;
    size_t n_axis, cap_axis;
    cw_trace__rem *rem;
    size_t cap_rem;
    uint64_t *s_val, *s_amt, *s_oval, *s_oamt, *s_prob, *s_tmp;
    uint8_t *s_pre; /* 1: the part's traced value is a prefix [0, amount) (pooled/proportional) */
    uint32_t *s_node, *s_perm, *s_operm;
    size_t cap_s_val, cap_s_amt, cap_s_oval, cap_s_oamt, cap_s_node, cap_s_perm, cap_s_operm;
    size_t cap_s_prob, cap_s_tmp, cap_s_pre;
};

/* cw_trace__run's `how` (0: what cw_trace_run does). */
enum {
    /* the re-linking pass replayed from the sources instead of restarted at the first tx whose
     * result the re-links can change (tests compare the two) */
    CW_TRACE__REPLAY = 1,
    /* re-link even when the trace does not stop at labelled cash-outs (relink_guarded): the
     * mechanics on an unlabelled world, whose re-links name customers' coins */
    CW_TRACE__UNSTOPPED = 2,
    /* re-link without funders (docs/TRACE-MODELS.md, "Funders of a re-linked remix"): the rule
     * before it (tests compare the two) */
    CW_TRACE__NO_FUNDERS = 4,
    /* ranked many-output rounds without the amounts' bound (docs/TRACE-MODELS.md, "Bounded by
     * amounts"): the rule before it (tests compare the two) */
    CW_TRACE__NO_AMOUNTS = 8,
    /* re-link without relinked-carried (docs/TRACE-MODELS.md, "Remixed past the trace"): the
     * rule before it (tests compare the two) */
    CW_TRACE__NO_CARRY = 16,
    /* relinked-carried through one-to-one mixes only, not through Wasabi 2 / JoinMarket rounds
     * (docs/TRACE-MODELS.md, "Remixed in a Wasabi 2 round"): the rule before it */
    CW_TRACE__NO_CARRY_MANY = 32,
    /* relinked-carried without its third pass: a re-linked output of a Wasabi 2 / JoinMarket
     * round that pass 1 entered and pass 2 did not (docs/TRACE-MODELS.md, "Remixed in a Wasabi 2
     * round"): the rule before it */
    CW_TRACE__NO_CARRY_UNFED = 64
};
int cw_trace__run(cw_trace **out, const cw_chainstore *cs, const cw_trace_labelmap *labels,
                  const uint64_t *sources, size_t n_sources, const cw_trace_opts *opts,
                  unsigned how);

/* The re-link of a CoinJoin output (opts.relink): true with its rule and the evidence tx. */
bool cw_trace__link(const cw_trace *t, uint64_t out, uint8_t *rule, uint64_t *evidence_tx);
/* Whether output out is a coin of relinked-carried's walk (docs/TRACE-MODELS.md, "Remixed
 * past the trace"): a remix input that may have paid a relinked-carried output, whose value its
 * round gives it first and which passes it on along the walk. */
bool cw_trace__carried(const cw_trace *t, uint64_t out);

/* relinked-funding's figures for a re-linked output: the owner's outputs from the round (sat)
 * and the round's 10 largest untraced inputs (sat). False when it was re-linked otherwise. */
bool cw_trace__funding(const cw_trace *t, uint64_t out, uint64_t *owner_sat, uint64_t *bound_sat);

/* Whether address a is a third party's established account before the theft (tx before, its
 * first output out0; outputs >= n_outs are not looked at): paid by two or more txs before it,
 * or by one and spent before it, its history walked newest first for at most TP_WALK (4,096)
 * outputs; or busy since: that walk ended in outputs paid at or after the theft and the address
 * was first paid in an earlier block than the theft's. *recv: what it received before the theft
 * (with early, only up to the first proof; CW_TRACE__TP_BUSY when busy since: not counted).
 * trace.c's rule third-party and screen.c's test of whether a second trace can differ share it
 * (docs/TRACE-MODELS.md, "A third party's own account"). */
bool cw_trace__tp_established(const cw_chainstore *cs, uint64_t a, uint64_t before, uint64_t out0,
                              uint64_t n_outs, bool early, uint64_t *recv);
/* What address a received before t's theft in txs that paid it with the thief's coins (they
 * spend a coin at a theft-labelled address: docs/TRACE-MODELS.md, "A thief's own earlier
 * receipts"), not counted as its own by the rule third-party: *sat and *txs (0 and 0 when t's
 * labels are empty or its walk reached no output paid before the theft). For the JSON. */
void cw_trace__tp_not_own(const cw_trace *t, uint64_t a, uint64_t *sat, uint64_t *txs);

/* Whether tx closes a Lightning channel by BOLT 3's shapes (CW_TRACE__LN_*): it spends one
 * output, a P2WSH one (a 2-of-2 funding output; a force close also a P2TR one), and either
 * carries a commitment tx's obscured commitment number (locktime's top byte 0x20, the input's
 * sequence's top byte 0x80: a force close) or is a closing tx (locktime 0, sequence 0xFFFFFFFF,
 * at most two outputs: a cooperative close). The witness (the 2-of-2 script) is not in the
 * store; these fields are. */
int cw_trace__ln_close(const cw_chainstore *cs, uint64_t tx);

#endif
