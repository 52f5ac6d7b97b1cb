/*
 * options.c — which WITH options each statement takes, what values they accept, and the
 * cross-checks that need no catalog. Values are normalized in place (booleans to
 * "true"/"false", enumerations to lower case), so the planner reads one spelling.
 *
 * Error messages quote a value only for options whose values are not secrets (booleans,
 * numbers, enumerations, single characters).
 */
#include "parse_internal.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum {
    OPT_TEXT,     /* any value, kept as written */
    OPT_BOOL,     /* true/false, on/off, yes/no, 1/0 */
    OPT_COUNT,    /* a whole number ≥ min */
    OPT_ENUM,     /* one of values */
    OPT_CHAR,     /* a string of one one-byte character */
    OPT_SCHEDULE, /* 'continuous', 'manual' or an interval */
} opt_type;

typedef struct {
    const char *name;
    opt_type type;
    long min, max;             /* OPT_COUNT */
    const char *const *values; /* OPT_ENUM, NULL-terminated */
} opt_spec;

#define TEXT(n)                                                                                    \
    {                                                                                              \
        n, OPT_TEXT, 0, 0, NULL                                                                    \
    }
#define BOOL(n)                                                                                    \
    {                                                                                              \
        n, OPT_BOOL, 0, 0, NULL                                                                    \
    }
#define COUNT(n, lo, hi)                                                                           \
    {                                                                                              \
        n, OPT_COUNT, lo, hi, NULL                                                                 \
    }
#define ENUM(n, v)                                                                                 \
    {                                                                                              \
        n, OPT_ENUM, 0, 0, v                                                                       \
    }
#define END                                                                                        \
    {                                                                                              \
        NULL, OPT_TEXT, 0, 0, NULL                                                                 \
    }

static const opt_spec s3_opts[] = {TEXT("bucket"),
                                   TEXT("region"),
                                   TEXT("endpoint"),
                                   TEXT("access_key_id"),
                                   TEXT("secret_access_key"),
                                   TEXT("session_token"),
                                   BOOL("path_style"),
                                   END};
static const opt_spec postgres_opts[] = {
    TEXT("dsn"),      TEXT("host"), COUNT("port", 1, 65535), TEXT("dbname"), TEXT("user"),
    TEXT("password"), END};
static const opt_spec redshift_opts[] = {
    TEXT("dsn"),      TEXT("host"),      COUNT("port", 1, 65535),
    TEXT("dbname"),   TEXT("user"),      TEXT("password"),
    TEXT("iam_role"), TEXT("namespace"), END};
static const opt_spec http_opts[] = {TEXT("url"), TEXT("headers"), TEXT("bearer_token"), END};
static const opt_spec sftp_opts[] = {TEXT("host"),     COUNT("port", 1, 65535),  TEXT("user"),
                                     TEXT("password"), TEXT("private_key_file"), END};

static const opt_spec *const conn_opts[SL_CONN_COUNT_] = {s3_opts, postgres_opts, redshift_opts,
                                                          http_opts, sftp_opts};

/* Options one of which a connection of the kind must have. */
static const char *const conn_required[SL_CONN_COUNT_][3] = {
    {"bucket"}, {"dsn", "host"}, {"dsn", "host"}, {"url"}, {"host"}};

static const char *const modes[] = {"append", "upsert", "history", NULL};
static const char *const on_errors[] = {"skip", "abort", NULL};
static const char *const incrementals[] = {"auto", "off", NULL};

static const opt_spec pipeline_opts[] = {ENUM("mode", modes),
                                         TEXT("primary_key"),
                                         TEXT("updated_at"),
                                         {"schedule", OPT_SCHEDULE, 0, 0, NULL},
                                         ENUM("on_error", on_errors),
                                         COUNT("max_errors", 0, 2147483647L),
                                         COUNT("batch_rows", 1, 2147483647L),
                                         COUNT("batch_bytes", 1, 9223372036854775807L),
                                         TEXT("distkey"),
                                         TEXT("sortkey"),
                                         BOOL("start"),
                                         TEXT("staging_connection"),
                                         TEXT("staging_prefix"),
                                         END};

static const opt_spec csv_opts[] = {BOOL("header"),
                                    {"delimiter", OPT_CHAR, 0, 0, NULL},
                                    {"quote", OPT_CHAR, 0, 0, NULL},
                                    {"escape", OPT_CHAR, 0, 0, NULL},
                                    TEXT("null"),
                                    TEXT("encoding"),
                                    END};
static const opt_spec json_opts[] = {TEXT("records"), END};
static const opt_spec model_opts[] = {TEXT("distkey"), TEXT("sortkey"),
                                      ENUM("incremental", incrementals), END};

/* ---- errors ---- */

