/*
 * memo.c: bridge memos (evm/memo.h): the THORChain/MAYAChain memo grammar, memo candidates in
 * calldata and log data, and the writer side of the EVM store's memo table (memos.col).
 *
 * The grammar follows THORChain's published memo documentation (FUNCTION:PARAM1:PARAM2:...,
 * optional parameters left empty with their separators kept, functions and native assets
 * shortened). The parser is strict about what it interprets (an asset must be CHAIN<sep>SYMBOL
 * or a known shortening, numbers must be numbers) and keeps the rest as written.
 *
 * The table: rows in tx order (a tx's calldata memo, then its log memos in log order), appended
 * by the writer after the tx's own rows; a memo has no in-place effects, so recovery is just
 * the published row count (memo_int.h).
 */
#include <stdio.h>
#include <string.h>

#include "chain/evm/memo_int.h"
#include "chainwatch/errors.h"
#include "chainwatch/evm/memo.h"
#include "chainwatch/evm/store.h"
#include "chainwatch/util.h"

_Static_assert(sizeof(cw_evm_row_memo) == 264, "memo row");

const char *cw_evm_memo_fn_name(cw_evm_memo_fn f)
{
    static const char *const n[] = {"unknown",  "swap",       "add",        "withdraw", "out",
                                    "refund",   "loan_open",  "loan_repay", "donate",   "noop",
                                    "bond",     "unbond",     "leave",      "reserve",  "migrate",
                                    "ragnarok", "consolidate"};
    return (unsigned)f < sizeof n / sizeof n[0] ? n[f] : "unknown";
}

/* ---- the grammar ---- */

static bool ieq(const char *a, size_t n, const char *b)
{
    if (strlen(b) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = a[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 32);
        char d = b[i];
        if (d >= 'a' && d <= 'z')
            d = (char)(d - 32);
        if (c != d)
            return false;
    }
    return true;
}

static cw_evm_memo_fn fn_of(const char *s, size_t n)
{
    static const struct {
        const char *name;
        cw_evm_memo_fn fn;
    } t[] = {{"SWAP", CW_MEMO_SWAP},
             {"s", CW_MEMO_SWAP},
             {"=", CW_MEMO_SWAP},
             {"ADD", CW_MEMO_ADD},
             {"a", CW_MEMO_ADD},
             {"+", CW_MEMO_ADD},
             {"WITHDRAW", CW_MEMO_WITHDRAW},
             {"wd", CW_MEMO_WITHDRAW},
             {"-", CW_MEMO_WITHDRAW},
             {"OUT", CW_MEMO_OUT},
             {"REFUND", CW_MEMO_REFUND},
             {"LOAN+", CW_MEMO_LOAN_OPEN},
             {"$+", CW_MEMO_LOAN_OPEN},
             {"LOAN-", CW_MEMO_LOAN_REPAY},
             {"$-", CW_MEMO_LOAN_REPAY},
             {"DONATE", CW_MEMO_DONATE},
             {"d", CW_MEMO_DONATE},
             {"%", CW_MEMO_DONATE},
             {"NOOP", CW_MEMO_NOOP},
             {"BOND", CW_MEMO_BOND},
             {"UNBOND", CW_MEMO_UNBOND},
             {"LEAVE", CW_MEMO_LEAVE},
             {"RESERVE", CW_MEMO_RESERVE},
             {"MIGRATE", CW_MEMO_MIGRATE},
             {"RAGNAROK", CW_MEMO_RAGNAROK},
             {"CONSOLIDATE", CW_MEMO_CONSOLIDATE}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (ieq(s, n, t[i].name))
            return t[i].fn;
    return CW_MEMO_UNKNOWN;
}

typedef struct span {
    const char *p;
    size_t n;
} span;

static void copy_span(char *out, size_t cap, span s)
{
    size_t n = s.n < cap - 1 ? s.n : cap - 1;
    memcpy(out, s.p, n);
    out[n] = '\0';
}

static bool all_digits(span s)
{
    if (!s.n)
        return false;
    for (size_t i = 0; i < s.n; i++)
        if (s.p[i] < '0' || s.p[i] > '9')
            return false;
    return true;
}

/* "123" -> value; false on overflow (valid but too large) */
static bool digits_u64(span s, uint64_t *v)
{
    uint64_t x = 0;
    for (size_t i = 0; i < s.n; i++) {
        unsigned d = (unsigned)(s.p[i] - '0');
        if (x > (UINT64_MAX - d) / 10)
            return false;
        x = x * 10 + d;
    }
    *v = x;
    return true;
}

/* the native assets' one-letter shortenings (THORChain "memo length reduction") */
static const char *short_asset(span s)
{
    static const char *const t[][2] = {{"r", "THOR.RUNE"}, {"a", "AVAX.AVAX"}, {"b", "BTC.BTC"},
                                       {"c", "BCH.BCH"},   {"e", "ETH.ETH"},   {"g", "GAIA.ATOM"},
                                       {"n", "BNB.BNB"},   {"s", "BSC.BNB"},   {"d", "DOGE.DOGE"},
                                       {"l", "LTC.LTC"}};
    if (s.n != 1)
        return NULL;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if ((s.p[0] | 0x20) == t[i][0][0])
            return t[i][1];
    return NULL;
}

static int parse_asset(cw_evm_memo *m, span s)
{
    const char *full = short_asset(s);
    span a = full ? (span){full, strlen(full)} : s;
    size_t k = 0;
    while (k < a.n && a.p[k] != '.' && a.p[k] != '/' && a.p[k] != '~' && a.p[k] != '-')
        k++;
    if (k == 0 || k >= a.n - 1 || k >= sizeof m->chain)
        return cw_error_set(CW_EINVAL,
                            "memo field 2 (asset) '%.*s': not CHAIN.SYMBOL (or CHAIN/SYMBOL, "
                            "CHAIN~SYMBOL, CHAIN-SYMBOL) nor a shortening such as b = BTC.BTC",
                            (int)s.n, s.p);
    for (size_t i = 0; i < k; i++) {
        char c = a.p[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            return cw_error_set(CW_EINVAL, "memo field 2 (asset) '%.*s': bad chain name", (int)s.n,
                                s.p);
    }
    for (size_t i = k + 1; i < a.n; i++) {
        char c = a.p[i];
        if (c == ' ' || c == '.' || c == '/' || c == '~')
            return cw_error_set(CW_EINVAL, "memo field 2 (asset) '%.*s': bad symbol", (int)s.n,
                                s.p);
    }
    m->kind = a.p[k];
    for (size_t i = 0; i < k; i++) {
        char c = a.p[i];
        m->chain[i] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
    }
    m->chain[k] = '\0';
    copy_span(m->symbol, sizeof m->symbol, (span){a.p + k + 1, a.n - k - 1});
    copy_span(m->asset, sizeof m->asset, a);
    return 0;
}

/* LIM[/INTERVAL[/QUANTITY]]; LIM an integer or MANTISSAeEXPONENT */
static int parse_limit(cw_evm_memo *m, span s, int field)
{
    span part[3] = {{s.p, 0}, {NULL, 0}, {NULL, 0}};
    int np = 1;
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] == '/') {
            if (np == 3)
                return cw_error_set(CW_EINVAL,
                                    "memo field %d (limit) '%.*s': more than "
                                    "LIMIT/INTERVAL/QUANTITY",
                                    field, (int)s.n, s.p);
            part[np++] = (span){s.p + i + 1, 0};
        } else {
            part[np - 1].n++;
        }
    }
    span lim = part[0];
    copy_span(m->limit, sizeof m->limit, lim);
    if (lim.n) {
        size_t e = 0;
        while (e < lim.n && lim.p[e] != 'e' && lim.p[e] != 'E')
            e++;
        span mant = {lim.p, e}, ex = {lim.p + e + 1, e < lim.n ? lim.n - e - 1 : 0};
        if (!all_digits(mant) || (e < lim.n && !all_digits(ex)))
            return cw_error_set(CW_EINVAL,
                                "memo field %d (limit) '%.*s': not a number (digits, or "
                                "MANTISSAeEXPONENT as 161e6)",
                                field, (int)lim.n, lim.p);
        m->limit_valid = true;
        uint64_t v, x = 0;
        m->limit_fits = digits_u64(mant, &v);
        if (m->limit_fits && e < lim.n) {
            m->limit_fits = digits_u64(ex, &x) && x <= 19;
            for (uint64_t i = 0; m->limit_fits && i < x; i++) {
                if (v > UINT64_MAX / 10)
                    m->limit_fits = false;
                else
                    v *= 10;
            }
        }
        m->limit_value = m->limit_fits ? v : 0;
    }
    for (int i = 1; i < np; i++) {
        uint64_t v;
        if (part[i].n == 0)
            continue;
        if (!all_digits(part[i]) || !digits_u64(part[i], &v) || v > UINT32_MAX)
            return cw_error_set(CW_EINVAL, "memo field %d: streaming %s '%.*s' is not a number",
                                field, i == 1 ? "interval" : "quantity", (int)part[i].n, part[i].p);
        if (i == 1)
            m->interval = (uint32_t)v;
        else
            m->quantity = (uint32_t)v;
    }
    return 0;
}

