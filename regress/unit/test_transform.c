/*
 * test_transform.c — TRANSFORM steps as sluice applies them to records: steps parsed from real
 * CREATE PIPELINE statements, records made up column by column, and every row, skip or
 * error row (column and reason) checked exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intercept.h" /* sl_error */
#include "parse.h"
#include "transform.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ---- */

/* Stands for SQL NULL in the records and rows written out below. */
static const char SQL_NULL[] = "<NULL>";
static const char SALT[] = "pepper";

/* A record of up to 32 columns. */
typedef struct rec {
    const char *names[32];
    sl_field fields[32];
    sl_record r;
} rec;

static sl_field field_of(const char *v)
{
    return v == SQL_NULL ? (sl_field){NULL, 0, true} : (sl_field){v, strlen(v), false};
}

/* The record of name, value pairs, ending in NULL; line 7, offset 140. */
static const sl_record *make_rec(rec *k, ...)
{
    va_list ap;
    va_start(ap, k);
    size_t n = 0;
    for (const char *name; (name = va_arg(ap, const char *)) != NULL; n++) {
        k->names[n] = name;
        k->fields[n] = field_of(va_arg(ap, const char *));
    }
    va_end(ap);
    k->r = (sl_record){k->names, k->fields, n, 7, 140};
    return &k->r;
}

static char statement[8192];

/* CREATE PIPELINE … TRANSFORM (steps) …, as the tests parse it. */
static const char *pipeline_sql(const char *steps)
{
    snprintf(statement, sizeof(statement),
             "CREATE PIPELINE p FROM FILES '/in/*.csv' TRANSFORM (%s) INTO t", steps);
    return statement;
}

/* The transform of the steps as sl_parse reads them, salted with SALT. The statement is freed
 * before the transform is used: it keeps copies of what it needs. */
static transform *compile(const char *steps)
{
    sl_parse_result r = sl_parse(pipeline_sql(steps));
    if (r.error)
        fail_msg("\"%s\" did not parse: %s %s", statement, r.error->sqlstate, r.error->message);
    const sl_create_pipeline *c = &r.stmt->u.create_pipeline;
    sl_error err;
    transform *t = transform_new(c->steps, c->n_steps, SALT, strlen(SALT), &err);
    sl_parse_free(r);
    if (!t)
        fail_msg("\"%s\" did not compile: %s %s", steps, err.sqlstate, err.message);
    return t;
}

static const char *result_name(transform_result res)
{
    return res == TRANSFORM_OK ? "a row" : res == TRANSFORM_SKIP ? "SKIP" : "ERROR";
}

/* The row t makes of in: name, value pairs ending in NULL (SQL_NULL for NULL). */
static void assert_row(transform *t, const sl_record *in, ...)
{
    sl_record out;
    transform_row_error e;
    transform_result res = transform_apply(t, in, &out, &e);
    if (res != TRANSFORM_OK)
        fail_msg("expected a row, got %s: %s", result_name(res), e.reason);
    assert_int_equal(out.line, in->line);
    assert_int_equal(out.offset, in->offset);
    va_list ap;
    va_start(ap, in);
    size_t n = 0;
    for (const char *name; (name = va_arg(ap, const char *)) != NULL; n++) {
        const char *want = va_arg(ap, const char *);
        if (n >= out.nfields)
            fail_msg("the row has %zu columns, expected more: %s", out.nfields, name);
        assert_string_equal(out.names[n], name);
        const sl_field *f = &out.fields[n];
        if (want == SQL_NULL || f->null) {
            if (!(want == SQL_NULL && f->null))
                fail_msg("column %s: expected %s, got %s%.*s", name, want, f->null ? "NULL" : "",
                         f->null ? 0 : (int)f->len, f->data);
            continue;
        }
        if (f->len != strlen(want) || memcmp(f->data, want, f->len) != 0)
            fail_msg("column %s: expected \"%s\", got \"%.*s\"", name, want, (int)f->len, f->data);
    }
    va_end(ap);
    assert_int_equal(out.nfields, n);
}

static void assert_skip(transform *t, const sl_record *in)
{
    sl_record out;
    transform_row_error e;
    transform_result res = transform_apply(t, in, &out, &e);
    if (res != TRANSFORM_SKIP)
        fail_msg("expected SKIP, got %s %s", result_name(res), e.reason);
    assert_int_equal(out.nfields, 0);
}

static void assert_row_error(transform *t, const sl_record *in, const char *column,
                             const char *reason)
{
    sl_record out;
    transform_row_error e;
    transform_result res = transform_apply(t, in, &out, &e);
    if (res != TRANSFORM_ERROR)
        fail_msg("expected the error %s, got %s", reason, result_name(res));
    assert_string_equal(e.column, column);
    assert_string_equal(e.reason, reason);
    assert_false(e.out_of_memory);
    assert_int_equal(out.nfields, 0);
}

/* Steps on a one-column record v = value: v comes out as want. */
static void assert_value(const char *steps, const char *value, const char *want)
{
    transform *t = compile(steps);
    rec k;
    assert_row(t, make_rec(&k, "v", value, NULL), "v", want, NULL);
    transform_free(t);
}

/* Steps on a one-column record v = value: an error row at v, for this reason. */
static void assert_value_error(const char *steps, const char *value, const char *reason)
{
    transform *t = compile(steps);
    rec k;
    assert_row_error(t, make_rec(&k, "v", value, NULL), "v", reason);
    transform_free(t);
}

/* A table of values for one set of steps: what goes in, what comes out. */
typedef struct io {
    const char *in, *out;
} io;

static void assert_values(const char *steps, const io *cases, size_t n)
{
    for (size_t i = 0; i < n; i++)
        assert_value(steps, cases[i].in, cases[i].out);
}

static void assert_value_errors(const char *steps, const io *cases, size_t n)
{
    for (size_t i = 0; i < n; i++)
        assert_value_error(steps, cases[i].in, cases[i].out);
}

/* transform_new refuses the steps with this SQLSTATE and message, at the step starting at
 * the first `at` in the statement. */
static void assert_compile_error(const char *steps, const char *sqlstate, const char *message,
                                 const char *at)
{
    sl_parse_result r = sl_parse(pipeline_sql(steps));
    if (r.error)
        fail_msg("\"%s\" did not parse: %s", statement, r.error->message);
    const sl_create_pipeline *c = &r.stmt->u.create_pipeline;
    sl_error err;
    transform *t = transform_new(c->steps, c->n_steps, SALT, strlen(SALT), &err);
    if (t)
        fail_msg("\"%s\" compiled but should have failed with %s", steps, message);
    assert_string_equal(err.sqlstate, sqlstate);
    assert_string_equal(err.message, message);
    const char *p = strstr(statement, at);
    assert_non_null(p);
    assert_int_equal(err.position, (int)(p - statement) + 1);
    sl_parse_free(r);
}

/* ---- no steps, RENAME, DROP, KEEP ---- */

static void no_steps_pass_the_record_through(void **state)
{
    (void)state;
    sl_error err;
    transform *t = transform_new(NULL, 0, NULL, 0, &err);
    assert_non_null(t);
    rec k;
    assert_row(t, make_rec(&k, "a", "1", "b", SQL_NULL, NULL), "a", "1", "b", SQL_NULL, NULL);
    assert_row(t, make_rec(&k, NULL), NULL);
    transform_free(t);
    transform_free(NULL);
}

static void rename_changes_the_name_where_it_stands(void **state)
{
    (void)state;
    transform *t = compile("RENAME b TO beta");
    rec k;
    assert_row(t, make_rec(&k, "a", "1", "b", "2", "c", SQL_NULL, NULL), "a", "1", "beta", "2", "c",
               SQL_NULL, NULL);
    transform_free(t);
    /* to its own name: nothing changes */
    t = compile("RENAME a TO a");
    assert_row(t, make_rec(&k, "a", "1", NULL), "a", "1", NULL);
    transform_free(t);
}

static void rename_onto_a_column_the_record_has_is_an_error_row(void **state)
{
    (void)state;
    transform *t = compile("RENAME a TO b");
    rec k;
    assert_row_error(t, make_rec(&k, "a", "1", "b", "2", NULL), "a",
                     "cannot rename column \"a\" to \"b\": the record has that column already");
    transform_free(t);
}

