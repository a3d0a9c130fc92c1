/*
 * test_addrhist.c: the address-history index (btc/addrhist.h) on a generated world (12,000 txs,
 * seed 7), ingested twice: store A up to half its height, indexed, then the rest (the index
 * then covers only the first half), and store B whole.
 *  - pages through the index equal the pages without it (every field, every row) for every
 *    5th address and every address with 10 outputs or more (every 40th and those with 80 or more
 *    after a crash and without an index), at offsets 0, 1, 24, 25, the middle,
 *    the last output, the end and past it, limits 1, 25 and 1000: with the index covering all,
 *    covering half (the newer outputs walked), and when it is missing or does not match the
 *    store (a rollback below it: not opened, the walk answers);
 *  - the page costs what the index says: the deepest page of the address with the most outputs
 *    follows no link with a full index, and n - 1 without (the test that fails without it);
 *  - an incremental build (A: half, then the rest) writes the same bytes as a whole build (B);
 *  - a build killed at each of its steps (CW_TEST_CRASH_POINT, SIGKILL) leaves an index that
 *    opens and answers right, and the next build ends with the same bytes and one generation;
 *  - check names the address whose entries a flipped byte changed;
 *  - the cards (card.col, stop 16): written the same by incremental, whole and crashed builds;
 *    pages through them equal the walk's (the comparisons above, whose half-covered store has
 *    cards made stale by the outputs paid and spent since: those are not used); a changed
 *    value in a one-output address's card shows in its page (the card is read: the test that
 *    fails without it) and check names the row; an index whose manifest does not name its
 *    card.col (an older build's) does not read it, and a missing card.col is read around,
 *    reported by check, and written by the next build;
 *  - the warm-up (cw_chainstore_warm with cw_addrhist_files) reads the index right after the
 *    lookups' constant part: stopped there, the index's pages are in the page cache and the
 *    page rows' and links' are not (the order before stop 15 read it after the whole store).
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chainwatch/btc/addrhist.h"
#include "chainwatch/btc/ingest.h"
#include "chainwatch/btc/query.h"
#include "chainwatch/btc/store.h"
#include "chainwatch/errors.h"
#include "chainwatch/gen.h"
#include "chainwatch/store.h"
#include "harness.h"

static char world[1024], blocks[1100], sa[1100], sb[1100], bk[1100];
static cw_gen_stats gs;

static int ingest(const char *store, int64_t to_height)
{
    cw_ingest_opts io = {.blocks_dir = blocks,
                         .store_dir = store,
                         .net = CW_NET_REGTEST,
                         .to_height = to_height,
                         .threads = 2};
    cw_ingest_stats is;
    int rc = cw_ingest_btc(&io, &is);
    if (rc)
        fprintf(stderr, "ingest %s: %s\n", store, cw_error_last());
    return rc;
}

static bool same_page(const cw_addr_page *x, const cw_addr_page *y)
{
    return !strcmp(x->address, y->address) && x->id == y->id && x->offset == y->offset &&
           x->limit == y->limit && !memcmp(&x->sum, &y->sum, sizeof x->sum) && x->more == y->more &&
           x->seen == y->seen && !memcmp(&x->first_seen, &y->first_seen, sizeof x->first_seen) &&
           !memcmp(&x->last_seen, &y->last_seen, sizeof x->last_seen) && x->n_txs == y->n_txs &&
           x->n_hist == y->n_hist &&
           (!x->n_txs || !memcmp(x->txs, y->txs, x->n_txs * sizeof *x->txs)) &&
           (!x->n_hist || !memcmp(x->hist, y->hist, x->n_hist * sizeof *x->hist));
}

/* Compares pages with and without ix over the chosen addresses; returns the pages compared. */
static uint64_t compare_all(const cw_chainstore *cs, const cw_addrhist *ix, uint64_t *walked_ix,
                            uint64_t every)
{
    cw_chainstore_counts c = cw_chainstore_counts_get(cs);
    uint64_t pages = 0, bad = 0;
    *walked_ix = 0;
    for (uint64_t a = 0; a < c.addrs; a++) {
        const cw_row_addrsum *s = cw_chainstore_addrsum(cs, a);
        if (!s || !s->n_out || (a % every && s->n_out < 10 * every / 5))
            continue;
        char addr[CW_ADDR_STR_MAX];
        cw_query_addr_string(addr, cs, (uint32_t)a);
        uint64_t n = s->n_out;
        uint64_t offs[] = {0, 1, 24, 25, n / 2, n - 1, n, n + 3};
        uint64_t lims[] = {1, 25, 1000};
        for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++)
            for (size_t j = 0; j < 3; j++) {
                cw_addr_page x, y;
                int r1 = cw_query_address_page(&x, cs, addr, offs[i], lims[j]);
                int r2 = cw_query_address_page_ix(&y, cs, ix, addr, offs[i], lims[j]);
                if (r1 || r2 || !same_page(&x, &y)) {
                    if (bad++ < 5)
                        fprintf(stderr, "%s offset %llu limit %llu: pages differ (rc %d / %d)\n",
                                addr, (unsigned long long)offs[i], (unsigned long long)lims[j], r1,
                                r2);
                }
                *walked_ix += y.links;
                cw_query_address_page_free(&x);
                cw_query_address_page_free(&y);
                pages++;
            }
    }
    CHECK_EQ_INT(bad, 0);
    return pages;
}

