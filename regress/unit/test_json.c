/*
 * test_json.c — the JSON format: JSON Lines, top-level arrays and records paths read into
 * flattened records, numbered and located; bad records reported where they are, reading
 * going on after them; and the same records whatever the chunks the bytes arrive in.
 *
 * Each test reads an item into a transcript, one line per record:
 *   #<number>@<offset> name=<value> name=NULL …
 *   !<number>@<offset> <reason> [<raw text>]
 * and, when the item fails, a last line "error: <message>".
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

#include "decompress.h"
#include "json.h"
#include "jsonflat.h"
#include "sqlbuf.h"

typedef struct transcript {
    sqlbuf text;
    int stop_at; /* nonzero: the consumer returns 7 at this record number */
} transcript;

static int on_record(void *arg, const sl_record *rec)
{
    transcript *t = arg;
    sqlbuf_printf(&t->text, "#%lld@%lld", rec->line, rec->offset);
    for (size_t k = 0; k < rec->nfields; k++) {
        const sl_field *f = &rec->fields[k];
        if (f->null)
            sqlbuf_printf(&t->text, " %s=NULL", rec->names[k]);
        else
            sqlbuf_printf(&t->text, " %s=<%.*s>", rec->names[k], (int)f->len, f->data);
    }
    sqlbuf_putc(&t->text, '\n');
    return rec->line == t->stop_at ? 7 : 0;
}

static int on_bad(void *arg, const sl_bad_record *bad)
{
    transcript *t = arg;
    sqlbuf_printf(&t->text, "!%lld@%lld %s [%.*s]\n", bad->line, bad->offset, bad->reason,
                  (int)bad->raw_len, bad->raw);
    return bad->line == t->stop_at ? 7 : 0;
}

/*
 * Reads text[0..len) with the options, fed at the cut positions given (ascending, each
 * within the text; ncuts 0: one feed; cuts NULL with ncuts 1: a byte at a time). Returns
 * the transcript, malloc'd.
 */
static char *read_cut(const char *text, size_t len, const json_options *opt, const size_t *cuts,
                      size_t ncuts, int *rc_out)
{
    transcript t = {0};
    char err[200];
    json_reader *r = json_reader_new(opt, on_record, on_bad, &t, err, sizeof(err));
    assert_non_null(r);
    int rc = 0;
    size_t at = 0;
    if (!cuts && ncuts == 1) {
        for (; at < len && rc == 0; at++)
            rc = json_reader_feed(r, text + at, 1);
    } else {
        for (size_t k = 0; k < ncuts && rc == 0; k++) {
            rc = json_reader_feed(r, text + at, cuts[k] - at);
            at = cuts[k];
        }
        if (rc == 0)
            rc = json_reader_feed(r, text + at, len - at);
    }
    if (rc == 0)
        rc = json_reader_finish(r);
    if (json_reader_error(r))
        sqlbuf_printf(&t.text, "error: %s\n", json_reader_error(r));
    else if (rc)
        sqlbuf_printf(&t.text, "stopped: %d\n", rc);
    if (rc_out)
        *rc_out = rc;
    json_reader_free(r);
    return sqlbuf_take(&t.text);
}

static char *read_with(const char *text, const json_options *opt)
{
    return read_cut(text, strlen(text), opt, NULL, 0, NULL);
}

/* The transcript of text, which must be the same however the text is cut. */
static void expect(const char *text, const json_options *opt, const char *want);

static void expect_whole(const char *text, const json_options *opt, const char *want)
{
    char *got = read_with(text, opt);
    assert_string_equal(got, want);
    free(got);
}

static const json_options records_data_items = {.records = "data.items"};

/* ---- layouts ---- */

static void json_lines_give_one_record_per_line(void **state)
{
    (void)state;
    expect("{\"id\":1,\"name\":\"ann\"}\n"
           "\n"
           "  {\"id\":2,\"name\":null}  \r\n"
           " \t \n"
           "{\"id\":3}",
           NULL,
           "#1@0 id=<1> name=<ann>\n"
           "#2@25 id=<2> name=NULL\n"
           "#3@53 id=<3>\n");
}

static void a_top_level_array_gives_one_record_per_element(void **state)
{
    (void)state;
    expect("\n [ {\"a\":1} ,\n{\"a\":2,\"b\":\"x\"}\n,{}]\n", NULL,
           "#1@4 a=<1>\n"
           "#2@14 a=<2> b=<x>\n"
           "#3@31\n");
}

