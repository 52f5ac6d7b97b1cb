/*
 * test_s3.c — the S3 client against scripted HTTP answers from a loopback server: where
 * requests go (virtual host or path style), what they carry (signature headers, sorted
 * query, Range and If-Match on resume), retries of 5xx answers and lost connections, and
 * the words of its errors, which never hold a secret. (Listing and reading a real S3
 * implementation is regress/scenarios/s3.sh.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "s3.h"
#include "sigv4.h"
#include "sqlbuf.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define TOKEN "FQoGZXIvYXdzEXAMPLEsessiontoken"
#define MAX_EXCHANGES 8

/* ---- a server that plays scripted answers, one connection per request ------------------- */

typedef struct fake_s3 {
    int fd;
    int port;
    pthread_t thread;
    const char *answers[MAX_EXCHANGES]; /* raw bytes; the connection closes after each */
    size_t nanswers;
    char requests[MAX_EXCHANGES][4096]; /* head and body of each request received */
    size_t nrequests;
} fake_s3;

static void read_request(int conn, char *buf, size_t cap)
{
    size_t len = 0, want = 0;
    while (len + 1 < cap) {
        ssize_t n = read(conn, buf + len, cap - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
        buf[len] = '\0';
        char *end = strstr(buf, "\r\n\r\n");
        if (!end)
            continue;
        const char *cl = strcasestr(buf, "\r\nContent-Length:");
        want = (size_t)(end + 4 - buf) + (cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0);
        if (len >= want)
            break;
    }
    buf[len] = '\0';
}

static void *fake_s3_main(void *arg)
{
    fake_s3 *s = arg;
    for (size_t i = 0; i < s->nanswers; i++) {
        int conn = accept(s->fd, NULL, NULL);
        if (conn < 0)
            break;
        read_request(conn, s->requests[i], sizeof(s->requests[i]));
        s->nrequests++;
        size_t n = strlen(s->answers[i]);
        if (write(conn, s->answers[i], n) != (ssize_t)n)
            break;
        close(conn);
    }
    return NULL;
}

static int listen_loopback(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof(a);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(fd, 8), 0);
    getsockname(fd, (struct sockaddr *)&a, &alen);
    *port = ntohs(a.sin_port);
    return fd;
}

static void fake_s3_start(fake_s3 *s)
{
    s->fd = listen_loopback(&s->port);
    pthread_create(&s->thread, NULL, fake_s3_main, s);
}

/* Waits for the scripted exchanges to end; returns how many requests came. */
static size_t fake_s3_stop(fake_s3 *s)
{
    shutdown(s->fd, SHUT_RDWR);
    pthread_join(s->thread, NULL);
    close(s->fd);
    return s->nrequests;
}

static s3_client *client_for(const fake_s3 *s, const char *token)
{
    char endpoint[64];
    snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d", s->port);
    s3_config cfg = {.bucket = "bkt",
                     .region = "eu-west-1",
                     .endpoint = endpoint,
                     .access_key_id = "AKIAIOSFODNN7EXAMPLE",
                     .secret_access_key = SECRET,
                     .session_token = token,
                     .max_attempts = 3,
                     .retry_base_ms = 1};
    s3_error err;
    s3_client *c = s3_client_new(&cfg, &err);
    assert_non_null(c);
    return c;
}

#define HEAD_200 "HTTP/1.1 200 OK\r\nConnection: close\r\n"
#define ERROR_ANSWER(status, code, msg)                                                            \
    "HTTP/1.1 " status "\r\nConnection: close\r\nContent-Type: application/xml\r\n\r\n"            \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" code "</Code><Message>" msg        \
    "</Message></Error>"

/* Collects what s3_get delivers. */
static int collect(void *arg, const void *data, size_t len)
{
    sqlbuf_putn(arg, data, len);
    return 0;
}

static void assert_no_secret(const s3_error *err)
{
    assert_null(strstr(err->message, SECRET));
    assert_null(strstr(err->message, TOKEN));
    assert_null(strstr(err->hint, SECRET));
    assert_null(strstr(err->hint, TOKEN));
}

/* ---- where requests go ----------------------------------------------------------------- */

