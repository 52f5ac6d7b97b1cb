/*
 * merge.c — the batch and model SQL that PostgreSQL and Redshift spell the same way.
 *
 * Tables a batch writes, in the warehouse's schema "sluice" so that they commit with the
 * rows (made by merge_setup; on PostgreSQL they sit beside the catalog's own tables):
 *   sluice.ledger      (pipeline, batch_id, item_kind, item_key, item_size, item_mtime,
 *                       item_etag, loaded_at)      — what was consumed: the exactly-once rule
 *   sluice.batch       (pipeline, batch_id, source, format, items, rows_loaded, error_rows,
 *                       started_at, committed_at) — the run record
 *   sluice.batch_error (pipeline, batch_id, item, line, column_name, reason, raw)
 * Only constructs both warehouses accept are used here: INSERT … SELECT, DELETE … USING,
 * window functions with an explicit ORDER BY, CASE, EXISTS; no WITH, no IS DISTINCT FROM,
 * no named WINDOW clause, no VALUES as a table.
 */
#include "dialect.h"

#include <stdio.h>
#include <string.h>

static const plan_qname merge_ledger_table = {"sluice", "ledger"};
static const plan_qname merge_errors_table = {"sluice", "batch_error"};
static const plan_qname merge_runs_table = {"sluice", "batch"};

void merge_target_columns(gen *g, const plan_pipeline *p)
{
    gen_columns(g, p->columns, p->ncolumns, NULL);
    for (size_t i = 0; i < p->ncomputed; i++) {
        gen_sql(g, ", ");
        gen_column(g, p->computed[i].name);
    }
}

void merge_select_values(gen *g, const plan_dialect *d, const plan_pipeline *p)
{
    for (size_t i = 0; i < p->ncolumns; i++) {
        gen_sql(g, i ? ", " : "");
        d->load_expr(g, &p->columns[i]);
    }
    for (size_t i = 0; i < p->ncomputed; i++) {
        gen_sql(g, ", CAST((");
        gen_sql(g, p->computed[i].expr);
        gen_sql(g, ") AS ");
        d->type_sql(g, p->computed[i].type, false);
        gen_sql(g, ") AS ");
        gen_column(g, p->computed[i].name);
    }
}

void merge_key_match(gen *g, const plan_pipeline *p, const plan_qname *left,
                     const plan_qname *right)
{
    for (size_t i = 0; i < p->nprimary_key; i++) {
        gen_sql(g, i ? " AND " : "");
        gen_qcolumn(g, left, p->primary_key[i]);
        gen_sql(g, " = ");
        gen_qcolumn(g, right, p->primary_key[i]);
    }
}

void merge_newest_first(gen *g, const plan_pipeline *p)
{
    if (p->updated_at) {
        gen_column(g, p->updated_at);
        gen_sql(g, " DESC NULLS LAST, ");
    }
    gen_sql(g, "\"" MERGE_SEQ_COLUMN "\" DESC");
}

void merge_append(gen *g, const plan_dialect *d, const plan_pipeline *p, const char *stage)
{
    gen_sql(g, "INSERT INTO ");
    gen_qname(g, &p->target);
    gen_sql(g, " (");
    merge_target_columns(g, p);
    gen_sql(g, ") SELECT ");
    merge_select_values(g, d, p);
    gen_sql(g, " FROM ");
    gen_ident(g, stage);
    gen_emit(g, 0);
}

/* ---- history (type-2) ----
 * The versions of every key the batch touches are rebuilt in one pass: the key's stored
 * versions and the staged ones are put side by side; one version per (key, valid_from)
 * survives (a staged one replaces a stored one with the same time); a version equal to the
 * one before it adds nothing; valid_to is the next surviving version's valid_from (NULL for
 * the newest). Late-arriving versions thereby slot in where they belong, a key never has two
 * current rows, and versions never overlap. The stored versions of those keys are then
 * replaced by the rebuilt ones, in the same transaction. */

