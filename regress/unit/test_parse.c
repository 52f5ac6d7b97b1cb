/*
 * test_parse.c — sluice's statements as the parser reads them: every form of spec/SQL.md
 * to its tree, every kind of mistake to its SQLSTATE, message, caret position and hint,
 * and SHOW CREATE's text back to the same tree.
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

/* ---- helpers ---- */

/* The statement's tree; fails the test with the parser's error when there is one. */
static sl_stmt *parse_ok(const char *sql, sl_parse_result *r)
{
    *r = sl_parse(sql);
    if (r->error)
        fail_msg("\"%s\" did not parse: %s %s (position %d; hint: %s)", sql, r->error->sqlstate,
                 r->error->message, r->error->position, r->error->hint);
    return r->stmt;
}

/* hint NULL: not checked. */
static void assert_error(const char *sql, const char *sqlstate, const char *message, int position,
                         const char *hint)
{
    sl_parse_result r = sl_parse(sql);
    if (!r.error)
        fail_msg("\"%s\" parsed but should have failed with %s", sql, message);
    if (strcmp(r.error->sqlstate, sqlstate) != 0 || strcmp(r.error->message, message) != 0 ||
        r.error->position != position || (hint && strcmp(r.error->hint, hint) != 0))
        fail_msg("\"%s\"\n  expected %s \"%s\" at %d, hint \"%s\"\n  got      %s \"%s\" at %d, "
                 "hint \"%s\"",
                 sql, sqlstate, message, position, hint ? hint : "(any)", r.error->sqlstate,
                 r.error->message, r.error->position, r.error->hint);
    assert_null(r.stmt);
    sl_parse_free(r);
}

/* SHOW CREATE's text for the statement parses back to an equal tree; returns the text. */
static char *round_trip(const char *sql)
{
    sl_parse_result a, b;
    parse_ok(sql, &a);
    /* the proxy's cheap leading-word test agrees with the parser */
    assert_int_equal(classify_statement(sql, strlen(sql)), a.stmt->kind);
    char *text = sl_stmt_to_sql(a.stmt);
    assert_non_null(text);
    b = sl_parse(text);
    if (b.error)
        fail_msg("deparsed \"%s\" as \"%s\", which fails: %s", sql, text, b.error->message);
    if (!sl_stmt_equal(a.stmt, b.stmt))
        fail_msg("deparsed \"%s\" as \"%s\", which means something else", sql, text);
    /* and the canonical text is a fixed point */
    char *again = sl_stmt_to_sql(b.stmt);
    assert_string_equal(text, again);
    free(again);
    sl_parse_free(a);
    sl_parse_free(b);
    return text;
}

static void assert_deparses_to(const char *sql, const char *expected)
{
    char *text = round_trip(sql);
    assert_string_equal(text, expected);
    free(text);
}

/* ---- connections ---- */

static void create_connection_reads_kind_and_options(void **state)
{
    (void)state;
    sl_parse_result r;
    sl_stmt *s = parse_ok("create connection IF NOT EXISTS Lake type S3 with (bucket = 'logs', "
                          "region = eu_west_1, path_style = on, endpoint = "
                          "'http://127.0.0.1:4568');",
                          &r);
    assert_int_equal(s->kind, SL_STMT_CREATE_CONNECTION);
    const sl_create_connection *c = &s->u.create_connection;
    assert_string_equal(c->name, "lake");
    assert_true(c->if_not_exists);
    assert_int_equal(c->kind, SL_CONN_S3);
    assert_int_equal(c->options.n, 4);
    assert_string_equal(sl_options_get(&c->options, "bucket")->value.text, "logs");
    assert_int_equal(sl_options_get(&c->options, "bucket")->value.kind, SL_VALUE_STRING);
    assert_int_equal(sl_options_get(&c->options, "region")->value.kind, SL_VALUE_WORD);
    /* a boolean option's value is normalized */
    assert_int_equal(sl_options_get(&c->options, "path_style")->value.kind, SL_VALUE_BOOL);
    assert_string_equal(sl_options_get(&c->options, "path_style")->value.text, "true");
    sl_parse_free(r);

    s = parse_ok("CREATE CONNECTION src TYPE postgres WITH (host = 'db', port = 5433, "
                 "password = 'x')",
                 &r);
    assert_int_equal(s->u.create_connection.kind, SL_CONN_POSTGRES);
    assert_int_equal(sl_options_get(&s->u.create_connection.options, "port")->value.kind,
                     SL_VALUE_NUMBER);
    sl_parse_free(r);

    const char *ok[] = {
        "CREATE CONNECTION r TYPE redshift WITH (dsn = 'host=x', iam_role = "
        "'arn:aws:iam::1:role/r', "
        "namespace = 'abc')",
        "CREATE CONNECTION h TYPE http WITH (url = 'https://api.example.com', bearer_token = 't')",
        "CREATE CONNECTION f TYPE sftp WITH (host = 'files', port = 22, user = 'u', "
        "private_key_file = '/k')",
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        parse_ok(ok[i], &r);
        sl_parse_free(r);
    }
}

static void connection_options_are_checked_per_kind(void **state)
{
    (void)state;
    assert_error("CREATE CONNECTION c TYPE s3 WITH (bucket = 'b', dsn = 'x')", "22023",
                 "unknown option \"dsn\" for a connection of type s3", 49,
                 "Valid options: bucket, region, endpoint, access_key_id, secret_access_key, "
                 "session_token, path_style.");
    assert_error("CREATE CONNECTION c TYPE http WITH (headers = 'a: b')", "22023",
                 "a connection of type http needs option \"url\"", 26, "Add WITH (url = '…').");
    assert_error("CREATE CONNECTION c TYPE s3", "22023",
                 "a connection of type s3 needs option \"bucket\"", 26, NULL);
    assert_error("CREATE CONNECTION c TYPE postgres WITH (port = 5432)", "22023",
                 "a connection of type postgres needs option \"dsn\" or \"host\"", 26, NULL);
    assert_error("CREATE CONNECTION c TYPE sftp WITH (host = 'h', port = 70000)", "22023",
                 "invalid value for option \"port\": \"70000\"", 56,
                 "Expected a whole number from 1 to 65535.");
    assert_error("CREATE CONNECTION c TYPE s3 WITH (bucket = 'b', path_style = maybe)", "22023",
                 "invalid value for option \"path_style\": \"maybe\"", 62,
                 "Expected a boolean: true or false.");
    assert_error("CREATE CONNECTION c TYPE ftp WITH (host = 'h')", "42601",
                 "syntax error at or near \"ftp\"", 26,
                 "Expected one of: S3, POSTGRES, REDSHIFT, HTTP, SFTP.");
    assert_error("CREATE CONNECTION c TYPE s3 WITH (bucket = 'a', bucket = 'b')", "42601",
                 "option \"bucket\" specified more than once", 49, "Give each option once.");
}

