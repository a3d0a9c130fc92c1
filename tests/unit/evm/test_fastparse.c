/*
 * test_fastparse.c: the fast decoders of the EVM ingest against independent references.
 *
 * - cw_evm_hex_decode (16 digits at a time with SSE2, then 8, src/chain/evm/block.c) against
 *   a per-character decoder written here, on random strings where any byte value may appear at
 *   any position, and every byte value at every position of each group;
 * - cw_u256_parse's decimal path (19-digit chunks, src/chain/evm/u256.c) against schoolbook
 *   multiplication by 10 written here, on random numbers of 1..78 digits and at the chunk and
 *   2^256 boundaries, and hex at every length;
 * - the withdrawals column (src/chain/evm/csv.c, read without jansson when it has
 *   ethereum-etl's form): every form, the ones that the fast reader must hand to jansson
 *   (escapes, spaces, brackets, string indexes, duplicate keys) included, gives the values that
 *   the JSON text states, and the bad ones are refused naming the column;
 * - the reader's one-pass record scan against its general RFC 4180 split, on random records
 *   with quoted fields, "" pairs inside them (blocks.csv's withdrawals), and misplaced quotes:
 *   whatever the scan splits, the general way splits the same; what it refuses it leaves
 *   unchanged.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chain/evm/csv_int.h"
#include "chain/evm/hex_int.h"
#include "chainwatch/errors.h"
#include "chainwatch/evm/block.h"
#include "chainwatch/evm/csv.h"
#include "chainwatch/evm/u256.h"
#include "harness.h"

static uint64_t rng_state = 0x2545f4914f6cdd1dull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static int ref_digit(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void test_hex(void)
{
    static const char alpha[] = "0123456789abcdefABCDEF";
    /* cw_evm_hex_decode (the widest the CPU has) and each width: the baseline, AVX2 and AVX-512
     * when the CPU has them; lengths past two of the wide steps (16 and 32 bytes), so that whole
     * and masked steps and the tails after them run */
    bool has[3];
    int widths = 0;
    for (int w = 0; w < 3; w++) {
        has[w] = cw_evm_hex_decode_with(NULL, "00", 1, w) != -2;
        widths += has[w];
    }
    int wide_runs = 0, avx2_runs = 0;
    for (int round = 0; round < 20000; round++) {
        size_t n = (size_t)(rnd() % 80);
        char s[160];
        for (size_t i = 0; i < 2 * n; i++)
            s[i] = alpha[rnd() % 22];
        if (n && rnd() % 2) /* one byte of any value anywhere */
            s[rnd() % (2 * n)] = (char)(rnd() % 256);
        uint8_t got[81], want[80];
        bool ok = true;
        for (size_t i = 0; i < n; i++) {
            int h = ref_digit((unsigned char)s[2 * i]), l = ref_digit((unsigned char)s[2 * i + 1]);
            if (h < 0 || l < 0)
                ok = false;
            else
                want[i] = (uint8_t)(h << 4 | l);
        }
        int rc = cw_evm_hex_decode(got, s, n);
        CHECK_EQ_INT(rc, ok ? 0 : -1);
        CHECK_EQ_INT(cw_evm_hex_decode(NULL, s, n), ok ? 0 : -1);
        if (ok && rc == 0)
            CHECK(n == 0 || memcmp(got, want, n) == 0);
        for (int w = 0; w < 3; w++) {
            if (!has[w])
                continue;
            got[n] = 0x5a; /* the byte after the output stays as it was */
            rc = cw_evm_hex_decode_with(got, s, n, w);
            wide_runs += w == 2;
            avx2_runs += w == 1;
            CHECK_EQ_INT(rc, ok ? 0 : -1);
            CHECK_EQ_INT(cw_evm_hex_decode_with(NULL, s, n, w), ok ? 0 : -1);
            if (ok && rc == 0) {
                CHECK(n == 0 || memcmp(got, want, n) == 0);
                CHECK_EQ_INT(got[n], 0x5a);
            }
        }
    }
    printf("hex: 20000 random digit strings in %d widths (%d in AVX2, %d in AVX-512)\n", widths,
           avx2_runs, wide_runs);
    /* every byte value in every position of a 16-digit group (the SSE2 path), of the 8-digit
     * group after it (SWAR) and of the single digits after that; each width */
    for (int w = 0; w < 3; w++) {
        if (!has[w])
            continue;
        for (int pos = 0; pos < 26; pos++) {
            for (int v = 0; v < 256; v++) {
                char s[26];
                memcpy(s, "a0B1c2D3e4F5f6A7b8C9d0E1aF", 26);
                s[pos] = (char)v;
                uint8_t out[13];
                int rc = cw_evm_hex_decode_with(out, s, 13, w);
                CHECK_EQ_INT(rc, ref_digit((unsigned char)v) >= 0 ? 0 : -1);
                if (!rc) {
                    CHECK_EQ_INT(pos % 2 ? out[pos / 2] & 15 : out[pos / 2] >> 4,
                                 ref_digit((unsigned char)v));
                    if (pos < 24)
                        CHECK_EQ_INT(out[12], 0xaf);
                    CHECK_EQ_INT(out[0], pos < 2 ? out[0] : 0xa0);
                }
            }
        }
    }
    /* the same over 74 digits: two 32-digit steps of AVX2 (four SSE2 groups in the baseline),
     * then an 8-digit group and a single byte; each byte decodes from its own two digits */
    static const char base74[] = "0123456789abcdefABCDEF0123456789fedcba9876543210FEDCBAfedcba"
                                 "0a1B2c3D4e5F6a";
    uint8_t ref[37];
    for (int i = 0; i < 37; i++)
        ref[i] = (uint8_t)(ref_digit((unsigned char)base74[2 * i]) << 4 |
                           ref_digit((unsigned char)base74[2 * i + 1]));
    for (int w = 0; w < 3; w++) {
        if (!has[w])
            continue;
        for (int pos = 0; pos < 74; pos++) {
            for (int v = 0; v < 256; v++) {
                char s[74];
                memcpy(s, base74, 74);
                s[pos] = (char)v;
                uint8_t out[38];
                out[37] = 0x5a;
                int rc = cw_evm_hex_decode_with(out, s, 37, w);
                int d = ref_digit((unsigned char)v);
                CHECK_EQ_INT(rc, d >= 0 ? 0 : -1);
                CHECK_EQ_INT(cw_evm_hex_decode_with(NULL, s, 37, w), d >= 0 ? 0 : -1);
                if (!rc) {
                    for (int i = 0; i < 37; i++) {
                        int want = ref[i];
                        if (i == pos / 2)
                            want = pos % 2 ? (want & 0xf0) | d : (want & 0x0f) | d << 4;
                        CHECK_EQ_INT(out[i], want);
                    }
                    CHECK_EQ_INT(out[37], 0x5a);
                }
            }
        }
    }
    /* an address (40 digits) and a hash (64) the unrolled way cw_evm_addr_parse and
     * cw_evm_hash_parse take: every byte value in every position, each width, against the
     * baseline (AVX2's two steps overlap for an address) */
    for (int w = 0; w < 3; w++) {
        if (!has[w])
            continue;
        for (size_t n = 20; n <= 32; n += 12) {
            for (size_t pos = 0; pos < 2 * n; pos++) {
                for (int v = 0; v < 256; v++) {
                    char s[64];
                    memcpy(s, base74 + (pos % 7), 2 * n);
                    s[pos] = (char)v;
                    uint8_t out[33], want[32];
                    out[n] = 0x5a;
                    int rc = cw_evm_hex_fixed_with(out, s, n, w);
                    int d = ref_digit((unsigned char)v);
                    CHECK_EQ_INT(rc, d >= 0 ? 0 : -1);
                    CHECK_EQ_INT(out[n], 0x5a);
                    if (!rc) {
                        CHECK_EQ_INT(cw_evm_hex_decode_with(want, s, n, 0), 0);
                        CHECK(memcmp(out, want, n) == 0);
                    }
                }
            }
        }
    }
    CHECK_EQ_INT(cw_evm_hex_fixed_with(NULL, "00", 1, 0), -2);
}

