/*
 * pipestmt.c — the PIPELINE statements on the client's own session.
 *
 * Every statement follows the same path: is the catalog there; the stored definition
 * (statements that name a pipeline); the facts; bind; plan; then either the plan's rows
 * for EXPLAIN or the plan run as one unit (script.h). Facts come from where they live:
 * the catalog's (the connection's kind, whether the pipeline exists, the staging
 * connection's bucket and region) with catalog_query, the warehouse's (the session's
 * schema, the target table and its columns, the ledger) with query, in SQL that Redshift
 * runs too (pg_class, pg_namespace, pg_attribute, format_type; no to_regclass).
 */
#include "pipestmt.h"
#include "bind.h"
#include "catalog.h"
#include "quote.h"
#include "script.h"
#include "server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pipe_state {
    stmt_base b;            /* first: see stmt_start */
    sl_parse_result stored; /* the catalog's CREATE PIPELINE, for statements naming one */
    const sl_create_pipeline *cp;
    sl_option *merged; /* ALTER: the stored options with the new ones */
    bool ledger_exists;
    /* facts */
    char *current_schema;
    char *connection_kind;
    char *staging_bucket;
    char *staging_region;
    bool exists;
    char *stored_schema; /* DROP: the stored target */
    char *stored_table;
    bool table_exists;
    plan_column *table_columns;
    size_t ntable_columns;
    bound_pipeline bound;
} pipe_state;

static void pipe_state_free(void *p)
{
    pipe_state *ps = p;
    stmt_base_free(&ps->b);
    sl_parse_free(ps->stored);
    free(ps->merged);
    free(ps->current_schema);
    free(ps->connection_kind);
    free(ps->staging_bucket);
    free(ps->staging_region);
    free(ps->stored_schema);
    free(ps->stored_table);
    for (size_t i = 0; i < ps->ntable_columns; i++) {
        free((char *)ps->table_columns[i].name);
        free((char *)ps->table_columns[i].type);
    }
    free(ps->table_columns);
    bound_pipeline_free(&ps->bound);
    free(ps);
}

static pipe_state *state(const sl_exec *x)
{
    return x->state;
}

/* The state, when r succeeded; otherwise x is finished with r's error and NULL returned. */
static pipe_state *succeeded(sl_exec *x, const sl_result *r)
{
    if (!r->failed)
        return state(x);
    script_fail(x, r);
    return NULL;
}

static const char *tag_of(sl_stmt_kind kind)
{
    switch (kind) {
    case SL_STMT_CREATE_PIPELINE:
        return "CREATE PIPELINE";
    case SL_STMT_ALTER_PIPELINE:
        return "ALTER PIPELINE";
    case SL_STMT_DROP_PIPELINE:
        return "DROP PIPELINE";
    case SL_STMT_START_PIPELINE:
        return "START PIPELINE";
    case SL_STMT_STOP_PIPELINE:
        return "STOP PIPELINE";
    default:
        return "RUN PIPELINE";
    }
}

/* The name the statement is about. */
static const char *pipe_name(const sl_stmt *st)
{
    switch (st->kind) {
    case SL_STMT_CREATE_PIPELINE:
        return st->u.create_pipeline.name;
    case SL_STMT_ALTER_PIPELINE:
        return st->u.alter.name;
    case SL_STMT_DROP_PIPELINE:
        return st->u.drop.name;
    default:
        return st->u.pipeline.name;
    }
}

static bool oom(sl_exec *x)
{
    sl_error_set(&x->err, "53200", NULL, "out of memory");
    return false;
}

/* How a catalog statement is marked: the catalog is apart from a Redshift warehouse. */
static unsigned catalog_flag(const pipe_state *ps)
{
    return ps->b.target.dialect == PLAN_REDSHIFT ? SCRIPT_CATALOG : 0;
}

/* A literal (NULL for none) as the database t describes reads it. */
static bool lit_for(sqlbuf *b, const plan_target *t, const char *text, sl_error *err)
{
    if (!text) {
        sqlbuf_puts(b, "NULL");
        return true;
    }
    return quote_literal(b, t, text, err);
}