static const char *base_url(const s3_config *cfg, char *buf, size_t len)
{
    s3_error err;
    s3_client *c = s3_client_new(cfg, &err);
    if (!c)
        snprintf(buf, len, "error %s: %.400s", err.sqlstate, err.message);
    else
        snprintf(buf, len, "%s", s3_client_base_url(c));
    s3_client_free(c);
    return buf;
}

static void aws_uses_virtual_hosts_and_local_endpoints_path_style(void **state)
{
    (void)state;
    char buf[512];
    s3_config aws = {.bucket = "logs-bkt"};
    assert_string_equal(base_url(&aws, buf, sizeof(buf)),
                        "https://logs-bkt.s3.us-east-1.amazonaws.com");
    aws.region = "eu-west-1";
    aws.path_style = true;
    assert_string_equal(base_url(&aws, buf, sizeof(buf)),
                        "https://s3.eu-west-1.amazonaws.com/logs-bkt");
    s3_config dotted = {.bucket = "logs.example.com", .region = "cn-north-1"};
    assert_string_equal(base_url(&dotted, buf, sizeof(buf)),
                        "https://s3.cn-north-1.amazonaws.com.cn/logs.example.com");
    s3_config local = {.bucket = "bkt", .endpoint = "http://127.0.0.1:4568/"};
    assert_string_equal(base_url(&local, buf, sizeof(buf)), "http://127.0.0.1:4568/bkt");
    s3_config minio = {.bucket = "bkt", .endpoint = "minio.internal:9000"};
    assert_string_equal(base_url(&minio, buf, sizeof(buf)), "https://bkt.minio.internal:9000");
}

static void configurations_that_cannot_work_are_refused(void **state)
{
    (void)state;
    char buf[512];
    s3_config none = {0};
    assert_string_equal(base_url(&none, buf, sizeof(buf)),
                        "error 22023: an s3 connection needs a bucket");
    s3_config half = {.bucket = "b", .access_key_id = "AKID"};
    assert_string_equal(base_url(&half, buf, sizeof(buf)),
                        "error 22023: an s3 connection with access_key_id needs "
                        "secret_access_key");
    s3_config ftp = {.bucket = "b", .endpoint = "ftp://h/"};
    assert_non_null(strstr(base_url(&ftp, buf, sizeof(buf)), "error 22023: S3 endpoint"));
    s3_config with_path = {.bucket = "b", .endpoint = "http://h/some/path"};
    assert_non_null(strstr(base_url(&with_path, buf, sizeof(buf)), "without a path"));
}

/* ---- one call of the client against scripted answers --------------------------------- */

/* What a call left: its return value, its error, the bytes a GET delivered. The server has
 * stopped: s->requests holds what it received. */
typedef struct outcome {
    int rc;
    s3_error err;
    sqlbuf got;
    size_t nrequests;
} outcome;

typedef int (*client_call)(s3_client *c, outcome *o, const void *arg);

static outcome play(fake_s3 *s, const char *token, client_call call, const void *arg)
{
    outcome o = {0};
    fake_s3_start(s);
    s3_client *c = client_for(s, token);
    o.rc = call(c, &o, arg);
    o.nrequests = fake_s3_stop(s);
    s3_client_free(c);
    return o;
}

typedef struct get_args {
    const char *key, *etag;
    s3_write_fn fn;
} get_args;

static int do_get(s3_client *c, outcome *o, const void *arg)
{
    const get_args *g = arg;
    return s3_get(c, g->key, g->etag, g->fn ? g->fn : collect, &o->got, &o->err);
}

static outcome get(fake_s3 *s, const char *token, const char *key, const char *etag)
{
    get_args g = {.key = key, .etag = etag};
    return play(s, token, do_get, &g);
}

/* ---- get ------------------------------------------------------------------------------- */

