/* admin_migrations.c — numbered SQL migrations: found on disk, checksummed, applied once each, in order. */
#include "admin_migrations.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fm_pg.h"
#include "fm_sha256.h"

/* Any fixed number: the advisory lock that serialises migration runs across admins. */
#define ADMIN_MIGRATION_LOCK_KEY "7311529001"

int admin_migration_name_parse(const char *name, int *version)
{
    size_t len = strlen(name);
    size_t digits = 0;
    while (isdigit((unsigned char)name[digits]))
        digits++;
    if (digits < 3 || digits > 6 || name[digits] != '_' || len < digits + 6 ||
        strcmp(name + len - 4, ".sql") != 0)
        return 0;
    for (size_t i = digits + 1; i < len - 4; i++)
        if (!islower((unsigned char)name[i]) && !isdigit((unsigned char)name[i]) && name[i] != '_')
            return 0;
    *version = atoi(name);
    return 1;
}

fm_status admin_migration_checksum(const char *sql, size_t len, char out[65])
{
    return fm_sha256_hex(sql, len, out);
}

/* 1 when the line [p, end) is one whole role comment: COMMENT ON ROLE <name> IS '<text>'; (spaces around). */
static int is_role_comment(const char *p, const char *end)
{
    static const char head[] = "COMMENT ON ROLE ";
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        end--;
    if ((size_t)(end - p) < sizeof head + 5 || strncasecmp(p, head, sizeof head - 1) != 0 || end[-1] != ';' ||
        end[-2] != '\'')
        return 0;
    const char *is = strstr(p, " IS '");
    return is != NULL && is < end - 2;
}

fm_status admin_migration_without_role_comments(const char *sql, char **out, int *removed)
{
    size_t len = strlen(sql);
    char *copy = malloc(len + 1);
    if (copy == NULL)
        return FM_ENOMEM;
    memcpy(copy, sql, len + 1);
    *removed = 0;
    for (char *line = copy; *line != '\0';) {
        char *end = strchr(line, '\n');
        if (end == NULL)
            end = line + strlen(line);
        if (is_role_comment(line, end)) {
            memset(line, ' ', (size_t)(end - line));
            (*removed)++;
        }
        line = *end == '\n' ? end + 1 : end;
    }
    *out = copy;
    return FM_OK;
}

static fm_status read_file(const char *path, char **out, size_t *len, fm_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        goto fail;
    if (fseek(f, 0, SEEK_END) != 0)
        goto fail;
    long size = ftell(f);
    if (size < 0 || fseek(f, 0, SEEK_SET) != 0)
        goto fail;
    char *buf = malloc((size_t)size + 1);
    if (buf == NULL) {
        fclose(f);
        return FM_ENOMEM;
    }
    if (fread(buf, 1, (size_t)size, f) != (size_t)size) {
        free(buf);
        goto fail;
    }
    buf[size] = '\0';
    fclose(f);
    *out = buf;
    *len = (size_t)size;
    return FM_OK;
fail:
    fm_error_set(err, path, "UNREADABLE", "cannot read %s: %s", path, strerror(errno));
    if (f != NULL)
        fclose(f);
    return FM_EIO;
}

static int by_version(const void *a, const void *b)
{
    const admin_migration *x = a, *y = b;
    return (x->version > y->version) - (x->version < y->version);
}

fm_status admin_migrations_scan(const char *dir, admin_migration_set *out, fm_error *err)
{
    admin_migration_set set = {0};
    fm_status st = FM_OK;
    DIR *d = opendir(dir);
    if (d == NULL) {
        fm_error_set(err, dir, "UNREADABLE", "cannot open the migrations folder %s: %s", dir,
                     strerror(errno));
        return FM_EIO;
    }
    size_t capacity = 0;
    struct dirent *entry;
    while ((entry = readdir(d)) != NULL) {
        int version;
        if (!admin_migration_name_parse(entry->d_name, &version))
            continue;
        if (set.count == capacity) {
            capacity = capacity ? capacity * 2 : 16;
            admin_migration *grown = realloc(set.items, capacity * sizeof *grown);
            if (grown == NULL) {
                st = FM_ENOMEM;
                goto fail;
            }
            set.items = grown;
        }
        admin_migration *m = &set.items[set.count];
        memset(m, 0, sizeof *m);
        m->version = version;
        snprintf(m->name, sizeof m->name, "%s", entry->d_name);
        char path[4352];
        snprintf(path, sizeof path, "%s/%s", dir, entry->d_name);
        st = read_file(path, &m->sql, &m->sql_len, err);
        if (st != FM_OK)
            goto fail;
        set.count++; /* owned by set now: freed on the way out */
        if ((st = admin_migration_checksum(m->sql, m->sql_len, m->checksum)) != FM_OK) {
            fm_error_set(err, path, "NO_MEMORY", "out of memory computing the checksum");
            goto fail;
        }
    }
    qsort(set.items, set.count, sizeof *set.items, by_version);
    for (size_t i = 1; i < set.count; i++)
        if (set.items[i].version == set.items[i - 1].version) {
            fm_error_set(err, dir, "DUPLICATE_VERSION", "%s and %s have the same number",
                         set.items[i - 1].name, set.items[i].name);
            st = FM_EINVAL;
            goto fail;
        }
    closedir(d);
    *out = set;
    return FM_OK;
fail:
    closedir(d);
    admin_migrations_free(&set);
    return st;
}

void admin_migrations_free(admin_migration_set *set)
{
    for (size_t i = 0; i < set->count; i++)
        free(set->items[i].sql);
    free(set->items);
    set->items = NULL;
    set->count = 0;
}

