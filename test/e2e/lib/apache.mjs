// SPDX-License-Identifier: Apache-2.0
// A private Apache httpd with mod_auth_openidc on 127.0.0.1 for the interop test: own config in a temp dir, not the system service.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { freePort } from './server.mjs';

export const APACHE = process.env.APACHE_BIN || '/usr/sbin/apache2';
const MODULES = process.env.APACHE_MODULES || '/usr/lib/apache2/modules';

/** Why the interop test cannot run here, or null when it can. */
export function apacheMissing() {
  if (!existsSync(APACHE)) return `${APACHE} is not installed (scripts/install-deps.sh test installs apache2)`;
  if (!existsSync(join(MODULES, 'mod_auth_openidc.so'))) return 'libapache2-mod-auth-openidc is not installed';
  return null;
}

/** The page mod_auth_openidc protects: it shows the claims it was given (server-side includes). */
const PROTECTED_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Protected</title></head><body>
<h1>Protected page</h1>
<dl>
<dt>sub</dt><dd id="sub"><!--#echo var="OIDC_CLAIM_sub" --></dd>
<dt>preferred_username</dt><dd id="preferred_username"><!--#echo var="OIDC_CLAIM_preferred_username" --></dd>
<dt>name</dt><dd id="name"><!--#echo var="OIDC_CLAIM_name" --></dd>
<dt>email</dt><dd id="email"><!--#echo var="OIDC_CLAIM_email" --></dd>
</dl></body></html>
`;

function config({ dir, port, issuer, clientId, clientSecret }) {
  const mod = (name, file) => `LoadModule ${name}_module ${MODULES}/mod_${file ?? name}.so`;
  const asRoot = process.getuid?.() === 0 ? 'User www-data\nGroup www-data\n' : '';
  const base = `http://127.0.0.1:${port}`;
  return `ServerRoot "${dir}"
ServerName 127.0.0.1
Listen 127.0.0.1:${port}
PidFile "${dir}/httpd.pid"
DefaultRuntimeDir "${dir}"
Mutex file:${dir} default
ErrorLog "${dir}/error.log"
LogLevel warn auth_openidc:info
${asRoot}${mod('mpm_event')}
${mod('authn_core')}
${mod('authz_core')}
${mod('authz_user')}
${mod('mime')}
${mod('include')}
${mod('auth_openidc')}
TypesConfig /etc/mime.types
AddType text/html .shtml
DocumentRoot "${dir}/htdocs"
<Directory "${dir}/htdocs">
  Options +Includes
  AddOutputFilter INCLUDES .shtml
  Require all granted
</Directory>
OIDCProviderMetadataURL ${issuer}/.well-known/openid-configuration
OIDCSSLValidateServer Off
OIDCClientID ${clientId}
OIDCClientSecret ${clientSecret}
OIDCProviderTokenEndpointAuth client_secret_basic
OIDCRedirectURI ${base}/protected/redirect_uri
OIDCCryptoPassphrase ${randomBytes(24).toString('hex')}
OIDCScope "openid profile email"
OIDCPKCEMethod S256
OIDCDefaultLoggedOutURL ${base}/loggedout.html
<Location /protected>
  AuthType openid-connect
  Require valid-user
</Location>
`;
}

/**
 * Starts Apache for the relying-party client `clientId`. Returns {base, protectedUrl,
 * redirectUri, loggedOutUrl, logoutUrl, log(), stop()}; apacheUrls() gives the URLs to register first.
 */
export async function apacheUrls() {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  return {
    port,
    base,
    protectedUrl: `${base}/protected/index.shtml`,
    redirectUri: `${base}/protected/redirect_uri`,
    loggedOutUrl: `${base}/loggedout.html`,
    logoutUrl: `${base}/protected/redirect_uri?logout=${encodeURIComponent(`${base}/loggedout.html`)}`,
  };
}

export async function startApache(urls, { issuer, clientId, clientSecret }) {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-apache-'));
  await chmod(dir, 0o755); // the worker processes (www-data) read the pages
  await mkdir(join(dir, 'htdocs', 'protected'), { recursive: true });
  await writeFile(join(dir, 'htdocs', 'protected', 'index.shtml'), PROTECTED_PAGE);
  await writeFile(join(dir, 'htdocs', 'loggedout.html'), '<!doctype html><html lang="en"><title>Logged out</title><h1>Logged out</h1></html>');
  await writeFile(join(dir, 'httpd.conf'), config({ dir, port: urls.port, issuer, clientId, clientSecret }));
  const child = spawn(APACHE, ['-f', join(dir, 'httpd.conf'), '-DFOREGROUND'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((ok) => child.on('exit', ok));
  const log = async () => `${out}\n${await readFile(join(dir, 'error.log'), 'utf8').catch(() => '')}`;
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    await exited;
    clearTimeout(timer);
    await rm(dir, { recursive: true, force: true });
  };
  for (const deadline = Date.now() + 15000; ;) {
    if (child.exitCode !== null) throw new Error(`apache exited: ${await log()}`);
    try {
      const r = await fetch(urls.loggedOutUrl);
      await r.arrayBuffer();
      if (r.status === 200) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) { const l = await log(); await stop(); throw new Error(`apache not ready: ${l}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { ...urls, dir, log, stop };
}
