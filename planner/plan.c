/*
 * plan.c — the planner's entry points: check a spec, pick the dialect, run its builders,
 * and hand back the statements (or an error and no statements).
 */
#include "dialect.h"
#include "quote.h"

#include <stdlib.h>
#include <string.h>

#define PLAN_STAGE_DEFAULT "_sluice_stage"

bool plan_out_add(plan_out *out, char *sql, unsigned flags)
{
    if (out->n == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 16;
        plan_stmt *s = realloc(out->stmts, cap * sizeof(*s));
        if (!s) {
            free(sql);
            return false;
        }
        out->stmts = s;
        out->cap = cap;
    }
    out->stmts[out->n].sql = sql;
    out->stmts[out->n].flags = flags;
    out->n++;
    return true;
}

static void plan_out_truncate(plan_out *out, size_t n)
{
    while (out->n > n)
        free(out->stmts[--out->n].sql);
}

void plan_out_free(plan_out *out)
{
    plan_out_truncate(out, 0);
    free(out->stmts);
    memset(out, 0, sizeof(*out));
}

static const plan_dialect *plan_dialect_of(const plan_target *t)
{
    return t->dialect == PLAN_REDSHIFT ? rs_dialect() : pgsql_dialect();
}

/* Ends a plan: on failure, drops the statements this call added. */
static bool plan_finish(gen *g, size_t first)
{
    bool ok = gen_finish(g);
    if (!ok)
        plan_out_truncate(g->out, first);
    return ok;
}

/* ---- checking a pipeline spec ---- */

static bool plan_has_column(const plan_pipeline *p, const char *name, bool computed_too)
{
    for (size_t i = 0; name && i < p->ncolumns; i++)
        if (strcmp(p->columns[i].name, name) == 0)
            return true;
    for (size_t i = 0; name && computed_too && i < p->ncomputed; i++)
        if (strcmp(p->computed[i].name, name) == 0)
            return true;
    return false;
}

static void plan_need_column(gen *g, const plan_pipeline *p, const char *name, const char *what)
{
    if (!plan_has_column(p, name, strcmp(what, "primary_key") != 0))
        gen_fail(g, "42703", "Name a column of the pipeline's column list.",
                 "%s column \"%.64s\" is not a column of pipeline \"%.64s\"", what,
                 name ? name : "", p->name);
}

static void plan_check_names(gen *g, const plan_pipeline *p)
{
    static const char *const reserved[] = {MERGE_SEQ_COLUMN, "valid_from", "valid_to",
                                           "_sluice_src",    "_sluice_rn", "_sluice_changed"};
    size_t n = p->ncolumns + p->ncomputed;
    for (size_t i = 0; i < n && !g->failed; i++) {
        const char *a = i < p->ncolumns ? p->columns[i].name : p->computed[i - p->ncolumns].name;
        for (size_t r = 0; r < sizeof(reserved) / sizeof(reserved[0]); r++)
            if (a && strcmp(a, reserved[r]) == 0)
                gen_fail(g, "42701", "Rename the column with TRANSFORM (RENAME a TO b).",
                         "column name \"%s\" is reserved by sluice", a);
        for (size_t j = 0; j < i; j++) {
            const char *b =
                j < p->ncolumns ? p->columns[j].name : p->computed[j - p->ncolumns].name;
            if (a && b && strcmp(a, b) == 0)
                gen_fail(g, "42701", NULL, "column \"%.64s\" specified more than once", a);
        }
    }
}

