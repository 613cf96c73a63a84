/* SPDX-License-Identifier: Apache-2.0 */
/* Policy conditions (API.md §15): compiled once from JSON when a policy is written, evaluated without parsing. */
#ifndef PC_PDP_EXPR_H
#define PC_PDP_EXPR_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pc_expr pc_expr;

/**
 * Compile a condition (borrowed JSON). Every check happens here: an unknown
 * operator, a path outside the allowed roots, a wrong number of operands, a
 * literal of a type the operator cannot use, a bad RFC 3339 time or CIDR.
 * Returns a new expression (pc_pdp_expr_free), or NULL with a reason in
 * `why` (for the `condition` field of a 400). Thread-safe.
 */
pc_expr *pc_pdp_expr_compile(const json_t *condition, char *why, size_t why_len);
void pc_pdp_expr_free(pc_expr *e);

/**
 * Evaluate over `input` (borrowed): {"subject":{"id","type","properties"},
 * "resource":{"id","type","properties"},"action":{"name","properties"},
 * "context":{}} at Unix time `now`. A comparison whose operand is missing or
 * of an unusable type is false. Reads only `e` and `input`: no parsing of the
 * policy, no store. 1 or 0. Thread-safe (e is not modified).
 */
int pc_pdp_expr_eval(const pc_expr *e, const json_t *input, int64_t now);

/** The parts of the input an expression reads (bits), so that only those are built. */
#define PC_PDP_ROOT_SUBJECT 1u
#define PC_PDP_ROOT_RESOURCE 2u
#define PC_PDP_ROOT_ACTION 4u
#define PC_PDP_ROOT_CONTEXT 8u
#define PC_PDP_NROOTS 4
/** "subject", "resource", "action", "context": root i is bit 1 << i. */
extern const char *const pc_pdp_root_names[PC_PDP_NROOTS];
unsigned pc_pdp_expr_roots(const pc_expr *e);

/** The input as its four roots (each an object or NULL), as a decision builds it. */
typedef struct pc_pdp_input {
    const json_t *root[PC_PDP_NROOTS];
} pc_pdp_input;
/** pc_pdp_expr_eval over roots given directly: no lookup of the roots by name. */
int pc_pdp_expr_eval_in(const pc_expr *e, const pc_pdp_input *input, int64_t now);

/** RFC 3339 time → Unix seconds (fractions kept). 1 on success. Seconds may be omitted. */
int pc_pdp_time_parse(const char *s, double *out);

/** A network: 16 bytes (IPv4 as its first 4), family 4 or 6, prefix length. */
typedef struct pc_pdp_net {
    unsigned char addr[16];
    int family;
    int bits;
} pc_pdp_net;
/** Parse "a.b.c.d/n", "x::y/n" or a bare address (a host network). 1 on success. */
int pc_pdp_net_parse(const char *s, pc_pdp_net *out);
/** Is address `ip` (text) inside `net`? */
int pc_pdp_net_contains(const pc_pdp_net *net, const char *ip);
#endif
