/*
 * cmd_addrindex.c: `chainwatch addrindex --store DIR [--json]`: builds or brings up to date the
 * store's address-history index (src/chain/btc/store/addrhist.c, docs/STORE-FORMAT.md), which
 * makes a page of an address's history cost the same at any offset. Run it after ingest (or
 * from the same cron job); until it runs again, lookups walk the outputs ingested since.
 */
#include <inttypes.h>
#include <stdio.h>

#include "chainwatch/btc/addrhist.h"
#include "chainwatch/errors.h"
#include "cli/store_opts.h"

extern const cw_command cw_cmd_addrindex;

static int run(int argc, char **argv)
{
    cw_store_opts o;
    int ec = cw_store_opts_parse(&o, &cw_cmd_addrindex, argc, argv, 0, 0);
    if (ec)
        return ec;
    cw_addrhist_stats st;
    int rc = cw_addrhist_build(o.store, &st);
    if (rc)
        return cw_cli_fail("addrindex", rc);
    char note[300] = "";
    if (!st.cards)
        snprintf(note, sizeof note,
                 "no cards: the store has %" PRIu64 " outputs, and a card holds 32-bit output and "
                 "tx numbers (below %" PRIu64 " outputs only); lookups read off.col and ent.col "
                 "instead (more dependent reads per cold lookup)",
                 st.outs, CW_ADDRHIST_CARDS_MAX);
    if (o.json) {
        json_t *j = json_pack("{s:I, s:I, s:I, s:I, s:I, s:b, s:b, s:b, s:f}", "outputs_before",
                              (json_int_t)st.outs_before, "outputs", (json_int_t)st.outs,
                              "addresses", (json_int_t)st.addrs, "entries", (json_int_t)st.entries,
                              "bytes", (json_int_t)st.bytes, "rebuilt", st.rebuilt, "up_to_date",
                              st.up_to_date, "cards", st.cards, "seconds", st.seconds);
        if (j && note[0])
            json_object_set_new(j, "cards_note", json_string(note));
        return cw_cli_print_json(j);
    }
    printf("addrindex: %" PRIu64 " outputs of %" PRIu64 " addresses indexed (%" PRIu64
           " entries, %.1f MB), %s; %.2f s\n",
           st.outs, st.addrs, st.entries, (double)st.bytes / 1e6,
           st.up_to_date    ? "already up to date"
           : st.rebuilt     ? "rebuilt (the previous index did not match the store)"
           : st.outs_before ? "appended the outputs ingested since the last build"
                            : "built",
           st.seconds);
    if (note[0])
        printf("addrindex: %s\n", note);
    return CW_EXIT_OK;
}

const cw_command cw_cmd_addrindex = {
    "addrindex", "build the address-history index of a chain store",
    "Usage: chainwatch addrindex --store DIR [--json]\n\n"
    "Builds the store's address-history index, or appends to it the outputs ingested since the\n"
    "last build: every address's outputs in order, so that a page of its history costs the\n"
    "same at any offset (chainwatch serve, `GET /api/v1/chain/address/A?offset=N`). Optional\n"
    "and derived from the store: lookups without it, or past it, walk the store's links. A\n"
    "build that is killed leaves the previous index in place; `chainwatch check` verifies it.\n",
    run};
