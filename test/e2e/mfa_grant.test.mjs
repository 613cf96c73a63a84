// SPDX-License-Identifier: Apache-2.0
// Multi-factor at the token endpoint (API.md §2): mfa_required, the mfa grant with TOTP, email, SMS and
// recovery codes, wrong and replayed codes, the mfa_token's limits, and POST /api/v1/mfa/challenge.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, adminToken, api, basic, createApp, createUser, jwtPayload, passwordGrant,
  startServer, tokenRequest,
} from './lib/server.mjs';
import {
  codeIn, createProvider, enrolTotp, MFA_GRANT, mfaGrant, nextMessage, readSpool, spoolDir, totpAt, userToken,
} from './lib/mfa.mjs';

const ADMIN = [ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET];

describe('MFA at the token endpoint', () => {
  let srv; let admin; let spool; let other;

  before(async () => {
    srv = await startServer();
    admin = await adminToken(srv.issuer);
    spool = await spoolDir();
    await createProvider(srv.issuer, admin, { name: 'spool-email', kind: 'email', plugin: 'file', config: { dir: `${spool}/email` } });
    await createProvider(srv.issuer, admin, { name: 'spool-sms', kind: 'sms', plugin: 'file', config: { dir: `${spool}/sms` } });
    other = await createApp(srv.issuer, admin, { grant_types: ['password'] });
  });
  after(async () => { await srv?.stop(); });

  /** A user with TOTP enabled; returns {user, secret}. */
  async function totpUser() {
    const user = await createUser(srv.issuer, admin);
    const secret = await enrolTotp(srv.issuer, await userToken(srv.issuer, user, ADMIN));
    return { user, secret };
  }

  async function mfaRequired(user, client = ADMIN) {
    const r = await passwordGrant(srv.issuer, user.username, user.password, 'openid profile', client);
    assert.equal(r.status, 403, JSON.stringify(r.json));
    assert.equal(r.json.error, 'mfa_required');
    assert.equal(typeof r.json.mfa_token, 'string');
    assert.ok(r.json.mfa_token.length >= 43, 'the mfa_token is opaque, 256 bits');
    assert.equal(r.json.access_token, undefined);
    return r.json;
  }

  test('TOTP: 403 mfa_required, then the mfa grant issues tokens with amr pwd, otp, mfa', async () => {
    const { user, secret } = await totpUser();
    const req = await mfaRequired(user);
    assert.deepEqual(req.mfa_methods, ['totp']);
    const r = await mfaGrant(srv.issuer, ADMIN, req.mfa_token, 'totp', totpAt(secret, 0));
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.scope, 'openid profile', 'the scope is the password step\'s');
    for (const jwt of [r.json.access_token, r.json.id_token]) {
      const claims = jwtPayload(jwt);
      assert.equal(claims.sub, user.id);
      assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
    }
    assert.ok(r.json.refresh_token, 'admin-cli may refresh');
    // The mfa_token is single use.
    const again = await mfaGrant(srv.issuer, ADMIN, req.mfa_token, 'totp', totpAt(secret, 1));
    assert.equal(again.status, 400);
    assert.equal(again.json.error, 'invalid_grant');
  });

  test('a TOTP time step is never accepted twice for one user', async () => {
    const { user, secret } = await totpUser();
    const first = await mfaRequired(user);
    assert.equal((await mfaGrant(srv.issuer, ADMIN, first.mfa_token, 'totp', totpAt(secret, 0))).status, 200);
    const second = await mfaRequired(user);
    const replay = await mfaGrant(srv.issuer, ADMIN, second.mfa_token, 'totp', totpAt(secret, 0));
    assert.equal(replay.status, 400);
    assert.equal(replay.json.error, 'invalid_grant');
    // An earlier step than the one accepted is refused too; the next one is fine.
    assert.equal((await mfaGrant(srv.issuer, ADMIN, second.mfa_token, 'totp', totpAt(secret, -1))).status, 400);
    assert.equal((await mfaGrant(srv.issuer, ADMIN, second.mfa_token, 'totp', totpAt(secret, 1))).status, 200);
  });

  test('wrong codes are invalid_grant, and the fifth kills the mfa_token', async () => {
    const { user, secret } = await totpUser();
    const req = await mfaRequired(user);
    const wrong = totpAt(secret, 0) === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      const r = await mfaGrant(srv.issuer, ADMIN, req.mfa_token, 'totp', wrong);
      assert.equal(r.status, 400);
      assert.equal(r.json.error, 'invalid_grant');
    }
    const right = await mfaGrant(srv.issuer, ADMIN, req.mfa_token, 'totp', totpAt(secret, 0));
    assert.equal(right.status, 400, 'a dead mfa_token refuses even the right code');
    assert.match(right.json.error_description, /invalid, expired or used up/);
    // A new sign-in works.
    const fresh = await mfaRequired(user);
    assert.equal((await mfaGrant(srv.issuer, ADMIN, fresh.mfa_token, 'totp', totpAt(secret, 0))).status, 200);
    const audit = await api(srv.issuer, admin, 'GET', `/audit?type=mfa.failed&limit=200`);
    assert.equal(audit.json.items.filter((e) => e.subject === user.id).length, 5);
  });

  test('the mfa_token is bound to the client that received it; bad requests', async () => {
    const { user, secret } = await totpUser();
    const req = await mfaRequired(user);
    const stolen = await mfaGrant(srv.issuer, [other.client_id, other.client_secret], req.mfa_token, 'totp', totpAt(secret, 0));
    assert.equal(stolen.status, 400);
    assert.equal(stolen.json.error, 'invalid_grant');
    const missing = await tokenRequest(srv.issuer, ...ADMIN, { grant_type: MFA_GRANT, mfa_token: req.mfa_token, method: 'totp' });
    assert.equal(missing.status, 400);
    assert.equal(missing.json.error, 'invalid_request');
    const method = await mfaGrant(srv.issuer, ADMIN, req.mfa_token, 'sms', '123456');
    assert.equal(method.status, 400);
    assert.equal(method.json.error, 'invalid_request');
    assert.equal((await mfaGrant(srv.issuer, ADMIN, 'not-a-token', 'totp', '123456')).json.error, 'invalid_grant');
    assert.equal((await mfaGrant(srv.issuer, ADMIN, req.mfa_token, 'totp', totpAt(secret, 0))).status, 200);
  });

  test('no session is opened before the second factor', async () => {
    const { user, secret } = await totpUser();
    const sessions = async () => (await api(srv.issuer, admin, 'GET', `/users/${user.id}/sessions`)).json.items.length;
    const before_ = await sessions();
    const req = await mfaRequired(user);
    assert.equal(await sessions(), before_);
    assert.equal((await mfaGrant(srv.issuer, ADMIN, req.mfa_token, 'totp', totpAt(secret, 0))).status, 200);
    const items = (await api(srv.issuer, admin, 'GET', `/users/${user.id}/sessions`)).json.items;
    assert.equal(items.length, before_ + 1);
    assert.deepEqual(items[0].amr, ['pwd', 'otp', 'mfa']);
  });

  test('recovery codes: listed while unused ones remain, each works once (amr pwd, otp, mfa)', async () => {
    const { user, secret } = await totpUser();
    const token = await userToken(srv.issuer, user, ADMIN).catch(() => null);
    assert.equal(token, null, 'with TOTP on, a password alone gets no token');
    // Recovery codes are generated with a token from a completed sign-in.
    const req = await mfaRequired(user);
    const tokens = (await mfaGrant(srv.issuer, ADMIN, req.mfa_token, 'totp', totpAt(secret, 0))).json;
    const gen = await api(srv.issuer, tokens.access_token, 'POST', '/me/mfa/recovery-codes');
    assert.equal(gen.status, 200, JSON.stringify(gen.json));
    assert.equal(gen.json.codes.length, 10);
    assert.equal(new Set(gen.json.codes).size, 10);
    const status = await api(srv.issuer, tokens.access_token, 'GET', '/me/mfa');
    assert.deepEqual(status.json, { enabled: ['totp'], preferred: 'totp', recovery_codes_left: 10 });

    const r1 = await mfaRequired(user);
    assert.deepEqual(r1.mfa_methods, ['totp', 'recovery_code']);
    const ok = await mfaGrant(srv.issuer, ADMIN, r1.mfa_token, 'recovery_code', gen.json.codes[3].toUpperCase());
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
    assert.deepEqual(jwtPayload(ok.json.access_token).amr, ['pwd', 'otp', 'mfa']);
    const r2 = await mfaRequired(user);
    const reused = await mfaGrant(srv.issuer, ADMIN, r2.mfa_token, 'recovery_code', gen.json.codes[3]);
    assert.equal(reused.status, 400);
    assert.equal(reused.json.error, 'invalid_grant');
    assert.equal((await api(srv.issuer, tokens.access_token, 'GET', '/me/mfa')).json.recovery_codes_left, 9);
    // A new generation kills the old codes.
    const gen2 = await api(srv.issuer, tokens.access_token, 'POST', '/me/mfa/recovery-codes');
    assert.equal(gen2.status, 200);
    const r3 = await mfaRequired(user);
    assert.equal((await mfaGrant(srv.issuer, ADMIN, r3.mfa_token, 'recovery_code', gen.json.codes[0])).status, 400);
    assert.equal((await mfaGrant(srv.issuer, ADMIN, r3.mfa_token, 'recovery_code', gen2.json.codes[0])).status, 200);
  });

  test('five wrong recovery codes lock recovery for an hour (audited recovery.locked)', async () => {
    const { user, secret } = await totpUser();
    const req = await mfaRequired(user);
    const tokens = (await mfaGrant(srv.issuer, ADMIN, req.mfa_token, 'totp', totpAt(secret, 0))).json;
    const codes = (await api(srv.issuer, tokens.access_token, 'POST', '/me/mfa/recovery-codes')).json.codes;
    for (let i = 0; i < 5; i++) {
      const r = await mfaRequired(user);
      const w = await mfaGrant(srv.issuer, ADMIN, r.mfa_token, 'recovery_code', 'aaaa-bbbb-cccc');
      assert.equal(w.status, 400);
    }
    const r = await mfaRequired(user);
    const locked = await mfaGrant(srv.issuer, ADMIN, r.mfa_token, 'recovery_code', codes[0]);
    assert.equal(locked.status, 429);
    assert.equal(locked.json.error, 'temporarily_unavailable');
    assert.ok(Number(locked.headers.get('retry-after')) > 0);
    const audit = await api(srv.issuer, admin, 'GET', '/audit?type=recovery.locked');
    assert.ok(audit.json.items.some((e) => e.subject === user.id));
  });

  test('email codes: POST /mfa/challenge (client-authenticated) sends one, the mfa grant takes it', async () => {
    const user = await createUser(srv.issuer, admin);
    const token = await userToken(srv.issuer, user, ADMIN);
    const mail = `${spool}/email`;
    const before_ = (await readSpool(mail)).length;
    assert.equal((await api(srv.issuer, token, 'POST', '/me/mfa/email', { email: 'ada@example.test' })).status, 204);
    const enrolMsg = await nextMessage(mail, before_);
    assert.equal(enrolMsg.to, 'ada@example.test');
    assert.match(enrolMsg.subject, /code/);
    assert.equal((await api(srv.issuer, token, 'POST', '/me/mfa/email/verify', { code: codeIn(enrolMsg.text) })).status, 204);

    const req = await mfaRequired(user);
    assert.deepEqual(req.mfa_methods, ['email']);
    const url = `${srv.issuer}/api/v1/mfa/challenge`;
    const body = JSON.stringify({ mfa_token: req.mfa_token, method: 'email' });
    const json = { 'content-type': 'application/json' };
    const anon = await fetch(url, { method: 'POST', headers: json, body });
    assert.equal(anon.status, 401);
    assert.equal((await anon.json()).error, 'invalid_client');
    const wrongClient = await fetch(url, { method: 'POST', headers: { ...json, authorization: basic(other.client_id, other.client_secret) }, body });
    assert.equal(wrongClient.status, 401);
    assert.equal((await wrongClient.json()).error, 'invalid_client');
    const count = (await readSpool(mail)).length;
    const sent = await fetch(url, { method: 'POST', headers: { ...json, authorization: basic(...ADMIN) }, body });
    assert.equal(sent.status, 204);
    const msg = await nextMessage(mail, count);
    assert.equal(msg.to, 'ada@example.test');
    // Resending at once is throttled.
    const soon = await fetch(url, { method: 'POST', headers: { ...json, authorization: basic(...ADMIN) }, body });
    assert.equal(soon.status, 429);
    assert.ok(Number(soon.headers.get('retry-after')) > 0);

    assert.equal((await mfaGrant(srv.issuer, ADMIN, req.mfa_token, 'email', '00000000')).status, 400);
    const r = await mfaGrant(srv.issuer, ADMIN, req.mfa_token, 'email', codeIn(msg.text));
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.deepEqual(jwtPayload(r.json.access_token).amr, ['pwd', 'otp', 'mfa']);
    // The code was single use.
    const req2 = await mfaRequired(user);
    assert.equal((await mfaGrant(srv.issuer, ADMIN, req2.mfa_token, 'email', codeIn(msg.text))).status, 400);
  });

  test('SMS codes through the file provider: amr pwd, sms, mfa; a form body works at /mfa/challenge', async () => {
    const user = await createUser(srv.issuer, admin);
    const token = await userToken(srv.issuer, user, ADMIN);
    const sms = `${spool}/sms`;
    let n = (await readSpool(sms)).length;
    const bad = await api(srv.issuer, token, 'POST', '/me/mfa/sms', { phone_number: '0123' });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.code, 'AUT-0009');
    assert.ok(bad.json.fields.phone_number);
    assert.equal((await api(srv.issuer, token, 'POST', '/me/mfa/sms', { phone_number: '+15550001111' })).status, 204);
    const enrol = await nextMessage(sms, n);
    assert.equal(enrol.to, '+15550001111');
    assert.equal((await api(srv.issuer, token, 'POST', '/me/mfa/sms/verify', { code: '999999999' })).json.code, 'AUT-0014');
    assert.equal((await api(srv.issuer, token, 'POST', '/me/mfa/sms/verify', { code: codeIn(enrol.text) })).status, 204);
    const req = await mfaRequired(user);
    n = (await readSpool(sms)).length;
    const sent = await fetch(`${srv.issuer}/api/v1/mfa/challenge`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ mfa_token: req.mfa_token, method: 'sms', client_id: ADMIN_CLIENT_ID, client_secret: ADMIN_CLIENT_SECRET }),
    });
    assert.equal(sent.status, 204);
    const msg = await nextMessage(sms, n);
    const r = await mfaGrant(srv.issuer, ADMIN, req.mfa_token, 'sms', codeIn(msg.text));
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.deepEqual(jwtPayload(r.json.id_token).amr, ['pwd', 'sms', 'mfa']);
  });
});
