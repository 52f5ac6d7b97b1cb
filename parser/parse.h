/*
 * parse.h — sluice's statement parser: SQL text of one statement of spec/SQL.md → AST
 * (ast.h), and back (sl_stmt_to_sql, for SHOW CREATE). Shaped like libpg_query: the result
 * comes back by value with an error field, and one call frees all of it.
 *
 * Errors carry a SQLSTATE, a message, a hint and a 1-based character position in the
 * statement text (0 when the error is about the statement as a whole):
 *   42601 syntax_error           — a token that does not fit; the hint names what was
 *                                  expected there. Also: a model query that is not a
 *                                  single valid SELECT, a COMPUTE expression that is not a
 *                                  valid SQL expression, an option given twice.
 *   22023 invalid_parameter_value — an unknown option (the hint lists the valid ones for
 *                                  that statement or connection kind), a bad option value,
 *                                  a missing required connection option, upsert/history
 *                                  without primary_key, history without updated_at, a bad
 *                                  interval, regex or EXPLAIN option.
 *   22003 numeric_value_out_of_range — a LIMIT or count beyond a long.
 *   53200 out_of_memory.
 * Messages never quote a string constant inside an option list, nor the text after an
 * unterminated string: either may be a secret (the position still points at it).
 * Everything that needs the catalog (does the connection exist, is it of the right kind,
 * which schema an unqualified name is in) is checked later, by the executor.
 */
#ifndef SLUICE_PARSE_H
#define SLUICE_PARSE_H

#include "ast.h"

#include <stddef.h>

/* SQLSTATE, message, hint, position: defined in intercept.h, which readers of it include. */
typedef struct sl_error sl_error;

typedef struct sl_parse_result {
    sl_stmt *stmt;   /* NULL on error */
    sl_error *error; /* NULL when the statement parsed */
} sl_parse_result;

/* sql: one statement, NUL-terminated, optionally ending in ';'. */
sl_parse_result sl_parse(const char *sql);
/* The same for len bytes of a longer text (a span of split_statements); positions count
 * from sql, the span's start. The tree does not point into sql. */
sl_parse_result sl_parse_len(const char *sql, size_t len);
void sl_parse_free(sl_parse_result r);

/*
 * The statement as canonical SQL (keywords upper case, names quoted where needed, every
 * default spelled out), malloc'd; NULL when out of memory. sl_parse of the text gives a
 * statement sl_stmt_equal to s.
 */
char *sl_stmt_to_sql(const sl_stmt *s);

/* Same meaning: every field equal, positions ignored. */
bool sl_stmt_equal(const sl_stmt *a, const sl_stmt *b);

/* The option called name, or NULL. */
const sl_option *sl_options_get(const sl_options *opts, const char *name);

/* Keyword spellings, as the deparser writes them ("S3", "FILTER", "<=", "VIEW"…). */
const char *sl_conn_kind_name(sl_conn_kind k);
const char *sl_source_name(sl_source_kind k);
const char *sl_step_name(sl_step_kind k);
const char *sl_filter_op_name(sl_filter_op op);

#endif
