/*
 * staging.c — see staging.h.
 */
#include "staging.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

struct staging {
    size_t part_bytes;
    staging_upload_fn upload;
    void *arg;
    z_stream z;
    bool open; /* a part is under way */
    size_t in; /* its uncompressed bytes so far */
    sqlbuf gz; /* its compressed bytes so far */
    int parts; /* handed over */
    unsigned char chunk[64 * 1024];
};

staging *staging_new(size_t part_bytes, staging_upload_fn upload, void *arg)
{
    staging *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->part_bytes = part_bytes ? part_bytes : 1;
    s->upload = upload;
    s->arg = arg;
    return s;
}

/* Runs deflate over what is pending, with flush, appending output to s->gz. */
static int pump(staging *s, int flush)
{
    int rc;
    do {
        s->z.next_out = s->chunk;
        s->z.avail_out = sizeof(s->chunk);
        rc = deflate(&s->z, flush);
        if (rc == Z_STREAM_ERROR)
            return -1;
        sqlbuf_putn(&s->gz, (const char *)s->chunk, sizeof(s->chunk) - s->z.avail_out);
    } while (s->z.avail_out == 0);
    return s->gz.oom ? -1 : 0;
}

static int part_begin(staging *s)
{
    memset(&s->z, 0, sizeof(s->z));
    /* windowBits 15 + 16: a gzip header and trailer, as Redshift's GZIP expects */
    if (deflateInit2(&s->z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    s->open = true;
    s->in = 0;
    sqlbuf_reset(&s->gz);
    return 0;
}

static int part_end(staging *s)
{
    s->z.next_in = NULL;
    s->z.avail_in = 0;
    int rc = pump(s, Z_FINISH);
    deflateEnd(&s->z);
    s->open = false;
    if (rc != 0)
        return -1;
    rc = s->upload(s->arg, s->parts, s->gz.data, s->gz.len);
    s->parts++;
    sqlbuf_reset(&s->gz);
    return rc;
}

int staging_write(staging *s, const char *rows, size_t len)
{
    if (len == 0)
        return 0;
    /* the rows are one unit: they start a new part unless they fit in this one */
    if (s->open && s->in > 0 && s->in + len > s->part_bytes) {
        int rc = part_end(s);
        if (rc != 0)
            return rc;
    }
    if (!s->open && part_begin(s) != 0)
        return -1;
    s->z.next_in = (unsigned char *)rows;
    s->z.avail_in = (uInt)len;
    if (pump(s, Z_NO_FLUSH) != 0)
        return -1;
    s->in += len;
    return s->in >= s->part_bytes ? part_end(s) : 0;
}

int staging_finish(staging *s)
{
    return s->open && s->in > 0 ? part_end(s) : 0;
}

int staging_parts(const staging *s)
{
    return s->parts;
}

void staging_free(staging *s)
{
    if (!s)
        return;
    if (s->open)
        deflateEnd(&s->z);
    sqlbuf_free(&s->gz);
    free(s);
}

void staging_part_name(char *out, size_t outlen, int part)
{
    snprintf(out, outlen, "part-%05d.csv.gz", part);
}

void staging_manifest(sqlbuf *out, const char *url_prefix, int nparts)
{
    sqlbuf_puts(out, "{\"entries\":[");
    for (int i = 0; i < nparts; i++) {
        char name[32];
        staging_part_name(name, sizeof(name), i);
        sqlbuf_puts(out, i ? ",\n" : "\n");
        sqlbuf_puts(out, "  {\"url\":\"");
        for (const char *p = url_prefix; *p; p++) {
            if (*p == '"' || *p == '\\')
                sqlbuf_putc(out, '\\');
            sqlbuf_putc(out, *p);
        }
        sqlbuf_printf(out, "%s\",\"mandatory\":true}", name);
    }
    sqlbuf_puts(out, "\n]}\n");
}
