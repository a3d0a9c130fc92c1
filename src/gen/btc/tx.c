/*
 * tx.c: the generator's transaction and block serializer (Bitcoin consensus format, BIP144
 * segwit serialization), the BIP141 witness commitment pieces, headers and the
 * two genesis blocks. Invariant: gen_tx_sizes() predicts exactly the bytes gen_tx_serialize()
 * writes (checked by tests/unit/gen/test_gen_tx.c), so callers can set fees from the vsize.
 */
#include <string.h>

#include "chainwatch/btc/address.h"
#include "chainwatch/errors.h"
#include "chainwatch/util.h"
#include "gen/btc/rng.h"
#include "gen/btc/tx.h"

void gen_tx_init(gen_tx *tx)
{
    memset(tx, 0, sizeof *tx);
    tx->version = 2;
}

void gen_tx_reset(gen_tx *tx)
{
    tx->version = 2;
    tx->locktime = 0;
    tx->coinbase = false;
    tx->cb_witness = false;
    tx->cb_script_len = 0;
    tx->n_in = 0;
    tx->n_out = 0;
    tx->in_bytes = 0;
    tx->out_bytes = 0;
    tx->wit_bytes = 0;
    tx->n_wit_in = 0;
}

void gen_tx_deinit(gen_tx *tx)
{
    cw_free(tx->in);
    cw_free(tx->out);
    memset(tx, 0, sizeof *tx);
}

static size_t varint_size(uint64_t n);
static size_t scriptsig_len(const gen_tx *tx, const gen_txin *in);
static size_t witness_len(const gen_tx *tx, const gen_txin *in);

/* Little-endian stores written out so the compiler emits one store each. */
static inline void le64(uint8_t *p, uint64_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
    p[4] = (uint8_t)(v >> 32);
    p[5] = (uint8_t)(v >> 40);
    p[6] = (uint8_t)(v >> 48);
    p[7] = (uint8_t)(v >> 56);
}

static uint8_t sig_first_byte(uint64_t sigseed)
{
    uint8_t b = (uint8_t)(gen_mix64(sigseed) & 0xff);
    return b ? b : 1;
}

gen_txin *gen_tx_add_in(gen_tx *tx, const uint8_t prev_txid[32], uint32_t vout, uint8_t type,
                        uint64_t key, uint64_t sigseed)
{
    if (tx->n_in == tx->cap_in) {
        size_t cap = tx->cap_in ? tx->cap_in * 2 : 8;
        gen_txin *n = cw_realloc(tx->in, cap * sizeof *n);
        if (!n)
            return NULL;
        tx->in = n;
        tx->cap_in = cap;
    }
    gen_txin *in = &tx->in[tx->n_in++];
    memcpy(in->prev_txid, prev_txid, 32);
    in->prev_vout = vout;
    in->sequence = 0xfffffffdU; /* opt-in RBF, as most wallets today */
    in->type = type;
    in->key = key;
    in->sigseed = sigseed;
    in->siglen = sig_first_byte(sigseed) >= 0x80 ? 72 : 71;
    size_t ss = scriptsig_len(tx, in);
    tx->in_bytes += 36 + varint_size(ss) + ss + 4;
    tx->wit_bytes += witness_len(tx, in);
    tx->n_wit_in += type != CW_SCRIPT_P2PKH;
    return in;
}

gen_txout *gen_tx_add_out(gen_tx *tx, uint64_t value, const uint8_t *spk, size_t spk_len)
{
    if (spk_len > GEN_SPK_MAX)
        return NULL;
    if (tx->n_out == tx->cap_out) {
        size_t cap = tx->cap_out ? tx->cap_out * 2 : 8;
        gen_txout *n = cw_realloc(tx->out, cap * sizeof *n);
        if (!n)
            return NULL;
        tx->out = n;
        tx->cap_out = cap;
    }
    gen_txout *o = &tx->out[tx->n_out++];
    o->value = value;
    o->spk_len = (uint8_t)spk_len;
    memcpy(o->spk, spk, spk_len);
    tx->out_bytes += gen_out_size(spk_len);
    return o;
}

static size_t varint_size(uint64_t n)
{
    return n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffffffffULL ? 5 : 9;
}

static uint8_t *put_varint(uint8_t *p, uint64_t n)
{
    if (n < 0xfd) {
        *p++ = (uint8_t)n;
    } else if (n <= 0xffff) {
        *p++ = 0xfd;
        *p++ = (uint8_t)n;
        *p++ = (uint8_t)(n >> 8);
    } else if (n <= 0xffffffffULL) {
        *p++ = 0xfe;
        for (int i = 0; i < 4; i++)
            *p++ = (uint8_t)(n >> (8 * i));
    } else {
        *p++ = 0xff;
        for (int i = 0; i < 8; i++)
            *p++ = (uint8_t)(n >> (8 * i));
    }
    return p;
}

