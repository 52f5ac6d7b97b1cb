/*
 * wire.c — PostgreSQL v3 message building, reading and framing checks.
 */
#include "wire.h"

#include <stdlib.h>
#include <string.h>

#define WIRE_AUTH_LIMIT 65535 /* PG_MAX_AUTH_TOKEN_LENGTH */

uint32_t wire_read_u32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

void wire_write_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* ---- building ---- */

void wire_buf_init(wire_buf *b)
{
    memset(b, 0, sizeof(*b));
}

void wire_buf_reset(wire_buf *b)
{
    b->len = 0;
    b->msg_start = 0;
    b->oom = false;
}

void wire_buf_free(wire_buf *b)
{
    free(b->data);
    wire_buf_init(b);
}

static bool wire_reserve(wire_buf *b, size_t n)
{
    if (b->oom)
        return false;
    if (b->len + n <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n)
        cap *= 2;
    uint8_t *d = realloc(b->data, cap);
    if (!d) {
        b->oom = true;
        return false;
    }
    b->data = d;
    b->cap = cap;
    return true;
}

void wire_put_bytes(wire_buf *b, const void *p, size_t n)
{
    if (n == 0 || !wire_reserve(b, n))
        return;
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void wire_put_byte(wire_buf *b, uint8_t v)
{
    wire_put_bytes(b, &v, 1);
}

void wire_put_int16(wire_buf *b, int16_t v)
{
    uint8_t x[2] = {(uint8_t)((uint16_t)v >> 8), (uint8_t)v};
    wire_put_bytes(b, x, 2);
}

void wire_put_int32(wire_buf *b, int32_t v)
{
    uint8_t x[4];
    wire_write_u32(x, (uint32_t)v);
    wire_put_bytes(b, x, 4);
}

void wire_put_string(wire_buf *b, const char *s)
{
    wire_put_bytes(b, s, strlen(s) + 1);
}

void wire_begin(wire_buf *b, char type)
{
    b->msg_start = b->len;
    b->msg_typed = type != 0;
    if (type)
        wire_put_byte(b, (uint8_t)type);
    wire_put_int32(b, 0); /* length, patched by wire_end */
}

void wire_end(wire_buf *b)
{
    if (b->oom)
        return;
    size_t at = b->msg_start + (b->msg_typed ? 1 : 0);
    wire_write_u32(b->data + at, (uint32_t)(b->len - at));
}

/* ---- reading ---- */

void wire_reader_init(wire_reader *r, const void *body, size_t len)
{
    r->p = body;
    r->len = len;
    r->pos = 0;
    r->err = false;
}

const void *wire_get_bytes(wire_reader *r, size_t n)
{
    if (r->err || r->len - r->pos < n) {
        r->err = true;
        return NULL;
    }
    const void *p = r->p + r->pos;
    r->pos += n;
    return p;
}

uint8_t wire_get_byte(wire_reader *r)
{
    const uint8_t *p = wire_get_bytes(r, 1);
    return p ? p[0] : 0;
}

int16_t wire_get_int16(wire_reader *r)
{
    const uint8_t *p = wire_get_bytes(r, 2);
    return p ? (int16_t)(((uint16_t)p[0] << 8) | p[1]) : 0;
}

int32_t wire_get_int32(wire_reader *r)
{
    const uint8_t *p = wire_get_bytes(r, 4);
    return p ? (int32_t)wire_read_u32(p) : 0;
}

const char *wire_get_string(wire_reader *r)
{
    if (r->err)
        return NULL;
    const uint8_t *start = r->p + r->pos;
    const uint8_t *nul = memchr(start, '\0', r->len - r->pos);
    if (!nul) {
        r->err = true;
        return NULL;
    }
    r->pos += (size_t)(nul - start) + 1;
    return (const char *)start;
}

bool wire_get_end(const wire_reader *r)
{
    return !r->err && r->pos == r->len;
}

/* ---- framing ---- */

wire_status wire_parse_header(const uint8_t hdr[5], char *type, uint32_t *body_len)
{
    uint32_t len = wire_read_u32(hdr + 1);
    *type = (char)hdr[0];
    if (len < 4) {
        *body_len = 0;
        return WIRE_BAD_LENGTH;
    }
    *body_len = len - 4;
    return WIRE_OK;
}

wire_status wire_check_frontend(char type, uint32_t body_len)
{
    uint32_t limit;
    switch (type) {
    case 'B': /* Bind */
    case 'F': /* FunctionCall */
    case 'P': /* Parse */
    case 'Q': /* Query */
    case 'd': /* CopyData */
        limit = WIRE_LARGE_LIMIT;
        break;
    case 'p': /* password / SASL */
        limit = WIRE_AUTH_LIMIT;
        break;
    case 'C': /* Close */
    case 'D': /* Describe */
    case 'E': /* Execute */
    case 'H': /* Flush */
    case 'S': /* Sync */
    case 'X': /* Terminate */
    case 'c': /* CopyDone */
    case 'f': /* CopyFail */
        limit = WIRE_SMALL_LIMIT;
        break;
    default:
        return WIRE_BAD_TYPE;
    }
    return body_len + 4 > limit ? WIRE_BAD_LENGTH : WIRE_OK;
}

wire_status wire_check_backend(char type, uint32_t body_len)
{
    (void)type;
    return body_len > WIRE_LARGE_LIMIT ? WIRE_BAD_LENGTH : WIRE_OK;
}

const char *wire_parse_startup(const uint8_t *pkt, size_t len, wire_startup *out)
{
    memset(out, 0, sizeof(*out));
    if (len < 8)
        return "startup packet too short";
    uint32_t plen = wire_read_u32(pkt);
    if (plen != len)
        return "startup packet length does not match";
    if (plen > WIRE_STARTUP_MAX)
        return "startup packet too long";
    out->code = wire_read_u32(pkt + 4);
    if (out->code == WIRE_SSL_REQUEST || out->code == WIRE_GSSENC_REQUEST)
        return len == 8 ? NULL : "invalid length of encryption request";
    if (out->code == WIRE_CANCEL_REQUEST) {
        if (len != 16)
            return "invalid length of cancel request";
        out->cancel_pid = wire_read_u32(pkt + 8);
        out->cancel_key = wire_read_u32(pkt + 12);
        return NULL;
    }
    if ((out->code >> 16) != 3)
        return "unsupported frontend protocol";

    wire_reader r;
    wire_reader_init(&r, pkt + 8, len - 8);
    for (;;) {
        const char *name = wire_get_string(&r);
        if (!name)
            return "invalid startup packet layout: expected terminator as last byte";
        if (name[0] == '\0')
            break;
        const char *value = wire_get_string(&r);
        if (!value)
            return "invalid startup packet layout: expected terminator as last byte";
        if (out->nparams == WIRE_STARTUP_MAX_PARAMS)
            return "too many startup parameters";
        out->names[out->nparams] = name;
        out->values[out->nparams] = value;
        out->nparams++;
    }
    if (!wire_get_end(&r))
        return "invalid startup packet layout: expected terminator as last byte";
    if (!wire_startup_param(out, "user"))
        return "no PostgreSQL user name specified in startup packet";
    return NULL;
}

const char *wire_startup_param(const wire_startup *s, const char *name)
{
    for (int i = 0; i < s->nparams; i++)
        if (strcmp(s->names[i], name) == 0)
            return s->values[i];
    return NULL;
}

/* ---- replies sluice builds ---- */

static void wire_put_field(wire_buf *b, char code, const char *value)
{
    if (!value)
        return;
    wire_put_byte(b, (uint8_t)code);
    wire_put_string(b, value);
}

void wire_put_error(wire_buf *b, char type, const wire_error *e)
{
    wire_begin(b, type);
    wire_put_field(b, 'S', e->severity);
    wire_put_field(b, 'V', e->severity);
    wire_put_field(b, 'C', e->sqlstate);
    wire_put_field(b, 'M', e->message);
    wire_put_field(b, 'D', e->detail);
    wire_put_field(b, 'H', e->hint);
    if (e->position > 0) {
        char pos[16];
        int n = 0;
        for (int v = e->position; v > 0; v /= 10)
            n++;
        pos[n] = '\0';
        for (int v = e->position, i = n - 1; i >= 0; v /= 10, i--)
            pos[i] = (char)('0' + v % 10);
        wire_put_field(b, 'P', pos);
    }
    wire_put_byte(b, 0);
    wire_end(b);
}

const char *wire_error_field(const uint8_t *body, size_t len, char field)
{
    wire_reader r;
    wire_reader_init(&r, body, len);
    for (;;) {
        uint8_t code = wire_get_byte(&r);
        if (r.err || code == 0)
            return NULL;
        const char *value = wire_get_string(&r);
        if (!value)
            return NULL;
        if ((char)code == field)
            return value;
    }
}

void wire_put_ready(wire_buf *b, char status)
{
    wire_begin(b, 'Z');
    wire_put_byte(b, (uint8_t)status);
    wire_end(b);
}

void wire_put_command_complete(wire_buf *b, const char *tag)
{
    wire_begin(b, 'C');
    wire_put_string(b, tag);
    wire_end(b);
}
