/*
 * modelstmt.c — see modelstmt.h.
 *
 * The three statements go the same way, each step a query on the client's own session:
 *   1. is sluice's catalog in this database (CATALOG_PRESENT_SQL);
 *   2. one read-only lookup: the session's schema, whether the model exists and which
 *      relations its base tables are (CREATE), or the model's catalog row (REFRESH, DROP);
 *   3. the planner's statements and the catalog write, run as one script, so the model's
 *      relation and its catalog rows change together or not at all. EXPLAIN shows that
 *      script instead of running it.
 */
#include "modelstmt.h"
#include "catalog.h"
#include "quote.h"
#include "script.h"
#include "sqlbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The catalog is PostgreSQL, whatever the warehouse is. */
static const plan_target catalog_sql = {.dialect = PLAN_POSTGRES};

/* schema.table of a relation, as the catalog's base_tables spells it. */
#define RELATION_NAME "format('%I.%I', n.nspname, c.relname)"

/* What a statement keeps between its queries (x->state). */
typedef struct model_state {
    sl_parse_result own; /* the statement, parsed again: the tree execute gets is the call's */
    sl_stmt *st;         /* the model statement in it (EXPLAIN's inner one) */
    const char *name;
    plan_target target;     /* where the model's own SQL is rendered */
    bool explain;           /* show the script, do not run it */
    sl_parse_result stored; /* REFRESH: the model's definition, from the catalog */
    char *keys;             /* the sortkey option, split in place */
    const char **sortkey;
    size_t nsortkey;
    script sc;
} model_state;

static void state_free(void *p)
{
    model_state *ms = p;
    sl_parse_free(ms->own);
    sl_parse_free(ms->stored);
    free(ms->keys);
    free(ms->sortkey);
    script_free(&ms->sc);
    free(ms);
}

static void out_of_memory(sl_exec *x)
{
    sl_error_set(&x->err, "53200", NULL, "out of memory");
    x->finish(x, false);
}

static bool lit(sqlbuf *b, const char *text, sl_error *err)
{
    return quote_literal(b, &catalog_sql, text, err);
}

/* A relation name, quoted as PostgreSQL reads it, as a literal (for to_regclass). */
static bool relation_lit(sqlbuf *b, const sl_qname *q, sl_error *err)
{
    sqlbuf name = {0};
    bool ok = !q->schema || quote_ident(&name, &catalog_sql, q->schema, err);
    if (ok && q->schema)
        sqlbuf_putc(&name, '.');
    ok =
        ok && quote_ident(&name, &catalog_sql, q->name, err) && !name.oom && lit(b, name.data, err);
    sqlbuf_free(&name);
    if (!ok && !err->position)
        err->position = q->position;
    return ok;
}

/* ---- step 2: the lookup ---- */

static bool lookup_sql(const model_state *ms, sqlbuf *b, sl_error *err)
{
    if (ms->st->kind == SL_STMT_REFRESH_MODEL) {
        sqlbuf_puts(b, "SELECT schema_name, definition FROM sluice.model WHERE name = ");
        return lit(b, ms->name, err);
    }
    if (ms->st->kind == SL_STMT_DROP_MODEL) {
        sqlbuf_puts(b, "SELECT m.schema_name, m.materialized, (SELECT d.name FROM sluice.model d"
                       " WHERE d.name <> m.name AND format('%I.%I', m.schema_name, m.name) ="
                       " ANY (d.base_tables) ORDER BY d.name LIMIT 1)"
                       " FROM sluice.model m WHERE m.name = ");
        return lit(b, ms->name, err);
    }
    /* CREATE: the session's schema, whether the name is taken, each base table's relation */
    const sl_qnames *bases = &ms->st->u.create_model.base_tables;
    sqlbuf_puts(b, "SELECT current_schema(), EXISTS (SELECT FROM sluice.model WHERE name = ");
    bool ok = lit(b, ms->name, err);
    sqlbuf_puts(b, ")");
    for (int i = 0; ok && i < bases->n; i++) {
        sqlbuf_puts(b, ", (SELECT " RELATION_NAME " FROM pg_class c JOIN pg_namespace n ON"
                       " n.oid = c.relnamespace WHERE c.oid = to_regclass(");
        ok = relation_lit(b, &bases->items[i], err);
        sqlbuf_puts(b, "))");
    }
    return ok;
}

