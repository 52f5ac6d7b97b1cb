/*
 * modelstmt.h — CREATE MODEL (the table or materialized view, at once), REFRESH MODEL,
 * DROP MODEL, on the client's own session, and EXPLAIN of them.
 *
 * The model's relation and its rows in sluice.model / sluice.model_refresh are written by
 * one script on the client's backend session, so the user's privileges and transaction
 * apply (BEGIN; CREATE MODEL …; ROLLBACK; leaves nothing). A model lives in the session's
 * current_schema(); its base tables are resolved with the session's search_path, which the
 * catalog keeps: a table model's query is run again under it at every refresh. A refresh
 * swaps in a new table with the old one's privileges and owner, or, when views or other
 * models depend on the table, replaces its rows in place (with a NOTICE saying so). With
 * dialect redshift the catalog is in another database, and these are refused (0A000).
 */
#ifndef SLUICE_MODELSTMT_H
#define SLUICE_MODELSTMT_H

#include "intercept.h"
#include "parse.h"

#define MODELSTMT_CREATE (RUNS | EXPLAINS)
#define MODELSTMT_REFRESH (RUNS | EXPLAINS)
#define MODELSTMT_DROP (RUNS | EXPLAINS)

/*
 * Starts executing one of the three statements, or (explain set) shows the statements it
 * would send after the same read-only lookups; ends with x->finish.
 */
void modelstmt_execute(sl_exec *x, const sl_stmt *st, const sl_explain *explain);

#endif
