/*
 * session.c — the relay: startup, authentication, and the message loop in both directions.
 *
 * Ordinary traffic: a message's 5-byte header is read, its body is moved to the other
 * socket's output without copying (and streamed as it arrives, so a 1 GB result never sits
 * in sluice). Only Query and Parse bodies are looked at, and only their leading words.
 *
 * Ordering. Every relayed request that the backend will answer is remembered in a small
 * queue (`pend`): Parse, Bind, Describe, Execute, Close, Sync, Query, FunctionCall. Backend
 * replies pop it. A statement of sluice's own is answered only when that queue is empty
 * (the session "stalls" until then, after asking the backend to Flush), so sluice's reply
 * lands exactly where PostgreSQL's would have, and ReadyForQuery carries the status of the
 * backend's latest ReadyForQuery. After an error in the extended protocol, the backend
 * skips to Sync; the queue mirrors that, and sluice skips its own statements the same way.
 *
 * A multi-statement Query that holds statements of ours is split with the scanner; runs of
 * ordinary statements are relayed as one Query each, ours are answered in between, and the
 * backend's intermediate ReadyForQuery messages are swallowed, so the client sees one reply
 * stream ending in one ReadyForQuery, stopping at the first error, as PostgreSQL does.
 */
#include "session.h"
#include "cancel.h"
#include "catconn.h"
#include "classify.h"
#include "conn.h"
#include "intercept.h"
#include "log.h"
#include "wire.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define HIGH_WATER (512 * 1024)   /* pause a reader when the other side has this much queued */
#define INSPECT_MAX (1024 * 1024) /* Query/Parse up to this size are inspected whole */
#define PEEK_LEN 4096             /* larger ones: only their start */
#define NAME_PEEK 2048            /* statement/portal names in Bind/Describe/Execute/Close */

/* Forces the backend's transaction into the failed state after a statement of ours failed. */
#define FAIL_TRANSACTION_SQL "SELECT \"sluice: a sluice statement failed in this transaction\""

typedef enum { SS_STARTUP, SS_CONNECTING, SS_AUTH, SS_READY, SS_ENDING } sess_state;

/* What a relayed request waits for; the client message type, plus three of our own. */
enum {
    PEND_MULTI = 'M',    /* one relayed part of a split Query: its ReadyForQuery is ours to place */
    PEND_SUPPRESS = 'X', /* FAIL_TRANSACTION_SQL: its error and ReadyForQuery stay in sluice */
    PEND_INTERNAL = 'q', /* a query a statement of ours runs: its replies are sluice's */
    PEND_INTERNAL_EXT = 'x' /* the same inside an extended-protocol batch: no Sync, ends at
                               its last CloseComplete or an ErrorResponse */
};

typedef struct vobj {
    struct vobj *next;
    bool portal;
    sl_stmt_kind kind;
    char *name;
    char *sql;
    size_t len;
    int16_t format; /* result format for portals */
    int nparams;
    uint32_t *paramtypes;
} vobj;

typedef struct mq_state {
    char *text;
    sl_split_result split;
    int next;
    bool failed;
    bool suppressing; /* FAIL_TRANSACTION_SQL is out; its ReadyForQuery ends the Query */
    bool wrapped;     /* sluice opened a transaction block for it (see mq_wrap) */
    bool unwrapping;  /* …and its COMMIT or ROLLBACK is out */
} mq_state;

struct session;

/* A statement of ours being executed (see sl_exec in intercept.h). */
typedef struct sess_exec {
    sl_exec x;
    struct session *s;
    bool extended;
    int pos_offset; /* where the statement starts in a multi-statement Query */
    bool starting;  /* intercept_execute has not returned yet */
    wire_buf out;
} sess_exec;

typedef struct session {
    sl_loop *loop;
    sl_conn client;
    sl_conn backend;
    sess_state state;
    uint32_t c_left; /* body bytes of the current client message still to pass */
    bool c_drop;     /* ...and they are discarded (skipping to Sync) */
    uint32_t b_left; /* body bytes of the current backend message still to pass */
    char b_type;
    uint8_t *pend; /* ring of PEND kinds */
    uint32_t pend_head, pend_n, pend_cap;
    bool backend_skipping; /* the backend discards messages until Sync */
    bool client_skipping;  /* sluice discards messages until Sync (our statement failed) */
    bool stalled;          /* a statement of ours waits for the queue to empty */
    bool resume_client;
    bool last_fatal;     /* the backend's last message was a FATAL error */
    bool backend_paused; /* backend reads paused: client output is full */
    bool client_paused;  /* client reads paused: backend output is full */
    char txn;            /* transaction status of the latest ReadyForQuery */
    vobj *vobjs;
    mq_state *mq;
    bool executing; /* a statement of ours is running (ex) */
    sess_exec ex;
    sl_exec_next iq_next; /* the running statement's query on the backend session */
    void (*iq_done)(struct session *s, const sl_result *r); /* …or the session's own */
    int iq_closes; /* CloseCompletes still to come for an extended one */
    sl_result iq_res;
    catconn *catalog;     /* dialect redshift: the catalog's connection, opened on demand */
    sl_exec_next cq_next; /* the running statement's query on it */
    uint8_t *startup;
    size_t startup_len;
    bool tls_done;
    bool key_issued;
    uint32_t issued_pid;
    int busy; /* callbacks under way: the session is freed only outside them */
    char user[64];
} session;

static void client_cb(sl_conn *c, conn_event ev, void *arg);
static void backend_cb(sl_conn *c, conn_event ev, void *arg);
static void client_process(session *s);
static void backend_process(session *s);
static void mq_step(session *s);
static void exec_release(sl_exec *x);
static bool internal_send(session *s, const char *sql, bool extended);
static bool mq_needs_block(const session *s, const mq_state *mq);
static void mq_block_begun(session *s, const sl_result *r);
static void resume(session *s);

/* ---- the pending-reply queue ---- */

static int pend_push(session *s, uint8_t kind)
{
    if (s->pend_n == s->pend_cap) {
        uint32_t cap = s->pend_cap ? s->pend_cap * 2 : 32;
        uint8_t *p = malloc(cap);
        if (!p)
            return -1;
        for (uint32_t i = 0; i < s->pend_n; i++)
            p[i] = s->pend[(s->pend_head + i) & (s->pend_cap - 1)];
        free(s->pend);
        s->pend = p;
        s->pend_cap = cap;
        s->pend_head = 0;
    }
    s->pend[(s->pend_head + s->pend_n) & (s->pend_cap - 1)] = kind;
    s->pend_n++;
    return 0;
}

static uint8_t pend_peek(const session *s)
{
    return s->pend_n ? s->pend[s->pend_head] : 0;
}

static uint8_t pend_pop(session *s)
{
    if (!s->pend_n)
        return 0;
    uint8_t k = s->pend[s->pend_head];
    s->pend_head = (s->pend_head + 1) & (s->pend_cap - 1);
    s->pend_n--;
    return k;
}

static void pend_pop_if(session *s, uint8_t kind)
{
    if (pend_peek(s) == kind)
        pend_pop(s);
}

static bool is_extended_kind(uint8_t k)
{
    return k == 'P' || k == 'B' || k == 'D' || k == 'E' || k == 'C';
}

/* ---- virtual statements and portals ---- */

static vobj *vobj_find(session *s, bool portal, const char *name)
{
    for (vobj *v = s->vobjs; v; v = v->next)
        if (v->portal == portal && strcmp(v->name, name) == 0)
            return v;
    return NULL;
}

static void vobj_remove(session *s, bool portal, const char *name)
{
    for (vobj **pp = &s->vobjs; *pp; pp = &(*pp)->next) {
        vobj *v = *pp;
        if (v->portal == portal && strcmp(v->name, name) == 0) {
            *pp = v->next;
            free(v->name);
            free(v->sql);
            free(v->paramtypes);
            free(v);
            return;
        }
    }
}

