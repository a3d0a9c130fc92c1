/*
 * block.c: the decoded EVM block (evm/block.h): growable arrays, the byte arena, and
 * cw_evm_block_finish, which orders the parts, links logs and traces to their transactions,
 * derives missing statuses and checks every cross-reference inside the block.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "chain/evm/hex_int.h"
#include "chainwatch/errors.h"
#include "chainwatch/evm/block.h"
#include "chainwatch/json_write.h"
#include "chainwatch/util.h"

void cw_evm_block_init(cw_evm_block *b)
{
    memset(b, 0, sizeof *b);
}

void cw_evm_block_reset(cw_evm_block *b)
{
    cw_evm_block keep = *b;
    memset(b, 0, sizeof *b);
    b->txs = keep.txs;
    b->cap_txs = keep.cap_txs;
    b->logs = keep.logs;
    b->cap_logs = keep.cap_logs;
    b->traces = keep.traces;
    b->cap_traces = keep.cap_traces;
    b->withdrawals = keep.withdrawals;
    b->cap_withdrawals = keep.cap_withdrawals;
    b->tokens = keep.tokens;
    b->cap_tokens = keep.cap_tokens;
    b->arena = keep.arena;
    b->arena_cap = keep.arena_cap;
}

void cw_evm_block_free(cw_evm_block *b)
{
    cw_free(b->txs);
    cw_free(b->logs);
    cw_free(b->traces);
    cw_free(b->withdrawals);
    cw_free(b->tokens);
    cw_free(b->arena);
    memset(b, 0, sizeof *b);
}

/* inlined into each caller, so that the clearing is of a constant size (a few stores, no call) */
static inline __attribute__((always_inline)) void *grow(void **arr, size_t *n, size_t *cap,
                                                        size_t elem)
{
    /* the call only when the array must grow (a row of every file adds one) */
    int rc = *n + 1 > *cap ? cw_grow(arr, cap, *n + 1, elem, 16) : 0;
    if (rc) {
        cw_error_wrap(rc, "growing a block: ");
        return NULL;
    }
    uint8_t *e = (uint8_t *)*arr + (*n)++ * elem;
    memset(e, 0, elem);
    return e;
}

cw_evm_tx *cw_evm_block_add_tx(cw_evm_block *b)
{
    return grow((void **)&b->txs, &b->n_txs, &b->cap_txs, sizeof *b->txs);
}
cw_evm_log *cw_evm_block_add_log(cw_evm_block *b)
{
    return grow((void **)&b->logs, &b->n_logs, &b->cap_logs, sizeof *b->logs);
}
cw_evm_trace *cw_evm_block_add_trace(cw_evm_block *b)
{
    return grow((void **)&b->traces, &b->n_traces, &b->cap_traces, sizeof *b->traces);
}
cw_evm_withdrawal *cw_evm_block_add_withdrawal(cw_evm_block *b)
{
    return grow((void **)&b->withdrawals, &b->n_withdrawals, &b->cap_withdrawals,
                sizeof *b->withdrawals);
}
cw_evm_token *cw_evm_block_add_token(cw_evm_block *b)
{
    cw_evm_token *t = grow((void **)&b->tokens, &b->n_tokens, &b->cap_tokens, sizeof *b->tokens);
    if (t)
        t->decimals = -1;
    return t;
}

int cw_evm_block_put_bytes(cw_evm_block *b, const void *data, size_t n, uint32_t *off)
{
    if (b->arena_len + n > UINT32_MAX)
        return cw_error_set(CW_EINVAL, "block %llu: more than 4 GiB of log data",
                            (unsigned long long)b->number);
    int rc = b->arena_len + n > b->arena_cap
                 ? cw_grow(&b->arena, &b->arena_cap, b->arena_len + n, 1, 4096)
                 : 0;
    if (rc)
        return cw_error_wrap(rc, "block arena: ");
    *off = (uint32_t)b->arena_len;
    if (n)
        memcpy(b->arena + b->arena_len, data, n);
    b->arena_len += n;
    return 0;
}