static void alter_drop_and_show_connections(void **state)
{
    (void)state;
    sl_parse_result r;
    sl_stmt *s = parse_ok("ALTER CONNECTION lake SET (region = 'us-east-1', port = '5432')", &r);
    assert_int_equal(s->kind, SL_STMT_ALTER_CONNECTION);
    assert_string_equal(s->u.alter.name, "lake");
    assert_int_equal(s->u.alter.options.n, 2);
    sl_parse_free(r);
    /* the kind is in the catalog, so ALTER accepts any connection option */
    assert_error("ALTER CONNECTION lake SET (colour = 'red')", "22023",
                 "unknown option \"colour\" for a connection", 28, NULL);

    s = parse_ok("DROP CONNECTION IF EXISTS lake", &r);
    assert_int_equal(s->kind, SL_STMT_DROP_CONNECTION);
    assert_true(s->u.drop.if_exists);
    assert_string_equal(s->u.drop.name, "lake");
    sl_parse_free(r);

    s = parse_ok("SHOW CONNECTIONS", &r);
    assert_int_equal(s->kind, SL_STMT_SHOW_CONNECTIONS);
    sl_parse_free(r);
}

/* ---- pipelines ---- */

static void create_pipeline_reads_every_clause(void **state)
{
    (void)state;
    sl_parse_result r;
    sl_stmt *s = parse_ok("CREATE PIPELINE IF NOT EXISTS clicks FROM S3 'logs/2026/' CONNECTION "
                          "lake FORMAT CSV (header = false, delimiter = ';') TRANSFORM (DROP ip) "
                          "INTO raw.clicks (id bigint, at timestamptz) WITH (mode = 'UPSERT', "
                          "primary_key = 'id', schedule = '5 minutes', start = false);",
                          &r);
    assert_int_equal(s->kind, SL_STMT_CREATE_PIPELINE);
    const sl_create_pipeline *c = &s->u.create_pipeline;
    assert_string_equal(c->name, "clicks");
    assert_true(c->if_not_exists);
    assert_int_equal(c->source, SL_SOURCE_S3);
    assert_string_equal(c->location, "logs/2026/");
    assert_string_equal(c->connection, "lake");
    assert_int_equal(c->format, SL_FORMAT_CSV);
    assert_int_equal(c->format_options.n, 2);
    assert_string_equal(c->format_options.items[1].value.text, ";");
    assert_int_equal(c->n_steps, 1);
    assert_string_equal(c->target.schema, "raw");
    assert_string_equal(c->target.name, "clicks");
    assert_int_equal(c->n_columns, 2);
    assert_string_equal(c->columns[1].name, "at");
    assert_string_equal(c->columns[1].type, "timestamptz");
    /* enumerations are normalized to lower case */
    assert_string_equal(sl_options_get(&c->options, "mode")->value.text, "upsert");
    assert_string_equal(sl_options_get(&c->options, "start")->value.text, "false");
    sl_parse_free(r);

    s = parse_ok("CREATE PIPELINE p FROM FILES '/data/*.csv.gz' INTO clicks", &r);
    c = &s->u.create_pipeline;
    assert_false(c->if_not_exists);
    assert_int_equal(c->source, SL_SOURCE_FILES);
    assert_null(c->connection);
    assert_int_equal(c->format, SL_FORMAT_INFERRED);
    assert_null(c->target.schema);
    assert_int_equal(c->n_columns, 0);
    assert_int_equal(c->options.n, 0);
    sl_parse_free(r);

    s = parse_ok("CREATE PIPELINE p FROM POSTGRES $$SELECT * FROM orders WHERE x = 'y'$$ "
                 "CONNECTION src FORMAT JSON (records = 'data.items') INTO orders WITH (mode = "
                 "history, primary_key = 'id', updated_at = updated_at)",
                 &r);
    c = &s->u.create_pipeline;
    assert_int_equal(c->source, SL_SOURCE_POSTGRES);
    assert_string_equal(c->location, "SELECT * FROM orders WHERE x = 'y'");
    assert_int_equal(c->format, SL_FORMAT_JSON);
    sl_parse_free(r);
}

static const sl_step *step_of(const char *transform, sl_parse_result *r)
{
    char sql[1024];
    snprintf(sql, sizeof(sql), "CREATE PIPELINE p FROM FILES '/x' TRANSFORM (%s) INTO t",
             transform);
    sl_stmt *s = parse_ok(sql, r);
    assert_int_equal(s->u.create_pipeline.n_steps, 1);
    return &s->u.create_pipeline.steps[0];
}

static void every_transform_step_parses(void **state)
{
    (void)state;
    sl_parse_result r;
    const sl_step *st = step_of("RENAME Old TO new", &r);
    assert_int_equal(st->kind, SL_STEP_RENAME);
    assert_string_equal(st->column, "old");
    assert_string_equal(st->new_name, "new");
    sl_parse_free(r);

    st = step_of("CAST born AS date FORMAT 'DD/MM/YYYY'", &r);
    assert_int_equal(st->kind, SL_STEP_CAST);
    assert_string_equal(st->type, "date");
    assert_string_equal(st->format, "DD/MM/YYYY");
    sl_parse_free(r);

    st = step_of("MASK card KEEP LAST 4", &r);
    assert_int_equal(st->kind, SL_STEP_MASK);
    assert_int_equal(st->keep_last, 4);
    sl_parse_free(r);
    st = step_of("MASK card", &r);
    assert_int_equal(st->keep_last, -1);
    sl_parse_free(r);

    st = step_of("NULLIF country 'n/a'", &r);
    assert_int_equal(st->kind, SL_STEP_NULLIF);
    assert_string_equal(st->text, "n/a");
    sl_parse_free(r);
    st = step_of("DEFAULT country 'XX'", &r);
    assert_int_equal(st->kind, SL_STEP_DEFAULT);
    sl_parse_free(r);

    st = step_of("SPLIT name ON ' ' INTO (first, last)", &r);
    assert_int_equal(st->kind, SL_STEP_SPLIT);
    assert_string_equal(st->text, " ");
    assert_int_equal(st->into.n, 2);
    assert_string_equal(st->into.items[1], "last");
    sl_parse_free(r);

    st = step_of("EXTRACT email MATCHING '^([^@]+)@(.+)$' INTO (user_name, domain)", &r);
    assert_int_equal(st->kind, SL_STEP_EXTRACT);
    assert_string_equal(st->text, "^([^@]+)@(.+)$");
    sl_parse_free(r);

    st = step_of("COMPUTE total AS price * qty + coalesce(tax, 0)", &r);
    assert_int_equal(st->kind, SL_STEP_COMPUTE);
    assert_string_equal(st->column, "total");
    assert_string_equal(st->text, "price * qty + coalesce(tax, 0)");
    sl_parse_free(r);

    const char *simple[] = {"TRIM a", "LOWER a", "UPPER a"};
    for (int i = 0; i < 3; i++) {
        st = step_of(simple[i], &r);
        assert_int_equal(st->kind, SL_STEP_TRIM + i);
        assert_string_equal(st->column, "a");
        sl_parse_free(r);
    }
}

