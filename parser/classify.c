/*
 * classify.c — leading-keyword classification and scanner-based statement splitting.
 */
#include "classify.h"

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const labels[SL_STMT_COUNT_] = {
    [SL_STMT_NONE] = "",
    [SL_STMT_SHOW_SLUICE] = "SHOW",
    [SL_STMT_CREATE_PIPELINE] = "CREATE PIPELINE",
    [SL_STMT_CREATE_MODEL] = "CREATE MODEL",
    [SL_STMT_CREATE_CONNECTION] = "CREATE CONNECTION",
    [SL_STMT_ALTER_PIPELINE] = "ALTER PIPELINE",
    [SL_STMT_ALTER_CONNECTION] = "ALTER CONNECTION",
    [SL_STMT_DROP_PIPELINE] = "DROP PIPELINE",
    [SL_STMT_DROP_MODEL] = "DROP MODEL",
    [SL_STMT_DROP_CONNECTION] = "DROP CONNECTION",
    [SL_STMT_START_PIPELINE] = "START PIPELINE",
    [SL_STMT_STOP_PIPELINE] = "STOP PIPELINE",
    [SL_STMT_RUN_PIPELINE] = "RUN PIPELINE",
    [SL_STMT_REFRESH_PIPELINE] = "REFRESH PIPELINE",
    [SL_STMT_REFRESH_MODEL] = "REFRESH MODEL",
    [SL_STMT_REPLAY_PIPELINE] = "REPLAY PIPELINE",
    [SL_STMT_SHOW_PIPELINES] = "SHOW PIPELINES",
    [SL_STMT_SHOW_PIPELINE] = "SHOW PIPELINE",
    [SL_STMT_SHOW_MODELS] = "SHOW MODELS",
    [SL_STMT_SHOW_CONNECTIONS] = "SHOW CONNECTIONS",
    [SL_STMT_SHOW_SHARES] = "SHOW SHARES",
    [SL_STMT_SHOW_CREATE] = "SHOW CREATE",
    [SL_STMT_SHARE] = "SHARE",
    [SL_STMT_UNSHARE] = "UNSHARE",
    [SL_STMT_EXPLAIN] = "EXPLAIN",
};

const char *classify_label(sl_stmt_kind kind)
{
    return kind < SL_STMT_COUNT_ ? labels[kind] : "";
}

/* Second words that make a leading word ours. */
typedef struct {
    const char *first;
    const char *second;
    sl_stmt_kind kind;
} lead_rule;

