/*
 * addrfmt.c: fixed-size address encoders for the generator (see addrfmt.h). base58check of a
 * 25-byte payload by division in base 58^5 on 32-bit limbs; bech32/bech32m with a 32-entry
 * generator table and the hrp's checksum state computed once. Other networks fall back to
 * cw_addr_encode.
 */
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/util.h"
#include "gen/btc/addrfmt.h"
#include "gen/btc/tx.h"

static const char b58_alpha[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
static const char b32_alpha[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/* polymod generator XORs for each value of the 5 bits shifted out */
static const uint32_t b32_gen[32] = {
    0x00000000, 0x3b6a57b2, 0x26508e6d, 0x1d3ad9df, 0x1ea119fa, 0x25cb4e48, 0x38f19797, 0x039bc025,
    0x3d4233dd, 0x0628646f, 0x1b12bdb0, 0x2078ea02, 0x23e32a27, 0x18897d95, 0x05b3a44a, 0x3ed9f3f8,
    0x2a1462b3, 0x117e3501, 0x0c44ecde, 0x372ebb6c, 0x34b57b49, 0x0fdf2cfb, 0x12e5f524, 0x298fa296,
    0x1756516e, 0x2c3c06dc, 0x3106df03, 0x0a6c88b1, 0x09f74894, 0x329d1f26, 0x2fa7c6f9, 0x14cd914b};

static inline uint32_t pm_step(uint32_t c, uint32_t v)
{
    return ((c & 0x1ffffffU) << 5) ^ v ^ b32_gen[c >> 25];
}

void gen_addrfmt_init(gen_addrfmt *f, cw_network net)
{
    memset(f, 0, sizeof *f);
    f->net = net;
    if (net != CW_NET_MAIN && net != CW_NET_REGTEST)
        return;
    f->fast = 1;
    f->pkh_ver = net == CW_NET_MAIN ? 0x00 : 0x6f;
    f->sh_ver = net == CW_NET_MAIN ? 0x05 : 0xc4;
    const char *hrp = cw_network_hrp(net);
    f->hrp_len = strlen(hrp);
    memcpy(f->hrp, hrp, f->hrp_len);
    uint32_t c = 1;
    for (size_t i = 0; i < f->hrp_len; i++)
        c = pm_step(c, (unsigned char)hrp[i] >> 5);
    c = pm_step(c, 0);
    for (size_t i = 0; i < f->hrp_len; i++)
        c = pm_step(c, (unsigned char)hrp[i] & 0x1f);
    f->hrp_state = c;
    /* the polymod step is linear over GF(2), so two steps are
     * ((c & 0xfffff) << 10) ^ (v1 << 5) ^ v2 ^ pm2[c >> 20] */
    for (uint32_t x = 0; x < 1024; x++)
        f->pm2[x] = pm_step(pm_step(x << 20, 0), 0);
}

static int enc_base58check(char *out, uint8_t ver, const uint8_t hash[20])
{
    uint8_t p[25];
    p[0] = ver;
    memcpy(p + 1, hash, 20);
    uint8_t chk[32];
    cw_sha256d(chk, p, 21);
    memcpy(p + 21, chk, 4);
    /* 200 bits in 7 big-endian 32-bit limbs (the first holds 8 bits) */
    uint32_t limb[7];
    limb[0] = p[0];
    for (int i = 0; i < 6; i++)
        limb[1 + i] = (uint32_t)p[1 + 4 * i] << 24 | (uint32_t)p[2 + 4 * i] << 16 |
                      (uint32_t)p[3 + 4 * i] << 8 | (uint32_t)p[4 + 4 * i];
    char dig[40]; /* base58 digits, least significant first */
    int nd = 0;
    int top = 0;
    while (top < 7) {
        uint64_t rem = 0;
        for (int i = top; i < 7; i++) {
            uint64_t cur = rem << 32 | limb[i];
            limb[i] = (uint32_t)(cur / 656356768U); /* 58^5 */
            rem = cur % 656356768U;
        }
        for (int k = 0; k < 5; k++) {
            dig[nd++] = (char)(rem % 58);
            rem /= 58;
        }
        while (top < 7 && limb[top] == 0)
            top++;
    }
    while (nd > 0 && dig[nd - 1] == 0)
        nd--;
    int n = 0;
    for (int i = 0; i < 25 && p[i] == 0; i++)
        out[n++] = '1';
    while (nd > 0)
        out[n++] = b58_alpha[(int)dig[--nd]];
    out[n] = 0;
    return n;
}

static int enc_segwit(const gen_addrfmt *f, char *out, int witver, const uint8_t *prog, size_t len)
{
    uint8_t d[64];
    size_t nd = 0;
    d[nd++] = (uint8_t)witver;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        acc = (acc << 8 | prog[i]) & 0xfffU;
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            d[nd++] = (uint8_t)((acc >> bits) & 31);
        }
    }
    if (bits > 0)
        d[nd++] = (uint8_t)((acc << (5 - bits)) & 31);
    size_t n = f->hrp_len;
    memcpy(out, f->hrp, n);
    out[n++] = '1';
    for (size_t i = 0; i < nd; i++)
        out[n++] = b32_alpha[d[i]];
    /* checksum over the data and six zeros, two values per step */
    memset(d + nd, 0, 6);
    size_t m = nd + 6, i = 0;
    uint32_t c = f->hrp_state;
    if (m & 1)
        c = pm_step(c, d[i++]);
    for (; i < m; i += 2)
        c = ((c & 0xfffffU) << 10) ^ ((uint32_t)d[i] << 5) ^ d[i + 1] ^ f->pm2[c >> 20];
    c ^= witver == 0 ? 1U : 0x2bc830a3U;
    for (int k = 0; k < 6; k++)
        out[n++] = b32_alpha[(c >> (5 * (5 - k))) & 31];
    out[n] = 0;
    return (int)n;
}

int gen_addrfmt_encode(const gen_addrfmt *f, char *out, uint8_t type, uint64_t key)
{
    if (!f->fast) {
        uint8_t spk[GEN_SPK_MAX];
        size_t len = gen_spk(spk, type, key);
        cw_addr_key k;
        cw_script_classify(spk, len, &k);
        char tmp[CW_ADDR_STR_MAX];
        int rc = cw_addr_encode(tmp, sizeof tmp, &k, f->net);
        if (rc != 0)
            return rc;
        size_t n = strlen(tmp);
        if (n > GEN_ADDRFMT_MAX)
            return cw_error_set(CW_EINVAL, "address of %zu characters", n);
        memcpy(out, tmp, n + 1);
        return (int)n;
    }
    uint8_t prog[32];
    gen_key_program(prog, key);
    switch (type) {
    case CW_SCRIPT_P2PKH:
        return enc_base58check(out, f->pkh_ver, prog);
    case CW_SCRIPT_P2SH:
        return enc_base58check(out, f->sh_ver, prog);
    case CW_SCRIPT_P2TR:
        return enc_segwit(f, out, 1, prog, 32);
    case CW_SCRIPT_P2WPKH:
        return enc_segwit(f, out, 0, prog, 20);
    default:
        return cw_error_set(CW_EINVAL, "address: script type %u not generated", type);
    }
}
