/*
 * s3.c — the S3 client on libcurl; see s3.h.
 *
 * Every request goes through call_run: it signs and performs one attempt (call_once),
 * classifies the outcome, and retries 5xx answers and network failures with a jittered
 * exponential backoff, a bounded number of times. A request's kind plugs in three hooks:
 * prepare (before each attempt: reset the XML parser, or ask for the rest of an object with
 * Range), sink (the bytes of a 2xx body) and finish (after a 2xx body). The bodies of
 * error answers are kept (up to 16 KiB) and read as S3 error documents, whose Code picks the
 * SQLSTATE, the words and the hint of the error.
 */
#include "s3.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "s3xml.h"
#include "sigv4.h"
#include "sqlbuf.h"

#define ERROR_BODY_MAX (16 * 1024)
#define RETRY_CAP_MS 5000
#define MAX_CALL_HEADERS 4

struct s3_client {
    CURL *curl;
    char *bucket;
    char *region;
    char *access_key_id; /* NULL: anonymous */
    char *secret;
    char *token;       /* NULL: none */
    char *base_url;    /* scheme://host[:port] */
    char *host;        /* the Host header, signed */
    char *path_prefix; /* "/bucket" in path style, "" in virtual-host style */
    char *shown_url;   /* base_url + path_prefix: for messages */
    long connect_timeout_ms, stall_timeout_ms, list_timeout_ms, retry_base_ms;
    int max_attempts;
    unsigned seed; /* for the backoff's jitter */
    char curl_err[CURL_ERROR_SIZE];
    s3xml_list *list;
};

/* One request, across its attempts. */
typedef struct s3_call s3_call;
struct s3_call {
    s3_client *client;
    const char *verb; /* for messages: "list", "read", "write" */
    const char *method;
    const char *key;  /* NULL: the bucket itself */
    const char *name; /* what messages call it (s3://bucket/name): the key, the prefix listed */
    const sigv4_pair *query;
    size_t nquery;
    sigv4_pair headers[MAX_CALL_HEADERS]; /* signed; set by prepare */
    char header_buf[2][160];
    size_t nheaders;
    const char *body; /* PUT */
    size_t body_len, body_off;
    char payload_hash[65];
    long timeout_ms;
    void (*prepare)(s3_call *call);
    int (*sink)(s3_call *call, const char *data, size_t len); /* 0, or stop */
    int (*finish)(s3_call *call);                             /* 0, or -1 with err set */
    void *state;
    /* the answer of the current attempt */
    long status;
    char etag[128], content_range[128], bucket_region[64];
    sqlbuf error_body;
    int stop_rc;     /* the consumer's nonzero return */
    bool sink_error; /* the sink or finish filled err: not retried */
    s3_error *err;
};

/* ---- errors ---------------------------------------------------------------------------- */

/* Replaces every occurrence of secret in buf (a NUL-terminated text) with asterisks. */
static void scrub(char *buf, const char *secret)
{
    size_t n = secret ? strlen(secret) : 0;
    if (n < 4)
        return;
    for (char *p = strstr(buf, secret); p; p = strstr(p, secret))
        memset(p, '*', n);
}

