/*
 * evm_services.c: deposit addresses, their collectors, mixer pools and lock-and-release bridges
 * recognised from behaviour on an EVM store (include/chainwatch/evm_services.h).
 *
 * Pass 1 (moves.col in order, fees and NFTs left out): per account, the one account it sends
 * to (or "several"), its sends, its receipts. Collectors are the targets of at least
 * CW_EVM_DEPOSIT_MIN_FEEDERS single-target externally owned accounts that also receive from
 * someone else. Pass 2: for those candidates, the running balance per asset decides whether
 * each send swept everything; and for accounts with at least 10 receipts, the most frequent
 * incoming amounts are counted per asset (space-saving: stray amounts never crowd out a
 * denomination).
 */
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/evm/memo.h"
#include "chainwatch/evm_services.h"
#include "chainwatch/util.h"
#include "util/u64map.h"

#define MANY 0xfffffffeu
#define MIXER_MIN_IN 10
#define MIXER_MIN_DENOM 5
#define MIXER_DENOMS 4  /* denominations a pool may take */
#define AMOUNT_SLOTS 16 /* amounts counted per account and asset (space-saving) */

#define MAX_SWEEP_TARGETS 4 /* hot wallets a deposit address may sweep to */
#define PAYER_MIN_CHANGES 5 /* a collector pays out to many: its payee changes this often */
#define MAX_FUNNEL 3        /* sweep levels: deposit -> consolidation -> ... -> hot wallet */

typedef struct acct {
    uint32_t target; /* CW_EVM_NONE32 none yet, MANY several */
    uint32_t targets[MAX_SWEEP_TARGETS];
    uint32_t n_targets;               /* distinct targets, MAX_SWEEP_TARGETS + 1 = more */
    uint32_t payee_hint, n_payee_chg; /* payee changes: how widely it pays out */
    uint32_t n_own;                   /* movements it sent in transactions it sent itself */
    uint32_t n_out, n_in, n_in_other, n_full;
    uint32_t n_onward; /* sends into deposit-address candidates that do not sweep back to it */
    uint32_t senders_hint, n_senders; /* distinct senders, counted while they alternate */
    /* sweep-level accounts (pass 2): the last receipt's tx, whether its payer sent that tx, and
     * the sends made in such a tx (a pass-through: a router or a contract forwarding what its
     * caller pays, in the caller's own tx) */
    uint64_t last_in_tx;
    uint32_t n_relay;
    bool last_in_payer;
    bool custodial; /* labelled a custodial service's collector (the caller's bitmap) */
} acct;

/* The most frequent incoming amounts of an account (space-saving: a new amount when every
 * slot is taken replaces the least counted one and inherits its count as its error), so that
 * stray amounts (a mistaken transfer, a donation) arriving before or between the deposits never
 * keep a denomination out: any amount more frequent than 1/AMOUNT_SLOTS of the receipts is
 * kept, with count - err a lower bound of its true count. */
typedef struct denoms {
    cw_u256 amount[AMOUNT_SLOTS];
    uint32_t count[AMOUNT_SLOTS], err[AMOUNT_SLOTS];
    uint32_t total;
} denoms;

static void denoms_add(denoms *d, const cw_u256 *amt)
{
    d->total++;
    int j = 0, low = 0;
    for (; j < AMOUNT_SLOTS && d->count[j]; j++) {
        if (cw_u256_cmp(&d->amount[j], amt) == 0) {
            d->count[j]++;
            return;
        }
        if (d->count[j] < d->count[low])
            low = j;
    }
    if (j < AMOUNT_SLOTS) {
        d->amount[j] = *amt;
        d->count[j] = 1;
        d->err[j] = 0;
        return;
    }
    d->amount[low] = *amt;
    d->err[low] = d->count[low];
    d->count[low]++;
}

/* Receipts surely at the (at most MIXER_DENOMS) most frequent amounts seen at least
 * MIXER_MIN_DENOM times each (lower bounds). */
static uint32_t denoms_at(const denoms *d)
{
    uint32_t best[MIXER_DENOMS] = {0};
    for (int j = 0; j < AMOUNT_SLOTS; j++) {
        uint32_t sure = d->count[j] - d->err[j];
        if (sure < MIXER_MIN_DENOM)
            continue;
        for (int k = 0; k < MIXER_DENOMS; k++)
            if (sure > best[k]) {
                memmove(best + k + 1, best + k, (MIXER_DENOMS - 1 - (size_t)k) * sizeof *best);
                best[k] = sure;
                break;
            }
    }
    uint32_t at = 0;
    for (int k = 0; k < MIXER_DENOMS; k++)
        at += best[k];
    return at;
}

/* a recognition (rule and payees, for bridges, set after) */
static cw_evm_service svc_of(uint8_t kind, uint32_t parent, uint32_t n, uint32_t reused,
                             double score)
{
    return (cw_evm_service){
        .kind = kind, .parent = parent, .n = n, .reused = reused, .score = score};
}

struct cw_evm_services {
    cw_evm_service *svc; /* per account */
    size_t n;
};

static bool fungible(const cw_evm_row_move *m)
{
    return m->kind != CW_EVM_MOVE_ERC721 && m->kind != CW_EVM_MOVE_ERC1155 &&
           m->kind != CW_EVM_MOVE_FEE_BURNT && m->kind != CW_EVM_MOVE_FEE_TIP;
}

/* Pays out widely: to more accounts than a deposit address has hot wallets, changing payee
 * at least PAYER_MIN_CHANGES times (withdrawals to customers), by its own transactions (an
 * externally owned hot wallet; a DEX pool, router or WETH pays out in its callers'
 * transactions, so their callers are never taken for deposit addresses). An account the caller
 * knows to be a custodial service's collector (labelled an exchange) counts whatever it pays
 * here: an instant exchanger's or a cross-chain service's hot wallet may pay its customers on
 * other chains only, and its one-use order addresses are deposit addresses all the same. */
static bool wide_payer(const acct *a, size_t n, uint32_t x)
{
    return x < n && (a[x].custodial ||
                     (a[x].n_targets > MAX_SWEEP_TARGETS && a[x].n_payee_chg >= PAYER_MIN_CHANGES &&
                      a[x].n_own >= PAYER_MIN_CHANGES));
}

/* The sweep level x would take: 1 when it sends only to a few accounts, each paying out
 * widely (a deposit-address candidate); L + 1 when it sends only to a few accounts, each paying
 * out widely or at level L or below, one at L (a deposit address behind a consolidation
 * address); 0 otherwise. lvl holds the levels found so far. */
static uint8_t funnel_level(const acct *a, size_t n, const uint8_t *lvl, const uint8_t *ev,
                            uint32_t x)
{
    /* a bridge by its deposit events sweeps into no exchange (its refunds to a few relayers
     * that pay out widely look like sweeps) */
    if (x >= n || a[x].n_targets == 0 || a[x].n_targets > MAX_SWEEP_TARGETS || ev[x])
        return 0;
    uint8_t l = 1;
    for (uint32_t k = 0; k < a[x].n_targets; k++) {
        uint32_t t = a[x].targets[k];
        if (t == x)
            return 0;
        if (wide_payer(a, n, t))
            continue;
        if (t >= n || !lvl[t] || lvl[t] >= MAX_FUNNEL)
            return 0;
        if (lvl[t] + 1 > l)
            l = (uint8_t)(lvl[t] + 1);
    }
    return l;
}

/* A deposit-address candidate: it sends only to a few accounts, each paying out widely. */
static bool sweeper(const uint8_t *lvl, size_t n, uint32_t x)
{
    return x < n && lvl[x] == 1;
}

