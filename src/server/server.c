/*
 * server.c: the libmicrohttpd daemon, the request life cycle and authentication.
 *
 * Each request gets an arena (freed by the completion callback) holding its state, its
 * body and its serialized response. Bodies over max_body are refused with 413 before they
 * are read to the end. Every request under /api/v1/ and /taxii2/ needs an API key
 * ("Authorization: Bearer KEY" or "X-API-Key: KEY"); a missing, unknown or revoked key gets
 * 401 and an audit entry (auth.fail). Authenticated requests are audited too (http.read /
 * http.write with the status code). The node is used under one mutex. With a web root, other
 * paths are the dashboard's static files (static.c), served without a key.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chainwatch/errors.h"
#include "chainwatch/util.h"
#include "server/internal.h"
#include "server/static.h"

void cw_server__error(cw_resp *r, unsigned status, const char *title, const char *description)
{
    char code[8];
    snprintf(code, sizeof code, "%u", status);
    json_decref(r->body);
    r->status = status;
    r->body = json_pack("{s:s, s:s, s:s}", "title", title, "description",
                        description ? description : title, "http_status", code);
}

void cw_server__fail(cw_resp *r, int rc)
{
    unsigned status = rc == CW_ENOTFOUND ? 404 : rc == CW_EINVAL ? 400 : 500;
    cw_server__error(r, status,
                     status == 404   ? "Not found"
                     : status == 400 ? "Bad request"
                                     : "Server error",
                     cw_error_last());
}

void cw_server__header(cw_resp *r, const char *name, const char *value)
{
    if (r->n_hdr < 4) {
        r->hdr_name[r->n_hdr] = name;
        r->hdr_value[r->n_hdr] = value;
        r->n_hdr++;
    }
}

const char *cw_server__arg(cw_req *q, const char *name)
{
    return MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND, name);
}

static const char *api_key_of(struct MHD_Connection *c)
{
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (auth && !strncasecmp(auth, "Bearer ", 7))
        return auth + 7;
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-API-Key");
}

static enum MHD_Result send_resp(cw_req *q, cw_resp *r)
{
    size_t len = 0;
    char *text = NULL;
    if (r->body) {
        len = json_dumpb(r->body, NULL, 0, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
        text = cw_arena_alloc(q->arena, len + 1);
        if (text)
            json_dumpb(r->body, text, len, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
        else
            len = 0;
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        len, text ? text : (void *)(uintptr_t) "", MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type",
                            r->content_type ? r->content_type : "application/json");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    for (int i = 0; i < r->n_hdr; i++)
        MHD_add_response_header(resp, r->hdr_name[i], r->hdr_value[i]);
    enum MHD_Result ret = MHD_queue_response(q->conn, r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Splits the path after `prefix` into segments in the arena; rejects "." and "..". */
static int split(cw_req *q, const char *path, char **segs, int max)
{
    int n = 0;
    const char *p = path;
    while (*p) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        const char *e = strchr(p, '/');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (n == max || (l == 1 && p[0] == '.') || (l == 2 && p[0] == '.' && p[1] == '.'))
            return -1;
        segs[n++] = cw_arena_strndup(q->arena, p, l);
        p += l;
    }
    return n;
}

