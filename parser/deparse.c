/*
 * deparse.c — an AST back to SQL text (SHOW CREATE), and equality of two ASTs.
 *
 * The text is canonical: keywords upper case, every default spelled out (MATERIALIZED AS
 * VIEW, REFRESH ON CHANGE), names double-quoted when they would not read back as
 * themselves (upper case, spaces, keywords), strings as '…'. sl_parse of it gives an equal
 * tree; the unit tests and the fuzzer hold it to that.
 */
#include "parse_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- parse_buf ---- */

static bool pbuf_grow(parse_buf *b, size_t need)
{
    if (b->failed)
        return false;
    if (b->len + need + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + need + 1)
        cap *= 2;
    char *s;
    if (b->p) {
        s = parse_alloc(b->p, cap);
        if (b->len)
            memcpy(s, b->s, b->len);
    } else {
        s = realloc(b->s, cap);
        if (!s) {
            b->failed = true;
            return false;
        }
    }
    b->s = s;
    b->cap = cap;
    return true;
}

void pbuf_putn(parse_buf *b, const char *s, size_t n)
{
    if (!pbuf_grow(b, n))
        return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void pbuf_puts(parse_buf *b, const char *s)
{
    pbuf_putn(b, s, strlen(s));
}

void pbuf_printf(parse_buf *b, const char *fmt, ...)
{
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n >= 0 && pbuf_grow(b, (size_t)n)) {
        vsnprintf(b->s + b->len, (size_t)n + 1, fmt, again);
        b->len += (size_t)n;
    }
    va_end(again);
}

static bool simple_word(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '$'))
            return false;
    return true;
}

static void put_quoted(parse_buf *b, const char *s, char q)
{
    pbuf_putn(b, &q, 1);
    for (const char *c = s; *c; c++) {
        if (*c == q)
            pbuf_putn(b, &q, 1);
        pbuf_putn(b, c, 1);
    }
    pbuf_putn(b, &q, 1);
}

void pbuf_put_ident(parse_buf *b, const char *name)
{
    if (simple_word(name) && lex_keyword_of(name) != LEX_RESERVED)
        pbuf_puts(b, name);
    else
        put_quoted(b, name, '"');
}

void pbuf_put_type_word(parse_buf *b, const char *word)
{
    if (simple_word(word) && lex_keyword_of(word) == LEX_NOT_KEYWORD)
        pbuf_puts(b, word);
    else
        put_quoted(b, word, '"');
}

/* Where any word reads back as itself (option names, setting names, value words). */
static void put_word(parse_buf *b, const char *w)
{
    if (simple_word(w) && strcmp(w, "true") != 0 && strcmp(w, "false") != 0)
        pbuf_puts(b, w);
    else
        put_quoted(b, w, '"');
}

void pbuf_put_literal(parse_buf *b, const char *s)
{
    put_quoted(b, s, '\'');
}

/* ---- names of things ---- */

const char *sl_conn_kind_name(sl_conn_kind k)
{
    static const char *const n[SL_CONN_COUNT_] = {"S3", "POSTGRES", "REDSHIFT", "HTTP", "SFTP"};
    return k < SL_CONN_COUNT_ ? n[k] : "?";
}

const char *sl_source_name(sl_source_kind k)
{
    static const char *const n[SL_SOURCE_COUNT_] = {"FILES", "S3", "POSTGRES", "HTTP", "SFTP"};
    return k < SL_SOURCE_COUNT_ ? n[k] : "?";
}

const char *sl_step_name(sl_step_kind k)
{
    static const char *const n[SL_STEP_COUNT_] = {
        "RENAME", "DROP",   "KEEP",    "CAST",  "HASH",    "MASK",   "TRIM",    "LOWER",
        "UPPER",  "NULLIF", "DEFAULT", "SPLIT", "EXTRACT", "FILTER", "COMPUTE",
    };
    return k < SL_STEP_COUNT_ ? n[k] : "?";
}

const char *sl_filter_op_name(sl_filter_op op)
{
    static const char *const n[SL_OP_COUNT_] = {
        "=", "<>", "<", "<=", ">", ">=", "LIKE", "IS NULL", "IS NOT NULL", "IN",
    };
    return op < SL_OP_COUNT_ ? n[op] : "?";
}

/* ---- pieces ---- */

