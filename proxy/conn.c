/*
 * conn.c — non-blocking socket I/O over evbuffers, plain or TLS.
 */
#include "conn.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CONN_READ_MAX (256 * 1024) /* bytes taken per TLS read event */
#define READ_CHUNK (64 * 1024)     /* one recv */
#define TLS_CHUNK 16384

static void conn_on_read(evutil_socket_t fd, short what, void *arg);
static void conn_on_write(evutil_socket_t fd, short what, void *arg);

bool conn_is_open(const sl_conn *c)
{
    return c->fd >= 0 && c->in != NULL;
}

int conn_open(sl_conn *c, struct event_base *base, int fd, conn_cb cb, void *arg)
{
    memset(c, 0, sizeof(*c));
    c->fd = fd;
    c->cb = cb;
    c->arg = arg;
    evutil_make_socket_nonblocking(fd);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)); /* fails harmlessly on unix */
    c->in = evbuffer_new();
    c->out = evbuffer_new();
    c->rev = event_new(base, fd, EV_READ | EV_PERSIST, conn_on_read, c);
    c->wev = event_new(base, fd, EV_WRITE, conn_on_write, c);
    if (!c->in || !c->out || !c->rev || !c->wev) {
        conn_close(c);
        return -1;
    }
    conn_set_reading(c, true);
    return 0;
}

void conn_close(sl_conn *c)
{
    if (c->rev)
        event_free(c->rev);
    if (c->wev)
        event_free(c->wev);
    if (c->ssl)
        SSL_free(c->ssl);
    if (c->in)
        evbuffer_free(c->in);
    if (c->out)
        evbuffer_free(c->out);
    if (c->fd >= 0)
        close(c->fd);
    memset(c, 0, sizeof(*c));
    c->fd = -1;
}

void conn_set_reading(sl_conn *c, bool on)
{
    if (!c->rev || c->reading == on)
        return;
    c->reading = on;
    if (on) {
        event_add(c->rev, NULL);
        /* TLS may already hold decrypted bytes that no socket event will announce */
        if (c->ssl && SSL_pending(c->ssl) > 0)
            event_active(c->rev, EV_READ, 0);
    } else {
        event_del(c->rev);
    }
}

static void conn_fail(sl_conn *c, const char *what)
{
    snprintf(c->error, sizeof(c->error), "%s", what);
    c->cb(c, CONN_ERROR, c->arg);
}

static void conn_fail_errno(sl_conn *c, const char *op)
{
    char msg[128];
    snprintf(msg, sizeof(msg), "%s: %s", op, strerror(errno));
    conn_fail(c, msg);
}

static void conn_fail_tls(sl_conn *c, const char *op)
{
    char msg[128];
    unsigned long e = ERR_get_error();
    snprintf(msg, sizeof(msg), "TLS %s failed: %s", op,
             e ? ERR_reason_error_string(e) : "connection reset");
    ERR_clear_error();
    conn_fail(c, msg);
}

/*
 * One recv into a per-thread scratch buffer, handed to the callback as c->flat: the
 * session relays whole ordinary messages straight from it with conn_send (no evbuffer,
 * no allocation) and appends only the rest to c->in. evbuffer_read is not used: it first
 * asks the kernel how much is readable, one more system call per read, and reads 4 KB.
 * A full buffer re-arms the event, so a long stream is read on the next loop turn.
 * Returns bytes read, 0 on EOF, -1 on error, -2 when nothing was there.
 */
static ssize_t conn_plain_read(sl_conn *c)
{
    static __thread uint8_t scratch[READ_CHUNK];
    ssize_t r;
    do {
        r = recv(c->fd, scratch, sizeof(scratch), 0);
    } while (r < 0 && errno == EINTR);
    if (r < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK ? -2 : -1;
    if ((size_t)r == sizeof(scratch))
        event_active(c->rev, EV_READ, 0);
    c->flat = scratch;
    c->flat_len = (size_t)r;
    return r;
}

void conn_keep_flat(sl_conn *c)
{
    if (c->flat_len)
        evbuffer_add(c->in, c->flat, c->flat_len);
    c->flat = NULL;
    c->flat_len = 0;
}

int conn_send(sl_conn *c, const void *p, size_t n)
{
    if (n == 0)
        return 0;
    if (evbuffer_get_length(c->out) == 0 && !c->ssl && !c->write_blocked) {
        ssize_t r = send(c->fd, p, n, MSG_NOSIGNAL);
        if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            conn_fail_errno(c, "write");
            return -1;
        }
        if (r > 0) {
            p = (const uint8_t *)p + r;
            n -= (size_t)r;
        }
        if (n == 0)
            return 0;
        evbuffer_add(c->out, p, n);
        c->write_blocked = true;
        event_add(c->wev, NULL);
        return 0;
    }
    evbuffer_add(c->out, p, n);
    return 0;
}

/* Writes c->out: send() for one contiguous run (the usual reply), writev for more. */
static ssize_t conn_plain_write(sl_conn *c)
{
    size_t len = evbuffer_get_length(c->out);
    size_t first = evbuffer_get_contiguous_space(c->out);
    if (first < len)
        return evbuffer_write(c->out, c->fd);
    ssize_t n = send(c->fd, evbuffer_pullup(c->out, (ssize_t)first), first, MSG_NOSIGNAL);
    if (n > 0)
        evbuffer_drain(c->out, (size_t)n);
    return n;
}

