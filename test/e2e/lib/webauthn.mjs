// SPDX-License-Identifier: Apache-2.0
// A DevTools virtual authenticator (CTAP2, resident keys, user verification) for a Chromium page.

/**
 * Adds a virtual platform authenticator to `page` through a CDP session; it answers every
 * ceremony at once (presence and verification simulated). Returns {cdp, id, credentials()}.
 */
export async function addVirtualAuthenticator(page, options = {}) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId: id } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2', ctap2Version: 'ctap2_1', transport: 'internal', hasResidentKey: true,
      hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true, ...options,
    },
  });
  return {
    cdp,
    id,
    credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId: id })).credentials,
    /** Copies a credential (from credentials() of another authenticator) into this one. */
    addCredential: (credential) => cdp.send('WebAuthn.addCredential', { authenticatorId: id, credential }),
    /** With presence off, ceremonies wait (conditional UI stays pending) until it is on again. */
    presence: (enabled) => cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId: id, enabled }),
  };
}

/** The login page at `url` as a browser gets it: its form's request and csrf, and the CSRF cookie. */
export async function loginForm(url) {
  const r = await fetch(url);
  const html = await r.text();
  if (r.status !== 200) throw new Error(`login page: ${r.status} ${html.slice(0, 300)}`);
  const field = (name) => html.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1];
  const cookie = (r.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
  return { html, request: field('request'), csrf: field('csrf'), cookie };
}

/**
 * POST {issuer}/oauth2/authorize/passkey/options as the login page's script does with `form`
 * (from loginForm); `mediation: 'conditional'` as its conditional UI does. {status, headers, json}.
 */
export function askPasskeyOptions(optionsUrl, form, { cookie = form.cookie, csrf = form.csrf, mediation } = {}) {
  const body = new URLSearchParams({ request: form.request, csrf });
  if (mediation) body.set('mediation', mediation);
  return fetch(optionsUrl, {
    method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
  }).then(async (r) => ({ status: r.status, headers: r.headers, json: await r.json() }));
}
