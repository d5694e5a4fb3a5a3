/* admin_district.h — famins-admin district-role UNIT ROLE: binds an association's login to its unit. */
#ifndef ADMIN_DISTRICT_H
#define ADMIN_DISTRICT_H

#include <libpq-fe.h>

#include "fm_error.h"
#include "fm_log.h"

/* Binds the existing login role to the managing unit (famins.bind_district_login of migration 065): from then
 * on it reads that unit's rows of the reporting and data-sharing views and nothing else. Moving a role to
 * another unit is binding it again. FM_EINVAL (err: a bad unit code or role name, a superuser, a famins role
 * or a member of one), FM_ENOTFOUND (the role does not exist), FM_EDB. */
fm_status admin_district_bind(PGconn *conn, const char *unit, const char *role, const fm_logger *logger,
                              fm_error *err);

/* The command `famins-admin district-role UNIT ROLE` (argv[1] is "district-role"): exit 0 bound, 1 refused or
 * failed (the message says why), 2 wrong usage. */
int admin_district_main(int argc, char **argv);

#endif
