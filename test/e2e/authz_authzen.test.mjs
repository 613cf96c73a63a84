// SPDX-License-Identifier: Apache-2.0
// OpenID AuthZEN Authorization API 1.0 (API.md §15): metadata, /access/v1/evaluation and
// /evaluations with defaults and the three semantics, the to-do interop scenario expressed as
// roles and policies, the blacklist case, credentials, X-Request-ID and errors.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN_PASSWORD, adminToken, api, basic, createApp, createUser, get, getToken, passwordGrant, startServer, unique,
} from './lib/server.mjs';

let srv; let issuer; let admin; let pep; let pepAuth;

async function post(path, body, headers = { authorization: pepAuth }) {
  const r = await fetch(`${issuer}/access/v1/${path}`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, headers: r.headers, json: text ? JSON.parse(text) : null };
}

async function role(name, permissions) {
  const r = await api(issuer, admin, 'POST', '/roles', { name, permissions });
  assert.equal(r.status, 201, JSON.stringify(r.json));
}

async function policy(fields) {
  const r = await api(issuer, admin, 'POST', '/policies', { name: unique('pol'), effect: 'allow', ...fields });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return r.json;
}

// The interop's people: https://github.com/openid/authzen interop "todo" scenario.
const people = {
  rick: ['admin', 'evil_genius'], morty: ['editor'], summer: ['editor'], beth: ['viewer'], jerry: ['viewer'],
};
const user = {};

before(async () => {
  srv = await startServer();
  issuer = srv.issuer;
  admin = await adminToken(issuer);
  const read = ['todo:can_read_user', 'todo:can_read_todos'];
  await role('viewer', read);
  await role('editor', [...read, 'todo:can_create_todo']);
  await role('admin_todo', [...read, 'todo:can_create_todo', 'todo:can_delete_todo']);
  await role('evil_genius', ['todo:can_update_todo']);
  for (const [name, roles] of Object.entries(people)) {
    const mapped = roles.map((r) => (r === 'admin' ? 'admin_todo' : r));
    user[name] = await createUser(issuer, admin, { username: unique(name), roles: mapped });
  }
  // Owners may update and delete their own to-dos.
  await policy({
    actions: ['todo:can_update_todo', 'todo:can_delete_todo'], principals: { roles: ['editor'] },
    condition: { eq: ['resource.properties.ownerID', 'subject.properties.email'] },
  });
  await role(unique('pep'), ['permissions:check']);
  const pepRole = (await api(issuer, admin, 'GET', '/roles?limit=200')).json.items.find((r) => r.permissions.includes('permissions:check')).name;
  pep = await createApp(issuer, admin, { roles: [pepRole] });
  pepAuth = basic(pep.client_id, pep.client_secret);
});
after(async () => { await srv?.stop(); });

const todo = (owner) => ({ type: 'todo', id: unique('todo'), properties: { ownerID: user[owner].email } });
const as = (name) => ({ type: 'user', id: user[name].email });

describe('metadata', () => {
  test('at the specification\'s place and under the issuer, naming the issuer as the PDP', async () => {
    const base = new URL(issuer);
    const slug = base.pathname.split('/').pop();
    for (const url of [`${base.origin}/.well-known/authzen-configuration/t/${slug}`, `${issuer}/.well-known/authzen-configuration`]) {
      const r = await get(url);
      assert.equal(r.status, 200, url);
      assert.deepEqual(r.json, {
        policy_decision_point: issuer,
        access_evaluation_endpoint: `${issuer}/access/v1/evaluation`,
        access_evaluations_endpoint: `${issuer}/access/v1/evaluations`,
      });
    }
  });
});

