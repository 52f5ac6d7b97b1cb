/*
 * fuzz_csv.c — libFuzzer harness for the CSV parser: whatever the bytes and the options,
 * reading an item whole, fed in random pieces, and split into random chunks parsed on one or
 * two threads must deliver the same records and error rows, byte for byte (compared as
 * transcripts, regress/unit/csv_transcript.h), and end the same way, also when the consumer
 * stops the parse part way.
 *
 * The first five bytes choose: [0] header, delimiter, quote, escape and null string;
 * [1] max_record; [2] chunk count and threads; [3] the seed of the cuts; [4] the event at
 * which the consumer stops (0: never). The rest is the CSV.
 */
#include "../regress/unit/csv_transcript.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t next_random(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* n ascending cuts in (0, len), repeats allowed (the parsers must take those too). */
static void random_cuts(uint32_t *seed, size_t len, size_t *cuts, size_t n)
{
    for (size_t k = 0; k < n; k++)
        cuts[k] = len > 1 ? 1 + next_random(seed) % (len - 1) : 0;
    for (size_t a = 1; a < n; a++)
        for (size_t b = a; b > 0 && cuts[b - 1] > cuts[b]; b--) {
            size_t x = cuts[b];
            cuts[b] = cuts[b - 1];
            cuts[b - 1] = x;
        }
}

static void same(const char *what, const char *want, const char *got, size_t len)
{
    if (strcmp(want, got) == 0)
        return;
    fprintf(stderr, "%s differs from reading the item whole (%zu bytes)\n--- whole\n%s--- %s\n%s",
            what, len, want, what, got);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const delims[] = {",", ";", "\t", "|"};
    static const char *const nulls[] = {"", "\\N", "NULL", "x"};
    if (size < 5)
        return 0;
    csv_options o = {
        .header = data[0] & 1 ? "true" : "false",
        .delimiter = delims[(data[0] >> 1) & 3],
        .quote = data[0] & 8 ? "'" : "\"",
        .escape = data[0] & 16 ? "\\" : NULL,
        .null = nulls[(data[0] >> 5) & 3],
        .max_record = data[1] & 0x80 ? (size_t)(data[1] & 0x3f) + 1 : 0,
    };
    size_t nchunks = (size_t)(data[2] & 7) + 1;
    int nthreads = data[2] & 0x80 ? 2 : 1;
    uint32_t seed = 0x9e3779b9u ^ ((uint32_t)data[3] << 8) ^ (uint32_t)size;
    size_t stop = data[4] & 7;
    const char *in = (const char *)data + 5;
    size_t len = size - 5;

    char *whole = tr_pieces(in, len, &o, 0, stop);

    size_t cuts[16];
    size_t nfeeds = 1 + next_random(&seed) % 16;
    random_cuts(&seed, len, cuts, nfeeds - 1);
    char *fed = tr_fed(in, len, &o, cuts, nfeeds - 1, stop);
    same("fed in pieces", whole, fed, len);

    char *bytes = tr_pieces(in, len, &o, 1 + (data[3] & 3), stop);
    same("fed 1 to 4 bytes at a time", whole, bytes, len);

    random_cuts(&seed, len, cuts, nchunks - 1);
    char *chunks = tr_chunks(in, len, &o, nthreads, cuts, nchunks - 1, stop);
    same("split into chunks", whole, chunks, len);

    free(whole);
    free(fed);
    free(bytes);
    free(chunks);
    return 0;
}
