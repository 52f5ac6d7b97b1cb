/*
 * copy_roundtrip.c — rows encoded by engine/copyenc.c reach PostgreSQL exactly: each value
 * (NULL, empty, quotes, delimiters, CR, LF, \., \N, multibyte, long) is encoded into a
 * COPY … FROM STDIN WITH (FORMAT csv) stream, loaded into a table, read back, and compared
 * byte for byte and NULL for NULL, together with the sequence number column.
 *
 *   copy_roundtrip CONNINFO
 */
#include "copyenc.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const values[] = {
    NULL,  "",    "plain", "a,b",      "say \"hi\"", "\"", "\"\"", "line1\nline2", "cr\rlf\r\n",
    "\\.", "\\N", "\\",    " padded ", "é€😀",        ",",  "\n",   "\\.\n",        "x\\.y",
};
#define NVALUES (sizeof(values) / sizeof(values[0]))

static int run(PGconn *c, const char *sql, ExecStatusType want)
{
    PGresult *r = PQexec(c, sql);
    int ok = PQresultStatus(r) == want;
    if (!ok)
        fprintf(stderr, "%s: %s", sql, PQresultErrorMessage(r));
    PQclear(r);
    return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: copy_roundtrip CONNINFO\n");
        return 2;
    }
    PGconn *c = PQconnectdb(argv[1]);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "connect: %s", PQerrorMessage(c));
        return 1;
    }
    if (run(c, "CREATE TEMP TABLE rt (a text, b text, _sluice_seq bigint)", PGRES_COMMAND_OK) ||
        run(c, "COPY rt (a, b, _sluice_seq) FROM STDIN WITH (FORMAT csv)", PGRES_COPY_IN))
        return 1;
    /* every value in column a, and beside it (column b) every value in reverse order */
    sqlbuf data = {0};
    for (size_t i = 0; i < NVALUES; i++) {
        const char *a = values[i], *b = values[NVALUES - 1 - i];
        sl_field f[2] = {{a, a ? strlen(a) : 0, a == NULL}, {b, b ? strlen(b) : 0, b == NULL}};
        copyenc_row(&data, COPYENC_POSTGRES, f, 2, (long long)i + 1);
    }
    if (data.oom || PQputCopyData(c, data.data, (int)data.len) != 1 || PQputCopyEnd(c, NULL) != 1) {
        fprintf(stderr, "copy: %s", PQerrorMessage(c));
        return 1;
    }
    PGresult *r = PQgetResult(c);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fprintf(stderr, "copy: %s", PQresultErrorMessage(r));
        return 1;
    }
    PQclear(r);
    r = PQexec(c, "SELECT a, b, _sluice_seq FROM rt ORDER BY _sluice_seq");
    int failures = PQntuples(r) == (int)NVALUES ? 0 : 1;
    if (failures)
        fprintf(stderr, "%d rows back, %zu sent\n", PQntuples(r), NVALUES);
    for (int i = 0; !failures && i < PQntuples(r); i++) {
        for (int col = 0; col < 2; col++) {
            const char *want = values[col == 0 ? (size_t)i : NVALUES - 1 - (size_t)i];
            bool null = PQgetisnull(r, i, col);
            if ((want == NULL) != null || (want && strcmp(want, PQgetvalue(r, i, col)) != 0)) {
                fprintf(stderr, "row %d column %d: sent %s%s%s, got %s%s%s\n", i + 1, col,
                        want ? "\"" : "", want ? want : "NULL", want ? "\"" : "", null ? "" : "\"",
                        null ? "NULL" : PQgetvalue(r, i, col), null ? "" : "\"");
                failures++;
            }
        }
        if (atoll(PQgetvalue(r, i, 2)) != i + 1)
            failures++;
    }
    PQclear(r);
    sqlbuf_free(&data);
    PQfinish(c);
    if (failures)
        return 1;
    printf("%zu values, NULL and empty included, round-trip through COPY csv unchanged\n", NVALUES);
    return 0;
}
