/*
 * secret.c — AES-256-GCM sealing of connection secrets (OpenSSL EVP).
 */
#include "secret.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NONCE_LEN 12
#define TAG_LEN 16
#define PREFIX "v1:"

int secret_key_load(const char *path, secret_key *key, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "could not open secret_key_file \"%s\": %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    char buf[128];
    ssize_t n = -1;
    if (fstat(fd, &st) != 0)
        snprintf(err, errlen, "could not read secret_key_file \"%s\": %s", path, strerror(errno));
    else if (st.st_mode & 077)
        snprintf(err, errlen,
                 "secret_key_file \"%s\" is readable by other users; run: chmod 600 %s", path,
                 path);
    else if ((n = read(fd, buf, sizeof(buf) - 1)) < 0)
        snprintf(err, errlen, "could not read secret_key_file \"%s\": %s", path, strerror(errno));
    close(fd);
    if (n < 0)
        return -1;
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        n--;
    uint8_t out[96];
    int len = n > 0 ? EVP_DecodeBlock(out, (const unsigned char *)buf, (int)n) : -1;
    /* EVP_DecodeBlock counts '=' padding as zero bytes */
    if (len > 0 && n >= 1 && buf[n - 1] == '=')
        len -= (n >= 2 && buf[n - 2] == '=') ? 2 : 1;
    OPENSSL_cleanse(buf, sizeof(buf));
    if (len != SECRET_KEY_LEN) {
        OPENSSL_cleanse(out, sizeof(out));
        snprintf(err, errlen,
                 "secret_key_file \"%s\" must hold 32 random bytes in base64; create one with: "
                 "openssl rand -base64 32 > %s && chmod 600 %s",
                 path, path, path);
        return -1;
    }
    memcpy(key->bytes, out, SECRET_KEY_LEN);
    OPENSSL_cleanse(out, sizeof(out));
    return 0;
}

int secret_key_create(const char *path, char *err, size_t errlen)
{
    uint8_t raw[SECRET_KEY_LEN];
    char b64[64];
    if (RAND_bytes(raw, sizeof(raw)) != 1) {
        snprintf(err, errlen, "could not generate a secret key");
        return -1;
    }
    int n = EVP_EncodeBlock((unsigned char *)b64, raw, sizeof(raw));
    OPENSSL_cleanse(raw, sizeof(raw));
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "could not create secret_key_file \"%s\": %s", path, strerror(errno));
        OPENSSL_cleanse(b64, sizeof(b64));
        return -1;
    }
    b64[n++] = '\n';
    bool ok = write(fd, b64, (size_t)n) == n;
    OPENSSL_cleanse(b64, sizeof(b64));
    if (close(fd) != 0 || !ok) {
        snprintf(err, errlen, "could not write secret_key_file \"%s\"", path);
        unlink(path);
        return -1;
    }
    return 0;
}

/* Runs AES-256-GCM one way; returns the output length or -1. */
static int gcm(bool seal, const secret_key *key, const uint8_t *nonce, const char *context,
               const uint8_t *in, int inlen, uint8_t *out, uint8_t *tag)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int len = 0, fin = 0, ok = ctx != NULL;
    ok = ok && EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, key->bytes, nonce, seal) == 1;
    ok = ok &&
         EVP_CipherUpdate(ctx, NULL, &len, (const uint8_t *)context, (int)strlen(context)) == 1;
    ok = ok && EVP_CipherUpdate(ctx, out, &len, in, inlen) == 1;
    if (ok && !seal)
        ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) == 1;
    ok = ok && EVP_CipherFinal_ex(ctx, out + len, &fin) == 1;
    if (ok && seal)
        ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok ? len + fin : -1;
}

char *secret_seal(const secret_key *key, const char *context, const char *plaintext)
{
    size_t plen = strlen(plaintext);
    size_t rawlen = NONCE_LEN + TAG_LEN + plen;
    uint8_t *raw = malloc(rawlen);
    char *out = malloc(strlen(PREFIX) + 4 * ((rawlen + 2) / 3) + 1);
    if (!raw || !out || RAND_bytes(raw, NONCE_LEN) != 1 ||
        gcm(true, key, raw, context, (const uint8_t *)plaintext, (int)plen,
            raw + NONCE_LEN + TAG_LEN, raw + NONCE_LEN) != (int)plen) {
        free(raw);
        free(out);
        return NULL;
    }
    strcpy(out, PREFIX);
    EVP_EncodeBlock((unsigned char *)out + strlen(PREFIX), raw, (int)rawlen);
    free(raw);
    return out;
}

char *secret_open(const secret_key *key, const char *context, const char *sealed)
{
    size_t plen = strlen(PREFIX);
    if (strncmp(sealed, PREFIX, plen) != 0)
        return NULL;
    const char *b64 = sealed + plen;
    size_t n = strlen(b64);
    if (n == 0 || n % 4 != 0)
        return NULL;
    uint8_t *raw = malloc(n / 4 * 3);
    if (!raw)
        return NULL;
    int len = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)n);
    if (len > 0 && b64[n - 1] == '=')
        len -= b64[n - 2] == '=' ? 2 : 1;
    char *out = NULL;
    if (len >= NONCE_LEN + TAG_LEN) {
        int clen = len - NONCE_LEN - TAG_LEN;
        out = malloc((size_t)clen + 1);
        if (out && gcm(false, key, raw, context, raw + NONCE_LEN + TAG_LEN, clen, (uint8_t *)out,
                       raw + NONCE_LEN) == clen) {
            out[clen] = '\0';
        } else {
            free(out);
            out = NULL;
        }
    }
    free(raw);
    return out;
}

static secret_key installed;
static bool have_key;

void secret_key_install(const secret_key *key)
{
    installed = *key;
    have_key = true;
}

const secret_key *secret_key_current(void)
{
    return have_key ? &installed : NULL;
}

void secret_free(char *plaintext)
{
    if (!plaintext)
        return;
    OPENSSL_cleanse(plaintext, strlen(plaintext));
    free(plaintext);
}
