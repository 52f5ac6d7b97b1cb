/*
 * test_planner.c — the warehouse SQL of every plan, in both dialects, against golden files.
 *
 * Each case renders its plan for PostgreSQL and for Redshift and compares the text with
 * regress/golden/<case>.postgres.sql and regress/golden/<case>.redshift.sql. Golden format:
 * each statement followed by ";\n" (a statement spans lines only where a literal holds a
 * newline); a statement with flags is preceded by a "-- guard: …" / "-- alone: …" comment
 * line; a plan that fails is the single line "ERROR <sqlstate>: <message>" plus "HINT: …".
 * Run with SLUICE_GOLDEN_UPDATE=1 to rewrite the goldens, then review them with git diff.
 * Every PostgreSQL statement must also parse with libpg_query, and every Redshift plan must
 * keep clear of what redshift-sql.md forbids.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <pg_query.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "plan.h"
#include "quote.h"
#include "sqlbuf.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- fixtures ---- */

static const plan_column events_cols[] = {
    {"id", "bigint"},    {"user_id", "bigint"},
    {"event", "text"},   {"amount", "numeric(12,2)"},
    {"payload", "json"}, {"updated_at", "timestamptz"},
};
static const char *const key_id[] = {"id"};
static const char *const sort_ts[] = {"updated_at", "id"};

static const plan_ledger_item file_items[] = {
    {"/data/clicks/2026-11-01.csv.gz", 1048576, "2026-11-01 10:00:00+00", NULL},
    {"/data/clicks/2026-11-02.csv.gz", 2097152, "2026-11-02 10:00:00+00", NULL},
};
static const plan_ledger_item s3_items[] = {
    {"logs/2026/11/01/part-0000.json.gz", 0, NULL, "9b2cf535f27731c974343645a3985328"},
    {"logs/2026/11/01/part-0001.json.gz", 0, NULL, "e1b849f9631ffc1829b2e31402373e3c"},
};
static const plan_ledger_item pg_items[] = {
    {"2026-11-01 10:00:00+00|41", 0, NULL, NULL},
};
static const plan_ledger_item http_items[] = {
    {"cursor=eyJwYWdlIjo0Mn0", 0, NULL, NULL},
};

static plan_pipeline events_pipeline(plan_mode mode, plan_source_kind src)
{
    static const char *const locations[] = {"/data/clicks/*.csv.gz", "logs/2026/", "public.events",
                                            "/v1/events", "/in/*.csv"};
    plan_pipeline p = {
        .name = "events",
        .target = {"analytics", "events"},
        .columns = events_cols,
        .ncolumns = N(events_cols),
        .mode = mode,
        .source = src,
        .location = locations[src],
        .format = {.kind =
                       (src == PLAN_SRC_S3 || src == PLAN_SRC_HTTP) ? PLAN_FMT_JSON : PLAN_FMT_CSV,
                   .header = true,
                   .delimiter = ',',
                   .quote = '"'},
    };
    if (mode != PLAN_APPEND) {
        p.primary_key = key_id;
        p.nprimary_key = 1;
        p.updated_at = "updated_at";
    }
    return p;
}

static plan_batch events_batch(plan_source_kind src)
{
    plan_batch b = {
        .batch_id = "b-000042",
        .started_at = "2026-11-22 01:00:00+00",
        .manifest_url = "s3://acme-staging/sluice/staging/events/b-000042/manifest",
        .iam_role = "arn:aws:iam::123456789012:role/SluiceLoad",
    };
    switch (src) {
    case PLAN_SRC_FILES:
    case PLAN_SRC_SFTP:
        b.items = file_items, b.nitems = N(file_items);
        break;
    case PLAN_SRC_S3:
        b.items = s3_items, b.nitems = N(s3_items);
        break;
    case PLAN_SRC_POSTGRES:
        b.items = pg_items, b.nitems = N(pg_items);
        break;
    case PLAN_SRC_HTTP:
        b.items = http_items, b.nitems = N(http_items);
        break;
    }
    return b;
}

static bool run_batch(plan_target *t, plan_out *out, sl_error *err, plan_mode mode,
                      plan_source_kind src)
{
    plan_pipeline p = events_pipeline(mode, src);
    plan_batch b = events_batch(src);
    return plan_batch_run(t, &p, &b, out, err);
}

/* ---- cases: target tables ---- */

static bool case_warehouse_setup(plan_target *t, plan_out *out, sl_error *err)
{
    return plan_warehouse_setup(t, out, err);
}

static bool case_ddl_append(plan_target *t, plan_out *out, sl_error *err)
{
    plan_pipeline p = events_pipeline(PLAN_APPEND, PLAN_SRC_FILES);
    return plan_table_create(t, &p, out, err);
}

static bool case_ddl_upsert_distkey_sortkey(plan_target *t, plan_out *out, sl_error *err)
{
    plan_pipeline p = events_pipeline(PLAN_UPSERT, PLAN_SRC_S3);
    p.distkey = "user_id";
    p.sortkey = sort_ts, p.nsortkey = N(sort_ts);
    return plan_table_create(t, &p, out, err);
}