static void steps_see_what_the_previous_steps_made(void **state)
{
    (void)state;
    transform *t = compile("RENAME dt TO order_date, CAST order_date AS date FORMAT 'DD/MM/YYYY', "
                           "RENAME order_date TO d, TRIM d");
    rec k;
    assert_row(t, make_rec(&k, "id", "1", "dt", "31/01/2026", NULL), "id", "1", "d", "2026-01-31",
               NULL);
    /* the old name is gone for the steps after */
    transform_free(t);
    t = compile("RENAME a TO b, UPPER a");
    assert_row_error(t, make_rec(&k, "a", "x", NULL), "a", "column \"a\" is not in the record");
    transform_free(t);
}

static void drop_removes_columns_and_ignores_ones_the_record_lacks(void **state)
{
    (void)state;
    transform *t = compile("DROP ssn, password, not_there");
    rec k;
    assert_row(t,
               make_rec(&k, "id", "1", "ssn", "078-05-1120", "name", "Ada", "password", "x", NULL),
               "id", "1", "name", "Ada", NULL);
    assert_row(t, make_rec(&k, "id", "2", NULL), "id", "2", NULL);
    /* a name the record holds twice is dropped twice: nothing of it is left */
    assert_row(t, make_rec(&k, "ssn", "1", "id", "3", "ssn", "2", NULL), "id", "3", NULL);
    /* dropping everything leaves an empty row */
    assert_row(t, make_rec(&k, "ssn", "1", NULL), NULL);
    transform_free(t);
}

static void keep_keeps_only_these_in_the_records_order(void **state)
{
    (void)state;
    transform *t = compile("KEEP c, a");
    rec k;
    assert_row(t, make_rec(&k, "a", "1", "b", "2", "c", SQL_NULL, "d", "4", NULL), "a", "1", "c",
               SQL_NULL, NULL);
    assert_row_error(t, make_rec(&k, "a", "1", "b", "2", NULL), "c",
                     "column \"c\" is not in the record");
    transform_free(t);
}

/* ---- CAST: numbers ---- */

static void cast_to_integers_checks_the_range_and_writes_plain_digits(void **state)
{
    (void)state;
    static const io ints[] = {
        {"42", "42"},
        {" 42 ", "42"},
        {"+7", "7"},
        {"007", "7"},
        {"-0", "0"},
        {"-15", "-15"},
        {"2147483647", "2147483647"},
        {"-2147483648", "-2147483648"},
        {"\t12\n", "12"},
    };
    assert_values("CAST v AS integer", ints, N(ints));
    assert_value("CAST v AS int4", "-2147483648", "-2147483648");
    assert_value("CAST v AS smallint", "-32768", "-32768");
    assert_value("CAST v AS int2", "32767", "32767");
    assert_value("CAST v AS bigint", "9223372036854775807", "9223372036854775807");
    assert_value("CAST v AS int8", "-9223372036854775808", "-9223372036854775808");
    assert_value("CAST v AS integer", SQL_NULL, SQL_NULL);

    static const io not_ints[] = {
        {"1.5", "value \"1.5\" is not an integer"},
        {"", "value \"\" is not an integer"},
        {"   ", "value \"   \" is not an integer"},
        {"12abc", "value \"12abc\" is not an integer"},
        {"-", "value \"-\" is not an integer"},
        {"--1", "value \"--1\" is not an integer"},
        {"1 2", "value \"1 2\" is not an integer"},
        {"0x1F", "value \"0x1F\" is not an integer"},
        {"2147483648", "value \"2147483648\" is out of range for type integer"},
        {"-2147483649", "value \"-2147483649\" is out of range for type integer"},
        {"99999999999999999999999999",
         "value \"99999999999999999999999999\" is out of range for type integer"},
    };
    assert_value_errors("CAST v AS integer", not_ints, N(not_ints));
    assert_value_error("CAST v AS int2", "32768",
                       "value \"32768\" is out of range for type smallint");
    assert_value_error("CAST v AS bigint", "9223372036854775808",
                       "value \"9223372036854775808\" is out of range for type bigint");
    assert_value_error("CAST v AS bigint", "-9223372036854775809",
                       "value \"-9223372036854775809\" is out of range for type bigint");
}

static void cast_to_numeric_rounds_half_away_from_zero_and_checks_precision(void **state)
{
    (void)state;
    /* what PostgreSQL makes of '…'::numeric(10,2) */
    static const io fixed[] = {
        {"3.14159", "3.14"},
        {"2.675", "2.68"},
        {"-2.675", "-2.68"},
        {"1", "1.00"},
        {"0.005", "0.01"},
        {"-0.004", "0.00"},
        {"1e3", "1000.00"},
        {" -12.5E-1 ", "-1.25"},
        {".5", "0.50"},
        {"5.", "5.00"},
        {"99999999.994", "99999999.99"},
        {"0001.999", "2.00"},
    };
    assert_values("CAST v AS numeric(10,2)", fixed, N(fixed));
    /* PostgreSQL refuses so large an exponent; here it is what it is, 0 */
    assert_value("CAST v AS numeric(10,2)", "1e-999999999", "0.00");
    static const io too_big[] = {
        {"99999999.995",
         "value \"99999999.995\" does not fit numeric(10,2): it must round to an absolute value "
         "less than 10^8"},
        {"-123456789",
         "value \"-123456789\" does not fit numeric(10,2): it must round to an absolute value "
         "less than 10^8"},
        {"1e999999999",
         "value \"1e999999999\" does not fit numeric(10,2): it must round to an absolute value "
         "less than 10^8"},
        {"abc", "value \"abc\" is not a number"},
        {"1.2.3", "value \"1.2.3\" is not a number"},
        {"1e", "value \"1e\" is not a number"},
        {"", "value \"\" is not a number"},
        {"NaN", "value \"NaN\" is not a finite number, which numeric requires"},
        {"-Infinity", "value \"-Infinity\" is not a finite number, which numeric requires"},
    };
    assert_value_errors("CAST v AS numeric(10,2)", too_big, N(too_big));
    /* numeric(p) has no fraction; decimal is numeric */
    assert_value("CAST v AS numeric(3)", "2.5", "3");
    assert_value("CAST v AS decimal(3)", "-2.5", "-3");
    assert_value_error("CAST v AS numeric(3)", "999.5",
                       "value \"999.5\" does not fit numeric(3,0): it must round to an absolute "
                       "value less than 10^3");
    /* a scale above the precision: only small values fit */
    assert_value("CAST v AS numeric(2,3)", "0.05", "0.050");
    assert_value_error("CAST v AS numeric(2,3)", "0.1",
                       "value \"0.1\" does not fit numeric(2,3): it must round to an absolute "
                       "value less than 10^-1");

    /* unconstrained: the scale as written, no rounding */
    static const io free[] = {
        {"00012.50", "12.50"},  {"1.5e-3", "0.0015"}, {"-0", "0"},      {"-0.00", "0.00"},
        {"12.345e1", "123.45"}, {"1E3", "1000"},      {"+.25", "0.25"}, {"-7", "-7"},
    };
    assert_values("CAST v AS numeric", free, N(free));
    assert_value_error("CAST v AS numeric", "1e999999",
                       "value \"1e999999\" is out of range for type numeric");
    assert_value_error("CAST v AS numeric", "1e-20000",
                       "value \"1e-20000\" is out of range for type numeric");
}

static void cast_to_numeric_takes_huge_values_exactly(void **state)
{
    (void)state;
    /* 999 digits before the point and 500 after: kept exactly */
    char in[1600], want[1600];
    memset(in, '9', 999);
    in[999] = '.';
    memset(in + 1000, '1', 500);
    in[1500] = '\0';
    assert_value("CAST v AS numeric", in, in);
    /* numeric(1000,1): 999 digits and one after the point */
    memcpy(want, in, 1001);
    want[1001] = '\0';
    assert_value("CAST v AS numeric(1000,1)", in, want);
    /* 999 nines and .95 carry into a 1000th digit before the point: too large */
    memcpy(in + 1000, "95", 3);
    transform *t = compile("CAST v AS numeric(1000,1)");
    rec k;
    sl_record out;
    transform_row_error e;
    assert_int_equal(transform_apply(t, make_rec(&k, "v", in, NULL), &out, &e), TRANSFORM_ERROR);
    assert_non_null(strstr(e.reason, "does not fit numeric(1000,1): it must round to an absolute "
                                     "value less than 10^999"));
    /* the value in a reason is cut after 64 characters */
    assert_int_equal(strncmp(e.reason, "value \"9999", 11), 0);
    assert_non_null(strstr(e.reason, "9999…\" does not fit"));
    transform_free(t);
    /* an exponent makes a value longer than its text: 1 and 9000 zeros */
    char *zeros = malloc(9002);
    assert_non_null(zeros);
    zeros[0] = '1';
    memset(zeros + 1, '0', 9000);
    zeros[9001] = '\0';
    assert_value("CAST v AS numeric", "1e9000", zeros);
    free(zeros);
}

