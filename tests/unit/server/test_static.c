/* test_static.c: the dashboard's static file server (src/server/static.c): path mapping and
 * traversal refusals, content types, and a live libmicrohttpd daemon on a kernel-chosen
 * loopback port answering GET/HEAD/304/404/400/405 with the right headers; raw "../" paths
 * (curl's PATH_AS_IS), percent-encoded dots and a symbolic link leading out of the root never
 * reveal the secret file placed next to the root. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chainwatch/errors.h"
#include "chainwatch/util.h"
#include "harness.h"
#include "server/static.h"

static char g_root[PATH_MAX + 16];
static char g_base[PATH_MAX];

static void put(const char *rel, const char *text)
{
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/%s", g_base, rel);
    FILE *f = fopen(p, "w");
    if (!f) {
        perror(p);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
}

static void make_tree(void)
{
    snprintf(g_base, sizeof g_base, "%s", cw_test_tmpdir());
    char p[PATH_MAX + 64];
    const char *dirs[] = {"www", "www/sub", "www/vendor", "www/.git"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", g_base, dirs[i]);
        mkdir(p, 0755);
    }
    put("www/index.html", "<!doctype html><title>root</title>");
    put("www/app.js", "export const x = 1;\n");
    put("www/style.css", "body{}\n");
    put("www/sub/index.html", "<p>sub</p>");
    put("www/vendor/lib.min.js", "var lib=1;\n");
    put("www/.git/config", "hidden\n");
    put("secret.txt", "TOP-SECRET\n");
    char target[PATH_MAX + 64];
    snprintf(target, sizeof target, "%s/secret.txt", g_base);
    snprintf(p, sizeof p, "%s/www/leak.txt", g_base);
    if (symlink(target, p)) {
        perror("symlink");
        exit(1);
    }
    snprintf(g_root, sizeof g_root, "%s/www", g_base);
}

static void test_resolve(void)
{
    char out[PATH_MAX];
    char want[PATH_MAX + 64];
    CHECK_EQ_INT(cw_static_resolve(out, sizeof out, g_root, "/"), 0);
    snprintf(want, sizeof want, "%s/index.html", g_root);
    char real[PATH_MAX];
    REQUIRE(realpath(want, real));
    CHECK_EQ_STR(out, real);
    CHECK_EQ_INT(cw_static_resolve(out, sizeof out, g_root, "/sub"), 0);
    CHECK(strstr(out, "/sub/index.html") != NULL);
    CHECK_EQ_INT(cw_static_resolve(out, sizeof out, g_root, "/sub/"), 0);
    CHECK_EQ_INT(cw_static_resolve(out, sizeof out, g_root, "//app.js"), 0);
    CHECK(strstr(out, "/app.js") != NULL);
    CHECK_EQ_INT(cw_static_resolve(out, sizeof out, g_root, "/nope.js"), CW_ENOTFOUND);
    CHECK_EQ_INT(cw_static_resolve(out, sizeof out, g_root, "/../secret.txt"), CW_EINVAL);
    CHECK_EQ_INT(cw_static_resolve(out, sizeof out, g_root, "/sub/../../secret.txt"), CW_EINVAL);
    CHECK_EQ_INT(cw_static_resolve(out, sizeof out, g_root, "/./app.js"), CW_EINVAL);
    CHECK_EQ_INT(cw_static_resolve(out, sizeof out, g_root, "/.git/config"), CW_EINVAL);
    CHECK_EQ_INT(cw_static_resolve(out, sizeof out, g_root, "/sub\\..\\app.js"), CW_EINVAL);
    CHECK_EQ_INT(cw_static_resolve(out, sizeof out, g_root, "/app.js\n"), CW_EINVAL);
    CHECK_EQ_INT(cw_static_resolve(out, sizeof out, g_root, "app.js"), CW_EINVAL);
    CHECK_EQ_INT(cw_static_resolve(out, sizeof out, g_root, "/leak.txt"), CW_ENOTFOUND);
    CHECK(strstr(cw_error_last(), "outside") != NULL);
    CHECK_EQ_INT(cw_static_resolve(out, 8, g_root, "/app.js"), CW_EINVAL); /* out too small */
    char lng[1100];
    memset(lng, 'a', sizeof lng - 1);
    lng[0] = '/';
    lng[sizeof lng - 1] = 0;
    CHECK_EQ_INT(cw_static_resolve(out, sizeof out, g_root, lng), CW_EINVAL);
}