/* schoolbook: v = v * 10 + d over 8 32-bit limbs; false past 2^256 */
static bool ref_dec(const char *s, size_t n, uint32_t limbs[8])
{
    memset(limbs, 0, 8 * sizeof *limbs);
    for (size_t i = 0; i < n; i++) {
        uint64_t c = (uint64_t)(s[i] - '0');
        for (int k = 0; k < 8; k++) {
            c += (uint64_t)limbs[k] * 10;
            limbs[k] = (uint32_t)c;
            c >>= 32;
        }
        if (c)
            return false;
    }
    return true;
}

static void test_decimal(void)
{
    char s[100];
    /* a byte just outside '0'..'9' (or 0xfa, whose +6 carries) at every position of a 40-digit
     * value is refused: each 8-digit step checks all of its bytes */
    for (int pos = 0; pos < 40; pos++) {
        static const char odd[] = {'/', ':', (char)0xfa, ' '};
        for (int o = 0; o < 4; o++) {
            memset(s, '7', 40);
            s[pos] = odd[o];
            cw_u256 v;
            CHECK(cw_u256_parse(&v, s, 40) != 0);
            cw_error_clear();
        }
    }
    for (int round = 0; round < 20000; round++) {
        size_t n = 1 + (size_t)(rnd() % 80);
        for (size_t i = 0; i < n; i++)
            s[i] = (char)('0' + rnd() % 10);
        if (round % 7 == 0) /* runs of 9s and 0s around the chunk boundaries */
            for (size_t i = 0; i < n; i++)
                s[i] = (i % 19 == 18) ? '9' : (round % 2 ? '9' : '0');
        uint32_t ref[8];
        bool fits = ref_dec(s, n, ref);
        cw_u256 v;
        int rc = cw_u256_parse(&v, s, n);
        CHECK_EQ_INT(rc, fits ? 0 : CW_EINVAL);
        if (fits && !rc) {
            for (int k = 0; k < 4; k++)
                CHECK(v.w[k] == ((uint64_t)ref[2 * k + 1] << 32 | ref[2 * k]));
        }
    }
    cw_u256 v;
    CHECK(cw_u256_parse(&v, "1234567890123456789x", 20) == CW_EINVAL);
    CHECK(cw_u256_parse(&v, "x", 1) == CW_EINVAL);
    /* hex at every length, against the decimal rendering of the same limbs */
    for (int len = 1; len <= 64; len++) {
        char h[70] = "0x";
        for (int i = 0; i < len; i++)
            h[2 + i] = "0123456789abcdefABCDEF"[rnd() % 22];
        CHECK(cw_u256_parse(&v, h, (size_t)len + 2) == 0);
        cw_u256 acc = {{0, 0, 0, 0}};
        for (int i = 0; i < len; i++) {
            cw_u256 d;
            cw_u256_from_u64(&d, (uint64_t)ref_digit((unsigned char)h[2 + i]));
            CHECK(!cw_u256_mul_u64(&acc, &acc, 16));
            CHECK(!cw_u256_add(&acc, &acc, &d));
        }
        CHECK(cw_u256_cmp(&acc, &v) == 0);
    }
}