static void empty_items_have_no_records(void **state)
{
    (void)state;
    const char *blanks[] = {"", " \n\r\n\t", "\xef\xbb\xbf", "\xef\xbb\xbf\n"};
    for (size_t k = 0; k < sizeof(blanks) / sizeof(*blanks); k++) {
        expect(blanks[k], NULL, "");
        expect(blanks[k], &records_data_items, "");
    }
    expect("[]", NULL, "");
    expect(" [ \n ] \n", NULL, "");
    expect("{\"data\":{\"items\":[]}}", &records_data_items, "");
}

static void a_byte_order_mark_is_skipped_and_counted_in_offsets(void **state)
{
    (void)state;
    expect("\xef\xbb\xbf{\"a\":1}\n{\"a\":2}\n", NULL, "#1@3 a=<1>\n#2@11 a=<2>\n");
    expect("\xef\xbb\xbf[{\"a\":1}]", NULL, "#1@4 a=<1>\n");
    /* the start of a mark that is not one is the first line's text */
    expect("\xef\xbb{\"a\":1}\n{\"a\":2}\n", NULL,
           "!1@0 expected a value, found byte 0xef (byte 1 of the record) [\xef\xbb{\"a\":1}]\n"
           "#2@10 a=<2>\n");
}

static void a_records_path_leads_to_the_array_of_records(void **state)
{
    (void)state;
    expect("{\"next\":\"https://api/x?page=2\",\"skip\":[{\"items\":[{\"no\":1}]}, \"}]\"],\n"
           " \"data\": {\"count\": 2, \"items\": [{\"id\":1},\n {\"id\":2}], \"items2\":{}},\n"
           " \"more\": {\"data\": 1}}\n",
           &records_data_items,
           "#1@100 id=<1>\n"
           "#2@111 id=<2>\n");
    /* keys are compared unescaped; the first match at each level is the one followed */
    expect("{\"d\\u0061ta\":{\"items\":[{\"id\":1}]},\"data\":{\"items\":[{\"id\":2}]}}",
           &records_data_items, "#1@23 id=<1>\n");
    json_options one = {.records = "rows"};
    expect("{\"rows\":[{\"a\":{\"b\":1}}]}", &one, "#1@9 a_b=<1>\n");
}

static void a_missing_or_misdirected_records_path_fails_the_item(void **state)
{
    (void)state;
    expect("{\"data\":{\"rows\":[{\"id\":1}]},\"n\":1}", &records_data_items,
           "error: records path 'data.items' not found: \"data\" has no key \"items\"\n");
    expect("{\"other\":{\"items\":[]}}", &records_data_items,
           "error: records path 'data.items' not found: the top-level object has no key "
           "\"data\"\n");
    expect("{\"data\":{\"items\":{\"id\":1}}}", &records_data_items,
           "error: records path 'data.items': \"data.items\" is an object, not an array\n");
    expect("{\"data\":[{\"items\":[]}]}", &records_data_items,
           "error: records path 'data.items': \"data\" is an array, not an object\n");
    expect("{\"data\":{\"items\":null}}", &records_data_items,
           "error: records path 'data.items': \"data.items\" is null, not an array\n");
    expect("[{\"id\":1}]", &records_data_items,
           "error: records path 'data.items' needs the item to be one JSON object; it starts "
           "with an array\n");
    expect("{\"data\":{\"items\":[{\"id\":1}]}", &records_data_items,
           "#1@18 id=<1>\nerror: the item ends inside the top-level object\n");
    expect("{\"data\" {\"items\":[]}}", &records_data_items,
           "error: the top-level object is malformed at offset 8: expected ':' after a key, "
           "found '{'\n");
    expect("{\"data\":{\"items\":[]}} {}", &records_data_items,
           "error: text after the end of the top-level object at offset 22\n");

    expect("{\"n\":1,\"da\tta\":{}}", &records_data_items,
           "error: the top-level object has an invalid key ending at offset 13\n");

    char err[200];
    const char *bad_paths[] = {"data..items", ".items", "data."};
    for (size_t k = 0; k < 3; k++) {
        json_options o = {.records = bad_paths[k]};
        assert_null(json_reader_new(&o, on_record, on_bad, NULL, err, sizeof(err)));
        assert_non_null(strstr(err, "has an empty key"));
    }
    sqlbuf deep = {0}; /* k1.k2…k32 is as deep as a path goes */
    for (int k = 1; k <= JSON_MAX_PATH_KEYS; k++)
        sqlbuf_printf(&deep, "%sk%d", k > 1 ? "." : "", k);
    json_options o = {.records = deep.data};
    json_reader *r = json_reader_new(&o, on_record, on_bad, NULL, err, sizeof(err));
    assert_non_null(r);
    json_reader_free(r);
    sqlbuf_puts(&deep, ".k33");
    o.records = deep.data;
    assert_null(json_reader_new(&o, on_record, on_bad, NULL, err, sizeof(err)));
    assert_non_null(strstr(err, "has more than 32 keys"));
    sqlbuf_free(&deep);
}

