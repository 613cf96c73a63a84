/* SPDX-License-Identifier: Apache-2.0 */
/* The rules of a user record: its status at a time, emails in their stored form. */
#ifndef PC_IAM_USERS_H
#define PC_IAM_USERS_H
#include <portcullis/portcullis.h>

/** May this user record sign in and use its tokens at `now`: not deleted, not disabled, not frozen? */
int pc_iam_user_active(const json_t *user, int64_t now);
/** Is the user disabled or frozen at `now` (deleted or not)? */
int pc_iam_user_disabled(const json_t *user, int64_t now);
/** "active" or "disabled": the status as the API shows it at `now` (a freeze reads "disabled"). */
const char *pc_iam_user_status(const json_t *user, int64_t now);
/** `email` as stored: in Unicode lowercase (core/util/fold.c; new; NULL for NULL). */
char *pc_iam_email_normal(const char *email);
#endif
