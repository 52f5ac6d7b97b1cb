/*
 * json.c — the JSON format, streaming; see json.h for the layouts and the rules.
 *
 * Two passes over each record's bytes, both linear. A small scanner cuts records out of the
 * stream byte by byte, in whatever chunks they arrive: in JSON Lines a record is a line; in
 * an array it follows only brackets, quotes and backslashes (vscan) to find where an element
 * ends, keeping the element's bytes. The complete record then goes to jsonflat_parse, which
 * checks it in full and flattens it. The scanner's state is all in json_reader, so where a
 * chunk boundary falls never changes a record, a number or a bad record.
 *
 * With a records path, a third small machine (nav) walks the top-level object key by key,
 * skips every value off the path with vscan without keeping it, and hands over to the array
 * scanner at the array of records.
 */
#include "json.h"

#include "jsonflat.h"
#include "sqlbuf.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MAX 4096 /* a path key is never longer; a longer key in the object is skipped */

typedef enum reader_mode {
    M_START, /* before the first byte that is not whitespace or the byte order mark */
    M_LINES, /* JSON Lines: collecting a line */
    M_ARRAY, /* in the array of records (arr) */
    M_NAV,   /* records path: in the top-level object, off the array (nav) */
    M_TAIL,  /* after the top-level array or object: whitespace only */
    M_FATAL, /* after a structural error: collecting raw context for the bad record */
    M_DONE,  /* the rest of the item is skipped */
} reader_mode;

typedef enum arr_state {
    ARR_FIRST, /* after '[': an element or ']' */
    ARR_NEXT,  /* after ',': an element */
    ARR_ELEM,  /* in an element (vs) */
    ARR_SEP,   /* after an element: ',' or ']' */
} arr_state;

typedef enum nav_state {
    NAV_OPEN,  /* after '{': a key or '}' */
    NAV_NEXT,  /* after ',': a key */
    NAV_KEY,   /* in a key */
    NAV_COLON, /* after a key */
    NAV_VALUE, /* after ':' */
    NAV_SKIP,  /* in a value off the path (vs) */
    NAV_SEP,   /* after a value: ',' or '}' */
} nav_state;

/* Where one JSON value ends, from its bytes alone: brackets, strings, escapes. A bare
 * scalar (number, true, garbage) ends before whitespace, ',', ']' or '}'. */
typedef struct vscan {
    long long depth;
    bool started, scalar, in_str, esc;
} vscan;

struct json_reader {
    sl_record_fn on_record;
    sl_bad_record_fn on_bad;
    void *arg;
    size_t max_record;
    char *path;     /* the records option as given, for messages; NULL: none */
    char *path_buf; /* its keys, NUL-separated */
    const char *keys[JSON_MAX_PATH_KEYS];
    size_t nkeys;
    jsonflat *flat;

    reader_mode mode;
    arr_state arr;
    nav_state nav;
    long long pos;  /* offset of the next byte in the item */
    long long nrec; /* records numbered so far */
    size_t bom;     /* bytes of a leading byte order mark seen */

    sqlbuf buf;          /* the record being cut (or raw context after an error) */
    long long buf_start; /* the offset of its first byte */
    bool oversize;       /* it outgrew max_record: later bytes are not kept */
    vscan vs;

    size_t level;     /* nav: depth of the object we are in, 0 = top level */
    uint64_t taken;   /* nav: levels whose path key has been followed */
    size_t matched;   /* nav: path keys found so far */
    bool found;       /* nav: the array of records was reached */
    bool key_match;   /* nav: the last key is the path's at this level */
    bool key_esc;     /* nav: in a key, after a backslash */
    sqlbuf key, keyt; /* nav: the key as written (quotes included), and decoded */

    char fatal_reason[240];
    long long fatal_offset;
    int rc;
    char err[320];
};

static const unsigned char BOM[3] = {0xef, 0xbb, 0xbf};

