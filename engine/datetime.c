/*
 * datetime.c — reading and writing dates and times for CAST (datetime.h).
 *
 * Days are counted with the proleptic Gregorian calendar (H. Hinnant's days_from_civil and
 * civil_from_days), as PostgreSQL does, so every date from 0001-01-01 to 9999-12-31 has
 * exactly one text and one number.
 */
#include "datetime.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define USEC_PER_SEC INT64_C(1000000)
#define USEC_PER_DAY (INT64_C(86400) * USEC_PER_SEC)
#define DAYS_MIN INT64_C(-719162) /* 0001-01-01 */
#define DAYS_END INT64_C(2932897) /* 10000-01-01 */

/* ---- the calendar ---- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)((int64_t)yoe + era * 400 + (*m <= 2));
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

bool datetime_in_range(int64_t usec)
{
    int64_t days = floor_div(usec, USEC_PER_DAY);
    return days >= DAYS_MIN && days < DAYS_END;
}

int64_t datetime_round(int64_t usec, int digits)
{
    /* as PostgreSQL rounds: half away from zero, counting from its epoch, 2000-01-01 */
    const int64_t pg_epoch = INT64_C(946684800) * USEC_PER_SEC;
    int64_t unit = 1;
    for (int i = digits; i < 6; i++)
        unit *= 10;
    int64_t t = usec - pg_epoch;
    t = t >= 0 ? (t + unit / 2) / unit * unit : -((-t + unit / 2) / unit * unit);
    return t + pg_epoch;
}

size_t datetime_write(int64_t usec, datetime_out kind, char out[DATETIME_TEXT_MAX])
{
    int64_t days = floor_div(usec, USEC_PER_DAY), rest = usec - days * USEC_PER_DAY;
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    int n = snprintf(out, DATETIME_TEXT_MAX, "%04d-%02d-%02d", y, m, d);
    if (kind == DATETIME_DATE)
        return (size_t)n;
    int64_t secs = rest / USEC_PER_SEC, frac = rest % USEC_PER_SEC;
    n += snprintf(out + n, DATETIME_TEXT_MAX - (size_t)n, " %02d:%02d:%02d", (int)(secs / 3600),
                  (int)(secs / 60 % 60), (int)(secs % 60));
    if (frac) {
        int digits = 6;
        while (frac % 10 == 0)
            frac /= 10, digits--;
        n += snprintf(out + n, DATETIME_TEXT_MAX - (size_t)n, ".%0*d", digits, (int)frac);
    }
    if (kind == DATETIME_TIMESTAMPTZ)
        n += snprintf(out + n, DATETIME_TEXT_MAX - (size_t)n, "+00");
    return (size_t)n;
}

/* ---- reading ---- */

typedef struct cursor {
    const char *s;
    size_t n, i;
} cursor;

/* Between min and max digits; false (nothing consumed) when fewer than min. */
static bool read_digits(cursor *c, int min, int max, int *out)
{
    int v = 0, k = 0;
    while (k < max && c->i + (size_t)k < c->n && isdigit((unsigned char)c->s[c->i + k]))
        v = v * 10 + (c->s[c->i + k++] - '0');
    if (k < min)
        return false;
    c->i += (size_t)k;
    *out = v;
    return true;
}

/* At least one digit of a fraction (at most max when max > 0), as microseconds. Rounded as
 * PostgreSQL does, which reads the fraction as a double and rounds half to even: so a value
 * lands on the same microsecond here and in the warehouse. */
static bool read_fraction(cursor *c, int max, int64_t *usec)
{
    char digits[32] = "0.";
    size_t k = 0;
    while (c->i < c->n && isdigit((unsigned char)c->s[c->i]) && (max <= 0 || (int)k < max)) {
        if (k + 3 < sizeof(digits)) /* further digits cannot change a double */
            digits[2 + k] = c->s[c->i];
        c->i++;
        k++;
    }
    *usec = (int64_t)rint(strtod(digits, NULL) * 1000000.0);
    return k > 0;
}

static bool accept_char(cursor *c, char ch)
{
    if (c->i < c->n && tolower((unsigned char)c->s[c->i]) == tolower((unsigned char)ch)) {
        c->i++;
        return true;
    }
    return false;
}

static bool accept_word(cursor *c, const char *w)
{
    size_t n = strlen(w);
    if (c->n - c->i < n || strncasecmp(c->s + c->i, w, n) != 0)
        return false;
    c->i += n;
    return true;
}

/* The fields of one date and time, as read. */
typedef struct parts {
    int year, month, day, hour, minute, second;
    int64_t frac; /* microseconds */
    int meridiem; /* -1: none, 0: AM, 1: PM */
    bool hour12;  /* hour is on a 12-hour clock */
} parts;

