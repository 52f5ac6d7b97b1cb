/*
 * infer.h — a table's column types from the first rows a pipeline reads, when CREATE
 * PIPELINE gave no column list and the table does not exist (SQL.md: integer, bigint,
 * numeric, boolean, date, timestamp, timestamptz, text; text when in doubt).
 *
 * Each column's type is the narrowest that every non-NULL sample value fits:
 *   boolean      true/false, t/f, yes/no, y/n (any case); not 1/0, which are numbers
 *   integer      an optional sign and digits, within 32 bits
 *   bigint       the same within 64 bits
 *   numeric      digits with a decimal point and/or an exponent (1.5, -2e3), or an integer
 *                beyond 64 bits
 *   date         YYYY-MM-DD
 *   timestamp    YYYY-MM-DD HH:MM[:SS[.fraction]] (a 'T' may stand for the space)
 *   timestamptz  the same with Z or an offset (+HH, +HH:MM, +HHMM)
 *   text         anything else, a mix the others do not cover (numbers and dates, times with
 *                and without offsets), or no value at all
 * Widening follows: integer < bigint < numeric; date < timestamp; date < timestamptz.
 */
#ifndef SLUICE_INFER_H
#define SLUICE_INFER_H

#include "record.h"

#include <stddef.h>

typedef enum infer_type {
    INFER_NONE, /* no value seen yet */
    INFER_BOOLEAN,
    INFER_INTEGER,
    INFER_BIGINT,
    INFER_NUMERIC,
    INFER_DATE,
    INFER_TIMESTAMP,
    INFER_TIMESTAMPTZ,
    INFER_TEXT,
} infer_type;

/* The type one value fits best. */
infer_type infer_value(const char *s, size_t len);

/* The type that holds values of both a and b. */
infer_type infer_widen(infer_type a, infer_type b);

/* The PostgreSQL spelling of t (INFER_NONE is text). */
const char *infer_type_name(infer_type t);

#endif
