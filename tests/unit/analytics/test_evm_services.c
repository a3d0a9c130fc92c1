/*
 * test_evm_services.c: a lock-and-release bridge recognised by behaviour (evm_services.h,
 * "bridge"; docs/TRACE-MODELS.md "A bridge without memos"), on a store built by hand, beside
 * the honest look-alikes that must not be taken for one:
 *   B  the bridge: 25 users deposit 10..34 in their own txs; a relayer's txs release 5..19 to
 *      15 other accounts (internal calls from B), nothing in those txs paying B;
 *   P  a pool: the same users pay and get all but 1 back in the same tx (a swap);
 *   E  an escrow: 25 deposits, and the relayer's txs pay 15 of the depositors back;
 *   A  an airdrop: 25 deposits, and 15 claimants each call it and are paid (recipient = the
 *      tx's sender).
 * Only B is a bridge, and the stop policy stops the trace there as a bridge. And worked example
 * 21, a contract hot wallet (below), a labelled hot wallet that pays nothing here, and deposit
 * contracts not yet swept, known by their creator.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/acct_evm.h"
#include "chainwatch/acct_policy.h"
#include "chainwatch/errors.h"
#include "chainwatch/evm/memo.h"
#include "chainwatch/evm/query.h"
#include "chainwatch/evm/store.h"
#include "chainwatch/evm_services.h"
#include "chainwatch/keccak.h"
#include "chainwatch/util.h"
#include "chainwatch/xchain.h"
#include "harness.h"

enum { U0 = 1, NU = 25, V0 = 60, NV = 15, REL = 100, B = 150, P = 151, E = 152, A = 153 };

static cw_evm_addr ADDR(int i)
{
    cw_evm_addr a;
    memset(&a, 0, sizeof a);
    a.b[0] = 0xbb;
    a.b[19] = (uint8_t)i;
    return a;
}

static cw_evm_hash HASH(int kind, int i)
{
    cw_evm_hash h;
    memset(&h, 0x11 * kind, sizeof h);
    h.b[30] = (uint8_t)(i >> 8);
    h.b[31] = (uint8_t)i;
    h.b[0] = (uint8_t)(kind * 37 + i);
    return h;
}

static void header(cw_evm_block *b, uint64_t n)
{
    cw_evm_block_reset(b);
    b->number = n;
    b->hash = HASH(1, (int)n);
    b->parent_hash = n ? HASH(1, (int)n - 1) : HASH(9, 9);
    b->timestamp = 1700000000 + 12 * n;
    b->miner = ADDR(200);
    b->has_base_fee = true;
    cw_u256_from_u64(&b->base_fee, 1);
    b->has_receipts = b->has_logs = b->has_traces = true;
}

/* an internal call cfrom -> cto of v in tx t, at trace address [ta] */
static int call(cw_evm_block *b, const cw_evm_tx *t, int cfrom, int cto, uint64_t v, uint32_t ta)
{
    cw_evm_trace *tr = cw_evm_block_add_trace(b);
    tr->tx_index = t->index;
    tr->tx_hash = t->hash;
    tr->type = CW_EVM_TRACE_CALL;
    tr->call_type = CW_EVM_CALL_CALL;
    tr->status = 1;
    tr->from = ADDR(cfrom);
    tr->to = ADDR(cto);
    tr->has_from = tr->has_to = true;
    cw_u256_from_u64(&tr->value, v);
    uint32_t off = 0;
    int rc = cw_evm_block_put_bytes(b, &ta, 4, &off);
    b->traces[b->n_traces - 1].ta_off = off;
    b->traces[b->n_traces - 1].ta_len = 1;
    return rc;
}

/* a tx from -> to of value; with cv, an internal call cfrom -> cto of cv in it */
static void txc(cw_evm_block *b, int from, int to, uint64_t value, int cfrom, int cto, uint64_t cv)
{
    static int serial;
    cw_evm_tx *t = cw_evm_block_add_tx(b);
    t->hash = HASH(2, ++serial);
    t->index = (uint32_t)b->n_txs - 1;
    t->from = ADDR(from);
    t->to = ADDR(to);
    t->has_to = true;
    cw_u256_from_u64(&t->value, value);
    t->gas = 100000;
    t->gas_used = 21000;
    t->has_receipt = true;
    t->status = CW_EVM_STATUS_OK;
    cw_u256_from_u64(&t->effective_gas_price, 1);
    b->tx_count = b->n_txs;
    if (cv)
        REQUIRE(call(b, t, cfrom, cto, cv, 0) == 0);
}

static uint32_t id_of(const cw_evmstore *s, int i)
{
    cw_evm_addr a = ADDR(i);
    uint32_t id = 0;
    CHECK(cw_evmstore_find_account(s, &a, &id) == 0);
    return id;
}

/* Opens a new store *sp at TMP/name and appends block 0 paying each of funded[0..nf) 10^8 wei at
 * genesis; b is left initialised for the next blocks. */
static void genesis_store(cw_evmstore **sp, const char *name, cw_evm_block *b, const int *funded,
                          int nf)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", cw_test_tmpdir(), name);
    REQUIRE(cw_evmstore_open(sp, path, true, "ethereum") == 0);
    cw_evmstore *s = *sp;
    cw_evm_block_init(b);
    header(b, 0);
    for (int i = 0; i < nf; i++) {
        cw_evm_trace *t = cw_evm_block_add_trace(b);
        t->tx_index = UINT32_MAX;
        t->type = CW_EVM_TRACE_GENESIS;
        t->status = 1;
        t->to = ADDR(funded[i]);
        t->has_to = true;
        cw_u256_from_u64(&t->value, 100000000);
    }
    REQUIRE(cw_evm_block_finish(b) == 0);
    REQUIRE(cw_evmstore_append(s, b) == 0);
}

/* Commits and closes *sp, frees b, and opens the store again read-only. */
static void reopen(cw_evmstore **sp, cw_evm_block *b, const char *name)
{
    cw_evmstore *s = *sp;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", cw_test_tmpdir(), name);
    REQUIRE(cw_evmstore_commit(s) == 0);
    cw_evm_block_free(b);
    REQUIRE(cw_evmstore_close(s) == 0);
    REQUIRE(cw_evmstore_open(sp, path, false, NULL) == 0);
}

