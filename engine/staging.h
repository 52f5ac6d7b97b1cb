/*
 * staging.h — a Redshift batch's staged data: the COPY lines (copyenc.h) written as gzip
 * CSV parts of bounded size, each handed to an upload callback as it fills, and the
 * manifest that names them all (mandatory, so a part that is missing fails the COPY rather
 * than loading less).
 */
#ifndef SLUICE_STAGING_H
#define SLUICE_STAGING_H

#include "sqlbuf.h"

#include <stddef.h>

typedef struct staging staging;

/* A finished part: its number (0, 1, …) and its gzip bytes. Nonzero stops the batch. */
typedef int (*staging_upload_fn)(void *arg, int part, const void *gz, size_t len);

/* part_bytes: uncompressed bytes per part at most (see staging_write). NULL on OOM. */
staging *staging_new(size_t part_bytes, staging_upload_fn upload, void *arg);

/*
 * Appends rows (one or more whole COPY rows, copyenc_row's output) as one unit: a unit is
 * never split between parts, so a quoted field's newline never ends a part. A part is
 * closed before a unit that would take it past part_bytes, so a part exceeds part_bytes
 * only when a single unit does. Returns the upload's nonzero value, -1 on a compression
 * failure, else 0.
 */
int staging_write(staging *s, const char *rows, size_t len);

/* Flushes the last part (if it holds anything). Same returns as staging_write. */
int staging_finish(staging *s);

/* Parts handed over so far. */
int staging_parts(const staging *s);

void staging_free(staging *s);

/*
 * The manifest for parts 0..nparts-1, each at url_prefix + "part-NNNNN.csv.gz", as Redshift
 * reads it: {"entries":[{"url":"…","mandatory":true},…]}.
 */
void staging_manifest(sqlbuf *out, const char *url_prefix, int nparts);

/* The key (or URL) suffix of part i: "part-00000.csv.gz". */
void staging_part_name(char *out, size_t outlen, int part);

#endif
