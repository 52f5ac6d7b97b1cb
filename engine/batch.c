/*
 * batch.c — see batch.h.
 *
 * The steps: the definition parsed and bound against the target as it is; the FILES listed
 * and the ledger's items left out; each new item read → decompressed → parsed (CSV, JSON,
 * or whichever its first bytes say) → transformed → each value checked against its column's
 * type → the row spooled (a column index and a value per field, so columns that appear
 * later in the batch can still be added); then the plan of the batch, run statement by
 * statement, with the spool re-encoded as COPY CSV in the final column order.
 */
#include "batch.h"
#include "bind.h"
#include "cast.h"
#include "copyenc.h"
#include "csv.h"
#include "decompress.h"
#include "files.h"
#include "infer.h"
#include "json.h"
#include "parse.h"
#include "plan.h"
#include "script.h"
#include "sqlbuf.h"
#include "transform.h"
#include "utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define RAW_MAX 8192      /* bytes of a bad record kept in its error row */
#define SNIFF_BYTES 65536 /* an unformatted item's first bytes, to decide CSV or JSON */
#define COPY_CHUNK (256 * 1024)

/* ---- columns of the batch ---- */

typedef struct batch_column {
    char *name;
    bool known;      /* in the target table (or its column list) already */
    cast_spec cast;  /* known: the type values must fit */
    bool castable;   /* known and a type cast.h handles (others pass as they are) */
    infer_type seen; /* new: the type of the values seen */
} batch_column;

typedef struct error_row {
    char *item;
    long long line;
    char *column;
    char *reason;
    char *raw;
} error_row;

typedef struct batch_ctx {
    PGconn *c;
    const batch_request *rq;
    batch_result *res;
    sl_parse_result parsed;
    const sl_create_pipeline *cp;
    bound_pipeline bound;
    bool evolve; /* no column list: the table follows the data */
    batch_column *cols;
    size_t ncols, capcols;
    transform *tf;
    arena checks; /* cast_value's scratch, reset per row */
    FILE *spool;
    long long seq;
    error_row *errors;
    size_t nerrors, caperrors;
    long max_errors;
    bool abort_on_error;
    const char *item; /* being read */
    int stop;         /* nonzero: a callback stopped the read */
    sqlbuf scratch;   /* an error row's raw text */
    sqlbuf row;       /* a row on its way to the spool */
} batch_ctx;

static bool fail(batch_ctx *b, const char *sqlstate, const char *hint, const char *fmt,
                 const char *a)
{
    sl_error_set(&b->res->err, sqlstate, hint, fmt, a);
    return false;
}

static bool fail_pg(batch_ctx *b, PGresult *r, const char *what)
{
    const char *code = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    sl_error_set(&b->res->err, code ? code : "08006", NULL, "%s: %s", what,
                 msg ? msg : PQerrorMessage(b->c));
    return false;
}

/* Runs sql; false with res->err set unless its status is want. */
static bool exec_want(batch_ctx *b, const char *sql, ExecStatusType want, PGresult **keep)
{
    PGresult *r = PQexec(b->c, sql);
    bool ok = PQresultStatus(r) == want;
    if (!ok)
        fail_pg(b, r, "the batch failed");
    if (ok && keep)
        *keep = r;
    else
        PQclear(r);
    return ok;
}

static int column_index(batch_ctx *b, const char *name, size_t hint)
{
    if (hint < b->ncols && strcmp(b->cols[hint].name, name) == 0)
        return (int)hint;
    for (size_t i = 0; i < b->ncols; i++)
        if (strcmp(b->cols[i].name, name) == 0)
            return (int)i;
    return -1;
}

static int column_add(batch_ctx *b, const char *name, const char *type)
{
    if (b->ncols == b->capcols) {
        size_t cap = b->capcols ? b->capcols * 2 : 16;
        batch_column *grown = realloc(b->cols, cap * sizeof(*grown));
        if (!grown)
            return -1;
        b->cols = grown;
        b->capcols = cap;
    }
    batch_column *c = &b->cols[b->ncols];
    memset(c, 0, sizeof(*c));
    c->name = strdup(name);
    if (!c->name)
        return -1;
    if (type) {
        sl_error ignored;
        c->known = true;
        c->castable = cast_compile(type, NULL, &c->cast, &ignored);
    }
    return (int)b->ncols++;
}