/* Lookups in the warehouse: literals as the configured warehouse reads them. */
static bool warehouse_lit(sqlbuf *b, const char *text, sl_error *err)
{
    plan_target warehouse = script_target(NULL);
    return lit_for(b, &warehouse, text, err);
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

typedef void (*query_fn)(sl_exec *x, const char *sql, sl_exec_next next);

/*
 * Sends the SQL in b (taken) with run (x->query: the warehouse, x->catalog_query: the
 * catalog) and continues with next; finishes x on a failure to build.
 */
static void send_query(sl_exec *x, query_fn run, sqlbuf *b, bool ok, sl_exec_next next)
{
    if (ok && b->oom)
        ok = oom(x);
    if (!ok) {
        sqlbuf_free(b);
        x->finish(x, false);
        return;
    }
    run(x, b->data, next);
    sqlbuf_free(b);
}

/* ---- the end: EXPLAIN rows, or the plan run as one unit ---- */

static void ran(sl_exec *x, const sl_result *r)
{
    if (r->failed) {
        script_fail(x, r);
        return;
    }
    wire_put_command_complete(x->out, tag_of(state(x)->b.st->kind));
    x->finish(x, true);
}

static void conclude(sl_exec *x)
{
    pipe_state *ps = state(x);
    if (ps->b.explain) {
        script_explain(x, &ps->b.sc.plan);
        x->finish(x, true);
        return;
    }
    script_for_session(&ps->b.sc.plan);
    script_run(x, &ps->b.sc, ran);
}

/* ---- plans ---- */

/* One batch as EXPLAIN shows it: every per-run value a placeholder. */
static bool plan_one_batch(sl_exec *x)
{
    pipe_state *ps = state(x);
    const plan_pipeline *p = &ps->bound.p;
    plan_ledger_item item = {.key = "<item>"};
    static const char *const keys[] = {"<file path>", "<object key>", "<watermark>", "<cursor>",
                                       "<file path>"};
    item.key = keys[p->source];
    if (p->source == PLAN_SRC_FILES || p->source == PLAN_SRC_SFTP) {
        item.mtime = "<file mtime>";
        item.size = 0;
    } else if (p->source == PLAN_SRC_S3) {
        item.etag = "<etag>";
    }
    const sl_config *cfg = server.cfg;
    char manifest[1024] = "";
    plan_batch b = {
        .batch_id = "<batch>",
        .started_at = "<batch start>",
        .items = &item,
        .nitems = 1,
        .iam_role = cfg ? cfg->iam_role : NULL,
        .region = ps->staging_region,
    };
    if (ps->b.target.dialect == PLAN_REDSHIFT) {
        const sl_option *opt = sl_options_get(&ps->cp->options, "staging_connection");
        const char *staging = opt ? opt->value.text : cfg ? cfg->staging_connection : NULL;
        opt = sl_options_get(&ps->cp->options, "staging_prefix");
        const char *prefix = opt                          ? opt->value.text
                             : cfg && cfg->staging_prefix ? cfg->staging_prefix
                                                          : "sluice/staging/";
        if (!staging || !*staging) {
            sl_error_set(&x->err, "22023",
                         "Set staging_connection in sluice's configuration (an s3 connection), "
                         "or give the pipeline WITH (staging_connection = …).",
                         "a Redshift load needs setting staging_connection");
            return false;
        }
        if (!ps->staging_bucket) {
            sl_error_set(&x->err, "42704", "CREATE CONNECTION it with TYPE s3 and a bucket.",
                         "staging connection \"%.64s\" does not exist or is not an s3 connection",
                         staging);
            return false;
        }
        snprintf(manifest, sizeof(manifest), "s3://%s/%s%s%s/<batch>/manifest", ps->staging_bucket,
                 prefix, *prefix && prefix[strlen(prefix) - 1] != '/' ? "/" : "", p->name);
        b.manifest_url = manifest;
    }
    return plan_batch_run(&ps->b.target, p, &b, &ps->b.sc.plan, &x->err);
}

static bool plan_catalog_insert(sl_exec *x)
{
    pipe_state *ps = state(x);
    const sl_create_pipeline *c = ps->cp;
    const plan_pipeline *p = &ps->bound.p;
    char *definition = sl_stmt_to_sql(ps->b.st);
    sqlbuf b = {0}, opts = {0};
    script_json_options(&opts, &c->options);
    char source[16];
    snprintf(source, sizeof(source), "%s", sl_source_name(c->source));
    for (char *s = source; *s; s++)
        *s = (char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s);
    const char *mode = p->mode == PLAN_APPEND   ? "append"
                       : p->mode == PLAN_UPSERT ? "upsert"
                                                : "history";
    /* WITH (start = false) waits for START PIPELINE; otherwise the engine runs it at once */
    const sl_option *start = sl_options_get(&c->options, "start");
    const char *state = start && strcmp(start->value.text, "false") == 0 ? "created" : "running";
    sqlbuf_puts(&b, "INSERT INTO sluice.pipeline (name, definition, source, location, connection, "
                    "target_schema, target_table, mode, state, options) VALUES (");
    bool ok = definition && script_literal(&b, c->name, &x->err);
    const char *values[] = {definition,       source,         c->location, c->connection,
                            p->target.schema, p->target.name, mode,        state};
    for (size_t i = 0; ok && i < sizeof(values) / sizeof(values[0]); i++) {
        sqlbuf_puts(&b, ", ");
        ok = script_literal(&b, values[i], &x->err);
    }
    sqlbuf_puts(&b, ", ");
    ok = ok && !opts.oom && script_literal(&b, opts.data, &x->err);
    sqlbuf_puts(&b, "::jsonb)");
    ok = ok && (b.oom ? oom(x) : plan_out_add(&ps->b.sc.plan, sqlbuf_take(&b), catalog_flag(ps)));
    free(definition);
    sqlbuf_free(&b);
    sqlbuf_free(&opts);
    return ok || (x->err.sqlstate[0] ? false : oom(x));
}

static bool plan_catalog_update(sl_exec *x)
{
    pipe_state *ps = state(x);
    char *definition = sl_stmt_to_sql(ps->stored.stmt);
    sqlbuf b = {0}, opts = {0};
    script_json_options(&opts, &ps->cp->options);
    sqlbuf_puts(&b, "UPDATE sluice.pipeline SET definition = ");
    bool ok = definition && script_literal(&b, definition, &x->err);
    sqlbuf_puts(&b, ", options = ");
    ok = ok && !opts.oom && script_literal(&b, opts.data, &x->err);
    sqlbuf_puts(&b, "::jsonb, updated_at = now() WHERE name = ");
    ok = ok && script_literal(&b, ps->cp->name, &x->err);
    ok = ok && !b.oom && plan_out_add(&ps->b.sc.plan, sqlbuf_take(&b), catalog_flag(ps));
    free(definition);
    sqlbuf_free(&b);
    sqlbuf_free(&opts);
    return ok || (x->err.sqlstate[0] ? false : oom(x));
}

/* The statements DROP PIPELINE sends: its catalog rows, its ledger, AND TABLE its table. */
static bool plan_drop(sl_exec *x, const char *schema, const char *table)
{
    pipe_state *ps = state(x);
    const sl_drop *d = &ps->b.st->u.drop;
    static const char *const rows[] = {
        "DELETE FROM sluice.pipeline WHERE name = ",
        "DELETE FROM sluice.ledger WHERE pipeline = ",
        "DELETE FROM sluice.batch WHERE pipeline = ",
        "DELETE FROM sluice.batch_error WHERE pipeline = ",
    };
    size_t n = ps->ledger_exists ? 4 : 1;
    for (size_t i = 0; i < n; i++) {
        sqlbuf b = {0};
        sqlbuf_puts(&b, rows[i]);
        if (!script_literal(&b, d->name, &x->err) || b.oom ||
            !plan_out_add(&ps->b.sc.plan, sqlbuf_take(&b), i == 0 ? catalog_flag(ps) : 0)) {
            sqlbuf_free(&b);
            return x->err.sqlstate[0] ? false : oom(x);
        }
        sqlbuf_free(&b);
    }
    if (!d->and_table)
        return true;
    sqlbuf b = {0};
    sqlbuf_puts(&b, "DROP TABLE IF EXISTS ");
    bool ok = quote_ident(&b, &ps->b.target, schema, &x->err);
    sqlbuf_putc(&b, '.');
    ok = ok && quote_ident(&b, &ps->b.target, table, &x->err);
    ok = ok && !b.oom && plan_out_add(&ps->b.sc.plan, sqlbuf_take(&b), 0);
    sqlbuf_free(&b);
    return ok || (x->err.sqlstate[0] ? false : oom(x));
}

static bool distkey_notice(sl_exec *x)
{
    const pipe_state *ps = state(x);
    if (ps->b.target.dialect == PLAN_POSTGRES && (ps->bound.p.distkey || ps->bound.p.nsortkey ||
                                                  sl_options_get(&ps->cp->options, "sortkey")))
        script_notice(x, "distkey and sortkey are Redshift table attributes; %s",
                      "PostgreSQL ignores them");
    return true;
}

/* The facts are in: bind, plan, conclude. */
static void bound(sl_exec *x)
{
    pipe_state *ps = state(x);
    bind_facts f = {
        .current_schema = ps->current_schema,
        .connection_kind = ps->connection_kind,
        .table_exists = ps->table_exists,
        .table_columns = ps->table_columns,
        .ntable_columns = ps->ntable_columns,
    };
    sl_stmt_kind kind = ps->b.st->kind;
    if (kind == SL_STMT_CREATE_PIPELINE && ps->exists) {
        if (!ps->cp->if_not_exists) {
            sl_error_set(&x->err, "42710", "Choose another name, or ALTER or DROP that pipeline.",
                         "pipeline \"%.64s\" already exists", ps->cp->name);
            x->finish(x, false);
            return;
        }
        script_notice(x, "pipeline \"%s\" already exists, skipping", ps->cp->name);
        conclude(x); /* nothing to send */
        return;
    }
    if (!bind_pipeline(ps->cp, &f, &ps->bound, &x->err)) {
        x->finish(x, false);
        return;
    }
    bool ok = distkey_notice(x);
    if (kind == SL_STMT_CREATE_PIPELINE) {
        ok = plan_catalog_insert(x) && plan_warehouse_setup(&ps->b.target, &ps->b.sc.plan, &x->err);
        if (ok && ps->bound.create_table)
            ok = plan_table_create(&ps->b.target, &ps->bound.p, &ps->b.sc.plan, &x->err);
    } else if (kind == SL_STMT_ALTER_PIPELINE) {
        /* the keys must still name columns: the planner checks them as it plans the table */
        plan_out check = {0};
        ok = (!ps->bound.columns_known ||
              plan_table_create(&ps->b.target, &ps->bound.p, &check, &x->err)) &&
             plan_catalog_update(x);
        plan_out_free(&check);
    }
    bool batch = ps->b.explain && kind != SL_STMT_ALTER_PIPELINE;
    if (ok && batch && !ps->bound.columns_known)
        script_notice(x,
                      "pipeline \"%s\" takes its columns from the first rows it reads; "
                      "give INTO a column list to see the SQL of a batch",
                      ps->cp->name);
    else if (ok && batch)
        ok = plan_one_batch(x);
    if (!ok) {
        x->finish(x, false);
        return;
    }
    conclude(x);
}

static void columns_read(sl_exec *x, const sl_result *r)
{
    pipe_state *ps = succeeded(x, r);
    if (!ps)
        return;
    ps->table_columns = calloc((size_t)r->nrows + 1, sizeof(plan_column));
    if (!ps->table_columns) {
        oom(x);
        x->finish(x, false);
        return;
    }
    for (int i = 0; i < r->nrows; i++) {
        char *name = dup_or_null(sl_result_get(r, i, 0));
        char *type = dup_or_null(sl_result_get(r, i, 1));
        ps->table_columns[ps->ntable_columns++] = (plan_column){name, type};
        if (!name || !type) {
            oom(x);
            x->finish(x, false);
            return;
        }
    }
    bound(x);
}

/* The target's relation, as a WHERE over pg_class c and pg_namespace n of the warehouse. */
static bool target_where(sqlbuf *b, const sl_create_pipeline *c, sl_error *err)
{
    sqlbuf_puts(b, "n.oid = c.relnamespace AND n.nspname = coalesce(");
    bool ok = warehouse_lit(b, c->target.schema, err);
    sqlbuf_puts(b, ", current_schema()) AND c.relname = ");
    ok = ok && warehouse_lit(b, c->target.name, err);
    sqlbuf_puts(b, " AND c.relkind IN ('r', 'p', 'v', 'm', 'f')");
    return ok;
}

static bool is_true(const sl_result *r, int row, int col)
{
    const char *v = sl_result_get(r, row, col);
    return v && strcmp(v, "t") == 0;
}

/* A lookup in the warehouse about the target table: head, the table's WHERE, tail. */
static void ask_warehouse(sl_exec *x, const char *head, const char *tail, sl_exec_next next)
{
    sqlbuf b = {0};
    sqlbuf_puts(&b, head);
    bool ok = target_where(&b, state(x)->cp, &x->err);
    sqlbuf_puts(&b, tail);
    send_query(x, x->query, &b, ok, next);
}

/* The warehouse's facts: the session's schema, and whether the target table exists. */
#define WAREHOUSE_FACTS                                                                            \
    "SELECT current_schema(), EXISTS (SELECT 1 FROM pg_class c, pg_namespace n WHERE "
#define WAREHOUSE_FACTS_END ")"

/* The target table's columns, in order. */
#define TABLE_COLUMNS                                                                              \
    "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a, pg_class c, "     \
    "pg_namespace n WHERE a.attrelid = c.oid AND "
#define TABLE_COLUMNS_END " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum"

enum { FACTS_CATALOG, FACTS_WAREHOUSE }; /* x->step: which facts facts_read gets */

static void facts_read(sl_exec *x, const sl_result *r)
{
    pipe_state *ps = succeeded(x, r);
    if (!ps)
        return;
    if (x->step++ == FACTS_CATALOG) {
        ps->connection_kind = dup_or_null(sl_result_get(r, 0, 0));
        ps->exists = is_true(r, 0, 1);
        ps->staging_bucket = dup_or_null(sl_result_get(r, 0, 2));
        ps->staging_region = dup_or_null(sl_result_get(r, 0, 3));
        ask_warehouse(x, WAREHOUSE_FACTS, WAREHOUSE_FACTS_END, facts_read);
        return;
    }
    ps->current_schema = dup_or_null(sl_result_get(r, 0, 0));
    ps->table_exists = is_true(r, 0, 1);
    if (ps->table_exists)
        ask_warehouse(x, TABLE_COLUMNS, TABLE_COLUMNS_END, columns_read);
    else
        bound(x);
}

/* The catalog's facts: the connection's kind, the pipeline, the staging connection. */
static void read_catalog_facts(sl_exec *x)
{
    pipe_state *ps = state(x);
    const sl_create_pipeline *c = ps->cp;
    const sl_config *cfg = server.cfg;
    const sl_option *opt = sl_options_get(&c->options, "staging_connection");
    const char *staging = opt ? opt->value.text : cfg ? cfg->staging_connection : NULL;
    sqlbuf b = {0};
    sqlbuf_puts(&b, "SELECT (SELECT kind FROM sluice.connection WHERE name = ");
    bool ok = script_literal(&b, c->connection, &x->err);
    sqlbuf_puts(&b, "), EXISTS (SELECT 1 FROM sluice.pipeline WHERE name = ");
    ok = ok && script_literal(&b, c->name, &x->err);
    for (int i = 0; i < 2; i++) {
        sqlbuf_printf(&b,
                      "), (SELECT options->>'%s' FROM sluice.connection WHERE kind = 's3' AND "
                      "name = ",
                      i ? "region" : "bucket");
        ok = ok && script_literal(&b, staging, &x->err);
    }
    sqlbuf_puts(&b, ")");
    x->step = FACTS_CATALOG;
    send_query(x, x->catalog_query, &b, ok, facts_read);
}

/* ALTER: the stored options, each replaced or joined by the statement's. */
static bool merge_options(sl_exec *x)
{
    pipe_state *ps = state(x);
    sl_create_pipeline *c = &ps->stored.stmt->u.create_pipeline;
    const sl_options *set = &ps->b.st->u.alter.options;
    for (int i = 0; i < set->n; i++)
        if (strcmp(set->items[i].name, "mode") == 0) {
            const sl_option *old = sl_options_get(&c->options, "mode");
            if (strcmp(old ? old->value.text : "append", set->items[i].value.text) == 0)
                continue;
            sl_error_set(&x->err, "0A000",
                         "A pipeline's mode decides its table's shape: DROP PIPELINE and "
                         "CREATE it again with the new mode.",
                         "the mode of pipeline \"%.64s\" cannot be changed", c->name);
            x->err.position = set->items[i].position;
            return false;
        }
    ps->merged = calloc((size_t)(c->options.n + set->n) + 1, sizeof(sl_option));
    if (!ps->merged)
        return oom(x);
    int n = 0;
    for (int i = 0; i < c->options.n; i++)
        if (!sl_options_get(set, c->options.items[i].name))
            ps->merged[n++] = c->options.items[i];
    for (int i = 0; i < set->n; i++)
        ps->merged[n++] = set->items[i];
    c->options = (sl_options){ps->merged, n};
    /* the new definition must stand as a statement of its own (upsert needs primary_key…) */
    char *text = sl_stmt_to_sql(ps->stored.stmt);
    if (!text)
        return oom(x);
    sl_parse_result check = sl_parse(text);
    free(text);
    if (check.error) {
        x->err = *check.error;
        x->err.position = 0;
    }
    bool ok = !check.error;
    sl_parse_free(check);
    return ok;
}

/* Is sluice's ledger in the warehouse (CREATE PIPELINE makes it)? pg_catalog only. */
#define LEDGER_PRESENT_SQL                                                                         \
    "SELECT EXISTS (SELECT 1 FROM pg_class c, pg_namespace n WHERE n.oid = c.relnamespace AND "    \
    "n.nspname = 'sluice' AND c.relname = 'ledger')"

static void ledger_read(sl_exec *x, const sl_result *r)
{
    pipe_state *ps = succeeded(x, r);
    if (!ps)
        return;
    ps->ledger_exists = is_true(r, 0, 0);
    if (!plan_drop(x, ps->stored_schema, ps->stored_table)) {
        x->finish(x, false);
        return;
    }
    conclude(x);
}

static void definition_read(sl_exec *x, const sl_result *r)
{
    pipe_state *ps = succeeded(x, r);
    if (!ps)
        return;
    const char *definition = sl_result_get(r, 0, 0);
    if (!definition) {
        const char *name = pipe_name(ps->b.st);
        if (ps->b.st->kind == SL_STMT_DROP_PIPELINE && ps->b.st->u.drop.if_exists) {
            script_notice(x, "pipeline \"%s\" does not exist, skipping", name);
            conclude(x);
            return;
        }
        sl_error_set(&x->err, "42704", "SHOW PIPELINES lists the pipelines there are.",
                     "pipeline \"%.64s\" does not exist", name);
        x->finish(x, false);
        return;
    }
    if (ps->b.st->kind == SL_STMT_DROP_PIPELINE) {
        ps->stored_schema = dup_or_null(sl_result_get(r, 0, 1));
        ps->stored_table = dup_or_null(sl_result_get(r, 0, 2));
        if (!ps->stored_schema || !ps->stored_table) {
            oom(x);
            x->finish(x, false);
            return;
        }
        x->query(x, LEDGER_PRESENT_SQL, ledger_read);
        return;
    }
    ps->stored = sl_parse(definition);
    if (ps->stored.error) {
        x->err = *ps->stored.error;
        snprintf(x->err.detail, sizeof(x->err.detail), "The catalog's definition does not parse.");
        x->err.position = 0;
        x->finish(x, false);
        return;
    }
    ps->cp = &ps->stored.stmt->u.create_pipeline;
    if (ps->b.st->kind == SL_STMT_ALTER_PIPELINE && !merge_options(x)) {
        x->finish(x, false);
        return;
    }
    read_catalog_facts(x);
}

/* START / STOP PIPELINE: the state the engine reads (a failed pipeline starts afresh). */
static void state_set(sl_exec *x, const sl_result *r)
{
    pipe_state *ps = state(x);
    if (r->failed) {
        script_fail(x, r);
        return;
    }
    if (script_tag_rows(r->tag) == 0) {
        sl_error_set(&x->err, "42704", "SHOW PIPELINES lists the pipelines there are.",
                     "pipeline \"%.64s\" does not exist", pipe_name(ps->b.st));
        x->finish(x, false);
        return;
    }
    wire_put_command_complete(x->out, tag_of(ps->b.st->kind));
    x->finish(x, true);
}

static void catalog_checked(sl_exec *x, const sl_result *r)
{
    pipe_state *ps = state(x);
    if (!script_catalog_present(x, r, "pipelines"))
        return;
    if (ps->b.st->kind == SL_STMT_START_PIPELINE || ps->b.st->kind == SL_STMT_STOP_PIPELINE) {
        bool start = ps->b.st->kind == SL_STMT_START_PIPELINE;
        sqlbuf b = {0};
        sqlbuf_puts(&b, start ? "UPDATE sluice.pipeline SET state = 'running', last_error = NULL, "
                                "updated_at = now() WHERE name = "
                              : "UPDATE sluice.pipeline SET state = 'stopped', updated_at = now() "
                                "WHERE name = ");
        bool ok = script_literal(&b, pipe_name(ps->b.st), &x->err);
        send_query(x, x->catalog_query, &b, ok, state_set);
        return;
    }
    if (ps->b.st->kind == SL_STMT_CREATE_PIPELINE) {
        ps->cp = &ps->b.st->u.create_pipeline;
        read_catalog_facts(x);
        return;
    }
    sqlbuf b = {0};
    sqlbuf_puts(&b, "SELECT p.definition, p.target_schema, p.target_table FROM (SELECT 1) AS one "
                    "LEFT JOIN sluice.pipeline p ON p.name = ");
    bool ok = script_literal(&b, pipe_name(ps->b.st), &x->err);
    send_query(x, x->catalog_query, &b, ok, definition_read);
}

void pipestmt_execute(sl_exec *x, const sl_stmt *st, const sl_explain *explain)
{
    (void)st; /* sluice keeps a copy of its own: the statement outlives this call */
    pipe_state *ps = stmt_start(x, sizeof(*ps), pipe_state_free, explain);
    if (!ps)
        return;
    if (!explain && ps->b.target.dialect == PLAN_REDSHIFT) {
        sl_error_set(&x->err, "0A000",
                     "EXPLAIN shows the Redshift SQL of the statement; carrying it out writes "
                     "the catalog and the warehouse as one unit, which this version cannot do "
                     "while the catalog is another database.",
                     "%s is not supported with dialect redshift", tag_of(ps->b.st->kind));
        x->finish(x, false);
        return;
    }
    x->catalog_query(x, CATALOG_PRESENT_SQL, catalog_checked);
}