static void a_get_is_signed_and_streams_the_body(void **state)
{
    (void)state;
    fake_s3 s = {.answers = {HEAD_200 "ETag: \"e1\"\r\nContent-Length: 11\r\n\r\nhello world"},
                 .nanswers = 1};
    outcome o = get(&s, TOKEN, "dir/a b+c.csv", NULL);
    assert_int_equal(o.rc, 0);
    assert_string_equal(o.got.data, "hello world");
    assert_int_equal(o.nrequests, 1);
    const char *req = s.requests[0];
    assert_non_null(strstr(req, "GET /bkt/dir/a%20b%2Bc.csv HTTP/1.1\r\n"));
    char host[64];
    snprintf(host, sizeof(host), "\r\nHost: 127.0.0.1:%d\r\n", s.port);
    assert_non_null(strstr(req, host));
    assert_non_null(strstr(req, "\r\nx-amz-content-sha256: " SIGV4_EMPTY_PAYLOAD));
    assert_non_null(strstr(req, "\r\nx-amz-security-token: " TOKEN "\r\n"));
    assert_non_null(strstr(req, "\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7"
                                "EXAMPLE/"));
    assert_non_null(strstr(req, "/eu-west-1/s3/aws4_request, SignedHeaders=host;x-amz-content-"
                                "sha256;x-amz-date;x-amz-security-token, Signature="));
    assert_null(strstr(req, SECRET));
    sqlbuf_free(&o.got);
}

static void a_lost_connection_is_resumed_with_range_and_if_match(void **state)
{
    (void)state;
    fake_s3 s = {.answers = {HEAD_200 "ETag: \"e1\"\r\nContent-Length: 20\r\n\r\n0123456789",
                             "HTTP/1.1 503 Slow Down\r\nConnection: close\r\n\r\n",
                             "HTTP/1.1 206 Partial Content\r\nConnection: close\r\nETag: \"e1\"\r\n"
                             "Content-Range: bytes 10-19/20\r\nContent-Length: 10\r\n\r\n"
                             "abcdefghij"},
                 .nanswers = 3};
    outcome o = get(&s, NULL, "k", NULL);
    assert_int_equal(o.rc, 0);
    assert_string_equal(o.got.data, "0123456789abcdefghij");
    assert_int_equal(o.nrequests, 3);
    assert_null(strstr(s.requests[0], "Range:"));
    for (int i = 1; i < 3; i++) {
        assert_non_null(strstr(s.requests[i], "\r\nRange: bytes=10-\r\n"));
        assert_non_null(strstr(s.requests[i], "\r\nIf-Match: \"e1\"\r\n"));
        assert_non_null(strstr(s.requests[i], "SignedHeaders=host;if-match;range;x-amz-"));
    }
    sqlbuf_free(&o.got);
}

static void a_server_that_ignores_range_is_skipped_to_where_the_reader_was(void **state)
{
    (void)state;
    fake_s3 s = {.answers = {HEAD_200 "ETag: \"e1\"\r\nContent-Length: 8\r\n\r\nabcd",
                             HEAD_200 "ETag: \"e1\"\r\nContent-Length: 8\r\n\r\nabcdefgh"},
                 .nanswers = 2};
    outcome o = get(&s, NULL, "k", NULL);
    assert_int_equal(o.rc, 0);
    assert_string_equal(o.got.data, "abcdefgh");
    sqlbuf_free(&o.got);
}

static void an_object_that_changed_since_it_was_listed_is_not_read(void **state)
{
    (void)state;
    /* the server ignores If-Match (as s3rver does): the ETag of the answer tells */
    fake_s3 s = {.answers = {HEAD_200 "ETag: \"new\"\r\nContent-Length: 3\r\n\r\nnew"},
                 .nanswers = 1};
    outcome o = get(&s, NULL, "k", "\"old\"");
    assert_int_equal(o.rc, -1);
    assert_int_equal(o.got.len, 0);
    assert_string_equal(o.err.sqlstate, "58030");
    assert_non_null(strstr(o.err.message, "the object changed while it was being read"));
    assert_non_null(strstr(s.requests[0], "\r\nIf-Match: \"old\"\r\n"));
}

static int stop_at_once(void *arg, const void *data, size_t len)
{
    (void)arg, (void)data, (void)len;
    return 7;
}

static void the_consumer_can_stop_a_transfer(void **state)
{
    (void)state;
    fake_s3 s = {.answers = {HEAD_200 "Content-Length: 3\r\n\r\nabc"}, .nanswers = 1};
    get_args g = {.key = "k", .fn = stop_at_once};
    outcome o = play(&s, NULL, do_get, &g);
    assert_int_equal(o.rc, 7);
    assert_int_equal(o.nrequests, 1);
}

/* ---- errors ---------------------------------------------------------------------------- */