/* ---- what a record becomes ---- */

static void nested_objects_flatten_to_parent_child_names(void **state)
{
    (void)state;
    expect("{\"a\":{\"b\":{\"c\":1,\"d\":[1, {\"e\" : 2}, \"x y\"]},\"f\":{}},"
           " \"g\":true,\"h\":false,\"i\":null,\"j\":\"\",\"\":{\"k\":0}}",
           NULL,
           "#1@0 a_b_c=<1> a_b_d=<[1,{\"e\":2},\"x y\"]> g=<true> h=<false> i=NULL j=<> "
           "_k=<0>\n");
    /* deep nesting */
    expect("{\"l1\":{\"l2\":{\"l3\":{\"l4\":{\"l5\":{\"l6\":\"deep\"}}}}},\"z\":[[[]]]}", NULL,
           "#1@0 l1_l2_l3_l4_l5_l6=<deep> z=<[[[]]]>\n");
}

static void strings_are_decoded_and_numbers_kept_as_written(void **state)
{
    (void)state;
    expect("{\"e\":\"caf\\u00e9\",\"smile\":\"\\ud83d\\ude00\",\"raw\":\"caf\xc3\xa9 "
           "\xf0\x9f\x98\x80\","
           "\"esc\":\"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\",\"k\\u00e9y\":1}",
           NULL,
           "#1@0 e=<caf\xc3\xa9> smile=<\xf0\x9f\x98\x80> raw=<caf\xc3\xa9 \xf0\x9f\x98\x80> "
           "esc=<a\"b\\c/d\be\ff\ng\rh\ti> k\xc3\xa9y=<1>\n");
    expect("{\"big\":12345678901234567890,\"huge\":1e400,\"tiny\":-0.5E-3,\"zero\":0,"
           "\"neg\":-0,\"exp\":2E+10,\"arr\":[1.50, 1e400]}",
           NULL,
           "#1@0 big=<12345678901234567890> huge=<1e400> tiny=<-0.5E-3> zero=<0> neg=<-0> "
           "exp=<2E+10> arr=<[1.50,1e400]>\n");
}

static void a_name_with_two_values_makes_the_record_bad(void **state)
{
    (void)state;
    expect(
        "{\"a_b\":1,\"a\":{\"b\":2}}\n{\"x\":1,\"x\":2}\n{\"a\":{\"b\":1},\"a_b\":2}\n"
        "{\"a\":{\"b\":1,\"c\":2},\"b\":3}\n",
        NULL,
        "!1@0 column \"a_b\" has two values (byte 15 of the record) [{\"a_b\":1,\"a\":{\"b\":2}}]\n"
        "!2@22 column \"x\" has two values (byte 8 of the record) [{\"x\":1,\"x\":2}]\n"
        "!3@36 column \"a_b\" has two values (byte 14 of the record) "
        "[{\"a\":{\"b\":1},\"a_b\":2}]\n"
        "#4@58 a_b=<1> a_c=<2> b=<3>\n");
}

static void many_fields_in_one_record(void **state)
{
    (void)state;
    sqlbuf in = {0}, want = {0};
    sqlbuf_puts(&in, "{");
    sqlbuf_puts(&want, "#1@0");
    for (int k = 0; k < 3000; k++) {
        sqlbuf_printf(&in, "%s\"f%d\":%d", k ? "," : "", k, k * 7);
        sqlbuf_printf(&want, " f%d=<%d>", k, k * 7);
    }
    sqlbuf_puts(&in, "}\n{\"f1\":1,\"f1\":2}");
    sqlbuf_puts(&want, "\n!2@");
    sqlbuf_printf(&want,
                  "%zu column \"f1\" has two values (byte 9 of the record) "
                  "[{\"f1\":1,\"f1\":2}]\n",
                  in.len - 15);
    expect_whole(in.data, NULL, want.data);
    sqlbuf_free(&in);
    sqlbuf_free(&want);
}

