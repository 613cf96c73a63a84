// SPDX-License-Identifier: Apache-2.0
// A tiny relying party for the browser tests: a callback and a post-logout page on 127.0.0.1 that record their visits.
import { createServer } from 'node:http';

/**
 * Starts the relying party on a free loopback port. Returns
 * {origin, redirectUri, postLogoutUri, visits: URL[], close()}.
 */
export function startRp() {
  const visits = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url, `http://${req.headers.host}`);
    visits.push(url);
    const what = url.pathname === '/callback' ? 'Callback received' : url.pathname === '/logged-out' ? 'Signed out' : 'Not found';
    res.writeHead(what === 'Not found' ? 404 : 200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><title>RP</title><h1>${what}</h1></html>`);
  });
  return new Promise((ok, fail) => {
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const origin = `http://127.0.0.1:${server.address().port}`;
      ok({
        origin,
        redirectUri: `${origin}/callback`,
        postLogoutUri: `${origin}/logged-out`,
        visits,
        close: () => new Promise((done) => { server.closeAllConnections?.(); server.close(() => done()); }),
      });
    });
  });
}
