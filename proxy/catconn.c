/*
 * catconn.c — the catalog's own connection, asynchronous on the session's loop.
 *
 * A connection goes CLOSED → CONNECTING → BUSY (a query is out) → IDLE → BUSY … and back
 * to CLOSED when it fails or breaks; the next query then connects again. While IDLE its
 * socket is still watched, so a catalog that went away (restart, idle timeout) is noticed
 * before the next query is sent into a dead connection.
 */
#include "catconn.h"
#include "log.h"

#include <event2/event.h>
#include <libpq-fe.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Seconds a step of connecting may wait, unless the conninfo sets connect_timeout. */
#define CONNECT_TIMEOUT_DEFAULT 10
#define CONNECT_HINT                                                                               \
    "Check sluice's catalog setting (host, port, dbname, user, password) and that the "            \
    "catalog's PostgreSQL accepts connections."

/* ---- where the catalog is: set once at start-up, read-only afterwards ---- */

static struct {
    bool apart;
    char problem_state[6]; /* set when the catalog cannot be reached at all */
    char problem[512];
    const char *problem_hint;
    const char *keys[5];
    const char *values[5];
    char *conninfo;
    char *hosts; /* the host once per address, and the addresses: libpq's host/hostaddr lists */
    char *addrs;
    char *password; /* scrubbed from every message */
    int timeout;
} cat;

static const char *option_value(const PQconninfoOption *opts, const char *keyword)
{
    for (const PQconninfoOption *o = opts; o->keyword; o++)
        if (strcmp(o->keyword, keyword) == 0)
            return o->val && *o->val ? o->val : NULL;
    return NULL;
}

static void setup_problem(const char *sqlstate, const char *fmt, const char *arg)
{
    snprintf(cat.problem_state, sizeof(cat.problem_state), "%s", sqlstate);
    cat.problem_hint = CONNECT_HINT;
    snprintf(cat.problem, sizeof(cat.problem), fmt, arg);
    log_warning("%s; sluice's own statements fail until it is fixed", cat.problem);
}

/* Appends s to the comma-separated list *list (malloc'd); false when out of memory. */
static bool list_add(char **list, const char *s)
{
    size_t have = *list ? strlen(*list) : 0;
    char *grown = realloc(*list, have + strlen(s) + 2);
    if (!grown)
        return false;
    if (have)
        grown[have++] = ',';
    strcpy(grown + have, s);
    *list = grown;
    return true;
}

static bool list_has(const char *list, const char *item)
{
    size_t n = strlen(item);
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, item, n) == 0)
            return true;
        p = end ? end + 1 : NULL;
    }
    return false;
}

/*
 * libpq resolves a host name inside PQconnectPoll, blocking. Resolved now, the host is
 * given with one hostaddr per address (libpq tries them in order, as it would have).
 */
static void resolve_host(const char *host)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
    if (getaddrinfo(host, NULL, &hints, &ai) != 0)
        ai = NULL;
    bool ok = true;
    for (struct addrinfo *a = ai; a && ok; a = a->ai_next) {
        char addr[NI_MAXHOST];
        if (getnameinfo(a->ai_addr, a->ai_addrlen, addr, sizeof(addr), NULL, 0, NI_NUMERICHOST) !=
                0 ||
            list_has(cat.addrs, addr))
            continue;
        ok = list_add(&cat.addrs, addr) && list_add(&cat.hosts, host);
    }
    if (ai)
        freeaddrinfo(ai);
    if (!ok || !cat.addrs || !cat.hosts)
        setup_problem("08006", "could not resolve the catalog's host \"%s\"", host);
}

