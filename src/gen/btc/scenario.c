/*
 * scenario.c: parses and validates heist scenarios (JSON via jansson, docs/GEN.md). Every
 * error names the source and the JSON path of the offending field. Validation that needs no
 * simulation happens here (types, ranges, unknown fields and exchange names, a first fan-out
 * whose explicit split exceeds the stolen amount); what depends on the simulated chain (a
 * later split that the coins at hand cannot pay) is checked by the generator with the same
 * field path.
 */
#include <jansson.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/gen.h"
#include "chainwatch/util.h"

static const char demo_json[] =
    "{\n"
    "  \"name\": \"demo-heist\",\n"
    "  \"world\": {\n"
    "    \"exchanges\": [\"Bitfrost\", \"Krakenish\", \"Coinbarn\", \"Binansu\", \"Okeydex\", "
    "\"Gemstone\"],\n"
    "    \"miners\": 6,\n"
    "    \"merchants\": 40,\n"
    "    \"services\": 12\n"
    "  },\n"
    "  \"heists\": [\n"
    "    {\n"
    "      \"name\": \"bitfrost-hot-wallet\",\n"
    "      \"victim\": \"Bitfrost\",\n"
    "      \"amount_sat\": 80000000000,\n"
    "      \"at_day\": 4,\n"
    "      \"theft_outputs\": 2,\n"
    "      \"fee_rate\": 25,\n"
    "      \"steps\": [\n"
    "        {\"type\": \"fan_out\", \"outputs\": 8, \"delay_hours\": 3},\n"
    "        {\"type\": \"peel_chain\", \"hops\": 10, \"peel_fraction\": [0.01, 0.04],\n"
    "         \"interval_hours\": [1, 8], \"to\": [\"Binansu\", \"Okeydex\", \"Gemstone\"], "
    "\"delay_hours\": 6},\n"
    "        {\"type\": \"coinjoin\", \"kind\": \"wasabi\", \"rounds\": 2, "
    "\"coordinator_fee\": 0.003, \"delay_hours\": 12},\n"
    "        {\"type\": \"coinjoin\", \"kind\": \"whirlpool\", \"pool_sat\": 5000000, "
    "\"max_coins\": 12, \"rounds\": 3, \"delay_hours\": 6},\n"
    "        {\"type\": \"consolidate\", \"into\": 4, \"delay_hours\": 24},\n"
    "        {\"type\": \"cash_out\", \"to\": [\"Krakenish\", \"Coinbarn\", \"Binansu\"], "
    "\"deposits\": 30,\n"
    "         \"over_days\": 10, \"fraction\": 0.9, \"delay_hours\": 48}\n"
    "      ]\n"
    "    }\n"
    "  ]\n"
    "}\n";

const char *cw_gen_default_scenario(void)
{
    return demo_json;
}

/* A parse context: the source name for messages. */
typedef struct pctx {
    const char *src;
} pctx;

static int fail(const pctx *c, const char *path, const char *fmt, const char *detail)
{
    return cw_error_set(CW_EINVAL, "%s: %s: %s%s", c->src, path, fmt, detail ? detail : "");
}

/* Checks that obj only has keys from the NULL-terminated list. */
static int known_keys(const pctx *c, const char *path, json_t *obj, const char *const *keys)
{
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        bool ok = false;
        for (size_t i = 0; keys[i]; i++)
            if (!strcmp(keys[i], k))
                ok = true;
        if (!ok)
            return cw_error_set(CW_EINVAL, "%s: %s: unknown field \"%s\"", c->src, path, k);
    }
    return 0;
}

static void join_path(char *out, size_t n, const char *base, const char *field)
{
    snprintf(out, n, "%s%s%s", base, *base ? "." : "", field);
}

/* Reads an optional positive integer (min..max); keeps *out when absent. */
static int get_uint(const pctx *c, const char *base, json_t *obj, const char *field, uint64_t min,
                    uint64_t max, uint64_t *out)
{
    json_t *v = json_object_get(obj, field);
    if (!v)
        return 0;
    char path[160];
    join_path(path, sizeof path, base, field);
    if (!json_is_integer(v))
        return fail(c, path, "must be an integer", NULL);
    json_int_t x = json_integer_value(v);
    if (x < 0)
        return cw_error_set(CW_EINVAL, "%s: %s: must not be negative (got %lld)", c->src, path,
                            (long long)x);
    if ((uint64_t)x < min || (uint64_t)x > max)
        return cw_error_set(CW_EINVAL, "%s: %s: must be between %llu and %llu (got %lld)", c->src,
                            path, (unsigned long long)min, (unsigned long long)max, (long long)x);
    *out = (uint64_t)x;
    return 0;
}

