/* s3_list — sluice's S3 client against a real S3 implementation (s3rver), driven by s3.sh.
 *
 *   build/scenarios/s3_list ENDPOINT BUCKET MANIFEST DEAD_ENDPOINT
 *
 * MANIFEST has one line per object the script uploaded under many/ with curl:
 * "md5<TAB>size<TAB>local file<TAB>key", md5 and size computed by md5sum and stat. Checked:
 *   - listing many/ pages through all of it (1,000 keys a page), in ascending byte order of
 *     the keys, each with the ETag (the MD5 of its bytes) and size of the manifest;
 *   - a listing stopped after a page resumes from its continuation token; start_after and
 *     small pages (max_keys) give the right slices; an empty prefix gives one empty page;
 *   - objects read back byte for byte as they stream (a large one in many pieces, an empty
 *     one, keys with spaces, '+', '&', '=' and UTF-8), with the listed ETag required;
 *   - s3_put stores what s3_get then reads, and the listing shows its MD5;
 *   - a missing key, a stale ETag, a wrong bucket and an unreachable endpoint fail with
 *     their own SQLSTATE and a message that names what failed, never the secret.
 * Prints one "ok" line per check; exits 1 at the first failure.
 */
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "s3.h"

#define SECRET "scenario-secret-never-shown-0123456789"
#define TOKEN "scenario-session-token-never-shown"

typedef struct entry {
    char md5[33];
    long long size;
    char *path;
    char *key;
} entry;

static entry *manifest;
static size_t nmanifest;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("s3_list: FAIL: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void ok(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("ok: ", stdout);
    vprintf(fmt, ap);
    fputc('\n', stdout);
    fflush(stdout);
    va_end(ap);
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->key, ((const entry *)b)->key);
}

static void read_manifest(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        die("cannot open %s", path);
    char line[4096];
    size_t cap = 0;
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        char *md5 = strtok(line, "\t"), *size = strtok(NULL, "\t"), *file = strtok(NULL, "\t"),
             *key = strtok(NULL, "");
        if (!md5 || !size || !file || !key || strlen(md5) != 32)
            die("bad manifest line");
        if (nmanifest == cap) {
            cap = cap ? cap * 2 : 1024;
            manifest = realloc(manifest, cap * sizeof(*manifest));
        }
        entry *e = &manifest[nmanifest++];
        memcpy(e->md5, md5, 33);
        e->size = atoll(size);
        e->path = strdup(file);
        e->key = strdup(key);
    }
    fclose(f);
    qsort(manifest, nmanifest, sizeof(*manifest), entry_cmp); /* S3's order: bytes */
}

/* Every error message is checked for the secrets. */
static void check_error(const s3_error *err, const char *sqlstate, const char *words,
                        const char *what)
{
    if (strstr(err->message, SECRET) || strstr(err->message, TOKEN) || strstr(err->hint, SECRET) ||
        strstr(err->hint, TOKEN))
        die("%s: a secret in the message: %s", what, err->message);
    if (strcmp(err->sqlstate, sqlstate) != 0 || !strstr(err->message, words))
        die("%s: want %s \"%s\", got %s: %s", what, sqlstate, words, err->sqlstate, err->message);
    ok("%s: %s: %s%s%s", what, err->sqlstate, err->message, err->hint[0] ? " HINT: " : "",
       err->hint);
}

/* ---- listing --------------------------------------------------------------------------- */

typedef struct listing {
    entry *objects; /* copies of what was listed */
    size_t count, cap;
    int pages;
    int stop_after; /* stop (return 9) after this many pages; 0: never */
    char *next_token;
} listing;

static int on_page(void *arg, const s3_page *page)
{
    listing *l = arg;
    l->pages++;
    for (size_t i = 0; i < page->count; i++) {
        const s3_object *o = &page->objects[i];
        if (l->count == l->cap) {
            l->cap = l->cap ? l->cap * 2 : 1024;
            l->objects = realloc(l->objects, l->cap * sizeof(*l->objects));
        }
        entry *e = &l->objects[l->count++];
        snprintf(e->md5, sizeof(e->md5), "%s", o->etag);
        e->size = o->size;
        e->key = strdup(o->key);
        e->path = NULL;
        long long now_ms = (long long)time(NULL) * 1000;
        if (o->last_modified < now_ms - 86400000LL || o->last_modified > now_ms + 86400000LL)
            die("%s: LastModified %lld is not about now", o->key, o->last_modified);
    }
    free(l->next_token);
    l->next_token = page->next_token ? strdup(page->next_token) : NULL;
    return l->stop_after && l->pages == l->stop_after ? 9 : 0;
}

