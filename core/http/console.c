/* SPDX-License-Identifier: Apache-2.0 */
/* GET {issuer}/ui/account and {issuer}/ui/admin: the consoles' page shells (API.md §13). */
#include "http/endpoints.h"
#include "http/pages.h"

void pc_http_console_account(pc_req *rq)
{
    pc_console_reply(rq, "account");
}

void pc_http_console_admin(pc_req *rq)
{
    pc_console_reply(rq, "admin");
}
