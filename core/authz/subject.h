/* SPDX-License-Identifier: Apache-2.0 */
/* The cache of subject facts behind pc_pdp_subject (authz.h): its life cycle. */
#ifndef PC_PDP_SUBJECT_H
#define PC_PDP_SUBJECT_H
void pc_pdp_subjects_init(void);
void pc_pdp_subjects_shutdown(void);
/** Forget the facts of a tenant's subjects (NULL: every tenant). */
void pc_pdp_subjects_forget(const char *tenant_id);
#endif
