/*
 * utxofile.c: reads btcd's .utxostore test format, the prevouts a single block spends:
 * records `txid (32, internal order) | vout u32 LE | len u32 LE | entry`, entry =
 * VLQ(height << 1 | coinbase) | VLQ(CompressAmount(value)) | compressed script, with Bitcoin
 * Core's chainstate VarInt, amount and script compression (compressor.cpp). Uncompressed
 * public keys (script types 4 and 5) are recovered from x through OpenSSL's secp256k1.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>

#include "chainwatch/btc/ingest.h"
#include "chainwatch/errors.h"
#include "chainwatch/util.h"

typedef struct utxo {
    uint8_t txid[32];
    uint32_t vout;
    uint64_t value;
    uint32_t script_off, script_len;
} utxo;

struct cw_utxofile {
    utxo *items;
    size_t n;
    cw_buf scripts;
};

static int read_varint(const uint8_t *p, size_t len, size_t *pos, uint64_t *out)
{
    uint64_t n = 0;
    for (;;) {
        if (*pos >= len || n > (UINT64_MAX >> 7))
            return CW_ECORRUPT;
        uint8_t ch = p[(*pos)++];
        n = (n << 7) | (ch & 0x7f);
        if (ch & 0x80)
            n++;
        else
            break;
    }
    *out = n;
    return 0;
}

static uint64_t decompress_amount(uint64_t x)
{
    if (x == 0)
        return 0;
    x--;
    int e = (int)(x % 10);
    x /= 10;
    uint64_t n;
    if (e < 9) {
        uint64_t d = (x % 9) + 1;
        x /= 9;
        n = x * 10 + d;
    } else {
        n = x + 1;
    }
    while (e--)
        n *= 10;
    return n;
}

static int decompress_pubkey(uint8_t out[65], uint8_t type, const uint8_t x[32])
{
    int rc = CW_ECORRUPT;
    EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_secp256k1);
    EC_POINT *pt = g ? EC_POINT_new(g) : NULL;
    BIGNUM *bx = BN_bin2bn(x, 32, NULL);
    if (g && pt && bx && EC_POINT_set_compressed_coordinates(g, pt, bx, type & 1, NULL) == 1 &&
        EC_POINT_point2oct(g, pt, POINT_CONVERSION_UNCOMPRESSED, out, 65, NULL) == 65)
        rc = 0;
    BN_free(bx);
    EC_POINT_free(pt);
    EC_GROUP_free(g);
    return rc;
}

static int cmp_utxo(const void *a, const void *b)
{
    const utxo *x = a, *y = b;
    int c = memcmp(x->txid, y->txid, 32);
    return c ? c : (x->vout > y->vout) - (x->vout < y->vout);
}

int cw_utxofile_load(cw_utxofile **out, const char *path)
{
    uint8_t *data;
    size_t len;
    int rc = cw_file_read(&data, &len, path);
    if (rc)
        return rc;
    cw_utxofile *u = cw_calloc(1, sizeof *u);
    size_t cap = 0, pos = 0;
    if (!u) {
        cw_free(data);
        return cw_error_set(CW_ENOMEM, "out of memory");
    }
    while (pos < len) {
        size_t rec = pos;
        if (len - pos < 40) {
            rc = cw_error_set(CW_ECORRUPT, "%s: truncated record at offset %zu", path, rec);
            goto out;
        }
        utxo it;
        memcpy(it.txid, data + pos, 32);
        memcpy(&it.vout, data + pos + 32, 4);
        uint32_t elen;
        memcpy(&elen, data + pos + 36, 4);
        pos += 40;
        if (elen > len - pos) {
            rc = cw_error_set(CW_ECORRUPT, "%s: entry at offset %zu runs past the end", path, rec);
            goto out;
        }
        size_t end = pos + elen, p = pos;
        uint64_t code, amount, size;
        if (read_varint(data, end, &p, &code) || read_varint(data, end, &p, &amount) ||
            read_varint(data, end, &p, &size)) {
            rc = cw_error_set(CW_ECORRUPT, "%s: bad VarInt in the entry at offset %zu", path, rec);
            goto out;
        }
        it.value = decompress_amount(amount);
        uint8_t script[65 + 2];
        const uint8_t *sp = script;
        size_t slen;
        size_t need = size < 2 ? 20 : size < 6 ? 32 : size - 6;
        if (need > end - p) {
            rc = cw_error_set(CW_ECORRUPT, "%s: script of the entry at offset %zu is truncated",
                              path, rec);
            goto out;
        }
        if (size == 0) { /* P2PKH */
            uint8_t s[25] = {0x76, 0xa9, 20};
            memcpy(s + 3, data + p, 20);
            s[23] = 0x88;
            s[24] = 0xac;
            memcpy(script, s, 25);
            slen = 25;
        } else if (size == 1) { /* P2SH */
            script[0] = 0xa9;
            script[1] = 20;
            memcpy(script + 2, data + p, 20);
            script[22] = 0x87;
            slen = 23;
        } else if (size == 2 || size == 3) {
            script[0] = 33;
            script[1] = (uint8_t)size;
            memcpy(script + 2, data + p, 32);
            script[34] = 0xac;
            slen = 35;
        } else if (size == 4 || size == 5) {
            script[0] = 65;
            if (decompress_pubkey(script + 1, (uint8_t)(size - 2), data + p)) {
                rc = cw_error_set(CW_ECORRUPT, "%s: entry at offset %zu: x is not on secp256k1",
                                  path, rec);
                goto out;
            }
            script[66] = 0xac;
            slen = 67;
        } else {
            sp = data + p;
            slen = need;
        }
        it.script_off = (uint32_t)u->scripts.len;
        it.script_len = (uint32_t)slen;
        if ((rc = cw_buf_append(&u->scripts, sp, slen)))
            goto out;
        if (u->n == cap) {
            cap = cap ? cap * 2 : 256;
            utxo *ni = realloc(u->items, cap * sizeof *ni);
            if (!ni) {
                rc = cw_error_set(CW_ENOMEM, "out of memory");
                goto out;
            }
            u->items = ni;
        }
        u->items[u->n++] = it;
        pos = end;
    }
    qsort(u->items, u->n, sizeof *u->items, cmp_utxo);
    rc = 0;
out:
    cw_free(data);
    if (rc) {
        cw_utxofile_free(u);
        return rc;
    }
    *out = u;
    return 0;
}

void cw_utxofile_free(cw_utxofile *u)
{
    if (!u)
        return;
    free(u->items);
    cw_buf_deinit(&u->scripts);
    cw_free(u);
}

size_t cw_utxofile_count(const cw_utxofile *u)
{
    return u->n;
}

bool cw_utxofile_lookup(void *ctx, const uint8_t txid[32], uint32_t vout, uint64_t *value,
                        const uint8_t **script, size_t *script_len)
{
    const cw_utxofile *u = ctx;
    utxo key = {0};
    memcpy(key.txid, txid, 32);
    key.vout = vout;
    const utxo *it = bsearch(&key, u->items, u->n, sizeof *u->items, cmp_utxo);
    if (!it)
        return false;
    *value = it->value;
    *script = u->scripts.data + it->script_off;
    *script_len = it->script_len;
    return true;
}