static void column_lists_end_where_the_next_step_begins(void **state)
{
    (void)state;
    sl_parse_result r;
    sl_stmt *s = parse_ok("CREATE PIPELINE p FROM FILES '/x' TRANSFORM (DROP a, b, HASH c, d, "
                          "KEEP e, trim, \"hash\", f, COMPUTE g AS f(1, 2), LOWER h) INTO t",
                          &r);
    const sl_create_pipeline *c = &s->u.create_pipeline;
    assert_int_equal(c->n_steps, 5);
    assert_int_equal(c->steps[0].kind, SL_STEP_DROP);
    assert_int_equal(c->steps[0].columns.n, 2);
    assert_int_equal(c->steps[1].kind, SL_STEP_HASH);
    assert_int_equal(c->steps[1].columns.n, 2);
    /* a step word followed by ',' or ')' is a column; a quoted one always is */
    assert_int_equal(c->steps[2].kind, SL_STEP_KEEP);
    assert_int_equal(c->steps[2].columns.n, 4);
    assert_string_equal(c->steps[2].columns.items[1], "trim");
    assert_string_equal(c->steps[2].columns.items[2], "hash");
    /* COMPUTE's expression stops at the top-level comma, not the one inside f(…) */
    assert_string_equal(c->steps[3].text, "f(1, 2)");
    assert_int_equal(c->steps[4].kind, SL_STEP_LOWER);
    sl_parse_free(r);
}

static void filter_takes_every_operator(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        sl_filter_op op;
        int n_values;
    } cases[] = {
        {"FILTER a = 1", SL_OP_EQ, 1},
        {"FILTER a <> 'x'", SL_OP_NE, 1},
        {"FILTER a != 'x'", SL_OP_NE, 1},
        {"FILTER a < -2.5", SL_OP_LT, 1},
        {"FILTER a <= 3", SL_OP_LE, 1},
        {"FILTER a > 3", SL_OP_GT, 1},
        {"FILTER a >= 3", SL_OP_GE, 1},
        {"FILTER a LIKE 'x%'", SL_OP_LIKE, 1},
        {"FILTER a IS NULL", SL_OP_IS_NULL, 0},
        {"FILTER a IS NOT NULL", SL_OP_IS_NOT_NULL, 0},
        {"FILTER a IN ('x', 'y', 3)", SL_OP_IN, 3},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sl_parse_result r;
        const sl_step *st = step_of(cases[i].text, &r);
        assert_int_equal(st->kind, SL_STEP_FILTER);
        assert_int_equal(st->op, cases[i].op);
        assert_int_equal(st->n_values, cases[i].n_values);
        sl_parse_free(r);
    }
    sl_parse_result r;
    const sl_step *st = step_of("FILTER a < -2.5", &r);
    assert_int_equal(st->values[0].kind, SL_VALUE_NUMBER);
    assert_string_equal(st->values[0].text, "-2.5");
    sl_parse_free(r);
    assert_error(
        "CREATE PIPELINE p FROM FILES '/x' TRANSFORM (FILTER a ~ 'x') INTO t", "42601",
        "syntax error at or near \"~\"", 55,
        "Expected an operator: =, <>, <, <=, >, >=, LIKE, IS NULL, IS NOT NULL or IN (…).");
}

static void column_types_are_spelled_canonically(void **state)
{
    (void)state;
    static const struct {
        const char *written, *canonical;
    } types[] = {
        {"BIGINT", "bigint"},
        {"Numeric(10, 2)", "numeric(10,2)"},
        {"varchar(20)", "varchar(20)"},
        {"character varying(20)", "character varying(20)"},
        {"double precision", "double precision"},
        {"timestamp with time zone", "timestamp with time zone"},
        {"TIMESTAMP(3) WITHOUT TIME ZONE", "timestamp(3) without time zone"},
        {"interval day to second", "interval day to second"},
        {"text[]", "text[]"},
        {"int[3][]", "int[3][]"},
        {"integer ARRAY", "integer[]"},
        {"public.\"MyType\"", "public.\"MyType\""},
        {"bit varying(8)", "bit varying(8)"},
        {"national character varying(10)", "national character varying(10)"},
        {"interval year to month", "interval year to month"},
        {"interval(6)", "interval(6)"},
        {"int ARRAY[4]", "int[4]"},
    };
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        char sql[256];
        snprintf(sql, sizeof(sql), "CREATE PIPELINE p FROM FILES '/x' INTO t (c %s, d text)",
                 types[i].written);
        sl_parse_result r;
        sl_stmt *s = parse_ok(sql, &r);
        assert_int_equal(s->u.create_pipeline.n_columns, 2);
        assert_string_equal(s->u.create_pipeline.columns[0].type, types[i].canonical);
        sl_parse_free(r);
    }
    assert_error("CREATE PIPELINE p FROM FILES '/x' INTO t (c double)", "42601",
                 "syntax error at or near \")\"", 51, "Expected PRECISION after DOUBLE.");
}

static void pipeline_commands_parse(void **state)
{
    (void)state;
    static const struct {
        const char *sql;
        sl_stmt_kind kind;
    } cmds[] = {
        {"START PIPELINE clicks", SL_STMT_START_PIPELINE},
        {"stop pipeline clicks;", SL_STMT_STOP_PIPELINE},
        {"RUN PIPELINE clicks", SL_STMT_RUN_PIPELINE},
        {"REFRESH PIPELINE clicks", SL_STMT_REFRESH_PIPELINE},
        {"REPLAY PIPELINE clicks ERRORS", SL_STMT_REPLAY_PIPELINE},
    };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        sl_parse_result r;
        sl_stmt *s = parse_ok(cmds[i].sql, &r);
        assert_int_equal(s->kind, cmds[i].kind);
        assert_string_equal(s->u.pipeline.name, "clicks");
        sl_parse_free(r);
    }
    sl_parse_result r;
    sl_stmt *s = parse_ok("ALTER PIPELINE clicks SET (schedule = 'manual', max_errors = 10)", &r);
    assert_int_equal(s->kind, SL_STMT_ALTER_PIPELINE);
    assert_int_equal(s->u.alter.options.n, 2);
    sl_parse_free(r);

    s = parse_ok("DROP PIPELINE IF EXISTS clicks AND TABLE", &r);
    assert_int_equal(s->kind, SL_STMT_DROP_PIPELINE);
    assert_true(s->u.drop.if_exists);
    assert_true(s->u.drop.and_table);
    sl_parse_free(r);
    s = parse_ok("DROP PIPELINE clicks", &r);
    assert_false(s->u.drop.if_exists);
    assert_false(s->u.drop.and_table);
    sl_parse_free(r);

    assert_error("REPLAY PIPELINE clicks", "42601", "syntax error at end of input", 23,
                 "Expected ERRORS after the pipeline name.");
}

