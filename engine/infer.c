/*
 * infer.c — see infer.h.
 */
#include "infer.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool is_bool(const char *s, size_t n)
{
    static const char *const words[] = {"true", "false", "t", "f", "yes", "no", "y", "n"};
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strlen(words[i]) == n && strncasecmp(s, words[i], n) == 0)
            return true;
    return false;
}

static size_t digits(const char *s, size_t n, size_t i)
{
    size_t start = i;
    while (i < n && isdigit((unsigned char)s[i]))
        i++;
    return i - start;
}

/* Integer (by width) or numeric, or NONE when s is not a number. */
static infer_type number(const char *s, size_t n)
{
    size_t i = (n && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
    size_t whole = digits(s, n, i);
    i += whole;
    size_t frac = 0;
    bool point = i < n && s[i] == '.';
    if (point)
        frac = digits(s, n, ++i), i += frac;
    if (whole + frac == 0)
        return INFER_NONE;
    bool exponent = i < n && (s[i] == 'e' || s[i] == 'E');
    if (exponent) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t e = digits(s, n, i);
        if (e == 0)
            return INFER_NONE;
        i += e;
    }
    if (i != n)
        return INFER_NONE;
    if (point || exponent)
        return INFER_NUMERIC;
    char buf[32];
    if (n >= sizeof(buf))
        return INFER_NUMERIC;
    memcpy(buf, s, n);
    buf[n] = '\0';
    errno = 0;
    long long v = strtoll(buf, NULL, 10);
    if (errno == ERANGE)
        return INFER_NUMERIC;
    return v >= -2147483648LL && v <= 2147483647LL ? INFER_INTEGER : INFER_BIGINT;
}

/* Exactly k digits at i, their value in *v. */
static bool fixed(const char *s, size_t n, size_t i, size_t k, int *v)
{
    if (i + k > n)
        return false;
    *v = 0;
    for (size_t j = i; j < i + k; j++) {
        if (!isdigit((unsigned char)s[j]))
            return false;
        *v = *v * 10 + (s[j] - '0');
    }
    return true;
}

static bool date_at(const char *s, size_t n)
{
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d;
    if (!fixed(s, n, 0, 4, &y) || n < 10 || s[4] != '-' || !fixed(s, n, 5, 2, &m) || s[7] != '-' ||
        !fixed(s, n, 8, 2, &d))
        return false;
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(m == 2 && d == 29 && !leap);
}

/* The time after a date: HH:MM[:SS[.f…]], then what follows, at *end. */
static bool time_at(const char *s, size_t n, size_t i, size_t *end)
{
    int h, mi, sec;
    if (!fixed(s, n, i, 2, &h) || i + 2 >= n || s[i + 2] != ':' || !fixed(s, n, i + 3, 2, &mi))
        return false;
    i += 5;
    if (i < n && s[i] == ':') {
        if (!fixed(s, n, i + 1, 2, &sec) || sec > 60)
            return false;
        i += 3;
        if (i < n && s[i] == '.') {
            size_t f = digits(s, n, i + 1);
            if (f == 0)
                return false;
            i += 1 + f;
        }
    }
    *end = i;
    return h <= 23 && mi <= 59;
}

/* Z, +HH, +HH:MM, +HHMM (or -) from i to the end. */
static bool offset_at(const char *s, size_t n, size_t i)
{
    if (i < n && (s[i] == 'Z' || s[i] == 'z'))
        return i + 1 == n;
    if (i >= n || (s[i] != '+' && s[i] != '-'))
        return false;
    int h, m;
    if (!fixed(s, n, i + 1, 2, &h) || h > 15)
        return false;
    i += 3;
    if (i == n)
        return true;
    if (s[i] == ':')
        i++;
    return fixed(s, n, i, 2, &m) && m <= 59 && i + 2 == n;
}

static infer_type datetime(const char *s, size_t n)
{
    if (!date_at(s, n))
        return INFER_NONE;
    if (n == 10)
        return INFER_DATE;
    if (s[10] != ' ' && s[10] != 'T')
        return INFER_NONE;
    size_t end;
    if (!time_at(s, n, 11, &end))
        return INFER_NONE;
    if (end == n)
        return INFER_TIMESTAMP;
    if (end < n && s[end] == ' ')
        end++; /* "2026-11-22 10:00:00 +01" */
    return offset_at(s, n, end) ? INFER_TIMESTAMPTZ : INFER_NONE;
}

infer_type infer_value(const char *s, size_t len)
{
    if (len == 0)
        return INFER_TEXT; /* an empty string (not NULL) is text */
    if (is_bool(s, len))
        return INFER_BOOLEAN;
    infer_type t = number(s, len);
    if (t != INFER_NONE)
        return t;
    t = datetime(s, len);
    return t != INFER_NONE ? t : INFER_TEXT;
}

static bool numeric_kind(infer_type t)
{
    return t == INFER_INTEGER || t == INFER_BIGINT || t == INFER_NUMERIC;
}

infer_type infer_widen(infer_type a, infer_type b)
{
    if (a == INFER_NONE || a == b)
        return b;
    if (b == INFER_NONE)
        return a;
    if (numeric_kind(a) && numeric_kind(b))
        return a > b ? a : b;
    infer_type lo = a < b ? a : b, hi = a < b ? b : a;
    if (lo == INFER_DATE && (hi == INFER_TIMESTAMP || hi == INFER_TIMESTAMPTZ))
        return hi;
    return INFER_TEXT;
}

const char *infer_type_name(infer_type t)
{
    static const char *const names[] = {
        [INFER_NONE] = "text",           [INFER_BOOLEAN] = "boolean",
        [INFER_INTEGER] = "integer",     [INFER_BIGINT] = "bigint",
        [INFER_NUMERIC] = "numeric",     [INFER_DATE] = "date",
        [INFER_TIMESTAMP] = "timestamp", [INFER_TIMESTAMPTZ] = "timestamptz",
        [INFER_TEXT] = "text",
    };
    return names[t];
}
