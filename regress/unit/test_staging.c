/*
 * test_staging.c — a Redshift batch's staged parts: every part is a complete gzip stream
 * holding whole rows (a quoted newline never ends a part), no bigger than asked (unless one
 * row alone is), and the parts decompressed in order give back exactly the rows written;
 * the manifest names them all.
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

#include "sqlbuf.h"
#include "staging.h"

typedef struct parts {
    sqlbuf all;         /* the parts' contents, decompressed, in order */
    const char *bounds; /* bounds[i] != 0: a row starts at byte i of the input */
    int n;
    size_t biggest;
    int fail_at; /* the upload of this part fails (-1: none) */
} parts;

static int upload(void *arg, int part, const void *gz, size_t len)
{
    parts *p = arg;
    assert_int_equal(part, p->n);
    if (part == p->fail_at)
        return 7;
    z_stream z = {0};
    assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK); /* gzip only */
    z.next_in = (unsigned char *)gz;
    z.avail_in = (uInt)len;
    unsigned char out[4096];
    size_t got = 0;
    int rc;
    do {
        z.next_out = out;
        z.avail_out = sizeof(out);
        rc = inflate(&z, Z_NO_FLUSH);
        assert_true(rc == Z_OK || rc == Z_STREAM_END);
        sqlbuf_putn(&p->all, (const char *)out, sizeof(out) - z.avail_out);
        got += sizeof(out) - z.avail_out;
    } while (rc != Z_STREAM_END);
    assert_int_equal(z.avail_in, 0); /* one complete gzip stream, nothing after it */
    inflateEnd(&z);
    assert_true(got > 0);
    if (p->bounds) /* the part ends where a row ends */
        assert_true(p->bounds[p->all.len]);
    if (got > p->biggest)
        p->biggest = got;
    p->n++;
    return 0;
}

static void parts_hold_whole_rows_and_give_back_every_byte(void **state)
{
    (void)state;
    sqlbuf in = {0};
    size_t starts[5001];
    for (int i = 0; i < 5000; i++) {
        starts[i] = in.len;
        sqlbuf_printf(&in, "%d,\"row, %d\",%s\n", i, i * 7, i % 10 ? "x" : "\"quoted\nline\"");
    }
    starts[5000] = in.len;
    char *bounds = calloc(in.len + 1, 1);
    for (int i = 0; i <= 5000; i++)
        bounds[starts[i]] = 1;
    for (size_t part_bytes = 1000; part_bytes <= 1000000; part_bytes *= 10) {
        parts p = {.fail_at = -1, .bounds = bounds};
        staging *s = staging_new(part_bytes, upload, &p);
        /* written a row at a time, and some rows in twos and threes as one unit */
        for (int i = 0; i < 5000;) {
            int k = i % 7 == 0 ? 3 : i % 5 == 0 ? 2 : 1;
            if (i + k > 5000)
                k = 5000 - i;
            assert_int_equal(staging_write(s, in.data + starts[i], starts[i + k] - starts[i]), 0);
            i += k;
        }
        assert_int_equal(staging_finish(s), 0);
        assert_int_equal(staging_parts(s), p.n);
        assert_int_equal(p.all.len, in.len);
        assert_memory_equal(p.all.data, in.data, in.len);
        assert_true(p.biggest <= part_bytes);
        assert_true(p.n >= (int)(in.len / part_bytes));
        staging_free(s);
        sqlbuf_free(&p.all);
    }
    free(bounds);
    sqlbuf_free(&in);
}

static void a_row_longer_than_a_part_goes_alone(void **state)
{
    (void)state;
    parts p = {.fail_at = -1};
    staging *s = staging_new(10, upload, &p);
    const char *rows[] = {"a\n", "\"0123\n456789abcdef\"\n", "b\n"};
    for (int i = 0; i < 3; i++)
        assert_int_equal(staging_write(s, rows[i], strlen(rows[i])), 0);
    assert_int_equal(staging_finish(s), 0);
    assert_int_equal(p.n, 3);
    assert_string_equal(p.all.data, "a\n\"0123\n456789abcdef\"\nb\n");
    staging_free(s);
    sqlbuf_free(&p.all);
}

static void an_upload_failure_stops_the_batch(void **state)
{
    (void)state;
    parts p = {.fail_at = 1};
    staging *s = staging_new(4, upload, &p);
    assert_int_equal(staging_write(s, "aaa\n", 4), 0); /* part 0 full: uploaded */
    assert_int_equal(staging_write(s, "bbb\n", 4), 7); /* part 1's upload fails */
    staging_free(s);
    sqlbuf_free(&p.all);
}

static void nothing_written_is_no_part(void **state)
{
    (void)state;
    parts p = {.fail_at = -1};
    staging *s = staging_new(100, upload, &p);
    assert_int_equal(staging_finish(s), 0);
    assert_int_equal(p.n, 0);
    staging_free(s);
}

static void the_manifest_names_every_part_as_mandatory(void **state)
{
    (void)state;
    sqlbuf m = {0};
    staging_manifest(&m, "s3://acme-staging/sluice/staging/events/b-1/", 2);
    assert_string_equal(
        m.data, "{\"entries\":[\n"
                "  {\"url\":\"s3://acme-staging/sluice/staging/events/b-1/part-00000.csv.gz\","
                "\"mandatory\":true},\n"
                "  {\"url\":\"s3://acme-staging/sluice/staging/events/b-1/part-00001.csv.gz\","
                "\"mandatory\":true}\n"
                "]}\n");
    sqlbuf_reset(&m);
    staging_manifest(&m, "s3://b/we\"ird\\/", 1);
    assert_non_null(strstr(m.data, "s3://b/we\\\"ird\\\\/part-00000.csv.gz"));
    sqlbuf_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parts_hold_whole_rows_and_give_back_every_byte),
        cmocka_unit_test(a_row_longer_than_a_part_goes_alone),
        cmocka_unit_test(an_upload_failure_stops_the_batch),
        cmocka_unit_test(nothing_written_is_no_part),
        cmocka_unit_test(the_manifest_names_every_part_as_mandatory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
