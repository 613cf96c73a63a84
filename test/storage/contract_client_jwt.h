/* SPDX-License-Identifier: Apache-2.0 */
/* Storage contract cases of schema 10 (issue #18): used JWT ids, pushed requests, application keys. */
#ifndef PC_CONTRACT_CLIENT_JWT_H
#define PC_CONTRACT_CLIENT_JWT_H

void used_jti_is_refused_twice(void **state);
void pushed_request_is_taken_once(void **state);
void application_key_columns_round_trip(void **state);
void logout_message_is_claimed_once(void **state);
void code_dpop_jkt_round_trips(void **state); /* schema 16 */

#endif