/* ---- error rows ---- */

/*
 * A copy of n bytes fit to be a SQL literal: valid UTF-8, no NUL. Other bytes (a bad
 * record's raw text may be anything) become '?'.
 */
static char *clean_text(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t len = utf8_seq_len((const unsigned char *)s + i, n - i);
        if (len == 0 || s[i] == 0) {
            out[o++] = '?';
            i++;
            continue;
        }
        memcpy(out + o, s + i, len);
        o += len;
        i += len;
    }
    out[o] = '\0';
    return out;
}

static int add_error(batch_ctx *b, long long line, const char *column, const char *reason,
                     const char *raw, size_t raw_len)
{
    if (b->abort_on_error || (long)b->nerrors >= b->max_errors) {
        char msg[700];
        snprintf(msg, sizeof(msg), "%s, line %lld: %s", b->item, line, reason);
        sl_error_set(&b->res->err, "22P04",
                     b->abort_on_error
                         ? "on_error = abort stops the pipeline at the first error row; fix the "
                           "source or the TRANSFORM, or use on_error = skip."
                         : "More error rows than max_errors in one batch stop the pipeline; fix "
                           "the source or the TRANSFORM, or raise max_errors.",
                     "%s", msg);
        return b->stop = 2;
    }
    if (b->nerrors == b->caperrors) {
        size_t cap = b->caperrors ? b->caperrors * 2 : 16;
        error_row *grown = realloc(b->errors, cap * sizeof(*grown));
        if (!grown)
            return b->stop = 1;
        b->errors = grown;
        b->caperrors = cap;
    }
    error_row *e = &b->errors[b->nerrors++];
    size_t n = raw_len < RAW_MAX ? raw_len : RAW_MAX;
    e->item = clean_text(b->item, strlen(b->item));
    e->line = line;
    e->column = column ? clean_text(column, strlen(column)) : NULL;
    e->reason = clean_text(reason, strlen(reason));
    e->raw = raw ? clean_text(raw, n) : NULL;
    return 0;
}

/* Valid UTF-8 without NUL: what a PostgreSQL text value can hold. */
static bool utf8_valid(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t len = utf8_seq_len((const unsigned char *)s + i, n - i);
        if (len == 0 || s[i] == 0)
            return false;
        i += len;
    }
    return true;
}

/* A record's fields as one CSV line, for its error row. */
static const char *record_text(batch_ctx *b, const sl_record *r, size_t *len)
{
    sqlbuf_reset(&b->scratch);
    for (size_t i = 0; i < r->nfields && b->scratch.len < RAW_MAX; i++) {
        if (i)
            sqlbuf_putc(&b->scratch, ',');
        copyenc_field(&b->scratch, COPYENC_POSTGRES, &r->fields[i]);
    }
    *len = b->scratch.len;
    return b->scratch.data ? b->scratch.data : "";
}

/* ---- the spool: per row, a field count, then (column, length or -1, bytes) ---- */

static void row_put(sqlbuf *row, const void *p, size_t n)
{
    sqlbuf_putn(row, p, n);
}

