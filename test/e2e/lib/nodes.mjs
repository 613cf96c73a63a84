// SPDX-License-Identifier: Apache-2.0
// Two nodes on one PostgreSQL, as behind a load balancer, and waiting for one to see what the other did.
import assert from 'node:assert/strict';
import { ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, oauthPost, startServer } from './server.mjs';
import { storeEnv } from './store.mjs';

/** Does this run have a PostgreSQL to share (CTest passes its throwaway server)? */
export const havePg = Boolean(process.env.PC_E2E_PG_URI);

/** How soon a change on one node must be seen on the other (docs/scaling.md). */
export const WITHIN_MS = 1000;

/**
 * Starts two nodes sharing a fresh database, the master key and the public URL (hence the
 * issuer); each keeps its own data directory. Returns [a, b]; stop b, then a.
 */
export async function startTwoNodes(extraEnv = {}) {
  const shared = { ...storeEnv(), PORTCULLIS_PUBLIC_URL: 'http://portcullis.test', ...extraEnv };
  const a = await startServer({ env: shared });
  const b = await startServer({ env: { ...shared, PORTCULLIS_MASTER_KEY_FILE: `${a.dir}/master.key` } });
  return [a, b];
}

/** Polls `probe` until it returns true; resolves with the milliseconds it took, or fails after WITHIN_MS. */
export async function seenWithin(probe) {
  const t0 = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - t0;
    if (Date.now() - t0 > WITHIN_MS) assert.fail(`not seen within ${WITHIN_MS} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Is `token` active at introspection on the node of `issuer` (asked as admin-cli)? */
export const activeAt = async (issuer, token) =>
  (await oauthPost(issuer, 'introspect', { token }, [ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET])).json.active;
