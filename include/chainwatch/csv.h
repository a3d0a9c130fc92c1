/*
 * chainwatch/csv.h: the one RFC 4180 CSV record reader of the engines (labels, supply). The
 * EVM ingest keeps its own vectorised reader for ethereum-etl's files (a hot path).
 *
 * Records: fields separated by commas; a field that starts with '"' is quoted and may hold
 * commas, doubled quotes and line breaks; records end at LF or CRLF; blank lines are skipped; a
 * leading UTF-8 BOM is skipped. A NUL byte is always refused. Every error names the file and
 * the line ("NAME: line N: ...").
 */
#ifndef CHAINWATCH_CSV_H
#define CHAINWATCH_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "chainwatch/util.h"

/* Strict: a quote inside an unquoted field and text after a closing quote are errors (label
 * files). Without it such quotes and text are kept as they stand (published statistics files
 * whose quoting is not always clean). */
#define CW_CSV_STRICT 1u

typedef struct cw_csv {
    const char *path; /* the name in messages (borrowed) */
    const uint8_t *data;
    size_t len, pos;
    unsigned flags;
    size_t line;     /* line where the next record starts (1-based) */
    size_t rec_line; /* line where the current record started */
    char **fields;   /* the current record's fields, NUL-terminated (valid until the next call) */
    size_t n_fields;
    /* private */
    uint8_t *owned;
    size_t cap_fields, cap_off, *off;
    cw_buf store;
} cw_csv;

/* Reads the whole file (path is borrowed for messages). */
int cw_csv_open(cw_csv *c, const char *path, unsigned flags);
/* Reads len bytes at data (borrowed: they must outlive the reader); name is for messages. */
void cw_csv_open_mem(cw_csv *c, const char *name, const void *data, size_t len, unsigned flags);
/* 1 = a record is in c->fields, 0 = end of input, or CW_ECORRUPT / CW_ENOMEM. */
int cw_csv_next(cw_csv *c);
void cw_csv_close(cw_csv *c);
/* Index of a field of the current record equal to name (case-insensitive, spaces trimmed; used
 * on a header), or -1. */
int cw_csv_col(const cw_csv *c, const char *name);

#endif