static void handle(cw_server *s, cw_req *q, cw_resp *r)
{
    const char *url = q->url;
    bool api = !strncmp(url, "/api/v1/", 8) || !strcmp(url, "/api/v1");
    bool taxii = !strncmp(url, "/taxii2/", 8) || !strcmp(url, "/taxii2");
    if (!api && !taxii) {
        cw_server__error(r, 404, "Not found", "no such resource");
        return;
    }
    if (taxii)
        r->content_type = "application/taxii+json;version=2.1";
    if (q->too_big) {
        cw_server__error(r, 413, "Request body too large", NULL);
        return;
    }
    char *segs[12];
    int n = split(q, url + (api ? 7 : 1), segs, 12);
    if (n < 0) {
        cw_server__error(r, 404, "Not found", "bad path");
        return;
    }
    const char *key = api_key_of(q->conn);
    pthread_mutex_lock(&s->lock);
    int rc = cw_keys_authenticate(s->node, key, &q->who);
    if (rc) {
        char reason[256];
        snprintf(reason, sizeof reason, "%s", cw_error_last());
        char target[600];
        snprintf(target, sizeof target, "%s %s", q->method, url);
        cw_audit_append(s->node, q->who.name[0] ? q->who.name : "(unknown)", "auth.fail", target,
                        "401", reason);
        pthread_mutex_unlock(&s->lock);
        cw_server__error(r, 401, "Unauthorized", "missing, unknown or revoked API key");
        cw_server__header(r, "WWW-Authenticate", "Bearer realm=\"chainwatch\"");
        return;
    }
    if (api)
        cw_server__api(s, q, segs, n, r);
    else
        cw_server__taxii(s, q, segs, n, r);
    char target[600], code[8];
    snprintf(target, sizeof target, "%s %s", q->method, url);
    snprintf(code, sizeof code, "%u", r->status);
    cw_audit_append(s->node, q->who.name, strcmp(q->method, "GET") ? "http.write" : "http.read",
                    target, code, r->audit_detail ? r->audit_detail : "");
    pthread_mutex_unlock(&s->lock);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    cw_server *s = cls;
    cw_req *q = *con_cls;
    if (!q) {
        cw_arena *a = cw_arena_new(8192);
        if (!a)
            return MHD_NO;
        q = cw_arena_alloc(a, sizeof *q);
        memset(q, 0, sizeof *q);
        q->arena = a;
        q->conn = c;
        q->method = cw_arena_strndup(a, method, strlen(method));
        q->url = cw_arena_strndup(a, url, strlen(url));
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        uint64_t len = 0;
        if (cl && (cw_parse_u64(&len, cl) || len > s->max_body))
            q->too_big = true;
        *con_cls = q;
        if (!q->too_big)
            return MHD_YES;
    }
    if (*upload_size) {
        if (!q->too_big) {
            size_t need = q->body_len + *upload_size + 1;
            if (need > s->max_body + 1) {
                q->too_big = true;
            } else if (need > q->body_cap) {
                size_t cap = q->body_cap ? q->body_cap * 2 : 4096;
                while (cap < need)
                    cap *= 2;
                char *nb = cw_arena_alloc(q->arena, cap);
                if (!nb)
                    return MHD_NO;
                if (q->body_len)
                    memcpy(nb, q->body, q->body_len);
                q->body = nb;
                q->body_cap = cap;
            }
            if (!q->too_big) {
                memcpy(q->body + q->body_len, upload, *upload_size);
                q->body_len += *upload_size;
                q->body[q->body_len] = 0;
            }
        }
        *upload_size = 0;
        if (!q->too_big)
            return MHD_YES;
    }
    /* The dashboard's files: no API key (they hold no data; the pages call the API with one). */
    if (s->web_root && !q->too_big && cw_static_wants(q->url))
        return cw_static_serve(c, s->web_root, q->method, q->url);
    cw_resp r;
    memset(&r, 0, sizeof r);
    r.status = 200;
    handle(s, q, &r);
    if (!r.body)
        cw_server__error(&r, 500, "Internal error", "out of memory");
    enum MHD_Result ret = send_resp(q, &r);
    json_decref(r.body);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    cw_req *q = *con_cls;
    if (q)
        cw_arena_free(q->arena);
    *con_cls = NULL;
}

static int parse_listen(const char *listen, struct sockaddr_in *sa, bool *loopback)
{
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    const char *colon = listen ? strrchr(listen, ':') : NULL;
    if (!colon || colon == listen)
        return cw_error_set(CW_EINVAL, "--listen: expected HOST:PORT (IPv4), got '%s'",
                            listen ? listen : "(null)");
    char host[64];
    size_t hl = (size_t)(colon - listen);
    if (hl >= sizeof host)
        return cw_error_set(CW_EINVAL, "--listen: host too long");
    memcpy(host, listen, hl);
    host[hl] = 0;
    if (!strcmp(host, "localhost"))
        snprintf(host, sizeof host, "127.0.0.1");
    uint64_t port;
    if (cw_parse_u64(&port, colon + 1) || port > 65535)
        return cw_error_set(CW_EINVAL, "--listen: bad port '%s'", colon + 1);
    if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
        return cw_error_set(CW_EINVAL, "--listen: '%s' is not an IPv4 address", host);
    sa->sin_port = htons((uint16_t)port);
    *loopback = (ntohl(sa->sin_addr.s_addr) >> 24) == 127;
    return 0;
}