static void listing_free(listing *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->objects[i].key);
    free(l->objects);
    free(l->next_token);
    memset(l, 0, sizeof(*l));
}

static void list_or_die(s3_client *c, const s3_list_opts *opts, listing *l, int want_rc)
{
    s3_error err;
    int rc = s3_list(c, opts, on_page, l, &err);
    if (rc != want_rc)
        die("s3_list(%s) returned %d: %s", opts->prefix, rc, rc == -1 ? err.message : "");
}

/* The listed objects are manifest[from, from + n), in order, with their ETags and sizes. */
static void expect_slice(const listing *l, size_t from, size_t n, const char *what)
{
    if (l->count != n)
        die("%s: %zu objects listed, want %zu", what, l->count, n);
    for (size_t i = 0; i < n; i++) {
        const entry *got = &l->objects[i], *want = &manifest[from + i];
        if (i > 0 && strcmp(l->objects[i - 1].key, got->key) >= 0)
            die("%s: keys out of order: \"%s\" then \"%s\"", what, l->objects[i - 1].key, got->key);
        if (strcmp(got->key, want->key) != 0)
            die("%s: object %zu is \"%s\", want \"%s\"", what, i, got->key, want->key);
        if (strcmp(got->md5, want->md5) != 0 || got->size != want->size)
            die("%s: \"%s\" listed with ETag %s size %lld, want %s %lld", what, got->key, got->md5,
                got->size, want->md5, want->size);
    }
}

static void check_listings(s3_client *c)
{
    listing l = {0};
    s3_list_opts all = {.prefix = "many/"};
    list_or_die(c, &all, &l, 0);
    expect_slice(&l, 0, nmanifest, "list many/");
    if (l.pages != (int)(nmanifest + 999) / 1000)
        die("list many/: %d pages for %zu keys", l.pages, nmanifest);
    ok("list many/: %zu objects in %d pages, sorted, ETags = MD5s, sizes right", l.count, l.pages);
    listing_free(&l);

    /* stopped after one page, resumed from its token */
    l.stop_after = 1;
    list_or_die(c, &all, &l, 9);
    if (l.count != 1000 || !l.next_token)
        die("a listing stopped after a page has %zu objects", l.count);
    s3_list_opts resume = {.prefix = "many/", .continuation_token = l.next_token};
    l.stop_after = 0;
    list_or_die(c, &resume, &l, 0);
    expect_slice(&l, 0, nmanifest, "stop and resume");
    ok("a listing stopped after page 1 resumes from its continuation token: %zu objects", l.count);
    listing_free(&l);

    s3_list_opts after = {.prefix = "many/", .start_after = manifest[1499].key};
    list_or_die(c, &after, &l, 0);
    expect_slice(&l, 1500, nmanifest - 1500, "start_after");
    ok("start_after \"%s\": the %zu keys after it", manifest[1499].key, l.count);
    listing_free(&l);

    s3_list_opts small = {.prefix = "many/00", .max_keys = 7};
    size_t from = 0, n = 0;
    while (from < nmanifest && strncmp(manifest[from].key, small.prefix, 7) != 0)
        from++;
    while (from + n < nmanifest && strncmp(manifest[from + n].key, small.prefix, 7) == 0)
        n++;
    list_or_die(c, &small, &l, 0);
    expect_slice(&l, from, n, "max_keys 7");
    if (n != 100 || l.pages != 15)
        die("max_keys 7: %d pages for %zu keys", l.pages, n);
    ok("prefix many/00 with max_keys 7: %zu objects in %d pages", n, l.pages);
    listing_free(&l);

    s3_list_opts nothing = {.prefix = "nothing-here/"};
    list_or_die(c, &nothing, &l, 0);
    if (l.count != 0 || l.pages != 1)
        die("an empty prefix: %zu objects in %d pages", l.count, l.pages);
    ok("an empty prefix: one page without objects");
    listing_free(&l);
}

/* ---- reading --------------------------------------------------------------------------- */

