/*
 * jsonflat.c — one JSON record parsed and flattened into fields; see jsonflat.h.
 *
 * A recursive-descent parser over a complete buffer, written here rather than taken from
 * jansson because a number must come out as the text it was written as (jansson refuses
 * 1e400 and turns 12345678901234567890 into a double), and because fields are built straight
 * from the source text without a tree in between. Recursion is bounded by
 * JSONFLAT_MAX_DEPTH, so no input can exhaust a worker thread's stack.
 *
 * Names and values are appended to two buffers while the record is parsed; their positions
 * are kept as offsets (the buffers move as they grow) and turned into pointers once the
 * record is complete. Repeated names are found with a small open-addressing table whose
 * slots carry the number of the record that filled them, so nothing is cleared between
 * records.
 */
#include "jsonflat.h"
#include "utf8.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct flat_field {
    size_t name; /* offset in names */
    size_t val;  /* offset in vals */
    size_t len;
    bool null;
} flat_field;

typedef struct name_slot {
    uint32_t gen; /* the record that filled the slot; stale when not the current one */
    uint32_t field;
} name_slot;

struct jsonflat {
    sqlbuf names;  /* the record's names, NUL-terminated, back to back */
    sqlbuf vals;   /* the record's values, back to back */
    sqlbuf prefix; /* the name being built: the keys on the way down, joined by '_' */
    flat_field *tmp;
    size_t ntmp, cap;
    const char **name_ptrs; /* cap entries each, filled when a record is complete */
    sl_field *fields;
    name_slot *slots;
    size_t nslots; /* a power of two, at least twice ntmp */
    uint32_t gen;
    bool oom;
    char reason[200];
};

/* One parse: the text and where we are in it. */
typedef struct parser {
    jsonflat *f;
    const unsigned char *s;
    size_t n;
    size_t i;
    size_t key_at; /* where the current member's key starts */
    bool failed;
} parser;

jsonflat *jsonflat_new(void)
{
    return calloc(1, sizeof(jsonflat));
}

void jsonflat_free(jsonflat *f)
{
    if (!f)
        return;
    sqlbuf_free(&f->names);
    sqlbuf_free(&f->vals);
    sqlbuf_free(&f->prefix);
    free(f->tmp);
    free(f->name_ptrs);
    free(f->fields);
    free(f->slots);
    free(f);
}

/* Records the first failure as the reason, with where in the record it happened. */
__attribute__((format(printf, 2, 3))) static bool fail(parser *p, const char *fmt, ...)
{
    if (p->failed)
        return false;
    p->failed = true;
    char what[150];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    snprintf(p->f->reason, sizeof(p->f->reason), "%s (byte %zu of the record)", what, p->i + 1);
    return false;
}

static bool is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void skip_ws(parser *p)
{
    while (p->i < p->n && is_ws(p->s[p->i]))
        p->i++;
}

static int peek(const parser *p)
{
    return p->i < p->n ? p->s[p->i] : -1;
}

/* A byte as a reason shows it: printable as itself, otherwise in hex. */
static bool fail_unexpected(parser *p, const char *expected)
{
    int c = peek(p);
    if (c < 0)
        return fail(p, "the record ends where %s was expected", expected);
    if (c > 0x20 && c < 0x7f)
        return fail(p, "expected %s, found '%c'", expected, c);
    return fail(p, "expected %s, found byte 0x%02x", expected, c);
}

/* ---- strings ---- */

static int hex4(const unsigned char *s)
{
    int v = 0;
    for (int k = 0; k < 4; k++) {
        int c = s[k], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        v = v * 16 + d;
    }
    return v;
}

static void put_utf8(sqlbuf *out, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xc0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xe0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        b[0] = (char)(0xf0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    sqlbuf_putn(out, b, n);
}

/* \uXXXX at p->i (the backslash), with a following low surrogate when it is a high one. */
static bool unicode_escape(parser *p, sqlbuf *out)
{
    if (p->n - p->i < 6 || hex4(p->s + p->i + 2) < 0)
        return fail(p, "invalid \\u escape: four hex digits must follow");
    uint32_t cp = (uint32_t)hex4(p->s + p->i + 2);
    if (cp >= 0xdc00 && cp <= 0xdfff)
        return fail(p, "invalid \\u escape: unpaired low surrogate \\u%04x", cp);
    if (cp >= 0xd800 && cp <= 0xdbff) {
        const unsigned char *q = p->s + p->i + 6;
        int lo = p->n - p->i >= 12 && q[0] == '\\' && q[1] == 'u' ? hex4(q + 2) : -1;
        if (lo < 0xdc00 || lo > 0xdfff)
            return fail(p, "invalid \\u escape: high surrogate \\u%04x without a low one", cp);
        cp = 0x10000 + ((cp - 0xd800) << 10) + ((uint32_t)lo - 0xdc00);
        p->i += 6;
    }
    if (cp == 0)
        return fail(p, "\\u0000 cannot be stored in text");
    if (out)
        put_utf8(out, cp);
    p->i += 6;
    return true;
}

static bool simple_escape(parser *p, sqlbuf *out)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    int c = p->i + 1 < p->n ? p->s[p->i + 1] : -1;
    const char *hit = c > 0 ? strchr(from, c) : NULL;
    if (!hit) {
        p->i++;
        return fail_unexpected(p, "an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u)");
    }
    if (out)
        sqlbuf_putc(out, to[hit - from]);
    p->i += 2;
    return true;
}

