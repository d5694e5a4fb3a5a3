/* fm_error.c — names of status codes and the filling of input-error details. */
#include "fm_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *fm_status_name(fm_status status)
{
    switch (status) {
    case FM_OK: return "FM_OK";
    case FM_EINVAL: return "FM_EINVAL";
    case FM_ENOMEM: return "FM_ENOMEM";
    case FM_EIO: return "FM_EIO";
    case FM_EDB: return "FM_EDB";
    case FM_EKAFKA: return "FM_EKAFKA";
    case FM_ENOTFOUND: return "FM_ENOTFOUND";
    case FM_ECONFLICT: return "FM_ECONFLICT";
    case FM_ETIMEDOUT: return "FM_ETIMEDOUT";
    case FM_ECONFIG: return "FM_ECONFIG";
    }
    return "FM_UNKNOWN";
}

void fm_error_set(fm_error *err, const char *path, const char *code, const char *fmt, ...)
{
    if (err == NULL)
        return;
    snprintf(err->path, sizeof err->path, "%s", path ? path : "");
    snprintf(err->code, sizeof err->code, "%s", code ? code : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->text, sizeof err->text, fmt, ap);
    va_end(ap);
}

void fm_error_clear(fm_error *err)
{
    if (err != NULL)
        memset(err, 0, sizeof *err);
}