static bool case_ddl_history(plan_target *t, plan_out *out, sl_error *err)
{
    plan_pipeline p = events_pipeline(PLAN_HISTORY, PLAN_SRC_POSTGRES);
    p.sortkey = sort_ts, p.nsortkey = 1;
    return plan_table_create(t, &p, out, err);
}

static bool case_ddl_type_mapping(plan_target *t, plan_out *out, sl_error *err)
{
    static const plan_column cols[] = {
        {"a_smallint", "int2"},
        {"a_int", "INTEGER"},
        {"a_bigint", "int8"},
        {"a_numeric", "numeric"},
        {"a_decimal", "decimal(38, 4)"},
        {"a_real", "float4"},
        {"a_double", "double  precision"},
        {"a_bool", "bool"},
        {"a_date", "date"},
        {"a_time", "time"},
        {"a_timetz", "time with time zone"},
        {"a_ts", "timestamp without time zone"},
        {"a_tstz", "timestamp with time zone"},
        {"a_text", "text"},
        {"a_varchar", "varchar(20)"},
        {"a_wide", "character varying(20000)"},
        {"a_char", "char(2)"},
        {"a_json", "json"},
        {"a_jsonb", "jsonb"},
        {"a_uuid", "uuid"},
        {"a_bytes", "bytea"},
    };
    plan_pipeline p = {
        .name = "types", .target = {NULL, "all_types"}, .columns = cols, .ncolumns = N(cols)};
    return plan_table_create(t, &p, out, err);
}

static const plan_computed events_computed[] = {
    {"amount_cents", "bigint", "round(amount * 100)"},
    {"event_day", "date", "CAST(updated_at AS date)"},
};

static bool case_ddl_computed(plan_target *t, plan_out *out, sl_error *err)
{
    plan_pipeline p = events_pipeline(PLAN_APPEND, PLAN_SRC_FILES);
    p.computed = events_computed, p.ncomputed = N(events_computed);
    return plan_table_create(t, &p, out, err);
}

static bool case_add_columns(plan_target *t, plan_out *out, sl_error *err)
{
    static const plan_column added[] = {
        {"channel", "varchar(16)"}, {"referrer", "text"}, {"meta", "jsonb"}};
    plan_pipeline p = events_pipeline(PLAN_APPEND, PLAN_SRC_FILES);
    return plan_table_add_columns(t, &p, added, N(added), out, err);
}

static bool case_add_column_one(plan_target *t, plan_out *out, sl_error *err)
{
    static const plan_column added[] = {{"score", "double precision"}};
    plan_pipeline p = events_pipeline(PLAN_UPSERT, PLAN_SRC_S3);
    return plan_table_add_columns(t, &p, added, N(added), out, err);
}

/* ---- cases: batches, each mode × each source ---- */

#define BATCH_CASE(mode_name, MODE, src_name, SRC)                                                 \
    static bool case_batch_##mode_name##_##src_name(plan_target *t, plan_out *out, sl_error *err)  \
    {                                                                                              \
        return run_batch(t, out, err, MODE, SRC);                                                  \
    }
#define BATCH_CASES_FOR(mode_name, MODE)                                                           \
    BATCH_CASE(mode_name, MODE, files, PLAN_SRC_FILES)                                             \
    BATCH_CASE(mode_name, MODE, s3, PLAN_SRC_S3)                                                   \
    BATCH_CASE(mode_name, MODE, postgres, PLAN_SRC_POSTGRES)                                       \
    BATCH_CASE(mode_name, MODE, http, PLAN_SRC_HTTP)                                               \
    BATCH_CASE(mode_name, MODE, sftp, PLAN_SRC_SFTP)
BATCH_CASES_FOR(append, PLAN_APPEND)
BATCH_CASES_FOR(upsert, PLAN_UPSERT)
BATCH_CASES_FOR(history, PLAN_HISTORY)

static bool case_batch_append_computed(plan_target *t, plan_out *out, sl_error *err)
{
    plan_pipeline p = events_pipeline(PLAN_APPEND, PLAN_SRC_FILES);
    p.computed = events_computed, p.ncomputed = N(events_computed);
    plan_batch b = events_batch(PLAN_SRC_FILES);
    return plan_batch_run(t, &p, &b, out, err);
}

static bool case_batch_history_composite_key(plan_target *t, plan_out *out, sl_error *err)
{
    static const plan_column cols[] = {{"tenant", "integer"},
                                       {"sku", "varchar(32)"},
                                       {"price", "numeric(10,2)"},
                                       {"attrs", "jsonb"},
                                       {"changed_at", "timestamp"}};
    static const char *const key[] = {"tenant", "sku"};
    static const plan_computed comp[] = {
        {"price_band", "text", "CASE WHEN price < 10 THEN 'low' ELSE 'high' END"}};
    plan_pipeline p = {.name = "prices",
                       .target = {"dim", "prices"},
                       .columns = cols,
                       .ncolumns = N(cols),
                       .computed = comp,
                       .ncomputed = N(comp),
                       .mode = PLAN_HISTORY,
                       .primary_key = key,
                       .nprimary_key = N(key),
                       .updated_at = "changed_at",
                       .source = PLAN_SRC_POSTGRES,
                       .location = "SELECT * FROM prices"};
    plan_batch b = events_batch(PLAN_SRC_POSTGRES);
    return plan_batch_run(t, &p, &b, out, err);
}

