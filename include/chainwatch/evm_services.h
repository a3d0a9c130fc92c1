/*
 * evm_services.h: services recognised on an EVM store from behaviour (docs/TRACE-MODELS.md,
 * "Account model: services"). Each recognition is a judgement and carries a score in (0, 1].
 *
 *   deposit address  an account that sends only to a few (at most 4: an exchange's hot
 *                    wallets) collectors, and all it holds in at least half of its sends (the
 *                    balance of that asset left at zero, or a native remainder for gas: under
 *                    0.01 of the sweep or, on a sweep the account sent itself, at most twice
 *                    that sweep's fee), and receives from others. A collector pays out widely
 *                    (to more than 4 accounts, changing payee at least 5 times, by at least 5
 *                    transactions of its own: withdrawals; a pool or router pays in its
 *                    callers' txs), at least CW_EVM_DEPOSIT_MIN_FEEDERS such accounts feed it,
 *                    and fewer than half of its sends go into other deposit-address
 *                    candidates (a customer paying into exchanges, such as a thief's gathering
 *                    address, is no hot wallet); an account the caller knows to be a custodial
 *                    collector (cw_evm_services_detect_known) is one whatever it pays here. So a
 * thief's hop that forwards everything to its own deposit address is not taken for a deposit
 * address: that deposit address pays no one but the hot wallets. Score: feeders / 10 (at most 1)
 *                    times the share of full sweeps. The senders into a deposit address are the
 *                    customers behind it. A collector whose deposit addresses are each paid once
 *                    (one order, one address: cw_evm_services_one_use) is a service, not known
 *                    to be an exchange. A deposit contract that has sent nothing yet (not
 *                    swept when the store ends) is known by the tx that created it
 *                    (CW_EVM_DEPOSIT_RULE_CREATOR below).
 *   consolidation    an account that sweeps all it holds to a collector (or to another
 *   address          consolidation address) by sweeps of its own (not passing a caller's
 *                    payment on in the caller's tx, as a router does), fed by at least 10
 *                    forwarders (accounts that sweep all they hold to it), behind which at
 *                    least 10 distinct depositors (accounts sweeping to no one that pay more
 *                    than 4 accounts, or 2-4 without emptying themselves in half of their
 *                    sends) pay in, one for every two forwarders at least. Its forwarders
 *                    are deposit addresses of the collector it sweeps to (deposit ->
 *                    consolidation -> hot wallet, up to 3 levels), scored depositors / 10 (at
 *                    most 1) times their share of full sweeps. Score: its share of full
 *                    sweeps.
 *   mixer pool       an account whose incoming movements (at least 10, from at least 5
 *                    senders) are 80 % or more of a few fixed amounts (at most 4
 *                    denominations, each seen at least 5 times: the most frequent amounts,
 *                    whatever they are, counted with a space-saving table so that stray
 *                    amounts never crowd one out), paid out to many others.
 *                    Score: the share of incoming movements at those denominations.
 *   bridge           a lock-and-release bridge (a contract: it sends no transaction of its
 *                    own) that takes deposits and pays releases, with no same-tx or
 *                    per-sender relation between the two: at least CW_EVM_BRIDGE_MIN_DEPOSITS
 *                    deposits (value in, in a tx its payer sent, nothing out in that tx) from
 *                    at least CW_EVM_BRIDGE_MIN_SENDERS distinct senders, and at least
 *                    CW_EVM_BRIDGE_MIN_RELEASES releases (value out, in a tx that someone else
 *                    sent - a relayer - to a recipient other than that tx's sender, nothing in
 *                    in that tx) to at least CW_EVM_BRIDGE_MIN_RECIPIENTS distinct recipients;
 *                    80 % or more of its paying txs are releases and of its receiving txs
 *                    deposits (a DEX pool or router pays out in the tx that paid it, WETH,
 *                    a staking or lending contract or an airdrop pays the tx's own sender),
 *                    and at most half of its releases go to an earlier depositor (an escrow
 *                    or vesting contract pays its own depositors back). Only accounts no
 *                    other rule recognised (a mixer pool's relayed withdrawals look the same;
 *                    its denominations decide first). Score: min(1, senders / 20) x
 *                    min(1, recipients / 20) x the share of its paying txs that are releases.
 *   bridge by        an account (the pool of an Across-like bridge) whose deposits carry
 *   deposit events   events naming a destination chain and recipient (CW_EVM_EVENT_BRIDGE_*),
 *                    and whose payouts - value out in a tx that paid it nothing; a relayer's
 *                    fill it forwards in the relayer's own call is a pass-through, none - do not
 *                    go back to its depositors at deposit amounts (the bulk refunds to a few
 *                    relayers are sums of many fills; a lock-and-release bridge's releases go
 *                    to others): at most one in CW_EVM_EVENT_BRIDGE_BACK to a depositor at a
 *                    deposit's amount (an escrow). Only accounts no other rule recognised.
 *                    Score: min(1, depositors / 20) x the share of payouts that are not. The
 *                    trace stops there; the exit shows the event's destination.
 * A DEX pool needs no recognition: the trace reads swaps from each transaction's net flows.
 */