static int parse_fee(cw_evm_memo *m, span s, int field)
{
    span first = s;
    for (size_t i = 0; i < s.n; i++)
        if (s.p[i] == '/') {
            first.n = i;
            break;
        }
    for (size_t i = 0; i < s.n; i++)
        if (!(s.p[i] == '/' || (s.p[i] >= '0' && s.p[i] <= '9')))
            return cw_error_set(CW_EINVAL, "memo field %d (affiliate fee) '%.*s': not basis points",
                                field, (int)s.n, s.p);
    uint64_t v = 0;
    if (first.n && (!digits_u64(first, &v) || v > 10000))
        return cw_error_set(CW_EINVAL,
                            "memo field %d (affiliate fee) '%.*s': more than 10000 basis points",
                            field, (int)s.n, s.p);
    m->fee_bps = (uint32_t)v;
    return 0;
}

int cw_evm_memo_parse(cw_evm_memo *out, const char *s, size_t n)
{
    memset(out, 0, sizeof *out);
    if (n == 0)
        return cw_error_set(CW_EINVAL, "empty memo");
    if (n > 250)
        return cw_error_set(CW_EINVAL, "memo of %zu bytes: longer than 250 bytes", n);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
            return cw_error_set(CW_EINVAL, "memo byte %zu: not printable ASCII (0x%02x)", i,
                                (unsigned char)s[i]);
    span f[16];
    size_t nf = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == ':') {
            if (nf < 16)
                f[nf++] = (span){s + start, i - start};
            start = i + 1;
        }
    }
    /* a "|" ends the memo proper (what follows is passed on to the outbound) */
    out->n_fields = (uint32_t)nf;
    out->fn = fn_of(f[0].p, f[0].n);
    if (out->fn == CW_MEMO_UNKNOWN)
        return cw_error_set(CW_EINVAL, "memo field 1 (function) '%.*s': not a known function",
                            (int)f[0].n, f[0].p);
    int rc;
    switch (out->fn) {
    case CW_MEMO_SWAP:
    case CW_MEMO_LOAN_OPEN:
        /* SWAP:ASSET:DEST[/REFUND]:LIM[/INTERVAL/QUANTITY]:AFFILIATE:FEE[:aggregator fields] */
        if (nf < 2 || f[1].n == 0)
            return cw_error_set(CW_EINVAL, "memo: a %s needs an asset (field 2)",
                                cw_evm_memo_fn_name(out->fn));
        if ((rc = parse_asset(out, f[1])))
            return rc;
        if (nf > 2) {
            span d = f[2], r = {NULL, 0};
            for (size_t i = 0; i < d.n; i++)
                if (d.p[i] == '/') {
                    r = (span){d.p + i + 1, d.n - i - 1};
                    d.n = i;
                    break;
                }
            copy_span(out->dest, sizeof out->dest, d);
            if (r.p)
                copy_span(out->refund, sizeof out->refund, r);
        }
        if (nf > 3 && (rc = parse_limit(out, f[3], 4)))
            return rc;
        if (nf > 4)
            copy_span(out->affiliate, sizeof out->affiliate, f[4]);
        if (nf > 5 && (rc = parse_fee(out, f[5], 6)))
            return rc;
        return 0;
    case CW_MEMO_ADD:
    case CW_MEMO_WITHDRAW:
    case CW_MEMO_DONATE:
    case CW_MEMO_LOAN_REPAY:
        if (nf < 2 || f[1].n == 0)
            return cw_error_set(CW_EINVAL, "memo: a %s needs a pool or asset (field 2)",
                                cw_evm_memo_fn_name(out->fn));
        if ((rc = parse_asset(out, f[1])))
            return rc;
        if (nf > 2 && out->fn != CW_MEMO_WITHDRAW)
            copy_span(out->dest, sizeof out->dest, f[2]);
        return 0;
    case CW_MEMO_OUT:
    case CW_MEMO_REFUND:
        if (nf < 2 || f[1].n == 0)
            return cw_error_set(CW_EINVAL, "memo: %s needs the inbound tx id (field 2)",
                                cw_evm_memo_fn_name(out->fn));
        for (size_t i = 0; i < f[1].n; i++) {
            char c = f[1].p[i];
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
                  (i == 1 && (c == 'x' || c == 'X'))))
                return cw_error_set(CW_EINVAL, "memo field 2 (inbound tx id) '%.*s': not hex",
                                    (int)f[1].n, f[1].p);
        }
        copy_span(out->hash, sizeof out->hash, f[1]);
        return 0;
    default:
        return 0;
    }
}