static vobj *vobj_add(session *s, bool portal, const char *name, sl_stmt_kind kind, const char *sql,
                      size_t len)
{
    vobj_remove(s, portal, name);
    vobj *v = calloc(1, sizeof(*v));
    if (!v)
        return NULL;
    v->portal = portal;
    v->kind = kind;
    v->name = strdup(name);
    v->sql = malloc(len + 1);
    if (!v->name || !v->sql) {
        free(v->name);
        free(v->sql);
        free(v);
        return NULL;
    }
    memcpy(v->sql, sql, len);
    v->sql[len] = '\0';
    v->len = len;
    v->next = s->vobjs;
    s->vobjs = v;
    return v;
}

/* ---- ending ---- */

static void session_free(session *s)
{
    if (s->key_issued)
        cancel_unregister(s->issued_pid);
    while (s->vobjs)
        vobj_remove(s, s->vobjs->portal, s->vobjs->name);
    if (s->mq) {
        split_free(s->mq->split);
        free(s->mq->text);
        free(s->mq);
    }
    sl_result_free(&s->iq_res);
    catconn_free(s->catalog);
    if (s->executing) {
        exec_release(&s->ex.x);
        wire_buf_free(&s->ex.out);
    }
    free(s->pend);
    free(s->startup);
    sl_loop *loop = s->loop;
    free(s);
    server_session_ended(loop);
}

static void maybe_free(session *s)
{
    if (s->busy == 0 && !conn_is_open(&s->client) && !conn_is_open(&s->backend))
        session_free(s);
}

/* Closes a side now, or once its output is written (flush = true). */
static void side_finish(sl_conn *c, bool flush)
{
    if (!conn_is_open(c))
        return;
    conn_set_reading(c, false);
    if (flush && conn_flush(c) == 0 && conn_is_open(c) && evbuffer_get_length(c->out) > 0)
        return; /* CONN_DRAIN or an error finishes it */
    if (conn_is_open(c))
        conn_close(c);
}

static void session_end(session *s, bool flush_client, bool flush_backend)
{
    s->state = SS_ENDING;
    side_finish(&s->client, flush_client);
    side_finish(&s->backend, flush_backend);
    maybe_free(s);
}

static void out_add(sl_conn *c, const wire_buf *b)
{
    if (conn_is_open(c) && !b->oom && b->len)
        evbuffer_add(c->out, b->data, b->len);
}

static void send_error(session *s, const char *severity, const char *sqlstate, const char *message,
                       const char *detail, const char *hint)
{
    wire_buf b;
    wire_buf_init(&b);
    wire_error e = {severity, sqlstate, message, detail, hint, 0};
    wire_put_error(&b, 'E', &e);
    out_add(&s->client, &b);
    wire_buf_free(&b);
}

/* A client broke the protocol: tell it (when framing allows) and close it. */
static void protocol_violation(session *s, const char *message)
{
    log_info("closing client (user \"%s\"): protocol violation: %s", s->user, message);
    if (s->b_left == 0 && conn_is_open(&s->client))
        send_error(s, "FATAL", "08P01", message, NULL, NULL);
    session_end(s, true, false);
}

static void backend_lost(session *s, const char *why)
{
    log_info("backend connection lost (user \"%s\"): %s", s->user, why);
    if (s->b_left == 0 && !s->last_fatal && conn_is_open(&s->client))
        send_error(s, "FATAL", "08006", "server closed the connection unexpectedly",
                   "This probably means the server terminated abnormally before or while "
                   "processing the request.",
                   "Reconnect; if this repeats, check the warehouse's log.");
    if (conn_is_open(&s->backend))
        conn_close(&s->backend);
    session_end(s, true, false);
}

/* ---- output helpers ---- */

static void send_backend_bytes(session *s, const void *p, size_t n)
{
    evbuffer_add(s->backend.out, p, n);
}

/* Relays FAIL_TRANSACTION_SQL; its replies are dropped (PEND_SUPPRESS). */
static void fail_backend_transaction(session *s)
{
    wire_buf b;
    wire_buf_init(&b);
    wire_begin(&b, 'Q');
    wire_put_string(&b, FAIL_TRANSACTION_SQL);
    wire_end(&b);
    if (!b.oom && pend_push(s, PEND_SUPPRESS) == 0)
        send_backend_bytes(s, b.data, b.len);
    wire_buf_free(&b);
}

/* Waits for the backend to answer everything before a statement of ours. */
static void stall(session *s)
{
    if (!s->stalled) {
        static const uint8_t flush_msg[5] = {'H', 0, 0, 0, 4};
        s->stalled = true;
        send_backend_bytes(s, flush_msg, sizeof(flush_msg));
    }
}

/* ---- startup ---- */

static void connect_backend(session *s)
{
    int fd = server_backend_socket();
    if (fd < 0 || conn_open(&s->backend, s->loop->base, fd, backend_cb, s) != 0) {
        char msg[512];
        snprintf(msg, sizeof(msg), "could not connect to the warehouse at %s: %s",
                 server.backend_desc, strerror(errno));
        log_warning("%s", msg);
        send_error(s, "FATAL", "08006", msg, NULL,
                   "Check that the warehouse is running and that sluice's backend setting "
                   "points at it.");
        session_end(s, true, false);
        return;
    }
    s->state = SS_CONNECTING;
    conn_wait_connected(&s->backend);
}

static void backend_connected(session *s)
{
    s->state = SS_AUTH;
    send_backend_bytes(s, s->startup, s->startup_len);
    free(s->startup);
    s->startup = NULL;
    if (conn_flush(&s->backend) == 0)
        client_process(s);
}

static void forward_cancel(session *s, const wire_startup *st)
{
    cancel_target t;
    if (!cancel_lookup(st->cancel_pid, st->cancel_key, &t)) {
        log_info("ignoring a cancel request with a key sluice did not issue");
        return;
    }
    int fd = server_backend_socket();
    if (fd < 0)
        return;
    /* 16 bytes into a fresh socket never block once connected; the peer closes it. */
    uint8_t pkt[16];
    wire_write_u32(pkt, 16);
    wire_write_u32(pkt + 4, WIRE_CANCEL_REQUEST);
    wire_write_u32(pkt + 8, t.backend_pid);
    wire_write_u32(pkt + 12, t.backend_key);
    if (conn_open(&s->backend, s->loop->base, fd, backend_cb, s) != 0)
        return;
    evbuffer_add(s->backend.out, pkt, sizeof(pkt));
    s->state = SS_ENDING; /* connected: the DRAIN event flushes and closes */
    conn_wait_connected(&s->backend);
}

static void startup_process(session *s)
{
    struct evbuffer *in = s->client.in;
    for (;;) {
        uint8_t lenbuf[4];
        if (evbuffer_copyout(in, lenbuf, 4) < 4)
            return;
        uint32_t plen = wire_read_u32(lenbuf);
        if (plen < 8 || plen > WIRE_STARTUP_MAX) {
            protocol_violation(s, "invalid length of startup packet");
            return;
        }
        if (evbuffer_get_length(in) < plen)
            return;
        const uint8_t *pkt = evbuffer_pullup(in, plen);
        wire_startup st;
        const char *err = wire_parse_startup(pkt, plen, &st);
        if (err) {
            protocol_violation(s, err);
            return;
        }
        if (st.code == WIRE_SSL_REQUEST || st.code == WIRE_GSSENC_REQUEST) {
            evbuffer_drain(in, plen);
            if (evbuffer_get_length(in) > 0) {
                protocol_violation(s, "received unencrypted data after SSL request");
                return;
            }
            bool tls = st.code == WIRE_SSL_REQUEST && server.tls && !s->tls_done;
            evbuffer_add(s->client.out, tls ? "S" : "N", 1);
            if (conn_flush(&s->client) < 0)
                return;
            if (tls) {
                if (evbuffer_get_length(s->client.out) > 0 ||
                    conn_start_tls(&s->client, server.tls) != 0) {
                    session_end(s, false, false);
                    return;
                }
                s->tls_done = true;
            }
            continue;
        }
        if (st.code == WIRE_CANCEL_REQUEST) {
            forward_cancel(s, &st);
            conn_close(&s->client);
            if (s->state != SS_ENDING)
                session_end(s, false, false);
            return;
        }
        snprintf(s->user, sizeof(s->user), "%s", wire_startup_param(&st, "user"));
        s->startup = malloc(plen);
        if (!s->startup) {
            session_end(s, false, false);
            return;
        }
        evbuffer_remove(in, s->startup, plen);
        s->startup_len = plen;
        connect_backend(s);
        return;
    }
}