static void put_value(parse_buf *b, const sl_value *v)
{
    switch (v->kind) {
    case SL_VALUE_STRING:
        pbuf_put_literal(b, v->text);
        break;
    case SL_VALUE_NUMBER:
        pbuf_puts(b, v->text);
        break;
    case SL_VALUE_BOOL:
        pbuf_puts(b, strcmp(v->text, "true") == 0 ? "TRUE" : "FALSE");
        break;
    case SL_VALUE_WORD:
        put_word(b, v->text);
        break;
    }
}

static void put_options(parse_buf *b, const char *lead, const sl_options *o)
{
    if (o->n == 0)
        return;
    pbuf_puts(b, lead);
    pbuf_puts(b, "(");
    for (int i = 0; i < o->n; i++) {
        pbuf_puts(b, i ? ", " : "");
        put_word(b, o->items[i].name);
        pbuf_puts(b, " = ");
        put_value(b, &o->items[i].value);
    }
    pbuf_puts(b, ")");
}

static void put_names(parse_buf *b, const sl_names *l)
{
    for (int i = 0; i < l->n; i++) {
        pbuf_puts(b, i ? ", " : "");
        pbuf_put_ident(b, l->items[i]);
    }
}

static void put_qname(parse_buf *b, const sl_qname *q)
{
    if (q->schema) {
        pbuf_put_ident(b, q->schema);
        pbuf_puts(b, ".");
    }
    pbuf_put_ident(b, q->name);
}

static void put_step_body(parse_buf *b, const sl_step *st)
{
    switch (st->kind) {
    case SL_STEP_RENAME:
        pbuf_puts(b, " TO ");
        pbuf_put_ident(b, st->new_name);
        break;
    case SL_STEP_CAST:
        pbuf_puts(b, " AS ");
        pbuf_puts(b, st->type);
        if (st->format) {
            pbuf_puts(b, " FORMAT ");
            pbuf_put_literal(b, st->format);
        }
        break;
    case SL_STEP_MASK:
        if (st->keep_last >= 0)
            pbuf_printf(b, " KEEP LAST %ld", st->keep_last);
        break;
    case SL_STEP_NULLIF:
    case SL_STEP_DEFAULT:
        pbuf_puts(b, " ");
        pbuf_put_literal(b, st->text);
        break;
    case SL_STEP_SPLIT:
    case SL_STEP_EXTRACT:
        pbuf_puts(b, st->kind == SL_STEP_SPLIT ? " ON " : " MATCHING ");
        pbuf_put_literal(b, st->text);
        pbuf_puts(b, " INTO (");
        put_names(b, &st->into);
        pbuf_puts(b, ")");
        break;
    case SL_STEP_COMPUTE:
        pbuf_puts(b, " AS ");
        pbuf_puts(b, st->text);
        break;
    default:
        break;
    }
}

static void put_step(parse_buf *b, const sl_step *st)
{
    pbuf_puts(b, sl_step_name(st->kind));
    pbuf_puts(b, " ");
    if (st->kind == SL_STEP_DROP || st->kind == SL_STEP_KEEP || st->kind == SL_STEP_HASH) {
        put_names(b, &st->columns);
        return;
    }
    pbuf_put_ident(b, st->column);
    if (st->kind != SL_STEP_FILTER) {
        put_step_body(b, st);
        return;
    }
    pbuf_puts(b, " ");
    pbuf_puts(b, sl_filter_op_name(st->op));
    if (st->op == SL_OP_IN)
        pbuf_puts(b, " (");
    for (int i = 0; i < st->n_values; i++) {
        pbuf_puts(b, i ? ", " : st->op == SL_OP_IN ? "" : " ");
        put_value(b, &st->values[i]);
    }
    if (st->op == SL_OP_IN)
        pbuf_puts(b, ")");
}

/* ---- statements ---- */

static void put_pipeline(parse_buf *b, const sl_create_pipeline *c)
{
    pbuf_puts(b, c->if_not_exists ? "CREATE PIPELINE IF NOT EXISTS " : "CREATE PIPELINE ");
    pbuf_put_ident(b, c->name);
    pbuf_printf(b, " FROM %s ", sl_source_name(c->source));
    pbuf_put_literal(b, c->location);
    if (c->connection) {
        pbuf_puts(b, " CONNECTION ");
        pbuf_put_ident(b, c->connection);
    }
    if (c->format != SL_FORMAT_INFERRED) {
        pbuf_puts(b, c->format == SL_FORMAT_CSV ? " FORMAT CSV" : " FORMAT JSON");
        put_options(b, " ", &c->format_options);
    }
    for (int i = 0; i < c->n_steps; i++) {
        pbuf_puts(b, i ? ", " : " TRANSFORM (");
        put_step(b, &c->steps[i]);
    }
    pbuf_puts(b, c->n_steps ? ") INTO " : " INTO ");
    put_qname(b, &c->target);
    for (int i = 0; i < c->n_columns; i++) {
        pbuf_puts(b, i ? ", " : " (");
        pbuf_put_ident(b, c->columns[i].name);
        pbuf_puts(b, " ");
        pbuf_puts(b, c->columns[i].type);
    }
    pbuf_puts(b, c->n_columns ? ")" : "");
    put_options(b, " WITH ", &c->options);
}

