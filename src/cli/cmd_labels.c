/*
 * cmd_labels.c: `chainwatch labels import|list|show|count`: the label store from the command
 * line. Thin: options are parsed here, the work is done by src/labels/ (labels.h).
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chainwatch/errors.h"
#include "chainwatch/labels.h"
#include "chainwatch/util.h"
#include "cli/cli.h"

extern const cw_command cw_cmd_labels;

#define MAX_WARNINGS_SHOWN 20

typedef struct opts {
    const char *db;
    const char *category, *source, *asset, *program, *exclude;
    bool json, quiet;
    const char *pos[3];
    int n_pos;
} opts;

static int parse_opts(opts *o, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    o->db = getenv("CHAINWATCH_LABELS_DB");
    if (!o->db || !o->db[0])
        o->db = "labels.db";
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (!strcmp(a, "--json")) {
            o->json = true;
            continue;
        }
        if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            o->quiet = true;
            continue;
        }
        if (!strcmp(a, "--db"))
            slot = &o->db;
        else if (!strcmp(a, "--category"))
            slot = &o->category;
        else if (!strcmp(a, "--source"))
            slot = &o->source;
        else if (!strcmp(a, "--asset"))
            slot = &o->asset;
        else if (!strcmp(a, "--program"))
            slot = &o->program;
        else if (!strcmp(a, "--exclude"))
            slot = &o->exclude;
        if (slot) {
            if (i + 1 >= argc)
                return cw_cli_usage_error(&cw_cmd_labels, "%s needs a value", a);
            *slot = argv[++i];
            continue;
        }
        if (a[0] == '-' && a[1])
            return cw_cli_usage_error(&cw_cmd_labels, "unknown option '%s'", a);
        if (o->n_pos == 3)
            return cw_cli_usage_error(&cw_cmd_labels, "too many arguments");
        o->pos[o->n_pos++] = a;
    }
    if (o->category && !cw_label_category_valid(o->category))
        return cw_cli_usage_error(&cw_cmd_labels, "unknown category '%s'", o->category);
    return 0;
}

static json_t *label_json(const cw_label *l)
{
    json_t *progs = json_array();
    if (l->programs[0]) {
        const char *p = l->programs;
        while (*p) {
            size_t n = strcspn(p, ";");
            json_array_append_new(progs, json_stringn(p, n));
            p += n;
            if (*p)
                p++;
        }
    }
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:o, s:I}", "id",
                     (json_int_t)l->id, "subject_kind", cw_label_subject_kind_name(l->subject_kind),
                     "asset", l->asset, "subject", l->subject, "entity", l->entity, "entity_ref",
                     l->entity_ref, "entity_type", l->entity_type, "category", l->category,
                     "source", l->source, "date", l->date, "confidence", l->confidence, "programs",
                     progs, "first_run", (json_int_t)l->first_run_id);
}

/* ---- import ---- */

typedef struct warn_state {
    bool quiet;
    unsigned shown;
} warn_state;

static void on_warn(const char *msg, void *payload)
{
    warn_state *w = payload;
    if (w->quiet || w->shown++ >= MAX_WARNINGS_SHOWN)
        return;
    fprintf(stderr, "warning: %s\n", msg);
}

typedef struct count_ctx {
    json_t *obj;
    bool print;
} count_ctx;

static int on_count(const char *asset, int64_t n, void *payload)
{
    count_ctx *c = payload;
    if (c->obj)
        json_object_set_new(c->obj, asset[0] ? asset : "-", json_integer(n));
    if (c->print)
        printf("  %-6s %lld\n", asset[0] ? asset : "-", (long long)n);
    return 0;
}

