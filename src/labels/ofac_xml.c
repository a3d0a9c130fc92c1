/*
 * ofac_xml.c: OFAC's sdn_advanced.xml, streamed with libxml2's xmlTextReader (the file is
 * 121 MB; we keep only the parties that carry digital currency addresses).
 *
 * What is read (local names; the namespace is OFAC's ADVANCED_XML one):
 *   DateOfIssue/{Year,Month,Day}                          -> source "OFAC SDN sdn_advanced.xml
 *                                                            published YYYY-MM-DD"
 *   ReferenceValueSets/FeatureTypeValues/FeatureType      -> ID of each "Digital Currency
 *                                                            Address - <ASSET>"
 *   ReferenceValueSets/PartySubType, PartyType            -> "Entity", "Individual", ...
 *   DistinctParty[@FixedRef]/Profile[@PartySubTypeID]     -> entity_ref "ofac:<FixedRef>"
 *     Identity/Alias[@Primary='true']/DocumentedName[1]/DocumentedNamePart/NamePartValue
 *                                                         -> entity name (parts joined by ' ';
 *                                                            later DocumentedNames repeat it
 *                                                            in other scripts)
 *     Feature[@FeatureTypeID = a digital currency type]/FeatureVersion/VersionDetail
 *                                                         -> one address label
 *   SanctionsEntries/SanctionsEntry[@ProfileID]
 *     EntryEvent/Date                                     -> label date (designation date)
 *     SanctionsMeasure[@SanctionsTypeID='1']/Comment      -> programmes (DPRK3, CYBER2, ...)
 * SanctionsEntries come after all parties, so rows are emitted once the document has been
 * read completely: a truncated file gives an error and no rows.
 * External entities and network access are disabled (XML_PARSE_NONET, no NOENT).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlreader.h>
#include <xxhash.h>

#include "chainwatch/errors.h"
#include "labels/labels_int.h"
#include "util/u64map.h"

typedef struct id_name {
    long id;
    long ref;      /* PartySubType: its PartyTypeID */
    char name[48]; /* asset code or party type name */
} id_name;

typedef struct party {
    char *ref;  /* FixedRef */
    char *name; /* primary name */
    char type[48];
    cw_buf programs; /* raw, ';'-separated, normalised at the end */
    char date[16];
    bool has_entry;
} party;

typedef struct feature {
    size_t party; /* index into parties */
    char asset[16];
    char *addr;
    char *loc;
} feature;

typedef struct xstate {
    cw_labels__pctx *pc;
    xmlTextReaderPtr rd;
    char xml_error[512];
    int xml_error_line;
    /* reference values */
    id_name *assets, *subtypes, *types;
    size_t n_assets, n_subtypes, n_types, cap_assets, cap_subtypes, cap_types;
    /* parties with addresses, features */
    party *parties;
    size_t n_parties, cap_parties;
    cw_u64map party_of_ref; /* XXH3 of a FixedRef -> index into parties (a multimap) */
    feature *features;
    size_t n_features, cap_features;
    /* document */
    bool seen_root, in_doi;
    int doi[3]; /* year, month, day of DateOfIssue */
    /* current party */
    bool in_party, in_primary_alias, name_done;
    char *cur_ref;
    long cur_subtype;
    cw_buf cur_name;
    size_t cur_first_feature; /* features of the current party start here */
    long cur_feature_asset;   /* index into assets, or -1 */
    char cur_feature_id[32];
    /* current sanctions entry */
    long entry_party; /* index into parties, or -1 */
    bool in_event, in_event_date, in_program_measure, entry_date_done;
    int ev[3];
} xstate;

static void xml_error_cb(void *arg, xmlErrorPtr err)
{
    xstate *x = arg;
    if (!err || err->level < XML_ERR_ERROR || x->xml_error[0])
        return;
    snprintf(x->xml_error, sizeof x->xml_error, "%s", err->message ? err->message : "error");
    size_t n = strlen(x->xml_error);
    while (n && (x->xml_error[n - 1] == '\n' || x->xml_error[n - 1] == ' '))
        x->xml_error[--n] = 0;
    x->xml_error_line = err->line;
}