static bool is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t skip_ws(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n && is_ws(p[i]))
        i++;
    return i;
}

/* A byte as messages show it. */
static const char *show_byte(unsigned char c, char out[8])
{
    if (c > 0x20 && c < 0x7f)
        snprintf(out, 8, "'%c'", c);
    else
        snprintf(out, 8, "0x%02x", c);
    return out;
}

__attribute__((format(printf, 2, 3))) static int fail(json_reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, sizeof(r->err), fmt, ap);
    va_end(ap);
    return r->rc = -1;
}

/* ---- vscan ---- */

/* Scans p[0..n) as (the next part of) one value. Returns how many bytes belong to it; *done
 * when it ended there. */
static size_t vscan_run(vscan *v, const unsigned char *p, size_t n, bool *done)
{
    size_t i = 0;
    *done = false;
    if (!v->started && n > 0) {
        v->started = true;
        if (p[0] == '{' || p[0] == '[')
            v->depth = 1;
        else if (p[0] == '"')
            v->in_str = true;
        else
            v->scalar = true;
        i = v->scalar ? 0 : 1;
    }
    for (; i < n; i++) {
        if (v->in_str && !v->esc) { /* most bytes of most records: run to a quote or escape */
            const unsigned char *q = memchr(p + i, '"', n - i);
            const unsigned char *e = memchr(p + i, '\\', q ? (size_t)(q - p) - i : n - i);
            const unsigned char *stop = e ? e : q;
            if (!stop)
                return n;
            i = (size_t)(stop - p);
        }
        unsigned char c = p[i];
        if (v->in_str) {
            if (v->esc)
                v->esc = false;
            else if (c == '\\')
                v->esc = true;
            else if (c == '"') {
                v->in_str = false;
                if (v->depth == 0) {
                    *done = true;
                    return i + 1;
                }
            }
        } else if (v->scalar) {
            if (is_ws(c) || c == ',' || c == ']' || c == '}') {
                *done = true;
                return i;
            }
        } else if (c == '"') {
            v->in_str = true;
        } else if (c == '{' || c == '[') {
            v->depth++;
        } else if ((c == '}' || c == ']') && --v->depth == 0) {
            *done = true;
            return i + 1;
        }
    }
    return n;
}

/* ---- records ---- */

static void begin(json_reader *r, long long start)
{
    sqlbuf_reset(&r->buf);
    r->buf_start = start;
    r->oversize = false;
}

/* Keeps the record's next bytes, up to max_record in all. */
static void keep(json_reader *r, const void *p, size_t n)
{
    if (r->oversize)
        return;
    size_t room = r->max_record - r->buf.len;
    if (n > room) {
        n = room;
        r->oversize = true;
    }
    sqlbuf_putn(&r->buf, p, n);
}

static int bad(json_reader *r, long long offset, const char *reason, const char *raw, size_t len)
{
    sl_bad_record b = {r->nrec, offset, reason, raw ? raw : "", len};
    return r->rc = r->on_bad(r->arg, &b);
}

/* The next record, text[0..len) starting at offset: a record or a bad one. */
static int record_done(json_reader *r, const char *text, size_t len, long long offset)
{
    r->nrec++;
    if (r->buf.oom)
        return fail(r, "out of memory reading record %lld", r->nrec);
    if (r->oversize) {
        char why[120];
        snprintf(why, sizeof(why),
                 "the record is longer than %zu bytes, the most one record may take",
                 r->max_record);
        return bad(r, offset, why, text, len);
    }
    sl_record rec;
    const char *reason = NULL;
    switch (jsonflat_parse(r->flat, text, len, &rec, &reason)) {
    case JSONFLAT_OK:
        rec.line = r->nrec;
        rec.offset = offset;
        return r->rc = r->on_record(r->arg, &rec);
    case JSONFLAT_BAD:
        return bad(r, offset, reason, text, len);
    default:
        return fail(r, "out of memory reading record %lld", r->nrec);
    }
}

