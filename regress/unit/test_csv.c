/*
 * test_csv.c — the CSV parser (connectors/csv.h) on small files written out in full: what
 * each option means, NULL against "", quoting, line ends, the BOM, the header, line numbers,
 * error rows; and that reading a file in pieces of any size, or split into chunks on
 * threads, gives the same records and error rows, byte for byte, as reading it whole.
 *
 * Expected results are transcripts (csv_transcript.h): "line:offset name=value …" per
 * record, "line:offset ERROR reason: raw" per error row, and "end <return value>".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "csv_transcript.h"

static const csv_options defaults;

/* Every way of reading in[0, len) that must agree with reading it whole: split once at
 * each byte, fed 1 to 8 bytes at a time, and cut into 1 to 8 chunks at every shift. */
static void all_ways_agree(const char *in, size_t len, const csv_options *o, const char *want)
{
    for (size_t k = 0; k <= len; k++) {
        char *got = tr_fed(in, len, o, &k, 1, 0);
        assert_string_equal(got, want);
        free(got);
    }
    for (size_t piece = 1; piece <= 8; piece++) {
        char *got = tr_pieces(in, len, o, piece, 0);
        assert_string_equal(got, want);
        free(got);
    }
    for (size_t n = 2; n <= 8; n++) {
        for (size_t shift = 0; shift < len; shift++) {
            size_t cuts[8];
            for (size_t k = 1; k < n; k++)
                cuts[k - 1] = (k * len / n + shift) % len;
            for (size_t a = 1; a < n - 1; a++) /* ascending; csv_parse_chunks drops repeats */
                for (size_t b = a; b > 0 && cuts[b - 1] > cuts[b]; b--) {
                    size_t x = cuts[b];
                    cuts[b] = cuts[b - 1];
                    cuts[b - 1] = x;
                }
            char *got = tr_chunks(in, len, o, shift % 3 == 0 ? 2 : 1, cuts, n - 1, 0);
            assert_string_equal(got, want);
            free(got);
        }
    }
}

/* in, read whole with options o, gives want; and so does every other way of reading it. */
static void expect_n(const char *in, size_t len, const csv_options *o, const char *want)
{
    char *got = tr_pieces(in, len, o, 0, 0);
    assert_string_equal(got, want);
    free(got);
    all_ways_agree(in, len, o, want);
}

static void expect(const char *in, const csv_options *o, const char *want)
{
    expect_n(in, strlen(in), o, want);
}

/* ---- what the bytes mean ---- */

static void header_names_columns_and_unquoted_empty_is_null(void **state)
{
    (void)state;
    expect("a,b,c\n1,,\"\"\n", &defaults, "2:6 a=\"1\" b=NULL c=\"\"\nend 0\n");
}

static void quoted_fields_keep_delimiters_quotes_cr_and_lf(void **state)
{
    (void)state;
    expect("v\n"
           "\"x,y\"\n"
           "\"say \"\"hi\"\"\"\n"
           "\"l1\nl2\"\n"
           "\"c\rr\"\n"
           "\"crlf\r\n\"\n",
           &defaults,
           "2:2 v=\"x,y\"\n"
           "3:8 v=\"say \\\"hi\\\"\"\n"
           "4:21 v=\"l1\\nl2\"\n"
           "6:29 v=\"c\\rr\"\n"
           "8:35 v=\"crlf\\r\\n\"\n"
           "end 0\n");
}

static void records_end_at_lf_crlf_or_lone_cr(void **state)
{
    (void)state;
    expect("a,b\r\n1,2\r3,4\n5,6\r\n7,8", &defaults,
           "2:5 a=\"1\" b=\"2\"\n"
           "3:9 a=\"3\" b=\"4\"\n"
           "4:13 a=\"5\" b=\"6\"\n"
           "5:18 a=\"7\" b=\"8\"\n"
           "end 0\n");
}

