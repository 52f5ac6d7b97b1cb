/*
 * transform.c — TRANSFORM steps compiled once, then applied record by record (transform.h).
 */
#include "transform.h"

#include "arena.h"
#include "cast.h"
#include "parse.h" /* sl_filter_op_name */

#include <openssl/evp.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A FILTER value, read once: as text, and as a number or a boolean where it is one. */
typedef struct filter_value {
    const char *text;
    size_t len;
    bool is_number;
    cast_decimal number;
    bool is_bool;
    bool bool_value;
} filter_value;

/* One step, compiled. Strings are copies in the transform's setup arena. */
typedef struct tstep {
    sl_step_kind kind;
    const char *column;
    const char *new_name; /* RENAME */
    const char **names;   /* DROP, KEEP, HASH: the columns; SPLIT, EXTRACT: INTO */
    int nnames;
    const char *text; /* NULLIF, DEFAULT: the value; SPLIT: the separator */
    size_t text_len;
    size_t keep_last; /* MASK */
    cast_spec cast;   /* CAST */
    regex_t re;       /* EXTRACT */
    bool has_re;
    regmatch_t *match; /* EXTRACT: room for the groups, reused */
    sl_filter_op op;   /* FILTER */
    filter_value *values;
    int nvalues;
} tstep;

struct transform {
    tstep *steps;
    int nsteps;
    size_t extra; /* columns SPLIT and EXTRACT may add to a row */
    unsigned char *salt;
    size_t salt_len;
    EVP_MD *sha256;
    EVP_MD_CTX *md;
    arena setup; /* the steps' strings, for the transform's life */
    arena row;   /* one row's arrays and new values, reset by each transform_apply */
};

/* The row the steps work on: parallel names and fields, with room for the record's columns
 * and the t->extra that SPLIT and EXTRACT may add. */
typedef struct row {
    const char **names;
    sl_field *fields;
    size_t n;
    arena *a;
} row;

/* ---- compiling ---- */

static bool compile_oom(sl_error *err)
{
    sl_error_set(err, "53200", NULL, "out of memory");
    return false;
}

static bool copy_names(transform *t, const sl_names *from, tstep *s)
{
    s->names = arena_alloc(&t->setup, ((size_t)from->n + 1) * sizeof(char *));
    if (!s->names)
        return false;
    for (int k = 0; k < from->n; k++)
        if (!(s->names[k] = arena_strndup(&t->setup, from->items[k], strlen(from->items[k]))))
            return false;
    s->nnames = from->n;
    return true;
}

/* A copy of s in the setup arena; NULL stays NULL, *ok turns false when out of memory. */
static const char *copy_str(transform *t, const char *s, bool *ok)
{
    const char *c = s ? arena_strndup(&t->setup, s, strlen(s)) : NULL;
    *ok = *ok && (!s || c);
    return c;
}

static bool compile_filter(transform *t, const sl_step *st, tstep *s, sl_error *err)
{
    s->op = st->op;
    s->nvalues = st->n_values;
    s->values = arena_alloc(&t->setup, ((size_t)st->n_values + 1) * sizeof(filter_value));
    if (!s->values)
        return compile_oom(err);
    for (int k = 0; k < st->n_values; k++) {
        const sl_value *v = &st->values[k];
        filter_value *f = &s->values[k];
        bool ok = true;
        *f = (filter_value){.text = copy_str(t, v->text, &ok), .len = strlen(v->text)};
        if (!ok)
            return compile_oom(err);
        f->is_number = cast_parse_decimal(f->text, f->len, &f->number);
        f->is_bool = v->kind == SL_VALUE_BOOL;
        f->bool_value = strcmp(v->text, "true") == 0;
    }
    bool needs_value = s->op != SL_OP_IS_NULL && s->op != SL_OP_IS_NOT_NULL;
    if (needs_value && s->nvalues == 0) {
        sl_error_set(err, "22023", NULL, "FILTER %s needs a value", sl_filter_op_name(s->op));
        return false;
    }
    size_t n = s->op == SL_OP_LIKE ? s->values[0].len : 0, backslashes = 0;
    while (backslashes < n && s->values[0].text[n - 1 - backslashes] == '\\')
        backslashes++;
    if (backslashes % 2) {
        sl_error_set(err, "22023", "Write \\\\ for a backslash itself.",
                     "a LIKE pattern must not end with the escape character \\");
        return false;
    }
    return true;
}

