/*
 * labels_int.h: internals shared by the files of src/labels/ (not a public interface).
 *
 * The parsers (ofac_xml.c, csv.c, ofac_csv.c) turn input into cw_label_row records and know
 * nothing of SQLite; store.c holds the database; import.c joins the two inside one
 * transaction; input.c reads files, decompressing .bz2 through a `bzip2 -dc` child process.
 */
#ifndef CW_LABELS_INT_H
#define CW_LABELS_INT_H

#include <stdint.h>
#include <sys/types.h>

#include "chainwatch/csv.h"
#include "chainwatch/labels.h"
#include "chainwatch/util.h"

/* ---- parse context: file name for messages, options, warning count ---- */
typedef struct cw_labels__pctx {
    const char *name; /* file name used in messages */
    const cw_label_import_opts *opts;
    uint64_t warnings;
} cw_labels__pctx;

void cw_labels__warn(cw_labels__pctx *pc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The last path component of path (borrowed pointer into path). */
const char *cw_labels__basename(const char *path);

/* NULL when addr looks like a valid address of the asset, else a static reason. When
 * *truncated is set the string is too short to be any address (a cut-off fragment). */
const char *cw_labels__address_problem(const char *asset, const char *addr, bool *truncated);

/* Sorts and de-duplicates a list of programmes separated by any of seps, writing them
 * ';'-separated into out. Returns 0 or CW_ENOMEM. */
int cw_labels__programs_normalize(cw_buf *out, const char *list, const char *seps);

/* True for "YYYY-MM-DD" with a plausible month and day. */
bool cw_labels__date_valid(const char *s);

/* True when the n bytes are valid UTF-8 (no overlong forms or surrogates). */
bool cw_labels__utf8_valid(const void *data, size_t n);

/* Makes s (len bytes) valid UTF-8 in out (NUL-terminated): valid UTF-8 is copied, otherwise
 * the bytes are read as Windows-1252/Latin-1 (OFAC's CSV files). Returns 0 or CW_ENOMEM. */
int cw_labels__to_utf8(cw_buf *out, const char *s, size_t len);

/* ---- the parsers ---- */
int cw_labels__parse_ofac_xml_mem(const void *data, size_t len, cw_labels__pctx *pc,
                                  cw_label_row_cb cb, void *payload);
/* Streams XML through read_fn (returns bytes read, 0 at the end, -1 on error). */
int cw_labels__parse_ofac_xml_io(int (*read_fn)(void *ctx, char *buf, int len), void *ctx,
                                 cw_labels__pctx *pc, cw_label_row_cb cb, void *payload);
int cw_labels__parse_sdn_csv(const void *data, size_t len, cw_labels__pctx *pc, cw_label_row_cb cb,
                             void *payload);
int cw_labels__parse_label_csv(const void *data, size_t len, bool gen_truth, cw_labels__pctx *pc,
                               cw_label_row_cb cb, void *payload);

/* ---- input files ---- */
typedef struct cw_labels__input {
    const char *path;
    int fd;
    pid_t child; /* bzip2 -dc, or 0 */
    void *sha;   /* EVP_MD_CTX over the decompressed bytes */
    uint64_t bytes;
    int err; /* first read error (negative CW_E*), message already set */
} cw_labels__input;

/* Opens path for reading; a name ending in .bz2 is decompressed by a bzip2 child process. */
int cw_labels__input_open(cw_labels__input *in, const char *path);
/* Reads up to n bytes: the count, 0 at the end, or a negative CW_E* code. */
ssize_t cw_labels__input_read(cw_labels__input *in, void *buf, size_t n);
/* Closes, reaps the child (its failure is CW_ECORRUPT) and writes the content's SHA-256. */
int cw_labels__input_close(cw_labels__input *in, char content_sha256[65]);
/* Reads everything into out (NUL-terminated, len excludes the NUL). */
int cw_labels__input_slurp(const char *path, cw_buf *out, char content_sha256[65]);
/* SHA-256 of the bytes of a file as stored. */
int cw_labels__file_sha256(const char *path, char out[65]);

/* ---- store internals used by import.c ---- */
int cw_labels__begin(cw_labels *db);
int cw_labels__commit(cw_labels *db);
void cw_labels__rollback(cw_labels *db);
/* options: what besides the content decides what a run imports ("" or "exclude=a,b"). */
int cw_labels__run_create(cw_labels *db, int64_t *out_id, const char *kind, const char *file,
                          const char *file_sha256, const char *options);
int cw_labels__run_finish(cw_labels *db, int64_t run_id, const char *content_sha256,
                          const char *source, uint64_t rows, uint64_t labels_new,
                          uint64_t warnings);
/* The first earlier run of this kind with this content, or 0. */
int64_t cw_labels__run_find(cw_labels *db, int64_t before_run, const char *kind,
                            const char *content_sha256, const char *options);
/* The first completed run of this kind whose file had these bytes: its id (0 if none), and
 * its source, content hash and row count into stats. */
int64_t cw_labels__run_find_file(cw_labels *db, const char *kind, const char *file_sha256,
                                 const char *options, cw_label_import_stats *stats);
/* Adds a label and its provenance under run_id. *label_new and *prov_new say what was new.
 * Validates the row (category, confidence, date, subject); CW_EINVAL names row->location. */
int cw_labels__add(cw_labels *db, int64_t run_id, const cw_label_row *row, bool *label_new,
                   bool *prov_new);

#endif
