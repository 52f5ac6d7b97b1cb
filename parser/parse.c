/*
 * parse.c — sl_parse's entry and exit: the arena, error reporting, the result.
 */
#include "parse_internal.h"

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- arena: chunks of at least 4 kB, freed together ---- */

struct parse_chunk {
    parse_chunk *next;
    size_t used, cap;
    max_align_t data[];
};

void *parse_arena_alloc(parse_arena *a, size_t size)
{
    size = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (size == 0)
        size = sizeof(max_align_t);
    parse_chunk *c = a->head;
    if (!c || c->cap - c->used < size) {
        size_t cap = size > 4096 ? size : 4096;
        c = malloc(sizeof(*c) + cap);
        if (!c)
            return NULL;
        c->used = 0;
        c->cap = cap;
        c->next = a->head;
        a->head = c;
    }
    void *ptr = (char *)c->data + c->used;
    c->used += size;
    memset(ptr, 0, size);
    return ptr;
}

void parse_arena_free(parse_arena *a)
{
    parse_chunk *c = a->head;
    while (c) {
        parse_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
}

void *parse_alloc(parser *p, size_t size)
{
    void *ptr = parse_arena_alloc(&p->arena, size);
    if (!ptr)
        parse_fail_oom(p);
    return ptr;
}

char *parse_strndup(parser *p, const char *s, size_t n)
{
    char *d = parse_alloc(p, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *parse_strdup(parser *p, const char *s)
{
    return parse_strndup(p, s, strlen(s));
}

void *parse_push(parser *p, void **items, int *n, size_t elem)
{
    /* capacity doubles at powers of two; old arrays stay in the arena until the end */
    if (*n == 0 || (*n & (*n - 1)) == 0) {
        size_t cap = *n ? (size_t)*n * 2 : 4;
        void *grown = parse_alloc(p, cap * elem);
        if (*n)
            memcpy(grown, *items, (size_t)*n * elem);
        *items = grown;
    }
    return (char *)*items + (size_t)(*n)++ * elem;
}

/* ---- errors ---- */

int parse_char_pos(const parser *p, size_t off)
{
    int chars = 0;
    for (size_t i = 0; i < off && i < p->len; i++)
        if (((unsigned char)p->sql[i] & 0xC0) != 0x80)
            chars++;
    return chars + 1;
}

size_t parse_byte_off(const char *s, size_t len, int char_pos)
{
    size_t off = 0;
    for (int chars = 0; off < len; off++)
        if (((unsigned char)s[off] & 0xC0) != 0x80 && ++chars == char_pos)
            break;
    return off;
}

static _Noreturn void fail_v(parser *p, const char *sqlstate, size_t off, const char *hint,
                             const char *fmt, va_list ap)
{
    sl_error *e = p->err;
    memset(e, 0, sizeof(*e));
    snprintf(e->sqlstate, sizeof(e->sqlstate), "%s", sqlstate);
    if (hint)
        snprintf(e->hint, sizeof(e->hint), "%s", hint);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    e->position = off == PARSE_NO_POS ? 0 : parse_char_pos(p, off);
    longjmp(p->fail, 1);
}

void parse_fail(parser *p, const char *sqlstate, size_t off, const char *hint, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_v(p, sqlstate, off, hint, fmt, ap);
}

void parse_fail_syntax(parser *p, const parse_token *t, const char *hint_fmt, ...)
{
    char hint[sizeof(p->err->hint)];
    va_list ap;
    va_start(ap, hint_fmt);
    vsnprintf(hint, sizeof(hint), hint_fmt, ap);
    va_end(ap);
    if (t->kind == TOK_EOF)
        parse_fail(p, "42601", t->start, hint, "syntax error at end of input");
    if (t->kind == TOK_STRING && p->in_options)
        parse_fail(p, "42601", t->start, hint, "syntax error at or near a string constant");
    int n = (int)(t->end - t->start);
    parse_fail(p, "42601", t->start, hint, "syntax error at or near \"%.*s\"", n > 200 ? 200 : n,
               p->sql + t->start);
}

void parse_fail_oom(parser *p)
{
    parse_fail(p, "53200", PARSE_NO_POS, NULL, "out of memory");
}

/* ---- the entry point ---- */

static sl_error oom_error = {.sqlstate = "53200", .message = "out of memory"};

/* Kept apart from sl_parse so that nothing it changes lives across setjmp. */
static sl_stmt *parse_run(parser *p)
{
    if (setjmp(p->fail))
        return NULL;
    lex_tokens(p);
    sl_stmt *s = grammar_statement(p);
    s->arena_ = parse_alloc(p, sizeof(parse_arena));
    return s;
}

sl_parse_result sl_parse(const char *sql)
{
    sl_parse_result r = {0};
    parser *p = calloc(1, sizeof(*p));
    sl_error *err = calloc(1, sizeof(*err));
    if (!p || !err) {
        free(p);
        free(err);
        r.error = &oom_error;
        return r;
    }
    p->sql = sql;
    p->len = strlen(sql);
    p->err = err;
    sl_stmt *s = parse_run(p);
    if (p->pending)
        pg_query__parse_result__free_unpacked(p->pending, NULL);
    if (s) {
        /* the arena's own header moves into itself, so one pointer frees everything */
        *(parse_arena *)s->arena_ = p->arena;
        free(err);
        r.stmt = s;
    } else {
        parse_arena_free(&p->arena);
        r.error = err;
    }
    free(p);
    return r;
}

sl_parse_result sl_parse_len(const char *sql, size_t len)
{
    char *copy = malloc(len + 1);
    if (!copy)
        return (sl_parse_result){.error = &oom_error};
    memcpy(copy, sql, len);
    copy[len] = '\0';
    sl_parse_result r = sl_parse(copy);
    free(copy);
    return r;
}

void sl_parse_free(sl_parse_result r)
{
    if (r.stmt) {
        parse_arena a = *(parse_arena *)r.stmt->arena_;
        parse_arena_free(&a);
    }
    if (r.error != &oom_error)
        free(r.error);
}

const sl_option *sl_options_get(const sl_options *opts, const char *name)
{
    for (int i = 0; i < opts->n; i++)
        if (strcmp(opts->items[i].name, name) == 0)
            return &opts->items[i];
    return NULL;
}
