/* wg_test_util.h — helpers for the wavegen tests: run the real binary, read its output line by line,
 * and a small string set. Test-only; header-only so each test is one file. */
#ifndef WG_TEST_UTIL_H
#define WG_TEST_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Runs famins-wavegen with the given arguments (a printf format); returns its exit status. */
static inline int wg_test_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline int wg_test_run(const char *fmt, ...)
{
    char args[4096], cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "'%s' %s --quiet --plan-dir '%s' 2>/dev/null", WAVEGEN_BIN, args,
             WAVEGEN_PLANS);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* A fresh temporary path "<dir>/wg-<pid>-<name>". */
static inline void wg_test_path(char *buf, size_t len, const char *name)
{
    const char *dir = getenv("TMPDIR");
    snprintf(buf, len, "%s/wg-%d-%s", dir && dir[0] ? dir : "/tmp", (int)getpid(), name);
}

/* Reads the whole file; NULL when unreadable. *len receives the size. Caller frees. */
static inline char *wg_test_slurp(const char *path, size_t *len)
{
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf != NULL)
        buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Splits buf in place at '\n' into lines; returns a malloc'd array of pointers (caller frees) and the
 * lengths in *lens (malloc'd too). */
static inline char **wg_test_lines(char *buf, size_t len, size_t **lens, size_t *n)
{
    size_t cap = 1024, k = 0;
    char **lines = malloc(cap * sizeof *lines);
    *lens = malloc(cap * sizeof **lens);
    size_t start = 0;
    for (size_t i = 0; i < len; i++)
        if (buf[i] == '\n') {
            if (k == cap) {
                cap *= 2;
                lines = realloc(lines, cap * sizeof *lines);
                *lens = realloc(*lens, cap * sizeof **lens);
            }
            buf[i] = '\0';
            lines[k] = buf + start;
            (*lens)[k++] = i - start;
            start = i + 1;
        }
    *n = k;
    return lines;
}

/* An open-addressing set of strings (copies), for event ids and identity numbers in tests. */
typedef struct wg_set {
    char **slots;
    size_t cap, n;
} wg_set;

static inline uint64_t wg_set_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static inline void wg_set_init(wg_set *s, size_t cap)
{
    s->cap = cap;
    s->n = 0;
    s->slots = calloc(cap, sizeof *s->slots);
}

/* Returns true when s was already present; adds it otherwise. The set never fills in our tests
 * (cap is sized at four times the entries). */
static inline bool wg_set_add(wg_set *s, const char *str)
{
    size_t i = wg_set_hash(str) % s->cap;
    while (s->slots[i] != NULL) {
        if (strcmp(s->slots[i], str) == 0)
            return true;
        i = (i + 1) % s->cap;
    }
    s->slots[i] = strdup(str);
    s->n++;
    return false;
}

static inline bool wg_set_has(const wg_set *s, const char *str)
{
    size_t i = wg_set_hash(str) % s->cap;
    while (s->slots[i] != NULL) {
        if (strcmp(s->slots[i], str) == 0)
            return true;
        i = (i + 1) % s->cap;
    }
    return false;
}

static inline void wg_set_free(wg_set *s)
{
    for (size_t i = 0; i < s->cap; i++)
        free(s->slots[i]);
    free(s->slots);
}

#endif
