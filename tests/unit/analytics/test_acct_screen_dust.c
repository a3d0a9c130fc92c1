/*
 * test_acct_screen_dust.c: EVM screening and the thief's dust (acct_screen.h,
 * cw_acct_screen_dust; docs/TRACE-MODELS.md "Screening: dust", worked example 29), on a store
 * built by hand. T (labelled theft) is minted 10^9 of a token K and holds 10^8 wei of its own.
 *   U1..U12  honest, 10^8 wei each at genesis, no K: T dusts each with 100 K (1 / 10^7 of T's K);
 *   V        honest, 10^8 wei at genesis: U1 pays it 50 K, the dust passed on;
 *   H        the thief's look-alike: T pays it 10^4 wei of gas first, then 100 K;
 *   L        a launderer with funds of its own (10^8 wei at genesis): T pays it 10^6 K;
 *   T2       the thief's dusting hop, labelled theft too: T pays it 10^5 K, it dusts W
 *            (honest, 10^8 wei at genesis) with 100 K (1/1000 of T2's, 1/10^7 of T's).
 * Main at stop 24 flagged U1 and V theft on K at share 1 (all the K they ever got). Now U1's
 * and V's K exposure is dust: the amount reported, no share, no path; H and L keep theirs.
 * Worked example 33 (stop 25), paths and amounts:
 *   X        own ETH; 10^6 K from T and 3 x 10^6 K from each of 6 exchanges E1..E6: theft's own
 *            strongest path is kept although the 5 strongest are exchange paths;
 *   Y, Z     T3 (theft) pays each 1,234,567,890,123,456,789 K (above 2^53, as an 18-decimal
 *            token's amounts), G (unlabelled, minted) pays Z as much: Y's amount is exact, Z's
 *            half is rounded to 15 significant digits and says so.
 * Worked example 34 (stop 25), a third party's own account:
 *   P1       had K from G and from an exchange, then T's gift of 10^6 K; pays Q half of it: Q's
 *            theft is probable, through P1's own account; P1's own receipt stays certain;
 *   F        T's fresh hop (no K before): pays R half of T's 10^6 K: R's theft stays certain.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "chainwatch/acct_screen.h"
#include "chainwatch/errors.h"
#include "chainwatch/evm/block.h"
#include "chainwatch/evm/store.h"
#include "chainwatch/keccak.h"
#include "harness.h"

enum { U0 = 1, NU = 12, V = 20, H = 21, L = 22, W = 23, T = 30, T2 = 31, K = 40 };
/* the paths and amounts example (test_paths_amounts) */
enum { E0 = 50, NE = 6, X = 60, Y = 61, Z = 62, T3 = 63, G = 64 };
/* the third party example (test_dust's end): a public figure, a fresh hop */
enum { P1 = 65, Q = 66, F = 67, R = 68 };