static void line_numbers_count_the_lines_inside_quotes(void **state)
{
    (void)state;
    /* CR LF inside quotes is one line, a lone CR or LF one each */
    expect("id,note\n1,\"a\r\nb\"\n2,\"x\n\ny\rz\"\n3,end\n", &defaults,
           "2:8 id=\"1\" note=\"a\\r\\nb\"\n"
           "4:17 id=\"2\" note=\"x\\n\\ny\\rz\"\n"
           "8:28 id=\"3\" note=\"end\"\n"
           "end 0\n");
}

static void a_bom_is_skipped_at_the_start_only(void **state)
{
    (void)state;
    expect("\xEF\xBB\xBFid\n1\n\xEF\xBB\xBF\n", &defaults,
           "2:6 id=\"1\"\n3:8 id=\"\\xef\\xbb\\xbf\"\nend 0\n");
    csv_options o = {.header = "false"};
    expect("\xEF\xBBx\n1\n", &o, "1:0 c1=\"\\xef\\xbbx\"\n2:4 c1=\"1\"\nend 0\n");
    expect("\xEF\xBB", &o, "1:0 c1=\"\\xef\\xbb\"\nend 0\n");
    expect("\xEF\xBB\xBF", &o, "end 0\n");
}

static void without_header_columns_are_c1_to_cn(void **state)
{
    (void)state;
    csv_options o = {.header = "false"};
    expect("1,2\n3,4\n", &o, "1:0 c1=\"1\" c2=\"2\"\n2:4 c1=\"3\" c2=\"4\"\nend 0\n");
    /* the first record that reads without error sets the number of columns */
    expect("\"x\"y,1\n1,2\n3\n", &o,
           "1:0 ERROR characters after the closing quote in column 1: \"\\\"x\\\"y,1\"\n"
           "2:7 c1=\"1\" c2=\"2\"\n"
           "3:11 ERROR wrong number of fields: 1, expected 2 as in the first record: \"3\"\n"
           "end 0\n");
}

static void empty_header_names_become_cn(void **state)
{
    (void)state;
    expect("a,,\"\",d\n1,2,3,4\n", &defaults, "2:8 a=\"1\" c2=\"2\" c3=\"3\" d=\"4\"\nend 0\n");
    /* names are kept exactly: spaces, case, and the null string does not apply */
    csv_options o = {.null = "NULL"};
    expect(" a,A,NULL\n1,2,3\n", &o, "2:10  a=\"1\" A=\"2\" NULL=\"3\"\nend 0\n");
}

static void a_header_that_cannot_name_the_columns_fails_the_parse(void **state)
{
    (void)state;
    expect("a,b,a\n1,2,3\n", &defaults,
           "end FAILED 42701 duplicate column name \"a\" in the CSV header (columns 1 and 3)\n");
    expect("a,,c2\n1,2,3\n", &defaults,
           "end FAILED 42701 duplicate column name \"c2\" in the CSV header (columns 2 and 3)\n");
    expect("\"a\"x,b\n1,2\n", &defaults,
           "end FAILED 22P04 cannot read the CSV header on line 1: characters after the "
           "closing quote in column 1\n");
    expect_n("a\0b,c\n1,2\n", 10, &defaults,
             "end FAILED 22P04 column 1 of the CSV header on line 1 holds a NUL byte\n");
    csv_options o = {.max_record = 4};
    expect("abcde\n1\n", &o,
           "end FAILED 22P04 cannot read the CSV header on line 1: longer than 4 bytes\n");
}

static void null_string_option(void **state)
{
    (void)state;
    csv_options o = {.null = "\\N"};
    expect("a,b\n\\N,\"\\N\"\n,\"\"\n", &o, "2:4 a=NULL b=\"\\\\N\"\n3:12 a=\"\" b=\"\"\nend 0\n");
}

static void delimiter_and_quote_options(void **state)
{
    (void)state;
    csv_options o = {.delimiter = ";", .quote = "'"};
    expect("a;b\n'x;y';'it''s'\n\"q\";z\n", &o,
           "2:4 a=\"x;y\" b=\"it's\"\n3:18 a=\"\\\"q\\\"\" b=\"z\"\nend 0\n");
    csv_options tab = {.delimiter = "\t", .header = "off"};
    expect("1\t\"a\tb\"\n", &tab, "1:0 c1=\"1\" c2=\"a\\tb\"\nend 0\n");
}

