/*
 * postgres.c — the PostgreSQL dialect (pgsql_): batches through COPY … FROM STDIN into an
 * ON COMMIT DROP temp table, upserts with INSERT … ON CONFLICT, sharing via postgres_fdw.
 * DISTKEY/SORTKEY have no meaning here and are left out (the caller tells the user).
 */
#include "dialect.h"

#include <string.h>

static void pgsql_type_sql(gen *g, const char *pg_type, bool staging)
{
    static const char *const names[] = {
        [GEN_SMALLINT] = "smallint",   [GEN_INTEGER] = "integer",
        [GEN_BIGINT] = "bigint",       [GEN_NUMERIC] = "numeric",
        [GEN_REAL] = "real",           [GEN_DOUBLE] = "double precision",
        [GEN_BOOLEAN] = "boolean",     [GEN_DATE] = "date",
        [GEN_TIME] = "time",           [GEN_TIMETZ] = "time with time zone",
        [GEN_TIMESTAMP] = "timestamp", [GEN_TIMESTAMPTZ] = "timestamptz",
        [GEN_TEXT] = "text",           [GEN_VARCHAR] = "varchar",
        [GEN_CHAR] = "char",           [GEN_JSON] = "json",
        [GEN_JSONB] = "jsonb",         [GEN_UUID] = "uuid",
        [GEN_BYTEA] = "bytea",
    };
    gen_type ty;
    (void)staging;
    if (!gen_type_parse(g, pg_type, &ty))
        return;
    gen_sql(g, names[ty.base]);
    if (ty.p >= 0 && ty.s >= 0)
        gen_printf(g, "(%d,%d)", ty.p, ty.s);
    else if (ty.p >= 0)
        gen_printf(g, "(%d)", ty.p);
}

static void pgsql_load_expr(gen *g, const plan_column *c)
{
    gen_column(g, c->name);
}

static void pgsql_comparable(gen *g, const char *column, const char *pg_type)
{
    gen_type ty;
    if (!gen_type_parse(g, pg_type, &ty))
        return;
    if (ty.base == GEN_JSON) { /* json has no = operator */
        gen_sql(g, "CAST(");
        gen_column(g, column);
        gen_sql(g, " AS text)");
        return;
    }
    gen_column(g, column);
}

static void pgsql_table_attrs(gen *g, const char *distkey, const char *const *sortkey, size_t n,
                              plan_attr_place place)
{
    (void)g, (void)distkey, (void)sortkey, (void)n, (void)place;
}

/* One ALTER TABLE with every new column: PostgreSQL adds them atomically. */
static void pgsql_add_columns(gen *g, const plan_pipeline *p, const plan_column *cols, size_t n)
{
    gen_sql(g, "ALTER TABLE ");
    gen_qname(g, &p->target);
    for (size_t i = 0; i < n; i++) {
        gen_sql(g, i ? ", ADD COLUMN " : " ADD COLUMN ");
        gen_column(g, cols[i].name);
        gen_sql(g, " ");
        pgsql_type_sql(g, cols[i].type, false);
    }
    gen_emit(g, 0);
}

/* sluice streams the transformed records as CSV: NULL is an unquoted empty field, an empty
 * string is "" — COPY's csv defaults, so no options are needed. */
static void pgsql_load(gen *g, const plan_pipeline *p, const plan_batch *b, const char *stage)
{
    (void)b;
    gen_sql(g, "COPY ");
    gen_ident(g, stage);
    gen_sql(g, " (");
    gen_columns(g, p->columns, p->ncolumns, NULL);
    gen_sql(g, ", \"" MERGE_SEQ_COLUMN "\") FROM STDIN WITH (FORMAT csv)");
    gen_emit(g, 0);
}

/* DO UPDATE SET for every non-key column; false when all columns are keys. */
static bool pgsql_upsert_set(gen *g, const plan_pipeline *p)
{
    size_t set = 0;
    for (size_t i = 0; i < p->ncolumns + p->ncomputed; i++) {
        const char *name = i < p->ncolumns ? p->columns[i].name : p->computed[i - p->ncolumns].name;
        if (merge_is_key(p, name))
            continue;
        gen_sql(g, set++ ? ", " : " DO UPDATE SET ");
        gen_column(g, name);
        gen_sql(g, " = EXCLUDED.");
        gen_column(g, name);
    }
    return set > 0;
}

/* INSERT … SELECT DISTINCT ON (key) … ON CONFLICT (key) DO UPDATE: one row per key, the
 * newest updated_at (then the last record read) winning within the batch; a stored row
 * newer than the batch's is kept. */
