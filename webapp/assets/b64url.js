// SPDX-License-Identifier: Apache-2.0
// The pages' one base64url codec (RFC 4648 §5, no padding), for WebAuthn and PKCE.

/** base64url text to an ArrayBuffer. */
export function decode(s) {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0)).buffer;
}

/** An ArrayBuffer or typed array to base64url text. */
export function encode(buf) {
  const bytes = ArrayBuffer.isView(buf) ? new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) : new Uint8Array(buf);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