static void show_statements_parse(void **state)
{
    (void)state;
    sl_parse_result r;
    sl_stmt *s = parse_ok("SHOW PIPELINES", &r);
    assert_int_equal(s->kind, SL_STMT_SHOW_PIPELINES);
    sl_parse_free(r);
    s = parse_ok("SHOW MODELS", &r);
    assert_int_equal(s->kind, SL_STMT_SHOW_MODELS);
    sl_parse_free(r);
    s = parse_ok("SHOW SHARES", &r);
    assert_int_equal(s->kind, SL_STMT_SHOW_SHARES);
    sl_parse_free(r);

    s = parse_ok("SHOW PIPELINE clicks", &r);
    assert_int_equal(s->kind, SL_STMT_SHOW_PIPELINE);
    assert_false(s->u.show_pipeline.errors);
    assert_string_equal(s->u.show_pipeline.name, "clicks");
    sl_parse_free(r);
    s = parse_ok("SHOW PIPELINE ERRORS clicks LIMIT 20", &r);
    assert_true(s->u.show_pipeline.errors);
    assert_string_equal(s->u.show_pipeline.name, "clicks");
    assert_int_equal(s->u.show_pipeline.limit, 20);
    sl_parse_free(r);
    /* a pipeline may be called "errors" */
    s = parse_ok("SHOW PIPELINE errors", &r);
    assert_false(s->u.show_pipeline.errors);
    assert_string_equal(s->u.show_pipeline.name, "errors");
    sl_parse_free(r);

    s = parse_ok("SHOW CREATE MODEL daily", &r);
    assert_int_equal(s->kind, SL_STMT_SHOW_CREATE);
    assert_int_equal(s->u.show_create.object, SL_OBJECT_MODEL);
    sl_parse_free(r);
    s = parse_ok("show Sluice . Version", &r);
    assert_int_equal(s->kind, SL_STMT_SHOW_SLUICE);
    assert_string_equal(s->u.show_sluice.setting, "version");
    sl_parse_free(r);

    assert_error("SHOW PIPELINE ERRORS clicks LIMIT many", "42601",
                 "syntax error at or near \"many\"", 35, "Expected a number of rows after LIMIT.");
    assert_error("SHOW CREATE CONNECTION c", "42601", "syntax error at or near \"CONNECTION\"", 13,
                 "Expected one of: PIPELINE, MODEL.");
}

static void pipeline_options_are_validated(void **state)
{
    (void)state;
    const char *pre = "CREATE PIPELINE p FROM FILES '/x' INTO t WITH ";
    static const struct {
        const char *with, *message;
        int position;
        const char *hint;
    } cases[] = {
        {"(colour = 'red')", "unknown option \"colour\" for a pipeline", 48,
         "Valid options: mode, primary_key, updated_at, schedule, on_error, max_errors, "
         "batch_rows, batch_bytes, distkey, sortkey, start, staging_connection, staging_prefix."},
        {"(mode = merge)", "invalid value for option \"mode\": \"merge\"", 55,
         "Valid values: append, upsert, history."},
        {"(mode = upsert)", "mode upsert needs a primary_key", 55,
         "Add primary_key = 'id' (or 'a,b') to WITH: it says which rows are the same record."},
        {"(mode = history, primary_key = 'id')", "mode history needs updated_at", 55,
         "Add updated_at = column: the time each version of a record was written."},
        {"(schedule = 'now and then')", "invalid interval: \"now and then\"", 59, NULL},
        {"(start = 'perhaps')", "invalid value for option \"start\": \"perhaps\"", 56,
         "Expected a boolean: true or false."},
        {"(batch_rows = 0)", "invalid value for option \"batch_rows\": \"0\"", 61,
         "Expected a whole number from 1 to 2147483647."},
        {"(on_error = ignore)", "invalid value for option \"on_error\": \"ignore\"", 59,
         "Valid values: skip, abort."},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char sql[256];
        snprintf(sql, sizeof(sql), "%s%s", pre, cases[i].with);
        assert_error(sql, "22023", cases[i].message, cases[i].position, cases[i].hint);
    }
    static const char *const good[] = {
        "(schedule = continuous)", "(schedule = '1 hour 30 minutes')", "(schedule = '90s')",
        "(schedule = '00:05:00')", "(max_errors = 0, on_error = abort, batch_bytes = 1e6)"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        char sql[256];
        snprintf(sql, sizeof(sql), "%s%s", pre, good[i]);
        sl_parse_result r = sl_parse(sql);
        if (i < 4 && r.error)
            fail_msg("%s: %s", sql, r.error->message);
        if (i == 4) /* 1e6 is a number, but not a whole number as written */
            assert_non_null(r.error);
        sl_parse_free(r);
    }
}

static void format_options_are_validated(void **state)
{
    (void)state;
    assert_error("CREATE PIPELINE p FROM FILES '/x' FORMAT CSV (separator = ';') INTO t", "22023",
                 "unknown option \"separator\" for FORMAT CSV", 47,
                 "Valid options: header, delimiter, quote, escape, null, encoding.");
    assert_error("CREATE PIPELINE p FROM FILES '/x' FORMAT JSON (header = true) INTO t", "22023",
                 "unknown option \"header\" for FORMAT JSON", 48, "Valid options: records.");
    assert_error("CREATE PIPELINE p FROM FILES '/x' FORMAT CSV (delimiter = '::') INTO t", "22023",
                 "invalid value for option \"delimiter\": \"::\"", 59,
                 "Expected a single one-byte character as a string, e.g. ','.");
    assert_error("CREATE PIPELINE p FROM FILES '/x' FORMAT XML INTO t", "42601",
                 "syntax error at or near \"XML\"", 42, "Expected one of: CSV, JSON.");
}

static void transform_steps_are_validated(void **state)
{
    (void)state;
    assert_error("CREATE PIPELINE p FROM FILES '/x' TRANSFORM (EXTRACT e MATCHING '(a)(b)' "
                 "INTO (x)) INTO t",
                 "22023", "the regular expression has 2 capture groups but INTO names 1 column", 65,
                 NULL);
    assert_error("CREATE PIPELINE p FROM FILES '/x' TRANSFORM (EXTRACT e MATCHING '(a' "
                 "INTO (x)) INTO t",
                 "22023", "invalid regular expression: Unmatched ( or \\(", 65,
                 "EXTRACT takes a POSIX extended regular expression.");
    /* patterns that would make regcomp take gigabytes are refused before it sees them */
    assert_error("CREATE PIPELINE p FROM FILES '/x' TRANSFORM (EXTRACT e MATCHING '(a++++++)' "
                 "INTO (x)) INTO t",
                 "22023", "a quantifier in the regular expression follows another one", 65, NULL);
    assert_error("CREATE PIPELINE p FROM FILES '/x' TRANSFORM (EXTRACT e MATCHING "
                 "'(((a{200}){200}){200})' INTO (x)) INTO t",
                 "22023", "the regular expression is too complex", 65, NULL);
    assert_error("CREATE PIPELINE p FROM FILES '/x' TRANSFORM (EXTRACT e MATCHING '(a{1,1000})' "
                 "INTO (x)) INTO t",
                 "22023", "a repetition bound in the regular expression is above 255", 65, NULL);
    sl_parse_result ok;
    parse_ok("CREATE PIPELINE p FROM FILES '/x' TRANSFORM (EXTRACT e MATCHING "
             "'^([[:alpha:]]+)[]|()]*([0-9]{2,4})\\)?(x|y)*$' INTO (a, b, c)) INTO t",
             &ok);
    sl_parse_free(ok);
    assert_error("CREATE PIPELINE p FROM FILES '/x' TRANSFORM (SPLIT a ON '' INTO (b, c)) INTO t",
                 "22023", "the SPLIT separator must not be empty", 57, NULL);
    /* COMPUTE's expression is checked by PostgreSQL's grammar, caret included */
    assert_error("CREATE PIPELINE p FROM FILES '/x' TRANSFORM (COMPUTE a AS b +) INTO t", "42601",
                 "syntax error at end of input", 62, "COMPUTE takes one PostgreSQL expression.");
    assert_error("CREATE PIPELINE p FROM FILES '/x' TRANSFORM (COMPUTE a AS b FROM secrets) INTO t",
                 "42601", "a COMPUTE expression must be one SQL expression", 59, NULL);
    assert_error(
        "CREATE PIPELINE p FROM FILES '/x' TRANSFORM (COMPUTE a AS 1; DROP TABLE t) INTO t",
        "42601", "syntax error at or near \";\"", 60,
        "A COMPUTE expression is one SQL expression.");
    assert_error("CREATE PIPELINE p FROM FILES '/x' TRANSFORM (SQUASH a) INTO t", "42601",
                 "syntax error at or near \"SQUASH\"", 46,
                 "Expected a transform step: RENAME, DROP, KEEP, CAST, HASH, MASK, TRIM, LOWER, "
                 "UPPER, NULLIF, DEFAULT, SPLIT, EXTRACT, FILTER or COMPUTE.");
}

