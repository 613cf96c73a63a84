/* SPDX-License-Identifier: Apache-2.0 */
/* Storage contract cases of schema 12, organizations (contract_orgs.c), run by contract_test.c. */
#ifndef PC_CONTRACT_ORGS_H
#define PC_CONTRACT_ORGS_H

void organization_slug_is_unique_per_tenant(void **state);
void membership_pair_is_unique_and_filtered(void **state);
void removing_an_organization_removes_its_memberships(void **state);
void org_token_is_used_once(void **state);
void org_id_on_codes_refresh_grants_and_sessions(void **state);

#endif
