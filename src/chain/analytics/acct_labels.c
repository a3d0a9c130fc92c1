/*
 * acct_labels.c: the labels of an EVM store's accounts (include/chainwatch/acct_labels.h).
 *
 * Built with one pass over the label store's address labels whose key is 0x-hex (one range of
 * the subject-key index): a subject that parses as an EVM address and is an account of the
 * store gives one entry (its strings copied). Entries are
 * sorted by account; each labelled account gets a group (first entry, count, category mask,
 * primary entry) found through one u64map probe.
 */
#include <stdlib.h>
#include <string.h>

#include "chainwatch/acct_labels.h"
#include "chainwatch/acct_trace.h"
#include "chainwatch/errors.h"
#include "chainwatch/util.h"
#include "util/u64map.h"

typedef struct entry {
    uint32_t account;
    uint32_t seq; /* order read, for a stable sort */
    int category; /* index into cw_label_categories() */
    cw_acct_label l;
    char *own[5]; /* the copies l points to */
} entry;

typedef struct group {
    uint32_t account;
    uint32_t first, n, primary; /* entries */
    uint32_t mask;
} group;

struct cw_acct_labels {
    entry *e;
    size_t n, cap;
    cw_acct_label *lab; /* e[i].l, contiguous (what _all returns), after sorting */
    group *g;
    size_t n_g;
    cw_u64map by_account; /* account -> group index */
};

/* Severity order of the primary label: lower is more severe. */
static int severity(const char *cat)
{
    static const char *const order[] = {
        "sanctioned", "theft",  "ransomware", "darknet_market",   "scam",
        "mixer",      "bridge", "exchange",   "exchange_deposit", NULL};
    for (int i = 0; order[i]; i++)
        if (!strcmp(order[i], cat))
            return i;
    return 100 + cw_acct_labels_category_index(cat);
}

int cw_acct_labels_category_index(const char *category)
{
    const char *const *cats = cw_label_categories();
    for (int i = 0; category && cats[i]; i++)
        if (!strcmp(cats[i], category))
            return i;
    return -1;
}

typedef struct build {
    cw_acct_labels *m;
    const cw_evmstore *s;
    int rc;
} build;

static char *dup(const char *s)
{
    return cw_strdup(s ? s : "");
}

static void entry_free(entry *e)
{
    for (int i = 0; i < 5; i++)
        cw_free(e->own[i]);
}

static int on_label(const cw_label *l, void *payload)
{
    build *b = payload;
    cw_acct_labels *m = b->m;
    if (l->subject_kind != CW_SUBJECT_ADDRESS)
        return 0;
    const char *sub = l->subject;
    while (*sub == ' ' || *sub == '\t')
        sub++;
    size_t len = strlen(sub);
    while (len && (sub[len - 1] == ' ' || sub[len - 1] == '\t'))
        len--;
    cw_evm_addr a;
    uint32_t account;
    if (len != 42 || cw_evm_addr_parse(&a, sub, len) != 0)
        return 0; /* not an EVM address: another chain's label */
    if (cw_evmstore_find_account(b->s, &a, &account) != 0)
        return 0;
    int cat = cw_acct_labels_category_index(l->category);
    if (cat < 0 || cat >= 32)
        return 0;
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 256;
        entry *ne = cw_realloc(m->e, cap * sizeof *ne);
        if (!ne)
            return b->rc = cw_error_set(CW_ENOMEM, "out of memory reading EVM labels");
        m->e = ne;
        m->cap = cap;
    }
    entry *e = &m->e[m->n];
    memset(e, 0, sizeof *e);
    e->account = account;
    e->seq = (uint32_t)m->n;
    e->category = cat;
    e->l.category = cw_label_categories()[cat];
    e->l.entity = e->own[0] = dup(l->entity);
    e->l.entity_ref = e->own[1] = dup(l->entity_ref);
    e->l.asset = e->own[2] = dup(l->asset);
    e->l.programs = e->own[3] = dup(l->programs);
    e->l.source = e->own[4] = dup(l->source);
    m->n++;
    if (!e->l.entity || !e->l.entity_ref || !e->l.asset || !e->l.programs || !e->l.source)
        return b->rc = cw_error_set(CW_ENOMEM, "out of memory reading EVM labels");
    return 0;
}