bool merge_is_key(const plan_pipeline *p, const char *name)
{
    for (size_t i = 0; i < p->nprimary_key; i++)
        if (strcmp(p->primary_key[i], name) == 0)
            return true;
    return false;
}

static void merge_key_window(gen *g, const plan_pipeline *p, bool by_time)
{
    gen_sql(g, " OVER (PARTITION BY ");
    gen_names(g, p->primary_key, p->nprimary_key, NULL);
    gen_sql(g, by_time ? ", \"valid_from\" ORDER BY \"_sluice_src\" DESC, \"" MERGE_SEQ_COLUMN
                         "\" DESC)"
                       : " ORDER BY \"valid_from\")");
}

static void merge_lag(gen *g, const plan_dialect *d, const plan_pipeline *p, const char *name,
                      const char *type)
{
    gen_sql(g, "lag(");
    d->comparable(g, name, type);
    gen_sql(g, ")");
    merge_key_window(g, p, false);
}

/* AND (x = lag(x) OR (x IS NULL AND lag(x) IS NULL)) for one value column. */
static void merge_same_as_previous(gen *g, const plan_dialect *d, const plan_pipeline *p,
                                   const char *name, const char *type)
{
    gen_sql(g, " AND (");
    d->comparable(g, name, type);
    gen_sql(g, " = ");
    merge_lag(g, d, p, name, type);
    gen_sql(g, " OR (");
    d->comparable(g, name, type);
    gen_sql(g, " IS NULL AND ");
    merge_lag(g, d, p, name, type);
    gen_sql(g, " IS NULL))");
}

static void merge_history_changed(gen *g, const plan_dialect *d, const plan_pipeline *p)
{
    gen_sql(g, "CASE WHEN row_number()");
    merge_key_window(g, p, false);
    gen_sql(g, " > 1");
    for (size_t i = 0; i < p->ncolumns + p->ncomputed; i++) {
        bool loaded = i < p->ncolumns;
        const char *name = loaded ? p->columns[i].name : p->computed[i - p->ncolumns].name;
        const char *type = loaded ? p->columns[i].type : p->computed[i - p->ncolumns].type;
        if (merge_is_key(p, name) || strcmp(name, p->updated_at) == 0)
            continue;
        merge_same_as_previous(g, d, p, name, type);
    }
    gen_sql(g, " THEN 0 ELSE 1 END AS \"_sluice_changed\"");
}

/* Stored versions of the touched keys, then the staged versions. */
static void merge_history_versions(gen *g, const plan_dialect *d, const plan_pipeline *p,
                                   const char *stage)
{
    plan_qname st = {NULL, stage};
    gen_sql(g, "SELECT ");
    merge_target_columns(g, p);
    gen_sql(g, ", \"valid_from\", 0 AS \"_sluice_src\", 0 AS \"" MERGE_SEQ_COLUMN "\" FROM ");
    gen_qname(g, &p->target);
    gen_sql(g, " WHERE EXISTS (SELECT 1 FROM ");
    gen_ident(g, stage);
    gen_sql(g, " WHERE ");
    merge_key_match(g, p, &st, &p->target);
    gen_sql(g, ") UNION ALL SELECT ");
    merge_select_values(g, d, p);
    gen_sql(g, ", ");
    gen_column(g, p->updated_at);
    gen_sql(g, " AS \"valid_from\", 1 AS \"_sluice_src\", \"" MERGE_SEQ_COLUMN "\" FROM ");
    gen_ident(g, stage);
}