uint32_t cw_evm_trace_addr_at(const cw_evm_block *b, const cw_evm_trace *t, uint32_t i)
{
    uint32_t v;
    memcpy(&v, b->arena + t->ta_off + 4 * (size_t)i, 4);
    return v;
}

static int cmp_tx(const void *a, const void *b)
{
    const cw_evm_tx *x = a, *y = b;
    return x->index < y->index ? -1 : x->index > y->index;
}
static int cmp_log(const void *a, const void *b)
{
    const cw_evm_log *x = a, *y = b;
    return x->log_index < y->log_index ? -1 : x->log_index > y->log_index;
}

/* qsort has no context argument: traces are sorted through a small index array instead */
typedef struct {
    const cw_evm_block *b;
    const cw_evm_trace *t;
} trace_ref;

static int cmp_trace(const void *a, const void *b)
{
    const trace_ref *x = a, *y = b;
    /* block-level traces (rewards, tx_index NONE) last */
    if (x->t->tx_index != y->t->tx_index)
        return x->t->tx_index < y->t->tx_index ? -1 : 1;
    uint32_t n = x->t->ta_len < y->t->ta_len ? x->t->ta_len : y->t->ta_len;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t p = cw_evm_trace_addr_at(x->b, x->t, i), q = cw_evm_trace_addr_at(y->b, y->t, i);
        if (p != q)
            return p < q ? -1 : 1;
    }
    if (x->t->ta_len != y->t->ta_len)
        return x->t->ta_len < y->t->ta_len ? -1 : 1;
    /* equal keys (several rewards): keep source order */
    return x->t->src_line < y->t->src_line ? -1 : x->t->src_line > y->t->src_line;
}

/* "file line N" for error messages */
static const char *where(const cw_evm_block *b, uint32_t file, uint64_t line, char *buf, size_t n)
{
    if (!line)
        snprintf(buf, n, "(rpc)");
    else if (b->src_files && file < b->n_src_files)
        snprintf(buf, n, "%s line %llu", b->src_files[file], (unsigned long long)line);
    else
        snprintf(buf, n, "line %llu", (unsigned long long)line);
    return buf;
}

