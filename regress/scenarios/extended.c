/*
 * extended.c — sluice's own statements through libpq's extended protocol and pipeline
 * mode, mixed with relayed statements, errors and transactions.
 *
 * Usage: extended "CONNINFO"   (exits non-zero on the first failed check)
 */
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

static void check(int ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s: ", ok ? "ok" : "FAILED");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    if (!ok)
        failures++;
}

static const char *sqlstate(const PGresult *r)
{
    const char *s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    return s ? s : "";
}

static int is_version(const PGresult *r)
{
    return r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && PQnfields(r) == 1 &&
           strcmp(PQfname(r, 0), "version") == 0 && PQftype(r, 0) == 25 &&
           strncmp(PQgetvalue(r, 0, 0), "sluice ", 7) == 0;
}

static void exec_ok(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    check(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK, "%s", sql);
    PQclear(r);
}

/* Next result of a pipeline; NULL results between queries are skipped. */
static PGresult *next_result(PGconn *c)
{
    PGresult *r = PQgetResult(c);
    if (!r)
        r = PQgetResult(c);
    return r;
}

static void expect_next(PGconn *c, ExecStatusType want, const char *what)
{
    PGresult *r = next_result(c);
    check(r && PQresultStatus(r) == want, "%s: %s (%s %s)", what, PQresStatus(want),
          r ? PQresStatus(PQresultStatus(r)) : "no result", sqlstate(r));
    PQclear(r);
}

static void prepared_statements(PGconn *c)
{
    PGresult *r = PQprepare(c, "sv", "SHOW sluice.version", 0, NULL);
    check(PQresultStatus(r) == PGRES_COMMAND_OK, "Parse of a named sluice statement");
    PQclear(r);
    r = PQdescribePrepared(c, "sv");
    check(PQresultStatus(r) == PGRES_COMMAND_OK && PQnfields(r) == 1 &&
              strcmp(PQfname(r, 0), "version") == 0 && PQftype(r, 0) == 25 && PQnparams(r) == 0,
          "Describe statement gives the column version of type text");
    PQclear(r);
    for (int i = 0; i < 3; i++) {
        r = PQexecPrepared(c, "sv", 0, NULL, NULL, NULL, 0);
        check(is_version(r), "Bind/Execute of the named statement, run %d: %s", i + 1,
              r && PQntuples(r) ? PQgetvalue(r, 0, 0) : PQerrorMessage(c));
        PQclear(r);
    }
    r = PQexecParams(c, "SHOW sluice.version", 0, NULL, NULL, NULL, NULL, 1);
    check(r && PQresultStatus(r) == PGRES_TUPLES_OK && PQfformat(r, 0) == 1 &&
              strncmp(PQgetvalue(r, 0, 0), "sluice ", 7) == 0,
          "binary result format: text's bytes, format code 1");
    PQclear(r);
    r = PQprepare(c, "two", "SHOW sluice.version; SELECT 1", 0, NULL);
    check(strcmp(sqlstate(r), "42601") == 0, "two statements in one Parse: 42601 (%s)",
          sqlstate(r));
    PQclear(r);
    r = PQexecParams(c, "SHOW sluice.nothing", 0, NULL, NULL, NULL, NULL, 0);
    check(strcmp(sqlstate(r), "42704") == 0, "unknown sluice setting: 42704 (%s)", sqlstate(r));
    PQclear(r);
    r = PQexecParams(c, "SELECT $1::int + 1", 1, NULL, (const char *[]){"41"}, NULL, NULL, 0);
    check(r && PQresultStatus(r) == PGRES_TUPLES_OK && strcmp(PQgetvalue(r, 0, 0), "42") == 0,
          "a relayed parameterized query after sluice statements");
    PQclear(r);
    /* the backend's statement named like ours replaces it */
    r = PQprepare(c, "sv", "SELECT 'relayed'::text AS v", 0, NULL);
    check(PQresultStatus(r) == PGRES_COMMAND_OK, "a relayed Parse reusing the name");
    PQclear(r);
    r = PQexecPrepared(c, "sv", 0, NULL, NULL, NULL, 0);
    check(r && PQresultStatus(r) == PGRES_TUPLES_OK && strcmp(PQgetvalue(r, 0, 0), "relayed") == 0,
          "...and Execute now reaches the backend's statement");
    PQclear(r);
}

