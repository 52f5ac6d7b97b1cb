/* malformed — send broken protocol messages to sluice and check how it answers.
 *
 *   build/scenarios/malformed CONNINFO
 *
 * CONNINFO names sluice (host, port, user, dbname; trust authentication). For each case a
 * fresh raw connection is opened; where the case needs it, a proper StartupMessage is sent
 * first and the session is read up to ReadyForQuery. Then the broken bytes go out and the
 * helper expects ErrorResponse with SQLSTATE 08P01 (where the protocol leaves room for a
 * reply) followed by the connection being closed. After every case a new libpq connection
 * must still run a query: one bad client must not hurt sluice. Prints one line per check
 * and exits 0 only when all pass.
 */
#include "rawpg.h"

#include <libpq-fe.h>

typedef struct target {
    const char *conninfo;
    char host[256], port[32], user[64], db[64];
} target;

/* How a case ends. */
enum expect {
    EXPECT_ERROR_THEN_CLOSE, /* ErrorResponse 08P01, then EOF */
    EXPECT_CLOSE             /* EOF; an ErrorResponse before it must be 08P01 */
};

typedef struct bad_case {
    const char *name;
    int after_startup; /* 1: send a proper StartupMessage and wait for 'Z' first */
    int shut_write;    /* 1: close our sending side after the bytes */
    unsigned char bytes[32];
    size_t nbytes;
    enum expect expect;
} bad_case;

static int failures;

static void report(int ok, const char *name, const char *detail)
{
    failures += raw_report(ok, name, detail);
}

static int target_init(target *t, const char *conninfo)
{
    PGconn *c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "malformed: cannot connect (%s): %s", conninfo, PQerrorMessage(c));
        PQfinish(c);
        return -1;
    }
    t->conninfo = conninfo;
    snprintf(t->host, sizeof t->host, "%s", PQhost(c));
    snprintf(t->port, sizeof t->port, "%s", PQport(c));
    snprintf(t->user, sizeof t->user, "%s", PQuser(c));
    snprintf(t->db, sizeof t->db, "%s", PQdb(c));
    PQfinish(c);
    return 0;
}

/* Read what the server says after the bad bytes and judge it against the expectation. */
static void judge_reply(int fd, const bad_case *bc)
{
    char detail[512] = "";
    int saw_error = 0, ok;
    const char *sqlstate = NULL;
    char state_buf[8] = "";
    raw_msg m;
    enum raw_read r;

    while ((r = raw_read_msg(fd, 5000, &m)) == RAW_MSG) {
        if (m.type == 'E' && !saw_error) {
            saw_error = 1;
            sqlstate = raw_error_field(&m, 'C');
            snprintf(state_buf, sizeof state_buf, "%s", sqlstate ? sqlstate : "none");
            const char *text = raw_error_field(&m, 'M');
            snprintf(detail, sizeof detail, "ErrorResponse %s \"%s\"", state_buf, text ? text : "");
        } else if (saw_error) {
            snprintf(detail + strlen(detail), sizeof detail - strlen(detail),
                     "; then unexpected message '%c'", m.type);
            free(m.body);
            report(0, bc->name, detail);
            return;
        }
        free(m.body);
    }
    if (r == RAW_TIMEOUT)
        snprintf(detail + strlen(detail), sizeof detail - strlen(detail),
                 "%sconnection still open after 5 s", detail[0] ? "; " : "");
    else if (r == RAW_IOERR)
        snprintf(detail + strlen(detail), sizeof detail - strlen(detail), "%sread error",
                 detail[0] ? "; " : "");
    else
        snprintf(detail + strlen(detail), sizeof detail - strlen(detail), "%sclosed",
                 detail[0] ? ", then " : "");

    ok = r == RAW_EOF;
    if (bc->expect == EXPECT_ERROR_THEN_CLOSE)
        ok = ok && saw_error && strcmp(state_buf, "08P01") == 0;
    else if (saw_error)
        ok = ok && strcmp(state_buf, "08P01") == 0;
    report(ok, bc->name, detail);
}

