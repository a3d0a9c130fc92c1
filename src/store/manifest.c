/*
 * manifest.c: the store's published state: "key value" lines in insertion order, then
 * "checksum <xxh64 hex>" over the lines before it. Written atomically; a torn or edited
 * manifest fails its checksum and is reported, never half-trusted.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "chainwatch/errors.h"
#include "chainwatch/store.h"
#include "chainwatch/util.h"

int cw_manifest_read(cw_manifest *m, const char *path)
{
    uint8_t *data;
    size_t len;
    memset(m, 0, sizeof *m);
    int rc = cw_file_read(&data, &len, path);
    if (rc)
        return rc;
    char *text = (char *)data;
    char *cs = strstr(text, "checksum ");
    if (!cs || (cs != text && cs[-1] != '\n')) {
        cw_free(data);
        return cw_error_set(CW_ECORRUPT, "%s: no checksum line", path);
    }
    uint64_t want = XXH64(text, (size_t)(cs - text), 0);
    /* strtoull as sscanf("checksum %" SCNx64) read it: whitespace, sign, 0x, saturating */
    const char *hex = cs + strlen("checksum");
    char *end;
    uint64_t got = (uint64_t)strtoull(hex, &end, 16);
    if (end == hex || got != want) {
        cw_free(data);
        return cw_error_set(CW_ECORRUPT, "%s: checksum mismatch (edited or torn manifest)", path);
    }
    *cs = '\0';
    char *save = NULL;
    int line = 0;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        line++;
        /* as sscanf("%31s %" SCNu64) read it: a word of 1..31 characters, then a number */
        const char *key = l;
        while (isspace((unsigned char)*key))
            key++;
        size_t kn = 0;
        while (kn < 31 && key[kn] && !isspace((unsigned char)key[kn]))
            kn++;
        uint64_t v = (uint64_t)strtoull(key + kn, &end, 10);
        if (kn == 0 || end == key + kn || m->n >= CW_MANIFEST_MAX) {
            cw_free(data);
            return cw_error_set(CW_ECORRUPT, "%s: line %d: bad entry '%s'", path, line, l);
        }
        snprintf(m->keys[m->n], sizeof m->keys[0], "%.*s", (int)kn, key);
        m->vals[m->n++] = v;
    }
    cw_free(data);
    return 0;
}

int cw_manifest_write(const cw_manifest *m, const char *path)
{
    cw_buf b = {0};
    int rc = 0;
    for (size_t i = 0; i < m->n && !rc; i++)
        rc = cw_buf_printf(&b, "%s %" PRIu64 "\n", m->keys[i], m->vals[i]);
    if (!rc)
        rc = cw_buf_printf(&b, "checksum %016" PRIx64 "\n", (uint64_t)XXH64(b.data, b.len, 0));
    if (!rc)
        rc = cw_file_write_atomic(path, b.data, b.len);
    cw_buf_deinit(&b);
    return rc;
}

uint64_t cw_manifest_get(const cw_manifest *m, const char *key, uint64_t dflt)
{
    for (size_t i = 0; i < m->n; i++) {
        if (!strcmp(m->keys[i], key))
            return m->vals[i];
    }
    return dflt;
}

int cw_manifest_set(cw_manifest *m, const char *key, uint64_t val)
{
    for (size_t i = 0; i < m->n; i++) {
        if (!strcmp(m->keys[i], key)) {
            m->vals[i] = val;
            return 0;
        }
    }
    if (m->n >= CW_MANIFEST_MAX)
        return cw_error_set(CW_EINVAL, "manifest full");
    snprintf(m->keys[m->n], sizeof m->keys[0], "%s", key);
    m->vals[m->n++] = val;
    return 0;
}
