/* SPDX-License-Identifier: Apache-2.0 */
/* What the storage contract cases share: the loaded plugin, assertions that say what went wrong, record builders. */
#ifndef PC_CONTRACT_SUPPORT_H
#define PC_CONTRACT_SUPPORT_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <portcullis/portcullis.h>

#define ID_LEN 48
#define RACERS 8

extern const char *plugin_path;
extern const char *store_uri;
extern void *dl;
extern const pc_storage_ops *ops;
extern void *st;
extern int64_t now;
extern char run_id[16];
extern char tid[ID_LEN]; /* a fresh tenant for each case */
extern json_t *out_;

const char *status_name(pc_status s);

void expect_status(pc_status got, pc_status want, const char *expr, const char *file, int line);

void expect_json(const json_t *got, const json_t *want, const char *what, const char *file,
                 int line);

json_t *keep(json_t *j);

int release(void **state);

const char *new_id(char *buf, const char *kind);

json_t *get_rec(pc_entity ent, const char *tenant, const char *field, const char *value,
                pc_status want, const char *file, int line);

void make_tenant(char *t);

json_t *user_rec(const char *id, const char *t, const char *username, const char *email,
                 const char *name);

json_t *make_user(char *id, const char *t, const char *username, const char *email);

json_t *make_role(char *id, const char *t, const char *name, json_t *perms);

void make_group(char *id, const char *t, const char *name);

json_t *app_rec(const char *id, const char *t, const char *client_id, int first_party);

/* A refresh grant at generation 0 of client "cli" (inserted). */
void make_refresh(const char *id, const char *t, const char *uid, const char *sid,
                  int64_t expires_at);

void make_session(const char *id, const char *t, const char *uid, int ended);

void expect_set(const json_t *arr, const char *const *want, size_t n, const char *file, int line);

const char *ids_of(const json_t *arr, char *buf, size_t len);

void remove_sqlite_files(const char *uri);

pc_status store_open(void);

void store_close(void);

int group_setup(void **state);

int group_teardown(void **state);

#define EXPECT(expr, want) expect_status((expr), (want), #expr, __FILE__, __LINE__)
#define OK(expr) EXPECT(expr, PC_OK)
#define EXPECT_JSON(got, want) expect_json((got), (want), #got, __FILE__, __LINE__)
#define INSERT(ent, rec) OK(ops->insert(st, NULL, (ent), (rec), NULL, 0))
#define GET(ent, t, id) get_rec((ent), (t), "id", (id), PC_OK, __FILE__, __LINE__)
#define GET_BY(ent, t, f, v) get_rec((ent), (t), (f), (v), PC_OK, __FILE__, __LINE__)
#define ABSENT(ent, t, id) get_rec((ent), (t), "id", (id), PC_ERR_NOT_FOUND, __FILE__, __LINE__)
#define OUT(call) (out_ = NULL, OK(call), keep(out_))
#define perms_of(t, pid) OUT(ops->principal_permissions(st, NULL, (t), (pid), &out_))
#define roles_of(t, pid) OUT(ops->principal_roles(st, NULL, (t), (pid), &out_))
#define linked(kind, t, id, rev) OUT(ops->link_list(st, NULL, (kind), (t), (id), (rev), &out_))
#define SET(arr, ...)                                                               \
    do {                                                                            \
        const char *const want_[] = {__VA_ARGS__};                                  \
        expect_set((arr), want_, sizeof want_ / sizeof *want_, __FILE__, __LINE__); \
    } while (0)
#define EMPTY(arr) expect_set((arr), NULL, 0, __FILE__, __LINE__)

#endif
