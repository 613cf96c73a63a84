/* SPDX-License-Identifier: Apache-2.0 */
/* OpenID AuthZEN Authorization API 1.0: the evaluation and evaluations messages, over pc_pdp_decide. */
#include "authz/authzen.h"
#include "authz/authz.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct tuple {
    const json_t *subject, *action, *resource, *context;
} tuple;

static pc_status invalid(char *err, size_t len, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
    return PC_ERR_INVALID;
}

static int has_string(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s != NULL && *s != '\0';
}

static int props_ok(const json_t *o)
{
    const json_t *p = json_object_get(o, "properties");

    return p == NULL || json_is_object(p);
}

/* §5: subject {type, id, properties?}, action {name, properties?}, resource {type, id, properties?}. */
static pc_status check_tuple(const tuple *t, char *err, size_t len)
{
    if (!json_is_object(t->subject) || !has_string(t->subject, "type") ||
        !has_string(t->subject, "id") || !props_ok(t->subject))
        return invalid(err, len, "subject must be an object with string type and id");
    if (!json_is_object(t->action) || !has_string(t->action, "name") || !props_ok(t->action))
        return invalid(err, len, "action must be an object with a string name");
    if (!json_is_object(t->resource) || !has_string(t->resource, "type") ||
        !has_string(t->resource, "id") || !props_ok(t->resource))
        return invalid(err, len, "resource must be an object with string type and id");
    if (t->context != NULL && !json_is_object(t->context))
        return invalid(err, len, "context must be an object");
    return PC_OK;
}

static json_t *item_error(int status, const char *message)
{
    return json_pack("{s:b,s:{s:{s:i,s:s}}}", "decision", 0, "context", "error", "status", status,
                     "message", message);
}

/* Split "todo:update" or, without a colon, {resource.type}:{action.name}. */
static int permission_of(const tuple *t, char *resource, size_t rlen, char *action, size_t alen)
{
    const char *name = json_string_value(json_object_get(t->action, "name"));
    const char *colon = strchr(name, ':');

    if (colon == NULL)
        return snprintf(resource, rlen, "%s",
                        json_string_value(json_object_get(t->resource, "type"))) < (int)rlen &&
               snprintf(action, alen, "%s", name) < (int)alen;
    if (colon == name || colon[1] == '\0' || (size_t)(colon - name) >= rlen)
        return 0;
    memcpy(resource, name, (size_t)(colon - name));
    resource[colon - name] = '\0';
    return snprintf(action, alen, "%s", colon + 1) < (int)alen;
}

/* A batch asks about one subject many times: its facts and its part of the input, kept. */
typedef struct memo {
    const json_t *subject; /* the request's subject object they are for */
    json_t *facts, *view;
} memo;

static void memo_clear(memo *m)
{
    json_decref(m->facts);
    json_decref(m->view);
    memset(m, 0, sizeof *m);
}

static pc_status facts_of(const char *tenant_id, const tuple *t, memo *m, json_t **facts)
{
    const char *type = json_string_value(json_object_get(t->subject, "type"));
    pc_status rc;

    if (m != NULL && m->subject == t->subject && m->facts != NULL)
        return *facts = json_incref(m->facts), PC_OK;
    rc = pc_pdp_subject(tenant_id, type, json_string_value(json_object_get(t->subject, "id")),
                        facts);
    if (m != NULL && rc == PC_OK) {
        memo_clear(m);
        m->subject = t->subject;
        m->facts = json_incref(*facts);
    }
    return rc;
}

/* One decision; a subject that is not known is a decision false with its reason (§7.2 errors). */
static pc_status decide(const char *tenant_id, const tuple *t, int64_t now, memo *m, json_t **out)
{
    const char *type = json_string_value(json_object_get(t->subject, "type"));
    const char *sid = json_string_value(json_object_get(t->subject, "id"));
    char resource[128], action[128];
    json_t *facts = NULL;
    int allowed = 0;
    pc_status rc;

    if (strcmp(type, "user") != 0 && strcmp(type, "application") != 0)
        return *out = item_error(400, "subject.type must be user or application"), PC_OK;
    if (!permission_of(t, resource, sizeof resource, action, sizeof action))
        return *out = item_error(400, "action.name is not a usable action"), PC_OK;
    rc = facts_of(tenant_id, t, m, &facts);
    if (rc == PC_ERR_NOT_FOUND)
        return *out = item_error(404, "subject not found"), PC_OK;
    if (rc != PC_OK)
        return PC_ERR_STORAGE;
    pc_pdp_query q = {.facts = facts,
                      .subject_type = type,
                      .subject_id = sid,
                      .subject_props = json_object_get(t->subject, "properties"),
                      .resource = resource,
                      .action = action,
                      .resource_id = json_string_value(json_object_get(t->resource, "id")),
                      .resource_props = json_object_get(t->resource, "properties"),
                      .action_props = json_object_get(t->action, "properties"),
                      .context = t->context,
                      .subject_memo = m != NULL ? &m->view : NULL};
    rc = pc_pdp_decide(tenant_id, &q, now, &allowed);
    json_decref(facts);
    if (rc == PC_ERR_INVALID) /* API.md §18: context.organization names no organization */
        return *out = item_error(400, "context.organization is not an organization"), PC_OK;
    if (rc == PC_OK)
        *out = json_pack("{s:b}", "decision", allowed);
    return rc;
}

