/* SPDX-License-Identifier: Apache-2.0 */
/* Storage contract cases of schema 10 (issue #18), consents and device codes (contract_consent.c), run by contract_test.c. */
#ifndef PC_CONTRACT_CONSENT_H
#define PC_CONTRACT_CONSENT_H

void consent_is_one_per_user_and_client(void **state);
void device_code_found_by_user_code(void **state);

#endif
