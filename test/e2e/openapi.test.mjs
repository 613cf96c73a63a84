// SPDX-License-Identifier: Apache-2.0
// The OpenAPI description served by the server is docs/openapi.yaml, for any tenant, without a token.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { OPENAPI } from './lib/openapi.mjs';
import { adminToken, api, startServer } from './lib/server.mjs';

describe('openapi.json', () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { await srv?.stop(); });

  test('is served at /t/{tenant}/api/v1/openapi.json and equals docs/openapi.yaml', async () => {
    const r = await fetch(`${srv.issuer}/api/v1/openapi.json`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    const doc = await r.json();
    assert.equal(doc.openapi, '3.1.0');
    assert.deepEqual(doc, OPENAPI);
    assert.equal((await fetch(`${srv.base}/t/no-such-tenant/api/v1/openapi.json`)).status, 404);
  });

  test('answers are checked against it (a body off its schema is caught)', async () => {
    const token = await adminToken(srv.issuer);
    const r = await api(srv.issuer, token, 'GET', '/users');
    assert.equal(r.status, 200);
    const { checkResponse } = await import('./lib/openapi.mjs');
    assert.throws(() => checkResponse('GET', '/users', 200, { items: [{ id: 1 }], next_cursor: null }), /does not match/);
    assert.throws(() => checkResponse('GET', '/no-such-thing/x', 200, {}), /does not describe/);
    assert.throws(() => checkResponse('GET', '/users', 418, {}), /does not match|no 418/);
  });

  test('every route of the management API in core/http/router.c is described', () => {
    const router = readFileSync(new URL('../../core/http/router.c', import.meta.url), 'utf8');
    const routes = [...router.matchAll(/\{"(GET|POST|PUT|PATCH|DELETE)", API "([^"]+)"/g)];
    assert.ok(routes.length >= 40, `${routes.length} routes found`);
    for (const [, method, path] of routes) {
      const tpl = path.replace(/:([a-z_]+)/g, '{$1}');
      assert.ok(OPENAPI.paths[tpl]?.[method.toLowerCase()], `${method} ${tpl} is in docs/openapi.yaml`);
    }
  });

  test('describes no route the server lacks, and each operation its success and its errors', () => {
    const router = readFileSync(new URL('../../core/http/router.c', import.meta.url), 'utf8');
    const routes = new Set([...router.matchAll(/\{"(GET|POST|PUT|PATCH|DELETE)", API "([^"]+)"/g)]
      .map(([, method, path]) => `${method} ${path.replace(/:([a-z_]+)/g, '{$1}')}`));
    const errorRef = { $ref: '#/components/schemas/Error' };
    for (const [path, item] of Object.entries(OPENAPI.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const key = `${method.toUpperCase()} ${path}`;
        assert.ok(routes.has(key), `${key} of docs/openapi.yaml is a route of core/http/router.c`);
        assert.ok(Object.keys(op.responses).some((s) => /^2\d\d$/.test(s)), `${key} has a success status`);
        assert.deepEqual(op.responses['4XX']?.content?.['application/json']?.schema, errorRef, `${key}: 4XX is the Error body`);
      }
    }
  });
});
