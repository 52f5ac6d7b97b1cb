/*
 * test_decompress.c — items decompressed by content: gzip (concatenated members too), zstd
 * (several frames, skippable frames), anything else passed through; fed whole, a byte at a
 * time or in random pieces, with the same bytes out; truncated and corrupt items refused
 * with the byte where it went wrong. And sniff_format telling JSON from CSV.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "decompress.h"
#include "sqlbuf.h"

typedef struct sink {
    sqlbuf out;
    size_t pieces, largest;
    int stop_after; /* nonzero: return 42 from that piece on */
} sink;

static int to_sink(void *arg, const char *data, size_t len)
{
    sink *s = arg;
    assert_true(len > 0);
    sqlbuf_putn(&s->out, data, len);
    s->pieces++;
    if (len > s->largest)
        s->largest = len;
    return s->stop_after && (int)s->pieces >= s->stop_after ? 42 : 0;
}

typedef struct result {
    int rc;
    char err[256];
    decompress_codec codec;
} result;

/* Decompresses in[0..len) fed in pieces of `piece` bytes (0: whole; -1: random sizes). */
static result run(const void *in, size_t len, long piece, sink *s)
{
    decompress *d = decompress_new(to_sink, s);
    assert_non_null(d);
    const unsigned char *p = in;
    size_t at = 0;
    int rc = 0;
    unsigned seed = (unsigned)len;
    while (at < len && rc == 0) {
        size_t n = piece == 0  ? len - at
                   : piece > 0 ? (size_t)piece
                               : 1 + (size_t)rand_r(&seed) % 5000;
        if (n > len - at)
            n = len - at;
        rc = decompress_feed(d, p + at, n);
        at += n;
    }
    if (rc == 0)
        rc = decompress_finish(d);
    result r = {.rc = rc, .codec = decompress_codec_of(d)};
    if (decompress_error(d))
        snprintf(r.err, sizeof(r.err), "%s", decompress_error(d));
    decompress_free(d);
    return r;
}

/* Some megabyte of text that compresses well, with stretches that do not. */
static unsigned char *sample(size_t len)
{
    unsigned char *b = malloc(len);
    unsigned seed = 7;
    for (size_t i = 0; i < len; i++)
        b[i] = (i / 4096) % 3 == 2 ? (unsigned char)rand_r(&seed) : "{\"id\":17}\n"[i % 10];
    return b;
}

static size_t gzip_into(const void *in, size_t len, unsigned char *out, size_t cap,
                        gz_header *header)
{
    z_stream z = {0};
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    if (header)
        assert_int_equal(deflateSetHeader(&z, header), Z_OK);
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t n = z.total_out;
    deflateEnd(&z);
    return n;
}

static size_t zstd_into(const void *in, size_t len, unsigned char *out, size_t cap)
{
    size_t n = ZSTD_compress(out, cap, in, len, 3);
    assert_false(ZSTD_isError(n));
    return n;
}

static void assert_output(const sink *s, const void *want, size_t len)
{
    assert_int_equal(s->out.len, len);
    assert_memory_equal(s->out.data ? s->out.data : "", want, len);
}

/* Decompresses in[0..n), fed as run() says, expecting exactly want[0..len) by codec, in
 * pieces no larger than the output buffer; returns how many pieces came out. */
static size_t expect_output(const void *in, size_t n, long piece, decompress_codec codec,
                            const void *want, size_t len)
{
    sink s = {0};
    result r = run(in, n, piece, &s);
    if (r.rc)
        fail_msg("%s", r.err);
    assert_int_equal(r.codec, codec);
    assert_output(&s, want, len);
    assert_true(s.largest <= DECOMPRESS_OUT_BYTES);
    size_t pieces = s.pieces;
    sqlbuf_free(&s.out);
    return pieces;
}

static void plain_bytes_pass_through_unchanged(void **state)
{
    (void)state;
    const char *texts[] = {"",
                           "a",
                           "ab",
                           "abc",
                           "id,name\n1,ann\n",
                           "\x1f",
                           "\x1f\x8c rest",
                           "(\xb5/ not zstd",
                           "[{\"a\":1}]"};
    for (size_t t = 0; t < sizeof(texts) / sizeof(*texts); t++) {
        size_t len = strlen(texts[t]);
        for (long piece = 0; piece <= 2; piece++)
            expect_output(texts[t], len, piece, DECOMPRESS_NONE, texts[t], len);
    }
}

