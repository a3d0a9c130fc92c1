/*
 * chain.c: the generator's chain writer and ledger. Accounts (addresses, bloom bits), blocks
 * (post-merge: difficulty 0, a fee recipient, a base fee, up to 16 withdrawals in gwei),
 * transactions with their receipt, top-level and internal traces (Parity trace_block shape, as
 * ethereum-etl's export_traces writes them), logs, and ERC-20 transfers. Every emitter applies
 * its movement to the ledger exactly when the CSVs say value moved: a transaction's value and
 * a trace's value only when it and all its parents succeed; a log only in a successful
 * transaction; the fee (gas_used x effective gas price) always, split into the burnt base fee
 * and the tip to the block's fee recipient. An overdraft is a generator bug and fails the run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "gen/evm/evm_int.h"

static void bloom_bits(uint16_t out[3], const uint8_t h[32])
{
    for (int i = 0; i < 3; i++)
        out[i] = (uint16_t)((((unsigned)h[2 * i] << 8) | h[2 * i + 1]) & 2047u);
}

void ew_topic_bloom(uint16_t out[3], const uint8_t topic[32])
{
    uint8_t h[32];
    ew_keccak256(h, topic, 32);
    bloom_bits(out, h);
}

static void bloom_add(ew_world *w, const uint16_t b[3])
{
    for (int i = 0; i < 3; i++)
        w->bloom[255 - b[i] / 8] |= (uint8_t)(1u << (b[i] % 8));
}

void ew_fake_hash(uint8_t out[32], uint64_t a, uint64_t b)
{
    uint64_t s = gen_mix64(a * 0x9e3779b97f4a7c15ULL ^ gen_mix64(b + 0x632be59bd9b4e019ULL));
    for (int i = 0; i < 4; i++) {
        uint64_t x = gen_splitmix(&s);
        for (int j = 0; j < 8; j++)
            out[i * 8 + j] = (uint8_t)(x >> (56 - 8 * j));
    }
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap : 1024;
    while (nc < need)
        nc *= 2;
    void *q = realloc(*p, nc * elem);
    if (!q)
        return CW_ENOMEM;
    *p = q;
    *cap = nc;
    return 0;
}

static void fail(ew_world *w, int code, const char *what)
{
    if (!w->err)
        w->err = cw_error_set(code, "gen evm: %s (block %llu, tx %u)", what,
                              (unsigned long long)w->number, w->tx_index);
}

static uint32_t acct_add(ew_world *w, uint8_t cat, uint32_t ent, const uint8_t addr[20],
                         bool contract)
{
    size_t cap = w->cap_acct;
    if (w->n_acct + 1 > cap) {
        size_t nc = cap ? cap * 2 : 4096;
        ew_acct *a = realloc(w->acct, nc * sizeof *a);
        if (!a) {
            fail(w, CW_ENOMEM, "out of memory for accounts");
            return 0;
        }
        w->acct = a;
        for (int k = 0; k <= EW_NTOK; k++) {
            u128 *b = realloc(w->bal[k], nc * sizeof(u128));
            if (!b) {
                fail(w, CW_ENOMEM, "out of memory for balances");
                return 0;
            }
            w->bal[k] = b;
        }
        w->cap_acct = nc;
    }
    uint32_t id = (uint32_t)w->n_acct++;
    ew_acct *a = &w->acct[id];
    memset(a, 0, sizeof *a);
    memcpy(a->addr, addr, 20);
    a->cat = cat;
    a->ent = ent;
    a->contract = contract;
    a->customer = EW_NONE;
    a->exch = EW_NONE;
    uint8_t h[32], word[32];
    ew_keccak256(h, addr, 20);
    bloom_bits(a->bloom_a, h);
    memset(word, 0, 12);
    memcpy(word + 12, addr, 20);
    ew_topic_bloom(a->bloom_t, word);
    for (int k = 0; k <= EW_NTOK; k++)
        w->bal[k][id] = 0;
    if (w->st)
        w->st->accounts = w->n_acct;
    return id;
}

uint32_t ew_acct_new(ew_world *w, uint8_t cat, uint32_t ent, bool contract)
{
    uint8_t addr[20];
    uint64_t s = w->salt ^ gen_mix64(w->n_acct + 0x5bd1e995ULL);
    for (int i = 0; i < 20; i++) {
        if (i % 8 == 0)
            s = gen_mix64(s + 0x9e3779b97f4a7c15ULL);
        addr[i] = (uint8_t)(s >> (8 * (i % 8)));
    }
    return acct_add(w, cat, ent, addr, contract);
}

uint32_t ew_acct_new_at(ew_world *w, uint8_t cat, uint32_t ent, const uint8_t addr[20])
{
    return acct_add(w, cat, ent, addr, true);
}

uint32_t ew_ent_new(ew_world *w, uint8_t cat, const char *name, int32_t heist)
{
    if (grow((void **)&w->ent, &w->cap_ent, w->n_ent + 1, sizeof *w->ent)) {
        fail(w, CW_ENOMEM, "out of memory for entities");
        return 0;
    }
    ew_ent *e = &w->ent[w->n_ent];
    memset(e, 0, sizeof *e);
    snprintf(e->name, sizeof e->name, "%s", name);
    e->cat = cat;
    e->heist = heist;
    return (uint32_t)w->n_ent++;
}

/* CREATE's address: the last 20 bytes of keccak256(rlp([sender, nonce])). */
void ew_create_address(const uint8_t sender[20], uint64_t nonce, uint8_t out[20])
{
    uint8_t r[40], nb[8];
    size_t nl = 0;
    for (uint64_t x = nonce; x; x >>= 8)
        nl++;
    for (size_t i = 0; i < nl; i++)
        nb[i] = (uint8_t)(nonce >> (8 * (nl - 1 - i)));
    size_t p = 0;
    size_t nonce_len = (nonce == 0) ? 1 : (nonce < 0x80 ? 1 : 1 + nl);
    r[p++] = (uint8_t)(0xc0 + 21 + nonce_len);
    r[p++] = 0x94;
    memcpy(r + p, sender, 20);
    p += 20;
    if (nonce == 0)
        r[p++] = 0x80;
    else if (nonce < 0x80)
        r[p++] = (uint8_t)nonce;
    else {
        r[p++] = (uint8_t)(0x80 + nl);
        memcpy(r + p, nb, nl);
        p += nl;
    }
    uint8_t h[32];
    ew_keccak256(h, r, p);
    memcpy(out, h + 12, 20);
}