/* A structural error in the array at offset: the rest of the item cannot be delimited. The
 * bad record is reported once its raw context is collected (M_FATAL) or the item ends. */
__attribute__((format(printf, 3, 4))) static void fatal(json_reader *r, long long offset,
                                                        const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(r->fatal_reason, sizeof(r->fatal_reason), fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < sizeof(r->fatal_reason))
        snprintf(r->fatal_reason + n, sizeof(r->fatal_reason) - (size_t)n,
                 "; the rest of the item is skipped");
    r->fatal_offset = offset;
    begin(r, offset);
    r->mode = M_FATAL;
}

static int report_fatal(json_reader *r)
{
    r->mode = M_DONE;
    r->nrec++;
    return bad(r, r->fatal_offset, r->fatal_reason, r->buf.data, r->buf.len);
}

static size_t step_fatal(json_reader *r, const unsigned char *p, size_t n)
{
    size_t k = JSON_RAW_CONTEXT - r->buf.len;
    if (k > n)
        k = n;
    sqlbuf_putn(&r->buf, (const char *)p, k);
    if (r->buf.len >= JSON_RAW_CONTEXT)
        report_fatal(r);
    return k;
}

/* ---- JSON Lines ---- */

static void line_done(json_reader *r)
{
    size_t len = r->buf.len;
    while (len > 0 && is_ws((unsigned char)r->buf.data[len - 1]))
        len--;
    if (len > 0)
        record_done(r, r->buf.data, len, r->buf_start);
    begin(r, r->pos);
}

static size_t step_lines(json_reader *r, const unsigned char *p, size_t n)
{
    size_t i = 0;
    if (r->buf.len == 0 && !r->oversize) { /* leading blanks are neither kept nor counted */
        while (i < n && p[i] != '\n' && is_ws(p[i]))
            i++;
        if (i == n)
            return n;
        r->buf_start = r->pos + (long long)i;
    }
    const unsigned char *nl = memchr(p + i, '\n', n - i);
    size_t end = nl ? (size_t)(nl - p) : n;
    keep(r, p + i, end - i);
    if (!nl)
        return n;
    line_done(r);
    r->buf_start = r->pos + (long long)end + 1;
    return end + 1;
}

/* ---- the array of records ---- */

static void array_end(json_reader *r)
{
    if (r->nkeys) {
        r->mode = M_NAV;
        r->nav = NAV_SEP;
    } else
        r->mode = M_TAIL;
}

static void object_end(json_reader *r);
static void nav_unexpected(json_reader *r, long long at, const char *expected, unsigned char c);

/* After a value, in the array of records or in the object around it: c must be ',' or the
 * closing bracket. Returns the bytes used of c. */
static size_t after_value(json_reader *r, unsigned char c, long long at)
{
    bool array = r->mode == M_ARRAY;
    char shown[8];
    if (c == ',') {
        if (array)
            r->arr = ARR_NEXT;
        else
            r->nav = NAV_NEXT;
        return 1;
    }
    if (c == (array ? ']' : '}')) {
        if (array)
            array_end(r);
        else
            object_end(r);
        return 1;
    }
    if (array)
        fatal(r, at, "expected ',' or ']' after record %lld, found %s", r->nrec,
              show_byte(c, shown));
    else
        nav_unexpected(r, at, "',' or '}'", c);
    return 0;
}

static size_t step_element(json_reader *r, const unsigned char *p, size_t n)
{
    bool done;
    size_t k = vscan_run(&r->vs, p, n, &done);
    keep(r, p, k);
    if (done) {
        r->arr = ARR_SEP;
        record_done(r, r->buf.data, r->buf.len, r->buf_start);
    }
    return k;
}

