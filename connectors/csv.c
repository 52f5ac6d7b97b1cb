/*
 * csv.c — the CSV parser of csv.h: the options, the two scans of a record, the streaming
 * feed, and the parallel split.
 *
 * A record is read in two steps, as PostgreSQL's COPY reads a line and then its attributes.
 * scan_record finds where the record ends by the quotes alone (and counts the physical
 * lines inside it); split_fields then reads its fields from the complete bytes. Only the
 * first step carries state from one feed to the next, so a record that straddles feeds costs
 * one copy of its bytes and no rescan, and the second step always sees contiguous bytes: the
 * caller's buffer when the record lies whole in it. Both scans jump over ordinary bytes eight
 * at a time (find_class); nothing is allocated per field.
 *
 * Every record, good or bad, becomes a csv_entry in a csv_out. The streaming parser delivers
 * each one at once and empties the csv_out; a chunk of the parallel parse keeps its entries
 * until the chunks before it are delivered. Both run the same code up to that point, which is
 * what makes the parallel parse the sequential one, byte for byte.
 */
#include "csv.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BOM "\xEF\xBB\xBF"
#define NO_START ((size_t)-1)
#define ARENA_BLOCK ((size_t)64 << 10)
#define CHUNK_MAX ((size_t)1 << 20)
#define CHUNK_MIN ((size_t)64 << 10)

/* Byte classes: what each scan stops at. */
enum { C_DELIM = 1, C_QUOTE = 2, C_ESCAPE = 4, C_CR = 8, C_LF = 16 };

typedef struct csv_dialect {
    bool header;
    uint8_t delim, quote, escape;
    bool escape_differs; /* escape is not the quote: \" style */
    const char *null_str;
    size_t null_len;
    size_t max_record;
    uint8_t cls[256];
} csv_dialect;

/* Unescaped field text and error reasons: blocks that never move, so the fields of a chunk
 * can point into them until the chunk is delivered. */
typedef struct arena_block {
    struct arena_block *prev;
    size_t cap, used;
    char data[];
} arena_block;

/* One record or error row, its fields in the csv_out's field array. */
typedef struct csv_entry {
    long long line, offset;
    size_t first, nfields;
    const char *reason; /* NULL for a record */
    const char *raw;
    size_t raw_len;
} csv_entry;

typedef struct csv_out {
    csv_entry *entries;
    size_t nentries, centries;
    sl_field *fields;
    size_t nfields, cfields;
    arena_block *arena;
} csv_out;

/* Where scan_record is inside a record that is not finished yet. */
typedef struct scan_state {
    bool in_quote;
    bool esc;     /* the last byte was an escape inside quotes (escape_differs only) */
    bool prev_cr; /* the last byte was a CR (a CR LF inside quotes is one line) */
    long long breaks;
} scan_state;

struct csv_parser {
    csv_dialect d;
    sl_record_fn on_record;
    sl_bad_record_fn on_bad;
    void *arg;
    char **names;
    size_t ncols;         /* 0 until the header (or the first good record) is read */
    bool borrowed;        /* a chunk's parser: d.null_str and names belong to another */
    bool store;           /* keep entries in *out instead of delivering them */
    bool stop_when_known; /* parse_records returns once ncols is known */
    csv_out own, *out;
    long long line; /* line of the next record's first byte */
    long long base; /* item offset of the current buffer's first byte */
    /* streaming */
    size_t nbom; /* bytes of a BOM seen so far, while bom_done is false */
    bool bom_done;
    bool skip_lf; /* the last record ended with a CR that ended the buffer */
    bool carrying;
    scan_state st;
    uint8_t *carry; /* the unfinished record's bytes, at most max_record */
    size_t carry_len, carry_cap, rec_len;
    long long rec_offset;
    bool finished;
    bool failed; /* rc is CSV_FAILED by the parser's own doing, err says why */
    int rc;
    sl_error err;
};

/* ---- errors ---- */

__attribute__((format(printf, 4, 5))) static int fail(csv_parser *p, const char *sqlstate,
                                                      const char *hint, const char *fmt, ...)
{
    memset(&p->err, 0, sizeof(p->err));
    snprintf(p->err.sqlstate, sizeof(p->err.sqlstate), "%s", sqlstate);
    if (hint)
        snprintf(p->err.hint, sizeof(p->err.hint), "%s", hint);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err.message, sizeof(p->err.message), fmt, ap);
    va_end(ap);
    p->failed = true;
    return CSV_FAILED;
}

static int fail_oom(csv_parser *p)
{
    return fail(p, "53200", NULL, "out of memory while parsing CSV");
}

/* ---- options ---- */

static bool option_char(const char *name, const char *v, uint8_t dflt, uint8_t *out, sl_error *err)
{
    if (!v) {
        *out = dflt;
        return true;
    }
    if (strlen(v) != 1 || (unsigned char)v[0] >= 0x80) {
        sl_error_set(err, "22023", NULL,
                     "CSV %s must be a single one-byte character, not \"%.32s\"", name, v);
        return false;
    }
    if (v[0] == '\r' || v[0] == '\n') {
        sl_error_set(err, "22023", NULL, "CSV %s cannot be newline or carriage return", name);
        return false;
    }
    *out = (uint8_t)v[0];
    return true;
}

static bool option_bool(const char *v, bool *out, sl_error *err)
{
    static const char *const words[] = {"true", "false", "on", "off", "yes", "no", "1", "0"};
    *out = true;
    if (!v)
        return true;
    for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
        if (strcasecmp(v, words[k]) == 0) {
            *out = k % 2 == 0;
            return true;
        }
    }
    sl_error_set(err, "22023", NULL, "CSV header must be true or false, not \"%.32s\"", v);
    return false;
}