static void a_missing_key_says_so_and_is_not_retried(void **state)
{
    (void)state;
    fake_s3 s = {.answers = {ERROR_ANSWER("404 Not Found", "NoSuchKey",
                                          "The specified key does not exist.")},
                 .nanswers = 1};
    outcome o = get(&s, TOKEN, "logs/missing.csv", NULL);
    assert_int_equal(o.rc, -1);
    char want[256];
    snprintf(want, sizeof(want),
             "could not read s3://bkt/logs/missing.csv (at http://127.0.0.1:%d/bkt): the object "
             "does not exist (HTTP 404 NoSuchKey: The specified key does not exist.)",
             s.port);
    assert_string_equal(o.err.message, want);
    assert_string_equal(o.err.sqlstate, "58P01");
    assert_string_equal(o.err.code, "NoSuchKey");
    assert_int_equal(o.err.http_status, 404);
    assert_int_equal(o.nrequests, 1);
}

static void server_errors_are_retried_a_bounded_number_of_times(void **state)
{
    (void)state;
    fake_s3 s = {
        .answers = {ERROR_ANSWER("500 Internal Server Error", "InternalError", "oops"),
                    ERROR_ANSWER("503 Slow Down", "SlowDown", "Reduce your request rate."),
                    ERROR_ANSWER("503 Slow Down", "SlowDown", "Reduce your request rate.")},
        .nanswers = 3};
    outcome o = get(&s, NULL, "k", NULL);
    assert_int_equal(o.rc, -1);
    assert_int_equal(o.nrequests, 3); /* max_attempts */
    assert_string_equal(o.err.sqlstate, "53400");
    assert_non_null(strstr(o.err.message, "S3 asks for fewer requests (HTTP 503 SlowDown"));
}

static void an_unreachable_endpoint_fails_after_the_retries(void **state)
{
    (void)state;
    fake_s3 s = {0};
    close(listen_loopback(&s.port)); /* a port nobody listens on */
    s3_client *c = client_for(&s, TOKEN);
    sqlbuf got = {0};
    s3_error err;
    assert_int_equal(s3_get(c, "k", NULL, collect, &got, &err), -1);
    assert_string_equal(err.sqlstate, "08001");
    assert_non_null(strstr(err.message, "could not read s3://bkt/k (at http://127.0.0.1:"));
    assert_non_null(strstr(err.message, "(3 attempts)"));
    assert_int_equal(err.http_status, 0);
    assert_no_secret(&err);
    s3_client_free(c);
}

static int do_put(s3_client *c, outcome *o, const void *arg)
{
    return s3_put(c, arg, "a,b\n", 4, &o->err);
}

static void secrets_echoed_by_a_server_are_masked(void **state)
{
    (void)state;
    fake_s3 s = {.answers = {ERROR_ANSWER("403 Forbidden", "SignatureDoesNotMatch",
                                          "key " SECRET " token " TOKEN)},
                 .nanswers = 1};
    outcome o = play(&s, TOKEN, do_put, "k");
    assert_int_equal(o.rc, -1);
    assert_string_equal(o.err.sqlstate, "28000");
    assert_string_equal(o.err.hint, "Check the connection's secret_access_key.");
    assert_no_secret(&o.err);
    assert_non_null(strstr(o.err.message, "could not write s3://bkt/k"));
    assert_non_null(strstr(o.err.message, "key ****"));
}

/* ---- list and put ---------------------------------------------------------------------- */

static int note_page(void *arg, const s3_page *page)
{
    sqlbuf *b = arg;
    for (size_t i = 0; i < page->count; i++)
        sqlbuf_printf(b, "%s=%s,%lld;", page->objects[i].key, page->objects[i].etag,
                      page->objects[i].size);
    sqlbuf_puts(b, "|");
    return 0;
}

static int do_list(s3_client *c, outcome *o, const void *arg)
{
    return s3_list(c, arg, note_page, &o->got, &o->err);
}

static void a_bucket_in_another_region_names_the_region(void **state)
{
    (void)state;
    fake_s3 s = {.answers = {"HTTP/1.1 301 Moved Permanently\r\nConnection: close\r\n"
                             "x-amz-bucket-region: ap-south-1\r\n\r\n"
                             "<Error><Code>PermanentRedirect</Code><Message>Use the endpoint."
                             "</Message></Error>"},
                 .nanswers = 1};
    s3_list_opts opts = {.prefix = "logs/"};
    outcome o = play(&s, NULL, do_list, &opts);
    assert_int_equal(o.rc, -1);
    assert_string_equal(o.err.sqlstate, "22023");
    assert_non_null(strstr(o.err.message, "could not list s3://bkt/logs/ (at "));
    assert_non_null(strstr(o.err.message, "the bucket is in another region"));
    assert_string_equal(o.err.hint, "Set the connection's region to 'ap-south-1'.");
}

