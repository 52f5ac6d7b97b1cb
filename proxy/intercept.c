/*
 * intercept.c — replies to sluice's own statements.
 *
 * Every statement of SQL.md is parsed in full here, then handed to the module that
 * carries it out (or shows, for EXPLAIN, what it would send). A well-formed statement
 * this version does not carry out is refused with 0A000, never relayed to the warehouse.
 */
#include "intercept.h"
#include "catalog.h"
#include "config.h"
#include "connstmt.h"
#include "modelstmt.h"
#include "pipestmt.h"
#include "sharestmt.h"
#include "showstmt.h"
#include "parse.h"
#include "script.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define TEXTOID 25

void sl_error_set(sl_error *e, const char *sqlstate, const char *hint, const char *fmt, ...)
{
    memset(e, 0, sizeof(*e));
    snprintf(e->sqlstate, sizeof(e->sqlstate), "%s", sqlstate);
    if (hint)
        snprintf(e->hint, sizeof(e->hint), "%s", hint);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
}

void sl_error_put(wire_buf *out, const sl_error *e, int pos_offset)
{
    wire_error we = {
        .severity = "ERROR",
        .sqlstate = e->sqlstate,
        .message = e->message,
        .detail = e->detail[0] ? e->detail : NULL,
        .hint = e->hint[0] ? e->hint : NULL,
        .position = e->position ? e->position + pos_offset : 0,
    };
    wire_put_error(out, 'E', &we);
}

/* ---- SHOW sluice.<name> ---- */

typedef struct {
    const char *name;   /* after "sluice." */
    const char *column; /* result column name */
    const char *(*value)(void);
} show_setting;

static const char *show_version(void)
{
    return "sluice " SLUICE_VERSION;
}

static const show_setting show_settings[] = {
    {"version", "version", show_version},
};

/* Finds the setting named by "SHOW sluice . name"; sets err when there is none. */
static const show_setting *show_lookup(const char *sql, size_t len, sl_error *err)
{
    size_t i = classify_skip_blank(sql, len, 0) + 4; /* SHOW */
    i = classify_skip_blank(sql, len, i) + 6;        /* sluice */
    i = classify_skip_blank(sql, len, i) + 1;        /* . */
    i = classify_skip_blank(sql, len, i);
    size_t start = i;
    while (i < len && (isalnum((unsigned char)sql[i]) || sql[i] == '_'))
        i++;
    size_t n = i - start;
    size_t rest = classify_skip_blank(sql, len, i);
    if (n == 0 || rest < len) {
        size_t at = n == 0 ? start : rest;
        sl_error_set(err, "42601", "SHOW sluice.version is the form sluice understands.",
                     "syntax error at or near \"%.*s\"", at < len ? 1 : 0, sql + at);
        if (at >= len)
            snprintf(err->message, sizeof(err->message), "syntax error at end of input");
        err->position = (int)at + 1;
        return NULL;
    }
    for (size_t k = 0; k < sizeof(show_settings) / sizeof(show_settings[0]); k++)
        if (strlen(show_settings[k].name) == n &&
            strncasecmp(sql + start, show_settings[k].name, n) == 0)
            return &show_settings[k];
    sl_error_set(err, "42704", "sluice's settings are: sluice.version.",
                 "unrecognized configuration parameter \"sluice.%.*s\"", (int)n, sql + start);
    return NULL;
}

static void put_row_description(wire_buf *out, const char *const *columns, int n, int16_t format)
{
    wire_begin(out, 'T');
    wire_put_int16(out, (int16_t)n);
    for (int i = 0; i < n; i++) {
        wire_put_string(out, columns[i]);
        wire_put_int32(out, 0);       /* table oid */
        wire_put_int16(out, 0);       /* column number */
        wire_put_int32(out, TEXTOID); /* type oid */
        wire_put_int16(out, -1);      /* typlen */
        wire_put_int32(out, -1);      /* typmod */
        wire_put_int16(out, format);  /* text's binary form is its bytes */
    }
    wire_end(out);
}

static void put_text_row(wire_buf *out, const char *value)
{
    wire_begin(out, 'D');
    wire_put_int16(out, 1);
    wire_put_int32(out, (int32_t)strlen(value));
    wire_put_bytes(out, value, strlen(value));
    wire_end(out);
}

/* ---- SHOW CONNECTIONS: read in the catalog ---- */

static const char *const connection_columns[] = {"name", "kind", "options", "secrets"};

/* Run only once CATALOG_PRESENT_SQL said the catalog is in the client's database. */
#define CONNECTIONS_LIST                                                                           \
    "SELECT name, kind, options::text, secrets::text FROM sluice.connections ORDER BY name"

