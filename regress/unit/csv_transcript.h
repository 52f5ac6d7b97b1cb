/*
 * csv_transcript.h — what a CSV parse delivered, written down as text: one line per record
 * or error row, then how the parse ended. Two parses agree exactly when their transcripts
 * are equal, so the unit tests (test_csv.c) and the fuzz harness (fuzz/fuzz_csv.c) compare
 * transcripts of the same input read whole, fed in pieces, and split into chunks.
 *
 *   2:4 a="1" b=NULL c="x\ny"             line 2, offset 4, three named fields
 *   3:17 ERROR quote inside …: "x\"y,2"    an error row with its raw bytes
 *   end 0                                  what csv_finish (or the parallel parse) returned
 *
 * Bytes other than printable ASCII are escaped (\n, \r, \t, \\, \", \xNN), so the text is
 * readable in a failing test and says everything about the bytes.
 */
#ifndef SLUICE_CSV_TRANSCRIPT_H
#define SLUICE_CSV_TRANSCRIPT_H

#include "csv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct transcript {
    char *text;
    size_t len, cap;
    size_t events;     /* records and error rows so far */
    size_t stop_after; /* nonzero: the consumer stops the parse at that event, returning 7 */
} transcript;

static void tr_put(transcript *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *g = realloc(t->text, cap);
        if (!g)
            abort();
        t->text = g;
        t->cap = cap;
    }
    memcpy(t->text + t->len, s, n);
    t->len += n;
    t->text[t->len] = '\0';
}

__attribute__((format(printf, 2, 3))) static void tr_printf(transcript *t, const char *fmt, ...)
{
    char buf[640];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    tr_put(t, buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

static void tr_quoted(transcript *t, const char *s, size_t n)
{
    tr_put(t, "\"", 1);
    for (size_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)s[k];
        if (c == '\n')
            tr_put(t, "\\n", 2);
        else if (c == '\r')
            tr_put(t, "\\r", 2);
        else if (c == '\t')
            tr_put(t, "\\t", 2);
        else if (c == '\\' || c == '"')
            tr_printf(t, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            tr_printf(t, "\\x%02x", c);
        else
            tr_put(t, s + k, 1);
    }
    tr_put(t, "\"", 1);
}

static int tr_event(transcript *t)
{
    return t->stop_after && ++t->events == t->stop_after ? 7 : 0;
}

static int tr_record(void *arg, const sl_record *r)
{
    transcript *t = arg;
    tr_printf(t, "%lld:%lld", r->line, r->offset);
    for (size_t k = 0; k < r->nfields; k++) {
        tr_printf(t, " %s=", r->names[k]);
        if (r->fields[k].null)
            tr_put(t, "NULL", 4);
        else
            tr_quoted(t, r->fields[k].data, r->fields[k].len);
    }
    tr_put(t, "\n", 1);
    return tr_event(t);
}

static int tr_bad(void *arg, const sl_bad_record *b)
{
    transcript *t = arg;
    tr_printf(t, "%lld:%lld ERROR %s: ", b->line, b->offset, b->reason);
    tr_quoted(t, b->raw, b->raw_len);
    tr_put(t, "\n", 1);
    return tr_event(t);
}

/* How the parse ended: its return value, and the error when the parser failed. */
static void tr_end(transcript *t, int rc, const sl_error *err)
{
    if (rc == CSV_FAILED && err && err->sqlstate[0])
        tr_printf(t, "end FAILED %s %s\n", err->sqlstate, err->message);
    else
        tr_printf(t, "end %d\n", rc);
}

/* The streaming parser over in[0, len), fed in the pieces that cuts[0 … ncuts) mark. */
static char *tr_fed(const char *in, size_t len, const csv_options *o, const size_t *cuts,
                    size_t ncuts, size_t stop_after)
{
    transcript t = {.stop_after = stop_after};
    sl_error err = {0};
    csv_parser *p = csv_open(o, tr_record, tr_bad, &t, &err);
    int rc = CSV_FAILED;
    if (p) {
        size_t at = 0;
        rc = 0;
        for (size_t k = 0; k <= ncuts && !rc; k++) {
            size_t to = k < ncuts ? cuts[k] : len;
            rc = csv_feed(p, in + at, to - at);
            at = to;
        }
        if (!rc)
            rc = csv_finish(p);
    }
    tr_end(&t, rc, p ? csv_error(p) : &err);
    csv_close(p);
    return t.text;
}

/* The streaming parser fed every `piece` bytes (0: all at once). */
static char *tr_pieces(const char *in, size_t len, const csv_options *o, size_t piece,
                       size_t stop_after)
{
    size_t n = piece && len ? (len - 1) / piece : 0;
    size_t *cuts = calloc(n + 1, sizeof(*cuts));
    if (!cuts)
        abort();
    for (size_t k = 0; k < n; k++)
        cuts[k] = (k + 1) * piece;
    char *s = tr_fed(in, len, o, cuts, n, stop_after);
    free(cuts);
    return s;
}

/* The parallel parse, chunks starting at the cuts. */
static char *tr_chunks(const char *in, size_t len, const csv_options *o, int nthreads,
                       const size_t *cuts, size_t ncuts, size_t stop_after)
{
    transcript t = {.stop_after = stop_after};
    sl_error err;
    int rc = csv_parse_chunks(in, len, o, nthreads, cuts, ncuts, tr_record, tr_bad, &t, &err);
    tr_end(&t, rc, &err);
    return t.text;
}

#endif