/* ---- the two directions ---- */

typedef size_t (*scan_fn)(session *s, const uint8_t *p, size_t len);

/* Moves the run of whole messages that scan accepts from the front of from->in to `to`. */
static size_t relay_run(session *s, sl_conn *from, sl_conn *to, scan_fn scan)
{
    size_t clen = evbuffer_get_contiguous_space(from->in);
    if (clen < WIRE_HEADER_LEN)
        return 0;
    size_t off = scan(s, evbuffer_pullup(from->in, (ssize_t)clen), clen);
    if (off)
        evbuffer_remove_buffer(from->in, to->out, off);
    return off;
}

/*
 * Bytes just read (from->flat): the run of whole messages that scan accepts is sent to
 * `to` straight from the read buffer; the rest is kept in from->in for the message loop.
 * False when the session failed on the way.
 */
static bool relay_flat(session *s, sl_conn *from, sl_conn *to, scan_fn scan, bool fast)
{
    if (from->flat && fast && evbuffer_get_length(from->in) == 0) {
        size_t off = scan(s, from->flat, from->flat_len);
        if (off && conn_send(to, from->flat, off) < 0)
            return false;
        if (!conn_is_open(from))
            return false;
        from->flat += off;
        from->flat_len -= off;
    }
    conn_keep_flat(from);
    return true;
}

/*
 * Backpressure: when `to` still holds more than HIGH_WATER after a write, reading `from`
 * stops until `to` drains (its CONN_DRAIN resumes it). Returns 1 when paused, 0 to go
 * on, -1 when the session failed.
 */
static int throttle(sl_conn *from, sl_conn *to, bool *paused)
{
    if (evbuffer_get_length(to->out) <= HIGH_WATER)
        return 0;
    if (conn_flush(to) < 0)
        return -1;
    if (evbuffer_get_length(to->out) <= HIGH_WATER)
        return 0;
    *paused = true;
    conn_set_reading(from, false);
    return 1;
}

/* Streams what has arrived of a message body whose header was already relayed. */
static void relay_body(sl_conn *from, sl_conn *to, uint32_t *left, bool drop)
{
    size_t n = evbuffer_get_length(from->in);
    if (n > *left)
        n = *left;
    if (drop)
        evbuffer_drain(from->in, n);
    else
        evbuffer_remove_buffer(from->in, to->out, n);
    *left -= (uint32_t)n;
}

/* ---- client → backend ---- */

typedef enum { STEP_NEXT, STEP_WAIT, STEP_STOP } step;

/* Moves (or drops) one client message: header now, body as it arrives. */
static step relay_client_msg(session *s, char type, uint32_t blen)
{
    bool drop = s->client_skipping && type != 'S' && type != 'X';
    if (!drop && s->state == SS_READY) {
        uint8_t kind = 0;
        switch (type) {
        case 'Q':
        case 'P':
        case 'B':
        case 'D':
        case 'E':
        case 'C':
        case 'F':
            kind = (uint8_t)type;
            break;
        case 'S':
            kind = 'S';
            s->client_skipping = false;
            break;
        default:
            break;
        }
        if (s->backend_skipping && kind) {
            /* the backend ignores everything up to Sync, and answers nothing */
            if (kind == 'S')
                s->backend_skipping = false;
            else
                kind = 0;
        }
        if (kind && pend_push(s, kind) != 0) {
            session_end(s, false, false);
            return STEP_STOP;
        }
    }
    struct evbuffer *in = s->client.in;
    size_t avail = evbuffer_get_length(in) - WIRE_HEADER_LEN;
    size_t now = avail < blen ? avail : blen;
    if (drop) {
        evbuffer_drain(in, WIRE_HEADER_LEN + now);
    } else {
        evbuffer_remove_buffer(in, s->backend.out, WIRE_HEADER_LEN + now);
    }
    s->c_left = blen - (uint32_t)now;
    s->c_drop = drop;
    return STEP_NEXT;
}

/* Drops one whole client message (ours, skipped after an error). */
static step drop_client_msg(session *s, uint32_t blen)
{
    evbuffer_drain(s->client.in, WIRE_HEADER_LEN + blen);
    return STEP_NEXT;
}

/* Our statement failed in the extended protocol: error now, skip to Sync like PostgreSQL. */
static void extended_error(session *s, const sl_error *e)
{
    wire_buf b;
    wire_buf_init(&b);
    sl_error_put(&b, e, 0);
    out_add(&s->client, &b);
    wire_buf_free(&b);
    s->client_skipping = true;
    /* a backend that failed itself is already skipping to Sync, and failed the block */
    if (s->txn != 'E' && !s->backend_skipping)
        fail_backend_transaction(s);
}

/* Reads a whole message body, or NULL when not all of it is here yet. */
static const uint8_t *whole_body(session *s, uint32_t blen)
{
    if (evbuffer_get_length(s->client.in) < WIRE_HEADER_LEN + (size_t)blen)
        return NULL;
    return evbuffer_pullup(s->client.in, WIRE_HEADER_LEN + (ssize_t)blen) + WIRE_HEADER_LEN;
}

static void send_simple(session *s, char type)
{
    uint8_t m[5] = {(uint8_t)type, 0, 0, 0, 4};
    evbuffer_add(s->client.out, m, sizeof(m));
}

static step client_query(session *s, uint32_t blen)
{
    struct evbuffer *in = s->client.in;
    if (blen > INSPECT_MAX) {
        size_t have = evbuffer_get_length(in) - WIRE_HEADER_LEN;
        if (have < PEEK_LEN)
            return STEP_WAIT;
        const char *p = (const char *)evbuffer_pullup(in, WIRE_HEADER_LEN + PEEK_LEN);
        if (classify_statement(p + WIRE_HEADER_LEN, PEEK_LEN) == SL_STMT_NONE)
            return relay_client_msg(s, 'Q', blen);
    }
    const char *text = (const char *)whole_body(s, blen);
    if (!text)
        return STEP_WAIT;
    if (blen == 0 || text[blen - 1] != '\0' || memchr(text, '\0', blen) != text + blen - 1) {
        protocol_violation(s, "invalid string in message");
        return STEP_STOP;
    }
    size_t tl = blen - 1;
    if (classify_statement(text, tl) == SL_STMT_NONE && !classify_has_later_ours(text, tl))
        return relay_client_msg(s, 'Q', blen);
    if (s->client_skipping || s->backend_skipping)
        return drop_client_msg(s, blen); /* PostgreSQL ignores it until Sync too */
    if (s->pend_n) {
        stall(s);
        return STEP_WAIT;
    }
    sl_split_result split = split_statements(text);
    bool ours = false;
    for (int i = 0; i < split.n_stmts; i++)
        ours |= split.stmts[i].kind != SL_STMT_NONE;
    if (split.error || !ours) {
        split_free(split);
        return relay_client_msg(s, 'Q', blen); /* the backend reports any error */
    }
    mq_state *mq = calloc(1, sizeof(*mq));
    char *copy = malloc(blen);
    if (!mq || !copy) {
        free(mq);
        free(copy);
        split_free(split);
        session_end(s, false, false);
        return STEP_STOP;
    }
    memcpy(copy, text, blen);
    mq->text = copy;
    mq->split = split;
    evbuffer_drain(in, WIRE_HEADER_LEN + blen);
    s->mq = mq;
    if (mq_needs_block(s, mq)) {
        s->iq_done = mq_block_begun;
        if (!internal_send(s, "BEGIN", false)) {
            session_end(s, false, false);
            return STEP_STOP;
        }
        return STEP_NEXT;
    }
    mq_step(s);
    return STEP_NEXT;
}

