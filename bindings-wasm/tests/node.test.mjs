// The shared golden cases through the WASM build for Node (pkg/node), plus the binding's contract.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { sep } from 'node:path';
import { loadCases, sortPaths } from '../../tests/js/cases.mjs';
import { runCase } from '../../tests/js/golden.mjs';

const require = createRequire(import.meta.url);
const callscope = require('../pkg/node/callscope_wasm.js');
const name = (err) => err.name;

for (const { name: file, testCase } of loadCases()) {
  test(`golden ${file}: ${testCase.description ?? ''}`, async () => {
    // no file system in the module: a reportFiles case reads its files as an array of documents
    const reportFiles = (_, options, c) => callscope.report(c.documents.map((d) => d.text), options);
    assert.equal(await runCase(testCase, { ingest: callscope.ingest, report: callscope.report, reportFiles }, name), null);
  });
}

test('the version is the workspace version and the package version', () => {
  const cargo = readFileSync(new URL('../../Cargo.toml', import.meta.url), 'utf8');
  const workspaceVersion = /\[workspace\.package\][^[]*?version = "([^"]+)"/.exec(cargo)[1];
  assert.equal(callscope.version(), workspaceVersion);
  assert.equal(require('../package.json').version, workspaceVersion);
});

test('invalid JSON throws an Error named Syntax with the source name', () => {
  assert.throws(() => callscope.ingest('{"calls": [', { source: 'calls.json' }), (err) => {
    assert.ok(err instanceof Error);
    assert.equal(err.name, 'Syntax');
    assert.match(err.message, /calls\.json/);
    return true;
  });
});

test('a Uint8Array and a string give the same result', () => {
  assert.deepEqual(callscope.ingest(new TextEncoder().encode('[]')), callscope.ingest('[]'));
});

test('a bad option value is an InvalidOption error; a bad input type a TypeError', () => {
  assert.throws(() => callscope.ingest('[]', { provider: 'no-such-provider' }), (err) => err.name === 'InvalidOption');
  assert.throws(() => callscope.ingest(42), (err) => err.name === 'TypeError');
});

test('results are plain objects (maps as objects, None as null)', () => {
  const out = callscope.ingest('[]');
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.equal(Object.getPrototypeOf(out.report), Object.prototype);
});

test('report reads a Uint8Array a slice at a time: the same report as from the string', () => {
  const run = (input, options) => {
    try {
      return callscope.report(input, options);
    } catch (err) {
      return { error: err.name, message: err.message };
    }
  };
  for (const { testCase } of loadCases()) {
    const options = { ...(testCase.options ?? {}), source: testCase.source };
    assert.deepEqual(run(new TextEncoder().encode(testCase.input), options), run(testCase.input, options),
      testCase.description);
  }
  // ~3 MB: array elements and multibyte characters cross the 1 MiB slices
  const calls = Array.from({ length: 15000 }, (_, i) => ({
    call_id: `c${i}`, agent_name: 'Zoë Ünal ☎', call_type: 'phone_call', call_status: 'ended',
    direction: 'inbound', start_timestamp: 1700000000000 + i * 1000, end_timestamp: 1700000060000 + i * 1000,
    disconnection_reason: 'user_hangup', from_number: `+1415555${String(i % 1000).padStart(4, '0')}`,
  }));
  const text = JSON.stringify(calls);
  const bytes = new TextEncoder().encode(text);
  assert.ok(bytes.length > 3 * (1 << 20), `${bytes.length} bytes`);
  const options = { source: 'calls.json', skipText: true };
  const fromBytes = run(bytes, options);
  assert.equal(fromBytes.summary.totalCalls, 15000);
  assert.equal(fromBytes.ingest.recordsIn, 15000);
  assert.deepEqual(fromBytes, run(text, options));
});

test('report reads a string a slice at a time, never between the halves of a surrogate pair', () => {
  // the raw ended reason's emoji starts on the last UTF-16 unit of the first 1 Mi-unit slice
  const head = '[{"call_id":"c0","call_type":"phone_call","call_status":"ended","direction":"inbound",'
    + '"start_timestamp":1700000000000,"end_timestamp":1700000060000,"transcript":"';
  const mid = '","disconnection_reason":"';
  const pad = (1 << 20) - 1 - head.length - mid.length;
  const text = `${head}${'x'.repeat(pad)}${mid}📞 dropped"}]`;
  assert.equal(text.charCodeAt((1 << 20) - 1), '📞'.charCodeAt(0));
  const options = { source: 'calls.json', skipText: true };
  const fromString = callscope.report(text, options);
  assert.deepEqual(fromString, callscope.report(new TextEncoder().encode(text), options));
  assert.equal(fromString.ingest.recordsOut, 1);
  assert.ok(JSON.stringify(fromString.endedReasonsRaw).includes('📞 dropped'), JSON.stringify(fromString.endedReasonsRaw));
});

test('an array of documents is one input, its documents named by place', () => {
  // the pages of tests/cases/files/two-pages: the same JustCall call twice, three Retell calls
  const dir = new URL('../../tests/cases/files/two-pages/', import.meta.url);
  const docs = ['page-1.json', 'page-2.json', 'retell/calls.ndjson'].map((f) => readFileSync(new URL(f, dir)));
  const rep = callscope.report(docs, { skipText: true, granularity: 'day' });
  assert.equal(rep.ingest.recordsIn, 5);
  assert.equal(rep.ingest.duplicatesMerged, 1);
  assert.equal(rep.summary.totalCalls, 4);
  assert.deepEqual(callscope.report(docs.map(String), { skipText: true, granularity: 'day' }), rep);
  assert.equal(callscope.ingest(docs).records.length, 4);
  assert.throws(() => callscope.ingest([docs[0], '{"data": ['], { source: 'pages' }), (err) => {
    assert.equal(err.name, 'Syntax');
    assert.match(err.message, /pages\[1\]/);
    return true;
  });
  assert.throws(() => callscope.report([docs[0], 42]), (err) => err.name === 'TypeError' && /input\[1\]/.test(err.message));
});

test('the runners walk folders in callscope\'s order', () => {
  // the names and order of core/tests/files.rs (a_folder_is_walked_in_path_order)
  const j = (...parts) => parts.join(sep);
  const order = [j('a', 'B'), j('a', 'a', 'z'), j('a', 'b'), j('a-b', 'x'), 'a0', 'z', 'é'];
  assert.deepEqual(sortPaths([...order].reverse()), order);
  // a string sort puts "a-b/x" first ('-' < '/')
  assert.equal([...order].sort()[0], j('a-b', 'x'));
});