int cw_evm_block_finish(cw_evm_block *b)
{
    char w[512];
    unsigned long long num = (unsigned long long)b->number;
    bool sorted = true;
    for (size_t i = 1; i < b->n_txs && sorted; i++)
        sorted = b->txs[i - 1].index < b->txs[i].index;
    if (!sorted)
        qsort(b->txs, b->n_txs, sizeof *b->txs, cmp_tx);
    for (size_t i = 0; i < b->n_txs; i++) {
        if (b->txs[i].index != i)
            return cw_error_set(
                CW_ECORRUPT, "block %llu: transaction_index %u at %s %s (expected %zu)", num,
                b->txs[i].index, where(b, b->txs[i].src_file, b->txs[i].src_line, w, sizeof w),
                b->txs[i].index < i ? "is a duplicate" : "leaves a gap", i);
    }
    if (b->tx_count != b->n_txs)
        return cw_error_set(CW_ECORRUPT,
                            "block %llu (%s): transaction_count is %llu but %zu "
                            "transactions were found",
                            num, where(b, b->src_file, b->src_line, w, sizeof w),
                            (unsigned long long)b->tx_count, b->n_txs);
    sorted = true;
    for (size_t i = 1; i < b->n_logs && sorted; i++)
        sorted = b->logs[i - 1].log_index < b->logs[i].log_index;
    if (!sorted)
        qsort(b->logs, b->n_logs, sizeof *b->logs, cmp_log);
    for (size_t i = 0; i < b->n_txs; i++)
        b->txs[i].first_log = b->txs[i].n_logs = b->txs[i].first_trace = b->txs[i].n_traces = 0;
    for (size_t i = 0; i < b->n_logs; i++) {
        cw_evm_log *l = &b->logs[i];
        if (i && l->log_index == b->logs[i - 1].log_index)
            return cw_error_set(CW_ECORRUPT, "block %llu: duplicate log_index %u at %s", num,
                                l->log_index, where(b, l->src_file, l->src_line, w, sizeof w));
        if (l->tx_index >= b->n_txs || (memcmp(&b->txs[l->tx_index].hash, &l->tx_hash, 32) != 0))
            return cw_error_set(CW_ECORRUPT,
                                "block %llu: the log at %s (log_index %u) names a "
                                "transaction that is not in the block (transaction_index %u)",
                                num, where(b, l->src_file, l->src_line, w, sizeof w), l->log_index,
                                l->tx_index);
        cw_evm_tx *t = &b->txs[l->tx_index];
        if (i && b->logs[i - 1].tx_index > l->tx_index)
            return cw_error_set(CW_ECORRUPT,
                                "block %llu: log_index %u (%s) is out of transaction order", num,
                                l->log_index, where(b, l->src_file, l->src_line, w, sizeof w));
        if (!t->n_logs)
            t->first_log = (uint32_t)i;
        t->n_logs++;
    }
    sorted = true;
    for (size_t i = 1; i < b->n_traces && sorted; i++) {
        trace_ref x = {b, &b->traces[i - 1]}, y = {b, &b->traces[i]};
        sorted = cmp_trace(&x, &y) < 0;
    }
    if (!sorted) {
        trace_ref *refs = cw_malloc(b->n_traces * sizeof *refs);
        cw_evm_trace *tmp = cw_malloc(b->n_traces * sizeof *tmp);
        if (!refs || !tmp) {
            cw_free(refs);
            cw_free(tmp);
            return cw_error_set(CW_ENOMEM, "out of memory sorting traces");
        }
        for (size_t i = 0; i < b->n_traces; i++) {
            refs[i].b = b;
            refs[i].t = &b->traces[i];
        }
        qsort(refs, b->n_traces, sizeof *refs, cmp_trace);
        for (size_t i = 0; i < b->n_traces; i++)
            tmp[i] = *refs[i].t;
        memcpy(b->traces, tmp, b->n_traces * sizeof *tmp);
        cw_free(refs);
        cw_free(tmp);
    }
    for (size_t i = 0; i < b->n_traces; i++) {
        cw_evm_trace *tr = &b->traces[i];
        if (tr->tx_index == UINT32_MAX) {
            if (tr->type != CW_EVM_TRACE_REWARD && tr->type != CW_EVM_TRACE_GENESIS &&
                tr->type != CW_EVM_TRACE_DAOFORK)
                return cw_error_set(CW_ECORRUPT, "block %llu: the trace at %s has no transaction",
                                    num, where(b, tr->src_file, tr->src_line, w, sizeof w));
            continue;
        }
        if (tr->tx_index >= b->n_txs || (memcmp(&b->txs[tr->tx_index].hash, &tr->tx_hash, 32) != 0))
            return cw_error_set(CW_ECORRUPT,
                                "block %llu: the trace at %s names a transaction that is "
                                "not in the block (transaction_index %u)",
                                num, where(b, tr->src_file, tr->src_line, w, sizeof w),
                                tr->tx_index);
        cw_evm_tx *t = &b->txs[tr->tx_index];
        if (!t->n_traces)
            t->first_trace = (uint32_t)i;
        t->n_traces++;
        /* a pre-Byzantium receipt has no status: the top-level trace knows it */
        if (tr->ta_len == 0 && t->status == CW_EVM_STATUS_UNKNOWN)
            t->status = tr->status ? CW_EVM_STATUS_OK : CW_EVM_STATUS_FAILED;
    }
    for (size_t i = 0; i < b->n_txs; i++) {
        cw_evm_tx *t = &b->txs[i];
        /* before Byzantium every failure consumed all the gas: less means success */
        if (t->status == CW_EVM_STATUS_UNKNOWN && t->has_receipt && t->gas_used < t->gas)
            t->status = CW_EVM_STATUS_OK;
    }
    return 0;
}

static const char HX[] = "0123456789abcdef";

void cw_evm_addr_hex(char out[43], const cw_evm_addr *a)
{
    out[0] = '0';
    out[1] = 'x';
    for (int i = 0; i < 20; i++) {
        out[2 + 2 * i] = HX[a->b[i] >> 4];
        out[3 + 2 * i] = HX[a->b[i] & 15];
    }
    out[42] = 0;
}