static const lead_rule rules[] = {
    {"create", "pipeline", SL_STMT_CREATE_PIPELINE},
    {"create", "model", SL_STMT_CREATE_MODEL},
    {"create", "connection", SL_STMT_CREATE_CONNECTION},
    {"alter", "pipeline", SL_STMT_ALTER_PIPELINE},
    {"alter", "connection", SL_STMT_ALTER_CONNECTION},
    {"drop", "pipeline", SL_STMT_DROP_PIPELINE},
    {"drop", "model", SL_STMT_DROP_MODEL},
    {"drop", "connection", SL_STMT_DROP_CONNECTION},
    {"start", "pipeline", SL_STMT_START_PIPELINE},
    {"stop", "pipeline", SL_STMT_STOP_PIPELINE},
    {"run", "pipeline", SL_STMT_RUN_PIPELINE},
    {"refresh", "pipeline", SL_STMT_REFRESH_PIPELINE},
    {"refresh", "model", SL_STMT_REFRESH_MODEL},
    {"replay", "pipeline", SL_STMT_REPLAY_PIPELINE},
    {"show", "pipelines", SL_STMT_SHOW_PIPELINES},
    {"show", "pipeline", SL_STMT_SHOW_PIPELINE},
    {"show", "models", SL_STMT_SHOW_MODELS},
    {"show", "connections", SL_STMT_SHOW_CONNECTIONS},
    {"show", "shares", SL_STMT_SHOW_SHARES},
    {"show", "create", SL_STMT_SHOW_CREATE},
    {"share", "table", SL_STMT_SHARE},
    {"share", "schema", SL_STMT_SHARE},
    {"unshare", "table", SL_STMT_UNSHARE},
    {"unshare", "schema", SL_STMT_UNSHARE},
};

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_ident_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static bool is_ident_char(unsigned char c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

size_t classify_skip_blank(const char *s, size_t len, size_t i)
{
    for (;;) {
        while (i < len && is_space(s[i]))
            i++;
        if (i + 1 < len && s[i] == '-' && s[i + 1] == '-') {
            while (i < len && s[i] != '\n' && s[i] != '\r') /* as PostgreSQL's scanner */
                i++;
        } else if (i + 1 < len && s[i] == '/' && s[i + 1] == '*') {
            int depth = 0; /* PostgreSQL's block comments nest */
            while (i < len) {
                if (i + 1 < len && s[i] == '/' && s[i + 1] == '*') {
                    depth++;
                    i += 2;
                } else if (i + 1 < len && s[i] == '*' && s[i + 1] == '/') {
                    i += 2;
                    if (--depth == 0)
                        break;
                } else {
                    i++;
                }
            }
        } else {
            return i;
        }
    }
}

/* Reads an unquoted identifier or keyword at i; returns its length (0 if none). */
static size_t word_at(const char *s, size_t len, size_t i)
{
    size_t j = i;
    if (j < len && is_ident_start((unsigned char)s[j]))
        while (j < len && is_ident_char((unsigned char)s[j]))
            j++;
    return j - i;
}

static bool word_is(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

/* Skips a parenthesized option list "( … )" of EXPLAIN; returns the index after it. */
static size_t skip_parens(const char *s, size_t len, size_t i)
{
    int depth = 0;
    while (i < len) {
        i = classify_skip_blank(s, len, i);
        if (i >= len)
            break;
        char c = s[i];
        if (c == '\'' || c == '"') {
            for (i++; i < len && s[i] != c; i++)
                ;
        } else if (c == '(') {
            depth++;
        } else if (c == ')') {
            if (--depth == 0)
                return i + 1;
        }
        i++;
    }
    return len;
}

/*
 * The hot path's filter: our leading words are 3 to 7 letters long and begin with one of
 * a, c, d, e, r, s, u. SELECT, INSERT, UPDATE, WITH… are let go after a byte or two.
 */
static bool may_lead(const char *w, size_t n)
{
    if (n < 3 || n > 7)
        return false;
    switch (w[0] | 0x20) {
    case 'a':
    case 'c':
    case 'd':
    case 'e':
    case 'r':
    case 'u':
        return true;
    case 's': /* show, start, stop, share — not select, set, savepoint */
        return (w[1] | 0x20) == 'h' || (w[1] | 0x20) == 't';
    default:
        return false;
    }
}

sl_stmt_kind classify_statement(const char *sql, size_t len)
{
    size_t i = classify_skip_blank(sql, len, 0);
    size_t n1 = word_at(sql, len, i);
    if (!may_lead(sql + i, n1))
        return SL_STMT_NONE;
    const char *w1 = sql + i;
    size_t j = classify_skip_blank(sql, len, i + n1);

    if (word_is(w1, n1, "explain")) {
        if (j < len && sql[j] == '(')
            j = skip_parens(sql, len, j);
        return classify_statement(sql + j, len - j) != SL_STMT_NONE ? SL_STMT_EXPLAIN
                                                                    : SL_STMT_NONE;
    }
    size_t n2 = word_at(sql, len, j);
    if (n2 == 0)
        return SL_STMT_NONE;
    const char *w2 = sql + j;
    if (word_is(w1, n1, "show") && word_is(w2, n2, "sluice")) {
        size_t k = classify_skip_blank(sql, len, j + n2);
        return k < len && sql[k] == '.' ? SL_STMT_SHOW_SLUICE : SL_STMT_NONE;
    }
    for (size_t r = 0; r < sizeof(rules) / sizeof(rules[0]); r++)
        if (word_is(w1, n1, rules[r].first) && word_is(w2, n2, rules[r].second))
            return rules[r].kind;
    return SL_STMT_NONE;
}

bool classify_has_later_ours(const char *sql, size_t len)
{
    const char *p = sql;
    const char *end = sql + len;
    while ((p = memchr(p, ';', (size_t)(end - p))) != NULL) {
        p++;
        size_t off = (size_t)(p - sql);
        size_t k = classify_skip_blank(sql, len, off);
        if (k < len && classify_statement(sql + k, len - k) != SL_STMT_NONE)
            return true;
    }
    return false;
}

/*
 * psql's heuristic for SQL-standard function bodies: in CREATE [OR REPLACE] FUNCTION or
 * PROCEDURE, BEGIN and CASE open a block that END closes, and ';' inside does not split.
 */
typedef struct {
    int ntok;     /* tokens seen in this statement */
    bool func;    /* the statement creates a function or procedure */
    int blocks;   /* open BEGIN/CASE blocks */
    int parens;   /* open parentheses */
    size_t start; /* byte offset where the statement began */
} split_state;

static void split_track(split_state *st, const PgQuery__ScanToken *t)
{
    if (t->token == PG_QUERY__TOKEN__SQL_COMMENT || t->token == PG_QUERY__TOKEN__C_COMMENT)
        return;
    int n = st->ntok++;
    switch (t->token) {
    case PG_QUERY__TOKEN__ASCII_40:
        st->parens++;
        break;
    case PG_QUERY__TOKEN__ASCII_41:
        st->parens--;
        break;
    case PG_QUERY__TOKEN__FUNCTION:
    case PG_QUERY__TOKEN__PROCEDURE:
        /* CREATE FUNCTION or CREATE OR REPLACE FUNCTION: token 1 or 3 */
        if (n == 1 || n == 3)
            st->func = true;
        break;
    case PG_QUERY__TOKEN__BEGIN_P:
    case PG_QUERY__TOKEN__CASE:
        if (st->func)
            st->blocks++;
        break;
    case PG_QUERY__TOKEN__END_P:
        if (st->func && st->blocks > 0)
            st->blocks--;
        break;
    default:
        break;
    }
}

static int split_push(sl_split_result *r, int *cap, const char *sql, size_t from, size_t to)
{
    size_t k = classify_skip_blank(sql, to, from);
    if (k >= to)
        return 0; /* nothing but blanks and comments */
    if (r->n_stmts == *cap) {
        int ncap = *cap ? *cap * 2 : 8;
        sl_span *s = realloc(r->stmts, (size_t)ncap * sizeof(*s));
        if (!s)
            return -1;
        r->stmts = s;
        *cap = ncap;
    }
    sl_span *s = &r->stmts[r->n_stmts++];
    s->offset = from;
    s->len = to - from;
    s->kind = classify_statement(sql + from, to - from);
    return 0;
}

sl_split_result split_statements(const char *sql)
{
    sl_split_result r = {0};
    PgQueryScanResult scan = pg_query_scan(sql);
    if (scan.error) {
        r.error = strdup(scan.error->message ? scan.error->message : "invalid input");
        pg_query_free_scan_result(scan);
        return r;
    }
    PgQuery__ScanResult *res =
        pg_query__scan_result__unpack(NULL, scan.pbuf.len, (const uint8_t *)scan.pbuf.data);
    if (!res) {
        r.error = strdup("could not decode the scanner's output");
        pg_query_free_scan_result(scan);
        return r;
    }
    int cap = 0;
    split_state st = {0};
    bool failed = false;
    for (size_t i = 0; i < res->n_tokens && !failed; i++) {
        const PgQuery__ScanToken *t = res->tokens[i];
        if (t->token == PG_QUERY__TOKEN__ASCII_59 && st.parens <= 0 && st.blocks == 0) {
            failed = split_push(&r, &cap, sql, st.start, (size_t)t->start) != 0;
            st = (split_state){.start = (size_t)t->end};
            continue;
        }
        split_track(&st, t);
    }
    if (!failed)
        failed = split_push(&r, &cap, sql, st.start, strlen(sql)) != 0;
    pg_query__scan_result__free_unpacked(res, NULL);
    pg_query_free_scan_result(scan);
    if (failed) {
        free(r.stmts);
        r = (sl_split_result){.error = strdup("out of memory")};
    }
    return r;
}

void split_free(sl_split_result r)
{
    free(r.stmts);
    free(r.error);
}
