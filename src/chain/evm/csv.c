/*
 * csv.c: the ethereum-etl CSV decoder (evm/csv.h). No store dependency: it turns files into
 * finished cw_evm_block values, and the ingest hands those to the store writer.
 *
 * Layout: every file under the directory (recursively) whose name starts with a kind
 * ("blocks", "transactions", "receipts", "logs", "token_transfers", "traces", "tokens") followed
 * by '.', '_' or '-' belongs to that kind; a kind's files are read in order of the first number
 * in their path (export_all's start_block=… folders, blocks_17173049-17173050.csv), then name.
 * Plain files are read with read(2), .gz files through zlib's gzread; a truncated or corrupt
 * .gz is an error naming the file and the line reached.
 *
 * Each kind is a stream of records (RFC 4180: quoted fields, "" for a quote, LF or CRLF, line
 * numbers counted through quoted newlines). The header names the columns, so order and extra
 * columns do not matter. Blocks drive the merge: for block N every other stream gives up its
 * rows with block_number N; a row for a block below N (not in the blocks files, or out of
 * order) is an error. BigQuery's crypto_ethereum schema is the same but for receipts merged
 * into transactions as receipt_* columns and timestamps written as "YYYY-MM-DD HH:MM:SS UTC".
 * The same kinds as JSON lines (.json, .json.gz; one format a directory), and a stream file of
 * every kind: csv_json.inc turns each line into the fields a CSV record gives.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <zlib.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "chain/evm/csv_int.h"
#include "chain/evm/dec_int.h"
#include "chainwatch/errors.h"
#include "chainwatch/evm/csv.h"
#include "chainwatch/evm/memo.h"
#include "chainwatch/util.h"

enum { K_BLOCKS, K_TXS, K_RECEIPTS, K_LOGS, K_TT, K_TRACES, K_TOKENS, K_N };
static const char *const KIND_NAMES[K_N] = {"blocks",          "transactions", "receipts", "logs",
                                            "token_transfers", "traces",       "tokens"};

/* columns: a name, and whether a file of the kind must have it */
typedef struct {
    const char *name;
    bool required;
    char jt; /* the JSON value ethereum-etl writes: JT_NUM, JT_STR, JT_LIST, JT_FLAG, or 0 any */
} coldef;

/* JSON value types (JSON-lines exports; null is an empty field for each) */
#define JT_NUM 'n'  /* an integer of any size */
#define JT_STR 's'  /* a string */
#define JT_LIST 'l' /* a list */
#define JT_FLAG 'f' /* 0 or 1, or false / true */

enum {
    B_NUMBER,
    B_HASH,
    B_PARENT,
    B_MINER,
    B_GAS_USED,
    B_GAS_LIMIT,
    B_TIMESTAMP,
    B_TXCOUNT,
    B_BASEFEE,
    B_WITHDRAWALS,
    B_N
};
static const coldef B_COLS[B_N] = {{"number", true, JT_NUM},
                                   {"hash", true, JT_STR},
                                   {"parent_hash", true, JT_STR},
                                   {"miner", true, JT_STR},
                                   {"gas_used", true, JT_NUM},
                                   {"gas_limit", false, JT_NUM},
                                   {"timestamp", true, JT_NUM},
                                   {"transaction_count", true, JT_NUM},
                                   {"base_fee_per_gas", false, JT_NUM},
                                   {"withdrawals", false, JT_LIST}};
enum {
    T_HASH,
    T_NONCE,
    T_BLOCK,
    T_BLOCK_HASH,
    T_INDEX,
    T_FROM,
    T_TO,
    T_VALUE,
    T_GAS,
    T_PRICE,
    T_INPUT,
    T_MAXFEE,
    T_MAXPRIO,
    T_TYPE,
    T_R_GAS_USED,
    T_R_CONTRACT,
    T_R_STATUS,
    T_R_EGP,
    T_R_BLOB_USED,
    T_R_BLOB_PRICE,
    T_N
};
static const coldef T_COLS[T_N] = {{"hash", true, JT_STR},
                                   {"nonce", false, JT_NUM},
                                   {"block_number", true, JT_NUM},
                                   {"block_hash", false, JT_STR},
                                   {"transaction_index", true, JT_NUM},
                                   {"from_address", true, JT_STR},
                                   {"to_address", true, JT_STR},
                                   {"value", true, JT_NUM},
                                   {"gas", true, JT_NUM},
                                   {"gas_price", true, JT_NUM},
                                   {"input", true, JT_STR},
                                   {"max_fee_per_gas", false, JT_NUM},
                                   {"max_priority_fee_per_gas", false, JT_NUM},
                                   {"transaction_type", false, JT_NUM},
                                   {"receipt_gas_used", false, JT_NUM},
                                   {"receipt_contract_address", false, JT_STR},
                                   {"receipt_status", false, JT_FLAG},
                                   {"receipt_effective_gas_price", false, JT_NUM},
                                   {"receipt_blob_gas_used", false, JT_NUM},
                                   {"receipt_blob_gas_price", false, JT_NUM}};
enum {
    R_TXHASH,
    R_INDEX,
    R_BLOCK,
    R_BLOCK_HASH,
    R_GAS_USED,
    R_CONTRACT,
    R_STATUS,
    R_EGP,
    R_BLOB_USED,
    R_BLOB_PRICE,
    R_N
};
static const coldef R_COLS[R_N] = {
    {"transaction_hash", true, JT_STR}, {"transaction_index", true, JT_NUM},
    {"block_number", true, JT_NUM},     {"block_hash", false, JT_STR},
    {"gas_used", true, JT_NUM},         {"contract_address", true, JT_STR},
    {"status", true, JT_FLAG},          {"effective_gas_price", false, JT_NUM},
    {"blob_gas_used", false, JT_NUM},   {"blob_gas_price", false, JT_NUM}};
enum { L_INDEX, L_TXHASH, L_TXINDEX, L_BLOCK, L_BLOCK_HASH, L_ADDRESS, L_DATA, L_TOPICS, L_N };
static const coldef L_COLS[L_N] = {{"log_index", true, JT_NUM},
                                   {"transaction_hash", true, JT_STR},
                                   {"transaction_index", true, JT_NUM},
                                   {"block_number", true, JT_NUM},
                                   {"block_hash", false, JT_STR},
                                   {"address", true, JT_STR},
                                   {"data", true, JT_STR},
                                   {"topics", true, JT_LIST}};
enum { TT_TOKEN, TT_FROM, TT_TO, TT_VALUE, TT_TXHASH, TT_LOGINDEX, TT_BLOCK, TT_N };
static const coldef TT_COLS[TT_N] = {
    {"token_address", true, JT_STR},    {"from_address", true, JT_STR},
    {"to_address", true, JT_STR},       {"value", true, JT_NUM},
    {"transaction_hash", true, JT_STR}, {"log_index", true, JT_NUM},
    {"block_number", true, JT_NUM}};
enum {
    TR_BLOCK,
    TR_TXHASH,
    TR_TXINDEX,
    TR_FROM,
    TR_TO,
    TR_VALUE,
    TR_TYPE,
    TR_CALLTYPE,
    TR_ADDR,
    TR_ERROR,
    TR_STATUS,
    TR_N
};
static const coldef TR_COLS[TR_N] = {{"block_number", true, JT_NUM},
                                     {"transaction_hash", true, JT_STR},
                                     {"transaction_index", true, JT_NUM},
                                     {"from_address", true, JT_STR},
                                     {"to_address", true, JT_STR},
                                     {"value", true, JT_NUM},
                                     {"trace_type", true, JT_STR},
                                     {"call_type", true, JT_STR},
                                     {"trace_address", true, JT_LIST},
                                     {"error", true, JT_STR},
                                     {"status", true, JT_FLAG}};
enum { TK_ADDRESS, TK_SYMBOL, TK_DECIMALS, TK_N };
static const coldef TK_COLS[TK_N] = {
    {"address", true, JT_STR}, {"symbol", false, 0}, {"decimals", false, 0}};

static const coldef *const KIND_COLS[K_N] = {B_COLS,  T_COLS,  R_COLS, L_COLS,
                                             TT_COLS, TR_COLS, TK_COLS};
static const int KIND_NCOLS[K_N] = {B_N, T_N, R_N, L_N, TT_N, TR_N, TK_N};
/* the block_number column of each kind (blocks: number) */
static const int KIND_BLOCKCOL[K_N] = {B_NUMBER, T_BLOCK, R_BLOCK, L_BLOCK, TT_BLOCK, TR_BLOCK, -1};

#define MAX_FIELDS 64
#define READ_CHUNK (1u << 20)

typedef struct {
    const char *p;
    size_t n;
} field;

typedef struct stream {
    int kind;
    char **paths;       /* files of this kind, in order */
    uint32_t *file_ids; /* index into the reader's names table */
    size_t n_files, cur;
    gzFile gz;
    int fd;           /* a plain file, or -1 */
    uint64_t raw_off; /* bytes read from fd */
    bool mem;         /* one in-memory buffer (borrowed); no files */
    char *buf;
    size_t cap, len, pos;
    bool eof;      /* no more bytes in the current file */
    bool done;     /* no more records in any file */
    uint64_t line; /* line number of the next record's first line */
    uint64_t rec_line;
    uint64_t done_bytes; /* compressed bytes of finished files */
    int col[MAX_FIELDS]; /* index of each column def in the current file's records, -1 */
    uint8_t at[MAX_FIELDS]; /* the same with MAX_FIELDS for -1: col() reads f[at[c]], no test */
    int n_header;
    field f[MAX_FIELDS + 1]; /* f[MAX_FIELDS] stays empty, the field of a column not there */
    int nf;
    bool have; /* a record is parsed and waiting (f, nf, rec_line, rec_block) */
    uint64_t rec_block;
    uint8_t width;       /* the record scan's instructions: CW_EVM_SCAN_SSE2, _AVX2 or _AVX512 */
    uint64_t keep_pairs; /* fields whose "" pairs the scan checks but leaves (withdrawals) */
    uint64_t escaped;    /* of the record in f: the kept fields that still hold "" pairs */
    bool json;           /* the current file is JSON lines (.json, .json.gz) */
    bool items;          /* an ethereumetl stream file: only the lines whose "type" is the kind's */
    uint64_t need;       /* JSON: the fields every line must have (required, or on line one) */
    bool bq; /* JSON in BigQuery's form (line one writes an integer as a string): a key a line
              * lacks is null, as BigQuery leaves NULL fields out */
    int8_t jkey[MAX_FIELDS]; /* JSON: the column the key at each place matched last (a guess) */
    uint8_t jlen[MAX_FIELDS]; /* JSON: the length of each column's name */
} stream;

struct cw_evm_csv {
    stream s[K_N];
    bool present[K_N];
    char **names; /* display names of all files (relative to dir) */
    size_t n_names;
    uint64_t total_bytes;
    uint64_t skip_below;
    cw_evm_token *tokens;
    size_t n_tokens;
    char *scratch; /* hex decoding of log data */
    size_t scratch_cap;
    int probe; /* the stream file's scan for item types: the kind of the line just read */
};

/* ---- files ---------------------------------------------------------------------------- */

static int kind_of(const char *base)
{
    for (int k = 0; k < K_N; k++) {
        size_t n = strlen(KIND_NAMES[k]);
        if (!strncmp(base, KIND_NAMES[k], n) &&
            (base[n] == '.' || base[n] == '_' || base[n] == '-'))
            return k;
    }
    return -1;
}

typedef struct {
    char *path, *rel;
    int kind;
    bool json;
    unsigned long long key;
} found;

typedef struct {
    found *v;
    size_t n, cap;
    uint64_t bytes;
} found_list;