static void test_wants_and_types(void)
{
    CHECK(cw_static_wants("/"));
    CHECK(cw_static_wants("/index.html"));
    CHECK(cw_static_wants("/apix.js"));
    CHECK(cw_static_wants("/taxii2x"));
    CHECK(!cw_static_wants("/api"));
    CHECK(!cw_static_wants("/api/v1/alerts"));
    CHECK(!cw_static_wants("/taxii2/"));
    CHECK(!cw_static_wants("/taxii2"));
    CHECK(!cw_static_wants("x"));
    CHECK_EQ_STR(cw_static_content_type("/a/index.html"), "text/html; charset=utf-8");
    CHECK_EQ_STR(cw_static_content_type("app.JS"), "text/javascript; charset=utf-8");
    CHECK_EQ_STR(cw_static_content_type("/x/mod.mjs"), "text/javascript; charset=utf-8");
    CHECK_EQ_STR(cw_static_content_type("s.css"), "text/css; charset=utf-8");
    CHECK_EQ_STR(cw_static_content_type("i.svg"), "image/svg+xml");
    CHECK_EQ_STR(cw_static_content_type("i.png"), "image/png");
    CHECK_EQ_STR(cw_static_content_type("d.json"), "application/json");
    CHECK_EQ_STR(cw_static_content_type("/v/echarts.LICENSE"), "text/plain; charset=utf-8");
    CHECK_EQ_STR(cw_static_content_type("/v.d/blob"), "application/octet-stream");
    CHECK_EQ_STR(cw_static_content_type("noext"), "application/octet-stream");
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
    (void)cls;
    (void)version;
    (void)upload;
    if (!*con_cls) { /* first call: headers only */
        *con_cls = (void *)1;
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0;
        return MHD_YES;
    }
    if (!cw_static_wants(url)) {
        struct MHD_Response *r =
            MHD_create_response_from_buffer(3, (void *)(uintptr_t) "api", MHD_RESPMEM_PERSISTENT);
        enum MHD_Result ret = MHD_queue_response(c, 299, r);
        MHD_destroy_response(r);
        return ret;
    }
    return cw_static_serve(c, g_root, method, url);
}

typedef struct {
    long code;
    cw_buf body;
    char ctype[128], cache[64], etag[80], csp[16], allow[32];
    double clen;
} reply;

static size_t on_body(char *p, size_t sz, size_t nm, void *ud)
{
    reply *r = ud;
    cw_buf_append(&r->body, p, sz * nm);
    return sz * nm;
}

static void grab(char *dst, size_t cap, const char *line, const char *name)
{
    size_t l = strlen(name);
    if (strncasecmp(line, name, l) || line[l] != ':')
        return;
    const char *v = line + l + 1;
    while (*v == ' ')
        v++;
    size_t n = strcspn(v, "\r\n");
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, v, n);
    dst[n] = 0;
}

static size_t on_header(char *p, size_t sz, size_t nm, void *ud)
{
    reply *r = ud;
    char line[1024];
    size_t n = sz * nm < sizeof line - 1 ? sz * nm : sizeof line - 1;
    memcpy(line, p, n);
    line[n] = 0;
    grab(r->ctype, sizeof r->ctype, line, "Content-Type");
    grab(r->cache, sizeof r->cache, line, "Cache-Control");
    grab(r->etag, sizeof r->etag, line, "ETag");
    grab(r->csp, sizeof r->csp, line, "Content-Security-Policy");
    grab(r->allow, sizeof r->allow, line, "Allow");
    return sz * nm;
}

/* method NULL: GET. extra: one request header or NULL. */
static void fetch(reply *r, uint16_t port, const char *method, const char *path, const char *extra)
{
    memset(r, 0, sizeof *r);
    char url[1200];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", (unsigned)port, path);
    CURL *c = curl_easy_init();
    struct curl_slist *h = extra ? curl_slist_append(NULL, extra) : NULL;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L); /* send "../" as written */
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    if (method && !strcmp(method, "HEAD"))
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    else if (method)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (curl_easy_perform(c) == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->code);
        curl_off_t cl = -1;
        curl_easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
        r->clen = (double)cl;
    }
    cw_buf_append(&r->body, "", 1);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
}

