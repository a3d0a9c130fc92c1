/*
 * static.c: the dashboard's static files (see static.h for the rules).
 *
 * Path safety is checked twice: lexically on the decoded URL (no "..", ".", hidden or
 * backslashed segment, no control byte), then on the canonical path (realpath) of the file,
 * which must lie under the canonical root, so a symbolic link inside the root cannot lead
 * out of it. The file is opened read-only and handed to libmicrohttpd, which closes it.
 * Errors use the same JSON shape as the API, so the dashboard shows them the same way.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chainwatch/errors.h"
#include "server/static.h"

#define CSP                                                                                        \
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "                    \
    "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "         \
    "frame-ancestors 'none'; form-action 'self'"

bool cw_static_wants(const char *url)
{
    static const char *const api[] = {"/api", "/taxii2"};
    if (!url || url[0] != '/')
        return false;
    for (size_t i = 0; i < sizeof api / sizeof api[0]; i++) {
        size_t l = strlen(api[i]);
        if (!strncmp(url, api[i], l) && (url[l] == 0 || url[l] == '/'))
            return false;
    }
    return true;
}

/* Lexical check of the decoded URL path. */
static int check_url(const char *url)
{
    if (!url || url[0] != '/')
        return cw_error_set(CW_EINVAL, "static: path must start with '/'");
    if (strlen(url) >= 1024)
        return cw_error_set(CW_EINVAL, "static: path too long");
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == '\\')
            return cw_error_set(CW_EINVAL, "static: forbidden byte 0x%02x in path", *p);
    const char *p = url;
    while (*p) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        if (*p == '.') /* ".", "..", ".git", ".env": never served */
            return cw_error_set(CW_EINVAL, "static: '.' segment or hidden name in path");
        while (*p && *p != '/')
            p++;
    }
    return 0;
}

int cw_static_resolve(char *out, size_t cap, const char *root, const char *url)
{
    int rc = check_url(url);
    if (rc)
        return rc;
    char croot[PATH_MAX], want[PATH_MAX + 1100], real[PATH_MAX];
    if (!realpath(root, croot))
        return cw_error_set(CW_ENOTFOUND, "static: web root %s: %s", root, strerror(errno));
    int n = snprintf(want, sizeof want, "%s%s", croot, url);
    if (n < 0 || (size_t)n >= sizeof want)
        return cw_error_set(CW_EINVAL, "static: path too long");
    struct stat st;
    if (stat(want, &st) == 0 && S_ISDIR(st.st_mode)) {
        size_t l = strlen(want);
        n = snprintf(want + l, sizeof want - l, "%sindex.html", want[l - 1] == '/' ? "" : "/");
        if (n < 0 || (size_t)n >= sizeof want - l)
            return cw_error_set(CW_EINVAL, "static: path too long");
    }
    if (!realpath(want, real))
        return cw_error_set(CW_ENOTFOUND, "static: %s: no such file", url);
    size_t rl = strlen(croot);
    /* Under the root: the root itself is a directory, so a file must be below "root/". */
    bool root_is_slash = strcmp(croot, "/") == 0;
    if (strncmp(real, croot, rl) != 0 || (real[rl] != '/' && !root_is_slash))
        return cw_error_set(CW_ENOTFOUND, "static: %s leads outside the web root", url);
    if (stat(real, &st) || !S_ISREG(st.st_mode))
        return cw_error_set(CW_ENOTFOUND, "static: %s: not a regular file", url);
    if (strlen(real) >= cap)
        return cw_error_set(CW_EINVAL, "static: path too long");
    memcpy(out, real, strlen(real) + 1);
    return 0;
}