static int walk(found_list *fl, const char *dir, const char *rel, int depth)
{
    if (depth > 8)
        return 0;
    DIR *d = opendir(dir);
    if (!d)
        return cw_error_set(CW_ENOTFOUND, "%s: cannot open directory", dir);
    struct dirent *e;
    int rc = 0;
    while (!rc && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096], r[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        snprintf(r, sizeof r, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        struct stat st;
        if (stat(path, &st))
            continue;
        if (S_ISDIR(st.st_mode)) {
            rc = walk(fl, path, r, depth + 1);
            continue;
        }
        int k = kind_of(e->d_name);
        if (k < 0 || !S_ISREG(st.st_mode))
            continue;
        size_t nl = strlen(e->d_name);
        bool csv = (nl > 4 && !strcmp(e->d_name + nl - 4, ".csv")) ||
                   (nl > 7 && !strcmp(e->d_name + nl - 7, ".csv.gz"));
        bool json = (nl > 5 && !strcmp(e->d_name + nl - 5, ".json")) ||
                    (nl > 8 && !strcmp(e->d_name + nl - 8, ".json.gz"));
        if (!csv && !json)
            continue;
        if (fl->n == fl->cap) {
            size_t nc = fl->cap ? fl->cap * 2 : 32;
            found *p = cw_realloc(fl->v, nc * sizeof *p);
            if (!p) {
                rc = cw_error_set(CW_ENOMEM, "out of memory listing %s", dir);
                break;
            }
            fl->v = p;
            fl->cap = nc;
        }
        found *f = &fl->v[fl->n];
        f->path = cw_strdup(path);
        f->rel = cw_strdup(r);
        if (!f->path || !f->rel) {
            cw_free(f->path);
            cw_free(f->rel);
            rc = cw_error_set(CW_ENOMEM, "out of memory");
            break;
        }
        fl->n++;
        f->kind = k;
        f->json = json;
        f->key = ~0ull;
        for (const char *p = r; *p; p++) {
            if (*p >= '0' && *p <= '9') {
                f->key = strtoull(p, NULL, 10);
                break;
            }
        }
        fl->bytes += (uint64_t)st.st_size;
    }
    closedir(d);
    return rc;
}

static int cmp_found(const void *a, const void *b)
{
    const found *x = a, *y = b;
    if (x->kind != y->kind)
        return x->kind - y->kind;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return strcmp(x->rel, y->rel);
}

/* ---- record reading -------------------------------------------------------------------- */

static const char *fname(const cw_evm_csv *r, const stream *s)
{
    if (s->mem)
        return KIND_NAMES[s->kind];
    size_t i = s->cur < s->n_files ? s->cur : s->n_files - 1;
    return r->names[s->file_ids[i]];
}

static int open_file(cw_evm_csv *r, stream *s)
{
    const char *path = s->paths[s->cur];
    size_t pl = strlen(path);
    if (pl > 3 && !strcmp(path + pl - 3, ".gz")) {
        s->gz = gzopen(path, "rb");
        if (!s->gz)
            return cw_error_set(CW_EIO, "%s: cannot open", fname(r, s));
        gzbuffer(s->gz, 256 * 1024);
    } else {
        s->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (s->fd < 0)
            return cw_error_set(CW_EIO, "%s: cannot open: %s", fname(r, s), strerror(errno));
        s->raw_off = 0;
    }
    s->len = s->pos = 0;
    s->eof = false;
    s->line = 1;
    s->n_header = -1;
    s->bq = false;
    s->json = (pl > 5 && !strcmp(path + pl - 5, ".json")) ||
              (pl > 8 && !strcmp(path + pl - 8, ".json.gz"));
    memset(s->jkey, 0xff, sizeof s->jkey);
    for (int d = 0; d < KIND_NCOLS[s->kind]; d++)
        s->jlen[d] = (uint8_t)strlen(KIND_COLS[s->kind][d].name);
    return 0;
}

/* Reads more bytes into the buffer (keeping [pos, len)). Returns 0, or an error. */
static int fill(cw_evm_csv *r, stream *s)
{
    if (s->pos) {
        memmove(s->buf, s->buf + s->pos, s->len - s->pos);
        s->len -= s->pos;
        s->pos = 0;
    }
    if (s->cap - s->len < READ_CHUNK) {
        size_t nc = s->cap ? s->cap * 2 : (size_t)2 * READ_CHUNK;
        while (nc - s->len < READ_CHUNK)
            nc *= 2;
        char *p = cw_realloc(s->buf, nc);
        if (!p)
            return cw_error_set(CW_ENOMEM, "out of memory reading %s", fname(r, s));
        s->buf = p;
        s->cap = nc;
    }
    if (s->fd >= 0) {
        ssize_t k = read(s->fd, s->buf + s->len, READ_CHUNK);
        if (k < 0)
            return cw_error_set(CW_EIO, "%s: line %llu: cannot read: %s", fname(r, s),
                                (unsigned long long)s->line, strerror(errno));
        if (k == 0)
            s->eof = true;
        s->len += (size_t)k;
        s->raw_off += (uint64_t)k;
        return 0;
    }
    int n = gzread(s->gz, s->buf + s->len, READ_CHUNK);
    if (n < 0) {
        int err;
        const char *m = gzerror(s->gz, &err);
        return cw_error_set(CW_ECORRUPT, "%s: line %llu: cannot read: %s", fname(r, s),
                            (unsigned long long)s->line, m);
    }
    if (n == 0) {
        int err;
        const char *m = gzerror(s->gz, &err);
        if (err != Z_OK && err != Z_STREAM_END)
            return cw_error_set(CW_ECORRUPT, "%s: line %llu: truncated or corrupt gzip: %s",
                                fname(r, s), (unsigned long long)s->line, m);
        /* gzread reports a truncated stream as a short read with Z_BUF_ERROR only on the
         * next call; gzdirect tells plain files apart */
        if (!gzdirect(s->gz)) {
            /* an unfinished deflate stream: zlib sets "unexpected end of file" */
            gzread(s->gz, s->buf + s->len, 0);
            m = gzerror(s->gz, &err);
            if (err == Z_BUF_ERROR)
                return cw_error_set(CW_ECORRUPT,
                                    "%s: line %llu: truncated gzip (unexpected end of file)",
                                    fname(r, s), (unsigned long long)s->line);
        }
        s->eof = true;
    }
    s->len += (size_t)n;
    return 0;
}

/* Finds the end of the record starting at pos: *end = index of its terminating '\n' (or len at
 * eof), *nl = newlines inside quotes. Returns 1 found, 0 need more bytes. */
static int find_end(const stream *s, size_t *end, uint64_t *nl)
{
    const char *b = s->buf;
    size_t i = s->pos, len = s->len;
    uint64_t lines = 0;
    if (i >= len) {
        *end = len;
        *nl = 0;
        return s->eof;
    }
    const char *e = memchr(b + i, '\n', len - i);
    const char *q = memchr(b + i, '"', (e ? (size_t)(e - b) : len) - i);
    if (e && !q) {
        *end = (size_t)(e - b);
        *nl = 0;
        return 1;
    }
    /* quoted fields: jump from quote to quote (a doubled quote closes and reopens); a newline
     * outside quotes ends the record, newlines inside are counted */
    const char *end_b = b + len;
    for (;;) {
        if (!q) {
            if (e) {
                *end = (size_t)(e - b);
                *nl = lines;
                return 1;
            }
            break;
        }
        if (e && e < q) {
            *end = (size_t)(e - b);
            *nl = lines;
            return 1;
        }
        const char *cq = memchr(q + 1, '"', (size_t)(end_b - (q + 1)));
        const char *stop = cq ? cq : end_b;
        for (const char *p = q + 1; (p = memchr(p, '\n', (size_t)(stop - p))); p++)
            lines++;
        if (!cq)
            break;
        const char *from = cq + 1;
        if (e && e < from)
            e = memchr(from, '\n', (size_t)(end_b - from));
        q = memchr(from, '"', (size_t)((e ? e : end_b) - from));
    }
    if (s->eof) {
        *end = len;
        *nl = lines;
        return 1;
    }
    return 0;
}

/* ---- the record scanner ----
 * A record is split in one pass over 64-byte blocks: bit masks of the commas, newlines and
 * quotes of each block (SSE2, or a plain loop elsewhere; AVX2 or AVX-512BW where the CPU has
 * them, chosen when the reader opens); the running parity of the quotes marks
 * the quoted spans, and the set bits outside them are the field ends. "" pairs inside a quoted
 * field (blocks.csv's withdrawals JSON) are checked and unescaped (unescape_fields). A record
 * with any other quote (text around a quoted field, a quote in an unquoted one), a quoted
 * newline, more than MAX_FIELDS fields or near the end of the buffer goes the general way
 * (find_end, split), which also words every error. */
#define SCAN_BLOCK 64

static inline void block_masks(const char *p, uint64_t *comma, uint64_t *nl, uint64_t *quote)
{
#if defined(__SSE2__)
    const __m128i c = _mm_set1_epi8(','), n = _mm_set1_epi8('\n'), q = _mm_set1_epi8('"');
    uint64_t mc = 0, mn = 0, mq = 0;
    for (size_t k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        mc |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, c)) << (16 * k);
        mn |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, n)) << (16 * k);
        mq |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, q)) << (16 * k);
    }
    *comma = mc;
    *nl = mn;
    *quote = mq;
#else
    uint64_t mc = 0, mn = 0, mq = 0;
    for (int k = 0; k < SCAN_BLOCK; k++) {
        mc |= (uint64_t)(p[k] == ',') << k;
        mn |= (uint64_t)(p[k] == '\n') << k;
        mq |= (uint64_t)(p[k] == '"') << k;
    }
    *comma = mc;
    *nl = mn;
    *quote = mq;
#endif
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CW_SCAN_WIDE 1
#include <immintrin.h>

__attribute__((target("avx2"))) static inline void block_masks_avx2(const char *p, uint64_t *comma,
                                                                    uint64_t *nl, uint64_t *quote)
{
    const __m256i c = _mm256_set1_epi8(','), n = _mm256_set1_epi8('\n'), q = _mm256_set1_epi8('"');
    __m256i lo = _mm256_loadu_si256((const __m256i *)(const void *)p),
            hi = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
    *comma = (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, c)) |
             (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, c)) << 32;
    *nl = (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, n)) |
          (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, n)) << 32;
    *quote = (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, q)) |
             (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, q)) << 32;
}

__attribute__((target("avx512bw"))) static inline void
block_masks_avx512(const char *p, uint64_t *comma, uint64_t *nl, uint64_t *quote)
{
    __m512i v = _mm512_loadu_si512((const void *)p);
    *comma = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(','));
    *nl = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\n'));
    *quote = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('"'));
}
#else
#define CW_SCAN_WIDE 0
#endif

/* set bits of x, inline (without -mpopcnt, __builtin_popcountll is a libgcc call) */
static inline uint64_t popcount64(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (x * 0x0101010101010101ull) >> 56;
}

/* within-quotes mask of a block from its quote mask: the running parity of the quotes
 * (a doubled quote toggles twice), carried across blocks */
static inline uint64_t quoted_span(uint64_t q, uint64_t *carry)
{
    uint64_t x = q;
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x ^= *carry;
    *carry = (uint64_t)0 - (x >> 63);
    return x;
}

/* one field [start, k) of a scanned record: a field in quotes loses them and is marked in
 * *quoted (bit nf); unescape_fields then checks the record's other quotes */
static inline int scan_field(stream *s, int nf, const char *b, size_t start, size_t k,
                             uint64_t *quoted)
{
    if (nf == MAX_FIELDS)
        return -1;
    field f = {b + start, k - start};
    if (f.n >= 2 && f.p[0] == '"' && f.p[f.n - 1] == '"') {
        f.p++;
        f.n -= 2;
        *quoted |= (uint64_t)1 << nf;
    }
    s->f[nf] = f;
    return nf + 1;
}

