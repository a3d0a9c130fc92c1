/*
 * errors.h: chainwatch's error convention.
 *
 * Functions that can fail return int: 0 on success or a negative CW_E* code. The detail
 * (file, offset, field) goes into a thread-local message set with cw_error_set() and read
 * with cw_error_last(). The message stays until the next cw_error_set() on that thread.
 */
#ifndef CHAINWATCH_ERRORS_H
#define CHAINWATCH_ERRORS_H

#include <stdarg.h>

enum {
    CW_OK = 0,
    CW_EINVAL = -1,    /* bad argument or bad user input */
    CW_ENOMEM = -2,    /* allocation failed */
    CW_EIO = -3,       /* operating system I/O error */
    CW_ENOTFOUND = -4, /* the thing asked for does not exist */
    CW_EEXISTS = -5,   /* already exists */
    CW_ECORRUPT = -6,  /* malformed or inconsistent data */
    CW_EVERSION = -7,  /* unsupported format version */
    CW_EPERM = -8,     /* not allowed */
    CW_EINTR = -9,     /* interrupted by a signal; work so far is committed */
    CW_EBUSY = -10     /* another process holds the lock */
};

/* Sets the thread-local detail message and returns `code`, so callers can write
 * `return cw_error_set(CW_EIO, "open %s: %s", path, strerror(errno));`. */
int cw_error_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cw_error_vset(int code, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Prefixes the current message with more context ("ingest: " + old message). */
int cw_error_wrap(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The last message on this thread (borrowed; valid until the next cw_error_set). Never NULL. */
const char *cw_error_last(void);

/* The last code set on this thread. */
int cw_error_code(void);

/* Clears the message. */
void cw_error_clear(void);

/* A static name for the code ("corrupt data"). */
const char *cw_strerror(int code);

#endif