static void test_lock_bridge(void)
{
    int funded[NU + NV + 1];
    int nf = 0;
    for (int i = 0; i < NU; i++)
        funded[nf++] = U0 + i;
    for (int i = 0; i < NV; i++)
        funded[nf++] = V0 + i;
    funded[nf++] = REL;
    cw_evm_block b;
    cw_evmstore *s;
    genesis_store(&s, "s", &b, funded, nf);
    /* block 1: deposits into B, E and A; swaps at P */
    header(&b, 1);
    for (int i = 0; i < NU; i++) {
        /* amounts vary (fixed ones would make a mixer pool) */
        uint64_t v = 10 + (uint64_t)i;
        txc(&b, U0 + i, B, v, 0, 0, 0);
        txc(&b, U0 + i, P, v, P, U0 + i, v - 1);
        txc(&b, U0 + i, E, v, 0, 0, 0);
        txc(&b, U0 + i, A, v, 0, 0, 0);
    }
    REQUIRE(cw_evm_block_finish(&b) == 0);
    REQUIRE(cw_evmstore_append(s, &b) == 0);
    /* block 2: B releases to others, E pays depositors back, A pays its claimants */
    header(&b, 2);
    for (int i = 0; i < NV; i++) {
        txc(&b, REL, B, 0, B, V0 + i, 5 + (uint64_t)i);
        txc(&b, REL, E, 0, E, U0 + i, 5 + (uint64_t)i);
        txc(&b, V0 + i, A, 0, A, V0 + i, 5 + (uint64_t)i);
    }
    REQUIRE(cw_evm_block_finish(&b) == 0);
    REQUIRE(cw_evmstore_append(s, &b) == 0);
    reopen(&s, &b, "s");
    cw_evm_services *sv;
    REQUIRE(cw_evm_services_detect(&sv, s) == 0);
    const cw_evm_service *x = cw_evm_services_get(sv, id_of(s, B));
    REQUIRE(x);
    CHECK_EQ_INT(x->kind, CW_EVM_SVC_BRIDGE);
    CHECK_EQ_INT(x->n, NV);                   /* releases */
    CHECK_EQ_INT(x->reused, NU);              /* deposits */
    CHECK(x->score > 0.7 && x->score <= 1.0); /* 20+ senders, 15 of 20 recipients, all releases */
    const int honest[3] = {P, E, A};
    for (int k = 0; k < 3; k++) {
        const cw_evm_service *h = cw_evm_services_get(sv, id_of(s, honest[k]));
        CHECK(!h || h->kind != CW_EVM_SVC_BRIDGE);
    }
    CHECK_EQ_INT(cw_evm_services_count(sv, CW_EVM_SVC_BRIDGE), 1);
    cw_evm_services_free(sv);

    /* the policy the trace, the server and the monitor share: B stops as a bridge (probable,
     * recognised), the look-alikes do not */
    cw_acct_policy *pol;
    REQUIRE(cw_acct_policy_new(&pol, s, NULL, NULL) == 0);
    cw_acct_policy_why why;
    CHECK_EQ_INT(cw_acct_policy_stop(pol, id_of(s, B), &why), CW_ACCT_STOP_BRIDGE);
    CHECK_EQ_INT(why, CW_ACCT_WHY_SERVICE);
    for (int k = 0; k < 3; k++)
        CHECK(cw_acct_policy_stop(pol, id_of(s, honest[k]), NULL) != CW_ACCT_STOP_BRIDGE);
    json_t *j = cw_acct_policy_recognised_json(pol, id_of(s, B));
    REQUIRE(j);
    CHECK(json_is_true(json_object_get(j, "probable")));
    CHECK_EQ_STR(json_string_value(json_object_get(json_object_get(j, "bridge_evidence"), "rule")),
                 "lock_release");
    json_decref(j);
    cw_acct_policy_free(pol);
    cw_evmstore_close(s);
}

/*
 * Worked example 21 (docs/TRACE-MODELS.md): a contract hot wallet H (unlabelled, never sends a
 * tx): 24 customers C pay their deposit addresses D twice, each D sweeps everything it holds
 * (less its fee) into H in its own tx, and an operator O's txs make H pay 15 withdrawals to others.
 * H has the bridge's shape (deposits in the payers' txs, payouts in someone else's), but every
 * payer of H is a sweeper into it: H is the Ds' collector, each D a deposit address. The
 * look-alike: a bridge G that 20 users pay from their wallets and 6 of a thief's hops pay
 * everything they got: a few sweepers among many payers, G stays a bridge and the hops are no
 * deposit addresses.
 */
enum {
    C0 = 1,
    ND = 24,
    D0 = 30,
    R0 = 60,
    NR = 15,
    OP = 79,
    H = 80,
    G = 81,
    GU0 = 90,
    NGU = 20,
    TH = 120,
    T0 = 121,
    NT = 6,
    GR0 = 130
};

static void test_contract_hot_wallet(void)
{
    int funded[ND + NGU + 2];
    int nf = 0;
    for (int i = 0; i < ND; i++)
        funded[nf++] = C0 + i;
    for (int i = 0; i < NGU; i++)
        funded[nf++] = GU0 + i;
    funded[nf++] = OP;
    funded[nf++] = TH;
    cw_evm_block b;
    cw_evmstore *s;
    genesis_store(&s, "h", &b, funded, nf);
    /* block 1: customers pay their deposit addresses; users and the thief's hops are paid */
    header(&b, 1);
    for (int i = 0; i < ND; i++) {
        txc(&b, C0 + i, D0 + i, 60000 + 1000 * (uint64_t)i, 0, 0, 0);
        txc(&b, C0 + i, D0 + i, 40000, 0, 0, 0);
    }
    for (int i = 0; i < NT; i++)
        txc(&b, TH, T0 + i, 200000 + 1000 * (uint64_t)i, 0, 0, 0);
    REQUIRE(cw_evm_block_finish(&b) == 0);
    REQUIRE(cw_evmstore_append(s, &b) == 0);
    /* block 2: the sweeps into H (all but the fee), the deposits into G (users part of what
     * they hold, the hops everything) */
    header(&b, 2);
    for (int i = 0; i < ND; i++)
        txc(&b, D0 + i, H, 100000 + 1000 * (uint64_t)i - 21000, 0, 0, 0);
    for (int i = 0; i < NGU; i++)
        txc(&b, GU0 + i, G, 50000 + 700 * (uint64_t)i, 0, 0, 0);
    for (int i = 0; i < NT; i++)
        txc(&b, T0 + i, G, 200000 + 1000 * (uint64_t)i - 21000, 0, 0, 0);
    REQUIRE(cw_evm_block_finish(&b) == 0);
    REQUIRE(cw_evmstore_append(s, &b) == 0);
    /* block 3: the operator's txs make H pay withdrawals; G releases to others (relayer OP) */
    header(&b, 3);
    for (int i = 0; i < NR; i++) {
        txc(&b, OP, H, 0, H, R0 + i, 30000 + 500 * (uint64_t)i);
        txc(&b, OP, G, 0, G, GR0 + i, 20000 + 300 * (uint64_t)i);
    }
    REQUIRE(cw_evm_block_finish(&b) == 0);
    REQUIRE(cw_evmstore_append(s, &b) == 0);
    reopen(&s, &b, "h");
    cw_evm_services *sv;
    REQUIRE(cw_evm_services_detect(&sv, s) == 0);
    const cw_evm_service *x = cw_evm_services_get(sv, id_of(s, H));
    REQUIRE(x);
    CHECK_EQ_INT(x->kind, CW_EVM_SVC_COLLECTOR);
    CHECK_EQ_INT(x->n, ND); /* its deposit addresses */
    for (int i = 0; i < ND; i++) {
        const cw_evm_service *d = cw_evm_services_get(sv, id_of(s, D0 + i));
        REQUIRE(d);
        CHECK_EQ_INT(d->kind, CW_EVM_SVC_DEPOSIT);
        CHECK_EQ_INT(d->parent, id_of(s, H));
    }
    const cw_evm_service *g = cw_evm_services_get(sv, id_of(s, G));
    REQUIRE(g);
    CHECK_EQ_INT(g->kind, CW_EVM_SVC_BRIDGE);
    for (int i = 0; i < NT; i++)
        CHECK(!cw_evm_services_get(sv, id_of(s, T0 + i)));
    cw_evm_services_free(sv);
    /* the policy: a deposit address stops as an exchange (its customers come back: no one-use
     * service), H is no bridge, G is */
    cw_acct_policy *pol;
    REQUIRE(cw_acct_policy_new(&pol, s, NULL, NULL) == 0);
    CHECK_EQ_INT(cw_acct_policy_stop(pol, id_of(s, D0), NULL), CW_ACCT_STOP_EXCHANGE);
    CHECK(cw_acct_policy_stop(pol, id_of(s, H), NULL) != CW_ACCT_STOP_BRIDGE);
    CHECK_EQ_INT(cw_acct_policy_stop(pol, id_of(s, G), NULL), CW_ACCT_STOP_BRIDGE);
    CHECK(cw_acct_policy_stop(pol, id_of(s, T0), NULL) != CW_ACCT_STOP_EXCHANGE);
    cw_acct_policy_free(pol);
    cw_evmstore_close(s);
}

