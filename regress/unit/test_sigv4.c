/*
 * test_sigv4.c — AWS Signature Version 4 against known answers: the examples of the S3
 * documentation ("Authenticating Requests: Using the Authorization Header", keys
 * AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY, 2013-05-24), and
 * requests whose query must be sorted and encoded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigv4.h"

#define AKID "AKIAIOSFODNN7EXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

/* The documentation's requests all go to examplebucket on 2013-05-24 with an empty body. */
static sigv4_request example_request(void)
{
    sigv4_request r = {.method = "GET",
                       .host = "examplebucket.s3.amazonaws.com",
                       .path = "/",
                       .payload_hash = SIGV4_EMPTY_PAYLOAD,
                       .amz_date = "20130524T000000Z",
                       .region = "us-east-1",
                       .service = "s3",
                       .access_key_id = AKID,
                       .secret_access_key = SECRET};
    return r;
}

/* The other requests: eu-west-1 on 2026-11-21, the same keys, an unsigned payload. */
static sigv4_request local_request(const char *host, const char *path)
{
    sigv4_request r = example_request();
    r.host = host;
    r.path = path;
    r.payload_hash = SIGV4_UNSIGNED_PAYLOAD;
    r.amz_date = "20261121T093000Z";
    r.region = "eu-west-1";
    return r;
}

static void assert_signature(const sigv4_request *r, const char *signed_headers,
                             const char *signature)
{
    char want[512];
    snprintf(want, sizeof(want),
             "AWS4-HMAC-SHA256 Credential=%s/%.8s/%s/s3/aws4_request, SignedHeaders=%s, "
             "Signature=%s",
             r->access_key_id, r->amz_date, r->region, signed_headers, signature);
    char *auth = sigv4_authorization(r);
    assert_non_null(auth);
    assert_string_equal(auth, want);
    free(auth);
}

