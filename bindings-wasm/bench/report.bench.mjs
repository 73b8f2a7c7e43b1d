// Benchmark of the WASM build on a 100k-call report (issue #5: under 1 s in a browser).
//
//   node bench/report.bench.mjs [--calls 100000] [--runs 5] [--data DIR] [--pkg DIR]
//                               [--no-node] [--no-string] [--no-ingest]
//
// Input: Twilio REST `Calls.json` list pages written by benches/compare/gen_exports.py (fixed
// seed, 1,000 calls per page), joined into one JSON array of pages, which is what a browser
// user holding the fetched pages would pass to `report` (the binding takes one input; ingest
// reads each array element as a page envelope). The pages are generated once into DATA.
//
// The release web build (pkg/web, `WASM_PROFILE=release ./build.sh`) runs in headless Chromium
// (Debian's /usr/bin/chromium through playwright-core): the page fetches the bytes, then each
// run times `report(bytes)` with performance.now(). Reported: the first run and the median of
// the runs after it, for a Uint8Array input, a string input and `ingest` alone (records
// converted to JS objects), run interleaved; then the same build for Node (pkg/node).
import { createServer } from 'node:http';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir, cpus } from 'node:os';
import { join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const value = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const calls = Number(value('--calls', '100000'));
const runs = Math.max(2, Number(value('--runs', '5')));
const dataDir = value('--data', join(tmpdir(), `callscope-wasm-bench-twilio-${calls}`));
// --pkg: another build's output folder (with web/ and node/), to compare builds.
const pkgRoot = resolve(value('--pkg', join(here, '..', 'pkg')));
const pkgDir = join(pkgRoot, 'web');
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
// The report the bench asks for: SPEC 6 defaults (hourly concurrency, text analytics on).
const options = { source: 'pages.json' };

function pages() {
  const done = existsSync(dataDir) && readdirSync(dataDir).some((f) => f.endsWith('.json'));
  if (!done) {
    console.error(`generating ${calls} Twilio calls into ${dataDir} ...`);
    execFileSync('python3', [join(root, 'benches', 'compare', 'gen_exports.py'), 'twilio', String(calls), dataDir],
      { stdio: 'inherit' });
  }
  const files = readdirSync(dataDir).filter((f) => f.endsWith('.json')).sort();
  const parts = [Buffer.from('[')];
  files.forEach((f, i) => {
    if (i > 0) parts.push(Buffer.from(','));
    parts.push(readFileSync(join(dataDir, f)));
  });
  parts.push(Buffer.from(']'));
  return Buffer.concat(parts);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// Runs in the page (and in Node): times `fn` `runs` times; returns milliseconds and a checksum.
const page = `<!doctype html>
<meta charset="utf-8">
<title>callscope-wasm bench</title>
<script type="module">
  import init, * as callscope from '/pkg/callscope_wasm.js';
  window.bench = { callscope };
  try {
    const t0 = performance.now();
    await init();
    const t1 = performance.now();
    const bytes = new Uint8Array(await (await fetch('/input.json')).arrayBuffer());
    window.bench.bytes = bytes;
    window.bench.text = new TextDecoder().decode(bytes);
    window.bench.ready = { initMs: t1 - t0, bytes: bytes.length };
  } catch (e) {
    window.bench.ready = { fatal: String(e && e.stack || e) };
  }
</script>`;

function serve(input) {
  return (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const send = (status, type, body) => { res.writeHead(status, { 'content-type': type }); res.end(body); };
    if (url.pathname === '/') return send(200, 'text/html', page);
    if (url.pathname === '/input.json') return send(200, 'application/json', input);
    if (url.pathname.startsWith('/pkg/')) {
      const file = normalize(join(pkgDir, url.pathname.slice('/pkg/'.length)));
      if (file.startsWith(pkgDir + sep) && existsSync(file)) {
        const type = file.endsWith('.wasm') ? 'application/wasm' : file.endsWith('.js') ? 'text/javascript' : 'text/plain';
        return send(200, type, readFileSync(file));
      }
    }
    return send(404, 'text/plain', 'not found');
  };
}

// One timed call in the page: `kind` is report-bytes, report-string or ingest-bytes.
async function runInPage(tab, kind) {
  return tab.evaluate(({ kind, options }) => {
    const { callscope, bytes, text } = window.bench;
    const t0 = performance.now();
    const out = kind === 'report-string' ? callscope.report(text, options)
      : kind === 'ingest-bytes' ? callscope.ingest(bytes, options)
        : callscope.report(bytes, options);
    const ms = performance.now() - t0;
    const records = kind === 'ingest-bytes' ? out.records.length : out.summary.totalCalls;
    return { ms, records };
  }, { kind, options });
}

function runInNode(callscope, input, kind) {
  const t0 = performance.now();
  const out = kind === 'ingest-bytes' ? callscope.ingest(input, options) : callscope.report(input, options);
  const ms = performance.now() - t0;
  return { ms, records: kind === 'ingest-bytes' ? out.records.length : out.summary.totalCalls };
}

// Runs the kinds interleaved (run 1 of each, then run 2 of each, ...) so that warm-up and
// load from other processes fall on every kind alike; `kinds` is [[label, once], ...].
async function series(kinds) {
  const times = kinds.map(() => []);
  const records = [];
  for (let i = 0; i < runs; i++) {
    for (const [k, [label, once]] of kinds.entries()) {
      const r = await once();
      times[k].push(r.ms);
      records[k] = r.records;
      console.error(`  ${label} run ${i + 1}/${runs}: ${r.ms.toFixed(0)} ms (${r.records} records)`);
    }
  }
  return kinds.map(([label], k) => ({
    label, first: times[k][0], median: median(times[k].slice(1)), min: Math.min(...times[k]), records: records[k],
  }));
}

async function main() {
  if (!existsSync(join(pkgDir, 'callscope_wasm_bg.wasm'))) {
    throw new Error('pkg/web is missing: run `WASM_PROFILE=release ./build.sh` (make bench-wasm does)');
  }
  const input = pages();
  const mb = input.length / 1e6;
  const rows = [];
  console.error(`input: ${calls} calls, ${mb.toFixed(1)} MB; ${runs} runs each; ${cpus().length} CPUs`);

  const server = createServer(serve(input));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const profile = mkdtempSync(join(tmpdir(), 'callscope-bench-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const tab = context.pages()[0] ?? await context.newPage();
    tab.setDefaultTimeout(0);
    await tab.goto(`http://127.0.0.1:${server.address().port}/`);
    await tab.waitForFunction(() => window.bench?.ready !== undefined, null, { timeout: 120_000 });
    const ready = await tab.evaluate(() => window.bench.ready);
    if (ready.fatal) throw new Error(`page: ${ready.fatal}`);
    const browser = context.browser()?.version() ?? 'Chromium';
    console.error(`chromium ${browser}: module instantiated in ${ready.initMs.toFixed(0)} ms, ${ready.bytes} bytes in the page`);
    const kinds = [['report(Uint8Array)', () => runInPage(tab, 'report-bytes')]];
    if (!flag('--no-string')) kinds.push(['report(string)', () => runInPage(tab, 'report-string')]);
    if (!flag('--no-ingest')) kinds.push(['ingest(Uint8Array)', () => runInPage(tab, 'ingest-bytes')]);
    for (const row of await series(kinds)) rows.push({ where: 'Chromium', ...row });
  } finally {
    await context?.close();
    await new Promise((resolve) => server.close(resolve));
    rmSync(profile, { recursive: true, force: true });
  }

  if (!flag('--no-node')) {
    const require = createRequire(import.meta.url);
    const callscope = require(join(pkgRoot, 'node', 'callscope_wasm.js'));
    const bytes = new Uint8Array(input.buffer, input.byteOffset, input.length);
    const [row] = await series([['report(Uint8Array)', () => runInNode(callscope, bytes, 'report-bytes')]]);
    rows.push({ where: `Node ${process.version}`, ...row });
  }

  console.log(`\n${calls} calls, ${mb.toFixed(1)} MB (Twilio pages as one JSON array), ${runs} runs: first, median of the other ${runs - 1}, fastest\n`);
  console.log('| where | call | records | first ms | median ms | fastest ms |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.where} | ${r.label} | ${r.records} | ${r.first.toFixed(0)} | ${r.median.toFixed(0)} | ${r.min.toFixed(0)} |`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
