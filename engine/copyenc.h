/*
 * copyenc.h — rows as the COPY of a batch reads them: CSV lines for the staging table, in
 * the pipeline's loaded-column order, with the batch sequence number last (the merge's
 * "newest wins" tie-break, column _sluice_seq).
 *
 * PostgreSQL (COPY … FROM STDIN WITH (FORMAT csv)): NULL is an unquoted empty field, an
 * empty string is "", and any field holding the delimiter, a quote, CR, LF, or starting a
 * line with \. is quoted. Redshift (COPY … CSV NULL AS '\N'): NULL is \N unquoted, and a
 * value that is literally \N is quoted, so the two never meet.
 */
#ifndef SLUICE_COPYENC_H
#define SLUICE_COPYENC_H

#include "record.h"
#include "sqlbuf.h"

#include <stdbool.h>

typedef enum copyenc_dialect { COPYENC_POSTGRES, COPYENC_REDSHIFT } copyenc_dialect;

/* One field of a row, as a transform hands it over. */
void copyenc_field(sqlbuf *out, copyenc_dialect d, const sl_field *f);

/*
 * One line: fields[i] for each of the n loaded columns (a column the row lacks is passed as
 * NULL), then seq, then "\n".
 */
void copyenc_row(sqlbuf *out, copyenc_dialect d, const sl_field *fields, size_t n, long long seq);

#endif