/* ---- bad records ---- */

static void bad_lines_are_reported_and_reading_goes_on(void **state)
{
    (void)state;
    expect("{\"a\":1}\n"
           "{\"a\":tru}\n"
           "42\n"
           "[1,2]\n"
           "\"text\"\n"
           "{\"a\":1} {\"b\":2}\n"
           "{\"a\":01}\n"
           "{\"a\":\"x}\n"
           "{\n"
           "  \"pretty\": 1\n"
           "}\n"
           "{\"a\":2}",
           NULL,
           "#1@0 a=<1>\n"
           "!2@8 invalid word: expected true (byte 6 of the record) [{\"a\":tru}]\n"
           "!3@18 the record is a number, not an object (byte 1 of the record) [42]\n"
           "!4@21 the record is an array, not an object (byte 1 of the record) [[1,2]]\n"
           "!5@27 the record is a string, not an object (byte 1 of the record) [\"text\"]\n"
           "!6@34 expected the end of the record, found '{' (byte 9 of the record) "
           "[{\"a\":1} {\"b\":2}]\n"
           "!7@50 invalid number (no leading zeros, one '.', one exponent) (byte 7 of the "
           "record) [{\"a\":01}]\n"
           "!8@59 unterminated string (byte 9 of the record) [{\"a\":\"x}]\n"
           "!9@68 the record ends where a key was expected (byte 2 of the record) [{]\n"
           "!10@72 expected the end of the record, found ':' (byte 9 of the record) "
           "[\"pretty\": 1]\n"
           "!11@84 expected a value, found '}' (byte 1 of the record) [}]\n"
           "#12@86 a=<2>\n");
}

static void text_that_text_columns_cannot_hold_makes_the_record_bad(void **state)
{
    (void)state;
    expect(
        "{\"nul\":\"a\\u0000b\"}\n"
        "{\"lone\":\"\\ud800x\"}\n"
        "{\"low\":\"\\udc00\"}\n"
        "{\"utf8\":\"\xc3(\"}\n"
        "{\"overlong\":\"\xc0\xaf\"}\n"
        "{\"ctl\":\"a\tb\"}\n"
        "{\"esc\":\"\\x\"}\n"
        "{\"hex\":\"\\u12G4\"}\n",
        NULL,
        "!1@0 \\u0000 cannot be stored in text (byte 10 of the record) "
        "[{\"nul\":\"a\\u0000b\"}]\n"
        "!2@19 invalid \\u escape: high surrogate \\ud800 without a low one (byte 10 of the "
        "record) [{\"lone\":\"\\ud800x\"}]\n"
        "!3@38 invalid \\u escape: unpaired low surrogate \\udc00 (byte 9 of the record) "
        "[{\"low\":\"\\udc00\"}]\n"
        "!4@55 invalid UTF-8 in a string (byte 10 of the record) [{\"utf8\":\"\xc3(\"}]\n"
        "!5@69 invalid UTF-8 in a string (byte 14 of the record) "
        "[{\"overlong\":\"\xc0\xaf\"}]\n"
        "!6@87 control character 0x09 in a string (it must be escaped) (byte 10 of the "
        "record) [{\"ctl\":\"a\tb\"}]\n"
        "!7@101 expected an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u), found 'x' (byte 10 of "
        "the record) [{\"esc\":\"\\x\"}]\n"
        "!8@114 invalid \\u escape: four hex digits must follow (byte 9 of the record) "
        "[{\"hex\":\"\\u12G4\"}]\n");
}

static void nesting_deeper_than_the_limit_makes_the_record_bad(void **state)
{
    (void)state;
    sqlbuf in = {0};
    for (int k = 0; k < JSONFLAT_MAX_DEPTH; k++)
        sqlbuf_puts(&in, "{\"a\":");
    sqlbuf_puts(&in, "1");
    for (int k = 0; k < JSONFLAT_MAX_DEPTH; k++)
        sqlbuf_puts(&in, "}");
    sqlbuf_puts(&in, "\n{\"b\":");
    for (int k = 0; k < JSONFLAT_MAX_DEPTH; k++)
        sqlbuf_puts(&in, "[");
    for (int k = 0; k < JSONFLAT_MAX_DEPTH; k++)
        sqlbuf_puts(&in, "]");
    sqlbuf_puts(&in, "}\n");
    char *got = read_with(in.data, NULL);
    /* the record at the limit reads; one more level does not */
    assert_true(strncmp(got, "#1@0 a_a_a_a", 12) == 0);
    assert_non_null(
        strstr(got, "\n!2@3074 nested deeper than 512 levels (byte 517 of the record)"));
    free(got);
    sqlbuf_free(&in);
}