static bool compile_extract(tstep *s, int ninto, sl_error *err, arena *setup)
{
    int rc = regcomp(&s->re, s->text, REG_EXTENDED);
    if (rc != 0) {
        char msg[256];
        regerror(rc, &s->re, msg, sizeof(msg));
        sl_error_set(err, "22023", "EXTRACT takes a POSIX extended regular expression.",
                     "invalid regular expression: %s", msg);
        return false;
    }
    s->has_re = true;
    if (s->re.re_nsub != (size_t)ninto) {
        sl_error_set(err, "22023", "Give INTO one column per capture group ( … ).",
                     "the regular expression has %zu capture group%s but INTO names %d column%s",
                     s->re.re_nsub, s->re.re_nsub == 1 ? "" : "s", ninto, ninto == 1 ? "" : "s");
        return false;
    }
    s->match = arena_alloc(setup, (s->re.re_nsub + 1) * sizeof(regmatch_t));
    return s->match || compile_oom(err);
}

/* What each kind needs beyond its column, checked. */
static bool compile_kind(transform *t, const sl_step *st, tstep *s, sl_error *err)
{
    bool ok = true;
    switch (st->kind) {
    case SL_STEP_CAST: {
        const char *format = copy_str(t, st->format, &ok);
        return (ok || compile_oom(err)) && cast_compile(st->type, format, &s->cast, err);
    }
    case SL_STEP_MASK:
        s->keep_last = st->keep_last > 0 ? (size_t)st->keep_last : 0;
        return true;
    case SL_STEP_SPLIT:
        if (!st->text[0]) {
            sl_error_set(err, "22023", NULL, "the SPLIT separator must not be empty");
            return false;
        }
        t->extra += (size_t)st->into.n;
        return copy_names(t, &st->into, s) || compile_oom(err);
    case SL_STEP_EXTRACT:
        t->extra += (size_t)st->into.n;
        return (copy_names(t, &st->into, s) || compile_oom(err)) &&
               compile_extract(s, st->into.n, err, &t->setup);
    case SL_STEP_FILTER:
        return compile_filter(t, st, s, err);
    case SL_STEP_DROP:
    case SL_STEP_KEEP:
    case SL_STEP_HASH:
        return copy_names(t, &st->columns, s) || compile_oom(err);
    default: /* RENAME, TRIM, LOWER, UPPER, NULLIF, DEFAULT, COMPUTE */
        return true;
    }
}

static bool compile_step(transform *t, const sl_step *st, tstep *s, sl_error *err)
{
    bool ok = true;
    s->kind = st->kind;
    s->column = copy_str(t, st->column, &ok);
    s->new_name = copy_str(t, st->new_name, &ok);
    s->text = copy_str(t, st->text, &ok);
    s->text_len = st->text ? strlen(st->text) : 0;
    if (!ok)
        return compile_oom(err);
    return compile_kind(t, st, s, err);
}

transform *transform_new(const sl_step *steps, int nsteps, const void *hash_salt, size_t salt_len,
                         sl_error *err)
{
    memset(err, 0, sizeof(*err));
    transform *t = calloc(1, sizeof(*t));
    if (!t) {
        compile_oom(err);
        return NULL;
    }
    t->steps = calloc((size_t)(nsteps > 0 ? nsteps : 0) + 1, sizeof(tstep));
    t->salt = malloc(salt_len + 1);
    t->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    t->md = EVP_MD_CTX_new();
    if (!t->steps || !t->salt || !t->sha256 || !t->md) {
        transform_free(t);
        compile_oom(err);
        return NULL;
    }
    if (salt_len)
        memcpy(t->salt, hash_salt, salt_len);
    t->salt_len = salt_len;
    for (; t->nsteps < nsteps; t->nsteps++) {
        if (!compile_step(t, &steps[t->nsteps], &t->steps[t->nsteps], err)) {
            err->position = steps[t->nsteps].position;
            t->nsteps++; /* so that its regex, if any, is freed */
            transform_free(t);
            return NULL;
        }
    }
    return t;
}

