/*
 * addrhist.c: the address-history index (btc/addrhist.h, docs/STORE-FORMAT.md).
 *
 * Files, in addrhist.<gen>/ beside the store's columns:
 *   off.col  u64, one row per covered address plus one: off[a] is the first entry of address a,
 *            off[addrs] the number of entries;
 *   ent.col  one row per output that pays an address (OP_RETURN outputs have none), grouped by
 *            address in id order and ascending by output id within an address: {u32 out, u32 tx}
 *            (8 bytes) while the store has fewer than 2^32 outputs, else {u64 out, u64 tx};
 *   card.col one 32-byte row per covered address (only while the store has fewer than 2^32
 *            outputs; since stop 16): {u32 first, n, n_spent, tx; u64 value; u32 vout, spender}:
 *            its entries' place (off.col's two rows), how many of them were spent, and its
 *            newest output whole, so that a cold lookup of an address with one output reads
 *            its card and the txids, and one with more skips off.col.
 * addrhist.manifest (cw_manifest): format, gen, outs and addrs covered, entries, width, and the
 * identity of the store at those counts: the row and hash (id0..id3) of the block holding
 * output outs - 1, and cards (1 when card.col was written: a generation folder holding a card.col
 * its manifest does not name, left by another build, is not read).
 *
 * Build: the previous generation's rows for each address are copied, then the outputs ingested
 * since (only those are read from outs.col) are appended to their addresses' rows; a first
 * build is the same with nothing to copy. Both passes are sequential. The new generation's
 * files are written through the page cache, trimmed and fsynced, the directory fsynced, then
 * the manifest is replaced (write, fsync, rename, fsync the directory) and the older
 * generations removed: a kill anywhere leaves a manifest naming a complete generation, or none.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chainwatch/btc/addrhist.h"
#include "chainwatch/errors.h"
#include "chainwatch/store.h"
#include "chainwatch/util.h"

struct cw_addrhist {
    cw_column off, ent, card;
    uint64_t outs, addrs, entries;
    uint32_t width;
    bool cards; /* card is open and holds a row per covered address */
};

/* A row of card.col (cw_addrhist_card; spender CW_NONE32 for unspent, and for no output). */
typedef struct card_row {
    uint32_t first, n, n_spent, tx;
    uint64_t value;
    uint32_t vout, spender;
} card_row;
#define CARD_WIDTH 32
_Static_assert(sizeof(card_row) == CARD_WIDTH, "card.col rows are 32 bytes");

static const char *const id_keys[4] = {"id0", "id1", "id2", "id3"};

static void gen_dir(char *out, size_t n, const char *store, uint64_t gen)
{
    cw_derived_gen_dir(out, n, store, "addrhist", gen);
}

static void manifest_path(char *out, size_t n, const char *store)
{
    snprintf(out, n, "%s/addrhist.manifest", store);
}

static uint32_t width_for(uint64_t outs)
{
    return outs < CW_NONE32 ? 8 : 16;
}

/* The block row holding output outs - 1 and its hash (CW_NONE64 and zeros for no output). */
static uint64_t identity(const cw_chainstore *cs, uint64_t outs, uint8_t hash[32])
{
    memset(hash, 0, 32);
    if (outs == 0)
        return CW_NONE64;
    uint64_t r = cw_chainstore_tx_block(cs, cw_chainstore_out_tx(cs, outs - 1));
    memcpy(hash, cw_chainstore_block(cs, r)->hash, 32);
    return r;
}

/* Whether the manifest's covered state is a prefix of cs's published state. */
static bool matches(const cw_chainstore *cs, const cw_manifest *m)
{
    cw_chainstore_counts c = cw_chainstore_counts_get(cs);
    uint64_t outs = cw_manifest_get(m, "outs", CW_NONE64), addrs = cw_manifest_get(m, "addrs", 0);
    if (outs > c.outs || addrs > c.addrs)
        return false;
    if (cw_manifest_get(m, "width", 0) != width_for(outs))
        return false;
    uint8_t h[32];
    uint64_t r = identity(cs, outs, h);
    if (cw_manifest_get(m, "idblock", 0) != r)
        return false;
    for (int i = 0; i < 4; i++) {
        uint64_t w;
        memcpy(&w, h + (size_t)8 * i, 8);
        if (cw_manifest_get(m, id_keys[i], 0) != w)
            return false;
    }
    return true;
}

