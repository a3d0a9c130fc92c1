/*
 * stix.c: STIX 2.1 object builders. Every object a node creates carries spec_version 2.1,
 * created = modified (millisecond precision), created_by_ref (the node identity) and
 * object_marking_refs with exactly one official TLP 2.0 marking-definition id.
 *
 * The TLP 2.0 marking-definitions are the objects published by OASIS with the TLP 2.0
 * extension (extension-definition--60a3c5c5-...), ids and `created` as published. The
 * chainwatch extensions (cryptocurrency-wallet SCO, supply-disruption SDO, alert properties,
 * signature) are declared by extension-definition objects created by the fixed chainwatch
 * identity, so a consumer can resolve every extension it meets.
 */
#include <ctype.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/share.h"

static const char *const tlp_ids[5] = {
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", /* TLP:CLEAR */
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", /* TLP:GREEN */
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", /* TLP:AMBER */
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", /* TLP:AMBER+STRICT */
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", /* TLP:RED */
};
static const char *const tlp_labels[5] = {"TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT",
                                          "TLP:RED"};

const char *cw_stix_tlp_marking_id(cw_tlp t)
{
    return (unsigned)t < 5 ? tlp_ids[t] : NULL;
}

int cw_stix_tlp_from_marking_id(cw_tlp *out, const char *id)
{
    for (int i = 0; id && i < 5; i++) {
        if (!strcmp(id, tlp_ids[i])) {
            *out = (cw_tlp)i;
            return 0;
        }
    }
    return cw_error_set(CW_ENOTFOUND, "'%s' is not a TLP 2.0 marking-definition",
                        id ? id : "(null)");
}

int cw_stix_effective_tlp(const json_t *obj, cw_tlp *out)
{
    bool marked = false;
    cw_tlp worst = CW_TLP_CLEAR;
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(obj, "object_marking_refs"), i, m)
    {
        cw_tlp t;
        if (!cw_stix_tlp_from_marking_id(&t, json_string_value(m)) && (!marked || t > worst)) {
            worst = t;
            marked = true;
        }
    }
    /* A granular marking covers a part of the object; the object is served whole or not at
     * all, so the most restrictive marking of any part governs the whole. */
    json_array_foreach(json_object_get(obj, "granular_markings"), i, m)
    {
        cw_tlp t;
        if (!cw_stix_tlp_from_marking_id(&t,
                                         json_string_value(json_object_get(m, "marking_ref"))) &&
            (!marked || t > worst)) {
            worst = t;
            marked = true;
        }
    }
    if (!marked)
        return cw_error_set(CW_ENOTFOUND, "no TLP 2.0 marking");
    *out = worst;
    return 0;
}

json_t *cw_stix_tlp_marking(cw_tlp t)
{
    if ((unsigned)t >= 5)
        return NULL;
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:{s:s, s:s}}}", "type", "marking-definition",
                     "spec_version", "2.1", "id", tlp_ids[t], "created", "2022-10-01T00:00:00.000Z",
                     "name", tlp_labels[t], "extensions", CW_STIX_EXT_TLP2, "extension_type",
                     "property-extension", "tlp_2_0", cw_tlp_name(t));
}

static bool valid_identifier(const char *id, const char *type)
{
    size_t tl = strlen(type);
    if (strncmp(id, type, tl) != 0 || strncmp(id + tl, "--", 2) != 0)
        return false;
    const char *u = id + tl + 2;
    if (strlen(u) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (u[i] != '-')
                return false;
        } else if (!isxdigit((unsigned char)u[i])) {
            return false;
        }
    }
    return u[14] >= '1' && u[14] <= '5' && strchr("89abAB", u[19]);
}

