/*
 * dialect.h — the one interface behind which each warehouse renders its SQL.
 *
 * A dialect is a table of function pointers (struct plan_dialect), one instance per
 * warehouse: postgres.c (pgsql_) and redshift.c (rs_). Each function appends statements or
 * fragments to a gen (gen.h) and does no I/O. What both warehouses spell the same way
 * (append, history, ledger, error rows, run record, model swaps) lives once, in merge.c,
 * and asks the dialect only for the parts that differ.
 */
#ifndef SLUICE_DIALECT_H
#define SLUICE_DIALECT_H

#include "gen.h"

typedef enum plan_attr_place {
    PLAN_ATTR_TABLE, /* CREATE TABLE (…) <attrs> */
    PLAN_ATTR_CTAS,  /* CREATE TABLE x <attrs> AS … */
    PLAN_ATTR_MV     /* CREATE MATERIALIZED VIEW x <attrs> AS … */
} plan_attr_place;

typedef struct plan_dialect {
    const char *name;
    /* Column type for a PostgreSQL type name; staging: the type of the staging column. */
    void (*type_sql)(gen *g, const char *pg_type, bool staging);
    /* The target value of a staging column (Redshift parses JSON text into SUPER). */
    void (*load_expr)(gen *g, const plan_column *c);
    /* An expression of the bare column that compares with = (json is not comparable). */
    void (*comparable)(gen *g, const char *column, const char *pg_type);
    /* Table attributes (Redshift DISTKEY/SORTKEY); PostgreSQL ignores them. */
    void (*table_attrs)(gen *g, const char *distkey, const char *const *sortkey, size_t n,
                        plan_attr_place place);
    const char *temp_suffix; /* appended to CREATE TEMP TABLE …: " ON COMMIT DROP" or "" */
    bool drop_temp;          /* drop temp tables explicitly before COMMIT */
    const char *now_fn;      /* the current time, usable on every node */
    /* The privileges GRANT … ON a table takes, NULL-terminated. */
    const char *const *table_privileges;
    /* ALTER TABLE … ADD COLUMN for schema evolution. */
    void (*add_columns)(gen *g, const plan_pipeline *p, const plan_column *cols, size_t n);
    /* Fills the staging table: COPY … FROM STDIN, or COPY … FROM 's3://…manifest'. */
    void (*load)(gen *g, const plan_pipeline *p, const plan_batch *b, const char *stage);
    /* Upsert staging into the target, newest updated_at winning. */
    void (*upsert)(gen *g, const plan_pipeline *p, const char *stage);
    /* CREATE MATERIALIZED VIEW for a model. */
    void (*model_view)(gen *g, const plan_model *m);
    void (*share_producer)(gen *g, const plan_share *s);
    void (*share_consumer)(gen *g, const plan_share *s);
    void (*unshare_producer)(gen *g, const plan_share *s);
    void (*unshare_consumer)(gen *g, const plan_share *s);
    void (*reshare)(gen *g, const plan_qname *table, const plan_reshare *r);
} plan_dialect;

const plan_dialect *pgsql_dialect(void);
const plan_dialect *rs_dialect(void);

/* ---- shared builders, merge.c ---- */

/* Staging column list (loaded columns, then the record sequence number). */
#define MERGE_SEQ_COLUMN "_sluice_seq"
/* Target column names: loaded columns then computed ones. */
void merge_target_columns(gen *g, const plan_pipeline *p);
/* The values for those columns, read from staging columns named bare. */
void merge_select_values(gen *g, const plan_dialect *d, const plan_pipeline *p);
bool merge_is_key(const plan_pipeline *p, const char *name);
/* left.k1 = right.k1 AND … over the primary key. */
void merge_key_match(gen *g, const plan_pipeline *p, const plan_qname *left,
                     const plan_qname *right);
/* ORDER BY terms that put the winning version of a key first. */
void merge_newest_first(gen *g, const plan_pipeline *p);
void merge_append(gen *g, const plan_dialect *d, const plan_pipeline *p, const char *stage);
void merge_history(gen *g, const plan_dialect *d, const plan_pipeline *p, const char *stage);
/* CREATE SCHEMA/TABLE IF NOT EXISTS for sluice.ledger, sluice.batch, sluice.batch_error. */
void merge_setup(gen *g, const plan_dialect *d);
void merge_ledger(gen *g, const plan_pipeline *p, const plan_batch *b, bool guard);
void merge_errors(gen *g, const plan_pipeline *p, const plan_batch *b);
void merge_run_record(gen *g, const plan_pipeline *p, const plan_batch *b, const char *stage);
/* A table model's refresh: rebuilt beside it and swapped in, or its rows replaced. */
void merge_model_swap(gen *g, const plan_dialect *d, const plan_model *m);
void merge_model_in_place(gen *g, const plan_model *m);
/* CREATE TABLE model AS … (a model's first build). */
void merge_model_table(gen *g, const plan_dialect *d, const plan_model *m);

#endif