/*
 * The string at p->i (its opening quote): its decoded text appended to out when out is
 * not NULL, otherwise only checked.
 */
static bool parse_string(parser *p, sqlbuf *out)
{
    p->i++;
    for (;;) {
        size_t run = p->i;
        while (p->i < p->n && p->s[p->i] >= 0x20 && p->s[p->i] < 0x80 && p->s[p->i] != '"' &&
               p->s[p->i] != '\\')
            p->i++;
        if (out && p->i > run)
            sqlbuf_putn(out, (const char *)p->s + run, p->i - run);
        if (p->i >= p->n)
            return fail(p, "unterminated string");
        unsigned char c = p->s[p->i];
        if (c == '"') {
            p->i++;
            return true;
        }
        if (c == '\\') {
            bool ok = p->i + 1 < p->n && p->s[p->i + 1] == 'u' ? unicode_escape(p, out)
                                                               : simple_escape(p, out);
            if (!ok)
                return false;
        } else if (c < 0x20) {
            return fail(p, "control character 0x%02x in a string (it must be escaped)", c);
        } else {
            size_t len = utf8_seq_len(p->s + p->i, p->n - p->i);
            if (!len)
                return fail(p, "invalid UTF-8 in a string");
            if (out)
                sqlbuf_putn(out, (const char *)p->s + p->i, len);
            p->i += len;
        }
    }
}

bool jsonflat_string(const char *text, size_t len, sqlbuf *out)
{
    jsonflat scratch = {0};
    parser p = {.f = &scratch, .s = (const unsigned char *)text, .n = len};
    if (len == 0 || text[0] != '"')
        return false;
    return parse_string(&p, out) && p.i == len && !out->oom;
}

/* ---- numbers and literals: checked, then copied as written ---- */

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static void skip_digits(parser *p)
{
    while (is_digit(peek(p)))
        p->i++;
}

static bool parse_number(parser *p)
{
    if (peek(p) == '-')
        p->i++;
    if (peek(p) == '0')
        p->i++;
    else if (is_digit(peek(p)))
        skip_digits(p);
    else
        return fail(p, "invalid number: a digit must follow '-'");
    if (peek(p) == '.') {
        p->i++;
        if (!is_digit(peek(p)))
            return fail(p, "invalid number: a digit must follow '.'");
        skip_digits(p);
    }
    if (peek(p) == 'e' || peek(p) == 'E') {
        p->i++;
        if (peek(p) == '+' || peek(p) == '-')
            p->i++;
        if (!is_digit(peek(p)))
            return fail(p, "invalid number: the exponent has no digits");
        skip_digits(p);
    }
    int c = peek(p);
    if (is_digit(c) || c == '.' || c == '+' || c == '-' || c == 'e' || c == 'E')
        return fail(p, "invalid number (no leading zeros, one '.', one exponent)");
    return true;
}

static bool parse_literal(parser *p, const char *word)
{
    size_t len = strlen(word);
    if (p->n - p->i < len || memcmp(p->s + p->i, word, len) != 0)
        return fail(p, "invalid word: expected %s", word);
    p->i += len;
    int c = peek(p);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c))
        return fail_unexpected(p, "',' or the end of an object or array");
    return true;
}

/* ---- any value, compacted: what an array (and all it holds) becomes ---- */

static bool copy_value(parser *p, int depth, sqlbuf *out);

