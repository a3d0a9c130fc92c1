/*
 * error.c: thread-local error detail, see include/chainwatch/errors.h.
 * Each thread keeps one message buffer; nothing here allocates.
 */
#include <stdio.h>
#include <string.h>

#include "chainwatch/errors.h"

#define CW_ERRMSG_MAX 1024

static _Thread_local char errmsg[CW_ERRMSG_MAX];
static _Thread_local int errcode;

__attribute__((format(printf, 2, 0))) int cw_error_vset(int code, const char *fmt, va_list ap)
{
    vsnprintf(errmsg, sizeof errmsg, fmt, ap);
    errcode = code;
    return code;
}

int cw_error_set(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cw_error_vset(code, fmt, ap);
    va_end(ap);
    return code;
}

int cw_error_wrap(int code, const char *fmt, ...)
{
    char prefix[CW_ERRMSG_MAX];
    char old[CW_ERRMSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, errmsg, sizeof old);
    size_t n = strlen(prefix);
    memcpy(errmsg, prefix, n + 1);
    size_t room = sizeof errmsg - n - 1;
    size_t m = strnlen(old, room);
    memcpy(errmsg + n, old, m);
    errmsg[n + m] = '\0';
    errcode = code;
    return code;
}

const char *cw_error_last(void)
{
    return errmsg[0] ? errmsg : cw_strerror(errcode);
}

int cw_error_code(void)
{
    return errcode;
}

void cw_error_clear(void)
{
    errmsg[0] = '\0';
    errcode = 0;
}

const char *cw_strerror(int code)
{
    switch (code) {
    case CW_OK:
        return "success";
    case CW_EINVAL:
        return "invalid argument";
    case CW_ENOMEM:
        return "out of memory";
    case CW_EIO:
        return "I/O error";
    case CW_ENOTFOUND:
        return "not found";
    case CW_EEXISTS:
        return "already exists";
    case CW_ECORRUPT:
        return "corrupt data";
    case CW_EVERSION:
        return "unsupported version";
    case CW_EPERM:
        return "permission denied";
    case CW_EINTR:
        return "interrupted";
    case CW_EBUSY:
        return "busy";
    default:
        return "unknown error";
    }
}