static int do_import(const opts *o)
{
    if (o->n_pos != 2)
        return cw_cli_usage_error(&cw_cmd_labels, "usage: labels import KIND FILE [--db PATH]");
    cw_label_import_kind kind;
    if (cw_label_import_kind_parse(&kind, o->pos[0]))
        return cw_cli_usage_error(&cw_cmd_labels, "%s", cw_error_last());
    if (access(o->pos[1], R_OK) != 0) {
        /* before the database is opened: a missing input leaves no empty store behind */
        fprintf(stderr, "chainwatch labels: %s: %s\n", o->pos[1], strerror(errno));
        return errno == ENOENT ? CW_EXIT_NOTFOUND : CW_EXIT_FAIL;
    }
    cw_labels *db = NULL;
    int rc = cw_labels_open(&db, o->db, 0);
    if (rc)
        return cw_cli_fail("labels", rc);
    warn_state ws = {.quiet = o->quiet};
    cw_label_import_opts io = {.source = o->source,
                               .exclude_categories = o->exclude,
                               .warn = on_warn,
                               .warn_payload = &ws};
    cw_label_import_stats st;
    char what[128];
    snprintf(what, sizeof what, "labels import %s", cw_label_import_kind_name(kind));
    cw_cli_ticker *tick = cw_cli_ticker_start(what);
    double t0 = cw_now();
    rc = cw_labels_import(db, kind, o->pos[1], &io, &st);
    cw_cli_ticker_stop(tick);
    double secs = cw_now() - t0;
    if (rc) {
        cw_labels_close(db);
        return cw_cli_fail("labels", rc);
    }
    if (ws.shown > MAX_WARNINGS_SHOWN && !o->quiet)
        fprintf(stderr, "warning: ... and %u more warnings\n", ws.shown - MAX_WARNINGS_SHOWN);
    cw_label_filter f = {.source = st.source};
    int ret = CW_EXIT_OK;
    if (o->json) {
        json_t *counts = json_object();
        count_ctx cc = {.obj = counts};
        if ((rc = cw_labels_count_by_asset(db, &f, on_count, &cc))) {
            json_decref(counts);
            cw_labels_close(db);
            return cw_cli_fail("labels", rc);
        }
        ret = cw_cli_print_json(json_pack(
            "{s:s, s:s, s:I, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:o, s:f}", "kind",
            cw_label_import_kind_name(kind), "file", o->pos[1], "run", (json_int_t)st.run_id,
            "unchanged", st.unchanged, "rows", (json_int_t)st.rows, "labels_new",
            (json_int_t)st.labels_new, "labels_known", (json_int_t)st.labels_known,
            "provenance_new", (json_int_t)st.provenance_new, "warnings", (json_int_t)st.warnings,
            "skipped", (json_int_t)st.skipped, "source", st.source, "content_sha256",
            st.content_sha256, "addresses_per_asset", counts, "seconds", secs));
    } else {
        if (st.unchanged)
            printf("%s: unchanged: this content was already imported (run %lld); %llu rows, "
                   "all present\n",
                   o->pos[1], (long long)st.run_id, (unsigned long long)st.rows);
        else
            printf("%s: imported as run %lld: %llu rows, %llu new labels, %llu already "
                   "present, %llu excluded, %llu warnings\n",
                   o->pos[1], (long long)st.run_id, (unsigned long long)st.rows,
                   (unsigned long long)st.labels_new, (unsigned long long)st.labels_known,
                   (unsigned long long)st.skipped, (unsigned long long)st.warnings);
        printf("source: %s\ncontent sha256: %s\ntime: %.1f s\naddresses per asset (this source):\n",
               st.source, st.content_sha256, secs);
        count_ctx cc = {.print = true};
        rc = cw_labels_count_by_asset(db, &f, on_count, &cc);
    }
    cw_labels_close(db);
    return rc ? cw_cli_fail("labels", rc) : ret;
}

/* ---- list ---- */

typedef struct list_ctx {
    json_t *arr;
    size_t n;
} list_ctx;

/* Prints s in a column of width characters (UTF-8 aware: cut and padded by code points). */
static void print_col(const char *s, int width)
{
    int n = 0;
    const char *p = s;
    while (*p && n < width) {
        p++;
        while ((*p & 0xc0) == 0x80)
            p++;
        n++;
    }
    fwrite(s, 1, (size_t)(p - s), stdout);
    for (; n < width; n++)
        fputc(' ', stdout);
    fputc(' ', stdout);
}

static int on_list(const cw_label *l, void *payload)
{
    list_ctx *c = payload;
    c->n++;
    if (c->arr)
        return json_array_append_new(c->arr, label_json(l)) ? CW_ENOMEM : 0;
    printf("%-16s %-5s %-44s ", l->category, l->asset[0] ? l->asset : "-", l->subject);
    print_col(l->entity, 32);
    printf("%-14s %-10s %.2f  %s\n", l->programs[0] ? l->programs : "-", l->date[0] ? l->date : "-",
           l->confidence, l->source);
    return 0;
}

