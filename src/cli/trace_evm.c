/*
 * trace_evm.c: `chainwatch trace` on an EVM store (cmd_trace.c dispatches here when --store is
 * an EVM store): forward from a heist's transactions under FIFO (default), haircut or poison
 * (docs/TRACE-MODELS.md, "Account model"), stopping at labelled exchanges, mixers and bridges.
 * Thin: parses options, runs cw_acct_trace on cw_acct_source_evm and prints the result.
 * Amounts are decimal strings of base units beside the asset's symbol and decimals: nothing is
 * rounded in JSON; the text table also shows them scaled by the decimals.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chainwatch/acct_evm.h"
#include "chainwatch/errors.h"
#include "chainwatch/evm_services.h"
#include "chainwatch/labels.h"
#include "chainwatch/util.h"
#include "chainwatch/xchain.h"
#include "cli/cli.h"
#include "cli/trace_evm.h"
#include "cli/xchain_cli.h"
#include "util/u64map.h"

#define MAX_FROM 64

typedef struct stops {
    cw_labels *db;
    const cw_evmstore *s;
    const cw_evm_services *sv;   /* recognised from behaviour (probable) */
    const uint8_t *memo_bridges; /* accounts memos name as bridge deposits (xchain.h) */
    cw_u64map cache;             /* account -> stop kind + 1 */
} stops;

static int label_kind(const cw_label *l, void *payload)
{
    int *kind = payload;
    int k = 0;
    if (!strcmp(l->category, "exchange") || !strcmp(l->category, "exchange_deposit"))
        k = CW_ACCT_STOP_EXCHANGE;
    else if (!strcmp(l->category, "mixer"))
        k = CW_ACCT_STOP_MIXER;
    else if (!strcmp(l->category, "bridge"))
        k = CW_ACCT_STOP_BRIDGE;
    if (k && (!*kind || k < *kind))
        *kind = k;
    return 0;
}

static int label_deposit(const cw_label *l, void *payload)
{
    *(bool *)payload |= !strcmp(l->category, "exchange_deposit");
    return 0;
}

static int label_stop(stops *st, uint32_t account)
{
    const cw_evm_row_account *a = cw_evmstore_account(st->s, account);
    int kind = 0;
    if (a && st->db) {
        char addr[43] = "0x";
        cw_hex_encode(addr + 2, a->addr, 20);
        cw_labels_lookup(st->db, NULL, addr, label_kind, &kind);
    }
    return kind;
}

static int stop_of(void *ctx, uint32_t account)
{
    stops *st = ctx;
    uint64_t v;
    if (cw_u64map_get(&st->cache, account, &v))
        return (int)v - 1;
    /* a label is a fact: it takes precedence over behaviour */
    int kind = label_stop(st, account);
    /* then a memo naming another chain: the account says what it is */
    if (!kind && st->memo_bridges && (st->memo_bridges[account / 8] >> (account % 8) & 1))
        kind = CW_ACCT_STOP_BRIDGE;
    const cw_evm_service *svc = kind ? NULL : cw_evm_services_get(st->sv, account);
    if (svc && svc->kind == CW_EVM_SVC_MIXER) {
        kind = CW_ACCT_STOP_MIXER;
    } else if (svc && svc->kind == CW_EVM_SVC_COLLECTOR) {
        kind = CW_ACCT_STOP_EXCHANGE;
    } else if (svc && svc->kind == CW_EVM_SVC_DEPOSIT) {
        /* a deposit address of a collector labelled as something else (a bridge vault, a
         * mixer) is no exchange deposit: the shape matched, the service did not */
        int parent = label_stop(st, svc->parent);
        kind = parent == 0 || parent == CW_ACCT_STOP_EXCHANGE ? CW_ACCT_STOP_EXCHANGE : 0;
    }
    cw_u64map_set(&st->cache, account, (uint64_t)kind + 1);
    return kind;
}

/* A deposit address (labelled so, or recognised): one customer behind it. */
static bool personal_of(void *ctx, uint32_t account)
{
    stops *st = ctx;
    if (stop_of(ctx, account) != CW_ACCT_STOP_EXCHANGE)
        return false;
    const cw_evm_row_account *a = cw_evmstore_account(st->s, account);
    bool deposit = false;
    if (a && st->db) {
        char addr[43] = "0x";
        cw_hex_encode(addr + 2, a->addr, 20);
        cw_labels_lookup(st->db, NULL, addr, label_deposit, &deposit);
    }
    const cw_evm_service *svc = cw_evm_services_get(st->sv, account);
    return deposit || (svc && svc->kind == CW_EVM_SVC_DEPOSIT);
}