/* Line of the current node (the parser itself may be ahead, reading in chunks). */
static int node_line(xmlTextReaderPtr rd)
{
    xmlNodePtr node = xmlTextReaderCurrentNode(rd);
    long line = node ? xmlGetLineNo(node) : -1;
    return line > 0 ? (int)line : xmlTextReaderGetParserLineNumber(rd);
}

static const char *lname(xmlTextReaderPtr rd)
{
    const xmlChar *n = xmlTextReaderConstLocalName(rd);
    return n ? (const char *)n : "";
}

/* Attribute value as a new string (caller frees with xmlFree), or NULL. */
static char *attr(xmlTextReaderPtr rd, const char *name)
{
    return (char *)xmlTextReaderGetAttribute(rd, (const xmlChar *)name);
}

static bool attr_long(xmlTextReaderPtr rd, const char *name, long *out)
{
    char *v = attr(rd, name);
    int64_t i;
    bool ok = v && cw_parse_i64(&i, v) == 0;
    if (ok)
        *out = (long)i;
    xmlFree(v);
    return ok;
}

static bool attr_is(xmlTextReaderPtr rd, const char *name, const char *want)
{
    char *v = attr(rd, name);
    bool ok = v && !strcmp(v, want);
    xmlFree(v);
    return ok;
}

/* Text content of the current element (trimmed), as a new string (free with xmlFree). */
static char *text(xmlTextReaderPtr rd)
{
    char *s = (char *)xmlTextReaderReadString(rd);
    if (!s)
        return NULL;
    size_t n = strlen(s), i = 0;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == '\t'))
        s[--n] = 0;
    while (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')
        i++;
    if (i)
        memmove(s, s + i, n - i + 1);
    return s;
}

static int text_int(xmlTextReaderPtr rd)
{
    char *s = text(rd);
    int64_t v = 0;
    if (!s || cw_parse_i64(&v, s) || v < 0 || v > 9999)
        v = 0;
    xmlFree(s);
    return (int)v;
}

static long find_id(const id_name *a, size_t n, long id)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].id == id)
            return (long)i;
    return -1;
}

static int add_id_name(id_name **arr, size_t *n, size_t *cap, long id, long ref, const char *name)
{
    int rc = cw_grow(arr, cap, *n + 1, sizeof **arr, 16);
    if (rc)
        return rc;
    id_name *e = &(*arr)[(*n)++];
    e->id = id;
    e->ref = ref;
    snprintf(e->name, sizeof e->name, "%s", name);
    return 0;
}

/* The first party with this FixedRef, or -1: a hash lookup, not a scan of the parties per
 * SanctionsEntry (quadratic on a hostile file). The smallest index of the matches, as the scan
 * gave: a rehash may reorder the values of one key. */
static long find_party(const xstate *x, const char *ref)
{
    uint64_t cursor = 0, i;
    long best = -1;
    while (cw_u64map_next(&x->party_of_ref, XXH3_64bits(ref, strlen(ref)), &cursor, &i))
        if (!strcmp(x->parties[i].ref, ref) && (best < 0 || (long)i < best))
            best = (long)i;
    return best;
}

