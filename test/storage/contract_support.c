/* SPDX-License-Identifier: Apache-2.0 */
/* The storage contract suite's support: the host the plugin sees, loading it, assertions, record builders. */
#include "contract_support.h"
#include "storage_host.h"

#include <dlfcn.h>

const char *plugin_path;
const char *store_uri;
void *dl;
const pc_storage_ops *ops;
void *st;
int64_t now;
char run_id[16];
char tid[ID_LEN]; /* a fresh tenant for each case */
static unsigned id_counter;

/* ---- assertions that say what went wrong ---- */

const char *status_name(pc_status s)
{
    static const char *const names[] = {
        "PC_OK",           "PC_DECLINED",     "PC_ERR_INVALID",    "PC_ERR_NOT_FOUND",
        "PC_ERR_DENIED",   "PC_ERR_CONFLICT", "PC_ERR_STORAGE",    "PC_ERR_CRYPTO",
        "PC_ERR_INTERNAL", "PC_ERR_LIMIT",    "PC_ERR_UNAVAILABLE"};

    return (unsigned)s < sizeof names / sizeof *names ? names[s] : "(unknown status)";
}

void expect_status(pc_status got, pc_status want, const char *expr, const char *file, int line)
{
    if (got == want)
        return;
    print_error("%s\n  returned %s, expected %s\n", expr, status_name(got), status_name(want));
    _fail(file, line);
}

void expect_json(const json_t *got, const json_t *want, const char *what, const char *file,
                 int line)
{
    char *g, *w;

    if (got != NULL && json_equal((json_t *)got, (json_t *)want))
        return;
    g = got ? json_dumps(got, JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
    w = json_dumps(want, JSON_SORT_KEYS | JSON_ENCODE_ANY);
    print_error("%s\n  got:      %s\n  expected: %s\n", what, g ? g : "(NULL)", w ? w : "?");
    free(g);
    free(w);
    _fail(file, line);
}

/* ---- records are kept until the end of the case, even when it fails ---- */

static json_t *kept[1024];
static size_t nkept;

/* Release `j` (new, may be NULL) after the current case; returns it. */
json_t *keep(json_t *j)
{
    assert_true(nkept < sizeof kept / sizeof *kept);
    if (j != NULL)
        kept[nkept++] = j;
    return j;
}

int release(void **state)
{
    while (nkept > 0)
        json_decref(kept[--nkept]);
    return 0;
}

/* ---- records ---- */

/* Ids sort in creation order, like the UUIDv7 the server uses, and are unique per run. */
const char *new_id(char *buf, const char *kind)
{
    snprintf(buf, ID_LEN, "%s-%s-%06u", kind, run_id, ++id_counter);
    return buf;
}

/* get() must return `want`; the record (or NULL) is returned. */
json_t *get_rec(pc_entity ent, const char *tenant, const char *field, const char *value,
                pc_status want, const char *file, int line)
{
    json_t *out = NULL;

    expect_status(ops->get(st, NULL, ent, tenant, field, value, &out), want, "get", file, line);
    return keep(out);
}

/* For operations with a JSON out-parameter: OUT(ops->x(..., &out_)) checks PC_OK and keeps *out_. */
json_t *out_;
/* The principal's effective permissions and role names, and the ids linked to one. */

/* A new tenant; its id in tid. */
void make_tenant(char *t)
{
    char slug[ID_LEN + 8];

    new_id(t, "ten");
    snprintf(slug, sizeof slug, "slug-%s", t);
    INSERT(PC_ENT_TENANT,
           keep(json_pack("{s:s,s:s,s:s,s:{s:s,s:i},s:I}", "id", t, "slug", slug, "name", "Acme",
                          "settings", "theme", "dark", "max", 3, "created_at", (json_int_t)now)));
}

json_t *user_rec(const char *id, const char *t, const char *username, const char *email,
                 const char *name)
{
    json_t *u =
        json_pack("{s:s,s:s,s:s,s:s?,s:s?,s:n,s:s,s:I,s:I,s:n}", "id", id, "tenant_id", t,
                  "username", username, "email", email, "name", name, "phone_number",
                  "password_hash", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", "created_at",
                  (json_int_t)now, "updated_at", (json_int_t)now, "deleted_at");

    /* Schema 7 columns, as a store reads them back. */
    json_t *v7 = json_pack("{s:n,s:n,s:n,s:s,s:n,s:b,s:n,s:n}", "given_name", "family_name",
                           "picture", "status", "active", "disabled_until", "email_verified", 0,
                           "attributes", "last_login_at");

    json_object_update(u, v7);
    json_decref(v7);
    return keep(u);
}

/* A new user (inserted); the record is returned, its id in id. */
json_t *make_user(char *id, const char *t, const char *username, const char *email)
{
    json_t *u = user_rec(new_id(id, "usr"), t, username, email, NULL);

    INSERT(PC_ENT_USER, u);
    return u;
}

json_t *make_role(char *id, const char *t, const char *name, json_t *perms)
{
    json_t *r = keep(json_pack("{s:s,s:s,s:s,s:n,s:o,s:I,s:I}", "id", new_id(id, "rol"),
                               "tenant_id", t, "name", name, "description", "permissions", perms,
                               "created_at", (json_int_t)now, "updated_at", (json_int_t)now));

    INSERT(PC_ENT_ROLE, r);
    return r;
}

void make_group(char *id, const char *t, const char *name)
{
    INSERT(PC_ENT_GROUP,
           keep(json_pack("{s:s,s:s,s:s,s:s,s:I,s:I}", "id", new_id(id, "grp"), "tenant_id", t,
                          "name", name, "description", "a group", "created_at", (json_int_t)now,
                          "updated_at", (json_int_t)now)));
}

json_t *app_rec(const char *id, const char *t, const char *client_id, int first_party)
{
    return keep(json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:n,s:[ss],s:[s],s:[],s:[sss],s:[],s:b,s:I,s:I,s:n,s:b,s:n,s:n,s:n,"
        "s:n,s:n,s:n,s:b,s:n,s:n,s:n}",
        "id", id, "tenant_id", t, "client_id", client_id, "name", client_id, "type", "confidential",
        "secret_hash", "grant_types", "authorization_code", "refresh_token", "redirect_uris",
        "https://app.example/cb", "post_logout_redirect_uris", "scopes", "openid", "profile",
        "email", "resources", "first_party", first_party, "created_at", (json_int_t)now,
        "updated_at", (json_int_t)now, "default_providers", "internal", 0, "access_token_alg",
        "id_token_signed_response_alg", "token_claims", "token_endpoint_auth_method", "jwks",
        "jwks_uri", "require_par", 0, "backchannel_logout_uri", "secret_enc",
        "registration_token_hash"));
}