/* The first block of a blocks.csv held in memory: cw_evm_csv_next's result (1 a block, 0 none,
 * < 0 an error) */
static int next_block(const char *csv, cw_evm_block *b)
{
    const char *kinds[] = {"blocks"};
    const char *bufs[] = {csv};
    size_t lens[] = {strlen(csv)};
    cw_evm_csv *r = NULL;
    int rc = cw_evm_csv_open_mem(&r, kinds, bufs, lens, 1);
    if (!rc)
        rc = cw_evm_csv_next(r, b);
    cw_evm_csv_close(r);
    return rc;
}

/* One block with the given withdrawals field (CSV-quoted here). scan: blank lines after the
 * record, so that the one-pass scan takes it (whole 64-byte blocks) and leaves the field's ""
 * pairs to the withdrawals reader; else the general split unescapes. */
static int read_withdrawals(const char *field, cw_evm_block *b, bool scan)
{
    char csv[4096];
    char q[2048];
    size_t k = 0;
    for (const char *p = field; *p && k + 2 < sizeof q; p++) {
        if (*p == '"')
            q[k++] = '"';
        q[k++] = *p;
    }
    q[k] = 0;
    snprintf(csv, sizeof csv,
             "number,hash,parent_hash,miner,gas_used,timestamp,transaction_count,withdrawals\n"
             "7,0x%064d,0x%064d,0x%040d,0,1700000000,0,\"%s\"\n%s",
             1, 0, 0, q,
             scan ? "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"
                    "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"
                    "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"
                  : "");
    return next_block(csv, b);
}