static void cast_to_floats_writes_the_shortest_exact_text(void **state)
{
    (void)state;
    static const io doubles[] = {
        {"0.1", "0.1"},
        {"1e308", "1e+308"},
        {"-0", "-0"},
        {"inf", "Infinity"},
        {"-Infinity", "-Infinity"},
        {"NaN", "NaN"},
        {" 2.5 ", "2.5"},
        {"3.141592653589793238", "3.141592653589793"},
        {"100", "100"},
        {"4.9e-324", "5e-324"},
        {"1e15", "1e+15"},
        {"123456789012345", "123456789012345"},
        {"1e-5", "1e-05"},
        {"0.0001", "0.0001"},
        {"-1.25e2", "-125"},
    };
    assert_values("CAST v AS double precision", doubles, N(doubles));
    assert_value("CAST v AS float8", "1.5", "1.5");
    assert_value("CAST v AS float", "1.5", "1.5");
    assert_value("CAST v AS real", "3.14159265", "3.1415927");
    assert_value("CAST v AS real", "100000", "100000");
    assert_value("CAST v AS real", "1000000", "1e+06");
    assert_value("CAST v AS float4", "0.1", "0.1");
    assert_value("CAST v AS float(24)", "0.1", "0.1");
    assert_value_error("CAST v AS double precision", "1e309",
                       "value \"1e309\" is out of range for type double precision");
    assert_value_error("CAST v AS double precision", "1e-400",
                       "value \"1e-400\" is out of range for type double precision");
    assert_value_error("CAST v AS real", "1e39", "value \"1e39\" is out of range for type real");
    assert_value_error("CAST v AS real", "abc", "value \"abc\" is not a number");
    assert_value_error("CAST v AS double precision", "0x10", "value \"0x10\" is not a number");
}

static void cast_to_boolean_takes_postgresql_spellings(void **state)
{
    (void)state;
    static const io bools[] = {
        {"t", "t"},  {"true", "t"}, {"TRUE", "t"}, {" yes ", "t"}, {"on", "t"},
        {"1", "t"},  {"y", "t"},    {"tr", "t"},   {"f", "f"},     {"False", "f"},
        {"no", "f"}, {"off", "f"},  {"of", "f"},   {"0", "f"},     {"n", "f"},
    };
    assert_values("CAST v AS boolean", bools, N(bools));
    assert_value("CAST v AS bool", SQL_NULL, SQL_NULL);
    static const char *const not_bools[] = {"o", "maybe", "", "truex", "2", "yess"};
    for (size_t i = 0; i < N(not_bools); i++) {
        char reason[256];
        snprintf(reason, sizeof(reason),
                 "value \"%s\" is not a boolean (true/false, t/f, yes/no, on/off, 1/0)",
                 not_bools[i]);
        assert_value_error("CAST v AS boolean", not_bools[i], reason);
    }
}

/* ---- CAST: dates and times ---- */

static void cast_to_date_reads_iso_by_default(void **state)
{
    (void)state;
    static const io dates[] = {
        {"2026-02-28", "2026-02-28"},
        {"2024-02-29", "2024-02-29"},
        {"2026-2-3", "2026-02-03"},
        {" 2026-02-28 ", "2026-02-28"},
        {"2026-02-28T13:45:00Z", "2026-02-28"},
        {"2026-02-28 23:30:00-05", "2026-02-28"}, /* an offset is ignored, as PostgreSQL does */
        {"0001-01-01", "0001-01-01"},
        {"9999-12-31", "9999-12-31"},
    };
    assert_values("CAST v AS date", dates, N(dates));
    static const io bad[] = {
        {"2026-02-29", "value \"2026-02-29\" is not a date (expected YYYY-MM-DD, ISO 8601)"},
        {"1900-02-29", "value \"1900-02-29\" is not a date (expected YYYY-MM-DD, ISO 8601)"},
        {"28/02/2026", "value \"28/02/2026\" is not a date (expected YYYY-MM-DD, ISO 8601)"},
        {"2026-13-01", "value \"2026-13-01\" is not a date (expected YYYY-MM-DD, ISO 8601)"},
        {"2026-02-28x", "value \"2026-02-28x\" is not a date (expected YYYY-MM-DD, ISO 8601)"},
        {"", "value \"\" is not a date (expected YYYY-MM-DD, ISO 8601)"},
        {"0000-01-01", "value \"0000-01-01\" is out of range for type date (years 1 to 9999)"},
    };
    assert_value_errors("CAST v AS date", bad, N(bad));
}

static void cast_to_date_reads_a_format_of_fields(void **state)
{
    (void)state;
    static const io dmy[] = {
        {"31/01/2026", "2026-01-31"},
        {"1/2/2026", "2026-02-01"},
        {"29/02/2000", "2000-02-29"},
        {"31/12/9999", "9999-12-31"},
    };
    assert_values("CAST v AS date FORMAT 'DD/MM/YYYY'", dmy, N(dmy));
    static const io bad_dmy[] = {
        {"31/02/2026", "value \"31/02/2026\" is not a date in format DD/MM/YYYY"},
        {"29/02/1900", "value \"29/02/1900\" is not a date in format DD/MM/YYYY"},
        {"2026-01-31", "value \"2026-01-31\" is not a date in format DD/MM/YYYY"},
        {"31/01/2026 10:00", "value \"31/01/2026 10:00\" is not a date in format DD/MM/YYYY"},
        {"31/01/26", "value \"31/01/26\" is not a date in format DD/MM/YYYY"},
        {"00/01/2026", "value \"00/01/2026\" is not a date in format DD/MM/YYYY"},
        {"01/01/0000", "value \"01/01/0000\" is out of range for type date (years 1 to 9999)"},
    };
    assert_value_errors("CAST v AS date FORMAT 'DD/MM/YYYY'", bad_dmy, N(bad_dmy));
    assert_value("CAST v AS date FORMAT 'MM/DD/YYYY'", "02/28/2026", "2026-02-28");
    assert_value_error("CAST v AS date FORMAT 'MM/DD/YYYY'", "28/02/2026",
                       "value \"28/02/2026\" is not a date in format MM/DD/YYYY");
    assert_value("CAST v AS date FORMAT 'YYYYMMDD'", "20260228", "2026-02-28");
    assert_value("CAST v AS date FORMAT 'dd.mm.yyyy'", "28.02.2026", "2026-02-28");
    assert_value("CAST v AS date FORMAT 'YYYY-MM'", "2026-02", "2026-02-01");
    /* time fields may be there; a date keeps the day */
    assert_value("CAST v AS date FORMAT 'DD/MM/YYYY HH24:MI'", "28/02/2026 23:59", "2026-02-28");
}

static void cast_to_date_reads_epochs_in_utc(void **state)
{
    (void)state;
    /* python3: datetime.datetime.fromtimestamp(1700000000, datetime.timezone.utc) is
     * 2023-11-14 22:13:20+00:00 */
    static const io secs[] = {
        {"1700000000", "2023-11-14"},   {"0", "1970-01-01"},
        {"-1", "1969-12-31"},           {"1700000000.75", "2023-11-14"},
        {"-62135596800", "0001-01-01"},
    };
    assert_values("CAST v AS date FORMAT 'epoch'", secs, N(secs));
    assert_value("CAST v AS date FORMAT 'epoch_ms'", "1700000000123", "2023-11-14");
    assert_value_error("CAST v AS date FORMAT 'epoch'", "-62135596801",
                       "value \"-62135596801\" is out of range for type date (years 1 to 9999)");
    assert_value_error("CAST v AS date FORMAT 'epoch'", "1e9",
                       "value \"1e9\" is not a number of seconds since 1970 (FORMAT 'epoch')");
    assert_value_error("CAST v AS date FORMAT 'EPOCH_MS'", "soon",
                       "value \"soon\" is not a number of milliseconds since 1970 (FORMAT "
                       "'epoch_ms')");
    assert_value_error("CAST v AS date FORMAT 'epoch'", "99999999999999999999999",
                       "value \"99999999999999999999999\" is out of range for type date (years 1 "
                       "to 9999)");
}

