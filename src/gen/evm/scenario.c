/*
 * scenario.c: parses and validates EVM heist scenarios (JSON via jansson, docs/GEN.md "EVM
 * worlds"). Every error names the source and the JSON path of the field. Amounts are decimal
 * strings (or integers) in whole coins with up to the asset's decimals ("15000", "0.5"), turned
 * into exact base units; nothing goes through floating point.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/btc/address.h"
#include "chainwatch/errors.h"
#include "chainwatch/util.h"
#include "gen/evm/evm_int.h"

static const char demo_json[] =
    "{\n"
    "  \"name\": \"evm-demo-heist\",\n"
    "  \"world\": {\n"
    "    \"exchanges\": [\"Bitfrost\", \"Krakenish\", \"Coinbarn\", \"Binansu\", \"Okeydex\", "
    "\"Gemstone\"],\n"
    "    \"txs_per_block\": 25\n"
    "  },\n"
    "  \"heists\": [\n"
    "    {\n"
    "      \"name\": \"bitfrost-hot-wallet\",\n"
    "      \"victim\": \"Bitfrost\",\n"
    "      \"at_hour\": 2,\n"
    "      \"stolen\": {\"ETH\": \"15000\", \"USDT\": \"25000000\", \"USDC\": \"12000000\", "
    "\"DAI\": \"6000000\"},\n"
    "      \"drain_addresses\": 2,\n"
    "      \"steps\": [\n"
    "        {\"type\": \"swap\", \"chunks\": [2, 6], \"interval_minutes\": [2, 12], "
    "\"delay_hours\": 0.3},\n"
    "        {\"type\": \"fan_out\", \"addresses\": 120, \"via\": \"mixed\", \"over_hours\": 1, "
    "\"delay_hours\": 0.5},\n"
    "        {\"type\": \"hops\", \"hops\": [2, 6], \"split\": 0.15, "
    "\"interval_minutes\": [2, 20], \"delay_hours\": 0.5},\n"
    "        {\"type\": \"mixer\", \"fraction\": 0.25, \"withdraw_after_hours\": [1, 4], "
    "\"relayer\": 0.8, \"over_hours\": 2, \"delay_hours\": 1},\n"
    "        {\"type\": \"bridge\", \"fraction\": 0.45, \"btc_addresses\": 12, "
    "\"over_hours\": 2, \"delay_hours\": 0.5},\n"
    "        {\"type\": \"cash_out\", \"to\": [\"Krakenish\", \"Binansu\", \"Okeydex\"], "
    "\"deposits\": 60, \"over_hours\": 3, \"fraction\": 1.0, \"delay_hours\": 1}\n"
    "      ]\n"
    "    }\n"
    "  ]\n"
    "}\n";

const char *cw_gen_evm_default_scenario(void)
{
    return demo_json;
}

typedef struct pctx {
    const char *src;
} pctx;

static int known(const pctx *c, const char *path, json_t *obj, const char *const *keys)
{
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        bool ok = false;
        for (size_t i = 0; keys[i]; i++)
            ok |= !strcmp(keys[i], k);
        if (!ok)
            return cw_error_set(CW_EINVAL, "%s: %s: unknown field \"%s\"", c->src, path, k);
    }
    return 0;
}

static int get_num(const pctx *c, const char *path, json_t *obj, const char *key, double lo,
                   double hi, double *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return 0;
    if (!json_is_number(v))
        return cw_error_set(CW_EINVAL, "%s: %s.%s: must be a number", c->src, path, key);
    double d = json_number_value(v);
    if (d < 0 && lo >= 0)
        return cw_error_set(CW_EINVAL, "%s: %s.%s: must not be negative", c->src, path, key);
    if (d < lo || d > hi)
        return cw_error_set(CW_EINVAL, "%s: %s.%s: must be between %g and %g", c->src, path, key,
                            lo, hi);
    *out = d;
    return 0;
}

static int get_u32(const pctx *c, const char *path, json_t *obj, const char *key, uint32_t lo,
                   uint32_t hi, uint32_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return 0;
    if (!json_is_integer(v))
        return cw_error_set(CW_EINVAL, "%s: %s.%s: must be an integer", c->src, path, key);
    json_int_t x = json_integer_value(v);
    if (x < 0)
        return cw_error_set(CW_EINVAL, "%s: %s.%s: must not be negative", c->src, path, key);
    if (x < (json_int_t)lo || x > (json_int_t)hi)
        return cw_error_set(CW_EINVAL, "%s: %s.%s: must be between %u and %u", c->src, path, key,
                            lo, hi);
    *out = (uint32_t)x;
    return 0;
}

static int get_range(const pctx *c, const char *path, json_t *obj, const char *key, double lo,
                     double hi, double *a, double *b)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return 0;
    if (!json_is_array(v) || json_array_size(v) != 2 || !json_is_number(json_array_get(v, 0)) ||
        !json_is_number(json_array_get(v, 1)))
        return cw_error_set(CW_EINVAL, "%s: %s.%s: must be [min, max]", c->src, path, key);
    double x = json_number_value(json_array_get(v, 0)), y = json_number_value(json_array_get(v, 1));
    if (x < 0 || y < 0)
        return cw_error_set(CW_EINVAL, "%s: %s.%s: must not be negative", c->src, path, key);
    if (x > y || x < lo || y > hi)
        return cw_error_set(CW_EINVAL, "%s: %s.%s: must be [min, max] within %g..%g", c->src, path,
                            key, lo, hi);
    *a = x;
    *b = y;
    return 0;
}

/* "15000", "0.25", or an integer, into base units of `dec` decimals */
static int parse_amount(const pctx *c, const char *path, json_t *v, int dec, u128 *out)
{
    char buf[64];
    if (json_is_integer(v)) {
        if (json_integer_value(v) < 0)
            return cw_error_set(CW_EINVAL, "%s: %s: must not be negative", c->src, path);
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
    } else if (json_is_string(v) && json_string_length(v) < sizeof buf) {
        snprintf(buf, sizeof buf, "%s", json_string_value(v));
    } else {
        return cw_error_set(CW_EINVAL, "%s: %s: must be a decimal string such as \"1500.5\"",
                            c->src, path);
    }
    u128 r = 0;
    int frac = -1;
    const char *p = buf;
    if (*p == '-')
        return cw_error_set(CW_EINVAL, "%s: %s: must not be negative", c->src, path);
    if (!*p)
        return cw_error_set(CW_EINVAL, "%s: %s: empty amount", c->src, path);
    for (; *p; p++) {
        if (*p == '.' && frac < 0) {
            frac = 0;
            continue;
        }
        if (*p < '0' || *p > '9')
            return cw_error_set(CW_EINVAL, "%s: %s: not a decimal amount: \"%s\"", c->src, path,
                                buf);
        if (frac >= 0 && ++frac > dec)
            return cw_error_set(CW_EINVAL, "%s: %s: more than %d decimals", c->src, path, dec);
        if (r > ((u128)1 << 100))
            return cw_error_set(CW_EINVAL, "%s: %s: too large", c->src, path);
        r = r * 10 + (u128)(*p - '0');
    }
    for (int i = frac < 0 ? 0 : frac; i < dec; i++)
        r *= 10;
    if (r > ((u128)1 << 110))
        return cw_error_set(CW_EINVAL, "%s: %s: too large", c->src, path);
    *out = r;
    return 0;
}

