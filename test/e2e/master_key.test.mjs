// SPDX-License-Identifier: Apache-2.0
// The master key must match the store: a wrong key, or a missing key file in
// front of a store that already holds data, stops the server with a message
// naming the key file; it never starts with a new key and reports ready.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { adminToken, startServer } from './lib/server.mjs';

const START_TIMEOUT_MS = 20000;

/** Starts a server expected to fail; resolves with its exit code and output. */
async function failedStart(dir) {
  const s = await startServer({ dir, wait: false });
  const timer = setTimeout(() => s.child.kill('SIGKILL'), START_TIMEOUT_MS);
  const code = await s.exited;
  clearTimeout(timer);
  return { code, out: s.output() };
}

describe('master key and store', () => {
  let first, keyFile, goodKey;

  before(async () => {
    first = await startServer();
    await adminToken(first.issuer); // the store holds tenant default and its sealed keys
    await first.stop({ keepDir: true });
    keyFile = `${first.dir}/master.key`;
    goodKey = await readFile(keyFile);
  });
  after(async () => { if (first) await rm(first.dir, { recursive: true, force: true }); });

  test('another 32-byte key: the start fails, naming the key file', async () => {
    await writeFile(keyFile, randomBytes(32), { mode: 0o600 });
    const { code, out } = await failedStart(first.dir);
    assert.notEqual(code, 0, out);
    assert.match(out, /master key .*master\.key does not match the store/, out);
    assert.doesNotMatch(out, /\bready\b/, out);
  });

  test('a missing key file in front of existing data: no new key, the start fails', async () => {
    await rm(keyFile, { force: true });
    const { code, out } = await failedStart(first.dir);
    assert.notEqual(code, 0, out);
    assert.match(out, /master key .*master\.key is missing/, out);
    await assert.rejects(readFile(keyFile), /ENOENT/, 'no new key file may be created');
  });

  test('the right key starts the same store again', async () => {
    await writeFile(keyFile, goodKey, { mode: 0o600 });
    const again = await startServer({ dir: first.dir });
    try {
      assert.ok(await adminToken(again.issuer));
    } finally {
      await again.stop({ keepDir: true });
    }
  });
});
