/*
 * decompress.c — streaming gzip / zstd / pass-through; see decompress.h.
 *
 * The first four bytes are held back until the codec is known (they are all a zstd magic
 * needs), then replayed into it. Each codec runs its usual loop: call until the input is
 * used up and the last call left room in the output buffer (a full buffer may mean more
 * output is pending), handing every filled piece to the callback.
 */
#include "decompress.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

struct decompress {
    decompress_out_fn out;
    void *arg;
    decompress_codec codec;
    unsigned char head[4]; /* the first bytes, until the codec is known */
    size_t nhead;
    long long in_pos; /* item bytes consumed by the codec */

    z_stream z;
    bool z_ready;     /* inflateInit2 done */
    bool in_member;   /* gzip: a member has begun and not ended */
    bool member_done; /* gzip: the last member ended; more bytes start another */

    ZSTD_DStream *zs;
    size_t zs_hint; /* zstd: 0 between frames */

    unsigned char *obuf;
    int rc;
    char err[256];
};

/*
 * The item cannot be decompressed: damaged where the codec noticed, `at` bytes in (detail
 * from the codec), or, with detail NULL, cut short after `at` bytes.
 */
static int fail(decompress *d, long long at, const char *detail)
{
    const char *codec = decompress_codec_name(d->codec);
    const char *unit = d->codec == DECOMPRESS_GZIP ? "member" : "frame";
    if (detail)
        snprintf(d->err, sizeof(d->err), "corrupt %s data at byte %lld: %s", codec, at, detail);
    else
        snprintf(d->err, sizeof(d->err),
                 "truncated %s %s: the item ends after %lld bytes, before the %s does", codec, unit,
                 at, unit);
    return d->rc = -1;
}

static int out_of_memory(decompress *d)
{
    snprintf(d->err, sizeof(d->err), "out of memory decompressing %s",
             decompress_codec_name(d->codec));
    return d->rc = -1;
}

decompress *decompress_new(decompress_out_fn out, void *arg)
{
    decompress *d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    d->obuf = malloc(DECOMPRESS_OUT_BYTES);
    if (!d->obuf) {
        free(d);
        return NULL;
    }
    d->out = out;
    d->arg = arg;
    return d;
}

void decompress_free(decompress *d)
{
    if (!d)
        return;
    if (d->z_ready)
        inflateEnd(&d->z);
    ZSTD_freeDStream(d->zs);
    free(d->obuf);
    free(d);
}

static decompress_codec codec_of(const unsigned char *h, size_t n)
{
    if (n >= 2 && h[0] == 0x1f && h[1] == 0x8b)
        return DECOMPRESS_GZIP;
    if (n >= 4 && h[0] == 0x28 && h[1] == 0xb5 && h[2] == 0x2f && h[3] == 0xfd)
        return DECOMPRESS_ZSTD;
    if (n >= 4 && (h[0] & 0xf0) == 0x50 && h[1] == 0x2a && h[2] == 0x4d && h[3] == 0x18)
        return DECOMPRESS_ZSTD; /* a skippable frame, which zstd streams may start with */
    return DECOMPRESS_NONE;
}

static int emit(decompress *d, size_t n)
{
    if (n == 0)
        return 0;
    int rc = d->out(d->arg, (const char *)d->obuf, n);
    return rc ? (d->rc = rc) : 0;
}

/* ---- gzip ---- */

static int gzip_start(decompress *d)
{
    /* 15 + 16: a 32 KiB window, and a gzip header and trailer around the deflate data */
    if (inflateInit2(&d->z, 15 + 16) != Z_OK)
        return out_of_memory(d);
    d->z_ready = true;
    d->in_member = true;
    return 0;
}

static int gzip_feed(decompress *d, const unsigned char *in, size_t len)
{
    bool full = false;
    while (len > 0 || full) {
        if (d->member_done) { /* more bytes after a member: the next member */
            inflateReset(&d->z);
            d->member_done = false;
            d->in_member = true;
        }
        uInt chunk = len > (1u << 30) ? (1u << 30) : (uInt)len;
        d->z.next_in = (Bytef *)in;
        d->z.avail_in = chunk;
        d->z.next_out = d->obuf;
        d->z.avail_out = DECOMPRESS_OUT_BYTES;
        int ret = inflate(&d->z, Z_NO_FLUSH);
        size_t used = chunk - d->z.avail_in;
        in += used;
        len -= used;
        d->in_pos += (long long)used;
        full = d->z.avail_out == 0;
        if (emit(d, DECOMPRESS_OUT_BYTES - d->z.avail_out))
            return d->rc;
        if (ret == Z_STREAM_END) {
            d->member_done = true;
            d->in_member = false;
            full = false;
        } else if (ret == Z_BUF_ERROR) { /* no progress: only right when the input is used up */
            if (len > 0)
                return fail(d, d->in_pos, "no progress");
            break;
        } else if (ret != Z_OK) {
            if (ret == Z_MEM_ERROR)
                return out_of_memory(d);
            return fail(d, d->in_pos, d->z.msg ? d->z.msg : "needs a preset dictionary");
        }
    }
    return 0;
}