/* ---- models ---- */

static void create_model_reads_clauses_and_defaults(void **state)
{
    (void)state;
    sl_parse_result r;
    sl_stmt *s =
        parse_ok("CREATE MODEL daily AS SELECT day, count(*) FROM raw.clicks GROUP BY day;", &r);
    assert_int_equal(s->kind, SL_STMT_CREATE_MODEL);
    const sl_create_model *m = &s->u.create_model;
    assert_string_equal(m->name, "daily");
    assert_int_equal(m->materialized, SL_MATERIALIZE_VIEW);
    assert_int_equal(m->refresh, SL_REFRESH_ON_CHANGE);
    assert_string_equal(m->select, "SELECT day, count(*) FROM raw.clicks GROUP BY day");
    assert_int_equal(m->select_position, 23);
    assert_int_equal(m->base_tables.n, 1);
    assert_string_equal(m->base_tables.items[0].schema, "raw");
    assert_string_equal(m->base_tables.items[0].name, "clicks");
    assert_int_equal(m->base_tables.items[0].position, 49);
    sl_parse_free(r);

    s = parse_ok("CREATE MODEL IF NOT EXISTS d MATERIALIZED AS TABLE REFRESH EVERY '1 hour' "
                 "WITH (distkey = day, sortkey = 'day', incremental = OFF) AS SELECT 1",
                 &r);
    m = &s->u.create_model;
    assert_true(m->if_not_exists);
    assert_int_equal(m->materialized, SL_MATERIALIZE_TABLE);
    assert_int_equal(m->refresh, SL_REFRESH_EVERY);
    assert_string_equal(m->every, "1 hour");
    assert_string_equal(sl_options_get(&m->options, "incremental")->value.text, "off");
    assert_int_equal(m->base_tables.n, 0);
    sl_parse_free(r);

    s = parse_ok("CREATE MODEL d REFRESH MANUAL AS SELECT 1", &r);
    assert_int_equal(s->u.create_model.refresh, SL_REFRESH_MANUAL);
    sl_parse_free(r);

    s = parse_ok("REFRESH MODEL daily FULL", &r);
    assert_int_equal(s->kind, SL_STMT_REFRESH_MODEL);
    assert_true(s->u.refresh_model.full);
    sl_parse_free(r);
    s = parse_ok("DROP MODEL IF EXISTS daily", &r);
    assert_int_equal(s->kind, SL_STMT_DROP_MODEL);
    assert_true(s->u.drop.if_exists);
    sl_parse_free(r);

    assert_error("CREATE MODEL d WITH (incremental = maybe) AS SELECT 1", "22023",
                 "invalid value for option \"incremental\": \"maybe\"", 36,
                 "Valid values: auto, off.");
    assert_error("CREATE MODEL d WITH (partition = x) AS SELECT 1", "22023",
                 "unknown option \"partition\" for a model", 22,
                 "Valid options: distkey, sortkey, incremental.");
    assert_error("CREATE MODEL d REFRESH EVERY 'fortnightly' AS SELECT 1", "22023",
                 "invalid interval: \"fortnightly\"", 30, NULL);
}

static void model_base_tables_come_from_the_whole_query(void **state)
{
    (void)state;
    sl_parse_result r;
    sl_stmt *s =
        parse_ok("CREATE MODEL m AS WITH recent AS (SELECT * FROM raw.clicks WHERE at > now() - '1 "
                 "day'::interval), "
                 "u AS (SELECT * FROM recent JOIN dim.users USING (uid)) "
                 "SELECT * FROM u JOIN Countries c ON true "
                 "WHERE uid IN (SELECT uid FROM raw.vip) AND EXISTS (SELECT 1 FROM raw.clicks) "
                 "UNION ALL SELECT * FROM \"Raw\".\"Other\"",
                 &r);
    const sl_qnames *t = &s->u.create_model.base_tables;
    /* CTE names are not tables; duplicates are listed once; unqualified names stay so */
    assert_int_equal(t->n, 5);
    assert_string_equal(t->items[0].schema, "raw");
    assert_string_equal(t->items[0].name, "clicks");
    assert_string_equal(t->items[1].schema, "dim");
    assert_string_equal(t->items[1].name, "users");
    assert_null(t->items[2].schema);
    assert_string_equal(t->items[2].name, "countries");
    assert_string_equal(t->items[3].name, "vip");
    assert_string_equal(t->items[4].schema, "Raw");
    assert_string_equal(t->items[4].name, "Other");
    sl_parse_free(r);

    /* a CTE reads the table of its own name unless it is RECURSIVE */
    s = parse_ok("CREATE MODEL m AS WITH t AS (SELECT * FROM t) SELECT * FROM t", &r);
    assert_int_equal(s->u.create_model.base_tables.n, 1);
    assert_string_equal(s->u.create_model.base_tables.items[0].name, "t");
    sl_parse_free(r);
    s = parse_ok("CREATE MODEL m AS WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 "
                 "FROM t WHERE n < 5) SELECT * FROM t, s.x",
                 &r);
    assert_int_equal(s->u.create_model.base_tables.n, 1);
    assert_string_equal(s->u.create_model.base_tables.items[0].name, "x");
    sl_parse_free(r);
}

