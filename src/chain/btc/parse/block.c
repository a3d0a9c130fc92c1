/*
 * block.c: strict, zero-copy decoding of Bitcoin blocks and transactions (consensus format,
 * BIP144 segwit), txid/wtxid hashing, merkle roots, proof-of-work arithmetic and the BIP34
 * coinbase height.
 *
 * The transaction reader follows Bitcoin Core's UnserializeTransaction exactly: an empty input
 * vector followed by a non-zero flag byte is the segwit marker; a zero flag means a tx with no
 * inputs and no outputs; unknown flags and superfluous witness records are errors. Every length
 * is checked against the bytes left before it is used, so no input can read out of bounds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL /* the key hash is on the ingest hot path */
#include <xxhash.h>

#include "chainwatch/btc/block.h"
#include "chainwatch/errors.h"
#include "chainwatch/util.h"

static inline uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t rd64(const uint8_t *p)
{
    return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

int cw_compact_read(uint64_t *out, const uint8_t *p, size_t avail)
{
    if (avail < 1)
        return CW_ECORRUPT;
    uint8_t c = p[0];
    if (c < 0xfd) {
        *out = c;
        return 1;
    }
    size_t n = c == 0xfd ? 2 : c == 0xfe ? 4 : 8;
    if (avail < 1 + n)
        return CW_ECORRUPT;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)p[1 + i] << (8 * i);
    /* Core rejects non-canonical encodings. */
    if ((n == 2 && v < 0xfd) || (n == 4 && v <= 0xffff) || (n == 8 && v <= 0xffffffffu))
        return CW_ECORRUPT;
    *out = v;
    return (int)(1 + n);
}

size_t cw_compact_write(uint8_t *out, uint64_t v)
{
    if (v < 0xfd) {
        out[0] = (uint8_t)v;
        return 1;
    }
    size_t n = v <= 0xffff ? 2 : v <= 0xffffffffu ? 4 : 8;
    out[0] = n == 2 ? 0xfd : n == 4 ? 0xfe : 0xff;
    for (size_t i = 0; i < n; i++)
        out[1 + i] = (uint8_t)(v >> (8 * i));
    return 1 + n;
}

/* A cursor over untrusted bytes; the first error sticks and names the offset. */
typedef struct rd {
    const uint8_t *p;
    size_t len, pos;
    const char *what;
    uint64_t base;
    int err;
} rd;

static int rd_fail(rd *r, const char *msg)
{
    if (!r->err)
        r->err = cw_error_set(CW_ECORRUPT, "%s: %s at offset %llu", r->what, msg,
                              (unsigned long long)r->base + r->pos);
    return r->err;
}

static int rd_need(rd *r, size_t n, const char *field)
{
    if (r->err)
        return r->err;
    if (r->len - r->pos < n) {
        char msg[128];
        snprintf(msg, sizeof msg, "truncated %s (%zu bytes needed, %zu left)", field, n,
                 r->len - r->pos);
        return rd_fail(r, msg);
    }
    return 0;
}

static uint32_t rd_u32(rd *r, const char *field)
{
    if (rd_need(r, 4, field))
        return 0;
    uint32_t v = rd32(r->p + r->pos);
    r->pos += 4;
    return v;
}

/* Reads a CompactSize that counts items of at least min_item bytes each. */
static uint64_t rd_count(rd *r, size_t min_item, const char *field)
{
    if (r->err)
        return 0;
    uint64_t v;
    int n = cw_compact_read(&v, r->p + r->pos, r->len - r->pos);
    if (n < 0) {
        char msg[128];
        snprintf(msg, sizeof msg, "bad CompactSize for %s", field);
        rd_fail(r, msg);
        return 0;
    }
    if (v > CW_MAX_COMPACTSIZE) {
        char msg[160];
        snprintf(msg, sizeof msg, "oversized CompactSize %llu for %s (limit %u)",
                 (unsigned long long)v, field, CW_MAX_COMPACTSIZE);
        rd_fail(r, msg);
        return 0;
    }
    r->pos += (size_t)n;
    if (min_item && v > (r->len - r->pos) / min_item) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s %llu cannot fit in the %zu bytes left", field,
                 (unsigned long long)v, r->len - r->pos);
        r->pos -= (size_t)n;
        rd_fail(r, msg);
        return 0;
    }
    return v;
}