static void entry_put(uint8_t *row, uint32_t width, uint64_t out, uint64_t tx)
{
    if (width == 8) {
        uint32_t v[2] = {(uint32_t)out, (uint32_t)tx};
        memcpy(row, v, 8);
    } else {
        uint64_t v[2] = {out, tx};
        memcpy(row, v, 16);
    }
}

/* Address a's card from the index's rows (off: its n_addrs + 1 offsets; ent: 8-byte entries)
 * and the store's outputs as published. */
static void card_make(card_row *r, const cw_chainstore *cs, const uint64_t *off, const uint8_t *ent,
                      uint64_t a)
{
    uint64_t txs = cw_chainstore_counts_get(cs).txs;
    memset(r, 0, sizeof *r);
    r->first = (uint32_t)off[a];
    r->n = (uint32_t)(off[a + 1] - off[a]);
    r->spender = CW_NONE32;
    uint32_t v[2];
    for (uint64_t i = off[a]; i < off[a + 1]; i++) {
        memcpy(v, ent + i * 8, 8);
        const cw_row_out *o = cw_chainstore_out(cs, v[0]);
        bool spent = o->spending_tx != CW_NONE32 && o->spending_tx < txs;
        r->n_spent += spent;
        if (i + 1 == off[a + 1]) { /* the newest */
            r->tx = v[1];
            r->value = cw_out_value(o);
            r->vout = (uint32_t)(v[0] - cw_chainstore_tx_first_out(cs, v[1]));
            r->spender = spent ? o->spending_tx : CW_NONE32;
        }
    }
}

/* ------------------------------------------------------------------ build */

typedef struct builder {
    uint64_t crash_at, crash_count;
} builder;

static void crash_point(builder *b)
{
    if (b->crash_at && ++b->crash_count == b->crash_at)
        raise(SIGKILL);
}

/* Counts the outputs [from, c.outs) per address into cnt (addresses below n_addrs). */
static void count_new(const cw_chainstore *cs, uint64_t from, uint64_t to, uint64_t *cnt,
                      uint64_t n_addrs)
{
    for (uint64_t o = from; o < to; o++) {
        uint32_t a = cw_chainstore_out(cs, o)->addr;
        if (a != CW_NONE32 && a < n_addrs)
            cnt[a]++;
    }
}

/* Places the outputs [from, to) at their addresses' cursors fill[a] (advanced) in ent. */
static void place_new(const cw_chainstore *cs, uint64_t from, uint64_t to, uint64_t *fill,
                      uint64_t n_addrs, uint8_t *ent, uint32_t width)
{
    if (from >= to)
        return;
    uint64_t t = cw_chainstore_out_tx(cs, from), i0, i1, o0, o1;
    cw_chainstore_tx_range(cs, t, &i0, &i1, &o0, &o1);
    for (uint64_t o = from; o < to; o++) {
        while (o >= o1)
            cw_chainstore_tx_range(cs, ++t, &i0, &i1, &o0, &o1);
        uint32_t a = cw_chainstore_out(cs, o)->addr;
        if (a == CW_NONE32 || a >= n_addrs)
            continue;
        entry_put(ent + fill[a]++ * width, width, o, t);
    }
}

/* Fills off (n_addrs + 1 rows) and ent (off[n_addrs] rows) from a previous generation (old_off,
 * old_ent covering old_addrs addresses; NULL for none) and the outputs [from, to). cnt: zeroed
 * scratch of n_addrs rows. */
