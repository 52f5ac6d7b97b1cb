/*
 * main.c — sluice's entry point: settings from the file and the flags, then the relay.
 */
#include "catalog.h"
#include "config.h"
#include "engine.h"
#include "log.h"
#include "secret.h"
#include "server.h"

#include <getopt.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(
        out,
        "sluice %s — an ETL engine that speaks the PostgreSQL wire protocol\n"
        "\n"
        "Usage: sluice [-c FILE] [options]\n"
        "\n"
        "  -c, --config FILE            read settings from the [sluice] section of FILE\n"
        "      --listen HOST:PORT       where clients connect (default 127.0.0.1:5439)\n"
        "      --backend CONNINFO       libpq conninfo of the warehouse\n"
        "                               (default \"host=127.0.0.1 port=5432 dbname=postgres\")\n"
        "      --log-level LEVEL        error, warning, info (default) or debug\n"
        "      --tls-cert-file FILE     PEM certificate: offer TLS to clients\n"
        "      --tls-key-file FILE      PEM private key for --tls-cert-file\n"
        "      --threads N              relay event loops (default: one per 4 CPUs)\n"
        "      --shutdown-timeout SECS  time sessions get to finish after SIGTERM (default 30)\n"
        "      --max-clients N          client connections accepted at once (default 10000)\n"
        "      --dialect NAME           the warehouse's SQL: postgres (default) or redshift\n"
        "      --catalog CONNINFO       PostgreSQL holding sluice's catalog (default: the\n"
        "                               backend; required with --dialect redshift)\n"
        "      --iam-role ARN           the IAM role Redshift's COPY uses\n"
        "      --staging-connection NAME\n"
        "                               s3 connection where Redshift batches are staged\n"
        "      --staging-prefix PREFIX  key prefix of staged batches (default sluice/staging/)\n"
        "      --secret-key-file FILE   32 random bytes in base64 sealing connection secrets\n"
        "      --pipeline-workers N     threads running pipelines in the background (default 2;\n"
        "                               0: none run here)\n"
        "  -V, --version                print the version and exit\n"
        "  -h, --help                   print this help and exit\n"
        "\n"
        "Flags override the file. Every flag is also a setting of the file, with\n"
        "underscores: listen, backend, log_level, tls_cert_file, tls_key_file, threads,\n"
        "shutdown_timeout, max_clients, dialect, catalog, iam_role, staging_connection,\n"
        "staging_prefix, secret_key_file, pipeline_workers.\n",
        SLUICE_VERSION);
}

static const struct option longopts[] = {
    {"config", required_argument, NULL, 'c'},
    {"listen", required_argument, NULL, 1},
    {"backend", required_argument, NULL, 2},
    {"log-level", required_argument, NULL, 3},
    {"tls-cert-file", required_argument, NULL, 4},
    {"tls-key-file", required_argument, NULL, 5},
    {"threads", required_argument, NULL, 6},
    {"shutdown-timeout", required_argument, NULL, 7},
    {"max-clients", required_argument, NULL, 8},
    {"dialect", required_argument, NULL, 9},
    {"catalog", required_argument, NULL, 10},
    {"iam-role", required_argument, NULL, 11},
    {"staging-connection", required_argument, NULL, 12},
    {"staging-prefix", required_argument, NULL, 13},
    {"secret-key-file", required_argument, NULL, 14},
    {"pipeline-workers", required_argument, NULL, 15},
    {"version", no_argument, NULL, 'V'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* flag value → setting name; a flag is a setting with dashes for underscores */
static const char *const setting_of[] = {
    NULL,
    "listen",
    "backend",
    "log_level",
    "tls_cert_file",
    "tls_key_file",
    "threads",
    "shutdown_timeout",
    "max_clients",
    "dialect",
    "catalog",
    "iam_role",
    "staging_connection",
    "staging_prefix",
    "secret_key_file",
    "pipeline_workers",
};
_Static_assert(sizeof(setting_of) / sizeof(setting_of[0]) == 16, "one name per flag");

/*
 * Settings: defaults, then the file named by -c, then the flags. Returns -1 to go on, or
 * the exit status (0 after --help/--version, 2 on a bad setting, with its message).
 */
static int settings_load(int argc, char **argv, sl_config *cfg)
{
    const char *config_file = NULL;
    int opt;
    while ((opt = getopt_long(argc, argv, "c:Vh", longopts, NULL)) != -1) {
        if (opt == 'c') {
            config_file = optarg;
        } else if (opt == 'h') {
            usage(stdout);
            return 0;
        } else if (opt == 'V') {
            printf("sluice %s\n", SLUICE_VERSION);
            return 0;
        } else if (opt == '?') {
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "sluice: unexpected argument \"%s\"\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    char err[1024];
    if (config_file && config_load_file(cfg, config_file, err, sizeof(err)) != 0) {
        fprintf(stderr, "sluice: %s\n", err);
        return 2;
    }
    optind = 1; /* second pass: the flags override the file */
    while ((opt = getopt_long(argc, argv, "c:Vh", longopts, NULL)) != -1) {
        if (opt >= 1 && opt <= 14 &&
            config_set(cfg, setting_of[opt], optarg, err, sizeof(err)) != 0) {
            fprintf(stderr, "sluice: %s\n", err);
            return 2;
        }
    }
    if (config_validate(cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "sluice: %s\n", err);
        return 2;
    }
    return -1;
}

/* The key sealing connection secrets, when secret_key_file is set. 0 or -1 (reported). */
static int secret_key_setup(const sl_config *cfg)
{
    if (!cfg->secret_key_file || !*cfg->secret_key_file)
        return 0;
    secret_key key;
    char err[1024];
    if (secret_key_load(cfg->secret_key_file, &key, err, sizeof(err)) != 0) {
        fprintf(stderr, "sluice: %s\n", err);
        return -1;
    }
    secret_key_install(&key);
    OPENSSL_cleanse(&key, sizeof(key));
    return 0;
}

int main(int argc, char **argv)
{
    sl_config cfg;
    config_init(&cfg);
    int rc = settings_load(argc, argv, &cfg);
    if (rc >= 0)
        return rc;
    log_level = log_level_parse(cfg.log_level);
    if (secret_key_setup(&cfg) != 0)
        return 2;
    /* without a catalog, ordinary traffic is still relayed; with dialect redshift and no
     * catalog setting, server_start says so (catconn.h) */
    if (cfg.catalog && *cfg.catalog)
        catalog_startup(cfg.catalog);
    else if (strcmp(cfg.dialect, "redshift") != 0)
        catalog_startup(cfg.backend);
    char err[1024];
    if (server_start(&cfg, err, sizeof(err)) != 0) {
        log_error("%s", err);
        return 1;
    }
    if (engine_start(&cfg, err, sizeof(err)) != 0) {
        log_error("%s", err);
        return 1;
    }
    rc = server_run();
    engine_stop();
    config_free(&cfg);
    return rc;
}
