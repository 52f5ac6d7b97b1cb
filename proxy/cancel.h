/*
 * cancel.h — the keys sluice hands out in BackendKeyData, mapped to the backend's own.
 *
 * A client only ever sees a sluice-issued (pid, secret) pair. A CancelRequest carrying a
 * pair sluice issued is forwarded to the backend with that backend's pair; anything else
 * is dropped, so one client can cancel only its own query. Shared by all relay threads.
 */
#ifndef SLUICE_CANCEL_H
#define SLUICE_CANCEL_H

#include <stdbool.h>
#include <stdint.h>

typedef struct cancel_target {
    uint32_t backend_pid;
    uint32_t backend_key;
} cancel_target;

/* Issues a fresh random (pid, key) mapped to the backend's pair. Returns 0 or -1. */
int cancel_register(uint32_t backend_pid, uint32_t backend_key, uint32_t *pid, uint32_t *key);
void cancel_unregister(uint32_t pid);
/* Finds the backend pair for a sluice-issued pair; false when it is not ours. */
bool cancel_lookup(uint32_t pid, uint32_t key, cancel_target *out);

#endif
