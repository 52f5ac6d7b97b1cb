/*
 * sharestmt.h — SHARE and UNSHARE: EXPLAIN shows the producer's and the consumer's
 * sequences.
 */
#ifndef SLUICE_SHARESTMT_H
#define SLUICE_SHARESTMT_H

#include "intercept.h"
#include "parse.h"

#define SHARESTMT_SHARE 0u
#define SHARESTMT_UNSHARE 0u

void sharestmt_execute(sl_exec *x, const sl_stmt *st, const sl_explain *explain);

#endif