static int on_record(void *arg, const sl_record *rec)
{
    batch_ctx *b = arg;
    sl_record out;
    transform_row_error te;
    transform_result tr = transform_apply(b->tf, rec, &out, &te);
    if (tr == TRANSFORM_SKIP)
        return 0;
    size_t raw_len;
    if (tr == TRANSFORM_ERROR) {
        if (te.out_of_memory)
            return b->stop = 1;
        const char *raw = record_text(b, rec, &raw_len);
        return add_error(b, rec->line, te.column, te.reason, raw, raw_len);
    }
    arena_reset(&b->checks);
    sqlbuf_reset(&b->row);
    uint32_t count = 0;
    for (size_t i = 0; i < out.nfields; i++) {
        int k = column_index(b, out.names[i], i);
        if (k < 0 && !b->evolve)
            continue; /* a column the target does not have, with a column list: left out */
        if (k < 0 && (k = column_add(b, out.names[i], NULL)) < 0)
            return b->stop = 1;
        batch_column *c = &b->cols[k];
        if (!out.fields[i].null && !utf8_valid(out.fields[i].data, out.fields[i].len)) {
            const char *raw = record_text(b, rec, &raw_len);
            return add_error(b, rec->line, c->name, "the value is not valid UTF-8", raw, raw_len);
        }
        sl_field v = out.fields[i];
        if (!v.null && c->castable) {
            char reason[300];
            bool oom = false;
            if (!cast_value(&c->cast, v.data, v.len, &b->checks, &v, reason, sizeof(reason),
                            &oom)) {
                if (oom)
                    return b->stop = 1;
                const char *raw = record_text(b, rec, &raw_len);
                return add_error(b, rec->line, c->name, reason, raw, raw_len);
            }
        } else if (!v.null && !c->known) {
            c->seen = infer_widen(c->seen, infer_value(v.data, v.len));
        }
        uint32_t col = (uint32_t)k;
        int32_t len = v.null ? -1 : (int32_t)v.len;
        row_put(&b->row, &col, sizeof(col));
        row_put(&b->row, &len, sizeof(len));
        if (len > 0)
            row_put(&b->row, v.data, v.len);
        count++;
    }
    if (b->row.oom || fwrite(&count, sizeof(count), 1, b->spool) != 1 ||
        (b->row.len && fwrite(b->row.data, b->row.len, 1, b->spool) != 1)) {
        fail(b, "58030", NULL, "%s", "could not write the batch's spool file");
        return b->stop = 1;
    }
    b->seq++;
    return 0;
}

static int on_bad(void *arg, const sl_bad_record *bad)
{
    batch_ctx *b = arg;
    return add_error(b, bad->line, NULL, bad->reason, bad->raw, bad->raw_len);
}

/* ---- one item: file → decompress → format ---- */

typedef struct item_reader {
    batch_ctx *b;
    csv_parser *csv;
    json_reader *json;
    sqlbuf head; /* an unformatted item's first bytes, until its format is known */
    bool decided;
    char err[512];
} item_reader;

static bool reader_open(item_reader *ir, bool json)
{
    batch_ctx *b = ir->b;
    const sl_options *o = &b->cp->format_options;
    if (json) {
        const sl_option *records = sl_options_get(o, "records");
        json_options jo = {.records = records ? records->value.text : NULL};
        ir->json = json_reader_new(&jo, on_record, on_bad, b, ir->err, sizeof(ir->err));
        return ir->json != NULL;
    }
    csv_options co = {0};
    const struct {
        const char *name;
        const char **field;
    } map[] = {{"header", &co.header}, {"delimiter", &co.delimiter}, {"quote", &co.quote},
               {"escape", &co.escape}, {"null", &co.null},           {"encoding", &co.encoding}};
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        const sl_option *opt = sl_options_get(o, map[i].name);
        *map[i].field = opt ? opt->value.text : NULL;
    }
    sl_error e;
    ir->csv = csv_open(&co, on_record, on_bad, b, &e);
    if (!ir->csv)
        snprintf(ir->err, sizeof(ir->err), "%s", e.message);
    return ir->csv != NULL;
}

static int reader_feed(item_reader *ir, const char *data, size_t len)
{
    if (!ir->decided) {
        sqlbuf_putn(&ir->head, data, len);
        sniffed_format f = sniff_format(ir->head.data, ir->head.len);
        if (f == SNIFFED_UNDECIDED && ir->head.len < SNIFF_BYTES)
            return 0;
        ir->decided = true;
        if (!reader_open(ir, f == SNIFFED_JSON))
            return -1;
        data = ir->head.data;
        len = ir->head.len;
    }
    return ir->csv ? csv_feed(ir->csv, data, len) : json_reader_feed(ir->json, data, len);
}

static int decompressed(void *arg, const char *data, size_t len)
{
    return reader_feed(arg, data, len);
}

static int file_chunk(void *arg, const void *buf, size_t len)
{
    return decompress_feed(arg, buf, len);
}

