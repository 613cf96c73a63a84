/* SPDX-License-Identifier: Apache-2.0 */
/* Storage contract cases of schema 10, federation (contract_federation.c), run by contract_test.c. */
#ifndef PC_CONTRACT_FEDERATION_H
#define PC_CONTRACT_FEDERATION_H

void identity_provider_crud_and_unique_name(void **state);
void identity_subject_is_unique_per_provider(void **state);
void identity_goes_with_its_user_and_provider(void **state);
void fed_state_is_used_once(void **state);

#endif
