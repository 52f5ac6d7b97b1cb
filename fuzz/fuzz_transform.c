/*
 * fuzz_transform.c — libFuzzer harness for the TRANSFORM steps: whatever records a source
 * yields, every step must give a row, a skip or an error row, never crash, leak or read out
 * of bounds. An error row always names a column and says why in clean UTF-8; a CAST's text
 * is canonical (cast again to the same type, it comes back unchanged); HASH gives 64 hex
 * digits and MASK as many characters as it got.
 *
 * The input is a record: fields separated by NUL bytes, each a byte choosing its name among
 * a few (so names go missing and repeat) and then its value; the value \N is NULL.
 */
#include "intercept.h" /* sl_error */
#include "parse.h"
#include "transform.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Each set of steps, and for a lone CAST the type its output must read back as unchanged. */
static const struct {
    const char *steps;
    const char *cast_again;
} step_sets[] = {
    {"RENAME a TO z", NULL},
    {"DROP a, b", NULL},
    {"KEEP c, a", NULL},
    {"CAST a AS integer", "integer"},
    {"CAST a AS smallint", "smallint"},
    {"CAST a AS bigint", "bigint"},
    {"CAST a AS numeric(10,2)", "numeric(10,2)"},
    {"CAST a AS numeric(3,5)", "numeric(3,5)"},
    {"CAST a AS numeric", "numeric"},
    {"CAST a AS double precision", "double precision"},
    {"CAST a AS real", "real"},
    {"CAST a AS boolean", "boolean"},
    {"CAST a AS date", "date"},
    {"CAST a AS date FORMAT 'DD/MM/YYYY'", "date"},
    {"CAST a AS date FORMAT 'epoch'", "date"},
    {"CAST a AS timestamp", "timestamp"},
    {"CAST a AS timestamp(2) FORMAT 'YYYY-MM-DD\"T\"HH24:MI:SS.US'", "timestamp(2)"},
    {"CAST a AS timestamp FORMAT 'MM/DD/YYYY HH12:MI AM'", "timestamp"},
    {"CAST a AS timestamptz", "timestamptz"},
    {"CAST a AS timestamptz(3) FORMAT 'epoch_ms'", "timestamptz(3)"},
    {"CAST a AS varchar(5)", "varchar(5)"},
    {"CAST a AS char(3)", "char(3)"},
    {"HASH a, b", NULL},
    {"MASK a KEEP LAST 3", NULL},
    {"TRIM a, LOWER a, UPPER b, NULLIF a '', DEFAULT b 'x'", NULL},
    {"SPLIT a ON ',' INTO (p, q, r)", NULL},
    {"SPLIT a ON 'ab' INTO (a, b)", NULL},
    {"EXTRACT a MATCHING '^([a-z]+)@([^.]*)[.]?(.*)$' INTO (u, d, t)", NULL},
    {"FILTER a > 10", NULL},
    {"FILTER a = b", NULL},
    {"FILTER a LIKE '%a_b%\\%c'", NULL},
    {"FILTER a IN ('x', 1.5, true)", NULL},
    {"FILTER a IS NOT NULL", NULL},
    {"RENAME a TO x, SPLIT x ON ' ' INTO (a, b), CAST b AS numeric(8,3), HASH a, FILTER b >= 0, "
     "MASK c KEEP LAST 2, EXTRACT c MATCHING '([0-9]+)' INTO (n), CAST n AS smallint, DROP x, "
     "COMPUTE y AS n + 1",
     NULL},
};

#define NSETS (sizeof(step_sets) / sizeof(step_sets[0]))

static transform *compile(const char *steps)
{
    char sql[1024];
    snprintf(sql, sizeof(sql), "CREATE PIPELINE p FROM FILES '/x' TRANSFORM (%s) INTO t", steps);
    sl_parse_result r = sl_parse(sql);
    if (r.error) {
        fprintf(stderr, "does not parse: %s: %s\n", sql, r.error->message);
        abort();
    }
    sl_error err;
    transform *t = transform_new(r.stmt->u.create_pipeline.steps, r.stmt->u.create_pipeline.n_steps,
                                 "salt", 4, &err);
    sl_parse_free(r);
    if (!t) {
        fprintf(stderr, "does not compile: %s: %s\n", steps, err.message);
        abort();
    }
    return t;
}