static int get_num(const pctx *c, const char *base, json_t *obj, const char *field, double min,
                   double max, double *out)
{
    json_t *v = json_object_get(obj, field);
    if (!v)
        return 0;
    char path[160];
    join_path(path, sizeof path, base, field);
    if (!json_is_number(v))
        return fail(c, path, "must be a number", NULL);
    double x = json_number_value(v);
    if (x < 0 && min >= 0)
        return cw_error_set(CW_EINVAL, "%s: %s: must not be negative (got %g)", c->src, path, x);
    if (!(x >= min && x <= max))
        return cw_error_set(CW_EINVAL, "%s: %s: must be between %g and %g (got %g)", c->src, path,
                            min, max, x);
    *out = x;
    return 0;
}

static int get_range(const pctx *c, const char *base, json_t *obj, const char *field, double min,
                     double max, double *lo, double *hi)
{
    json_t *v = json_object_get(obj, field);
    if (!v)
        return 0;
    char path[160];
    join_path(path, sizeof path, base, field);
    if (!json_is_array(v) || json_array_size(v) != 2 || !json_is_number(json_array_get(v, 0)) ||
        !json_is_number(json_array_get(v, 1)))
        return fail(c, path, "must be an array of two numbers [min, max]", NULL);
    double a = json_number_value(json_array_get(v, 0));
    double b = json_number_value(json_array_get(v, 1));
    if (a < 0 || b < 0)
        return cw_error_set(CW_EINVAL, "%s: %s: must not be negative", c->src, path);
    if (!(a >= min && b <= max && a <= b))
        return cw_error_set(CW_EINVAL, "%s: %s: needs %g <= min <= max <= %g (got [%g, %g])",
                            c->src, path, min, max, a, b);
    *lo = a;
    *hi = b;
    return 0;
}

static int get_str(const pctx *c, const char *base, json_t *obj, const char *field, bool required,
                   char **out)
{
    json_t *v = json_object_get(obj, field);
    char path[160];
    join_path(path, sizeof path, base, field);
    if (!v)
        return required ? fail(c, path, "missing", NULL) : 0;
    if (!json_is_string(v) || json_string_length(v) == 0)
        return fail(c, path, "must be a non-empty string", NULL);
    *out = cw_strdup(json_string_value(v));
    return *out ? 0 : CW_ENOMEM;
}

static int get_names(const pctx *c, const char *base, json_t *obj, const char *field, char ***out,
                     size_t *n_out)
{
    json_t *v = json_object_get(obj, field);
    if (!v)
        return 0;
    char path[160];
    join_path(path, sizeof path, base, field);
    if (!json_is_array(v) || json_array_size(v) == 0)
        return fail(c, path, "must be a non-empty array of names", NULL);
    size_t n = json_array_size(v);
    char **names = cw_calloc(n, sizeof *names);
    if (!names)
        return CW_ENOMEM;
    *out = names;
    *n_out = n;
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(v, i);
        if (!json_is_string(e) || json_string_length(e) == 0)
            return cw_error_set(CW_EINVAL, "%s: %s[%zu]: must be a non-empty string", c->src, path,
                                i);
        names[i] = cw_strdup(json_string_value(e));
        if (!names[i])
            return CW_ENOMEM;
    }
    return 0;
}

static int find_exchange(const cw_gen_scenario *s, const char *name)
{
    for (size_t i = 0; i < s->n_exchanges; i++)
        if (!strcmp(s->exchanges[i], name))
            return (int)i;
    return -1;
}

