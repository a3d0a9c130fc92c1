/*
 * time.c: the one time layer: monotonic seconds (for durations and rates), and wall-clock
 * microseconds since the epoch with their RFC 3339 form (format and parse), for every module
 * that measures, stores or prints a time.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "chainwatch/errors.h"
#include "chainwatch/util.h"

double cw_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int64_t cw_time_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void cw_time_format(char buf[32], int64_t us, int digits)
{
    time_t s = (time_t)(us / 1000000);
    int64_t frac = us % 1000000;
    if (frac < 0) {
        frac += 1000000;
        s -= 1;
    }
    struct tm tm;
    gmtime_r(&s, &tm);
    size_t n = strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    if (digits == 3)
        snprintf(buf + n, 32 - n, ".%03dZ", (int)(frac / 1000));
    else if (digits == 6)
        snprintf(buf + n, 32 - n, ".%06dZ", (int)frac);
    else
        snprintf(buf + n, 32 - n, "Z");
}

int cw_time_parse(int64_t *out, const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (!s)
        return cw_error_set(CW_EINVAL, "timestamp missing");
    const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!p)
        return cw_error_set(CW_EINVAL, "timestamp '%s': expected YYYY-MM-DDTHH:MM:SS[.ffffff]Z", s);
    int64_t frac = 0;
    if (*p == '.') {
        p++;
        int nd = 0;
        while (isdigit((unsigned char)*p)) {
            if (nd < 6) {
                frac = frac * 10 + (*p - '0');
                nd++;
            }
            p++;
        }
        if (nd == 0)
            return cw_error_set(CW_EINVAL, "timestamp '%s': empty fraction", s);
        for (; nd < 6; nd++)
            frac *= 10;
    }
    /* RFC 3339: Z, or a numeric offset +HH:MM / -HH:MM (the instant is converted to UTC). */
    int64_t offset_s = 0;
    if ((p[0] == '+' || p[0] == '-') && isdigit((unsigned char)p[1]) &&
        isdigit((unsigned char)p[2]) && p[3] == ':' && isdigit((unsigned char)p[4]) &&
        isdigit((unsigned char)p[5]) && !p[6]) {
        int hh = (p[1] - '0') * 10 + (p[2] - '0'), mm = (p[4] - '0') * 10 + (p[5] - '0');
        if (hh > 23 || mm > 59)
            return cw_error_set(CW_EINVAL, "timestamp '%s': bad offset", s);
        offset_s = (int64_t)(hh * 3600 + mm * 60) * (p[0] == '-' ? -1 : 1);
    } else if (!((p[0] == 'Z' || p[0] == 'z') && !p[1])) {
        return cw_error_set(CW_EINVAL, "timestamp '%s': must end with Z or an offset like +09:00",
                            s);
    }
    time_t t = timegm(&tm);
    *out = ((int64_t)t - offset_s) * 1000000 + frac;
    return 0;
}