void merge_history(gen *g, const plan_dialect *d, const plan_pipeline *p, const char *stage)
{
    plan_qname hist = {NULL, "_sluice_hist"};
    gen_sql(g, "CREATE TEMP TABLE \"_sluice_hist\"");
    gen_sql(g, d->temp_suffix);
    gen_sql(g, " AS SELECT ");
    merge_target_columns(g, p);
    gen_sql(g, ", \"valid_from\", lead(\"valid_from\")");
    merge_key_window(g, p, false);
    gen_sql(g, " AS \"valid_to\" FROM (SELECT ");
    merge_target_columns(g, p);
    gen_sql(g, ", \"valid_from\", ");
    merge_history_changed(g, d, p);
    gen_sql(g, " FROM (SELECT ");
    merge_target_columns(g, p);
    gen_sql(g, ", \"valid_from\", row_number()");
    merge_key_window(g, p, true);
    gen_sql(g, " AS \"_sluice_rn\" FROM (");
    merge_history_versions(g, d, p, stage);
    gen_sql(g, ") AS \"v\") AS \"d\" WHERE \"_sluice_rn\" = 1) AS \"c\" WHERE "
               "\"_sluice_changed\" = 1");
    gen_emit(g, 0);

    gen_sql(g, "DELETE FROM ");
    gen_qname(g, &p->target);
    gen_sql(g, " USING \"_sluice_hist\" WHERE ");
    merge_key_match(g, p, &p->target, &hist);
    gen_emit(g, 0);

    gen_sql(g, "INSERT INTO ");
    gen_qname(g, &p->target);
    gen_sql(g, " (");
    merge_target_columns(g, p);
    gen_sql(g, ", \"valid_from\", \"valid_to\") SELECT ");
    merge_target_columns(g, p);
    gen_sql(g, ", \"valid_from\", \"valid_to\" FROM \"_sluice_hist\"");
    gen_emit(g, 0);
    if (d->drop_temp)
        gen_stmt(g, "DROP TABLE \"_sluice_hist\"", 0);
}

/* ---- ledger, error rows, run record ---- */

static const char *merge_item_kind(plan_source_kind k)
{
    switch (k) {
    case PLAN_SRC_FILES:
    case PLAN_SRC_SFTP:
        return "file";
    case PLAN_SRC_S3:
        return "object";
    case PLAN_SRC_POSTGRES:
        return "watermark";
    case PLAN_SRC_HTTP:
        return "cursor";
    }
    return "file";
}

/* The columns that identify an item of this kind, besides pipeline and kind. */
static void merge_item_match(gen *g, const plan_pipeline *p, const plan_ledger_item *it)
{
    gen_sql(g, "(\"item_key\" = ");
    gen_lit(g, it->key);
    if (p->source == PLAN_SRC_FILES || p->source == PLAN_SRC_SFTP) {
        gen_printf(g, " AND \"item_size\" = %lld AND \"item_mtime\" = ", it->size);
        gen_lit(g, it->mtime);
    } else if (p->source == PLAN_SRC_S3) {
        gen_sql(g, " AND \"item_etag\" = ");
        gen_lit(g, it->etag);
    }
    gen_sql(g, ")");
}

static void merge_ledger_guard(gen *g, const plan_pipeline *p, const plan_batch *b)
{
    gen_sql(g, "SELECT \"item_key\" FROM ");
    gen_qname(g, &merge_ledger_table);
    gen_sql(g, " WHERE \"pipeline\" = ");
    gen_lit(g, p->name);
    gen_sql(g, " AND \"item_kind\" = ");
    gen_lit(g, merge_item_kind(p->source));
    gen_sql(g, " AND (");
    for (size_t i = 0; i < b->nitems; i++) {
        gen_sql(g, i ? " OR " : "");
        merge_item_match(g, p, &b->items[i]);
    }
    gen_sql(g, ")");
    gen_emit(g, PLAN_STMT_EXPECT_NO_ROWS);
}