static void plan_check_pipeline(gen *g, const plan_pipeline *p)
{
    gen_check_ident(g, p->target.name);
    if (p->target.schema)
        gen_check_ident(g, p->target.schema);
    if (!g->failed && p->ncolumns == 0)
        gen_fail(g, "42P10", "Declare the columns, or let sluice infer them from the data.",
                 "pipeline \"%.64s\" has no columns", p->name);
    if (!g->failed && p->mode != PLAN_APPEND && p->nprimary_key == 0)
        gen_fail(g, "22023", "Add WITH (primary_key = 'id').",
                 "mode %s needs the primary_key option",
                 p->mode == PLAN_UPSERT ? "upsert" : "history");
    if (!g->failed && p->mode == PLAN_HISTORY && !p->updated_at)
        gen_fail(g, "22023", "Add WITH (updated_at = 'column').",
                 "mode history needs the updated_at option");
    plan_check_names(g, p);
    for (size_t i = 0; i < p->nprimary_key; i++)
        plan_need_column(g, p, p->primary_key[i], "primary_key");
    if (p->updated_at)
        plan_need_column(g, p, p->updated_at, "updated_at");
    if (p->distkey)
        plan_need_column(g, p, p->distkey, "distkey");
    for (size_t i = 0; i < p->nsortkey; i++)
        plan_need_column(g, p, p->sortkey[i], "sortkey");
}

bool plan_warehouse_setup(const plan_target *t, plan_out *out, sl_error *err)
{
    size_t first = out->n;
    gen g;
    gen_init(&g, t, out, err);
    merge_setup(&g, plan_dialect_of(t));
    return plan_finish(&g, first);
}

/* ---- target table ---- */

static void plan_column_defs(gen *g, const plan_dialect *d, const plan_pipeline *p)
{
    for (size_t i = 0; i < p->ncolumns; i++) {
        gen_sql(g, i ? ", " : "");
        gen_column(g, p->columns[i].name);
        gen_sql(g, " ");
        d->type_sql(g, p->columns[i].type, false);
    }
    for (size_t i = 0; i < p->ncomputed; i++) {
        gen_sql(g, ", ");
        gen_column(g, p->computed[i].name);
        gen_sql(g, " ");
        d->type_sql(g, p->computed[i].type, false);
    }
}

static const char *plan_type_of(const plan_pipeline *p, const char *name)
{
    for (size_t i = 0; i < p->ncolumns; i++)
        if (strcmp(p->columns[i].name, name) == 0)
            return p->columns[i].type;
    for (size_t i = 0; i < p->ncomputed; i++)
        if (strcmp(p->computed[i].name, name) == 0)
            return p->computed[i].type;
    return "text";
}

static void plan_schema(gen *g, const char *schema)
{
    if (!schema)
        return;
    gen_sql(g, "CREATE SCHEMA IF NOT EXISTS ");
    gen_ident(g, schema);
    gen_emit(g, 0);
}

/* Upsert: PRIMARY KEY (key), which ON CONFLICT needs. History: PRIMARY KEY (key,
 * valid_from) plus the two validity columns. (On Redshift the key is informational.) */
bool plan_table_create(const plan_target *t, const plan_pipeline *p, plan_out *out, sl_error *err)
{
    const plan_dialect *d = plan_dialect_of(t);
    size_t first = out->n;
    gen g;
    gen_init(&g, t, out, err);
    plan_check_pipeline(&g, p);
    plan_schema(&g, p->target.schema);
    gen_sql(&g, "CREATE TABLE ");
    gen_qname(&g, &p->target);
    gen_sql(&g, " (");
    plan_column_defs(&g, d, p);
    if (p->mode == PLAN_HISTORY) {
        const char *ut = plan_type_of(p, p->updated_at);
        gen_sql(&g, ", \"valid_from\" ");
        d->type_sql(&g, ut, false);
        gen_sql(&g, " NOT NULL, \"valid_to\" ");
        d->type_sql(&g, ut, false);
    }
    if (p->mode != PLAN_APPEND) {
        gen_sql(&g, ", PRIMARY KEY (");
        gen_names(&g, p->primary_key, p->nprimary_key, NULL);
        gen_sql(&g, p->mode == PLAN_HISTORY ? ", \"valid_from\"))" : "))");
    } else
        gen_sql(&g, ")");
    d->table_attrs(&g, p->distkey, p->sortkey, p->nsortkey, PLAN_ATTR_TABLE);
    gen_emit(&g, 0);
    return plan_finish(&g, first);
}