static int grow(void **arr, uint32_t *cap, uint64_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    uint64_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    if (c > UINT32_MAX)
        return cw_error_set(CW_ECORRUPT, "too many items (%llu)", (unsigned long long)need);
    void *p = realloc(*arr, (size_t)c * elem);
    if (!p)
        return cw_error_set(CW_ENOMEM, "out of memory for %llu items", (unsigned long long)c);
    *arr = p;
    *cap = (uint32_t)c;
    return 0;
}

static int read_inputs(rd *r, uint64_t n, cw_txin **ins, uint32_t *cap_in, uint32_t first_in)
{
    if (grow((void **)ins, cap_in, (uint64_t)first_in + n, sizeof **ins))
        return r->err = CW_ENOMEM;
    for (uint64_t i = 0; i < n; i++) {
        cw_txin *in = &(*ins)[first_in + i];
        if (rd_need(r, 36, "input outpoint"))
            return r->err;
        in->prev_txid = r->p + r->pos;
        in->prev_vout = rd32(r->p + r->pos + 32);
        r->pos += 36;
        uint64_t sl = rd_count(r, 1, "input script length");
        if (r->err || rd_need(r, sl, "input script"))
            return r->err;
        in->script = r->p + r->pos;
        in->script_len = (uint32_t)sl;
        r->pos += sl;
        in->sequence = rd_u32(r, "input sequence");
        in->n_witness = 0;
        in->witness = NULL;
        in->witness_len = 0;
    }
    return r->err;
}

static int read_outputs(rd *r, uint64_t n, cw_txout **outs, uint32_t *cap_out, uint32_t first_out)
{
    if (grow((void **)outs, cap_out, (uint64_t)first_out + n, sizeof **outs))
        return r->err = CW_ENOMEM;
    for (uint64_t i = 0; i < n; i++) {
        cw_txout *o = &(*outs)[first_out + i];
        if (rd_need(r, 8, "output value"))
            return r->err;
        o->value = (int64_t)rd64(r->p + r->pos);
        r->pos += 8;
        uint64_t sl = rd_count(r, 1, "output script length");
        if (r->err || rd_need(r, sl, "output script"))
            return r->err;
        o->script = r->p + r->pos;
        o->script_len = (uint32_t)sl;
        r->pos += sl;
    }
    return r->err;
}

static int tx_read(rd *r, cw_tx *tx, cw_txin **ins, uint32_t *cap_in, cw_txout **outs,
                   uint32_t *cap_out, uint32_t first_in, uint32_t first_out)
{
    size_t start = r->pos;
    memset(tx, 0, sizeof *tx);
    tx->raw = r->p + start;
    tx->first_in = first_in;
    tx->first_out = first_out;
    tx->version = (int32_t)rd_u32(r, "tx version");
    size_t io_start = r->pos;
    uint64_t n_in = rd_count(r, 41, "input count");
    uint64_t n_out = 0;
    uint8_t flags = 0;
    if (r->err)
        return r->err;
    if (n_in == 0) {
        if (rd_need(r, 1, "segwit flag"))
            return r->err;
        flags = r->p[r->pos++];
        if (flags != 0) {
            io_start = r->pos;
            n_in = rd_count(r, 41, "input count");
            if (r->err || read_inputs(r, n_in, ins, cap_in, first_in))
                return r->err;
            n_out = rd_count(r, 9, "output count");
            if (r->err || read_outputs(r, n_out, outs, cap_out, first_out))
                return r->err;
        }
    } else {
        if (read_inputs(r, n_in, ins, cap_in, first_in))
            return r->err;
        n_out = rd_count(r, 9, "output count");
        if (r->err || read_outputs(r, n_out, outs, cap_out, first_out))
            return r->err;
    }
    size_t io_end = r->pos;
    if (flags & 1) {
        flags ^= 1;
        bool any = false;
        for (uint64_t i = 0; i < n_in; i++) {
            cw_txin *in = &(*ins)[first_in + i];
            size_t ws = r->pos;
            uint64_t items = rd_count(r, 1, "witness item count");
            if (r->err)
                return r->err;
            for (uint64_t k = 0; k < items; k++) {
                uint64_t il = rd_count(r, 0, "witness item length");
                if (r->err || rd_need(r, il, "witness item"))
                    return r->err;
                r->pos += il;
            }
            in->n_witness = (uint32_t)items;
            in->witness = r->p + ws;
            in->witness_len = (uint32_t)(r->pos - ws);
            if (items)
                any = true;
        }
        if (!any)
            return rd_fail(r, "superfluous witness record");
        tx->segwit = true;
    }
    if (flags)
        return rd_fail(r, "unknown transaction optional data flag");
    tx->locktime = rd_u32(r, "tx locktime");
    if (r->err)
        return r->err;
    tx->n_in = (uint32_t)n_in;
    tx->n_out = (uint32_t)n_out;
    tx->size = (uint32_t)(r->pos - start);
    tx->io_offset = (uint32_t)(io_start - start);
    tx->io_len = (uint32_t)(io_end - io_start);
    tx->base_size = tx->segwit ? 8 + tx->io_len : tx->size;
    return 0;
}