/* one block whose gas_used field is `val` (an unsigned 64-bit CSV integer, parse_u64f) */
static int read_gas_used(const char *val, cw_evm_block *b)
{
    char csv[1024];
    snprintf(csv, sizeof csv,
             "number,hash,parent_hash,miner,gas_used,timestamp,transaction_count,withdrawals\n"
             "7,0x%064d,0x%064d,0x%040d,%s,1700000000,0,\n",
             1, 0, 0, val);
    int rc = next_block(csv, b);
    return rc < 0 ? rc : 0;
}

/* 64-bit fields: up to 19 digits take a path without the overflow check, 20 digits the checked
 * one; both must refuse every non-digit and agree with strtoull on random digit strings */
static void test_u64_fields(void)
{
    cw_evm_block b;
    cw_evm_block_init(&b);
    CHECK(read_gas_used("9999999999999999999", &b) == 0 && b.gas_used == 9999999999999999999ull);
    CHECK(read_gas_used("18446744073709551615", &b) == 0 && b.gas_used == UINT64_MAX);
    CHECK(read_gas_used("00000000000000000042", &b) == 0 && b.gas_used == 42);
    CHECK(read_gas_used("18446744073709551616", &b) != 0);
    CHECK(strstr(cw_error_last(), "gas_used") != NULL);
    CHECK(read_gas_used("99999999999999999999", &b) != 0);
    CHECK(read_gas_used("123456789012345678901", &b) != 0);
    /* a character just below '0' or just above '9' anywhere in a 19- or 20-digit field */
    for (int n = 18; n <= 20; n++) {
        for (int at = 0; at < n; at++) {
            for (int bad = 0; bad < 2; bad++) {
                char v[24];
                for (int i = 0; i < n; i++)
                    v[i] = (char)('1' + i % 8);
                v[at] = bad ? ':' : '/';
                v[n] = 0;
                CHECK(read_gas_used(v, &b) != 0);
            }
        }
    }
    for (int round = 0; round < 2000; round++) {
        char v[24];
        int n = 1 + (int)(rnd() % 20);
        for (int i = 0; i < n; i++)
            v[i] = (char)('0' + rnd() % 10);
        v[n] = 0;
        errno = 0;
        unsigned long long ref = strtoull(v, NULL, 10);
        bool fits = errno != ERANGE;
        int rc = read_gas_used(v, &b);
        CHECK_EQ_INT(rc != 0, !fits);
        if (fits && !rc)
            CHECK(b.gas_used == (uint64_t)ref);
    }
    cw_evm_block_free(&b);
}

#define A1 "0x4fd8340c6d3a5bee1b705039f43f85c158c710d8"
#define A2 "0xEDE385173BE84CFB054259C894233B1BCB01BA01"