/* ---- executing statements of ours ---- */

static void exec_query(sl_exec *x, const char *sql, sl_exec_next next);
static void exec_catalog_query(sl_exec *x, const char *sql, sl_exec_next next);

/* What the statement kept for itself. */
static void exec_release(sl_exec *x)
{
    free(x->work);
    x->work = NULL;
    if (x->state_free && x->state)
        x->state_free(x->state);
    x->state = NULL;
    x->script = NULL;
}

/* A statement of ours is done: its reply (or error) goes to the client. */
static void exec_finish(sl_exec *x, bool ok)
{
    sess_exec *e = (sess_exec *)x;
    session *s = e->s;
    s->executing = false;
    exec_release(x);
    if (e->extended) {
        if (ok)
            out_add(&s->client, &e->out);
        else
            extended_error(s, &x->err);
    } else {
        if (!ok) {
            wire_buf_reset(&e->out);
            sl_error_put(&e->out, &x->err, e->pos_offset);
            s->mq->failed = true;
            if (s->txn == 'T') {
                fail_backend_transaction(s); /* its ReadyForQuery ends the Query */
                s->mq->suppressing = true;
            }
        }
        out_add(&s->client, &e->out);
    }
    wire_buf_free(&e->out);
    /* finished later, from a backend reply: the client's messages wait to be resumed */
    if (!e->starting)
        s->resume_client = true;
}

/* Starts a statement of ours; it may finish at once or after queries on the backend. */
static void exec_start(session *s, sl_stmt_kind kind, const char *sql, size_t len, int16_t format,
                       bool extended, int pos_offset)
{
    sess_exec *e = &s->ex;
    memset(e, 0, sizeof(*e));
    e->s = s;
    e->extended = extended;
    e->pos_offset = pos_offset;
    wire_buf_init(&e->out);
    e->x = (sl_exec){.kind = kind,
                     .sql = sql,
                     .len = len,
                     .format = format,
                     .extended = extended,
                     .txn = s->txn,
                     .out = &e->out,
                     .owner = s,
                     .query = exec_query,
                     .catalog_query = catconn_apart() ? exec_catalog_query : exec_query,
                     .catalog_apart = catconn_apart(),
                     .finish = exec_finish};
    s->executing = true;
    if (s->txn == 'E') {
        sl_error_set(&e->x.err, "25P02", NULL,
                     "current transaction is aborted, commands ignored until end of "
                     "transaction block");
        e->starting = true;
        exec_finish(&e->x, false);
        e->starting = false;
        return;
    }
    /* the simple protocol describes the rows first; a failure replaces it all */
    if (!extended)
        intercept_describe(kind, sql, len, 0, false, &e->out);
    e->starting = true;
    intercept_execute(&e->x);
    e->starting = false;
}

#define INTERNAL_NAME "sluice_internal"

/*
 * The query, as the backend must see it. In the simple protocol (between the parts of a
 * client's Query) a Query message. Inside an extended-protocol batch a Query would commit
 * the batch's implicit transaction, so it goes as Parse/Bind/Describe/Execute/Close and
 * Flush, without Sync, under a name of sluice's own that leaves the client's unnamed
 * statement and portal alone.
 */
static void internal_close(wire_buf *b, char what)
{
    wire_begin(b, 'C');
    wire_put_byte(b, (uint8_t)what);
    wire_put_string(b, INTERNAL_NAME);
    wire_end(b);
}

/* Closes before (a query that failed may have left them) and after: four CloseCompletes. */
#define INTERNAL_CLOSES 4

static void internal_message_bytes(wire_buf *b, const char *sql, bool extended)
{
    if (!extended) {
        wire_begin(b, 'Q');
        wire_put_string(b, sql);
        wire_end(b);
        return;
    }
    internal_close(b, 'P');
    internal_close(b, 'S');
    wire_begin(b, 'P');
    wire_put_string(b, INTERNAL_NAME);
    wire_put_string(b, sql);
    wire_put_int16(b, 0);
    wire_end(b);
    wire_begin(b, 'B');
    wire_put_string(b, INTERNAL_NAME);
    wire_put_string(b, INTERNAL_NAME);
    wire_put_int16(b, 0); /* parameter formats */
    wire_put_int16(b, 0); /* parameters */
    wire_put_int16(b, 0); /* result formats: text */
    wire_end(b);
    wire_begin(b, 'D');
    wire_put_byte(b, 'P');
    wire_put_string(b, INTERNAL_NAME);
    wire_end(b);
    wire_begin(b, 'E');
    wire_put_string(b, INTERNAL_NAME);
    wire_put_int32(b, 0);
    wire_end(b);
    internal_close(b, 'P');
    internal_close(b, 'S');
    wire_begin(b, 'H');
    wire_end(b);
}

/* Sends one internal query; false when it could not be sent. */
static bool internal_send(session *s, const char *sql, bool extended)
{
    wire_buf b;
    wire_buf_init(&b);
    internal_message_bytes(&b, sql, extended);
    bool sent = conn_is_open(&s->backend) && !b.oom &&
                pend_push(s, extended ? PEND_INTERNAL_EXT : PEND_INTERNAL) == 0;
    if (sent) {
        s->iq_closes = extended ? INTERNAL_CLOSES : 0;
        send_backend_bytes(s, b.data, b.len);
        sent = conn_flush(&s->backend) == 0;
    }
    wire_buf_free(&b);
    return sent;
}

/* Runs sql on the client's own backend session for the statement being executed. */
static void exec_query(sl_exec *x, const char *sql, sl_exec_next next)
{
    session *s = x->owner;
    s->iq_next = next;
    if (!internal_send(s, sql, s->ex.extended)) {
        s->iq_next = NULL;
        sl_error_set(&x->err, "08006", NULL, "lost the warehouse connection");
        exec_finish(x, false);
    }
}

/*
 * The catalog answered a statement's query. This runs from the catalog connection's own
 * event, outside the relay's callbacks, so it resumes the client as backend_process would.
 */
static void exec_catalog_done(void *arg, const sl_result *r)
{
    session *s = arg;
    sl_exec_next next = s->cq_next;
    s->cq_next = NULL;
    if (s->state != SS_READY || !s->executing || !next)
        return; /* the session is ending: nobody waits for the answer */
    s->busy++;
    next(&s->ex.x, r);
    resume(s);
    s->busy--;
    maybe_free(s);
}

/* Runs sql on sluice's catalog database for the statement being executed (dialect redshift). */
static void exec_catalog_query(sl_exec *x, const char *sql, sl_exec_next next)
{
    session *s = x->owner;
    if (!s->catalog)
        s->catalog = catconn_new(s->loop->base);
    s->cq_next = next;
    if (!s->catalog) {
        s->cq_next = NULL;
        sl_error_set(&x->err, "53200", NULL, "out of memory");
        exec_finish(x, false);
    } else if (!catconn_query(s->catalog, sql, exec_catalog_done, s, &x->err)) {
        s->cq_next = NULL;
        exec_finish(x, false);
    }
}

static void mq_finish(session *s, bool send_ready)
{
    mq_state *mq = s->mq;
    s->mq = NULL;
    split_free(mq->split);
    free(mq->text);
    free(mq);
    if (send_ready) {
        wire_buf b;
        wire_buf_init(&b);
        wire_put_ready(&b, s->txn);
        out_add(&s->client, &b);
        wire_buf_free(&b);
    }
    s->resume_client = true;
}

