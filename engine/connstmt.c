/*
 * connstmt.c — CREATE / ALTER / DROP CONNECTION as catalog writes: on the client's session
 * (dialect postgres), or on the catalog's own connection (dialect redshift).
 */
#include "connstmt.h"
#include "catalog.h"
#include "quote.h"
#include "script.h"
#include "secret.h"
#include "sqlbuf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const secret_options[] = {
    "secret_access_key",
    "session_token",
    "password",
    "bearer_token",
    "headers", /* may carry an Authorization header */
    "dsn",     /* may carry password=… */
    NULL,
};

bool connstmt_is_secret(const char *option)
{
    for (int i = 0; secret_options[i]; i++)
        if (strcmp(option, secret_options[i]) == 0)
            return true;
    return false;
}

/* What the statement needs after its SQL is built: one allocation, freed by the session. */
typedef struct conn_work {
    bool quiet;      /* IF [NOT] EXISTS */
    size_t name_off; /* the connection's name follows the SQL in text */
    char text[];
} conn_work;

static const char *work_name(const sl_exec *x)
{
    const conn_work *w = (const conn_work *)x->work;
    return w->text + w->name_off;
}

/* {"option": value, …} of the options that are secrets (sealed) or are not. */
static bool options_json(sqlbuf *b, const char *conn, const sl_options *o, bool secrets,
                         bool explain, sl_error *err)
{
    const secret_key *key = secret_key_current();
    int n = 0;
    sqlbuf_putc(b, '{');
    for (int i = 0; i < o->n; i++) {
        const sl_option *opt = &o->items[i];
        if (connstmt_is_secret(opt->name) != secrets)
            continue;
        sqlbuf_puts(b, n++ ? ", " : "");
        script_json_string(b, opt->name);
        sqlbuf_puts(b, ": ");
        if (secrets && explain) {
            script_json_string(b, "********");
            continue;
        }
        if (!secrets) {
            script_json_value(b, &opt->value);
            continue;
        }
        if (!key) {
            sl_error_set(err, "22023",
                         "Create a key with: openssl rand -base64 32 > FILE && chmod 600 FILE, "
                         "then set secret_key_file = FILE in sluice's configuration.",
                         "option \"%s\" is a secret, and setting secret_key_file is not set",
                         opt->name);
            return false;
        }
        char context[512];
        snprintf(context, sizeof(context), "connection %s/%s", conn, opt->name);
        char *sealed = secret_seal(key, context, opt->value.text);
        if (!sealed) {
            sl_error_set(err, "XX000", NULL, "could not seal option \"%s\"", opt->name);
            return false;
        }
        script_json_string(b, sealed);
        free(sealed);
    }
    sqlbuf_putc(b, '}');
    return true;
}

/* The catalog write for st, into b. */
static bool build_sql(sqlbuf *b, const sl_stmt *st, bool explain, sl_error *err)
{
    sqlbuf opts = {0}, secs = {0};
    bool ok = true;
    if (st->kind == SL_STMT_CREATE_CONNECTION) {
        const sl_create_connection *c = &st->u.create_connection;
        ok = options_json(&opts, c->name, &c->options, false, explain, err) &&
             options_json(&secs, c->name, &c->options, true, explain, err);
        sqlbuf_puts(b, "INSERT INTO sluice.connection (name, kind, options, secrets) VALUES (");
        ok = ok && script_literal(b, c->name, err);
        sqlbuf_puts(b, ", ");
        char kind[16];
        snprintf(kind, sizeof(kind), "%s", sl_conn_kind_name(c->kind));
        for (char *k = kind; *k; k++)
            *k = (char)tolower((unsigned char)*k); /* the catalog spells kinds in lower case */
        ok = ok && script_literal(b, kind, err);
        sqlbuf_puts(b, ", ");
        ok = ok && opts.data && script_literal(b, opts.data, err);
        sqlbuf_puts(b, "::jsonb, ");
        ok = ok && secs.data && script_literal(b, secs.data, err);
        sqlbuf_puts(b, "::jsonb)");
        if (c->if_not_exists)
            sqlbuf_puts(b, " ON CONFLICT (name) DO NOTHING");
    } else if (st->kind == SL_STMT_ALTER_CONNECTION) {
        const sl_alter *a = &st->u.alter;
        ok = options_json(&opts, a->name, &a->options, false, explain, err) &&
             options_json(&secs, a->name, &a->options, true, explain, err);
        sqlbuf_puts(b, "UPDATE sluice.connection SET options = options || ");
        ok = ok && script_literal(b, opts.data, err);
        sqlbuf_puts(b, "::jsonb, secrets = secrets || ");
        ok = ok && script_literal(b, secs.data, err);
        sqlbuf_puts(b, "::jsonb, updated_at = now() WHERE name = ");
        ok = ok && script_literal(b, a->name, err);
    } else {
        sqlbuf_puts(b, "DELETE FROM sluice.connection WHERE name = ");
        ok = script_literal(b, st->u.drop.name, err);
    }
    sqlbuf_free(&opts);
    sqlbuf_free(&secs);
    return ok && !b->oom;
}