static bool is_target(const acct *a, uint32_t x, uint32_t y)
{
    for (uint32_t k = 0; k < a[x].n_targets && k < MAX_SWEEP_TARGETS; k++)
        if (a[x].targets[k] == y)
            return true;
    return false;
}

/* A customer of other services, not a hot wallet: half or more of its sends go into
 * deposit-address candidates (accounts that send only to a few wide payers) that do not sweep to
 * it: others' deposit addresses. An exchange's hot wallet pays its customers' withdrawals, of
 * which only some go straight into another exchange's deposit address (at most 3 % of a hot
 * wallet's sends on 30 worlds of both generators); an address that gathers one person's funds from
 * a few of its addresses and pays them into exchanges pays deposit addresses with every send.
 * Its feeders are then no deposit addresses: what they forward to it is followed on. (A
 * customer who withdraws and pays only its own deposit address is at sweep level 2, not
 * counted: every payee of a small exchange's hot wallet may be one.) An account labelled a
 * custodial collector is no customer's (and may pay nothing here at all). */
static bool pays_into_funnels(const acct *a, size_t n, uint32_t x)
{
    return x < n && !a[x].custodial && (uint64_t)a[x].n_onward * 2 >= a[x].n_out;
}

/* The most a send of amt (of asset `asset`, in tx `tx`) out of x may leave behind and still have
 * swept everything, the running balances leaving fees out: of a token, SWEEP_TOKEN_DUST base
 * units (a rebasing token moves shares, and a sweep of its whole balanceOf leaves the 1-2 wei
 * its logs credited beyond it: stETH's documented corner case; evmalt2's world); of the native
 * asset a gas remainder: when x sent the sweep itself, the fee that sweep paid, and beside it
 * under 1 % of the sweep or no more than that fee again (a fixed reserve kept for the next
 * sweep's gas, which 1 % of a small deposit would not cover). */
#define SWEEP_TOKEN_DUST 2
static cw_u256 sweep_remainder(const cw_evmstore *s, uint32_t x, uint32_t asset, uint64_t tx,
                               const cw_u256 *amt)
{
    cw_u256 limit;
    cw_u256_from_u64(&limit, SWEEP_TOKEN_DUST);
    if (asset != CW_EVM_ASSET_NATIVE)
        return limit;
    cw_u256_from_u64(&limit, 0);
    if (!cw_u256_fits_u64(amt)) {
        cw_u256_from_u64(&limit, UINT64_MAX);
        return limit;
    }
    uint64_t pct = amt->w[0] / 100 + 1, fee = 0;
    const cw_evm_row_tx *t = tx != CW_EVM_NONE64 ? cw_evmstore_tx(s, tx) : NULL;
    if (t && t->from == x && !(t->flags & CW_EVM_TXF_WIDE) && t->gas_price)
        fee = t->gas_used > UINT64_MAX / 2 / t->gas_price ? UINT64_MAX / 2
                                                          : t->gas_used * t->gas_price;
    cw_u256_from_u64(&limit, fee + (fee > pct ? fee : pct)); /* at most 2^64 - 2 */
    return limit;
}

/* Account x is a deposit address of collector h, with `evidence` accounts behind the shape
 * (the collector's feeders, or the depositors behind a consolidation address): scored
 * evidence / 10 (at most 1) times x's share of full sweeps. */
static void mark_deposit(cw_evm_services *sv, const acct *a, uint32_t x, uint32_t h,
                         uint32_t evidence)
{
    double f = evidence >= 10 ? 1.0 : (double)evidence / 10.0;
    sv->svc[x] =
        svc_of(CW_EVM_SVC_DEPOSIT, h, a[x].n_out, 0, f * (double)a[x].n_full / (double)a[x].n_out);
    if (sv->svc[h].kind == CW_EVM_SVC_NONE)
        sv->svc[h] = svc_of(CW_EVM_SVC_COLLECTOR, CW_EVM_NONE32, 0, 0, 1.0);
    if (sv->svc[h].kind == CW_EVM_SVC_COLLECTOR) {
        sv->svc[h].n++;
        sv->svc[h].reused += a[x].n_in_other > 1; /* a customer came back */
    }
}

/* Per account at a sweep level: the forwarders that feed it, and the distinct depositors
 * behind them (see consolidations). */
typedef struct funnel_fed {
    uint32_t forwarders, depositors;
} funnel_fed;

/* A forwarder: an account at sweep level 2 or more (it sends only to a few accounts that pay
 * out widely or sweep on), that sweeps all it holds (full sweeps at least half of its sends)
 * and receives from others: what a customer's deposit address behind a consolidation address
 * does. */
static bool forwarder(const acct *a, const uint8_t *lvl, size_t n, uint32_t x)
{
    return x < n && lvl[x] >= 2 && a[x].n_in_other && a[x].n_full * 2 >= a[x].n_out;
}

/* A depositor: an account that sweeps to no one and pays more than one account, either many
 * (more than a deposit address has hot wallets) or a few without emptying itself in at least
 * half of its sends (a customer's wallet; an exchange's gas station counts once). A thief's hop
 * that forwards everything to the next, or splits all it got between two or three, is none, so
 * a tree of hops ending at the thief's own deposit address never makes that deposit address
 * look like a consolidation address. */
static bool passes_on(const acct *a, const uint8_t *lvl, size_t n, uint32_t x)
{
    return x < n && !lvl[x] && a[x].n_targets >= 2 && a[x].n_targets <= MAX_SWEEP_TARGETS;
}

static bool depositor(const acct *a, const uint8_t *lvl, size_t n, uint32_t x)
{
    return x < n && !lvl[x] && a[x].n_targets >= 2 &&
           (a[x].n_targets > MAX_SWEEP_TARGETS || a[x].n_full * 2 < a[x].n_out);
}

/* The hot wallet an account's sweeps end at: its first target that pays out widely, or that
 * target's own end (through a recognised consolidation address's collector, or through the
 * targets of an account at a lower sweep level: a cold wallet or a second consolidation
 * address beside the hot wallet); CW_EVM_NONE32 when there is none. */
static uint32_t end_collector(const cw_evm_services *sv, const acct *a, size_t n,
                              const uint8_t *lvl, uint32_t x)
{
    for (uint32_t k = 0; k < a[x].n_targets; k++) {
        uint32_t t = a[x].targets[k];
        if (wide_payer(a, n, t))
            return t;
        if (t < n && sv->svc[t].kind == CW_EVM_SVC_CONSOLIDATION)
            return sv->svc[t].parent;
    }
    for (uint32_t k = 0; k < a[x].n_targets; k++) {
        uint32_t t = a[x].targets[k];
        if (t < n && lvl[t] && lvl[t] < lvl[x]) {
            uint32_t h = end_collector(sv, a, n, lvl, t);
            if (h != CW_EVM_NONE32)
                return h;
        }
    }
    return CW_EVM_NONE32;
}

/*
 * Consolidation addresses (deposit -> consolidation -> hot wallet), recognised by behaviour.
 * An account C at sweep level L that sweeps all it holds, by sweeps of its own (at most half
 * of its sends in the tx of a payer that paid it there: a bridge router or any contract that
 * passes its caller's payment on at once is no consolidation address, whereas the exchange
 * sweeps C, or a batch-sweep contract, in its own txs), is a consolidation address when at
 * least CONSOL_MIN_FORWARDERS forwarders feed it, behind which at least CONSOL_MIN_DEPOSITORS
 * distinct depositors pay in, and at least one depositor for every two forwarders: many
 * customers, each with a deposit address of their own. Then each forwarder is a deposit address
 * whose collector is the hot wallet C sweeps to, and C itself is the exchange's (no customer's
 * deposit address: nothing converges there). Levels are settled lowest first, so a deposit
 * address may sit behind two consolidation addresses.
 */
