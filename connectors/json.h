/*
 * json.h — the JSON format: a stream of (decompressed) bytes, fed in chunks of any size, in;
 * records (record.h) out, each as soon as its last byte has arrived. Memory is bounded by
 * the largest record, never by the item: a top-level array of a million records streams.
 *
 * Owns the reader's buffers; the records it hands out are flattened by jsonflat.h, which
 * says what a record's fields are.
 *
 * The layout of an item, decided from its first byte other than whitespace (after an
 * optional UTF-8 byte order mark):
 * - '[': one top-level array; each element is a record.
 * - anything else: JSON Lines. Each line is one record; blank lines are skipped; a CR
 *   before the LF is whitespace. A record may not span lines (JSON escapes every newline
 *   inside a string), so a pretty-printed object is not JSON Lines: each of its lines is a
 *   bad record.
 * - with the `records` option ('data.items'): one top-level object, and the records are the
 *   elements of the array found by following the keys (data, then items). Keys are matched
 *   after unescaping, exactly; the first match at each level is followed and later repeats
 *   are skipped; a key holding '.' cannot be named. The rest of the object (other keys,
 *   before or after, such as a next-page link) is skipped, checked only for its structure.
 * An item that is empty or all whitespace has no records, whatever the layout.
 *
 * Numbering: a record's line is its 1-based number in the item (lines that are not blank;
 * array elements), bad ones included; its offset is the byte offset of its first byte
 * (leading whitespace excluded) in the decompressed item.
 *
 * Bad records go to the bad-record callback with their number, offset, reason and raw text,
 * and reading goes on:
 * - JSON Lines: a line that is not a valid JSON object is a bad record; the next line is
 *   read as usual.
 * - arrays: an element that is not a valid object is a bad record, and the next element is
 *   read as usual, as long as the element can still be delimited (its brackets and quotes
 *   balance, and ',' or ']' follows). When it cannot — a missing ',', an unterminated
 *   string, an array cut short, text after the closing ']' — nothing after that point can be
 *   trusted to be where it seems: one bad record says so ("…; the rest of the array is
 *   skipped"), with up to JSON_RAW_CONTEXT bytes from that point (or the unfinished
 *   element) as raw text, and the rest of the item is skipped. The consumer decides whether
 *   that stops the pipeline (on_error), as for any bad record.
 * - a record longer than max_record_bytes is bad (its raw text is its first
 *   max_record_bytes bytes); its bytes after that are scanned and not kept.
 * With `records`, the parts of the object outside the array are not records: when they are
 * malformed, or the path is missing or leads to something other than an array, the item
 * fails (feed or finish returns -1, json_reader_error says why), e.g. "records path
 * 'data.items' not found: "data" has no key "items"".
 */
#ifndef SLUICE_JSON_H
#define SLUICE_JSON_H

#include <stddef.h>

#include "record.h"

#define JSON_MAX_RECORD_BYTES (64u << 20) /* the default bound of one record */
#define JSON_RAW_CONTEXT 256              /* raw bytes shown after a structural error */
#define JSON_MAX_PATH_KEYS 32             /* keys in a records path */

typedef struct json_options {
    const char *records;     /* 'a.b': where the array of records is; NULL or "": none */
    size_t max_record_bytes; /* 0: JSON_MAX_RECORD_BYTES */
} json_options;

typedef struct json_reader json_reader;

/*
 * A reader for one item. opt may be NULL (defaults). NULL when the records path is not
 * valid (an empty key, more than JSON_MAX_PATH_KEYS keys) with the reason in err, or when
 * memory runs out.
 */
json_reader *json_reader_new(const json_options *opt, sl_record_fn on_record,
                             sl_bad_record_fn on_bad, void *arg, char *err, size_t errlen);

/*
 * Reads the next len bytes of the item. Returns 0, or what a callback returned when it
 * returned nonzero (reading stops there), or -1 when the item cannot be read (see
 * json_reader_error). Once nonzero, every later call returns the same value.
 */
int json_reader_feed(json_reader *r, const void *data, size_t len);

/* The item has ended: the last record (a final line without its newline) is read, and an
 * unfinished array or object is reported. Returns as json_reader_feed does. */
int json_reader_finish(json_reader *r);

/* Why the item could not be read, after -1; NULL otherwise. */
const char *json_reader_error(const json_reader *r);

void json_reader_free(json_reader *r);

#endif