static bool case_batch_upsert_no_updated_at(plan_target *t, plan_out *out, sl_error *err)
{
    plan_pipeline p = events_pipeline(PLAN_UPSERT, PLAN_SRC_FILES);
    p.updated_at = NULL;
    plan_batch b = events_batch(PLAN_SRC_FILES);
    return plan_batch_run(t, &p, &b, out, err);
}

static bool case_batch_upsert_only_keys(plan_target *t, plan_out *out, sl_error *err)
{
    static const plan_column cols[] = {{"user_id", "bigint"}, {"tag", "text"}};
    static const char *const key[] = {"user_id", "tag"};
    plan_pipeline p = {.name = "tags",
                       .target = {NULL, "user_tags"},
                       .columns = cols,
                       .ncolumns = N(cols),
                       .mode = PLAN_UPSERT,
                       .primary_key = key,
                       .nprimary_key = N(key),
                       .source = PLAN_SRC_HTTP,
                       .location = "/tags"};
    plan_batch b = events_batch(PLAN_SRC_HTTP);
    return plan_batch_run(t, &p, &b, out, err);
}

static bool case_batch_error_rows(plan_target *t, plan_out *out, sl_error *err)
{
    static const plan_error_row errors[] = {
        {"/data/clicks/2026-11-01.csv.gz", 17, "amount", "invalid input syntax for numeric",
         "17,4,click,12,5O,{}"},
        {"/data/clicks/2026-11-01.csv.gz", 18, NULL, "row has 7 fields, expected 6",
         "18,4,\"it's \\\"quoted\\\"\",C:\\temp\\x,1,{},2026"},
        {"/data/clicks/2026-11-01.csv.gz", 0, "event", "value too long",
         "19,4,\"line one\nline two\",1,{},2026-11-01"},
    };
    plan_pipeline p = events_pipeline(PLAN_APPEND, PLAN_SRC_FILES);
    plan_batch b = events_batch(PLAN_SRC_FILES);
    b.errors = errors, b.nerrors = N(errors);
    return plan_batch_run(t, &p, &b, out, err);
}

static bool case_batch_default_role_region(plan_target *t, plan_out *out, sl_error *err)
{
    plan_pipeline p = events_pipeline(PLAN_APPEND, PLAN_SRC_S3);
    plan_batch b = events_batch(PLAN_SRC_S3);
    b.iam_role = "default";
    b.region = "eu-west-1";
    return plan_batch_run(t, &p, &b, out, err);
}

static bool case_batch_missing_iam_role(plan_target *t, plan_out *out, sl_error *err)
{
    plan_pipeline p = events_pipeline(PLAN_APPEND, PLAN_SRC_S3);
    plan_batch b = events_batch(PLAN_SRC_S3);
    b.iam_role = NULL;
    return plan_batch_run(t, &p, &b, out, err);
}

static bool case_batch_staging_name_no_items(plan_target *t, plan_out *out, sl_error *err)
{
    plan_pipeline p = events_pipeline(PLAN_APPEND, PLAN_SRC_HTTP);
    p.staging_table = "stage_events";
    plan_batch b = events_batch(PLAN_SRC_HTTP);
    b.nitems = 0;
    return plan_batch_run(t, &p, &b, out, err);
}

static bool case_batch_upsert_without_key(plan_target *t, plan_out *out, sl_error *err)
{
    plan_pipeline p = events_pipeline(PLAN_UPSERT, PLAN_SRC_FILES);
    p.primary_key = NULL, p.nprimary_key = 0;
    plan_batch b = events_batch(PLAN_SRC_FILES);
    return plan_batch_run(t, &p, &b, out, err);
}

static bool case_batch_unknown_type(plan_target *t, plan_out *out, sl_error *err)
{
    static const plan_column cols[] = {{"id", "bigint"}, {"tags", "text[]"}};
    plan_pipeline p = {
        .name = "arrays", .target = {NULL, "arrays"}, .columns = cols, .ncolumns = N(cols)};
    plan_batch b = events_batch(PLAN_SRC_FILES);
    return plan_batch_run(t, &p, &b, out, err);
}

static bool case_ddl_numeric_too_precise(plan_target *t, plan_out *out, sl_error *err)
{
    static const plan_column cols[] = {{"id", "bigint"}, {"big", "numeric(40,2)"}};
    plan_pipeline p = {
        .name = "big", .target = {NULL, "big_numbers"}, .columns = cols, .ncolumns = N(cols)};
    return plan_table_create(t, &p, out, err);
}

/* ---- cases: awkward names ---- */