static void set_error(s3_client *c, s3_error *err, const char *sqlstate, const char *hint,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void set_error(s3_client *c, s3_error *err, const char *sqlstate, const char *hint,
                      const char *fmt, ...)
{
    va_list ap;
    snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", sqlstate);
    snprintf(err->hint, sizeof(err->hint), "%s", hint ? hint : "");
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    if (c) {
        scrub(err->message, c->secret);
        scrub(err->message, c->token);
        scrub(err->hint, c->secret);
        scrub(err->hint, c->token);
    }
}

/* What an S3 error Code means for the user. */
static const struct code_words {
    const char *code, *sqlstate, *words, *hint;
} code_words[] = {
    {"NoSuchBucket", "42704", "the bucket does not exist",
     "Check the connection's bucket and endpoint."},
    {"NoSuchKey", "58P01", "the object does not exist",
     "It may have been deleted or renamed since it was listed."},
    {"AccessDenied", "42501", "access denied",
     "Check that the connection's credentials may list and read this bucket "
     "(s3:ListBucket, s3:GetObject)."},
    {"AllAccessDisabled", "42501", "all access to the bucket is disabled", NULL},
    {"InvalidAccessKeyId", "28000", "S3 does not know the access key id",
     "Check the connection's access_key_id."},
    {"SignatureDoesNotMatch", "28000", "S3 refused the request's signature",
     "Check the connection's secret_access_key."},
    {"ExpiredToken", "28000", "the session token has expired",
     "Set fresh temporary credentials (access_key_id, secret_access_key, session_token)."},
    {"InvalidToken", "28000", "the session token is not valid",
     "Set fresh temporary credentials (access_key_id, secret_access_key, session_token)."},
    {"RequestTimeTooSkewed", "28000", "this machine's clock is too far from S3's",
     "Synchronize the system clock (NTP)."},
    {"PreconditionFailed", "58030", "the object changed since it was listed",
     "It is read again, as a new version, by a later batch."},
    {"SlowDown", "53400", "S3 asks for fewer requests",
     "Lower the number of pipelines reading this bucket at once."},
};

static bool region_error(const char *code)
{
    return strcmp(code, "PermanentRedirect") == 0 || strcmp(code, "TemporaryRedirect") == 0 ||
           strcmp(code, "AuthorizationHeaderMalformed") == 0 ||
           strcmp(code, "IllegalLocationConstraintException") == 0;
}

/* "s3://bucket/key" (or the prefix being listed), the object's name in messages. */
static void object_name(const s3_call *call, char *out, size_t len)
{
    snprintf(out, len, "s3://%s/%.300s", call->client->bucket, call->name ? call->name : "");
}

/* The failure of an answer with an HTTP error status. */
static void http_error(s3_call *call)
{
    s3_client *c = call->client;
    s3xml_error doc;
    char what[400];
    object_name(call, what, sizeof(what));
    s3xml_parse_error(call->error_body.data ? call->error_body.data : "", call->error_body.len,
                      &doc);
    if (!doc.code[0] && call->status == 404)
        snprintf(doc.code, sizeof(doc.code), "%s", call->key ? "NoSuchKey" : "NoSuchBucket");
    const char *region = doc.region[0] ? doc.region : call->bucket_region;
    const struct code_words *w = NULL;
    for (size_t i = 0; i < sizeof(code_words) / sizeof(code_words[0]); i++)
        if (strcmp(doc.code, code_words[i].code) == 0)
            w = &code_words[i];
    char hint[256] = "";
    const char *sqlstate = w ? w->sqlstate : "58030";
    const char *words = w ? w->words : "S3 refused the request";
    if (region_error(doc.code) || (call->status == 301 && region[0])) {
        sqlstate = "22023";
        words = "the bucket is in another region";
        snprintf(hint, sizeof(hint), "Set the connection's region%s%s%s.", region[0] ? " to '" : "",
                 region, region[0] ? "'" : "");
    } else if (w && w->hint) {
        snprintf(hint, sizeof(hint), "%s", w->hint);
    }
    set_error(c, call->err, sqlstate, hint, "could not %s %s (at %s): %s (HTTP %ld%s%s%s%s)",
              call->verb, what, c->shown_url, words, call->status, doc.code[0] ? " " : "", doc.code,
              doc.message[0] ? ": " : "", doc.message);
    call->err->http_status = (int)call->status;
    snprintf(call->err->code, sizeof(call->err->code), "%s", doc.code);
}

static bool connect_failure(CURLcode rc)
{
    return rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
           rc == CURLE_COULDNT_RESOLVE_PROXY;
}

static void network_error(s3_call *call, CURLcode rc, int attempts)
{
    s3_client *c = call->client;
    char what[400];
    object_name(call, what, sizeof(what));
    set_error(
        c, call->err, connect_failure(rc) ? "08001" : "08006",
        connect_failure(rc) ? "Check the connection's endpoint and region, and the network." : "",
        "could not %s %s (at %s): %s (%d attempt%s)", call->verb, what, c->shown_url,
        c->curl_err[0] ? c->curl_err : curl_easy_strerror(rc), attempts, attempts == 1 ? "" : "s");
}

/* ---- the client ------------------------------------------------------------------------ */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static char *dup_or_null(const char *s)
{
    return s && *s ? strdup(s) : NULL;
}

static bool is_ip_or_localhost(const char *host)
{
    if (strcasecmp(host, "localhost") == 0 || host[0] == '[')
        return true;
    for (const char *p = host; *p; p++)
        if (!((*p >= '0' && *p <= '9') || *p == '.'))
            return false;
    return true;
}

/* A bucket name that works as the first label of a host name under TLS: 3-63 lower-case
 * letters, digits and hyphens (dots would break the certificate's wildcard). */
static bool dns_bucket(const char *b)
{
    size_t n = strlen(b);
    if (n < 3 || n > 63 || b[0] == '-' || b[n - 1] == '-')
        return false;
    for (; *b; b++)
        if (!((*b >= 'a' && *b <= 'z') || (*b >= '0' && *b <= '9') || *b == '-'))
            return false;
    return true;
}

/* Fills base_url, host, path_prefix and shown_url from the endpoint, region and style. */
static int client_locate(s3_client *c, const s3_config *cfg, s3_error *err)
{
    sqlbuf ep = {0};
    if (cfg->endpoint && *cfg->endpoint)
        sqlbuf_puts(&ep, cfg->endpoint);
    else
        sqlbuf_printf(&ep, "https://s3.%s.amazonaws.com%s", c->region,
                      strncmp(c->region, "cn-", 3) == 0 ? ".cn" : "");
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *query = NULL;
    int rc = -1;
    if (u && !ep.oom &&
        curl_url_set(u, CURLUPART_URL, ep.data, CURLU_DEFAULT_SCHEME | CURLU_NON_SUPPORT_SCHEME) ==
            CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK &&
        (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0) &&
        (strcmp(path, "/") == 0 || path[0] == '\0') &&
        curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_NO_QUERY) {
        curl_url_get(u, CURLUPART_PORT, &port, 0); /* only when given */
        bool path_style = cfg->path_style || is_ip_or_localhost(host) || !dns_bucket(c->bucket);
        sqlbuf h = {0}, base = {0}, shown = {0};
        sqlbuf_printf(&h, "%s%s%s%s%s", path_style ? "" : c->bucket, path_style ? "" : ".", host,
                      port ? ":" : "", port ? port : "");
        sqlbuf_printf(&base, "%s://%s", scheme, h.data ? h.data : "");
        sqlbuf_printf(&shown, "%s%s%s", base.data ? base.data : "", path_style ? "/" : "",
                      path_style ? c->bucket : "");
        c->host = sqlbuf_take(&h);
        c->base_url = sqlbuf_take(&base);
        c->shown_url = sqlbuf_take(&shown);
        c->path_prefix = malloc(strlen(c->bucket) + 2);
        if (c->path_prefix)
            sprintf(c->path_prefix, "%s%s", path_style ? "/" : "", path_style ? c->bucket : "");
        rc = c->host && c->base_url && c->shown_url && c->path_prefix ? 0 : -1;
        if (rc)
            set_error(c, err, "53200", NULL, "out of memory setting up the S3 client");
    } else {
        set_error(c, err, "22023",
                  "Give the endpoint as scheme://host[:port], e.g. 'http://127.0.0.1:4568'.",
                  "S3 endpoint \"%.200s\" is not an http or https URL without a path",
                  ep.data ? ep.data : "");
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(path);
    curl_free(query);
    curl_url_cleanup(u);
    sqlbuf_free(&ep);
    return rc;
}

static long or_default(long v, long def)
{
    return v > 0 ? v : def;
}

static int client_configure(s3_client *c, const s3_config *cfg, s3_error *err)
{
    if (!cfg->bucket || !*cfg->bucket) {
        set_error(NULL, err, "22023", "CREATE CONNECTION … TYPE s3 WITH (bucket = '…').",
                  "an s3 connection needs a bucket");
        return -1;
    }
    bool has_key = cfg->access_key_id && *cfg->access_key_id;
    bool has_secret = cfg->secret_access_key && *cfg->secret_access_key;
    if (has_key != has_secret) {
        set_error(NULL, err, "22023",
                  "Set both access_key_id and secret_access_key, or neither for a public bucket.",
                  "an s3 connection with %s needs %s", has_key ? "access_key_id" : "a secret",
                  has_key ? "secret_access_key" : "access_key_id");
        return -1;
    }
    c->bucket = strdup(cfg->bucket);
    c->region = strdup(cfg->region && *cfg->region ? cfg->region : "us-east-1");
    c->access_key_id = dup_or_null(cfg->access_key_id);
    c->secret = dup_or_null(cfg->secret_access_key);
    c->token = has_key ? dup_or_null(cfg->session_token) : NULL;
    if (!c->bucket || !c->region || (has_key && (!c->access_key_id || !c->secret))) {
        set_error(NULL, err, "53200", NULL, "out of memory setting up the S3 client");
        return -1;
    }
    c->connect_timeout_ms = or_default(cfg->connect_timeout_ms, 10000);
    c->stall_timeout_ms = or_default(cfg->stall_timeout_ms, 30000);
    c->list_timeout_ms = or_default(cfg->list_timeout_ms, 60000);
    c->retry_base_ms = or_default(cfg->retry_base_ms, 200);
    c->max_attempts = cfg->max_attempts > 0 ? cfg->max_attempts : 4;
    c->seed = (unsigned)time(NULL) ^ (unsigned)(uintptr_t)c;
    return client_locate(c, cfg, err);
}

s3_client *s3_client_new(const s3_config *cfg, s3_error *err)
{
    memset(err, 0, sizeof(*err));
    pthread_once(&curl_once, curl_init);
    s3_client *c = calloc(1, sizeof(*c));
    if (!c) {
        set_error(NULL, err, "53200", NULL, "out of memory setting up the S3 client");
        return NULL;
    }
    if (client_configure(c, cfg, err) != 0) {
        s3_client_free(c);
        return NULL;
    }
    c->list = s3xml_list_new();
    c->curl = curl_init_rc == CURLE_OK ? curl_easy_init() : NULL;
    if (!c->curl || !c->list) {
        set_error(NULL, err, "58000", NULL, "could not start libcurl for the S3 client");
        s3_client_free(c);
        return NULL;
    }
    return c;
}

static void free_secret(char *s)
{
    if (s)
        OPENSSL_cleanse(s, strlen(s));
    free(s);
}

void s3_client_free(s3_client *c)
{
    if (!c)
        return;
    if (c->curl)
        curl_easy_cleanup(c->curl);
    s3xml_list_free(c->list);
    free_secret(c->secret);
    free_secret(c->token);
    free(c->bucket);
    free(c->region);
    free(c->access_key_id);
    free(c->base_url);
    free(c->host);
    free(c->path_prefix);
    free(c->shown_url);
    free(c);
}

const char *s3_client_base_url(const s3_client *c)
{
    return c->shown_url;
}

/* ---- one attempt ----------------------------------------------------------------------- */

static bool http_ok(long status)
{
    return status >= 200 && status < 300;
}

static size_t on_header(char *line, size_t size, size_t n, void *arg)
{
    s3_call *call = arg;
    size_t len = size * n;
    if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) { /* a new answer (after 100 Continue) */
        call->etag[0] = call->content_range[0] = call->bucket_region[0] = '\0';
        return len;
    }
    static const struct {
        const char *name;
        size_t offset, size;
    } wanted[] = {
        {"etag:", offsetof(s3_call, etag), sizeof(call->etag)},
        {"content-range:", offsetof(s3_call, content_range), sizeof(call->content_range)},
        {"x-amz-bucket-region:", offsetof(s3_call, bucket_region), sizeof(call->bucket_region)}};
    for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
        size_t nl = strlen(wanted[i].name);
        if (len <= nl || strncasecmp(line, wanted[i].name, nl) != 0)
            continue;
        const char *v = line + nl;
        size_t vlen = len - nl;
        while (vlen && (*v == ' ' || *v == '\t'))
            v++, vlen--;
        while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
            vlen--;
        char *out = (char *)call + wanted[i].offset;
        snprintf(out, wanted[i].size, "%.*s", (int)vlen, v);
    }
    return len;
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    s3_call *call = arg;
    size_t len = size * n;
    curl_easy_getinfo(call->client->curl, CURLINFO_RESPONSE_CODE, &call->status);
    if (!http_ok(call->status)) {
        size_t room = ERROR_BODY_MAX - call->error_body.len;
        sqlbuf_putn(&call->error_body, data, len < room ? len : room);
        return len;
    }
    if (!call->sink || len == 0)
        return len;
    return call->sink(call, data, len) == 0 ? len : 0;
}