static size_t step_array(json_reader *r, const unsigned char *p, size_t n)
{
    if (r->arr == ARR_ELEM)
        return step_element(r, p, n);
    size_t i = skip_ws(p, n);
    if (i == n)
        return n;
    unsigned char c = p[i];
    long long at = r->pos + (long long)i;
    char shown[8];
    if (r->arr == ARR_SEP)
        return i + after_value(r, c, at);
    if (c == ']' && r->arr == ARR_FIRST) {
        array_end(r);
        return i + 1;
    }
    if (c == ']' || c == ',' || c == '}') {
        fatal(r, at, "expected record %lld, found %s", r->nrec + 1, show_byte(c, shown));
        return i;
    }
    begin(r, at);
    r->vs = (vscan){0};
    r->arr = ARR_ELEM;
    return i;
}

/* The item ends in the array: a bare element may end with it; nothing else may. */
static void finish_array(json_reader *r)
{
    if (r->arr == ARR_ELEM && r->vs.scalar) {
        r->arr = ARR_SEP;
        record_done(r, r->buf.data, r->buf.len, r->buf_start);
        if (r->rc)
            return;
    }
    if (r->arr == ARR_ELEM) { /* the unfinished element is the raw text */
        r->fatal_offset = r->buf_start;
        snprintf(r->fatal_reason, sizeof(r->fatal_reason), "the item ends inside record %lld (%s)",
                 r->nrec + 1, r->vs.in_str ? "in a string" : "an object or array is not closed");
    } else {
        r->fatal_offset = r->pos;
        begin(r, r->pos);
        snprintf(r->fatal_reason, sizeof(r->fatal_reason),
                 "the item ends before the closing ']' of the array");
    }
    report_fatal(r);
}

/* ---- a records path: walking the top-level object ---- */

/* The first k keys of the path, as written in it. */
static int path_prefix_len(const json_reader *r, size_t k)
{
    size_t len = k ? k - 1 : 0;
    for (size_t j = 0; j < k; j++)
        len += strlen(r->keys[j]);
    return (int)len;
}

static void nav_unexpected(json_reader *r, long long at, const char *expected, unsigned char c)
{
    char shown[8];
    fail(r, "the top-level object is malformed at offset %lld: expected %s, found %s", at, expected,
         show_byte(c, shown));
}

static void object_end(json_reader *r)
{
    if (r->level > 0) {
        r->level--;
        r->nav = NAV_SEP;
        return;
    }
    r->mode = M_TAIL;
    if (r->found)
        return;
    if (r->matched == 0)
        fail(r, "records path '%s' not found: the top-level object has no key \"%s\"", r->path,
             r->keys[0]);
    else
        fail(r, "records path '%s' not found: \"%.*s\" has no key \"%s\"", r->path,
             path_prefix_len(r, r->matched), r->path, r->keys[r->matched]);
}

static size_t step_key(json_reader *r, const unsigned char *p, size_t n)
{
    size_t i = 0;
    for (; i < n; i++) {
        if (r->key_esc)
            r->key_esc = false;
        else if (p[i] == '\\')
            r->key_esc = true;
        else if (p[i] == '"')
            break;
    }
    bool end = i < n;
    size_t k = end ? i + 1 : n;
    if (r->key.len < KEY_MAX + 2)
        sqlbuf_putn(&r->key, (const char *)p, k);
    if (!end)
        return k;
    r->nav = NAV_COLON;
    r->key_match = false;
    if (r->key.len > KEY_MAX + 2 || r->level >= r->nkeys || (r->taken >> r->level) & 1)
        return k;
    sqlbuf_reset(&r->keyt);
    if (!jsonflat_string(r->key.data, r->key.len, &r->keyt)) {
        if (r->key.oom || r->keyt.oom)
            fail(r, "out of memory");
        else
            fail(r, "the top-level object has an invalid key ending at offset %lld",
                 r->pos + (long long)k - 1);
        return k;
    }
    size_t want = strlen(r->keys[r->level]); /* never 0: split_path refuses empty keys */
    r->key_match = r->keyt.len == want && memcmp(r->keyt.data, r->keys[r->level], want) == 0;
    return k;
}