static bool awkward_append(plan_target *t, plan_out *out, sl_error *err, const char *schema,
                           const char *table, const char *column)
{
    plan_column cols[] = {{"id", "bigint"}, {column, "text"}};
    plan_pipeline p = {.name = table,
                       .target = {schema, table},
                       .columns = cols,
                       .ncolumns = N(cols),
                       .source = PLAN_SRC_FILES,
                       .location = "/in/*.csv"};
    plan_batch b = events_batch(PLAN_SRC_FILES);
    return plan_table_create(t, &p, out, err) && plan_batch_run(t, &p, &b, out, err);
}

static bool case_name_embedded_quotes(plan_target *t, plan_out *out, sl_error *err)
{
    return awkward_append(t, out, err, "o'brien", "we\"ird \"\"table", "say \"hi\"");
}

static bool case_name_backslashes(plan_target *t, plan_out *out, sl_error *err)
{
    static const plan_ledger_item items[] = {
        {"C:\\exports\\day 1\\it's.csv", 42, "2026-11-01 00:00:00+00", NULL}};
    plan_column cols[] = {{"id", "bigint"}, {"path\\to", "text"}};
    plan_pipeline p = {.name = "win\\files",
                       .target = {NULL, "back\\slash"},
                       .columns = cols,
                       .ncolumns = N(cols),
                       .source = PLAN_SRC_FILES,
                       .location = "C:\\exports\\*.csv"};
    plan_batch b = events_batch(PLAN_SRC_FILES);
    b.items = items, b.nitems = N(items);
    return plan_batch_run(t, &p, &b, out, err);
}

static bool case_name_mixed_case(plan_target *t, plan_out *out, sl_error *err)
{
    return awkward_append(t, out, err, "Sales", "Orders", "CustomerId");
}

static bool case_name_mixed_case_sensitive(plan_target *t, plan_out *out, sl_error *err)
{
    t->case_sensitive = true;
    return awkward_append(t, out, err, "Sales", "Orders", "CustomerId");
}

static bool case_name_unicode(plan_target *t, plan_out *out, sl_error *err)
{
    return awkward_append(t, out, err, "données", "événements_café", "prénom_ü_日本");
}

static bool case_name_invalid_utf8(plan_target *t, plan_out *out, sl_error *err)
{
    return awkward_append(t, out, err, NULL, "bad\xC3\x28name", "c");
}

static bool case_name_system_column(plan_target *t, plan_out *out, sl_error *err)
{
    return awkward_append(t, out, err, NULL, "rows", "ctid");
}

static bool named_table_of(plan_target *t, plan_out *out, sl_error *err, size_t bytes,
                           const char *unit)
{
    char name[600] = "";
    size_t ulen = strlen(unit), n = 0;
    while (n + ulen <= bytes) {
        memcpy(name + n, unit, ulen);
        n += ulen;
    }
    while (n < bytes)
        name[n++] = 'x';
    name[n] = '\0';
    return awkward_append(t, out, err, NULL, name, "v");
}

static bool case_name_63_bytes(plan_target *t, plan_out *out, sl_error *err)
{
    return named_table_of(t, out, err, 63, "t");
}

static bool case_name_64_bytes(plan_target *t, plan_out *out, sl_error *err)
{
    return named_table_of(t, out, err, 64, "t");
}

static bool case_name_127_bytes(plan_target *t, plan_out *out, sl_error *err)
{
    return named_table_of(t, out, err, 127, "é");
}

static bool case_name_128_bytes(plan_target *t, plan_out *out, sl_error *err)
{
    return named_table_of(t, out, err, 128, "n");
}

/* ---- cases: models ---- */

static const char *const model_sort[] = {"day"};

static plan_model daily_model(plan_materialized kind)
{
    plan_model m = {
        .name = "daily_revenue",
        .schema = "marts",
        .materialized = kind,
        .select_sql = "SELECT CAST(updated_at AS date) AS day, user_id, count(*) AS n, "
                      "sum(amount) AS revenue FROM analytics.events GROUP BY 1, 2",
        .distkey = "user_id",
        .sortkey = model_sort,
        .nsortkey = N(model_sort),
    };
    return m;
}

static bool case_model_view_create(plan_target *t, plan_out *out, sl_error *err)
{
    plan_model m = daily_model(PLAN_MODEL_VIEW);
    return plan_model_create(t, &m, out, err);
}

/* The session's current schema: known to exist, so no CREATE SCHEMA (and no need for the
 * database's CREATE privilege). */
static bool case_model_in_existing_schema(plan_target *t, plan_out *out, sl_error *err)
{
    plan_model m = daily_model(PLAN_MODEL_TABLE);
    m.schema_exists = true;
    return plan_model_create(t, &m, out, err);
}

static bool case_model_view_refresh(plan_target *t, plan_out *out, sl_error *err)
{
    plan_model m = daily_model(PLAN_MODEL_VIEW);
    return plan_model_refresh(t, &m, out, err);
}

static bool case_model_table_create(plan_target *t, plan_out *out, sl_error *err)
{
    plan_model m = daily_model(PLAN_MODEL_TABLE);
    return plan_model_create(t, &m, out, err);
}

