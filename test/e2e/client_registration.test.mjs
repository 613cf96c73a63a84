// SPDX-License-Identifier: Apache-2.0
// Dynamic client registration (RFC 7591) and client management by registration access token
// (RFC 7592): off by default, open, protected by an initial access token; openid-client registers;
// bad metadata and wrong tokens are refused; discovery lists the endpoint exactly when it is on.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import {
  adminToken, api, createApp, get, getToken, registrationMode, startServer, tokenRequest,
} from './lib/server.mjs';

describe('dynamic client registration (RFC 7591/7592)', () => {
  let srv; let admin;

  before(async () => {
    srv = await startServer();
    admin = await adminToken(srv.issuer);
  });
  after(async () => { await srv?.stop(); });

  const register = (body, token) => fetch(`${srv.issuer}/oauth2/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, headers: r.headers, json: await r.json().catch(() => null) }));
  const manage = (uri, token, method = 'GET', body) => fetch(uri, {
    method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  }).then(async (r) => ({ status: r.status, headers: r.headers, json: await r.json().catch(() => null) }));

  const mode = (value) => registrationMode(srv.issuer, admin, value);

  test('off by default: no endpoint in discovery, registration refused', async () => {
    const doc = (await get(`${srv.issuer}/.well-known/openid-configuration`)).json;
    assert.equal(doc.registration_endpoint, undefined);
    assert.equal((await register({ redirect_uris: ['https://rp.example/cb'] })).status, 404);
    const bad = await api(srv.issuer, admin, 'PATCH', '/tenant', { settings: { dynamic_client_registration: 'sometimes' } });
    assert.equal(bad.status, 400);
    assert.ok(bad.json.fields['settings.dynamic_client_registration'], JSON.stringify(bad.json));
  });

  test('open: openid-client registers a public client; a confidential one gets a secret that works', async () => {
    await mode('open');
    const config = await client.dynamicClientRegistration(new URL(srv.issuer), {
      client_name: 'Native Notes', redirect_uris: ['com.example.notes:/cb', 'http://127.0.0.1/cb'],
      token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], scope: 'openid profile',
    }, client.None(), { execute: [client.allowInsecureRequests] });
    const meta = config.clientMetadata();
    assert.ok(meta.client_id);
    assert.equal(meta.client_secret, undefined, 'a public client has no secret');
    assert.ok(meta.registration_access_token);
    const apps = await api(srv.issuer, admin, 'GET', '/applications?limit=200');
    const app = apps.json.items.find((a) => a.client_id === meta.client_id);
    assert.equal(app.type, 'public');
    assert.equal(app.first_party, false);
    assert.deepEqual(app.scopes, ['openid', 'profile']);

    const conf = await register({ client_name: 'Batch Job', grant_types: ['client_credentials'] });
    assert.equal(conf.status, 201, JSON.stringify(conf.json));
    assert.equal(conf.json.token_endpoint_auth_method, 'client_secret_basic');
    assert.equal(conf.json.client_secret_expires_at, 0);
    assert.equal(conf.headers.get('cache-control'), 'no-store');
    await getToken(srv.issuer, conf.json.client_id, conf.json.client_secret);
  });

  test('bad metadata is refused with the RFC 7591 error', async () => {
    await mode('open');
    const cases = [
      [{ redirect_uris: ['https://rp.example/cb#frag'] }, 'invalid_redirect_uri'],
      [{ redirect_uris: ['myapp:/cb'] }, 'invalid_redirect_uri'],
      [{ grant_types: ['authorization_code'] }, 'invalid_redirect_uri'],
      [{ grant_types: ['password'], redirect_uris: ['https://rp.example/cb'] }, 'invalid_client_metadata'],
      [{ redirect_uris: ['https://rp.example/cb'], scope: 'openid portcullis:manage' }, 'invalid_client_metadata'],
      [{ redirect_uris: ['https://rp.example/cb'], token_endpoint_auth_method: 'tls_client_auth' }, 'invalid_client_metadata'],
      [{ redirect_uris: ['https://rp.example/cb'], response_types: ['token'] }, 'invalid_client_metadata'],
      [{ grant_types: ['client_credentials'], token_endpoint_auth_method: 'none' }, 'invalid_client_metadata'],
      [{ redirect_uris: ['https://rp.example/cb'], client_name: 'x'.repeat(129) }, 'invalid_client_metadata'],
      [{ redirect_uris: 'https://rp.example/cb' }, 'invalid_client_metadata'],
      ['[1,2', 'invalid_client_metadata'],
      [[], 'invalid_client_metadata'],
    ];
    for (const [body, error] of cases) {
      const r = await register(body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.json.error, error, `${JSON.stringify(body)}: ${JSON.stringify(r.json)}`);
    }
  });

  test('the registration access token reads, replaces and deletes its client; a wrong one is 401', async () => {
    await mode('open');
    const r = await register({ client_name: 'Photo Frame', redirect_uris: ['https://frame.example/cb'] });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    const { registration_client_uri: uri, registration_access_token: token, client_id: id, client_secret: secret } = r.json;
    assert.equal(uri, `${srv.issuer}/oauth2/register/${id}`);
    assert.equal((await manage(uri, token)).json.client_name, 'Photo Frame');

    for (const wrong of [`${token}x`, 'nonsense', admin]) {
      const w = await manage(uri, wrong);
      assert.equal(w.status, 401);
      assert.equal(w.json.error, 'invalid_token');
      assert.match(w.headers.get('www-authenticate'), /^Bearer .*invalid_token/);
    }
    const other = await register({ client_name: 'Other Frame', redirect_uris: ['https://frame.example/cb'] });
    assert.equal((await manage(uri, other.json.registration_access_token)).status, 401, "another client's token");

    const put = await manage(uri, token, 'PUT', { client_id: id, client_name: 'Photo Frame 2', redirect_uris: ['https://frame.example/new'] });
    assert.equal(put.status, 200, JSON.stringify(put.json));
    assert.deepEqual((await manage(uri, token)).json.redirect_uris, ['https://frame.example/new']);
    const badPut = await manage(uri, token, 'PUT', { redirect_uris: ['javascript:alert(1)'] });
    assert.equal(badPut.json.error, 'invalid_redirect_uri');

    assert.equal((await manage(uri, token, 'DELETE')).status, 204);
    assert.equal((await manage(uri, token)).status, 401);
    const gone = await tokenRequest(srv.issuer, id, secret, { grant_type: 'client_credentials' });
    assert.equal(gone.status, 401);
  });

  test('a client an administrator made trusted cannot be changed by its registration access token', async () => {
    await mode('open');
    const r = await register({ client_name: 'Trusted Frame', redirect_uris: ['https://frame.example/cb'] });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    const { registration_client_uri: uri, registration_access_token: token, client_id: id } = r.json;
    const app = (await api(srv.issuer, admin, 'GET', '/applications?limit=200')).json.items.find((a) => a.client_id === id);
    const trust = await api(srv.issuer, admin, 'PATCH', `/applications/${app.id}`, { first_party: true });
    assert.equal(trust.status, 200, JSON.stringify(trust.json));
    // re-pointing a first-party client would hand its consent-less codes to whoever holds the token
    const put = await manage(uri, token, 'PUT', { client_id: id, client_name: 'Trusted Frame', redirect_uris: ['https://evil.example/cb'] });
    assert.equal(put.status, 403, JSON.stringify(put.json));
    assert.equal(put.json.error, 'access_denied');
    assert.match(put.json.error_description, /management API/);
    const now = (await api(srv.issuer, admin, 'GET', `/applications/${app.id}`)).json;
    assert.deepEqual(now.redirect_uris, ['https://frame.example/cb']);
    assert.equal(now.first_party, true);
    assert.equal((await manage(uri, token)).status, 200, 'reading it still works');
  });

  test('protected: registration needs an initial access token whose holder has applications:create', async () => {
    await mode('protected');
    const body = { client_name: 'Kiosk', redirect_uris: ['https://kiosk.example/cb'] };
    assert.equal((await register(body)).status, 401);
    const weak = await createApp(srv.issuer, admin, { grant_types: ['client_credentials'] });
    const weakToken = (await getToken(srv.issuer, weak.client_id, weak.client_secret)).access_token;
    assert.equal((await register(body, weakToken)).status, 403);
    const ok = await register(body, admin);
    assert.equal(ok.status, 201, JSON.stringify(ok.json));
    await mode('off');
    assert.equal((await register(body, admin)).status, 404);
    assert.equal((await manage(ok.json.registration_client_uri, ok.json.registration_access_token)).status, 404);
  });

  test('open registration is rate limited per address', async () => {
    await mode('open');
    let last;
    for (let i = 0; i < 25; i += 1) {
      last = await register({ client_name: `Flood ${i}`, redirect_uris: ['https://flood.example/cb'] });
      if (last.status === 429) break;
      assert.equal(last.status, 201, JSON.stringify(last.json));
    }
    assert.equal(last.status, 429);
    assert.equal(last.json.error, 'temporarily_unavailable');
    assert.ok(Number(last.headers.get('retry-after')) > 0);
  });
});
