/*
 * modelstmt.c — see modelstmt.h.
 *
 * The three statements go the same way, each step a query on the client's own session:
 *   1. is sluice's catalog in this database (CATALOG_PRESENT_SQL);
 *   2. one read-only lookup: the session's schema and search_path, whether the model exists
 *      and which relations its base tables are (CREATE), or the model's catalog row (DROP)
 *      and, for REFRESH, what the planner needs to rebuild a table model faithfully: the
 *      session's search_path, the table's owner and privileges, and what depends on it;
 *   3. the planner's statements and the catalog write, run as one script, so the model's
 *      relation and its catalog rows change together or not at all. EXPLAIN shows that
 *      script instead of running it.
 */
#include "modelstmt.h"
#include "bind.h"
#include "catalog.h"
#include "quote.h"
#include "script.h"
#include "sqlbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* schema.table of a relation, as the catalog's base_tables spells it. */
#define RELATION_NAME "format('%I.%I', n.nspname, c.relname)"

/*
 * CREATE's lookup, column 2: the session's search_path as the schemas it resolves to (so
 * "$user" is the creator's, and a schema created later cannot capture a name), with the
 * session's own temporary schema as pg_temp.
 */
#define SEARCH_PATH_SQL                                                                            \
    "(SELECT coalesce(string_agg(CASE WHEN starts_with(s, 'pg_temp_') THEN 'pg_temp' ELSE "        \
    "quote_ident(s) END, ', ' ORDER BY i), '') FROM unnest(current_schemas(false)) WITH "          \
    "ORDINALITY AS p(s, i))"
#define CREATE_SEARCH_PATH 2
#define CREATE_FIRST_BASE 3

/*
 * What keeps a table (c) from being dropped, so that a refresh cannot swap in a new one:
 * views and materialized views reading it, tables whose foreign keys reference it, anything
 * else depending on it or on its row type; not its own rules and constraints. As a list of
 * names, NULL when there is nothing.
 */
#define DEPENDENT_VIEW                                                                             \
    "(SELECT format('%I.%I', vn.nspname, v.relname) FROM pg_rewrite w JOIN pg_class v ON v.oid = " \
    "w.ev_class JOIN pg_namespace vn ON vn.oid = v.relnamespace WHERE w.oid = d.objid AND "        \
    "w.ev_class <> c.oid)"
#define DEPENDENT_TABLE                                                                            \
    "(SELECT format('%I.%I', vn.nspname, v.relname) FROM pg_constraint k JOIN pg_class v ON "      \
    "v.oid = k.conrelid JOIN pg_namespace vn ON vn.oid = v.relnamespace WHERE k.oid = d.objid "    \
    "AND k.conrelid <> c.oid)"
#define DEPENDENTS_SQL                                                                             \
    "(SELECT string_agg(DISTINCT o, ', ' ORDER BY o) FROM (SELECT CASE d.classid WHEN "            \
    "'pg_rewrite'::regclass THEN " DEPENDENT_VIEW                                                  \
    " WHEN 'pg_constraint'::regclass THEN " DEPENDENT_TABLE                                        \
    " ELSE pg_describe_object(d.classid, d.objid, d.objsubid) END AS o FROM "                      \
    "pg_depend d WHERE d.deptype = 'n' AND (d.refclassid, d.refobjid) IN (('pg_class'::regclass, " \
    "c.oid), ('pg_type'::regclass, c.reltype))) AS deps)"

/*
 * REFRESH's lookup: the model's row and the session's search_path; for a table model also
 * what depends on the table, its owner when that is not the current user, and one row per
 * privilege granted on it (PUBLIC first, then by grantee; the owner's own are implicit).
 * A model whose table has no grants has one row, with NULL there.
 */
