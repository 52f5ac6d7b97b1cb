/*
 * engine.h — pipelines running in the background: a scheduler thread reads the catalog
 * every second and hands each pipeline in state running whose schedule is due to the
 * worker pool; a worker runs one batch (batch.h) on its own warehouse connection, where the
 * pipeline's advisory lock is held, so two sluice processes on one catalog never run the
 * same pipeline at once and either takes over when the other is gone.
 *
 * A failed batch leaves nothing behind (batch.h) and puts the pipeline in state failed
 * with its last_error, until START PIPELINE. Only dialect postgres runs batches so far;
 * setting pipeline_workers = 0 keeps this process from running any (it still relays and
 * answers every statement).
 */
#ifndef SLUICE_ENGINE_H
#define SLUICE_ENGINE_H

#include "config.h"

/* Starts the scheduler and the workers; 0, or -1 with a message in err. */
int engine_start(const sl_config *cfg, char *err, size_t errlen);

/* Stops scheduling, lets running batches finish, joins the threads. */
void engine_stop(void);

/* The poll interval of schedule 'continuous', in seconds. */
#define ENGINE_POLL_SECONDS 2

#endif
