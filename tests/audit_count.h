/*
 * audit_count.h: how many requests a list of audit entries records. The server folds identical
 * authenticated reads of one group commit into one entry whose detail ends "N identical reads,
 * the first at T0, the last at T1" (docs/SHARING.md); every other entry is one request.
 * Header-only: each test is its own program.
 */
#ifndef CW_TESTS_AUDIT_COUNT_H
#define CW_TESTS_AUDIT_COUNT_H

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* The requests one entry records: N for a folded entry, else 1. */
static inline unsigned long long cw_test_audit_entry_requests(json_t *entry)
{
    const char *d = json_string_value(json_object_get(entry, "detail"));
    const char *m = d ? strstr(d, " identical reads, the first at ") : NULL;
    if (!m)
        return 1;
    const char *p = m;
    while (p > d && p[-1] >= '0' && p[-1] <= '9')
        p--;
    return p < m ? strtoull(p, NULL, 10) : 1;
}

/* The requests a list of entries (cw_audit_list's array) records. */
static inline unsigned long long cw_test_audit_requests(json_t *entries)
{
    unsigned long long n = 0;
    size_t i;
    json_t *e;
    json_array_foreach(entries, i, e) n += cw_test_audit_entry_requests(e);
    return n;
}

#endif