static void put_model(parse_buf *b, const sl_create_model *m)
{
    pbuf_puts(b, m->if_not_exists ? "CREATE MODEL IF NOT EXISTS " : "CREATE MODEL ");
    pbuf_put_ident(b, m->name);
    pbuf_puts(b, m->materialized == SL_MATERIALIZE_TABLE ? " MATERIALIZED AS TABLE"
                                                         : " MATERIALIZED AS VIEW");
    if (m->refresh == SL_REFRESH_EVERY) {
        pbuf_puts(b, " REFRESH EVERY ");
        pbuf_put_literal(b, m->every);
    } else {
        pbuf_puts(b, m->refresh == SL_REFRESH_MANUAL ? " REFRESH MANUAL" : " REFRESH ON CHANGE");
    }
    put_options(b, " WITH ", &m->options);
    pbuf_puts(b, " AS ");
    pbuf_puts(b, m->select);
}

static void put_share(parse_buf *b, const sl_stmt *s)
{
    const sl_share *sh = &s->u.share;
    bool un = s->kind == SL_STMT_UNSHARE;
    pbuf_puts(b, un ? "UNSHARE " : "SHARE ");
    if (sh->object == SL_SHARE_SCHEMA) {
        pbuf_puts(b, "SCHEMA ");
        pbuf_put_ident(b, sh->schema);
    }
    for (int i = 0; sh->object == SL_SHARE_TABLE && i < sh->tables.n; i++) {
        pbuf_puts(b, i ? ", " : "TABLE ");
        put_qname(b, &sh->tables.items[i]);
    }
    pbuf_puts(b, un ? " FROM " : " WITH ");
    pbuf_put_ident(b, sh->consumer);
    if (sh->group) {
        pbuf_puts(b, " TO GROUP ");
        pbuf_put_ident(b, sh->group);
    }
}

static void put_named(parse_buf *b, const char *lead, const char *name, const char *tail)
{
    pbuf_puts(b, lead);
    pbuf_put_ident(b, name);
    pbuf_puts(b, tail);
}

static void put_show(parse_buf *b, const sl_stmt *s)
{
    if (s->kind == SL_STMT_SHOW_PIPELINE) {
        const sl_show_pipeline *sp = &s->u.show_pipeline;
        put_named(b, sp->errors ? "SHOW PIPELINE ERRORS " : "SHOW PIPELINE ", sp->name, "");
        if (sp->limit >= 0)
            pbuf_printf(b, " LIMIT %ld", sp->limit);
    } else if (s->kind == SL_STMT_SHOW_CREATE) {
        put_named(b,
                  s->u.show_create.object == SL_OBJECT_MODEL ? "SHOW CREATE MODEL "
                                                             : "SHOW CREATE PIPELINE ",
                  s->u.show_create.name, "");
    } else if (s->kind == SL_STMT_SHOW_SLUICE) {
        pbuf_puts(b, "SHOW sluice.");
        put_word(b, s->u.show_sluice.setting);
    } else {
        pbuf_puts(b, classify_label(s->kind));
    }
}

static void put_drop(parse_buf *b, const sl_stmt *s)
{
    pbuf_puts(b, classify_label(s->kind));
    pbuf_puts(b, s->u.drop.if_exists ? " IF EXISTS " : " ");
    pbuf_put_ident(b, s->u.drop.name);
    if (s->u.drop.and_table)
        pbuf_puts(b, " AND TABLE");
}

