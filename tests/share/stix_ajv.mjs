// stix_ajv.mjs SCHEMA_DIR OBJECTS.jsonl: validates STIX 2.1 objects against the OASIS
// cti-stix2-json-schemas with npm's ajv (draft 2020-12, formats from ajv-formats), a second
// independent validator beside tests/unit/share/stix_validate.py. Same schema choice per
// object: sdos/sros/observables/<type>.json, common/<type>.json for marking, extension and
// language-content definitions, the core schemas for types declared by an extension-definition.
// Prints a summary; exits 1 on any failure.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;

const [root, file] = process.argv.slice(2);
// unicodeRegExp off: the OASIS patterns use escapes (\-) that a u-flag RegExp rejects
const ajv = new Ajv2020({ strict: false, allErrors: true, unicodeRegExp: false });
addFormats(ajv);
const byPath = new Map();
function walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.json')) {
      const s = JSON.parse(fs.readFileSync(p, 'utf8'));
      ajv.addSchema(s);
      byPath.set(path.relative(root, p), s.$id);
    }
  }
}
walk(root);

function schemaFor(o) {
  for (const sub of ['sdos', 'sros', 'observables']) {
    const k = path.join(sub, `${o.type}.json`);
    if (byPath.has(k)) return byPath.get(k);
  }
  if (['marking-definition', 'extension-definition', 'language-content'].includes(o.type))
    return byPath.get(path.join('common', `${o.type}.json`));
  const kinds = Object.values(o.extensions || {}).map((e) => e && e.extension_type);
  if (kinds.includes('new-sco')) return byPath.get(path.join('common', 'cyber-observable-core.json'));
  if (kinds.includes('new-sdo')) return byPath.get(path.join('common', 'core.json'));
  return null;
}

let checked = 0, failed = 0;
const types = {};
for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const o = JSON.parse(line);
  const id = schemaFor(o);
  checked++;
  types[o.type] = (types[o.type] || 0) + 1;
  if (!id) { failed++; console.log(`FAIL ${o.id}: no schema for type ${o.type}`); continue; }
  const validate = ajv.getSchema(id);
  if (!validate(o)) {
    failed++;
    console.log(`FAIL ${o.id} (${id}): ${ajv.errorsText(validate.errors)}`);
  }
}
console.log(`ajv: ${checked} objects checked (${Object.entries(types).map(([k, v]) => `${k} ${v}`).join(', ')}), ${failed} invalid`);
process.exit(failed || !checked ? 1 : 0);