static datetime_parsed compose(const parts *p, datetime_value *v)
{
    int hour = p->hour;
    if (p->hour12) {
        if (hour < 1 || hour > 12)
            return DATETIME_BAD;
        hour = hour % 12 + (p->meridiem == 1 ? 12 : 0);
    }
    if (p->year < 1 || p->year > 9999)
        return DATETIME_RANGE;
    /* as PostgreSQL: 24:00:00 is the end of the day, and a leap second 60 runs into the next
     * minute */
    bool end_of_day = hour == 24 && p->minute == 0 && p->second == 0 && p->frac == 0;
    if (p->month < 1 || p->month > 12 || p->day < 1 || p->day > days_in_month(p->year, p->month) ||
        (hour > 23 && !end_of_day) || p->minute > 59 || p->second > 60)
        return DATETIME_BAD;
    int64_t days = days_from_civil(p->year, (unsigned)p->month, (unsigned)p->day);
    v->usec = days * USEC_PER_DAY +
              ((int64_t)hour * 3600 + p->minute * 60 + p->second) * USEC_PER_SEC + p->frac;
    return DATETIME_OK;
}

/* Z, UTC, GMT, +hh, +hhmm, +hh:mm (or -), after optional spaces. */
static bool read_zone(cursor *c, datetime_value *v)
{
    while (c->i < c->n && c->s[c->i] == ' ')
        c->i++;
    v->has_offset = true;
    v->offset = 0;
    if (accept_word(c, "utc") || accept_word(c, "gmt") || accept_char(c, 'z'))
        return true;
    int sign = accept_char(c, '+') ? 1 : accept_char(c, '-') ? -1 : 0;
    int hh, mm = 0;
    if (!sign || !read_digits(c, 2, 2, &hh))
        return false;
    bool colon = accept_char(c, ':');
    if ((colon || c->i < c->n) && !read_digits(c, 2, 2, &mm))
        return false;
    if (hh > 15 || mm > 59)
        return false;
    v->offset = sign * (hh * 3600 + mm * 60);
    return true;
}

/* YYYY-MM-DD[( |T)HH:MI[:SS[.f]]][ zone] */
static datetime_parsed parse_iso(cursor *c, datetime_value *v)
{
    parts p = {.meridiem = -1};
    if (!read_digits(c, 4, 4, &p.year) || !accept_char(c, '-') || !read_digits(c, 1, 2, &p.month) ||
        !accept_char(c, '-') || !read_digits(c, 1, 2, &p.day))
        return DATETIME_BAD;
    if (c->i < c->n) {
        if (!accept_char(c, 'T') && !accept_char(c, ' '))
            return DATETIME_BAD;
        while (accept_char(c, ' '))
            ;
        if (!read_digits(c, 1, 2, &p.hour) || !accept_char(c, ':') ||
            !read_digits(c, 2, 2, &p.minute))
            return DATETIME_BAD;
        if (accept_char(c, ':')) { /* seconds, and only then a fraction */
            if (!read_digits(c, 2, 2, &p.second) ||
                (accept_char(c, '.') && !read_fraction(c, 0, &p.frac)))
                return DATETIME_BAD;
        }
        if (c->i < c->n && !read_zone(c, v))
            return DATETIME_BAD;
    }
    return c->i == c->n ? compose(&p, v) : DATETIME_BAD;
}

/* The field's slot in p, and how many digits it takes. */
static int *field_slot(parts *p, char field, int *width)
{
    *width = 2;
    switch (field) {
    case 'Y':
        *width = 4;
        return &p->year;
    case 'M':
        return &p->month;
    case 'D':
        return &p->day;
    case 'H':
    case 'h':
        return &p->hour;
    case 'I':
        return &p->minute;
    default: /* 'S' */
        return &p->second;
    }
}

static bool parse_item(cursor *c, const datetime_item *it, parts *p)
{
    switch (it->field) {
    case 0:
        for (size_t k = 0; k < it->lit_len; k++)
            if (!accept_char(c, it->lit[k]))
                return false;
        return true;
    case 'm':
    case 'u':
        return read_fraction(c, it->field == 'm' ? 3 : 6, &p->frac);
    case 'A':
        p->meridiem = accept_word(c, "am") ? 0 : accept_word(c, "pm") ? 1 : -1;
        return p->meridiem >= 0;
    default: {
        int width;
        int *slot = field_slot(p, it->field, &width);
        p->hour12 = p->hour12 || it->field == 'h';
        return read_digits(c, it->field == 'Y' ? 4 : 1, width, slot); /* a year in full */
    }
    }
}

static datetime_parsed parse_fields(const datetime_format *f, cursor *c, datetime_value *v)
{
    parts p = {.month = 1, .day = 1, .meridiem = -1};
    for (int k = 0; k < f->nitems; k++)
        if (!parse_item(c, &f->items[k], &p))
            return DATETIME_BAD;
    return c->i == c->n ? compose(&p, v) : DATETIME_BAD;
}

