// SPDX-License-Identifier: Apache-2.0
// Multi-factor helpers for the end-to-end tests: RFC 6238 codes in node, spools of delivered messages,
// a real SMTP listener (Debian's python3-aiosmtpd) and a local SMS gateway.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { api, freePort, tokenRequest } from './server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const MFA_GRANT = 'urn:portcullis:params:oauth:grant-type:mfa';

/** RFC 4648 base32 (no padding needed) to bytes. */
export function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0; let value = 0; const out = [];
  for (const c of s.replace(/=+$/, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 255); bits -= 8; }
  }
  return Buffer.from(out);
}

/** The RFC 6238 code (HMAC-SHA-1) of a base32 secret at Unix time `t` (seconds). */
export function totp(secret, t = Date.now() / 1000, { digits = 6, period = 30 } = {}) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(t / period)));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const off = mac[19] & 15;
  const bin = ((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3];
  return String(bin % 10 ** digits).padStart(digits, '0');
}

/** The code of the TOTP step `delta` steps from now (-1, 0, +1 are inside the server's window). */
export const totpAt = (secret, delta) => totp(secret, Date.now() / 1000 + 30 * delta);

/** A fresh temporary directory. */
export const spoolDir = () => mkdtemp(join(tmpdir(), 'portcullis-spool-'));

/** The JSON messages in `dir`, in file-name order (creation order). */
export async function readSpool(dir) {
  if (!existsSync(dir)) return [];
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
  return Promise.all(names.map(async (n) => ({ name: n, ...JSON.parse(await readFile(join(dir, n), 'utf8')) })));
}

/** Waits until `dir` holds more than `count` messages; returns the newest. */
export async function nextMessage(dir, count, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const msgs = await readSpool(dir);
    if (msgs.length > count) return msgs[msgs.length - 1];
    if (Date.now() > deadline) throw new Error(`no new message in ${dir} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The one-time code in a message text (the first run of 6 to 10 digits). */
export function codeIn(text) {
  const m = /\b(\d{6,10})\b/.exec(text);
  if (!m) throw new Error(`no code in: ${text}`);
  return m[1];
}

/** Python with aiosmtpd: Debian's interpreter (a pyenv shim on the PATH may lack it). */
export const PYTHON = process.env.PC_E2E_PYTHON || (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

/** Why the SMTP tests cannot run, or null. */
export function smtpMissing() {
  return existsSync('/usr/lib/python3/dist-packages/aiosmtpd') || process.env.PC_E2E_PYTHON
    ? null : 'python3-aiosmtpd is not installed (scripts/install-deps.sh test installs it)';
}

/** Starts a real SMTP server (aiosmtpd) on 127.0.0.1 writing each message as JSON into a new directory. */
export async function startSmtp() {
  const dir = await spoolDir();
  const port = await freePort();
  const child = spawn(PYTHON, ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'smtp_sink.Spool', dir], {
    env: { ...process.env, PYTHONPATH: here }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const deadline = Date.now() + 10000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`aiosmtpd exited: ${out}`);
    const up = await new Promise((ok) => {
      import('node:net').then(({ connect }) => {
        const s = connect(port, '127.0.0.1', () => { s.end(); ok(true); });
        s.on('error', () => ok(false));
      });
    });
    if (up) break;
    if (Date.now() > deadline) { child.kill(); throw new Error(`aiosmtpd did not listen: ${out}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port, dir, output: () => out,
    async stop() { child.kill('SIGTERM'); await new Promise((r) => (child.exitCode !== null ? r() : child.on('exit', r))); await rm(dir, { recursive: true, force: true }); },
  };
}

/**
 * A local SMS gateway on 127.0.0.1 recording every request {method, url, headers, body};
 * `respond(req)` may return {status, body} (default 201 with a JSON id).
 */
export function startGateway(respond = () => null) {
  const requests = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const r = { method: req.method, url: req.url, headers: req.headers, body };
      requests.push(r);
      const answer = respond(r) || { status: 201, body: JSON.stringify({ sid: `SM${requests.length}`, status: 'queued' }) };
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body);
    });
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    close: () => new Promise((done) => { server.closeAllConnections?.(); server.close(() => done()); }),
  })));
}

/** A user's own access token (password grant as admin-cli, before MFA is on). */
export async function userToken(issuer, user, client) {
  const r = await tokenRequest(issuer, client[0], client[1], { grant_type: 'password', username: user.username, password: user.password, scope: 'openid' });
  if (r.status !== 200) throw new Error(`user token: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json.access_token;
}

/** Enrols TOTP for the holder of `token` (verified with the code of step -1); returns the secret. */
export async function enrolTotp(issuer, token) {
  const start = await api(issuer, token, 'POST', '/me/mfa/totp');
  if (start.status !== 200) throw new Error(`totp enrolment: ${start.status} ${JSON.stringify(start.json)}`);
  const v = await api(issuer, token, 'POST', '/me/mfa/totp/verify', { code: totpAt(start.json.secret, -1) });
  if (v.status !== 204) throw new Error(`totp verify: ${v.status} ${JSON.stringify(v.json)}`);
  return start.json.secret;
}

/** Creates a provider; returns the created object. */
export async function createProvider(issuer, admin, body) {
  const r = await api(issuer, admin, 'POST', '/providers', body);
  if (r.status !== 201) throw new Error(`provider: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

/** The mfa grant. */
export function mfaGrant(issuer, client, mfaToken, method, code) {
  return tokenRequest(issuer, client[0], client[1], { grant_type: MFA_GRANT, mfa_token: mfaToken, method, code });
}
