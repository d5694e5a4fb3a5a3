/* fm_error.h — the status codes every famins function returns, and the detail of an input error. */
#ifndef FM_ERROR_H
#define FM_ERROR_H

#include <stddef.h>

/* Every fallible famins function returns an fm_status: FM_OK (0) on success, else one of these.
 * Out-parameters are only written on FM_OK unless the function says otherwise. */
typedef enum fm_status {
    FM_OK = 0,
    FM_EINVAL,    /* bad input: the fm_error, when given, says where and why */
    FM_ENOMEM,    /* an allocation failed */
    FM_EIO,       /* a file or socket could not be read or written */
    FM_EDB,       /* PostgreSQL refused or the connection is gone */
    FM_EKAFKA,    /* the Kafka client or broker refused */
    FM_ENOTFOUND, /* the thing asked for does not exist */
    FM_ECONFLICT, /* it exists already, differently (a changed migration, an event id reused) */
    FM_ETIMEDOUT, /* a bounded wait ran out */
    FM_ECONFIG    /* the configuration is wrong */
} fm_status;

/* The detail of an input error: a JSON path ("members[2].role"), a stable code ("NOT_ONE_OF")
 * and a sentence for people. Fixed-size so that filling it can never fail. */
typedef struct fm_error {
    char path[160];
    char code[48];
    char text[256];
} fm_error;

/* The fm_error code of an allocation failure, whoever reports it (with FM_ENOMEM). */
#define FM_NO_MEMORY "NO_MEMORY"

/* Returns the stable name of a status ("FM_EINVAL"); never NULL. */
const char *fm_status_name(fm_status status);

/* Fills err (when not NULL) with path, code and a printf-style text, truncating each to fit. */
void fm_error_set(fm_error *err, const char *path, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Empties err (when not NULL). */
void fm_error_clear(fm_error *err);

#endif
