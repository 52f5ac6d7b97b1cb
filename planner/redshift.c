/*
 * redshift.c — the Amazon Redshift dialect (rs_), following
 * shared/reference/redshift-sql.md: loads only by COPY from an S3 manifest (never FROM
 * STDIN), upserts by DELETE … USING + INSERT … WHERE NOT EXISTS (never ON CONFLICT; MERGE
 * cannot keep a newer stored row since it allows no AND predicate), one ADD COLUMN per
 * ALTER TABLE, DISTKEY/SORTKEY as table attributes, datashares for sharing.
 *
 * Type mapping (PostgreSQL spelling → Redshift):
 *   text → VARCHAR(65535); varchar(n)/char(n) → VARCHAR(min(4n, 65535)) since Redshift
 *   lengths are bytes and a UTF-8 character takes up to 4; bare numeric → NUMERIC(38,10);
 *   numeric(p>38) → error; json/jsonb → SUPER (staged as VARCHAR(65535) text and parsed
 *   with JSON_PARSE in the merge); uuid → CHAR(36); bytea → VARBYTE.
 */
#include "dialect.h"

#include <string.h>

enum { RS_VARCHAR_MAX = 65535 };

static void rs_type_sql(gen *g, const char *pg_type, bool staging)
{
    static const char *const names[] = {
        [GEN_SMALLINT] = "SMALLINT",
        [GEN_INTEGER] = "INTEGER",
        [GEN_BIGINT] = "BIGINT",
        [GEN_REAL] = "REAL",
        [GEN_DOUBLE] = "DOUBLE PRECISION",
        [GEN_BOOLEAN] = "BOOLEAN",
        [GEN_DATE] = "DATE",
        [GEN_TIME] = "TIME",
        [GEN_TIMETZ] = "TIMETZ",
        [GEN_TIMESTAMP] = "TIMESTAMP",
        [GEN_TIMESTAMPTZ] = "TIMESTAMPTZ",
        [GEN_UUID] = "CHAR(36)",
        [GEN_BYTEA] = "VARBYTE",
    };
    gen_type ty;
    if (!gen_type_parse(g, pg_type, &ty))
        return;
    switch (ty.base) {
    case GEN_NUMERIC:
        if (ty.p > 38) {
            gen_fail(g, "0A000", "Redshift numbers hold at most 38 digits; use numeric(38,s).",
                     "type \"%.64s\" has more precision than Redshift supports", pg_type);
            return;
        }
        gen_printf(g, "NUMERIC(%d,%d)", ty.p < 0 ? 38 : ty.p,
                   ty.p < 0 ? 10 : (ty.s < 0 ? 0 : ty.s));
        return;
    case GEN_TEXT:
        gen_printf(g, "VARCHAR(%d)", RS_VARCHAR_MAX);
        return;
    case GEN_VARCHAR:
    case GEN_CHAR: {
        long n = ty.p < 0 ? (ty.base == GEN_CHAR ? 1 : RS_VARCHAR_MAX) : 4L * ty.p;
        gen_printf(g, "VARCHAR(%ld)", n > RS_VARCHAR_MAX ? (long)RS_VARCHAR_MAX : n);
        return;
    }
    case GEN_JSON:
    case GEN_JSONB:
        if (staging)
            gen_printf(g, "VARCHAR(%d)", RS_VARCHAR_MAX);
        else
            gen_sql(g, "SUPER");
        return;
    default:
        gen_sql(g, names[ty.base]);
        return;
    }
}

static bool rs_is_super(gen *g, const char *pg_type)
{
    gen_type ty;
    return gen_type_parse(g, pg_type, &ty) && (ty.base == GEN_JSON || ty.base == GEN_JSONB);
}

static void rs_load_expr(gen *g, const plan_column *c)
{
    if (rs_is_super(g, c->type)) {
        gen_sql(g, "JSON_PARSE(");
        gen_column(g, c->name);
        gen_sql(g, ") AS ");
    }
    gen_column(g, c->name);
}

static void rs_comparable(gen *g, const char *column, const char *pg_type)
{
    if (rs_is_super(g, pg_type)) {
        gen_sql(g, "JSON_SERIALIZE(");
        gen_column(g, column);
        gen_sql(g, ")");
        return;
    }
    gen_column(g, column);
}

