/*
 * batch_run.c — one batch of a pipeline, as a worker of sluice's engine runs it
 * (engine/batch.c), from the command line, for scenarios: reads the pipeline's definition
 * and target from the catalog, runs the batch on its own connection, prints the outcome.
 *
 *   batch_run CONNINFO PIPELINE
 *
 * Prints "loaded: items=I rows=R error_rows=E", "nothing new", "lost the race", or
 * "failed: SQLSTATE message" (exit status 1).
 */
#include "batch.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* NOTICEs of the batch's idempotent DDL */
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: batch_run CONNINFO PIPELINE\n");
        return 2;
    }
    PGconn *c = PQconnectdb(argv[1]);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "connect: %s", PQerrorMessage(c));
        return 2;
    }
    PQsetNoticeProcessor(c, quiet, NULL);
    const char *params[1] = {argv[2]};
    PGresult *r = PQexecParams(c,
                               "SELECT definition, target_schema, target_table FROM "
                               "sluice.pipeline WHERE name = $1",
                               1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        fprintf(stderr, "no pipeline %s: %s", argv[2], PQresultErrorMessage(r));
        return 2;
    }
    static const char salt[] = "regress-salt";
    batch_request rq = {.pipeline = argv[2],
                        .definition = PQgetvalue(r, 0, 0),
                        .target_schema = PQgetvalue(r, 0, 1),
                        .target_table = PQgetvalue(r, 0, 2),
                        .settle_seconds = 0,
                        .max_item_bytes = 1LL << 30,
                        .hash_salt = salt,
                        .salt_len = sizeof(salt) - 1};
    batch_result res;
    bool ok = batch_run(c, &rq, &res);
    PQclear(r);
    PQfinish(c);
    if (!ok) {
        printf("failed: %s %s\n", res.err.sqlstate, res.err.message);
        return 1;
    }
    if (res.nothing_new)
        printf("nothing new\n");
    else if (res.lost_race)
        printf("lost the race\n");
    else
        printf("loaded: items=%lld rows=%lld error_rows=%lld\n", res.items, res.rows,
               res.error_rows);
    return 0;
}