/* ---- step 3: the script ---- */

/* Splits sortkey = 'a, b' into column names (kept in ms). */
static bool split_sortkey(model_state *ms, const sl_options *o)
{
    const sl_option *opt = sl_options_get(o, "sortkey");
    if (!opt)
        return true;
    size_t n = 1;
    for (const char *p = opt->value.text; *p; p++)
        n += *p == ',';
    ms->keys = strdup(opt->value.text);
    ms->sortkey = calloc(n, sizeof(*ms->sortkey));
    if (!ms->keys || !ms->sortkey)
        return false;
    char *save = NULL;
    for (char *key = strtok_r(ms->keys, ",", &save); key; key = strtok_r(NULL, ",", &save)) {
        key += strspn(key, " \t\n");
        size_t len = strlen(key);
        while (len && strchr(" \t\n", key[len - 1]))
            key[--len] = '\0';
        ms->sortkey[ms->nsortkey++] = key;
    }
    return true;
}

/* The planner's view of a model defined by m, in schema. */
static bool model_of(model_state *ms, const sl_create_model *m, const char *schema, plan_model *pm)
{
    const sl_option *distkey = sl_options_get(&m->options, "distkey");
    *pm = (plan_model){.name = m->name,
                       .schema = schema,
                       .materialized = m->materialized == SL_MATERIALIZE_TABLE ? PLAN_MODEL_TABLE
                                                                               : PLAN_MODEL_VIEW,
                       .select_sql = m->select,
                       .distkey = distkey ? distkey->value.text : NULL};
    if (!split_sortkey(ms, &m->options))
        return false;
    pm->sortkey = ms->sortkey;
    pm->nsortkey = ms->nsortkey;
    return true;
}

/* The CommandComplete tag of the statement. */
static const char *tag_of(const model_state *ms)
{
    return ms->explain                             ? "EXPLAIN"
           : ms->st->kind == SL_STMT_CREATE_MODEL  ? "CREATE MODEL"
           : ms->st->kind == SL_STMT_REFRESH_MODEL ? "REFRESH MODEL"
                                                   : "DROP MODEL";
}

/* IF [NOT] EXISTS found nothing to do: a NOTICE, and success. */
static void skip(sl_exec *x, const model_state *ms, const char *why)
{
    script_notice(x, "model \"%s\" %s, skipping", ms->name, why);
    wire_put_command_complete(x->out, tag_of(ms));
    x->finish(x, true);
}

static void script_ran(sl_exec *x, const sl_result *r)
{
    const model_state *ms = x->state;
    if (r->failed && strcmp(r->err.sqlstate, "23505") == 0 &&
        ms->st->kind == SL_STMT_CREATE_MODEL) {
        /* another session created it since the lookup */
        sl_error_set(&x->err, "42710", "Choose another name, or DROP MODEL it first.",
                     "model \"%s\" already exists", ms->name);
        x->finish(x, false);
        return;
    }
    if (r->failed) {
        script_fail(x, r);
        return;
    }
    wire_put_command_complete(x->out, tag_of(ms));
    x->finish(x, true);
}

/* Ends the statement with its script: shown (EXPLAIN) or run. */
static void script_go(sl_exec *x, model_state *ms)
{
    if (ms->explain) {
        script_explain(x, &ms->sc.plan);
        x->finish(x, true);
        return;
    }
    script_run(x, &ms->sc, script_ran);
}