typedef struct reader {
    FILE *want; /* the local file the object was uploaded from */
    const char *key;
    EVP_MD_CTX *md5;
    long long bytes;
    int pieces;
    size_t biggest;
} reader;

static int on_bytes(void *arg, const void *data, size_t len)
{
    reader *r = arg;
    char buf[65536];
    for (size_t done = 0; done < len;) {
        size_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);
        if (fread(buf, 1, n, r->want) != n || memcmp(buf, (const char *)data + done, n) != 0)
            die("%s: bytes differ from the uploaded file near offset %lld", r->key,
                r->bytes + (long long)done);
        done += n;
    }
    EVP_DigestUpdate(r->md5, data, len);
    r->bytes += (long long)len;
    r->pieces++;
    if (len > r->biggest)
        r->biggest = len;
    return 0;
}

static void hex_md5(EVP_MD_CTX *ctx, char out[33])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx, md, &n);
    for (unsigned i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", md[i]);
}

static void read_back(s3_client *c, const entry *e, bool verbose)
{
    reader r = {.want = fopen(e->path, "rb"), .key = e->key, .md5 = EVP_MD_CTX_new()};
    if (!r.want)
        die("cannot open %s", e->path);
    EVP_DigestInit_ex(r.md5, EVP_md5(), NULL);
    s3_error err;
    if (s3_get(c, e->key, e->md5, on_bytes, &r, &err) != 0)
        die("s3_get(%s): %s", e->key, err.message);
    char md5[33];
    hex_md5(r.md5, md5);
    if (r.bytes != e->size || fgetc(r.want) != EOF || strcmp(md5, e->md5) != 0)
        die("%s: read %lld bytes (MD5 %s), want %lld (%s)", e->key, r.bytes, md5, e->size, e->md5);
    if (verbose)
        ok("read \"%s\": %lld bytes in %d pieces (largest %zu), same bytes and MD5", e->key,
           r.bytes, r.pieces, r.biggest);
    fclose(r.want);
    EVP_MD_CTX_free(r.md5);
}

static void check_reads(s3_client *c)
{
    int read = 0;
    const entry *big = NULL;
    for (size_t i = 0; i < nmanifest; i++) {
        const entry *e = &manifest[i];
        bool special = !(e->key[5] >= '0' && e->key[5] <= '9') || e->size == 0;
        if (special || i % 100 == 0) {
            read_back(c, e, special);
            read++;
        }
        if (!big || e->size > big->size)
            big = e;
    }
    ok("%d objects read back byte for byte with their listed ETags", read);
    if (big->size < 1000000)
        die("no large object in the manifest");
}

/* Each object of a page read inside the page callback, with the same client. */
typedef struct nested {
    s3_client *client;
    size_t read;
} nested;

static int read_listed(void *arg, const s3_page *page)
{
    nested *n = arg;
    for (size_t i = 0; i < page->count; i++) {
        entry key = {.key = (char *)page->objects[i].key};
        const entry *e = bsearch(&key, manifest, nmanifest, sizeof(*manifest), entry_cmp);
        if (!e)
            die("listed \"%s\" is not in the manifest", key.key);
        read_back(n->client, e, false);
        n->read++;
    }
    return 0;
}

static void check_read_while_listing(s3_client *c)
{
    nested n = {.client = c};
    s3_list_opts opts = {.prefix = "many/01", .max_keys = 40};
    s3_error err;
    if (s3_list(c, &opts, read_listed, &n, &err) != 0)
        die("listing many/01 while reading: %s", err.message);
    if (n.read != 100)
        die("read %zu objects while listing many/01, want 100", n.read);
    ok("objects read with the same client from inside the page callback: %zu", n.read);
}

