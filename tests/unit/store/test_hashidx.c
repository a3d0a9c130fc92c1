/*
 * test_hashidx.c: the ordered on-disk hash index (src/store/hashidx.c).
 * Known truth: a table of random 64-bit key hashes (with planted fingerprint collisions) and
 * their ids. Every key must be found with its id, absent keys and ids past the limit must not,
 * and the layout must depend only on the set of entries: inserting in id order, in a random
 * order, inserting extra entries and deleting them, or pruning them, must all give the same
 * bytes on disk (what makes a resumed chain store byte-identical to an uninterrupted one).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/store.h"
#include "harness.h"

#define N 30000
#define EXTRA 6000

static uint64_t keys[N + EXTRA];

static uint64_t rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static bool eq(const void *key, uint32_t id, void *ctx)
{
    (void)ctx;
    return id < N + EXTRA && keys[id] == *(const uint64_t *)key;
}

static void make_keys(void)
{
    uint64_t s = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < N + EXTRA; i++) {
        keys[i] = rng(&s);
        /* every 50th key shares its fingerprint (high 32 bits) with the previous one */
        if (i % 50 == 49)
            keys[i] = (keys[i - 1] & 0xffffffff00000000ull) | (keys[i] & 0xffffffffu);
    }
}

static void shuffle(uint32_t *a, int n, uint64_t seed)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)(rng(&seed) % (uint64_t)(i + 1));
        uint32_t t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

