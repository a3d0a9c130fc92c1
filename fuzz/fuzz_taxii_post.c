/*
 * fuzz_taxii_post.c: libFuzzer target for what the server does with a TAXII POST body (a
 * partner's node may be compromised) and what a pulling partner does with the objects it gets.
 *
 * The input is the request body. As the server does (src/server/taxii.c, post_objects): parse
 * it with duplicate keys refused; an envelope without an "objects" array is refused. Each
 * member goes through cw_stix_problem (NULL, or a reason naming the property), the effective
 * TLP (0..4 when found) and cw_stix_sign with a fixed node key. A signed object must verify
 * with that key, must not verify with another key, and must still verify after the trip a
 * served object makes: stored as the collection stores it (json_dumps compact, sorted keys, 17
 * digits), read back by the partner with duplicate keys refused. Every member is also handed
 * as it came to cw_stix_verify, as a pulling partner does: 0 or an error with a message; and
 * the whole document to cw_audit_checkpoint_verify, as a partner's audit checkpoint. Any
 * broken invariant calls abort().
 */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/share.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        fprintf(stderr, "fuzz_taxii_post: " __VA_ARGS__);                                          \
        fprintf(stderr, " (last error: %s)\n", cw_error_last());                                   \
        abort();                                                                                   \
    } while (0)

static void check_object(const json_t *o, const uint8_t sk[CW_SIGN_SK],
                         const uint8_t pk[CW_SIGN_PK], const uint8_t pk2[CW_SIGN_PK])
{
    const char *why = cw_stix_problem(o);
    if (!why) {
        const char *type = json_string_value(json_object_get(o, "type"));
        const char *id = json_string_value(json_object_get(o, "id"));
        if (!type || !id || strncmp(id, type, strlen(type)) != 0)
            FAIL("accepted an object without a matching type and id");
    } else if (!*why) {
        FAIL("refused without a reason");
    }
    cw_tlp tlp = CW_TLP_AMBER;
    if (cw_stix_effective_tlp(o, &tlp) == 0 && (unsigned)tlp > CW_TLP_RED)
        FAIL("TLP %d", (int)tlp);
    cw_error_clear();
    /* a pulling partner's check of the object as it came */
    int vr = cw_stix_verify(o, pk);
    if (vr && (vr != CW_ENOTFOUND && vr != CW_ECORRUPT && vr != CW_EINVAL && vr != CW_ENOMEM))
        FAIL("verify returned %d", vr);
    if (vr && !*cw_error_last())
        FAIL("verify refused without a message");
    cw_error_clear();
    json_t *c = json_deep_copy(o);
    if (!c)
        return;
    if (cw_stix_sign(c, sk, pk) == 0) {
        if (cw_stix_verify(c, pk) != 0)
            FAIL("an object the node signed does not verify");
        if (cw_stix_verify(c, pk2) == 0)
            FAIL("an object verifies with another key");
        char *text = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
        if (!text)
            FAIL("a signed object does not dump");
        json_error_t err;
        json_t *back = json_loads(text, JSON_REJECT_DUPLICATES, &err);
        if (!back)
            FAIL("a stored object does not parse: %s", err.text);
        if (cw_stix_verify(back, pk) != 0)
            FAIL("a served object does not verify at the partner: %s", text);
        json_decref(back);
        free(text);
    } else if (!*cw_error_last()) {
        FAIL("sign refused without a message");
    }
    cw_error_clear();
    json_decref(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (sodium_init() < 0)
        return 0;
    uint8_t seed[32], pk[CW_SIGN_PK], sk[CW_SIGN_SK], pk2[CW_SIGN_PK], sk2[CW_SIGN_SK];
    memset(seed, 7, sizeof seed);
    crypto_sign_seed_keypair(pk, sk, seed);
    memset(seed, 8, sizeof seed);
    crypto_sign_seed_keypair(pk2, sk2, seed);
    json_error_t err;
    json_t *env = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &err);
    json_t *objs = json_object_get(env, "objects");
    if (json_is_array(objs)) {
        size_t i;
        json_t *o;
        json_array_foreach(objs, i, o) check_object(o, sk, pk, pk2);
    }
    /* a partner's audit checkpoint (GET /api/v1/audit/checkpoint) is the same kind of input */
    int64_t seq = -1;
    char head[65] = "";
    int cr = cw_audit_checkpoint_verify(env, pk, &seq, head);
    if (cr == 0 && (seq < 0 || strlen(head) != 64))
        FAIL("a checkpoint accepted with seq %lld", (long long)seq);
    if (cr && !*cw_error_last())
        FAIL("a checkpoint refused without a message");
    cw_error_clear();
    json_decref(env);
    return 0;
}
