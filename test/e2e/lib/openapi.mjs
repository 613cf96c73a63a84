// SPDX-License-Identifier: Apache-2.0
// Checks management API answers against docs/openapi.yaml (ajv), so the document and the server
// cannot drift: an undocumented path or success status, or a body off its schema, is an error.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';

const here = dirname(fileURLToPath(import.meta.url));
/** docs/openapi.yaml is written in YAML's JSON form, so JSON.parse reads it. */
export const OPENAPI = JSON.parse(readFileSync(resolve(here, '../../../docs/openapi.yaml'), 'utf8'));

const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema({ $id: 'openapi', components: OPENAPI.components });
const compiled = new Map();

function validatorFor(schema) {
  const key = JSON.stringify(schema);
  if (!compiled.has(key)) {
    const rebased = JSON.parse(key.replaceAll('"#/components/', '"openapi#/components/'));
    compiled.set(key, ajv.compile(rebased));
  }
  return compiled.get(key);
}

/** The document's operation for METHOD and a path relative to /api/v1 (query ignored), or null. */
function operation(method, path) {
  const segs = path.split('?')[0].split('/').filter(Boolean);
  for (const [tpl, item] of Object.entries(OPENAPI.paths)) {
    const t = tpl.split('/').filter(Boolean);
    if (t.length === segs.length && t.every((s, i) => s.startsWith('{') || s === decodeURIComponent(segs[i]))) {
      return item[method.toLowerCase()] ?? null;
    }
  }
  return null;
}

/** Throws when the answer {status, json} to METHOD path is not what the document says. */
export function checkResponse(method, path, status, json) {
  const op = operation(method, path);
  const where = `${method} /api/v1${path} -> ${status}`;
  if (op === null) {
    if (status === 404 || status === 405) return; /* a path the API does not have */
    throw new Error(`docs/openapi.yaml does not describe ${where}`);
  }
  const res = op.responses[String(status)] ?? (status >= 400 ? op.responses[`${String(status)[0]}XX`] ?? op.responses.default : undefined);
  if (res === undefined) throw new Error(`docs/openapi.yaml has no ${status} answer for ${where}`);
  const schema = res.content?.['application/json']?.schema;
  if (schema === undefined) {
    if (json !== null && json !== undefined && json !== '') throw new Error(`${where}: the document says no body, got ${JSON.stringify(json)}`);
    return;
  }
  const validate = validatorFor(schema);
  if (!validate(json)) {
    throw new Error(`${where}: body does not match docs/openapi.yaml: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(json).slice(0, 500)}`);
  }
}