bool cw_evm_memo_is_exit(const cw_evm_memo *m)
{
    return (m->fn == CW_MEMO_SWAP || m->fn == CW_MEMO_LOAN_OPEN) && m->chain[0] && m->dest[0];
}

/* ---- candidates ---- */

static bool printable(const uint8_t *p, size_t n)
{
    bool colon = false;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < 0x20 || p[i] > 0x7e)
            return false;
        colon |= p[i] == ':';
    }
    return colon;
}

static size_t put(const uint8_t *p, size_t n, char *out, size_t cap)
{
    if (!cap)
        return 0;
    size_t k = n < cap - 1 ? n : cap - 1;
    memcpy(out, p, k);
    out[k] = '\0';
    return n;
}

size_t cw_evm_memo_from_text(const uint8_t *data, size_t n, char *out, size_t cap)
{
    if (n < 3 || n > 250 || !printable(data, n))
        return 0;
    return put(data, n, out, cap);
}

/* a 32-byte big-endian word as u64, false when it does not fit */
static bool word_u64(const uint8_t *w, uint64_t *v)
{
    for (int i = 0; i < 24; i++)
        if (w[i])
            return false;
    uint64_t x = 0;
    for (int i = 24; i < 32; i++)
        x = x << 8 | w[i];
    *v = x;
    return true;
}

/* A Bitcoin address by its shape (its checksum is the reader's to check, xchain.c): bech32
 * (bc1 / tb1 / bcrt1 and the bech32 charset, lowercase) or base58 (1 / 3 / m / n / 2, 26-35
 * characters of the base58 alphabet). No memo syntax: a lock-and-release bridge's recipient. */
