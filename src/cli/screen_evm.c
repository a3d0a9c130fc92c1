/*
 * screen_evm.c: `chainwatch screen 0xADDR...` on an EVM store (cmd_screen.c dispatches here):
 * per address and per asset it received, the share of that value coming directly or
 * indirectly from each label category, followed back until the share left falls below a
 * floor (cw_acct_screen). Shares are judgements, printed as "probable"; an address is flagged
 * when its share from sanctioned, theft or mixer sources reaches --threshold, or when it is
 * itself labelled sanctioned (its labels are listed, with the entity's addresses on every
 * chain). Labels are read once (cw_acct_labels): every EVM address label, any asset code.
 * A swap's output is explained by the swap's own input (acct_screen.h), reported as
 * "through_swaps". --file F reads one address a line (# comments), after the arguments.
 * A mixed-case address must match its EIP-55 checksum (else exit 2: a typo).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/acct_labels.h"
#include "chainwatch/acct_screen.h"
#include "chainwatch/errors.h"
#include "chainwatch/evm/block.h"
#include "chainwatch/keccak.h"
#include "chainwatch/labels.h"
#include "chainwatch/util.h"
#include "cli/cli.h"
#include "cli/screen_evm.h"
#include "cli/store_opts.h"

#define MAX_ADDRS 256

typedef struct cats {
    const cw_acct_labels *lm;
} cats;

/* bit i = category i of cw_label_categories(), as cw_acct_screen wants */
static uint32_t cats_of(void *ctx, uint32_t account)
{
    cats *c = ctx;
    return cw_acct_labels_mask(c->lm, account);
}

static int entity_addr(const cw_label *l, void *payload)
{
    json_t *arr = payload;
    if (l->subject_kind == CW_SUBJECT_ADDRESS && json_array_size(arr) < 200)
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "asset", l->asset, "address",
                                             l->subject, "category", l->category));
    return 0;
}

/* The address's own labels, and for each labelled entity its addresses on every chain (an
 * entity such as OFAC's "Lazarus Group" has XBT and ETH addresses). */
static json_t *own_labels(const cw_acct_labels *lm, cw_labels *db, uint32_t account, bool *sanct)
{
    size_t n;
    const cw_acct_label *l = cw_acct_labels_all(lm, account, &n);
    json_t *arr = json_array();
    *sanct = false;
    for (size_t i = 0; i < n; i++) {
        json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "entity", l[i].entity, "entity_ref",
                              l[i].entity_ref, "category", l[i].category, "asset", l[i].asset,
                              "programs", l[i].programs, "source", l[i].source);
        if (!strcmp(l[i].category, "sanctioned"))
            *sanct = true;
        if (db && l[i].entity_ref[0]) {
            json_t *ea = json_array();
            cw_labels_find_subject(db, l[i].entity_ref, entity_addr, ea);
            json_object_set_new(j, "entity_addresses", ea);
        }
        json_array_append_new(arr, j);
    }
    return arr;
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

/* One address to screen: 0x and 40 hex digits, a mixed-case one matching its EIP-55 checksum;
 * where names the file and line for --file's (NULL: an argument). */
static int check_addr(const cw_command *cmd, const char *a, const char *where, size_t line)
{
    cw_evm_addr x;
    if (cw_evm_addr_parse(&x, a, strlen(a)))
        return where ? cw_cli_usage_error(cmd,
                                          "%s line %zu: '%s' is not an EVM address (0x and 40 "
                                          "hex digits)",
                                          where, line, a)
                     : cw_cli_usage_error(cmd, "'%s' is not an EVM address (0x and 40 hex digits)",
                                          a);
    if (cw_eip55_check(a))
        return where ? cw_cli_usage_error(cmd, "%s line %zu: %s", where, line, cw_error_last())
                     : cw_cli_usage_error(cmd, "%s", cw_error_last());
    return CW_EXIT_OK;
}

/* The addresses to screen: the n arguments, then --file F's lines (one address a line; blank
 * lines and # comments skipped; *data holds them, terminated in place). */