void cw_evm_hash_hex(char out[67], const cw_evm_hash *h)
{
    out[0] = '0';
    out[1] = 'x';
    for (int i = 0; i < 32; i++) {
        out[2 + 2 * i] = HX[h->b[i] >> 4];
        out[3 + 2 * i] = HX[h->b[i] & 15];
    }
    out[66] = 0;
}

/* hex digit values plus one, 0 for anything else */
static const uint8_t HEXV[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
    ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16};

static inline int hexval(char c)
{
    return (int)HEXV[(unsigned char)c] - 1;
}

/* Eight hex digits (either case) at s to four bytes: true when all eight are hex digits.
 * SWAR: every byte is checked against '0'..'9' and (case-folded) 'a'..'f' at once; the
 * additions cannot carry between bytes because each byte is below 0x80 when they are made. */
static inline bool hex8(uint8_t out[4], const char *s)
{
    const uint64_t ones = 0x0101010101010101ull, hi = 0x8080808080808080ull;
    uint64_t x;
    memcpy(&x, s, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x); /* the first digit in the low byte */
#endif
    if (x & hi)
        return false;
    uint64_t l = x | 0x2020202020202020ull; /* 'A'..'F' -> 'a'..'f' (and nothing else into it) */
    uint64_t digit = (x + ones * (0x80 - 0x30)) & ~(x + ones * (0x80 - 0x3a)) & hi;
    uint64_t letter = (l + ones * (0x80 - 0x61)) & ~(l + ones * (0x80 - 0x67)) & hi;
    if ((digit | letter) != hi)
        return false;
    uint64_t nib = (x & (ones * 0x0f)) + (letter >> 7) * 9; /* 0..15 in each byte */
    uint64_t t = ((nib << 4) | (nib >> 8)) & 0x00ff00ff00ff00ffull;
    t = (t | (t >> 8)) & 0x0000ffff0000ffffull;
    t = (t | (t >> 16)) & 0xffffffffull;
    uint32_t w = (uint32_t)t;
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap32(w);
#endif
    memcpy(out, &w, 4);
    return true;
}

#if defined(__SSE2__)
/* Sixteen hex digits (either case) at s to eight bytes: true when all sixteen are hex digits.
 * Every byte is tested at once (c - '0' <= 9 unsigned, or (c | 0x20) - 'a' <= 5), the nibbles
 * paired in 16-bit lanes and packed. x86-64 always has SSE2. */