static int parse_step(const pctx *c, const cw_gen_scenario *s, const cw_gen_heist *h,
                      const char *where, json_t *o, cw_gen_step *st)
{
    static const char *const keys[] = {"type",
                                       "kind",
                                       "delay_hours",
                                       "outputs",
                                       "split_sat",
                                       "hops",
                                       "peel_fraction",
                                       "interval_hours",
                                       "rounds",
                                       "pool_sat",
                                       "max_coins",
                                       "coordinator_fee",
                                       "into",
                                       "deposits",
                                       "over_days",
                                       "fraction",
                                       "to",
                                       "hours",
                                       NULL};
    snprintf(st->where, sizeof st->where, "%s", where);
    if (!json_is_object(o))
        return fail(c, where, "must be an object", NULL);
    int rc = known_keys(c, where, o, keys);
    if (rc)
        return rc;
    char *type = NULL, *kind = NULL;
    rc = get_str(c, where, o, "type", true, &type);
    if (rc == 0)
        rc = get_str(c, where, o, "kind", false, &kind);
    if (rc)
        goto out;
    char path[160];
    st->outputs = 4;
    st->hops = 10;
    st->peel_min = 0.01;
    st->peel_max = 0.05;
    st->interval_min_h = 1;
    st->interval_max_h = 6;
    st->rounds = 1;
    st->pool_sat = 5000000;
    st->max_coins = 10;
    st->coordinator_fee = 0.003;
    st->into = 1;
    st->deposits = 10;
    st->over_days = 7;
    st->fraction = 1.0;
    st->hours = 24;
    uint64_t u;
    if (!strcmp(type, "fan_out")) {
        st->kind = CW_GEN_STEP_FAN_OUT;
    } else if (!strcmp(type, "peel_chain")) {
        st->kind = CW_GEN_STEP_PEEL_CHAIN;
    } else if (!strcmp(type, "coinjoin")) {
        join_path(path, sizeof path, where, "kind");
        if (!kind) {
            rc = fail(c, path, "missing (\"whirlpool\" or \"wasabi\")", NULL);
            goto out;
        }
        if (!strcmp(kind, "whirlpool")) {
            st->kind = CW_GEN_STEP_WHIRLPOOL;
        } else if (!strcmp(kind, "wasabi") || !strcmp(kind, "wasabi2")) {
            st->kind = CW_GEN_STEP_WASABI;
        } else if (!strcmp(kind, "wasabi1")) {
            st->kind = CW_GEN_STEP_WASABI1;
        } else if (!strcmp(kind, "joinmarket")) {
            st->kind = CW_GEN_STEP_JOINMARKET;
        } else {
            rc = fail(c, path,
                      "must be \"whirlpool\", \"wasabi\" (\"wasabi2\"), \"wasabi1\" or "
                      "\"joinmarket\", not ",
                      kind);
            goto out;
        }
    } else if (!strcmp(type, "consolidate")) {
        st->kind = CW_GEN_STEP_CONSOLIDATE;
    } else if (!strcmp(type, "cash_out")) {
        st->kind = CW_GEN_STEP_CASH_OUT;
    } else if (!strcmp(type, "wait")) {
        st->kind = CW_GEN_STEP_WAIT;
    } else if (!strcmp(type, "postmix_spend")) {
        st->kind = CW_GEN_STEP_POSTMIX;
    } else {
        join_path(path, sizeof path, where, "type");
        rc = fail(c, path,
                  "must be fan_out, peel_chain, coinjoin, consolidate, cash_out, postmix_spend "
                  "or wait, not ",
                  type);
        goto out;
    }
    if (kind && st->kind != CW_GEN_STEP_WHIRLPOOL && st->kind != CW_GEN_STEP_WASABI &&
        st->kind != CW_GEN_STEP_WASABI1 && st->kind != CW_GEN_STEP_JOINMARKET) {
        join_path(path, sizeof path, where, "kind");
        rc = fail(c, path, "only applies to coinjoin steps", NULL);
        goto out;
    }
    if ((rc = get_num(c, where, o, "delay_hours", 0, 24.0 * 365, &st->delay_hours)))
        goto out;
    u = st->outputs;
    if ((rc = get_uint(c, where, o, "outputs", 1, 1000, &u)))
        goto out;
    st->outputs = (uint32_t)u;
    json_t *split = json_object_get(o, "split_sat");
    if (split) {
        join_path(path, sizeof path, where, "split_sat");
        if (st->kind != CW_GEN_STEP_FAN_OUT) {
            rc = fail(c, path, "only applies to fan_out steps", NULL);
            goto out;
        }
        if (!json_is_array(split) || json_array_size(split) == 0 || json_array_size(split) > 1000) {
            rc = fail(c, path, "must be an array of 1..1000 amounts in satoshis", NULL);
            goto out;
        }
        st->n_split = json_array_size(split);
        st->split_sat = cw_calloc(st->n_split, sizeof *st->split_sat);
        if (!st->split_sat) {
            rc = CW_ENOMEM;
            goto out;
        }
        for (size_t i = 0; i < st->n_split; i++) {
            json_t *e = json_array_get(split, i);
            if (!json_is_integer(e) || json_integer_value(e) < 1000) {
                rc = cw_error_set(CW_EINVAL, "%s: %s[%zu]: must be an integer amount >= 1000 sat%s",
                                  c->src, path, i,
                                  json_is_integer(e) && json_integer_value(e) < 0
                                      ? " (negative amounts are not allowed)"
                                      : "");
                goto out;
            }
            st->split_sat[i] = (uint64_t)json_integer_value(e);
        }
        st->outputs = (uint32_t)st->n_split;
    }
    json_t *hv = json_object_get(o, "hops");
    if (hv && json_is_array(hv)) {
        /* [min, max]: each chain draws its own length */
        double lo, hi;
        if ((rc = get_range(c, where, o, "hops", 1, 10000, &lo, &hi)))
            goto out;
        if (lo != (double)(uint32_t)lo || hi != (double)(uint32_t)hi) {
            join_path(path, sizeof path, where, "hops");
            rc = fail(c, path, "must be an integer or [min, max] of integers", NULL);
            goto out;
        }
        st->hops = (uint32_t)lo;
        st->hops_max = (uint32_t)hi;
    } else {
        u = st->hops;
        if ((rc = get_uint(c, where, o, "hops", 1, 10000, &u)))
            goto out;
        st->hops = (uint32_t)u;
        st->hops_max = st->hops;
    }
    if ((rc = get_range(c, where, o, "peel_fraction", 0.0001, 0.9, &st->peel_min, &st->peel_max)))
        goto out;
    if ((rc = get_range(c, where, o, "interval_hours", 0, 24.0 * 30, &st->interval_min_h,
                        &st->interval_max_h)))
        goto out;
    u = st->rounds;
    if ((rc = get_uint(c, where, o, "rounds", 1, 100, &u)))
        goto out;
    st->rounds = (uint32_t)u;
    u = st->pool_sat;
    if ((rc = get_uint(c, where, o, "pool_sat", 0, UINT64_MAX, &u)))
        goto out;
    if (u != 100000 && u != 1000000 && u != 5000000 && u != 50000000) {
        join_path(path, sizeof path, where, "pool_sat");
        rc = fail(c, path, "must be a Whirlpool pool: 100000, 1000000, 5000000 or 50000000", NULL);
        goto out;
    }
    st->pool_sat = u;
    u = st->max_coins;
    if ((rc = get_uint(c, where, o, "max_coins", 1, 10000, &u)))
        goto out;
    st->max_coins = (uint32_t)u;
    if ((rc = get_num(c, where, o, "coordinator_fee", 0, 0.05, &st->coordinator_fee)))
        goto out;
    u = st->into;
    if ((rc = get_uint(c, where, o, "into", 1, 1000, &u)))
        goto out;
    st->into = (uint32_t)u;
    u = st->deposits;
    if ((rc = get_uint(c, where, o, "deposits", 1, 100000, &u)))
        goto out;
    st->deposits = (uint32_t)u;
    if ((rc = get_num(c, where, o, "over_days", 0, 365, &st->over_days)))
        goto out;
    if ((rc = get_num(c, where, o, "fraction", 0, 1, &st->fraction)))
        goto out;
    if (json_object_get(o, "fraction") && st->fraction <= 0) {
        join_path(path, sizeof path, where, "fraction");
        rc = fail(c, path, "must be above 0", NULL);
        goto out;
    }
    if ((rc = get_num(c, where, o, "hours", 0, 24.0 * 365, &st->hours)))
        goto out;
    if ((rc = get_names(c, where, o, "to", &st->to, &st->n_to)))
        goto out;
    for (size_t i = 0; i < st->n_to; i++) {
        if (find_exchange(s, st->to[i]) < 0) {
            snprintf(path, sizeof path, "%s.to[%zu]", where, i);
            rc = fail(c, path, "no exchange of that name in world.exchanges: ", st->to[i]);
            goto out;
        }
    }
    (void)h;
out:
    cw_free(type);
    cw_free(kind);
    return rc;
}