void cw_tx_hash_txid(cw_tx *tx)
{
    if (tx->segwit) {
        const void *pieces[3] = {tx->raw, tx->raw + tx->io_offset, tx->raw + tx->size - 4};
        size_t lens[3] = {4, tx->io_len, 4};
        cw_sha256d_pieces(tx->txid, 3, pieces, lens);
    } else {
        cw_sha256d(tx->txid, tx->raw, tx->size);
    }
}

void cw_tx_hash_wtxid(cw_tx *tx)
{
    if (tx->segwit)
        cw_sha256d(tx->wtxid, tx->raw, tx->size);
    else
        memcpy(tx->wtxid, tx->txid, 32);
}

void cw_tx_hash(cw_tx *tx)
{
    cw_tx_hash_txid(tx);
    cw_tx_hash_wtxid(tx);
}

int cw_tx_decode(cw_tx *tx, const uint8_t *data, size_t len, size_t *consumed, cw_txin **ins,
                 uint32_t *cap_in, cw_txout **outs, uint32_t *cap_out, uint32_t first_in,
                 uint32_t first_out, const char *what, uint64_t base_offset)
{
    rd r = {data, len, 0, what ? what : "tx", base_offset, 0};
    int rc = tx_read(&r, tx, ins, cap_in, outs, cap_out, first_in, first_out);
    if (rc)
        return rc;
    cw_tx_hash(tx);
    if (consumed)
        *consumed = r.pos;
    return 0;
}

void cw_block_header_parse(cw_block_header *out, const uint8_t raw[80])
{
    out->version = (int32_t)rd32(raw);
    memcpy(out->prev, raw + 4, 32);
    memcpy(out->merkle, raw + 36, 32);
    out->time = rd32(raw + 68);
    out->bits = rd32(raw + 72);
    out->nonce = rd32(raw + 76);
}

void cw_block_hash(uint8_t out[32], const uint8_t raw[80])
{
    cw_sha256d(out, raw, 80);
}

