/*
 * jsonflat.h — one JSON record (a complete JSON text) parsed and flattened into named text
 * fields. json.c cuts records out of a stream and hands each one here; anything that holds
 * one record's raw text (an error row being replayed) can parse it the same way.
 *
 * Owns the buffers the fields point into; they are reused from record to record.
 *
 * What a record becomes:
 * - It must be an object. Its members become fields in the order they appear.
 * - A nested object is flattened: {"a":{"b":1}} gives the field a_b. The separator is '_'
 *   at every level ({"a":{"b":{"c":1}}} gives a_b_c), and an empty object gives no field.
 * - Names are the keys' decoded text, unchanged otherwise: no case folding, no length limit
 *   (fitting them to column names is the consumer's business).
 * - Two values with one name — a repeated key, or two paths that flatten alike such as
 *   {"a_b":1,"a":{"b":2}} — make the record bad ("column "a_b" has two values"): neither
 *   value is dropped silently.
 * - A string is its decoded UTF-8 text. A number is its text exactly as written
 *   (12345678901234567890 and 1e400 stay so; nothing goes through a double). true and false
 *   are the text "true" and "false"; null is a NULL field.
 * - An array is kept as JSON text, compacted: whitespace outside strings is removed, strings
 *   and numbers inside it stay as written, and objects inside it are not flattened
 *   ([1, "\u00e9", {"a": 2}] gives [1,"\u00e9",{"a":2}]).
 *
 * A record is bad when it is not valid JSON (RFC 8259), is not an object, nests deeper than
 * JSONFLAT_MAX_DEPTH, or holds text PostgreSQL cannot store: invalid UTF-8, an unpaired
 * surrogate escape, or \u0000.
 */
#ifndef SLUICE_JSONFLAT_H
#define SLUICE_JSONFLAT_H

#include <stdbool.h>
#include <stddef.h>

#include "record.h"
#include "sqlbuf.h"

/* Objects and arrays nested in one record, the record itself included. */
#define JSONFLAT_MAX_DEPTH 512

typedef struct jsonflat jsonflat;

typedef enum jsonflat_result {
    JSONFLAT_OK,
    JSONFLAT_BAD,   /* not a record we can load; the reason says why */
    JSONFLAT_NOMEM, /* out of memory: not the record's fault */
} jsonflat_result;

jsonflat *jsonflat_new(void);
void jsonflat_free(jsonflat *f);

/*
 * Parses text[0..len) as one record. On JSONFLAT_OK, rec's names, fields and nfields are set
 * (line and offset are left to the caller) and stay valid until the next call. On
 * JSONFLAT_BAD, *reason is a sentence in plain words, naming the byte of the record where it
 * went wrong, valid until the next call.
 */
jsonflat_result jsonflat_parse(jsonflat *f, const char *text, size_t len, sl_record *rec,
                               const char **reason);

/*
 * Decodes one JSON string literal, quotes included, appending its UTF-8 text to out.
 * False when it is not exactly one valid string (the rules above) or memory ran out.
 */
bool jsonflat_string(const char *text, size_t len, sqlbuf *out);

/* What a JSON value starting with byte c is, for messages: "an object", "an array",
 * "a string", "a boolean", "null", "a number", or "not JSON". */
const char *jsonflat_kind(int c);

#endif