describe('the to-do interop scenario', () => {
  const cases = [
    ['rick', 'can_read_todos', 'morty', true], ['jerry', 'can_read_todos', 'morty', true],
    ['jerry', 'can_create_todo', 'jerry', false], ['morty', 'can_create_todo', 'morty', true],
    ['rick', 'can_create_todo', 'rick', true],
    ['morty', 'can_update_todo', 'morty', true], ['morty', 'can_update_todo', 'summer', false],
    ['summer', 'can_delete_todo', 'summer', true], ['summer', 'can_delete_todo', 'morty', false],
    ['rick', 'can_update_todo', 'morty', true], // the evil genius updates anything
    ['rick', 'can_delete_todo', 'beth', true], // admin deletes anything
    ['beth', 'can_update_todo', 'beth', false], // a viewer's own item: the policy names editors
    ['beth', 'can_delete_todo', 'morty', false],
  ];
  for (const [who, action, owner, expected] of cases) {
    test(`${who} ${action} on ${owner}'s to-do: ${expected}`, async () => {
      const r = await post('evaluation', { subject: as(who), action: { name: action }, resource: todo(owner) });
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.deepEqual(r.json, { decision: expected });
    });
  }

  test('the same questions in one /evaluations request, with defaults', async () => {
    const r = await post('evaluations', {
      subject: as('morty'), action: { name: 'can_update_todo' },
      evaluations: cases.filter(([who]) => who === 'morty').map(([, action, owner]) => ({ action: { name: action }, resource: todo(owner) }))
        .concat([{ resource: todo('morty') }, { subject: as('jerry'), resource: todo('jerry') }]),
    });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.deepEqual(r.json.evaluations.map((e) => e.decision), [true, true, false, true, false]);
  });

  test('the user may be named by id, username or email; an action with a colon names its resource', async () => {
    for (const id of [user.morty.id, user.morty.username, user.morty.email]) {
      const r = await post('evaluation', { subject: { type: 'user', id }, action: { name: 'todo:can_create_todo' }, resource: { type: 'x', id: '1' } });
      assert.deepEqual(r.json, { decision: true }, id);
    }
  });
});

describe('evaluations semantics', () => {
  const three = () => ({
    subject: as('morty'), action: { name: 'can_update_todo' },
    evaluations: [{ resource: todo('morty') }, { resource: todo('summer') }, { resource: todo('morty') }],
  });
  test('execute_all (the default) answers every item in order', async () => {
    const r = await post('evaluations', three());
    assert.deepEqual(r.json, { evaluations: [{ decision: true }, { decision: false }, { decision: true }] });
    const all = await post('evaluations', { ...three(), options: { evaluations_semantic: 'execute_all' } });
    assert.deepEqual(all.json, r.json);
  });
  test('deny_on_first_deny stops at the first denial', async () => {
    const r = await post('evaluations', { ...three(), options: { evaluations_semantic: 'deny_on_first_deny' } });
    assert.deepEqual(r.json, { evaluations: [{ decision: true }, { decision: false, context: { id: '200', reason: 'deny_on_first_deny' } }] });
  });
  test('permit_on_first_permit stops at the first permit', async () => {
    const r = await post('evaluations', { ...three(), options: { evaluations_semantic: 'permit_on_first_permit' } });
    assert.deepEqual(r.json, { evaluations: [{ decision: true }] });
  });
  test('an unknown semantic is 400', async () => {
    const r = await post('evaluations', { ...three(), options: { evaluations_semantic: 'some' } });
    assert.equal(r.status, 400);
    assert.equal(typeof r.json, 'string');
  });
  test('an error in one item is reported in that item', async () => {
    const r = await post('evaluations', {
      action: { name: 'can_read_todos' }, resource: todo('morty'),
      evaluations: [{ subject: as('beth') }, { subject: { type: 'user', id: 'nobody@nowhere.test' } },
        { subject: { type: 'robot', id: 'x' } }, { subject: { type: 'user' } }, 'junk'],
    });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const [ok, unknown, badType, noId, junk] = r.json.evaluations;
    assert.deepEqual(ok, { decision: true });
    assert.deepEqual(unknown, { decision: false, context: { error: { status: 404, message: 'subject not found' } } });
    for (const e of [badType, noId, junk]) {
      assert.equal(e.decision, false);
      assert.equal(e.context.error.status, 400);
    }
  });
  test('without evaluations, /evaluations answers like /evaluation', async () => {
    const r = await post('evaluations', { subject: as('morty'), action: { name: 'can_create_todo' }, resource: todo('morty') });
    assert.deepEqual(r.json, { decision: true });
  });
  test('a batch of 1,000 is answered in one pass; 1,001 is 400', async () => {
    // Compact items: 1,000 of them fit the default max_body (64 KiB).
    const items = Array.from({ length: 1000 }, (_, i) => ({ resource: { type: i % 2 ? 'todo' : 'note', id: `${i}` } }));
    const body = { subject: as('morty'), action: { name: 'can_create_todo' }, evaluations: items };
    const r = await post('evaluations', body);
    assert.equal(r.status, 200, JSON.stringify(r.json).slice(0, 200));
    assert.equal(r.json.evaluations.length, 1000);
    assert.equal(r.json.evaluations.filter((e) => e.decision).length, 500);
    items.push({ resource: { type: 'todo', id: 'x' } });
    const over = await post('evaluations', body);
    assert.equal(over.status, 400);
    assert.match(over.json, /at most 1000/);
  });
});

