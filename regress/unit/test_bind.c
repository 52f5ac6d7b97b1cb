/*
 * test_bind.c — CREATE PIPELINE as the binder turns it into the planner's pipeline: real
 * statements parsed with sl_parse, bound against facts that stand in for the catalog and
 * the warehouse, and every result or error (SQLSTATE, message, hint, caret) checked exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bind.h"
#include "intercept.h" /* sl_error */
#include "parse.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ---- */

/* A statement, parsed and bound, and what must be freed after. */
typedef struct bound_case {
    sl_parse_result parsed;
    bound_pipeline b;
} bound_case;

static const bind_facts in_public = {.current_schema = "public"};

static const sl_create_pipeline *parse_pipeline(const char *sql, sl_parse_result *r)
{
    *r = sl_parse(sql);
    if (r->error)
        fail_msg("\"%s\" did not parse: %s %s (position %d)", sql, r->error->sqlstate,
                 r->error->message, r->error->position);
    assert_int_equal(r->stmt->kind, SL_STMT_CREATE_PIPELINE);
    return &r->stmt->u.create_pipeline;
}

/* The bound pipeline; fails the test with the binder's error when there is one. */
static const plan_pipeline *bind_ok(bound_case *k, const char *sql, const bind_facts *f)
{
    const sl_create_pipeline *c = parse_pipeline(sql, &k->parsed);
    sl_error err = {0};
    if (!bind_pipeline(c, f, &k->b, &err))
        fail_msg("\"%s\" did not bind: %s %s (position %d; hint: %s)", sql, err.sqlstate,
                 err.message, err.position, err.hint);
    return &k->b.p;
}

static void bound_case_free(bound_case *k)
{
    bound_pipeline_free(&k->b);
    sl_parse_free(k->parsed);
}

/* 1-based position of the first `at` in sql (the statements here are ASCII). */
static int position_of(const char *sql, const char *at)
{
    const char *p = strstr(sql, at);
    if (!p)
        fail_msg("\"%s\" is not in \"%s\"", at, sql);
    return (int)(p - sql) + 1;
}

/* The bind fails exactly so, at the first `at` in sql (NULL: position 0), and leaves nothing
 * allocated behind. */
static void assert_bind_error(const char *sql, const bind_facts *f, const char *sqlstate,
                              const char *message, const char *at, const char *hint)
{
    sl_parse_result r;
    const sl_create_pipeline *c = parse_pipeline(sql, &r);
    bound_pipeline b;
    sl_error err = {0};
    if (bind_pipeline(c, f, &b, &err))
        fail_msg("\"%s\" bound but should have failed with %s", sql, message);
    int position = at ? position_of(sql, at) : 0;
    if (strcmp(err.sqlstate, sqlstate) != 0 || strcmp(err.message, message) != 0 ||
        err.position != position || strcmp(err.hint, hint) != 0)
        fail_msg("\"%s\"\n  expected %s \"%s\" at %d, hint \"%s\"\n  got      %s \"%s\" at %d, "
                 "hint \"%s\"",
                 sql, sqlstate, message, position, hint, err.sqlstate, err.message, err.position,
                 err.hint);
    assert_null(b.names);
    assert_int_equal(b.nnames, 0);
    assert_null(b.columns);
    assert_null(b.computed);
    bound_pipeline_free(&b); /* still safe */
    sl_parse_free(r);
}

static void assert_columns(const plan_column *got, size_t n, const plan_column *want, size_t nwant)
{
    assert_int_equal(n, nwant);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(got[i].name, want[i].name);
        assert_string_equal(got[i].type, want[i].type);
    }
}

/* Exactly one computed column: this name, type and expression. */
static void assert_one_computed(const plan_pipeline *p, const char *name, const char *type,
                                const char *expr)
{
    assert_int_equal(p->ncomputed, 1);
    assert_string_equal(p->computed[0].name, name);
    assert_string_equal(p->computed[0].type, type);
    assert_string_equal(p->computed[0].expr, expr);
}

