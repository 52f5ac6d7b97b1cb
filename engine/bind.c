/*
 * bind.c — CREATE PIPELINE's tree and the facts → the planner's pipeline.
 */
#include "bind.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *bind_source_connection_kind(sl_source_kind source)
{
    static const char *const kinds[SL_SOURCE_COUNT_] = {
        [SL_SOURCE_FILES] = NULL,  [SL_SOURCE_S3] = "s3",     [SL_SOURCE_POSTGRES] = "postgres",
        [SL_SOURCE_HTTP] = "http", [SL_SOURCE_SFTP] = "sftp",
    };
    return source < SL_SOURCE_COUNT_ ? kinds[source] : NULL;
}

static bool fail(sl_error *err, const char *sqlstate, int position, const char *hint,
                 const char *message, const char *name)
{
    sl_error_set(err, sqlstate, hint, message, name);
    err->position = position;
    return false;
}

static const sl_step *compute_of(const sl_create_pipeline *c, const char *column)
{
    for (int i = 0; i < c->n_steps; i++)
        if (c->steps[i].kind == SL_STEP_COMPUTE && strcmp(c->steps[i].column, column) == 0)
            return &c->steps[i];
    return NULL;
}

/* Does a step after index `after` produce column (RENAME TO, SPLIT/EXTRACT INTO, COMPUTE)? */
static bool produced_after(const sl_create_pipeline *c, int after, const char *column)
{
    for (int i = after + 1; i < c->n_steps; i++) {
        const sl_step *s = &c->steps[i];
        if (s->kind == SL_STEP_RENAME && strcmp(s->new_name, column) == 0)
            return true;
        if (s->kind == SL_STEP_COMPUTE && strcmp(s->column, column) == 0)
            return true;
        if (s->kind == SL_STEP_SPLIT || s->kind == SL_STEP_EXTRACT)
            for (int k = 0; k < s->into.n; k++)
                if (strcmp(s->into.items[k], column) == 0)
                    return true;
    }
    return false;
}

static bool has_column(const bound_pipeline *b, const char *name)
{
    for (size_t i = 0; i < b->p.ncolumns; i++)
        if (strcmp(b->p.columns[i].name, name) == 0)
            return true;
    for (size_t i = 0; i < b->p.ncomputed; i++)
        if (strcmp(b->p.computed[i].name, name) == 0)
            return true;
    return false;
}

static bool names_contain(const sl_names *n, const char *name)
{
    for (int i = 0; i < n->n; i++)
        if (strcmp(n->items[i], name) == 0)
            return true;
    return false;
}

/* What the steps make of the columns, against the columns the target will have. */
static bool check_steps(const sl_create_pipeline *c, const bound_pipeline *b, sl_error *err)
{
    static const char *const not_listed =
        "Add the column to the pipeline's column list (or to the table), or change the step.";
    for (int i = 0; i < c->n_steps; i++) {
        const sl_step *s = &c->steps[i];
        const char *made = s->kind == SL_STEP_RENAME ? s->new_name : NULL;
        if (made && !has_column(b, made))
            return fail(err, "42703", s->position, not_listed,
                        "column \"%.64s\" made by RENAME is not a column of the target", made);
        if (s->kind == SL_STEP_SPLIT || s->kind == SL_STEP_EXTRACT)
            for (int k = 0; k < s->into.n; k++)
                if (!has_column(b, s->into.items[k]))
                    return fail(err, "42703", s->position, not_listed,
                                "column \"%.64s\" made by the step is not a column of the target",
                                s->into.items[k]);
        if (s->kind == SL_STEP_DROP)
            for (int k = 0; k < s->columns.n; k++)
                if (has_column(b, s->columns.items[k]) &&
                    !produced_after(c, i, s->columns.items[k]))
                    return fail(err, "42P10", s->position,
                                "Remove the column from the column list, or do not DROP it.",
                                "column \"%.64s\" is dropped by the TRANSFORM but is a column of "
                                "the target",
                                s->columns.items[k]);
        if (s->kind == SL_STEP_KEEP)
            for (size_t k = 0; k < b->p.ncolumns; k++) {
                const char *col = b->p.columns[k].name;
                if (!names_contain(&s->columns, col) && !produced_after(c, i, col))
                    return fail(err, "42P10", s->position,
                                "KEEP every column of the column list, or remove it from there.",
                                "column \"%.64s\" of the target is not kept by KEEP", col);
            }
    }
    return true;
}

/* An identifier as written in an option's value: "Quoted" kept, otherwise lower case. */
static char *fold_name(const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    char *out = malloc(n + 1), *o = out;
    if (!out)
        return NULL;
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        for (size_t i = 1; i + 1 < n; i++) {
            *o++ = s[i];
            if (s[i] == '"' && s[i + 1] == '"')
                i++;
        }
    } else {
        for (size_t i = 0; i < n; i++)
            *o++ = (char)tolower((unsigned char)s[i]);
    }
    *o = '\0';
    return out;
}

