/* SPDX-License-Identifier: Apache-2.0 */
/* Storage contract cases of schema 5 (contract_grace.c), run by contract_test.c. */
#ifndef PC_CONTRACT_GRACE_H
#define PC_CONTRACT_GRACE_H

void refresh_rotate_keeps_the_replaced_hash(void **state);
void refresh_grace_accepted_within_the_window(void **state);
void refresh_grace_refused_after_the_window(void **state);
void refresh_grace_race_leaves_one_chain(void **state);
void session_last_used_round_trips(void **state);

#endif