/* Start of an element. */
static int on_start(xstate *x)
{
    xmlTextReaderPtr rd = x->rd;
    const char *n = lname(rd);
    int depth = xmlTextReaderDepth(rd);
    bool empty = xmlTextReaderIsEmptyElement(rd) == 1;
    int rc = 0;

    if (depth == 0) {
        if (strcmp(n, "Sanctions") != 0)
            return cw_error_set(CW_ECORRUPT,
                                "%s: line %d: root element is <%s>, not <Sanctions> "
                                "(is this OFAC's sdn_advanced.xml?)",
                                x->pc->name, node_line(rd), n);
        x->seen_root = true;
        return 0;
    }
    if (depth == 1) {
        /* Large sections we do not need: skip them without per-node work. */
        if (!strcmp(n, "Locations") || !strcmp(n, "IDRegDocuments") ||
            !strcmp(n, "ProfileRelationships"))
            return 1;
        if (!strcmp(n, "DateOfIssue") && !empty)
            x->in_doi = true;
        return 0;
    }
    if (!strcmp(n, "Year") || !strcmp(n, "Month") || !strcmp(n, "Day")) {
        int idx = n[0] == 'Y' ? 0 : n[0] == 'M' ? 1 : 2;
        if (x->in_doi && depth == 2) {
            x->doi[idx] = text_int(rd); /* DateOfIssue/Year... */
        } else if (x->in_event_date) {
            x->ev[idx] = text_int(rd);
        }
        return 0;
    }
    if (!strcmp(n, "FeatureType")) {
        long id;
        char *t = text(rd);
        static const char pre[] = "Digital Currency Address - ";
        if (t && attr_long(rd, "ID", &id) && !strncmp(t, pre, sizeof pre - 1)) {
            const char *asset = t + sizeof pre - 1;
            if (!asset[0] || strlen(asset) >= 16)
                rc = cw_error_set(CW_ECORRUPT,
                                  "%s: line %d: FeatureType '%s' has a bad asset "
                                  "code",
                                  x->pc->name, node_line(rd), t);
            else
                rc = add_id_name(&x->assets, &x->n_assets, &x->cap_assets, id, 0, asset);
        }
        xmlFree(t);
        return rc;
    }
    if (!strcmp(n, "PartySubType") || !strcmp(n, "PartyType")) {
        long id, ref = 0;
        char *t = text(rd);
        bool sub = !strcmp(n, "PartySubType");
        if (t && attr_long(rd, "ID", &id) && (!sub || attr_long(rd, "PartyTypeID", &ref))) {
            if (sub)
                rc = add_id_name(&x->subtypes, &x->n_subtypes, &x->cap_subtypes, id, ref, t);
            else
                rc = add_id_name(&x->types, &x->n_types, &x->cap_types, id, 0, t);
        }
        xmlFree(t);
        return rc;
    }
    if (!strcmp(n, "DistinctParty") && !empty) {
        x->in_party = true;
        x->name_done = false;
        x->in_primary_alias = false;
        x->cur_name.len = 0;
        x->cur_subtype = -1;
        x->cur_feature_asset = -1;
        x->cur_first_feature = x->n_features;
        xmlFree(x->cur_ref);
        x->cur_ref = attr(rd, "FixedRef");
        if (!x->cur_ref)
            return cw_error_set(CW_ECORRUPT, "%s: line %d: DistinctParty without FixedRef",
                                x->pc->name, node_line(rd));
        return 0;
    }
    if (x->in_party) {
        if (!strcmp(n, "Profile")) {
            (void)attr_long(rd, "PartySubTypeID", &x->cur_subtype);
        } else if (!strcmp(n, "Alias") && !empty && !x->name_done &&
                   attr_is(rd, "Primary", "true")) {
            x->in_primary_alias = true;
        } else if (!strcmp(n, "NamePartValue") && x->in_primary_alias) {
            char *t = text(rd);
            if (t && t[0]) {
                if (x->cur_name.len)
                    rc = cw_buf_append(&x->cur_name, " ", 1);
                if (!rc)
                    rc = cw_buf_append(&x->cur_name, t, strlen(t));
            }
            xmlFree(t);
        } else if (!strcmp(n, "Feature") && !empty) {
            long type;
            x->cur_feature_asset = -1;
            if (attr_long(rd, "FeatureTypeID", &type))
                x->cur_feature_asset = find_id(x->assets, x->n_assets, type);
            char *id = attr(rd, "ID");
            snprintf(x->cur_feature_id, sizeof x->cur_feature_id, "%s", id ? id : "?");
            xmlFree(id);
        } else if (!strcmp(n, "VersionDetail") && x->cur_feature_asset >= 0) {
            char *t = text(rd);
            int line = node_line(rd);
            if (!t || !t[0]) {
                rc = cw_error_set(CW_ECORRUPT,
                                  "%s: line %d: DistinctParty %s: Feature %s: "
                                  "empty digital currency address",
                                  x->pc->name, line, x->cur_ref, x->cur_feature_id);
            } else if (!(rc = cw_grow(&x->features, &x->cap_features, x->n_features + 1,
                                      sizeof *x->features, 16))) {
                feature *f = &x->features[x->n_features];
                memset(f, 0, sizeof *f);
                f->party = x->n_parties; /* the party is appended when it ends */
                memcpy(f->asset, x->assets[x->cur_feature_asset].name, sizeof f->asset - 1);
                f->addr = cw_strdup(t);
                cw_buf loc = {0};
                if (cw_buf_printf(&loc,
                                  "line %d: DistinctParty[@FixedRef='%s']/Profile/"
                                  "Feature[@ID='%s']/FeatureVersion/VersionDetail",
                                  line, x->cur_ref, x->cur_feature_id) == 0)
                    f->loc = (char *)loc.data;
                if (!f->addr || !f->loc) {
                    cw_free(f->addr);
                    cw_free(f->loc);
                    rc = cw_error_set(CW_ENOMEM, "out of memory");
                } else {
                    x->n_features++;
                }
            }
            xmlFree(t);
        }
        return rc;
    }
    if (!strcmp(n, "SanctionsEntry") && !empty) {
        long pid;
        x->entry_party = -1;
        x->entry_date_done = false;
        if (attr_long(rd, "ProfileID", &pid)) {
            char ref[32];
            snprintf(ref, sizeof ref, "%ld", pid);
            x->entry_party = find_party(x, ref);
        }
        if (x->entry_party < 0) /* a party without addresses: skip the entry */
            return 1;
        x->parties[x->entry_party].has_entry = true;
        return 0;
    }
    if (x->entry_party >= 0) {
        if (!strcmp(n, "EntryEvent") && !empty && !x->entry_date_done) {
            x->in_event = true;
        } else if (!strcmp(n, "Date") && x->in_event && !empty) {
            x->in_event_date = true;
            x->ev[0] = x->ev[1] = x->ev[2] = 0;
        } else if (!strcmp(n, "SanctionsMeasure") && !empty) {
            x->in_program_measure = attr_is(rd, "SanctionsTypeID", "1");
        } else if (!strcmp(n, "Comment") && x->in_program_measure) {
            char *t = text(rd);
            party *p = &x->parties[x->entry_party];
            if (t && t[0]) {
                if (p->programs.len)
                    rc = cw_buf_append(&p->programs, ";", 1);
                if (!rc)
                    rc = cw_buf_append(&p->programs, t, strlen(t));
            }
            xmlFree(t);
        }
    }
    return rc;
}