/* The quotes in the text of a quoted field (its outer quotes taken off): their number when each
 * is one half of a "" pair (an escaped quote), else -1 (the general way words the error). */
static int64_t inner_pairs(const char *p, size_t n)
{
    int64_t q = 0;
    size_t k = 0;
#if defined(__SSE2__)
    const __m128i dq = _mm_set1_epi8('"');
    while (k + 16 <= n) {
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + k)), dq));
        if (!m) {
            k += 16;
            continue;
        }
        k += (size_t)__builtin_ctz(m);
        if (k + 1 >= n || p[k + 1] != '"')
            return -1;
        q += 2;
        k += 2;
    }
#endif
    for (; k < n; k++) {
        if (p[k] != '"')
            continue;
        if (k + 1 >= n || p[k + 1] != '"')
            return -1;
        q += 2;
        k++;
    }
    return q;
}

/* Turns each "" of a checked quoted field's text into one quote, in place; returns the new
 * length. The text only moves towards its start, so bytes not yet read are never written. */
static size_t unescape_pairs(char *p, size_t n)
{
    size_t k = 0, w = 0;
#if defined(__SSE2__)
    const __m128i dq = _mm_set1_epi8('"');
    while (k + 16 <= n) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + k));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, dq));
        if (!m) {
            /* all 16 bytes read: the store ends at or before k + 16 */
            _mm_storeu_si128((__m128i *)(void *)(p + w), v);
            w += 16;
            k += 16;
            continue;
        }
        size_t j = (size_t)__builtin_ctz(m);
        if (w != k)
            memmove(p + w, p + k, j);
        w += j;
        p[w++] = '"';
        k += j + 2;
    }
#endif
    for (; k < n; k++) {
        p[w++] = p[k];
        if (p[k] == '"')
            k++; /* the pair's second half */
    }
    return w;
}

/* A scanned record with more quotes than its quoted fields' outer ones: accepted when every other
 * quote is half of a "" pair inside a quoted field (then the running parity split it as RFC 4180
 * does), and those pairs are unescaped. Checks every field before changing any byte, so a
 * refused record is left as it was for the general way. extra = the quotes to account for. */
static bool unescape_fields(stream *s, uint64_t quoted, uint64_t extra)
{
    uint64_t pairs = 0, has = 0;
    for (uint64_t m = quoted; m; m &= m - 1) {
        int i = __builtin_ctzll(m);
        int64_t q = inner_pairs(s->f[i].p, s->f[i].n);
        if (q < 0)
            return false;
        if (q) {
            pairs += (uint64_t)q;
            has |= (uint64_t)1 << i;
        }
    }
    if (pairs != extra)
        return false; /* quotes in a field that is not quoted as a whole */
    /* the kept fields' reader takes their pairs as quotes (withdrawals) */
    s->escaped = has & s->keep_pairs;
    for (has &= ~s->keep_pairs; has; has &= has - 1) {
        int i = __builtin_ctzll(has);
        /* the field's bytes are the reader's buffer (s->buf), written through its own pointer */
        char *p = s->buf + (s->f[i].p - s->buf);
        s->f[i].n = unescape_pairs(p, s->f[i].n);
    }
    return true;
}

/* The scan in each width: SSE2 (or the plain loop) everywhere, AVX2 and AVX-512BW where the CPU
 * has them (x86-64 with GCC or Clang: chosen at run time, scan_width). Same fields and the same
 * refusals in every width: only block_masks differs. */
#define SCAN_RECORD scan_record_base
#define SCAN_SPLIT split_blocks_base
#define SCAN_MASKS block_masks
#define SCAN_TARGET
#include "chain/evm/csv_scan.inc"
#undef SCAN_RECORD
#undef SCAN_SPLIT
#undef SCAN_MASKS
#undef SCAN_TARGET
#if CW_SCAN_WIDE
#define SCAN_RECORD scan_record_avx2
#define SCAN_SPLIT split_blocks_avx2
#define SCAN_MASKS block_masks_avx2
#define SCAN_TARGET __attribute__((target("avx2")))
#include "chain/evm/csv_scan.inc"
#undef SCAN_RECORD
#undef SCAN_SPLIT
#undef SCAN_MASKS
#undef SCAN_TARGET
#define SCAN_RECORD scan_record_avx512
#define SCAN_SPLIT split_blocks_avx512
#define SCAN_MASKS block_masks_avx512
#define SCAN_TARGET __attribute__((target("avx512bw")))
#include "chain/evm/csv_scan.inc"
#undef SCAN_RECORD
#undef SCAN_SPLIT
#undef SCAN_MASKS
#undef SCAN_TARGET
#endif

/* the widest scan this CPU runs (CW_EVM_SCAN_SSE2 .. CW_EVM_SCAN_AVX512) */
static uint8_t scan_width(void)
{
#if CW_SCAN_WIDE
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512bw"))
        return CW_EVM_SCAN_AVX512;
    if (__builtin_cpu_supports("avx2"))
        return CW_EVM_SCAN_AVX2;
#endif
    return CW_EVM_SCAN_SSE2;
}

static int scan_record(stream *s, size_t *end)
{
#if CW_SCAN_WIDE
    if (s->width == CW_EVM_SCAN_AVX512)
        return scan_record_avx512(s, end);
    if (s->width == CW_EVM_SCAN_AVX2)
        return scan_record_avx2(s, end);
#endif
    return scan_record_base(s, end);
}

/* Splits the record [pos, end) into fields, unquoting in place. */
static int split(cw_evm_csv *r, stream *s, size_t end)
{
    char *b = s->buf;
    size_t i = s->pos;
    if (end > i && b[end - 1] == '\r')
        end--;
    s->nf = 0;
    s->escaped = 0;
    for (;;) {
        if (s->nf == MAX_FIELDS)
            return cw_error_set(CW_ECORRUPT, "%s: line %llu: more than %d fields", fname(r, s),
                                (unsigned long long)s->rec_line, MAX_FIELDS);
        field *f = &s->f[s->nf++];
        if (i < end && b[i] == '"') {
            size_t w = i + 1;
            size_t k = w;
            for (;;) {
                const char *qq = k < end ? memchr(b + k, '"', end - k) : NULL;
                if (!qq)
                    return cw_error_set(CW_ECORRUPT, "%s: line %llu: unterminated quote",
                                        fname(r, s), (unsigned long long)s->rec_line);
                size_t run = (size_t)(qq - b) - k;
                if (w != k)
                    memmove(b + w, b + k, run);
                w += run;
                k += run;
                if (k + 1 < end && b[k + 1] == '"') {
                    b[w++] = '"';
                    k += 2;
                    continue;
                }
                break;
            }
            f->p = b + i + 1;
            f->n = w - (i + 1);
            k++; /* closing quote */
            if (k < end && b[k] != ',')
                return cw_error_set(CW_ECORRUPT, "%s: line %llu: text after a closing quote",
                                    fname(r, s), (unsigned long long)s->rec_line);
            if (k >= end)
                break;
            i = k + 1;
        } else {
            const char *c = memchr(b + i, ',', end - i);
            size_t k = c ? (size_t)(c - b) : end;
            f->p = b + i;
            f->n = k - i;
            if (!c)
                break;
            i = k + 1;
        }
    }
    return 0;
}

static int header(cw_evm_csv *r, stream *s)
{
    const coldef *defs = KIND_COLS[s->kind];
    int nd = KIND_NCOLS[s->kind];
    for (int d = 0; d < nd; d++)
        s->col[d] = -1;
    /* a UTF-8 BOM on the first field */
    if (s->nf && s->f[0].n >= 3 && (memcmp(s->f[0].p, "\xef\xbb\xbf", 3) == 0)) {
        s->f[0].p += 3;
        s->f[0].n -= 3;
    }
    for (int i = 0; i < s->nf; i++) {
        for (int d = 0; d < nd; d++) {
            if (strlen(defs[d].name) == s->f[i].n &&
                (memcmp(defs[d].name, s->f[i].p, s->f[i].n) == 0))
                s->col[d] = i;
        }
    }
    for (int d = 0; d < nd; d++) {
        if (defs[d].required && s->col[d] < 0)
            return cw_error_set(CW_ECORRUPT,
                                "%s: line 1: wrong header: no column '%s' (not an ethereum-etl "
                                "%s file?)",
                                fname(r, s), defs[d].name, KIND_NAMES[s->kind]);
    }
    for (int d = 0; d < nd; d++)
        s->at[d] = (uint8_t)(s->col[d] >= 0 ? s->col[d] : MAX_FIELDS);
    s->f[MAX_FIELDS] = (field){"", 0};
    s->n_header = s->nf;
    /* the withdrawals JSON: its "" pairs read as quotes by withdrawals(), not unescaped first */
    s->keep_pairs = 0;
    if (s->kind == K_BLOCKS && s->col[B_WITHDRAWALS] >= 0)
        s->keep_pairs = (uint64_t)1 << s->col[B_WITHDRAWALS];
    return 0;
}

#include "chain/evm/csv_json.inc"

static inline int parse_u64f(cw_evm_csv *r, stream *s, field f, const char *col, uint64_t *out);

/* a record in s->f: its block number, and it waits (1), or an error */
static inline int got_record(cw_evm_csv *r, stream *s)
{
    int bc = KIND_BLOCKCOL[s->kind];
    if (bc >= 0) {
        int rc = parse_u64f(r, s, s->f[s->col[bc]], KIND_COLS[s->kind][bc].name, &s->rec_block);
        if (rc)
            return rc;
    }
    s->have = true;
    return 1;
}

/* closes the current file of s, done with */
static void close_file(stream *s)
{
    if (s->gz) {
        s->done_bytes += (uint64_t)gzoffset(s->gz);
        gzclose(s->gz);
        s->gz = NULL;
    } else {
        s->done_bytes += s->raw_off;
        close(s->fd);
        s->fd = -1;
    }
    s->cur++;
}

/* Parses the next data record into s->f (skipping headers and blank lines). Returns 1, 0 at
 * the end of all files, or an error. */
static int next_record(cw_evm_csv *r, stream *s)
{
    if (s->have)
        return 1;
    for (;;) {
        if (s->done)
            return 0;
        if (!s->mem && !s->gz && s->fd < 0) {
            if (s->cur >= s->n_files) {
                s->done = true;
                return 0;
            }
            int rc = open_file(r, s);
            if (rc)
                return rc;
        }
        if (s->json) {
            /* JSON lines (csv_json.inc): the same fields, then the same checks */
            int rc = next_json(r, s, false);
            if (rc < 0)
                return rc;
            if (rc == 0) {
                if (s->mem) { /* an in-memory source is one buffer: its end is the end */
                    s->done = true;
                    return 0;
                }
                close_file(s);
                continue;
            }
            return got_record(r, s);
        }
        size_t end;
        uint64_t nl = 0;
        bool scanned = scan_record(s, &end);
        while (!scanned && !find_end(s, &end, &nl)) {
            int rc = fill(r, s);
            if (rc)
                return rc;
            scanned = scan_record(s, &end);
        }
        if (end == s->pos && s->eof && s->pos >= s->len) {
            /* end of this file */
            if (s->n_header < 0)
                return cw_error_set(CW_ECORRUPT, "%s: empty file (no header)", fname(r, s));
            if (s->mem) {
                s->done = true;
                return 0;
            }
            close_file(s);
            continue;
        }
        s->rec_line = s->line;
        s->line += 1 + nl;
        int rc = scanned ? 0 : split(r, s, end);
        s->pos = end < s->len ? end + 1 : end;
        if (rc)
            return rc;
        if (s->nf == 1 && s->f[0].n == 0)
            continue; /* blank line */
        if (s->n_header < 0) {
            if ((rc = header(r, s)))
                return rc;
            continue;
        }
        if (s->nf != s->n_header)
            return cw_error_set(CW_ECORRUPT, "%s: line %llu: %d fields, the header has %d",
                                fname(r, s), (unsigned long long)s->rec_line, s->nf, s->n_header);
        return got_record(r, s);
    }
}