static void fill_index(const cw_chainstore *cs, const uint64_t *old_off, const uint8_t *old_ent,
                       uint64_t old_addrs, uint64_t from, uint64_t to, uint64_t n_addrs,
                       uint64_t *cnt, uint64_t *off, uint8_t *ent, uint32_t width)
{
    count_new(cs, from, to, cnt, n_addrs);
    off[0] = 0;
    for (uint64_t a = 0; a < n_addrs; a++) {
        uint64_t old_n = old_off && a < old_addrs ? old_off[a + 1] - old_off[a] : 0;
        off[a + 1] = off[a] + old_n + cnt[a];
    }
    if (!ent)
        return;
    for (uint64_t a = 0; a < n_addrs; a++) {
        uint64_t old_n = old_off && a < old_addrs ? old_off[a + 1] - old_off[a] : 0;
        if (old_n)
            memcpy(ent + off[a] * width, old_ent + old_off[a] * width, old_n * width);
        cnt[a] = off[a] + old_n; /* the cursor for the new outputs */
    }
    place_new(cs, from, to, cnt, n_addrs, ent, width);
}

/* Opens the generation the manifest names, checked against its counts. */
static int open_gen(cw_column *off, cw_column *ent, const char *store, const cw_manifest *m)
{
    char d[4096];
    gen_dir(d, sizeof d, store, cw_manifest_get(m, "gen", 0));
    uint64_t addrs = cw_manifest_get(m, "addrs", 0), entries = cw_manifest_get(m, "entries", 0);
    uint32_t width = (uint32_t)cw_manifest_get(m, "width", 8);
    off->map = ent->map = NULL;
    off->fd = ent->fd = -1;
    int rc = cw_column_open(off, d, "off", 8, false);
    if (!rc)
        rc = cw_column_open(ent, d, "ent", width, false);
    if (!rc && (off->cap < addrs + 1 || ent->cap < entries))
        rc = cw_error_set(CW_ECORRUPT, "%s: shorter than addrhist.manifest says", d);
    if (!rc && ((const uint64_t *)cw_column_row(off, 0))[addrs] != entries)
        rc = cw_error_set(CW_ECORRUPT, "%s/off.col: offsets do not end at %" PRIu64, d, entries);
    if (rc) {
        if (off->map)
            cw_column_close(off, false);
        if (ent->map)
            cw_column_close(ent, false);
        off->map = ent->map = NULL;
    }
    return rc;
}

/* Whether the generation the manifest names has a card.col with a row per covered address. */
static bool cards_readable(const char *store, const cw_manifest *m)
{
    char d[4096];
    gen_dir(d, sizeof d, store, cw_manifest_get(m, "gen", 0));
    cw_column c = {.fd = -1};
    bool ok = cw_column_open(&c, d, "card", CARD_WIDTH, false) == 0 &&
              c.cap >= cw_manifest_get(m, "addrs", 0);
    if (c.map)
        cw_column_close(&c, false);
    cw_error_clear();
    return ok;
}

static int take_lock(int *fd, const char *store)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/addrhist.lock", store);
    return cw_store_lock(fd, p, p, "another index build is running");
}

