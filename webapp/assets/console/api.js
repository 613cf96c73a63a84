// SPDX-License-Identifier: Apache-2.0
// The consoles' OIDC client (code + PKCE with portcullis-console) and management API calls.
// Tokens live in this module's memory only; sessionStorage keeps the PKCE verifier, the state
// and where to come back to, for the length of one redirect.
import { encode as b64url } from '../b64url.js';

const CLIENT_ID = 'portcullis-console';
const FLIGHT = 'portcullis-console-flight';

/** The issuer the page was served under ({PUBLIC_URL}/t/{slug}). */
export const issuer = document.body.dataset.issuer;
/** This page's own address without query or fragment: the redirect URI. */
const home = `${issuer}/ui/${document.body.dataset.console}`;

let tokens = null;
let refreshTimer = 0;
let action = null; // what the person was doing when a sign-in took the page away (resume.js)

/** Keeps `a` across the next sign-in redirect; takeAction() hands it back once after it. */
export function keepAction(a) { action = a; }
export function takeAction() { const a = action; action = null; return a; }

/** An API error as the pages show it: {status, code, title, message, fields}. */
export class ApiError extends Error {
  constructor({ status, code, title, message, fields }) {
    super(message || title || `HTTP ${status}`);
    Object.assign(this, { status, code: code || '', title: title || 'Request failed', fields: fields || {} });
    this.message = message || title || `The server answered ${status}.`;
  }
}

const random = (n) => b64url(crypto.getRandomValues(new Uint8Array(n)));

async function startSignIn(extra = {}) {
  const verifier = random(32);
  const state = random(16);
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem(FLIGHT, JSON.stringify({ verifier, state, hash: location.hash, action }));
  const q = new URLSearchParams({
    response_type: 'code', client_id: CLIENT_ID, redirect_uri: home, scope: 'openid profile email',
    state, code_challenge: challenge, code_challenge_method: 'S256', ...extra,
  });
  location.assign(`${issuer}/oauth2/authorize?${q}`);
  return new Promise(() => {}); // the page is leaving
}

async function tokenCall(params) {
  const r = await fetch(`${issuer}/oauth2/token`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: CLIENT_ID, ...params }),
  });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new ApiError({ status: r.status, code: body.error, title: 'Sign-in failed', message: body.error_description });
  return body;
}

function keep(t) {
  tokens = { ...tokens, ...t };
  clearTimeout(refreshTimer);
  // Refresh a minute before expiry (or at 80 % of short lifetimes).
  const lead = Math.max(5, Math.min(60, (t.expires_in || 300) * 0.2));
  if (tokens.refresh_token) refreshTimer = setTimeout(() => refresh().catch(() => {}), ((t.expires_in || 300) - lead) * 1000);
}

async function refresh() {
  if (!tokens?.refresh_token) throw new ApiError({ status: 401, title: 'Signed out' });
  keep(await tokenCall({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }));
}

/**
 * Signs the person in: finishes a redirect that came back with a code, or starts one.
 * Resolves once a token is held (the page then runs), or never (the page navigates away).
 */
export async function signIn() {
  const q = new URLSearchParams(location.search);
  const flight = JSON.parse(sessionStorage.getItem(FLIGHT) || 'null');
  sessionStorage.removeItem(FLIGHT);
  if (q.has('error')) throw new ApiError({ status: 400, code: q.get('error'), title: 'Sign-in failed', message: q.get('error_description') || q.get('error') });
  if (!q.has('code') || !flight || q.get('state') !== flight.state) return startSignIn();
  history.replaceState(null, '', home + (flight.hash || ''));
  keep(await tokenCall({ grant_type: 'authorization_code', code: q.get('code'), redirect_uri: home, code_verifier: flight.verifier }));
  action = flight.action || null;
  return true;
}

/** Signs out through end_session with the id_token as hint, returning to this console. */
export function signOut() {
  const q = new URLSearchParams({ post_logout_redirect_uri: home, client_id: CLIENT_ID });
  if (tokens?.id_token) q.set('id_token_hint', tokens.id_token);
  tokens = null;
  clearTimeout(refreshTimer);
  location.assign(`${issuer}/oauth2/end_session?${q}`);
}

async function errorOf(r) {
  const text = await r.text();
  let b = {};
  try { b = JSON.parse(text); } catch { /* not JSON */ }
  return new ApiError({ status: r.status, code: b.code, title: b.title, message: b.message, fields: b.fields });
}

/**
 * A management API call (path relative to {issuer}/api/v1). Resolves to the JSON body
 * (null for 204); rejects with an ApiError. An expired token is refreshed once.
 */
export async function api(method, path, body, retried = false, proof = undefined) {
  const headers = { authorization: `Bearer ${tokens?.access_token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  // Step-up: a code typed for this call, or the standing proof of a passkey (for max_age seconds).
  if (typeof proof === 'string') headers['portcullis-otp'] = proof;
  const standing = stepUpProof;
  if (standing) headers['portcullis-step-up'] = standing;
  const r = await fetch(`${issuer}/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (r.status === 401) {
    const e = await errorOf(r);
    // Step-up (§16): ask for a current authenticator code or a passkey and run this very call again with it.
    if (e.code === 'AUT-0019') {
      if (standing && stepUpProof === standing) stepUpProof = null; // it expired
      return api(method, path, body, retried, await stepUp(refusal(proof), e));
    }
    if (retried) throw e;
    try { await refresh(); } catch { return startSignIn(); }
    return api(method, path, body, true);
  }
  if (!r.ok) throw await errorOf(r);
  return r.status === 204 ? null : r.json();
}

function refusal(proof) {
  return typeof proof === 'string' ? 'That code was not accepted. Try the next one.' : null;
}

let stepUpHandler = null;
let stepUpProof = null; // a passkey's step-up proof (Portcullis-Step-Up), while it lasts
let asking = null; // the step-up being asked for: calls refused meanwhile wait for it
/**
 * Who asks for the proof of a step-up: `handler(problem, error)` resolves to a code, to
 * { stepUp } (a passkey's proof, good for several calls), or to null to sign in afresh
 * instead; it rejects to give up (the call then fails with `error`).
 */
export function onStepUp(handler) { stepUpHandler = handler; }

async function stepUp(problem, error) {
  // One question at a time: a passkey's proof answers every call that waited for it.
  while (asking) {
    const got = await asking.catch(() => undefined);
    if (got?.stepUp) return undefined;
  }
  asking = stepUpHandler ? stepUpHandler(problem, error) : Promise.resolve(null);
  let got;
  try { got = await asking.catch(() => { throw error; }); } finally { asking = null; }
  if (got?.stepUp) { stepUpProof = got.stepUp; return undefined; }
  if (got) return got;
  return startSignIn({ max_age: '0' }); // no authenticator app: sign in afresh, back to the action
}

/** A query string from an object, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Does `perms` (["resource:action", ...] with * wildcards) grant resource:action? */
export function allowed(perms, resource, action) {
  return perms.some((p) => {
    const [r, a] = p.split(':');
    return (r === '*' || r === resource) && (a === '*' || a === action);
  });
}
