/*
 * pool.c — see pool.h.
 */
#include "pool.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

typedef struct job {
    pool_job_fn fn;
    void *arg;
} job;

struct pool {
    pool_config cfg;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    job *ring; /* queue_max slots */
    size_t head, n;
    bool stopping;
    pthread_t *threads;
    int started;
};

typedef struct worker_start {
    pool *p;
    int index;
} worker_start;

static void *worker_main(void *arg)
{
    worker_start *ws = arg;
    pool *p = ws->p;
    void *ctx = p->cfg.ctx_new ? p->cfg.ctx_new(ws->index, p->cfg.env) : NULL;
    free(ws);
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->stopping && p->n == 0)
            pthread_cond_wait(&p->cv, &p->mu);
        if (p->stopping)
            break;
        job j = p->ring[p->head];
        p->head = (p->head + 1) % p->cfg.queue_max;
        p->n--;
        pthread_mutex_unlock(&p->mu);
        j.fn(ctx, j.arg);
        pthread_mutex_lock(&p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    if (p->cfg.ctx_free)
        p->cfg.ctx_free(ctx);
    return NULL;
}

pool *pool_new(const pool_config *cfg)
{
    if (cfg->workers < 1 || cfg->queue_max < 1)
        return NULL;
    pool *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->cfg = *cfg;
    p->ring = calloc(cfg->queue_max, sizeof(job));
    p->threads = calloc((size_t)cfg->workers, sizeof(pthread_t));
    if (!p->ring || !p->threads) {
        free(p->ring);
        free(p->threads);
        free(p);
        return NULL;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    for (int i = 0; i < cfg->workers; i++) {
        worker_start *ws = malloc(sizeof(*ws));
        if (!ws)
            break;
        *ws = (worker_start){p, i};
        if (pthread_create(&p->threads[i], NULL, worker_main, ws) != 0) {
            free(ws);
            break;
        }
        p->started++;
    }
    if (p->started < cfg->workers) {
        pool_stop(p, NULL);
        return NULL;
    }
    return p;
}

int pool_submit(pool *p, pool_job_fn fn, void *arg)
{
    pthread_mutex_lock(&p->mu);
    int rc = -1;
    if (!p->stopping && p->n < p->cfg.queue_max) {
        p->ring[(p->head + p->n) % p->cfg.queue_max] = (job){fn, arg};
        p->n++;
        pthread_cond_signal(&p->cv);
        rc = 0;
    }
    pthread_mutex_unlock(&p->mu);
    return rc;
}

size_t pool_queued(pool *p)
{
    pthread_mutex_lock(&p->mu);
    size_t n = p->n;
    pthread_mutex_unlock(&p->mu);
    return n;
}

void pool_stop(pool *p, void (*drop)(void *arg))
{
    pthread_mutex_lock(&p->mu);
    p->stopping = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->started; i++)
        pthread_join(p->threads[i], NULL);
    for (size_t i = 0; i < p->n; i++)
        if (drop)
            drop(p->ring[(p->head + i) % p->cfg.queue_max].arg);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->ring);
    free(p->threads);
    free(p);
}