#define CONSOL_MIN_FORWARDERS 10
#define CONSOL_MIN_DEPOSITORS 10

static int consolidations(cw_evm_services *sv, const acct *a, size_t n, const uint8_t *lvl,
                          const cw_evmstore *s, const cw_evm_counts *c, cw_u64map *seen,
                          funnel_fed **fedp)
{
    funnel_fed *fed = calloc(n + 1, sizeof *fed);
    if (!fed)
        return cw_error_set(CW_ENOMEM, "out of memory recognising services");
    *fedp = fed;
    for (size_t i = 0; i < n; i++)
        if (forwarder(a, lvl, n, (uint32_t)i))
            for (uint32_t k = 0; k < a[i].n_targets; k++)
                fed[a[i].targets[k]].forwarders++; /* a funnel's targets are accounts (< n) */
    /* pass 3: distinct depositors behind each funnel's forwarders */
    for (uint64_t id = 0; id < c->moves; id++) {
        const cw_evm_row_move *m = cw_evmstore_move(s, id);
        if (!fungible(m) || !forwarder(a, lvl, n, m->to) || !depositor(a, lvl, n, m->from))
            continue;
        const acct *f = &a[m->to];
        for (uint32_t k = 0; k < f->n_targets; k++) {
            uint32_t t = f->targets[k];
            if (!lvl[t])
                continue;
            uint64_t key = (uint64_t)t << 32 | m->from, v;
            if (cw_u64map_get(seen, key, &v))
                continue;
            int rc = cw_u64map_set(seen, key, 0);
            if (rc)
                return rc;
            fed[t].depositors++;
        }
    }
    for (uint8_t l = 1; l < MAX_FUNNEL; l++) {
        for (size_t i = 0; i < n; i++) {
            const funnel_fed *e = &fed[i];
            if (lvl[i] != l || sv->svc[i].kind != CW_EVM_SVC_NONE || a[i].n_full * 2 < a[i].n_out ||
                a[i].n_relay * 2 >= a[i].n_out || e->forwarders < CONSOL_MIN_FORWARDERS ||
                e->depositors < CONSOL_MIN_DEPOSITORS || e->depositors * 2 < e->forwarders)
                continue;
            uint32_t h = end_collector(sv, a, n, lvl, (uint32_t)i);
            if (h == CW_EVM_NONE32)
                continue;
            sv->svc[i] = svc_of(CW_EVM_SVC_CONSOLIDATION, h, e->forwarders, 0,
                                (double)a[i].n_full / (double)a[i].n_out);
            /* where a consolidation address sweeps to, short of the hot wallet, is the
             * exchange's own too (a second consolidation address, a cold wallet) */
            for (uint32_t k = 0; k < a[i].n_targets; k++) {
                uint32_t t = a[i].targets[k];
                if (!wide_payer(a, n, t) && sv->svc[t].kind == CW_EVM_SVC_NONE)
                    sv->svc[t] = svc_of(CW_EVM_SVC_CONSOLIDATION, h, 0, 0,
                                        (double)a[t].n_full / (double)a[t].n_out);
            }
        }
    }
    /* the forwarders into consolidation addresses are deposit addresses of their hot wallet */
    for (size_t i = 0; i < n; i++) {
        if (sv->svc[i].kind != CW_EVM_SVC_NONE || !forwarder(a, lvl, n, (uint32_t)i))
            continue;
        uint32_t deps = 0;
        for (uint32_t k = 0; k < a[i].n_targets; k++) {
            uint32_t t = a[i].targets[k];
            if (sv->svc[t].kind == CW_EVM_SVC_CONSOLIDATION && fed[t].depositors > deps)
                deps = fed[t].depositors;
        }
        uint32_t h = deps ? end_collector(sv, a, n, lvl, (uint32_t)i) : CW_EVM_NONE32;
        if (h == CW_EVM_NONE32)
            continue;
        mark_deposit(sv, a, (uint32_t)i, h, deps);
    }
    return 0;
}

/*
 * Lock-and-release bridges (evm_services.h, "bridge"), recognised by behaviour: per candidate
 * (a contract by its ways: it sent no transaction of its own, receives from many and pays many),
 * its movements grouped by tx (a tx's movements are contiguous): a tx that only pays it, sent by
 * the payer, is a deposit; a tx that only takes from it, sent by someone else to a recipient
 * other than the tx's sender, is a release; a tx that does both is a pass-through (a pool, a
 * router). A pair map (candidate, account) remembers depositors (bit 1) and recipients (bit 2),
 * so that distinct senders and recipients are counted exactly and a release back to an earlier
 * depositor is seen.
 */
typedef struct bridge_cand {
    uint32_t acct;
    uint64_t tx; /* the tx being read, CW_EVM_NONE64 none */
    uint32_t tx_from;
    /* the current tx: it pays the candidate (in_any), one not the tx's sender among its payers
     * (in_other); the candidate pays (out_any), the tx's sender among its payees (out_caller), a
     * payee an earlier depositor (back) */
    bool in_any, in_other, out_any, out_caller, back;
    uint32_t dep, rel, pass, other_in, other_out, back_rel, senders, recipients;
} bridge_cand;

static void bridge_flush(bridge_cand *b)
{
    if (b->tx == CW_EVM_NONE64)
        return;
    if (b->in_any && b->out_any)
        b->pass++;
    else if (b->in_any)
        *(b->in_other ? &b->other_in : &b->dep) += 1;
    else if (b->out_any) {
        if (b->out_caller) {
            b->other_out++;
        } else {
            b->rel++;
            b->back_rel += b->back;
        }
    }
    b->tx = CW_EVM_NONE64;
    b->in_any = b->in_other = b->out_any = b->out_caller = b->back = false;
}

/* A candidate by pass 1's counts (upper bounds of what lock_bridges counts exactly): no other
 * rule recognised it, it sent no transaction of its own, it received from many and paid many. */
static bool bridge_candidate(const cw_evm_services *sv, const acct *a, size_t i)
{
    return sv->svc[i].kind == CW_EVM_SVC_NONE && a[i].n_own == 0 &&
           a[i].n_in >= CW_EVM_BRIDGE_MIN_DEPOSITS && a[i].n_out >= CW_EVM_BRIDGE_MIN_RELEASES &&
           a[i].n_senders >= CW_EVM_BRIDGE_MIN_SENDERS &&
           a[i].n_payee_chg >= CW_EVM_BRIDGE_MIN_RECIPIENTS && a[i].n_targets > MAX_SWEEP_TARGETS;
}

/* Sends only to a few candidates (a sweeper, when it swept all it held in at least half of
 * its sends and received from others: a customer's deposit address, an EOA swept in its own
 * txs or a forwarder contract passing each deposit on in its depositor's tx, to one or a few
 * hot wallets of its exchange). */
static bool sweeps_into(const acct *a, const uint32_t *slot, size_t n, uint32_t x)
{
    if (x >= n || a[x].n_targets == 0 || a[x].n_targets > MAX_SWEEP_TARGETS)
        return false;
    for (uint32_t k = 0; k < a[x].n_targets; k++)
        if (a[x].targets[k] >= n || slot[a[x].targets[k]] == CW_EVM_NONE32)
            return false;
    return true;
}

static bool sweeper_into(const cw_evm_services *sv, const acct *a, const uint32_t *slot, size_t n,
                         uint32_t x)
{
    return sweeps_into(a, slot, n, x) && a[x].n_in_other && a[x].n_full * 2 >= a[x].n_out &&
           sv->svc[x].kind == CW_EVM_SVC_NONE;
}