static void pgsql_upsert(gen *g, const plan_pipeline *p, const char *stage)
{
    plan_qname alias = {NULL, "_sluice_target"};
    gen_sql(g, "INSERT INTO ");
    gen_qname(g, &p->target);
    gen_sql(g, " AS \"_sluice_target\" (");
    merge_target_columns(g, p);
    gen_sql(g, ") SELECT DISTINCT ON (");
    gen_names(g, p->primary_key, p->nprimary_key, NULL);
    gen_sql(g, ") ");
    merge_select_values(g, pgsql_dialect(), p);
    gen_sql(g, " FROM ");
    gen_ident(g, stage);
    gen_sql(g, " ORDER BY ");
    gen_names(g, p->primary_key, p->nprimary_key, NULL);
    gen_sql(g, ", ");
    merge_newest_first(g, p);
    gen_sql(g, " ON CONFLICT (");
    gen_names(g, p->primary_key, p->nprimary_key, NULL);
    gen_sql(g, ")");
    if (!pgsql_upsert_set(g, p))
        gen_sql(g, " DO NOTHING");
    else if (p->updated_at) {
        gen_sql(g, " WHERE ");
        gen_qcolumn(g, &alias, p->updated_at);
        gen_sql(g, " IS NULL OR ");
        gen_qcolumn(g, &alias, p->updated_at);
        gen_sql(g, " <= EXCLUDED.");
        gen_column(g, p->updated_at);
    }
    gen_emit(g, 0);
}

static void pgsql_model_view(gen *g, const plan_model *m)
{
    plan_qname q = {m->schema, m->name};
    gen_sql(g, "CREATE MATERIALIZED VIEW ");
    gen_qname(g, &q);
    gen_sql(g, " AS ");
    gen_sql(g, m->select_sql);
    gen_emit(g, 0);
}

/* ---- sharing through postgres_fdw ---- */

static const char *pgsql_schema_of(const plan_qname *q)
{
    return q->schema ? q->schema : "public";
}

/* Calls fn for each distinct schema of the shared tables, first appearance first. */
static void pgsql_each_table_schema(gen *g, const plan_share *s,
                                    void (*fn)(gen *g, const plan_share *s, const char *schema))
{
    for (size_t i = 0; i < s->ntables; i++) {
        const char *schema = pgsql_schema_of(&s->tables[i]);
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(pgsql_schema_of(&s->tables[j]), schema) == 0;
        if (!seen)
            fn(g, s, schema);
    }
}

static void pgsql_table_list(gen *g, const plan_share *s, const char *schema, bool qualify)
{
    size_t k = 0;
    for (size_t i = 0; i < s->ntables; i++) {
        if (strcmp(pgsql_schema_of(&s->tables[i]), schema) != 0)
            continue;
        gen_sql(g, k++ ? ", " : "");
        if (qualify) {
            gen_ident(g, schema);
            gen_sql(g, ".");
        }
        gen_ident(g, s->tables[i].name);
    }
}

/* Producer: the role the consumer's user mapping logs in as may read the shared tables. */
static void pgsql_grant_reader(gen *g, const plan_share *s, const char *schema)
{
    gen_sql(g, "GRANT USAGE ON SCHEMA ");
    gen_ident(g, schema);
    gen_sql(g, " TO ");
    gen_ident(g, s->user);
    gen_emit(g, 0);
    gen_sql(g, "GRANT SELECT ON ");
    pgsql_table_list(g, s, schema, true);
    gen_sql(g, " TO ");
    gen_ident(g, s->user);
    gen_emit(g, 0);
}

/* <head> "schema" <tail> "role" */
static void pgsql_schema_grant(gen *g, const char *head, const char *schema, const char *tail,
                               const char *role)
{
    gen_sql(g, head);
    gen_ident(g, schema);
    gen_sql(g, tail);
    gen_ident(g, role);
    gen_emit(g, 0);
}

/* A shared schema: its tables now, and (default privileges) the tables made in it later,
 * so a rebuilt table stays readable. */
static void pgsql_share_producer(gen *g, const plan_share *s)
{
    pgsql_each_table_schema(g, s, pgsql_grant_reader);
    for (size_t i = 0; i < s->nschemas; i++) {
        const char *sc = s->schemas[i];
        pgsql_schema_grant(g, "GRANT USAGE ON SCHEMA ", sc, " TO ", s->user);
        pgsql_schema_grant(g, "GRANT SELECT ON ALL TABLES IN SCHEMA ", sc, " TO ", s->user);
        pgsql_schema_grant(g, "ALTER DEFAULT PRIVILEGES IN SCHEMA ", sc,
                           " GRANT SELECT ON TABLES TO ", s->user);
    }
}

static void pgsql_fdw_server(gen *g, const plan_share *s)
{
    gen_stmt(g, "CREATE EXTENSION IF NOT EXISTS postgres_fdw", 0);
    if (s->exists)
        return;
    gen_sql(g, "CREATE SERVER ");
    gen_ident(g, s->fdw_server);
    gen_sql(g, " FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host ");
    gen_lit(g, s->host);
    gen_printf(g, ", port '%d', dbname ", s->port ? s->port : 5432);
    gen_lit(g, s->dbname);
    gen_sql(g, ")");
    gen_emit(g, 0);
    gen_sql(g, "CREATE USER MAPPING FOR PUBLIC SERVER ");
    gen_ident(g, s->fdw_server);
    gen_sql(g, " OPTIONS (user ");
    gen_lit(g, s->user);
    gen_sql(g, ", password ");
    gen_secret(g, s->password);
    gen_sql(g, ")");
    gen_emit(g, 0);
}

