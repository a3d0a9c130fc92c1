/*
 * fuzz_ofac_csv.c: libFuzzer target for the CSV readers of the label importers: OFAC's SDN.CSV
 * (addresses inside Remarks, Latin-1 text, Ctrl-Z end marker) and the plain label CSV (header,
 * quoted fields). Parsing arbitrary bytes must return 0 or a CW_E* error, never crash, and every
 * row handed to the callback must be well-formed (non-empty subject and entity, valid category,
 * confidence in 0..1, valid UTF-8 entity).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/labels.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check_row(const cw_label_row *row, void *payload)
{
    (void)payload;
    if (!row->subject || !row->subject[0] || !row->entity || !row->entity[0] ||
        !cw_label_category_valid(row->category) || !(row->confidence >= 0.0) ||
        !(row->confidence <= 1.0) || !row->location || !row->programs)
        abort();
    char key[512];
    if (row->subject_kind == CW_SUBJECT_ADDRESS &&
        cw_label_address_key(key, sizeof key, row->subject) != 0 && strlen(row->subject) < 256)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)cw_labels_parse(CW_IMPORT_OFAC_CSV, data, size, "fuzz.csv", NULL, check_row, NULL, NULL);
    (void)cw_labels_parse(CW_IMPORT_CSV, data, size, "fuzz.csv", NULL, check_row, NULL, NULL);
    return 0;
}