static void transactions(PGconn *c)
{
    exec_ok(c, "BEGIN");
    PGresult *r = PQexecParams(c, "SHOW sluice.version", 0, NULL, NULL, NULL, NULL, 0);
    check(is_version(r) && PQtransactionStatus(c) == PQTRANS_INTRANS,
          "inside a transaction block, status stays T");
    PQclear(r);
    r = PQexec(c, "SELECT 1/0");
    PQclear(r);
    r = PQexecParams(c, "SHOW sluice.version", 0, NULL, NULL, NULL, NULL, 0);
    check(strcmp(sqlstate(r), "25P02") == 0 && PQtransactionStatus(c) == PQTRANS_INERROR,
          "in a failed transaction block: 25P02 and status E (%s)", sqlstate(r));
    PQclear(r);
    exec_ok(c, "ROLLBACK");
    r = PQexec(c, "SELECT 1/0");
    PQclear(r);
    r = PQexecParams(c, "SHOW sluice.version", 0, NULL, NULL, NULL, NULL, 0);
    check(is_version(r) && PQtransactionStatus(c) == PQTRANS_IDLE,
          "after an error outside a transaction block");
    PQclear(r);

    /* our failure inside a block fails the block, as PostgreSQL would */
    exec_ok(c, "BEGIN");
    exec_ok(c, "CREATE TEMP TABLE ext_t (i int)");
    r = PQexecParams(c, "SHOW sluice.nothing", 0, NULL, NULL, NULL, NULL, 0);
    check(strcmp(sqlstate(r), "42704") == 0 && PQtransactionStatus(c) == PQTRANS_INERROR,
          "a failed sluice statement puts the transaction in the failed state (%s)", sqlstate(r));
    PQclear(r);
    r = PQexec(c, "SELECT 1");
    check(strcmp(sqlstate(r), "25P02") == 0, "...and the backend agrees: 25P02 (%s)", sqlstate(r));
    PQclear(r);
    exec_ok(c, "ROLLBACK");
    r = PQexec(c, "SELECT count(*) FROM pg_class WHERE relname = 'ext_t'");
    check(r && strcmp(PQgetvalue(r, 0, 0), "0") == 0, "...and ROLLBACK undid the block");
    PQclear(r);
}

static int count_connections(PGconn *c)
{
    PGresult *r = PQexec(c, "SELECT count(*) FROM sluice.connection");
    int n = PQresultStatus(r) == PGRES_TUPLES_OK ? atoi(PQgetvalue(r, 0, 0)) : -1;
    PQclear(r);
    return n;
}