void transform_free(transform *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->nsteps; i++)
        if (t->steps[i].has_re)
            regfree(&t->steps[i].re);
    free(t->steps);
    free(t->salt);
    EVP_MD_free(t->sha256);
    EVP_MD_CTX_free(t->md);
    arena_free(&t->setup);
    arena_free(&t->row);
    free(t);
}

/* ---- the row ---- */

static long find(const row *r, const char *name)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->names[i], name) == 0)
            return (long)i;
    return -1;
}

static transform_result fail(transform_row_error *e, const char *column, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static transform_result fail(transform_row_error *e, const char *column, const char *fmt, ...)
{
    e->column = column;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
    va_end(ap);
    return TRANSFORM_ERROR;
}

static transform_result out_of_memory(transform_row_error *e, const char *column)
{
    e->out_of_memory = true;
    return fail(e, column, "out of memory");
}

/* The index of column name, or -1 with the error set. */
static long need(const row *r, const char *name, transform_row_error *e)
{
    long i = find(r, name);
    if (i < 0)
        fail(e, name, "column \"%.200s\" is not in the record", name);
    return i;
}

static void remove_at(row *r, size_t i)
{
    memmove(r->names + i, r->names + i + 1, (r->n - i - 1) * sizeof(*r->names));
    memmove(r->fields + i, r->fields + i + 1, (r->n - i - 1) * sizeof(*r->fields));
    r->n--;
}

/* name = v: replaced where it stands, or added at the end (the row has room: t->extra). */
static void set_column(row *r, const char *name, sl_field v)
{
    long i = find(r, name);
    if (i < 0) {
        i = (long)r->n++;
        r->names[i] = name;
    }
    r->fields[i] = v;
}

static bool listed(const tstep *s, const char *name)
{
    for (int k = 0; k < s->nnames; k++)
        if (strcmp(s->names[k], name) == 0)
            return true;
    return false;
}

static const sl_field null_field = {"", 0, true};

/* ---- steps that reshape the row ---- */

static transform_result step_rename(const tstep *s, row *r, transform_row_error *e)
{
    long i = need(r, s->column, e), j = find(r, s->new_name);
    if (i < 0)
        return TRANSFORM_ERROR;
    if (j >= 0 && j != i)
        return fail(e, s->column,
                    "cannot rename column \"%.200s\" to \"%.200s\": the record has that column "
                    "already",
                    s->column, s->new_name);
    r->names[i] = s->new_name;
    return TRANSFORM_OK;
}

static transform_result step_drop(const tstep *s, row *r)
{
    for (size_t i = r->n; i-- > 0;)
        if (listed(s, r->names[i]))
            remove_at(r, i);
    return TRANSFORM_OK;
}

static transform_result step_keep(const tstep *s, row *r, transform_row_error *e)
{
    for (int k = 0; k < s->nnames; k++)
        if (need(r, s->names[k], e) < 0)
            return TRANSFORM_ERROR;
    for (size_t i = r->n; i-- > 0;)
        if (!listed(s, r->names[i]))
            remove_at(r, i);
    return TRANSFORM_OK;
}

/* SPLIT: the parts of v at each separator, the last one taking the rest. */
static void split_parts(const tstep *s, sl_field v, sl_field *parts)
{
    size_t pos = 0;
    bool done = v.null;
    if (!v.data)
        v.data = "";
    for (int k = 0; k < s->nnames; k++) {
        if (done) {
            parts[k] = null_field;
            continue;
        }
        const char *sep =
            k + 1 < s->nnames ? memmem(v.data + pos, v.len - pos, s->text, s->text_len) : NULL;
        size_t end = sep ? (size_t)(sep - v.data) : v.len;
        parts[k] = (sl_field){v.data + pos, end - pos, false};
        pos = end + s->text_len;
        done = !sep;
    }
}

/* EXTRACT: the capture groups of the regex's first match in v. The value is matched in a
 * NUL-terminated copy (REG_STARTEND also lets a NUL byte in the value be matched). */
static transform_result extract_parts(const tstep *s, sl_field v, sl_field *parts, arena *a,
                                      transform_row_error *e)
{
    int rc = REG_NOMATCH;
    const char *data = "";
    if (!v.null) {
        if (!(data = arena_strndup(a, v.data ? v.data : "", v.len)))
            return out_of_memory(e, s->column);
        s->match[0] = (regmatch_t){.rm_so = 0, .rm_eo = (regoff_t)v.len};
        rc = regexec(&s->re, data, s->re.re_nsub + 1, s->match, REG_STARTEND);
    }
    if (rc != 0 && rc != REG_NOMATCH)
        return fail(e, s->column, "the regular expression could not be matched (regexec error %d)",
                    rc);
    for (int k = 0; k < s->nnames; k++) {
        const regmatch_t *m = &s->match[k + 1];
        parts[k] = rc == 0 && m->rm_so >= 0
                       ? (sl_field){data + m->rm_so, (size_t)(m->rm_eo - m->rm_so), false}
                       : null_field;
    }
    return TRANSFORM_OK;
}

static transform_result step_into(const tstep *s, row *r, transform_row_error *e)
{
    long i = need(r, s->column, e);
    if (i < 0)
        return TRANSFORM_ERROR;
    sl_field *parts = arena_alloc(r->a, (size_t)s->nnames * sizeof(sl_field));
    if (!parts)
        return out_of_memory(e, s->column);
    if (s->kind == SL_STEP_SPLIT)
        split_parts(s, r->fields[i], parts);
    else if (extract_parts(s, r->fields[i], parts, r->a, e) != TRANSFORM_OK)
        return TRANSFORM_ERROR;
    for (int k = 0; k < s->nnames; k++)
        set_column(r, s->names[k], parts[k]);
    return TRANSFORM_OK;
}

/* ---- steps on values ---- */

static bool is_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool char_starts(const char *p, size_t i)
{
    return i == 0 || ((unsigned char)p[i] & 0xC0) != 0x80;
}

static bool sha256_hex(transform *t, sl_field *v, arena *a)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    char *out = arena_alloc(a, 65);
    if (!out || !EVP_DigestInit_ex(t->md, t->sha256, NULL) ||
        !EVP_DigestUpdate(t->md, t->salt, t->salt_len) ||
        !EVP_DigestUpdate(t->md, v->data ? v->data : "", v->len) ||
        !EVP_DigestFinal_ex(t->md, md, &len) || len != 32)
        return false;
    for (unsigned int k = 0; k < len; k++) {
        out[2 * k] = hex[md[k] >> 4];
        out[2 * k + 1] = hex[md[k] & 15];
    }
    out[64] = '\0';
    *v = (sl_field){out, 64, false};
    return true;
}