/*
 * Worked example 22 (docs/TRACE-MODELS.md): an Across-like pool X (unlabelled, never sends a
 * tx). 12 users deposit 1000 + 37 i wei each in their own txs, each with a V3FundsDeposited event
 * naming chain 10 and a recipient there; a relayer's fills of deposits from other chains pass
 * through X in its own calls (relayer -> X -> 10 recipients, same tx); a dataworker's txs make X
 * pay 3 relayers bulk refunds (5000, 4100, 3300: sums of fills, matching no deposit), one of
 * whom once deposited 2222 into X itself. X is a bridge by its deposit events, and the trace
 * stops there. Look-alikes: an escrow Y whose
 * deposits carry the same events but which pays 10 of its depositors their own amounts back
 * (no bridge); a batch sender Z paying 12 recipients in its payer's call (no events: no bridge).
 * And the guard of the hot-wallet rule: a lock-and-release bridge F that 20 fresh wallets (topped
 * up by another account) each pay everything they hold (every payer a sweeper into it), each
 * deposit with a Locked event, and that releases to 15 others in a relayer's txs: a bridge, never a
 * hot wallet.
 */
enum {
    XU0 = 1,
    NXU = 12,
    XV0 = 20,
    NXV = 10,
    XR0 = 40, /* 3 relayers */
    XDW = 45,
    XP = 50, /* the pool */
    XY = 51, /* escrow */
    XZ = 52, /* batch sender */
    FW0 = 60,
    NFW = 20,
    FR0 = 90,
    NFR = 15,
    XF = 120
};

static void put_word(uint8_t *p, uint64_t v)
{
    memset(p, 0, 32);
    for (int i = 0; i < 8; i++)
        p[31 - i] = (uint8_t)(v >> (8 * i));
}

static void put_addr(uint8_t *p, int i)
{
    memset(p, 0, 12);
    cw_evm_addr a = ADDR(i);
    memcpy(p + 12, a.b, 20);
}

/* a deposit event from `emitter` in the block's last tx: V3FundsDeposited (4 topics: chain,
 * deposit id, depositor; recipient in data word 7) or, with locked, Locked (topic sender; data
 * chain, recipient, amount) */
static void dep_event(cw_evm_block *b, int emitter, int depositor, uint64_t chain, int recipient,
                      uint64_t amount, bool locked)
{
    static uint32_t log_index;
    const cw_evm_tx *t = &b->txs[b->n_txs - 1];
    cw_evm_log *l = cw_evm_block_add_log(b);
    memset(l, 0, sizeof *l);
    l->log_index = log_index++;
    l->tx_index = t->index;
    l->tx_hash = t->hash;
    l->address = ADDR(emitter);
    uint8_t d[32 * 11];
    memset(d, 0, sizeof d);
    const char *sig = locked ? "Locked(address,uint256,bytes32,uint256)"
                             : "V3FundsDeposited(address,address,uint256,uint256,uint256,uint32,"
                               "uint32,uint32,uint32,address,address,address,bytes)";
    cw_keccak256(l->topics[0].b, sig, strlen(sig));
    size_t n;
    if (locked) {
        put_addr(l->topics[1].b, depositor);
        l->n_topics = 2;
        put_word(d, chain);
        put_addr(d + 32, recipient);
        put_word(d + 64, amount);
        n = 96;
    } else {
        put_word(l->topics[1].b, chain);
        put_word(l->topics[2].b, log_index);
        put_addr(l->topics[3].b, depositor);
        l->n_topics = 4;
        put_word(d + 64, amount);
        put_word(d + 96, amount - amount / 400);
        put_addr(d + 32 * 7, recipient);
        put_word(d + 32 * 9, 0x140);
        n = sizeof d;
    }
    REQUIRE(cw_evm_block_put_bytes(b, d, n, &l->data_off) == 0);
    l->data_len = (uint32_t)n;
}

static void test_event_bridge(void)
{
    int funded[NXU + 3 + 1 + NFW + 1];
    int nf = 0;
    for (int i = 0; i < NXU; i++)
        funded[nf++] = XU0 + i;
    for (int i = 0; i < 3; i++)
        funded[nf++] = XR0 + i;
    funded[nf++] = XDW;
    for (int i = 0; i < NFW; i++)
        funded[nf++] = FW0 + i;
    cw_evm_block b;
    cw_evmstore *s;
    genesis_store(&s, "x", &b, funded, nf);
    /* block 1: deposits into X and Y with events; a payment through Z; the fresh wallets pay F
     * everything they hold (less the fee), each with a Locked event */
    header(&b, 1);
    for (int i = 0; i < NXU; i++) {
        uint64_t v = 1000 + 37 * (uint64_t)i;
        txc(&b, XU0 + i, XP, v, 0, 0, 0);
        dep_event(&b, XP, XU0 + i, 10, 200 + i, v, false);
        txc(&b, XU0 + i, XY, v + 1, 0, 0, 0);
        dep_event(&b, XY, XU0 + i, 10, 200 + i, v + 1, false);
        txc(&b, XU0 + i, XZ, 500 + 13 * (uint64_t)i, XZ, XV0 + (i % NXV), 500 + 13 * (uint64_t)i);
    }
    /* relayer 1 bridges some of its own funds through X too (it is a depositor; its refund
     * below is a sum of fills, no deposit's amount) */
    txc(&b, XR0, XP, 2222, 0, 0, 0);
    dep_event(&b, XP, XR0, 8453, 240, 2222, false);
    for (int i = 0; i < NFW; i++) {
        uint64_t v = 100000000 + 1000 * (uint64_t)i - 21000;
        txc(&b, XDW, FW0 + i, 1000 * (uint64_t)i, 0, 0, 0);
        txc(&b, FW0 + i, XF, v, 0, 0, 0);
        dep_event(&b, XF, FW0 + i, 42161, 220 + i, v, true);
    }
    REQUIRE(cw_evm_block_finish(&b) == 0);
    REQUIRE(cw_evmstore_append(s, &b) == 0);
    /* block 2: fills through X in the relayers' calls; refunds to the relayers in the
     * dataworker's txs; Y pays 10 depositors their own amounts back; F releases to others */
    header(&b, 2);
    for (int i = 0; i < NXV; i++)
        txc(&b, XR0 + i % 3, XP, 700 + 11 * (uint64_t)i, XP, XV0 + i, 700 + 11 * (uint64_t)i);
    const uint64_t refund[3] = {5000, 4100, 3300};
    for (int i = 0; i < 3; i++)
        txc(&b, XDW, XP, 0, XP, XR0 + i, refund[i]);
    for (int i = 0; i < NXV; i++)
        txc(&b, XDW, XY, 0, XY, XU0 + i, 1000 + 37 * (uint64_t)i + 1);
    for (int i = 0; i < NFR; i++)
        txc(&b, XDW, XF, 0, XF, FR0 + i, 3000000 + 1000 * (uint64_t)i);
    REQUIRE(cw_evm_block_finish(&b) == 0);
    REQUIRE(cw_evmstore_append(s, &b) == 0);
    reopen(&s, &b, "x");
    cw_evm_services *sv;
    REQUIRE(cw_evm_services_detect(&sv, s) == 0);
    const cw_evm_service *x = cw_evm_services_get(sv, id_of(s, XP));
    REQUIRE(x);
    CHECK_EQ_INT(x->kind, CW_EVM_SVC_BRIDGE);
    CHECK_EQ_INT(x->rule, CW_EVM_BRIDGE_RULE_EVENTS);
    CHECK_EQ_INT(x->reused, NXU + 1); /* deposits (the relayer's too) */
    CHECK_EQ_INT(x->n, 3);            /* payouts: the refunds; the fills passed through */
    CHECK_EQ_INT(x->payees, 3);
    CHECK(x->score > 0.6 && x->score <= 1.0); /* 13 of 20 depositors, no payout back */
    CHECK(!cw_evm_services_get(sv, id_of(s, XY)));
    CHECK(!cw_evm_services_get(sv, id_of(s, XZ)));
    for (int i = 0; i < 3; i++) /* relayers: no deposit addresses, no collectors */
        CHECK(!cw_evm_services_get(sv, id_of(s, XR0 + i)));
    const cw_evm_service *f = cw_evm_services_get(sv, id_of(s, XF));
    REQUIRE(f);
    CHECK_EQ_INT(f->kind, CW_EVM_SVC_BRIDGE);
    for (int i = 0; i < NFW; i++) /* no deposit addresses of F */
        CHECK(!cw_evm_services_get(sv, id_of(s, FW0 + i)));
    cw_evm_services_free(sv);
    cw_acct_policy *pol;
    REQUIRE(cw_acct_policy_new(&pol, s, NULL, NULL) == 0);
    cw_acct_policy_why why;
    CHECK_EQ_INT(cw_acct_policy_stop(pol, id_of(s, XP), &why), CW_ACCT_STOP_BRIDGE);
    CHECK_EQ_INT(why, CW_ACCT_WHY_SERVICE);
    CHECK(cw_acct_policy_stop(pol, id_of(s, XY), NULL) != CW_ACCT_STOP_BRIDGE);
    CHECK_EQ_INT(cw_acct_policy_stop(pol, id_of(s, XF), NULL), CW_ACCT_STOP_BRIDGE);
    CHECK(cw_acct_policy_stop(pol, id_of(s, FW0), NULL) != CW_ACCT_STOP_EXCHANGE);
    json_t *j = cw_acct_policy_recognised_json(pol, id_of(s, XP));
    REQUIRE(j);
    CHECK_EQ_STR(json_string_value(json_object_get(json_object_get(j, "bridge_evidence"), "rule")),
                 "deposit_events");
    json_decref(j);
    cw_acct_policy_free(pol);
    cw_evmstore_close(s);
}

