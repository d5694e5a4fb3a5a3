/* fm_keyring.c — the person-key secrets in force: the current one for new records, older ones for lookups. */
#include "fm_keyring.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Overwrites through a volatile pointer: a plain memset of memory about to be dropped may be optimised
 * out. */
static void wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n-- > 0)
        *v++ = 0;
}

static fm_status put_key(fm_keyring *ring, const char *id, const char *secret, const char *where,
                         fm_error *err)
{
    if (!fm_person_key_id_valid(id)) {
        fm_error_set(err, where, "BAD_KEY_ID", "%s: a key id is 1 to %d characters of a-z, 0-9 and '-'",
                     where, FM_PERSON_KEY_ID_MAX);
        return FM_EINVAL;
    }
    size_t len = secret != NULL ? strlen(secret) : 0;
    if (len == 0 || len > FM_KEYRING_SECRET_MAX) {
        fm_error_set(err, where, "BAD_SECRET", "%s: a secret is 1 to %d bytes", where, FM_KEYRING_SECRET_MAX);
        return FM_EINVAL;
    }
    for (size_t i = 0; i < ring->n; i++)
        if (strcmp(ring->keys[i].id, id) == 0) {
            fm_error_set(err, where, "DUPLICATE_KEY_ID", "%s: this key id is already in the keyring", where);
            return FM_EINVAL;
        }
    if (ring->n >= FM_KEYRING_MAX) {
        fm_error_set(err, where, "TOO_MANY_KEYS", "%s: at most %d keys (current and previous)", where,
                     FM_KEYRING_MAX);
        return FM_EINVAL;
    }
    fm_keyring_key *k = &ring->keys[ring->n++];
    memcpy(k->id, id, strlen(id) + 1);
    memcpy(k->secret, secret, len + 1);
    return FM_OK;
}

fm_status fm_keyring_init(fm_keyring *ring, const char *id, const char *secret, fm_error *err)
{
    memset(ring, 0, sizeof *ring);
    if (!fm_person_key_id_valid(id)) {
        fm_error_set(err, "FAMINS_PERSON_KEY_ID", "BAD_KEY_ID",
                     "FAMINS_PERSON_KEY_ID is 1 to %d characters of a-z, 0-9 and '-'", FM_PERSON_KEY_ID_MAX);
        return FM_EINVAL;
    }
    return put_key(ring, id, secret, "FAMINS_PERSON_KEY_SECRET", err);
}

fm_status fm_keyring_add(fm_keyring *ring, const char *id, const char *secret, fm_error *err)
{
    return put_key(ring, id, secret, "previous key", err);
}

static int blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

fm_status fm_keyring_add_lines(fm_keyring *ring, const char *text, const char *source, fm_error *err)
{
    fm_status st = FM_OK;
    char line[FM_PERSON_KEY_ID_MAX + FM_KEYRING_SECRET_MAX + 64];
    int number = 0;
    const char *p = text;
    while (st == FM_OK && *p != '\0') {
        const char *end = strchr(p, '\n');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        number++;
        char where[160];
        snprintf(where, sizeof where, "%s:%d", source, number);
        if (len >= sizeof line) {
            fm_error_set(err, where, "LINE_TOO_LONG", "%s: the line is too long for a key id and a secret",
                         where);
            st = FM_EINVAL;
            break;
        }
        memcpy(line, p, len);
        line[len] = '\0';
        p += len + (end != NULL);
        while (len > 0 && blank(line[len - 1]))
            line[--len] = '\0';
        char *s = line;
        while (blank(*s))
            s++;
        if (*s == '\0' || *s == '#')
            continue;
        char *sep = s;
        while (*sep != '\0' && !blank(*sep))
            sep++;
        if (*sep == '\0') {
            fm_error_set(err, where, "MISSING_SECRET", "%s: expected '<key id> <secret>'", where);
            st = FM_EINVAL;
            break;
        }
        *sep++ = '\0';
        while (blank(*sep))
            sep++;
        st = put_key(ring, s, sep, where, err);
    }
    wipe(line, sizeof line);
    return st;
}

/* Reads a whole file (at most max bytes) into a NUL-terminated buffer the caller frees (after wiping). */
static fm_status read_file(const char *path, size_t max, char **out, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return FM_EIO;
    char *buf = malloc(max + 2);
    if (buf == NULL) {
        fclose(f);
        return FM_ENOMEM;
    }
    size_t len = fread(buf, 1, max + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || len > max) {
        wipe(buf, max + 2);
        free(buf);
        return bad ? FM_EIO : FM_EINVAL;
    }
    buf[len] = '\0';
    *out = buf;
    *len_out = len;
    return FM_OK;
}