/* Reads one item into the spool; false with res->err set when the batch must stop. */
static bool read_item(batch_ctx *b, const source_item *it)
{
    item_reader ir = {.b = b};
    b->item = it->key;
    if (b->cp->format != SL_FORMAT_INFERRED) {
        ir.decided = true;
        if (!reader_open(&ir, b->cp->format == SL_FORMAT_JSON))
            return fail(b, "22023", NULL, "%s", ir.err);
    }
    decompress *d = decompress_new(decompressed, &ir);
    char err[512] = "";
    int rc = d ? files_read(it->key, it->size, file_chunk, d, err, sizeof(err)) : -1;
    if (rc == 0)
        rc = decompress_finish(d);
    if (rc == 0 && !ir.decided) {
        ir.decided = true; /* a short item: whatever its bytes say, CSV when nothing does */
        rc = reader_open(&ir, sniff_format(ir.head.data, ir.head.len) == SNIFFED_JSON)
                 ? (ir.csv ? csv_feed(ir.csv, ir.head.data, ir.head.len)
                           : json_reader_feed(ir.json, ir.head.data, ir.head.len))
                 : -1;
    }
    if (rc == 0)
        rc = ir.csv ? csv_finish(ir.csv) : ir.json ? json_reader_finish(ir.json) : 0;
    bool ok = rc == 0;
    if (!ok && !b->res->err.sqlstate[0]) {
        const char *why = err[0]                                  ? err
                          : d && decompress_error(d)              ? decompress_error(d)
                          : ir.csv && csv_error(ir.csv)           ? csv_error(ir.csv)->message
                          : ir.json && json_reader_error(ir.json) ? json_reader_error(ir.json)
                          : ir.err[0]                             ? ir.err
                                                                  : "out of memory";
        char msg[700];
        snprintf(msg, sizeof(msg), "%s: %s", it->key, why);
        fail(b, "22P04", NULL, "%s", msg);
    }
    if (ir.csv)
        csv_close(ir.csv);
    if (ir.json)
        json_reader_free(ir.json);
    decompress_free(d);
    sqlbuf_free(&ir.head);
    b->res->bytes += it->size;
    return ok;
}

/* ---- what is new: the listing minus the ledger ---- */

static int by_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *identity(const char *key, long long size, const char *mtime)
{
    size_t n = strlen(key) + strlen(mtime) + 32;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s\x1f%lld\x1f%s", key, size, mtime);
    return s;
}

/* Rows of a query with parameters; NULL with res->err set (what says what it was for). */
static PGresult *query_rows(batch_ctx *b, const char *sql, int n, const char *const *params,
                            const char *what)
{
    PGresult *r = PQexecParams(b->c, sql, n, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) == PGRES_TUPLES_OK)
        return r;
    fail_pg(b, r, what);
    PQclear(r);
    return NULL;
}

/* The items to load: listed, not in the ledger, up to max_item_bytes (at least one). */
static bool new_items(batch_ctx *b, source_item *items, size_t n, size_t *picked)
{
    *picked = 0;
    const char *params[1] = {b->rq->pipeline};
    PGresult *r = query_rows(b,
                             "SELECT item_key, item_size, to_char(item_mtime AT TIME ZONE 'UTC', "
                             "'YYYY-MM-DD HH24:MI:SS.US') || '+00' FROM sluice.ledger WHERE "
                             "pipeline = $1 AND item_kind = 'file'",
                             1, params, "could not read the ledger");
    if (!r)
        return false;
    int rows = PQntuples(r);
    char **seen = calloc((size_t)rows + 1, sizeof(char *));
    bool ok = seen != NULL;
    for (int i = 0; ok && i < rows; i++)
        ok = (seen[i] = identity(PQgetvalue(r, i, 0), atoll(PQgetvalue(r, i, 1)),
                                 PQgetvalue(r, i, 2))) != NULL;
    PQclear(r);
    if (ok)
        qsort(seen, (size_t)rows, sizeof(char *), by_text);
    long long bytes = 0;
    for (size_t i = 0; ok && i < n; i++) {
        char *id = identity(items[i].key, items[i].size, items[i].mtime);
        if (!id) {
            ok = false;
            break;
        }
        bool loaded = bsearch(&id, seen, (size_t)rows, sizeof(char *), by_text) != NULL;
        free(id);
        if (loaded)
            continue;
        if (*picked > 0 && bytes + items[i].size > b->rq->max_item_bytes)
            break;
        bytes += items[i].size;
        source_item tmp = items[*picked];
        items[*picked] = items[i];
        items[i] = tmp;
        (*picked)++;
    }
    for (int i = 0; seen && i < rows; i++)
        free(seen[i]);
    free(seen);
    return ok || fail(b, "53200", NULL, "%s", "out of memory");
}