const char *cw_stix_problem(const json_t *o)
{
    if (!json_is_object(o))
        return "not a JSON object";
    const char *type = json_string_value(json_object_get(o, "type"));
    const char *id = json_string_value(json_object_get(o, "id"));
    const char *spec = json_string_value(json_object_get(o, "spec_version"));
    if (!type || strlen(type) < 3 || strlen(type) > 250)
        return "type: missing or not 3-250 characters";
    for (const char *p = type; *p; p++)
        if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-'))
            return "type: only a-z, 0-9 and '-'";
    if (!id || !valid_identifier(id, type))
        return "id: must be <type>--<RFC 4122 UUID>";
    if (!spec || strcmp(spec, "2.1") != 0)
        return "spec_version: must be 2.1";
    json_t *ext = json_object_get(o, "extensions");
    if (ext && (!json_is_object(ext) || json_object_size(ext) == 0))
        return "extensions: must be a non-empty dictionary";
    static const char *const ts[] = {"created", "modified"};
    for (int i = 0; i < 2; i++) {
        json_t *t = json_object_get(o, ts[i]);
        int64_t v;
        if (t && (!json_is_string(t) || cw_time_parse(&v, json_string_value(t))))
            return "created/modified: must be RFC 3339 timestamps ending in Z";
    }
    return NULL;
}

static void format_uuid(char *out, const uint8_t u[16])
{
    static const char hex[] = "0123456789abcdef";
    int o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[u[i] >> 4];
        out[o++] = hex[u[i] & 15];
    }
    out[o] = 0;
}

void cw_stix_new_id(char buf[96], const char *type)
{
    uint8_t u[16];
    char s[37];
    randombytes_buf(u, sizeof u);
    u[6] = (uint8_t)((u[6] & 0x0F) | 0x40);
    u[8] = (uint8_t)((u[8] & 0x3F) | 0x80);
    format_uuid(s, u);
    snprintf(buf, 96, "%s--%s", type, s);
}

int cw_stix_sco_id(char buf[96], const char *type, const json_t *contributing)
{
    /* STIX 2.1 section 2.9: UUIDv5 in the namespace 00abedb4-aa42-466c-9c01-fed23315a9b7
     * over the JCS form of the id-contributing properties. */
    static const uint8_t ns[16] = {0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42, 0x46, 0x6c,
                                   0x9c, 0x01, 0xfe, 0xd2, 0x33, 0x15, 0xa9, 0xb7};
    cw_buf b = {0};
    int rc = cw_buf_append(&b, ns, 16);
    if (!rc)
        rc = cw_jcs_serialize(contributing, &b);
    uint8_t h[EVP_MAX_MD_SIZE];
    unsigned hl = 0;
    if (!rc && !EVP_Digest(b.data, b.len, h, &hl, EVP_sha1(), NULL))
        rc = cw_error_set(CW_ENOMEM, "SHA-1 failed");
    cw_buf_deinit(&b);
    if (rc)
        return rc;
    h[6] = (uint8_t)((h[6] & 0x0F) | 0x50);
    h[8] = (uint8_t)((h[8] & 0x3F) | 0x80);
    char s[37];
    format_uuid(s, h);
    snprintf(buf, 96, "%s--%s", type, s);
    return 0;
}

/* type, spec_version, id, created, modified, created_by_ref, object_marking_refs. */
static json_t *sdo_base(const cw_stix_ctx *c, const char *type)
{
    char id[96], t[32];
    if (!c || (unsigned)c->tlp >= 5 || !c->created_by)
        return NULL;
    cw_stix_new_id(id, type);
    cw_time_format(t, c->time_us, 3);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:[s]}", "type", type, "spec_version",
                          "2.1", "id", id, "created", t, "modified", t, "created_by_ref",
                          c->created_by, "object_marking_refs", tlp_ids[c->tlp]);
    if (o && c->synthetic) /* a partner's tools can filter on it, whatever the name says */
        json_object_set_new(o, "labels", json_pack("[s]", "synthetic"));
    return o;
}

json_t *cw_stix_identity(const char *id, const char *name, const char *identity_class,
                         int64_t time_us)
{
    char t[32];
    cw_time_format(t, time_us, 3);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type", "identity", "spec_version",
                     "2.1", "id", id, "created", t, "modified", t, "name", name, "identity_class",
                     identity_class);
}