/* ---- field decoding -------------------------------------------------------------------- */

static field col(const stream *s, int c)
{
    return s->f[s->at[c]];
}

static int bad(cw_evm_csv *r, stream *s, const char *colname, field f, const char *what)
{
    return cw_error_set(CW_ECORRUPT, "%s: line %llu: %s %s: %s: '%.*s'", fname(r, s),
                        (unsigned long long)s->rec_line, s->json ? "field" : "column", colname,
                        what, (int)(f.n > 80 ? 80 : f.n), f.p);
}

/* the general way: every length, and the errors */
__attribute__((noinline, cold)) static int parse_u64f_slow(cw_evm_csv *r, stream *s, field f,
                                                           const char *colname, uint64_t *out)
{
    uint64_t v = 0;
    if (!f.n || f.n > 20)
        return bad(r, s, colname, f, "not an integer");
    if (f.n < 20) {
        /* up to 19 digits cannot reach 2^64: no overflow check per digit; eight at a time while
         * they are digits (the loop below names a bad one) */
        size_t i = 0;
        uint64_t eight;
        for (; i + 8 <= f.n && cw_evm_dec8(f.p + i, &eight); i += 8)
            v = v * 100000000u + eight;
        for (; i < f.n; i++) {
            unsigned d = (unsigned)(f.p[i] - '0');
            if (d > 9)
                return bad(r, s, colname, f, "not an integer");
            v = v * 10 + d;
        }
        *out = v;
        return 0;
    }
    for (size_t i = 0; i < f.n; i++) {
        unsigned d = (unsigned)(f.p[i] - '0');
        if (d > 9 || v > (UINT64_MAX - d) / 10)
            return bad(r, s, colname, f, "not an integer");
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* The usual integer field, 1 to 19 characters, all of them digits (below 2^64: no overflow
 * check), into *v; false for anything else, which the callers' general ways then word. */
static inline bool dec19(field f, uint64_t *out)
{
    if (f.n - 1 >= 19)
        return false;
    uint64_t v = 0, eight;
    size_t i = 0;
    for (; i + 8 <= f.n && cw_evm_dec8(f.p + i, &eight); i += 8)
        v = v * 100000000u + eight;
    for (; i < f.n; i++) {
        unsigned d = (unsigned)(f.p[i] - '0');
        if (d > 9)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/* Inline: the usual field without the call and its saved registers (~20 instructions of 60 a
 * field, three million fields in a 200 k-tx world); anything else goes the general way, which
 * words the error. */
static inline int parse_u64f(cw_evm_csv *r, stream *s, field f, const char *colname, uint64_t *out)
{
    return dec19(f, out) ? 0 : parse_u64f_slow(r, s, f, colname, out);
}

static int parse_u32f(cw_evm_csv *r, stream *s, field f, const char *colname, uint32_t *out)
{
    uint64_t v;
    int rc = parse_u64f(r, s, f, colname, &v);
    if (rc)
        return rc;
    if (v > UINT32_MAX - 1)
        return bad(r, s, colname, f, "out of range");
    *out = (uint32_t)v;
    return 0;
}

/* value columns: decimal or 0x hex; BigQuery may write NUMERIC values with a ".0" fraction */
static int parse_u256f(cw_evm_csv *r, stream *s, field f, const char *colname, cw_u256 *out)
{
    if (f.n > 2 && f.p[f.n - 2] == '.' && f.p[f.n - 1] == '0')
        f.n -= 2;
    /* most values (gas prices, most amounts) are decimals below 2^64: cw_u256_parse gives them
     * the same limbs, without its call */
    if (dec19(f, &out->w[0])) {
        out->w[1] = out->w[2] = out->w[3] = 0;
        return 0;
    }
    if (cw_u256_parse(out, f.p, f.n))
        return bad(r, s, colname, f, "not a non-negative integer below 2^256");
    return 0;
}

static int parse_addr(cw_evm_csv *r, stream *s, field f, const char *colname, cw_evm_addr *out)
{
    if (cw_evm_addr_parse(out, f.p, f.n))
        return bad(r, s, colname, f, "bad hex address (0x + 40 hex digits)");
    return 0;
}

static int parse_hash(cw_evm_csv *r, stream *s, field f, const char *colname, cw_evm_hash *out)
{
    if (cw_evm_hash_parse(out, f.p, f.n))
        return bad(r, s, colname, f, "bad hex hash (0x + 64 hex digits)");
    return 0;
}

/* 0x-hex bytes; out may be NULL (validate only). */
static int parse_hexbytes(cw_evm_csv *r, stream *s, field f, const char *colname, uint8_t *out,
                          size_t *n_out)
{
    if (f.n < 2 || f.p[0] != '0' || (f.p[1] != 'x' && f.p[1] != 'X') || (f.n & 1))
        return bad(r, s, colname, f, "bad hex (0x + an even number of hex digits)");
    size_t n = (f.n - 2) / 2;
    if (cw_evm_hex_decode(out, f.p + 2, n))
        return bad(r, s, colname, f, "bad hex digit");
    *n_out = n;
    return 0;
}

/* unix seconds, or BigQuery's "YYYY-MM-DD HH:MM:SS[.ffffff] UTC" */
static int parse_time(cw_evm_csv *r, stream *s, field f, uint64_t *out)
{
    if (f.n >= 19 && f.p[4] == '-') {
        char tmp[32];
        snprintf(tmp, sizeof tmp, "%.*s", (int)(f.n < 31 ? f.n : 31), f.p);
        struct tm tm;
        memset(&tm, 0, sizeof tm);
        const char *e = strptime(tmp, "%Y-%m-%d %H:%M:%S", &tm);
        if (!e)
            e = strptime(tmp, "%Y-%m-%dT%H:%M:%S", &tm);
        if (!e)
            return bad(r, s, "timestamp", f, "not a time");
        time_t t = timegm(&tm);
        if (t < 0)
            return bad(r, s, "timestamp", f, "before 1970");
        *out = (uint64_t)t;
        return 0;
    }
    return parse_u64f(r, s, f, "timestamp", out);
}

/* ---- rows ------------------------------------------------------------------------------ */

/* The withdrawals list as ethereum-etl writes it, without a JSON library: objects of string
 * and non-negative integer members, read with jansson's semantics (last duplicate key wins;
 * index and validator_index count only as integers). Returns 1 when it read the whole field
 * and every withdrawal is valid, 0 when the field holds anything else (another JSON form, an
 * escape, a bad value): the caller then drops what this added and reads it with jansson,
 * which accepts or rejects it with its own error. */
static bool wd_ws(const char **p, const char *e)
{
    while (*p < e && (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r'))
        (*p)++;
    return *p < e;
}

/* a JSON string at *p; ql = 1, or 2 when the field still holds its CSV "" pairs (each JSON quote
 * written twice): the same strings either way, since one without a backslash holds no quote */
static bool wd_string(const char **p, const char *e, size_t ql, const char **sp, size_t *sn)
{
    if ((size_t)(e - *p) < 2 * ql || (ql == 2 && (*p)[1] != '"'))
        return false;
    const char *q = *p + ql; /* after the opening quote */
    /* to the closing quote, eight bytes at a time: a control character, a byte >= 0x80 or a
     * backslash before it refuses the string (jansson reads it). Each mask flags a byte's high
     * bit; only bits above a true flag can be false (a borrow), so the lowest quote is exact and
     * any flag below it means a refused byte below it. */
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    const char *c = q;
#if defined(__SSE2__)
    /* sixteen bytes a step while there are: the same flags (a signed compare below 0x20 takes
     * the control characters and the bytes >= 0x80 together), an address's 42 in three steps */
    const __m128i dq = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), ctl = _mm_set1_epi8(0x20);
    for (; e - c >= 16; c += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)c);
        unsigned quote = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, dq));
        unsigned bad = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_cmplt_epi8(x, ctl), _mm_cmpeq_epi8(x, bs)));
        if (quote) {
            if (bad & ((quote & (0u - quote)) - 1))
                return false;
            c += __builtin_ctz(quote);
            goto closed;
        }
        if (bad)
            return false;
    }
#endif
    for (;; c += 8) {
        if (e - c < 8) {
            for (; c < e && *c != '"'; c++) {
                unsigned char ch = (unsigned char)*c;
                if (ch < 0x20 || ch >= 0x80 || ch == '\\')
                    return false;
            }
            if (c >= e)
                return false;
            break;
        }
        uint64_t w;
        memcpy(&w, c, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        w = __builtin_bswap64(w); /* the first byte in the low bits */
#endif
        uint64_t xq = w ^ (ones * '"'), xb = w ^ (ones * '\\');
        uint64_t quote = (xq - ones) & ~xq & highs;
        uint64_t bad = ((w - ones * 0x20) & ~w & highs) | (w & highs) | ((xb - ones) & ~xb & highs);
        if (quote) {
            if (bad & ((quote & (0 - quote)) - 1))
                return false;
            c += __builtin_ctzll(quote) / 8;
            break;
        }
        if (bad)
            return false;
    }
#if defined(__SSE2__)
closed:
#endif
    if (ql == 2 && (c + 1 >= e || c[1] != '"'))
        return false;
    *sp = q;
    *sn = (size_t)(c - q);
    *p = c + ql;
    return true;
}

/* digits of a JSON integer at *p as the general way below reads them, for wd_exact: 1 to 18
 * digits, no leading zero, not followed by another digit (more go the general way) */
static bool wd_uint(const char **p, const char *e, uint64_t *v)
{
    const char *q = *p, *d0 = q;
    uint64_t x = 0, eight;
    for (; e - q >= 8 && q - d0 < 16 && cw_evm_dec8(q, &eight); q += 8)
        x = x * 100000000u + eight;
    for (; q < e && q - d0 < 18 && *q >= '0' && *q <= '9'; q++)
        x = x * 10 + (unsigned)(*q - '0');
    if (q == d0 || (q < e && *q >= '0' && *q <= '9') || (*d0 == '0' && q - d0 > 1))
        return false;
    *v = x;
    *p = q;
    return true;
}

/* a literal of n bytes at *p (n a constant: the compare inlined) */
static inline bool wd_lit(const char **p, const char *e, const char *lit, size_t n)
{
    if ((size_t)(e - *p) < n || memcmp(*p, lit, n) != 0)
        return false;
    *p += n;
    return true;
}
/* the literal as JSON writes it (ql 1), or with its CSV "" pairs (ql 2) */
#define WD_LIT(one, two)                                                                           \
    (ql == 2 ? wd_lit(&p, e, two, sizeof two - 1) : wd_lit(&p, e, one, sizeof one - 1))

/* One withdrawal in ethereum-etl's own form, the object at p written as json.dumps writes it
 * with its separators (index, validator_index, address, amount; no space; integers), which is
 * what the exports hold: read straight, without the key loop. Returns the byte after its '}',
 * with the withdrawal added to b, or NULL (nothing added) when the object is in any other form,
 * for the general way below to read it. ql as for wd_string, a constant in each copy. */
