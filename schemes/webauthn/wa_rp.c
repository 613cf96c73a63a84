/* SPDX-License-Identifier: Apache-2.0 */
/* The relying party a tenant is: rpId and allowed origins, from its settings or from PUBLIC_URL. */
#include "wa_rp.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* scheme://authority of a URL (new), or NULL. */
static char *origin_of(const char *url)
{
    const char *auth = url ? strstr(url, "://") : NULL, *end;

    if (auth == NULL)
        return NULL;
    end = auth + 3 + strcspn(auth + 3, "/?#");
    return end > auth + 3 ? strndup(url, (size_t)(end - url)) : NULL;
}

/* The host of an origin (new): no userinfo, no port, IPv6 brackets kept. */
static char *host_of(const char *origin)
{
    const char *h = strstr(origin, "://") + 3, *at = strchr(h, '@'), *end;

    if (at != NULL)
        h = at + 1;
    end = *h == '[' ? strchr(h, ']') : NULL;
    end = end ? end + 1 : h + strcspn(h, ":");
    return strndup(h, (size_t)(end - h));
}

/* §5.1.4.1 / HTML "is a registrable domain suffix": rp_id is the host or a parent domain of it. */
static int rp_id_fits(const char *rp_id, const char *origin)
{
    char *host = host_of(origin);
    size_t hl = strlen(host), rl = strlen(rp_id);
    int ok = strcasecmp(host, rp_id) == 0 ||
             (hl > rl + 1 && host[hl - rl - 1] == '.' && strcasecmp(host + hl - rl, rp_id) == 0 &&
              strchr(rp_id, '.') != NULL);

    free(host);
    return ok;
}

const char *wa_rp_of(const char *issuer, const json_t *settings, wa_rp *rp)
{
    const json_t *list = json_object_get(settings, "origins"), *o;
    const char *id = json_string_value(json_object_get(settings, "rp_id"));
    char *base = origin_of(issuer);
    size_t i;

    memset(rp, 0, sizeof *rp);
    if (base == NULL)
        return "PUBLIC_URL has no host";
    rp->id = id != NULL && *id != '\0' ? strdup(id) : host_of(base);
    json_array_foreach (list, i, o)
        if (json_is_string(o) && rp->n_origins < WA_MAX_ORIGINS)
            rp->origins[rp->n_origins++] = strdup(json_string_value(o));
    if (rp->n_origins == 0)
        rp->origins[rp->n_origins++] = base;
    else
        free(base);
    for (i = 0; i < rp->n_origins; i++)
        if (rp->origins[i] == NULL || strstr(rp->origins[i], "://") == NULL ||
            !rp_id_fits(rp->id, rp->origins[i]))
            return "setting rp_id must be the host of every origin or a parent domain of it";
    return NULL;
}

void wa_rp_clear(wa_rp *rp)
{
    free(rp->id);
    for (size_t i = 0; i < rp->n_origins; i++)
        free(rp->origins[i]);
    memset(rp, 0, sizeof *rp);
}
