/*
 * pool.h — the bounded worker pool that runs background work (pipeline batches, model
 * refreshes): a fixed number of threads, each with a context of its own (its warehouse
 * connection), taking jobs from a bounded queue in order.
 *
 * Nothing here runs on a relay loop: jobs may block (libpq, files, HTTP).
 */
#ifndef SLUICE_POOL_H
#define SLUICE_POOL_H

#include <stddef.h>

typedef struct pool pool;

/* A job: runs on a worker with that worker's context. */
typedef void (*pool_job_fn)(void *ctx, void *arg);

typedef struct pool_config {
    int workers;      /* threads, at least 1 */
    size_t queue_max; /* jobs waiting at most; submit refuses beyond */
    /* each worker's context, made on its thread before its first job (NULL allowed) */
    void *(*ctx_new)(int worker, void *env);
    void (*ctx_free)(void *ctx);
    void *env;
} pool_config;

/* NULL when threads cannot be started. */
pool *pool_new(const pool_config *cfg);

/* Queues a job; -1 when the queue is full or the pool is stopping. */
int pool_submit(pool *p, pool_job_fn fn, void *arg);

/* Jobs queued and not started yet. */
size_t pool_queued(pool *p);

/*
 * Stops: no new jobs; jobs already queued are dropped, each handed to drop (may be NULL)
 * so its argument can be freed; running jobs finish; the threads are joined and the pool
 * freed.
 */
void pool_stop(pool *p, void (*drop)(void *arg));

#endif
