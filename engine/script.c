/*
 * script.c — running and explaining a statement's warehouse SQL.
 */
#include "script.h"
#include "quote.h"
#include "server.h"
#include "sqlbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const plan_target script_catalog_sql = {.dialect = PLAN_POSTGRES};

bool script_literal(sqlbuf *b, const char *text, sl_error *err)
{
    if (!text) {
        sqlbuf_puts(b, "NULL");
        return true;
    }
    return quote_literal(b, &script_catalog_sql, text, err);
}

plan_target script_target(const sl_explain *explain)
{
    const sl_config *cfg = server.cfg;
    bool redshift = cfg && cfg->dialect && strcmp(cfg->dialect, "redshift") == 0;
    if (explain && explain->dialect != SL_DIALECT_DEFAULT)
        redshift = explain->dialect == SL_DIALECT_REDSHIFT;
    return (plan_target){.dialect = redshift ? PLAN_REDSHIFT : PLAN_POSTGRES,
                         .explain = explain != NULL};
}

void script_for_session(plan_out *plan)
{
    size_t kept = 0;
    for (size_t i = 0; i < plan->n; i++) {
        const char *sql = plan->stmts[i].sql;
        if (strcasecmp(sql, "BEGIN") == 0 || strcasecmp(sql, "COMMIT") == 0) {
            free(plan->stmts[i].sql);
            continue;
        }
        plan->stmts[kept++] = plan->stmts[i];
    }
    plan->n = kept;
}

bool script_add(script *sc, const char *sql)
{
    char *copy = strdup(sql);
    return copy && plan_out_add(&sc->plan, copy, 0);
}

static void put_text_row(wire_buf *out, const char *value)
{
    size_t n = strlen(value);
    wire_begin(out, 'D');
    wire_put_int16(out, 1);
    wire_put_int32(out, (int32_t)n);
    wire_put_bytes(out, value, n);
    wire_end(out);
}

void script_explain(sl_exec *x, const plan_out *plan)
{
    for (size_t i = 0; i < plan->n; i++) {
        const plan_stmt *st = &plan->stmts[i];
        if (!st->flags) {
            put_text_row(x->out, st->sql);
            continue;
        }
        sqlbuf b = {0};
        if (st->flags & PLAN_STMT_EXPECT_NO_ROWS)
            sqlbuf_puts(&b, "-- guard: any row returned means ROLLBACK\n");
        if (st->flags & SCRIPT_CATALOG)
            sqlbuf_puts(&b, "-- in sluice's catalog database\n");
        if (st->flags & PLAN_STMT_ALONE)
            sqlbuf_puts(&b, "-- alone: sent by itself, outside a transaction block\n");
        sqlbuf_puts(&b, st->sql);
        put_text_row(x->out, b.oom ? st->sql : b.data);
        sqlbuf_free(&b);
    }
    wire_put_command_complete(x->out, "EXPLAIN");
}

static void script_step(sl_exec *x, const sl_result *r);

static void script_send(sl_exec *x)
{
    script *sc = x->script;
    if (!x->extended) {
        /* one Query: one implicit transaction, or a part of the client's block */
        sqlbuf b = {0};
        for (size_t i = 0; i < sc->plan.n; i++) {
            sqlbuf_puts(&b, sc->plan.stmts[i].sql);
            sqlbuf_puts(&b, ";\n");
        }
        sc->next = sc->plan.n;
        if (b.oom) {
            sqlbuf_free(&b);
            sl_error_set(&x->err, "53200", NULL, "out of memory");
            x->finish(x, false);
            return;
        }
        x->query(x, b.data, script_step);
        sqlbuf_free(&b);
        return;
    }
    x->query(x, sc->plan.stmts[sc->next++].sql, script_step);
}

static void script_step(sl_exec *x, const sl_result *r)
{
    script *sc = x->script;
    if (r->failed || sc->next >= sc->plan.n) {
        sc->done(x, r);
        return;
    }
    script_send(x);
}

void script_run(sl_exec *x, script *sc, sl_exec_next done)
{
    sc->next = 0;
    sc->done = done;
    x->script = sc;
    if (sc->plan.n == 0) {
        sl_result none = {0};
        done(x, &none);
        return;
    }
    script_send(x);
}