static json_t *addr_json(const cw_evmstore *s, uint32_t id)
{
    const cw_evm_row_account *a = id == CW_ACCT_NONE ? NULL : cw_evmstore_account(s, id);
    if (!a)
        return json_null();
    char addr[43] = "0x";
    cw_hex_encode(addr + 2, a->addr, 20);
    return json_string(addr);
}

static json_t *asset_json(const cw_evmstore *s, uint32_t id)
{
    const cw_evm_row_asset *a = cw_evmstore_asset(s, id);
    if (!a)
        return json_null();
    char sym[sizeof a->symbol + 1];
    memcpy(sym, a->symbol, sizeof a->symbol);
    sym[sizeof a->symbol] = '\0';
    if (id == CW_EVM_ASSET_NATIVE && !sym[0])
        snprintf(sym, sizeof sym, "%s", cw_evmstore_chain(s)->symbol);
    json_t *j = json_pack("{s:I, s:s, s:o}", "id", (json_int_t)id, "symbol", sym, "contract",
                          addr_json(s, a->account));
    json_object_set_new(j, "decimals",
                        a->decimals == 255 ? json_null() : json_integer(a->decimals));
    return j;
}

static json_t *amount_json(const cw_u256 *v)
{
    char dec[CW_U256_DEC_MAX];
    cw_u256_to_dec(dec, v);
    return json_string(dec);
}

static json_t *tx_hash_json(const cw_evmstore *s, uint64_t move)
{
    const cw_evm_row_move *m = cw_evmstore_move(s, move);
    if (!m || m->tx == CW_EVM_NONE64)
        return json_null();
    char h[67] = "0x";
    cw_hex_encode(h + 2, cw_evmstore_tx_hash(s, m->tx), 32);
    return json_string(h);
}

/* "123.456 USDT" from base units and decimals (exact: string arithmetic on the digits). */
static void scaled(char *out, size_t n, const cw_u256 *v, json_t *asset)
{
    char dec[CW_U256_DEC_MAX];
    size_t len = cw_u256_to_dec(dec, v);
    json_t *d = json_object_get(asset, "decimals");
    const char *sym = json_string_value(json_object_get(asset, "symbol"));
    if (!sym || !*sym) /* a token without metadata: name its contract */
        sym = json_string_value(json_object_get(asset, "contract"));
    if (!json_is_integer(d)) {
        snprintf(out, n, "%s base units of %s", dec, sym ? sym : "?");
        return;
    }
    size_t k = (size_t)json_integer_value(d), o = 0;
    char buf[CW_U256_DEC_MAX + 80];
    if (k == 0) {
        snprintf(buf, sizeof buf, "%s", dec);
    } else if (len <= k) {
        buf[o++] = '0';
        buf[o++] = '.';
        for (size_t z = len; z < k; z++)
            buf[o++] = '0';
        snprintf(buf + o, sizeof buf - o, "%s", dec);
    } else {
        snprintf(buf, sizeof buf, "%.*s.%s", (int)(len - k), dec, dec + len - k);
    }
    /* trim trailing zeros of the fraction */
    char *dot = strchr(buf, '.');
    if (dot) {
        char *e = buf + strlen(buf) - 1;
        while (e > dot && *e == '0')
            *e-- = '\0';
        if (e == dot)
            *e = '\0';
    }
    size_t m = strlen(buf);
    if (m + 1 < n) {
        memcpy(out, buf, m);
        out[m] = ' ';
        snprintf(out + m + 1, n - m - 1, "%s", sym ? sym : "?");
    } else if (n) {
        snprintf(out, n, "%s", buf);
    }
}

/* The most severe label of an account ({entity, category}; sanctioned first: never hidden
 * behind an exchange label), or null: the dashboard names the ends by it. */
