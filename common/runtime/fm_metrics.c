/* fm_metrics.c — a small metrics registry and its rendering in the Prometheus text exposition format.
 *
 * One mutex per registry guards every family and series: the worker takes it a few times per batch, the HTTP
 * thread once per scrape, so contention is negligible and no value is ever read half-written. */
#include "fm_metrics.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct series {
    char *labels[FM_METRIC_LABELS_MAX];
    double value;                                /* counter, gauge */
    uint64_t buckets[FM_METRIC_BUCKETS_MAX + 1]; /* histogram: per bucket (not cumulative), last = +Inf */
    double sum;
    uint64_t count;
} series;

struct fm_metric {
    fm_metrics *owner;
    const char *name, *help;
    fm_metric_type type;
    const char *label_names[FM_METRIC_LABELS_MAX];
    size_t label_count;
    double bounds[FM_METRIC_BUCKETS_MAX];
    size_t bound_count;
    series **items;
    size_t count, cap;
};

struct fm_metrics {
    pthread_mutex_t lock;
    fm_metric **families;
    size_t count, cap;
};

fm_status fm_metrics_new(fm_metrics **out)
{
    fm_metrics *m = calloc(1, sizeof *m);
    if (m == NULL)
        return FM_ENOMEM;
    if (pthread_mutex_init(&m->lock, NULL) != 0) {
        free(m);
        return FM_ENOMEM;
    }
    *out = m;
    return FM_OK;
}

static void series_free(series *s)
{
    for (size_t i = 0; i < FM_METRIC_LABELS_MAX; i++)
        free(s->labels[i]);
    free(s);
}

void fm_metrics_free(fm_metrics *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->count; i++) {
        fm_metric *f = m->families[i];
        for (size_t j = 0; j < f->count; j++)
            series_free(f->items[j]);
        free(f->items);
        free(f);
    }
    free(m->families);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

static int valid_name(const char *name, int colon)
{
    if (name == NULL || name[0] == '\0' || (name[0] >= '0' && name[0] <= '9'))
        return 0;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
              (colon && *p == ':')))
            return 0;
    return 1;
}

fm_status fm_metrics_family(fm_metrics *m, const char *name, fm_metric_type type, const char *help,
                            const char *const *label_names, const double *bounds, size_t bound_count,
                            fm_metric **out)
{
    if (!valid_name(name, 1) || (type == FM_METRIC_HISTOGRAM) != (bounds != NULL) ||
        bound_count > FM_METRIC_BUCKETS_MAX)
        return FM_EINVAL;
    for (size_t i = 1; i < bound_count; i++)
        if (!(bounds[i] > bounds[i - 1]))
            return FM_EINVAL;
    fm_metric *f = calloc(1, sizeof *f);
    if (f == NULL)
        return FM_ENOMEM;
    *f = (fm_metric){.owner = m, .name = name, .help = help ? help : "", .type = type};
    for (; label_names != NULL && label_names[f->label_count] != NULL; f->label_count++) {
        /* "le" is the histogram's own label. */
        if (f->label_count == FM_METRIC_LABELS_MAX || !valid_name(label_names[f->label_count], 0) ||
            strcmp(label_names[f->label_count], "le") == 0) {
            free(f);
            return FM_EINVAL;
        }
        f->label_names[f->label_count] = label_names[f->label_count];
    }
    if (bound_count > 0)
        memcpy(f->bounds, bounds, bound_count * sizeof *bounds);
    f->bound_count = bound_count;
    fm_status st = FM_OK;
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; i < m->count; i++)
        if (strcmp(m->families[i]->name, name) == 0)
            st = FM_EINVAL;
    if (st == FM_OK && m->count == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 16;
        fm_metric **grown = realloc(m->families, cap * sizeof *grown);
        if (grown == NULL)
            st = FM_ENOMEM;
        else {
            m->families = grown;
            m->cap = cap;
        }
    }
    if (st == FM_OK)
        m->families[m->count++] = f;
    pthread_mutex_unlock(&m->lock);
    if (st != FM_OK) {
        free(f);
        return st;
    }
    *out = f;
    return FM_OK;
}