static inline bool hex16(uint8_t out[8], const char *s)
{
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);
    __m128i d = _mm_sub_epi8(x, _mm_set1_epi8('0'));
    __m128i l = _mm_sub_epi8(_mm_or_si128(x, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
    __m128i isd = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
    __m128i isl = _mm_cmpeq_epi8(_mm_min_epu8(l, _mm_set1_epi8(5)), l);
    if (_mm_movemask_epi8(_mm_or_si128(isd, isl)) != 0xffff)
        return false;
    __m128i v =
        _mm_or_si128(_mm_and_si128(isd, d), _mm_and_si128(isl, _mm_add_epi8(l, _mm_set1_epi8(10))));
    /* lane i = nib(2i) | nib(2i+1) << 8; byte i = nib(2i) << 4 | nib(2i+1) */
    __m128i b = _mm_or_si128(_mm_and_si128(_mm_slli_epi16(v, 4), _mm_set1_epi16(0xff)),
                             _mm_srli_epi16(v, 8));
    _mm_storel_epi64((__m128i *)(void *)out, _mm_packus_epi16(b, b));
    return true;
}
#endif

/* the baseline: SSE2 on x86-64, SWAR and single digits elsewhere */
static int hex_decode_base(uint8_t *out, const char *s, size_t n)
{
    uint8_t tmp[8] = {0}; /* the digits validated, not kept (out == NULL) */
    size_t i = 0;
#if defined(__SSE2__)
    for (; i + 8 <= n; i += 8) {
        if (!hex16(out ? out + i : tmp, s + 2 * i))
            return -1;
    }
#endif
    for (; i + 4 <= n; i += 4) {
        if (!hex8(out ? out + i : tmp, s + 2 * i))
            return -1;
    }
    for (; i < n; i++) {
        int h = hexval(s[2 * i]), l = hexval(s[2 * i + 1]);
        if (h < 0 || l < 0)
            return -1;
        if (out)
            out[i] = (uint8_t)(h << 4 | l);
    }
    return 0;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CW_HEX_WIDE 1
#include <immintrin.h>

/* AVX-512BW+VL: up to 64 digits (32 bytes) per step, the last step's loads and stores masked to
 * the digits there are (a masked load does not touch the bytes it leaves out), so that an
 * address (40 digits) or a hash (64) is one step. The same tests as hex16, in mask registers;
 * each pair of nibbles multiplied into a 16-bit lane (first digit x 16 + second) and narrowed. */
__attribute__((target("avx512bw,avx512vl"))) static int hex_decode_avx512(uint8_t *out,
                                                                          const char *s, size_t n)
{
    const __m512i zero = _mm512_set1_epi8('0'), a = _mm512_set1_epi8('a'),
                  low = _mm512_set1_epi8(0x20), nine = _mm512_set1_epi8(9),
                  five = _mm512_set1_epi8(5), ten = _mm512_set1_epi8(10),
                  pair = _mm512_set1_epi16(0x0110);
    for (size_t i = 0; i < n; i += 32) {
        size_t k = n - i < 32 ? n - i : 32; /* bytes this step */
        __mmask64 in = k == 32 ? ~(__mmask64)0 : ((__mmask64)1 << (2 * k)) - 1;
        __m512i x = _mm512_maskz_loadu_epi8(in, s + 2 * i);
        __m512i d = _mm512_sub_epi8(x, zero);
        __m512i l = _mm512_sub_epi8(_mm512_or_si512(x, low), a);
        __mmask64 isd = _mm512_cmple_epu8_mask(d, nine), isl = _mm512_cmple_epu8_mask(l, five);
        if (((isd | isl) & in) != in)
            return -1;
        if (!out)
            continue;
        __m512i v = _mm512_mask_blend_epi8(isd, _mm512_add_epi8(l, ten), d);
        __m256i b = _mm512_cvtepi16_epi8(_mm512_maddubs_epi16(v, pair));
        _mm256_mask_storeu_epi8(out + i, (__mmask32)(k == 32 ? ~0u : (1u << k) - 1), b);
    }
    return 0;
}
/* AVX2 (a CPU without AVX-512: AMD before Zen 4, most Intel desktops): 32 digits (16 bytes) per
 * step, the same tests and the same pairing as hex_decode_avx512 in 32-byte registers. The last
 * step ends at the last digit, overlapping the one before it (those bytes are tested and
 * written twice, the same both times), so that an address or a hash is two steps (the
 * baseline: three and four SSE2 groups); fewer than 32 digits go the baseline's way. */
__attribute__((target("avx2"))) static int hex_decode_avx2(uint8_t *out, const char *s, size_t n)
{
    const __m256i zero = _mm256_set1_epi8('0'), a = _mm256_set1_epi8('a'),
                  low = _mm256_set1_epi8(0x20), nine = _mm256_set1_epi8(9),
                  five = _mm256_set1_epi8(5), ten = _mm256_set1_epi8(10),
                  pair = _mm256_set1_epi16(0x0110);
    if (n < 16)
        return hex_decode_base(out, s, n);
    for (size_t i = 0; i < n; i += 16) {
        if (i + 16 > n)
            i = n - 16; /* the last step, overlapping */
        __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)(s + 2 * i));
        __m256i d = _mm256_sub_epi8(x, zero);
        __m256i l = _mm256_sub_epi8(_mm256_or_si256(x, low), a);
        __m256i isd = _mm256_cmpeq_epi8(_mm256_min_epu8(d, nine), d);
        __m256i isl = _mm256_cmpeq_epi8(_mm256_min_epu8(l, five), l);
        if ((unsigned)_mm256_movemask_epi8(_mm256_or_si256(isd, isl)) != 0xffffffffu)
            return -1;
        if (!out)
            continue;
        __m256i v = _mm256_blendv_epi8(_mm256_add_epi8(l, ten), d, isd);
        __m256i w = _mm256_maddubs_epi16(v, pair); /* lane i = first digit x 16 + second */
        __m128i b = _mm_packus_epi16(_mm256_castsi256_si128(w), _mm256_extracti128_si256(w, 1));
        _mm_storeu_si128((__m128i *)(void *)(out + i), b);
    }
    return 0;
}

