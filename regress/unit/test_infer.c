/*
 * test_infer.c — the type inferred for each kind of value, and how two types widen.
 * (regress/scenarios/infer_sound.c checks against PostgreSQL that every value inferred as a
 * type is accepted as that type.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "infer.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static infer_type of(const char *s)
{
    return infer_value(s, strlen(s));
}

static void values(void **state)
{
    (void)state;
    static const struct {
        const char *value;
        infer_type want;
    } cases[] = {
        {"true", INFER_BOOLEAN},
        {"FALSE", INFER_BOOLEAN},
        {"t", INFER_BOOLEAN},
        {"No", INFER_BOOLEAN},
        {"1", INFER_INTEGER},
        {"-2147483648", INFER_INTEGER},
        {"2147483648", INFER_BIGINT},
        {"+42", INFER_INTEGER},
        {"-9223372036854775808", INFER_BIGINT},
        {"9223372036854775808", INFER_NUMERIC},
        {"123456789012345678901234567890", INFER_NUMERIC},
        {"1.5", INFER_NUMERIC},
        {".5", INFER_NUMERIC},
        {"5.", INFER_NUMERIC},
        {"-2e3", INFER_NUMERIC},
        {"1E+10", INFER_NUMERIC},
        {"2026-11-22", INFER_DATE},
        {"2024-02-29", INFER_DATE},
        {"2023-02-29", INFER_TEXT},
        {"0000-01-01", INFER_TEXT},
        {"2026-13-01", INFER_TEXT},
        {"2026-11-22 10:30", INFER_TIMESTAMP},
        {"2026-11-22T10:30:59", INFER_TIMESTAMP},
        {"2026-11-22 10:30:59.123456", INFER_TIMESTAMP},
        {"2026-11-22T10:30:59Z", INFER_TIMESTAMPTZ},
        {"2026-11-22 10:30:59+01", INFER_TIMESTAMPTZ},
        {"2026-11-22 10:30:59.5-05:30", INFER_TIMESTAMPTZ},
        {"2026-11-22 10:30:59 +0100", INFER_TIMESTAMPTZ},
        {"2026-11-22 24:00:00", INFER_TEXT},
        {"2026-11-22 10:61", INFER_TEXT},
        {"2026-11-22 10:30:59+", INFER_TEXT},
        {"", INFER_TEXT},
        {"1,5", INFER_TEXT},
        {"1.2.3", INFER_TEXT},
        {"e5", INFER_TEXT},
        {"1e", INFER_TEXT},
        {"-", INFER_TEXT},
        {" 1", INFER_TEXT},
        {"NaN", INFER_TEXT},
        {"hello", INFER_TEXT},
    };
    for (size_t i = 0; i < N(cases); i++)
        if (of(cases[i].value) != cases[i].want)
            fail_msg("\"%s\": inferred %s, want %s", cases[i].value,
                     infer_type_name(of(cases[i].value)), infer_type_name(cases[i].want));
}

static void widening(void **state)
{
    (void)state;
    assert_int_equal(infer_widen(INFER_NONE, INFER_DATE), INFER_DATE);
    assert_int_equal(infer_widen(INFER_INTEGER, INFER_NONE), INFER_INTEGER);
    assert_int_equal(infer_widen(INFER_INTEGER, INFER_BIGINT), INFER_BIGINT);
    assert_int_equal(infer_widen(INFER_NUMERIC, INFER_INTEGER), INFER_NUMERIC);
    assert_int_equal(infer_widen(INFER_DATE, INFER_TIMESTAMP), INFER_TIMESTAMP);
    assert_int_equal(infer_widen(INFER_TIMESTAMPTZ, INFER_DATE), INFER_TIMESTAMPTZ);
    assert_int_equal(infer_widen(INFER_TIMESTAMP, INFER_TIMESTAMPTZ), INFER_TEXT);
    assert_int_equal(infer_widen(INFER_INTEGER, INFER_BOOLEAN), INFER_TEXT);
    assert_int_equal(infer_widen(INFER_DATE, INFER_INTEGER), INFER_TEXT);
    assert_int_equal(infer_widen(INFER_TEXT, INFER_INTEGER), INFER_TEXT);
    assert_string_equal(infer_type_name(INFER_NONE), "text");
    assert_string_equal(infer_type_name(INFER_TIMESTAMPTZ), "timestamptz");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(values),
        cmocka_unit_test(widening),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
