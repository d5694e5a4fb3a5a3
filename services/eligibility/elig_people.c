/* elig_people.c — what the database keeps of a listed person: a keyed hash, a mask, birth year and sex. */
#include "elig_people.h"

#include <string.h>

#include "fm_dates.h"

fm_status elig_person_read(const fm_keyring *ring, const char *id_number, fm_date today, elig_person *out,
                           fm_error *err)
{
    memset(out, 0, sizeof *out);
    if (ring == NULL || ring->n == 0) {
        fm_error_set(err, "FAMINS_PERSON_KEY_SECRET", "EMPTY", "the person keyring is empty");
        return FM_EINVAL;
    }
    fm_person_mask(id_number != NULL ? id_number : "", out->masked);
    fm_idnum id;
    if (id_number == NULL || fm_idnum_parse(id_number, today, &id, NULL) != FM_OK)
        return FM_OK;
    /* The canonical form, so that a lowercase check character matches the same person. */
    fm_status st = fm_keyring_person_key(ring, 0, id.canonical, out->key);
    for (size_t i = 1; i < ring->n && i < FM_KEYRING_MAX && st == FM_OK; i++)
        st = fm_keyring_person_key(ring, i, id.canonical, out->previous[out->n_previous++]);
    if (st != FM_OK) {
        memset(out, 0, sizeof *out);
        fm_error_set(err, "FAMINS_PERSON_KEY_SECRET", "EMPTY", "the person key could not be computed");
        return FM_EINVAL;
    }
    out->valid = true;
    out->birth_date = id.birth_date;
    out->sex = id.sex;
    return FM_OK;
}

int elig_year_of(fm_date d)
{
    int y = 0, m = 0, day = 0;
    fm_date_to_ymd(d, &y, &m, &day);
    return y;
}

const char *elig_sex_code(fm_sex sex)
{
    return sex == FM_SEX_MALE ? "M" : "F";
}
