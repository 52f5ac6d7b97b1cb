/*
 * ast.h — the syntax tree of sluice's own statements (spec/SQL.md), as the grammar
 * (grammar.c) builds it and the planner reads it.
 *
 * Every node and string of one statement lives in that statement's arena, so a tree is
 * freed in one call (sl_parse_free). Names are as PostgreSQL resolves them lexically:
 * unquoted identifiers folded to lower case, quoted ones kept exactly; nothing is
 * truncated here (the planner refuses a name a warehouse cannot represent). Positions
 * are 1-based character offsets in the statement text, for error carets; they are not
 * part of a statement's meaning (sl_stmt_equal ignores them).
 */
#ifndef SLUICE_AST_H
#define SLUICE_AST_H

#include "classify.h"

#include <stdbool.h>

/* ---- values, options, names ---- */

typedef enum {
    SL_VALUE_STRING, /* '…', E'…', $$…$$: text is the decoded string */
    SL_VALUE_NUMBER, /* 42, -1.5: text as written */
    SL_VALUE_BOOL,   /* true/false (and on/off/yes/no/1/0 where a boolean is due): "true"/"false" */
    SL_VALUE_WORD,   /* a bare word or quoted identifier: text folded/kept like a name */
} sl_value_kind;

typedef struct sl_value {
    sl_value_kind kind;
    char *text;
    int position;
} sl_value;

typedef struct sl_option {
    char *name; /* lower case, as validated against the statement's list */
    sl_value value;
    int position;
} sl_option;

typedef struct sl_options {
    sl_option *items;
    int n;
} sl_options;

typedef struct sl_names {
    char **items;
    int n;
} sl_names;

/*
 * A relation name. schema is NULL when the statement did not qualify it: such a name is
 * resolved later, against the catalog and the session's search_path, never here.
 */
typedef struct sl_qname {
    char *schema;
    char *name;
    int position;
} sl_qname;

typedef struct sl_qnames {
    sl_qname *items;
    int n;
} sl_qnames;

/* ---- connections ---- */

typedef enum {
    SL_CONN_S3,
    SL_CONN_POSTGRES,
    SL_CONN_REDSHIFT,
    SL_CONN_HTTP,
    SL_CONN_SFTP,
    SL_CONN_COUNT_
} sl_conn_kind;

typedef struct sl_create_connection {
    char *name;
    bool if_not_exists;
    sl_conn_kind kind;
    sl_options options;
} sl_create_connection;

/* ALTER CONNECTION name SET (…) and ALTER PIPELINE name SET (…) */
typedef struct sl_alter {
    char *name;
    sl_options options;
} sl_alter;

/* DROP CONNECTION | PIPELINE | MODEL [IF EXISTS] name [AND TABLE] */
typedef struct sl_drop {
    char *name;
    bool if_exists;
    bool and_table; /* DROP PIPELINE only */
} sl_drop;

/* ---- pipelines ---- */

typedef enum {
    SL_SOURCE_FILES,
    SL_SOURCE_S3,
    SL_SOURCE_POSTGRES,
    SL_SOURCE_HTTP,
    SL_SOURCE_SFTP,
    SL_SOURCE_COUNT_
} sl_source_kind;

typedef enum {
    SL_FORMAT_INFERRED, /* no FORMAT clause: decided from the first bytes */
    SL_FORMAT_CSV,
    SL_FORMAT_JSON,
} sl_format_kind;

typedef enum {
    SL_STEP_RENAME,
    SL_STEP_DROP,
    SL_STEP_KEEP,
    SL_STEP_CAST,
    SL_STEP_HASH,
    SL_STEP_MASK,
    SL_STEP_TRIM,
    SL_STEP_LOWER,
    SL_STEP_UPPER,
    SL_STEP_NULLIF,
    SL_STEP_DEFAULT,
    SL_STEP_SPLIT,
    SL_STEP_EXTRACT,
    SL_STEP_FILTER,
    SL_STEP_COMPUTE,
    SL_STEP_COUNT_
} sl_step_kind;

typedef enum {
    SL_OP_EQ,
    SL_OP_NE,
    SL_OP_LT,
    SL_OP_LE,
    SL_OP_GT,
    SL_OP_GE,
    SL_OP_LIKE,
    SL_OP_IS_NULL,
    SL_OP_IS_NOT_NULL,
    SL_OP_IN,
    SL_OP_COUNT_
} sl_filter_op;

/*
 * One TRANSFORM step. Which fields are set depends on kind:
 *   RENAME a TO b              column, new_name
 *   DROP / KEEP / HASH a, b    columns
 *   CAST a AS type [FORMAT f]  column, type, format (NULL when absent)
 *   MASK a [KEEP LAST n]       column, keep_last (-1 when absent)
 *   TRIM / LOWER / UPPER a     column
 *   NULLIF / DEFAULT a 'v'     column, text
 *   SPLIT a ON 'sep' INTO (…)  column, text (the separator), into
 *   EXTRACT a MATCHING 're' …  column, text (the POSIX extended regex), into
 *   FILTER a op value          column, op, values (none for IS [NOT] NULL, one, or IN's list)
 *   COMPUTE a AS expression    column, text (the SQL expression, verbatim)
 */