/*
 * PostgreSQL runs a Query of several statements as one implicit transaction. A Query that
 * mixes sluice's statements with others goes to the backend in parts, so sluice opens a
 * transaction block around them itself (when none is open and the Query has no transaction
 * control of its own) and ends it with COMMIT, or with ROLLBACK when a part failed: all of
 * the Query happens, or none of it.
 */
static bool is_transaction_control(const char *text, const sl_span *st)
{
    static const char *const words[] = {"begin",    "start", "commit",    "end",
                                        "rollback", "abort", "savepoint", "release"};
    size_t i = classify_skip_blank(text + st->offset, st->len, 0);
    const char *w = text + st->offset + i;
    size_t n = 0;
    while (i + n < st->len && isalpha((unsigned char)w[n]))
        n++;
    for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++)
        if (strlen(words[k]) == n && strncasecmp(w, words[k], n) == 0)
            return true;
    return false;
}

static bool mq_needs_block(const session *s, const mq_state *mq)
{
    if (s->txn != 'I' || mq->split.n_stmts < 2)
        return false;
    for (int i = 0; i < mq->split.n_stmts; i++)
        if (mq->split.stmts[i].kind == SL_STMT_NONE &&
            is_transaction_control(mq->text, &mq->split.stmts[i]))
            return false;
    return true;
}

static void mq_block_begun(session *s, const sl_result *r)
{
    if (s->mq)
        s->mq->wrapped = !r->failed;
    s->resume_client = true; /* mq_step runs once this reply is handled */
}

static void mq_block_ended(session *s, const sl_result *r)
{
    (void)r; /* its ReadyForQuery set s->txn */
    if (s->mq)
        mq_finish(s, true);
}

/* Ends the Query: its block's COMMIT or ROLLBACK first, when sluice opened one. */
static void mq_end(session *s)
{
    mq_state *mq = s->mq;
    if (!mq->wrapped || mq->unwrapping) {
        mq_finish(s, true);
        return;
    }
    mq->unwrapping = true;
    s->iq_done = mq_block_ended;
    if (!internal_send(s, mq->failed ? "ROLLBACK" : "COMMIT", false))
        session_end(s, false, false);
}

/* Advances a split Query: answers ours, relays the next run of ordinary statements. */
static void mq_step(session *s)
{
    mq_state *mq = s->mq;
    const sl_split_result *sp = &mq->split;
    while (mq->next < sp->n_stmts || s->executing || mq->suppressing) {
        if (s->executing || mq->suppressing || mq->unwrapping)
            return; /* exec_finish or the suppressed ReadyForQuery resumes */
        if (mq->failed)
            break;
        const sl_span *st = &sp->stmts[mq->next];
        if (st->kind != SL_STMT_NONE) {
            mq->next++;
            exec_start(s, st->kind, mq->text + st->offset, st->len, 0, false, (int)st->offset);
            continue;
        }
        int j = mq->next;
        while (j < sp->n_stmts && sp->stmts[j].kind == SL_STMT_NONE)
            j++;
        size_t from = st->offset;
        size_t to = sp->stmts[j - 1].offset + sp->stmts[j - 1].len;
        mq->next = j;
        wire_buf b;
        wire_buf_init(&b);
        wire_begin(&b, 'Q');
        wire_put_bytes(&b, mq->text + from, to - from);
        wire_put_byte(&b, 0);
        wire_end(&b);
        if (b.oom || pend_push(s, PEND_MULTI) != 0) {
            wire_buf_free(&b);
            session_end(s, false, false);
            return;
        }
        send_backend_bytes(s, b.data, b.len);
        wire_buf_free(&b);
        return;
    }
    mq_end(s);
}

/* Parse: ours becomes a statement sluice keeps; ordinary ones go to the backend. */
static step client_parse(session *s, uint32_t blen)
{
    struct evbuffer *in = s->client.in;
    if (blen > INSPECT_MAX) {
        size_t have = evbuffer_get_length(in) - WIRE_HEADER_LEN;
        if (have < PEEK_LEN)
            return STEP_WAIT;
        const char *p = (const char *)evbuffer_pullup(in, WIRE_HEADER_LEN + PEEK_LEN);
        const char *body = p + WIRE_HEADER_LEN;
        const char *nul = memchr(body, '\0', PEEK_LEN);
        if (nul &&
            classify_statement(nul + 1, PEEK_LEN - (size_t)(nul + 1 - body)) == SL_STMT_NONE) {
            if (s->vobjs)
                vobj_remove(s, false, body);
            return relay_client_msg(s, 'P', blen);
        }
    }
    const uint8_t *body = whole_body(s, blen);
    if (!body)
        return STEP_WAIT;
    wire_reader r;
    wire_reader_init(&r, body, blen);
    const char *name = wire_get_string(&r);
    const char *query = wire_get_string(&r);
    int nparams = wire_get_int16(&r);
    const uint8_t *types = nparams > 0 ? wire_get_bytes(&r, (size_t)nparams * 4) : NULL;
    if (!wire_get_end(&r) || nparams < 0) {
        protocol_violation(s, "invalid Parse message format");
        return STEP_STOP;
    }
    size_t qlen = strlen(query);
    sl_stmt_kind kind = classify_statement(query, qlen);
    if (kind == SL_STMT_NONE) {
        if (s->vobjs)
            vobj_remove(s, false, name);
        return relay_client_msg(s, 'P', blen);
    }
    if (s->client_skipping || s->backend_skipping)
        return drop_client_msg(s, blen);
    if (s->pend_n) {
        stall(s);
        return STEP_WAIT;
    }
    sl_error e;
    sl_split_result split = split_statements(query);
    bool ok;
    if (split.n_stmts > 1) {
        sl_error_set(&e, "42601", "Send one statement per Parse message.",
                     "cannot insert multiple commands into a prepared statement");
        ok = false;
    } else {
        ok = intercept_prepare(kind, query, qlen, &e);
    }
    split_free(split);
    vobj *v = ok ? vobj_add(s, false, name, kind, query, qlen) : NULL;
    if (ok && !v) {
        session_end(s, false, false);
        return STEP_STOP;
    }
    if (v && nparams > 0) {
        v->paramtypes = malloc((size_t)nparams * sizeof(uint32_t));
        if (v->paramtypes) {
            v->nparams = nparams;
            for (int i = 0; i < nparams; i++)
                v->paramtypes[i] = wire_read_u32(types + 4 * i);
        }
    }
    if (ok)
        send_simple(s, '1'); /* ParseComplete */
    else
        extended_error(s, &e);
    return drop_client_msg(s, blen);
}

/* Bind of one of our statements: BindComplete and a portal sluice keeps. */
static bool bind_virtual(session *s, vobj *stmt, const char *portal, wire_reader *r)
{
    int nfmt = wire_get_int16(r);
    wire_get_bytes(r, (size_t)(nfmt > 0 ? nfmt : 0) * 2);
    int nparams = wire_get_int16(r);
    for (int i = 0; i < nparams && !r->err; i++) {
        int32_t len = wire_get_int32(r);
        if (len > 0)
            wire_get_bytes(r, (size_t)len);
    }
    int nres = wire_get_int16(r);
    int16_t format = nres > 0 ? wire_get_int16(r) : 0;
    if (nres > 1)
        wire_get_bytes(r, (size_t)(nres - 1) * 2);
    if (!wire_get_end(r) || nfmt < 0 || nparams < 0 || nres < 0) {
        protocol_violation(s, "invalid Bind message format");
        return false;
    }
    if (nparams != stmt->nparams) {
        sl_error e;
        sl_error_set(&e, "08P01", NULL,
                     "bind message supplies %d parameters, but prepared statement \"%s\" "
                     "requires %d",
                     nparams, stmt->name, stmt->nparams);
        extended_error(s, &e);
        return true;
    }
    vobj *p = vobj_add(s, true, portal, stmt->kind, stmt->sql, stmt->len);
    if (!p) {
        session_end(s, false, false);
        return false;
    }
    p->format = format;
    send_simple(s, '2'); /* BindComplete */
    return true;
}

