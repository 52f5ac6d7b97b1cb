/*
 * quote.c — identifier and literal quoting per dialect; the rules are in quote.h.
 */
#include "quote.h"
#include "utf8.h"

#include <string.h>
#include <strings.h>

size_t quote_ident_limit(plan_dialect_kind d)
{
    return d == PLAN_REDSHIFT ? 127 : 63;
}

static bool quote_valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t left = strlen(s); left > 0;) {
        size_t n = utf8_seq_len(p, left);
        if (n == 0)
            return false;
        p += n;
        left -= n;
    }
    return true;
}

/* How many bytes of name to show in a message: at most max, never splitting a character. */
static int quote_shown(const char *name, size_t max)
{
    size_t n = 0, len = strlen(name);
    while (n < len) {
        size_t step = utf8_seq_len((const unsigned char *)name + n, len - n);
        if (step == 0 || n + step > max)
            break;
        n += step;
    }
    return (int)n;
}

static bool quote_redshift_chars(const plan_target *t, const char *name, sl_error *err)
{
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (*p < 0x20 || *p == 0x7F) {
            sl_error_set(err, "42602", "Use printable characters only in Redshift names.",
                         "identifier \"%.*s\" contains a control character", quote_shown(name, 64),
                         name);
            return false;
        }
        if (!t->case_sensitive && *p >= 'A' && *p <= 'Z') {
            sl_error_set(err, "42602",
                         "Use a lower-case name: Redshift folds names to lower case even "
                         "inside double quotes unless the cluster runs with "
                         "enable_case_sensitive_identifier = true.",
                         "identifier \"%.*s\" has upper-case letters, which Redshift would "
                         "silently fold",
                         quote_shown(name, 64), name);
            return false;
        }
    }
    return true;
}

bool quote_check_ident(const plan_target *t, const char *name, sl_error *err)
{
    if (!name || !*name) {
        sl_error_set(err, "42602", "Give the object a name.", "zero-length identifier");
        return false;
    }
    if (!quote_valid_utf8(name)) {
        sl_error_set(err, "42602", "Names must be valid UTF-8.", "identifier is not valid UTF-8");
        return false;
    }
    size_t len = strlen(name), limit = quote_ident_limit(t->dialect);
    if (len > limit) {
        sl_error_set(err, "42622", "Choose a shorter name; sluice never truncates names.",
                     "identifier \"%.*s…\" is %zu bytes long; %s allows at most %zu",
                     quote_shown(name, 40), name, len,
                     t->dialect == PLAN_REDSHIFT ? "Redshift" : "PostgreSQL", limit);
        return false;
    }
    if (t->dialect == PLAN_REDSHIFT && !quote_redshift_chars(t, name, err))
        return false;
    return true;
}

bool quote_ident(sqlbuf *b, const plan_target *t, const char *name, sl_error *err)
{
    if (!quote_check_ident(t, name, err))
        return false;
    sqlbuf_putc(b, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            sqlbuf_putc(b, '"');
        sqlbuf_putc(b, *p);
    }
    sqlbuf_putc(b, '"');
    return true;
}

bool quote_column(sqlbuf *b, const plan_target *t, const char *name, sl_error *err)
{
    static const char *const system_columns[] = {"oid",  "tableoid", "xmin", "cmin",
                                                 "xmax", "cmax",     "ctid"};
    for (size_t i = 0; name && i < sizeof(system_columns) / sizeof(system_columns[0]); i++) {
        if (strcasecmp(name, system_columns[i]) == 0) {
            sl_error_set(err, "42701", "Rename the column, e.g. with TRANSFORM (RENAME a TO b).",
                         "column name \"%s\" conflicts with a system column name", name);
            return false;
        }
    }
    return quote_ident(b, t, name, err);
}

bool quote_literal(sqlbuf *b, const plan_target *t, const char *text, sl_error *err)
{
    if (!quote_valid_utf8(text)) {
        sl_error_set(err, "22021", "Values must be valid UTF-8.",
                     "invalid byte sequence for encoding \"UTF8\" in a string literal");
        return false;
    }
    bool escape_backslash = t->dialect == PLAN_REDSHIFT || strchr(text, '\\') != NULL;
    if (t->dialect == PLAN_POSTGRES && escape_backslash)
        sqlbuf_putc(b, 'E');
    sqlbuf_putc(b, '\'');
    for (const char *p = text; *p; p++) {
        if (*p == '\'' || (*p == '\\' && escape_backslash))
            sqlbuf_putc(b, *p);
        sqlbuf_putc(b, *p);
    }
    sqlbuf_putc(b, '\'');
    return true;
}
