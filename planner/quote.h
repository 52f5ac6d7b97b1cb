/*
 * quote.h — identifiers and string literals, quoted for one warehouse dialect.
 *
 * Every name and every literal in generated SQL goes through here. A name the dialect
 * cannot represent exactly is an error (never truncated, never case-folded behind the
 * user's back):
 *   - both: non-empty, valid UTF-8, no NUL; `"` is doubled inside "…".
 *   - PostgreSQL: at most 63 bytes (NAMEDATALEN - 1); a longer name is 42622, because the
 *     server would silently truncate it.
 *   - Redshift: at most 127 bytes (42622); no control characters; ASCII upper case is refused
 *     (42602) unless the target says enable_case_sensitive_identifier is on, because Redshift
 *     folds letters to lower case even inside double quotes.
 *   - column names may not be system column names (oid, ctid, xmin, …): 42701.
 * Literals:
 *   - PostgreSQL: '…' with ' doubled when the text has no backslash; E'…' with ' and \
 *     doubled when it has one, so the text means the same whatever standard_conforming_strings
 *     the server runs with.
 *   - Redshift: '…' with both ' and \ doubled (backslash is always an escape there).
 *   - both: invalid UTF-8 is 22021.
 */
#ifndef SLUICE_QUOTE_H
#define SLUICE_QUOTE_H

#include "plan.h"
#include "sqlbuf.h"

/* Longest identifier, in bytes, that the dialect keeps intact. */
size_t quote_ident_limit(plan_dialect_kind d);
/* Checks that name can be a table, schema or other object name in the dialect. */
bool quote_check_ident(const plan_target *t, const char *name, sl_error *err);
bool quote_ident(sqlbuf *b, const plan_target *t, const char *name, sl_error *err);
/* As quote_ident, also refusing system column names. */
bool quote_column(sqlbuf *b, const plan_target *t, const char *name, sl_error *err);
bool quote_literal(sqlbuf *b, const plan_target *t, const char *text, sl_error *err);

#endif
