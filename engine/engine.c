/*
 * engine.c — see engine.h.
 */
#include "engine.h"
#include "batch.h"
#include "log.h"
#include "pool.h"
#include "secret.h"

#include <libpq-fe.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define MAX_TRACKED 1024

/* What the scheduler knows of a pipeline between ticks. */
typedef struct tracked {
    char name[128];
    bool in_flight;
    time_t last_end; /* when its last batch ended (0: never here) */
} tracked;

static struct {
    const sl_config *cfg;
    pool *workers;
    pthread_t thread;
    atomic_bool stopping;
    bool started;
    pthread_mutex_t mu;
    tracked pipes[MAX_TRACKED];
    int npipes;
    unsigned char salt[32];
    size_t salt_len; /* 0 without a secret key: HASH is refused then */
} eng = {.mu = PTHREAD_MUTEX_INITIALIZER};

typedef struct job {
    char *name;
    char *definition;
    char *schema;
    char *table;
} job;

static void job_free(void *arg)
{
    job *j = arg;
    free(j->name);
    free(j->definition);
    free(j->schema);
    free(j->table);
    free(j);
}

static tracked *track(const char *name)
{
    for (int i = 0; i < eng.npipes; i++)
        if (strcmp(eng.pipes[i].name, name) == 0)
            return &eng.pipes[i];
    if (eng.npipes == MAX_TRACKED || strlen(name) >= sizeof(eng.pipes[0].name))
        return NULL;
    tracked *t = &eng.pipes[eng.npipes++];
    memset(t, 0, sizeof(*t));
    snprintf(t->name, sizeof(t->name), "%s", name);
    return t;
}

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* NOTICEs of idempotent DDL */
}

/* A connection for background work: UTC, ISO dates, no NOTICEs in sluice's log. */
static PGconn *connect_warehouse(void)
{
    const char *keys[] = {"dbname", "options", "application_name", NULL};
    const char *vals[] = {eng.cfg->backend, "-c TimeZone=UTC -c DateStyle=ISO,YMD", "sluice engine",
                          NULL};
    PGconn *c = PQconnectdbParams(keys, vals, 1);
    if (PQstatus(c) != CONNECTION_OK) {
        log_warning("engine: cannot connect to the warehouse: %s", PQerrorMessage(c));
        PQfinish(c);
        return NULL;
    }
    PQsetNoticeProcessor(c, quiet, NULL);
    return c;
}

typedef struct worker {
    PGconn *c;
} worker;

static void *worker_new(int index, void *env)
{
    (void)index;
    (void)env;
    return calloc(1, sizeof(worker));
}

static void worker_free(void *ctx)
{
    worker *w = ctx;
    if (w && w->c)
        PQfinish(w->c);
    free(w);
}

/* One-row boolean/command on the worker's connection; false on any failure. */
static bool run_param(PGconn *c, const char *sql, int n, const char *const *params, bool *value)
{
    PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (ok && value)
        *value = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    return ok;
}

#define LOCK_SQL "SELECT pg_try_advisory_lock(hashtext('sluice pipeline'), hashtext($1))"
#define UNLOCK_SQL "SELECT pg_advisory_unlock(hashtext('sluice pipeline'), hashtext($1))"

static void run_job(void *ctx, void *arg)
{
    worker *w = ctx;
    job *j = arg;
    if (w && !w->c)
        w->c = connect_warehouse();
    if (w && w->c && PQstatus(w->c) != CONNECTION_OK) {
        PQfinish(w->c);
        w->c = connect_warehouse();
    }
    const char *name[1] = {j->name};
    bool locked = false;
    if (w && w->c && run_param(w->c, LOCK_SQL, 1, name, &locked) && locked) {
        batch_request rq = {.pipeline = j->name,
                            .definition = j->definition,
                            .target_schema = j->schema,
                            .target_table = j->table,
                            .settle_seconds = 1,
                            .max_item_bytes = 1LL << 30,
                            .hash_salt = eng.salt,
                            .salt_len = eng.salt_len};
        batch_result res;
        if (batch_run(w->c, &rq, &res)) {
            if (res.loaded)
                log_info("pipeline \"%s\": batch %s loaded %lld rows from %lld items (%lld error "
                         "rows)",
                         j->name, res.batch_id, res.rows, res.items, res.error_rows);
        } else {
            char msg[1200];
            snprintf(msg, sizeof(msg), "%s: %s", res.err.sqlstate, res.err.message);
            log_warning("pipeline \"%s\" failed: %s", j->name, msg);
            const char *params[2] = {j->name, msg};
            run_param(w->c,
                      "UPDATE sluice.pipeline SET state = 'failed', last_error = $2, "
                      "updated_at = now() WHERE name = $1 AND state = 'running'",
                      2, params, NULL);
        }
        run_param(w->c, UNLOCK_SQL, 1, name, NULL);
    }
    pthread_mutex_lock(&eng.mu);
    tracked *t = track(j->name);
    if (t) {
        t->in_flight = false;
        t->last_end = time(NULL);
    }
    pthread_mutex_unlock(&eng.mu);
    job_free(j);
}

