/*
 * fuzz_ofac_xml.c: libFuzzer target for the reader of OFAC's sdn_advanced.xml
 * (src/labels/ofac_xml.c, libxml2's xmlTextReader), a download from outside. Parsing arbitrary
 * bytes must return 0 or a CW_E* error with a message, never crash or run away (entities are
 * not substituted, no network), and every row handed to the callback must be an address label
 * of a named party: non-empty subject, asset and entity, an "ofac:" entity reference, category
 * sanctioned with confidence 1, a source naming the date of issue and a location naming the
 * line. Any broken invariant calls abort().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/labels.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        fprintf(stderr, "fuzz_ofac_xml: " __VA_ARGS__);                                            \
        fprintf(stderr, "\n");                                                                     \
        abort();                                                                                   \
    } while (0)

static int check_row(const cw_label_row *row, void *payload)
{
    (void)payload;
    if (row->subject_kind != CW_SUBJECT_ADDRESS || !row->subject || !row->subject[0] ||
        !row->asset || !row->asset[0] || !row->entity || !row->entity[0])
        FAIL("a row without address, asset or entity");
    if (!row->entity_ref || strncmp(row->entity_ref, "ofac:", 5) != 0)
        FAIL("entity_ref '%s'", row->entity_ref ? row->entity_ref : "(null)");
    if (!row->category || strcmp(row->category, "sanctioned") != 0 || row->confidence != 1.0)
        FAIL("category or confidence");
    if (!row->source || !strstr(row->source, "published ") || !row->programs || !row->date)
        FAIL("source, programmes or date missing");
    if (!row->location || strncmp(row->location, "line ", 5) != 0)
        FAIL("location '%s'", row->location ? row->location : "(null)");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t warnings = 0;
    int rc = cw_labels_parse(CW_IMPORT_OFAC_XML, data, size, "fuzz.xml", NULL, check_row, NULL,
                             &warnings);
    if (rc != 0 && (rc > 0 || !*cw_error_last()))
        FAIL("parse returned %d without a message", rc);
    cw_error_clear();
    return 0;
}
