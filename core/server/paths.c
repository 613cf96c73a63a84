/* SPDX-License-Identifier: Apache-2.0 */
/* Where an installed (or relocated, or build-tree) server finds its plugins and pages. */
#include "server/paths.h"
#include "util/mem.h"

#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static int is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *pc_path_beside_exe(const char *rel)
{
    char exe[PATH_MAX], real[PATH_MAX], *dir;
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);

    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    dir = pc_asprintf("%s/%s", dirname(exe), rel);
    /* Canonical, so logs and `portcullis plugins` name the directory plainly. */
    if (realpath(dir, real) == NULL || !is_dir(real)) {
        free(dir);
        return NULL;
    }
    free(dir);
    return pc_strdup(real);
}

char *pc_path_default_webapp(void)
{
    /* The install tree first: an installed binary never depends on a source checkout. */
    char *dir = pc_path_beside_exe("../share/portcullis/webapp");

    if (dir != NULL)
        return dir;
    if (is_dir(PC_BUILD_WEBAPP_DIR))
        return pc_strdup(PC_BUILD_WEBAPP_DIR);
    return pc_strdup(PC_INSTALL_WEBAPP_DIR);
}