/* Where the name that starts at p ends: at the next ',' outside double quotes, or the end. */
static const char *name_end(const char *p)
{
    bool quoted = false;
    for (; *p && (quoted || *p != ','); p++)
        quoted ^= *p == '"';
    return p;
}

/* A name given as an option's value. A word (id, "MixedCase") was resolved by the parser
 * already and is taken as it is; a string is folded here. */
static char *value_name(const sl_value *v, const char *s, size_t n)
{
    return v->kind == SL_VALUE_WORD ? strndup(s, n) : fold_name(s, n);
}

char **bind_option_names(const sl_option *opt, size_t *n)
{
    const char *text = opt->value.text;
    bool word = opt->value.kind == SL_VALUE_WORD;
    size_t parts = 1;
    for (const char *p = text; *p; p++)
        parts += *p == ',';
    char **names = calloc(parts + 1, sizeof(char *));
    if (!names)
        return NULL;
    *n = 0;
    for (const char *p = text;;) {
        const char *end = word ? p + strlen(p) : name_end(p);
        char *name = value_name(&opt->value, p, (size_t)(end - p));
        if (!name) {
            bind_names_free(names);
            return NULL;
        }
        if (*name)
            names[(*n)++] = name;
        else
            free(name);
        if (!*end)
            return names;
        p = end + 1;
    }
}

void bind_names_free(char **names)
{
    for (char **p = names; p && *p; p++)
        free(*p);
    free(names);
}

/* The option's names, kept in b->names; *first and *n say where they are. */
static bool split_names(bound_pipeline *b, const sl_option *opt, size_t *first, size_t *n)
{
    char **names = bind_option_names(opt, n);
    char **grown = names ? realloc(b->names, (b->nnames + *n + 1) * sizeof(char *)) : NULL;
    if (!grown) {
        bind_names_free(names);
        return false;
    }
    b->names = grown;
    *first = b->nnames;
    for (size_t i = 0; i < *n; i++)
        b->names[b->nnames++] = names[i];
    free(names); /* the names themselves now belong to b */
    return true;
}

/* The option's value as one name, malloc'd; NULL when absent (*oom says why). */
static char *option_name(const sl_options *o, const char *name, bool *oom)
{
    const sl_option *opt = sl_options_get(o, name);
    char *out = opt ? value_name(&opt->value, opt->value.text, strlen(opt->value.text)) : NULL;
    *oom = *oom || (opt && !out);
    return out;
}

static const char *option_text(const sl_options *o, const char *name)
{
    const sl_option *opt = sl_options_get(o, name);
    return opt ? opt->value.text : NULL;
}

static bool bind_columns(const sl_create_pipeline *c, const bind_facts *f, bound_pipeline *b,
                         sl_error *err)
{
    size_t n = c->n_columns ? (size_t)c->n_columns : f->table_exists ? f->ntable_columns : 0;
    b->columns = calloc(n + 1, sizeof(plan_column));
    b->computed = calloc(n + 1, sizeof(plan_computed));
    if (!b->columns || !b->computed) {
        sl_error_set(err, "53200", NULL, "out of memory");
        return false;
    }
    bool history = b->p.mode == PLAN_HISTORY;
    for (size_t i = 0; i < n; i++) {
        const char *name = c->n_columns ? c->columns[i].name : f->table_columns[i].name;
        const char *type = c->n_columns ? c->columns[i].type : f->table_columns[i].type;
        if (!c->n_columns && history &&
            (strcmp(name, "valid_from") == 0 || strcmp(name, "valid_to") == 0))
            continue; /* sluice's own history columns */
        const sl_step *compute = compute_of(c, name);
        if (compute)
            b->computed[b->p.ncomputed++] = (plan_computed){name, type, compute->text};
        else
            b->columns[b->p.ncolumns++] = (plan_column){name, type};
    }
    b->p.columns = b->columns;
    b->p.computed = b->computed;
    b->columns_known = n > 0;
    if (c->n_columns && f->table_exists) {
        for (int i = 0; i < c->n_columns; i++) {
            bool found = false;
            for (size_t k = 0; k < f->ntable_columns && !found; k++)
                found = strcmp(f->table_columns[k].name, c->columns[i].name) == 0;
            if (!found)
                return fail(err, "42703", c->columns[i].position,
                            "The table exists already: list only its columns, or load into a "
                            "new table.",
                            "column \"%.64s\" is not a column of the existing target table",
                            c->columns[i].name);
        }
    }
    b->create_table = c->n_columns && !f->table_exists;
    if (history && f->table_exists) {
        static const char *const own[] = {"valid_from", "valid_to"};
        for (int i = 0; i < 2; i++) {
            bool found = false;
            for (size_t k = 0; k < f->ntable_columns && !found; k++)
                found = strcmp(f->table_columns[k].name, own[i]) == 0;
            if (!found)
                return fail(err, "42703", c->target.position,
                            "Mode history keeps each version's valid_from and valid_to in the "
                            "table: load into a new table, which sluice creates with them.",
                            "the existing target table has no column \"%s\"", own[i]);
        }
    }
    for (int i = 0; i < c->n_steps; i++)
        if (c->steps[i].kind == SL_STEP_COMPUTE && b->columns_known &&
            !has_column(b, c->steps[i].column))
            return fail(err, "42703", c->steps[i].position,
                        "COMPUTE needs the column in the column list, where its type is given.",
                        "column \"%.64s\" made by COMPUTE is not a column of the target",
                        c->steps[i].column);
    return !b->columns_known || check_steps(c, b, err);
}