static void test_withdrawals(void)
{
    cw_evm_block b;
    cw_evm_block_init(&b);
    static const struct {
        const char *text;
        size_t n;
        uint64_t idx0, vi0, amt0, amt1;
    } ok[] = {
        /* ethereum-etl's form */
        {"{\"index\":129962,\"validator_index\":443106,\"address\":\"" A1
         "\",\"amount\":23427230},{\"index\":129963,\"validator_index\":1,\"address\":\"" A2
         "\",\"amount\":0}",
         2, 129962, 443106, 23427230, 0},
        /* brackets, spaces, newlines, amount as a string, key order */
        {"[ {\"amount\": \"18446744073709551615\" , \"address\" : \"" A1
         "\", \"index\": 0, \"validator_index\": 9223372036854775807}\n]",
         1, 0, 9223372036854775807ull, 18446744073709551615ull, 0},
        /* a string index counts as none; the last of duplicate keys wins; other keys ignored */
        {"{\"index\":\"5\",\"validator_index\":3,\"address\":\"" A2 "\",\"amount\":1,\"amount\":2,"
         "\"x\":[1,{\"y\":null}],\"z\":true}",
         1, 0, 3, 2, 0},
        /* an escape in a string (jansson reads it) */
        {"{\"address\":\"\\u0030x4fd8340c6d3a5bee1b705039f43f85c158c710d8\",\"amount\":7,"
         "\"index\":1}",
         1, 1, 0, 7, 0},
        /* the amount 2^63 - 1 as an integer */
        {"{\"address\":\"" A1 "\",\"amount\":9223372036854775807}", 1, 0, 0, 9223372036854775807ull,
         0},
    };
    for (size_t j = 0; j < 2 * (sizeof ok / sizeof ok[0]); j++) {
        size_t i = j / 2; /* each both ways: the scan's kept "" pairs, the general split */
        int rc = read_withdrawals(ok[i].text, &b, j % 2);
        CHECK_EQ_INT(rc, 1);
        if (rc != 1)
            continue;
        CHECK_EQ_INT((int)b.n_withdrawals, (int)ok[i].n);
        if (b.n_withdrawals < 1)
            continue;
        CHECK(b.withdrawals[0].index == ok[i].idx0);
        CHECK(b.withdrawals[0].validator_index == ok[i].vi0);
        CHECK(b.withdrawals[0].amount_gwei == ok[i].amt0);
        if (ok[i].n > 1)
            CHECK(b.withdrawals[1].amount_gwei == ok[i].amt1);
        char hx[43];
        cw_evm_addr_hex(hx, &b.withdrawals[0].address);
        CHECK(strcmp(hx, A1) == 0 || i == 2);
    }
    static const char *const bad[] = {
        "{\"address\":\"" A1 "\",\"amount\":-1}",                   /* negative */
        "{\"address\":\"" A1 "\",\"amount\":01}",                   /* not JSON */
        "{\"address\":\"" A1 "\",\"amount\":1.5}",                  /* not an integer */
        "{\"address\":\"" A1 "\",\"amount\":92233720368547758070}", /* too big */
        "{\"address\":\"" A1 "\"}",                                 /* no amount */
        "{\"address\":\"0x12\",\"amount\":1}",                      /* bad address */
        "{\"amount\":1}",                                           /* no address */
        "{\"address\":\"" A1 "\",\"amount\":1},",                   /* trailing comma */
        "{\"address\":\"" A1 "\",\"amount\":1}]",                   /* stray bracket */
        "[{\"address\":\"" A1 "\",\"amount\":1}",                   /* unclosed */
        "{\"address\":\"" A1 "\",\"amount\":1}{\"address\":\"" A1 "\",\"amount\":1}",
    };
    for (size_t j = 0; j < 2 * (sizeof bad / sizeof bad[0]); j++) {
        size_t i = j / 2;
        int rc = read_withdrawals(bad[i], &b, j % 2);
        CHECK(rc < 0);
        CHECK(strstr(cw_error_last(), "withdrawals") != NULL);
    }
    /* A string the fast reading cannot take as it stands (an escape, a control character, a
     * byte >= 0x80) is left to jansson: a key with one character escaped, at every position of
     * the key and at every alignment of the field, after the same key unescaped, names the
     * value that counts (the last of duplicate keys; a fast reading that missed the backslash
     * would take an unknown key and keep the first value) */
    static const char *const keys[2] = {"amount", "address"};
    for (int kk = 0; kk < 2; kk++) {
        size_t kn = strlen(keys[kk]);
        for (size_t pos = 0; pos < kn; pos++) {
            for (int pad = 0; pad < 9; pad++) {
                char key[64], text[512];
                snprintf(key, sizeof key, "%.*s\\u00%02x%s", (int)pos, keys[kk],
                         (unsigned char)keys[kk][pos], keys[kk] + pos + 1);
                snprintf(text, sizeof text,
                         "%*s{\"index\":3,\"address\":\"" A1 "\",\"amount\":12,\"%s\":%s}", pad, "",
                         key, kk ? "\"" A2 "\"" : "13");
                for (int way = 0; way < 2; way++) {
                    int rc = read_withdrawals(text, &b, way);
                    CHECK_EQ_INT(rc, 1);
                    if (rc != 1 || b.n_withdrawals != 1) {
                        fprintf(stderr, "  refused: %s\n", text);
                        continue;
                    }
                    char hx[43];
                    cw_evm_addr_hex(hx, &b.withdrawals[0].address);
                    bool good = b.withdrawals[0].amount_gwei == (kk ? 12u : 13u) &&
                                strcasecmp(hx, kk ? A2 : A1) == 0 && b.withdrawals[0].index == 3;
                    CHECK(good);
                    if (!good)
                        fprintf(stderr, "  misread (%s): %s\n", way ? "split" : "scan", text);
                }
            }
        }
    }
    /* ethereum-etl's exact form (read straight, without the key loop) against the general
     * reading of the same text with a space after each '{' (which the exact form does not
     * take): every byte of two withdrawals replaced by each of a few bytes, both ways; the
     * same result, or an error in both */
    {
        static const char form[] = "{\"index\":129962,\"validator_index\":443106,\"address\":\"" A1
                                   "\",\"amount\":23427230},{\"index\":7,\"validator_index\":0,"
                                   "\"address\":\"" A2 "\",\"amount\":123456789012345678}";
        static const char subst[] = {'7', '0', ' ', '"', ',', '}', 'x', 'F', ':', '-'};
        size_t fl = strlen(form);
        cw_evm_block ref;
        cw_evm_block_init(&ref);
        int read_runs = 0;
        for (size_t pos = 0; pos <= fl; pos++) {
            for (size_t v = 0; v < sizeof subst; v++) {
                char text[512], spaced[520];
                memcpy(text, form, fl + 1);
                if (pos < fl)
                    text[pos] = subst[v];
                else if (v)
                    break; /* pos == fl: the form itself, once */
                size_t k = 0;
                for (const char *p = text; *p; p++) {
                    spaced[k++] = *p;
                    if (*p == '{')
                        spaced[k++] = ' ';
                }
                spaced[k] = 0;
                for (int way = 0; way < 2; way++) {
                    int rc = read_withdrawals(text, &b, way);
                    cw_error_clear();
                    int rr = read_withdrawals(spaced, &ref, way);
                    cw_error_clear();
                    CHECK_EQ_INT(rc < 0, rr < 0);
                    if (rc < 0 || rr < 0)
                        continue;
                    read_runs++;
                    CHECK_EQ_INT((int)b.n_withdrawals, (int)ref.n_withdrawals);
                    for (size_t w = 0; w < b.n_withdrawals && w < ref.n_withdrawals; w++) {
                        const cw_evm_withdrawal *x = &b.withdrawals[w], *y = &ref.withdrawals[w];
                        bool same = x->index == y->index &&
                                    x->validator_index == y->validator_index &&
                                    x->amount_gwei == y->amount_gwei &&
                                    memcmp(&x->address, &y->address, sizeof x->address) == 0;
                        CHECK(same);
                        if (!same)
                            fprintf(stderr, "  differs (%s): %s\n", way ? "split" : "scan", text);
                    }
                }
            }
        }
        CHECK(read_runs > 100);
        CHECK(read_withdrawals(form, &b, 0) == 1 && b.n_withdrawals == 2 &&
              b.withdrawals[1].amount_gwei == 123456789012345678ull &&
              b.withdrawals[0].validator_index == 443106);
        cw_evm_block_free(&ref);
    }
    /* a byte the fast reading refuses, anywhere in the address: an error either way */
    for (size_t pos = 0; pos < 42; pos++) {
        for (int v = 0; v < 3; v++) {
            char addr[43], text[512];
            memcpy(addr, A1, 43);
            addr[pos] = v == 0 ? (char)0x85 : v == 1 ? (char)0x1f : (char)0x7f;
            snprintf(text, sizeof text, "{\"address\":\"%s\",\"amount\":1}", addr);
            for (int way = 0; way < 2; way++) {
                CHECK(read_withdrawals(text, &b, way) < 0);
                cw_error_clear();
            }
        }
    }
    /* the same in a key the reading does not know (which it would skip): JSON allows no control
     * character in a string, so the whole field is refused; at every position of a 40-byte key,
     * past the 16-byte steps too, and at every alignment of the field */
    for (size_t pos = 0; pos < 40; pos++) {
        for (int v = 0; v < 2; v++) {
            for (int pad = 0; pad < 16; pad++) {
                char key[41], text[512];
                memcpy(key, "an_unknown_key_of_forty_bytes_0123456789", 41);
                key[pos] = v ? (char)0x1f : (char)0x01;
                snprintf(text, sizeof text, "%*s{\"address\":\"" A1 "\",\"amount\":1,\"%s\":2}",
                         pad, "", key);
                for (int way = 0; way < 2; way++) {
                    CHECK(read_withdrawals(text, &b, way) < 0);
                    cw_error_clear();
                }
            }
        }
    }
    cw_evm_block_free(&b);
}

