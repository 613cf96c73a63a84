/* SPDX-License-Identifier: Apache-2.0 */
/* Evaluating a compiled condition over a request: no policy parsing, no store. */
#include "authz/expr_internal.h"

#include <string.h>

/* An operand's value: a JSON value, or a time (now, or a time-shaped literal). */
typedef struct value {
    const json_t *json; /* NULL when missing */
    int is_now;
    double now;
} value;

static value resolve(const pc_expr *e, const pc_pdp_input *input, int64_t now)
{
    value v = {NULL, 0, 0};
    const json_t *cur;

    if (e->kind == K_NOW)
        return (value){NULL, 1, (double)now};
    if (e->kind == K_LITERAL)
        return (value){e->literal, 0, 0};
    /* the root was found at compile time; an empty object has nothing to hash a key against */
    cur = input->root[e->root];
    for (size_t i = 1; i < e->nkeys && cur != NULL; i++)
        cur = json_object_size(cur) ? json_object_get(cur, e->keys[i]) : NULL;
    v.json = cur;
    return v;
}

static int present(const value *v)
{
    return v->is_now || (v->json != NULL && !json_is_null(v->json));
}

/* Equality where 1 and 1.0 are the same number. */
static int same(const json_t *a, const json_t *b)
{
    if (json_is_number(a) && json_is_number(b))
        return json_number_value(a) == json_number_value(b);
    return json_equal((json_t *)a, (json_t *)b);
}

/* A time from `now`, a compiled literal, or an RFC 3339 string in the request. */
static int as_time(const pc_expr *e, const value *v, double *t)
{
    if (v->is_now)
        return *t = v->now, 1;
    if (e->kind == K_LITERAL)
        return e->has_time ? (*t = e->time, 1) : 0;
    return json_is_string(v->json) && pc_pdp_time_parse(json_string_value(v->json), t);
}

/* -1, 0, 1 into *cmp: numbers with numbers, times with times; else 0 returned. */
static int order(const pc_expr *ea, const value *a, const pc_expr *eb, const value *b, int *cmp)
{
    double x, y;

    if (json_is_number(a->json) && json_is_number(b->json)) {
        x = json_number_value(a->json);
        y = json_number_value(b->json);
    } else if (!as_time(ea, a, &x) || !as_time(eb, b, &y)) {
        return 0;
    }
    *cmp = (x > y) - (x < y);
    return 1;
}

static int equal(const pc_expr *ea, const value *a, const pc_expr *eb, const value *b)
{
    int cmp;

    if (a->is_now || b->is_now)
        return order(ea, a, eb, b, &cmp) && cmp == 0;
    return same(a->json, b->json);
}

static int member(const json_t *list, const json_t *x)
{
    size_t i;
    json_t *v;

    json_array_foreach (list, i, v)
        if (same(v, x))
            return 1;
    return 0;
}

static int contains(const json_t *container, const json_t *x)
{
    if (json_is_array(container))
        return member(container, x);
    return json_is_string(container) && json_is_string(x) &&
           strstr(json_string_value(container), json_string_value(x)) != NULL;
}

static int starts_with(const json_t *s, const json_t *prefix)
{
    size_t n = json_string_length(prefix);

    return json_is_string(s) && json_is_string(prefix) && json_string_length(s) >= n &&
           memcmp(json_string_value(s), json_string_value(prefix), n) == 0;
}

/* ip_in: networks compiled from a literal, or read from the request. */
static int ip_in(const pc_expr *nets, const value *list, const json_t *ip)
{
    pc_pdp_net net;
    size_t i;
    json_t *v;

    if (!json_is_string(ip))
        return 0;
    if (nets->kind == K_LITERAL) {
        for (i = 0; i < nets->nnets; i++)
            if (pc_pdp_net_contains(&nets->nets[i], json_string_value(ip)))
                return 1;
        return 0;
    }
    if (json_is_string(list->json))
        return pc_pdp_net_parse(json_string_value(list->json), &net) &&
               pc_pdp_net_contains(&net, json_string_value(ip));
    json_array_foreach (list->json, i, v)
        if (pc_pdp_net_parse(json_string_value(v), &net) &&
            pc_pdp_net_contains(&net, json_string_value(ip)))
            return 1;
    return 0;
}

static int compare(const pc_expr *e, const pc_pdp_input *input, int64_t now)
{
    const pc_expr *ea = e->kids[0], *eb = e->kids[1];
    value a = resolve(ea, input, now), b = resolve(eb, input, now);
    int cmp;

    if (!present(&a) || !present(&b))
        return 0; /* a condition over a missing value is false */
    switch (e->op) {
    case OP_EQ: return equal(ea, &a, eb, &b);
    case OP_NE: return !equal(ea, &a, eb, &b);
    case OP_IN: return json_is_array(b.json) && !a.is_now && member(b.json, a.json);
    case OP_CONTAINS: return !b.is_now && contains(a.json, b.json);
    case OP_STARTS_WITH: return starts_with(a.json, b.json);
    case OP_IP_IN: return ip_in(eb, &b, a.json);
    default: break;
    }
    if (!order(ea, &a, eb, &b, &cmp))
        return 0;
    return e->op == OP_LT   ? cmp < 0
           : e->op == OP_LE ? cmp <= 0
           : e->op == OP_GT ? cmp > 0
                            : cmp >= 0;
}

int pc_pdp_expr_eval_in(const pc_expr *e, const pc_pdp_input *input, int64_t now)
{
    value v;

    switch (e->op) {
    case OP_ALL:
        for (size_t i = 0; i < e->nkids; i++)
            if (!pc_pdp_expr_eval_in(e->kids[i], input, now))
                return 0;
        return 1;
    case OP_ANY:
        for (size_t i = 0; i < e->nkids; i++)
            if (pc_pdp_expr_eval_in(e->kids[i], input, now))
                return 1;
        return 0;
    case OP_NOT: return !pc_pdp_expr_eval_in(e->kids[0], input, now);
    case OP_EXISTS: v = resolve(e->kids[0], input, now); return present(&v);
    default: return compare(e, input, now);
    }
}

int pc_pdp_expr_eval(const pc_expr *e, const json_t *input, int64_t now)
{
    pc_pdp_input in;

    for (unsigned i = 0; i < PC_PDP_NROOTS; i++)
        in.root[i] = json_object_get(input, pc_pdp_root_names[i]);
    return pc_pdp_expr_eval_in(e, &in, now);
}
