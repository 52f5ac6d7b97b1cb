/*
 * select.c — the SQL inside our statements, through libpg_query: a model's query must be
 * one valid SELECT, and its base tables become the model's dependencies; a COMPUTE step's
 * expression must be one valid SQL expression.
 *
 * Base tables are the RangeVar nodes of the tree, found by a walk over every message
 * field (so FROM, JOIN, subqueries in any clause, CTE bodies, set operations are all
 * covered without listing them), minus the names of CTEs in scope.
 */
#include "parse_internal.h"

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libpg_query's error, at its position in the statement (text began at byte off). */
static _Noreturn void fail_pg(parser *p, PgQueryProtobufParseResult *r, const char *text,
                              size_t off, size_t skip, const char *hint)
{
    char msg[sizeof(p->err->message)];
    snprintf(msg, sizeof(msg), "%s", r->error->message ? r->error->message : "syntax error");
    int cur = r->error->cursorpos;
    pg_query_free_protobuf_parse_result(*r);
    size_t at = PARSE_NO_POS;
    if (cur > 0) {
        size_t b = parse_byte_off(text, strlen(text), cur);
        at = off + (b > skip ? b - skip : 0);
    }
    parse_fail(p, "42601", at, hint, "%s", msg);
}

/* Parses text; on success the unpacked tree is in p->pending. */
static PgQuery__ParseResult *parse_sql(parser *p, const char *text, size_t off, size_t skip,
                                       const char *hint)
{
    PgQueryProtobufParseResult r = pg_query_parse_protobuf(text);
    if (r.error)
        fail_pg(p, &r, text, off, skip, hint);
    p->pending =
        pg_query__parse_result__unpack(NULL, r.parse_tree.len, (const uint8_t *)r.parse_tree.data);
    pg_query_free_protobuf_parse_result(r);
    if (!p->pending)
        parse_fail_oom(p);
    return p->pending;
}

static void done_sql(parser *p)
{
    pg_query__parse_result__free_unpacked(p->pending, NULL);
    p->pending = NULL;
}

/* ---- the walk ---- */

typedef struct {
    parser *p;
    size_t off; /* where the query starts in the statement */
    sl_qnames *out;
    char **ctes; /* names of CTEs in scope, innermost last */
    int n_ctes;
} walk_ctx;

static void walk(walk_ctx *w, const ProtobufCMessage *m);

static bool cte_in_scope(const walk_ctx *w, const char *name)
{
    for (int i = 0; i < w->n_ctes; i++)
        if (strcmp(w->ctes[i], name) == 0)
            return true;
    return false;
}

static void add_table(walk_ctx *w, const PgQuery__RangeVar *rv)
{
    const char *schema = rv->schemaname && rv->schemaname[0] ? rv->schemaname : NULL;
    if (!schema && cte_in_scope(w, rv->relname))
        return;
    for (int i = 0; i < w->out->n; i++) {
        const sl_qname *q = &w->out->items[i];
        if (strcmp(q->name, rv->relname) == 0 &&
            (schema ? q->schema && strcmp(q->schema, schema) == 0 : !q->schema))
            return;
    }
    sl_qname *q = parse_push(w->p, (void **)&w->out->items, &w->out->n, sizeof(*q));
    q->schema = schema ? parse_strdup(w->p, schema) : NULL;
    q->name = parse_strdup(w->p, rv->relname);
    q->position = parse_char_pos(w->p, w->off + (size_t)(rv->location > 0 ? rv->location : 0));
}

/* Every message-valued field of m (but skip_field), in declaration order. */
static void walk_fields(walk_ctx *w, const ProtobufCMessage *m, const char *skip_field)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        const char *base = (const char *)m;
        if (f->type != PROTOBUF_C_TYPE_MESSAGE || (skip_field && !strcmp(f->name, skip_field)))
            continue;
        if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
            *(const uint32_t *)(base + f->quantifier_offset) != f->id)
            continue;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)(base + f->quantifier_offset);
            ProtobufCMessage *const *items = *(ProtobufCMessage *const *const *)(base + f->offset);
            for (size_t k = 0; k < n; k++)
                walk(w, items[k]);
        } else {
            const ProtobufCMessage *sub = *(const ProtobufCMessage *const *)(base + f->offset);
            if (sub)
                walk(w, sub);
        }
    }
}