/* Facts for a target table that is in the warehouse already, with these columns. */
static bind_facts existing_table(const plan_column *columns, size_t n)
{
    return (bind_facts){.current_schema = "public",
                        .table_exists = true,
                        .table_columns = columns,
                        .ntable_columns = n};
}

static void assert_names(const char *const *got, size_t n, const char *const *want, size_t nwant)
{
    assert_int_equal(n, nwant);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(got[i], want[i]);
}

/* primary_key as bound from `value`, written into WITH as it stands. */
static void assert_primary_key(const char *value, const char *const *want, size_t nwant)
{
    char sql[512];
    snprintf(sql, sizeof(sql),
             "CREATE PIPELINE p FROM FILES '/in/*.csv' INTO t WITH (mode = upsert, "
             "primary_key = %s)",
             value);
    bound_case k;
    const plan_pipeline *p = bind_ok(&k, sql, &in_public);
    assert_names(p->primary_key, p->nprimary_key, want, nwant);
    bound_case_free(&k);
}

/* ---- the target ---- */

static void an_unqualified_target_goes_to_the_current_schema(void **state)
{
    (void)state;
    bound_case k;
    const bind_facts f = {.current_schema = "analytics"};
    const plan_pipeline *p =
        bind_ok(&k, "CREATE PIPELINE Clicks FROM FILES '/data/clicks/*.csv.gz' INTO Clicks", &f);
    assert_string_equal(p->name, "clicks");
    assert_string_equal(p->target.schema, "analytics");
    assert_string_equal(p->target.name, "clicks");
    assert_int_equal(p->source, PLAN_SRC_FILES);
    assert_string_equal(p->location, "/data/clicks/*.csv.gz");
    assert_null(p->staging_table);
    /* no column list and no table: the columns come from the first rows, later */
    assert_false(k.b.columns_known);
    assert_false(k.b.create_table);
    assert_int_equal(p->ncolumns, 0);
    assert_int_equal(p->ncomputed, 0);
    bound_case_free(&k);
}

static void a_qualified_target_keeps_its_schema(void **state)
{
    (void)state;
    bound_case k;
    const plan_pipeline *p =
        bind_ok(&k, "CREATE PIPELINE e FROM FILES '/in/*.csv' INTO Raw.\"Events\"", &in_public);
    assert_string_equal(p->target.schema, "raw");
    assert_string_equal(p->target.name, "Events");
    bound_case_free(&k);

    /* …even when there is no current schema at all */
    const bind_facts none = {0};
    p = bind_ok(&k, "CREATE PIPELINE e FROM FILES '/in/*.csv' INTO raw.events", &none);
    assert_string_equal(p->target.schema, "raw");
    bound_case_free(&k);
}

static void no_schema_anywhere_is_3F000_at_the_table_name(void **state)
{
    (void)state;
    const bind_facts none = {0};
    assert_bind_error("CREATE PIPELINE clicks FROM FILES '/in/*.csv' INTO clicks (id bigint)",
                      &none, "3F000", "no schema has been selected to create \"clicks\" in",
                      "clicks (",
                      "Qualify the table with a schema, or set search_path to an "
                      "existing one.");
}

/* ---- connections ---- */