/* The first byte c of a member's value: follow the path into it, or skip it. */
static size_t nav_value(json_reader *r, unsigned char c, long long at)
{
    if (c == ',' || c == '}' || c == ']' || c == ':') {
        nav_unexpected(r, at, "a value", c);
        return 0;
    }
    if (!r->key_match) {
        r->vs = (vscan){0};
        r->nav = NAV_SKIP;
        return 0;
    }
    r->taken |= (uint64_t)1 << r->level;
    r->matched = r->level + 1;
    bool last = r->matched == r->nkeys;
    if (c != (last ? '[' : '{')) {
        fail(r, "records path '%s': \"%.*s\" is %s, not %s", r->path,
             path_prefix_len(r, r->matched), r->path, jsonflat_kind(c),
             last ? "an array" : "an object");
        return 0;
    }
    if (last) {
        r->found = true;
        r->mode = M_ARRAY;
        r->arr = ARR_FIRST;
    } else {
        r->level++;
        r->nav = NAV_OPEN;
    }
    return 1;
}

static size_t step_nav(json_reader *r, const unsigned char *p, size_t n)
{
    if (r->nav == NAV_KEY)
        return step_key(r, p, n);
    if (r->nav == NAV_SKIP) {
        bool done;
        size_t k = vscan_run(&r->vs, p, n, &done);
        if (done)
            r->nav = NAV_SEP;
        return k;
    }
    size_t i = skip_ws(p, n);
    if (i == n)
        return n;
    unsigned char c = p[i];
    long long at = r->pos + (long long)i;
    switch (r->nav) {
    case NAV_OPEN:
    case NAV_NEXT:
        if (c == '"') {
            sqlbuf_reset(&r->key);
            sqlbuf_putc(&r->key, '"');
            r->key_esc = false;
            r->nav = NAV_KEY;
            return i + 1;
        }
        if (c == '}' && r->nav == NAV_OPEN) {
            object_end(r);
            return i + 1;
        }
        nav_unexpected(r, at, "a key", c);
        return i;
    case NAV_COLON:
        if (c == ':') {
            r->nav = NAV_VALUE;
            return i + 1;
        }
        nav_unexpected(r, at, "':' after a key", c);
        return i;
    case NAV_VALUE:
        return i + nav_value(r, c, at);
    default: /* NAV_SEP */
        return i + after_value(r, c, at);
    }
}

/* ---- the start and the end of the item ---- */

/* The first byte c that is not whitespace decides the layout. */
static size_t start_layout(json_reader *r, unsigned char c, long long at)
{
    if (r->nkeys) {
        if (c == '{') {
            r->mode = M_NAV;
            r->nav = NAV_OPEN;
            return 1;
        }
        fail(r, "records path '%s' needs the item to be one JSON object; it starts with %s",
             r->path, jsonflat_kind(c));
        return 0;
    }
    if (c == '[') {
        r->mode = M_ARRAY;
        r->arr = ARR_FIRST;
        return 1;
    }
    r->mode = M_LINES;
    begin(r, at);
    return 0;
}

/* A byte order mark cut short: its bytes were the start of the first line after all. */
static void partial_bom(json_reader *r)
{
    if (r->nkeys) {
        fail(r, "records path '%s' needs the item to be one JSON object; it starts with %s",
             r->path, jsonflat_kind(BOM[0]));
        return;
    }
    r->mode = M_LINES;
    begin(r, 0);
    keep(r, BOM, r->bom);
}

static size_t step_start(json_reader *r, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        long long at = r->pos + (long long)i;
        if (at < 3 && (size_t)at == r->bom && p[i] == BOM[at]) {
            r->bom++;
            continue;
        }
        if (r->bom > 0 && r->bom < 3) {
            partial_bom(r);
            return i;
        }
        if (!is_ws(p[i]))
            return i + start_layout(r, p[i], at);
    }
    return n;
}