json_t *cw_stix_chainwatch_identity(void)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type", "identity", "spec_version",
                     "2.1", "id", CW_STIX_IDENTITY_CHAINWATCH, "created",
                     "2026-11-28T00:00:00.000Z", "modified", "2026-11-28T00:00:00.000Z", "name",
                     "chainwatch", "identity_class", "system", "description",
                     "Defines the chainwatch STIX extensions.");
}

static json_t *ext_def(const char *id, const char *name, const char *description,
                       const char *ext_type)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s]}", "type",
                     "extension-definition", "spec_version", "2.1", "id", id, "created_by_ref",
                     CW_STIX_IDENTITY_CHAINWATCH, "created", "2026-11-28T00:00:00.000Z", "modified",
                     "2026-11-28T00:00:00.000Z", "name", name, "description", description, "schema",
                     "https://chainwatch.invalid/schemas/docs/SHARING.md", "version", "1.0.0",
                     "extension_types", ext_type);
}

json_t *cw_stix_extension_definitions(void)
{
    return json_pack(
        "[o, o, o, o]",
        ext_def(CW_STIX_EXT_WALLET, "cryptocurrency-wallet",
                "A cryptocurrency wallet address (SCO): address (required), currency "
                "(ticker, e.g. BTC, ETH), chain (for EVM addresses: the chain it was seen on, "
                "e.g. ethereum). Id contributing property: address.",
                "new-sco"),
        ext_def(CW_STIX_EXT_SUPPLY, "supply-disruption",
                "A critical-mineral supply disruption (SDO): name, commodity, country (ISO "
                "3166 alpha-3), risk_level (0 none .. 4 severe), description.",
                "new-sdo"),
        ext_def(CW_STIX_EXT_ALERT, "chainwatch-alert",
                "The chainwatch alert behind a report: kind, severity, source, alert_id, "
                "share_to (organisations), evidence (JSON; amounts as decimal strings of base "
                "units), chain and assets (EVM findings: the chain name and asset symbols).",
                "property-extension"),
        ext_def(CW_STIX_EXT_SIGNATURE, "chainwatch-signature",
                "Ed25519 signature (hex) and signer public key (hex) over the RFC 8785 form "
                "of the object without this extension.",
                "property-extension"));
}

static bool address_ok(const char *a)
{
    if (!a || !*a || strlen(a) > 128)
        return false;
    for (const char *p = a; *p; p++)
        if (!isalnum((unsigned char)*p))
            return false;
    return true;
}

json_t *cw_stix_wallet(const cw_stix_ctx *c, const char *address, const char *currency)
{
    char id[96];
    if (!c || (unsigned)c->tlp >= 5 || !address_ok(address))
        return NULL;
    json_t *contrib = json_pack("{s:s}", "address", address);
    int rc = contrib ? cw_stix_sco_id(id, "cryptocurrency-wallet", contrib) : CW_ENOMEM;
    json_decref(contrib);
    if (rc)
        return NULL;
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:[s], s:{s:{s:s}}}", "type",
                     "cryptocurrency-wallet", "spec_version", "2.1", "id", id, "address", address,
                     "currency", currency ? currency : "BTC", "object_marking_refs",
                     tlp_ids[c->tlp], "extensions", CW_STIX_EXT_WALLET, "extension_type",
                     "new-sco");
}

