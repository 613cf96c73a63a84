/* SPDX-License-Identifier: Apache-2.0 */
/* Storage contract cases of schema 7, people (contract_people.c), run by contract_test.c. */
#ifndef PC_CONTRACT_PEOPLE_H
#define PC_CONTRACT_PEOPLE_H

void user_names_ignore_case(void **state);
void user_names_fold_beyond_ascii(void **state);
void user_profile_columns_round_trip(void **state);
void user_list_by_role_group_status_and_time(void **state);
void count_matches_list(void **state);
void application_people_columns(void **state);
void link_token_is_used_once(void **state);
void invitations_by_status_at_a_time(void **state);

#endif
