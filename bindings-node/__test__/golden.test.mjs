// The shared golden cases (tests/cases/*.json) through the Node binding, sync and async.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { loadCases } from '../../tests/js/cases.mjs';
import { runCase } from '../../tests/js/golden.mjs';

const callscope = createRequire(import.meta.url)('../index.js');
const code = (err) => err.code;

for (const { name, testCase } of loadCases()) {
  test(`golden ${name}: ${testCase.description ?? ''}`, async () => {
    const reportFiles = (_, options, c) => callscope.reportFiles(c.paths, options);
    assert.equal(await runCase(testCase, { ingest: callscope.ingest, report: callscope.report, reportFiles }, code), null);
  });
  test(`golden ${name} (ingestAsync, reportFilesAsync)`, async () => {
    const reportFiles = (_, options, c) => callscope.reportFilesAsync(c.paths, options);
    assert.equal(await runCase(testCase, { ingest: callscope.ingestAsync, report: callscope.report, reportFiles }, code), null);
  });
}

test('an unknown function in a case fails clearly', async () => {
  const failure = await runCase({ function: 'nope', input: '', expected: {} }, { ingest: callscope.ingest }, code);
  assert.match(failure, /unknown function "nope"/);
});
