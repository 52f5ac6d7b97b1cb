/*
 * grammar.c — recursive descent over the token stream (lex.c), one function per rule of
 * spec/SQL.md. A token that does not fit fails with 42601 at that token and a hint naming
 * what could have come there; options are checked by options.c as soon as they are read.
 */
#include "parse_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- token helpers ---- */

static parse_token *peek(parser *p)
{
    return &p->toks[p->pos];
}

static parse_token *peek_at(parser *p, int k)
{
    int i = p->pos + k;
    return &p->toks[i > p->ntoks ? p->ntoks : i];
}

static parse_token *advance(parser *p)
{
    parse_token *t = peek(p);
    if (t->kind != TOK_EOF)
        p->pos++;
    return t;
}

static bool is_word(const parse_token *t, const char *w)
{
    return t->kind == TOK_WORD && strcmp(t->text, w) == 0;
}

static bool is_punct(const parse_token *t, char c)
{
    return t->kind == TOK_PUNCT && t->text[0] == c;
}

static bool accept_word(parser *p, const char *w)
{
    if (!is_word(peek(p), w))
        return false;
    p->pos++;
    return true;
}

static bool accept_punct(parser *p, char c)
{
    if (!is_punct(peek(p), c))
        return false;
    p->pos++;
    return true;
}

static void expect_word(parser *p, const char *w, const char *hint)
{
    if (!accept_word(p, w))
        parse_fail_syntax(p, peek(p), "%s", hint);
}

static void expect_punct(parser *p, char c, const char *hint)
{
    if (!accept_punct(p, c))
        parse_fail_syntax(p, peek(p), "%s", hint);
}

/* An identifier: a word that is not a reserved keyword, or a quoted identifier. */
static bool is_name(const parse_token *t)
{
    return (t->kind == TOK_WORD && !t->reserved) || t->kind == TOK_QIDENT;
}

static char *parse_name(parser *p, const char *what)
{
    if (!is_name(peek(p)))
        parse_fail_syntax(p, peek(p), "Expected %s.", what);
    return advance(p)->text;
}

static char *parse_string(parser *p, const char *hint)
{
    if (peek(p)->kind != TOK_STRING)
        parse_fail_syntax(p, peek(p), "%s", hint);
    return advance(p)->text;
}

/* A whole number ≥ 0. */
static long parse_count(parser *p, const char *hint)
{
    parse_token *t = peek(p);
    if (t->kind != TOK_NUMBER || strspn(t->text, "0123456789") != strlen(t->text))
        parse_fail_syntax(p, t, "%s", hint);
    errno = 0;
    long v = strtol(t->text, NULL, 10);
    if (errno)
        parse_fail(p, "22003", t->start, NULL, "%s is out of range", t->text);
    p->pos++;
    return v;
}

static void parse_qname(parser *p, sl_qname *q, bool need_schema, const char *what)
{
    q->position = parse_char_pos(p, peek(p)->start);
    q->name = parse_name(p, what);
    if (accept_punct(p, '.')) {
        q->schema = q->name;
        q->name = parse_name(p, "a table name after the schema name and '.'");
    } else if (need_schema) {
        parse_fail_syntax(p, peek(p),
                          "Expected '.' and a table name: shared tables are "
                          "written schema.table.");
    }
}

static void parse_name_list(parser *p, sl_names *l, const char *what)
{
    expect_punct(p, '(', "Expected '(' and a list of column names.");
    do {
        *(char **)parse_push(p, (void **)&l->items, &l->n, sizeof(char *)) = parse_name(p, what);
    } while (accept_punct(p, ','));
    expect_punct(p, ')', "Expected ',' or ')'.");
}

static bool parse_if_not_exists(parser *p)
{
    if (!is_word(peek(p), "if") || !is_word(peek_at(p, 1), "not"))
        return false;
    p->pos += 2;
    expect_word(p, "exists", "Expected EXISTS after IF NOT.");
    return true;
}

static bool parse_if_exists(parser *p)
{
    if (!is_word(peek(p), "if") || !is_word(peek_at(p, 1), "exists"))
        return false;
    p->pos += 2;
    return true;
}

/* ---- values and options ---- */

static void parse_value(parser *p, sl_value *v)
{
    parse_token *t = peek(p);
    v->position = parse_char_pos(p, t->start);
    if ((is_punct(t, '-') || is_punct(t, '+')) && peek_at(p, 1)->kind == TOK_NUMBER) {
        const char *num = peek_at(p, 1)->text;
        char *text = parse_alloc(p, strlen(num) + 2);
        strcpy(text, t->text[0] == '-' ? "-" : "");
        strcat(text, num);
        v->kind = SL_VALUE_NUMBER;
        v->text = text;
        p->pos += 2;
        return;
    }
    switch (t->kind) {
    case TOK_STRING:
        v->kind = SL_VALUE_STRING;
        break;
    case TOK_NUMBER:
        v->kind = SL_VALUE_NUMBER;
        break;
    case TOK_WORD:
        v->kind = is_word(t, "true") || is_word(t, "false") ? SL_VALUE_BOOL : SL_VALUE_WORD;
        break;
    case TOK_QIDENT:
        v->kind = SL_VALUE_WORD;
        break;
    default:
        parse_fail_syntax(p, t, "Expected a value: a string, a number, a boolean or a word.");
    }
    v->text = t->text;
    p->pos++;
}

