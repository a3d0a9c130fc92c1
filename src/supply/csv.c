/*
 * csv.c: the supply loaders' field parsers (trimmed text, months, dates, numbers with or
 * without thousands separators). Records come from the one CSV reader, chainwatch/csv.h.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chainwatch/errors.h"
#include "chainwatch/util.h"
#include "supply/supply_int.h"

char *cw_supply__trim(char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t l = strlen(s);
    while (l && isspace((unsigned char)s[l - 1]))
        s[--l] = 0;
    return s;
}

static int digits(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int cw_supply__month_parse(const char *s)
{
    size_t l = strlen(s);
    int y = -1, m = -1;
    /* the month starts after a separator ("YYYY-MM", "YYYY-MM-DD", "YYYYMmm") or directly
     * ("YYYYMM", "YYYYMMDD" as in refPeriodId) */
    bool sep = (l == 7 || (l == 10 && s[7] == '-')) &&
               (s[4] == '-' || (l == 7 && (s[4] == 'M' || s[4] == 'm')));
    bool plain = l == 6 || l == 8;
    if (sep || plain) {
        y = digits(s, 4);
        m = digits(s + (sep ? 5 : 4), 2);
    }
    if (y < 1900 || y > 2200 || m < 1 || m > 12)
        return -1;
    return y * 12 + m - 1;
}

void cw_supply__month_format(char out[8], int m)
{
    int y = m / 12, mo = m % 12 + 1;
    if (y < 0 || y > 9999)
        y = 0;
    out[0] = (char)('0' + y / 1000 % 10);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + mo / 10);
    out[6] = (char)('0' + mo % 10);
    out[7] = 0;
}

static bool valid_ymd(int y, int m, int d)
{
    static const int dim[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > dim[m - 1])
        return false;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return false;
    return true;
}

int cw_supply__date_norm(char out[11], const char *s)
{
    size_t l = strlen(s);
    int y, m = 0, d = 0;
    if (l == 4) {
        y = digits(s, 4);
        if (y < 1900 || y > 2200)
            return CW_EINVAL;
        snprintf(out, 11, "%04u", (unsigned)y % 10000u);
        return 0;
    }
    if (l == 7 && s[4] == '-') {
        y = digits(s, 4);
        m = digits(s + 5, 2);
        if (!valid_ymd(y, m, 1))
            return CW_EINVAL;
        snprintf(out, 11, "%04u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u);
        return 0;
    }
    if (l == 10 && s[4] == '-' && s[7] == '-') {
        y = digits(s, 4);
        m = digits(s + 5, 2);
        d = digits(s + 8, 2);
    } else if (l == 10 && s[2] == '/' && s[5] == '/') {
        m = digits(s, 2);
        d = digits(s + 3, 2);
        y = digits(s + 6, 4);
    } else {
        return CW_EINVAL;
    }
    if (!valid_ymd(y, m, d))
        return CW_EINVAL;
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
             (unsigned)d % 100u);
    return 0;
}

int cw_supply__num(double *out, const char *s, bool commas)
{
    char tmp[64];
    size_t j = 0;
    while (*s == ' ')
        s++;
    if (!*s)
        return CW_EINVAL;
    for (; *s && j + 1 < sizeof tmp; s++) {
        if (commas && *s == ',')
            continue;
        tmp[j++] = *s;
    }
    if (*s)
        return CW_EINVAL;
    while (j && tmp[j - 1] == ' ')
        j--;
    tmp[j] = 0;
    char *end;
    errno = 0;
    double v = strtod(tmp, &end);
    if (errno || *end || end == tmp || v != v || v == HUGE_VAL || v == -HUGE_VAL)
        return CW_EINVAL;
    /* reject hex floats and "inf"/"nan" spelled out */
    for (const char *p = tmp; *p; p++)
        if (isalpha((unsigned char)*p) && *p != 'e' && *p != 'E')
            return CW_EINVAL;
    *out = v;
    return 0;
}

int cw_supply__digits(int *out, const char *s, size_t n)
{
    char tmp[20];
    if (!s || n == 0 || n >= sizeof tmp)
        return CW_EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return CW_EINVAL;
        tmp[i] = s[i];
    }
    tmp[n] = 0;
    int64_t v;
    if (cw_parse_i64(&v, tmp))
        return CW_EINVAL;
    *out = (int)v;
    return 0;
}
