/* SPDX-License-Identifier: Apache-2.0 */
/* The plugin loader and registry: one loader, one unload path, for every kind. */
#include "server/plugins.h"
#include "server/paths.h"
#include "util/log.h"
#include "util/mem.h"

#include <dirent.h>
#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *pc_plugin_kind_str(pc_plugin_kind kind)
{
    switch (kind) {
    case PC_KIND_GRANT: return "grant";
    case PC_KIND_SCHEME: return "scheme";
    case PC_KIND_PROVIDER: return "provider";
    case PC_KIND_STORAGE: return "storage";
    case PC_KIND_IDP: return "idp";
    }
    return NULL;
}

/* The size of each kind's ops table at ABI 1.0: a plugin's table is at least that. */
static size_t min_ops_size(pc_plugin_kind kind)
{
    switch (kind) {
    case PC_KIND_GRANT: return sizeof(pc_grant_ops);
    case PC_KIND_SCHEME: return sizeof(pc_scheme_ops);
    case PC_KIND_PROVIDER: return sizeof(pc_provider_ops);
    case PC_KIND_STORAGE: return sizeof(pc_storage_ops);
    case PC_KIND_IDP: return sizeof(pc_idp_ops);
    }
    return 0;
}

char *pc_plugins_default_dir(const char *configured)
{
    char *dir;

    if (configured != NULL && *configured != '\0')
        return pc_strdup(configured);
    /* The build tree keeps plugins beside the binary; an install tree in <prefix>/lib. */
    dir = pc_path_beside_exe("plugins");
    if (dir == NULL)
        dir = pc_path_beside_exe("../lib/portcullis/plugins");
    return dir != NULL ? dir : pc_strdup(PC_INSTALL_PLUGIN_DIR);
}

static pc_status refuse(const char *path, const char *reason, const char *detail)
{
    pc_warn("plugin refused: file=%s reason=\"%s%s%s\"", path, reason, detail ? ": " : "",
            detail ? detail : "");
    return PC_ERR_INVALID;
}

/* A plugin anyone but its owner may rewrite could be swapped under us. */
static pc_status check_file(const char *path)
{
    struct stat st;

    if (stat(path, &st) != 0)
        return refuse(path, "cannot stat the file", NULL);
    if (!S_ISREG(st.st_mode))
        return refuse(path, "not a regular file", NULL);
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        return refuse(path, "file is group- or world-writable", NULL);
    return PC_OK;
}

/* An identity provider must say which API `kind` it serves and have the operations its flags promise. */
static pc_status check_idp(pc_registry *reg, const char *path, const pc_idp_ops *ops)
{
    if (ops->kind == NULL || *ops->kind == '\0')
        return refuse(path, "identity provider names no kind", NULL);
    if ((ops->flags & (PC_IDP_REDIRECT | PC_IDP_PASSWORD)) == 0)
        return refuse(path, "identity provider has neither PC_IDP_REDIRECT nor PC_IDP_PASSWORD",
                      NULL);
    if ((ops->flags & PC_IDP_REDIRECT) && (ops->begin == NULL || ops->finish == NULL))
        return refuse(path, "redirect identity provider lacks begin or finish", NULL);
    if ((ops->flags & PC_IDP_PASSWORD) && ops->check_password == NULL)
        return refuse(path, "directory identity provider lacks check_password", NULL);
    if (pc_registry_find_idp(reg, ops->kind) != NULL)
        return refuse(path, "duplicate identity provider kind", ops->kind);
    return PC_OK;
}

static pc_status check_descriptor(pc_registry *reg, const char *path, const pc_plugin *d)
{
    char detail[96];

    if (d == NULL)
        return refuse(path, "entry symbol returned no descriptor", NULL);
    if (d->abi_major != PC_ABI_MAJOR) {
        snprintf(detail, sizeof detail, "built for %u.%u, this server speaks %d.%d", d->abi_major,
                 d->abi_minor, PC_ABI_MAJOR, PC_ABI_MINOR);
        return refuse(path, "ABI major version differs", detail);
    }
    if (pc_plugin_kind_str(d->kind) == NULL)
        return refuse(path, "unknown plugin kind", NULL);
    if (d->name == NULL || *d->name == '\0')
        return refuse(path, "plugin has no name", NULL);
    if (d->struct_size < min_ops_size(d->kind))
        return refuse(path, "operations table is smaller than its kind requires", NULL);
    if (pc_registry_find(reg, d->kind, d->name) != NULL) {
        snprintf(detail, sizeof detail, "%s plugin \"%s\" is already loaded",
                 pc_plugin_kind_str(d->kind), d->name);
        return refuse(path, "duplicate name", detail);
    }
    if (d->kind == PC_KIND_IDP)
        return check_idp(reg, path, (const pc_idp_ops *)d);
    return PC_OK;
}

