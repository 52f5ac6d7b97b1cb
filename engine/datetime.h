/*
 * datetime.h — dates and times as CAST reads them: ISO 8601 text, a FORMAT of fields
 * ('DD/MM/YYYY HH24:MI'), or seconds ('epoch') or milliseconds ('epoch_ms') since
 * 1970-01-01 00:00 UTC; and as it writes them: PostgreSQL's ISO text, which COPY reads on
 * PostgreSQL and Redshift alike. Years 1 to 9999, times to the microsecond.
 *
 * A time is held as microseconds since 1970-01-01 00:00 on a clock without time zones: the
 * wall clock as written, plus the UTC offset when the text gave one. As in PostgreSQL,
 * 24:00:00 is the end of a day and a leap second :60 runs into the next minute, and digits
 * of a fraction beyond the microsecond round as PostgreSQL rounds them, so a value lands on
 * the same microsecond here and in the warehouse. Unlike PostgreSQL, 'HH:MI.f' (which it
 * reads as minutes and seconds) is refused: a fraction comes only after seconds.
 */
#ifndef SLUICE_DATETIME_H
#define SLUICE_DATETIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    DATETIME_ISO,      /* no FORMAT: 'YYYY-MM-DD[( |T)HH:MI[:SS[.f]]][zone]' */
    DATETIME_FIELDS,   /* a FORMAT of fields and literal text */
    DATETIME_EPOCH,    /* FORMAT 'epoch': seconds since 1970 UTC, fraction allowed */
    DATETIME_EPOCH_MS, /* FORMAT 'epoch_ms': milliseconds since 1970 UTC, fraction allowed */
} datetime_format_kind;

#define DATETIME_MAX_ITEMS 32

/* One piece of a FORMAT: a field (YYYY, MM, …) or literal text that must be there as is. */
typedef struct datetime_item {
    char field; /* 0: literal; else one of "YMDHhISmuA" (see datetime.c) */
    const char *lit;
    size_t lit_len;
} datetime_item;

typedef struct datetime_format {
    datetime_format_kind kind;
    datetime_item items[DATETIME_MAX_ITEMS];
    int nitems;
} datetime_format;

typedef struct datetime_value {
    int64_t usec;    /* wall clock as written, microseconds since 1970-01-01 00:00 */
    bool has_offset; /* the text gave a UTC offset (or was an epoch, which is UTC) */
    int32_t offset;  /* seconds east of UTC */
} datetime_value;

typedef enum { DATETIME_OK, DATETIME_BAD, DATETIME_RANGE } datetime_parsed;

/* What CAST writes: 'YYYY-MM-DD', 'YYYY-MM-DD HH:MI:SS[.ffffff]', the same with '+00'. */
typedef enum { DATETIME_DATE, DATETIME_TIMESTAMP, DATETIME_TIMESTAMPTZ } datetime_out;

#define DATETIME_TEXT_MAX 40

/*
 * fmt (NULL: ISO) → f. Fields, matched case-insensitively: YYYY MM DD HH24 HH12 HH MI SS
 * MS US AM PM; text in double quotes, a bare T and any character that is not a letter are
 * literal. YYYY is required and takes four digits, the others one or two (1/2/2026); MM and
 * DD default to 1; each field at most once. f points into
 * fmt, which must outlive it. False with the reason in why (plain words).
 */
bool datetime_format_compile(const char *fmt, datetime_format *f, char *why, size_t whylen);

/* Text (without surrounding whitespace) → v. BAD: not in the format; RANGE: a year out of 1
 * to 9999, or an epoch beyond them. */
datetime_parsed datetime_parse(const datetime_format *f, const char *s, size_t n,
                               datetime_value *v);

/* Is usec (UTC or wall clock) within years 1 to 9999? */
bool datetime_in_range(int64_t usec);

/* usec rounded to digits (0–6) of fractional seconds, as PostgreSQL rounds. */
int64_t datetime_round(int64_t usec, int digits);

/* The text for usec, which must be in range; returns its length. */
size_t datetime_write(int64_t usec, datetime_out kind, char out[DATETIME_TEXT_MAX]);

#endif