int cw_addrhist_build(const char *store_dir, cw_addrhist_stats *stats)
{
    cw_addrhist_stats st;
    memset(&st, 0, sizeof st);
    double t0 = cw_now();
    builder b = {0};
    const char *crash = getenv("CW_TEST_CRASH_POINT");
    if (crash && cw_parse_u64(&b.crash_at, crash))
        b.crash_at = 0;
    cw_chainstore *cs = NULL;
    int lock = -1, rc;
    cw_column old_off = {.fd = -1}, old_ent = {.fd = -1}, noff = {.fd = -1}, nent = {.fd = -1},
              ncard = {.fd = -1};
    bool have_old = false;
    uint64_t *cnt = NULL;
    char mpath[4200], ndir[4096];
    manifest_path(mpath, sizeof mpath, store_dir);
    if ((rc = cw_chainstore_open(&cs, store_dir, false, CW_NET_MAIN)))
        goto out;
    if ((rc = take_lock(&lock, store_dir)))
        goto out;
    cw_chainstore_counts c = cw_chainstore_counts_get(cs);
    uint32_t width = width_for(c.outs);
    cw_manifest m;
    uint64_t old_gen = 0, from = 0, old_addrs = 0, old_cards = 0;
    bool cards = width == 8; /* card.col's u32 rows: below 2^32 outputs */
    if (cw_manifest_read(&m, mpath) == 0) {
        old_gen = cw_manifest_get(&m, "gen", 0);
        if (cw_manifest_get(&m, "format", 0) == CW_ADDRHIST_FORMAT && matches(cs, &m) &&
            cw_manifest_get(&m, "width", 0) == width &&
            open_gen(&old_off, &old_ent, store_dir, &m) == 0) {
            have_old = true;
            from = cw_manifest_get(&m, "outs", 0);
            old_addrs = cw_manifest_get(&m, "addrs", 0);
            old_cards = cw_manifest_get(&m, "cards", 0);
            if (old_cards == 1 && !cards_readable(store_dir, &m))
                old_cards = 0; /* named but missing or short: written again */
        } else {
            st.rebuilt = true;
        }
    }
    cw_error_clear();
    st.outs_before = from;
    st.cards = cards;
    if (have_old && from == c.outs && old_addrs == c.addrs && (old_cards == 1) == cards) {
        st.up_to_date = true;
        st.outs = c.outs;
        st.addrs = c.addrs;
        st.entries = cw_manifest_get(&m, "entries", 0);
        st.bytes = (uint64_t)2 * CW_COLUMN_HEADER + (c.addrs + 1) * 8 + st.entries * width +
                   (cards ? CW_COLUMN_HEADER + c.addrs * CARD_WIDTH : 0);
        cw_derived_remove_other_gens(store_dir, "addrhist", old_gen);
        goto out;
    }
    /* above every folder present: never into one a reader may have opened */
    uint64_t new_gen = cw_derived_next_gen(store_dir, "addrhist", old_gen);
    gen_dir(ndir, sizeof ndir, store_dir, new_gen);
    if (mkdir(ndir, 0755) != 0 && errno != EEXIST) {
        rc = cw_error_set(CW_EIO, "%s: %s", ndir, strerror(errno));
        goto out;
    }
    if (!(cnt = cw_calloc(c.addrs ? c.addrs : 1, sizeof *cnt))) {
        rc = cw_error_set(CW_ENOMEM, "out of memory (%" PRIu64 " addresses)", c.addrs);
        goto out;
    }
    if ((rc = cw_column_open(&noff, ndir, "off", 8, true)) ||
        (rc = cw_column_reserve(&noff, c.addrs + 1)))
        goto out;
    const uint64_t *ooff = have_old ? cw_column_row(&old_off, 0) : NULL;
    const uint8_t *oent = have_old ? cw_column_row(&old_ent, 0) : NULL;
    uint64_t *off = cw_column_row(&noff, 0);
    /* offsets first (the entry count sizes ent.col), then the entries */
    fill_index(cs, ooff, oent, old_addrs, from, c.outs, c.addrs, cnt, off, NULL, width);
    noff.rows = c.addrs + 1;
    st.entries = off[c.addrs];
    memset(cnt, 0, c.addrs * sizeof *cnt);
    if ((rc = cw_column_open(&nent, ndir, "ent", width, true)) ||
        (rc = cw_column_reserve(&nent, st.entries + 1)))
        goto out;
    off = cw_column_row(&noff, 0);
    fill_index(cs, ooff, oent, old_addrs, from, c.outs, c.addrs, cnt, off, cw_column_row(&nent, 0),
               width);
    nent.rows = st.entries;
    st.bytes = cw_column_bytes(&noff) + cw_column_bytes(&nent);
    if (cards) { /* from the final rows: an incremental build writes a whole one's bytes */
        if ((rc = cw_column_open(&ncard, ndir, "card", CARD_WIDTH, true)) ||
            (rc = cw_column_reserve(&ncard, c.addrs + 1)))
            goto out;
        off = cw_column_row(&noff, 0);
        const uint8_t *ent = cw_column_row(&nent, 0);
        for (uint64_t a = 0; a < c.addrs; a++)
            card_make(cw_column_row(&ncard, a), cs, off, ent, a);
        ncard.rows = c.addrs;
        st.bytes += cw_column_bytes(&ncard);
    }
    crash_point(&b); /* files written, not yet durable */
    rc = cw_column_close(&noff, true);
    int r2 = cw_column_close(&nent, true);
    int r3 = cards ? cw_column_close(&ncard, true) : 0;
    if (rc || (rc = r2) || (rc = r3))
        goto out;
    crash_point(&b); /* files durable, the directory not */
    if ((rc = cw_fsync_dir(ndir)))
        goto out;
    crash_point(&b); /* the generation complete, not published */
    uint8_t h[32];
    memset(&m, 0, sizeof m);
    uint64_t idrow = identity(cs, c.outs, h);
    if ((rc = cw_manifest_set(&m, "format", CW_ADDRHIST_FORMAT)) ||
        (rc = cw_manifest_set(&m, "gen", new_gen)) || (rc = cw_manifest_set(&m, "outs", c.outs)) ||
        (rc = cw_manifest_set(&m, "addrs", c.addrs)) ||
        (rc = cw_manifest_set(&m, "entries", st.entries)) ||
        (rc = cw_manifest_set(&m, "width", width)) ||
        (rc = cw_manifest_set(&m, "idblock", idrow)) ||
        (cards && (rc = cw_manifest_set(&m, "cards", 1))))
        goto out;
    for (int i = 0; i < 4; i++) {
        uint64_t w;
        memcpy(&w, h + (size_t)8 * i, 8);
        if ((rc = cw_manifest_set(&m, id_keys[i], w)))
            goto out;
    }
    /* not from rows a rollback beside the build rewrote (docs/STORE-FORMAT.md) */
    if ((rc = cw_chainstore_snapshot_check(cs)) || (rc = cw_manifest_write(&m, mpath)))
        goto out;
    crash_point(&b); /* published, the old generation not removed */
    cw_derived_remove_other_gens(store_dir, "addrhist", new_gen);
    crash_point(&b);
    st.outs = c.outs;
    st.addrs = c.addrs;
out:
    cw_free(cnt);
    if (noff.map)
        cw_column_close(&noff, false);
    if (nent.map)
        cw_column_close(&nent, false);
    if (ncard.map)
        cw_column_close(&ncard, false);
    if (old_off.map)
        cw_column_close(&old_off, false);
    if (old_ent.map)
        cw_column_close(&old_ent, false);
    if (lock >= 0)
        close(lock);
    if (cs)
        cw_chainstore_close(cs);
    st.seconds = cw_now() - t0;
    if (stats)
        *stats = st;
    return rc;
}

