// SPDX-License-Identifier: Apache-2.0
// Organizations inside a tenant (API.md §18): the management API with both questions and bad input,
// organization_required and the organization grant, scoped permissions, switching by token exchange,
// refresh bound to its organization, and a removed membership cutting that organization's tokens at once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  adminToken, api, createApp, createUser, introspect, jwtPayload, startServer, tempDir, tokenRequest, unique,
} from './lib/server.mjs';
import { MFA_GRANT, enrolTotp, totp } from './lib/mfa.mjs';

const ORG = 'urn:portcullis:params:oauth:grant-type:organization';
const TE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const AT = 'urn:ietf:params:oauth:token-type:access_token';
let srv; let issuer; let admin; let app; let ann; let viewerRole; const orgs = {};

const grant = (params, client = app) => tokenRequest(issuer, client.client_id, client.client_secret, params);
const signIn = (u, extra = {}) => grant({ grant_type: 'password', username: u.username, password: u.password, scope: 'openid', ...extra });
const check = async (token, resource, action) =>
  (await api(issuer, token, 'POST', '/authorize', { resource, action })).json.authorized;

async function role(perms) {
  const name = unique('role');
  assert.equal((await api(issuer, admin, 'POST', '/roles', { name, permissions: perms })).status, 201);
  return name;
}

async function org(slug) {
  const r = await api(issuer, admin, 'POST', '/organizations', { slug, name: `Org ${slug}` });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return r.json;
}

const member = (o, user, roles, token = admin) => api(issuer, token, 'PUT', `/organizations/${o.id}/members/${user.id}`, { roles });

before(async () => {
  srv = await startServer();
  issuer = srv.issuer;
  admin = await adminToken(issuer);
  const r = await api(issuer, admin, 'POST', '/applications', {
    name: unique('b2b'), type: 'confidential', first_party: true, scopes: ['openid', 'profile'],
    grant_types: ['password', 'refresh_token', ORG, TE],
  });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  app = r.json;
  const billing = await role(['invoices:read', 'invoices:pay']);
  const viewer = await role(['invoices:read']);
  viewerRole = viewer;
  ann = await createUser(issuer, admin);
  for (const s of ['acme', 'globex', 'initech']) orgs[s] = await org(`${s}-${process.pid}`);
  assert.equal((await member(orgs.acme, ann, [billing])).status, 204);
  assert.equal((await member(orgs.globex, ann, [viewer])).status, 204);
  assert.equal((await member(orgs.initech, ann, [])).status, 204);
});
after(async () => { await srv?.stop(); });