static bool option_null(const csv_dialect *d, const char *v, sl_error *err)
{
    if (strchr(v, '\r') || strchr(v, '\n')) {
        sl_error_set(err, "22023", NULL, "CSV null cannot contain newline or carriage return");
        return false;
    }
    if (strchr(v, d->delim) || strchr(v, d->quote)) {
        sl_error_set(err, "22023", NULL, "CSV null cannot contain the %s (\"%c\")",
                     strchr(v, d->delim) ? "delimiter" : "quote",
                     strchr(v, d->delim) ? d->delim : d->quote);
        return false;
    }
    return true;
}

static bool option_encoding(const char *v, sl_error *err)
{
    if (!v || strcasecmp(v, "utf8") == 0 || strcasecmp(v, "utf-8") == 0)
        return true;
    sl_error_set(err, "0A000",
                 "Convert the files to UTF-8 (for example iconv -f <encoding> -t UTF-8), or leave "
                 "the encoding option out.",
                 "CSV encoding \"%.32s\" is not supported: sluice reads UTF-8 only", v);
    return false;
}

/* Fills d from the options; d->null_str points into o. */
static bool dialect_from_options(const csv_options *o, csv_dialect *d, sl_error *err)
{
    memset(d, 0, sizeof(*d));
    if (!option_bool(o->header, &d->header, err) ||
        !option_char("delimiter", o->delimiter, ',', &d->delim, err) ||
        !option_char("quote", o->quote, '"', &d->quote, err) ||
        !option_char("escape", o->escape, d->quote, &d->escape, err) ||
        !option_encoding(o->encoding, err))
        return false;
    if (d->delim == d->quote) {
        sl_error_set(err, "22023", NULL, "CSV delimiter and quote must be different");
        return false;
    }
    d->null_str = o->null ? o->null : "";
    if (!option_null(d, d->null_str, err))
        return false;
    d->null_len = strlen(d->null_str);
    d->escape_differs = d->escape != d->quote;
    d->max_record = o->max_record ? o->max_record : CSV_MAX_RECORD;
    d->cls[d->delim] |= C_DELIM;
    d->cls[d->quote] |= C_QUOTE;
    if (d->escape_differs)
        d->cls[d->escape] |= C_ESCAPE;
    d->cls['\r'] |= C_CR;
    d->cls['\n'] |= C_LF;
    return true;
}

/* ---- scanning eight bytes at a time ---- */

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