static void escape_option(void **state)
{
    (void)state;
    /* \" and \\ inside quotes; \n is two characters; "" is no longer an escape */
    csv_options o = {.escape = "\\"};
    expect("a,b\n\"x\\\"y\",\"p\\\\q\"\n\"\\n\",x\n\"a\"\"b\",x\n", &o,
           "2:4 a=\"x\\\"y\" b=\"p\\\\q\"\n"
           "3:18 a=\"\\\\n\" b=\"x\"\n"
           "4:25 ERROR characters after the closing quote in column 1: "
           "\"\\\"a\\\"\\\"b\\\",x\"\n"
           "end 0\n");
    /* an escaped quote does not close the field, even across a line end */
    expect("a,b\n\"1\\\"\n2\",3\n", &o, "2:4 a=\"1\\\"\\n2\" b=\"3\"\nend 0\n");
}

static void options_are_checked_when_the_parser_is_created(void **state)
{
    (void)state;
    static const struct {
        csv_options o;
        const char *sqlstate, *message;
    } bad[] = {
        {{.delimiter = ",,"},
         "22023",
         "CSV delimiter must be a single one-byte character, not \",,\""},
        {{.delimiter = "\xc3\xa9"},
         "22023",
         "CSV delimiter must be a single one-byte character, not \"\xc3\xa9\""},
        {{.delimiter = ""}, "22023", "CSV delimiter must be a single one-byte character, not \"\""},
        {{.delimiter = "\n"}, "22023", "CSV delimiter cannot be newline or carriage return"},
        {{.quote = "\r"}, "22023", "CSV quote cannot be newline or carriage return"},
        {{.escape = "ab"}, "22023", "CSV escape must be a single one-byte character, not \"ab\""},
        {{.quote = ","}, "22023", "CSV delimiter and quote must be different"},
        {{.null = "a,b"}, "22023", "CSV null cannot contain the delimiter (\",\")"},
        {{.null = "\"\""}, "22023", "CSV null cannot contain the quote (\"\"\")"},
        {{.null = "x\n"}, "22023", "CSV null cannot contain newline or carriage return"},
        {{.header = "maybe"}, "22023", "CSV header must be true or false, not \"maybe\""},
        {{.encoding = "latin1"},
         "0A000",
         "CSV encoding \"latin1\" is not supported: sluice reads UTF-8 only"},
    };
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        sl_error err = {0};
        transcript t = {0};
        assert_null(csv_open(&bad[k].o, tr_record, tr_bad, &t, &err));
        assert_string_equal(err.sqlstate, bad[k].sqlstate);
        assert_string_equal(err.message, bad[k].message);
    }
    csv_options ok = {.encoding = "UTF-8", .header = "0", .escape = ","};
    sl_error err = {0};
    csv_parser *p = csv_open(&ok, tr_record, tr_bad, NULL, &err);
    assert_non_null(p);
    csv_close(p);
}

/* ---- error rows, and going on after them ---- */

static void malformed_records_become_error_rows_and_the_parse_goes_on(void **state)
{
    (void)state;
    expect("a,b\n\"1\"x,2\n3,4\n5,\"6\n7,8\n", &defaults,
           "2:4 ERROR characters after the closing quote in column 1: \"\\\"1\\\"x,2\"\n"
           "3:11 a=\"3\" b=\"4\"\n"
           "4:15 ERROR unterminated quoted field in column 2: \"5,\\\"6\\n7,8\\n\"\n"
           "end 0\n");
    /* a stray quote opens a quoted section all the same: where the record ends is decided by
     * the quotes alone, so the records after it stay where they are */
    expect("a,b\nx\"y,1\"\n2,3\n", &defaults,
           "2:4 ERROR quote inside unquoted column 1: \"x\\\"y,1\\\"\"\n"
           "3:11 a=\"2\" b=\"3\"\n"
           "end 0\n");
    expect("a,b\n1\n1,2,3\n1,2\n", &defaults,
           "2:4 ERROR wrong number of fields: 1, expected 2 as in the header: \"1\"\n"
           "3:6 ERROR wrong number of fields: 3, expected 2 as in the header: \"1,2,3\"\n"
           "4:12 a=\"1\" b=\"2\"\n"
           "end 0\n");
}

