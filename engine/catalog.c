/*
 * catalog.c — applying the catalog migrations.
 */
#include "catalog.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIGRATION_LOCK "SELECT pg_advisory_xact_lock(hashtext('sluice catalog migration'))"

/* Runs one command; on failure copies the server's message into err. */
static int exec_ok(PGconn *conn, const char *sql, char *err, size_t errlen)
{
    PGresult *r = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(r);
    int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok)
        snprintf(err, errlen, "%s", PQresultErrorMessage(r));
    PQclear(r);
    return ok ? 0 : -1;
}

static int current_version(PGconn *conn, char *err, size_t errlen)
{
    PGresult *r = PQexec(conn, "SELECT coalesce(max(version), 0) FROM sluice.schema_migration");
    int v = -1;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        v = atoi(PQgetvalue(r, 0, 0));
    else
        snprintf(err, errlen, "%s", PQresultErrorMessage(r));
    PQclear(r);
    return v;
}

static int apply(PGconn *conn, const catalog_migration *m, char *err, size_t errlen)
{
    char msg[512];
    if (exec_ok(conn, m->sql, msg, sizeof(msg)) != 0) {
        snprintf(err, errlen, "catalog migration %s failed: %s", m->name, msg);
        return -1;
    }
    const char *params[2];
    char version[16];
    snprintf(version, sizeof(version), "%d", m->version);
    params[0] = version;
    params[1] = m->name;
    PGresult *r = PQexecParams(conn,
                               "INSERT INTO sluice.schema_migration (version, name) "
                               "VALUES ($1::int, $2)",
                               2, NULL, params, NULL, NULL, 0);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        snprintf(err, errlen, "catalog migration %s: %s", m->name, PQresultErrorMessage(r));
    PQclear(r);
    return ok ? 0 : -1;
}

int catalog_migrate(PGconn *conn, char *err, size_t errlen)
{
    int newest = catalog_migrations[catalog_nmigrations - 1].version;
    if (exec_ok(conn, "BEGIN", err, errlen) != 0)
        return -1;
    int v = -1;
    if (exec_ok(conn, MIGRATION_LOCK, err, errlen) == 0 &&
        exec_ok(conn,
                "CREATE SCHEMA IF NOT EXISTS sluice;"
                "CREATE TABLE IF NOT EXISTS sluice.schema_migration ("
                " version integer PRIMARY KEY, name text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())",
                err, errlen) == 0)
        v = current_version(conn, err, errlen);
    if (v > newest) {
        snprintf(err, errlen,
                 "the catalog is at version %d, newer than this sluice knows (%d); run a "
                 "sluice at least as new as the one that upgraded it",
                 v, newest);
        v = -1;
    }
    for (int i = 0; v >= 0 && i < catalog_nmigrations; i++) {
        if (catalog_migrations[i].version <= v)
            continue;
        if (apply(conn, &catalog_migrations[i], err, errlen) != 0)
            v = -1;
    }
    if (v < 0) {
        char ignore[64];
        exec_ok(conn, "ROLLBACK", ignore, sizeof(ignore));
        return -1;
    }
    if (exec_ok(conn, "COMMIT", err, errlen) != 0)
        return -1;
    return newest;
}

/* NOTICEs such as "schema already exists, skipping" belong in the debug log. */
static void notice_to_log(void *arg, const char *message)
{
    (void)arg;
    log_debug("catalog: %s", message);
}

int catalog_startup(const char *conninfo)
{
    /* the conninfo's own settings come last, so they win over these defaults */
    const char *keys[] = {"connect_timeout", "application_name", "dbname", NULL};
    const char *values[] = {"10", "sluice catalog", conninfo, NULL};
    PGconn *conn = PQconnectdbParams(keys, values, 1);
    char err[1024];
    int rc = -1;
    PQsetNoticeProcessor(conn, notice_to_log, NULL);
    if (PQstatus(conn) != CONNECTION_OK) {
        /* libpq's message names host and port, never the password */
        snprintf(err, sizeof(err), "%s", PQerrorMessage(conn));
        size_t n = strlen(err);
        while (n > 0 && err[n - 1] == '\n')
            err[--n] = '\0';
        log_warning("catalog not available (sluice's own statements will fail until it is): %s",
                    err);
    } else if ((rc = catalog_migrate(conn, err, sizeof(err))) < 0) {
        log_error("%s", err);
    } else {
        log_info("catalog schema \"sluice\" at version %d", rc);
        rc = 0;
    }
    PQfinish(conn);
    return rc < 0 ? -1 : 0;
}