static void run_case(const target *t, const bad_case *bc)
{
    uint32_t pid = 0, key = 0;
    int fd = raw_connect(t->host, t->port);
    if (fd < 0) {
        report(0, bc->name, "cannot connect");
        return;
    }
    if (bc->after_startup &&
        (raw_send_startup(fd, t->user, t->db) != 0 || raw_wait_ready(fd, &pid, &key) != 0)) {
        report(0, bc->name, "start-up failed");
        close(fd);
        return;
    }
    if (raw_send(fd, bc->bytes, bc->nbytes) != 0) {
        report(0, bc->name, "send failed");
        close(fd);
        return;
    }
    if (bc->shut_write)
        shutdown(fd, SHUT_WR);
    judge_reply(fd, bc);
    close(fd);
}

/* One bad client must not stop sluice from serving the next one. */
static void check_still_serving(const target *t, const char *after)
{
    char name[128], detail[256] = "";
    PGconn *c = PQconnectdb(t->conninfo);
    PGresult *res = NULL;
    int ok = PQstatus(c) == CONNECTION_OK;
    if (ok) {
        res = PQexec(c, "SELECT 40 + 2");
        ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
             strcmp(PQgetvalue(res, 0, 0), "42") == 0;
    }
    if (!ok)
        snprintf(detail, sizeof detail, "%s", PQerrorMessage(c));
    snprintf(name, sizeof name, "a new client is served after: %s", after);
    report(ok, name, detail);
    PQclear(res);
    PQfinish(c);
}

int main(int argc, char **argv)
{
    target t;
    /* (a) the length word counts itself, so 3 is impossible; (b) a Sync has no body, and
     * waiting for 2 GiB would let one client pin memory; (c) 'z' is no frontend type;
     * (d) 40 bytes announced, 17 sent, then hang-up; (e) 2 GiB announced; (f) shorter than
     * the startup header itself. */
    static const bad_case cases[] = {
        {.name = "(a) message length < 4 gets 08P01 and a close",
         .after_startup = 1,
         .bytes = {'Q', 0, 0, 0, 3},
         .nbytes = 5,
         .expect = EXPECT_ERROR_THEN_CLOSE},
        {.name = "(b) oversized length (Sync of 0x7fffffff bytes) gets 08P01 and a close",
         .after_startup = 1,
         .bytes = {'S', 0x7f, 0xff, 0xff, 0xff},
         .nbytes = 5,
         .expect = EXPECT_ERROR_THEN_CLOSE},
        {.name = "(c) unknown message type 'z' gets 08P01 and a close",
         .after_startup = 1,
         .bytes = {'z', 0, 0, 0, 4},
         .nbytes = 5,
         .expect = EXPECT_ERROR_THEN_CLOSE},
        {.name = "(d) truncated startup packet then hang-up is closed",
         .shut_write = 1,
         .bytes = {0, 0, 0, 40, 0, 3, 0, 0, 'u', 's', 'e', 'r', 0, 'p', 'o', 's', 't'},
         .nbytes = 17,
         .expect = EXPECT_CLOSE},
        {.name = "(e) startup packet claiming 0x7fffffff bytes is closed",
         .bytes = {0x7f, 0xff, 0xff, 0xff, 0, 3, 0, 0},
         .nbytes = 8,
         .expect = EXPECT_CLOSE},
        {.name = "(f) startup packet with length 3 is closed",
         .bytes = {0, 0, 0, 3, 0, 3, 0, 0},
         .nbytes = 8,
         .expect = EXPECT_CLOSE},
    };

    if (argc != 2) {
        fprintf(stderr, "usage: %s CONNINFO\n", argv[0]);
        return 2;
    }
    if (target_init(&t, argv[1]) != 0)
        return 1;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_case(&t, &cases[i]);
        check_still_serving(&t, cases[i].name);
    }
    printf("malformed: %d failed\n", failures);
    return failures ? 1 : 0;
}
