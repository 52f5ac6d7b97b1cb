/*
 * showstmt.c — see showstmt.h.
 *
 * Every SHOW is CATALOG_PRESENT_SQL, then (SHOW PIPELINE ERRORS only) a query that must find
 * the pipeline, then the SELECT whose rows are the reply. The SELECTs below produce the
 * reply's columns in order, as text, so their rows go to the client untouched.
 */
#include "showstmt.h"
#include "catalog.h"
#include "quote.h"
#include "script.h"
#include "sqlbuf.h"

#include <stdlib.h>
#include <string.h>

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- the columns ---- */

/* SHOW PIPELINES returns the first PIPELINE_SUMMARY_COLUMNS of these, SHOW PIPELINE all. */
static const char *const pipeline_columns[] = {
    "name",     "state",          "source",          "target",     "mode",
    "last_run", "rows_loaded",    "error_rows",      "lag",        "last_error",
    "run_id",   "run_started_at", "run_finished_at", "run_status", "run_items",
    "run_rows", "run_error_rows", "run_message",
};
#define PIPELINE_SUMMARY_COLUMNS 10

static const char *const error_columns[] = {
    "item", "line", "byte_offset", "column_name", "reason", "raw", "created_at",
};

static const char *const model_columns[] = {
    "name",    "kind", "trigger",     "base_tables", "last_refresh",
    "seconds", "rows", "incremental", "stale",       "not_incremental_because",
};

static const char *const share_columns[] = {"object", "consumer", "group", "datashare", "state"};

static const char *const create_columns[] = {"name", "statement"};

int showstmt_columns(const sl_stmt *st, const char *const **cols)
{
    switch (st->kind) {
    case SL_STMT_SHOW_PIPELINES:
        *cols = pipeline_columns;
        return PIPELINE_SUMMARY_COLUMNS;
    case SL_STMT_SHOW_PIPELINE:
        if (st->u.show_pipeline.errors) {
            *cols = error_columns;
            return COUNT(error_columns);
        }
        *cols = pipeline_columns;
        return COUNT(pipeline_columns);
    case SL_STMT_SHOW_MODELS:
        *cols = model_columns;
        return COUNT(model_columns);
    case SL_STMT_SHOW_SHARES:
        *cols = share_columns;
        return COUNT(share_columns);
    case SL_STMT_SHOW_CREATE:
        *cols = create_columns;
        return COUNT(create_columns);
    default:
        *cols = NULL;
        return 0;
    }
}

/* ---- the catalog queries (run only once CATALOG_PRESENT_SQL said it is there) ---- */

/*
 * One row per pipeline: its definition's summary and what its runs add up to. The newest
 * run is the latest started; a run still going has no finished_at yet.
 */
#define PIPELINE_SUMMARY                                                                           \
    "SELECT p.name, p.state, p.source, "                                                           \
    "quote_ident(p.target_schema) || '.' || quote_ident(p.target_table) AS target, p.mode, "       \
    "(SELECT coalesce(n.finished_at, n.started_at) FROM sluice.pipeline_run n "                    \
    "WHERE n.pipeline = p.name ORDER BY n.started_at DESC, n.id DESC LIMIT 1)::text AS last_run, " \
    "t.rows_loaded::text AS rows_loaded, t.error_rows::text AS error_rows, "                       \
    "(now() - t.newest_item_at)::text AS lag, p.last_error "                                       \
    "FROM sluice.pipeline p CROSS JOIN LATERAL ("                                                  \
    "SELECT coalesce(sum(a.rows_loaded), 0) AS rows_loaded, "                                      \
    "coalesce(sum(a.error_rows), 0) AS error_rows, max(a.newest_item_at) AS newest_item_at "       \
    "FROM sluice.pipeline_run a WHERE a.pipeline = p.name) t"

/* Names sort in byte order, as PostgreSQL sorts identifiers, whatever the collation. */
#define PIPELINES_LIST PIPELINE_SUMMARY " ORDER BY p.name COLLATE \"C\""

/* SHOW PIPELINE name: "FROM (summary WHERE p.name = 'name') s" + PIPELINE_RUNS. */
#define PIPELINE_WITH_RUNS                                                                         \
    "SELECT s.*, r.id::text AS run_id, r.started_at::text AS run_started_at, "                     \
    "r.finished_at::text AS run_finished_at, r.status AS run_status, r.items::text AS run_items, " \
    "r.rows_loaded::text AS run_rows, r.error_rows::text AS run_error_rows, "                      \
    "r.message AS run_message FROM (" PIPELINE_SUMMARY " WHERE p.name = "