void catconn_setup(const char *conninfo)
{
    cat.apart = true;
    cat.timeout = CONNECT_TIMEOUT_DEFAULT;
    if (!conninfo || !*conninfo) {
        setup_problem("22023",
                      "dialect redshift needs setting %s: the conninfo of the "
                      "PostgreSQL database holding sluice's catalog",
                      "catalog");
        cat.problem_hint = "Set catalog = <conninfo> in sluice's configuration (or give "
                           "--catalog), then restart sluice.";
        return;
    }
    PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);
    if (!opts) {
        /* libpq's message may quote a piece of the conninfo: it is not repeated */
        setup_problem("08006", "setting %s is not a valid libpq conninfo", "catalog");
        return;
    }
    const char *password = option_value(opts, "password");
    const char *timeout = option_value(opts, "connect_timeout");
    if (timeout && atoi(timeout) > 0)
        cat.timeout = atoi(timeout);
    cat.password = password ? strdup(password) : NULL;
    cat.conninfo = strdup(conninfo);
    int n = 0;
    cat.keys[n] = "application_name";
    cat.values[n++] = "sluice catalog";
    cat.keys[n] = "dbname"; /* expanded: the conninfo's own settings win over the above */
    cat.values[n++] = cat.conninfo;
    const char *host = option_value(opts, "host");
    const char *port = option_value(opts, "port");
    if (host && host[0] != '/' && host[0] != '@' && !strchr(host, ',') &&
        !option_value(opts, "hostaddr") && !(port && strchr(port, ','))) {
        resolve_host(host);
        cat.keys[n] = "host";
        cat.values[n++] = cat.hosts;
        cat.keys[n] = "hostaddr";
        cat.values[n++] = cat.addrs;
    }
    cat.keys[n] = NULL;
    cat.values[n] = NULL;
    PQconninfoFree(opts);
}

bool catconn_apart(void)
{
    return cat.apart;
}