static void describe_virtual(session *s, vobj *v)
{
    wire_buf b;
    wire_buf_init(&b);
    if (!v->portal) {
        wire_begin(&b, 't'); /* ParameterDescription */
        wire_put_int16(&b, (int16_t)v->nparams);
        for (int i = 0; i < v->nparams; i++)
            wire_put_int32(&b, (int32_t)v->paramtypes[i]);
        wire_end(&b);
    }
    intercept_describe(v->kind, v->sql, v->len, v->portal ? v->format : 0, true, &b);
    out_add(&s->client, &b);
    wire_buf_free(&b);
}

static void execute_virtual(session *s, vobj *v)
{
    exec_start(s, v->kind, v->sql, v->len, v->format, true, 0);
}

/* Bind/Describe/Execute/Close while sluice holds statements or portals of its own. */
static step client_named(session *s, char type, uint32_t blen)
{
    size_t need = blen;
    if (type == 'B' && blen > NAME_PEEK)
        need = NAME_PEEK; /* names come first; large parameters stream on */
    if (evbuffer_get_length(s->client.in) < WIRE_HEADER_LEN + need)
        return STEP_WAIT;
    const uint8_t *body = evbuffer_pullup(s->client.in, (ssize_t)(WIRE_HEADER_LEN + need)) + 5;
    wire_reader r;
    wire_reader_init(&r, body, need);
    vobj *v = NULL;
    const char *portal = NULL;
    if (type == 'B') {
        portal = wire_get_string(&r);
        const char *stmt = wire_get_string(&r);
        v = stmt ? vobj_find(s, false, stmt) : NULL;
        if (!v && portal)
            vobj_remove(s, true, portal); /* the backend's portal replaces ours */
    } else if (type == 'E') {
        const char *name = wire_get_string(&r);
        v = name ? vobj_find(s, true, name) : NULL;
    } else {
        uint8_t what = wire_get_byte(&r);
        const char *name = wire_get_string(&r);
        v = name ? vobj_find(s, what == 'P', name) : NULL;
    }
    if (!v)
        return relay_client_msg(s, type, blen);
    if (need < blen) {
        protocol_violation(s, "Bind message too large for a sluice statement");
        return STEP_STOP;
    }
    if (s->client_skipping || s->backend_skipping)
        return drop_client_msg(s, blen);
    if (s->pend_n) {
        stall(s);
        return STEP_WAIT;
    }
    switch (type) {
    case 'B':
        if (!bind_virtual(s, v, portal, &r))
            return STEP_STOP;
        break;
    case 'D':
        describe_virtual(s, v);
        break;
    case 'E':
        execute_virtual(s, v);
        break;
    case 'C':
        vobj_remove(s, v->portal, v->name);
        send_simple(s, '3'); /* CloseComplete */
        break;
    }
    return drop_client_msg(s, blen);
}

static step client_message(session *s, char type, uint32_t blen)
{
    if (s->state != SS_READY)
        return relay_client_msg(s, type, blen); /* authentication exchange */
    switch (type) {
    case 'Q':
        return client_query(s, blen);
    case 'P':
        return client_parse(s, blen);
    case 'B':
    case 'D':
    case 'E':
    case 'C':
        if (s->vobjs)
            return client_named(s, type, blen);
        return relay_client_msg(s, type, blen);
    case 'X':
        relay_client_msg(s, type, blen);
        session_end(s, false, true);
        return STEP_STOP;
    default:
        return relay_client_msg(s, type, blen);
    }
}

/*
 * The fast path: complete ordinary messages at the front of the input's first buffer
 * chain are accounted for and moved to the backend in one piece. Anything else (ours, a
 * message cut by the chain's end, skipping after an error, statements sluice holds)
 * stops the run and goes through client_message one message at a time.
 */
static size_t client_scan(session *s, const uint8_t *p, size_t clen)
{
    size_t off = 0;
    while (off + WIRE_HEADER_LEN <= clen) {
        char type;
        uint32_t blen;
        if (wire_parse_header(p + off, &type, &blen) != WIRE_OK ||
            wire_check_frontend(type, blen) != WIRE_OK || blen > clen - off - WIRE_HEADER_LEN)
            break;
        const char *body = (const char *)p + off + WIRE_HEADER_LEN;
        uint8_t kind = 0;
        switch (type) {
        case 'Q':
            if (blen == 0 || body[blen - 1] != '\0' ||
                classify_statement(body, blen - 1) != SL_STMT_NONE ||
                classify_has_later_ours(body, blen - 1))
                goto done;
            kind = 'Q';
            break;
        case 'P': {
            const char *nul = memchr(body, '\0', blen);
            if (s->vobjs || !nul || memchr(nul + 1, '\0', blen - (size_t)(nul + 1 - body)) == NULL)
                goto done;
            if (classify_statement(nul + 1, strlen(nul + 1)) != SL_STMT_NONE)
                goto done;
            kind = 'P';
            break;
        }
        case 'B':
        case 'D':
        case 'E':
        case 'C':
            if (s->vobjs)
                goto done;
            kind = (uint8_t)type;
            break;
        case 'S':
        case 'F':
            kind = (uint8_t)type;
            break;
        case 'H':
        case 'd':
        case 'c':
        case 'f':
            break;
        default:
            goto done;
        }
        if (kind && pend_push(s, kind) != 0)
            goto done;
        off += WIRE_HEADER_LEN + blen;
    }
done:
    return off;
}

static bool client_fast_ok(const session *s)
{
    return s->state == SS_READY && !s->client_skipping && !s->backend_skipping && !s->stalled &&
           !s->mq && s->c_left == 0 && evbuffer_get_length(s->backend.out) <= HIGH_WATER;
}

static void client_process(session *s)
{
    struct evbuffer *in = s->client.in;
    while (s->state == SS_READY || s->state == SS_AUTH) {
        int t = throttle(&s->client, &s->backend, &s->client_paused);
        if (t < 0)
            return;
        if (t > 0)
            break;
        if (s->c_left) {
            if (evbuffer_get_length(in) == 0)
                break;
            relay_body(&s->client, &s->backend, &s->c_left, s->c_drop);
            continue;
        }
        if (s->stalled || s->mq || s->executing)
            break;
        if (client_fast_ok(s) && relay_run(s, &s->client, &s->backend, client_scan) > 0)
            continue;
        uint8_t hdr[WIRE_HEADER_LEN];
        if (evbuffer_copyout(in, hdr, WIRE_HEADER_LEN) < WIRE_HEADER_LEN)
            break;
        char type;
        uint32_t blen;
        wire_status st = wire_parse_header(hdr, &type, &blen);
        if (st == WIRE_OK)
            st = wire_check_frontend(type, blen);
        if (st != WIRE_OK) {
            char msg[64];
            if (st == WIRE_BAD_TYPE)
                snprintf(msg, sizeof(msg), "invalid frontend message type %d", (unsigned char)type);
            else
                snprintf(msg, sizeof(msg), "invalid message length");
            protocol_violation(s, msg);
            return;
        }
        step r = client_message(s, type, blen);
        if (r == STEP_STOP)
            return;
        if (r == STEP_WAIT)
            break;
    }
    if (conn_is_open(&s->backend) && conn_flush(&s->backend) < 0)
        return;
    if (conn_is_open(&s->client))
        conn_flush(&s->client);
}

/* ---- backend → client ---- */

