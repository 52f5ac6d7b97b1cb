/*
 * plan.h — what the planner is asked to plan, and the plan it answers with.
 *
 * Inputs are plain structs the caller fills in (from the parser's AST and the catalog;
 * the planner knows neither). The output is the ordered list of warehouse statements
 * for one dialect. Everything here is pure: no I/O, the same input gives the same text,
 * so EXPLAIN prints exactly what a run sends and golden files can pin it down.
 */
#ifndef SLUICE_PLAN_H
#define SLUICE_PLAN_H

#include "intercept.h" /* sl_error: SQLSTATE, message, hint */

#include <stdbool.h>
#include <stddef.h>

typedef enum plan_dialect_kind { PLAN_POSTGRES, PLAN_REDSHIFT } plan_dialect_kind;

/* Where and how the SQL is rendered. */
typedef struct plan_target {
    plan_dialect_kind dialect;
    bool explain;        /* EXPLAIN rendering: secrets print as '********' */
    bool case_sensitive; /* Redshift runs with enable_case_sensitive_identifier = true */
} plan_target;

typedef struct plan_qname {
    const char *schema; /* NULL: unqualified (search_path) */
    const char *name;
} plan_qname;

/* Types are PostgreSQL spellings: integer, bigint, numeric(p,s), text, varchar(n),
 * boolean, date, timestamp, timestamptz, json, jsonb, uuid, bytea, real, double precision… */
typedef struct plan_column {
    const char *name;
    const char *type;
} plan_column;

/* COMPUTE name AS expr: evaluated by the warehouse in the merge step, over staging columns. */
typedef struct plan_computed {
    const char *name;
    const char *type;
    const char *expr; /* SQL text, already validated by the parser; emitted in parentheses */
} plan_computed;

typedef enum plan_mode { PLAN_APPEND, PLAN_UPSERT, PLAN_HISTORY } plan_mode;

/* The ledger's item kind follows from the source: files/sftp → path+size+mtime,
 * s3 → key+etag, postgres → updated_at watermark, http → page cursor. */
typedef enum plan_source_kind {
    PLAN_SRC_FILES,
    PLAN_SRC_S3,
    PLAN_SRC_POSTGRES,
    PLAN_SRC_HTTP,
    PLAN_SRC_SFTP
} plan_source_kind;

typedef enum plan_format_kind { PLAN_FMT_CSV, PLAN_FMT_JSON } plan_format_kind;

/* How the source is read. Consumed by the connector: records reach the warehouse
 * re-encoded by sluice as CSV, so only the kind shows in SQL (in the run record). */
typedef struct plan_format {
    plan_format_kind kind;
    bool header;
    char delimiter;
    char quote;
    const char *null_string;
    const char *records; /* JSON: path to the array of records */
} plan_format;

typedef struct plan_pipeline {
    const char *name;
    plan_qname target;
    const plan_column *columns; /* loaded columns, in staging (CSV) order */
    size_t ncolumns;
    const plan_computed *computed;
    size_t ncomputed;
    plan_mode mode;
    const char *const *primary_key; /* required for upsert and history */
    size_t nprimary_key;
    const char *updated_at; /* required for history; newest wins in upsert */
    const char *distkey;    /* Redshift only */
    const char *const *sortkey;
    size_t nsortkey;
    plan_source_kind source;
    const char *location; /* glob, prefix, table or path, as in CREATE PIPELINE */
    plan_format format;
    const char *staging_table; /* NULL: "_sluice_stage" (a temp table, local to the connection) */
} plan_pipeline;

typedef struct plan_ledger_item {
    const char *key;   /* path, S3 key, watermark or cursor */
    long long size;    /* files/sftp: bytes */
    const char *mtime; /* files/sftp: timestamptz text */
    const char *etag;  /* s3 */
} plan_ledger_item;

typedef struct plan_error_row {
    const char *item;   /* file path, object key, page… */
    long long line;     /* line (CSV) or record number (JSON); 0 = unknown */
    const char *column; /* NULL when the whole row failed */
    const char *reason;
    const char *raw;
} plan_error_row;

/* One batch (one warehouse transaction). */
typedef struct plan_batch {
    const char *batch_id;
    const char *started_at;   /* timestamptz text */
    const char *manifest_url; /* Redshift: s3://bucket/prefix/…/manifest written by sluice */
    const char *iam_role;     /* Redshift: role ARN, or "default" */
    const char *region;       /* Redshift: staging bucket region when not the cluster's */
    const plan_ledger_item *items;
    size_t nitems;
    const plan_error_row *errors;
    size_t nerrors;
} plan_batch;

typedef enum plan_materialized { PLAN_MODEL_VIEW, PLAN_MODEL_TABLE } plan_materialized;

/* Where a rebuilt table must be shared again (see plan_reshare_table). */
typedef struct plan_reshare {
    const char *const *datashares; /* Redshift datashares holding the table */
    size_t ndatashares;
    const char *const *fdw_roles; /* PostgreSQL roles that postgres_fdw consumers log in as */
    size_t nfdw_roles;
} plan_reshare;