bool cw_evm_memo_btc_shaped(const uint8_t *p, size_t n)
{
    static const char b32[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    static const char b58[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    size_t h = n > 5 && !memcmp(p, "bcrt1", 5)                           ? 5
               : n > 3 && (!memcmp(p, "bc1", 3) || !memcmp(p, "tb1", 3)) ? 3
                                                                         : 0;
    if (h) {
        if (n < 14 || n > 90)
            return false;
        for (size_t i = h; i < n; i++)
            if (!memchr(b32, p[i], sizeof b32 - 1))
                return false;
        return true;
    }
    if (n < 26 || n > 35 || !memchr("13mn2", p[0], 5))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!memchr(b58, p[i], sizeof b58 - 1))
            return false;
    return true;
}

/* An ABI `string`/`bytes` argument needs an offset word (at or past the end of the head word
 * holding it, so >= 32), the length word there and at least 3 bytes: data shorter than this
 * past the head's start holds none, and a head word k only when 32 * (k + 1) + 35 fits. Most
 * calldata and log data (an ERC-20 transfer's 64 bytes, a Transfer log's 32) is rejected by
 * this one compare, before any word is read. */
#define ABI_MIN_STRING (32 + 32 + 3)

/* a 32-byte big-endian word below 2^32 as its value, else UINT64_MAX (its 28 high bytes tested
 * as three 8-byte words and one 4-byte word) */
static inline uint64_t word32_fast(const uint8_t *w)
{
    uint64_t a, b, c;
    uint32_t d;
    memcpy(&a, w, 8);
    memcpy(&b, w + 8, 8);
    memcpy(&c, w + 16, 8);
    memcpy(&d, w + 24, 4);
    if (a | b | c | d)
        return UINT64_MAX;
    return (uint64_t)w[28] << 24 | (uint64_t)w[29] << 16 | (uint64_t)w[30] << 8 | w[31];
}

/* The ABI `string`/`bytes` arguments of data whose head starts at skip, in head-word order (the
 * order abi_string takes them): each offset word in the first 12 head words that points past
 * itself, at a word boundary, to a length of 3-250 bytes that fits. Returns how many (<= 12),
 * each as the position of its bytes in data and their length. */
typedef struct abi_cand {
    size_t at, len;
} abi_cand;

static size_t abi_cands(const uint8_t *data, size_t n, size_t skip, abi_cand c[12])
{
    if (n <= skip || n - skip < ABI_MIN_STRING)
        return 0;
    const uint8_t *h = data + skip;
    size_t len = n - skip, m = 0;
    for (size_t k = 0; k < 12 && 32 * (k + 1) + 35 <= len; k++) {
        uint64_t off = word32_fast(h + 32 * k);
        /* an offset points past the head word that holds it, at a word boundary */
        if (off == UINT64_MAX || off % 32 || off < 32 * (k + 1) || off + 32 > len)
            continue;
        uint64_t sl = word32_fast(h + off);
        if (sl == UINT64_MAX || sl < 3 || sl > 250 || off + 32 + sl > len)
            continue;
        c[m++] = (abi_cand){skip + (size_t)off + 32, (size_t)sl};
    }
    return m;
}

/* the first of the m candidates whose bytes pass ok, written to out; 0 when none does */
static size_t first_cand(const uint8_t *data, const abi_cand *c, size_t m, char *out, size_t cap,
                         bool (*ok)(const uint8_t *, size_t))
{
    for (size_t i = 0; i < m; i++)
        if (ok(data + c[i].at, c[i].len))
            return put(data + c[i].at, c[i].len, out, cap);
    return 0;
}

/* the first ABI `string`/`bytes` argument of data (head at skip) whose bytes pass ok */
static size_t abi_string(const uint8_t *data, size_t n, size_t skip, char *out, size_t cap,
                         bool (*ok)(const uint8_t *, size_t))
{
    abi_cand c[12];
    return first_cand(data, c, abi_cands(data, n, skip, c), out, cap, ok);
}

size_t cw_evm_memo_from_abi(const uint8_t *data, size_t n, size_t skip, char *out, size_t cap)
{
    return abi_string(data, n, skip, out, cap, printable);
}

size_t cw_evm_memo_btc_from_abi(const uint8_t *data, size_t n, size_t skip, char *out, size_t cap)
{
    return abi_string(data, n, skip, out, cap, cw_evm_memo_btc_shaped);
}

/* ---- memos inside nested calldata ---- */

static bool keep(const char *s, size_t n);

/* an ABI encoding to read: its head starts at base (offsets count from there), it ends at end */
typedef struct nest_region {
    size_t base, end;
    unsigned depth;
} nest_region;

size_t cw_evm_memo_from_nested(const uint8_t *in, size_t n, char *out, size_t cap)
{
    /* the smallest nesting: an offset and a length word, a selector, then a string argument */
    if (n < 4 + 64 + 4 + ABI_MIN_STRING)
        return 0;
    nest_region q[CW_EVM_MEMO_NEST_REGIONS];
    size_t nq = 1;
    q[0] = (nest_region){4, n, 0};
    uint64_t steps = CW_EVM_MEMO_NEST_STEPS(n);
    /* breadth first: the shallowest memo wins */
    for (size_t qi = 0; qi < nq; qi++) {
        nest_region r = q[qi];
        size_t len = r.end - r.base;
        const uint8_t *h = in + r.base;
        bool deeper = r.depth + 1 < CW_EVM_MEMO_NEST_DEPTH;
        /* the head: the words before the first tail an offset points at (the memo's offset need
         * not be among the first 12) */
        size_t head_end = len;
        for (size_t k = 0; 32 * k < head_end && 32 * (k + 2) <= len; k++) {
            if (!steps--)
                return 0;
            uint64_t off = word32_fast(h + 32 * k);
            if (off == UINT64_MAX || off % 32 || off < 32 * (k + 1) || off + 32 > len)
                continue;
            if (off < head_end)
                head_end = (size_t)off;
            /* a tuple with dynamic fields (LI.FI's ThorSwapData {vault, memo, expiration}): its
             * own head starts at the offset, with no length word */
            if (deeper && nq < CW_EVM_MEMO_NEST_REGIONS)
                q[nq++] = (nest_region){r.base + (size_t)off, r.end, r.depth + 1};
            uint64_t sl = word32_fast(h + off);
            size_t room = len - (size_t)off - 32, p = r.base + (size_t)off + 32;
            if (sl == UINT64_MAX || sl > room)
                continue;
            if (sl >= 3 && sl <= 250) { /* a string */
                uint64_t cost = (sl + 31) / 32;
                if (steps < cost)
                    return 0;
                steps -= cost;
                if (printable(in + p, sl) && keep((const char *)in + p, sl))
                    return put(in + p, sl, out, cap);
            }
            /* bytes holding a call (a selector, then its arguments) */
            if (deeper && sl >= 4 + ABI_MIN_STRING && nq < CW_EVM_MEMO_NEST_REGIONS)
                q[nq++] = (nest_region){p + 4, p + sl, r.depth + 1};
            /* an array of dynamic elements (bytes[], string[]): their offsets count from the
             * word after its length */
            if (deeper && sl >= 1 && sl <= room / 32 && nq < CW_EVM_MEMO_NEST_REGIONS)
                q[nq++] = (nest_region){p, r.end, r.depth + 1};
        }
    }
    return 0;
}

/* ---- destinations in deposit events ---- */

/* topic 0 of the deposit events decoded (keccak-256 of the signature; the real ones as published
 * by their projects, docs/STORE-FORMAT.md "Memos" cites the sources) */
enum {
    EV_ACROSS_V3,
    EV_ACROSS_B32,
    EV_ANY_SWAP_OUT,
    EV_WORMHOLE,
    EV_LOCKED,
    EV_OFT_SENT,
    EV_7683_OPEN,
    EV_N
};
static const struct {
    const char *name;
    uint8_t topic[32];
} dest_events[EV_N] = {
    /* V3FundsDeposited(address,address,uint256,uint256,uint256,uint32,uint32,uint32,uint32,
     * address,address,address,bytes) */
    [EV_ACROSS_V3] = {"V3FundsDeposited",
                      {0xa1, 0x23, 0xdc, 0x29, 0xae, 0xbf, 0x7d, 0x0c, 0x33, 0x22, 0xc8,
                       0xee, 0xb5, 0xb9, 0x99, 0xe8, 0x59, 0xf3, 0x99, 0x37, 0x95, 0x0e,
                       0xd3, 0x10, 0x56, 0x53, 0x27, 0x13, 0xd0, 0xde, 0x39, 0x6f}},
    /* FundsDeposited(bytes32,bytes32,uint256,uint256,uint256,uint256,uint32,uint32,uint32,
     * bytes32,bytes32,bytes32,bytes) */
    [EV_ACROSS_B32] = {"FundsDeposited",
                       {0x32, 0xed, 0x1a, 0x40, 0x9e, 0xf0, 0x4c, 0x7b, 0x02, 0x27, 0x18,
                        0x9c, 0x3a, 0x10, 0x3d, 0xc5, 0xac, 0x10, 0xe7, 0x75, 0xa1, 0x5b,
                        0x78, 0x5d, 0xcc, 0x51, 0x02, 0x01, 0xf7, 0xc2, 0x5a, 0xd3}},
    /* LogAnySwapOut(address,address,address,uint256,uint256,uint256) */
    [EV_ANY_SWAP_OUT] = {"LogAnySwapOut",
                         {0x97, 0x11, 0x6c, 0xf6, 0xcd, 0x4f, 0x64, 0x12, 0xbb, 0x47, 0x91,
                          0x4d, 0x6d, 0xb1, 0x8d, 0xa9, 0xe1, 0x6a, 0xb2, 0x14, 0x2f, 0x54,
                          0x3b, 0x86, 0xe2, 0x07, 0xc2, 0x4f, 0xbd, 0x16, 0xb2, 0x3a}},
    /* LogMessagePublished(address,uint64,uint32,bytes,uint8) */
    [EV_WORMHOLE] = {"LogMessagePublished",
                     {0x6e, 0xb2, 0x24, 0xfb, 0x00, 0x1e, 0xd2, 0x10, 0xe3, 0x79, 0xb3,
                      0x35, 0xe3, 0x5e, 0xfe, 0x88, 0x67, 0x2a, 0x8c, 0xe9, 0x35, 0xd9,
                      0x81, 0xa6, 0x89, 0x6b, 0x27, 0xff, 0xdf, 0x52, 0xa3, 0xb2}},
    /* Locked(address,uint256,bytes32,uint256) (gen evm's lock-and-release bridge) */
    [EV_LOCKED] = {"Locked", {0x24, 0x0f, 0x20, 0x81, 0x3d, 0x45, 0x6c, 0x0d, 0x1a, 0xa6, 0xa8,
                              0x47, 0x04, 0x56, 0x5b, 0xe4, 0xc5, 0xa6, 0xd5, 0x18, 0xad, 0xfc,
                              0x1c, 0xda, 0x17, 0x4f, 0x3d, 0xc9, 0x4d, 0xfa, 0x9c, 0x96}},
    /* LayerZero v2 OFT (Stargate v2 pools): OFTSent(bytes32,uint32,address,uint256,uint256) */
    [EV_OFT_SENT] = {"OFTSent", {0x85, 0x49, 0x6b, 0x76, 0x0a, 0x4b, 0x7f, 0x8d, 0x66, 0x38, 0x4b,
                                 0x9d, 0xf2, 0x1b, 0x38, 0x1f, 0x5d, 0x1b, 0x1e, 0x79, 0xf2, 0x29,
                                 0xa4, 0x7a, 0xaf, 0x4c, 0x23, 0x2e, 0xdc, 0x2f, 0xe5, 0x9a}},
    /* ERC-7683 origin settler: Open(bytes32,(address,uint256,uint32,uint32,bytes32,
     * (bytes32,uint256,bytes32,uint256)[],(bytes32,uint256,bytes32,uint256)[],
     * (uint64,bytes32,bytes)[])) */
    [EV_7683_OPEN] = {"Open", {0xa5, 0x76, 0xd0, 0xaf, 0x27, 0x5d, 0x0c, 0x62, 0x07, 0xef, 0x43,
                               0xce, 0xee, 0x8c, 0x49, 0x8a, 0x5d, 0x7a, 0x26, 0xb8, 0x15, 0x7a,
                               0x32, 0xd3, 0xfd, 0xf3, 0x61, 0xe6, 0x43, 0x71, 0x62, 0x8c}},
};

/* the row text of a destination named by `name` (an event's or a call's): an all-zero
 * recipient is none; one whose first 12 bytes are zero is an EVM address */
static size_t dest_text_named(const char *name, const char *ns, uint64_t chain,
                              const uint8_t rcpt[32], char *out, size_t cap)
{
    static const uint8_t zero[32];
    if (!memcmp(rcpt, zero, 32) || !chain)
        return 0;
    bool short20 = !memcmp(rcpt, zero, 12);
    char hex[65];
    cw_hex_encode(hex, short20 ? rcpt + 12 : rcpt, short20 ? 20 : 32);
    int k = snprintf(out, cap, "%s:%s:%llu:0x%s", name, ns, (unsigned long long)chain, hex);
    return k > 0 && (size_t)k < cap ? (size_t)k : 0;
}

static size_t dest_text(int ev, const char *ns, uint64_t chain, const uint8_t rcpt[32], char *out,
                        size_t cap)
{
    return dest_text_named(dest_events[ev].name, ns, chain, rcpt, out, cap);
}

static int call_dest(const uint8_t *in, size_t n, uint64_t *chain, const uint8_t **rcpt);
static int call_of(const char *name, size_t n);

/* ERC-7683 Open's data: one ABI-encoded ResolvedCrossChainOrder (an offset word, then the
 * tuple: user, originChainId, openDeadline, fillDeadline, orderId, then offsets, from the
 * tuple's start, of maxSpent, minReceived and fillInstructions). maxSpent is what the filler
 * pays the user, each Output (token, amount, recipient, chainId) on its destination chain: the
 * first one with a recipient on a chain other than the origin is the destination, else the
 * first with a recipient. Every offset and length is checked against n; false when the data is
 * no such tuple or names no recipient. */
static bool open_dest(const uint8_t *d, size_t n, uint64_t *chain, const uint8_t **rcpt)
{
    static const uint8_t zero[32];
    uint64_t off, origin, ms, len;
    if (n < 32 * 9 || !word_u64(d, &off) || off % 32 || off > n - 32 * 8)
        return false;
    const uint8_t *t = d + off;
    size_t tn = n - off;
    if (!word_u64(t + 32 * 5, &ms) || ms % 32 || ms < 32 * 8 || ms > tn - 32 ||
        !word_u64(t + ms, &len) || len > (tn - ms - 32) / 128)
        return false;
    if (!word_u64(t + 32, &origin))
        origin = 0;
    *rcpt = NULL;
    for (uint64_t i = 0; i < len; i++) {
        const uint8_t *o = t + ms + 32 + 128 * i;
        uint64_t c;
        if (!word_u64(o + 96, &c) || !c || !memcmp(o + 64, zero, 32))
            continue;
        if (!*rcpt || (*chain == origin && c != origin)) {
            *chain = c;
            *rcpt = o + 64;
        }
        if (c != origin)
            break;
    }
    return *rcpt != NULL;
}

size_t cw_evm_memo_dest_from_log(const cw_evm_block *b, const cw_evm_log *l, char *out, size_t cap)
{
    return cw_evm_memo_dest_from_log_in(b, l, NULL, 0, out, cap);
}

size_t cw_evm_memo_dest_from_log_in(const cw_evm_block *b, const cw_evm_log *l, const uint8_t *in,
                                    size_t in_n, char *out, size_t cap)
{
    if (l->n_topics == 0)
        return 0;
    int ev = 0;
    const uint8_t *t0 = l->topics[0].b;
    /* the first byte rejects nearly every other event (no two of these share it) */
    while (ev < EV_N &&
           (t0[0] != dest_events[ev].topic[0] || memcmp(t0, dest_events[ev].topic, 32) != 0))
        ev++;
    if (ev == EV_N)
        return 0;
    const uint8_t *d = cw_evm_block_bytes(b, l->data_off);
    size_t n = l->data_len;
    uint64_t chain = 0;
    switch (ev) {
    case EV_ACROSS_V3:
    case EV_ACROSS_B32:
        /* topics: destinationChainId, depositId, depositor; data word 7: recipient */
        if (l->n_topics != 4 || n < 32 * 8 || !word_u64(l->topics[1].b, &chain))
            return 0;
        return dest_text(ev, "eip155", chain, d + 32 * 7, out, cap);
    case EV_ANY_SWAP_OUT:
        /* topics: token, from, to; data: amount, fromChainID, toChainID */
        if (l->n_topics != 4 || n < 32 * 3 || !word_u64(d + 64, &chain))
            return 0;
        return dest_text(ev, "eip155", chain, l->topics[3].b, out, cap);
    case EV_LOCKED:
        /* topics: sender; data: chain, recipient, amount */
        if (l->n_topics != 2 || n < 32 * 3 || !word_u64(d, &chain))
            return 0;
        return dest_text(ev, "eip155", chain, d + 32, out, cap);
    case EV_OFT_SENT: {
        /* topics: guid, fromAddress; data: dstEid, amountSentLD, amountReceivedLD. The
         * recipient is the send call's SendParam.to, for the same dstEid */
        const uint8_t *rcpt;
        uint64_t eid;
        if (l->n_topics != 3 || n < 32 * 3 || !word_u64(d, &chain) || chain > UINT32_MAX || !in ||
            call_dest(in, in_n, &eid, &rcpt) != call_of("send", 4) || eid != chain)
            return 0;
        return dest_text(ev, "layerzero", chain, rcpt, out, cap);
    }
    case EV_7683_OPEN: {
        /* topics: orderId; data: the resolved order */
        const uint8_t *rcpt;
        if (l->n_topics != 2 || !open_dest(d, n, &chain, &rcpt))
            return 0;
        return dest_text(ev, "eip155", chain, rcpt, out, cap);
    }
    default: {
        /* data: sequence, nonce, payload (bytes), consistencyLevel; a token-bridge transfer's
         * payload: id 1 or 3, amount (32), token (32), token chain (2), to (32), to chain (2) */
        uint64_t off, len;
        if (l->n_topics != 2 || n < 32 * 4 || !word_u64(d + 64, &off) || off % 32 || off > n - 32 ||
            !word_u64(d + off, &len) || len < 101 || len > n - off - 32)
            return 0;
        const uint8_t *p = d + off + 32;
        if (p[0] != 1 && p[0] != 3)
            return 0;
        chain = (uint64_t)p[99] << 8 | p[100];
        return dest_text(ev, "wormhole", chain, p + 67, out, cap);
    }
    }
}

/* Deposit calls whose input names the destination chain and recipient (selector = the first
 * 4 bytes of keccak-256 of the signature; the real ones as their projects publish them). Words
 * counted from 0 after the selector; `addr`: the recipient is an ABI address (its first 12 bytes
 * zero, else the input is no such call). Kept only for a tx none of whose logs or memos the
 * store kept (the event is the better witness), and never evidence of a bridge by itself
 * (a selector is 4 bytes any contract may reuse): evm_services.c counts no such row. */
static const struct {
    const char *name, *ns;
    uint8_t sel[4];
    uint8_t chain_w, rcpt_w, min_words;
    bool addr;
    bool tuple; /* chain_w and rcpt_w count in the tuple head word 0 points at */
} dest_calls[] = {
    /* Across SpokePool depositV3(depositor, recipient, inputToken, outputToken, inputAmount,
     * outputAmount, destinationChainId, exclusiveRelayer, quoteTimestamp, fillDeadline,
     * exclusivityDeadline, message) */
    {"depositV3", "eip155", {0x7b, 0x93, 0x92, 0x32}, 6, 1, 12, true, false},
    /* Across v2 deposit(recipient, originToken, amount, destinationChainId, relayerFeePct,
     * quoteTimestamp, message, maxCount) */
    {"deposit", "eip155", {0x11, 0x86, 0xec, 0x33}, 3, 0, 8, true, false},
    /* Multichain router anySwapOut / anySwapOutUnderlying(token, to, amount, toChainID),
     * anySwapOutNative(token, to, toChainID) */
    {"anySwapOut", "eip155", {0x24, 0x1d, 0xc2, 0xdf}, 3, 1, 4, true, false},
    {"anySwapOutUnderlying", "eip155", {0xed, 0xbd, 0xf5, 0xe2}, 3, 1, 4, true, false},
    {"anySwapOutNative", "eip155", {0xa5, 0xe5, 0x65, 0x71}, 2, 1, 3, true, false},
    /* Wormhole token bridge transferTokens(token, amount, recipientChain, recipient, arbiterFee,
     * nonce), transferTokensWithPayload(token, amount, recipientChain, recipient, nonce,
     * payload), wrapAndTransferETH(recipientChain, recipient, arbiterFee, nonce),
     * wrapAndTransferETHWithPayload(recipientChain, recipient, nonce, payload) */
    {"transferTokens", "wormhole", {0x0f, 0x52, 0x87, 0xb0}, 2, 3, 6, false, false},
    {"transferTokensWithPayload", "wormhole", {0xc5, 0xa5, 0xeb, 0xda}, 2, 3, 6, false, false},
    {"wrapAndTransferETH", "wormhole", {0x99, 0x81, 0x50, 0x9f}, 0, 1, 4, false, false},
    {"wrapAndTransferETHWithPayload", "wormhole", {0xbe, 0xe9, 0xcd, 0xfc}, 0, 1, 4, false, false},
    /* gen evm's lock bridge: bridgeOut(chainId, recipient), no event */
    {"bridgeOut", "eip155", {0x6e, 0x71, 0x47, 0x3b}, 0, 1, 2, true, false},
    /* LayerZero v2 OFT / Stargate v2 send(SendParam, MessagingFee, refundAddress): SendParam
     * (dstEid, to, amountLD, minAmountLD, extraOptions, composeMsg, oftCmd) holds `bytes`, so
     * the head's word 0 is its offset; MessagingFee (nativeFee, lzTokenFee) is inline. The
     * chain is a LayerZero endpoint id (cw_evm_memo_lz_chain), `to` a 32-byte account */
    {"send", "layerzero", {0xc7, 0xc7, 0xf5, 0xb3}, 0, 1, 4, false, true},
};
#define N_DEST_CALLS (sizeof dest_calls / sizeof dest_calls[0])

static int call_of(const char *name, size_t n)
{
    for (size_t i = 0; i < N_DEST_CALLS; i++)
        if (strlen(dest_calls[i].name) == n && !memcmp(dest_calls[i].name, name, n))
            return (int)i;
    return -1;
}

/* the deposit call in `in` (n bytes from the selector): its index in dest_calls, its chain and
 * recipient; -1 when the input is no such call */
static int call_dest(const uint8_t *in, size_t n, uint64_t *chain, const uint8_t **rcpt)
{
    static const uint8_t zero[12];
    if (n < 4 + 32 * 2)
        return -1;
    for (size_t i = 0; i < N_DEST_CALLS; i++) {
        if (memcmp(in, dest_calls[i].sel, 4) != 0)
            continue;
        if (n < 4 + 32 * (size_t)dest_calls[i].min_words)
            return -1;
        const uint8_t *w = in + 4;
        if (dest_calls[i].tuple) {
            /* the tuple's head words up to the last one read lie inside the input */
            uint64_t off;
            size_t last = dest_calls[i].chain_w > dest_calls[i].rcpt_w ? dest_calls[i].chain_w
                                                                       : dest_calls[i].rcpt_w;
            if (!word_u64(w, &off) || off % 32 || off < 32 * (uint64_t)dest_calls[i].min_words ||
                off > n - 4 - 32 * (last + 1))
                return -1;
            w += off;
        }
        *rcpt = w + (size_t)32 * dest_calls[i].rcpt_w;
        char ns = dest_calls[i].ns[0];
        if (!word_u64(w + (size_t)32 * dest_calls[i].chain_w, chain) ||
            (ns == 'w' && *chain > 0xffff) || (ns == 'l' && *chain > UINT32_MAX) ||
            (dest_calls[i].addr && memcmp(*rcpt, zero, 12) != 0))
            return -1;
        return (int)i;
    }
    return -1;
}

size_t cw_evm_memo_dest_from_call(const uint8_t *in, size_t n, char *out, size_t cap)
{
    uint64_t chain;
    const uint8_t *rcpt;
    int i = call_dest(in, n, &chain, &rcpt);
    if (i < 0)
        return 0;
    return dest_text_named(dest_calls[i].name, dest_calls[i].ns, chain, rcpt, out, cap);
}

/* LayerZero v2 endpoint ids of the chains chainwatch knows (evm/store.c), from LayerZero's
 * published table ("Deployed Endpoints, Message Libraries, and Executors",
 * docs.layerzero.network/v2/deployments/deployed-contracts): 30xxx mainnets, 40xxx testnets */
static const struct {
    uint32_t eid;
    uint64_t chain;
} lz_eids[] = {
    {30101, 1},        /* Ethereum */
    {30102, 56},       /* BNB Smart Chain */
    {30106, 43114},    /* Avalanche C-Chain */
    {30109, 137},      /* Polygon PoS */
    {30110, 42161},    /* Arbitrum One */
    {30111, 10},       /* OP Mainnet */
    {30184, 8453},     /* Base */
    {40161, 11155111}, /* Ethereum Sepolia */
};

bool cw_evm_memo_lz_chain(uint64_t eid, uint64_t *chain_id)
{
    for (size_t i = 0; i < sizeof lz_eids / sizeof lz_eids[0]; i++)
        if (lz_eids[i].eid == eid) {
            *chain_id = lz_eids[i].chain;
            return true;
        }
    return false;
}

/* true when the n bytes at p are 0x and `digits` lowercase hex digits */
static bool lower_hex0x(const char *p, size_t n, size_t digits)
{
    if (n != digits + 2 || p[0] != '0' || p[1] != 'x')
        return false;
    for (size_t i = 2; i < n; i++)
        if (!memchr("0123456789abcdef", p[i], 16))
            return false;
    return true;
}

int cw_evm_memo_dest_parse(cw_evm_memo_dest *d, const char *s, size_t n)
{
    memset(d, 0, sizeof *d);
    const char *f[5];
    size_t fl[5], k = 0, start = 0;
    for (size_t i = 0; i <= n && k < 5; i++)
        if (i == n || s[i] == ':') {
            f[k] = s + start;
            fl[k++] = i - start;
            start = i + 1;
        }
    if (k < 4 || start != n + 1)
        return cw_error_set(CW_EINVAL,
                            "destination '%.*s': want EVENT:NAMESPACE:CHAIN:RECIPIENT[:@EMITTER]",
                            (int)(n < 80 ? n : 80), s);
    int ev = 0;
    while (ev < EV_N &&
           !(strlen(dest_events[ev].name) == fl[0] && !memcmp(dest_events[ev].name, f[0], fl[0])))
        ev++;
    int call = ev == EV_N ? call_of(f[0], fl[0]) : -1;
    if (ev == EV_N && call < 0)
        return cw_error_set(CW_EINVAL, "destination: unknown event or call '%.*s'", (int)fl[0],
                            f[0]);
    if (k == 5) { /* the emitter, when not the tx's `to` (an event's only) */
        if (call >= 0 || fl[4] < 1 || f[4][0] != '@' || !lower_hex0x(f[4] + 1, fl[4] - 1, 40))
            return cw_error_set(CW_EINVAL,
                                "destination: field 5 is not @0x and 40 lowercase hex digits "
                                "(an event's emitter)");
        memcpy(d->emitter, f[4] + 1, fl[4] - 1);
    }
    d->call = call >= 0;
    bool evm = fl[1] == 6 && !memcmp(f[1], "eip155", 6);
    if (!evm && !(fl[1] == 8 && !memcmp(f[1], "wormhole", 8)) &&
        !(fl[1] == 9 && !memcmp(f[1], "layerzero", 9)))
        return cw_error_set(CW_EINVAL, "destination: unknown namespace '%.*s'", (int)fl[1], f[1]);
    span cs = {f[2], fl[2]};
    if (!all_digits(cs) || f[2][0] == '0' || !digits_u64(cs, &d->chain))
        return cw_error_set(CW_EINVAL, "destination: chain '%.*s' is not a chain id", (int)fl[2],
                            f[2]);
    if ((fl[3] != 42 && fl[3] != 66) || f[3][0] != '0' || f[3][1] != 'x')
        return cw_error_set(CW_EINVAL, "destination: recipient is not 0x and 40 or 64 hex digits");
    if (!lower_hex0x(f[3], fl[3], fl[3] - 2))
        return cw_error_set(CW_EINVAL, "destination: recipient is not lowercase hex");
    memcpy(d->event, f[0], fl[0]);
    memcpy(d->ns, f[1], fl[1]);
    memcpy(d->to, f[3], fl[3]);
    return 0;
}

/* ---- the table (writer side) ---- */

int cw_evm_memotab_open(cw_evm_memotab *m, const char *dir, bool writable, uint64_t published)
{
    m->pub = published;
    int rc = cw_column_open(&m->col, dir, "memos", sizeof(cw_evm_row_memo), writable);
    if (rc)
        return rc;
    if (m->col.cap < published)
        return cw_error_set(CW_ECORRUPT,
                            "%s: memos.col holds %llu rows but MANIFEST publishes %llu "
                            "(truncated store)",
                            dir, (unsigned long long)m->col.cap, (unsigned long long)published);
    m->col.rows = published;
    return 0;
}

int cw_evm_memotab_close(cw_evm_memotab *m, bool writable, bool synced, bool trim)
{
    cw_evm_rowbuf_free(&m->wb); /* its rows are past the published ones (a commit flushes) */
    if (m->col.fd < 0)
        return 0;
    m->col.rows = m->pub;
    return writable ? cw_column_close_rows(&m->col, !synced, trim)
                    : cw_column_close(&m->col, false);
}

static int add_row(cw_evm_memotab *m, uint64_t txn, uint32_t log, uint32_t to, uint32_t emitter,
                   uint8_t source, uint8_t flags, const char *memo, size_t len)
{
    cw_evm_row_memo r;
    memset(&r, 0, sizeof r);
    r.tx = txn;
    r.log = log;
    r.to = to;
    r.emitter = emitter;
    r.source = source;
    r.flags = (uint8_t)(flags | (len > CW_EVM_MEMO_MAX ? CW_EVM_MEMOF_TRUNCATED : 0));
    r.len = (uint16_t)(len > CW_EVM_MEMO_MAX ? CW_EVM_MEMO_MAX : len);
    memcpy(r.memo, memo, r.len);
    return cw_evm_rowbuf_append(&m->col, &m->wb, &r);
}

/* a candidate worth keeping: a memo whose function the parser recognises */
static bool keep(const char *s, size_t n)
{
    cw_evm_memo pm;
    if (cw_evm_memo_parse(&pm, s, n) != 0) {
        cw_error_clear();
        return false;
    }
    return true;
}

/* a log's candidate: a memo the parser recognises, else a Bitcoin address alone (the data's
 * ABI arguments found once for both) */
static size_t log_candidate(const cw_evm_block *b, const cw_evm_log *l, char *out, size_t cap)
{
    const uint8_t *d = cw_evm_block_bytes(b, l->data_off);
    abi_cand c[12];
    size_t m = abi_cands(d, l->data_len, 0, c);
    if (!m)
        return 0;
    size_t ln = first_cand(d, c, m, out, cap, printable);
    if (ln && keep(out, ln))
        return ln;
    return first_cand(d, c, m, out, cap, cw_evm_memo_btc_shaped);
}

int cw_evm_memotab_add_tx(cw_evm_memotab *m, const cw_evm_block *b, const cw_evm_tx *t,
                          uint64_t txn, uint32_t to, cw_evm_memo_acct_fn acct, void *ctx)
{
    char cm[256], lm[256];
    size_t cn = 0;
    uint8_t csrc = 0, cflags = 0;
    if (t->input_kept) {
        const uint8_t *in = cw_evm_block_bytes(b, t->input_off);
        abi_cand c[12];
        size_t nc = abi_cands(in, t->input_kept, 4, c);
        if ((cn = cw_evm_memo_from_text(in, t->input_kept, cm, sizeof cm)))
            csrc = CW_EVM_MEMO_SRC_TEXT;
        else if ((cn = first_cand(in, c, nc, cm, sizeof cm, printable)))
            csrc = CW_EVM_MEMO_SRC_CALLDATA;
        if (cn && !keep(cm, cn))
            cn = 0;
        /* else a memo inside a call the calldata carries (a multicall's element, a Safe's
         * transaction), or past the first 12 head words */
        if (!cn && (cn = cw_evm_memo_from_nested(in, t->input_kept, cm, sizeof cm))) {
            csrc = CW_EVM_MEMO_SRC_CALLDATA;
            cflags = CW_EVM_MEMOF_NESTED;
        }
        /* else a Bitcoin address as the only recipient (a bridge without memos) */
        if (!cn && (cn = first_cand(in, c, nc, cm, sizeof cm, cw_evm_memo_btc_shaped)))
            csrc = CW_EVM_MEMO_SRC_CALLDATA;
    }
    /* the calldata memo, unless a log of the tx repeats it (a router's Deposit event) */
    bool repeated = false;
    for (uint32_t i = 0; cn && i < t->n_logs; i++) {
        const cw_evm_log *l = &b->logs[t->first_log + i];
        size_t ln = log_candidate(b, l, lm, sizeof lm);
        if (ln == cn && memcmp(lm, cm, cn) == 0)
            repeated = true;
    }
    int rc;
    uint64_t rows = m->col.rows;
    if (cn && !repeated && (rc = add_row(m, txn, CW_EVM_NONE32, to, to, csrc, cflags, cm, cn)))
        return rc;
    for (uint32_t i = 0; i < t->n_logs; i++) {
        const cw_evm_log *l = &b->logs[t->first_log + i];
        size_t ln = log_candidate(b, l, lm, sizeof lm);
        uint8_t src = CW_EVM_MEMO_SRC_LOG;
        /* emitted by a contract the tx's `to` called (a router in front of the bridge) */
        bool other = !t->has_to || memcmp(l->address.b, t->to.b, sizeof l->address.b) != 0;
        if (!ln && (ln = cw_evm_memo_dest_from_log_in(
                        b, l, t->input_kept ? cw_evm_block_bytes(b, t->input_off) : NULL,
                        t->input_kept, lm, sizeof lm))) {
            src = CW_EVM_MEMO_SRC_EVENT;
            /* the emitter is the bridge, named after the destination too */
            if (t->has_to && other && ln + 4 + 40 < sizeof lm) {
                memcpy(lm + ln, ":@0x", 4);
                cw_hex_encode(lm + ln + 4, l->address.b, 20);
                ln += 4 + 40;
            }
        }
        if (ln && (rc = add_row(m, txn, l->log_index, to, other ? acct(ctx, l->address.b) : to, src,
                                0, lm, ln)))
            return rc;
    }
    /* a deposit call naming its destination in its input alone, when nothing else was kept */
    if (m->col.rows == rows && t->input_kept &&
        (cn = cw_evm_memo_dest_from_call(cw_evm_block_bytes(b, t->input_off), t->input_kept, cm,
                                         sizeof cm)) &&
        (rc = add_row(m, txn, CW_EVM_NONE32, to, to, CW_EVM_MEMO_SRC_EVENT, 0, cm, cn)))
        return rc;
    return 0;
}

uint64_t cw_evm_memotab_rows_below(const cw_evm_memotab *m, uint64_t txs)
{
    uint64_t lo = 0, hi = m->col.rows;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (((const cw_evm_row_memo *)cw_evm_rowbuf_row(&m->col, &m->wb, mid))->tx < txs)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}
