/*
 * sigv4.h — AWS Signature Version 4 (header authorization) for S3 requests, computed by
 * sluice itself with OpenSSL's SHA-256 and HMAC-SHA256.
 *
 * libcurl's CURLOPT_AWS_SIGV4 is not used: curl 7.88 neither signs x-amz-content-sha256,
 * which S3 requires, nor sorts the query string. Here the canonical request is built exactly
 * as AWS specifies it: the path URI-encoded once (RFC 3986, '/' kept), the query encoded and
 * sorted, the headers lower-cased, trimmed and sorted. Pure functions, no I/O; the caller
 * sends the headers it signed (host, x-amz-date, x-amz-content-sha256, and
 * x-amz-security-token when there is a session token) and the encoded path and query.
 */
#ifndef SLUICE_SIGV4_H
#define SLUICE_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "sqlbuf.h"

#define SIGV4_UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"
/* hex SHA-256 of an empty body */
#define SIGV4_EMPTY_PAYLOAD "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

typedef struct sigv4_pair {
    const char *name;
    const char *value; /* a query parameter without value (?uploads) is "" */
} sigv4_pair;

typedef struct sigv4_request {
    const char *method;      /* "GET", "PUT" */
    const char *host;        /* the Host header as sent: "bkt.s3.us-east-1.amazonaws.com",
                                "127.0.0.1:4568" (with the port when it is not the default) */
    const char *path;        /* not encoded, starting with '/': "/bkt/logs/a b.csv" */
    const sigv4_pair *query; /* not encoded, in any order */
    size_t nquery;
    const sigv4_pair *headers; /* more headers to sign (range, if-match…), names in any case;
                                  not host nor x-amz-date/-content-sha256/-security-token */
    size_t nheaders;
    const char *payload_hash; /* hex SHA-256 of the body, or SIGV4_UNSIGNED_PAYLOAD */
    const char *amz_date;     /* "20130524T000000Z", as sent in x-amz-date */
    const char *region;       /* "us-east-1" */
    const char *service;      /* "s3" */
    const char *access_key_id;
    const char *secret_access_key;
    const char *session_token; /* NULL or "": none */
} sigv4_request;

/* Appends s (len bytes), RFC 3986-encoded: unreserved characters (A-Z a-z 0-9 - . _ ~) as
 * they are, every other byte as %XX (upper-case hex); '/' kept when keep_slash (paths). */
void sigv4_uri_encode(sqlbuf *out, const char *s, size_t len, bool keep_slash);

/* The canonical query string: each name and value encoded, pairs sorted by name then value,
 * "name=value" joined with '&' ("" for none). The same text goes into the URL, so what is
 * sent is what was signed. malloc'd; NULL when out of memory. */
char *sigv4_canonical_query(const sigv4_pair *query, size_t n);

/* The canonical request (the text that is hashed), for tests and debugging. malloc'd. */
char *sigv4_canonical_request(const sigv4_request *r);

/* The Authorization header's value: "AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/
 * s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=…".
 * malloc'd; NULL when out of memory. Intermediate keys are wiped after use. */
char *sigv4_authorization(const sigv4_request *r);

/* hex SHA-256 of data, into out (65 bytes with the NUL). */
void sigv4_sha256_hex(const void *data, size_t len, char out[65]);

/* t as an x-amz-date, "YYYYMMDDTHHMMSSZ" (UTC), into out (17 bytes with the NUL). */
void sigv4_amz_date(time_t t, char out[17]);

#endif