void merge_ledger(gen *g, const plan_pipeline *p, const plan_batch *b, bool guard)
{
    if (b->nitems == 0)
        return;
    if (guard) {
        merge_ledger_guard(g, p, b);
        return;
    }
    bool file = p->source == PLAN_SRC_FILES || p->source == PLAN_SRC_SFTP;
    gen_sql(g, "INSERT INTO ");
    gen_qname(g, &merge_ledger_table);
    gen_sql(g, " (\"pipeline\", \"batch_id\", \"item_kind\", \"item_key\"");
    gen_sql(g, file ? ", \"item_size\", \"item_mtime\"" : "");
    gen_sql(g, p->source == PLAN_SRC_S3 ? ", \"item_etag\"" : "");
    gen_sql(g, ") VALUES ");
    for (size_t i = 0; i < b->nitems; i++) {
        gen_sql(g, i ? ", (" : "(");
        gen_lit(g, p->name);
        gen_sql(g, ", ");
        gen_lit(g, b->batch_id);
        gen_sql(g, ", ");
        gen_lit(g, merge_item_kind(p->source));
        gen_sql(g, ", ");
        gen_lit(g, b->items[i].key);
        if (file) {
            gen_printf(g, ", %lld, ", b->items[i].size);
            gen_lit(g, b->items[i].mtime);
        } else if (p->source == PLAN_SRC_S3) {
            gen_sql(g, ", ");
            gen_lit(g, b->items[i].etag);
        }
        gen_sql(g, ")");
    }
    gen_emit(g, 0);
}

void merge_errors(gen *g, const plan_pipeline *p, const plan_batch *b)
{
    if (b->nerrors == 0)
        return;
    gen_sql(g, "INSERT INTO ");
    gen_qname(g, &merge_errors_table);
    gen_sql(g, " (\"pipeline\", \"batch_id\", \"item\", \"line\", \"column_name\", "
               "\"reason\", \"raw\") VALUES ");
    for (size_t i = 0; i < b->nerrors; i++) {
        const plan_error_row *e = &b->errors[i];
        gen_sql(g, i ? ", (" : "(");
        gen_lit(g, p->name);
        gen_sql(g, ", ");
        gen_lit(g, b->batch_id);
        gen_sql(g, ", ");
        gen_lit(g, e->item);
        if (e->line > 0)
            gen_printf(g, ", %lld, ", e->line);
        else
            gen_sql(g, ", NULL, ");
        gen_lit(g, e->column);
        gen_sql(g, ", ");
        gen_lit(g, e->reason);
        gen_sql(g, ", ");
        gen_lit(g, e->raw);
        gen_sql(g, ")");
    }
    gen_emit(g, 0);
}

void merge_run_record(gen *g, const plan_pipeline *p, const plan_batch *b, const char *stage)
{
    static const char *const sources[] = {"files", "s3", "postgres", "http", "sftp"};
    gen_sql(g, "INSERT INTO ");
    gen_qname(g, &merge_runs_table);
    gen_sql(g, " (\"pipeline\", \"batch_id\", \"source\", \"format\", \"items\", "
               "\"rows_loaded\", \"error_rows\", \"started_at\") SELECT ");
    gen_lit(g, p->name);
    gen_sql(g, ", ");
    gen_lit(g, b->batch_id);
    gen_sql(g, ", ");
    gen_lit(g, sources[p->source]);
    gen_sql(g, ", ");
    gen_lit(g, p->format.kind == PLAN_FMT_JSON ? "json" : "csv");
    gen_printf(g, ", %zu, count(*), %zu, CAST(", b->nitems, b->nerrors);
    gen_lit(g, b->started_at);
    gen_sql(g, " AS timestamptz) FROM ");
    gen_ident(g, stage);
    gen_emit(g, 0);
}

/* ---- the warehouse tables above ---- */

typedef struct merge_coldef {
    const char *name;
    const char *type;
    const char *tail; /* " NOT NULL", or " DEFAULT " followed by the dialect's clock */
} merge_coldef;

static const merge_coldef merge_ledger_cols[] = {
    {"pipeline", "text", " NOT NULL"},  {"batch_id", "text", " NOT NULL"},
    {"item_kind", "text", " NOT NULL"}, {"item_key", "text", " NOT NULL"},
    {"item_size", "bigint", ""},        {"item_mtime", "timestamptz", ""},
    {"item_etag", "text", ""},          {"loaded_at", "timestamptz", " DEFAULT "},
};
static const merge_coldef merge_batch_cols[] = {
    {"pipeline", "text", " NOT NULL"},
    {"batch_id", "text", " NOT NULL"},
    {"source", "text", ""},
    {"format", "text", ""},
    {"items", "integer", ""},
    {"rows_loaded", "bigint", ""},
    {"error_rows", "bigint", ""},
    {"started_at", "timestamptz", ""},
    {"committed_at", "timestamptz", " DEFAULT "},
};
static const merge_coldef merge_error_cols[] = {
    {"pipeline", "text", " NOT NULL"},
    {"batch_id", "text", " NOT NULL"},
    {"item", "text", ""},
    {"line", "bigint", ""},
    {"column_name", "text", ""},
    {"reason", "text", ""},
    {"raw", "text", ""},
};