void ew_word_addr(uint8_t out[32], const ew_world *w, uint32_t a)
{
    memset(out, 0, 12);
    memcpy(out + 12, w->acct[a].addr, 20);
}

void ew_word_u128(uint8_t out[32], u128 v)
{
    memset(out, 0, 16);
    for (int i = 0; i < 16; i++)
        out[31 - i] = (uint8_t)(v >> (8 * i));
}

void ew_addr_hex(char out[43], const ew_world *w, uint32_t a)
{
    static const char hx[] = "0123456789abcdef";
    out[0] = '0';
    out[1] = 'x';
    for (int i = 0; i < 20; i++) {
        out[2 + 2 * i] = hx[w->acct[a].addr[i] >> 4];
        out[3 + 2 * i] = hx[w->acct[a].addr[i] & 15];
    }
    out[42] = 0;
}

static void put_addr(ew_out *o, const ew_world *w, uint32_t a)
{
    ew_put_hex(o, w->acct[a].addr, 20);
}

/* ---- ledger ---- */
static void move(ew_world *w, int asset, uint32_t from, uint32_t to, u128 v)
{
    if (!v)
        return;
    if (from != EW_NONE) {
        if (w->bal[asset][from] < v) {
            fail(w, CW_EINVAL, "internal error: an overdraft in the generated ledger");
            return;
        }
        w->bal[asset][from] -= v;
    }
    if (to != EW_NONE)
        w->bal[asset][to] += v;
}