static inline __attribute__((always_inline)) const char *wd_exact_q(cw_evm_block *b, const char *p,
                                                                    const char *e, size_t ql)
{
    uint64_t idx, vi, amt;
    if (!WD_LIT("{\"index\":", "{\"\"index\"\":") || !wd_uint(&p, e, &idx) ||
        !WD_LIT(",\"validator_index\":", ",\"\"validator_index\"\":") || !wd_uint(&p, e, &vi) ||
        !WD_LIT(",\"address\":\"", ",\"\"address\"\":\"\"") || e - p < 42)
        return NULL;
    const char *as = p;
    p += 42;
    if (!WD_LIT("\",\"amount\":", "\"\",\"\"amount\"\":") || !wd_uint(&p, e, &amt) || p >= e ||
        *p != '}')
        return NULL;
    cw_evm_addr a;
    if (cw_evm_addr_parse(&a, as, 42)) {
        cw_error_clear();
        return NULL;
    }
    cw_evm_withdrawal *x = cw_evm_block_add_withdrawal(b);
    if (!x) {
        cw_error_clear();
        return NULL;
    }
    x->address = a;
    x->index = idx;
    x->validator_index = vi;
    x->amount_gwei = amt;
    return p + 1;
}
#undef WD_LIT
static const char *wd_exact(cw_evm_block *b, const char *p, const char *e, size_t ql)
{
    return ql == 2 ? wd_exact_q(b, p, e, 2) : wd_exact_q(b, p, e, 1);
}

static int withdrawals_fast(cw_evm_block *b, field f, size_t ql)
{
    const char *p = f.p, *e = f.p + f.n;
    bool br = *p == '[';
    if (br)
        p++;
    for (;;) {
        if (!wd_ws(&p, e) || *p != '{')
            return 0;
        const char *past = wd_exact(b, p, e, ql);
        if (past) {
            p = past;
            goto next;
        }
        p++;
        /* 0 absent, 1 integer, 2 string */
        int t_addr = 0, t_amt = 0, t_idx = 0, t_vi = 0;
        const char *as = NULL, *ms = NULL;
        size_t an = 0, mn = 0;
        uint64_t amt = 0, idx = 0, vi = 0;
        for (;;) {
            const char *k;
            size_t kn;
            if (!wd_ws(&p, e) || *p != '"' || !wd_string(&p, e, ql, &k, &kn))
                return 0;
            if (!wd_ws(&p, e) || *p != ':')
                return 0;
            p++;
            if (!wd_ws(&p, e))
                return 0;
            int type;
            const char *vs = NULL;
            size_t vn = 0;
            uint64_t v = 0;
            if (*p == '"') {
                if (!wd_string(&p, e, ql, &vs, &vn))
                    return 0;
                type = 2;
            } else if (*p >= '0' && *p <= '9') {
                if (*p == '0' && p + 1 < e && p[1] >= '0' && p[1] <= '9')
                    return 0;
                /* up to 18 digits cannot pass INT64_MAX: checked only past them */
                const char *d0 = p;
                uint64_t eight;
                for (; e - p >= 8 && p + 8 - d0 <= 18 && cw_evm_dec8(p, &eight); p += 8)
                    v = v * 100000000u + eight;
                for (; p < e && p - d0 < 18 && *p >= '0' && *p <= '9'; p++)
                    v = v * 10 + (unsigned)(*p - '0');
                for (; p < e && *p >= '0' && *p <= '9'; p++) {
                    unsigned d = (unsigned)(*p - '0');
                    if (v > ((uint64_t)INT64_MAX - d) / 10)
                        return 0;
                    v = v * 10 + d;
                }
                if (p < e && (*p == '.' || *p == 'e' || *p == 'E'))
                    return 0;
                type = 1;
            } else {
                return 0;
            }
            if (kn == 7 && !memcmp(k, "address", 7)) {
                t_addr = type;
                as = vs;
                an = vn;
            } else if (kn == 6 && !memcmp(k, "amount", 6)) {
                t_amt = type;
                ms = vs;
                mn = vn;
                amt = v;
            } else if (kn == 5 && !memcmp(k, "index", 5)) {
                t_idx = type;
                idx = v;
            } else if (kn == 15 && !memcmp(k, "validator_index", 15)) {
                t_vi = type;
                vi = v;
            }
            if (!wd_ws(&p, e))
                return 0;
            if (*p == ',') {
                p++;
                continue;
            }
            if (*p != '}')
                return 0;
            p++;
            break;
        }
        cw_evm_withdrawal *x = cw_evm_block_add_withdrawal(b);
        if (!x)
            return 0;
        if (t_addr != 2 || cw_evm_addr_parse(&x->address, as, an))
            return 0;
        if (t_amt == 1) {
            x->amount_gwei = amt;
        } else if (t_amt == 2) {
            char tmp[32];
            if (mn >= sizeof tmp)
                return 0;
            memcpy(tmp, ms, mn);
            tmp[mn] = 0;
            if (cw_parse_u64(&x->amount_gwei, tmp))
                return 0;
        } else {
            return 0;
        }
        x->index = t_idx == 1 ? idx : 0;
        x->validator_index = t_vi == 1 ? vi : 0;
    next:;
        bool more = wd_ws(&p, e);
        if (more && *p == ',') {
            p++;
            continue;
        }
        if (br) {
            if (!more || *p != ']')
                return 0;
            p++;
            more = wd_ws(&p, e);
        }
        return more ? 0 : 1;
    }
}

static int withdrawals(cw_evm_csv *r, stream *s, cw_evm_block *b, field f)
{
    if (!f.n || (f.n == 2 && (memcmp(f.p, "[]", 2) == 0)))
        return 0;
    size_t had = b->n_withdrawals;
    int c = s->col[B_WITHDRAWALS];
    if (c >= 0 && (s->escaped >> c & 1)) {
        /* the scan left its "" pairs: read them as quotes, else unescape for the ways below */
        if (withdrawals_fast(b, f, 2) == 1)
            return 0;
        b->n_withdrawals = had;
        cw_error_clear();
        f.n = s->f[c].n = unescape_pairs(s->buf + (f.p - s->buf), f.n);
        s->escaped &= ~((uint64_t)1 << c);
    }
    if (withdrawals_fast(b, f, 1) == 1)
        return 0;
    b->n_withdrawals = had;
    cw_error_clear();
    /* ethereum-etl writes the objects comma-joined without brackets */
    bool br = f.p[0] == '[';
    char *txt = cw_malloc(f.n + 3);
    if (!txt)
        return cw_error_set(CW_ENOMEM, "out of memory");
    size_t k = 0;
    if (!br)
        txt[k++] = '[';
    memcpy(txt + k, f.p, f.n);
    k += f.n;
    if (!br)
        txt[k++] = ']';
    json_error_t je;
    json_t *a = json_loadb(txt, k, 0, &je);
    cw_free(txt);
    int rc = 0;
    if (!json_is_array(a)) {
        rc = bad(r, s, "withdrawals", f, "not a JSON list of withdrawals");
        goto out;
    }
    size_t i;
    json_t *w;
    json_array_foreach(a, i, w)
    {
        json_t *addr = json_object_get(w, "address"), *amt = json_object_get(w, "amount"),
               *idx = json_object_get(w, "index"), *vi = json_object_get(w, "validator_index");
        cw_evm_withdrawal *x = cw_evm_block_add_withdrawal(b);
        if (!x) {
            rc = CW_ENOMEM;
            goto out;
        }
        const char *as = json_string_value(addr);
        uint64_t v;
        if (!as || cw_evm_addr_parse(&x->address, as, strlen(as))) {
            rc = bad(r, s, "withdrawals", f, "a withdrawal without a valid address");
            goto out;
        }
        if (json_is_integer(amt) && json_integer_value(amt) >= 0)
            x->amount_gwei = (uint64_t)json_integer_value(amt);
        else if (json_is_string(amt) && !cw_parse_u64(&v, json_string_value(amt)))
            x->amount_gwei = v;
        else {
            rc = bad(r, s, "withdrawals", f, "a withdrawal amount that is not an integer");
            goto out;
        }
        x->index = json_is_integer(idx) ? (uint64_t)json_integer_value(idx) : 0;
        x->validator_index = json_is_integer(vi) ? (uint64_t)json_integer_value(vi) : 0;
    }
out:
    json_decref(a);
    return rc;
}

static int row_block(cw_evm_csv *r, stream *s, cw_evm_block *b)
{
    int rc;
    b->number = s->rec_block;
    b->src_line = s->rec_line;
    b->src_file = s->mem ? 0 : s->file_ids[s->cur];
    if ((rc = parse_hash(r, s, col(s, B_HASH), "hash", &b->hash)) ||
        (rc = parse_hash(r, s, col(s, B_PARENT), "parent_hash", &b->parent_hash)) ||
        (rc = parse_addr(r, s, col(s, B_MINER), "miner", &b->miner)) ||
        (rc = parse_u64f(r, s, col(s, B_GAS_USED), "gas_used", &b->gas_used)) ||
        (rc = parse_time(r, s, col(s, B_TIMESTAMP), &b->timestamp)) ||
        (rc = parse_u64f(r, s, col(s, B_TXCOUNT), "transaction_count", &b->tx_count)))
        return rc;
    if (s->col[B_GAS_LIMIT] >= 0 &&
        (rc = parse_u64f(r, s, col(s, B_GAS_LIMIT), "gas_limit", &b->gas_limit)))
        return rc;
    field bf = col(s, B_BASEFEE);
    if (bf.n) {
        if ((rc = parse_u256f(r, s, bf, "base_fee_per_gas", &b->base_fee)))
            return rc;
        b->has_base_fee = true;
    }
    return withdrawals(r, s, b, col(s, B_WITHDRAWALS));
}

/* EIP-4844: a receipt's blob gas and blob gas price (ethereum-etl's blob_gas_used and
 * blob_gas_price, BigQuery's receipt_*), empty but for type-3 txs (some nodes give the price
 * on every receipt). Blob gas without a price cannot give the fee the sender paid: refused. */
static int blob_fee(cw_evm_csv *r, stream *s, cw_evm_tx *t, int cu, int cp, const char *nu,
                    const char *np)
{
    field u = col(s, cu), p = col(s, cp);
    int rc;
    if (u.n && (rc = parse_u64f(r, s, u, nu, &t->blob_gas_used)))
        return rc;
    if (p.n && (rc = parse_u256f(r, s, p, np, &t->blob_gas_price)))
        return rc;
    if (t->blob_gas_used && !p.n)
        return bad(r, s, np, p, "empty beside a blob gas used");
    return 0;
}