static void each_source_reads_through_its_kind_of_connection(void **state)
{
    (void)state;
    assert_null(bind_source_connection_kind(SL_SOURCE_FILES));
    assert_string_equal(bind_source_connection_kind(SL_SOURCE_S3), "s3");
    assert_string_equal(bind_source_connection_kind(SL_SOURCE_POSTGRES), "postgres");
    assert_string_equal(bind_source_connection_kind(SL_SOURCE_HTTP), "http");
    assert_string_equal(bind_source_connection_kind(SL_SOURCE_SFTP), "sftp");
    assert_null(bind_source_connection_kind(SL_SOURCE_COUNT_));

    static const struct {
        const char *sql, *kind;
        plan_source_kind source;
    } fits[] = {
        {"CREATE PIPELINE p FROM FILES '/in/*.csv' INTO t", NULL, PLAN_SRC_FILES},
        {"CREATE PIPELINE p FROM S3 'logs/2026/' CONNECTION lake INTO t", "s3", PLAN_SRC_S3},
        {"CREATE PIPELINE p FROM POSTGRES 'public.orders' CONNECTION src INTO t", "postgres",
         PLAN_SRC_POSTGRES},
        {"CREATE PIPELINE p FROM POSTGRES 'public.orders' CONNECTION src INTO t", "redshift",
         PLAN_SRC_POSTGRES},
        {"CREATE PIPELINE p FROM HTTP '/v1/events' CONNECTION api INTO t", "http", PLAN_SRC_HTTP},
        {"CREATE PIPELINE p FROM SFTP '/out/*.csv' CONNECTION box INTO t", "sftp", PLAN_SRC_SFTP},
    };
    for (size_t i = 0; i < N(fits); i++) {
        bound_case k;
        const bind_facts f = {.current_schema = "public", .connection_kind = fits[i].kind};
        const plan_pipeline *p = bind_ok(&k, fits[i].sql, &f);
        assert_int_equal(p->source, fits[i].source);
        bound_case_free(&k);
    }
}

static void a_missing_connection_is_42704(void **state)
{
    (void)state;
    assert_bind_error("CREATE PIPELINE p FROM S3 'logs/' CONNECTION Lake INTO t", &in_public,
                      "42704", "connection \"lake\" does not exist", "Lake INTO",
                      "CREATE CONNECTION it first; SHOW CONNECTIONS lists them.");
}

static void a_connection_of_another_kind_is_42809(void **state)
{
    (void)state;
    static const struct {
        const char *sql, *kind, *message, *hint, *at;
    } misfits[] = {
        {"CREATE PIPELINE p FROM S3 'logs/' CONNECTION api INTO t", "http",
         "connection \"api\" is of kind http, not s3",
         "S3 sources read through a connection of kind s3.", "api INTO"},
        {"CREATE PIPELINE p FROM POSTGRES 'orders' CONNECTION lake INTO t", "s3",
         "connection \"lake\" is of kind s3, not postgres",
         "POSTGRES sources read through a connection of kind postgres or redshift.", "lake INTO"},
        {"CREATE PIPELINE p FROM HTTP '/v1' CONNECTION box INTO t", "sftp",
         "connection \"box\" is of kind sftp, not http",
         "HTTP sources read through a connection of kind http.", "box INTO"},
        {"CREATE PIPELINE p FROM SFTP '/out/*' CONNECTION dw INTO t", "redshift",
         "connection \"dw\" is of kind redshift, not sftp",
         "SFTP sources read through a connection of kind sftp.", "dw INTO"},
    };
    for (size_t i = 0; i < N(misfits); i++) {
        const bind_facts f = {.current_schema = "public", .connection_kind = misfits[i].kind};
        assert_bind_error(misfits[i].sql, &f, "42809", misfits[i].message, misfits[i].at,
                          misfits[i].hint);
    }
}

/* ---- columns ---- */

static void the_column_list_gives_columns_and_computed_columns(void **state)
{
    (void)state;
    bound_case k;
    const plan_pipeline *p =
        bind_ok(&k,
                "CREATE PIPELINE orders FROM FILES '/in/*.csv' "
                "TRANSFORM (COMPUTE total AS amount * (1 + tax), TRIM name) "
                "INTO orders (ID BigInt, Name TEXT, total numeric(12, 2), amount numeric(10, 2), "
                "tax real, seen_at timestamp with time zone, \"Note\" varchar(20))",
                &in_public);
    static const plan_column loaded[] = {
        {"id", "bigint"},
        {"name", "text"},
        {"amount", "numeric(10,2)"},
        {"tax", "real"},
        {"seen_at", "timestamp with time zone"},
        {"Note", "varchar(20)"},
    };
    assert_columns(p->columns, p->ncolumns, loaded, N(loaded));
    assert_one_computed(p, "total", "numeric(12,2)", "amount * (1 + tax)");
    assert_true(k.b.columns_known);
    assert_true(k.b.create_table);
    bound_case_free(&k);
}