#define PIPELINE_RUNS                                                                              \
    ") s LEFT JOIN sluice.pipeline_run r ON r.pipeline = s.name "                                  \
    "ORDER BY r.started_at DESC, r.id DESC"

#define PIPELINE_FIND "SELECT 1 FROM sluice.pipeline WHERE name = "

#define PIPELINE_ERRORS                                                                            \
    "SELECT item, line::text, byte_offset::text, column_name, reason, raw, "                       \
    "created_at::text FROM sluice.pipeline_error WHERE pipeline = "

/* The newest refresh of each model: when, how long (seconds, to the millisecond), how many. */
#define MODELS_LIST                                                                                \
    "SELECT m.name, m.materialized AS kind, CASE m.refresh WHEN 'every' THEN "                     \
    "'every ' || m.refresh_every::text ELSE m.refresh END AS trigger, "                            \
    "array_to_string(m.base_tables, ', ') AS base_tables, "                                        \
    "coalesce(f.finished_at, f.started_at)::text AS last_refresh, "                                \
    "round(extract(epoch FROM f.finished_at - f.started_at)::numeric, 3)::text AS seconds, "       \
    "f.rows::text AS rows, m.incremental::text AS incremental, NULL::text AS stale, "              \
    "m.not_incremental_because FROM sluice.model m LEFT JOIN LATERAL ("                            \
    "SELECT * FROM sluice.model_refresh n WHERE n.model = m.name "                                 \
    "ORDER BY n.started_at DESC, n.id DESC LIMIT 1) f ON true ORDER BY m.name COLLATE \"C\""

#define SHARES_LIST                                                                                \
    "SELECT CASE object_kind WHEN 'schema' THEN quote_ident(schema_name) "                         \
    "ELSE quote_ident(schema_name) || '.' || quote_ident(table_name) END AS object, "              \
    "consumer, grp AS \"group\", datashare, state FROM sluice.share "                              \
    "ORDER BY schema_name COLLATE \"C\", table_name COLLATE \"C\", consumer COLLATE \"C\""

#define CREATE_PIPELINE "SELECT name, definition AS statement FROM sluice.pipeline WHERE name = "
#define CREATE_MODEL "SELECT name, definition AS statement FROM sluice.model WHERE name = "

/* The statement's queries: check (left empty when there is none) and list. */
static bool build_sql(const sl_stmt *st, sqlbuf *check, sqlbuf *list, sl_error *err)
{
    const sl_show_pipeline *sp = &st->u.show_pipeline;
    bool ok = true;
    switch (st->kind) {
    case SL_STMT_SHOW_PIPELINES:
        sqlbuf_puts(list, PIPELINES_LIST);
        break;
    case SL_STMT_SHOW_MODELS:
        sqlbuf_puts(list, MODELS_LIST);
        break;
    case SL_STMT_SHOW_SHARES:
        sqlbuf_puts(list, SHARES_LIST);
        break;
    case SL_STMT_SHOW_CREATE:
        sqlbuf_puts(list,
                    st->u.show_create.object == SL_OBJECT_MODEL ? CREATE_MODEL : CREATE_PIPELINE);
        ok = script_literal(list, st->u.show_create.name, err);
        break;
    case SL_STMT_SHOW_PIPELINE:
        if (!sp->errors) {
            sqlbuf_puts(list, PIPELINE_WITH_RUNS);
            ok = script_literal(list, sp->name, err);
            sqlbuf_puts(list, PIPELINE_RUNS);
            break;
        }
        sqlbuf_puts(check, PIPELINE_FIND);
        sqlbuf_puts(list, PIPELINE_ERRORS);
        ok = script_literal(check, sp->name, err) && script_literal(list, sp->name, err);
        sqlbuf_puts(list, " ORDER BY id");
        if (sp->limit >= 0)
            sqlbuf_printf(list, " LIMIT %ld", sp->limit);
        break;
    default:
        sl_error_set(err, "XX000", NULL, "%s is not a SHOW of the catalog",
                     classify_label(st->kind));
        return false;
    }
    if (ok && (check->oom || list->oom)) {
        sl_error_set(err, "53200", NULL, "out of memory");
        return false;
    }
    return ok;
}

