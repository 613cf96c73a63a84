// SPDX-License-Identifier: Apache-2.0
// Helpers of the console tests: sign in through the real flow, axe checks, CSP bookkeeping, screenshots.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';

/** Phone and desktop viewports (API.md §13 / issue #12). */
export const SIZES = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } };

/** Where screenshots go: $PC_CONSOLE_SHOTS, else a directory under the system temp dir. */
export const SHOTS = process.env.PC_CONSOLE_SHOTS || join(tmpdir(), 'portcullis-console-shots');
mkdirSync(SHOTS, { recursive: true });

/**
 * A page that records every console response (the page shells and their assets) so that
 * tests can check their headers, and fails on any script error.
 */
export async function consolePage(browser, size = SIZES.desktop) {
  const context = await browser.newContext({ viewport: size });
  const page = await context.newPage();
  page.consoleResponses = [];
  page.errors = [];
  page.on('response', (r) => { if (new URL(r.url()).pathname.includes('/ui/')) page.consoleResponses.push(r); });
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('dialog', (d) => { page.errors.push(`a JavaScript dialog opened: ${d.message()}`); d.dismiss(); });
  return page;
}

/** Opens {issuer}/ui/{which}, signs in on the real login page, waits for the console. */
export async function signInTo(page, issuer, which, username, password) {
  await page.goto(`${issuer}/ui/${which}`);
  await page.getByLabel('Username or email').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click(); // not "Sign in with ..."
  await page.getByRole('button', { name: 'Sign out' }).first().waitFor({ timeout: 15000 });
}

/** axe-core on the page as it is: no serious or critical violation. */
export async function assertAccessible(page, what) {
  const res = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`), [],
    `${what}: serious or critical accessibility violations`);
}

/** A full-page screenshot named `name` in SHOTS. */
export function shot(page, name) {
  return page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Every console response seen carried the strict CSP (no inline script or style, no eval). */
export function assertCsp(page) {
  assert.ok(page.consoleResponses.length > 0, 'console responses were seen');
  for (const r of page.consoleResponses) {
    if (r.status() >= 300 && r.status() < 400) continue;
    const csp = r.headers()['content-security-policy'] || '';
    assert.match(csp, /default-src 'none'/, `CSP on ${r.url()}`);
    assert.match(csp, /script-src 'self'(;|$)/, `script-src on ${r.url()}`);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, `no unsafe sources on ${r.url()}`);
  }
}

/** Resolves once the page has finished loading what it shows (no aria-busy, no "Loading…"). */
export function settled(page) {
  return page.waitForFunction(() => !document.querySelector('[aria-busy="true"]') &&
    !document.querySelector('main [role="status"]')?.textContent.includes('Loading'));
}

/** Opens the admin console's section `name` from the navigation (closing open dialogs first). */
export async function openSection(page, name) {
  for (let i = 0; i < 3 && (await page.getByRole('dialog').count()) > 0; i++) await page.keyboard.press('Escape');
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name }).click();
  await page.getByRole('heading', { name, level: 1 }).waitFor();
}