static bool bind_options(const sl_create_pipeline *c, bound_pipeline *b, sl_error *err)
{
    const char *mode = option_text(&c->options, "mode");
    b->p.mode = !mode || strcmp(mode, "append") == 0 ? PLAN_APPEND
                : strcmp(mode, "upsert") == 0        ? PLAN_UPSERT
                                                     : PLAN_HISTORY;
    const sl_option *pk = sl_options_get(&c->options, "primary_key");
    const sl_option *sort = sl_options_get(&c->options, "sortkey");
    size_t pk_first = 0, pk_n = 0, sort_first = 0, sort_n = 0;
    bool ok = (!pk || split_names(b, pk, &pk_first, &pk_n)) &&
              (!sort || split_names(b, sort, &sort_first, &sort_n));
    bool oom = false;
    char *ut = ok ? option_name(&c->options, "updated_at", &oom) : NULL;
    char *dk = ok ? option_name(&c->options, "distkey", &oom) : NULL;
    char **grown = ok ? realloc(b->names, (b->nnames + 2) * sizeof(char *)) : NULL;
    if (!grown || oom) {
        free(ut);
        free(dk);
        sl_error_set(err, "53200", NULL, "out of memory");
        return false;
    }
    b->names = grown;
    if (ut)
        b->names[b->nnames++] = ut;
    if (dk)
        b->names[b->nnames++] = dk;
    b->p.primary_key = (const char *const *)b->names + pk_first;
    b->p.nprimary_key = pk_n;
    b->p.sortkey = (const char *const *)b->names + sort_first;
    b->p.nsortkey = sort_n;
    b->p.updated_at = ut;
    b->p.distkey = dk;
    return true;
}

static void bind_format(const sl_create_pipeline *c, plan_format *f)
{
    const sl_options *o = &c->format_options;
    const char *header = option_text(o, "header");
    const char *delimiter = option_text(o, "delimiter");
    const char *quote = option_text(o, "quote");
    *f = (plan_format){
        .kind = c->format == SL_FORMAT_JSON ? PLAN_FMT_JSON : PLAN_FMT_CSV,
        .header = !header || strcmp(header, "true") == 0,
        .delimiter = delimiter && *delimiter ? *delimiter : ',',
        .quote = quote && *quote ? *quote : '"',
        .null_string = option_text(o, "null"),
        .records = option_text(o, "records"),
    };
}

static bool bind_connection(const sl_create_pipeline *c, const bind_facts *f, sl_error *err)
{
    const char *needs = bind_source_connection_kind(c->source);
    if (!needs)
        return true;
    if (!f->connection_kind)
        return fail(err, "42704", c->connection_position,
                    "CREATE CONNECTION it first; SHOW CONNECTIONS lists them.",
                    "connection \"%.64s\" does not exist", c->connection);
    bool fits = strcmp(f->connection_kind, needs) == 0 ||
                (c->source == SL_SOURCE_POSTGRES && strcmp(f->connection_kind, "redshift") == 0);
    if (fits)
        return true;
    sl_error_set(err, "42809", NULL, "connection \"%.64s\" is of kind %s, not %s", c->connection,
                 f->connection_kind, needs);
    err->position = c->connection_position;
    snprintf(err->hint, sizeof(err->hint), "%s sources read through a connection of kind %s%s.",
             sl_source_name(c->source), needs,
             c->source == SL_SOURCE_POSTGRES ? " or redshift" : "");
    return false;
}

bool bind_pipeline(const sl_create_pipeline *c, const bind_facts *f, bound_pipeline *out,
                   sl_error *err)
{
    memset(out, 0, sizeof(*out));
    if (!bind_connection(c, f, err))
        return false;
    const char *schema = c->target.schema ? c->target.schema : f->current_schema;
    if (!schema)
        return fail(err, "3F000", c->target.position,
                    "Qualify the table with a schema, or set search_path to an existing one.",
                    "no schema has been selected to create \"%.64s\" in", c->target.name);
    out->p.name = c->name;
    out->p.target = (plan_qname){schema, c->target.name};
    out->p.source = (plan_source_kind)c->source;
    out->p.location = c->location;
    bind_format(c, &out->p.format);
    if (bind_options(c, out, err) && bind_columns(c, f, out, err))
        return true;
    bound_pipeline_free(out); /* a failed bind leaves nothing to free */
    return false;
}

void bound_pipeline_free(bound_pipeline *b)
{
    for (size_t i = 0; i < b->nnames; i++)
        free(b->names[i]);
    free(b->names);
    free(b->columns);
    free(b->computed);
    memset(b, 0, sizeof(*b));
}
