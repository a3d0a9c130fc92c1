/*
 * test_labels.c: the label store and its parsers on small hand-made inputs whose right answers
 * are written here by hand: address keys, a miniature sdn_advanced.xml, a hand-made SDN.CSV in
 * OFAC's published layout, plain label CSV files, idempotent re-import, and bad input (the
 * error names the file and line, and the store is left unchanged).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "chainwatch/errors.h"
#include "chainwatch/labels.h"
#include "chainwatch/util.h"
#include "harness.h"

static char *tmp_path(const char *name)
{
    static char buf[8][512];
    static int i;
    char *p = buf[i++ % 8];
    snprintf(p, 512, "%s/%s", cw_test_tmpdir(), name);
    return p;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(1);
    }
    fwrite(text, 1, strlen(text), f);
    fclose(f);
}

/* Collects labels: the last one seen and a count. */
typedef struct seen {
    int n;
    char entity[128], programs[64], date[16], category[32], source[160], subject[128],
        entity_ref[32], entity_type[32], asset[16];
    double confidence;
    int64_t id;
} seen;

static int collect(const cw_label *l, void *payload)
{
    seen *s = payload;
    s->n++;
    snprintf(s->entity, sizeof s->entity, "%s", l->entity);
    snprintf(s->programs, sizeof s->programs, "%s", l->programs);
    snprintf(s->date, sizeof s->date, "%s", l->date);
    snprintf(s->category, sizeof s->category, "%s", l->category);
    snprintf(s->source, sizeof s->source, "%s", l->source);
    snprintf(s->subject, sizeof s->subject, "%s", l->subject);
    snprintf(s->entity_ref, sizeof s->entity_ref, "%s", l->entity_ref);
    snprintf(s->entity_type, sizeof s->entity_type, "%s", l->entity_type);
    snprintf(s->asset, sizeof s->asset, "%s", l->asset);
    s->confidence = l->confidence;
    s->id = l->id;
    return 0;
}

typedef struct addr_seen {
    int n;
    char subjects[512];
} addr_seen;

static int collect_addr(const cw_label_addr *l, void *payload)
{
    addr_seen *s = payload;
    size_t o = strlen(s->subjects);
    snprintf(s->subjects + o, sizeof s->subjects - o, "%s/%s/%s;", l->subject_key, l->entity,
             l->category);
    s->n++;
    return 0;
}

typedef struct prov_seen {
    int n;
    char location[256], kind[16], content_sha256[65];
} prov_seen;

static int collect_prov(const cw_label_provenance *p, void *payload)
{
    prov_seen *s = payload;
    s->n++;
    snprintf(s->location, sizeof s->location, "%s", p->location);
    snprintf(s->kind, sizeof s->kind, "%s", p->kind);
    snprintf(s->content_sha256, sizeof s->content_sha256, "%s", p->content_sha256);
    return 0;
}

static cw_labels_totals totals(cw_labels *db)
{
    cw_labels_totals t = {0};
    CHECK_EQ_INT(cw_labels_totals_get(db, &t), 0);
    return t;
}