static void cast_to_timestamp_writes_iso_with_the_fraction_it_has(void **state)
{
    (void)state;
    static const io ts[] = {
        {"2026-02-28 13:45:00", "2026-02-28 13:45:00"},
        {"2026-02-28T13:45", "2026-02-28 13:45:00"},
        {"2026-02-28", "2026-02-28 00:00:00"},
        {"2026-02-28 13:45:00.500", "2026-02-28 13:45:00.5"},
        {"2026-02-28 13:45:00.123456789", "2026-02-28 13:45:00.123457"},
        {"2026-02-28 13:45:00.9999996", "2026-02-28 13:45:01"},
        {"2026-02-28 13:45:00+02:00", "2026-02-28 13:45:00"}, /* the offset is ignored */
        {"2026-02-28   9:05:07", "2026-02-28 09:05:07"},
        {"9999-12-31 23:59:59.999999", "9999-12-31 23:59:59.999999"},
        /* as in PostgreSQL: the end of the day, and a leap second */
        {"2026-02-28 24:00:00", "2026-03-01 00:00:00"},
        {"2026-02-28 23:59:60.5", "2026-03-01 00:00:00.5"},
    };
    assert_values("CAST v AS timestamp", ts, N(ts));
    static const io bad[] = {
        {"2026-02-28 24:00:01",
         "value \"2026-02-28 24:00:01\" is not a timestamp (expected YYYY-MM-DD HH:MI:SS, ISO "
         "8601)"},
        {"2026-02-28 13:45.5", "value \"2026-02-28 13:45.5\" is not a timestamp (expected "
                               "YYYY-MM-DD HH:MI:SS, ISO 8601)"},
        {"2026-02-28 13:60", "value \"2026-02-28 13:60\" is not a timestamp (expected YYYY-MM-DD "
                             "HH:MI:SS, ISO 8601)"},
        {"2026-02-28 13:45:00 Europe/Paris",
         "value \"2026-02-28 13:45:00 Europe/Paris\" is not a timestamp (expected YYYY-MM-DD "
         "HH:MI:SS, ISO 8601)"},
        {"2026-02-2813:45", "value \"2026-02-2813:45\" is not a timestamp (expected YYYY-MM-DD "
                            "HH:MI:SS, ISO 8601)"},
        {"2026-02-28 13:45:00.", "value \"2026-02-28 13:45:00.\" is not a timestamp (expected "
                                 "YYYY-MM-DD HH:MI:SS, ISO 8601)"},
    };
    assert_value_errors("CAST v AS timestamp without time zone", bad, N(bad));
    /* timestamp(p) rounds to p digits, carrying into the next day when it must */
    assert_value("CAST v AS timestamp(0)", "2026-02-28 23:59:59.5", "2026-03-01 00:00:00");
    assert_value("CAST v AS timestamp(3)", "2026-02-28 13:45:00.1234", "2026-02-28 13:45:00.123");
    assert_value("CAST v AS timestamp(3)", "2026-02-28 13:45:00.1235", "2026-02-28 13:45:00.124");
    assert_value_error("CAST v AS timestamp(0)", "9999-12-31 23:59:59.5",
                       "value \"9999-12-31 23:59:59.5\" is out of range for type timestamp(0) "
                       "(years 1 to 9999)");
}

static void cast_to_timestamp_reads_formats_and_epochs(void **state)
{
    (void)state;
    assert_value("CAST v AS timestamp FORMAT 'DD/MM/YYYY HH24:MI:SS'", "28/02/2026 13:45:07",
                 "2026-02-28 13:45:07");
    static const io twelve[] = {
        {"02/28/2026 01:45 PM", "2026-02-28 13:45:00"},
        {"02/28/2026 12:05 am", "2026-02-28 00:05:00"},
        {"02/28/2026 12:05 PM", "2026-02-28 12:05:00"},
    };
    assert_values("CAST v AS timestamp FORMAT 'MM/DD/YYYY HH12:MI AM'", twelve, N(twelve));
    assert_value_error("CAST v AS timestamp FORMAT 'MM/DD/YYYY HH12:MI AM'", "02/28/2026 13:00 PM",
                       "value \"02/28/2026 13:00 PM\" is not a timestamp in format MM/DD/YYYY "
                       "HH12:MI AM");
    assert_value("CAST v AS timestamp FORMAT 'YYYY-MM-DD\"T\"HH24:MI:SS.US'",
                 "2026-02-28T13:45:07.25", "2026-02-28 13:45:07.25");
    assert_value("CAST v AS timestamp FORMAT 'YYYY-MM-DDTHH24:MI:SS.MS'", "2026-02-28T13:45:07.5",
                 "2026-02-28 13:45:07.5");
    assert_value("CAST v AS timestamp FORMAT 'epoch_ms'", "1700000000123",
                 "2023-11-14 22:13:20.123");
    assert_value("CAST v AS timestamp FORMAT 'epoch'", "1700000000.5", "2023-11-14 22:13:20.5");
    assert_value("CAST v AS timestamp FORMAT 'epoch'", "-0.5", "1969-12-31 23:59:59.5");
    assert_value_error("CAST v AS timestamp FORMAT 'epoch'", "99999999999999",
                       "value \"99999999999999\" is out of range for type timestamp (years 1 to "
                       "9999)");
}

static void cast_to_timestamptz_writes_the_instant_in_utc(void **state)
{
    (void)state;
    static const io tz[] = {
        {"2026-02-28 13:45:00+02", "2026-02-28 11:45:00+00"},
        {"2026-02-28T13:45:00Z", "2026-02-28 13:45:00+00"},
        {"2026-02-28 13:45:00", "2026-02-28 13:45:00+00"}, /* no offset: UTC */
        {"2026-02-28 00:30:00+05:30", "2026-02-27 19:00:00+00"},
        {"2026-02-28 23:00:00-0230", "2026-03-01 01:30:00+00"},
        {"2026-02-28 23:00:00 UTC", "2026-02-28 23:00:00+00"},
        {"2026-02-28 23:00:00.25 -01", "2026-03-01 00:00:00.25+00"},
    };
    assert_values("CAST v AS timestamptz", tz, N(tz));
    assert_value("CAST v AS timestamp with time zone", "2024-02-29 12:00:00+00",
                 "2024-02-29 12:00:00+00");
    assert_value("CAST v AS timestamptz FORMAT 'epoch'", "0", "1970-01-01 00:00:00+00");
    assert_value("CAST v AS timestamptz(0) FORMAT 'DD/MM/YYYY HH24:MI:SS.US'",
                 "28/02/2026 13:45:07.7", "2026-02-28 13:45:08+00");
    assert_value_error("CAST v AS timestamptz", "0001-01-01 00:30:00+01:00",
                       "value \"0001-01-01 00:30:00+01:00\" is out of range for type timestamptz "
                       "(years 1 to 9999)");
    assert_value_error("CAST v AS timestamptz", "2026-02-28 13:45:00+16",
                       "value \"2026-02-28 13:45:00+16\" is not a timestamp (expected YYYY-MM-DD "
                       "HH:MI:SS, ISO 8601)");
}

/* ---- CAST: text ---- */

