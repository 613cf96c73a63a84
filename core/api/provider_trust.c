/* SPDX-License-Identifier: Apache-2.0 */
/* Where one-time codes of trusted applications go is a matter of applications:trust. */
#include "api/provider_trust.h"
#include "api/applications.h"
#include "iam/providers.h"
#include "server/store.h"

#include <string.h>

static const char refusal[] = "Permission applications:trust is required to change where the "
                              "one-time codes of a first-party or portcullis:manage application "
                              "are sent";

/* How many providers of `kind` the tenant has (providers are few); -1 on a store failure. */
static int count_of_kind(pc_req *rq, const char *kind)
{
    pc_store_query q = {.filters = NULL, .after = NULL, .limit = 1000, .descending = 0};
    json_t *rows = NULL, *v;
    size_t i;
    int n = 0;

    if (pc_db_list(NULL, PC_ENT_PROVIDER, rq->tenant->id, &q, &rows) != PC_OK)
        return -1;
    json_array_foreach (rows, i, v)
        n += strcmp(json_string_value(json_object_get(v, "kind")), kind) == 0;
    json_decref(rows);
    return n;
}

/* Is a trusted application linked to the provider `id`? 1, 0, or -1 on a store failure. */
static int linked_to_trusted(pc_req *rq, const char *id)
{
    json_t *apps = NULL, *v, *app;
    size_t i;
    int found = 0;

    if (PC_DB->link_list(PC_DBS, NULL, PC_LINK_APP_PROVIDER, rq->tenant->id, id, 1, &apps) != PC_OK)
        return -1;
    json_array_foreach (apps, i, v) {
        app = NULL;
        if (found == 0 && pc_db_get(NULL, PC_ENT_APPLICATION, rq->tenant->id, "id",
                                    json_string_value(v), &app) == PC_OK)
            found = pc_api_app_trusted(app);
        json_decref(app);
    }
    json_decref(apps);
    return found;
}

/* May `prov` (as stored, or about to be) send a trusted application's codes? 1, 0 or -1. */
static int serves_trusted(pc_req *rq, const json_t *prov, int creating)
{
    int n;

    if (json_is_true(json_object_get(json_object_get(prov, "config"), "default")))
        return 1;
    n = count_of_kind(rq, json_string_value(json_object_get(prov, "kind")));
    if (n < 0)
        return -1;
    if (n == (creating ? 0 : 1))
        return 1; /* the only one of its kind is the tenant's default */
    return creating ? 0 : linked_to_trusted(rq, json_string_value(json_object_get(prov, "id")));
}

static int routing_changed(const json_t *before, const json_t *after)
{
    const json_t *a = json_object_get(after, "config"), *b = json_object_get(before, "config");

    return pc_provider_destination_changed(a, b) || json_is_true(json_object_get(a, "default")) !=
                                                        json_is_true(json_object_get(b, "default"));
}

int pc_api_may_change_provider(pc_req *rq, const pc_principal *p, const json_t *before,
                               const json_t *after)
{
    int s;

    if (before != NULL && !routing_changed(before, after))
        return 1;
    s = serves_trusted(rq, before ? before : after, before == NULL);
    if (s == 0 && before != NULL)
        s = serves_trusted(rq, after, 0);
    if (s < 0) {
        pc_api_store_error(rq, PC_ERR_STORAGE, NULL);
        return 0;
    }
    return s == 0 || pc_api_require_trust(rq, p, refusal);
}

int pc_api_may_route_app_codes(pc_req *rq, const pc_principal *p, const json_t *app)
{
    return !pc_api_app_trusted(app) || pc_api_require_trust(rq, p, refusal);
}