static int cmp_entry(const void *x, const void *y)
{
    const entry *a = x, *b = y;
    if (a->account != b->account)
        return a->account < b->account ? -1 : 1;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

int cw_acct_labels_new(cw_acct_labels **out, const cw_evmstore *s, cw_labels *db)
{
    *out = NULL;
    cw_acct_labels *m = cw_calloc(1, sizeof *m);
    if (!m)
        return cw_error_set(CW_ENOMEM, "out of memory");
    int rc = 0;
    if (db) {
        build b = {m, s, 0};
        /* an EVM address's key is its lower-case 0x-hex (cw_label_address_key): only
         * the keys from "0x" to "0y" can parse, the rest of a mixed store is not read */
        rc = cw_labels_foreach_key_range(db, "0x", "0y", on_label, &b);
        if (b.rc)
            rc = b.rc;
        if (rc > 0)
            rc = 0;
        if (rc)
            goto out;
    }
    if (m->n)
        qsort(m->e, m->n, sizeof *m->e, cmp_entry);
    m->g = cw_calloc(m->n ? m->n : 1, sizeof *m->g);
    m->lab = cw_calloc(m->n ? m->n : 1, sizeof *m->lab);
    if (!m->g || !m->lab) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < m->n; i++) {
        m->lab[i] = m->e[i].l;
        if (!m->n_g || m->g[m->n_g - 1].account != m->e[i].account) {
            m->g[m->n_g] = (group){m->e[i].account, (uint32_t)i, 0, (uint32_t)i, 0};
            if ((rc = cw_u64map_set(&m->by_account, m->e[i].account, m->n_g)))
                goto out;
            m->n_g++;
        }
        group *g = &m->g[m->n_g - 1];
        g->n++;
        g->mask |= 1u << m->e[i].category;
        if (severity(m->e[i].l.category) < severity(m->e[g->primary].l.category))
            g->primary = (uint32_t)i;
    }
out:
    if (rc) {
        cw_acct_labels_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

void cw_acct_labels_free(cw_acct_labels *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++)
        entry_free(&m->e[i]);
    cw_free(m->e);
    cw_free(m->g);
    cw_free(m->lab);
    cw_u64map_deinit(&m->by_account);
    cw_free(m);
}

size_t cw_acct_labels_count(const cw_acct_labels *m)
{
    return m ? m->n_g : 0;
}

static const group *group_of(const cw_acct_labels *m, uint32_t account)
{
    uint64_t i;
    if (!m || account == CW_EVM_NONE32 || !cw_u64map_get(&m->by_account, account, &i))
        return NULL;
    return &m->g[i];
}

uint32_t cw_acct_labels_mask(const cw_acct_labels *m, uint32_t account)
{
    const group *g = group_of(m, account);
    return g ? g->mask : 0;
}

bool cw_acct_labels_has(const cw_acct_labels *m, uint32_t account, const char *category)
{
    int c = cw_acct_labels_category_index(category);
    return c >= 0 && c < 32 && (cw_acct_labels_mask(m, account) & (1u << c));
}

const cw_acct_label *cw_acct_labels_primary(const cw_acct_labels *m, uint32_t account)
{
    const group *g = group_of(m, account);
    return g ? &m->lab[g->primary] : NULL;
}

const cw_acct_label *cw_acct_labels_all(const cw_acct_labels *m, uint32_t account, size_t *n)
{
    const group *g = group_of(m, account);
    *n = g ? g->n : 0;
    return g ? &m->lab[g->first] : NULL;
}

const cw_acct_label *cw_acct_labels_of(const cw_acct_labels *m, uint32_t account,
                                       const char *category)
{
    const group *g = group_of(m, account);
    for (uint32_t i = 0; g && i < g->n; i++)
        if (!strcmp(m->lab[g->first + i].category, category))
            return &m->lab[g->first + i];
    return NULL;
}

int cw_acct_labels_stop(const cw_acct_labels *m, uint32_t account)
{
    uint32_t mask = cw_acct_labels_mask(m, account);
    if (!mask)
        return CW_ACCT_STOP_NONE;
    /* the lowest stop kind wins, as the CLI's label stops always did: exchange, mixer, bridge */
    if (cw_acct_labels_has(m, account, "exchange") ||
        cw_acct_labels_has(m, account, "exchange_deposit"))
        return CW_ACCT_STOP_EXCHANGE;
    if (cw_acct_labels_has(m, account, "mixer"))
        return CW_ACCT_STOP_MIXER;
    if (cw_acct_labels_has(m, account, "bridge"))
        return CW_ACCT_STOP_BRIDGE;
    return CW_ACCT_STOP_NONE;
}

int cw_acct_labels_foreach(const cw_acct_labels *m, int (*cb)(uint32_t account, void *payload),
                           void *payload)
{
    for (size_t i = 0; m && i < m->n_g; i++) {
        int rc = cb(m->g[i].account, payload);
        if (rc)
            return rc;
    }
    return 0;
}