static void free_wiped(char *buf, size_t len)
{
    if (buf != NULL) {
        wipe(buf, len);
        free(buf);
    }
}

static fm_status file_problem(fm_error *err, const char *setting, fm_status st)
{
    if (st == FM_ENOMEM)
        fm_error_set(err, setting, "NO_MEMORY", "out of memory reading the file of %s", setting);
    else if (st == FM_EINVAL)
        fm_error_set(err, setting, "TOO_LARGE", "the file named by %s is too large", setting);
    else
        fm_error_set(err, setting, "UNREADABLE", "the file named by %s cannot be read", setting);
    return st == FM_ENOMEM ? FM_ENOMEM : FM_ECONFIG;
}

fm_status fm_keyring_from_settings(const fm_settings *settings, fm_keyring *ring, bool *dev_secret,
                                   fm_error *err)
{
    const char *id = fm_settings_str(settings, "FAMINS_PERSON_KEY_ID");
    const char *secret = fm_settings_str(settings, "FAMINS_PERSON_KEY_SECRET");
    const char *secret_file = fm_settings_str(settings, "FAMINS_PERSON_KEY_SECRET_FILE");
    const char *previous_file = fm_settings_str(settings, "FAMINS_PERSON_KEY_PREVIOUS_FILE");
    char *buf = NULL;
    size_t len = 0;
    fm_status st;
    memset(ring, 0, sizeof *ring);
    if (dev_secret != NULL)
        *dev_secret = false;
    if (secret[0] != '\0' && secret_file[0] != '\0') {
        fm_error_set(err, "FAMINS_PERSON_KEY_SECRET", "AMBIGUOUS",
                     "set FAMINS_PERSON_KEY_SECRET or FAMINS_PERSON_KEY_SECRET_FILE, not both");
        return FM_ECONFIG;
    }
    if (secret_file[0] != '\0') {
        if ((st = read_file(secret_file, FM_KEYRING_SECRET_MAX + 2, &buf, &len)) != FM_OK)
            return file_problem(err, "FAMINS_PERSON_KEY_SECRET_FILE", st);
        if (len > 0 && buf[len - 1] == '\n')
            buf[--len] = '\0';
        if (len > 0 && buf[len - 1] == '\r')
            buf[--len] = '\0';
        if (len == 0 || memchr(buf, '\0', len) != NULL) {
            free_wiped(buf, len + 1);
            fm_error_set(err, "FAMINS_PERSON_KEY_SECRET_FILE", "EMPTY",
                         "the file named by FAMINS_PERSON_KEY_SECRET_FILE holds no secret (or a NUL byte)");
            return FM_ECONFIG;
        }
        secret = buf;
    } else if (secret[0] == '\0') {
        if (fm_settings_int(settings, "FAMINS_ALLOW_DEV_PERSON_KEY") != 1) {
            fm_error_set(err, "FAMINS_PERSON_KEY_SECRET", "REQUIRED",
                         "FAMINS_PERSON_KEY_SECRET or FAMINS_PERSON_KEY_SECRET_FILE must be set "
                         "(FAMINS_ALLOW_DEV_PERSON_KEY=1 for a development stack)");
            return FM_ECONFIG;
        }
        secret = FM_KEYRING_DEV_SECRET;
        if (dev_secret != NULL)
            *dev_secret = true;
    }
    st = fm_keyring_init(ring, id, secret, err);
    free_wiped(buf, len + 1);
    if (st != FM_OK)
        return FM_ECONFIG;
    if (previous_file[0] != '\0') {
        size_t max = (size_t)FM_KEYRING_MAX * (FM_PERSON_KEY_ID_MAX + FM_KEYRING_SECRET_MAX + 64) * 4;
        if ((st = read_file(previous_file, max, &buf, &len)) != FM_OK) {
            fm_keyring_clear(ring);
            return file_problem(err, "FAMINS_PERSON_KEY_PREVIOUS_FILE", st);
        }
        st = fm_keyring_add_lines(ring, buf, "FAMINS_PERSON_KEY_PREVIOUS_FILE", err);
        free_wiped(buf, len + 1);
        if (st != FM_OK) {
            fm_keyring_clear(ring);
            return FM_ECONFIG;
        }
    }
    return FM_OK;
}

fm_status fm_keyring_person_key(const fm_keyring *ring, size_t i, const char *id_number,
                                char out[FM_PERSON_KEY_LEN])
{
    if (i >= ring->n)
        return FM_EINVAL;
    return fm_person_key(ring->keys[i].id, ring->keys[i].secret, id_number, out);
}

void fm_keyring_clear(fm_keyring *ring)
{
    wipe(ring, sizeof *ring);
}