bool plan_table_add_columns(const plan_target *t, const plan_pipeline *p, const plan_column *cols,
                            size_t ncols, plan_out *out, sl_error *err)
{
    size_t first = out->n;
    gen g;
    gen_init(&g, t, out, err);
    gen_check_ident(&g, p->target.name);
    if (ncols)
        plan_dialect_of(t)->add_columns(&g, p, cols, ncols);
    return plan_finish(&g, first);
}

/* ---- one batch ---- */

static void plan_staging(gen *g, const plan_dialect *d, const plan_pipeline *p, const char *stage)
{
    gen_sql(g, "CREATE TEMP TABLE ");
    gen_ident(g, stage);
    gen_sql(g, " (");
    for (size_t i = 0; i < p->ncolumns; i++) {
        gen_sql(g, i ? ", " : "");
        gen_column(g, p->columns[i].name);
        gen_sql(g, " ");
        d->type_sql(g, p->columns[i].type, true);
    }
    gen_sql(g, ", \"" MERGE_SEQ_COLUMN "\" bigint)");
    gen_sql(g, d->temp_suffix);
    gen_emit(g, 0);
}

bool plan_batch_run(const plan_target *t, const plan_pipeline *p, const plan_batch *b,
                    plan_out *out, sl_error *err)
{
    const plan_dialect *d = plan_dialect_of(t);
    const char *stage = p->staging_table ? p->staging_table : PLAN_STAGE_DEFAULT;
    size_t first = out->n;
    gen g;
    gen_init(&g, t, out, err);
    plan_check_pipeline(&g, p);
    gen_stmt(&g, "BEGIN", 0);
    merge_ledger(&g, p, b, true);
    plan_staging(&g, d, p, stage);
    d->load(&g, p, b, stage);
    if (p->mode == PLAN_APPEND)
        merge_append(&g, d, p, stage);
    else if (p->mode == PLAN_UPSERT)
        d->upsert(&g, p, stage);
    else
        merge_history(&g, d, p, stage);
    merge_ledger(&g, p, b, false);
    merge_errors(&g, p, b);
    merge_run_record(&g, p, b, stage);
    if (d->drop_temp) {
        gen_sql(&g, "DROP TABLE ");
        gen_ident(&g, stage);
        gen_emit(&g, 0);
    }
    gen_stmt(&g, "COMMIT", 0);
    return plan_finish(&g, first);
}

/* ---- models ---- */

static void plan_check_model(gen *g, const plan_model *m)
{
    gen_check_ident(g, m->name);
    if (m->schema)
        gen_check_ident(g, m->schema);
    if (!g->failed && (!m->select_sql || !*m->select_sql))
        gen_fail(g, "42601", "Write CREATE MODEL name AS SELECT ….", "model \"%.64s\" has no query",
                 m->name);
}

/* incremental: Redshift refreshes an MV incrementally whenever its query allows (see
 * redshift-sql.md §4); on PostgreSQL the incremental merge is the engine's, not SQL here. */
bool plan_model_create(const plan_target *t, const plan_model *m, plan_out *out, sl_error *err)
{
    const plan_dialect *d = plan_dialect_of(t);
    size_t first = out->n;
    gen g;
    gen_init(&g, t, out, err);
    plan_check_model(&g, m);
    if (!m->schema_exists)
        plan_schema(&g, m->schema);
    if (m->materialized == PLAN_MODEL_VIEW)
        d->model_view(&g, m);
    else
        merge_model_table(&g, d, m);
    return plan_finish(&g, first);
}

/* A view: REFRESH MATERIALIZED VIEW (its own transaction on Redshift). A table: rebuilt
 * beside the model and swapped in, privileges, owner and shares following the new table;
 * or, when other objects depend on it, its rows replaced in place. */