static void rs_table_attrs(gen *g, const char *distkey, const char *const *sortkey, size_t n,
                           plan_attr_place place)
{
    if (distkey) {
        gen_sql(g, " DISTSTYLE KEY DISTKEY (");
        gen_column(g, distkey);
        gen_sql(g, ")");
    }
    if (n > 0) {
        gen_sql(g, place == PLAN_ATTR_MV ? " SORTKEY (" : " COMPOUND SORTKEY (");
        gen_names(g, sortkey, n, NULL);
        gen_sql(g, ")");
    }
}

/* Redshift adds one column per ALTER TABLE. */
static void rs_add_columns(gen *g, const plan_pipeline *p, const plan_column *cols, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        gen_sql(g, "ALTER TABLE ");
        gen_qname(g, &p->target);
        gen_sql(g, " ADD COLUMN ");
        gen_column(g, cols[i].name);
        gen_sql(g, " ");
        rs_type_sql(g, cols[i].type, false);
        gen_emit(g, 0);
    }
}

/* sluice writes the staged records as gzip CSV parts plus a manifest: every value quoted,
 * NULL as a bare \N, times in ISO 8601. Parameters in the order of redshift-sql.md §1.1. */
static void rs_load(gen *g, const plan_pipeline *p, const plan_batch *b, const char *stage)
{
    if (!b->manifest_url || !b->iam_role) {
        gen_fail(g, "22023", "Set iam_role and staging_connection in the [sluice] section.",
                 "the Redshift dialect needs \"%s\" to load a batch",
                 !b->manifest_url ? "staging_connection" : "iam_role");
        return;
    }
    gen_sql(g, "COPY ");
    gen_ident(g, stage);
    gen_sql(g, " (");
    gen_columns(g, p->columns, p->ncolumns, NULL);
    gen_sql(g, ", \"" MERGE_SEQ_COLUMN "\") FROM ");
    gen_lit(g, b->manifest_url);
    gen_sql(g, " IAM_ROLE ");
    if (strcmp(b->iam_role, "default") == 0)
        gen_sql(g, "default");
    else
        gen_lit(g, b->iam_role);
    if (b->region) {
        gen_sql(g, " REGION ");
        gen_lit(g, b->region);
    }
    gen_sql(g, " MANIFEST FORMAT AS CSV GZIP DATEFORMAT 'auto' TIMEFORMAT 'auto' NULL AS ");
    gen_lit(g, "\\N");
    gen_sql(g, " COMPUPDATE OFF STATUPDATE OFF");
    gen_emit(g, 0);
}

/* One row per key into _sluice_dedup (newest updated_at, then last record read), then
 * DELETE … USING + INSERT … WHERE NOT EXISTS. A stored row newer than the batch's is kept:
 * it survives the DELETE, so the INSERT skips its key. */
static void rs_upsert(gen *g, const plan_pipeline *p, const char *stage)
{
    plan_qname dedup = {NULL, "_sluice_dedup"};
    gen_sql(g, "CREATE TEMP TABLE \"_sluice_dedup\" AS SELECT ");
    merge_select_values(g, rs_dialect(), p);
    gen_sql(g, " FROM (SELECT *, row_number() OVER (PARTITION BY ");
    gen_names(g, p->primary_key, p->nprimary_key, NULL);
    gen_sql(g, " ORDER BY ");
    merge_newest_first(g, p);
    gen_sql(g, ") AS \"_sluice_rn\" FROM ");
    gen_ident(g, stage);
    gen_sql(g, ") AS \"s\" WHERE \"_sluice_rn\" = 1");
    gen_emit(g, 0);

    gen_sql(g, "DELETE FROM ");
    gen_qname(g, &p->target);
    gen_sql(g, " USING \"_sluice_dedup\" WHERE ");
    merge_key_match(g, p, &p->target, &dedup);
    if (p->updated_at) {
        gen_sql(g, " AND (");
        gen_qcolumn(g, &p->target, p->updated_at);
        gen_sql(g, " IS NULL OR ");
        gen_qcolumn(g, &p->target, p->updated_at);
        gen_sql(g, " <= ");
        gen_qcolumn(g, &dedup, p->updated_at);
        gen_sql(g, ")");
    }
    gen_emit(g, 0);

    gen_sql(g, "INSERT INTO ");
    gen_qname(g, &p->target);
    gen_sql(g, " (");
    merge_target_columns(g, p);
    gen_sql(g, ") SELECT ");
    merge_target_columns(g, p);
    gen_sql(g, " FROM \"_sluice_dedup\" WHERE NOT EXISTS (SELECT 1 FROM ");
    gen_qname(g, &p->target);
    gen_sql(g, " WHERE ");
    merge_key_match(g, p, &p->target, &dedup);
    gen_sql(g, ")");
    gen_emit(g, 0);
    gen_stmt(g, "DROP TABLE \"_sluice_dedup\"", 0);
}