/* The running balance of sweeper x (asset `asset`) in bal (keyed by bal_ix); NULL on ENOMEM. */
static cw_u256 *sweeper_balance(cw_u64map *bal_ix, cw_u256 **bal, size_t *nb, size_t *cap,
                                uint32_t x, uint32_t asset)
{
    uint64_t key = (uint64_t)x << 32 | asset, ix;
    if (!cw_u64map_get(bal_ix, key, &ix)) {
        if (*nb == *cap) {
            size_t nc = *cap ? *cap * 2 : 256;
            cw_u256 *g = realloc(*bal, nc * sizeof *g);
            if (!g)
                return NULL;
            *bal = g;
            *cap = nc;
        }
        memset(&(*bal)[*nb], 0, sizeof **bal);
        ix = (*nb)++;
        if (cw_u64map_set(bal_ix, key, ix))
            return NULL;
    }
    return &(*bal)[ix];
}

/*
 * Contract hot wallets and lock-and-release bridges: both are contracts that never send a tx of
 * their own, taking value in and paying it out in txs someone else sends (an exchange's
 * operator; a bridge's relayer). What tells them apart is who pays in: a hot wallet is fed by
 * its customers' deposit addresses, each sending it alone everything it received (at least
 * half of its distinct payers are such sweepers, and at least CW_EVM_DEPOSIT_MIN_FEEDERS);
 * a bridge by its users from their own wallets (a thief's hops that send everything to it are
 * a few among many). A hot wallet becomes the sweepers' collector (they are its deposit
 * addresses); a bridge needs its deposits and releases as below.
 */