describe('the blacklist case', () => {
  test('a deny on resource.id in subject.properties.blocked_accounts refuses those sub-accounts', async () => {
    await role('operator', ['account:operate']);
    const op = await createUser(issuer, admin, { roles: ['operator'] });
    await policy({ effect: 'deny', actions: ['account:*'], condition: { in: ['resource.id', 'subject.properties.blocked_accounts'] } });
    const subject = { type: 'user', id: op.username, properties: { blocked_accounts: ['acc-2', 'acc-3'] } };
    const r = await post('evaluations', {
      subject, action: { name: 'operate' },
      evaluations: ['acc-1', 'acc-2', 'acc-3', 'acc-4'].map((id) => ({ resource: { type: 'account', id } })),
    });
    assert.deepEqual(r.json.evaluations.map((e) => e.decision), [true, false, false, true]);
    const none = await post('evaluation', { subject: { type: 'user', id: op.username }, action: { name: 'operate' }, resource: { type: 'account', id: 'acc-2' } });
    assert.deepEqual(none.json, { decision: true }); // no list, nothing blocked
  });
});

describe('credentials and errors', () => {
  const q = () => ({ subject: as('morty'), action: { name: 'can_create_todo' }, resource: todo('morty') });
  test('a bearer token works too; X-Request-ID comes back unchanged', async () => {
    const tok = (await getToken(issuer, pep.client_id, pep.client_secret)).access_token;
    const r = await post('evaluation', q(), { authorization: `Bearer ${tok}`, 'x-request-id': 'bfe9eb29-ab87-4ca3-be83-a1d5d8305716' });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-request-id'), 'bfe9eb29-ab87-4ca3-be83-a1d5d8305716');
    assert.deepEqual(r.json, { decision: true });
  });
  test('no or wrong credentials: 401 with a message string', async () => {
    for (const headers of [{}, { authorization: basic(pep.client_id, 'wrong') }, { authorization: 'Bearer not.a.token' }]) {
      const r = await post('evaluation', q(), headers);
      assert.equal(r.status, 401, JSON.stringify(headers));
      assert.equal(typeof r.json, 'string');
    }
  });
  test('without permissions:check: 403', async () => {
    const other = await createApp(issuer, admin);
    const r = await post('evaluation', q(), { authorization: basic(other.client_id, other.client_secret) });
    assert.equal(r.status, 403);
    assert.match(r.json, /permissions:check/);
  });
  test("a third-party application's user token asks for decisions only with portcullis:manage", async () => {
    const third = await createApp(issuer, admin, {
      grant_types: ['password'], first_party: false, scopes: ['openid', 'portcullis:manage'],
    });
    const creds = [third.client_id, third.client_secret];
    const bearer = async (scope) => {
      const g = await passwordGrant(issuer, 'admin', ADMIN_PASSWORD, scope, creds);
      assert.equal(g.status, 200, JSON.stringify(g.json));
      return { authorization: `Bearer ${g.json.access_token}` };
    };
    const plain = await post('evaluation', q(), await bearer('openid'));
    assert.equal(plain.status, 403);
    assert.match(plain.json, /portcullis:manage/);
    const manage = await post('evaluation', q(), await bearer('openid portcullis:manage'));
    assert.equal(manage.status, 200, JSON.stringify(manage.json));
    assert.deepEqual(manage.json, { decision: true });
    // The same person through a first-party application needs no such scope.
    const own = await passwordGrant(issuer, 'admin', ADMIN_PASSWORD);
    assert.equal((await post('evaluation', q(), { authorization: `Bearer ${own.json.access_token}` })).status, 200);
  });
  test('a malformed request: 400 with a message string', async () => {
    for (const body of ['{', '[]', { subject: as('morty'), action: { name: 'x' } }, { ...q(), context: 5 }]) {
      const r = await post('evaluation', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(typeof r.json, 'string');
    }
  });
});