static int read_file(const char *path, char **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *buf = malloc(n > 0 ? (size_t)n : 1);
    *len = fread(*buf, 1, (size_t)n, f);
    fclose(f);
    return 0;
}

/* Whether dir1/name and dir2/name hold the same bytes. */
static bool same_file(const char *d1, const char *d2, const char *name)
{
    char p1[1300], p2[1300], *b1 = NULL, *b2 = NULL;
    size_t l1 = 0, l2 = 0;
    snprintf(p1, sizeof p1, "%s/%s", d1, name);
    snprintf(p2, sizeof p2, "%s/%s", d2, name);
    bool ok = read_file(p1, &b1, &l1) == 0 && read_file(p2, &b2, &l2) == 0 && l1 == l2 &&
              memcmp(b1, b2, l1) == 0;
    free(b1);
    free(b2);
    return ok;
}

static int gens_in(const char *store)
{
    int n = 0;
    DIR *d = opendir(store);
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += !strncmp(e->d_name, "addrhist.", 9) && strcmp(e->d_name, "addrhist.manifest") &&
             strcmp(e->d_name, "addrhist.lock");
    if (d)
        closedir(d);
    return n;
}

static int sh(const char *cmd)
{
    int rc = system(cmd);
    if (rc)
        fprintf(stderr, "%s: exit %d\n", cmd, rc);
    return rc;
}

/* The deepest page of the address with the most outputs: links followed with and without. */
static void test_page_cost(const cw_chainstore *cs, const cw_addrhist *ix)
{
    cw_chainstore_counts c = cw_chainstore_counts_get(cs);
    uint64_t best = 0, best_n = 0;
    for (uint64_t a = 0; a < c.addrs; a++) {
        const cw_row_addrsum *s = cw_chainstore_addrsum(cs, a);
        if (s && s->n_out > best_n)
            best = a, best_n = s->n_out;
    }
    REQUIRE(best_n >= 50);
    char addr[CW_ADDR_STR_MAX];
    cw_query_addr_string(addr, cs, (uint32_t)best);
    cw_addr_page x, y;
    REQUIRE(cw_query_address_page(&x, cs, addr, best_n - 1, 25) == 0);
    REQUIRE(cw_query_address_page_ix(&y, cs, ix, addr, best_n - 1, 25) == 0);
    CHECK(same_page(&x, &y));
    CHECK_EQ_INT(x.n_hist, 1);
    CHECK_EQ_INT(x.links, best_n - 1); /* the walk: one link per output skipped */
    CHECK_EQ_INT(y.links, 0);          /* the index: none */
    cw_query_address_page_free(&x);
    cw_query_address_page_free(&y);
    printf("  deepest page of %s (%llu outputs): %llu links without the index, %llu with\n", addr,
           (unsigned long long)best_n, (unsigned long long)best_n - 1, 0ull);
}