const char *cw_static_content_type(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {"html", "text/html; charset=utf-8"},
        {"htm", "text/html; charset=utf-8"},
        {"js", "text/javascript; charset=utf-8"},
        {"mjs", "text/javascript; charset=utf-8"},
        {"css", "text/css; charset=utf-8"},
        {"json", "application/json"},
        {"map", "application/json"},
        {"svg", "image/svg+xml"},
        {"png", "image/png"},
        {"jpg", "image/jpeg"},
        {"jpeg", "image/jpeg"},
        {"gif", "image/gif"},
        {"ico", "image/x-icon"},
        {"webp", "image/webp"},
        {"woff", "font/woff"},
        {"woff2", "font/woff2"},
        {"txt", "text/plain; charset=utf-8"},
        {"md", "text/markdown; charset=utf-8"},
        {"csv", "text/csv; charset=utf-8"},
        {"wasm", "application/wasm"},
    };
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash : path, '.');
    if (dot && dot[1] && !strchr(dot, '/'))
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (!strcasecmp(dot + 1, types[i].ext))
                return types[i].type;
    if (slash && !strcmp(slash + 1, "LICENSE"))
        return "text/plain; charset=utf-8";
    if (dot && !strcasecmp(dot, ".LICENSE"))
        return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

static void common_headers(struct MHD_Response *r)
{
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Content-Security-Policy", CSP);
}

static enum MHD_Result error(struct MHD_Connection *c, unsigned status, const char *title,
                             const char *description)
{
    char body[512];
    /* title and description are fixed strings here, never request text: nothing to escape */
    int n = snprintf(body, sizeof body,
                     "{\"description\":\"%s\",\"http_status\":\"%u\",\"title\":\"%s\"}",
                     description, status, title);
    if (n < 0 || (size_t)n >= sizeof body)
        n = 0;
    struct MHD_Response *r =
        MHD_create_response_from_buffer((size_t)n, body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    if (status == 405)
        MHD_add_response_header(r, "Allow", "GET, HEAD");
    common_headers(r);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Does the If-None-Match header list this ETag (or "*")? */
static bool etag_matches(const char *inm, const char *etag)
{
    if (!inm)
        return false;
    size_t el = strlen(etag);
    const char *p = inm;
    while (*p) {
        while (*p == ' ' || *p == ',' || *p == '\t')
            p++;
        if (!strncmp(p, "W/", 2))
            p += 2;
        if (*p == '*')
            return true;
        if (!strncmp(p, etag, el) && (p[el] == 0 || p[el] == ',' || p[el] == ' '))
            return true;
        while (*p && *p != ',')
            p++;
    }
    return false;
}

enum MHD_Result cw_static_serve(struct MHD_Connection *c, const char *root, const char *method,
                                const char *url)
{
    if (strcmp(method, "HEAD") != 0 && strcmp(method, "GET") != 0)
        return error(c, 405, "Method not allowed", "static files: GET or HEAD only");
    char path[PATH_MAX];
    int rc = cw_static_resolve(path, sizeof path, root, url);
    if (rc == CW_EINVAL)
        return error(c, 400, "Bad request", "malformed or forbidden path");
    if (rc)
        return error(c, 404, "Not found", "no such file");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return error(c, 404, "Not found", "no such file");
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        close(fd);
        return error(c, 404, "Not found", "no such file");
    }
    char etag[80];
    snprintf(etag, sizeof etag, "\"%llx-%llx-%lx\"", (unsigned long long)st.st_size,
             (unsigned long long)st.st_mtim.tv_sec, (unsigned long)st.st_mtim.tv_nsec);
    const char *cache = strstr(url, "/vendor/") == url ? "public, max-age=3600" : "no-cache";
    struct MHD_Response *r;
    unsigned status = MHD_HTTP_OK;
    const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
    if (etag_matches(inm, etag)) {
        close(fd);
        status = MHD_HTTP_NOT_MODIFIED;
        r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    } else {
        /* takes fd, closes it when the response is destroyed (also on failure since 0.9.x) */
        r = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
    }
    if (!r) {
        if (status == MHD_HTTP_OK)
            close(fd);
        return MHD_NO;
    }
    /* HEAD: libmicrohttpd sends the headers (Content-Length included) and no body */
    MHD_add_response_header(r, "Content-Type", cw_static_content_type(path));
    MHD_add_response_header(r, "Cache-Control", cache);
    MHD_add_response_header(r, "ETag", etag);
    common_headers(r);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}
