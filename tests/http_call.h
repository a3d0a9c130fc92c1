/*
 * http_call.h: one HTTP request with an API key through libcurl, its JSON answer parsed, for
 * the server tests that act as clients (test_concurrency, test_chain_cache). Header-only: each
 * test is its own program.
 */
#ifndef CW_TESTS_HTTP_CALL_H
#define CW_TESTS_HTTP_CALL_H

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "chainwatch/util.h"

static inline size_t cw_test_http_sink(char *p, size_t sz, size_t nm, void *ud)
{
    cw_buf *b = ud;
    return cw_buf_append(b, p, sz * nm) ? 0 : sz * nm;
}

/* method on url with "Authorization: Bearer key" and a TAXII content type; body for POST.
 * Returns the HTTP status (0: no answer); *out (may be NULL) the parsed body or NULL. */
static inline long cw_test_http(CURL *c, const char *method, const char *url, const char *key,
                                const char *body, json_t **out)
{
    char auth[256];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
    struct curl_slist *h = curl_slist_append(NULL, auth);
    h = curl_slist_append(h, "Content-Type: application/taxii+json;version=2.1");
    cw_buf b = {0};
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, cw_test_http_sink);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (!strcmp(method, "POST")) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
    }
    long code = 0;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    if (out)
        *out = b.len ? json_loadb((const char *)b.data, b.len, 0, NULL) : NULL;
    cw_buf_deinit(&b);
    curl_slist_free_all(h);
    return code;
}

#endif