static void test_address_key(void)
{
    char k[300];
    CHECK_EQ_INT(cw_label_address_key(k, sizeof k, "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"),
                 0);
    CHECK_EQ_STR(k, "0x098b716b8aaf21512996dc57eb0615e2383e2f96");
    CHECK_EQ_INT(cw_label_address_key(k, sizeof k, " BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ "),
                 0);
    CHECK_EQ_STR(k, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq");
    /* base58 is case-sensitive: kept as is */
    CHECK_EQ_INT(cw_label_address_key(k, sizeof k, "1H939dom7i4WDLCKyGbXUp3fs9CSTNRzgL"), 0);
    CHECK_EQ_STR(k, "1H939dom7i4WDLCKyGbXUp3fs9CSTNRzgL");
    CHECK(cw_label_address_key(k, sizeof k, "") == CW_EINVAL);
    CHECK(cw_label_address_key(k, sizeof k, "1abc def") == CW_EINVAL);
    CHECK(cw_label_category_valid("exchange_deposit"));
    CHECK(cw_label_category_valid("sanctioned"));
    CHECK(!cw_label_category_valid("Sanctioned"));
    CHECK(!cw_label_category_valid("villain"));
}

/* A miniature sdn_advanced.xml with OFAC's structure: two FeatureTypes for currencies, one
 * party with two ETH addresses (one listed twice, as OFAC does) and one XBT address, one party
 * without addresses, and SanctionsEntries after the parties. */
static const char *const MINI_XML_PARTS[] = {
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n",
    "<Sanctions xmlns=\"https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/"
    "exports/ADVANCED_XML\">\n",
    "  <DateOfIssue "
    "CalendarTypeID=\"1\"><Year>2025</Year><Month>11</Month><Day>19</Day></DateOfIssue>\n",
    "  <ReferenceValueSets>\n",
    "    <FeatureTypeValues>\n",
    "      <FeatureType ID=\"25\" FeatureTypeGroupID=\"1\">Location</FeatureType>\n",
    "      <FeatureType ID=\"344\" FeatureTypeGroupID=\"1\">Digital Currency Address - "
    "XBT</FeatureType>\n",
    "      <FeatureType ID=\"345\" FeatureTypeGroupID=\"1\">Digital Currency Address - "
    "ETH</FeatureType>\n",
    "    </FeatureTypeValues>\n",
    "    <PartySubTypeValues><PartySubType ID=\"3\" PartyTypeID=\"2\">Unknown</PartySubType>"
    "<PartySubType ID=\"4\" PartyTypeID=\"1\">Unknown</PartySubType></PartySubTypeValues>\n",
    "    <PartyTypeValues><PartyType ID=\"1\">Individual</PartyType><PartyType "
    "ID=\"2\">Entity</PartyType></PartyTypeValues>\n",
    "  </ReferenceValueSets>\n",
    "  <Locations><Location ID=\"1\"><Comment/></Location></Locations>\n",
    "  <DistinctParties>\n",
    "    <DistinctParty FixedRef=\"27307\">\n",
    "      <Comment />\n",
    "      <Profile ID=\"27307\" PartySubTypeID=\"3\">\n",
    "        <Identity ID=\"1\" FixedRef=\"27307\" Primary=\"true\" False=\"false\">\n",
    "          <Alias FixedRef=\"27307\" AliasTypeID=\"1400\" Primary=\"false\" "
    "LowQuality=\"true\">\n",
    "            <DocumentedName ID=\"2\"><DocumentedNamePart><NamePartValue>Hidden "
    "Cobra</NamePartValue></DocumentedNamePart></DocumentedName>\n",
    "          </Alias>\n",
    "          <Alias FixedRef=\"27307\" AliasTypeID=\"1403\" Primary=\"true\" "
    "LowQuality=\"false\">\n",
    "            <DocumentedName ID=\"1\"><DocumentedNamePart><NamePartValue>Lazarus "
    "Group</NamePartValue></DocumentedNamePart></DocumentedName>\n",
    "          </Alias>\n",
    "        </Identity>\n",
    "        <Feature ID=\"50215\" FeatureTypeID=\"345\">\n",
    "          <FeatureVersion ID=\"1\"><Comment /><VersionDetail "
    "DetailTypeID=\"1432\">0x098B716B8Aaf21512996dC57EB0615e2383E2f96</VersionDetail></"
    "FeatureVersion>\n",
    "        </Feature>\n",
    "        <Feature ID=\"50216\" FeatureTypeID=\"345\">\n",
    "          <FeatureVersion ID=\"2\"><Comment /><VersionDetail "
    "DetailTypeID=\"1432\">0x098b716b8aaf21512996dc57eb0615e2383e2f96</VersionDetail></"
    "FeatureVersion>\n",
    "        </Feature>\n",
    "        <Feature ID=\"50217\" FeatureTypeID=\"25\">\n",
    "          <FeatureVersion ID=\"3\"><VersionLocation LocationID=\"1\" /></FeatureVersion>\n",
    "        </Feature>\n",
    "      </Profile>\n",
    "    </DistinctParty>\n",
    "    <DistinctParty FixedRef=\"100\">\n",
    "      <Profile ID=\"100\" PartySubTypeID=\"4\">\n",
    "        <Identity ID=\"9\" FixedRef=\"100\" Primary=\"true\" False=\"false\">\n",
    "          <Alias FixedRef=\"100\" AliasTypeID=\"1403\" Primary=\"true\" "
    "LowQuality=\"false\">\n",
    "            <DocumentedName "
    "ID=\"7\"><DocumentedNamePart><NamePartValue>Smith</NamePartValue></DocumentedNamePart></"
    "DocumentedName>\n",
    "          </Alias>\n",
    "        </Identity>\n",
    "      </Profile>\n",
    "    </DistinctParty>\n",
    "    <DistinctParty FixedRef=\"28263\">\n",
    "      <Profile ID=\"28263\" PartySubTypeID=\"4\">\n",
    "        <Identity ID=\"5\" FixedRef=\"28263\" Primary=\"true\" False=\"false\">\n",
    "          <Alias FixedRef=\"28263\" AliasTypeID=\"1403\" Primary=\"true\" "
    "LowQuality=\"false\">\n",
    "            <DocumentedName "
    "ID=\"5\"><DocumentedNamePart><NamePartValue>Tian</NamePartValue></DocumentedNamePart>"
    "<DocumentedNamePart><NamePartValue>Yinyin</NamePartValue></DocumentedNamePart></"
    "DocumentedName>\n",
    "            <DocumentedName "
    "ID=\"6\"><DocumentedNamePart><NamePartValue>\xe7\x94\xb0</NamePartValue></"
    "DocumentedNamePart></DocumentedName>\n",
    "          </Alias>\n",
    "        </Identity>\n",
    "        <Feature ID=\"40001\" FeatureTypeID=\"344\">\n",
    "          <FeatureVersion ID=\"4\"><VersionDetail "
    "DetailTypeID=\"1432\">134r8iHv69xdT6p5qVKTsHrcUEuBVZAYak</VersionDetail></FeatureVersion>\n",
    "        </Feature>\n",
    "      </Profile>\n",
    "    </DistinctParty>\n",
    "  </DistinctParties>\n",
    "  <SanctionsEntries>\n",
    "    <SanctionsEntry ID=\"100\" ProfileID=\"100\" ListID=\"1550\">\n",
    "      <EntryEvent "
    "ID=\"1\"><Date><Year>2001</Year><Month>1</Month><Day>1</Day></Date></EntryEvent>\n",
    "      <SanctionsMeasure ID=\"1\" "
    "SanctionsTypeID=\"1\"><Comment>SDGT</Comment></SanctionsMeasure>\n",
    "    </SanctionsEntry>\n",
    "    <SanctionsEntry ID=\"27307\" ProfileID=\"27307\" ListID=\"1550\">\n",
    "      <EntryEvent ID=\"27307\" EntryEventTypeID=\"1\"><Comment /><Date "
    "CalendarTypeID=\"1\"><Year>2019</Year><Month>9</Month><Day>13</Day></Date></EntryEvent>\n",
    "      <SanctionsMeasure ID=\"19425\" SanctionsTypeID=\"1705\"><DatePeriod "
    "/></SanctionsMeasure>\n",
    "      <SanctionsMeasure ID=\"154166\" "
    "SanctionsTypeID=\"1\"><Comment>DPRK3</Comment><DatePeriod /></SanctionsMeasure>\n",
    "    </SanctionsEntry>\n",
    "    <SanctionsEntry ID=\"28263\" ProfileID=\"28263\" ListID=\"1550\">\n",
    "      <EntryEvent "
    "ID=\"2\"><Date><Year>2020</Year><Month>3</Month><Day>2</Day></Date></EntryEvent>\n",
    "      <SanctionsMeasure ID=\"3\" "
    "SanctionsTypeID=\"1\"><Comment>DPRK3</Comment></SanctionsMeasure>\n",
    "      <SanctionsMeasure ID=\"4\" "
    "SanctionsTypeID=\"1\"><Comment>CYBER2</Comment></SanctionsMeasure>\n",
    "    </SanctionsEntry>\n",
    "  </SanctionsEntries>\n",
    "</Sanctions>\n",
    NULL};

/* The miniature file as one string (the parts keep each literal under C's 4095 limit). */
static const char *mini_xml(void)
{
    static char buf[8192];
    if (!buf[0])
        for (size_t i = 0; MINI_XML_PARTS[i]; i++)
            strncat(buf, MINI_XML_PARTS[i], sizeof buf - strlen(buf) - 1);
    return buf;
}

static void test_mini_xml(void)
{
    const char *xml = tmp_path("mini_sdn.xml");
    const char *dbp = tmp_path("mini.db");
    write_file(xml, mini_xml());
    cw_labels *db;
    REQUIRE(cw_labels_open(&db, dbp, 0) == 0);
    CHECK_EQ_INT(cw_labels_schema_version(db), 3);
    cw_label_import_stats st;
    REQUIRE(cw_labels_import(db, CW_IMPORT_OFAC_XML, xml, NULL, &st) == 0);
    CHECK_EQ_INT(st.rows, 3);       /* three currency features */
    CHECK_EQ_INT(st.labels_new, 2); /* the ETH address is listed twice for one party */
    CHECK_EQ_INT(st.labels_known, 1);
    CHECK_EQ_INT(st.provenance_new, 3);
    CHECK(!st.unchanged);
    CHECK_EQ_STR(st.source, "OFAC SDN sdn_advanced.xml published 2025-11-19");

    seen s = {0};
    /* Lookup ignores the case of 0x-hex addresses. */
    CHECK_EQ_INT(
        cw_labels_lookup(db, "ETH", "0x098b716b8aaf21512996DC57EB0615E2383E2F96", collect, &s), 1);
    CHECK_EQ_STR(s.entity, "Lazarus Group"); /* the primary alias, not "Hidden Cobra" */
    CHECK_EQ_STR(s.programs, "DPRK3");
    CHECK_EQ_STR(s.date, "2019-09-13");
    CHECK_EQ_STR(s.entity_ref, "ofac:27307");
    CHECK_EQ_STR(s.entity_type, "Entity");
    CHECK_EQ_STR(s.category, "sanctioned");
    CHECK_EQ_STR(s.subject, "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"); /* as published */
    prov_seen p = {0};
    CHECK_EQ_INT(cw_labels_provenance_foreach(db, s.id, collect_prov, &p), 0);
    CHECK_EQ_INT(p.n, 2);
    CHECK(strstr(p.location, "Feature[@ID='50216']") != NULL);
    CHECK(strstr(p.location, "line 30:") != NULL);
    if (!strstr(p.location, "line 30:"))
        fprintf(stderr, "location: %s\n", p.location);
    CHECK_EQ_STR(p.kind, "ofac-xml");

    memset(&s, 0, sizeof s);
    CHECK_EQ_INT(cw_labels_lookup(db, NULL, "134r8iHv69xdT6p5qVKTsHrcUEuBVZAYak", collect, &s), 1);
    CHECK_EQ_STR(s.entity, "Tian Yinyin"); /* first DocumentedName only */
    CHECK_EQ_STR(s.programs, "CYBER2;DPRK3");
    CHECK_EQ_STR(s.entity_type, "Individual");
    /* base58 is case-sensitive */
    CHECK_EQ_INT(cw_labels_lookup(db, NULL, "134R8IHV69XDT6P5QVKTSHRCUEUBVZAYAK", collect, &s), 0);
    CHECK_EQ_INT(cw_labels_lookup(db, "ETH", "134r8iHv69xdT6p5qVKTsHrcUEuBVZAYak", collect, &s), 0);

    cw_labels_totals before = totals(db);
    CHECK_EQ_INT(before.labels, 2);
    CHECK_EQ_INT(before.runs, 1);
    /* Re-import: unchanged, nothing added. */
    REQUIRE(cw_labels_import(db, CW_IMPORT_OFAC_XML, xml, NULL, &st) == 0);
    CHECK(st.unchanged);
    CHECK_EQ_INT(st.run_id, 1);
    CHECK_EQ_INT(st.labels_new, 0);
    cw_labels_totals after = totals(db);
    CHECK_EQ_INT(after.labels, before.labels);
    CHECK_EQ_INT(after.provenance, before.provenance);
    CHECK_EQ_INT(after.runs, before.runs);
    CHECK_EQ_INT(after.entities, before.entities);

    /* The same content under another name: read, found identical, rolled back. */
    const char *copy = tmp_path("copy_of_sdn.xml");
    write_file(copy, mini_xml());
    REQUIRE(cw_labels_import(db, CW_IMPORT_OFAC_XML, copy, NULL, &st) == 0);
    CHECK(st.unchanged);
    CHECK_EQ_INT(st.run_id, 1);
    CHECK_EQ_INT(st.rows, 3);
    after = totals(db);
    CHECK_EQ_INT(after.runs, 1);
    CHECK_EQ_INT(after.provenance, before.provenance);

    /* Filter by programme. */
    cw_label_filter f = {.program = "CYBER2"};
    memset(&s, 0, sizeof s);
    CHECK_EQ_INT(cw_labels_foreach(db, &f, collect, &s), 0);
    CHECK_EQ_INT(s.n, 1);
    f.program = "DPRK";
    memset(&s, 0, sizeof s);
    CHECK_EQ_INT(cw_labels_foreach(db, &f, collect, &s), 0);
    CHECK_EQ_INT(s.n, 0); /* whole programmes only */
    cw_labels_close(db);

    /* Reopen read-only: data persisted. */
    REQUIRE(cw_labels_open(&db, dbp, CW_LABELS_READONLY) == 0);
    CHECK_EQ_INT(totals(db).labels, 2);
    cw_labels_close(db);
}

static void test_bad_xml(void)
{
    const char *dbp = tmp_path("badxml.db");
    cw_labels *db;
    REQUIRE(cw_labels_open(&db, dbp, 0) == 0);
    /* Truncated in the middle of DistinctParties. */
    size_t cut =
        (size_t)(strstr(mini_xml(), "<DistinctParty FixedRef=\"28263\">") - mini_xml()) + 10;
    char *trunc = cw_malloc(cut + 1);
    memcpy(trunc, mini_xml(), cut);
    trunc[cut] = 0;
    const char *xml = tmp_path("sdn_truncated.xml");
    write_file(xml, trunc);
    cw_free(trunc);
    cw_label_import_stats st;
    int rc = cw_labels_import(db, CW_IMPORT_OFAC_XML, xml, NULL, &st);
    CHECK_EQ_INT(rc, CW_ECORRUPT);
    CHECK(strstr(cw_error_last(), "sdn_truncated.xml") != NULL);
    CHECK(strstr(cw_error_last(), "line") != NULL);
    CHECK_EQ_INT(totals(db).labels, 0);
    CHECK_EQ_INT(totals(db).runs, 0); /* the run was rolled back too */

    /* Not an OFAC file. */
    const char *other = tmp_path("other.xml");
    write_file(other, "<?xml version=\"1.0\"?><rss><channel/></rss>");
    CHECK_EQ_INT(cw_labels_import(db, CW_IMPORT_OFAC_XML, other, NULL, &st), CW_ECORRUPT);
    CHECK(strstr(cw_error_last(), "other.xml: line 1: root element is <rss>") != NULL);

    /* A truncated .bz2: bzip2 -dc fails and that is the error reported. */
    const char *full = tmp_path("mini2.xml");
    write_file(full, mini_xml());
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "bzip2 -kf '%s' && head -c 200 '%s.bz2' > '%s/cut.xml.bz2'", full,
             full, cw_test_tmpdir());
    if (system(cmd) == 0) {
        rc = cw_labels_import(db, CW_IMPORT_OFAC_XML, tmp_path("cut.xml.bz2"), NULL, &st);
        CHECK_EQ_INT(rc, CW_ECORRUPT);
        CHECK(strstr(cw_error_last(), "cut.xml.bz2") != NULL);
        /* The complete .bz2 imports. */
        snprintf(cmd, sizeof cmd, "%s.bz2", full);
        CHECK_EQ_INT(cw_labels_import(db, CW_IMPORT_OFAC_XML, cmd, NULL, &st), 0);
        CHECK_EQ_INT(st.labels_new, 2);
    } else {
        fprintf(stderr, "bzip2 not available: .bz2 checks skipped\n");
    }
    /* A missing file. */
    CHECK_EQ_INT(cw_labels_import(db, CW_IMPORT_OFAC_XML, tmp_path("nope.xml"), NULL, &st),
                 CW_ENOTFOUND);
    cw_labels_close(db);
}