static int read_text(char **out, const char *path, const char *what)
{
    uint8_t *data = NULL;
    size_t n = 0;
    int rc = cw_file_read(&data, &n, path);
    if (rc)
        return cw_error_wrap(rc, "%s: ", what);
    char *t = cw_realloc(data, n + 1);
    if (!t) {
        cw_free(data);
        return cw_error_set(CW_ENOMEM, "out of memory");
    }
    t[n] = 0;
    *out = t;
    return 0;
}

int cw_server_start(cw_server **out, const cw_server_config *cfg)
{
    *out = NULL;
    struct sockaddr_in sa;
    bool loopback = false;
    int rc = parse_listen(cfg->listen, &sa, &loopback);
    if (rc)
        return rc;
    bool tls = cfg->tls_cert || cfg->tls_key;
    if (tls && !(cfg->tls_cert && cfg->tls_key))
        return cw_error_set(CW_EINVAL, "TLS needs both --tls-cert and --tls-key");
    if (!tls && !loopback)
        return cw_error_set(CW_EINVAL,
                            "plain HTTP is allowed only on loopback; give --tls-cert and --tls-key "
                            "to listen on %s",
                            cfg->listen);
    if (tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
        return cw_error_set(CW_EINVAL, "this libmicrohttpd was built without TLS support");
    cw_server *s = cw_calloc(1, sizeof *s);
    if (!s)
        return cw_error_set(CW_ENOMEM, "out of memory");
    pthread_mutex_init(&s->lock, NULL);
    s->max_body = cfg->max_body ? cfg->max_body : (1u << 20);
    if (tls && ((rc = read_text(&s->cert, cfg->tls_cert, "--tls-cert")) ||
                (rc = read_text(&s->key, cfg->tls_key, "--tls-key"))))
        goto fail;
    if (cfg->web_root && !(s->web_root = cw_strdup(cfg->web_root))) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto fail;
    }
    if ((rc = cw_node_open(&s->node, cfg->db_path)))
        goto fail;
    if ((cfg->supply_db && !(s->supply_db = cw_strdup(cfg->supply_db))) ||
        (cfg->supply_rules && !(s->supply_rules = cw_strdup(cfg->supply_rules)))) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto fail;
    }
    if ((cfg->store_dir || cfg->labels_db) &&
        (rc = cw_server__chain_open(&s->chain, cfg->store_dir, cfg->labels_db)))
        goto fail;
    /* Publish what the engines raised while the server was down. */
    if ((rc = cw_share_publish_pending(s->node, NULL)))
        goto fail;
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
    if (tls)
        flags |= MHD_USE_TLS;
    unsigned threads = cfg->threads ? cfg->threads : 2;
    if (tls)
        s->d = MHD_start_daemon(
            flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
            MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_THREAD_POOL_SIZE, threads,
            MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_CONNECTION_LIMIT, 512u,
            MHD_OPTION_HTTPS_MEM_CERT, s->cert, MHD_OPTION_HTTPS_MEM_KEY, s->key, MHD_OPTION_END);
    else
        s->d = MHD_start_daemon(
            flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
            MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_THREAD_POOL_SIZE, threads,
            MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_CONNECTION_LIMIT, 512u, MHD_OPTION_END);
    if (!s->d) {
        rc = cw_error_set(CW_EIO, "cannot listen on %s (in use, or bad TLS files)", cfg->listen);
        goto fail;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : ntohs(sa.sin_port);
    cw_audit_append(s->node, "server", "server.start", cfg->listen, "ok", tls ? "https" : "http");
    *out = s;
    return 0;
fail:
    cw_server_stop(s);
    return rc;
}

uint16_t cw_server_port(const cw_server *s)
{
    return s->port;
}

void cw_server_stop(cw_server *s)
{
    if (!s)
        return;
    if (s->d)
        MHD_stop_daemon(s->d);
    if (s->node && s->d)
        cw_audit_append(s->node, "server", "server.stop", "", "ok", "");
    cw_node_close(s->node);
    cw_server__chain_close(s->chain);
    cw_free(s->supply_db);
    cw_free(s->supply_rules);
    pthread_mutex_destroy(&s->lock);
    cw_free(s->cert);
    cw_free(s->key);
    cw_free(s->web_root);
    cw_free(s);
}
