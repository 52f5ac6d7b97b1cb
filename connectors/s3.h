/*
 * s3.h — the S3 client that pipeline workers read objects with: list a prefix
 * (ListObjectsV2, page by page), stream an object's bytes, put a small object.
 *
 * Blocking libcurl calls: made on worker threads only, never on a relay loop. Requests are
 * signed by sigv4.c; listings and S3's error documents are read with expat (s3xml.c). A
 * client owns one curl handle, so its connections are reused, and a copy of the
 * configuration, secrets included (wiped when it is freed). Use a client from one thread at
 * a time: one per worker.
 *
 * Failures fill an s3_error: a SQLSTATE, a message naming the bucket or key and the
 * endpoint, and a hint saying what to do next. No message ever holds the secret access key
 * or the session token.
 */
#ifndef SLUICE_S3_H
#define SLUICE_S3_H

#include <stdbool.h>
#include <stddef.h>

/* A connection's options (spec/SQL.md, CREATE CONNECTION … TYPE s3) and the client's
 * limits. Strings are copied by s3_client_new; NULL or "" means the default. */
typedef struct s3_config {
    const char *bucket;            /* required */
    const char *region;            /* default us-east-1 */
    const char *endpoint;          /* default AWS: https://s3.<region>.amazonaws.com; a local
                                      S3 is "http://127.0.0.1:4568" (no path) */
    const char *access_key_id;     /* none: anonymous, unsigned requests */
    const char *secret_access_key; /* required with access_key_id */
    const char *session_token;     /* temporary credentials: sent as x-amz-security-token */
    bool path_style;               /* http://host/bucket/key instead of http://bucket.host/key;
                                      also used whenever the endpoint is an IP address or
                                      localhost, or the bucket name cannot be a host name */
    long connect_timeout_ms;       /* default 10 s */
    long stall_timeout_ms;         /* a transfer with no byte for this long fails; 30 s */
    long list_timeout_ms;          /* a whole listing request (one page); 60 s */
    int max_attempts;              /* tries of a request on a 5xx or network error; 4 */
    long retry_base_ms;            /* first backoff, doubled each retry (jittered, at most
                                      5 s); 200 ms */
} s3_config;

typedef struct s3_error {
    char sqlstate[6];
    int http_status; /* 0: no HTTP answer (network, timeout, bad configuration) */
    char code[64];   /* S3's error Code ("NoSuchKey", "AccessDenied"), or "" */
    char message[512];
    char hint[256]; /* what to do next, or "" */
} s3_error;

/* One object of a listing. Strings are valid during the page callback only. */
typedef struct s3_object {
    const char *key;
    const char *etag;        /* without quotes; "…-N" after a multipart upload (not an MD5) */
    long long size;          /* bytes */
    long long last_modified; /* milliseconds since 1970-01-01 UTC */
} s3_object;

typedef struct s3_page {
    const s3_object *objects; /* in S3's order: ascending UTF-8 bytes of the key */
    size_t count;
    const char *next_token; /* continuation token of the next page (resume a listing with
                               it); NULL on the last page */
} s3_page;

typedef struct s3_list_opts {
    const char *prefix;             /* keys that start with it; NULL: all */
    const char *start_after;        /* keys after this one */
    const char *continuation_token; /* resume where a page's next_token left off */
    int max_keys;                   /* per page, 1..1000; default 1000 */
} s3_list_opts;

/* Callbacks. A nonzero return stops the listing or transfer, and the call returns that
 * value: return a positive one (-1 is the calls' own failure). */
typedef int (*s3_page_fn)(void *arg, const s3_page *page);
typedef int (*s3_write_fn)(void *arg, const void *data, size_t len);

typedef struct s3_client s3_client;

/* NULL with err filled when the configuration cannot work (no bucket, a bad endpoint, a key
 * id without secret) or curl cannot start. */
s3_client *s3_client_new(const s3_config *cfg, s3_error *err);
void s3_client_free(s3_client *c);

/* The URL objects are read from, "http://127.0.0.1:4568/bkt" or
 * "https://bkt.s3.us-east-1.amazonaws.com": for messages and EXPLAIN. */
const char *s3_client_base_url(const s3_client *c);

/* Lists the objects under opts->prefix, one ListObjectsV2 request per page, calling fn for
 * every page (an empty listing is one page with count 0) until the last. fn may read and
 * write objects with the same client (s3_get, s3_put) before it returns. Returns 0, fn's
 * nonzero value, or -1 with err filled. */
int s3_list(s3_client *c, const s3_list_opts *opts, s3_page_fn fn, void *arg, s3_error *err);

/* Streams the object's bytes to fn as they arrive; nothing is buffered whole. When etag is
 * given (as listed, quotes or not), the object must still be that version: a changed object
 * fails (58030) rather than yield other bytes than the ledger will record. A connection lost
 * midway is resumed with a Range request, so fn sees every byte once, in order. Returns 0,
 * fn's nonzero value, or -1 with err filled (fn may have seen part of the object). */
int s3_get(s3_client *c, const char *key, const char *etag, s3_write_fn fn, void *arg,
           s3_error *err);

/* Stores len bytes at key in one PUT (S3 takes up to 5 GB so; staging parts are far
 * smaller); the body is signed with its SHA-256. Returns 0, or -1 with err filled. */
int s3_put(s3_client *c, const char *key, const void *data, size_t len, s3_error *err);

#endif
