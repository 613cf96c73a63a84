/* SPDX-License-Identifier: Apache-2.0 */
/* An RFC 5322 plain-text message: headers (RFC 2047 where needed) and a base64 UTF-8 body. */
#ifndef PC_SMTP_MESSAGE_H
#define PC_SMTP_MESSAGE_H
#include <stdint.h>

/** May `s` go into a header (no CR or LF, not too long)? */
int smtp_header_safe(const char *s);
/** The whole message with CRLF line ends (new, free()), or NULL. */
char *smtp_message_new(const char *from, const char *from_name, const char *to, const char *subject,
                       const char *text, int64_t now);
#endif