static void blank_lines_are_skipped_unless_there_is_one_column(void **state)
{
    (void)state;
    expect("\n\na,b\n\n1,2\r\n\r\n3,4\n\n", &defaults,
           "5:7 a=\"1\" b=\"2\"\n7:14 a=\"3\" b=\"4\"\nend 0\n");
    expect("v\n1\n\n\"\"\n\n", &defaults,
           "2:2 v=\"1\"\n3:4 v=NULL\n4:5 v=\"\"\n5:8 v=NULL\nend 0\n");
}

static void records_longer_than_max_record_are_error_rows(void **state)
{
    (void)state;
    csv_options o = {.max_record = 8};
    expect("a,b\n1,2\n123456,789\n3,4\n", &o,
           "2:4 a=\"1\" b=\"2\"\n"
           "3:8 ERROR record longer than 8 bytes: \"123456,7\"\n"
           "4:19 a=\"3\" b=\"4\"\n"
           "end 0\n");
    expect("a\n\"12345\n6789\"\n2\n", &o,
           "2:2 ERROR record longer than 8 bytes: \"\\\"12345\\n6\"\n4:15 a=\"2\"\nend 0\n");
}

static void a_consumer_stops_the_parse(void **state)
{
    (void)state;
    const char *in = "a\n1\n2\n\"x\n3\n";
    char *got = tr_pieces(in, strlen(in), &defaults, 0, 2);
    assert_string_equal(got, "2:2 a=\"1\"\n3:4 a=\"2\"\nend 7\n");
    free(got);
    for (size_t piece = 1; piece < 4; piece++) {
        got = tr_pieces(in, strlen(in), &defaults, piece, 2);
        assert_string_equal(got, "2:2 a=\"1\"\n3:4 a=\"2\"\nend 7\n");
        free(got);
    }
    size_t cuts[] = {3, 5, 7};
    got = tr_chunks(in, strlen(in), &defaults, 2, cuts, 3, 2);
    assert_string_equal(got, "2:2 a=\"1\"\n3:4 a=\"2\"\nend 7\n");
    free(got);

    /* once stopped, the parser says so again */
    transcript t = {.stop_after = 1};
    sl_error err;
    csv_parser *p = csv_open(NULL, tr_record, tr_bad, &t, &err);
    assert_int_equal(csv_feed(p, "a\n1\n2\n", 6), 7);
    assert_int_equal(csv_feed(p, "3\n", 2), 7);
    assert_int_equal(csv_finish(p), 7);
    assert_null(csv_error(p));
    csv_close(p);
    free(t.text);
}

static void feeding_after_finish_is_refused(void **state)
{
    (void)state;
    transcript t = {0};
    sl_error err;
    csv_parser *p = csv_open(NULL, tr_record, tr_bad, &t, &err);
    assert_int_equal(csv_feed(p, "a\n1", 3), 0);
    assert_int_equal(csv_finish(p), 0);
    assert_int_equal(csv_feed(p, "\n", 1), CSV_FAILED);
    assert_string_equal(csv_error(p)->sqlstate, "55000");
    csv_close(p);
    assert_string_equal(t.text, "2:2 a=\"1\"\n");
    free(t.text);
}

/* ---- the same result however the bytes arrive ---- */

/* Quoted line ends, doubled quotes, CR LF and lone CRs, BOMs and malformed records, placed so
 * that some chunk boundary and some feed boundary falls on every one of their bytes. */