static char *slurp(const char *dir, const char *name, size_t *len)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/%s.hix", dir, name);
    FILE *f = fopen(p, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

/* Builds index `name`: inserts order[0..n), then deletes (or prunes) ids >= keep. */
static void build(const char *name, const uint32_t *order, int n, uint32_t keep, bool prune)
{
    cw_hashidx h;
    REQUIRE(cw_hashidx_open(&h, cw_test_tmpdir(), name, true) == 0);
    for (int i = 0; i < n; i++)
        REQUIRE(cw_hashidx_insert(&h, keys[order[i]], order[i]) == 0);
    if (prune) {
        cw_hashidx_prune(&h, keep);
    } else {
        for (int i = n; i-- > 0;) {
            if (order[i] >= keep)
                REQUIRE(cw_hashidx_delete(&h, keys[order[i]], order[i]) == 0);
        }
        cw_hashidx_set_count(&h, h.count);
    }
    CHECK_EQ_INT((long long)h.count, (long long)keep);
    REQUIRE(cw_hashidx_close(&h) == 0);
}

static void test_lookups(void)
{
    uint32_t order[N];
    for (uint32_t i = 0; i < N; i++)
        order[i] = i;
    build("look", order, N, N, false);
    cw_hashidx h;
    REQUIRE(cw_hashidx_open(&h, cw_test_tmpdir(), "look", false) == 0);
    CHECK(h.cap >= 32768); /* grew from 1024 home slots, load <= 70% */
    int found = 0, hidden = 0, absent = 0;
    for (uint32_t i = 0; i < N; i++) {
        uint32_t id;
        found += cw_hashidx_find(&h, keys[i], &keys[i], N, eq, NULL, &id) == 0 && id == i;
        hidden += cw_hashidx_find(&h, keys[i], &keys[i], i, eq, NULL, &id) != 0;
    }
    for (uint32_t i = N; i < N + EXTRA; i++) {
        uint32_t id;
        absent += cw_hashidx_find(&h, keys[i], &keys[i], N + EXTRA, eq, NULL, &id) != 0;
    }
    CHECK_EQ_INT(found, N);
    CHECK_EQ_INT(hidden, N);
    CHECK_EQ_INT(absent, EXTRA);
    /* ordered: live slots increase */
    uint64_t prev = 0, live = 0;
    bool sorted = true;
    for (uint64_t i = 0; i < h.n_slots; i++) {
        if (!h.slots[i])
            continue;
        sorted &= h.slots[i] > prev;
        prev = h.slots[i];
        live++;
    }
    CHECK(sorted);
    CHECK_EQ_INT((long long)live, N);
    cw_hashidx_close(&h);
}

static void test_layout_is_canonical(void)
{
    static uint32_t in_order[N + EXTRA], shuffled[N + EXTRA];
    for (uint32_t i = 0; i < N + EXTRA; i++)
        in_order[i] = shuffled[i] = i;
    shuffle(shuffled, N + EXTRA, 42);
    /* all reach N + EXTRA entries, so all have the same capacity */
    build("a", in_order, N + EXTRA, N, false); /* in order, extras deleted newest first */
    build("b", shuffled, N + EXTRA, N, false); /* random order, extras deleted */
    build("c", shuffled, N + EXTRA, N, true);  /* random order, extras pruned */
    build("d", in_order, N + EXTRA, N, true);  /* in order, pruned */
    size_t la, lb, lc, ld;
    char *a = slurp(cw_test_tmpdir(), "a", &la), *b = slurp(cw_test_tmpdir(), "b", &lb),
         *c = slurp(cw_test_tmpdir(), "c", &lc), *d = slurp(cw_test_tmpdir(), "d", &ld);
    REQUIRE(a && b && c && d);
    CHECK(la == lb && la == lc && la == ld);
    CHECK(la == lb && memcmp(a, b, la) == 0);
    CHECK(la == lc && memcmp(a, c, la) == 0);
    CHECK(la == ld && memcmp(a, d, la) == 0);
    free(a);
    free(b);
    free(c);
    free(d);
    /* replace: id 7 -> N + 1 for key 7, then back: same bytes as before */
    cw_hashidx h;
    REQUIRE(cw_hashidx_open(&h, cw_test_tmpdir(), "a", true) == 0);
    REQUIRE(cw_hashidx_replace(&h, keys[7], 7, N + 1) == 0);
    uint32_t id = 0;
    /* the entry now names id N + 1, whose key (in this test's key table) is another one */
    CHECK(cw_hashidx_find(&h, keys[7], &keys[7], N + 2, eq, NULL, &id) == CW_ENOTFOUND);
    CHECK(cw_hashidx_replace(&h, keys[7], 7, 9) == CW_ENOTFOUND); /* 7 is gone */
    REQUIRE(cw_hashidx_replace(&h, keys[7], N + 1, 7) == 0);
    REQUIRE(cw_hashidx_close(&h) == 0);
    a = slurp(cw_test_tmpdir(), "a", &la);
    d = slurp(cw_test_tmpdir(), "d", &ld);
    REQUIRE(a && d);
    CHECK(la == ld && memcmp(a, d, la) == 0);
    free(a);
    free(d);
}

/* cw_hashidx_verify accepts a good index and names each kind of damage. */
static void test_verify(void)
{
    uint32_t order[2000];
    for (uint32_t i = 0; i < 2000; i++)
        order[i] = i;
    build("v", order, 2000, 2000, false);
    cw_hashidx h;
    REQUIRE(cw_hashidx_open(&h, cw_test_tmpdir(), "v", true) == 0);
    CHECK_EQ_INT(cw_hashidx_verify(&h, 2000), 0);
    CHECK_EQ_INT(cw_hashidx_verify(&h, 1999), CW_ECORRUPT); /* an id past the limit */
    CHECK(strstr(cw_error_last(), "past the") != NULL);
    uint64_t i = 0, j;
    while (!h.slots[i])
        i++;
    for (j = i + 1; !h.slots[j]; j++)
        ;
    uint64_t a = h.slots[i], b = h.slots[j];
    h.slots[i] = b; /* two entries swapped: out of order */
    h.slots[j] = a;
    CHECK_EQ_INT(cw_hashidx_verify(&h, 2000), CW_ECORRUPT);
    CHECK(strstr(cw_error_last(), "out of order") != NULL);
    h.slots[i] = a;
    h.slots[j] = b;
    CHECK_EQ_INT(cw_hashidx_verify(&h, 2000), 0);
    h.count++; /* a wrong live count */
    CHECK_EQ_INT(cw_hashidx_verify(&h, 2000), CW_ECORRUPT);
    CHECK(strstr(cw_error_last(), "live entries") != NULL);
    h.count--;
    cw_hashidx_close(&h);
}

static void test_bad_file(void)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/bad.hix", cw_test_tmpdir());
    FILE *f = fopen(p, "wb");
    REQUIRE(f);
    fputs("CWHIX001 an index of the previous format", f);
    for (int i = 0; i < 100; i++)
        fputc(0, f);
    fclose(f);
    cw_hashidx h;
    CHECK(cw_hashidx_open(&h, cw_test_tmpdir(), "bad", false) != 0);
    cw_hashidx_close(&h);
}