/* ---- TLS ---- */

/* Returns 1 when the handshake is done, 0 when it waits, -1 on failure (reported). */
static int conn_tls_handshake(sl_conn *c)
{
    int r = SSL_accept(c->ssl);
    if (r == 1) {
        c->handshaking = false;
        return 1;
    }
    int err = SSL_get_error(c->ssl, r);
    if (err == SSL_ERROR_WANT_READ)
        return 0;
    if (err == SSL_ERROR_WANT_WRITE) {
        event_add(c->wev, NULL);
        return 0;
    }
    conn_fail_tls(c, "handshake");
    return -1;
}

/* Reads all TLS records available; returns bytes read, 0 on EOF, -1 on error, -2 would block. */
static ssize_t conn_tls_read(sl_conn *c)
{
    ssize_t total = 0;
    while ((size_t)total < CONN_READ_MAX) {
        struct evbuffer_iovec v;
        if (evbuffer_reserve_space(c->in, TLS_CHUNK, &v, 1) < 1)
            return -1;
        int r = SSL_read(c->ssl, v.iov_base, (int)TLS_CHUNK);
        if (r > 0) {
            v.iov_len = (size_t)r;
            evbuffer_commit_space(c->in, &v, 1);
            total += r;
            continue;
        }
        evbuffer_commit_space(c->in, &v, 0);
        int err = SSL_get_error(c->ssl, r);
        if (err == SSL_ERROR_WANT_READ)
            break;
        if (err == SSL_ERROR_WANT_WRITE) {
            event_add(c->wev, NULL);
            break;
        }
        if (err == SSL_ERROR_ZERO_RETURN)
            return total > 0 ? total : 0;
        if (total > 0)
            break; /* deliver what arrived; the error shows on the next read */
        ERR_clear_error();
        return err == SSL_ERROR_SYSCALL && errno == 0 ? 0 : -1;
    }
    return total > 0 ? total : -2;
}

/* Writes as much of c->out as TLS takes; returns -1 on error. */
static int conn_tls_write(sl_conn *c)
{
    while (evbuffer_get_length(c->out) > 0) {
        size_t n = evbuffer_get_contiguous_space(c->out);
        if (n > TLS_CHUNK)
            n = TLS_CHUNK;
        unsigned char *p = evbuffer_pullup(c->out, (ssize_t)n);
        int r = SSL_write(c->ssl, p, (int)n);
        if (r > 0) {
            evbuffer_drain(c->out, (size_t)r);
            continue;
        }
        int err = SSL_get_error(c->ssl, r);
        if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ)
            return 0;
        conn_fail_tls(c, "write");
        return -1;
    }
    return 0;
}

int conn_start_tls(sl_conn *c, SSL_CTX *ctx)
{
    c->ssl = SSL_new(ctx);
    if (!c->ssl || SSL_set_fd(c->ssl, c->fd) != 1)
        return -1;
    /* SSL_write may be retried with a moved buffer once evbuffers drain or grow */
    SSL_set_mode(c->ssl, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_ENABLE_PARTIAL_WRITE);
    c->handshaking = true;
    return 0;
}

/* ---- events ---- */

static void conn_on_read(evutil_socket_t fd, short what, void *arg)
{
    sl_conn *c = arg;
    (void)fd;
    (void)what;
    if (c->handshaking) {
        int r = conn_tls_handshake(c);
        if (r <= 0)
            return;
    }
    ssize_t n = c->ssl ? conn_tls_read(c) : conn_plain_read(c);
    if (n == -2)
        return;
    if (n < 0) {
        if (c->ssl)
            conn_fail_tls(c, "read");
        else
            conn_fail_errno(c, "read");
        return;
    }
    if (n == 0) {
        c->flat = NULL;
        c->flat_len = 0;
    }
    c->cb(c, n == 0 ? CONN_EOF : CONN_READ, c->arg);
}

static void conn_on_write(evutil_socket_t fd, short what, void *arg)
{
    sl_conn *c = arg;
    (void)fd;
    (void)what;
    if (c->handshaking && conn_tls_handshake(c) <= 0)
        return;
    if (!c->write_blocked) {
        if (c->ssl) {
            /* TLS wanted to write in the middle of a read (or the handshake ended) */
            event_active(c->rev, EV_READ, 0);
            return;
        }
        /* a non-blocking connect() finished */
        int err = 0;
        socklen_t len = sizeof(err);
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err) {
            errno = err;
            conn_fail_errno(c, "connect");
            return;
        }
        c->cb(c, CONN_DRAIN, c->arg);
        return;
    }
    c->write_blocked = false;
    if (conn_flush(c) < 0)
        return;
    if (!c->write_blocked)
        c->cb(c, CONN_DRAIN, c->arg);
}

int conn_flush(sl_conn *c)
{
    if (c->handshaking)
        return 0;
    while (evbuffer_get_length(c->out) > 0) {
        if (c->ssl) {
            if (conn_tls_write(c) < 0)
                return -1;
            break;
        }
        ssize_t n = conn_plain_write(c);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            if (errno == EINTR)
                continue;
            conn_fail_errno(c, "write");
            return -1;
        }
    }
    if (evbuffer_get_length(c->out) > 0 && !c->write_blocked) {
        c->write_blocked = true;
        event_add(c->wev, NULL);
    }
    return 0;
}

void conn_wait_connected(sl_conn *c)
{
    event_add(c->wev, NULL);
}
