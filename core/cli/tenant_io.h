/* SPDX-License-Identifier: Apache-2.0 */
/* `portcullis admin tenant export|import`: a tenant's configuration and principals as JSON. */
#ifndef PC_CLI_TENANT_IO_H
#define PC_CLI_TENANT_IO_H

#include <stdio.h>

/**
 * Write tenant `slug` as one JSON document to `out`: its name and settings,
 * roles, groups, users and applications with their links. Password hashes,
 * client secrets, signing keys, second factors, providers, sessions, tokens
 * and audit events are left out. 0, or 1 with a message on stderr.
 */
int pc_cli_tenant_export(const char *slug, FILE *out);

/**
 * Create tenant `slug` (which must not exist) from a document of
 * pc_cli_tenant_export read from `in`, in one transaction. Users come without
 * passwords; each confidential application gets a new secret, listed on stdout
 * once. 0, or 1 with a message on stderr (nothing is written then).
 */
int pc_cli_tenant_import(const char *slug, FILE *in);

#endif
