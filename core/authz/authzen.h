/* SPDX-License-Identifier: Apache-2.0 */
/* OpenID AuthZEN Authorization API 1.0: the evaluation and evaluations messages, over pc_pdp_decide. */
#ifndef PC_AUTHZ_AUTHZEN_H
#define PC_AUTHZ_AUTHZEN_H
#include <jansson.h>
#include <portcullis/status.h>
#include <stddef.h>
#include <stdint.h>

/**
 * Answer an Access Evaluation request (AuthZEN 1.0 §6). PC_OK with *out (new)
 * {"decision":bool[,"context":{...}]}; PC_ERR_INVALID with a message in `err`
 * (a 400); PC_ERR_STORAGE when the store cannot answer.
 */
pc_status pc_pdp_authzen_evaluation(const char *tenant_id, const json_t *req, int64_t now,
                                    json_t **out, char *err, size_t err_len);
/**
 * Answer an Access Evaluations request (AuthZEN 1.0 §7): defaults from the
 * top-level tuple, options.evaluations_semantic (execute_all,
 * deny_on_first_deny, permit_on_first_permit), at most `max_batch` items.
 * An error in one item is that item's decision false with context.error.
 */
pc_status pc_pdp_authzen_evaluations(const char *tenant_id, const json_t *req, size_t max_batch,
                                     int64_t now, json_t **out, char *err, size_t err_len);
#endif