/* ------------------------------------------------------------------ reader */

void cw_addrhist_close(cw_addrhist *h)
{
    if (!h)
        return;
    if (h->off.map)
        cw_column_close(&h->off, false);
    if (h->ent.map)
        cw_column_close(&h->ent, false);
    if (h->card.map)
        cw_column_close(&h->card, false);
    cw_free(h);
}

int cw_addrhist_open(cw_addrhist **out, const cw_chainstore *cs)
{
    *out = NULL;
    const char *dir = cw_chainstore_dir(cs);
    char mpath[4200];
    manifest_path(mpath, sizeof mpath, dir);
    cw_manifest m;
    cw_addrhist *h = cw_calloc(1, sizeof *h);
    if (!h)
        return cw_error_set(CW_ENOMEM, "out of memory");
    int rc;
    /* a build may publish the next generation and remove this one between the manifest and the
     * files: then the new manifest names a complete generation (cw_derived_moved) */
    for (int tries = 0;; tries++) {
        if ((rc = cw_manifest_read(&m, mpath))) {
            cw_free(h);
            return rc == CW_ENOTFOUND
                       ? cw_error_set(CW_ENOTFOUND, "%s: no address-history index built", dir)
                       : rc;
        }
        cw_derived_test_hook();
        if (cw_manifest_get(&m, "format", 0) != CW_ADDRHIST_FORMAT) {
            cw_free(h);
            return cw_error_set(CW_EVERSION, "%s: unsupported format", mpath);
        }
        if (!matches(cs, &m)) {
            cw_free(h);
            return cw_error_set(CW_ECORRUPT,
                                "%s: does not match the store (reorganised below it, or fewer "
                                "outputs): rebuild the index",
                                mpath);
        }
        if ((rc = open_gen(&h->off, &h->ent, dir, &m)) == 0)
            break;
        if (tries == 2 || !cw_derived_moved(&m, mpath)) {
            cw_free(h);
            return rc;
        }
        cw_error_clear();
    }
    h->outs = cw_manifest_get(&m, "outs", 0);
    h->addrs = cw_manifest_get(&m, "addrs", 0);
    h->entries = cw_manifest_get(&m, "entries", 0);
    h->width = (uint32_t)cw_manifest_get(&m, "width", 8);
    h->card.fd = -1;
    if (cw_manifest_get(&m, "cards", 0) == 1 && h->width == 8) {
        /* a missing or short card.col: the lookups read off.col as without (check says so) */
        char d[4096];
        gen_dir(d, sizeof d, dir, cw_manifest_get(&m, "gen", 0));
        if (cw_column_open(&h->card, d, "card", CARD_WIDTH, false) == 0 && h->card.cap >= h->addrs)
            h->cards = true;
        else if (h->card.map)
            cw_column_close(&h->card, false);
        if (!h->cards)
            h->card.map = NULL;
        cw_error_clear();
    }
    *out = h;
    return 0;
}

