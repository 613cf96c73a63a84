// SPDX-License-Identifier: Apache-2.0
// Headless Chromium for the end-to-end tests (Debian's chromium driven by playwright-core), and page helpers.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

/** The browser binary: $CHROMIUM_PATH, else Debian's. */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Flags for a quiet, sandbox-less, network-silent headless run on a CI machine. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Why browser tests cannot run here, or null when they can. */
export function browserMissing() {
  return existsSync(CHROMIUM) ? null : `${CHROMIUM} is not installed (scripts/install-deps.sh test installs it)`;
}

/** Launches Chromium; close it with browser.close(). */
export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 60000 });
}

/** Fills the login form and submits it; resolves when the next page has loaded. */
export async function signIn(page, username, password) {
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill(password);
  await Promise.all([page.waitForLoadState('load'), page.locator('button[type="submit"]').click()]);
}

/** Is the page the login form? */
export async function onLoginPage(page) {
  return (await page.locator('form input[name="password"]').count()) === 1;
}

/** Is the page the consent form? */
export async function onConsentPage(page) {
  return (await page.locator('button[name="approve"]').count()) === 1 &&
    (await page.locator('button[name="deny"]').count()) === 1;
}