static const char *party_type_name(const xstate *x, long subtype)
{
    long si = find_id(x->subtypes, x->n_subtypes, subtype);
    if (si < 0)
        return "";
    long ti = find_id(x->types, x->n_types, x->subtypes[si].ref);
    return ti < 0 ? "" : x->types[ti].name;
}

/* End of an element. */
static int on_end(xstate *x)
{
    const char *n = lname(x->rd);
    if (x->in_doi && !strcmp(n, "DateOfIssue"))
        x->in_doi = false;
    if (x->in_party) {
        /* Only the primary alias's first DocumentedName (Latin script); further ones give
         * the same name in other scripts. */
        if ((!strcmp(n, "Alias") || !strcmp(n, "DocumentedName")) && x->in_primary_alias &&
            (x->cur_name.len || n[0] == 'A')) {
            x->in_primary_alias = false;
            x->name_done = x->cur_name.len > 0;
        } else if (!strcmp(n, "Feature")) {
            x->cur_feature_asset = -1;
        } else if (!strcmp(n, "DistinctParty")) {
            x->in_party = false;
            if (x->n_features == x->cur_first_feature)
                return 0; /* no addresses: forget the party */
            if (!x->cur_name.len)
                return cw_error_set(CW_ECORRUPT,
                                    "%s: line %d: DistinctParty %s has digital "
                                    "currency addresses but no primary name",
                                    x->pc->name, node_line(x->rd), x->cur_ref);
            int rc =
                cw_grow(&x->parties, &x->cap_parties, x->n_parties + 1, sizeof *x->parties, 16);
            if (rc)
                return rc;
            party *p = &x->parties[x->n_parties];
            memset(p, 0, sizeof *p);
            p->ref = cw_strdup(x->cur_ref);
            p->name = cw_strdup((const char *)x->cur_name.data);
            snprintf(p->type, sizeof p->type, "%s", party_type_name(x, x->cur_subtype));
            x->n_parties++;
            if (!p->ref || !p->name)
                return cw_error_set(CW_ENOMEM, "out of memory");
            if ((rc = cw_u64map_put(&x->party_of_ref, XXH3_64bits(p->ref, strlen(p->ref)),
                                    x->n_parties - 1)))
                return rc;
        }
        return 0;
    }
    if (x->entry_party >= 0) {
        if (!strcmp(n, "Date") && x->in_event_date) {
            x->in_event_date = false;
            party *p = &x->parties[x->entry_party];
            if (x->ev[0] && x->ev[1] && x->ev[2] && !p->date[0])
                snprintf(p->date, sizeof p->date, "%04d-%02d-%02d", x->ev[0], x->ev[1], x->ev[2]);
        } else if (!strcmp(n, "EntryEvent")) {
            x->in_event = false;
            x->entry_date_done = true;
        } else if (!strcmp(n, "SanctionsMeasure")) {
            x->in_program_measure = false;
        } else if (!strcmp(n, "SanctionsEntry")) {
            x->entry_party = -1;
        }
    }
    return 0;
}