/* The stricter plain pass (cw_evm_csv_split_blocks, 64-byte masks and a running quote parity)
 * counts the same fields and records as the reference split: quoted commas and newlines,
 * doubled quotes, quotes spanning blocks, CRLF, a last line without its newline, and random
 * mixes of those at every length and offset. */
static void test_split_blocks(void)
{
    const char *cases[] = {
        "a,b,c\n",
        "a,\"b,c\",d\n1,2\n",
        "x,\"multi\nline, with \"\"quotes\"\"\",y\r\nlast,row",
        ",,,\n\n\r\n",
        "\"0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef,"
        "0x000000000000000000000"
        "000000000000000000000000000000000000000000001,"
        "0x00000000000000000000000000000000000000000000"
        "00000000000000000000002\",tail\n",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t r1, r2;
        uint64_t f1 = cw_evm_csv_split_only(cases[i], strlen(cases[i]), &r1);
        uint64_t f2 = cw_evm_csv_split_blocks(cases[i], strlen(cases[i]), &r2);
        CHECK_EQ_INT((long long)f2, (long long)f1);
        CHECK_EQ_INT((long long)r2, (long long)r1);
    }
    /* random records of the characters that matter, quotes balanced per record */
    static char buf[1 << 16];
    uint64_t st = 12345;
    for (int round = 0; round < 200; round++) {
        size_t n = 0;
        while (n < sizeof buf - 64) {
            st = st * 6364136223846793005ull + 1442695040888963407ull;
            unsigned k = (unsigned)(st >> 33) % 12;
            if (k == 0) { /* a quoted field with a comma, a newline, a doubled quote */
                memcpy(buf + n, "\"q,\n\"\"z\"", 9);
                n += 9;
            } else {
                buf[n++] = "ab,,\n\r0xyz1"[k];
            }
        }
        size_t len = n - (size_t)(st >> 40) % 64; /* any length, mid-record too */
        uint64_t r1, r2;
        uint64_t f1 = cw_evm_csv_split_only(buf, len, &r1);
        uint64_t f2 = cw_evm_csv_split_blocks(buf, len, &r2);
        CHECK_EQ_INT((long long)f2, (long long)f1);
        CHECK_EQ_INT((long long)r2, (long long)r1);
    }
}