/* SHOW CONNECTIONS runs its queries on this very session: it sees this transaction. */
static void catalog_reads(PGconn *c)
{
    int before = count_connections(c);
    check(before >= 0, "the catalog exists in this database (%d connections)", before);
    exec_ok(c, "BEGIN");
    exec_ok(c, "INSERT INTO sluice.connection (name, kind, options, secrets) VALUES "
               "('ext_lake', 's3', '{\"bucket\": \"b\"}', '{\"secret_access_key\": \"v1:x\"}')");
    PGresult *r = PQexecParams(c, "SHOW CONNECTIONS", 0, NULL, NULL, NULL, NULL, 0);
    int found = 0;
    for (int i = 0; r && PQresultStatus(r) == PGRES_TUPLES_OK && i < PQntuples(r); i++)
        if (strcmp(PQgetvalue(r, i, 0), "ext_lake") == 0 &&
            strcmp(PQgetvalue(r, i, 3), "{\"secret_access_key\": \"********\"}") == 0)
            found++;
    check(r && PQnfields(r) == 4 && PQntuples(r) == before + 1 && found == 1 &&
              PQtransactionStatus(c) == PQTRANS_INTRANS,
          "SHOW CONNECTIONS (extended) sees the block's insert, secret masked (%d rows)",
          r ? PQntuples(r) : -1);
    PQclear(r);
    exec_ok(c, "ROLLBACK");
    check(count_connections(c) == before, "...and ROLLBACK undid it");

    check(PQenterPipelineMode(c) == 1, "enter pipeline mode");
    PQsendQueryParams(c, "SELECT count(*) FROM sluice.connection", 0, NULL, NULL, NULL, NULL, 0);
    PQsendQueryParams(c, "SHOW CONNECTIONS", 0, NULL, NULL, NULL, NULL, 0);
    PQsendQueryParams(c, "SELECT 5", 0, NULL, NULL, NULL, NULL, 0);
    PQpipelineSync(c);
    PGresult *cnt = next_result(c);
    PGresult *show = next_result(c);
    PGresult *five = next_result(c);
    check(cnt && show && five && PQresultStatus(show) == PGRES_TUPLES_OK &&
              PQntuples(show) == atoi(PQgetvalue(cnt, 0, 0)) &&
              strcmp(PQgetvalue(five, 0, 0), "5") == 0,
          "pipeline: SHOW CONNECTIONS between relayed queries, in order");
    PQclear(cnt);
    PQclear(show);
    PQclear(five);
    expect_next(c, PGRES_PIPELINE_SYNC, "pipeline: sync");

    /* the batch stays one implicit transaction: a later error undoes the insert */
    PQsendQueryParams(c, "CREATE TEMP TABLE ext_implicit (i int)", 0, NULL, NULL, NULL, NULL, 0);
    PQpipelineSync(c);
    expect_next(c, PGRES_COMMAND_OK, "pipeline: create a table");
    expect_next(c, PGRES_PIPELINE_SYNC, "pipeline: sync");
    PQsendQueryParams(c, "INSERT INTO ext_implicit VALUES (1)", 0, NULL, NULL, NULL, NULL, 0);
    PQsendQueryParams(c, "SHOW CONNECTIONS", 0, NULL, NULL, NULL, NULL, 0);
    PQsendQueryParams(c, "SELECT 1/0", 0, NULL, NULL, NULL, NULL, 0);
    PQsendQueryParams(c, "SELECT 6", 0, NULL, NULL, NULL, NULL, 0);
    PQpipelineSync(c);
    expect_next(c, PGRES_COMMAND_OK, "pipeline: insert");
    expect_next(c, PGRES_TUPLES_OK, "pipeline: SHOW CONNECTIONS");
    expect_next(c, PGRES_FATAL_ERROR, "pipeline: the error after it");
    expect_next(c, PGRES_PIPELINE_ABORTED, "pipeline: skipped after the error");
    expect_next(c, PGRES_PIPELINE_SYNC, "pipeline: sync");
    PQclear(PQgetResult(c));
    check(PQexitPipelineMode(c) == 1, "leave pipeline mode");
    r = PQexec(c, "SELECT count(*) FROM ext_implicit");
    check(r && strcmp(PQgetvalue(r, 0, 0), "0") == 0,
          "the error undid the insert made before SHOW CONNECTIONS in the same batch");
    PQclear(r);
}