static void parse_option(parser *p, sl_options *o)
{
    parse_token *t = peek(p);
    if (t->kind != TOK_WORD && t->kind != TOK_QIDENT)
        parse_fail_syntax(p, t, "Expected an option name.");
    for (int i = 0; i < o->n; i++)
        if (strcmp(o->items[i].name, t->text) == 0)
            parse_fail(p, "42601", t->start, "Give each option once.",
                       "option \"%s\" specified more than once", t->text);
    sl_option *opt = parse_push(p, (void **)&o->items, &o->n, sizeof(*opt));
    opt->name = t->text;
    opt->position = parse_char_pos(p, t->start);
    p->pos++;
    expect_punct(p, '=', "Expected '=' and a value after the option name.");
    parse_value(p, &opt->value);
}

/* ( name = value [, …] ) */
static void parse_options(parser *p, sl_options *o)
{
    expect_punct(p, '(', "Expected '(' and a list of options: ( name = value [, …] ).");
    p->in_options = true; /* a string here may be a secret: errors do not echo it */
    do {
        parse_option(p, o);
    } while (accept_punct(p, ','));
    expect_punct(p, ')', "Expected ',' or ')' after the option value.");
    p->in_options = false;
}

/* ---- column types ---- */

static void type_put_word(parse_buf *b, const parse_token *t)
{
    if (b->len)
        pbuf_puts(b, " ");
    if (t->kind == TOK_QIDENT)
        pbuf_put_type_word(b, t->text);
    else
        pbuf_puts(b, t->text);
}

/* ( n [, n …] ) after a type name */
static void type_modifiers(parser *p, parse_buf *b)
{
    if (!accept_punct(p, '('))
        return;
    pbuf_puts(b, "(");
    do {
        if (b->s[b->len - 1] != '(')
            pbuf_puts(b, ",");
        pbuf_printf(b, "%ld", parse_count(p, "Expected a number in the type's modifiers."));
    } while (accept_punct(p, ','));
    expect_punct(p, ')', "Expected ',' or ')' in the type's modifiers.");
    pbuf_puts(b, ")");
}

static bool accept_put(parser *p, parse_buf *b, const char *w)
{
    if (!is_word(peek(p), w))
        return false;
    type_put_word(b, advance(p));
    return true;
}

/* The keywords of PostgreSQL's multi-word type names. */
static void type_multiword(parser *p, parse_buf *b, const char *first)
{
    if (strcmp(first, "double") == 0) {
        if (!accept_put(p, b, "precision"))
            parse_fail_syntax(p, peek(p), "Expected PRECISION after DOUBLE.");
    } else if (strcmp(first, "national") == 0) {
        if (!accept_put(p, b, "character") && !accept_put(p, b, "char"))
            parse_fail_syntax(p, peek(p), "Expected CHARACTER after NATIONAL.");
        accept_put(p, b, "varying");
    } else if (strcmp(first, "character") == 0 || strcmp(first, "char") == 0 ||
               strcmp(first, "bit") == 0) {
        accept_put(p, b, "varying");
    } else if (strcmp(first, "time") == 0 || strcmp(first, "timestamp") == 0) {
        type_modifiers(p, b);
        if (accept_put(p, b, "with") || accept_put(p, b, "without")) {
            if (!accept_put(p, b, "time") || !accept_put(p, b, "zone"))
                parse_fail_syntax(p, peek(p), "Expected TIME ZONE.");
        }
    } else if (strcmp(first, "interval") == 0) {
        static const char *const fields[] = {"year", "month", "day", "hour", "minute", "second"};
        for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
            if (accept_put(p, b, fields[i])) {
                if (accept_put(p, b, "to") && !accept_put(p, b, "month") &&
                    !accept_put(p, b, "hour") && !accept_put(p, b, "minute") &&
                    !accept_put(p, b, "second"))
                    parse_fail_syntax(p, peek(p), "Expected an interval field after TO.");
                break;
            }
    }
}