static const char *text(const reply *r)
{
    return r->body.data ? (const char *)r->body.data : "";
}

static void test_live(void)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* port 0: the kernel picks one */
    struct MHD_Daemon *d =
        MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL, handler,
                         NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_END);
    REQUIRE(d);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    uint16_t port = info->port;
    reply r;

    fetch(&r, port, NULL, "/", NULL);
    CHECK_EQ_INT(r.code, 200);
    CHECK_EQ_STR(text(&r), "<!doctype html><title>root</title>");
    CHECK_EQ_STR(r.ctype, "text/html; charset=utf-8");
    CHECK_EQ_STR(r.cache, "no-cache");
    CHECK(!strncmp(r.csp, "default-src", 11));
    CHECK(r.etag[0] == '"');
    char etag[80], inm[120];
    snprintf(etag, sizeof etag, "%s", r.etag);
    cw_buf_deinit(&r.body);

    snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
    fetch(&r, port, NULL, "/index.html", inm);
    CHECK_EQ_INT(r.code, 304);
    CHECK_EQ_STR(text(&r), "");
    cw_buf_deinit(&r.body);
    fetch(&r, port, NULL, "/index.html", "If-None-Match: \"other\"");
    CHECK_EQ_INT(r.code, 200);
    cw_buf_deinit(&r.body);

    fetch(&r, port, "HEAD", "/app.js", NULL);
    CHECK_EQ_INT(r.code, 200);
    CHECK_EQ_STR(r.ctype, "text/javascript; charset=utf-8");
    CHECK_EQ_INT((long)r.clen, 20);
    CHECK_EQ_STR(text(&r), "");
    cw_buf_deinit(&r.body);

    fetch(&r, port, NULL, "/vendor/lib.min.js", NULL);
    CHECK_EQ_INT(r.code, 200);
    CHECK_EQ_STR(r.cache, "public, max-age=3600");
    CHECK_EQ_STR(text(&r), "var lib=1;\n");
    cw_buf_deinit(&r.body);

    fetch(&r, port, NULL, "/sub/", NULL);
    CHECK_EQ_INT(r.code, 200);
    CHECK_EQ_STR(text(&r), "<p>sub</p>");
    cw_buf_deinit(&r.body);

    fetch(&r, port, NULL, "/missing.css", NULL);
    CHECK_EQ_INT(r.code, 404);
    CHECK_EQ_STR(r.ctype, "application/json");
    CHECK(strstr(text(&r), "\"http_status\":\"404\"") != NULL);
    cw_buf_deinit(&r.body);

    fetch(&r, port, "POST", "/index.html", NULL);
    CHECK_EQ_INT(r.code, 405);
    CHECK_EQ_STR(r.allow, "GET, HEAD");
    cw_buf_deinit(&r.body);

    /* Never the secret, whatever the spelling. */
    const char *evil[] = {"/../secret.txt",     "/sub/../../secret.txt",
                          "/%2e%2e/secret.txt", "/sub/%2E%2E/%2e%2e/secret.txt",
                          "/leak.txt",          "/.git/config",
                          "/..%2fsecret.txt",   "/%2e%2e%5csecret.txt"};
    for (size_t i = 0; i < sizeof evil / sizeof evil[0]; i++) {
        fetch(&r, port, NULL, evil[i], NULL);
        if (r.code != 400 && r.code != 404)
            fprintf(stderr, "%s -> %ld\n", evil[i], r.code);
        CHECK(r.code == 400 || r.code == 404);
        CHECK(strstr(text(&r), "SECRET") == NULL && strstr(text(&r), "hidden") == NULL);
        cw_buf_deinit(&r.body);
    }

    fetch(&r, port, NULL, "/api/v1/alerts", NULL); /* not ours: the router's */
    CHECK_EQ_INT(r.code, 299);
    cw_buf_deinit(&r.body);
    MHD_stop_daemon(d);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    make_tree();
    RUN(test_resolve);
    RUN(test_wants_and_types);
    RUN(test_live);
    curl_global_cleanup();
    return cw_test_done();
}