static void pipelines(PGconn *c)
{
    check(PQenterPipelineMode(c) == 1, "enter pipeline mode");
    PQsendQueryParams(c, "SELECT 1", 0, NULL, NULL, NULL, NULL, 0);
    PQsendQueryParams(c, "SHOW sluice.version", 0, NULL, NULL, NULL, NULL, 0);
    PQsendQueryParams(c, "SELECT $1::int", 1, NULL, (const char *[]){"7"}, NULL, NULL, 0);
    PQsendPrepare(c, "pv", "SHOW sluice.version", 0, NULL);
    PQsendQueryPrepared(c, "pv", 0, NULL, NULL, NULL, 0);
    PQpipelineSync(c);
    PGresult *r = next_result(c);
    check(r && PQresultStatus(r) == PGRES_TUPLES_OK && strcmp(PQgetvalue(r, 0, 0), "1") == 0,
          "pipeline: relayed result first");
    PQclear(r);
    r = next_result(c);
    check(is_version(r), "pipeline: then ours, in order");
    PQclear(r);
    r = next_result(c);
    check(r && PQresultStatus(r) == PGRES_TUPLES_OK && strcmp(PQgetvalue(r, 0, 0), "7") == 0,
          "pipeline: then relayed again");
    PQclear(r);
    expect_next(c, PGRES_COMMAND_OK, "pipeline: Parse of ours");
    r = next_result(c);
    check(is_version(r), "pipeline: Execute of ours");
    PQclear(r);
    expect_next(c, PGRES_PIPELINE_SYNC, "pipeline: sync");

    /* a relayed error before ours: everything up to Sync is skipped */
    PQsendQueryParams(c, "SELECT 1/0", 0, NULL, NULL, NULL, NULL, 0);
    PQsendQueryParams(c, "SHOW sluice.version", 0, NULL, NULL, NULL, NULL, 0);
    PQsendQueryParams(c, "SELECT 2", 0, NULL, NULL, NULL, NULL, 0);
    PQpipelineSync(c);
    expect_next(c, PGRES_FATAL_ERROR, "pipeline: the relayed error");
    expect_next(c, PGRES_PIPELINE_ABORTED, "pipeline: ours skipped after it");
    expect_next(c, PGRES_PIPELINE_ABORTED, "pipeline: relayed skipped after it");
    expect_next(c, PGRES_PIPELINE_SYNC, "pipeline: sync after the error");

    /* our error: the relayed statements after it are skipped by sluice */
    PQsendQueryParams(c, "SHOW sluice.nothing", 0, NULL, NULL, NULL, NULL, 0);
    PQsendQueryParams(c, "SELECT 3", 0, NULL, NULL, NULL, NULL, 0);
    PQpipelineSync(c);
    expect_next(c, PGRES_FATAL_ERROR, "pipeline: our error");
    expect_next(c, PGRES_PIPELINE_ABORTED, "pipeline: relayed skipped after ours failed");
    expect_next(c, PGRES_PIPELINE_SYNC, "pipeline: sync after our error");

    /* and the session is healthy afterwards */
    PQsendQueryParams(c, "SHOW sluice.version", 0, NULL, NULL, NULL, NULL, 0);
    PQsendQueryParams(c, "SELECT 4", 0, NULL, NULL, NULL, NULL, 0);
    PQpipelineSync(c);
    r = next_result(c);
    check(is_version(r), "pipeline: ours works after the errors");
    PQclear(r);
    r = next_result(c);
    check(r && PQresultStatus(r) == PGRES_TUPLES_OK && strcmp(PQgetvalue(r, 0, 0), "4") == 0,
          "pipeline: relayed works after the errors");
    PQclear(r);
    expect_next(c, PGRES_PIPELINE_SYNC, "pipeline: final sync");
    r = PQgetResult(c);
    PQclear(r);
    check(PQexitPipelineMode(c) == 1, "leave pipeline mode");
}

static void send_query(PGconn *c, const char *sql)
{
    check(PQsendQueryParams(c, sql, 0, NULL, NULL, NULL, NULL, 0) == 1, "send %s", sql);
}

static const char *scalar(PGconn *c, const char *sql, char *buf, size_t len)
{
    PGresult *r = PQexecParams(c, sql, 0, NULL, NULL, NULL, NULL, 0);
    snprintf(buf, len, "%s",
             PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "?");
    PQclear(r);
    return buf;
}

/* The model's relation and catalog rows, as "relations/models/refreshes". */
static const char *model_traces(PGconn *c, char *buf, size_t len)
{
    return scalar(c,
                  "SELECT (SELECT count(*) FROM pg_class WHERE relname LIKE 'ext\\_model%') || '/' "
                  "|| (SELECT count(*) FROM sluice.model WHERE name = 'ext_model') || '/' "
                  "|| (SELECT count(*) FROM sluice.model_refresh WHERE model = 'ext_model')",
                  buf, len);
}

