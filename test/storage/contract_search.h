/* SPDX-License-Identifier: Apache-2.0 */
/* Storage contract cases of the user search and of a page of users at once (issue 20,
 * contract_search.c), run by contract_test.c. */
#ifndef PC_CONTRACT_SEARCH_H
#define PC_CONTRACT_SEARCH_H

void user_search_matches_substrings_without_case(void **state);
void user_search_follows_updates_and_removals(void **state);
void user_search_stays_in_its_tenant(void **state);
void user_search_pages_in_id_order(void **state);
void list_filter_takes_any_of(void **state);
void link_list_many_is_link_list_per_id(void **state);

#endif