static tuple tuple_of(const json_t *o, const tuple *defaults)
{
    tuple t = {json_object_get(o, "subject"), json_object_get(o, "action"),
               json_object_get(o, "resource"), json_object_get(o, "context")};

    if (defaults != NULL) { /* §7.1.1: an item's own value takes precedence */
        t.subject = t.subject ? t.subject : defaults->subject;
        t.action = t.action ? t.action : defaults->action;
        t.resource = t.resource ? t.resource : defaults->resource;
        t.context = t.context ? t.context : defaults->context;
    }
    return t;
}

pc_status pc_pdp_authzen_evaluation(const char *tenant_id, const json_t *req, int64_t now,
                                    json_t **out, char *err, size_t err_len)
{
    tuple t;
    pc_status rc;

    *out = NULL;
    if (!json_is_object(req))
        return invalid(err, err_len, "the body must be a JSON object");
    t = tuple_of(req, NULL);
    if ((rc = check_tuple(&t, err, err_len)) != PC_OK)
        return rc;
    return decide(tenant_id, &t, now, NULL, out);
}

typedef enum semantic { EXECUTE_ALL, DENY_ON_FIRST_DENY, PERMIT_ON_FIRST_PERMIT } semantic;

static int semantic_of(const json_t *req, semantic *s)
{
    const json_t *options = json_object_get(req, "options");
    const char *v = json_string_value(json_object_get(options, "evaluations_semantic"));

    *s = EXECUTE_ALL;
    if (options != NULL && !json_is_object(options))
        return 0;
    if (v == NULL)
        return json_object_get(options, "evaluations_semantic") == NULL;
    if (strcmp(v, "deny_on_first_deny") == 0)
        *s = DENY_ON_FIRST_DENY;
    else if (strcmp(v, "permit_on_first_permit") == 0)
        *s = PERMIT_ON_FIRST_PERMIT;
    else if (strcmp(v, "execute_all") != 0)
        return 0;
    return 1;
}

/* One item of the batch; *stop set when the semantic ends the batch here. */
static pc_status batch_item(const char *tenant_id, const json_t *item, const tuple *defaults,
                            semantic s, int64_t now, memo *m, json_t **res, int *stop)
{
    char why[160];
    tuple t = tuple_of(item, defaults);
    pc_status rc = PC_OK;
    int decision;

    if (!json_is_object(item))
        *res = item_error(400, "an evaluation must be an object");
    else if (check_tuple(&t, why, sizeof why) != PC_OK)
        *res = item_error(400, why);
    else if ((rc = decide(tenant_id, &t, now, m, res)) != PC_OK)
        return rc;
    decision = json_is_true(json_object_get(*res, "decision"));
    if (s == DENY_ON_FIRST_DENY && !decision) {
        *stop = 1;
        if (json_object_get(*res, "context") == NULL)
            json_object_set_new(
                *res, "context",
                json_pack("{s:s,s:s}", "id", "200", "reason", "deny_on_first_deny"));
    }
    if (s == PERMIT_ON_FIRST_PERMIT && decision)
        *stop = 1;
    return PC_OK;
}

pc_status pc_pdp_authzen_evaluations(const char *tenant_id, const json_t *req, size_t max_batch,
                                     int64_t now, json_t **out, char *err, size_t err_len)
{
    const json_t *items = json_object_get(req, "evaluations");
    tuple defaults;
    semantic s;
    json_t *results, *res;
    int stop = 0;
    memo m = {0};
    pc_status rc = PC_OK;

    *out = NULL;
    if (!json_is_object(req))
        return invalid(err, err_len, "the body must be a JSON object");
    if (items != NULL && !json_is_array(items))
        return invalid(err, err_len, "evaluations must be an array");
    if (json_array_size(items) == 0) /* §7.1: without evaluations, a single evaluation */
        return pc_pdp_authzen_evaluation(tenant_id, req, now, out, err, err_len);
    if (json_array_size(items) > max_batch)
        return invalid(err, err_len, "at most %zu evaluations in one request", max_batch);
    if (!semantic_of(req, &s))
        return invalid(err, err_len,
                       "options.evaluations_semantic must be execute_all, deny_on_first_deny "
                       "or permit_on_first_permit");
    defaults = tuple_of(req, NULL);
    results = json_array();
    for (size_t i = 0; i < json_array_size(items) && !stop && rc == PC_OK; i++) {
        res = NULL;
        rc = batch_item(tenant_id, json_array_get(items, i), &defaults, s, now, &m, &res, &stop);
        if (res != NULL)
            json_array_append_new(results, res);
    }
    memo_clear(&m);
    if (rc != PC_OK) {
        json_decref(results);
        return rc;
    }
    *out = json_pack("{s:o}", "evaluations", results);
    return PC_OK;
}
