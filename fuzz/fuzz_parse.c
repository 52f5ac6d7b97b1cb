/*
 * fuzz_parse.c — libFuzzer harness for the statement parser: whatever text a client
 * sends, sl_parse must return a tree or an error (never crash, leak or read out of
 * bounds), and a tree must survive SHOW CREATE: its canonical text parses back to an
 * equal tree, and deparsing that gives the same text again. What parses is also what
 * classify_statement (the proxy's cheap test) calls ours, with the same kind.
 */
#include "intercept.h" /* sl_error */
#include "parse.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_round_trip(const sl_stmt *s)
{
    char *text = sl_stmt_to_sql(s);
    if (!text)
        abort();
    sl_parse_result again = sl_parse(text);
    if (again.error) {
        fprintf(stderr, "canonical text does not parse: %s\n  %s\n", again.error->message, text);
        abort();
    }
    if (!sl_stmt_equal(s, again.stmt)) {
        fprintf(stderr, "canonical text means something else:\n  %s\n", text);
        abort();
    }
    char *text2 = sl_stmt_to_sql(again.stmt);
    if (!text2 || strcmp(text, text2) != 0) {
        fprintf(stderr, "canonical text is not a fixed point:\n  %s\n  %s\n", text,
                text2 ? text2 : "(null)");
        abort();
    }
    free(text2);
    sl_parse_free(again);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *sql = malloc(size + 1);
    if (!sql)
        return 0;
    memcpy(sql, data, size);
    sql[size] = '\0';
    sl_parse_result r = sl_parse(sql);
    if (r.stmt) {
        /* the proxy decides by classify_statement what to hand to the parser: they agree */
        if (classify_statement(sql, strlen(sql)) != r.stmt->kind) {
            fprintf(stderr, "classified as %d, parsed as %d: %s\n",
                    classify_statement(sql, strlen(sql)), r.stmt->kind, sql);
            abort();
        }
        check_round_trip(r.stmt);
    } else if (!r.error || !r.error->sqlstate[0] || !r.error->message[0])
        abort(); /* every failure says why */
    sl_parse_free(r);
    free(sql);
    return 0;
}