static void gzip_is_recognised_by_its_magic_and_streams_in_bounded_pieces(void **state)
{
    (void)state;
    size_t len = 3u << 20;
    unsigned char *plain = sample(len);
    size_t cap = len + 4096;
    unsigned char *gz = malloc(cap);
    size_t n = gzip_into(plain, len, gz, cap, NULL);
    for (long piece = -1; piece <= 0; piece++) {
        size_t pieces = expect_output(gz, n, piece, DECOMPRESS_GZIP, plain, len);
        assert_true(pieces >= len / DECOMPRESS_OUT_BYTES);
    }
    free(gz);
    free(plain);
}

static void compressed_items_fed_one_byte_at_a_time(void **state)
{
    (void)state;
    const char *text = "{\"id\":1}\n{\"id\":2}\n";
    size_t len = strlen(text);
    unsigned char packed[256];
    size_t n = gzip_into(text, len, packed, sizeof(packed), NULL);
    expect_output(packed, n, 1, DECOMPRESS_GZIP, text, len);

    char twice[64]; /* two zstd frames */
    snprintf(twice, sizeof(twice), "%s%s", text, text);
    n = zstd_into(text, len, packed, sizeof(packed));
    n += zstd_into(text, len, packed + n, sizeof(packed) - n);
    expect_output(packed, n, 1, DECOMPRESS_ZSTD, twice, 2 * len);
}

static void a_gzip_header_with_name_comment_and_extra_field_is_read(void **state)
{
    (void)state;
    const char *text = "name,city\nann,oslo\n";
    gz_header h = {.text = 1,
                   .time = 1700000000,
                   .os = 3,
                   .extra = (Bytef *)"AB\x02\x00xy",
                   .extra_len = 6,
                   .name = (Bytef *)"cities.csv",
                   .comment = (Bytef *)"exported",
                   .hcrc = 1};
    unsigned char gz[256];
    size_t n = gzip_into(text, strlen(text), gz, sizeof(gz), &h);
    expect_output(gz, n, 1, DECOMPRESS_GZIP, text, strlen(text));
    assert_string_equal(decompress_codec_name(DECOMPRESS_GZIP), "gzip");
}

static void concatenated_gzip_members_read_as_one_item(void **state)
{
    (void)state;
    const char *parts[] = {"{\"part\":1}\n", "", "{\"part\":3}\n"};
    unsigned char gz[1024];
    size_t n = 0;
    for (int k = 0; k < 3; k++)
        n += gzip_into(parts[k], strlen(parts[k]), gz + n, sizeof(gz) - n, NULL);
    const char *want = "{\"part\":1}\n{\"part\":3}\n";
    for (long piece = 0; piece <= 1; piece++)
        expect_output(gz, n, piece, DECOMPRESS_GZIP, want, strlen(want));
}

static void a_gzip_item_cut_short_is_truncated_wherever_it_is_cut(void **state)
{
    (void)state;
    const char *text = "{\"id\":1,\"name\":\"ann\"}\n{\"id\":2,\"name\":\"bob\"}\n";
    unsigned char gz[512];
    size_t n = gzip_into(text, strlen(text), gz, sizeof(gz), NULL);
    /* two members, the second cut: the first member's bytes still come out */
    size_t n1 = gzip_into(text, 10, gz + n, sizeof(gz) - n, NULL);
    for (size_t cut = 2; cut < n; cut++) {
        for (long piece = 0; piece <= 1; piece++) {
            sink s = {0};
            result r = run(gz, cut, piece, &s);
            char want[100];
            snprintf(want, sizeof(want),
                     "truncated gzip member: the item ends after %zu bytes, before the member does",
                     cut);
            assert_int_equal(r.rc, -1);
            assert_string_equal(r.err, want);
            sqlbuf_free(&s.out);
        }
    }
    sink s = {0};
    result r = run(gz, n + n1 - 3, 0, &s);
    assert_int_equal(r.rc, -1);
    assert_non_null(strstr(r.err, "truncated gzip member"));
    assert_true(s.out.len >= strlen(text));
    assert_memory_equal(s.out.data, text, strlen(text));
    sqlbuf_free(&s.out);
}