static void list_names(char *out, size_t cap, const opt_spec *const *lists, size_t nlists)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t l = 0; l < nlists; l++)
        for (const opt_spec *s = lists[l]; s->name; s++) {
            /* a name in several lists (ALTER CONNECTION) is listed once */
            bool seen = false;
            for (size_t m = 0; m < l && !seen; m++)
                for (const opt_spec *t = lists[m]; t->name && !seen; t++)
                    seen = strcmp(t->name, s->name) == 0;
            if (!seen && len < cap)
                len += (size_t)snprintf(out + len, cap - len, "%s%s", len ? ", " : "", s->name);
        }
}

static size_t opt_off(parser *p, int char_pos)
{
    return parse_byte_off(p->sql, p->len, char_pos);
}

static _Noreturn void fail_unknown(parser *p, const sl_option *o, const char *what,
                                   const opt_spec *const *lists, size_t nlists)
{
    char valid[400];
    list_names(valid, sizeof(valid), lists, nlists);
    char hint[512];
    snprintf(hint, sizeof(hint), "Valid options: %s.", valid);
    parse_fail(p, "22023", opt_off(p, o->position), hint, "unknown option \"%s\" for %s", o->name,
               what);
}

static _Noreturn void fail_value(parser *p, const sl_option *o, const char *hint)
{
    parse_fail(p, "22023", opt_off(p, o->value.position), hint,
               "invalid value for option \"%s\": \"%s\"", o->name, o->value.text);
}

/* ---- values ---- */

static void check_bool(parser *p, sl_option *o)
{
    static const char *const yes[] = {"true", "on", "yes", "1", "t", "y"};
    static const char *const no[] = {"false", "off", "no", "0", "f", "n"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcasecmp(o->value.text, yes[i]) == 0 || strcasecmp(o->value.text, no[i]) == 0) {
            o->value.text = strcasecmp(o->value.text, yes[i]) == 0 ? "true" : "false";
            o->value.kind = SL_VALUE_BOOL;
            return;
        }
    }
    fail_value(p, o, "Expected a boolean: true or false.");
}

static void check_count(parser *p, sl_option *o, const opt_spec *s)
{
    const char *t = o->value.text;
    char *end = NULL;
    long long v = strtoll(t, &end, 10);
    if (o->value.kind == SL_VALUE_BOOL || o->value.kind == SL_VALUE_WORD || !*t || *end ||
        strspn(t, "-0123456789") != strlen(t) || v < s->min || v > s->max) {
        char hint[128];
        snprintf(hint, sizeof(hint), "Expected a whole number from %ld to %ld.", s->min, s->max);
        fail_value(p, o, hint);
    }
    o->value.kind = SL_VALUE_NUMBER;
}

static void check_enum(parser *p, sl_option *o, const opt_spec *s)
{
    if (o->value.kind == SL_VALUE_STRING || o->value.kind == SL_VALUE_WORD)
        for (const char *const *v = s->values; *v; v++)
            if (strcasecmp(o->value.text, *v) == 0) {
                o->value.kind = SL_VALUE_WORD;
                o->value.text = (char *)*v;
                return;
            }
    char hint[256];
    size_t len = (size_t)snprintf(hint, sizeof(hint), "Valid values:");
    for (const char *const *v = s->values; *v; v++)
        len += (size_t)snprintf(hint + len, sizeof(hint) - len, "%s %s", v == s->values ? "" : ",",
                                *v);
    snprintf(hint + len, sizeof(hint) - len, ".");
    fail_value(p, o, hint);
}

static void check_value(parser *p, sl_option *o, const opt_spec *s)
{
    switch (s->type) {
    case OPT_TEXT:
        return;
    case OPT_BOOL:
        check_bool(p, o);
        return;
    case OPT_COUNT:
        check_count(p, o, s);
        return;
    case OPT_ENUM:
        check_enum(p, o, s);
        return;
    case OPT_CHAR:
        if (o->value.kind != SL_VALUE_STRING || strlen(o->value.text) != 1)
            fail_value(p, o, "Expected a single one-byte character as a string, e.g. ','.");
        return;
    case OPT_SCHEDULE:
        if (strcasecmp(o->value.text, "continuous") != 0 &&
            strcasecmp(o->value.text, "manual") != 0)
            options_check_interval(p, o->value.text, opt_off(p, o->value.position));
        return;
    }
}

static const opt_spec *find_spec(const opt_spec *list, const char *name)
{
    for (const opt_spec *s = list; s->name; s++)
        if (strcmp(s->name, name) == 0)
            return s;
    return NULL;
}

static void check_list(parser *p, sl_options *o, const char *what, const opt_spec *list)
{
    for (int i = 0; i < o->n; i++) {
        const opt_spec *s = find_spec(list, o->items[i].name);
        if (!s)
            fail_unknown(p, &o->items[i], what, &list, 1);
        check_value(p, &o->items[i], s);
    }
}