void catconn_scrub(char *msg, size_t size)
{
    const char *pw = cat.password;
    size_t pl = pw ? strlen(pw) : 0;
    if (!pl || !strstr(msg, pw))
        return;
    char *out = malloc(size);
    if (!out) {
        snprintf(msg, size, "(message withheld: it quoted a secret)");
        return;
    }
    size_t o = 0;
    for (const char *p = msg; *p && o + 1 < size;) {
        if (strncmp(p, pw, pl) == 0) {
            int w = snprintf(out + o, size - o, "********");
            o += (size_t)w < size - o ? (size_t)w : size - o - 1;
            p += pl;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    memcpy(msg, out, o + 1);
    free(out);
}

/* ---- one session's connection ---- */

typedef enum { CC_CLOSED, CC_CONNECTING, CC_BUSY, CC_IDLE } cc_state;

struct catconn {
    struct event_base *base;
    PGconn *pg;
    struct event *ev; /* the socket, for what the current state waits for */
    cc_state state;
    char *sql; /* the query, until it is sent */
    catconn_done done;
    void *arg;
    sl_result res;
};

static void cc_on_event(evutil_socket_t fd, short what, void *arg);

catconn *catconn_new(struct event_base *base)
{
    catconn *c = calloc(1, sizeof(*c));
    if (c)
        c->base = base;
    return c;
}

static void cc_close(catconn *c)
{
    if (c->ev)
        event_free(c->ev);
    c->ev = NULL;
    if (c->pg)
        PQfinish(c->pg);
    c->pg = NULL;
    c->state = CC_CLOSED;
}

void catconn_free(catconn *c)
{
    if (!c)
        return;
    cc_close(c);
    free(c->sql);
    sl_result_free(&c->res);
    free(c);
}

/* Waits for the socket (its descriptor may change while connecting). */
static bool cc_wait(catconn *c, short what)
{
    if (c->ev)
        event_free(c->ev);
    int fd = PQsocket(c->pg);
    c->ev = fd >= 0 ? event_new(c->base, fd, what, cc_on_event, c) : NULL;
    struct timeval tv = {cat.timeout, 0};
    return c->ev && event_add(c->ev, c->state == CC_CONNECTING ? &tv : NULL) == 0;
}

/* libpq's message on one line, without the password. */
static void cc_error(catconn *c, sl_error *e, const char *what, const char *why)
{
    const char *text = why ? why : c->pg ? PQerrorMessage(c->pg) : "";
    char reason[400];
    size_t n = 0;
    for (const char *p = text; *p && n + 1 < sizeof(reason); p++) {
        if (*p != '\n') {
            reason[n++] = *p;
            continue;
        }
        while (p[1] == '\t' || p[1] == ' ' || p[1] == '\n')
            p++; /* a line break and its indent: one space */
        if (p[1])
            reason[n++] = ' ';
    }
    reason[n] = '\0';
    sl_error_set(e, "08006", CONNECT_HINT, "%s sluice's catalog: %s", what,
                 n ? reason : "no reason given");
    catconn_scrub(e->message, sizeof(e->message));
    log_warning("%s", e->message);
}

/* The query is over: the connection is kept for the next one, then done hears of it. */
static void cc_deliver(catconn *c)
{
    sl_result r = c->res;
    memset(&c->res, 0, sizeof(c->res));
    catconn_done done = c->done;
    void *arg = c->arg;
    c->done = NULL;
    free(c->sql);
    c->sql = NULL;
    c->state = CC_IDLE;
    if (!c->pg || PQstatus(c->pg) != CONNECTION_OK || !cc_wait(c, EV_READ | EV_PERSIST))
        cc_close(c);
    done(arg, &r); /* last: it may start the next query, or free c */
    sl_result_free(&r);
}

/* The connection failed or broke: the query fails with 08006, the connection is closed. */
static void cc_fail(catconn *c, const char *what, const char *why)
{
    sl_result_free(&c->res);
    cc_error(c, &c->res.err, what, why);
    c->res.failed = true;
    cc_close(c);
    cc_deliver(c);
}

static void cc_rows(sl_result *r, const PGresult *res)
{
    int nf = PQnfields(res), nr = PQntuples(res);
    char tag[sizeof(r->tag)];
    memcpy(tag, r->tag, sizeof(tag));
    sl_result_free(r); /* several statements: the last result set counts, as on the session */
    memcpy(r->tag, tag, sizeof(tag));
    r->fields = calloc((size_t)nf + 1, sizeof(char *));
    r->cells = calloc((size_t)nf * (size_t)nr + 1, sizeof(char *));
    bool ok = r->fields && r->cells;
    r->nfields = ok ? nf : 0;
    r->nrows = ok ? nr : 0;
    for (int i = 0; ok && i < nf; i++)
        ok = (r->fields[i] = strdup(PQfname(res, i))) != NULL;
    for (int i = 0; ok && i < nr * nf; i++)
        if (!PQgetisnull(res, i / nf, i % nf))
            ok = (r->cells[i] = strdup(PQgetvalue(res, i / nf, i % nf))) != NULL;
    if (!ok)
        sl_result_fail(r, "53200", "out of memory", NULL, NULL);
}

/* One of the query's results into c->res; false when the connection cannot go on. */
static bool cc_collect(catconn *c, const PGresult *res)
{
    sl_result *r = &c->res;
    switch (PQresultStatus(res)) {
    case PGRES_TUPLES_OK:
        cc_rows(r, res);
        /* fall through */
    case PGRES_COMMAND_OK:
        snprintf(r->tag, sizeof(r->tag), "%s", PQcmdStatus((PGresult *)res));
        return true;
    case PGRES_EMPTY_QUERY:
        return true;
    case PGRES_FATAL_ERROR:
    case PGRES_NONFATAL_ERROR: {
        const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
        sl_result_fail(r, PQresultErrorField(res, PG_DIAG_SQLSTATE),
                       msg ? msg : PQresultErrorMessage(res),
                       PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL),
                       PQresultErrorField(res, PG_DIAG_MESSAGE_HINT));
        return true;
    }
    default: /* COPY or a protocol failure: sluice's catalog queries never COPY */
        return false;
    }
}

/* Sends what libpq still holds, reads what came, and collects results until the last. */
static void cc_io(catconn *c, short what)
{
    if ((what & EV_READ) && !PQconsumeInput(c->pg)) {
        cc_fail(c, "lost the connection to", NULL);
        return;
    }
    int pending = PQflush(c->pg);
    if (pending < 0) {
        cc_fail(c, "lost the connection to", NULL);
        return;
    }
    while (!PQisBusy(c->pg)) {
        PGresult *res = PQgetResult(c->pg);
        if (!res) {
            cc_deliver(c);
            return;
        }
        bool ok = cc_collect(c, res);
        PQclear(res);
        if (!ok) {
            cc_fail(c, "unexpected reply from", "a catalog query answered with COPY");
            return;
        }
    }
    if (!cc_wait(c, pending ? EV_READ | EV_WRITE : EV_READ))
        cc_fail(c, "lost the connection to", "could not wait for its socket");
}

/* Hands the query to libpq; false when the connection cannot take it. */
static bool cc_start_query(catconn *c)
{
    c->state = CC_BUSY;
    if (PQsetnonblocking(c->pg, 1) != 0 || !PQsendQuery(c->pg, c->sql))
        return false;
    int pending = PQflush(c->pg);
    return pending >= 0 && cc_wait(c, pending ? EV_READ | EV_WRITE : EV_READ);
}

/* One step of connecting: PQconnectPoll says what to wait for next. */
static void cc_connect_step(catconn *c)
{
    switch (PQconnectPoll(c->pg)) {
    case PGRES_POLLING_READING:
        if (!cc_wait(c, EV_READ))
            cc_fail(c, "could not connect to", "could not wait for its socket");
        return;
    case PGRES_POLLING_WRITING:
        if (!cc_wait(c, EV_WRITE))
            cc_fail(c, "could not connect to", "could not wait for its socket");
        return;
    case PGRES_POLLING_OK:
        if (!cc_start_query(c))
            cc_fail(c, "could not send a query to", NULL);
        return;
    default:
        cc_fail(c, "could not connect to", NULL);
        return;
    }
}

static void cc_on_event(evutil_socket_t fd, short what, void *arg)
{
    catconn *c = arg;
    (void)fd;
    switch (c->state) {
    case CC_CONNECTING:
        if (what & EV_TIMEOUT)
            cc_fail(c, "could not connect to", "timeout expired");
        else
            cc_connect_step(c);
        break;
    case CC_BUSY:
        cc_io(c, what);
        break;
    case CC_IDLE:
        /* between queries the catalog says nothing unless it goes away */
        if (!PQconsumeInput(c->pg) || PQstatus(c->pg) != CONNECTION_OK) {
            log_debug("the catalog closed this session's connection; it reopens on demand");
            cc_close(c);
        }
        break;
    case CC_CLOSED:
        break;
    }
}

/* The catalog's NOTICEs reach no one (libpq's default would print them to sluice's log). */
static void cc_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* A new connection, under way; false with err set when it failed at once. */
static bool cc_connect(catconn *c, sl_error *err)
{
    c->pg = PQconnectStartParams(cat.keys, cat.values, 1);
    if (c->pg && PQstatus(c->pg) != CONNECTION_BAD) {
        PQsetNoticeProcessor(c->pg, cc_notice, NULL);
        c->state = CC_CONNECTING;
        if (cc_wait(c, EV_WRITE)) /* libpq: begin as if PQconnectPoll said WRITING */
            return true;
    }
    cc_error(c, err, "could not connect to", c->pg ? NULL : "out of memory");
    cc_close(c);
    return false;
}

bool catconn_query(catconn *c, const char *sql, catconn_done done, void *arg, sl_error *err)
{
    if (cat.problem[0]) {
        sl_error_set(err, cat.problem_state, cat.problem_hint, "%s", cat.problem);
        return false;
    }
    if (c->done) {
        sl_error_set(err, "XX000", NULL, "a catalog query is already under way");
        return false;
    }
    c->sql = strdup(sql);
    if (!c->sql) {
        sl_error_set(err, "53200", NULL, "out of memory");
        return false;
    }
    c->done = done;
    c->arg = arg;
    if (c->state == CC_IDLE) {
        if (cc_start_query(c))
            return true;
        cc_close(c); /* it broke while idle, and nothing was sent: a new one */
    }
    if (cc_connect(c, err))
        return true;
    free(c->sql);
    c->sql = NULL;
    c->done = NULL;
    return false;
}
