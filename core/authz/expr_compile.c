/* SPDX-License-Identifier: Apache-2.0 */
/* Condition JSON → compiled tree, with every check done here, at write time (API.md §15). */
#include "authz/expr_internal.h"
#include "util/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 16
#define MAX_NODES 512
#define MAX_SEGMENTS 16

/* What the checker knows of an operand's type before any request is seen. */
typedef enum vtype { T_ANY, T_STRING, T_NUMBER, T_BOOL, T_NULL, T_ARRAY, T_TIME } vtype;

typedef struct compiler {
    char *why;
    size_t why_len;
    int nodes;
} compiler;

static const struct {
    const char *name;
    expr_op op;
} ops[] = {{"eq", OP_EQ},
           {"ne", OP_NE},
           {"in", OP_IN},
           {"contains", OP_CONTAINS},
           {"starts_with", OP_STARTS_WITH},
           {"lt", OP_LT},
           {"le", OP_LE},
           {"gt", OP_GT},
           {"ge", OP_GE},
           {"ip_in", OP_IP_IN},
           {"exists", OP_EXISTS},
           {"all", OP_ALL},
           {"any", OP_ANY},
           {"not", OP_NOT}};

static pc_expr *fail(compiler *c, pc_expr *partial, const char *fmt, ...)
{
    va_list ap;

    if (c->why[0] == '\0') {
        va_start(ap, fmt);
        vsnprintf(c->why, c->why_len, fmt, ap);
        va_end(ap);
    }
    pc_pdp_expr_free(partial);
    return NULL;
}

void pc_pdp_expr_free(pc_expr *e)
{
    if (e == NULL)
        return;
    for (size_t i = 0; i < e->nkids; i++)
        pc_pdp_expr_free(e->kids[i]);
    free(e->kids);
    for (size_t i = 0; i < e->nkeys; i++)
        free(e->keys[i]);
    free(e->keys);
    free(e->nets);
    json_decref(e->literal);
    free(e);
}

static pc_expr *node(compiler *c, expr_kind kind)
{
    pc_expr *e;

    if (++c->nodes > MAX_NODES)
        return NULL;
    e = pc_calloc(1, sizeof *e);
    e->kind = kind;
    return e;
}

/* Does `s` name a path (and must therefore be a valid one)? */
static int looks_like_path(const char *s)
{
    return strcmp(s, "now") == 0 || strncmp(s, "subject.", 8) == 0 ||
           strncmp(s, "resource.", 9) == 0 || strncmp(s, "action.", 7) == 0 ||
           strncmp(s, "context.", 8) == 0;
}

/* Split "a.b.c" into e->keys; empty segments are refused. */
static int split_path(pc_expr *e, const char *s)
{
    const char *p = s, *dot;

    e->keys = pc_calloc(MAX_SEGMENTS, sizeof *e->keys);
    for (;;) {
        dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (n == 0 || n > 128 || e->nkeys == MAX_SEGMENTS)
            return 0;
        e->keys[e->nkeys] = pc_malloc(n + 1);
        memcpy(e->keys[e->nkeys], p, n);
        e->keys[e->nkeys++][n] = '\0';
        if (dot == NULL)
            return 1;
        p = dot + 1;
    }
}

/* The allowed roots of §15, and the static type of the path. */
static int path_allowed(const pc_expr *e, vtype *t, unsigned *index)
{
    const char *root = e->keys[0], *second = e->nkeys > 1 ? e->keys[1] : "";
    int fixed = e->nkeys == 2, props = e->nkeys > 2 && strcmp(second, "properties") == 0;

    *t = T_STRING;
    for (*index = 0; *index < PC_PDP_NROOTS; (*index)++)
        if (strcmp(root, pc_pdp_root_names[*index]) == 0)
            break;
    if (strcmp(root, "subject") == 0 || strcmp(root, "resource") == 0)
        if ((fixed && (strcmp(second, "id") == 0 || strcmp(second, "type") == 0)) || props)
            return *t = props ? T_ANY : T_STRING, 1;
    if (strcmp(root, "action") == 0 && ((fixed && strcmp(second, "name") == 0) || props))
        return *t = props ? T_ANY : T_STRING, 1;
    if (strcmp(root, "context") == 0 && e->nkeys >= 2)
        return *t = T_ANY, 1;
    return 0;
}

static vtype literal_type(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING: return T_STRING;
    case JSON_INTEGER:
    case JSON_REAL: return T_NUMBER;
    case JSON_TRUE:
    case JSON_FALSE: return T_BOOL;
    case JSON_ARRAY: return T_ARRAY;
    default: return T_NULL;
    }
}

