// SPDX-License-Identifier: Apache-2.0
// Multi-factor management (API.md §3): providers with write-only secrets, application links and defaults,
// TOTP enrolment (otpauth URI, QR SVG), preference, disabling with password and code, administrators' reset.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, adminToken, api, createApp, createUser, passwordGrant, startServer,
} from './lib/server.mjs';
import { codeIn, createProvider, enrolTotp, nextMessage, readSpool, spoolDir, totpAt, userToken } from './lib/mfa.mjs';

const ADMIN = [ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET];

describe('MFA management API', () => {
  let srv; let admin; let spool;

  before(async () => {
    srv = await startServer();
    admin = await adminToken(srv.issuer);
    spool = await spoolDir();
  });
  after(async () => { await srv?.stop(); });

  test('providers: create, read, patch, delete; secrets are write-only; config checked by the plugin', async () => {
    const smtp = await createProvider(srv.issuer, admin, {
      name: 'mail', kind: 'email', plugin: 'smtp',
      config: { host: 'smtp.example.test', port: 2525, security: 'none', username: 'u', password: 'hunter2-secret', from: 'no-reply@example.test' },
    });
    assert.equal(smtp.config.password, '********');
    assert.equal(smtp.config.host, 'smtp.example.test');
    assert.ok(!JSON.stringify(smtp).includes('hunter2-secret'));
    const got = await api(srv.issuer, admin, 'GET', `/providers/${smtp.id}`);
    assert.equal(got.status, 200);
    assert.equal(got.json.config.password, '********');
    const list = await api(srv.issuer, admin, 'GET', '/providers');
    assert.ok(list.json.items.some((p) => p.id === smtp.id && p.config.password === '********'));
    assert.ok(!JSON.stringify(list.json).includes('hunter2-secret'));
    // PATCH without the secret (or with the mask) keeps it while the destination stays; a new value replaces it.
    const p0 = await api(srv.issuer, admin, 'PATCH', `/providers/${smtp.id}`, { config: { ...got.json.config, subject: 'Code' } });
    assert.equal(p0.status, 200, JSON.stringify(p0.json));
    assert.equal(p0.json.config.password, '********');
    // Another port is another destination: the stored password is not carried there (docs/mfa.md).
    const moved = await api(srv.issuer, admin, 'PATCH', `/providers/${smtp.id}`, { config: { ...got.json.config, port: 587 } });
    assert.equal(moved.status, 400, JSON.stringify(moved.json));
    assert.match(moved.json.fields.config, /destination changed/);
    const p1 = await api(srv.issuer, admin, 'PATCH', `/providers/${smtp.id}`, { config: { ...got.json.config, port: 587, password: 'hunter3-secret' } });
    assert.equal(p1.status, 200, JSON.stringify(p1.json));
    assert.equal(p1.json.config.port, 587);
    assert.equal(p1.json.config.password, '********');
    const p2 = await api(srv.issuer, admin, 'PATCH', `/providers/${smtp.id}`, { name: 'mail-2' });
    assert.equal(p2.json.name, 'mail-2');
    // The server's log never shows the secret.
    assert.ok(!srv.output().includes('hunter2-secret'));
    assert.ok(!srv.output().includes('hunter3-secret'));

    const cases = [
      [{ name: 'x', kind: 'fax', plugin: 'file', config: { dir: '/tmp/x' } }, 'kind'],
      [{ name: 'x', kind: 'email', plugin: 'nope', config: {} }, 'plugin'],
      [{ name: 'x', kind: 'email', plugin: 'http-sms', config: {} }, 'plugin'],
      [{ name: 'x', kind: 'email', plugin: 'smtp', config: { host: 'h' } }, 'config'],
      [{ name: 'x', kind: 'email', plugin: 'file', config: { dir: 'relative' } }, 'config'],
      [{ name: 'x', kind: 'email', plugin: 'file', config: { dir: '/tmp/x', colour: 'blue' } }, 'config'],
      [{ name: 'x', kind: 'sms', plugin: 'http-sms', config: { url: 'http://sms.example.test/send' } }, 'config'],
    ];
    for (const [body, field] of cases) {
      const r = await api(srv.issuer, admin, 'POST', '/providers', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.json.code, 'AUT-0009');
      assert.ok(r.json.fields[field], `${JSON.stringify(r.json)} names ${field}`);
    }
    assert.equal((await api(srv.issuer, admin, 'POST', '/providers', { name: 'x', kind: 'sms', plugin: 'file', bogus: 1 })).json.code, 'AUT-0003');
    assert.equal((await api(srv.issuer, admin, 'POST', '/providers', { name: 'mail-2', kind: 'email', plugin: 'file', config: { dir: '/tmp/x' } })).status, 409);
    // providers:* permissions: a user without roles may not.
    const user = await createUser(srv.issuer, admin);
    const ut = await userToken(srv.issuer, user, ADMIN);
    assert.equal((await api(srv.issuer, ut, 'GET', '/providers')).json.code, 'AUT-0008');
    assert.equal((await api(srv.issuer, admin, 'DELETE', `/providers/${smtp.id}`)).status, 204);
    assert.equal((await api(srv.issuer, admin, 'GET', `/providers/${smtp.id}`)).status, 404);
  });

  test('applications: link, unlink, default providers per kind; a scheme sends through the default', async () => {
    const a = await createProvider(srv.issuer, admin, { name: 'spool-a', kind: 'email', plugin: 'file', config: { dir: `${spool}/a` } });
    const b = await createProvider(srv.issuer, admin, { name: 'spool-b', kind: 'email', plugin: 'file', config: { dir: `${spool}/b`, default: true } });
    const s = await createProvider(srv.issuer, admin, { name: 'spool-s', kind: 'sms', plugin: 'file', config: { dir: `${spool}/s` } });
    // First party: only such an application's user tokens may use /me (third parties get 403).
    const app = await createApp(srv.issuer, admin, { grant_types: ['password'], first_party: true });
    assert.equal((await api(srv.issuer, admin, 'PUT', `/applications/${app.id}/providers/${a.id}`)).status, 204);
    assert.equal((await api(srv.issuer, admin, 'PUT', `/applications/${app.id}/providers/00000000-0000-7000-8000-000000000000`)).status, 404);
    const wrongKind = await api(srv.issuer, admin, 'PUT', `/applications/${app.id}/default-providers`, { email: s.id });
    assert.equal(wrongKind.status, 400);
    assert.ok(wrongKind.json.fields.email);
    assert.equal((await api(srv.issuer, admin, 'PUT', `/applications/${app.id}/default-providers`, { email: a.id, sms: s.id })).status, 204);
    const view = (await api(srv.issuer, admin, 'GET', `/applications/${app.id}`)).json;
    assert.deepEqual(view.default_providers, { email: a.id, sms: s.id });
    assert.deepEqual(view.providers.sort(), [a.id, s.id].sort());

    // A user signing in through that application gets codes through its default (a), others through the tenant's (b).
    const user = await createUser(srv.issuer, admin);
    const viaApp = await userToken(srv.issuer, user, [app.client_id, app.client_secret]);
    // Codes leave through the delivery queue: wait for them with a deadline.
    assert.equal((await api(srv.issuer, viaApp, 'POST', '/me/mfa/email', { email: 'app@example.test' })).status, 204);
    assert.equal((await nextMessage(`${spool}/a`, 0)).to, 'app@example.test');
    assert.equal((await readSpool(`${spool}/b`)).length, 0);
    const user2 = await createUser(srv.issuer, admin);
    const viaAdmin = await userToken(srv.issuer, user2, ADMIN);
    assert.equal((await api(srv.issuer, viaAdmin, 'POST', '/me/mfa/email', { email: 'cli@example.test' })).status, 204);
    assert.equal((await nextMessage(`${spool}/b`, 0)).to, 'cli@example.test', 'the tenant default is the provider flagged default');
    assert.equal((await readSpool(`${spool}/a`)).length, 1);
    // Unlinking drops the default.
    assert.equal((await api(srv.issuer, admin, 'DELETE', `/applications/${app.id}/providers/${a.id}`)).status, 204);
    const after_ = (await api(srv.issuer, admin, 'GET', `/applications/${app.id}`)).json;
    assert.deepEqual(after_.default_providers, { sms: s.id });
    assert.deepEqual(after_.providers, [s.id]);
    for (const p of [a, b, s]) assert.equal((await api(srv.issuer, admin, 'DELETE', `/providers/${p.id}`)).status, 204);
  });

  test('TOTP enrolment: secret, otpauth URI with issuer and account, QR SVG; wrong code AUT-0014', async () => {
    const user = await createUser(srv.issuer, admin);
    const token = await userToken(srv.issuer, user, ADMIN);
    assert.deepEqual((await api(srv.issuer, token, 'GET', '/me/mfa')).json, { enabled: [], preferred: null, recovery_codes_left: 0 });
    const r = await api(srv.issuer, token, 'POST', '/me/mfa/totp');
    assert.equal(r.status, 200);
    assert.match(r.json.secret, /^[A-Z2-7]{32}$/);
    const uri = new URL(r.json.otpauth_uri);
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.host, 'totp');
    assert.equal(decodeURIComponent(uri.pathname), `/Default:${user.username}`);
    assert.equal(uri.searchParams.get('secret'), r.json.secret);
    assert.equal(uri.searchParams.get('issuer'), 'Default');
    assert.equal(uri.searchParams.get('digits'), '6');
    assert.equal(uri.searchParams.get('period'), '30');
    assert.match(r.json.qr_svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*>.*<path[^>]* d="M/s);
    const wrong = await api(srv.issuer, token, 'POST', '/me/mfa/totp/verify', { code: totpAt(r.json.secret, -3) });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.json.code, 'AUT-0014');
    assert.deepEqual((await api(srv.issuer, token, 'GET', '/me/mfa')).json.enabled, [], 'pending is not enabled');
    assert.equal((await api(srv.issuer, token, 'POST', '/me/mfa/totp/verify', {})).json.code, 'AUT-0001');
    assert.equal((await api(srv.issuer, token, 'POST', '/me/mfa/totp/verify', { code: totpAt(r.json.secret, 0) })).status, 204);
    assert.deepEqual((await api(srv.issuer, token, 'GET', '/me/mfa')).json, { enabled: ['totp'], preferred: 'totp', recovery_codes_left: 0 });
    assert.equal((await api(srv.issuer, token, 'POST', '/me/mfa/totp')).json.code, 'AUT-0019', 'a factor now exists: it must be shown');
    const again = await fetch(`${srv.issuer}/api/v1/me/mfa/totp`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'portcullis-otp': totpAt(r.json.secret, 1) } });
    assert.equal(again.status, 409, 'enabled: disable first');
    assert.equal((await api(srv.issuer, token, 'POST', '/me/mfa/nope')).status, 404);
    const audit = await api(srv.issuer, admin, 'GET', '/audit?type=mfa.enabled');
    assert.ok(audit.json.items.some((e) => e.subject === user.id && e.details.method === 'totp'));
    // The secret is sealed at rest: nothing in the store file shows it.
    const { readFile } = await import('node:fs/promises');
    assert.ok(!(await readFile(`${srv.dir}/p.db`)).includes(Buffer.from(r.json.secret)));
  });

  test('preferred method, disabling with password and code, and the administrators\' GET and DELETE', async () => {
    const mail = await createProvider(srv.issuer, admin, { name: 'spool-pref', kind: 'email', plugin: 'file', config: { dir: `${spool}/pref` } });
    const user = await createUser(srv.issuer, admin);
    const token = await userToken(srv.issuer, user, ADMIN);
    const secret = await enrolTotp(srv.issuer, token);
    assert.equal((await api(srv.issuer, token, 'POST', '/me/mfa/email', { email: 'p@example.test' })).status, 204);
    const m = await nextMessage(`${spool}/pref`, 0);
    assert.equal((await api(srv.issuer, token, 'POST', '/me/mfa/email/verify', { code: codeIn(m.text) })).status, 204);
    assert.deepEqual((await api(srv.issuer, token, 'GET', '/me/mfa')).json.enabled, ['totp', 'email']);
    assert.equal((await api(srv.issuer, token, 'PUT', '/me/mfa/preferred', { method: 'sms' })).status, 400);
    assert.equal((await api(srv.issuer, token, 'PUT', '/me/mfa/preferred', { method: 'email' })).status, 204);
    assert.equal((await api(srv.issuer, token, 'GET', '/me/mfa')).json.preferred, 'email');
    const req = await passwordGrant(srv.issuer, user.username, user.password);
    assert.deepEqual(req.json.mfa_methods, ['email', 'totp'], 'the preferred method comes first');

    // Disabling: wrong password AUT-0015, wrong code AUT-0014, then 204.
    const wrongPw = await api(srv.issuer, token, 'DELETE', '/me/mfa/totp', { password: 'nope-nope-1', code: totpAt(secret, 0) });
    assert.equal(wrongPw.status, 400);
    assert.equal(wrongPw.json.code, 'AUT-0015');
    const wrongCode = await api(srv.issuer, token, 'DELETE', '/me/mfa/totp', { password: user.password, code: totpAt(secret, -3) });
    assert.equal(wrongCode.json.code, 'AUT-0014');
    assert.equal((await api(srv.issuer, token, 'DELETE', '/me/mfa/totp', { password: user.password, code: totpAt(secret, 0) })).status, 204);
    assert.deepEqual((await api(srv.issuer, token, 'GET', '/me/mfa')).json.enabled, ['email']);
    // For email, an empty POST sends a fresh code to the enrolled address, for the DELETE.
    assert.equal((await api(srv.issuer, token, 'POST', '/me/mfa/email', {})).status, 204);
    const m2 = await nextMessage(`${spool}/pref`, 1);
    assert.equal(m2.to, 'p@example.test');

    const status = await api(srv.issuer, admin, 'GET', `/users/${user.id}/mfa`);
    assert.deepEqual(status.json, { enabled: ['email'], preferred: 'email', recovery_codes_left: 0 });
    assert.equal((await api(srv.issuer, token, 'GET', `/users/${user.id}/mfa`)).json.code, 'AUT-0008');
    assert.equal((await api(srv.issuer, admin, 'DELETE', `/users/${user.id}/mfa`)).status, 204);
    assert.deepEqual((await api(srv.issuer, admin, 'GET', `/users/${user.id}/mfa`)).json.enabled, []);
    assert.equal((await passwordGrant(srv.issuer, user.username, user.password)).status, 200, 'reset: a password is enough again');
    const audit = await api(srv.issuer, admin, 'GET', '/audit?type=mfa.reset');
    assert.ok(audit.json.items.some((e) => e.subject === user.id));
    assert.ok((await api(srv.issuer, admin, 'GET', '/audit?type=mfa.disabled')).json.items.some((e) => e.subject === user.id));
    await api(srv.issuer, admin, 'DELETE', `/providers/${mail.id}`);
  });

  test('adding a second factor or a passkey needs a recent sign-in (RFC 9470)', async () => {
    const u = await createUser(srv.issuer, admin);
    const token = await userToken(srv.issuer, u, ADMIN);
    const stepUp = (maxAge) => api(srv.issuer, admin, 'PATCH', '/tenant', { settings: { step_up: maxAge ? { permissions: [], max_age: maxAge } : null } });
    /** Polls (deadline 10 s) until POST /me/mfa/{method} with the token answers `status`. */
    const until = async (method, status) => {
      const deadline = Date.now() + 10000;
      for (;;) {
        const r = await api(srv.issuer, token, 'POST', `/me/mfa/${method}`, {});
        if (r.status === status || Date.now() > deadline) return r;
        await new Promise((ok) => setTimeout(ok, 100));
      }
    };
    try {
      assert.equal((await stepUp(1)).status, 200);
      // the sign-in behind the token is now older than max_age: a stolen token adds no factor
      for (const method of ['webauthn', 'totp', 'recovery-codes']) {
        const r = await until(method, 401);
        assert.equal(r.status, 401, `${method}: ${JSON.stringify(r.json)}`);
        assert.equal(r.json.code, 'AUT-0019');
        assert.match(r.headers.get('www-authenticate'), /error="insufficient_user_authentication".*max_age="1"/);
      }
      // the same token, with the sign-in within max_age, may
      assert.equal((await stepUp(3600)).status, 200);
      const ok = await until('webauthn', 200);
      assert.equal(ok.status, 200, JSON.stringify(ok.json));
      assert.ok(ok.json.publicKey.challenge);
    } finally {
      await stepUp(null);
    }
  });

  test('a person with a second factor adds a passkey or an authenticator only with it, not with a password-only token', async () => {
    const mail = await createProvider(srv.issuer, admin, { name: 'spool-doors', kind: 'email', plugin: 'file', config: { dir: `${spool}/doors` } });
    try {
      const u = await createUser(srv.issuer, admin);
      const token = await userToken(srv.issuer, u, ADMIN); // a fresh sign-in with the password alone
      const secret = await enrolTotp(srv.issuer, token); // the first factor: the password is enough
      const passkey = await api(srv.issuer, token, 'POST', '/me/mfa/webauthn', {});
      assert.equal(passkey.status, 401, JSON.stringify(passkey.json));
      assert.equal(passkey.json.code, 'AUT-0019');
      assert.match(passkey.json.message, /second factor/);
      assert.match(passkey.headers.get('www-authenticate'), /error="insufficient_user_authentication"/);
      // recovery codes and a code by email are second steps, not ways in: the password is enough
      assert.equal((await api(srv.issuer, token, 'POST', '/me/mfa/recovery-codes', {})).status, 200);
      assert.equal((await api(srv.issuer, token, 'POST', '/me/mfa/email', { email: 'doors@example.test' })).status, 204);
      // with a current code of the factor the same token may
      const withCode = await fetch(`${srv.issuer}/api/v1/me/mfa/webauthn`, {
        method: 'POST', body: '{}',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'portcullis-otp': totpAt(secret, 0) },
      });
      assert.equal(withCode.status, 200, await withCode.clone().text());
      assert.ok((await withCode.json()).publicKey.challenge);
    } finally {
      await api(srv.issuer, admin, 'DELETE', `/providers/${mail.id}`);
    }
  });

  test('an application token has no second factors; a missing provider is 503 AUT-0017', async () => {
    assert.equal((await api(srv.issuer, admin, 'GET', '/me/mfa')).json.code, 'AUT-0008');
    const user = await createUser(srv.issuer, admin);
    const token = await userToken(srv.issuer, user, ADMIN);
    const r = await api(srv.issuer, token, 'POST', '/me/mfa/sms', { phone_number: '+15550002222' });
    assert.equal(r.status, 503);
    assert.equal(r.json.code, 'AUT-0017');
    assert.equal((await api(srv.issuer, token, 'POST', '/me/mfa/sms/verify', { code: '123456' })).status, 404, 'nothing half-enrolled');
  });
});