static void cast_to_varchar_counts_characters_not_bytes(void **state)
{
    (void)state;
    assert_value("CAST v AS varchar(5)", "héllo", "héllo"); /* 5 characters, 6 bytes */
    assert_value("CAST v AS character varying(5)", "", "");
    assert_value("CAST v AS varchar(3)", "abc   ", "abc"); /* spaces beyond n are cut */
    assert_value("CAST v AS varchar(2)", "日本  ", "日本");
    assert_value_error("CAST v AS varchar(5)", "héllo!",
                       "value \"héllo!\" is too long for type varchar(5) (6 characters)");
    assert_value_error("CAST v AS varchar(3)", "ab c ",
                       "value \"ab c \" is too long for type varchar(3) (5 characters)");
    assert_value("CAST v AS varchar", "anything at all", "anything at all");
    assert_value("CAST v AS text", " kept as is ", " kept as is ");
    assert_value("CAST v AS char(2)", "ab", "ab");
    /* char without a length is char(1), as in PostgreSQL */
    assert_value_error("CAST v AS char", "ab",
                       "value \"ab\" is too long for type char(1) (2 "
                       "characters)");
    assert_value("CAST v AS character(3)", SQL_NULL, SQL_NULL);
}

static void a_reason_shows_the_value_cut_and_escaped(void **state)
{
    (void)state;
    assert_value_error("CAST v AS integer", "a\nb\tc\r",
                       "value \"a\\nb\\tc\\r\" is not an integer");
    assert_value_error("CAST v AS integer",
                       "\xff"
                       "1\x01",
                       "value \"\\xFF1\\x01\" is not an integer");
    assert_value_error("CAST v AS integer", "Zoë", "value \"Zoë\" is not an integer");
    char in[101];
    memset(in, 'x', 100);
    in[100] = '\0';
    char want[200];
    snprintf(want, sizeof(want), "value \"%.64s…\" is not an integer", in);
    assert_value_error("CAST v AS integer", in, want);
}

/* ---- HASH, MASK ---- */

/* Expected digests from python3: hashlib.sha256(b"pepper" + value).hexdigest() (and with
 * b"" for the salt where the transform has none). */
static void hash_is_the_hex_sha256_of_salt_and_value(void **state)
{
    (void)state;
    transform *t = compile("HASH email, phone");
    rec k;
    assert_row(t, make_rec(&k, "email", "alice@example.com", "phone", "42", "id", "1", NULL),
               "email", "8b8d9adc4875c0dca816e3e17b7ac87b45e40945b731fa02e3b42bf101589e21", "phone",
               "93ca73bec2907ec825519db1f7ee28cb033d71c83d14b76ef78b0c4e64566e6e", "id", "1", NULL);
    assert_row(t, make_rec(&k, "email", "", "phone", SQL_NULL, NULL), "email",
               "8cbbcf29d9cef89675c5f5c1dcfe827d0570416a5aaba30dd0de159661ad905b", "phone",
               SQL_NULL, NULL);
    assert_row(t, make_rec(&k, "email", "Zoë", "phone", "42", NULL), "email",
               "8e681c9710668b2a931510485a5853c6135c88771f19dbd6376ab47f6221dd84", "phone",
               "93ca73bec2907ec825519db1f7ee28cb033d71c83d14b76ef78b0c4e64566e6e", NULL);
    assert_row_error(t, make_rec(&k, "email", "a@b", NULL), "phone",
                     "column \"phone\" is not in the record");
    transform_free(t);

    /* without a salt: the digest of the value alone */
    sl_parse_result r = sl_parse(pipeline_sql("HASH email"));
    sl_error err;
    t = transform_new(r.stmt->u.create_pipeline.steps, 1, NULL, 0, &err);
    sl_parse_free(r);
    assert_row(t, make_rec(&k, "email", "alice@example.com", NULL), "email",
               "ff8d9819fc0e12bf0d24892e45987e249a28dce836a85cad60e28eaaa8c6d976", NULL);
    transform_free(t);
}

static void mask_stars_every_character_but_the_last_n(void **state)
{
    (void)state;
    static const io last4[] = {
        {"4111111111111111", "************1111"},
        {"Zoë Ångström", "********tröm"}, /* characters, not bytes */
        {"abc", "abc"},                   /* fewer characters than n: kept */
        {"abcd", "abcd"},
        {"", ""},
        {SQL_NULL, SQL_NULL},
    };
    assert_values("MASK v KEEP LAST 4", last4, N(last4));
    assert_value("MASK v", "héllo wörld", "***********");
    assert_value("MASK v KEEP LAST 0", "secret", "******");
    assert_value("MASK v KEEP LAST 1", "👍👍x", "**x");
    assert_value("MASK v KEEP LAST 2", "x👍👍", "*👍👍");
    /* a stray continuation byte counts as a character of its own */
    assert_value("MASK v KEEP LAST 1",
                 "\x80"
                 "ab",
                 "**b");
}

/* ---- TRIM, LOWER, UPPER, NULLIF, DEFAULT ---- */

static void trim_cuts_ascii_whitespace_at_both_ends(void **state)
{
    (void)state;
    static const io trims[] = {
        {" \t hello world \r\n\v\f", "hello world"},
        {"   ", ""},
        {"", ""},
        {"x", "x"},
        {"\xc2\xa0x\xc2\xa0", "\xc2\xa0x\xc2\xa0"}, /* a no-break space is not ASCII */
        {SQL_NULL, SQL_NULL},
    };
    assert_values("TRIM v", trims, N(trims));
}

static void lower_and_upper_change_ascii_letters_only(void **state)
{
    (void)state;
    assert_value("LOWER v", "HeLLo ÉCOLE 42", "hello École 42");
    assert_value("UPPER v", "café au lait", "CAFé AU LAIT");
    assert_value("UPPER v", "", "");
    assert_value("LOWER v", SQL_NULL, SQL_NULL);
}

static void nullif_and_default_turn_values_into_null_and_back(void **state)
{
    (void)state;
    static const io nullif[] = {
        {"n/a", SQL_NULL}, {"N/A", "N/A"}, {"", ""}, {"n/a ", "n/a "}, {SQL_NULL, SQL_NULL},
    };
    assert_values("NULLIF v 'n/a'", nullif, N(nullif));
    assert_value("NULLIF v ''", "", SQL_NULL);
    assert_value("NULLIF v 0", "0", SQL_NULL);
    assert_value("NULLIF v 0", "0.0", "0.0"); /* text, byte for byte */
    static const io dflt[] = {{SQL_NULL, "unknown"}, {"", ""}, {"x", "x"}};
    assert_values("DEFAULT v 'unknown'", dflt, N(dflt));
    /* an empty CSV field read as NULL, then made a number */
    assert_value("DEFAULT v '0', CAST v AS integer", SQL_NULL, "0");
}

/* ---- SPLIT, EXTRACT ---- */

static void split_fills_the_columns_and_the_last_takes_the_rest(void **state)
{
    (void)state;
    transform *t = compile("SPLIT name ON ' ' INTO (first, last)");
    rec k;
    assert_row(t, make_rec(&k, "id", "1", "name", "Ada Lovelace", NULL), "id", "1", "name",
               "Ada Lovelace", "first", "Ada", "last", "Lovelace", NULL);
    assert_row(t, make_rec(&k, "name", "Ada King Lovelace", NULL), "name", "Ada King Lovelace",
               "first", "Ada", "last", "King Lovelace", NULL);
    assert_row(t, make_rec(&k, "name", "Ada", NULL), "name", "Ada", "first", "Ada", "last",
               SQL_NULL, NULL);
    assert_row(t, make_rec(&k, "name", "", NULL), "name", "", "first", "", "last", SQL_NULL, NULL);
    assert_row(t, make_rec(&k, "name", "Ada ", NULL), "name", "Ada ", "first", "Ada", "last", "",
               NULL);
    assert_row(t, make_rec(&k, "name", SQL_NULL, NULL), "name", SQL_NULL, "first", SQL_NULL, "last",
               SQL_NULL, NULL);
    /* an INTO column the record has is replaced where it stands */
    assert_row(t, make_rec(&k, "last", "old", "name", "Grace Hopper", NULL), "last", "Hopper",
               "name", "Grace Hopper", "first", "Grace", NULL);
    transform_free(t);

    assert_value("SPLIT v ON '::' INTO (v)", "a::b::c", "a::b::c");
    t = compile("SPLIT v ON '::' INTO (x, y, z), DROP v");
    assert_row(t, make_rec(&k, "v", "a::b::c::d", NULL), "x", "a", "y", "b", "z", "c::d", NULL);
    assert_row(t, make_rec(&k, "v", "é::日本", NULL), "x", "é", "y", "日本", "z", SQL_NULL, NULL);
    transform_free(t);
    /* splitting a column into itself */
    t = compile("SPLIT v ON ',' INTO (v, w)");
    assert_row(t, make_rec(&k, "v", "1,2", NULL), "v", "1", "w", "2", NULL);
    transform_free(t);
}

