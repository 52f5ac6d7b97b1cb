/* rawpg.h — raw PostgreSQL wire-protocol client bits for the scenario helpers.
 *
 * libpq cannot send malformed or forged packets, so the scenario helpers that need to
 * (malformed.c, cancel_forge.c) talk to sluice over a plain socket with these functions.
 * Header-only (static inline) because each scenario helper is built from one .c file.
 * Every read is bounded by a timeout: a test must fail, never hang.
 */
#ifndef SLUICE_REGRESS_RAWPG_H
#define SLUICE_REGRESS_RAWPG_H

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RAW_PROTOCOL_V3 196608
#define RAW_CANCEL_CODE 80877102
#define RAW_MAX_BODY (1 << 20)

/* Outcome of raw_read_msg. */
enum raw_read { RAW_MSG = 1, RAW_EOF = 0, RAW_TIMEOUT = -1, RAW_IOERR = -2 };

/* One backend message: its type byte and body (without the type and length). */
typedef struct raw_msg {
    char type;
    uint32_t len;
    char *body;
} raw_msg;

static inline double raw_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Print "ok - NAME" or "not ok - NAME: DETAIL" (TAP-like); returns 1 for a failure. */
static inline int raw_report(int ok, const char *name, const char *detail)
{
    printf("%s - %s%s%s\n", ok ? "ok" : "not ok", name, detail[0] ? ": " : "", detail);
    fflush(stdout);
    return !ok;
}

static inline void raw_put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static inline uint32_t raw_get32(const unsigned char *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Connect to host:port over TCP. -1 on error. */
static inline int raw_connect(const char *host, const char *port)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res, *ai;
    int fd = -1;
    if (getaddrinfo(host, port, &hints, &res) != 0)
        return -1;
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

static inline int raw_send(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Send one frontend message: type byte, length, body. */
static inline int raw_send_msg(int fd, char type, const void *body, size_t len)
{
    unsigned char hdr[5];
    hdr[0] = (unsigned char)type;
    raw_put32(hdr + 1, (uint32_t)len + 4);
    if (raw_send(fd, hdr, sizeof hdr) != 0)
        return -1;
    return len ? raw_send(fd, body, len) : 0;
}

/* Read exactly len bytes within the deadline (CLOCK_MONOTONIC seconds). */
static inline enum raw_read raw_read_full(int fd, void *buf, size_t len, double deadline)
{
    char *p = buf;
    while (len > 0) {
        int left_ms = (int)((deadline - raw_now()) * 1000);
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (left_ms <= 0)
            return RAW_TIMEOUT;
        int r = poll(&pfd, 1, left_ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return RAW_IOERR;
        if (r == 0)
            return RAW_TIMEOUT;
        ssize_t n = recv(fd, p, len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno == ECONNRESET ? RAW_EOF : RAW_IOERR;
        if (n == 0)
            return RAW_EOF;
        p += n;
        len -= (size_t)n;
    }
    return RAW_MSG;
}

/* Read one message; the caller frees msg->body. A close in the middle of a message is EOF. */
static inline enum raw_read raw_read_msg(int fd, int timeout_ms, raw_msg *msg)
{
    double deadline = raw_now() + timeout_ms / 1000.0;
    unsigned char hdr[5];
    enum raw_read r = raw_read_full(fd, hdr, sizeof hdr, deadline);
    msg->body = NULL;
    if (r != RAW_MSG)
        return r;
    msg->type = (char)hdr[0];
    msg->len = raw_get32(hdr + 1);
    if (msg->len < 4 || msg->len - 4 > RAW_MAX_BODY) {
        fprintf(stderr, "rawpg: server sent message '%c' with length %u\n", msg->type, msg->len);
        return RAW_IOERR;
    }
    msg->len -= 4;
    msg->body = malloc(msg->len + 1);
    if (!msg->body)
        return RAW_IOERR;
    msg->body[msg->len] = '\0';
    r = raw_read_full(fd, msg->body, msg->len, deadline);
    if (r != RAW_MSG) {
        free(msg->body);
        msg->body = NULL;
    }
    return r;
}

/* A field (e.g. 'C' for SQLSTATE) of an ErrorResponse/NoticeResponse body, or NULL. */
static inline const char *raw_error_field(const raw_msg *msg, char field)
{
    const char *p = msg->body, *end = msg->body + msg->len;
    while (p < end && *p) {
        char code = *p++;
        if (code == field)
            return p;
        p += strnlen(p, (size_t)(end - p)) + 1;
    }
    return NULL;
}

/* Send a protocol 3.0 StartupMessage for user/database. */
static inline int raw_send_startup(int fd, const char *user, const char *db)
{
    unsigned char buf[512];
    size_t n = 8;
    const char *kv[] = {"user", user, "database", db, "application_name", "sluice_raw"};
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++) {
        size_t l = strlen(kv[i]) + 1;
        if (n + l + 1 > sizeof buf)
            return -1;
        memcpy(buf + n, kv[i], l);
        n += l;
    }
    buf[n++] = '\0';
    raw_put32(buf, (uint32_t)n);
    raw_put32(buf + 4, RAW_PROTOCOL_V3);
    return raw_send(fd, buf, n);
}

/* After the StartupMessage: read up to ReadyForQuery, accepting only trust authentication.
 * Stores the BackendKeyData it saw in *pid and *key. 0 when ready, -1 otherwise (printed). */
static inline int raw_wait_ready(int fd, uint32_t *pid, uint32_t *key)
{
    raw_msg m;
    enum raw_read r;
    while ((r = raw_read_msg(fd, 10000, &m)) == RAW_MSG) {
        char type = m.type;
        if (type == 'R' && (m.len < 4 || raw_get32((unsigned char *)m.body) != 0)) {
            fprintf(stderr, "rawpg: server asks for a password; the helper needs trust auth\n");
            free(m.body);
            return -1;
        }
        if (type == 'E') {
            const char *msg = raw_error_field(&m, 'M');
            fprintf(stderr, "rawpg: error during start-up: %s\n", msg ? msg : "?");
            free(m.body);
            return -1;
        }
        if (type == 'K' && m.len == 8) {
            *pid = raw_get32((unsigned char *)m.body);
            *key = raw_get32((unsigned char *)m.body + 4);
        }
        free(m.body);
        if (type == 'Z')
            return 0;
    }
    fprintf(stderr, "rawpg: connection ended during start-up (%s)\n",
            r == RAW_TIMEOUT ? "timeout" : "closed");
    return -1;
}

/* Send a 16-byte CancelRequest on a new connection. Returns 1 when the server then closed
 * the connection without a reply (as PostgreSQL does), 0 when it replied or stayed open
 * for timeout_ms, -1 when it could not be sent. */
static inline int raw_cancel(const char *host, const char *port, uint32_t pid, uint32_t key,
                             int timeout_ms)
{
    unsigned char pkt[16];
    raw_msg m;
    int fd = raw_connect(host, port), closed;
    if (fd < 0)
        return -1;
    raw_put32(pkt, 16);
    raw_put32(pkt + 4, RAW_CANCEL_CODE);
    raw_put32(pkt + 8, pid);
    raw_put32(pkt + 12, key);
    if (raw_send(fd, pkt, sizeof pkt) != 0) {
        close(fd);
        return -1;
    }
    enum raw_read r = raw_read_msg(fd, timeout_ms, &m);
    closed = r == RAW_EOF;
    if (r == RAW_MSG)
        free(m.body);
    close(fd);
    return closed;
}

#endif