static const plan_column users_table[] = {
    {"id", "bigint"},
    {"email", "text"},
    {"score", "integer"},
    {"updated_at", "timestamp with time zone"},
};

static void an_existing_table_gives_the_columns_when_there_is_no_list(void **state)
{
    (void)state;
    bound_case k;
    const bind_facts f = existing_table(users_table, N(users_table));
    const plan_pipeline *p = bind_ok(&k,
                                     "CREATE PIPELINE u FROM FILES '/in/*.csv' "
                                     "TRANSFORM (COMPUTE score AS length(email)) INTO users",
                                     &f);
    static const plan_column loaded[] = {
        {"id", "bigint"}, {"email", "text"}, {"updated_at", "timestamp with time zone"}};
    assert_columns(p->columns, p->ncolumns, loaded, N(loaded));
    assert_one_computed(p, "score", "integer", "length(email)");
    assert_true(k.b.columns_known);
    assert_false(k.b.create_table);
    bound_case_free(&k);

    /* a list of some of its columns: those are loaded, nothing is created */
    p = bind_ok(&k, "CREATE PIPELINE u FROM FILES '/in/*.csv' INTO users (email text, id bigint)",
                &f);
    static const plan_column listed[] = {{"email", "text"}, {"id", "bigint"}};
    assert_columns(p->columns, p->ncolumns, listed, N(listed));
    assert_true(k.b.columns_known);
    assert_false(k.b.create_table);
    bound_case_free(&k);
}

static void history_leaves_out_its_own_columns_of_an_existing_table(void **state)
{
    (void)state;
    static const plan_column versions[] = {
        {"id", "bigint"},
        {"valid_from", "timestamp with time zone"},
        {"email", "text"},
        {"updated_at", "timestamp with time zone"},
        {"valid_to", "timestamp with time zone"},
    };
    const bind_facts f = existing_table(versions, N(versions));
    bound_case k;
    const plan_pipeline *p =
        bind_ok(&k,
                "CREATE PIPELINE u FROM FILES '/in/*.csv' INTO users WITH "
                "(mode = history, primary_key = 'id', updated_at = updated_at)",
                &f);
    assert_int_equal(p->mode, PLAN_HISTORY);
    static const plan_column loaded[] = {
        {"id", "bigint"}, {"email", "text"}, {"updated_at", "timestamp with time zone"}};
    assert_columns(p->columns, p->ncolumns, loaded, N(loaded));
    bound_case_free(&k);

    /* in append mode they are ordinary columns */
    p = bind_ok(&k, "CREATE PIPELINE u FROM FILES '/in/*.csv' INTO users", &f);
    assert_columns(p->columns, p->ncolumns, versions, N(versions));
    bound_case_free(&k);
}

static void history_into_a_table_without_valid_from_or_valid_to_is_42703(void **state)
{
    (void)state;
    const bind_facts f = existing_table(users_table, N(users_table));
    static const char hint[] = "Mode history keeps each version's valid_from and valid_to in the "
                               "table: load into a new table, which sluice creates with them.";
    assert_bind_error("CREATE PIPELINE u FROM FILES '/in/*.csv' INTO public.users (id bigint, "
                      "updated_at timestamptz) WITH (mode = history, primary_key = 'id', "
                      "updated_at = updated_at)",
                      &f, "42703", "the existing target table has no column \"valid_from\"",
                      "public.users", hint);

    static const plan_column half[] = {
        {"id", "bigint"},
        {"updated_at", "timestamptz"},
        {"valid_from", "timestamptz"},
    };
    const bind_facts g = existing_table(half, N(half));
    assert_bind_error("CREATE PIPELINE u FROM FILES '/in/*.csv' INTO users WITH (mode = history, "
                      "primary_key = 'id', updated_at = updated_at)",
                      &g, "42703", "the existing target table has no column \"valid_to\"", "users",
                      hint);
}