void script_free(script *sc)
{
    plan_out_free(&sc->plan);
    memset(sc, 0, sizeof(*sc));
}

long script_tag_rows(const char *tag)
{
    const char *sp = strrchr(tag, ' ');
    return sp ? strtol(sp + 1, NULL, 10) : 0;
}

void script_put_rows(sl_exec *x, const sl_result *r)
{
    for (int i = 0; i < r->nrows; i++) {
        wire_begin(x->out, 'D');
        wire_put_int16(x->out, (int16_t)r->nfields);
        for (int c = 0; c < r->nfields; c++) {
            const char *v = sl_result_get(r, i, c);
            wire_put_int32(x->out, v ? (int32_t)strlen(v) : -1);
            if (v)
                wire_put_bytes(x->out, v, strlen(v));
        }
        wire_end(x->out);
    }
}

bool script_catalog_present(sl_exec *x, const sl_result *r, const char *objects)
{
    if (r->failed) {
        script_fail(x, r);
        return false;
    }
    const char *present = sl_result_get(r, 0, 0);
    if (present && strcmp(present, "t") == 0)
        return true;
    if (x->catalog_apart) {
        sl_error_set(&x->err, "55000",
                     "sluice creates its catalog there at start-up; its log says why it could "
                     "not.",
                     "sluice's catalog is not in the database its catalog setting names");
    } else {
        char hint[256];
        snprintf(hint, sizeof(hint),
                 "sluice creates its catalog at start-up in the database its backend (or "
                 "catalog) setting names; define %s there.",
                 objects);
        sl_error_set(&x->err, "55000", hint, "sluice's catalog is not in this database");
    }
    x->finish(x, false);
    return false;
}

void script_fail(sl_exec *x, const sl_result *r)
{
    x->err = r->err;
    x->finish(x, false);
}

void script_notice(sl_exec *x, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    wire_error n = {.severity = "NOTICE", .sqlstate = "00000", .message = msg};
    wire_put_error(x->out, 'N', &n);
}

void script_json_string(sqlbuf *b, const char *s)
{
    sqlbuf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            sqlbuf_printf(b, "\\%c", *p);
        else if (*p < 0x20)
            sqlbuf_printf(b, "\\u%04x", *p);
        else
            sqlbuf_putc(b, (char)*p);
    }
    sqlbuf_putc(b, '"');
}

void script_json_value(sqlbuf *b, const sl_value *v)
{
    if (v->kind == SL_VALUE_NUMBER || v->kind == SL_VALUE_BOOL)
        sqlbuf_puts(b, v->text);
    else
        script_json_string(b, v->text);
}

void script_json_options(sqlbuf *b, const sl_options *o)
{
    sqlbuf_putc(b, '{');
    for (int i = 0; i < o->n; i++) {
        sqlbuf_puts(b, i ? ", " : "");
        script_json_string(b, o->items[i].name);
        sqlbuf_puts(b, ": ");
        script_json_value(b, &o->items[i].value);
    }
    sqlbuf_putc(b, '}');
}

void *stmt_start(sl_exec *x, size_t size, void (*free_fn)(void *), const sl_explain *explain)
{
    stmt_base *b = calloc(1, size);
    if (!b) {
        sl_error_set(&x->err, "53200", NULL, "out of memory");
        x->finish(x, false);
        return NULL;
    }
    x->state = b;
    x->state_free = free_fn;
    b->parsed = sl_parse_len(x->sql, x->len);
    if (!b->parsed.stmt) { /* it parsed a moment ago: only memory can be missing */
        sl_error_set(&x->err, "53200", NULL, "out of memory");
        x->finish(x, false);
        return NULL;
    }
    b->explain = explain != NULL;
    b->st = explain ? b->parsed.stmt->u.explain.stmt : b->parsed.stmt;
    b->target = script_target(explain ? &b->parsed.stmt->u.explain : NULL);
    return b;
}

void stmt_base_free(stmt_base *b)
{
    sl_parse_free(b->parsed);
    script_free(&b->sc);
}