static int exch_index(const cw_gen_evm_scenario *s, const char *name)
{
    for (uint32_t i = 0; i < s->n_exch; i++)
        if (!strcmp(s->exch[i], name))
            return (int)i;
    return -1;
}

static int parse_step(const pctx *c, const cw_gen_evm_scenario *s, const ew_heist_sc *h, json_t *o,
                      ew_step *st, const char *path)
{
    if (!json_is_object(o))
        return cw_error_set(CW_EINVAL, "%s: %s: must be an object", c->src, path);
    snprintf(st->where, sizeof st->where, "%s", path);
    json_t *t = json_object_get(o, "type");
    if (!json_is_string(t))
        return cw_error_set(CW_EINVAL, "%s: %s.type: required string", c->src, path);
    const char *ty = json_string_value(t);
    /* defaults */
    st->chunks_min = 2;
    st->chunks_max = 5;
    st->addresses = 100;
    st->via = 2;
    st->hops_min = 2;
    st->hops_max = 6;
    st->split = 0.15;
    st->ivl_min_m = 2;
    st->ivl_max_m = 30;
    st->fraction = 1.0;
    st->wait_min_h = 1;
    st->wait_max_h = 8;
    st->relayer = 0.8;
    st->btc_addresses = 8;
    st->deposits = 20;
    st->over_hours = 2;
    st->hours = 6;
    int rc = get_num(c, path, o, "delay_hours", 0, 1000, &st->delay_hours);
    if (rc)
        return rc;
    double a = 0, b = 0;
    if (!strcmp(ty, "swap")) {
        static const char *const k[] = {"type", "delay_hours", "chunks", "interval_minutes", NULL};
        st->kind = EWS_SWAP;
        if ((rc = known(c, path, o, k)))
            return rc;
        a = st->chunks_min, b = st->chunks_max;
        if ((rc = get_range(c, path, o, "chunks", 1, 100, &a, &b)))
            return rc;
        st->chunks_min = (uint32_t)a, st->chunks_max = (uint32_t)b;
        rc = get_range(c, path, o, "interval_minutes", 0.2, 600, &st->ivl_min_m, &st->ivl_max_m);
    } else if (!strcmp(ty, "fan_out")) {
        static const char *const k[] = {"type", "delay_hours", "addresses",
                                        "via",  "over_hours",  NULL};
        st->kind = EWS_FAN_OUT;
        st->over_hours = 1;
        if ((rc = known(c, path, o, k)) ||
            (rc = get_u32(c, path, o, "addresses", 1, 5000, &st->addresses)) ||
            (rc = get_num(c, path, o, "over_hours", 0, 200, &st->over_hours)))
            return rc;
        json_t *v = json_object_get(o, "via");
        if (v) {
            const char *vs = json_is_string(v) ? json_string_value(v) : "";
            st->via = !strcmp(vs, "direct")  ? 0
                      : !strcmp(vs, "batch") ? 1
                      : !strcmp(vs, "mixed") ? 2
                                             : -1;
            if (st->via < 0)
                return cw_error_set(CW_EINVAL, "%s: %s.via: \"direct\", \"batch\" or \"mixed\"",
                                    c->src, path);
        }
    } else if (!strcmp(ty, "hops")) {
        static const char *const k[] = {"type",  "delay_hours",      "hops",
                                        "split", "interval_minutes", NULL};
        st->kind = EWS_HOPS;
        if ((rc = known(c, path, o, k)))
            return rc;
        a = st->hops_min, b = st->hops_max;
        if ((rc = get_range(c, path, o, "hops", 1, 50, &a, &b)) ||
            (rc = get_num(c, path, o, "split", 0, 0.5, &st->split)) ||
            (rc = get_range(c, path, o, "interval_minutes", 0.2, 600, &st->ivl_min_m,
                            &st->ivl_max_m)))
            return rc;
        st->hops_min = (uint32_t)a, st->hops_max = (uint32_t)b;
    } else if (!strcmp(ty, "mixer")) {
        static const char *const k[] = {
            "type",     "delay_hours", "fraction",      "withdraw_after_hours",
            "relayer",  "over_hours",  "address_match", "gas_funding",
            "converge", NULL};
        st->kind = EWS_MIXER;
        st->fraction = 0.3;
        if ((rc = known(c, path, o, k)) ||
            (rc = get_num(c, path, o, "fraction", 0, 1, &st->fraction)) ||
            (rc = get_range(c, path, o, "withdraw_after_hours", 0, 500, &st->wait_min_h,
                            &st->wait_max_h)) ||
            (rc = get_num(c, path, o, "relayer", 0, 1, &st->relayer)) ||
            (rc = get_num(c, path, o, "over_hours", 0, 200, &st->over_hours)) ||
            (rc = get_num(c, path, o, "address_match", 0, 1, &st->ev_match)) ||
            (rc = get_num(c, path, o, "gas_funding", 0, 1, &st->ev_gas)) ||
            (rc = get_num(c, path, o, "converge", 0, 1, &st->ev_converge)))
            return rc;
    } else if (!strcmp(ty, "bridge")) {
        static const char *const k[] = {"type",          "delay_hours", "fraction",
                                        "btc_addresses", "over_hours",  "btc_to",
                                        "lock",          "across",      NULL};
        st->kind = EWS_BRIDGE;
        st->fraction = 0.5;
        if ((rc = known(c, path, o, k)) ||
            (rc = get_num(c, path, o, "fraction", 0, 1, &st->fraction)) ||
            (rc = get_u32(c, path, o, "btc_addresses", 1, 1000, &st->btc_addresses)) ||
            (rc = get_num(c, path, o, "over_hours", 0, 200, &st->over_hours)) ||
            (rc = get_num(c, path, o, "lock", 0, 1, &st->lock)) ||
            (rc = get_num(c, path, o, "across", 0, 1, &st->across)))
            return rc;
        json_t *to = json_object_get(o, "btc_to");
        if (to) {
            if (!json_is_array(to) || json_array_size(to) == 0 || json_array_size(to) > 1000)
                return cw_error_set(CW_EINVAL, "%s: %s.btc_to: a list of 1..1000 Bitcoin addresses",
                                    c->src, path);
            st->btc_to = calloc(json_array_size(to), sizeof *st->btc_to);
            if (!st->btc_to)
                return cw_error_set(CW_ENOMEM, "out of memory");
            for (size_t i = 0; i < json_array_size(to); i++) {
                json_t *e = json_array_get(to, i);
                cw_addr_key key;
                bool ok = false;
                static const cw_network nets[] = {CW_NET_MAIN, CW_NET_TEST, CW_NET_REGTEST};
                for (int n = 0; n < 3 && json_is_string(e) && json_string_length(e) < 96; n++)
                    ok |= cw_addr_decode(&key, json_string_value(e), nets[n]) == 0;
                if (!ok)
                    return cw_error_set(CW_EINVAL, "%s: %s.btc_to[%zu]: not a Bitcoin address",
                                        c->src, path, i);
                snprintf(st->btc_to[i], 96, "%s", json_string_value(e));
                st->n_btc_to++;
            }
        }
    } else if (!strcmp(ty, "cash_out")) {
        static const char *const k[] = {"type",       "delay_hours", "to",       "deposits",
                                        "over_hours", "fraction",    "accounts", "tokens",
                                        "apart",      "no_reuse",    "otc",      NULL};
        st->kind = EWS_CASH_OUT;
        st->over_hours = 6;
        st->accounts = 3;
        json_t *tk = json_object_get(o, "tokens");
        if (tk && !json_is_boolean(tk))
            return cw_error_set(CW_EINVAL, "%s: %s.tokens: must be true or false", c->src, path);
        st->tokens = tk && json_is_true(tk);
        json_t *ap = json_object_get(o, "apart");
        if (ap && !json_is_boolean(ap))
            return cw_error_set(CW_EINVAL, "%s: %s.apart: must be true or false", c->src, path);
        st->apart = ap && json_is_true(ap);
        json_t *nr = json_object_get(o, "no_reuse");
        if (nr && !json_is_boolean(nr))
            return cw_error_set(CW_EINVAL, "%s: %s.no_reuse: must be true or false", c->src, path);
        st->no_reuse = nr && json_is_true(nr);
        if ((rc = known(c, path, o, k)) ||
            (rc = get_u32(c, path, o, "accounts", 1, EW_MAX_ACCOUNTS, &st->accounts)) ||
            (rc = get_u32(c, path, o, "deposits", 1, 10000, &st->deposits)) ||
            (rc = get_num(c, path, o, "over_hours", 0, 500, &st->over_hours)) ||
            (rc = get_num(c, path, o, "fraction", 0, 1, &st->fraction)) ||
            (rc = get_num(c, path, o, "otc", 0, 1, &st->otc)))
            return rc;
        if (st->apart && st->accounts < 2)
            return cw_error_set(CW_EINVAL, "%s: %s.apart: needs at least 2 accounts", c->src, path);
        json_t *to = json_object_get(o, "to");
        if (to) {
            if (!json_is_array(to) || json_array_size(to) == 0 || json_array_size(to) > EW_MAX_EXCH)
                return cw_error_set(CW_EINVAL, "%s: %s.to: a list of 1..%d exchange names", c->src,
                                    path, EW_MAX_EXCH);
            for (size_t i = 0; i < json_array_size(to); i++) {
                json_t *e = json_array_get(to, i);
                int x = json_is_string(e) ? exch_index(s, json_string_value(e)) : -1;
                if (x < 0)
                    return cw_error_set(CW_EINVAL, "%s: %s.to[%zu]: not an exchange of the world",
                                        c->src, path, i);
                st->to[st->n_to++] = (uint32_t)x;
            }
        } else {
            for (uint32_t i = 0; i < s->n_exch; i++)
                if (i != h->victim)
                    st->to[st->n_to++] = i;
            if (!st->n_to)
                st->to[st->n_to++] = h->victim;
        }
    } else if (!strcmp(ty, "wait")) {
        static const char *const k[] = {"type", "delay_hours", "hours", NULL};
        st->kind = EWS_WAIT;
        if ((rc = known(c, path, o, k)) || (rc = get_num(c, path, o, "hours", 0, 1000, &st->hours)))
            return rc;
    } else {
        return cw_error_set(CW_EINVAL,
                            "%s: %s.type: unknown step type \"%s\" (swap, fan_out, hops, mixer, "
                            "bridge, cash_out, wait)",
                            c->src, path, ty);
    }
    return rc;
}