/* One random field of the kinds the scan must tell apart: plain, quoted, quoted with "" pairs,
 * or (bad) one with a quoted newline or a misplaced quote. */
static size_t rand_field(char *o, uint64_t *st, bool bad)
{
    static const char plain[] = "ab0x9Z {}:[]";
    size_t n = 0;
    *st = *st * 6364136223846793005ull + 1442695040888963407ull;
    unsigned kind = bad ? 3 + (unsigned)(*st >> 33) % 6 : (unsigned)(*st >> 33) % 3;
    size_t len = (size_t)(*st >> 45) % 90; /* across 64-byte blocks too */
    bool quoted = kind >= 1 && kind <= 6;
    if (quoted)
        o[n++] = '"';
    for (size_t i = 0; i < len; i++) {
        *st = *st * 6364136223846793005ull + 1442695040888963407ull;
        unsigned c = (unsigned)(*st >> 40) % 16;
        if (kind == 2 && c < 3) { /* an escaped quote */
            o[n++] = '"';
            o[n++] = '"';
        } else if ((kind == 1 || kind == 2) && c == 3) {
            o[n++] = ',';
        } else if (kind == 3 && c == 4) {
            o[n++] = '\n'; /* a quoted newline: the general way's */
        } else if ((kind == 4 || kind == 7) && c == 5) {
            o[n++] = '"'; /* a lone quote inside a quoted field, or in an unquoted one */
        } else {
            o[n++] = plain[c % (sizeof plain - 1)];
        }
    }
    if (quoted)
        o[n++] = '"';
    if (kind == 5)
        o[n++] = 'q'; /* text after the closing quote */
    if (kind == 8)
        o[n++] = '"'; /* a field of one quote */
    return n;
}