static void model_query_must_be_one_select(void **state)
{
    (void)state;
    assert_error("CREATE MODEL m AS SELECT * FRM t", "42601", "syntax error at or near \"FRM\"", 28,
                 "The query after AS must be one PostgreSQL SELECT.");
    assert_error("CREATE MODEL m AS SELECT 1; SELECT 2", "42601",
                 "a model's query must be a single SELECT", 29,
                 "Define a model with one SELECT statement.");
    assert_error("CREATE MODEL m AS DELETE FROM t", "42601", "a model's query must be a SELECT", 19,
                 NULL);
    assert_error("CREATE MODEL m AS SELECT 1 INTO t", "42601",
                 "a model's query cannot be SELECT … INTO", 19, NULL);
    assert_error("CREATE MODEL m AS", "42601", "syntax error at end of input", 18,
                 "Expected the model's SELECT after AS.");
    assert_error("CREATE MODEL m SELECT 1", "42601", "syntax error at or near \"SELECT\"", 16,
                 "Expected MATERIALIZED AS, REFRESH, WITH or AS and the model's SELECT.");
}

/* ---- sharing, EXPLAIN ---- */

static void share_and_unshare_parse(void **state)
{
    (void)state;
    sl_parse_result r;
    sl_stmt *s = parse_ok("SHARE TABLE raw.clicks, mart.daily WITH bi TO GROUP analysts", &r);
    assert_int_equal(s->kind, SL_STMT_SHARE);
    const sl_share *sh = &s->u.share;
    assert_int_equal(sh->object, SL_SHARE_TABLE);
    assert_int_equal(sh->tables.n, 2);
    assert_string_equal(sh->tables.items[1].schema, "mart");
    assert_string_equal(sh->tables.items[1].name, "daily");
    assert_string_equal(sh->consumer, "bi");
    assert_string_equal(sh->group, "analysts");
    sl_parse_free(r);

    s = parse_ok("SHARE SCHEMA mart WITH bi", &r);
    assert_int_equal(s->u.share.object, SL_SHARE_SCHEMA);
    assert_string_equal(s->u.share.schema, "mart");
    assert_null(s->u.share.group);
    sl_parse_free(r);

    s = parse_ok("UNSHARE TABLE raw.clicks FROM bi", &r);
    assert_int_equal(s->kind, SL_STMT_UNSHARE);
    assert_int_equal(s->u.share.tables.n, 1);
    sl_parse_free(r);

    assert_error("SHARE TABLE clicks WITH bi", "42601", "syntax error at or near \"WITH\"", 20,
                 "Expected '.' and a table name: shared tables are written schema.table.");
    assert_error("UNSHARE SCHEMA mart WITH bi", "42601", "syntax error at or near \"WITH\"", 21,
                 "Expected FROM and the consumer connection.");
}

static void explain_wraps_any_statement(void **state)
{
    (void)state;
    sl_parse_result r;
    sl_stmt *s = parse_ok("EXPLAIN (DIALECT redshift) RUN PIPELINE clicks", &r);
    assert_int_equal(s->kind, SL_STMT_EXPLAIN);
    assert_int_equal(s->u.explain.dialect, SL_DIALECT_REDSHIFT);
    assert_int_equal(s->u.explain.stmt->kind, SL_STMT_RUN_PIPELINE);
    sl_parse_free(r);
    s = parse_ok("EXPLAIN CREATE MODEL m AS SELECT * FROM t", &r);
    assert_int_equal(s->u.explain.dialect, SL_DIALECT_DEFAULT);
    assert_int_equal(s->u.explain.stmt->kind, SL_STMT_CREATE_MODEL);
    sl_parse_free(r);

    assert_error("EXPLAIN (ANALYZE) RUN PIPELINE p", "22023", "unknown EXPLAIN option \"ANALYZE\"",
                 10, "Valid options: dialect.");
    assert_error("EXPLAIN (DIALECT oracle) RUN PIPELINE p", "42601",
                 "syntax error at or near \"oracle\"", 18, "Expected one of: postgres, redshift.");
    assert_error("EXPLAIN () RUN PIPELINE p", "42601", "syntax error at or near \")\"", 10,
                 "Expected an EXPLAIN option: DIALECT postgres | redshift.");
    assert_error("EXPLAIN EXPLAIN RUN PIPELINE p", "42601", "syntax error at or near \"EXPLAIN\"",
                 9, "Expected the sluice statement to explain.");
}

/* ---- syntax errors ---- */

static void syntax_errors_point_at_the_token_and_say_what_was_expected(void **state)
{
    (void)state;
    assert_error("CREATE PIPELINE clicks INTO t", "42601", "syntax error at or near \"INTO\"", 24,
                 "Expected FROM after the pipeline name.");
    assert_error("CREATE PIPELINE clicks FROM KAFKA 'topic' INTO t", "42601",
                 "syntax error at or near \"KAFKA\"", 29,
                 "Expected one of: FILES, S3, POSTGRES, HTTP, SFTP.");
    assert_error("CREATE PIPELINE p FROM S3 'logs/' INTO t", "42601",
                 "syntax error at or near \"INTO\"", 35,
                 "Expected CONNECTION after the S3 location: S3 sources read through a "
                 "connection.");
    assert_error("CREATE PIPELINE p FROM FILES '/x' CONNECTION c INTO t", "42601",
                 "syntax error at or near \"CONNECTION\"", 35,
                 "A FILES source reads local paths and takes no CONNECTION; expected FORMAT, "
                 "TRANSFORM or INTO.");
    assert_error("CREATE PIPELINE p FROM FILES /x INTO t", "42601", "syntax error at or near \"/\"",
                 30, "Expected the location as a string, e.g. '/data/clicks/*.csv.gz'.");
    assert_error("CREATE PIPELINE p FROM FILES '/x' INTO t WITH (mode upsert)", "42601",
                 "syntax error at or near \"upsert\"", 53,
                 "Expected '=' and a value after the option name.");
    assert_error("CREATE PIPELINE p FROM FILES '/x' INTO t extra", "42601",
                 "syntax error at or near \"extra\"", 42,
                 "Expected a column list, WITH or the end of the statement.");
    assert_error("CREATE PIPELINE p FROM FILES '/x' INTO", "42601", "syntax error at end of input",
                 39, "Expected the target table name.");
    assert_error("CREATE PIPELINE select FROM FILES '/x' INTO t", "42601",
                 "syntax error at or near \"select\"", 17, "Expected the pipeline name.");
    assert_error("DROP PIPELINE p CASCADE", "42601", "syntax error at or near \"CASCADE\"", 17,
                 "Expected AND TABLE or the end of the statement.");
    assert_error("SHOW PIPELINES now", "42601", "syntax error at or near \"now\"", 16,
                 "Expected the end of the statement.");
    assert_error("CREATE WIDGET w", "42601", "syntax error at or near \"WIDGET\"", 8,
                 "Expected one of: PIPELINE, MODEL, CONNECTION.");
    /* positions count characters, not bytes, so the caret lands under the token */
    assert_error("CREATE PIPELINE \"café\" FRM FILES '/x' INTO t", "42601",
                 "syntax error at or near \"FRM\"", 24, "Expected FROM after the pipeline name.");
    /* what the scanner refuses is reported at its position */
    assert_error("CREATE PIPELINE p FROM FILES '/x", "42601", "unterminated quoted string", 30,
                 NULL);
    assert_error("CREATE PIPELINE \"\" FROM FILES '/x' INTO t", "42601",
                 "zero-length delimited identifier", 17, NULL);
}

