/*
 * showstmt.h — SHOW PIPELINES, SHOW PIPELINE [ERRORS], SHOW MODELS, SHOW SHARES and
 * SHOW CREATE: reads of the catalog (sl_exec's catalog_query).
 *
 * Each runs CATALOG_PRESENT_SQL first, then one SELECT on the catalog (two for SHOW PIPELINE
 * ERRORS: does the pipeline exist, then its error rows) whose columns are exactly the
 * reply's, all text, passed through as they come; the command tag is SHOW. With dialect
 * postgres it runs on the client's session: a SHOW sees the client's transaction and is
 * subject to its privileges, and times and intervals are written in the session's TimeZone,
 * DateStyle and IntervalStyle. With dialect redshift it runs on the catalog's connection:
 * it sees what is committed there, with the catalog role's privileges and settings.
 * Without a catalog in the database, a list is empty and a named object does not exist.
 *
 *   SHOW PIPELINES            name, state, source, target, mode, last_run, rows_loaded,
 *                             error_rows, lag, last_error — one row per pipeline, by name.
 *                             target is schema.table, each part quoted as an identifier when
 *                             it needs it; last_run is when the newest run finished (started,
 *                             while it runs); rows_loaded and error_rows add up every run;
 *                             lag is now() minus the newest item time any run recorded,
 *                             NULL until one did.
 *   SHOW PIPELINE name        the same, then run_id, run_started_at, run_finished_at,
 *                             run_status, run_items, run_rows, run_error_rows, run_message:
 *                             one row per run, newest first; one row with NULL run columns
 *                             for a pipeline that never ran.
 *   SHOW PIPELINE ERRORS name [LIMIT n]
 *                             item, line, byte_offset, column_name, reason, raw, created_at —
 *                             the pipeline's error rows, oldest first.
 *   SHOW MODELS               name, kind, trigger, base_tables, last_refresh, seconds, rows,
 *                             incremental, stale, not_incremental_because — one row per model.
 *                             kind is view or table; trigger is 'on change', 'every <interval>'
 *                             or 'manual'; last_refresh, seconds and rows describe the newest
 *                             refresh (seconds and rows NULL while it runs); incremental is
 *                             true or false. stale is NULL (unknown): sluice does not yet
 *                             track changes to base tables against refreshes, and says so
 *                             rather than guess.
 *   SHOW SHARES               object, consumer, group, datashare, state — object is schema or
 *                             schema.table, quoted as target is.
 *   SHOW CREATE PIPELINE | MODEL name
 *                             name, statement — the canonical definition the catalog keeps.
 *
 * Lists are ordered by name in byte order (as PostgreSQL orders identifiers), whatever the
 * database's collation. A named object that does not exist is 42704.
 */
#ifndef SLUICE_SHOWSTMT_H
#define SLUICE_SHOWSTMT_H

#include "intercept.h"
#include "parse.h"

#define SHOWSTMT_WHAT RUNS

void showstmt_execute(sl_exec *x, const sl_stmt *st, const sl_explain *explain);
/* The columns st returns (static names); their count. */
int showstmt_columns(const sl_stmt *st, const char *const **cols);

#endif
