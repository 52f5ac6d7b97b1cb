/*
 * fuzz_json.c — libFuzzer harness for the JSON format and the decompressor: whatever bytes
 * an item holds, and wherever the chunks it arrives in are cut, json_reader yields the same
 * records, bad records and error (never crashing, leaking or reading out of bounds), with
 * records numbered 1, 2, 3… in order and offsets inside the item. decompress likewise gives
 * the same bytes for any cutting, or the same error (but for the byte it names, which
 * depends on how far the codec had read).
 *
 * The first byte chooses the options (a records path; a small max_record_bytes, so that
 * long records are met), the second seeds the cutting; the rest is the item.
 */
#include "decompress.h"
#include "json.h"
#include "sqlbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct seen {
    sqlbuf text;
    long long next_line;
    long long len; /* the item's length */
} seen;

static void check_place(seen *s, long long line, long long offset)
{
    if (line != s->next_line || offset < 0 || offset > s->len) {
        fprintf(stderr, "record %lld at %lld: expected record %lld within %lld bytes\n", line,
                offset, s->next_line, s->len);
        abort();
    }
    s->next_line++;
}

static int on_record(void *arg, const sl_record *rec)
{
    seen *s = arg;
    check_place(s, rec->line, rec->offset);
    sqlbuf_printf(&s->text, "#%lld@%lld", rec->line, rec->offset);
    for (size_t k = 0; k < rec->nfields; k++) {
        const sl_field *f = &rec->fields[k];
        if (!rec->names[k] || !f->data || (f->null && f->len))
            abort();
        sqlbuf_printf(&s->text, " %s", rec->names[k]);
        if (f->null)
            sqlbuf_puts(&s->text, "=NULL");
        else {
            sqlbuf_printf(&s->text, "=%zu:", f->len);
            sqlbuf_putn(&s->text, f->data, f->len);
        }
    }
    sqlbuf_putc(&s->text, '\n');
    return 0;
}

static int on_bad(void *arg, const sl_bad_record *bad)
{
    seen *s = arg;
    check_place(s, bad->line, bad->offset);
    if (!bad->reason || !bad->reason[0] || !bad->raw)
        abort(); /* every bad record says why */
    sqlbuf_printf(&s->text, "!%lld@%lld %s %zu:", bad->line, bad->offset, bad->reason,
                  bad->raw_len);
    sqlbuf_putn(&s->text, bad->raw, bad->raw_len);
    sqlbuf_putc(&s->text, '\n');
    return 0;
}

typedef int (*feed_fn)(void *obj, const void *data, size_t len);

/* Feeds data to obj in pieces of 1 to 64 bytes chosen by seed (0: all at once); returns the
 * first nonzero result. */
static int feed_pieces(feed_fn feed, void *obj, const uint8_t *data, size_t size, unsigned seed)
{
    int rc = 0;
    for (size_t at = 0; at < size && rc == 0;) {
        size_t n = size - at;
        if (seed) {
            seed = seed * 1103515245u + 12345u;
            if (1 + (seed >> 16) % 64 < n)
                n = 1 + (seed >> 16) % 64;
        }
        rc = feed(obj, data + at, n);
        at += n;
    }
    return rc;
}

static int json_feed(void *obj, const void *data, size_t len)
{
    return json_reader_feed(obj, data, len);
}

static int decompress_piece(void *obj, const void *data, size_t len)
{
    return decompress_feed(obj, data, len);
}

static char *read_json(const json_options *opt, const uint8_t *data, size_t size, unsigned seed)
{
    seen s = {.next_line = 1, .len = (long long)size};
    char err[200];
    json_reader *r = json_reader_new(opt, on_record, on_bad, &s, err, sizeof(err));
    if (!r)
        abort();
    int rc = feed_pieces(json_feed, r, data, size, seed);
    if (rc == 0)
        rc = json_reader_finish(r);
    if (rc != 0 && (rc != -1 || !json_reader_error(r) || !json_reader_error(r)[0]))
        abort(); /* the callbacks never stop it here: only an item error may */
    if (rc)
        sqlbuf_printf(&s.text, "error: %s\n", json_reader_error(r));
    json_reader_free(r);
    char *t = sqlbuf_take(&s.text);
    if (!t)
        abort();
    return t;
}

static int collect(void *arg, const char *data, size_t len)
{
    sqlbuf_putn(arg, data, len);
    return 0;
}

static char *decompressed(const uint8_t *data, size_t size, unsigned seed)
{
    sqlbuf out = {0};
    decompress *d = decompress_new(collect, &out);
    if (!d)
        abort();
    int rc = feed_pieces(decompress_piece, d, data, size, seed);
    if (rc == 0)
        rc = decompress_finish(d);
    if (rc && !decompress_error(d))
        abort();
    if (rc) { /* the bytes before the error, and the byte it names, may depend on the cuts */
        sqlbuf_reset(&out);
        for (const char *e = decompress_error(d); *e; e++)
            if (*e < '0' || *e > '9')
                sqlbuf_putc(&out, *e);
    }
    sqlbuf_printf(&out, "\n%s", decompress_codec_name(decompress_codec_of(d)));
    decompress_free(d);
    return sqlbuf_take(&out);
}

static void same(const char *what, const char *whole, const char *cut, unsigned seed)
{
    if (strcmp(whole, cut) != 0) {
        fprintf(stderr, "%s differs when cut (seed %u):\n--- whole\n%s\n--- cut\n%s\n", what, seed,
                whole, cut);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    static const size_t max_records[] = {0, 1, 5, 16, 64, 300, 0, 0};
    json_options opt = {.records = data[0] & 1 ? "data.items" : NULL,
                        .max_record_bytes = max_records[(data[0] >> 1) & 7]};
    unsigned seed = data[1] | 1u;
    data += 2;
    size -= 2;

    char *whole = read_json(&opt, data, size, 0);
    char *cut = read_json(&opt, data, size, seed);
    same("the JSON transcript", whole, cut, seed);
    free(cut);
    cut = read_json(&opt, data, size, ~seed);
    same("the JSON transcript", whole, cut, ~seed);
    free(cut);
    free(whole);

    whole = decompressed(data, size, 0);
    cut = decompressed(data, size, seed);
    same("the decompressed item", whole, cut, seed);
    free(cut);
    free(whole);
    return 0;
}