static void type_arrays(parser *p, parse_buf *b)
{
    if (accept_word(p, "array")) {
        pbuf_puts(b, "[");
        if (accept_punct(p, '[')) {
            pbuf_printf(b, "%ld", parse_count(p, "Expected the array size."));
            expect_punct(p, ']', "Expected ']'.");
        }
        pbuf_puts(b, "]");
        return;
    }
    while (accept_punct(p, '[')) {
        pbuf_puts(b, "[");
        if (peek(p)->kind == TOK_NUMBER)
            pbuf_printf(b, "%ld", parse_count(p, "Expected the array size."));
        expect_punct(p, ']', "Expected ']'.");
        pbuf_puts(b, "]");
    }
}

/* A PostgreSQL type name, in canonical spelling: "numeric(10,2)", "timestamp with time zone". */
static char *parse_type(parser *p)
{
    parse_buf b = {.p = p};
    parse_token *t = peek(p);
    if (t->kind != TOK_QIDENT && (t->kind != TOK_WORD || is_word(t, "format")))
        parse_fail_syntax(p, t,
                          "Expected a type name, e.g. text, bigint, numeric(10,2), "
                          "timestamptz.");
    type_put_word(&b, advance(p));
    if (accept_punct(p, '.')) {
        parse_token *n = peek(p);
        if (n->kind != TOK_WORD && n->kind != TOK_QIDENT)
            parse_fail_syntax(p, n, "Expected a type name after the schema name and '.'.");
        pbuf_puts(&b, ".");
        size_t keep = b.len;
        type_put_word(&b, advance(p));
        memmove(b.s + keep, b.s + keep + 1, b.len - keep); /* no space after the dot */
        b.len--;
    } else if (t->kind == TOK_WORD) {
        type_multiword(p, &b, t->text);
    }
    if (!strstr(b.s, "("))
        type_modifiers(p, &b);
    type_arrays(p, &b);
    return b.s;
}

/* ---- end of statement ---- */

static sl_stmt *new_stmt(parser *p, sl_stmt_kind kind)
{
    sl_stmt *s = parse_alloc(p, sizeof(*s));
    s->kind = kind;
    p->end_hint = "Expected the end of the statement.";
    return s;
}

/* ---- connections ---- */

static const char *const conn_kinds[SL_CONN_COUNT_] = {"s3", "postgres", "redshift", "http",
                                                       "sftp"};

static sl_stmt *create_connection(parser *p)
{
    sl_stmt *s = new_stmt(p, SL_STMT_CREATE_CONNECTION);
    sl_create_connection *c = &s->u.create_connection;
    c->if_not_exists = parse_if_not_exists(p);
    c->name = parse_name(p, "the connection name");
    expect_word(p, "type", "Expected TYPE after the connection name.");
    parse_token *t = peek(p);
    int k = 0;
    while (k < SL_CONN_COUNT_ && !is_word(t, conn_kinds[k]))
        k++;
    if (k == SL_CONN_COUNT_)
        parse_fail_syntax(p, t, "Expected one of: S3, POSTGRES, REDSHIFT, HTTP, SFTP.");
    p->pos++;
    c->kind = (sl_conn_kind)k;
    if (accept_word(p, "with"))
        parse_options(p, &c->options);
    else
        p->end_hint = "Expected WITH ( option = value [, …] ).";
    options_check_connection(p, c->kind, &c->options, t->start);
    return s;
}

static sl_stmt *alter_set(parser *p, sl_stmt_kind kind, const char *what)
{
    sl_stmt *s = new_stmt(p, kind);
    s->u.alter.name = parse_name(p, what);
    expect_word(p, "set", "Expected SET ( option = value [, …] ).");
    parse_options(p, &s->u.alter.options);
    if (kind == SL_STMT_ALTER_CONNECTION)
        options_check_alter_connection(p, &s->u.alter.options);
    else
        options_check_pipeline(p, &s->u.alter.options, false);
    return s;
}

static sl_stmt *drop(parser *p, sl_stmt_kind kind, const char *what)
{
    sl_stmt *s = new_stmt(p, kind);
    s->u.drop.if_exists = parse_if_exists(p);
    s->u.drop.name = parse_name(p, what);
    if (kind == SL_STMT_DROP_PIPELINE) {
        if (accept_word(p, "and")) {
            expect_word(p, "table", "Expected TABLE after AND.");
            s->u.drop.and_table = true;
        } else {
            p->end_hint = "Expected AND TABLE or the end of the statement.";
        }
    }
    return s;
}

/* ---- pipelines: TRANSFORM steps ---- */

static const char *const step_words[SL_STEP_COUNT_] = {
    "rename", "drop",   "keep",    "cast",  "hash",    "mask",   "trim",    "lower",
    "upper",  "nullif", "default", "split", "extract", "filter", "compute",
};

static int step_kind_of(const parse_token *t)
{
    for (int k = 0; k < SL_STEP_COUNT_; k++)
        if (is_word(t, step_words[k]))
            return k;
    return -1;
}

