// SPDX-License-Identifier: Apache-2.0
// A throwaway OpenLDAP slapd (Debian's) on 127.0.0.1 for the LDAP identity-provider tests: its own
// slapd.conf, mdb database and TLS certificates under a mktemp directory, plain LDAP (StartTLS
// offered) and ldaps:// on ports the OS hands out, users and groups loaded with slapadd.
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './server.mjs';

const run = promisify(execFile);

export const SLAPD = process.env.SLAPD_BIN || '/usr/sbin/slapd';
export const SLAPADD = process.env.SLAPADD_BIN || '/usr/sbin/slapadd';
export const LDAPMODIFY = process.env.LDAPMODIFY_BIN || '/usr/bin/ldapmodify';
const SCHEMA = process.env.LDAP_SCHEMA_DIR || '/etc/ldap/schema';
const MODULES = process.env.LDAP_MODULE_DIR || '/usr/lib/ldap';
const OPENSSL = process.env.OPENSSL_BIN || 'openssl';

export const BASE_DN = 'dc=example,dc=org';
export const PEOPLE_DN = `ou=people,${BASE_DN}`;
export const GROUPS_DN = `ou=groups,${BASE_DN}`;
export const SERVICE_DN = `cn=portcullis,ou=services,${BASE_DN}`;
export const SERVICE_PASSWORD = 'service-Secret-4711';

/**
 * The people of the directory. alice is in two groups, bob in one, carol in none (the wrong-password
 * cases use her, so that her lockout touches no other test), dave in one, erin, frank, gina and hank in none.
 */
export const LDAP_USERS = {
  alice: { password: 'alice-Ldap-Pass-1', given: 'Alice', family: 'Archer', mail: 'alice@example.org' },
  bob: { password: 'bob-Ldap-Pass-2', given: 'Bob', family: 'Baker', mail: 'bob@example.org' },
  carol: { password: 'carol-Ldap-Pass-3', given: 'Carol', family: 'Cooper', mail: 'carol@example.org' },
  dave: { password: 'dave-Ldap-Pass-4', given: 'Dave', family: 'Dunn', mail: 'dave@example.org' },
  // erin sets up a second factor (the MFA tests), so that no other test meets that step
  erin: { password: 'erin-Ldap-Pass-5', given: 'Erin', family: 'Evans', mail: 'erin@example.org' },
  // frank's email belongs to a local user already; gina signs in only while provisioning is off
  frank: { password: 'frank-Ldap-Pass-6', given: 'Frank', family: 'Fisher', mail: 'frank@example.org' },
  gina: { password: 'gina-Ldap-Pass-7', given: 'Gina', family: 'Grant', mail: 'gina@example.org' },
  // hank sets up TOTP for the password grant's mfa step
  hank: { password: 'hank-Ldap-Pass-8', given: 'Hank', family: 'Hill', mail: 'hank@example.org' },
};
// groupOfNames needs a member: dave keeps engineers non-empty while alice leaves and rejoins it.
export const LDAP_GROUPS = { engineers: ['alice', 'dave'], auditors: ['alice', 'bob'] };
export const userDn = (uid) => `uid=${uid},${PEOPLE_DN}`;
export const groupDn = (cn) => `cn=${cn},${GROUPS_DN}`;

const READY_TIMEOUT_MS = 15000;

/** Why the LDAP tests cannot run here, or null when they can. */
export function slapdMissing() {
  if (!existsSync(SLAPD) || !existsSync(SLAPADD)) return `${SLAPD} is not installed (scripts/install-deps.sh test installs slapd)`;
  if (!existsSync(join(MODULES, 'back_mdb.so'))) return `${MODULES}/back_mdb.so is missing (slapd)`;
  if (!existsSync(LDAPMODIFY)) return `${LDAPMODIFY} is not installed (ldap-utils)`;
  return null;
}

/** RFC 2307 {SSHA}: what slapd checks simple binds against, so no password sits in clear. */
function ssha(password) {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(password).update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

function ldif() {
  const entries = [
    `dn: ${BASE_DN}\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example`,
    ...['people', 'groups', 'services'].map((ou) => `dn: ou=${ou},${BASE_DN}\nobjectClass: organizationalUnit\nou: ${ou}`),
    `dn: ${SERVICE_DN}\nobjectClass: person\ncn: portcullis\nsn: service\nuserPassword: ${ssha(SERVICE_PASSWORD)}`,
    ...Object.entries(LDAP_USERS).map(([uid, u]) => [
      `dn: ${userDn(uid)}`, 'objectClass: inetOrgPerson', `uid: ${uid}`, `cn: ${u.given} ${u.family}`,
      `givenName: ${u.given}`, `sn: ${u.family}`, `mail: ${u.mail}`, `userPassword: ${ssha(u.password)}`].join('\n')),
    ...Object.entries(LDAP_GROUPS).map(([cn, members]) => [
      `dn: ${groupDn(cn)}`, 'objectClass: groupOfNames', `cn: ${cn}`, ...members.map((m) => `member: ${userDn(m)}`)].join('\n')),
  ];
  return `${entries.join('\n\n')}\n`;
}

// Passwords only bind; the service account reads everything else, nobody else reads anything.
function slapdConf(dir, rootPassword) {
  return `${['core', 'cosine', 'inetorgperson', 'nis'].map((s) => `include ${SCHEMA}/${s}.schema`).join('\n')}
pidfile ${dir}/slapd.pid
argsfile ${dir}/slapd.args
modulepath ${MODULES}
moduleload back_mdb
TLSCACertificateFile ${dir}/ca.pem
TLSCertificateFile ${dir}/server.pem
TLSCertificateKeyFile ${dir}/server.key
database mdb
maxsize 16777216
suffix "${BASE_DN}"
rootdn "cn=admin,${BASE_DN}"
rootpw ${ssha(rootPassword)}
directory ${dir}/db
access to attrs=userPassword by anonymous auth by * none
access to * by dn.exact="${SERVICE_DN}" read by * none
`;
}

const openssl = (args, cwd) => run(OPENSSL, args, { cwd });

/** A CA (name.pem, name.key) valid for two days. */
async function makeCa(dir, name, cn) {
  await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
    '-keyout', `${name}.key`, '-out', `${name}.pem`, '-subj', `/CN=${cn}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
}

/** A server certificate for 127.0.0.1 (IP SAN) issued by `ca`. */
async function makeServerCert(dir, ca, name) {
  await writeFile(join(dir, `${name}.ext`), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n');
  await openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`,
    '-out', `${name}.csr`, '-subj', '/CN=127.0.0.1'], dir);
  await openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial',
    '-days', '2', '-out', `${name}.pem`, '-extfile', `${name}.ext`], dir);
}