int cw_block_decode(cw_block *b, const uint8_t *data, size_t len, const char *what,
                    uint64_t base_offset, int hashes)
{
    b->classified = false;
    rd r = {data, len, 0, what ? what : "block", base_offset, 0};
    if (rd_need(&r, 80, "block header"))
        return r.err;
    cw_block_header_parse(&b->header, data);
    cw_block_hash(b->hash, data);
    r.pos = 80;
    uint64_t n_tx = rd_count(&r, 10, "transaction count");
    if (r.err)
        return r.err;
    if (n_tx == 0)
        return rd_fail(&r, "block has no transactions");
    if (grow((void **)&b->txs, &b->cap_tx, n_tx, sizeof *b->txs))
        return CW_ENOMEM;
    b->n_tx = (uint32_t)n_tx;
    uint32_t n_in = 0, n_out = 0;
    uint64_t weight = (uint64_t)80 * 4 + (uint64_t)(r.pos - 80) * 4;
    for (uint64_t i = 0; i < n_tx; i++) {
        cw_tx *tx = &b->txs[i];
        int rc = tx_read(&r, tx, &b->ins, &b->cap_in, &b->outs, &b->cap_out, n_in, n_out);
        if (rc)
            return rc;
        n_in += tx->n_in;
        n_out += tx->n_out;
        tx->raw = data + (r.pos - tx->size);
        weight += (uint64_t)tx->base_size * 3 + tx->size;
        if (hashes & CW_HASH_TXID)
            cw_tx_hash_txid(tx);
        if (hashes & CW_HASH_WTXID)
            cw_tx_hash_wtxid(tx);
    }
    if (r.pos != len)
        return rd_fail(&r, "trailing bytes after the last transaction");
    b->n_ins = n_in;
    b->n_outs = n_out;
    b->size = (uint32_t)len;
    b->weight = (uint32_t)weight;
    return 0;
}

int cw_block_classify(cw_block *b)
{
    if (b->n_outs > b->cap_keys) {
        uint32_t cap = b->n_outs + b->n_outs / 2 + 16;
        cw_addr_key *k = realloc(b->keys, (size_t)cap * sizeof *k);
        if (k)
            b->keys = k;
        uint8_t *t = k ? realloc(b->types, cap) : NULL;
        if (t)
            b->types = t;
        uint64_t *h = t ? realloc(b->key_hash, (size_t)cap * sizeof *h) : NULL;
        if (!h)
            return cw_error_set(CW_ENOMEM, "out of memory classifying outputs");
        b->key_hash = h;
        b->cap_keys = cap;
    }
    for (uint32_t i = 0; i < b->n_outs; i++) {
        b->types[i] =
            (uint8_t)cw_script_classify(b->outs[i].script, b->outs[i].script_len, &b->keys[i]);
        b->key_hash[i] = XXH3_64bits(&b->keys[i], sizeof b->keys[i]);
    }
    b->classified = true;
    return 0;
}

void cw_block_deinit(cw_block *b)
{
    free(b->keys);
    free(b->types);
    free(b->key_hash);
    free(b->txs);
    free(b->ins);
    free(b->outs);
    memset(b, 0, sizeof *b);
}

void cw_merkle_root(uint8_t out[32], uint8_t (*level)[32], size_t n)
{
    while (n > 1) {
        if (n & 1) {
            memcpy(level[n], level[n - 1], 32);
            n++;
        }
        for (size_t i = 0; i < n / 2; i++)
            cw_sha256d64(level[i], level[2 * i]);
        n /= 2;
    }
    memcpy(out, level[0], 32);
}

int cw_block_merkle(uint8_t out[32], const cw_block *b)
{
    uint8_t(*level)[32] = malloc((size_t)(b->n_tx + 1) * 32);
    if (!level)
        return cw_error_set(CW_ENOMEM, "out of memory for merkle tree");
    for (uint32_t i = 0; i < b->n_tx; i++)
        memcpy(level[i], b->txs[i].txid, 32);
    cw_merkle_root(out, level, b->n_tx);
    free(level);
    return 0;
}