static int lock_bridges(cw_evm_services *sv, acct *a, size_t n, const cw_evmstore *s,
                        const cw_evm_counts *c, const uint8_t *ev)
{
    uint32_t *slot = NULL, *sweepers = NULL;
    bridge_cand *bc = NULL;
    size_t nb = 0, n_bal = 0, cap_bal = 0;
    cw_u64map pairs = {0}, bal_ix = {0};
    cw_u256 *bal = NULL;
    int rc = 0;
    for (size_t i = 0; i < n; i++)
        nb += bridge_candidate(sv, a, i);
    if (!nb)
        return 0;
    slot = malloc((n + 1) * sizeof *slot);
    bc = calloc(nb, sizeof *bc);
    sweepers = calloc(nb, sizeof *sweepers);
    if (!slot || !bc || !sweepers) {
        rc = cw_error_set(CW_ENOMEM, "out of memory recognising bridges");
        goto out;
    }
    nb = 0;
    for (size_t i = 0; i < n; i++) {
        slot[i] = CW_EVM_NONE32;
        if (bridge_candidate(sv, a, i)) {
            bc[nb].acct = (uint32_t)i;
            bc[nb].tx = CW_EVM_NONE64;
            slot[i] = (uint32_t)nb++;
        }
    }
    for (uint64_t id = 0; id < c->moves; id++) {
        const cw_evm_row_move *m = cw_evmstore_move(s, id);
        if (!fungible(m) || m->from == m->to)
            continue;
        /* sweepers into a candidate: receipts from others, and full sweeps (their running
         * balance, as pass 2 keeps it for sweep-level accounts) */
        uint32_t sw[2] = {m->to, m->from};
        for (int k = 0; k < 2; k++) {
            uint32_t x = sw[k];
            if (!sweeps_into(a, slot, n, x))
                continue;
            cw_u256 amt = cw_evmstore_move_amount(s, m);
            cw_u256 *b = sweeper_balance(&bal_ix, &bal, &n_bal, &cap_bal, x, m->asset);
            if (!b) {
                rc = cw_error_set(CW_ENOMEM, "out of memory recognising hot wallets");
                goto out;
            }
            if (k == 0) {
                cw_u256_add(b, b, &amt);
                a[x].n_in_other += !is_target(a, x, m->from);
                continue;
            }
            if (cw_u256_sub(b, b, &amt))
                memset(b, 0, sizeof *b); /* a store starting mid-chain */
            cw_u256 limit = sweep_remainder(s, x, m->asset, m->tx, &amt);
            if (cw_u256_cmp(b, &limit) <= 0)
                a[x].n_full++;
        }
        if (m->tx == CW_EVM_NONE64)
            continue;
        uint32_t ends[2] = {m->to, m->from};
        for (int k = 0; k < 2; k++) {
            if (ends[k] >= n || slot[ends[k]] == CW_EVM_NONE32)
                continue;
            bridge_cand *b = &bc[slot[ends[k]]];
            if (b->tx != m->tx) {
                bridge_flush(b);
                const cw_evm_row_tx *tx = cw_evmstore_tx(s, m->tx);
                b->tx = m->tx;
                b->tx_from = tx ? tx->from : CW_EVM_NONE32;
            }
            uint32_t other = k == 0 ? m->from : m->to;
            uint64_t key = (uint64_t)b->acct << 32 | other, bits = 0;
            bool known = other != CW_EVM_NONE32 && cw_u64map_get(&pairs, key, &bits);
            if (k == 0) {
                b->in_any = true;
                b->in_other |= other != b->tx_from;
                if (other != CW_EVM_NONE32 && !(bits & 1)) {
                    b->senders++;
                    if ((rc = cw_u64map_set(&pairs, key, bits | 1)))
                        goto out;
                }
            } else {
                b->out_any = true;
                b->out_caller |= other == b->tx_from;
                b->back |= known && (bits & 1);
                if (other != CW_EVM_NONE32 && !(bits & 2)) {
                    b->recipients++;
                    if ((rc = cw_u64map_set(&pairs, key, bits | 2)))
                        goto out;
                }
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        if (sweeper_into(sv, a, slot, n, (uint32_t)i))
            for (uint32_t k = 0; k < a[i].n_targets; k++)
                sweepers[slot[a[i].targets[k]]]++;
    for (size_t k = 0; k < nb; k++) {
        bridge_cand *b = &bc[k];
        bridge_flush(b);
        uint32_t outs = b->rel + b->pass + b->other_out, ins = b->dep + b->pass + b->other_in;
        /* a contract hot wallet: pays out in others' txs (as a bridge releases), fed by
         * sweepers; never one whose deposits carry events naming another chain (a bridge used
         * by fresh wallets that each send it everything looks fed by sweepers) */
        if (!ev[b->acct] && b->rel >= CW_EVM_BRIDGE_MIN_RELEASES &&
            b->recipients >= CW_EVM_BRIDGE_MIN_RECIPIENTS &&
            (uint64_t)b->rel * 5 >= (uint64_t)outs * 4 &&
            sweepers[k] >= CW_EVM_DEPOSIT_MIN_FEEDERS && (uint64_t)sweepers[k] * 2 >= b->senders) {
            for (size_t i = 0; i < n; i++)
                if (sweeper_into(sv, a, slot, n, (uint32_t)i) && is_target(a, (uint32_t)i, b->acct))
                    mark_deposit(sv, a, (uint32_t)i, b->acct, sweepers[k]);
            continue;
        }
        if (b->dep < CW_EVM_BRIDGE_MIN_DEPOSITS || b->senders < CW_EVM_BRIDGE_MIN_SENDERS ||
            b->rel < CW_EVM_BRIDGE_MIN_RELEASES || b->recipients < CW_EVM_BRIDGE_MIN_RECIPIENTS ||
            (uint64_t)b->rel * 5 < (uint64_t)outs * 4 || (uint64_t)b->dep * 5 < (uint64_t)ins * 4 ||
            b->back_rel * 2 > b->rel)
            continue;
        double f = (b->senders >= 20 ? 1.0 : b->senders / 20.0) *
                   (b->recipients >= 20 ? 1.0 : b->recipients / 20.0) *
                   ((double)b->rel / (double)outs);
        sv->svc[b->acct] = svc_of(CW_EVM_SVC_BRIDGE, CW_EVM_NONE32, b->rel, b->dep, f);
        sv->svc[b->acct].payees = b->recipients;
    }
out:
    free(slot);
    free(bc);
    free(sweepers);
    free(bal);
    cw_u64map_deinit(&pairs);
    cw_u64map_deinit(&bal_ix);
    return rc;
}

/*
 * Bridges by their deposit events (evm_services.h, "bridge by deposit events"). Evidence first:
 * ev[x] = 1 when at least CW_EVM_EVENT_BRIDGE_MIN_TXS transactions sent to x carry a deposit
 * event naming a destination chain and recipient (a memo row of source CW_EVM_MEMO_SRC_EVENT
 * that parses), sent by at least CW_EVM_EVENT_BRIDGE_MIN_SENDERS distinct accounts. The account
 * is the event's emitter (a router in front of the bridge is no bridge); a destination read from
 * calldata counts for nothing here. Such an account is never a hot wallet, a deposit address or
 * a collector.
 */
uint32_t cw_evm_memo_row_emitter(const cw_evmstore *s, const cw_evm_row_memo *m)
{
    if (m->emitter != CW_EVM_NONE32 || m->source != CW_EVM_MEMO_SRC_EVENT)
        return m->emitter;
    /* none at ingest: the account of the emitter the text names, first seen after the tx */
    cw_evm_memo_dest d;
    cw_evm_addr a;
    uint32_t id;
    if (cw_evm_memo_dest_parse(&d, m->memo, m->len) != 0 || !d.emitter[0] ||
        cw_hex_decode(a.b, 20, d.emitter + 2) != 0 || cw_evmstore_find_account(s, &a, &id) != 0) {
        cw_error_clear();
        return CW_EVM_NONE32;
    }
    return id;
}

static int event_evidence(const cw_evmstore *s, size_t n, uint8_t **evp)
{
    uint8_t *ev = calloc(n + 1, 1);
    uint32_t *txs = calloc(n + 1, sizeof *txs), *snd = calloc(n + 1, sizeof *snd);
    cw_u64map pairs = {0};
    int rc = 0;
    if (!ev || !txs || !snd) {
        rc = cw_error_set(CW_ENOMEM, "out of memory recognising bridges");
        goto out;
    }
    uint64_t nm = cw_evmstore_memo_count(s), last_tx = CW_EVM_NONE64;
    for (uint64_t i = 0; i < nm; i++) {
        const cw_evm_row_memo *m = cw_evmstore_memo(s, i);
        cw_evm_memo_dest d;
        if (m->source != CW_EVM_MEMO_SRC_EVENT || m->to >= n || m->tx == last_tx)
            continue;
        /* a destination read from calldata by selector is no evidence (it only names the
         * destination of a deposit into a bridge recognised otherwise) */
        if (cw_evm_memo_dest_parse(&d, m->memo, m->len) != 0 || d.call) {
            cw_error_clear();
            continue;
        }
        uint32_t ea = cw_evm_memo_row_emitter(s, m);
        if (ea >= n)
            continue;
        last_tx = m->tx; /* one count per tx */
        txs[ea]++;
        const cw_evm_row_tx *t = cw_evmstore_tx(s, m->tx);
        uint64_t key = (uint64_t)ea << 32 | (t ? t->from : CW_EVM_NONE32), v;
        if (t && !cw_u64map_get(&pairs, key, &v)) {
            if ((rc = cw_u64map_set(&pairs, key, 0)))
                goto out;
            snd[ea]++;
        }
    }
    for (size_t i = 0; i < n; i++)
        ev[i] = txs[i] >= CW_EVM_EVENT_BRIDGE_MIN_TXS && snd[i] >= CW_EVM_EVENT_BRIDGE_MIN_SENDERS;
out:
    free(txs);
    free(snd);
    cw_u64map_deinit(&pairs);
    if (rc) {
        free(ev);
        ev = NULL;
    }
    *evp = ev;
    return rc;
}

/* a 64-bit key of (slot, amount) for the deposit amounts seen */
static uint64_t amount_key(uint32_t slot, const cw_u256 *v)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL * (slot + 1);
    for (int i = 0; i < 4; i++) {
        h ^= v->w[i] + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
        h *= 0xff51afd7ed558ccdULL;
    }
    return h == UINT64_MAX ? 0 : h;
}

typedef struct ev_cand {
    uint32_t acct;
    bool in_any, out_any;
    uint32_t first_pay; /* the current tx's first payout in the pay list */
    uint32_t deposits, payouts, depositors, payees;
} ev_cand;

typedef struct ev_pay {
    uint32_t slot, payee; /* slot CW_EVM_NONE32: dropped (a pass-through's send) */
    uint64_t akey;
} ev_pay;

/* the end of a tx for the candidates it touched: a tx that paid the candidate and took nothing
 * is a deposit (its payers depositors, its amounts deposit amounts: ins[0..n_ins)), one that
 * took and paid nothing a payout; one that did both a pass-through (a relayer's fill forwarded
 * in its call, a router), whose payers are no depositors and whose sends are dropped */
static int ev_flush(ev_cand *ec, const uint32_t *active, size_t n_active, ev_pay *pay, size_t n_pay,
                    const ev_pay *ins, size_t n_ins, cw_u64map *pairs, cw_u64map *amounts)
{
    int rc;
    for (size_t i = 0; i < n_ins; i++) {
        ev_cand *e = &ec[ins[i].slot];
        if (e->out_any)
            continue;
        uint64_t key = (uint64_t)e->acct << 32 | ins[i].payee, bits = 0;
        if (ins[i].payee != CW_EVM_NONE32 && !(cw_u64map_get(pairs, key, &bits) && (bits & 1))) {
            e->depositors++;
            if ((rc = cw_u64map_set(pairs, key, bits | 1)))
                return rc;
        }
        if ((rc = cw_u64map_set(amounts, ins[i].akey, 0)))
            return rc;
    }
    for (size_t j = 0; j < n_active; j++) {
        ev_cand *e = &ec[active[j]];
        if (e->in_any && !e->out_any)
            e->deposits++;
        else if (e->in_any && e->out_any) {
            for (size_t i = e->first_pay; i < n_pay; i++)
                if (pay[i].slot == active[j])
                    pay[i].slot = CW_EVM_NONE32;
        } else if (e->out_any)
            e->payouts++;
        e->in_any = e->out_any = false;
    }
    return 0;
}

/* appends p to *list (ENOMEM: 1) */
static int ev_push(ev_pay **list, size_t *n, size_t *cap, ev_pay p)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 256;
        ev_pay *g = realloc(*list, nc * sizeof *g);
        if (!g)
            return 1;
        *list = g;
        *cap = nc;
    }
    (*list)[(*n)++] = p;
    return 0;
}

/*
 * An account with deposit-event evidence that no other rule recognised is a bridge when what it
 * pays out, in transactions that pay it nothing (a pass-through - a fill it forwards in the
 * relayer's call, a router - is no payout), does not go back to its depositors at their
 * deposits' amounts: a pool paying its relayers back in bulk (Across: sums of many fills, to
 * accounts that never deposited, or to a relayer that once bridged through it too), or a
 * lock-and-release bridge's releases. At most one payout in CW_EVM_EVENT_BRIDGE_BACK may go back
 * to a depositor at a deposit's amount (an escrow or a refunding contract pays its own
 * depositors their own amounts; a round amount paid to someone else is no sign of one). Score:
 * min(1, depositors / 20) x the share of payouts that are not.
 */