/* ---- blocks ---- */
void ew_block_begin(ew_world *w)
{
    memcpy(w->parent, w->hash, 32);
    w->number++;
    w->timestamp += gen_chance(&w->rng, 0.01) ? 24 : 12; /* a missed slot now and then */
    /* the base fee drifts by at most 12.5% a block, as EIP-1559 allows, between 2 and 90 gwei */
    uint64_t step = w->base_fee / 8;
    uint64_t d = gen_below(&w->rng, 2 * step + 1);
    w->base_fee = w->base_fee - step + d;
    if (w->base_fee < 2000000000ULL)
        w->base_fee = 2000000000ULL + gen_below(&w->rng, 100000000ULL);
    if (w->base_fee > 90000000000ULL)
        w->base_fee = 90000000000ULL - gen_below(&w->rng, 1000000000ULL);
    ew_fake_hash(w->hash, w->salt ^ 0xb10cULL, w->number);
    w->miner = w->builders[gen_below(&w->rng, 3) == 0 ? gen_below(&w->rng, w->n_builders)
                                                      : gen_below(&w->rng, 2)];
    w->tx_index = 0;
    w->log_index = 0;
    w->tx.priced = false; /* a price drawn for the last block's base fee is void */
    w->gas_used_block = 0;
    w->block_size = 620 + gen_below(&w->rng, 80);
    memset(w->bloom, 0, sizeof w->bloom);
}

int ew_block_end(ew_world *w, uint32_t n_wd, const uint32_t *wd_to, const uint64_t *wd_gwei)
{
    static const uint8_t uncles[32] = {0x1d, 0xcc, 0x4d, 0xe8, 0xde, 0xc7, 0x5d, 0x7a,
                                       0xab, 0x85, 0xb5, 0x67, 0xb6, 0xcc, 0xd4, 0x1a,
                                       0xd3, 0x12, 0x45, 0x1b, 0x94, 0x8a, 0x74, 0x13,
                                       0xf0, 0xa1, 0x42, 0xfd, 0x40, 0xd4, 0x93, 0x47};
    ew_out *o = &w->o_blocks;
    uint8_t h[32];
    ew_need(o, 8192 + (size_t)n_wd * 160);
    ew_put_u64(o, w->number);
    ew_put_c(o, ',');
    ew_put_hex(o, w->hash, 32);
    ew_put_c(o, ',');
    ew_put_hex(o, w->parent, 32);
    ew_put_s(o, ",0x0000000000000000,");
    ew_put_hex(o, uncles, 32);
    ew_put_c(o, ',');
    ew_put_hex(o, w->bloom, 256);
    for (int k = 0; k < 3; k++) {
        ew_put_c(o, ',');
        ew_fake_hash(h, w->salt ^ (0x7007ULL + (uint64_t)k), w->number);
        ew_put_hex(o, h, 32);
    }
    ew_put_c(o, ',');
    put_addr(o, w, w->miner);
    ew_put_s(o, ",0,58750003716598352816469,");
    ew_put_u64(o, w->block_size + (uint64_t)n_wd * 45);
    ew_put_c(o, ',');
    /* extra data: the builder's tag */
    char tag[24];
    int tl = snprintf(tag, sizeof tag, "cw-builder-%u", (unsigned)(w->miner % 97));
    ew_put_hex(o, (const uint8_t *)tag, (size_t)tl);
    ew_put_s(o, ",30000000,");
    ew_put_u64(o, w->gas_used_block);
    ew_put_c(o, ',');
    ew_put_u64(o, w->timestamp);
    ew_put_c(o, ',');
    ew_put_u64(o, w->tx_index);
    ew_put_c(o, ',');
    ew_put_u64(o, w->base_fee);
    ew_put_c(o, ',');
    ew_fake_hash(h, w->salt ^ 0x3d3dULL, w->number);
    ew_put_hex(o, h, 32);
    ew_put_c(o, ',');
    if (n_wd) {
        ew_put_c(o, '"');
        for (uint32_t i = 0; i < n_wd; i++) {
            if (i)
                ew_put_c(o, ',');
            ew_put_s(o, "{\"\"index\"\":");
            ew_put_u64(o, w->withdrawal_index);
            ew_put_s(o, ",\"\"validator_index\"\":");
            ew_put_u64(o, 400000 + (gen_mix64(wd_to[i] ^ w->salt) % 9000) * 7 + i % 7);
            ew_put_s(o, ",\"\"address\"\":\"\"");
            put_addr(o, w, wd_to[i]);
            ew_put_s(o, "\"\",\"\"amount\"\":");
            ew_put_u64(o, wd_gwei[i]);
            ew_put_c(o, '}');
            w->withdrawal_index++;
            move(w, 0, EW_NONE, wd_to[i], (u128)wd_gwei[i] * EW_GWEI);
        }
        ew_put_c(o, '"');
        if (w->st)
            w->st->withdrawals += n_wd;
    }
    ew_put_eol(o);
    w->blocks_total++;
    return w->err;
}

