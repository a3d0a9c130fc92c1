/*
 * screen.c: exposure screening (screen.h): a backward haircut trace from every output paid to
 * the address, k hops deep, stopping at the first labelled address on each path; the value
 * that ends at a label is exposure to its category (hop 1 direct, hops 2..k indirect).
 * The trace is kept for the paths. Shares are of the received value minus what came from the
 * address itself (CW_END_SELF), so change sent back to oneself does not dilute exposure.
 */
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/btc/query.h"
#include "chainwatch/screen.h"
#include "chainwatch/util.h"

#define MAX_CATS 64

typedef struct cat_acc {
    uint64_t direct, indirect;
    uint32_t min_hop;
} cat_acc;

struct cw_screen_result {
    const cw_chainstore *cs;
    const cw_trace_labelmap *labels;
    char address[CW_ADDR_STR_MAX];
    uint32_t hops;
    uint64_t received, self, unknown, coinbase;
    cat_acc cats[MAX_CATS];
    size_t n_cats;
    cw_trace *trace;
};

void cw_screen_opts_init(cw_screen_opts *o)
{
    memset(o, 0, sizeof *o);
    o->hops = 3;
    o->until_height = UINT32_MAX;
    o->min_value = 1;
}

static int cat_index(const char *c)
{
    const char *const *cats = cw_label_categories();
    for (int i = 0; i < MAX_CATS && cats[i]; i++)
        if (!strcmp(cats[i], c))
            return i;
    return -1;
}

int cw_screen_address(cw_screen_result **out, const cw_chainstore *cs,
                      const cw_trace_labelmap *labels, const char *addr, const cw_screen_opts *opts)
{
    *out = NULL;
    cw_addr_key k;
    uint64_t a;
    if (cw_addr_decode(&k, addr, cw_chainstore_network(cs)) != 0)
        return cw_error_wrap(CW_EINVAL, "screen: '%s' is not an address: ", addr);
    if (cw_chainstore_find_addr(cs, &k, &a) != 0)
        return cw_error_set(CW_ENOTFOUND, "screen: address %s has no outputs in the store", addr);
    cw_trace_sources src = {0};
    int rc = cw_trace_sources_add(&src, cs, NULL, addr, opts->until_height);
    if (rc)
        return rc;
    cw_screen_result *r = cw_calloc(1, sizeof *r);
    if (!r) {
        cw_trace_sources_deinit(&src);
        return CW_ENOMEM;
    }
    r->cs = cs;
    r->labels = labels;
    r->hops = opts->hops;
    cw_query_addr_string(r->address, cs, (uint32_t)a);
    for (size_t i = 0; i < MAX_CATS; i++)
        r->cats[i].min_hop = UINT32_MAX;
    cw_trace_opts o;
    cw_trace_opts_init(&o);
    o.model = CW_TRACE_HAIRCUT;
    o.direction = CW_TRACE_BACKWARD;
    o.max_hops = opts->hops ? opts->hops : 1;
    o.min_value = opts->min_value;
    o.stop_any_label = true;
    o.self_addr = a;
    o.max_nodes = opts->max_nodes;
    o.is_coinjoin = opts->is_coinjoin;
    rc = cw_trace_run(&r->trace, cs, labels, src.outs, src.n, &o);
    cw_trace_sources_deinit(&src);
    if (rc) {
        cw_screen_result_free(r);
        return rc;
    }
    r->received = cw_trace_stats_get(r->trace)->source_value;
    for (size_t i = 0; i < cw_trace_n_ends(r->trace); i++) {
        const cw_trace_end *e = cw_trace_end_at(r->trace, i);
        const char *cat;
        int ci;
        switch (e->kind) {
        case CW_END_SELF:
            r->self += e->amount;
            break;
        case CW_END_COINBASE:
            r->coinbase += e->amount;
            break;
        case CW_END_LABEL:
            if (cw_trace_labelmap_get(labels, e->addr, NULL, &cat) && (ci = cat_index(cat)) >= 0) {
                if (e->hop <= 1)
                    r->cats[ci].direct += e->amount;
                else
                    r->cats[ci].indirect += e->amount;
                if (e->hop < r->cats[ci].min_hop)
                    r->cats[ci].min_hop = e->hop;
                break;
            }
            r->unknown += e->amount;
            break;
        default:
            r->unknown += e->amount;
            break;
        }
    }
    *out = r;
    return 0;
}

void cw_screen_result_free(cw_screen_result *r)
{
    if (!r)
        return;
    cw_trace_free(r->trace);
    cw_free(r);
}

uint64_t cw_screen_received(const cw_screen_result *r)
{
    return r->received > r->self ? r->received - r->self : 0;
}

double cw_screen_share(const cw_screen_result *r, const char *category)
{
    int ci = cat_index(category);
    uint64_t base = cw_screen_received(r);
    if (ci < 0 || base == 0)
        return 0.0;
    return (double)(r->cats[ci].direct + r->cats[ci].indirect) / (double)base;
}

json_t *cw_screen_json(const cw_screen_result *r, size_t top_paths)
{
    uint64_t base = cw_screen_received(r);
    json_t *j = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "address", r->address, "hops",
                          (json_int_t)r->hops, "received", (json_int_t)r->received, "self",
                          (json_int_t)r->self, "base", (json_int_t)base, "unknown",
                          (json_int_t)r->unknown, "coinbase", (json_int_t)r->coinbase);
    if (!j)
        return NULL;
    json_t *exp = json_array();
    const char *const *cats = cw_label_categories();
    for (int i = 0; i < MAX_CATS && cats[i]; i++) {
        const cat_acc *c = &r->cats[i];
        uint64_t v = c->direct + c->indirect;
        if (!v)
            continue;
        json_array_append_new(
            exp, json_pack("{s:s, s:I, s:f, s:I, s:I, s:I}", "category", cats[i], "value",
                           (json_int_t)v, "share", base ? (double)v / (double)base : 0.0, "direct",
                           (json_int_t)c->direct, "indirect", (json_int_t)c->indirect, "min_hops",
                           (json_int_t)c->min_hop));
    }
    json_object_set_new(j, "exposure", exp);
    json_object_set_new(j, "unknown_share",
                        json_real(base ? (double)r->unknown / (double)base : 0.0));
    /* the strongest paths: the largest labelled ends */
    json_t *tj = cw_trace_json(r->trace, top_paths, 0);
    json_t *paths = json_array();
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(tj, "paths"), i, p)
    {
        if (strcmp(json_string_value(json_object_get(p, "how")), "label") != 0)
            continue;
        json_object_del(p, "how");
        json_array_append(paths, p);
    }
    json_decref(tj);
    json_object_set_new(j, "paths", paths);
    return j;
}