/* the file as a crash at each step of a held sync would leave it (the page cache survives a
 * kill -9) */
typedef struct {
    const char *name;
    int calls;
    char *snap[4];
    size_t len[4];
} snapshots;

static void snap_step(void *ctx)
{
    snapshots *sn = ctx;
    if (sn->calls < 4)
        sn->snap[sn->calls] = slurp(cw_test_tmpdir(), sn->name, &sn->len[sn->calls]);
    sn->calls++;
}

static uint64_t writing_word(const char *b)
{
    uint64_t v;
    memcpy(&v, b + 32, 8);
    return v;
}

/* A held index (cw_hashidx_hold): inserts and growths in memory, the file written at sync. The
 * file must be the one an index written in place holds; a file caught in the middle of a sync
 * is marked (header word 32) and still finds every entry synced before; a growth's file left
 * beside the index is removed. */
static void test_held(void)
{
    static uint32_t in_order[N + EXTRA], shuffled[N];
    for (uint32_t i = 0; i < N + EXTRA; i++)
        in_order[i] = i;
    for (uint32_t i = 0; i < N; i++)
        shuffled[i] = i;
    shuffle(shuffled, N, 7);
    build("ref", in_order, N, N, false);
    cw_hashidx h;
    REQUIRE(cw_hashidx_open(&h, cw_test_tmpdir(), "held", true) == 0);
    REQUIRE(cw_hashidx_hold(&h) == 0);
    CHECK(!h.torn);
    for (int i = 0; i < N; i++) {
        REQUIRE(cw_hashidx_insert(&h, keys[shuffled[i]], shuffled[i]) == 0);
        if (i == 999 || i == 9999 || i == 20000)
            REQUIRE(cw_hashidx_sync(&h) == 0); /* a growth, then same-geometry syncs */
        if (i == 20000) {
            size_t lmid;
            char *mid = slurp(cw_test_tmpdir(), "held", &lmid);
            REQUIRE(mid);
            uint64_t cnt;
            memcpy(&cnt, mid + 16, 8);
            CHECK_EQ_INT((long long)cnt, 20001);
            free(mid);
        }
    }
    size_t lr, lh;
    char *r = slurp(cw_test_tmpdir(), "ref", &lr), *b = slurp(cw_test_tmpdir(), "held", &lh);
    REQUIRE(r && b);
    CHECK(lr != lh || memcmp(r, b, lr) != 0); /* not yet synced: the file lags */
    free(b);
    REQUIRE(cw_hashidx_sync(&h) == 0);
    b = slurp(cw_test_tmpdir(), "held", &lh);
    REQUIRE(b);
    CHECK(lr == lh && memcmp(r, b, lr) == 0);
    free(b);
    /* EXTRA more, no growth (36,000 entries fit 2^16 home slots): a sync copying in place */
    snapshots sn = {.name = "held"};
    h.step = snap_step;
    h.step_ctx = &sn;
    unsigned bits = h.bits;
    for (uint32_t i = N; i < N + EXTRA; i++)
        REQUIRE(cw_hashidx_insert(&h, keys[i], i) == 0);
    CHECK_EQ_INT((long long)h.bits, (long long)bits);
    REQUIRE(cw_hashidx_sync(&h) == 0);
    CHECK_EQ_INT(sn.calls, 2); /* marked, half the changed groups written */
    REQUIRE(sn.snap[1]);
    CHECK_EQ_INT((long long)writing_word(sn.snap[0]), 1);
    CHECK_EQ_INT((long long)writing_word(sn.snap[1]), 1);
    /* a reader of the half-written file finds every entry synced before, and some new ones */
    char p[4200];
    snprintf(p, sizeof p, "%s/snap.hix", cw_test_tmpdir());
    FILE *f = fopen(p, "wb");
    REQUIRE(f && fwrite(sn.snap[1], 1, sn.len[1], f) == sn.len[1]);
    fclose(f);
    cw_hashidx rd;
    REQUIRE(cw_hashidx_open(&rd, cw_test_tmpdir(), "snap", false) == 0);
    int old_found = 0, new_found = 0;
    for (uint32_t i = 0; i < N + EXTRA; i++) {
        uint32_t id;
        if (cw_hashidx_find(&rd, keys[i], &keys[i], N + EXTRA, eq, NULL, &id) == 0 && id == i)
            *(i < N ? &old_found : &new_found) += 1;
    }
    cw_hashidx_close(&rd);
    CHECK_EQ_INT(old_found, N);
    CHECK(new_found > 0 && new_found < EXTRA); /* really a mix of the two states */
    /* a writer opening it knows it is torn */
    REQUIRE(cw_hashidx_open(&rd, cw_test_tmpdir(), "snap", true) == 0);
    REQUIRE(cw_hashidx_hold(&rd) == 0);
    CHECK(rd.torn);
    cw_hashidx_close(&rd);
    for (int i = 0; i < 4; i++)
        free(sn.snap[i]);
    REQUIRE(cw_hashidx_close(&h) == 0);
    /* the finished sync left a clean, whole file: the reference plus EXTRA, as built in place */
    build("ref2", in_order, N + EXTRA, N + EXTRA, false);
    char *r2 = slurp(cw_test_tmpdir(), "ref2", &lr);
    b = slurp(cw_test_tmpdir(), "held", &lh);
    REQUIRE(r2 && b);
    CHECK(lr == lh && memcmp(r2, b, lr) == 0);
    CHECK_EQ_INT((long long)writing_word(b), 0);
    free(r);
    free(r2);
    free(b);
    /* a growth's new file, left by a crash before its rename, goes at the next hold */
    snprintf(p, sizeof p, "%s/held.hix.grow", cw_test_tmpdir());
    f = fopen(p, "wb");
    REQUIRE(f);
    fputs("partial", f);
    fclose(f);
    REQUIRE(cw_hashidx_open(&h, cw_test_tmpdir(), "held", true) == 0);
    REQUIRE(cw_hashidx_hold(&h) == 0);
    CHECK(!h.torn);
    f = fopen(p, "rb");
    CHECK(f == NULL);
    if (f)
        fclose(f);
    cw_hashidx_close(&h);
}

