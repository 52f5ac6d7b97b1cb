/*
 * s3xml.c — ListObjectsV2 pages and S3 error documents, read with expat; see s3xml.h.
 *
 * Both documents are flat records of leaf elements (<Contents><Key>…</Key>…</Contents>), so
 * one small walker serves them: it keeps the path of open elements and each element's text,
 * and hands every closing element, with its parent's name and its text, to the document's
 * own handler.
 */
#include "s3xml.h"

#include <ctype.h>
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sqlbuf.h"

#define MAX_DEPTH 8
#define MAX_NAME 64
#define MAX_TEXT (64 * 1024)

/* ---- the walker ------------------------------------------------------------------------ */

typedef void (*element_fn)(void *arg, int depth, const char *parent, const char *name,
                           const char *text, size_t len);

typedef struct walker {
    XML_Parser xp;
    char path[MAX_DEPTH][MAX_NAME];
    int depth;
    sqlbuf text;
    const char *problem; /* set when the walker itself stopped the parse */
    element_fn on_end;
    void *arg;
} walker;

static void walker_stop(walker *w, const char *problem)
{
    if (!w->problem)
        w->problem = problem;
    XML_StopParser(w->xp, XML_FALSE);
}

static void XMLCALL on_start(void *arg, const XML_Char *name, const XML_Char **attrs)
{
    (void)attrs;
    walker *w = arg;
    if (w->depth == MAX_DEPTH) {
        walker_stop(w, "elements nested too deep");
        return;
    }
    snprintf(w->path[w->depth++], MAX_NAME, "%s", name);
    sqlbuf_reset(&w->text);
}

static void XMLCALL on_text(void *arg, const XML_Char *s, int len)
{
    walker *w = arg;
    if (w->text.len + (size_t)len > MAX_TEXT) {
        walker_stop(w, "an element's text is longer than 64 KiB");
        return;
    }
    sqlbuf_putn(&w->text, s, (size_t)len);
}

static void XMLCALL on_end(void *arg, const XML_Char *name)
{
    (void)name;
    walker *w = arg;
    const char *parent = w->depth >= 2 ? w->path[w->depth - 2] : "";
    w->on_end(w->arg, w->depth, parent, w->path[w->depth - 1], w->text.data ? w->text.data : "",
              w->text.len);
    w->depth--;
    sqlbuf_reset(&w->text);
}

/* S3 never sends a DTD: refusing one rules out entity expansion of any kind. */
static void XMLCALL on_doctype(void *arg, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal_subset)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
    walker_stop(arg, "a DOCTYPE is not accepted");
}

static void walker_start(walker *w)
{
    w->depth = 0;
    w->problem = NULL;
    sqlbuf_reset(&w->text);
    XML_SetUserData(w->xp, w);
    XML_SetElementHandler(w->xp, on_start, on_end);
    XML_SetCharacterDataHandler(w->xp, on_text);
    XML_SetStartDoctypeDeclHandler(w->xp, on_doctype);
}

static bool walker_init(walker *w, element_fn fn, void *arg)
{
    memset(w, 0, sizeof(*w));
    w->xp = XML_ParserCreate("UTF-8");
    w->on_end = fn;
    w->arg = arg;
    if (!w->xp)
        return false;
    walker_start(w);
    return true;
}

static void walker_reset(walker *w)
{
    XML_ParserReset(w->xp, "UTF-8"); /* clears the handlers too */
    walker_start(w);
}

static void walker_free(walker *w)
{
    if (w->xp)
        XML_ParserFree(w->xp);
    sqlbuf_free(&w->text);
}

/* Feeds bytes; NULL, or why the document is not acceptable. */
static const char *walker_feed(walker *w, const char *data, size_t len, bool final)
{
    if (XML_Parse(w->xp, data, (int)len, final) == XML_STATUS_OK)
        return w->text.oom ? "out of memory" : NULL;
    if (w->problem)
        return w->problem;
    return XML_ErrorString(XML_GetErrorCode(w->xp));
}

/* ---- helpers --------------------------------------------------------------------------- */

char *s3xml_unquote(char *s)
{
    size_t n = strlen(s);
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        memmove(s, s + 1, n - 2);
        s[n - 2] = '\0';
    }
    return s;
}

