// SPDX-License-Identifier: Apache-2.0
// The soak load (run by soak.sh): the real server on a fresh SQLite store,
// SOAK_WORKERS loops each sending one request at a time (client_credentials,
// introspection, userinfo, refresh, permission check) for SOAK_SECONDS, at most
// SOAK_RPS requests a second in all, to 127.0.0.1 only. Every
// SOAK_REPORT_SECONDS it prints the server's RSS, open file descriptors,
// requests and errors. Exit status 1 on any error or when the descriptors
// grow by more than FD_SLACK over the first report.
import { readdirSync, readFileSync } from 'node:fs';
import {
  ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, adminToken, api, createUser, get, oauthPost, passwordGrant,
  startServer, tokenRequest,
} from '../e2e/lib/server.mjs';

const SECONDS = Number(process.env.SOAK_SECONDS || 600);
const REPORT_SECONDS = Number(process.env.SOAK_REPORT_SECONDS || 30);
const WORKERS = Number(process.env.SOAK_WORKERS || 4);
const RPS = Number(process.env.SOAK_RPS || 200);
const FD_SLACK = 32;

const counts = { requests: 0, errors: 0 };
const errorsByOp = {};
const samples = [];

function fail(op, detail) {
  counts.errors += 1;
  errorsByOp[op] = (errorsByOp[op] || 0) + 1;
  if (errorsByOp[op] <= 3) console.error(`soak: ${op} failed: ${detail}`);
}

/** One request; `ok(r)` says whether the answer is right. */
async function run(op, send, ok) {
  counts.requests += 1;
  try {
    const r = await send();
    if (!ok(r)) fail(op, `${r.status} ${JSON.stringify(r.json).slice(0, 200)}`);
    return r;
  } catch (e) {
    fail(op, e.message);
    return null;
  }
}

function processFigures(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(status.match(/VmRSS:\s+(\d+)/)[1]);
  return { rssMb: rssKb / 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
}

function report(pid, t0) {
  const f = processFigures(pid);
  const elapsed = (Date.now() - t0) / 1000;
  samples.push(f);
  console.log(`soak: t=${elapsed.toFixed(0)}s rss=${f.rssMb.toFixed(1)}MiB fds=${f.fds}` +
    ` requests=${counts.requests} rps=${(counts.requests / elapsed).toFixed(0)} errors=${counts.errors}`);
}

/** One worker: its own user and refresh chain; the admin token renewed by each client_credentials call. */
async function worker(issuer, deadline) {
  let admin = await adminToken(issuer);
  const user = await createUser(issuer, admin);
  let tokens = (await passwordGrant(issuer, user.username, user.password, 'openid profile offline_access')).json;
  const interval = (WORKERS * 1000) / RPS;
  const ops = [
    async () => {
      const r = await run('token', () => tokenRequest(issuer, ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, { grant_type: 'client_credentials' }),
        (x) => x.status === 200);
      if (r?.status === 200) admin = r.json.access_token;
    },
    () => run('introspection', () => oauthPost(issuer, 'introspect', { token: tokens.access_token }, [ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET]),
      (x) => x.status === 200 && x.json.active === true),
    () => run('userinfo', () => get(`${issuer}/oauth2/userinfo`, { authorization: `Bearer ${tokens.access_token}` }),
      (x) => x.status === 200 && x.json.sub === user.id),
    async () => {
      const r = await run('refresh', () => tokenRequest(issuer, ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }),
        (x) => x.status === 200 && x.json.refresh_token);
      if (r?.status === 200) tokens = r.json;
    },
    () => run('permission check', () => api(issuer, admin, 'POST', '/authorize', { resource: 'users', action: 'read' }),
      (x) => x.status === 200 && x.json.authorized === true),
  ];
  for (let i = 0; Date.now() < deadline; i++) {
    const started = Date.now();
    await ops[i % ops.length]();
    const wait = interval - (Date.now() - started);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
}

async function main() {
  const srv = await startServer();
  const pid = srv.child.pid;
  const t0 = Date.now();
  const deadline = t0 + SECONDS * 1000;
  console.log(`soak: ${SECONDS}s, ${WORKERS} workers, at most ${RPS} requests/s, server pid ${pid} on ${srv.base} (SQLite)`);
  const timer = setInterval(() => report(pid, t0), REPORT_SECONDS * 1000);
  let crashed = null;
  srv.exited.then((code) => { crashed = code; });
  try {
    await Promise.all(Array.from({ length: WORKERS }, () => worker(srv.issuer, deadline)));
  } finally {
    clearInterval(timer);
  }
  const died = crashed;
  if (died === null) report(pid, t0);
  await srv.stop();
  const first = samples[0], last = samples[samples.length - 1];
  const fdGrowth = first && last ? last.fds - first.fds : 0;
  console.log(`soak: done: requests=${counts.requests} errors=${counts.errors}` +
    ` ${JSON.stringify(errorsByOp)} rss ${first?.rssMb.toFixed(1)} -> ${last?.rssMb.toFixed(1)} MiB,` +
    ` fds ${first?.fds} -> ${last?.fds}`);
  if (died !== null) { console.error(`soak: FAIL: the server exited (${died})`); return 1; }
  if (counts.errors > 0) { console.error('soak: FAIL: errors'); return 1; }
  if (fdGrowth > FD_SLACK) { console.error(`soak: FAIL: open descriptors grew by ${fdGrowth}`); return 1; }
  console.log('soak: PASS');
  return 0;
}

process.exitCode = await main();
