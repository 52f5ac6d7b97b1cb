/*
 * bind.h — from a parsed CREATE PIPELINE and what the catalog and the warehouse say
 * (the facts) to the planner's pipeline: names resolved, columns and their types, keys,
 * the source's kind checked against its connection's.
 *
 * Pure: the executor looks the facts up on the client's session, this module only decides.
 * The result points into the statement's tree and into the facts, which must outlive it.
 */
#ifndef SLUICE_BIND_H
#define SLUICE_BIND_H

#include "parse.h"
#include "plan.h"

typedef struct bind_facts {
    const char *current_schema;       /* where an unqualified target goes; NULL: none */
    const char *connection_kind;      /* the named connection's kind ("s3"…); NULL: no such one */
    bool table_exists;                /* the target table is in the warehouse already */
    const plan_column *table_columns; /* …and its columns, in order */
    size_t ntable_columns;
} bind_facts;

typedef struct bound_pipeline {
    plan_pipeline p;
    bool columns_known; /* from the column list or the existing table; else inferred later */
    bool create_table;  /* CREATE PIPELINE creates the target from its column list */
    /* storage the plan points into */
    plan_column *columns;
    plan_computed *computed;
    char **names; /* primary_key and sortkey entries, folded */
    size_t nnames;
} bound_pipeline;

/* Binds c; false with err set (SQLSTATE, message, hint, position in the statement) and out
 * left empty. Name lists in WITH ('a, "B,c"') split at commas outside double quotes; each
 * part folds like an identifier, and a word value (id, "MixedCase") is one name as written. */
bool bind_pipeline(const sl_create_pipeline *c, const bind_facts *f, bound_pipeline *out,
                   sl_error *err);
void bound_pipeline_free(bound_pipeline *b);

/*
 * The names an option's value lists, as the planner wants them: a string 'a, "B,c"' is
 * split at commas outside double quotes, each part folded like an identifier (a, B,c); a
 * word (id, "MixedCase") is one name, as the parser resolved it. Malloc'd, NULL-terminated,
 * *n of them; NULL when out of memory. bind_names_free frees them.
 */
char **bind_option_names(const sl_option *opt, size_t *n);
void bind_names_free(char **names);

/* The connection kind a source reads through ("s3"…), NULL for FILES. */
const char *bind_source_connection_kind(sl_source_kind source);

#endif