static void extract_takes_the_capture_groups_or_nulls(void **state)
{
    (void)state;
    transform *t = compile("EXTRACT email MATCHING '^([^@]+)@(.+)$' INTO (user_name, domain)");
    rec k;
    assert_row(t, make_rec(&k, "email", "alice@example.com", NULL), "email", "alice@example.com",
               "user_name", "alice", "domain", "example.com", NULL);
    assert_row(t, make_rec(&k, "email", "zoë@exämple.fr", NULL), "email", "zoë@exämple.fr",
               "user_name", "zoë", "domain", "exämple.fr", NULL);
    assert_row(t, make_rec(&k, "email", "not an address", NULL), "email", "not an address",
               "user_name", SQL_NULL, "domain", SQL_NULL, NULL);
    assert_row(t, make_rec(&k, "email", "", NULL), "email", "", "user_name", SQL_NULL, "domain",
               SQL_NULL, NULL);
    assert_row(t, make_rec(&k, "email", SQL_NULL, NULL), "email", SQL_NULL, "user_name", SQL_NULL,
               "domain", SQL_NULL, NULL);
    transform_free(t);
    /* a group that took no part in the match is NULL; one that matched nothing is '' */
    t = compile("EXTRACT v MATCHING '^(a)?(b*)c$' INTO (x, y)");
    assert_row(t, make_rec(&k, "v", "c", NULL), "v", "c", "x", SQL_NULL, "y", "", NULL);
    assert_row(t, make_rec(&k, "v", "abbc", NULL), "v", "abbc", "x", "a", "y", "bb", NULL);
    transform_free(t);
    /* the first match, anywhere in the value */
    t = compile("EXTRACT v MATCHING '([0-9]+)' INTO (n)");
    assert_row(t, make_rec(&k, "v", "order 66 of 99", NULL), "v", "order 66 of 99", "n", "66",
               NULL);
    transform_free(t);
}

/* ---- FILTER ---- */

/* The values of v that the FILTER keeps (K) or skips (S). */
static void assert_filter(const char *steps, const char *const *kept, size_t nkept,
                          const char *const *skipped, size_t nskipped)
{
    transform *t = compile(steps);
    rec k;
    for (size_t i = 0; i < nkept; i++)
        assert_row(t, make_rec(&k, "v", kept[i], NULL), "v", kept[i], NULL);
    for (size_t i = 0; i < nskipped; i++)
        assert_skip(t, make_rec(&k, "v", skipped[i], NULL));
    transform_free(t);
}

#define FILTER_CASE(steps, kept, skipped) assert_filter(steps, kept, N(kept), skipped, N(skipped))

static void filter_compares_numbers_as_numbers(void **state)
{
    (void)state;
    static const char *const gt_kept[] = {"10", "9.5", " 10 ", "1e3", "abc"};
    static const char *const gt_skipped[] = {"9", "-100", "9.0", "09", "", SQL_NULL};
    FILTER_CASE("FILTER v > 9", gt_kept, gt_skipped);
    static const char *const eq_kept[] = {"1.50", "1.5", "15e-1", "+1.5"};
    static const char *const eq_skipped[] = {"1.51", "1.5x", SQL_NULL};
    FILTER_CASE("FILTER v = 1.5", eq_kept, eq_skipped);
    /* a number written as a string is still a number */
    FILTER_CASE("FILTER v = '1.5'", eq_kept, eq_skipped);
    static const char *const le_kept[] = {"-1", "0", "0.0", "-0"};
    static const char *const le_skipped[] = {"0.001", "1", SQL_NULL};
    FILTER_CASE("FILTER v <= 0", le_kept, le_skipped);
    /* beyond what a double holds exactly */
    static const char *const big_kept[] = {"9007199254740993"};
    static const char *const big_skipped[] = {"9007199254740992"};
    FILTER_CASE("FILTER v >= 9007199254740993", big_kept, big_skipped);
}

static void filter_compares_other_text_as_bytes(void **state)
{
    (void)state;
    static const char *const eq_kept[] = {"FR"};
    static const char *const eq_skipped[] = {"fr", "FR ", "", "FRA", SQL_NULL};
    FILTER_CASE("FILTER v = 'FR'", eq_kept, eq_skipped);
    static const char *const ne_kept[] = {"fr", "", "DE"};
    static const char *const ne_skipped[] = {"FR", SQL_NULL};
    FILTER_CASE("FILTER v <> 'FR'", ne_kept, ne_skipped);
    FILTER_CASE("FILTER v != 'FR'", ne_kept, ne_skipped);
    static const char *const lt_kept[] = {"2025-12-31", "2026-01-0"};
    static const char *const lt_skipped[] = {"2026-01-01", "2026-01-02", SQL_NULL};
    FILTER_CASE("FILTER v < '2026-01-01'", lt_kept, lt_skipped);
    static const char *const word_kept[] = {"active"};
    static const char *const word_skipped[] = {"Active"};
    FILTER_CASE("FILTER v = active", word_kept, word_skipped);
}

static void filter_compares_booleans_as_booleans(void **state)
{
    (void)state;
    static const char *const kept[] = {"t", "true", "yes", "1", "on", "TRUE"};
    static const char *const skipped[] = {"f", "no", "0", "maybe", "", SQL_NULL};
    FILTER_CASE("FILTER v = true", kept, skipped);
    static const char *const not_false[] = {"t", "maybe"};
    static const char *const is_false[] = {"false", "off", SQL_NULL};
    FILTER_CASE("FILTER v <> false", not_false, is_false);
}

static void filter_like_matches_characters_with_percent_and_underscore(void **state)
{
    (void)state;
    static const char *const a_e[] = {"Alice", "Ae", "Aeeee", "Aline Marie"};
    static const char *const not_a_e[] = {"alice", "Alicia", "A", "", SQL_NULL};
    FILTER_CASE("FILTER v LIKE 'A%e'", a_e, not_a_e);
    static const char *const zo_[] = {"Zoë", "Zoe", "Zo日"};
    static const char *const not_zo_[] = {"Zo", "Zoëy"};
    FILTER_CASE("FILTER v LIKE 'Zo_'", zo_, not_zo_);
    static const char *const pct[] = {"100%", "a 100%"};
    static const char *const not_pct[] = {"1000", "100"};
    FILTER_CASE("FILTER v LIKE '%100\\%'", pct, not_pct);
    static const char *const under[] = {"a_b"};
    static const char *const not_under[] = {"axb"};
    FILTER_CASE("FILTER v LIKE 'a\\_b'", under, not_under);
    static const char *const any[] = {"", "anything"};
    static const char *const none[] = {SQL_NULL};
    FILTER_CASE("FILTER v LIKE '%'", any, none);
    static const char *const scattered[] = {"xaxbxc", "abc", "aabbcc"};
    static const char *const unscattered[] = {"acb", "cba", "abcx"};
    FILTER_CASE("FILTER v LIKE '%a%b%c'", scattered, unscattered);
}

static void filter_in_and_is_null(void **state)
{
    (void)state;
    static const char *const in_kept[] = {"active", "trial"};
    static const char *const in_skipped[] = {"closed", "", SQL_NULL};
    FILTER_CASE("FILTER v IN ('active', 'trial')", in_kept, in_skipped);
    static const char *const num_kept[] = {"1", "01", "2.0"};
    static const char *const num_skipped[] = {"3", "1x"};
    FILTER_CASE("FILTER v IN (1, 2)", num_kept, num_skipped);
    static const char *const nulls[] = {SQL_NULL};
    static const char *const not_nulls[] = {"", "x"};
    FILTER_CASE("FILTER v IS NULL", nulls, not_nulls);
    FILTER_CASE("FILTER v IS NOT NULL", not_nulls, nulls);
}

