/*
 * test_pool.c — the worker pool: jobs in order on one worker, truly concurrent on several,
 * a context per worker made and freed on its own thread, a bounded queue, and a stop that
 * lets running jobs finish and hands queued ones back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pool.h"

/* ---- in order on one worker ---- */

static int order[100];
static atomic_int done;

static void record(void *ctx, void *arg)
{
    (void)ctx;
    order[atomic_fetch_add(&done, 1)] = (int)(intptr_t)arg;
}

static void one_worker_runs_jobs_in_order(void **state)
{
    (void)state;
    atomic_store(&done, 0);
    pool *p = pool_new(&(pool_config){.workers = 1, .queue_max = 100});
    assert_non_null(p);
    for (int i = 0; i < 100; i++)
        assert_int_equal(pool_submit(p, record, (void *)(intptr_t)i), 0);
    while (atomic_load(&done) < 100)
        ;
    for (int i = 0; i < 100; i++)
        assert_int_equal(order[i], i);
    pool_stop(p, NULL);
}

/* ---- concurrently on several ---- */

static pthread_barrier_t barrier;

static void meet(void *ctx, void *arg)
{
    (void)ctx;
    (void)arg;
    pthread_barrier_wait(&barrier); /* returns only once 3 jobs run at the same time */
    atomic_fetch_add(&done, 1);
}

static void several_workers_run_jobs_at_once(void **state)
{
    (void)state;
    atomic_store(&done, 0);
    pthread_barrier_init(&barrier, NULL, 3);
    pool *p = pool_new(&(pool_config){.workers = 3, .queue_max = 8});
    for (int i = 0; i < 3; i++)
        assert_int_equal(pool_submit(p, meet, NULL), 0);
    while (atomic_load(&done) < 3)
        ;
    pool_stop(p, NULL);
    pthread_barrier_destroy(&barrier);
}

/* ---- contexts ---- */

static atomic_int contexts_made, contexts_freed;

static void *ctx_new(int worker, void *env)
{
    assert_ptr_equal(env, &contexts_made);
    int *c = malloc(sizeof(int));
    *c = worker;
    atomic_fetch_add(&contexts_made, 1);
    return c;
}

static void ctx_free(void *ctx)
{
    free(ctx);
    atomic_fetch_add(&contexts_freed, 1);
}

static void check_ctx(void *ctx, void *arg)
{
    (void)arg;
    int w = *(int *)ctx;
    assert_true(w >= 0 && w < 2);
    atomic_fetch_add(&done, 1);
}

static void each_worker_has_its_own_context(void **state)
{
    (void)state;
    atomic_store(&done, 0);
    pool *p = pool_new(&(pool_config){.workers = 2,
                                      .queue_max = 4,
                                      .ctx_new = ctx_new,
                                      .ctx_free = ctx_free,
                                      .env = &contexts_made});
    for (int i = 0; i < 4; i++)
        assert_int_equal(pool_submit(p, check_ctx, NULL), 0);
    while (atomic_load(&done) < 4)
        ;
    pool_stop(p, NULL);
    assert_int_equal(atomic_load(&contexts_made), 2);
    assert_int_equal(atomic_load(&contexts_freed), 2);
}

/* ---- bounded queue, stop ---- */

static atomic_int gate_open, started, dropped_jobs;

static void wait_at_gate(void *ctx, void *arg)
{
    (void)ctx;
    (void)arg;
    atomic_fetch_add(&started, 1);
    while (!atomic_load(&gate_open))
        sched_yield();
    atomic_fetch_add(&done, 1);
}

static void drop(void *arg)
{
    (void)arg;
    atomic_fetch_add(&dropped_jobs, 1);
}

static void *open_gate(void *arg)
{
    (void)arg;
    struct timespec pause = {0, 50 * 1000 * 1000};
    nanosleep(&pause, NULL); /* most likely after pool_stop began: nothing more starts */
    atomic_store(&gate_open, 1);
    return NULL;
}

static void the_queue_is_bounded_and_stop_drops_what_waits(void **state)
{
    (void)state;
    atomic_store(&done, 0);
    atomic_store(&started, 0);
    atomic_store(&gate_open, 0);
    atomic_store(&dropped_jobs, 0);
    pool *p = pool_new(&(pool_config){.workers = 1, .queue_max = 2});
    assert_int_equal(pool_submit(p, wait_at_gate, NULL), 0);
    while (atomic_load(&started) < 1)
        sched_yield(); /* the worker holds the first job: the queue is empty again */
    assert_int_equal(pool_submit(p, wait_at_gate, NULL), 0);
    assert_int_equal(pool_submit(p, wait_at_gate, NULL), 0);
    assert_int_equal(pool_submit(p, wait_at_gate, NULL), -1); /* full */
    assert_int_equal(pool_queued(p), 2);
    pthread_t t;
    pthread_create(&t, NULL, open_gate, NULL);
    pool_stop(p, drop);
    pthread_join(t, NULL);
    /* the running job finished; every other either ran or was handed back, exactly once */
    assert_true(atomic_load(&done) >= 1);
    assert_int_equal(atomic_load(&done) + atomic_load(&dropped_jobs), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_worker_runs_jobs_in_order),
        cmocka_unit_test(several_workers_run_jobs_at_once),
        cmocka_unit_test(each_worker_has_its_own_context),
        cmocka_unit_test(the_queue_is_bounded_and_stop_drops_what_waits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