static int row_tx(cw_evm_csv *r, stream *s, cw_evm_block *b)
{
    cw_evm_tx *t = cw_evm_block_add_tx(b);
    if (!t)
        return CW_ENOMEM;
    int rc;
    t->src_line = s->rec_line;
    t->src_file = s->mem ? 0 : s->file_ids[s->cur];
    t->status = CW_EVM_STATUS_UNKNOWN;
    field to = col(s, T_TO), in = col(s, T_INPUT);
    if ((rc = parse_hash(r, s, col(s, T_HASH), "hash", &t->hash)) ||
        (rc = parse_u32f(r, s, col(s, T_INDEX), "transaction_index", &t->index)) ||
        (rc = parse_addr(r, s, col(s, T_FROM), "from_address", &t->from)) ||
        (rc = parse_u256f(r, s, col(s, T_VALUE), "value", &t->value)) ||
        (rc = parse_u64f(r, s, col(s, T_GAS), "gas", &t->gas)) ||
        (rc = parse_u256f(r, s, col(s, T_PRICE), "gas_price", &t->gas_price)))
        return rc;
    if (to.n) {
        if ((rc = parse_addr(r, s, to, "to_address", &t->to)))
            return rc;
        t->has_to = true;
    }
    field bh = col(s, T_BLOCK_HASH);
    if (bh.n) {
        cw_evm_hash h;
        if ((rc = parse_hash(r, s, bh, "block_hash", &h)))
            return rc;
        if ((memcmp(&h, &b->hash, 32) != 0))
            return bad(r, s, "block_hash", bh, "not the hash of its block in the blocks file");
    }
    if (s->col[T_NONCE] >= 0 && (rc = parse_u64f(r, s, col(s, T_NONCE), "nonce", &t->nonce)))
        return rc;
    if (in.n < 2 || in.p[0] != '0' || (in.p[1] != 'x' && in.p[1] != 'X') || (in.n & 1))
        return bad(r, s, "input", in, "bad hex (0x + an even number of hex digits)");
    /* short inputs are kept in the block's arena: memo candidates (evm/memo.h); each digit is
     * decoded (or, past the selector of a long input, validated) once */
    uint8_t keep[CW_EVM_MEMO_INPUT_MAX];
    size_t n_in = (in.n - 2) / 2, head = n_in >= 4 ? 4 : n_in;
    bool kept = n_in <= CW_EVM_MEMO_INPUT_MAX;
    if (kept ? cw_evm_hex_decode(keep, in.p + 2, n_in)
             : (cw_evm_hex_decode(keep, in.p + 2, head) ||
                cw_evm_hex_decode(NULL, in.p + 2 + 2 * head, n_in - head)))
        return bad(r, s, "input", in, "bad hex digit");
    memset(t->selector, 0, 4);
    memcpy(t->selector, keep, head);
    t->input_len = in.n >= 2 ? (uint32_t)((in.n - 2) / 2) : 0;
    if (kept && t->input_len) {
        if ((rc = cw_evm_block_put_bytes(b, keep, t->input_len, &t->input_off)))
            return rc;
        t->input_kept = t->input_len;
    }
    field mf = col(s, T_MAXFEE), mp = col(s, T_MAXPRIO), ty = col(s, T_TYPE);
    if (mf.n && (rc = parse_u256f(r, s, mf, "max_fee_per_gas", &t->max_fee_per_gas)))
        return rc;
    if (mp.n &&
        (rc = parse_u256f(r, s, mp, "max_priority_fee_per_gas", &t->max_priority_fee_per_gas)))
        return rc;
    if (ty.n) {
        uint64_t v;
        if ((rc = parse_u64f(r, s, ty, "transaction_type", &v)))
            return rc;
        if (v > 255)
            return bad(r, s, "transaction_type", ty, "out of range");
        t->type = (uint8_t)v;
    }
    /* BigQuery: the receipt is in the transaction row */
    if (s->col[T_R_GAS_USED] >= 0) {
        field gu = col(s, T_R_GAS_USED), ca = col(s, T_R_CONTRACT), st = col(s, T_R_STATUS),
              eg = col(s, T_R_EGP);
        if ((rc = parse_u64f(r, s, gu, "receipt_gas_used", &t->gas_used)))
            return rc;
        if (ca.n) {
            if ((rc = parse_addr(r, s, ca, "receipt_contract_address", &t->contract)))
                return rc;
            t->has_contract = true;
        }
        if (st.n) {
            if (st.n != 1 || (st.p[0] != '0' && st.p[0] != '1'))
                return bad(r, s, "receipt_status", st, "not 0 or 1");
            t->status = st.p[0] == '1' ? CW_EVM_STATUS_OK : CW_EVM_STATUS_FAILED;
        }
        if (eg.n &&
            (rc = parse_u256f(r, s, eg, "receipt_effective_gas_price", &t->effective_gas_price)))
            return rc;
        if ((rc = blob_fee(r, s, t, T_R_BLOB_USED, T_R_BLOB_PRICE, "receipt_blob_gas_used",
                           "receipt_blob_gas_price")))
            return rc;
        t->has_receipt = true;
    }
    return 0;
}

static cw_evm_tx *tx_at(cw_evm_block *b, uint32_t index)
{
    /* txs are sorted by index before receipts, logs and traces are read */
    if (index < b->n_txs && b->txs[index].index == index)
        return &b->txs[index];
    return NULL;
}

static int row_receipt(cw_evm_csv *r, stream *s, cw_evm_block *b)
{
    cw_evm_hash h;
    uint32_t idx = 0;
    int rc;
    field st = col(s, R_STATUS), ca = col(s, R_CONTRACT), eg = col(s, R_EGP);
    if ((rc = parse_hash(r, s, col(s, R_TXHASH), "transaction_hash", &h)) ||
        (rc = parse_u32f(r, s, col(s, R_INDEX), "transaction_index", &idx)))
        return rc;
    cw_evm_tx *t = tx_at(b, idx);
    if (!t || (memcmp(&t->hash, &h, 32) != 0))
        return cw_error_set(CW_ECORRUPT,
                            "%s: line %llu: a receipt for a transaction that is not in block "
                            "%llu (transaction_index %u)",
                            fname(r, s), (unsigned long long)s->rec_line,
                            (unsigned long long)b->number, idx);
    if (t->has_receipt)
        return cw_error_set(CW_ECORRUPT, "%s: line %llu: a second receipt for transaction %u",
                            fname(r, s), (unsigned long long)s->rec_line, idx);
    if ((rc = parse_u64f(r, s, col(s, R_GAS_USED), "gas_used", &t->gas_used)))
        return rc;
    if (ca.n) {
        if ((rc = parse_addr(r, s, ca, "contract_address", &t->contract)))
            return rc;
        t->has_contract = true;
    }
    if (st.n) {
        if (st.n != 1 || (st.p[0] != '0' && st.p[0] != '1'))
            return bad(r, s, "status", st, "not 0 or 1");
        t->status = st.p[0] == '1' ? CW_EVM_STATUS_OK : CW_EVM_STATUS_FAILED;
    }
    if (eg.n && (rc = parse_u256f(r, s, eg, "effective_gas_price", &t->effective_gas_price)))
        return rc;
    if ((rc = blob_fee(r, s, t, R_BLOB_USED, R_BLOB_PRICE, "blob_gas_used", "blob_gas_price")))
        return rc;
    t->has_receipt = true;
    return 0;
}

static int row_log(cw_evm_csv *r, stream *s, cw_evm_block *b)
{
    cw_evm_log *l = cw_evm_block_add_log(b);
    if (!l)
        return CW_ENOMEM;
    int rc;
    l->src_line = s->rec_line;
    l->src_file = s->mem ? 0 : s->file_ids[s->cur];
    field tp = col(s, L_TOPICS), d = col(s, L_DATA);
    if ((rc = parse_u32f(r, s, col(s, L_INDEX), "log_index", &l->log_index)) ||
        (rc = parse_hash(r, s, col(s, L_TXHASH), "transaction_hash", &l->tx_hash)) ||
        (rc = parse_u32f(r, s, col(s, L_TXINDEX), "transaction_index", &l->tx_index)) ||
        (rc = parse_addr(r, s, col(s, L_ADDRESS), "address", &l->address)))
        return rc;
    /* topics: "0x..,0x..", possibly as a JSON-ish list ["0x..", ...] */
    const char *p = tp.p, *e = tp.p + tp.n;
    while (p < e) {
        while (p < e && (*p == '[' || *p == ']' || *p == ' ' || *p == '\'' || *p == '"'))
            p++;
        if (p >= e)
            break;
        const char *c = memchr(p, ',', (size_t)(e - p));
        const char *q = c ? c : e;
        const char *qe = q;
        while (qe > p && (qe[-1] == ']' || qe[-1] == ' ' || qe[-1] == '\'' || qe[-1] == '"'))
            qe--;
        if (l->n_topics == 4)
            return bad(r, s, "topics", tp, "more than 4 topics");
        if ((rc =
                 parse_hash(r, s, (field){p, (size_t)(qe - p)}, "topics", &l->topics[l->n_topics])))
            return rc;
        l->n_topics++;
        p = c ? c + 1 : e;
    }
    size_t n = d.n / 2;
    if (d.n < 2)
        d = (field){"0x", 2};
    if (n > r->scratch_cap) {
        char *np = cw_realloc(r->scratch, n);
        if (!np)
            return cw_error_set(CW_ENOMEM, "out of memory");
        r->scratch = np;
        r->scratch_cap = n;
    }
    if ((rc = parse_hexbytes(r, s, d, "data", (uint8_t *)r->scratch, &n)))
        return rc;
    l = &b->logs[b->n_logs - 1];
    if ((rc = cw_evm_block_put_bytes(b, r->scratch, n, &l->data_off)))
        return rc;
    l->data_len = (uint32_t)n;
    return 0;
}

static const uint8_t TRANSFER_TOPIC[32] = {
    0xdd, 0xf2, 0x52, 0xad, 0x1b, 0xe2, 0xc8, 0x9b, 0x69, 0xc2, 0xb0, 0x68, 0xfc, 0x37, 0x8d, 0xaa,
    0x95, 0x2b, 0xa7, 0xf1, 0x63, 0xc4, 0xa1, 0x16, 0x28, 0xf5, 0x5a, 0x4d, 0xf5, 0x23, 0xb3, 0xef};

/* token_transfers: checked against the block's logs, or turned into Transfer logs when the
 * input has no logs files (ERC-20 assumed: the table does not say which standard) */
static int row_tt(cw_evm_csv *r, stream *s, cw_evm_block *b, bool have_logs)
{
    cw_evm_addr tok, from, to;
    cw_u256 v;
    cw_evm_hash h;
    uint32_t li = 0;
    int rc;
    if ((rc = parse_addr(r, s, col(s, TT_TOKEN), "token_address", &tok)) ||
        (rc = parse_addr(r, s, col(s, TT_FROM), "from_address", &from)) ||
        (rc = parse_addr(r, s, col(s, TT_TO), "to_address", &to)) ||
        (rc = parse_u256f(r, s, col(s, TT_VALUE), "value", &v)) ||
        (rc = parse_hash(r, s, col(s, TT_TXHASH), "transaction_hash", &h)) ||
        (rc = parse_u32f(r, s, col(s, TT_LOGINDEX), "log_index", &li)))
        return rc;
    if (have_logs) {
        for (size_t i = 0; i < b->n_logs; i++) {
            cw_evm_log *l = &b->logs[i];
            if (l->log_index != li)
                continue;
            cw_u256 lv = {{0, 0, 0, 0}};
            if (l->n_topics == 4)
                cw_u256_from_be32(&lv, l->topics[3].b);
            else if (l->data_len >= 32)
                cw_u256_from_be32(&lv, b->arena + l->data_off);
            if ((memcmp(&l->tx_hash, &h, 32) != 0) || (memcmp(&l->address, &tok, 20) != 0) ||
                l->n_topics < 3 || (memcmp(l->topics[0].b, TRANSFER_TOPIC, 32) != 0) ||
                (memcmp(l->topics[1].b + 12, from.b, 20) != 0) ||
                (memcmp(l->topics[2].b + 12, to.b, 20) != 0) || cw_u256_cmp(&lv, &v))
                return cw_error_set(CW_ECORRUPT,
                                    "%s: line %llu: the token transfer does not match log %u of "
                                    "block %llu",
                                    fname(r, s), (unsigned long long)s->rec_line, li,
                                    (unsigned long long)b->number);
            return 0;
        }
        return cw_error_set(CW_ECORRUPT,
                            "%s: line %llu: a token transfer without its log (log_index %u of "
                            "block %llu)",
                            fname(r, s), (unsigned long long)s->rec_line, li,
                            (unsigned long long)b->number);
    }
    /* the tx index comes from the hash */
    uint32_t ti = UINT32_MAX;
    for (size_t i = 0; i < b->n_txs; i++) {
        if ((memcmp(&b->txs[i].hash, &h, 32) == 0))
            ti = b->txs[i].index;
    }
    if (ti == UINT32_MAX)
        return cw_error_set(CW_ECORRUPT,
                            "%s: line %llu: a token transfer whose transaction is not in block "
                            "%llu",
                            fname(r, s), (unsigned long long)s->rec_line,
                            (unsigned long long)b->number);
    cw_evm_log *l = cw_evm_block_add_log(b);
    if (!l)
        return CW_ENOMEM;
    l->src_line = s->rec_line;
    l->src_file = s->mem ? 0 : s->file_ids[s->cur];
    l->log_index = li;
    l->tx_index = ti;
    l->tx_hash = h;
    l->address = tok;
    l->n_topics = 3;
    memcpy(l->topics[0].b, TRANSFER_TOPIC, 32);
    memcpy(l->topics[1].b + 12, from.b, 20);
    memcpy(l->topics[2].b + 12, to.b, 20);
    uint8_t word[32];
    cw_u256_to_be32(word, &v);
    if ((rc = cw_evm_block_put_bytes(b, word, 32, &l->data_off)))
        return rc;
    b->logs[b->n_logs - 1].data_len = 32;
    return 0;
}

