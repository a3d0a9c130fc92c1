/*
 * trace_labels.c: the address-id -> label map used by tracing and screening, the generic
 * CoinJoin rule, the name tables of trace.h, and --from resolution (trace sources).
 *
 * The map is built once per run from the SQLite label store: every address label whose
 * subject decodes for the store's network and is present in the store's address index.
 * An address with several labels keeps all its categories (a mask) and, as its primary label,
 * the most severe one: sanctioned first, so that a sanctioned label never hides behind an
 * exchange's or a miner's label in a trace or a screen. Labels are read in storage order with
 * one table scan (cw_labels_foreach_address); the ones kept are sorted into the list order
 * (category, asset, subject key, id) before they compete, so that ties and the order of the
 * addresses are those of cw_labels_foreach. Entity names are interned (one copy per entity);
 * categories point into the label module's static category list. Lookups are one u64map
 * probe.
 */
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "chainwatch/cluster.h"
#include "chainwatch/errors.h"
#include "chainwatch/trace.h"
#include "chainwatch/util.h"
#include "util/u64map.h"

typedef struct lm_entry {
    uint32_t entity;   /* index into names */
    uint32_t category; /* index into cw_label_categories(): the primary (most severe) label */
    uint32_t mask;     /* every category the address has (bit i = category i, i < 32) */
} lm_entry;

struct cw_trace_labelmap {
    cw_u64map by_addr; /* addr id -> entry index */
    lm_entry *e;
    uint64_t *addrs; /* entry index -> addr id */
    size_t n, cap;
    char **names;
    size_t n_names, cap_names;
    cw_u64map intern; /* name hash -> index into names (a multimap), while entries are added */
    /* a lazy map (cw_trace_labelmap_open): by_addr fills on first use, LM_NONE = no label */
    cw_labels *db;
    const cw_chainstore *cs;
    int err;      /* the first error of a lookup (message set), else 0 */
    int nonempty; /* -1 not known yet, else whether the full map would have an entry */
    bool full;    /* every label read (built so, or a lazy map that switched) */
    bool began;   /* this map began db's read transaction (and ends it) */
    uint64_t lookups, switch_at; /* lazy: addresses looked up; past switch_at: read them all */
    cw_trace_labelmap *memo;     /* this map: where a const lookup writes what it learnt */
    int cat_rank[64]; /* a category's place in byte-wise order of the names (the list's order) */
};

#define LM_NONE (UINT64_MAX - 1) /* u64map reserves UINT64_MAX */
static const char *const lm_assets[] = {"", "BTC", "XBT", NULL};

static const char *const model_names[] = {"poison", "haircut", "fifo"};
static const char *const end_names[] = {"label",    "unspent", "fee",           "dust",
                                        "frontier", "burned",  "coinbase",      "external",
                                        "coinjoin", "self",    "service_sweep", "bridge"};
_Static_assert(sizeof end_names / sizeof end_names[0] == CW_END_N, "an end kind without a name");
static const char *const cj_names[] = {"order", "rank", "stop", "proportional"};
static const char *const rule_names[] = {"",
                                         "coinjoin-order",
                                         "coinjoin-rank",
                                         "coinjoin-proportional",
                                         "relinked-cospend",
                                         "relinked-remix",
                                         "relinked-address",
                                         "mixer-payout",
                                         "service-payout",
                                         "relinked-funding",
                                         "relinked-carried",
                                         "third-party",
                                         "payjoin",
                                         "probable-source"};
_Static_assert(sizeof rule_names / sizeof rule_names[0] == CW_RULE_N, "a rule without a name");

const char *cw_trace_rule_name(cw_trace_rule r)
{
    return (unsigned)r < CW_RULE_N ? rule_names[r] : "?";
}

const char *cw_trace_model_name(cw_trace_model m)
{
    return (unsigned)m < 3 ? model_names[m] : "?";
}

int cw_trace_model_parse(cw_trace_model *out, const char *s)
{
    for (int i = 0; i < 3; i++)
        if (!strcmp(s, model_names[i])) {
            *out = (cw_trace_model)i;
            return 0;
        }
    return cw_error_set(CW_EINVAL, "unknown model '%s' (poison, haircut, fifo)", s);
}

const char *cw_trace_end_kind_name(cw_trace_end_kind k)
{
    return (unsigned)k < CW_END_N ? end_names[k] : "?";
}

