/*
 * test_secret.c — connection secrets sealed with AES-256-GCM: they open with the right
 * key and context only, tampering is detected, and key files are checked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secret.h"

static char dir[] = "/tmp/sluice-secret-XXXXXX";

static void path_of(char *out, size_t len, const char *name)
{
    snprintf(out, len, "%s/%s", dir, name);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
}

static void sealed_secrets_open_with_the_same_key_and_context(void **state)
{
    (void)state;
    char path[256], err[512];
    path_of(path, sizeof(path), "k1");
    assert_int_equal(secret_key_create(path, err, sizeof(err)), 0);
    secret_key key;
    assert_int_equal(secret_key_load(path, &key, err, sizeof(err)), 0);

    char *sealed = secret_seal(&key, "connection s3/secret_access_key", "wJalrXUtnFEMI/K7MDENG");
    assert_non_null(sealed);
    assert_true(strncmp(sealed, "v1:", 3) == 0);
    assert_null(strstr(sealed, "wJalr"));
    char *plain = secret_open(&key, "connection s3/secret_access_key", sealed);
    assert_string_equal(plain, "wJalrXUtnFEMI/K7MDENG");
    secret_free(plain);

    /* another context (another connection's row) does not open it */
    assert_null(secret_open(&key, "connection pg/password", sealed));

    /* each sealing uses a fresh nonce */
    char *again = secret_seal(&key, "connection s3/secret_access_key", "wJalrXUtnFEMI/K7MDENG");
    assert_string_not_equal(sealed, again);
    free(again);

    /* an empty secret round-trips */
    char *empty = secret_seal(&key, "c", "");
    char *back = secret_open(&key, "c", empty);
    assert_string_equal(back, "");
    secret_free(back);
    free(empty);
    free(sealed);
}

static void tampering_and_other_keys_are_detected(void **state)
{
    (void)state;
    char p1[256], p2[256], err[512];
    path_of(p1, sizeof(p1), "k2");
    path_of(p2, sizeof(p2), "k3");
    assert_int_equal(secret_key_create(p1, err, sizeof(err)), 0);
    assert_int_equal(secret_key_create(p2, err, sizeof(err)), 0);
    secret_key k1, k2;
    assert_int_equal(secret_key_load(p1, &k1, err, sizeof(err)), 0);
    assert_int_equal(secret_key_load(p2, &k2, err, sizeof(err)), 0);
    char *sealed = secret_seal(&k1, "ctx", "hunter2");
    assert_null(secret_open(&k2, "ctx", sealed));

    size_t n = strlen(sealed);
    char *bad = strdup(sealed);
    bad[n / 2] = bad[n / 2] == 'A' ? 'B' : 'A';
    assert_null(secret_open(&k1, "ctx", bad));
    free(bad);
    assert_null(secret_open(&k1, "ctx", "v1:"));
    assert_null(secret_open(&k1, "ctx", "v2:AAAA"));
    assert_null(secret_open(&k1, "ctx", "hunter2"));
    free(sealed);
}

static void key_files_are_checked(void **state)
{
    (void)state;
    char path[256], err[512];
    secret_key key;

    path_of(path, sizeof(path), "missing");
    assert_int_equal(secret_key_load(path, &key, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "could not open secret_key_file"));

    path_of(path, sizeof(path), "short");
    write_file(path, "c2hvcnQ=\n", 0600);
    assert_int_equal(secret_key_load(path, &key, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "openssl rand -base64 32"));

    path_of(path, sizeof(path), "open");
    write_file(path, "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=\n", 0644);
    assert_int_equal(secret_key_load(path, &key, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "chmod 600"));

    chmod(path, 0600);
    assert_int_equal(secret_key_load(path, &key, err, sizeof(err)), 0);
    assert_memory_equal(key.bytes, "01234567890123456789012345678901", 32);

    /* creating over an existing file is refused */
    assert_int_equal(secret_key_create(path, err, sizeof(err)), -1);
    struct stat st;
    path_of(path, sizeof(path), "k1");
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sealed_secrets_open_with_the_same_key_and_context),
        cmocka_unit_test(tampering_and_other_keys_are_detected),
        cmocka_unit_test(key_files_are_checked),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
