// The shared golden cases through the WASM web build (pkg/web) in headless Chromium: a tiny
// static server on 127.0.0.1 serves the package, the shared checker and a test page that
// loads everything with a plain <script type="module"> (no bundler).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { loadCases } from '../../tests/js/cases.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const pkgDir = join(here, '..', 'pkg', 'web');
const goldenModule = join(here, '..', '..', 'tests', 'js', 'golden.mjs');
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const cases = loadCases();

const page = `<!doctype html>
<meta charset="utf-8">
<title>callscope-wasm tests</title>
<script type="module">
  import init, * as callscope from '/pkg/callscope_wasm.js';
  import { runCase } from '/golden.mjs';
  try {
    await init();
    const cases = await (await fetch('/cases.json')).json();
    const results = [];
    for (const { name, testCase } of cases) {
      // no file system here: a reportFiles case reads its files as an array of documents
      const reportFiles = (_, options, c) => callscope.report(c.documents.map((d) => d.text), options);
      results.push({ name, failure: await runCase(testCase, { ingest: callscope.ingest, report: callscope.report, reportFiles }, (e) => e.name) });
    }
    let syntax = null;
    try { callscope.ingest('{', { source: 'page.json' }); } catch (e) { syntax = { name: e.name, message: e.message, isError: e instanceof Error }; }
    window.__results = { version: callscope.version(), results, syntax };
  } catch (e) {
    window.__results = { fatal: String(e && e.stack || e) };
  }
</script>`;

const types = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.ts': 'text/plain' };

function serve(req, res) {
  const url = new URL(req.url, 'http://127.0.0.1');
  const send = (status, type, body) => { res.writeHead(status, { 'content-type': type }); res.end(body); };
  if (url.pathname === '/') return send(200, 'text/html', page);
  if (url.pathname === '/golden.mjs') return send(200, types['.mjs'], readFileSync(goldenModule));
  if (url.pathname === '/cases.json') return send(200, types['.json'], JSON.stringify(cases));
  if (url.pathname.startsWith('/pkg/')) {
    const file = normalize(join(pkgDir, url.pathname.slice('/pkg/'.length)));
    if (file.startsWith(pkgDir + sep) && existsSync(file)) {
      const ext = file.slice(file.lastIndexOf('.'));
      return send(200, types[ext] ?? 'application/octet-stream', readFileSync(file));
    }
  }
  return send(404, 'text/plain', 'not found');
}

let server;
let context;
let profile;
let outcome;

before(async () => {
  server = createServer(serve);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  profile = mkdtempSync(join(tmpdir(), 'callscope-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const tab = context.pages()[0] ?? await context.newPage();
  const errors = [];
  tab.on('pageerror', (e) => errors.push(String(e)));
  await tab.goto(`http://127.0.0.1:${port}/`);
  await tab.waitForFunction(() => window.__results !== undefined, null, { timeout: 60_000 });
  outcome = await tab.evaluate(() => window.__results);
  outcome.pageErrors = errors;
});

after(async () => {
  await context?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
  if (profile) rmSync(profile, { recursive: true, force: true });
});

test('the page loads the module without errors', () => {
  assert.equal(outcome.fatal, undefined);
  assert.deepEqual(outcome.pageErrors, []);
  const cargo = readFileSync(new URL('../../Cargo.toml', import.meta.url), 'utf8');
  assert.equal(outcome.version, /\[workspace\.package\][^[]*?version = "([^"]+)"/.exec(cargo)[1]);
});

test('errors in the browser are Errors named after the core variant', () => {
  assert.deepEqual({ name: outcome.syntax.name, isError: outcome.syntax.isError }, { name: 'Syntax', isError: true });
  assert.match(outcome.syntax.message, /page\.json/);
});

for (const [i, { name, testCase }] of cases.entries()) {
  test(`golden ${name} in Chromium: ${testCase.description ?? ''}`, () => {
    assert.equal(outcome.results[i].name, name);
    assert.equal(outcome.results[i].failure, null);
  });
}
