/*
 * sharestmt.c — see sharestmt.h.
 */
#include "sharestmt.h"

void sharestmt_execute(sl_exec *x, const sl_stmt *st, const sl_explain *explain)
{
    (void)st;
    (void)explain;
    sl_error_set(&x->err, "0A000", NULL, "not supported by this version of sluice");
    x->finish(x, false);
}