/* Seconds between runs: continuous → the poll interval; 'N unit' → N units; manual → -1. */
static long schedule_seconds(const char *schedule)
{
    if (!schedule || strcasecmp(schedule, "continuous") == 0)
        return ENGINE_POLL_SECONDS;
    if (strcasecmp(schedule, "manual") == 0)
        return -1;
    char *end;
    double n = strtod(schedule, &end);
    while (*end == ' ')
        end++;
    static const struct {
        const char *prefix;
        long seconds;
    } units[] = {{"w", 604800}, {"d", 86400}, {"h", 3600}, {"mi", 60}, {"m", 60}, {"s", 1}};
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (strncasecmp(end, units[i].prefix, strlen(units[i].prefix)) == 0)
            return (long)(n * (double)units[i].seconds);
    return ENGINE_POLL_SECONDS;
}

static void tick(PGconn *catalog)
{
    PGresult *r = PQexec(catalog, "SELECT name, definition, target_schema, target_table, "
                                  "options->>'schedule' FROM sluice.pipeline WHERE state = "
                                  "'running' AND source = 'files' ORDER BY name");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        return;
    }
    time_t now = time(NULL);
    for (int i = 0; i < PQntuples(r); i++) {
        long every = schedule_seconds(PQgetisnull(r, i, 4) ? NULL : PQgetvalue(r, i, 4));
        pthread_mutex_lock(&eng.mu);
        tracked *t = track(PQgetvalue(r, i, 0));
        bool due =
            t && !t->in_flight && every >= 0 && (t->last_end == 0 || now - t->last_end >= every);
        if (due)
            t->in_flight = true;
        pthread_mutex_unlock(&eng.mu);
        if (!due)
            continue;
        job *j = calloc(1, sizeof(*j));
        if (j) {
            j->name = strdup(PQgetvalue(r, i, 0));
            j->definition = strdup(PQgetvalue(r, i, 1));
            j->schema = strdup(PQgetvalue(r, i, 2));
            j->table = strdup(PQgetvalue(r, i, 3));
        }
        if (!j || !j->name || !j->definition || !j->schema || !j->table ||
            pool_submit(eng.workers, run_job, j) != 0) {
            if (j)
                job_free(j);
            pthread_mutex_lock(&eng.mu);
            t->in_flight = false;
            pthread_mutex_unlock(&eng.mu);
        }
    }
    PQclear(r);
}

static void *scheduler_main(void *arg)
{
    (void)arg;
    PGconn *catalog = NULL;
    while (!atomic_load(&eng.stopping)) {
        if (!catalog || PQstatus(catalog) != CONNECTION_OK) {
            if (catalog)
                PQfinish(catalog);
            catalog = connect_warehouse();
        }
        if (catalog)
            tick(catalog);
        for (int i = 0; i < 10 && !atomic_load(&eng.stopping); i++)
            usleep(100 * 1000);
    }
    if (catalog)
        PQfinish(catalog);
    return NULL;
}

int engine_start(const sl_config *cfg, char *err, size_t errlen)
{
    if (!cfg->dialect || strcmp(cfg->dialect, "postgres") != 0 || cfg->pipeline_workers == 0)
        return 0; /* the Redshift load comes later; 0 workers: pipelines run elsewhere */
    eng.cfg = cfg;
    /* HASH's salt: derived from the secret key, so it is stable and never stored */
    const secret_key *key = secret_key_current();
    if (key) {
        unsigned int len = sizeof(eng.salt);
        static const char label[] = "sluice HASH salt";
        HMAC(EVP_sha256(), key->bytes, SECRET_KEY_LEN, (const unsigned char *)label,
             sizeof(label) - 1, eng.salt, &len);
        eng.salt_len = len;
    }
    eng.workers = pool_new(&(pool_config){.workers = cfg->pipeline_workers,
                                          .queue_max = MAX_TRACKED,
                                          .ctx_new = worker_new,
                                          .ctx_free = worker_free});
    if (!eng.workers || pthread_create(&eng.thread, NULL, scheduler_main, NULL) != 0) {
        snprintf(err, errlen, "cannot start the pipeline engine's threads");
        if (eng.workers)
            pool_stop(eng.workers, job_free);
        eng.workers = NULL;
        return -1;
    }
    eng.started = true;
    return 0;
}

void engine_stop(void)
{
    if (!eng.started)
        return;
    atomic_store(&eng.stopping, true);
    pthread_join(eng.thread, NULL);
    pool_stop(eng.workers, job_free);
    eng.started = false;
}