/* A hand-made SDN.CSV in OFAC's layout: no header, 12 columns, "-0- " for empty, programmes
 * joined by "] [", addresses inside Remarks, a Latin-1 name, a truncated remark fragment, and
 * the closing Ctrl-Z line. */
static const char SDN_CSV[] =
    "36,\"AEROCARIBBEAN AIRLINES\",\"-0- \",\"CUBA\",\"-0- \",\"-0- \",\"-0- \",\"-0- \",\"-0- "
    "\",\"-0- \",\"-0- \",\"-0- \"\r\n"
    "27307,\"LAZARUS GROUP\",\"-0- \",\"DPRK3\",\"-0- \",\"-0- \",\"-0- \",\"-0- \",\"-0- \",\"-0- "
    "\",\"-0- \","
    "\"a.k.a. \"\"HIDDEN COBRA\"\"; Digital Currency Address - ETH "
    "0x098B716B8Aaf21512996dC57EB0615e2383E2f96; "
    "alt. Digital Currency Address - ETH 0xa0e1c89Ef1a489c9C7dE96311eD5Ce5D32c20E4B; Secondary "
    "sanctions risk: "
    "North Korea Sanctions Regulations.\"\r\n"
    "28263,\"TIAN, Yinyin\",\"individual\",\"CYBER2] [DPRK3\",\"-0- \",\"-0- \",\"-0- \",\"-0- "
    "\",\"-0- \",\"-0- \",\"-0- \","
    "\"DOB 01 Jan 1990; Digital Currency Address - XBT 134r8iHv69xdT6p5qVKTsHrcUEuBVZAYak; alt. "
    "Digital "
    "Currency Address - XBT 3\"\r\n"
    "99001,\"GONZ\xc1LEZ, Jos\xe9\",\"individual\",\"SDNTK\",\"-0- \",\"-0- \",\"-0- \",\"-0- "
    "\",\"-0- \",\"-0- \",\"-0- \","
    "\"Digital Currency Address - LTC LeKvNdNEzgQkzVVnRdV3fAu2DSF1nLsNw6.\"\r\n"
    "\x1a\r\n";