/* A value or a path; *t receives what is known of its type. */
static pc_expr *operand(compiler *c, const json_t *v, vtype *t)
{
    const char *s = json_string_value(v);
    pc_expr *e;

    if (json_is_object(v))
        return fail(c, NULL, "operands are values or paths, not expressions");
    if (s != NULL && looks_like_path(s)) {
        if (strcmp(s, "now") == 0)
            return *t = T_TIME, node(c, K_NOW);
        if ((e = node(c, K_PATH)) == NULL)
            return fail(c, NULL, "the condition is too large");
        if (!split_path(e, s) || !path_allowed(e, t, &e->root))
            return fail(c, e,
                        "path \"%.80s\" is not one of subject.id, subject.type, "
                        "subject.properties.*, resource.id, resource.type, "
                        "resource.properties.*, action.name, action.properties.*, "
                        "context.*, now",
                        s);
        return e;
    }
    if ((e = node(c, K_LITERAL)) == NULL)
        return fail(c, NULL, "the condition is too large");
    e->literal = json_deep_copy(v);
    *t = literal_type(v);
    e->has_time = s != NULL && pc_pdp_time_parse(s, &e->time);
    return e;
}

static pc_expr *expression(compiler *c, const json_t *v, int depth);

/* Sub-expressions of all/any (a non-empty array) or not (one expression). */
static pc_expr *logical(compiler *c, pc_expr *e, const char *name, const json_t *args, int depth)
{
    size_t n = json_is_array(args) ? json_array_size(args) : 1;

    if (e->op == OP_NOT && n != 1)
        return fail(c, e, "\"not\" takes one expression");
    if (e->op != OP_NOT && (!json_is_array(args) || n == 0))
        return fail(c, e, "\"%s\" takes a non-empty list of expressions", name);
    e->kids = pc_calloc(n, sizeof *e->kids);
    for (size_t i = 0; i < n; i++) {
        const json_t *sub = json_is_array(args) ? json_array_get(args, i) : args;
        if ((e->kids[e->nkids++] = expression(c, sub, depth + 1)) == NULL)
            return fail(c, e, "bad expression");
    }
    return e;
}

/* Can this operand be ordered (a number or a time)? */
static int orderable(const pc_expr *e, vtype t)
{
    if (t == T_ANY || t == T_NUMBER || t == T_TIME)
        return 1;
    return e->kind == K_LITERAL && e->has_time;
}

static int is_time(const pc_expr *e, vtype t)
{
    return t == T_TIME || (e->kind == K_LITERAL && e->has_time);
}

/* ip_in's networks, when written as a literal: parsed now, never per request. */
static int compile_nets(compiler *c, pc_expr *e)
{
    const json_t *v = e->literal;
    json_t *one = json_is_string(v) ? json_pack("[O]", v) : json_incref((json_t *)v);
    size_t i;
    json_t *net;
    int ok = json_is_array(one) && json_array_size(one) > 0;

    e->nets = pc_calloc(ok ? json_array_size(one) : 1, sizeof *e->nets);
    json_array_foreach (one, i, net) {
        if (!ok || !pc_pdp_net_parse(json_string_value(net), &e->nets[e->nnets++])) {
            ok = 0;
            break;
        }
    }
    json_decref(one);
    if (!ok)
        fail(c, NULL, "\"ip_in\" takes a CIDR or a non-empty list of CIDRs as its second operand");
    return ok;
}