/* ---- zstd ---- */

static int zstd_start(decompress *d)
{
    d->zs = ZSTD_createDStream();
    if (!d->zs || ZSTD_isError(ZSTD_initDStream(d->zs)))
        return out_of_memory(d);
    d->zs_hint = 1;
    return 0;
}

static int zstd_feed(decompress *d, const unsigned char *in, size_t len)
{
    ZSTD_inBuffer ib = {in, len, 0};
    bool full = false;
    while (ib.pos < ib.size || full) {
        ZSTD_outBuffer ob = {d->obuf, DECOMPRESS_OUT_BYTES, 0};
        size_t before = ib.pos;
        size_t ret = ZSTD_decompressStream(d->zs, &ob, &ib);
        if (ZSTD_isError(ret)) /* ib.pos is not kept up to date then: all of it was read */
            return fail(d, d->in_pos + (long long)(ib.size - before), ZSTD_getErrorName(ret));
        d->in_pos += (long long)(ib.pos - before);
        d->zs_hint = ret;
        full = ob.pos == ob.size && ret != 0; /* 0: the frame is decoded and flushed */
        if (emit(d, ob.pos))
            return d->rc;
    }
    return 0;
}

/* ---- the item ---- */

static int codec_feed(decompress *d, const unsigned char *in, size_t len)
{
    switch (d->codec) {
    case DECOMPRESS_GZIP:
        return gzip_feed(d, in, len);
    case DECOMPRESS_ZSTD:
        return zstd_feed(d, in, len);
    default:
        d->in_pos += (long long)len;
        if (len == 0)
            return 0;
        int rc = d->out(d->arg, (const char *)in, len);
        return rc ? (d->rc = rc) : 0;
    }
}

/* The codec is known from the bytes held back: start it and give them to it. */
static int decide(decompress *d)
{
    d->codec = codec_of(d->head, d->nhead);
    int rc = d->codec == DECOMPRESS_GZIP   ? gzip_start(d)
             : d->codec == DECOMPRESS_ZSTD ? zstd_start(d)
                                           : 0;
    return rc ? rc : codec_feed(d, d->head, d->nhead);
}

int decompress_feed(decompress *d, const void *in, size_t len)
{
    const unsigned char *p = in;
    if (d->rc)
        return d->rc;
    if (d->codec == DECOMPRESS_PENDING) {
        size_t take = sizeof(d->head) - d->nhead;
        if (take > len)
            take = len;
        memcpy(d->head + d->nhead, p, take);
        d->nhead += take;
        p += take;
        len -= take;
        if (d->nhead < sizeof(d->head) || decide(d))
            return d->rc;
    }
    return codec_feed(d, p, len);
}

int decompress_finish(decompress *d)
{
    if (d->rc)
        return d->rc;
    if (d->codec == DECOMPRESS_PENDING && decide(d))
        return d->rc;
    bool inside = d->codec == DECOMPRESS_GZIP   ? d->in_member
                  : d->codec == DECOMPRESS_ZSTD ? d->zs_hint != 0
                                                : false;
    return inside ? fail(d, d->in_pos, NULL) : 0;
}

const char *decompress_error(const decompress *d)
{
    return d->rc == -1 ? d->err : NULL;
}

decompress_codec decompress_codec_of(const decompress *d)
{
    return d->codec;
}

const char *decompress_codec_name(decompress_codec c)
{
    switch (c) {
    case DECOMPRESS_NONE:
        return "none";
    case DECOMPRESS_GZIP:
        return "gzip";
    case DECOMPRESS_ZSTD:
        return "zstd";
    default:
        return "pending";
    }
}

sniffed_format sniff_format(const void *data, size_t len)
{
    static const unsigned char bom[3] = {0xef, 0xbb, 0xbf};
    const unsigned char *p = data;
    size_t i = 0;
    while (i < len && i < 3 && p[i] == bom[i])
        i++;
    if (i > 0 && i < 3) /* the start of a byte order mark, or of a CSV field */
        return i == len ? SNIFFED_UNDECIDED : SNIFFED_CSV;
    for (; i < len; i++) {
        if (p[i] == '{' || p[i] == '[')
            return SNIFFED_JSON;
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
            return SNIFFED_CSV;
    }
    return SNIFFED_UNDECIDED;
}
