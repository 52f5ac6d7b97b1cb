/*
 * intercept.c — replies to sluice's own statements.
 *
 * For now sluice answers SHOW sluice.<setting>; every other statement of SQL.md is
 * recognized (so it is never relayed to the warehouse, which would only call it a
 * syntax error) and refused with 0A000 until its implementation lands.
 */
#include "intercept.h"
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
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

static void put_text_row_description(wire_buf *out, const char *column, int16_t format)
{
    wire_begin(out, 'T');
    wire_put_int16(out, 1);
    wire_put_string(out, column);
    wire_put_int32(out, 0);       /* table oid */
    wire_put_int16(out, 0);       /* column number */
    wire_put_int32(out, TEXTOID); /* type oid */
    wire_put_int16(out, -1);      /* typlen */
    wire_put_int32(out, -1);      /* typmod */
    wire_put_int16(out, format);  /* text's binary form is its bytes */
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

/* ---- the interface ---- */

bool intercept_prepare(sl_stmt_kind kind, const char *sql, size_t len, sl_error *err)
{
    if (kind == SL_STMT_SHOW_SLUICE)
        return show_lookup(sql, len, err) != NULL;
    sl_error_set(err, "0A000",
                 "This version of sluice answers SHOW sluice.version; the other sluice "
                 "statements arrive in later versions.",
                 "%s is not supported by this version of sluice", classify_label(kind));
    err->position = (int)classify_skip_blank(sql, len, 0) + 1;
    return false;
}

bool intercept_describe(sl_stmt_kind kind, const char *sql, size_t len, int16_t format,
                        bool want_nodata, wire_buf *out)
{
    sl_error err;
    const show_setting *s = kind == SL_STMT_SHOW_SLUICE ? show_lookup(sql, len, &err) : NULL;
    if (s) {
        put_text_row_description(out, s->column, format);
        return true;
    }
    if (want_nodata) {
        wire_begin(out, 'n');
        wire_end(out);
    }
    return false;
}

bool intercept_execute(sl_stmt_kind kind, const char *sql, size_t len, int16_t format,
                       wire_buf *out, sl_error *err)
{
    (void)format;
    if (!intercept_prepare(kind, sql, len, err))
        return false;
    const show_setting *s = show_lookup(sql, len, err);
    put_text_row(out, s->value());
    wire_put_command_complete(out, "SHOW");
    return true;
}