static void more_clauses_say_what_was_expected(void **state)
{
    (void)state;
    assert_error("CREATE MODEL m MATERIALIZED AS INDEX AS SELECT 1", "42601",
                 "syntax error at or near \"INDEX\"", 32, "Expected one of: VIEW, TABLE.");
    assert_error("CREATE MODEL m REFRESH SOMETIMES AS SELECT 1", "42601",
                 "syntax error at or near \"SOMETIMES\"", 24,
                 "Expected one of: ON CHANGE, EVERY 'interval', MANUAL.");
    assert_error("SHARE VIEW a.b WITH c", "42601", "syntax error at or near \"VIEW\"", 7,
                 "Expected one of: TABLE, SCHEMA.");
    assert_error("SHARE TABLE a.b TO c", "42601", "syntax error at or near \"TO\"", 17,
                 "Expected ',' and another table, or WITH and the consumer connection.");
    assert_error("CREATE PIPELINE p FROM FILES '/x' FORMAT CSV TRANSFORM (TRIM a) LIMIT 1", "42601",
                 "syntax error at or near \"LIMIT\"", 65, "Expected INTO.");
    assert_error("CREATE PIPELINE p FROM FILES '/x' TRANSFORM (NULLIF a NULL) INTO t", "42601",
                 "syntax error at or near \"NULL\"", 55,
                 "Expected the value as a string, e.g. NULLIF a 'n/a'.");
    assert_error("CREATE PIPELINE p FROM FILES '/x' INTO t (a timestamp with zone)", "42601",
                 "syntax error at or near \"zone\"", 60, "Expected TIME ZONE.");
    assert_error("SHOW sluice.'version'", "42601", "syntax error at or near \"'version'\"", 13,
                 "Expected a setting name, e.g. SHOW sluice.version.");
}

static void errors_never_echo_what_may_be_a_secret(void **state)
{
    (void)state;
    /* a string inside an option list is not quoted back; the caret still points at it */
    assert_error("CREATE CONNECTION c TYPE postgres WITH (host = 'h', password 'hunter2')", "42601",
                 "syntax error at or near a string constant", 62,
                 "Expected '=' and a value after the option name.");
    assert_error("CREATE CONNECTION c TYPE postgres WITH (host = 'h', password = 'hunter2)",
                 "42601", "unterminated quoted string", 64, NULL);
    assert_error("CREATE CONNECTION c TYPE s3 WITH (bucket = 'b', secret_acess_key = 'hunter2')",
                 "22023", "unknown option \"secret_acess_key\" for a connection of type s3", 49,
                 NULL);
}

/* ---- names and strings ---- */

static void identifiers_fold_unless_quoted(void **state)
{
    (void)state;
    sl_parse_result r;
    sl_stmt *s = parse_ok("START PIPELINE MixedCase", &r);
    assert_string_equal(s->u.pipeline.name, "mixedcase");
    sl_parse_free(r);
    s = parse_ok("START PIPELINE \"MixedCase\"", &r);
    assert_string_equal(s->u.pipeline.name, "MixedCase");
    sl_parse_free(r);
    s = parse_ok("START PIPELINE \"say \"\"hi\"\"\"", &r);
    assert_string_equal(s->u.pipeline.name, "say \"hi\"");
    sl_parse_free(r);
    /* only ASCII letters fold, as in PostgreSQL with UTF-8 */
    s = parse_ok("START PIPELINE ÉtéS", &r);
    assert_string_equal(s->u.pipeline.name, "Étés");
    sl_parse_free(r);
    s = parse_ok("START PIPELINE \"日本語 🚀\"", &r);
    assert_string_equal(s->u.pipeline.name, "日本語 🚀");
    sl_parse_free(r);

    /* names are never truncated here: the planner refuses what a warehouse cannot hold */
    char sql[600], name[301];
    memset(name, 'n', 300);
    name[300] = '\0';
    snprintf(sql, sizeof(sql), "START PIPELINE %s", name);
    s = parse_ok(sql, &r);
    assert_int_equal(strlen(s->u.pipeline.name), 300);
    sl_parse_free(r);
}

