/* SPDX-License-Identifier: Apache-2.0 */
/* The compiled form of a condition, shared by the compiler and the evaluator only. */
#ifndef PC_PDP_EXPR_INTERNAL_H
#define PC_PDP_EXPR_INTERNAL_H
#include "authz/expr.h"

typedef enum expr_op {
    OP_EQ,
    OP_NE,
    OP_IN,
    OP_CONTAINS,
    OP_STARTS_WITH,
    OP_LT,
    OP_LE,
    OP_GT,
    OP_GE,
    OP_IP_IN,
    OP_EXISTS,
    OP_ALL,
    OP_ANY,
    OP_NOT
} expr_op;

typedef enum expr_kind { K_OP, K_LITERAL, K_PATH, K_NOW } expr_kind;

struct pc_expr {
    expr_kind kind;
    expr_op op;            /* K_OP */
    struct pc_expr **kids; /* K_OP: operands or sub-expressions */
    size_t nkids;
    json_t *literal;  /* K_LITERAL */
    int has_time;     /* K_LITERAL: a string that is an RFC 3339 time */
    double time;      /* ... its Unix seconds */
    pc_pdp_net *nets; /* K_LITERAL as ip_in's networks: parsed at compile time */
    size_t nnets;
    char **keys; /* K_PATH: "subject", "properties", "ownerID" */
    size_t nkeys;
    unsigned root;  /* K_PATH: index of keys[0] in pc_pdp_root_names */
    unsigned roots; /* the whole expression: the PC_PDP_ROOT_* it reads (set on the top node) */
};
#endif
