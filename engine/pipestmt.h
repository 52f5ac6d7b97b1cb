/*
 * pipestmt.h — the PIPELINE statements: CREATE, ALTER, DROP (catalog rows and the target
 * table, on the client's own session), and EXPLAIN of them and of one run (RUN, REFRESH).
 */
#ifndef SLUICE_PIPESTMT_H
#define SLUICE_PIPESTMT_H

#include "intercept.h"
#include "parse.h"

#define PIPESTMT_CREATE (RUNS | EXPLAINS)
#define PIPESTMT_ALTER (RUNS | EXPLAINS)
#define PIPESTMT_DROP (RUNS | EXPLAINS)
#define PIPESTMT_RUN EXPLAINS /* running batches is the engine's */
#define PIPESTMT_REFRESH 0u
#define PIPESTMT_STARTSTOP RUNS /* the state the engine reads */

void pipestmt_execute(sl_exec *x, const sl_stmt *st, const sl_explain *explain);

#endif