static void test_incremental_and_pages(void)
{
    cw_chainstore *cs = NULL;
    cw_addrhist *ix = NULL;
    cw_addrhist_stats st;
    uint64_t walked = 0;
    /* A: half the chain, indexed */
    REQUIRE(ingest(sa, (int64_t)gs.blocks / 2) == 0);
    REQUIRE(cw_addrhist_build(sa, &st) == 0);
    CHECK(!st.up_to_date && !st.rebuilt && st.outs_before == 0 && st.entries > 0);
    char cmd[6000];
    snprintf(cmd, sizeof cmd, "mkdir -p %s && cp -r %s/addrhist.manifest %s/addrhist.1 %s/", bk, sa,
             sa, bk);
    REQUIRE(sh(cmd) == 0);
    uint64_t half_outs = st.outs;
    /* the rest ingested: the index covers the first half, the newer outputs are walked */
    REQUIRE(ingest(sa, -1) == 0);
    REQUIRE(cw_chainstore_open(&cs, sa, false, CW_NET_REGTEST) == 0);
    REQUIRE(cw_addrhist_open(&ix, cs) == 0);
    CHECK_EQ_INT(cw_addrhist_outs(ix), half_outs);
    CHECK(cw_chainstore_counts_get(cs).outs > half_outs);
    uint64_t pages = compare_all(cs, ix, &walked, 5);
    CHECK(walked > 0);
    printf("  half covered: %llu pages equal, %llu links walked\n", (unsigned long long)pages,
           (unsigned long long)walked);
    cw_addrhist_close(ix);
    cw_chainstore_close(cs);
    /* B: whole, indexed at once; A brought up to date: the same bytes */
    REQUIRE(ingest(sb, -1) == 0);
    REQUIRE(cw_addrhist_build(sb, &st) == 0);
    REQUIRE(cw_addrhist_build(sa, &st) == 0);
    CHECK(st.outs_before == half_outs && !st.rebuilt && !st.up_to_date);
    char ga[1200], gb[1200];
    snprintf(ga, sizeof ga, "%s/addrhist.2", sa);
    snprintf(gb, sizeof gb, "%s/addrhist.1", sb);
    CHECK(same_file(ga, gb, "off.col"));
    CHECK(same_file(ga, gb, "ent.col"));
    CHECK(same_file(ga, gb, "card.col"));
    CHECK_EQ_INT(gens_in(sa), 1);
    REQUIRE(cw_addrhist_build(sa, &st) == 0);
    CHECK(st.up_to_date);
    /* full coverage: equal pages, nothing walked, deep pages free */
    REQUIRE(cw_chainstore_open(&cs, sa, false, CW_NET_REGTEST) == 0);
    REQUIRE(cw_addrhist_open(&ix, cs) == 0);
    pages = compare_all(cs, ix, &walked, 5);
    CHECK_EQ_INT(walked, 0);
    printf("  all covered: %llu pages equal, %llu links walked\n", (unsigned long long)pages,
           (unsigned long long)walked);
    test_page_cost(cs, ix);
    CHECK_EQ_INT(cw_addrhist_check(cs), 0);
    cw_addrhist_close(ix);
    cw_chainstore_close(cs);
}