/* After a ',' in DROP/KEEP/HASH's list: does the next token begin another step? */
static bool step_starts_at(parser *p, int k)
{
    const parse_token *t = peek_at(p, k), *after = peek_at(p, k + 1);
    return step_kind_of(t) >= 0 && !is_punct(after, ',') && !is_punct(after, ')') &&
           after->kind != TOK_EOF;
}

static void step_columns(parser *p, sl_step *st)
{
    do {
        char **c = parse_push(p, (void **)&st->columns.items, &st->columns.n, sizeof(char *));
        *c = parse_name(p, "a column name");
    } while (is_punct(peek(p), ',') && !step_starts_at(p, 1) && accept_punct(p, ','));
}

static void step_filter_op(parser *p, sl_step *st)
{
    parse_token *t = advance(p);
    static const char *const ops[] = {"=", "<>", "<", "<=", ">", ">="};
    for (int i = 0; i < 6; i++)
        if ((t->kind == TOK_PUNCT || t->kind == TOK_OP) && strcmp(t->text, ops[i]) == 0) {
            st->op = (sl_filter_op)i;
            return;
        }
    if (t->kind == TOK_OP && strcmp(t->text, "!=") == 0) {
        st->op = SL_OP_NE;
    } else if (is_word(t, "like")) {
        st->op = SL_OP_LIKE;
    } else if (is_word(t, "in")) {
        st->op = SL_OP_IN;
    } else if (is_word(t, "is")) {
        st->op = accept_word(p, "not") ? SL_OP_IS_NOT_NULL : SL_OP_IS_NULL;
        expect_word(p, "null",
                    st->op == SL_OP_IS_NULL ? "Expected NULL or NOT NULL after IS."
                                            : "Expected NULL after IS NOT.");
    } else {
        parse_fail_syntax(p, t,
                          "Expected an operator: =, <>, <, <=, >, >=, LIKE, IS NULL, "
                          "IS NOT NULL or IN (…).");
    }
}

static void step_filter(parser *p, sl_step *st)
{
    st->column = parse_name(p, "the column to filter on");
    step_filter_op(p, st);
    if (st->op == SL_OP_IS_NULL || st->op == SL_OP_IS_NOT_NULL)
        return;
    if (st->op != SL_OP_IN) {
        st->values = parse_alloc(p, sizeof(sl_value));
        st->n_values = 1;
        parse_value(p, st->values);
        return;
    }
    expect_punct(p, '(', "Expected '(' and a list of values after IN.");
    do {
        parse_value(p, parse_push(p, (void **)&st->values, &st->n_values, sizeof(sl_value)));
    } while (accept_punct(p, ','));
    expect_punct(p, ')', "Expected ',' or ')' in the IN list.");
}

/* COMPUTE a AS expression: the expression runs to the next top-level ',' or ')'. */
static void step_compute(parser *p, sl_step *st)
{
    st->column = parse_name(p, "the name of the computed column");
    expect_word(p, "as", "Expected AS and a SQL expression after the column name.");
    int depth = 0, first = p->pos;
    for (;;) {
        parse_token *t = peek(p);
        if (t->kind == TOK_EOF || (depth == 0 && (is_punct(t, ',') || is_punct(t, ')'))))
            break;
        if (is_punct(t, ';'))
            parse_fail_syntax(p, t, "A COMPUTE expression is one SQL expression.");
        depth += is_punct(t, '(') || is_punct(t, '[');
        depth -= is_punct(t, ')') || is_punct(t, ']');
        p->pos++;
    }
    if (p->pos == first)
        parse_fail_syntax(p, peek(p), "Expected a SQL expression after AS.");
    size_t start = p->toks[first].start, end = p->toks[p->pos - 1].end;
    st->text = parse_strndup(p, p->sql + start, end - start);
    select_check_expression(p, st->text, start);
}

static void step_split_extract(parser *p, sl_step *st)
{
    bool split = st->kind == SL_STEP_SPLIT;
    st->column = parse_name(p, "a column name");
    if (split)
        expect_word(p, "on", "Expected ON and the separator, e.g. SPLIT a ON ',' INTO (b, c).");
    else
        expect_word(p, "matching",
                    "Expected MATCHING and a regular expression, e.g. EXTRACT a MATCHING "
                    "'^(\\w+)@(.*)$' INTO (b, c).");
    size_t at = peek(p)->start;
    st->text = parse_string(p, split ? "Expected the separator as a string, e.g. ','."
                                     : "Expected the regular expression as a string.");
    if (split && !st->text[0])
        parse_fail(p, "22023", at, NULL, "the SPLIT separator must not be empty");
    expect_word(p, "into",
                split ? "Expected INTO (column, …) after the separator."
                      : "Expected INTO (column, …) after the regular expression.");
    parse_name_list(p, &st->into, "a column name");
    if (!split)
        options_check_regex(p, st, at);
}