static size_t on_upload(char *buf, size_t size, size_t n, void *arg)
{
    s3_call *call = arg;
    size_t left = call->body_len - call->body_off, len = size * n;
    if (len > left)
        len = left;
    memcpy(buf, call->body + call->body_off, len);
    call->body_off += len;
    return len;
}

static void free_headers(struct curl_slist *list)
{
    for (struct curl_slist *h = list; h; h = h->next)
        OPENSSL_cleanse(h->data, strlen(h->data)); /* one may hold the session token */
    curl_slist_free_all(list);
}

/* Appends "name: value" to *list; false when out of memory (*list is then freed). */
static bool add_header(struct curl_slist **list, const char *name, const char *value)
{
    size_t n = strlen(name) + strlen(value) + 3;
    char *line = malloc(n);
    struct curl_slist *grown = NULL;
    if (line) {
        snprintf(line, n, "%s:%s%s", name, *value ? " " : "", value);
        grown = curl_slist_append(*list, line);
        OPENSSL_cleanse(line, n);
        free(line);
    }
    if (!grown) {
        free_headers(*list);
        *list = NULL;
        return false;
    }
    *list = grown;
    return true;
}

/* The request's headers, signed unless the client is anonymous. NULL when out of memory. */
static struct curl_slist *call_headers(s3_call *call, const char *path)
{
    s3_client *c = call->client;
    char date[17];
    sigv4_amz_date(time(NULL), date);
    struct curl_slist *list = NULL;
    bool ok = add_header(&list, "Host", c->host) &&
              add_header(&list, "Expect", ""); /* no 100-continue round trip before a body */
    for (size_t i = 0; ok && i < call->nheaders; i++)
        ok = add_header(&list, call->headers[i].name, call->headers[i].value);
    if (ok && c->access_key_id) {
        sigv4_request r = {.method = call->method,
                           .host = c->host,
                           .path = path,
                           .query = call->query,
                           .nquery = call->nquery,
                           .headers = call->headers,
                           .nheaders = call->nheaders,
                           .payload_hash = call->payload_hash,
                           .amz_date = date,
                           .region = c->region,
                           .service = "s3",
                           .access_key_id = c->access_key_id,
                           .secret_access_key = c->secret,
                           .session_token = c->token};
        char *auth = sigv4_authorization(&r);
        ok = auth && add_header(&list, "x-amz-date", date) &&
             add_header(&list, "x-amz-content-sha256", call->payload_hash) &&
             (!c->token || add_header(&list, "x-amz-security-token", c->token)) &&
             add_header(&list, "Authorization", auth);
        free(auth);
    }
    if (!ok) {
        free_headers(list);
        return NULL;
    }
    return list;
}

