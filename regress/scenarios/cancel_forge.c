/* cancel_forge — CancelRequests through sluice: forged keys must not cancel, the real one must.
 *
 *   build/scenarios/cancel_forge CONNINFO
 *
 * CONNINFO names sluice. The helper opens one libpq session and:
 *  1. starts SELECT pg_sleep(3) and, while it runs, sends raw 16-byte CancelRequests to
 *     sluice with keys it never issued: the session's pid (PQbackendPID, i.e. the pid sluice
 *     announced) with a wrong secret, a wrong pid, and the PostgreSQL backend's own pid with a
 *     wrong secret. Each must be closed without a reply, and the query must still complete
 *     normally after its full 3 s.
 *  2. starts SELECT pg_sleep(3) again and cancels it with PQcancel (the key sluice gave the
 *     session): the query must fail with SQLSTATE 57014 within a second.
 *  3. checks the session is still usable.
 * Prints one line per check and exits 0 only when all pass.
 */
#include "rawpg.h"

#include <libpq-fe.h>

static int failures;

static void report(int ok, const char *name, const char *detail)
{
    failures += raw_report(ok, name, detail);
}

/* Wait for the one result of a PQsendQuery; returns it (caller clears) and drains the rest. */
static PGresult *await_result(PGconn *conn)
{
    PGresult *res = PQgetResult(conn), *extra;
    while ((extra = PQgetResult(conn)) != NULL)
        PQclear(extra);
    return res;
}

/* The error text of res on one line, for the report. */
static const char *error_text(const PGresult *res, char *buf, size_t size)
{
    snprintf(buf, size, "%s", PQresultErrorMessage(res));
    for (char *p = buf; *p; p++)
        if (*p == '\n')
            *p = (p[1] ? ' ' : '\0');
    return buf;
}

static const char *sqlstate_of(const PGresult *res)
{
    const char *s = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    return s ? s : "none";
}

static void forge(const char *host, const char *port, const char *what, uint32_t pid, uint32_t key)
{
    char name[160], detail[64] = "";
    int r = raw_cancel(host, port, pid, key, 3000);
    snprintf(name, sizeof name, "forged CancelRequest (%s) is closed without a reply", what);
    if (r < 0)
        snprintf(detail, sizeof detail, "could not send it");
    else if (r == 0)
        snprintf(detail, sizeof detail, "got a reply or stayed open for 3 s");
    report(r == 1, name, detail);
}

static void check_forged_keys_ignored(PGconn *conn, uint32_t pid, uint32_t backend_pid)
{
    const char *host = PQhost(conn), *port = PQport(conn);
    uint32_t secret = (uint32_t)raw_now() * 2654435761u ^ (uint32_t)getpid();
    char detail[512], text[256];
    double t0 = raw_now(), took;
    PGresult *res;

    if (!PQsendQuery(conn, "SELECT pg_sleep(3), 'slept'")) {
        report(0, "start pg_sleep(3)", PQerrorMessage(conn));
        return;
    }
    usleep(500 * 1000);
    forge(host, port, "right pid, wrong secret", pid, secret);
    forge(host, port, "right pid, zero secret", pid, 0);
    forge(host, port, "wrong pid", pid + 1, secret);
    if (backend_pid != pid)
        forge(host, port, "PostgreSQL's own pid, wrong secret", backend_pid, secret);
    res = await_result(conn);
    took = raw_now() - t0;
    snprintf(detail, sizeof detail, "status %s, SQLSTATE %s, %.2f s %s",
             PQresStatus(PQresultStatus(res)), sqlstate_of(res), took,
             error_text(res, text, sizeof text));
    report(PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
               strcmp(PQgetvalue(res, 0, 1), "slept") == 0 && took >= 2.8,
           "pg_sleep(3) completes normally despite the forged cancels", detail);
    PQclear(res);
}

static void check_real_cancel(PGconn *conn)
{
    char errbuf[256] = "", detail[512], text[256];
    PGcancel *cancel = PQgetCancel(conn);
    double t_sent, took;
    PGresult *res;
    int sent;

    if (!cancel || !PQsendQuery(conn, "SELECT pg_sleep(3)")) {
        report(0, "start pg_sleep(3) for PQcancel", PQerrorMessage(conn));
        PQfreeCancel(cancel);
        return;
    }
    usleep(500 * 1000);
    t_sent = raw_now();
    sent = PQcancel(cancel, errbuf, sizeof errbuf);
    PQfreeCancel(cancel);
    report(sent == 1, "PQcancel sends the CancelRequest", errbuf);
    res = await_result(conn);
    took = raw_now() - t_sent;
    snprintf(detail, sizeof detail, "status %s, SQLSTATE %s, %.2f s after the cancel; %s",
             PQresStatus(PQresultStatus(res)), sqlstate_of(res), took,
             error_text(res, text, sizeof text));
    report(PQresultStatus(res) == PGRES_FATAL_ERROR && strcmp(sqlstate_of(res), "57014") == 0 &&
               took < 1.0,
           "PQcancel with the key sluice issued cancels the query (57014)", detail);
    PQclear(res);
}

int main(int argc, char **argv)
{
    PGconn *conn;
    PGresult *res;
    uint32_t pid, backend_pid = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: %s CONNINFO\n", argv[0]);
        return 2;
    }
    conn = PQconnectdb(argv[1]);
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "cancel_forge: cannot connect: %s", PQerrorMessage(conn));
        return 1;
    }
    pid = (uint32_t)PQbackendPID(conn);
    res = PQexec(conn, "SELECT pg_backend_pid()");
    if (PQresultStatus(res) == PGRES_TUPLES_OK)
        backend_pid = (uint32_t)strtoul(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    printf("# pid announced to the client %u, PostgreSQL backend pid %u\n", pid, backend_pid);

    check_forged_keys_ignored(conn, pid, backend_pid);
    check_real_cancel(conn);

    res = PQexec(conn, "SELECT 'still here'");
    report(PQresultStatus(res) == PGRES_TUPLES_OK &&
               strcmp(PQgetvalue(res, 0, 0), "still here") == 0,
           "the session still runs queries afterwards", PQerrorMessage(conn));
    PQclear(res);
    PQfinish(conn);
    printf("cancel_forge: %d failed\n", failures);
    return failures ? 1 : 0;
}
