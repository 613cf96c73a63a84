/* SPDX-License-Identifier: Apache-2.0 */
/* Checks a migration needs before it runs: schema 7 refuses a store with case-duplicates. */
#include "sql_internal.h"

#include <stdio.h>
#include <string.h>

#define SHOWN 20

/* Usernames, and emails, of one tenant that are equal without regard to case. */
static const char duplicates_sql[] =
    "SELECT t.slug, 'username', lower(u.username), count(*) FROM users u"
    " JOIN tenants t ON t.id = u.tenant_id GROUP BY t.slug, lower(u.username)"
    " HAVING count(*) > 1"
    " UNION ALL SELECT t.slug, 'email', lower(u.email), count(*) FROM users u"
    " JOIN tenants t ON t.id = u.tenant_id WHERE u.email IS NOT NULL"
    " GROUP BY t.slug, lower(u.email) HAVING count(*) > 1 LIMIT 20";

static void log_duplicates(sql_store *st, const sql_result *r)
{
    char msg[4096];
    size_t len = 0;

    len += (size_t)snprintf(msg, sizeof msg,
                            "schema 7 makes usernames and emails unique without regard to case, "
                            "and these are not (tenant, field, value, users):");
    for (size_t i = 0; i < r->nrows && i < SHOWN && len < sizeof msg; i++)
        len +=
            (size_t)snprintf(msg + len, sizeof msg - len, " [%s %s \"%s\" x%s]", sql_cell(r, i, 0),
                             sql_cell(r, i, 1), sql_cell(r, i, 2), sql_cell(r, i, 3));
    if (len < sizeof msg)
        snprintf(
            msg + len, sizeof msg - len,
            "; rename or merge them (docs/people.md, \"Case-duplicates\"), then migrate again");
    if (st->host != NULL)
        st->host->log(PC_LOG_ERROR, st->drv->name, "%s", msg);
}

pc_status sql_migration_check(sql_store *st, sql_conn *c, int to_version)
{
    sql_result *r = NULL;
    pc_status rc;

    if (to_version != 7)
        return PC_OK;
    rc = st->drv->query(c, duplicates_sql, NULL, 0, &r);
    if (rc != PC_OK)
        return PC_ERR_STORAGE;
    if (r->nrows > 0) {
        log_duplicates(st, r);
        rc = PC_ERR_CONFLICT;
    }
    sql_result_free(r);
    return rc;
}
