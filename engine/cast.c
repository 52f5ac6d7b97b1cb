/*
 * cast.c — CAST's types: parsing text into them and writing their canonical text (cast.h).
 */
#include "cast.h"
#include "utf8.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NUMERIC_MAX_PRECISION 1000
#define NUMERIC_MAX_INT_DIGITS 131072 /* PostgreSQL's limits for an unconstrained numeric */
#define NUMERIC_MAX_SCALE 16383
#define QUOTE_MAX_CHARS 64

/* ---- the reason, in plain words ---- */

/* The value as a message shows it: in double quotes, cut after 64 characters, with control
 * characters and bytes that are not UTF-8 written \n, \t, \xNN, so a reason is always clean
 * text whatever the record held. */
static void quote_value(char *out, size_t cap, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t o = 0, i = 0;
    out[o++] = '"';
    for (int chars = 0; i < n && chars < QUOTE_MAX_CHARS && o + 8 < cap; chars++) {
        size_t len = utf8_seq_len(u + i, n - i);
        if (len == 1 && (u[i] < 0x20 || u[i] == 0x7F))
            len = 0;
        if (len) {
            memcpy(out + o, s + i, len);
            o += len;
            i += len;
        } else {
            const char *esc = u[i] == '\n'   ? "\\n"
                              : u[i] == '\r' ? "\\r"
                              : u[i] == '\t' ? "\\t"
                                             : NULL;
            o += esc ? (size_t)snprintf(out + o, cap - o, "%s", esc)
                     : (size_t)snprintf(out + o, cap - o, "\\x%02X", u[i]);
            i++;
        }
    }
    o += (size_t)snprintf(out + o, cap - o, "%s\"", i < n ? "…" : "");
}

/* What a cast works on: the value, where its text goes, where a reason goes. */
typedef struct cast_ctx {
    const cast_spec *s;
    const char *raw; /* the value as given, for messages */
    size_t raw_len;
    arena *a;
    sl_field *out;
    char *reason;
    size_t reason_size;
    bool *oom;
} cast_ctx;