static bool case_model_table_refresh(plan_target *t, plan_out *out, sl_error *err)
{
    plan_model m = daily_model(PLAN_MODEL_TABLE);
    m.distkey = NULL, m.nsortkey = 0;
    return plan_model_refresh(t, &m, out, err);
}

static bool case_model_table_refresh_shared(plan_target *t, plan_out *out, sl_error *err)
{
    static const char *const ds[] = {"sluice_bi", "sluice_finance"};
    static const char *const roles[] = {"sluice_fdw"};
    plan_model m = daily_model(PLAN_MODEL_TABLE);
    m.reshare = (plan_reshare){ds, N(ds), roles, N(roles)};
    return plan_model_refresh(t, &m, out, err);
}

/* Around the query, the search_path of CREATE MODEL, then the session's again; after the
 * swap, the old table's privileges (one GRANT per grantee) and its owner. */
static bool case_model_table_refresh_grants(plan_target *t, plan_out *out, sl_error *err)
{
    static const plan_grant grants[] = {
        {NULL, "SELECT", false}, {"bi \"ro\"", "SELECT", false}, {"etl", "INSERT", true},
        {"etl", "SELECT", true}, {"etl", "DELETE", false},
    };
    plan_model m = daily_model(PLAN_MODEL_TABLE);
    m.search_path = "marts, \"staging area\", public";
    m.session_search_path = "\"$user\", public";
    m.grants = grants, m.ngrants = N(grants);
    m.owner = "marts_owner";
    return plan_model_refresh(t, &m, out, err);
}

/* Other objects read the table: its rows are replaced, and it keeps everything else. */
static bool case_model_table_refresh_in_place(plan_target *t, plan_out *out, sl_error *err)
{
    static const plan_grant grants[] = {{"etl", "SELECT", false}};
    plan_model m = daily_model(PLAN_MODEL_TABLE);
    m.search_path = "marts, public";
    m.session_search_path = "analytics";
    m.in_place = true;
    m.grants = grants, m.ngrants = N(grants);
    m.owner = "marts_owner";
    return plan_model_refresh(t, &m, out, err);
}

/* TRIGGER is PostgreSQL's: granted again there, refused for Redshift rather than dropped. */
static bool case_model_refresh_postgres_privilege(plan_target *t, plan_out *out, sl_error *err)
{
    static const plan_grant grants[] = {{"etl", "SELECT", false}, {"etl", "TRIGGER", false}};
    plan_model m = daily_model(PLAN_MODEL_TABLE);
    m.distkey = NULL, m.nsortkey = 0;
    m.grants = grants, m.ngrants = N(grants);
    return plan_model_refresh(t, &m, out, err);
}

static bool case_model_drop(plan_target *t, plan_out *out, sl_error *err)
{
    plan_model v = daily_model(PLAN_MODEL_VIEW), tb = daily_model(PLAN_MODEL_TABLE);
    tb.name = "weekly_revenue";
    return plan_model_drop(t, &v, out, err) && plan_model_drop(t, &tb, out, err);
}

/* 123 bytes: fits Redshift, but name__new (128) does not, so the swap is refused. */
static bool case_model_name_too_long_to_swap(plan_target *t, plan_out *out, sl_error *err)
{
    char name[124];
    memset(name, 'm', 123);
    name[123] = '\0';
    plan_model m = daily_model(PLAN_MODEL_TABLE);
    m.name = name;
    t->dialect = PLAN_REDSHIFT; /* the same limit story on PostgreSQL is name_64_bytes */
    return plan_model_refresh(t, &m, out, err);
}

/* ---- cases: shares ---- */

static const plan_qname shared_tables[] = {
    {"analytics", "events"}, {"analytics", "users"}, {"marts", "daily_revenue"}};
static const char *const shared_schemas[] = {"marts"};

static plan_share bi_share(bool tables)
{
    plan_share s = {
        .datashare = "sluice_bi",
        .group = "bi_users",
        .producer_namespace = "13b8833d-17c6-4f16-8fe4-1a018f5ed00d",
        .consumer_namespace = "5f2a7c1e-0b9d-4c3e-8a6f-2d4b1e9c7a30",
        .consumer_database = "sluice_bi_db",
        .fdw_server = "sluice_producer",
        .host = "producer.internal",
        .port = 5432,
        .dbname = "warehouse",
        .user = "sluice_fdw",
        .password = "s3cr3t'pa\\ss",
    };
    if (tables)
        s.tables = shared_tables, s.ntables = N(shared_tables);
    else
        s.schemas = shared_schemas, s.nschemas = N(shared_schemas);
    return s;
}

static bool case_share_tables_producer(plan_target *t, plan_out *out, sl_error *err)
{
    plan_share s = bi_share(true);
    return plan_share_producer(t, &s, out, err);
}

static bool case_share_tables_consumer(plan_target *t, plan_out *out, sl_error *err)
{
    plan_share s = bi_share(true);
    return plan_share_consumer(t, &s, out, err);
}