static void backend_ready(session *s, char status)
{
    s->txn = status;
    uint8_t k;
    do {
        k = pend_pop(s);
    } while (k && k != 'Q' && k != 'S' && k != 'F' && k != PEND_MULTI && k != PEND_SUPPRESS);
    if (s->state == SS_AUTH) {
        s->state = SS_READY;
        log_debug("session ready (user \"%s\")", s->user);
    }
    /* whether the client sees this ReadyForQuery is decided by backend_whole */
    (void)k;
}

/* Error accounting: an extended-protocol error makes the backend skip to Sync. */
static void backend_error(session *s)
{
    uint8_t k = pend_peek(s);
    if (k == PEND_MULTI && s->mq) {
        s->mq->failed = true;
        return;
    }
    if (!is_extended_kind(k))
        return;
    while (is_extended_kind(pend_peek(s)))
        pend_pop(s);
    if (!s->pend_n)
        s->backend_skipping = true;
}

/* An ErrorResponse that goes to the client: remember FATAL, account for it. */
static void backend_error_seen(session *s, const uint8_t *body, uint32_t blen)
{
    const char *sev = wire_error_field(body, blen, 'V');
    if (!sev)
        sev = wire_error_field(body, blen, 'S');
    s->last_fatal = sev && (strcmp(sev, "FATAL") == 0 || strcmp(sev, "PANIC") == 0);
    backend_error(s);
}

static void backend_key(session *s, const uint8_t *body, uint32_t blen)
{
    if (blen != 8 || s->key_issued) {
        evbuffer_add(s->client.out, body - WIRE_HEADER_LEN, WIRE_HEADER_LEN + blen);
        return;
    }
    uint32_t pid, key;
    if (cancel_register(wire_read_u32(body), wire_read_u32(body + 4), &pid, &key) != 0) {
        evbuffer_add(s->client.out, body - WIRE_HEADER_LEN, WIRE_HEADER_LEN + blen);
        return;
    }
    s->key_issued = true;
    s->issued_pid = pid;
    uint8_t m[13] = {'K', 0, 0, 0, 12};
    wire_write_u32(m + 5, pid);
    wire_write_u32(m + 9, key);
    evbuffer_add(s->client.out, m, sizeof(m));
}

/* ReadyForQuery, ErrorResponse and BackendKeyData are handled whole. */
static void backend_whole(session *s, char type, uint32_t blen)
{
    struct evbuffer *in = s->backend.in;
    const uint8_t *msg = evbuffer_pullup(in, WIRE_HEADER_LEN + (ssize_t)blen);
    const uint8_t *body = msg + WIRE_HEADER_LEN;
    bool forward = true;
    uint8_t head = pend_peek(s);
    if (type == 'Z') {
        if (blen != 1) {
            backend_lost(s, "malformed ReadyForQuery from the backend");
            return;
        }
        backend_ready(s, (char)body[0]);
        if (head == PEND_SUPPRESS) {
            forward = false;
            if (s->mq)
                mq_end(s);
        } else if (head == PEND_MULTI && s->mq) {
            bool last = s->mq->failed || s->mq->next >= s->mq->split.n_stmts;
            if (last && s->mq->wrapped) {
                forward = false; /* the block's end answers instead */
                mq_end(s);
            } else if (last) {
                mq_finish(s, false);
            } else {
                forward = false;
                s->resume_client = true; /* mq_step runs after this batch */
            }
        }
    } else if (type == 'E') {
        if (head == PEND_SUPPRESS)
            forward = false;
        else
            backend_error_seen(s, body, blen);
    } else if (type == 'K') {
        backend_key(s, body, blen);
        forward = false;
    }
    if (forward)
        evbuffer_remove_buffer(in, s->client.out, WIRE_HEADER_LEN + blen);
    else
        evbuffer_drain(in, WIRE_HEADER_LEN + blen);
}

/* Accounting once a streamed backend message has passed entirely. */
static void backend_done(session *s, char type)
{
    switch (type) {
    case '1':
        pend_pop_if(s, 'P');
        break;
    case '2':
        pend_pop_if(s, 'B');
        break;
    case '3':
        pend_pop_if(s, 'C');
        break;
    case 'T':
    case 'n':
        pend_pop_if(s, 'D');
        break;
    case 'C':
    case 'I':
    case 's':
        pend_pop_if(s, 'E');
        break;
    default:
        break;
    }
}

/*
 * The fast path for replies: complete messages at the front of the input's first chain are
 * accounted for and moved to the client in one piece. BackendKeyData, replies sluice keeps
 * to itself (PEND_SUPPRESS, PEND_MULTI) and messages cut by the chain's end go through
 * backend_whole or the streaming path instead.
 */
/* ---- replies to the queries of our statements ---- */

static void internal_row_description(sl_result *r, wire_reader *rd)
{
    int n = wire_get_int16(rd);
    sl_result_free(r); /* a query of several statements: the last result set counts */
    r->fields = n > 0 ? calloc((size_t)n, sizeof(char *)) : NULL;
    r->nfields = r->fields ? n : 0;
    for (int i = 0; i < r->nfields; i++) {
        const char *name = wire_get_string(rd);
        wire_get_bytes(rd, 18);
        r->fields[i] = strdup(name ? name : "");
    }
}

static void internal_data_row(sl_result *r, wire_reader *rd)
{
    int n = wire_get_int16(rd);
    if (n != r->nfields || n <= 0)
        return;
    char **cells = realloc(r->cells, (size_t)(r->nrows + 1) * (size_t)n * sizeof(char *));
    if (!cells)
        return;
    r->cells = cells;
    for (int i = 0; i < n; i++) {
        int32_t len = wire_get_int32(rd);
        const char *v = len >= 0 ? wire_get_bytes(rd, (size_t)len) : NULL;
        char *copy = v ? strndup(v, (size_t)len) : NULL;
        cells[r->nrows * n + i] = copy;
    }
    r->nrows++;
}

static void internal_error(sl_result *r, const uint8_t *body, uint32_t blen)
{
    sl_result_fail(r, wire_error_field(body, blen, 'C'), wire_error_field(body, blen, 'M'),
                   wire_error_field(body, blen, 'D'), wire_error_field(body, blen, 'H'));
}

/*
 * One whole backend message while a statement of ours waits for its query: rows and
 * errors are collected for it; notifications and parameter changes still reach the client.
 */
static void internal_message(session *s, char type, uint32_t blen)
{
    struct evbuffer *in = s->backend.in;
    const uint8_t *body = evbuffer_pullup(in, WIRE_HEADER_LEN + (ssize_t)blen) + WIRE_HEADER_LEN;
    wire_reader rd;
    wire_reader_init(&rd, body, blen);
    sl_result *r = &s->iq_res;
    if (type == 'A' || type == 'S') {
        evbuffer_remove_buffer(in, s->client.out, WIRE_HEADER_LEN + blen);
        return;
    }
    if (type == 'T')
        internal_row_description(r, &rd);
    else if (type == 'D')
        internal_data_row(r, &rd);
    else if (type == 'C') {
        const char *tag = wire_get_string(&rd);
        snprintf(r->tag, sizeof(r->tag), "%s", tag ? tag : "");
    } else if (type == 'E')
        internal_error(r, body, blen);
    char status = type == 'Z' && blen == 1 ? (char)body[0] : 0;
    evbuffer_drain(in, WIRE_HEADER_LEN + blen);
    bool extended = pend_peek(s) == PEND_INTERNAL_EXT;
    if (extended && type == '3' && --s->iq_closes > 0)
        return;
    if (extended ? type != '3' && type != 'E' : type != 'Z')
        return;
    pend_pop(s);
    if (status)
        s->txn = status;
    if (extended && type == 'E')
        s->backend_skipping = true; /* the backend now skips to the client's Sync */
    sl_result done = *r;
    memset(r, 0, sizeof(*r));
    void (*session_done)(session *, const sl_result *) = s->iq_done;
    s->iq_done = NULL;
    sl_exec_next next = s->iq_next;
    s->iq_next = NULL;
    if (session_done)
        session_done(s, &done);
    else if (next && s->executing)
        next(&s->ex.x, &done);
    sl_result_free(&done);
}

