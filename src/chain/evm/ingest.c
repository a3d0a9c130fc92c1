/*
 * ingest.c: ethereum-etl CSV exports into an EVM store (evm/ingest.h): the decoder hands
 * finished blocks to the writer, which commits every N blocks or few seconds.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "chainwatch/errors.h"
#include "chainwatch/evm/csv.h"
#include "chainwatch/evm/ingest.h"
#include "chainwatch/evm/store.h"
#include "chainwatch/util.h"

/* "file line N: " for a block */
static int wrap_block(int rc, const cw_evm_block *b)
{
    if (b->src_files && b->src_file < b->n_src_files)
        return cw_error_wrap(rc, "%s line %llu: ", b->src_files[b->src_file],
                             (unsigned long long)b->src_line);
    return rc;
}

bool cw_evm_ingest_generated(const char *csv_dir)
{
    char p[PATH_MAX];
    struct stat st;
    if ((size_t)snprintf(p, sizeof p, "%s/truth/world.json", csv_dir) >= sizeof p)
        return false;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int cw_evm_ingest_csv(const cw_evm_ingest_opts *o, cw_evm_ingest_stats *st)
{
    memset(st, 0, sizeof *st);
    st->tip = -1;
    double t0 = cw_now();
    cw_evm_csv *r = NULL;
    cw_evmstore *s = NULL;
    cw_progress *pg = NULL;
    cw_evm_block b;
    cw_evm_block_init(&b);
    cw_evm_counts c0 = {0}; /* the counts before the first new block (the stats) */
    int rc = cw_evm_csv_open(&r, o->csv_dir);
    if (rc)
        goto out;
    if ((rc = cw_evmstore_open(&s, o->store_dir, true, o->chain)))
        goto out;
    if (o->rollback_to != -2 && (rc = cw_evmstore_rollback(s, o->rollback_to)))
        goto out;
    if ((o->synthetic || cw_evm_ingest_generated(o->csv_dir)) &&
        (rc = cw_evmstore_mark_synthetic(s)))
        goto out;
    st->synthetic = cw_evmstore_synthetic(s);
    cw_evmstore_counts(s, &c0);
    if (o->progress)
        pg = cw_progress_new("ingest evm", cw_evm_csv_bytes_total(r), "B");
    double last_commit = cw_now(), gap = 10.0;
    uint64_t since = 0;
    for (;;) {
        if (o->stop && *o->stop)
            break;
        rc = cw_evm_csv_next(r, &b);
        if (rc < 0)
            goto out;
        if (rc == 0)
            break;
        int64_t tip = cw_evmstore_tip(s);
        if (tip >= 0 && (int64_t)b.number <= tip) {
            const cw_evm_row_block *have = cw_evmstore_block(s, b.number);
            if (have && (memcmp(have->hash, b.hash.b, 32) != 0)) {
                rc = wrap_block(cw_error_set(CW_ECORRUPT,
                                             "block %llu differs from the store's block %llu "
                                             "(another chain, or a reorg)",
                                             (unsigned long long)b.number,
                                             (unsigned long long)b.number),
                                &b);
                goto out;
            }
            st->blocks_skipped++;
            continue;
        }
        if ((rc = cw_evmstore_append(s, &b))) {
            /* a gap is bad input here, not a bad argument */
            rc = wrap_block(rc == CW_EINVAL ? CW_ECORRUPT : rc, &b);
            goto out;
        }
        st->blocks_added++;
        st->txs_added += b.n_txs;
        since++;
        /* without --commit-blocks: commits at least 10 s and 4x as long as the last one took
         * apart, so that on a large store (heads and index slots dirty all over it) commits
         * stay a small part of the run, as in the Bitcoin ingest */
        if ((o->commit_blocks && since >= o->commit_blocks) ||
            (!o->commit_blocks && cw_now() - last_commit > gap)) {
            double t = cw_now();
            if ((rc = cw_evmstore_commit(s)))
                goto out;
            since = 0;
            last_commit = cw_now();
            gap = 4 * (last_commit - t) > 10.0 ? 4 * (last_commit - t) : 10.0;
        }
        if (pg)
            cw_progress_update(pg, cw_evm_csv_bytes_read(r), st->txs_added,
                               cw_evm_csv_bytes_read(r));
    }
    if ((rc = cw_evmstore_commit(s)))
        goto out;
    if (o->stop && *o->stop)
        rc = cw_error_set(CW_EINTR, "interrupted; everything up to block %lld is committed",
                          (long long)cw_evmstore_tip(s));
out:
    if (s) {
        cw_evm_counts c1;
        cw_evmstore_counts(s, &c1);
        st->moves_added = c1.moves - c0.moves;
        st->accounts_added = c1.accounts - c0.accounts;
        st->tip = c1.blocks ? (int64_t)(c1.base + c1.blocks - 1) : -1;
        char msg[2048];
        int code = cw_error_code();
        snprintf(msg, sizeof msg, "%s", cw_error_last());
        int crc = cw_evmstore_close(s);
        if (!rc)
            rc = crc;
        else
            cw_error_set(code, "%s", msg);
        if (rc && !crc) {
            /* blocks_added counts what was published */
        }
    }
    if (r)
        st->bytes_read = cw_evm_csv_bytes_read(r);
    cw_progress_free(pg);
    cw_evm_csv_close(r);
    cw_evm_block_free(&b);
    st->seconds = cw_now() - t0;
    return rc;
}
