// SPDX-License-Identifier: Apache-2.0
// Test harness: runs the real portcullis binary on a free loopback port with a
// fresh data directory, and a few small HTTP helpers around it.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkResponse } from './openapi.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** The binary under test: $PORTCULLIS_BIN, else the build tree's. */
export const BIN = process.env.PORTCULLIS_BIN || resolve(here, '../../../build/portcullis');

/** Known bootstrap credentials used by every server the harness starts. */
export const ADMIN_PASSWORD = 'e2e-Admin-Password-1';
export const ADMIN_CLIENT_ID = 'admin-cli';
export const ADMIN_CLIENT_SECRET = 'e2e-admin-cli-secret-0123456789';

const READY_TIMEOUT_MS = 20000;

/** A TCP port that is free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/** A fresh temporary directory (removed by the caller or by stop({clean:true})). */
export function tempDir() {
  return mkdtemp(join(tmpdir(), 'portcullis-e2e-'));
}

/**
 * The environment the binary runs with: data in `dir`, known admin credentials,
 * outbound calls to private addresses allowed, the plugin directory passed through, then `extra` (a value of undefined
 * removes a variable).
 */
export function serverEnv(dir, extra = {}) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('PORTCULLIS_') && k !== 'PORTCULLIS_PLUGIN_DIR' && k !== 'PORTCULLIS_BIN') delete env[k];
  delete env.PORTCULLIS_BIN;
  Object.assign(env, {
    PORTCULLIS_STORE: `sqlite://${dir}/p.db`,
    PORTCULLIS_MASTER_KEY_FILE: `${dir}/master.key`,
    PORTCULLIS_ADMIN_PASSWORD: ADMIN_PASSWORD,
    PORTCULLIS_ADMIN_CLIENT_SECRET: ADMIN_CLIENT_SECRET,
    PORTCULLIS_LOG_LEVEL: 'warning',
    // The tests' gateways and SMTP sinks listen on 127.0.0.1: outbound calls may go there
    // (test/e2e/outbound.test.mjs turns it off again).
    PORTCULLIS_OUTBOUND_ALLOW_PRIVATE: 'true',
  });
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = String(v);
  }
  return env;
}

/** Runs a one-shot subcommand (`migrate`, `plugins`, ...) to completion. */
export function runCli(args, { dir, env = {}, timeoutMs = 60000 } = {}) {
  return new Promise((ok, fail) => {
    const child = spawn(BIN, args, { env: dir ? serverEnv(dir, env) : { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); fail(e); });
    child.on('close', (code, signal) => { clearTimeout(timer); ok({ code, signal, stdout, stderr }); });
  });
}

/**
 * Starts `portcullis serve`. Options:
 *   env    extra environment (undefined values remove a variable)
 *   dir    an existing data directory to reuse (else a fresh one, removed by stop())
 *   port   a port to listen on (e.g. the one of a stopped server, to keep its issuer)
 *   wait   false to not wait for /readyz (for a process expected to fail)
 * Returns {base, issuer, port, dir, child, stop(), output(), exited}.
 */