static void bad_elements_of_an_array_are_reported_and_reading_goes_on(void **state)
{
    (void)state;
    expect("[{\"a\":1}, 42, {\"a\":tru}, [1,{\"x\":2}], \"s\", null, {\"b\":2}, x, {\"c\":3}]",
           NULL,
           "#1@1 a=<1>\n"
           "!2@10 the record is a number, not an object (byte 1 of the record) [42]\n"
           "!3@14 invalid word: expected true (byte 6 of the record) [{\"a\":tru}]\n"
           "!4@25 the record is an array, not an object (byte 1 of the record) [[1,{\"x\":2}]]\n"
           "!5@38 the record is a string, not an object (byte 1 of the record) [\"s\"]\n"
           "!6@43 the record is null, not an object (byte 1 of the record) [null]\n"
           "#7@49 b=<2>\n"
           "!8@58 expected a value, found 'x' (byte 1 of the record) [x]\n"
           "#9@61 c=<3>\n");
}

static void an_array_that_cannot_be_delimited_ends_in_one_bad_record(void **state)
{
    (void)state;
    expect("[{\"a\":1} {\"a\":2}, {\"a\":3}]", NULL,
           "#1@1 a=<1>\n"
           "!2@9 expected ',' or ']' after record 1, found '{'; the rest of the item is skipped "
           "[{\"a\":2}, {\"a\":3}]]\n");
    expect("[{\"a\":1},{\"a\":", NULL,
           "#1@1 a=<1>\n"
           "!2@9 the item ends inside record 2 (an object or array is not closed) [{\"a\":]\n");
    expect("[{\"a\":\"x}, {\"b\":1}]\n", NULL,
           "!1@1 the item ends inside record 1 (in a string) [{\"a\":\"x}, {\"b\":1}]\n]\n");
    expect("[{\"a\":1}", NULL,
           "#1@1 a=<1>\n!2@8 the item ends before the closing ']' of the array []\n");
    expect("[{\"a\":1}, 5", NULL,
           "#1@1 a=<1>\n"
           "!2@10 the record is a number, not an object (byte 1 of the record) [5]\n"
           "!3@11 the item ends before the closing ']' of the array []\n");
    expect("[{\"a\":1},]", NULL,
           "#1@1 a=<1>\n!2@9 expected record 2, found ']'; the rest of the item is skipped []]\n");
    expect("[{\"a\":1}] [{\"a\":2}]", NULL,
           "#1@1 a=<1>\n!2@10 text after the end of the top-level array; the rest of the item "
           "is skipped [[{\"a\":2}]]\n");
    /* inside a records path it is the same */
    expect("{\"data\":{\"items\":[{\"a\":1} 2]}}", &records_data_items,
           "#1@18 a=<1>\n"
           "!2@26 expected ',' or ']' after record 1, found '2'; the rest of the item is skipped "
           "[2]}}]\n");
    /* the raw text shown is at most JSON_RAW_CONTEXT bytes */
    sqlbuf in = {0};
    sqlbuf_puts(&in, "[{} x");
    for (int k = 0; k < 1000; k++)
        sqlbuf_puts(&in, "{\"a\":1},");
    char *got = read_with(in.data, NULL);
    const char *raw = strchr(got, '[');
    assert_non_null(raw);
    assert_int_equal(strlen(raw), 1 + JSON_RAW_CONTEXT + 2);
    free(got);
    sqlbuf_free(&in);
}

static void a_record_longer_than_the_limit_is_bad_and_skipped(void **state)
{
    (void)state;
    json_options small = {.max_record_bytes = 16};
    expect("{\"a\":1}\n"
           "      {\"long\":\"0123456789abcdef\"}\n"
           "{\"a\":2}\n",
           &small,
           "#1@0 a=<1>\n"
           "!2@14 the record is longer than 16 bytes, the most one record may take "
           "[{\"long\":\"0123456]\n"
           "#3@42 a=<2>\n");
    expect("[{\"a\":1},{\"long\":[\"]\",\"0123456789abcdef\"]},{\"a\":2}]", &small,
           "#1@1 a=<1>\n"
           "!2@9 the record is longer than 16 bytes, the most one record may take "
           "[{\"long\":[\"]\",\"01]\n"
           "#3@43 a=<2>\n");
    /* exactly the limit reads */
    expect("{\"ab\":\"0123456\"}\n", &small, "#1@0 ab=<0123456>\n");
}