static const char *const adversarial[] = {
    "a,b,c\r\n1,\"x\r\ny\",3\r\n\"\"\"\",\"\",\r\n\"\r\n\",\"\"\"\r\n\"\"\",z\r\n",
    "h1,h2\n\"1,2\n3,4\n\"\"5\"\"\",6\n7,8\n\"\n9,9\n\",\"\"\n",
    "a,b\r1,2\r\"x\ry\",3\r\r\n\"\r\",\"\n\r\"\r",
    "\xEF\xBB\xBF\"q\"\"\",b\n\"\"\"\"\"\",\"\n\"\n1,2",
    "a,b\n\"1\"x,2\n3,\"4\n\"\"\n5,6\n",
    "a,b\nx\"y\n\",1\n\"2\"\"\n3\",4\n\"unterminated\n5,6\n",
    "\n\r\n\"\"\n\r\"\"\"\"\n\n\"\r\n\"\n",
    "v\n\n\"\"\n\r\n\"\n\"\r\"\"\n",
};

static void feed_boundaries_at_every_byte_change_nothing(void **state)
{
    (void)state;
    static const csv_options opts[] = {
        {0}, {.header = "false"}, {.max_record = 5}, {.delimiter = "\"", .quote = ","}};
    for (size_t i = 0; i < sizeof(adversarial) / sizeof(adversarial[0]); i++) {
        for (size_t j = 0; j < sizeof(opts) / sizeof(opts[0]); j++) {
            const char *in = adversarial[i];
            size_t len = strlen(in);
            char *want = tr_pieces(in, len, &opts[j], 0, 0);
            for (size_t a = 0; a <= len; a++) /* every pair of cuts */
                for (size_t b = a; b <= len; b++) {
                    size_t cuts[] = {a, b};
                    char *got = tr_fed(in, len, &opts[j], cuts, 2, 0);
                    assert_string_equal(got, want);
                    free(got);
                }
            all_ways_agree(in, len, &opts[j], want);
            free(want);
        }
    }
}

static void a_consumer_stop_lands_on_the_same_record_in_parallel(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(adversarial) / sizeof(adversarial[0]); i++) {
        const char *in = adversarial[i];
        size_t len = strlen(in);
        csv_options o = {.header = "false"};
        for (size_t stop = 1; stop < 6; stop++) {
            char *want = tr_pieces(in, len, &o, 0, stop);
            for (size_t cut = 1; cut < len; cut++) {
                size_t cuts[] = {cut / 2, cut};
                char *got = tr_chunks(in, len, &o, 2, cuts, 2, stop);
                assert_string_equal(got, want);
                free(got);
            }
            free(want);
        }
    }
}

/* A split that took the first line end after each cut as a record start (as Hadoop does
 * for text) would start a chunk inside the quoted field and read "9,9" as a record. */
static void parallel_split_is_not_fooled_by_quoted_newlines(void **state)
{
    (void)state;
    const char *in = "id,note\n"
                     "1,\"looks like\n9,9\nrecords\n\"\n"
                     "2,\"\"\"\n8,8\n\"\"\"\n"
                     "3,x\n";
    size_t len = strlen(in);
    size_t cuts[] = {10, 22, 38}, starts[3];
    sl_error err;
    assert_true(csv_chunk_starts(in, len, NULL, cuts, 3, starts, &err));
    /* a newline-based split would start chunks at 22 ("9,9"), 22 and 42 ("8,8") */
    assert_int_equal(starts[0], (size_t)-1); /* the line end at 21 is quoted */
    assert_int_equal(starts[1], 36);         /* so are those at 25 and 33 */
    assert_int_equal(starts[2], 50);         /* past the "" pairs: 8,8 is quoted too */
    char *got = tr_chunks(in, len, NULL, 2, cuts, 3, 0);
    assert_string_equal(got, "2:8 id=\"1\" note=\"looks like\\n9,9\\nrecords\\n\"\n"
                             "6:36 id=\"2\" note=\"\\\"\\n8,8\\n\\\"\"\n"
                             "9:50 id=\"3\" note=\"x\"\n"
                             "end 0\n");
    free(got);

    /* an unbalanced quote: no chunk after it has a start; all of it is one error row */
    const char *open = "a,b\n1,\"2\n3,4\n5,6\n";
    size_t cuts2[] = {8, 12}, starts2[2];
    assert_true(csv_chunk_starts(open, strlen(open), NULL, cuts2, 2, starts2, &err));
    assert_int_equal(starts2[0], (size_t)-1);
    assert_int_equal(starts2[1], (size_t)-1);
    got = tr_chunks(open, strlen(open), NULL, 2, cuts2, 2, 0);
    assert_string_equal(got, "2:4 ERROR unterminated quoted field in column 2: "
                             "\"1,\\\"2\\n3,4\\n5,6\\n\"\n"
                             "end 0\n");
    free(got);

    csv_options bs = {.escape = "\\"};
    assert_false(csv_chunk_starts(in, len, &bs, cuts, 3, starts, &err));
    assert_string_equal(err.sqlstate, "22023");
}