/* The plan's statements, then the catalog SQL in b; false with x->err set. */
static bool script_plan(sl_exec *x, model_state *ms, const plan_model *pm, sqlbuf *b)
{
    bool ok = ms->st->kind == SL_STMT_CREATE_MODEL
                  ? plan_model_create(&ms->target, pm, &ms->sc.plan, &x->err)
              : ms->st->kind == SL_STMT_REFRESH_MODEL
                  ? plan_model_refresh(&ms->target, pm, &ms->sc.plan, &x->err)
                  : plan_model_drop(&ms->target, pm, &ms->sc.plan, &x->err);
    if (!ok)
        return false;
    script_for_session(&ms->sc.plan);
    if (b->oom || !script_add(&ms->sc, b->data)) {
        sl_error_set(&x->err, "53200", NULL, "out of memory");
        return false;
    }
    return true;
}

static const char *incremental_because(const sl_create_model *m)
{
    const sl_option *o = sl_options_get(&m->options, "incremental");
    if (o && strcmp(o->value.text, "off") == 0)
        return "incremental = off: every refresh recomputes the model";
    return "sluice does not refresh models incrementally yet: every refresh recomputes the "
           "model";
}

/* INSERT INTO sluice.model for m, in schema, reading the resolved base tables of r. */
static bool model_insert(sqlbuf *b, const sl_stmt *st, const char *schema, const sl_result *r,
                         sl_error *err)
{
    const sl_create_model *m = &st->u.create_model;
    char *definition = sl_stmt_to_sql(st);
    sqlbuf_puts(b, "INSERT INTO sluice.model (name, definition, schema_name, materialized, "
                   "refresh, refresh_every, select_sql, base_tables, options, incremental, "
                   "not_incremental_because) VALUES (");
    bool ok = definition && lit(b, m->name, err);
    sqlbuf_puts(b, ", ");
    ok = ok && lit(b, definition, err);
    free(definition);
    sqlbuf_puts(b, ", ");
    ok = ok && lit(b, schema, err);
    sqlbuf_puts(b, m->materialized == SL_MATERIALIZE_TABLE ? ", 'table', " : ", 'view', ");
    sqlbuf_puts(b, m->refresh == SL_REFRESH_EVERY    ? "'every', "
                   : m->refresh == SL_REFRESH_MANUAL ? "'manual', NULL, "
                                                     : "'on change', NULL, ");
    if (m->refresh == SL_REFRESH_EVERY) {
        ok = ok && lit(b, m->every, err);
        sqlbuf_puts(b, ", ");
    }
    ok = ok && lit(b, m->select, err);
    sqlbuf_puts(b, ", ARRAY[");
    for (int i = 0; ok && i < m->base_tables.n; i++) {
        sqlbuf_puts(b, i ? ", " : "");
        ok = lit(b, sl_result_get(r, 0, 2 + i), err);
    }
    sqlbuf_puts(b, "]::text[], jsonb_build_object(");
    for (int i = 0; ok && i < m->options.n; i++) {
        sqlbuf_puts(b, i ? ", " : "");
        ok = lit(b, m->options.items[i].name, err);
        sqlbuf_puts(b, ", ");
        ok = ok && lit(b, m->options.items[i].value.text, err);
    }
    sqlbuf_puts(b, "), false, ");
    ok = ok && lit(b, incremental_because(m), err);
    sqlbuf_puts(b, ")");
    if (!definition)
        sl_error_set(err, "53200", NULL, "out of memory");
    return ok;
}