static void a_listed_column_the_existing_table_lacks_is_42703(void **state)
{
    (void)state;
    const bind_facts f = existing_table(users_table, N(users_table));
    assert_bind_error("CREATE PIPELINE u FROM FILES '/in/*.csv' INTO users (id bigint, "
                      "Phone text, email text)",
                      &f, "42703", "column \"phone\" is not a column of the existing target table",
                      "Phone",
                      "The table exists already: list only its columns, or load into a "
                      "new table.");
}

/* ---- TRANSFORM against the columns ---- */

static const char listed_hint[] =
    "Add the column to the pipeline's column list (or to the table), or change the step.";

static void a_step_making_an_unlisted_column_is_42703_at_the_step(void **state)
{
    (void)state;
    assert_bind_error("CREATE PIPELINE p FROM FILES '/in/*.csv' TRANSFORM (TRIM a, RENAME a TO b) "
                      "INTO t (a text)",
                      &in_public, "42703",
                      "column \"b\" made by RENAME is not a column of the target", "RENAME",
                      listed_hint);
    assert_bind_error("CREATE PIPELINE p FROM FILES '/in/*.csv' TRANSFORM (SPLIT name ON ' ' "
                      "INTO (first, last)) INTO t (name text, first text)",
                      &in_public, "42703",
                      "column \"last\" made by the step is not a column of the target", "SPLIT",
                      listed_hint);
    assert_bind_error("CREATE PIPELINE p FROM FILES '/in/*.csv' TRANSFORM (LOWER email, EXTRACT "
                      "email MATCHING '^(.*)@(.*)$' INTO (who, domain)) INTO t (domain text)",
                      &in_public, "42703",
                      "column \"who\" made by the step is not a column of the target", "EXTRACT",
                      listed_hint);
    assert_bind_error("CREATE PIPELINE p FROM FILES '/in/*.csv' TRANSFORM (COMPUTE z AS a + 1) "
                      "INTO t (a integer)",
                      &in_public, "42703",
                      "column \"z\" made by COMPUTE is not a column of the target", "COMPUTE",
                      "COMPUTE needs the column in the column list, where its type is given.");

    /* the same steps making listed columns bind */
    bound_case k;
    bind_ok(&k,
            "CREATE PIPELINE p FROM FILES '/in/*.csv' TRANSFORM (RENAME a TO b, SPLIT name ON ' ' "
            "INTO (first, last), EXTRACT email MATCHING '^(.*)@(.*)$' INTO (who, domain)) "
            "INTO t (b text, first text, last text, who text, domain text)",
            &in_public);
    assert_int_equal(k.b.p.ncolumns, 5);
    bound_case_free(&k);

    /* without a column list or a table nothing is known to check against */
    bind_ok(&k, "CREATE PIPELINE p FROM FILES '/in/*.csv' TRANSFORM (RENAME a TO b) INTO t",
            &in_public);
    assert_false(k.b.columns_known);
    bound_case_free(&k);
}