const char *cw_trace_coinjoin_name(cw_trace_coinjoin c)
{
    return (unsigned)c < CW_CJ_N ? cj_names[c] : "?";
}

int cw_trace_coinjoin_parse(cw_trace_coinjoin *out, const char *s)
{
    for (int i = 0; i < CW_CJ_N; i++)
        if (!strcmp(s, cj_names[i])) {
            *out = (cw_trace_coinjoin)i;
            return 0;
        }
    if (!strcmp(s, "through")) { /* screening's word for "as any tx" */
        *out = CW_CJ_ORDER;
        return 0;
    }
    return cw_error_set(
        CW_EINVAL, "unknown CoinJoin policy '%s' (proportional, stop, rank, order|through)", s);
}

/* ---------------------------------------------------------------- label map */

static int category_index(const char *c)
{
    const char *const *cats = cw_label_categories();
    for (int i = 0; cats[i]; i++)
        if (cats[i][0] == c[0] && !strcmp(cats[i], c))
            return i;
    return -1;
}

/* Lower is more severe: the order in which an address's labels compete to be its primary. */
static int label_severity(const char *cat)
{
    static const char *const order[] = {
        "sanctioned", "theft",  "ransomware", "darknet_market",   "scam",
        "mixer",      "bridge", "exchange",   "exchange_deposit", NULL};
    for (int i = 0; order[i]; i++)
        if (!strcmp(order[i], cat))
            return i;
    return 100 + category_index(cat);
}

/* A label whose subject is an address of the store, kept until every label is read: labels
 * come in storage order and are sorted into the list order (category, asset, subject key,
 * id) in which they compete to be an address's primary label. */
typedef struct lm_row {
    uint64_t addr;
    int64_t id;
    uint64_t prefix; /* the key's first 8 bytes, big-endian (zero-padded): compares as it */
    const char *key; /* subject key, then the entity name, in build_ctx.text */
    size_t off;      /* of key in build_ctx.text, until the text is complete */
    size_t entity;   /* key + entity: the entity name */
    int cat;         /* index into cw_label_categories() */
    int rank;        /* cat's rank in byte-wise order of the category names */
    int asset;       /* "" < "BTC" < "XBT", as the list orders them */
} lm_row;

typedef struct build_ctx {
    cw_trace_labelmap *m;
    const cw_chainstore *cs;
    lm_row *rows;
    size_t n, cap;
    char *text; /* the rows' keys and entity names */
    size_t len, text_cap;
    const cw_addr_key *key; /* on_key_label: the address looked up */
    uint64_t addr;
} build_ctx;

static int push_row(build_ctx *b, const cw_label_addr *l, uint64_t a, int cat, int asset);

static int intern(cw_trace_labelmap *m, const char *name, uint32_t *idx)
{
    size_t len = strlen(name);
    uint64_t h = XXH3_64bits(name, len), cur = 0, v;
    while (cw_u64map_next(&m->intern, h, &cur, &v))
        if (!strcmp(m->names[v], name)) {
            *idx = (uint32_t)v;
            return 0;
        }
    if (m->n_names == m->cap_names) {
        size_t cap = m->cap_names ? m->cap_names * 2 : 64;
        char **n = cw_realloc(m->names, cap * sizeof *n);
        if (!n)
            return CW_ENOMEM;
        m->names = n;
        m->cap_names = cap;
    }
    char *d = cw_strdup(name);
    if (!d)
        return CW_ENOMEM;
    m->names[m->n_names] = d;
    *idx = (uint32_t)m->n_names++;
    return cw_u64map_put(&m->intern, h, *idx);
}

static int cat_rank(const build_ctx *b, int cat)
{
    if (cat < 64)
        return b->m->cat_rank[cat];
    const char *const *cats = cw_label_categories();
    int r = 0;
    for (int j = 0; cats[j]; j++)
        r += strcmp(cats[j], cats[cat]) < 0;
    return r;
}

static int on_label(const cw_label_addr *l, void *payload)
{
    build_ctx *b = payload;
    int asset = !l->asset[0] ? 0 : !strcmp(l->asset, "BTC") ? 1 : !strcmp(l->asset, "XBT") ? 2 : -1;
    if (asset < 0)
        return 0;
    int cat = category_index(l->category);
    if (cat < 0)
        return 0;
    cw_addr_key k;
    uint64_t a;
    if (cw_addr_decode(&k, l->subject, cw_chainstore_network(b->cs)) != 0)
        return 0;
    if (cw_chainstore_find_addr(b->cs, &k, &a) != 0)
        return 0;
    return push_row(b, l, a, cat, asset);
}