static inline uint64_t load8(const uint8_t *s)
{
    uint64_t w;
    memcpy(&w, s, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

/* The high bit of each zero byte of v. Exact for the lowest zero byte (a borrow only runs
 * upwards from a zero byte), which is the only one read. */
static inline uint64_t zero_bytes(uint64_t v)
{
    return (v - ONES) & ~v & HIGHS;
}

/* The first index in [i, n) whose byte is in one of the classes of mask, or n. mask is a
 * constant at every call, so the tests fold away. */
static inline size_t find_class(const csv_dialect *d, const uint8_t *s, size_t i, size_t n,
                                unsigned mask)
{
    const uint64_t delim = d->delim * ONES, quote = d->quote * ONES, escape = d->escape * ONES;
    for (; i + 8 <= n; i += 8) {
        uint64_t w = load8(s + i), x = 0;
        if (mask & C_DELIM)
            x |= zero_bytes(w ^ delim);
        if (mask & C_QUOTE)
            x |= zero_bytes(w ^ quote);
        if ((mask & C_ESCAPE) && d->escape_differs)
            x |= zero_bytes(w ^ escape);
        if (mask & C_CR)
            x |= zero_bytes(w ^ ('\r' * ONES));
        if (mask & C_LF)
            x |= zero_bytes(w ^ ('\n' * ONES));
        if (x)
            return i + (size_t)(__builtin_ctzll(x) >> 3);
    }
    while (i < n && !(d->cls[s[i]] & mask))
        i++;
    return i;
}

/*
 * Step one: from s[i], where a record starts or where st left off, to the CR or LF that ends
 * the record (its index), or n when the record goes on past the buffer. Every quote toggles
 * the quoted state, except one escaped inside quotes; that is all that decides where a record
 * ends. Line breaks inside quotes are added to st->breaks (the one that ends the record is
 * the caller's to count).
 */
static size_t scan_record(const csv_dialect *d, const uint8_t *s, size_t i, size_t n,
                          scan_state *st)
{
    const size_t from = i;
    if (st->esc && i < n) { /* the last buffer ended with an escape inside quotes */
        st->esc = false;
        if (s[i] == d->quote || s[i] == d->escape)
            i++;
    }
    while (i < n) {
        if (!st->in_quote) {
            i = find_class(d, s, i, n, C_QUOTE | C_CR | C_LF);
            if (i == n)
                break;
            if (s[i] != d->quote)
                return i;
            st->in_quote = true;
            i++;
            continue;
        }
        i = find_class(d, s, i, n, C_QUOTE | C_ESCAPE | C_CR | C_LF);
        if (i == n)
            break;
        uint8_t c = s[i++];
        if (c == '\r')
            st->breaks++;
        else if (c == '\n')
            st->breaks += !(i - 1 > from ? s[i - 2] == '\r' : st->prev_cr);
        else if (c == d->quote)
            st->in_quote = false;
        else if (i == n) /* an escape, the pair cut by the buffer's end */
            st->esc = true;
        else if (s[i] == d->quote || s[i] == d->escape)
            i++;
    }
    if (n > from)
        st->prev_cr = s[n - 1] == '\r';
    return n;
}

/* ---- csv_out ---- */

static char *arena_reserve(arena_block **a, size_t n)
{
    arena_block *b = *a;
    if (b && b->cap - b->used >= n)
        return b->data + b->used;
    size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
    arena_block *nb = malloc(sizeof(*nb) + cap);
    if (!nb)
        return NULL;
    *nb = (arena_block){.prev = b, .cap = cap};
    *a = nb;
    return nb->data;
}

static void arena_free(arena_block *b)
{
    while (b) {
        arena_block *prev = b->prev;
        free(b);
        b = prev;
    }
}

/* Empties o for the next record, keeping the newest (largest recent) arena block. */
static void out_clear(csv_out *o)
{
    o->nentries = o->nfields = 0;
    if (o->arena) {
        arena_free(o->arena->prev);
        o->arena->prev = NULL;
        o->arena->used = 0;
    }
}

static void out_free(csv_out *o)
{
    free(o->entries);
    free(o->fields);
    arena_free(o->arena);
    memset(o, 0, sizeof(*o));
}

static bool grow(void **v, size_t *cap, size_t size)
{
    size_t n = *cap ? *cap * 2 : 16;
    void *g = realloc(*v, n * size);
    if (!g)
        return false;
    *v = g;
    *cap = n;
    return true;
}

/* The next field's slot (o->nfields is not advanced), or NULL. Fields are written in place,
 * member by member: a whole-struct copy through the stack stalls on store forwarding. */
static sl_field *next_field(csv_out *o)
{
    if (o->nfields == o->cfields && !grow((void **)&o->fields, &o->cfields, sizeof(sl_field)))
        return NULL;
    return &o->fields[o->nfields];
}

static int deliver(const csv_parser *p, const csv_out *o, const csv_entry *e)
{
    if (e->reason) {
        sl_bad_record b = {.line = e->line,
                           .offset = e->offset,
                           .reason = e->reason,
                           .raw = e->raw,
                           .raw_len = e->raw_len};
        return p->on_bad(p->arg, &b);
    }
    sl_record r = {.names = (const char *const *)p->names,
                   .fields = o->fields + e->first,
                   .nfields = e->nfields,
                   .line = e->line,
                   .offset = e->offset};
    return p->on_record(p->arg, &r);
}

/* A finished entry: delivered now (streaming), or kept for its chunk's turn. */
static int push_entry(csv_parser *p, const csv_entry *e)
{
    csv_out *o = p->out;
    if (!p->store) {
        int rc = deliver(p, o, e);
        out_clear(o);
        return rc;
    }
    if (o->nentries == o->centries && !grow((void **)&o->entries, &o->centries, sizeof(csv_entry)))
        return fail_oom(p);
    o->entries[o->nentries++] = *e;
    return 0;
}

__attribute__((format(printf, 5, 6))) static int
bad_entry(csv_parser *p, const uint8_t *r, size_t len, long long offset, const char *fmt, ...)
{
    char *reason = arena_reserve(&p->out->arena, 128);
    if (!reason)
        return fail_oom(p);
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(reason, 128, fmt, ap);
    va_end(ap);
    p->out->arena->used += k < 128 ? (size_t)k + 1 : 128;
    csv_entry e = {.line = p->line,
                   .offset = offset,
                   .reason = reason,
                   .raw = (const char *)r,
                   .raw_len = len < p->d.max_record ? len : p->d.max_record};
    return push_entry(p, &e);
}

/* ---- step two: the fields of a complete record ---- */

typedef enum split_result {
    SPLIT_OK,
    SPLIT_OPEN_QUOTE,
    SPLIT_AFTER_QUOTE,
    SPLIT_QUOTE_INSIDE,
    SPLIT_OOM
} split_result;

/* Room for the unescaped text of a record's quoted fields, taken on the first escape: the
 * record's length is always enough. */
typedef struct unescape {
    arena_block **arena;
    size_t need;
    char *buf;
    size_t used;
} unescape;

/* The quoted field at r[*pos] (its opening quote) into *f; *pos to after the closing quote. */
static split_result read_quoted(const csv_dialect *d, const uint8_t *r, size_t n, size_t *pos,
                                unescape *u, sl_field *f)
{
    size_t i = *pos + 1, from = i, wl = 0;
    char *w = NULL;
    for (;;) {
        size_t q = find_class(d, r, i, n, C_QUOTE | C_ESCAPE);
        if (q == n)
            return SPLIT_OPEN_QUOTE;
        if (r[q] == d->escape && q + 1 < n && (r[q + 1] == d->quote || r[q + 1] == d->escape)) {
            if (!w && !u->buf && !(u->buf = arena_reserve(u->arena, u->need)))
                return SPLIT_OOM;
            if (!w)
                w = u->buf + u->used;
            memcpy(w + wl, r + from, q - from);
            wl += q - from;
            w[wl++] = (char)r[q + 1];
            i = from = q + 2;
            continue;
        }
        if (r[q] != d->quote) { /* an escape before anything else is data */
            i = q + 1;
            continue;
        }
        if (w) {
            memcpy(w + wl, r + from, q - from);
            wl += q - from;
            u->used += wl;
            f->data = w;
            f->len = wl;
        } else {
            f->data = (const char *)r + from;
            f->len = q - from;
        }
        f->null = false;
        *pos = q + 1;
        return SPLIT_OK;
    }
}

/* Appends the fields of r[0, n) to o; on an error, *col is the 1-based field at fault. */
static split_result split_fields(const csv_dialect *d, csv_out *o, const uint8_t *r, size_t n,
                                 size_t *col)
{
    unescape u = {.arena = &o->arena, .need = n};
    size_t i = 0;
    for (*col = 1;; ++*col) {
        sl_field *f = next_field(o);
        if (!f)
            return SPLIT_OOM;
        if (i < n && r[i] == d->quote) {
            split_result sr = read_quoted(d, r, n, &i, &u, f);
            if (sr != SPLIT_OK)
                return sr;
            if (i < n && r[i] != d->delim)
                return SPLIT_AFTER_QUOTE;
        } else {
            size_t e = find_class(d, r, i, n, C_DELIM | C_QUOTE);
            if (e < n && r[e] == d->quote)
                return SPLIT_QUOTE_INSIDE;
            f->data = (const char *)r + i;
            f->len = e - i;
            f->null =
                f->len == d->null_len && (f->len == 0 || memcmp(f->data, d->null_str, f->len) == 0);
            i = e;
        }
        o->nfields++;
        if (i == n)
            break;
        i++; /* the delimiter */
    }
    if (u.buf)
        o->arena->used += u.used;
    return SPLIT_OK;
}

/* What is wrong with a record that split_fields refused. */
static void split_message(split_result sr, size_t col, char *buf, size_t n)
{
    const char *what = sr == SPLIT_OPEN_QUOTE    ? "unterminated quoted field in"
                       : sr == SPLIT_AFTER_QUOTE ? "characters after the closing quote in"
                                                 : "quote inside unquoted";
    snprintf(buf, n, "%s column %zu", what, col);
}

/* ---- the header ---- */

typedef struct named {
    const char *name;
    size_t col;
} named;

static int by_name(const void *a, const void *b)
{
    const named *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->col > y->col) - (x->col < y->col);
}

static char *column_name(size_t col)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "c%zu", col);
    return strdup(buf);
}