static void merge_setup_table(gen *g, const plan_dialect *d, const plan_qname *q,
                              const merge_coldef *cols, size_t n)
{
    gen_sql(g, "CREATE TABLE IF NOT EXISTS ");
    gen_qname(g, q);
    gen_sql(g, " (");
    for (size_t i = 0; i < n; i++) {
        gen_sql(g, i ? ", " : "");
        gen_column(g, cols[i].name);
        gen_sql(g, " ");
        d->type_sql(g, cols[i].type, false);
        gen_sql(g, cols[i].tail);
        if (strstr(cols[i].tail, "DEFAULT"))
            gen_sql(g, d->now_fn);
    }
    gen_sql(g, ")");
    gen_emit(g, 0);
}

void merge_setup(gen *g, const plan_dialect *d)
{
    gen_stmt(g, "CREATE SCHEMA IF NOT EXISTS \"sluice\"", 0);
    merge_setup_table(g, d, &merge_ledger_table, merge_ledger_cols,
                      sizeof(merge_ledger_cols) / sizeof(merge_ledger_cols[0]));
    merge_setup_table(g, d, &merge_runs_table, merge_batch_cols,
                      sizeof(merge_batch_cols) / sizeof(merge_batch_cols[0]));
    merge_setup_table(g, d, &merge_errors_table, merge_error_cols,
                      sizeof(merge_error_cols) / sizeof(merge_error_cols[0]));
}

/* ---- models ---- */

static void merge_model_ctas(gen *g, const plan_dialect *d, const plan_model *m,
                             const plan_qname *name)
{
    gen_sql(g, "CREATE TABLE ");
    gen_qname(g, name);
    d->table_attrs(g, m->distkey, m->sortkey, m->nsortkey, PLAN_ATTR_CTAS);
    gen_sql(g, " AS ");
    gen_sql(g, m->select_sql);
    gen_emit(g, 0);
}

/*
 * A table model's query runs again at every refresh, in whichever session refreshes it:
 * set around it (before, then after), the search_path of CREATE MODEL makes its names mean
 * what they meant then, and the session's comes back at once. set_config(…, true) is
 * SET LOCAL: even a failure mid-way leaves the session's own setting as it was.
 */
static void merge_model_search_path(gen *g, const plan_model *m, bool before)
{
    if (!m->search_path || (!before && !m->session_search_path))
        return;
    gen_sql(g, "SELECT set_config('search_path', ");
    gen_lit(g, before ? m->search_path : m->session_search_path);
    gen_sql(g, ", true)");
    gen_emit(g, 0);
}

static void merge_privilege(gen *g, const plan_dialect *d, const plan_model *m,
                            const char *privilege)
{
    for (const char *const *p = d->table_privileges; *p; p++)
        if (strcmp(*p, privilege) == 0) {
            gen_sql(g, *p);
            return;
        }
    gen_fail(g, "0A000", "REVOKE it on the model's table, then refresh the model.",
             "privilege \"%.32s\" on model \"%.64s\" has no equivalent on %s", privilege, m->name,
             g->t->dialect == PLAN_REDSHIFT ? "Redshift" : "PostgreSQL");
}

static bool merge_same_grantee(const plan_grant *a, const plan_grant *b)
{
    if (a->grant_option != b->grant_option || !a->grantee != !b->grantee)
        return false;
    return !a->grantee || strcmp(a->grantee, b->grantee) == 0;
}