static const char *const asset_names[1 + EW_NTOK] = {"ETH", "USDT", "USDC", "DAI", NULL};
static const int asset_dec[1 + EW_NTOK] = {18, 6, 6, 18, 18};

static int parse_heist(const pctx *c, const cw_gen_evm_scenario *s, json_t *o, ew_heist_sc *h,
                       const char *path)
{
    static const char *const k[] = {"name",  "victim",          "at_hour", "stolen",
                                    "steps", "drain_addresses", NULL};
    if (!json_is_object(o))
        return cw_error_set(CW_EINVAL, "%s: %s: must be an object", c->src, path);
    int rc = known(c, path, o, k);
    if (rc)
        return rc;
    json_t *nm = json_object_get(o, "name");
    if (!json_is_string(nm) || !json_string_length(nm) || json_string_length(nm) >= 60 ||
        strpbrk(json_string_value(nm), ",\"\r\n"))
        return cw_error_set(CW_EINVAL,
                            "%s: %s.name: required, 1..59 characters, no commas or quotes", c->src,
                            path);
    snprintf(h->name, sizeof h->name, "%s", json_string_value(nm));
    json_t *vi = json_object_get(o, "victim");
    int x = json_is_string(vi) ? exch_index(s, json_string_value(vi)) : -1;
    if (x < 0)
        return cw_error_set(CW_EINVAL,
                            "%s: %s.victim: required, the name of an exchange of the world", c->src,
                            path);
    h->victim = (uint32_t)x;
    h->at_hour = 3;
    h->drain_addresses = 2;
    if ((rc = get_num(c, path, o, "at_hour", 0, 100000, &h->at_hour)) ||
        (rc = get_u32(c, path, o, "drain_addresses", 1, 16, &h->drain_addresses)))
        return rc;
    json_t *st = json_object_get(o, "stolen");
    char p2[128];
    snprintf(p2, sizeof p2, "%s.stolen", path);
    if (!json_is_object(st))
        return cw_error_set(CW_EINVAL, "%s: %s: required object {\"ETH\": \"...\", ...}", c->src,
                            p2);
    const char *key;
    json_t *v;
    json_object_foreach(st, key, v)
    {
        int a = -1;
        for (int i = 0; asset_names[i]; i++)
            if (!strcmp(asset_names[i], key))
                a = i;
        char p3[160];
        snprintf(p3, sizeof p3, "%s.%s", p2, key);
        if (a < 0)
            return cw_error_set(CW_EINVAL, "%s: %s: unknown asset (ETH, USDT, USDC, DAI)", c->src,
                                p3);
        if ((rc = parse_amount(c, p3, v, asset_dec[a], &h->stolen[a])))
            return rc;
    }
    if (h->stolen[0] < EW_ETHER)
        return cw_error_set(
            CW_EINVAL, "%s: %s.ETH: at least 1 ETH must be stolen (the thief pays gas with it)",
            c->src, p2);
    if (h->stolen[0] > (u128)5000000 * EW_ETHER)
        return cw_error_set(CW_EINVAL, "%s: %s.ETH: at most 5000000", c->src, p2);
    json_t *steps = json_object_get(o, "steps");
    if (steps && !json_is_array(steps))
        return cw_error_set(CW_EINVAL, "%s: %s.steps: must be a list", c->src, path);
    size_t n = steps ? json_array_size(steps) : 0;
    h->steps = calloc(n ? n : 1, sizeof *h->steps);
    if (!h->steps)
        return cw_error_set(CW_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        char sp[96];
        snprintf(sp, sizeof sp, "%s.steps[%zu]", path, i);
        if ((rc = parse_step(c, s, h, json_array_get(steps, i), &h->steps[i], sp)))
            return rc;
        h->n_steps++;
    }
    return 0;
}