static void corrupt_gzip_is_refused_with_the_byte(void **state)
{
    (void)state;
    size_t len = 200000;
    unsigned char *plain = sample(len);
    unsigned char *gz = malloc(len + 4096);
    size_t n = gzip_into(plain, len, gz, len + 4096, NULL);

    /* a damaged trailer: the CRC does not match */
    gz[n - 6] ^= 0xff;
    sink s = {0};
    result r = run(gz, n, 0, &s);
    assert_int_equal(r.rc, -1);
    char want[100]; /* found once the 4 bytes of the CRC are read */
    snprintf(want, sizeof(want), "corrupt gzip data at byte %zu: incorrect data check", n - 4);
    assert_string_equal(r.err, want);
    gz[n - 6] ^= 0xff;
    sqlbuf_free(&s.out);

    /* damaged deflate data: found at or before the byte named */
    memset(gz + n / 2, 0xff, 64);
    memset(&s, 0, sizeof(s));
    r = run(gz, n, 1, &s);
    assert_int_equal(r.rc, -1);
    assert_true(strncmp(r.err, "corrupt gzip data at byte ", 26) == 0);
    long at = strtol(r.err + 26, NULL, 10);
    assert_true(at > (long)n / 2 && at <= (long)n);
    sqlbuf_free(&s.out);
    free(gz);
    free(plain);
}

static void bytes_after_the_last_gzip_member_are_corrupt_data(void **state)
{
    (void)state;
    unsigned char gz[256];
    size_t n = gzip_into("abc\n", 4, gz, sizeof(gz) - 8, NULL);
    memcpy(gz + n, "garbage!", 8);
    sink s = {0};
    result r = run(gz, n + 8, 0, &s);
    assert_int_equal(r.rc, -1);
    char want[100];
    snprintf(want, sizeof(want), "corrupt gzip data at byte %zu: incorrect header check", n + 2);
    assert_string_equal(r.err, want);
    assert_output(&s, "abc\n", 4);
    sqlbuf_free(&s.out);
}

static void zstd_frames_and_skippable_frames_read_as_one_item(void **state)
{
    (void)state;
    size_t len = 1u << 20;
    unsigned char *plain = sample(len);
    size_t cap = 2 * len + 1024;
    unsigned char *zs = malloc(cap);
    /* a skippable frame (magic, little-endian size, payload), then three frames */
    memcpy(zs, "\x5a\x2a\x4d\x18\x03\x00\x00\x00xyz", 11);
    size_t n = 11;
    n += zstd_into(plain, len / 2, zs + n, cap - n);
    n += zstd_into(plain, 0, zs + n, cap - n);
    n += zstd_into(plain + len / 2, len - len / 2, zs + n, cap - n);
    for (long piece = -1; piece <= 0; piece++)
        expect_output(zs, n, piece, DECOMPRESS_ZSTD, plain, len);
    free(zs);
    free(plain);
}

/* The last piece fills the output buffer exactly: the codec must not be asked for more as
 * if output were pending, nor take the end of the item for a cut. */
static void output_of_exactly_whole_buffers_ends_cleanly(void **state)
{
    (void)state;
    size_t len = 2 * DECOMPRESS_OUT_BYTES;
    unsigned char *plain = sample(len);
    unsigned char *packed = malloc(2 * len);
    size_t n = gzip_into(plain, len, packed, 2 * len, NULL);
    assert_int_equal(expect_output(packed, n, 0, DECOMPRESS_GZIP, plain, len), 2);
    n = zstd_into(plain, len, packed, 2 * len);
    assert_int_equal(expect_output(packed, n, 0, DECOMPRESS_ZSTD, plain, len), 2);
    free(packed);
    free(plain);
}

static void a_zstd_item_cut_short_is_a_truncated_frame(void **state)
{
    (void)state;
    const char *text = "{\"id\":1,\"name\":\"ann\"}\n{\"id\":2,\"name\":\"bob\"}\n";
    unsigned char zs[256];
    size_t n = zstd_into(text, strlen(text), zs, sizeof(zs));
    for (size_t cut = 4; cut < n; cut++) {
        sink s = {0};
        result r = run(zs, cut, cut % 2, &s);
        char want[100];
        snprintf(want, sizeof(want),
                 "truncated zstd frame: the item ends after %zu bytes, before the frame does", cut);
        assert_int_equal(r.rc, -1);
        assert_string_equal(r.err, want);
        sqlbuf_free(&s.out);
    }
}