/* ---- the plan, run ---- */

/* Streams the spool to COPY as CSV rows of the nloaded columns, in the spool's order. */
static bool copy_spool(batch_ctx *b, size_t nloaded)
{
    rewind(b->spool);
    sl_field *fields = calloc(nloaded + 1, sizeof(sl_field));
    size_t *at = calloc(nloaded + 1, sizeof(size_t));
    sqlbuf out = {0}, values = {0};
    bool ok = fields && at;
    for (long long seq = 1; ok && seq <= b->seq; seq++) {
        for (size_t i = 0; i < nloaded; i++)
            fields[i] = (sl_field){NULL, 0, true};
        uint32_t count;
        ok = fread(&count, sizeof(count), 1, b->spool) == 1;
        sqlbuf_reset(&values);
        for (uint32_t f = 0; ok && f < count; f++) {
            uint32_t col;
            int32_t len;
            ok = fread(&col, sizeof(col), 1, b->spool) == 1 &&
                 fread(&len, sizeof(len), 1, b->spool) == 1 && col < nloaded;
            if (!ok)
                break;
            at[col] = values.len;
            for (int32_t left = len; ok && left > 0;) {
                char tmp[4096];
                size_t take = left < (int32_t)sizeof(tmp) ? (size_t)left : sizeof(tmp);
                ok = fread(tmp, 1, take, b->spool) == take;
                sqlbuf_putn(&values, tmp, take);
                left -= (int32_t)take;
            }
            fields[col] = (sl_field){NULL, len > 0 ? (size_t)len : 0, len < 0};
        }
        /* the values are in one buffer now: point the fields into it */
        for (size_t i = 0; ok && i < nloaded; i++)
            if (!fields[i].null)
                fields[i].data = values.data ? values.data + at[i] : "";
        if (ok)
            copyenc_row(&out, COPYENC_POSTGRES, fields, nloaded, seq);
        if (ok && (out.len >= COPY_CHUNK || seq == b->seq)) {
            ok = !out.oom && PQputCopyData(b->c, out.data, (int)out.len) == 1;
            sqlbuf_reset(&out);
        }
    }
    free(fields);
    free(at);
    sqlbuf_free(&out);
    sqlbuf_free(&values);
    if (PQputCopyEnd(b->c, ok ? NULL : "sluice could not read its spool") != 1)
        ok = false;
    PGresult *r = PQgetResult(b->c);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fail_pg(b, r, "the batch's COPY failed");
        ok = false;
    } else if (!ok) {
        fail(b, "58030", NULL, "%s", "could not read the batch's spool file");
    }
    PQclear(r);
    while ((r = PQgetResult(b->c)))
        PQclear(r);
    return ok;
}

/* Runs the statements; the DDL goes right after the plan's BEGIN. */
static bool run_plan(batch_ctx *b, const plan_out *ddl, const plan_out *plan, size_t nloaded,
                     const char *run_record)
{
    for (size_t i = 0; i < plan->n; i++) {
        const plan_stmt *st = &plan->stmts[i];
        if (strncmp(st->sql, "COPY ", 5) == 0) {
            if (!exec_want(b, st->sql, PGRES_COPY_IN, NULL) || !copy_spool(b, nloaded))
                return false;
            continue;
        }
        if (strcmp(st->sql, "COMMIT") == 0 && run_record &&
            !exec_want(b, run_record, PGRES_COMMAND_OK, NULL))
            return false;
        PGresult *r = NULL;
        bool rows = st->flags & PLAN_STMT_EXPECT_NO_ROWS;
        if (!exec_want(b, st->sql, rows ? PGRES_TUPLES_OK : PGRES_COMMAND_OK, &r))
            return false;
        bool raced = rows && PQntuples(r) > 0;
        PQclear(r);
        if (raced) { /* another process loaded these items: leave it at that */
            b->res->lost_race = true;
            return exec_want(b, "ROLLBACK", PGRES_COMMAND_OK, NULL);
        }
        if (strcmp(st->sql, "BEGIN") == 0)
            for (size_t k = 0; k < ddl->n; k++)
                if (!exec_want(b, ddl->stmts[k].sql, PGRES_COMMAND_OK, NULL))
                    return false;
    }
    return true;
}

