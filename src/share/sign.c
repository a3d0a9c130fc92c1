/*
 * sign.c: Ed25519 (libsodium) detached signatures over the RFC 8785 form of JSON values, and
 * their carriage on STIX objects as a property-extension (CW_STIX_EXT_SIGNATURE) holding
 * {"extension_type":"property-extension","alg":"Ed25519","public_key":hex,"signature":hex}.
 * The signed bytes are the JCS form of the object with that extension entry removed (and
 * `extensions` removed when it becomes empty), so the signature covers every other property,
 * including the other extensions and the TLP marking.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/share.h"
#include "chainwatch/util.h"

int cw_sign_json(uint8_t sig[CW_SIGN_SIG], const json_t *v, const uint8_t sk[CW_SIGN_SK])
{
    cw_buf b = {0};
    int rc = cw_jcs_serialize(v, &b);
    if (!rc)
        crypto_sign_detached(sig, NULL, b.data, b.len, sk);
    cw_buf_deinit(&b);
    return rc;
}

int cw_verify_json(const uint8_t sig[CW_SIGN_SIG], const json_t *v, const uint8_t pk[CW_SIGN_PK])
{
    cw_buf b = {0};
    int rc = cw_jcs_serialize(v, &b);
    if (!rc && crypto_sign_verify_detached(sig, b.data, b.len, pk) != 0)
        rc = cw_error_set(CW_ECORRUPT, "signature does not verify");
    cw_buf_deinit(&b);
    return rc;
}

/* A shallow copy of obj without the signature extension (new reference). */
static json_t *unsigned_view(const json_t *obj)
{
    json_t *c = json_copy((json_t *)(uintptr_t)obj);
    if (!c)
        return NULL;
    json_t *ext = json_object_get(c, "extensions");
    if (json_is_object(ext) && json_object_get(ext, CW_STIX_EXT_SIGNATURE)) {
        json_t *ext2 = json_copy(ext);
        json_object_del(ext2, CW_STIX_EXT_SIGNATURE);
        if (json_object_size(ext2) == 0) {
            json_decref(ext2);
            json_object_del(c, "extensions");
        } else {
            json_object_set_new(c, "extensions", ext2);
        }
    }
    return c;
}

int cw_stix_sign(json_t *obj, const uint8_t sk[CW_SIGN_SK], const uint8_t pk[CW_SIGN_PK])
{
    if (!json_is_object(obj))
        return cw_error_set(CW_EINVAL, "sign: not a JSON object");
    /* The signature goes into `extensions`, and verifying drops `extensions` once it is left
     * empty: an `extensions` that is not a non-empty dictionary (invalid STIX) would be signed
     * in one form and verified in another, and fail at every partner. */
    json_t *ext0 = json_object_get(obj, "extensions");
    if (ext0 && (!json_is_object(ext0) || json_object_size(ext0) == 0))
        return cw_error_set(CW_EINVAL, "sign: extensions: must be a non-empty dictionary");
    json_t *view = unsigned_view(obj);
    if (!view)
        return cw_error_set(CW_ENOMEM, "out of memory");
    uint8_t sig[CW_SIGN_SIG];
    int rc = cw_sign_json(sig, view, sk);
    json_decref(view);
    if (rc)
        return rc;
    char sig_hex[2 * CW_SIGN_SIG + 1], pk_hex[2 * CW_SIGN_PK + 1];
    cw_hex_encode(sig_hex, sig, CW_SIGN_SIG);
    cw_hex_encode(pk_hex, pk, CW_SIGN_PK);
    json_t *ext = json_object_get(obj, "extensions");
    if (!json_is_object(ext)) {
        ext = json_object();
        json_object_set_new(obj, "extensions", ext);
    }
    json_t *s = json_pack("{s:s, s:s, s:s, s:s}", "extension_type", "property-extension", "alg",
                          "Ed25519", "public_key", pk_hex, "signature", sig_hex);
    if (!ext || !s || json_object_set_new(ext, CW_STIX_EXT_SIGNATURE, s))
        return cw_error_set(CW_ENOMEM, "out of memory");
    return 0;
}

int cw_stix_verify(const json_t *obj, const uint8_t pk[CW_SIGN_PK])
{
    const char *id = json_string_value(json_object_get(obj, "id"));
    if (!id)
        id = "(no id)";
    json_t *s = json_object_get(json_object_get(obj, "extensions"), CW_STIX_EXT_SIGNATURE);
    if (!s)
        return cw_error_set(CW_ENOTFOUND, "%s: not signed", id);
    const char *alg = json_string_value(json_object_get(s, "alg"));
    const char *pk_hex = json_string_value(json_object_get(s, "public_key"));
    const char *sig_hex = json_string_value(json_object_get(s, "signature"));
    uint8_t sig[CW_SIGN_SIG], got_pk[CW_SIGN_PK];
    if (!alg || strcmp(alg, "Ed25519") != 0)
        return cw_error_set(CW_ECORRUPT, "%s: signature alg is not Ed25519", id);
    if (!sig_hex || strlen(sig_hex) != (size_t)2 * CW_SIGN_SIG ||
        cw_hex_decode(sig, CW_SIGN_SIG, sig_hex))
        return cw_error_set(CW_ECORRUPT, "%s: malformed signature", id);
    if (!pk_hex || strlen(pk_hex) != (size_t)2 * CW_SIGN_PK ||
        cw_hex_decode(got_pk, CW_SIGN_PK, pk_hex))
        return cw_error_set(CW_ECORRUPT, "%s: malformed public_key", id);
    if (sodium_memcmp(got_pk, pk, CW_SIGN_PK) != 0)
        return cw_error_set(CW_ECORRUPT, "%s: signed by an unexpected key", id);
    json_t *view = unsigned_view(obj);
    if (!view)
        return cw_error_set(CW_ENOMEM, "out of memory");
    int rc = cw_verify_json(sig, view, pk);
    json_decref(view);
    if (rc == CW_ECORRUPT)
        return cw_error_set(CW_ECORRUPT, "%s: signature does not verify (object altered)", id);
    return rc;
}