static void dropping_a_listed_column_is_42P10_unless_a_later_step_makes_it(void **state)
{
    (void)state;
    assert_bind_error("CREATE PIPELINE p FROM FILES '/in/*.csv' TRANSFORM (HASH email, "
                      "DROP ssn, email) INTO t (email text, name text)",
                      &in_public, "42P10",
                      "column \"email\" is dropped by the TRANSFORM but is a column of the target",
                      "DROP", "Remove the column from the column list, or do not DROP it.");

    bound_case k;
    /* dropping what is not loaded is what DROP is for */
    bind_ok(&k, "CREATE PIPELINE p FROM FILES '/in/*.csv' TRANSFORM (DROP ssn) INTO t (name text)",
            &in_public);
    bound_case_free(&k);
    /* a later step makes the dropped column again */
    static const char *const again[] = {
        "CREATE PIPELINE p FROM FILES '/in/*.csv' TRANSFORM (DROP name, RENAME full_name TO "
        "name) INTO t (name text)",
        "CREATE PIPELINE p FROM FILES '/in/*.csv' TRANSFORM (DROP name, SPLIT whole ON ' ' INTO "
        "(name, rest)) INTO t (name text, rest text)",
        "CREATE PIPELINE p FROM FILES '/in/*.csv' TRANSFORM (DROP name, EXTRACT whole MATCHING "
        "'^(\\w+)' INTO (name)) INTO t (name text)",
        "CREATE PIPELINE p FROM FILES '/in/*.csv' TRANSFORM (DROP name, COMPUTE name AS "
        "upper(first)) INTO t (first text, name text)",
    };
    for (size_t i = 0; i < N(again); i++) {
        bind_ok(&k, again[i], &in_public);
        bound_case_free(&k);
    }
    /* …but not an earlier one */
    assert_bind_error("CREATE PIPELINE p FROM FILES '/in/*.csv' TRANSFORM (RENAME full_name TO "
                      "name, DROP name) INTO t (name text)",
                      &in_public, "42P10",
                      "column \"name\" is dropped by the TRANSFORM but is a column of the target",
                      "DROP", "Remove the column from the column list, or do not DROP it.");
}

static void keep_must_keep_every_listed_column_unless_a_later_step_makes_it(void **state)
{
    (void)state;
    assert_bind_error("CREATE PIPELINE p FROM FILES '/in/*.csv' TRANSFORM (TRIM a, KEEP a, c) "
                      "INTO t (a text, b text, c text)",
                      &in_public, "42P10", "column \"b\" of the target is not kept by KEEP", "KEEP",
                      "KEEP every column of the column list, or remove it from there.");

    bound_case k;
    /* KEEP a, x then x becomes b; c is computed by the warehouse, not loaded */
    const plan_pipeline *p =
        bind_ok(&k,
                "CREATE PIPELINE p FROM FILES '/in/*.csv' TRANSFORM (KEEP a, x, RENAME x TO b, "
                "COMPUTE c AS a || b) INTO t (a text, b text, c text)",
                &in_public);
    static const plan_column loaded[] = {{"a", "text"}, {"b", "text"}};
    assert_columns(p->columns, p->ncolumns, loaded, N(loaded));
    assert_one_computed(p, "c", "text", "a || b");
    bound_case_free(&k);
}

/* ---- WITH options ---- */

static void the_mode_option_maps_to_the_plan_mode(void **state)
{
    (void)state;
    static const struct {
        const char *with;
        plan_mode mode;
    } modes[] = {
        {"", PLAN_APPEND},
        {" WITH (mode = append)", PLAN_APPEND},
        {" WITH (mode = 'UPSERT', primary_key = 'id')", PLAN_UPSERT},
        {" WITH (mode = history, primary_key = 'id', updated_at = ts)", PLAN_HISTORY},
    };
    for (size_t i = 0; i < N(modes); i++) {
        char sql[256];
        snprintf(sql, sizeof(sql), "CREATE PIPELINE p FROM FILES '/in/*.csv' INTO t%s",
                 modes[i].with);
        bound_case k;
        assert_int_equal(bind_ok(&k, sql, &in_public)->mode, modes[i].mode);
        bound_case_free(&k);
    }
}