static void step_mask(parser *p, sl_step *st)
{
    st->column = parse_name(p, "the column to mask");
    st->keep_last = -1;
    if (is_word(peek(p), "keep") && is_word(peek_at(p, 1), "last")) {
        p->pos += 2;
        st->keep_last = parse_count(p, "Expected how many characters to keep, e.g. 4.");
    }
}

static void step_value(parser *p, sl_step *st)
{
    st->column = parse_name(p, "a column name");
    parse_token *t = peek(p);
    if (t->kind != TOK_STRING && t->kind != TOK_NUMBER)
        parse_fail_syntax(p, t, "Expected the value as a string, e.g. %s a 'n/a'.",
                          st->kind == SL_STEP_NULLIF ? "NULLIF" : "DEFAULT");
    st->text = advance(p)->text;
}

static void parse_step(parser *p, sl_step *st)
{
    parse_token *t = peek(p);
    int k = step_kind_of(t);
    if (k < 0)
        parse_fail_syntax(p, t,
                          "Expected a transform step: RENAME, DROP, KEEP, CAST, HASH, "
                          "MASK, TRIM, LOWER, UPPER, NULLIF, DEFAULT, SPLIT, EXTRACT, "
                          "FILTER or COMPUTE.");
    p->pos++;
    st->kind = (sl_step_kind)k;
    st->position = parse_char_pos(p, t->start);
    st->keep_last = -1;
    switch (st->kind) {
    case SL_STEP_RENAME:
        st->column = parse_name(p, "the column to rename");
        expect_word(p, "to", "Expected TO and the new name.");
        st->new_name = parse_name(p, "the new column name");
        break;
    case SL_STEP_DROP:
    case SL_STEP_KEEP:
    case SL_STEP_HASH:
        step_columns(p, st);
        break;
    case SL_STEP_CAST:
        st->column = parse_name(p, "the column to cast");
        expect_word(p, "as", "Expected AS and a type, e.g. CAST a AS date FORMAT 'DD/MM/YYYY'.");
        st->type = parse_type(p);
        if (accept_word(p, "format"))
            st->format = parse_string(p, "Expected the format as a string, e.g. 'DD/MM/YYYY'.");
        break;
    case SL_STEP_MASK:
        step_mask(p, st);
        break;
    case SL_STEP_NULLIF:
    case SL_STEP_DEFAULT:
        step_value(p, st);
        break;
    case SL_STEP_SPLIT:
    case SL_STEP_EXTRACT:
        step_split_extract(p, st);
        break;
    case SL_STEP_FILTER:
        step_filter(p, st);
        break;
    case SL_STEP_COMPUTE:
        step_compute(p, st);
        break;
    default: /* TRIM, LOWER, UPPER */
        st->column = parse_name(p, "a column name");
        break;
    }
}

static void parse_transform(parser *p, sl_create_pipeline *c)
{
    expect_punct(p, '(', "Expected '(' and a list of transform steps.");
    do {
        parse_step(p, parse_push(p, (void **)&c->steps, &c->n_steps, sizeof(sl_step)));
    } while (accept_punct(p, ','));
    expect_punct(p, ')', "Expected ',' and another step, or ')'.");
}

/* ---- pipelines ---- */

static const char *const source_words[SL_SOURCE_COUNT_] = {"files", "s3", "postgres", "http",
                                                           "sftp"};

static void pipeline_source(parser *p, sl_create_pipeline *c)
{
    expect_word(p, "from", "Expected FROM after the pipeline name.");
    parse_token *t = peek(p);
    int k = 0;
    while (k < SL_SOURCE_COUNT_ && !is_word(t, source_words[k]))
        k++;
    if (k == SL_SOURCE_COUNT_)
        parse_fail_syntax(p, t, "Expected one of: FILES, S3, POSTGRES, HTTP, SFTP.");
    p->pos++;
    c->source = (sl_source_kind)k;
    const char *up = sl_source_name(c->source);
    c->location = parse_string(p, c->source == SL_SOURCE_FILES
                                      ? "Expected the location as a string, e.g. "
                                        "'/data/clicks/*.csv.gz'."
                                      : "Expected the location as a string after the source.");
    if (c->source == SL_SOURCE_FILES) {
        if (is_word(peek(p), "connection"))
            parse_fail_syntax(p, peek(p),
                              "A FILES source reads local paths and takes no "
                              "CONNECTION; expected FORMAT, TRANSFORM or INTO.");
        return;
    }
    if (!accept_word(p, "connection"))
        parse_fail_syntax(p, peek(p),
                          "Expected CONNECTION after the %s location: %s sources read through "
                          "a connection.",
                          up, up);
    c->connection_position = parse_char_pos(p, peek(p)->start);
    c->connection = parse_name(p, "the connection name");
}