static int screen_addrs(const cw_command *cmd, int n, char **args, const char *file, char ***out,
                        size_t *n_out, char **data)
{
    uint8_t *buf = NULL;
    size_t len = 0, cap = (size_t)n + 1;
    *out = NULL;
    *n_out = 0;
    *data = NULL;
    if (!n && !file)
        return cw_cli_usage_error(cmd, "name at least one 0x address to screen, or --file F");
    if (n > MAX_ADDRS)
        return cw_cli_usage_error(
            cmd, "%d addresses named: at most %d in one screen (more: --file)", n, MAX_ADDRS);
    if (file) {
        int rc = cw_file_read(&buf, &len, file);
        if (rc)
            return cw_cli_fail("screen", cw_error_wrap(rc, "--file %s: ", file));
        for (size_t i = 0; i < len; i++)
            cap += buf[i] == '\n';
    }
    char **a = cw_calloc(cap, sizeof *a);
    if (!a) {
        cw_free(buf);
        return cw_cli_fail("screen", CW_ENOMEM);
    }
    size_t k = 0;
    for (int i = 0; i < n; i++) {
        int ec = check_addr(cmd, args[i], NULL, 0);
        if (ec != CW_EXIT_OK) {
            cw_free(a);
            cw_free(buf);
            return ec;
        }
        a[k++] = args[i];
    }
    const char *p = (const char *)buf, *end = p + len, *s;
    size_t line = 0, n_s;
    while (buf && cw_cli_list_next(&p, end, &line, &s, &n_s)) {
        char *q = (char *)buf + (s - (const char *)buf); /* s, writable: buf is ours */
        q[n_s] = '\0'; /* the newline, trailing blank or the byte past the file's end is ours */
        if (memchr(q, '\0', n_s) != NULL || k == cap) {
            cw_free(a);
            cw_free(buf);
            return cw_cli_usage_error(cmd, "%s line %zu: not an address line", file, line);
        }
        int ec = check_addr(cmd, q, file, line);
        if (ec != CW_EXIT_OK) {
            cw_free(a);
            cw_free(buf);
            return ec;
        }
        a[k++] = q;
    }
    if (!k) {
        cw_free(a);
        cw_free(buf);
        return cw_cli_usage_error(cmd, "%s holds no address to screen", file);
    }
    *out = a;
    *n_out = k;
    *data = (char *)buf;
    return CW_EXIT_OK;
}