/* Members of an object or elements of an array, with their separators. */
static bool copy_items(parser *p, int depth, sqlbuf *out, bool object)
{
    char close = object ? '}' : ']';
    sqlbuf_putc(out, (char)p->s[p->i++]);
    skip_ws(p);
    if (peek(p) == close) {
        sqlbuf_putc(out, close);
        p->i++;
        return true;
    }
    for (;;) {
        if (object) {
            if (peek(p) != '"')
                return fail_unexpected(p, "a key");
            size_t start = p->i;
            if (!parse_string(p, NULL))
                return false;
            sqlbuf_putn(out, (const char *)p->s + start, p->i - start);
            skip_ws(p);
            if (peek(p) != ':')
                return fail_unexpected(p, "':' after a key");
            sqlbuf_putc(out, ':');
            p->i++;
            skip_ws(p);
        }
        if (!copy_value(p, depth, out))
            return false;
        skip_ws(p);
        if (peek(p) == close) {
            sqlbuf_putc(out, close);
            p->i++;
            return true;
        }
        if (peek(p) != ',')
            return fail_unexpected(p, object ? "',' or '}'" : "',' or ']'");
        sqlbuf_putc(out, ',');
        p->i++;
        skip_ws(p);
    }
}

/* Checks the value at p->i and appends its compact text to out. */
static bool copy_value(parser *p, int depth, sqlbuf *out)
{
    size_t start = p->i;
    switch (peek(p)) {
    case '{':
    case '[':
        if (depth + 1 > JSONFLAT_MAX_DEPTH)
            return fail(p, "nested deeper than %d levels", JSONFLAT_MAX_DEPTH);
        return copy_items(p, depth + 1, out, peek(p) == '{');
    case '"':
        if (!parse_string(p, NULL))
            return false;
        break;
    case 't':
        if (!parse_literal(p, "true"))
            return false;
        break;
    case 'f':
        if (!parse_literal(p, "false"))
            return false;
        break;
    case 'n':
        if (!parse_literal(p, "null"))
            return false;
        break;
    default:
        if (peek(p) != '-' && !is_digit(peek(p)))
            return fail_unexpected(p, "a value");
        if (!parse_number(p))
            return false;
    }
    sqlbuf_putn(out, (const char *)p->s + start, p->i - start);
    return true;
}

/* ---- fields ---- */

static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The slot of name: the one holding it, or the free one where it goes. */
static name_slot *find_slot(jsonflat *f, const char *name)
{
    size_t mask = f->nslots - 1;
    for (size_t k = name_hash(name) & mask;; k = (k + 1) & mask) {
        name_slot *s = &f->slots[k];
        if (s->gen != f->gen || strcmp(f->names.data + f->tmp[s->field].name, name) == 0)
            return s;
    }
}

/* Room for one more field, and a name table at most half full. */
static bool reserve_field(jsonflat *f)
{
    if (f->ntmp == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 16;
        flat_field *t = realloc(f->tmp, cap * sizeof(*t));
        if (t)
            f->tmp = t;
        const char **np = t ? realloc(f->name_ptrs, cap * sizeof(*np)) : NULL;
        if (np)
            f->name_ptrs = np;
        sl_field *fp = np ? realloc(f->fields, cap * sizeof(*fp)) : NULL;
        if (!fp)
            return false;
        f->fields = fp;
        f->cap = cap;
    }
    if ((f->ntmp + 1) * 2 <= f->nslots)
        return true;
    size_t nslots = f->nslots ? f->nslots * 2 : 64;
    name_slot *slots = calloc(nslots, sizeof(*slots));
    if (!slots)
        return false;
    free(f->slots);
    f->slots = slots;
    f->nslots = nslots;
    f->gen = 1;
    for (size_t k = 0; k < f->ntmp; k++) {
        name_slot *s = find_slot(f, f->names.data + f->tmp[k].name);
        *s = (name_slot){f->gen, (uint32_t)k};
    }
    return true;
}

/* A field named by the current prefix, whose value is vals[val..] (or NULL). */
static bool add_field(parser *p, size_t val, bool null)
{
    jsonflat *f = p->f;
    if (f->prefix.oom || f->vals.oom || !reserve_field(f)) {
        f->oom = true;
        return false;
    }
    size_t name = f->names.len;
    sqlbuf_putn(&f->names, f->prefix.data, f->prefix.len + 1);
    if (f->names.oom) {
        f->oom = true;
        return false;
    }
    name_slot *s = find_slot(f, f->names.data + name);
    if (s->gen == f->gen) {
        p->i = p->key_at; /* the second key is where it went wrong */
        return fail(p, "column \"%.100s\" has two values", f->prefix.data);
    }
    *s = (name_slot){f->gen, (uint32_t)f->ntmp};
    f->tmp[f->ntmp++] = (flat_field){name, val, f->vals.len - val, null};
    return true;
}

static bool flatten_object(parser *p, int depth);