int cw_tx_serialize(uint8_t **out, size_t *out_len, const cw_tx *tx, const cw_txin *ins,
                    const cw_txout *outs)
{
    cw_buf b = {0};
    uint8_t tmp[16];
    int rc = 0;
#define PUT(p, n)                                                                                  \
    do {                                                                                           \
        if ((rc = cw_buf_append(&b, (p), (n))))                                                    \
            goto out;                                                                              \
    } while (0)
#define PUT32(v)                                                                                   \
    do {                                                                                           \
        uint32_t v_ = (uint32_t)(v);                                                               \
        uint8_t b_[4] = {(uint8_t)v_, (uint8_t)(v_ >> 8), (uint8_t)(v_ >> 16),                     \
                         (uint8_t)(v_ >> 24)};                                                     \
        PUT(b_, 4);                                                                                \
    } while (0)
    PUT32(tx->version);
    if (tx->segwit) {
        tmp[0] = 0;
        tmp[1] = 1;
        PUT(tmp, 2);
    }
    PUT(tmp, cw_compact_write(tmp, tx->n_in));
    for (uint32_t i = 0; i < tx->n_in; i++) {
        const cw_txin *in = &ins[tx->first_in + i];
        PUT(in->prev_txid, 32);
        PUT32(in->prev_vout);
        PUT(tmp, cw_compact_write(tmp, in->script_len));
        PUT(in->script, in->script_len);
        PUT32(in->sequence);
    }
    if (tx->n_in > 0 || tx->segwit) {
        PUT(tmp, cw_compact_write(tmp, tx->n_out));
        for (uint32_t i = 0; i < tx->n_out; i++) {
            const cw_txout *o = &outs[tx->first_out + i];
            uint64_t v = (uint64_t)o->value;
            PUT32(v);
            PUT32(v >> 32);
            PUT(tmp, cw_compact_write(tmp, o->script_len));
            PUT(o->script, o->script_len);
        }
    } else {
        /* A tx with no inputs serialises its empty input vector, then a zero flag byte. */
        tmp[0] = 0;
        PUT(tmp, 1);
    }
    if (tx->segwit) {
        for (uint32_t i = 0; i < tx->n_in; i++) {
            const cw_txin *in = &ins[tx->first_in + i];
            if (in->witness_len)
                PUT(in->witness, in->witness_len);
            else {
                tmp[0] = 0;
                PUT(tmp, 1);
            }
        }
    }
    PUT32(tx->locktime);
#undef PUT
#undef PUT32
    *out = b.data;
    *out_len = b.len;
    return 0;
out:
    cw_buf_deinit(&b);
    return rc;
}

/* ---- proof of work ------------------------------------------------------------------ */

/* 256-bit unsigned integers as 4 little-endian 64-bit limbs. */
typedef struct u256 {
    uint64_t w[4];
} u256;

static int u256_cmp(const u256 *a, const u256 *b)
{
    for (int i = 3; i >= 0; i--) {
        if (a->w[i] != b->w[i])
            return a->w[i] < b->w[i] ? -1 : 1;
    }
    return 0;
}

static void u256_shl1(u256 *a)
{
    for (int i = 3; i > 0; i--)
        a->w[i] = a->w[i] << 1 | a->w[i - 1] >> 63;
    a->w[0] <<= 1;
}

static void u256_sub(u256 *a, const u256 *b)
{
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t x = a->w[i] - b->w[i] - borrow;
        borrow = (a->w[i] < b->w[i]) || (a->w[i] - b->w[i] < borrow);
        a->w[i] = x;
    }
}

int cw_work_from_bits(cw_work *out, uint32_t bits)
{
    /* Core's GetBlockProof: work = ~target / (target + 1) + 1, i.e. 2^256 / (target + 1). */
    uint32_t exp = bits >> 24;
    uint32_t mant = bits & 0x007fffff;
    if ((bits & 0x00800000) || mant == 0 || exp > 34)
        return cw_error_set(CW_EINVAL, "bad difficulty bits %08x", bits);
    u256 target = {{0, 0, 0, 0}};
    if (exp <= 3) {
        target.w[0] = mant >> (8 * (3 - exp));
    } else {
        uint32_t shift = 8 * (exp - 3);
        target.w[0] = mant;
        for (uint32_t s = 0; s < shift; s++)
            u256_shl1(&target);
    }
    if (!target.w[0] && !target.w[1] && !target.w[2] && !target.w[3])
        return cw_error_set(CW_EINVAL, "bad difficulty bits %08x (zero target)", bits);
    u256 den = target;
    /* den = target + 1 */
    for (int i = 0; i < 4; i++) {
        if (++den.w[i] != 0)
            break;
    }
    u256 num = {{~target.w[0], ~target.w[1], ~target.w[2], ~target.w[3]}};
    /* long division num / den, bit by bit */
    u256 q = {{0, 0, 0, 0}}, rem = {{0, 0, 0, 0}};
    for (int bit = 255; bit >= 0; bit--) {
        u256_shl1(&rem);
        rem.w[0] |= (num.w[bit / 64] >> (bit % 64)) & 1;
        if (u256_cmp(&rem, &den) >= 0) {
            u256_sub(&rem, &den);
            q.w[bit / 64] |= (uint64_t)1 << (bit % 64);
        }
    }
    /* q + 1 */
    for (int i = 0; i < 4; i++) {
        if (++q.w[i] != 0)
            break;
    }
    if (q.w[2] || q.w[3])
        return cw_error_set(CW_EINVAL, "work of bits %08x exceeds 128 bits", bits);
    out->hi = q.w[1];
    out->lo = q.w[0];
    return 0;
}

