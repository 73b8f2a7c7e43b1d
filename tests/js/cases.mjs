// Loads tests/cases/*.json for the Node-side runners.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const casesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'cases');

// A `reportFiles` case's `files` (relative to tests/cases) get, for the runners: `paths`
// (absolute) and `documents` (each file's text, the folders walked as callscope walks them:
// hidden entries skipped, sorted paths) for runners without a file system (WASM).
export function loadCases() {
  const names = readdirSync(casesDir).filter((n) => n.endsWith('.json')).sort();
  if (names.length === 0) throw new Error(`no golden cases in ${casesDir}`);
  return names.map((name) => {
    const testCase = JSON.parse(readFileSync(join(casesDir, name), 'utf8'));
    if (testCase.files) {
      testCase.paths = testCase.files.map((f) => join(casesDir, f));
      testCase.documents = testCase.paths.flatMap(walk).map((path) => ({ source: path, text: readFileSync(path, 'utf8') }));
    }
    return { name, testCase };
  });
}

function walk(path) {
  if (!statSync(path).isDirectory()) return [path];
  const found = [];
  for (const entry of readdirSync(path)) {
    if (!entry.startsWith('.')) found.push(...walk(join(path, entry)));
  }
  return sortPaths(found);
}

// Paths in callscope's order (Rust's `PathBuf` order): component by component, each compared
// as UTF-8 bytes, a path before the longer paths it starts. A plain string sort differs where
// a name holds a byte below '/' ("a-b/x" before "a/b") or a character above U+FFFF.
export function sortPaths(paths) {
  const parts = (p) => p.split(sep).map((c) => Buffer.from(c, 'utf8'));
  return paths
    .map((p) => [p, parts(p)])
    .sort(([, a], [, b]) => {
      for (let i = 0; i < Math.min(a.length, b.length); i++) {
        const c = Buffer.compare(a[i], b[i]);
        if (c !== 0) return c;
      }
      return a.length - b.length;
    })
    .map(([p]) => p);
}