static void a_skipped_row_stops_the_steps_after_the_filter(void **state)
{
    (void)state;
    /* the CAST would fail on "oops", but that row is filtered out first */
    transform *t = compile("FILTER kind = 'sale', CAST amount AS numeric(10,2)");
    rec k;
    assert_skip(t, make_rec(&k, "kind", "refund", "amount", "oops", NULL));
    assert_row(t, make_rec(&k, "kind", "sale", "amount", "12.5", NULL), "kind", "sale", "amount",
               "12.50", NULL);
    assert_row_error(t, make_rec(&k, "kind", "sale", "amount", "oops", NULL), "amount",
                     "value \"oops\" is not a number");
    transform_free(t);
    /* a FILTER after a CAST compares the canonical value */
    t = compile("CAST d AS date FORMAT 'DD/MM/YYYY', FILTER d >= '2026-01-01'");
    assert_row(t, make_rec(&k, "d", "05/01/2026", NULL), "d", "2026-01-05", NULL);
    assert_skip(t, make_rec(&k, "d", "31/12/2025", NULL));
    transform_free(t);
}

static void compute_is_left_to_the_warehouse(void **state)
{
    (void)state;
    transform *t = compile("COMPUTE total AS price * qty, UPPER c");
    rec k;
    assert_row(t, make_rec(&k, "price", "2", "qty", "3", "c", "x", NULL), "price", "2", "qty", "3",
               "c", "X", NULL);
    transform_free(t);
}

/* ---- columns the record lacks ---- */

static void every_step_but_drop_needs_its_column(void **state)
{
    (void)state;
    static const char *const steps[] = {
        "RENAME x TO y",
        "KEEP a, x",
        "CAST x AS integer",
        "HASH a, x",
        "MASK x KEEP LAST 2",
        "TRIM x",
        "LOWER x",
        "UPPER x",
        "NULLIF x ''",
        "DEFAULT x '0'",
        "SPLIT x ON ',' INTO (p, q)",
        "EXTRACT x MATCHING '(.)' INTO (p)",
        "FILTER x = 1",
        "FILTER x IS NULL",
    };
    rec k;
    for (size_t i = 0; i < N(steps); i++) {
        transform *t = compile(steps[i]);
        assert_row_error(t, make_rec(&k, "a", "1", "X", "2", NULL), "x",
                         "column \"x\" is not in the record");
        transform_free(t);
    }
    transform *t = compile("DROP x, COMPUTE x AS a + 1");
    assert_row(t, make_rec(&k, "a", "1", NULL), "a", "1", NULL);
    transform_free(t);
}

/* ---- what transform_new refuses ---- */

static void steps_that_cannot_run_are_refused_at_the_step(void **state)
{
    (void)state;
    assert_compile_error("TRIM a, CAST v AS json", "0A000",
                         "CAST in a TRANSFORM does not handle type json", "CAST v");
    assert_compile_error("CAST v AS int[]", "0A000",
                         "CAST in a TRANSFORM does not handle type int[]", "CAST v");
    assert_compile_error("CAST v AS \"Text\"", "0A000",
                         "CAST in a TRANSFORM does not handle type \"Text\"", "CAST v");
    assert_compile_error("CAST v AS integer FORMAT 'x'", "22023",
                         "FORMAT does not apply to type integer", "CAST v");
    assert_compile_error("CAST v AS date FORMAT 'DD-Mon-YYYY'", "22023",
                         "FORMAT 'DD-Mon-YYYY' has a letter that is not a field: the fields are "
                         "YYYY MM DD HH24 HH12 MI SS MS US AM PM; put other text in double quotes",
                         "CAST v");
    assert_compile_error("CAST v AS date FORMAT 'MM/DD'", "22023",
                         "FORMAT 'MM/DD' has no year (YYYY)", "CAST v");
    assert_compile_error("CAST v AS date FORMAT 'YYYY-MM-DD DD'", "22023",
                         "FORMAT 'YYYY-MM-DD DD' gives the same field twice", "CAST v");
    assert_compile_error("CAST v AS timestamp FORMAT 'YYYY HH24:MI AM'", "22023",
                         "FORMAT 'YYYY HH24:MI AM' has AM/PM without a 12-hour HH12", "CAST v");
    assert_compile_error("CAST v AS timestamp FORMAT 'YYYY \"T'", "22023",
                         "FORMAT 'YYYY \"T' has a '\"' that is not closed", "CAST v");
    assert_compile_error("CAST v AS numeric(0)", "22023",
                         "invalid precision or scale in type numeric(0)", "CAST v");
    assert_compile_error("CAST v AS numeric(1001,2)", "22023",
                         "invalid precision or scale in type numeric(1001,2)", "CAST v");
    assert_compile_error("CAST v AS integer(3)", "22023",
                         "a type modifier is not allowed for type integer(3)", "CAST v");
    assert_compile_error("CAST v AS varchar(0)", "22023", "invalid length in type varchar(0)",
                         "CAST v");
    assert_compile_error("CAST v AS float(54)", "22023", "invalid precision in type float(54)",
                         "CAST v");
    assert_compile_error("FILTER v LIKE 'abc\\'", "22023",
                         "a LIKE pattern must not end with the escape character \\", "FILTER");
}

/* Steps that the parser would refuse, as they might come from elsewhere: checked again. */
static void transform_new_checks_what_the_parser_checks(void **state)
{
    (void)state;
    char *into[] = {"p"};
    sl_step split = {
        .kind = SL_STEP_SPLIT, .position = 3, .column = "v", .text = "", .into = {into, 1}};
    sl_step extract = {
        .kind = SL_STEP_EXTRACT, .position = 5, .column = "v", .text = "(a)(b)", .into = {into, 1}};
    sl_step bad_re = {
        .kind = SL_STEP_EXTRACT, .position = 7, .column = "v", .text = "(a", .into = {into, 1}};
    sl_step filter = {.kind = SL_STEP_FILTER, .position = 9, .column = "v", .op = SL_OP_EQ};
    sl_error err;
    assert_null(transform_new(&split, 1, NULL, 0, &err));
    assert_string_equal(err.sqlstate, "22023");
    assert_string_equal(err.message, "the SPLIT separator must not be empty");
    assert_int_equal(err.position, 3);
    assert_null(transform_new(&extract, 1, NULL, 0, &err));
    assert_string_equal(err.message,
                        "the regular expression has 2 capture groups but INTO names 1 column");
    assert_int_equal(err.position, 5);
    assert_null(transform_new(&bad_re, 1, NULL, 0, &err));
    assert_int_equal(strncmp(err.message, "invalid regular expression: ", 28), 0);
    assert_int_equal(err.position, 7);
    assert_null(transform_new(&filter, 1, NULL, 0, &err));
    assert_string_equal(err.message, "FILTER = needs a value");
    assert_int_equal(err.position, 9);
}

/* ---- many rows ---- */

static void the_arena_is_reused_row_after_row(void **state)
{
    (void)state;
    transform *t = compile("TRIM name, SPLIT name ON ' ' INTO (first, last), "
                           "EXTRACT email MATCHING '@(.*)$' INTO (domain), HASH email, "
                           "MASK card KEEP LAST 4, CAST amount AS numeric(12,2), "
                           "CAST at AS timestamptz FORMAT 'epoch_ms', UPPER first, DROP email, "
                           "FILTER amount >= 10");
    rec k;
    sl_record out;
    transform_row_error e;
    const void *names_before = NULL;
    char amount[32], at[32], big_name[4096];
    long kept = 0, skipped = 0, errors = 0;
    for (int i = 0; i < 200000; i++) {
        snprintf(amount, sizeof(amount), i % 1000 == 999 ? "bad%d" : "%d.%03d", i % 50, i % 1000);
        snprintf(at, sizeof(at), "%lld", 1700000000000LL + i);
        const char *name = "  Ada Lovelace ";
        if (i % 10000 == 0) { /* now and then a long value, larger than the arena's chunks */
            memset(big_name, 'a', sizeof(big_name) - 1);
            big_name[sizeof(big_name) - 1] = '\0';
            name = big_name;
        }
        make_rec(&k, "name", name, "email", "ada@example.com", "card", "4111111111111111", "amount",
                 amount, "at", at, NULL);
        transform_result res = transform_apply(t, &k.r, &out, &e);
        if (res == TRANSFORM_ERROR) {
            assert_string_equal(e.column, "amount");
            assert_non_null(strstr(e.reason, "is not a number"));
            errors++;
            continue;
        }
        if (res == TRANSFORM_SKIP) {
            skipped++;
            continue;
        }
        kept++;
        /* name, card, amount, at, first, last, domain (email dropped) */
        assert_int_equal(out.nfields, 7);
        assert_string_equal(out.names[6], "domain");
        assert_memory_equal(out.fields[6].data, "example.com", 11);
        assert_memory_equal(out.fields[1].data, "************1111", 16);
        if (name != big_name)
            assert_memory_equal(out.fields[4].data, "ADA", 3);
        assert_memory_equal(out.fields[3].data, "2023-11-14 22:1", 15);
        assert_memory_equal(out.fields[3].data + out.fields[3].len - 3, "+00", 3);
        /* rows of one shape land in the same memory: the arena is reused, not grown */
        if (name != big_name && names_before)
            assert_ptr_equal(out.names, names_before);
        if (name != big_name)
            names_before = out.names;
    }
    assert_int_equal(kept + skipped + errors, 200000);
    assert_int_equal(errors, 200);
    assert_true(kept > 0 && skipped > 0);
    transform_free(t);
}

