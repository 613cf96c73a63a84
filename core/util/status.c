/* SPDX-License-Identifier: Apache-2.0 */
/* Names of the SDK status codes. */
#include <portcullis/status.h>

const char *pc_status_str(pc_status st)
{
    switch (st) {
    case PC_OK: return "PC_OK";
    case PC_DECLINED: return "PC_DECLINED";
    case PC_ERR_INVALID: return "PC_ERR_INVALID";
    case PC_ERR_NOT_FOUND: return "PC_ERR_NOT_FOUND";
    case PC_ERR_DENIED: return "PC_ERR_DENIED";
    case PC_ERR_CONFLICT: return "PC_ERR_CONFLICT";
    case PC_ERR_STORAGE: return "PC_ERR_STORAGE";
    case PC_ERR_CRYPTO: return "PC_ERR_CRYPTO";
    case PC_ERR_INTERNAL: return "PC_ERR_INTERNAL";
    case PC_ERR_LIMIT: return "PC_ERR_LIMIT";
    case PC_ERR_UNAVAILABLE: return "PC_ERR_UNAVAILABLE";
    }
    return "PC_ERR_UNKNOWN";
}