static void create_looked_up(sl_exec *x, model_state *ms, const sl_result *r)
{
    sl_create_model *m = &ms->st->u.create_model;
    const char *schema = sl_result_get(r, 0, 0), *taken = sl_result_get(r, 0, 1);
    if (!schema) {
        sl_error_set(&x->err, "3F000", "SET search_path to the schema the model belongs in.",
                     "no schema has been selected to create in");
        x->finish(x, false);
        return;
    }
    if (taken && strcmp(taken, "t") == 0 && m->if_not_exists) {
        skip(x, ms, "already exists");
        return;
    }
    if (taken && strcmp(taken, "t") == 0) {
        sl_error_set(&x->err, "42710", "Choose another name, or DROP MODEL it first.",
                     "model \"%s\" already exists", m->name);
        x->finish(x, false);
        return;
    }
    for (int i = 0; i < m->base_tables.n; i++) {
        const sl_qname *q = &m->base_tables.items[i];
        if (sl_result_get(r, 0, 2 + i))
            continue;
        sl_error_set(&x->err, "42P01", NULL, "relation \"%s%s%s\" does not exist",
                     q->schema ? q->schema : "", q->schema ? "." : "", q->name);
        x->err.position = q->position;
        x->finish(x, false);
        return;
    }
    plan_model pm;
    if (!model_of(ms, m, schema, &pm)) {
        out_of_memory(x);
        return;
    }
    pm.schema_exists = true; /* current_schema() names an existing schema */
    /* a table model is rebuilt as name__new: refuse now a name that could never refresh */
    plan_out swap = {0};
    bool ok =
        pm.materialized == PLAN_MODEL_VIEW || plan_model_refresh(&ms->target, &pm, &swap, &x->err);
    plan_out_free(&swap);
    m->if_not_exists = false; /* the catalog keeps the definition, not how it was given */
    sqlbuf b = {0};
    ok = ok && model_insert(&b, ms->st, schema, r, &x->err) && script_plan(x, ms, &pm, &b);
    sqlbuf_free(&b);
    if (!ok) {
        x->finish(x, false);
        return;
    }
    if (ms->target.dialect == PLAN_POSTGRES)
        for (int i = 0; i < m->options.n; i++)
            if (strcmp(m->options.items[i].name, "incremental") != 0)
                script_notice(x,
                              "option \"%s\" is a Redshift table attribute; ignored on "
                              "PostgreSQL",
                              m->options.items[i].name);
    script_go(x, ms);
}

static void refresh_looked_up(sl_exec *x, model_state *ms, const sl_result *r)
{
    const char *schema = sl_result_get(r, 0, 0), *definition = sl_result_get(r, 0, 1);
    if (definition)
        ms->stored = sl_parse(definition);
    if (!ms->stored.stmt || ms->stored.stmt->kind != SL_STMT_CREATE_MODEL) {
        sl_error_set(&x->err, "XX000", "DROP MODEL it and create it again.",
                     "the stored definition of model \"%s\" does not parse", ms->name);
        x->finish(x, false);
        return;
    }
    plan_model pm;
    if (!model_of(ms, &ms->stored.stmt->u.create_model, schema, &pm)) {
        out_of_memory(x);
        return;
    }
    /* the refresh's record, with the model's row count, read in the same transaction */
    sqlbuf b = {0};
    sqlbuf_puts(&b, "INSERT INTO sluice.model_refresh (model, kind, status, finished_at, rows) "
                    "SELECT ");
    bool ok = lit(&b, ms->name, &x->err);
    sqlbuf_puts(&b, ", 'full', 'succeeded', clock_timestamp(), count(*) FROM ");
    ok = ok && quote_ident(&b, &catalog_sql, schema, &x->err);
    sqlbuf_puts(&b, ".");
    ok = ok && quote_ident(&b, &catalog_sql, ms->name, &x->err) && script_plan(x, ms, &pm, &b);
    sqlbuf_free(&b);
    if (!ok) {
        x->finish(x, false);
        return;
    }
    script_go(x, ms);
}