/* A privilege held on a model's table, granted again on the table a refresh swaps in. */
typedef struct plan_grant {
    const char *grantee;   /* a role; NULL: PUBLIC */
    const char *privilege; /* SELECT, INSERT, … as the warehouse's catalog names it */
    bool grant_option;
} plan_grant;

typedef struct plan_model {
    const char *name;
    const char *schema;
    bool schema_exists; /* the caller knows it exists: no CREATE SCHEMA, which needs the
                           database's CREATE privilege even when the schema is there */
    plan_materialized materialized;
    const char *select_sql; /* the model's SELECT, validated by the parser */
    const char *distkey;
    const char *const *sortkey;
    size_t nsortkey;
    bool incremental; /* Redshift decides per MV; see plan.c */
    plan_reshare reshare;
    /*
     * Refreshing a table model (a materialized view is bound when it is created). The query
     * runs under search_path, the search_path of CREATE MODEL (NULL: the session's), and
     * session_search_path is set again after it. in_place: other objects depend on the
     * table, so its rows are replaced (DELETE, INSERT) instead of a new table being swapped
     * in. Otherwise the new table is given the old one's grants (consecutive ones to the
     * same grantee go in one GRANT) and its owner, when that is not the refreshing user.
     */
    const char *search_path;
    const char *session_search_path;
    bool in_place;
    const plan_grant *grants;
    size_t ngrants;
    const char *owner;
} plan_model;

typedef struct plan_share {
    const char *datashare; /* Redshift: one datashare per consumer */
    bool exists;           /* datashare / consumer database / fdw server already made */
    const plan_qname *tables;
    size_t ntables;
    const char *const *schemas;
    size_t nschemas;
    const char *group;              /* consumer group granted read access; NULL = none */
    const char *producer_namespace; /* Redshift: SELECT current_namespace on each side */
    const char *consumer_namespace;
    const char *consumer_database; /* Redshift: database made from the datashare */
    /* PostgreSQL consumer (postgres_fdw) */
    const char *fdw_server;
    const char *host;
    int port;
    const char *dbname;
    const char *user;
    const char *password; /* printed as '********' when rendering for EXPLAIN */
} plan_share;

/* ---- output ---- */

#define PLAN_STMT_EXPECT_NO_ROWS 0x1u /* a guard: any row returned → ROLLBACK, do not go on */
#define PLAN_STMT_ALONE 0x2u          /* send alone, outside any transaction block */

typedef struct plan_stmt {
    char *sql; /* one statement, no trailing ';' */
    unsigned flags;
} plan_stmt;

typedef struct plan_out {
    plan_stmt *stmts;
    size_t n;
    size_t cap;
} plan_out;

bool plan_out_add(plan_out *out, char *sql, unsigned flags); /* takes sql */
void plan_out_free(plan_out *out);

/* ---- entry points: each appends statements to out; false with err set on error ---- */

/* The warehouse side of the exactly-once rule: schema "sluice" with the tables a batch
 * writes in its own transaction (ledger, batch, batch_error); idempotent. */
bool plan_warehouse_setup(const plan_target *t, plan_out *out, sl_error *err);

bool plan_table_create(const plan_target *t, const plan_pipeline *p, plan_out *out, sl_error *err);
/* Schema evolution: new loaded columns (Redshift: one ALTER TABLE per column). */
bool plan_table_add_columns(const plan_target *t, const plan_pipeline *p, const plan_column *cols,
                            size_t ncols, plan_out *out, sl_error *err);
/* One batch, BEGIN … COMMIT: staging, load, merge, ledger, error rows, run record. */
bool plan_batch_run(const plan_target *t, const plan_pipeline *p, const plan_batch *b,
                    plan_out *out, sl_error *err);

bool plan_model_create(const plan_target *t, const plan_model *m, plan_out *out, sl_error *err);
bool plan_model_refresh(const plan_target *t, const plan_model *m, plan_out *out, sl_error *err);
bool plan_model_drop(const plan_target *t, const plan_model *m, plan_out *out, sl_error *err);

/* Sharing: statements for the producer's warehouse and for the consumer's. */
bool plan_share_producer(const plan_target *t, const plan_share *s, plan_out *out, sl_error *err);
bool plan_share_consumer(const plan_target *t, const plan_share *s, plan_out *out, sl_error *err);
bool plan_unshare_producer(const plan_target *t, const plan_share *s, plan_out *out, sl_error *err);
bool plan_unshare_consumer(const plan_target *t, const plan_share *s, plan_out *out, sl_error *err);
/* A shared table was recreated (model swap, REFRESH PIPELINE): share it again. Runs inside
 * the transaction that recreated it. */
bool plan_reshare_table(const plan_target *t, const plan_qname *table, const plan_reshare *r,
                        plan_out *out, sl_error *err);

#endif