/* A label of subject-key lookup (lazy map): kept when its subject decodes to this address's
 * key, as on_label keeps it (a subject with blanks around it, or of another network, has the
 * key but does not decode). */
static int on_key_label(const cw_label_addr *l, void *payload)
{
    build_ctx *b = payload;
    int asset = !l->asset[0] ? 0 : !strcmp(l->asset, "BTC") ? 1 : !strcmp(l->asset, "XBT") ? 2 : -1;
    int cat = asset < 0 ? -1 : category_index(l->category);
    cw_addr_key k;
    if (cat < 0 || cw_addr_decode(&k, l->subject, cw_chainstore_network(b->cs)) != 0 ||
        memcmp(&k, b->key, sizeof k) != 0)
        return 0;
    return push_row(b, l, b->addr, cat, asset);
}

static int push_row(build_ctx *b, const cw_label_addr *l, uint64_t a, int cat, int asset)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 1024;
        lm_row *r = cw_realloc(b->rows, cap * sizeof *r);
        if (!r)
            return CW_ENOMEM;
        b->rows = r;
        b->cap = cap;
    }
    size_t kl = strlen(l->subject_key) + 1, el = strlen(l->entity) + 1;
    if (b->len + kl + el > b->text_cap) {
        size_t cap = b->text_cap ? b->text_cap * 2 : 1 << 16;
        while (cap < b->len + kl + el)
            cap *= 2;
        char *t = cw_realloc(b->text, cap);
        if (!t)
            return CW_ENOMEM;
        b->text = t;
        b->text_cap = cap;
    }
    char *key = b->text + b->len;
    memcpy(key, l->subject_key, kl);
    memcpy(key + kl, l->entity, el);
    uint64_t prefix = 0;
    for (size_t i = 0; i < 8; i++)
        prefix = prefix << 8 | (i < kl ? (unsigned char)key[i] : 0u);
    b->rows[b->n++] = (lm_row){a, l->id, prefix, NULL, b->len, kl, cat, cat_rank(b, cat), asset};
    b->len += kl + el;
    return 0;
}

static int cmp_row(const void *pa, const void *pb)
{
    const lm_row *a = pa, *b = pb;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    if (a->asset != b->asset)
        return a->asset < b->asset ? -1 : 1;
    if (a->prefix != b->prefix)
        return a->prefix < b->prefix ? -1 : 1;
    int c = strcmp(a->key, b->key);
    if (c)
        return c;
    return a->id < b->id ? -1 : a->id > b->id;
}

static int add_label(cw_trace_labelmap *m, const lm_row *r)
{
    const char *category = cw_label_categories()[r->cat];
    uint64_t seen;
    if (cw_u64map_get(&m->by_addr, r->addr, &seen)) {
        /* the most severe label is the primary one; the others stay in the mask */
        lm_entry *e = &m->e[seen];
        if (r->cat < 32)
            e->mask |= 1u << r->cat;
        if (label_severity(category) < label_severity(cw_label_categories()[e->category])) {
            uint32_t ent;
            int rc = intern(m, r->key + r->entity, &ent);
            if (rc)
                return rc;
            e->entity = ent;
            e->category = (uint32_t)r->cat;
        }
        return 0;
    }
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 1024;
        lm_entry *e = cw_realloc(m->e, cap * sizeof *e);
        if (!e)
            return CW_ENOMEM;
        m->e = e;
        uint64_t *ad = cw_realloc(m->addrs, cap * sizeof *ad);
        if (!ad)
            return CW_ENOMEM;
        m->addrs = ad;
        m->cap = cap;
    }
    uint32_t ent;
    int rc = intern(m, r->key + r->entity, &ent);
    if (rc == 0)
        rc = cw_u64map_set(&m->by_addr, r->addr, m->n);
    if (rc)
        return rc;
    m->e[m->n] = (lm_entry){ent, (uint32_t)r->cat, r->cat < 32 ? 1u << r->cat : 0};
    m->addrs[m->n] = r->addr;
    m->n++;
    return 0;
}