static transform_result step_hash(transform *t, const tstep *s, row *r, transform_row_error *e)
{
    for (int k = 0; k < s->nnames; k++) {
        long i = need(r, s->names[k], e);
        if (i < 0)
            return TRANSFORM_ERROR;
        if (!r->fields[i].null && !sha256_hex(t, &r->fields[i], r->a))
            return out_of_memory(e, s->names[k]);
    }
    return TRANSFORM_OK;
}

/* MASK: '*' for each character but the last keep_last. */
static bool mask(const tstep *s, sl_field *v, arena *a)
{
    size_t chars = 0;
    for (size_t i = 0; i < v->len; i++)
        chars += char_starts(v->data, i);
    size_t masked = chars > s->keep_last ? chars - s->keep_last : 0, from = 0;
    for (size_t seen = 0; from < v->len; from++) /* the byte where the kept characters start */
        if (char_starts(v->data, from) && seen++ == masked)
            break;
    char *out = arena_alloc(a, masked + (v->len - from) + 1);
    if (!out)
        return false;
    memset(out, '*', masked);
    memcpy(out + masked, v->data + from, v->len - from);
    *v = (sl_field){out, masked + (v->len - from), false};
    return true;
}

static bool change_case(sl_step_kind kind, sl_field *v, arena *a)
{
    char *out = arena_alloc(a, v->len + 1);
    if (!out)
        return false;
    for (size_t i = 0; i < v->len; i++) {
        char c = v->data[i];
        if (kind == SL_STEP_LOWER && c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        else if (kind == SL_STEP_UPPER && c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        out[i] = c;
    }
    v->data = out;
    return true;
}

/* The steps that change one column's value, NULL aside (DEFAULT and NULLIF are about NULL). */
static transform_result step_value(const tstep *s, sl_field *v, arena *a, transform_row_error *e)
{
    bool ok = true, oom = false;
    switch (s->kind) {
    case SL_STEP_NULLIF:
        v->null = v->null || (v->len == s->text_len && memcmp(v->data, s->text, v->len) == 0);
        return TRANSFORM_OK;
    case SL_STEP_DEFAULT:
        if (v->null)
            *v = (sl_field){s->text, s->text_len, false};
        return TRANSFORM_OK;
    default:
        break;
    }
    if (v->null)
        return TRANSFORM_OK;
    switch (s->kind) {
    case SL_STEP_CAST:
        if (!cast_value(&s->cast, v->data, v->len, a, v, e->reason, sizeof(e->reason), &oom)) {
            e->column = s->column;
            e->out_of_memory = oom;
            return TRANSFORM_ERROR;
        }
        return TRANSFORM_OK;
    case SL_STEP_MASK:
        ok = mask(s, v, a);
        break;
    case SL_STEP_TRIM:
        while (v->len && is_space(v->data[0]))
            v->data++, v->len--;
        while (v->len && is_space(v->data[v->len - 1]))
            v->len--;
        break;
    default: /* LOWER, UPPER */
        ok = change_case(s->kind, v, a);
        break;
    }
    return ok ? TRANSFORM_OK : out_of_memory(e, s->column);
}

/* ---- FILTER ---- */

/* Bytes in the UTF-8 character at p[i] (at least 1, within n). */
static size_t char_len(const char *p, size_t i, size_t n)
{
    size_t k = i + 1;
    while (k < n && !char_starts(p, k))
        k++;
    return k - i;
}

/* LIKE: % any run of characters, _ one character, \ makes the next one literal. The classic
 * wildcard match: on a mismatch after a %, that % takes one more character and the match
 * resumes; linear in the text for each %. */
static bool like(const char *s, size_t n, const char *p, size_t m)
{
    size_t si = 0, pi = 0, star_p = SIZE_MAX, star_s = 0;
    while (si < n) {
        if (pi < m && p[pi] == '%') {
            star_p = ++pi;
            star_s = si;
            continue;
        }
        if (pi < m && p[pi] == '_') {
            si += char_len(s, si, n);
            pi++;
            continue;
        }
        size_t lit = pi + (pi + 1 < m && p[pi] == '\\'); /* the literal character's start */
        size_t len = lit < m ? char_len(p, lit, m) : 0;
        if (len && len <= n - si && memcmp(s + si, p + lit, len) == 0) {
            si += len;
            pi = lit + len;
            continue;
        }
        if (star_p == SIZE_MAX)
            return false;
        star_s += char_len(s, star_s, n);
        si = star_s;
        pi = star_p;
    }
    while (pi < m && p[pi] == '%')
        pi++;
    return pi == m;
}

/* <0, 0, >0: v against the FILTER value, as numbers, booleans or bytes (transform.h). */
static int compare(sl_field v, const filter_value *f)
{
    bool b;
    cast_decimal d;
    if (f->is_bool && cast_parse_bool(v.data, v.len, &b))
        return (int)b - (int)f->bool_value;
    if (f->is_number && cast_parse_decimal(v.data, v.len, &d))
        return cast_decimal_cmp(&d, &f->number);
    int c = memcmp(v.data, f->text, v.len < f->len ? v.len : f->len);
    return c ? c : (v.len > f->len) - (v.len < f->len);
}

static bool matches(const tstep *s, sl_field v)
{
    if (s->op == SL_OP_IS_NULL || s->op == SL_OP_IS_NOT_NULL)
        return v.null == (s->op == SL_OP_IS_NULL);
    if (v.null)
        return false; /* NULL compared with anything is unknown: not a match */
    if (!v.data)
        v.data = "";
    if (s->op == SL_OP_LIKE)
        return like(v.data, v.len, s->values[0].text, s->values[0].len);
    if (s->op == SL_OP_IN) {
        for (int k = 0; k < s->nvalues; k++)
            if (compare(v, &s->values[k]) == 0)
                return true;
        return false;
    }
    int c = compare(v, &s->values[0]);
    switch (s->op) {
    case SL_OP_EQ:
        return c == 0;
    case SL_OP_NE:
        return c != 0;
    case SL_OP_LT:
        return c < 0;
    case SL_OP_LE:
        return c <= 0;
    case SL_OP_GT:
        return c > 0;
    default: /* SL_OP_GE */
        return c >= 0;
    }
}

/* ---- applying ---- */

static transform_result apply_step(transform *t, const tstep *s, row *r, transform_row_error *e)
{
    long i;
    switch (s->kind) {
    case SL_STEP_COMPUTE:
        return TRANSFORM_OK; /* the warehouse's, in the merge */
    case SL_STEP_RENAME:
        return step_rename(s, r, e);
    case SL_STEP_DROP:
        return step_drop(s, r);
    case SL_STEP_KEEP:
        return step_keep(s, r, e);
    case SL_STEP_HASH:
        return step_hash(t, s, r, e);
    case SL_STEP_SPLIT:
    case SL_STEP_EXTRACT:
        return step_into(s, r, e);
    case SL_STEP_FILTER:
        if ((i = need(r, s->column, e)) < 0)
            return TRANSFORM_ERROR;
        return matches(s, r->fields[i]) ? TRANSFORM_OK : TRANSFORM_SKIP;
    default:
        if ((i = need(r, s->column, e)) < 0)
            return TRANSFORM_ERROR;
        return step_value(s, &r->fields[i], r->a, e);
    }
}

transform_result transform_apply(transform *t, const sl_record *in, sl_record *out,
                                 transform_row_error *e)
{
    *e = (transform_row_error){0};
    *out = (sl_record){.line = in->line, .offset = in->offset};
    arena_reset(&t->row);
    row r = {.n = in->nfields, .a = &t->row};
    size_t cap = in->nfields + t->extra + 1;
    if (cap > SIZE_MAX / sizeof(sl_field))
        return out_of_memory(e, NULL);
    r.names = arena_alloc(&t->row, cap * sizeof(char *));
    r.fields = arena_alloc(&t->row, cap * sizeof(sl_field));
    if (!r.names || !r.fields)
        return out_of_memory(e, NULL);
    if (in->nfields) {
        memcpy(r.names, in->names, in->nfields * sizeof(char *));
        memcpy(r.fields, in->fields, in->nfields * sizeof(sl_field));
    }
    for (int k = 0; k < t->nsteps; k++) {
        transform_result res = apply_step(t, &t->steps[k], &r, e);
        if (res != TRANSFORM_OK)
            return res;
    }
    out->names = r.names;
    out->fields = r.fields;
    out->nfields = r.n;
    return TRANSFORM_OK;
}