/* cw_hashidx_find_or_insert: building with it (every 50th key a fingerprint collision with
 * the one before, which it must compare and pass over) gives the bytes cw_hashidx_insert gives;
 * a present key returns its own id and inserts nothing; held (in memory, grown there) the same */
static void test_find_or_insert(void)
{
    static uint32_t in_order[N];
    for (uint32_t i = 0; i < N; i++)
        in_order[i] = i;
    build("fir_ref", in_order, N, N, false);
    for (int held = 0; held < 2; held++) {
        const char *name = held ? "fir_held" : "fir";
        cw_hashidx h;
        REQUIRE(cw_hashidx_open(&h, cw_test_tmpdir(), name, true) == 0);
        if (held)
            REQUIRE(cw_hashidx_hold(&h) == 0);
        int fresh = 0, again = 0;
        uint64_t s = 99;
        for (uint32_t i = 0; i < N; i++) {
            uint32_t out = UINT32_MAX;
            REQUIRE(cw_hashidx_find_or_insert(&h, keys[i], &keys[i], i, eq, NULL, &out) == 0);
            fresh += out == i;
            /* a key already in, offered again under the next id: found, not inserted */
            uint32_t j = (uint32_t)(rng(&s) % (i + 1));
            REQUIRE(cw_hashidx_find_or_insert(&h, keys[j], &keys[j], i + 1, eq, NULL, &out) == 0);
            again += out == j;
        }
        CHECK_EQ_INT(fresh, N);
        CHECK_EQ_INT(again, N);
        CHECK_EQ_INT((long long)h.count, N);
        CHECK_EQ_INT(cw_hashidx_verify(&h, N), 0);
        cw_hashidx_set_count(&h, h.count); /* in place: the header's count, as build() does */
        REQUIRE(cw_hashidx_sync(&h) == 0);
        REQUIRE(cw_hashidx_close(&h) == 0);
        size_t lr, lb;
        char *r = slurp(cw_test_tmpdir(), "fir_ref", &lr), *b = slurp(cw_test_tmpdir(), name, &lb);
        REQUIRE(r && b);
        if (!(lr == lb && memcmp(r, b, lr) == 0))
            fprintf(stderr, "%s: not the bytes of the index built by inserts\n", name);
        CHECK(lr == lb && memcmp(r, b, lr) == 0);
        free(r);
        free(b);
    }
}