/* sluice refreshes models itself (ON CHANGE, EVERY, MANUAL), so AUTO REFRESH stays NO;
 * Redshift still refreshes incrementally where the query allows it. */
static void rs_model_view(gen *g, const plan_model *m)
{
    plan_qname q = {m->schema, m->name};
    gen_sql(g, "CREATE MATERIALIZED VIEW ");
    gen_qname(g, &q);
    rs_table_attrs(g, m->distkey, m->sortkey, m->nsortkey, PLAN_ATTR_MV);
    gen_sql(g, " AUTO REFRESH NO AS ");
    gen_sql(g, m->select_sql);
    gen_emit(g, 0);
}

/* ---- datashares ---- */

static void rs_datashare_stmt(gen *g, const plan_share *s, const char *verb)
{
    gen_sql(g, "ALTER DATASHARE ");
    gen_ident(g, s->datashare);
    gen_sql(g, verb);
}

static const char *rs_schema_of(const plan_qname *q)
{
    return q->schema ? q->schema : "public";
}

static bool rs_schema_seen(const plan_share *s, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (strcmp(rs_schema_of(&s->tables[j]), rs_schema_of(&s->tables[i])) == 0)
            return true;
    return false;
}

/* Each schema first (adding a schema does not add its tables), then the tables. */
static void rs_share_producer(gen *g, const plan_share *s)
{
    if (!s->exists) {
        gen_sql(g, "CREATE DATASHARE ");
        gen_ident(g, s->datashare);
        gen_emit(g, 0);
    }
    for (size_t i = 0; i < s->ntables; i++) {
        if (rs_schema_seen(s, i))
            continue;
        rs_datashare_stmt(g, s, " ADD SCHEMA ");
        gen_ident(g, rs_schema_of(&s->tables[i]));
        gen_emit(g, 0);
    }
    if (s->ntables) {
        rs_datashare_stmt(g, s, " ADD TABLE ");
        for (size_t i = 0; i < s->ntables; i++) {
            plan_qname q = {rs_schema_of(&s->tables[i]), s->tables[i].name};
            gen_sql(g, i ? ", " : "");
            gen_qname(g, &q);
        }
        gen_emit(g, 0);
    }
    for (size_t i = 0; i < s->nschemas; i++) {
        rs_datashare_stmt(g, s, " ADD SCHEMA ");
        gen_ident(g, s->schemas[i]);
        gen_emit(g, 0);
        rs_datashare_stmt(g, s, " ADD ALL TABLES IN SCHEMA ");
        gen_ident(g, s->schemas[i]);
        gen_emit(g, 0);
    }
    if (!s->exists) {
        gen_sql(g, "GRANT USAGE ON DATASHARE ");
        gen_ident(g, s->datashare);
        gen_sql(g, " TO NAMESPACE ");
        gen_lit(g, s->consumer_namespace);
        gen_emit(g, 0);
    }
}

/* An external schema named like the producer's schema, over the datashare's database. */
static void rs_external_schema(gen *g, const plan_share *s, const char *schema)
{
    gen_sql(g, "CREATE EXTERNAL SCHEMA IF NOT EXISTS ");
    gen_ident(g, schema);
    gen_sql(g, " FROM REDSHIFT DATABASE ");
    gen_lit(g, s->consumer_database);
    gen_sql(g, " SCHEMA ");
    gen_lit(g, schema);
    gen_emit(g, PLAN_STMT_ALONE);
    if (!s->group)
        return;
    gen_sql(g, "GRANT USAGE ON SCHEMA ");
    gen_ident(g, schema);
    gen_sql(g, " TO GROUP ");
    gen_ident(g, s->group);
    gen_emit(g, 0);
}

