/*
 * catalog.h — schema "sluice" in the warehouse (or in the `catalog` database when the
 * warehouse is Redshift): created and migrated at start-up from the numbered files in
 * sql/, which the build compiles in (scripts/embed-sql.sh).
 */
#ifndef SLUICE_CATALOG_H
#define SLUICE_CATALOG_H

#include <libpq-fe.h>
#include <stddef.h>

typedef struct catalog_migration {
    int version;
    const char *name;
    const char *sql;
} catalog_migration;

/*
 * Asks whether the database a statement's catalog_query reaches (the client's own with
 * dialect postgres, the catalog database with redshift) holds the catalog. It reads
 * pg_catalog only, so it cannot fail (to_regclass would, for a role without USAGE on
 * schema sluice) and never breaks a transaction block of the client's.
 */
#define CATALOG_PRESENT_SQL                                                                        \
    "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON "        \
    "n.oid = c.relnamespace WHERE n.nspname = 'sluice' AND c.relname = 'connection')"

extern const catalog_migration catalog_migrations[];
extern const int catalog_nmigrations;

/*
 * Brings the catalog up to the newest migration, in one transaction under an advisory
 * lock (several sluice processes may start at once). Idempotent. Returns the catalog's
 * version, or -1 with a message in err (a catalog newer than this sluice is an error).
 */
int catalog_migrate(PGconn *conn, char *err, size_t errlen);

/* Connects with conninfo, migrates, disconnects; logs the outcome. 0 or -1. */
int catalog_startup(const char *conninfo);

#endif