static void call_set_options(s3_call *call, const char *url, struct curl_slist *headers)
{
    s3_client *c = call->client;
    CURL *h = c->curl;
    curl_easy_reset(h); /* keeps the connection cache */
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L); /* a key "a/../b" is a key, not a path */
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->curl_err);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (c->stall_timeout_ms + 999) / 1000);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, call->timeout_ms);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, call);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, call);
    if (strcmp(call->method, "PUT") == 0) {
        curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, on_upload);
        curl_easy_setopt(h, CURLOPT_READDATA, call);
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)call->body_len);
    }
}

static CURLcode call_once(s3_call *call)
{
    s3_client *c = call->client;
    call->status = 0;
    call->stop_rc = 0;
    call->body_off = 0;
    call->etag[0] = call->content_range[0] = call->bucket_region[0] = '\0';
    c->curl_err[0] = '\0';
    sqlbuf_reset(&call->error_body);

    sqlbuf path = {0}, url = {0};
    sqlbuf_printf(&path, "%s/%s", c->path_prefix, call->key ? call->key : "");
    char *query = sigv4_canonical_query(call->query, call->nquery);
    sqlbuf_puts(&url, c->base_url);
    if (path.data)
        sigv4_uri_encode(&url, path.data, path.len, true);
    if (query && *query)
        sqlbuf_printf(&url, "?%s", query);
    struct curl_slist *headers =
        path.oom || url.oom || !query ? NULL : call_headers(call, path.data);
    CURLcode rc = CURLE_OUT_OF_MEMORY;
    if (headers) {
        call_set_options(call, url.data, headers);
        rc = curl_easy_perform(c->curl);
        curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &call->status);
        curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
    }
    free_headers(headers);
    free(query);
    sqlbuf_free(&path);
    sqlbuf_free(&url);
    return rc;
}

