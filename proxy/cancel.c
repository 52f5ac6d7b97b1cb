/*
 * cancel.c — a mutex-guarded open hash of issued cancel keys.
 */
#include "cancel.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdlib.h>

typedef struct {
    uint32_t pid; /* 0 = empty slot, UINT32_MAX = deleted */
    uint32_t key;
    cancel_target target;
} cancel_slot;

#define SLOT_DELETED UINT32_MAX

static pthread_mutex_t cancel_lock = PTHREAD_MUTEX_INITIALIZER;
static cancel_slot *slots;
static size_t nslots; /* a power of two */
static size_t nused;  /* live + deleted */

static size_t slot_of(uint32_t pid)
{
    return (pid * 2654435761u) & (nslots - 1);
}

static cancel_slot *find(uint32_t pid)
{
    if (!nslots)
        return NULL;
    for (size_t i = slot_of(pid), n = 0; n < nslots; i = (i + 1) & (nslots - 1), n++) {
        if (slots[i].pid == pid)
            return &slots[i];
        if (slots[i].pid == 0)
            return NULL;
    }
    return NULL;
}

static int grow(void)
{
    size_t old_n = nslots;
    cancel_slot *old = slots;
    size_t n = old_n ? old_n * 2 : 1024;
    cancel_slot *fresh = calloc(n, sizeof(*fresh));
    if (!fresh)
        return -1;
    slots = fresh;
    nslots = n;
    nused = 0;
    for (size_t i = 0; i < old_n; i++) {
        if (old[i].pid == 0 || old[i].pid == SLOT_DELETED)
            continue;
        size_t j = slot_of(old[i].pid);
        while (slots[j].pid)
            j = (j + 1) & (nslots - 1);
        slots[j] = old[i];
        nused++;
    }
    free(old);
    return 0;
}

int cancel_register(uint32_t backend_pid, uint32_t backend_key, uint32_t *pid, uint32_t *key)
{
    uint32_t r[2];
    int rc = -1;
    pthread_mutex_lock(&cancel_lock);
    if ((nused + 1) * 2 > nslots && grow() != 0)
        goto out;
    do {
        if (RAND_bytes((unsigned char *)r, sizeof(r)) != 1)
            goto out;
        r[0] &= 0x7fffffffu; /* a positive Int32, as a pid would be */
    } while (r[0] == 0 || find(r[0]) != NULL);
    size_t i = slot_of(r[0]);
    while (slots[i].pid != 0 && slots[i].pid != SLOT_DELETED)
        i = (i + 1) & (nslots - 1);
    if (slots[i].pid == 0)
        nused++;
    slots[i] = (cancel_slot){r[0], r[1], {backend_pid, backend_key}};
    *pid = r[0];
    *key = r[1];
    rc = 0;
out:
    pthread_mutex_unlock(&cancel_lock);
    return rc;
}

void cancel_unregister(uint32_t pid)
{
    pthread_mutex_lock(&cancel_lock);
    cancel_slot *s = find(pid);
    if (s)
        s->pid = SLOT_DELETED;
    pthread_mutex_unlock(&cancel_lock);
}

bool cancel_lookup(uint32_t pid, uint32_t key, cancel_target *out)
{
    bool ok = false;
    pthread_mutex_lock(&cancel_lock);
    cancel_slot *s = pid && pid != SLOT_DELETED ? find(pid) : NULL;
    if (s && CRYPTO_memcmp(&s->key, &key, sizeof(key)) == 0) {
        *out = s->target;
        ok = true;
    }
    pthread_mutex_unlock(&cancel_lock);
    return ok;
}