/* Pages of the file at path in the page cache (mincore), and its pages in *n. */
static uint64_t resident(const char *path, uint64_t *n)
{
    struct stat st;
    int fd = open(path, O_RDONLY);
    uint64_t in = 0;
    *n = 0;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size == 0) {
        if (fd >= 0)
            close(fd);
        return 0;
    }
    size_t len = (size_t)st.st_size, pages = (len + 4095) / 4096;
    void *map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
    unsigned char *v = malloc(pages);
    if (map != MAP_FAILED && v && mincore(map, len, v) == 0)
        for (size_t i = 0; i < pages; i++)
            in += v[i] & 1;
    *n = pages;
    free(v);
    if (map != MAP_FAILED)
        munmap(map, len);
    close(fd);
    return in;
}

static void drop(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd >= 0) {
        (void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
        close(fd);
    }
}

static uint64_t stop_at;
static bool go_until(void *arg, uint64_t done)
{
    (void)arg;
    return done < stop_at;
}

static void test_warm_order(void)
{
    static const char *const lookup[] = {"addr.hix", "addrs.col", "addrsum.col", "addrlast.col",
                                         "blocks.col"};
    static const char *const later[] = {"txs.col", "txid.col", "outs.col", "outlink.col"};
    char ix[CW_ADDRHIST_FILES_MAX][CW_ADDRHIST_PATH_MAX], p[1300];
    REQUIRE(cw_addrhist_files(sb, ix) == 3); /* card.col, off.col, ent.col */
    CHECK(strstr(ix[0], "/card.col") != NULL);
    const char *paths[3] = {ix[0], ix[1], ix[2]};
    uint64_t lead = 0, n, ix_pages = 0;
    struct stat st;
    for (size_t i = 0; i < 5; i++) {
        snprintf(p, sizeof p, "%s/%s", sb, lookup[i]);
        REQUIRE(stat(p, &st) == 0);
        lead += (uint64_t)st.st_size;
        drop(p);
    }
    for (int i = 0; i < 3; i++) {
        REQUIRE(stat(ix[i], &st) == 0);
        lead += (uint64_t)st.st_size;
        drop(ix[i]);
    }
    uint64_t in_later = 0;
    for (size_t i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/%s", sb, later[i]);
        drop(p);
        in_later += resident(p, &n);
    }
    if (in_later || resident(ix[2], &n)) { /* a file system that keeps them (tmpfs) */
        printf("  SKIPPED: the page cache kept dropped pages here\n");
        return;
    }
    stop_at = lead; /* the lookups' constant part and the index, then stop */
    uint64_t bytes = 0, total = 0;
    REQUIRE(cw_chainstore_warm(sb, paths, 3, UINT64_MAX, go_until, NULL, &bytes, &total) == 0);
    CHECK_EQ_INT(bytes, lead);
    CHECK(total > lead);
    uint64_t n0, n1;
    uint64_t in = resident(ix[0], &n0) + resident(ix[1], &n1) + resident(ix[2], &ix_pages);
    CHECK_EQ_INT(in, n0 + n1 + ix_pages);
    for (size_t i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/%s", sb, later[i]);
        CHECK_EQ_INT(resident(p, &n), 0);
    }
    /* and without the index files: the links right after the page rows, nothing skipped */
    REQUIRE(cw_chainstore_warm(sb, NULL, 0, UINT64_MAX, NULL, NULL, &bytes, &total) == 0);
    CHECK_EQ_INT(bytes, total);
}

/* Restores A's index to the half-chain generation saved in bk. */
static void restore_half(void)
{
    char cmd[6000];
    snprintf(cmd, sizeof cmd,
             "rm -rf %s/addrhist.[0-9]* %s/addrhist.manifest && cp -r %s/addrhist.manifest "
             "%s/addrhist.1 %s/",
             sa, sa, bk, bk, sa);
    REQUIRE(sh(cmd) == 0);
}