static cw_trace_labelmap *map_alloc(void)
{
    cw_trace_labelmap *m = cw_calloc(1, sizeof *m);
    if (!m)
        return NULL;
    const char *const *cats = cw_label_categories();
    for (int i = 0; cats[i] && i < 64; i++)
        for (int j = 0; cats[j]; j++)
            m->cat_rank[i] += strcmp(cats[j], cats[i]) < 0;
    return m;
}

static void build_init(build_ctx *b, cw_trace_labelmap *m, const cw_chainstore *cs)
{
    *b = (build_ctx){.m = m, .cs = cs};
}

/* The rows read, sorted into the list order, compete for their addresses' entries. */
static int build_finish(build_ctx *b, int rc)
{
    for (size_t i = 0; i < b->n; i++)
        b->rows[i].key = b->text + b->rows[i].off;
    if (rc == 0 && b->n > 1)
        qsort(b->rows, b->n, sizeof *b->rows, cmp_row);
    for (size_t i = 0; rc == 0 && i < b->n; i++)
        rc = add_label(b->m, &b->rows[i]);
    cw_free(b->rows);
    cw_free(b->text);
    return rc;
}

int cw_trace_labelmap_new(cw_trace_labelmap **out, const cw_chainstore *cs, cw_labels *db)
{
    *out = NULL;
    cw_trace_labelmap *m = map_alloc();
    if (!m)
        return CW_ENOMEM;
    build_ctx b;
    build_init(&b, m, cs);
    int rc = build_finish(&b, db ? cw_labels_foreach_address(db, lm_assets, on_label, &b) : 0);
    cw_u64map_deinit(&m->intern);
    if (rc < 0) {
        cw_trace_labelmap_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

int cw_trace_labelmap_open(cw_trace_labelmap **out, const cw_chainstore *cs, cw_labels *db)
{
    *out = NULL;
    if (!db)
        return cw_trace_labelmap_new(out, cs, db);
    cw_trace_labelmap *m = map_alloc();
    if (!m)
        return CW_ENOMEM;
    /* one read transaction: the label count below takes the snapshot every lookup reads (a
     * caller's own transaction, e.g. a second lazy map's, serves as well) */
    bool began = !cw_labels_in_transaction(db);
    int rc = began ? cw_labels_read_begin(db) : 0;
    if (rc) {
        cw_free(m);
        return rc;
    }
    /* A lookup costs ~1.9x what one label costs the full build (16k against 8.8k instructions:
     * subject-key index probe, address string; measured on btc_alt8 and the demo): past half
     * as many lookups as labels, reading them all is cheaper, and a screen of thousands of
     * deposits can touch more (btc_alt8 s1: 55,736 addresses, 140,804 labels). */
    cw_labels_totals tot;
    if ((rc = cw_labels_totals_get(db, &tot))) {
        if (began)
            cw_labels_read_end(db);
        cw_free(m);
        return rc;
    }
    m->switch_at = (uint64_t)(tot.labels > 0 ? tot.labels : 0) / 2;
    m->began = began;
    m->db = db;
    m->cs = cs;
    m->nonempty = -1;
    m->memo = m;
    *out = m;
    return 0;
}

/* A lazy map past switch_at lookups: every label read as cw_trace_labelmap_new reads them. The
 * entries so far are rebuilt (the same, since an address's entry depends only on its labels);
 * names stay, so strings _get returned stay valid. */
static int read_all(cw_trace_labelmap *m)
{
    m->full = true;
    cw_u64map_clear(&m->by_addr);
    m->n = 0;
    build_ctx b;
    build_init(&b, m, m->cs);
    return build_finish(&b, cw_labels_foreach_address(m->db, lm_assets, on_label, &b));
}

/* The subject-key range of an address's labels: its string's label key, or for the hex forms
 * ("multisig-", "script-", "witness-v0-": hex digits in either case decode) every key of the
 * form. Returns false for an address without a string. */
static bool key_range(const cw_addr_key *k, cw_network net, char *lo, size_t size, char *hi)
{
    char s[CW_ADDR_STR_MAX];
    if (cw_addr_encode(s, sizeof s, k, net) != 0)
        return false;
    static const char *const forms[] = {"multisig-", "script-", "witness-v0-"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        size_t n = strlen(forms[i]);
        if (!strncmp(s, forms[i], n)) {
            memcpy(lo, forms[i], n + 1);
            memcpy(hi, forms[i], n + 1);
            hi[n - 1]++; /* '-' + 1: just past every key of the form */
            return true;
        }
    }
    hi[0] = 0;
    return cw_label_address_key(lo, size, s) == 0;
}

/* A lazy map's entry for addr: its labels read by subject key, kept and ranked as the full
 * build keeps and ranks them. *idx = the entry or LM_NONE. */
static int resolve(cw_trace_labelmap *m, uint64_t addr, uint64_t *idx)
{
    *idx = LM_NONE;
    if (m->err)
        return m->err;
    int rc = 0;
    if (++m->lookups > m->switch_at) {
        if ((rc = read_all(m)) != 0) {
            m->err = rc;
            return rc;
        }
        if (!cw_u64map_get(&m->by_addr, addr, idx))
            *idx = LM_NONE;
        return 0;
    }
    cw_network net = cw_chainstore_network(m->cs);
    char lo[CW_ADDR_STR_MAX + 16], hi[32];
    if (addr < cw_chainstore_counts_get(m->cs).addrs) {
        const cw_addr_key *k = cw_chainstore_addr(m->cs, addr);
        if (k && key_range(k, net, lo, sizeof lo, hi)) {
            build_ctx b;
            build_init(&b, m, m->cs);
            b.key = k;
            b.addr = addr;
            rc = build_finish(&b, cw_labels_foreach_address_key(m->db, lo, hi[0] ? hi : NULL,
                                                                lm_assets, on_key_label, &b));
        }
    }
    if (rc == 0 && !cw_u64map_get(&m->by_addr, addr, idx))
        rc = cw_u64map_set(&m->by_addr, addr, LM_NONE);
    if (rc) {
        m->err = rc;
        *idx = LM_NONE;
    }
    return rc;
}

/* The entry of addr, or false. A lazy map looks addr up on first use and remembers the
 * answer: the map is logically const (it answers as the full map would), so the memo is
 * written through m->memo; a lazy map is for one thread. */
static bool entry_of(const cw_trace_labelmap *m, uint64_t addr, uint64_t *i)
{
    if (!m || addr == CW_NONE64)
        return false;
    if (cw_u64map_get(&m->by_addr, addr, i))
        return *i != LM_NONE;
    if (!m->db || m->full)
        return false;
    return resolve(m->memo, addr, i) == 0 && *i != LM_NONE;
}

void cw_trace_labelmap_free(cw_trace_labelmap *m)
{
    if (!m)
        return;
    if (m->began)
        cw_labels_read_end(m->db);
    cw_u64map_deinit(&m->by_addr);
    for (size_t i = 0; i < m->n_names; i++)
        cw_free(m->names[i]);
    cw_free(m->names);
    cw_free(m->e);
    cw_free(m->addrs);
    cw_u64map_deinit(&m->intern);
    cw_free(m);
}

bool cw_trace_labelmap_get(const cw_trace_labelmap *m, uint64_t addr, const char **entity,
                           const char **category)
{
    uint64_t i;
    if (!entry_of(m, addr, &i))
        return false;
    if (entity)
        *entity = m->names[m->e[i].entity];
    if (category)
        *category = cw_label_categories()[m->e[i].category];
    return true;
}

bool cw_trace_labelmap_has(const cw_trace_labelmap *m, uint64_t addr, const char *category)
{
    uint64_t i;
    int cat = category_index(category);
    if (cat < 0 || cat >= 32 || !entry_of(m, addr, &i))
        return false;
    return (m->e[i].mask >> cat) & 1u;
}

size_t cw_trace_labelmap_count(const cw_trace_labelmap *m)
{
    return m ? m->n : 0;
}

bool cw_trace_labelmap_lazy(const cw_trace_labelmap *m)
{
    return m && m->db;
}

int cw_trace_labelmap_error(const cw_trace_labelmap *m)
{
    return m ? m->err : 0;
}

/* cw_trace_labelmap_empty of a lazy map: stops at the first label the full map would keep. */
static int on_any(const cw_label_addr *l, void *payload)
{
    const cw_chainstore *cs = ((const cw_trace_labelmap *)payload)->cs;
    cw_addr_key k;
    uint64_t a;
    if (category_index(l->category) < 0 ||
        cw_addr_decode(&k, l->subject, cw_chainstore_network(cs)) != 0 ||
        cw_chainstore_find_addr(cs, &k, &a) != 0)
        return 0;
    return 1;
}

bool cw_trace_labelmap_empty(const cw_trace_labelmap *m)
{
    if (!m || m->n)
        return !m;
    if (!m->db || m->full)
        return true;
    cw_trace_labelmap *w = m->memo; /* as in entry_of */
    if (w->nonempty < 0 && !w->err) {
        int rc = cw_labels_foreach_address(w->db, lm_assets, on_any, w);
        if (rc < 0)
            w->err = rc;
        else
            w->nonempty = rc == 1;
    }
    return w->nonempty != 1;
}

size_t cw_trace_labelmap_find(const cw_trace_labelmap *m, const char *name,
                              void (*cb)(uint64_t addr, void *payload), void *payload)
{
    size_t n = 0;
    if (!m || m->db) /* a lazy map knows only the addresses asked about */
        return 0;
    int cat = category_index(name);
    for (size_t i = 0; i < m->n; i++) {
        if ((cat >= 0 && cat < 32 && ((m->e[i].mask >> cat) & 1u)) ||
            !strcmp(m->names[m->e[i].entity], name)) {
            if (cb)
                cb(m->addrs[i], payload);
            n++;
        }
    }
    return n;
}

/* ---------------------------------------------------------------- CoinJoin rule */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

bool cw_trace_coinjoin_generic(void *ctx, const cw_chainstore *cs, uint64_t tx)
{
    (void)ctx;
    uint64_t in0, in1, o0, o1;
    cw_chainstore_tx_range(cs, tx, &in0, &in1, &o0, &o1);
    uint64_t n_in = in1 - in0, n_out = o1 - o0;
    if (n_in < 2 || n_out < 3 || n_out > 4096)
        return false;
    if (cw_chainstore_in(cs, in0)->spent_tx == CW_IN_COINBASE)
        return false;
    uint64_t small[64], *v = n_out <= 64 ? small : cw_malloc(n_out * sizeof *v);
    if (!v)
        return false;
    for (uint64_t o = o0; o < o1; o++)
        v[o - o0] = cw_out_value(cw_chainstore_out(cs, o));
    qsort(v, n_out, sizeof *v, cmp_u64);
    uint64_t best = 1, run = 1;
    for (uint64_t i = 1; i < n_out; i++) {
        run = v[i] == v[i - 1] ? run + 1 : 1;
        if (run > best)
            best = run;
    }
    if (v != small)
        cw_free(v);
    return best >= 3 && best <= n_in;
}

/* ---------------------------------------------------------------- sources */

static int src_push(cw_trace_sources *s, uint64_t out)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        uint64_t *o = cw_realloc(s->outs, cap * sizeof *o);
        if (!o)
            return CW_ENOMEM;
        s->outs = o;
        s->cap = cap;
    }
    s->outs[s->n++] = out;
    return 0;
}