/* WITH: a CTE sees the CTEs before it (all of them when RECURSIVE); the body sees all. */
static void walk_with(walk_ctx *w, const PgQuery__SelectStmt *s)
{
    const PgQuery__WithClause *wc = s->with_clause;
    int base = w->n_ctes;
    for (int pass = wc->recursive ? 0 : 1; pass < 2; pass++)
        for (size_t i = 0; i < wc->n_ctes; i++) {
            const PgQuery__Node *n = wc->ctes[i];
            if (n->node_case != PG_QUERY__NODE__NODE_COMMON_TABLE_EXPR)
                continue;
            const PgQuery__CommonTableExpr *cte = n->common_table_expr;
            if (pass == 1 && cte->ctequery)
                walk(w, &cte->ctequery->base);
            if (pass == 0 || !wc->recursive)
                *(char **)parse_push(w->p, (void **)&w->ctes, &w->n_ctes, sizeof(char *)) =
                    cte->ctename;
        }
    walk_fields(w, &s->base, "with_clause");
    w->n_ctes = base;
}

static void walk(walk_ctx *w, const ProtobufCMessage *m)
{
    if (m->descriptor == &pg_query__range_var__descriptor) {
        add_table(w, (const PgQuery__RangeVar *)m);
    } else if (m->descriptor == &pg_query__select_stmt__descriptor &&
               ((const PgQuery__SelectStmt *)m)->with_clause) {
        walk_with(w, (const PgQuery__SelectStmt *)m);
    } else {
        walk_fields(w, m, NULL);
    }
}

/* ---- the entry points ---- */

void select_analyze(parser *p, sl_create_model *m, size_t off)
{
    PgQuery__ParseResult *tree =
        parse_sql(p, m->select, off, 0, "The query after AS must be one PostgreSQL SELECT.");
    if (tree->n_stmts != 1) {
        size_t at = off;
        if (tree->n_stmts > 1)
            at += classify_skip_blank(m->select, strlen(m->select),
                                      (size_t)tree->stmts[1]->stmt_location);
        parse_fail(p, "42601", at, "Define a model with one SELECT statement.",
                   "a model's query must be a single SELECT");
    }
    const PgQuery__Node *n = tree->stmts[0]->stmt;
    if (!n || n->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
        parse_fail(p, "42601", off, "Define a model with one SELECT statement.",
                   "a model's query must be a SELECT");
    if (n->select_stmt->into_clause)
        parse_fail(p, "42601", off, "sluice creates the model's relation itself; remove INTO.",
                   "a model's query cannot be SELECT … INTO");
    walk_ctx w = {.p = p, .off = off, .out = &m->base_tables};
    walk(&w, &n->base);
    done_sql(p);
}

void select_check_expression(parser *p, const char *expr, size_t off)
{
    static const char prefix[] = "SELECT ";
    size_t skip = sizeof(prefix) - 1;
    char *text = parse_alloc(p, skip + strlen(expr) + 1);
    strcpy(text, prefix);
    strcat(text, expr);
    PgQuery__ParseResult *tree =
        parse_sql(p, text, off, skip, "COMPUTE takes one PostgreSQL expression.");
    const PgQuery__Node *n = tree->n_stmts == 1 ? tree->stmts[0]->stmt : NULL;
    const PgQuery__SelectStmt *s =
        n && n->node_case == PG_QUERY__NODE__NODE_SELECT_STMT ? n->select_stmt : NULL;
    bool plain = s && (s->op == PG_QUERY__SET_OPERATION__SET_OPERATION_UNDEFINED ||
                       s->op == PG_QUERY__SET_OPERATION__SETOP_NONE);
    if (!plain || s->n_target_list != 1 || s->n_from_clause || s->where_clause ||
        s->n_group_clause || s->having_clause || s->n_sort_clause || s->limit_count ||
        s->limit_offset || s->n_distinct_clause || s->n_window_clause || s->n_locking_clause ||
        s->into_clause || s->with_clause)
        parse_fail(p, "42601", off, "COMPUTE a AS expression, e.g. COMPUTE total AS price * qty.",
                   "a COMPUTE expression must be one SQL expression");
    done_sql(p);
}