static int emit(xstate *x, cw_label_row_cb cb, void *payload)
{
    cw_buf src = {0}, progs = {0};
    int rc;
    if (!x->doi[0] || !x->doi[1] || !x->doi[2]) {
        rc = cw_error_set(CW_ECORRUPT, "%s: no DateOfIssue: not a complete sdn_advanced.xml",
                          x->pc->name);
        goto out;
    }
    if (!x->n_assets) {
        rc = cw_error_set(CW_ECORRUPT,
                          "%s: no 'Digital Currency Address' feature types in "
                          "ReferenceValueSets",
                          x->pc->name);
        goto out;
    }
    if ((rc = cw_buf_printf(&src, "OFAC SDN sdn_advanced.xml published %04d-%02d-%02d",
                            x->doi[0] % 10000, x->doi[1] % 100, x->doi[2] % 100)))
        goto out;
    for (size_t i = 0; i < x->n_parties; i++) {
        party *p = &x->parties[i];
        if (!p->has_entry)
            cw_labels__warn(x->pc,
                            "%s: DistinctParty %s (%s) has no SanctionsEntry: no "
                            "programmes or date",
                            x->pc->name, p->ref, p->name);
    }
    for (size_t i = 0; i < x->n_features; i++) {
        feature *f = &x->features[i];
        party *p = &x->parties[f->party];
        bool truncated;
        const char *problem = cw_labels__address_problem(f->asset, f->addr, &truncated);
        if (problem)
            cw_labels__warn(x->pc, "%s: %s: %s address '%s' (%s): %s; kept as published",
                            x->pc->name, f->loc, f->asset, f->addr, p->name, problem);
        if ((rc = cw_labels__programs_normalize(
                 &progs, p->programs.data ? (const char *)p->programs.data : "", ";")))
            goto out;
        char ref[64];
        snprintf(ref, sizeof ref, "ofac:%s", p->ref);
        cw_label_row row = {
            .subject_kind = CW_SUBJECT_ADDRESS,
            .asset = f->asset,
            .subject = f->addr,
            .entity = p->name,
            .entity_ref = ref,
            .entity_type = p->type,
            .category = "sanctioned",
            .source = (const char *)src.data,
            .date = p->date,
            .confidence = 1.0,
            .programs = (const char *)progs.data,
            .location = f->loc,
        };
        if ((rc = cb(&row, payload)) != 0)
            goto out;
    }
out:
    cw_buf_deinit(&src);
    cw_buf_deinit(&progs);
    return rc;
}

