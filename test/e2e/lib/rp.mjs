// SPDX-License-Identifier: Apache-2.0
// A tiny relying party for the browser tests: a callback and a post-logout page on 127.0.0.1 that record their visits.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import * as client from 'openid-client';
import { onLoginPage, signIn } from './browser.mjs';

/**
 * Starts the relying party on a free loopback port. Returns
 * {origin, redirectUri, postLogoutUri, visits: URL[], close()}.
 */
export function startRp() {
  const visits = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url, `http://${req.headers.host}`);
    visits.push(url);
    const what = url.pathname === '/callback' ? 'Callback received' : url.pathname === '/logged-out' ? 'Signed out' : 'Not found';
    res.writeHead(what === 'Not found' ? 404 : 200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><title>RP</title><h1>${what}</h1></html>`);
  });
  return new Promise((ok, fail) => {
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const origin = `http://127.0.0.1:${server.address().port}`;
      ok({
        origin,
        redirectUri: `${origin}/callback`,
        postLogoutUri: `${origin}/logged-out`,
        visits,
        close: () => new Promise((done) => { server.closeAllConnections?.(); server.close(() => done()); }),
      });
    });
  });
}

/**
 * Opens a fresh authorization request (code, PKCE, state, nonce) of `config` (openid-client)
 * in `page` and signs `user` in with the password. Returns {verifier, state, nonce}, what the
 * callback is checked against.
 */
export async function signInThroughAuthorization(page, config, redirectUri, user, scope = 'openid profile') {
  const verifier = client.randomPKCECodeVerifier();
  const req = { verifier, state: client.randomState(), nonce: client.randomNonce() };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri, scope, state: req.state, nonce: req.nonce,
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  await page.goto(url.href);
  assert.ok(await onLoginPage(page), 'the login page');
  await signIn(page, user.username, user.password);
  return req;
}