static int label_pick(const cw_label *l, void *payload)
{
    static const char *const order[] = {"sanctioned",       "theft", "mixer", "bridge", "exchange",
                                        "exchange_deposit", NULL};
    json_t **best = payload;
    int rank = 6, cur = 7;
    for (int k = 0; order[k]; k++) {
        if (!strcmp(order[k], l->category))
            rank = k;
        if (*best && !strcmp(order[k], json_string_value(json_object_get(*best, "category"))))
            cur = k;
    }
    if (!*best || rank < cur) {
        json_decref(*best);
        *best = json_pack("{s:s, s:s}", "entity", l->entity, "category", l->category);
    }
    return 0;
}

static json_t *end_label_json(stops *st, uint32_t account)
{
    const cw_evm_row_account *a = cw_evmstore_account(st->s, account);
    json_t *best = NULL;
    if (a && st->db) {
        char addr[43] = "0x";
        cw_hex_encode(addr + 2, a->addr, 20);
        cw_labels_lookup(st->db, NULL, addr, label_pick, &best);
    }
    return best ? best : json_null();
}

void cw_cli_evm_scaled(char *out, size_t n, const cw_u256 *v, json_t *asset)
{
    scaled(out, n, v, asset);
}

static json_t *service_json(const cw_evmstore *s, const cw_evm_services *sv, uint32_t account)
{
    const cw_evm_service *svc = cw_evm_services_get(sv, account);
    if (!svc)
        return json_null();
    json_t *j = json_pack("{s:s, s:f, s:b}", "as", cw_evm_service_name(svc->kind), "score",
                          svc->score, "probable", 1);
    if (svc->parent != CW_EVM_NONE32)
        json_object_set_new(j, "collector", addr_json(s, svc->parent));
    return j;
}

static json_t *result_json(const cw_evmstore *s, stops *st, const cw_acct_result *r,
                           const char *model)
{
    const cw_evm_services *sv = st->sv;
    json_t *ends = json_array(), *convs = json_array(), *totals = json_array();
    size_t n;
    const cw_acct_end *e = cw_acct_result_ends(r, &n);
    for (size_t i = 0; i < n; i++) {
        json_t *path = json_array();
        uint64_t *ids;
        size_t np;
        if (cw_acct_result_path(r, i, &ids, &np) == 0) {
            for (size_t k = 0; k < np; k++)
                json_array_append_new(path, tx_hash_json(s, ids[k]));
            free(ids);
        }
        json_t *j =
            json_pack("{s:o, s:o, s:s, s:o, s:I, s:I, s:b, s:o, s:o}", "address",
                      addr_json(s, e[i].account), "asset", asset_json(s, e[i].asset), "kind",
                      cw_acct_stop_name(e[i].stop), "amount", amount_json(&e[i].amount), "hops",
                      (json_int_t)e[i].hops, "movements", (json_int_t)e[i].n_moves, "probable",
                      e[i].probable, "first_tx", tx_hash_json(s, e[i].first_move), "path", path);
        if (!strcmp(model, "poison"))
            json_object_set_new(j, "reads_as", json_string("reach (value touched), not amount"));
        /* behaviour is reported where it decided: a labelled account is a fact */
        json_t *rec;
        if (label_stop(st, e[i].account))
            rec = json_null();
        else if (e[i].stop == CW_ACCT_STOP_BRIDGE) /* only memos make an unlabelled bridge */
            rec = json_pack("{s:s, s:b}", "as", "bridge deposit (swap memos to other chains)",
                            "probable", 1);
        else
            rec = service_json(s, sv, e[i].account);
        json_object_set_new(j, "recognised", rec);
        if (e[i].stop != CW_ACCT_STOP_NONE) {
            /* the movements into the stop: the cash-out (or mixer, bridge) transactions */
            size_t na;
            const cw_acct_arrival *ar = cw_acct_result_arrivals(r, &na);
            size_t lo = 0, hi = na;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (ar[mid].account < e[i].account ||
                    (ar[mid].account == e[i].account && ar[mid].asset < e[i].asset))
                    lo = mid + 1;
                else
                    hi = mid;
            }
            json_t *arr = json_array();
            for (size_t k = lo;
                 k < na && ar[k].account == e[i].account && ar[k].asset == e[i].asset; k++)
                json_array_append_new(arr,
                                      json_pack("{s:o, s:o}", "tx", tx_hash_json(s, ar[k].move),
                                                "amount", amount_json(&ar[k].amount)));
            json_object_set_new(j, "arrivals", arr);
        }
        json_object_set_new(j, "label", end_label_json(st, e[i].account));
        json_array_append_new(ends, j);
    }
    const cw_acct_conv *c = cw_acct_result_convs(r, &n);
    for (size_t i = 0; i < n; i++) {
        char h[67] = "0x";
        cw_hex_encode(h + 2, cw_evmstore_tx_hash(s, c[i].tx), 32);
        json_array_append_new(
            convs, json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b}", "tx", h, "account",
                             addr_json(s, c[i].account), "venue", addr_json(s, c[i].venue), "gave",
                             asset_json(s, c[i].from_asset), "got", asset_json(s, c[i].to_asset),
                             "tainted_in", amount_json(&c[i].tainted_in), "gained",
                             amount_json(&c[i].gained), "tainted_out",
                             amount_json(&c[i].tainted_out), "probable", c[i].probable));
        json_object_set_new(json_array_get(convs, i), "recipient", addr_json(s, c[i].recipient));
    }
    const cw_u256 *src, *fees, *dust, *burnt;
    cw_acct_result_totals(r, &n, &src, &fees, &dust, &burnt);
    for (size_t a = 0; a < n; a++) {
        if (cw_u256_is_zero(&src[a]) && cw_u256_is_zero(&fees[a]) && cw_u256_is_zero(&dust[a]) &&
            cw_u256_is_zero(&burnt[a]))
            continue;
        json_array_append_new(
            totals, json_pack("{s:o, s:o, s:o, s:o, s:o}", "asset", asset_json(s, (uint32_t)a),
                              "sourced", amount_json(&src[a]), "fees", amount_json(&fees[a]),
                              "dust", amount_json(&dust[a]), "burnt", amount_json(&burnt[a])));
    }
    json_t *links = json_array();
    const cw_acct_mixlink *ml = cw_acct_result_mixlinks(r, &n);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            links, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:f, s:b, s:b}", "withdrawal_tx",
                             tx_hash_json(s, ml[i].move), "mixer", addr_json(s, ml[i].mixer),
                             "recipient", addr_json(s, ml[i].recipient), "asset",
                             asset_json(s, ml[i].asset), "amount", amount_json(&ml[i].amount),
                             "denomination", amount_json(&ml[i].denomination), "score", ml[i].score,
                             "gas_paid_by_tainted_account", ml[i].sender_reuse, "probable", 1));
    for (size_t i = 0; i < n; i++)
        json_object_set_new(json_array_get(links, i), "converges_with_direct_taint",
                            json_boolean(ml[i].converged));
    uint64_t moves, edges;
    cw_acct_result_counts(r, &moves, &edges);
    return json_pack("{s:s, s:o, s:o, s:o, s:o, s:I, s:I}", "model", model, "ends", ends,
                     "conversions", convs, "mixer_links", links, "totals", totals, "movements_read",
                     (json_int_t)moves, "tainted_movements", (json_int_t)edges);
}

