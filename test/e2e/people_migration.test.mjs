// SPDX-License-Identifier: Apache-2.0
// Schema 7 on an existing SQLite store: users whose usernames or emails differ only in case
// make the migration refuse, naming them, and change nothing; once resolved it migrates,
// storing emails lowercase, and repairs a deleted admin role. Uses the sqlite3 shell to
// take a fresh store back to schema 6 (what an older build left).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { runCli, tempDir } from './lib/server.mjs';
import { UNDO_AFTER_SCHEMA_6, undoAfter } from './lib/store.mjs';

const SQLITE3 = process.env.SQLITE3_BIN || '/usr/bin/sqlite3';
const sql = (db, text) => execFileSync(SQLITE3, [db, text], { encoding: 'utf8' }).trim();

/** A store as schema 6 had it: the columns and indexes of 7 taken back out. */
function backToSchema6(db) {
  sql(db, `${UNDO_AFTER_SCHEMA_6} UPDATE schema_version SET version = 6;`);
}

describe('schema 7 and case-duplicates (sqlite)', { skip: !existsSync(SQLITE3) && 'needs the sqlite3 shell' }, () => {
  test('refuses naming the duplicates, changes nothing; migrates once they are resolved', async () => {
    const dir = await tempDir();
    try {
      assert.equal((await runCli(['migrate'], { dir })).code, 0);
      const db = `${dir}/p.db`;
      backToSchema6(db);
      sql(db, ["INSERT INTO tenants (id, slug, name, settings, created_at) VALUES ('t1', 'acme', 'Acme', '{}', 0)",
        "INSERT INTO users (id, tenant_id, username, email, created_at, updated_at) VALUES ('u1', 't1', 'Bob', 'Bob@Example.com', 0, 0)",
        "INSERT INTO users (id, tenant_id, username, email, created_at, updated_at) VALUES ('u2', 't1', 'bob', 'ann@example.com', 0, 0)",
        "INSERT INTO users (id, tenant_id, username, email, created_at, updated_at) VALUES ('u3', 't1', 'carl', 'BOB@example.COM', 0, 0)"].join(';'));
      const refused = await runCli(['migrate'], { dir });
      assert.equal(refused.code, 1);
      const said = refused.stdout + refused.stderr;
      assert.match(said, /acme username "bob" x2/);
      assert.match(said, /acme email "bob@example.com" x2/);
      assert.match(said, /docs\/people\.md/);
      assert.equal(sql(db, 'SELECT version FROM schema_version'), '6');
      assert.equal(sql(db, "SELECT email FROM users WHERE id = 'u1'"), 'Bob@Example.com');
      // Resolved as docs/people.md says: rename one, change the other's email.
      sql(db, "UPDATE users SET username = 'bob2' WHERE id = 'u2'; UPDATE users SET email = 'carl@example.com' WHERE id = 'u3'");
      const done = await runCli(['migrate'], { dir });
      assert.equal(done.code, 0, done.stderr);
      assert.match(done.stdout, /6 -> [0-9]+/); // on to the newest schema
      assert.equal(sql(db, "SELECT email || ' ' || status || ' ' || email_verified FROM users WHERE id = 'u1'"), 'bob@example.com active 0');
      // The tenant had no admin role: schema 7 gives it one, holding *:*.
      assert.equal(sql(db, "SELECT permissions FROM roles WHERE tenant_id = 't1' AND name = 'admin'"), '["*:*"]');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('schema 10: usernames and emails folded in C (sqlite)', { skip: !existsSync(SQLITE3) && 'needs the sqlite3 shell' }, () => {
  test('users SQLite lower() let through, equal once Unicode-folded, are named; resolved, they migrate', async () => {
    const dir = await tempDir();
    try {
      assert.equal((await runCli(['migrate'], { dir })).code, 0);
      const db = `${dir}/p.db`;
      sql(db, undoAfter(9));
      // Schema 9 compared by SQLite's lower(), which folds ASCII only: these three were accepted.
      sql(db, ["INSERT INTO tenants (id, slug, name, settings, created_at) VALUES ('t1', 'acme', 'Acme', '{}', 0)",
        "INSERT INTO users (id, tenant_id, username, email, created_at, updated_at) VALUES ('u1', 't1', 'Ärger', 'straße@example.com', 0, 0)",
        "INSERT INTO users (id, tenant_id, username, email, created_at, updated_at) VALUES ('u2', 't1', 'ärger', 'ann@example.com', 0, 0)",
        "INSERT INTO users (id, tenant_id, username, email, created_at, updated_at) VALUES ('u3', 't1', 'carl', 'strasse@example.com', 0, 0)"].join(';'));
      const refused = await runCli(['migrate'], { dir });
      assert.equal(refused.code, 1);
      const said = refused.stdout + refused.stderr;
      assert.match(said, /acme username "Ärger" "ärger"/);
      assert.match(said, /acme email "straße@example.com" "strasse@example.com"/);
      assert.equal(sql(db, 'SELECT version FROM schema_version'), '9', 'nothing changed');
      sql(db, "UPDATE users SET username = 'ärger2' WHERE id = 'u2'; UPDATE users SET email = 'carl@example.com' WHERE id = 'u3'");
      const done = await runCli(['migrate'], { dir });
      assert.equal(done.code, 0, done.stderr);
      assert.equal(sql(db, "SELECT username_fold || ' ' || email_fold FROM users WHERE id = 'u1'"), 'ärger strasse@example.com');
      assert.throws(() => execFileSync(SQLITE3, [db, "INSERT INTO users (id, tenant_id, username, username_fold, created_at, updated_at) VALUES ('u4', 't1', 'ÄRGER', 'ärger', 0, 0)"],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }), /UNIQUE/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
