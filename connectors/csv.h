/*
 * csv.h — CSV as PostgreSQL's COPY … (FORMAT csv) reads it, turned into records (record.h).
 * Two ways in: a streaming parser fed chunks of any size (csv_open, csv_feed, csv_finish),
 * and a parallel parser for a whole item already in memory (csv_parse_parallel), which
 * yields exactly what the streaming parser yields, in the same order.
 *
 * What the bytes mean (the options are those of spec/SQL.md, with PostgreSQL's defaults):
 *
 * - A record ends at LF, CRLF or a lone CR outside quotes (PostgreSQL also ends a line at an
 *   unquoted CR; unlike PostgreSQL, sluice does not require every line of a file to end the
 *   same way). Inside quotes CR and LF are data and kept as they are.
 * - Fields are separated by the delimiter. A field that starts with the quote is quoted: it
 *   runs to the closing quote and keeps delimiters, CRs and LFs; inside it the escape
 *   followed by the quote or by the escape stands for that character (with the default
 *   escape, the quote itself, that is a doubled quote ""). An escape followed by anything
 *   else is an ordinary character.
 * - An unquoted field equal to the null string is NULL; with the default null string '' an
 *   unquoted empty field is NULL and a quoted empty field "" is an empty string. A quoted
 *   field is never NULL.
 * - Stricter than PostgreSQL, which glues such pieces together: a closing quote must be
 *   followed by a delimiter or the end of the record, and a quote may not appear inside an
 *   unquoted field. Either makes the record an error row. Where the record ends is decided
 *   before its fields are read, by the quotes alone, as PostgreSQL does: every quote opens
 *   or closes a quoted section (an escaped quote does neither). So a malformed record never
 *   shifts the records after it, and the parallel split below stays exact.
 * - A UTF-8 byte order mark at the start of an item is skipped (offsets still count it).
 * - Header (default true): the first record names the columns. Names are kept exactly as
 *   written (not trimmed, the null string does not apply); an empty name becomes c<N>, N its
 *   1-based position. Without a header the columns are c1, c2, … and their number is that
 *   of the first record that reads without error. Every record must then have that number
 *   of fields, or it is an error row.
 * - A header that cannot be used (malformed, a duplicate name — including a c<N> given to
 *   an empty name —, a NUL byte in a name, longer than max_record) fails the parse:
 *   csv_feed / csv_finish return CSV_FAILED and csv_error says why (SQLSTATE 22P04, or 42701
 *   for a duplicate). Records cannot be named, so there is nothing to go on with.
 * - A blank line (no bytes between two line ends) is skipped, except in a one-column file,
 *   where it is one unquoted empty field, as in PostgreSQL. (PostgreSQL rejects blank lines
 *   of wider files; files often end with one.) Blank lines before the header are skipped.
 * - Line numbers are 1-based and count physical lines: LF, CRLF and lone CR, inside quotes
 *   or not. A record's line is the one it starts on; its offset is the byte offset of its
 *   first byte in the item (the decompressed stream, BOM included).
 * - There is no end-of-data marker: a line "\." is data.
 * - Bytes are passed through as they are: encoding must be utf8 (other encodings are
 *   refused when the parser is created) but the text is not validated here.
 *
 * Error rows (on_bad) carry the line and offset of the record's start, a reason and the raw
 * bytes of the record without its line end: unterminated quoted field (only at the end of
 * the input), characters after a closing quote, a quote inside an unquoted field, a wrong
 * number of fields, or a record longer than max_record bytes (then raw is its first
 * max_record bytes; the parser reads on to the record's end without keeping the rest). The
 * parse goes on with the next record.
 *
 * Memory: the streaming parser keeps at most one record (up to max_record bytes) plus its
 * fields, whatever the item's size. Field data points into the caller's buffer when a
 * record lies whole in one csv_feed; it is copied when the record straddles feeds and when
 * a quoted field holds escapes.
 */
#ifndef SLUICE_CSV_H
#define SLUICE_CSV_H

#include "intercept.h" /* sl_error */
#include "record.h"

#include <stdbool.h>
#include <stddef.h>