/*
 * Worked example 23 (docs/TRACE-MODELS.md): a router in front of a bridge, and a bridge whose
 * deposits name their destination in calldata alone. 12 users each call router RR, which passes
 * the ETH on to pool RQ in its call; RQ emits V3FundsDeposited (the log's emitter is RQ, the tx's
 * `to` RR). The same users call RK with depositV3(...) input and no event. RQ is the bridge (its
 * events), RR none (a router passing each deposit on); RK none (a selector is no evidence), yet its
 * rows name each deposit's destination for an exit, should RK be recognised otherwise.
 */
enum { RU0 = 1, NRU = 12, RR = 50, RQ = 51, RK = 52 };

/* the block's last tx gets input in (its selector too) */
static void tx_input(cw_evm_block *b, const uint8_t *in, size_t n)
{
    cw_evm_tx *t = &b->txs[b->n_txs - 1];
    REQUIRE(cw_evm_block_put_bytes(b, in, n, &t->input_off) == 0);
    t->input_len = t->input_kept = (uint32_t)n;
    memcpy(t->selector, in, 4);
}

static void test_router_bridge(void)
{
    int funded[NRU];
    for (int i = 0; i < NRU; i++)
        funded[i] = RU0 + i;
    cw_evm_block b;
    cw_evmstore *s;
    genesis_store(&s, "r", &b, funded, NRU);
    header(&b, 1);
    static const char v3[] = "depositV3(address,address,address,address,uint256,uint256,uint256,"
                             "address,uint32,uint32,uint32,bytes)";
    for (int i = 0; i < NRU; i++) {
        uint64_t v = 1000 + 37 * (uint64_t)i;
        txc(&b, RU0 + i, RR, v, RR, RQ, v);
        dep_event(&b, RQ, RU0 + i, 10, 200 + i, v, false);
        uint8_t in[4 + 32 * 13];
        memset(in, 0, sizeof in);
        cw_evm_hash h;
        cw_keccak256(h.b, v3, strlen(v3));
        memcpy(in, h.b, 4);
        put_addr(in + 4, RU0 + i);
        put_addr(in + 4 + 32, 220 + i); /* recipient */
        put_word(in + 4 + 32 * 4, v + 1);
        put_word(in + 4 + 32 * 6, 42161); /* destination chain */
        put_word(in + 4 + 32 * 11, 0x180);
        txc(&b, RU0 + i, RK, v + 1, 0, 0, 0);
        tx_input(&b, in, sizeof in);
    }
    REQUIRE(cw_evm_block_finish(&b) == 0);
    REQUIRE(cw_evmstore_append(s, &b) == 0);
    reopen(&s, &b, "r");
    /* the rows: each router tx's event names its emitter RQ; each call to RK its destination */
    uint64_t nm = cw_evmstore_memo_count(s), n_emit = 0, n_call = 0;
    cw_evm_addr q = ADDR(RQ);
    char qhex[41];
    cw_hex_encode(qhex, q.b, 20);
    for (uint64_t i = 0; i < nm; i++) {
        const cw_evm_row_memo *m = cw_evmstore_memo(s, i);
        cw_evm_memo_dest d;
        CHECK_EQ_INT(m->source, CW_EVM_MEMO_SRC_EVENT);
        REQUIRE(cw_evm_memo_dest_parse(&d, m->memo, m->len) == 0);
        if (d.call) {
            n_call++;
            CHECK_EQ_INT(m->log, CW_EVM_NONE32);
            CHECK_EQ_INT(d.chain, 42161);
            CHECK_EQ_STR(d.event, "depositV3");
        } else {
            n_emit += !strcmp(d.emitter + 2, qhex);
        }
    }
    CHECK_EQ_INT(n_emit, NRU);
    CHECK_EQ_INT(n_call, NRU);
    json_t *chk = NULL;
    CHECK_EQ_INT(cw_evm_check(&chk, s), 0); /* a call's row has no log index, and passes */
    json_decref(chk);
    cw_evm_services *sv;
    REQUIRE(cw_evm_services_detect(&sv, s) == 0);
    const cw_evm_service *x = cw_evm_services_get(sv, id_of(s, RQ));
    REQUIRE(x);
    CHECK_EQ_INT(x->kind, CW_EVM_SVC_BRIDGE);
    CHECK_EQ_INT(x->rule, CW_EVM_BRIDGE_RULE_EVENTS);
    CHECK(!cw_evm_services_get(sv, id_of(s, RR)));
    CHECK(!cw_evm_services_get(sv, id_of(s, RK)));
    cw_evm_services_free(sv);
    cw_evmstore_close(s);
}

/*
 * An emitter first seen after its events (docs/STORE-FORMAT.md "Memos", TRACE-MODELS "A router in
 * front of a bridge"). NRU users call router RR, which keeps the ETH; pool RQ emits their
 * V3FundsDeposited events but moves no value until a later tx pays it. At ingest RQ has no account,
 * so every event row's emitter is CW_EVM_NONE32 (its text names RQ after `:@`). The rows still
 * speak for RQ (cw_evm_memo_row_emitter): RQ is a bridge by its deposit events, and the trace's
 * source says RQ emitted each deposit. A row-only reading loses both (RQ unrecognised, no emitter);
 * main's trace source (the row field alone) gave no emitter.
 */
