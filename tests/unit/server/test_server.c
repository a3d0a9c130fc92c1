/* test_server.c: the per-request arena, the listen policy (plain HTTP only on loopback, TLS
 * needs both files), and a live server on a kernel-chosen loopback port answering 401 without
 * a key, 200 with one, and auditing both. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_count.h"
#include "chainwatch/errors.h"
#include "chainwatch/server.h"
#include "chainwatch/share.h"
#include "harness.h"

static void test_arena(void)
{
    cw_arena *a = cw_arena_new(64);
    REQUIRE(a);
    char *p = cw_arena_alloc(a, 10);
    REQUIRE(p);
    CHECK(((uintptr_t)p % 16) == 0);
    memset(p, 'x', 10);
    char *big = cw_arena_alloc(a, 100000); /* larger than any block so far */
    REQUIRE(big);
    memset(big, 'y', 100000);
    char *s = cw_arena_strndup(a, "hello world", 5);
    CHECK_EQ_STR(s, "hello");
    CHECK(p[9] == 'x' && big[99999] == 'y');
    CHECK(cw_arena_used(a) >= 100000 + 16 + 16);
    for (int i = 0; i < 1000; i++)
        REQUIRE(cw_arena_alloc(a, 100));
    cw_arena_free(a); /* ASan reports leaks or overflows */
    cw_arena_free(NULL);
}

static size_t sink(char *p, size_t sz, size_t nm, void *ud)
{
    (void)p;
    (void)ud;
    return sz * nm;
}

static long get(uint16_t port, const char *path, const char *key)
{
    char url[256], auth[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", (unsigned)port, path);
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    if (key) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
        h = curl_slist_append(h, auth);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    long code = 0;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return code;
}

static void test_listen_policy_and_live(void)
{
    char path[600];
    snprintf(path, sizeof path, "%s/srv.db", cw_test_tmpdir());
    REQUIRE(cw_node_init(path, "KOR", NULL) == 0);
    cw_server_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.db_path = path;
    cw_server *s = NULL;
    cfg.listen = "0.0.0.0:0";
    CHECK_EQ_INT(cw_server_start(&s, &cfg), CW_EINVAL);
    CHECK(strstr(cw_error_last(), "loopback") != NULL);
    cfg.listen = "10.1.2.3:8443";
    CHECK_EQ_INT(cw_server_start(&s, &cfg), CW_EINVAL);
    cfg.listen = "127.0.0.1:99999";
    CHECK_EQ_INT(cw_server_start(&s, &cfg), CW_EINVAL);
    cfg.listen = "nonsense";
    CHECK_EQ_INT(cw_server_start(&s, &cfg), CW_EINVAL);
    cfg.listen = "127.0.0.1:0";
    cfg.tls_cert = "/nonexistent.pem";
    CHECK_EQ_INT(cw_server_start(&s, &cfg), CW_EINVAL); /* cert without key */
    cfg.tls_cert = NULL;
    REQUIRE(cw_server_start(&s, &cfg) == 0);
    uint16_t port = cw_server_port(s);
    CHECK(port != 0);

    cw_node *n = NULL;
    REQUIRE(cw_node_open(&n, path) == 0);
    char *key = NULL;
    REQUIRE(cw_keys_add(n, "r", "KOR", CW_ROLE_READER, &key) == 0);
    cw_node_close(n);
    CHECK_EQ_INT(get(port, "/taxii2/", NULL), 401);
    CHECK_EQ_INT(get(port, "/taxii2/", "cw_wrong"), 401);
    CHECK_EQ_INT(get(port, "/taxii2/", key), 200);
    CHECK_EQ_INT(get(port, "/api/v1/node", key), 200);
    CHECK_EQ_INT(get(port, "/", key), 404);
    cw_server_stop(s);
    free(key);

    REQUIRE(cw_node_open(&n, path) == 0);
    json_t *fails = NULL;
    REQUIRE(cw_audit_list(n, 0, "auth.fail", &fails) == 0);
    /* One entry per address, minute and reason: no key, unknown key. */
    CHECK_EQ_INT(json_array_size(fails), 2);
    CHECK_EQ_STR(json_string_value(json_object_get(json_array_get(fails, 0), "target")),
                 "127.0.0.1");
    json_decref(fails);
    json_t *reads = NULL;
    REQUIRE(cw_audit_list(n, 0, "http.read", &reads) == 0);
    CHECK_EQ_INT((int64_t)cw_test_audit_requests(reads), 2);
    CHECK_EQ_STR(json_string_value(json_object_get(json_array_get(reads, 0), "actor")), "r");
    json_decref(reads);
    CHECK_EQ_INT(cw_audit_verify(n, NULL, NULL), 0);
    cw_node_close(n);
}

static void test_web_root_hook(void)
{
    /* With a web root, paths outside /api and /taxii2 are the dashboard's files (no key);
     * the APIs still need one. */
    char path[600], root[600], file[700];
    snprintf(path, sizeof path, "%s/web.db", cw_test_tmpdir());
    snprintf(root, sizeof root, "%s/webroot", cw_test_tmpdir());
    REQUIRE(cw_node_init(path, "JPN", NULL) == 0);
    REQUIRE(cw_mkdir_p(root) == 0);
    snprintf(file, sizeof file, "%s/index.html", root);
    REQUIRE(cw_file_write_atomic(file, "<!doctype html><title>x</title>", 31) == 0);
    cw_server_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.db_path = path;
    cfg.listen = "127.0.0.1:0";
    cfg.web_root = root;
    cw_server *s = NULL;
    REQUIRE(cw_server_start(&s, &cfg) == 0);
    uint16_t port = cw_server_port(s);
    CHECK_EQ_INT(get(port, "/", NULL), 200);
    CHECK_EQ_INT(get(port, "/index.html", NULL), 200);
    CHECK_EQ_INT(get(port, "/missing.js", NULL), 404);
    CHECK_EQ_INT(get(port, "/.git/config", NULL), 400);
    CHECK_EQ_INT(get(port, "/api/v1/alerts", NULL), 401);
    CHECK_EQ_INT(get(port, "/taxii2/", NULL), 401);
    cw_server_stop(s);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    RUN(test_arena);
    RUN(test_listen_policy_and_live);
    RUN(test_web_root_hook);
    curl_global_cleanup();
    return cw_test_done();
}