static void xstate_free(xstate *x)
{
    for (size_t i = 0; i < x->n_parties; i++) {
        cw_free(x->parties[i].ref);
        cw_free(x->parties[i].name);
        cw_buf_deinit(&x->parties[i].programs);
    }
    for (size_t i = 0; i < x->n_features; i++) {
        cw_free(x->features[i].addr);
        cw_free(x->features[i].loc);
    }
    cw_free(x->parties);
    cw_u64map_deinit(&x->party_of_ref);
    cw_free(x->features);
    cw_free(x->assets);
    cw_free(x->subtypes);
    cw_free(x->types);
    cw_buf_deinit(&x->cur_name);
    xmlFree(x->cur_ref);
}

static int run_reader(xmlTextReaderPtr rd, cw_labels__pctx *pc, cw_label_row_cb cb, void *payload)
{
    xstate x;
    memset(&x, 0, sizeof x);
    x.pc = pc;
    x.rd = rd;
    x.entry_party = -1;
    x.cur_feature_asset = -1;
    int rc = 0, r;
    if (!rd)
        return cw_error_set(CW_ENOMEM, "%s: cannot create an XML reader", pc->name);
    xmlTextReaderSetStructuredErrorHandler(rd, xml_error_cb, &x);
    r = xmlTextReaderRead(rd);
    while (r == 1) {
        switch (xmlTextReaderNodeType(rd)) {
        case XML_READER_TYPE_ELEMENT:
            rc = on_start(&x);
            break;
        case XML_READER_TYPE_END_ELEMENT:
            rc = on_end(&x);
            break;
        default:
            break;
        }
        if (rc < 0)
            break;
        if (rc == 1) {
            /* Skip the element's subtree; the reader then stands on the next node. */
            rc = 0;
            r = xmlTextReaderNext(rd);
        } else {
            r = xmlTextReaderRead(rd);
        }
    }
    if (!rc && (r < 0 || x.xml_error[0])) {
        if (x.xml_error[0])
            rc = cw_error_set(CW_ECORRUPT, "%s: line %d: malformed or truncated XML: %s", pc->name,
                              x.xml_error_line, x.xml_error);
        else
            rc = cw_error_set(CW_ECORRUPT, "%s: line %d: malformed or truncated XML", pc->name,
                              xmlTextReaderGetParserLineNumber(rd));
    }
    if (!rc && !x.seen_root)
        rc = cw_error_set(CW_ECORRUPT, "%s: no XML document", pc->name);
    if (!rc)
        rc = emit(&x, cb, payload);
    xmlFreeTextReader(rd);
    xstate_free(&x);
    return rc;
}

static const int XML_OPTS =
    XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_COMPACT | XML_PARSE_BIG_LINES;

int cw_labels__parse_ofac_xml_mem(const void *data, size_t len, cw_labels__pctx *pc,
                                  cw_label_row_cb cb, void *payload)
{
    if (len > (size_t)INT32_MAX)
        return cw_error_set(CW_EINVAL, "%s: too large for an in-memory parse", pc->name);
    xmlTextReaderPtr rd = xmlReaderForMemory(data, (int)len, NULL, NULL, XML_OPTS);
    return run_reader(rd, pc, cb, payload);
}

int cw_labels__parse_ofac_xml_io(int (*read_fn)(void *ctx, char *buf, int len), void *ctx,
                                 cw_labels__pctx *pc, cw_label_row_cb cb, void *payload)
{
    xmlTextReaderPtr rd = xmlReaderForIO(read_fn, NULL, ctx, NULL, NULL, XML_OPTS);
    return run_reader(rd, pc, cb, payload);
}