void cw_gen_evm_scenario_free(cw_gen_evm_scenario *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_heists; i++) {
        for (size_t k = 0; k < s->heists[i].n_steps; k++)
            free(s->heists[i].steps[k].btc_to);
        free(s->heists[i].steps);
    }
    free(s->heists);
    free(s);
}

int cw_gen_evm_scenario_parse(cw_gen_evm_scenario **out, const char *json, size_t len,
                              const char *source)
{
    *out = NULL;
    pctx c = {source ? source : "scenario"};
    json_error_t je;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return cw_error_set(CW_EINVAL, "%s: line %d column %d: %s", c.src, je.line, je.column,
                            je.text);
    int rc = 0;
    cw_gen_evm_scenario *s = calloc(1, sizeof *s);
    if (!s) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto out;
    }
    static const char *const top[] = {"name", "world", "heists", NULL};
    if (!json_is_object(root)) {
        rc = cw_error_set(CW_EINVAL, "%s: the scenario must be a JSON object", c.src);
        goto out;
    }
    if ((rc = known(&c, "scenario", root, top)))
        goto out;
    json_t *nm = json_object_get(root, "name");
    snprintf(s->name, sizeof s->name, "%s", json_is_string(nm) ? json_string_value(nm) : "unnamed");
    s->txs_per_block = 25;
    s->mixer_contracts = 4;
    for (int i = 0; i < 4; i++)
        s->mixer_denom[i] = (i ? s->mixer_denom[i - 1] * 10 : EW_ETHER / 10);
    json_t *wo = json_object_get(root, "world");
    static const char *const defx[] = {"Bitfrost", "Krakenish", "Coinbarn", "Binansu"};
    if (wo) {
        /* clang-format off */
        static const char *const wk[] = {
            "exchanges",     "users",         "txs_per_block", "mixer_contracts",
            "mixer_denoms",  "otc_desks",     "consolidation", "honest_mix_evidence",
            "lock_bridge",   "contract_hot",  "across_bridge", "fresh_bridge_users",
            "across_tokens", "across_router", "lock_wormhole", "router_swaps",
            "swap_bridge",   "lock_router",   "thor_aggregator", NULL};
        /* clang-format on */
        if (!json_is_object(wo)) {
            rc = cw_error_set(CW_EINVAL, "%s: world: must be an object", c.src);
            goto out;
        }
        if ((rc = known(&c, "world", wo, wk)) ||
            (rc = get_u32(&c, "world", wo, "users", 300, 500000, &s->users)) ||
            (rc = get_u32(&c, "world", wo, "txs_per_block", 2, 1000, &s->txs_per_block)) ||
            (rc = get_u32(&c, "world", wo, "mixer_contracts", 1, 4, &s->mixer_contracts)) ||
            (rc = get_u32(&c, "world", wo, "otc_desks", 0, 8, &s->otc_desks)) ||
            (rc = get_u32(&c, "world", wo, "consolidation", 0, 3, &s->consolidation)) ||
            (rc = get_u32(&c, "world", wo, "contract_hot", 0, EW_MAX_EXCH, &s->contract_hot)))
            goto out;
        json_t *hm = json_object_get(wo, "honest_mix_evidence");
        if (hm && !json_is_boolean(hm)) {
            rc = cw_error_set(CW_EINVAL, "%s: world.honest_mix_evidence: must be true or false",
                              c.src);
            goto out;
        }
        s->honest_mix_evidence = hm && json_is_true(hm);
        json_t *lb = json_object_get(wo, "lock_bridge");
        if (lb && !json_is_boolean(lb)) {
            rc = cw_error_set(CW_EINVAL, "%s: world.lock_bridge: must be true or false", c.src);
            goto out;
        }
        s->lock_bridge = lb && json_is_true(lb);
        /* clang-format off */
        const char *flags[9] = {"across_bridge", "fresh_bridge_users", "across_tokens",
                                "across_router", "lock_wormhole",      "router_swaps",
                                "swap_bridge",   "lock_router",        "thor_aggregator"};
        bool *dst[9] = {&s->across_bridge, &s->fresh_bridge_users, &s->across_tokens,
                        &s->across_router, &s->lock_wormhole,      &s->router_swaps,
                        &s->swap_bridge,   &s->lock_router,        &s->thor_aggregator};
        /* clang-format on */
        for (int f = 0; f < 9; f++) {
            json_t *v = json_object_get(wo, flags[f]);
            if (v && !json_is_boolean(v)) {
                rc =
                    cw_error_set(CW_EINVAL, "%s: world.%s: must be true or false", c.src, flags[f]);
                goto out;
            }
            *dst[f] = v && json_is_true(v);
        }
        if (s->router_swaps && !s->across_bridge) {
            rc = cw_error_set(CW_EINVAL,
                              "%s: world.router_swaps: needs world.across_bridge (the router "
                              "both swaps and bridges into the pool)",
                              c.src);
            goto out;
        }
        if (s->swap_bridge && !(s->across_bridge && s->across_router)) {
            rc = cw_error_set(CW_EINVAL,
                              "%s: world.swap_bridge: needs world.across_bridge and "
                              "world.across_router (the aggregator router it calls)",
                              c.src);
            goto out;
        }
        if (s->thor_aggregator && !(s->across_bridge && s->across_router)) {
            rc = cw_error_set(CW_EINVAL,
                              "%s: world.thor_aggregator: needs world.across_bridge and "
                              "world.across_router (the aggregator router it calls)",
                              c.src);
            goto out;
        }
        if (s->lock_router && !(s->lock_bridge && s->across_bridge && s->across_router)) {
            rc = cw_error_set(CW_EINVAL,
                              "%s: world.lock_router: needs world.lock_bridge, world.across_bridge "
                              "and world.across_router (the bridge the router passes deposits "
                              "to, and the router)",
                              c.src);
            goto out;
        }
        if (s->mixer_contracts != 1 && s->mixer_contracts != 4) {
            rc = cw_error_set(CW_EINVAL,
                              "%s: world.mixer_contracts: 1 (one contract, four denominations) "
                              "or 4 (one contract each)",
                              c.src);
            goto out;
        }
        json_t *md = json_object_get(wo, "mixer_denoms");
        if (md && (!json_is_array(md) || json_array_size(md) != 4)) {
            rc = cw_error_set(CW_EINVAL, "%s: world.mixer_denoms: a list of 4 ETH amounts", c.src);
            goto out;
        }
        for (size_t i = 0; md && i < 4; i++) {
            char p3[48];
            snprintf(p3, sizeof p3, "world.mixer_denoms[%zu]", i);
            if ((rc = parse_amount(&c, p3, json_array_get(md, i), 18, &s->mixer_denom[i])))
                goto out;
            if (s->mixer_denom[i] < EW_ETHER / 1000 || s->mixer_denom[i] > (u128)1000 * EW_ETHER ||
                (i && s->mixer_denom[i] <= s->mixer_denom[i - 1])) {
                rc = cw_error_set(CW_EINVAL,
                                  "%s: %s: between 0.001 and 1000 ETH, each above the one before",
                                  c.src, p3);
                goto out;
            }
        }
        json_t *ex = json_object_get(wo, "exchanges");
        if (ex) {
            if (!json_is_array(ex) || json_array_size(ex) < 2 ||
                json_array_size(ex) > EW_MAX_EXCH) {
                rc = cw_error_set(CW_EINVAL, "%s: world.exchanges: a list of 2..%d names", c.src,
                                  EW_MAX_EXCH);
                goto out;
            }
            for (size_t i = 0; i < json_array_size(ex); i++) {
                json_t *e = json_array_get(ex, i);
                if (!json_is_string(e) || !json_string_length(e) || json_string_length(e) >= 32 ||
                    strpbrk(json_string_value(e), ",\"\r\n") ||
                    exch_index(s, json_string_value(e)) >= 0) {
                    rc = cw_error_set(CW_EINVAL,
                                      "%s: world.exchanges[%zu]: a unique name of 1..31 "
                                      "characters without commas or quotes",
                                      c.src, i);
                    goto out;
                }
                snprintf(s->exch[s->n_exch++], 32, "%s", json_string_value(e));
            }
        }
    }
    if (!s->n_exch)
        for (int i = 0; i < 4; i++)
            snprintf(s->exch[s->n_exch++], 32, "%s", defx[i]);
    if (s->contract_hot >= s->n_exch) {
        rc = cw_error_set(CW_EINVAL,
                          "%s: world.contract_hot: %u exchanges of %u (the first keeps an "
                          "externally owned hot wallet)",
                          c.src, s->contract_hot, s->n_exch);
        goto out;
    }
    json_t *hs = json_object_get(root, "heists");
    if (hs) {
        if (!json_is_array(hs) || json_array_size(hs) > 16) {
            rc = cw_error_set(CW_EINVAL, "%s: heists: a list of at most 16 heists", c.src);
            goto out;
        }
        s->heists = calloc(json_array_size(hs) + 1, sizeof *s->heists);
        if (!s->heists) {
            rc = cw_error_set(CW_ENOMEM, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < json_array_size(hs); i++) {
            char p[32];
            snprintf(p, sizeof p, "heists[%zu]", i);
            s->n_heists++;
            if ((rc = parse_heist(&c, s, json_array_get(hs, i), &s->heists[i], p)))
                goto out;
            for (size_t j = 0; j < i; j++)
                if (!strcmp(s->heists[j].name, s->heists[i].name)) {
                    rc = cw_error_set(CW_EINVAL, "%s: %s.name: \"%s\" is used twice", c.src, p,
                                      s->heists[i].name);
                    goto out;
                }
        }
    }
out:
    json_decref(root);
    if (rc) {
        cw_gen_evm_scenario_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

int cw_gen_evm_scenario_load(cw_gen_evm_scenario **out, const char *path)
{
    uint8_t *buf = NULL;
    size_t n = 0;
    *out = NULL;
    int rc = cw_file_read(&buf, &n, path);
    if (rc)
        return rc;
    rc = cw_gen_evm_scenario_parse(out, (const char *)buf, n, path);
    free(buf);
    return rc;
}

/* Hours the scenario's heists need at most after the opening (for the --txs check). */
double ew_scenario_hours(const cw_gen_evm_scenario *s);
double ew_scenario_hours(const cw_gen_evm_scenario *s)
{
    double worst = 0;
    for (size_t i = 0; i < s->n_heists; i++) {
        const ew_heist_sc *h = &s->heists[i];
        double t = h->at_hour + 0.2;
        for (size_t k = 0; k < h->n_steps; k++) {
            const ew_step *st = &h->steps[k];
            t += st->delay_hours + 0.1;
            switch (st->kind) {
            case EWS_SWAP:
                t += st->chunks_max * st->ivl_max_m / 60.0;
                break;
            case EWS_FAN_OUT:
            case EWS_BRIDGE:
                t += st->over_hours + 0.2;
                break;
            case EWS_HOPS:
                t += st->hops_max * st->ivl_max_m / 60.0;
                break;
            case EWS_MIXER:
                t += st->over_hours + st->wait_max_h + 1.0;
                break;
            case EWS_CASH_OUT:
                t += st->over_hours * (1.0 + 1.0 / st->deposits) + 0.2;
                break;
            case EWS_WAIT:
                t += st->hours;
                break;
            }
        }
        if (t > worst)
            worst = t;
    }
    return worst;
}
