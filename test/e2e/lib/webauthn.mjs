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