static void test_late_emitter(void)
{
    int funded[NRU];
    for (int i = 0; i < NRU; i++)
        funded[i] = RU0 + i;
    cw_evm_block b;
    cw_evmstore *s;
    genesis_store(&s, "late", &b, funded, NRU);
    header(&b, 1);
    for (int i = 0; i < NRU; i++) {
        txc(&b, RU0 + i, RR, 1000 + (uint64_t)i, 0, 0, 0);
        dep_event(&b, RQ, RU0 + i, 10, 200 + i, 1000 + (uint64_t)i, false);
    }
    txc(&b, RU0, RQ, 5, 0, 0, 0); /* RQ's first movement, after its events */
    REQUIRE(cw_evm_block_finish(&b) == 0);
    REQUIRE(cw_evmstore_append(s, &b) == 0);
    reopen(&s, &b, "late");
    uint64_t nm = cw_evmstore_memo_count(s);
    CHECK_EQ_INT(nm, NRU);
    uint32_t idq = id_of(s, RQ);
    cw_acct_evm ev = {s, NULL, NULL, NULL};
    cw_acct_source src;
    cw_acct_source_evm(&src, &ev);
    for (uint64_t i = 0; i < nm; i++) {
        const cw_evm_row_memo *m = cw_evmstore_memo(s, i);
        CHECK_EQ_INT(m->emitter, CW_EVM_NONE32);
        CHECK_EQ_INT(cw_evm_memo_row_emitter(s, m), idq);
        CHECK_EQ_INT(src.emitter(src.ctx, m->tx), idq);
    }
    json_t *chk = NULL;
    CHECK_EQ_INT(cw_evm_check(&chk, s), 0);
    json_decref(chk);
    cw_evm_services *sv;
    REQUIRE(cw_evm_services_detect(&sv, s) == 0);
    const cw_evm_service *x = cw_evm_services_get(sv, idq);
    CHECK(x && x->kind == CW_EVM_SVC_BRIDGE && x->rule == CW_EVM_BRIDGE_RULE_EVENTS);
    CHECK(!cw_evm_services_get(sv, id_of(s, RR)));
    cw_evm_services_free(sv);
    cw_evmstore_close(s);
}

/*
 * Memo rows name their emitter (evm_format 4; docs/STORE-FORMAT.md "Memos", TRACE-MODELS "A
 * router in front of a bridge"). User MU0 calls router MR, which passes the ETH on to lock bridge
 * ML; ML logs LockedTo(amount, string recipient) naming a Bitcoin address alone: the row's `to` is
 * MR, its emitter ML, and the trace's source says ML emitted it. MU0+1 calls MR, which logs a
 * THORChain memo itself (emitter = `to`: no other emitter). MU0+2 sends a memo as calldata text
 * to vault MV (emitter = `to`). MU0+3 calls MR, whose log comes from an address that never moved
 * value (no account: CW_EVM_NONE32). check passes, and fails on a row whose emitter is damaged.
 */
enum { MU0 = 1, MR = 40, ML = 41, MV = 42, MX = 43, MA = 44 };

/* a log from `emitter` in the block's last tx whose data is (word, string s) */
static void str_log(cw_evm_block *b, int emitter, const char *str)
{
    static uint32_t log_index = 1000;
    const cw_evm_tx *t = &b->txs[b->n_txs - 1];
    cw_evm_log *l = cw_evm_block_add_log(b);
    memset(l, 0, sizeof *l);
    l->log_index = log_index++;
    l->tx_index = t->index;
    l->tx_hash = t->hash;
    l->address = ADDR(emitter);
    static const char sig[] = "LockedTo(uint256,string)";
    cw_keccak256(l->topics[0].b, sig, strlen(sig));
    l->n_topics = 1;
    uint8_t d[32 * 6];
    memset(d, 0, sizeof d);
    size_t n = strlen(str);
    REQUIRE(n <= 96);
    put_word(d, 7);
    put_word(d + 32, 0x40);
    put_word(d + 64, n);
    memcpy(d + 96, str, n);
    REQUIRE(cw_evm_block_put_bytes(b, d, 96 + (n + 31) / 32 * 32, &l->data_off) == 0);
    l->data_len = (uint32_t)(96 + (n + 31) / 32 * 32);
}