long long s3xml_parse_time(const char *s)
{
    struct tm tm = {0};
    int ms = 0, used = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec, &used) != 6)
        return -1;
    s += used;
    if (*s == '.') {
        int digits = 0;
        for (s++; *s >= '0' && *s <= '9'; s++, digits++)
            if (digits < 3)
                ms = ms * 10 + (*s - '0');
        for (; digits < 3; digits++)
            ms *= 10;
    }
    if (strcmp(s, "Z") != 0)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    return (long long)t * 1000 + ms;
}

/* Decodes, in place, a key listed with encoding-type=url: %XX is a byte and '+' a space (as
 * the AWS SDKs decode it). False when a %XX is malformed or decodes to NUL. */
static bool url_decode(char *s)
{
    char *out = s;
    for (; *s; s++) {
        if (*s == '+') {
            *out++ = ' ';
        } else if (*s == '%') {
            char hex[3] = {s[1], s[1] ? s[2] : '\0', '\0'};
            if (!isxdigit((unsigned char)hex[0]) || !isxdigit((unsigned char)hex[1]))
                return false;
            *out = (char)strtol(hex, NULL, 16);
            if (*out++ == '\0')
                return false;
            s += 2;
        } else {
            *out++ = *s;
        }
    }
    *out = '\0';
    return true;
}

/* ---- ListBucketResult ------------------------------------------------------------------ */

struct s3xml_list {
    walker w;
    s3_object *objects;
    size_t count, cap;
    s3_object cur; /* the <Contents> being read; its strings owned until pushed */
    bool truncated;
    bool url_encoded;
    char *next_token;
    const char *problem;
};

static char *dup_text(const char *text, size_t len)
{
    char *s = malloc(len + 1);
    if (s) {
        memcpy(s, text, len);
        s[len] = '\0';
    }
    return s;
}

static void object_free(s3_object *o)
{
    free((char *)o->key);
    free((char *)o->etag);
    memset(o, 0, sizeof(*o));
}

static void list_fail(s3xml_list *p, const char *problem)
{
    walker_stop(&p->w, problem);
}

static void list_push(s3xml_list *p)
{
    if (!p->cur.key || !p->cur.etag) {
        list_fail(p, "a Contents element without Key or ETag");
        return;
    }
    if (p->count == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        s3_object *o = realloc(p->objects, cap * sizeof(*o));
        if (!o) {
            list_fail(p, "out of memory");
            return;
        }
        p->objects = o;
        p->cap = cap;
    }
    p->objects[p->count++] = p->cur;
    memset(&p->cur, 0, sizeof(p->cur));
}

/* A leaf of <Contents>: Key, ETag, Size, LastModified (others, e.g. StorageClass, ignored). */
static void list_contents_field(s3xml_list *p, const char *name, const char *text, size_t len)
{
    char *end;
    if (strcmp(name, "Key") == 0 && !p->cur.key) {
        if (!(p->cur.key = dup_text(text, len)))
            list_fail(p, "out of memory");
    } else if (strcmp(name, "ETag") == 0 && !p->cur.etag) {
        char *etag = dup_text(text, len);
        if (!etag)
            list_fail(p, "out of memory");
        p->cur.etag = etag ? s3xml_unquote(etag) : NULL;
    } else if (strcmp(name, "Size") == 0) {
        p->cur.size = strtoll(text, &end, 10);
        if (len == 0 || *end != '\0' || p->cur.size < 0)
            list_fail(p, "a Size that is not a number of bytes");
    } else if (strcmp(name, "LastModified") == 0) {
        p->cur.last_modified = s3xml_parse_time(text);
        if (p->cur.last_modified < 0)
            list_fail(p, "a LastModified that is not an ISO 8601 UTC time");
    }
}

