/*
 * classify.h — is this statement one of sluice's? The cheap test every Query and Parse
 * goes through, and the scanner-based split of a multi-statement Query.
 *
 * classify_statement looks only at the leading words (after whitespace and comments,
 * with PostgreSQL's lexical rules for both), so ordinary SQL costs a few byte compares.
 * split_statements tokenizes with libpg_query's scanner, so a ';' inside a string, a
 * quoted identifier, a dollar-quoted body or a comment never splits a statement.
 */
#ifndef SLUICE_CLASSIFY_H
#define SLUICE_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    SL_STMT_NONE = 0, /* not ours: relay it */
    SL_STMT_SHOW_SLUICE,
    SL_STMT_CREATE_PIPELINE,
    SL_STMT_CREATE_MODEL,
    SL_STMT_CREATE_CONNECTION,
    SL_STMT_ALTER_PIPELINE,
    SL_STMT_ALTER_CONNECTION,
    SL_STMT_DROP_PIPELINE,
    SL_STMT_DROP_MODEL,
    SL_STMT_DROP_CONNECTION,
    SL_STMT_START_PIPELINE,
    SL_STMT_STOP_PIPELINE,
    SL_STMT_RUN_PIPELINE,
    SL_STMT_REFRESH_PIPELINE,
    SL_STMT_REFRESH_MODEL,
    SL_STMT_REPLAY_PIPELINE,
    SL_STMT_SHOW_PIPELINES,
    SL_STMT_SHOW_PIPELINE,
    SL_STMT_SHOW_MODELS,
    SL_STMT_SHOW_CONNECTIONS,
    SL_STMT_SHOW_SHARES,
    SL_STMT_SHOW_CREATE,
    SL_STMT_SHARE,
    SL_STMT_UNSHARE,
    SL_STMT_EXPLAIN,
    SL_STMT_COUNT_
} sl_stmt_kind;

/* The statement's leading keywords as users write them, e.g. "CREATE PIPELINE". */
const char *classify_label(sl_stmt_kind kind);

/* Classifies one statement by its leading words; len excludes any terminating NUL. */
sl_stmt_kind classify_statement(const char *sql, size_t len);

/*
 * Cheap pre-test for a multi-statement Query: true when some ';' is followed by a
 * statement that classify_statement calls ours. May be a false positive (a ';' inside a
 * string); never a false negative. The caller confirms with split_statements.
 */
bool classify_has_later_ours(const char *sql, size_t len);

/* One statement of a split Query: byte range in the original text, without the ';'. */
typedef struct sl_span {
    size_t offset;
    size_t len;
    sl_stmt_kind kind;
} sl_span;

typedef struct sl_split_result {
    sl_span *stmts;
    int n_stmts;
    char *error; /* the scanner's message when the text does not tokenize */
} sl_split_result;

/* sql must be NUL-terminated. Empty statements (only blanks/comments) are left out. */
sl_split_result split_statements(const char *sql);
void split_free(sl_split_result r);

/* Skips whitespace and comments from i; returns the index of the next token. */
size_t classify_skip_blank(const char *s, size_t len, size_t i);

#endif