static void test_memo_emitter(void)
{
    static const char btc[] = "bc1qc4qenxq5dgx5e5qrk9lnwx9n6urdfdu7t62cmt";
    static const char thor[] = "=:BTC.BTC:bc1qc4qenxq5dgx5e5qrk9lnwx9n6urdfdu7t62cmt";
    int funded[4] = {MU0, MU0 + 1, MU0 + 2, MU0 + 3};
    cw_evm_block b;
    cw_evmstore *s;
    genesis_store(&s, "m", &b, funded, 4);
    header(&b, 1);
    txc(&b, MU0, MR, 5000, MR, ML, 5000);
    str_log(&b, ML, btc);
    txc(&b, MU0 + 1, MR, 6000, 0, 0, 0);
    str_log(&b, MR, thor);
    txc(&b, MU0 + 2, MV, 7000, 0, 0, 0);
    tx_input(&b, (const uint8_t *)thor, strlen(thor));
    txc(&b, MU0 + 3, MR, 8000, 0, 0, 0);
    str_log(&b, MX, btc);
    /* two deposits through aggregator MA, whose call MR logs with a THORChain memo */
    for (int k = 0; k < 2; k++) {
        txc(&b, MU0 + k, MA, 900 + (uint64_t)k, MA, MR, 900 + (uint64_t)k);
        str_log(&b, MR, thor);
    }
    REQUIRE(cw_evm_block_finish(&b) == 0);
    REQUIRE(cw_evmstore_append(s, &b) == 0);
    reopen(&s, &b, "m");
    REQUIRE(cw_evmstore_memo_count(s) == 6);
    /* memo bridges: MR (its own memo once, two it logged for MA's callers: 3) and MA (the two
     * txs addressed to it); before, a logged memo counted for the tx's `to` alone: MR had 1 */
    uint8_t *bits = NULL;
    size_t nb = 0;
    REQUIRE(cw_xchain_memo_bridges(s, 2, &bits, &nb) == 0);
    uint32_t ida = id_of(s, MA), idr = id_of(s, MR);
    CHECK(bits[idr / 8] & (1u << (idr % 8)));
    CHECK(bits[ida / 8] & (1u << (ida % 8)));
    CHECK_EQ_INT(nb, 2);
    cw_free(bits);
    const cw_evm_row_memo *m0 = cw_evmstore_memo(s, 0), *m1 = cw_evmstore_memo(s, 1),
                          *m2 = cw_evmstore_memo(s, 2), *m3 = cw_evmstore_memo(s, 3);
    CHECK_EQ_INT(m0->source, CW_EVM_MEMO_SRC_LOG);
    CHECK_EQ_INT(m0->to, id_of(s, MR));
    CHECK_EQ_INT(m0->emitter, id_of(s, ML));
    CHECK_EQ_INT(m1->source, CW_EVM_MEMO_SRC_LOG);
    CHECK_EQ_INT(m1->emitter, id_of(s, MR));
    CHECK_EQ_INT(m2->source, CW_EVM_MEMO_SRC_TEXT);
    CHECK_EQ_INT(m2->emitter, id_of(s, MV));
    CHECK_EQ_INT(m2->to, id_of(s, MV));
    CHECK_EQ_INT(m3->source, CW_EVM_MEMO_SRC_LOG);
    CHECK_EQ_INT(m3->emitter, CW_EVM_NONE32);
    json_t *chk = NULL;
    CHECK_EQ_INT(cw_evm_check(&chk, s), 0);
    json_decref(chk);
    /* the trace's source: the bridge emitted tx 0's memo; the others name no other emitter */
    cw_acct_evm ev = {s, NULL, NULL, NULL};
    cw_acct_source src;
    cw_acct_source_evm(&src, &ev);
    REQUIRE(src.emitter);
    CHECK_EQ_INT(src.emitter(src.ctx, m0->tx), id_of(s, ML));
    CHECK_EQ_INT(src.emitter(src.ctx, m1->tx), CW_ACCT_NONE);
    CHECK_EQ_INT(src.emitter(src.ctx, m2->tx), CW_ACCT_NONE);
    CHECK_EQ_INT(src.emitter(src.ctx, m3->tx), CW_ACCT_NONE);
    /* `tx --json` names each memo's emitter */
    char th[67] = "0x";
    cw_hex_encode(th + 2, cw_evmstore_tx_hash(s, m0->tx), 32);
    json_t *tj = NULL;
    REQUIRE(cw_evm_query_tx(&tj, s, th) == 0);
    json_t *mj = json_array_get(json_object_get(tj, "memos"), 0);
    char lhex[43] = "0x";
    cw_evm_addr la = ADDR(ML);
    cw_hex_encode(lhex + 2, la.b, 20);
    CHECK_EQ_STR(json_string_value(json_object_get(mj, "emitter")), lhex);
    json_decref(tj);
    cw_evm_counts c;
    cw_evmstore_counts(s, &c);
    uint32_t bad[2] = {id_of(s, ML), (uint32_t)c.accounts + 5};
    cw_evmstore_close(s);
    /* damaged emitters: the calldata row's (not its tx's `to`), then one past the accounts */
    char fp[4400], dir[4200];
    snprintf(dir, sizeof dir, "%s/m", cw_test_tmpdir());
    snprintf(fp, sizeof fp, "%s/memos.col", dir);
    long off = 64 + 2 * (long)sizeof(cw_evm_row_memo) + (long)offsetof(cw_evm_row_memo, emitter);
    for (int k = 0; k < 2; k++) {
        uint32_t orig;
        FILE *f = fopen(fp, "r+b");
        REQUIRE(f != NULL);
        REQUIRE(fseek(f, off, SEEK_SET) == 0 && fread(&orig, 4, 1, f) == 1);
        REQUIRE(fseek(f, off, SEEK_SET) == 0 && fwrite(&bad[k], 4, 1, f) == 1);
        REQUIRE(fclose(f) == 0);
        REQUIRE(cw_evmstore_open(&s, dir, false, NULL) == 0);
        chk = NULL;
        CHECK_EQ_INT(cw_evm_check(&chk, s), CW_ECORRUPT);
        CHECK_EQ_INT(json_integer_value(json_object_get(chk, "problems")), 1);
        CHECK(strstr(json_string_value(json_array_get(json_object_get(chk, "errors"), 0)),
                     "memo 2 (tx ") != NULL);
        json_decref(chk);
        cw_evmstore_close(s);
        f = fopen(fp, "r+b");
        REQUIRE(f != NULL);
        REQUIRE(fseek(f, off, SEEK_SET) == 0 && fwrite(&orig, 4, 1, f) == 1);
        REQUIRE(fclose(f) == 0);
    }
    REQUIRE(cw_evmstore_open(&s, dir, false, NULL) == 0);
    chk = NULL;
    CHECK_EQ_INT(cw_evm_check(&chk, s), 0);
    json_decref(chk);
    cw_evmstore_close(s);
}

/*
 * An instant exchanger's hot wallet W that pays its customers on other chains only: 8 customers
 * each pay a fresh order address O_i once, and each O_i sweeps all it holds (its own tx; the fee
 * stays out) to W, which never sends. By behaviour W pays out nothing, so the O_i are no deposit
 * addresses (evmalt2's --no-exchanger-payouts world: the trace named each order's sweep as the
 * cash-out). Known to be a custodial collector (the trace's policy: labelled exchange), W is one,
 * and every O_i is its deposit address. An account sending all it holds to an unknown account that
 * pays nothing (K_i -> Z) stays unrecognised either way.
 */
enum { NO = 8, OC0 = 1, OO0 = 20, OW = 40, OK0 = 50, OZ = 70 };

static void test_known_collector(void)
{
    int funded[2 * NO];
    for (int i = 0; i < NO; i++) {
        funded[i] = OC0 + i;
        funded[NO + i] = OK0 + i;
    }
    cw_evm_block b;
    cw_evmstore *s;
    genesis_store(&s, "k", &b, funded, 2 * NO);
    header(&b, 1);
    for (int i = 0; i < NO; i++)
        txc(&b, OC0 + i, OO0 + i, 500000 + 1000 * (uint64_t)i, 0, 0, 0);
    REQUIRE(cw_evm_block_finish(&b) == 0);
    REQUIRE(cw_evmstore_append(s, &b) == 0);
    header(&b, 2);
    for (int i = 0; i < NO; i++) {
        txc(&b, OO0 + i, OW, 500000 + 1000 * (uint64_t)i - 21000, 0, 0, 0);
        txc(&b, OK0 + i, OZ, 100000000 - 21000, 0, 0, 0);
    }
    REQUIRE(cw_evm_block_finish(&b) == 0);
    REQUIRE(cw_evmstore_append(s, &b) == 0);
    reopen(&s, &b, "k");
    cw_evm_services *sv;
    REQUIRE(cw_evm_services_detect(&sv, s) == 0);
    CHECK(!cw_evm_services_get(sv, id_of(s, OW)));
    for (int i = 0; i < NO; i++)
        CHECK(!cw_evm_services_get(sv, id_of(s, OO0 + i)));
    cw_evm_services_free(sv);
    cw_evm_counts c;
    cw_evmstore_counts(s, &c);
    uint8_t *known = calloc((size_t)c.accounts / 8 + 1, 1);
    REQUIRE(known);
    uint32_t w = id_of(s, OW);
    known[w / 8] |= (uint8_t)(1u << (w % 8));
    REQUIRE(cw_evm_services_detect_known(&sv, s, known) == 0);
    const cw_evm_service *x = cw_evm_services_get(sv, w);
    REQUIRE(x);
    CHECK_EQ_INT(x->kind, CW_EVM_SVC_COLLECTOR);
    CHECK_EQ_INT(x->n, NO);
    for (int i = 0; i < NO; i++) {
        const cw_evm_service *d = cw_evm_services_get(sv, id_of(s, OO0 + i));
        REQUIRE(d);
        CHECK_EQ_INT(d->kind, CW_EVM_SVC_DEPOSIT);
        CHECK_EQ_INT(d->parent, w);
        CHECK(!cw_evm_services_get(sv, id_of(s, OK0 + i)));
    }
    CHECK(!cw_evm_services_get(sv, id_of(s, OZ)));
    cw_evm_services_free(sv);
    free(known);
    cw_evmstore_close(s);
}

/*
 * Deposit contracts not yet swept (evm_services.h CW_EVM_DEPOSIT_RULE_CREATOR; evmalt2's
 * --unswept-tail). A hot wallet UH calls its factory UF to create 8 deposit contracts UD0..7;
 * their customers pay them; UH's calls to UF sweep UD0..5 into UH, which pays 6 withdrawals in its
 * own txs. UD6 and UD7 are never swept: probable deposit addresses of UH by their creator. The
 * look-alike: another sender UK (a bundler calling the same contract for many users) creates
 * UW0..7; UW0..4 sweep everything into UH too, but UW5 pays all it holds to UZ (an account paying
 * as its owner pleases), so UK's creations are no evidence and UW6, UW7 stay unrecognised. The
 * same for a third sender UJ's creations UV0..7, whose UV5 pays half to UH and half to UZ. And a
 * deployer UB serving two exchanges: UX0..4 sweep into UH, UY0..4 into another hot wallet UH2,
 * no sweeper ties the two, so UX5, never swept, stays unrecognised. (UD0's customer pays twice:
 * a customer who comes back, so UH is an exchange, not a one-use service.)
 */