static int check_duplicates(csv_parser *p)
{
    named *v = malloc(p->ncols * sizeof(*v));
    if (!v)
        return fail_oom(p);
    for (size_t k = 0; k < p->ncols; k++)
        v[k] = (named){p->names[k], k + 1};
    qsort(v, p->ncols, sizeof(*v), by_name);
    for (size_t k = 1; k < p->ncols; k++) {
        if (strcmp(v[k - 1].name, v[k].name) == 0) {
            int rc = fail(p, "42701",
                          "An empty name stands for c<N>, N its position. Rename one of the "
                          "columns in the file, or read it with header = false and RENAME the "
                          "columns c1, c2, … in TRANSFORM.",
                          "duplicate column name \"%.64s\" in the CSV header (columns %zu and %zu)",
                          v[k].name, v[k - 1].col, v[k].col);
            free(v);
            return rc;
        }
    }
    free(v);
    return 0;
}

static int take_header(csv_parser *p, size_t first)
{
    csv_out *o = p->out;
    size_t n = o->nfields - first;
    if (!(p->names = calloc(n, sizeof(char *))))
        return fail_oom(p);
    p->ncols = n;
    for (size_t k = 0; k < n; k++) {
        const sl_field *f = &o->fields[first + k];
        if (memchr(f->data, 0, f->len))
            return fail(p, "22P04", NULL,
                        "column %zu of the CSV header on line %lld holds a NUL byte", k + 1,
                        p->line);
        if (!(p->names[k] = f->len ? strndup(f->data, f->len) : column_name(k + 1)))
            return fail_oom(p);
    }
    out_clear(o);
    return check_duplicates(p);
}

/* No header: the columns are c1 … cN, N from the first record that reads without error. */
static int name_columns(csv_parser *p, size_t n)
{
    if (!(p->names = calloc(n, sizeof(char *))))
        return fail_oom(p);
    p->ncols = n;
    for (size_t k = 0; k < n; k++)
        if (!(p->names[k] = column_name(k + 1)))
            return fail_oom(p);
    return 0;
}

static int header_fail(csv_parser *p, const char *what)
{
    return fail(p, "22P04", "Fix the header line of the file, or read it with header = false.",
                "cannot read the CSV header on line %lld: %s", p->line, what);
}

/*
 * A complete record of len bytes at r, starting at item offset offset and line p->line. Only
 * the first max_record bytes are there when len is more (a record that straddled feeds).
 */
static int record_done(csv_parser *p, const uint8_t *r, size_t len, long long offset)
{
    bool header = p->d.header && !p->ncols;
    char what[96];
    if (len > p->d.max_record) {
        snprintf(what, sizeof(what), "longer than %zu bytes", p->d.max_record);
        return header ? header_fail(p, what) : bad_entry(p, r, len, offset, "record %s", what);
    }
    if (len == 0 && p->ncols != 1) /* a blank line */
        return 0;
    csv_out *o = p->out;
    size_t first = o->nfields, col;
    split_result sr = split_fields(&p->d, o, r, len, &col);
    if (sr == SPLIT_OOM)
        return fail_oom(p);
    if (sr != SPLIT_OK)
        split_message(sr, col, what, sizeof(what));
    if (header)
        return sr == SPLIT_OK ? take_header(p, first) : header_fail(p, what);
    if (sr != SPLIT_OK) {
        o->nfields = first;
        return bad_entry(p, r, len, offset, "%s", what);
    }
    size_t nf = o->nfields - first;
    int rc;
    if (!p->ncols && (rc = name_columns(p, nf)))
        return rc;
    if (nf != p->ncols) {
        o->nfields = first;
        return bad_entry(p, r, len, offset,
                         "wrong number of fields: %zu, expected %zu as in the %s", nf, p->ncols,
                         p->d.header ? "header" : "first record");
    }
    csv_entry e = {.line = p->line, .offset = offset, .first = first, .nfields = nf};
    return push_entry(p, &e);
}

