/* SPDX-License-Identifier: Apache-2.0 */
/* Delivery provider instances: their plugins, secrets sealed at rest, the choice of one for a message. */
#ifndef PC_IAM_PROVIDERS_H
#define PC_IAM_PROVIDERS_H
#include <portcullis/portcullis.h>

/** What the API shows instead of a secret config member. */
#define PC_PROVIDER_SECRET_MASK "********"

/** The loaded, initialised provider plugin `name`, or NULL; *state receives its state. */
const pc_provider_ops *pc_provider_plugin(const char *name, void **state);
/** Does plugin `ops` serve provider kind `kind` ("email", "sms")? A NULL channel serves both. */
int pc_provider_serves(const pc_provider_ops *ops, const char *kind);
/** Is `key` one of the plugin's secret (write-only) config members? */
int pc_provider_is_secret(const pc_provider_ops *ops, const char *key);

/**
 * Does `plain` send the provider somewhere else than `previous` (may be NULL)
 * does: another url, mode, host, port or security?
 */
int pc_provider_destination_changed(const json_t *plain, const json_t *previous);
/**
 * The config as stored: secret members sealed with the master key. Members
 * absent from `plain` or equal to PC_PROVIDER_SECRET_MASK keep their value in
 * `previous` (the stored config, may be NULL), unless the destination changed
 * (pc_provider_destination_changed): then only the secrets `plain` gives are
 * kept. New object, or NULL on failure.
 */
json_t *pc_provider_config_seal(const pc_provider_ops *ops, const char *tenant_id,
                                const json_t *plain, const json_t *previous);
/** The stored config with its secrets opened (new), or NULL when a seal does not open. */
json_t *pc_provider_config_open(const char *tenant_id, const json_t *stored);
/** The config as the API shows it: every secret member as PC_PROVIDER_SECRET_MASK (new). */
json_t *pc_provider_config_redact(const json_t *stored);
/** What the plugin's check_config() sees: the config without the host's own member "default" (new). */
json_t *pc_provider_plugin_config(const json_t *plain);

/**
 * The provider a message of `kind` goes through for application `client_id`
 * (may be NULL): the application's default of that kind, else the tenant's
 * (the provider whose config says "default": true, else the only one of the
 * kind). New record, or PC_ERR_NOT_FOUND.
 */
pc_status pc_provider_resolve(const char *tenant_id, const char *client_id, const char *kind,
                              json_t **provider);
/** Send `msg` through the provider record `provider`: PC_ERR_UNAVAILABLE when it failed. */
pc_status pc_provider_send(const char *tenant_id, const json_t *provider, const pc_message *msg);
#endif
