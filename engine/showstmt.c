/*
 * showstmt.c — see showstmt.h.
 */
#include "showstmt.h"

void showstmt_execute(sl_exec *x, const sl_stmt *st, const sl_explain *explain)
{
    (void)st;
    (void)explain;
    sl_error_set(&x->err, "0A000", NULL, "not supported by this version of sluice");
    x->finish(x, false);
}

int showstmt_columns(sl_stmt_kind kind, const char *const **cols)
{
    (void)kind;
    *cols = NULL;
    return 0;
}
