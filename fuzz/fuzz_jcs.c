/*
 * fuzz_jcs.c: libFuzzer target for the RFC 8785 canonicalizer. Any input jansson accepts must
 * canonicalize without crashing, and canonicalization must be idempotent: parsing the
 * canonical text and canonicalizing again gives the same bytes (numbers and strings included).
 * Inputs that are not JSON are ignored. Replayed over fuzz/corpus/jcs/ by `make test`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/share.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t err;
    json_t *v = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (!v)
        return 0;
    char *c1 = NULL, *c2 = NULL;
    size_t l1 = 0, l2 = 0;
    if (cw_jcs_dumps(v, &c1, &l1) == 0) {
        /* Canonical numbers are ECMAScript doubles, which may print as integers beyond
         * int64 ("20010000000000000000"): read them back as doubles. */
        json_t *w =
            json_loadb(c1, l1, JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, &err);
        if (!w)
            abort(); /* canonical output must be JSON */
        if (cw_jcs_dumps(w, &c2, &l2) != 0 || l1 != l2 || memcmp(c1, c2, l1) != 0) {
            /* A double and its canonical text must map to each other exactly. */
            abort();
        }
        json_decref(w);
    }
    free(c1);
    free(c2);
    json_decref(v);
    return 0;
}
