// The Node binding's own contract: input kinds, option bag, errors, version, async.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const callscope = require('../index.js');

test('the version is the workspace version', () => {
  const cargo = readFileSync(new URL('../../Cargo.toml', import.meta.url), 'utf8');
  const workspaceVersion = /\[workspace\.package\][^[]*?version = "([^"]+)"/.exec(cargo)[1];
  assert.equal(callscope.version(), workspaceVersion);
  assert.equal(require('../package.json').version, workspaceVersion);
});

test('invalid JSON throws an Error with code Syntax and the source name', () => {
  assert.throws(() => callscope.ingest('{"calls": [', { source: 'calls.json' }), (err) => {
    assert.ok(err instanceof Error);
    assert.equal(err.code, 'Syntax');
    assert.match(err.message, /calls\.json/);
    return true;
  });
});

test('a Buffer and a string give the same result', () => {
  const text = '[]';
  assert.deepEqual(callscope.ingest(Buffer.from(text)), callscope.ingest(text));
});

test('a bad option value is an InvalidOption error', () => {
  assert.throws(() => callscope.ingest('[]', { provider: 'no-such-provider' }), (err) => {
    assert.equal(err.code, 'InvalidOption');
    assert.match(err.message, /no-such-provider/);
    return true;
  });
});

test('ingestAsync resolves to the same result and rejects with the same code', async () => {
  assert.deepEqual(await callscope.ingestAsync('[]'), callscope.ingest('[]'));
  await assert.rejects(callscope.ingestAsync('{', { source: 'x.json' }), (err) => {
    assert.equal(err.code, 'Syntax');
    assert.match(err.message, /x\.json/);
    return true;
  });
});

test('the wrong input type is a TypeError-like napi error, not a crash', () => {
  assert.throws(() => callscope.ingest(42));
});

// Files, folders and arrays of documents: the folder of tests/cases/report-files-folder.json
// (two JustCall pages with the same call, three Retell calls in retell/, a hidden broken file).
const folder = new URL('../../tests/cases/files/two-pages/', import.meta.url).pathname;
const files = ['page-1.json', 'page-2.json', 'retell/calls.ndjson'].map((f) => folder + f);

test('reportFiles takes a folder or a list of files', async () => {
  const byFolder = callscope.reportFiles(folder, { skipText: true });
  // worked out by hand in the golden case: 5 items in, 4 calls, 1 duplicate merged
  assert.equal(byFolder.ingest.recordsIn, 5);
  assert.equal(byFolder.ingest.duplicatesMerged, 1);
  assert.equal(byFolder.summary.totalCalls, 4);
  assert.deepEqual(callscope.reportFiles(files, { skipText: true }), byFolder);
  assert.deepEqual(await callscope.reportFilesAsync(folder, { skipText: true }), byFolder);
});

test('an array of documents is one input', async () => {
  const docs = files.map((f) => readFileSync(f));
  const byFolder = callscope.reportFiles(folder, { skipText: true });
  assert.deepEqual(callscope.report(docs, { skipText: true }), byFolder);
  assert.deepEqual(callscope.report(docs.map(String), { skipText: true }), byFolder);
  const ingested = callscope.ingest(docs);
  assert.equal(ingested.records.length, 4);
  assert.deepEqual(ingested, callscope.ingestFiles(folder));
  assert.deepEqual(await callscope.ingestAsync(docs), ingested);
  assert.deepEqual(await callscope.ingestFilesAsync(files), ingested);
  // a broken document is named by its place in the array
  assert.throws(() => callscope.ingest([docs[0], '{"data": ['], { source: 'pages' }), (err) => {
    assert.equal(err.code, 'Syntax');
    assert.match(err.message, /pages\[1\]/);
    return true;
  });
});

test('reportFiles errors name the file and keep their codes', async () => {
  const missing = folder + 'no-such-page.json';
  for (const run of [() => callscope.reportFiles([folder, missing]), () => callscope.ingestFiles(missing)]) {
    assert.throws(run, (err) => err.code === 'Io' && err.message.includes(missing));
  }
  await assert.rejects(callscope.reportFilesAsync(missing), (err) => err.code === 'Io');
  await assert.rejects(callscope.reportFilesAsync(folder, { granularity: 'fortnight' }), (err) => err.code === 'InvalidOption');
  assert.throws(() => callscope.reportFiles(folder + '.unfinished.json'), (err) => err.code === 'Syntax');
  assert.throws(() => callscope.reportFiles(42));
});
