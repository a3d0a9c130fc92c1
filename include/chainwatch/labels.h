/*
 * labels.h: the label store (entity labels and watchlists) and its importers.
 *
 * A label says "this subject belongs to this entity, of this category, according to this
 * source". The subject is an address string with its asset (XBT, ETH, USDT...), a cluster id
 * or an entity name. Labels live in an embedded SQLite database (WAL mode, foreign keys,
 * versioned migrations; see docs/LABELS.md for the schema). Every label keeps its provenance:
 * the import run (kind, file, SHA-256 of the file and of its decompressed content, time) and
 * the exact place in the file (CSV line, or XML element and line) where it was read. One label
 * may have several provenance records (OFAC lists the same address twice for one party).
 *
 * Importers: OFAC's sdn_advanced.xml (streamed with libxml2's xmlTextReader; .bz2 accepted),
 * OFAC's legacy SDN.CSV (addresses inside the Remarks field), plain label CSV files (a header
 * names the columns; the derived OFAC CSV is accepted as a variant) and a generated world's
 * ground truth. An import is one transaction: it either adds everything or nothing, and
 * importing the same content again changes nothing.
 *
 * Addresses are matched by a key: 0x-hex addresses and all-upper-case bech32 strings are
 * lower-cased (they are case-insensitive); base58 strings are kept as they are.
 */
#ifndef CHAINWATCH_LABELS_H
#define CHAINWATCH_LABELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cw_labels cw_labels;

typedef enum cw_label_subject_kind {
    CW_SUBJECT_ADDRESS = 0, /* subject is an address string; asset says which chain/token */
    CW_SUBJECT_CLUSTER = 1, /* subject is a cluster id of the chain store (decimal) */
    CW_SUBJECT_ENTITY = 2   /* subject is an entity name (a label about the entity itself) */
} cw_label_subject_kind;

/* "address", "cluster", "entity"; parse returns 0 or CW_EINVAL. */
const char *cw_label_subject_kind_name(cw_label_subject_kind k);
int cw_label_subject_kind_parse(cw_label_subject_kind *out, const char *s);

/* ---- categories: a fixed list ---- */
/* True when s is one of the categories (exchange, exchange_deposit, mixer, sanctioned, theft,
 * bridge, service, ... see cw_label_categories). */
bool cw_label_category_valid(const char *s);
/* The NULL-terminated list of valid categories (static). */
const char *const *cw_label_categories(void);
/* The risk categories (NULL-terminated, static): sanctioned, theft, ransomware, darknet_market,
 * scam. What screening flags by default, and what makes a gathering of coins a thief's rather
 * than a service's sweep (trace.c). */
const char *const *cw_label_risk_categories(void);

/* Writes the match key of an address into out (size >= strlen(addr) + 1): surrounding blanks
 * removed, 0x-hex and upper-case bech32 lower-cased. Returns 0, or CW_EINVAL when the address
 * is empty, too long (> 255) or contains a blank or control character. */
int cw_label_address_key(char *out, size_t out_size, const char *addr);

/* A label as read from the store. All strings are borrowed: valid only during the callback. */
typedef struct cw_label {
    int64_t id;
    cw_label_subject_kind subject_kind;
    const char *asset;       /* "XBT", "ETH"... or "" for clusters and entities */
    const char *subject;     /* as published */
    const char *entity;      /* entity name */
    const char *entity_ref;  /* external id, e.g. "ofac:27307", or "" */
    const char *entity_type; /* e.g. "Entity", "Individual", or "" */
    const char *category;
    const char *source;   /* e.g. "OFAC SDN sdn_advanced.xml published 2025-11-19" */
    const char *date;     /* YYYY-MM-DD or "" (for OFAC: the party's designation date) */
    double confidence;    /* 0..1 */
    const char *programs; /* sanctions programmes, sorted and ';'-separated ("CYBER2;DPRK3") */
    int64_t first_run_id; /* the import run that created the label */
} cw_label;

/* One provenance record of a label. Strings borrowed, valid only during the callback. */
typedef struct cw_label_provenance {
    int64_t run_id;
    const char *kind;           /* importer: ofac-xml, ofac-csv, csv, gen-truth */
    const char *file;           /* path as given to the import */
    const char *file_sha256;    /* of the bytes on disk */
    const char *content_sha256; /* of the decompressed content */
    const char *imported_at;    /* UTC, ISO 8601 */
    const char *location; /* "line 12" or "line 1183708: DistinctParty[@FixedRef='27307']/..." */
} cw_label_provenance;

/* Callbacks return 0 to go on; any other value stops the iteration and is returned. */
typedef int (*cw_label_cb)(const cw_label *label, void *payload);
typedef int (*cw_label_provenance_cb)(const cw_label_provenance *p, void *payload);