static int parse_heist(const pctx *c, const cw_gen_scenario *s, size_t idx, json_t *o,
                       cw_gen_heist *h)
{
    static const char *const keys[] = {"name",          "victim",   "amount_sat", "at_day",
                                       "theft_outputs", "fee_rate", "steps",      NULL};
    char where[48], path[160];
    snprintf(where, sizeof where, "heists[%zu]", idx);
    if (!json_is_object(o))
        return fail(c, where, "must be an object", NULL);
    int rc = known_keys(c, where, o, keys);
    if (rc)
        return rc;
    if ((rc = get_str(c, where, o, "name", true, &h->name)))
        return rc;
    if ((rc = get_str(c, where, o, "victim", true, &h->victim)))
        return rc;
    if (find_exchange(s, h->victim) < 0) {
        join_path(path, sizeof path, where, "victim");
        return fail(c, path, "no exchange of that name in world.exchanges: ", h->victim);
    }
    join_path(path, sizeof path, where, "amount_sat");
    if (!json_object_get(o, "amount_sat"))
        return fail(c, path, "missing", NULL);
    if ((rc = get_uint(c, where, o, "amount_sat", 100000, 2100000000000000ULL, &h->amount_sat)))
        return rc;
    h->at_day = 1;
    if ((rc = get_num(c, where, o, "at_day", 0, 3650, &h->at_day)))
        return rc;
    uint64_t u = 1;
    if ((rc = get_uint(c, where, o, "theft_outputs", 1, 100, &u)))
        return rc;
    h->theft_outputs = (uint32_t)u;
    h->fee_rate = 20;
    if ((rc = get_uint(c, where, o, "fee_rate", 1, 10000, &h->fee_rate)))
        return rc;
    json_t *steps = json_object_get(o, "steps");
    join_path(path, sizeof path, where, "steps");
    if (!steps)
        return fail(c, path, "missing", NULL);
    if (!json_is_array(steps))
        return fail(c, path, "must be an array", NULL);
    h->n_steps = json_array_size(steps);
    h->steps = cw_calloc(h->n_steps ? h->n_steps : 1, sizeof *h->steps);
    if (!h->steps)
        return CW_ENOMEM;
    for (size_t i = 0; i < h->n_steps; i++) {
        char sw[96];
        snprintf(sw, sizeof sw, "%s.steps[%zu]", where, i);
        if ((rc = parse_step(c, s, h, sw, json_array_get(steps, i), &h->steps[i])))
            return rc;
    }
    /* A first fan-out with explicit amounts must be payable from the stolen amount: the split
     * plus the fan-out's own fee (at most 100 vB per input and 43 vB per output). */
    if (h->n_steps && h->steps[0].kind == CW_GEN_STEP_FAN_OUT && h->steps[0].n_split) {
        uint64_t sum = 0;
        for (size_t i = 0; i < h->steps[0].n_split; i++)
            sum += h->steps[0].split_sat[i];
        uint64_t fee = h->fee_rate * (11 + 100ULL * h->theft_outputs + 43ULL * h->steps[0].n_split);
        if (sum + fee > h->amount_sat)
            return cw_error_set(CW_EINVAL,
                                "%s: %s.steps[0].split_sat: the split sums to %llu sat, plus "
                                "about %llu sat of fee, but only %llu sat (amount_sat) is "
                                "stolen: the split cannot be paid",
                                c->src, where, (unsigned long long)sum, (unsigned long long)fee,
                                (unsigned long long)h->amount_sat);
    }
    return 0;
}

