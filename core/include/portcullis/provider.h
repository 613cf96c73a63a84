/* SPDX-License-Identifier: Apache-2.0 */
/* Portcullis SDK: message-delivery provider plugins (email, SMS). */
#ifndef PORTCULLIS_PROVIDER_H
#define PORTCULLIS_PROVIDER_H

#include "host.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A message to deliver; all borrowed for the call. Appeared in ABI 1.0. */
typedef struct pc_message {
    const char *to;      /**< an email address or an E.164 phone number */
    const char *subject; /**< NULL for SMS */
    const char *text;
    /**
     * Template variables (appended in ABI 1.0, multi-factor release): an
     * object of strings such as "code", "minutes", "tenant", "app", or NULL.
     * A provider configured with its own templates renders them from these;
     * otherwise it sends subject and text as they are. Borrowed.
     */
    const json_t *vars;
} pc_message;

/**
 * Provider operations. A provider instance is configured per tenant through
 * the management API; `config` is that instance's settings (borrowed).
 * Appeared in ABI 1.0.
 */
typedef struct pc_provider_ops {
    pc_plugin base;
    /** "email" or "sms". */
    const char *channel;
    /** Validate an instance configuration; on error *problem names it (static). */
    pc_status (*check_config)(void *state, const json_t *config, const char **problem);
    /** Names of the config members that are secrets (write-only), NULL-terminated. */
    const char *const *secret_fields;
    /** Deliver one message. PC_ERR_UNAVAILABLE when the remote side failed. */
    pc_status (*send)(void *state, const json_t *config, const pc_message *msg);
} pc_provider_ops;

#ifdef __cplusplus
}
#endif
#endif