static void list_element(void *arg, int depth, const char *parent, const char *name,
                         const char *text, size_t len)
{
    s3xml_list *p = arg;
    if (depth == 1) {
        if (strcmp(name, "ListBucketResult") != 0)
            list_fail(p, "not a ListBucketResult document");
    } else if (depth == 3 && strcmp(parent, "Contents") == 0) {
        list_contents_field(p, name, text, len);
    } else if (depth == 2 && strcmp(name, "Contents") == 0) {
        list_push(p);
    } else if (depth == 2 && strcmp(name, "IsTruncated") == 0) {
        p->truncated = strcmp(text, "true") == 0;
    } else if (depth == 2 && strcmp(name, "EncodingType") == 0) {
        p->url_encoded = strcmp(text, "url") == 0;
    } else if (depth == 2 && strcmp(name, "NextContinuationToken") == 0) {
        free(p->next_token);
        if (!(p->next_token = dup_text(text, len)))
            list_fail(p, "out of memory");
    }
}

s3xml_list *s3xml_list_new(void)
{
    s3xml_list *p = calloc(1, sizeof(*p));
    if (p && !walker_init(&p->w, list_element, p)) {
        walker_free(&p->w);
        free(p);
        return NULL;
    }
    return p;
}

void s3xml_list_reset(s3xml_list *p)
{
    for (size_t i = 0; i < p->count; i++)
        object_free(&p->objects[i]);
    object_free(&p->cur);
    p->count = 0;
    p->truncated = p->url_encoded = false;
    free(p->next_token);
    p->next_token = NULL;
    p->problem = NULL;
    walker_reset(&p->w);
}

void s3xml_list_free(s3xml_list *p)
{
    if (!p)
        return;
    s3xml_list_reset(p);
    walker_free(&p->w);
    free(p->objects);
    free(p);
}

/* After the whole page: decode the keys, check that a truncated page says where to go on. */
static void list_finish(s3xml_list *p)
{
    if (p->truncated && (!p->next_token || !*p->next_token)) {
        p->problem = "IsTruncated is true but there is no NextContinuationToken";
        return;
    }
    for (size_t i = 0; p->url_encoded && i < p->count; i++) {
        if (!url_decode((char *)p->objects[i].key)) {
            p->problem = "a Key that is not URL-encoded as EncodingType url says";
            return;
        }
    }
}

int s3xml_list_feed(s3xml_list *p, const char *data, size_t len, bool final)
{
    if (p->problem)
        return -1;
    p->problem = walker_feed(&p->w, data, len, final);
    if (!p->problem && final)
        list_finish(p);
    return p->problem ? -1 : 0;
}

const char *s3xml_list_problem(const s3xml_list *p)
{
    return p->problem;
}

s3_page s3xml_list_page(const s3xml_list *p)
{
    s3_page page = {.objects = p->objects,
                    .count = p->count,
                    .next_token = p->truncated ? p->next_token : NULL};
    return page;
}

/* ---- Error ----------------------------------------------------------------------------- */

typedef struct error_doc {
    s3xml_error *out;
    bool is_error;
} error_doc;

static void error_element(void *arg, int depth, const char *parent, const char *name,
                          const char *text, size_t len)
{
    (void)parent;
    error_doc *d = arg;
    if (depth == 1) {
        d->is_error = strcmp(name, "Error") == 0;
        return;
    }
    if (depth != 2)
        return;
    static const struct {
        const char *name;
        size_t offset, size;
    } fields[] = {
        {"Code", offsetof(s3xml_error, code), sizeof(((s3xml_error *)0)->code)},
        {"Message", offsetof(s3xml_error, message), sizeof(((s3xml_error *)0)->message)},
        {"Region", offsetof(s3xml_error, region), sizeof(((s3xml_error *)0)->region)},
        {"Endpoint", offsetof(s3xml_error, endpoint), sizeof(((s3xml_error *)0)->endpoint)},
    };
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        if (strcmp(name, fields[i].name) == 0)
            snprintf((char *)d->out + fields[i].offset, fields[i].size, "%.*s", (int)len, text);
}

bool s3xml_parse_error(const char *body, size_t len, s3xml_error *out)
{
    memset(out, 0, sizeof(*out));
    error_doc d = {.out = out};
    walker w;
    bool ok = walker_init(&w, error_element, &d) && !walker_feed(&w, body, len, true);
    walker_free(&w);
    if (!ok || !d.is_error || !out->code[0]) {
        memset(out, 0, sizeof(*out));
        return false;
    }
    return true;
}