#define REFRESH_LOOKUP_SQL                                                                         \
    "SELECT m.schema_name, m.definition, m.search_path, "                                          \
    "current_setting('search_path'), " DEPENDENTS_SQL                                              \
    ", nullif(pg_get_userbyid(c.relowner), current_user), g.grantee, "                             \
    "g.privilege_type, g.is_grantable FROM sluice.model m LEFT JOIN pg_class c ON "                \
    "m.materialized = 'table' AND c.oid = to_regclass(format('%I.%I', m.schema_name, m.name)) "    \
    "LEFT JOIN LATERAL (SELECT CASE WHEN a.grantee <> 0 THEN pg_get_userbyid(a.grantee) END AS "   \
    "grantee, a.privilege_type, a.is_grantable FROM aclexplode(c.relacl) a WHERE a.grantee <> "    \
    "c.relowner ORDER BY a.grantee <> 0, 1, a.is_grantable DESC, a.privilege_type) g ON true "     \
    "WHERE m.name = "

enum refresh_column {
    REFRESH_SCHEMA,
    REFRESH_DEFINITION,
    REFRESH_SEARCH_PATH,
    REFRESH_SESSION_PATH,
    REFRESH_DEPENDENTS,
    REFRESH_OWNER,
    REFRESH_GRANTEE,
    REFRESH_PRIVILEGE,
    REFRESH_GRANTABLE
};

/* What a statement keeps between its queries (x->state). */
typedef struct model_state {
    stmt_base b; /* first: see stmt_start */
    const char *name;
    sl_parse_result stored; /* REFRESH: the model's definition, from the catalog */
    char **sortkey;         /* the sortkey option's names */
    size_t nsortkey;
    char **distkey; /* the distkey option's name */
} model_state;

static void state_free(void *p)
{
    model_state *ms = p;
    stmt_base_free(&ms->b);
    sl_parse_free(ms->stored);
    bind_names_free(ms->sortkey);
    bind_names_free(ms->distkey);
    free(ms);
}

static void out_of_memory(sl_exec *x)
{
    sl_error_set(&x->err, "53200", NULL, "out of memory");
    x->finish(x, false);
}

/* A relation name, quoted as PostgreSQL reads it, as a literal (for to_regclass). */
static bool relation_lit(sqlbuf *b, const sl_qname *q, sl_error *err)
{
    sqlbuf name = {0};
    bool ok = !q->schema || quote_ident(&name, &script_catalog_sql, q->schema, err);
    if (ok && q->schema)
        sqlbuf_putc(&name, '.');
    ok = ok && quote_ident(&name, &script_catalog_sql, q->name, err) && !name.oom &&
         script_literal(b, name.data, err);
    sqlbuf_free(&name);
    if (!ok && !err->position)
        err->position = q->position;
    return ok;
}

/* ---- step 2: the lookup ---- */