static void a_huge_value_goes_through_every_step(void **state)
{
    (void)state;
    size_t n = 8u << 20; /* 8 MB of text, multibyte: "é" × 4M */
    char *big = malloc(n + 1);
    assert_non_null(big);
    for (size_t i = 0; i < n; i += 2)
        memcpy(big + i, "é", 2);
    big[n] = '\0';
    transform *t = compile("TRIM v, UPPER v, MASK v KEEP LAST 1, HASH w, SPLIT x ON 'é' INTO (a, "
                           "b), FILTER v LIKE '%é'");
    rec k;
    sl_record out;
    transform_row_error e;
    make_rec(&k, "v", big, "w", big, "x", big, NULL);
    for (int round = 0; round < 3; round++) {
        assert_int_equal(transform_apply(t, &k.r, &out, &e), TRANSFORM_OK);
        assert_int_equal(out.fields[0].len, n / 2 - 1 + 2); /* '*' per character, one kept */
        assert_int_equal(out.fields[1].len, 64);
        assert_int_equal(out.fields[3].len, 0);     /* a = '' before the first é */
        assert_int_equal(out.fields[4].len, n - 2); /* b = the rest, unsplit */
    }
    transform_free(t);
    free(big);
}

/* ---- steps from a real statement ---- */

static void a_pipeline_statement_drives_the_transform(void **state)
{
    (void)state;
    const char *sql = "CREATE PIPELINE signups FROM S3 'signups/2026/' CONNECTION lake FORMAT CSV "
                      "TRANSFORM ("
                      "  RENAME \"E-Mail\" TO email,"
                      "  TRIM email, LOWER email,"
                      "  EXTRACT email MATCHING '@(.+)$' INTO (email_domain),"
                      "  HASH email,"
                      "  MASK phone KEEP LAST 2,"
                      "  NULLIF country '',"
                      "  DEFAULT country 'unknown',"
                      "  SPLIT full_name ON ' ' INTO (first_name, last_name),"
                      "  DROP full_name, ssn,"
                      "  CAST signed_up AS date FORMAT 'DD/MM/YYYY',"
                      "  CAST plan_price AS numeric(8,2),"
                      "  CAST newsletter AS boolean,"
                      "  FILTER plan IN ('pro', 'team'),"
                      "  COMPUTE price_with_tax AS plan_price * 1.2"
                      ") INTO raw.signups WITH (mode = append)";
    sl_parse_result r = sl_parse(sql);
    assert_null(r.error);
    const sl_create_pipeline *c = &r.stmt->u.create_pipeline;
    assert_int_equal(c->n_steps, 15);
    sl_error err;
    transform *t = transform_new(c->steps, c->n_steps, SALT, strlen(SALT), &err);
    sl_parse_free(r);
    assert_non_null(t);
    rec k;
    /* python3: hashlib.sha256(b"pepper" + b"alice@example.com").hexdigest() */
    assert_row(t,
               make_rec(&k, "E-Mail", "  Alice@Example.COM ", "phone", "+33 6 12 34 56 78",
                        "country", "", "full_name", "Alice Martin", "ssn", "1 84 12 75 123 456",
                        "signed_up", "03/02/2026", "plan_price", "19.999", "newsletter", "yes",
                        "plan", "pro", NULL),
               "email", "8b8d9adc4875c0dca816e3e17b7ac87b45e40945b731fa02e3b42bf101589e21", "phone",
               "***************78", "country", "unknown", "signed_up", "2026-02-03", "plan_price",
               "20.00", "newsletter", "t", "plan", "pro", "email_domain", "example.com",
               "first_name", "Alice", "last_name", "Martin", NULL);
    assert_skip(t, make_rec(&k, "E-Mail", "bob@example.com", "phone", "0", "country", "DE",
                            "full_name", "Bob", "signed_up", "01/01/2026", "plan_price", "0",
                            "newsletter", "no", "plan", "free", NULL));
    assert_row_error(t,
                     make_rec(&k, "E-Mail", "eve@example.com", "phone", "0", "country", "FR",
                              "full_name", "Eve", "signed_up", "31/02/2026", "plan_price", "1",
                              "newsletter", "no", "plan", "pro", NULL),
                     "signed_up", "value \"31/02/2026\" is not a date in format DD/MM/YYYY");
    transform_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_steps_pass_the_record_through),
        cmocka_unit_test(rename_changes_the_name_where_it_stands),
        cmocka_unit_test(rename_onto_a_column_the_record_has_is_an_error_row),
        cmocka_unit_test(steps_see_what_the_previous_steps_made),
        cmocka_unit_test(drop_removes_columns_and_ignores_ones_the_record_lacks),
        cmocka_unit_test(keep_keeps_only_these_in_the_records_order),
        cmocka_unit_test(cast_to_integers_checks_the_range_and_writes_plain_digits),
        cmocka_unit_test(cast_to_numeric_rounds_half_away_from_zero_and_checks_precision),
        cmocka_unit_test(cast_to_numeric_takes_huge_values_exactly),
        cmocka_unit_test(cast_to_floats_writes_the_shortest_exact_text),
        cmocka_unit_test(cast_to_boolean_takes_postgresql_spellings),
        cmocka_unit_test(cast_to_date_reads_iso_by_default),
        cmocka_unit_test(cast_to_date_reads_a_format_of_fields),
        cmocka_unit_test(cast_to_date_reads_epochs_in_utc),
        cmocka_unit_test(cast_to_timestamp_writes_iso_with_the_fraction_it_has),
        cmocka_unit_test(cast_to_timestamp_reads_formats_and_epochs),
        cmocka_unit_test(cast_to_timestamptz_writes_the_instant_in_utc),
        cmocka_unit_test(cast_to_varchar_counts_characters_not_bytes),
        cmocka_unit_test(a_reason_shows_the_value_cut_and_escaped),
        cmocka_unit_test(hash_is_the_hex_sha256_of_salt_and_value),
        cmocka_unit_test(mask_stars_every_character_but_the_last_n),
        cmocka_unit_test(trim_cuts_ascii_whitespace_at_both_ends),
        cmocka_unit_test(lower_and_upper_change_ascii_letters_only),
        cmocka_unit_test(nullif_and_default_turn_values_into_null_and_back),
        cmocka_unit_test(split_fills_the_columns_and_the_last_takes_the_rest),
        cmocka_unit_test(extract_takes_the_capture_groups_or_nulls),
        cmocka_unit_test(filter_compares_numbers_as_numbers),
        cmocka_unit_test(filter_compares_other_text_as_bytes),
        cmocka_unit_test(filter_compares_booleans_as_booleans),
        cmocka_unit_test(filter_like_matches_characters_with_percent_and_underscore),
        cmocka_unit_test(filter_in_and_is_null),
        cmocka_unit_test(a_skipped_row_stops_the_steps_after_the_filter),
        cmocka_unit_test(compute_is_left_to_the_warehouse),
        cmocka_unit_test(every_step_but_drop_needs_its_column),
        cmocka_unit_test(steps_that_cannot_run_are_refused_at_the_step),
        cmocka_unit_test(transform_new_checks_what_the_parser_checks),
        cmocka_unit_test(the_arena_is_reused_row_after_row),
        cmocka_unit_test(a_huge_value_goes_through_every_step),
        cmocka_unit_test(a_pipeline_statement_drives_the_transform),
    };
    return cmocka_run_group_tests(tests, 0, NULL);
}
