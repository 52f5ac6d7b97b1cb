/*
 * lex.c — the token stream of one statement, from libpg_query's scanner.
 *
 * pg_query_scan decides where every token starts and ends, with PostgreSQL's own rules
 * (strings, quoted identifiers, dollar quotes, nested comments, operators). Here each token
 * gets the value the grammar needs: identifiers folded as PostgreSQL folds them, quoted
 * identifiers unquoted, strings decoded (standard, E'…' escapes, $tag$…$tag$).
 */
#include "parse_internal.h"

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

#include <stdlib.h>
#include <string.h>

/* PostgreSQL folds only ASCII letters in a multibyte encoding such as UTF-8. */
static char *fold_word(parser *p, const char *s, size_t n)
{
    char *d = parse_strndup(p, s, n);
    for (char *c = d; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c + ('a' - 'A'));
    return d;
}

/* "a""b" → a"b */
static char *unquote_ident(parser *p, const char *s, size_t n)
{
    char *d = parse_alloc(p, n);
    size_t k = 0;
    for (size_t i = 1; i + 1 < n; i++) {
        d[k++] = s[i];
        if (s[i] == '"')
            i++;
    }
    d[k] = '\0';
    return d;
}

static size_t put_utf8(char *d, unsigned long cp)
{
    if (cp < 0x80) {
        d[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (char)(0xC0 | (cp >> 6));
        d[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (char)(0xE0 | (cp >> 12));
        d[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        d[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    d[0] = (char)(0xF0 | (cp >> 18));
    d[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    d[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    d[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads up to max digits of base (8 or 16) at s[*i]; returns the value. */
static unsigned long read_digits(const char *s, size_t end, size_t *i, int base, int max)
{
    unsigned long v = 0;
    for (int k = 0; k < max && *i < end; k++) {
        int d = hexval(s[*i]);
        if (d < 0 || d >= base)
            break;
        v = v * (unsigned long)base + (unsigned long)d;
        (*i)++;
    }
    return v;
}

/* One backslash escape of an E'…' string at s[*i] (just after the backslash). */
static size_t decode_escape(parser *p, const char *s, size_t end, size_t *i, char *d)
{
    char c = s[(*i)++];
    unsigned long v;
    switch (c) {
    case 'b':
        return *d = '\b', 1;
    case 'f':
        return *d = '\f', 1;
    case 'n':
        return *d = '\n', 1;
    case 'r':
        return *d = '\r', 1;
    case 't':
        return *d = '\t', 1;
    case 'x':
        v = read_digits(s, end, i, 16, 2);
        break;
    case 'u':
    case 'U':
        v = read_digits(s, end, i, 16, c == 'u' ? 4 : 8);
        if (v >= 0xD800 && v <= 0xDBFF && *i + 6 <= end && s[*i] == '\\' && s[*i + 1] == 'u') {
            size_t j = *i + 2;
            unsigned long lo = read_digits(s, end, &j, 16, 4);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
                *i = j;
            }
        }
        if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
            parse_fail(p, "42601", *i, NULL, "invalid Unicode escape value");
        return put_utf8(d, v);
    default:
        if (c >= '0' && c <= '7') {
            (*i)--;
            v = read_digits(s, end, i, 8, 3) & 0xFF;
            break;
        }
        return *d = c, 1;
    }
    if (v == 0)
        parse_fail(p, "22021", *i, NULL, "invalid byte sequence for encoding \"UTF8\": 0x00");
    return *d = (char)v, 1;
}

/* '…' segments, possibly continued across a newline; escapes when the first is E'…'. */
static char *decode_quoted(parser *p, const char *s, size_t n)
{
    char *d = parse_alloc(p, n + 1);
    size_t k = 0, i = 0;
    bool esc = s[0] == 'E' || s[0] == 'e';
    if (s[0] != '\'')
        i++; /* E or N */
    while (i < n && s[i] == '\'') {
        for (i++; i < n; i++) {
            if (s[i] == '\'') {
                if (i + 1 < n && s[i + 1] == '\'') {
                    d[k++] = '\'';
                    i++;
                    continue;
                }
                i++;
                break;
            }
            if (esc && s[i] == '\\') {
                i++;
                k += decode_escape(p, s, n, &i, d + k);
                i--;
                continue;
            }
            d[k++] = s[i];
        }
        i = classify_skip_blank(s, n, i);
    }
    d[k] = '\0';
    return d;
}

static char *decode_string(parser *p, const char *s, size_t n)
{
    if (s[0] == '$') {
        const char *close = memchr(s + 1, '$', n - 1);
        size_t tag = close ? (size_t)(close - s) + 1 : n;
        if (n < 2 * tag)
            return parse_strdup(p, "");
        return parse_strndup(p, s + tag, n - 2 * tag);
    }
    return decode_quoted(p, s, n);
}

static void lex_one(parser *p, const PgQuery__ScanToken *t, parse_token *o)
{
    const char *s = p->sql + t->start;
    size_t n = (size_t)(t->end - t->start);
    o->start = (size_t)t->start;
    o->end = (size_t)t->end;
    o->kind = TOK_OTHER;
    if (t->keyword_kind != PG_QUERY__KEYWORD_KIND__NO_KEYWORD) {
        o->kind = TOK_WORD;
        o->reserved = t->keyword_kind == PG_QUERY__KEYWORD_KIND__RESERVED_KEYWORD ||
                      t->keyword_kind == PG_QUERY__KEYWORD_KIND__TYPE_FUNC_NAME_KEYWORD;
        o->text = fold_word(p, s, n);
        return;
    }
    switch (t->token) {
    case PG_QUERY__TOKEN__IDENT:
        o->kind = s[0] == '"' ? TOK_QIDENT : TOK_WORD;
        o->text = s[0] == '"' ? unquote_ident(p, s, n) : fold_word(p, s, n);
        return;
    case PG_QUERY__TOKEN__SCONST:
        o->kind = TOK_STRING;
        o->text = decode_string(p, s, n);
        return;
    case PG_QUERY__TOKEN__ICONST:
    case PG_QUERY__TOKEN__FCONST:
        o->kind = TOK_NUMBER;
        break;
    case PG_QUERY__TOKEN__Op:
    case PG_QUERY__TOKEN__LESS_EQUALS:
    case PG_QUERY__TOKEN__GREATER_EQUALS:
    case PG_QUERY__TOKEN__NOT_EQUALS:
    case PG_QUERY__TOKEN__EQUALS_GREATER:
    case PG_QUERY__TOKEN__COLON_EQUALS:
        o->kind = TOK_OP;
        break;
    default:
        if (t->token > 0 && t->token < 256 && n == 1)
            o->kind = TOK_PUNCT;
        break;
    }
    o->text = parse_strndup(p, s, n);
}

static bool is_comment(const PgQuery__ScanToken *t)
{
    return t->token == PG_QUERY__TOKEN__SQL_COMMENT || t->token == PG_QUERY__TOKEN__C_COMMENT;
}

/*
 * The scanner's complaint, at its own (character) position. Its "at or near …" quotes the
 * rest of the text after an unterminated string, which may hold a secret: the caret says
 * where, so that part is left out.
 */
static _Noreturn void fail_scan(parser *p, PgQueryScanResult *scan)
{
    const PgQueryError *e = scan->error;
    size_t off = e->cursorpos > 0 ? parse_byte_off(p->sql, p->len, e->cursorpos) : PARSE_NO_POS;
    char msg[sizeof(p->err->message)];
    strncpy(msg, e->message ? e->message : "invalid input", sizeof(msg) - 1);
    msg[sizeof(msg) - 1] = '\0';
    char *near = strstr(msg, " at or near ");
    if (near)
        *near = '\0';
    pg_query_free_scan_result(*scan);
    parse_fail(p, "42601", off, NULL, "%s", msg);
}

void lex_tokens(parser *p)
{
    PgQueryScanResult scan = pg_query_scan(p->sql);
    if (scan.error)
        fail_scan(p, &scan);
    PgQuery__ScanResult *res =
        pg_query__scan_result__unpack(NULL, scan.pbuf.len, (const uint8_t *)scan.pbuf.data);
    pg_query_free_scan_result(scan);
    if (!res)
        parse_fail_oom(p);
    /* copy the raw tokens out first: decoding may fail, and must strand nothing */
    PgQuery__ScanToken *raw = parse_arena_alloc(&p->arena, (res->n_tokens + 1) * sizeof(*raw));
    size_t nraw = 0;
    for (size_t i = 0; raw && i < res->n_tokens; i++)
        if (!is_comment(res->tokens[i]))
            raw[nraw++] = *res->tokens[i];
    pg_query__scan_result__free_unpacked(res, NULL);
    if (!raw)
        parse_fail_oom(p);
    parse_token *toks = parse_alloc(p, (nraw + 1) * sizeof(*toks));
    for (size_t i = 0; i < nraw; i++)
        lex_one(p, &raw[i], &toks[i]);
    toks[nraw] = (parse_token){.kind = TOK_EOF, .start = p->len, .end = p->len, .text = ""};
    p->toks = toks;
    p->ntoks = (int)nraw;
    p->pos = 0;
}

lex_keyword lex_keyword_of(const char *word)
{
    PgQueryScanResult scan = pg_query_scan(word);
    lex_keyword kw = LEX_NOT_KEYWORD;
    if (!scan.error) {
        PgQuery__ScanResult *res =
            pg_query__scan_result__unpack(NULL, scan.pbuf.len, (const uint8_t *)scan.pbuf.data);
        if (res && res->n_tokens == 1) {
            PgQuery__KeywordKind k = res->tokens[0]->keyword_kind;
            kw = k == PG_QUERY__KEYWORD_KIND__RESERVED_KEYWORD ||
                         k == PG_QUERY__KEYWORD_KIND__TYPE_FUNC_NAME_KEYWORD
                     ? LEX_RESERVED
                 : k != PG_QUERY__KEYWORD_KIND__NO_KEYWORD ? LEX_UNRESERVED
                                                           : LEX_NOT_KEYWORD;
        }
        if (res)
            pg_query__scan_result__free_unpacked(res, NULL);
    }
    pg_query_free_scan_result(scan);
    return kw;
}
