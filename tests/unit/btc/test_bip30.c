/* test_bip30.c: two blocks with byte-identical coinbases (the same txid, as at mainnet heights
 * 91812/91842 before BIP30/BIP34) are both stored, and the txid index names the later one
 * (Core's rule: the later tx replaces the earlier in the UTXO set); the index verifies (one
 * entry per txid, the right count), and a spend of that txid spends the later coinbase's
 * output. The replace path of the writer's one-walk find-or-insert. */
#include "../analytics/tiny_chain.h"

static uint8_t dup_txid[32];
static coin spend_me;

static void dup_coinbase(uint64_t key)
{
    block_begin();
    static const uint8_t script[] = {0x04, 'd', 'u', 'p', '!'}; /* no BIP34 height */
    memcpy(cb_tx.cb_script, script, sizeof script);
    cb_tx.cb_script_len = sizeof script;
    coin c;
    fund(&c, 5000000000ULL, key);
    block_end();
    memcpy(dup_txid, c.txid, 32);
    spend_me = c;
}

static void build(void)
{
    chain_begin();
    uint64_t key = new_key();
    dup_coinbase(key);
    uint8_t first[32];
    memcpy(first, dup_txid, 32);
    dup_coinbase(key);
    CHECK(memcmp(first, dup_txid, 32) == 0); /* the same txid twice */
    block_begin();
    gen_tx tx;
    gen_tx_init(&tx);
    add_in(&tx, &spend_me);
    add_out(&tx, 4999990000ULL, new_key());
    block_tx(&tx, NULL);
    gen_tx_deinit(&tx);
    block_end();
    char w[1024];
    snprintf(w, sizeof w, "%.900s/world", cw_test_tmpdir());
    chain_write(w);
}

int main(void)
{
    char wdir[4096], sdir[4200];
    cw_chainstore *st = NULL;
    int rc = CHAIN_SETUP(build, wdir, sdir, &st);
    if (rc)
        return rc;
    cw_chainstore_counts c = cw_chainstore_counts_get(st);
    CHECK_EQ_INT(c.blocks, 4); /* genesis, the two duplicates, the spend */
    CHECK_EQ_INT(c.txs, 5);
    uint64_t t = chain_tx(st, dup_txid);
    CHECK_EQ_INT(t, 2); /* genesis coinbase 0, first duplicate 1, second 2 */
    CHECK_EQ_INT(cw_chainstore_tx_block(st, t), 2);
    CHECK_EQ_INT(cw_chainstore_check_indexes(st), 0);
    /* the spend (tx 4, input 0) spends the later coinbase's output */
    const cw_row_in *in = cw_chainstore_in(st, cw_chainstore_tx_first_in(st, 4));
    CHECK_EQ_INT(in->spent_tx, 2);
    CHECK_EQ_INT(cw_chainstore_out(st, cw_chainstore_tx_first_out(st, 2))->spending_tx, 4);
    CHECK_EQ_INT(cw_chainstore_out(st, cw_chainstore_tx_first_out(st, 1))->spending_tx,
                 CW_NONE32);
    cw_chainstore_close(st);
    return cw_test_done();
}