/* ---- running it ---- */

/* What the statement keeps while its queries run: one allocation, freed by the session. */
typedef struct show_work {
    sl_object_kind object; /* what a 42704 calls the object */
    const char *name;      /* the object a named SHOW is about; NULL for a list */
    const char *check;     /* must return a row before list runs; NULL when there is none */
    const char *list;      /* the reply's rows */
    bool list_finds;       /* no row from list means the named object does not exist */
    char text[];           /* where name, check and list are */
} show_work;

enum { STEP_PRESENT, STEP_CHECK, STEP_LIST };

/* Copies s (with its NUL) to *at and moves *at past it; NULL stays NULL. */
static const char *stash(char **at, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *copy = memcpy(*at, s, n);
    *at += n;
    return copy;
}

static show_work *work_new(const sl_stmt *st, const sqlbuf *check, const sqlbuf *list)
{
    const char *name = st->kind == SL_STMT_SHOW_PIPELINE ? st->u.show_pipeline.name
                       : st->kind == SL_STMT_SHOW_CREATE ? st->u.show_create.name
                                                         : NULL;
    const char *check_sql = check->len ? check->data : NULL;
    size_t size =
        sizeof(show_work) + (name ? strlen(name) + 1 : 0) + check->len + 1 + list->len + 1;
    show_work *w = malloc(size);
    if (!w)
        return NULL;
    char *at = w->text;
    w->object = st->kind == SL_STMT_SHOW_CREATE ? st->u.show_create.object : SL_OBJECT_PIPELINE;
    w->name = stash(&at, name);
    w->check = stash(&at, check_sql);
    w->list = stash(&at, list->data);
    w->list_finds = name && !check_sql;
    return w;
}

static void missing(sl_exec *x)
{
    const show_work *w = (const show_work *)x->work;
    bool model = w->object == SL_OBJECT_MODEL;
    sl_error_set(&x->err, "42704",
                 model ? "SHOW MODELS lists the models there are."
                       : "SHOW PIPELINES lists the pipelines there are.",
                 "%s \"%s\" does not exist", model ? "model" : "pipeline", w->name);
    x->finish(x, false);
}

/* The reply: r's rows (none when r is NULL), then CommandComplete SHOW. */
static void reply(sl_exec *x, const sl_result *r)
{
    if (r)
        script_put_rows(x, r);
    wire_put_command_complete(x->out, "SHOW");
    x->finish(x, true);
}

static void show_next(sl_exec *x, const sl_result *r)
{
    const show_work *w = (const show_work *)x->work;
    if (r->failed) {
        script_fail(x, r);
        return;
    }
    if (x->step == STEP_PRESENT) {
        const char *present = sl_result_get(r, 0, 0);
        if (!present || strcmp(present, "t") != 0) {
            /* no catalog in this database: nothing to list, nothing by that name */
            if (w->name)
                missing(x);
            else
                reply(x, NULL);
            return;
        }
        x->step = w->check ? STEP_CHECK : STEP_LIST;
        x->catalog_query(x, w->check ? w->check : w->list, show_next);
    } else if (x->step == STEP_CHECK) {
        if (r->nrows == 0) {
            missing(x);
            return;
        }
        x->step = STEP_LIST;
        x->catalog_query(x, w->list, show_next);
    } else if (r->nrows == 0 && w->list_finds) {
        missing(x);
    } else {
        reply(x, r);
    }
}

void showstmt_execute(sl_exec *x, const sl_stmt *st, const sl_explain *explain)
{
    (void)explain; /* SHOWSTMT_WHAT does not offer EXPLAINS */
    sqlbuf check = {0}, list = {0};
    bool ok = build_sql(st, &check, &list, &x->err);
    show_work *w = ok ? work_new(st, &check, &list) : NULL;
    if (ok && !w)
        sl_error_set(&x->err, "53200", NULL, "out of memory");
    sqlbuf_free(&check);
    sqlbuf_free(&list);
    if (!w) {
        x->finish(x, false);
        return;
    }
    x->work = (char *)w;
    x->step = STEP_PRESENT;
    x->catalog_query(x, CATALOG_PRESENT_SQL, show_next);
}