/* ---- attempts and retries -------------------------------------------------------------- */

static bool transient_network(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
        return true;
    default:
        return false;
    }
}

static bool transient_status(const s3_call *call)
{
    long s = call->status;
    if (s == 500 || s == 502 || s == 503 || s == 504 || s == 429)
        return true;
    /* S3 answers 400 RequestTimeout when the client was too slow to send */
    return s == 400 && call->error_body.data && strstr(call->error_body.data, "RequestTimeout");
}

static void backoff(s3_client *c, int attempt)
{
    long ms = c->retry_base_ms;
    for (int i = 1; i < attempt && ms < RETRY_CAP_MS; i++)
        ms *= 2;
    if (ms > RETRY_CAP_MS)
        ms = RETRY_CAP_MS;
    ms = ms / 2 + (long)(rand_r(&c->seed) % (unsigned)(ms / 2 + 1)); /* jitter: [ms/2, ms] */
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* Runs the call to a 2xx answer, retrying what may pass on a second try. Returns 0, the
 * sink's stop value, or -1 with call->err filled. */
static int call_run(s3_call *call)
{
    s3_client *c = call->client;
    int rc = -1;
    for (int attempt = 1;; attempt++) {
        call->sink_error = false;
        if (call->prepare)
            call->prepare(call);
        CURLcode cc = call_once(call);
        if (call->stop_rc) {
            rc = call->stop_rc;
            break;
        }
        if (call->sink_error)
            break;
        if (cc == CURLE_OK && http_ok(call->status)) {
            rc = call->finish ? call->finish(call) : 0;
            break;
        }
        bool transient = cc != CURLE_OK ? transient_network(cc) : transient_status(call);
        if (!transient || attempt >= c->max_attempts) {
            if (cc == CURLE_OUT_OF_MEMORY)
                set_error(c, call->err, "53200", NULL, "out of memory in the S3 client");
            else if (cc != CURLE_OK)
                network_error(call, cc, attempt);
            else
                http_error(call);
            break;
        }
        backoff(c, attempt);
    }
    sqlbuf_free(&call->error_body);
    return rc;
}

static s3_call call_init(s3_client *c, const char *verb, const char *method, const char *key,
                         s3_error *err)
{
    memset(err, 0, sizeof(*err));
    s3_call call = {
        .client = c, .verb = verb, .method = method, .key = key, .name = key, .err = err};
    snprintf(call.payload_hash, sizeof(call.payload_hash), "%s", SIGV4_EMPTY_PAYLOAD);
    return call;
}

/* A failure found by a sink or finish hook: not retried. */
static void call_fail(s3_call *call, const char *sqlstate, const char *hint, const char *why)
{
    char what[400];
    object_name(call, what, sizeof(what));
    set_error(call->client, call->err, sqlstate, hint, "could not %s %s (at %s): %s", call->verb,
              what, call->client->shown_url, why);
    call->err->http_status = (int)call->status;
    call->sink_error = true;
}

/* ---- list ------------------------------------------------------------------------------ */

static void list_prepare(s3_call *call)
{
    s3xml_list_reset(call->client->list);
}

static int list_sink(s3_call *call, const char *data, size_t len)
{
    s3xml_list *p = call->client->list;
    if (s3xml_list_feed(p, data, len, false) == 0)
        return 0;
    call_fail(call, "58030", NULL, s3xml_list_problem(p));
    return 1;
}

static int list_finish(s3_call *call)
{
    s3xml_list *p = call->client->list;
    if (s3xml_list_feed(p, "", 0, true) == 0)
        return 0;
    char why[200];
    snprintf(why, sizeof(why), "the listing is not readable: %s", s3xml_list_problem(p));
    call_fail(call, "58030", NULL, why);
    return -1;
}

/* Requests pages until the last; returns as s3_list does. */
static int list_pages(s3_call *call, const s3_list_opts *opts, char **token, s3_page_fn fn,
                      void *arg)
{
    char max_keys[16];
    snprintf(max_keys, sizeof(max_keys), "%d",
             opts->max_keys > 0 && opts->max_keys <= 1000 ? opts->max_keys : 1000);
    for (bool first = true;; first = false) {
        sigv4_pair q[6] = {{"list-type", "2"}, {"encoding-type", "url"}, {"max-keys", max_keys}};
        size_t n = 3;
        if (opts->prefix && *opts->prefix)
            q[n++] = (sigv4_pair){"prefix", opts->prefix};
        if (first && opts->start_after && *opts->start_after)
            q[n++] = (sigv4_pair){"start-after", opts->start_after};
        if (*token)
            q[n++] = (sigv4_pair){"continuation-token", *token};
        call->query = q;
        call->nquery = n;
        int rc = call_run(call);
        if (rc != 0)
            return rc;
        s3_page page = s3xml_list_page(call->client->list);
        if ((rc = fn(arg, &page)) != 0)
            return rc;
        if (!page.next_token)
            return 0;
        if (*token && strcmp(*token, page.next_token) == 0) {
            call_fail(call, "58030", NULL, "S3 returned the same continuation token twice");
            return -1;
        }
        free(*token);
        if (!(*token = strdup(page.next_token))) {
            set_error(call->client, call->err, "53200", NULL, "out of memory listing S3");
            return -1;
        }
    }
}

int s3_list(s3_client *c, const s3_list_opts *opts, s3_page_fn fn, void *arg, s3_error *err)
{
    static const s3_list_opts none = {0};
    if (!opts)
        opts = &none;
    /* a request on the bucket itself; messages name the prefix listed */
    s3_call call = call_init(c, "list", "GET", NULL, err);
    call.name = opts->prefix;
    call.timeout_ms = c->list_timeout_ms;
    call.prepare = list_prepare;
    call.sink = list_sink;
    call.finish = list_finish;
    char *token = opts->continuation_token ? strdup(opts->continuation_token) : NULL;
    int rc = list_pages(&call, opts, &token, fn, arg);
    free(token);
    s3xml_list_reset(c->list);
    return rc;
}

/* ---- get ------------------------------------------------------------------------------- */

typedef struct get_state {
    s3_write_fn fn;
    void *arg;
    long long delivered; /* bytes given to fn, over all attempts */
    long long skip;      /* bytes of this answer fn has already seen */
    char etag[128];      /* the version being read: as asked, or as first answered */
    bool checked;        /* this answer's headers were checked */
} get_state;

static void get_prepare(s3_call *call)
{
    get_state *g = call->state;
    g->checked = false;
    g->skip = 0;
    call->nheaders = 0;
    if (g->etag[0]) {
        snprintf(call->header_buf[0], sizeof(call->header_buf[0]), "\"%s\"", g->etag);
        call->headers[call->nheaders++] = (sigv4_pair){"If-Match", call->header_buf[0]};
    }
    if (g->delivered > 0) {
        snprintf(call->header_buf[1], sizeof(call->header_buf[1]), "bytes=%lld-", g->delivered);
        call->headers[call->nheaders++] = (sigv4_pair){"Range", call->header_buf[1]};
    }
}

/* Before the first byte of an answer: is it the version asked for, and where does it
 * start? A server that ignores Range sends everything again: skip what fn has seen. */
static int get_check(s3_call *call)
{
    get_state *g = call->state;
    g->checked = true;
    char etag[128];
    snprintf(etag, sizeof(etag), "%s", call->etag);
    s3xml_unquote(etag);
    if (g->etag[0] && etag[0] && strcmp(etag, g->etag) != 0) {
        call_fail(call, "58030", "It is read again, as a new version, by a later batch.",
                  "the object changed while it was being read (another ETag)");
        return -1;
    }
    if (!g->etag[0])
        snprintf(g->etag, sizeof(g->etag), "%s", etag);
    long long start = 0;
    if (call->status == 206 && sscanf(call->content_range, "bytes %lld-", &start) != 1) {
        call_fail(call, "58030", NULL, "a partial answer without a Content-Range");
        return -1;
    }
    if (call->status == 206 && start != g->delivered) {
        call_fail(call, "58030", NULL, "the resumed answer does not start where the last ended");
        return -1;
    }
    g->skip = call->status == 206 ? 0 : g->delivered;
    return 0;
}

static int get_sink(s3_call *call, const char *data, size_t len)
{
    get_state *g = call->state;
    if (!g->checked && get_check(call) != 0)
        return 1;
    if (g->skip > 0) {
        size_t drop = (long long)len < g->skip ? len : (size_t)g->skip;
        g->skip -= (long long)drop;
        data += drop;
        len -= drop;
        if (len == 0)
            return 0;
    }
    int rc = g->fn(g->arg, data, len);
    if (rc != 0) {
        call->stop_rc = rc;
        return rc;
    }
    g->delivered += (long long)len;
    return 0;
}

static int get_finish(s3_call *call)
{
    get_state *g = call->state;
    return g->checked ? 0 : get_check(call); /* an empty object: no byte came */
}

int s3_get(s3_client *c, const char *key, const char *etag, s3_write_fn fn, void *arg,
           s3_error *err)
{
    s3_call call = call_init(c, "read", "GET", key, err);
    get_state g = {.fn = fn, .arg = arg};
    if (etag) {
        snprintf(g.etag, sizeof(g.etag), "%s", etag);
        s3xml_unquote(g.etag);
    }
    call.state = &g;
    call.prepare = get_prepare;
    call.sink = get_sink;
    call.finish = get_finish;
    return call_run(&call);
}

/* ---- put ------------------------------------------------------------------------------- */

int s3_put(s3_client *c, const char *key, const void *data, size_t len, s3_error *err)
{
    s3_call call = call_init(c, "write", "PUT", key, err);
    call.body = data;
    call.body_len = len;
    sigv4_sha256_hex(data, len, call.payload_hash);
    return call_run(&call);
}