export async function startServer({ env = {}, dir, port, wait = true } = {}) {
  const ownDir = !dir;
  dir = dir || (await tempDir());
  port = port || (await freePort());
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(BIN, ['serve'], {
    env: serverEnv(dir, { PORTCULLIS_LISTEN: `127.0.0.1:${port}`, ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((ok) => {
    child.on('error', (e) => { out += `\n[spawn error: ${e.message}]\n`; ok(-1); });
    child.on('exit', (code, signal) => ok(code ?? (signal ? `signal ${signal}` : null)));
  });
  let exitCode;
  exited.then((c) => { exitCode = c; });

  const server = {
    base,
    issuer: `${base}/t/default`,
    port,
    dir,
    child,
    exited,
    output: () => out,
    async stop({ keepDir = !ownDir } = {}) {
      if (exitCode === undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30000);
      const code = await exited;
      clearTimeout(timer);
      if (!keepDir) await rm(dir, { recursive: true, force: true });
      return code;
    },
  };
  if (!wait) return server;

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exitCode !== undefined) {
      if (ownDir) await rm(dir, { recursive: true, force: true });
      throw new Error(`portcullis exited (${exitCode}) before it was ready:\n${out}`);
    }
    try {
      const r = await fetch(`${base}/readyz`);
      await r.arrayBuffer();
      if (r.status === 200) return server;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`portcullis not ready within ${READY_TIMEOUT_MS} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Parses a response body as JSON when it is JSON, else returns the text (or null). */
async function body(r) {
  const text = await r.text();
  if (text === '') return null;
  try { return JSON.parse(text); } catch { return text; }
}

/**
 * A token endpoint request with client_secret_basic (RFC 6749 §2.3.1 encoding).
 * Returns {status, headers, json}.
 */
export async function tokenRequest(issuer, clientId, secret, params) {
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  if (clientId !== undefined) headers.authorization = basic(clientId, secret);
  const r = await fetch(`${issuer}/oauth2/token`, { method: 'POST', headers, body: new URLSearchParams(params).toString() });
  return { status: r.status, headers: r.headers, json: await body(r) };
}

/** client_secret_basic header value. */
export function basic(clientId, secret) {
  const enc = (s) => encodeURIComponent(s).replace(/%20/g, '+');
  return 'Basic ' + Buffer.from(`${enc(clientId)}:${enc(secret)}`).toString('base64');
}

/** A token endpoint call that must succeed; returns the token response. */
export async function getToken(issuer, clientId, secret, params = { grant_type: 'client_credentials' }) {
  const r = await tokenRequest(issuer, clientId, secret, params);
  if (r.status !== 200) throw new Error(`token request failed: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

/** An admin access token (admin-cli, client_credentials). */
export async function adminToken(issuer) {
  return (await getToken(issuer, ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, { grant_type: 'client_credentials' })).access_token;
}

/**
 * A management API call: path is relative to {issuer}/api/v1. A body that is a
 * string or Buffer is sent as is; anything else as JSON.
 * Returns {status, headers, json}.
 */
export async function api(issuer, token, method, path, reqBody, extraHeaders = {}) {
  const headers = { ...extraHeaders };
  if (token) headers.authorization = `Bearer ${token}`;
  let payload;
  if (reqBody !== undefined) {
    payload = typeof reqBody === 'string' || Buffer.isBuffer(reqBody) ? reqBody : JSON.stringify(reqBody);
    if (!('content-type' in headers)) headers['content-type'] = 'application/json';
  }
  const r = await fetch(`${issuer}/api/v1${path}`, { method, headers, body: payload });
  const res = { status: r.status, headers: r.headers, json: await body(r) };
  checkResponse(method, path, res.status, res.json); // docs/openapi.yaml describes every answer
  return res;
}

/** A form POST to an OAuth endpoint ({issuer}/oauth2/...), optionally with Basic auth. */
export async function oauthPost(issuer, endpoint, params, auth) {
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  if (auth) headers.authorization = basic(auth[0], auth[1]);
  const r = await fetch(`${issuer}/oauth2/${endpoint}`, { method: 'POST', headers, body: new URLSearchParams(params).toString() });
  return { status: r.status, headers: r.headers, json: await body(r) };
}

/** Introspects a token as admin-cli; returns the JSON body. */
export async function introspect(issuer, token) {
  const r = await oauthPost(issuer, 'introspect', { token }, [ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET]);
  if (r.status !== 200) throw new Error(`introspection failed: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

/** A plain GET returning {status, headers, json}. */
export async function get(url, headers = {}) {
  const r = await fetch(url, { headers });
  return { status: r.status, headers: r.headers, json: await body(r) };
}

/** A unique suffix for names within one test run. */
let counter = 0;
export function unique(prefix = 'u') {
  counter += 1;
  return `${prefix}${process.pid}x${Date.now().toString(36)}x${counter}`;
}

/** Creates a user through the API (admin token); returns the created object. */
export async function createUser(issuer, token, fields = {}) {
  const username = fields.username || unique('user');
  const body_ = { username, email: `${username}@example.test`, password: 'Correct-Horse-9', ...fields };
  const r = await api(issuer, token, 'POST', '/users', body_);
  if (r.status !== 201) throw new Error(`create user failed: ${r.status} ${JSON.stringify(r.json)}`);
  return { ...r.json, password: body_.password };
}

/** Creates an application through the API; returns the created object (with client_secret). */
export async function createApp(issuer, token, fields = {}) {
  const r = await api(issuer, token, 'POST', '/applications', {
    name: unique('app'),
    type: 'confidential',
    grant_types: ['client_credentials'],
    ...fields,
  });
  if (r.status !== 201) throw new Error(`create application failed: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

/** A password grant through the raw token endpoint (as admin-cli by default). */
export function passwordGrant(issuer, username, password, scope = 'openid profile email', client = [ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET]) {
  return tokenRequest(issuer, client[0], client[1], { grant_type: 'password', username, password, scope });
}

/** Decodes a JWT's payload without verifying it (for tests that verify separately). */
export function jwtPayload(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
}

/** Decodes a JWT's protected header without verifying it. */
export function jwtHeader(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString());
}

/**
 * The browser step of the code flow with plain HTTP: follows authorization URL `url` to the
 * login form and signs `user` ({username, password}) in. Returns the redirect back (a URL).
 */
export async function signInByForm(issuer, url, user) {
  const r = await fetch(url);
  const html = await r.text();
  const field = (n) => html.match(new RegExp(`name="${n}"[^>]*value="([^"]*)"`))?.[1]
    ?? html.match(new RegExp(`value="([^"]*)"[^>]*name="${n}"`))?.[1];
  const cookie = (r.headers.getSetCookie?.() || []).map((c) => c.split(';')[0]).join('; ');
  const login = await fetch(`${issuer}/oauth2/authorize/login`, {
    method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ request: field('request'), csrf: field('csrf'), username: user.username, password: user.password }),
  });
  if (![302, 303].includes(login.status)) throw new Error(`sign-in failed: ${login.status} ${await login.text()}`);
  return new URL(login.headers.get('location'));
}

/**
 * Sets the tenant's dynamic_client_registration mode and waits (with a deadline) until
 * discovery shows it: a change applies within a second. Returns the discovery document.
 */
export async function registrationMode(issuer, admin, value) {
  const r = await api(issuer, admin, 'PATCH', '/tenant', { settings: { dynamic_client_registration: value } });
  if (r.status !== 200 || r.json.settings.dynamic_client_registration !== value) throw new Error(JSON.stringify(r.json));
  const deadline = Date.now() + 5000;
  for (;;) {
    const doc = (await get(`${issuer}/.well-known/openid-configuration`)).json;
    if ((doc.registration_endpoint === `${issuer}/oauth2/register`) === (value !== 'off')) return doc;
    if (Date.now() > deadline) throw new Error(`discovery does not follow the mode ${value}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}