static void print_text(json_t *j, double seconds)
{
    printf("trace %s (account model): %lld movements read, %lld tainted (%.3f s)\n",
           json_string_value(json_object_get(j, "model")),
           (long long)json_integer_value(json_object_get(j, "movements_read")),
           (long long)json_integer_value(json_object_get(j, "tainted_movements")), seconds);
    size_t i;
    json_t *v;
    printf("\nwhere the value ended (kind, address, amount, hops):\n");
    json_array_foreach(json_object_get(j, "ends"), i, v)
    {
        cw_u256 amt;
        const char *a = json_string_value(json_object_get(v, "amount"));
        char sc[160];
        if (cw_u256_parse(&amt, a, strlen(a)) == 0)
            scaled(sc, sizeof sc, &amt, json_object_get(v, "asset"));
        else
            snprintf(sc, sizeof sc, "%s", a);
        json_t *rec = json_object_get(v, "recognised");
        printf("  %-10s %s  %s  %lld hops%s", json_string_value(json_object_get(v, "kind")),
               json_string_value(json_object_get(v, "address")), sc,
               (long long)json_integer_value(json_object_get(v, "hops")),
               json_is_true(json_object_get(v, "probable")) ? "  (probable)" : "");
        if (json_is_object(rec) && json_is_real(json_object_get(rec, "score")))
            printf("  [probable %s, score %.2f]", json_string_value(json_object_get(rec, "as")),
                   json_real_value(json_object_get(rec, "score")));
        else if (json_is_object(rec))
            printf("  [probable %s]", json_string_value(json_object_get(rec, "as")));
        putchar('\n');
    }
    json_array_foreach(json_object_get(j, "conversions"), i, v)
    {
        if (i == 0)
            printf("\nconversions (swaps, wrap/unwrap) the trace went through:\n");
        printf("  %s: %s gave %s, got %s at %s%s\n", json_string_value(json_object_get(v, "tx")),
               json_string_value(json_object_get(v, "account")),
               json_string_value(json_object_get(json_object_get(v, "gave"), "symbol")),
               json_string_value(json_object_get(json_object_get(v, "got"), "symbol")),
               json_is_null(json_object_get(v, "venue"))
                   ? "?"
                   : json_string_value(json_object_get(v, "venue")),
               json_is_true(json_object_get(v, "probable")) ? " (probable)" : "");
    }
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int cw_cli_trace_evm(const cw_command *cmd, int argc, char **argv)
{
    const char *store = getenv("CHAINWATCH_STORE"), *labels = getenv("CHAINWATCH_LABELS_DB");
    const char *model = "fifo", *btc_store = NULL;
    cw_xchain_opts xo;
    cw_xchain_opts_init(&xo);
    char *from[MAX_FROM];
    int n_from = 0;
    bool json = false, no_services = false;
    cw_acct_opts o;
    cw_acct_opts_init(&o);
    static const struct option longs[] = {{"store", required_argument, NULL, 's'},
                                          {"from", required_argument, NULL, 'f'},
                                          {"model", required_argument, NULL, 'm'},
                                          {"max-hops", required_argument, NULL, 'h'},
                                          {"until", required_argument, NULL, 'u'},
                                          {"min-amount", required_argument, NULL, 'a'},
                                          {"labels", required_argument, NULL, 'l'},
                                          {"json", no_argument, NULL, 'j'},
                                          {"no-services", no_argument, NULL, 'n'},
                                          {"through-mixer", no_argument, NULL, 'x'},
                                          {"link-score", required_argument, NULL, 'k'},
                                          {"btc-store", required_argument, NULL, 'b'},
                                          {"bridge-window", required_argument, NULL, 'w'},
                                          {NULL, 0, NULL, 0}};
    optind = 1;
    opterr = 0;
    int c;
    uint64_t x;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (c) {
        case 's':
            store = optarg;
            break;
        case 'f':
            if (n_from == MAX_FROM)
                return cw_cli_usage_error(cmd, "at most %d --from", MAX_FROM);
            from[n_from++] = optarg;
            break;
        case 'm':
            model = optarg;
            if (!strcmp(optarg, "fifo"))
                o.model = CW_ACCT_FIFO;
            else if (!strcmp(optarg, "haircut"))
                o.model = CW_ACCT_HAIRCUT;
            else if (!strcmp(optarg, "poison"))
                o.model = CW_ACCT_POISON;
            else
                return cw_cli_usage_error(cmd, "--model: poison, haircut or fifo, not '%s'",
                                          optarg);
            break;
        case 'h':
            if (cw_parse_u64(&x, optarg) || x > UINT32_MAX)
                return cw_cli_usage_error(cmd, "--max-hops: '%s' is not a number", optarg);
            o.max_hops = (uint32_t)x;
            break;
        case 'u':
            if (cw_parse_u64(&o.until_time, optarg))
                return cw_cli_usage_error(cmd, "--until: '%s' is not unix seconds", optarg);
            break;
        case 'a':
            if (cw_u256_parse(&o.min_amount, optarg, strlen(optarg)))
                return cw_cli_usage_error(cmd, "--min-amount: '%s' is not an amount in base units",
                                          optarg);
            break;
        case 'l':
            labels = optarg;
            break;
        case 'j':
            json = true;
            break;
        case 'n':
            no_services = true;
            break;
        case 'x':
            o.through_mixer = true;
            break;
        case 'k': {
            char *end;
            double v = strtod(optarg, &end);
            if (end == optarg || *end || !(v > 0 && v <= 1))
                return cw_cli_usage_error(cmd, "--link-score: '%s' is not a score in (0, 1]",
                                          optarg);
            o.min_link_score = v;
            break;
        }
        case 'b':
            btc_store = optarg;
            break;
        case 'w': {
            char *end;
            double v = strtod(optarg, &end);
            if (end == optarg || *end || !(v > 0 && v <= 24 * 365))
                return cw_cli_usage_error(cmd, "--bridge-window: '%s' is not hours in (0, 8760]",
                                          optarg);
            xo.window_s = (uint64_t)(v * 3600);
            if (xo.prompt_s > xo.window_s)
                xo.prompt_s = xo.window_s;
            break;
        }
        default:
            return cw_cli_usage_error(cmd, "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (!store)
        return cw_cli_usage_error(cmd, "--store is required");
    if (!n_from)
        return cw_cli_usage_error(cmd, "--from 0xTXHASH is required (the heist's transactions)");
    double t0 = now();
    int rc;
    cw_evmstore *s = NULL;
    stops st = {0};
    uint64_t *ids = NULL;
    size_t n_ids = 0;
    cw_acct_result *r = NULL;
    cw_evm_services *sv = NULL;
    uint8_t *mb = NULL;
    size_t n_mb = 0;
    cw_chainstore *bs = NULL;
    cw_trace_labelmap *blm = NULL;
    cw_xchain_result *xr = NULL;
    if (btc_store && cw_evmstore_detect(btc_store)) {
        rc =
            cw_error_set(CW_EINVAL, "--btc-store %s: an EVM store, not a Bitcoin store", btc_store);
        goto out;
    }
    if ((rc = cw_evmstore_open(&s, store, false, NULL)))
        goto out;
    if (btc_store && (rc = cw_chainstore_open(&bs, btc_store, false, CW_NET_MAIN))) {
        rc = cw_error_wrap(rc, "--btc-store: ");
        goto out;
    }
    if (labels && (rc = cw_labels_open(&st.db, labels, CW_LABELS_READONLY)))
        goto out;
    for (int i = 0; i < n_from; i++) {
        uint64_t *part;
        size_t np;
        if ((rc = cw_acct_evm_tx_sources(s, from[i], &part, &np)))
            goto out;
        uint64_t *grown = realloc(ids, (n_ids + np) * sizeof *ids);
        if (!grown) {
            free(part);
            rc = cw_error_set(CW_ENOMEM, "out of memory");
            goto out;
        }
        ids = grown;
        memcpy(ids + n_ids, part, np * sizeof *part);
        n_ids += np;
        free(part);
    }
    st.s = s;
    if (!no_services && (rc = cw_evm_services_detect(&sv, s)))
        goto out;
    st.sv = sv;
    /* bridges named by their deposits' memos (two or more swaps to other chains) */
    if (!no_services && (rc = cw_xchain_memo_bridges(s, 2, &mb, &n_mb)))
        goto out;
    st.memo_bridges = mb;
    cw_acct_evm ev = {s, stop_of, &st, personal_of};
    cw_acct_source src;
    cw_acct_source_evm(&src, &ev);
    if ((rc = cw_acct_trace(&r, &src, ids, n_ids, &o)))
        goto out;
    json_t *j = result_json(s, &st, r, model);
    /* bridge exits and their continuation in Bitcoin (xchain.h) */
    if (bs && st.db && (rc = cw_trace_labelmap_new(&blm, bs, st.db)))
        goto out_j;
    if (blm) {
        xo.btc.stop[0] = "exchange";
        xo.btc.stop[1] = "exchange_deposit";
        xo.btc.n_stop = 2;
    }
    if ((rc = cw_xchain_bridge_exits(&xr, s, r, bs, blm, &xo)))
        goto out_j;
    json_t *xj = cw_cli_xchain_json(xr, s, bs, asset_json);
    json_object_update(j, xj);
    json_decref(xj);
    double secs = now() - t0;
    json_object_set_new(j, "seconds", json_real(secs));
    if (json) {
        cw_cli_print_json(j);
    } else {
        print_text(j, secs);
        cw_cli_xchain_print(j);
        json_decref(j);
    }
    if (0) {
    out_j:
        json_decref(j);
    }
out:
    cw_xchain_result_free(xr);
    cw_trace_labelmap_free(blm);
    if (bs)
        cw_chainstore_close(bs);
    free(mb);
    cw_acct_result_free(r);
    cw_evm_services_free(sv);
    free(ids);
    cw_u64map_deinit(&st.cache);
    if (st.db)
        cw_labels_close(st.db);
    cw_evmstore_close(s);
    return rc ? cw_cli_fail("trace", rc) : CW_EXIT_OK;
}