static void written(sl_exec *x, const sl_result *r)
{
    const char *name = work_name(x);
    bool quiet = ((const conn_work *)x->work)->quiet;
    if (r->failed) {
        x->err = r->err;
        const char *code = r->err.sqlstate;
        if (strcmp(code, "23505") == 0)
            sl_error_set(&x->err, "42710", "Choose another name, or ALTER CONNECTION it.",
                         "connection \"%s\" already exists", name);
        else if (strcmp(code, "23503") == 0)
            sl_error_set(&x->err, "2BP01",
                         "DROP or change the pipelines and shares using it first.",
                         "connection \"%s\" is used by a pipeline or a share", name);
        x->finish(x, false);
        return;
    }
    long rows = script_tag_rows(r->tag);
    const char *tag = x->kind == SL_STMT_CREATE_CONNECTION  ? "CREATE CONNECTION"
                      : x->kind == SL_STMT_ALTER_CONNECTION ? "ALTER CONNECTION"
                                                            : "DROP CONNECTION";
    if (rows == 0 && x->kind == SL_STMT_CREATE_CONNECTION) {
        script_notice(x, "connection \"%s\" already exists, skipping", name);
    } else if (rows == 0 && quiet) {
        script_notice(x, "connection \"%s\" does not exist, skipping", name);
    } else if (rows == 0) {
        sl_error_set(&x->err, "42704", "SHOW CONNECTIONS lists the connections there are.",
                     "connection \"%s\" does not exist", name);
        x->finish(x, false);
        return;
    }
    wire_put_command_complete(x->out, tag);
    x->finish(x, true);
}

static void catalog_checked(sl_exec *x, const sl_result *r)
{
    if (script_catalog_present(x, r, "connections"))
        x->catalog_query(x, ((const conn_work *)x->work)->text, written);
}

/* EXPLAIN: the catalog write the statement sends, secrets masked; nothing sent. */
static void explain(sl_exec *x, const sl_stmt *st, const sl_explain *e)
{
    sqlbuf b = {0};
    script sc = {0};
    bool ok = build_sql(&b, st, true, &x->err);
    if (ok && !script_add(&sc, b.data)) {
        sl_error_set(&x->err, "53200", NULL, "out of memory");
        ok = false;
    }
    for (size_t i = 0; ok && script_target(e).dialect == PLAN_REDSHIFT && i < sc.plan.n; i++)
        sc.plan.stmts[i].flags |= SCRIPT_CATALOG; /* the catalog is apart from Redshift */
    if (ok)
        script_explain(x, &sc.plan);
    sqlbuf_free(&b);
    script_free(&sc);
    x->finish(x, ok);
}

void connstmt_execute(sl_exec *x, const sl_stmt *st, const sl_explain *for_explain)
{
    if (for_explain) {
        explain(x, st, for_explain);
        return;
    }
    if (x->catalog_apart && x->txn != 'I') {
        /* the write commits at once in another database: a ROLLBACK could not undo it */
        sl_error_set(&x->err, "25001",
                     "With dialect redshift, connections are kept in sluice's catalog database "
                     "and written there at once, apart from the warehouse's transaction: run "
                     "the statement outside BEGIN … COMMIT, on its own.",
                     "%s cannot run inside a transaction block", classify_label(x->kind));
        x->finish(x, false);
        return;
    }
    sqlbuf b = {0};
    if (!build_sql(&b, st, false, &x->err)) {
        sqlbuf_free(&b);
        x->finish(x, false);
        return;
    }
    const char *name = st->kind == SL_STMT_CREATE_CONNECTION  ? st->u.create_connection.name
                       : st->kind == SL_STMT_ALTER_CONNECTION ? st->u.alter.name
                                                              : st->u.drop.name;
    size_t sql_len = b.len, name_len = strlen(name);
    conn_work *w = malloc(sizeof(*w) + sql_len + 1 + name_len + 1);
    if (!w) {
        sqlbuf_free(&b);
        sl_error_set(&x->err, "53200", NULL, "out of memory");
        x->finish(x, false);
        return;
    }
    w->quiet = (st->kind == SL_STMT_CREATE_CONNECTION && st->u.create_connection.if_not_exists) ||
               (st->kind == SL_STMT_DROP_CONNECTION && st->u.drop.if_exists);
    memcpy(w->text, b.data, sql_len + 1);
    w->name_off = sql_len + 1;
    memcpy(w->text + w->name_off, name, name_len + 1);
    sqlbuf_free(&b);
    x->work = (char *)w;
    x->catalog_query(x, CATALOG_PRESENT_SQL, catalog_checked);
}
