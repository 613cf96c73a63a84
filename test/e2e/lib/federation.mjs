// SPDX-License-Identifier: Apache-2.0
// Federation test helpers: a small OpenID Connect upstream whose answers a test can spoil (for
// the attack cases), a small OAuth 2.0 server with a userinfo endpoint, and a cookie-keeping
// client that walks a federated sign-in (login page, start, upstream, callback) without a browser.
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { adminToken, api, createApp, startServer } from './server.mjs';

function listen(server) {
  return new Promise((ok, fail) => {
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => ok(`http://127.0.0.1:${server.address().port}`));
  });
}

const s256 = (v) => createHash('sha256').update(v).digest('base64url');

function readBody(req) {
  return new Promise((ok) => { let b = ''; req.on('data', (d) => { b += d; }); req.on('end', () => ok(b)); });
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** A signing key pair and its public JWK under `kid`. */
async function signingKey(kid) {
  const pair = await generateKeyPair('RS256');
  return { ...pair, kid, pub: { ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

/**
 * An OIDC upstream. `up.mode` spoils its answers: 'good', 'nonce' (another nonce in the ID
 * token), 'key' (signed by a key not in its JWKS, under the same kid), 'iss' (another issuer in
 * the ID token), 'issparam' (the callback's iss parameter names another issuer), 'error' (the
 * person comes back with `error=up.error` instead of a code).
 * Users: `up.subject` and `up.claims` are what the next sign-in is about.
 * Redeployments: `up.stop()` takes it down and `up.start()` brings it back on the same port;
 * `up.paths` are its endpoints' paths (discovery names them); `up.rotate()` signs with a new key
 * under a new kid from then on. Codes it issued before a restart are forgotten, as a real one would.
 */
export async function startFakeOidc({ clientId, clientSecret }) {
  let good = await signingKey('k1');
  const other = await generateKeyPair('RS256');
  let codes = new Map();
  const up = {
    mode: 'good', subject: 'fake-1', claims: {}, calls: [],
    paths: { authorize: '/authorize', token: '/token', jwks: '/jwks' },
  };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, up.issuer);
    up.calls.push(url.pathname);
    if (url.pathname === '/.well-known/openid-configuration')
      return send(res, 200, {
        issuer: up.issuer, authorization_endpoint: up.issuer + up.paths.authorize, token_endpoint: up.issuer + up.paths.token,
        jwks_uri: up.issuer + up.paths.jwks, authorization_response_iss_parameter_supported: true,
      });
    if (url.pathname === up.paths.jwks) return send(res, 200, { keys: [good.pub] });
    if (url.pathname === up.paths.authorize) {
      const q = url.searchParams;
      const code = randomBytes(16).toString('base64url');
      codes.set(code, { nonce: q.get('nonce'), challenge: q.get('code_challenge'), redirect: q.get('redirect_uri') });
      const back = new URL(q.get('redirect_uri'));
      if (up.mode === 'error') back.searchParams.set('error', up.error); // RFC 6749 §4.1.2.1
      else back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state'));
      back.searchParams.set('iss', up.mode === 'issparam' ? 'http://127.0.0.1:1/elsewhere' : up.issuer);
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    if (url.pathname === up.paths.token && req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      const auth = Buffer.from((req.headers.authorization || '').replace(/^Basic /, ''), 'base64').toString();
      const posted = `${form.get('client_id')}:${form.get('client_secret')}`;
      up.lastAuth = req.headers.authorization ? 'client_secret_basic' : 'client_secret_post';
      const c = codes.get(form.get('code'));
      codes.delete(form.get('code'));
      if (!c || (req.headers.authorization && form.get('client_secret')) || // one method at a time
          (auth !== `${clientId}:${clientSecret}` && posted !== `${clientId}:${clientSecret}`) ||
          s256(form.get('code_verifier') || '') !== c.challenge ||
          form.get('redirect_uri') !== c.redirect)
        return send(res, 400, { error: 'invalid_grant' });
      const now = Math.floor(Date.now() / 1000);
      const idToken = await new SignJWT({
        nonce: up.mode === 'nonce' ? 'not-the-nonce' : c.nonce, ...up.claims,
      }).setProtectedHeader({ alg: 'RS256', kid: good.kid })
        .setIssuer(up.mode === 'iss' ? 'http://127.0.0.1:1/elsewhere' : up.issuer)
        .setSubject(up.subject).setAudience(clientId).setIssuedAt(now).setExpirationTime(now + 300)
        .sign(up.mode === 'key' ? other.privateKey : good.privateKey);
      return send(res, 200, { access_token: 'at-' + randomBytes(8).toString('hex'), token_type: 'Bearer', id_token: idToken });
    }
    return send(res, 404, { error: 'not_found' });
  });
  up.issuer = await listen(server);
  const port = server.address().port;
  up.close = () => new Promise((done) => {
    if (!server.listening) return done();
    server.closeAllConnections?.();
    server.close(() => done());
  });
  up.stop = up.close;
  up.start = () => {
    codes = new Map();
    return new Promise((ok, fail) => { server.once('error', fail); server.listen(port, '127.0.0.1', ok); });
  };
  up.rotate = async () => { good = await signingKey(`k${Date.now()}`); };
  return up;
}

/**
 * A GitHub-like OAuth 2.0 server: /authorize, /token (client_secret_basic, PKCE checked when a
 * challenge was sent), /user (bearer). `srv.user` is who signs in; `srv.challenges` what came.
 * `srv.tokenError`, when set, is the `error` its token endpoint answers with status 200, as
 * GitHub does for a code it refuses.
 */
export async function startOAuth2Server({ clientId, clientSecret }) {
  const codes = new Map(); const tokens = new Set();
  const o = { user: { id: 4242, login: 'octo', email: 'octo@example.test', name: 'Octo Cat' }, challenges: [] };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, o.origin);
    if (url.pathname === '/authorize') {
      const q = url.searchParams;
      const code = randomBytes(16).toString('base64url');
      o.challenges.push(q.get('code_challenge'));
      codes.set(code, { challenge: q.get('code_challenge') });
      const back = new URL(q.get('redirect_uri'));
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state'));
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      const auth = Buffer.from((req.headers.authorization || '').replace(/^Basic /, ''), 'base64').toString();
      const c = codes.get(form.get('code'));
      codes.delete(form.get('code'));
      if (o.tokenError) return send(res, 200, { error: o.tokenError, error_description: 'The code passed is incorrect or expired.' });
      if (!c || auth !== `${clientId}:${clientSecret}` || (c.challenge && s256(form.get('code_verifier') || '') !== c.challenge))
        return send(res, 400, { error: 'bad_verification_code' });
      const at = randomBytes(16).toString('hex');
      tokens.add(at);
      return send(res, 200, { access_token: at, token_type: 'bearer', scope: 'read:user' });
    }
    if (url.pathname === '/user') {
      if (!tokens.has((req.headers.authorization || '').replace(/^Bearer /, ''))) return send(res, 401, { message: 'Bad credentials' });
      return send(res, 200, o.user);
    }
    return send(res, 404, { message: 'Not Found' });
  });
  o.origin = await listen(server);
  o.close = () => new Promise((done) => { server.closeAllConnections?.(); server.close(() => done()); });
  return o;
}