/* An address (n 20) or a hash (n 32) in AVX2 without the loop: two steps of 32 digits, the
 * second ending at the last digit (an address's overlap the loop's too), tested together. On a
 * bad digit the bytes written are garbage and the caller refuses the field. */
__attribute__((target("avx2"))) static inline unsigned hex_step_avx2(uint8_t *out, const char *s)
{
    const __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)s);
    __m256i d = _mm256_sub_epi8(x, _mm256_set1_epi8('0'));
    __m256i l = _mm256_sub_epi8(_mm256_or_si256(x, _mm256_set1_epi8(0x20)), _mm256_set1_epi8('a'));
    __m256i isd = _mm256_cmpeq_epi8(_mm256_min_epu8(d, _mm256_set1_epi8(9)), d);
    __m256i isl = _mm256_cmpeq_epi8(_mm256_min_epu8(l, _mm256_set1_epi8(5)), l);
    __m256i v = _mm256_blendv_epi8(_mm256_add_epi8(l, _mm256_set1_epi8(10)), d, isd);
    __m256i w = _mm256_maddubs_epi16(v, _mm256_set1_epi16(0x0110));
    __m128i b = _mm_packus_epi16(_mm256_castsi256_si128(w), _mm256_extracti128_si256(w, 1));
    _mm_storeu_si128((__m128i *)(void *)out, b);
    return (unsigned)_mm256_movemask_epi8(_mm256_or_si256(isd, isl));
}
__attribute__((target("avx2"))) static int hex_addr_avx2(uint8_t *out, const char *s)
{
    unsigned ok = hex_step_avx2(out, s) & hex_step_avx2(out + 4, s + 8);
    return ok == 0xffffffffu ? 0 : -1;
}
__attribute__((target("avx2"))) static int hex_hash_avx2(uint8_t *out, const char *s)
{
    unsigned ok = hex_step_avx2(out, s) & hex_step_avx2(out + 16, s + 32);
    return ok == 0xffffffffu ? 0 : -1;
}
/* the same in AVX-512: one step, its mask a constant */
__attribute__((target("avx512bw,avx512vl"))) static inline int
hex_fixed_avx512(uint8_t *out, const char *s, size_t k)
{
    __mmask64 in = k == 32 ? ~(__mmask64)0 : ((__mmask64)1 << (2 * k)) - 1;
    __m512i x = _mm512_maskz_loadu_epi8(in, s);
    __m512i d = _mm512_sub_epi8(x, _mm512_set1_epi8('0'));
    __m512i l = _mm512_sub_epi8(_mm512_or_si512(x, _mm512_set1_epi8(0x20)), _mm512_set1_epi8('a'));
    __mmask64 isd = _mm512_cmple_epu8_mask(d, _mm512_set1_epi8(9)),
              isl = _mm512_cmple_epu8_mask(l, _mm512_set1_epi8(5));
    if (((isd | isl) & in) != in)
        return -1;
    __m512i v = _mm512_mask_blend_epi8(isd, _mm512_add_epi8(l, _mm512_set1_epi8(10)), d);
    __m256i b = _mm512_cvtepi16_epi8(_mm512_maddubs_epi16(v, _mm512_set1_epi16(0x0110)));
    _mm256_mask_storeu_epi8(out, (__mmask32)(k == 32 ? ~0u : (1u << k) - 1), b);
    return 0;
}
__attribute__((target("avx512bw,avx512vl"))) static int hex_addr_avx512(uint8_t *out, const char *s)
{
    return hex_fixed_avx512(out, s, 20);
}
__attribute__((target("avx512bw,avx512vl"))) static int hex_hash_avx512(uint8_t *out, const char *s)
{
    return hex_fixed_avx512(out, s, 32);
}
#else
#define CW_HEX_WIDE 0
#endif