/* Where the next record starts after the line end at s[t]. */
static size_t after_line_end(csv_parser *p, const uint8_t *s, size_t t, size_t n, bool eof)
{
    if (s[t] == '\n')
        return t + 1;
    if (t + 1 < n)
        return s[t + 1] == '\n' ? t + 2 : t + 1;
    p->skip_lf = !eof; /* a CR that ends the buffer: an LF first in the next one is its */
    return t + 1;
}

/*
 * The records that start in s[i, n), in place. With eof, the last one ends at n; without,
 * *end is where an unfinished record starts (its scan state in p->st) or n. Returns 0 or what
 * stopped the parse.
 */
static int parse_records(csv_parser *p, const uint8_t *s, size_t i, size_t n, bool eof, size_t *end)
{
    while (i < n) {
        scan_state st = {0};
        size_t t = scan_record(&p->d, s, i, n, &st);
        if (t == n && !eof) {
            p->st = st;
            break;
        }
        int rc = record_done(p, s + i, t - i, p->base + (long long)i);
        p->line += st.breaks + (t < n);
        i = t < n ? after_line_end(p, s, t, n, eof) : n;
        if (rc) {
            *end = i;
            return rc;
        }
        if (p->stop_when_known && p->ncols)
            break;
    }
    *end = i;
    return 0;
}

/* ---- streaming ---- */

csv_parser *csv_open(const csv_options *opts, sl_record_fn on_record, sl_bad_record_fn on_bad,
                     void *arg, sl_error *err)
{
    static const csv_options defaults;
    csv_dialect d;
    if (!dialect_from_options(opts ? opts : &defaults, &d, err))
        return NULL;
    if (!on_record || !on_bad) {
        sl_error_set(err, "22023", NULL, "a CSV parser needs a record and an error-row consumer");
        return NULL;
    }
    csv_parser *p = calloc(1, sizeof(*p));
    char *null_copy = strdup(d.null_str);
    if (!p || !null_copy) {
        free(p);
        free(null_copy);
        sl_error_set(err, "53200", NULL, "out of memory");
        return NULL;
    }
    d.null_str = null_copy;
    *p = (csv_parser){.d = d, .on_record = on_record, .on_bad = on_bad, .arg = arg, .line = 1};
    p->out = &p->own;
    return p;
}

/* Appends k bytes of the unfinished record, keeping at most max_record of them. */
static bool carry_add(csv_parser *p, const uint8_t *s, size_t k)
{
    p->rec_len += k;
    size_t room = p->d.max_record - p->carry_len;
    if (k > room)
        k = room;
    if (p->carry_len + k > p->carry_cap) {
        size_t cap = p->carry_cap ? p->carry_cap : 4096;
        while (cap < p->carry_len + k)
            cap *= 2;
        if (cap > p->d.max_record)
            cap = p->d.max_record;
        uint8_t *g = realloc(p->carry, cap);
        if (!g)
            return false;
        p->carry = g;
        p->carry_cap = cap;
    }
    if (k)
        memcpy(p->carry + p->carry_len, s, k);
    p->carry_len += k;
    return true;
}

/* The record that straddled feeds, now complete. */
static int carried_done(csv_parser *p, bool line_end)
{
    p->carrying = false;
    int rc = record_done(p, p->carry, p->rec_len, p->rec_offset);
    p->line += p->st.breaks + line_end;
    return rc;
}

static int feed_bytes(csv_parser *p, const uint8_t *s, size_t n)
{
    size_t i = 0, end;
    int rc = 0;
    if (n && p->skip_lf) {
        p->skip_lf = false;
        i = s[0] == '\n';
    }
    if (p->carrying) {
        size_t t = scan_record(&p->d, s, i, n, &p->st);
        if (!carry_add(p, s + i, t - i))
            rc = fail_oom(p);
        else if (t < n) {
            rc = carried_done(p, true);
            i = after_line_end(p, s, t, n, false);
        } else
            i = n;
    }
    if (!rc && (rc = parse_records(p, s, i, n, false, &end)) == 0 && end < n) {
        p->carrying = true;
        p->carry_len = p->rec_len = 0;
        p->rec_offset = p->base + (long long)end;
        if (!carry_add(p, s + end, n - end))
            rc = fail_oom(p);
    }
    p->base += (long long)n;
    return rc;
}

int csv_feed(csv_parser *p, const void *data, size_t len)
{
    if (p->rc)
        return p->rc;
    if (p->finished)
        return p->rc = fail(p, "55000", NULL, "CSV parser fed after csv_finish");
    const uint8_t *s = data;
    if (!p->bom_done) { /* a BOM may itself straddle feeds */
        while (len && p->nbom < 3 && s[0] == (uint8_t)BOM[p->nbom]) {
            p->nbom++;
            s++;
            len--;
        }
        if (p->nbom < 3 && !len)
            return 0;
        p->bom_done = true;
        if (p->nbom == 3)
            p->base = 3;
        else if (p->nbom && (p->rc = feed_bytes(p, (const uint8_t *)BOM, p->nbom)))
            return p->rc;
    }
    return p->rc = feed_bytes(p, s, len);
}

int csv_finish(csv_parser *p)
{
    if (p->rc || p->finished)
        return p->rc;
    if (!p->bom_done) {
        p->bom_done = true;
        if (p->nbom && (p->rc = feed_bytes(p, (const uint8_t *)BOM, p->nbom)))
            return p->rc;
    }
    p->finished = true;
    p->skip_lf = false;
    return p->rc = p->carrying ? carried_done(p, false) : 0;
}

