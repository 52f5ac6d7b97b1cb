/* backend_lost — what a client sees when its PostgreSQL backend goes away mid-query.
 *
 *   build/scenarios/backend_lost CONNINFO EXPECTED_SQLSTATE
 *
 * Connects (through sluice), prints "backend_pid N" — the PostgreSQL process serving the
 * session — then runs SELECT pg_sleep(30) and waits. The calling script kills that backend.
 * The query must fail with EXPECTED_SQLSTATE (57P01 when PostgreSQL says goodbye itself,
 * 08006 when the backend just vanished and sluice has to say it) well before the 30 s, and
 * the connection must then be closed: libpq reports CONNECTION_BAD and a further query fails.
 * Exits 0 only when all that holds.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    PGconn *conn;
    PGresult *res, *first;
    const char *state;
    double t0, took;
    int ok = 1;

    if (argc != 3) {
        fprintf(stderr, "usage: %s CONNINFO EXPECTED_SQLSTATE\n", argv[0]);
        return 2;
    }
    conn = PQconnectdb(argv[1]);
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "backend_lost: cannot connect: %s", PQerrorMessage(conn));
        return 1;
    }
    res = PQexec(conn, "SELECT pg_backend_pid()");
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        fprintf(stderr, "backend_lost: %s", PQerrorMessage(conn));
        return 1;
    }
    printf("backend_pid %s\n", PQgetvalue(res, 0, 0));
    fflush(stdout);
    PQclear(res);

    /* libpq turns the server's ErrorResponse and the close that follows into two results;
     * the first one carries what the server (or sluice) said. */
    t0 = now();
    if (!PQsendQuery(conn, "SELECT pg_sleep(30)")) {
        fprintf(stderr, "backend_lost: %s", PQerrorMessage(conn));
        return 1;
    }
    first = PQgetResult(conn);
    took = now() - t0;
    while ((res = PQgetResult(conn)) != NULL)
        PQclear(res);
    state = PQresultErrorField(first, PG_DIAG_SQLSTATE);
    printf("status %s\nsqlstate %s\nseconds %.2f\nmessage %s\n", PQresStatus(PQresultStatus(first)),
           state ? state : "none", took, PQresultErrorMessage(first));
    if (PQresultStatus(first) != PGRES_FATAL_ERROR || !state || strcmp(state, argv[2]) != 0) {
        printf("not ok - the query fails with SQLSTATE %s\n", argv[2]);
        ok = 0;
    }
    if (took > 20) {
        printf("not ok - the failure arrives promptly (took %.1f s)\n", took);
        ok = 0;
    }
    PQclear(first);

    res = PQexec(conn, "SELECT 1");
    if (PQresultStatus(res) == PGRES_TUPLES_OK || PQstatus(conn) != CONNECTION_BAD) {
        printf("not ok - the connection is closed afterwards (status %s, connection %s)\n",
               PQresStatus(PQresultStatus(res)),
               PQstatus(conn) == CONNECTION_BAD ? "bad" : "still ok");
        ok = 0;
    }
    PQclear(res);
    PQfinish(conn);
    printf("%s\n", ok ? "backend_lost: ok" : "backend_lost: FAILED");
    return ok ? 0 : 1;
}