static void corrupt_zstd_is_refused(void **state)
{
    (void)state;
    const char *text = "{\"id\":1}\n";
    unsigned char zs[256];
    size_t n = zstd_into(text, strlen(text), zs, sizeof(zs) - 4);
    memcpy(zs + n, "junk", 4);
    sink s = {0};
    result r = run(zs, n + 4, 0, &s);
    assert_int_equal(r.rc, -1);
    assert_true(strncmp(r.err, "corrupt zstd data at byte ", 26) == 0);
    assert_output(&s, text, strlen(text));
    sqlbuf_free(&s.out);

    /* a frame header that asks for an impossible window */
    unsigned char bad[] = {0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xf8, 0x00, 0x00, 0x00};
    memset(&s, 0, sizeof(s));
    r = run(bad, sizeof(bad), 0, &s);
    assert_int_equal(r.rc, -1);
    assert_true(strncmp(r.err, "corrupt zstd data at byte ", 26) == 0);
    sqlbuf_free(&s.out);
}

static void a_consumer_stops_decompression(void **state)
{
    (void)state;
    size_t len = 2u << 20;
    unsigned char *plain = sample(len);
    unsigned char *gz = malloc(len + 4096);
    size_t n = gzip_into(plain, len, gz, len + 4096, NULL);
    sink s = {.stop_after = 2};
    result r = run(gz, n, 0, &s);
    assert_int_equal(r.rc, 42);
    assert_int_equal(s.pieces, 2);
    sqlbuf_free(&s.out);

    memset(&s, 0, sizeof(s));
    s.stop_after = 1;
    r = run("plain", 5, 2, &s); /* the first piece stops it; later feeds are refused alike */
    assert_int_equal(r.rc, 42);
    assert_output(&s, "plai", 4); /* the first 4 bytes are held back to find the codec */
    sqlbuf_free(&s.out);
    free(gz);
    free(plain);
}

static void expect_sniffed(const char *const *texts, size_t n, sniffed_format want)
{
    for (size_t k = 0; k < n; k++) {
        sniffed_format got = sniff_format(texts[k], strlen(texts[k]));
        if (got != want)
            fail_msg("sniff_format(\"%s\") = %d, want %d", texts[k], got, want);
    }
}

static void the_format_is_sniffed_from_the_first_bytes(void **state)
{
    (void)state;
    static const char *const json[] = {"{\"a\":1}", "  \r\n\t[1]", "\xef\xbb\xbf{\"a\":1}",
                                       "\xef\xbb\xbf \n["};
    static const char *const csv[] = {"id,name\n", "\"{quoted}\",x", "\xef\xbb\xbfid,name",
                                      "\xef\xbbx"};
    /* only blanks, or the start of a byte order mark: more bytes will tell */
    static const char *const undecided[] = {"", " \n\r\t", "\xef\xbb", "\xef\xbb\xbf  "};
    expect_sniffed(json, 4, SNIFFED_JSON);
    expect_sniffed(csv, 4, SNIFFED_CSV);
    expect_sniffed(undecided, 4, SNIFFED_UNDECIDED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_bytes_pass_through_unchanged),
        cmocka_unit_test(gzip_is_recognised_by_its_magic_and_streams_in_bounded_pieces),
        cmocka_unit_test(compressed_items_fed_one_byte_at_a_time),
        cmocka_unit_test(a_gzip_header_with_name_comment_and_extra_field_is_read),
        cmocka_unit_test(concatenated_gzip_members_read_as_one_item),
        cmocka_unit_test(a_gzip_item_cut_short_is_truncated_wherever_it_is_cut),
        cmocka_unit_test(corrupt_gzip_is_refused_with_the_byte),
        cmocka_unit_test(bytes_after_the_last_gzip_member_are_corrupt_data),
        cmocka_unit_test(zstd_frames_and_skippable_frames_read_as_one_item),
        cmocka_unit_test(output_of_exactly_whole_buffers_ends_cleanly),
        cmocka_unit_test(a_zstd_item_cut_short_is_a_truncated_frame),
        cmocka_unit_test(corrupt_zstd_is_refused),
        cmocka_unit_test(a_consumer_stops_decompression),
        cmocka_unit_test(the_format_is_sniffed_from_the_first_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