static void drop_looked_up(sl_exec *x, model_state *ms, const sl_result *r)
{
    const char *schema = sl_result_get(r, 0, 0), *kind = sl_result_get(r, 0, 1);
    const char *reader = sl_result_get(r, 0, 2);
    if (reader) {
        sqlbuf hint = {0};
        sqlbuf_puts(&hint, "DROP MODEL ");
        quote_ident(&hint, &catalog_sql, reader, &x->err);
        sqlbuf_puts(&hint, " first.");
        sl_error_set(&x->err, "2BP01", hint.oom ? NULL : hint.data,
                     "cannot drop model \"%s\" because model \"%s\" reads it", ms->name, reader);
        sqlbuf_free(&hint);
        x->finish(x, false);
        return;
    }
    plan_model pm = {.name = ms->name,
                     .schema = schema,
                     .materialized =
                         strcmp(kind, "table") == 0 ? PLAN_MODEL_TABLE : PLAN_MODEL_VIEW};
    sqlbuf b = {0};
    sqlbuf_puts(&b, "DELETE FROM sluice.model WHERE name = ");
    bool ok = lit(&b, ms->name, &x->err) && script_plan(x, ms, &pm, &b);
    sqlbuf_free(&b);
    if (!ok) {
        x->finish(x, false);
        return;
    }
    script_go(x, ms);
}

static void looked_up(sl_exec *x, const sl_result *r)
{
    model_state *ms = x->state;
    if (r->failed) {
        script_fail(x, r);
        return;
    }
    if (ms->st->kind == SL_STMT_CREATE_MODEL) {
        create_looked_up(x, ms, r);
        return;
    }
    if (r->nrows == 0 && ms->st->kind == SL_STMT_DROP_MODEL && ms->st->u.drop.if_exists) {
        skip(x, ms, "does not exist");
        return;
    }
    if (r->nrows == 0) {
        sl_error_set(&x->err, "42704", "SHOW MODELS lists the models there are.",
                     "model \"%s\" does not exist", ms->name);
        x->finish(x, false);
        return;
    }
    if (ms->st->kind == SL_STMT_REFRESH_MODEL)
        refresh_looked_up(x, ms, r);
    else
        drop_looked_up(x, ms, r);
}

/* ---- step 1 ---- */

static void catalog_checked(sl_exec *x, const sl_result *r)
{
    if (!script_catalog_present(x, r, "models"))
        return;
    sqlbuf b = {0};
    bool ok = lookup_sql(x->state, &b, &x->err);
    if (ok && b.oom) {
        sl_error_set(&x->err, "53200", NULL, "out of memory");
        ok = false;
    }
    if (ok)
        x->query(x, b.data, looked_up);
    else
        x->finish(x, false);
    sqlbuf_free(&b);
}

void modelstmt_execute(sl_exec *x, const sl_stmt *st, const sl_explain *explain)
{
    if (script_target(NULL).dialect == PLAN_REDSHIFT) {
        sl_error_set(&x->err, "0A000",
                     "With dialect redshift, sluice's catalog lives in the database the "
                     "catalog setting names, where this version cannot keep models yet.",
                     "%s is not supported with dialect redshift yet", classify_label(st->kind));
        x->finish(x, false);
        return;
    }
    model_state *ms = calloc(1, sizeof(*ms));
    if (!ms) {
        out_of_memory(x);
        return;
    }
    x->state = ms;
    x->state_free = state_free;
    ms->own = sl_parse_len(x->sql, x->len);
    if (!ms->own.stmt) {
        out_of_memory(x); /* it parsed a moment ago: only memory can be missing */
        return;
    }
    ms->st = explain ? ms->own.stmt->u.explain.stmt : ms->own.stmt;
    ms->name = ms->st->kind == SL_STMT_CREATE_MODEL    ? ms->st->u.create_model.name
               : ms->st->kind == SL_STMT_REFRESH_MODEL ? ms->st->u.refresh_model.name
                                                       : ms->st->u.drop.name;
    ms->target = script_target(explain);
    ms->explain = explain != NULL;
    x->query(x, CATALOG_PRESENT_SQL, catalog_checked);
}
