/*
 * truth.c: the ground-truth files beside the blocks (docs/GEN.md): entities.csv,
 * addresses.csv (one line per address, written when the address is created), coinjoins.csv,
 * peel_chains.csv and thief_txs.csv (streamed), plus names and address strings. heists.json
 * and world.json are written at the end by heist.c and world.c.
 */
#include <errno.h>
#include <string.h>

#include "chain/gen/world.h"
#include "chainwatch/address.h"
#include "chainwatch/errors.h"

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
    uint8_t spk[GEN_SPK_MAX];
    size_t len = gen_spk(spk, type, gen_addr_key(w, addr));
    cw_addr_key key;
    cw_script_classify(spk, len, &key);
    return cw_addr_encode(out, n, &key, w->net);
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
    w->f_addr = open_csv(w, "addresses.csv",
                         "address,script_type,entity_id,entity_name,category,customer_id\n", &rc);
    if (rc == 0)
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
    return rc;
}

int gen_truth_entities(gen_world *w)
{
    int rc = 0;
    FILE *f = open_csv(w, "entities.csv", "entity_id,name,category\n", &rc);
    if (!f)
        return rc;
    char name[64];
    for (uint32_t i = 0; i < w->n_ents; i++) {
        gen_entity_name(w, i, name, sizeof name);
        if (fprintf(f, "%u,%s,%s\n", i, name, gen_cat_name(w->ents[i].cat)) < 0)
            rc = cw_error_set(CW_EIO, "%s/entities.csv: write failed", w->truth_dir);
    }
    if (fclose(f) != 0 && rc == 0)
        rc = cw_error_set(CW_EIO, "%s/entities.csv: close failed", w->truth_dir);
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
    int rc = close_one(w, &w->f_addr, "addresses.csv");
    int r2 = close_one(w, &w->f_cj, "coinjoins.csv");
    int r3 = close_one(w, &w->f_peel, "peel_chains.csv");
    int r4 = close_one(w, &w->f_ttx, "thief_txs.csv");
    return rc ? rc : r2 ? r2 : r3 ? r3 : r4;
}