bool cw_addrhist_has_cards(const cw_addrhist *h)
{
    return h->cards;
}

/* The card row of a covered address whose entries lie inside ent.col, else NULL. */
static const card_row *card_of(const cw_addrhist *h, uint64_t a)
{
    if (!h->cards || a >= h->addrs)
        return NULL;
    const card_row *r = cw_column_row(&h->card, a);
    return (uint64_t)r->first + r->n <= h->entries ? r : NULL;
}

bool cw_addrhist_card_get(const cw_addrhist *h, uint64_t a, cw_addrhist_card *out)
{
    const card_row *r = card_of(h, a);
    if (!r)
        return false;
    card_row c;
    memcpy(&c, r, sizeof c); /* one read of the row */
    out->first = c.first;
    out->n = c.n;
    out->n_spent = c.n_spent;
    out->tx = c.tx;
    out->vout = c.vout;
    out->value = c.value;
    out->spender = c.spender == CW_NONE32 ? CW_NONE64 : c.spender;
    return true;
}

void cw_addrhist_prefetch(const cw_addrhist *h, uint64_t a, cw_chainstore_prefetch *p)
{
    if (a >= h->addrs)
        return;
    if (p->n == CW_PREFETCH_MAX)
        cw_chainstore_prefetch_go(p);
    if (h->cards)
        cw_store_willneed_range(p->v, &p->n, CW_PREFETCH_MAX, h->card.map, h->card.map_len,
                                CW_COLUMN_HEADER + (size_t)a * CARD_WIDTH, CARD_WIDTH);
    else
        cw_store_willneed_range(p->v, &p->n, CW_PREFETCH_MAX, h->off.map, h->off.map_len,
                                CW_COLUMN_HEADER + (size_t)a * 8, 16);
}

