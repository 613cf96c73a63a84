/* SPDX-License-Identifier: Apache-2.0 */
/* Portcullis SDK: the status codes every core and plugin function returns. */
#ifndef PORTCULLIS_STATUS_H
#define PORTCULLIS_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Result of an SDK call. Values are stable: new codes are only appended.
 * Appeared in ABI 1.0.
 */
typedef enum pc_status {
    PC_OK = 0,
    PC_DECLINED,       /**< not mine: try the next plugin */
    PC_ERR_INVALID,    /**< bad input from the caller */
    PC_ERR_NOT_FOUND,  /**< no such object */
    PC_ERR_DENIED,     /**< authentication or authorisation refused */
    PC_ERR_CONFLICT,   /**< uniqueness or state conflict */
    PC_ERR_STORAGE,    /**< the store failed (connection, I/O, schema) */
    PC_ERR_CRYPTO,     /**< a cryptographic primitive failed */
    PC_ERR_INTERNAL,   /**< anything else; details are in the log */
    PC_ERR_LIMIT,      /**< rate limit or quota exceeded */
    PC_ERR_UNAVAILABLE /**< a remote service (SMTP, SMS gateway) failed */
} pc_status;

/** A static, human-readable name for a status ("PC_ERR_INVALID"). Never NULL. */
const char *pc_status_str(pc_status st);

#ifdef __cplusplus
}
#endif
#endif