static bool case_share_schema_producer(plan_target *t, plan_out *out, sl_error *err)
{
    plan_share s = bi_share(false);
    return plan_share_producer(t, &s, out, err);
}

static bool case_share_schema_consumer(plan_target *t, plan_out *out, sl_error *err)
{
    plan_share s = bi_share(false);
    return plan_share_consumer(t, &s, out, err);
}

static bool case_share_consumer_explain(plan_target *t, plan_out *out, sl_error *err)
{
    plan_share s = bi_share(false);
    s.group = NULL;
    t->explain = true;
    return plan_share_consumer(t, &s, out, err);
}

static bool case_share_more_to_existing(plan_target *t, plan_out *out, sl_error *err)
{
    static const plan_qname more[] = {{"finance", "invoices"}};
    plan_share s = bi_share(true);
    s.exists = true;
    s.tables = more, s.ntables = N(more);
    return plan_share_producer(t, &s, out, err) && plan_share_consumer(t, &s, out, err);
}

static bool case_share_missing_namespace(plan_target *t, plan_out *out, sl_error *err)
{
    plan_share s = bi_share(true);
    s.consumer_namespace = NULL;
    s.user = NULL;
    return plan_share_producer(t, &s, out, err);
}

static bool case_unshare_table(plan_target *t, plan_out *out, sl_error *err)
{
    static const plan_qname one[] = {{"analytics", "users"}};
    plan_share s = bi_share(true);
    s.tables = one, s.ntables = N(one);
    return plan_unshare_producer(t, &s, out, err) && plan_unshare_consumer(t, &s, out, err);
}

static bool case_unshare_schema(plan_target *t, plan_out *out, sl_error *err)
{
    plan_share s = bi_share(false);
    return plan_unshare_producer(t, &s, out, err) && plan_unshare_consumer(t, &s, out, err);
}

static bool case_reshare_after_rebuild(plan_target *t, plan_out *out, sl_error *err)
{
    static const char *const ds[] = {"sluice_bi"};
    static const char *const roles[] = {"sluice_fdw", "Reporting \"ro\""};
    plan_qname table = {"analytics", "events"};
    plan_reshare r = {ds, N(ds), roles, N(roles)};
    t->case_sensitive = true;
    return plan_reshare_table(t, &table, &r, out, err);
}

/* ---- the case table ---- */

#define PLANNER_CASES(X)                                                                           \
    X(warehouse_setup)                                                                             \
    X(ddl_append)                                                                                  \
    X(ddl_upsert_distkey_sortkey)                                                                  \
    X(ddl_history)                                                                                 \
    X(ddl_type_mapping)                                                                            \
    X(ddl_computed)                                                                                \
    X(ddl_numeric_too_precise)                                                                     \
    X(add_columns)                                                                                 \
    X(add_column_one)                                                                              \
    X(batch_append_files)                                                                          \
    X(batch_append_s3)                                                                             \
    X(batch_append_postgres)                                                                       \
    X(batch_append_http)                                                                           \
    X(batch_append_sftp)                                                                           \
    X(batch_upsert_files)                                                                          \
    X(batch_upsert_s3)                                                                             \
    X(batch_upsert_postgres)                                                                       \
    X(batch_upsert_http)                                                                           \
    X(batch_upsert_sftp)                                                                           \
    X(batch_history_files)                                                                         \
    X(batch_history_s3)                                                                            \
    X(batch_history_postgres)                                                                      \
    X(batch_history_http)                                                                          \
    X(batch_history_sftp)                                                                          \
    X(batch_append_computed)                                                                       \
    X(batch_history_composite_key)                                                                 \
    X(batch_upsert_no_updated_at)                                                                  \
    X(batch_upsert_only_keys)                                                                      \
    X(batch_error_rows)                                                                            \
    X(batch_default_role_region)                                                                   \
    X(batch_missing_iam_role)                                                                      \
    X(batch_staging_name_no_items)                                                                 \
    X(batch_upsert_without_key)                                                                    \
    X(batch_unknown_type)                                                                          \
    X(name_embedded_quotes)                                                                        \
    X(name_backslashes)                                                                            \
    X(name_mixed_case)                                                                             \
    X(name_mixed_case_sensitive)                                                                   \
    X(name_unicode)                                                                                \
    X(name_invalid_utf8)                                                                           \
    X(name_system_column)                                                                          \
    X(name_63_bytes)                                                                               \
    X(name_64_bytes)                                                                               \
    X(name_127_bytes)                                                                              \
    X(name_128_bytes)                                                                              \
    X(model_view_create)                                                                           \
    X(model_view_refresh)                                                                          \
    X(model_table_create)                                                                          \
    X(model_in_existing_schema)                                                                    \
    X(model_table_refresh)                                                                         \
    X(model_table_refresh_shared)                                                                  \
    X(model_table_refresh_grants)                                                                  \
    X(model_table_refresh_in_place)                                                                \
    X(model_refresh_postgres_privilege)                                                            \
    X(model_drop)                                                                                  \
    X(model_name_too_long_to_swap)                                                                 \
    X(share_tables_producer)                                                                       \
    X(share_tables_consumer)                                                                       \
    X(share_schema_producer)                                                                       \
    X(share_schema_consumer)                                                                       \
    X(share_consumer_explain)                                                                      \
    X(share_more_to_existing)                                                                      \
    X(share_missing_namespace)                                                                     \
    X(unshare_table)                                                                               \
    X(unshare_schema)                                                                              \
    X(reshare_after_rebuild)

