/*
 * infer_sound.c — what engine/infer.c calls a type, PostgreSQL accepts as that type: every
 * value of a corpus (generated around the edges of each rule) is inferred, then cast by
 * PostgreSQL to the inferred type; a refusal is a failure. Text is always accepted, so the
 * corpus also checks that values PostgreSQL would take as a narrower type are not missed
 * for the common spellings (counted, not failed: "text when in doubt" is allowed).
 *
 *   infer_sound CONNINFO
 */
#include "infer.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const corpus[] = {
    "0",
    "-0",
    "+7",
    "2147483647",
    "2147483648",
    "-2147483649",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "1.",
    ".1",
    "-1.5e-7",
    "1E308",
    "1e400",
    "00012",
    "true",
    "F",
    "yes",
    "N",
    "2026-01-01",
    "2024-02-29",
    "1900-02-28",
    "0001-01-01",
    "9999-12-31",
    "2026-11-22 00:00",
    "2026-11-22 23:59:59",
    "2026-11-22 23:59:60",
    "2026-11-22T12:00:00.000001",
    "2026-11-22 12:00:00.1234567",
    "2026-11-22 12:00:00Z",
    "2026-11-22 12:00:00+15",
    "2026-11-22 12:00:00-15:59",
    "2026-11-22 12:00:00 +0530",
    "2026-11-22T12:00:00.5z",
    "abc",
    "",
    "1,000",
    "$5",
    "12:30",
    "2026/11/22",
};

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: infer_sound CONNINFO\n");
        return 2;
    }
    PGconn *c = PQconnectdb(argv[1]);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "connect: %s", PQerrorMessage(c));
        return 1;
    }
    int failures = 0, typed = 0;
    for (size_t i = 0; i < sizeof(corpus) / sizeof(corpus[0]); i++) {
        infer_type t = infer_value(corpus[i], strlen(corpus[i]));
        char sql[128];
        snprintf(sql, sizeof(sql), "SELECT $1::%s", infer_type_name(t));
        const char *params[1] = {corpus[i]};
        PGresult *r = PQexecParams(c, sql, 1, NULL, params, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            fprintf(stderr, "\"%s\" inferred as %s, which PostgreSQL refuses: %s", corpus[i],
                    infer_type_name(t), PQresultErrorMessage(r));
            failures++;
        }
        typed += t != INFER_TEXT;
        PQclear(r);
    }
    PQfinish(c);
    if (failures)
        return 1;
    printf("%zu values: every inferred type accepted by PostgreSQL (%d typed, the rest text)\n",
           sizeof(corpus) / sizeof(corpus[0]), typed);
    return 0;
}