static uint8_t *put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
    return p + 4;
}

static uint8_t *put_u64(uint8_t *p, uint64_t v)
{
    le64(p, v);
    return p + 8;
}

bool gen_tx_has_witness(const gen_tx *tx)
{
    if (tx->coinbase)
        return tx->cb_witness;
    for (size_t i = 0; i < tx->n_in; i++)
        if (tx->in[i].type != CW_SCRIPT_P2PKH)
            return true;
    return false;
}

static size_t scriptsig_len(const gen_tx *tx, const gen_txin *in)
{
    if (tx->coinbase)
        return tx->cb_script_len;
    switch (in->type) {
    case CW_SCRIPT_P2PKH:
        return 1 + in->siglen + 1 + 33;
    case CW_SCRIPT_P2SH:
        return 23;
    default:
        return 0;
    }
}

static size_t witness_len(const gen_tx *tx, const gen_txin *in)
{
    if (tx->coinbase)
        return tx->cb_witness ? 1 + 1 + 32 : 1;
    switch (in->type) {
    case CW_SCRIPT_P2SH:
    case CW_SCRIPT_P2WPKH:
        return 1 + 1 + in->siglen + 1 + 33;
    case CW_SCRIPT_P2TR:
        return 1 + 1 + 64;
    default:
        return 1;
    }
}

size_t gen_out_size(size_t spk_len)
{
    return 8 + varint_size(spk_len) + spk_len;
}

void gen_tx_sizes(const gen_tx *tx, size_t *base, size_t *total)
{
    if (!tx->coinbase) {
        size_t b =
            4 + varint_size(tx->n_in) + varint_size(tx->n_out) + 4 + tx->in_bytes + tx->out_bytes;
        *base = b;
        *total = tx->n_wit_in ? b + 2 + tx->wit_bytes : b;
        return;
    }
    size_t n_in = tx->coinbase ? 1 : tx->n_in;
    size_t b = 4 + varint_size(n_in) + varint_size(tx->n_out) + 4;
    size_t w = 0;
    for (size_t i = 0; i < n_in; i++) {
        const gen_txin *in = tx->coinbase ? NULL : &tx->in[i];
        size_t ss = scriptsig_len(tx, in);
        b += 36 + varint_size(ss) + ss + 4;
        w += witness_len(tx, in);
    }
    for (size_t i = 0; i < tx->n_out; i++)
        b += gen_out_size(tx->out[i].spk_len);
    *base = b;
    *total = gen_tx_has_witness(tx) ? b + 2 + w : b;
}

size_t gen_tx_vsize(const gen_tx *tx)
{
    size_t base, total;
    gen_tx_sizes(tx, &base, &total);
    return (3 * base + total + 3) / 4;
}

void gen_key_program(uint8_t out[32], uint64_t key)
{
    uint64_t base = key * 4 + 0x5bd1e995ULL;
    le64(out, gen_mix64(base));
    le64(out + 8, gen_mix64(base + 1));
    le64(out + 16, gen_mix64(base + 2));
    le64(out + 24, gen_mix64(base + 3));
}

static void key_pubkey(uint8_t out[33], uint64_t key)
{
    uint8_t x[32];
    gen_key_program(x, key ^ 0x7075626b6579ULL); /* "pubkey" domain */
    out[0] = (uint8_t)(0x02 | (x[31] & 1));
    memcpy(out + 1, x, 32);
}

size_t gen_spk(uint8_t *spk, uint8_t type, uint64_t key)
{
    uint8_t prog[32];
    gen_key_program(prog, key);
    switch (type) {
    case CW_SCRIPT_P2PKH:
        spk[0] = 0x76;
        spk[1] = 0xa9;
        spk[2] = 0x14;
        memcpy(spk + 3, prog, 20);
        spk[23] = 0x88;
        spk[24] = 0xac;
        return 25;
    case CW_SCRIPT_P2SH:
        spk[0] = 0xa9;
        spk[1] = 0x14;
        memcpy(spk + 2, prog, 20);
        spk[22] = 0x87;
        return 23;
    case CW_SCRIPT_P2TR:
        spk[0] = 0x51;
        spk[1] = 0x20;
        memcpy(spk + 2, prog, 32);
        return 34;
    default: /* CW_SCRIPT_P2WPKH */
        spk[0] = 0x00;
        spk[1] = 0x14;
        memcpy(spk + 2, prog, 20);
        return 22;
    }
}