static int event_bridges(cw_evm_services *sv, size_t n, const cw_evmstore *s,
                         const cw_evm_counts *c, const uint8_t *ev)
{
    uint32_t *slot = NULL, *active = NULL, *back = NULL, *sends = NULL;
    ev_cand *ec = NULL;
    ev_pay *pay = NULL, *ins = NULL;
    size_t nc = 0, n_pay = 0, cap_pay = 0, n_active = 0, n_ins = 0, cap_ins = 0;
    cw_u64map pairs = {0}, amounts = {0};
    uint64_t cur_tx = CW_EVM_NONE64;
    int rc = 0;
    for (size_t i = 0; i < n; i++)
        nc += ev[i] && sv->svc[i].kind == CW_EVM_SVC_NONE;
    if (!nc)
        return 0;
    slot = malloc((n + 1) * sizeof *slot);
    ec = calloc(nc, sizeof *ec);
    active = calloc(nc, sizeof *active);
    back = calloc(nc, sizeof *back);
    sends = calloc(nc, sizeof *sends);
    if (!slot || !ec || !active || !back || !sends)
        goto nomem;
    nc = 0;
    for (size_t i = 0; i < n; i++) {
        slot[i] = CW_EVM_NONE32;
        if (ev[i] && sv->svc[i].kind == CW_EVM_SVC_NONE) {
            ec[nc].acct = (uint32_t)i;
            slot[i] = (uint32_t)nc++;
        }
    }
    for (uint64_t id = 0; id < c->moves; id++) {
        const cw_evm_row_move *m = cw_evmstore_move(s, id);
        if (!fungible(m) || m->from == m->to || m->tx == CW_EVM_NONE64)
            continue;
        uint32_t ends[2] = {m->to, m->from};
        for (int k = 0; k < 2; k++) {
            if (ends[k] >= n || slot[ends[k]] == CW_EVM_NONE32)
                continue;
            if (m->tx != cur_tx) { /* a tx's movements are contiguous */
                if ((rc = ev_flush(ec, active, n_active, pay, n_pay, ins, n_ins, &pairs, &amounts)))
                    goto out;
                n_active = n_ins = 0;
                cur_tx = m->tx;
            }
            uint32_t sl = slot[ends[k]];
            ev_cand *e = &ec[sl];
            if (!e->in_any && !e->out_any) {
                active[n_active++] = sl;
                e->first_pay = (uint32_t)n_pay;
            }
            cw_u256 amt = cw_evmstore_move_amount(s, m);
            uint32_t other = k == 0 ? m->from : m->to;
            ev_pay p = {sl, other, amount_key(sl, &amt)};
            if (k == 0)
                e->in_any = true;
            else
                e->out_any = true;
            if (k == 0 ? ev_push(&ins, &n_ins, &cap_ins, p) : ev_push(&pay, &n_pay, &cap_pay, p))
                goto nomem;
        }
    }
    if ((rc = ev_flush(ec, active, n_active, pay, n_pay, ins, n_ins, &pairs, &amounts)))
        goto out;
    /* the payouts against the depositors and deposit amounts of the whole store */
    for (size_t i = 0; i < n_pay; i++) {
        if (pay[i].slot == CW_EVM_NONE32)
            continue;
        ev_cand *e = &ec[pay[i].slot];
        uint64_t key = (uint64_t)e->acct << 32 | pay[i].payee, bits = 0, v;
        bool known = pay[i].payee != CW_EVM_NONE32 && cw_u64map_get(&pairs, key, &bits);
        sends[pay[i].slot]++;
        back[pay[i].slot] += known && (bits & 1) && cw_u64map_get(&amounts, pay[i].akey, &v);
        if (pay[i].payee != CW_EVM_NONE32 && !(bits & 2)) {
            e->payees++;
            if ((rc = cw_u64map_set(&pairs, key, bits | 2)))
                goto out;
        }
    }
    for (size_t k = 0; k < nc; k++) {
        const ev_cand *e = &ec[k];
        if ((uint64_t)back[k] * CW_EVM_EVENT_BRIDGE_BACK > sends[k])
            continue;
        double f = (e->depositors >= 20 ? 1.0 : e->depositors / 20.0) *
                   (sends[k] ? 1.0 - (double)back[k] / (double)sends[k] : 1.0);
        sv->svc[e->acct] = svc_of(CW_EVM_SVC_BRIDGE, CW_EVM_NONE32, e->payouts, e->deposits, f);
        sv->svc[e->acct].rule = CW_EVM_BRIDGE_RULE_EVENTS;
        sv->svc[e->acct].payees = e->payees;
    }
    goto out;
nomem:
    rc = cw_error_set(CW_ENOMEM, "out of memory recognising bridges");
out:
    free(slot);
    free(ec);
    free(active);
    free(back);
    free(sends);
    free(pay);
    free(ins);
    cw_u64map_deinit(&pairs);
    cw_u64map_deinit(&amounts);
    return rc;
}

/*
 * Deposit addresses not yet swept, by their creator (evm_services.h CW_EVM_DEPOSIT_RULE_CREATOR).
 * An exchange's deposit contract that has sent nothing when the store ends shows no sweep; what
 * it shares with the deposit addresses recognised by their sweeps is the transaction that created
 * it: the same sender calling the same contract (the exchange's deployer or hot wallet calling
 * its CREATE2 factory). The creations are grouped by (sender, `to`) of their creating tx; a group
 * speaks for a collector h when at least CW_EVM_DEPOSIT_MIN_FEEDERS of its accounts are deposit
 * addresses by their sweeps, of h or of at most 3 other collectors tied to h (an exchange's
 * several hot wallets: a sweeper of the group sweeps to two of them), h the one with most, and
 * every other account of it that has sent anything sent to those collectors alone (a deposit
 * address whose sweeps left a remainder the rule above does not allow). One that pays anyone
 * else, or is any other service, or collectors that no sweeper ties make the group no evidence:
 * a factory serving many parties makes accounts that pay as their owners please, and a deployer
 * serving several exchanges has no sweeper common to two of them. Its accounts that have received
 * something and sent nothing are then probable deposit addresses of h, scored siblings / 10 (at
 * most 1). They add nothing to h's count of deposit addresses (whether its customers come back is
 * read from the swept ones).
 */
typedef struct creator_group {
    uint32_t par[MAX_SWEEP_TARGETS], cnt[MAX_SWEEP_TARGETS]; /* its deposits' collectors */
    uint8_t tie[MAX_SWEEP_TARGETS]; /* bit j of tie[i]: par[i] and par[j] share a sweeper */
    uint32_t n_par, deps;
    bool bad;
} creator_group;

static int par_ix(const creator_group *e, uint32_t h)
{
    for (uint32_t j = 0; j < e->n_par; j++)
        if (e->par[j] == h)
            return (int)j;
    return -1;
}

/* x (an account of group e that has sent) ties the collectors among its targets; a target that
 * is none of them makes e no evidence unless x is a deposit address (its cold wallet, say) */
static void creator_ties(creator_group *e, const acct *a, uint32_t x, bool deposit)
{
    if (a[x].n_targets > MAX_SWEEP_TARGETS) {
        e->bad = true;
        return;
    }
    int first = -1;
    for (uint32_t k = 0; k < a[x].n_targets; k++) {
        int j = par_ix(e, a[x].targets[k]);
        if (j < 0) {
            e->bad |= !deposit;
            continue;
        }
        if (first < 0)
            first = j;
        e->tie[first] |= (uint8_t)(1u << j);
        e->tie[j] |= (uint8_t)(1u << first);
    }
}

