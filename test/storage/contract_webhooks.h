/* SPDX-License-Identifier: Apache-2.0 */
/* Storage contract cases of schema 7, the webhook outbox (contract_webhooks.c), run by contract_test.c. */
#ifndef PC_CONTRACT_WEBHOOKS_H
#define PC_CONTRACT_WEBHOOKS_H

void webhook_claim_leases_one_message(void **state);
void webhook_lease_expiry_lets_another_node_claim(void **state);
void webhook_claim_race_gives_each_message_once(void **state);
void webhook_disabled_or_removed_is_not_claimed(void **state);

#endif