void cw_addrhist_advise_random(const cw_addrhist *h)
{
    cw_store_advise_random(h->off.map, h->off.map_len);
    cw_store_advise_random(h->ent.map, h->ent.map_len);
    if (h->cards)
        cw_store_advise_random(h->card.map, h->card.map_len);
}

uint64_t cw_addrhist_outs(const cw_addrhist *h)
{
    return h->outs;
}

uint64_t cw_addrhist_addrs(const cw_addrhist *h)
{
    return h->addrs;
}

static const uint64_t *off_rows(const cw_addrhist *h)
{
    return cw_column_row(&h->off, 0);
}

/* Where address a's entries end (one past its newest), from its card when there are cards. */
static uint64_t entries_end(const cw_addrhist *h, uint64_t a, uint64_t *n)
{
    const card_row *r = card_of(h, a);
    if (r) {
        card_row c;
        memcpy(&c, r, sizeof c);
        *n = c.n;
        return (uint64_t)c.first + c.n;
    }
    const uint64_t *off = off_rows(h);
    uint64_t b = off[a], e = off[a + 1];
    if (b > e || e > h->entries) { /* a damaged off.col: no entries (the caller walks) */
        *n = 0;
        return 0;
    }
    *n = e - b;
    return e;
}

uint64_t cw_addrhist_count(const cw_addrhist *h, uint64_t a)
{
    uint64_t n = 0;
    if (a < h->addrs)
        (void)entries_end(h, a, &n);
    return n;
}

void cw_addrhist_entry(const cw_addrhist *h, uint64_t a, uint64_t k, uint64_t *out, uint64_t *tx)
{
    uint64_t n, i = entries_end(h, a, &n) - 1 - k;
    const uint8_t *row = cw_column_row(&h->ent, i);
    if (h->width == 8) {
        uint32_t v[2];
        memcpy(v, row, 8);
        *out = v[0];
        *tx = v[1];
    } else {
        uint64_t v[2];
        memcpy(v, row, 16);
        *out = v[0];
        *tx = v[1];
    }
}

void cw_addrhist_willneed(const cw_addrhist *h, uint64_t a, uint64_t k0, uint64_t k1)
{
    uint64_t n = cw_addrhist_count(h, a);
    if (k0 >= k1 || k0 >= n)
        return;
    if (k1 > n)
        k1 = n;
    uint64_t last = entries_end(h, a, &n) - 1;
    struct iovec v[1];
    size_t n_v = 0;
    size_t from = CW_COLUMN_HEADER + (size_t)(last - (k1 - 1)) * h->width;
    cw_store_willneed_range(v, &n_v, 1, h->ent.map, h->ent.map_len, from,
                            (size_t)(k1 - k0) * h->width);
    cw_store_willneed(-1, v, n_v);
}

size_t cw_addrhist_files(const char *store_dir, char (*paths)[CW_ADDRHIST_PATH_MAX])
{
    char mpath[4200], d[4096];
    manifest_path(mpath, sizeof mpath, store_dir);
    cw_manifest m;
    if (cw_manifest_read(&m, mpath) != 0) {
        cw_error_clear();
        return 0;
    }
    gen_dir(d, sizeof d, store_dir, cw_manifest_get(&m, "gen", 0));
    size_t n = 0;
    if (cw_manifest_get(&m, "cards", 0) == 1)
        snprintf(paths[n++], sizeof *paths, "%s/card.col", d);
    snprintf(paths[n++], sizeof *paths, "%s/off.col", d);
    snprintf(paths[n++], sizeof *paths, "%s/ent.col", d);
    return n;
}

/* ------------------------------------------------------------------ check */

