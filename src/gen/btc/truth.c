/*
 * truth.c: the ground-truth files beside the blocks (docs/GEN.md): entities.csv,
 * addresses.csv (one line per address, written when the address is created), coinjoins.csv,
 * tx0s.csv, peel_chains.csv, deposits.csv and thief_txs.csv (streamed), plus names and address
 * strings. heists.json and world.json are written at the end by heist.c and world.c.
 */
#include <errno.h>
#include <string.h>

#include "chainwatch/btc/address.h"
#include "chainwatch/errors.h"
#include "gen/btc/world.h"

const char *gen_cat_name(int cat)
{
    static const char *const names[] = {"miner",
                                        "user",
                                        "exchange",
                                        "exchange_deposit",
                                        "merchant",
                                        "service",
                                        "coinjoin_coordinator",
                                        "thief"};
    return cat >= 0 && cat < 8 ? names[cat] : "unknown";
}

void gen_entity_name(const gen_world *w, uint32_t ent, char *out, size_t n)
{
    const gen_entity *e = &w->ents[ent];
    if (e->name) {
        snprintf(out, n, "%s", e->name);
        return;
    }
    switch (e->cat) {
    case GEN_CAT_MINER:
        snprintf(out, n, "miner-%02u", e->index);
        break;
    case GEN_CAT_MERCHANT:
        snprintf(out, n, "merchant-%04u", e->index);
        break;
    case GEN_CAT_SERVICE:
        snprintf(out, n, "service-%03u", e->index);
        break;
    case GEN_CAT_THIEF:
        snprintf(out, n, "thief-%s", w->sc->heists[e->index].name);
        break;
    default:
        snprintf(out, n, "user-%06u", e->index);
        break;
    }
}

int gen_addr_string(const gen_world *w, uint32_t addr, uint8_t type, char *out, size_t n)
{
    char tmp[GEN_ADDRFMT_MAX + 1];
    int len = gen_addrfmt_encode(&w->sink.afmt, tmp, type, gen_addr_key(w, addr));
    if (len < 0)
        return len;
    if ((size_t)len >= n)
        return cw_error_set(CW_EINVAL, "address buffer of %zu bytes", n);
    memcpy(out, tmp, (size_t)len + 1);
    return 0;
}

void gen_outpoint_str(char *out, const uint8_t txid[32], uint32_t vout)
{
    cw_hex_encode_rev(out, txid, 32);
    snprintf(out + 64, 12, ":%u", vout);
}

static FILE *open_csv(gen_world *w, const char *name, const char *header, int *rc)
{
    cw_buf p = {0};
    if (cw_buf_printf(&p, "%s/%s", w->truth_dir, name) != 0) {
        *rc = CW_ENOMEM;
        return NULL;
    }
    FILE *f = fopen((const char *)p.data, "w");
    if (!f)
        *rc = cw_error_set(CW_EIO, "%s: %s", (const char *)p.data, strerror(errno));
    else if (fputs(header, f) < 0)
        *rc = cw_error_set(CW_EIO, "%s: write failed", (const char *)p.data);
    cw_buf_deinit(&p);
    if (f)
        setvbuf(f, NULL, _IOFBF, 1 << 20);
    return f;
}

int gen_truth_open(gen_world *w)
{
    int rc = cw_mkdir_p(w->truth_dir);
    if (rc != 0)
        return rc;
    if ((rc = gen_sink_open(&w->sink, w->truth_dir, w->net, w->salt)) != 0)
        return rc;
    w->f_cj = open_csv(w, "coinjoins.csv",
                       "txid,height,kind,coordinator_id,n_inputs,n_outputs,heist\n", &rc);
    if (rc == 0)
        w->f_peel = open_csv(w, "peel_chains.csv",
                             "heist,chain,hop,txid,height,peel_vout,peel_sat,peel_address,"
                             "exchange,remainder_vout,remainder_sat\n",
                             &rc);
    if (rc == 0)
        w->f_ttx = open_csv(w, "thief_txs.csv",
                            "heist,txid,height,kind,parent_txid,thief_in_sat,thief_out_sat,"
                            "deposit_sat,fee_sat,coordinator_fee_sat\n",
                            &rc);
    if (rc == 0)
        w->f_tx0 =
            open_csv(w, "tx0s.csv",
                     "txid,height,kind,pool_sat,owner_id,n_inputs,n_premix,n_outputs,heist\n", &rc);
    if (rc == 0)
        w->f_dep = open_csv(w, "deposits.csv",
                            "txid,vout,height,address,exchange,payer_id,value_sat,heist\n", &rc);
    return rc;
}