static bool bad(cast_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* reason = value "…" <what fmt says>; always false. */
static bool bad(cast_ctx *c, const char *fmt, ...)
{
    char quoted[QUOTE_MAX_CHARS * 4 + 16];
    quote_value(quoted, sizeof(quoted), c->raw, c->raw_len);
    int n = snprintf(c->reason, c->reason_size, "value %s ", quoted);
    if (n >= 0 && (size_t)n < c->reason_size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->reason + n, c->reason_size - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return false;
}

static bool out_of_memory(cast_ctx *c)
{
    snprintf(c->reason, c->reason_size, "out of memory");
    *c->oom = true;
    return false;
}

/* The result is text (a copy of n bytes of p, in the arena). */
static bool emit(cast_ctx *c, const char *p, size_t n)
{
    char *copy = arena_strndup(c->a, p, n);
    if (!copy)
        return out_of_memory(c);
    *c->out = (sl_field){copy, n, false};
    return true;
}

/* ---- numbers ---- */

static bool cast_integer(cast_ctx *c, const char *p, size_t n)
{
    static const uint64_t max[] = {
        [CAST_SMALLINT] = 32767, [CAST_INTEGER] = 2147483647, [CAST_BIGINT] = INT64_MAX};
    size_t i = 0;
    bool neg = n > 0 && p[0] == '-', overflow = false;
    i += n > 0 && (p[0] == '-' || p[0] == '+');
    if (i == n)
        return bad(c, "is not an integer");
    uint64_t v = 0;
    for (; i < n; i++) {
        if (!isdigit((unsigned char)p[i]))
            return bad(c, "is not an integer");
        overflow = overflow || v > (UINT64_MAX - 9) / 10;
        v = overflow ? v : v * 10 + (uint64_t)(p[i] - '0');
    }
    if (overflow || v > max[c->s->kind] + neg)
        return bad(c, "is out of range for type %s", c->s->type);
    char buf[24];
    return emit(
        c, buf,
        (size_t)snprintf(buf, sizeof(buf), "%s%llu", neg && v ? "-" : "", (unsigned long long)v));
}

static void trim_space(const char **s, size_t *n)
{
    while (*n && isspace((unsigned char)**s))
        (*s)++, (*n)--;
    while (*n && isspace((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

bool cast_parse_decimal(const char *s, size_t n, cast_decimal *d)
{
    trim_space(&s, &n);
    size_t i = 0;
    *d = (cast_decimal){.neg = n > 0 && s[0] == '-'};
    i += n > 0 && (s[0] == '-' || s[0] == '+');
    d->int_digits = s + i;
    for (; i < n && isdigit((unsigned char)s[i]); i++)
        d->nint++;
    d->frac_digits = s + i + (i < n && s[i] == '.');
    if (i < n && s[i] == '.')
        for (i++; i < n && isdigit((unsigned char)s[i]); i++)
            d->nfrac++;
    if (d->nint + d->nfrac == 0)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = i < n && s[i] == '-';
        i += i < n && (s[i] == '-' || s[i] == '+');
        size_t first = i;
        for (; i < n && isdigit((unsigned char)s[i]) && i - first < 9; i++)
            d->exp = d->exp * 10 + (s[i] - '0');
        if (i == first)
            return false;
        d->exp = eneg ? -d->exp : d->exp;
    }
    return i == n;
}

/* Digit i of the digits as written (before the point, then after it), '0' outside them. */
static char digit_at(const cast_decimal *d, long i)
{
    if (i < 0 || (size_t)i >= d->nint + d->nfrac)
        return '0';
    return (size_t)i < d->nint ? d->int_digits[i] : d->frac_digits[(size_t)i - d->nint];
}

/* Index of the first digit that is not 0, or -1 for zero. */
static long first_nonzero(const cast_decimal *d)
{
    for (long i = 0; (size_t)i < d->nint + d->nfrac; i++)
        if (digit_at(d, i) != '0')
            return i;
    return -1;
}

int cast_decimal_cmp(const cast_decimal *a, const cast_decimal *b)
{
    long fa = first_nonzero(a), fb = first_nonzero(b);
    int sa = fa < 0 ? 0 : a->neg ? -1 : 1, sb = fb < 0 ? 0 : b->neg ? -1 : 1;
    if (sa != sb || sa == 0)
        return sa - sb;
    /* the same sign: compare magnitudes, first by where the first digit stands */
    long ma = (long)a->nint + a->exp - fa, mb = (long)b->nint + b->exp - fb;
    if (ma != mb)
        return ma > mb ? sa : -sa;
    long na = (long)(a->nint + a->nfrac) - fa, nb = (long)(b->nint + b->nfrac) - fb;
    for (long k = 0; k < na || k < nb; k++) {
        char da = digit_at(a, fa + k), db = digit_at(b, fb + k);
        if (da != db)
            return da > db ? sa : -sa;
    }
    return 0;
}

/* Adds one unit in the last place of the n digits at dig (dig[0] is a spare '0' for the
 * carry). */
static void round_up(char *dig, size_t n)
{
    for (size_t k = n; k-- > 0;) {
        if (dig[k] != '9') {
            dig[k]++;
            return;
        }
        dig[k] = '0';
    }
}

/* Digits of the result: a spare '0' for a carry, nint integer digits (from the first that
 * is not 0), scale fraction digits; rounded when constrained. */
static char *numeric_digits(cast_ctx *c, const cast_decimal *d, long f, long point, long nint,
                            long scale)
{
    size_t n = 1 + (size_t)nint + (size_t)scale;
    char *dig = arena_alloc(c->a, n);
    if (!dig)
        return NULL;
    dig[0] = '0';
    for (long k = 0; k < nint; k++)
        dig[1 + k] = digit_at(d, f + k);
    for (long k = 0; k < scale; k++)
        dig[1 + nint + k] = digit_at(d, point + k);
    if (c->s->precision >= 0 && digit_at(d, point + scale) >= '5')
        round_up(dig, n);
    return dig;
}

static bool numeric_write(cast_ctx *c, bool neg, const char *dig, long nint, long scale)
{
    size_t n = 1 + (size_t)nint + (size_t)scale, lead = 0;
    while (lead < n && dig[lead] == '0')
        lead++;
    const cast_spec *s = c->s;
    if (s->precision >= 0 && n - lead > (size_t)s->precision)
        return bad(c, "does not fit %s: it must round to an absolute value less than 10^%d",
                   s->type, s->precision - s->scale);
    size_t int_end = 1 + (size_t)nint, int_start = lead < int_end ? lead : int_end;
    char *text = arena_alloc(c->a, 4 + int_end - int_start + (size_t)scale);
    if (!text)
        return out_of_memory(c);
    size_t o = 0;
    if (neg && lead < n)
        text[o++] = '-';
    if (int_start == int_end)
        text[o++] = '0';
    memcpy(text + o, dig + int_start, int_end - int_start);
    o += int_end - int_start;
    if (scale) {
        text[o++] = '.';
        memcpy(text + o, dig + int_end, (size_t)scale);
        o += (size_t)scale;
    }
    text[o] = '\0';
    *c->out = (sl_field){text, o, false};
    return true;
}

/* NaN, Infinity, -Infinity (also inf, +inf…) as PostgreSQL spells them, or NULL. */
static const char *float_special(const char *p, size_t n)
{
    bool neg = n > 0 && p[0] == '-';
    size_t sign = n > 0 && (p[0] == '-' || p[0] == '+');
    const char *word = p + sign;
    size_t len = n - sign;
    if (!sign && len == 3 && strncasecmp(word, "nan", 3) == 0)
        return "NaN";
    if ((len == 3 && strncasecmp(word, "inf", 3) == 0) ||
        (len == 8 && strncasecmp(word, "infinity", 8) == 0))
        return neg ? "-Infinity" : "Infinity";
    return NULL;
}

static bool cast_numeric(cast_ctx *c, const char *p, size_t n)
{
    const cast_spec *s = c->s;
    cast_decimal d;
    if (!cast_parse_decimal(p, n, &d))
        return float_special(p, n) ? bad(c, "is not a finite number, which numeric requires")
                                   : bad(c, "is not a number");
    long f = first_nonzero(&d), point = (long)d.nint + d.exp;
    bool constrained = s->precision >= 0;
    long scale = constrained ? s->scale : (long)d.nfrac - d.exp > 0 ? (long)d.nfrac - d.exp : 0;
    long nint = f >= 0 && f < point ? point - f : 0;
    if (constrained && nint > (s->precision > s->scale ? s->precision - s->scale : 0))
        return bad(c, "does not fit %s: it must round to an absolute value less than 10^%d",
                   s->type, s->precision - s->scale);
    if (!constrained && (nint > NUMERIC_MAX_INT_DIGITS || scale > NUMERIC_MAX_SCALE))
        return bad(c, "is out of range for type numeric");
    char *dig = numeric_digits(c, &d, f, point, nint, scale);
    return dig ? numeric_write(c, d.neg, dig, nint, scale) : out_of_memory(c);
}

/* Does the text e read back as v, and not only because it lies half-way between v and its
 * neighbour, where a reader's way of breaking ties would decide? */
static bool reads_back(const char *e, double v, bool real)
{
    long double d = strtold(e, NULL), lo, hi;
    if (real) {
        float f = (float)v;
        lo = ((long double)f + nextafterf(f, -INFINITY)) / 2;
        hi = ((long double)f + nextafterf(f, INFINITY)) / 2;
        return strtof(e, NULL) == f && d != lo && d != hi;
    }
    lo = ((long double)v + nextafter(v, -INFINITY)) / 2;
    hi = ((long double)v + nextafter(v, INFINITY)) / 2;
    return strtod(e, NULL) == v && d != lo && d != hi;
}

/* v as PostgreSQL writes it: the fewest significant digits that read back to the same value,
 * in exponent form only when the exponent is below -4 or from 15 up (6 for real). */
static size_t float_text(char *buf, size_t cap, double v, bool real)
{
    char e[48];
    int digits = 1;
    for (; digits < (real ? 9 : 17); digits++) {
        snprintf(e, sizeof(e), "%.*e", digits - 1, v);
        if (reads_back(e, v, real))
            break;
    }
    snprintf(e, sizeof(e), "%.*e", digits - 1, v);
    int exp10 = atoi(strchr(e, 'e') + 1);
    if (exp10 < -4 || exp10 >= (real ? 6 : 15))
        return (size_t)snprintf(buf, cap, "%s", e);
    return (size_t)snprintf(buf, cap, "%.*f", digits - 1 - exp10 > 0 ? digits - 1 - exp10 : 0, v);
}

static bool cast_float(cast_ctx *c, const char *p, size_t n)
{
    bool real = c->s->kind == CAST_REAL;
    const char *special = float_special(p, n);
    if (special)
        return emit(c, special, strlen(special));
    cast_decimal d;
    if (!cast_parse_decimal(p, n, &d))
        return bad(c, "is not a number");
    char *z = arena_strndup(c->a, p, n);
    if (!z)
        return out_of_memory(c);
    errno = 0;
    double v = real ? (double)strtof(z, NULL) : strtod(z, NULL);
    if (errno == ERANGE && (v == 0 || isinf(v)))
        return bad(c, "is out of range for type %s", c->s->type);
    char buf[400];
    return emit(c, buf, float_text(buf, sizeof(buf), v, real));
}

/* ---- booleans ---- */

static bool prefix_of(const char *p, size_t n, const char *word, size_t min)
{
    return n >= min && n <= strlen(word) && strncasecmp(p, word, n) == 0;
}

bool cast_parse_bool(const char *p, size_t n, bool *v)
{
    trim_space(&p, &n);
    if (prefix_of(p, n, "true", 1) || prefix_of(p, n, "yes", 1) || prefix_of(p, n, "on", 2) ||
        (n == 1 && p[0] == '1'))
        return (*v = true);
    *v = false;
    return prefix_of(p, n, "false", 1) || prefix_of(p, n, "no", 1) || prefix_of(p, n, "off", 2) ||
           (n == 1 && p[0] == '0');
}

static bool cast_boolean(cast_ctx *c, const char *p, size_t n)
{
    bool v;
    if (!cast_parse_bool(p, n, &v))
        return bad(c, "is not a boolean (true/false, t/f, yes/no, on/off, 1/0)");
    *c->out = (sl_field){v ? "t" : "f", 1, false};
    return true;
}

/* ---- dates and times ---- */

static bool bad_datetime(cast_ctx *c)
{
    const cast_spec *s = c->s;
    const char *what = s->kind == CAST_DATE ? "a date" : "a timestamp";
    switch (s->format.kind) {
    case DATETIME_EPOCH:
        return bad(c, "is not a number of seconds since 1970 (FORMAT 'epoch')");
    case DATETIME_EPOCH_MS:
        return bad(c, "is not a number of milliseconds since 1970 (FORMAT 'epoch_ms')");
    case DATETIME_FIELDS:
        return bad(c, "is not %s in format %s", what, s->format_text);
    default:
        return bad(c, "is not %s (expected %s, ISO 8601)", what,
                   s->kind == CAST_DATE ? "YYYY-MM-DD" : "YYYY-MM-DD HH:MI:SS");
    }
}

static bool cast_datetime(cast_ctx *c, const char *p, size_t n)
{
    const cast_spec *s = c->s;
    datetime_value v;
    datetime_parsed r = datetime_parse(&s->format, p, n, &v);
    int64_t usec = v.usec;
    if (r == DATETIME_OK && s->kind == CAST_TIMESTAMPTZ)
        usec -= (int64_t)v.offset * 1000000; /* the instant, in UTC */
    if (r == DATETIME_OK && s->kind != CAST_DATE)
        usec = datetime_round(usec, s->precision);
    if (r == DATETIME_OK && !datetime_in_range(usec))
        r = DATETIME_RANGE;
    if (r == DATETIME_RANGE)
        return bad(c, "is out of range for type %s (years 1 to 9999)", s->type);
    if (r != DATETIME_OK)
        return bad_datetime(c);
    char buf[DATETIME_TEXT_MAX];
    datetime_out kind = s->kind == CAST_DATE        ? DATETIME_DATE
                        : s->kind == CAST_TIMESTAMP ? DATETIME_TIMESTAMP
                                                    : DATETIME_TIMESTAMPTZ;
    return emit(c, buf, datetime_write(usec, kind, buf));
}

/* ---- text ---- */

static size_t utf8_chars(const char *p, size_t n)
{
    size_t chars = 0;
    for (size_t i = 0; i < n; i++)
        chars += ((unsigned char)p[i] & 0xC0) != 0x80;
    return chars;
}

static bool cast_text(cast_ctx *c, const char *p, size_t n)
{
    *c->out = (sl_field){p, n, false};
    long max = c->s->length;
    if (max < 0)
        return true;
    size_t i = 0; /* the byte after the first max characters */
    for (long chars = 0; i < n && chars < max; chars++)
        for (i++; i < n && ((unsigned char)p[i] & 0xC0) == 0x80; i++)
            ;
    for (size_t k = i; k < n; k++)
        if (p[k] != ' ')
            return bad(c, "is too long for type %s (%zu characters)", c->s->type, utf8_chars(p, n));
    c->out->len = i; /* what is beyond is spaces, which PostgreSQL cuts too */
    return true;
}

bool cast_value(const cast_spec *s, const char *data, size_t len, arena *a, sl_field *out,
                char *reason, size_t reason_size, bool *oom)
{
    cast_ctx c = {s, data, len, a, out, reason, reason_size, oom};
    if (s->kind >= CAST_TEXT)
        return cast_text(&c, data, len);
    trim_space(&data, &len);
    switch (s->kind) {
    case CAST_SMALLINT:
    case CAST_INTEGER:
    case CAST_BIGINT:
        return cast_integer(&c, data, len);
    case CAST_NUMERIC:
        return cast_numeric(&c, data, len);
    case CAST_REAL:
    case CAST_DOUBLE:
        return cast_float(&c, data, len);
    case CAST_BOOLEAN:
        return cast_boolean(&c, data, len);
    default:
        return cast_datetime(&c, data, len);
    }
}

/* ---- compiling a CAST ---- */

static const struct {
    const char *name;
    cast_kind kind;
} type_names[] = {
    {"smallint", CAST_SMALLINT},
    {"int2", CAST_SMALLINT},
    {"integer", CAST_INTEGER},
    {"int", CAST_INTEGER},
    {"int4", CAST_INTEGER},
    {"bigint", CAST_BIGINT},
    {"int8", CAST_BIGINT},
    {"numeric", CAST_NUMERIC},
    {"decimal", CAST_NUMERIC},
    {"real", CAST_REAL},
    {"float4", CAST_REAL},
    {"double precision", CAST_DOUBLE},
    {"float8", CAST_DOUBLE},
    {"float", CAST_DOUBLE}, /* float(p): real up to p = 24 */
    {"boolean", CAST_BOOLEAN},
    {"bool", CAST_BOOLEAN},
    {"date", CAST_DATE},
    {"timestamp", CAST_TIMESTAMP},
    {"timestamp without time zone", CAST_TIMESTAMP},
    {"timestamptz", CAST_TIMESTAMPTZ},
    {"timestamp with time zone", CAST_TIMESTAMPTZ},
    {"text", CAST_TEXT},
    {"varchar", CAST_VARCHAR},
    {"character varying", CAST_VARCHAR},
    {"char", CAST_CHAR},
    {"character", CAST_CHAR},
    {"bpchar", CAST_CHAR},
};

static const char *const kind_names[] = {
    [CAST_SMALLINT] = "smallint",   [CAST_INTEGER] = "integer",
    [CAST_BIGINT] = "bigint",       [CAST_NUMERIC] = "numeric",
    [CAST_REAL] = "real",           [CAST_DOUBLE] = "double precision",
    [CAST_BOOLEAN] = "boolean",     [CAST_DATE] = "date",
    [CAST_TIMESTAMP] = "timestamp", [CAST_TIMESTAMPTZ] = "timestamptz",
    [CAST_TEXT] = "text",           [CAST_VARCHAR] = "varchar",
    [CAST_CHAR] = "char",
};

/* "timestamp(3) with time zone" → base "timestamp with time zone" and the modifiers {3}.
 * False when the modifiers are not one or two numbers in one pair of parentheses. */
static bool split_type(const char *type, char *base, size_t cap, long mods[2], int *nmods)
{
    if (strncmp(type, "pg_catalog.", 11) == 0)
        type += 11;
    *nmods = 0;
    const char *open = strchr(type, '('), *close = open ? strchr(open, ')') : NULL;
    if (!open) {
        snprintf(base, cap, "%s", type);
        return strlen(type) < cap;
    }
    if (!close || strchr(close, '('))
        return false;
    for (const char *p = open + 1; p < close; p++) {
        char *end;
        errno = 0;
        long v = strtol(p, &end, 10);
        if (end == p || errno || *nmods == 2 || (end != close && *end != ','))
            return false;
        mods[(*nmods)++] = v;
        p = end;
    }
    int n = snprintf(base, cap, "%.*s%s", (int)(open - type), type, close + 1);
    return n >= 0 && (size_t)n < cap;
}

static bool compile_fail(sl_error *err, const char *sqlstate, const char *hint, const char *what,
                         const char *type)
{
    sl_error_set(err, sqlstate, hint, "%s %.64s", what, type);
    return false;
}

/* The modifiers in s: numeric's precision and scale, a length, fractional digits. */
static bool apply_modifiers(cast_spec *s, const long *mods, int nmods, const char *type,
                            sl_error *err)
{
    const char *name = kind_names[s->kind];
    switch (s->kind) {
    case CAST_NUMERIC:
        if (nmods && (mods[0] < 1 || mods[0] > NUMERIC_MAX_PRECISION || mods[nmods - 1] < 0 ||
                      mods[nmods - 1] > NUMERIC_MAX_PRECISION))
            return compile_fail(err, "22023", "numeric takes a precision from 1 to 1000.",
                                "invalid precision or scale in type", type);
        s->precision = nmods ? (int)mods[0] : -1;
        s->scale = nmods == 2 ? (int)mods[1] : 0;
        snprintf(s->type, sizeof(s->type), nmods ? "numeric(%d,%d)" : "numeric", s->precision,
                 s->scale);
        return true;
    case CAST_TIMESTAMP:
    case CAST_TIMESTAMPTZ:
        s->precision = nmods ? (mods[0] < 6 ? (int)mods[0] : 6) : 6;
        snprintf(s->type, sizeof(s->type), nmods ? "%s(%d)" : "%s", name, s->precision);
        return nmods < 2 || compile_fail(err, "22023", NULL, "too many modifiers in type", type);
    case CAST_VARCHAR:
    case CAST_CHAR:
        s->length = nmods ? mods[0] : s->kind == CAST_CHAR ? 1 : -1;
        if (nmods > 1 || (nmods && (mods[0] < 1 || mods[0] > 10485760)))
            return compile_fail(err, "22023", "A length is from 1 to 10485760.",
                                "invalid length in type", type);
        snprintf(s->type, sizeof(s->type), s->length > 0 ? "%s(%ld)" : "%s", name, s->length);
        return true;
    default:
        snprintf(s->type, sizeof(s->type), "%s", name);
        return nmods == 0 ||
               compile_fail(err, "22023", NULL, "a type modifier is not allowed for type", type);
    }
}

bool cast_compile(const char *type, const char *format, cast_spec *s, sl_error *err)
{
    static const char *const hint =
        "CAST takes smallint, integer, bigint, numeric, real, double precision, boolean, date, "
        "timestamp, timestamptz, text, varchar or char; load other types as text and convert "
        "them with COMPUTE.";
    *s = (cast_spec){.precision = -1, .length = -1};
    char base[64];
    long mods[2];
    int nmods;
    size_t k = 0, ntypes = sizeof(type_names) / sizeof(type_names[0]);
    bool split = split_type(type, base, sizeof(base), mods, &nmods);
    while (split && k < ntypes && strcmp(type_names[k].name, base) != 0)
        k++;
    if (!split || k == ntypes)
        return compile_fail(err, "0A000", hint, "CAST in a TRANSFORM does not handle type", type);
    s->kind = type_names[k].kind;
    if (strcmp(base, "float") == 0 && nmods) { /* float(p): p binary digits */
        if (mods[0] < 1 || mods[0] > 53)
            return compile_fail(err, "22023", "float(p) takes p from 1 to 53.",
                                "invalid precision in type", type);
        s->kind = mods[0] <= 24 ? CAST_REAL : CAST_DOUBLE;
        nmods = 0;
    }
    if (!apply_modifiers(s, mods, nmods, type, err))
        return false;
    bool timed = s->kind == CAST_DATE || s->kind == CAST_TIMESTAMP || s->kind == CAST_TIMESTAMPTZ;
    if (format && !timed)
        return compile_fail(err, "22023",
                            "FORMAT applies to CAST AS date, timestamp or timestamptz.",
                            "FORMAT does not apply to type", type);
    char why[256];
    if (!datetime_format_compile(format, &s->format, why, sizeof(why))) {
        sl_error_set(err, "22023",
                     "Write the format with YYYY MM DD HH24 HH12 MI SS MS US AM, e.g. "
                     "'DD/MM/YYYY HH24:MI', or use 'epoch' or 'epoch_ms'.",
                     "%s", why);
        return false;
    }
    s->format_text = format;
    return true;
}
