/*
 * batch.h — one batch of a pipeline into PostgreSQL, on a connection of the caller's (a
 * worker's): the items the ledger does not hold yet are read, decompressed, parsed,
 * transformed and checked against the target's column types; the rows are spooled to a
 * temporary file as they come (memory stays bounded whatever the items' size); then one
 * transaction loads them: guard, staging, COPY, merge, ledger, error rows, run record.
 *
 * Exactly once: the ledger rows of the items and the rows they bring commit together or
 * not at all; the guard (a ledger check inside the transaction) makes a batch that lost a
 * race a no-op. A crash anywhere leaves either the whole batch or nothing.
 *
 * Sources: FILES for now. Formats: CSV and JSON, gzip and zstd detected from the content.
 */
#ifndef SLUICE_BATCH_H
#define SLUICE_BATCH_H

#include "intercept.h" /* sl_error */

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct batch_request {
    const char *pipeline;      /* its name */
    const char *definition;    /* its CREATE PIPELINE, as the catalog keeps it */
    const char *target_schema; /* the target as resolved at CREATE PIPELINE */
    const char *target_table;
    int settle_seconds;       /* FILES: leave files modified more recently than this */
    long long max_item_bytes; /* items per batch up to this many bytes (at least one item) */
    const void *hash_salt;    /* what HASH prepends (secret) */
    size_t salt_len;
} batch_request;

typedef struct batch_result {
    bool loaded;      /* a batch committed */
    bool nothing_new; /* every item listed is in the ledger */
    bool lost_race;   /* another process loaded these items first: nothing done */
    long long items;  /* items in the batch */
    long long rows;   /* rows loaded */
    long long error_rows;
    long long bytes; /* item bytes read */
    char batch_id[64];
    sl_error err; /* err.sqlstate[0] != 0: the batch failed and left nothing */
} batch_result;

/* Runs one batch; false with res->err set when it failed (and rolled back). */
bool batch_run(PGconn *c, const batch_request *rq, batch_result *res);

#endif