static int row_trace(cw_evm_csv *r, stream *s, cw_evm_block *b)
{
    cw_evm_trace *t = cw_evm_block_add_trace(b);
    if (!t)
        return CW_ENOMEM;
    int rc;
    t->src_line = s->rec_line;
    t->src_file = s->mem ? 0 : s->file_ids[s->cur];
    field th = col(s, TR_TXHASH), ti = col(s, TR_TXINDEX), fr = col(s, TR_FROM), to = col(s, TR_TO),
          va = col(s, TR_VALUE), ty = col(s, TR_TYPE), ct = col(s, TR_CALLTYPE),
          ta = col(s, TR_ADDR), er = col(s, TR_ERROR), st = col(s, TR_STATUS);
    static const char *const types[] = {"call",   "create",  "suicide",
                                        "reward", "genesis", "daofork"};
    static const size_t type_len[] = {4, 6, 7, 6, 7, 7};
    int type = -1;
    for (int i = 0; i < 6; i++) {
        if (type_len[i] == ty.n && (memcmp(types[i], ty.p, ty.n) == 0)) {
            type = i;
            break;
        }
    }
    if (type < 0)
        return bad(r, s, "trace_type", ty, "unknown trace type");
    t->type = (uint8_t)type;
    static const char *const calls[] = {"", "call", "callcode", "delegatecall", "staticcall"};
    static const size_t call_len[] = {0, 4, 8, 12, 10};
    if (ct.n) {
        int c = -1;
        for (int i = 1; i < 5; i++) {
            if (call_len[i] == ct.n && (memcmp(calls[i], ct.p, ct.n) == 0)) {
                c = i;
                break;
            }
        }
        if (c < 0)
            return bad(r, s, "call_type", ct, "unknown call type");
        t->call_type = (uint8_t)c;
    }
    if (th.n) {
        if ((rc = parse_hash(r, s, th, "transaction_hash", &t->tx_hash)) ||
            (rc = parse_u32f(r, s, ti, "transaction_index", &t->tx_index)))
            return rc;
    } else {
        t = &b->traces[b->n_traces - 1];
        t->tx_index = UINT32_MAX;
        if (type == CW_EVM_TRACE_CALL || type == CW_EVM_TRACE_CREATE ||
            type == CW_EVM_TRACE_SUICIDE)
            return cw_error_set(CW_ECORRUPT, "%s: line %llu: a %.*s trace without its transaction",
                                fname(r, s), (unsigned long long)s->rec_line, (int)ty.n, ty.p);
    }
    if (fr.n) {
        if ((rc = parse_addr(r, s, fr, "from_address", &t->from)))
            return rc;
        t->has_from = true;
    }
    if (to.n) {
        if ((rc = parse_addr(r, s, to, "to_address", &t->to)))
            return rc;
        t->has_to = true;
    }
    if (va.n && (rc = parse_u256f(r, s, va, "value", &t->value)))
        return rc;
    if (st.n != 1 || (st.p[0] != '0' && st.p[0] != '1'))
        return bad(r, s, "status", st, "not 0 or 1");
    t->status = st.p[0] == '1';
    /* trace address "0,1,2" */
    uint32_t elems[256];
    uint32_t ne = 0;
    const char *p = ta.p, *e = ta.p + ta.n;
    while (p < e) {
        const char *c = memchr(p, ',', (size_t)(e - p));
        const char *q = c ? c : e;
        uint32_t v = 0;
        if (ne == 256)
            return bad(r, s, "trace_address", ta, "deeper than 256 calls");
        if ((rc = parse_u32f(r, s, (field){p, (size_t)(q - p)}, "trace_address", &v)))
            return rc;
        elems[ne++] = v;
        p = c ? c + 1 : e;
    }
    uint32_t off;
    if ((rc = cw_evm_block_put_bytes(b, elems, (size_t)ne * 4, &off)))
        return rc;
    t = &b->traces[b->n_traces - 1];
    t->ta_off = off;
    t->ta_len = ne;
    if (er.n) {
        if ((rc = cw_evm_block_put_bytes(b, er.p, er.n > 200 ? 200 : er.n, &off)))
            return rc;
        t = &b->traces[b->n_traces - 1];
        t->err_off = off;
        t->err_len = (uint32_t)(er.n > 200 ? 200 : er.n);
    }
    return 0;
}

/* ---- the merge ------------------------------------------------------------------------- */

static int read_tokens(cw_evm_csv *r)
{
    stream *s = &r->s[K_TOKENS];
    size_t cap = 0;
    int rc;
    while ((rc = next_record(r, s)) == 1) {
        s->have = false;
        if (r->n_tokens == cap) {
            size_t nc = cap ? cap * 2 : 64;
            cw_evm_token *p = cw_realloc(r->tokens, nc * sizeof *p);
            if (!p)
                return cw_error_set(CW_ENOMEM, "out of memory");
            r->tokens = p;
            cap = nc;
        }
        cw_evm_token *t = &r->tokens[r->n_tokens];
        memset(t, 0, sizeof *t);
        t->decimals = -1;
        if ((rc = parse_addr(r, s, col(s, TK_ADDRESS), "address", &t->address)))
            return rc;
        field sy = col(s, TK_SYMBOL), de = col(s, TK_DECIMALS);
        cw_evm_token_set_symbol(t, (const uint8_t *)sy.p, sy.n);
        uint64_t d;
        if (de.n && de.n <= 3 && !parse_u64f(r, s, de, "decimals", &d) && d <= 255)
            t->decimals = (int)d;
        cw_error_clear();
        r->n_tokens++;
    }
    return rc;
}

static void csv_free(cw_evm_csv *r)
{
    if (!r)
        return;
    for (int k = 0; k < K_N; k++) {
        stream *s = &r->s[k];
        if (s->gz)
            gzclose(s->gz);
        if (s->fd >= 0)
            close(s->fd);
        for (size_t i = 0; i < s->n_files; i++)
            cw_free(s->paths[i]);
        cw_free(s->paths);
        cw_free(s->file_ids);
        if (!s->mem)
            cw_free(s->buf);
    }
    for (size_t i = 0; i < r->n_names; i++)
        cw_free(r->names[i]);
    cw_free(r->names);
    cw_free(r->tokens);
    cw_free(r->scratch);
    cw_free(r);
}

void cw_evm_csv_close(cw_evm_csv *r)
{
    csv_free(r);
}

/* An ethereumetl stream file (csv_json.inc): every kind in one file of JSON lines, each with
 * its "type". A first pass finds the kinds it holds; then each kind reads the file on its own,
 * passing over the other kinds' lines, so the merge is the one of a directory. */
static int open_items(cw_evm_csv **out, const char *path, uint64_t size)
{
    cw_evm_csv *r = cw_calloc(1, sizeof *r);
    int rc = 0;
    if (!r || !(r->names = cw_calloc(1, sizeof *r->names)) || !(r->names[0] = cw_strdup(path))) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto out;
    }
    r->n_names = 1;
    uint8_t width = scan_width();
    for (int k = 0; k < K_N; k++) {
        r->s[k].kind = k;
        r->s[k].fd = -1;
        r->s[k].width = width;
    }
    /* the first pass: which kinds */
    stream ps = {.kind = K_BLOCKS, .fd = -1, .width = width};
    char *pp = r->names[0];
    uint32_t id0 = 0;
    ps.paths = &pp;
    ps.file_ids = &id0;
    ps.n_files = 1;
    rc = open_file(r, &ps);
    if (!rc) {
        if (!ps.json)
            rc = cw_error_set(CW_EINVAL,
                              "%s: a file, read as an ethereumetl stream output, must be named "
                              ".json or .json.gz (a directory holds the export files)",
                              path);
        while (!rc && (rc = next_json(r, &ps, true)) == 1) {
            if (r->probe >= 0)
                r->present[r->probe] = true;
            rc = 0;
        }
    }
    if (ps.gz)
        gzclose(ps.gz);
    if (ps.fd >= 0)
        close(ps.fd);
    cw_free(ps.buf);
    if (rc < 0)
        goto out;
    if (!r->present[K_BLOCKS]) {
        rc = cw_error_set(CW_ENOTFOUND,
                          "%s: no block items (an ethereumetl stream output holds lines with "
                          "\"type\": \"block\")",
                          path);
        goto out;
    }
    for (int k = 0; k < K_N; k++) {
        stream *s = &r->s[k];
        if (!r->present[k])
            continue;
        if (!(s->paths = cw_calloc(1, sizeof *s->paths)) ||
            !(s->file_ids = cw_calloc(1, sizeof *s->file_ids)) ||
            !(s->paths[0] = cw_strdup(path))) {
            rc = cw_error_set(CW_ENOMEM, "out of memory");
            goto out;
        }
        s->n_files = 1;
        s->items = true;
        r->total_bytes += size;
    }
    if (r->present[K_TOKENS] && (rc = read_tokens(r)) < 0)
        goto out;
    rc = 0;
    *out = r;
    r = NULL;
out:
    csv_free(r);
    return rc;
}

int cw_evm_csv_open(cw_evm_csv **out, const char *dir)
{
    *out = NULL;
    struct stat st;
    if (stat(dir, &st) == 0 && S_ISREG(st.st_mode))
        return open_items(out, dir, (uint64_t)st.st_size);
    found_list fl = {0};
    int rc = walk(&fl, dir, "", 0);
    cw_evm_csv *r = NULL;
    if (rc)
        goto out;
    /* one format a directory: CSV and JSON beside each other are most likely two exports of
     * the same blocks, which the merge would read twice */
    for (size_t i = 1; i < fl.n; i++) {
        if (fl.v[i].json != fl.v[0].json) {
            rc = cw_error_set(CW_EINVAL,
                              "%s: both CSV and JSON-lines exports (%s, %s): keep one format "
                              "in a directory",
                              dir, fl.v[0].rel, fl.v[i].rel);
            goto out;
        }
    }
    if (fl.n > 1)
        qsort(fl.v, fl.n, sizeof *fl.v, cmp_found);
    r = cw_calloc(1, sizeof *r);
    for (int k = 0; r && k < K_N; k++)
        r->s[k].fd = -1;
    if (!r || (fl.n && !(r->names = cw_calloc(fl.n, sizeof *r->names)))) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto out;
    }
    r->total_bytes = fl.bytes;
    uint8_t width = scan_width();
    for (int k = 0; k < K_N; k++) {
        r->s[k].kind = k;
        r->s[k].fd = -1;
        r->s[k].width = width;
    }
    for (size_t i = 0; i < fl.n; i++) {
        stream *s = &r->s[fl.v[i].kind];
        r->names[r->n_names] = fl.v[i].rel;
        fl.v[i].rel = NULL;
        char **np = cw_realloc(s->paths, (s->n_files + 1) * sizeof *np);
        if (np)
            s->paths = np;
        uint32_t *ni = cw_realloc(s->file_ids, (s->n_files + 1) * sizeof *ni);
        if (ni)
            s->file_ids = ni;
        if (!np || !ni) {
            rc = cw_error_set(CW_ENOMEM, "out of memory");
            r->n_names++;
            goto out;
        }
        s->paths[s->n_files] = fl.v[i].path;
        fl.v[i].path = NULL;
        s->file_ids[s->n_files++] = (uint32_t)r->n_names++;
        r->present[s->kind] = true;
    }
    if (!r->present[K_BLOCKS]) {
        rc = cw_error_set(CW_ENOTFOUND,
                          "%s: no blocks file (blocks*.csv, blocks*.json, or either .gz: "
                          "ethereum-etl export_blocks_and_transactions)",
                          dir);
        goto out;
    }
    if (r->present[K_TOKENS] && (rc = read_tokens(r)) < 0)
        goto out;
    rc = 0;
    *out = r;
    r = NULL;
