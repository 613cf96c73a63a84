/* SPDX-License-Identifier: Apache-2.0 */
/* The oidc identity provider's parts: discovery cache, ID token verification. */
#ifndef PC_IDP_OIDC_H
#define PC_IDP_OIDC_H

#include <portcullis/portcullis.h>

/** How long a discovery document and its JWKS are trusted before they are fetched again. */
#define OIDC_CACHE_TTL 3600

typedef struct oidc_cache oidc_cache;

oidc_cache *oidc_cache_new(const pc_host *host);
void oidc_cache_free(oidc_cache *c);
/**
 * The issuer's discovery document (new reference): from the cache while
 * fresh and `refresh` is 0, else fetched and checked (its issuer must be
 * `issuer` exactly, OpenID Connect Discovery §4.3; endpoints must be
 * acceptable outbound URLs). A failed fetch falls back to a stale copy.
 */
pc_status oidc_discovery(oidc_cache *c, const char *issuer, int refresh, json_t **doc, char *why,
                         size_t why_len);
/** The issuer's JWKS (new reference), cached like the document; `refresh` fetches it again. */
pc_status oidc_jwks(oidc_cache *c, const char *issuer, int refresh, json_t **jwks, char *why,
                    size_t why_len);
/** Forget what is cached for `issuer` (after the upstream failed us: refresh on failure). */
void oidc_cache_forget(oidc_cache *c, const char *issuer);

/** What an ID token must say (OIDC Core §3.1.3.7). All borrowed. */
typedef struct oidc_expect {
    const char *issuer;
    const char *client_id;
    const char *nonce;
    int64_t now;
} oidc_expect;
/**
 * Verify an ID token: alg is an asymmetric one (never none or HMAC), the
 * signature verifies with the key of its kid in `jwks`, iss, aud (and azp
 * when several audiences), exp (60 s leeway), nonce and sub. PC_OK with
 * *claims (new); PC_ERR_NOT_FOUND when no key of `jwks` has its kid (fetch
 * the JWKS again); PC_ERR_DENIED otherwise, *why saying which check failed.
 */
pc_status oidc_verify_id_token(const char *token, const json_t *jwks, const oidc_expect *e,
                               json_t **claims, const char **why);
#endif