#define LIST_PAGE(truncated, contents, token)                                                      \
    HEAD_200 "Content-Type: application/xml\r\n\r\n<ListBucketResult><IsTruncated>" truncated      \
             "</IsTruncated>" contents token "</ListBucketResult>"

static void a_listing_follows_continuation_tokens(void **state)
{
    (void)state;
    fake_s3 s = {.answers = {LIST_PAGE("true",
                                       "<Contents><Key>p/a</Key><ETag>\"1\"</ETag><Size>1</Size>"
                                       "</Contents>",
                                       "<NextContinuationToken>t/1+=</NextContinuationToken>"),
                             "HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\n\r\n",
                             LIST_PAGE("false",
                                       "<Contents><Key>p/b</Key><ETag>\"2\"</ETag><Size>22</Size>"
                                       "</Contents>",
                                       "")},
                 .nanswers = 3};
    s3_list_opts opts = {.prefix = "p/", .start_after = "p/0", .max_keys = 1};
    outcome o = play(&s, NULL, do_list, &opts);
    assert_int_equal(o.rc, 0);
    assert_int_equal(o.nrequests, 3);
    assert_string_equal(o.got.data, "p/a=1,1;|p/b=2,22;|");
    assert_non_null(strstr(s.requests[0], "GET /bkt/?encoding-type=url&list-type=2&max-keys=1&"
                                          "prefix=p%2F&start-after=p%2F0 HTTP/1.1"));
    /* the retried request and the next page carry the token, encoded; start-after is gone */
    for (int i = 1; i < 3; i++)
        assert_non_null(strstr(s.requests[i],
                               "GET /bkt/?continuation-token=t%2F1%2B%3D&"
                               "encoding-type=url&list-type=2&max-keys=1&prefix=p%2F "
                               "HTTP/1.1"));
    sqlbuf_free(&o.got);
}

static void a_put_sends_the_body_with_its_hash(void **state)
{
    (void)state;
    fake_s3 s = {.answers = {HEAD_200 "ETag: \"x\"\r\nContent-Length: 0\r\n\r\n"}, .nanswers = 1};
    outcome o = play(&s, NULL, do_put, "staging/part-1.csv");
    assert_int_equal(o.rc, 0);
    const char *req = s.requests[0];
    assert_non_null(strstr(req, "PUT /bkt/staging/part-1.csv HTTP/1.1\r\n"));
    /* printf 'a,b\n' | sha256sum */
    assert_non_null(strstr(req,
                           "\r\nx-amz-content-sha256: "
                           "5be08c9684a1d25efcee09318204824278b08bbfb4aef973ffefd0b9d7478313"));
    assert_non_null(strstr(req, "\r\nContent-Length: 4\r\n"));
    assert_string_equal(strstr(req, "\r\n\r\n") + 4, "a,b\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(aws_uses_virtual_hosts_and_local_endpoints_path_style),
        cmocka_unit_test(configurations_that_cannot_work_are_refused),
        cmocka_unit_test(a_get_is_signed_and_streams_the_body),
        cmocka_unit_test(a_lost_connection_is_resumed_with_range_and_if_match),
        cmocka_unit_test(a_server_that_ignores_range_is_skipped_to_where_the_reader_was),
        cmocka_unit_test(an_object_that_changed_since_it_was_listed_is_not_read),
        cmocka_unit_test(the_consumer_can_stop_a_transfer),
        cmocka_unit_test(a_missing_key_says_so_and_is_not_retried),
        cmocka_unit_test(server_errors_are_retried_a_bounded_number_of_times),
        cmocka_unit_test(an_unreachable_endpoint_fails_after_the_retries),
        cmocka_unit_test(secrets_echoed_by_a_server_are_masked),
        cmocka_unit_test(a_bucket_in_another_region_names_the_region),
        cmocka_unit_test(a_listing_follows_continuation_tokens),
        cmocka_unit_test(a_put_sends_the_body_with_its_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