out:
    for (size_t i = 0; i < fl.n; i++) {
        cw_free(fl.v[i].path);
        cw_free(fl.v[i].rel);
    }
    cw_free(fl.v);
    csv_free(r);
    return rc;
}

int cw_evm_csv_open_mem(cw_evm_csv **out, const char *const *kinds, const char *const *bufs,
                        const size_t *lens, size_t n)
{
    *out = NULL;
    cw_evm_csv *r = cw_calloc(1, sizeof *r);
    if (!r)
        return cw_error_set(CW_ENOMEM, "out of memory");
    int rc = 0;
    uint8_t width = scan_width();
    for (int k = 0; k < K_N; k++) {
        r->s[k].kind = k;
        r->s[k].fd = -1;
        r->s[k].width = width;
    }
    for (size_t i = 0; i < n; i++) {
        /* "logs" is CSV, "logs.json" JSON lines (csv_json.inc) */
        size_t kl = strlen(kinds[i]);
        bool json = kl > 5 && !strcmp(kinds[i] + kl - 5, ".json");
        int k = -1;
        for (int j = 0; j < K_N; j++) {
            if (strlen(KIND_NAMES[j]) == kl - (json ? 5 : 0) &&
                !strncmp(kinds[i], KIND_NAMES[j], kl - (json ? 5 : 0)))
                k = j;
        }
        if (k < 0 || r->present[k]) {
            rc = cw_error_set(CW_EINVAL, "unknown or repeated kind '%s'", kinds[i]);
            goto out;
        }
        stream *s = &r->s[k];
        s->mem = true;
        s->json = json;
        s->buf = (char *)(uintptr_t)bufs[i];
        s->len = s->cap = lens[i];
        s->eof = true;
        s->line = 1;
        s->n_header = -1;
        s->bq = false;
        memset(s->jkey, 0xff, sizeof s->jkey);
        for (int d = 0; d < KIND_NCOLS[k]; d++)
            s->jlen[d] = (uint8_t)strlen(KIND_COLS[k][d].name);
        r->present[k] = true;
        r->total_bytes += lens[i];
    }
    if (!r->present[K_BLOCKS]) {
        rc = cw_error_set(CW_ENOTFOUND, "no blocks input");
        goto out;
    }
    if (r->present[K_TOKENS] && (rc = read_tokens(r)) < 0)
        goto out;
    rc = 0;
    *out = r;
    r = NULL;
out:
    csv_free(r);
    return rc;
}

/* Hands the rows of block n from stream k to fn; a row for an earlier block is an error. */
static int take_rows(cw_evm_csv *r, int k, cw_evm_block *b, bool have_logs)
{
    stream *s = &r->s[k];
    if (!r->present[k])
        return 0;
    int rc;
    while ((rc = next_record(r, s)) == 1) {
        if (s->rec_block > b->number)
            return 0;
        if (s->rec_block < b->number)
            return cw_error_set(CW_ECORRUPT,
                                "%s: line %llu: a row of block %llu, which is not in the blocks "
                                "files before block %llu (missing block, or rows out of block "
                                "order)",
                                fname(r, s), (unsigned long long)s->rec_line,
                                (unsigned long long)s->rec_block, (unsigned long long)b->number);
        switch (k) {
        case K_TXS:
            rc = row_tx(r, s, b);
            break;
        case K_RECEIPTS:
            rc = row_receipt(r, s, b);
            break;
        case K_LOGS:
            rc = row_log(r, s, b);
            break;
        case K_TT:
            rc = row_tt(r, s, b, have_logs);
            break;
        case K_TRACES:
            rc = row_trace(r, s, b);
            break;
        default:
            rc = 0;
        }
        s->have = false;
        if (rc)
            return rc;
    }
    return rc;
}

static int cmp_tx_index(const void *a, const void *b)
{
    const cw_evm_tx *x = a, *y = b;
    return x->index < y->index ? -1 : x->index > y->index;
}

int cw_evm_csv_next(cw_evm_csv *r, cw_evm_block *b)
{
    for (;;) {
        cw_evm_block_reset(b);
        stream *bs = &r->s[K_BLOCKS];
        int rc = next_record(r, bs);
        if (rc < 0)
            return rc;
        if (rc == 0) {
            /* rows left in other kinds name blocks that are not in the blocks files */
            for (int k = K_TXS; k < K_TOKENS; k++) {
                stream *s = &r->s[k];
                if (!r->present[k])
                    continue;
                if ((rc = next_record(r, s)) < 0)
                    return rc;
                if (rc == 1)
                    return cw_error_set(CW_ECORRUPT,
                                        "%s: line %llu: a row of block %llu, which is not in the "
                                        "blocks files",
                                        fname(r, s), (unsigned long long)s->rec_line,
                                        (unsigned long long)s->rec_block);
            }
            return 0;
        }
        bs->have = false;
        b->src_files = (const char *const *)r->names;
        b->n_src_files = r->n_names;
        if (bs->mem) {
            static const char *const mem_names[K_N] = {"blocks", "transactions",    "receipts",
                                                       "logs",   "token_transfers", "traces",
                                                       "tokens"};
            b->src_files = mem_names;
            b->n_src_files = K_N;
        }
        if ((rc = row_block(r, bs, b)))
            return rc;
        if ((rc = take_rows(r, K_TXS, b, false)))
            return rc;
        bool sorted = true;
        for (size_t i = 1; i < b->n_txs && sorted; i++)
            sorted = b->txs[i - 1].index < b->txs[i].index;
        if (!sorted)
            qsort(b->txs, b->n_txs, sizeof *b->txs, cmp_tx_index);
        if ((rc = take_rows(r, K_RECEIPTS, b, false)) || (rc = take_rows(r, K_LOGS, b, false)) ||
            (rc = take_rows(r, K_TT, b, r->present[K_LOGS])) ||
            (rc = take_rows(r, K_TRACES, b, false)))
            return rc;
        b->has_receipts = r->present[K_RECEIPTS] || r->s[K_TXS].col[T_R_GAS_USED] >= 0;
        b->has_logs = r->present[K_LOGS] || r->present[K_TT];
        b->has_traces = r->present[K_TRACES];
        if (r->present[K_RECEIPTS]) {
            for (size_t i = 0; i < b->n_txs; i++) {
                if (!b->txs[i].has_receipt)
                    return cw_error_set(
                        CW_ECORRUPT,
                        "%s line %llu: transaction %u of block %llu has no receipt in the "
                        "receipts files",
                        b->src_files[b->txs[i].src_file], (unsigned long long)b->txs[i].src_line,
                        b->txs[i].index, (unsigned long long)b->number);
            }
        }
        /* the effective gas price when the receipt does not say (older exports) */
        for (size_t i = 0; i < b->n_txs; i++) {
            cw_evm_tx *t = &b->txs[i];
            if (!cw_u256_is_zero(&t->effective_gas_price))
                continue;
            t->effective_gas_price = t->gas_price;
            if (t->type >= 2 && b->has_base_fee) {
                cw_u256 cap;
                if (!cw_u256_add(&cap, &b->base_fee, &t->max_priority_fee_per_gas) &&
                    cw_u256_cmp(&cap, &t->max_fee_per_gas) < 0)
                    t->effective_gas_price = cap;
                else if (!cw_u256_is_zero(&t->max_fee_per_gas))
                    t->effective_gas_price = t->max_fee_per_gas;
            }
        }
        if ((rc = cw_evm_block_finish(b)))
            return rc;
        if (b->number < r->skip_below)
            continue;
        /* tokens known so far */
        for (size_t i = 0; i < r->n_tokens; i++) {
            cw_evm_token *t = cw_evm_block_add_token(b);
            if (!t)
                return CW_ENOMEM;
            *t = r->tokens[i];
        }
        return 1;
    }
}

void cw_evm_csv_skip_below(cw_evm_csv *r, uint64_t n)
{
    r->skip_below = n;
}

uint64_t cw_evm_csv_bytes_read(const cw_evm_csv *r)
{
    uint64_t t = 0;
    for (int k = 0; k < K_N; k++) {
        const stream *s = &r->s[k];
        t += s->mem ? s->pos
                    : s->done_bytes + (s->gz        ? (uint64_t)gzoffset(s->gz)
                                       : s->fd >= 0 ? s->raw_off
                                                    : 0);
    }
    return t;
}

uint64_t cw_evm_csv_bytes_total(const cw_evm_csv *r)
{
    return r->total_bytes;
}

size_t cw_evm_csv_tokens(const cw_evm_csv *r, const cw_evm_token **tokens)
{
    *tokens = r->tokens;
    return r->n_tokens;
}

uint64_t cw_evm_csv_split_only(const char *buf, size_t len, uint64_t *rows)
{
    uint64_t fields = 0, recs = 0;
    size_t i = 0;
    while (i < len) {
        const char *e = memchr(buf + i, '\n', len - i);
        size_t end = e ? (size_t)(e - buf) : len;
        const char *q = memchr(buf + i, '"', end - i);
        if (!q) {
            /* count commas */
            size_t k = i;
            fields++;
            while (k < end) {
                const char *c = memchr(buf + k, ',', end - k);
                if (!c)
                    break;
                fields++;
                k = (size_t)(c - buf) + 1;
            }
        } else {
            bool inq = false;
            fields++;
            for (end = i; end < len; end++) {
                char c = buf[end];
                if (c == '"')
                    inq = !inq;
                else if (!inq && c == ',')
                    fields++;
                else if (!inq && c == '\n')
                    break;
            }
        }
        recs++;
        i = end + 1;
    }
    *rows = recs;
    return fields;
}

uint64_t cw_evm_csv_split_blocks(const char *buf, size_t len, uint64_t *rows)
{
#if CW_SCAN_WIDE
    uint8_t width = scan_width();
    if (width == CW_EVM_SCAN_AVX512)
        return split_blocks_avx512(buf, len, rows);
    if (width == CW_EVM_SCAN_AVX2)
        return split_blocks_avx2(buf, len, rows);
#endif
    return split_blocks_base(buf, len, rows);
}

int cw_evm_csv_split_record(char *buf, size_t len, int way, const char **f, size_t *n, int *nf,
                            size_t *end)
{
    uint8_t width = scan_width();
    if (way >= CW_EVM_SCAN_SSE2 && way <= CW_EVM_SCAN_AVX512) {
        if (way > width)
            return cw_error_set(CW_EINVAL, "this CPU lacks the instructions of scan width %d", way);
        width = (uint8_t)way;
    }
    cw_evm_csv *r = calloc(1, sizeof *r);
    if (!r)
        return cw_error_set(CW_ENOMEM, "out of memory");
    stream *s = &r->s[K_BLOCKS];
    s->kind = K_BLOCKS;
    s->mem = true;
    s->fd = -1;
    s->buf = buf;
    s->len = len;
    s->eof = true;
    s->line = s->rec_line = 1;
    s->width = width;
    int rc;
    uint64_t nl = 0;
    if (way != CW_EVM_SPLIT_GENERAL)
        rc = scan_record(s, end);
    else if ((rc = find_end(s, end, &nl)) == 1 && (rc = split(r, s, *end)) == 0)
        rc = 1;
    if (rc == 1) {
        for (int i = 0; i < s->nf; i++) {
            f[i] = s->f[i].p;
            n[i] = s->f[i].n;
        }
        *nf = s->nf;
    }
    free(r);
    return rc;
}
