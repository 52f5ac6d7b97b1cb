/*
 * files.h — the FILES source: local files matching a glob, each an item identified by
 * path + size + modification time (a file that changes is a new item).
 *
 * A file still being written must not be loaded half-way: list leaves out files modified
 * less than settle_seconds ago. Writers should still create a file under another name and
 * rename it into place when complete; a file that grows after it was loaded is loaded again
 * as a new item (that is the identity rule).
 */
#ifndef SLUICE_FILES_H
#define SLUICE_FILES_H

#include <stddef.h>
#include <time.h>

typedef struct source_item {
    char *key;         /* the path */
    long long size;    /* bytes */
    char mtime[40];    /* "YYYY-MM-DD HH:MM:SS.uuuuuu+00", as the ledger's timestamptz text */
    time_t mtime_secs; /* the same, for lag */
} source_item;

/*
 * The regular files matching pattern (glob(3): *, ?, [...], no brace expansion), in byte
 * order of their paths, leaving out those modified less than settle_seconds before now.
 * 0 with *items (malloc'd, *n of them; none is not an error), or -1 with a message in err.
 */
int files_list(const char *pattern, int settle_seconds, time_t now, source_item **items, size_t *n,
               char *err, size_t errlen);
void source_items_free(source_item *items, size_t n);

typedef int (*files_chunk_fn)(void *arg, const void *buf, size_t len);

/*
 * Reads the file in chunks of up to 256 KB, handing each to chunk (a nonzero return stops
 * and is returned). 0 at the end, -1 with a message in err on a read error, or when the
 * file's size no longer matches expected_size (it changed since it was listed: its ledger
 * identity would be wrong); expected_size < 0 skips that check.
 */
int files_read(const char *path, long long expected_size, files_chunk_fn chunk, void *arg,
               char *err, size_t errlen);

#endif
