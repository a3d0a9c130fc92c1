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

_Static_assert(sizeof(cw_evm_row_memo) == 256, "memo row");

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

/* a 32-byte big-endian word that fits in 32 bits, else UINT64_MAX */
static uint64_t word32(const uint8_t *w)
{
    for (int i = 0; i < 28; i++)
        if (w[i])
            return UINT64_MAX;
    return (uint64_t)w[28] << 24 | (uint64_t)w[29] << 16 | (uint64_t)w[30] << 8 | w[31];
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

/* the first ABI `string`/`bytes` argument of data (head at skip) whose bytes pass ok */
static size_t abi_string(const uint8_t *data, size_t n, size_t skip, char *out, size_t cap,
                         bool (*ok)(const uint8_t *, size_t))
{
    if (n <= skip)
        return 0;
    const uint8_t *h = data + skip;
    size_t len = n - skip;
    for (size_t k = 0; k < 12 && 32 * (k + 1) <= len; k++) {
        uint64_t off = word32(h + 32 * k);
        /* an offset points past the head word that holds it, at a word boundary */
        if (off == UINT64_MAX || off % 32 || off < 32 * (k + 1) || off + 32 > len)
            continue;
        uint64_t sl = word32(h + off);
        if (sl == UINT64_MAX || sl < 3 || sl > 250 || off + 32 + sl > len)
            continue;
        if (ok(h + off + 32, (size_t)sl))
            return put(h + off + 32, (size_t)sl, out, cap);
    }
    return 0;
}

size_t cw_evm_memo_from_abi(const uint8_t *data, size_t n, size_t skip, char *out, size_t cap)
{
    return abi_string(data, n, skip, out, cap, printable);
}

size_t cw_evm_memo_btc_from_abi(const uint8_t *data, size_t n, size_t skip, char *out, size_t cap)
{
    return abi_string(data, n, skip, out, cap, cw_evm_memo_btc_shaped);
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

int cw_evm_memotab_close(cw_evm_memotab *m, bool writable)
{
    if (m->col.fd < 0)
        return 0;
    m->col.rows = m->pub;
    return cw_column_close(&m->col, writable);
}

static int add_row(cw_evm_memotab *m, uint64_t txn, uint32_t log, uint32_t to, uint8_t source,
                   const char *memo, size_t len)
{
    cw_evm_row_memo r;
    memset(&r, 0, sizeof r);
    r.tx = txn;
    r.log = log;
    r.to = to;
    r.source = source;
    r.flags = len > CW_EVM_MEMO_MAX ? CW_EVM_MEMOF_TRUNCATED : 0;
    r.len = (uint16_t)(len > CW_EVM_MEMO_MAX ? CW_EVM_MEMO_MAX : len);
    memcpy(r.memo, memo, r.len);
    return cw_column_append(&m->col, &r);
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

/* a log's candidate: a memo the parser recognises, else a Bitcoin address alone */
static size_t log_candidate(const cw_evm_block *b, const cw_evm_log *l, char *out, size_t cap)
{
    const uint8_t *d = cw_evm_block_bytes(b, l->data_off);
    size_t ln = cw_evm_memo_from_abi(d, l->data_len, 0, out, cap);
    if (ln && keep(out, ln))
        return ln;
    return cw_evm_memo_btc_from_abi(d, l->data_len, 0, out, cap);
}

int cw_evm_memotab_add_tx(cw_evm_memotab *m, const cw_evm_block *b, const cw_evm_tx *t,
                          uint64_t txn, uint32_t to)
{
    char cm[256], lm[256];
    size_t cn = 0;
    uint8_t csrc = 0;
    if (t->input_kept) {
        const uint8_t *in = cw_evm_block_bytes(b, t->input_off);
        if ((cn = cw_evm_memo_from_text(in, t->input_kept, cm, sizeof cm)))
            csrc = CW_EVM_MEMO_SRC_TEXT;
        else if ((cn = cw_evm_memo_from_abi(in, t->input_kept, 4, cm, sizeof cm)))
            csrc = CW_EVM_MEMO_SRC_CALLDATA;
        if (cn && !keep(cm, cn))
            cn = 0;
        /* else a Bitcoin address as the only recipient (a bridge without memos) */
        if (!cn && (cn = cw_evm_memo_btc_from_abi(in, t->input_kept, 4, cm, sizeof cm)))
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
    if (cn && !repeated && (rc = add_row(m, txn, CW_EVM_NONE32, to, csrc, cm, cn)))
        return rc;
    for (uint32_t i = 0; i < t->n_logs; i++) {
        const cw_evm_log *l = &b->logs[t->first_log + i];
        size_t ln = log_candidate(b, l, lm, sizeof lm);
        if (ln && (rc = add_row(m, txn, l->log_index, to, CW_EVM_MEMO_SRC_LOG, lm, ln)))
            return rc;
    }
    return 0;
}

uint64_t cw_evm_memotab_rows_below(const cw_evm_memotab *m, uint64_t txs)
{
    uint64_t lo = 0, hi = m->col.rows;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (((const cw_evm_row_memo *)cw_column_row(&m->col, mid))->tx < txs)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}