/* ---- the store ---- */
enum { CW_LABELS_READONLY = 1 };

/* Opens (and with flags 0 creates and migrates) the label database at path. A read-only open
 * of a missing file is CW_ENOTFOUND; a database written by a newer chainwatch is CW_EVERSION.
 * *out is owned by the caller and closed with cw_labels_close. */
int cw_labels_open(cw_labels **out, const char *path, int flags);
void cw_labels_close(cw_labels *db);
/* The schema version of the open database (PRAGMA user_version). */
int cw_labels_schema_version(cw_labels *db);

/* Optional read transaction around many lookups (screening a batch): one snapshot, and no
 * per-query locking. Returns 0 or CW_EIO; end always succeeds. Not to be used while an
 * import runs on the same handle. */
int cw_labels_read_begin(cw_labels *db);
void cw_labels_read_end(cw_labels *db);
/* True inside a transaction (cw_labels_read_begin's, or an import's). */
bool cw_labels_in_transaction(cw_labels *db);

/* Labels whose address key equals the key of addr (any asset when asset is NULL or "").
 * Uses a prepared statement and the subject-key index. Returns the number of labels
 * visited (>= 0), the callback's non-zero value, or a negative CW_E* code. */
int cw_labels_lookup(cw_labels *db, const char *asset, const char *addr, cw_label_cb cb,
                     void *payload);

/* Labels of any subject kind whose subject (or its address key) equals subject, and the
 * labels of the entity whose name or reference ("ofac:27307") equals subject. Same returns. */
int cw_labels_find_subject(cw_labels *db, const char *subject, cw_label_cb cb, void *payload);

/* Labels for a search box: those whose subject is `text` (an address, by its key), whose
 * entity name contains it (any letter case), whose entity reference ("ofac:27307") or category
 * ("theft") is it; exact subject and exact entity name first, then by entity, category,
 * asset, subject. At most `limit` (<= 0: 10000). Returns the number visited, the callback's
 * non-zero value or a negative CW_E* code (CW_EINVAL: empty or over 200 bytes). */
int cw_labels_search(cw_labels *db, const char *text, int64_t limit, cw_label_cb cb, void *payload);

typedef struct cw_label_filter {
    const char *category; /* exact, or NULL */
    const char *source;   /* case-insensitive substring of the source, or NULL */
    const char *asset;    /* exact, or NULL */
    const char *program;  /* one programme (e.g. "DPRK3"), or NULL */
} cw_label_filter;

/* Every label matching filter (NULL: all), ordered by category, asset, subject key, id.
 * Returns 0, the callback's non-zero value or a negative CW_E* code. */
int cw_labels_foreach(cw_labels *db, const cw_label_filter *filter, cw_label_cb cb, void *payload);

/* An address label as an address -> label map needs it: no source, date, programmes or
 * entity reference. Strings borrowed, valid only during the callback. */
typedef struct cw_label_addr {
    int64_t id;
    const char *asset;       /* "XBT", "ETH"... or "" */
    const char *subject;     /* as published */
    const char *subject_key; /* its match key (cw_label_address_key) */
    const char *category;
    const char *entity; /* entity name */
} cw_label_addr;
typedef int (*cw_label_addr_cb)(const cw_label_addr *label, void *payload);

/* The address labels whose asset is one of assets (a NULL-terminated list, NULL for any
 * asset; "" stands for labels without an asset): the labels cw_labels_foreach(db, NULL, ...) visits
 * with subject kind address and such an asset, but in storage order, not sorted. One table
 * scan, without the sort or a per-label join: built for a pass over every label (a trace's or
 * a screen's label map, ~20x faster on 531k labels). A caller that needs cw_labels_foreach's
 * order sorts by (category, asset, subject_key, id), byte-wise. Same returns. */
int cw_labels_foreach_address(cw_labels *db, const char *const *assets, cw_label_addr_cb cb,
                              void *payload);

/* The labels whose subject key k is in key_lo <= k < key_hi (byte-wise), as cw_labels_foreach
 * (db, NULL, ...) gives them and in its order, from one range of the subject-key index: e.g.
 * ["0x", "0y") holds every EVM address label (their keys are lower-case 0x-hex), without
 * reading a Bitcoin store's 500k others. Same returns. */
int cw_labels_foreach_key_range(cw_labels *db, const char *key_lo, const char *key_hi,
                                cw_label_cb cb, void *payload);

/* The address labels whose subject key k is in key_lo <= k < key_hi (byte-wise; key_hi NULL:
 * k = key_lo) and whose asset is one of assets, as cw_labels_foreach_address gives them, in the
 * subject-key index's order (a caller that needs cw_labels_foreach's order sorts by category,
 * asset, subject_key, id). One probe of the index: built for the lookups of the few addresses
 * a trace or a screen touches. Same returns. */
