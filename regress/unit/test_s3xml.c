/*
 * test_s3xml.c — reading S3's XML: ListObjectsV2 pages however the bytes arrive, keys listed
 * with encoding-type=url, ETags without their quotes, error documents, and documents that
 * are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "s3xml.h"

static const char page_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
    "<Name>bkt</Name><Prefix>logs/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>"
    "<IsTruncated>true</IsTruncated>"
    "<Contents><Key>logs/a &amp; b.csv</Key><LastModified>2026-11-21T09:30:00.123Z</LastModified>"
    "<ETag>&quot;6520213d3695a344f306efffa2523807&quot;</ETag><Size>3</Size>"
    "<StorageClass>STANDARD</StorageClass></Contents>"
    "<Contents><Key>logs/\xc3\xa9t\xc3\xa9.csv</Key><LastModified>2026-11-21T09:31:00.000Z"
    "</LastModified><ETag>\"9b2cf535f27731c974343645a3985328-2\"</ETag><Size>10485760</Size>"
    "</Contents>"
    "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>"
    "</ListBucketResult>";

/* Parses a whole document into p and returns its page. */
static s3_page parse(s3xml_list *p, const char *xml)
{
    s3xml_list_reset(p);
    assert_int_equal(s3xml_list_feed(p, xml, strlen(xml), true), 0);
    return s3xml_list_page(p);
}

static void assert_page(const s3_page *page)
{
    assert_int_equal(page->count, 2);
    assert_string_equal(page->objects[0].key, "logs/a & b.csv");
    assert_string_equal(page->objects[0].etag, "6520213d3695a344f306efffa2523807");
    assert_int_equal(page->objects[0].size, 3);
    assert_int_equal(page->objects[0].last_modified, 1795253400123LL);
    assert_string_equal(page->objects[1].key, "logs/\xc3\xa9t\xc3\xa9.csv");
    assert_string_equal(page->objects[1].etag, "9b2cf535f27731c974343645a3985328-2");
    assert_int_equal(page->objects[1].size, 10485760);
    assert_string_equal(page->next_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
}

static void a_page_reads_the_same_in_one_piece_or_byte_by_byte(void **state)
{
    (void)state;
    s3xml_list *p = s3xml_list_new();
    s3_page page = parse(p, page_xml);
    assert_page(&page);

    s3xml_list_reset(p);
    for (size_t i = 0; i < strlen(page_xml); i++)
        assert_int_equal(s3xml_list_feed(p, page_xml + i, 1, false), 0);
    assert_int_equal(s3xml_list_feed(p, "", 0, true), 0);
    page = s3xml_list_page(p);
    assert_page(&page);
    s3xml_list_free(p);
}

static void the_last_page_has_no_next_token_and_an_empty_one_no_objects(void **state)
{
    (void)state;
    static const char last[] = "<ListBucketResult><IsTruncated>false</IsTruncated>"
                               "<NextContinuationToken>stale</NextContinuationToken>"
                               "</ListBucketResult>";
    s3xml_list *p = s3xml_list_new();
    s3_page page = parse(p, last);
    assert_int_equal(page.count, 0);
    assert_null(page.next_token);
    s3xml_list_free(p);
}

static void keys_listed_with_encoding_type_url_are_decoded(void **state)
{
    (void)state;
    /* as S3 encodes them: a space is '+', a '+' is %2B, a control character %01 */
    static const char xml[] = "<ListBucketResult><EncodingType>url</EncodingType>"
                              "<IsTruncated>false</IsTruncated>"
                              "<Contents><Key>a+b%2Bc%2F%C3%A9%01</Key><ETag>\"e\"</ETag>"
                              "<Size>1</Size><LastModified>1970-01-01T00:00:00Z</LastModified>"
                              "</Contents></ListBucketResult>";
    s3xml_list *p = s3xml_list_new();
    s3_page page = parse(p, xml);
    assert_int_equal(page.count, 1);
    assert_string_equal(page.objects[0].key, "a b+c/\xc3\xa9\x01");
    assert_int_equal(page.objects[0].last_modified, 0);
    s3xml_list_free(p);
}

static void assert_refused(const char *xml, const char *problem)
{
    s3xml_list *p = s3xml_list_new();
    assert_int_equal(s3xml_list_feed(p, xml, strlen(xml), true), -1);
    assert_non_null(strstr(s3xml_list_problem(p), problem));
    s3xml_list_free(p);
}

static void documents_that_cannot_be_a_listing_are_refused(void **state)
{
    (void)state;
    assert_refused("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>",
                   "no NextContinuationToken");
    assert_refused("<!DOCTYPE x [<!ENTITY a \"aaaa\">]><ListBucketResult>&a;</ListBucketResult>",
                   "DOCTYPE");
    assert_refused("<Error><Code>NoSuchBucket</Code></Error>", "not a ListBucketResult");
    assert_refused("<ListBucketResult><Contents><Key>k</Key></Contents></ListBucketResult>",
                   "without Key or ETag");
    assert_refused("<ListBucketResult><Contents><Key>k</Key><ETag>e</ETag><Size>-1</Size>"
                   "</Contents></ListBucketResult>",
                   "Size");
    assert_refused("<ListBucketResult><Contents>", "no element found");
}

static void error_documents_give_code_message_and_region(void **state)
{
    (void)state;
    static const char xml[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>PermanentRedirect</Code>"
        "<Message>The bucket you are attempting to access must be addressed using the specified "
        "endpoint.</Message><Endpoint>bkt.s3.eu-west-1.amazonaws.com</Endpoint>"
        "<Bucket>bkt</Bucket><Region>eu-west-1</Region><RequestId>R</RequestId></Error>";
    s3xml_error e;
    assert_true(s3xml_parse_error(xml, strlen(xml), &e));
    assert_string_equal(e.code, "PermanentRedirect");
    assert_string_equal(e.region, "eu-west-1");
    assert_string_equal(e.endpoint, "bkt.s3.eu-west-1.amazonaws.com");
    assert_non_null(strstr(e.message, "must be addressed"));

    assert_false(s3xml_parse_error("<html>502 Bad Gateway</html>", 28, &e));
    assert_string_equal(e.code, "");
    assert_false(s3xml_parse_error("", 0, &e));
}

static void times_and_etags(void **state)
{
    (void)state;
    assert_int_equal(s3xml_parse_time("2013-05-24T00:00:00.000Z"), 1369353600000LL);
    assert_int_equal(s3xml_parse_time("2013-05-24T00:00:00.5Z"), 1369353600500LL);
    assert_int_equal(s3xml_parse_time("2013-05-24T00:00:00+02:00"), -1);
    assert_int_equal(s3xml_parse_time("yesterday"), -1);
    char q[] = "\"abc\"", bare[] = "abc", one[] = "\"";
    assert_string_equal(s3xml_unquote(q), "abc");
    assert_string_equal(s3xml_unquote(bare), "abc");
    assert_string_equal(s3xml_unquote(one), "\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_page_reads_the_same_in_one_piece_or_byte_by_byte),
        cmocka_unit_test(the_last_page_has_no_next_token_and_an_empty_one_no_objects),
        cmocka_unit_test(keys_listed_with_encoding_type_url_are_decoded),
        cmocka_unit_test(documents_that_cannot_be_a_listing_are_refused),
        cmocka_unit_test(error_documents_give_code_message_and_region),
        cmocka_unit_test(times_and_etags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