static uint32_t out_height(const cw_chainstore *cs, uint64_t out)
{
    uint64_t t = cw_chainstore_out_tx(cs, out);
    return cw_chainstore_block(cs, cw_chainstore_tx_block(cs, t))->height;
}

static int add_address(cw_trace_sources *s, const cw_chainstore *cs, uint64_t a, uint32_t until)
{
    for (uint64_t o = cw_chainstore_addr_last(cs, a); o != CW_NONE64;
         o = cw_chainstore_outlink(cs, o)) {
        if (until != UINT32_MAX && out_height(cs, o) > until)
            continue;
        int rc = src_push(s, o);
        if (rc)
            return rc;
    }
    return 0;
}

typedef struct find_ctx {
    cw_trace_sources *s;
    const cw_chainstore *cs;
    uint32_t until;
    int rc;
} find_ctx;

static void on_found(uint64_t addr, void *payload)
{
    find_ctx *f = payload;
    if (f->rc == 0)
        f->rc = add_address(f->s, f->cs, addr, f->until);
}

/* "cluster:ID" or "cluster:ADDRESS": every address of the cluster (cluster.h; needs
 * `chainwatch cluster build`). Ids are renumbered by every build; an address is stable. */
static int add_cluster(cw_trace_sources *src, const cw_chainstore *cs, const char *from,
                       uint32_t until)
{
    const char *arg = from + 8;
    cw_clusters *cl = NULL;
    int rc = cw_clusters_open(&cl, cs);
    if (rc)
        return cw_error_wrap(rc, "source %s: clusters (run `chainwatch cluster build`): ", from);
    uint64_t id;
    if (cw_parse_u64(&id, arg) != 0) {
        cw_addr_key k;
        uint64_t a;
        if (cw_addr_decode(&k, arg, cw_chainstore_network(cs)) != 0) {
            rc = cw_error_wrap(CW_EINVAL, "source %s: not a cluster id or an address: ", from);
            goto out;
        }
        if (cw_chainstore_find_addr(cs, &k, &a) != 0 ||
            (id = cw_clusters_of(cl, (uint32_t)a)) == CW_NONE32) {
            rc = cw_error_set(CW_ENOTFOUND, "source %s: address not in the store's clusters", from);
            goto out;
        }
    }
    if (id >= cw_clusters_count(cl)) {
        rc = cw_error_set(CW_ENOTFOUND, "source %s: there are %llu clusters", from,
                          (unsigned long long)cw_clusters_count(cl));
        goto out;
    }
    uint64_t n;
    const uint32_t *m = cw_clusters_members(cl, (uint32_t)id, &n);
    for (uint64_t i = 0; i < n && rc == 0; i++)
        rc = add_address(src, cs, m[i], until);
out:
    cw_clusters_close(cl);
    return rc;
}

