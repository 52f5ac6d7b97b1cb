/*
 * secret.h — connection secrets at rest: AES-256-GCM under a key read from
 * `secret_key_file` (32 random bytes in base64, as `openssl rand -base64 32` writes).
 *
 * A sealed secret is text, "v1:" + base64(nonce[12] ‖ tag[16] ‖ ciphertext), so it fits a
 * text column of the catalog. The secret's name is bound in as associated data, so a
 * sealed password cannot be moved to another connection's row and still open.
 */
#ifndef SLUICE_SECRET_H
#define SLUICE_SECRET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SECRET_KEY_LEN 32

typedef struct secret_key {
    uint8_t bytes[SECRET_KEY_LEN];
} secret_key;

/*
 * Reads the key file. Fails (-1, message in err) when it is missing, not 32 bytes of
 * base64, or readable by group or others. The message never contains key material.
 */
int secret_key_load(const char *path, secret_key *key, char *err, size_t errlen);

/* Writes a fresh random key file with mode 0600; fails if the file exists. */
int secret_key_create(const char *path, char *err, size_t errlen);

/* Seals plaintext; returns a malloc'd "v1:…" string, or NULL. */
char *secret_seal(const secret_key *key, const char *context, const char *plaintext);

/* Opens a sealed string; returns the malloc'd plaintext, or NULL if it was tampered with,
 * sealed under another key or for another context. */
char *secret_open(const secret_key *key, const char *context, const char *sealed);

/* The process's key (from secret_key_file), or NULL when none is configured. */
void secret_key_install(const secret_key *key);
const secret_key *secret_key_current(void);

/* Frees a plaintext after wiping it. */
void secret_free(char *plaintext);

#endif
