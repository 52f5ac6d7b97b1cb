/*
 * config.c — settings from the INI file and the command line.
 */
#include "config.h"
#include "log.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { OPT_STRING, OPT_INT } opt_kind;

typedef struct {
    const char *name;
    opt_kind kind;
    size_t offset;
    int min, max;
} opt_def;

#define STR_OPT(f)                                                                                 \
    {                                                                                              \
#f, OPT_STRING, offsetof(sl_config, f), 0, 0                                               \
    }
#define INT_OPT(f, lo, hi)                                                                         \
    {                                                                                              \
#f, OPT_INT, offsetof(sl_config, f), lo, hi                                                \
    }

static const opt_def options[] = {
    STR_OPT(listen),
    STR_OPT(backend),
    STR_OPT(log_level),
    STR_OPT(tls_cert_file),
    STR_OPT(tls_key_file),
    INT_OPT(threads, 0, 64),
    INT_OPT(shutdown_timeout, 0, 86400),
    INT_OPT(max_clients, 1, 1000000),
    STR_OPT(dialect),
    STR_OPT(catalog),
    STR_OPT(iam_role),
    STR_OPT(staging_connection),
    STR_OPT(staging_prefix),
    STR_OPT(secret_key_file),
    INT_OPT(pipeline_workers, 0, 64),
};

#define NOPTIONS (sizeof(options) / sizeof(options[0]))

void config_init(sl_config *c)
{
    memset(c, 0, sizeof(*c));
    c->listen = strdup("127.0.0.1:5439");
    c->backend = strdup("host=127.0.0.1 port=5432 dbname=postgres");
    c->log_level = strdup("info");
    c->threads = 0;
    c->shutdown_timeout = 30;
    c->max_clients = 10000;
    c->dialect = strdup("postgres");
    c->staging_prefix = strdup("sluice/staging/");
    c->pipeline_workers = 2;
}

void config_free(sl_config *c)
{
    for (size_t i = 0; i < NOPTIONS; i++)
        if (options[i].kind == OPT_STRING)
            free(*(char **)((char *)c + options[i].offset));
    memset(c, 0, sizeof(*c));
}

static void list_valid(char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < NOPTIONS && n < len; i++)
        n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "", options[i].name);
}

int config_set(sl_config *c, const char *name, const char *value, char *err, size_t errlen)
{
    for (size_t i = 0; i < NOPTIONS; i++) {
        const opt_def *o = &options[i];
        if (strcmp(o->name, name) != 0)
            continue;
        void *field = (char *)c + o->offset;
        if (o->kind == OPT_STRING) {
            char *copy = strdup(value);
            if (!copy) {
                snprintf(err, errlen, "out of memory");
                return -1;
            }
            free(*(char **)field);
            *(char **)field = copy;
            return 0;
        }
        char *end;
        errno = 0;
        long v = strtol(value, &end, 10);
        if (errno || end == value || *end || v < o->min || v > o->max) {
            snprintf(err, errlen,
                     "invalid value for setting \"%s\": \"%s\" (an integer from %d to %d)", name,
                     value, o->min, o->max);
            return -1;
        }
        *(int *)field = (int)v;
        return 0;
    }
    char valid[1024];
    list_valid(valid, sizeof(valid));
    snprintf(err, errlen, "unrecognized setting \"%s\"; valid settings are: %s", name, valid);
    return -1;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

int config_load_file(sl_config *c, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "could not open config file \"%s\": %s", path, strerror(errno));
        return -1;
    }
    char line[4096];
    char section[128] = "";
    int lineno = 0;
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof(line), f)) {
        lineno++;
        char *s = trim(line);
        if (*s == '\0' || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            char *close = strchr(s, ']');
            if (!close) {
                snprintf(err, errlen, "%s:%d: section header without ']'", path, lineno);
                rc = -1;
                break;
            }
            *close = '\0';
            snprintf(section, sizeof(section), "%s", trim(s + 1));
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, errlen, "%s:%d: expected \"name = value\"", path, lineno);
            rc = -1;
            break;
        }
        *eq = '\0';
        char *name = trim(s);
        char *value = trim(eq + 1);
        size_t vl = strlen(value);
        if (vl >= 2 && ((value[0] == '"' && value[vl - 1] == '"') ||
                        (value[0] == '\'' && value[vl - 1] == '\''))) {
            value[vl - 1] = '\0';
            value++;
        }
        if (strcmp(section, "sluice") != 0)
            continue; /* other sections belong to later parts of sluice */
        char msg[1200];
        if (config_set(c, name, value, msg, sizeof(msg)) != 0) {
            snprintf(err, errlen, "%s:%d: %s", path, lineno, msg);
            rc = -1;
        }
    }
    fclose(f);
    return rc;
}

int config_split_hostport(const char *s, char *host, size_t hostlen, int *port)
{
    const char *colon;
    const char *h = s;
    size_t hl;
    if (*s == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':')
            return -1;
        h = s + 1;
        hl = (size_t)(close - h);
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon)
            return -1;
        hl = (size_t)(colon - s);
    }
    if (hl == 0 || hl >= hostlen)
        return -1;
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (*end || end == colon + 1 || p < 1 || p > 65535)
        return -1;
    memcpy(host, h, hl);
    host[hl] = '\0';
    *port = (int)p;
    return 0;
}

int config_validate(const sl_config *c, char *err, size_t errlen)
{
    char host[256];
    int port;
    if (config_split_hostport(c->listen, host, sizeof(host), &port) != 0) {
        snprintf(err, errlen,
                 "invalid listen address \"%s\"; expected HOST:PORT, e.g. 127.0.0.1:5439",
                 c->listen);
        return -1;
    }
    if (log_level_parse(c->log_level) < 0) {
        snprintf(err, errlen,
                 "invalid log_level \"%s\"; valid levels are: error, warning, info, debug",
                 c->log_level);
        return -1;
    }
    if (strcmp(c->dialect, "postgres") != 0 && strcmp(c->dialect, "redshift") != 0) {
        snprintf(err, errlen, "invalid dialect \"%s\"; valid dialects are: postgres, redshift",
                 c->dialect);
        return -1;
    }
    if ((c->tls_cert_file && *c->tls_cert_file) != (c->tls_key_file && *c->tls_key_file)) {
        snprintf(err, errlen, "tls_cert_file and tls_key_file must be set together");
        return -1;
    }
    return 0;
}