typedef bool (*case_fn)(plan_target *t, plan_out *out, sl_error *err);

typedef struct planner_case {
    const char *name;
    case_fn fn;
} planner_case;

#define CASE_ENTRY(name) {#name, case_##name},
static const planner_case cases[] = {PLANNER_CASES(CASE_ENTRY)};

/* ---- rendering and checking ---- */

static char *render(const planner_case *c, plan_dialect_kind d, plan_out *out)
{
    plan_target t = {.dialect = d};
    sl_error err;
    memset(&err, 0, sizeof(err));
    sqlbuf b = {0};
    if (!c->fn(&t, out, &err)) {
        assert_int_equal(out->n, 0); /* a failed plan leaves nothing behind */
        sqlbuf_printf(&b, "ERROR %s: %s\n", err.sqlstate, err.message);
        if (err.hint[0])
            sqlbuf_printf(&b, "HINT: %s\n", err.hint);
    }
    for (size_t i = 0; i < out->n; i++) {
        if (out->stmts[i].flags & PLAN_STMT_EXPECT_NO_ROWS)
            sqlbuf_puts(&b, "-- guard: any row returned means ROLLBACK\n");
        if (out->stmts[i].flags & PLAN_STMT_ALONE)
            sqlbuf_puts(&b, "-- alone: sent by itself, outside a transaction block\n");
        sqlbuf_printf(&b, "%s;\n", out->stmts[i].sql);
    }
    assert_false(b.oom);
    return sqlbuf_take(&b);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    sqlbuf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        sqlbuf_putn(&b, chunk, n);
    fclose(f);
    return sqlbuf_take(&b);
}

static void write_file(const char *path, const char *text)
{
    mkdir("regress/golden", 0755);
    FILE *f = fopen(path, "wb");
    if (!f)
        fail_msg("cannot write %s: %s", path, strerror(errno));
    fputs(text, f);
    fclose(f);
}

static void check_golden(const char *name, const char *dialect, const char *got)
{
    char path[256];
    snprintf(path, sizeof(path), "regress/golden/%s.%s.sql", name, dialect);
    const char *update = getenv("SLUICE_GOLDEN_UPDATE");
    if (update && strcmp(update, "1") == 0) {
        write_file(path, got);
        return;
    }
    char *want = read_file(path);
    if (!want)
        fail_msg("missing golden %s (run with SLUICE_GOLDEN_UPDATE=1 to create it)", path);
    if (strcmp(want, got) != 0) {
        print_error("--- %s (golden)\n%s--- rendered\n%s", path, want, got);
        free(want);
        fail_msg("%s differs from the rendered SQL", path);
    }
    free(want);
}

/* Every PostgreSQL statement is valid PostgreSQL syntax. */
static void check_postgres_parses(const plan_out *out)
{
    for (size_t i = 0; i < out->n; i++) {
        PgQueryParseResult r = pg_query_parse(out->stmts[i].sql);
        if (r.error)
            fail_msg("does not parse (%s at %d): %s", r.error->message, r.error->cursorpos,
                     out->stmts[i].sql);
        pg_query_free_parse_result(r);
    }
}