const sl_error *csv_error(const csv_parser *p)
{
    return p->failed ? &p->err : NULL;
}

void csv_close(csv_parser *p)
{
    if (!p)
        return;
    if (!p->borrowed) {
        for (size_t k = 0; p->names && k < p->ncols; k++)
            free(p->names[k]);
        free(p->names);
        free((char *)p->d.null_str);
    }
    out_free(&p->own);
    free(p->carry);
    free(p);
}

/* ---- the parallel parse ---- */

/* What pass 1 learns about one chunk (NO_START: no such start in the chunk). */
typedef struct csv_pass1 {
    size_t nquotes;
    long long nbreaks;
    size_t start[2];
    long long breaks_before[2];
} csv_pass1;

/* Quotes and line breaks in s[i, e): a CR, or an LF not right after a CR (s[i - 1] is looked
 * at). Plain loops over blocks of 64 bytes, which the compiler turns into vector code. */
static void count_chunk(const uint8_t *s, size_t i, size_t e, uint8_t quote, size_t *nquotes,
                        long long *nbreaks)
{
    size_t q = 0;
    long long br = 0;
    if (i == 0 && e > 0) {
        q += s[0] == quote;
        br += s[0] == '\r' || s[0] == '\n';
        i = 1;
    }
    for (; i + 64 <= e; i += 64) {
        uint8_t bq = 0, bcr = 0, blf = 0, bcrlf = 0;
        for (int k = 0; k < 64; k++) {
            uint8_t c = s[i + k], prev = s[i + k - 1];
            bq += c == quote;
            bcr += c == '\r';
            blf += c == '\n';
            bcrlf += (c == '\n') & (prev == '\r');
        }
        q += bq;
        br += bcr + blf - bcrlf;
    }
    for (; i < e; i++) {
        q += s[i] == quote;
        br += s[i] == '\r' || (s[i] == '\n' && s[i - 1] != '\r');
    }
    *nquotes = q;
    *nbreaks = br;
}

/* Pass 1 over one chunk [b, e): its quotes and line breaks, and where the first record that
 * starts in it would start after an even and after an odd number of its quotes. A record
 * starts after an LF, or after a CR not followed by an LF (CR LF ends at the LF). */
static void pass1_chunk(const csv_dialect *d, const uint8_t *s, size_t b, size_t e, csv_pass1 *r)
{
    *r = (csv_pass1){.start = {NO_START, NO_START}};
    count_chunk(s, b, e, d->quote, &r->nquotes, &r->nbreaks);
    if (b > 0 && (s[b - 1] == '\n' || (s[b - 1] == '\r' && s[b] != '\n')))
        r->start[0] = b;
    size_t q = 0, unused;
    for (size_t i = b; i < e && (r->start[0] == NO_START || r->start[1] == NO_START); i++) {
        /* once this parity has its start, only the next quote matters */
        if (r->start[q & 1] != NO_START)
            i = find_class(d, s, i, e, C_QUOTE);
        else
            i = find_class(d, s, i, e, C_QUOTE | C_CR | C_LF);
        if (i == e)
            break;
        if (s[i] == d->quote) {
            q++;
        } else if (i + 1 < e && (s[i] == '\n' || s[i + 1] != '\n')) {
            r->start[q & 1] = i + 1;
            count_chunk(s, b, i + 1, d->quote, &unused, &r->breaks_before[q & 1]);
        }
    }
}

typedef struct pass1_job {
    const csv_dialect *d;
    const uint8_t *buf;
    const size_t *bounds; /* chunk k is [bounds[k], bounds[k + 1]), the last up to len */
    size_t nchunks, len, first, step;
    csv_pass1 *out;
} pass1_job;

static void *pass1_worker(void *arg)
{
    const pass1_job *j = arg;
    for (size_t k = j->first; k < j->nchunks; k += j->step)
        pass1_chunk(j->d, j->buf, j->bounds[k], k + 1 < j->nchunks ? j->bounds[k + 1] : j->len,
                    &j->out[k]);
    return NULL;
}

/* Pass 1 on up to nthreads threads (the calling thread is one of them). */
static void pass1_all(const csv_dialect *d, const uint8_t *buf, size_t len, const size_t *bounds,
                      size_t nchunks, int nthreads, csv_pass1 *out)
{
    size_t nt = nthreads > 1 ? (size_t)nthreads : 1;
    if (nt > nchunks)
        nt = nchunks;
    pass1_job jobs[64];
    pthread_t tid[64];
    bool started[64] = {false};
    if (nt > 64)
        nt = 64;
    for (size_t t = 0; t < nt; t++) {
        jobs[t] = (pass1_job){.d = d,
                              .buf = buf,
                              .bounds = bounds,
                              .nchunks = nchunks,
                              .len = len,
                              .first = t,
                              .step = nt,
                              .out = out};
        if (t > 0)
            started[t] = pthread_create(&tid[t], NULL, pass1_worker, &jobs[t]) == 0;
    }
    for (size_t t = 0; t < nt; t++)
        if (!started[t])
            pass1_worker(&jobs[t]);
    for (size_t t = 1; t < nt; t++)
        if (started[t])
            pthread_join(tid[t], NULL);
}

/* The parity prefix: the true record starts, from the chunks' parities. */
static void chunk_starts(const csv_pass1 *c, size_t nchunks, size_t *starts, long long *lines)
{
    size_t q = 0;
    long long line = 1;
    for (size_t k = 0; k < nchunks; k++) {
        starts[k] = c[k].start[q & 1];
        lines[k] = line + c[k].breaks_before[q & 1];
        q += c[k].nquotes;
        line += c[k].nbreaks;
    }
}