/* ---- per statement ---- */

void options_check_connection(parser *p, sl_conn_kind kind, sl_options *o, size_t kind_off)
{
    char what[64];
    snprintf(what, sizeof(what), "a connection of type %s", sl_conn_kind_name(kind));
    for (char *c = what; *c; c++)
        *c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
    check_list(p, o, what, conn_opts[kind]);
    const char *const *req = conn_required[kind];
    for (int i = 0; i < 3 && req[i]; i++)
        if (sl_options_get(o, req[i]))
            return;
    char hint[128];
    snprintf(hint, sizeof(hint), "Add WITH (%s = '…').", req[0]);
    if (req[1])
        parse_fail(p, "22023", kind_off, "Add WITH (dsn = 'host=… dbname=…') or WITH (host = …).",
                   "%s needs option \"%s\" or \"%s\"", what, req[0], req[1]);
    parse_fail(p, "22023", kind_off, hint, "%s needs option \"%s\"", what, req[0]);
}

void options_check_alter_connection(parser *p, sl_options *o)
{
    for (int i = 0; i < o->n; i++) {
        const opt_spec *s = NULL;
        for (int k = 0; k < SL_CONN_COUNT_ && !s; k++)
            s = find_spec(conn_opts[k], o->items[i].name);
        if (!s)
            fail_unknown(p, &o->items[i], "a connection", conn_opts, SL_CONN_COUNT_);
        check_value(p, &o->items[i], s);
    }
}

void options_check_pipeline(parser *p, sl_options *o, bool create)
{
    check_list(p, o, "a pipeline", pipeline_opts);
    const sl_option *mode = sl_options_get(o, "mode");
    if (!create || !mode || strcmp(mode->value.text, "append") == 0)
        return;
    size_t at = opt_off(p, mode->value.position);
    if (!sl_options_get(o, "primary_key"))
        parse_fail(p, "22023", at,
                   "Add primary_key = 'id' (or 'a,b') to WITH: it says which "
                   "rows are the same record.",
                   "mode %s needs a primary_key", mode->value.text);
    if (strcmp(mode->value.text, "history") == 0 && !sl_options_get(o, "updated_at"))
        parse_fail(p, "22023", at,
                   "Add updated_at = column: the time each version of a record "
                   "was written.",
                   "mode history needs updated_at");
}

void options_check_format(parser *p, sl_format_kind fmt, sl_options *o)
{
    if (fmt == SL_FORMAT_CSV)
        check_list(p, o, "FORMAT CSV", csv_opts);
    else
        check_list(p, o, "FORMAT JSON", json_opts);
}

void options_check_model(parser *p, sl_options *o)
{
    check_list(p, o, "a model", model_opts);
}

/* ---- intervals and regular expressions ---- */

static bool unit_ok(const char *u, size_t n)
{
    static const char *const units[] = {
        "s",  "sec", "secs", "second", "seconds", "m",   "min",  "mins", "minute", "minutes", "h",
        "hr", "hrs", "hour", "hours",  "d",       "day", "days", "w",    "week",   "weeks",   NULL};
    for (const char *const *x = units; *x; x++)
        if (strlen(*x) == n && strncasecmp(u, *x, n) == 0)
            return true;
    return false;
}

/* HH:MM or HH:MM:SS, not all zero */
static bool clock_ok(const char *s)
{
    size_t h = strspn(s, "0123456789");
    if (h == 0 || h > 4 || s[h] != ':' || strspn(s + h + 1, "0123456789") != 2)
        return false;
    const char *rest = s + h + 3;
    if (*rest == ':' && strspn(rest + 1, "0123456789") == 2)
        rest += 3;
    return *rest == '\0' && strspn(s, "0:") != strlen(s);
}

/* '5 minutes', '1 hour 30 minutes', '90s', '0.5 hours', '01:30:00' */
static bool interval_ok(const char *s)
{
    if (clock_ok(s))
        return true;
    bool any = false, nonzero = false;
    for (;;) {
        s += strspn(s, " ");
        if (!*s)
            break;
        size_t digits = strspn(s, "0123456789.");
        if (digits == 0 || digits > 12)
            return false;
        char num[16];
        memcpy(num, s, digits);
        num[digits] = '\0';
        char *end;
        double v = strtod(num, &end);
        if (*end)
            return false; /* "1.2.3" */
        s += digits;
        s += strspn(s, " ");
        size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
        if (!unit_ok(s, n))
            return false;
        any = true;
        nonzero |= v > 0;
        s += n;
    }
    return any && nonzero;
}

void options_check_interval(parser *p, const char *text, size_t off)
{
    if (!interval_ok(text))
        parse_fail(p, "22023", off,
                   "Write an interval such as '30 seconds', '5 minutes', '1 hour' or '1 day'; "
                   "a schedule may also be 'continuous' or 'manual'.",
                   "invalid interval: \"%s\"", text);
}