static void put_stmt(parse_buf *b, const sl_stmt *s)
{
    switch (s->kind) {
    case SL_STMT_CREATE_CONNECTION: {
        const sl_create_connection *c = &s->u.create_connection;
        put_named(b, c->if_not_exists ? "CREATE CONNECTION IF NOT EXISTS " : "CREATE CONNECTION ",
                  c->name, " TYPE ");
        pbuf_puts(b, sl_conn_kind_name(c->kind));
        put_options(b, " WITH ", &c->options);
        break;
    }
    case SL_STMT_ALTER_CONNECTION:
    case SL_STMT_ALTER_PIPELINE:
        put_named(b, s->kind == SL_STMT_ALTER_PIPELINE ? "ALTER PIPELINE " : "ALTER CONNECTION ",
                  s->u.alter.name, "");
        put_options(b, " SET ", &s->u.alter.options);
        break;
    case SL_STMT_DROP_CONNECTION:
    case SL_STMT_DROP_PIPELINE:
    case SL_STMT_DROP_MODEL:
        put_drop(b, s);
        break;
    case SL_STMT_CREATE_PIPELINE:
        put_pipeline(b, &s->u.create_pipeline);
        break;
    case SL_STMT_START_PIPELINE:
    case SL_STMT_STOP_PIPELINE:
    case SL_STMT_RUN_PIPELINE:
    case SL_STMT_REFRESH_PIPELINE:
    case SL_STMT_REPLAY_PIPELINE:
        pbuf_puts(b, classify_label(s->kind));
        put_named(b, " ", s->u.pipeline.name, s->kind == SL_STMT_REPLAY_PIPELINE ? " ERRORS" : "");
        break;
    case SL_STMT_CREATE_MODEL:
        put_model(b, &s->u.create_model);
        break;
    case SL_STMT_REFRESH_MODEL:
        put_named(b, "REFRESH MODEL ", s->u.refresh_model.name,
                  s->u.refresh_model.full ? " FULL" : "");
        break;
    case SL_STMT_SHARE:
    case SL_STMT_UNSHARE:
        put_share(b, s);
        break;
    case SL_STMT_EXPLAIN:
        pbuf_puts(b, s->u.explain.dialect == SL_DIALECT_POSTGRES   ? "EXPLAIN (DIALECT postgres) "
                     : s->u.explain.dialect == SL_DIALECT_REDSHIFT ? "EXPLAIN (DIALECT redshift) "
                                                                   : "EXPLAIN ");
        put_stmt(b, s->u.explain.stmt);
        break;
    default:
        put_show(b, s);
        break;
    }
}

