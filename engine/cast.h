/*
 * cast.h — TRANSFORM's CAST: text → the canonical text of a PostgreSQL type, as COPY will
 * read it in the warehouse. Checked here, so a value that does not fit becomes one error row
 * in sluice instead of failing the warehouse's COPY for the whole batch. Also the number
 * and boolean readers that FILTER compares with.
 *
 * What each type accepts and writes (surrounding ASCII whitespace is ignored for all but the
 * text types, as PostgreSQL does):
 *   smallint, integer, bigint   [+-]digits, range-checked; written without '+' or leading 0s
 *   numeric[(p[,s])]            [+-]digits[.digits][e[+-]digits]; rounded half away from zero
 *                               to s digits, which are always written; must then have at most
 *                               p digits. Unconstrained: the scale as written ('1.50' stays).
 *                               NaN and Infinity are refused (Redshift has neither).
 *   real, double precision      as numeric, or NaN, Infinity, -Infinity; written with the
 *                               fewest digits that read back to the same float
 *   boolean                     t/f/true/false/yes/no/on/off/1/0 and unique prefixes, any
 *                               case → t or f
 *   date, timestamp[(p)],       ISO 8601 by default, or FORMAT (datetime.h); written as
 *   timestamptz[(p)]            'YYYY-MM-DD', 'YYYY-MM-DD HH:MI:SS[.f]' rounded to p digits,
 *                               and for timestamptz the instant in UTC with '+00'. Text without
 *                               an offset is UTC for timestamptz; an offset given for a date
 *                               or timestamp is ignored, as PostgreSQL ignores it.
 *   text, varchar[(n)],         unchanged; at most n characters (UTF-8), where characters
 *   char[(n)]                   beyond n may only be spaces, which are cut, as PostgreSQL does
 */
#ifndef SLUICE_CAST_H
#define SLUICE_CAST_H

#include "arena.h"
#include "datetime.h"
#include "intercept.h" /* sl_error */
#include "record.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    CAST_SMALLINT,
    CAST_INTEGER,
    CAST_BIGINT,
    CAST_NUMERIC,
    CAST_REAL,
    CAST_DOUBLE,
    CAST_BOOLEAN,
    CAST_DATE,
    CAST_TIMESTAMP,
    CAST_TIMESTAMPTZ,
    CAST_TEXT,
    CAST_VARCHAR,
    CAST_CHAR,
} cast_kind;

typedef struct cast_spec {
    cast_kind kind;
    int precision; /* numeric: digits in all, -1 unconstrained; timestamps: fractional digits */
    int scale;     /* numeric: digits after the point */
    long length;   /* varchar, char: characters at most, -1 unbounded */
    char type[48]; /* as messages name it: "integer", "numeric(10,2)", "varchar(20)" */
    const char *format_text; /* FORMAT as written (for messages), NULL when none */
    datetime_format format;
} cast_spec;

/*
 * type (canonical SQL spelling, as sl_step.type) and format (NULL when none) → s, which
 * points into format. False with err set: 0A000 for a type CAST does not handle, 22023 for
 * a bad FORMAT or type modifier. err's position is left 0.
 */
bool cast_compile(const char *type, const char *format, cast_spec *s, sl_error *err);

/*
 * The value (data, len) as s's type: *out's text, in a, or pointing into data when the text
 * is already canonical. False with the reason in plain words (value quoted, cut after 64
 * characters) in reason; "out of memory" when a ran out, and *oom set.
 */
bool cast_value(const cast_spec *s, const char *data, size_t len, arena *a, sl_field *out,
                char *reason, size_t reason_size, bool *oom);

/* A decimal number as written: digits before and after the point, and the exponent. */
typedef struct cast_decimal {
    bool neg;
    const char *int_digits;
    size_t nint;
    const char *frac_digits;
    size_t nfrac;
    long exp;
} cast_decimal;

/* [+-]digits[.digits][e[+-]digits] with surrounding whitespace; false when it is not one. The
 * result points into s. */
bool cast_parse_decimal(const char *s, size_t n, cast_decimal *d);
/* <0, 0, >0 as a is less than, equal to or greater than b, exactly (1.50 = 1.5 = 15e-1). */
int cast_decimal_cmp(const cast_decimal *a, const cast_decimal *b);
/* PostgreSQL's boolean spellings (see above); false when it is not one. */
bool cast_parse_bool(const char *s, size_t n, bool *v);

#endif