/* The collector group e speaks for: the one with most of its deposit addresses, when e is
 * evidence (enough of them, none against, and its collectors tied into one exchange by sweepers
 * that sweep to two of them); CW_EVM_NONE32 else. */
static uint32_t creator_collector(const creator_group *e)
{
    if (e->bad || e->deps < CW_EVM_DEPOSIT_MIN_FEEDERS || !e->n_par)
        return CW_EVM_NONE32;
    uint8_t seen = 1;
    for (int round = 0; round < MAX_SWEEP_TARGETS; round++)
        for (uint32_t j = 0; j < e->n_par; j++)
            if (seen >> j & 1)
                seen |= e->tie[j];
    if (seen != (uint8_t)((1u << e->n_par) - 1))
        return CW_EVM_NONE32;
    uint32_t best = 0;
    for (uint32_t j = 1; j < e->n_par; j++)
        if (e->cnt[j] > e->cnt[best])
            best = j;
    return e->par[best];
}

static int creator_deposits(cw_evm_services *sv, const acct *a, size_t n, const cw_evmstore *s,
                            const cw_evm_counts *c)
{
    cw_u64map ix = {0};
    creator_group *g = NULL;
    size_t n_g = 0, cap_g = 0;
    int rc = 0;
    /* pass 0: the groups and their deposit addresses' collectors; 1: what their other accounts
     * sent; 2: the accounts that sent nothing */
    for (int pass = 0; pass < 3; pass++) {
        for (uint64_t i = 0; i < c->creates; i++) {
            const cw_evm_row_create *cr = cw_evmstore_create(s, i);
            const cw_evm_row_tx *t =
                cr && cr->tx != CW_EVM_NONE64 ? cw_evmstore_tx(s, cr->tx) : NULL;
            uint32_t x = cr ? cr->account : CW_EVM_NONE32;
            if (!t || x >= n)
                continue;
            uint64_t key = (uint64_t)t->from << 32 | t->to, k;
            const cw_evm_service *v = &sv->svc[x];
            bool have = cw_u64map_get(&ix, key, &k);
            if (pass == 2) {
                uint32_t h = have ? creator_collector(&g[k]) : CW_EVM_NONE32;
                if (h != CW_EVM_NONE32 && v->kind == CW_EVM_SVC_NONE && !a[x].n_out && a[x].n_in) {
                    sv->svc[x] = svc_of(CW_EVM_SVC_DEPOSIT, h, 0, 0,
                                        g[k].deps >= 10 ? 1.0 : g[k].deps / 10.0);
                    sv->svc[x].rule = CW_EVM_DEPOSIT_RULE_CREATOR;
                    sv->svc[x].payees = g[k].deps;
                    sv->svc[x].creator = t->from;
                    sv->svc[x].factory = t->to;
                }
                continue;
            }
            if (pass == 1) {
                if (a[x].n_out && (v->kind == CW_EVM_SVC_NONE || v->kind == CW_EVM_SVC_DEPOSIT))
                    creator_ties(&g[k], a, x, v->kind == CW_EVM_SVC_DEPOSIT);
                continue;
            }
            if (!have) {
                if ((rc = cw_grow(&g, &cap_g, n_g + 1, sizeof *g, 256)))
                    goto out;
                memset(&g[n_g], 0, sizeof *g);
                k = n_g++;
                if ((rc = cw_u64map_set(&ix, key, k)))
                    goto out;
            }
            creator_group *e = &g[k];
            if (v->kind == CW_EVM_SVC_DEPOSIT) {
                int j = par_ix(e, v->parent);
                if (j < 0 && e->n_par < MAX_SWEEP_TARGETS) {
                    j = (int)e->n_par++;
                    e->par[j] = v->parent;
                }
                if (j < 0)
                    e->bad = true; /* more collectors than an exchange has hot wallets */
                else
                    e->cnt[j]++;
                e->deps++;
            } else if (v->kind != CW_EVM_SVC_NONE) {
                e->bad = true; /* another service */
            }
        }
    }
out:
    free(g);
    cw_u64map_deinit(&ix);
    return rc;
}

int cw_evm_services_detect(cw_evm_services **out, const cw_evmstore *s)
{
    return cw_evm_services_detect_known(out, s, NULL);
}

