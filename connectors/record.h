/*
 * record.h — what a format (csv.c, json.c) yields and the transforms consume: one record of
 * named text fields, with where it came from, for error rows.
 *
 * Everything a callback receives is valid only during the call: the consumer copies what it
 * keeps. Field text is raw bytes, not NUL-terminated; NULL is a flag, never an empty string.
 */
#ifndef SLUICE_RECORD_H
#define SLUICE_RECORD_H

#include <stdbool.h>
#include <stddef.h>

typedef struct sl_field {
    const char *data;
    size_t len;
    bool null;
} sl_field;

typedef struct sl_record {
    const char *const *names; /* nfields names, parallel to fields (a CSV's header, or a JSON
                                 record's flattened keys) */
    const sl_field *fields;
    size_t nfields;
    long long line;   /* CSV: 1-based line where the record starts; JSON: 1-based record number */
    long long offset; /* byte offset of its start in the (decompressed) item */
} sl_record;

/* A record that could not be read: it becomes an error row, the parse goes on. */
typedef struct sl_bad_record {
    long long line;
    long long offset;
    const char *reason; /* plain words, e.g. "unterminated quoted field" */
    const char *raw;    /* the record's bytes as far as they could be delimited */
    size_t raw_len;
} sl_bad_record;

/* Consumers: a nonzero return stops the parse, and the parser returns that value. */
typedef int (*sl_record_fn)(void *arg, const sl_record *rec);
typedef int (*sl_bad_record_fn)(void *arg, const sl_bad_record *bad);

#endif