static void show_connections_next(sl_exec *x, const sl_result *r)
{
    if (r->failed) {
        x->err = r->err;
        x->finish(x, false);
        return;
    }
    if (x->step++ == 0) {
        const char *present = sl_result_get(r, 0, 0);
        if (present && strcmp(present, "t") == 0) {
            x->catalog_query(x, CONNECTIONS_LIST, show_connections_next);
            return;
        }
    } else {
        script_put_rows(x, r);
    }
    wire_put_command_complete(x->out, "SHOW");
    x->finish(x, true);
}

/* ---- the interface ---- */

static void show_connections(sl_exec *x, const sl_stmt *st, const sl_explain *explain)
{
    (void)st;
    (void)explain;
    x->step = 0;
    x->catalog_query(x, CATALOG_PRESENT_SQL, show_connections_next);
}

static int show_connections_columns(const sl_stmt *st, const char *const **cols)
{
    (void)st;
    *cols = connection_columns;
    return 4;
}

/*
 * Who carries out each statement (RUNS) and who shows what it would send (EXPLAINS).
 * execute gets the parsed statement (valid only during the call: it copies what it keeps)
 * and, for EXPLAIN, the EXPLAIN (NULL when it runs); columns names the rows it returns,
 * from the parsed statement too (SHOW PIPELINE x and SHOW PIPELINE ERRORS x differ).
 */
typedef struct handler {
    sl_stmt_kind kind;
    unsigned what;
    void (*execute)(sl_exec *x, const sl_stmt *st, const sl_explain *explain);
    int (*columns)(const sl_stmt *st, const char *const **cols); /* NULL: no rows */
} handler;

static const handler handlers[] = {
    {SL_STMT_CREATE_CONNECTION, RUNS | EXPLAINS, connstmt_execute, NULL},
    {SL_STMT_ALTER_CONNECTION, RUNS | EXPLAINS, connstmt_execute, NULL},
    {SL_STMT_DROP_CONNECTION, RUNS | EXPLAINS, connstmt_execute, NULL},
    {SL_STMT_SHOW_CONNECTIONS, RUNS, show_connections, show_connections_columns},
    {SL_STMT_CREATE_PIPELINE, PIPESTMT_CREATE, pipestmt_execute, NULL},
    {SL_STMT_ALTER_PIPELINE, PIPESTMT_ALTER, pipestmt_execute, NULL},
    {SL_STMT_DROP_PIPELINE, PIPESTMT_DROP, pipestmt_execute, NULL},
    {SL_STMT_RUN_PIPELINE, PIPESTMT_RUN, pipestmt_execute, NULL},
    {SL_STMT_REFRESH_PIPELINE, PIPESTMT_REFRESH, pipestmt_execute, NULL},
    {SL_STMT_START_PIPELINE, PIPESTMT_STARTSTOP, pipestmt_execute, NULL},
    {SL_STMT_STOP_PIPELINE, PIPESTMT_STARTSTOP, pipestmt_execute, NULL},
    {SL_STMT_CREATE_MODEL, MODELSTMT_CREATE, modelstmt_execute, NULL},
    {SL_STMT_REFRESH_MODEL, MODELSTMT_REFRESH, modelstmt_execute, NULL},
    {SL_STMT_DROP_MODEL, MODELSTMT_DROP, modelstmt_execute, NULL},
    {SL_STMT_SHARE, SHARESTMT_SHARE, sharestmt_execute, NULL},
    {SL_STMT_UNSHARE, SHARESTMT_UNSHARE, sharestmt_execute, NULL},
    {SL_STMT_SHOW_PIPELINES, SHOWSTMT_WHAT, showstmt_execute, showstmt_columns},
    {SL_STMT_SHOW_PIPELINE, SHOWSTMT_WHAT, showstmt_execute, showstmt_columns},
    {SL_STMT_SHOW_MODELS, SHOWSTMT_WHAT, showstmt_execute, showstmt_columns},
    {SL_STMT_SHOW_SHARES, SHOWSTMT_WHAT, showstmt_execute, showstmt_columns},
    {SL_STMT_SHOW_CREATE, SHOWSTMT_WHAT, showstmt_execute, showstmt_columns},
};

static const handler *handler_for(sl_stmt_kind kind, unsigned what)
{
    for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
        if (handlers[i].kind == kind)
            return (handlers[i].what & what) ? &handlers[i] : NULL;
    return NULL;
}

/* A well-formed statement this version does not carry out yet: 0A000. */
static bool not_yet(sl_stmt_kind kind, const char *sql, size_t len, sl_error *err)
{
    sl_error_set(err, "0A000",
                 "The statement is valid; this version of sluice does not carry it out.",
                 "%s is not supported by this version of sluice", classify_label(kind));
    err->position = (int)classify_skip_blank(sql, len, 0) + 1;
    return false;
}

