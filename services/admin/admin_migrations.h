/* admin_migrations.h — numbered SQL migrations: found on disk, checksummed, applied once each, in order. */
#ifndef ADMIN_MIGRATIONS_H
#define ADMIN_MIGRATIONS_H

#include <libpq-fe.h>
#include <stddef.h>

#include "fm_error.h"
#include "fm_log.h"

typedef struct admin_migration {
    int version;    /* from the file name NNN_name.sql */
    char name[256]; /* the file name */
    char *sql;      /* owned: the file's text */
    size_t sql_len;
    char checksum[65]; /* SHA-256 of the text, hex */
} admin_migration;

typedef struct admin_migration_set {
    admin_migration *items; /* owned, sorted by version */
    size_t count;
} admin_migration_set;

/* 1 when name is a migration file name ("001_foundation.sql": three or more digits, '_', [a-z0-9_]+, ".sql"),
 * filling *version. */
int admin_migration_name_parse(const char *name, int *version);

/* The checksum of a migration's text: SHA-256 hex of exactly the bytes of the file. FM_ENOMEM
 * when libcrypto could not. */
fm_status admin_migration_checksum(const char *sql, size_t len, char out[65]);

/* A migration's text without its role comments: every line that is a whole `COMMENT ON ROLE ... IS '...';`
 * statement is blanked (other lines are kept byte for byte, so line numbers in errors still match the file).
 * A role comment is cluster-wide and needs CREATEROLE, which the migrating role must not have (in PostgreSQL
 * 15 CREATEROLE can grant pg_execute_server_program); the bootstrap that creates the roles sets their
 * comments. *out is malloc'ed (caller frees); *removed gets the number of blanked lines. FM_ENOMEM. */
fm_status admin_migration_without_role_comments(const char *sql, char **out, int *removed);

/* Reads every migration file of dir, sorted by version. FM_EIO when the folder cannot be read,
 * FM_EINVAL for two files with one version (err names both). Caller frees with admin_migrations_free(). */
fm_status admin_migrations_scan(const char *dir, admin_migration_set *out, fm_error *err);
void admin_migrations_free(admin_migration_set *set);

/* Applies what is not applied yet, each in its own transaction recorded in famins_meta.schema_migrations with
 * its checksum (of the file; a role without CREATEROLE applies it without its role comments, see above),
 * under an advisory lock so that two admins never race. A migration applied before whose file changed since
 * is refused: FM_ECONFLICT, nothing applied, err names the file. *applied gets the count. */
fm_status admin_migrations_apply(PGconn *conn, const admin_migration_set *set, const fm_logger *logger,
                                 int *applied, fm_error *err);

#endif
