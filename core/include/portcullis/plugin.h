/* SPDX-License-Identifier: Apache-2.0 */
/* Portcullis SDK: the plugin descriptor every .so exports, and its versioning rules. */
#ifndef PORTCULLIS_PLUGIN_H
#define PORTCULLIS_PLUGIN_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * ABI version. A plugin built against another major is refused; within one
 * major, structs only grow at their end and the host reads a trailing member
 * only when the plugin's struct_size covers it.
 */
#define PC_ABI_MAJOR 1
#define PC_ABI_MINOR 0

/** Name of the one symbol every plugin exports. */
#define PC_PLUGIN_ENTRY "portcullis_plugin"

#if defined(__GNUC__)
#define PC_EXPORT __attribute__((visibility("default")))
#else
#define PC_EXPORT
#endif

typedef enum pc_plugin_kind {
    PC_KIND_GRANT = 1,    /**< an OAuth grant type at the token endpoint: pc_grant_ops */
    PC_KIND_SCHEME = 2,   /**< a multi-factor scheme: pc_scheme_ops */
    PC_KIND_PROVIDER = 3, /**< a message-delivery provider: pc_provider_ops */
    PC_KIND_STORAGE = 4,  /**< a storage backend: pc_storage_ops */
    PC_KIND_IDP = 5       /**< an identity provider (federation release): pc_idp_ops */
} pc_plugin_kind;

struct pc_host;

/**
 * The descriptor at the start of every operations table.
 *
 * init() receives the host services (valid until fini) and the plugin's
 * configuration (borrowed for the call; copy what you keep). It stores its
 * own state in *state, which the host hands back to every operation and to
 * fini(). Either callback may be NULL. Appeared in ABI 1.0.
 */
typedef struct pc_plugin {
    uint16_t abi_major;
    uint16_t abi_minor;
    uint32_t struct_size; /**< sizeof the whole kind-specific ops table */
    pc_plugin_kind kind;
    const char *name;        /**< unique per kind: "sqlite", "password", "totp" */
    const char *version;     /**< the plugin's own version, free form */
    const char *description; /**< one line for `portcullis plugins` */
    pc_status (*init)(const struct pc_host *host, const json_t *config, void **state);
    void (*fini)(void *state);
} pc_plugin;

/** Initialiser for the descriptor of an ops table of type OPS_TYPE. */
#define PC_PLUGIN_BASE(OPS_TYPE, KIND, NAME, VERSION, DESCRIPTION, INIT, FINI)             \
    {                                                                                      \
        .abi_major = PC_ABI_MAJOR, .abi_minor = PC_ABI_MINOR,                              \
        .struct_size = (uint32_t)sizeof(OPS_TYPE), .kind = (KIND), .name = (NAME),         \
        .version = (VERSION), .description = (DESCRIPTION), .init = (INIT), .fini = (FINI) \
    }

/** The entry point: returns the plugin's static descriptor. */
typedef const pc_plugin *(*pc_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif
#endif