/** A cookie jar of name → value, fed from Set-Cookie and sent as Cookie. */
export class Jar {
  constructor() { this.c = new Map(); }
  take(r) {
    for (const line of r.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim(); const value = pair.slice(i + 1).trim();
      if (attrs.some((a) => /expires=Thu, 01 Jan 1970/i.test(a)) || value === '') this.c.delete(name);
      else this.c.set(name, value);
    }
  }
  header() { return [...this.c].map(([k, v]) => `${k}=${v}`).join('; '); }
  async fetch(url, init = {}) {
    const r = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers || {}), cookie: this.header() } });
    this.take(r);
    return r;
  }
}

/** A PKCE authorization request of the public client `app` to `issuer`. */
export function authorizeUrl(issuer, app, redirectUri) {
  const verifier = randomBytes(32).toString('base64url');
  const u = new URL(`${issuer}/oauth2/authorize`);
  for (const [k, v] of Object.entries({
    response_type: 'code', client_id: app.client_id, redirect_uri: redirectUri, scope: 'openid profile email',
    state: randomBytes(8).toString('hex'), nonce: randomBytes(8).toString('hex'), code_challenge: s256(verifier),
    code_challenge_method: 'S256',
  })) u.searchParams.set(k, v);
  return { url: u.href, verifier };
}

const unescape = (s) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');

/**
 * Open the login page of `authUrl` with `jar` and post its form whose action is `{issuer}{path}`
 * (the password form, a "Sign in with" form), with the form's request and CSRF token and
 * `fields`. Returns the response (not followed).
 */
export async function postPageForm(jar, issuer, authUrl, path, fields = {}) {
  const html = await (await jar.fetch(authUrl)).text();
  const form = html.match(new RegExp(`action="[^"]*${path}"[^>]*>(.*?)</form>`, 's'));
  if (!form) throw new Error(`no form posting to ${path} on the login page:\n${html}`);
  const value = (n) => unescape(form[1].match(new RegExp(`name="${n}" value="([^"]*)"`))[1]);
  return jar.fetch(`${issuer}${path}`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ request: value('request'), csrf: value('csrf'), ...fields }).toString(),
  });
}

/** A new jar holding the browser session of `user` ({username, password}), signed in on the login page of `authUrl`. */
export async function passwordSession(issuer, authUrl, user) {
  const jar = new Jar();
  const r = await postPageForm(jar, issuer, authUrl, '/oauth2/authorize/login', { username: user.username, password: user.password });
  if (r.status !== 303) throw new Error(`the password sign-in answered ${r.status}: ${await r.text()}`);
  return jar;
}

/**
 * Walk a federated sign-in with `jar` up to the upstream's answer: the login page, the
 * "Sign in with" form of `name`, the upstream. Returns the callback URL the upstream sent the
 * browser to (not yet visited).
 */
export async function toCallback(jar, issuer, name, authUrl) {
  const start = await postPageForm(jar, issuer, authUrl, `/federation/${name}/start`);
  if (start.status !== 303) throw new Error(`start answered ${start.status}: ${await start.text()}`);
  const upstream = await fetch(start.headers.get('location'), { redirect: 'manual' });
  if (upstream.status !== 302) throw new Error(`the upstream answered ${upstream.status}`);
  return upstream.headers.get('location');
}

/**
 * What a federation test starts with: a server (`srv`) and its admin token, an OIDC upstream
 * (`up`) and a GitHub-like server (`gh`) that know `client`, a role `viewer`, and the
 * first-party public application `app` redirecting to `redirectUri`.
 */
export async function federationSetup(client, redirectUri) {
  const srv = await startServer();
  const admin = await adminToken(srv.issuer);
  const up = await startFakeOidc(client);
  const gh = await startOAuth2Server(client);
  const role = await api(srv.issuer, admin, 'POST', '/roles', { name: 'viewer', permissions: ['docs:read'] });
  if (role.status !== 201) throw new Error(`role viewer: ${role.status} ${JSON.stringify(role.json)}`);
  const app = await createApp(srv.issuer, admin, {
    name: 'Portal', type: 'public', grant_types: ['authorization_code'], redirect_uris: [redirectUri], first_party: true,
  });
  return { srv, admin, up, gh, app };
}