static uint8_t *put_sig(uint8_t *p, const gen_txin *in)
{
    uint8_t rnd[64];
    for (int i = 0; i < 8; i++)
        le64(rnd + (size_t)8 * i,
             gen_mix64(in->sigseed + 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1)));
    rnd[0] = sig_first_byte(in->sigseed);
    rnd[32] = (uint8_t)(rnd[32] % 0x7f + 1); /* low-S, no padding needed */
    size_t rlen = in->siglen == 72 ? 33 : 32;
    *p++ = 0x30;
    *p++ = (uint8_t)(rlen + 36);
    *p++ = 0x02;
    *p++ = (uint8_t)rlen;
    if (rlen == 33)
        *p++ = 0x00;
    memcpy(p, rnd, 32);
    p += 32;
    *p++ = 0x02;
    *p++ = 0x20;
    memcpy(p, rnd + 32, 32);
    p += 32;
    *p++ = 0x01; /* SIGHASH_ALL */
    return p;
}

static uint8_t *put_schnorr(uint8_t *p, const gen_txin *in)
{
    for (int i = 0; i < 8; i++)
        le64(p + (size_t)8 * i, gen_mix64(in->sigseed + 0x632be59bd9b4e019ULL * (uint64_t)(i + 1)));
    return p + 64;
}

int gen_tx_serialize(cw_buf *b, const gen_tx *tx, uint8_t txid[32], uint8_t wtxid[32])
{
    size_t base, total;
    gen_tx_sizes(tx, &base, &total);
    if (cw_buf_reserve(b, total) != 0)
        return CW_ENOMEM;
    bool wit = total != base;
    uint8_t *start = b->data + b->len;
    uint8_t *p = put_u32(start, tx->version);
    if (wit) {
        *p++ = 0x00;
        *p++ = 0x01;
    }
    uint8_t *body = p;
    size_t n_in = tx->coinbase ? 1 : tx->n_in;
    p = put_varint(p, n_in);
    if (tx->coinbase) {
        memset(p, 0, 32);
        p = put_u32(p + 32, 0xffffffffU);
        p = put_varint(p, tx->cb_script_len);
        memcpy(p, tx->cb_script, tx->cb_script_len);
        p = put_u32(p + tx->cb_script_len, 0xffffffffU);
    } else {
        for (size_t i = 0; i < n_in; i++) {
            const gen_txin *in = &tx->in[i];
            memcpy(p, in->prev_txid, 32);
            p = put_u32(p + 32, in->prev_vout);
            size_t ss = scriptsig_len(tx, in);
            p = put_varint(p, ss);
            if (in->type == CW_SCRIPT_P2PKH) {
                *p++ = in->siglen;
                p = put_sig(p, in);
                *p++ = 33;
                key_pubkey(p, in->key);
                p += 33;
            } else if (in->type == CW_SCRIPT_P2SH) {
                uint8_t pk[33];
                key_pubkey(pk, in->key);
                *p++ = 0x16;
                *p++ = 0x00;
                *p++ = 0x14;
                memcpy(p, pk + 1, 20);
                p += 20;
            }
            p = put_u32(p, in->sequence);
        }
    }
    p = put_varint(p, tx->n_out);
    for (size_t i = 0; i < tx->n_out; i++) {
        p = put_u64(p, tx->out[i].value);
        p = put_varint(p, tx->out[i].spk_len);
        memcpy(p, tx->out[i].spk, tx->out[i].spk_len);
        p += tx->out[i].spk_len;
    }
    uint8_t *body_end = p;
    if (wit) {
        for (size_t i = 0; i < n_in; i++) {
            if (tx->coinbase) {
                *p++ = 1;
                *p++ = 32;
                memset(p, 0, 32);
                p += 32;
                continue;
            }
            const gen_txin *in = &tx->in[i];
            if (in->type == CW_SCRIPT_P2SH || in->type == CW_SCRIPT_P2WPKH) {
                *p++ = 2;
                *p++ = in->siglen;
                p = put_sig(p, in);
                *p++ = 33;
                key_pubkey(p, in->key);
                p += 33;
            } else if (in->type == CW_SCRIPT_P2TR) {
                *p++ = 1;
                *p++ = 64;
                p = put_schnorr(p, in);
            } else {
                *p++ = 0;
            }
        }
    }
    p = put_u32(p, tx->locktime);
    b->len += (size_t)(p - start);
    if (wit) {
        const void *pieces[3] = {start, body, p - 4};
        const size_t lens[3] = {4, (size_t)(body_end - body), 4};
        cw_sha256d_pieces(txid, 3, pieces, lens);
        if (wtxid)
            cw_sha256d(wtxid, start, (size_t)(p - start));
    } else {
        cw_sha256d(txid, start, (size_t)(p - start));
        if (wtxid)
            memcpy(wtxid, txid, 32);
    }
    return 0;
}