void cw_work_add(cw_work *acc, cw_work w)
{
    uint64_t lo = acc->lo + w.lo;
    acc->hi += w.hi + (lo < acc->lo);
    acc->lo = lo;
}

int cw_work_cmp(cw_work a, cw_work b)
{
    if (a.hi != b.hi)
        return a.hi < b.hi ? -1 : 1;
    if (a.lo != b.lo)
        return a.lo < b.lo ? -1 : 1;
    return 0;
}

int64_t cw_coinbase_height(const uint8_t *script, size_t len)
{
    if (len < 1)
        return -1;
    uint8_t op = script[0];
    if (op >= 0x51 && op <= 0x60) /* OP_1..OP_16 */
        return op - 0x50;
    if (op < 1 || op > 8 || (size_t)op + 1 > len)
        return -1;
    int64_t v = 0;
    for (int i = 0; i < op; i++)
        v |= (int64_t)script[1 + i] << (8 * i);
    if (script[op] & 0x80) /* negative numbers are not heights */
        return -1;
    return v;
}

/* BIP141: the coinbase's last output whose script starts 6a24aa21a9ed commits to
 * SHA256d(witness merkle root || the coinbase input's single 32-byte witness item), the root
 * taken over the wtxids with the coinbase's as zero. A block with witness data must have it. */
int cw_block_check_witness(const cw_block *b, const char *what)
{
    static const uint8_t tag[6] = {0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed};
    what = what ? what : "block";
    if (b->n_tx == 0)
        return 0;
    const cw_tx *cb = &b->txs[0];
    const uint8_t *commit = NULL;
    for (uint32_t i = 0; i < cb->n_out; i++) {
        const cw_txout *o = &b->outs[cb->first_out + i];
        if (o->script_len >= 38 && !memcmp(o->script, tag, 6))
            commit = o->script + 6;
    }
    bool any = false;
    for (uint32_t i = 0; i < b->n_tx && !any; i++)
        any = b->txs[i].segwit;
    if (!commit)
        return any ? cw_error_set(CW_ECORRUPT, "%s: witness data without a witness commitment",
                                  what)
                   : 0;
    const cw_txin *ci = &b->ins[cb->first_in];
    /* the witness: item count 1, length 32, then the 32-byte reserved value */
    if (cb->n_in != 1 || ci->n_witness != 1 || ci->witness_len != 34 || ci->witness[1] != 32)
        return cw_error_set(CW_ECORRUPT, "%s: the coinbase's witness is not one 32-byte item",
                            what);
    uint8_t(*level)[32] = malloc((size_t)(b->n_tx + 1) * 32);
    if (!level)
        return cw_error_set(CW_ENOMEM, "out of memory for the witness merkle tree");
    memset(level[0], 0, 32);
    for (uint32_t i = 1; i < b->n_tx; i++)
        memcpy(level[i], b->txs[i].wtxid, 32);
    uint8_t buf[64], got[32];
    cw_merkle_root(buf, level, b->n_tx);
    memcpy(buf + 32, ci->witness + 2, 32);
    free(level);
    cw_sha256d64(got, buf);
    if (memcmp(got, commit, 32) != 0)
        return cw_error_set(CW_ECORRUPT, "%s: witness commitment does not match the witnesses",
                            what);
    return 0;
}
