// SPDX-License-Identifier: Apache-2.0
// The command line: version, --help of every command, unknown flags and bad values refused.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { runCli, tempDir } from './lib/server.mjs';

const COMMANDS = [['serve'], ['migrate'], ['plugins'], ['keys', 'rotate'], ['version']];

describe('portcullis command line', () => {
  test('version names the version, the commit and the schema the build migrates to', async () => {
    const dir = await tempDir();
    try {
      const v = await runCli(['version']);
      assert.equal(v.code, 0);
      const m = v.stdout.match(/^portcullis (\d+\.\d+\.\d+) \(commit ([0-9a-f]{7,40}|unknown), store schema (\d+), plugin ABI \d+\.\d+\)$/m);
      assert.ok(m, v.stdout);
      const mig = await runCli(['migrate'], { dir });
      assert.equal(mig.code, 0, mig.stderr);
      assert.match(mig.stdout, new RegExp(`schema version 0 -> ${m[3]}\\b`), 'the schema printed is the one a store reaches');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  for (const cmd of COMMANDS) {
    test(`${cmd.join(' ')} --help prints help and exits 0`, async () => {
      const r = await runCli([...cmd, '--help']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^usage: portcullis ${cmd.join(' ')}`));
    });
    test(`${cmd.join(' ')} refuses an unknown flag`, async () => {
      const extra = cmd[0] === 'keys' ? ['--tenant', 'default'] : [];
      const r = await runCli([...cmd, ...extra, '--no-such-flag']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /unknown option "--no-such-flag"/);
    });
  }

  test('--help and an unknown command', async () => {
    const h = await runCli(['--help']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /keys rotate --tenant SLUG/);
    const u = await runCli(['frobnicate']);
    assert.equal(u.code, 2);
    assert.match(u.stderr, /unknown command "frobnicate"/);
  });

  test('keys rotate --delay must be a number', async () => {
    for (const bad of ['abc', '10s', '-5', '']) {
      const r = await runCli(['keys', 'rotate', '--tenant', 'default', '--delay', bad]);
      assert.equal(r.code, 2, `--delay "${bad}"`);
      assert.match(r.stderr, /--delay must be a number of seconds/);
    }
    const missing = await runCli(['keys', 'rotate', '--delay', '5']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--tenant SLUG is required/);
  });

  test('an unparsable public_url stops the server with a message', async () => {
    const dir = await tempDir();
    try {
      for (const bad of ['id.example.com', 'ftp://x', 'https://', 'https://x/?a=1', 'https://a b']) {
        const r = await runCli(['migrate'], { dir, env: { PORTCULLIS_PUBLIC_URL: bad } });
        assert.equal(r.code, 1, bad);
        assert.match(r.stderr, /PORTCULLIS_PUBLIC_URL must be an absolute http:\/\/ or https:\/\/ URL/);
      }
      const ok = await runCli(['migrate'], { dir, env: { PORTCULLIS_PUBLIC_URL: 'https://id.example.com/base/' } });
      assert.equal(ok.code, 0, ok.stderr);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