static void rs_share_consumer(gen *g, const plan_share *s)
{
    if (!s->exists) {
        gen_sql(g, "CREATE DATABASE ");
        gen_ident(g, s->consumer_database);
        gen_sql(g, " FROM DATASHARE ");
        gen_ident(g, s->datashare);
        gen_sql(g, " OF NAMESPACE ");
        gen_lit(g, s->producer_namespace);
        gen_emit(g, PLAN_STMT_ALONE);
        if (s->group) {
            gen_sql(g, "GRANT USAGE ON DATABASE ");
            gen_ident(g, s->consumer_database);
            gen_sql(g, " TO GROUP ");
            gen_ident(g, s->group);
            gen_emit(g, 0);
        }
    }
    for (size_t i = 0; i < s->ntables; i++)
        if (!rs_schema_seen(s, i))
            rs_external_schema(g, s, rs_schema_of(&s->tables[i]));
    for (size_t i = 0; i < s->nschemas; i++)
        rs_external_schema(g, s, s->schemas[i]);
}

static void rs_unshare_producer(gen *g, const plan_share *s)
{
    for (size_t i = 0; i < s->ntables; i++) {
        plan_qname q = {rs_schema_of(&s->tables[i]), s->tables[i].name};
        rs_datashare_stmt(g, s, " REMOVE TABLE ");
        gen_qname(g, &q);
        gen_emit(g, 0);
    }
    for (size_t i = 0; i < s->nschemas; i++) {
        rs_datashare_stmt(g, s, " REMOVE ALL TABLES IN SCHEMA ");
        gen_ident(g, s->schemas[i]);
        gen_emit(g, 0);
        rs_datashare_stmt(g, s, " REMOVE SCHEMA ");
        gen_ident(g, s->schemas[i]);
        gen_emit(g, 0);
    }
}

/* A removed table simply disappears from the consumer's database; a removed schema's
 * external schema is dropped (it only references the datashare). */
static void rs_unshare_consumer(gen *g, const plan_share *s)
{
    for (size_t i = 0; i < s->nschemas; i++) {
        gen_sql(g, "DROP SCHEMA IF EXISTS ");
        gen_ident(g, s->schemas[i]);
        gen_emit(g, PLAN_STMT_ALONE);
    }
}

/* Share membership is per object: a recreated table must be added to its datashares again. */
static void rs_reshare(gen *g, const plan_qname *table, const plan_reshare *r)
{
    for (size_t i = 0; i < r->ndatashares; i++) {
        gen_sql(g, "ALTER DATASHARE ");
        gen_ident(g, r->datashares[i]);
        gen_sql(g, " ADD TABLE ");
        gen_qname(g, table);
        gen_emit(g, 0);
    }
}

/* Table privileges as Redshift's GRANT names them. A plan that would grant PostgreSQL's
 * TRUNCATE, TRIGGER or MAINTAIN fails rather than leave one out. */
static const char *const rs_table_privileges[] = {"SELECT",     "INSERT", "UPDATE", "DELETE",
                                                  "REFERENCES", "DROP",   NULL};

static const plan_dialect rs = {
    .name = "redshift",
    .type_sql = rs_type_sql,
    .load_expr = rs_load_expr,
    .comparable = rs_comparable,
    .table_attrs = rs_table_attrs,
    .temp_suffix = "",
    .drop_temp = true,
    .now_fn = "GETDATE()", /* NOW() is a leader-node-only function on Redshift */
    .table_privileges = rs_table_privileges,
    .add_columns = rs_add_columns,
    .load = rs_load,
    .upsert = rs_upsert,
    .model_view = rs_model_view,
    .share_producer = rs_share_producer,
    .share_consumer = rs_share_consumer,
    .unshare_producer = rs_unshare_producer,
    .unshare_consumer = rs_unshare_consumer,
    .reshare = rs_reshare,
};

const plan_dialect *rs_dialect(void)
{
    return &rs;
}