/* The value of the member named by the current prefix. */
static bool flatten_value(parser *p, int depth)
{
    jsonflat *f = p->f;
    size_t val = f->vals.len;
    switch (peek(p)) {
    case '{':
        if (depth + 1 > JSONFLAT_MAX_DEPTH)
            return fail(p, "nested deeper than %d levels", JSONFLAT_MAX_DEPTH);
        return flatten_object(p, depth + 1);
    case '"':
        return parse_string(p, &f->vals) && add_field(p, val, false);
    case 'n':
        return parse_literal(p, "null") && add_field(p, val, true);
    default:
        return copy_value(p, depth, &f->vals) && add_field(p, val, false);
    }
}

/* The object at p->i; each member's name is the prefix, '_' below the record's own level,
 * and its key. */
static bool flatten_object(parser *p, int depth)
{
    sqlbuf *prefix = &p->f->prefix;
    size_t saved = prefix->len;
    p->i++;
    skip_ws(p);
    if (peek(p) == '}') {
        p->i++;
        return true;
    }
    for (;;) {
        if (peek(p) != '"')
            return fail_unexpected(p, "a key");
        p->key_at = p->i;
        if (depth > 1)
            sqlbuf_putc(prefix, '_');
        if (!parse_string(p, prefix))
            return false;
        skip_ws(p);
        if (peek(p) != ':')
            return fail_unexpected(p, "':' after a key");
        p->i++;
        skip_ws(p);
        if (!flatten_value(p, depth))
            return false;
        prefix->len = saved;
        if (prefix->data)
            prefix->data[saved] = '\0';
        skip_ws(p);
        if (peek(p) == '}') {
            p->i++;
            return true;
        }
        if (peek(p) != ',')
            return fail_unexpected(p, "',' or '}'");
        p->i++;
        skip_ws(p);
    }
}

const char *jsonflat_kind(int c)
{
    switch (c) {
    case '{':
        return "an object";
    case '[':
        return "an array";
    case '"':
        return "a string";
    case 't':
    case 'f':
        return "a boolean";
    case 'n':
        return "null";
    default:
        return c == '-' || is_digit(c) ? "a number" : "not JSON";
    }
}

/* Clears the buffers for a new record, keeping their memory. */
static void begin_record(jsonflat *f)
{
    sqlbuf_reset(&f->names);
    sqlbuf_reset(&f->vals);
    sqlbuf_reset(&f->prefix);
    sqlbuf_putn(&f->vals, "", 0); /* so that vals.data is never NULL */
    sqlbuf_putn(&f->prefix, "", 0);
    f->ntmp = 0;
    f->oom = f->names.oom || f->vals.oom || f->prefix.oom;
    if (++f->gen == 0) { /* after 2^32 records: stale marks could look current again */
        if (f->slots)
            memset(f->slots, 0, f->nslots * sizeof(*f->slots));
        f->gen = 1;
    }
}

/* A record that is not an object: said as what it is, once it is known to be valid JSON. */
static bool not_an_object(parser *p)
{
    sqlbuf scratch = {0};
    bool valid = copy_value(p, 0, &scratch);
    bool oom = scratch.oom;
    sqlbuf_free(&scratch);
    if (oom) {
        p->f->oom = true;
        return false;
    }
    if (valid) {
        skip_ws(p);
        if (p->i < p->n)
            return fail_unexpected(p, "the end of the record");
        p->i = 0;
        skip_ws(p);
        return fail(p, "the record is %s, not an object", jsonflat_kind(peek(p)));
    }
    return false;
}

jsonflat_result jsonflat_parse(jsonflat *f, const char *text, size_t len, sl_record *rec,
                               const char **reason)
{
    begin_record(f);
    parser p = {.f = f, .s = (const unsigned char *)text, .n = len};
    skip_ws(&p);
    bool ok = peek(&p) == '{' ? flatten_object(&p, 1) : not_an_object(&p);
    if (ok) {
        skip_ws(&p);
        if (p.i < p.n)
            ok = fail_unexpected(&p, "the end of the record");
    }
    if (f->oom || f->names.oom || f->vals.oom || f->prefix.oom)
        return JSONFLAT_NOMEM;
    if (!ok) {
        *reason = f->reason;
        return JSONFLAT_BAD;
    }
    for (size_t k = 0; k < f->ntmp; k++) {
        const flat_field *t = &f->tmp[k];
        f->name_ptrs[k] = f->names.data + t->name;
        f->fields[k] = (sl_field){f->vals.data + t->val, t->len, t->null};
    }
    rec->names = f->name_ptrs;
    rec->fields = f->fields;
    rec->nfields = f->ntmp;
    return JSONFLAT_OK;
}
