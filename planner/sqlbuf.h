/*
 * sqlbuf.h — a growable, NUL-terminated byte buffer for building SQL text.
 *
 * Owns nothing but its own bytes. An allocation failure is remembered (oom) rather than
 * reported at every call, so builders stay linear; check it once when the text is taken.
 */
#ifndef SLUICE_SQLBUF_H
#define SLUICE_SQLBUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct sqlbuf {
    char *data; /* always NUL-terminated once anything was written */
    size_t len;
    size_t cap;
    bool oom;
} sqlbuf;

void sqlbuf_putn(sqlbuf *b, const char *s, size_t n);
void sqlbuf_puts(sqlbuf *b, const char *s);
void sqlbuf_putc(sqlbuf *b, char c);
void sqlbuf_printf(sqlbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the text to the caller (malloc'd, "" when empty) and empties the buffer. */
char *sqlbuf_take(sqlbuf *b);
void sqlbuf_reset(sqlbuf *b);
void sqlbuf_free(sqlbuf *b);

#endif
