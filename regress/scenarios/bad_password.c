/* bad_password — log in with a wrong password and show exactly what comes back.
 *
 *   build/scenarios/bad_password HOST PORT USER DBNAME
 *
 * Speaks the protocol by hand so that the SQLSTATE of a failed login is visible (libpq
 * keeps only the text). It answers whatever the server asks for with a wrong password:
 * MD5 (code 5) with a made-up hash, SCRAM-SHA-256 (code 10) with a well-formed exchange whose
 * ClientProof is zeros, cleartext (code 3) with a wrong word. It prints
 *   method md5|SCRAM-SHA-256|password|none
 *   sqlstate XXXXX
 *   message ...
 * and exits 0 only when the login was refused with SQLSTATE 28P01 and PostgreSQL's message
 * `password authentication failed for user "USER"`.
 */
#include "rawpg.h"

static int answer_sasl(int fd, const raw_msg *m)
{
    static const char mech[] = "SCRAM-SHA-256";
    static const char first[] = "n,,n=,r=c2x1aWNlLXJlZ3Jlc3MtY2xpZW50";
    unsigned char buf[256];
    size_t n = 0;
    int offered = 0;

    for (const char *p = m->body + 4; p < m->body + m->len && *p; p += strlen(p) + 1)
        offered |= strcmp(p, mech) == 0;
    if (!offered) {
        fprintf(stderr, "bad_password: the server does not offer %s\n", mech);
        return -1;
    }
    memcpy(buf, mech, sizeof mech);
    n = sizeof mech;
    raw_put32(buf + n, (uint32_t)strlen(first));
    n += 4;
    memcpy(buf + n, first, strlen(first));
    n += strlen(first);
    return raw_send_msg(fd, 'p', buf, n);
}

/* client-final-message with the server's nonce and a ClientProof of 32 zero bytes. */
static int answer_sasl_continue(int fd, const raw_msg *m)
{
    char final[512];
    const char *r = strstr(m->body + 4, "r="), *end;
    if (!r) {
        fprintf(stderr, "bad_password: no nonce in the server-first-message\n");
        return -1;
    }
    end = strchr(r, ',');
    if (!end)
        end = r + strlen(r);
    int n = snprintf(final, sizeof final, "c=biws,%.*s,p=%s", (int)(end - r), r,
                     "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    if (n < 0 || (size_t)n >= sizeof final)
        return -1;
    return raw_send_msg(fd, 'p', final, (size_t)n);
}

int main(int argc, char **argv)
{
    const char *method = "none", *state = NULL, *text = NULL;
    char want[256], got_state[8] = "none", got_text[512] = "";
    raw_msg m;
    int fd, done = 0;

    if (argc != 5) {
        fprintf(stderr, "usage: %s HOST PORT USER DBNAME\n", argv[0]);
        return 2;
    }
    fd = raw_connect(argv[1], argv[2]);
    if (fd < 0 || raw_send_startup(fd, argv[3], argv[4]) != 0) {
        fprintf(stderr, "bad_password: cannot connect to %s:%s\n", argv[1], argv[2]);
        return 1;
    }
    while (!done && raw_read_msg(fd, 10000, &m) == RAW_MSG) {
        uint32_t code = m.type == 'R' && m.len >= 4 ? raw_get32((unsigned char *)m.body) : 99;
        int rc = 0;
        if (m.type == 'E') {
            state = raw_error_field(&m, 'C');
            text = raw_error_field(&m, 'M');
            snprintf(got_state, sizeof got_state, "%s", state ? state : "none");
            snprintf(got_text, sizeof got_text, "%s", text ? text : "");
            done = 1;
        } else if (m.type == 'R' && code == 0) {
            fprintf(stderr, "bad_password: logged in without a valid password\n");
            done = 1;
        } else if (m.type == 'R' && code == 3) {
            method = "password";
            rc = raw_send_msg(fd, 'p', "not-the-password", 17);
        } else if (m.type == 'R' && code == 5) {
            method = "md5";
            char hash[36] = "md5"; /* "md5" + 32 hex digits + NUL, all digits zero */
            memset(hash + 3, '0', 32);
            rc = raw_send_msg(fd, 'p', hash, sizeof hash);
        } else if (m.type == 'R' && code == 10) {
            method = "SCRAM-SHA-256";
            rc = answer_sasl(fd, &m);
        } else if (m.type == 'R' && code == 11) {
            rc = answer_sasl_continue(fd, &m);
        } else if (m.type == 'R') {
            fprintf(stderr, "bad_password: unexpected authentication request %u\n", code);
            done = 1;
        }
        free(m.body);
        if (rc != 0)
            done = 1;
    }
    close(fd);
    printf("method %s\nsqlstate %s\nmessage %s\n", method, got_state, got_text);
    snprintf(want, sizeof want, "password authentication failed for user \"%s\"", argv[3]);
    return strcmp(got_state, "28P01") == 0 && strcmp(got_text, want) == 0 ? 0 : 1;
}