static bool valid_utf8(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    while (*u) {
        int n = *u < 0x80             ? 0
                : (*u & 0xE0) == 0xC0 ? 1
                : (*u & 0xF0) == 0xE0 ? 2
                : (*u & 0xF8) == 0xF0 ? 3
                                      : -1;
        if (n < 0)
            return false;
        for (u++; n > 0; n--, u++)
            if ((*u & 0xC0) != 0x80)
                return false;
    }
    return true;
}

static size_t chars(const char *p, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += i == 0 || ((unsigned char)p[i] & 0xC0) != 0x80;
    return c;
}

static const sl_field *field(const sl_record *r, const char *name)
{
    for (size_t i = 0; i < r->nfields; i++)
        if (strcmp(r->names[i], name) == 0)
            return &r->fields[i];
    return NULL;
}

/* What every row must be, and what each kind of step promises of its output. */
static void check_row(size_t set, const sl_record *in, const sl_record *out, transform *again)
{
    for (size_t i = 0; i < out->nfields; i++)
        if (!out->names[i] || (!out->fields[i].null && !out->fields[i].data && out->fields[i].len))
            abort();
    const sl_field *a = field(out, "a"), *a_in = field(in, "a");
    if (strncmp(step_sets[set].steps, "HASH", 4) == 0 && a && !a->null) {
        if (a->len != 64 || strspn(a->data, "0123456789abcdef") < 64)
            abort();
    }
    if (strncmp(step_sets[set].steps, "MASK", 4) == 0 && a && !a->null &&
        chars(a->data, a->len) != chars(a_in->data, a_in->len))
        abort();
    if (!again || !a || a->null)
        return;
    /* a CAST's output is canonical: cast again, it is the same text */
    const char *names[] = {"a"};
    sl_field copy = *a;
    char *text = malloc(copy.len + 1);
    memcpy(text, copy.data, copy.len);
    copy.data = text;
    sl_record rec = {names, &copy, 1, 0, 0};
    sl_record out2;
    transform_row_error e;
    if (transform_apply(again, &rec, &out2, &e) != TRANSFORM_OK || out2.fields[0].len != copy.len ||
        memcmp(out2.fields[0].data, text, copy.len) != 0) {
        fprintf(stderr, "%s: \"%.*s\" is not canonical: %s\n", step_sets[set].steps, (int)copy.len,
                text, e.reason);
        abort();
    }
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static transform *sets[NSETS], *again[NSETS];
    if (!sets[0])
        for (size_t i = 0; i < NSETS; i++) {
            sets[i] = compile(step_sets[i].steps);
            if (step_sets[i].cast_again) {
                char steps[128];
                snprintf(steps, sizeof(steps), "CAST a AS %s", step_sets[i].cast_again);
                again[i] = compile(steps);
            }
        }
    static const char *const pick[] = {"a", "b", "c", "x", "p", "a"};
    const char *names[16];
    sl_field fields[16];
    size_t n = 0;
    for (size_t at = 0; at < size && n < 16;) {
        const uint8_t *end = memchr(data + at, 0, size - at);
        size_t len = end ? (size_t)(end - (data + at)) : size - at;
        if (len > 0) {
            const char *v = (const char *)data + at + 1;
            names[n] = pick[data[at] % 6];
            fields[n++] = len == 3 && memcmp(v, "\\N", 2) == 0 ? (sl_field){NULL, 0, true}
                                                               : (sl_field){v, len - 1, false};
        }
        at += len + 1;
    }
    sl_record in = {names, fields, n, 1, 0};
    for (size_t i = 0; i < NSETS; i++) {
        sl_record out;
        transform_row_error e;
        switch (transform_apply(sets[i], &in, &out, &e)) {
        case TRANSFORM_OK:
            check_row(i, &in, &out, again[i]);
            break;
        case TRANSFORM_ERROR:
            if (!e.column || !e.reason[0] || !valid_utf8(e.reason) || e.out_of_memory)
                abort(); /* every error row says where and why, in text a table can hold */
            break;
        case TRANSFORM_SKIP:
            break;
        }
    }
    return 0;
}