bool plan_model_refresh(const plan_target *t, const plan_model *m, plan_out *out, sl_error *err)
{
    size_t first = out->n;
    plan_qname q = {m->schema, m->name};
    gen g;
    gen_init(&g, t, out, err);
    plan_check_model(&g, m);
    if (m->materialized == PLAN_MODEL_TABLE) {
        if (m->in_place)
            merge_model_in_place(&g, m);
        else
            merge_model_swap(&g, plan_dialect_of(t), m);
        return plan_finish(&g, first);
    }
    gen_sql(&g, "REFRESH MATERIALIZED VIEW ");
    gen_qname(&g, &q);
    gen_emit(&g, t->dialect == PLAN_REDSHIFT ? PLAN_STMT_ALONE : 0); /* its own transaction */
    return plan_finish(&g, first);
}

bool plan_model_drop(const plan_target *t, const plan_model *m, plan_out *out, sl_error *err)
{
    size_t first = out->n;
    plan_qname q = {m->schema, m->name};
    gen g;
    gen_init(&g, t, out, err);
    gen_sql(&g, m->materialized == PLAN_MODEL_VIEW ? "DROP MATERIALIZED VIEW IF EXISTS "
                                                   : "DROP TABLE IF EXISTS ");
    gen_qname(&g, &q);
    gen_emit(&g, 0);
    return plan_finish(&g, first);
}

/* ---- shares ---- */

static void plan_check_share(gen *g, const plan_share *s, bool consumer)
{
    if (g->t->dialect == PLAN_REDSHIFT) {
        gen_check_ident(g, s->datashare);
        const char *ns = consumer ? s->producer_namespace : s->consumer_namespace;
        if (!g->failed && !ns)
            gen_fail(g, "22023", "sluice reads it with SELECT current_namespace on each side.",
                     "the %s cluster's namespace is not known", consumer ? "producer" : "consumer");
        if (consumer)
            gen_check_ident(g, s->consumer_database);
        return;
    }
    if (!s->user)
        gen_fail(g, "22023", "Set user (and password) on the consumer connection.",
                 "postgres_fdw needs the user the consumer logs in to the producer as");
    gen_check_ident(g, s->user);
    if (!g->failed && consumer && (!s->host || !s->dbname || !s->fdw_server))
        gen_fail(g, "22023", "Set host and dbname (or dsn) on the consumer connection.",
                 "the producer connection needs host and dbname for postgres_fdw");
}

typedef void (*plan_share_fn)(gen *g, const plan_share *s);

static bool plan_share_run(const plan_target *t, const plan_share *s, bool consumer, size_t which,
                           plan_out *out, sl_error *err)
{
    const plan_dialect *d = plan_dialect_of(t);
    plan_share_fn fns[] = {d->share_producer, d->share_consumer, d->unshare_producer,
                           d->unshare_consumer};
    size_t first = out->n;
    gen g;
    gen_init(&g, t, out, err);
    plan_check_share(&g, s, consumer);
    fns[which](&g, s);
    return plan_finish(&g, first);
}

bool plan_share_producer(const plan_target *t, const plan_share *s, plan_out *out, sl_error *err)
{
    return plan_share_run(t, s, false, 0, out, err);
}

bool plan_share_consumer(const plan_target *t, const plan_share *s, plan_out *out, sl_error *err)
{
    return plan_share_run(t, s, true, 1, out, err);
}

bool plan_unshare_producer(const plan_target *t, const plan_share *s, plan_out *out, sl_error *err)
{
    return plan_share_run(t, s, false, 2, out, err);
}

bool plan_unshare_consumer(const plan_target *t, const plan_share *s, plan_out *out, sl_error *err)
{
    return plan_share_run(t, s, true, 3, out, err);
}

bool plan_reshare_table(const plan_target *t, const plan_qname *table, const plan_reshare *r,
                        plan_out *out, sl_error *err)
{
    size_t first = out->n;
    gen g;
    gen_init(&g, t, out, err);
    plan_dialect_of(t)->reshare(&g, table, r);
    return plan_finish(&g, first);
}