static void test_sdn_csv(void)
{
    const char *csv = tmp_path("SDN.CSV");
    const char *dbp = tmp_path("sdncsv.db");
    write_file(csv, SDN_CSV);
    cw_labels *db;
    REQUIRE(cw_labels_open(&db, dbp, 0) == 0);
    cw_label_import_stats st;
    REQUIRE(cw_labels_import(db, CW_IMPORT_OFAC_CSV, csv, NULL, &st) == 0);
    CHECK_EQ_INT(st.rows, 4);     /* 2 ETH + 1 XBT + 1 LTC; the "XBT 3" fragment skipped */
    CHECK_EQ_INT(st.warnings, 1); /* ... with a warning */
    CHECK_EQ_STR(st.source, "OFAC SDN.CSV SDN.CSV");

    seen s = {0};
    CHECK_EQ_INT(
        cw_labels_lookup(db, "ETH", "0xa0e1c89ef1a489c9c7de96311ed5ce5d32c20e4b", collect, &s), 1);
    CHECK_EQ_STR(s.entity, "LAZARUS GROUP");
    CHECK_EQ_STR(s.entity_ref, "ofac:27307");
    CHECK_EQ_STR(s.entity_type, "Entity");
    CHECK_EQ_STR(s.programs, "DPRK3");
    prov_seen p = {0};
    CHECK_EQ_INT(cw_labels_provenance_foreach(db, s.id, collect_prov, &p), 0);
    CHECK_EQ_STR(p.location, "line 2: ent_num 27307, Remarks, address 2");

    memset(&s, 0, sizeof s);
    CHECK_EQ_INT(cw_labels_lookup(db, "XBT", "134r8iHv69xdT6p5qVKTsHrcUEuBVZAYak", collect, &s), 1);
    CHECK_EQ_STR(s.entity, "TIAN, Yinyin");
    CHECK_EQ_STR(s.entity_type, "Individual");
    CHECK_EQ_STR(s.programs, "CYBER2;DPRK3");
    CHECK_EQ_INT(cw_labels_lookup(db, "XBT", "3", collect, &s), 0);

    memset(&s, 0, sizeof s);
    CHECK_EQ_INT(cw_labels_lookup(db, "LTC", "LeKvNdNEzgQkzVVnRdV3fAu2DSF1nLsNw6", collect, &s), 1);
    CHECK_EQ_STR(s.entity, "GONZ\xc3\x81LEZ, Jos\xc3\xa9"); /* Latin-1 read as UTF-8 */

    /* A bad row: 11 fields on line 2. */
    const char *bad = tmp_path("bad_sdn.csv");
    write_file(bad, "36,\"A\",\"-0- \",\"CUBA\",\"-0- \",\"-0- \",\"-0- \",\"-0- \",\"-0- \",\"-0- "
                    "\",\"-0- \",\"-0- \"\n"
                    "37,\"B\",\"-0- \",\"CUBA\",\"-0- \",\"-0- \",\"-0- \",\"-0- \",\"-0- \",\"-0- "
                    "\",\"Digital Currency Address - XBT 1abc\"\n");
    cw_labels_totals before = totals(db);
    CHECK_EQ_INT(cw_labels_import(db, CW_IMPORT_OFAC_CSV, bad, NULL, &st), CW_ECORRUPT);
    CHECK(strstr(cw_error_last(), "bad_sdn.csv: line 2: expected 12 fields") != NULL);
    /* Unterminated quote names the line where the record starts. */
    write_file(bad, "36,\"A\",\"-0- \",\"CUBA\",\"-0- \",\"-0- \",\"-0- \",\"-0- \",\"-0- \",\"-0- "
                    "\",\"-0- \",\"-0- \"\n"
                    "37,\"B\n\n");
    CHECK_EQ_INT(cw_labels_import(db, CW_IMPORT_OFAC_CSV, bad, NULL, &st), CW_ECORRUPT);
    CHECK(strstr(cw_error_last(), "bad_sdn.csv: line 2: unterminated quoted field") != NULL);
    cw_labels_totals after = totals(db);
    CHECK_EQ_INT(after.labels, before.labels);
    CHECK_EQ_INT(after.runs, before.runs);
    cw_labels_close(db);
}