/* CREATE / REFRESH MODEL in a pipeline belong to the batch's implicit transaction. */
static void model_batches(PGconn *c)
{
    char buf[64];
    exec_ok(c, "CREATE TABLE ext_base (i int)");
    exec_ok(c, "INSERT INTO ext_base VALUES (1), (2)");

    check(PQenterPipelineMode(c) == 1, "enter pipeline mode");
    send_query(c, "CREATE MODEL ext_model MATERIALIZED AS TABLE AS SELECT count(*) AS n "
                  "FROM ext_base");
    send_query(c, "INSERT INTO ext_base VALUES (3)");
    send_query(c, "REFRESH MODEL ext_model");
    send_query(c, "SELECT n FROM ext_model");
    send_query(c, "SELECT 1/0");
    PQpipelineSync(c);
    expect_next(c, PGRES_COMMAND_OK, "pipeline: CREATE MODEL");
    expect_next(c, PGRES_COMMAND_OK, "pipeline: insert into its base table");
    expect_next(c, PGRES_COMMAND_OK, "pipeline: REFRESH MODEL");
    PGresult *r = next_result(c);
    check(r && PQresultStatus(r) == PGRES_TUPLES_OK && strcmp(PQgetvalue(r, 0, 0), "3") == 0,
          "pipeline: the refreshed model, read in the same batch, has the new row");
    PQclear(r);
    expect_next(c, PGRES_FATAL_ERROR, "pipeline: a later statement fails");
    expect_next(c, PGRES_PIPELINE_SYNC, "pipeline: sync");
    PQclear(PQgetResult(c));
    check(PQexitPipelineMode(c) == 1, "leave pipeline mode");
    check(strcmp(model_traces(c, buf, sizeof(buf)), "0/0/0") == 0,
          "the failed batch left no model relation, model or refresh row (%s)", buf);

    check(PQenterPipelineMode(c) == 1, "enter pipeline mode");
    send_query(c, "CREATE MODEL ext_model MATERIALIZED AS TABLE AS SELECT count(*) AS n "
                  "FROM ext_base");
    send_query(c, "REFRESH MODEL ext_model");
    send_query(c, "EXPLAIN DROP MODEL ext_model");
    PQpipelineSync(c);
    expect_next(c, PGRES_COMMAND_OK, "pipeline: CREATE MODEL");
    expect_next(c, PGRES_COMMAND_OK, "pipeline: REFRESH MODEL");
    r = next_result(c);
    check(r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 2 &&
              strcmp(PQgetvalue(r, 0, 0), "DROP TABLE IF EXISTS \"public\".\"ext_model\"") == 0,
          "pipeline: EXPLAIN DROP MODEL sees the model created in the same batch");
    PQclear(r);
    expect_next(c, PGRES_PIPELINE_SYNC, "pipeline: sync");
    PQclear(PQgetResult(c));
    check(PQexitPipelineMode(c) == 1, "leave pipeline mode");
    check(strcmp(model_traces(c, buf, sizeof(buf)), "1/1/1") == 0,
          "the batch that succeeded kept the model and its refresh (%s)", buf);
    r = PQexecParams(c, "DROP MODEL ext_model", 0, NULL, NULL, NULL, NULL, 0);
    check(PQresultStatus(r) == PGRES_COMMAND_OK && strcmp(PQcmdStatus(r), "DROP MODEL") == 0,
          "DROP MODEL (extended): %s", PQcmdStatus(r));
    PQclear(r);
    check(strcmp(model_traces(c, buf, sizeof(buf)), "0/0/0") == 0,
          "DROP MODEL removed the relation and the catalog rows (%s)", buf);
    exec_ok(c, "DROP TABLE ext_base");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CONNINFO\n", argv[0]);
        return 2;
    }
    PGconn *c = PQconnectdb(argv[1]);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "connection failed: %s", PQerrorMessage(c));
        return 1;
    }
    prepared_statements(c);
    transactions(c);
    pipelines(c);
    catalog_reads(c);
    model_batches(c);
    PQfinish(c);
    printf("%d failure(s)\n", failures);
    return failures ? 1 : 0;
}