static bool lookup_sql(const model_state *ms, sqlbuf *b, sl_error *err)
{
    if (ms->b.st->kind == SL_STMT_REFRESH_MODEL) {
        sqlbuf_puts(b, REFRESH_LOOKUP_SQL);
        return script_literal(b, ms->name, err);
    }
    if (ms->b.st->kind == SL_STMT_DROP_MODEL) {
        sqlbuf_puts(b, "SELECT m.schema_name, m.materialized, (SELECT d.name FROM sluice.model d"
                       " WHERE d.name <> m.name AND format('%I.%I', m.schema_name, m.name) ="
                       " ANY (d.base_tables) ORDER BY d.name LIMIT 1)"
                       " FROM sluice.model m WHERE m.name = ");
        return script_literal(b, ms->name, err);
    }
    /* CREATE: the session's schema, whether the name is taken, the session's search_path,
     * each base table's relation */
    const sl_qnames *bases = &ms->b.st->u.create_model.base_tables;
    sqlbuf_puts(b, "SELECT current_schema(), EXISTS (SELECT FROM sluice.model WHERE name = ");
    bool ok = script_literal(b, ms->name, err);
    sqlbuf_puts(b, "), " SEARCH_PATH_SQL);
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
/* The planner's view of a model defined by m, in schema. */
static bool model_of(model_state *ms, const sl_create_model *m, const char *schema, plan_model *pm)
{
    const sl_option *distkey = sl_options_get(&m->options, "distkey");
    const sl_option *sortkey = sl_options_get(&m->options, "sortkey");
    size_t ndistkey = 0;
    if ((distkey && !(ms->distkey = bind_option_names(distkey, &ndistkey))) ||
        (sortkey && !(ms->sortkey = bind_option_names(sortkey, &ms->nsortkey))))
        return false;
    *pm = (plan_model){.name = m->name,
                       .schema = schema,
                       .materialized = m->materialized == SL_MATERIALIZE_TABLE ? PLAN_MODEL_TABLE
                                                                               : PLAN_MODEL_VIEW,
                       .select_sql = m->select,
                       .distkey = ndistkey ? ms->distkey[0] : NULL,
                       .sortkey = (const char *const *)ms->sortkey,
                       .nsortkey = ms->nsortkey};
    return true;
}

/* The CommandComplete tag of the statement. */
static const char *tag_of(const model_state *ms)
{
    return ms->b.explain                             ? "EXPLAIN"
           : ms->b.st->kind == SL_STMT_CREATE_MODEL  ? "CREATE MODEL"
           : ms->b.st->kind == SL_STMT_REFRESH_MODEL ? "REFRESH MODEL"
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
        ms->b.st->kind == SL_STMT_CREATE_MODEL) {
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
    if (ms->b.explain) {
        script_explain(x, &ms->b.sc.plan);
        x->finish(x, true);
        return;
    }
    script_run(x, &ms->b.sc, script_ran);
}

/* The plan's statements, then the catalog SQL in b; false with x->err set. */
static bool script_plan(sl_exec *x, model_state *ms, const plan_model *pm, sqlbuf *b)
{
    bool ok = ms->b.st->kind == SL_STMT_CREATE_MODEL
                  ? plan_model_create(&ms->b.target, pm, &ms->b.sc.plan, &x->err)
              : ms->b.st->kind == SL_STMT_REFRESH_MODEL
                  ? plan_model_refresh(&ms->b.target, pm, &ms->b.sc.plan, &x->err)
                  : plan_model_drop(&ms->b.target, pm, &ms->b.sc.plan, &x->err);
    if (!ok)
        return false;
    script_for_session(&ms->b.sc.plan);
    if (b->oom || !script_add(&ms->b.sc, b->data)) {
        sl_error_set(&x->err, "53200", NULL, "out of memory");
        return false;
    }
    if (ms->b.target.dialect == PLAN_REDSHIFT) /* the catalog is apart from the warehouse */
        ms->b.sc.plan.stmts[ms->b.sc.plan.n - 1].flags |= SCRIPT_CATALOG;
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

/* INSERT INTO sluice.model for m, in schema, reading the search_path and the resolved base
 * tables of r. */
static bool model_insert(sqlbuf *b, const sl_stmt *st, const char *schema, const sl_result *r,
                         sl_error *err)
{
    const sl_create_model *m = &st->u.create_model;
    char *definition = sl_stmt_to_sql(st);
    sqlbuf_puts(b, "INSERT INTO sluice.model (name, definition, schema_name, search_path, "
                   "materialized, refresh, refresh_every, select_sql, base_tables, options, "
                   "incremental, not_incremental_because) VALUES (");
    bool ok = definition && script_literal(b, m->name, err);
    sqlbuf_puts(b, ", ");
    ok = ok && script_literal(b, definition, err);
    free(definition);
    sqlbuf_puts(b, ", ");
    ok = ok && script_literal(b, schema, err);
    sqlbuf_puts(b, ", ");
    ok = ok && script_literal(b, sl_result_get(r, 0, CREATE_SEARCH_PATH), err);
    sqlbuf_puts(b, m->materialized == SL_MATERIALIZE_TABLE ? ", 'table', " : ", 'view', ");
    sqlbuf_puts(b, m->refresh == SL_REFRESH_EVERY    ? "'every', "
                   : m->refresh == SL_REFRESH_MANUAL ? "'manual', NULL, "
                                                     : "'on change', NULL, ");
    if (m->refresh == SL_REFRESH_EVERY) {
        ok = ok && script_literal(b, m->every, err);
        sqlbuf_puts(b, ", ");
    }
    ok = ok && script_literal(b, m->select, err);
    sqlbuf_puts(b, ", ARRAY[");
    for (int i = 0; ok && i < m->base_tables.n; i++) {
        sqlbuf_puts(b, i ? ", " : "");
        ok = script_literal(b, sl_result_get(r, 0, CREATE_FIRST_BASE + i), err);
    }
    sqlbuf_puts(b, "]::text[], jsonb_build_object(");
    for (int i = 0; ok && i < m->options.n; i++) {
        sqlbuf_puts(b, i ? ", " : "");
        ok = script_literal(b, m->options.items[i].name, err);
        sqlbuf_puts(b, ", ");
        ok = ok && script_literal(b, m->options.items[i].value.text, err);
    }
    sqlbuf_puts(b, "), false, ");
    ok = ok && script_literal(b, incremental_because(m), err);
    sqlbuf_puts(b, ")");
    if (!definition)
        sl_error_set(err, "53200", NULL, "out of memory");
    return ok;
}

static void create_looked_up(sl_exec *x, model_state *ms, const sl_result *r)
{
    sl_create_model *m = &ms->b.st->u.create_model;
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
        if (sl_result_get(r, 0, CREATE_FIRST_BASE + i))
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
    bool ok = pm.materialized == PLAN_MODEL_VIEW ||
              plan_model_refresh(&ms->b.target, &pm, &swap, &x->err);
    plan_out_free(&swap);
    m->if_not_exists = false; /* the catalog keeps the definition, not how it was given */
    sqlbuf b = {0};
    ok = ok && model_insert(&b, ms->b.st, schema, r, &x->err) && script_plan(x, ms, &pm, &b);
    sqlbuf_free(&b);
    if (!ok) {
        x->finish(x, false);
        return;
    }
    if (ms->b.target.dialect == PLAN_POSTGRES)
        for (int i = 0; i < m->options.n; i++)
            if (strcmp(m->options.items[i].name, "incremental") != 0)
                script_notice(x,
                              "option \"%s\" is a Redshift table attribute; ignored on "
                              "PostgreSQL",
                              m->options.items[i].name);
    script_go(x, ms);
}

/* The privileges of the lookup's rows (r's strings, not copied); NULL when out of memory. */
static plan_grant *grants_of(const sl_result *r, size_t *n)
{
    plan_grant *grants = calloc(r->nrows ? (size_t)r->nrows : 1, sizeof(*grants));
    *n = 0;
    for (int i = 0; grants && i < r->nrows; i++) {
        const char *privilege = sl_result_get(r, i, REFRESH_PRIVILEGE);
        const char *grantable = sl_result_get(r, i, REFRESH_GRANTABLE);
        if (privilege)
            grants[(*n)++] = (plan_grant){.grantee = sl_result_get(r, i, REFRESH_GRANTEE),
                                          .privilege = privilege,
                                          .grant_option = grantable && strcmp(grantable, "t") == 0};
    }
    return grants;
}

/* The refresh's record, with the model's row count, read in the same transaction. */
static bool refresh_record(sqlbuf *b, const model_state *ms, const char *schema, sl_error *err)
{
    sqlbuf_puts(b, "INSERT INTO sluice.model_refresh (model, kind, status, finished_at, rows) "
                   "SELECT ");
    bool ok = script_literal(b, ms->name, err);
    sqlbuf_puts(b, ", 'full', 'succeeded', clock_timestamp(), count(*) FROM ");
    ok = ok && quote_ident(b, &script_catalog_sql, schema, err);
    sqlbuf_puts(b, ".");
    return ok && quote_ident(b, &script_catalog_sql, ms->name, err);
}

static void refresh_looked_up(sl_exec *x, model_state *ms, const sl_result *r)
{
    const char *schema = sl_result_get(r, 0, REFRESH_SCHEMA);
    const char *definition = sl_result_get(r, 0, REFRESH_DEFINITION);
    const char *dependents = sl_result_get(r, 0, REFRESH_DEPENDENTS);
    if (definition)
        ms->stored = sl_parse(definition);
    if (!ms->stored.stmt || ms->stored.stmt->kind != SL_STMT_CREATE_MODEL) {
        sl_error_set(&x->err, "XX000", "DROP MODEL it and create it again.",
                     "the stored definition of model \"%s\" does not parse", ms->name);
        x->finish(x, false);
        return;
    }
    plan_model pm;
    plan_grant *grants = NULL;
    if (!model_of(ms, &ms->stored.stmt->u.create_model, schema, &pm) ||
        !(grants = grants_of(r, &pm.ngrants))) {
        out_of_memory(x);
        return;
    }
    pm.grants = grants;
    pm.search_path = sl_result_get(r, 0, REFRESH_SEARCH_PATH);
    pm.session_search_path = sl_result_get(r, 0, REFRESH_SESSION_PATH);
    pm.owner = sl_result_get(r, 0, REFRESH_OWNER);
    pm.in_place = dependents != NULL; /* only ever found for a table model */
    sqlbuf b = {0};
    bool ok = refresh_record(&b, ms, schema, &x->err) && script_plan(x, ms, &pm, &b);
    sqlbuf_free(&b);
    free(grants);
    if (!ok) {
        x->finish(x, false);
        return;
    }
    if (pm.in_place)
        script_notice(x,
                      "model \"%s\" is refreshed in place, its rows replaced, because other "
                      "objects depend on its table: %s",
                      ms->name, dependents);
    script_go(x, ms);
}

static void drop_looked_up(sl_exec *x, model_state *ms, const sl_result *r)
{
    const char *schema = sl_result_get(r, 0, 0), *kind = sl_result_get(r, 0, 1);
    const char *reader = sl_result_get(r, 0, 2);
    if (reader) {
        sqlbuf hint = {0};
        sqlbuf_puts(&hint, "DROP MODEL ");
        quote_ident(&hint, &script_catalog_sql, reader, &x->err);
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
    bool ok = script_literal(&b, ms->name, &x->err) && script_plan(x, ms, &pm, &b);
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
    if (ms->b.st->kind == SL_STMT_CREATE_MODEL) {
        create_looked_up(x, ms, r);
        return;
    }
    if (r->nrows == 0 && ms->b.st->kind == SL_STMT_DROP_MODEL && ms->b.st->u.drop.if_exists) {
        skip(x, ms, "does not exist");
        return;
    }
    if (r->nrows == 0) {
        sl_error_set(&x->err, "42704", "SHOW MODELS lists the models there are.",
                     "model \"%s\" does not exist", ms->name);
        x->finish(x, false);
        return;
    }
    if (ms->b.st->kind == SL_STMT_REFRESH_MODEL)
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
    model_state *ms = stmt_start(x, sizeof(*ms), state_free, explain);
    if (!ms)
        return;
    ms->name = ms->b.st->kind == SL_STMT_CREATE_MODEL    ? ms->b.st->u.create_model.name
               : ms->b.st->kind == SL_STMT_REFRESH_MODEL ? ms->b.st->u.refresh_model.name
                                                         : ms->b.st->u.drop.name;
    x->query(x, CATALOG_PRESENT_SQL, catalog_checked);
}