/* A held index grows in its own memory after its first growth (grow_in_place: the entries moved
 * up range by range, last range first). Keys in three narrow bands of fingerprints make runs of
 * thousands of entries that cross the ranges' boundaries and move far at each doubling; with as
 * many spread keys, inserted in a random order, the file written at sync must be the one an
 * index grown by its file holds, byte for byte. */
#define CL 24000
static uint64_t ckeys[CL];

static bool ceq(const void *key, uint32_t id, void *ctx)
{
    (void)ctx;
    return id < CL && ckeys[id] == *(const uint64_t *)key;
}

static void test_held_growth_in_place(void)
{
    static const uint64_t band[3] = {0x30000000u, 0x80000000u, 0xc8000000u};
    uint64_t s = 12345;
    static uint32_t order[CL];
    for (uint32_t i = 0; i < CL; i++) {
        uint64_t lo = rng(&s) & 0xffffffffu, fp = rng(&s) >> 32;
        if (i % 2 == 0)
            fp = band[i / 2 % 3] + (fp & 0x3fffff); /* 1/1024 of the fingerprints */
        ckeys[i] = fp << 32 | lo;
        order[i] = i;
    }
    shuffle(order, CL, 5);
    cw_hashidx ref, h;
    REQUIRE(cw_hashidx_open(&ref, cw_test_tmpdir(), "cl_ref", true) == 0);
    REQUIRE(cw_hashidx_open(&h, cw_test_tmpdir(), "cl_held", true) == 0);
    REQUIRE(cw_hashidx_hold(&h) == 0);
    int grown_in_place = 0;
    for (uint32_t i = 0; i < CL; i++) {
        uint32_t id = order[i], out;
        REQUIRE(cw_hashidx_insert(&ref, ckeys[id], id) == 0);
        bool anon = h.mem_anon;
        unsigned bits = h.bits;
        REQUIRE(cw_hashidx_find_or_insert(&h, ckeys[id], &ckeys[id], id, ceq, NULL, &out) == 0);
        CHECK_EQ_INT((long long)out, (long long)id);
        grown_in_place += anon && h.bits != bits;
        if (i == CL / 2)
            REQUIRE(cw_hashidx_sync(&h) == 0); /* a rewrite between growths */
    }
    CHECK(grown_in_place >= 3);
    CHECK_EQ_INT(cw_hashidx_verify(&h, CL), 0);
    for (uint32_t i = 0; i < CL; i++) {
        uint32_t id = CL;
        REQUIRE(cw_hashidx_find(&h, ckeys[i], &ckeys[i], CL, ceq, NULL, &id) == 0);
        CHECK_EQ_INT((long long)id, (long long)i);
    }
    cw_hashidx_set_count(&ref, ref.count);
    REQUIRE(cw_hashidx_close(&ref) == 0);
    REQUIRE(cw_hashidx_sync(&h) == 0);
    REQUIRE(cw_hashidx_close(&h) == 0);
    size_t lr, lh;
    char *r = slurp(cw_test_tmpdir(), "cl_ref", &lr), *b = slurp(cw_test_tmpdir(), "cl_held", &lh);
    REQUIRE(r && b);
    CHECK(lr == lh && memcmp(r, b, lr) == 0);
    free(r);
    free(b);
}

int main(void)
{
    make_keys();
    RUN(test_lookups);
    RUN(test_layout_is_canonical);
    RUN(test_verify);
    RUN(test_bad_file);
    RUN(test_held);
    RUN(test_find_or_insert);
    RUN(test_held_growth_in_place);
    return cw_test_done();
}