static void test_scan_record(void)
{
    static char rec[8192], a[8192], b[8192];
    uint64_t st = 777;
    int handled = 0, handled_pairs = 0, refused = 0;
    /* every scan width this CPU runs, each against the general way on every record */
    int widths[3], n_widths = 0;
    for (int w = CW_EVM_SCAN_SSE2; w <= CW_EVM_SCAN_AVX512; w++) {
        const char *f[64];
        size_t fn[64], e = 0;
        int nf = 0;
        char probe[] = "a,b\n";
        if (cw_evm_csv_split_record(probe, 4, w, f, fn, &nf, &e) >= 0)
            widths[n_widths++] = w;
        cw_error_clear();
    }
    CHECK(n_widths >= 1 && widths[0] == CW_EVM_SCAN_SSE2);
    int runs[CW_EVM_SCAN_AVX512 + 1] = {0};
    for (int round = 0; round < 20000; round++) {
        size_t n = 0;
        st = st * 6364136223846793005ull + 1442695040888963407ull;
        int nfields = 1 + (int)((st >> 35) % 24);
        int bad = (st >> 50) & 1 ? (int)((st >> 52) % (uint64_t)nfields) : -1;
        for (int i = 0; i < nfields; i++) {
            if (i)
                rec[n++] = ',';
            n += rand_field(rec + n, &st, i == bad);
        }
        if (st >> 63)
            rec[n++] = '\r';
        rec[n++] = '\n';
        memset(rec + n, 'z', 130); /* the next record: the scan needs whole blocks */
        n += 130;
        memcpy(b, rec, n);
        const char *fa[64], *fb[64];
        size_t na[64], nb[64], ea = 0, eb = 0;
        int nfa = 0, nfb = 0;
        int slow = cw_evm_csv_split_record(b, n, CW_EVM_SPLIT_GENERAL, fb, nb, &nfb, &eb);
        cw_error_clear();
        int first = -1;
        for (int k = 0; k < n_widths; k++) {
            memcpy(a, rec, n);
            int fast = cw_evm_csv_split_record(a, n, widths[k], fa, na, &nfa, &ea);
            runs[widths[k]]++;
            if (first < 0)
                first = fast;
            CHECK_EQ_INT(fast, first); /* every width takes or refuses the same records */
            if (!fast) {
                CHECK(memcmp(a, rec, n) == 0); /* left as it was for the general way */
                continue;
            }
            CHECK_EQ_INT(slow, 1);
            CHECK_EQ_INT((long long)ea, (long long)eb);
            CHECK_EQ_INT(nfa, nfb);
            for (int i = 0; i < nfa && i < nfb; i++) {
                CHECK_EQ_INT((long long)na[i], (long long)nb[i]);
                CHECK(na[i] == nb[i] && memcmp(fa[i], fb[i], na[i]) == 0);
            }
        }
        if (!first) {
            refused++;
            continue;
        }
        handled++;
        handled_pairs += memmem(rec, eb, "\"\"", 2) != NULL;
    }
    /* the scan takes the records with "" pairs, and still leaves the misplaced quotes alone */
    CHECK(handled_pairs > 500);
    CHECK(refused > 500);
    CHECK_EQ_INT(runs[CW_EVM_SCAN_SSE2], 20000);
    printf("scan: %d records split (%d with \"\" pairs), %d left to the general way; widths "
           "run: SSE2 %d, AVX2 %d, AVX-512 %d records\n",
           handled, handled_pairs, refused, runs[CW_EVM_SCAN_SSE2], runs[CW_EVM_SCAN_AVX2],
           runs[CW_EVM_SCAN_AVX512]);
}

int main(void)
{
    RUN(test_hex);
    RUN(test_decimal);
    RUN(test_u64_fields);
    RUN(test_withdrawals);
    RUN(test_split_blocks);
    RUN(test_scan_record);
    return cw_test_done();
}