static void pipeline_format(parser *p, sl_create_pipeline *c)
{
    if (!accept_word(p, "format"))
        return;
    if (accept_word(p, "csv"))
        c->format = SL_FORMAT_CSV;
    else if (accept_word(p, "json"))
        c->format = SL_FORMAT_JSON;
    else
        parse_fail_syntax(p, peek(p), "Expected one of: CSV, JSON.");
    if (is_punct(peek(p), '('))
        parse_options(p, &c->format_options);
    options_check_format(p, c->format, &c->format_options);
}

static void pipeline_target(parser *p, sl_create_pipeline *c)
{
    parse_qname(p, &c->target, false, "the target table name");
    if (!accept_punct(p, '('))
        return;
    do {
        sl_column_def *col =
            parse_push(p, (void **)&c->columns, &c->n_columns, sizeof(sl_column_def));
        col->position = parse_char_pos(p, peek(p)->start);
        col->name = parse_name(p, "a column name");
        col->type = parse_type(p);
    } while (accept_punct(p, ','));
    expect_punct(p, ')', "Expected ',' and another column, or ')'.");
}

static sl_stmt *create_pipeline(parser *p)
{
    sl_stmt *s = new_stmt(p, SL_STMT_CREATE_PIPELINE);
    sl_create_pipeline *c = &s->u.create_pipeline;
    c->if_not_exists = parse_if_not_exists(p);
    c->name = parse_name(p, "the pipeline name");
    pipeline_source(p, c);
    pipeline_format(p, c);
    if (accept_word(p, "transform"))
        parse_transform(p, c);
    if (!accept_word(p, "into"))
        parse_fail_syntax(p, peek(p),
                          c->format == SL_FORMAT_INFERRED && c->n_steps == 0
                              ? "Expected FORMAT, TRANSFORM or INTO."
                          : c->n_steps == 0 ? "Expected TRANSFORM or INTO."
                                            : "Expected INTO.");
    pipeline_target(p, c);
    if (accept_word(p, "with"))
        parse_options(p, &c->options);
    else
        p->end_hint = c->n_columns ? "Expected WITH or the end of the statement."
                                   : "Expected a column list, WITH or the end of the statement.";
    options_check_pipeline(p, &c->options, true);
    return s;
}

static sl_stmt *pipeline_cmd(parser *p, sl_stmt_kind kind)
{
    sl_stmt *s = new_stmt(p, kind);
    s->u.pipeline.name = parse_name(p, "the pipeline name");
    if (kind == SL_STMT_REPLAY_PIPELINE)
        expect_word(p, "errors", "Expected ERRORS after the pipeline name.");
    return s;
}

/* ---- models ---- */

static void model_clauses(parser *p, sl_create_model *m)
{
    if (accept_word(p, "materialized")) {
        expect_word(p, "as", "Expected AS VIEW or AS TABLE after MATERIALIZED.");
        if (accept_word(p, "table"))
            m->materialized = SL_MATERIALIZE_TABLE;
        else if (!accept_word(p, "view"))
            parse_fail_syntax(p, peek(p), "Expected one of: VIEW, TABLE.");
    }
    if (accept_word(p, "refresh")) {
        if (accept_word(p, "on")) {
            expect_word(p, "change", "Expected CHANGE after REFRESH ON.");
        } else if (accept_word(p, "every")) {
            m->refresh = SL_REFRESH_EVERY;
            size_t at = peek(p)->start;
            m->every = parse_string(p, "Expected the interval as a string, e.g. '1 hour'.");
            options_check_interval(p, m->every, at);
        } else if (accept_word(p, "manual")) {
            m->refresh = SL_REFRESH_MANUAL;
        } else {
            parse_fail_syntax(p, peek(p), "Expected one of: ON CHANGE, EVERY 'interval', MANUAL.");
        }
    }
    if (accept_word(p, "with")) {
        parse_options(p, &m->options);
        options_check_model(p, &m->options);
    }
}

static sl_stmt *create_model(parser *p)
{
    sl_stmt *s = new_stmt(p, SL_STMT_CREATE_MODEL);
    sl_create_model *m = &s->u.create_model;
    m->if_not_exists = parse_if_not_exists(p);
    m->name = parse_name(p, "the model name");
    model_clauses(p, m);
    if (!accept_word(p, "as"))
        parse_fail_syntax(p, peek(p),
                          m->options.n ? "Expected AS and the model's SELECT."
                                       : "Expected MATERIALIZED AS, REFRESH, WITH "
                                         "or AS and the model's SELECT.");
    if (peek(p)->kind == TOK_EOF || is_punct(peek(p), ';'))
        parse_fail_syntax(p, peek(p), "Expected the model's SELECT after AS.");
    int last = p->ntoks - 1;
    if (is_punct(&p->toks[last], ';'))
        last--;
    size_t start = peek(p)->start, end = p->toks[last].end;
    m->select = parse_strndup(p, p->sql + start, end - start);
    m->select_position = parse_char_pos(p, start);
    p->pos = last + 1;
    select_analyze(p, m, start);
    return s;
}