int cw_cli_screen_evm(const cw_command *cmd, int argc, char **argv)
{
    const char *store = getenv("CHAINWATCH_STORE"), *labels = getenv("CHAINWATCH_LABELS_DB");
    const char *file = NULL;
    bool json = false;
    double threshold = 0.05;
    cw_acct_screen_opts o;
    cw_acct_screen_opts_init(&o);
    static const struct option longs[] = {
        {"store", required_argument, NULL, 's'},     {"labels", required_argument, NULL, 'l'},
        {"max-hops", required_argument, NULL, 'h'},  {"floor", required_argument, NULL, 'f'},
        {"threshold", required_argument, NULL, 't'}, {"json", no_argument, NULL, 'j'},
        {"file", required_argument, NULL, 'F'},      {NULL, 0, NULL, 0}};
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
        case 'F':
            file = optarg;
            break;
        default:
            return cw_cli_usage_error(cmd, "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (!store)
        return cw_cli_usage_error(cmd, "--store is required");
    /* the addresses: the arguments, then --file's lines (blank lines and # comments skipped) */
    char **addrs = NULL, *data = NULL;
    size_t n_addrs = 0;
    int ec = screen_addrs(cmd, argc - optind, argv + optind, file, &addrs, &n_addrs, &data);
    if (ec != CW_EXIT_OK)
        return ec;
    int rc = 0;
    cw_evmstore *s = NULL;
    cw_labels *db = NULL;
    cw_acct_labels *lm = NULL;
    cats ct = {0};
    cw_acct_screener *sc = NULL;
    const char *const *names = cw_label_categories();
    json_t *all = json_array();
    if ((rc = cw_evmstore_open(&s, store, false, NULL)))
        goto out;
    if (labels && (rc = cw_labels_open(&db, labels, CW_LABELS_READONLY)))
        goto out;
    if ((rc = cw_acct_labels_new(&lm, s, db)))
        goto out;
    ct.lm = lm;
    /* one screener for every address: hubs they share are indexed once */
    if ((rc = cw_acct_screener_new(&sc, s, cats_of, &ct, &o)))
        goto out;
    for (size_t i = 0; i < n_addrs; i++) {
        cw_evm_addr a;
        uint32_t id;
        cw_evm_addr_parse(&a, addrs[i], strlen(addrs[i]));
        if (cw_evmstore_find_account(s, &a, &id)) {
            rc = cw_error_set(CW_ENOTFOUND, "address %s is not in the store", addrs[i]);
            goto out;
        }
        /* the assets it received */
        uint32_t assets[64];
        size_t n_assets = 0;
        cw_evm_row_acctlast l;
        if ((rc = cw_evmstore_acctlast(s, id, &l)))
            goto out;
        for (uint64_t m = l.last_in; m != CW_EVM_NONE64 && n_assets < 64;
             m = cw_evmstore_movelink(s, m).prev_in) {
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
            int src = cw_acct_screener_run(sc, &e, id, assets[k]);
            if (src && src != CW_ENOTFOUND) { /* out of memory, or the store could not be read */
                rc = src;
                goto out;
            }
            if (src) {
                cw_error_clear();
                continue;
            }
            json_t *exp = json_object(), *flags = json_array(), *paths = json_array();
            for (uint32_t b = 0; names[b] && b < CW_ACCT_MAX_CATEGORIES; b++) {
                if (e.direct[b] <= 0 && e.indirect[b] <= 0)
                    continue;
                json_object_set_new(
                    exp, names[b],
                    json_pack("{s:f, s:f}", "direct", e.direct[b], "indirect", e.indirect[b]));
                if (risky(names[b]) && e.direct[b] + e.indirect[b] >= threshold) {
                    json_array_append_new(flags, json_string(names[b]));
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
                json_array_append_new(
                    paths, json_pack("{s:s, s:f, s:o, s:o}", "category", names[e.top[p].category],
                                     "share", e.top[p].share, "accounts", accts, "txs", txs));
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
            /* swap outputs explained by the swap's own input, not the venue's history */
            json_object_set_new(json_array_get(ja, json_array_size(ja) - 1), "through_swaps",
                                json_pack("{s:f, s:I, s:s}", "share", e.swapped, "swaps",
                                          (json_int_t)e.swaps, "reads_as", "probable"));
        }
        bool sanctioned;
        json_t *own = own_labels(lm, db, id, &sanctioned);
        /* an address that is itself sanctioned is flagged whatever it received: a fact, not
         * a share */
        json_array_append_new(all, json_pack("{s:s, s:b, s:b, s:o, s:o, s:s}", "address", addrs[i],
                                             "flagged", flagged || sanctioned, "sanctioned",
                                             sanctioned, "labels", own, "assets", ja, "reads_as",
                                             "probable shares of received value, not amounts"));
    }
    if ((rc = cw_cli_evm_answer(&all, s, 0)))
        goto out;
    if (json) {
        cw_cli_print_json(json_pack("{s:o, s:f, s:f, s:i, s:b}", "results", all, "threshold",
                                    threshold, "floor", o.floor, "max_hops", (int)o.max_hops,
                                    "synthetic", cw_evmstore_synthetic(s)));
        all = NULL;
    } else {
        size_t i, k;
        json_t *v, *a;
        if (cw_evmstore_synthetic(s)) {
            json_t *mark = json_pack("{s:b}", "synthetic", 1);
            cw_cli_synthetic_line(mark);
            json_decref(mark);
        }
        json_array_foreach(all, i, v)
        {
            printf("%s%s\n", json_string_value(json_object_get(v, "address")),
                   json_is_true(json_object_get(v, "sanctioned")) ? "  SANCTIONED (labelled)"
                   : json_is_true(json_object_get(v, "flagged"))  ? "  FLAGGED (probable)"
                                                                  : "");
            json_array_foreach(json_object_get(v, "labels"), k, a)
            {
                size_t na = json_array_size(json_object_get(a, "entity_addresses"));
                const char *ref = json_string_value(json_object_get(a, "entity_ref"));
                const char *as = json_string_value(json_object_get(a, "asset"));
                printf("  label: %s %s%s%s%s%s%s (%s)%s",
                       json_string_value(json_object_get(a, "category")),
                       json_string_value(json_object_get(a, "entity")), *ref ? " [" : "", ref,
                       *ref ? "]" : "", *as ? " listed under " : "", as,
                       json_string_value(json_object_get(a, "source")), na > 1 ? "" : "\n");
                if (na > 1)
                    printf("; the entity has %zu labelled addresses on all chains\n", na);
            }
            json_array_foreach(json_object_get(v, "assets"), k, a)
            {
                printf("  %s received %s base units; unexplored %.1f %%\n",
                       json_string_value(json_object_get(a, "asset")),
                       json_string_value(json_object_get(a, "received")),
                       100 * json_real_value(json_object_get(a, "unexplored")));
                json_t *sw = json_object_get(a, "through_swaps");
                if (json_integer_value(json_object_get(sw, "swaps")))
                    printf("    through swaps %.2f %% (%" JSON_INTEGER_FORMAT
                           " swaps followed to their input, probable)\n",
                           100 * json_real_value(json_object_get(sw, "share")),
                           json_integer_value(json_object_get(sw, "swaps")));
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
    cw_free(addrs);
    cw_free(data);
    json_decref(all);
    cw_acct_screener_free(sc);
    cw_acct_labels_free(lm);
    if (db)
        cw_labels_close(db);
    cw_evmstore_close(s);
    return rc ? cw_cli_fail("screen", rc) : CW_EXIT_OK;
}
