// SPDX-License-Identifier: Apache-2.0
// A PostgreSQL primary and a synchronous streaming standby on 127.0.0.1, started for one test
// (Debian's postgresql: initdb, pg_basebackup, pg_ctl), for failover tests. As root the
// clusters run as the `postgres` user, as scripts/pg-test-server.sh does.
import { execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './server.mjs';

const DB = 'portcullis_test';
const STANDBY = 'standby1';

function bindir() {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  const dir = versions.map((v) => `/usr/lib/postgresql/${v}/bin`).find((d) => existsSync(`${d}/pg_basebackup`));
  if (!dir) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
  return dir;
}

const root = process.getuid() === 0;
function asOwner(args) {
  return root
    ? execFileSync('runuser', ['-u', 'postgres', '--', ...args], { cwd: '/', stdio: 'pipe' })
    : execFileSync(args[0], args.slice(1), { stdio: 'pipe' });
}

/** Runs `sql` on the server at `port` (database `db`); returns its unaligned output. */
export function psql(port, sql, db = 'postgres') {
  return execFileSync('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', db,
    '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { stdio: 'pipe' }).toString().trim();
}

async function waitFor(what, probe, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    try { if (probe()) return; } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Starts a primary and a standby cloned from it by
 * pg_basebackup, streaming, then makes the standby synchronous (synchronous_standby_names)
 * and waits until it is. Returns
 * {uri (multi-host, target_session_attrs=read-write), primary, standby, stopPrimaryHard(),
 *  promoteStandby(), stop()}.
 */
export async function startPrimaryAndStandby() {
  const bin = bindir();
  const side = mkdtempSync(join(tmpdir(), 'pcfo.'));
  if (root) chownSync(side, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
  const primary = { data: join(side, 'primary'), port: await freePort() };
  const standby = { data: join(side, 'standby'), port: await freePort() };
  const pgCtl = (node, ...args) => asOwner([`${bin}/pg_ctl`, '-D', node.data, '-w', '-t', '60', ...args]);
  const start = (node, extra) => pgCtl(node, '-l', `${node.data}.log`, 'start', '-o',
    `-c listen_addresses=127.0.0.1 -p ${node.port} -k ${side} -c fsync=off -c max_connections=100 ${extra}`);
  const pair = {
    side, primary, standby,
    uri: `postgresql://postgres@127.0.0.1:${primary.port},127.0.0.1:${standby.port}/${DB}`
      + '?target_session_attrs=read-write&connect_timeout=2',
    /** Stops the primary as a crash would (no checkpoint, connections cut). */
    stopPrimaryHard: () => pgCtl(primary, 'stop', '-m', 'immediate'),
    /** Makes the standby the primary; returns once it accepts writes. */
    promoteStandby: () => pgCtl(standby, 'promote'),
    stop() {
      for (const node of [standby, primary]) {
        try { pgCtl(node, 'stop', '-m', 'immediate'); } catch { /* not running */ }
      }
      rmSync(side, { recursive: true, force: true });
    },
  };
  try {
    asOwner([`${bin}/initdb`, '-D', primary.data, '-U', 'postgres', '-A', 'trust', '--auth-host=trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
    start(primary, '');
    psql(primary.port, `CREATE DATABASE ${DB}`);
    asOwner([`${bin}/pg_basebackup`, '-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres',
      '-D', standby.data, '-X', 'stream', '-R', '--checkpoint=fast', '--no-sync']);
    appendFileSync(join(standby.data, 'postgresql.auto.conf'),
      `primary_conninfo = 'host=127.0.0.1 port=${primary.port} user=postgres application_name=${STANDBY}'\n`);
    start(standby, '-c hot_standby=on');
    // Synchronous from now on, set after the clone so that it does not inherit it: once
    // promoted it has no standby of its own to wait for.
    psql(primary.port, `ALTER SYSTEM SET synchronous_standby_names = '${STANDBY}'`);
    psql(primary.port, 'SELECT pg_reload_conf()');
    await waitFor('the standby is synchronous', () => psql(primary.port,
      `SELECT sync_state FROM pg_stat_replication WHERE application_name = '${STANDBY}'`) === 'sync', 30000);
  } catch (e) {
    pair.stop();
    throw e;
  }
  return pair;
}