json_t *cw_stix_indicator(const cw_stix_ctx *c, const char *name, const char *description,
                          const char *const *addresses, size_t n_addresses)
{
    if (n_addresses == 0)
        return NULL;
    cw_buf pat = {0};
    for (size_t i = 0; i < n_addresses; i++) {
        if (!address_ok(addresses[i])) {
            cw_buf_deinit(&pat);
            return NULL;
        }
        cw_buf_printf(&pat, "%s[cryptocurrency-wallet:address = '%s']", i ? " OR " : "",
                      addresses[i]);
    }
    if (cw_buf_append(&pat, "", 1)) {
        cw_buf_deinit(&pat);
        return NULL;
    }
    json_t *o = sdo_base(c, "indicator");
    if (o) {
        json_object_set_new(o, "name", json_string(name));
        if (description && *description)
            json_object_set_new(o, "description", json_string(description));
        json_object_set_new(o, "indicator_types", json_pack("[s]", "malicious-activity"));
        json_object_set_new(o, "pattern", json_string((const char *)pat.data));
        json_object_set_new(o, "pattern_type", json_string("stix"));
        json_object_set_new(o, "valid_from", json_incref(json_object_get(o, "created")));
    }
    cw_buf_deinit(&pat);
    return o;
}

json_t *cw_stix_observed_data(const cw_stix_ctx *c, const json_t *object_refs, int64_t first_us,
                              int64_t last_us, int64_t number_observed)
{
    if (!json_is_array(object_refs) || json_array_size(object_refs) == 0 || number_observed < 1)
        return NULL;
    json_t *o = sdo_base(c, "observed-data");
    if (o) {
        char t[32];
        cw_time_format(t, first_us, 3);
        json_object_set_new(o, "first_observed", json_string(t));
        cw_time_format(t, last_us, 3);
        json_object_set_new(o, "last_observed", json_string(t));
        json_object_set_new(o, "number_observed", json_integer(number_observed));
        json_object_set_new(o, "object_refs", json_deep_copy(object_refs));
    }
    return o;
}

json_t *cw_stix_sighting(const cw_stix_ctx *c, const char *sighting_of_ref,
                         const char *observed_data_ref, const char *where_sighted_ref,
                         int64_t count)
{
    if (!sighting_of_ref)
        return NULL;
    json_t *o = sdo_base(c, "sighting");
    if (o) {
        json_object_set_new(o, "sighting_of_ref", json_string(sighting_of_ref));
        if (observed_data_ref)
            json_object_set_new(o, "observed_data_refs", json_pack("[s]", observed_data_ref));
        if (where_sighted_ref)
            json_object_set_new(o, "where_sighted_refs", json_pack("[s]", where_sighted_ref));
        if (count > 0)
            json_object_set_new(o, "count", json_integer(count));
        json_object_set_new(o, "first_seen", json_incref(json_object_get(o, "created")));
        json_object_set_new(o, "last_seen", json_incref(json_object_get(o, "created")));
    }
    return o;
}

json_t *cw_stix_report(const cw_stix_ctx *c, const char *name, const char *description,
                       const json_t *object_refs)
{
    if (!name || !json_is_array(object_refs) || json_array_size(object_refs) == 0)
        return NULL;
    json_t *o = sdo_base(c, "report");
    if (o) {
        json_object_set_new(o, "name", json_string(name));
        if (description && *description)
            json_object_set_new(o, "description", json_string(description));
        json_object_set_new(o, "report_types", json_pack("[s]", "threat-report"));
        json_object_set_new(o, "published", json_incref(json_object_get(o, "created")));
        json_object_set_new(o, "object_refs", json_deep_copy(object_refs));
    }
    return o;
}

json_t *cw_stix_supply_disruption(const cw_stix_ctx *c, const char *name, const char *commodity,
                                  const char *country, int risk_level, const char *description)
{
    if (!name || risk_level < 0 || risk_level > 4)
        return NULL;
    json_t *o = sdo_base(c, "supply-disruption");
    if (o) {
        json_object_set_new(o, "name", json_string(name));
        if (commodity)
            json_object_set_new(o, "commodity", json_string(commodity));
        if (country)
            json_object_set_new(o, "country", json_string(country));
        json_object_set_new(o, "risk_level", json_integer(risk_level));
        if (description && *description)
            json_object_set_new(o, "description", json_string(description));
        json_object_set_new(
            o, "extensions",
            json_pack("{s:{s:s}}", CW_STIX_EXT_SUPPLY, "extension_type", "new-sdo"));
    }
    return o;
}