/** Resolves once 127.0.0.1:port accepts a connection, or rejects at the deadline. */
async function waitListening(port, child, deadline, output) {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`slapd exited (${child.exitCode ?? child.signalCode}): ${output()}`);
    const up = await new Promise((ok) => {
      const s = connect(port, '127.0.0.1', () => { s.destroy(); ok(true); });
      s.on('error', () => ok(false));
    });
    if (up) return;
    if (Date.now() > deadline) throw new Error(`slapd not listening on ${port} within ${READY_TIMEOUT_MS} ms: ${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs slapd in the foreground on the ports given; resolves with the child once both listen. */
async function launch(dir, port, tlsPort) {
  const urls = `ldap://127.0.0.1:${port}/ ldaps://127.0.0.1:${tlsPort}/`;
  const child = spawn(SLAPD, ['-f', join(dir, 'slapd.conf'), '-h', urls, '-d', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((ok) => child.on('exit', ok));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    await waitListening(port, child, deadline, () => out);
    await waitListening(tlsPort, child, deadline, () => out);
  } catch (e) {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
    throw e;
  }
  return { child, exited, output: () => out };
}

async function stopChild(proc) {
  if (!proc) return;
  if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 10000);
  await proc.exited;
  clearTimeout(timer);
}

/**
 * Starts slapd with the directory above. Returns {url (ldap://), ldapsUrl, caFile (the CA that
 * issued the server certificate), otherCaFile (a CA that did not), dir, modify(ldif), stop() (the
 * server only; start() brings it back on the same ports with the same data), destroy() (stop
 * and remove)}.
 */
export async function startLdap() {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-ldap-'));
  const rootPassword = randomBytes(18).toString('base64url');
  try {
    await mkdir(join(dir, 'db'));
    await makeCa(dir, 'ca', 'Portcullis test directory CA');
    await makeCa(dir, 'other-ca', 'Some other CA');
    await makeServerCert(dir, 'ca', 'server');
    await writeFile(join(dir, 'slapd.conf'), slapdConf(dir, rootPassword));
    await writeFile(join(dir, 'data.ldif'), ldif());
    await run(SLAPADD, ['-q', '-f', join(dir, 'slapd.conf'), '-l', join(dir, 'data.ldif')]);
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  let proc = null;
  let ports = null;
  const ldap = {
    dir,
    caFile: join(dir, 'ca.pem'),
    otherCaFile: join(dir, 'other-ca.pem'),
    get url() { return `ldap://127.0.0.1:${ports.port}`; },
    get ldapsUrl() { return `ldaps://127.0.0.1:${ports.tlsPort}`; },
    get port() { return ports.port; },
    output: () => (proc ? proc.output() : ''),
    async start() {
      if (proc) return;
      // A port free a moment ago may be taken by another test meanwhile: try fresh ones, except on restart.
      for (let attempt = 0; ; attempt++) {
        const p = ports || { port: await freePort(), tlsPort: await freePort() };
        if (p.port === p.tlsPort) continue;
        try {
          proc = await launch(dir, p.port, p.tlsPort);
          ports = p;
          return;
        } catch (e) {
          if (ports || attempt >= 2) throw e;
        }
      }
    },
    async stop() { const p = proc; proc = null; await stopChild(p); },
    async destroy() { await ldap.stop(); await rm(dir, { recursive: true, force: true }); },
    ca: () => readFile(join(dir, 'ca.pem'), 'utf8'),
    /** Applies an LDIF change (changetype: ...) as the directory's administrator. */
    async modify(changes) {
      const file = join(dir, `change-${randomBytes(4).toString('hex')}.ldif`);
      await writeFile(file, changes);
      await run(LDAPMODIFY, ['-x', '-H', ldap.url, '-D', `cn=admin,${BASE_DN}`, '-w', rootPassword, '-f', file]);
    },
  };
  try {
    await ldap.start();
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  return ldap;
}