/* ---- transactions ---- */
static size_t scratch_alloc(ew_world *w, size_t len)
{
    if (grow((void **)&w->tx.scratch, &w->tx.scratch_cap, w->tx.scratch_len + len, 1)) {
        fail(w, CW_ENOMEM, "out of memory for calldata");
        return 0;
    }
    size_t off = w->tx.scratch_len;
    memset(w->tx.scratch + off, 0, len);
    w->tx.scratch_len += len;
    return off;
}

static uint32_t trace_add(ew_world *w)
{
    if (grow((void **)&w->tx.tr, &w->tx.cap_tr, w->tx.n_tr + 1, sizeof *w->tx.tr)) {
        fail(w, CW_ENOMEM, "out of memory for traces");
        return 0;
    }
    ew_trace *t = &w->tx.tr[w->tx.n_tr];
    memset(t, 0, sizeof *t);
    return (uint32_t)w->tx.n_tr++;
}

u128 ew_fee_bound(const ew_world *w, uint64_t gas_used)
{
    /* the price never exceeds base fee + 3 gwei */
    return (u128)gas_used * (w->base_fee + 3000000000ULL);
}

uint64_t ew_tx_next_price(ew_world *w)
{
    w->tx.type = gen_chance(&w->rng, 0.15) ? 0 : 2;
    w->tx.prio = 10000000ULL + gen_below(&w->rng, 2000000000ULL);
    if (gen_chance(&w->rng, 0.2))
        w->tx.prio = 1000000000ULL * (1 + gen_below(&w->rng, 2));
    w->tx.price = w->base_fee + w->tx.prio;
    w->tx.max_fee = w->tx.type == 2 ? 2 * w->base_fee + w->tx.prio : w->tx.price;
    w->tx.priced = true;
    return w->tx.price;
}

uint32_t ew_deploy(ew_world *w, uint32_t from, uint8_t cat, uint32_t ent, uint64_t gas_used)
{
    uint8_t addr[20];
    ew_create_address(w->acct[from].addr, w->acct[from].nonce, addr);
    uint32_t c = ew_acct_new_at(w, cat, ent, addr);
    ew_tx_begin(w, from, EW_NONE, 0, gas_used, true);
    w->tx.tr[0].to = c;
    w->tx.tr[0].type = 1;
    w->tx.created = c;
    size_t len = 300 + gen_below(&w->rng, 600);
    uint8_t *in = ew_tx_input(w, len);
    for (size_t k = 0; k < len; k++)
        in[k] = (uint8_t)gen_next(&w->rng);
    static const uint8_t prologue[5] = {0x60, 0x80, 0x60, 0x40, 0x52};
    memcpy(in, prologue, 5);
    w->tx.tr[0].out_off = w->tx.in_off + 64;
    w->tx.tr[0].out_len = (uint32_t)(len - 64);
    return c;
}

void ew_tx_begin(ew_world *w, uint32_t from, uint32_t to, u128 value, uint64_t gas_used, bool ok)
{
    w->tx.from = from;
    w->tx.to = to;
    w->tx.value = value;
    w->tx.gas_used = gas_used;
    w->tx.ok = ok;
    w->tx.created = EW_NONE;
    w->tx.scratch_len = 0;
    w->tx.n_tr = 0;
    w->tx.in_off = 0;
    w->tx.in_len = 0;
    ew_fake_hash(w->tx.hash, w->salt ^ 0x7a7aULL, w->txs_total);
    if (!w->tx.priced)
        (void)ew_tx_next_price(w);
    w->tx.priced = false;
    if (w->bal[0][from] < value + (u128)gas_used * w->tx.price)
        fail(w, CW_EINVAL, "internal error: a sender without the funds for its transaction");
    uint32_t t = trace_add(w);
    w->tx.tr[t].from = from;
    w->tx.tr[t].to = to;
    w->tx.tr[t].value = value;
    w->tx.tr[t].ok = ok;
    w->tx.tr[t].parent = EW_NONE;
    if (ok)
        move(w, 0, from, to, value);
}