/* The FORMAT CSV options as written in CREATE PIPELINE; NULL means the default. */
typedef struct csv_options {
    const char *header;    /* true (default) / false, on/off, yes/no, 1/0 */
    const char *delimiter; /* one ASCII character, not CR or LF; default "," */
    const char *quote;     /* one ASCII character, not CR, LF or the delimiter; default "\"" */
    const char *escape;    /* one ASCII character, not CR or LF; default: the quote */
    const char *null;      /* default "": without CR, LF, the delimiter or the quote */
    const char *encoding;  /* utf8 (or utf-8) only */
    size_t max_record;     /* longest record kept whole, in bytes; 0 = CSV_MAX_RECORD */
} csv_options;

#define CSV_MAX_RECORD ((size_t)64 << 20)

/* Returned when the parser itself fails (bad header, out of memory, misuse): see csv_error.
 * Consumers that stop the parse should return another nonzero value. */
#define CSV_FAILED (-1)

typedef struct csv_parser csv_parser;

/* Checks the options; NULL with err set (22023, 0A000 for an encoding) when they are wrong.
 * Both callbacks are required; arg is passed to them. */
csv_parser *csv_open(const csv_options *opts, sl_record_fn on_record, sl_bad_record_fn on_bad,
                     void *arg, sl_error *err);

/* Parses len more bytes of the item. Records are delivered as soon as they are complete;
 * the bytes of an unfinished record are kept until a later call completes it. Returns 0,
 * the nonzero value a consumer returned (the parse stops there), or CSV_FAILED. Once
 * nonzero, every later call returns the same value. */
int csv_feed(csv_parser *p, const void *data, size_t len);

/* The end of the item: delivers the last record if it had no line end (an open quote makes
 * it an error row). Returns as csv_feed. */
int csv_finish(csv_parser *p);

/* Why csv_feed / csv_finish returned CSV_FAILED; NULL otherwise. */
const sl_error *csv_error(const csv_parser *p);

void csv_close(csv_parser *p);

/*
 * Parses a whole item in memory on nthreads threads, delivering to on_record / on_bad on the
 * calling thread exactly what csv_open + csv_feed(buf, len) + csv_finish would deliver, in
 * the same order, and returning what they would return (err is filled for CSV_FAILED). The
 * callbacks are not called concurrently. nthreads <= 1, or an item too small for chunks of
 * 64 KiB, is parsed sequentially.
 *
 * The item is cut into chunks of len / (4 * nthreads) bytes, at least 64 KiB and at most
 * 1 MiB: more chunks than threads keeps memory bounded, as a chunk's records are held until
 * it is its turn to be delivered, and at most 2 * nthreads chunks are parsed ahead, each
 * holding about three times its bytes in fields (reused from one chunk to the next).
 * Where each chunk's first record really starts is found by the two-pass quote-parity
 * method: every quote toggles the quoted state, so the state at a byte is the parity of the
 * quotes before it; pass 1 counts quotes per chunk (in parallel) and notes the first line
 * end after an even and after an odd count, a prefix sum gives each chunk's parity, and
 * pass 2 parses the chunks in parallel from their true starts. This is exact when the
 * escape is the quote (an escaped quote "" adds two quotes). With another escape (\" style)
 * an escaped quote is a single quote byte, parity says nothing, and the item is parsed
 * sequentially.
 */
int csv_parse_parallel(const void *buf, size_t len, const csv_options *opts, int nthreads,
                       sl_record_fn on_record, sl_bad_record_fn on_bad, void *arg, sl_error *err);

/* csv_parse_parallel with the chunks given: chunk k starts at cuts[k-1] (cuts ascending,
 * each in (0, len); others are ignored), nthreads <= 1 parses them one after the other on
 * the calling thread. For tests, and for callers that know better where to cut. */
int csv_parse_chunks(const void *buf, size_t len, const csv_options *opts, int nthreads,
                     const size_t *cuts, size_t ncuts, sl_record_fn on_record,
                     sl_bad_record_fn on_bad, void *arg, sl_error *err);

/* Pass 1 alone, for tests: starts[k] is the offset of the first record that starts in
 * [cuts[k], cuts[k+1]) (the last up to len), or (size_t)-1 when none does. The cuts must be
 * ascending and in (0, len), and the escape the quote; false with err set otherwise. */
bool csv_chunk_starts(const void *buf, size_t len, const csv_options *opts, const size_t *cuts,
                      size_t ncuts, size_t *starts, sl_error *err);

#endif