int cw_evm_hex_decode_with(uint8_t *out, const char *s, size_t n, int width)
{
#if CW_HEX_WIDE
    if (width == 2) {
        if (!__builtin_cpu_supports("avx512bw") || !__builtin_cpu_supports("avx512vl"))
            return -2;
        return hex_decode_avx512(out, s, n);
    }
    if (width == 1) {
        if (!__builtin_cpu_supports("avx2"))
            return -2;
        return hex_decode_avx2(out, s, n);
    }
#else
    if (width)
        return -2;
#endif
    return hex_decode_base(out, s, n);
}

int cw_evm_hex_decode(uint8_t *out, const char *s, size_t n)
{
#if CW_HEX_WIDE
    if (__builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
        return hex_decode_avx512(out, s, n);
    if (__builtin_cpu_supports("avx2"))
        return hex_decode_avx2(out, s, n);
#endif
    return hex_decode_base(out, s, n);
}

int cw_evm_hex_fixed_with(uint8_t *out, const char *s, size_t n, int width)
{
    if (n != 20 && n != 32)
        return -2;
#if CW_HEX_WIDE
    if (width == 2) {
        if (!__builtin_cpu_supports("avx512bw") || !__builtin_cpu_supports("avx512vl"))
            return -2;
        return n == 20 ? hex_addr_avx512(out, s) : hex_hash_avx512(out, s);
    }
    if (width == 1) {
        if (!__builtin_cpu_supports("avx2"))
            return -2;
        return n == 20 ? hex_addr_avx2(out, s) : hex_hash_avx2(out, s);
    }
#else
    if (width)
        return -2;
#endif
    return hex_decode_base(out, s, n);
}

/* an address (n 20) or a hash (n 32): cw_evm_hex_decode's result, the widest way unrolled */
static inline int hex_fixed(uint8_t *out, const char *s, size_t n)
{
#if CW_HEX_WIDE
    if (__builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
        return n == 20 ? hex_addr_avx512(out, s) : hex_hash_avx512(out, s);
    if (__builtin_cpu_supports("avx2"))
        return n == 20 ? hex_addr_avx2(out, s) : hex_hash_avx2(out, s);
#endif
    return hex_decode_base(out, s, n);
}

/* the error of parse_fixed, out of its way */
__attribute__((noinline, cold)) static int fixed_bad(bool form, size_t n, const char *s, size_t len,
                                                     const char *what)
{
    if (form)
        return cw_error_set(CW_EINVAL, "not a 0x %s of %zu hex digits: '%.*s'", what, 2 * n,
                            (int)(len > 80 ? 80 : len), s);
    return cw_error_set(CW_EINVAL, "bad hex in %s '%.*s'", what, (int)(len > 80 ? 80 : len), s);
}

/* inlined into each caller, so that n is a constant there */
static inline __attribute__((always_inline)) int parse_fixed(uint8_t *out, size_t n, const char *s,
                                                             size_t len, const char *what)
{
    if (len != 2 + 2 * n || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
        return fixed_bad(true, n, s, len, what);
    if (hex_fixed(out, s + 2, n))
        return fixed_bad(false, n, s, len, what);
    return 0;
}

int cw_evm_addr_parse(cw_evm_addr *out, const char *s, size_t len)
{
    return parse_fixed(out->b, 20, s, len, "address");
}

int cw_evm_hash_parse(cw_evm_hash *out, const char *s, size_t len)
{
    return parse_fixed(out->b, 32, s, len, "hash");
}

void cw_evm_token_set_symbol(cw_evm_token *t, const uint8_t *p, size_t n)
{
    size_t k = 0;
    memset(t->symbol, 0, sizeof t->symbol);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = cw_utf8_next(p + i, n - i, &cp);
        if (!len) {
            i++; /* not UTF-8: dropped */
            continue;
        }
        bool ctrl = cp < 0x20 || (cp >= 0x7f && cp < 0xa0);
        if (!ctrl) {
            if (k + len > sizeof t->symbol - 1)
                break;
            memcpy(t->symbol + k, p + i, len);
            k += len;
        }
        i += len;
    }
}