static size_t count_of(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* What redshift-sql.md forbids or requires, statement by statement. */
static void check_redshift_rules(const plan_out *out)
{
    static const char *const forbidden[] = {"ON CONFLICT",      "FROM STDIN", "MERGE INTO",
                                            " ON COMMIT ",      "SAVEPOINT",  "FOR UPDATE",
                                            " SERIAL",          "TRUNCATE",   " APPEND FROM ",
                                            "IS DISTINCT FROM", "WITH (",     "CREATE INDEX"};
    for (size_t i = 0; i < out->n; i++) {
        const char *sql = out->stmts[i].sql;
        for (size_t k = 0; k < N(forbidden); k++)
            if (strstr(sql, forbidden[k]))
                fail_msg("Redshift statement uses %s: %s", forbidden[k], sql);
        if (count_of(sql, "ADD COLUMN") > 1)
            fail_msg("Redshift adds one column per ALTER TABLE: %s", sql);
        if (strncmp(sql, "COPY ", 5) == 0 &&
            (!strstr(sql, " FROM 's3://") || !strstr(sql, " IAM_ROLE ") ||
             !strstr(sql, " MANIFEST ")))
            fail_msg("Redshift COPY must read an S3 manifest with IAM_ROLE: %s", sql);
        if ((strncmp(sql, "CREATE DATABASE", 15) == 0 ||
             strncmp(sql, "CREATE EXTERNAL", 15) == 0) &&
            !(out->stmts[i].flags & PLAN_STMT_ALONE))
            fail_msg("must be sent alone: %s", sql);
    }
}

static void run_case(void **state)
{
    const planner_case *c = *state;
    static const char *const names[] = {"postgres", "redshift"};
    for (int d = PLAN_POSTGRES; d <= PLAN_REDSHIFT; d++) {
        plan_out out = {0};
        char *got = render(c, (plan_dialect_kind)d, &out);
        if (d == PLAN_POSTGRES)
            check_postgres_parses(&out);
        else
            check_redshift_rules(&out);
        check_golden(c->name, names[d], got);
        free(got);
        plan_out_free(&out);
    }
}

/* ---- direct tests of quoting and secrets ---- */

static char *quoted(plan_dialect_kind d, const char *s, bool literal)
{
    plan_target t = {.dialect = d};
    sl_error err;
    sqlbuf b = {0};
    bool ok = literal ? quote_literal(&b, &t, s, &err) : quote_ident(&b, &t, s, &err);
    if (!ok) {
        sqlbuf_free(&b);
        return NULL;
    }
    return sqlbuf_take(&b);
}

#define assert_quoted(d, s, literal, want)                                                         \
    do {                                                                                           \
        char *q_ = quoted(d, s, literal);                                                          \
        assert_non_null(q_);                                                                       \
        assert_string_equal(q_, want);                                                             \
        free(q_);                                                                                  \
    } while (0)

static void literals_are_quoted_per_dialect(void **state)
{
    (void)state;
    assert_quoted(PLAN_POSTGRES, "it's", true, "'it''s'");
    assert_quoted(PLAN_POSTGRES, "a\\b'c", true, "E'a\\\\b''c'");
    assert_quoted(PLAN_REDSHIFT, "it's", true, "'it''s'");
    assert_quoted(PLAN_REDSHIFT, "a\\b'c", true, "'a\\\\b''c'");
    assert_quoted(PLAN_POSTGRES, "", true, "''");
    assert_null(quoted(PLAN_POSTGRES, "\xff", true));
}

static void identifiers_are_quoted_or_refused(void **state)
{
    (void)state;
    assert_quoted(PLAN_POSTGRES, "a\"b", false, "\"a\"\"b\"");
    assert_quoted(PLAN_POSTGRES, "MiXed", false, "\"MiXed\"");
    assert_null(quoted(PLAN_REDSHIFT, "MiXed", false));
    assert_quoted(PLAN_REDSHIFT, "café", false, "\"café\"");
    assert_null(quoted(PLAN_REDSHIFT, "tab\there", false));
    assert_null(quoted(PLAN_POSTGRES, "", false));
    assert_int_equal(quote_ident_limit(PLAN_POSTGRES), 63);
    assert_int_equal(quote_ident_limit(PLAN_REDSHIFT), 127);
}

static void explain_never_shows_the_password(void **state)
{
    (void)state;
    plan_share s = bi_share(true);
    for (int explain = 0; explain <= 1; explain++) {
        plan_target t = {.dialect = PLAN_POSTGRES, .explain = explain};
        plan_out out = {0};
        sl_error err;
        assert_true(plan_share_consumer(&t, &s, &out, &err));
        bool shown = false, masked = false;
        for (size_t i = 0; i < out.n; i++) {
            shown |= strstr(out.stmts[i].sql, "s3cr3t") != NULL;
            masked |= strstr(out.stmts[i].sql, "'********'") != NULL;
        }
        assert_int_equal(shown, !explain);
        assert_int_equal(masked, explain);
        plan_out_free(&out);
    }
}

static void a_failed_plan_keeps_what_was_planned_before(void **state)
{
    (void)state;
    plan_target t = {.dialect = PLAN_REDSHIFT};
    plan_out out = {0};
    sl_error err;
    plan_pipeline p = events_pipeline(PLAN_APPEND, PLAN_SRC_S3);
    plan_batch b = events_batch(PLAN_SRC_S3);
    assert_true(plan_table_create(&t, &p, &out, &err));
    size_t before = out.n;
    b.manifest_url = NULL;
    assert_false(plan_batch_run(&t, &p, &b, &out, &err));
    assert_string_equal(err.sqlstate, "22023");
    assert_non_null(strstr(err.message, "staging_connection"));
    assert_int_equal(out.n, before);
    plan_out_free(&out);
}

int main(void)
{
    static const struct CMUnitTest direct[] = {
        cmocka_unit_test(literals_are_quoted_per_dialect),
        cmocka_unit_test(identifiers_are_quoted_or_refused),
        cmocka_unit_test(explain_never_shows_the_password),
        cmocka_unit_test(a_failed_plan_keeps_what_was_planned_before),
    };
    struct CMUnitTest tests[N(cases) + N(direct)];
    for (size_t i = 0; i < N(cases); i++)
        tests[i] = (struct CMUnitTest){cases[i].name, run_case, NULL, NULL, (void *)&cases[i]};
    for (size_t i = 0; i < N(direct); i++)
        tests[N(cases) + i] = direct[i];
    return _cmocka_run_group_tests("planner", tests, N(tests), NULL, NULL);
}
