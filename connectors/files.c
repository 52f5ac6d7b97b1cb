/*
 * files.c — see files.h.
 */
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_CHUNK (256 * 1024)

static int by_key(const void *a, const void *b)
{
    return strcmp(((const source_item *)a)->key, ((const source_item *)b)->key);
}

static void format_mtime(const struct stat *st, char *out, size_t outlen)
{
    struct tm tm;
    gmtime_r(&st->st_mtim.tv_sec, &tm);
    char day[24];
    strftime(day, sizeof(day), "%Y-%m-%d %H:%M:%S", &tm);
    int micros = (int)(st->st_mtim.tv_nsec / 1000) % 1000000;
    snprintf(out, outlen, "%s.%06d+00", day, micros);
}

/* The first directory glob could not read for another reason than not being there. */
static _Thread_local int glob_errno;
static _Thread_local char glob_path[256];

static int glob_failed(const char *path, int eerrno)
{
    if (eerrno != ENOENT && eerrno != ENOTDIR && glob_errno == 0) {
        glob_errno = eerrno;
        snprintf(glob_path, sizeof(glob_path), "%s", path);
    }
    return 0; /* go on: a missing directory is only no files yet */
}

int files_list(const char *pattern, int settle_seconds, time_t now, source_item **items, size_t *n,
               char *err, size_t errlen)
{
    *items = NULL;
    *n = 0;
    glob_t g;
    glob_errno = 0;
    int rc = glob(pattern, 0, glob_failed, &g);
    if (glob_errno != 0) {
        if (rc == 0)
            globfree(&g);
        snprintf(err, errlen, "cannot list %s: %s: %s", pattern, glob_path, strerror(glob_errno));
        return -1;
    }
    if (rc == GLOB_NOMATCH || rc == GLOB_ABORTED)
        return 0;
    if (rc != 0) {
        snprintf(err, errlen, "cannot list %s: out of memory", pattern);
        return -1;
    }
    source_item *out = calloc(g.gl_pathc + 1, sizeof(*out));
    if (!out) {
        globfree(&g);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t k = 0;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        struct stat st;
        if (stat(g.gl_pathv[i], &st) != 0 || !S_ISREG(st.st_mode))
            continue; /* gone since, or not a regular file */
        if (settle_seconds > 0 && st.st_mtim.tv_sec > now - settle_seconds)
            continue; /* still being written, perhaps: next time */
        out[k].key = strdup(g.gl_pathv[i]);
        if (!out[k].key) {
            source_items_free(out, k);
            globfree(&g);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        out[k].size = (long long)st.st_size;
        out[k].mtime_secs = st.st_mtim.tv_sec;
        format_mtime(&st, out[k].mtime, sizeof(out[k].mtime));
        k++;
    }
    globfree(&g);
    qsort(out, k, sizeof(*out), by_key);
    *items = out;
    *n = k;
    return 0;
}

void source_items_free(source_item *items, size_t n)
{
    for (size_t i = 0; items && i < n; i++)
        free(items[i].key);
    free(items);
}

int files_read(const char *path, long long expected_size, files_chunk_fn chunk, void *arg,
               char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    char *buf = malloc(READ_CHUNK);
    if (!buf) {
        close(fd);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    long long total = 0;
    int rc = 0;
    for (;;) {
        ssize_t got = read(fd, buf, READ_CHUNK);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
            rc = -1;
            break;
        }
        if (got == 0)
            break;
        total += got;
        if (expected_size >= 0 && total > expected_size)
            break; /* reported below */
        if ((rc = chunk(arg, buf, (size_t)got)) != 0)
            break;
    }
    if (rc == 0 && expected_size >= 0 && total != expected_size) {
        snprintf(err, errlen, "%s changed while it was read (%lld bytes listed, %s%lld read)", path,
                 expected_size, total > expected_size ? "over " : "", total);
        rc = -1;
    }
    free(buf);
    close(fd);
    return rc;
}