int cw_trace_sources_add(cw_trace_sources *src, const cw_chainstore *cs,
                         const cw_trace_labelmap *labels, const char *from, uint32_t until)
{
    cw_chainstore_counts c = cw_chainstore_counts_get(cs);
    if (!strncmp(from, "cluster:", 8))
        return add_cluster(src, cs, from, until);
    if (!strncmp(from, "label:", 6)) {
        if (!labels)
            return cw_error_set(CW_EINVAL, "source %s: a label source needs a label store", from);
        if (cw_trace_labelmap_lazy(labels))
            return cw_error_set(CW_EINVAL,
                                "source %s: a label source needs the full label map "
                                "(cw_trace_labelmap_new)",
                                from);
        find_ctx f = {src, cs, until, 0};
        size_t n = cw_trace_labelmap_find(labels, from + 6, on_found, &f);
        if (f.rc)
            return f.rc;
        if (n == 0)
            return cw_error_set(CW_ENOTFOUND,
                                "source %s: no address in the store has a label with this "
                                "entity or category",
                                from);
        return 0;
    }
    size_t len = strlen(from);
    if (len >= 64 && len <= 64 + 11 && (len == 64 || from[64] == ':')) {
        uint8_t txid[32];
        char hex[65];
        memcpy(hex, from, 64);
        hex[64] = 0;
        if (cw_hex_decode_rev(txid, 32, hex) == 0) {
            uint64_t t, vout = UINT64_MAX;
            if (len > 64 && cw_parse_u64(&vout, from + 65))
                return cw_error_set(CW_EINVAL, "source %s: the output index is not a number", from);
            if (cw_chainstore_find_tx(cs, txid, &t))
                return cw_error_set(CW_ENOTFOUND, "source %s: tx %s is not in the store", from,
                                    hex);
            uint64_t in0, in1, o0, o1;
            cw_chainstore_tx_range(cs, t, &in0, &in1, &o0, &o1);
            if (vout != UINT64_MAX) {
                if (vout >= o1 - o0)
                    return cw_error_set(CW_ENOTFOUND, "source %s: tx has %llu outputs", from,
                                        (unsigned long long)(o1 - o0));
                return src_push(src, o0 + vout);
            }
            for (uint64_t o = o0; o < o1; o++) {
                int rc = src_push(src, o);
                if (rc)
                    return rc;
            }
            return 0;
        }
    }
    cw_addr_key k;
    uint64_t a;
    if (cw_addr_decode(&k, from, cw_chainstore_network(cs)) != 0)
        return cw_error_wrap(CW_EINVAL,
                             "source %s: not txid:vout, txid, label:NAME or an address: ", from);
    if (cw_chainstore_find_addr(cs, &k, &a) != 0 || a >= c.addrs)
        return cw_error_set(CW_ENOTFOUND, "source %s: address has no outputs in the store", from);
    size_t before = src->n;
    int rc = add_address(src, cs, a, until);
    if (rc == 0 && src->n == before)
        rc = cw_error_set(CW_ENOTFOUND, "source %s: no outputs at or below the height limit", from);
    return rc;
}

void cw_trace_sources_deinit(cw_trace_sources *src)
{
    cw_free(src->outs);
    memset(src, 0, sizeof *src);
}