static void pgsql_grant_group(gen *g, const plan_share *s, const char *schema, bool tables)
{
    if (!s->group)
        return;
    gen_sql(g, "GRANT USAGE ON SCHEMA ");
    gen_ident(g, schema);
    gen_sql(g, " TO ");
    gen_ident(g, s->group);
    gen_emit(g, 0);
    gen_sql(g, "GRANT SELECT ON ");
    if (tables)
        pgsql_table_list(g, s, schema, true);
    else {
        gen_sql(g, "ALL TABLES IN SCHEMA ");
        gen_ident(g, schema);
    }
    gen_sql(g, " TO ");
    gen_ident(g, s->group);
    gen_emit(g, 0);
}

/* Consumer: the producer's tables appear as foreign tables under the same schema name. */
static void pgsql_import(gen *g, const plan_share *s, const char *schema, bool tables)
{
    gen_sql(g, "CREATE SCHEMA IF NOT EXISTS ");
    gen_ident(g, schema);
    gen_emit(g, 0);
    gen_sql(g, "IMPORT FOREIGN SCHEMA ");
    gen_ident(g, schema);
    if (tables) {
        gen_sql(g, " LIMIT TO (");
        pgsql_table_list(g, s, schema, false);
        gen_sql(g, ")");
    }
    gen_sql(g, " FROM SERVER ");
    gen_ident(g, s->fdw_server);
    gen_sql(g, " INTO ");
    gen_ident(g, schema);
    gen_emit(g, 0);
    pgsql_grant_group(g, s, schema, tables);
}

static void pgsql_import_tables(gen *g, const plan_share *s, const char *schema)
{
    pgsql_import(g, s, schema, true);
}

static void pgsql_share_consumer(gen *g, const plan_share *s)
{
    pgsql_fdw_server(g, s);
    pgsql_each_table_schema(g, s, pgsql_import_tables);
    for (size_t i = 0; i < s->nschemas; i++)
        pgsql_import(g, s, s->schemas[i], false);
}

static void pgsql_unshare_producer(gen *g, const plan_share *s)
{
    for (size_t i = 0; i < s->ntables; i++) {
        gen_sql(g, "REVOKE SELECT ON ");
        gen_qname(g, &s->tables[i]);
        gen_sql(g, " FROM ");
        gen_ident(g, s->user);
        gen_emit(g, 0);
    }
    for (size_t i = 0; i < s->nschemas; i++) {
        const char *sc = s->schemas[i];
        pgsql_schema_grant(g, "ALTER DEFAULT PRIVILEGES IN SCHEMA ", sc,
                           " REVOKE SELECT ON TABLES FROM ", s->user);
        pgsql_schema_grant(g, "REVOKE SELECT ON ALL TABLES IN SCHEMA ", sc, " FROM ", s->user);
        pgsql_schema_grant(g, "REVOKE USAGE ON SCHEMA ", sc, " FROM ", s->user);
    }
}

/* The consumer's schema of a shared schema holds only what IMPORT FOREIGN SCHEMA made. */
static void pgsql_unshare_consumer(gen *g, const plan_share *s)
{
    for (size_t i = 0; i < s->ntables; i++) {
        plan_qname q = {pgsql_schema_of(&s->tables[i]), s->tables[i].name};
        gen_sql(g, "DROP FOREIGN TABLE IF EXISTS ");
        gen_qname(g, &q);
        gen_emit(g, 0);
    }
    for (size_t i = 0; i < s->nschemas; i++) {
        gen_sql(g, "DROP SCHEMA IF EXISTS ");
        gen_ident(g, s->schemas[i]);
        gen_sql(g, " CASCADE");
        gen_emit(g, 0);
    }
}

/* Foreign tables name the remote table, so the consumer follows a rebuilt table by itself;
 * only the producer-side grant to the fdw role must be made again. */
static void pgsql_reshare(gen *g, const plan_qname *table, const plan_reshare *r)
{
    for (size_t i = 0; i < r->nfdw_roles; i++) {
        gen_sql(g, "GRANT SELECT ON ");
        gen_qname(g, table);
        gen_sql(g, " TO ");
        gen_ident(g, r->fdw_roles[i]);
        gen_emit(g, 0);
    }
}

static const char *const pgsql_table_privileges[] = {
    "SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "MAINTAIN", NULL};

static const plan_dialect pgsql = {
    .name = "postgres",
    .type_sql = pgsql_type_sql,
    .load_expr = pgsql_load_expr,
    .comparable = pgsql_comparable,
    .table_attrs = pgsql_table_attrs,
    .temp_suffix = " ON COMMIT DROP",
    .drop_temp = false,
    .now_fn = "now()",
    .table_privileges = pgsql_table_privileges,
    .add_columns = pgsql_add_columns,
    .load = pgsql_load,
    .upsert = pgsql_upsert,
    .model_view = pgsql_model_view,
    .share_producer = pgsql_share_producer,
    .share_consumer = pgsql_share_consumer,
    .unshare_producer = pgsql_unshare_producer,
    .unshare_consumer = pgsql_unshare_consumer,
    .reshare = pgsql_reshare,
};

const plan_dialect *pgsql_dialect(void)
{
    return &pgsql;
}