typedef struct sl_step {
    sl_step_kind kind;
    int position;
    char *column;
    char *new_name;
    sl_names columns;
    char *type; /* canonical SQL spelling, e.g. "numeric(10,2)", "timestamp with time zone" */
    char *format;
    long keep_last;
    char *text;
    sl_names into;
    sl_filter_op op;
    sl_value *values;
    int n_values;
} sl_step;

typedef struct sl_column_def {
    char *name;
    char *type; /* canonical SQL spelling, as sl_step.type */
    int position;
} sl_column_def;

typedef struct sl_create_pipeline {
    char *name;
    bool if_not_exists;
    sl_source_kind source;
    char *location;
    char *connection; /* NULL for FILES */
    int connection_position;
    sl_format_kind format;
    sl_options format_options;
    sl_step *steps;
    int n_steps;
    sl_qname target;
    sl_column_def *columns; /* n_columns == 0: no column list */
    int n_columns;
    sl_options options;
} sl_create_pipeline;

/* START / STOP / RUN / REFRESH / REPLAY … ERRORS PIPELINE name */
typedef struct sl_pipeline_cmd {
    char *name;
} sl_pipeline_cmd;

/* SHOW PIPELINE name; SHOW PIPELINE ERRORS name [LIMIT n] */
typedef struct sl_show_pipeline {
    char *name;
    bool errors;
    long limit; /* -1 when absent */
} sl_show_pipeline;

/* ---- models ---- */

typedef enum { SL_MATERIALIZE_VIEW, SL_MATERIALIZE_TABLE } sl_materialize;
typedef enum { SL_REFRESH_ON_CHANGE, SL_REFRESH_EVERY, SL_REFRESH_MANUAL } sl_refresh_kind;

typedef struct sl_create_model {
    char *name;
    bool if_not_exists;
    sl_materialize materialized; /* default VIEW */
    sl_refresh_kind refresh;     /* default ON CHANGE */
    char *every;                 /* REFRESH EVERY 'interval' */
    sl_options options;
    char *select;        /* the query after AS, verbatim (no trailing ';') */
    int select_position; /* where it starts in the statement */
    /*
     * Relations the query reads (FROM, JOIN, subqueries, CTE bodies; CTE names left out),
     * in order of appearance, without duplicates. An unqualified name stays unqualified:
     * the executor resolves it with the session's search_path against the catalog, which
     * is also where a name turns out to be another model.
     */
    sl_qnames base_tables;
} sl_create_model;

typedef struct sl_refresh_model {
    char *name;
    bool full;
} sl_refresh_model;

/* ---- sharing ---- */

typedef enum { SL_SHARE_TABLE, SL_SHARE_SCHEMA } sl_share_object;

/* SHARE … WITH consumer [TO GROUP g]; UNSHARE … FROM consumer (one object, no group) */
typedef struct sl_share {
    sl_share_object object;
    sl_qnames tables; /* TABLE: always schema-qualified */
    char *schema;     /* SCHEMA */
    char *consumer;
    char *group; /* NULL when absent */
} sl_share;

/* ---- SHOW, EXPLAIN ---- */

typedef enum { SL_OBJECT_PIPELINE, SL_OBJECT_MODEL } sl_object_kind;

typedef struct sl_show_create {
    sl_object_kind object;
    char *name;
} sl_show_create;

typedef struct sl_show_sluice {
    char *setting; /* the word after "sluice." */
} sl_show_sluice;

typedef enum { SL_DIALECT_DEFAULT, SL_DIALECT_POSTGRES, SL_DIALECT_REDSHIFT } sl_dialect;

struct sl_stmt;

typedef struct sl_explain {
    sl_dialect dialect; /* DEFAULT: the configured one */
    struct sl_stmt *stmt;
} sl_explain;

/* ---- the statement ---- */

typedef struct sl_stmt {
    sl_stmt_kind kind;
    union {
        sl_create_connection create_connection; /* CREATE_CONNECTION */
        sl_alter alter;                         /* ALTER_CONNECTION, ALTER_PIPELINE */
        sl_drop drop;                           /* DROP_CONNECTION, DROP_PIPELINE, DROP_MODEL */
        sl_create_pipeline create_pipeline;     /* CREATE_PIPELINE */
        sl_pipeline_cmd pipeline;               /* START/STOP/RUN/REFRESH/REPLAY_PIPELINE */
        sl_show_pipeline show_pipeline;         /* SHOW_PIPELINE */
        sl_create_model create_model;           /* CREATE_MODEL */
        sl_refresh_model refresh_model;         /* REFRESH_MODEL */
        sl_share share;                         /* SHARE, UNSHARE */
        sl_show_create show_create;             /* SHOW_CREATE */
        sl_show_sluice show_sluice;             /* SHOW_SLUICE */
        sl_explain explain;                     /* EXPLAIN */
    } u;          /* SHOW PIPELINES / MODELS / CONNECTIONS / SHARES have no fields */
    void *arena_; /* owned by the parser: everything above is allocated in it */
} sl_stmt;

#endif