int gen_truth_tx0(gen_world *w, const uint8_t txid[32], uint64_t pool, uint32_t owner,
                  uint32_t n_in, uint32_t n_premix, uint32_t n_out, const char *heist)
{
    char hx[65];
    cw_hex_encode_rev(hx, txid, 32);
    w->n_tx0s++;
    if (fprintf(w->f_tx0, "%s,%u,tx0,%llu,%u,%u,%u,%u,%s\n", hx, w->height,
                (unsigned long long)pool, owner, n_in, n_premix, n_out, heist ? heist : "") < 0)
        return cw_error_set(CW_EIO, "%s/tx0s.csv: write failed", w->truth_dir);
    return 0;
}

int gen_truth_peel(gen_world *w, const char *heist, uint32_t chain, uint32_t hop,
                   const uint8_t txid[32], uint32_t peel_vout, uint64_t peel_sat,
                   uint32_t peel_addr, uint8_t peel_type, const char *exchange, uint32_t rem_vout,
                   uint64_t rem_sat)
{
    char hx[65], addr[CW_ADDR_STR_MAX];
    cw_hex_encode_rev(hx, txid, 32);
    int rc = gen_addr_string(w, peel_addr, peel_type, addr, sizeof addr);
    if (rc != 0)
        return rc;
    if (fprintf(w->f_peel, "%s,%u,%u,%s,%u,%u,%llu,%s,%s,%u,%llu\n", heist, chain, hop, hx,
                w->height, peel_vout, (unsigned long long)peel_sat, addr, exchange, rem_vout,
                (unsigned long long)rem_sat) < 0)
        return cw_error_set(CW_EIO, "%s/peel_chains.csv: write failed", w->truth_dir);
    return 0;
}

int gen_truth_entities(gen_world *w)
{
    /* the names are kept for addresses.csv (the sink writes one per address line) */
    cw_buf names = {0}, text = {0};
    w->name_off = cw_malloc(((size_t)w->n_ents + 1) * sizeof *w->name_off);
    if (!w->name_off)
        return cw_error_set(CW_ENOMEM, "%u entity names", w->n_ents);
    int rc = cw_buf_printf(&text, "entity_id,name,category\n");
    char name[64];
    for (uint32_t i = 0; rc == 0 && i < w->n_ents; i++) {
        gen_entity_name(w, i, name, sizeof name);
        size_t len = strlen(name);
        if (names.len + len + 1 > UINT32_MAX) {
            rc = cw_error_set(CW_EINVAL, "entity names too long");
            break;
        }
        w->name_off[i] = (uint32_t)names.len;
        rc = cw_buf_append(&names, name, len + 1);
        if (rc == 0)
            rc = cw_buf_printf(&text, "%u,%s,%s\n", i, name, gen_cat_name(w->ents[i].cat));
    }
    w->name_off[w->n_ents] = (uint32_t)names.len;
    static const char pad[32] = {0};
    if (rc == 0) /* the sink copies 32 bytes at a time */
        rc = cw_buf_append(&names, pad, sizeof pad);
    w->names = (char *)names.data;
    if (rc == 0) {
        FILE *f = open_csv(w, "entities.csv", "", &rc);
        if (f && fwrite(text.data, 1, text.len, f) != text.len && rc == 0)
            rc = cw_error_set(CW_EIO, "%s/entities.csv: write failed", w->truth_dir);
        if (f && fclose(f) != 0 && rc == 0)
            rc = cw_error_set(CW_EIO, "%s/entities.csv: close failed", w->truth_dir);
    }
    cw_buf_deinit(&text);
    return rc;
}

static int close_one(gen_world *w, FILE **f, const char *name)
{
    int rc = 0;
    if (*f && fclose(*f) != 0)
        rc = cw_error_set(CW_EIO, "%s/%s: close: %s", w->truth_dir, name, strerror(errno));
    *f = NULL;
    return rc;
}

int gen_truth_close(gen_world *w)
{
    int rc = gen_sink_close(&w->sink);
    int r2 = close_one(w, &w->f_cj, "coinjoins.csv");
    int r3 = close_one(w, &w->f_peel, "peel_chains.csv");
    int r4 = close_one(w, &w->f_ttx, "thief_txs.csv");
    int r5 = close_one(w, &w->f_tx0, "tx0s.csv");
    int r6 = close_one(w, &w->f_dep, "deposits.csv");
    return rc ? rc : r2 ? r2 : r3 ? r3 : r4 ? r4 : r5 ? r5 : r6;
}