static void test_crash_each_step(void)
{
    char gb[1200];
    snprintf(gb, sizeof gb, "%s/addrhist.1", sb);
    int killed = 0;
    for (int n = 1; n <= 6; n++) {
        restore_half();
        pid_t pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            char v[16];
            snprintf(v, sizeof v, "%d", n);
            setenv("CW_TEST_CRASH_POINT", v, 1);
            _exit(cw_addrhist_build(sa, NULL) ? 1 : 0);
        }
        int status = 0;
        REQUIRE(waitpid(pid, &status, 0) == pid);
        bool died = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
        killed += died;
        if (!died)
            CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        /* whatever was left opens and answers as the walk does */
        cw_chainstore *cs = NULL;
        cw_addrhist *ix = NULL;
        REQUIRE(cw_chainstore_open(&cs, sa, false, CW_NET_REGTEST) == 0);
        CHECK(cw_addrhist_open(&ix, cs) == 0);
        uint64_t walked;
        if (n == 1 || n == 4) /* before and after the manifest is replaced */
            compare_all(cs, ix, &walked, 40);
        cw_addrhist_close(ix);
        cw_chainstore_close(cs);
        /* the next build ends where an uninterrupted one does */
        cw_addrhist_stats st;
        REQUIRE(cw_addrhist_build(sa, &st) == 0);
        /* in the one generation folder the manifest names: addrhist.2, or above a leftover
         * folder of the killed build (a build never writes into a folder present) */
        char ga[1200], mp[1200];
        cw_manifest m;
        snprintf(mp, sizeof mp, "%s/addrhist.manifest", sa);
        REQUIRE(cw_manifest_read(&m, mp) == 0);
        uint64_t g = cw_manifest_get(&m, "gen", 0);
        CHECK(g == 2 || (g == 3 && n <= 3));
        snprintf(ga, sizeof ga, "%s/addrhist.%llu", sa, (unsigned long long)g);
        CHECK(same_file(ga, gb, "off.col"));
        CHECK(same_file(ga, gb, "ent.col"));
        CHECK(same_file(ga, gb, "card.col"));
        CHECK_EQ_INT(gens_in(sa), 1);
    }
    CHECK_EQ_INT(killed, 5); /* five crash points; the sixth run completes */
}

/* The first address (id order) with one output, spent when spent is set; its id. */
static uint64_t one_output(const cw_chainstore *cs, bool spent)
{
    cw_chainstore_counts c = cw_chainstore_counts_get(cs);
    for (uint64_t a = 0; a < c.addrs; a++) {
        const cw_row_addrsum *s = cw_chainstore_addrsum(cs, a);
        if (s && s->n_out == 1 && (s->n_spent == 1) == spent)
            return a;
    }
    return CW_NONE64;
}

/* The value of address a's newest output in its first page through ix. */
static uint64_t page_value(const cw_chainstore *cs, const cw_addrhist *ix, uint64_t a)
{
    char addr[CW_ADDR_STR_MAX];
    cw_query_addr_string(addr, cs, (uint32_t)a);
    cw_addr_page p;
    if (cw_query_address_page_ix(&p, cs, ix, addr, 0, 25) != 0 || p.n_hist != 1)
        return CW_NONE64;
    uint64_t v = p.hist[0].value;
    cw_query_address_page_free(&p);
    return v;
}

/* Rewrites A's manifest without its cards line (as an older build wrote it). */
static void manifest_without_cards(void)
{
    char mp[1200];
    snprintf(mp, sizeof mp, "%s/addrhist.manifest", sa);
    cw_manifest m, w = {0};
    REQUIRE(cw_manifest_read(&m, mp) == 0);
    CHECK_EQ_INT(cw_manifest_get(&m, "cards", 0), 1);
    for (size_t i = 0; i < m.n; i++)
        if (strcmp(m.keys[i], "cards"))
            REQUIRE(cw_manifest_set(&w, m.keys[i], m.vals[i]) == 0);
    REQUIRE(cw_manifest_write(&w, mp) == 0);
}

