/*
 * modelstmt.h — CREATE MODEL (the table or materialized view, at once), REFRESH MODEL,
 * DROP MODEL, on the client's own session, and EXPLAIN of them.
 */
#ifndef SLUICE_MODELSTMT_H
#define SLUICE_MODELSTMT_H

#include "intercept.h"
#include "parse.h"

#define MODELSTMT_CREATE 0u
#define MODELSTMT_REFRESH 0u
#define MODELSTMT_DROP 0u

void modelstmt_execute(sl_exec *x, const sl_stmt *st, const sl_explain *explain);

#endif
