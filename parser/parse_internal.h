/*
 * parse_internal.h — what the parser's files share: the per-statement arena, the token
 * stream (lex.c, over pg_query_scan), the parser state, and the way errors leave.
 *
 * Errors leave by longjmp back to sl_parse (as PostgreSQL's ereport does), which frees the
 * arena and anything registered in the parser state; so nothing on an error path leaks and
 * the grammar reads as the happy path.
 */
#ifndef SLUICE_PARSE_INTERNAL_H
#define SLUICE_PARSE_INTERNAL_H

#include "intercept.h"
#include "parse.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

/* ---- arena ---- */

typedef struct parse_chunk parse_chunk;
typedef struct parse_arena {
    parse_chunk *head;
} parse_arena;

/* NULL when out of memory. */
void *parse_arena_alloc(parse_arena *a, size_t size);
void parse_arena_free(parse_arena *a);

/* ---- tokens ---- */

typedef enum {
    TOK_EOF,
    TOK_WORD,   /* unquoted identifier or keyword; text folded to lower case */
    TOK_QIDENT, /* "quoted identifier"; text exact */
    TOK_STRING, /* text decoded */
    TOK_NUMBER, /* text as written */
    TOK_PUNCT,  /* one character: ( ) , . ; = < > [ ] + - * … */
    TOK_OP,     /* <= >= <> != and other operators */
    TOK_OTHER,  /* $1, b'…', x'…', U&'…', ::, … — never valid in our grammar */
} tok_kind;

typedef struct parse_token {
    tok_kind kind;
    bool reserved; /* a reserved keyword of PostgreSQL's */
    size_t start, end;
    char *text;
} parse_token;

/* ---- parser state ---- */

struct PgQuery__ParseResult;

typedef struct parser {
    const char *sql;
    size_t len;
    parse_arena arena;
    parse_token *toks; /* ends with a TOK_EOF */
    int ntoks;
    int pos;
    sl_error *err;
    jmp_buf fail;
    struct PgQuery__ParseResult *pending; /* unpacked tree being walked, freed on error */
    const char *end_hint; /* what the statement could go on with, for a stray token */
    bool in_options;      /* inside ( name = value, … ) */
} parser;

/* The 1-based character position of byte offset off, and back (in any UTF-8 text s). */
int parse_char_pos(const parser *p, size_t off);
size_t parse_byte_off(const char *s, size_t len, int char_pos);

_Noreturn void parse_fail(parser *p, const char *sqlstate, size_t off, const char *hint,
                          const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* 42601 syntax error at or near the token; hint_fmt says what was expected. */
_Noreturn void parse_fail_syntax(parser *p, const parse_token *t, const char *hint_fmt, ...)
    __attribute__((format(printf, 3, 4)));
_Noreturn void parse_fail_oom(parser *p);

/* Position meaning "no position" for parse_fail. */
#define PARSE_NO_POS ((size_t)-1)

void *parse_alloc(parser *p, size_t size);
char *parse_strndup(parser *p, const char *s, size_t n);
char *parse_strdup(parser *p, const char *s);
/* Grows *items (of elem bytes each) by one and returns the new, zeroed, last element. */
void *parse_push(parser *p, void **items, int *n, size_t elem);

/* lex.c: fills p->toks from p->sql; fails with 42601 when the text does not tokenize. */
void lex_tokens(parser *p);

/* Is word one of PostgreSQL's keywords, and one that cannot be a name unquoted? */
typedef enum { LEX_NOT_KEYWORD, LEX_UNRESERVED, LEX_RESERVED } lex_keyword;
lex_keyword lex_keyword_of(const char *word);

/* grammar.c */
sl_stmt *grammar_statement(parser *p);

/* options.c: checks and normalizes the options of a statement. */
/* kind_off: where the kind was written, for the caret of a missing required option */
void options_check_connection(parser *p, sl_conn_kind kind, sl_options *o, size_t kind_off);
void options_check_alter_connection(parser *p, sl_options *o);
void options_check_pipeline(parser *p, sl_options *o, bool create);
void options_check_format(parser *p, sl_format_kind fmt, sl_options *o);
void options_check_model(parser *p, sl_options *o);
void options_check_interval(parser *p, const char *text, size_t off);
void options_check_regex(parser *p, const sl_step *st, size_t off);

/* deparse.c: a growing string, in the arena when p is set (else malloc'd; failed on OOM). */
typedef struct parse_buf {
    char *s;
    size_t len, cap;
    parser *p;
    bool failed;
} parse_buf;

void pbuf_putn(parse_buf *b, const char *s, size_t n);
void pbuf_puts(parse_buf *b, const char *s);
void pbuf_printf(parse_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * A name, double-quoted when it would not read back as itself: not lower case, or a
 * reserved keyword. pbuf_put_type_word also quotes other keywords, which a type name's
 * grammar reads as part of a multi-word type (double precision, …).
 */
void pbuf_put_ident(parse_buf *b, const char *name);
void pbuf_put_type_word(parse_buf *b, const char *word);
/* A string literal '…' ('' for a quote). */
void pbuf_put_literal(parse_buf *b, const char *s);

/* select.c: the model query and COMPUTE expressions, through libpg_query. */
void select_analyze(parser *p, sl_create_model *m, size_t off);
void select_check_expression(parser *p, const char *expr, size_t off);

#endif