/*
 * glibc's regcomp expands repetitions by copying the repeated subtree, so a short pattern
 * such as a++++…+ or ((a{255}){255}){255} asks for gigabytes. Before compiling, estimate
 * the expanded size (each atom 1, times its repetition bound, summed up the groups) and
 * refuse stacked quantifiers, which POSIX leaves undefined anyway.
 */
#define REGEX_MAX_LEN 1000
#define REGEX_MAX_BOUND 255
#define REGEX_MAX_COST 100000.0
#define REGEX_MAX_DEPTH 32

/* The repetition bound of the quantifier at s[*i] (advanced past it); 0 when not one. */
static double regex_bound(const char *s, size_t *i)
{
    if (s[*i] == '*' || s[*i] == '?') {
        (*i)++;
        return 1;
    }
    if (s[*i] == '+') {
        (*i)++;
        return 2;
    }
    if (s[*i] != '{' || !(s[*i + 1] >= '0' && s[*i + 1] <= '9'))
        return 0;
    char *end;
    long lo = strtol(s + *i + 1, &end, 10), hi = lo;
    if (*end == ',')
        hi = end[1] == '}' ? lo + 1 : strtol(end + 1, &end, 10);
    end = strchr(end, '}');
    if (!end || lo > REGEX_MAX_BOUND || hi > REGEX_MAX_BOUND)
        return -1;
    *i = (size_t)(end - s) + 1;
    return (double)(hi > lo ? hi : lo) + 1;
}

/* Index just past the bracket expression that opens at s[i]. */
static size_t regex_skip_bracket(const char *s, size_t i)
{
    i++;
    if (s[i] == '^')
        i++;
    if (s[i] == ']')
        i++;
    while (s[i] && s[i] != ']') {
        if (s[i] == '[' && (s[i + 1] == ':' || s[i + 1] == '.' || s[i + 1] == '=')) {
            const char *close = strstr(s + i + 2, (char[]){s[i + 1], ']', '\0'});
            i = close ? (size_t)(close - s) + 2 : strlen(s);
        } else {
            i++;
        }
    }
    return s[i] ? i + 1 : i;
}

static const char *regex_too_costly(const char *s)
{
    if (strlen(s) > REGEX_MAX_LEN)
        return "the regular expression is longer than 1000 bytes";
    double cost[REGEX_MAX_DEPTH + 1] = {0}, last = 0;
    int depth = 0;
    bool quantified = false;
    for (size_t i = 0; s[i];) {
        double b = regex_bound(s, &i);
        if (b < 0)
            return "a repetition bound in the regular expression is above 255";
        if (b > 0) {
            if (quantified)
                return "a quantifier in the regular expression follows another one";
            cost[depth] += last * (b - 1);
            last *= b;
            quantified = true;
            if (cost[depth] > REGEX_MAX_COST)
                return "the regular expression is too complex";
            continue;
        }
        quantified = false;
        last = 1;
        if (s[i] == '(') {
            if (++depth > REGEX_MAX_DEPTH)
                return "the regular expression nests groups too deeply";
            cost[depth] = 0;
            last = 0;
            i++;
            continue;
        }
        if (s[i] == ')' && depth > 0) {
            last = cost[depth--] + 1;
        } else if (s[i] == '|') {
            last = 0;
        }
        i = s[i] == '[' ? regex_skip_bracket(s, i) : i + (s[i] == '\\' && s[i + 1] ? 2 : 1);
        cost[depth] += last;
        if (cost[depth] > REGEX_MAX_COST)
            return "the regular expression is too complex";
    }
    return NULL;
}

void options_check_regex(parser *p, const sl_step *st, size_t off)
{
    const char *costly = regex_too_costly(st->text);
    if (costly)
        parse_fail(p, "22023", off, "Write a shorter pattern, with fewer nested repetitions.", "%s",
                   costly);
    regex_t re;
    int rc = regcomp(&re, st->text, REG_EXTENDED);
    if (rc != 0) {
        char msg[256];
        regerror(rc, &re, msg, sizeof(msg)); /* a failed regcomp leaves nothing to free */
        parse_fail(p, "22023", off, "EXTRACT takes a POSIX extended regular expression.",
                   "invalid regular expression: %s", msg);
    }
    size_t groups = re.re_nsub;
    regfree(&re);
    if (groups != (size_t)st->into.n)
        parse_fail(p, "22023", off, "Give INTO one column per capture group ( … ).",
                   "the regular expression has %zu capture group%s but INTO names %d column%s",
                   groups, groups == 1 ? "" : "s", st->into.n, st->into.n == 1 ? "" : "s");
}