/* Parses a statement of SQL.md in full; false with err set when it is not right. */
static bool parse_checked(sl_stmt_kind kind, const char *sql, size_t len, sl_parse_result *r,
                          sl_error *err)
{
    *r = sl_parse_len(sql, len);
    if (r->error) {
        *err = *r->error;
        return false;
    }
    if (kind == SL_STMT_EXPLAIN) {
        sl_stmt_kind inner = r->stmt->u.explain.stmt->kind;
        if (handler_for(inner, EXPLAINS))
            return true;
        not_yet(kind, sql, len, err);
        if (handler_for(inner, RUNS)) {
            snprintf(err->message, sizeof(err->message), "EXPLAIN does not apply to %s",
                     classify_label(inner));
            snprintf(err->hint, sizeof(err->hint),
                     "EXPLAIN shows the warehouse SQL of statements that define, change, run or "
                     "share something; %s sends none of its own.",
                     classify_label(inner));
            return false;
        }
        snprintf(err->message, sizeof(err->message),
                 "EXPLAIN %s is not supported by this version of sluice", classify_label(inner));
        return false;
    }
    return handler_for(kind, RUNS) || not_yet(kind, sql, len, err);
}

bool intercept_prepare(sl_stmt_kind kind, const char *sql, size_t len, sl_error *err)
{
    if (kind == SL_STMT_SHOW_SLUICE)
        return show_lookup(sql, len, err) != NULL;
    /* every statement of SQL.md is checked in full: syntax, options, their values */
    sl_parse_result r;
    bool ok = parse_checked(kind, sql, len, &r, err);
    sl_parse_free(r);
    return ok;
}

bool intercept_describe(sl_stmt_kind kind, const char *sql, size_t len, int16_t format,
                        bool want_nodata, wire_buf *out)
{
    sl_error err;
    const show_setting *s = kind == SL_STMT_SHOW_SLUICE ? show_lookup(sql, len, &err) : NULL;
    if (s) {
        put_row_description(out, &s->column, 1, format);
        return true;
    }
    const handler *h = handler_for(kind, RUNS);
    const char *const *cols = NULL;
    int n = 0;
    if (h && h->columns) {
        /* a statement that does not parse gets no RowDescription: its error replaces it */
        sl_parse_result r = sl_parse_len(sql, len);
        if (r.stmt)
            n = h->columns(r.stmt, &cols); /* names are static: they outlive the tree */
        sl_parse_free(r);
    }
    if (n > 0) {
        put_row_description(out, cols, n, format);
        return true;
    }
    if (kind == SL_STMT_EXPLAIN) {
        static const char *const explain_columns[] = {"statement"};
        put_row_description(out, explain_columns, 1, format);
        return true;
    }
    if (want_nodata) {
        wire_begin(out, 'n');
        wire_end(out);
    }
    return false;
}

void intercept_execute(sl_exec *x)
{
    if (x->kind == SL_STMT_SHOW_SLUICE) {
        const show_setting *s = show_lookup(x->sql, x->len, &x->err);
        if (s) {
            put_text_row(x->out, s->value());
            wire_put_command_complete(x->out, "SHOW");
        }
        x->finish(x, s != NULL);
        return;
    }
    sl_parse_result r;
    if (!parse_checked(x->kind, x->sql, x->len, &r, &x->err)) {
        sl_parse_free(r);
        x->finish(x, false);
        return;
    }
    const sl_stmt *st = r.stmt;
    const sl_explain *explain = x->kind == SL_STMT_EXPLAIN ? &st->u.explain : NULL;
    if (explain)
        st = explain->stmt;
    handler_for(st->kind, explain ? EXPLAINS : RUNS)->execute(x, st, explain);
    sl_parse_free(r);
}

/* ---- results ---- */

void sl_result_free(sl_result *r)
{
    for (int i = 0; i < r->nfields; i++)
        free(r->fields[i]);
    for (int i = 0; i < r->nrows * r->nfields; i++)
        free(r->cells[i]);
    free(r->fields);
    free(r->cells);
    memset(r, 0, sizeof(*r));
}

void sl_result_fail(sl_result *r, const char *sqlstate, const char *message, const char *detail,
                    const char *hint)
{
    sl_error_set(&r->err, sqlstate ? sqlstate : "XX000", hint, "%s", message ? message : "error");
    if (detail)
        snprintf(r->err.detail, sizeof(r->err.detail), "%s", detail);
    r->failed = true;
}

const char *sl_result_get(const sl_result *r, int row, int col)
{
    if (row < 0 || row >= r->nrows || col < 0 || col >= r->nfields)
        return NULL;
    return r->cells[row * r->nfields + col];
}