uint8_t *ew_tx_input(ew_world *w, size_t len)
{
    size_t off = scratch_alloc(w, len);
    w->tx.in_off = (uint32_t)off;
    w->tx.in_len = (uint32_t)len;
    w->tx.tr[0].in_off = (uint32_t)off;
    w->tx.tr[0].in_len = (uint32_t)len;
    return w->tx.scratch + off;
}

uint32_t ew_tx_call(ew_world *w, uint32_t parent, uint32_t from, uint32_t to, u128 value,
                    const uint8_t *in, size_t in_len, bool ok)
{
    size_t off = 0;
    if (in_len) {
        off = scratch_alloc(w, in_len);
        if (in)
            memcpy(w->tx.scratch + off, in, in_len);
    }
    uint32_t i = trace_add(w);
    ew_trace *t = &w->tx.tr[i];
    ew_trace *p = &w->tx.tr[parent];
    t->from = from;
    t->to = to;
    t->value = value;
    t->parent = parent;
    t->depth = (uint8_t)(p->depth + 1);
    memcpy(t->path, p->path, sizeof t->path);
    if (t->depth <= 6)
        t->path[t->depth - 1] = (uint16_t)p->subtraces;
    p->subtraces++;
    t->in_off = (uint32_t)off;
    t->in_len = (uint32_t)in_len;
    t->ok = ok && p->ok;
    if (!ok)
        t->error = "Reverted";
    if (t->ok)
        move(w, 0, from, to, value);
    return i;
}

uint32_t ew_tx_create(ew_world *w, uint32_t parent, uint32_t from, uint32_t new_acct)
{
    uint32_t i = ew_tx_call(w, parent, from, new_acct, 0, NULL, 0, true);
    w->tx.tr[i].type = 1;
    size_t len = 96 + gen_below(&w->rng, 64);
    size_t off = scratch_alloc(w, len);
    for (size_t k = 0; k < len; k++)
        w->tx.scratch[off + k] = (uint8_t)gen_next(&w->rng);
    w->tx.scratch[off] = 0x60;
    w->tx.scratch[off + 1] = 0x80;
    w->tx.tr[i].in_off = (uint32_t)off;
    w->tx.tr[i].in_len = (uint32_t)len;
    w->tx.tr[i].out_off = (uint32_t)(off + 32);
    w->tx.tr[i].out_len = (uint32_t)(len - 32);
    return i;
}

static void put_common_log(ew_world *w, ew_out *o, uint32_t addr)
{
    ew_put_u64(o, w->log_index);
    ew_put_c(o, ',');
    ew_put_hex(o, w->tx.hash, 32);
    ew_put_c(o, ',');
    ew_put_u64(o, w->tx_index);
    ew_put_c(o, ',');
    ew_put_hex(o, w->hash, 32);
    ew_put_c(o, ',');
    ew_put_u64(o, w->number);
    ew_put_c(o, ',');
    put_addr(o, w, addr);
    ew_put_c(o, ',');
}

void ew_log(ew_world *w, uint32_t addr, int n_topics, const uint8_t *const *topics,
            const uint16_t *const *blooms, const uint8_t *data, size_t data_len)
{
    if (!w->tx.ok)
        return;
    ew_out *o = &w->o_logs;
    ew_need(o, 1024 + 2 * data_len);
    put_common_log(w, o, addr);
    ew_put_hex(o, data, data_len);
    ew_put_c(o, ',');
    if (n_topics > 1)
        ew_put_c(o, '"');
    for (int i = 0; i < n_topics; i++) {
        if (i)
            ew_put_c(o, ',');
        ew_put_hex(o, topics[i], 32);
        bloom_add(w, blooms[i]);
    }
    if (n_topics > 1)
        ew_put_c(o, '"');
    ew_put_eol(o);
    bloom_add(w, w->acct[addr].bloom_a);
    w->log_index++;
    if (w->st)
        w->st->logs++;
}