static sl_stmt *refresh_model(parser *p)
{
    sl_stmt *s = new_stmt(p, SL_STMT_REFRESH_MODEL);
    s->u.refresh_model.name = parse_name(p, "the model name");
    s->u.refresh_model.full = accept_word(p, "full");
    if (!s->u.refresh_model.full)
        p->end_hint = "Expected FULL or the end of the statement.";
    return s;
}

/* ---- sharing ---- */

static sl_stmt *share(parser *p, bool unshare)
{
    sl_stmt *s = new_stmt(p, unshare ? SL_STMT_UNSHARE : SL_STMT_SHARE);
    sl_share *sh = &s->u.share;
    if (accept_word(p, "table")) {
        sh->object = SL_SHARE_TABLE;
        do {
            parse_qname(p,
                        parse_push(p, (void **)&sh->tables.items, &sh->tables.n, sizeof(sl_qname)),
                        true, "a schema-qualified table name (schema.table)");
        } while (!unshare && accept_punct(p, ','));
    } else if (accept_word(p, "schema")) {
        sh->object = SL_SHARE_SCHEMA;
        sh->schema = parse_name(p, "the schema name");
    } else {
        parse_fail_syntax(p, peek(p), "Expected one of: TABLE, SCHEMA.");
    }
    const char *to = unshare ? "from" : "with";
    if (!accept_word(p, to))
        parse_fail_syntax(p, peek(p),
                          unshare ? "Expected FROM and the consumer connection."
                          : sh->object == SL_SHARE_TABLE
                              ? "Expected ',' and another table, or WITH and the consumer "
                                "connection."
                              : "Expected WITH and the consumer connection.");
    sh->consumer = parse_name(p, "the consumer connection name");
    if (unshare)
        return s;
    if (accept_word(p, "to")) {
        expect_word(p, "group", "Expected GROUP after TO.");
        sh->group = parse_name(p, "the group name");
    } else {
        p->end_hint = "Expected TO GROUP or the end of the statement.";
    }
    return s;
}

/* ---- SHOW ---- */

static sl_stmt *show_pipeline(parser *p)
{
    sl_stmt *s = new_stmt(p, SL_STMT_SHOW_PIPELINE);
    sl_show_pipeline *sp = &s->u.show_pipeline;
    sp->limit = -1;
    /* SHOW PIPELINE errors: the pipeline called "errors"; SHOW PIPELINE ERRORS x: its errors */
    if (is_word(peek(p), "errors") && is_name(peek_at(p, 1))) {
        p->pos++;
        sp->errors = true;
    }
    sp->name = parse_name(p, "the pipeline name");
    if (sp->errors) {
        if (accept_word(p, "limit"))
            sp->limit = parse_count(p, "Expected a number of rows after LIMIT.");
        else
            p->end_hint = "Expected LIMIT or the end of the statement.";
    }
    return s;
}

static sl_stmt *show_create(parser *p)
{
    sl_stmt *s = new_stmt(p, SL_STMT_SHOW_CREATE);
    if (accept_word(p, "pipeline"))
        s->u.show_create.object = SL_OBJECT_PIPELINE;
    else if (accept_word(p, "model"))
        s->u.show_create.object = SL_OBJECT_MODEL;
    else
        parse_fail_syntax(p, peek(p), "Expected one of: PIPELINE, MODEL.");
    s->u.show_create.name = parse_name(
        p, s->u.show_create.object == SL_OBJECT_MODEL ? "the model name" : "the pipeline name");
    return s;
}

static sl_stmt *show(parser *p)
{
    static const struct {
        const char *word;
        sl_stmt_kind kind;
    } lists[] = {{"pipelines", SL_STMT_SHOW_PIPELINES},
                 {"models", SL_STMT_SHOW_MODELS},
                 {"connections", SL_STMT_SHOW_CONNECTIONS},
                 {"shares", SL_STMT_SHOW_SHARES}};
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
        if (accept_word(p, lists[i].word))
            return new_stmt(p, lists[i].kind);
    if (accept_word(p, "pipeline"))
        return show_pipeline(p);
    if (accept_word(p, "create"))
        return show_create(p);
    if (accept_word(p, "sluice")) {
        sl_stmt *s = new_stmt(p, SL_STMT_SHOW_SLUICE);
        expect_punct(p, '.', "Expected '.' and a setting name, e.g. SHOW sluice.version.");
        parse_token *t = peek(p);
        if (t->kind != TOK_WORD && t->kind != TOK_QIDENT)
            parse_fail_syntax(p, t, "Expected a setting name, e.g. SHOW sluice.version.");
        s->u.show_sluice.setting = advance(p)->text;
        return s;
    }
    parse_fail_syntax(p, peek(p),
                      "Expected one of: PIPELINES, PIPELINE, MODELS, CONNECTIONS, "
                      "SHARES, CREATE, sluice.<setting>.");
}