static void test_cards(void)
{
    cw_chainstore *cs = NULL;
    cw_addrhist *ix = NULL;
    uint64_t walked;
    char card[1200], ga[1200], gb[1200];
    snprintf(card, sizeof card, "%s/addrhist.2/card.col", sa);
    REQUIRE(cw_chainstore_open(&cs, sa, false, CW_NET_REGTEST) == 0);
    REQUIRE(cw_addrhist_open(&ix, cs) == 0);
    REQUIRE(cw_addrhist_has_cards(ix));
    /* a spent one-output address's card: its output whole */
    uint64_t a = one_output(cs, true), u = one_output(cs, false);
    REQUIRE(a != CW_NONE64 && u != CW_NONE64);
    cw_addrhist_card cd;
    REQUIRE(cw_addrhist_card_get(ix, a, &cd));
    uint64_t o = cw_chainstore_addr_last(cs, a);
    CHECK_EQ_INT(cd.n, 1);
    CHECK_EQ_INT(cd.n_spent, 1);
    CHECK_EQ_INT(cd.value, cw_out_value(cw_chainstore_out(cs, o)));
    CHECK_EQ_INT(cd.spender, cw_chainstore_out(cs, o)->spending_tx);
    CHECK_EQ_INT(cd.tx, cw_chainstore_out_tx(cs, o));
    REQUIRE(cw_addrhist_card_get(ix, u, &cd));
    CHECK_EQ_INT(cd.spender, CW_NONE64);
    uint64_t v = page_value(cs, ix, a);
    CHECK_EQ_INT(v, cw_out_value(cw_chainstore_out(cs, o)));
    cw_addrhist_close(ix);
    /* a changed value in its card shows in its page; check names the row */
    int fd = open(card, O_RDWR);
    REQUIRE(fd >= 0);
    uint64_t v1 = v + 1;
    REQUIRE(pwrite(fd, &v1, 8, (off_t)(64 + 32 * a + 16)) == 8);
    REQUIRE(cw_addrhist_open(&ix, cs) == 0);
    CHECK_EQ_INT(page_value(cs, ix, a), v + 1);
    CHECK_EQ_INT(cw_addrhist_check(cs), CW_ECORRUPT);
    CHECK(strstr(cw_error_last(), "card.col row") != NULL);
    printf("  changed card: %s\n", cw_error_last());
    cw_addrhist_close(ix);
    /* an older build's manifest names no cards: card.col is not read, check passes */
    manifest_without_cards();
    REQUIRE(cw_addrhist_open(&ix, cs) == 0);
    CHECK(!cw_addrhist_has_cards(ix));
    CHECK_EQ_INT(page_value(cs, ix, a), v);
    compare_all(cs, ix, &walked, 40);
    cw_addrhist_close(ix);
    CHECK_EQ_INT(cw_addrhist_check(cs), 0);
    /* this build then writes a generation with them: a whole build's bytes */
    cw_addrhist_stats st;
    REQUIRE(cw_addrhist_build(sa, &st) == 0);
    CHECK(!st.up_to_date && !st.rebuilt);
    snprintf(ga, sizeof ga, "%s/addrhist.3", sa);
    snprintf(gb, sizeof gb, "%s/addrhist.1", sb);
    CHECK(same_file(ga, gb, "card.col"));
    /* a missing card.col: read around (the same pages), reported by check, written again */
    snprintf(card, sizeof card, "%s/addrhist.3/card.col", sa);
    REQUIRE(unlink(card) == 0);
    REQUIRE(cw_addrhist_open(&ix, cs) == 0);
    CHECK(!cw_addrhist_has_cards(ix));
    CHECK_EQ_INT(page_value(cs, ix, a), v);
    compare_all(cs, ix, &walked, 40);
    cw_addrhist_close(ix);
    CHECK_EQ_INT(cw_addrhist_check(cs), CW_ECORRUPT);
    CHECK(strstr(cw_error_last(), "card.col is missing") != NULL);
    REQUIRE(cw_addrhist_build(sa, &st) == 0);
    CHECK(!st.up_to_date);
    snprintf(ga, sizeof ga, "%s/addrhist.4", sa);
    CHECK(same_file(ga, gb, "card.col"));
    CHECK_EQ_INT(cw_addrhist_check(cs), 0);
    close(fd);
    cw_chainstore_close(cs);
}