static const char *const create_meta_sql = "CREATE SCHEMA IF NOT EXISTS famins_meta;"
                                           "CREATE TABLE IF NOT EXISTS famins_meta.schema_migrations ("
                                           "  version integer PRIMARY KEY,"
                                           "  name text NOT NULL,"
                                           "  checksum text NOT NULL,"
                                           "  applied_at timestamptz NOT NULL DEFAULT now())";

/* Refuses the whole run when an applied migration's file changed: nothing may be applied on top of a
 * history that no longer matches the files. */
static fm_status check_applied(PGconn *conn, const admin_migration_set *set, const fm_logger *logger,
                               fm_error *err)
{
    PGresult *res = NULL;
    fm_status st = fm_pg_query(
        conn, "SELECT version, name, checksum FROM famins_meta.schema_migrations ORDER BY version", 0, NULL,
        &res, err);
    if (st != FM_OK)
        return st;
    for (int row = 0; row < PQntuples(res); row++) {
        int version = atoi(PQgetvalue(res, row, 0));
        const char *name = PQgetvalue(res, row, 1);
        const char *checksum = PQgetvalue(res, row, 2);
        const admin_migration *found = NULL;
        for (size_t i = 0; i < set->count; i++)
            if (set->items[i].version == version)
                found = &set->items[i];
        if (found == NULL) {
            fm_log(logger, FM_LOG_WARN, "migration_file_missing", "version=%d name=%s", version, name);
            continue;
        }
        if (strcmp(found->checksum, checksum) != 0) {
            fm_error_set(
                err, found->name, "MIGRATION_CHANGED",
                "migration %s was changed after it was applied (applied checksum %.12s…, file now %.12s…); "
                "restore the file and put the change in a new migration",
                found->name, checksum, found->checksum);
            st = FM_ECONFLICT;
            break;
        }
    }
    PQclear(res);
    return st;
}

static int is_applied(PGconn *conn, int version, fm_error *err, fm_status *st)
{
    char text[16];
    snprintf(text, sizeof text, "%d", version);
    const char *params[] = {text};
    PGresult *res = NULL;
    *st = fm_pg_query(conn, "SELECT 1 FROM famins_meta.schema_migrations WHERE version = $1", 1, params, &res,
                      err);
    if (*st != FM_OK)
        return 0;
    int applied = PQntuples(res) > 0;
    PQclear(res);
    return applied;
}

static fm_status apply_one(PGconn *conn, const admin_migration *m, int can_comment_roles,
                           const fm_logger *logger, fm_error *err)
{
    char *sql = NULL;
    int removed = 0;
    if (!can_comment_roles && admin_migration_without_role_comments(m->sql, &sql, &removed) != FM_OK) {
        fm_error_set(err, m->name, "NO_MEMORY", "out of memory reading %s", m->name);
        return FM_ENOMEM;
    }
    if (removed > 0)
        fm_log(logger, FM_LOG_INFO, "migration_role_comments_left",
               "name=%s count=%d reason=\"cluster-wide, set by "
               "the bootstrap; the migrating role has no CREATEROLE\"",
               m->name, removed);
    fm_status st = fm_pg_exec(conn, "BEGIN", err);
    if (st == FM_OK)
        st = fm_pg_exec(conn, sql != NULL ? sql : m->sql, err);
    free(sql);
    if (st != FM_OK) {
        char server[256];
        snprintf(server, sizeof server, "%s", err->text);
        fm_error_set(err, m->name, "MIGRATION_FAILED", "migration %s failed: %s", m->name, server);
        goto fail;
    }
    char version[16];
    snprintf(version, sizeof version, "%d", m->version);
    const char *params[] = {version, m->name, m->checksum};
    PGresult *res = NULL;
    st = fm_pg_query(
        conn, "INSERT INTO famins_meta.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", 3,
        params, &res, err);
    PQclear(res);
    if (st != FM_OK)
        goto fail;
    return fm_pg_exec(conn, "COMMIT", err);
fail:
    PQclear(PQexec(conn, "ROLLBACK"));
    return st;
}

fm_status admin_migrations_apply(PGconn *conn, const admin_migration_set *set, const fm_logger *logger,
                                 int *applied, fm_error *err)
{
    *applied = 0;
    fm_status st = fm_pg_exec(conn, "SELECT pg_advisory_lock(" ADMIN_MIGRATION_LOCK_KEY ")", err);
    if (st != FM_OK)
        return st;
    /* Quiet "already exists" notices: a second run is the normal case. */
    PQclear(PQexec(conn, "SET client_min_messages = warning"));
    st = fm_pg_exec(conn, create_meta_sql, err);
    if (st == FM_OK)
        st = check_applied(conn, set, logger, err);
    int can_comment_roles = 0;
    PGresult *res = NULL;
    if (st == FM_OK &&
        (st = fm_pg_query(conn, "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user",
                          0, NULL, &res, err)) == FM_OK) {
        can_comment_roles = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
        PQclear(res);
    }
    for (size_t i = 0; st == FM_OK && i < set->count; i++) {
        const admin_migration *m = &set->items[i];
        if (is_applied(conn, m->version, err, &st) || st != FM_OK)
            continue;
        st = apply_one(conn, m, can_comment_roles, logger, err);
        if (st == FM_OK) {
            (*applied)++;
            fm_log(logger, FM_LOG_INFO, "migration_applied", "name=%s checksum=%.12s", m->name, m->checksum);
        }
    }
    fm_error scratch;
    fm_pg_exec(conn, "SELECT pg_advisory_unlock(" ADMIN_MIGRATION_LOCK_KEY ")", &scratch);
    return st;
}