static void a_consumer_stops_the_reading(void **state)
{
    (void)state;
    const char *in = "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n";
    transcript t = {.stop_at = 2};
    char err[200];
    json_reader *r = json_reader_new(NULL, on_record, on_bad, &t, err, sizeof(err));
    assert_int_equal(json_reader_feed(r, in, strlen(in)), 7);
    assert_int_equal(json_reader_feed(r, in, strlen(in)), 7);
    assert_int_equal(json_reader_finish(r), 7);
    assert_null(json_reader_error(r));
    assert_string_equal(t.text.data, "#1@0 a=<1>\n#2@8 a=<2>\n");
    json_reader_free(r);
    sqlbuf_free(&t.text);

    memset(&t, 0, sizeof(t));
    t.stop_at = 1; /* a bad record may stop it too */
    r = json_reader_new(NULL, on_record, on_bad, &t, err, sizeof(err));
    assert_int_equal(json_reader_feed(r, "5\n{}", 4), 7);
    json_reader_free(r);
    sqlbuf_free(&t.text);
}

static void a_huge_array_streams(void **state)
{
    (void)state;
    transcript t = {0};
    char err[200];
    json_options opt = {.max_record_bytes = 64};
    json_reader *r = json_reader_new(&opt, on_record, on_bad, &t, err, sizeof(err));
    assert_int_equal(json_reader_feed(r, "[", 1), 0);
    char rec[64];
    long long offset = 1;
    for (int k = 1; k <= 200000; k++) {
        int n = snprintf(rec, sizeof(rec), "%s{\"id\":%d,\"v\":\"x\"}", k > 1 ? "," : "", k);
        assert_int_equal(json_reader_feed(r, rec, (size_t)n), 0);
        offset += n;
        if (t.text.len > 4096) /* keep only the latest records */
            sqlbuf_reset(&t.text);
    }
    assert_int_equal(json_reader_feed(r, "]", 1), 0);
    assert_int_equal(json_reader_finish(r), 0);
    char want[100];
    snprintf(want, sizeof(want), "#200000@%lld id=<200000> v=<x>\n",
             offset - (long long)strlen("{\"id\":200000,\"v\":\"x\"}"));
    assert_non_null(strstr(t.text.data, want));
    json_reader_free(r);
    sqlbuf_free(&t.text);
}

static int feed_reader(void *arg, const char *data, size_t len)
{
    return json_reader_feed(arg, data, len);
}

static void a_gzip_item_reads_like_the_plain_one(void **state)
{
    (void)state;
    const char *plain = "{\"id\":1,\"tags\":[\"a\"]}\n{\"id\":2,\"tags\":[]}\n";
    unsigned char gz[256];
    z_stream z = {0};
    assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (Bytef *)plain;
    z.avail_in = (uInt)strlen(plain);
    z.next_out = gz;
    z.avail_out = sizeof(gz);
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t n = z.total_out;
    deflateEnd(&z);

    transcript t = {0};
    char err[200];
    json_reader *r = json_reader_new(NULL, on_record, on_bad, &t, err, sizeof(err));
    decompress *d = decompress_new(feed_reader, r);
    for (size_t k = 0; k < n; k++)
        assert_int_equal(decompress_feed(d, gz + k, 1), 0);
    assert_int_equal(decompress_finish(d), 0);
    assert_int_equal(json_reader_finish(r), 0);
    char *direct = read_with(plain, NULL);
    assert_string_equal(t.text.data, direct);
    free(direct);
    decompress_free(d);
    json_reader_free(r);
    sqlbuf_free(&t.text);
}

static void a_json_string_is_decoded_on_its_own(void **state)
{
    (void)state;
    sqlbuf out = {0};
    assert_true(jsonflat_string("\"a\\u00e9\\n\"", 11, &out));
    assert_string_equal(out.data, "a\xc3\xa9\n");
    sqlbuf_reset(&out);
    assert_false(jsonflat_string("\"a\" ", 4, &out));
    assert_false(jsonflat_string("\"a", 2, &out));
    assert_false(jsonflat_string("a", 1, &out));
    sqlbuf_free(&out);
}