static void test_missing_stale_and_damaged(void)
{
    cw_chainstore *cs = NULL;
    cw_addrhist *ix = NULL;
    uint64_t walked;
    /* a rollback below the index: it does not match, is not opened, the walk answers */
    cw_chainstore *w = NULL;
    REQUIRE(cw_chainstore_open(&w, sb, true, CW_NET_REGTEST) == 0);
    REQUIRE(cw_chainstore_rollback(w, gs.blocks / 3) == 0);
    cw_chainstore_close(w);
    REQUIRE(cw_chainstore_open(&cs, sb, false, CW_NET_REGTEST) == 0);
    CHECK_EQ_INT(cw_addrhist_open(&ix, cs), CW_ECORRUPT);
    CHECK(ix == NULL);
    CHECK_EQ_INT(cw_addrhist_check(cs), CW_EEXISTS);
    compare_all(cs, NULL, &walked, 40);
    cw_chainstore_close(cs);
    /* rebuilt over the shorter store; then missing (manifest removed): not opened */
    cw_addrhist_stats st;
    REQUIRE(cw_addrhist_build(sb, &st) == 0);
    CHECK(st.rebuilt);
    REQUIRE(cw_chainstore_open(&cs, sb, false, CW_NET_REGTEST) == 0);
    CHECK_EQ_INT(cw_addrhist_check(cs), 0);
    char p[1200];
    snprintf(p, sizeof p, "%s/addrhist.manifest", sb);
    REQUIRE(unlink(p) == 0);
    CHECK_EQ_INT(cw_addrhist_open(&ix, cs), CW_ENOTFOUND);
    CHECK_EQ_INT(cw_addrhist_check(cs), CW_ENOTFOUND);
    cw_chainstore_close(cs);
    /* a flipped byte in A's entries: check names the address */
    char ixf[CW_ADDRHIST_FILES_MAX][CW_ADDRHIST_PATH_MAX];
    REQUIRE(cw_addrhist_files(sa, ixf) == 3);
    FILE *f = fopen(ixf[2], "r+b"); /* ent.col */
    REQUIRE(f != NULL);
    long at = 64 + 8 * 1000 + 1; /* entry 1000's output id, second byte */
    fseek(f, at, SEEK_SET);
    int ch = fgetc(f);
    fseek(f, at, SEEK_SET);
    fputc(ch ^ 0x10, f);
    fclose(f);
    REQUIRE(cw_chainstore_open(&cs, sa, false, CW_NET_REGTEST) == 0);
    CHECK_EQ_INT(cw_addrhist_check(cs), CW_ECORRUPT);
    const char *e = cw_error_last();
    CHECK(strstr(e, "entries of address id") != NULL);
    printf("  flipped byte: %s\n", e);
    cw_chainstore_close(cs);
}

int main(void)
{
    snprintf(world, sizeof world, "%s/world", cw_test_tmpdir());
    snprintf(blocks, sizeof blocks, "%s/blocks", world);
    snprintf(sa, sizeof sa, "%s/a", cw_test_tmpdir());
    snprintf(sb, sizeof sb, "%s/b", cw_test_tmpdir());
    snprintf(bk, sizeof bk, "%s/bk", cw_test_tmpdir());
    cw_gen_opts go = {0};
    go.out_dir = world;
    go.txs = 12000; /* the demo heist's timeline needs 10,245 */
    go.seed = 7;
    go.net = CW_NET_REGTEST;
    if (cw_gen_run(&go, &gs)) {
        fprintf(stderr, "gen: %s\n", cw_error_last());
        return 1;
    }
    RUN(test_incremental_and_pages);
    RUN(test_warm_order);
    RUN(test_crash_each_step);
    RUN(test_cards);
    RUN(test_missing_stale_and_damaged);
    return cw_test_done();
}
