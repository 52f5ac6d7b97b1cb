/*
 * copyenc.c — see copyenc.h.
 */
#include "copyenc.h"

#include <string.h>

static bool needs_quotes(copyenc_dialect d, const sl_field *f)
{
    if (f->len == 0)
        return true; /* an empty string, not NULL */
    if (d == COPYENC_REDSHIFT && f->len == 2 && memcmp(f->data, "\\N", 2) == 0)
        return true; /* the text \N, not NULL */
    if (f->len >= 2 && f->data[0] == '\\' && f->data[1] == '.')
        return true; /* a line starting \. would end COPY's data */
    for (size_t i = 0; i < f->len; i++) {
        char c = f->data[i];
        if (c == ',' || c == '"' || c == '\r' || c == '\n')
            return true;
    }
    return false;
}

void copyenc_field(sqlbuf *out, copyenc_dialect d, const sl_field *f)
{
    if (f->null) {
        if (d == COPYENC_REDSHIFT)
            sqlbuf_puts(out, "\\N");
        return;
    }
    if (!needs_quotes(d, f)) {
        sqlbuf_putn(out, f->data, f->len);
        return;
    }
    sqlbuf_putc(out, '"');
    const char *p = f->data, *end = f->data + f->len;
    while (p < end) {
        const char *q = memchr(p, '"', (size_t)(end - p));
        size_t run = q ? (size_t)(q - p) + 1 : (size_t)(end - p);
        sqlbuf_putn(out, p, run);
        if (q)
            sqlbuf_putc(out, '"'); /* a quote is doubled */
        p += run;
    }
    sqlbuf_putc(out, '"');
}

void copyenc_row(sqlbuf *out, copyenc_dialect d, const sl_field *fields, size_t n, long long seq)
{
    for (size_t i = 0; i < n; i++) {
        copyenc_field(out, d, &fields[i]);
        sqlbuf_putc(out, ',');
    }
    sqlbuf_printf(out, "%lld\n", seq);
}
