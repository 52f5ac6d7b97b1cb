/*
 * decompress.h — an item's bytes as fetched, in; its bytes as the formats read them, out.
 * The codec is chosen from the first bytes, never from the item's name:
 *   1f 8b        gzip (zlib), any number of concatenated members, as `cat a.gz b.gz` makes;
 *   28 b5 2f fd  zstd, any number of frames (skippable frames, 5? 2a 4d 18, too);
 *   otherwise    the bytes pass through unchanged.
 *
 * Streaming with bounded memory: output goes to a callback in pieces of at most
 * DECOMPRESS_OUT_BYTES, and the codec keeps only its window (32 KiB for gzip; for zstd the
 * frame's window, refused above 128 MiB). An item is never held whole.
 *
 * Also here: sniff_format, which tells CSV from JSON by the first decompressed bytes, for a
 * pipeline whose FORMAT is omitted.
 */
#ifndef SLUICE_DECOMPRESS_H
#define SLUICE_DECOMPRESS_H

#include <stddef.h>

#define DECOMPRESS_OUT_BYTES (256u << 10)

typedef enum decompress_codec {
    DECOMPRESS_PENDING, /* fewer than 4 bytes seen: not decided yet */
    DECOMPRESS_NONE,
    DECOMPRESS_GZIP,
    DECOMPRESS_ZSTD,
} decompress_codec;

/* Receives the next decompressed bytes (valid during the call). Nonzero stops: feed and
 * finish return it. */
typedef int (*decompress_out_fn)(void *arg, const char *data, size_t len);

typedef struct decompress decompress;

/* A decompressor for one item; NULL when memory runs out. */
decompress *decompress_new(decompress_out_fn out, void *arg);

/*
 * The item's next len bytes. Returns 0, what out returned when nonzero, or -1 when the data
 * is corrupt (decompress_error: "corrupt gzip data at byte N: <the codec's words>"). N is
 * how far the codec had read when it noticed: gzip notices at the damaged byte or soon
 * after; zstd gives no position, so N is the end of the bytes it had been handed. N, and
 * how much output came before the error, may therefore depend on how the item was cut into
 * pieces; the bytes out of a sound item never do. Once nonzero, every later call returns
 * the same value.
 */
int decompress_feed(decompress *d, const void *in, size_t len);

/*
 * The item has ended. Returns as decompress_feed does; -1 when it ends inside a gzip member
 * or zstd frame ("truncated zstd frame: the item ends after N bytes, before the frame
 * does"). Bytes after the last member or frame that do not start another are corrupt data,
 * not ignored.
 */
int decompress_finish(decompress *d);

/* Why the item could not be decompressed, after -1; NULL otherwise. */
const char *decompress_error(const decompress *d);

decompress_codec decompress_codec_of(const decompress *d);
const char *decompress_codec_name(decompress_codec c); /* "none", "gzip", "zstd", "pending" */

void decompress_free(decompress *d);

typedef enum sniffed_format {
    SNIFFED_UNDECIDED, /* nothing but blanks (or part of a byte order mark) so far */
    SNIFFED_CSV,
    SNIFFED_JSON,
} sniffed_format;

/*
 * The format of an item whose FORMAT is omitted, from its first decompressed bytes: JSON
 * when the first byte that is not a space, tab, CR or LF, after an optional UTF-8 byte order
 * mark, is '{' or '[' (JSON Lines or an array); CSV otherwise. UNDECIDED while data holds
 * only blanks: look again with more bytes; at the end of the item there is nothing to read
 * either way.
 */
sniffed_format sniff_format(const void *data, size_t len);

#endif