static int open_ro(const opts *o, cw_labels **db)
{
    return cw_labels_open(db, o->db, CW_LABELS_READONLY);
}

static int do_list(const opts *o)
{
    if (o->n_pos != 0)
        return cw_cli_usage_error(&cw_cmd_labels, "list takes no arguments");
    cw_labels *db;
    int rc = open_ro(o, &db);
    if (rc)
        return cw_cli_fail("labels", rc);
    cw_label_filter f = {o->category, o->source, o->asset, o->program};
    list_ctx c = {.arr = o->json ? json_array() : NULL};
    if (!o->json)
        printf("%-16s %-5s %-44s %-32s %-14s %-10s %-5s %s\n", "CATEGORY", "ASSET", "SUBJECT",
               "ENTITY", "PROGRAMS", "DATE", "CONF", "SOURCE");
    rc = cw_labels_foreach(db, &f, on_list, &c);
    cw_labels_close(db);
    if (rc) {
        json_decref(c.arr);
        return cw_cli_fail("labels", rc);
    }
    if (o->json)
        return cw_cli_print_json(c.arr);
    printf("%zu labels\n", c.n);
    return CW_EXIT_OK;
}

/* ---- show ---- */

typedef struct show_ctx {
    cw_labels *db;
    json_t *arr;
    json_t *cur_prov;
    size_t n;
    int err;
} show_ctx;

static int on_prov(const cw_label_provenance *p, void *payload)
{
    show_ctx *c = payload;
    if (c->cur_prov) {
        json_array_append_new(
            c->cur_prov,
            json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "run", (json_int_t)p->run_id, "kind",
                      p->kind, "file", p->file, "file_sha256", p->file_sha256, "content_sha256",
                      p->content_sha256, "imported_at", p->imported_at, "location", p->location));
        return 0;
    }
    printf("  from:        run %lld (%s) %s, imported %s\n", (long long)p->run_id, p->kind, p->file,
           p->imported_at);
    printf("               file sha256 %s\n               content sha256 %s\n", p->file_sha256,
           p->content_sha256);
    printf("               at %s\n", p->location);
    return 0;
}

static int on_show(const cw_label *l, void *payload)
{
    show_ctx *c = payload;
    c->n++;
    if (c->arr) {
        json_t *j = label_json(l);
        c->cur_prov = json_array();
        int rc = cw_labels_provenance_foreach(c->db, l->id, on_prov, c);
        json_object_set_new(j, "provenance", c->cur_prov);
        c->cur_prov = NULL;
        json_array_append_new(c->arr, j);
        return rc;
    }
    printf("label %lld: %s %s%s%s\n", (long long)l->id, cw_label_subject_kind_name(l->subject_kind),
           l->asset, l->asset[0] ? " " : "", l->subject);
    printf("  entity:      %s", l->entity);
    if (l->entity_ref[0] || l->entity_type[0])
        printf(" (%s%s%s)", l->entity_ref, l->entity_ref[0] && l->entity_type[0] ? ", " : "",
               l->entity_type);
    printf("\n  category:    %s\n  confidence:  %.2f\n", l->category, l->confidence);
    if (l->programs[0])
        printf("  programmes:  %s\n", l->programs);
    if (l->date[0])
        printf("  date:        %s\n", l->date);
    printf("  source:      %s\n", l->source);
    return cw_labels_provenance_foreach(c->db, l->id, on_prov, c);
}

static int do_show(const opts *o)
{
    if (o->n_pos != 1)
        return cw_cli_usage_error(&cw_cmd_labels, "usage: labels show SUBJECT [--json]");
    cw_labels *db;
    int rc = open_ro(o, &db);
    if (rc)
        return cw_cli_fail("labels", rc);
    show_ctx c = {.db = db, .arr = o->json ? json_array() : NULL};
    rc = cw_labels_find_subject(db, o->pos[0], on_show, &c);
    cw_labels_close(db);
    if (rc < 0) {
        json_decref(c.arr);
        return cw_cli_fail("labels", rc);
    }
    if (c.n == 0) {
        json_decref(c.arr);
        cw_error_set(CW_ENOTFOUND, "no label for '%s'", o->pos[0]);
        return cw_cli_fail("labels", CW_ENOTFOUND);
    }
    if (o->json)
        return cw_cli_print_json(json_pack("{s:s, s:o}", "subject", o->pos[0], "labels", c.arr));
    return CW_EXIT_OK;
}