static void test_label_csv(void)
{
    const char *csv = tmp_path("labels.csv");
    const char *dbp = tmp_path("csv.db");
    write_file(
        csv,
        "subject,asset,subject_kind,entity,category,confidence,date,source,programs\n"
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq,XBT,address,Binance,exchange,0.9,2024-01-02,,\n"
        "\"1BoatSLRHtKNngkdXEeobR76b53LETtpyT\",XBT,address,\"Heist, Inc\",theft,1,,case 17,\n"
        "42,XBT,cluster,Binance,exchange,0.75,,,\n");
    cw_labels *db;
    REQUIRE(cw_labels_open(&db, dbp, 0) == 0);
    cw_label_import_stats st;
    REQUIRE(cw_labels_import(db, CW_IMPORT_CSV, csv, NULL, &st) == 0);
    CHECK_EQ_INT(st.rows, 3);
    CHECK_EQ_INT(st.labels_new, 3);
    seen s = {0};
    CHECK_EQ_INT(
        cw_labels_lookup(db, NULL, "BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ", collect, &s), 1);
    CHECK_EQ_STR(s.entity, "Binance");
    CHECK_EQ_STR(s.category, "exchange");
    CHECK(s.confidence > 0.899 && s.confidence < 0.901);
    CHECK_EQ_STR(s.source, "csv labels.csv");
    memset(&s, 0, sizeof s);
    CHECK_EQ_INT(cw_labels_lookup(db, NULL, "1BoatSLRHtKNngkdXEeobR76b53LETtpyT", collect, &s), 1);
    CHECK_EQ_STR(s.entity, "Heist, Inc");
    CHECK_EQ_STR(s.source, "case 17");
    memset(&s, 0, sizeof s);
    CHECK_EQ_INT(cw_labels_find_subject(db, "42", collect, &s), 1);
    CHECK(s.confidence > 0.749 && s.confidence < 0.751);
    /* Clusters are not addresses. */
    CHECK_EQ_INT(cw_labels_lookup(db, NULL, "42", collect, &s), 0);
    cw_label_filter f = {.category = "exchange"};
    memset(&s, 0, sizeof s);
    CHECK_EQ_INT(cw_labels_foreach(db, &f, collect, &s), 0);
    CHECK_EQ_INT(s.n, 2);
    /* one scan of the address labels: the two addresses, not the cluster */
    static const char *const xbt[] = {"XBT", NULL}, *const eth[] = {"ETH", "", NULL};
    addr_seen as = {0};
    CHECK_EQ_INT(cw_labels_foreach_address(db, xbt, collect_addr, &as), 0);
    CHECK_EQ_INT(as.n, 2);
    CHECK_EQ_STR(as.subjects, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq/Binance/exchange;"
                              "1BoatSLRHtKNngkdXEeobR76b53LETtpyT/Heist, Inc/theft;");
    memset(&as, 0, sizeof as);
    CHECK_EQ_INT(cw_labels_foreach_address(db, eth, collect_addr, &as), 0);
    CHECK_EQ_INT(as.n, 0);
    CHECK_EQ_INT(cw_labels_foreach_address(db, NULL, collect_addr, &as), 0);
    CHECK_EQ_INT(as.n, 2);
    /* by subject key (a lazy label map's lookup): the key, not a prefix of it nor the cluster */
    memset(&as, 0, sizeof as);
    CHECK_EQ_INT(cw_labels_foreach_address_key(db, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
                                               NULL, xbt, collect_addr, &as),
                 0);
    CHECK_EQ_STR(as.subjects, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq/Binance/exchange;");
    memset(&as, 0, sizeof as);
    CHECK_EQ_INT(cw_labels_foreach_address_key(db, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5md",
                                               NULL, NULL, collect_addr, &as),
                 0);
    CHECK_EQ_INT(as.n, 0);
    CHECK_EQ_INT(cw_labels_foreach_address_key(db, "1", "2", eth, collect_addr, &as), 0);
    CHECK_EQ_INT(as.n, 0); /* the range holds 1Boat..., but not as ETH */
    CHECK_EQ_INT(cw_labels_foreach_address_key(db, "1", "2", NULL, collect_addr, &as), 0);
    CHECK_EQ_STR(as.subjects, "1BoatSLRHtKNngkdXEeobR76b53LETtpyT/Heist, Inc/theft;");
    /* a key range in list order (acct_labels reads "0x".."0y"): none here, then all three */
    memset(&s, 0, sizeof s);
    CHECK_EQ_INT(cw_labels_foreach_key_range(db, "0x", "0y", collect, &s), 0);
    CHECK_EQ_INT(s.n, 0);
    CHECK_EQ_INT(cw_labels_foreach_key_range(db, "", "z", collect, &s), 0);
    CHECK_EQ_INT(s.n, 3);
    CHECK_EQ_STR(s.category, "theft"); /* the last in list order: exchange, exchange, theft */

    /* Each bad row names the file and line; nothing is written. */
    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"address,entity,category\n1abcdefghijkmnopqrstuvwxyz1,X,"
         "exchange\n1abcdefghijkmnopqrstuvwxy2,Y,villain\n",
         "bad.csv: line 3: unknown category 'villain'"},
        {"address,entity,category,confidence\n1abcdefghijkmnopqrstuvwxyz1,X,exchange,1.5\n",
         "bad.csv: line 2: confidence '1.5'"},
        {"address,entity,category\n1abcdefghijkmnopqrstuvwxyz1,X\n",
         "bad.csv: line 2: expected 3 fields, found 2"},
        {"address,entity,colour\n", "bad.csv: line 1: unknown column 'colour'"},
        {"address,entity,category,date\n1abcdefghijkmnopqrstuvwxyz1,X,mixer,2024-13-01\n",
         "bad.csv: line 2: date '2024-13-01'"},
        {"address,entity,category\n\n\n1abc def,X,mixer\n", "bad.csv: line 4: address '1abc def'"},
        {"address,entity,category\n1abcdefghijkmnopqrstuvwxyz1,\"X\"y,mixer\n",
         "bad.csv: line 2: field 2: text after a closing quote"},
        {"", "bad.csv: empty file"},
        {"address,entity,category\n", "no labels found"},
    };
    cw_labels_totals before = totals(db);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *path = tmp_path("bad.csv");
        write_file(path, bad[i].text);
        int rc = cw_labels_import(db, CW_IMPORT_CSV, path, NULL, &st);
        CHECK(rc == CW_ECORRUPT || rc == CW_EINVAL);
        if (!strstr(cw_error_last(), bad[i].msg)) {
            fprintf(stderr, "case %zu: message '%s' lacks '%s'\n", i, cw_error_last(), bad[i].msg);
            CHECK(0);
        }
    }
    cw_labels_totals after = totals(db);
    CHECK_EQ_INT(after.labels, before.labels);
    CHECK_EQ_INT(after.runs, before.runs);
    CHECK_EQ_INT(after.entities, before.entities);
    cw_labels_close(db);
}

static int append_count(const char *asset, int64_t n, void *payload)
{
    char *out = payload;
    size_t len = strlen(out);
    snprintf(out + len, 128 - len, "%s=%lld ", asset, (long long)n);
    return 0;
}

