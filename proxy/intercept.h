/*
 * intercept.h — the statements sluice answers itself, as protocol replies.
 *
 * The session decides *when* a statement of ours runs (in order with relayed traffic);
 * this module decides *what* the client gets back: RowDescription, DataRows and
 * CommandComplete, or an ErrorResponse with a SQLSTATE, a position and a hint.
 */
#ifndef SLUICE_INTERCEPT_H
#define SLUICE_INTERCEPT_H

#include "classify.h"
#include "wire.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct sl_error {
    char sqlstate[6];
    char message[512];
    char detail[512];
    char hint[512];
    int position; /* 1-based, in the statement text; 0 = none */
} sl_error;

void sl_error_set(sl_error *e, const char *sqlstate, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Appends e as an ErrorResponse; position is shifted by pos_offset (statement in a Query). */
void sl_error_put(wire_buf *out, const sl_error *e, int pos_offset);

/* Parse time: is the statement well formed and supported? */
bool intercept_prepare(sl_stmt_kind kind, const char *sql, size_t len, sl_error *err);

/*
 * Appends RowDescription and returns true for a statement that returns rows; otherwise
 * appends NoData when want_nodata (the extended protocol's Describe) and returns false.
 */
bool intercept_describe(sl_stmt_kind kind, const char *sql, size_t len, int16_t format,
                        bool want_nodata, wire_buf *out);

/* Appends the rows and CommandComplete; false (with err set) when it failed. */
bool intercept_execute(sl_stmt_kind kind, const char *sql, size_t len, int16_t format,
                       wire_buf *out, sl_error *err);

#endif
