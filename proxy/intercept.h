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

/* What a query on the client's backend session, or on the catalog, returned (text format). */
typedef struct sl_result {
    int nfields;
    char **fields; /* column names */
    int nrows;
    char **cells; /* nrows * nfields values; NULL for SQL NULL */
    char tag[64];
    bool failed;
    sl_error err;
} sl_result;

void sl_result_free(sl_result *r);
const char *sl_result_get(const sl_result *r, int row, int col);
/* Marks r failed with the server's error fields (NULL when absent; no code is XX000). */
void sl_result_fail(sl_result *r, const char *sqlstate, const char *message, const char *detail,
                    const char *hint);

/*
 * One execution of a statement of ours. The session fills in the statement, where the
 * reply goes and the services it offers; the statement ends by calling finish, either
 * before intercept_execute returns or later, after queries it ran on the client's own
 * backend session (so the user's privileges and transaction apply) or on the catalog
 * (catalog_query). The relay loop never waits: the session simply holds the client's next
 * messages until finish.
 */
typedef struct sl_exec sl_exec;
typedef void (*sl_exec_next)(sl_exec *x, const sl_result *r);

struct sl_exec {
    sl_stmt_kind kind;
    const char *sql;
    size_t len;
    int16_t format;
    wire_buf *out; /* DataRows and CommandComplete */
    sl_error err;  /* set when finish(x, false) */
    int step;      /* the statement's own progress */
    char *work;    /* the statement's own malloc'd text; the session frees it at finish */
    void *state;   /* the statement's own state; the session calls state_free on it at finish */
    void (*state_free)(void *state);
    void *script;  /* the script being run for it (engine/script.h), part of its state */
    bool extended; /* inside an extended-protocol batch: each query goes alone, no Sync */
    char txn;      /* the backend's transaction status when the statement started: I, T */
    void *owner;   /* the session */
    /*
     * Runs sql on the client's backend session; next sees the result. When the query
     * cannot be sent, the statement is finished with 08006 instead of calling next.
     */
    void (*query)(sl_exec *x, const char *sql, sl_exec_next next);
    /*
     * Runs sql on sluice's catalog, with the contract of query. With dialect postgres the
     * catalog is in the warehouse and this is query itself (same session, same transaction).
     * With dialect redshift (catalog_apart) it runs on a connection of the session's own to
     * the catalog database (proxy/catconn.h), each query a transaction of its own; there a
     * failure to connect finishes the statement with 08006, a missing setting with 22023.
     */
    void (*catalog_query)(sl_exec *x, const char *sql, sl_exec_next next);
    bool catalog_apart;
    void (*finish)(sl_exec *x, bool ok);
};

/* What a module does with a statement kind: carry it out, show its SQL for EXPLAIN. */
#define RUNS 0x1u
#define EXPLAINS 0x2u

/* Starts executing x; see sl_exec. */
void intercept_execute(sl_exec *x);

#endif