int cw_gen_scenario_parse(cw_gen_scenario **out, const char *json, size_t len, const char *source)
{
    *out = NULL;
    pctx c = {source ? source : "scenario"};
    json_error_t jerr;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return cw_error_set(CW_EINVAL, "%s: line %d column %d: %s", c.src, jerr.line, jerr.column,
                            jerr.text);
    cw_gen_scenario *s = cw_calloc(1, sizeof *s);
    int rc = CW_ENOMEM;
    if (!s)
        goto out;
    static const char *const keys[] = {"name", "world", "heists", NULL};
    if (!json_is_object(root)) {
        rc = fail(&c, "(top level)", "must be an object", NULL);
        goto out;
    }
    if ((rc = known_keys(&c, "(top level)", root, keys)))
        goto out;
    if ((rc = get_str(&c, "", root, "name", false, &s->name)))
        goto out;
    if (!s->name && !(s->name = cw_strdup("unnamed"))) {
        rc = CW_ENOMEM;
        goto out;
    }
    s->miners = 6;
    s->merchants = 40;
    s->services = 12;
    json_t *world = json_object_get(root, "world");
    if (world) {
        static const char *const wkeys[] = {"exchanges", "miners",  "merchants",
                                            "services",  "economy", NULL};
        if (!json_is_object(world)) {
            rc = fail(&c, "world", "must be an object", NULL);
            goto out;
        }
        if ((rc = known_keys(&c, "world", world, wkeys)))
            goto out;
        if ((rc = get_names(&c, "world", world, "exchanges", &s->exchanges, &s->n_exchanges)))
            goto out;
        uint64_t u = s->miners;
        if ((rc = get_uint(&c, "world", world, "miners", 1, 1000, &u)))
            goto out;
        s->miners = (uint32_t)u;
        u = s->merchants;
        if ((rc = get_uint(&c, "world", world, "merchants", 1, 100000, &u)))
            goto out;
        s->merchants = (uint32_t)u;
        u = s->services;
        if ((rc = get_uint(&c, "world", world, "services", 1, 100000, &u)))
            goto out;
        s->services = (uint32_t)u;
        json_t *ev = json_object_get(world, "economy");
        if (ev) {
            const char *es = json_string_value(ev);
            if (es && !strcmp(es, "classic")) {
                s->economy = CW_GEN_ECON_CLASSIC;
            } else if (es && !strcmp(es, "mixed")) {
                s->economy = CW_GEN_ECON_MIXED;
            } else {
                rc = fail(&c, "world.economy", "must be \"classic\" or \"mixed\"", NULL);
                goto out;
            }
        }
    }
    if (!s->exchanges) {
        static const char *const def[] = {"Bitfrost", "Krakenish", "Coinbarn", "Binansu"};
        s->n_exchanges = 4;
        s->exchanges = cw_calloc(4, sizeof *s->exchanges);
        if (!s->exchanges)
            goto out;
        for (size_t i = 0; i < 4; i++)
            if (!(s->exchanges[i] = cw_strdup(def[i])))
                goto out;
    }
    if (s->n_exchanges < 2) {
        rc = fail(&c, "world.exchanges", "needs at least 2 exchanges", NULL);
        goto out;
    }
    for (size_t i = 0; i < s->n_exchanges; i++)
        for (size_t j = 0; j < i; j++)
            if (!strcmp(s->exchanges[i], s->exchanges[j])) {
                rc = fail(&c, "world.exchanges", "duplicate name ", s->exchanges[i]);
                goto out;
            }
    json_t *heists = json_object_get(root, "heists");
    if (heists) {
        if (!json_is_array(heists)) {
            rc = fail(&c, "heists", "must be an array", NULL);
            goto out;
        }
        s->n_heists = json_array_size(heists);
        s->heists = cw_calloc(s->n_heists ? s->n_heists : 1, sizeof *s->heists);
        if (!s->heists)
            goto out;
        for (size_t i = 0; i < s->n_heists; i++)
            if ((rc = parse_heist(&c, s, i, json_array_get(heists, i), &s->heists[i])))
                goto out;
    }
    rc = 0;
    *out = s;
    s = NULL;
out:
    cw_gen_scenario_free(s);
    json_decref(root);
    return rc;
}

int cw_gen_scenario_load(cw_gen_scenario **out, const char *path)
{
    uint8_t *data = NULL;
    size_t n = 0;
    *out = NULL;
    int rc = cw_file_read(&data, &n, path);
    if (rc != 0)
        return rc;
    rc = cw_gen_scenario_parse(out, (const char *)data, n, path);
    cw_free(data);
    return rc;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++)
        cw_free(names[i]);
    cw_free(names);
}

void cw_gen_scenario_free(cw_gen_scenario *s)
{
    if (!s)
        return;
    for (size_t i = 0; s->heists && i < s->n_heists; i++) {
        cw_gen_heist *h = &s->heists[i];
        for (size_t j = 0; h->steps && j < h->n_steps; j++) {
            cw_free(h->steps[j].split_sat);
            free_names(h->steps[j].to, h->steps[j].n_to);
        }
        cw_free(h->steps);
        cw_free(h->name);
        cw_free(h->victim);
    }
    cw_free(s->heists);
    free_names(s->exchanges, s->n_exchanges);
    cw_free(s->name);
    cw_free(s);
}