int cw_addrhist_check(const cw_chainstore *cs)
{
    cw_addrhist *h = NULL;
    char mpath[4200];
    manifest_path(mpath, sizeof mpath, cw_chainstore_dir(cs));
    cw_manifest m;
    if (cw_manifest_read(&m, mpath) == 0 &&
        cw_manifest_get(&m, "format", 0) == CW_ADDRHIST_FORMAT && !matches(cs, &m))
        return cw_error_set(CW_EEXISTS,
                            "%s: built for another state of the store (reorganised below it): "
                            "not used by lookups until rebuilt",
                            mpath);
    uint64_t want_cards = cw_manifest_get(&m, "cards", 0);
    cw_error_clear();
    int rc = cw_addrhist_open(&h, cs);
    if (rc)
        return rc;
    if (want_cards == 1 && h->width == 8 && !h->cards) {
        rc = cw_error_set(CW_ECORRUPT,
                          "%s: address-history index: card.col is missing or shorter than %" PRIu64
                          " rows (lookups read off.col instead)",
                          cw_chainstore_dir(cs), h->addrs);
        cw_addrhist_close(h);
        return rc;
    }
    uint64_t *cnt = cw_calloc(h->addrs ? h->addrs : 1, sizeof *cnt);
    uint64_t *off = cw_malloc((h->addrs + 1) * sizeof *off);
    uint8_t *ent = NULL;
    const char *dir = cw_chainstore_dir(cs);
    if (!cnt || !off) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto out;
    }
    fill_index(cs, NULL, NULL, 0, 0, h->outs, h->addrs, cnt, off, NULL, h->width);
    const uint64_t *foff = off_rows(h);
    for (uint64_t a = 0; a <= h->addrs; a++) {
        if (foff[a] != off[a]) {
            rc = cw_error_set(CW_ECORRUPT,
                              "%s: address-history index: off.col row %" PRIu64 " is %" PRIu64
                              ", the store's outputs give %" PRIu64 " (address id %" PRIu64 ")",
                              dir, a, foff[a], off[a], a ? a - 1 : 0);
            goto out;
        }
    }
    if (off[h->addrs] != h->entries) {
        rc = cw_error_set(CW_ECORRUPT,
                          "%s: address-history index: %" PRIu64
                          " entries, the manifest says %" PRIu64,
                          dir, off[h->addrs], h->entries);
        goto out;
    }
    if (!(ent = cw_malloc((h->entries ? h->entries : 1) * h->width))) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto out;
    }
    memset(cnt, 0, h->addrs * sizeof *cnt);
    fill_index(cs, NULL, NULL, 0, 0, h->outs, h->addrs, cnt, off, ent, h->width);
    const uint8_t *fent = cw_column_row(&h->ent, 0);
    for (uint64_t a = 0; a < h->addrs; a++) {
        size_t at = (size_t)off[a] * h->width, len = (size_t)(off[a + 1] - off[a]) * h->width;
        if (len && memcmp(fent + at, ent + at, len) != 0) {
            char s[CW_ADDR_STR_MAX] = "?";
            (void)cw_addr_encode(s, sizeof s, cw_chainstore_addr(cs, a), cw_chainstore_network(cs));
            rc = cw_error_set(CW_ECORRUPT,
                              "%s: address-history index: the entries of address id %" PRIu64
                              " (%s) differ from the store's outputs (ent.col rows %" PRIu64
                              "..%" PRIu64 ")",
                              dir, a, s, off[a], off[a + 1]);
            goto out;
        }
    }
    for (uint64_t a = 0; h->cards && a < h->addrs; a++) {
        card_row want;
        card_make(&want, cs, off, ent, a);
        if (memcmp(cw_column_row(&h->card, a), &want, sizeof want) != 0) {
            char s[CW_ADDR_STR_MAX] = "?";
            (void)cw_addr_encode(s, sizeof s, cw_chainstore_addr(cs, a), cw_chainstore_network(cs));
            rc = cw_error_set(CW_ECORRUPT,
                              "%s: address-history index: card.col row %" PRIu64
                              " (%s) differs from the store's outputs",
                              dir, a, s);
            goto out;
        }
    }
out:
    cw_free(cnt);
    cw_free(off);
    cw_free(ent);
    cw_addrhist_close(h);
    return rc;
}