/* ---- EXPLAIN and the statement dispatch ---- */

static sl_stmt *statement(parser *p, bool explain_allowed);

/* ( DIALECT postgres | redshift ) */
static sl_dialect explain_options(parser *p)
{
    sl_dialect d = SL_DIALECT_DEFAULT;
    do {
        parse_token *t = peek(p);
        if (t->kind != TOK_WORD)
            parse_fail_syntax(p, t, "Expected an EXPLAIN option: DIALECT postgres | redshift.");
        if (!is_word(t, "dialect"))
            parse_fail(p, "22023", t->start, "Valid options: dialect.",
                       "unknown EXPLAIN option \"%.*s\"", (int)(t->end - t->start),
                       p->sql + t->start);
        p->pos++;
        t = peek(p);
        if (is_word(t, "postgres") || (t->kind == TOK_STRING && !strcmp(t->text, "postgres")))
            d = SL_DIALECT_POSTGRES;
        else if (is_word(t, "redshift") || (t->kind == TOK_STRING && !strcmp(t->text, "redshift")))
            d = SL_DIALECT_REDSHIFT;
        else
            parse_fail_syntax(p, t, "Expected one of: postgres, redshift.");
        p->pos++;
    } while (accept_punct(p, ','));
    expect_punct(p, ')', "Expected ')' after the EXPLAIN options.");
    return d;
}

static sl_stmt *explain(parser *p)
{
    sl_stmt *s = new_stmt(p, SL_STMT_EXPLAIN);
    if (accept_punct(p, '('))
        s->u.explain.dialect = explain_options(p);
    s->u.explain.stmt = statement(p, false);
    return s;
}

static sl_stmt *create_alter_drop(parser *p, const char *verb)
{
    bool create = verb[0] == 'c', alter = verb[0] == 'a';
    if (accept_word(p, "pipeline"))
        return create  ? create_pipeline(p)
               : alter ? alter_set(p, SL_STMT_ALTER_PIPELINE, "the pipeline name")
                       : drop(p, SL_STMT_DROP_PIPELINE, "the pipeline name");
    if (accept_word(p, "connection"))
        return create  ? create_connection(p)
               : alter ? alter_set(p, SL_STMT_ALTER_CONNECTION, "the connection name")
                       : drop(p, SL_STMT_DROP_CONNECTION, "the connection name");
    if (!alter && accept_word(p, "model"))
        return create ? create_model(p) : drop(p, SL_STMT_DROP_MODEL, "the model name");
    parse_fail_syntax(p, peek(p),
                      alter ? "Expected one of: PIPELINE, CONNECTION."
                            : "Expected one of: PIPELINE, MODEL, CONNECTION.");
}

static sl_stmt *statement(parser *p, bool explain_allowed)
{
    static const struct {
        const char *word;
        sl_stmt_kind kind;
    } cmds[] = {{"start", SL_STMT_START_PIPELINE},
                {"stop", SL_STMT_STOP_PIPELINE},
                {"run", SL_STMT_RUN_PIPELINE},
                {"replay", SL_STMT_REPLAY_PIPELINE}};
    parse_token *t = advance(p);
    if (is_word(t, "create") || is_word(t, "alter") || is_word(t, "drop"))
        return create_alter_drop(p, t->text);
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        if (is_word(t, cmds[i].word)) {
            expect_word(p, "pipeline", "Expected PIPELINE.");
            return pipeline_cmd(p, cmds[i].kind);
        }
    if (is_word(t, "refresh")) {
        if (accept_word(p, "pipeline"))
            return pipeline_cmd(p, SL_STMT_REFRESH_PIPELINE);
        expect_word(p, "model", "Expected one of: PIPELINE, MODEL.");
        return refresh_model(p);
    }
    if (is_word(t, "show"))
        return show(p);
    if (is_word(t, "share") || is_word(t, "unshare"))
        return share(p, t->text[0] == 'u');
    if (explain_allowed && is_word(t, "explain"))
        return explain(p);
    parse_fail_syntax(p, t,
                      explain_allowed
                          ? "Expected a sluice statement: CREATE, ALTER, DROP, START, "
                            "STOP, RUN, REFRESH, REPLAY, SHOW, SHARE, UNSHARE or EXPLAIN."
                          : "Expected the sluice statement to explain.");
}

sl_stmt *grammar_statement(parser *p)
{
    sl_stmt *s = statement(p, true);
    accept_punct(p, ';');
    if (peek(p)->kind != TOK_EOF)
        parse_fail_syntax(p, peek(p), "%s", p->end_hint);
    return s;
}