/*
 * The catalog's record of the batch (sluice.pipeline_run, and its error rows in
 * sluice.pipeline_error), written in the batch's own transaction: with dialect postgres the
 * catalog is in the warehouse, so SHOW PIPELINES and the batch never disagree.
 */
static bool run_record(batch_ctx *b, const plan_batch *pb, sqlbuf *sql)
{
    const char *newest = NULL;
    for (size_t i = 0; i < pb->nitems; i++)
        if (!newest || strcmp(pb->items[i].mtime, newest) > 0)
            newest = pb->items[i].mtime;
    sl_error *e = &b->res->err;
    sqlbuf_puts(sql, "WITH run AS (INSERT INTO sluice.pipeline_run (pipeline, started_at, "
                     "finished_at, status, items, rows_loaded, error_rows, bytes, "
                     "newest_item_at, message) VALUES (");
    bool ok = script_literal(sql, b->rq->pipeline, e);
    sqlbuf_puts(sql, ", CAST(");
    ok = ok && script_literal(sql, pb->started_at, e);
    sqlbuf_printf(sql, " AS timestamptz), clock_timestamp(), 'succeeded', %zu, %lld, %zu, %lld, ",
                  pb->nitems, b->seq, pb->nerrors, b->res->bytes);
    sqlbuf_puts(sql, "CAST(");
    ok = ok && script_literal(sql, newest, e);
    sqlbuf_puts(sql, " AS timestamptz), ");
    ok = ok && script_literal(sql, b->res->batch_id, e);
    sqlbuf_puts(sql, ") RETURNING id) INSERT INTO sluice.pipeline_error (pipeline, run_id, item, "
                     "line, column_name, reason, raw) SELECT v.pipeline, run.id, v.item, v.line, "
                     "v.column_name, v.reason, v.raw FROM run, (VALUES ");
    if (pb->nerrors == 0)
        sqlbuf_puts(sql, "(NULL::text, NULL::text, NULL::bigint, NULL::text, NULL::text, "
                         "NULL::text)) AS v (pipeline, item, line, column_name, reason, raw) "
                         "WHERE false");
    for (size_t i = 0; ok && i < pb->nerrors; i++) {
        const plan_error_row *r = &pb->errors[i];
        sqlbuf_puts(sql, i ? ", (" : "(");
        ok = script_literal(sql, b->rq->pipeline, e);
        sqlbuf_puts(sql, ", ");
        ok = ok && script_literal(sql, r->item, e);
        sqlbuf_printf(sql, ", %lld::bigint, ", r->line);
        if (r->column)
            ok = ok && script_literal(sql, r->column, e);
        else
            sqlbuf_puts(sql, "NULL::text");
        sqlbuf_puts(sql, ", ");
        ok = ok && script_literal(sql, r->reason, e);
        sqlbuf_puts(sql, ", ");
        if (r->raw)
            ok = ok && script_literal(sql, r->raw, e);
        else
            sqlbuf_puts(sql, "NULL::text");
        sqlbuf_puts(sql, i + 1 == pb->nerrors
                             ? ")) AS v (pipeline, item, line, column_name, reason, raw)"
                             : ")");
    }
    return ok && (!sql->oom || fail(b, "53200", NULL, "%s", "out of memory"));
}

static void batch_id(char *out, size_t outlen, char *started, size_t startedlen)
{
    static int counter;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char day[32];
    strftime(day, sizeof(day), "%Y%m%dT%H%M%S", &tm);
    snprintf(out, outlen, "b-%s.%06ldZ-%d-%d", day, ts.tv_nsec / 1000, (int)getpid(),
             __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED));
    strftime(day, sizeof(day), "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(started, startedlen, "%s.%06ld+00", day, ts.tv_nsec / 1000);
}