/* The series of these label values, made on first use. Called with the lock held. NULL: out of memory. */
static series *find_series(fm_metric *f, const char *const *values)
{
    for (size_t i = 0; i < f->count; i++) {
        size_t k = 0;
        while (k < f->label_count && strcmp(f->items[i]->labels[k], values[k] ? values[k] : "") == 0)
            k++;
        if (k == f->label_count)
            return f->items[i];
    }
    if (f->count == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 4;
        series **grown = realloc(f->items, cap * sizeof *grown);
        if (grown == NULL)
            return NULL;
        f->items = grown;
        f->cap = cap;
    }
    series *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    for (size_t k = 0; k < f->label_count; k++) {
        s->labels[k] = strdup(values[k] ? values[k] : "");
        if (s->labels[k] == NULL) {
            series_free(s);
            return NULL;
        }
    }
    f->items[f->count++] = s;
    return s;
}

typedef enum op { OP_ADD, OP_SET, OP_OBSERVE } op;

static fm_status update(fm_metric *f, const char *const *values, op what, const double *v, size_t n)
{
    if (f == NULL)
        return FM_OK;
    if ((what == OP_OBSERVE) != (f->type == FM_METRIC_HISTOGRAM) || (f->label_count > 0 && values == NULL))
        return FM_EINVAL;
    pthread_mutex_lock(&f->owner->lock);
    series *s = find_series(f, values);
    if (s != NULL) {
        for (size_t i = 0; i < n; i++) {
            if (what == OP_ADD)
                s->value += v[i];
            else if (what == OP_SET)
                s->value = v[i];
            else {
                size_t b = 0;
                while (b < f->bound_count && v[i] > f->bounds[b])
                    b++;
                s->buckets[b]++;
                s->sum += v[i];
                s->count++;
            }
        }
    }
    pthread_mutex_unlock(&f->owner->lock);
    return s != NULL ? FM_OK : FM_ENOMEM;
}

fm_status fm_metric_add(fm_metric *f, const char *const *label_values, double delta)
{
    return update(f, label_values, OP_ADD, &delta, 1);
}

fm_status fm_metric_set(fm_metric *f, const char *const *label_values, double value)
{
    return update(f, label_values, OP_SET, &value, 1);
}

fm_status fm_metric_observe(fm_metric *f, const char *const *label_values, double value)
{
    return update(f, label_values, OP_OBSERVE, &value, 1);
}

fm_status fm_metric_observe_many(fm_metric *f, const char *const *label_values, const double *values,
                                 size_t n)
{
    return update(f, label_values, OP_OBSERVE, values, n);
}

void fm_metric_clear(fm_metric *f)
{
    if (f == NULL)
        return;
    pthread_mutex_lock(&f->owner->lock);
    for (size_t i = 0; i < f->count; i++)
        series_free(f->items[i]);
    f->count = 0;
    pthread_mutex_unlock(&f->owner->lock);
}

/* ---- rendering ----------------------------------------------------------------------------------------- */

size_t fm_metrics_escape(const char *s, int help, char *out, size_t cap)
{
    size_t n = 0;
    for (; *s; s++) {
        char esc = *s == '\\' ? '\\' : *s == '\n' ? 'n' : (*s == '"' && !help) ? '"' : 0;
        if (esc) {
            if (n + 1 < cap)
                out[n] = '\\';
            n++;
        }
        if (n + 1 < cap)
            out[n] = esc ? esc : *s;
        n++;
    }
    if (cap > 0)
        out[n < cap ? n : cap - 1] = '\0';
    return n;
}

void fm_metrics_format_value(double v, char *out, size_t cap)
{
    if (isnan(v))
        snprintf(out, cap, "NaN");
    else if (isinf(v))
        snprintf(out, cap, "%s", v > 0 ? "+Inf" : "-Inf");
    else if (v == floor(v) &&
             fabs(v) < 9007199254740992.0) /* 2^53: exact integers print without a fraction */
        snprintf(out, cap, "%.0f", v);
    else
        snprintf(out, cap, "%.17g", v);
}

/* A growing text buffer; on a failed allocation it stays failed and render reports FM_ENOMEM. */
typedef struct text {
    char *data;
    size_t len, cap;
    int failed;
} text;