#ifndef CHAINWATCH_EVM_SERVICES_H
#define CHAINWATCH_EVM_SERVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chainwatch/evm/memo.h"
#include "chainwatch/evm/store.h"

#define CW_EVM_DEPOSIT_MIN_FEEDERS 5

enum {
    CW_EVM_SVC_NONE = 0,
    CW_EVM_SVC_DEPOSIT = 1,
    CW_EVM_SVC_COLLECTOR = 2,
    CW_EVM_SVC_MIXER = 3,
    CW_EVM_SVC_CONSOLIDATION = 4,
    CW_EVM_SVC_BRIDGE = 5
};

typedef struct cw_evm_service {
    uint8_t kind;    /* CW_EVM_SVC_* */
    uint32_t parent; /* a deposit or consolidation address's collector; else CW_EVM_NONE32 */
    uint32_t n;      /* collector: its deposit addresses; deposit: its sweeps; mixer: deposits;
                        consolidation: the deposit addresses that feed it; bridge: its
                        releases */
    uint32_t reused; /* collector: its deposit addresses paid by others more than once;
                        bridge: its deposits */
    double score;
    uint8_t rule;    /* bridge: CW_EVM_BRIDGE_RULE_*; deposit: CW_EVM_DEPOSIT_RULE_* (which
                        evidence recognised it) */
    uint32_t payees; /* bridge: the distinct accounts it paid out to; deposit by its creator:
                        its siblings (the creations of the same sender and contract recognised
                        as the collector's deposit addresses by their sweeps) */
    uint32_t creator, factory; /* deposit by its creator: the sender and the `to` of the tx that
                                  created it (factory CW_EVM_NONE32: a creation tx) */
} cw_evm_service;

enum {
    CW_EVM_DEPOSIT_RULE_SWEEPS = 0, /* its sweeps (the deposit-address rule above) */
    /* not yet swept (it has sent nothing): created in a tx of the same sender to the same
     * contract (an exchange's deployer calling its deposit-contract factory) as at least
     * CW_EVM_DEPOSIT_MIN_FEEDERS deposit addresses recognised by their sweeps, of one
     * collector or of at most 4 that its sweepers tie into one exchange (one sweeps to two of
     * them), and every other creation of that sender and contract that has sent anything sent
     * to those collectors alone (a wallet, Safe proxy or ERC-4337 account factory called by many
     * parties, or by a bundler for many users, makes accounts that pay others: no evidence).
     * Its collector: the one with most of them. Probable, as every recognition; score
     * siblings / 10 (at most 1). */
    CW_EVM_DEPOSIT_RULE_CREATOR = 1
};

enum {
    CW_EVM_BRIDGE_RULE_LOCK_RELEASE = 0, /* deposits and releases (above) */
    CW_EVM_BRIDGE_RULE_EVENTS = 1        /* deposit events and payouts (below) */
};

