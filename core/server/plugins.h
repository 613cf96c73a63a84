/* SPDX-License-Identifier: Apache-2.0 */
/* The plugin loader and registry: every plugin, built in or not, is found and checked here. */
#ifndef PC_SERVER_PLUGINS_H
#define PC_SERVER_PLUGINS_H

#include <portcullis/portcullis.h>

typedef struct pc_loaded_plugin {
    char *path;
    void *handle; /**< dlopen handle */
    const pc_plugin *desc;
    void *state; /**< from init() */
    int initialised;
} pc_loaded_plugin;

typedef struct pc_registry {
    pc_loaded_plugin *items;
    size_t n;
} pc_registry;

/** The plugin directory: $PORTCULLIS_PLUGIN_DIR, else beside the executable, else the install tree. New string. */
char *pc_plugins_default_dir(const char *configured);

/**
 * Load every *.so in `dir`. A plugin that fails a check is refused with one
 * log line naming the file and the reason, and loading goes on. Returns the
 * number refused, or -1 if the directory cannot be read.
 */
int pc_registry_scan(pc_registry *reg, const char *dir);
/** Load and check one file; PC_OK or the refusal (also logged). */
pc_status pc_registry_load(pc_registry *reg, const char *path);
pc_loaded_plugin *pc_registry_find(pc_registry *reg, pc_plugin_kind kind, const char *name);
/** The identity-provider plugin serving the API kind `kind` ("oidc"), or NULL. */
pc_loaded_plugin *pc_registry_find_idp(pc_registry *reg, const char *kind);
/** Call init() of every plugin of `kind` not yet initialised; a failing one is dropped with a log line. */
void pc_registry_init_kind(pc_registry *reg, pc_plugin_kind kind, const pc_host *host);
/**
 * Unload every plugin of `kind` but the one named `keep` (the storage backend
 * in use: the others' libraries, libpq among them, need not stay mapped).
 */
void pc_registry_keep_only(pc_registry *reg, pc_plugin_kind kind, const char *keep);
/** fini() every initialised plugin, then dlclose all of them. */
void pc_registry_free(pc_registry *reg);
const char *pc_plugin_kind_str(pc_plugin_kind kind);

#endif