enum {
    UH = 10,
    UF = 11,
    UK = 12,
    UZ = 13,
    UJ = 14,
    UD0 = 20,
    UC0 = 30,
    UW0 = 40,
    UWC0 = 50,
    UR0 = 60,
    UV0 = 70,
    UVC0 = 80,
    UB = 15,
    UH2 = 16,
    UX0 = 90,
    UXC0 = 100,
    UY0 = 110,
    UYC0 = 120,
    UR2 = 130
};

/* a tx from -> to (value 0) whose call to `to` creates contract `created` */
static void txcreate(cw_evm_block *b, int from, int to, int created)
{
    txc(b, from, to, 0, 0, 0, 0);
    cw_evm_trace *tr = cw_evm_block_add_trace(b);
    tr->tx_index = b->txs[b->n_txs - 1].index;
    tr->tx_hash = b->txs[b->n_txs - 1].hash;
    tr->type = CW_EVM_TRACE_CREATE;
    tr->status = 1;
    tr->from = ADDR(to);
    tr->to = ADDR(created);
    tr->has_from = tr->has_to = true;
    uint32_t ta = 0, off;
    REQUIRE(cw_evm_block_put_bytes(b, &ta, 4, &off) == 0);
    b->traces[b->n_traces - 1].ta_off = off;
    b->traces[b->n_traces - 1].ta_len = 1;
}

static void test_unswept_by_creator(void)
{
    int funded[40], nf = 0;
    for (int i = 0; i < 8; i++) {
        funded[nf++] = UC0 + i;
        funded[nf++] = UWC0 + i;
        funded[nf++] = UVC0 + i;
    }
    funded[nf++] = UH;
    funded[nf++] = UK;
    funded[nf++] = UJ;
    funded[nf++] = UB;
    funded[nf++] = UH2;
    for (int i = 0; i < 6; i++)
        funded[nf++] = UXC0 + i;
    for (int i = 0; i < 5; i++)
        funded[nf++] = UYC0 + i;
    cw_evm_block b;
    cw_evmstore *s;
    genesis_store(&s, "u", &b, funded, nf);
    header(&b, 1);
    for (int i = 0; i < 8; i++) {
        txcreate(&b, UH, UF, UD0 + i);
        txcreate(&b, UK, UF, UW0 + i);
        txcreate(&b, UJ, UF, UV0 + i);
    }
    for (int i = 0; i < 6; i++)
        txcreate(&b, UB, UF, UX0 + i);
    for (int i = 0; i < 5; i++)
        txcreate(&b, UB, UF, UY0 + i);
    REQUIRE(cw_evm_block_finish(&b) == 0);
    REQUIRE(cw_evmstore_append(s, &b) == 0);
    header(&b, 2);
    for (int i = 0; i < 8; i++) {
        txc(&b, UC0 + i, UD0 + i, 500000 + 1000 * (uint64_t)i, 0, 0, 0);
        txc(&b, UWC0 + i, UW0 + i, 300000 + 1000 * (uint64_t)i, 0, 0, 0);
        txc(&b, UVC0 + i, UV0 + i, 200000 + 1000 * (uint64_t)i, 0, 0, 0);
    }
    txc(&b, UC0, UD0, 1000, 0, 0, 0);
    for (int i = 0; i < 6; i++)
        txc(&b, UXC0 + i, UX0 + i, 400000 + 1000 * (uint64_t)i, 0, 0, 0);
    for (int i = 0; i < 5; i++)
        txc(&b, UYC0 + i, UY0 + i, 400000 + 1000 * (uint64_t)i, 0, 0, 0);
    REQUIRE(cw_evm_block_finish(&b) == 0);
    REQUIRE(cw_evmstore_append(s, &b) == 0);
    header(&b, 3);
    for (int i = 0; i < 6; i++)
        txc(&b, UH, UF, 0, UD0 + i, UH, 500000 + 1000 * (uint64_t)i + (i ? 0 : 1000));
    for (int i = 0; i < 6; i++)
        txc(&b, UK, UF, 0, UW0 + i, i < 5 ? UH : UZ, 300000 + 1000 * (uint64_t)i);
    for (int i = 0; i < 5; i++)
        txc(&b, UJ, UF, 0, UV0 + i, UH, 200000 + 1000 * (uint64_t)i);
    txc(&b, UJ, UF, 0, UV0 + 5, UH, 102500);
    txc(&b, UJ, UF, 0, UV0 + 5, UZ, 102500);
    for (int i = 0; i < 6; i++)
        txc(&b, UH, UR0 + i, 10000 + 100 * (uint64_t)i, 0, 0, 0);
    for (int i = 0; i < 5; i++) {
        txc(&b, UB, UF, 0, UX0 + i, UH, 400000 + 1000 * (uint64_t)i);
        txc(&b, UB, UF, 0, UY0 + i, UH2, 400000 + 1000 * (uint64_t)i);
    }
    for (int i = 0; i < 6; i++)
        txc(&b, UH2, UR2 + i, 10000 + 100 * (uint64_t)i, 0, 0, 0);
    REQUIRE(cw_evm_block_finish(&b) == 0);
    REQUIRE(cw_evmstore_append(s, &b) == 0);
    reopen(&s, &b, "u");
    cw_evm_services *sv;
    REQUIRE(cw_evm_services_detect(&sv, s) == 0);
    uint32_t h = id_of(s, UH);
    const cw_evm_service *x = cw_evm_services_get(sv, h);
    REQUIRE(x);
    CHECK_EQ_INT(x->kind, CW_EVM_SVC_COLLECTOR);
    CHECK_EQ_INT(x->n, 21); /* UD0..5, UW0..4, UV0..4, UX0..4 by their sweeps; the unswept add
                               nothing */
    const cw_evm_service *y = cw_evm_services_get(sv, id_of(s, UY0));
    CHECK(y && y->kind == CW_EVM_SVC_DEPOSIT && y->parent == id_of(s, UH2));
    CHECK(!cw_evm_services_get(sv, id_of(s, UX0 + 5)));
    for (int i = 0; i < 8; i++) {
        const cw_evm_service *d = cw_evm_services_get(sv, id_of(s, UD0 + i));
        REQUIRE(d);
        CHECK_EQ_INT(d->kind, CW_EVM_SVC_DEPOSIT);
        CHECK_EQ_INT(d->parent, h);
        CHECK_EQ_INT(d->rule, i < 6 ? CW_EVM_DEPOSIT_RULE_SWEEPS : CW_EVM_DEPOSIT_RULE_CREATOR);
        if (i >= 6) {
            CHECK_EQ_INT(d->payees, 6); /* its swept siblings */
            CHECK_EQ_INT(d->creator, h);
            CHECK_EQ_INT(d->factory, id_of(s, UF));
        }
    }
    for (int i = 0; i < 5; i++) {
        const cw_evm_service *d = cw_evm_services_get(sv, id_of(s, UW0 + i));
        REQUIRE(d);
        CHECK_EQ_INT(d->rule, CW_EVM_DEPOSIT_RULE_SWEEPS);
    }
    for (int i = 5; i < 8; i++) {
        CHECK(!cw_evm_services_get(sv, id_of(s, UW0 + i)));
        CHECK(!cw_evm_services_get(sv, id_of(s, UV0 + i)));
    }
    cw_evm_services_free(sv);
    /* the policy: the unswept contract stops as an exchange's, saying why */
    cw_acct_policy *pol;
    REQUIRE(cw_acct_policy_new(&pol, s, NULL, NULL) == 0);
    uint32_t d7 = id_of(s, UD0 + 7);
    CHECK_EQ_INT(cw_acct_policy_stop(pol, d7, NULL), CW_ACCT_STOP_EXCHANGE);
    CHECK(cw_acct_policy_stop(pol, id_of(s, UW0 + 7), NULL) != CW_ACCT_STOP_EXCHANGE);
    CHECK(cw_acct_policy_stop(pol, id_of(s, UV0 + 7), NULL) != CW_ACCT_STOP_EXCHANGE);
    json_t *j = cw_acct_policy_recognised_json(pol, d7);
    REQUIRE(j);
    CHECK(json_is_true(json_object_get(j, "probable")));
    json_t *e = json_object_get(j, "deposit_evidence");
    CHECK(e && strcmp(json_string_value(json_object_get(e, "rule")), "creator") == 0);
    CHECK(e && json_integer_value(json_object_get(e, "siblings")) == 6);
    json_decref(j);
    cw_acct_policy_free(pol);
    cw_evmstore_close(s);
}