void gen_header(uint8_t out[80], uint32_t version, const uint8_t prev[32], const uint8_t merkle[32],
                uint32_t time, uint32_t bits, uint32_t nonce)
{
    put_u32(out, version);
    memcpy(out + 4, prev, 32);
    memcpy(out + 36, merkle, 32);
    put_u32(out + 68, time);
    put_u32(out + 72, bits);
    put_u32(out + 76, nonce);
}

/* True when hash (little-endian 256-bit number) <= the target encoded by bits. */
static bool meets_target(const uint8_t hash[32], uint32_t bits)
{
    uint8_t target[32] = {0};
    int exp = (int)(bits >> 24);
    uint32_t mant = bits & 0x007fffff;
    for (int i = 0; i < 3; i++) {
        int pos = exp - 3 + i;
        if (pos >= 0 && pos < 32)
            target[pos] = (uint8_t)(mant >> (8 * i));
    }
    for (int i = 31; i >= 0; i--) {
        if (hash[i] != target[i])
            return hash[i] < target[i];
    }
    return true;
}

void gen_header_grind(uint8_t hdr[80], uint8_t hash[32])
{
    uint32_t bits = (uint32_t)hdr[72] | (uint32_t)hdr[73] << 8 | (uint32_t)hdr[74] << 16 |
                    (uint32_t)hdr[75] << 24;
    uint32_t nonce = (uint32_t)hdr[76] | (uint32_t)hdr[77] << 8 | (uint32_t)hdr[78] << 16 |
                     (uint32_t)hdr[79] << 24;
    for (uint32_t i = 0; i < (1u << 20); i++) {
        put_u32(hdr + 76, nonce + i);
        cw_sha256d(hash, hdr, 80);
        if (meets_target(hash, bits))
            return;
    }
}

size_t gen_bip34(uint8_t *out, uint32_t height)
{
    /* CScriptNum push: OP_0 for 0, OP_1..OP_16 are not used by BIP34 (Core pushes bytes) */
    uint8_t num[5] = {0};
    size_t n = 0;
    uint32_t h = height;
    while (h) {
        num[n++] = (uint8_t)(h & 0xff);
        h >>= 8;
    }
    if (n && (num[n - 1] & 0x80))
        num[n++] = 0;
    out[0] = (uint8_t)n;
    memcpy(out + 1, num, n);
    return n + 1;
}

int gen_genesis(cw_buf *b, bool regtest, uint8_t hash[32])
{
    static const char cb_hex[] =
        "04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f7220"
        "6f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73";
    static const char spk_hex[] =
        "4104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38"
        "c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac";
    gen_tx tx;
    gen_tx_init(&tx);
    tx.version = 1;
    tx.coinbase = true;
    tx.cb_script_len = (uint8_t)(sizeof cb_hex / 2);
    uint8_t spk[67];
    int rc = CW_ENOMEM;
    if (cw_hex_decode(tx.cb_script, tx.cb_script_len, cb_hex) != 0 ||
        cw_hex_decode(spk, sizeof spk, spk_hex) != 0) {
        rc = cw_error_set(CW_EINVAL, "genesis constants");
        goto out;
    }
    if (!gen_tx_add_out(&tx, 5000000000ULL, spk, sizeof spk))
        goto out;
    cw_buf txb = {0};
    uint8_t txid[32];
    if (gen_tx_serialize(&txb, &tx, txid, NULL) != 0) {
        cw_buf_deinit(&txb);
        goto out;
    }
    uint8_t hdr[80], zero[32] = {0};
    gen_header(hdr, 1, zero, txid, regtest ? 1296688602U : 1231006505U,
               regtest ? 0x207fffffU : 0x1d00ffffU, regtest ? 2U : 2083236893U);
    cw_sha256d(hash, hdr, 80);
    rc = cw_buf_append(b, hdr, 80);
    uint8_t one = 1;
    if (rc == 0)
        rc = cw_buf_append(b, &one, 1);
    if (rc == 0)
        rc = cw_buf_append(b, txb.data, txb.len);
    cw_buf_deinit(&txb);
out:
    gen_tx_deinit(&tx);
    return rc;
}