static cw_evm_addr ADDR(int i)
{
    cw_evm_addr a;
    memset(&a, 0, sizeof a);
    if (i < 0)
        return a; /* the zero address: a mint */
    a.b[0] = 0xcc;
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

static int serial;

/* 1.234... tokens of 18 decimals: above 2^53 base units, 19 significant digits */
#define BIG 1234567890123456789ull

static void tx(cw_evm_block *b, int from, int to, uint64_t value)
{
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
}

static void put_addr(uint8_t *w, int i)
{
    memset(w, 0, 32);
    cw_evm_addr a = ADDR(i);
    memcpy(w + 12, a.b, 20);
}

/* a tx from `sender` to K whose Transfer log moves v of K from -> to (from < 0: a mint) */
static void transfer(cw_evm_block *b, int sender, int from, int to, uint64_t v)
{
    static uint32_t log_index;
    static const char sig[] = "Transfer(address,address,uint256)";
    tx(b, sender, K, 0);
    const cw_evm_tx *t = &b->txs[b->n_txs - 1];
    cw_evm_log *l = cw_evm_block_add_log(b);
    memset(l, 0, sizeof *l);
    l->log_index = log_index++;
    l->tx_index = t->index;
    l->tx_hash = t->hash;
    l->address = ADDR(K);
    cw_keccak256(l->topics[0].b, sig, strlen(sig));
    put_addr(l->topics[1].b, from);
    put_addr(l->topics[2].b, to);
    l->n_topics = 3;
    uint8_t d[32] = {0};
    for (int k = 0; k < 8; k++)
        d[31 - k] = (uint8_t)(v >> (8 * k));
    REQUIRE(cw_evm_block_put_bytes(b, d, 32, &l->data_off) == 0);
    l->data_len = 32;
}

static uint32_t id_of(const cw_evmstore *s, int i)
{
    cw_evm_addr a = ADDR(i);
    uint32_t id = 0;
    CHECK(cw_evmstore_find_account(s, &a, &id) == 0);
    return id;
}

typedef struct cats {
    uint32_t thief, hop, thief3, ex[NE];
} cats;

static uint32_t cat_of(void *ctx, uint32_t account)
{
    const cats *c = ctx;
    for (int i = 0; i < NE; i++)
        if (account == c->ex[i])
            return 2u; /* bit 1: exchange */
    return account == c->thief || account == c->hop || account == c->thief3 ? 1u : 0; /* theft */
}

/* screens every asset account received (native first, then K) and applies the dust rule */
static void screen(cw_acct_screener *sc, uint32_t account, uint32_t k, cw_acct_exposure e[2])
{
    REQUIRE(cw_acct_screener_run(sc, &e[0], account, CW_EVM_ASSET_NATIVE) == 0);
    REQUIRE(cw_acct_screener_run(sc, &e[1], account, k) == 0);
    REQUIRE(cw_acct_screen_dust(sc, account, e, 2, 1u) == 0);
}

static void test_dust(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/s", cw_test_tmpdir());
    cw_evmstore *s;
    REQUIRE(cw_evmstore_open(&s, path, true, "ethereum") == 0);
    cw_evm_block b;
    cw_evm_block_init(&b);
    header(&b, 0);
    int funded[NU + 12];
    int nf = 0;
    funded[nf++] = X;
    funded[nf++] = P1;
    funded[nf++] = Q;
    funded[nf++] = F;
    funded[nf++] = R;
    funded[nf++] = Y;
    funded[nf++] = Z;
    for (int i = 0; i < NU; i++)
        funded[nf++] = U0 + i;
    funded[nf++] = V;
    funded[nf++] = L;
    funded[nf++] = T;
    funded[nf++] = W;
    funded[nf++] = T2;
    for (int i = 0; i < nf; i++) {
        cw_evm_trace *g = cw_evm_block_add_trace(&b);
        g->tx_index = UINT32_MAX;
        g->type = CW_EVM_TRACE_GENESIS;
        g->status = 1;
        g->to = ADDR(funded[i]);
        g->has_to = true;
        cw_u256_from_u64(&g->value, 100000000);
    }
    REQUIRE(cw_evm_block_finish(&b) == 0);
    REQUIRE(cw_evmstore_append(s, &b) == 0);
    header(&b, 1); /* the heist: T gets 10^9 K */
    transfer(&b, T, -1, T, 1000000000);
    REQUIRE(cw_evm_block_finish(&b) == 0);
    int rc = cw_evmstore_append(s, &b);
    if (rc)
        fprintf(stderr, "%s\n", cw_error_last());
    REQUIRE(rc == 0);
    header(&b, 2); /* the campaign, the look-alike's gas, the launderer */
    for (int i = 0; i < NU; i++)
        transfer(&b, T, T, U0 + i, 100);
    tx(&b, T, H, 10000);
    transfer(&b, T, T, L, 1000000);
    transfer(&b, T, T, T2, 100000);
    REQUIRE(cw_evm_block_finish(&b) == 0);
    REQUIRE(cw_evmstore_append(s, &b) == 0);
    header(&b, 3); /* the look-alike's dust; U1 passes its dust on */
    transfer(&b, T, T, H, 100);
    transfer(&b, U0, U0, V, 50);
    transfer(&b, T2, T2, W, 100);
    REQUIRE(cw_evm_block_finish(&b) == 0);
    REQUIRE(cw_evmstore_append(s, &b) == 0);
    header(&b, 4); /* test_paths_amounts: exchanges' K, T3's and G's 18-decimal sized K */
    for (int i = 0; i < NE; i++)
        transfer(&b, E0 + i, -1, E0 + i, 10000000);
    transfer(&b, T3, -1, T3, 2 * BIG);
    transfer(&b, G, -1, G, BIG);
    REQUIRE(cw_evm_block_finish(&b) == 0);
    REQUIRE(cw_evmstore_append(s, &b) == 0);
    header(&b, 5);
    transfer(&b, T, T, X, 1000000);
    for (int i = 0; i < NE; i++)
        transfer(&b, E0 + i, E0 + i, X, 3000000);
    transfer(&b, T3, T3, Y, BIG);
    transfer(&b, T3, T3, Z, BIG);
    transfer(&b, G, G, Z, BIG);
    REQUIRE(cw_evm_block_finish(&b) == 0);
    REQUIRE(cw_evmstore_append(s, &b) == 0);
    header(&b, 6); /* P1's history of its own: K from G and from an exchange */
    transfer(&b, G, G, P1, 100);
    transfer(&b, E0, E0, P1, 100);
    REQUIRE(cw_evm_block_finish(&b) == 0);
    REQUIRE(cw_evmstore_append(s, &b) == 0);
    header(&b, 7); /* T's gift to P1 and its payment to the fresh hop F */
    transfer(&b, T, T, P1, 1000000);
    transfer(&b, T, T, F, 1000000);
    REQUIRE(cw_evm_block_finish(&b) == 0);
    REQUIRE(cw_evmstore_append(s, &b) == 0);
    header(&b, 8); /* each pays half on */
    transfer(&b, P1, P1, Q, 500000);
    transfer(&b, F, F, R, 500000);
    REQUIRE(cw_evm_block_finish(&b) == 0);
    REQUIRE(cw_evmstore_append(s, &b) == 0);
    REQUIRE(cw_evmstore_commit(s) == 0);
    cw_evm_block_free(&b);
    REQUIRE(cw_evmstore_close(s) == 0);
    REQUIRE(cw_evmstore_open(&s, path, false, NULL) == 0);

    uint32_t k;
    REQUIRE(cw_evmstore_find_asset(s, id_of(s, K), &k) == 0);
    cats c = {id_of(s, T), id_of(s, T2), id_of(s, T3), {0}};
    for (int i = 0; i < NE; i++)
        c.ex[i] = id_of(s, E0 + i);
    cw_acct_screen_opts o;
    cw_acct_screen_opts_init(&o);
    cw_acct_screener *sc;
    REQUIRE(cw_acct_screener_new(&sc, s, cat_of, &c, &o) == 0);
    cw_acct_exposure e[2];

    /* U1: all the K it got is T's dust (share 1), 100 of T's 10^9: dust, no share, no path */
    screen(sc, id_of(s, U0), k, e);
    CHECK(e[1].source_received[0] == 1e9);
    CHECK(e[1].dusted[0] == 1.0);
    CHECK(e[1].direct[0] == 0 && e[1].indirect[0] == 0 && e[1].probable[0] == 0);
    CHECK_EQ_INT(e[1].n_top, 0);
    CHECK(e[0].direct[0] == 0 && e[0].dusted[0] == 0); /* its own ETH: no theft at all */
    /* every campaign target alike */
    int dusted = 0;
    for (int i = 1; i < NU; i++) {
        screen(sc, id_of(s, U0 + i), k, e);
        dusted += e[1].dusted[0] == 1.0 && e[1].direct[0] == 0;
    }
    CHECK_EQ_INT(dusted, NU - 1);
    /* V: the dust U1 passed on (indirect, share 1): dust too */
    screen(sc, id_of(s, V), k, e);
    CHECK(e[1].dusted[0] == 1.0);
    CHECK(e[1].indirect[0] == 0);
    CHECK_EQ_INT(e[1].n_top, 0);
    /* H: the thief's look-alike, funded with its gas first: its K stays theft, direct, share 1 */
    screen(sc, id_of(s, H), k, e);
    CHECK(e[1].direct[0] == 1.0);
    CHECK(e[1].dusted[0] == 0);
    CHECK_EQ_INT(e[1].n_top, 1);
    CHECK(e[0].direct[0] == 1.0);
    /* L: 10^6 K is 1/1000 of T's, no dust: theft, share 1, whatever its own ETH */
    screen(sc, id_of(s, L), k, e);
    CHECK(e[1].direct[0] == 1.0);
    CHECK(e[1].dusted[0] == 0);
    /* W: dusted by the labelled hop T2 (100 of its 10^5), whose budget came from T's 10^9 */
    screen(sc, id_of(s, W), k, e);
    CHECK(e[1].source_received[0] == 1e9);
    CHECK(e[1].dusted[0] == 1.0 && e[1].direct[0] == 0);
    /* X (own ETH): 10^6 K from T, 3 x 10^6 K from each of 6 exchanges: theft 1/19 (flagged at
     * 0.05), each exchange 3/19, so the 5 strongest paths are all exchange paths; theft's own
     * strongest path is kept apart (best[0]: X <- T), the report shows it (worked example 33) */
    screen(sc, id_of(s, X), k, e);
    CHECK(fabs(e[1].direct[0] - 1.0 / 19) < 1e-12);
    CHECK_EQ_INT(e[1].n_top, 5);
    int theft_in_top = 0;
    for (size_t p = 0; p < e[1].n_top; p++)
        theft_in_top += e[1].top[p].category == 0;
    CHECK_EQ_INT(theft_in_top, 0);
    CHECK(e[1].best[0].share == e[1].direct[0]);
    CHECK_EQ_INT(e[1].best[0].n, 2);
    CHECK(e[1].best[0].n == 2 && e[1].best[0].accounts[1] == c.thief);
    CHECK(fabs(e[1].best[1].share - 3.0 / 19) < 1e-12);
    /* amounts: Y got BIG K from T3 (theft), all it got: exactly BIG, its own 19 digits (a
     * double would print 1234567890123456768); Z got BIG from T3 and BIG from G (minted): half,
     * share x received rounded to 15 significant digits, said so */
    char amt[CW_U256_DEC_MAX];
    screen(sc, id_of(s, Y), k, e);
    CHECK(e[1].direct[0] == 1.0 && (e[1].whole & 1u));
    CHECK(cw_acct_exposure_amount(&e[1], 0, e[1].direct[0], amt));
    CHECK_EQ_STR(amt, "1234567890123456789");
    screen(sc, id_of(s, Z), k, e);
    CHECK(e[1].direct[0] == 0.5 && !(e[1].whole & 1u));
    CHECK(!cw_acct_exposure_amount(&e[1], 0, e[1].direct[0], amt));
    CHECK_EQ_STR(amt, "1234567890123450000");
    /* third parties (worked example 34), theft's share through one probable: P1 had K from G
     * and an exchange before T's gift of 10^6 K and paid Q half of it: Q's theft (0.9998) is
     * probable, through P1's own account; F, T's fresh hop, paid R half of T's 10^6 K: certain.
     * P1's own receipt from T stays certain. Off unless asked (third_party_cats). */
    cw_acct_screener *s3;
    o.third_party_cats = 1u;
    REQUIRE(cw_acct_screener_new(&s3, s, cat_of, &c, &o) == 0);
    screen(s3, id_of(s, Q), k, e);
    CHECK(e[1].indirect[0] > 0.99 && e[1].probable[0] == e[1].indirect[0]);
    CHECK(e[1].why_of[0] == CW_ACCT_PROB_THIRD && !(e[1].whole & 1u));
    CHECK(e[1].best[0].why == CW_ACCT_PROB_THIRD && e[1].best[0].third == 1);
    CHECK(e[1].best[0].n == 3 && e[1].best[0].accounts[1] == id_of(s, P1));
    screen(s3, id_of(s, R), k, e);
    CHECK(e[1].indirect[0] == 1.0 && e[1].probable[0] == 0 && e[1].best[0].third == 0);
    screen(s3, id_of(s, P1), k, e);
    CHECK(e[1].direct[0] > 0.99 && e[1].probable[0] == 0);
    screen(sc, id_of(s, Q), k, e); /* the default: certain, as before */
    CHECK(e[1].indirect[0] > 0.99 && e[1].probable[0] == 0);
    cw_acct_screener_free(s3);
    /* without cw_acct_screen_dust a screen is as before: U1 theft at share 1 */
    REQUIRE(cw_acct_screener_run(sc, &e[1], id_of(s, U0), k) == 0);
    CHECK(e[1].direct[0] == 1.0 && e[1].dusted[0] == 0);
    cw_acct_screener_free(sc);
    cw_evmstore_close(s);
}

int main(void)
{
    RUN(test_dust);
    return cw_test_done();
}
