/*
 * sigv4.c — AWS Signature Version 4 for S3; see sigv4.h.
 *
 * The steps, as AWS documents them:
 *   canonical request = METHOD \n path \n query \n headers \n signed-header-names \n payload-hash
 *   string to sign    = "AWS4-HMAC-SHA256" \n amz-date \n scope \n hex(SHA-256(canonical request))
 *   signing key       = HMAC("AWS4" + secret, date) → region → service → "aws4_request"
 *   signature         = hex(HMAC(signing key, string to sign))
 */
#include "sigv4.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SIGNED_HEADERS 16

static const char hexdigits[] = "0123456789abcdef";

static void hex_encode(const unsigned char *in, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hexdigits[in[i] >> 4];
        out[2 * i + 1] = hexdigits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

void sigv4_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(data, len, md);
    hex_encode(md, sizeof(md), out);
}

void sigv4_amz_date(time_t t, char out[17])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

void sigv4_uri_encode(sqlbuf *out, const char *s, size_t len, bool keep_slash)
{
    static const char upper[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                          (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved || (c == '/' && keep_slash)) {
            sqlbuf_putc(out, (char)c);
        } else {
            char esc[3] = {'%', upper[c >> 4], upper[c & 15]};
            sqlbuf_putn(out, esc, 3);
        }
    }
}

/* ---- canonical query ------------------------------------------------------------------- */

typedef struct enc_pair {
    char *name;
    char *value;
} enc_pair;

static int enc_pair_cmp(const void *a, const void *b)
{
    const enc_pair *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->value, y->value);
}

static char *encoded(const char *s)
{
    sqlbuf b = {0};
    sigv4_uri_encode(&b, s, strlen(s), false);
    return sqlbuf_take(&b);
}

char *sigv4_canonical_query(const sigv4_pair *query, size_t n)
{
    enc_pair *pairs = calloc(n ? n : 1, sizeof(*pairs));
    if (!pairs)
        return NULL;
    bool oom = false;
    for (size_t i = 0; i < n; i++) {
        pairs[i].name = encoded(query[i].name);
        pairs[i].value = encoded(query[i].value ? query[i].value : "");
        oom |= !pairs[i].name || !pairs[i].value;
    }
    sqlbuf b = {0};
    if (!oom) {
        qsort(pairs, n, sizeof(*pairs), enc_pair_cmp);
        for (size_t i = 0; i < n; i++)
            sqlbuf_printf(&b, "%s%s=%s", i ? "&" : "", pairs[i].name, pairs[i].value);
    }
    for (size_t i = 0; i < n; i++) {
        free(pairs[i].name);
        free(pairs[i].value);
    }
    free(pairs);
    if (oom || b.oom) {
        sqlbuf_free(&b);
        return NULL;
    }
    return sqlbuf_take(&b);
}

/* ---- canonical headers ----------------------------------------------------------------- */

typedef struct canon_header {
    char name[64]; /* lower case */
    const char *value;
} canon_header;

static int canon_header_cmp(const void *a, const void *b)
{
    return strcmp(((const canon_header *)a)->name, ((const canon_header *)b)->name);
}

/* The value trimmed, with each run of spaces inside it made one space. */
static void put_trimmed(sqlbuf *b, const char *v)
{
    while (*v == ' ' || *v == '\t')
        v++;
    bool space = false;
    for (; *v; v++) {
        if (*v == ' ' || *v == '\t') {
            space = true;
            continue;
        }
        if (space)
            sqlbuf_putc(b, ' ');
        space = false;
        sqlbuf_putc(b, *v);
    }
}

/* The headers to sign, sorted by lower-case name; returns how many (0: too many or a name
 * too long, which only a programming error makes). */
static size_t signed_headers(const sigv4_request *r, canon_header *h)
{
    size_t n = 0;
    if (r->nheaders + 4 > MAX_SIGNED_HEADERS)
        return 0;
    for (size_t i = 0; i < r->nheaders; i++) {
        const char *name = r->headers[i].name;
        size_t len = strlen(name);
        if (len >= sizeof(h[n].name))
            return 0;
        for (size_t k = 0; k <= len; k++)
            h[n].name[k] = (char)tolower((unsigned char)name[k]);
        h[n++].value = r->headers[i].value;
    }
    const char *fixed[][2] = {{"host", r->host},
                              {"x-amz-content-sha256", r->payload_hash},
                              {"x-amz-date", r->amz_date},
                              {"x-amz-security-token", r->session_token}};
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        if (!fixed[i][1] || !*fixed[i][1])
            continue;
        strcpy(h[n].name, fixed[i][0]);
        h[n++].value = fixed[i][1];
    }
    qsort(h, n, sizeof(*h), canon_header_cmp);
    return n;
}