/* [-]digits[.digits] in units of `scale` microseconds. */
static datetime_parsed parse_epoch(cursor *c, int64_t scale, datetime_value *v)
{
    bool neg = accept_char(c, '-');
    if (!neg)
        accept_char(c, '+');
    int64_t whole = 0;
    size_t start = c->i;
    for (; c->i < c->n && isdigit((unsigned char)c->s[c->i]); c->i++) {
        if (whole > INT64_C(1000000000000000)) /* beyond year 9999 in any unit */
            return DATETIME_RANGE;
        whole = whole * 10 + (c->s[c->i] - '0');
    }
    int64_t frac = 0; /* microseconds of a whole unit, scaled below */
    bool digits = c->i > start;
    if (accept_char(c, '.') && read_fraction(c, 0, &frac))
        digits = true;
    if (!digits || c->i != c->n)
        return DATETIME_BAD;
    if (whole > INT64_C(400000000000000000) / scale) /* 12,600 years in microseconds */
        return DATETIME_RANGE;
    int64_t usec = whole * scale + (frac * scale + USEC_PER_SEC / 2) / USEC_PER_SEC;
    v->usec = neg ? -usec : usec;
    v->has_offset = true;
    v->offset = 0;
    return datetime_in_range(v->usec) ? DATETIME_OK : DATETIME_RANGE;
}

datetime_parsed datetime_parse(const datetime_format *f, const char *s, size_t n, datetime_value *v)
{
    cursor c = {s, n, 0};
    *v = (datetime_value){0};
    switch (f->kind) {
    case DATETIME_EPOCH:
        return parse_epoch(&c, USEC_PER_SEC, v);
    case DATETIME_EPOCH_MS:
        return parse_epoch(&c, 1000, v);
    case DATETIME_FIELDS:
        return parse_fields(f, &c, v);
    default:
        return parse_iso(&c, v);
    }
}

/* ---- FORMAT ---- */

static const struct {
    const char *word;
    char field;
} format_fields[] = {
    {"yyyy", 'Y'}, {"hh24", 'H'}, {"hh12", 'h'}, {"hh", 'h'}, {"mm", 'M'}, {"dd", 'D'},
    {"mi", 'I'},   {"ss", 'S'},   {"ms", 'm'},   {"us", 'u'}, {"am", 'A'}, {"pm", 'A'},
};

static bool format_fail(char *why, size_t whylen, const char *fmt, const char *what)
{
    snprintf(why, whylen, "FORMAT '%.64s' %s", fmt, what);
    return false;
}

static bool add_item(datetime_format *f, datetime_item it)
{
    if (f->nitems == DATETIME_MAX_ITEMS)
        return false;
    f->items[f->nitems++] = it;
    return true;
}

/* The field named at p, or NULL; *len is its length. */
static const char *field_at(const char *p, char *field, size_t *len)
{
    for (size_t k = 0; k < sizeof(format_fields) / sizeof(format_fields[0]); k++) {
        size_t n = strlen(format_fields[k].word);
        if (strncasecmp(p, format_fields[k].word, n) == 0) {
            *field = format_fields[k].field;
            *len = n;
            return format_fields[k].word;
        }
    }
    return NULL;
}

/* Does the set of fields make a date and time? */
static bool check_fields(const datetime_format *f, const char *fmt, char *why, size_t whylen)
{
    char seen[128] = {0};
    for (int k = 0; k < f->nitems; k++) {
        char field = f->items[k].field;
        if (field && seen[(int)field]++)
            return format_fail(why, whylen, fmt, "gives the same field twice");
    }
    if (!seen['Y'])
        return format_fail(why, whylen, fmt, "has no year (YYYY)");
    if (seen['A'] && !seen['h'])
        return format_fail(why, whylen, fmt, "has AM/PM without a 12-hour HH12");
    if (seen['H'] && seen['h'])
        return format_fail(why, whylen, fmt, "has both HH24 and HH12");
    if (seen['m'] && seen['u'])
        return format_fail(why, whylen, fmt, "has both MS and US");
    return true;
}

bool datetime_format_compile(const char *fmt, datetime_format *f, char *why, size_t whylen)
{
    *f = (datetime_format){.kind = DATETIME_ISO};
    if (!fmt)
        return true;
    if (strcasecmp(fmt, "epoch") == 0 || strcasecmp(fmt, "epoch_ms") == 0) {
        f->kind = fmt[5] ? DATETIME_EPOCH_MS : DATETIME_EPOCH;
        return true;
    }
    f->kind = DATETIME_FIELDS;
    for (const char *p = fmt; *p;) {
        datetime_item it = {0};
        size_t len = 1;
        if (*p == '"') {
            const char *end = strchr(p + 1, '"');
            if (!end)
                return format_fail(why, whylen, fmt, "has a '\"' that is not closed");
            it = (datetime_item){0, p + 1, (size_t)(end - p - 1)};
            len = (size_t)(end - p) + 1;
        } else if (isalpha((unsigned char)*p) && !field_at(p, &it.field, &len)) {
            if (*p != 'T' && *p != 't')
                return format_fail(why, whylen, fmt,
                                   "has a letter that is not a field: the fields are YYYY MM DD "
                                   "HH24 HH12 MI SS MS US AM PM; put other text in double "
                                   "quotes");
            it = (datetime_item){0, p, 1};
        } else if (!it.field) { /* a run of punctuation, digits, spaces… */
            while (p[len] && p[len] != '"' && !isalpha((unsigned char)p[len]))
                len++;
            it = (datetime_item){0, p, len};
        }
        if (!add_item(f, it))
            return format_fail(why, whylen, fmt, "has too many parts");
        p += len;
    }
    return check_fields(f, fmt, why, whylen);
}