describe('the management API', () => {
  test('organizations are listed, read, changed and audited; slugs are unique', async () => {
    const o = await org(unique('x').toLowerCase());
    assert.equal((await api(issuer, admin, 'GET', `/organizations/${o.id}`)).json.slug, o.slug);
    const dup = await api(issuer, admin, 'POST', '/organizations', { slug: o.slug, name: 'Again' });
    assert.equal(dup.status, 409);
    assert.equal(dup.json.code, 'AUT-0011');
    const p = await api(issuer, admin, 'PATCH', `/organizations/${o.id}`, { name: 'Renamed', logo_url: 'https://img.example/l.png' });
    assert.equal(p.status, 200, JSON.stringify(p.json));
    assert.equal(p.json.logo_url, 'https://img.example/l.png');
    const list = await api(issuer, admin, 'GET', '/organizations?limit=200');
    assert.ok(list.json.items.some((i) => i.id === o.id));
    const audit = await api(issuer, admin, 'GET', `/audit?type=organization.updated`);
    assert.ok(audit.json.items.some((e) => e.subject === o.id));
    assert.equal((await api(issuer, admin, 'DELETE', `/organizations/${o.id}`)).status, 204);
    assert.equal((await api(issuer, admin, 'GET', `/organizations/${o.id}`)).status, 404);
  });

  test('bad input on every endpoint names the field', async () => {
    const cases = [
      ['POST', '/organizations', { name: 'No slug' }, 400, 'AUT-0001', 'slug'],
      ['POST', '/organizations', { slug: 'Bad Slug', name: 'x' }, 400, 'AUT-0009', 'slug'],
      ['POST', '/organizations', { slug: unique('s').toLowerCase(), name: '' }, 400, 'AUT-0009', 'name'],
      ['POST', '/organizations', { slug: unique('s').toLowerCase(), name: 'x', logo_url: 'http://img.example/x.png' }, 400, 'AUT-0009', 'logo_url'],
      ['POST', '/organizations', { slug: unique('s').toLowerCase(), name: 'x', color: 'red' }, 400, 'AUT-0003', 'color'],
      ['POST', '/organizations', '{"slug":', 400, 'AUT-0009', null],
      ['PATCH', `/organizations/${orgs.acme.id}`, { slug: '-bad' }, 400, 'AUT-0009', 'slug'],
      ['PUT', `/organizations/${orgs.acme.id}/members/${ann.id}`, {}, 400, 'AUT-0001', 'roles'],
      ['PUT', `/organizations/${orgs.acme.id}/members/${ann.id}`, { roles: ['no-such-role'] }, 400, 'AUT-0009', 'roles[0]'],
      ['PUT', `/organizations/${orgs.acme.id}/members/${ann.id}`, { roles: 'admin' }, 400, 'AUT-0009', 'roles'],
      ['PUT', `/organizations/${orgs.acme.id}/members/00000000-0000-7000-8000-000000000000`, { roles: [] }, 404, 'AUT-0010', null],
      ['DELETE', `/organizations/${orgs.acme.id}/members/00000000-0000-7000-8000-000000000000`, undefined, 404, 'AUT-0010', null],
      ['GET', '/organizations/00000000-0000-7000-8000-000000000000/members', undefined, 404, 'AUT-0010', null],
      ['GET', '/organizations?limit=0', undefined, 400, 'AUT-0009', null],
    ];
    for (const [method, path, body, status, code, field] of cases) {
      const r = await api(issuer, admin, method, path, body);
      assert.equal(r.status, status, `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(r.json)}`);
      assert.equal(r.json.code, code, `${method} ${path}`);
      if (field) assert.ok(field in r.json.fields, `${method} ${path} names ${field}: ${JSON.stringify(r.json.fields)}`);
    }
  });

  test('first question: every endpoint needs its organizations permission', async () => {
    const u = await createUser(issuer, admin, { roles: [await role(['users:read'])] });
    const t = (await signIn(u)).json.access_token;
    const o = orgs.acme;
    for (const [method, path, body] of [
      ['GET', '/organizations'], ['POST', '/organizations', { slug: unique('s').toLowerCase(), name: 'x' }],
      ['GET', `/organizations/${o.id}`], ['PATCH', `/organizations/${o.id}`, { name: 'x' }],
      ['DELETE', `/organizations/${o.id}`], ['GET', `/organizations/${o.id}/members`],
      ['PUT', `/organizations/${o.id}/members/${u.id}`, { roles: [] }], ['DELETE', `/organizations/${o.id}/members/${ann.id}`],
      ['GET', `/users/${ann.id}/organizations`],
    ]) {
      const r = await api(issuer, t, method, path, body);
      assert.equal(r.status, 403, `${method} ${path}`);
      assert.equal(r.json.code, 'AUT-0008');
    }
  });

  test('second question: no membership role beyond the caller, no other organization from a scoped token', async () => {
    const manager = await createUser(issuer, admin, { roles: [await role(['organizations:*', 'invoices:read'])] });
    const t = (await signIn(manager)).json.access_token;
    const strong = await role(['invoices:pay']);
    const weak = await role(['invoices:read']);
    const bob = await createUser(issuer, admin);
    const o = await org(unique('q').toLowerCase());
    assert.equal((await member(o, bob, [strong], t)).status, 403, 'grants a permission it lacks');
    assert.equal((await member(o, bob, [weak], t)).status, 204);
    assert.equal((await member(o, bob, [strong])).status, 204);
    assert.equal((await api(issuer, t, 'DELETE', `/organizations/${o.id}/members/${bob.id}`)).status, 403, 'removes a stronger member');
    assert.equal((await member(o, bob, [weak], t)).status, 403, 'demotes a stronger member');
    // A token scoped to one organization, its manager role held only there, cannot touch another.
    const scopedRole = await role(['organizations:update', 'organizations:read']);
    const carol = await createUser(issuer, admin);
    assert.equal((await member(o, carol, [scopedRole])).status, 204);
    const ct = (await signIn(carol)).json.access_token;
    assert.equal(jwtPayload(ct).org_id, o.id, 'one organization: scoped without asking');
    assert.equal((await api(issuer, ct, 'PATCH', `/organizations/${o.id}`, { name: 'Mine' })).status, 200);
    const other = await api(issuer, ct, 'PATCH', `/organizations/${orgs.acme.id}`, { name: 'Theirs' });
    assert.equal(other.status, 403);
    assert.equal(other.json.code, 'AUT-0008');
    assert.equal((await api(issuer, ct, 'GET', `/organizations/${orgs.acme.id}`)).status, 403, 'nor read it');
    assert.equal((await api(issuer, ct, 'GET', `/organizations/${orgs.acme.id}/members`)).status, 403);
    const listed = await api(issuer, ct, 'GET', '/organizations');
    assert.deepEqual(listed.json.items.map((i) => i.id), [o.id], 'lists its own organization only');
    // A user's organizations (the console's user page): from the scoped token, its own one only.
    assert.equal((await member(orgs.acme, bob, [weak])).status, 204);
    const all = await api(issuer, admin, 'GET', `/users/${bob.id}/organizations`);
    assert.deepEqual(all.json.items.map((i) => i.id).sort(), [o.id, orgs.acme.id].sort());
    const seen = await api(issuer, ct, 'GET', `/users/${bob.id}/organizations`);
    assert.equal(seen.status, 200);
    assert.deepEqual(seen.json.items.map((i) => [i.id, i.roles]), [[o.id, [strong]]], 'not the other organization');
  });

  test('members are listed with role names; /me/organizations lists the caller\'s', async () => {
    const r = await api(issuer, admin, 'GET', `/organizations/${orgs.acme.id}/members`);
    assert.equal(r.status, 200);
    const mine = r.json.items.find((i) => i.user_id === ann.id);
    assert.equal(mine.username, ann.username);
    assert.equal(mine.roles.length, 1);
    const hers = await api(issuer, admin, 'GET', `/users/${ann.id}/organizations`);
    assert.equal(hers.status, 200);
    assert.deepEqual(hers.json.items.map((i) => [i.slug, i.roles]).sort(),
      [[orgs.acme.slug, mine.roles], [orgs.globex.slug, [viewerRole]], [orgs.initech.slug, []]].sort());
    const none = await api(issuer, admin, 'GET', '/users/00000000-0000-7000-8000-000000000000/organizations');
    assert.equal(none.status, 404);
    assert.equal(none.json.code, 'AUT-0010');
    const s = await signIn(ann, { organization: orgs.acme.slug });
    const me = await api(issuer, s.json.access_token, 'GET', '/me/organizations');
    assert.deepEqual(me.json.items.map((i) => i.slug).sort(), Object.values(orgs).map((o) => o.slug).sort());
  });
});

