/*
 * test_catconn.c — the catalog's own connection (dialect redshift): a catalog that cannot
 * be reached fails a query with 08006, asynchronously or at once, and no message ever
 * quotes the conninfo's password.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <event2/event.h>
#include <stdio.h>
#include <string.h>

#include "catconn.h"
#include "log.h"

#define PASSWORD "Unit-Secr3t-Pw"

/* Nothing listens on port 1: connecting is refused. */
#define UNREACHABLE "host=127.0.0.1 port=1 dbname=catalog user=sluice password=" PASSWORD

typedef struct answer {
    bool called;
    sl_result r;
} answer;

static void keep_answer(void *arg, const sl_result *r)
{
    answer *a = arg;
    a->called = true;
    a->r.failed = r->failed;
    a->r.err = r->err;
}

static void an_unreachable_catalog_fails_with_08006(void **state)
{
    (void)state;
    assert_true(catconn_apart());
    struct event_base *base = event_base_new();
    catconn *c = catconn_new(base);
    assert_non_null(c);
    answer a = {0};
    sl_error err = {0};
    const sl_error *seen = &err;
    if (catconn_query(c, "SELECT 1", keep_answer, &a, &err)) {
        event_base_dispatch(base); /* runs until the connection gave up: no event is left */
        assert_true(a.called);
        assert_true(a.r.failed);
        seen = &a.r.err;
    } else {
        assert_false(a.called); /* failed at once: done is never called */
    }
    assert_string_equal(seen->sqlstate, "08006");
    assert_non_null(strstr(seen->message, "could not connect to sluice's catalog"));
    assert_null(strstr(seen->message, PASSWORD));
    catconn_free(c);
    event_base_free(base);
}

static void the_password_is_scrubbed_from_messages(void **state)
{
    (void)state;
    char msg[64] = "FATAL: password " PASSWORD " is wrong";
    catconn_scrub(msg, sizeof(msg));
    assert_string_equal(msg, "FATAL: password ******** is wrong");
    char twice[128] = PASSWORD "/" PASSWORD;
    catconn_scrub(twice, sizeof(twice));
    assert_string_equal(twice, "********/********");
    char none[32] = "nothing secret here";
    catconn_scrub(none, sizeof(none));
    assert_string_equal(none, "nothing secret here");
}

static void a_busy_connection_takes_no_second_query(void **state)
{
    (void)state;
    struct event_base *base = event_base_new();
    catconn *c = catconn_new(base);
    answer a = {0}, b = {0};
    sl_error err = {0};
    if (catconn_query(c, "SELECT 1", keep_answer, &a, &err)) {
        assert_false(catconn_query(c, "SELECT 2", keep_answer, &b, &err));
        assert_string_equal(err.sqlstate, "XX000");
        event_base_dispatch(base);
        assert_true(a.called);
    }
    assert_false(b.called);
    catconn_free(c);
    event_base_free(base);
}

static void freeing_abandons_the_query_under_way(void **state)
{
    (void)state;
    struct event_base *base = event_base_new();
    catconn *c = catconn_new(base);
    answer a = {0};
    sl_error err = {0};
    bool started = catconn_query(c, "SELECT 1", keep_answer, &a, &err);
    catconn_free(c);
    if (started)
        event_base_dispatch(base); /* nothing is left to wake: the query's events are gone */
    assert_false(a.called);
    event_base_free(base);
}

static int setup(void **state)
{
    (void)state;
    log_level = LOG_ERROR; /* the refused connections' warnings are expected */
    catconn_setup(UNREACHABLE);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_unreachable_catalog_fails_with_08006),
        cmocka_unit_test(the_password_is_scrubbed_from_messages),
        cmocka_unit_test(a_busy_connection_takes_no_second_query),
        cmocka_unit_test(freeing_abandons_the_query_under_way),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
