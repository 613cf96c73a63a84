// SPDX-License-Identifier: Apache-2.0
// Delivery providers against real listeners on 127.0.0.1: smtp to an aiosmtpd server, http-sms to a local
// gateway in JSON and Twilio modes, and failing ones, whose failures are audited after the 204.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, adminToken, api, basic, createUser, jwtPayload, passwordGrant, startServer,
} from './lib/server.mjs';
import { codeIn, createProvider, mfaGrant, nextMessage, smtpMissing, startGateway, startSmtp, userToken } from './lib/mfa.mjs';

const ADMIN = [ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET];

/** Waits until the audit log holds an event of `type` about `subject`; returns it. */
async function auditEvent(issuer, admin, type, subject) {
  const deadline = Date.now() + 20000;
  for (;;) {
    const r = await api(issuer, admin, 'GET', `/audit?type=${type}`);
    const e = r.json.items?.find((i) => i.subject === subject);
    if (e) return e;
    if (Date.now() > deadline) throw new Error(`no ${type} event for ${subject}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** Waits until the gateway has received more than `count` requests; returns the newest. */
async function nextRequest(gw, count) {
  const deadline = Date.now() + 10000;
  while (gw.requests.length <= count) {
    if (Date.now() > deadline) throw new Error('the gateway received nothing');
    await new Promise((r) => setTimeout(r, 25));
  }
  return gw.requests[gw.requests.length - 1];
}

describe('delivery providers', () => {
  let srv; let admin;

  before(async () => {
    srv = await startServer();
    admin = await adminToken(srv.issuer);
  });
  after(async () => { await srv?.stop(); });

  test('smtp: the enrolment code and the sign-in code arrive at a real SMTP server', { skip: smtpMissing() ?? false }, async () => {
    const smtp = await startSmtp();
    try {
      const p = await createProvider(srv.issuer, admin, {
        name: 'smtp', kind: 'email', plugin: 'smtp',
        config: { host: '127.0.0.1', port: smtp.port, security: 'none', from: 'login@example.test', from_name: 'Portcullis', timeout_ms: 5000 },
      });
      const user = await createUser(srv.issuer, admin);
      const token = await userToken(srv.issuer, user, ADMIN);
      assert.equal((await api(srv.issuer, token, 'POST', '/me/mfa/email', { email: 'grace@example.test' })).status, 204);
      const enrol = await nextMessage(smtp.dir, 0);
      assert.deepEqual(enrol.rcpt_tos, ['grace@example.test']);
      assert.equal(enrol.mail_from, 'login@example.test');
      assert.equal(enrol.from, 'Portcullis <login@example.test>');
      assert.equal(enrol.content_type, 'text/plain');
      assert.equal(enrol.subject, 'Your Default sign-in code');
      assert.match(enrol.text, /expires in 5 minutes/);
      assert.equal((await api(srv.issuer, token, 'POST', '/me/mfa/email/verify', { code: codeIn(enrol.text) })).status, 204);

      const req = await passwordGrant(srv.issuer, user.username, user.password);
      assert.equal(req.status, 403);
      const sent = await fetch(`${srv.issuer}/api/v1/mfa/challenge`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: basic(...ADMIN) },
        body: JSON.stringify({ mfa_token: req.json.mfa_token, method: 'email' }),
      });
      assert.equal(sent.status, 204);
      const msg = await nextMessage(smtp.dir, 1);
      const r = await mfaGrant(srv.issuer, ADMIN, req.json.mfa_token, 'email', codeIn(msg.text));
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.deepEqual(jwtPayload(r.json.access_token).amr, ['pwd', 'otp', 'mfa']);
      // The provider's own templates win over the scheme's wording.
      await api(srv.issuer, admin, 'PATCH', `/providers/${p.id}`, { config: { host: '127.0.0.1', port: smtp.port, security: 'none', from: 'login@example.test', subject: '[{{app}}] code', text: 'Code: {{code}} ({{minutes}} min, {{tenant}})' } });
      const user2 = await createUser(srv.issuer, admin);
      const t2 = await userToken(srv.issuer, user2, ADMIN);
      assert.equal((await api(srv.issuer, t2, 'POST', '/me/mfa/email', { email: 'tpl@example.test' })).status, 204);
      const tpl = await nextMessage(smtp.dir, 2);
      assert.equal(tpl.subject, '[Administration CLI] code');
      assert.match(tpl.text, /^Code: \d{6} \(5 min, Default\)/);
      assert.equal((await api(srv.issuer, admin, 'DELETE', `/providers/${p.id}`)).status, 204);
    } finally {
      await smtp.stop();
    }
  });

  test('smtp: an unreachable server: 204 once queued, then audited as mfa.delivery_failed, and the resend throttle holds', async () => {
    const p = await createProvider(srv.issuer, admin, {
      name: 'smtp-down', kind: 'email', plugin: 'smtp', config: { host: '127.0.0.1', port: 1, security: 'none', from: 'a@example.test', timeout_ms: 2000 },
    });
    const user = await createUser(srv.issuer, admin);
    const token = await userToken(srv.issuer, user, ADMIN);
    const r = await api(srv.issuer, token, 'POST', '/me/mfa/email', { email: 'x@example.test' });
    assert.equal(r.status, 204, 'the code is queued; the send happens on the delivery threads');
    const failed = await auditEvent(srv.issuer, admin, 'mfa.delivery_failed', user.id);
    assert.equal(failed.details.method, 'email');
    assert.equal(failed.details.provider_id, p.id);
    assert.equal(failed.details.plugin, 'smtp');
    assert.deepEqual((await api(srv.issuer, token, 'GET', '/me/mfa')).json.enabled, []);
    // The failed attempt counts for the resend throttle.
    const again = await api(srv.issuer, token, 'POST', '/me/mfa/email', { email: 'x@example.test' });
    assert.equal(again.status, 429);
    await api(srv.issuer, admin, 'DELETE', `/providers/${p.id}`);
  });

  test('http-sms, JSON mode: the body template, headers and the write-only authorization', async () => {
    const gw = await startGateway();
    try {
      const p = await createProvider(srv.issuer, admin, {
        name: 'sms-json', kind: 'sms', plugin: 'http-sms',
        config: { url: `${gw.url}/v1/messages`, authorization: 'Bearer gw-secret-123', headers: { 'X-Tenant': 'default' },
          body: '{"destination":"{{to}}","message":"{{text}}","kind":"otp"}' },
      });
      assert.equal(p.config.authorization, '********');
      const user = await createUser(srv.issuer, admin);
      const token = await userToken(srv.issuer, user, ADMIN);
      assert.equal((await api(srv.issuer, token, 'POST', '/me/mfa/sms', { phone_number: '+447700900123' })).status, 204);
      const rq = await nextRequest(gw, 0);
      assert.equal(rq.method, 'POST');
      assert.equal(rq.url, '/v1/messages');
      assert.equal(rq.headers['content-type'], 'application/json');
      assert.equal(rq.headers.authorization, 'Bearer gw-secret-123');
      assert.equal(rq.headers['x-tenant'], 'default');
      const body = JSON.parse(rq.body);
      assert.equal(body.destination, '+447700900123');
      assert.equal(body.kind, 'otp');
      assert.equal((await api(srv.issuer, token, 'POST', '/me/mfa/sms/verify', { code: codeIn(body.message) })).status, 204);

      const req = await passwordGrant(srv.issuer, user.username, user.password);
      const sent = await fetch(`${srv.issuer}/api/v1/mfa/challenge`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: basic(...ADMIN) },
        body: JSON.stringify({ mfa_token: req.json.mfa_token, method: 'sms' }),
      });
      assert.equal(sent.status, 204);
      const code = codeIn(JSON.parse((await nextRequest(gw, 1)).body).message);
      const r = await mfaGrant(srv.issuer, ADMIN, req.json.mfa_token, 'sms', code);
      assert.equal(r.status, 200);
      assert.deepEqual(jwtPayload(r.json.access_token).amr, ['pwd', 'sms', 'mfa']);
      assert.ok(!srv.output().includes('gw-secret-123'));
      await api(srv.issuer, admin, 'DELETE', `/providers/${p.id}`);
    } finally {
      await gw.close();
    }
  });

  test('http-sms, Twilio mode: form fields To, From, Body with the account\'s basic authentication', async () => {
    const gw = await startGateway();
    try {
      const p = await createProvider(srv.issuer, admin, {
        name: 'sms-twilio', kind: 'sms', plugin: 'http-sms',
        config: { mode: 'twilio', url: `${gw.url}/2010-04-01/Accounts/AC123/Messages.json`, account_sid: 'AC123', auth_token: 'tw-token-456', from: '+15005550006' },
      });
      assert.equal(p.config.auth_token, '********');
      const user = await createUser(srv.issuer, admin);
      const token = await userToken(srv.issuer, user, ADMIN);
      assert.equal((await api(srv.issuer, token, 'POST', '/me/mfa/sms', { phone_number: '+15551234567' })).status, 204);
      const rq = await nextRequest(gw, 0);
      assert.equal(rq.url, '/2010-04-01/Accounts/AC123/Messages.json');
      assert.equal(rq.headers['content-type'], 'application/x-www-form-urlencoded');
      assert.equal(rq.headers.authorization, `Basic ${Buffer.from('AC123:tw-token-456').toString('base64')}`);
      const form = new URLSearchParams(rq.body);
      assert.equal(form.get('To'), '+15551234567');
      assert.equal(form.get('From'), '+15005550006');
      assert.equal((await api(srv.issuer, token, 'POST', '/me/mfa/sms/verify', { code: codeIn(form.get('Body')) })).status, 204);
      assert.deepEqual((await api(srv.issuer, token, 'GET', '/me/mfa')).json.enabled, ['sms']);
      await api(srv.issuer, admin, 'DELETE', `/providers/${p.id}`);
    } finally {
      await gw.close();
    }
  });

  test('http-sms: a gateway answering 500 is audited as mfa.delivery_failed and logged without the code', async () => {
    const gw = await startGateway((r) => ({ status: 500, body: JSON.stringify({ message: `upstream down; could not send: ${new URLSearchParams(r.body).get('Body') ?? r.body}` }) }));
    try {
      const p = await createProvider(srv.issuer, admin, {
        name: 'sms-broken', kind: 'sms', plugin: 'http-sms',
        config: { mode: 'twilio', url: `${gw.url}/send`, account_sid: 'AC9', auth_token: 'tok', from: '+15005550006' },
      });
      const user = await createUser(srv.issuer, admin);
      const token = await userToken(srv.issuer, user, ADMIN);
      const r = await api(srv.issuer, token, 'POST', '/me/mfa/sms', { phone_number: '+15559876543' });
      assert.equal(r.status, 204);
      const sentBody = new URLSearchParams((await nextRequest(gw, 0)).body).get('Body');
      const code = codeIn(sentBody);
      const failed = await auditEvent(srv.issuer, admin, 'mfa.delivery_failed', user.id);
      assert.deepEqual(failed.details, { method: 'sms', provider_id: p.id, provider: 'sms-broken', plugin: 'http-sms' });
      assert.deepEqual((await api(srv.issuer, token, 'GET', '/me/mfa')).json, { enabled: [], preferred: null, recovery_codes_left: 0 });
      // The log names the gateway's words, not the code; the audit event does not carry it either.
      assert.match(srv.output(), /gateway refused the message: .*status=500 message="upstream down; could not send: \*+/);
      assert.ok(!srv.output().includes(code));
      assert.ok(!JSON.stringify(failed).includes(code));
      const metrics = await (await fetch(`${srv.base}/metrics`)).text();
      assert.match(metrics, /^portcullis_mfa_deliveries_total\{outcome="failed"\} [1-9]/m);
      await api(srv.issuer, admin, 'DELETE', `/providers/${p.id}`);
    } finally {
      await gw.close();
    }
  });

  test('http-sms: http:// only to a numeric loopback address, or with allow_insecure while private calls are allowed', async () => {
    const base = { name: 'sms-url', kind: 'sms', plugin: 'http-sms' };
    for (const url of ['http://sms.example.test/send', 'http://10.0.0.1/send', 'ftp://127.0.0.1/x', 'http://localhost:9/send', 'http://127.0.0.1.evil.example/send']) {
      const r = await api(srv.issuer, admin, 'POST', '/providers', { ...base, config: { url } });
      assert.equal(r.status, 400, url);
      assert.match(r.json.fields.config, /url/);
    }
    for (const config of [{ url: 'https://sms.example.test/send' }, { url: 'http://127.0.0.1:9/send' }, { url: 'http://[::1]:9/x' },
      { url: 'http://sms.example.test/send', allow_insecure: true }]) {
      const r = await api(srv.issuer, admin, 'POST', '/providers', { ...base, config });
      assert.equal(r.status, 201, JSON.stringify(config));
      await api(srv.issuer, admin, 'DELETE', `/providers/${r.json.id}`);
    }
  });
});
