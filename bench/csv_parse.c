/*
 * csv_parse.c — how fast connectors/csv.c parses, nothing else: no I/O, no decompression, no
 * warehouse. Builds an item in memory (7 columns, a quoted field of three lines with doubled
 * quotes every 1,000 rows), then parses it
 *
 *   - streaming: csv_feed in 64 KiB pieces, one thread;
 *   - whole: csv_parse_parallel with 1 thread (one csv_feed of the whole item);
 *   - parallel: csv_parse_parallel with N threads, for each N asked for;
 *
 * best of three runs each, and prints MB/s (10^6 bytes of CSV per second), the wall time and
 * the CPU time of all threads (what the parallel parse costs beyond the sequential one, even
 * where the machine cannot run the threads side by side). The consumer counts the records and
 * adds up the field lengths, and every run must count the same.
 *
 *   make csv-bench && build/bench/csv_parse [megabytes (200)] [threads …]   (default: 2 and
 *   the number of CPUs)
 */
#include "csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

typedef struct tally {
    long long records, bad, bytes;
} tally;

static int count_record(void *arg, const sl_record *r)
{
    tally *t = arg;
    t->records++;
    for (size_t k = 0; k < r->nfields; k++)
        t->bytes += (long long)r->fields[k].len + r->fields[k].null;
    return 0;
}

static int count_bad(void *arg, const sl_bad_record *b)
{
    tally *t = arg;
    t->bad++;
    t->bytes += (long long)b->raw_len;
    return 0;
}

static char *make_item(size_t want, size_t *len)
{
    size_t cap = want + 4096;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    size_t n = (size_t)sprintf(s, "id,name,email,amount,created_at,city,comment\n");
    for (long row = 1; n < want; row++) {
        const char *comment =
            row % 1000 == 0 ? "\"refund asked,\nsee \"\"ticket\"\" 42\r\nclosed\"" : "ok";
        n += (size_t)snprintf(s + n, cap - n,
                              "%ld,Customer %ld,user%ld@example.com,%ld.%02ld,"
                              "2026-11-%02ldT%02ld:%02ld:%02ldZ,City %ld,%s\n",
                              row, row * 7919 % 100000, row, row * 37 % 10000, row % 100,
                              row % 28 + 1, row % 24, row % 60, row * 7 % 60, row % 500, comment);
    }
    *len = n;
    return s;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds of all the process's threads so far. */
static double cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* threads 0: streaming in 64 KiB feeds; otherwise csv_parse_parallel. */
static int parse_once(const char *item, size_t len, int threads, tally *t)
{
    memset(t, 0, sizeof(*t));
    sl_error err;
    if (threads)
        return csv_parse_parallel(item, len, NULL, threads, count_record, count_bad, t, &err);
    csv_parser *p = csv_open(NULL, count_record, count_bad, t, &err);
    int rc = 0;
    for (size_t at = 0; at < len && !rc; at += 65536)
        rc = csv_feed(p, item + at, len - at < 65536 ? len - at : 65536);
    if (!rc)
        rc = csv_finish(p);
    csv_close(p);
    return rc;
}

static int run(const char *label, const char *item, size_t len, int threads, tally *first)
{
    double best = 1e30, best_cpu = 0;
    tally t;
    for (int k = 0; k < 3; k++) {
        double t0 = now(), c0 = cpu();
        if (parse_once(item, len, threads, &t) != 0) {
            fprintf(stderr, "%s: the parse failed\n", label);
            return 1;
        }
        double dt = now() - t0;
        if (dt < best) {
            best = dt;
            best_cpu = cpu() - c0;
        }
    }
    if (first->records == 0)
        *first = t;
    if (memcmp(&t, first, sizeof(t)) != 0) {
        fprintf(
            stderr,
            "%s: counted %lld records, %lld error rows, %lld bytes; expected %lld, %lld, %lld\n",
            label, t.records, t.bad, t.bytes, first->records, first->bad, first->bytes);
        return 1;
    }
    printf("%-24s %6.0f MB/s  %6.3f s  %6.3f CPU s  %lld records\n", label,
           (double)len / 1e6 / best, best, best_cpu, t.records);
    return 0;
}

int main(int argc, char **argv)
{
    size_t mb = argc > 1 ? (size_t)atol(argv[1]) : 200;
    size_t len;
    char *item = make_item(mb * 1000000, &len);
    if (!item) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    printf("item: %.1f MB, 7 columns, a quoted 3-line field every 1,000 rows; %ld CPUs\n",
           (double)len / 1e6, cpus);
    tally first = {0};
    int failed = run("streaming, 64 KiB feeds", item, len, 0, &first);
    failed |= run("whole, 1 thread", item, len, 1, &first);
    int threads[16], nthreads = 0;
    for (int k = 2; k < argc && nthreads < 16; k++)
        threads[nthreads++] = atoi(argv[k]);
    if (!nthreads) {
        threads[nthreads++] = 2;
        if (cpus > 2)
            threads[nthreads++] = (int)cpus;
    }
    for (int k = 0; k < nthreads; k++) {
        char label[64];
        snprintf(label, sizeof(label), "parallel, %d threads", threads[k]);
        failed |= run(label, item, len, threads[k], &first);
    }
    free(item);
    return failed;
}
