/*
 * gen.h — the statement builder the dialects write with.
 *
 * A gen holds the statement being built and a sticky error: after the first failure every
 * call does nothing, so builders read as straight-line SQL and check once at the end.
 * It also parses the PostgreSQL type names of plan specs (gen_type_parse) for the dialects
 * to render.
 */
#ifndef SLUICE_GEN_H
#define SLUICE_GEN_H

#include "plan.h"
#include "sqlbuf.h"

typedef struct gen {
    const plan_target *t;
    plan_out *out;
    sl_error *err;
    sqlbuf sb;
    bool failed;
} gen;

void gen_init(gen *g, const plan_target *t, plan_out *out, sl_error *err);
/* Releases the builder; true when nothing failed. */
bool gen_finish(gen *g);
void gen_fail(gen *g, const char *sqlstate, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

void gen_sql(gen *g, const char *text); /* keywords and punctuation, verbatim */
void gen_printf(gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void gen_ident(gen *g, const char *name);
void gen_column(gen *g, const char *name);
void gen_qname(gen *g, const plan_qname *q); /* "schema"."name" or "name" */
/* "schema"."table"."column": how Redshift DELETE/MERGE must name target columns. */
void gen_qcolumn(gen *g, const plan_qname *q, const char *column);
void gen_lit(gen *g, const char *text); /* NULL → NULL */
/* A secret: the literal when executing, '********' when rendering for EXPLAIN. */
void gen_secret(gen *g, const char *text);
/* Ends the statement being built and appends it to the plan. */
void gen_emit(gen *g, unsigned flags);
/* Appends a whole fixed statement. */
void gen_stmt(gen *g, const char *text, unsigned flags);
/* Checks a name the builder derives (e.g. name__new) without writing it. */
void gen_check_ident(gen *g, const char *name);

/* Comma-separated lists. prefix (may be NULL) is an already-quoted qualifier + '.'. */
void gen_columns(gen *g, const plan_column *cols, size_t n, const char *prefix);
void gen_names(gen *g, const char *const *names, size_t n, const char *prefix);

typedef enum gen_type_base {
    GEN_SMALLINT,
    GEN_INTEGER,
    GEN_BIGINT,
    GEN_NUMERIC,
    GEN_REAL,
    GEN_DOUBLE,
    GEN_BOOLEAN,
    GEN_DATE,
    GEN_TIME,
    GEN_TIMETZ,
    GEN_TIMESTAMP,
    GEN_TIMESTAMPTZ,
    GEN_TEXT,
    GEN_VARCHAR,
    GEN_CHAR,
    GEN_JSON,
    GEN_JSONB,
    GEN_UUID,
    GEN_BYTEA
} gen_type_base;

typedef struct gen_type {
    gen_type_base base;
    int p; /* length or precision; -1 = not given */
    int s; /* scale; -1 = not given */
} gen_type;

/* Parses a PostgreSQL type name; unknown types fail the gen with 42704. */
bool gen_type_parse(gen *g, const char *text, gen_type *out);

#endif