/* The old table's privileges on the new one: one GRANT per grantee (and grant option). */
static void merge_model_grants(gen *g, const plan_dialect *d, const plan_model *m,
                               const plan_qname *table)
{
    for (size_t i = 0, j; i < m->ngrants; i = j) {
        const plan_grant *first = &m->grants[i];
        gen_sql(g, "GRANT ");
        for (j = i; j < m->ngrants && merge_same_grantee(first, &m->grants[j]); j++) {
            gen_sql(g, j > i ? ", " : "");
            merge_privilege(g, d, m, m->grants[j].privilege);
        }
        gen_sql(g, " ON ");
        gen_qname(g, table);
        gen_sql(g, " TO ");
        if (first->grantee)
            gen_ident(g, first->grantee);
        else
            gen_sql(g, "PUBLIC");
        gen_sql(g, first->grant_option ? " WITH GRANT OPTION" : "");
        gen_emit(g, 0);
    }
}

/*
 * Builds name__new beside the model, then swaps it in by renames in one transaction, so
 * readers see the old table or the new one, never a half-built one. The new table is a new
 * object: it is given the old one's privileges and owner (grants first, while the
 * refreshing user still owns it), and is shared again.
 */
void merge_model_swap(gen *g, const plan_dialect *d, const plan_model *m)
{
    char fresh[300], old[300];
    snprintf(fresh, sizeof(fresh), "%s__new", m->name);
    snprintf(old, sizeof(old), "%s__old", m->name);
    gen_check_ident(g, fresh);
    gen_check_ident(g, old);
    plan_qname cur = {m->schema, m->name}, qfresh = {m->schema, fresh}, qold = {m->schema, old};

    gen_stmt(g, "BEGIN", 0);
    gen_sql(g, "DROP TABLE IF EXISTS ");
    gen_qname(g, &qfresh);
    gen_emit(g, 0);
    merge_model_search_path(g, m, true);
    merge_model_ctas(g, d, m, &qfresh);
    merge_model_search_path(g, m, false);
    gen_sql(g, "ALTER TABLE ");
    gen_qname(g, &cur);
    gen_sql(g, " RENAME TO ");
    gen_ident(g, old);
    gen_emit(g, 0);
    gen_sql(g, "ALTER TABLE ");
    gen_qname(g, &qfresh);
    gen_sql(g, " RENAME TO ");
    gen_ident(g, m->name);
    gen_emit(g, 0);
    gen_sql(g, "DROP TABLE ");
    gen_qname(g, &qold);
    gen_emit(g, 0);
    merge_model_grants(g, d, m, &cur);
    if (m->owner) {
        gen_sql(g, "ALTER TABLE ");
        gen_qname(g, &cur);
        gen_sql(g, " OWNER TO ");
        gen_ident(g, m->owner);
        gen_emit(g, 0);
    }
    d->reshare(g, &cur, &m->reshare);
    gen_stmt(g, "COMMIT", 0);
}

/*
 * When views or other models read the table, it cannot be dropped, so its rows are
 * replaced instead, in one transaction: readers see the old rows until it commits, and the
 * table keeps its dependents, privileges, owner and shares. (DELETE, not TRUNCATE: that
 * would commit on Redshift and lock readers out on PostgreSQL.)
 */
void merge_model_in_place(gen *g, const plan_model *m)
{
    plan_qname cur = {m->schema, m->name};
    gen_stmt(g, "BEGIN", 0);
    gen_sql(g, "DELETE FROM ");
    gen_qname(g, &cur);
    gen_emit(g, 0);
    merge_model_search_path(g, m, true);
    gen_sql(g, "INSERT INTO ");
    gen_qname(g, &cur);
    gen_sql(g, " ");
    gen_sql(g, m->select_sql);
    gen_emit(g, 0);
    merge_model_search_path(g, m, false);
    gen_stmt(g, "COMMIT", 0);
}

void merge_model_table(gen *g, const plan_dialect *d, const plan_model *m)
{
    plan_qname cur = {m->schema, m->name};
    merge_model_ctas(g, d, m, &cur);
}