/* A collector whose deposit addresses are used once: at least CW_EVM_ONE_USE_MIN of them, and
 * fewer than one in CW_EVM_ONE_USE_RATIO paid (by others than the collector) more than once.
 * An exchange gives each customer a deposit address for good, so customers who come back pay
 * the same address again; a service that takes one payment per order at a fresh address (an
 * instant exchange, a payment processor's invoices, a custodial mixer's orders) does not. */
#define CW_EVM_ONE_USE_MIN 20
#define CW_EVM_ONE_USE_RATIO 50

/* A lock-and-release bridge (see above). */
#define CW_EVM_BRIDGE_MIN_DEPOSITS 20
#define CW_EVM_BRIDGE_MIN_SENDERS 10
#define CW_EVM_BRIDGE_MIN_RELEASES 10
#define CW_EVM_BRIDGE_MIN_RECIPIENTS 10
/* A bridge by its deposit events: at least CW_EVM_EVENT_BRIDGE_MIN_TXS transactions carry an event
 * the account emitted (the tx's `to`, or the contract a router called) naming a destination chain
 * and recipient (evm/memo.h CW_EVM_MEMO_SRC_EVENT: Across FundsDeposited/V3FundsDeposited,
 * Multichain LogAnySwapOut, Wormhole, Locked; a destination read from a deposit call's input is
 * no evidence), sent by at least CW_EVM_EVENT_BRIDGE_MIN_SENDERS distinct accounts. Such an
 * account is never taken for a hot wallet, a deposit address or a collector; and when no other
 * rule recognised it, it is a bridge unless more than one in CW_EVM_EVENT_BRIDGE_BACK of its
 * payouts (value out in a tx that paid it nothing) goes back to a depositor at a deposit's
 * amount (see "bridge by deposit events" above). */
#define CW_EVM_EVENT_BRIDGE_MIN_TXS 5
#define CW_EVM_EVENT_BRIDGE_MIN_SENDERS 3
#define CW_EVM_EVENT_BRIDGE_BACK 5
typedef struct cw_evm_services cw_evm_services;

/* The account a memo row speaks for (docs/STORE-FORMAT.md "Memos", format 4): the row's emitter,
 * resolved at ingest (the tx's `to` for a calldata row, the log's address for a log's row). One
 * corner: a deposit event's row (source CW_EVM_MEMO_SRC_EVENT) whose emitter had no account yet
 * at ingest (CW_EVM_NONE32: the contract first moved value after the tx) but whose text names it
 * (`:@0x...`) speaks for that account when the store has it now: the contract is the same, only
 * its id came later. CW_EVM_NONE32 when the emitter is no account of the store. */
uint32_t cw_evm_memo_row_emitter(const cw_evmstore *s, const cw_evm_row_memo *m);

/* Two passes over the store's movements. *out owned by the caller. */
int cw_evm_services_detect(cw_evm_services **out, const cw_evmstore *s);
/* The same, knowing some accounts to be custodial services' collectors (custodial: a bitmap,
 * bit i of byte i / 8 for account i, covering every account of the store; NULL none): such an
 * account counts as paying out widely whatever it pays on this chain (a hot wallet that pays its
 * customers on other chains only), so the accounts that sweep into it are deposit addresses by
 * the rule above. The caller decides what it knows (the trace: accounts labelled exchange). */
int cw_evm_services_detect_known(cw_evm_services **out, const cw_evmstore *s,
                                 const uint8_t *custodial);
void cw_evm_services_free(cw_evm_services *sv);
/* The service an account is recognised as, or NULL (borrowed until free). */
const cw_evm_service *cw_evm_services_get(const cw_evm_services *sv, uint32_t account);
/* How many accounts are recognised as kind. */
size_t cw_evm_services_count(const cw_evm_services *sv, int kind);
const char *cw_evm_service_name(int kind);
/* True for a collector whose deposit addresses are used once (see CW_EVM_ONE_USE_MIN). */
bool cw_evm_services_one_use(const cw_evm_services *sv, uint32_t collector);

#endif