/* ---- wherever the chunks are cut ---- */

static const char *const split_inputs[] = {
    "{\"id\":1,\"name\":\"ann\"}\n\n  {\"id\":2}\r\n{\"id\":3}",
    "\xef\xbb\xbf[{\"a\":{\"b\":[1,\"]\"]}} , 5,{\"c\":\"\\u00e9\\ud83d\\ude00\"}]",
    "[{\"a\":1} {\"a\":2}]",
    "[{\"a\":\"x}, {\"b\":1}]",
    "{\"a\":tru}\n{\"a_b\":1,\"a\":{\"b\":2}}\n{\"n\":1e400}",
    "\xef\xbb{\"a\":1}",
    "[1, x, {\"a\":{}}] tail",
    "{\"x\":\"}\\\"{[\",\"data\":{\"items\":[{\"a\":1},2 ,{\"b\":\"\\\"\"}]},\"z\":[]}",
    "{\"data\":{\"items\":[{\"a\":1} {\"b\":2}]}}",
};

static void expect(const char *text, const json_options *opt, const char *want)
{
    size_t len = strlen(text);
    expect_whole(text, opt, want);
    char *bytewise = read_cut(text, len, opt, NULL, 1, NULL);
    assert_string_equal(bytewise, want);
    free(bytewise);
    for (size_t cut = 0; cut <= len; cut++) {
        char *got = read_cut(text, len, opt, &cut, 1, NULL);
        if (strcmp(got, want) != 0)
            fail_msg("cut at %zu:\n%s\nwanted:\n%s", cut, got, want);
        free(got);
    }
}

static void records_are_the_same_wherever_the_chunks_are_cut(void **state)
{
    (void)state;
    json_options opts[] = {{0}, {.max_record_bytes = 9}, {.records = "data.items"}};
    for (size_t o = 0; o < sizeof(opts) / sizeof(*opts); o++) {
        for (size_t k = 0; k < sizeof(split_inputs) / sizeof(*split_inputs); k++) {
            const char *text = split_inputs[k];
            size_t len = strlen(text);
            char *want = read_with(text, &opts[o]);
            for (size_t a = 0; a <= len; a++) {
                for (size_t b = a; b <= len; b++) {
                    size_t cuts[2] = {a, b};
                    char *got = read_cut(text, len, &opts[o], cuts, 2, NULL);
                    if (strcmp(got, want) != 0)
                        fail_msg("input %zu cut at %zu and %zu:\n%s\nwanted:\n%s", k, a, b, got,
                                 want);
                    free(got);
                }
            }
            free(want);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_lines_give_one_record_per_line),
        cmocka_unit_test(a_top_level_array_gives_one_record_per_element),
        cmocka_unit_test(empty_items_have_no_records),
        cmocka_unit_test(a_byte_order_mark_is_skipped_and_counted_in_offsets),
        cmocka_unit_test(a_records_path_leads_to_the_array_of_records),
        cmocka_unit_test(a_missing_or_misdirected_records_path_fails_the_item),
        cmocka_unit_test(nested_objects_flatten_to_parent_child_names),
        cmocka_unit_test(strings_are_decoded_and_numbers_kept_as_written),
        cmocka_unit_test(a_name_with_two_values_makes_the_record_bad),
        cmocka_unit_test(many_fields_in_one_record),
        cmocka_unit_test(bad_lines_are_reported_and_reading_goes_on),
        cmocka_unit_test(text_that_text_columns_cannot_hold_makes_the_record_bad),
        cmocka_unit_test(nesting_deeper_than_the_limit_makes_the_record_bad),
        cmocka_unit_test(bad_elements_of_an_array_are_reported_and_reading_goes_on),
        cmocka_unit_test(an_array_that_cannot_be_delimited_ends_in_one_bad_record),
        cmocka_unit_test(a_record_longer_than_the_limit_is_bad_and_skipped),
        cmocka_unit_test(a_consumer_stops_the_reading),
        cmocka_unit_test(a_huge_array_streams),
        cmocka_unit_test(a_gzip_item_reads_like_the_plain_one),
        cmocka_unit_test(a_json_string_is_decoded_on_its_own),
        cmocka_unit_test(records_are_the_same_wherever_the_chunks_are_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