int cw_evm_services_detect_known(cw_evm_services **out, const cw_evmstore *s,
                                 const uint8_t *custodial)
{
    cw_evm_counts c;
    cw_evmstore_counts(s, &c);
    int rc = 0;
    size_t n = (size_t)c.accounts;
    acct *a = calloc(n + 1, sizeof *a);
    uint32_t *feeders = calloc(n + 1, sizeof *feeders);
    uint8_t *lvl = calloc(n + 1, 1);
    uint8_t *ev = NULL;
    cw_evm_services *sv = calloc(1, sizeof *sv);
    cw_u64map bal_ix = {0}, den_ix = {0}, seen = {0};
    funnel_fed *fed = NULL;
    cw_u256 *bal = NULL;
    denoms *den = NULL;
    size_t n_bal = 0, cap_bal = 0, n_den = 0, cap_den = 0;
    if (!a || !feeders || !lvl || !sv || !(sv->svc = calloc(n + 1, sizeof *sv->svc))) {
        rc = cw_error_set(CW_ENOMEM, "out of memory recognising services");
        goto out;
    }
    sv->n = n;
    if ((rc = event_evidence(s, n, &ev)))
        goto out;
    for (size_t i = 0; i < n; i++) {
        a[i].target = CW_EVM_NONE32;
        a[i].senders_hint = CW_EVM_NONE32;
        a[i].payee_hint = CW_EVM_NONE32;
        a[i].custodial = custodial && (custodial[i / 8] >> (i % 8) & 1);
        sv->svc[i].parent = CW_EVM_NONE32;
    }
    /* pass 1 */
    for (uint64_t id = 0; id < c.moves; id++) {
        const cw_evm_row_move *m = cw_evmstore_move(s, id);
        if (!fungible(m))
            continue;
        if (m->from < n) {
            acct *f = &a[m->from];
            f->n_out++;
            if (f->target == CW_EVM_NONE32)
                f->target = m->to;
            else if (f->target != m->to)
                f->target = MANY;
            if (m->tx != CW_EVM_NONE64) {
                const cw_evm_row_tx *tx = cw_evmstore_tx(s, m->tx);
                f->n_own += tx && tx->from == m->from;
            }
            if (m->to != f->payee_hint) {
                f->payee_hint = m->to;
                f->n_payee_chg++;
            }
            if (f->n_targets <= MAX_SWEEP_TARGETS) {
                uint32_t k = 0;
                while (k < f->n_targets && f->targets[k] != m->to)
                    k++;
                if (k == f->n_targets) {
                    if (k < MAX_SWEEP_TARGETS)
                        f->targets[k] = m->to;
                    f->n_targets++;
                }
            }
        }
        if (m->to < n) {
            acct *t = &a[m->to];
            t->n_in++;
            if (m->from != t->senders_hint) {
                t->senders_hint = m->from;
                t->n_senders++;
            }
        }
    }
    /* sweep levels, lowest first: a level-L account's targets already have theirs */
    bool deeper = false;
    for (uint8_t l = 1; l <= MAX_FUNNEL; l++)
        for (size_t i = 0; i < n; i++)
            if (!lvl[i] && (lvl[i] = funnel_level(a, n, lvl, ev, (uint32_t)i)) > 1)
                deeper = true;
    /* pass 2: receipts from others than the target, full sweeps, denominations */
    for (uint64_t id = 0; id < c.moves; id++) {
        const cw_evm_row_move *m = cw_evmstore_move(s, id);
        if (!fungible(m))
            continue;
        cw_u256 amt = cw_evmstore_move_amount(s, m);
        if (m->to < n && lvl[m->to] && !is_target(a, m->to, m->from))
            a[m->to].n_in_other++;
        if (m->from < n && m->to < n && sweeper(lvl, n, m->to) && !is_target(a, m->to, m->from))
            a[m->from].n_onward++;
        if (deeper && m->to < n && lvl[m->to]) {
            const cw_evm_row_tx *tx = m->tx != CW_EVM_NONE64 ? cw_evmstore_tx(s, m->tx) : NULL;
            a[m->to].last_in_tx = m->tx;
            a[m->to].last_in_payer = tx && tx->from == m->from;
        }
        if (deeper && m->from < n && lvl[m->from] && m->tx != CW_EVM_NONE64 &&
            m->tx == a[m->from].last_in_tx && a[m->from].last_in_payer)
            a[m->from].n_relay++;
        uint32_t ends[2] = {m->to, m->from};
        for (int k = 0; k < 2; k++) {
            uint32_t x = ends[k];
            if (x >= n || !(lvl[x] || (deeper && passes_on(a, lvl, n, x))))
                continue;
            uint64_t key = (uint64_t)x << 32 | m->asset, ix;
            if (!cw_u64map_get(&bal_ix, key, &ix)) {
                if ((rc = cw_grow(&bal, &cap_bal, n_bal + 1, sizeof *bal, 1024)))
                    goto out;
                memset(&bal[n_bal], 0, sizeof *bal);
                ix = n_bal++;
                if ((rc = cw_u64map_set(&bal_ix, key, ix)))
                    goto out;
            }
            if (k == 0) {
                cw_u256_add(&bal[ix], &bal[ix], &amt);
            } else {
                if (cw_u256_sub(&bal[ix], &bal[ix], &amt))
                    memset(&bal[ix], 0, sizeof *bal); /* a store starting mid-chain */
                /* a full sweep leaves nothing, or (native) a gas remainder */
                cw_u256 limit = sweep_remainder(s, x, m->asset, m->tx, &amt);
                if (cw_u256_cmp(&bal[ix], &limit) <= 0)
                    a[x].n_full++;
            }
        }
        if (m->to < n && a[m->to].n_in >= MIXER_MIN_IN) {
            uint64_t key = (uint64_t)m->to << 32 | m->asset, ix;
            if (!cw_u64map_get(&den_ix, key, &ix)) {
                if ((rc = cw_grow(&den, &cap_den, n_den + 1, sizeof *den, 256)))
                    goto out;
                memset(&den[n_den], 0, sizeof *den);
                ix = n_den++;
                if ((rc = cw_u64map_set(&den_ix, key, ix)))
                    goto out;
            }
            denoms_add(&den[ix], &amt);
        }
    }
    /* mixer pools */
    for (size_t k = 0; den && k < den_ix.cap; k++) {
        const cw_u64pair *p = &den_ix.slots[k];
        if (p->val == UINT64_MAX)
            continue;
        uint32_t acc = (uint32_t)(p->key >> 32);
        const denoms *d = &den[p->val];
        uint32_t at = denoms_at(d);
        if (d->total < MIXER_MIN_IN || a[acc].n_senders < 5 || at * 5 < d->total * 4 ||
            a[acc].target != MANY)
            continue;
        sv->svc[acc] =
            svc_of(CW_EVM_SVC_MIXER, CW_EVM_NONE32, at, 0, (double)at / (double)d->total);
    }
    /* A collector (a hot wallet) pays out widely and is fed by at least
     * CW_EVM_DEPOSIT_MIN_FEEDERS sweepers: accounts that send only to a few wide payers, and
     * all they hold (full sweeps at least half of their sends), and receive from others. A
     * thief's hop that forwards everything to its deposit address is no sweeper: a deposit
     * address sweeps to a hot wallet or two, it does not pay out widely. */
    if (deeper && (rc = consolidations(sv, a, n, lvl, s, &c, &seen, &fed)))
        goto out;
    for (size_t i = 0; i < n; i++) {
        if (!sweeper(lvl, n, (uint32_t)i) || !a[i].n_in_other || a[i].n_full * 2 < a[i].n_out ||
            sv->svc[i].kind == CW_EVM_SVC_MIXER)
            continue;
        for (uint32_t k = 0; k < a[i].n_targets; k++)
            if (sv->svc[a[i].targets[k]].kind != CW_EVM_SVC_MIXER)
                feeders[a[i].targets[k]]++;
    }
    for (size_t i = 0; i < n; i++) {
        if (!sweeper(lvl, n, (uint32_t)i) || !a[i].n_in_other || a[i].n_full * 2 < a[i].n_out ||
            sv->svc[i].kind != CW_EVM_SVC_NONE)
            continue;
        uint32_t h = CW_EVM_NONE32;
        for (uint32_t k = 0; k < a[i].n_targets; k++) {
            uint32_t x = a[i].targets[k];
            if (sv->svc[x].kind != CW_EVM_SVC_MIXER && !ev[x] &&
                feeders[x] >= CW_EVM_DEPOSIT_MIN_FEEDERS && !pays_into_funnels(a, n, x) &&
                (h == CW_EVM_NONE32 || feeders[x] > feeders[h]))
                h = x;
        }
        if (h == CW_EVM_NONE32)
            continue;
        mark_deposit(sv, a, (uint32_t)i, h, feeders[h]);
    }
    if ((rc = creator_deposits(sv, a, n, s, &c)))
        goto out;
    /* bridges last: only accounts no other rule recognised */
    if ((rc = lock_bridges(sv, a, n, s, &c, ev)))
        goto out;
    if ((rc = event_bridges(sv, n, s, &c, ev)))
        goto out;
    *out = sv;
    sv = NULL;
out:
    free(a);
    free(feeders);
    free(lvl);
    free(ev);
    free(fed);
    cw_u64map_deinit(&seen);
    free(bal);
    free(den);
    cw_u64map_deinit(&bal_ix);
    cw_u64map_deinit(&den_ix);
    cw_evm_services_free(sv);
    return rc;
}

void cw_evm_services_free(cw_evm_services *sv)
{
    if (!sv)
        return;
    free(sv->svc);
    free(sv);
}

const cw_evm_service *cw_evm_services_get(const cw_evm_services *sv, uint32_t account)
{
    if (!sv || account >= sv->n || sv->svc[account].kind == CW_EVM_SVC_NONE)
        return NULL;
    return &sv->svc[account];
}

size_t cw_evm_services_count(const cw_evm_services *sv, int kind)
{
    size_t k = 0;
    for (size_t i = 0; sv && i < sv->n; i++)
        k += sv->svc[i].kind == kind;
    return k;
}

bool cw_evm_services_one_use(const cw_evm_services *sv, uint32_t collector)
{
    const cw_evm_service *c = cw_evm_services_get(sv, collector);
    return c && c->kind == CW_EVM_SVC_COLLECTOR && c->n >= CW_EVM_ONE_USE_MIN &&
           (uint64_t)c->reused * CW_EVM_ONE_USE_RATIO < c->n;
}

const char *cw_evm_service_name(int kind)
{
    switch (kind) {
    case CW_EVM_SVC_DEPOSIT:
        return "exchange deposit address";
    case CW_EVM_SVC_COLLECTOR:
        return "collector (exchange hot wallet)";
    case CW_EVM_SVC_MIXER:
        return "mixer pool";
    case CW_EVM_SVC_CONSOLIDATION:
        return "consolidation address (exchange)";
    case CW_EVM_SVC_BRIDGE:
        return "bridge (deposits from many, released to others in relayers' txs)";
    default:
        return "none";
    }
}
