/*
 * sharestmt.h — SHARE and UNSHARE: EXPLAIN shows the producer's and the consumer's
 * sequences.
 */
#ifndef SLUICE_SHARESTMT_H
#define SLUICE_SHARESTMT_H

#include "intercept.h"
#include "parse.h"

#define SHARESTMT_SHARE EXPLAINS /* sharing itself is the engine's */
#define SHARESTMT_UNSHARE EXPLAINS

void sharestmt_execute(sl_exec *x, const sl_stmt *st, const sl_explain *explain);

#endif