static void strings_decode_every_quoting(void **state)
{
    (void)state;
    static const struct {
        const char *literal, *value;
    } cases[] = {
        {"'it''s'", "it's"},
        {"'C:\\path'", "C:\\path"},
        {"E'tab\\there\\n\\x41\\101\\u00e9\\''", "tab\there\nAA\xc3\xa9'"},
        {"e'\\U0001F680'", "\xf0\x9f\x9a\x80"},
        {"$$it's $x$$", "it's $x"},
        {"$tag$a $$ b$tag$", "a $$ b"},
        {"'con'\n'cat'", "concat"},
        {"E'\\u0041\\uD83D\\uDE80\\b\\f\\r'", "A\xf0\x9f\x9a\x80\b\f\r"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char sql[256];
        snprintf(sql, sizeof(sql), "CREATE PIPELINE p FROM FILES %s INTO t", cases[i].literal);
        sl_parse_result r;
        sl_stmt *s = parse_ok(sql, &r);
        assert_string_equal(s->u.create_pipeline.location, cases[i].value);
        sl_parse_free(r);
    }
    /* the scanner itself refuses a NUL */
    assert_error("CREATE PIPELINE p FROM FILES E'\\0' INTO t", "42601",
                 "invalid byte sequence for encoding \"UTF8\": 0x00", 0, NULL);
}

static void a_span_of_a_longer_text_parses_alone(void **state)
{
    (void)state;
    const char *query = "SELECT 1; RUN PIPELINE clicks; SELECT 2";
    sl_parse_result r = sl_parse_len(query + 10, 19);
    assert_null(r.error);
    assert_int_equal(r.stmt->kind, SL_STMT_RUN_PIPELINE);
    assert_string_equal(r.stmt->u.pipeline.name, "clicks");
    sl_parse_free(r);
    /* positions count from the span's start */
    r = sl_parse_len(query + 10, 13); /* "RUN PIPELINE " */
    assert_non_null(r.error);
    assert_string_equal(r.error->message, "syntax error at end of input");
    assert_int_equal(r.error->position, 14);
    sl_parse_free(r);
}

/* ---- SHOW CREATE's text ---- */

static void deparsed_text_is_canonical(void **state)
{
    (void)state;
    assert_deparses_to("create pipeline P from files '/d/*.csv' into T",
                       "CREATE PIPELINE p FROM FILES '/d/*.csv' INTO t");
    assert_deparses_to("CREATE MODEL m AS SELECT 1",
                       "CREATE MODEL m MATERIALIZED AS VIEW REFRESH ON CHANGE AS SELECT 1");
    assert_deparses_to(
        "CREATE CONNECTION \"Lake\" TYPE s3 WITH (bucket = 'it''s', path_style = yes)",
        "CREATE CONNECTION \"Lake\" TYPE S3 WITH (bucket = 'it''s', path_style = "
        "TRUE)");
    assert_deparses_to(
        "CREATE PIPELINE p FROM FILES '/x' TRANSFORM (KEEP \"select\", \"trim\", "
        "b, MASK c KEEP LAST 2) INTO \"S\".t (\"Id\" int, v numeric(10, 2)) WITH (mode = 'append')",
        /* only reserved words need quotes where a name is due */
        "CREATE PIPELINE p FROM FILES '/x' TRANSFORM (KEEP \"select\", trim, b, "
        "MASK c KEEP LAST 2) INTO \"S\".t (\"Id\" int, v numeric(10,2)) WITH (mode = "
        "append)");
    /* a type name quotes every keyword: "double" alone is not double precision */
    assert_deparses_to("CREATE PIPELINE p FROM FILES '/x' INTO t (name text, \"user\" text, "
                       "\"time\" \"time\", d \"double\")",
                       "CREATE PIPELINE p FROM FILES '/x' INTO t (name text, \"user\" text, "
                       "time \"time\", d \"double\")");
    assert_deparses_to("explain (dialect postgres) share schema s with c",
                       "EXPLAIN (DIALECT postgres) SHARE SCHEMA s WITH c");
}

static void every_statement_round_trips(void **state)
{
    (void)state;
    static const char *const stmts[] = {
        "CREATE CONNECTION IF NOT EXISTS lake TYPE s3 WITH (bucket = 'b', region = eu, "
        "secret_access_key = 'k''\\x', path_style = false)",
        "CREATE CONNECTION pg TYPE postgres WITH (host = 'h', port = 5432, dbname = \"Db\")",
        "ALTER CONNECTION lake SET (endpoint = 'http://127.0.0.1:4568')",
        "DROP CONNECTION lake",
        "SHOW CONNECTIONS",
        "CREATE PIPELINE IF NOT EXISTS \"Clicks \"\"2026\"\"\" FROM S3 'logs/' CONNECTION lake "
        "FORMAT CSV (header = true, delimiter = '|', quote = '\"', escape = '\\', null = 'NULL', "
        "encoding = latin1) TRANSFORM (RENAME a TO \"B\", DROP c, d, KEEP e, f, CAST g AS "
        "timestamp(3) with time zone FORMAT 'epoch_ms', HASH h, i, MASK j KEEP LAST 4, TRIM k, "
        "LOWER l, UPPER m, NULLIF n 'n/a', DEFAULT o '0', SPLIT p ON ',' INTO (p1, p2), EXTRACT q "
        "MATCHING '^(\\w+)@(.*)$' INTO (q1, q2), FILTER r IN ('x', 2, true, w), FILTER s IS NOT "
        "NULL, FILTER t LIKE 'a%', FILTER u <= -1, COMPUTE v AS upper(a) || '-' || (b + 1)) INTO "
        "raw.clicks (id bigint, amount numeric(10,2), tags text[], at timestamptz) WITH (mode = "
        "history, primary_key = 'id,at', updated_at = at, schedule = '5 minutes', on_error = "
        "abort, "
        "max_errors = 10, batch_rows = 1000, batch_bytes = 1048576, distkey = id, sortkey = 'at', "
        "start = off, staging_connection = lake, staging_prefix = 'x/')",
        "CREATE PIPELINE p FROM POSTGRES $q$SELECT * FROM t WHERE a = 'x'$q$ CONNECTION pg INTO t",
        "CREATE PIPELINE p FROM HTTP '/v1/items' CONNECTION api FORMAT JSON (records = "
        "'data.items') "
        "INTO t",
        "CREATE PIPELINE p FROM SFTP '/in/*.csv' CONNECTION box FORMAT CSV INTO t",
        "START PIPELINE p",
        "STOP PIPELINE p",
        "RUN PIPELINE p",
        "REFRESH PIPELINE p",
        "REPLAY PIPELINE p ERRORS",
        "ALTER PIPELINE p SET (schedule = manual, start = 1)",
        "DROP PIPELINE IF EXISTS p AND TABLE",
        "SHOW PIPELINES",
        "SHOW PIPELINE p",
        "SHOW PIPELINE errors",
        "SHOW PIPELINE ERRORS \"errors\" LIMIT 0",
        "SHOW CREATE PIPELINE p",
        "SHOW CREATE MODEL m",
        "CREATE MODEL IF NOT EXISTS \"Daily\" MATERIALIZED AS TABLE REFRESH EVERY '1 day' WITH "
        "(distkey = day, sortkey = 'day', incremental = auto) AS SELECT day, count(*) -- per day\n"
        "FROM raw.clicks /* all of them */ GROUP BY day",
        "CREATE MODEL m REFRESH MANUAL AS WITH x AS (SELECT 1) SELECT * FROM x",
        "REFRESH MODEL m",
        "REFRESH MODEL m FULL",
        "DROP MODEL IF EXISTS m",
        "SHOW MODELS",
        "SHARE TABLE a.b, \"C\".\"D\" WITH bi TO GROUP \"BI users\"",
        "SHARE SCHEMA mart WITH bi",
        "UNSHARE TABLE a.b FROM bi",
        "UNSHARE SCHEMA mart FROM bi",
        "SHOW SHARES",
        "SHOW sluice.version",
        "EXPLAIN RUN PIPELINE p",
        "EXPLAIN (DIALECT redshift) CREATE MODEL m AS SELECT 1",
        "START PIPELINE \"日本語\"",
        "START PIPELINE \"if\"",
        "START PIPELINE \"\"\"\"",
    };
    for (size_t i = 0; i < sizeof(stmts) / sizeof(stmts[0]); i++)
        free(round_trip(stmts[i]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(create_connection_reads_kind_and_options),
        cmocka_unit_test(connection_options_are_checked_per_kind),
        cmocka_unit_test(alter_drop_and_show_connections),
        cmocka_unit_test(create_pipeline_reads_every_clause),
        cmocka_unit_test(every_transform_step_parses),
        cmocka_unit_test(column_lists_end_where_the_next_step_begins),
        cmocka_unit_test(filter_takes_every_operator),
        cmocka_unit_test(column_types_are_spelled_canonically),
        cmocka_unit_test(pipeline_commands_parse),
        cmocka_unit_test(show_statements_parse),
        cmocka_unit_test(pipeline_options_are_validated),
        cmocka_unit_test(format_options_are_validated),
        cmocka_unit_test(transform_steps_are_validated),
        cmocka_unit_test(create_model_reads_clauses_and_defaults),
        cmocka_unit_test(model_base_tables_come_from_the_whole_query),
        cmocka_unit_test(model_query_must_be_one_select),
        cmocka_unit_test(share_and_unshare_parse),
        cmocka_unit_test(explain_wraps_any_statement),
        cmocka_unit_test(more_clauses_say_what_was_expected),
        cmocka_unit_test(errors_never_echo_what_may_be_a_secret),
        cmocka_unit_test(syntax_errors_point_at_the_token_and_say_what_was_expected),
        cmocka_unit_test(identifiers_fold_unless_quoted),
        cmocka_unit_test(strings_decode_every_quoting),
        cmocka_unit_test(a_span_of_a_longer_text_parses_alone),
        cmocka_unit_test(deparsed_text_is_canonical),
        cmocka_unit_test(every_statement_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