/* A run of records [from, to) parsed by one worker, kept in out until it is its turn. */
typedef struct csv_region {
    size_t from, to;
    long long line;
    csv_out *out;
    int rc;
    sl_error err;
    bool done;
} csv_region;

/*
 * Pass 2. Workers take the regions in order, at most window of them ahead of the one being
 * delivered; region r is parsed into slots[r % window], which region r - window has left
 * empty by then. The slots keep their memory from one region to the next: the fields and
 * entries of a region are written to pages already mapped.
 */
typedef struct csv_job {
    const uint8_t *buf;
    size_t len;
    const csv_parser *p0;
    csv_region *regions;
    csv_out *slots;
    size_t nregions, next, delivered, window;
    bool stop;
    pthread_mutex_t mu;
    pthread_cond_t work, done;
} csv_job;

/* A parser for regions: p0's options and columns, keeping what it reads. */
static void region_parser(csv_parser *w, const csv_parser *p0)
{
    *w = (csv_parser){.d = p0->d,
                      .names = p0->names,
                      .ncols = p0->ncols,
                      .borrowed = true,
                      .store = true,
                      .bom_done = true};
}

static void parse_region(csv_parser *w, const csv_job *j, size_t idx)
{
    csv_region *r = &j->regions[idx];
    size_t end;
    w->out = r->out = &j->slots[idx % j->window];
    w->line = r->line;
    w->base = 0;
    r->rc = parse_records(w, j->buf, r->from, r->to, r->to == j->len, &end);
    if (r->rc == CSV_FAILED)
        r->err = w->err;
}

static int deliver_region(csv_parser *p0, csv_region *r)
{
    int rc = 0;
    for (size_t k = 0; k < r->out->nentries && !rc; k++)
        rc = deliver(p0, r->out, &r->out->entries[k]);
    if (!rc && r->rc == CSV_FAILED) {
        p0->err = r->err;
        p0->failed = true;
        rc = CSV_FAILED;
    }
    out_clear(r->out);
    return rc;
}