static void check_put(s3_client *c)
{
    size_t n = 1 << 20;
    char *body = malloc(n);
    for (size_t i = 0; i < n; i++)
        body[i] = (char)('a' + (i * 7 + i / 13) % 26);
    s3_error err;
    if (s3_put(c, "put/written by sluice+1.txt", body, n, &err) != 0)
        die("s3_put: %s", err.message);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_md5(), NULL);
    EVP_DigestUpdate(ctx, body, n);
    char md5[33];
    hex_md5(ctx, md5);
    EVP_MD_CTX_free(ctx);

    listing l = {0};
    s3_list_opts put = {.prefix = "put/"};
    list_or_die(c, &put, &l, 0);
    if (l.count != 1 || strcmp(l.objects[0].key, "put/written by sluice+1.txt") != 0 ||
        strcmp(l.objects[0].md5, md5) != 0 || l.objects[0].size != (long long)n)
        die("the object put is not listed as written");
    listing_free(&l);

    FILE *f = fmemopen(body, n, "rb");
    entry e = {.size = (long long)n, .path = NULL, .key = "put/written by sluice+1.txt"};
    memcpy(e.md5, md5, 33);
    reader r = {.want = f, .key = e.key, .md5 = EVP_MD_CTX_new()};
    EVP_DigestInit_ex(r.md5, EVP_md5(), NULL);
    if (s3_get(c, e.key, e.md5, on_bytes, &r, &err) != 0 || r.bytes != (long long)n)
        die("reading back the object put: %s", err.message);
    fclose(f);
    EVP_MD_CTX_free(r.md5);
    free(body);
    ok("s3_put stored 1 MiB under a key with a space and '+'; listed with its MD5, read back");
}

/* ---- failures -------------------------------------------------------------------------- */

static int ignore_bytes(void *arg, const void *data, size_t len)
{
    (void)arg, (void)data, (void)len;
    return 0;
}

static s3_client *client(const char *endpoint, const char *bucket, int attempts)
{
    s3_config cfg = {.bucket = bucket,
                     .endpoint = endpoint,
                     .access_key_id = "S3RVER", /* s3rver knows this one */
                     .secret_access_key = SECRET,
                     .session_token = TOKEN,
                     .max_attempts = attempts,
                     .retry_base_ms = 10};
    s3_error err;
    s3_client *c = s3_client_new(&cfg, &err);
    if (!c)
        die("s3_client_new: %s", err.message);
    return c;
}

static void check_failures(s3_client *c, const char *endpoint, const char *dead)
{
    s3_error err;
    if (s3_get(c, "many/no such key.csv", NULL, ignore_bytes, NULL, &err) != -1)
        die("reading a missing key succeeded");
    check_error(&err, "58P01", "could not read s3://", "a missing key");
    if (!strstr(err.message, "many/no such key.csv: the object does not exist") &&
        !strstr(err.message, "many/no such key.csv (at "))
        die("the message does not name the key: %s", err.message);

    if (s3_get(c, manifest[0].key, "0123456789abcdef0123456789abcdef", ignore_bytes, NULL, &err) !=
        -1)
        die("reading with a stale ETag succeeded");
    check_error(&err, "58030", "the object changed", "an ETag that is no longer the object's");

    s3_client *wrong = client(endpoint, "no-such-bucket", 4);
    listing l = {0};
    s3_list_opts all = {.prefix = "many/"};
    if (s3_list(wrong, &all, on_page, &l, &err) != -1)
        die("listing a missing bucket succeeded");
    check_error(&err, "42704", "the bucket does not exist", "listing a wrong bucket");
    if (s3_get(wrong, manifest[0].key, NULL, ignore_bytes, NULL, &err) != -1)
        die("reading from a missing bucket succeeded");
    check_error(&err, "42704", "the bucket does not exist", "reading from a wrong bucket");
    s3_client_free(wrong);

    s3_client *unreachable = client(dead, "bkt", 3);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (s3_list(unreachable, &all, on_page, &l, &err) != -1)
        die("listing an unreachable endpoint succeeded");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    check_error(&err, "08001", "(3 attempts)", "an endpoint nobody listens on");
    double took = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (took > 5)
        die("3 attempts took %.1f s", took);
    s3_client_free(unreachable);
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s ENDPOINT BUCKET MANIFEST DEAD_ENDPOINT\n", argv[0]);
        return 2;
    }
    read_manifest(argv[3]);
    ok("manifest: %zu objects", nmanifest);
    s3_client *c = client(argv[1], argv[2], 4);
    ok("client for %s", s3_client_base_url(c));
    check_listings(c);
    check_reads(c);
    check_read_while_listing(c);
    check_put(c);
    check_failures(c, argv[1], argv[4]);
    s3_client_free(c);
    for (size_t i = 0; i < nmanifest; i++) {
        free(manifest[i].key);
        free(manifest[i].path);
    }
    free(manifest);
    return 0;
}
