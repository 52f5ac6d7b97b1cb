/*
 * gen.c — statement builder with a sticky error, and type-name parsing; see gen.h.
 */
#include "gen.h"
#include "quote.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gen_init(gen *g, const plan_target *t, plan_out *out, sl_error *err)
{
    memset(g, 0, sizeof(*g));
    g->t = t;
    g->out = out;
    g->err = err;
}

bool gen_finish(gen *g)
{
    if (!g->failed && g->sb.oom)
        gen_fail(g, "53200", NULL, "out of memory while building warehouse SQL");
    sqlbuf_free(&g->sb);
    return !g->failed;
}

void gen_fail(gen *g, const char *sqlstate, const char *hint, const char *fmt, ...)
{
    if (g->failed)
        return;
    char msg[sizeof(g->err->message)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    sl_error_set(g->err, sqlstate, hint, "%s", msg);
    g->failed = true;
}

void gen_sql(gen *g, const char *text)
{
    if (!g->failed)
        sqlbuf_puts(&g->sb, text);
}

void gen_printf(gen *g, const char *fmt, ...)
{
    if (g->failed)
        return;
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(small)) {
        gen_fail(g, "XX000", NULL, "internal error: generated fragment too long");
        return;
    }
    sqlbuf_putn(&g->sb, small, (size_t)n);
}

void gen_ident(gen *g, const char *name)
{
    if (!g->failed && !quote_ident(&g->sb, g->t, name, g->err))
        g->failed = true;
}

void gen_column(gen *g, const char *name)
{
    if (!g->failed && !quote_column(&g->sb, g->t, name, g->err))
        g->failed = true;
}

void gen_check_ident(gen *g, const char *name)
{
    if (!g->failed && !quote_check_ident(g->t, name, g->err))
        g->failed = true;
}

void gen_qname(gen *g, const plan_qname *q)
{
    if (q->schema) {
        gen_ident(g, q->schema);
        gen_sql(g, ".");
    }
    gen_ident(g, q->name);
}

void gen_qcolumn(gen *g, const plan_qname *q, const char *column)
{
    gen_qname(g, q);
    gen_sql(g, ".");
    gen_column(g, column);
}

void gen_lit(gen *g, const char *text)
{
    if (g->failed)
        return;
    if (!text) {
        sqlbuf_puts(&g->sb, "NULL");
        return;
    }
    if (!quote_literal(&g->sb, g->t, text, g->err))
        g->failed = true;
}

void gen_secret(gen *g, const char *text)
{
    gen_lit(g, g->t->explain ? "********" : text);
}

void gen_emit(gen *g, unsigned flags)
{
    if (g->failed)
        return;
    if (g->sb.oom) {
        gen_fail(g, "53200", NULL, "out of memory while building warehouse SQL");
        return;
    }
    char *sql = sqlbuf_take(&g->sb);
    if (!sql || !plan_out_add(g->out, sql, flags))
        gen_fail(g, "53200", NULL, "out of memory while building warehouse SQL");
}

void gen_stmt(gen *g, const char *text, unsigned flags)
{
    gen_sql(g, text);
    gen_emit(g, flags);
}

void gen_columns(gen *g, const plan_column *cols, size_t n, const char *prefix)
{
    for (size_t i = 0; i < n; i++) {
        gen_sql(g, i ? ", " : "");
        if (prefix)
            gen_sql(g, prefix);
        gen_column(g, cols[i].name);
    }
}

void gen_names(gen *g, const char *const *names, size_t n, const char *prefix)
{
    for (size_t i = 0; i < n; i++) {
        gen_sql(g, i ? ", " : "");
        if (prefix)
            gen_sql(g, prefix);
        gen_column(g, names[i]);
    }
}

/* ---- type names ---- */

static const struct {
    const char *name;
    gen_type_base base;
} gen_type_names[] = {
    {"smallint", GEN_SMALLINT},
    {"int2", GEN_SMALLINT},
    {"integer", GEN_INTEGER},
    {"int", GEN_INTEGER},
    {"int4", GEN_INTEGER},
    {"bigint", GEN_BIGINT},
    {"int8", GEN_BIGINT},
    {"numeric", GEN_NUMERIC},
    {"decimal", GEN_NUMERIC},
    {"real", GEN_REAL},
    {"float4", GEN_REAL},
    {"double precision", GEN_DOUBLE},
    {"float8", GEN_DOUBLE},
    {"boolean", GEN_BOOLEAN},
    {"bool", GEN_BOOLEAN},
    {"date", GEN_DATE},
    {"time", GEN_TIME},
    {"time without time zone", GEN_TIME},
    {"timetz", GEN_TIMETZ},
    {"time with time zone", GEN_TIMETZ},
    {"timestamp", GEN_TIMESTAMP},
    {"timestamp without time zone", GEN_TIMESTAMP},
    {"timestamptz", GEN_TIMESTAMPTZ},
    {"timestamp with time zone", GEN_TIMESTAMPTZ},
    {"text", GEN_TEXT},
    {"varchar", GEN_VARCHAR},
    {"character varying", GEN_VARCHAR},
    {"char", GEN_CHAR},
    {"character", GEN_CHAR},
    {"json", GEN_JSON},
    {"jsonb", GEN_JSONB},
    {"uuid", GEN_UUID},
    {"bytea", GEN_BYTEA},
};

/* Lower-cases text into buf with runs of blanks collapsed; returns the length of the name
 * part (before any '('), with *params pointing at the '(' or at the end. */
static size_t gen_type_normalize(const char *text, char *buf, size_t cap, const char **params)
{
    size_t n = 0;
    const char *p = text;
    while (*p == ' ')
        p++;
    for (; *p && *p != '(' && n + 1 < cap; p++) {
        if (*p == ' ' && (n == 0 || buf[n - 1] == ' '))
            continue;
        buf[n++] = (char)tolower((unsigned char)*p);
    }
    while (n > 0 && buf[n - 1] == ' ')
        n--;
    buf[n] = '\0';
    *params = p;
    return n;
}

/* "(p)" or "(p, s)" then end of text; false when malformed. */
static bool gen_type_params(const char *p, int *prec, int *scale)
{
    *prec = *scale = -1;
    if (!*p)
        return true;
    char *end;
    long v = strtol(p + 1, &end, 10);
    if (end == p + 1 || v < 0 || v > 1000000)
        return false;
    *prec = (int)v;
    while (*end == ' ')
        end++;
    if (*end == ',') {
        const char *q = end + 1;
        v = strtol(q, &end, 10);
        if (end == q || v < 0 || v > 1000)
            return false;
        *scale = (int)v;
        while (*end == ' ')
            end++;
    }
    if (*end != ')')
        return false;
    for (end++; *end == ' '; end++)
        ;
    return *end == '\0';
}

bool gen_type_parse(gen *g, const char *text, gen_type *out)
{
    char name[64];
    const char *params;
    if (g->failed)
        return false;
    gen_type_normalize(text ? text : "", name, sizeof(name), &params);
    for (size_t i = 0; i < sizeof(gen_type_names) / sizeof(gen_type_names[0]); i++) {
        if (strcmp(name, gen_type_names[i].name) != 0)
            continue;
        out->base = gen_type_names[i].base;
        if (gen_type_params(params, &out->p, &out->s))
            return true;
        break;
    }
    gen_fail(g, "42704",
             "Column types are integer, bigint, smallint, numeric(p,s), real, double precision, "
             "boolean, date, time, timestamp, timestamptz, text, varchar(n), char(n), json, "
             "jsonb, uuid or bytea.",
             "type \"%.64s\" is not supported by sluice", text ? text : "");
    return false;
}