char *sl_stmt_to_sql(const sl_stmt *s)
{
    parse_buf b = {0};
    put_stmt(&b, s);
    if (b.failed || !b.s) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

/* ---- equality ---- */

static bool str_eq(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static bool value_eq(const sl_value *a, const sl_value *b)
{
    return a->kind == b->kind && str_eq(a->text, b->text);
}

static bool options_eq(const sl_options *a, const sl_options *b)
{
    if (a->n != b->n)
        return false;
    for (int i = 0; i < a->n; i++)
        if (!str_eq(a->items[i].name, b->items[i].name) ||
            !value_eq(&a->items[i].value, &b->items[i].value))
            return false;
    return true;
}

static bool names_eq(const sl_names *a, const sl_names *b)
{
    if (a->n != b->n)
        return false;
    for (int i = 0; i < a->n; i++)
        if (!str_eq(a->items[i], b->items[i]))
            return false;
    return true;
}

static bool qname_eq(const sl_qname *a, const sl_qname *b)
{
    return str_eq(a->schema, b->schema) && str_eq(a->name, b->name);
}

static bool qnames_eq(const sl_qnames *a, const sl_qnames *b)
{
    if (a->n != b->n)
        return false;
    for (int i = 0; i < a->n; i++)
        if (!qname_eq(&a->items[i], &b->items[i]))
            return false;
    return true;
}

static bool step_eq(const sl_step *a, const sl_step *b)
{
    if (a->kind != b->kind || !str_eq(a->column, b->column) || !str_eq(a->new_name, b->new_name) ||
        !names_eq(&a->columns, &b->columns) || !str_eq(a->type, b->type) ||
        !str_eq(a->format, b->format) || a->keep_last != b->keep_last ||
        !str_eq(a->text, b->text) || !names_eq(&a->into, &b->into) || a->op != b->op ||
        a->n_values != b->n_values)
        return false;
    for (int i = 0; i < a->n_values; i++)
        if (!value_eq(&a->values[i], &b->values[i]))
            return false;
    return true;
}

static bool pipeline_eq(const sl_create_pipeline *a, const sl_create_pipeline *b)
{
    if (!str_eq(a->name, b->name) || a->if_not_exists != b->if_not_exists ||
        a->source != b->source || !str_eq(a->location, b->location) ||
        !str_eq(a->connection, b->connection) || a->format != b->format ||
        !options_eq(&a->format_options, &b->format_options) || a->n_steps != b->n_steps ||
        !qname_eq(&a->target, &b->target) || a->n_columns != b->n_columns ||
        !options_eq(&a->options, &b->options))
        return false;
    for (int i = 0; i < a->n_steps; i++)
        if (!step_eq(&a->steps[i], &b->steps[i]))
            return false;
    for (int i = 0; i < a->n_columns; i++)
        if (!str_eq(a->columns[i].name, b->columns[i].name) ||
            !str_eq(a->columns[i].type, b->columns[i].type))
            return false;
    return true;
}

static bool model_eq(const sl_create_model *a, const sl_create_model *b)
{
    return str_eq(a->name, b->name) && a->if_not_exists == b->if_not_exists &&
           a->materialized == b->materialized && a->refresh == b->refresh &&
           str_eq(a->every, b->every) && options_eq(&a->options, &b->options) &&
           str_eq(a->select, b->select) && qnames_eq(&a->base_tables, &b->base_tables);
}

static bool share_eq(const sl_share *a, const sl_share *b)
{
    return a->object == b->object && qnames_eq(&a->tables, &b->tables) &&
           str_eq(a->schema, b->schema) && str_eq(a->consumer, b->consumer) &&
           str_eq(a->group, b->group);
}

bool sl_stmt_equal(const sl_stmt *a, const sl_stmt *b)
{
    if (a->kind != b->kind)
        return false;
    const void *ua = &a->u, *ub = &b->u;
    switch (a->kind) {
    case SL_STMT_CREATE_CONNECTION: {
        const sl_create_connection *x = ua, *y = ub;
        return str_eq(x->name, y->name) && x->if_not_exists == y->if_not_exists &&
               x->kind == y->kind && options_eq(&x->options, &y->options);
    }
    case SL_STMT_ALTER_CONNECTION:
    case SL_STMT_ALTER_PIPELINE:
        return str_eq(a->u.alter.name, b->u.alter.name) &&
               options_eq(&a->u.alter.options, &b->u.alter.options);
    case SL_STMT_DROP_CONNECTION:
    case SL_STMT_DROP_PIPELINE:
    case SL_STMT_DROP_MODEL:
        return str_eq(a->u.drop.name, b->u.drop.name) &&
               a->u.drop.if_exists == b->u.drop.if_exists &&
               a->u.drop.and_table == b->u.drop.and_table;
    case SL_STMT_CREATE_PIPELINE:
        return pipeline_eq(ua, ub);
    case SL_STMT_START_PIPELINE:
    case SL_STMT_STOP_PIPELINE:
    case SL_STMT_RUN_PIPELINE:
    case SL_STMT_REFRESH_PIPELINE:
    case SL_STMT_REPLAY_PIPELINE:
        return str_eq(a->u.pipeline.name, b->u.pipeline.name);
    case SL_STMT_SHOW_PIPELINE:
        return str_eq(a->u.show_pipeline.name, b->u.show_pipeline.name) &&
               a->u.show_pipeline.errors == b->u.show_pipeline.errors &&
               a->u.show_pipeline.limit == b->u.show_pipeline.limit;
    case SL_STMT_CREATE_MODEL:
        return model_eq(ua, ub);
    case SL_STMT_REFRESH_MODEL:
        return str_eq(a->u.refresh_model.name, b->u.refresh_model.name) &&
               a->u.refresh_model.full == b->u.refresh_model.full;
    case SL_STMT_SHARE:
    case SL_STMT_UNSHARE:
        return share_eq(ua, ub);
    case SL_STMT_SHOW_CREATE:
        return a->u.show_create.object == b->u.show_create.object &&
               str_eq(a->u.show_create.name, b->u.show_create.name);
    case SL_STMT_SHOW_SLUICE:
        return str_eq(a->u.show_sluice.setting, b->u.show_sluice.setting);
    case SL_STMT_EXPLAIN:
        return a->u.explain.dialect == b->u.explain.dialect &&
               sl_stmt_equal(a->u.explain.stmt, b->u.explain.stmt);
    default:
        return true; /* SHOW PIPELINES / MODELS / CONNECTIONS / SHARES */
    }
}