describe('signing in to an organization', () => {
  test('several organizations: organization_required, then the organization grant, single use and client-bound', async () => {
    const sessions = async () => (await api(issuer, admin, 'GET', `/users/${ann.id}/sessions?limit=200`)).json.items.length;
    const before = await sessions();
    const r = await signIn(ann);
    assert.equal(r.status, 403, JSON.stringify(r.json));
    assert.equal(r.json.error, 'organization_required');
    assert.equal(r.json.organizations.length, 3);
    assert.equal(await sessions(), before, 'like a second factor: no session before the choice');
    const other = await api(issuer, admin, 'POST', '/applications', {
      name: unique('other'), type: 'confidential', grant_types: ['password', ORG], scopes: ['openid'],
    });
    const stolen = await grant({ grant_type: ORG, organization_token: r.json.organization_token, organization: orgs.acme.slug }, other.json);
    assert.equal(stolen.status, 400);
    assert.equal(stolen.json.error, 'invalid_grant');
    const notMine = await grant({ grant_type: ORG, organization_token: r.json.organization_token, organization: 'no-such-org' });
    assert.equal(notMine.status, 400);
    assert.equal(notMine.json.error, 'invalid_request');
    const missing = await grant({ grant_type: ORG, organization: orgs.acme.slug });
    assert.equal(missing.json.error, 'invalid_request');
    const ok = await grant({ grant_type: ORG, organization_token: r.json.organization_token, organization: orgs.acme.slug });
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
    const claims = jwtPayload(ok.json.access_token);
    assert.equal(await sessions(), before + 1, 'the session opens with the choice');
    assert.ok(claims.sid);
    assert.equal(claims.org_id, orgs.acme.id);
    assert.equal(claims.org_slug, orgs.acme.slug);
    assert.equal(jwtPayload(ok.json.id_token).org_id, orgs.acme.id);
    const again = await grant({ grant_type: ORG, organization_token: r.json.organization_token, organization: orgs.acme.slug });
    assert.equal(again.status, 400);
    assert.equal(again.json.error, 'invalid_grant');
  });

  test('with a second factor: password, mfa_required, the mfa grant, then organization_required', async () => {
    const eve = await createUser(issuer, admin);
    for (const o of [orgs.acme, orgs.globex]) assert.equal((await member(o, eve, [])).status, 204);
    const first = await signIn(eve, { organization: orgs.acme.slug });
    const secret = await enrolTotp(issuer, first.json.access_token);
    const pw = await signIn(eve);
    assert.equal(pw.json.error, 'mfa_required');
    const mfa = await grant({ grant_type: MFA_GRANT, mfa_token: pw.json.mfa_token, method: 'totp', code: totp(secret) });
    assert.equal(mfa.status, 403, JSON.stringify(mfa.json));
    assert.equal(mfa.json.error, 'organization_required');
    const ok = await grant({ grant_type: ORG, organization_token: mfa.json.organization_token, organization: orgs.globex.slug });
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
    const claims = jwtPayload(ok.json.access_token);
    assert.equal(claims.org_slug, orgs.globex.slug);
    assert.ok(claims.amr.includes('mfa'), 'the second factor carries over');
  });

  test('organization= on the password grant; a non-member organization is invalid_request', async () => {
    const r = await signIn(ann, { organization: orgs.globex.id });
    assert.equal(r.status, 200);
    assert.equal(jwtPayload(r.json.access_token).org_slug, orgs.globex.slug);
    const o = await org(unique('n').toLowerCase());
    const bad = await signIn(ann, { organization: o.slug });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error, 'invalid_request');
  });

  test('permission checks, /me/permissions and introspection reflect the membership', async () => {
    const acme = (await signIn(ann, { organization: orgs.acme.slug })).json.access_token;
    const globex = (await signIn(ann, { organization: orgs.globex.slug })).json.access_token;
    assert.equal(await check(acme, 'invoices', 'pay'), true);
    assert.equal(await check(globex, 'invoices', 'pay'), false);
    assert.equal(await check(globex, 'invoices', 'read'), true);
    const perms = await api(issuer, acme, 'GET', '/me/permissions');
    assert.ok(perms.json.permissions.includes('invoices:pay'));
    const i = await introspect(issuer, acme);
    assert.equal(i.org_id, orgs.acme.id);
    assert.equal(i.org_slug, orgs.acme.slug);
    // A check by sub names the organization in context.organization.
    const bySub = (o) => api(issuer, admin, 'POST', '/authorize', { resource: 'invoices', action: 'pay', sub: ann.id, context: { organization: o } });
    assert.equal((await bySub(orgs.acme.slug)).json.authorized, true);
    assert.equal((await bySub(orgs.globex.id)).json.authorized, false);
    assert.equal((await bySub('no-such-org')).status, 400);
    const az = await fetch(`${issuer}/access/v1/evaluation`, {
      method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ subject: { type: 'user', id: ann.id }, action: { name: 'pay' }, resource: { type: 'invoices', id: '1' }, context: { organization: orgs.acme.slug } }),
    });
    assert.equal((await az.json()).decision, true);
  });

  test('switching by token exchange; a refresh token never crosses organizations', async () => {
    const s = await signIn(ann, { organization: orgs.acme.slug });
    const x = await grant({ grant_type: TE, subject_token: s.json.access_token, subject_token_type: AT, organization: orgs.globex.slug });
    assert.equal(x.status, 200, JSON.stringify(x.json));
    assert.equal(jwtPayload(x.json.access_token).org_id, orgs.globex.id);
    assert.ok(x.json.refresh_token, 'a new token pair');
    assert.equal(await check(x.json.access_token, 'invoices', 'pay'), false);
    const cross = await grant({ grant_type: 'refresh_token', refresh_token: s.json.refresh_token, organization: orgs.globex.slug });
    assert.equal(cross.status, 400);
    assert.equal(cross.json.error, 'invalid_grant');
    const same = await grant({ grant_type: 'refresh_token', refresh_token: s.json.refresh_token });
    assert.equal(same.status, 200, 'the refused attempt did not use the token up');
    assert.equal(jwtPayload(same.json.access_token).org_id, orgs.acme.id);
    const notMember = await grant({ grant_type: TE, subject_token: s.json.access_token, subject_token_type: AT, organization: 'no-such-org' });
    assert.equal(notMember.json.error, 'invalid_request');
  });

  test('another client switching organization gets no refresh token and no longer life', async () => {
    const other = await createApp(issuer, admin, {
      name: unique('other'), type: 'confidential', first_party: true, scopes: ['openid', 'profile'],
      grant_types: ['refresh_token', TE],
    });
    const s = await signIn(ann, { organization: orgs.acme.slug });
    const x = await grant({ grant_type: TE, subject_token: s.json.access_token, subject_token_type: AT, organization: orgs.globex.slug }, other);
    assert.equal(x.status, 200, JSON.stringify(x.json));
    const got = jwtPayload(x.json.access_token);
    assert.equal(got.org_id, orgs.globex.id);
    assert.equal(x.json.refresh_token, undefined, 'a token seen by another client gives it no refresh token');
    assert.ok(got.exp <= jwtPayload(s.json.access_token).exp, 'nor a longer life than the subject token');
  });

  test('removing a membership ends that organization\'s tokens at once, not the others\'', async () => {
    const dan = await createUser(issuer, admin);
    const viewer = await role(['invoices:read']);
    const a = await org(unique('ra').toLowerCase());
    const b = await org(unique('rb').toLowerCase());
    await member(a, dan, [viewer]);
    await member(b, dan, [viewer]);
    const ta = await signIn(dan, { organization: a.slug });
    const tb = await signIn(dan, { organization: b.slug });
    assert.equal((await api(issuer, admin, 'DELETE', `/organizations/${a.id}/members/${dan.id}`)).status, 204);
    assert.equal((await introspect(issuer, ta.json.access_token)).active, false);
    assert.equal((await introspect(issuer, ta.json.refresh_token)).active, false);
    assert.equal((await api(issuer, ta.json.access_token, 'GET', '/me')).status, 401);
    assert.equal((await introspect(issuer, tb.json.access_token)).active, true);
    const audit = await api(issuer, admin, 'GET', '/audit?type=member.removed');
    assert.ok(audit.json.items.some((e) => e.subject === a.id && e.details.user_id === dan.id));
  });
});