/* The type errors visible before any request: an operand the operator cannot use. */
static int check_types(compiler *c, pc_expr *e, const char *name, const vtype *t)
{
    pc_expr *a = e->kids[0], *b = e->nkids > 1 ? e->kids[1] : NULL;
    pc_pdp_net host;

    switch (e->op) {
    case OP_EQ:
    case OP_NE:
        if (t[0] == T_ANY || t[1] == T_ANY || t[0] == t[1] ||
            (is_time(a, t[0]) && is_time(b, t[1])))
            return 1;
        return fail(c, NULL, "\"%s\" compares values of different types", name), 0;
    case OP_IN:
        if ((t[1] == T_ARRAY || t[1] == T_ANY) && t[0] != T_ARRAY)
            return 1;
        return fail(c, NULL, "\"in\" takes a value and a list"), 0;
    case OP_CONTAINS:
        if ((t[0] == T_ANY || t[0] == T_ARRAY) ||
            (t[0] == T_STRING && (t[1] == T_STRING || t[1] == T_ANY)))
            return 1;
        return fail(c, NULL, "\"contains\" takes a list or a string, then a value"), 0;
    case OP_STARTS_WITH:
        if ((t[0] == T_STRING || t[0] == T_ANY) && (t[1] == T_STRING || t[1] == T_ANY))
            return 1;
        return fail(c, NULL, "\"starts_with\" takes two strings"), 0;
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE:
        if (!orderable(a, t[0]) || !orderable(b, t[1]))
            return fail(c, NULL, "\"%s\" compares numbers or RFC 3339 times", name), 0;
        if ((t[0] == T_NUMBER && is_time(b, t[1])) || (t[1] == T_NUMBER && is_time(a, t[0])))
            return fail(c, NULL, "\"%s\" compares a number with a time", name), 0;
        return 1;
    case OP_IP_IN:
        if (a->kind == K_LITERAL && (!json_is_string(a->literal) ||
                                     !pc_pdp_net_parse(json_string_value(a->literal), &host) ||
                                     strchr(json_string_value(a->literal), '/') != NULL))
            return fail(c, NULL, "\"ip_in\" takes an IP address first"), 0;
        if (a->kind == K_NOW || b->kind == K_NOW)
            return fail(c, NULL, "\"ip_in\" takes addresses, not times"), 0;
        return b->kind != K_LITERAL || compile_nets(c, b);
    case OP_EXISTS:
        if (a->kind == K_PATH)
            return 1;
        return fail(c, NULL, "\"exists\" takes a path such as resource.properties.owner"), 0;
    default: return 0;
    }
}

static pc_expr *comparison(compiler *c, pc_expr *e, const char *name, const json_t *args)
{
    size_t want = e->op == OP_EXISTS ? 1 : 2;
    json_t *single = NULL;
    vtype t[2] = {T_ANY, T_ANY};

    if (e->op == OP_EXISTS && json_is_string(args))
        args = single = json_pack("[O]", args);
    if (!json_is_array(args) || json_array_size(args) != want) {
        json_decref(single);
        return fail(c, e, "\"%s\" takes %zu operand%s", name, want, want == 1 ? "" : "s");
    }
    e->kids = pc_calloc(want, sizeof *e->kids);
    for (size_t i = 0; i < want; i++)
        if ((e->kids[e->nkids++] = operand(c, json_array_get(args, i), &t[i])) == NULL)
            break;
    json_decref(single);
    if (e->nkids != want || e->kids[want - 1] == NULL)
        return fail(c, e, "bad operand");
    if (!check_types(c, e, name, t))
        return fail(c, e, "type mismatch");
    return e;
}

static pc_expr *expression(compiler *c, const json_t *v, int depth)
{
    const char *name;
    json_t *args;
    pc_expr *e;

    if (depth > MAX_DEPTH)
        return fail(c, NULL, "the condition nests deeper than %d", MAX_DEPTH);
    if (!json_is_object(v) || json_object_size(v) != 1)
        return fail(c, NULL, "an expression is an object with one operator");
    json_object_foreach ((json_t *)v, name, args) {
        for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
            if (strcmp(ops[i].name, name) != 0)
                continue;
            if ((e = node(c, K_OP)) == NULL)
                return fail(c, NULL, "the condition is too large");
            e->op = ops[i].op;
            if (e->op == OP_ALL || e->op == OP_ANY || e->op == OP_NOT)
                return logical(c, e, name, args, depth);
            return comparison(c, e, name, args);
        }
        return fail(c, NULL, "unknown operator \"%.40s\"", name);
    }
    return NULL;
}

const char *const pc_pdp_root_names[PC_PDP_NROOTS] = {"subject", "resource", "action", "context"};

/* Which roots of the input (PC_PDP_ROOT_*) the expression reads. */
static unsigned roots_of(const pc_expr *e)
{
    unsigned roots = e->kind == K_PATH ? 1u << e->root : 0;

    for (size_t i = 0; i < e->nkids; i++)
        roots |= roots_of(e->kids[i]);
    return roots;
}

pc_expr *pc_pdp_expr_compile(const json_t *condition, char *why, size_t why_len)
{
    compiler c = {why, why_len, 0};
    pc_expr *e;

    why[0] = '\0';
    e = expression(&c, condition, 0);
    if (e != NULL)
        e->roots = roots_of(e);
    return e;
}

unsigned pc_pdp_expr_roots(const pc_expr *e)
{
    return e->roots;
}
