/*
 * sqlbuf.c — growable text buffer; see sqlbuf.h.
 */
#include "sqlbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool sqlbuf_reserve(sqlbuf *b, size_t extra)
{
    if (b->oom)
        return false;
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

void sqlbuf_putn(sqlbuf *b, const char *s, size_t n)
{
    if (!sqlbuf_reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void sqlbuf_puts(sqlbuf *b, const char *s)
{
    sqlbuf_putn(b, s, strlen(s));
}

void sqlbuf_putc(sqlbuf *b, char c)
{
    sqlbuf_putn(b, &c, 1);
}

void sqlbuf_printf(sqlbuf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof(small)) {
        sqlbuf_putn(b, small, (size_t)n);
        return;
    }
    if (!sqlbuf_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *sqlbuf_take(sqlbuf *b)
{
    char *s = b->data;
    if (!s && !b->oom)
        s = calloc(1, 1);
    b->data = NULL;
    b->len = b->cap = 0;
    return s;
}

void sqlbuf_reset(sqlbuf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void sqlbuf_free(sqlbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->oom = false;
}
