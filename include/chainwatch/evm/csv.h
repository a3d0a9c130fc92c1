/*
 * evm/csv.h: the ethereum-etl CSV decoder (no store dependency: decoder, then writer, as in
 * Bitcoin Core's validation split).
 *
 * Reads the files ethereum-etl writes (and BigQuery's crypto_ethereum tables exported as CSV):
 * blocks, transactions, receipts, logs, token_transfers, traces, tokens. A directory holds one
 * file per kind (`blocks.csv`, `blocks_17173049-17173050.csv`, ...) or export_all's folders
 * (`blocks/start_block=…/end_block=…/blocks_….csv`); files may be plain or .gz, LF or CRLF.
 * Columns are found by header name, so column order and extra columns do not matter; a missing
 * required column is an error naming the file.
 *
 * ethereum-etl's JSON lines (outputs named .json, .json.gz) are read as well, into the same
 * blocks byte for byte (one format a directory); and cw_evm_csv_open given a file (not a
 * directory) reads it as `ethereumetl stream` output: every kind in one file, by "type".
 *
 * Rows must come in non-decreasing block order within each kind (export order); rows of one
 * block may come in any order. cw_evm_csv_next() merges the kinds block by block and hands
 * back one finished block (cw_evm_block_finish) at a time. Every error names the file and line.
 */
#ifndef CHAINWATCH_EVM_CSV_H
#define CHAINWATCH_EVM_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "chainwatch/evm/block.h"

typedef struct cw_evm_csv cw_evm_csv;

/* Finds the files under dir (or reads dir as a stream file when it is a file). CW_ENOTFOUND when
 * there is no blocks file (no block items). */
int cw_evm_csv_open(cw_evm_csv **out, const char *dir);
/* Sources in memory (fuzzing, tests): kinds[i] is "blocks", "transactions", "receipts",
 * "logs", "traces", "token_transfers" or "tokens" (CSV), or one of them with ".json" appended
 * (ethereum-etl's JSON lines), one buffer each (borrowed, and rewritten in place where quoted
 * fields or JSON strings are unescaped). A blocks source is required. */
int cw_evm_csv_open_mem(cw_evm_csv **out, const char *const *kinds, const char *const *bufs,
                        const size_t *lens, size_t n);
/* Fills *b with the next block (finished; tokens known so far attached): 1 = a block, 0 = end
 * of input, negative = error naming the file and line. */
int cw_evm_csv_next(cw_evm_csv *r, cw_evm_block *b);
/* Skips every block with number < n (a resumed ingest). */
void cw_evm_csv_skip_below(cw_evm_csv *r, uint64_t n);
/* Compressed/plain bytes read so far, and the total size of the input files. */
uint64_t cw_evm_csv_bytes_read(const cw_evm_csv *r);
uint64_t cw_evm_csv_bytes_total(const cw_evm_csv *r);
/* Rows of tokens files (metadata; the caller registers them with the store). */
size_t cw_evm_csv_tokens(const cw_evm_csv *r, const cw_evm_token **tokens);
void cw_evm_csv_close(cw_evm_csv *r);

/* Splits a buffer of CSV text into fields (RFC 4180 quotes, LF or CRLF) without decoding
 * anything: the "plain pass" the ingest benchmark compares itself to. Returns the number of
 * fields; *rows receives the number of records. */
uint64_t cw_evm_csv_split_only(const char *buf, size_t len, uint64_t *rows);
/* The same count with the reader's block scan (64-byte masks of commas, newlines and quotes,
 * the quoted spans from a running parity of the quotes): a stricter plain pass, as cheap as
 * splitting gets on one thread. Same results as cw_evm_csv_split_only for whole records. */
uint64_t cw_evm_csv_split_blocks(const char *buf, size_t len, uint64_t *rows);

#endif
