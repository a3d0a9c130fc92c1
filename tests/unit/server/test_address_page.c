/* test_address_page.c: the address page the server writes without a jansson tree
 * (chain_api.c, cw_server__chain_address) is byte for byte the page it built as a tree before
 * (cw_server__chain_address_tree, serialised by json_dumps as the server sends it), for
 * a quarter of the addresses (and every one with more than 30 outputs) of a generated world (12,000
 * txs, seed 5) with its clusters built and a label store holding the world's truth and labels with
 * odd bytes (quotes, backslashes, a slash, tabs and newlines, U+007F, two-, three- and four-byte
 * UTF-8), and for pages at the start, in the middle, at the last output, past the end, of limit 0,
 * 1 and 1000, and at offset 2^64-1. The address with the most outputs is among them (the huge
 * page); errors (not an address, an address not in the store) are the same codes both ways. The
 * bytes are RFC 8259 JSON (jansson parses each page back). The store has its address-history
 * index built: the written page reads its outputs through it, the tree walks the store's
 * links, so the comparison also holds the index to the walk. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/btc/addrhist.h"
#include "chainwatch/btc/query.h"
#include "chainwatch/btc/store.h"
#include "chainwatch/cluster.h"
#include "chainwatch/errors.h"
#include "chainwatch/labels.h"
#include "chainwatch/util.h"
#include "gen_world.h"
#include "harness.h"
#include "server/internal.h"

static uint64_t pages, labelled, clustered, with_label, huge_outputs;

/* One page both ways: 1 when the bytes are the same (and rc the same), else 0 with the first
 * difference printed. */
static int same(cw_chain_ctx *c, const char *addr, uint64_t off, uint64_t lim)
{
    cw_buf b = {0};
    json_t *tree = NULL;
    int rc1 = cw_server__chain_address(c, addr, off, lim, &b);
    int rc2 = cw_server__chain_address_tree(c, addr, off, lim, &tree);
    int ok = rc1 == rc2;
    if (ok && !rc1) {
        char *want = json_dumps(tree, JSON_COMPACT | JSON_REAL_PRECISION(17));
        ok = want && strlen(want) == b.len && memcmp(want, b.data, b.len) == 0;
        if (!ok) {
            size_t i = 0;
            while (want && i < b.len && want[i] == (char)b.data[i])
                i++;
            fprintf(stderr,
                    "%s offset %" PRIu64 " limit %" PRIu64 ": differs at byte %zu:\n"
                    "  tree:   %.80s\n  writer: %.80s\n",
                    addr, off, lim, i, want ? want + i : "(null)", (const char *)b.data + i);
        }
        json_error_t err;
        json_t *back = json_loadb((const char *)b.data, b.len, 0, &err);
        ok = ok && back != NULL;
        if (back) {
            json_t *labels = json_object_get(back, "labels");
            labelled += json_array_size(labels) > 0;
            clustered += json_object_get(back, "cluster") != NULL;
            with_label += json_is_object(json_object_get(back, "label"));
        }
        json_decref(back);
        free(want);
        pages++;
    } else if (!ok) {
        fprintf(stderr, "%s offset %" PRIu64 ": rc %d (writer) vs %d (tree)\n", addr, off, rc1,
                rc2);
    }
    json_decref(tree);
    cw_buf_deinit(&b);
    return ok;
}

