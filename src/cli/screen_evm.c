/*
 * screen_evm.c: `chainwatch screen 0xADDR...` on an EVM store (cmd_screen.c dispatches here):
 * per address and per asset it received, the share of that value coming directly or
 * indirectly from each label category, followed back until the share left falls below a
 * floor (cw_acct_screen). Shares are judgements, printed as "probable"; an address is flagged
 * when its share from sanctioned, theft or mixer sources reaches --threshold.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/acct_screen.h"
#include "chainwatch/errors.h"
#include "chainwatch/evm/block.h"
#include "chainwatch/labels.h"
#include "chainwatch/util.h"
#include "cli/cli.h"
#include "cli/screen_evm.h"
#include "util/u64map.h"

#define MAX_ADDRS 256

typedef struct cats {
    cw_labels *db;
    const cw_evmstore *s;
    const char *const *names;
    cw_u64map cache; /* account -> mask + 1 */
} cats;

static int label_bit(const cw_label *l, void *payload)
{
    cats *c = ((void **)payload)[0];
    uint32_t *mask = ((void **)payload)[1];
    for (uint32_t i = 0; c->names[i] && i < CW_ACCT_MAX_CATEGORIES; i++)
        if (!strcmp(c->names[i], l->category))
            *mask |= 1u << i;
    return 0;
}

static uint32_t cats_of(void *ctx, uint32_t account)
{
    cats *c = ctx;
    uint64_t v;
    if (!c->db)
        return 0;
    if (cw_u64map_get(&c->cache, account, &v))
        return (uint32_t)(v - 1);
    const cw_evm_row_account *a = cw_evmstore_account(c->s, account);
    uint32_t mask = 0;
    if (a) {
        char addr[43] = "0x";
        cw_hex_encode(addr + 2, a->addr, 20);
        void *pl[2] = {c, &mask};
        cw_labels_lookup(c->db, NULL, addr, label_bit, pl);
    }
    cw_u64map_set(&c->cache, account, (uint64_t)mask + 1);
    return mask;
}

static json_t *addr_json(const cw_evmstore *s, uint32_t id)
{
    const cw_evm_row_account *a = cw_evmstore_account(s, id);
    if (!a)
        return json_null();
    char h[43] = "0x";
    cw_hex_encode(h + 2, a->addr, 20);
    return json_string(h);
}

static json_t *asset_name(const cw_evmstore *s, uint32_t id)
{
    const cw_evm_row_asset *a = cw_evmstore_asset(s, id);
    char sym[sizeof a->symbol + 1] = "";
    if (a) {
        memcpy(sym, a->symbol, sizeof a->symbol);
        sym[sizeof a->symbol] = '\0';
    }
    if (id == CW_EVM_ASSET_NATIVE && !sym[0])
        return json_string(cw_evmstore_chain(s)->symbol);
    if (!sym[0] && a)
        return addr_json(s, a->account);
    return json_string(sym);
}

static bool risky(const char *cat)
{
    return !strcmp(cat, "sanctioned") || !strcmp(cat, "theft") || !strcmp(cat, "mixer");
}