static void log_addr2(ew_world *w, uint32_t contract, const uint8_t *t0, const uint16_t *b0,
                      uint32_t a1, uint32_t a2, const uint8_t *data, size_t dlen)
{
    uint8_t w1[32], w2[32];
    ew_word_addr(w1, w, a1);
    ew_word_addr(w2, w, a2);
    const uint8_t *tp[3] = {t0, w1, w2};
    const uint16_t *bl[3] = {b0, w->acct[a1].bloom_t, w->acct[a2].bloom_t};
    ew_log(w, contract, 3, tp, bl, data, dlen);
}

void ew_erc20_transfer(ew_world *w, int tok, uint32_t from, uint32_t to, u128 amount)
{
    if (!w->tx.ok)
        return;
    uint8_t data[32];
    ew_word_u128(data, amount);
    uint64_t li = w->log_index;
    /* tok > EW_NTOK names an LP token by its pair contract's account */
    uint32_t c = tok > EW_NTOK ? (uint32_t)tok : w->tok[tok];
    log_addr2(w, c, w->t_transfer, w->tb_transfer, from, to, data, 32);
    ew_out *o = &w->o_tt;
    ew_need(o, 512);
    put_addr(o, w, c);
    ew_put_c(o, ',');
    put_addr(o, w, from);
    ew_put_c(o, ',');
    put_addr(o, w, to);
    ew_put_c(o, ',');
    ew_put_u128(o, amount);
    ew_put_c(o, ',');
    ew_put_hex(o, w->tx.hash, 32);
    ew_put_c(o, ',');
    ew_put_u64(o, li);
    ew_put_c(o, ',');
    ew_put_u64(o, w->number);
    ew_put_eol(o);
    if (w->st)
        w->st->token_transfers++;
    if (tok <= EW_NTOK) {
        move(w, tok, from == w->zero ? EW_NONE : from, to == w->zero ? EW_NONE : to, amount);
        if (from == w->zero)
            w->supply[tok] += amount;
        if (to == w->zero)
            w->supply[tok] -= amount;
    }
}

void ew_weth_deposit(ew_world *w, uint32_t dst, u128 amount)
{
    if (!w->tx.ok)
        return;
    uint8_t data[32], t1[32];
    ew_word_u128(data, amount);
    ew_word_addr(t1, w, dst);
    const uint8_t *tp[2] = {w->t_wdeposit, t1};
    const uint16_t *bl[2] = {w->tb_wdeposit, w->acct[dst].bloom_t};
    ew_log(w, w->tok[EW_WETH], 2, tp, bl, data, 32);
    move(w, EW_WETH, EW_NONE, dst, amount);
    w->supply[EW_WETH] += amount;
}

void ew_weth_withdrawal(ew_world *w, uint32_t src, u128 amount)
{
    if (!w->tx.ok)
        return;
    uint8_t data[32], t1[32];
    ew_word_u128(data, amount);
    ew_word_addr(t1, w, src);
    const uint8_t *tp[2] = {w->t_wwithdrawal, t1};
    const uint16_t *bl[2] = {w->tb_wwithdrawal, w->acct[src].bloom_t};
    ew_log(w, w->tok[EW_WETH], 2, tp, bl, data, 32);
    move(w, EW_WETH, src, EW_NONE, amount);
    w->supply[EW_WETH] -= amount;
}

static uint64_t calldata_gas(const uint8_t *p, size_t n)
{
    uint64_t g = 0;
    for (size_t i = 0; i < n; i++)
        g += p[i] ? 16 : 4;
    return g;
}

static void put_trace_address(ew_out *o, const ew_trace *t, char sep)
{
    for (int d = 0; d < t->depth && d < 6; d++) {
        if (d)
            ew_put_c(o, sep);
        ew_put_u64(o, t->path[d]);
    }
}

