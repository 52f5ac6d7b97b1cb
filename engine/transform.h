/*
 * transform.h — a pipeline's TRANSFORM steps (spec/SQL.md), applied in sluice to each record
 * a format yields, before any byte reaches the warehouse: PII is hashed, masked or dropped
 * before it is stored, and a value that does not fit its type becomes an error row.
 *
 * A transform is compiled once from the parsed steps (CAST types and formats, regexes, FILTER
 * values) and keeps copies of what it needs, so the statement may be freed after. It then
 * turns records into rows one at a time, in an arena of its own that each call resets: once
 * the first rows have sized it, a row allocates nothing. One transform serves one thread.
 *
 * The steps run in order, each on the row the previous one left. A column is found by its
 * exact name (names were folded by the parser and by the format); when a record holds a name
 * twice, the steps see the first (DROP removes all).
 *
 *   RENAME a TO b        a is called b where it stands. Error when the row has a b already.
 *   DROP a, b            removes the columns. A column the record lacks is ignored: records
 *                        of one source may differ (JSON keys come and go), and a column that
 *                        is not there is as good as dropped.
 *   KEEP a, b            only these columns remain, in the record's order.
 *   CAST a AS t [FORMAT] the value parsed as t and written as t's canonical text for COPY;
 *                        what each type accepts is in cast.h. A value that does not parse is
 *                        an error; NULL stays NULL; '' is not NULL (NULLIF a '' first).
 *   HASH a, b            lowercase hex SHA-256 of (salt ‖ value), 64 characters.
 *   MASK a [KEEP LAST n] every character (UTF-8, not byte) becomes '*', but the last n.
 *   TRIM a               ASCII whitespace (space, \t, \n, \v, \f, \r) cut at both ends.
 *   LOWER a, UPPER a     ASCII letters only; other bytes are left as they are, so UTF-8
 *                        text stays valid, and letters beyond ASCII keep their case
 *                        (UPPER of 'café' is 'CAFé'): what the data means is not guessed.
 *   NULLIF a 'v'         a value equal to v (byte for byte) becomes NULL.
 *   DEFAULT a 'v'        NULL becomes v.
 *   SPLIT a ON 's' INTO (b, c …)   a is cut at each s into the INTO columns, in order; parts
 *                        beyond the columns stay in the last column, unsplit ('x,y,z' into
 *                        (b, c) is b = 'x', c = 'y,z'); columns without a part are NULL, and so
 *                        are all when a is NULL.
 *   EXTRACT a MATCHING 're' INTO (b, c …)   the regex's capture groups (POSIX extended,
 *                        matched on bytes) into the columns; no match, a group that took no
 *                        part, or a NULL a: NULL.
 *                        For SPLIT and EXTRACT, a is kept (DROP it after if it must go); an
 *                        INTO column the row has already is replaced where it stands, a new
 *                        one is added at the end of the row.
 *   FILTER a op value    rows that match go on; the others are skipped (TRANSFORM_SKIP).
 *                        = <> < <= > >= compare as numbers, exactly, when both sides read as
 *                        numbers ('10' > '9', '1.50' = '1.5'); as booleans when the value is
 *                        TRUE or FALSE and the column reads as a boolean; else as bytes. LIKE
 *                        takes % and _ (one character) and \ to escape, case-sensitive. IN is
 *                        = against each value. A NULL matches nothing but IS NULL.
 *   COMPUTE a AS expr    not here: the warehouse evaluates it in the merge.
 *
 * Every step but DROP names columns that must be in the row it gets: a missing one makes the
 * row an error (column "x" is not in the record). Columns are known per record only, so this
 * cannot be checked by transform_new; the binder checks the steps against the target table.
 */
#ifndef SLUICE_TRANSFORM_H
#define SLUICE_TRANSFORM_H

#include "ast.h"
#include "intercept.h" /* sl_error */
#include "record.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct transform transform;

typedef enum {
    TRANSFORM_OK,    /* *out is the row */
    TRANSFORM_SKIP,  /* a FILTER step did not match: no row, no error */
    TRANSFORM_ERROR, /* the record makes an error row: see the transform_row_error */
} transform_result;

typedef struct transform_row_error {
    const char *column; /* the column the failing step was at (owned by the transform); NULL
                           only when memory ran out before the first step */
    char reason[512];   /* plain words: value "31/02/2026" is not a date in format DD/MM/YYYY */
    bool out_of_memory; /* reason is "out of memory": a failure of sluice, not of the record */
} transform_row_error;

/*
 * Compiles nsteps steps (sl_create_pipeline.steps). hash_salt (salt_len bytes, the secret
 * HASH prepends) is copied. NULL on failure, with err set and err->position at the step:
 *   0A000 a CAST type this module does not handle (the hint lists those it does);
 *   22023 a bad CAST FORMAT or type modifier, an invalid regex or one whose capture groups
 *         do not match INTO, an empty SPLIT separator, a LIKE pattern ending in \;
 *   53200 out of memory.
 */
transform *transform_new(const sl_step *steps, int nsteps, const void *hash_salt, size_t salt_len,
                         sl_error *err);
void transform_free(transform *t);

/*
 * One record through the steps. OK: *out is the row (names, values, NULL flags; line and
 * offset as in), valid until the next call or transform_free, and only while in is: values
 * that no step changed point into in's data. SKIP and ERROR leave *out empty; ERROR fills *e.
 */
transform_result transform_apply(transform *t, const sl_record *in, sl_record *out,
                                 transform_row_error *e);

#endif
