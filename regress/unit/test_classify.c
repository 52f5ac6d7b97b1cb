/*
 * test_classify.c — which statements sluice answers itself, and how a Query splits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "classify.h"

static sl_stmt_kind kind_of(const char *sql)
{
    return classify_statement(sql, strlen(sql));
}

static void ordinary_sql_is_not_ours(void **state)
{
    (void)state;
    const char *relayed[] = {
        "SELECT 1",
        "select * from pipeline",
        "SHOW search_path",
        "SHOW ALL",
        "CREATE TABLE pipeline (id int)",
        "CREATE MATERIALIZED VIEW m AS SELECT 1",
        "DROP TABLE model",
        "START TRANSACTION",
        "REFRESH MATERIALIZED VIEW m",
        "ALTER TABLE t ADD COLUMN pipeline int",
        "EXPLAIN SELECT 1",
        "EXPLAIN (ANALYZE, COSTS OFF) SELECT 1",
        "SHOW \"sluice\".version", /* a quoted identifier is PostgreSQL's business */
        "CREATE \"pipeline\" x",
        "",
        "   ",
        "-- only a comment",
        "SHOWsluice.version",
    };
    for (size_t i = 0; i < sizeof(relayed) / sizeof(relayed[0]); i++) {
        if (kind_of(relayed[i]) != SL_STMT_NONE)
            fail_msg("\"%s\" was taken for a sluice statement", relayed[i]);
    }
}

static void sluice_statements_are_recognized(void **state)
{
    (void)state;
    assert_int_equal(kind_of("SHOW sluice.version"), SL_STMT_SHOW_SLUICE);
    assert_int_equal(kind_of("show SLUICE . version"), SL_STMT_SHOW_SLUICE);
    assert_int_equal(kind_of("  /* a /* nested */ comment */ -- and a line\n SHOW sluice.version;"),
                     SL_STMT_SHOW_SLUICE);
    /* a -- comment ends at a carriage return too, as in PostgreSQL's scanner */
    assert_int_equal(kind_of("-- old Mac line end\rRUN PIPELINE p"), SL_STMT_RUN_PIPELINE);
    assert_int_equal(kind_of("CREATE PIPELINE p FROM FILES '/x' INTO t"), SL_STMT_CREATE_PIPELINE);
    assert_int_equal(kind_of("create model m as select 1"), SL_STMT_CREATE_MODEL);
    assert_int_equal(kind_of("CREATE CONNECTION c TYPE s3"), SL_STMT_CREATE_CONNECTION);
    assert_int_equal(kind_of("DROP PIPELINE IF EXISTS p"), SL_STMT_DROP_PIPELINE);
    assert_int_equal(kind_of("START PIPELINE p"), SL_STMT_START_PIPELINE);
    assert_int_equal(kind_of("STOP PIPELINE p"), SL_STMT_STOP_PIPELINE);
    assert_int_equal(kind_of("RUN PIPELINE p"), SL_STMT_RUN_PIPELINE);
    assert_int_equal(kind_of("REFRESH MODEL m FULL"), SL_STMT_REFRESH_MODEL);
    assert_int_equal(kind_of("REPLAY PIPELINE p ERRORS"), SL_STMT_REPLAY_PIPELINE);
    assert_int_equal(kind_of("SHOW PIPELINES"), SL_STMT_SHOW_PIPELINES);
    assert_int_equal(kind_of("SHOW CREATE MODEL m"), SL_STMT_SHOW_CREATE);
    assert_int_equal(kind_of("SHARE TABLE s.t WITH c"), SL_STMT_SHARE);
    assert_int_equal(kind_of("UNSHARE SCHEMA s FROM c"), SL_STMT_UNSHARE);
    assert_int_equal(kind_of("EXPLAIN CREATE PIPELINE p FROM FILES '/x' INTO t"), SL_STMT_EXPLAIN);
    assert_int_equal(kind_of("EXPLAIN (DIALECT redshift) REFRESH MODEL m"), SL_STMT_EXPLAIN);
    assert_string_equal(classify_label(SL_STMT_REPLAY_PIPELINE), "REPLAY PIPELINE");
}

static void later_statements_are_prescreened(void **state)
{
    (void)state;
    const char *a = "SELECT 1; SHOW sluice.version";
    assert_true(classify_has_later_ours(a, strlen(a)));
    const char *b = "SELECT 1; /* c */ -- d\n show sluice.version";
    assert_true(classify_has_later_ours(b, strlen(b)));
    const char *c = "SELECT abalance FROM pgbench_accounts WHERE aid = 1;";
    assert_false(classify_has_later_ours(c, strlen(c)));
    const char *d = "SELECT 1; SELECT 2;";
    assert_false(classify_has_later_ours(d, strlen(d)));
    /* inside a string: a false positive is allowed here, split_statements settles it */
    const char *e = "SELECT '; SHOW sluice.version'";
    assert_true(classify_has_later_ours(e, strlen(e)));
}

static void split_respects_strings_comments_and_bodies(void **state)
{
    (void)state;
    const char *sql = "SELECT ';' AS a; SHOW sluice.version ;"
                      "SELECT $$x;y$$ /* ; */; -- ;\n"
                      "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; "
                      "SELECT CASE WHEN true THEN 2 END; END;"
                      "CREATE RULE r AS ON INSERT TO t DO ALSO (SELECT 1; SELECT 2);;";
    sl_split_result r = split_statements(sql);
    assert_null(r.error);
    assert_int_equal(r.n_stmts, 5);
    assert_int_equal(r.stmts[0].kind, SL_STMT_NONE);
    assert_int_equal(r.stmts[1].kind, SL_STMT_SHOW_SLUICE);
    assert_memory_equal(sql + r.stmts[1].offset, " SHOW sluice.version ", r.stmts[1].len);
    assert_memory_equal(sql + r.stmts[2].offset, "SELECT $$x;y$$ /* ; */", r.stmts[2].len);
    assert_true(strncmp(sql + r.stmts[3].offset, " -- ;\nCREATE FUNCTION", 20) == 0);
    assert_true(memcmp(sql + r.stmts[3].offset + r.stmts[3].len - 4, " END", 4) == 0);
    assert_true(strncmp(sql + r.stmts[4].offset, "CREATE RULE", 11) == 0);
    split_free(r);
}

static void split_reports_what_does_not_tokenize(void **state)
{
    (void)state;
    sl_split_result r = split_statements("SELECT 'unterminated; SHOW sluice.version");
    assert_non_null(r.error);
    assert_int_equal(r.n_stmts, 0);
    split_free(r);
    r = split_statements("  ; -- nothing\n ;");
    assert_null(r.error);
    assert_int_equal(r.n_stmts, 0);
    split_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ordinary_sql_is_not_ours),
        cmocka_unit_test(sluice_statements_are_recognized),
        cmocka_unit_test(later_statements_are_prescreened),
        cmocka_unit_test(split_respects_strings_comments_and_bodies),
        cmocka_unit_test(split_reports_what_does_not_tokenize),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