static int reserve(text *t, size_t more)
{
    if (t->failed)
        return 0;
    if (t->len + more + 1 <= t->cap)
        return 1;
    size_t cap = t->cap ? t->cap : 4096;
    while (cap < t->len + more + 1)
        cap *= 2;
    char *grown = realloc(t->data, cap);
    if (grown == NULL) {
        t->failed = 1;
        return 0;
    }
    t->data = grown;
    t->cap = cap;
    return 1;
}

static void put(text *t, const char *s, size_t n)
{
    if (!reserve(t, n))
        return;
    memcpy(t->data + t->len, s, n);
    t->len += n;
    t->data[t->len] = '\0';
}

static void puts_(text *t, const char *s)
{
    put(t, s, strlen(s));
}

static void put_escaped(text *t, const char *s, int help)
{
    size_t need = fm_metrics_escape(s, help, NULL, 0);
    if (!reserve(t, need))
        return;
    fm_metrics_escape(s, help, t->data + t->len, need + 1);
    t->len += need;
}

/* name{labels[,le="..."]} value\n */
static void put_sample(text *t, const fm_metric *f, const char *suffix, const series *s, const char *le,
                       double value)
{
    char num[64];
    puts_(t, f->name);
    puts_(t, suffix);
    if (f->label_count > 0 || le != NULL) {
        puts_(t, "{");
        for (size_t k = 0; k < f->label_count; k++) {
            if (k > 0)
                puts_(t, ",");
            puts_(t, f->label_names[k]);
            puts_(t, "=\"");
            put_escaped(t, s->labels[k], 0);
            puts_(t, "\"");
        }
        if (le != NULL) {
            puts_(t, f->label_count > 0 ? ",le=\"" : "le=\"");
            puts_(t, le);
            puts_(t, "\"");
        }
        puts_(t, "}");
    }
    fm_metrics_format_value(value, num, sizeof num);
    puts_(t, " ");
    puts_(t, num);
    puts_(t, "\n");
}

static void render_family(text *t, const fm_metric *f)
{
    static const char *const type_names[] = {"counter", "gauge", "histogram"};
    static const series zero = {0};
    if (f->count == 0 && (f->label_count > 0 || f->type == FM_METRIC_HISTOGRAM))
        return; /* nothing observed yet: no sample to show */
    puts_(t, "# HELP ");
    puts_(t, f->name);
    puts_(t, " ");
    put_escaped(t, f->help, 1);
    puts_(t, "\n# TYPE ");
    puts_(t, f->name);
    puts_(t, " ");
    puts_(t, type_names[f->type]);
    puts_(t, "\n");
    if (f->count == 0) {
        put_sample(t, f, "", &zero, NULL, 0);
        return;
    }
    for (size_t i = 0; i < f->count; i++) {
        const series *s = f->items[i];
        if (f->type != FM_METRIC_HISTOGRAM) {
            put_sample(t, f, "", s, NULL, s->value);
            continue;
        }
        uint64_t cumulative = 0;
        char le[64];
        for (size_t b = 0; b < f->bound_count; b++) {
            cumulative += s->buckets[b];
            fm_metrics_format_value(f->bounds[b], le, sizeof le);
            if (strcmp(le, "+Inf") != 0 && f->bounds[b] != floor(f->bounds[b]))
                snprintf(le, sizeof le, "%g", f->bounds[b]); /* 0.005, not 0.0050000000000000001 */
            put_sample(t, f, "_bucket", s, le, (double)cumulative);
        }
        cumulative += s->buckets[f->bound_count];
        put_sample(t, f, "_bucket", s, "+Inf", (double)cumulative);
        put_sample(t, f, "_sum", s, NULL, s->sum);
        put_sample(t, f, "_count", s, NULL, (double)s->count);
    }
}

fm_status fm_metrics_render(fm_metrics *m, char **out, size_t *len)
{
    text t = {0};
    if (reserve(&t, 0))
        t.data[0] = '\0'; /* no family with a sample: an empty body */
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; i < m->count; i++)
        render_family(&t, m->families[i]);
    pthread_mutex_unlock(&m->lock);
    if (t.failed) {
        free(t.data);
        return FM_ENOMEM;
    }
    *out = t.data;
    *len = t.len;
    return FM_OK;
}
