/*
 * s3xml.h — the two XML documents the S3 client reads, parsed with expat: a ListObjectsV2
 * page (ListBucketResult), fed as it arrives, and an error document (Error: Code, Message…).
 *
 * Documents with a DOCTYPE are refused (S3 never sends one; no entity expansion happens),
 * and an element's text is limited to 64 KiB.
 */
#ifndef SLUICE_S3XML_H
#define SLUICE_S3XML_H

#include <stdbool.h>
#include <stddef.h>

#include "s3.h"

typedef struct s3xml_list s3xml_list;

s3xml_list *s3xml_list_new(void);
/* Forgets the previous page (its objects and strings), ready for another document. */
void s3xml_list_reset(s3xml_list *p);
void s3xml_list_free(s3xml_list *p);

/* Feeds the next bytes of the document; final after the last. Returns 0, or -1 when the
 * document is not a well-formed ListBucketResult (s3xml_list_problem says why). */
int s3xml_list_feed(s3xml_list *p, const char *data, size_t len, bool final);
const char *s3xml_list_problem(const s3xml_list *p);

/* The page, after the final feed: objects with keys decoded when the document says
 * EncodingType url, ETags unquoted; next_token NULL unless IsTruncated is true. Valid until
 * the next reset. */
s3_page s3xml_list_page(const s3xml_list *p);

typedef struct s3xml_error {
    char code[64];      /* "NoSuchKey" */
    char message[256];  /* "The specified key does not exist." */
    char region[64];    /* PermanentRedirect / AuthorizationHeaderMalformed: the right one */
    char endpoint[128]; /* PermanentRedirect: the endpoint to use */
} s3xml_error;

/* Reads an S3 error document. False when body is not one (fields then empty). */
bool s3xml_parse_error(const char *body, size_t len, s3xml_error *out);

/* "2026-11-21T09:30:00.000Z" as milliseconds since 1970 UTC; -1 when it is not such a time. */
long long s3xml_parse_time(const char *iso8601);

/* Strips a pair of surrounding double quotes, in place, and returns s. */
char *s3xml_unquote(char *s);

#endif
