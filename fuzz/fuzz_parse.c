/*
 * fuzz_parse.c — libFuzzer harness for the statement parser: whatever text a client
 * sends, sl_parse must return a tree or an error (never crash, leak or read out of
 * bounds), and a tree must survive SHOW CREATE: its canonical text parses back to an
 * equal tree, and deparsing that gives the same text again. What parses is also what
 * classify_statement (the proxy's cheap test) calls ours, with the same kind. A pipeline
 * that parses is bound (engine/bind.c) and planned for both dialects, as EXPLAIN does: the
 * binder and the planner answer SQL or an error with a SQLSTATE, whatever the names.
 */
#include "bind.h"
#include "intercept.h" /* sl_error */
#include "parse.h"
#include "plan.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_round_trip(const sl_stmt *s)
{
    char *text = sl_stmt_to_sql(s);
    if (!text)
        abort();
    sl_parse_result again = sl_parse(text);
    if (again.error) {
        fprintf(stderr, "canonical text does not parse: %s\n  %s\n", again.error->message, text);
        abort();
    }
    if (!sl_stmt_equal(s, again.stmt)) {
        fprintf(stderr, "canonical text means something else:\n  %s\n", text);
        abort();
    }
    char *text2 = sl_stmt_to_sql(again.stmt);
    if (!text2 || strcmp(text, text2) != 0) {
        fprintf(stderr, "canonical text is not a fixed point:\n  %s\n  %s\n", text,
                text2 ? text2 : "(null)");
        abort();
    }
    free(text2);
    sl_parse_free(again);
    free(text);
}

static void check_error(const sl_error *e)
{
    if (!e->sqlstate[0] || !e->message[0])
        abort(); /* every failure says why */
}

/* CREATE PIPELINE as EXPLAIN shows it: catalog facts made up to fit, both dialects. */
static void check_plan(const sl_create_pipeline *c)
{
    static const plan_column existing[] = {{"id", "bigint"}, {"v", "text"}};
    for (int variant = 0; variant < 2; variant++) {
        bind_facts f = {.current_schema = "public",
                        .connection_kind = bind_source_connection_kind(c->source),
                        .table_exists = variant == 1,
                        .table_columns = existing,
                        .ntable_columns = 2};
        bound_pipeline b;
        sl_error err = {0};
        if (!bind_pipeline(c, &f, &b, &err)) {
            check_error(&err);
            bound_pipeline_free(&b);
            continue;
        }
        plan_ledger_item item = {.key = "<item>", .mtime = "<mtime>", .etag = "<etag>"};
        plan_batch batch = {.batch_id = "<batch>",
                            .started_at = "<start>",
                            .manifest_url = "s3://b/p/<batch>/manifest",
                            .iam_role = "arn:aws:iam::1:role/r",
                            .items = &item,
                            .nitems = 1};
        for (int d = 0; d < 2; d++) {
            plan_target t = {.dialect = d ? PLAN_REDSHIFT : PLAN_POSTGRES, .explain = true};
            plan_out out = {0};
            memset(&err, 0, sizeof(err));
            bool ok = plan_warehouse_setup(&t, &out, &err);
            if (ok && b.create_table)
                ok = plan_table_create(&t, &b.p, &out, &err);
            if (ok && b.columns_known)
                ok = plan_batch_run(&t, &b.p, &batch, &out, &err);
            if (!ok)
                check_error(&err);
            plan_out_free(&out);
        }
        bound_pipeline_free(&b);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *sql = malloc(size + 1);
    if (!sql)
        return 0;
    memcpy(sql, data, size);
    sql[size] = '\0';
    sl_parse_result r = sl_parse(sql);
    if (r.stmt) {
        /* the proxy decides by classify_statement what to hand to the parser: they agree */
        if (classify_statement(sql, strlen(sql)) != r.stmt->kind) {
            fprintf(stderr, "classified as %d, parsed as %d: %s\n",
                    classify_statement(sql, strlen(sql)), r.stmt->kind, sql);
            abort();
        }
        check_round_trip(r.stmt);
        const sl_stmt *st = r.stmt->kind == SL_STMT_EXPLAIN ? r.stmt->u.explain.stmt : r.stmt;
        if (st->kind == SL_STMT_CREATE_PIPELINE)
            check_plan(&st->u.create_pipeline);
    } else if (!r.error || !r.error->sqlstate[0] || !r.error->message[0])
        abort(); /* every failure says why */
    sl_parse_free(r);
    free(sql);
    return 0;
}