/* ---- count ---- */

static int do_count(const opts *o)
{
    if (o->n_pos != 0)
        return cw_cli_usage_error(&cw_cmd_labels, "count takes no arguments");
    cw_labels *db;
    int rc = open_ro(o, &db);
    if (rc)
        return cw_cli_fail("labels", rc);
    cw_label_filter f = {o->category, o->source, o->asset, o->program};
    count_ctx cc = {.obj = o->json ? json_object() : NULL, .print = !o->json};
    cw_labels_totals t = {0};
    rc = cw_labels_count_by_asset(db, &f, on_count, &cc);
    if (!rc)
        rc = cw_labels_totals_get(db, &t);
    cw_labels_close(db);
    if (rc) {
        json_decref(cc.obj);
        return cw_cli_fail("labels", rc);
    }
    if (o->json)
        return cw_cli_print_json(json_pack("{s:o, s:I, s:I, s:I, s:I}", "addresses_per_asset",
                                           cc.obj, "labels", (json_int_t)t.labels, "entities",
                                           (json_int_t)t.entities, "provenance",
                                           (json_int_t)t.provenance, "runs", (json_int_t)t.runs));
    printf("store: %lld labels, %lld entities, %lld provenance records, %lld import runs\n",
           (long long)t.labels, (long long)t.entities, (long long)t.provenance, (long long)t.runs);
    return CW_EXIT_OK;
}

static int run(int argc, char **argv)
{
    if (argc < 2)
        return cw_cli_usage_error(&cw_cmd_labels, "missing subcommand (import, list, show, count)");
    opts o;
    int rc = parse_opts(&o, argc, argv);
    if (rc)
        return rc;
    const char *sub = argv[1];
    if (!strcmp(sub, "import"))
        return do_import(&o);
    if (!strcmp(sub, "list"))
        return do_list(&o);
    if (!strcmp(sub, "show"))
        return do_show(&o);
    if (!strcmp(sub, "count"))
        return do_count(&o);
    return cw_cli_usage_error(&cw_cmd_labels, "unknown subcommand '%s'", sub);
}

const cw_command cw_cmd_labels = {
    "labels", "entity labels and watchlists (OFAC SDN, label CSV files)",
    "Usage: chainwatch labels import KIND FILE [--db PATH] [--source TEXT] [--exclude C,...]\n"
    "                                [--quiet] [--json]\n"
    "       chainwatch labels list [--category C] [--source S] [--asset A] [--program P] "
    "[--json]\n"
    "       chainwatch labels show SUBJECT [--json]\n"
    "       chainwatch labels count [--category C] [--source S] [--asset A] [--program P] "
    "[--json]\n"
    "\n"
    "The label store is an SQLite database: --db PATH, else $CHAINWATCH_LABELS_DB, else\n"
    "./labels.db. See docs/LABELS.md for the schema and file formats.\n"
    "\n"
    "import KIND FILE   adds the labels of FILE in one transaction (all or nothing). KIND:\n"
    "    ofac-xml    OFAC sdn_advanced.xml (.xml or .xml.bz2): its digital currency addresses\n"
    "    ofac-csv    OFAC SDN.CSV (addresses in the Remarks field)\n"
    "    csv         a label CSV with a header (subject/address, entity, category, ...)\n"
    "    gen-truth   a generated world's ground truth (address,entity,category CSV)\n"
    "  Importing the same content again changes nothing. --source overrides the source text.\n"
    "  --exclude leaves rows of these categories out (gen-truth: --exclude individual leaves\n"
    "  the world's users unlabelled, as an investigator would have them).\n"
    "  Warnings (odd addresses, kept as published) go to stderr; --quiet hides them.\n"
    "list               labels matching the filters (--source: case-insensitive substring;\n"
    "                   --program: one sanctions programme such as DPRK3)\n"
    "show SUBJECT       every label of an address, cluster id, entity name or entity\n"
    "                   reference (ofac:27307), with provenance\n"
    "count              distinct addresses per asset matching the filters, and store totals\n"
    "\n"
    "Exit codes: 0 success, 1 failure (bad input file: the message names file and line),\n"
    "2 usage error, 3 not found (show: no label; list/show/count: no store).\n",
    run};