static void put_signed_names(sqlbuf *b, const canon_header *h, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            sqlbuf_putc(b, ';');
        sqlbuf_puts(b, h[i].name);
    }
}

char *sigv4_canonical_request(const sigv4_request *r)
{
    canon_header h[MAX_SIGNED_HEADERS];
    size_t nh = signed_headers(r, h);
    char *query = sigv4_canonical_query(r->query, r->nquery);
    if (nh == 0 || !query) {
        free(query);
        return NULL;
    }
    sqlbuf b = {0};
    sqlbuf_printf(&b, "%s\n", r->method);
    sigv4_uri_encode(&b, r->path, strlen(r->path), true);
    sqlbuf_printf(&b, "\n%s\n", query);
    free(query);
    for (size_t i = 0; i < nh; i++) {
        sqlbuf_printf(&b, "%s:", h[i].name);
        put_trimmed(&b, h[i].value);
        sqlbuf_putc(&b, '\n');
    }
    sqlbuf_putc(&b, '\n');
    put_signed_names(&b, h, nh);
    sqlbuf_printf(&b, "\n%s", r->payload_hash);
    if (b.oom) {
        sqlbuf_free(&b);
        return NULL;
    }
    return sqlbuf_take(&b);
}

/* ---- signature ------------------------------------------------------------------------- */

static void hmac(const void *key, size_t keylen, const char *msg, unsigned char out[32])
{
    unsigned int outlen = 32;
    HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)msg, strlen(msg), out, &outlen);
}

/* HMAC-SHA256 of string_to_sign under the key derived for (date, region, service). */
static void signature_hex(const sigv4_request *r, const char *date, const char *string_to_sign,
                          char out[65])
{
    size_t slen = strlen(r->secret_access_key);
    char *k0 = malloc(slen + 5);
    unsigned char k[32], sig[32];
    if (!k0) {
        out[0] = '\0';
        return;
    }
    memcpy(k0, "AWS4", 4);
    memcpy(k0 + 4, r->secret_access_key, slen + 1);
    hmac(k0, slen + 4, date, k);
    OPENSSL_cleanse(k0, slen + 4);
    free(k0);
    hmac(k, sizeof(k), r->region, k);
    hmac(k, sizeof(k), r->service, k);
    hmac(k, sizeof(k), "aws4_request", k);
    hmac(k, sizeof(k), string_to_sign, sig);
    OPENSSL_cleanse(k, sizeof(k));
    hex_encode(sig, sizeof(sig), out);
}

char *sigv4_authorization(const sigv4_request *r)
{
    char *canon = sigv4_canonical_request(r);
    if (!canon)
        return NULL;
    char canon_hash[65], date[9], sig[65];
    sigv4_sha256_hex(canon, strlen(canon), canon_hash);
    free(canon);
    snprintf(date, sizeof(date), "%.8s", r->amz_date);

    sqlbuf scope = {0}, sts = {0}, auth = {0};
    sqlbuf_printf(&scope, "%s/%s/%s/aws4_request", date, r->region, r->service);
    sqlbuf_printf(&sts, "AWS4-HMAC-SHA256\n%s\n%s\n%s", r->amz_date, scope.data ? scope.data : "",
                  canon_hash);
    if (!scope.oom && !sts.oom)
        signature_hex(r, date, sts.data, sig);
    else
        sig[0] = '\0';

    canon_header h[MAX_SIGNED_HEADERS];
    size_t nh = signed_headers(r, h);
    sqlbuf_printf(&auth, "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=", r->access_key_id,
                  scope.data ? scope.data : "");
    put_signed_names(&auth, h, nh);
    sqlbuf_printf(&auth, ", Signature=%s", sig);
    bool failed = scope.oom || sts.oom || auth.oom || !sig[0];
    sqlbuf_free(&scope);
    sqlbuf_free(&sts);
    if (failed) {
        sqlbuf_free(&auth);
        return NULL;
    }
    return sqlbuf_take(&auth);
}