static void key_options_are_split_and_folded_like_identifiers(void **state)
{
    (void)state;
    bound_case k;
    const plan_pipeline *p =
        bind_ok(&k,
                "CREATE PIPELINE p FROM FILES '/in/*.csv' INTO t WITH (mode = history, "
                "primary_key = '\"MixedCase\", ID', updated_at = 'Changed_At', "
                "sortkey = 'Changed_At,id', distkey = 'User_Id')",
                &in_public);
    static const char *const pk[] = {"MixedCase", "id"};
    static const char *const sk[] = {"changed_at", "id"};
    assert_names(p->primary_key, p->nprimary_key, pk, N(pk));
    assert_names(p->sortkey, p->nsortkey, sk, N(sk));
    assert_string_equal(p->updated_at, "changed_at");
    assert_string_equal(p->distkey, "user_id");
    bound_case_free(&k);

    /* none given: none bound */
    p = bind_ok(&k, "CREATE PIPELINE p FROM FILES '/in/*.csv' INTO t", &in_public);
    assert_int_equal(p->nprimary_key, 0);
    assert_int_equal(p->nsortkey, 0);
    assert_null(p->updated_at);
    assert_null(p->distkey);
    bound_case_free(&k);
}

static void key_lists_skip_empty_parts_and_trim_blanks(void **state)
{
    (void)state;
    static const char *const ab[] = {"a", "b"};
    assert_primary_key("'a,,b'", ab, N(ab));
    assert_primary_key("',a,b,'", ab, N(ab));
    assert_primary_key("'  A ,\tb  '", ab, N(ab));
    assert_primary_key("'a, ,b'", ab, N(ab));
    static const char *const spaced[] = {" A b "};
    assert_primary_key("' \" A b \" '", spaced, N(spaced));
}

static void a_quoted_key_keeps_its_commas_and_quotes(void **state)
{
    (void)state;
    static const char *const comma[] = {"a,b"};
    assert_primary_key("'\"a,b\"'", comma, N(comma));
    static const char *const comma_and_c[] = {"a,b", "c"};
    assert_primary_key("'\"a,b\", C'", comma_and_c, N(comma_and_c));
    static const char *const doubled[] = {"say \"hi\", twice", "x"};
    assert_primary_key("'\"say \"\"hi\"\", twice\",x'", doubled, N(doubled));
}

static void a_key_written_as_an_identifier_is_taken_as_the_parser_resolved_it(void **state)
{
    (void)state;
    static const char *const folded[] = {"id"};
    assert_primary_key("Id", folded, N(folded));
    static const char *const quoted[] = {"MixedCase"};
    assert_primary_key("\"MixedCase\"", quoted, N(quoted));
    static const char *const comma[] = {"a,b"};
    assert_primary_key("\"a,b\"", comma, N(comma));

    bound_case k;
    const plan_pipeline *p = bind_ok(&k,
                                     "CREATE PIPELINE p FROM FILES '/in/*.csv' INTO t WITH "
                                     "(sortkey = \"Day\", updated_at = \"ChangedAt\", "
                                     "distkey = UserId)",
                                     &in_public);
    static const char *const day[] = {"Day"};
    assert_names(p->sortkey, p->nsortkey, day, N(day));
    assert_string_equal(p->updated_at, "ChangedAt");
    assert_string_equal(p->distkey, "userid");
    bound_case_free(&k);
}

/* ---- FORMAT options ---- */

static void format_options_reach_the_plan(void **state)
{
    (void)state;
    bound_case k;
    const plan_pipeline *p = bind_ok(&k,
                                     "CREATE PIPELINE p FROM FILES '/in/*.csv' FORMAT CSV "
                                     "(header = off, delimiter = ';', quote = '''', "
                                     "null = 'NULL') INTO t",
                                     &in_public);
    assert_int_equal(p->format.kind, PLAN_FMT_CSV);
    assert_false(p->format.header);
    assert_int_equal(p->format.delimiter, ';');
    assert_int_equal(p->format.quote, '\'');
    assert_string_equal(p->format.null_string, "NULL");
    assert_null(p->format.records);
    bound_case_free(&k);

    p = bind_ok(&k,
                "CREATE PIPELINE p FROM FILES '/in/*.json' FORMAT JSON (records = 'data.items') "
                "INTO t",
                &in_public);
    assert_int_equal(p->format.kind, PLAN_FMT_JSON);
    assert_string_equal(p->format.records, "data.items");
    bound_case_free(&k);
}