int ew_tx_end(ew_world *w)
{
    const uint8_t *in = w->tx.scratch + w->tx.in_off;
    uint64_t intrinsic = 21000 + calldata_gas(in, w->tx.in_len) + (w->tx.to == EW_NONE ? 32000 : 0);
    bool plain = w->tx.n_tr == 1 && w->tx.to != EW_NONE && !w->acct[w->tx.to].contract;
    if (plain || w->tx.gas_used < intrinsic)
        w->tx.gas_used = plain ? intrinsic : intrinsic + 2000 + w->tx.gas_used % 5000;
    uint64_t gu = w->tx.gas_used;
    w->tx.gas = plain ? gu : gu + gu / 4 + 1000 * gen_below(&w->rng, 40);
    if (!w->tx.ok && gen_chance(&w->rng, 0.3))
        w->tx.gas = gu; /* out of gas */
    /* fees: the sender pays gas_used x price; the base fee is burnt, the tip goes to the
     * fee recipient */
    u128 fee = (u128)gu * w->tx.price;
    move(w, 0, w->tx.from, EW_NONE, fee);
    move(w, 0, EW_NONE, w->miner, (u128)gu * (w->tx.price - w->base_fee));
    w->acct[w->tx.from].nonce++;
    w->gas_used_block += gu;
    /* transactions.csv */
    ew_out *o = &w->o_txs;
    ew_need(o, 1024 + 2 * (size_t)w->tx.in_len);
    ew_put_hex(o, w->tx.hash, 32);
    ew_put_c(o, ',');
    ew_put_u64(o, w->acct[w->tx.from].nonce - 1);
    ew_put_c(o, ',');
    ew_put_hex(o, w->hash, 32);
    ew_put_c(o, ',');
    ew_put_u64(o, w->number);
    ew_put_c(o, ',');
    ew_put_u64(o, w->tx_index);
    ew_put_c(o, ',');
    put_addr(o, w, w->tx.from);
    ew_put_c(o, ',');
    if (w->tx.to != EW_NONE)
        put_addr(o, w, w->tx.to);
    ew_put_c(o, ',');
    ew_put_u128(o, w->tx.value);
    ew_put_c(o, ',');
    ew_put_u64(o, w->tx.gas);
    ew_put_c(o, ',');
    ew_put_u64(o, w->tx.price);
    ew_put_c(o, ',');
    ew_put_hex(o, in, w->tx.in_len);
    ew_put_c(o, ',');
    ew_put_u64(o, w->timestamp);
    ew_put_c(o, ',');
    if (w->tx.type == 2) {
        ew_put_u64(o, w->tx.max_fee);
        ew_put_c(o, ',');
        ew_put_u64(o, w->tx.prio);
        ew_put_s(o, ",2");
    } else {
        ew_put_s(o, ",,0");
    }
    ew_put_eol(o);
    /* receipts.csv */
    o = &w->o_rcpt;
    ew_need(o, 1024);
    ew_put_hex(o, w->tx.hash, 32);
    ew_put_c(o, ',');
    ew_put_u64(o, w->tx_index);
    ew_put_c(o, ',');
    ew_put_hex(o, w->hash, 32);
    ew_put_c(o, ',');
    ew_put_u64(o, w->number);
    ew_put_c(o, ',');
    ew_put_u64(o, w->gas_used_block);
    ew_put_c(o, ',');
    ew_put_u64(o, gu);
    ew_put_c(o, ',');
    if (w->tx.to == EW_NONE && w->tx.ok)
        put_addr(o, w, w->tx.tr[0].to);
    ew_put_s(o, ",,");
    ew_put_c(o, w->tx.ok ? '1' : '0');
    ew_put_c(o, ',');
    ew_put_u64(o, w->tx.price);
    ew_put_s(o, ",,,,");
    ew_put_eol(o);
    /* traces.csv: the top-level trace, then the internal ones depth first */
    o = &w->o_traces;
    for (size_t i = 0; i < w->tx.n_tr; i++) {
        const ew_trace *t = &w->tx.tr[i];
        bool top = i == 0;
        bool create = top ? w->tx.to == EW_NONE : t->type == 1;
        ew_need(o, 1024 + 2 * (size_t)(t->in_len + t->out_len));
        ew_put_u64(o, w->number);
        ew_put_c(o, ',');
        ew_put_hex(o, w->tx.hash, 32);
        ew_put_c(o, ',');
        ew_put_u64(o, w->tx_index);
        ew_put_c(o, ',');
        put_addr(o, w, t->from);
        ew_put_c(o, ',');
        if (t->to != EW_NONE && (t->ok || !create))
            put_addr(o, w, t->to);
        ew_put_c(o, ',');
        ew_put_u128(o, t->value);
        ew_put_c(o, ',');
        ew_put_hex(o, w->tx.scratch + t->in_off, t->in_len);
        ew_put_c(o, ',');
        bool failed_here = top ? !w->tx.ok : (t->error != NULL);
        if (!failed_here) {
            if (t->out_len)
                ew_put_hex(o, w->tx.scratch + t->out_off, t->out_len);
            else if (!create)
                ew_put_s(o, "0x");
        }
        ew_put_s(o, create ? ",create,," : ",call,call,");
        uint64_t g, gused;
        if (top) {
            g = w->tx.gas - intrinsic;
            gused = gu - intrinsic;
        } else {
            g = (w->tx.gas - intrinsic) * 63 / 64 / (uint64_t)(t->depth + 1) + 2300;
            gused = t->value && !t->in_len ? 0 : 2000 + (uint64_t)t->in_len * 37 % 20000;
            if (gused > g)
                gused = g;
        }
        ew_put_c(o, ',');
        ew_put_u64(o, g);
        ew_put_c(o, ',');
        if (!failed_here)
            ew_put_u64(o, gused);
        ew_put_c(o, ',');
        ew_put_u64(o, t->subtraces);
        ew_put_c(o, ',');
        if (t->depth > 1)
            ew_put_c(o, '"');
        put_trace_address(o, t, ',');
        if (t->depth > 1)
            ew_put_c(o, '"');
        ew_put_c(o, ',');
        if (failed_here)
            ew_put_s(o, top ? (w->tx.gas == gu ? "Out of gas" : "Reverted") : t->error);
        ew_put_c(o, ',');
        ew_put_c(o, t->ok ? '1' : '0');
        ew_put_s(o, create ? ",create_" : ",call_");
        ew_put_hex(o, w->tx.hash, 32);
        ew_put_c(o, '_');
        put_trace_address(o, t, '_');
        ew_put_eol(o);
        if (w->st)
            w->st->traces++;
    }
    w->block_size += 110 + w->tx.in_len;
    if (!w->tx.ok)
        w->failed++;
    w->tx_index++;
    w->txs_total++;
    return w->err;
}