static void test_gen_truth_and_ofac_variant(void)
{
    const char *dbp = tmp_path("gen.db");
    const char *gen = tmp_path("truth.csv");
    write_file(gen,
               "address,entity,category\n"
               "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080,exchange-3,exchange_deposit\n"
               "bcrt1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qzf6jnf,heist-1,theft\n");
    const char *variant = tmp_path("derived.csv");
    write_file(variant, "asset,address,sdn_profile_id,party_type,primary_name,programs,entry_date\n"
                        "ETH,0x098B716B8Aaf21512996dC57EB0615e2383E2f96,27307,Entity,Lazarus "
                        "Group,DPRK3,2019-09-13\n"
                        "BCH,18M8bJWMzWHDBMxoLqjHHAffdRy4SrzkfB,30518,Entity,Secondeye "
                        "Solution,ELECTION-EO13848;CYBER2,2021-04-15\n");
    cw_labels *db;
    REQUIRE(cw_labels_open(&db, dbp, 0) == 0);
    cw_label_import_stats st;
    REQUIRE(cw_labels_import(db, CW_IMPORT_GEN_TRUTH, gen, NULL, &st) == 0);
    CHECK_EQ_INT(st.labels_new, 2);
    seen s = {0};
    CHECK_EQ_INT(
        cw_labels_lookup(db, "XBT", "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", collect, &s),
        1);
    CHECK_EQ_STR(s.category, "exchange_deposit");
    CHECK_EQ_STR(s.source, "generated world truth truth.csv");
    REQUIRE(cw_labels_import(db, CW_IMPORT_CSV, variant, NULL, &st) == 0);
    memset(&s, 0, sizeof s);
    CHECK_EQ_INT(cw_labels_lookup(db, "BCH", "18M8bJWMzWHDBMxoLqjHHAffdRy4SrzkfB", collect, &s), 1);
    CHECK_EQ_STR(s.category, "sanctioned");
    CHECK_EQ_STR(s.entity_ref, "ofac:30518");
    CHECK_EQ_STR(s.programs, "CYBER2;ELECTION-EO13848"); /* sorted */
    CHECK_EQ_STR(s.date, "2021-04-15");
    /* Per-asset counts: BCH 1, ETH 1, XBT 2. */
    char got[128] = "";
    CHECK_EQ_INT(cw_labels_count_by_asset(db, NULL, append_count, got), 0);
    CHECK_EQ_STR(got, "BCH=1 ETH=1 XBT=2 ");

    /* The generator's addresses.csv layout without header, with its category names. */
    const char *gen6 = tmp_path("addresses.csv");
    write_file(gen6, "bcrt1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh,p2wpkh,7,user-000007,user,\n"
                     "2N3oefVeg6stiTb5Kh3ozCSkaqmx91FDbsm,p2sh,3,exchange-003,exchange_deposit,7\n"
                     "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn,p2pkh,9,heist-thief-1,thief,\n");
    REQUIRE(cw_labels_import(db, CW_IMPORT_GEN_TRUTH, gen6, NULL, &st) == 0);
    CHECK_EQ_INT(st.rows, 3);
    memset(&s, 0, sizeof s);
    CHECK_EQ_INT(cw_labels_lookup(db, "XBT", "2N3oefVeg6stiTb5Kh3ozCSkaqmx91FDbsm", collect, &s),
                 1);
    CHECK_EQ_STR(s.entity, "exchange-003");
    CHECK_EQ_STR(s.entity_ref, "gen:3");
    CHECK_EQ_STR(s.category, "exchange_deposit");
    memset(&s, 0, sizeof s);
    CHECK_EQ_INT(cw_labels_lookup(db, NULL, "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn", collect, &s), 1);
    CHECK_EQ_STR(s.category, "theft");
    memset(&s, 0, sizeof s);
    CHECK_EQ_INT(
        cw_labels_lookup(db, NULL, "bcrt1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh", collect, &s), 1);
    CHECK_EQ_STR(s.category, "individual");
    /* --exclude: a fresh store gets the file without its users; the same file without the
     * exclusion is not "unchanged" and adds them. */
    cw_labels *db2;
    REQUIRE(cw_labels_open(&db2, tmp_path("excl.db"), 0) == 0);
    cw_label_import_opts ex = {.exclude_categories = "individual,mixer"};
    REQUIRE(cw_labels_import(db2, CW_IMPORT_GEN_TRUTH, gen6, &ex, &st) == 0);
    CHECK_EQ_INT(st.rows, 2);
    CHECK_EQ_INT(st.skipped, 1);
    CHECK_EQ_INT(
        cw_labels_lookup(db2, NULL, "bcrt1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh", collect, &s),
        0);
    REQUIRE(cw_labels_import(db2, CW_IMPORT_GEN_TRUTH, gen6, &ex, &st) == 0);
    CHECK(st.unchanged);
    REQUIRE(cw_labels_import(db2, CW_IMPORT_GEN_TRUTH, gen6, NULL, &st) == 0);
    CHECK(!st.unchanged);
    CHECK_EQ_INT(st.labels_new, 1);
    cw_label_import_opts bad_ex = {.exclude_categories = "individual,villain"};
    CHECK_EQ_INT(cw_labels_import(db2, CW_IMPORT_GEN_TRUTH, gen6, &bad_ex, &st), CW_EINVAL);
    CHECK(strstr(cw_error_last(), "'villain'") != NULL);
    cw_labels_close(db2);

    /* With a header, extra generator columns are ignored (but not in plain CSV). */
    const char *genh = tmp_path("truth_h.csv");
    write_file(genh, "address,script_type,entity_id,entity_name,category,customer\n"
                     "1BoatSLRHtKNngkdXEeobR76b53LETtpyT,p2pkh,12,miner-012,miner,\n");
    REQUIRE(cw_labels_import(db, CW_IMPORT_GEN_TRUTH, genh, NULL, &st) == 0);
    memset(&s, 0, sizeof s);
    CHECK_EQ_INT(cw_labels_lookup(db, NULL, "1BoatSLRHtKNngkdXEeobR76b53LETtpyT", collect, &s), 1);
    CHECK_EQ_STR(s.category, "mining_pool");
    CHECK_EQ_STR(s.entity_ref, "gen:12");
    CHECK_EQ_INT(cw_labels_import(db, CW_IMPORT_CSV, genh, NULL, &st), CW_ECORRUPT);
    CHECK(strstr(cw_error_last(), "unknown column 'script_type'") != NULL);
    cw_labels_close(db);
}

/* ---- query plans: each filter searches its index ---- */

/* The SQL texts the store's connection ran, caught by a trace hook that an SQLite auto
 * extension installs on every connection opened while it is registered (the store keeps its
 * sqlite3 handle to itself). Test-only state: one recorder for the process. */
typedef struct sql_log {
    char sql[8][2048];
    int n;
} sql_log;
static sql_log g_sql_log;

static int on_trace(unsigned type, void *ctx, void *p, void *x)
{
    (void)type;
    (void)x;
    sql_log *log = ctx;
    const char *sql = sqlite3_sql(p);
    if (sql && log->n < 8)
        snprintf(log->sql[log->n++], sizeof log->sql[0], "%s", sql);
    return 0;
}

static int trace_init(sqlite3 *db, char **err, const sqlite3_api_routines *api)
{
    (void)err;
    (void)api;
    sqlite3_trace_v2(db, SQLITE_TRACE_PROFILE, on_trace, &g_sql_log);
    return SQLITE_OK;
}

/* EXPLAIN QUERY PLAN of the last statement the store ran that reads table label as l (its
 * detail lines joined by ';'), on a connection of our own to the same file. */