pc_status pc_registry_load(pc_registry *reg, const char *path)
{
    void *h;
    pc_plugin_entry_fn entry;
    const pc_plugin *d;
    pc_loaded_plugin *p;

    if (check_file(path) != PC_OK)
        return PC_ERR_INVALID;
    h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL)
        return refuse(path, "dlopen failed", dlerror());
    *(void **)&entry = dlsym(h, PC_PLUGIN_ENTRY);
    if (entry == NULL) {
        dlclose(h);
        return refuse(path, "entry symbol " PC_PLUGIN_ENTRY " is missing", NULL);
    }
    d = entry();
    if (check_descriptor(reg, path, d) != PC_OK) {
        dlclose(h);
        return PC_ERR_INVALID;
    }
    reg->items = pc_realloc(reg->items, (reg->n + 1) * sizeof *reg->items);
    p = &reg->items[reg->n++];
    memset(p, 0, sizeof *p);
    p->path = pc_strdup(path);
    p->handle = h;
    p->desc = d;
    pc_debug("plugin loaded: file=%s kind=%s name=%s version=%s", path, pc_plugin_kind_str(d->kind),
             d->name, d->version ? d->version : "?");
    return PC_OK;
}

static int is_plugin_file(const char *name)
{
    size_t n = strlen(name);

    return n > 3 && strcmp(name + n - 3, ".so") == 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

int pc_registry_scan(pc_registry *reg, const char *dir)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, by_name), refused = 0;

    if (n < 0) {
        pc_error("cannot read the plugin directory %s", dir);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        if (is_plugin_file(names[i]->d_name)) {
            char *path = pc_asprintf("%s/%s", dir, names[i]->d_name);
            refused += pc_registry_load(reg, path) != PC_OK;
            free(path);
        }
        free(names[i]);
    }
    free(names);
    return refused;
}

pc_loaded_plugin *pc_registry_find(pc_registry *reg, pc_plugin_kind kind, const char *name)
{
    for (size_t i = 0; i < reg->n; i++)
        if (reg->items[i].desc->kind == kind && strcmp(reg->items[i].desc->name, name) == 0)
            return &reg->items[i];
    return NULL;
}

pc_loaded_plugin *pc_registry_find_idp(pc_registry *reg, const char *kind)
{
    for (size_t i = 0; i < reg->n; i++) {
        const pc_plugin *d = reg->items[i].desc;
        if (d->kind == PC_KIND_IDP && strcmp(((const pc_idp_ops *)d)->kind, kind) == 0)
            return &reg->items[i];
    }
    return NULL;
}

static void unload(pc_loaded_plugin *p)
{
    if (p->initialised && p->desc->fini != NULL)
        p->desc->fini(p->state);
    dlclose(p->handle);
    free(p->path);
}

void pc_registry_init_kind(pc_registry *reg, pc_plugin_kind kind, const pc_host *host)
{
    size_t i = 0;

    while (i < reg->n) {
        pc_loaded_plugin *p = &reg->items[i];
        pc_status rc = PC_OK;
        if (p->desc->kind != kind || p->initialised) {
            i++;
            continue;
        }
        if (p->desc->init != NULL)
            rc = p->desc->init(host, NULL, &p->state);
        if (rc == PC_OK) {
            p->initialised = 1;
            i++;
            continue;
        }
        pc_warn("plugin refused: file=%s reason=\"init failed: %s\"", p->path, pc_status_str(rc));
        unload(p);
        memmove(p, p + 1, (reg->n - i - 1) * sizeof *p);
        reg->n--;
    }
}

void pc_registry_keep_only(pc_registry *reg, pc_plugin_kind kind, const char *keep)
{
    size_t i = 0;

    while (i < reg->n) {
        pc_loaded_plugin *p = &reg->items[i];
        if (p->desc->kind != kind || strcmp(p->desc->name, keep) == 0) {
            i++;
            continue;
        }
        unload(p);
        memmove(p, p + 1, (reg->n - i - 1) * sizeof *p);
        reg->n--;
    }
}

void pc_registry_free(pc_registry *reg)
{
    for (size_t i = reg->n; i-- > 0;)
        unload(&reg->items[i]);
    free(reg->items);
    reg->items = NULL;
    reg->n = 0;
}