static void test_same_bytes(void)
{
    char dir[1024], store[1100], labels[1100], truth[1100], odd[1100];
    snprintf(dir, sizeof dir, "%s/world", cw_test_tmpdir());
    snprintf(store, sizeof store, "%s/store", dir);
    snprintf(labels, sizeof labels, "%s/labels.db", cw_test_tmpdir());
    snprintf(truth, sizeof truth, "%s/truth/addresses.csv", dir);
    snprintf(odd, sizeof odd, "%s/odd.csv", cw_test_tmpdir());
    cw_gen_stats gs;
    cw_chainstore *cs = NULL;
    REQUIRE(gen_world(dir, 12000, 5, NULL, &gs, &cs) == 0);
    REQUIRE(cw_cluster_build(store, CW_CHANGE_ALL, NULL) == 0);
    /* the writer reads pages through the address-history index, the tree walks the links:
     * the two are compared byte for byte below */
    REQUIRE(cw_addrhist_build(store, NULL) == 0);

    /* the address with the most outputs, and three addresses for the odd labels */
    uint64_t n_addrs = cw_chainstore_counts_get(cs).addrs, big = 0;
    for (uint64_t a = 0; a < n_addrs; a++) {
        const cw_row_addrsum *s = cw_chainstore_addrsum(cs, a);
        if (s && s->n_out > huge_outputs) {
            huge_outputs = s->n_out;
            big = a;
        }
    }
    char oddaddr[3][CW_ADDR_STR_MAX];
    for (int i = 0; i < 3; i++)
        cw_query_addr_string(oddaddr[i], cs, (uint32_t)(n_addrs / 16 * 4 * (uint64_t)(i + 1)));
    FILE *f = fopen(odd, "w");
    REQUIRE(f != NULL);
    fprintf(f, "subject,entity,category,entity_ref,entity_type,confidence,programs,date\n");
    fprintf(f,
            "%s,\"Quote \"\" back\\slash / slash\",exchange,\"tab\there\",\"line\nbreak\","
            "0.9,A;B,2024-02-29\n",
            oddaddr[0]);
    fprintf(f,
            "%s,\"Caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80 del\x7f\",mixer,\"\",\"\",0.3333333333,"
            ",\n",
            oddaddr[1]);
    fprintf(f, "%s,\"</script>\",exchange,\"\\u0000\",\"\",1,,\n", oddaddr[2]);
    fclose(f);
    cw_labels *db = NULL;
    cw_label_import_stats st;
    REQUIRE(cw_labels_open(&db, labels, 0) == 0);
    REQUIRE(cw_labels_import(db, CW_IMPORT_GEN_TRUTH, truth, NULL, &st) == 0);
    REQUIRE(cw_labels_import(db, CW_IMPORT_CSV, odd, NULL, &st) == 0);
    CHECK_EQ_INT(st.labels_new, 3);
    cw_labels_close(db);

    cw_chain_ctx *c = NULL;
    REQUIRE(cw_server__chain_open(&c, store, labels) == 0);
    cw_server__chain_refresh(c);
    CHECK_EQ_INT(cw_server__chain_addrhist_opens(c), 1);

    static const uint64_t lims[] = {25, 1, 0, 1000};
    int bad = 0;
    for (uint64_t a = 0; a < n_addrs && bad < 5; a++) {
        char s[CW_ADDR_STR_MAX];
        cw_query_addr_string(s, cs, (uint32_t)a);
        const cw_row_addrsum *sum = cw_chainstore_addrsum(cs, a);
        uint64_t n_out = sum ? sum->n_out : 0;
        bool deep = a == big || a % 97 == 0 || n_out > 30;
        if (a % 4 && !deep) /* a quarter of the others: the run stays short under ASan */
            continue;
        bad += !same(c, s, 0, 25);
        if (!deep)
            continue;
        for (size_t k = 0; k < sizeof lims / sizeof *lims; k++) {
            bad += !same(c, s, 0, lims[k]);
            bad += !same(c, s, n_out / 2, lims[k]);
        }
        bad += !same(c, s, n_out ? n_out - 1 : 0, 25);
        bad += !same(c, s, n_out, 25);
        bad += !same(c, s, UINT64_MAX, 1000);
    }
    CHECK_EQ_INT(bad, 0);
    /* the errors */
    CHECK(same(c, "not-an-address", 0, 25));
    CHECK(same(c, "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", 0, 25)); /* valid, absent */
    cw_buf b = {0};
    CHECK_EQ_INT(cw_server__chain_address(c, "not-an-address", 0, 25, &b), CW_EINVAL);
    cw_buf_deinit(&b);
    /* what was covered */
    fprintf(stderr,
            "pages %" PRIu64 ", with label records %" PRIu64 ", with a cluster %" PRIu64
            ", with a label %" PRIu64 ", most outputs %" PRIu64 "\n",
            pages, labelled, clustered, with_label, huge_outputs);
    CHECK(pages > n_addrs / 4);
    CHECK(labelled >= 3);
    CHECK(clustered > 0);
    CHECK(with_label > 0);
    CHECK(huge_outputs > 50); /* pages of 1, 25 and 1000 differ */
    cw_server__chain_close(c);
    cw_chainstore_close(cs);
}

int main(void)
{
    RUN(test_same_bytes);
    return cw_test_done();
}