/*
 * A bounded history walk (docs/TRACE-MODELS.md "A third party's own account", source.history):
 * the trace asks an account's payers and payees before the movement that brought it taint, and the
 * walk of each of its chains (newest first, the movements since included) stops after
 * CW_ACCT_HISTORY_WALK. HX, seen since block 1 (paid by HU1, paid HV1), gets the thief's HT value
 * in block 2, then 100,000 movements in (HS's calls) and 5,000 out: busy since on both chains, it
 * counts as many (3, 3: a third party's), the walk no longer the length of its life. HF, the
 * thief's fresh hop paid in block 2 and made as busy, had nothing (0, 0). HQ, as old as HX and
 * quiet since, counts what it had (1, 1). main walked HX's 105,000 movements and said 1, 1.
 * source.fresh, bounded the same way (stop 27) with the same answers: HF is fresh at its taint;
 * HG, first seen in block 2 too, paid by HU1 before the taint and then 5,000 times, is not.
 */
enum { HU1 = 1, HV1 = 2, HX = 3, HF = 4, HQ = 5, HT = 6, HS = 7, HC = 8, HG = 9 };
enum { SPAM_TX = 1000 };

/* a tx from -> HC carrying n internal calls cfrom -> cto of 1 wei each */
static void calls(cw_evm_block *b, int from, int cfrom, int cto, int n)
{
    txc(b, from, HC, 0, 0, 0, 0);
    const cw_evm_tx *t = &b->txs[b->n_txs - 1];
    int rc = 0;
    for (int i = 0; i < n; i++)
        rc |= call(b, t, cfrom, cto, 1, (uint32_t)i);
    REQUIRE(rc == 0);
}

/* The movement of value from -> to (the first). */
static uint64_t move_of(const cw_evmstore *s, int from, int to)
{
    cw_evm_counts c;
    cw_evmstore_counts(s, &c);
    uint32_t f = id_of(s, from), t = id_of(s, to);
    for (uint64_t m = 0; m < c.moves; m++) {
        const cw_evm_row_move *r = cw_evmstore_move(s, m);
        if (r->from == f && r->to == t)
            return m;
    }
    CHECK(!"no such movement");
    return UINT64_MAX;
}

static void test_history_bound(void)
{
    int funded[] = {HU1, HX, HQ, HT, HS};
    cw_evm_block b;
    cw_evmstore *s;
    genesis_store(&s, "busy", &b, funded, 5);
    header(&b, 1);
    txc(&b, HU1, HX, 1000, 0, 0, 0);
    txc(&b, HX, HV1, 500, 0, 0, 0);
    txc(&b, HU1, HQ, 1000, 0, 0, 0);
    txc(&b, HQ, HV1, 500, 0, 0, 0);
    REQUIRE(cw_evm_block_finish(&b) == 0);
    REQUIRE(cw_evmstore_append(s, &b) == 0);
    header(&b, 2);
    txc(&b, HT, HX, 5000, 0, 0, 0);
    txc(&b, HT, HF, 5000, 0, 0, 0);
    txc(&b, HT, HQ, 5000, 0, 0, 0);
    txc(&b, HU1, HG, 100, 0, 0, 0);
    txc(&b, HT, HG, 5000, 0, 0, 0);
    REQUIRE(cw_evm_block_finish(&b) == 0);
    REQUIRE(cw_evmstore_append(s, &b) == 0);
    for (uint64_t n = 3; n < 3 + 10; n++) { /* HX: 100,000 in, then 5,000 out; HF: 5,000 each */
        header(&b, n);
        for (int k = 0; k < 10; k++)
            calls(&b, HS, HS, HX, SPAM_TX);
        if (n == 12) {
            for (int k = 0; k < 5; k++) {
                calls(&b, HS, HX, HS, SPAM_TX);
                calls(&b, HS, HS, HF, SPAM_TX);
                calls(&b, HS, HF, HS, SPAM_TX);
                calls(&b, HS, HS, HG, SPAM_TX);
            }
        }
        REQUIRE(cw_evm_block_finish(&b) == 0);
        REQUIRE(cw_evmstore_append(s, &b) == 0);
    }
    reopen(&s, &b, "busy");
    cw_acct_evm ev = {s, NULL, NULL, NULL};
    cw_acct_source src;
    cw_acct_source_evm(&src, &ev);
    uint32_t payers = 9, payees = 9;
    CHECK_EQ_INT(src.history(src.ctx, id_of(s, HX), move_of(s, HT, HX), 3, &payers, &payees), 0);
    CHECK_EQ_INT(payers, 3);
    CHECK_EQ_INT(payees, 3);
    CHECK_EQ_INT(src.history(src.ctx, id_of(s, HF), move_of(s, HT, HF), 3, &payers, &payees), 0);
    CHECK_EQ_INT(payers, 0);
    CHECK_EQ_INT(payees, 0);
    CHECK_EQ_INT(src.history(src.ctx, id_of(s, HQ), move_of(s, HT, HQ), 3, &payers, &payees), 0);
    CHECK_EQ_INT(payers, 1);
    CHECK_EQ_INT(payees, 1);
    /* HV1 first appeared in block 1: before HX's first payment to it, nothing */
    CHECK_EQ_INT(src.history(src.ctx, id_of(s, HV1), move_of(s, HU1, HX), 3, &payers, &payees), 0);
    CHECK_EQ_INT(payers + payees, 0);
    /* fresh (stop 27: each chain walked for at most CW_ACCT_HISTORY_WALK movements, then the
     * block's own movements before the taint): HF, first seen at the taint and busy since, is
     * fresh; HG, first seen in the same block, was paid by HU1 before the taint; HX is older */
    CHECK(src.fresh(src.ctx, id_of(s, HF), move_of(s, HT, HF)));
    CHECK(!src.fresh(src.ctx, id_of(s, HG), move_of(s, HT, HG)));
    CHECK(!src.fresh(src.ctx, id_of(s, HX), move_of(s, HT, HX)));
    cw_evmstore_close(s);
}

int main(void)
{
    RUN(test_memo_emitter);
    RUN(test_lock_bridge);
    RUN(test_contract_hot_wallet);
    RUN(test_known_collector);
    RUN(test_unswept_by_creator);
    RUN(test_event_bridge);
    RUN(test_router_bridge);
    RUN(test_late_emitter);
    RUN(test_history_bound);
    return cw_test_done();
}