/* An item big enough for csv_parse_parallel to cut it itself (64 KiB chunks and more). */
static char *big_item(size_t *len)
{
    transcript t = {0};
    tr_put(&t, "\xEF\xBB\xBFid,name,note\r\n", 18);
    for (int k = 0; t.len < (3u << 20); k++) {
        switch (k % 7) {
        case 0:
            tr_printf(&t, "%d,\"multi\nline \"\"%d\"\"\r\n\",x\r\n", k, k);
            break;
        case 3:
            tr_printf(&t, "%d,\"a,b\",\"\"\n", k);
            break;
        case 5:
            if (k % 5)
                tr_printf(&t, "%d,bad\"quote,\"\n", k);
            else
                tr_printf(&t, "%d,short\r", k);
            break;
        default:
            tr_printf(&t, "%d,name%d,\r\n", k, k * 7919);
        }
    }
    tr_put(&t, "9,\"open\n", 8);
    *len = t.len;
    return t.text;
}

static void parallel_parse_of_a_big_item_matches_the_sequential_one(void **state)
{
    (void)state;
    size_t len;
    char *in = big_item(&len);
    char *want = tr_pieces(in, len, &defaults, 65536 + 7, 0);
    for (int threads = 2; threads <= 3; threads++) {
        transcript t = {0};
        sl_error err;
        int rc = csv_parse_parallel(in, len, NULL, threads, tr_record, tr_bad, &t, &err);
        tr_end(&t, rc, &err);
        assert_int_equal(t.len, strlen(want));
        assert_true(memcmp(t.text, want, t.len) == 0);
        free(t.text);
    }
    free(want);
    free(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(header_names_columns_and_unquoted_empty_is_null),
        cmocka_unit_test(quoted_fields_keep_delimiters_quotes_cr_and_lf),
        cmocka_unit_test(records_end_at_lf_crlf_or_lone_cr),
        cmocka_unit_test(line_numbers_count_the_lines_inside_quotes),
        cmocka_unit_test(a_bom_is_skipped_at_the_start_only),
        cmocka_unit_test(without_header_columns_are_c1_to_cn),
        cmocka_unit_test(empty_header_names_become_cn),
        cmocka_unit_test(a_header_that_cannot_name_the_columns_fails_the_parse),
        cmocka_unit_test(null_string_option),
        cmocka_unit_test(delimiter_and_quote_options),
        cmocka_unit_test(escape_option),
        cmocka_unit_test(options_are_checked_when_the_parser_is_created),
        cmocka_unit_test(malformed_records_become_error_rows_and_the_parse_goes_on),
        cmocka_unit_test(blank_lines_are_skipped_unless_there_is_one_column),
        cmocka_unit_test(records_longer_than_max_record_are_error_rows),
        cmocka_unit_test(a_consumer_stops_the_parse),
        cmocka_unit_test(feeding_after_finish_is_refused),
        cmocka_unit_test(feed_boundaries_at_every_byte_change_nothing),
        cmocka_unit_test(a_consumer_stop_lands_on_the_same_record_in_parallel),
        cmocka_unit_test(parallel_split_is_not_fooled_by_quoted_newlines),
        cmocka_unit_test(parallel_parse_of_a_big_item_matches_the_sequential_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
