/*
 * showstmt.h — SHOW PIPELINES, SHOW PIPELINE [ERRORS], SHOW MODELS, SHOW SHARES and
 * SHOW CREATE: reads of the catalog on the client's own session.
 */
#ifndef SLUICE_SHOWSTMT_H
#define SLUICE_SHOWSTMT_H

#include "intercept.h"
#include "parse.h"

#define SHOWSTMT_WHAT 0u

void showstmt_execute(sl_exec *x, const sl_stmt *st, const sl_explain *explain);
/* The columns a SHOW returns; their count. */
int showstmt_columns(sl_stmt_kind kind, const char *const **cols);

#endif
