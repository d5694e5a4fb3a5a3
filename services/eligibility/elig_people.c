/* elig_people.c — what the database keeps of a listed person: a keyed hash, a mask, birth date and sex. */
#include "elig_people.h"

#include <string.h>

fm_status elig_person_read(const char *secret, const char *id_number, fm_date today, elig_person *out,
                           fm_error *err)
{
    memset(out, 0, sizeof *out);
    if (secret == NULL || secret[0] == '\0') {
        fm_error_set(err, "FAMINS_PERSON_KEY_SECRET", "EMPTY", "the person key secret is empty");
        return FM_EINVAL;
    }
    fm_person_mask(id_number != NULL ? id_number : "", out->masked);
    fm_idnum id;
    if (id_number == NULL || fm_idnum_parse(id_number, today, &id, NULL) != FM_OK)
        return FM_OK;
    /* The canonical form, so that a lowercase check character matches the same person. */
    if (fm_person_key(secret, id.canonical, out->key) != FM_OK) {
        memset(out, 0, sizeof *out);
        fm_error_set(err, "FAMINS_PERSON_KEY_SECRET", "EMPTY", "the person key could not be computed");
        return FM_EINVAL;
    }
    out->valid = true;
    out->birth_date = id.birth_date;
    out->sex = id.sex;
    return FM_OK;
}

const char *elig_sex_code(fm_sex sex)
{
    return sex == FM_SEX_MALE ? "M" : "F";
}