describe('registration with an organization', () => {
  after(async () => {
    await api(issuer, admin, 'PATCH', '/tenant', { settings: { registration: null, organization_registration: null, organization_owner_roles: null } });
  });

  test('closed by default; open: the new user is its first member with the owner roles', async () => {
    const provider = await api(issuer, admin, 'POST', '/providers', {
      name: unique('spool'), kind: 'email', plugin: 'file', config: { dir: await tempDir(), default: true },
    });
    assert.equal(provider.status, 201, JSON.stringify(provider.json));
    const owner = await role(['organizations:update', 'invoices:*']);
    assert.equal((await api(issuer, admin, 'PATCH', '/tenant', { settings: { registration: 'open', organization_owner_roles: [owner] } })).status, 200);
    const slug = unique('reg').toLowerCase();
    const body = (email) => ({ email, password: 'Register-Pass-1', organization: { slug, name: 'Registered Co' } });
    const closed = await api(issuer, null, 'POST', '/auth/register', body(`${unique('r')}@example.test`));
    assert.equal(closed.status, 400, JSON.stringify(closed.json));
    assert.equal(closed.json.code, 'AUT-0009');
    assert.ok('organization' in closed.json.fields);
    const badSetting = await api(issuer, admin, 'PATCH', '/tenant', { settings: { organization_registration: 'sometimes' } });
    assert.equal(badSetting.status, 400);
    assert.ok('settings.organization_registration' in badSetting.json.fields);
    assert.equal((await api(issuer, admin, 'PATCH', '/tenant', { settings: { organization_registration: 'open' } })).status, 200);
    const badSlug = await api(issuer, null, 'POST', '/auth/register', { ...body(`${unique('r')}@example.test`), organization: { slug: 'No!', name: 'x' } });
    assert.equal(badSlug.status, 400);
    assert.ok('organization.slug' in badSlug.json.fields, JSON.stringify(badSlug.json));
    const email = `${unique('r')}@example.test`;
    const r = await api(issuer, null, 'POST', '/auth/register', body(email));
    assert.equal(r.status, 201, JSON.stringify(r.json));
    const t = await grant({ grant_type: 'password', username: email, password: 'Register-Pass-1', scope: 'openid' });
    assert.equal(t.status, 200, JSON.stringify(t.json));
    assert.equal(jwtPayload(t.json.access_token).org_slug, slug, 'its only organization: scoped without asking');
    assert.equal(await check(t.json.access_token, 'invoices', 'refund'), true);
    const taken = await api(issuer, null, 'POST', '/auth/register', body(`${unique('r')}@example.test`));
    assert.equal(taken.status, 409, JSON.stringify(taken.json));
    const created = await api(issuer, admin, 'GET', '/audit?type=organization.created&limit=200');
    assert.ok(created.json.items.some((e) => e.actor === r.json.id));
  });
});
