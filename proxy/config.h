/*
 * config.h — sluice's settings: defaults, the INI file's [sluice] section and the
 * command-line flags (which override the file). Owns the sl_config struct.
 */
#ifndef SLUICE_CONFIG_H
#define SLUICE_CONFIG_H

#include <stddef.h>

#define SLUICE_VERSION "0.1.0"

typedef struct sl_config {
    char *listen;        /* HOST:PORT, default 127.0.0.1:5439 */
    char *backend;       /* libpq conninfo of the warehouse */
    char *log_level;     /* error | warning | info | debug */
    char *tls_cert_file; /* TLS for clients when both are set */
    char *tls_key_file;
    int threads;          /* relay event loops; 0 = one per 4 CPUs */
    int shutdown_timeout; /* seconds sessions get to finish after SIGTERM */
    int max_clients;      /* client connections accepted at once */
    /* the warehouse (SQL.md, "The warehouse: settings in the config file") */
    char *dialect;            /* postgres | redshift */
    char *catalog;            /* conninfo of the catalog's PostgreSQL (required for redshift) */
    char *iam_role;           /* the role Redshift's COPY uses */
    char *staging_connection; /* an s3 connection where batches are staged (redshift) */
    char *staging_prefix;     /* key prefix under it, default sluice/staging/ */
    char *secret_key_file;    /* 32 random bytes in base64: seals connection secrets */
    int pipeline_workers;     /* threads running pipelines in the background; 0: none here */
} sl_config;

void config_init(sl_config *c);
void config_free(sl_config *c);

/*
 * Sets one setting by its name in the file (underscores). Returns 0, or -1 with a
 * message in err that names the setting and lists the valid ones.
 */
int config_set(sl_config *c, const char *name, const char *value, char *err, size_t errlen);

/* Reads an INI file; only the [sluice] section is read for now. */
int config_load_file(sl_config *c, const char *path, char *err, size_t errlen);

/* Checks the combination of settings once everything is loaded. */
int config_validate(const sl_config *c, char *err, size_t errlen);

/* Splits "host:port" ("[v6]:port" too); returns -1 on a malformed value. */
int config_split_hostport(const char *s, char *host, size_t hostlen, int *port);

#endif
