/* fm_paths.c — where a program finds its data folders: next to the installed program, or in its build's
 * source. */
#include "fm_paths.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The way from the programs' folder to the data folder, from GNUInstallDirs (common/base/CMakeLists.txt):
 * relative ("../share/famins"), so that an installed tree can be moved as a whole. */
#ifndef FAMINS_DATA_FROM_BIN
#error "FAMINS_DATA_FROM_BIN must be defined by the build"
#endif

static const struct {
    const char *name;   /* under <prefix>/share/famins/ */
    const char *source; /* in the source tree */
} data_dirs[] = {
    {"plans", "schemas/plans"},
    {"sql", "schemas/sql"},
    {"places", "schemas/places"},
    {"schemas", "schemas/events"},
};

const char *fm_paths_source_subdir(const char *name)
{
    for (size_t i = 0; i < sizeof data_dirs / sizeof data_dirs[0]; i++)
        if (strcmp(data_dirs[i].name, name) == 0)
            return data_dirs[i].source;
    return NULL;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Appends rel to the absolute folder held in out (len bytes, no trailing '/', "" for the root) lexically:
 * ".." drops the last component, "." and empty components vanish. /proc/self/exe has its symbolic links
 * resolved, so the lexical result is the real folder. FM_EINVAL when it does not fit in cap. */
static fm_status append(char *out, size_t *len, size_t cap, const char *rel)
{
    for (const char *p = rel; *p != '\0';) {
        while (*p == '/')
            p++;
        size_t n = strcspn(p, "/");
        if (n == 0)
            break;
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            char *slash = strrchr(out, '/');
            *len = slash != NULL ? (size_t)(slash - out) : 0;
            out[*len] = '\0';
        } else if (!(n == 1 && p[0] == '.')) {
            if (*len + 1 + n >= cap)
                return FM_EINVAL;
            out[(*len)++] = '/';
            memcpy(out + *len, p, n);
            *len += n;
            out[*len] = '\0';
        }
        p += n;
    }
    return FM_OK;
}

/* out = base + "/" + rel, normalised (base absolute). */
static fm_status join(const char *base, const char *rel, char *out, size_t cap)
{
    size_t len = 0;
    if (cap == 0)
        return FM_EINVAL;
    out[0] = '\0';
    if (rel[0] != '/' && append(out, &len, cap, base) != FM_OK)
        return FM_EINVAL;
    if (append(out, &len, cap, rel) != FM_OK)
        return FM_EINVAL;
    if (len == 0) {
        if (cap < 2)
            return FM_EINVAL;
        strcpy(out, "/");
    }
    return FM_OK;
}

/* The source tree named by the marker beside the program, into src; 0 when there is none (or it is not one
 * absolute path). */
static int read_marker(const char *exe_dir, char *src, size_t cap)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", exe_dir, FM_PATHS_BUILD_TREE_MARKER) >= (int)sizeof path)
        return 0;
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    int ok = fgets(src, (int)cap, f) != NULL;
    fclose(f);
    if (!ok)
        return 0;
    src[strcspn(src, "\r\n")] = '\0';
    return src[0] == '/';
}

fm_status fm_paths_data_dir_for(const char *exe_path, const char *name, char *out, size_t cap, fm_error *err)
{
    const char *sub = fm_paths_source_subdir(name);
    if (cap > 0)
        out[0] = '\0';
    if (sub == NULL) {
        fm_error_set(err, name, "UNKNOWN_DATA_DIR", "no data folder is called '%s'", name);
        return FM_EINVAL;
    }
    const char *slash = strrchr(exe_path, '/');
    if (exe_path[0] != '/' || slash == NULL) {
        fm_error_set(err, name, "BAD_PROGRAM_PATH", "the program's path '%s' is not absolute", exe_path);
        return FM_EINVAL;
    }
    char exe_dir[PATH_MAX], rel[PATH_MAX], installed[PATH_MAX], src[PATH_MAX];
    size_t dir_len = (size_t)(slash - exe_path);
    if (dir_len >= sizeof exe_dir)
        goto too_long;
    memcpy(exe_dir, exe_path, dir_len);
    exe_dir[dir_len] = '\0';

    if (snprintf(rel, sizeof rel, "%s/%s", FAMINS_DATA_FROM_BIN, name) >= (int)sizeof rel ||
        join(exe_dir, rel, installed, sizeof installed) != FM_OK)
        goto too_long;
    if (is_dir(installed)) {
        if (strlen(installed) >= cap)
            goto too_long;
        strcpy(out, installed);
        return FM_OK;
    }
    if (read_marker(exe_dir, src, sizeof src)) {
        char in_source[PATH_MAX];
        if (join(src, sub, in_source, sizeof in_source) != FM_OK || strlen(in_source) >= cap)
            goto too_long;
        strcpy(out, in_source);
        if (is_dir(in_source))
            return FM_OK;
        fm_error_set(err, name, "DATA_DIR_NOT_FOUND",
                     "no folder %s and no folder %s (the source tree of this build)", installed, in_source);
        return FM_ENOTFOUND;
    }
    if (strlen(installed) >= cap)
        goto too_long;
    strcpy(out, installed);
    fm_error_set(err, name, "DATA_DIR_NOT_FOUND", "no folder %s (where famins installs its %s)", installed,
                 name);
    return FM_ENOTFOUND;
too_long:
    if (cap > 0)
        out[0] = '\0';
    fm_error_set(err, name, "PATH_TOO_LONG", "the %s folder's path next to %s is too long", name, exe_path);
    return FM_EINVAL;
}

fm_status fm_paths_data_dir(const char *name, char *out, size_t cap, fm_error *err)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        if (cap > 0)
            out[0] = '\0';
        fm_error_set(err, name, "NO_PROGRAM_PATH", "cannot read /proc/self/exe to find the %s folder", name);
        return FM_EIO;
    }
    exe[n] = '\0';
    return fm_paths_data_dir_for(exe, name, out, cap, err);
}

const char *fm_paths_describe(const char *name, char *buf, size_t cap)
{
    const char *sub = fm_paths_source_subdir(name);
    if (sub == NULL)
        return name;
    snprintf(buf, cap, "<program's folder>/%s/%s; in a build tree <source>/%s", FAMINS_DATA_FROM_BIN, name,
             sub);
    return buf;
}