/* ---- the event heap (due block, then insertion order) ---- */
static bool ev_less(const ew_event *a, const ew_event *b)
{
    return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

void ew_event_push(ew_world *w, uint64_t due, uint32_t kind, uint32_t a, uint32_t b, uint32_t c,
                   u128 v)
{
    if (grow((void **)&w->heap, &w->cap_heap, w->n_heap + 1, sizeof *w->heap)) {
        fail(w, CW_ENOMEM, "out of memory for events");
        return;
    }
    ew_event e = {due, w->seq++, kind, a, b, c, v};
    size_t i = w->n_heap++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!ev_less(&e, &w->heap[p]))
            break;
        w->heap[i] = w->heap[p];
        i = p;
    }
    w->heap[i] = e;
}

bool ew_event_pop_due(ew_world *w, ew_event *out)
{
    if (!w->n_heap || w->heap[0].due > w->number)
        return false;
    *out = w->heap[0];
    ew_event last = w->heap[--w->n_heap];
    size_t i = 0, n = w->n_heap;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        const ew_event *best = &last;
        if (l < n && ev_less(&w->heap[l], best)) {
            m = l;
            best = &w->heap[l];
        }
        if (r < n && ev_less(&w->heap[r], best))
            m = r;
        if (m == i)
            break;
        w->heap[i] = w->heap[m];
        i = m;
    }
    if (n)
        w->heap[i] = last;
    return true;
}