/* A new refresh token (inserted) with the given id. */
void make_refresh(const char *id, const char *t, const char *uid, const char *sid,
                  int64_t expires_at)
{
    INSERT(
        PC_ENT_REFRESH,
        keep(json_pack("{s:s,s:s,s:s,s:s,s:s?,s:s,s:[ss],s:I,s:i,s:s,s:I,s:I,s:n,s:n}", "id", id,
                       "tenant_id", t, "client_id", "cli", "user_id", uid, "sid", sid, "scope",
                       "openid offline_access", "amr", "pwd", "otp", "auth_time", (json_int_t)now,
                       "generation", 0, "secret_hash", "h0", "created_at", (json_int_t)now,
                       "expires_at", (json_int_t)expires_at, "rotated_at", "revoked_at")));
}

/* A new session (inserted), already ended a minute ago if `ended`. */
void make_session(const char *id, const char *t, const char *uid, int ended)
{
    json_t *s = keep(json_pack("{s:s,s:s,s:s,s:s,s:[s],s:I,s:I,s:I,s:n,s:s}", "id", id, "tenant_id",
                               t, "user_id", uid, "client_id", "cli", "amr", "pwd", "auth_time",
                               (json_int_t)now, "created_at", (json_int_t)now, "expires_at",
                               (json_int_t)(now + 3600), "ended_at", "ip", "192.0.2.7"));

    if (ended)
        json_object_set_new(s, "ended_at", json_integer(now - 60));
    INSERT(PC_ENT_SESSION, s);
}

/* `arr` holds exactly the strings of `want`, in any order, without duplicates. */
void expect_set(const json_t *arr, const char *const *want, size_t n, const char *file, int line)
{
    int ok = json_is_array(arr) && json_array_size(arr) == n;
    json_t *w;

    for (size_t i = 0; ok && i < n; i++) {
        size_t hits = 0, j;
        json_t *v;
        json_array_foreach ((json_t *)arr, j, v)
            hits += json_is_string(v) && strcmp(json_string_value(v), want[i]) == 0;
        ok = hits == 1;
    }
    if (ok)
        return;
    w = keep(json_array());
    for (size_t i = 0; i < n; i++)
        json_array_append_new(w, json_string(want[i]));
    expect_json(arr, w, "set (order ignored)", file, line);
}

/* The ids of a list() result, in order, as one string "a,b,c". */
const char *ids_of(const json_t *arr, char *buf, size_t len)
{
    size_t i, used = 0;
    json_t *v;

    buf[0] = '\0';
    json_array_foreach ((json_t *)arr, i, v) {
        int n = snprintf(buf + used, len - used, "%s%s", i ? "," : "",
                         json_string_value(json_object_get(v, "id")));
        if (n < 0 || (size_t)n >= len - used)
            break;
        used += (size_t)n;
    }
    return buf;
}

/* ---- setup ---- */

/* Deletes the files of a store named by a sqlite:// URI; other URIs are left alone. */
void remove_sqlite_files(const char *uri)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char path[4096];

    if (strncmp(uri, "sqlite://", 9) != 0)
        return;
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
        snprintf(path, sizeof path, "%s%s", uri + 9, suffixes[i]);
        unlink(path);
    }
}

/* Opens (and migrates) the store at store_uri into st with the loaded plugin. */
pc_status store_open(void)
{
    int from = -1, to = -1;
    pc_status rc =
        pc_test_storage_open(ops, pc_test_host(PC_LOG_DEBUG), store_uri, 4, &st, &from, &to);

    fprintf(stderr, "plugin %s (%s): migrate %d -> %d: %s\n", ops->base.name, ops->base.version,
            from, to, status_name(rc));
    return rc;
}

/* Closes the store in st, if open. */
void store_close(void)
{
    if (ops != NULL && ops->base.fini != NULL && st != NULL)
        ops->base.fini(st);
    st = NULL;
}

int group_setup(void **state)
{
    now = pc_test_now();
    snprintf(run_id, sizeof run_id, "%08llx%04x", (unsigned long long)now,
             (unsigned)getpid() & 0xffff);
    remove_sqlite_files(store_uri);
    if ((ops = pc_test_storage_load(plugin_path, &dl)) == NULL)
        return -1;
    return store_open() == PC_OK ? 0 : -1;
}

int group_teardown(void **state)
{
    store_close();
    if (dl != NULL)
        dlclose(dl);
    return 0;
}