static void format_defaults_are_those_of_copy_csv(void **state)
{
    (void)state;
    static const char *const sql[] = {
        "CREATE PIPELINE p FROM FILES '/in/*.csv' INTO t",
        "CREATE PIPELINE p FROM FILES '/in/*.csv' FORMAT CSV INTO t",
        "CREATE PIPELINE p FROM FILES '/in/*.csv' FORMAT CSV (header = true) INTO t",
    };
    for (size_t i = 0; i < N(sql); i++) {
        bound_case k;
        const plan_pipeline *p = bind_ok(&k, sql[i], &in_public);
        assert_int_equal(p->format.kind, PLAN_FMT_CSV);
        assert_true(p->format.header);
        assert_int_equal(p->format.delimiter, ',');
        assert_int_equal(p->format.quote, '"');
        assert_null(p->format.null_string);
        assert_null(p->format.records);
        bound_case_free(&k);
    }
}

/* ---- memory ---- */

static void freeing_a_bound_pipeline_leaves_it_empty(void **state)
{
    (void)state;
    bound_case k;
    bind_ok(&k,
            "CREATE PIPELINE p FROM FILES '/in/*.csv' TRANSFORM (COMPUTE c AS a + b) "
            "INTO t (a integer, b integer, c integer) WITH (mode = history, "
            "primary_key = 'a, b', updated_at = ts, sortkey = 'a,b', distkey = a)",
            &in_public);
    assert_int_equal(k.b.nnames, 6);
    bound_pipeline_free(&k.b);
    assert_null(k.b.names);
    assert_null(k.b.columns);
    assert_null(k.b.computed);
    assert_int_equal(k.b.nnames, 0);
    assert_int_equal(k.b.p.ncolumns, 0);
    assert_null(k.b.p.primary_key);
    bound_pipeline_free(&k.b); /* twice is harmless */
    sl_parse_free(k.parsed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_unqualified_target_goes_to_the_current_schema),
        cmocka_unit_test(a_qualified_target_keeps_its_schema),
        cmocka_unit_test(no_schema_anywhere_is_3F000_at_the_table_name),
        cmocka_unit_test(each_source_reads_through_its_kind_of_connection),
        cmocka_unit_test(a_missing_connection_is_42704),
        cmocka_unit_test(a_connection_of_another_kind_is_42809),
        cmocka_unit_test(the_column_list_gives_columns_and_computed_columns),
        cmocka_unit_test(an_existing_table_gives_the_columns_when_there_is_no_list),
        cmocka_unit_test(history_leaves_out_its_own_columns_of_an_existing_table),
        cmocka_unit_test(history_into_a_table_without_valid_from_or_valid_to_is_42703),
        cmocka_unit_test(a_listed_column_the_existing_table_lacks_is_42703),
        cmocka_unit_test(a_step_making_an_unlisted_column_is_42703_at_the_step),
        cmocka_unit_test(dropping_a_listed_column_is_42P10_unless_a_later_step_makes_it),
        cmocka_unit_test(keep_must_keep_every_listed_column_unless_a_later_step_makes_it),
        cmocka_unit_test(the_mode_option_maps_to_the_plan_mode),
        cmocka_unit_test(key_options_are_split_and_folded_like_identifiers),
        cmocka_unit_test(key_lists_skip_empty_parts_and_trim_blanks),
        cmocka_unit_test(a_quoted_key_keeps_its_commas_and_quotes),
        cmocka_unit_test(a_key_written_as_an_identifier_is_taken_as_the_parser_resolved_it),
        cmocka_unit_test(format_options_reach_the_plan),
        cmocka_unit_test(format_defaults_are_those_of_copy_csv),
        cmocka_unit_test(freeing_a_bound_pipeline_leaves_it_empty),
    };
    return cmocka_run_group_tests(tests, 0, NULL);
}
