// Loads tests/cases/*.json for the Node-side runners.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const casesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'cases');

export function loadCases() {
  const names = readdirSync(casesDir).filter((n) => n.endsWith('.json')).sort();
  if (names.length === 0) throw new Error(`no golden cases in ${casesDir}`);
  return names.map((name) => ({ name, testCase: JSON.parse(readFileSync(join(casesDir, name), 'utf8')) }));
}