int cw_cli_screen_evm(const cw_command *cmd, int argc, char **argv)
{
    const char *store = getenv("CHAINWATCH_STORE"), *labels = getenv("CHAINWATCH_LABELS_DB");
    bool json = false;
    double threshold = 0.05;
    cw_acct_screen_opts o;
    cw_acct_screen_opts_init(&o);
    static const struct option longs[] = {{"store", required_argument, NULL, 's'},
                                          {"labels", required_argument, NULL, 'l'},
                                          {"max-hops", required_argument, NULL, 'h'},
                                          {"floor", required_argument, NULL, 'f'},
                                          {"threshold", required_argument, NULL, 't'},
                                          {"json", no_argument, NULL, 'j'},
                                          {NULL, 0, NULL, 0}};
    optind = 1;
    opterr = 0;
    int c;
    uint64_t x;
    char *end;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (c) {
        case 's':
            store = optarg;
            break;
        case 'l':
            labels = optarg;
            break;
        case 'h':
            if (cw_parse_u64(&x, optarg) || x == 0 || x > 1000)
                return cw_cli_usage_error(cmd, "--max-hops: '%s' is not 1..1000", optarg);
            o.max_hops = (uint32_t)x;
            break;
        case 'f':
        case 't': {
            double v = strtod(optarg, &end);
            if (end == optarg || *end || !(v > 0 && v < 1))
                return cw_cli_usage_error(cmd, "%s: '%s' is not a share between 0 and 1",
                                          c == 'f' ? "--floor" : "--threshold", optarg);
            if (c == 'f')
                o.floor = v;
            else
                threshold = v;
            break;
        }
        case 'j':
            json = true;
            break;
        default:
            return cw_cli_usage_error(cmd, "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (!store)
        return cw_cli_usage_error(cmd, "--store is required");
    if (optind >= argc)
        return cw_cli_usage_error(cmd, "name at least one 0x address to screen");
    for (int i = optind; i < argc; i++) {
        cw_evm_addr a;
        if (cw_evm_addr_parse(&a, argv[i], strlen(argv[i])))
            return cw_cli_usage_error(cmd, "'%s' is not an EVM address (0x and 40 hex digits)",
                                      argv[i]);
    }
    int rc = 0;
    cw_evmstore *s = NULL;
    cats ct = {0};
    ct.names = cw_label_categories();
    json_t *all = json_array();
    if ((rc = cw_evmstore_open(&s, store, false, NULL)))
        goto out;
    if (labels && (rc = cw_labels_open(&ct.db, labels, CW_LABELS_READONLY)))
        goto out;
    ct.s = s;
    for (int i = optind; i < argc; i++) {
        cw_evm_addr a;
        uint32_t id;
        cw_evm_addr_parse(&a, argv[i], strlen(argv[i]));
        if (cw_evmstore_find_account(s, &a, &id)) {
            rc = cw_error_set(CW_ENOTFOUND, "address %s is not in the store", argv[i]);
            goto out;
        }
        /* the assets it received */
        uint32_t assets[64];
        size_t n_assets = 0;
        const cw_evm_row_acctlast *l = cw_evmstore_acctlast(s, id);
        for (uint64_t m = l ? l->last_in : CW_EVM_NONE64; m != CW_EVM_NONE64 && n_assets < 64;
             m = cw_evmstore_movelink(s, m)->prev_in) {
            uint32_t as = cw_evmstore_move(s, m)->asset;
            size_t k = 0;
            while (k < n_assets && assets[k] != as)
                k++;
            if (k == n_assets)
                assets[n_assets++] = as;
        }
        json_t *ja = json_array();
        bool flagged = false;
        for (size_t k = 0; k < n_assets; k++) {
            cw_acct_exposure e;
            if (cw_acct_screen(&e, s, id, assets[k], cats_of, &ct, &o))
                continue;
            json_t *exp = json_object(), *flags = json_array(), *paths = json_array();
            for (uint32_t b = 0; ct.names[b] && b < CW_ACCT_MAX_CATEGORIES; b++) {
                if (e.direct[b] <= 0 && e.indirect[b] <= 0)
                    continue;
                json_object_set_new(
                    exp, ct.names[b],
                    json_pack("{s:f, s:f}", "direct", e.direct[b], "indirect", e.indirect[b]));
                if (risky(ct.names[b]) && e.direct[b] + e.indirect[b] >= threshold) {
                    json_array_append_new(flags, json_string(ct.names[b]));
                    flagged = true;
                }
            }
            for (size_t p = 0; p < e.n_top; p++) {
                json_t *accts = json_array(), *txs = json_array();
                for (uint32_t q = 0; q < e.top[p].n; q++)
                    json_array_append_new(accts, addr_json(s, e.top[p].accounts[q]));
                for (uint32_t q = 0; q + 1 < e.top[p].n; q++) {
                    const cw_evm_row_move *mv = cw_evmstore_move(s, e.top[p].moves[q]);
                    char h[67] = "0x";
                    if (mv && mv->tx != CW_EVM_NONE64) {
                        cw_hex_encode(h + 2, cw_evmstore_tx_hash(s, mv->tx), 32);
                        json_array_append_new(txs, json_string(h));
                    } else {
                        json_array_append_new(txs, json_null());
                    }
                }
                json_array_append_new(paths,
                                      json_pack("{s:s, s:f, s:o, s:o}", "category",
                                                ct.names[e.top[p].category], "share",
                                                e.top[p].share, "accounts", accts, "txs", txs));
            }
            char dec[CW_U256_DEC_MAX];
            cw_u256_to_dec(dec, &e.received);
            json_array_append_new(ja, json_pack("{s:o, s:s, s:o, s:f, s:f, s:o, s:o, s:I, s:I}",
                                                "asset", asset_name(s, assets[k]), "received", dec,
                                                "exposure", exp, "unexplored", e.unexplored,
                                                "from_nobody", e.received_share_minted, "flagged",
                                                flags, "strongest_paths", paths, "accounts_visited",
                                                (json_int_t)e.accounts_visited, "receipts_read",
                                                (json_int_t)e.receipts_read));
        }
        json_array_append_new(all, json_pack("{s:s, s:b, s:o, s:s}", "address", argv[i], "flagged",
                                             flagged, "assets", ja, "reads_as",
                                             "probable shares of received value, not amounts"));
    }
    if (json) {
        cw_cli_print_json(json_pack("{s:o, s:f, s:f, s:i}", "results", all, "threshold", threshold,
                                    "floor", o.floor, "max_hops", (int)o.max_hops));
        all = NULL;
    } else {
        size_t i, k;
        json_t *v, *a;
        json_array_foreach(all, i, v)
        {
            printf("%s%s\n", json_string_value(json_object_get(v, "address")),
                   json_is_true(json_object_get(v, "flagged")) ? "  FLAGGED (probable)" : "");
            json_array_foreach(json_object_get(v, "assets"), k, a)
            {
                printf("  %s received %s base units; unexplored %.1f %%\n",
                       json_string_value(json_object_get(a, "asset")),
                       json_string_value(json_object_get(a, "received")),
                       100 * json_real_value(json_object_get(a, "unexplored")));
                const char *cat;
                json_t *sh;
                json_object_foreach(json_object_get(a, "exposure"), cat, sh)
                {
                    printf("    %-18s direct %6.2f %%  indirect %6.2f %% (probable)\n", cat,
                           100 * json_real_value(json_object_get(sh, "direct")),
                           100 * json_real_value(json_object_get(sh, "indirect")));
                }
            }
        }
    }
out:
    json_decref(all);
    cw_u64map_deinit(&ct.cache);
    if (ct.db)
        cw_labels_close(ct.db);
    cw_evmstore_close(s);
    return rc ? cw_cli_fail("screen", rc) : CW_EXIT_OK;
}
