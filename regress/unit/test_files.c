/*
 * test_files.c — the FILES source on a real directory: what a glob lists (regular files
 * only, in byte order, with size and modification time as the ledger stores them), files
 * still settling left out, and reading in chunks with the size checked against the listing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "files.h"
#include "sqlbuf.h"

static char dir[256];

static void write_file(const char *name, const char *text, time_t mtime)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    struct timespec times[2] = {{mtime, 250000000}, {mtime, 250000000}};
    assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/sluice-test-files.XXXXXX");
    assert_non_null(mkdtemp(dir));
    char sub[300];
    snprintf(sub, sizeof(sub), "%s/sub.csv", dir); /* a directory matching the glob */
    assert_int_equal(mkdir(sub, 0700), 0);
    write_file("b.csv", "id\n2\n", 1700000000);
    write_file("a.csv", "id\n1\n", 1700000000);
    write_file("B.csv", "id\n3\n", 1700000100);
    write_file("c.txt", "not csv", 1700000000);
    write_file("fresh.csv", "id\n4\n", time(NULL));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void lists_regular_files_in_byte_order_leaving_fresh_ones(void **state)
{
    (void)state;
    char pattern[300], err[256] = "";
    snprintf(pattern, sizeof(pattern), "%s/*.csv", dir);
    source_item *items;
    size_t n;
    assert_int_equal(files_list(pattern, 60, time(NULL), &items, &n, err, sizeof(err)), 0);
    assert_int_equal(n, 3); /* not sub.csv (a directory), c.txt, nor fresh.csv (settling) */
    const char *want[] = {"B.csv", "a.csv", "b.csv"}; /* 'B' < 'a' in byte order */
    for (size_t i = 0; i < n; i++) {
        char path[300];
        snprintf(path, sizeof(path), "%s/%s", dir, want[i]);
        assert_string_equal(items[i].key, path);
        assert_int_equal(items[i].size, 5);
    }
    assert_string_equal(items[0].mtime, "2023-11-14 22:15:00.250000+00");
    assert_string_equal(items[1].mtime, "2023-11-14 22:13:20.250000+00");
    assert_int_equal(items[1].mtime_secs, 1700000000);
    source_items_free(items, n);
    /* without settling, the fresh file is listed too */
    assert_int_equal(files_list(pattern, 0, time(NULL), &items, &n, err, sizeof(err)), 0);
    assert_int_equal(n, 4);
    source_items_free(items, n);
}

static void no_match_is_no_items(void **state)
{
    (void)state;
    char pattern[300], err[256] = "";
    snprintf(pattern, sizeof(pattern), "%s/*.parquet", dir);
    source_item *items = (source_item *)1;
    size_t n = 7;
    assert_int_equal(files_list(pattern, 0, time(NULL), &items, &n, err, sizeof(err)), 0);
    assert_null(items);
    assert_int_equal(n, 0);
}

static void a_missing_directory_is_no_items_an_unreadable_one_an_error(void **state)
{
    (void)state;
    char pattern[300], err[256] = "";
    source_item *items;
    size_t n;
    snprintf(pattern, sizeof(pattern), "%s/not-yet/*.csv", dir);
    assert_int_equal(files_list(pattern, 0, time(NULL), &items, &n, err, sizeof(err)), 0);
    assert_int_equal(n, 0);
    if (geteuid() == 0)
        return; /* root reads every directory */
    char locked[300];
    snprintf(locked, sizeof(locked), "%s/locked", dir);
    assert_int_equal(mkdir(locked, 0), 0);
    snprintf(pattern, sizeof(pattern), "%s/locked/*.csv", dir);
    assert_int_equal(files_list(pattern, 0, time(NULL), &items, &n, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "Permission denied"));
}

static int collect(void *arg, const void *buf, size_t len)
{
    sqlbuf_putn(arg, buf, len);
    return 0;
}

static void reads_the_bytes_and_checks_the_size(void **state)
{
    (void)state;
    char path[300], err[256] = "";
    snprintf(path, sizeof(path), "%s/a.csv", dir);
    sqlbuf got = {0};
    assert_int_equal(files_read(path, 5, collect, &got, err, sizeof(err)), 0);
    assert_string_equal(got.data, "id\n1\n");
    sqlbuf_free(&got);
    /* a file that is not the size it was listed with: its identity would be wrong */
    assert_int_equal(files_read(path, 4, collect, &got, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "changed while it was read"));
    sqlbuf_free(&got);
    assert_int_equal(files_read(path, 9, collect, &got, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "(9 bytes listed, 5 read)"));
    sqlbuf_free(&got);
    snprintf(path, sizeof(path), "%s/missing.csv", dir);
    assert_int_equal(files_read(path, -1, collect, &got, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "cannot open"));
    sqlbuf_free(&got);
}

static int stop_at_first(void *arg, const void *buf, size_t len)
{
    (void)arg;
    (void)buf;
    (void)len;
    return 42;
}

static void a_consumer_can_stop_the_read(void **state)
{
    (void)state;
    char path[300], err[256] = "";
    snprintf(path, sizeof(path), "%s/b.csv", dir);
    assert_int_equal(files_read(path, 5, stop_at_first, NULL, err, sizeof(err)), 42);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lists_regular_files_in_byte_order_leaving_fresh_ones),
        cmocka_unit_test(no_match_is_no_items),
        cmocka_unit_test(a_missing_directory_is_no_items_an_unreadable_one_an_error),
        cmocka_unit_test(reads_the_bytes_and_checks_the_size),
        cmocka_unit_test(a_consumer_can_stop_the_read),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
