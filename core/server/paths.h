/* SPDX-License-Identifier: Apache-2.0 */
/* Where an installed (or relocated, or build-tree) server finds its plugins and pages. */
#ifndef PC_SERVER_PATHS_H
#define PC_SERVER_PATHS_H

/**
 * `rel` resolved against the directory of the running executable (e.g.
 * "../share/portcullis/webapp"), if that directory exists; else NULL. New string.
 */
char *pc_path_beside_exe(const char *rel);

/**
 * The webapp directory when none is configured: beside the executable's install
 * tree (<prefix>/share/portcullis/webapp), else the source tree it was built from,
 * else the configured install prefix. New string.
 */
char *pc_path_default_webapp(void);

#endif