static void last_label_plan(const char *dbp, char *out, size_t n)
{
    out[0] = 0;
    const char *sql = NULL;
    for (int i = g_sql_log.n - 1; i >= 0 && !sql; i--)
        if (strstr(g_sql_log.sql[i], "FROM label l"))
            sql = g_sql_log.sql[i];
    if (!sql) {
        snprintf(out, n, "(no label query ran)");
        return;
    }
    sqlite3 *c = NULL;
    sqlite3_stmt *st = NULL;
    char q[2100];
    snprintf(q, sizeof q, "EXPLAIN QUERY PLAN %s", sql);
    if (sqlite3_open_v2(dbp, &c, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(c, q, -1, &st, NULL) != SQLITE_OK) {
        snprintf(out, n, "(cannot explain: %s)", c ? sqlite3_errmsg(c) : "open");
    } else {
        size_t len = 0;
        while (sqlite3_step(st) == SQLITE_ROW && len < n)
            len += (size_t)snprintf(out + len, n - len, "%s;", sqlite3_column_text(st, 3));
    }
    sqlite3_finalize(st);
    sqlite3_close(c);
}

/* Labels as the list gives them, for comparing a filtered read with the filter applied here. */
typedef struct lab {
    int64_t id;
    char category[24], asset[8], source[48], programs[48];
} lab;
typedef struct lab_list {
    lab l[32];
    int n;
} lab_list;

static int collect_lab(const cw_label *l, void *payload)
{
    lab_list *o = payload;
    if (o->n == 32)
        return 1;
    lab *x = &o->l[o->n++];
    x->id = l->id;
    snprintf(x->category, sizeof x->category, "%s", l->category);
    snprintf(x->asset, sizeof x->asset, "%s", l->asset);
    snprintf(x->source, sizeof x->source, "%s", l->source);
    snprintf(x->programs, sizeof x->programs, "%s", l->programs);
    return 0;
}

/* f's meaning, written here by hand (source: ASCII case-insensitive substring; program: one
 * of the ';'-separated programmes). */
static bool lab_matches(const lab *x, const cw_label_filter *f)
{
    if (f->category && strcmp(x->category, f->category) != 0)
        return false;
    if (f->asset && strcmp(x->asset, f->asset) != 0)
        return false;
    if (f->source && !strcasestr(x->source, f->source))
        return false;
    if (f->program) {
        char p[64];
        snprintf(p, sizeof p, ";%s;", f->program);
        char all[64];
        snprintf(all, sizeof all, ";%s;", x->programs);
        if (!strstr(all, p))
            return false;
    }
    return true;
}

static void test_filter_plans(void)
{
    const char *csv = tmp_path("plans.csv");
    const char *dbp = tmp_path("plans.db");
    write_file(csv,
               "subject,asset,subject_kind,entity,category,confidence,date,source,programs\n"
               "1BoatSLRHtKNngkdXEeobR76b53LETtpyT,XBT,address,Heist,theft,1,,case 17,\n"
               "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq,XBT,address,Binance,exchange,0.9,,,\n"
               "0x098B716B8Aaf21512996dC57EB0615e2383E2f96,ETH,address,Lazarus,sanctioned,1,,"
               "OFAC list,DPRK3\n"
               "0x098B716B8Aaf21512996dC57EB0615e2383E2f96,ETH,address,Lazarus,theft,1,,case 17,\n"
               "0x7F367cC41522cE07553e823bf3be79A889DEbe1B,ETH,address,Tornado,sanctioned,1,,"
               "ofac list,CYBER2;DPRK3\n"
               "TXqSbHkUbc1tJZzoQJYqhwc7SRoHFGeBt5,TRX,address,Lazarus,sanctioned,1,,OFAC list,"
               "DPRK3\n"
               "18M8bJWMzWHDBMxoLqjHHAffdRy4SrzkfB,XBT,address,Secondeye,sanctioned,1,,OFAC list,"
               "CYBER2\n"
               "42,XBT,cluster,Binance,exchange,0.75,,,\n");
    cw_labels *db;
    REQUIRE(cw_labels_open(&db, dbp, 0) == 0);
    cw_label_import_stats st;
    REQUIRE(cw_labels_import(db, CW_IMPORT_CSV, csv, NULL, &st) == 0);
    cw_labels_close(db);

    REQUIRE(sqlite3_auto_extension((void (*)(void))trace_init) == SQLITE_OK);
    REQUIRE(cw_labels_open(&db, dbp, CW_LABELS_READONLY) == 0);
    lab_list all = {0};
    CHECK_EQ_INT(cw_labels_foreach(db, NULL, collect_lab, &all), 0);
    CHECK_EQ_INT(all.n, 8);

    /* Every combination of the four filters (and values that match nothing): the same labels
     * in the same order as the filter applied by hand; and the plan searches label_by_category
     * whenever a category or an asset is given, never scanning the labels. */
    static const char *const cats[] = {NULL, "sanctioned", "theft", "mixer"};
    static const char *const assets[] = {NULL, "ETH", "XBT", "DOGE"};
    static const char *const sources[] = {NULL, "ofac", "case"};
    static const char *const programs[] = {NULL, "DPRK3", "CYBER"};
    int bad_rows = 0, bad_plans = 0, combos = 0;
    char plan[1024];
    for (size_t a = 0; a < 4; a++)
        for (size_t b = 0; b < 4; b++)
            for (size_t c = 0; c < 3; c++)
                for (size_t d = 0; d < 3; d++) {
                    cw_label_filter f = {cats[a], sources[c], assets[b], programs[d]};
                    lab_list got = {0};
                    g_sql_log.n = 0;
                    CHECK_EQ_INT(cw_labels_foreach(db, &f, collect_lab, &got), 0);
                    int k = 0;
                    bool same = true;
                    for (int i = 0; i < all.n; i++)
                        if (lab_matches(&all.l[i], &f))
                            same = same && k < got.n && got.l[k++].id == all.l[i].id;
                    same = same && k == got.n;
                    bad_rows += !same;
                    combos++;
                    last_label_plan(dbp, plan, sizeof plan);
                    const char *want = cats[a] && !assets[b] ? "label_by_category (category=?)"
                                       : assets[b] ? "label_by_category (category=? AND asset=?)"
                                                   : NULL;
                    if (want && (!strstr(plan, want) || strstr(plan, "SCAN l"))) {
                        if (bad_plans++ < 3)
                            fprintf(stderr, "list %s/%s: plan '%s' lacks '%s'\n",
                                    cats[a] ? cats[a] : "-", assets[b] ? assets[b] : "-", plan,
                                    want);
                    }
                    /* the per-asset count reads the same way */
                    char counts[128] = "";
                    g_sql_log.n = 0;
                    CHECK_EQ_INT(cw_labels_count_by_asset(db, &f, append_count, counts), 0);
                    last_label_plan(dbp, plan, sizeof plan);
                    if (want && (!strstr(plan, want) || strstr(plan, "SCAN l"))) {
                        if (bad_plans++ < 3)
                            fprintf(stderr, "count %s/%s: plan '%s' lacks '%s'\n",
                                    cats[a] ? cats[a] : "-", assets[b] ? assets[b] : "-", plan,
                                    want);
                    }
                }
    CHECK_EQ_INT(combos, 144);
    CHECK_EQ_INT(bad_rows, 0);
    CHECK_EQ_INT(bad_plans, 0);
    /* a few by hand */
    cw_label_filter f = {.category = "sanctioned", .program = "DPRK3"};
    lab_list got = {0};
    CHECK_EQ_INT(cw_labels_foreach(db, &f, collect_lab, &got), 0);
    CHECK_EQ_INT(got.n, 3);
    char counts[128] = "";
    CHECK_EQ_INT(cw_labels_count_by_asset(db, &f, append_count, counts), 0);
    CHECK_EQ_STR(counts, "ETH=2 TRX=1 ");
    cw_label_filter g = {.asset = "ETH"};
    counts[0] = 0;
    CHECK_EQ_INT(cw_labels_count_by_asset(db, &g, append_count, counts), 0);
    CHECK_EQ_STR(counts, "ETH=2 "); /* two addresses, three labels */

    /* show: an address is found through the subject key index; an entity name through
     * label_by_entity (version 3), not a scan of the labels */
    seen s = {0};
    g_sql_log.n = 0;
    CHECK_EQ_INT(
        cw_labels_find_subject(db, "0x098b716b8aaf21512996dc57eb0615e2383e2f96", collect, &s), 2);
    last_label_plan(dbp, plan, sizeof plan);
    if (!strstr(plan, "SEARCH l USING") || strstr(plan, "SCAN l")) {
        fprintf(stderr, "show ADDRESS: plan '%s'\n", plan);
        CHECK(0);
    }
    memset(&s, 0, sizeof s);
    g_sql_log.n = 0;
    CHECK_EQ_INT(cw_labels_find_subject(db, "Lazarus", collect, &s), 3);
    last_label_plan(dbp, plan, sizeof plan);
    if (!strstr(plan, "USING INDEX label_by_entity") || strstr(plan, "SCAN l")) {
        fprintf(stderr, "show ENTITY: plan '%s'\n", plan);
        CHECK(0);
    }
    memset(&s, 0, sizeof s);
    CHECK_EQ_INT(cw_labels_find_subject(db, "42", collect, &s), 1);
    CHECK_EQ_INT(cw_labels_find_subject(db, "nobody", collect, &s), 0);
    cw_labels_close(db);
    REQUIRE(sqlite3_cancel_auto_extension((void (*)(void))trace_init) == 1);
}

/* The bytes of file path (NULL when it cannot be read); *n its length. */
static uint8_t *file_bytes(const char *path, size_t *n)
{
    uint8_t *d = NULL;
    return cw_file_read(&d, n, path) ? NULL : d;
}

/* Whether the store at path has index name (read on a connection of our own). */
static bool has_index(const char *path, const char *name)
{
    sqlite3 *raw = NULL;
    sqlite3_stmt *st = NULL;
    bool yes =
        sqlite3_open_v2(path, &raw, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(raw, "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?1",
                           -1, &st, NULL) == SQLITE_OK &&
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    sqlite3_close(raw);
    return yes;
}

/* A version-1 store (before import_run.options) is migrated when opened for writing; a
 * read-only open reads it as it is (reads do not use the new column); its labels survive.
 * A version-0 file (an empty or foreign SQLite database) is refused read-only. */
static void test_migration_v1(void)
{
    const char *dbp = tmp_path("v1.db");
    const char *csv = tmp_path("v1.csv");
    write_file(csv, "address,entity,category\n1BoatSLRHtKNngkdXEeobR76b53LETtpyT,X,theft\n");
    cw_labels *db;
    cw_label_import_stats st;
    REQUIRE(cw_labels_open(&db, dbp, 0) == 0);
    REQUIRE(cw_labels_import(db, CW_IMPORT_CSV, csv, NULL, &st) == 0);
    cw_labels_close(db);
    /* Turn it back into what version 1 wrote. */
    sqlite3 *raw;
    REQUIRE(sqlite3_open(dbp, &raw) == SQLITE_OK);
    CHECK_EQ_INT(sqlite3_exec(raw,
                              "ALTER TABLE import_run DROP COLUMN options; "
                              "DROP INDEX label_by_entity; PRAGMA user_version = 1;",
                              NULL, NULL, NULL),
                 SQLITE_OK);
    sqlite3_close(raw);
    REQUIRE(cw_labels_open(&db, dbp, CW_LABELS_READONLY) == 0);
    CHECK_EQ_INT(cw_labels_schema_version(db), 1);
    seen r = {0};
    CHECK_EQ_INT(cw_labels_lookup(db, NULL, "1BoatSLRHtKNngkdXEeobR76b53LETtpyT", collect, &r), 1);
    cw_labels_close(db);
    REQUIRE(cw_labels_open(&db, dbp, 0) == 0);
    CHECK_EQ_INT(cw_labels_schema_version(db), 3);
    CHECK(has_index(dbp, "label_by_entity"));
    seen s = {0};
    CHECK_EQ_INT(cw_labels_lookup(db, NULL, "1BoatSLRHtKNngkdXEeobR76b53LETtpyT", collect, &s), 1);
    /* The migrated run has options '' and is recognised: re-import unchanged. */
    REQUIRE(cw_labels_import(db, CW_IMPORT_CSV, csv, NULL, &st) == 0);
    CHECK(st.unchanged);
    cw_labels_close(db);

    const char *empty = tmp_path("empty.db");
    REQUIRE(sqlite3_open(empty, &raw) == SQLITE_OK);
    CHECK_EQ_INT(sqlite3_exec(raw, "CREATE TABLE t(x);", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(raw);
    CHECK_EQ_INT(cw_labels_open(&db, empty, CW_LABELS_READONLY), CW_EVERSION);
    CHECK(strstr(cw_error_last(), "schema version 0") != NULL);
}

/* A version-2 store (before label_by_entity) read by a read-only open stays byte-identical and
 * gains nothing (no index, no -wal or -shm file), and finds an entity's labels by a scan; opened
 * for writing it is migrated to version 3 and gains the index, with the same labels. */
static void test_migration_v2(void)
{
    const char *dbp = tmp_path("v2.db");
    const char *csv = tmp_path("v2.csv");
    write_file(csv, "address,entity,category\n1BoatSLRHtKNngkdXEeobR76b53LETtpyT,Heist,theft\n"
                    "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq,Heist,theft\n"
                    "1H939dom7i4WDLCKyGbXUp3fs9CSTNRzgL,Other,sanctioned\n");
    cw_labels *db;
    cw_label_import_stats st;
    REQUIRE(cw_labels_open(&db, dbp, 0) == 0);
    REQUIRE(cw_labels_import(db, CW_IMPORT_CSV, csv, NULL, &st) == 0);
    cw_labels_close(db);
    CHECK(has_index(dbp, "label_by_entity"));
    /* Turn it back into what version 2 wrote. */
    sqlite3 *raw;
    REQUIRE(sqlite3_open(dbp, &raw) == SQLITE_OK);
    CHECK_EQ_INT(
        sqlite3_exec(raw, "DROP INDEX label_by_entity; PRAGMA user_version = 2;", NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(raw);
    size_t n0 = 0, n1 = 0;
    uint8_t *b0 = file_bytes(dbp, &n0);
    REQUIRE(b0 != NULL);
    REQUIRE(cw_labels_open(&db, dbp, CW_LABELS_READONLY) == 0);
    CHECK_EQ_INT(cw_labels_schema_version(db), 2);
    seen r = {0};
    CHECK_EQ_INT(cw_labels_find_subject(db, "Heist", collect, &r), 2);
    cw_labels_close(db);
    uint8_t *b1 = file_bytes(dbp, &n1);
    CHECK(b1 && n1 == n0 && !memcmp(b0, b1, n0));
    CHECK(!has_index(dbp, "label_by_entity"));
    char side[4200];
    snprintf(side, sizeof side, "%s-wal", dbp);
    CHECK(access(side, F_OK) != 0);
    snprintf(side, sizeof side, "%s-shm", dbp);
    CHECK(access(side, F_OK) != 0);
    REQUIRE(cw_labels_open(&db, dbp, 0) == 0);
    CHECK_EQ_INT(cw_labels_schema_version(db), 3);
    seen s = {0};
    CHECK_EQ_INT(cw_labels_find_subject(db, "Heist", collect, &s), 2);
    cw_labels_close(db);
    CHECK(has_index(dbp, "label_by_entity"));
    cw_free(b0);
    cw_free(b1);
}

typedef struct rows_ctx {
    int n;
    char last_subject[128];
} rows_ctx;

static int count_rows(const cw_label_row *row, void *payload)
{
    rows_ctx *c = payload;
    c->n++;
    snprintf(c->last_subject, sizeof c->last_subject, "%s", row->subject);
    return 0;
}

static void test_parse_api(void)
{
    rows_ctx c = {0};
    uint64_t warnings = 9;
    CHECK_EQ_INT(cw_labels_parse(CW_IMPORT_OFAC_XML, mini_xml(), strlen(mini_xml()), "mini.xml",
                                 NULL, count_rows, &c, &warnings),
                 0);
    CHECK_EQ_INT(c.n, 3);
    CHECK_EQ_INT(warnings, 0);
    CHECK_EQ_STR(c.last_subject, "134r8iHv69xdT6p5qVKTsHrcUEuBVZAYak");
    memset(&c, 0, sizeof c);
    CHECK_EQ_INT(cw_labels_parse(CW_IMPORT_OFAC_CSV, SDN_CSV, strlen(SDN_CSV), "SDN.CSV", NULL,
                                 count_rows, &c, &warnings),
                 0);
    CHECK_EQ_INT(c.n, 4);
    CHECK_EQ_INT(warnings, 1);
}

int main(void)
{
    RUN(test_address_key);
    RUN(test_mini_xml);
    RUN(test_bad_xml);
    RUN(test_sdn_csv);
    RUN(test_label_csv);
    RUN(test_gen_truth_and_ofac_variant);
    RUN(test_parse_api);
    RUN(test_migration_v1);
    RUN(test_migration_v2);
    RUN(test_filter_plans);
    return cw_test_done();
}