static void get_object_with_range_matches_the_aws_example(void **state)
{
    (void)state;
    sigv4_pair range = {"Range", "bytes=0-9"};
    sigv4_request r = example_request();
    r.path = "/test.txt";
    r.headers = &range;
    r.nheaders = 1;
    char *canon = sigv4_canonical_request(&r);
    assert_string_equal(canon, "GET\n/test.txt\n\n"
                               "host:examplebucket.s3.amazonaws.com\n"
                               "range:bytes=0-9\n"
                               "x-amz-content-sha256:" SIGV4_EMPTY_PAYLOAD "\n"
                               "x-amz-date:20130524T000000Z\n\n"
                               "host;range;x-amz-content-sha256;x-amz-date\n" SIGV4_EMPTY_PAYLOAD);
    free(canon);
    assert_signature(&r, "host;range;x-amz-content-sha256;x-amz-date",
                     "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

static void list_objects_and_a_bare_subresource_match_the_aws_examples(void **state)
{
    (void)state;
    /* given out of order: signing sorts them */
    sigv4_pair list[] = {{"prefix", "J"}, {"max-keys", "2"}};
    sigv4_request r = example_request();
    r.query = list;
    r.nquery = 2;
    assert_signature(&r, "host;x-amz-content-sha256;x-amz-date",
                     "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");

    /* GET ?lifecycle: a parameter without value is signed as "lifecycle=" */
    sigv4_pair lifecycle = {"lifecycle", ""};
    r.query = &lifecycle;
    r.nquery = 1;
    assert_signature(&r, "host;x-amz-content-sha256;x-amz-date",
                     "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

/*
 * A ListObjectsV2 page, path style on a local endpoint with a port, with a session token:
 * the query comes unsorted, and the prefix and continuation token hold '/', '+', '=', '&',
 * a space and UTF-8. Expected values computed independently with Python's standard library
 * (hashlib, hmac, urllib.parse.quote(…, safe='-_.~') for names and values, sorted pairs,
 * quote(path, safe='/-_.~'), the HMAC key chain of the AWS documentation).
 */
static void list_objects_v2_query_is_sorted_and_encoded(void **state)
{
    (void)state;
    sigv4_pair q[] = {{"prefix", "logs/2026/\xc3\xa9t\xc3\xa9 +x&y=z"},
                      {"list-type", "2"},
                      {"max-keys", "1000"},
                      {"continuation-token", "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="},
                      {"encoding-type", "url"}};
    sigv4_request r = local_request("127.0.0.1:4568", "/my-bucket/");
    r.query = q;
    r.nquery = 5;
    r.session_token = "FQoGZXIvYXdzEXAMPLE//token+with/slashes=";
    char *query = sigv4_canonical_query(q, 5);
    assert_string_equal(query, "continuation-token=1ueGcxLPRx1Tr%2FXYExHnhbYLgveDs2J%2Fwm36Hy4v"
                               "bOwM%3D&encoding-type=url&list-type=2&max-keys=1000&prefix=logs%"
                               "2F2026%2F%C3%A9t%C3%A9%20%2Bx%26y%3Dz");
    free(query);
    char *canon = sigv4_canonical_request(&r);
    assert_non_null(strstr(canon, "\nhost:127.0.0.1:4568\nx-amz-content-sha256:UNSIGNED-PAYLOAD\n"
                                  "x-amz-date:20261121T093000Z\nx-amz-security-token:FQoGZXIvYXd"
                                  "zEXAMPLE//token+with/slashes=\n\n"));
    free(canon);
    assert_signature(&r, "host;x-amz-content-sha256;x-amz-date;x-amz-security-token",
                     "42b78023eed089af7208c3dde4c36cc173f55e90236cce1354201c97e4ef36df");
}

/* A key needing encoding in the path ('+' and a space are not left as they are), and
 * header values trimmed. Expected signature computed with Python as above. */
static void object_path_is_encoded_once_and_header_values_trimmed(void **state)
{
    (void)state;
    sigv4_pair h[] = {{"Range", "  bytes=0-99  "}, {"If-Match", "\"abc\""}};
    sigv4_request r =
        local_request("bkt.s3.eu-west-1.amazonaws.com", "/photos/2026 11/\xc3\xa9t\xc3\xa9+1.jpg");
    r.headers = h;
    r.nheaders = 2;
    char *canon = sigv4_canonical_request(&r);
    assert_string_equal(canon, "GET\n/photos/2026%2011/%C3%A9t%C3%A9%2B1.jpg\n\n"
                               "host:bkt.s3.eu-west-1.amazonaws.com\n"
                               "if-match:\"abc\"\nrange:bytes=0-99\n"
                               "x-amz-content-sha256:UNSIGNED-PAYLOAD\n"
                               "x-amz-date:20261121T093000Z\n\n"
                               "host;if-match;range;x-amz-content-sha256;x-amz-date\n"
                               "UNSIGNED-PAYLOAD");
    free(canon);
    assert_signature(&r, "host;if-match;range;x-amz-content-sha256;x-amz-date",
                     "74da3b07b5687a9d475810afdf719f7267cc5fb337feca13fca28bcee1c2f25d");
}

static void the_secret_never_appears_in_what_is_sent(void **state)
{
    (void)state;
    sigv4_request r = example_request();
    char *auth = sigv4_authorization(&r);
    assert_null(strstr(auth, SECRET));
    assert_null(strstr(auth, "wJalr"));
    free(auth);
}

static void helpers_encode_hash_and_format_dates(void **state)
{
    (void)state;
    sqlbuf b = {0};
    sigv4_uri_encode(&b, "a b/~-._*", 9, true);
    sigv4_uri_encode(&b, "/", 1, false);
    assert_string_equal(b.data, "a%20b/~-._%2A%2F");
    sqlbuf_free(&b);

    char hex[65];
    sigv4_sha256_hex("", 0, hex);
    assert_string_equal(hex, SIGV4_EMPTY_PAYLOAD);

    char date[17];
    sigv4_amz_date(1369353600, date); /* 2013-05-24 00:00:00 UTC */
    assert_string_equal(date, "20130524T000000Z");

    char *none = sigv4_canonical_query(NULL, 0);
    assert_string_equal(none, "");
    free(none);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(get_object_with_range_matches_the_aws_example),
        cmocka_unit_test(list_objects_and_a_bare_subresource_match_the_aws_examples),
        cmocka_unit_test(list_objects_v2_query_is_sorted_and_encoded),
        cmocka_unit_test(object_path_is_encoded_once_and_header_values_trimmed),
        cmocka_unit_test(the_secret_never_appears_in_what_is_sent),
        cmocka_unit_test(helpers_encode_hash_and_format_dates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