static void *region_worker(void *arg)
{
    csv_job *j = arg;
    csv_parser w;
    region_parser(&w, j->p0);
    pthread_mutex_lock(&j->mu);
    for (;;) {
        while (!j->stop && j->next < j->nregions && j->next >= j->delivered + j->window)
            pthread_cond_wait(&j->work, &j->mu);
        if (j->stop || j->next >= j->nregions)
            break;
        size_t idx = j->next++;
        pthread_mutex_unlock(&j->mu);
        parse_region(&w, j, idx);
        pthread_mutex_lock(&j->mu);
        j->regions[idx].done = true;
        pthread_cond_broadcast(&j->done);
    }
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

/* Pass 2 on up to nthreads workers; the calling thread delivers the regions in order (and
 * parses them itself when there are no workers). */
static int run_regions(csv_parser *p0, csv_job *j, int nthreads)
{
    size_t nw = nthreads > 1 ? (size_t)nthreads : 0, started = 0;
    if (nw > j->nregions)
        nw = j->nregions;
    pthread_t *tid = nw > 1 ? calloc(nw, sizeof(*tid)) : NULL;
    j->window = nw > 1 ? 2 * nw : 1;
    if (!(j->slots = calloc(j->window, sizeof(csv_out)))) {
        free(tid);
        return fail_oom(p0);
    }
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->work, NULL);
    pthread_cond_init(&j->done, NULL);
    while (tid && started < nw && pthread_create(&tid[started], NULL, region_worker, j) == 0)
        started++;
    int rc = 0;
    csv_parser w;
    region_parser(&w, p0);
    for (size_t r = 0; r < j->nregions && !rc; r++) {
        if (!started) {
            parse_region(&w, j, r);
        } else {
            pthread_mutex_lock(&j->mu);
            while (!j->regions[r].done)
                pthread_cond_wait(&j->done, &j->mu);
            pthread_mutex_unlock(&j->mu);
        }
        rc = deliver_region(p0, &j->regions[r]);
        pthread_mutex_lock(&j->mu);
        j->delivered = r + 1;
        j->stop = rc != 0;
        pthread_cond_broadcast(&j->work);
        pthread_mutex_unlock(&j->mu);
    }
    for (size_t t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    for (size_t s = 0; s < j->window; s++)
        out_free(&j->slots[s]);
    free(j->slots);
    free(tid);
    pthread_cond_destroy(&j->done);
    pthread_cond_destroy(&j->work);
    pthread_mutex_destroy(&j->mu);
    return rc;
}

static bool has_bom(const uint8_t *s, size_t len)
{
    return len >= 3 && memcmp(s, BOM, 3) == 0;
}

/*
 * Pass 2, once the true starts are known. The header (or, without one, the first record that
 * sets the number of columns) is read first, on this thread, as the streaming parser reads
 * it; the regions then run from there to each chunk's true start.
 */
static int parse_from_starts(csv_parser *p0, const uint8_t *buf, size_t len, const size_t *starts,
                             const long long *lines, size_t nchunks, csv_region *regions,
                             int nthreads)
{
    size_t at, nregions = 0;
    p0->bom_done = p0->finished = p0->stop_when_known = true;
    p0->base = 0;
    int rc = parse_records(p0, buf, has_bom(buf, len) ? 3 : 0, len, true, &at);
    if (rc || at == len)
        return rc;
    regions[nregions++] = (csv_region){.from = at, .line = p0->line};
    for (size_t k = 1; k < nchunks; k++) {
        if (starts[k] == NO_START || starts[k] <= at)
            continue;
        regions[nregions - 1].to = starts[k];
        regions[nregions++] = (csv_region){.from = starts[k], .line = lines[k]};
    }
    regions[nregions - 1].to = len;
    csv_job j = {.buf = buf, .len = len, .p0 = p0, .regions = regions, .nregions = nregions};
    return run_regions(p0, &j, nthreads);
}

static int parse_split(csv_parser *p0, const uint8_t *buf, size_t len, const size_t *bounds,
                       size_t nchunks, int nthreads)
{
    csv_pass1 *c = calloc(nchunks, sizeof(*c));
    size_t *starts = calloc(nchunks, sizeof(*starts));
    long long *lines = calloc(nchunks, sizeof(*lines));
    csv_region *regions = calloc(nchunks, sizeof(*regions));
    int rc;
    if (!c || !starts || !lines || !regions) {
        rc = fail_oom(p0);
    } else {
        pass1_all(&p0->d, buf, len, bounds, nchunks, nthreads, c);
        chunk_starts(c, nchunks, starts, lines);
        rc = parse_from_starts(p0, buf, len, starts, lines, nchunks, regions, nthreads);
    }
    free(c);
    free(starts);
    free(lines);
    free(regions);
    return rc;
}

/* Chunk starts: 0, then the cuts that are ascending and inside the item. */
static size_t chunk_bounds(const size_t *cuts, size_t ncuts, size_t len, size_t *bounds)
{
    size_t n = 0;
    bounds[n++] = 0;
    for (size_t k = 0; k < ncuts; k++)
        if (cuts[k] > bounds[n - 1] && cuts[k] < len)
            bounds[n++] = cuts[k];
    return n;
}

int csv_parse_chunks(const void *buf, size_t len, const csv_options *opts, int nthreads,
                     const size_t *cuts, size_t ncuts, sl_record_fn on_record,
                     sl_bad_record_fn on_bad, void *arg, sl_error *err)
{
    memset(err, 0, sizeof(*err));
    csv_parser *p0 = csv_open(opts, on_record, on_bad, arg, err);
    if (!p0)
        return CSV_FAILED;
    size_t *bounds = malloc((ncuts + 1) * sizeof(*bounds));
    int rc;
    if (!bounds) {
        rc = fail_oom(p0);
    } else {
        size_t nchunks = chunk_bounds(cuts, ncuts, len, bounds);
        /* With an escape other than the quote, \" is one quote byte that toggles nothing:
         * quote parity no longer tells where records start, so read it in one piece. */
        if (nchunks == 1 || p0->d.escape_differs) {
            rc = csv_feed(p0, buf, len);
            if (!rc)
                rc = csv_finish(p0);
        } else {
            rc = parse_split(p0, buf, len, bounds, nchunks, nthreads);
        }
    }
    if (rc == CSV_FAILED && p0->failed)
        *err = p0->err;
    free(bounds);
    csv_close(p0);
    return rc;
}

int csv_parse_parallel(const void *buf, size_t len, const csv_options *opts, int nthreads,
                       sl_record_fn on_record, sl_bad_record_fn on_bad, void *arg, sl_error *err)
{
    size_t chunk = nthreads > 1 ? len / (4 * (size_t)nthreads) : 0;
    if (chunk > CHUNK_MAX)
        chunk = CHUNK_MAX;
    if (nthreads <= 1 || chunk < CHUNK_MIN)
        return csv_parse_chunks(buf, len, opts, 1, NULL, 0, on_record, on_bad, arg, err);
    size_t ncuts = (len - 1) / chunk;
    size_t *cuts = malloc(ncuts * sizeof(*cuts));
    if (!cuts) {
        sl_error_set(err, "53200", NULL, "out of memory");
        return CSV_FAILED;
    }
    for (size_t k = 0; k < ncuts; k++)
        cuts[k] = (k + 1) * chunk;
    int rc = csv_parse_chunks(buf, len, opts, nthreads, cuts, ncuts, on_record, on_bad, arg, err);
    free(cuts);
    return rc;
}

bool csv_chunk_starts(const void *buf, size_t len, const csv_options *opts, const size_t *cuts,
                      size_t ncuts, size_t *starts, sl_error *err)
{
    static const csv_options defaults;
    csv_dialect d;
    if (!dialect_from_options(opts ? opts : &defaults, &d, err))
        return false;
    if (d.escape_differs) {
        sl_error_set(err, "22023", NULL,
                     "quote parity cannot split CSV whose escape is not the quote");
        return false;
    }
    size_t *bounds = malloc((ncuts + 1) * sizeof(*bounds));
    csv_pass1 *c = calloc(ncuts + 1, sizeof(*c));
    size_t *all = calloc(ncuts + 1, sizeof(*all));
    long long *lines = calloc(ncuts + 1, sizeof(*lines));
    bool ok = bounds && c && all && lines;
    if (!ok)
        sl_error_set(err, "53200", NULL, "out of memory");
    else if (chunk_bounds(cuts, ncuts, len, bounds) != ncuts + 1) {
        sl_error_set(err, "22023", NULL, "cuts must be ascending and inside the item");
        ok = false;
    } else {
        pass1_all(&d, buf, len, bounds, ncuts + 1, 1, c);
        chunk_starts(c, ncuts + 1, all, lines);
        memcpy(starts, all + 1, ncuts * sizeof(*starts));
    }
    free(bounds);
    free(c);
    free(all);
    free(lines);
    return ok;
}
