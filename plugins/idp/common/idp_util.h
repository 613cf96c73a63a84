/* SPDX-License-Identifier: Apache-2.0 */
/* What the identity-provider plugins share: URLs and forms, JSON over the host's HTTP, claims mapping. */
#ifndef PC_IDP_UTIL_H
#define PC_IDP_UTIL_H

#include <portcullis/portcullis.h>

/** Percent-encode `s` for a URL query or a form (RFC 3986 unreserved kept). New, free(). */
char *idp_url_encode(const char *s);
/**
 * `base` with the NULL-terminated name/value `pairs` (NULL values skipped)
 * appended as its query (after ? or &). New, free().
 */
char *idp_url_with(const char *base, const char *const *pairs);
/** The pairs as an application/x-www-form-urlencoded body. New, free(). */
char *idp_form(const char *const *pairs);

/** One outbound call whose answer is JSON. */
typedef struct idp_fetch {
    const char *method;
    const char *url;
    const char *body;       /**< a form, or NULL */
    const char *bearer;     /**< an access token to send, or NULL */
    const char *basic_user; /**< client_secret_basic, or NULL */
    const char *basic_password;
} idp_fetch;
/**
 * Make the call through host->http(): PC_OK with *out (new) when the answer
 * is 2xx with a JSON object; PC_ERR_DENIED for a refusal, 400, 401 or 403
 * (the answer's "error" goes in *why); PC_ERR_UNAVAILABLE for anything else:
 * unreachable, 5xx, garbage, or a status such as 404 that says the endpoint
 * is not where it was. `why_buf` says what went wrong.
 */
pc_status idp_fetch_json(const pc_host *host, const idp_fetch *f, json_t **out, char *why_buf,
                         size_t why_len);
/**
 * RFC 6749 §5.2 in a 2xx answer of a token endpoint (GitHub answers 200 with
 * {"error": ...}): PC_ERR_DENIED with "the upstream refused: error=<code>" in
 * why_buf when `answer` has an "error" member, else PC_OK. The code is cut to
 * its letters, digits and '_' (it goes to the log).
 */
pc_status idp_token_refusal(const json_t *answer, char *why_buf, size_t why_len);

/**
 * The member at a dotted path ("data.user.email") of `obj`, at most 8 levels;
 * NULL when absent. Borrowed.
 */
const json_t *idp_json_path(const json_t *obj, const char *path);
/**
 * Map upstream claims to the user fields of API.md §11: for each field, the
 * claim named in `mapping` (an object field → claim path; may be NULL), else
 * the one in `defaults` (same shape). Strings stay strings; "email_verified"
 * becomes a boolean (true, or the string "true"); other types are dropped.
 * New object.
 */
json_t *idp_claims_map(const json_t *source, const json_t *mapping, const json_t *defaults);
/** A subject from a claim: a non-empty string, or an integer written in decimal. New, or NULL. */
char *idp_subject_of(const json_t *v);
/** Does an OIDC amr claim (an array) say a second factor was used ("mfa")? */
int idp_amr_has_mfa(const json_t *amr);
/** A scopes member: a string "a b" or an array of strings, as a space-separated string. New. */
char *idp_scopes(const json_t *config, const char *def);
/** The string setting `key` of a provider's config, or NULL. */
const char *idp_config_str(const json_t *config, const char *key);
/**
 * What describe() says about a redirect provider whose upstream is at `url`
 * (new): {"method":"redirect","icon":…,"label":"Sign in with {display_name}"};
 * the icon names a well-known upstream by its host ("google", "github",
 * "microsoft", …), else `fallback`.
 */
json_t *idp_describe_redirect(const pc_idp_call *call, const char *url, const char *fallback);
/** Does the host offer the outbound rules (without them no upstream may be called)? */
int idp_host_usable(const pc_host *host);
#endif
