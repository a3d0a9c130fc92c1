/*
 * static.h: serving the dashboard's static files (web/) from a web root (private to src/server).
 *
 * Only GET and HEAD; a URL path maps to a regular file under the root, never outside it: ".."
 * and "." segments, hidden names (a segment starting with '.'), backslashes, control bytes and
 * symbolic links that resolve outside the root are refused. "/" and directories map to their
 * index.html. Responses carry a content type by extension, an ETag (size and modification
 * time) answered with 304 on If-None-Match, Cache-Control (no-cache, or one hour under
 * vendor/), and a Content-Security-Policy that allows only same-origin scripts.
 */
#ifndef CW_SERVER_STATIC_H
#define CW_SERVER_STATIC_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

/* True when url (a decoded path as libmicrohttpd hands it) is for the dashboard, that is not
 * under /api/ or /taxii2/ (nor exactly /api or /taxii2). */
bool cw_static_wants(const char *url);

/* Maps url under root to the canonical absolute path of a regular file, written to out (cap
 * bytes). Returns 0, CW_EINVAL (a malformed or forbidden path: "..", ".", hidden segment,
 * backslash, control byte, too long) or CW_ENOTFOUND (no such regular file, or a link that
 * leaves the root). root must exist. */
int cw_static_resolve(char *out, size_t cap, const char *root, const char *url);

/* The Content-Type for a file name, by its extension (application/octet-stream when unknown). */
const char *cw_static_content_type(const char *path);

/* Answers the request (method, decoded url) on c from the files under root: 200 with the file
 * (HEAD: headers only), 304, or a JSON error {"title","description","http_status"} with 400,
 * 404 or 405. Returns what MHD_queue_response returns. */
enum MHD_Result cw_static_serve(struct MHD_Connection *c, const char *root, const char *method,
                                const char *url);

#endif