int cw_labels_foreach_address_key(cw_labels *db, const char *key_lo, const char *key_hi,
                                  const char *const *assets, cw_label_addr_cb cb, void *payload);

/* The provenance records of one label, oldest first. Same returns as cw_labels_foreach. */
int cw_labels_provenance_foreach(cw_labels *db, int64_t label_id, cw_label_provenance_cb cb,
                                 void *payload);

/* Number of distinct (asset, address key) pairs per asset among address labels matching
 * filter. cb is called once per asset in asset order. Returns 0 or a negative CW_E* code. */
int cw_labels_count_by_asset(cw_labels *db, const cw_label_filter *filter,
                             int (*cb)(const char *asset, int64_t n, void *payload), void *payload);

/* Totals: labels, entities, provenance records, import runs. */
typedef struct cw_labels_totals {
    int64_t labels, entities, provenance, runs;
} cw_labels_totals;
int cw_labels_totals_get(cw_labels *db, cw_labels_totals *out);

/* ---- importers ---- */
typedef enum cw_label_import_kind {
    CW_IMPORT_OFAC_XML = 0, /* sdn_advanced.xml (.xml or .xml.bz2) */
    CW_IMPORT_OFAC_CSV = 1, /* OFAC's legacy SDN.CSV (no header, 12 columns) */
    CW_IMPORT_CSV = 2,      /* a plain label CSV with a header (docs/LABELS.md) */
    CW_IMPORT_GEN_TRUTH = 3 /* a generated world's ground truth (CSV, docs/LABELS.md) */
} cw_label_import_kind;

/* "ofac-xml", "ofac-csv", "csv", "gen-truth". */
const char *cw_label_import_kind_name(cw_label_import_kind k);
int cw_label_import_kind_parse(cw_label_import_kind *out, const char *s);

/* One label as parsed from an input file, before it reaches the store. Strings borrowed,
 * valid during the callback. Empty strings mean "not given". */
typedef struct cw_label_row {
    cw_label_subject_kind subject_kind;
    const char *asset;
    const char *subject;
    const char *entity;
    const char *entity_ref;
    const char *entity_type;
    const char *category;
    const char *source; /* the parser's default source unless the file says otherwise */
    const char *date;
    double confidence;
    const char *programs; /* sorted, ';'-separated */
    const char *location; /* where in the file */
} cw_label_row;

typedef int (*cw_label_row_cb)(const cw_label_row *row, void *payload);

/* Options for parsing and importing. All fields may be zero/NULL. */
typedef struct cw_label_import_opts {
    const char *source; /* overrides the importer's source description */
    /* Comma-separated categories whose rows are not imported (e.g. "individual" to leave a
     * generated world's users unlabelled), or NULL. Part of the run's identity: the same file
     * imported with another list is not "unchanged". */
    const char *exclude_categories;
    /* Called for each warning (address that does not look valid, duplicate row...); the
     * message names the file and line. NULL: warnings are only counted. */
    void (*warn)(const char *msg, void *payload);
    void *warn_payload;
} cw_label_import_opts;

/* Parses content (already decompressed) of the given kind, calling cb for every label row.
 * name is the file name used in messages and default sources. Returns 0, the callback's
 * non-zero value, or CW_ECORRUPT/CW_EINVAL with a message naming the file and line.
 * *n_warnings (may be NULL) gets the number of warnings. Used by the importers and fuzzers. */
int cw_labels_parse(cw_label_import_kind kind, const void *data, size_t len, const char *name,
                    const cw_label_import_opts *opts, cw_label_row_cb cb, void *payload,
                    uint64_t *n_warnings);

typedef struct cw_label_import_stats {
    int64_t run_id;        /* the new run, or the run that first imported it when unchanged */
    uint64_t rows;         /* label rows read from the file */
    uint64_t labels_new;   /* labels added */
    uint64_t labels_known; /* rows that matched an existing label */
    uint64_t provenance_new;
    uint64_t warnings;
    uint64_t skipped; /* rows left out by exclude_categories */
    bool unchanged;   /* nothing new: the transaction was rolled back, the store is as before */
    char source[256];
    char content_sha256[65];
} cw_label_import_stats;

/* Imports a file (path ending in .bz2: decompressed through `bzip2 -dc`) in one transaction.
 * On any error nothing is written. Returns 0 or a negative CW_E* code (CW_ECORRUPT with the
 * file and line for malformed input, CW_EIO when the file cannot be read). */
int cw_labels_import(cw_labels *db, cw_label_import_kind kind, const char *path,
                     const cw_label_import_opts *opts, cw_label_import_stats *stats);

#endif