static size_t step_tail(json_reader *r, const unsigned char *p, size_t n)
{
    size_t i = skip_ws(p, n);
    if (i == n)
        return n;
    long long at = r->pos + (long long)i;
    if (r->nkeys)
        fail(r, "text after the end of the top-level object at offset %lld", at);
    else
        fatal(r, at, "text after the end of the top-level array");
    return i;
}

static size_t step_done(json_reader *r, const unsigned char *p, size_t n)
{
    (void)r;
    (void)p;
    return n;
}

/* What reads the next bytes in each mode: some of them (none only when it changes mode). */
static size_t (*const steps[])(json_reader *, const unsigned char *, size_t) = {
    [M_START] = step_start, [M_LINES] = step_lines, [M_ARRAY] = step_array, [M_NAV] = step_nav,
    [M_TAIL] = step_tail,   [M_FATAL] = step_fatal, [M_DONE] = step_done,
};

int json_reader_feed(json_reader *r, const void *data, size_t len)
{
    const unsigned char *p = data;
    size_t i = 0;
    while (r->rc == 0 && i < len) {
        size_t k = steps[r->mode](r, p + i, len - i);
        i += k;
        r->pos += (long long)k;
    }
    return r->rc;
}

int json_reader_finish(json_reader *r)
{
    if (r->rc)
        return r->rc;
    if (r->mode == M_START && r->bom > 0 && r->bom < 3)
        partial_bom(r);
    if (r->rc)
        return r->rc;
    switch (r->mode) {
    case M_LINES:
        line_done(r);
        break;
    case M_ARRAY:
        finish_array(r);
        break;
    case M_NAV:
        fail(r, "the item ends inside the top-level object%s",
             r->found ? "" : ", before the records path was found");
        break;
    case M_FATAL:
        report_fatal(r);
        break;
    default:
        break;
    }
    r->mode = M_DONE;
    return r->rc;
}

const char *json_reader_error(const json_reader *r)
{
    return r->rc == -1 && r->err[0] ? r->err : NULL;
}

/* ---- life cycle ---- */

static bool split_path(json_reader *r, const char *records, char *err, size_t errlen)
{
    r->path = strdup(records);
    r->path_buf = strdup(records);
    if (!r->path || !r->path_buf) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    for (char *k = r->path_buf;; k++) {
        char *dot = strchr(k, '.');
        if (dot)
            *dot = '\0';
        if (!*k) {
            snprintf(err, errlen,
                     "records path '%s' has an empty key: write keys joined by '.', as "
                     "'data.items'",
                     records);
            return false;
        }
        if (r->nkeys == JSON_MAX_PATH_KEYS) {
            snprintf(err, errlen, "records path '%s' has more than %d keys", records,
                     JSON_MAX_PATH_KEYS);
            return false;
        }
        r->keys[r->nkeys++] = k;
        if (!dot)
            return true;
        k = dot;
    }
}

json_reader *json_reader_new(const json_options *opt, sl_record_fn on_record,
                             sl_bad_record_fn on_bad, void *arg, char *err, size_t errlen)
{
    json_reader *r = calloc(1, sizeof(*r));
    if (!r || !(r->flat = jsonflat_new())) {
        snprintf(err, errlen, "out of memory");
        free(r);
        return NULL;
    }
    r->on_record = on_record;
    r->on_bad = on_bad;
    r->arg = arg;
    r->max_record = opt && opt->max_record_bytes ? opt->max_record_bytes : JSON_MAX_RECORD_BYTES;
    if (opt && opt->records && opt->records[0] && !split_path(r, opt->records, err, errlen)) {
        json_reader_free(r);
        return NULL;
    }
    return r;
}

void json_reader_free(json_reader *r)
{
    if (!r)
        return;
    jsonflat_free(r->flat);
    sqlbuf_free(&r->buf);
    sqlbuf_free(&r->key);
    sqlbuf_free(&r->keyt);
    free(r->path);
    free(r->path_buf);
    free(r);
}