static size_t backend_scan(session *s, const uint8_t *p, size_t clen)
{
    size_t off = 0;
    while (off + WIRE_HEADER_LEN <= clen && !(s->stalled && s->pend_n == 0)) {
        char type;
        uint32_t blen;
        if (wire_parse_header(p + off, &type, &blen) != WIRE_OK ||
            blen > clen - off - WIRE_HEADER_LEN)
            break;
        const uint8_t *body = p + off + WIRE_HEADER_LEN;
        uint8_t head = pend_peek(s);
        if (head == PEND_INTERNAL || head == PEND_INTERNAL_EXT || type == 'K' ||
            ((type == 'Z' || type == 'E') && (head == PEND_SUPPRESS || head == PEND_MULTI)))
            break;
        if (type == 'Z') {
            if (blen != 1)
                break;
            backend_ready(s, (char)body[0]);
        } else if (type == 'E') {
            backend_error_seen(s, body, blen);
        } else {
            backend_done(s, type);
        }
        off += WIRE_HEADER_LEN + blen;
    }
    return off;
}

static bool backend_fast_ok(const session *s)
{
    return s->state == SS_READY && s->b_left == 0 &&
           evbuffer_get_length(s->client.out) <= HIGH_WATER;
}

static void backend_process(session *s)
{
    struct evbuffer *in = s->backend.in;
    while (s->state == SS_READY || s->state == SS_AUTH) {
        int t = throttle(&s->backend, &s->client, &s->backend_paused);
        if (t < 0)
            return;
        if (t > 0)
            break;
        if (s->b_left) {
            if (evbuffer_get_length(in) == 0)
                break;
            relay_body(&s->backend, &s->client, &s->b_left, false);
            if (s->b_left == 0)
                backend_done(s, s->b_type);
            continue;
        }
        if (s->pend_n == 0 && s->stalled) {
            s->stalled = false;
            s->resume_client = true;
        }
        if (backend_fast_ok(s) && relay_run(s, &s->backend, &s->client, backend_scan) > 0)
            continue;
        uint8_t hdr[WIRE_HEADER_LEN];
        if (evbuffer_copyout(in, hdr, WIRE_HEADER_LEN) < WIRE_HEADER_LEN)
            break;
        char type;
        uint32_t blen;
        if (wire_parse_header(hdr, &type, &blen) != WIRE_OK ||
            wire_check_backend(type, blen) != WIRE_OK) {
            backend_lost(s, "malformed message from the backend");
            return;
        }
        if (pend_peek(s) == PEND_INTERNAL || pend_peek(s) == PEND_INTERNAL_EXT) {
            if (evbuffer_get_length(in) < WIRE_HEADER_LEN + (size_t)blen)
                break;
            internal_message(s, type, blen);
            continue;
        }
        if (type == 'Z' || type == 'E' || type == 'K') {
            if (evbuffer_get_length(in) < WIRE_HEADER_LEN + (size_t)blen)
                break;
            backend_whole(s, type, blen);
            if (s->state == SS_ENDING)
                return;
            continue;
        }
        size_t avail = evbuffer_get_length(in) - WIRE_HEADER_LEN;
        size_t now = avail < blen ? avail : blen;
        evbuffer_remove_buffer(in, s->client.out, WIRE_HEADER_LEN + now);
        s->b_left = blen - (uint32_t)now;
        s->b_type = type;
        if (s->b_left == 0)
            backend_done(s, type);
    }
    if (s->pend_n == 0 && s->stalled && s->b_left == 0) {
        s->stalled = false;
        s->resume_client = true;
    }
    resume(s);
}

/* Replies are out; once a statement of ours has finished, the client's next messages go on. */
static void resume(session *s)
{
    if (conn_flush(&s->client) < 0)
        return;
    if (s->resume_client && s->b_left == 0) {
        s->resume_client = false;
        if (s->mq)
            mq_step(s);
        client_process(s);
    }
}

/* ---- events ---- */

static void client_cb(sl_conn *c, conn_event ev, void *arg)
{
    session *s = arg;
    s->busy++;
    switch (ev) {
    case CONN_READ:
        if (s->state == SS_AUTH || s->state == SS_READY) {
            if (relay_flat(s, c, &s->backend, client_scan, client_fast_ok(s)))
                client_process(s);
            break;
        }
        conn_keep_flat(c);
        if (s->state == SS_STARTUP)
            startup_process(s);
        break;
    case CONN_DRAIN:
        if (s->state == SS_ENDING) {
            conn_close(&s->client);
            maybe_free(s);
        } else if (s->backend_paused) {
            s->backend_paused = false;
            conn_set_reading(&s->backend, true);
            backend_process(s);
        }
        break;
    case CONN_EOF:
    case CONN_ERROR:
        if (ev == CONN_ERROR)
            log_debug("client connection error (user \"%s\"): %s", s->user, c->error);
        conn_close(&s->client);
        if (s->state == SS_ENDING)
            maybe_free(s);
        else
            session_end(s, false, true);
        break;
    }
    s->busy--;
    maybe_free(s);
}

static void backend_cb(sl_conn *c, conn_event ev, void *arg)
{
    session *s = arg;
    s->busy++;
    switch (ev) {
    case CONN_READ:
        if (s->state == SS_AUTH || s->state == SS_READY) {
            if (relay_flat(s, c, &s->client, backend_scan, backend_fast_ok(s)))
                backend_process(s);
        } else {
            c->flat = NULL; /* ending, or nothing to relay to yet: dropped */
            evbuffer_drain(c->in, evbuffer_get_length(c->in));
        }
        break;
    case CONN_DRAIN:
        if (s->state == SS_CONNECTING) {
            backend_connected(s);
        } else if (s->state == SS_ENDING) {
            if (evbuffer_get_length(c->out) > 0) {
                conn_flush(c); /* a cancel request, written once connected */
                if (conn_is_open(c) && evbuffer_get_length(c->out) > 0)
                    break;
            }
            conn_close(&s->backend);
            maybe_free(s);
        } else if (s->client_paused) {
            s->client_paused = false;
            conn_set_reading(&s->client, true);
            client_process(s);
        }
        break;
    case CONN_EOF:
    case CONN_ERROR:
        if (s->state == SS_ENDING) {
            conn_close(&s->backend);
            maybe_free(s);
        } else if (s->state == SS_CONNECTING) {
            char msg[512];
            snprintf(msg, sizeof(msg), "could not connect to the warehouse at %s: %s",
                     server.backend_desc, c->error[0] ? c->error : "connection closed");
            log_warning("%s", msg);
            conn_close(&s->backend);
            send_error(s, "FATAL", "08006", msg, NULL,
                       "Check that the warehouse is running and that sluice's backend "
                       "setting points at it.");
            session_end(s, true, false);
        } else {
            backend_lost(s, ev == CONN_EOF ? "connection closed" : c->error);
        }
        break;
    }
    s->busy--;
    maybe_free(s);
}

void session_accept(sl_loop *loop, int fd)
{
    session *s = calloc(1, sizeof(*s));
    if (!s) {
        close(fd);
        return;
    }
    s->loop = loop;
    s->backend.fd = -1;
    s->busy = 1;
    s->txn = 'I';
    loop->nsessions++;
    atomic_fetch_add(&server.nclients, 1);
    if (conn_open(&s->client, loop->base, fd, client_cb, s) != 0) {
        s->client.fd = -1;
        session_free(s);
        return;
    }
    if (atomic_load(&server.nclients) > server.cfg->max_clients) {
        send_error(s, "FATAL", "53300", "sorry, too many clients already", NULL,
                   "Raise max_clients in sluice's configuration, or close idle connections.");
        session_end(s, true, false);
    }
    s->busy--;
    maybe_free(s);
}