/* The target's columns, when it exists. */
static bool read_table(batch_ctx *b, plan_column **cols, size_t *n, bool *exists)
{
    const char *params[2] = {b->rq->target_schema, b->rq->target_table};
    PGresult *r = query_rows(
        b,
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a, pg_class "
        "c, pg_namespace n WHERE a.attrelid = c.oid AND n.oid = c.relnamespace AND n.nspname = "
        "$1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
        2, params, "could not read the target table");
    if (!r)
        return false;
    *n = (size_t)PQntuples(r);
    *exists = *n > 0;
    *cols = calloc(*n + 1, sizeof(plan_column));
    for (size_t i = 0; *cols && i < *n; i++)
        (*cols)[i] =
            (plan_column){strdup(PQgetvalue(r, (int)i, 0)), strdup(PQgetvalue(r, (int)i, 1))};
    PQclear(r);
    return *cols != NULL || fail(b, "53200", NULL, "%s", "out of memory");
}

static void free_columns(plan_column *cols, size_t n)
{
    for (size_t i = 0; cols && i < n; i++) {
        free((char *)cols[i].name);
        free((char *)cols[i].type);
    }
    free(cols);
}

bool batch_run(PGconn *c, const batch_request *rq, batch_result *res)
{
    memset(res, 0, sizeof(*res));
    batch_ctx b = {.c = c, .rq = rq, .res = res, .max_errors = 1000};
    plan_column *table = NULL, *final = NULL;
    size_t ntable = 0;
    source_item *items = NULL;
    size_t nitems = 0, picked = 0;
    plan_out ddl = {0}, plan = {0};
    plan_ledger_item *ledger = NULL;
    plan_error_row *errors = NULL;
    sqlbuf record = {0};
    bool ok = false, exists = false;

    b.parsed = sl_parse(rq->definition);
    if (b.parsed.error) {
        res->err = *b.parsed.error;
        goto out;
    }
    b.cp = &b.parsed.stmt->u.create_pipeline;
    const sl_option *opt = sl_options_get(&b.cp->options, "max_errors");
    if (opt)
        b.max_errors = atol(opt->value.text);
    opt = sl_options_get(&b.cp->options, "on_error");
    b.abort_on_error = opt && strcmp(opt->value.text, "abort") == 0;
    if (b.cp->source != SL_SOURCE_FILES) {
        fail(&b, "0A000", NULL, "%s sources are not loaded by this version of sluice",
             sl_source_name(b.cp->source));
        goto out;
    }
    if (!read_table(&b, &table, &ntable, &exists))
        goto out;
    bind_facts f = {.current_schema = rq->target_schema,
                    .connection_kind = NULL,
                    .table_exists = exists,
                    .table_columns = table,
                    .ntable_columns = ntable};
    if (!bind_pipeline(b.cp, &f, &b.bound, &res->err))
        goto out;
    b.evolve = b.cp->n_columns == 0;
    for (size_t i = 0; i < b.bound.p.ncolumns; i++)
        if (column_add(&b, b.bound.p.columns[i].name, b.bound.p.columns[i].type) < 0)
            goto oom;

    char err[512];
    if (files_list(b.cp->location, rq->settle_seconds, time(NULL), &items, &nitems, err,
                   sizeof(err)) != 0) {
        fail(&b, "58030", NULL, "%s", err);
        goto out;
    }
    if (!new_items(&b, items, nitems, &picked))
        goto out;
    if (picked == 0) {
        res->nothing_new = true;
        ok = true;
        goto out;
    }
    for (int i = 0; i < b.cp->n_steps; i++)
        if (b.cp->steps[i].kind == SL_STEP_HASH && rq->salt_len == 0) {
            fail(&b, "22023",
                 "Set secret_key_file in sluice's configuration: HASH's salt is derived from "
                 "it, so hashes are stable and cannot be recomputed without it.",
                 "pipeline \"%s\" uses HASH, which needs a secret key", rq->pipeline);
            goto out;
        }
    sl_error terr;
    b.tf = transform_new(b.cp->steps, b.cp->n_steps, rq->hash_salt, rq->salt_len, &terr);
    b.spool = tmpfile();
    if (!b.tf || !b.spool) {
        if (!b.tf)
            res->err = terr;
        else
            fail(&b, "58030", NULL, "%s", "could not make the batch's spool file");
        goto out;
    }
    for (size_t i = 0; i < picked; i++)
        if (!read_item(&b, &items[i]))
            goto out;

    /* the columns of the load: the table's (or the list's), then new ones in order seen */
    size_t nloaded = b.ncols;
    final = calloc(nloaded + 1, sizeof(plan_column));
    if (!final)
        goto oom;
    for (size_t i = 0; i < b.ncols; i++) {
        final[i] = (plan_column){b.cols[i].name, b.cols[i].known ? b.bound.p.columns[i].type
                                                                 : infer_type_name(b.cols[i].seen)};
    }
    plan_pipeline p = b.bound.p;
    p.columns = final;
    p.ncolumns = nloaded;
    plan_target t = {.dialect = PLAN_POSTGRES};
    size_t nknown = b.bound.p.ncolumns;
    if (nloaded == 0) {
        fail(&b, "22P04", "Check the FORMAT options (header, delimiter) and the TRANSFORM.",
             "the items of pipeline \"%s\" brought no columns", rq->pipeline);
        goto out;
    }
    if (!exists && !plan_table_create(&t, &p, &ddl, &res->err))
        goto out;
    if (exists && nloaded > nknown &&
        !plan_table_add_columns(&t, &p, final + nknown, nloaded - nknown, &ddl, &res->err))
        goto out;

    char started[64];
    batch_id(res->batch_id, sizeof(res->batch_id), started, sizeof(started));
    ledger = calloc(picked, sizeof(*ledger));
    errors = calloc(b.nerrors + 1, sizeof(*errors));
    if (!ledger || !errors)
        goto oom;
    for (size_t i = 0; i < picked; i++)
        ledger[i] = (plan_ledger_item){items[i].key, items[i].size, items[i].mtime, NULL};
    for (size_t i = 0; i < b.nerrors; i++)
        errors[i] = (plan_error_row){b.errors[i].item, b.errors[i].line, b.errors[i].column,
                                     b.errors[i].reason, b.errors[i].raw};
    plan_batch pb = {.batch_id = res->batch_id,
                     .started_at = started,
                     .items = ledger,
                     .nitems = picked,
                     .errors = errors,
                     .nerrors = b.nerrors};
    if (!plan_warehouse_setup(&t, &ddl, &res->err) ||
        !plan_batch_run(&t, &p, &pb, &plan, &res->err))
        goto out;
    if (!run_record(&b, &pb, &record) || !run_plan(&b, &ddl, &plan, nloaded, record.data)) {
        PQclear(PQexec(c, "ROLLBACK"));
        goto out;
    }
    res->loaded = !res->lost_race;
    res->items = (long long)picked;
    res->rows = b.seq;
    res->error_rows = (long long)b.nerrors;
    ok = true;
    goto out;
oom:
    fail(&b, "53200", NULL, "%s", "out of memory");
out:
    if (!ok && !res->err.sqlstate[0])
        fail(&b, "XX000", NULL, "%s", "the batch failed");
    plan_out_free(&ddl);
    plan_out_free(&plan);
    free(ledger);
    free(errors);
    sqlbuf_free(&record);
    free(final);
    for (size_t i = 0; i < b.nerrors; i++) {
        free(b.errors[i].item);
        free(b.errors[i].column);
        free(b.errors[i].reason);
        free(b.errors[i].raw);
    }
    free(b.errors);
    for (size_t i = 0; i < b.ncols; i++)
        free(b.cols[i].name);
    free(b.cols);
    if (b.spool)
        fclose(b.spool);
    arena_free(&b.checks);
    if (b.tf)
        transform_free(b.tf);
    sqlbuf_free(&b.scratch);
    sqlbuf_free(&b.row);
    source_items_free(items, nitems);
    free_columns(table, ntable);
    bound_pipeline_free(&b.bound);
    sl_parse_free(b.parsed);
    return ok;
}
